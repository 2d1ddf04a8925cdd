/* checkpoint.h - the train stage's resumable state: parameters, optimiser state, the
 * position in the schedule, and the record of what the epochs measured (so a resumed
 * run reports and stores the same losses and history as an uninterrupted one). */
#ifndef DEPTHPOSE_TRAIN_CHECKPOINT_H
#define DEPTHPOSE_TRAIN_CHECKPOINT_H
#include "depthpose/nn.h"
#include "depthpose/stage.h"

#define DP_TRAIN_PHASES 3 /* detection, regression on the frozen trunk, end-to-end */

typedef struct {
  long phase, epoch, step_in_epoch, global_step;
} dp_train_pos;

/* One row per finished epoch (model.h5 /epoch_history, float64 [E][7]). */
enum { DP_HIST_PHASE, DP_HIST_EPOCH, DP_HIST_TRAIN_LOSS, DP_HIST_VAL_LOSS, DP_HIST_VAL_MPJPE,
       DP_HIST_VAL_IOU, DP_HIST_VAL_FRAMES, DP_HIST_COLS };
extern const char *const dp_hist_columns[DP_HIST_COLS];

typedef struct {
  double phase_loss[DP_TRAIN_PHASES]; /* each phase's last-epoch training loss (NaN: none) */
  double *history;                    /* [n][DP_HIST_COLS]; NaN where there was no val split */
  long n, cap;
} dp_train_record;

/* A rank's running sums over the current epoch's steps: loss x rows, the pose loss's
 * terms x rows, rows. Checkpointed per rank, so a resumed epoch reports exactly the
 * mean an uninterrupted one does. */
enum { DP_ACC_LOSS, DP_ACC_LD, DP_ACC_LS, DP_ACC_LR, DP_ACC_N, DP_ACC_SIZE };
typedef struct {
  double sum[DP_ACC_SIZE];
} dp_loss_acc;

int dp_train_record_init(dp_train_record *r, long max_epochs);
void dp_train_record_free(dp_train_record *r);
void dp_train_record_add(dp_train_record *r, const double row[DP_HIST_COLS]);

/* Rank 0 writes WORKDIR/train_checkpoint.h5 atomically, tagged with the stage's config
 * hash (other ranks return 0 at once). acc_all: every rank's dp_loss_acc, rank order. */
int dp_checkpoint_save(const dp_ctx *ctx, const dp_nn_net *net, const dp_nn_opt *opt,
                       const dp_train_pos *pos, const dp_train_record *rec, const double *acc_all);
/* Every rank reads the checkpoint if there is one for this configuration and format;
 * *found = 0 when there is none (or another configuration's, or an older format's).
 * acc: this rank's sums (with another rank count than the checkpoint's, rank 0 takes
 * all of them). */
int dp_checkpoint_load(const dp_ctx *ctx, dp_nn_net *net, dp_nn_opt *opt, dp_train_pos *pos,
                       dp_train_record *rec, dp_loss_acc *acc, int *found);

#endif
