/* entropy.c - nearest-neighbour entropy and mutual-information estimators
 * (contract and formulas in include/depthpose/entropy.h).
 *
 * Every partial sum runs over its query block in index order, so the same block
 * decomposition gives the same bits however the blocks are spread over ranks. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/entropy.h"
#include "depthpose/error.h"

/* ---- special functions ------------------------------------------------------- */

/* psi(x) for x > 0: push x up to >= 10 with psi(x) = psi(x + 1) - 1/x, then the
 * asymptotic series ln x - 1/(2x) - sum B_2n / (2n x^2n) through x^-14. The first
 * omitted term is 3617 / (8160 x^16): 1.6e-13 if the series started at 6, 4.4e-17 at
 * 10, so starting at 10 costs four more divisions and leaves only rounding (about
 * 1e-15 absolute, near the root x = 1.4616 that is the whole error). NaN for x <= 0
 * or NaN. */
double dp_digamma(double x) {
  if (!(x > 0.0)) return NAN;
  if (isinf(x)) return INFINITY;
  double acc = 0.0;
  while (x < 10.0) {
    acc -= 1.0 / x;
    x += 1.0;
  }
  double r = 1.0 / x, r2 = r * r;
  double tail = r2 * (1.0 / 12 -
                r2 * (1.0 / 120 -
                r2 * (1.0 / 252 -
                r2 * (1.0 / 240 -
                r2 * (1.0 / 132 -
                r2 * (691.0 / 32760 -
                r2 * (1.0 / 12)))))));
  return acc + log(x) - 0.5 * r - tail;
}

/* ln V_d, V_d = pi^(d/2) / Gamma(d/2 + 1), from V_0 = 1, V_1 = 2 and
 * V_d = V_(d-2) * 2 pi / d: exact factors, no lgamma (and no signgam global). */
double dp_log_unit_ball_volume(int d) {
  if (d < 0) return NAN;
  double lv = (d % 2) ? log(2.0) : 0.0;
  const double two_pi = 6.283185307179586476925286766559;
  for (int j = (d % 2) ? 3 : 2; j <= d; j += 2) lv += log(two_pi / j);
  return lv;
}

/* ---- search index --------------------------------------------------------------- */

struct dp_nn_index {
  dp_search method;
  size_t n;
  int d;
  double *pts;     /* brute force: a private copy */
  dp_kdtree *tree; /* kd-tree */
};

dp_nn_index *dp_nn_index_build(const double *pts, size_t n, int d, dp_search method) {
  if (method != DP_SEARCH_BRUTE && method != DP_SEARCH_KDTREE) {
    dp_fail("nearest-neighbour index: unknown search method %d", (int)method);
    return NULL;
  }
  if (!pts || n < 1 || d < 1 || d > DP_KNN_MAX_DIM) {
    dp_fail("nearest-neighbour index: need points, n >= 1 and 1 <= d <= %d (got n = %zu, d = %d)",
            DP_KNN_MAX_DIM, n, d);
    return NULL;
  }
  dp_nn_index *ix = dp_calloc(1, sizeof *ix, "nearest-neighbour index");
  if (!ix) return NULL;
  ix->method = method;
  ix->n = n;
  ix->d = d;
  if (method == DP_SEARCH_KDTREE) {
    ix->tree = dp_kdtree_build(pts, n, d);
    if (!ix->tree) goto fail;
  } else {
    ix->pts = dp_malloc(n * (size_t)d * sizeof *pts, "brute-force point copy");
    if (!ix->pts) goto fail;
    memcpy(ix->pts, pts, n * (size_t)d * sizeof *pts);
  }
  return ix;
fail:
  dp_nn_index_free(ix);
  return NULL;
}

void dp_nn_index_free(dp_nn_index *ix) {
  if (!ix) return;
  dp_kdtree_free(ix->tree);
  free(ix->pts);
  free(ix);
}

