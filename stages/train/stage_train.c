/* stage_train.c - depth.h5 (+ the tree in skeleton.h5) -> model.h5: the two-pathway
 * CNN, trained in two phases as in the original: (1) trunk + detection pathway on the
 * bounding box, (2) trunk frozen, regression pathway on the joints with the loss
 * 0.027 Ld + 0.833 Ls + 0.139 Lr.
 *
 * Data-parallel SGD: each global mini-batch (rows of a per-epoch permutation drawn from
 * the run's RNG) is split over ranks; each rank reads its rows from depth.h5, computes
 * gradients of its share of the global mean loss, and one MPI_Allreduce over the single
 * gradient buffer sums them. A checkpoint (parameters, optimiser state, position) is
 * written every checkpoint_every steps, at the end of each phase, and when SIGTERM or
 * SIGUSR1 arrives (SLURM's time limit / pre-emption warning): a rerun resumes from it
 * and reaches the same weights as an uninterrupted run with the same number of ranks.
 * (Across rank counts the allreduce adds in a different order, so the weights agree
 * only to rounding.) */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "depthpose/h5io.h"
#include "depthpose/posefile.h"
#include "depthpose/rng.h"
#include "depthpose/stage.h"
#include "train_common.h"
#include "../../pipeline/fsutil.h"

static const char *const OPTIMISERS[] = {"sgd", "adam", NULL};

typedef struct {
  long epochs;
  double lr, lr_decay; /* lr of epoch e = lr * lr_decay^e */
} phase_opts;

#define N_PHASES 3 /* detection, regression on the frozen trunk, optional end-to-end */

typedef struct {
  dp_net_params net;
  phase_opts phase[N_PHASES];
  long blas_threads;
  long batch, checkpoint_every, max_frames;
  int optimiser;
  double momentum, weight_decay;
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
  DP_TRY(parse_phase(sec, "detection", 10, 1e-3, &o->phase[0]));
  DP_TRY(parse_phase(sec, "regression", 20, 1e-3, &o->phase[1]));
  DP_TRY(parse_phase(sec, "end_to_end", 0, 1e-4, &o->phase[2]));
  DP_TRY(dp_cfg_int(sec, "blas_threads", 1, 1, 1024, &o->blas_threads));
  DP_TRY(dp_cfg_int(sec, "batch", 32, 1, 1L << 20, &o->batch));
  DP_TRY(dp_cfg_int(sec, "checkpoint_every", 200, 1, 1L << 40, &o->checkpoint_every));
  DP_TRY(dp_cfg_int(sec, "max_frames", 0, 0, 1L << 40, &o->max_frames));
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
  hid_t f;
  int F, H, W, J;
  char **names;
  size_t n_names;
  int *train;     /* rows with split 0 */
  size_t n_train;
  int parent[DP_MAX_JOINTS];
  dp_pose_anchor anchor;
} dataset;

static int open_data(dp_ctx *ctx, const train_opts *o, dataset *ds) {
  memset(ds, 0, sizeof *ds);
  ds->f = dp_h5_open(dp_ctx_input(ctx, "depth.h5"), ctx->comm);
  if (ds->f < 0) return -1;
  hsize_t d[3] = {0, 0, 0}, got[3];
  DP_TRY(dp_h5_expect(ds->f, "depth", 3, d, got));
  ds->F = (int)got[0], ds->H = (int)got[1], ds->W = (int)got[2];
  DP_TRY(dp_h5_read_attr_strings(ds->f, "joint_names", &ds->names, &ds->n_names));
  ds->J = (int)ds->n_names;
  DP_TRY(dp_pose_anchor_lookup(ds->names, ds->J, &ds->anchor));
  unsigned char *split = dp_malloc((size_t)ds->F + 1, "splits");
  ds->train = dp_malloc(sizeof(int) * ((size_t)ds->F + 1), "train rows");
  if (!split || !ds->train) return free(split), -1;
  int rc = dp_h5_read_rows(ds->f, "split", H5T_NATIVE_UCHAR, 0, (hsize_t)ds->F, split);
  for (int i = 0; rc == 0 && i < ds->F; i++)
    if (split[i] == 0) ds->train[ds->n_train++] = i;
  free(split);
  DP_TRY(rc);
  if (o->max_frames > 0 && ds->n_train > (size_t)o->max_frames) ds->n_train = (size_t)o->max_frames;
  if (ds->n_train == 0) return dp_fail("depth.h5: no training frames (split 0)");
  /* The tree's parents give Ls and Lr their offsets. */
  dp_skeleton sk;
  DP_TRY(dp_skeleton_read(dp_ctx_input(ctx, "skeleton.h5"), ctx->comm, NULL, &sk));
  if (sk.n_joints != ds->J) rc = dp_fail("skeleton.h5 has %d joints, depth.h5 %d", sk.n_joints, ds->J);
  for (int j = 0; rc == 0 && j < ds->J; j++) ds->parent[j] = sk.parent[j];
  dp_skeleton_free(&sk);
  return rc;
}

