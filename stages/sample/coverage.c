/* coverage.c - see coverage.h. */
#include "coverage.h"

#include <math.h>
#include <stdlib.h>

void dp_center_poses(float *poses, size_t n, int J, int centre) {
  for (size_t i = 0; i < n; i++) {
    float *p = poses + i * (size_t)J * 3;
    float c[3] = {p[3 * centre], p[3 * centre + 1], p[3 * centre + 2]};
    for (int j = 0; j < J; j++)
      for (int a = 0; a < 3; a++) p[3 * j + a] -= c[a];
  }
}

void dp_nearest_mean_joint_distance(const float *Q, size_t q0, size_t q1, const float *R,
                                    size_t nr, int J, double *best) {
  for (size_t q = q0; q < q1; q++) {
    const float *x = Q + q * (size_t)J * 3;
    double bound = INFINITY; /* best sum of per-joint distances so far */
    for (size_t r = 0; r < nr; r++) {
      const float *y = R + r * (size_t)J * 3;
      double sum = 0;
      for (int j = 0; j < J && sum < bound; j++) {
        double dx = x[3 * j] - y[3 * j], dy = x[3 * j + 1] - y[3 * j + 1], dz = x[3 * j + 2] - y[3 * j + 2];
        sum += sqrt(dx * dx + dy * dy + dz * dz);
      }
      if (sum < bound) bound = sum;
    }
    best[q - q0] = bound / J;
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double dp_median(double *v, size_t n) {
  if (n == 0) return NAN;
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
