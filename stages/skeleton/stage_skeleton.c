/* stage_skeleton.c - poses.h5 -> skeleton.h5: nearest-neighbour entropies of every
 * joint and joint pair, the mutual-information matrix, and its maximum spanning tree.
 *
 * Work items are (entropy job, query block): jobs are the J single joints (3-D) and
 * the J(J-1)/2 pairs (6-D). Items are listed job by job and cut into contiguous runs
 * of equal estimated cost, one run per rank, so a rank builds the search structure of
 * only the few jobs it touches. Each item's partial sum is gathered into one table
 * and summed per job in block order: the result is bit-identical for any rank count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/entropy.h"
#include "depthpose/h5io.h"
#include "depthpose/posefile.h"
#include "depthpose/rng.h"
#include "depthpose/stage.h"
#include "depthpose/tree.h"

static const char *const ESTIMATORS[] = {"kl", "ksg", "seed", NULL};
static const char *const METHODS[] = {"brute", "kdtree", NULL};
static const char *const POSITIONS[] = {"world", "root_relative", NULL};

typedef struct {
  int estimator, method, positions;
  long k, block, max_poses;
  double jitter_mm;
  const char *root;
} skeleton_opts;

static int configure(const dp_node *sec, void **out) {
  skeleton_opts *o = dp_calloc(1, sizeof *o, "skeleton options");
  if (!o) return -1;
  *out = o;
  DP_TRY(dp_cfg_enum(sec, "estimator", ESTIMATORS, DP_EST_KL, &o->estimator));
  DP_TRY(dp_cfg_enum(sec, "method", METHODS, DP_SEARCH_KDTREE, &o->method));
  DP_TRY(dp_cfg_enum(sec, "positions", POSITIONS, 0, &o->positions));
  DP_TRY(dp_cfg_int(sec, "k", 1, 1, DP_KNN_MAX_K, &o->k));
  DP_TRY(dp_cfg_int(sec, "block", 4096, 16, 1L << 30, &o->block));
  DP_TRY(dp_cfg_int(sec, "max_poses", 0, 0, 1L << 40, &o->max_poses));
  DP_TRY(dp_cfg_double(sec, "jitter_mm", 1e-3, 0, 100, &o->jitter_mm));
  DP_TRY(dp_cfg_string(sec, "root", "torso", &o->root));
  return 0;
}

/* ---- work items ----------------------------------------------------------- */

typedef struct {
  int a, b; /* joints; b = -1 for a single joint */
} job;

static int make_jobs(int J, job **out) {
  int n = J + J * (J - 1) / 2, k = 0;
  job *jobs = dp_malloc(sizeof *jobs * (size_t)n, "jobs");
  if (!jobs) return -1;
  for (int a = 0; a < J; a++) jobs[k++] = (job){a, -1};
  for (int a = 0; a < J; a++)
    for (int b = a + 1; b < J; b++) jobs[k++] = (job){a, b};
  *out = jobs;
  return n;
}

/* Relative cost of one query: a 6-D search visits roughly four times the leaves of a
 * 3-D one (measured with the kd-tree bench); KSG adds two radius counts. */
static double query_cost(const job *j, int estimator) {
  if (j->b < 0) return 1.0;
  return estimator == DP_EST_KSG ? 6.0 : 4.0;
}

/* Points of a job: n x 3 (single) or n x 6 (pair), doubles. */
static void job_points(const double *pos, size_t n, int J, const job *jb, double *pts) {
  int d = jb->b < 0 ? 3 : 6;
  for (size_t i = 0; i < n; i++) {
    const double *p = pos + i * (size_t)J * 3;
    memcpy(pts + i * (size_t)d, p + 3 * jb->a, 3 * sizeof *pts);
    if (jb->b >= 0) memcpy(pts + i * (size_t)d + 3, p + 3 * jb->b, 3 * sizeof *pts);
  }
}

