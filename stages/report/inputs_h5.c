/* inputs_h5.c - the HDF5 inputs of the report, read on rank 0 and checked against each
 * other: poses.h5 (train split: the mean pose and the real gallery), skeleton.h5 (the
 * tree and MI, through the shared posefile.h reader), synth.h5 (a few sampled poses and
 * the coverage distances), depth.h5 (only the frames the grid shows) and model.h5
 * (losses and, when the train stage stored it, the per-epoch history). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/h5io.h"
#include "depthpose/posefile.h"
#include "report.h"

static void path_in(char *buf, size_t cap, const char *workdir, const char *name) {
  snprintf(buf, cap, "%s/%s", workdir, name);
}

/* A work-directory file opened by this process alone (only rank 0 reads). */
static hid_t open_input(const char *workdir, const char *name) {
  char path[4200];
  path_in(path, sizeof path, workdir, name);
  return dp_h5_open_serial(path);
}

/* A file's joint_names attribute must be poses.h5's, in the same order. */
static int same_joints(hid_t f, const rp_data *d) {
  char **names = NULL;
  size_t n = 0;
  DP_TRY(dp_h5_read_attr_strings(f, "joint_names", &names, &n));
  int rc = 0;
  if (n != (size_t)d->J)
    rc = dp_fail("%s: attribute joint_names has %zu joints, expected poses.h5's %d", dp_h5_filename(f), n, d->J);
  for (int j = 0; rc == 0 && j < d->J; j++)
    if (strcmp(names[j], d->names[j]))
      rc = dp_fail("%s: joint_names[%d] is \"%s\", expected poses.h5's \"%s\"", dp_h5_filename(f), j, names[j],
                   d->names[j]);
  dp_h5_free_strings(names, n);
  return rc;
}

static int has_dataset(hid_t f, const char *name) { return H5Lexists(f, name, H5P_DEFAULT) > 0; }

/* Evenly spaced picks: k of n, the middle of each of k equal parts (k <= n). */
static size_t pick(size_t k, size_t of_k, size_t n) { return (2 * k + 1) * n / (2 * of_k); }

/* skeleton.h5 through the shared reader (same joints as poses.h5, a valid tree), plus
 * its estimator name. */
static int load_skeleton(const char *workdir, rp_data *d) {
  char path[4200];
  path_in(path, sizeof path, workdir, "skeleton.h5");
  dp_pose_set names_only = {.n_joints = d->J, .joint_names = d->names};
  dp_skeleton sk;
  DP_TRY(dp_skeleton_read(path, MPI_COMM_SELF, &names_only, &sk));
  memcpy(d->parent, sk.parent, sizeof(int) * (size_t)d->J);
  d->root = sk.order[0];
  d->mi = sk.mi;
  sk.mi = NULL;
  dp_skeleton_free(&sk);
  hid_t f = open_input(workdir, "skeleton.h5");
  if (f < 0) return -1;
  char *est = NULL; /* optional: older files may lack it */
  int rc = H5Aexists(f, "estimator") > 0 ? dp_h5_read_attr_string(f, "estimator", &est) : 0;
  if (est) snprintf(d->estimator, sizeof d->estimator, "%s", est);
  free(est);
  dp_h5_close(f);
  return rc;
}

/* The mean training pose and the real gallery, each pose root-centred and turned to
 * face the viewer first (averaging poses that face every way would fold the limbs). */
