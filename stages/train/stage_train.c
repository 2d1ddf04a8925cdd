/* stage_train.c - depth.h5 (+ the tree in skeleton.h5) -> model.h5: the two-pathway
 * CNN, trained in phases (train_phase.h): detection, regression on the frozen trunk as
 * in the original, and an optional end-to-end fine-tuning.
 *
 * Data-parallel SGD: each global mini-batch (rows of a per-epoch permutation drawn from
 * the run's RNG) is split over ranks; each rank reads its rows of depth.h5 (a prefetch
 * thread reads the next step's while this one computes: frame_loader.h), computes the
 * gradients of its share of the global mean loss, and the ranks sum the single gradient
 * buffer (grad_sync.h: one allreduce, or buckets overlapped with the backward pass).
 * After each epoch the val split is measured (loss, mean per-joint error, box IoU). A
 * checkpoint (checkpoint.h) is written every checkpoint_every steps, at the end of each
 * phase, and when SIGTERM or SIGUSR1 arrives (SLURM's time limit / pre-emption warning):
 * a rerun resumes from it and reaches the same weights as an uninterrupted run with the
 * same number of ranks. (Across rank counts the reductions add in a different order, so
 * the weights agree only to rounding.) */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "checkpoint.h"
#include "depthpose/h5io.h"
#include "depthpose/posefile.h"
#include "depthpose/rng.h"
#include "depthpose/stage.h"
#include "frame_loader.h"
#include "grad_sync.h"
#include "train_common.h"
#include "train_phase.h"

static const char *const OPTIMISERS[] = {"sgd", "adam", NULL};
static const char *const ALLREDUCE[] = {"blocking", "bucketed", NULL};
/* in dp_nn_conv_algo order */
static const char *const CONV[] = {"auto", "im2col", "winograd", "direct", NULL};
static const char *const PHASE[DP_TRAIN_PHASES] = {"detection", "regression", "end-to-end"};

typedef struct {
  long epochs;
  double lr, lr_decay; /* lr of epoch e = lr * lr_decay^e */
} phase_opts;

typedef struct {
  dp_net_params net;
  phase_opts phase[DP_TRAIN_PHASES];
  dp_joint_choice joints;
  long blas_threads;
  long batch, checkpoint_every, max_frames;
  int optimiser, prefetch, allreduce, conv;
  double momentum, weight_decay, bucket_mb, val_holdout;
  dp_nn_pose_loss_cfg loss;
} train_opts;

static int parse_phase(const dp_node *sec, const char *key, long epochs, double lr, phase_opts *p) {
  const dp_node *s = NULL;
  DP_TRY(dp_cfg_section(sec, key, &s));
  DP_TRY(dp_cfg_int(s, "epochs", epochs, 0, 1000000, &p->epochs));
  DP_TRY(dp_cfg_double(s, "lr_decay", 1.0, 0, 1, &p->lr_decay));
  return dp_cfg_double(s, "lr", lr, 0, 10, &p->lr);
}

