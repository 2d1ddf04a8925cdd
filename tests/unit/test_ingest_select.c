/* test_ingest_select.c - which captured frames become poses (frame_select.h) and how a
 * source's joints become the run's canonical joints (joint_map.h), on clips built here
 * by hand so that the kept frames and mapped positions can be counted exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../stages/ingest/frame_select.h"
#include "../../stages/ingest/joint_map.h"
#include "depthpose/config.h"
#include "depthpose/error.h"
#include "depthpose/mocap.h"
#include "depthpose/pose.h"
#include "dp_test.h"

/* A clip of n joints x frames, positions zero; parent NULL unless hierarchical. */
static dp_clip make_clip(const char *const *names, int n, int frames, int hierarchical) {
  dp_clip c;
  memset(&c, 0, sizeof c);
  c.n_joints = n;
  c.n_frames = frames;
  c.joint_names = calloc((size_t)n, sizeof *c.joint_names);
  for (int j = 0; j < n; j++) c.joint_names[j] = strdup(names[j]);
  if (hierarchical) {
    c.parent = malloc((size_t)n * sizeof *c.parent);
    for (int j = 0; j < n; j++) c.parent[j] = j - 1; /* a chain rooted at joint 0 */
  }
  c.pos = calloc((size_t)frames * (size_t)n * 3, sizeof *c.pos);
  return c;
}

static float *at(dp_clip *c, int f, int j) { return c->pos + ((size_t)f * c->n_joints + j) * 3; }

static void set(dp_clip *c, int f, int j, float x, float y, float z) {
  float *p = at(c, f, j);
  p[0] = x, p[1] = y, p[2] = z;
}

static const char *const TWO[2] = {"Hips", "Head"};

/* ---- degenerate frames ---------------------------------------------------------------- */

static void test_degenerate_frames(void) {
  dp_clip c = make_clip(TWO, 2, 8, 1);
  for (int f = 0; f < 8; f++) set(&c, f, 0, 10, 900, 5), set(&c, f, 1, 10, 1600, 5);
  at(&c, 1, 1)[1] = NAN;                          /* a NaN anywhere */
  at(&c, 2, 0)[2] = INFINITY;                     /* an infinity */
  set(&c, 3, 0, 0, 0, 0), set(&c, 3, 1, 0, 0, 0); /* every joint at the origin */
  set(&c, 4, 0, 0, 0, 0);                         /* the root alone at the origin */
  set(&c, 5, 1, 0, 0, 0);                         /* a non-root joint at the origin: fine */
  set(&c, 6, 0, 0, 0, 1e-3f);                     /* the root near, not at, the origin: fine */
  at(&c, 7, 0)[0] = -INFINITY;
  const int want[8] = {0, 1, 1, 1, 1, 0, 0, 1};
  for (int f = 0; f < 8; f++) {
    if (dp_frame_degenerate(&c, f) != want[f]) printf("\n  frame %d: got %d want %d\n", f, dp_frame_degenerate(&c, f), want[f]);
    CU_ASSERT_EQUAL(dp_frame_degenerate(&c, f), want[f]);
  }
  /* Without a hierarchy (CSV, H3.6M) the root at the origin is a legitimate pose; the
   * other rules still hold. */
  free(c.parent);
  c.parent = NULL;
  const int flat[8] = {0, 1, 1, 1, 0, 0, 0, 1};
  for (int f = 0; f < 8; f++) CU_ASSERT_EQUAL(dp_frame_degenerate(&c, f), flat[f]);
  dp_clip_free(&c);
}

/* ---- frame selection -------------------------------------------------------------------- */

/* A 2-joint clip where joint 1 of frame f sits at x = xs[f]; joint 0 never moves. */
static dp_clip moving_clip(const float *xs, int n) {
  dp_clip c = make_clip(TWO, 2, n, 1);
  for (int f = 0; f < n; f++) set(&c, f, 0, 1, 900, 1), set(&c, f, 1, xs[f], 1600, 0);
  return c;
}

static int kept_list(const unsigned char *keep, int n, int *out) {
  int k = 0;
  for (int f = 0; f < n; f++)
    if (keep[f]) out[k++] = f;
  return k;
}

