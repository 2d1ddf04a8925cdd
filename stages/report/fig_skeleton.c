/* fig_skeleton.c - the learned tree: as a stick figure on the mean training pose (edges
 * coloured and thickened by their mutual information, the anatomical edges the tree
 * missed dashed), and the full MI matrix as a heat map with the tree's cells outlined. */
#include <math.h>
#include <stdlib.h>

#include "report.h"

static const dp_rgb MISSED = {213, 94, 0};

/* MI range over the tree's edges. */
static void tree_mi_range(const rp_data *d, double *lo, double *hi) {
  *lo = INFINITY, *hi = -INFINITY;
  for (int j = 0; j < d->J; j++)
    if (d->parent[j] >= 0) {
      double m = d->mi[(size_t)j * d->J + d->parent[j]];
      if (isfinite(m)) *lo = fmin(*lo, m), *hi = fmax(*hi, m);
    }
  if (!(*hi >= *lo)) *lo = 0, *hi = 1;
}

static void edge_list(dp_text *t, const rp_data *d, const int *a, const int *b, int want_in_b) {
  int n = 0;
  for (int j = 0; j < d->J; j++)
    if (a[j] >= 0 && rp_edge_in(b, j, a[j]) == want_in_b)
      dp_text_printf(t, "%s%s\xe2\x80\x93%s", n++ ? ", " : "", d->names[a[j]], d->names[j]);
  if (!n) dp_text_put(t, "none");
}

void rp_fig_skeleton(const rp_data *d, rp_figure *f) {
  const double W = 600, H = 540;
  const int J = d->J;
  snprintf(f->title, sizeof f->title, "Learned skeleton tree on the mean training pose");
  dp_svg_begin(&f->svg, W, H, f->title);
  char head[160];
  snprintf(head, sizeof head, "Learned tree (%s MI) on the mean training pose, front view",
           d->estimator[0] ? d->estimator : "?");
  rp_heading(&f->svg, 16, 24, head);
  double lo, hi;
  tree_mi_range(d, &lo, &hi);
  double w, h, mx, my;
  rp_extent(d->mean_pose, J, &w, &h, &mx, &my);
  rp_view v = {.scale = fmin(260 / fmax(w, 1), 440 / fmax(h, 1)), .cx = 210, .cy = 290, .mx = mx, .my = my};
  dp_pen pens[DP_MAX_JOINTS];
  for (int j = 0; j < J; j++) {
    double u = d->parent[j] >= 0 && hi > lo ? (d->mi[(size_t)j * J + d->parent[j]] - lo) / (hi - lo) : 1;
    pens[j] = (dp_pen){dp_colormap(u), 2 + 6 * u, 0};
  }
  /* missed anatomical edges first, under the tree */
  for (int j = 0; j < J; j++) {
    int a = d->anat_parent[j];
    if (a < 0 || rp_edge_in(d->parent, j, a)) continue;
    double x0, y0, x1, y1;
    rp_view_point(&v, d->mean_pose, a, &x0, &y0);
    rp_view_point(&v, d->mean_pose, j, &x1, &y1);
    dp_svg_line(&f->svg, x0, y0, x1, y1, (dp_pen){MISSED, 2, 1});
  }
  rp_draw_pose(&f->svg, &v, d->mean_pose, J, d->parent, pens, pens[0], 3.5);
  dp_font lf = dp_font_of(10, DP_ANCHOR_START);
  for (int j = 0; j < J; j++) {
    double x, y;
    rp_view_point(&v, d->mean_pose, j, &x, &y);
    int left = x < v.cx - 1e-9;
    lf.anchor = left ? DP_ANCHOR_END : DP_ANCHOR_START;
    dp_svg_text(&f->svg, x + (left ? -7 : 7), y + (j == d->root ? 14 : 3), &lf, d->names[j]);
  }
  dp_font sf = dp_font_of(10, DP_ANCHOR_MIDDLE);
  sf.colour = DP_GREY;
  dp_svg_text(&f->svg, 80, H - 14, &sf, "body's right");
  dp_svg_text(&f->svg, 340, H - 14, &sf, "body's left");
  dp_svg_colorbar(&f->svg, 450, 80, 16, 220, lo, hi, "MI of tree edges (nats)");
  const char *names[2] = {"tree edge (colour, width: MI)", "anatomical edge not in the tree"};
  const dp_pen lp[2] = {{dp_colormap(0.6), 4, 0}, {MISSED, 2, 1}};
  dp_svg_legend(&f->svg, 400, 340, 2, names, lp, 0);
  dp_font nf = dp_font_of(11, DP_ANCHOR_START);
  dp_svg_textf(&f->svg, 400, 390, &nf, "%d of %d anatomical edges", d->n_tree_anat, d->n_anat_edges);
  dp_svg_textf(&f->svg, 400, 406, &nf, "root: %s", d->names[d->root]);
  dp_svg_end(&f->svg);

  dp_text_printf(&f->caption, "The maximum spanning tree of the pairwise mutual information (%s estimator), drawn on the "
                 "mean of the %zu training poses (each root-centred and turned to face the viewer). ",
                 d->estimator[0] ? d->estimator : "unknown", d->n_train);
  if (d->n_anat_edges > 0) {
    dp_text_printf(&f->caption, "It has %d of the %d anatomical edges; missed: ", d->n_tree_anat, d->n_anat_edges);
    edge_list(&f->caption, d, d->anat_parent, d->parent, 0);
    dp_text_put(&f->caption, ". Tree edges that are not anatomical: ");
    edge_list(&f->caption, d, d->parent, d->anat_parent, 0);
    dp_text_put(&f->caption, ".");
  } else {
    dp_text_put(&f->caption, "The joint names are not the canonical ones, so no anatomical edges are marked.");
  }
}