static int configure(const dp_node *sec, void **out) {
  train_opts *o = dp_calloc(1, sizeof *o, "train options");
  if (!o) return -1;
  *out = o;
  const dp_node *net = NULL, *lw = NULL;
  DP_TRY(dp_cfg_section(sec, "network", &net));
  DP_TRY(dp_net_params_from_config(net, &o->net));
  DP_TRY(dp_joint_choice_from_config(sec, "joints", (int)o->net.embedding, &o->joints));
  DP_TRY(parse_phase(sec, "detection", 10, 1e-3, &o->phase[0]));
  DP_TRY(parse_phase(sec, "regression", 20, 1e-3, &o->phase[1]));
  DP_TRY(parse_phase(sec, "end_to_end", 0, 1e-4, &o->phase[2]));
  DP_TRY(dp_cfg_int(sec, "blas_threads", 1, 1, 1024, &o->blas_threads));
  DP_TRY(dp_cfg_int(sec, "batch", 32, 1, 1L << 20, &o->batch));
  DP_TRY(dp_cfg_int(sec, "checkpoint_every", 200, 1, 1L << 40, &o->checkpoint_every));
  DP_TRY(dp_cfg_int(sec, "max_frames", 0, 0, 1L << 40, &o->max_frames));
  DP_TRY(dp_cfg_double(sec, "val_holdout", 0.0, 0, 0.5, &o->val_holdout));
  DP_TRY(dp_cfg_bool(sec, "prefetch", 1, &o->prefetch));
  DP_TRY(dp_cfg_enum(sec, "allreduce", ALLREDUCE, 1, &o->allreduce));
  DP_TRY(dp_cfg_double(sec, "bucket_mb", 4.0, 0.001, 1e6, &o->bucket_mb));
  DP_TRY(dp_cfg_enum(sec, "conv", CONV, DP_NN_CONV_AUTO, &o->conv));
  DP_TRY(dp_cfg_enum(sec, "optimizer", OPTIMISERS, 1, &o->optimiser));
  DP_TRY(dp_cfg_double(sec, "momentum", 0.9, 0, 1, &o->momentum));
  DP_TRY(dp_cfg_double(sec, "weight_decay", 0.0, 0, 1, &o->weight_decay));
  dp_nn_pose_loss_default(&o->loss);
  DP_TRY(dp_cfg_section(sec, "loss_weights", &lw));
  const char *keys[3] = {"ld", "ls", "lr"};
  float *w[3] = {&o->loss.wd, &o->loss.ws, &o->loss.wr};
  for (int k = 0; k < 3; k++) {
    double v;
    DP_TRY(dp_cfg_double(lw, keys[k], *w[k], 0, 1e6, &v));
    *w[k] = (float)v;
  }
  return 0;
}

/* ---- stop requests ---------------------------------------------------------------- */

static volatile sig_atomic_t g_stop;
static void on_stop(int sig) {
  (void)sig;
  g_stop = 1;
}

/* ---- data --------------------------------------------------------------------------- */

typedef struct {
  int F, H, W, J;               /* frames, frame size, joints in depth.h5 */
  char **names;
  size_t n_names;
  int *train, *val;             /* rows used for training / per-epoch validation */
  size_t n_train, n_val;
  int val_held_out;             /* 1: val rows are held-out training frames */
  dp_pose_anchor anchor;        /* in depth.h5's joint list */
  dp_joint_sel sel;             /* the joints the network learns, and their tree */
} dataset;

/* Validation rows: depth.h5's val split; without one, every k-th training frame if
 * val_holdout asks for it (evenly spread, floor(n * val_holdout) frames). */
static void split_rows(const train_opts *o, const unsigned char *split, dataset *ds) {
  for (int i = 0; i < ds->F; i++)
    if (split[i] == 1) ds->val[ds->n_val++] = i;
  ds->val_held_out = ds->n_val == 0 && o->val_holdout > 0;
  size_t seen = 0;
  for (int i = 0; i < ds->F; i++) {
    if (split[i] != 0) continue;
    const double f = o->val_holdout;
    int hold = ds->val_held_out && (size_t)((double)(seen + 1) * f) > (size_t)((double)seen * f);
    seen++;
    if (hold) ds->val[ds->n_val++] = i;
    else ds->train[ds->n_train++] = i;
  }
}

/* Metadata through the collective handle, closed again: the frames themselves are read
 * by the loader's own handle (frame_loader.h). */
