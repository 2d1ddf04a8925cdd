/* stage_evaluate.c - depth.h5 + model.h5 -> results/: per-joint 3-D errors in mm on the
 * test frames (the original's tables), split by frame origin (synthetic / real pose),
 * and the detection pathway's box IoU.
 *
 * Errors are measured where the network predicts: torso-relative camera coordinates, or
 * the pose embedding when the model was trained with it, over the model's joints (its
 * joint_names, found by name among depth.h5's: a model may regress a subset). Test
 * frames are dealt to ranks and read, normalised and scored as train's validation does
 * (dp_infer_rows, the frame loader with its prefetch thread); per-frame errors are
 * gathered to rank 0, which writes the tables. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../train/train_phase.h"
#include "depthpose/h5io.h"
#include "depthpose/stage.h"

typedef struct {
  long batch;
  int split;
} eval_opts;

static const char *const SPLITS[] = {"train", "val", "test", NULL};

static int configure(const dp_node *sec, void **out) {
  eval_opts *o = dp_calloc(1, sizeof *o, "evaluate options");
  if (!o) return -1;
  *out = o;
  DP_TRY(dp_cfg_int(sec, "batch", 64, 1, 1L << 20, &o->batch));
  return dp_cfg_enum(sec, "split", SPLITS, 2, &o->split);
}

static int load_model(dp_ctx *ctx, dp_net_params *np, int *H, int *W, char ***names, size_t *J,
                      dp_nn_net **net, int max_batch) {
  hid_t f = dp_h5_open(dp_ctx_input(ctx, "model.h5"), ctx->comm);
  if (f < 0) return -1;
  long h = 0, w = 0;
  int rc = dp_net_params_read(f, np);
  if (rc == 0) rc = dp_h5_read_attr_long(f, "frame_height", &h);
  if (rc == 0) rc = dp_h5_read_attr_long(f, "frame_width", &w);
  if (rc == 0) rc = dp_h5_read_attr_strings(f, "joint_names", names, J);
  dp_nn_desc d;
  if (rc == 0) rc = dp_net_desc(np, (int)h, (int)w, (int)*J, &d);
  if (rc == 0) rc = dp_nn_create(net, &d, max_batch);
  for (int t = 0; rc == 0 && t < (*net)->n_tensors; t++) {
    const dp_nn_param *p = &(*net)->tensors[t];
    hsize_t dims[4];
    for (int k = 0; k < p->ndim; k++) dims[k] = (hsize_t)p->shape[k];
    rc = dp_h5_expect(f, p->name, p->ndim, dims, NULL);
    if (rc == 0) rc = dp_h5_read_rows(f, p->name, H5T_NATIVE_FLOAT, 0, dims[0], (*net)->params + p->offset);
  }
  dp_h5_close(f);
  *H = (int)h, *W = (int)w;
  return rc;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Tables on rank 0: err[F_test][J] mm, origin[F_test], box IoU[F_test]. */
