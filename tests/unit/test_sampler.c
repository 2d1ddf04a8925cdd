/* test_sampler.c - KDE pose synthesis along a tree (stages/sample/sampler.h) and the
 * geometry and coverage helpers beside it (coverage.h).
 *
 * The sampler is checked against its closed forms: with one training pose and a chosen
 * bandwidth b, every joint offset is that pose's offset plus N(0, b^2 I); with many poses,
 * sampled offsets have the data's mean and the data's (population) variance plus b^2, and
 * b_j = scale * 1.06 * sigma_j * N^(-1/5) with sigma_j pooled over the three axes. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../stages/sample/coverage.h"
#include "../../stages/sample/sampler.h"
#include "depthpose/error.h"
#include "depthpose/rng.h"
#include "dp_test.h"

/* A branching tree whose breadth-first order is not the identity:
 *   0 (root) -> 1 -> 2,   0 -> 3 -> 4,   0 -> 5 */
#define TJ 6
static const int T_PARENT[TJ] = {-1, 0, 1, 0, 3, 0};
static const int T_ORDER[TJ] = {0, 1, 3, 5, 2, 4};
/* Mean offset (joint minus parent; the root: its position) and per-axis sd, mm. */
static const double T_MEAN[TJ][3] = {{10, 900, -20}, {0, -300, 0}, {50, -250, 30},
                                     {120, 0, 10},   {0, 280, 0},  {-150, 40, 0}};
static const double T_SD[TJ][3] = {{30, 10, 20}, {5, 10, 20}, {15, 15, 15},
                                   {2, 30, 8},   {25, 5, 10}, {12, 12, 40}};

static dp_sampler_config base_config(size_t n, const float *poses) {
  dp_sampler_config c;
  memset(&c, 0, sizeof c);
  c.n_joints = TJ;
  c.parent = T_PARENT;
  c.order = T_ORDER;
  c.n = n;
  c.poses = poses;
  c.bandwidth_scale = 1.0;
  c.root_kde = 1;
  c.max_attempts = 1;
  c.seed = 20240611;
  return c;
}

/* n training poses with Gaussian offsets along the tree. */
static float *make_training(size_t n, uint64_t seed) {
  float *p = malloc(n * TJ * 3 * sizeof *p);
  for (size_t i = 0; i < n; i++) {
    dp_rng r;
    dp_rng_init(&r, seed, DP_STREAM_TEST, i, 0);
    float *q = p + i * TJ * 3;
    for (int k = 0; k < TJ; k++) {
      int j = T_ORDER[k], par = T_PARENT[j];
      for (int a = 0; a < 3; a++) {
        double v = T_MEAN[j][a] + T_SD[j][a] * dp_rng_normal(&r);
        q[3 * j + a] = (float)(par < 0 ? v : q[3 * par + a] + v);
      }
    }
  }
  return p;
}

/* Offsets (joint minus parent, root: position) of one pose, in double. */
static void offsets_of(const float *pose, double off[TJ][3]) {
  for (int j = 0; j < TJ; j++)
    for (int a = 0; a < 3; a++)
      off[j][a] = T_PARENT[j] < 0 ? pose[3 * j + a]
                                  : (double)pose[3 * j + a] - (double)pose[3 * T_PARENT[j] + a];
}

typedef struct {
  double mean[TJ][3], var[TJ][3]; /* var: population (1/n) */
  double var_n1[TJ][3];           /* sample (1/(n-1)) */
} moments;

static void offset_moments(const float *poses, size_t n, moments *m) {
  memset(m, 0, sizeof *m);
  double off[TJ][3];
  for (size_t i = 0; i < n; i++) {
    offsets_of(poses + i * TJ * 3, off);
    for (int j = 0; j < TJ; j++)
      for (int a = 0; a < 3; a++) m->mean[j][a] += off[j][a];
  }
  for (int j = 0; j < TJ; j++)
    for (int a = 0; a < 3; a++) m->mean[j][a] /= (double)n;
  for (size_t i = 0; i < n; i++) {
    offsets_of(poses + i * TJ * 3, off);
    for (int j = 0; j < TJ; j++)
      for (int a = 0; a < 3; a++) {
        double d = off[j][a] - m->mean[j][a];
        m->var[j][a] += d * d;
      }
  }
  for (int j = 0; j < TJ; j++)
    for (int a = 0; a < 3; a++) {
      m->var_n1[j][a] = n > 1 ? m->var[j][a] / (double)(n - 1) : 0;
      m->var[j][a] /= (double)n;
    }
}

static float *draw_many(const dp_sampler *s, size_t m, uint64_t first) {
  float *out = malloc(m * TJ * 3 * sizeof *out);
  for (size_t i = 0; i < m; i++) {
    int rej;
    dp_sampler_draw(s, first + i, out + i * TJ * 3, &rej);
  }
  return out;
}

/* ---- one training pose, bandwidth set by hand ---------------------------------------- */