static int open_data(dp_ctx *ctx, const train_opts *o, dataset *ds) {
  memset(ds, 0, sizeof *ds);
  hid_t f = dp_h5_open(dp_ctx_input(ctx, "depth.h5"), ctx->comm);
  if (f < 0) return -1;
  hsize_t d[3] = {0, 0, 0}, got[3];
  unsigned char *split = NULL;
  int rc = dp_h5_expect(f, "depth", 3, d, got);
  if (rc == 0) {
    ds->F = (int)got[0], ds->H = (int)got[1], ds->W = (int)got[2];
    rc = dp_h5_read_attr_strings(f, "joint_names", &ds->names, &ds->n_names);
  }
  if (rc == 0 && ds->n_names > DP_MAX_JOINTS) rc = dp_fail("depth.h5: %zu joints (at most %d)", ds->n_names, DP_MAX_JOINTS);
  ds->J = (int)ds->n_names;
  if (rc == 0) rc = dp_pose_anchor_lookup(ds->names, ds->J, &ds->anchor);
  if (rc == 0) {
    split = dp_malloc((size_t)ds->F + 1, "splits");
    ds->train = dp_malloc(sizeof(int) * ((size_t)ds->F + 1), "train rows");
    ds->val = dp_malloc(sizeof(int) * ((size_t)ds->F + 1), "val rows");
    rc = split && ds->train && ds->val ? 0 : -1;
  }
  if (rc == 0) rc = dp_h5_read_rows(f, "split", H5T_NATIVE_UCHAR, 0, (hsize_t)ds->F, split);
  if (dp_h5_close(f) != 0) rc = -1;
  if (rc == 0) split_rows(o, split, ds);
  free(split);
  DP_TRY(rc);
  if (o->max_frames > 0 && ds->n_train > (size_t)o->max_frames) ds->n_train = (size_t)o->max_frames;
  if (ds->n_train == 0) return dp_fail("depth.h5: no training frames (split 0)");
  /* The tree's parents give Ls and Lr their bones, over the selected joints. */
  dp_skeleton sk;
  DP_TRY(dp_skeleton_read(dp_ctx_input(ctx, "skeleton.h5"), ctx->comm, NULL, &sk));
  if (sk.n_joints != ds->J) rc = dp_fail("skeleton.h5 has %d joints, depth.h5 %d", sk.n_joints, ds->J);
  for (int j = 0; rc == 0 && j < ds->J; j++)
    if (strcmp(sk.joint_names[j], ds->names[j]))
      rc = dp_fail("skeleton.h5 joint %d is %s, depth.h5's is %s: rerun the pipeline", j, sk.joint_names[j],
                   ds->names[j]);
  if (rc == 0) rc = dp_joint_sel_resolve(&o->joints, ds->names, ds->J, sk.parent, "depth.h5",
                                              " (stages.train.joints): its joints are the ones the render "
                                              "stage posed; choose among them",
                                              &ds->sel);
  dp_skeleton_free(&sk);
  return rc;
}

static void close_data(dataset *ds) {
  dp_h5_free_strings(ds->names, ds->n_names);
  free(ds->train);
  free(ds->val);
}

/* ---- training ----------------------------------------------------------------------- */

/* The epoch's permutation of the training rows: Fisher-Yates from the run's RNG. */
static void permutation(uint64_t seed, long phase, long epoch, const dataset *ds, int *perm) {
  dp_rng r;
  dp_rng_init(&r, seed, DP_STREAM_TRAIN, (uint64_t)phase << 40 | (uint64_t)epoch, 0);
  for (size_t i = 0; i < ds->n_train; i++) perm[i] = ds->train[i];
  for (size_t i = ds->n_train; i > 1; i--) {
    uint32_t k = dp_rng_below(&r, (uint32_t)i);
    int t = perm[i - 1];
    perm[i - 1] = perm[k];
    perm[k] = t;
  }
}

typedef struct {
  dp_ctx *ctx;
  const train_opts *o;
  dataset ds;
  dp_nn_net *net;
  dp_nn_opt opt;
  dp_loader *loader;
  dp_grad_sync *sync;
  dp_train_record rec;
  int cap;                /* rows per rank per step */
  int *perm;
  float *dy_joints, *dy_box;
  dp_loss_acc resumed_acc;  /* this rank's loss sums of the epoch a checkpoint stopped in */
  double *acc_all;          /* rank 0: every rank's, gathered for a checkpoint */
} trainer;