static void close_data(dataset *ds) {
  if (ds->f >= 0) dp_h5_close(ds->f);
  dp_h5_free_strings(ds->names, ds->n_names);
  free(ds->train);
}

/* This rank's rows of one global batch: inputs, box targets, joint targets. */
typedef struct {
  int cap, n;
  hsize_t *rows;
  int *order;
  uint16_t *depth, *scratch;
  float *joints_mm, *bbox, *x, *box_t, *pose_t;
} batch;

/* Rows the batch buffers hold: the output-gradient buffer keeps cap rows of joint
 * gradients, then the box gradients. */
static int local_rows(const batch *b) { return b->cap; }

static int batch_alloc(batch *b, int cap, const dataset *ds, const dp_nn_desc *d) {
  memset(b, 0, sizeof *b);
  b->cap = cap;
  size_t px = (size_t)ds->H * (size_t)ds->W, in = (size_t)d->in_h * (size_t)d->in_w;
  b->rows = dp_malloc(sizeof *b->rows * (size_t)cap, "batch rows");
  b->order = dp_malloc(sizeof *b->order * (size_t)cap, "batch order");
  b->depth = dp_malloc(sizeof *b->depth * px * (size_t)cap, "batch frames");
  b->scratch = dp_malloc(sizeof *b->scratch * px, "median scratch");
  b->joints_mm = dp_malloc(sizeof(float) * 3 * (size_t)ds->J * (size_t)cap, "batch joints");
  b->bbox = dp_malloc(sizeof(float) * 4 * (size_t)cap, "batch boxes");
  b->x = dp_malloc(sizeof(float) * in * (size_t)cap, "batch input");
  b->box_t = dp_malloc(sizeof(float) * 4 * (size_t)cap, "box targets");
  b->pose_t = dp_malloc(sizeof(float) * 3 * (size_t)ds->J * (size_t)cap, "pose targets");
  return b->rows && b->order && b->depth && b->scratch && b->joints_mm && b->bbox && b->x &&
                 b->box_t && b->pose_t ? 0 : -1;
}

static void batch_free(batch *b) {
  free(b->rows), free(b->order), free(b->depth), free(b->scratch), free(b->joints_mm);
  free(b->bbox), free(b->x), free(b->box_t), free(b->pose_t);
}

static int cmp_row(const void *a, const void *b) {
  hsize_t x = *(const hsize_t *)a, y = *(const hsize_t *)b;
  return (x > y) - (x < y);
}

/* Read the given frame rows (any order) and build network inputs and targets in that
 * order. HDF5 wants the rows sorted, so read sorted and place each where it belongs. */
static int load_batch(const dataset *ds, const train_opts *o, const dp_nn_desc *d,
                      const int *frames, int n, batch *b) {
  b->n = n;
  for (int i = 0; i < n; i++) b->rows[i] = (hsize_t)frames[i];
  qsort(b->rows, (size_t)n, sizeof *b->rows, cmp_row);
  for (int i = 0; i < n; i++) /* where frame i landed among the sorted rows */
    b->order[i] = (int)((hsize_t *)bsearch(&(hsize_t){(hsize_t)frames[i]}, b->rows, (size_t)n,
                                            sizeof *b->rows, cmp_row) - b->rows);
  DP_TRY(dp_h5_read_index(ds->f, "depth", H5T_NATIVE_UINT16, b->rows, (size_t)n, b->depth));
  DP_TRY(dp_h5_read_index(ds->f, "joints", H5T_NATIVE_FLOAT, b->rows, (size_t)n, b->joints_mm));
  DP_TRY(dp_h5_read_index(ds->f, "bbox", H5T_NATIVE_FLOAT, b->rows, (size_t)n, b->bbox));
  const size_t px = (size_t)ds->H * (size_t)ds->W, in = (size_t)d->in_h * (size_t)d->in_w;
  const size_t J3 = 3 * (size_t)ds->J;
  for (int i = 0; i < n; i++) {
    size_t s = (size_t)b->order[i];
    dp_normalise_frame(&o->net, b->depth + s * px, ds->H, ds->W, b->scratch, b->x + (size_t)i * in);
    const float scale[4] = {(float)ds->W, (float)ds->H, (float)ds->W, (float)ds->H};
    for (int k = 0; k < 4; k++) b->box_t[4 * i + k] = b->bbox[4 * s + (size_t)k] / scale[k];
    dp_pose_target(&o->net, &ds->anchor, ds->J, b->joints_mm + s * J3, b->pose_t + (size_t)i * J3);
  }
  return 0;
}