static int nn_kth(const dp_nn_index *ix, int k, dp_norm norm, size_t q0, size_t q1,
                  double *eps) {
  if (ix->method == DP_SEARCH_KDTREE) return dp_kdtree_kth(ix->tree, k, norm, q0, q1, eps);
  return dp_brute_kth(ix->pts, ix->n, ix->d, k, norm, q0, q1, eps);
}

/* cnt[q - q0] = points other than q strictly within r[q - q0] of q (max-norm). */
static int nn_counts(const dp_nn_index *ix, size_t q0, size_t q1, const double *r,
                     size_t *cnt) {
  if (ix->method == DP_SEARCH_KDTREE)
    return dp_kdtree_count_range(ix->tree, DP_NORM_MAX, q0, q1, r, cnt);
  for (size_t q = q0; q < q1; q++)
    cnt[q - q0] = dp_brute_count_within(ix->pts, ix->n, ix->d, DP_NORM_MAX, q, r[q - q0]);
  return 0;
}

static int check_block(const dp_nn_index *ix, size_t q0, size_t q1, const double *sum,
                       const char *who) {
  if (!ix || !sum) return dp_fail("%s: NULL index or output", who);
  if (q0 > q1 || q1 > ix->n)
    return dp_fail("%s: query block [%zu, %zu) outside the %zu points", who, q0, q1, ix->n);
  return 0;
}

/* A zero k-th distance makes ln eps = -inf: the estimate is meaningless, not small. */
static int fail_zero_eps(const char *who, size_t q, int k) {
  return dp_fail("%s: point %zu has distance 0 to its %d-th nearest neighbour (duplicate "
                 "points); jitter the data (add tiny noise) before estimating", who, q, k);
}

/* ---- kl / seed --------------------------------------------------------------- */

int dp_entropy_partial(const dp_nn_index *ix, int k, size_t q0, size_t q1, double *sum) {
  DP_TRY(check_block(ix, q0, q1, sum, "entropy"));
  *sum = 0.0;
  if (q0 == q1) return 0;
  double *eps = dp_malloc((q1 - q0) * sizeof *eps, "k-th neighbour distances");
  if (!eps) return -1;
  int rc = nn_kth(ix, k, DP_NORM_L2, q0, q1, eps);
  double s = 0.0;
  for (size_t i = 0; rc == 0 && i < q1 - q0; i++) {
    if (eps[i] == 0.0) rc = fail_zero_eps("entropy", q0 + i, k);
    else s += log(eps[i]);
  }
  free(eps);
  if (rc == 0) *sum = s;
  return rc;
}

double dp_kl_finish(double sum_log_eps, size_t n, int d, int k) {
  double dn = (double)n;
  return dp_digamma(dn) - dp_digamma(k) + dp_log_unit_ball_volume(d) + d * sum_log_eps / dn;
}

double dp_seed_finish(double sum_log_eps, size_t n) { return sum_log_eps / (double)n; }

/* ---- ksg --------------------------------------------------------------------- */

static int check_ksg(const dp_nn_index *joint, const dp_nn_index *mx, const dp_nn_index *my) {
  if (!joint || !mx || !my) return dp_fail("ksg: NULL index");
  if (mx->n != joint->n || my->n != joint->n)
    return dp_fail("ksg: joint and marginal point counts differ (%zu, %zu, %zu)", joint->n,
                   mx->n, my->n);
  if (mx->d + my->d != joint->d)
    return dp_fail("ksg: joint dimension %d is not %d + %d", joint->d, mx->d, my->d);
  return 0;
}

