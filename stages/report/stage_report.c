/* stage_report.c - everything the run made -> report/: one self-contained page
 * (report/index.html) and each figure as its own file (SVG plots, a PNG of depth
 * frames) for papers.
 *
 * Rank 0 reads, checks, draws and writes; the other ranks only agree on the outcome
 * (dp_ctx_sync), so an error on rank 0 stops every rank and the driver removes the
 * .partial files. The page and the figures are functions of the inputs and the
 * report's settings only (no clock), so a rerun gives the same bytes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../pipeline/fsutil.h"
#include "depthpose/stage.h"
#include "report.h"

extern const dp_stage dp_stage_report;

/* The figures, in page order; figure i is written to dp_stage_report.outputs[i + 1]. */
typedef struct {
  const char *id;
  void (*draw)(const rp_data *d, rp_figure *f); /* NULL: the PNG of depth frames */
} fig_entry;
static const fig_entry FIGS[] = {
    {"skeleton", rp_fig_skeleton}, {"mi", rp_fig_mi},             {"coverage", rp_fig_coverage},
    {"gallery", rp_fig_gallery},   {"frames", NULL},              {"training", rp_fig_training},
    {"errors", rp_fig_errors},
};
enum { N_FIGS = sizeof FIGS / sizeof FIGS[0] };

static int configure(const dp_node *sec, void **out) {
  rp_opts *o = dp_calloc(1, sizeof *o, "report options");
  if (!o) return -1;
  *out = o;
  DP_TRY(dp_cfg_int(sec, "frames", 8, 1, RP_FRAMES_MAX, &o->frames));
  DP_TRY(dp_cfg_int(sec, "gallery", 6, 1, RP_GALLERY_MAX, &o->gallery));
  return dp_cfg_string(sec, "title", NULL, &o->title);
}

/* The run's name (run.name, default "run") for the header: the driver does not pass it
 * to stages, so read it from the config file the run was started with. */
static void run_name(const dp_ctx *ctx, char *out, size_t cap) {
  dp_config *c = NULL;
  const dp_node *run = NULL;
  const char *name = "run";
  if (ctx->config_path && dp_config_load(ctx->config_path, &c) == 0 &&
      dp_cfg_section(dp_config_root(c), "run", &run) == 0 && dp_cfg_string(run, "name", "run", &name) == 0)
    snprintf(out, cap, "%s", name);
  else
    snprintf(out, cap, "run");
  dp_error_clear(); /* the driver read this file already; a failure here only costs the name */
  dp_config_free(c);
}

static int draw_and_write(dp_ctx *ctx, const rp_data *d, rp_figure *figs) {
  for (int i = 0; i < N_FIGS; i++) {
    rp_figure *f = &figs[i];
    const char *path = dp_ctx_output(ctx, f->file);
    if (FIGS[i].draw) {
      FIGS[i].draw(d, f);
      DP_TRY(dp_text_save(&f->svg, path));
    } else {
      DP_TRY(rp_fig_frames(d, f, path));
    }
    if (f->svg.failed || f->png.failed || f->caption.failed || f->note.failed)
      return dp_fail("%s: out of memory while drawing it", path);
  }
  return 0;
}

static int write_report(dp_ctx *ctx) {
  const rp_opts *o = ctx->opts;
  rp_data *d = dp_calloc(1, sizeof *d, "report data");
  rp_figure *figs = dp_calloc(N_FIGS, sizeof *figs, "figures");
  if (!d || !figs) {
    free(d);
    free(figs);
    return -1;
  }
  run_name(ctx, d->run_name, sizeof d->run_name);
  snprintf(d->config_path, sizeof d->config_path, "%s", ctx->config_path ? ctx->config_path : "");
  d->seed = ctx->seed;
  d->config_hash = ctx->config_hash;
  for (int i = 0; i < N_FIGS; i++) rp_figure_init(&figs[i], FIGS[i].id, dp_stage_report.outputs[i + 1]);
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/report", ctx->workdir);
  int rc = dp_mkdirs(dir);
  if (rc == 0) rc = rp_load(ctx->workdir, o, d);
  if (rc == 0) rc = draw_and_write(ctx, d, figs);
  const char *title = o->title && o->title[0] ? o->title : d->run_name;
  dp_text page;
  dp_text_init(&page);
  if (rc == 0) rp_page(d, title, figs, N_FIGS, &page);
  if (rc == 0) rc = dp_text_save(&page, dp_ctx_output(ctx, dp_stage_report.outputs[0]));
  if (rc == 0) {
    int notes = 0;
    for (int i = 0; i < N_FIGS; i++) notes += figs[i].note.len > 0;
    dp_ctx_summary(ctx, "report/index.html: %d figures (%d absent, noted), %.1f KB; mean joint error %.1f mm", N_FIGS,
                   notes, (double)page.len / 1024.0, d->mean_error_mm);
  }
  dp_text_free(&page);
  for (int i = 0; i < N_FIGS; i++) rp_figure_free(&figs[i]);
  free(figs);
  rp_data_free(d);
  free(d);
  return rc;
}

static int run(dp_ctx *ctx) {
  int rc = ctx->rank == 0 ? write_report(ctx) : 0;
  return dp_ctx_sync(ctx, rc);
}

const dp_stage dp_stage_report = {
    .name = "report",
    .what = "the run's figures and one self-contained page (report/index.html)",
    .inputs = {"poses.h5", "skeleton.h5", "synth.h5", "depth.h5", "model.h5", "results/per_joint.csv",
               "results/summary.json"},
    /* index.html first, then one file per entry of FIGS, in its order */
    .outputs = {"report/index.html", "report/skeleton.svg", "report/mi.svg", "report/coverage.svg",
                "report/gallery.svg", "report/frames.png", "report/training.svg", "report/per_joint.svg"},
    .configure = configure,
    .run = run,
    .free_opts = free,
};
