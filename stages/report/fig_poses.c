/* fig_poses.c - pose space: how close held-out test poses come to the training poses
 * and to the sampled ones (synth.h5's coverage distances), and a gallery of sampled
 * poses beside real ones at one scale. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

enum { BINS = 40 };

/* Percent of the values per bin of width top/BINS from 0; the last bin takes what lies
 * beyond (the axis ends near the 99.5th percentile, so a few far poses do not squash
 * the rest). */
static void histogram(const double *v, size_t n, double top, double *pct) {
  memset(pct, 0, sizeof(double) * BINS);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(v[i])) continue;
    int b = (int)(v[i] / top * BINS);
    pct[b < 0 ? 0 : b >= BINS ? BINS - 1 : b] += 1;
    m++;
  }
  for (int b = 0; b < BINS; b++) pct[b] = m ? 100.0 * pct[b] / (double)m : 0;
}

/* A histogram outline as a step line from (0, 0) to (top, 0). */
static void steps(const double *pct, double top, double *x, double *y) {
  x[0] = 0, y[0] = 0;
  for (int b = 0; b < BINS; b++) {
    x[1 + 2 * b] = top * b / BINS;
    x[2 + 2 * b] = top * (b + 1) / BINS;
    y[1 + 2 * b] = y[2 + 2 * b] = pct[b];
  }
  x[2 * BINS + 1] = top, y[2 * BINS + 1] = 0;
}

void rp_fig_coverage(const rp_data *d, rp_figure *f) {
  snprintf(f->title, sizeof f->title, "Pose coverage: test poses to their nearest train and synthetic pose");
  if (d->n_cov == 0) {
    dp_text_put(&f->note, "synth.h5 has no coverage distances (stages.sample.coverage is off): no coverage figure.");
    rp_placeholder(f);
    return;
  }
  const rp_summary *s = d->cov;
  dp_ticks k = dp_nice_ticks(0, fmax(fmax(s[0].p995, s[1].p995), 1), 7, 1);
  double top = dp_tick_value(&k, k.n - 1), pct[2][BINS], x[2 * BINS + 2], y[2][2 * BINS + 2], ymax = 0;
  const double *series[2] = {d->cov_train, d->cov_synth};
  for (int i = 0; i < 2; i++) {
    histogram(series[i], d->n_cov, top, pct[i]);
    steps(pct[i], top, x, y[i]);
    for (int b = 0; b < BINS; b++) ymax = fmax(ymax, pct[i][b]);
  }
  dp_plot p;
  dp_plot_init(&p, 70, 46, 440, 250, 0, top, 0, ymax, 8, 6);
  dp_svg_begin(&f->svg, 800, 350, f->title);
  rp_heading(&f->svg, 16, 24, "Distance from each test pose to its nearest neighbour");
  dp_plot_axes(&f->svg, &p, "mean per-joint distance, root-centred (mm)", "% of test poses");
  const dp_pen pens[2] = {{dp_palette(0), 2, 0}, {dp_palette(1), 2, 0}};
  static const char *const names[2] = {"nearest train pose", "nearest synthetic pose"};
  dp_font nf = dp_font_of(11, DP_ANCHOR_START);
  for (int i = 0; i < 2; i++) {
    dp_plot_line(&f->svg, &p, x, y[i], 2 * BINS + 2, pens[i]);
    double mx = dp_scale_map(&p.sx, fmin(s[i].mean, top));
    dp_svg_line(&f->svg, mx, p.y, mx, p.y + p.h, (dp_pen){pens[i].colour, 1, 1});
    dp_svg_textf(&f->svg, 554, 128 + 16 * i, &nf, "%s %.1f / %.1f mm", i ? "synthetic:" : "train:", s[i].mean, s[i].median);
  }
  dp_svg_legend(&f->svg, 530, 70, 2, names, pens, 0);
  dp_svg_text(&f->svg, 530, 110, &nf, "mean / median (dashed: mean)");
  dp_svg_textf(&f->svg, 530, 176, &nf, "%zu test poses, %zu train,", d->n_cov, d->n_train);
  dp_svg_textf(&f->svg, 530, 192, &nf, "%zu synthetic", d->n_synth);
  dp_svg_textf(&f->svg, 530, 216, &nf, "%.1f%% are closer to a synthetic", 100.0 * d->cov_closer);
  dp_svg_text(&f->svg, 530, 232, &nf, "pose than to any train pose");
  dp_svg_end(&f->svg);
  dp_text_printf(&f->caption, "For each of the %zu test poses, the mean per-joint distance (root-centred, mm) to the "
                 "nearest of the %zu training poses and of the %zu sampled poses, as computed by the sample stage. "
                 "Nearest train: mean %.1f, median %.1f mm; nearest synthetic: mean %.1f, median %.1f mm; %.1f%% of "
                 "test poses are closer to a synthetic pose. Bins of %.2f mm.",
                 d->n_cov, d->n_train, d->n_synth, s[0].mean, s[0].median, s[1].mean, s[1].median,
                 100.0 * d->cov_closer, top / BINS);
  double far = fmax(s[0].max, s[1].max);
  if (far >= top)
    dp_text_printf(&f->caption, " The last bin also counts the distances beyond %.0f mm (the largest is %.1f mm).", top, far);
}