/* ---- checkpoints -------------------------------------------------------------------- */

typedef struct {
  long phase, epoch, step_in_epoch, global_step;
} position;

static void ckpt_path(const dp_ctx *ctx, char *buf, size_t cap, const char *ext) {
  snprintf(buf, cap, "%s/train_checkpoint.h5%s", ctx->workdir, ext);
}

/* Rank 0 writes; atomic (write .partial, rename). Tagged with the stage's config and
 * input hashes so a checkpoint of another configuration is never resumed. */
static int save_checkpoint(const dp_ctx *ctx, const dp_nn_net *net, const dp_nn_opt *opt,
                           const position *pos) {
  if (ctx->rank != 0) return 0;
  char tmp[4200], fin[4200];
  ckpt_path(ctx, tmp, sizeof tmp, ".partial");
  ckpt_path(ctx, fin, sizeof fin, "");
  hid_t f = dp_h5_create(tmp, MPI_COMM_SELF);
  if (f < 0) return -1;
  hsize_t np[1] = {net->n_params}, ns[1] = {opt->state_len};
  int rc = dp_h5_write_rows(f, "params", H5T_NATIVE_FLOAT, 1, np, 0, np[0], net->params, NULL);
  if (rc == 0) rc = dp_h5_write_rows(f, "optimizer_state", H5T_NATIVE_FLOAT, 1, ns, 0, ns[0], opt->state, NULL);
  long v[6] = {pos->phase, pos->epoch, pos->step_in_epoch, pos->global_step, (long)opt->t, ctx->size};
  if (rc == 0) rc = dp_h5_attr_longs(f, "position", v, 6);
  if (rc == 0) rc = dp_h5_attr_longs(f, "config_hash", (const long *)&ctx->config_hash, 1);
  if (dp_h5_close(f) != 0) rc = -1;
  return rc == 0 ? dp_commit_file(tmp, fin) : rc;
}

/* Every rank reads the checkpoint if there is one for this configuration. */
static int load_checkpoint(const dp_ctx *ctx, dp_nn_net *net, dp_nn_opt *opt, position *pos, int *found) {
  char path[4200];
  ckpt_path(ctx, path, sizeof path, "");
  *found = 0;
  if (!dp_file_exists(path)) return 0;
  hid_t f = dp_h5_open_serial(path);
  if (f < 0) return -1;
  long v[6], h = 0;
  size_t n = 0;
  hsize_t np[1] = {net->n_params}, ns[1] = {opt->state_len};
  int rc = dp_h5_read_attr_longs(f, "config_hash", &h, 1, &n);
  if (rc == 0 && (uint64_t)h != ctx->config_hash) { /* another configuration's: ignore */
    dp_h5_close(f);
    return 0;
  }
  if (rc == 0) rc = dp_h5_read_attr_longs(f, "position", v, 6, &n);
  if (rc == 0) rc = dp_h5_expect(f, "params", 1, np, NULL);
  if (rc == 0) rc = dp_h5_expect(f, "optimizer_state", 1, ns, NULL);
  if (rc == 0) rc = dp_h5_read_rows(f, "params", H5T_NATIVE_FLOAT, 0, np[0], net->params);
  if (rc == 0) rc = dp_h5_read_rows(f, "optimizer_state", H5T_NATIVE_FLOAT, 0, ns[0], opt->state);
  dp_h5_close(f);
  if (rc != 0) return dp_fail("%s: unreadable checkpoint (delete it to start over)", path);
  *pos = (position){v[0], v[1], v[2], v[3]};
  opt->t = (uint64_t)v[4];
  *found = 1;
  return 0;
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
  double loss_sum, ld, ls, lr;
  long n;
} loss_acc;