/* Positions in double, root-relative if asked, plus the deterministic jitter that
 * keeps repeated points (static frames) from giving zero distances: uniform in
 * [-j/2, j/2] per coordinate, keyed by the pose's row in poses.h5 and the coordinate. */
static double *prepare_positions(const dp_pose_set *ps, const skeleton_opts *o, int root,
                                 uint64_t seed) {
  const int J = ps->n_joints;
  double *pos = dp_malloc(ps->n * (size_t)J * 3 * sizeof *pos, "positions");
  if (!pos) return NULL;
  for (size_t i = 0; i < ps->n; i++) {
    const float *p = ps->poses + i * (size_t)J * 3;
    for (int j = 0; j < J; j++) {
      dp_rng r;
      dp_rng_init(&r, seed, DP_STREAM_SKELETON_JITTER, (uint64_t)ps->index[i], (uint32_t)j);
      for (int a = 0; a < 3; a++) {
        double v = p[3 * j + a];
        if (o->positions == 1) v -= p[3 * root + a];
        pos[(i * (size_t)J + (size_t)j) * 3 + a] = v + o->jitter_mm * (dp_rng_uniform(&r) - 0.5);
      }
    }
  }
  return pos;
}

typedef struct {
  size_t first, count; /* this rank's items */
} item_range;

static item_range my_items(const job *jobs, int n_jobs, size_t n_blocks, int estimator,
                           int size, int rank) {
  double total = 0;
  for (int j = 0; j < n_jobs; j++) total += query_cost(&jobs[j], estimator) * (double)n_blocks;
  item_range r = {0, 0};
  double acc = 0;
  size_t lo = SIZE_MAX, hi = SIZE_MAX, it = 0;
  for (int j = 0; j < n_jobs; j++)
    for (size_t b = 0; b < n_blocks; b++, it++) {
      double c = query_cost(&jobs[j], estimator);
      int owner = (int)((acc + 0.5 * c) / total * size);
      if (owner >= size) owner = size - 1;
      if (owner == rank && lo == SIZE_MAX) lo = it;
      if (owner > rank && hi == SIZE_MAX) hi = it;
      acc += c;
    }
  if (lo == SIZE_MAX) return r;
  if (hi == SIZE_MAX) hi = it;
  r.first = lo;
  r.count = hi - lo;
  return r;
}

/* Compute this rank's items into sums[item - first]. One search structure at a time
 * (plus the two marginal ones for KSG), built when the job changes. */
static int compute_items(const double *pos, size_t n, int J, const job *jobs, size_t n_blocks,
                         const skeleton_opts *o, item_range r, double *sums) {
  double *pts = dp_malloc(n * 6 * sizeof *pts, "job points");
  double *mx = dp_malloc(n * 3 * sizeof *mx, "marginal points"), *my = dp_malloc(n * 3 * sizeof *my, "marginal points");
  if (!pts || !mx || !my) {
    free(pts), free(mx), free(my);
    return -1;
  }
  int rc = 0, cur = -1;
  dp_nn_index *ix = NULL, *ixx = NULL, *ixy = NULL;
  dp_progress prog;
  dp_progress_begin(&prog, "entropy items (rank 0)", r.count);
  for (size_t k = 0; rc == 0 && k < r.count; k++) {
    size_t item = r.first + k;
    int j = (int)(item / n_blocks);
    size_t b = item % n_blocks, q0 = b * (size_t)o->block, q1 = q0 + (size_t)o->block;
    if (q1 > n) q1 = n;
    const job *jb = &jobs[j];
    int d = jb->b < 0 ? 3 : 6;
    int ksg = o->estimator == DP_EST_KSG && jb->b >= 0;
    if (j != cur) {
      dp_nn_index_free(ix), dp_nn_index_free(ixx), dp_nn_index_free(ixy);
      ix = ixx = ixy = NULL;
      job_points(pos, n, J, jb, pts);
      ix = dp_nn_index_build(pts, n, d, o->method);
      if (ksg) {
        job ja = {jb->a, -1}, jbb = {jb->b, -1};
        job_points(pos, n, J, &ja, mx);
        job_points(pos, n, J, &jbb, my);
        ixx = dp_nn_index_build(mx, n, 3, o->method);
        ixy = dp_nn_index_build(my, n, 3, o->method);
      }
      if (!ix || (ksg && (!ixx || !ixy))) rc = -1;
      cur = j;
    }
    if (rc == 0)
      rc = ksg ? dp_ksg_partial(ix, ixx, ixy, (int)o->k, q0, q1, &sums[k])
               : dp_entropy_partial(ix, (int)o->k, q0, q1, &sums[k]);
    dp_progress_update(&prog, k + 1);
  }
  dp_progress_end(&prog);
  dp_nn_index_free(ix), dp_nn_index_free(ixx), dp_nn_index_free(ixy);
  free(pts), free(mx), free(my);
  return rc;
}