/* This rank's share [first, first + count) of the global batch perm[s0, s0 + nb). */
static void share(const trainer *t, size_t nb, size_t *first, size_t *count) {
  dp_split_range(nb, t->ctx->size, t->ctx->rank, first, count);
}

/* One global step on this rank's rows b (NULL: none this step; load_rc: the read's
 * status). The loss is the global batch mean: each rank weights its batch mean by its
 * share of the rows, and the gradient sum over ranks is the global gradient. */
static int train_step(trainer *t, int ph, const dp_batch *b, int load_rc, size_t nb, size_t first,
                      uint64_t global_step, float lr, dp_loss_acc *acc) {
  dp_ctx *ctx = t->ctx;
  dp_nn_net *net = t->net;
  const int J = t->ds.sel.n, count = b ? b->n : 0;
  DP_TRY(dp_ctx_sync(ctx, load_rc));
  dp_nn_zero_grad(net);
  int rc = 0;
  double loss = 0;
  dp_nn_pose_loss_terms terms = {0};
  if (count) {
    dp_nn_pass pass = {.train = 1, .step = global_step, .sample0 = first, .paths = dp_phase_paths(net, ph)};
    dp_nn_forward(net, b->x, count, &pass);
    loss = dp_phase_loss(net, ph, b, J, t->ds.sel.parent, &t->o->loss, t->dy_joints, t->dy_box, &terms);
    if (!isfinite(loss)) /* diverged: stop before the update spoils the weights */
      rc = dp_fail("non-finite loss at step %llu (phase %d); the last checkpoint is kept: lower the "
                   "learning rate and rerun", (unsigned long long)global_step, ph);
  }
  DP_TRY(dp_ctx_sync(ctx, rc));
  dp_grad_sync_begin(t->sync);
  if (count) {
    const float w = (float)count / (float)nb;
    for (size_t i = 0; ph != 0 && i < (size_t)count * 3 * (size_t)J; i++) t->dy_joints[i] *= w;
    for (size_t i = 0; ph != 1 && i < (size_t)count * 4; i++) t->dy_box[i] *= w;
    const float *dys[DP_NN_MAX_PATHS] = {0};
    dys[dp_nn_path_index(net, "joints")] = ph != 0 ? t->dy_joints : NULL;
    dys[dp_nn_path_index(net, "box")] = ph != 1 ? t->dy_box : NULL;
    dp_nn_backward(net, dys);
    acc->sum[DP_ACC_LOSS] += loss * count;
    acc->sum[DP_ACC_LD] += terms.ld * count, acc->sum[DP_ACC_LS] += terms.ls * count;
    acc->sum[DP_ACC_LR] += terms.lr * count;
    acc->sum[DP_ACC_N] += count;
  }
  dp_grad_sync_finish(t->sync);
  dp_nn_opt_step(&t->opt, net, lr);
  return 0;
}

/* Ask the loader for this rank's rows of step s (perm, B rows a step). */
static int request_step(trainer *t, size_t s) {
  const size_t B = (size_t)t->o->batch, s0 = s * B, nb = s0 + B <= t->ds.n_train ? B : t->ds.n_train - s0;
  size_t first, count;
  share(t, nb, &first, &count);
  return dp_loader_request(t->loader, t->perm + s0 + first, (int)count);
}

