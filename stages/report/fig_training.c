/* fig_training.c - training curves from model.h5: each phase's training loss per epoch
 * (its own panel: the box loss and the pose loss are on different scales), the
 * validation loss beside it, and the validation mean joint error over all epochs.
 * Older models have no /epoch_history: then the figure is a one-line note with the
 * final loss of each phase. */
#include <math.h>
#include <stdlib.h>

#include "report.h"

static const char *const PHASE[3] = {"detection", "regression", "end-to-end"};

static void final_losses(const rp_data *d, dp_text *t) {
  for (int p = 0; p < 3; p++) {
    if (isfinite(d->final_loss[p])) dp_text_printf(t, "%s %s %.5g", p ? "," : "", PHASE[p], d->final_loss[p]);
    else dp_text_printf(t, "%s %s -", p ? "," : "", PHASE[p]);
  }
}

static double hist(const rp_data *d, size_t e, int col) { return d->hist[e * RP_H_N + (size_t)col]; }

/* Panel of one phase: train (solid) and validation (dashed) loss per epoch of the phase. */
static void phase_panel(const rp_data *d, rp_figure *f, int ph, double x) {
  size_t n = 0, cap = d->n_hist + 1;
  double lo = INFINITY, hi = -INFINITY, *ex = malloc(sizeof(double) * 3 * cap);
  if (!ex) {
    f->svg.failed = 1;
    return;
  }
  double *tr = ex + cap, *va = ex + 2 * cap;
  for (size_t e = 0; e < d->n_hist; e++) {
    if (hist(d, e, RP_H_PHASE) != ph) continue;
    ex[n] = (double)(n + 1), tr[n] = hist(d, e, RP_H_TRAIN), va[n] = hist(d, e, RP_H_VAL_LOSS);
    for (int k = 0; k < 2; k++) {
      double v = k ? va[n] : tr[n];
      if (isfinite(v)) lo = fmin(lo, v), hi = fmax(hi, v);
    }
    n++;
  }
  if (!(hi >= lo)) lo = 0, hi = 1;
  dp_plot p;
  dp_plot_init(&p, x, 60, 220, 180, 0, (double)n, fmin(0, lo), hi, n + 1 < 6 ? (int)n + 1 : 6, 6);
  char title[64];
  snprintf(title, sizeof title, "%s loss", PHASE[ph]);
  dp_plot_axes(&f->svg, &p, "epoch of the phase", title);
  dp_plot_line(&f->svg, &p, ex, tr, n, (dp_pen){dp_palette(ph), 2, 0});
  dp_plot_line(&f->svg, &p, ex, va, n, (dp_pen){dp_palette(ph), 2, 1});
  for (size_t i = 0; i < n; i++)
    if (isfinite(tr[i])) dp_svg_circle(&f->svg, dp_scale_map(&p.sx, ex[i]), dp_scale_map(&p.sy, tr[i]), 2.5, dp_palette(ph), NULL);
  free(ex);
}

/* Validation mean joint error (mm) over all epochs in order; 0 when never measured. */
static int error_panel(const rp_data *d, rp_figure *f, double x) {
  size_t cap = d->n_hist + 1;
  double lo = INFINITY, hi = -INFINITY, *ex = malloc(sizeof(double) * 2 * cap);
  if (!ex) {
    f->svg.failed = 1;
    return 0;
  }
  double *mm = ex + cap;
  for (size_t e = 0; e < d->n_hist; e++) {
    ex[e] = (double)(e + 1), mm[e] = hist(d, e, RP_H_VAL_MM);
    if (isfinite(mm[e])) lo = fmin(lo, mm[e]), hi = fmax(hi, mm[e]);
  }
  int any = hi >= lo;
  if (any) {
    dp_plot p;
    dp_plot_init(&p, x, 60, 220, 180, 0, (double)d->n_hist, 0, hi, d->n_hist + 1 < 6 ? (int)d->n_hist + 1 : 6, 6);
    dp_plot_axes(&f->svg, &p, "epoch (all phases)", "val. mean joint error (mm)");
    dp_plot_line(&f->svg, &p, ex, mm, d->n_hist, (dp_pen){DP_BLACK, 2, 0});
    for (size_t e = 0; e < d->n_hist; e++)
      dp_svg_circle(&f->svg, dp_scale_map(&p.sx, ex[e]), dp_scale_map(&p.sy, mm[e]), 3,
                    dp_palette((int)hist(d, e, RP_H_PHASE)), NULL);
  }
  free(ex);
  return any;
}

void rp_fig_training(const rp_data *d, rp_figure *f) {
  snprintf(f->title, sizeof f->title, "Training curves");
  if (d->n_hist == 0) {
    dp_text_put(&f->note, "model.h5 has no /epoch_history (this model was trained without a per-epoch record); final losses:");
    final_losses(d, &f->note);
    dp_text_put(&f->note, ".");
    rp_placeholder(f);
    return;
  }
  int phases[3] = {0}, n_ph = 0;
  for (size_t e = 0; e < d->n_hist; e++) phases[(int)hist(d, e, RP_H_PHASE)] = 1;
  for (int p = 0; p < 3; p++) n_ph += phases[p];
  const double PANEL = 320;
  dp_svg_begin(&f->svg, 30 + PANEL * (n_ph + 1), 300, f->title);
  rp_heading(&f->svg, 16, 24, "Training loss per epoch of each phase (solid: train, dashed: validation)");
  double x = 90;
  for (int p = 0; p < 3; p++)
    if (phases[p]) phase_panel(d, f, p, x), x += PANEL;
  int measured = error_panel(d, f, x);
  if (!measured) {
    dp_font nf = dp_font_of(12, DP_ANCHOR_START);
    nf.colour = DP_GREY;
    dp_svg_text(&f->svg, x, 150, &nf, "no validation error recorded");
  }
  dp_svg_end(&f->svg);
  dp_text_printf(&f->caption, "From model.h5 /epoch_history (%zu epochs, %ld steps). Each phase has its own panel "
                 "because the detection (box) loss and the pose loss are on different scales. Final losses:",
                 d->n_hist, d->step);
  final_losses(d, &f->caption);
  dp_text_put(&f->caption, measured ? ". Right: the validation mean joint error after each epoch (dots coloured by phase)."
                                    : ". No validation error was recorded (no val split and no held-out frames).");
}
