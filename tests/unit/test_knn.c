/* test_knn.c - the kd-tree must agree with brute force bit for bit: k-th neighbour
 * distances and strict radius counts, on data full of ties and duplicates (integer
 * grids, and grids scaled so the distances round), d = 3 and 6, k = 1 and 4, L2 and
 * max-norm. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/knn.h"
#include "dp_test.h"

static uint64_t rng_state;
static uint64_t next_u64(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static double next_unit(void) { return ((double)(next_u64() >> 11) + 0.5) * 0x1.0p-53; }

/* n points on a grid of g values per axis, coordinate = offset + scale * integer:
 * with few cells many points coincide and most distances tie. */
static double *grid_points(size_t n, int d, int g, double scale, double offset, uint64_t seed) {
  rng_state = seed;
  double *p = malloc(n * (size_t)d * sizeof *p);
  for (size_t i = 0; i < n * (size_t)d; i++)
    p[i] = offset + scale * (double)(next_u64() % (uint64_t)g);
  return p;
}

static double *uniform_points(size_t n, int d, uint64_t seed) {
  rng_state = seed;
  double *p = malloc(n * (size_t)d * sizeof *p);
  for (size_t i = 0; i < n * (size_t)d; i++) p[i] = next_unit();
  return p;
}

/* Full range through the kd-tree (leaf order), a small block (index order) and a
 * large block: all must equal brute force exactly. */