/* After an epoch: its mean loss, validation, the log line and the record. */
static int end_epoch(trainer *t, long ph, long ep, const dp_loss_acc *acc) {
  double sums[DP_ACC_SIZE];
  MPI_Allreduce(acc->sum, sums, DP_ACC_SIZE, MPI_DOUBLE, MPI_SUM, t->ctx->comm);
  const double n = sums[DP_ACC_N], loss = n > 0 ? sums[DP_ACC_LOSS] / n : NAN;
  t->rec.phase_loss[ph] = loss;
  dp_val_result v = {NAN, NAN, NAN, 0};
  if (t->ds.n_val)
    DP_TRY(dp_validate(t->ctx, t->net, t->loader, t->cap, t->ds.H, t->ds.W, t->ds.val, t->ds.n_val, (int)ph,
                       &t->ds.sel, &t->o->loss, &v));
  char val[256] = "";
  if (t->ds.n_val)
    snprintf(val, sizeof val, "; val loss %.5f, mean joint error %.1f mm, box IoU %.3f (%ld frames)", v.loss,
             v.mpjpe_mm, v.box_iou, v.frames);
  if (ph == 0) dp_info("train %s epoch %ld/%ld: box loss %.5f%s", PHASE[ph], ep + 1, t->o->phase[ph].epochs, loss, val);
  else
    dp_info("train %s epoch %ld/%ld: loss %.5f (Ld %.5f, Ls %.5f, Lr %.5f)%s", PHASE[ph], ep + 1,
            t->o->phase[ph].epochs, loss, sums[DP_ACC_LD] / n, sums[DP_ACC_LS] / n, sums[DP_ACC_LR] / n, val);
  if (ep == 0 && t->o->allreduce == DP_ALLREDUCE_BUCKETED)
    dp_info("train %s: gradients summed in %d overlapped allreduce buckets", PHASE[ph], dp_grad_sync_buckets(t->sync));
  const double row[DP_HIST_COLS] = {(double)ph, (double)ep, loss, v.loss, v.mpjpe_mm, v.box_iou, (double)v.frames};
  dp_train_record_add(&t->rec, row);
  return 0;
}

/* Collective: a checkpoint with every rank's loss sums of the running epoch. */
static int save(trainer *t, const dp_train_pos *pos, const dp_loss_acc *acc) {
  MPI_Gather(acc->sum, DP_ACC_SIZE, MPI_DOUBLE, t->acc_all, DP_ACC_SIZE, MPI_DOUBLE, 0, t->ctx->comm);
  return dp_ctx_sync(t->ctx, dp_checkpoint_save(t->ctx, t->net, &t->opt, pos, &t->rec, t->acc_all));
}

/* The phases from pos on; pos follows. *images counts the global rows trained. */
static int train_loop(trainer *t, dp_train_pos *pos, long *images) {
  dp_ctx *ctx = t->ctx;
  const train_opts *o = t->o;
  const size_t B = (size_t)o->batch, steps = (t->ds.n_train + B - 1) / B;
  int rc = 0;
  for (long ph = pos->phase; rc == 0 && ph < DP_TRAIN_PHASES; ph++) {
    dp_phase_freeze(t->net, (int)ph);
    for (long ep = ph == pos->phase ? pos->epoch : 0; rc == 0 && ep < o->phase[ph].epochs; ep++) {
      permutation(ctx->seed, ph, ep, &t->ds, t->perm);
      dp_loss_acc acc = t->resumed_acc; /* the epoch's steps before a resume, once */
      t->resumed_acc = (dp_loss_acc){{0}};
      const float lr = (float)(o->phase[ph].lr * pow(o->phase[ph].lr_decay, (double)ep));
      size_t s = ph == pos->phase && ep == pos->epoch ? (size_t)pos->step_in_epoch : 0;
      if (s < steps) rc = request_step(t, s);
      for (; rc == 0 && s < steps; s++) {
        const size_t s0 = s * B, nb = s0 + B <= t->ds.n_train ? B : t->ds.n_train - s0;
        size_t first, count;
        share(t, nb, &first, &count);
        const dp_batch *b = NULL;
        int load_rc = dp_loader_take(t->loader, &b);
        if (load_rc == 0 && s + 1 < steps) load_rc = request_step(t, s + 1); /* read ahead */
        rc = train_step(t, (int)ph, load_rc == 0 && count ? b : NULL, load_rc, nb, s0 + first,
                        (uint64_t)pos->global_step, lr, &acc);
        *pos = (dp_train_pos){ph, ep, (long)s + 1, pos->global_step + 1};
        *images += (long)nb;
        int stop = g_stop || dp_fault_stop_at(ctx, pos->global_step);
        MPI_Allreduce(MPI_IN_PLACE, &stop, 1, MPI_INT, MPI_MAX, ctx->comm);
        if (rc == 0 && (stop || pos->global_step % o->checkpoint_every == 0)) {
          dp_loader_quiesce(t->loader); /* no HDF5 call while the reader runs */
          rc = save(t, pos, &acc);
        }
        if (rc == 0 && stop)
          rc = dp_fail("interrupted by a signal; checkpoint written at step %ld: rerun to resume", pos->global_step);
      }
      if (rc == 0) rc = end_epoch(t, ph, ep, &acc);
      if (rc == 0) *pos = (dp_train_pos){ph, ep + 1, 0, pos->global_step};
    }
    if (rc == 0) {
      *pos = (dp_train_pos){ph + 1, 0, 0, pos->global_step};
      rc = save(t, pos, &(dp_loss_acc){{0}});
    }
  }
  return rc;
}

