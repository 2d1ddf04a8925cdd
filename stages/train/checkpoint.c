/* checkpoint.c - see checkpoint.h. */
#include "checkpoint.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/h5io.h"
#include "../../pipeline/fsutil.h"

/* Bumped when the checkpoint's content changes: an older one is not resumed. */
#define CHECKPOINT_FORMAT 2

const char *const dp_hist_columns[DP_HIST_COLS] = {
    "phase", "epoch", "train_loss", "val_loss", "val_mean_joint_error_mm", "val_box_iou", "val_frames"};

int dp_train_record_init(dp_train_record *r, long max_epochs) {
  memset(r, 0, sizeof *r);
  for (int p = 0; p < DP_TRAIN_PHASES; p++) r->phase_loss[p] = NAN;
  r->cap = max_epochs;
  r->history = dp_calloc((size_t)(max_epochs + 1) * DP_HIST_COLS, sizeof(double), "epoch history");
  return r->history ? 0 : -1;
}

void dp_train_record_free(dp_train_record *r) {
  free(r->history);
  r->history = NULL;
}

void dp_train_record_add(dp_train_record *r, const double row[DP_HIST_COLS]) {
  if (r->n < r->cap) memcpy(r->history + r->n++ * DP_HIST_COLS, row, sizeof(double) * DP_HIST_COLS);
}

static void ckpt_path(const dp_ctx *ctx, char *buf, size_t cap, const char *ext) {
  snprintf(buf, cap, "%s/train_checkpoint.h5%s", ctx->workdir, ext);
}

int dp_checkpoint_save(const dp_ctx *ctx, const dp_nn_net *net, const dp_nn_opt *opt,
                       const dp_train_pos *pos, const dp_train_record *rec, const double *acc_all) {
  if (ctx->rank != 0) return 0;
  char tmp[4200], fin[4200];
  ckpt_path(ctx, tmp, sizeof tmp, ".partial");
  ckpt_path(ctx, fin, sizeof fin, "");
  hid_t f = dp_h5_create(tmp, MPI_COMM_SELF);
  if (f < 0) return -1;
  hsize_t np[1] = {net->n_params}, ns[1] = {opt->state_len}, nl[1] = {DP_TRAIN_PHASES};
  hsize_t nh[2] = {(hsize_t)rec->n, DP_HIST_COLS}, na[2] = {(hsize_t)ctx->size, DP_ACC_SIZE};
  int rc = dp_h5_write_rows(f, "params", H5T_NATIVE_FLOAT, 1, np, 0, np[0], net->params, NULL);
  if (rc == 0) rc = dp_h5_write_rows(f, "optimizer_state", H5T_NATIVE_FLOAT, 1, ns, 0, ns[0], opt->state, NULL);
  if (rc == 0) rc = dp_h5_write_rows(f, "phase_losses", H5T_NATIVE_DOUBLE, 1, nl, 0, nl[0], rec->phase_loss, NULL);
  if (rc == 0) rc = dp_h5_write_rows(f, "epoch_loss_sums", H5T_NATIVE_DOUBLE, 2, na, 0, na[0], acc_all, NULL);
  if (rc == 0 && rec->n > 0)
    rc = dp_h5_write_rows(f, "epoch_history", H5T_NATIVE_DOUBLE, 2, nh, 0, nh[0], rec->history, NULL);
  long v[6] = {pos->phase, pos->epoch, pos->step_in_epoch, pos->global_step, (long)opt->t, ctx->size};
  if (rc == 0) rc = dp_h5_attr_longs(f, "position", v, 6);
  if (rc == 0) rc = dp_h5_attr_long(f, "history_rows", rec->n);
  if (rc == 0) rc = dp_h5_attr_long(f, "format", CHECKPOINT_FORMAT);
  if (rc == 0) rc = dp_h5_attr_longs(f, "config_hash", (const long *)&ctx->config_hash, 1);
  if (dp_h5_close(f) != 0) rc = -1;
  return rc == 0 ? dp_commit_file(tmp, fin) : rc;
}

