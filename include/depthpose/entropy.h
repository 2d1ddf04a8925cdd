/* entropy.h - nearest-neighbour entropy and mutual-information estimators.
 *
 * Every estimator is split into a per-block partial sum over query points [q0, q1)
 * (the unit of work that MPI ranks share) and a closed-form finaliser, so that a
 * distributed run adds the same partial sums in the same order as a serial one.
 *
 *   kl   Kozachenko-Leonenko, L2 norm: H = psi(N) - psi(k) + ln V_d + (d/N) sum ln eps_i,
 *        V_d = pi^(d/2) / Gamma(d/2 + 1); partial sum = sum ln eps_i. Nats.
 *   ksg  Kraskov-Stoegbauer-Grassberger algorithm 1 (max-norm) for I(X;Y) directly:
 *        I = psi(k) + psi(N) - <psi(n_x + 1) + psi(n_y + 1)>; partial sum =
 *        sum (psi(n_x+1) + psi(n_y+1)), n_x/n_y = marginal points strictly within eps_i.
 *   seed the original paper's simplification H = (1/N) sum ln d_i (d_i = distance to
 *        the nearest neighbour): no psi(N), no ln V_d and no factor d, so 3-D and 6-D
 *        values are not on one scale; kept for a faithful reproduction. (The paper's
 *        d_i is the 1st neighbour: pass k = 1; another k uses the k-th.)
 */
#ifndef DEPTHPOSE_ENTROPY_H
#define DEPTHPOSE_ENTROPY_H
#include <stddef.h>
#include "depthpose/knn.h"

typedef enum { DP_EST_KL = 0, DP_EST_KSG = 1, DP_EST_SEED = 2 } dp_estimator;
typedef enum { DP_SEARCH_BRUTE = 0, DP_SEARCH_KDTREE = 1 } dp_search;

double dp_digamma(double x);            /* psi(x), x > 0 (NaN otherwise); ~1e-15 abs. */
double dp_log_unit_ball_volume(int d);  /* ln V_d for the L2 unit d-ball */

/* Search structure over one point set (a joint: d = 3, a pair: d = 6); the points are
 * copied. Both methods give bit-identical distances and counts (knn.h); brute force is
 * the O(N^2) reference, the kd-tree the one to use. NULL after dp_fail on bad input. */
typedef struct dp_nn_index dp_nn_index;
dp_nn_index *dp_nn_index_build(const double *pts, size_t n, int d, dp_search method);
void dp_nn_index_free(dp_nn_index *ix);

/* kl / seed: sum over q in [q0, q1) of ln(eps_q) (k-th neighbour distance, L2),
 * added in index order. 1 <= k <= DP_KNN_MAX_K, k < n. An eps of exactly 0 (k or more
 * duplicates of the point) is an error naming the query index: callers jitter the
 * data first (see the skeleton stage). Blocks' sums add up to the whole block's up to
 * rounding; a fixed block decomposition gives fixed bits. */
int dp_entropy_partial(const dp_nn_index *ix, int k, size_t q0, size_t q1, double *sum);
double dp_kl_finish(double sum_log_eps, size_t n, int d, int k);
double dp_seed_finish(double sum_log_eps, size_t n);

/* ksg: joint index over the rows (x_i, y_i) (x's coordinates first), with dx + dy = d,
 * and marginal indices over x and y, all three over the same n points in the same
 * order. eps_i = max-norm distance to the k-th neighbour in the joint space, n_x /
 * n_y = marginal points j != i with max-norm distance strictly below eps_i. A zero
 * eps_i is the same error as above. */
int dp_ksg_partial(const dp_nn_index *joint, const dp_nn_index *mx, const dp_nn_index *my,
                   int k, size_t q0, size_t q1, double *sum);
double dp_ksg_finish(double sum_psi, size_t n, int k);

/* Convenience for tests: the whole estimate in one call (est: kl or seed; ksg is
 * mutual information, dp_mi_ksg_estimate). x is n x dx, y is n x dy, row-major. */
int dp_entropy_estimate(const double *pts, size_t n, int d, dp_estimator est, dp_search m,
                        int k, double *h);
int dp_mi_ksg_estimate(const double *x, const double *y, size_t n, int dx, int dy,
                       dp_search m, int k, double *mi);

#endif