static int write_model(const trainer *t, const dp_train_pos *pos) {
  dp_ctx *ctx = t->ctx;
  const dataset *ds = &t->ds;
  const dp_nn_net *net = t->net;
  hid_t f = dp_h5_create(dp_ctx_output(ctx, "model.h5"), ctx->comm);
  int rc = dp_ctx_sync(ctx, f < 0 ? -1 : 0);
  if (rc != 0) return -1;
  hsize_t rows = ctx->rank == 0; /* rank 0 holds the (identical) parameters */
  for (int i = 0; rc == 0 && i < net->n_tensors; i++) {
    const dp_nn_param *p = &net->tensors[i];
    hsize_t dims[4];
    for (int k = 0; k < p->ndim; k++) dims[k] = (hsize_t)p->shape[k];
    /* one dataset per tensor: rank 0 writes all rows */
    rc = dp_h5_write_rows(f, p->name, H5T_NATIVE_FLOAT, p->ndim, dims, 0, rows ? dims[0] : 0,
                          net->params + p->offset, NULL);
  }
  hsize_t ns[1] = {t->opt.state_len}, nh[2] = {(hsize_t)t->rec.n, DP_HIST_COLS};
  if (rc == 0) rc = dp_h5_write_rows(f, "optimizer_state", H5T_NATIVE_FLOAT, 1, ns, 0, rows ? ns[0] : 0, t->opt.state, NULL);
  if (rc == 0 && t->rec.n > 0) {
    hid_t d = dp_h5_create_dataset(f, "epoch_history", H5T_NATIVE_DOUBLE, 2, nh, NULL);
    rc = d < 0 ? -1 : dp_h5_write_slab(d, H5T_NATIVE_DOUBLE, 0, rows ? nh[0] : 0, t->rec.history);
    if (rc == 0) rc = dp_h5_attr_strings(d, "columns", dp_hist_columns, DP_HIST_COLS);
    if (rc == 0) rc = dp_h5_attr_string(d, "about", "one row per epoch; phase 0 detection, 1 regression, 2 end-to-end; "
                                        "val columns NaN without a val split; errors in mm where the network predicts");
    if (d >= 0) H5Dclose(d);
  }
  if (rc == 0) rc = dp_net_params_write(f, &t->o->net);
  const char *names[DP_MAX_JOINTS];
  long par[DP_MAX_JOINTS];
  for (int k = 0; k < ds->sel.n; k++) names[k] = ds->names[ds->sel.src[k]], par[k] = ds->sel.parent[k];
  if (rc == 0) rc = dp_h5_attr_strings(f, "joint_names", names, (size_t)ds->sel.n);
  if (rc == 0) rc = dp_h5_attr_longs(f, "parent", par, (size_t)ds->sel.n);
  if (rc == 0) rc = dp_h5_attr_long(f, "step", pos->global_step);
  if (rc == 0) rc = dp_h5_attr_long(f, "rng_seed", (long)ctx->seed);
  if (rc == 0) rc = dp_h5_attr_long(f, "frame_height", ds->H);
  if (rc == 0) rc = dp_h5_attr_long(f, "frame_width", ds->W);
  if (rc == 0) rc = dp_h5_attr_double(f, "final_detection_loss", t->rec.phase_loss[0]);
  if (rc == 0) rc = dp_h5_attr_double(f, "final_regression_loss", t->rec.phase_loss[1]);
  if (rc == 0) rc = dp_h5_attr_double(f, "final_end_to_end_loss", t->rec.phase_loss[2]);
  if (rc == 0) rc = dp_h5_attr_string(f, "config", ctx->config_path);
  if (rc == 0) rc = dp_h5_attr_string(f, "joint_units", "m, torso-relative camera frame (or embedded)");
  if (dp_h5_close(f) != 0) rc = -1;
  return dp_ctx_sync(ctx, rc);
}

