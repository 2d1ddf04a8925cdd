/* test_train_joints.c - the train stage's joint selection (stages.train.joints): the
 * subset's tree (nearest selected ancestor), name resolution and its errors, the
 * embedding's anchors as a config error; and the input normalisation's median. */
#include <stdlib.h>
#include <string.h>

#include "../../stages/train/train_common.h"
#include "depthpose/error.h"
#include "depthpose/rng.h"
#include "dp_test.h"

/* The anatomical tree over the default 15 joints (pose.h order), rooted at the torso:
 * head-neck-torso, shoulders off the neck, elbows, hands; hips off the torso, knees, feet. */
enum { HEAD, NECK, TORSO, LSH, RSH, LEL, REL, LHA, RHA, LHI, RHI, LKN, RKN, LFO, RFO };
static const int TREE15[15] = {NECK, TORSO, -1, NECK, NECK, LSH, RSH, LEL, REL, TORSO, TORSO, LHI, RHI, LKN, RKN};

static void test_subset10_parents_skip_the_left_out_joints(void) {
  /* subset10 = head torso l_sh r_sh l_hand r_hand l_hip r_hip l_foot r_foot */
  const int sel[10] = {HEAD, TORSO, LSH, RSH, LHA, RHA, LHI, RHI, LFO, RFO};
  int got[10];
  dp_subset_parents(TREE15, 15, sel, 10, got);
  /* head -> (neck) -> torso; shoulders -> (neck) -> torso; hands -> (elbow) -> shoulder;
   * hips -> torso; feet -> (knee) -> hip; the torso stays the root */
  const int want[10] = {1, -1, 1, 1, 2, 3, 1, 1, 6, 7};
  for (int k = 0; k < 10; k++) CU_ASSERT_EQUAL(got[k], want[k]);
}

static void test_subset_parents_all_and_forest(void) {
  int all[15], got[15];
  for (int j = 0; j < 15; j++) all[j] = j;
  dp_subset_parents(TREE15, 15, all, 15, got);
  for (int j = 0; j < 15; j++) CU_ASSERT_EQUAL(got[j], TREE15[j]); /* the full set: the tree itself */
  /* without the torso (the root) the hips and the neck-side joints have no selected
   * ancestor: each becomes a root; the order of the selection does not matter */
  const int sel[5] = {RFO, LHA, RHI, NECK, LSH};
  dp_subset_parents(TREE15, 15, sel, 5, got);
  const int want[5] = {2, 4, -1, -1, 3};
  for (int k = 0; k < 5; k++) CU_ASSERT_EQUAL(got[k], want[k]);
}

static dp_config *parse(const char *text) {
  dp_config *c = NULL;
  CU_ASSERT_FATAL(dp_config_parse("t.yaml", text, strlen(text), &c) == 0);
  return c;
}

static void test_choice_from_config(void) {
  dp_config *c = parse("train:\n  joints: subset10\n");
  const dp_node *sec = dp_cfg_get(dp_config_root(c), "train");
  dp_joint_choice ch;
  CU_ASSERT(dp_joint_choice_from_config(sec, "joints", 1, &ch) == 0);
  CU_ASSERT(!ch.all && ch.n == 10 && !strcmp(ch.names[0], "head"));
  dp_config_free(c);

  c = parse("train: {}\n"); /* absent: all of depth.h5's joints */
  CU_ASSERT(dp_joint_choice_from_config(dp_cfg_get(dp_config_root(c), "train"), "joints", 1, &ch) == 0);
  CU_ASSERT(ch.all);
  dp_config_free(c);

  /* the embedding needs its anchors: a clear error at the key */
  c = parse("train:\n  joints: [torso, l_shoulder, r_shoulder, l_hand]\n");
  sec = dp_cfg_get(dp_config_root(c), "train");
  CU_ASSERT(dp_joint_choice_from_config(sec, "joints", 0, &ch) == 0 && ch.n == 4);
  CU_ASSERT(dp_joint_choice_from_config(sec, "joints", 1, &ch) != 0);
  printf("\n    %s", dp_error_message());
  CU_ASSERT(strstr(dp_error_message(), "t.yaml:2:") && strstr(dp_error_message(), "head must be among"));
  dp_error_clear();
  dp_config_free(c);

  c = parse("train:\n  joints: subset11\n"); /* a misspelt set name */
  CU_ASSERT(dp_joint_choice_from_config(dp_cfg_get(dp_config_root(c), "train"), "joints", 0, &ch) != 0);
  CU_ASSERT(strstr(dp_error_message(), "expected all, default15, subset10 or a list") != NULL);
  dp_error_clear();
  dp_config_free(c);

  c = parse("train:\n  joints: [head, torso, head]\n");
  CU_ASSERT(dp_joint_choice_from_config(dp_cfg_get(dp_config_root(c), "train"), "joints", 0, &ch) != 0);
  CU_ASSERT(strstr(dp_error_message(), "head is listed twice") != NULL);
  dp_error_clear();
  dp_config_free(c);
}

