/* coverage.h - how well a set of poses covers held-out poses: for each query pose, the
 * exact nearest pose of a reference set under the mean per-joint distance (mm). */
#ifndef DEPTHPOSE_COVERAGE_H
#define DEPTHPOSE_COVERAGE_H
#include <stddef.h>

/* Subtract joint `centre` from every joint of every pose. */
void dp_center_poses(float *poses, size_t n, int J, int centre);

/* best[q - q0] = min over r of (1/J) sum_j |Q_q,j - R_r,j| for q in [q0, q1). Exact:
 * a candidate is abandoned only once its partial sum already exceeds the best. */
void dp_nearest_mean_joint_distance(const float *Q, size_t q0, size_t q1, const float *R,
                                    size_t nr, int J, double *best);

double dp_median(double *v, size_t n); /* sorts v */

#endif
