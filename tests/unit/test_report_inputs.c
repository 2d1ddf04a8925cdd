/* test_report_inputs.c - the report's text parsers and its anatomy: results/per_joint.csv
 * (columns found by header name, "nan" kept as missing, every bad line named file:line),
 * the JSON summary (top-level numbers of any document, errors with a line), and the
 * anatomical edges the learned tree is compared with, for the 15- and 10-joint sets. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../stages/report/report.h"
#include "depthpose/error.h"
#include "dp_test.h"

static char *NAMES[3] = {"head", "l_<hand>", "torso"};

static void test_csv_good(void) {
  const char *csv = "joint,frames,mean_mm,median_mm,mean_mm_synthetic_pose,mean_mm_real_pose\r\n"
                    "head,40,128.06,90.37,nan,128.06\n"
                    "\n"
                    "l_<hand>,40,7.5,7,nan,7.50\n"
                    "mean,40,1e2,99.00,-nan,100.00\n";
  rp_joint_row *r;
  int n;
  CU_ASSERT_FATAL(rp_parse_per_joint("x.csv", csv, NAMES, 3, &r, &n) == 0);
  CU_ASSERT_EQUAL(n, 3);
  CU_ASSERT_STRING_EQUAL(r[1].joint, "l_<hand>");
  CU_ASSERT_STRING_EQUAL(r[0].field[RP_COL_MEDIAN], "90.37"); /* as written, for the table */
  CU_ASSERT_STRING_EQUAL(r[1].field[RP_COL_REAL], "7.50");
  CU_ASSERT(r[0].v[RP_COL_MEAN] == 128.06 && r[2].v[RP_COL_MEAN] == 100);
  CU_ASSERT(isnan(r[0].v[RP_COL_SYNTH]) && isnan(r[2].v[RP_COL_SYNTH]));
  CU_ASSERT_STRING_EQUAL(r[0].field[RP_COL_SYNTH], "nan");
  free(r);
  /* columns by name, in another order; the origin columns are optional */
  CU_ASSERT_FATAL(rp_parse_per_joint("x.csv", "joint,median_mm,mean_mm,frames\ntorso,2,3,4\n", NAMES, 3, &r, &n) == 0);
  CU_ASSERT(n == 1 && r[0].v[RP_COL_MEAN] == 3 && r[0].v[RP_COL_MEDIAN] == 2 && r[0].v[RP_COL_FRAMES] == 4);
  CU_ASSERT(isnan(r[0].v[RP_COL_REAL]) && !strcmp(r[0].field[RP_COL_REAL], "-"));
  free(r);
}

/* Each bad input fails with file:line and what was expected. */
static void expect_error(const char *csv, const char *want) {
  rp_joint_row *r = (rp_joint_row *)1;
  int n = 7;
  dp_error_clear();
  CU_ASSERT(rp_parse_per_joint("res/per_joint.csv", csv, NAMES, 3, &r, &n) == -1);
  CU_ASSERT(r == NULL && n == 0);
  if (!strstr(dp_error_message(), want)) printf("\n  message: %s\n  wanted:  %s\n", dp_error_message(), want);
  CU_ASSERT(strstr(dp_error_message(), want) != NULL);
  dp_error_clear();
}

static void test_csv_bad(void) {
  const char *H = "joint,frames,mean_mm,median_mm\n";
  char buf[512];
  expect_error("", "res/per_joint.csv: expected a header line and one line per joint, found nothing");
  expect_error(H, "found only the header");
  expect_error("name,frames,mean_mm,median_mm\nhead,1,2,3\n", "res/per_joint.csv:1: expected a header starting with \"joint\"");
  expect_error("joint,frames,mean_mm\nhead,1,2\n", "res/per_joint.csv:1: the header has no column \"median_mm\"");
  snprintf(buf, sizeof buf, "%shead,1,2,3\ntorso,1,2\n", H);
  expect_error(buf, "res/per_joint.csv:3: expected 4 comma-separated fields (as in the header), got 3");
  snprintf(buf, sizeof buf, "%shead,1,abc,3\n", H);
  expect_error(buf, "res/per_joint.csv:2: field 3: expected a number, got \"abc\"");
  snprintf(buf, sizeof buf, "%shead,1,2,3\nelbow,1,2,3\n", H);
  expect_error(buf, "res/per_joint.csv:3: joint \"elbow\" is not a joint of poses.h5");
  snprintf(buf, sizeof buf, "%shead,1,2,3\nhead,1,2,3\n", H);
  expect_error(buf, "res/per_joint.csv:3: joint \"head\" appears twice");
  snprintf(buf, sizeof buf, "%s,1,2,3\n", H);
  expect_error(buf, "res/per_joint.csv:2: expected a joint name in the first field");
}