static int setup(trainer *t) {
  const train_opts *o = t->o;
  dataset *ds = &t->ds;
  dp_nn_desc desc;
  t->cap = (int)((o->batch + t->ctx->size - 1) / t->ctx->size);
  DP_TRY(dp_net_desc(&o->net, ds->H, ds->W, ds->sel.n, &desc));
  desc.conv_algo = (dp_nn_conv_algo)o->conv;
  DP_TRY(dp_nn_create(&t->net, &desc, t->cap));
  dp_nn_init(t->net, t->ctx->seed);
  dp_nn_opt_cfg oc = {.kind = o->optimiser == 0 ? DP_NN_SGD : DP_NN_ADAM, .momentum = (float)o->momentum,
                      .weight_decay = (float)o->weight_decay};
  DP_TRY(dp_nn_opt_init(&t->opt, &oc, t->net->n_params));
  DP_TRY(dp_grad_sync_create(&t->sync, t->net, t->ctx->comm, (dp_allreduce_mode)o->allreduce,
                             (size_t)(o->bucket_mb * 1048576.0 / sizeof(float))));
  long epochs = 0;
  for (int p = 0; p < DP_TRAIN_PHASES; p++) epochs += o->phase[p].epochs;
  DP_TRY(dp_train_record_init(&t->rec, epochs));
  t->perm = dp_malloc(sizeof *t->perm * ds->n_train, "permutation");
  t->dy_joints = dp_malloc(sizeof(float) * (size_t)t->cap * 3 * (size_t)ds->sel.n, "joint gradient");
  t->dy_box = dp_malloc(sizeof(float) * (size_t)t->cap * 4, "box gradient");
  t->acc_all = dp_calloc((size_t)t->ctx->size * DP_ACC_SIZE, sizeof(double), "loss sums");
  if (!t->perm || !t->dy_joints || !t->dy_box || !t->acc_all) return -1;
  dp_loader_cfg lc = {.H = ds->H, .W = ds->W, .J = ds->J, .net = &o->net, .anchor = &ds->anchor,
                      .sel = &ds->sel, .cap = t->cap, .prefetch = o->prefetch};
  return dp_loader_open(&t->loader, dp_ctx_input(t->ctx, "depth.h5"), &lc);
}

static void teardown(trainer *t) {
  dp_loader_close(t->loader);
  dp_grad_sync_free(t->sync);
  free(t->perm), free(t->dy_joints), free(t->dy_box), free(t->acc_all);
  dp_train_record_free(&t->rec);
  dp_nn_opt_free(&t->opt);
  dp_nn_destroy(t->net);
  close_data(&t->ds);
}