static void test_one_pose_is_pose_plus_gaussian(void) {
  float *train = make_training(1, 5);
  dp_sampler_config c = base_config(1, train);
  dp_sampler s;
  dp_error_clear();
  CU_ASSERT_EQUAL_FATAL(dp_sampler_init(&s, &c), 0);
  /* One pose: every sigma is 0, so every bandwidth is 0 and every draw is the pose. */
  for (int j = 0; j < TJ; j++) CU_ASSERT_EQUAL(s.bandwidth[j], 0.0);
  float out[TJ * 3];
  int rej = -1;
  dp_sampler_draw(&s, 123, out, &rej);
  CU_ASSERT_EQUAL(rej, 0);
  for (int i = 0; i < TJ * 3; i++) CU_ASSERT_DOUBLE_EQUAL(out[i], train[i], 1e-3);

  /* Now a known bandwidth per joint: offsets ~ N(pose offset, b_j^2 I). */
  const double b[TJ] = {10, 10, 5, 20, 10, 2};
  for (int j = 0; j < TJ; j++) s.bandwidth[j] = b[j];
  const size_t M = 20000;
  float *d = draw_many(&s, M, 0);
  moments got, want;
  offset_moments(d, M, &got);
  offset_moments(train, 1, &want);
  for (int j = 0; j < TJ; j++)
    for (int a = 0; a < 3; a++) {
      double se = b[j] / sqrt((double)M);
      if (fabs(got.mean[j][a] - want.mean[j][a]) > 4 * se ||
          fabs(got.var[j][a] / (b[j] * b[j]) - 1) > 0.05) {
        printf("\n  joint %d axis %d: mean %.4f want %.4f (se %.4f), var %.4f want %.4f\n", j, a,
               got.mean[j][a], want.mean[j][a], se, got.var[j][a], b[j] * b[j]);
        CU_FAIL("offset moments of a one-pose KDE");
      }
    }
  free(d);
  dp_sampler_free(&s);
  free(train);
}

/* ---- many poses ---------------------------------------------------------------------------- */

static void test_bandwidth_is_silverman_pooled(void) {
  const size_t N = 2000;
  float *train = make_training(N, 6);
  moments m;
  offset_moments(train, N, &m);
  for (int root_kde = 0; root_kde <= 1; root_kde++) {
    dp_sampler_config c = base_config(N, train);
    c.bandwidth_scale = 0.7;
    c.root_kde = root_kde;
    dp_sampler s;
    CU_ASSERT_EQUAL_FATAL(dp_sampler_init(&s, &c), 0);
    for (int j = 0; j < TJ; j++) {
      double sigma = sqrt((m.var_n1[j][0] + m.var_n1[j][1] + m.var_n1[j][2]) / 3);
      double want = 0.7 * 1.06 * sigma * pow((double)N, -0.2);
      if (T_PARENT[j] < 0 && !root_kde) want = 0; /* the root is not sampled */
      if (fabs(s.bandwidth[j] - want) > 1e-7 * want) {
        printf("\n  root_kde %d joint %d: bandwidth %.10g want %.10g\n", root_kde, j, s.bandwidth[j], want);
        CU_FAIL("bandwidth is not scale * 1.06 * pooled sigma * N^-1/5");
      }
    }
    /* The stored offsets are the training offsets. */
    double off[TJ][3];
    offsets_of(train + 17 * TJ * 3, off);
    for (int j = 0; j < TJ; j++)
      for (int a = 0; a < 3; a++) CU_ASSERT_DOUBLE_EQUAL(s.offsets[(17 * TJ + j) * 3 + a], off[j][a], 1e-3);
    dp_sampler_free(&s);
  }
  free(train);
}

static void test_many_poses_mean_and_variance(void) {
  const size_t N = 2000, M = 20000;
  float *train = make_training(N, 7);
  dp_sampler_config c = base_config(N, train);
  c.bandwidth_scale = 1.5; /* a wide kernel, so b^2 is a visible part of the variance */
  dp_sampler s;
  CU_ASSERT_EQUAL_FATAL(dp_sampler_init(&s, &c), 0);
  float *d = draw_many(&s, M, 1000);
  moments data, got;
  offset_moments(train, N, &data);
  offset_moments(d, M, &got);
  int bad = 0;
  for (int j = 0; j < TJ; j++)
    for (int a = 0; a < 3; a++) {
      double want_var = data.var[j][a] + s.bandwidth[j] * s.bandwidth[j];
      double se = sqrt(want_var / (double)M);
      if (fabs(got.mean[j][a] - data.mean[j][a]) > 4 * se || fabs(got.var[j][a] / want_var - 1) > 0.05) {
        printf("\n  joint %d axis %d: mean %.3f want %.3f (se %.3f), var %.3f want %.3f (data %.3f + b^2 %.3f)\n",
               j, a, got.mean[j][a], data.mean[j][a], se, got.var[j][a], want_var, data.var[j][a],
               s.bandwidth[j] * s.bandwidth[j]);
        bad++;
      }
    }
  CU_ASSERT_EQUAL(bad, 0);
  /* The kernel term is really there: for the joint with the smallest axis sd (joint 3,
   * x: sd 2 mm, pooled sigma ~18 mm) b^2 dominates the data variance. */
  CU_ASSERT(got.var[3][0] > 10 * data.var[3][0]);
  free(d);
  dp_sampler_free(&s);
  free(train);
}