static int write_results(dp_ctx *ctx, char **names, int J, const double *err, const unsigned char *origin,
                         const double *box_iou, size_t n) {
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/results", ctx->workdir);
  mkdir(dir, 0777);
  FILE *csv = fopen(dp_ctx_output(ctx, "results/per_joint.csv"), "w");
  FILE *md = fopen(dp_ctx_output(ctx, "results/table.md"), "w");
  FILE *js = fopen(dp_ctx_output(ctx, "results/summary.json"), "w");
  if (!csv || !md || !js) {
    if (csv) fclose(csv);
    if (md) fclose(md);
    if (js) fclose(js);
    return dp_fail("%s: cannot write the result files", dir);
  }
  double *col = malloc(sizeof *col * (n + 1));
  fprintf(csv, "joint,frames,mean_mm,median_mm,mean_mm_synthetic_pose,mean_mm_real_pose\n");
  fprintf(md, "| joint | mean error (mm) | median (mm) | mean, synthetic-pose frames | mean, real-pose frames |\n|---|---|---|---|---|\n");
  double all = 0;
  for (int j = 0; j <= J; j++) { /* j == J: the mean over joints */
    double sum = 0, s_syn = 0, s_real = 0;
    long n_syn = 0, n_real = 0;
    for (size_t i = 0; i < n; i++) {
      double e = 0;
      if (j < J) e = err[i * (size_t)J + (size_t)j];
      else
        for (int k = 0; k < J; k++) e += err[i * (size_t)J + (size_t)k] / J;
      col[i] = e;
      sum += e;
      if (origin[i]) s_real += e, n_real++;
      else s_syn += e, n_syn++;
    }
    qsort(col, n, sizeof *col, cmp_double);
    double mean = sum / (double)n, med = n % 2 ? col[n / 2] : 0.5 * (col[n / 2 - 1] + col[n / 2]);
    const char *name = j < J ? names[j] : "mean";
    fprintf(csv, "%s,%zu,%.2f,%.2f,%.2f,%.2f\n", name, n, mean, med, n_syn ? s_syn / (double)n_syn : NAN,
            n_real ? s_real / (double)n_real : NAN);
    char syn[32] = "-", real[32] = "-";
    if (n_syn) snprintf(syn, sizeof syn, "%.1f", s_syn / (double)n_syn);
    if (n_real) snprintf(real, sizeof real, "%.1f", s_real / (double)n_real);
    fprintf(md, "| %s | %.1f | %.1f | %s | %s |\n", name, mean, med, syn, real);
    if (j == J) all = mean;
  }
  double miou = 0;
  for (size_t i = 0; i < n; i++) miou += box_iou[i] / (double)n;
  /* JSON has no NaN: a non-finite figure is written as null */
  char err_s[32] = "null", iou_s[32] = "null";
  if (isfinite(all)) snprintf(err_s, sizeof err_s, "%.3f", all);
  if (isfinite(miou)) snprintf(iou_s, sizeof iou_s, "%.4f", miou);
  fprintf(js, "{\n  \"frames\": %zu,\n  \"mean_joint_error_mm\": %s,\n  \"mean_box_iou\": %s\n}\n", n, err_s,
          iou_s);
  free(col);
  int bad = fclose(csv) | fclose(md) | fclose(js);
  if (bad) return dp_fail("%s: write failed", dir);
  dp_ctx_summary(ctx, "%zu test frames: mean joint error %.1f mm, mean box IoU %.3f", n, all, miou);
  return 0;
}

/* Per-frame results of the rows being evaluated, filled by each rank for its share. */
typedef struct {
  int J, H, W;
  double *err;     /* [n][J] mm */
  double *box_iou; /* [n] */
} scores;

static void score_batch(void *arg, const dp_nn_net *net, const dp_batch *b, size_t at) {
  scores *sc = arg;
  for (int i = 0; i < b->n; i++)
    sc->box_iou[at + i] = dp_frame_score(net, b, i, sc->J, sc->H, sc->W, sc->err + (at + i) * sc->J);
}

