/* train_phase.c - see train_phase.h. */
#include "train_phase.h"

#include <math.h>
#include <stdlib.h>

void dp_phase_freeze(dp_nn_net *net, int phase) {
  const int box = dp_nn_path_index(net, "box"), joints = dp_nn_path_index(net, "joints");
  dp_nn_freeze_trunk(net, phase == 1);
  dp_nn_freeze_path(net, box, phase == 1);
  dp_nn_freeze_path(net, joints, phase == 0);
}

unsigned dp_phase_paths(const dp_nn_net *net, int phase) {
  const unsigned box = 1u << dp_nn_path_index(net, "box"), joints = 1u << dp_nn_path_index(net, "joints");
  return phase == 0 ? box : phase == 1 ? joints : box | joints;
}

double dp_phase_loss(const dp_nn_net *net, int phase, const dp_batch *b, int n_joints,
                     const int *parent, const dp_nn_pose_loss_cfg *cfg, float *dy_joints,
                     float *dy_box, dp_nn_pose_loss_terms *terms) {
  double loss = 0;
  if (phase != 0)
    loss += dp_nn_pose_loss(b->n, n_joints, parent, dp_nn_output(net, dp_nn_path_index(net, "joints")),
                            b->pose_t, cfg, dy_joints, terms);
  if (phase != 1)
    loss += dp_nn_box_loss(b->n, 4, dp_nn_output(net, dp_nn_path_index(net, "box")), b->box_t, dy_box);
  return loss;
}

int dp_infer_rows(dp_ctx *ctx, dp_nn_net *net, dp_loader *loader, int cap, const int *rows, size_t n,
                  dp_inferred_fn each, void *arg) {
  size_t first, count;
  dp_split_range(n, ctx->size, ctx->rank, &first, &count);
  int rc = 0;
  if (count) rc = dp_loader_request(loader, rows + first, (int)(count < (size_t)cap ? count : (size_t)cap));
  for (size_t s = 0; rc == 0 && s < count; s += (size_t)cap) {
    const dp_batch *b;
    rc = dp_loader_take(loader, &b);
    if (rc != 0) break;
    size_t next = s + (size_t)cap; /* read the next share while this one computes */
    if (next < count)
      rc = dp_loader_request(loader, rows + first + next,
                             (int)(count - next < (size_t)cap ? count - next : (size_t)cap));
    dp_nn_pass pass = {.train = 0};
    dp_nn_forward(net, b->x, b->n, &pass);
    each(arg, net, b, first + s);
  }
  return dp_ctx_sync(ctx, rc);
}

double dp_frame_score(const dp_nn_net *net, const dp_batch *b, int i, int J, int H, int W, double *err) {
  const float *pj = dp_nn_output(net, dp_nn_path_index(net, "joints"));
  const float *pb = dp_nn_output(net, dp_nn_path_index(net, "box"));
  dp_joint_errors_mm(J, pj + (size_t)i * 3 * J, b->pose_t + (size_t)i * 3 * J, err);
  float box[4];
  dp_box_to_pixels(pb + 4 * i, H, W, box);
  return dp_box_iou(box, b->box_px + 4 * i);
}

typedef struct {
  int phase, H, W;
  const dp_joint_sel *sel;
  const dp_nn_pose_loss_cfg *cfg;
  double sums[4]; /* loss x frames, joint error sum, IoU sum, frames */
} val_acc;

static void validate_batch(void *arg, const dp_nn_net *net, const dp_batch *b, size_t at) {
  (void)at;
  val_acc *v = arg;
  const int J = v->sel->n;
  double err[DP_MAX_JOINTS];
  v->sums[0] += dp_phase_loss(net, v->phase, b, J, v->sel->parent, v->cfg, NULL, NULL, NULL) * b->n;
  for (int i = 0; i < b->n; i++) {
    v->sums[2] += dp_frame_score(net, b, i, J, v->H, v->W, err);
    for (int j = 0; j < J; j++) v->sums[1] += err[j] / J;
  }
  v->sums[3] += b->n;
}

int dp_validate(dp_ctx *ctx, dp_nn_net *net, dp_loader *loader, int cap, int H, int W,
                const int *rows, size_t n, int phase, const dp_joint_sel *sel, const dp_nn_pose_loss_cfg *cfg,
                dp_val_result *out) {
  val_acc v = {.phase = phase, .H = H, .W = W, .sel = sel, .cfg = cfg};
  DP_TRY(dp_infer_rows(ctx, net, loader, cap, rows, n, validate_batch, &v));
  double *sums = v.sums;
  MPI_Allreduce(MPI_IN_PLACE, sums, 4, MPI_DOUBLE, MPI_SUM, ctx->comm);
  out->frames = (long)sums[3];
  out->loss = sums[3] > 0 ? sums[0] / sums[3] : NAN;
  out->mpjpe_mm = sums[3] > 0 ? sums[1] / sums[3] : NAN;
  out->box_iou = sums[3] > 0 ? sums[2] / sums[3] : NAN;
  return 0;
}