static void test_every_k(void) {
  float xs[10];
  for (int f = 0; f < 10; f++) xs[f] = 100.0f * (float)f;
  dp_clip c = moving_clip(xs, 10);
  set(&c, 2, 0, 0, 0, 0);  /* degenerate: root at the origin */
  at(&c, 5, 1)[0] = NAN;   /* degenerate */
  unsigned char keep[10];
  int degenerate = -1, list[10];
  /* Good frames 0 1 3 4 6 7 8 9; every 3rd of them: 0, 4, 8. */
  CU_ASSERT_EQUAL(dp_select_frames(&c, c.pos, 2, 3, 0, keep, &degenerate), 3);
  CU_ASSERT_EQUAL(degenerate, 2);
  CU_ASSERT_EQUAL(kept_list(keep, 10, list), 3);
  CU_ASSERT(list[0] == 0 && list[1] == 4 && list[2] == 8);
  /* every = 1 keeps every good frame. */
  CU_ASSERT_EQUAL(dp_select_frames(&c, c.pos, 2, 1, 0, keep, &degenerate), 8);
  CU_ASSERT(keep[0] && keep[1] && !keep[2] && keep[3] && keep[4] && !keep[5] && keep[9]);
  /* every = 2: 0, 3, 6, 8. */
  CU_ASSERT_EQUAL(dp_select_frames(&c, c.pos, 2, 2, 0, keep, &degenerate), 4);
  kept_list(keep, 10, list);
  CU_ASSERT(list[0] == 0 && list[1] == 3 && list[2] == 6 && list[3] == 8);
  /* every larger than the clip: only the first good frame. */
  CU_ASSERT_EQUAL(dp_select_frames(&c, c.pos, 2, 100, 0, keep, &degenerate), 1);
  CU_ASSERT(keep[0]);
  /* A leading degenerate frame: counting starts at the first good one. */
  set(&c, 0, 0, 0, 0, 0);
  CU_ASSERT_EQUAL(dp_select_frames(&c, c.pos, 2, 3, 0, keep, &degenerate), 3);
  CU_ASSERT_EQUAL(degenerate, 3);
  kept_list(keep, 10, list); /* good: 1 3 4 6 7 8 9 -> 1, 6, 9 */
  CU_ASSERT(list[0] == 1 && list[1] == 6 && list[2] == 9);
  dp_clip_free(&c);
}

static void test_min_motion(void) {
  /* Motion is measured from the last kept frame, not the previous one. */
  const float xs[8] = {0, 5, 9, 20, 21, 22, 35, 36};
  dp_clip c = moving_clip(xs, 8);
  unsigned char keep[9]; /* room for the 9-frame clip below */
  int degenerate, list[9];
  CU_ASSERT_EQUAL(dp_select_frames(&c, c.pos, 2, 1, 10, keep, &degenerate), 3);
  CU_ASSERT_EQUAL(degenerate, 0);
  kept_list(keep, 8, list);
  CU_ASSERT(list[0] == 0 && list[1] == 3 && list[2] == 6);
  dp_clip_free(&c);

  /* A slow drift of 4 mm a frame: kept every time 10 mm have accumulated, and a motion
   * of exactly min_motion counts ("at least"). */
  const float drift[9] = {0, 4, 8, 12, 16, 20, 24, 28, 32};
  c = moving_clip(drift, 9);
  CU_ASSERT_EQUAL(dp_select_frames(&c, c.pos, 2, 1, 10, keep, &degenerate), 3);
  kept_list(keep, 9, list); /* 0 -> 12 (f3) -> 24 (f6); 32 is 8 from 24 */
  CU_ASSERT(list[0] == 0 && list[1] == 3 && list[2] == 6);
  CU_ASSERT_EQUAL(dp_select_frames(&c, c.pos, 2, 1, 12, keep, &degenerate), 3);
  kept_list(keep, 9, list); /* exactly 12 mm: 0, 12 (f3), 24 (f6) */
  CU_ASSERT(list[0] == 0 && list[1] == 3 && list[2] == 6);
  CU_ASSERT_EQUAL(dp_select_frames(&c, c.pos, 2, 1, 12.5, keep, &degenerate), 3);
  kept_list(keep, 9, list); /* 0 -> 16 (f4) -> 32 (f8) */
  CU_ASSERT(list[0] == 0 && list[1] == 4 && list[2] == 8);
  /* A still clip: only its first frame. */
  const float still[5] = {7, 7, 7, 7, 7};
  dp_clip s = moving_clip(still, 5);
  CU_ASSERT_EQUAL(dp_select_frames(&s, s.pos, 2, 1, 1, keep, &degenerate), 1);
  CU_ASSERT(keep[0] && !keep[1] && !keep[4]);
  /* min_motion 0 disables the test: all five. */
  CU_ASSERT_EQUAL(dp_select_frames(&s, s.pos, 2, 1, 0, keep, &degenerate), 5);
  dp_clip_free(&s);

  /* every then min_motion: of frames 0, 2, 4, 6, 8 (x = 0, 8, 16, 24, 32), those 10 mm
   * from the last kept: 0, 16, 32. */
  CU_ASSERT_EQUAL(dp_select_frames(&c, c.pos, 2, 2, 10, keep, &degenerate), 3);
  kept_list(keep, 9, list);
  CU_ASSERT(list[0] == 0 && list[1] == 4 && list[2] == 8);
  dp_clip_free(&c);
}