static void mean_and_gallery(const dp_pose_set *train, const rp_opts *o, rp_data *d) {
  d->hips_l = dp_joint_index((const char *const *)d->names, d->J, "l_hip");
  d->hips_r = dp_joint_index((const char *const *)d->names, d->J, "r_hip");
  if (d->hips_l < 0 || d->hips_r < 0) d->hips_l = d->hips_r = -1;
  const size_t J3 = 3 * (size_t)d->J;
  double sum[DP_MAX_JOINTS * 3] = {0};
  float one[DP_MAX_JOINTS * 3];
  for (size_t i = 0; i < train->n; i++) {
    memcpy(one, train->poses + i * J3, sizeof(float) * J3);
    rp_prepare_pose(one, d->J, d->root, d->hips_l, d->hips_r);
    for (size_t k = 0; k < J3; k++) sum[k] += one[k];
  }
  for (size_t k = 0; k < J3; k++) d->mean_pose[k] = (float)(sum[k] / (double)train->n);
  d->n_real = (int)(train->n < (size_t)o->gallery ? train->n : (size_t)o->gallery);
  for (int k = 0; k < d->n_real; k++) {
    float *p = d->real + (size_t)k * J3;
    memcpy(p, train->poses + pick((size_t)k, (size_t)d->n_real, train->n) * J3, sizeof(float) * J3);
    rp_prepare_pose(p, d->J, d->root, d->hips_l, d->hips_r);
  }
}

static int load_poses(const char *workdir, const rp_opts *o, rp_data *d) {
  char path[4200];
  path_in(path, sizeof path, workdir, "poses.h5");
  dp_pose_set train;
  DP_TRY(dp_pose_set_read(path, MPI_COMM_SELF, 0, &train));
  d->J = train.n_joints;
  d->names = train.joint_names; /* taken over */
  train.joint_names = NULL;
  d->n_train = train.n;
  int rc = train.n ? load_skeleton(workdir, d) : dp_fail("%s: no train-split poses (/split has no 0)", path);
  if (rc == 0) mean_and_gallery(&train, o, d);
  dp_pose_set_free(&train);
  return rc;
}

static int load_synth(const char *workdir, const rp_opts *o, rp_data *d) {
  hid_t f = open_input(workdir, "synth.h5");
  if (f < 0) return -1;
  hsize_t want[3] = {0, (hsize_t)d->J, 3}, got[3];
  int rc = same_joints(f, d);
  if (rc == 0) rc = dp_h5_expect(f, "poses", 3, want, got);
  d->n_synth = rc == 0 ? (size_t)got[0] : 0;
  d->n_fake = (int)(d->n_synth < (size_t)o->gallery ? d->n_synth : (size_t)o->gallery);
  hsize_t rows[RP_GALLERY_MAX];
  for (int k = 0; k < d->n_fake; k++) rows[k] = pick((size_t)k, (size_t)d->n_fake, d->n_synth);
  if (rc == 0) rc = dp_h5_read_index(f, "poses", H5T_NATIVE_FLOAT, rows, (size_t)d->n_fake, d->fake);
  for (int k = 0; rc == 0 && k < d->n_fake; k++)
    rp_prepare_pose(d->fake + (size_t)k * 3 * d->J, d->J, d->root, d->hips_l, d->hips_r);
  /* coverage is optional (stages.sample.coverage: false writes none) */
  if (rc == 0 && has_dataset(f, "coverage_test_to_train") && has_dataset(f, "coverage_test_to_synth")) {
    hsize_t n[1] = {0}, m[1];
    rc = dp_h5_expect(f, "coverage_test_to_train", 1, n, m);
    if (rc == 0) rc = dp_h5_expect(f, "coverage_test_to_synth", 1, m, NULL);
    d->n_cov = rc == 0 ? (size_t)m[0] : 0;
    d->cov_train = dp_malloc(sizeof(double) * (d->n_cov + 1), "coverage distances");
    d->cov_synth = dp_malloc(sizeof(double) * (d->n_cov + 1), "coverage distances");
    if (rc == 0 && (!d->cov_train || !d->cov_synth)) rc = -1;
    if (rc == 0) rc = dp_h5_read_rows(f, "coverage_test_to_train", H5T_NATIVE_DOUBLE, 0, d->n_cov, d->cov_train);
    if (rc == 0) rc = dp_h5_read_rows(f, "coverage_test_to_synth", H5T_NATIVE_DOUBLE, 0, d->n_cov, d->cov_synth);
    if (rc == 0) rc = rp_stats(d->cov_train, d->n_cov, &d->cov[0]);
    if (rc == 0) rc = rp_stats(d->cov_synth, d->n_cov, &d->cov[1]);
    size_t closer = 0;
    for (size_t i = 0; rc == 0 && i < d->n_cov; i++) closer += d->cov_synth[i] < d->cov_train[i];
    d->cov_closer = d->n_cov ? (double)closer / (double)d->n_cov : NAN;
  }
  dp_h5_close(f);
  return rc;
}

