/* test_nn_embed.c - the pose embedding (dp_nn_pose_embed): its defining properties,
 * its sign conventions on an explicit camera-frame body, the round trip, and
 * invariance to rigid motions of the input. */
#include <math.h>
#include <string.h>

#include "depthpose/nn.h"
#include "depthpose/rng.h"
#include "dp_test.h"

enum { J = 8, TORSO = 0, LSH = 1, RSH = 2, HEAD = 3 };

static void random_pose(dp_rng *r, float *p) {
  for (int i = 0; i < 3 * J; i++) p[i] = (float)(600.0 * (dp_rng_uniform(r) - 0.5));
}

/* A random rotation (unit quaternion from four normals) and translation. */
static void random_rigid(dp_rng *r, double Q[9], double t[3]) {
  double q[4], n = 0;
  for (int i = 0; i < 4; i++) {
    q[i] = dp_rng_normal(r);
    n += q[i] * q[i];
  }
  n = sqrt(n);
  double w = q[0] / n, x = q[1] / n, y = q[2] / n, z = q[3] / n;
  double M[9] = {1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
                 2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
                 2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)};
  memcpy(Q, M, sizeof M);
  for (int i = 0; i < 3; i++) t[i] = 3000.0 * (dp_rng_uniform(r) - 0.5);
}

static void check_properties(const float *e, const double R[9]) {
  for (int c = 0; c < 3; c++) CU_ASSERT(fabsf(e[3 * TORSO + c]) < 1e-3f);
  /* the chest plane is x = 0: both shoulders (and the torso) have x = 0 */
  CU_ASSERT(fabsf(e[3 * LSH]) < 1e-2f && fabsf(e[3 * RSH]) < 1e-2f);
  /* the head is on the +y axis of the yz projection: z = 0, y > 0 */
  CU_ASSERT(fabsf(e[3 * HEAD + 2]) < 1e-2f && e[3 * HEAD + 1] > 0);
  /* R is a proper rotation */
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      double d = R[3 * a] * R[3 * b] + R[3 * a + 1] * R[3 * b + 1] + R[3 * a + 2] * R[3 * b + 2];
      CU_ASSERT(fabs(d - (a == b)) < 1e-9);
    }
  double det = R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) +
               R[2] * (R[3] * R[7] - R[4] * R[6]);
  CU_ASSERT(fabs(det - 1) < 1e-9);
}

static void test_embed_properties_and_round_trip(void) {
  dp_rng r;
  for (int k = 0; k < 50; k++) {
    dp_rng_init(&r, 5, DP_STREAM_TEST, (uint64_t)k, 0);
    float p[3 * J], e[3 * J], back[3 * J];
    double R[9], t[3];
    random_pose(&r, p);
    CU_ASSERT(dp_nn_pose_embed(J, p, TORSO, LSH, RSH, HEAD, e, R, t) == 0);
    check_properties(e, R);
    dp_nn_pose_unembed(J, e, R, t, back);
    for (int i = 0; i < 3 * J; i++) CU_ASSERT(fabsf(back[i] - p[i]) < 1e-3f);
  }
}

/* Moving the whole body rigidly leaves the embedding unchanged. */
static void test_embed_rigid_invariance(void) {
  dp_rng r;
  double worst = 0;
  for (int k = 0; k < 50; k++) {
    dp_rng_init(&r, 6, DP_STREAM_TEST, (uint64_t)k, 0);
    float p[3 * J], q[3 * J], e1[3 * J], e2[3 * J];
    double R[9], t[3], Q[9], s[3];
    random_pose(&r, p);
    random_rigid(&r, Q, s);
    for (int j = 0; j < J; j++)
      for (int a = 0; a < 3; a++)
        q[3 * j + a] = (float)(Q[3 * a] * p[3 * j] + Q[3 * a + 1] * p[3 * j + 1] +
                               Q[3 * a + 2] * p[3 * j + 2] + s[a]);
    CU_ASSERT(dp_nn_pose_embed(J, p, TORSO, LSH, RSH, HEAD, e1, R, t) == 0);
    CU_ASSERT(dp_nn_pose_embed(J, q, TORSO, LSH, RSH, HEAD, e2, R, t) == 0);
    for (int i = 0; i < 3 * J; i++) worst = fmax(worst, fabs(e1[i] - e2[i]));
  }
  printf("\n    worst coordinate change %.2g mm (poses ~600 mm, moved up to 1500 mm)", worst);
  CU_ASSERT(worst < 5e-3); /* float inputs of ~2000 mm carry ~1e-4 mm rounding */
}

/* Sign conventions on a body in the camera frame (x right, y down, z forward), upright
 * and facing the camera: its left shoulder is on the image's right (+x). */
static void test_embed_conventions(void) {
  float p[3 * J] = {0};
  const float body[4][3] = {{0, 0, 3000}, {150, -400, 3000}, {-150, -400, 3000}, {0, -600, 3010}};
  memcpy(p, body, sizeof body);
  for (int j = 4; j < J; j++) p[3 * j + 1] = 100.0f * j, p[3 * j + 2] = 3000;
  float e[3 * J];
  double R[9], t[3];
  CU_ASSERT_FATAL(dp_nn_pose_embed(J, p, TORSO, LSH, RSH, HEAD, e, R, t) == 0);
  /* +x = the way the chest faces = towards the camera (-z in the camera frame) */
  CU_ASSERT(fabs(R[0]) < 1e-9 && fabs(R[1]) < 1e-9 && fabs(R[2] + 1) < 1e-9);
  /* +y towards the head (camera up is -y) */
  CU_ASSERT(R[4] < -0.99);
  /* +z towards the right shoulder */
  CU_ASSERT(e[3 * RSH + 2] > 100 && e[3 * LSH + 2] < -100);
  CU_ASSERT(e[3 * HEAD + 1] > 599 && e[3 * HEAD + 1] < 601);
  /* degenerate: shoulders collinear with the torso */
  float bad[3 * J] = {0};
  bad[3 * LSH] = 100, bad[3 * RSH] = -100, bad[3 * HEAD + 1] = 300;
  CU_ASSERT(dp_nn_pose_embed(J, bad, TORSO, LSH, RSH, HEAD, e, R, t) == -1);
  CU_ASSERT(R[0] == 1 && R[4] == 1 && R[8] == 1);
}

DP_TEST_MAIN("nn_embed", DP_TEST(test_embed_properties_and_round_trip),
             DP_TEST(test_embed_rigid_invariance), DP_TEST(test_embed_conventions))
