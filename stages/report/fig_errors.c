/* fig_errors.c - per-joint 3-D errors from evaluate's results/per_joint.csv: mean and
 * median per joint, and the mean split by frame origin (synthetic-pose vs real-pose
 * frames). The same numbers appear as a table on the page. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* One bar panel; series s of row r is rows[r].v[cols[s]]. A series with no finite value
 * is left out (evaluate writes nan for a frame origin it did not see). Returns how many
 * series were drawn. */
static int bar_panel(const rp_data *d, rp_figure *f, double x, double y, double w, const int *cols,
                     const char *const *names, const dp_rgb *colours, int n_series, const char *xlabel) {
  double vals[2 * (DP_MAX_JOINTS + 1)], hi = 0;
  const char *kept[2];
  dp_pen pens[2];
  dp_rgb ink[2];
  int n = 0;
  for (int s = 0; s < n_series; s++) {
    int any = 0;
    for (int r = 0; r < d->n_rows; r++) {
      double v = d->rows[r].v[cols[s]];
      vals[n * d->n_rows + r] = v;
      if (isfinite(v)) hi = fmax(hi, v), any = 1;
    }
    if (!any) continue;
    kept[n] = names[s], ink[n] = colours[s], pens[n] = (dp_pen){colours[s], 2, 0};
    n++;
  }
  if (!n) return 0;
  const char *rows[DP_MAX_JOINTS + 1];
  for (int r = 0; r < d->n_rows; r++) rows[r] = d->rows[r].joint;
  dp_plot p;
  dp_plot_init(&p, x, y, w, 18.0 * d->n_rows, 0, hi, 0, 1, 6, 2);
  dp_plot_axes_rows(&f->svg, &p, rows, d->n_rows, xlabel);
  dp_plot_hbars(&f->svg, &p, d->n_rows, n, vals, ink);
  dp_svg_legend(&f->svg, x, y - 26, n, kept, pens, 1);
  return n;
}

void rp_fig_errors(const rp_data *d, rp_figure *f) {
  snprintf(f->title, sizeof f->title, "Per-joint 3-D error");
  double widest = 0;
  for (int r = 0; r < d->n_rows; r++) widest = fmax(widest, dp_svg_text_width(d->rows[r].joint, 11));
  const double X = widest + 20, Y = 80, PW = 260, GAP = widest + 50;
  dp_svg_begin(&f->svg, X + 2 * PW + GAP + 20, Y + 18.0 * d->n_rows + 50, f->title);
  rp_heading(&f->svg, 16, 24, "Per-joint 3-D error on the evaluated frames (mm)");
  static const int A[2] = {RP_COL_MEAN, RP_COL_MEDIAN}, B[2] = {RP_COL_SYNTH, RP_COL_REAL};
  static const char *const AN[2] = {"mean", "median"}, *const BN[2] = {"synthetic-pose frames (mean)", "real-pose frames (mean)"};
  const dp_rgb ac[2] = {dp_palette(0), dp_palette(5)}, bc[2] = {dp_palette(2), dp_palette(1)};
  bar_panel(d, f, X, Y, PW, A, AN, ac, 2, "error (mm)");
  int split = bar_panel(d, f, X + PW + GAP, Y, PW, B, BN, bc, 2, "mean error (mm)");
  dp_svg_end(&f->svg);
  const rp_joint_row *mean = NULL;
  for (int r = 0; r < d->n_rows; r++)
    if (d->rows[r].joint[0] == 'm' && !strcmp(d->rows[r].joint, "mean")) mean = &d->rows[r];
  dp_text_printf(&f->caption, "3-D joint error per joint on the %s evaluated frames (results/per_joint.csv), where "
                 "the network predicts (torso-relative camera coordinates, or the pose embedding).",
                 d->n_rows ? d->rows[0].field[RP_COL_FRAMES] : "0");
  if (mean) dp_text_printf(&f->caption, " Over all joints: mean %s mm, median %s mm.", mean->field[RP_COL_MEAN], mean->field[RP_COL_MEDIAN]);
  int synth = 0;
  for (int r = 0; r < d->n_rows; r++) synth |= isfinite(d->rows[r].v[RP_COL_SYNTH]);
  if (!split) dp_text_put(&f->caption, " The file has no split by frame origin.");
  else if (!synth) dp_text_put(&f->caption, " No synthetic-pose frames were among the evaluated frames (right: real-pose frames only).");
}