/* Only the frames drawn are read: depth.h5 can be hundreds of MB. */
static int load_depth(const char *workdir, const rp_opts *o, rp_data *d) {
  hid_t f = open_input(workdir, "depth.h5");
  if (f < 0) return -1;
  hsize_t dd[3] = {0, 0, 0}, got[3], dj[3] = {0, (hsize_t)d->J, 2}, d1[1];
  int rc = same_joints(f, d);
  if (rc == 0) rc = dp_h5_expect(f, "depth", 3, dd, got);
  if (rc == 0 && (got[0] == 0 || got[1] == 0 || got[2] == 0))
    rc = dp_fail("%s: dataset depth has no frames (shape [%llu,%llu,%llu])", dp_h5_filename(f), (unsigned long long)got[0],
                 (unsigned long long)got[1], (unsigned long long)got[2]);
  d->n_depth = rc == 0 ? (size_t)got[0] : 0;
  d->H = (int)got[1], d->W = (int)got[2];
  dj[0] = d1[0] = d->n_depth;
  if (rc == 0) rc = dp_h5_expect(f, "joints2d", 3, dj, NULL);
  if (rc == 0) rc = dp_h5_expect(f, "split", 1, d1, NULL);
  if (rc == 0) rc = dp_h5_expect(f, "origin", 1, d1, NULL);
  unsigned char *split = rc == 0 ? dp_malloc(d->n_depth, "depth.h5 splits") : NULL;
  if (rc == 0 && !split) rc = -1;
  if (rc == 0) rc = dp_h5_read_rows(f, "split", H5T_NATIVE_UCHAR, 0, d->n_depth, split);
  for (size_t i = 0; rc == 0 && i < d->n_depth; i++) d->n_depth_test += split[i] == 2;
  d->frames_are_test = d->n_depth_test > 0;
  size_t pool = d->frames_are_test ? d->n_depth_test : d->n_depth;
  d->n_frames = (int)(pool < (size_t)o->frames ? pool : (size_t)o->frames);
  hsize_t rows[RP_FRAMES_MAX];
  for (size_t i = 0, seen = 0, k = 0; rc == 0 && i < d->n_depth && k < (size_t)d->n_frames; i++) {
    if (d->frames_are_test && split[i] != 2) continue;
    if (seen++ == pick(k, (size_t)d->n_frames, pool)) rows[k] = i, d->frame_row[k++] = i;
  }
  free(split);
  size_t px = (size_t)d->H * (size_t)d->W, n = (size_t)d->n_frames;
  d->depth = rc == 0 ? dp_malloc(sizeof(uint16_t) * px * n + 1, "depth frames") : NULL;
  d->joints2d = rc == 0 ? dp_malloc(sizeof(float) * 2 * (size_t)d->J * n + 1, "2-D joints") : NULL;
  if (rc == 0 && (!d->depth || !d->joints2d)) rc = -1;
  if (rc == 0) rc = dp_h5_read_index(f, "depth", H5T_NATIVE_UINT16, rows, n, d->depth);
  if (rc == 0) rc = dp_h5_read_index(f, "joints2d", H5T_NATIVE_FLOAT, rows, n, d->joints2d);
  if (rc == 0) rc = dp_h5_read_index(f, "origin", H5T_NATIVE_UCHAR, rows, n, d->frame_origin);
  dp_h5_close(f);
  return rc;
}

/* model.h5 /epoch_history [E][C] with attribute columns (C names): the columns the
 * figure needs, found by name, so new columns do not break the report. */