/* The motion test reads the canonical poses passed in, not the clip's raw joints; the
 * clip is only consulted for degeneracy. Motion is the largest over joints, in 3-D. */
static void test_min_motion_uses_canonical_poses(void) {
  const float xs[4] = {0, 0, 0, 0};
  dp_clip c = moving_clip(xs, 4); /* the raw clip never moves */
  float canon[4][3][3] = {{{0}}};
  canon[1][2][1] = 6, canon[1][2][2] = 8; /* joint 2 of frame 1 moves (0, 6, 8): 10 mm */
  canon[2][0][0] = 9.99f;                 /* frame 2: 9.99 mm from frame 1's joint 0 */
  canon[2][2][1] = 6, canon[2][2][2] = 8;
  canon[3][2][1] = 6, canon[3][2][2] = 8;
  unsigned char keep[4];
  int degenerate;
  CU_ASSERT_EQUAL(dp_select_frames(&c, &canon[0][0][0], 3, 1, 10, keep, &degenerate), 2);
  CU_ASSERT(keep[0] && keep[1] && !keep[2] && !keep[3]);
  dp_clip_free(&c);
}

/* ---- joint maps ------------------------------------------------------------------------ */

/* The CMU BVH (cgspeed) joints the built-in map uses, plus some it does not, shuffled. */
static const char *const CMU[] = {"Hips",     "LHipJoint",   "LeftUpLeg",   "LeftLeg",  "LeftFoot",
                                  "LeftToeBase", "RightUpLeg", "RightLeg",  "RightFoot", "LowerBack",
                                  "Spine",    "Spine1",      "Neck",        "Neck1",    "Head",
                                  "Head_end", "LeftShoulder", "LeftArm",    "LeftForeArm", "LeftHand",
                                  "RightShoulder", "RightArm", "RightForeArm", "RightHand"};
#define NCMU ((int)(sizeof CMU / sizeof CMU[0]))

/* Frame f, source joint k at (100 k + f, 10 k, -k). */
static dp_clip cmu_clip(int frames) {
  dp_clip c = make_clip(CMU, NCMU, frames, 1);
  for (int f = 0; f < frames; f++)
    for (int k = 0; k < NCMU; k++) set(&c, f, k, (float)(100 * k + f), (float)(10 * k), (float)-k);
  return c;
}

static int cmu_index(const char *name) {
  for (int k = 0; k < NCMU; k++)
    if (!strcmp(CMU[k], name)) return k;
  return -1;
}