void rp_fig_mi(const rp_data *d, rp_figure *f) {
  const int J = d->J;
  double cell = J <= 20 ? 28 : fmax(8, 560.0 / J), widest = 0;
  for (int j = 0; j < J; j++) widest = fmax(widest, dp_svg_text_width(d->names[j], fmin(11, 0.55 * cell)));
  double x0 = widest + 16, y0 = 0.87 * widest + 40, side = cell * J;
  double W = x0 + side + 110, H = y0 + side + 20;
  snprintf(f->title, sizeof f->title, "Mutual information between joints");
  double *m = dp_malloc(sizeof(double) * (size_t)J * J + 1, "MI matrix");
  if (!m) {
    f->svg.failed = 1;
    return;
  }
  double lo = INFINITY, hi = -INFINITY;
  for (int a = 0; a < J; a++)
    for (int b = 0; b < J; b++) {
      double v = a == b ? NAN : d->mi[(size_t)a * J + b]; /* the diagonal is not a pair */
      m[(size_t)a * J + b] = v;
      if (isfinite(v)) lo = fmin(lo, v), hi = fmax(hi, v);
    }
  if (!(hi >= lo)) lo = 0, hi = 1;
  dp_svg_begin(&f->svg, W, H, f->title);
  rp_heading(&f->svg, 16, 22, "Mutual information (nats); tree edges outlined");
  dp_svg_heatmap(&f->svg, x0, y0, cell, J, J, m, lo, hi, (const char *const *)d->names,
                 (const char *const *)d->names, cell >= 20 ? 1 : -1);
  for (int j = 0; j < J; j++) {
    int p = d->parent[j];
    if (p < 0) continue;
    dp_svg_box(&f->svg, x0 + p * cell, y0 + j * cell, cell, cell, (dp_pen){DP_BLACK, 2, 0});
    dp_svg_box(&f->svg, x0 + j * cell, y0 + p * cell, cell, cell, (dp_pen){DP_BLACK, 2, 0});
  }
  dp_svg_colorbar(&f->svg, x0 + side + 24, y0, 16, fmin(side, 260), lo, hi, "nats");
  dp_svg_end(&f->svg);
  free(m);
  dp_text_printf(&f->caption, "MI(j, k) = H(j) + H(k) \xe2\x88\x92 H(j, k) over %zu training poses; the diagonal is "
                 "left grey. The learned tree is the maximum spanning tree of this matrix: its %d edges are outlined.",
                 d->n_train, J - 1);
}
