/* page.c - report/index.html: one self-contained page (inline SVG, the PNG as a data
 * URI, an internal style sheet; no script, no network) with the run's header, its key
 * numbers, the pipeline's manifest, the figures and the per-joint table. Every string
 * from the inputs is escaped; nothing on the page depends on the time it was made. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "report.h"

static const char *const STYLE =
    "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;"
    "color:#222;line-height:1.45}\n"
    "h1{margin-bottom:0.1em}h2{margin-top:1.8em;border-bottom:1px solid #ccc}\n"
    ".sub{color:#555;margin-top:0}\n"
    "table{border-collapse:collapse;margin:0.5em 0}\n"
    "th,td{padding:3px 10px;border-bottom:1px solid #e2e2e2;text-align:right;vertical-align:top}\n"
    "th:first-child,td:first-child{text-align:left}\n"
    "table.key td{text-align:left}table.key td:first-child{font-weight:bold;white-space:nowrap}\n"
    "td.summary{text-align:left;font-size:0.9em}\n"
    "tr.mean td{font-weight:bold}\n"
    "figure{margin:1.5em 0 2.5em 0}figure svg{max-width:100%;height:auto}\n"
    "figure img{width:100%;max-width:1000px;height:auto;image-rendering:pixelated}\n"
    "figcaption{font-size:0.92em;color:#444;max-width:1000px}\n"
    ".note{color:#777;font-style:italic}\n"
    "code{font-size:0.92em}\n";

static void esc(dp_text *t, const char *s) { dp_text_escape(t, s); }

/* "%.Nf" or an em dash for a missing value. */
static void num(dp_text *t, double v, int decimals, const char *unit) {
  if (isfinite(v)) dp_text_printf(t, "%.*f%s", decimals, v, unit);
  else dp_text_put(t, "\xe2\x80\x94");
}

static void key_row_start(dp_text *t, const char *what) {
  dp_text_put(t, "<tr><td>");
  esc(t, what);
  dp_text_put(t, "</td><td>");
}

static void key_results(const rp_data *d, dp_text *t) {
  dp_text_put(t, "<h2 id=\"results\">Key results</h2>\n<table class=\"key\">\n");
  key_row_start(t, "Mean joint error");
  num(t, d->mean_error_mm, 1, " mm");
  if (d->eval_frames >= 0) dp_text_printf(t, " over %ld evaluated frames", d->eval_frames);
  dp_text_put(t, " (results/summary.json)</td></tr>\n");
  key_row_start(t, "Mean box IoU");
  num(t, d->box_iou, 3, "");
  dp_text_put(t, "</td></tr>\n");
  key_row_start(t, "Pose coverage");
  if (d->n_cov) {
    dp_text_printf(t, "test pose \xe2\x86\x92 nearest train: mean %.1f mm, median %.1f mm; \xe2\x86\x92 nearest synthetic: "
                   "mean %.1f mm, median %.1f mm; %.1f%% of %zu test poses are closer to a synthetic pose",
                   d->cov[0].mean, d->cov[0].median, d->cov[1].mean, d->cov[1].median, 100 * d->cov_closer, d->n_cov);
  } else {
    dp_text_put(t, "<span class=\"note\">not computed (synth.h5 has no coverage distances)</span>");
  }
  dp_text_put(t, "</td></tr>\n");
  key_row_start(t, "Skeleton tree");
  dp_text_printf(t, "%d edges, root ", d->J - 1);
  esc(t, d->names[d->root]);
  if (d->n_anat_edges) dp_text_printf(t, "; %d of %d anatomical edges", d->n_tree_anat, d->n_anat_edges);
  dp_text_put(t, "; estimator ");
  esc(t, d->estimator[0] ? d->estimator : "unknown");
  dp_text_put(t, "</td></tr>\n");
  key_row_start(t, "Data");
  dp_text_printf(t, "%d joints; %zu training poses; %zu sampled poses; %zu depth frames (%zu test, %d \xc3\x97 %d px)",
                 d->J, d->n_train, d->n_synth, d->n_depth, d->n_depth_test, d->W, d->H);
  dp_text_put(t, "</td></tr>\n");
  key_row_start(t, "Training");
  if (d->step >= 0) dp_text_printf(t, "%ld steps; ", d->step);
  static const char *const PH[3] = {"detection", "regression", "end-to-end"};
  dp_text_put(t, "final loss");
  for (int p = 0; p < 3; p++) {
    dp_text_printf(t, "%s %s ", p ? "," : "", PH[p]);
    if (isfinite(d->final_loss[p])) dp_text_printf(t, "%.5g", d->final_loss[p]);
    else dp_text_put(t, "\xe2\x80\x94");
  }
  dp_text_put(t, "</td></tr>\n</table>\n");
}

/* Each earlier stage's manifest record: status, wall time, settings hash, its summary.
 * The finish times are left out (the page must not change with the clock), and so is
 * the report's own record (it is being written). */