int dp_ksg_partial(const dp_nn_index *joint, const dp_nn_index *mx, const dp_nn_index *my,
                   int k, size_t q0, size_t q1, double *sum) {
  DP_TRY(check_ksg(joint, mx, my));
  DP_TRY(check_block(joint, q0, q1, sum, "ksg"));
  *sum = 0.0;
  if (q0 == q1) return 0;
  size_t m = q1 - q0;
  double *eps = dp_malloc(m * sizeof *eps, "ksg joint distances");
  size_t *nx = dp_malloc(m * sizeof *nx, "ksg x counts");
  size_t *ny = dp_malloc(m * sizeof *ny, "ksg y counts");
  int rc = (eps && nx && ny) ? 0 : -1;
  if (rc == 0) rc = nn_kth(joint, k, DP_NORM_MAX, q0, q1, eps);
  for (size_t i = 0; rc == 0 && i < m; i++)
    if (eps[i] == 0.0) rc = fail_zero_eps("ksg", q0 + i, k);
  if (rc == 0) rc = nn_counts(mx, q0, q1, eps, nx);
  if (rc == 0) rc = nn_counts(my, q0, q1, eps, ny);
  double s = 0.0;
  for (size_t i = 0; rc == 0 && i < m; i++)
    s += dp_digamma((double)nx[i] + 1.0) + dp_digamma((double)ny[i] + 1.0);
  free(eps);
  free(nx);
  free(ny);
  if (rc == 0) *sum = s;
  return rc;
}

double dp_ksg_finish(double sum_psi, size_t n, int k) {
  double dn = (double)n;
  return dp_digamma(k) + dp_digamma(dn) - sum_psi / dn;
}

/* ---- one-call estimates -------------------------------------------------------- */

int dp_entropy_estimate(const double *pts, size_t n, int d, dp_estimator est, dp_search m,
                        int k, double *h) {
  if (!h) return dp_fail("entropy estimate: NULL output");
  if (est == DP_EST_KSG)
    return dp_fail("entropy estimate: ksg estimates mutual information, not entropy "
                   "(use dp_mi_ksg_estimate)");
  if (est != DP_EST_KL && est != DP_EST_SEED)
    return dp_fail("entropy estimate: unknown estimator %d", (int)est);
  dp_nn_index *ix = dp_nn_index_build(pts, n, d, m);
  if (!ix) return -1;
  double sum;
  int rc = dp_entropy_partial(ix, k, 0, n, &sum);
  dp_nn_index_free(ix);
  if (rc != 0) return -1;
  *h = est == DP_EST_KL ? dp_kl_finish(sum, n, d, k) : dp_seed_finish(sum, n);
  return 0;
}

int dp_mi_ksg_estimate(const double *x, const double *y, size_t n, int dx, int dy,
                       dp_search m, int k, double *mi) {
  if (!x || !y || !mi) return dp_fail("ksg estimate: NULL input or output");
  if (dx < 1 || dy < 1 || dx + dy > DP_KNN_MAX_DIM)
    return dp_fail("ksg estimate: dimensions %d + %d out of range (each >= 1, sum <= %d)", dx,
                   dy, DP_KNN_MAX_DIM);
  int d = dx + dy;
  double *xy = dp_malloc(n * (size_t)d * sizeof *xy, "ksg joint points");
  if (!xy) return -1;
  for (size_t i = 0; i < n; i++) {
    memcpy(xy + i * (size_t)d, x + i * (size_t)dx, (size_t)dx * sizeof *xy);
    memcpy(xy + i * (size_t)d + dx, y + i * (size_t)dy, (size_t)dy * sizeof *xy);
  }
  dp_nn_index *j = dp_nn_index_build(xy, n, d, m);
  dp_nn_index *ix = j ? dp_nn_index_build(x, n, dx, m) : NULL;
  dp_nn_index *iy = ix ? dp_nn_index_build(y, n, dy, m) : NULL;
  free(xy);
  double sum = 0.0;
  int rc = iy ? dp_ksg_partial(j, ix, iy, k, 0, n, &sum) : -1;
  dp_nn_index_free(j);
  dp_nn_index_free(ix);
  dp_nn_index_free(iy);
  if (rc != 0) return -1;
  *mi = dp_ksg_finish(sum, n, k);
  return 0;
}
