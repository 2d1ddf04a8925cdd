/* knn.h - exact k-th nearest-neighbour distances and radius counts in low dimension
 * (d <= DP_KNN_MAX_DIM), the kernel of the nearest-neighbour entropy estimators.
 *
 * Two methods return bit-identical results: brute force (blocked O(N^2), the reference)
 * and a kd-tree. Both evaluate a distance with the same operations in the same order
 * (dp_knn_raw below, or a loop written to match it term by term), so a tie or a
 * duplicate point gives the same answer either way. The query point itself (same
 * index) is excluded; a duplicate of it at another index is not, so a k-th distance of
 * exactly 0 is a valid answer here (the entropy estimators reject it).
 *
 * Raw distances. Both searches rank candidates by a "raw" value: the squared L2 sum
 * or the max-norm itself, and convert only the final k-th raw value with
 * dp_knn_from_raw (sqrt for L2). sqrt is correctly rounded and non-decreasing, so the
 * k-th smallest sqrt(raw) equals sqrt(k-th smallest raw): the answer is exactly the
 * k-th smallest dp_knn_dist. Radius tests "dist < r" are likewise turned into
 * "raw <= t" with a threshold t found exactly (see kdtree.c), never with r*r.
 *
 * Errors: functions returning int return 0, or -1 after dp_fail (bad k, d, range or a
 * non-finite coordinate). Coordinates must be finite. */
#ifndef DEPTHPOSE_KNN_H
#define DEPTHPOSE_KNN_H
#include <math.h>
#include <stddef.h>

#define DP_KNN_MAX_DIM 8
#define DP_KNN_MAX_K 64

typedef enum { DP_NORM_L2 = 0, DP_NORM_MAX = 1 } dp_norm;

/* Raw distance: L2 -> sum over j = 0..d-1, in index order, of (a_j - b_j)^2, starting
 * from the first term (0 + x == x exactly, so an unrolled a0^2 + a1^2 + ... is the same
 * number); max-norm -> max_j |a_j - b_j|. Any specialised loop (kdtree.c, knn_brute.c)
 * must produce the same bits as this function. */
static inline double dp_knn_raw(const double *a, const double *b, int d, dp_norm norm) {
  double s = 0.0;
  if (norm == DP_NORM_L2) {
    for (int j = 0; j < d; j++) {
      double t = a[j] - b[j];
      s += t * t;
    }
  } else {
    for (int j = 0; j < d; j++) {
      double t = fabs(a[j] - b[j]);
      s = t > s ? t : s;
    }
  }
  return s;
}

static inline double dp_knn_from_raw(double raw, dp_norm norm) {
  return norm == DP_NORM_L2 ? sqrt(raw) : raw;
}

/* Distance between two d-vectors: L2 (sqrt of the sum in index order) or max-norm. */
double dp_knn_dist(const double *a, const double *b, int d, dp_norm norm);

/* Brute force: for queries q in [q0, q1) of the n points (row-major n x d), write the
 * distance to the k-th nearest other point into eps[q - q0]. Needs 1 <= k < n. */
int dp_brute_kth(const double *pts, size_t n, int d, int k, dp_norm norm,
                 size_t q0, size_t q1, double *eps);

typedef struct dp_kdtree dp_kdtree;
/* Build over n >= 1 points (the array is copied; the caller may free it). NULL (after
 * dp_fail) on failure: d out of range, a non-finite coordinate, out of memory. */
dp_kdtree *dp_kdtree_build(const double *pts, size_t n, int d);
void dp_kdtree_free(dp_kdtree *t);
size_t dp_kdtree_size(const dp_kdtree *t);
int dp_kdtree_dim(const dp_kdtree *t);
/* Same contract as dp_brute_kth, over the points the tree was built from. Queries run
 * in tree order for locality; results land in original index order. On x86 CPUs with
 * AVX2 a 4-wide kernel is used unless the environment sets DP_KNN_NO_AVX2 (same bits
 * either way). */
int dp_kdtree_kth(const dp_kdtree *t, int k, dp_norm norm, size_t q0, size_t q1, double *eps);
/* Number of points j != i with dist(p_i, p_j) < r (strict), for query point index i.
 * r <= 0 (or NaN) gives 0. i >= n is a caller bug: dp_fail and return SIZE_MAX. */
size_t dp_kdtree_count_within(const dp_kdtree *t, dp_norm norm, size_t i, double r);
size_t dp_brute_count_within(const double *pts, size_t n, int d, dp_norm norm, size_t i, double r);
/* Batch form for KSG: cnt[q - q0] = dp_kdtree_count_within(t, norm, q, r[q - q0]) for
 * q in [q0, q1), visited in tree order. */
int dp_kdtree_count_range(const dp_kdtree *t, dp_norm norm, size_t q0, size_t q1,
                          const double *r, size_t *cnt);

#endif