static void test_draws_are_pure_functions_of_seed_and_index(void) {
  const size_t N = 300;
  float *train = make_training(N, 8);
  dp_sampler_config c = base_config(N, train);
  c.keep_bone_lengths = 1;
  dp_sampler s1, s2;
  CU_ASSERT_EQUAL_FATAL(dp_sampler_init(&s1, &c), 0);
  CU_ASSERT_EQUAL_FATAL(dp_sampler_init(&s2, &c), 0);
  const uint64_t idx[] = {5, 17, 3, 0, 1000000007ull, (1ull << 40) + 9};
  enum { K = sizeof idx / sizeof idx[0] };
  float fwd[K][TJ * 3], rev[K][TJ * 3], other[K][TJ * 3];
  int rej;
  for (int k = 0; k < K; k++) dp_sampler_draw(&s1, idx[k], fwd[k], &rej);
  for (int k = K - 1; k >= 0; k--) dp_sampler_draw(&s1, idx[k], rev[k], &rej);
  for (int k = 0; k < K; k++) dp_sampler_draw(&s2, idx[k], other[k], &rej);
  CU_ASSERT_EQUAL(memcmp(fwd, rev, sizeof fwd), 0);
  CU_ASSERT_EQUAL(memcmp(fwd, other, sizeof fwd), 0);
  /* Different indices give different poses. */
  for (int k = 1; k < K; k++) CU_ASSERT_NOT_EQUAL(memcmp(fwd[0], fwd[k], sizeof fwd[0]), 0);
  /* A different seed gives a different pose for the same index. */
  dp_sampler s3;
  c.seed++;
  CU_ASSERT_EQUAL_FATAL(dp_sampler_init(&s3, &c), 0);
  float o[TJ * 3];
  dp_sampler_draw(&s3, idx[0], o, &rej);
  CU_ASSERT_NOT_EQUAL(memcmp(o, fwd[0], sizeof o), 0);
  dp_sampler_free(&s1);
  dp_sampler_free(&s2);
  dp_sampler_free(&s3);
  free(train);
}

static void test_root_at_origin_without_root_kde(void) {
  const size_t N = 500;
  float *train = make_training(N, 9);
  dp_sampler_config c = base_config(N, train);
  c.root_kde = 0;
  dp_sampler s;
  CU_ASSERT_EQUAL_FATAL(dp_sampler_init(&s, &c), 0);
  CU_ASSERT_EQUAL(s.bandwidth[0], 0.0);
  int nonzero = 0;
  float out[TJ * 3];
  for (uint64_t i = 0; i < 200; i++) {
    int rej;
    dp_sampler_draw(&s, i, out, &rej);
    nonzero += out[0] != 0.0f || out[1] != 0.0f || out[2] != 0.0f;
    /* The rest of the pose hangs off the origin: joint 1 is just its offset. */
    CU_ASSERT(fabs(out[3 + 1] - (-300)) < 100);
  }
  CU_ASSERT_EQUAL(nonzero, 0);
  dp_sampler_free(&s);
  /* With root_kde the root follows the real roots (mean near (10, 900, -20)). */
  c.root_kde = 1;
  CU_ASSERT_EQUAL_FATAL(dp_sampler_init(&s, &c), 0);
  CU_ASSERT(s.bandwidth[0] > 0);
  double sy = 0;
  for (uint64_t i = 0; i < 200; i++) {
    int rej;
    dp_sampler_draw(&s, i, out, &rej);
    sy += out[1];
  }
  CU_ASSERT(fabs(sy / 200 - 900) < 10);
  dp_sampler_free(&s);
  free(train);
}

static double bone(const float *p, int j) {
  int q = T_PARENT[j];
  double dx = (double)p[3 * j] - p[3 * q], dy = (double)p[3 * j + 1] - p[3 * q + 1],
         dz = (double)p[3 * j + 2] - p[3 * q + 2];
  return sqrt(dx * dx + dy * dy + dz * dz);
}

/* Index of a training pose whose every bone length matches `p`, or -1. */
static int matching_body(const float *train, size_t n, const float *p, double tol) {
  for (size_t i = 0; i < n; i++) {
    int ok = 1;
    for (int j = 0; j < TJ && ok; j++)
      if (T_PARENT[j] >= 0) ok = fabs(bone(p, j) - bone(train + i * TJ * 3, j)) < tol;
    if (ok) return (int)i;
  }
  return -1;
}

static void test_keep_bone_lengths_uses_one_real_body(void) {
  const size_t N = 200, M = 300;
  float *train = make_training(N, 10);
  dp_sampler_config c = base_config(N, train);
  c.keep_bone_lengths = 1;
  dp_sampler s;
  CU_ASSERT_EQUAL_FATAL(dp_sampler_init(&s, &c), 0);
  float *d = draw_many(&s, M, 0);
  int unmatched = 0, distinct = 0;
  unsigned char seen[200] = {0};
  for (size_t i = 0; i < M; i++) {
    int b = matching_body(train, N, d + i * TJ * 3, 2e-3);
    if (b < 0) unmatched++;
    else if (!seen[b]++) distinct++;
  }
  printf("\n  keep_bone_lengths: %d of %zu draws unmatched, %d distinct bodies\n", unmatched, M, distinct);
  CU_ASSERT_EQUAL(unmatched, 0);
  CU_ASSERT(distinct > 100); /* bodies are drawn uniformly: ~155 of 200 expected */
  free(d);
  dp_sampler_free(&s);
  /* Without the option the bone lengths are free: almost no draw matches a body. */
  c.keep_bone_lengths = 0;
  CU_ASSERT_EQUAL_FATAL(dp_sampler_init(&s, &c), 0);
  d = draw_many(&s, 50, 0);
  int matched = 0;
  for (size_t i = 0; i < 50; i++) matched += matching_body(train, N, d + i * TJ * 3, 2e-3) >= 0;
  CU_ASSERT(matched < 5);
  free(d);
  dp_sampler_free(&s);
  free(train);
}