/* One global step: this rank's share of rows perm[s0, s0 + nb). Returns the rank-local
 * loss sum (loss times local rows) in acc. */
static int train_step(dp_ctx *ctx, const train_opts *o, const dataset *ds, const dp_nn_desc *d,
                      dp_nn_net *net, dp_nn_opt *opt, int phase, const int *perm, size_t s0,
                      size_t nb, uint64_t global_step, float lr, batch *b, float *dy, loss_acc *acc) {
  size_t first, count;
  dp_split_range(nb, ctx->size, ctx->rank, &first, &count);
  int rc = count ? load_batch(ds, o, d, perm + s0 + first, (int)count, b) : 0;
  DP_TRY(dp_ctx_sync(ctx, rc));
  dp_nn_zero_grad(net);
  const int path = phase == 0 ? dp_nn_path_index(net, "box") : dp_nn_path_index(net, "joints");
  float loss = 0;
  dp_nn_pose_loss_terms terms = {0};
  if (count) {
    /* End-to-end fine-tuning moves the trunk under the box pathway: keep training it on
     * the box too, or detection degrades (measured: box IoU 0.67 -> 0.15). */
    const int box = dp_nn_path_index(net, "box");
    unsigned paths = 1u << path | (phase == 2 ? 1u << box : 0u);
    dp_nn_pass pass = {.train = 1, .step = global_step, .sample0 = s0 + first, .paths = paths};
    dp_nn_forward(net, b->x, (int)count, &pass);
    const float *y = dp_nn_output(net, path);
    if (phase == 0) loss = dp_nn_box_loss((int)count, 4, y, b->box_t, dy);
    else loss = dp_nn_pose_loss((int)count, ds->J, ds->parent, y, b->pose_t, &o->loss, dy, &terms);
    if (phase == 2)
      loss += dp_nn_box_loss((int)count, 4, dp_nn_output(net, box), b->box_t,
                             dy + (size_t)local_rows(b) * 3 * (size_t)ds->J);
    if (!isfinite(loss)) /* diverged: stop before the update spoils the weights */
      rc = dp_fail("non-finite loss at step %llu (phase %d); the last checkpoint is kept: lower the "
                   "learning rate and rerun", (unsigned long long)global_step, phase);
  }
  DP_TRY(dp_ctx_sync(ctx, rc));
  if (count) {
    /* Each rank's loss is its batch mean: weight it to a share of the global mean. */
    const float share = (float)count / (float)nb;
    float *dbox = dy + (size_t)local_rows(b) * 3 * (size_t)ds->J;
    for (size_t i = 0; i < count * (size_t)net->path_out[path]; i++) dy[i] *= share;
    for (size_t i = 0; phase == 2 && i < 4 * count; i++) dbox[i] *= share;
    const float *dys[DP_NN_MAX_PATHS] = {0};
    dys[path] = dy;
    if (phase == 2) dys[dp_nn_path_index(net, "box")] = dbox;
    dp_nn_backward(net, dys);
    acc->loss_sum += (double)loss * (double)count;
    acc->ld += terms.ld * (double)count, acc->ls += terms.ls * (double)count, acc->lr += terms.lr * (double)count;
    acc->n += (long)count;
  }
  MPI_Allreduce(MPI_IN_PLACE, net->grads, (int)net->n_params, MPI_FLOAT, MPI_SUM, ctx->comm);
  dp_nn_opt_step(opt, net, lr);
  return 0;
}

/* 0: trunk + box pathway; 1: joints pathway on the frozen trunk (the original);
 * 2: end-to-end fine-tuning of everything on pose loss + box loss. */
static void set_phase(dp_nn_net *net, int phase) {
  const int box = dp_nn_path_index(net, "box"), joints = dp_nn_path_index(net, "joints");
  dp_nn_freeze_trunk(net, phase == 1);
  dp_nn_freeze_path(net, box, phase == 1);
  dp_nn_freeze_path(net, joints, phase == 0);
}

