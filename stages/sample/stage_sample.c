/* stage_sample.c - poses.h5 + skeleton.h5 -> synth.h5: M new poses by KDE along the
 * learned tree, and the coverage of held-out real poses.
 *
 * Pose i is a pure function of (seed, i) (sampler.c), so ranks make disjoint index
 * ranges and write them as hyperslabs: the file is the same for any rank count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "depthpose/h5io.h"
#include "depthpose/posefile.h"
#include "depthpose/stage.h"
#include "sampler.h"

static const char *const ROOTS[] = {"origin", "kde", NULL};

typedef struct {
  long count;
  int canonical, root_kde, keep_bone_lengths, coverage;
  double bandwidth_scale, capsule_radius_mm;
  long max_attempts, coverage_max_test;
  const char *l_hip, *r_hip;
} sample_opts;

static int configure(const dp_node *sec, void **out) {
  sample_opts *o = dp_calloc(1, sizeof *o, "sample options");
  if (!o) return -1;
  *out = o;
  DP_TRY(dp_cfg_int(sec, "count", 100000, 1, 1L << 40, &o->count));
  DP_TRY(dp_cfg_bool(sec, "canonical_orientation", 1, &o->canonical));
  DP_TRY(dp_cfg_enum(sec, "root_position", ROOTS, 0, &o->root_kde));
  DP_TRY(dp_cfg_double(sec, "bandwidth_scale", 1.0, 0, 100, &o->bandwidth_scale));
  DP_TRY(dp_cfg_bool(sec, "keep_bone_lengths", 0, &o->keep_bone_lengths));
  DP_TRY(dp_cfg_double(sec, "reject_capsule_radius_mm", 0, 0, 1000, &o->capsule_radius_mm));
  DP_TRY(dp_cfg_int(sec, "max_attempts", 100, 1, 1000000, &o->max_attempts));
  DP_TRY(dp_cfg_bool(sec, "coverage", 1, &o->coverage));
  DP_TRY(dp_cfg_int(sec, "coverage_max_test", 0, 0, 1L << 40, &o->coverage_max_test));
  DP_TRY(dp_cfg_string(sec, "left_hip", "l_hip", &o->l_hip));
  DP_TRY(dp_cfg_string(sec, "right_hip", "r_hip", &o->r_hip));
  return 0;
}

static int canonicalise(const sample_opts *o, dp_pose_set *ps) {
  if (!o->canonical) return 0;
  int l = dp_pose_set_joint(ps, o->l_hip), r = dp_pose_set_joint(ps, o->r_hip);
  if (l < 0 || r < 0)
    return dp_fail("canonical_orientation needs the hip joints %s and %s in poses.h5 "
                   "(stages.sample.left_hip / right_hip)", o->l_hip, o->r_hip);
  for (size_t i = 0; i < ps->n; i++) dp_canonical_orientation(ps->poses + i * (size_t)ps->n_joints * 3, ps->n_joints, l, r);
  return 0;
}

typedef struct {
  long n_test;
  double train_mean, train_median, synth_mean, synth_median, closer_synth;
} coverage_stats;

/* Test poses (split 2) against all train poses and all synthetic poses, centred on the
 * tree's root; test poses are dealt to ranks, the synthetic set is gathered. */