static int run(dp_ctx *ctx) {
  const eval_opts *o = ctx->opts;
  dp_net_params np;
  dp_nn_net *net = NULL;
  char **names = NULL;
  size_t J = 0;
  int H = 0, W = 0;
  int rc = load_model(ctx, &np, &H, &W, &names, &J, &net, (int)o->batch);
  /* depth.h5's metadata through the collective handle, closed again: the frames are
   * read by the loader's own handle (train/frame_loader.h) */
  hid_t f = rc == 0 ? dp_h5_open(dp_ctx_input(ctx, "depth.h5"), ctx->comm) : -1;
  if (rc == 0 && f < 0) rc = -1;
  hsize_t want[3] = {0, (hsize_t)H, (hsize_t)W}, got[3] = {0};
  if (rc == 0) rc = dp_h5_expect(f, "depth", 3, want, got);
  /* the model's joints among depth.h5's, whose full pose the targets are built from */
  dp_pose_anchor anchor;
  dp_joint_sel sel;
  char **data_names = NULL;
  size_t DJ = 0;
  if (rc == 0) rc = dp_h5_read_attr_strings(f, "joint_names", &data_names, &DJ);
  if (rc == 0 && DJ > DP_MAX_JOINTS) rc = dp_fail("depth.h5: %zu joints (at most %d)", DJ, DP_MAX_JOINTS);
  if (rc == 0) rc = dp_pose_anchor_lookup(data_names, (int)DJ, &anchor);
  if (rc == 0 && J > DP_MAX_JOINTS) rc = dp_fail("model.h5: %zu joints (at most %d)", J, DP_MAX_JOINTS);
  if (rc == 0) {
    dp_joint_choice model_joints = {.n = (int)J};
    for (size_t j = 0; j < J; j++) model_joints.names[j] = names[j];
    rc = dp_joint_sel_resolve(&model_joints, data_names, (int)DJ, NULL, "depth.h5",
                              ", one of model.h5's joints: the model was trained on other frames "
                              "(rerun train on this depth.h5)",
                              &sel);
  }
  size_t F = (size_t)got[0], n = 0;
  unsigned char *split = rc == 0 ? dp_malloc(F + 1, "splits") : NULL, *origin_all = rc == 0 ? dp_malloc(F + 1, "origins") : NULL;
  int *rows = rc == 0 ? dp_malloc(sizeof *rows * (F + 1), "rows") : NULL;
  if (rc == 0 && (!split || !origin_all || !rows)) rc = -1;
  if (rc == 0) rc = dp_h5_read_rows(f, "split", H5T_NATIVE_UCHAR, 0, F, split);
  if (rc == 0) rc = dp_h5_read_rows(f, "origin", H5T_NATIVE_UCHAR, 0, F, origin_all);
  if (f >= 0 && dp_h5_close(f) != 0) rc = -1;
  for (size_t i = 0; rc == 0 && i < F; i++)
    if (split[i] == o->split) rows[n++] = (int)i;
  if (rc == 0 && n == 0) rc = dp_fail("depth.h5: no %s frames to evaluate", SPLITS[o->split]);
  scores sc = {.J = (int)J, .H = H, .W = W};
  dp_loader *loader = NULL;
  if (rc == 0) {
    sc.err = dp_calloc(n * J + 1, sizeof *sc.err, "joint errors");
    sc.box_iou = dp_calloc(n + 1, sizeof *sc.box_iou, "box IoU");
    if (!sc.err || !sc.box_iou) rc = -1;
  }
  const dp_loader_cfg lc = {.H = H, .W = W, .J = (int)DJ, .net = &np, .anchor = &anchor, .sel = &sel,
                            .cap = (int)o->batch, .prefetch = 1};
  if (rc == 0) rc = dp_loader_open(&loader, dp_ctx_input(ctx, "depth.h5"), &lc);
  if ((rc = dp_ctx_sync(ctx, rc)) == 0) rc = dp_infer_rows(ctx, net, loader, (int)o->batch, rows, n, score_batch, &sc);
  if (rc == 0) { /* every rank filled only its rows; the sums put them together */
    MPI_Allreduce(MPI_IN_PLACE, sc.err, (int)(n * J), MPI_DOUBLE, MPI_SUM, ctx->comm);
    MPI_Allreduce(MPI_IN_PLACE, sc.box_iou, (int)n, MPI_DOUBLE, MPI_SUM, ctx->comm);
    unsigned char *origin = malloc(n + 1);
    for (size_t i = 0; origin && i < n; i++) origin[i] = origin_all[rows[i]];
    if (ctx->rank == 0)
      rc = origin ? write_results(ctx, names, (int)J, sc.err, origin, sc.box_iou, n) : dp_fail("out of memory");
    free(origin);
  }
  if (loader) dp_loader_close(loader);
  free(sc.err), free(sc.box_iou);
  free(split), free(origin_all), free(rows);
  dp_h5_free_strings(names, J);
  dp_h5_free_strings(data_names, DJ);
  dp_nn_destroy(net);
  return rc;
}

const dp_stage dp_stage_evaluate = {
    .name = "evaluate",
    .what = "per-joint 3-D errors (mm) and box IoU on the test frames",
    .inputs = {"depth.h5", "model.h5"},
    .outputs = {"results/per_joint.csv", "results/table.md", "results/summary.json"},
    .configure = configure,
    .run = run,
    .free_opts = free,
};
