/* test_entropy.c - the estimators against closed forms: digamma at known points, the
 * unit-ball volume, KL entropy of correlated Gaussians (d = 3, 6), Gaussian mutual
 * information by kl (H(x) + H(y) - H(x,y)) and by ksg; block partial sums adding up
 * to the whole; duplicates rejected with a clear message. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "depthpose/entropy.h"
#include "depthpose/error.h"
#include "dp_test.h"

static const double PI = 3.14159265358979323846;
static const double EULER_GAMMA = 0.57721566490153286061;

/* ---- a local fixed-seed Gaussian source (splitmix64 + Box-Muller) ---- */
static uint64_t rng_state;
static uint64_t next_u64(void) {
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static double next_unit(void) { return ((double)(next_u64() >> 11) + 0.5) * 0x1.0p-53; }
static double next_normal(void) {
  static int have;
  static double spare;
  if (have) {
    have = 0;
    return spare;
  }
  double r = sqrt(-2.0 * log(next_unit())), a = 2.0 * PI * next_unit();
  spare = r * sin(a);
  have = 1;
  return r * cos(a);
}

/* x = L z with L lower triangular (d x d, row-major): covariance L L^T, whose log
 * determinant is 2 sum ln L_ii. */
static double *gaussian(size_t n, int d, const double *L, uint64_t seed) {
  rng_state = seed;
  double *x = malloc(n * (size_t)d * sizeof *x), z[8];
  for (size_t i = 0; i < n; i++) {
    for (int j = 0; j < d; j++) z[j] = next_normal();
    for (int r = 0; r < d; r++) {
      double s = 0.0;
      for (int c = 0; c <= r; c++) s += L[r * d + c] * z[c];
      x[i * (size_t)d + (size_t)r] = s;
    }
  }
  return x;
}

static double gaussian_entropy(int d, const double *L) {
  double logdet = 0.0;
  for (int j = 0; j < d; j++) logdet += 2.0 * log(fabs(L[j * d + j]));
  return 0.5 * (d * log(2.0 * PI * exp(1.0)) + logdet);
}

static const double L3[9] = {1.5, 0, 0, 0.8, 1.2, 0, -0.5, 0.7, 2.0};
static const double L6[36] = {
    1.5, 0,    0,   0,   0,    0,    /* */
    0.8, 1.2,  0,   0,   0,    0,    /* */
    -0.5, 0.7, 2.0, 0,   0,    0,    /* */
    0.3, -0.4, 0.6, 1.1, 0,    0,    /* */
    0.9, 0.2, -0.3, 0.5, 1.7,  0,    /* */
    -0.2, 0.6, 0.4, -0.7, 0.3, 1.3};

/* ---- special functions ---- */
static void test_digamma_known_values(void) {
  CU_ASSERT_DOUBLE_EQUAL(dp_digamma(1.0), -0.5772156649015329, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(dp_digamma(0.5), -EULER_GAMMA - 2.0 * log(2.0), 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(dp_digamma(0.5), -1.9635100260214235, 1e-14);
  /* psi(10) = H_9 - gamma */
  double h9 = 0.0;
  for (int i = 1; i <= 9; i++) h9 += 1.0 / i;
  CU_ASSERT_DOUBLE_EQUAL(dp_digamma(10.0), h9 - EULER_GAMMA, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(dp_digamma(10.0), 2.251752589066721, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(dp_digamma(2.0), 1.0 - EULER_GAMMA, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(dp_digamma(0.25), -EULER_GAMMA - PI / 2 - 3 * log(2.0), 1e-13);
  /* the recurrence across the switch to the series at 6, and far out */
  const double xs[] = {1e-3, 0.7, 5.5, 5.999, 6.0, 6.5, 37.25, 1e3, 2e5};
  for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
    CU_ASSERT_DOUBLE_EQUAL(dp_digamma(xs[i] + 1.0) - dp_digamma(xs[i]), 1.0 / xs[i],
                           1e-12 * (1.0 + 1.0 / xs[i]));
  CU_ASSERT_DOUBLE_EQUAL(dp_digamma(1e6), log(1e6) - 0.5e-6 - 1.0 / 12e12, 1e-13);
  CU_ASSERT(isnan(dp_digamma(0.0)));
  CU_ASSERT(isnan(dp_digamma(-1.0)));
}

static void test_unit_ball_volume(void) {
  CU_ASSERT_DOUBLE_EQUAL(dp_log_unit_ball_volume(0), 0.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(dp_log_unit_ball_volume(1), log(2.0), 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(dp_log_unit_ball_volume(2), log(PI), 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(dp_log_unit_ball_volume(3), log(4.0 * PI / 3.0), 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(dp_log_unit_ball_volume(6), log(PI * PI * PI / 6.0), 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(dp_log_unit_ball_volume(7), log(16.0 * PI * PI * PI / 105.0), 1e-14);
}

/* ---- entropy of Gaussians ---- */
static void check_gaussian_entropy(int d, const double *L, uint64_t seed) {
  const size_t n = 20000;
  double *x = gaussian(n, d, L, seed), h;
  CU_ASSERT_EQUAL_FATAL(dp_entropy_estimate(x, n, d, DP_EST_KL, DP_SEARCH_KDTREE, 3, &h), 0);
  double truth = gaussian_entropy(d, L);
  printf("\n    d = %d: KL H = %.4f, closed form %.4f (rel. error %.2f%%) ", d, h, truth,
         100.0 * fabs(h - truth) / truth);
  CU_ASSERT(fabs(h - truth) <= 0.02 * fabs(truth));
  free(x);
}

static void test_kl_gaussian_d3(void) { check_gaussian_entropy(3, L3, 31); }
static void test_kl_gaussian_d6(void) { check_gaussian_entropy(6, L6, 32); }

/* ---- mutual information of two 3-D Gaussians, corr(x_a, y_a) = rho per axis ---- */
static void correlated_pair(size_t n, double rho, uint64_t seed, double *x, double *y) {
  rng_state = seed;
  double s = sqrt(1.0 - rho * rho);
  for (size_t i = 0; i < n; i++)
    for (int a = 0; a < 3; a++) {
      double u = next_normal(), v = next_normal();
      /* anisotropic scales: MI is scale-free, the estimators must be too */
      x[i * 3 + a] = (1.0 + a) * u;
      y[i * 3 + a] = (2.0 - 0.5 * a) * (rho * u + s * v);
    }
}

static void test_mi_gaussian_kl_and_ksg(void) {
  const size_t n = 20000;
  const double rho = 0.8, truth = -1.5 * log(1.0 - rho * rho);
  double *x = malloc(n * 3 * sizeof *x), *y = malloc(n * 3 * sizeof *y);
  double *xy = malloc(n * 6 * sizeof *xy);
  correlated_pair(n, rho, 41, x, y);
  for (size_t i = 0; i < n; i++) {
    memcpy(xy + i * 6, x + i * 3, 3 * sizeof *x);
    memcpy(xy + i * 6 + 3, y + i * 3, 3 * sizeof *y);
  }
  double hx, hy, hxy, mi_ksg;
  CU_ASSERT_EQUAL(dp_entropy_estimate(x, n, 3, DP_EST_KL, DP_SEARCH_KDTREE, 3, &hx), 0);
  CU_ASSERT_EQUAL(dp_entropy_estimate(y, n, 3, DP_EST_KL, DP_SEARCH_KDTREE, 3, &hy), 0);
  CU_ASSERT_EQUAL(dp_entropy_estimate(xy, n, 6, DP_EST_KL, DP_SEARCH_KDTREE, 3, &hxy), 0);
  CU_ASSERT_EQUAL(dp_mi_ksg_estimate(x, y, n, 3, 3, DP_SEARCH_KDTREE, 3, &mi_ksg), 0);
  double mi_kl = hx + hy - hxy;
  printf("\n    MI truth %.4f, kl %.4f (%.2f%%), ksg %.4f (%.2f%%) ", truth, mi_kl,
         100 * fabs(mi_kl - truth) / truth, mi_ksg, 100 * fabs(mi_ksg - truth) / truth);
  CU_ASSERT(fabs(mi_kl - truth) <= 0.05 * truth);
  CU_ASSERT(fabs(mi_ksg - truth) <= 0.05 * truth);
  free(x);
  free(y);
  free(xy);
}

/* Independent variables: ksg should be near 0 (it is nearly unbiased there). */
static void test_ksg_independent_near_zero(void) {
  const size_t n = 5000;
  double *x = malloc(n * 3 * sizeof *x), *y = malloc(n * 3 * sizeof *y), mi;
  correlated_pair(n, 0.0, 42, x, y);
  CU_ASSERT_EQUAL(dp_mi_ksg_estimate(x, y, n, 3, 3, DP_SEARCH_KDTREE, 4, &mi), 0);
  CU_ASSERT(fabs(mi) < 0.03);
  free(x);
  free(y);
}

/* ---- block partial sums, brute == kd-tree ---- */
static void test_partial_sums_add_up(void) {
  const size_t n = 3000;
  double *x = gaussian(n, 6, L6, 51);
  dp_nn_index *kd6 = dp_nn_index_build(x, n, 6, DP_SEARCH_KDTREE);
  dp_nn_index *bf6 = dp_nn_index_build(x, n, 6, DP_SEARCH_BRUTE);
  /* x's first 3 and last 3 coordinates as marginals */
  double *a = malloc(n * 3 * sizeof *a), *b = malloc(n * 3 * sizeof *b);
  for (size_t i = 0; i < n; i++) {
    memcpy(a + i * 3, x + i * 6, 3 * sizeof *a);
    memcpy(b + i * 3, x + i * 6 + 3, 3 * sizeof *b);
  }
  dp_nn_index *kda = dp_nn_index_build(a, n, 3, DP_SEARCH_KDTREE);
  dp_nn_index *kdb = dp_nn_index_build(b, n, 3, DP_SEARCH_KDTREE);
  dp_nn_index *bfa = dp_nn_index_build(a, n, 3, DP_SEARCH_BRUTE);
  dp_nn_index *bfb = dp_nn_index_build(b, n, 3, DP_SEARCH_BRUTE);
  CU_ASSERT_FATAL(kd6 && bf6 && kda && kdb && bfa && bfb);

  const size_t cuts[] = {0, 1, 2, 517, 518, 1600, 2999, 3000};
  const int ncut = (int)(sizeof cuts / sizeof cuts[0]);
  double whole_kl, whole_ksg, parts_kl = 0.0, parts_ksg = 0.0;
  CU_ASSERT_EQUAL(dp_entropy_partial(kd6, 3, 0, n, &whole_kl), 0);
  CU_ASSERT_EQUAL(dp_ksg_partial(kd6, kda, kdb, 3, 0, n, &whole_ksg), 0);
  for (int c = 0; c + 1 < ncut; c++) {
    double s_kd, s_bf, g_kd, g_bf;
    CU_ASSERT_EQUAL(dp_entropy_partial(kd6, 3, cuts[c], cuts[c + 1], &s_kd), 0);
    CU_ASSERT_EQUAL(dp_entropy_partial(bf6, 3, cuts[c], cuts[c + 1], &s_bf), 0);
    CU_ASSERT_EQUAL(dp_ksg_partial(kd6, kda, kdb, 3, cuts[c], cuts[c + 1], &g_kd), 0);
    CU_ASSERT_EQUAL(dp_ksg_partial(bf6, bfa, bfb, 3, cuts[c], cuts[c + 1], &g_bf), 0);
    CU_ASSERT(s_kd == s_bf); /* same eps, same summation order: same bits */
    CU_ASSERT(g_kd == g_bf);
    parts_kl += s_kd;
    parts_ksg += g_kd;
  }
  CU_ASSERT_DOUBLE_EQUAL(parts_kl, whole_kl, 1e-11 * fabs(whole_kl) + 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(parts_ksg, whole_ksg, 1e-12 * fabs(whole_ksg));
  /* the finalisers agree with the one-call estimates */
  double h, mi;
  CU_ASSERT_EQUAL(dp_entropy_estimate(x, n, 6, DP_EST_KL, DP_SEARCH_BRUTE, 3, &h), 0);
  CU_ASSERT_EQUAL(h, dp_kl_finish(whole_kl, n, 6, 3));
  CU_ASSERT_EQUAL(dp_mi_ksg_estimate(a, b, n, 3, 3, DP_SEARCH_BRUTE, 3, &mi), 0);
  CU_ASSERT_EQUAL(mi, dp_ksg_finish(whole_ksg, n, 3));
  CU_ASSERT_EQUAL(dp_entropy_estimate(x, n, 6, DP_EST_SEED, DP_SEARCH_KDTREE, 3, &h), 0);
  CU_ASSERT_EQUAL(h, dp_seed_finish(whole_kl, n));
  dp_nn_index_free(kd6);
  dp_nn_index_free(bf6);
  dp_nn_index_free(kda);
  dp_nn_index_free(kdb);
  dp_nn_index_free(bfa);
  dp_nn_index_free(bfb);
  free(x);
  free(a);
  free(b);
}

/* ---- errors ---- */
static void test_duplicate_point_is_an_error(void) {
  const size_t n = 500;
  double *x = gaussian(n, 3, L3, 61), h, mi;
  memcpy(x + 3 * 123, x + 3 * 400, 3 * sizeof *x);
  for (int m = 0; m < 2; m++) {
    dp_error_clear();
    CU_ASSERT_EQUAL(dp_entropy_estimate(x, n, 3, DP_EST_KL, (dp_search)m, 1, &h), -1);
    CU_ASSERT(strstr(dp_error_message(), "point 123") != NULL);
    CU_ASSERT(strstr(dp_error_message(), "duplicate") != NULL);
    CU_ASSERT(strstr(dp_error_message(), "jitter") != NULL);
  }
  dp_error_clear();
  double *y = gaussian(n, 3, L3, 62);
  memcpy(y + 3 * 123, y + 3 * 400, 3 * sizeof *y);
  CU_ASSERT_EQUAL(dp_mi_ksg_estimate(x, y, n, 3, 3, DP_SEARCH_KDTREE, 1, &mi), -1);
  CU_ASSERT(strstr(dp_error_message(), "duplicate") != NULL);
  dp_error_clear();
  /* with k = 2 the duplicate still has a non-zero 2nd-neighbour distance: fine */
  CU_ASSERT_EQUAL(dp_entropy_estimate(x, n, 3, DP_EST_KL, DP_SEARCH_KDTREE, 2, &h), 0);
  CU_ASSERT_EQUAL(dp_entropy_estimate(x, n, 3, DP_EST_KSG, DP_SEARCH_KDTREE, 2, &h), -1);
  CU_ASSERT(strstr(dp_error_message(), "mutual information") != NULL);
  dp_error_clear();
  free(x);
  free(y);
}

DP_TEST_MAIN("entropy", DP_TEST(test_digamma_known_values), DP_TEST(test_unit_ball_volume),
             DP_TEST(test_kl_gaussian_d3), DP_TEST(test_kl_gaussian_d6),
             DP_TEST(test_mi_gaussian_kl_and_ksg), DP_TEST(test_ksg_independent_near_zero),
             DP_TEST(test_partial_sums_add_up), DP_TEST(test_duplicate_point_is_an_error))