/* Rejection: a pose is redrawn while two non-adjacent bones come closer than 2r. */
static void test_capsule_rejection(void) {
  enum { J = 5 };
  static const int parent[J] = {-1, 0, 1, 0, 3}, order[J] = {0, 1, 2, 3, 4};
  /* Two arms: (0,0,0)-(100,0,0)-(100,100,0) and (0,0,0)-(-100,0,0)-(-100,100,0); the
   * closest non-adjacent bones are 100 mm apart. */
  const float pose[J * 3] = {0, 0, 0, 100, 0, 0, 100, 100, 0, -100, 0, 0, -100, 100, 0};
  dp_sampler_config c;
  memset(&c, 0, sizeof c);
  c.n_joints = J;
  c.parent = parent;
  c.order = order;
  c.n = 1;
  c.poses = pose;
  c.bandwidth_scale = 1;
  c.seed = 4;
  c.max_attempts = 1;
  dp_sampler free_s, cap_s, one_s;
  CU_ASSERT_EQUAL_FATAL(dp_sampler_init(&free_s, &c), 0);
  c.capsule_radius_mm = 45; /* 2r = 90 */
  CU_ASSERT_EQUAL_FATAL(dp_sampler_init(&one_s, &c), 0); /* max_attempts 1: never redraws */
  c.max_attempts = 200;
  CU_ASSERT_EQUAL_FATAL(dp_sampler_init(&cap_s, &c), 0);
  CU_ASSERT_FALSE(dp_pose_interpenetrates(pose, parent, J, 45));
  for (int j = 0; j < J; j++) {
    double b = j == 0 ? 0 : 20;
    free_s.bandwidth[j] = cap_s.bandwidth[j] = one_s.bandwidth[j] = b;
  }
  int total_rej = 0, bad = 0, mismatch = 0, one_bad = 0;
  for (uint64_t i = 0; i < 400; i++) {
    float a[J * 3], b[J * 3], o[J * 3];
    int ra, rb, ro;
    dp_sampler_draw(&free_s, i, a, &ra);
    dp_sampler_draw(&cap_s, i, b, &rb);
    dp_sampler_draw(&one_s, i, o, &ro);
    CU_ASSERT_EQUAL(ra, 0);
    total_rej += rb;
    if (rb < c.max_attempts - 1 && dp_pose_interpenetrates(b, parent, J, 45)) bad++;
    /* The first attempt is the unconstrained draw: it is kept iff it is clean. */
    int first_clean = !dp_pose_interpenetrates(a, parent, J, 45);
    if (first_clean != (rb == 0)) mismatch++;
    if (rb == 0 && memcmp(a, b, sizeof a) != 0) mismatch++;
    if (ro != 0 || memcmp(a, o, sizeof a) != 0) one_bad++;
  }
  printf("\n  capsule: %d rejections over 400 draws\n", total_rej);
  CU_ASSERT(total_rej > 20);
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT_EQUAL(mismatch, 0);
  CU_ASSERT_EQUAL(one_bad, 0);
  dp_sampler_free(&free_s);
  dp_sampler_free(&cap_s);
  dp_sampler_free(&one_s);
}

static void test_init_rejects_empty_training_set(void) {
  dp_sampler_config c = base_config(0, NULL);
  dp_sampler s;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_sampler_init(&s, &c), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "no poses"));
  dp_error_clear();
  dp_sampler_free(&s);
}

/* ---- canonical orientation ------------------------------------------------------------------ */

static double dist3(const float *p, int i, int j) {
  double dx = (double)p[3 * i] - p[3 * j], dy = (double)p[3 * i + 1] - p[3 * j + 1],
         dz = (double)p[3 * i + 2] - p[3 * j + 2];
  return sqrt(dx * dx + dy * dy + dz * dz);
}

static double det3(const float *p, int o, int a, int b, int c) {
  double u[3], v[3], w[3];
  for (int k = 0; k < 3; k++) {
    u[k] = (double)p[3 * a + k] - p[3 * o + k];
    v[k] = (double)p[3 * b + k] - p[3 * o + k];
    w[k] = (double)p[3 * c + k] - p[3 * o + k];
  }
  return u[0] * (v[1] * w[2] - v[2] * w[1]) - u[1] * (v[0] * w[2] - v[2] * w[0]) +
         u[2] * (v[0] * w[1] - v[1] * w[0]);
}