/* This rank's loss sums; with another rank count, rank 0 takes the total. */
static int read_acc(hid_t f, const dp_ctx *ctx, dp_loss_acc *acc) {
  hsize_t want[2] = {0, DP_ACC_SIZE}, got[2];
  memset(acc, 0, sizeof *acc);
  DP_TRY(dp_h5_expect(f, "epoch_loss_sums", 2, want, got));
  double *all = dp_malloc(sizeof(double) * DP_ACC_SIZE * (size_t)got[0], "loss sums");
  if (!all) return -1;
  int rc = dp_h5_read_rows(f, "epoch_loss_sums", H5T_NATIVE_DOUBLE, 0, got[0], all);
  for (hsize_t r = 0; rc == 0 && r < got[0]; r++)
    if (got[0] == (hsize_t)ctx->size ? r == (hsize_t)ctx->rank : ctx->rank == 0)
      for (int k = 0; k < DP_ACC_SIZE; k++) acc->sum[k] += all[r * DP_ACC_SIZE + (hsize_t)k];
  free(all);
  return rc;
}

int dp_checkpoint_load(const dp_ctx *ctx, dp_nn_net *net, dp_nn_opt *opt, dp_train_pos *pos,
                       dp_train_record *rec, dp_loss_acc *acc, int *found) {
  char path[4200];
  ckpt_path(ctx, path, sizeof path, "");
  *found = 0;
  if (!dp_file_exists(path)) return 0;
  hid_t f = dp_h5_open_serial(path);
  if (f < 0) return -1;
  long v[6], h = 0, format = 0, rows = 0;
  size_t n = 0;
  int rc = dp_h5_read_attr_longs(f, "config_hash", &h, 1, &n);
  if (rc == 0 && H5Aexists(f, "format") > 0) rc = dp_h5_read_attr_long(f, "format", &format);
  if (rc == 0 && ((uint64_t)h != ctx->config_hash || format != CHECKPOINT_FORMAT)) {
    if (format != CHECKPOINT_FORMAT) dp_warn("train: %s is from another depthpose version: starting over", path);
    dp_h5_close(f); /* another configuration's or version's: not ours to resume */
    return 0;
  }
  hsize_t np[1] = {net->n_params}, ns[1] = {opt->state_len}, nl[1] = {DP_TRAIN_PHASES};
  if (rc == 0) rc = dp_h5_read_attr_longs(f, "position", v, 6, &n);
  if (rc == 0 && n != 6) rc = dp_fail("attribute position has %zu values, expected 6", n);
  if (rc == 0) rc = dp_h5_read_attr_long(f, "history_rows", &rows);
  if (rc == 0 && (rows < 0 || rows > rec->cap)) rc = -1;
  hsize_t nh[2] = {(hsize_t)rows, DP_HIST_COLS};
  if (rc == 0) rc = dp_h5_expect(f, "params", 1, np, NULL);
  if (rc == 0) rc = dp_h5_expect(f, "optimizer_state", 1, ns, NULL);
  if (rc == 0) rc = dp_h5_expect(f, "phase_losses", 1, nl, NULL);
  if (rc == 0 && rows > 0) rc = dp_h5_expect(f, "epoch_history", 2, nh, NULL);
  if (rc == 0) rc = dp_h5_read_rows(f, "params", H5T_NATIVE_FLOAT, 0, np[0], net->params);
  if (rc == 0) rc = dp_h5_read_rows(f, "optimizer_state", H5T_NATIVE_FLOAT, 0, ns[0], opt->state);
  if (rc == 0) rc = dp_h5_read_rows(f, "phase_losses", H5T_NATIVE_DOUBLE, 0, nl[0], rec->phase_loss);
  if (rc == 0 && rows > 0) rc = dp_h5_read_rows(f, "epoch_history", H5T_NATIVE_DOUBLE, 0, nh[0], rec->history);
  if (rc == 0) rc = read_acc(f, ctx, acc);
  dp_h5_close(f);
  if (rc != 0) {
    char why[1024];
    snprintf(why, sizeof why, "%s", dp_error_pending() ? dp_error_message() : "bad history_rows");
    dp_error_clear();
    return dp_fail("%s: unreadable checkpoint (%s); delete it to start over", path, why);
  }
  rec->n = rows;
  *pos = (dp_train_pos){v[0], v[1], v[2], v[3]};
  opt->t = (uint64_t)v[4];
  *found = 1;
  return 0;
}