static int coverage(dp_ctx *ctx, const sample_opts *o, dp_pose_set *train, const dp_skeleton *sk,
                    const float *mine, size_t m_first, size_t m_count, size_t M, hid_t f,
                    coverage_stats *st) {
  const int J = train->n_joints, root = sk->order[0];
  dp_pose_set test;
  int rc = dp_pose_set_read(dp_ctx_input(ctx, "poses.h5"), ctx->comm, 2, &test);
  if (rc == 0) rc = canonicalise(o, &test);
  float *synth = rc == 0 ? dp_malloc(M * (size_t)J * 3 * sizeof *synth, "synthetic poses (all ranks)") : NULL;
  DP_TRY(dp_ctx_sync(ctx, rc == 0 && !synth ? -1 : rc));
  if (o->coverage_max_test > 0 && test.n > (size_t)o->coverage_max_test) test.n = (size_t)o->coverage_max_test;
  int *counts = malloc(sizeof(int) * 2 * (size_t)ctx->size), *displs = counts + ctx->size;
  int c = (int)(m_count * (size_t)J * 3), d = (int)(m_first * (size_t)J * 3);
  MPI_Allgather(&c, 1, MPI_INT, counts, 1, MPI_INT, ctx->comm);
  MPI_Allgather(&d, 1, MPI_INT, displs, 1, MPI_INT, ctx->comm);
  MPI_Allgatherv(mine, c, MPI_FLOAT, synth, counts, displs, MPI_FLOAT, ctx->comm);
  dp_center_poses(synth, M, J, root);
  dp_center_poses(train->poses, train->n, J, root);
  dp_center_poses(test.poses, test.n, J, root);
  size_t t0, tn;
  dp_split_range(test.n, ctx->size, ctx->rank, &t0, &tn);
  double *dist = calloc(2 * test.n + 2, sizeof *dist), *to_train = dist, *to_synth = dist + test.n;
  dp_nearest_mean_joint_distance(test.poses, t0, t0 + tn, train->poses, train->n, J, to_train + t0);
  dp_nearest_mean_joint_distance(test.poses, t0, t0 + tn, synth, M, J, to_synth + t0);
  for (int r = 0; r < ctx->size; r++) {
    size_t a, b;
    dp_split_range(test.n, ctx->size, r, &a, &b);
    counts[r] = (int)b;
    displs[r] = (int)a;
  }
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, to_train, counts, displs, MPI_DOUBLE, ctx->comm);
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, to_synth, counts, displs, MPI_DOUBLE, ctx->comm);
  st->n_test = (long)test.n;
  long closer = 0;
  st->train_mean = st->synth_mean = 0;
  for (size_t i = 0; i < test.n; i++) {
    closer += to_synth[i] < to_train[i];
    st->train_mean += to_train[i] / (double)test.n;
    st->synth_mean += to_synth[i] / (double)test.n;
  }
  st->closer_synth = test.n ? (double)closer / (double)test.n : NAN;
  hsize_t dims[1] = {test.n};
  rc = dp_h5_write_rows(f, "coverage_test_to_train", H5T_NATIVE_DOUBLE, 1, dims, t0, tn, to_train + t0, "mm");
  if (rc == 0) rc = dp_h5_write_rows(f, "coverage_test_to_synth", H5T_NATIVE_DOUBLE, 1, dims, t0, tn, to_synth + t0, "mm");
  st->train_median = dp_median(to_train, test.n);
  st->synth_median = dp_median(to_synth, test.n);
  free(dist);
  free(counts);
  free(synth);
  dp_pose_set_free(&test);
  return rc;
}

static int write_attrs(hid_t f, const dp_ctx *ctx, const sample_opts *o, const dp_pose_set *ps,
                       const coverage_stats *cs, double reject_rate) {
  int rc = dp_h5_attr_strings(f, "joint_names", (const char *const *)ps->joint_names, (size_t)ps->n_joints);
  if (rc == 0) rc = dp_h5_attr_long(f, "seed", (long)ctx->seed);
  if (rc == 0) rc = dp_h5_attr_string(f, "units", "mm");
  if (rc == 0) rc = dp_h5_attr_long(f, "canonical_orientation", o->canonical);
  if (rc == 0) rc = dp_h5_attr_double(f, "bandwidth_scale", o->bandwidth_scale);
  if (rc == 0) rc = dp_h5_attr_long(f, "n_train", (long)ps->n);
  if (rc == 0) rc = dp_h5_attr_double(f, "rejection_rate", reject_rate);
  if (rc == 0 && cs->n_test > 0) {
    rc = dp_h5_attr_long(f, "coverage_n_test", cs->n_test);
    if (rc == 0) rc = dp_h5_attr_double(f, "coverage_train_mean_mm", cs->train_mean);
    if (rc == 0) rc = dp_h5_attr_double(f, "coverage_train_median_mm", cs->train_median);
    if (rc == 0) rc = dp_h5_attr_double(f, "coverage_synth_mean_mm", cs->synth_mean);
    if (rc == 0) rc = dp_h5_attr_double(f, "coverage_synth_median_mm", cs->synth_median);
    if (rc == 0) rc = dp_h5_attr_double(f, "coverage_fraction_closer_to_synth", cs->closer_synth);
  }
  return rc;
}