static void test_canonical_orientation_random_poses(void) {
  enum { J = 15, L = 9, R = 10 };
  int bad = 0;
  for (uint64_t t = 0; t < 200; t++) {
    dp_rng r;
    dp_rng_init(&r, 11, DP_STREAM_TEST, t, 0);
    float p[J * 3], q[J * 3];
    for (int i = 0; i < J * 3; i++) p[i] = (float)(300 * dp_rng_normal(&r) + (i % 3 == 1 ? 900 : 200));
    memcpy(q, p, sizeof p);
    dp_canonical_orientation(q, J, L, R);
    double hx = (double)p[3 * R] - p[3 * L], hz = (double)p[3 * R + 2] - p[3 * L + 2];
    double gx = (double)q[3 * R] - q[3 * L], gz = (double)q[3 * R + 2] - q[3 * L + 2];
    int ok = fabs(gz) < 1e-3 && gx > 0 && fabs(gx - hypot(hx, hz)) < 1e-3;
    for (int j = 0; j < J; j++) ok &= q[3 * j + 1] == p[3 * j + 1]; /* Y untouched, exactly */
    for (int i = 0; i < J; i++)
      for (int j = i + 1; j < J; j++) ok &= fabs(dist3(p, i, j) - dist3(q, i, j)) < 2e-3;
    /* A rotation, not a mirror: oriented volumes keep their sign and size. */
    double d0 = det3(p, 0, 1, 2, 3), d1 = det3(q, 0, 1, 2, 3);
    ok &= fabs(d0 - d1) < 1e-5 * fabs(d0) + 1e-3;
    /* Idempotent: a canonical pose stays put. */
    float q2[J * 3];
    memcpy(q2, q, sizeof q);
    dp_canonical_orientation(q2, J, L, R);
    for (int i = 0; i < J * 3; i++) ok &= fabs(q2[i] - q[i]) < 1e-3;
    if (!ok) bad++;
  }
  CU_ASSERT_EQUAL(bad, 0);
}

static void test_canonical_orientation_hand_cases(void) {
  /* joints: 0 = l, 1 = r, 2 = a marker. */
  /* Hips along -x: a half turn, x and z negate. */
  float p[9] = {1, 5, 0, -1, 6, 0, 2, 7, 3};
  dp_canonical_orientation(p, 3, 0, 1);
  const float w1[9] = {-1, 5, 0, 1, 6, 0, -2, 7, -3};
  for (int i = 0; i < 9; i++) CU_ASSERT_DOUBLE_EQUAL(p[i], w1[i], 1e-6);
  /* Hips along +z: a quarter turn about Y taking +z to +x, hence +x to -z. */
  float q[9] = {0, 0, 0, 0, 1, 2, 1, 3, 0};
  dp_canonical_orientation(q, 3, 0, 1);
  const float w2[9] = {0, 0, 0, 2, 1, 0, 0, 3, -1};
  for (int i = 0; i < 9; i++) CU_ASSERT_DOUBLE_EQUAL(q[i], w2[i], 1e-6);
  /* Already canonical: unchanged. */
  float c[9] = {-100, 900, 0, 100, 910, 0, 5, 1500, 40};
  float c0[9];
  memcpy(c0, c, sizeof c);
  dp_canonical_orientation(c, 3, 0, 1);
  for (int i = 0; i < 9; i++) CU_ASSERT_DOUBLE_EQUAL(c[i], c0[i], 1e-4);
  /* Hips one above the other: no facing, nothing changes. */
  float v[9] = {3, 0, 4, 3, 10, 4, 1, 2, 3};
  float v0[9];
  memcpy(v0, v, sizeof v);
  dp_canonical_orientation(v, 3, 0, 1);
  CU_ASSERT_EQUAL(memcmp(v, v0, sizeof v), 0);
}

/* ---- segment distance ---------------------------------------------------------------------------- */

static double seg(double ax, double ay, double az, double bx, double by, double bz, double cx, double cy,
                  double cz, double dx, double dy, double dz) {
  const double p0[3] = {ax, ay, az}, p1[3] = {bx, by, bz}, q0[3] = {cx, cy, cz}, q1[3] = {dx, dy, dz};
  return dp_segment_distance(p0, p1, q0, q1);
}