static int write_model(dp_ctx *ctx, const train_opts *o, const dataset *ds, const dp_nn_net *net,
                       const dp_nn_opt *opt, const position *pos, const double final_loss[N_PHASES]) {
  hid_t f = dp_h5_create(dp_ctx_output(ctx, "model.h5"), ctx->comm);
  int rc = dp_ctx_sync(ctx, f < 0 ? -1 : 0);
  if (rc != 0) return -1;
  hsize_t rows = ctx->rank == 0; /* rank 0 holds the (identical) parameters */
  for (int t = 0; rc == 0 && t < net->n_tensors; t++) {
    const dp_nn_param *p = &net->tensors[t];
    hsize_t dims[4];
    for (int k = 0; k < p->ndim; k++) dims[k] = (hsize_t)p->shape[k];
    /* one dataset per tensor: rank 0 writes all rows */
    rc = dp_h5_write_rows(f, p->name, H5T_NATIVE_FLOAT, p->ndim, dims, 0, rows ? dims[0] : 0,
                          net->params + p->offset, NULL);
  }
  hsize_t ns[1] = {opt->state_len};
  if (rc == 0) rc = dp_h5_write_rows(f, "optimizer_state", H5T_NATIVE_FLOAT, 1, ns, 0, rows ? ns[0] : 0, opt->state, NULL);
  if (rc == 0) rc = dp_net_params_write(f, &o->net);
  if (rc == 0) rc = dp_h5_attr_strings(f, "joint_names", (const char *const *)ds->names, (size_t)ds->J);
  long par[DP_MAX_JOINTS];
  for (int j = 0; j < ds->J; j++) par[j] = ds->parent[j];
  if (rc == 0) rc = dp_h5_attr_longs(f, "parent", par, (size_t)ds->J);
  if (rc == 0) rc = dp_h5_attr_long(f, "step", pos->global_step);
  if (rc == 0) rc = dp_h5_attr_long(f, "rng_seed", (long)ctx->seed);
  if (rc == 0) rc = dp_h5_attr_long(f, "frame_height", ds->H);
  if (rc == 0) rc = dp_h5_attr_long(f, "frame_width", ds->W);
  if (rc == 0) rc = dp_h5_attr_double(f, "final_detection_loss", final_loss[0]);
  if (rc == 0) rc = dp_h5_attr_double(f, "final_regression_loss", final_loss[1]);
  if (rc == 0) rc = dp_h5_attr_double(f, "final_end_to_end_loss", final_loss[2]);
  if (rc == 0) rc = dp_h5_attr_string(f, "config", ctx->config_path);
  if (rc == 0) rc = dp_h5_attr_string(f, "joint_units", "m, torso-relative camera frame (or embedded)");
  if (dp_h5_close(f) != 0) rc = -1;
  return dp_ctx_sync(ctx, rc);
}