static int run(dp_ctx *ctx) {
  const sample_opts *o = ctx->opts;
  dp_pose_set ps;
  dp_skeleton sk = {0};
  int rc = dp_pose_set_read(dp_ctx_input(ctx, "poses.h5"), ctx->comm, 0, &ps);
  if (rc == 0) rc = dp_skeleton_read(dp_ctx_input(ctx, "skeleton.h5"), ctx->comm, &ps, &sk);
  if (rc == 0 && ps.n == 0) rc = dp_fail("poses.h5: the train split is empty; nothing to sample from");
  if (rc == 0) rc = canonicalise(o, &ps);
  DP_TRY(dp_ctx_sync(ctx, rc));
  const int J = ps.n_joints;
  dp_sampler_config sc = {.n_joints = J, .parent = sk.parent, .order = sk.order, .n = ps.n,
                          .poses = ps.poses, .bandwidth_scale = o->bandwidth_scale,
                          .root_kde = o->root_kde, .keep_bone_lengths = o->keep_bone_lengths,
                          .capsule_radius_mm = o->capsule_radius_mm,
                          .max_attempts = (int)o->max_attempts, .seed = ctx->seed};
  dp_sampler s;
  rc = dp_sampler_init(&s, &sc);
  const size_t M = (size_t)o->count;
  size_t first, count;
  dp_split_range(M, ctx->size, ctx->rank, &first, &count);
  float *mine = rc == 0 ? dp_malloc((count + 1) * (size_t)J * 3 * sizeof *mine, "synthetic poses") : NULL;
  rc = dp_ctx_sync(ctx, rc == 0 && !mine ? -1 : rc);
  long rejected = 0, total_rejected = 0;
  double t0 = dp_now();
  dp_progress prog;
  dp_progress_begin(&prog, "sample poses (rank 0)", count);
  for (size_t i = 0; rc == 0 && i < count; i++) {
    int rej;
    dp_sampler_draw(&s, first + i, mine + i * (size_t)J * 3, &rej);
    rejected += rej;
    if (i % 4096 == 0) dp_progress_update(&prog, i);
  }
  dp_progress_end(&prog);
  double t_sample = dp_now() - t0;
  hid_t f = -1;
  coverage_stats cs = {0};
  if (rc == 0) { /* the stage's rate is set by its slowest rank */
    MPI_Allreduce(MPI_IN_PLACE, &t_sample, 1, MPI_DOUBLE, MPI_MAX, ctx->comm);
    MPI_Allreduce(&rejected, &total_rejected, 1, MPI_LONG, MPI_SUM, ctx->comm);
    f = dp_h5_create(dp_ctx_output(ctx, "synth.h5"), ctx->comm);
    rc = dp_ctx_sync(ctx, f < 0 ? -1 : 0);
  }
  if (rc == 0) {
    hsize_t dims[3] = {M, (hsize_t)J, 3}, jd[1] = {(hsize_t)J};
    hsize_t rows = ctx->rank == 0 ? (hsize_t)J : 0;
    rc = dp_h5_write_rows(f, "poses", H5T_NATIVE_FLOAT, 3, dims, first, count, mine, "mm");
    if (rc == 0) rc = dp_h5_write_rows(f, "bandwidth", H5T_NATIVE_DOUBLE, 1, jd, 0, rows, s.bandwidth, "mm");
    if (rc == 0) rc = dp_h5_write_rows(f, "parent", H5T_NATIVE_INT, 1, jd, 0, rows, sk.parent, NULL);
    if (rc == 0 && o->coverage) rc = coverage(ctx, o, &ps, &sk, mine, first, count, M, f, &cs);
    double rate = (double)total_rejected / (double)(M + (size_t)total_rejected);
    if (rc == 0) rc = write_attrs(f, ctx, o, &ps, &cs, rate);
    if (dp_h5_close(f) != 0) rc = -1;
    if (rc == 0) {
      char cov[512] = "";
      if (cs.n_test > 0)
        snprintf(cov, sizeof cov, "; coverage of %ld test poses: nearest train %.1f mm mean / %.1f median, "
                 "nearest synthetic %.1f / %.1f, %.1f%% closer to a synthetic pose",
                 cs.n_test, cs.train_mean, cs.train_median, cs.synth_mean, cs.synth_median,
                 100 * cs.closer_synth);
      char rej[96] = "";
      if (o->capsule_radius_mm > 0) snprintf(rej, sizeof rej, ", %.2f%% of draws rejected", 100 * rate);
      dp_ctx_summary(ctx, "%zu poses from %zu train poses (%s offsets) drawn in %.2f s (%.0f poses/s)%s%s",
                     M, ps.n, o->canonical ? "canonical" : "world-axis", t_sample,
                     t_sample > 0 ? (double)M / t_sample : 0.0, rej, cov);
    }
  }
  free(mine);
  dp_sampler_free(&s);
  dp_skeleton_free(&sk);
  dp_pose_set_free(&ps);
  return rc;
}

const dp_stage dp_stage_sample = {
    .name = "sample",
    .what = "new poses by per-joint Gaussian KDE along the learned tree, and their coverage",
    .inputs = {"poses.h5", "skeleton.h5"},
    .outputs = {"synth.h5"},
    .configure = configure,
    .run = run,
    .free_opts = free,
};