static void test_segment_distance_hand_cases(void) {
  const double e = 1e-12;
  /* Parallel, side by side. */
  CU_ASSERT_DOUBLE_EQUAL(seg(0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0), 1, e);
  /* Parallel, overlapping in x, offset 2 in y. */
  CU_ASSERT_DOUBLE_EQUAL(seg(0, 0, 0, 4, 0, 0, 1, 2, 0, 3, 2, 0), 2, e);
  /* Parallel where p's start is past q's range (the closest points are p0 and q1). */
  CU_ASSERT_DOUBLE_EQUAL(seg(5, 0, 0, 9, 0, 0, 0, 3, 0, 2, 3, 0), sqrt(9 + 9), e);
  /* Collinear and disjoint: the gap between the ends. */
  CU_ASSERT_DOUBLE_EQUAL(seg(0, 0, 0, 1, 0, 0, 3, 0, 0, 5, 0, 0), 2, e);
  CU_ASSERT_DOUBLE_EQUAL(seg(3, 0, 0, 5, 0, 0, 0, 0, 0, 1, 0, 0), 2, e);
  /* Anti-parallel, overlapping. */
  CU_ASSERT_DOUBLE_EQUAL(seg(0, 0, 0, 4, 0, 0, 5, 1, 0, 2, 1, 0), 1, e);
  /* Collinear and overlapping: they touch. */
  CU_ASSERT_DOUBLE_EQUAL(seg(0, 0, 0, 4, 0, 0, 2, 0, 0, 6, 0, 0), 0, e);
  /* Crossing. */
  CU_ASSERT_DOUBLE_EQUAL(seg(-1, 0, 0, 1, 0, 0, 0, -1, 0, 0, 1, 0), 0, e);
  /* Skew, interior closest points. */
  CU_ASSERT_DOUBLE_EQUAL(seg(-1, 0, 0, 1, 0, 0, 0, -1, 2, 0, 1, 2), 2, e);
  /* Skew with both ends clamped: p1 = (1,0,0) and (3,0,1) on q. */
  CU_ASSERT_DOUBLE_EQUAL(seg(0, 0, 0, 1, 0, 0, 3, -1, 1, 3, 1, 1), sqrt(5), e);
  /* Endpoint to endpoint: p1 = (1,0,0) and q0 = (2,1,0). */
  CU_ASSERT_DOUBLE_EQUAL(seg(0, 0, 0, 1, 0, 0, 2, 1, 0, 3, 5, 0), sqrt(2), e);
  /* Touching at one end (a joint shared by two bones). */
  CU_ASSERT_DOUBLE_EQUAL(seg(0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 7, 0), 0, e);
  /* Degenerate: point-point, point-segment (interior and past the end), both orders. */
  CU_ASSERT_DOUBLE_EQUAL(seg(1, 2, 3, 1, 2, 3, 4, 6, 3, 4, 6, 3), 5, e);
  CU_ASSERT_DOUBLE_EQUAL(seg(0, 1, 0, 0, 1, 0, -1, 0, 0, 1, 0, 0), 1, e);
  CU_ASSERT_DOUBLE_EQUAL(seg(-1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0), 1, e);
  CU_ASSERT_DOUBLE_EQUAL(seg(3, 4, 0, 3, 4, 0, -1, 0, 0, 1, 0, 0), sqrt(20), e);
  CU_ASSERT_DOUBLE_EQUAL(seg(-1, 0, 0, 1, 0, 0, 3, 4, 0, 3, 4, 0), sqrt(20), e);
  CU_ASSERT_DOUBLE_EQUAL(seg(-1, 0, 0, 1, 0, 0, -4, -4, 0, -4, -4, 0), 5, e);
}

/* Reference: distance from a point to a segment, written out independently. */
static double point_seg(const double *x, const double *a, const double *b) {
  double d[3], w[3], dd = 0, wd = 0;
  for (int k = 0; k < 3; k++) d[k] = b[k] - a[k], w[k] = x[k] - a[k], dd += d[k] * d[k], wd += w[k] * d[k];
  double t = dd > 0 ? wd / dd : 0;
  if (t < 0) t = 0;
  if (t > 1) t = 1;
  double s = 0;
  for (int k = 0; k < 3; k++) {
    double v = a[k] + t * d[k] - x[k];
    s += v * v;
  }
  return sqrt(s);
}

/* min over s of point_seg(p(s), q), by golden-section search refined from a grid: the
 * function of s is convex, so this converges to the true minimum. */
static double ref_seg(const double *p0, const double *p1, const double *q0, const double *q1) {
  double best = INFINITY, bs = 0;
  const int G = 200;
  for (int i = 0; i <= G; i++) {
    double s = (double)i / G, x[3];
    for (int k = 0; k < 3; k++) x[k] = p0[k] + s * (p1[k] - p0[k]);
    double v = point_seg(x, q0, q1);
    if (v < best) best = v, bs = s;
  }
  double lo = fmax(0, bs - 1.0 / G), hi = fmin(1, bs + 1.0 / G);
  const double gr = (sqrt(5.0) - 1) / 2;
  for (int it = 0; it < 100; it++) {
    double s1 = hi - gr * (hi - lo), s2 = lo + gr * (hi - lo), x1[3], x2[3];
    for (int k = 0; k < 3; k++) x1[k] = p0[k] + s1 * (p1[k] - p0[k]), x2[k] = p0[k] + s2 * (p1[k] - p0[k]);
    if (point_seg(x1, q0, q1) < point_seg(x2, q0, q1)) hi = s2;
    else lo = s1;
  }
  double x[3];
  for (int k = 0; k < 3; k++) x[k] = p0[k] + 0.5 * (lo + hi) * (p1[k] - p0[k]);
  return fmin(best, point_seg(x, q0, q1));
}