/* Bones coloured by side (from the child joint's name), so left and right limbs read
 * at a glance. */
static void side_pens(const rp_data *d, dp_pen *pens) {
  for (int j = 0; j < d->J; j++) {
    const char *n = d->names[j];
    dp_rgb c = n[0] == 'l' && n[1] == '_' ? dp_palette(0) : n[0] == 'r' && n[1] == '_' ? dp_palette(1) : DP_GREY;
    pens[j] = (dp_pen){c, 2.5, 0};
  }
}

void rp_fig_gallery(const rp_data *d, rp_figure *f) {
  snprintf(f->title, sizeof f->title, "Sampled poses beside real training poses");
  const int J = d->J, K = d->n_fake > d->n_real ? d->n_fake : d->n_real;
  const double PW = 110, PH = 190, X0 = 120, Y0 = 44;
  double scale = INFINITY;
  const float *sets[2] = {d->fake, d->real};
  const int counts[2] = {d->n_fake, d->n_real};
  for (int r = 0; r < 2; r++)
    for (int k = 0; k < counts[r]; k++) {
      double w, h, mx, my;
      rp_extent(sets[r] + (size_t)k * 3 * J, J, &w, &h, &mx, &my);
      scale = fmin(scale, fmin(0.85 * PW / fmax(w, 1), 0.85 * PH / fmax(h, 1)));
    }
  if (!isfinite(scale)) scale = 0.1;
  dp_svg_begin(&f->svg, X0 + PW * (K > 0 ? K : 1) + 16, Y0 + 2 * PH + 40, f->title);
  rp_heading(&f->svg, 16, 24, "Sampled (top) and real (bottom) poses, front view, one scale");
  dp_pen pens[DP_MAX_JOINTS];
  side_pens(d, pens);
  static const char *const ROW[2][2] = {{"sampled", "(synth.h5)"}, {"real train", "(poses.h5)"}};
  dp_font rf = dp_font_of(12, DP_ANCHOR_END);
  for (int r = 0; r < 2; r++) {
    double cy = Y0 + PH * (r + 0.5);
    dp_svg_text(&f->svg, X0 - 10, cy - 4, &rf, ROW[r][0]);
    dp_svg_text(&f->svg, X0 - 10, cy + 12, &rf, ROW[r][1]);
    for (int k = 0; k < counts[r]; k++) {
      const float *pose = sets[r] + (size_t)k * 3 * J;
      double w, h, mx, my;
      rp_extent(pose, J, &w, &h, &mx, &my);
      rp_view v = {.scale = scale, .cx = X0 + PW * (k + 0.5), .cy = cy, .mx = mx, .my = my};
      dp_svg_box(&f->svg, X0 + PW * k + 2, Y0 + PH * r + 2, PW - 4, PH - 4, (dp_pen){DP_LIGHT, 1, 0});
      rp_draw_pose(&f->svg, &v, pose, J, d->draw_parent, pens, pens[0], 2);
    }
  }
  const double bar = 1000 * scale; /* a 1-m scale bar */
  dp_svg_line(&f->svg, X0, Y0 + 2 * PH + 20, X0 + bar, Y0 + 2 * PH + 20, (dp_pen){DP_BLACK, 2, 0});
  dp_font sf = dp_font_of(11, DP_ANCHOR_START);
  dp_svg_text(&f->svg, X0 + bar + 8, Y0 + 2 * PH + 24, &sf, "1 m");
  const char *bones = d->draw_parent == d->anat_parent ? "anatomical bones" : "bones of the learned tree";
  dp_svg_textf(&f->svg, X0 + bar + 60, Y0 + 2 * PH + 24, &sf, "%s; blue: left side, orange: right side", bones);
  dp_svg_end(&f->svg);
  dp_text_printf(&f->caption, "Top: %d of the %zu poses sampled by the KDE along the learned tree (synth.h5, evenly "
                 "spaced indices). Bottom: %d of the %zu real training poses (poses.h5, evenly spaced). Every pose is "
                 "root-centred and turned to face the viewer; all are drawn at one scale with %s.",
                 d->n_fake, d->n_synth, d->n_real, d->n_train, bones);
}