/* All ranks get every item's sum, in item order. */
static int gather_items(dp_ctx *ctx, item_range r, const double *mine, double *all) {
  int *counts = dp_malloc(sizeof(int) * 2 * (size_t)ctx->size, "counts");
  if (!counts) return -1;
  int *displs = counts + ctx->size, c = (int)r.count, f = (int)r.first;
  MPI_Allgather(&c, 1, MPI_INT, counts, 1, MPI_INT, ctx->comm);
  MPI_Allgather(&f, 1, MPI_INT, displs, 1, MPI_INT, ctx->comm);
  MPI_Allgatherv(mine, c, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, ctx->comm);
  free(counts);
  return 0;
}

typedef struct {
  double *entropy, *joint_entropy, *mi;
} results;

static void finish(const job *jobs, int n_jobs, size_t n_blocks, const double *item_sums,
                   size_t n, int J, const skeleton_opts *o, results *res) {
  double *job_sum = calloc((size_t)n_jobs, sizeof *job_sum);
  for (int j = 0; j < n_jobs; j++)
    for (size_t b = 0; b < n_blocks; b++) job_sum[j] += item_sums[(size_t)j * n_blocks + b];
  for (int j = 0; j < n_jobs; j++) {
    const job *jb = &jobs[j];
    int d = jb->b < 0 ? 3 : 6;
    double h = o->estimator == DP_EST_SEED ? dp_seed_finish(job_sum[j], n)
                                           : dp_kl_finish(job_sum[j], n, d, (int)o->k);
    if (jb->b < 0) {
      res->entropy[jb->a] = h;
      res->joint_entropy[jb->a * J + jb->a] = h;
      continue;
    }
    double mi;
    if (o->estimator == DP_EST_KSG) {
      /* KSG estimates MI directly; the joint entropy shown is the one it implies
       * with the KL marginal entropies. */
      mi = dp_ksg_finish(job_sum[j], n, (int)o->k);
    } else {
      mi = res->entropy[jb->a] + res->entropy[jb->b] - h;
    }
    double hj = res->entropy[jb->a] + res->entropy[jb->b] - mi;
    res->mi[jb->a * J + jb->b] = res->mi[jb->b * J + jb->a] = mi;
    res->joint_entropy[jb->a * J + jb->b] = res->joint_entropy[jb->b * J + jb->a] = hj;
  }
  free(job_sum);
}

/* For KSG the single-joint entropies still come from KL (KSG has no entropy). */
static void singles_with_kl(skeleton_opts *k) {
  if (k->estimator == DP_EST_KSG) k->estimator = DP_EST_KL;
}