static void check_kth_same(const double *pts, size_t n, int d, int k, dp_norm norm) {
  double *eb = malloc(n * sizeof *eb), *ek = malloc(n * sizeof *ek);
  dp_kdtree *t = dp_kdtree_build(pts, n, d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  CU_ASSERT_EQUAL(dp_brute_kth(pts, n, d, k, norm, 0, n, eb), 0);
  CU_ASSERT_EQUAL(dp_kdtree_kth(t, k, norm, 0, n, ek), 0);
  CU_ASSERT(memcmp(eb, ek, n * sizeof *eb) == 0);
  size_t a = n / 3, b = a + 37 < n ? a + 37 : n;
  memset(ek, 0, n * sizeof *ek);
  CU_ASSERT_EQUAL(dp_kdtree_kth(t, k, norm, a, b, ek), 0);
  CU_ASSERT(memcmp(eb + a, ek, (b - a) * sizeof *eb) == 0);
  CU_ASSERT_EQUAL(dp_kdtree_kth(t, k, norm, a, n, ek), 0);
  CU_ASSERT(memcmp(eb + a, ek, (n - a) * sizeof *eb) == 0);
  dp_kdtree_free(t);
  free(eb);
  free(ek);
}

static void run_kth_cases(const double *pts, size_t n, int d) {
  const int ks[] = {1, 4};
  for (int ik = 0; ik < 2; ik++) {
    check_kth_same(pts, n, d, ks[ik], DP_NORM_L2);
    check_kth_same(pts, n, d, ks[ik], DP_NORM_MAX);
  }
}

static void test_kth_grid_d3(void) {
  double *p = grid_points(3000, 3, 12, 1.0, 0.0, 11); /* 1728 cells: many duplicates */
  run_kth_cases(p, 3000, 3);
  free(p);
}

static void test_kth_grid_d6(void) {
  double *p = grid_points(3000, 6, 4, 1.0, 0.0, 12); /* 4096 cells, ties everywhere */
  run_kth_cases(p, 3000, 6);
  free(p);
}

/* A scaled, offset grid: coordinates like 1000.3 + 0.1 i are inexact, so tied real
 * distances round apart or together, which is where a sloppy bound would slip. */
static void test_kth_rounded_grid(void) {
  double *p3 = grid_points(2500, 3, 9, 0.1, 1000.3, 13);
  double *p6 = grid_points(2500, 6, 3, 0.1, -77.7, 14);
  run_kth_cases(p3, 2500, 3);
  run_kth_cases(p6, 2500, 6);
  free(p3);
  free(p6);
}

/* On an AVX2 machine the search runs a 4-wide kernel; DP_KNN_NO_AVX2 selects the
 * portable 2-wide one, which must give the same bits too. */
static void test_kth_portable_kernel(void) {
  double *p3 = grid_points(2000, 3, 9, 0.1, 1000.3, 15);
  double *p6 = grid_points(2000, 6, 3, 1.0, 0.0, 16);
  setenv("DP_KNN_NO_AVX2", "1", 1);
  run_kth_cases(p3, 2000, 3);
  run_kth_cases(p6, 2000, 6);
  unsetenv("DP_KNN_NO_AVX2");
  free(p3);
  free(p6);
}

static void test_kth_continuous_other_dims(void) {
  for (int d = 1; d <= DP_KNN_MAX_DIM; d++) {
    double *p = uniform_points(1500, d, 100 + (uint64_t)d);
    run_kth_cases(p, 1500, d);
    free(p);
  }
}

/* Tiny sets: k = n - 1 and all points identical. */
static void test_kth_small_and_identical(void) {
  double p[5 * 3] = {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 1, 1};
  check_kth_same(p, 5, 3, 4, DP_NORM_L2);
  check_kth_same(p, 5, 3, 4, DP_NORM_MAX);
  double same[100 * 3];
  for (int i = 0; i < 300; i++) same[i] = 2.5;
  check_kth_same(same, 100, 3, 4, DP_NORM_L2);
  double e[100];
  dp_kdtree *t = dp_kdtree_build(same, 100, 3);
  CU_ASSERT_EQUAL(dp_kdtree_kth(t, 4, DP_NORM_L2, 0, 100, e), 0);
  CU_ASSERT_EQUAL(e[17], 0.0); /* duplicates are neighbours at distance 0 */
  dp_kdtree_free(t);
}

/* Radii: each point's own k-th distance (the KSG use, ties by construction), exact
 * grid distances and their float neighbours. */
static void check_counts_same(const double *pts, size_t n, int d, dp_norm norm) {
  dp_kdtree *t = dp_kdtree_build(pts, n, d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  double *eps = malloc(n * sizeof *eps), *r = malloc(n * sizeof *r);
  size_t *cnt = malloc(n * sizeof *cnt);
  CU_ASSERT_EQUAL(dp_kdtree_kth(t, 3, norm, 0, n, eps), 0);
  const double fixed[] = {0.0, 0.05, 0.1, 1.0, sqrt(2.0), sqrt(3.0), 2.0, 0.1 * sqrt(2.0),
                          0.30000000000000004, 1e9, -1.0};
  size_t bad = 0;
  for (size_t i = 0; i < n; i += 7) {
    double radii[3 + sizeof fixed / sizeof fixed[0]];
    int nr = 0;
    radii[nr++] = eps[i];
    radii[nr++] = nextafter(eps[i], INFINITY);
    radii[nr++] = nextafter(eps[i], 0.0);
    for (size_t f = 0; f < sizeof fixed / sizeof fixed[0]; f++) radii[nr++] = fixed[f];
    for (int j = 0; j < nr; j++)
      bad += dp_kdtree_count_within(t, norm, i, radii[j]) !=
             dp_brute_count_within(pts, n, d, norm, i, radii[j]);
  }
  CU_ASSERT_EQUAL(bad, 0);
  /* The batch form, in tree order, must give the same counts. */
  for (size_t i = 0; i < n; i++) r[i] = eps[i];
  CU_ASSERT_EQUAL(dp_kdtree_count_range(t, norm, 0, n, r, cnt), 0);
  bad = 0;
  for (size_t i = 0; i < n; i += 3) bad += cnt[i] != dp_brute_count_within(pts, n, d, norm, i, r[i]);
  CU_ASSERT_EQUAL(bad, 0);
  /* ... and so must a block of it (the stage hands out blocks) */
  size_t a = n / 3, m = 50;
  CU_ASSERT_EQUAL(dp_kdtree_count_range(t, norm, a, a + m, r + a, cnt + a), 0);
  bad = 0;
  for (size_t i = a; i < a + m; i++) bad += cnt[i] != dp_brute_count_within(pts, n, d, norm, i, r[i]);
  CU_ASSERT_EQUAL(bad, 0);
  /* k-th distance 3 means fewer than 3 points strictly inside it. */
  bad = 0;
  for (size_t i = 0; i < n; i++) bad += cnt[i] >= 3;
  CU_ASSERT_EQUAL(bad, 0);
  dp_kdtree_free(t);
  free(eps);
  free(r);
  free(cnt);
}

static void test_counts_grid(void) {
  double *p3 = grid_points(2000, 3, 10, 1.0, 0.0, 21);
  double *p6 = grid_points(2000, 6, 4, 1.0, 0.0, 22);
  double *q3 = grid_points(2000, 3, 9, 0.1, 1000.3, 23);
  double *q6 = grid_points(2000, 6, 3, 0.1, -77.7, 24);
  for (int norm = 0; norm < 2; norm++) {
    check_counts_same(p3, 2000, 3, (dp_norm)norm);
    check_counts_same(p6, 2000, 6, (dp_norm)norm);
    check_counts_same(q3, 2000, 3, (dp_norm)norm);
    check_counts_same(q6, 2000, 6, (dp_norm)norm);
  }
  free(p3);
  free(p6);
  free(q3);
  free(q6);
}

static void test_dist_definition(void) {
  double a[3] = {1, 2, 3}, b[3] = {4, 6, 3};
  CU_ASSERT_EQUAL(dp_knn_dist(a, b, 3, DP_NORM_L2), 5.0);
  CU_ASSERT_EQUAL(dp_knn_dist(a, b, 3, DP_NORM_MAX), 4.0);
  CU_ASSERT_EQUAL(dp_knn_dist(a, a, 3, DP_NORM_L2), 0.0);
}

static void test_errors(void) {
  double p[4 * 3] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
  double e[4];
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_brute_kth(p, 4, 3, 4, DP_NORM_L2, 0, 4, e), -1); /* k >= n */
  CU_ASSERT(strstr(dp_error_message(), "k = 4") != NULL);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_brute_kth(p, 4, 3, 0, DP_NORM_L2, 0, 4, e), -1);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_brute_kth(p, 4, 3, 1, DP_NORM_L2, 2, 5, e), -1);
  dp_error_clear();
  dp_kdtree *t = dp_kdtree_build(p, 4, 3);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  CU_ASSERT_EQUAL(dp_kdtree_kth(t, 4, DP_NORM_MAX, 0, 4, e), -1);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_kdtree_kth(t, DP_KNN_MAX_K + 1, DP_NORM_MAX, 0, 4, e), -1);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_kdtree_count_within(t, DP_NORM_L2, 4, 1.0), SIZE_MAX);
  CU_ASSERT(dp_error_pending());
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_kdtree_count_within(t, DP_NORM_L2, 0, NAN), 0);
  dp_kdtree_free(t);
  p[5] = NAN;
  CU_ASSERT_PTR_NULL(dp_kdtree_build(p, 4, 3));
  CU_ASSERT(strstr(dp_error_message(), "point 1 coordinate 2") != NULL);
  dp_error_clear();
  p[5] = 0;
  CU_ASSERT_PTR_NULL(dp_kdtree_build(p, 4, DP_KNN_MAX_DIM + 1));
  dp_error_clear();
  CU_ASSERT_PTR_NULL(dp_kdtree_build(p, 0, 3));
  dp_error_clear();
}

DP_TEST_MAIN("knn", DP_TEST(test_dist_definition), DP_TEST(test_kth_grid_d3),
             DP_TEST(test_kth_grid_d6), DP_TEST(test_kth_rounded_grid),
             DP_TEST(test_kth_portable_kernel),
             DP_TEST(test_kth_continuous_other_dims), DP_TEST(test_kth_small_and_identical),
             DP_TEST(test_counts_grid), DP_TEST(test_errors))