static void test_json(void) {
  const char *const keys[3] = {"frames", "mean_joint_error_mm", "mean_box_iou"};
  double v[3];
  CU_ASSERT(rp_parse_json_numbers("s.json", "{\n  \"frames\": 3670,\n  \"mean_joint_error_mm\": 226.125,\n"
                                  "  \"mean_box_iou\": 0.6701\n}\n", keys, 3, v) == 0);
  CU_ASSERT(v[0] == 3670 && v[1] == 226.125 && v[2] == 0.6701);
  /* other fields of any kind are walked over; nested keys do not count; absent is NaN */
  CU_ASSERT(rp_parse_json_numbers("s.json", "{\"x\": {\"frames\": 1}, \"a\": [1, {\"b\": null}, \"s\\\"}\"], "
                                  "\"ok\": true, \"mean_box_iou\": -1.5e-1}", keys, 3, v) == 0);
  CU_ASSERT(isnan(v[0]) && isnan(v[1]) && v[2] == -0.15);
  CU_ASSERT(rp_parse_json_numbers("s.json", "{\"frames\": null, \"mean_box_iou\": \"0.5\"}", keys, 3, v) == 0);
  CU_ASSERT(isnan(v[0]) && isnan(v[1]) && isnan(v[2])); /* null, absent, a string */
  dp_error_clear();
  CU_ASSERT(rp_parse_json_numbers("s.json", "{\n\"frames\": 1,\n\"mean_box_iou\": zz\n}", keys, 3, v) == -1);
  CU_ASSERT(strstr(dp_error_message(), "s.json:3: JSON syntax error") != NULL);
  dp_error_clear();
  CU_ASSERT(rp_parse_json_numbers("s.json", "[1]", keys, 3, v) == -1);
  CU_ASSERT(strstr(dp_error_message(), "s.json: expected a JSON object at the top level") != NULL);
  dp_error_clear();
  CU_ASSERT(rp_parse_json_numbers("s.json", "{\"frames\": 1", keys, 3, v) == -1);
  CU_ASSERT(strstr(dp_error_message(), "s.json:1: unexpected end of file") != NULL);
  dp_error_clear();
  CU_ASSERT(rp_parse_json_numbers("s.json", "{} x", keys, 3, v) == -1);
  CU_ASSERT(strstr(dp_error_message(), "s.json:1: text after the end of the JSON object") != NULL);
  dp_error_clear();
}

static int idx(char *const *n, int J, const char *name) {
  for (int j = 0; j < J; j++)
    if (!strcmp(n[j], name)) return j;
  return -1;
}

static void test_anatomy(void) {
  char *j15[15] = {"head", "neck", "torso", "l_shoulder", "r_shoulder", "l_elbow", "r_elbow", "l_hand",
                   "r_hand", "l_hip", "r_hip", "l_knee", "r_knee", "l_foot", "r_foot"};
  int anat[15], tree[15], ne, nt;
  /* the bundled data's tree: r_hip off l_hip instead of off the torso */
  for (int j = 0; j < 15; j++) tree[j] = -2;
  const char *const TREE[][2] = {{"head", "neck"},       {"neck", "torso"},       {"l_shoulder", "neck"},
                                 {"r_shoulder", "neck"}, {"l_elbow", "l_shoulder"}, {"r_elbow", "r_shoulder"},
                                 {"l_hand", "l_elbow"},  {"r_hand", "r_elbow"},   {"l_hip", "torso"},
                                 {"r_hip", "l_hip"},     {"l_knee", "l_hip"},     {"r_knee", "r_hip"},
                                 {"l_foot", "l_knee"},   {"r_foot", "r_knee"}};
  tree[idx(j15, 15, "torso")] = -1;
  for (int e = 0; e < 14; e++) tree[idx(j15, 15, TREE[e][0])] = idx(j15, 15, TREE[e][1]);
  rp_anatomy(j15, 15, tree, anat, &ne, &nt);
  CU_ASSERT_EQUAL(ne, 14);
  CU_ASSERT_EQUAL(nt, 13);
  CU_ASSERT_EQUAL(anat[idx(j15, 15, "r_hip")], idx(j15, 15, "torso"));
  CU_ASSERT_EQUAL(anat[idx(j15, 15, "torso")], -1);
  CU_ASSERT(!rp_edge_in(tree, idx(j15, 15, "r_hip"), idx(j15, 15, "torso")));
  CU_ASSERT(rp_edge_in(tree, idx(j15, 15, "neck"), idx(j15, 15, "head"))); /* either direction */
  /* the 10-joint set: missing joints are skipped on the way up */
  char *j10[10] = {"head", "torso", "l_shoulder", "r_shoulder", "l_hand", "r_hand", "l_hip", "r_hip", "l_foot", "r_foot"};
  int t10[10] = {1, -1, 1, 1, 2, 3, 1, 1, 6, 7};
  rp_anatomy(j10, 10, t10, anat, &ne, &nt);
  CU_ASSERT(ne == 9 && nt == 9);
  CU_ASSERT(anat[4] == 2 && anat[0] == 1 && anat[8] == 6);
  /* unknown names have no anatomical place */
  char *odd[3] = {"a", "b", "torso"};
  int t3[3] = {2, 2, -1};
  rp_anatomy(odd, 3, t3, anat, &ne, &nt);
  CU_ASSERT(ne == 0 && nt == 0 && anat[0] == -1 && anat[1] == -1);
}

DP_TEST_MAIN("report_inputs", DP_TEST(test_csv_good), DP_TEST(test_csv_bad), DP_TEST(test_json), DP_TEST(test_anatomy))