static int run(dp_ctx *ctx) {
  trainer t = {.ctx = ctx, .o = ctx->opts};
  const train_opts *o = t.o;
  int rc = open_data(ctx, o, &t.ds);
  if (rc == 0) rc = setup(&t);
  dp_train_pos pos = {0, 0, 0, 0};
  int resumed = 0;
  if (rc == 0) rc = dp_checkpoint_load(ctx, t.net, &t.opt, &pos, &t.rec, &t.resumed_acc, &resumed);
  rc = dp_ctx_sync(ctx, rc);
  /* Every rank starts from rank 0's parameters (the same by construction: one seed, one
   * checkpoint; the broadcast makes it a guarantee, e.g. across different machines). */
  if (rc == 0) MPI_Bcast(t.net->params, (int)t.net->n_params, MPI_FLOAT, 0, ctx->comm);
  if (rc == 0 && resumed)
    dp_info("train: resuming from the checkpoint at phase %ld, epoch %ld, step %ld", pos.phase, pos.epoch,
            pos.step_in_epoch);
  if (rc == 0) {
    dp_info("train: %d of depth.h5's %d joints, %zu train frames, allreduce %s, prefetch %s", t.ds.sel.n, t.ds.J,
            t.ds.n_train, ALLREDUCE[o->allreduce], o->prefetch ? "on" : "off");
    if (t.ds.n_val)
      dp_info("train: validation after each epoch on %zu %s", t.ds.n_val,
              t.ds.val_held_out ? "held-out training frames (val_holdout)" : "val-split frames");
    else dp_info("train: no val split in depth.h5 and val_holdout is 0: no per-epoch validation");
  }
  struct sigaction sa = {.sa_handler = on_stop}, old_term, old_usr1;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, &old_term);
  sigaction(SIGUSR1, &sa, &old_usr1);
  g_stop = 0;
  const char *kernels = dp_nn_blas_setup((int)o->blas_threads);
  if (rc == 0)
    dp_info("train: conv layers %s, OpenBLAS %s kernels, %ld thread(s) per rank", CONV[o->conv], kernels,
            o->blas_threads);
  double t0 = dp_now();
  long images = 0;
  if (rc == 0) rc = train_loop(&t, &pos, &images);
  sigaction(SIGTERM, &old_term, NULL);
  sigaction(SIGUSR1, &old_usr1, NULL);
  double secs = dp_now() - t0;
  if (t.loader) dp_loader_quiesce(t.loader);
  if (rc == 0) rc = write_model(&t, &pos);
  if (rc == 0) {
    char val[96] = "";
    if (t.rec.n > 0 && isfinite(t.rec.history[(t.rec.n - 1) * DP_HIST_COLS + DP_HIST_VAL_MPJPE]))
      snprintf(val, sizeof val, "; val mean joint error %.1f mm",
               t.rec.history[(t.rec.n - 1) * DP_HIST_COLS + DP_HIST_VAL_MPJPE]);
    const double *pl = t.rec.phase_loss;
    dp_ctx_summary(ctx, "%zu train frames, %d joints, %ld steps of %ld, %s; %zu parameters; %.1f s (%.1f images/s, "
                   "%.1f s waiting for reads); final box loss %.5f, pose loss %.5f%s%s",
                   t.ds.n_train, t.ds.sel.n, pos.global_step, o->batch, OPTIMISERS[o->optimiser], t.net->n_params,
                   secs, secs > 0 ? (double)images / secs : 0.0, dp_loader_wait_seconds(t.loader), pl[0],
                   isfinite(pl[2]) ? pl[2] : pl[1], val, resumed ? " (resumed from a checkpoint)" : "");
  }
  teardown(&t);
  return rc;
}

const dp_stage dp_stage_train = {
    .name = "train",
    .what = "the two-pathway CNN: detection, then regression on the frozen trunk",
    .inputs = {"depth.h5", "skeleton.h5"},
    .outputs = {"model.h5"},
    .scratch = {"train_checkpoint.h5"},
    .configure = configure,
    .run = run,
    .free_opts = free,
};