static void pipeline(const rp_data *d, dp_text *t) {
  dp_text_put(t, "<h2 id=\"pipeline\">Pipeline</h2>\n");
  if (!d->has_manifest || d->manifest.n == 0) {
    dp_text_put(t, "<p class=\"note\">No readable manifest.tsv in the work directory.</p>\n");
    return;
  }
  dp_text_put(t, "<table>\n<tr><th>stage</th><th>status</th><th>wall (s)</th><th>settings hash</th>"
              "<th>summary</th></tr>\n");
  for (int i = 0; i < d->manifest.n; i++) {
    const dp_record *r = &d->manifest.rec[i];
    if (!strcmp(r->stage, "report")) continue;
    dp_text_put(t, "<tr><td>");
    esc(t, r->stage);
    dp_text_put(t, "</td><td>");
    esc(t, r->status);
    dp_text_printf(t, "</td><td>%.1f</td><td><code>%016" PRIx64 "</code></td><td class=\"summary\">", r->wall,
                   r->config_hash);
    esc(t, r->summary);
    dp_text_put(t, "</td></tr>\n");
  }
  dp_text_put(t, "</table>\n");
}

static void figure(const rp_figure *f, int number, dp_text *t) {
  const char *base = strrchr(f->file, '/') ? strrchr(f->file, '/') + 1 : f->file;
  dp_text_printf(t, "<figure id=\"fig-%s\">\n<h3>Figure %d. ", f->id, number);
  esc(t, f->title);
  dp_text_put(t, "</h3>\n");
  if (f->note.len) {
    dp_text_put(t, "<p class=\"note\">");
    esc(t, dp_text_str(&f->note));
    dp_text_put(t, "</p>\n");
  } else if (f->png.len) {
    dp_text_put(t, "<img alt=\"");
    esc(t, f->title);
    dp_text_put(t, "\" src=\"data:image/png;base64,");
    dp_text_put(t, dp_text_str(&f->png));
    dp_text_put(t, "\">\n");
  } else {
    dp_text_put(t, dp_text_str(&f->svg));
  }
  dp_text_put(t, "<figcaption>");
  esc(t, dp_text_str(&f->caption));
  dp_text_put(t, " File: <a href=\"");
  esc(t, base);
  dp_text_put(t, "\">");
  esc(t, base);
  dp_text_put(t, "</a>.</figcaption>\n</figure>\n");
}

static void per_joint_table(const rp_data *d, dp_text *t) {
  dp_text_put(t, "<h2 id=\"per-joint\">Per-joint errors</h2>\n<p>From <code>results/per_joint.csv</code> "
              "(3-D error in mm where the network predicts).</p>\n<table class=\"per-joint\">\n"
              "<tr><th>joint</th><th>frames</th><th>mean (mm)</th><th>median (mm)</th>"
              "<th>mean, synthetic-pose frames</th><th>mean, real-pose frames</th></tr>\n");
  for (int r = 0; r < d->n_rows; r++) {
    const rp_joint_row *row = &d->rows[r];
    dp_text_put(t, strcmp(row->joint, "mean") ? "<tr><td>" : "<tr class=\"mean\"><td>");
    esc(t, row->joint);
    dp_text_put(t, "</td>");
    for (int c = 0; c < RP_COLS; c++) {
      dp_text_put(t, "<td>");
      esc(t, row->field[c]);
      dp_text_put(t, "</td>");
    }
    dp_text_put(t, "</tr>\n");
  }
  dp_text_put(t, "</table>\n");
}

void rp_page(const rp_data *d, const char *title, const rp_figure *figs, int n_figs, dp_text *t) {
  dp_text_put(t, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
  esc(t, title);
  dp_text_printf(t, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", STYLE);
  esc(t, title);
  dp_text_put(t, "</h1>\n<p class=\"sub\">run <b>");
  esc(t, d->run_name);
  dp_text_printf(t, "</b> \xc2\xb7 seed %" PRIu64 " \xc2\xb7 config <code>", d->seed);
  esc(t, d->config_path);
  dp_text_printf(t, "</code> \xc2\xb7 report settings <code>%016" PRIx64 "</code> \xc2\xb7 depthpose %s</p>\n",
                 d->config_hash, DEPTHPOSE_VERSION);
  dp_text_put(t, "<p>Contents: <a href=\"#results\">key results</a> \xc2\xb7 <a href=\"#pipeline\">pipeline</a>");
  for (int i = 0; i < n_figs; i++) {
    dp_text_printf(t, " \xc2\xb7 <a href=\"#fig-%s\">", figs[i].id);
    esc(t, figs[i].title);
    dp_text_put(t, "</a>");
  }
  dp_text_put(t, " \xc2\xb7 <a href=\"#per-joint\">per-joint table</a></p>\n");
  key_results(d, t);
  pipeline(d, t);
  dp_text_put(t, "<h2 id=\"figures\">Figures</h2>\n");
  for (int i = 0; i < n_figs; i++) figure(&figs[i], i + 1, t);
  per_joint_table(d, t);
  dp_text_put(t, "</body>\n</html>\n");
}