static int load_history(hid_t f, rp_data *d) {
  static const char *const WANT[RP_H_N] = {"phase", "epoch", "train_loss", "val_loss", "val_mean_joint_error_mm"};
  hsize_t got[2], any[2] = {0, 0};
  DP_TRY(dp_h5_expect(f, "epoch_history", 2, any, got));
  hid_t ds = H5Dopen2(f, "epoch_history", H5P_DEFAULT);
  char **cols = NULL;
  size_t nc = 0;
  int rc = ds < 0 ? dp_fail("%s: cannot open dataset epoch_history", dp_h5_filename(f)) : 0;
  if (rc == 0) rc = dp_h5_read_attr_strings(ds, "columns", &cols, &nc);
  if (ds >= 0) H5Dclose(ds);
  if (rc == 0 && nc != got[1])
    rc = dp_fail("%s: dataset epoch_history has %llu columns but its attribute columns names %zu", dp_h5_filename(f),
                 (unsigned long long)got[1], nc);
  int at[RP_H_N];
  for (int k = 0; k < RP_H_N; k++) {
    at[k] = -1;
    for (size_t c = 0; rc == 0 && c < nc; c++)
      if (!strcmp(cols[c], WANT[k])) at[k] = (int)c;
  }
  dp_h5_free_strings(cols, nc);
  if (rc == 0 && (at[RP_H_PHASE] < 0 || at[RP_H_TRAIN] < 0))
    rc = dp_fail("%s: dataset epoch_history: expected columns \"phase\" and \"train_loss\"", dp_h5_filename(f));
  size_t E = (size_t)got[0], C = (size_t)got[1];
  double *raw = rc == 0 ? dp_malloc(sizeof(double) * E * C + 1, "epoch history") : NULL;
  d->hist = rc == 0 ? dp_malloc(sizeof(double) * E * RP_H_N + 1, "epoch history") : NULL;
  if (rc == 0 && (!raw || !d->hist)) rc = -1;
  if (rc == 0) rc = dp_h5_read_rows(f, "epoch_history", H5T_NATIVE_DOUBLE, 0, E, raw);
  for (size_t e = 0; rc == 0 && e < E; e++) {
    for (int k = 0; k < RP_H_N; k++) d->hist[e * RP_H_N + k] = at[k] < 0 ? NAN : raw[e * C + (size_t)at[k]];
    double ph = d->hist[e * RP_H_N + RP_H_PHASE];
    if (!(ph == 0 || ph == 1 || ph == 2))
      rc = dp_fail("%s: epoch_history row %zu: phase %g, expected 0, 1 or 2", dp_h5_filename(f), e, ph);
  }
  if (rc == 0) d->n_hist = E;
  free(raw);
  return rc;
}

static int load_model(const char *workdir, rp_data *d) {
  static const char *const LOSS[3] = {"final_detection_loss", "final_regression_loss", "final_end_to_end_loss"};
  hid_t f = open_input(workdir, "model.h5");
  if (f < 0) return -1;
  int rc = 0;
  for (int p = 0; rc == 0 && p < 3; p++) {
    d->final_loss[p] = NAN;
    if (H5Aexists(f, LOSS[p]) > 0) rc = dp_h5_read_attr_double(f, LOSS[p], &d->final_loss[p]);
  }
  d->step = -1;
  if (rc == 0 && H5Aexists(f, "step") > 0) rc = dp_h5_read_attr_long(f, "step", &d->step);
  if (rc == 0 && has_dataset(f, "epoch_history")) rc = load_history(f, d);
  dp_h5_close(f);
  return rc;
}

int rp_load_h5(const char *workdir, const rp_opts *o, rp_data *d) {
  DP_TRY(load_poses(workdir, o, d));
  rp_anatomy(d->names, d->J, d->parent, d->anat_parent, &d->n_anat_edges, &d->n_tree_anat);
  /* poses are drawn with anatomical bones when every joint has its anatomical place */
  d->draw_parent = d->n_anat_edges == d->J - 1 ? d->anat_parent : d->parent;
  DP_TRY(load_synth(workdir, o, d));
  DP_TRY(load_depth(workdir, o, d));
  return load_model(workdir, d);
}
