/* knn.h - exact k-th nearest-neighbour distances and radius counts in low dimension
 * (d <= DP_KNN_MAX_DIM), the kernel of the nearest-neighbour entropy estimators.
 *
 * Two methods return bit-identical results: brute force (blocked O(N^2), the reference)
 * and a kd-tree. Both evaluate a distance with dp_knn_dist (same operations in the same
 * order), so a tie or a duplicate point gives the same answer either way. The query
 * point itself (same index) is excluded; a duplicate of it at another index is not. */
#ifndef DEPTHPOSE_KNN_H
#define DEPTHPOSE_KNN_H
#include <stddef.h>

#define DP_KNN_MAX_DIM 8
#define DP_KNN_MAX_K 64

typedef enum { DP_NORM_L2 = 0, DP_NORM_MAX = 1 } dp_norm;

/* Distance between two d-vectors: L2 (sqrt of the sum in index order) or max-norm. */
double dp_knn_dist(const double *a, const double *b, int d, dp_norm norm);

/* Brute force: for queries q in [q0, q1) of the n points (row-major n x d), write the
 * distance to the k-th nearest other point into eps[q - q0]. */
int dp_brute_kth(const double *pts, size_t n, int d, int k, dp_norm norm,
                 size_t q0, size_t q1, double *eps);

typedef struct dp_kdtree dp_kdtree;
/* Build over n points (the array is copied; the caller may free it). NULL on failure. */
dp_kdtree *dp_kdtree_build(const double *pts, size_t n, int d);
void dp_kdtree_free(dp_kdtree *t);
int dp_kdtree_kth(const dp_kdtree *t, int k, dp_norm norm, size_t q0, size_t q1, double *eps);
/* Number of points j != i with dist(p_i, p_j) < r (strict), for query point index i. */
size_t dp_kdtree_count_within(const dp_kdtree *t, dp_norm norm, size_t i, double r);
size_t dp_brute_count_within(const double *pts, size_t n, int d, dp_norm norm, size_t i, double r);

#endif