static void test_segment_distance_random_against_reference(void) {
  int bad = 0;
  for (uint64_t t = 0; t < 2000; t++) {
    dp_rng r;
    dp_rng_init(&r, 12, DP_STREAM_TEST, t, 0);
    double p0[3], p1[3], q0[3], q1[3];
    for (int k = 0; k < 3; k++) {
      p0[k] = 500 * dp_rng_normal(&r);
      p1[k] = 500 * dp_rng_normal(&r);
      q0[k] = 500 * dp_rng_normal(&r);
      q1[k] = 500 * dp_rng_normal(&r);
    }
    int kind = (int)(t % 5);
    if (kind == 1) /* exactly parallel */
      for (int k = 0; k < 3; k++) q1[k] = q0[k] + 0.7 * (p1[k] - p0[k]);
    if (kind == 2) /* nearly parallel */
      for (int k = 0; k < 3; k++) q1[k] = q0[k] - 1.3 * (p1[k] - p0[k]) + 1e-6 * dp_rng_normal(&r);
    if (kind == 3) /* p is a point */
      memcpy(p1, p0, sizeof p0);
    if (kind == 4 && t % 2) /* near-collinear and overlapping */
      for (int k = 0; k < 3; k++) {
        q0[k] = p0[k] + 0.3 * (p1[k] - p0[k]) + 1e-3 * dp_rng_normal(&r);
        q1[k] = p0[k] + 1.6 * (p1[k] - p0[k]);
      }
    double want = fmin(ref_seg(p0, p1, q0, q1), ref_seg(q0, q1, p0, p1));
    double got = dp_segment_distance(p0, p1, q0, q1), sym = dp_segment_distance(q1, q0, p1, p0);
    if (fabs(got - want) > 1e-6 * (1 + want) || fabs(sym - want) > 1e-6 * (1 + want)) {
      if (bad < 5)
        printf("\n  case %llu (kind %d): got %.9g / %.9g, reference %.9g\n", (unsigned long long)t, kind, got,
               sym, want);
      bad++;
    }
  }
  CU_ASSERT_EQUAL(bad, 0);
}

/* ---- interpenetration ---------------------------------------------------------------------------------- */

static void test_pose_interpenetrates(void) {
  /* A U: 0-1-2-3 with bones (0,1) and (2,3) parallel, 50 mm apart. */
  const int parent[4] = {-1, 0, 1, 2};
  const float u[12] = {0, 0, 0, 100, 0, 0, 100, 50, 0, 0, 50, 0};
  CU_ASSERT_FALSE(dp_pose_interpenetrates(u, parent, 4, 24)); /* 48 < 50 */
  CU_ASSERT_FALSE(dp_pose_interpenetrates(u, parent, 4, 25)); /* exactly 2r apart: not closer */
  CU_ASSERT_TRUE(dp_pose_interpenetrates(u, parent, 4, 26));  /* 52 > 50 */
  CU_ASSERT_FALSE(dp_pose_interpenetrates(u, parent, 4, 0));
  /* Adjacent bones always touch at their shared joint; they never count. */
  const int star_parent[4] = {-1, 0, 0, 0};
  const float star[12] = {0, 0, 0, 100, 0, 0, 100, 1, 0, 100, 0, 1};
  CU_ASSERT_FALSE(dp_pose_interpenetrates(star, star_parent, 4, 1000));
  const float chain[9] = {0, 0, 0, 100, 0, 0, 0, 1, 0}; /* folded back on itself */
  CU_ASSERT_FALSE(dp_pose_interpenetrates(chain, parent, 3, 1000));
  /* Two bones that cross without sharing a joint. */
  const int xp[4] = {-1, 0, -1, 2};
  const float cross[12] = {-1, 0, 0, 1, 0, 0, 0, -1, 0, 0, 1, 0};
  CU_ASSERT_TRUE(dp_pose_interpenetrates(cross, xp, 4, 0.001));
  /* Bones two steps apart in the tree are not adjacent: 0->1->2, 0->3->4. Bone (0,1)
   * runs from the origin to (10,0,0), bone (3,4) is the vertical at x = -10: 10 mm apart
   * (and so are (1,2) and (0,3)); (1,2) and (3,4) are 20 mm apart. */
  const int fp[5] = {-1, 0, 1, 0, 3};
  const float fork[15] = {0, 0, 0, 10, 0, 0, 10, 100, 0, -10, 0, 0, -10, 100, 0};
  CU_ASSERT_TRUE(dp_pose_interpenetrates(fork, fp, 5, 5.1));  /* 10 < 10.2 */
  CU_ASSERT_FALSE(dp_pose_interpenetrates(fork, fp, 5, 4.9)); /* 10 > 9.8 */
}

/* ---- coverage ---------------------------------------------------------------------------------------- */