static void print_tree(int v, int depth, const int *parent, const double *mi, int J,
                       char **names, FILE *dot) {
  if (depth == 0 && !dot) dp_info("tree from %s (MI in nats on each edge):", names[v]);
  for (int c = 0; c < J; c++)
    if (parent[c] == v) {
      if (!dot) dp_info("  %*s%s  (%.3f)", 2 * depth, "", names[c], mi[v * J + c]);
      else fprintf(dot, "  \"%s\" -> \"%s\" [label=\"%.3f\"];\n", names[v], names[c], mi[v * J + c]);
      print_tree(c, depth + 1, parent, mi, J, names, dot);
    }
}

static int write_outputs(dp_ctx *ctx, const skeleton_opts *o, const dp_pose_set *ps,
                         const results *res, const int *parent, const int *order) {
  const int J = ps->n_joints;
  hid_t f = dp_h5_create(dp_ctx_output(ctx, "skeleton.h5"), ctx->comm);
  int rc = dp_ctx_sync(ctx, f < 0 ? -1 : 0);
  if (rc != 0) return -1;
  hsize_t d2[2] = {(hsize_t)J, (hsize_t)J}, rows = ctx->rank == 0 ? (hsize_t)J : 0;
  rc = dp_h5_write_rows(f, "entropy", H5T_NATIVE_DOUBLE, 1, d2, 0, rows, res->entropy, "nats");
  if (rc == 0) rc = dp_h5_write_rows(f, "joint_entropy", H5T_NATIVE_DOUBLE, 2, d2, 0, rows, res->joint_entropy, "nats");
  if (rc == 0) rc = dp_h5_write_rows(f, "mi", H5T_NATIVE_DOUBLE, 2, d2, 0, rows, res->mi, "nats");
  if (rc == 0) rc = dp_h5_write_rows(f, "parent", H5T_NATIVE_INT, 1, d2, 0, rows, parent, NULL);
  if (rc == 0) rc = dp_h5_write_rows(f, "order", H5T_NATIVE_INT, 1, d2, 0, rows, order, NULL);
  if (rc == 0) rc = dp_h5_attr_strings(f, "joint_names", (const char *const *)ps->joint_names, (size_t)J);
  if (rc == 0) rc = dp_h5_attr_string(f, "estimator", ESTIMATORS[o->estimator]);
  if (rc == 0) rc = dp_h5_attr_string(f, "method", METHODS[o->method]);
  if (rc == 0) rc = dp_h5_attr_string(f, "positions", POSITIONS[o->positions]);
  if (rc == 0) rc = dp_h5_attr_long(f, "k", o->k);
  if (rc == 0) rc = dp_h5_attr_long(f, "N", (long)ps->n);
  if (rc == 0) rc = dp_h5_attr_double(f, "jitter_mm", o->jitter_mm);
  if (dp_h5_close(f) != 0) rc = -1;
  if (rc == 0 && ctx->rank == 0) {
    const char *dot_path = dp_ctx_output(ctx, "skeleton.dot");
    FILE *dot = fopen(dot_path, "w");
    if (!dot) rc = dp_fail("%s: cannot write", dot_path);
    else {
      fprintf(dot, "digraph skeleton {\n  // maximum spanning tree over mutual information (nats), %s estimator\n",
              ESTIMATORS[o->estimator]);
      print_tree(order[0], 0, parent, res->mi, J, ps->joint_names, dot);
      fprintf(dot, "}\n");
      if (fclose(dot) != 0) rc = dp_fail("%s: write failed", dot_path);
    }
  }
  return dp_ctx_sync(ctx, rc);
}

