/* bench_knn.c - time the skeleton stage's nearest-neighbour work ("all entropy
 * jobs"): for J joints, J single-joint 3-D k-th neighbour searches over all N poses
 * plus J(J-1)/2 joint-pair 6-D searches, k = 1, L2 - each job copying its columns out,
 * building its kd-tree and querying every point, as the stage does.
 *
 *   bench_knn [--n N] [--joints J] [--reps R] [--brute Q] [--model tree|walk]
 *             [--write FILE] [--seed S] [--block B]
 *
 * --block B  query each job in blocks of B points (as the skeleton stage does, 4096 by
 *            default there); 0, the default here, queries all N in one call.
 * --brute Q  also time brute force on the first Q queries of every job (all N points
 *            as references) and extrapolate linearly to N queries (brute cost is
 *            exactly linear in the number of queries); its answers are checked to be
 *            bit-identical to the kd-tree's.
 * --write    store the poses (float64, N x J x 3, native byte order) for
 *            tests/bench/knn_scipy.py, which runs the same jobs with scipy.
 * Data: a Gaussian tree model in millimetres ("tree", default: each joint = parent +
 * bone offset + correlated noise) or a smooth random walk over time ("walk": mocap-like,
 * consecutive frames close together). Single thread; the stage's 2-rank split is MPI.
 * Prints best-of-R times and sum(ln eps) checksums that knn_scipy.py also prints. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"
#include "depthpose/error.h"
#include "depthpose/knn.h"

static double now(void) { return bench_seconds(CLOCK_MONOTONIC); }

static uint64_t rng_state;
static double next_unit(void) {
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return ((double)((z ^ (z >> 31)) >> 11) + 0.5) * 0x1.0p-53;
}
static double next_normal(void) {
  return sqrt(-2.0 * log(next_unit())) * cos(6.283185307179586 * next_unit());
}

/* Kinematic-ish tree: joint j hangs off (j - 1) / 2 for j > 0 - depth log2(J). */
static int parent_of(int j) { return j == 0 ? -1 : (j - 1) / 2; }

/* Gaussian tree model: root ~ N(0, 300 mm), joint = parent + bone + noise whose axes
 * are correlated, scale 40..80 mm. */
static void make_tree_model(double *x, size_t n, int J) {
  for (size_t i = 0; i < n; i++)
    for (int j = 0; j < J; j++) {
      double z0 = next_normal(), z1 = next_normal(), z2 = next_normal();
      double s = j == 0 ? 300.0 : 40.0 + 40.0 * (j % 3) / 2.0;
      double e[3] = {s * z0, s * (0.6 * z0 + 0.8 * z1), s * (-0.3 * z0 + 0.5 * z1 + 0.8 * z2)};
      double *p = x + (i * (size_t)J + (size_t)j) * 3;
      const double *q = j ? x + (i * (size_t)J + (size_t)parent_of(j)) * 3 : NULL;
      for (int a = 0; a < 3; a++) p[a] = (q ? q[a] + 150.0 * (a == j % 3) : 0.0) + e[a];
    }
}

/* Random walk over time: the root drifts (5 mm steps), each bone's direction does a
 * small random walk on the sphere; joint = parent + 200 mm * direction. */
static void make_walk_model(double *x, size_t n, int J) {
  double root[3] = {0, 900, 0}, dir[64][3];
  for (int j = 0; j < J && j < 64; j++) {
    dir[j][0] = next_normal();
    dir[j][1] = next_normal();
    dir[j][2] = next_normal();
  }
  for (size_t i = 0; i < n; i++) {
    for (int a = 0; a < 3; a++) root[a] += 5.0 * next_normal();
    for (int j = 0; j < J; j++) {
      double *p = x + (i * (size_t)J + (size_t)j) * 3, nn = 0.0;
      for (int a = 0; a < 3; a++) {
        dir[j][a] += 0.03 * next_normal();
        nn += dir[j][a] * dir[j][a];
      }
      nn = sqrt(nn);
      const double *q = j ? x + (i * (size_t)J + (size_t)parent_of(j)) * 3 : root;
      for (int a = 0; a < 3; a++) p[a] = q[a] + (j ? 200.0 * dir[j][a] / nn : 0.0);
    }
  }
}

/* Columns of the joints js[0..nj) for all poses: n x 3nj. */
static void gather(const double *x, size_t n, int J, const int *js, int nj, double *out) {
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < nj; c++)
      memcpy(out + (i * (size_t)nj + (size_t)c) * 3, x + (i * (size_t)J + (size_t)js[c]) * 3,
             3 * sizeof *out);
}

typedef struct {
  double t3, t6, build, sum3, sum6; /* seconds; checksums */
} job_times;

/* One pass over all jobs with the kd-tree. */
static size_t g_block; /* --block */

