/* svg.h - the report's one way of drawing: SVG 1.1 elements written into a dp_text,
 * and the few chart parts every figure is made of (scales, nice ticks, axes, bars,
 * heat-map cells, a colour bar, a legend).
 *
 * Conventions: coordinates are SVG pixels (y down), printed with dp_text_num (at most 2
 * decimals), so a figure's bytes depend only on its data. Every string that reaches the
 * SVG goes through dp_text_escape. A non-finite data value is never drawn (a line
 * breaks there, a bar or cell is left out) - it never becomes "nan" in the file. The
 * output parses as XML and renders without external resources (fonts fall back to the
 * viewer's sans-serif). */
#ifndef DP_REPORT_SVG_H
#define DP_REPORT_SVG_H
#include <stddef.h>

#include "text.h"

typedef struct {
  unsigned char r, g, b;
} dp_rgb;

typedef struct {
  dp_rgb colour;
  double width;   /* px */
  int dashed;     /* 0 solid, 1 dashed */
} dp_pen;

typedef enum { DP_ANCHOR_START, DP_ANCHOR_MIDDLE, DP_ANCHOR_END } dp_anchor;

typedef struct {
  double size;     /* px */
  dp_anchor anchor;
  double angle;    /* degrees, clockwise, about the anchor point */
  int bold;
  dp_rgb colour;
} dp_font;

extern const dp_rgb DP_BLACK, DP_WHITE, DP_GREY, DP_LIGHT;

/* ---- document and primitives ------------------------------------------------ */

/* <svg> with width/height/viewBox, a <title> (escaped) and a white background. */
void dp_svg_begin(dp_text *t, double width, double height, const char *title);
void dp_svg_end(dp_text *t);
void dp_svg_line(dp_text *t, double x0, double y0, double x1, double y1, dp_pen pen);
/* A polyline through (x[i], y[i]); a non-finite point ends one piece and starts the
 * next, so gaps in a series stay gaps. Pieces of one point are dropped. */
void dp_svg_polyline(dp_text *t, const double *x, const double *y, size_t n, dp_pen pen);
/* outline may be NULL (none); a non-finite or negative size draws nothing. */
void dp_svg_rect(dp_text *t, double x, double y, double w, double h, dp_rgb fill, const dp_pen *outline);
/* An unfilled rectangle (a closed polyline: nothing under it is hidden). */
void dp_svg_box(dp_text *t, double x, double y, double w, double h, dp_pen pen);
void dp_svg_circle(dp_text *t, double cx, double cy, double r, dp_rgb fill, const dp_pen *outline);
/* Text at the anchor point (x, y = baseline); s is escaped. */
void dp_svg_text(dp_text *t, double x, double y, const dp_font *f, const char *s);
void dp_svg_textf(dp_text *t, double x, double y, const dp_font *f, const char *fmt, ...) DP_PRINTF(5, 6);
/* Rough width of s in px at the given size (0.6 em per byte; for layout margins). */
double dp_svg_text_width(const char *s, double size);
/* A font of `size` px, start-anchored, black. */
dp_font dp_font_of(double size, dp_anchor anchor);

/* ---- colours ------------------------------------------------------------------ */

/* A perceptually ordered sequential map (dark blue -> green -> yellow), u clamped to
 * [0, 1]; for heat maps and colour-coded values. */
dp_rgb dp_colormap(double u);
/* The i-th of 8 distinct categorical colours (cycled). */
dp_rgb dp_palette(int i);

/* ---- scales and ticks --------------------------------------------------------- */

/* Linear map of data [lo, hi] onto pixels [p0, p1] (p1 < p0 flips, as for y). A
 * degenerate domain (hi == lo) maps everything to the middle. */
typedef struct {
  double lo, hi, p0, p1;
} dp_scale;
double dp_scale_map(const dp_scale *s, double v);

/* Ticks at first + i * step, i < n, step = 1, 2 or 5 x 10^k: the smallest such step
 * that gives at most max_ticks ticks (max_ticks >= 2). With widen, the ticks cover
 * [lo, hi] (first <= lo, last >= hi: the axis range to use) - then a range around 0
 * needs 3 ticks (-step, 0, step) even when max_ticks is 2; without, they lie inside
 * it. decimals: how many the step needs in a label. lo > hi is swapped; lo == hi (or a
 * non-finite bound) becomes a small range around it. */
typedef struct {
  double first, step;
  int n, decimals;
} dp_ticks;
dp_ticks dp_nice_ticks(double lo, double hi, int max_ticks, int widen);
double dp_tick_value(const dp_ticks *k, int i);
/* The label of tick i: fixed decimals, never "-0". */
const char *dp_tick_label(const dp_ticks *k, int i, char *buf, size_t cap);

/* ---- charts ------------------------------------------------------------------- */

/* A plot area (x, y, w, h px) with its data scales. dp_plot_init widens both ranges to
 * nice ticks and keeps those ticks for dp_plot_axes. */
typedef struct {
  double x, y, w, h;
  dp_scale sx, sy;
  dp_ticks kx, ky;
} dp_plot;
void dp_plot_init(dp_plot *p, double x, double y, double w, double h, double xlo, double xhi,
                  double ylo, double yhi, int max_xticks, int max_yticks);
/* Light grid at the ticks, the frame, tick labels and axis titles (may be NULL). */
void dp_plot_axes(dp_text *t, const dp_plot *p, const char *xlabel, const char *ylabel);
/* The same with category rows instead of a numeric y axis: row r (top first) is the
 * band [y + r*h/n, y + (r+1)*h/n), labelled names[r] at the left. */
void dp_plot_axes_rows(dp_text *t, const dp_plot *p, const char *const *names, int n, const char *xlabel);
/* A data series (non-finite values break the line). */
void dp_plot_line(dp_text *t, const dp_plot *p, const double *x, const double *y, size_t n, dp_pen pen);
/* Horizontal bars from x = 0 in category rows: series s of row r is values[s * n_rows + r]
 * in colour colours[s], the row's band split between the series. */
void dp_plot_hbars(dp_text *t, const dp_plot *p, int n_rows, int n_series, const double *values,
                   const dp_rgb *colours);

/* A heat map of n_rows x n_cols cells of `cell` px from (x, y): value v[r * n_cols + c]
 * coloured by dp_colormap over [vmin, vmax]; non-finite cells are light grey. Row names
 * at the left, column names rotated above (either may be NULL). With `decimals` >= 0 the
 * value is printed in the cell. */
void dp_svg_heatmap(dp_text *t, double x, double y, double cell, int n_rows, int n_cols,
                    const double *v, double vmin, double vmax, const char *const *row_names,
                    const char *const *col_names, int decimals);
/* A vertical colour bar (w x h px at x, y) for [vmin, vmax], with ticks on the right. */
void dp_svg_colorbar(dp_text *t, double x, double y, double w, double h, double vmin, double vmax,
                     const char *label);
/* A legend: entry i is a short line in pens[i] (or a filled box when boxes) and names[i],
 * one per 16-px row from (x, y). */
void dp_svg_legend(dp_text *t, double x, double y, int n, const char *const *names, const dp_pen *pens,
                   int boxes);

#endif