/* Canonical joint j of frame f must be the mean of the named source joints. */
static void expect_mean(const float *out, int j, int f, const char *a, const char *b) {
  int ka = cmu_index(a), kb = b ? cmu_index(b) : ka;
  CU_ASSERT_FATAL(ka >= 0 && kb >= 0);
  double k = 0.5 * (ka + kb);
  CU_ASSERT_DOUBLE_EQUAL(out[3 * j], 100 * k + f, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(out[3 * j + 1], 10 * k, 1e-4);
  CU_ASSERT_DOUBLE_EQUAL(out[3 * j + 2], -k, 1e-5);
}

static int starts(const char *prefix) {
  const char *msg = dp_error_message();
  if (strncmp(msg, prefix, strlen(prefix)) == 0) return 1;
  printf("\n  message \"%s\"\n  does not start with \"%s\"\n", msg, prefix);
  return 0;
}

static dp_config *parse(const char *text) {
  dp_config *c = NULL;
  dp_error_clear();
  int rc = dp_config_parse("map.yaml", text, strlen(text), &c);
  if (rc) printf("\n  %s\n", dp_error_message());
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  return c;
}

static const dp_node *map_node(const dp_config *c) {
  const dp_node *n = dp_cfg_get(dp_config_root(c), "joint_map");
  CU_ASSERT_PTR_NOT_NULL_FATAL(n);
  return n;
}

static void test_builtin_cmu_bvh_resolves(void) {
  CU_ASSERT_PTR_NOT_NULL(dp_builtin_joint_map("cmu_bvh"));
  CU_ASSERT_PTR_NOT_NULL(dp_builtin_joint_map("identity"));
  CU_ASSERT_PTR_NULL(dp_builtin_joint_map("cmu"));
  dp_config *cfg = parse("joint_map: cmu_bvh\n");
  dp_joint_map m;
  CU_ASSERT_EQUAL_FATAL(dp_joint_map_from_config(map_node(cfg), dp_joints15, 15, &m), 0);
  CU_ASSERT_EQUAL(m.n_joints, 15);
  CU_ASSERT_EQUAL(m.n_src[0], 2); /* head = Head + Head_end */
  CU_ASSERT_STRING_EQUAL(m.src[0][0], "Head");
  CU_ASSERT_STRING_EQUAL(m.src[0][1], "Head_end");
  dp_clip clip = cmu_clip(3);
  dp_joint_lookup l;
  CU_ASSERT_EQUAL_FATAL(dp_joint_map_resolve(&m, &clip, "clip.bvh", &l), 0);
  float out[15 * 3];
  dp_joint_map_apply(&l, &clip, 2, out);
  /* head neck torso l_shoulder r_shoulder l_elbow r_elbow l_hand r_hand l_hip r_hip
   * l_knee r_knee l_foot r_foot */
  expect_mean(out, 0, 2, "Head", "Head_end");
  expect_mean(out, 1, 2, "Neck1", NULL);
  expect_mean(out, 2, 2, "Spine", NULL);
  expect_mean(out, 3, 2, "LeftArm", NULL);
  expect_mean(out, 4, 2, "RightArm", NULL);
  expect_mean(out, 5, 2, "LeftForeArm", NULL);
  expect_mean(out, 6, 2, "RightForeArm", NULL);
  expect_mean(out, 7, 2, "LeftHand", NULL);
  expect_mean(out, 8, 2, "RightHand", NULL);
  expect_mean(out, 9, 2, "LeftUpLeg", NULL);
  expect_mean(out, 10, 2, "RightUpLeg", NULL);
  expect_mean(out, 11, 2, "LeftLeg", NULL);
  expect_mean(out, 12, 2, "RightLeg", NULL);
  expect_mean(out, 13, 2, "LeftFoot", NULL);
  expect_mean(out, 14, 2, "RightFoot", NULL);
  /* Frame 0 too (a different x for every frame). */
  dp_joint_map_apply(&l, &clip, 0, out);
  expect_mean(out, 0, 0, "Head", "Head_end");
  /* The same built-in onto the 10-joint set picks the same sources by name. */
  dp_joint_map m10;
  CU_ASSERT_EQUAL_FATAL(dp_joint_map_from_config(map_node(cfg), dp_joints10, 10, &m10), 0);
  CU_ASSERT_EQUAL_FATAL(dp_joint_map_resolve(&m10, &clip, "clip.bvh", &l), 0);
  float out10[10 * 3];
  dp_joint_map_apply(&l, &clip, 1, out10);
  /* head torso l_shoulder r_shoulder l_hand r_hand l_hip r_hip l_foot r_foot */
  expect_mean(out10, 0, 1, "Head", "Head_end");
  expect_mean(out10, 1, 1, "Spine", NULL);
  expect_mean(out10, 4, 1, "LeftHand", NULL);
  expect_mean(out10, 9, 1, "RightFoot", NULL);
  CU_ASSERT_EQUAL(dp_config_check_unused(cfg), 0);
  dp_clip_free(&clip);
  dp_config_free(cfg);
}

static void test_mapping_with_base_override(void) {
  dp_config *cfg = parse(
      "joint_map:\n"
      "  base: cmu_bvh\n"
      "  head: Head\n"                /* one source instead of two */
      "  torso: [Spine, Spine1]\n"    /* a list means the mean */
      "  neck: Neck+Neck1\n");        /* and so does "A+B" */
  dp_joint_map m;
  dp_error_clear();
  CU_ASSERT_EQUAL_FATAL(dp_joint_map_from_config(map_node(cfg), dp_joints15, 15, &m), 0);
  CU_ASSERT_EQUAL(m.n_src[0], 1);
  CU_ASSERT_EQUAL(m.n_src[1], 2);
  CU_ASSERT_EQUAL(m.n_src[2], 2);
  dp_clip clip = cmu_clip(2);
  dp_joint_lookup l;
  CU_ASSERT_EQUAL_FATAL(dp_joint_map_resolve(&m, &clip, "clip.bvh", &l), 0);
  float out[15 * 3];
  dp_joint_map_apply(&l, &clip, 1, out);
  expect_mean(out, 0, 1, "Head", NULL);
  expect_mean(out, 1, 1, "Neck", "Neck1");
  expect_mean(out, 2, 1, "Spine", "Spine1");
  expect_mean(out, 3, 1, "LeftArm", NULL); /* the rest from the base */
  expect_mean(out, 14, 1, "RightFoot", NULL);
  /* Every key of the mapping counts as read. */
  CU_ASSERT_EQUAL(dp_config_check_unused(cfg), 0);
  dp_clip_free(&clip);
  dp_config_free(cfg);
}

static void test_full_mapping_without_base(void) {
  /* A 2-joint canonical set mapped explicitly. */
  static const char *const names[2] = {"head", "torso"};
  dp_config *cfg = parse("joint_map:\n  head: [Head, Head_end]\n  torso: Hips\n");
  dp_joint_map m;
  CU_ASSERT_EQUAL_FATAL(dp_joint_map_from_config(map_node(cfg), names, 2, &m), 0);
  dp_clip clip = cmu_clip(1);
  dp_joint_lookup l;
  CU_ASSERT_EQUAL_FATAL(dp_joint_map_resolve(&m, &clip, "clip.bvh", &l), 0);
  float out[6];
  dp_joint_map_apply(&l, &clip, 0, out);
  expect_mean(out, 0, 0, "Head", "Head_end");
  expect_mean(out, 1, 0, "Hips", NULL);
  dp_clip_free(&clip);
  dp_config_free(cfg);
  /* Leaving a joint out is an error naming it. */
  cfg = parse("joint_map:\n  head: Head\n");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_joint_map_from_config(map_node(cfg), names, 2, &m), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "no source joint given for torso"));
  CU_ASSERT(starts("map.yaml:"));
  dp_error_clear();
  dp_config_free(cfg);
}