static int run_kdtree(const double *x, size_t n, int J, double *buf, double *eps, job_times *r) {
  memset(r, 0, sizeof *r);
  for (int a = 0; a < J; a++)
    for (int b = a; b < J; b++) {
      int js[2] = {a, b}, nj = a == b ? 1 : 2;
      double t0 = now();
      gather(x, n, J, js, nj, buf);
      dp_kdtree *t = dp_kdtree_build(buf, n, 3 * nj);
      if (!t) return -1;
      double t1 = now();
      size_t step = g_block ? g_block : n;
      for (size_t q0 = 0; q0 < n; q0 += step)
        if (dp_kdtree_kth(t, 1, DP_NORM_L2, q0, q0 + step < n ? q0 + step : n, eps + q0) != 0)
          return -1;
      double t2 = now();
      dp_kdtree_free(t);
      double s = 0.0;
      for (size_t i = 0; i < n; i++) s += log(eps[i]);
      r->build += t1 - t0;
      if (nj == 1) r->t3 += t2 - t0, r->sum3 += s;
      else r->t6 += t2 - t0, r->sum6 += s;
    }
  return 0;
}

/* Brute force on the first q queries of each job, checked against the kd-tree. */
static int run_brute(const double *x, size_t n, int J, size_t q, double *buf, double *eps,
                     double *eps_kd, double *t3, double *t6, size_t *mismatch) {
  *t3 = *t6 = 0.0;
  *mismatch = 0;
  for (int a = 0; a < J; a++)
    for (int b = a; b < J; b++) {
      int js[2] = {a, b}, nj = a == b ? 1 : 2;
      gather(x, n, J, js, nj, buf);
      double t0 = now();
      if (dp_brute_kth(buf, n, 3 * nj, 1, DP_NORM_L2, 0, q, eps) != 0) return -1;
      double dt = now() - t0;
      dp_kdtree *t = dp_kdtree_build(buf, n, 3 * nj);
      if (!t || dp_kdtree_kth(t, 1, DP_NORM_L2, 0, q, eps_kd) != 0) return -1;
      dp_kdtree_free(t);
      for (size_t i = 0; i < q; i++) *mismatch += eps[i] != eps_kd[i];
      if (nj == 1) *t3 += dt;
      else *t6 += dt;
    }
  return 0;
}

int main(int argc, char **argv) {
  size_t n = 18072, brute_q = 0;
  int J = 10, reps = 3;
  const char *write = NULL, *model = "tree";
  uint64_t seed = 2024;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--n")) n = strtoull(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--joints")) J = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--brute")) brute_q = strtoull(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--write")) write = argv[i + 1];
    else if (!strcmp(argv[i], "--model")) model = argv[i + 1];
    else if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--block")) g_block = strtoull(argv[i + 1], NULL, 10);
    else {
      fprintf(stderr, "bench_knn: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (n < 2 || J < 1 || J > 64 || reps < 1 || brute_q > n) {
    fprintf(stderr, "bench_knn: bad sizes\n");
    return 2;
  }
  double *x = malloc(n * (size_t)J * 3 * sizeof *x);
  double *buf = malloc(n * 6 * sizeof *buf), *eps = malloc(n * sizeof *eps);
  double *eps2 = malloc(n * sizeof *eps2);
  if (!x || !buf || !eps || !eps2) return 2;
  rng_state = seed;
  if (!strcmp(model, "walk")) make_walk_model(x, n, J);
  else make_tree_model(x, n, J);
  if (write) {
    FILE *f = fopen(write, "wb");
    if (!f || fwrite(x, sizeof *x, n * (size_t)J * 3, f) != n * (size_t)J * 3 || fclose(f)) {
      fprintf(stderr, "bench_knn: cannot write %s\n", write);
      return 2;
    }
  }
  int pairs = J * (J - 1) / 2;
  printf("bench_knn: model %s, N = %zu, %d joints: %d 3-D jobs + %d 6-D jobs, k = 1, L2%s\n",
         model, n, J, J, pairs, g_block ? ", queried in blocks" : "");

  job_times best = {INFINITY, INFINITY, INFINITY, 0, 0}, r;
  for (int rep = 0; rep < reps; rep++) {
    if (run_kdtree(x, n, J, buf, eps, &r) != 0) {
      fprintf(stderr, "bench_knn: %s\n", dp_error_message());
      return 1;
    }
    if (r.t3 + r.t6 < best.t3 + best.t6) best = r;
  }
  printf("kdtree  total %8.3f s  (3-D jobs %.3f s, 6-D jobs %.3f s, of which gather+build "
         "%.3f s)  best of %d\n", best.t3 + best.t6, best.t3, best.t6, best.build, reps);
  printf("checksum sum ln eps: 3-D %.10e  6-D %.10e\n", best.sum3, best.sum6);

  if (brute_q > 0) {
    double b3, b6;
    size_t mism;
    if (run_brute(x, n, J, brute_q, buf, eps, eps2, &b3, &b6, &mism) != 0) {
      fprintf(stderr, "bench_knn: %s\n", dp_error_message());
      return 1;
    }
    double scale = (double)n / (double)brute_q, bt = (b3 + b6) * scale;
    printf("brute   total %8.3f s  (extrapolated x%.2f from %zu queries per job: 3-D %.3f s, "
           "6-D %.3f s); answers bit-identical to the kd-tree: %s (%zu mismatches)\n",
           bt, scale, brute_q, b3 * scale, b6 * scale, mism ? "NO" : "yes", mism);
    printf("speed-up kdtree over brute: %.0fx\n", bt / (best.t3 + best.t6));
    if (mism) return 1;
  }
  free(x);
  free(buf);
  free(eps);
  free(eps2);
  return 0;
}