static int run(dp_ctx *ctx) {
  const train_opts *o = ctx->opts;
  dataset ds;
  int rc = open_data(ctx, o, &ds);
  dp_nn_desc desc;
  dp_nn_net *net = NULL;
  dp_nn_opt opt = {0};
  const int local_cap = (int)((o->batch + ctx->size - 1) / ctx->size);
  if (rc == 0) rc = dp_net_desc(&o->net, ds.H, ds.W, ds.J, &desc);
  if (rc == 0) rc = dp_nn_create(&net, &desc, local_cap);
  if (rc == 0) {
    dp_nn_init(net, ctx->seed);
    dp_nn_opt_cfg oc = {.kind = o->optimiser == 0 ? DP_NN_SGD : DP_NN_ADAM,
                        .momentum = (float)o->momentum, .weight_decay = (float)o->weight_decay};
    rc = dp_nn_opt_init(&opt, &oc, net->n_params);
  }
  batch b = {0};
  int *perm = NULL;
  float *dy = NULL;
  if (rc == 0) rc = batch_alloc(&b, local_cap, &ds, &desc);
  if (rc == 0) {
    perm = dp_malloc(sizeof *perm * ds.n_train, "permutation");
    /* joints gradient, then the box gradient (used together in the end-to-end phase) */
    dy = dp_malloc(sizeof *dy * (size_t)local_cap * (size_t)(3 * ds.J + 4), "output gradient");
    rc = perm && dy ? 0 : -1;
  }
  position pos = {0, 0, 0, 0};
  int resumed = 0;
  if (rc == 0) rc = load_checkpoint(ctx, net, &opt, &pos, &resumed);
  rc = dp_ctx_sync(ctx, rc);
  if (rc == 0 && resumed)
    dp_info("train: resuming from the checkpoint at phase %ld, epoch %ld, step %ld", pos.phase,
            pos.epoch, pos.step_in_epoch);
  struct sigaction sa = {.sa_handler = on_stop}, old_term, old_usr1;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, &old_term);
  sigaction(SIGUSR1, &sa, &old_usr1);
  g_stop = 0;

  const size_t B = (size_t)o->batch, steps = (ds.n_train + B - 1) / B;
  double final_loss[N_PHASES] = {NAN, NAN, NAN}, t0 = dp_now();
  long images = 0;
  const char *PHASE[N_PHASES] = {"detection", "regression", "end-to-end"};
  openblas_set_num_threads((int)o->blas_threads);
  for (long ph = pos.phase; rc == 0 && ph < N_PHASES; ph++) {
    set_phase(net, (int)ph);
    for (long ep = ph == pos.phase ? pos.epoch : 0; rc == 0 && ep < o->phase[ph].epochs; ep++) {
      permutation(ctx->seed, ph, ep, &ds, perm);
      loss_acc acc = {0};
      size_t s_begin = ph == pos.phase && ep == pos.epoch ? (size_t)pos.step_in_epoch : 0;
      for (size_t s = s_begin; rc == 0 && s < steps; s++) {
        size_t s0 = s * B, nb = s0 + B <= ds.n_train ? B : ds.n_train - s0;
        rc = train_step(ctx, o, &ds, &desc, net, &opt, (int)ph, perm, s0, nb,
                        (uint64_t)pos.global_step,
                        (float)(o->phase[ph].lr * pow(o->phase[ph].lr_decay, (double)ep)), &b, dy, &acc);
        pos = (position){ph, ep, (long)s + 1, pos.global_step + 1};
        images += (long)nb;
        int stop = g_stop || dp_fault_stop_at(ctx, pos.global_step);
        MPI_Allreduce(MPI_IN_PLACE, &stop, 1, MPI_INT, MPI_MAX, ctx->comm);
        if (rc == 0 && (stop || pos.global_step % o->checkpoint_every == 0))
          rc = dp_ctx_sync(ctx, save_checkpoint(ctx, net, &opt, &pos));
        if (rc == 0 && stop)
          rc = dp_fail("interrupted by a signal; checkpoint written at step %ld: rerun to resume",
                       pos.global_step);
      }
      if (rc != 0) break;
      double sums[5] = {acc.loss_sum, acc.ld, acc.ls, acc.lr, (double)acc.n};
      MPI_Allreduce(MPI_IN_PLACE, sums, 5, MPI_DOUBLE, MPI_SUM, ctx->comm);
      final_loss[ph] = sums[4] > 0 ? sums[0] / sums[4] : NAN;
      if (ph == 0) dp_info("train %s epoch %ld/%ld: box loss %.5f", PHASE[ph], ep + 1, o->phase[ph].epochs, final_loss[ph]);
      else dp_info("train %s epoch %ld/%ld: loss %.5f (Ld %.5f, Ls %.5f, Lr %.5f)", PHASE[ph], ep + 1,
                   o->phase[ph].epochs, final_loss[ph], sums[1] / sums[4], sums[2] / sums[4], sums[3] / sums[4]);
      pos = (position){ph, ep + 1, 0, pos.global_step};
    }
    if (rc == 0) {
      pos = (position){ph + 1, 0, 0, pos.global_step};
      rc = dp_ctx_sync(ctx, save_checkpoint(ctx, net, &opt, &pos));
    }
  }
  sigaction(SIGTERM, &old_term, NULL);
  sigaction(SIGUSR1, &old_usr1, NULL);
  double t = dp_now() - t0;
  if (rc == 0) rc = write_model(ctx, o, &ds, net, &opt, &pos, final_loss);
  if (rc == 0)
    dp_ctx_summary(ctx, "%zu train frames, %ld steps of %ld, %s; %zu parameters; %.1f s (%.1f images/s); "
                   "final box loss %.5f, pose loss %.5f%s",
                   ds.n_train, pos.global_step, o->batch, OPTIMISERS[o->optimiser], net->n_params, t,
                   t > 0 ? (double)images / t : 0.0, final_loss[0],
                   isfinite(final_loss[2]) ? final_loss[2] : final_loss[1],
                   resumed ? " (resumed from a checkpoint)" : "");
  free(perm);
  free(dy);
  batch_free(&b);
  dp_nn_opt_free(&opt);
  dp_nn_destroy(net);
  close_data(&ds);
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