static void test_unknown_source_joint_names_joint_and_file(void) {
  dp_config *cfg = parse("joint_map: cmu_bvh\n");
  dp_joint_map m;
  CU_ASSERT_EQUAL_FATAL(dp_joint_map_from_config(map_node(cfg), dp_joints15, 15, &m), 0);
  /* A clip without LeftFoot. */
  const char *names[NCMU - 1];
  int k = 0;
  for (int i = 0; i < NCMU; i++)
    if (strcmp(CMU[i], "LeftFoot")) names[k++] = CMU[i];
  dp_clip clip = make_clip(names, NCMU - 1, 1, 1);
  dp_joint_lookup l;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_joint_map_resolve(&m, &clip, "data/cmu/07_01.bvh", &l), -1);
  const char *msg = dp_error_message();
  CU_ASSERT(starts("data/cmu/07_01.bvh: "));
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "\"LeftFoot\""));
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "l_foot"));
  dp_error_clear();
  dp_clip_free(&clip);
  dp_config_free(cfg);
}

static void test_unknown_canonical_joint_in_mapping(void) {
  dp_config *cfg = parse(
      "joint_map:\n"        /* 1 */
      "  base: cmu_bvh\n"   /* 2 */
      "  nose: Head\n");    /* 3: not a canonical joint */
  dp_joint_map m;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_joint_map_from_config(map_node(cfg), dp_joints15, 15, &m), -1);
  const char *msg = dp_error_message();
  CU_ASSERT(starts("map.yaml:3:9: joint_map.nose: "));
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "joint_map.nose"));
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "nose is not one of the run's joints"));
  dp_error_clear();
  dp_config_free(cfg);
}

