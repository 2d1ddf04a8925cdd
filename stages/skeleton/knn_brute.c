/* knn_brute.c - the exact brute-force reference for k-th neighbour distances and
 * radius counts (contract in include/depthpose/knn.h), plus dp_knn_dist.
 *
 * The search is blocked: a tile of KB_QT queries is compared against a tile of KB_RT
 * reference points at a time, so a reference tile (KB_RT x d doubles: 48 KiB for
 * d = 6) stays in cache while every query of the tile passes over it, instead of
 * streaming all n points from memory once per query. Each query keeps its k smallest
 * raw distances in a sorted insertion list; only the k-th is converted to a distance,
 * exactly as the kd-tree does, so both return the same bits. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "depthpose/error.h"
#include "depthpose/knn.h"

#if defined(__GNUC__)
#define KB_INLINE static inline __attribute__((always_inline))
#else
#define KB_INLINE static inline
#endif

enum { KB_QT = 64, KB_RT = 1024 };

double dp_knn_dist(const double *a, const double *b, int d, dp_norm norm) {
  return dp_knn_from_raw(dp_knn_raw(a, b, d, norm), norm);
}

KB_INLINE void insert_sorted(double *best, int k, double v) {
  int j = k - 1;
  while (j > 0 && best[j - 1] > v) {
    best[j] = best[j - 1];
    j--;
  }
  best[j] = v;
}

/* Compare query q against references [r0, r1), skipping index skip. d constant
 * after inlining, so dp_knn_raw unrolls. */
KB_INLINE void scan_refs(const double *pts, const double *q, size_t r0, size_t r1,
                         size_t skip, int d, dp_norm norm, double *best, int k) {
  for (size_t j = r0; j < r1; j++) {
    if (j == skip) continue;
    double v = dp_knn_raw(q, pts + j * (size_t)d, d, norm);
    if (v < best[k - 1]) insert_sorted(best, k, v);
  }
}

KB_INLINE void brute_blocked(const double *pts, size_t n, int d, int k, dp_norm norm,
                             size_t q0, size_t q1, double *eps, double *best) {
  for (size_t qt = q0; qt < q1; qt += KB_QT) {
    size_t qe = qt + KB_QT < q1 ? qt + KB_QT : q1;
    for (size_t i = 0; i < (qe - qt) * (size_t)k; i++) best[i] = INFINITY;
    for (size_t rt = 0; rt < n; rt += KB_RT) {
      size_t re = rt + KB_RT < n ? rt + KB_RT : n;
      for (size_t q = qt; q < qe; q++)
        scan_refs(pts, pts + q * (size_t)d, rt, re, q, d, norm,
                  best + (q - qt) * (size_t)k, k);
    }
    for (size_t q = qt; q < qe; q++)
      eps[q - q0] = dp_knn_from_raw(best[(q - qt) * (size_t)k + (size_t)k - 1], norm);
  }
}

static int check_args(const double *pts, size_t n, int d, int k, dp_norm norm, size_t q0,
                      size_t q1) {
  if (!pts) return dp_fail("brute-force k-th neighbour: NULL points");
  if (d < 1 || d > DP_KNN_MAX_DIM)
    return dp_fail("brute-force k-th neighbour: dimension %d out of range 1..%d", d, DP_KNN_MAX_DIM);
  if (k < 1 || k > DP_KNN_MAX_K)
    return dp_fail("brute-force k-th neighbour: k = %d out of range 1..%d", k, DP_KNN_MAX_K);
  if ((size_t)k >= n)
    return dp_fail("brute-force k-th neighbour: k = %d needs more than %zu points", k, n);
  if (q0 > q1 || q1 > n)
    return dp_fail("brute-force k-th neighbour: query range [%zu, %zu) outside 0..%zu", q0, q1, n);
  if (norm != DP_NORM_L2 && norm != DP_NORM_MAX)
    return dp_fail("brute-force k-th neighbour: unknown norm %d", (int)norm);
  for (size_t i = 0; i < n * (size_t)d; i++)
    if (!isfinite(pts[i]))
      return dp_fail("brute-force k-th neighbour: point %zu coordinate %d is not finite",
                     i / (size_t)d, (int)(i % (size_t)d));
  return 0;
}

int dp_brute_kth(const double *pts, size_t n, int d, int k, dp_norm norm, size_t q0,
                 size_t q1, double *eps) {
  DP_TRY(check_args(pts, n, d, k, norm, q0, q1));
  if (q0 == q1) return 0;
  if (!eps) return dp_fail("brute-force k-th neighbour: NULL output");
  double *best = dp_malloc((size_t)KB_QT * (size_t)k * sizeof *best, "brute-force k lists");
  if (!best) return -1;
  int l2 = norm == DP_NORM_L2;
  if (d == 3 && l2) brute_blocked(pts, n, 3, k, DP_NORM_L2, q0, q1, eps, best);
  else if (d == 3) brute_blocked(pts, n, 3, k, DP_NORM_MAX, q0, q1, eps, best);
  else if (d == 6 && l2) brute_blocked(pts, n, 6, k, DP_NORM_L2, q0, q1, eps, best);
  else if (d == 6) brute_blocked(pts, n, 6, k, DP_NORM_MAX, q0, q1, eps, best);
  else brute_blocked(pts, n, d, k, norm, q0, q1, eps, best);
  free(best);
  return 0;
}

/* The literal definition, deliberately unoptimised: it is what the kd-tree's
 * threshold logic is tested against. */
size_t dp_brute_count_within(const double *pts, size_t n, int d, dp_norm norm, size_t i,
                             double r) {
  if (!pts || i >= n || d < 1 || d > DP_KNN_MAX_DIM) {
    dp_fail("brute-force radius count: query index %zu outside the %zu points (or bad d = %d)",
            i, n, d);
    return SIZE_MAX;
  }
  size_t cnt = 0;
  const double *q = pts + i * (size_t)d;
  for (size_t j = 0; j < n; j++)
    if (j != i && dp_knn_dist(q, pts + j * (size_t)d, d, norm) < r) cnt++;
  return cnt;
}