static void test_nearest_mean_joint_distance_matches_naive(void) {
  enum { J = 15, NQ = 40, NR = 600 };
  float *Q = malloc(NQ * J * 3 * sizeof *Q), *R = malloc(NR * J * 3 * sizeof *R);
  dp_rng r;
  dp_rng_init(&r, 13, DP_STREAM_TEST, 0, 0);
  for (int i = 0; i < NQ * J * 3; i++) Q[i] = (float)(200 * dp_rng_normal(&r));
  for (int i = 0; i < NR * J * 3; i++) R[i] = (float)(200 * dp_rng_normal(&r));
  /* Query 7 is reference 321 exactly; query 8 is reference 5 plus a small shift. */
  memcpy(Q + 7 * J * 3, R + 321 * J * 3, J * 3 * sizeof *Q);
  for (int i = 0; i < J * 3; i++) Q[8 * J * 3 + i] = R[5 * J * 3 + i] + (i % 3 == 0 ? 3.0f : 0.0f);
  const size_t q0 = 5, q1 = 35;
  double best[NQ];
  dp_nearest_mean_joint_distance(Q, q0, q1, R, NR, J, best);
  int bad = 0;
  for (size_t q = q0; q < q1; q++) {
    double want = INFINITY;
    for (int k = 0; k < NR; k++) {
      double s = 0;
      for (int j = 0; j < J; j++) {
        double dx = (double)Q[(q * J + j) * 3] - R[(k * J + j) * 3];
        double dy = (double)Q[(q * J + j) * 3 + 1] - R[(k * J + j) * 3 + 1];
        double dz = (double)Q[(q * J + j) * 3 + 2] - R[(k * J + j) * 3 + 2];
        s += sqrt(dx * dx + dy * dy + dz * dz);
      }
      if (s / J < want) want = s / J;
    }
    /* The module subtracts float coordinates in float (relative error ~1e-8 of the
     * distance); a wrong candidate would be off by far more. */
    if (fabs(best[q - q0] - want) > 1e-6 * want) {
      printf("\n  query %zu: got %.12g, naive %.12g", q, best[q - q0], want);
      bad++;
    }
  }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT_EQUAL(best[7 - q0], 0.0);
  CU_ASSERT_DOUBLE_EQUAL(best[8 - q0], 3.0, 1e-5);
  free(Q);
  free(R);
}

/* Candidates whose partial sums pass the best so far early or late: the answer is the
 * true minimum (29.9 / 3), found last, after candidates abandoned at different joints. */
static void test_nearest_mean_joint_distance_hand_case(void) {
  const float Q[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
  const float R[5 * 9] = {
      0, 0, 0, 0, 0, 0, 100, 0, 0,   /* sum 100 */
      10, 0, 0, 0, 10, 0, 0, 0, 10,  /* sum 30 */
      0, 0, 0, 0, 0, 0, 0, 31, 0,    /* sum 31: abandoned at the last joint */
      40, 0, 0, 0, 0, 0, 0, 0, 0,    /* sum 40: abandoned at the first joint */
      0, 0, 0, 0, 0, 29.9f, 0, 0, 0, /* sum 29.9: the nearest */
  };
  double best = -1;
  dp_nearest_mean_joint_distance(Q, 0, 1, R, 5, 3, &best);
  CU_ASSERT_DOUBLE_EQUAL(best, 29.9 / 3, 1e-6);
  dp_nearest_mean_joint_distance(Q, 0, 1, R, 2, 3, &best); /* only the first two */
  CU_ASSERT_DOUBLE_EQUAL(best, 10.0, 1e-12);
}

static void test_center_poses(void) {
  float p[2 * 3 * 3] = {1, 2, 3, 4, 6, 8, 0, 0, 0, /* pose 0 */ 10, 10, 10, 11, 12, 13, -1, -2, -3};
  dp_center_poses(p, 2, 3, 1);
  const float want[18] = {-3, -4, -5, 0, 0, 0, -4, -6, -8, -1, -2, -3, 0, 0, 0, -12, -14, -16};
  for (int i = 0; i < 18; i++) CU_ASSERT_EQUAL(p[i], want[i]);
}

static void test_median(void) {
  double a[] = {5, 1, 3};
  CU_ASSERT_EQUAL(dp_median(a, 3), 3.0);
  CU_ASSERT(a[0] == 1 && a[1] == 3 && a[2] == 5); /* sorted in place */
  double b[] = {4, 1, 3, 2};
  CU_ASSERT_EQUAL(dp_median(b, 4), 2.5);
  double c[] = {7};
  CU_ASSERT_EQUAL(dp_median(c, 1), 7.0);
  double d[] = {-2, 10};
  CU_ASSERT_EQUAL(dp_median(d, 2), 4.0);
  double e[] = {2, 2, 9, 2, -1};
  CU_ASSERT_EQUAL(dp_median(e, 5), 2.0);
  double f[] = {1e300, -1e300, 0, 3, 3, 100};
  CU_ASSERT_EQUAL(dp_median(f, 6), 3.0);
  CU_ASSERT(isnan(dp_median(NULL, 0)));
}

DP_TEST_MAIN("sampler", DP_TEST(test_one_pose_is_pose_plus_gaussian), DP_TEST(test_bandwidth_is_silverman_pooled),
             DP_TEST(test_many_poses_mean_and_variance), DP_TEST(test_draws_are_pure_functions_of_seed_and_index),
             DP_TEST(test_root_at_origin_without_root_kde), DP_TEST(test_keep_bone_lengths_uses_one_real_body),
             DP_TEST(test_capsule_rejection), DP_TEST(test_init_rejects_empty_training_set),
             DP_TEST(test_canonical_orientation_random_poses), DP_TEST(test_canonical_orientation_hand_cases),
             DP_TEST(test_segment_distance_hand_cases), DP_TEST(test_segment_distance_random_against_reference),
             DP_TEST(test_pose_interpenetrates), DP_TEST(test_nearest_mean_joint_distance_matches_naive),
             DP_TEST(test_nearest_mean_joint_distance_hand_case),
             DP_TEST(test_center_poses), DP_TEST(test_median))
