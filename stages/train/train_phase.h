/* train_phase.h - what a training phase optimises, and measuring it on the val split.
 *
 * Phases (as in the original, plus an optional third):
 *   0 detection:  trunk + box pathway, L2 box loss;
 *   1 regression: trunk and box pathway frozen, joints pathway on the pose loss
 *                 0.027 Ld + 0.833 Ls + 0.139 Lr;
 *   2 end-to-end: everything, pose loss + box loss (without the box term the moving trunk
 *                 degrades detection: box IoU fell from 0.67 to 0.15). */
#ifndef DEPTHPOSE_TRAIN_PHASE_H
#define DEPTHPOSE_TRAIN_PHASE_H
#include "depthpose/stage.h"
#include "frame_loader.h"

void dp_phase_freeze(dp_nn_net *net, int phase);
/* The pathways a phase's forward pass needs (dp_nn_pass.paths bits). */
unsigned dp_phase_paths(const dp_nn_net *net, int phase);
/* The phase's loss on the net's last forward over batch b (batch-averaged). dy_joints
 * (n x 3 sel_n) and dy_box (n x 4) receive dL/doutput where the phase uses that pathway
 * (either may be NULL: no gradient); terms gets the pose loss's parts. */
double dp_phase_loss(const dp_nn_net *net, int phase, const dp_batch *b, int n_joints,
                     const int *parent, const dp_nn_pose_loss_cfg *cfg, float *dy_joints,
                     float *dy_box, dp_nn_pose_loss_terms *terms);

typedef struct {
  double loss;      /* the phase's loss, mean over the frames */
  double mpjpe_mm;  /* mean per-joint 3-D error, mm, where the network predicts */
  double box_iou;   /* mean box IoU */
  long frames;
} dp_val_result;

/* Called after each batch's forward pass: b's frames are rows[at .. at + b->n). */
typedef void (*dp_inferred_fn)(void *arg, const dp_nn_net *net, const dp_batch *b, size_t at);
/* Collective: inference (no dropout) over rows[0..n), dealt to ranks in contiguous
 * shares and read cap rows at a time through the loader (which must have no request
 * outstanding; the next batch is read while one computes), calling each per batch. */
int dp_infer_rows(dp_ctx *ctx, dp_nn_net *net, dp_loader *loader, int cap, const int *rows, size_t n,
                  dp_inferred_fn each, void *arg);
/* Batch frame i after a forward pass: its per-joint errors err[0..J) (mm) against
 * b->pose_t; returns its box IoU (H x W: the frame size). */
double dp_frame_score(const dp_nn_net *net, const dp_batch *b, int i, int J, int H, int W, double *err);

/* dp_infer_rows over the val rows, summed over the ranks: the phase's loss, the mean
 * per-joint error and the box IoU. */
int dp_validate(dp_ctx *ctx, dp_nn_net *net, dp_loader *loader, int cap, int H, int W,
                const int *rows, size_t n, int phase, const dp_joint_sel *sel, const dp_nn_pose_loss_cfg *cfg,
                dp_val_result *out);

#endif