static void test_bad_maps(void) {
  dp_joint_map m;
  /* An unknown built-in, as the whole map and as a base. */
  dp_config *cfg = parse("joint_map: cmu_bvhh\n");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_joint_map_from_config(map_node(cfg), dp_joints15, 15, &m), -1);
  CU_ASSERT(starts("map.yaml:1:12: joint_map: unknown joint map \"cmu_bvhh\""));
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "cmu_bvh, cmu_asf, h36m, identity"));
  dp_config_free(cfg);
  cfg = parse("joint_map:\n  base: nope\n");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_joint_map_from_config(map_node(cfg), dp_joints15, 15, &m), -1);
  CU_ASSERT(starts("map.yaml:2:9: joint_map.base: unknown joint map \"nope\""));
  dp_config_free(cfg);
  /* A built-in base for a joint it does not know. */
  static const char *const odd[2] = {"head", "tail"};
  cfg = parse("joint_map:\n  base: cmu_bvh\n");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_joint_map_from_config(map_node(cfg), odd, 2, &m), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "has no joint tail"));
  dp_config_free(cfg);
  /* ... which the mapping may supply. */
  cfg = parse("joint_map:\n  tail: Hips\n  head: Head\n");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_joint_map_from_config(map_node(cfg), odd, 2, &m), 0);
  dp_config_free(cfg);
  /* Empty parts and too many sources. */
  cfg = parse("joint_map:\n  base: cmu_bvh\n  head: Head++Neck\n");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_joint_map_from_config(map_node(cfg), dp_joints15, 15, &m), -1);
  CU_ASSERT(starts("map.yaml:3:9: joint_map.head: bad source joint list"));
  dp_config_free(cfg);
  cfg = parse("joint_map:\n  base: cmu_bvh\n  head: [A, B, C, D, E]\n");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_joint_map_from_config(map_node(cfg), dp_joints15, 15, &m), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "bad source joint list \"A+B+C+D+E\" for head"));
  dp_config_free(cfg);
  cfg = parse("joint_map:\n  base: cmu_bvh\n  head: [A, B, C, D]\n"); /* four is the limit */
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_joint_map_from_config(map_node(cfg), dp_joints15, 15, &m), 0);
  CU_ASSERT_EQUAL(m.n_src[0], 4);
  dp_config_free(cfg);
  /* A list is neither a name nor a mapping. */
  cfg = parse("joint_map: [cmu_bvh]\n");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_joint_map_from_config(map_node(cfg), dp_joints15, 15, &m), -1);
  CU_ASSERT(starts("map.yaml:1:12: joint_map: expected a joint map name"));
  dp_config_free(cfg);
  dp_error_clear();
}

DP_TEST_MAIN("ingest_select", DP_TEST(test_degenerate_frames), DP_TEST(test_every_k), DP_TEST(test_min_motion),
             DP_TEST(test_min_motion_uses_canonical_poses), DP_TEST(test_builtin_cmu_bvh_resolves),
             DP_TEST(test_mapping_with_base_override), DP_TEST(test_full_mapping_without_base),
             DP_TEST(test_unknown_source_joint_names_joint_and_file),
             DP_TEST(test_unknown_canonical_joint_in_mapping), DP_TEST(test_bad_maps))