static int run(dp_ctx *ctx) {
  const skeleton_opts *o = ctx->opts;
  dp_pose_set ps;
  int rc = dp_pose_set_read(dp_ctx_input(ctx, "poses.h5"), ctx->comm, 0, &ps);
  int root = rc == 0 ? dp_pose_set_joint(&ps, o->root) : -1;
  if (rc == 0 && root < 0) rc = dp_fail("stages.skeleton.root: %s is not a joint of poses.h5", o->root);
  if (rc == 0 && ps.n < (size_t)o->k + 2)
    rc = dp_fail("poses.h5: only %zu training poses; the estimator needs more than k + 1 = %ld",
                 ps.n, o->k + 1);
  DP_TRY(dp_ctx_sync(ctx, rc));
  if (o->max_poses > 0 && ps.n > (size_t)o->max_poses) ps.n = (size_t)o->max_poses; /* first N */
  const int J = ps.n_joints;
  const size_t n = ps.n, n_blocks = (n + (size_t)o->block - 1) / (size_t)o->block;
  job *jobs = NULL;
  int n_jobs = make_jobs(J, &jobs);
  double *pos = n_jobs > 0 ? prepare_positions(&ps, o, root, ctx->seed) : NULL;
  item_range r = my_items(jobs, n_jobs, n_blocks, o->estimator, ctx->size, ctx->rank);
  double *mine = dp_malloc((r.count + 1) * sizeof *mine, "partial sums");
  double *all = dp_malloc((size_t)n_jobs * n_blocks * sizeof *all + 1, "partial sums");
  rc = pos && mine && all ? 0 : -1;
  double t0 = dp_now();
  if (rc == 0) rc = compute_items(pos, n, J, jobs, n_blocks, o, r, mine);
  double t_compute = dp_now() - t0;
  dp_verbose("skeleton: %zu items in %.2f s", r.count, t_compute);
  rc = dp_ctx_sync(ctx, rc);
  double t_max = t_compute, t_min = t_compute; /* the stage takes as long as its slowest rank */
  if (rc == 0) {
    MPI_Allreduce(MPI_IN_PLACE, &t_max, 1, MPI_DOUBLE, MPI_MAX, ctx->comm);
    MPI_Allreduce(MPI_IN_PLACE, &t_min, 1, MPI_DOUBLE, MPI_MIN, ctx->comm);
    rc = gather_items(ctx, r, mine, all);
  }
  results res = {calloc((size_t)J, sizeof(double)), calloc((size_t)J * J, sizeof(double)),
                 calloc((size_t)J * J, sizeof(double))};
  int *parent = calloc((size_t)J, sizeof *parent), *order = calloc((size_t)J, sizeof *order);
  if (rc == 0 && (!res.entropy || !res.joint_entropy || !res.mi || !parent || !order))
    rc = dp_fail("out of memory");
  if (rc == 0) {
    skeleton_opts singles = *o;
    singles_with_kl(&singles);
    finish(jobs, J, n_blocks, all, n, J, &singles, &res);  /* single joints first */
    finish(jobs + J, n_jobs - J, n_blocks, all + (size_t)J * n_blocks, n, J, o, &res);
    rc = dp_max_spanning_tree(res.mi, J, root, parent, order);
  }
  if (rc == 0) {
    print_tree(order[0], 0, parent, res.mi, J, ps.joint_names, NULL);
    rc = write_outputs(ctx, o, &ps, &res, parent, order);
  }
  if (rc == 0)
    dp_ctx_summary(ctx, "%s/%s k=%ld on %zu poses x %d joints: %d entropy jobs x %zu blocks in %.2f s "
                   "(slowest rank; fastest %.2f s); root %s", ESTIMATORS[o->estimator],
                   METHODS[o->method], o->k, n, J, n_jobs, n_blocks, t_max, t_min, o->root);
  free(res.entropy), free(res.joint_entropy), free(res.mi), free(parent), free(order);
  free(jobs), free(pos), free(mine), free(all);
  dp_pose_set_free(&ps);
  return rc;
}

const dp_stage dp_stage_skeleton = {
    .name = "skeleton",
    .what = "nearest-neighbour mutual information of all joint pairs and its spanning tree",
    .inputs = {"poses.h5"},
    .outputs = {"skeleton.h5", "skeleton.dot"},
    .configure = configure,
    .run = run,
    .free_opts = free,
};