static void test_resolve_against_a_file(void) {
  char *names[15];
  for (int j = 0; j < 15; j++) names[j] = (char *)dp_joints15[j];
  dp_joint_choice ch = {.n = 3, .names = {"r_foot", "torso", "r_hip"}};
  dp_joint_sel sel;
  CU_ASSERT_FATAL(dp_joint_sel_resolve(&ch, names, 15, TREE15, "depth.h5", "", &sel) == 0);
  CU_ASSERT(sel.n == 3 && sel.src[0] == RFO && sel.src[1] == TORSO && sel.src[2] == RHI);
  CU_ASSERT(sel.parent[0] == 2 && sel.parent[1] == -1 && sel.parent[2] == 1);
  ch.names[1] = "l_thumb";
  CU_ASSERT(dp_joint_sel_resolve(&ch, names, 15, TREE15, "depth.h5", " (hint)", &sel) != 0);
  CU_ASSERT(strstr(dp_error_message(), "depth.h5 has no joint l_thumb (hint)") != NULL);
  dp_error_clear();
  /* targets hold the selected joints only, torso-relative, in metres */
  float cam[45], t[9];
  for (int i = 0; i < 45; i++) cam[i] = (float)(100 * i);
  dp_net_params p = {.embedding = 0};
  dp_pose_anchor a = {TORSO, LSH, RSH, HEAD};
  ch.names[1] = "torso";
  CU_ASSERT_FATAL(dp_joint_sel_resolve(&ch, names, 15, TREE15, "depth.h5", "", &sel) == 0);
  dp_pose_target(&p, &a, 15, cam, &sel, t);
  for (int k = 0; k < 3; k++)
    for (int c = 0; c < 3; c++)
      CU_ASSERT_DOUBLE_EQUAL(t[3 * k + c], (cam[3 * sel.src[k] + c] - cam[3 * TORSO + c]) / 1000.0, 1e-6);
}

static int cmp_u16(const void *a, const void *b) {
  return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The normalisation's median (a quickselect) against a sort, on frames with ties,
 * holes (no return) and odd and even counts. */
static void test_normalise_median(void) {
  enum { H = 24, W = 30 };
  uint16_t d[H * W], scratch[H * W], sorted[H * W];
  float out[H * W];
  dp_net_params p = {.downsample = 1, .clip_m = 100};
  for (int trial = 0; trial < 200; trial++) {
    dp_rng r;
    dp_rng_init(&r, 3, DP_STREAM_TEST, (uint64_t)trial, 0);
    size_t n = 0;
    int levels = 1 + (int)dp_rng_below(&r, trial % 2 ? 5u : 3000u); /* many ties, or few */
    for (int i = 0; i < H * W - (trial % 7); i++) {
      d[i] = dp_rng_below(&r, 4) == 0 ? 0 : (uint16_t)(500 + dp_rng_below(&r, (uint32_t)levels));
      if (d[i]) sorted[n++] = d[i];
    }
    for (int i = H * W - (trial % 7); i < H * W; i++) d[i] = 0;
    qsort(sorted, n, sizeof *sorted, cmp_u16);
    double med = n ? sorted[n / 2] : 0;
    dp_normalise_frame(&p, d, H, W, scratch, out);
    int ok = 1;
    for (int i = 0; i < H * W; i++)
      if (d[i]) ok &= out[i] == (float)((d[i] - med) / 1000.0);
    CU_ASSERT(ok);
  }
}

DP_TEST_MAIN("train_joints", DP_TEST(test_subset10_parents_skip_the_left_out_joints),
             DP_TEST(test_subset_parents_all_and_forest), DP_TEST(test_choice_from_config),
             DP_TEST(test_resolve_against_a_file), DP_TEST(test_normalise_median))
