/* svg_plot.c - scales, nice ticks and the chart parts of svg.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "svg.h"

double dp_scale_map(const dp_scale *s, double v) {
  if (!(s->hi != s->lo)) return 0.5 * (s->p0 + s->p1);
  return s->p0 + (v - s->lo) / (s->hi - s->lo) * (s->p1 - s->p0);
}

/* Multiples k of step with lo <= k*step <= hi (inner) or covering [lo, hi] (widen).
 * The 1e-9 slack keeps a bound that is a multiple up to rounding (0.3 / 0.1) one. */
static void tick_span(double lo, double hi, double step, int widen, double *k0, double *k1) {
  if (widen) {
    *k0 = floor(lo / step + 1e-9);
    *k1 = ceil(hi / step - 1e-9);
  } else {
    *k0 = ceil(lo / step - 1e-9);
    *k1 = floor(hi / step + 1e-9);
  }
}

dp_ticks dp_nice_ticks(double lo, double hi, int max_ticks, int widen) {
  if (max_ticks < 2) max_ticks = 2;
  if (!isfinite(lo) || !isfinite(hi)) lo = hi = isfinite(lo) ? lo : isfinite(hi) ? hi : 0;
  if (lo > hi) {
    double s = lo;
    lo = hi;
    hi = s;
  }
  if (hi - lo < 1e-12 * fmax(1, fabs(lo))) { /* one value: +-10% around it (+-1 around 0) */
    double pad = fabs(lo) > 0 ? 0.1 * fabs(lo) : 1;
    lo -= pad;
    hi += pad;
  }
  static const double M[] = {1, 2, 5};
  double mag = pow(10, floor(log10((hi - lo) / max_ticks)));
  dp_ticks k = {0};
  for (int e = 0;; e++) {
    double step = M[e % 3] * mag * pow(10, e / 3), k0, k1;
    tick_span(lo, hi, step, widen, &k0, &k1);
    /* Covering a range around 0 (a multiple of every step) takes the 3 ticks -step, 0,
     * step however large the step: accept them once the step is that large. */
    int n = (int)(k1 - k0 + 1), stuck = widen && k0 == -1 && k1 == 1;
    if (n <= max_ticks || stuck || e == 60) {
      k.step = step;
      k.first = k0 * step;
      k.n = n;
      k.decimals = step >= 1 ? 0 : (int)-floor(log10(step) + 1e-9);
      return k;
    }
  }
}

double dp_tick_value(const dp_ticks *k, int i) {
  /* from the integer multiple, so tick i is exact to rounding whatever i is */
  return (round(k->first / k->step) + i) * k->step;
}

const char *dp_tick_label(const dp_ticks *k, int i, char *buf, size_t cap) {
  snprintf(buf, cap, "%.*f", k->decimals, dp_tick_value(k, i));
  if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1)) memmove(buf, buf + 1, strlen(buf));
  return buf;
}

void dp_plot_init(dp_plot *p, double x, double y, double w, double h, double xlo, double xhi,
                  double ylo, double yhi, int max_xticks, int max_yticks) {
  memset(p, 0, sizeof *p);
  p->x = x, p->y = y, p->w = w, p->h = h;
  p->kx = dp_nice_ticks(xlo, xhi, max_xticks, 1);
  p->ky = dp_nice_ticks(ylo, yhi, max_yticks, 1);
  p->sx = (dp_scale){p->kx.first, dp_tick_value(&p->kx, p->kx.n - 1), x, x + w};
  p->sy = (dp_scale){p->ky.first, dp_tick_value(&p->ky, p->ky.n - 1), y + h, y};
}

static const double TICK_FONT = 11, TITLE_FONT = 12;

static void outline(dp_text *t, double x, double y, double w, double h) { dp_svg_box(t, x, y, w, h, (dp_pen){DP_BLACK, 1, 0}); }

static void x_axis(dp_text *t, const dp_plot *p, const char *xlabel) {
  const dp_pen grid = {DP_LIGHT, 1, 0}, ink = {DP_BLACK, 1, 0};
  dp_font f = dp_font_of(TICK_FONT, DP_ANCHOR_MIDDLE);
  char b[64];
  for (int i = 0; i < p->kx.n; i++) {
    double px = dp_scale_map(&p->sx, dp_tick_value(&p->kx, i));
    dp_svg_line(t, px, p->y, px, p->y + p->h, grid);
    dp_svg_line(t, px, p->y + p->h, px, p->y + p->h + 4, ink);
    dp_svg_text(t, px, p->y + p->h + 16, &f, dp_tick_label(&p->kx, i, b, sizeof b));
  }
  if (xlabel) {
    f.size = TITLE_FONT;
    dp_svg_text(t, p->x + p->w / 2, p->y + p->h + 34, &f, xlabel);
  }
}

void dp_plot_axes(dp_text *t, const dp_plot *p, const char *xlabel, const char *ylabel) {
  const dp_pen grid = {DP_LIGHT, 1, 0}, ink = {DP_BLACK, 1, 0};
  dp_font f = dp_font_of(TICK_FONT, DP_ANCHOR_END);
  char b[64];
  double widest = 0;
  for (int i = 0; i < p->ky.n; i++) {
    double py = dp_scale_map(&p->sy, dp_tick_value(&p->ky, i));
    const char *label = dp_tick_label(&p->ky, i, b, sizeof b);
    dp_svg_line(t, p->x, py, p->x + p->w, py, grid);
    dp_svg_line(t, p->x - 4, py, p->x, py, ink);
    dp_svg_text(t, p->x - 7, py + 4, &f, label);
    widest = fmax(widest, dp_svg_text_width(label, TICK_FONT));
  }
  x_axis(t, p, xlabel);
  outline(t, p->x, p->y, p->w, p->h);
  if (ylabel) {
    f = dp_font_of(TITLE_FONT, DP_ANCHOR_MIDDLE);
    f.angle = -90;
    dp_svg_text(t, p->x - widest - 16, p->y + p->h / 2, &f, ylabel);
  }
}

void dp_plot_axes_rows(dp_text *t, const dp_plot *p, const char *const *names, int n, const char *xlabel) {
  x_axis(t, p, xlabel);
  dp_font f = dp_font_of(TICK_FONT, DP_ANCHOR_END);
  for (int r = 0; r < n; r++)
    dp_svg_text(t, p->x - 6, p->y + (r + 0.5) * p->h / n + 4, &f, names[r]);
  outline(t, p->x, p->y, p->w, p->h);
}

void dp_plot_line(dp_text *t, const dp_plot *p, const double *x, const double *y, size_t n, dp_pen pen) {
  enum { CHUNK = 256 };
  double px[CHUNK + 1], py[CHUNK + 1];
  /* in chunks that overlap by one point, so a long series is one continuous line */
  for (size_t s = 0; s < n; s += CHUNK) {
    size_t m = n - s < CHUNK + 1 ? n - s : CHUNK + 1;
    for (size_t i = 0; i < m; i++) {
      int ok = isfinite(x[s + i]) && isfinite(y[s + i]);
      px[i] = ok ? dp_scale_map(&p->sx, x[s + i]) : NAN;
      py[i] = ok ? dp_scale_map(&p->sy, y[s + i]) : NAN;
    }
    dp_svg_polyline(t, px, py, m, pen);
    if (m < CHUNK + 1) break;
  }
}

void dp_plot_hbars(dp_text *t, const dp_plot *p, int n_rows, int n_series, const double *values,
                   const dp_rgb *colours) {
  if (n_rows < 1 || n_series < 1) return;
  double band = p->h / n_rows, bar = 0.8 * band / n_series, x0 = dp_scale_map(&p->sx, 0);
  for (int r = 0; r < n_rows; r++)
    for (int s = 0; s < n_series; s++) {
      double v = values[(size_t)s * n_rows + r];
      if (!isfinite(v)) continue;
      double x1 = dp_scale_map(&p->sx, v);
      dp_svg_rect(t, fmin(x0, x1), p->y + r * band + 0.1 * band + s * bar, fabs(x1 - x0), bar, colours[s], NULL);
    }
}

void dp_svg_heatmap(dp_text *t, double x, double y, double cell, int n_rows, int n_cols,
                    const double *v, double vmin, double vmax, const char *const *row_names,
                    const char *const *col_names, int decimals) {
  dp_font f = dp_font_of(fmin(11, 0.55 * cell), DP_ANCHOR_END);
  for (int r = 0; row_names && r < n_rows; r++) dp_svg_text(t, x - 4, y + (r + 0.5) * cell + 4, &f, row_names[r]);
  f.anchor = DP_ANCHOR_START;
  f.angle = -60;
  for (int c = 0; col_names && c < n_cols; c++) dp_svg_text(t, x + (c + 0.5) * cell + 3, y - 4, &f, col_names[c]);
  dp_font num = dp_font_of(fmin(9, 0.33 * cell), DP_ANCHOR_MIDDLE);
  double span = vmax > vmin ? vmax - vmin : 1;
  for (int r = 0; r < n_rows; r++)
    for (int c = 0; c < n_cols; c++) {
      double val = v[(size_t)r * n_cols + c], u = (val - vmin) / span;
      int ok = isfinite(val);
      dp_svg_rect(t, x + c * cell, y + r * cell, cell, cell, ok ? dp_colormap(u) : DP_LIGHT, NULL);
      if (!ok || decimals < 0) continue;
      num.colour = u > 0.6 ? DP_BLACK : DP_WHITE; /* readable on the light end of the map */
      dp_svg_textf(t, x + (c + 0.5) * cell, y + (r + 0.5) * cell + num.size * 0.35, &num, "%.*f", decimals, val);
    }
}

void dp_svg_colorbar(dp_text *t, double x, double y, double w, double h, double vmin, double vmax,
                     const char *label) {
  enum { STEPS = 32 };
  for (int i = 0; i < STEPS; i++) /* top = vmax */
    dp_svg_rect(t, x, y + h * i / STEPS, w, h / STEPS + 0.5, dp_colormap(1 - (i + 0.5) / STEPS), NULL);
  outline(t, x, y, w, h);
  dp_ticks k = dp_nice_ticks(vmin, vmax, 5, 0);
  dp_scale s = {vmin, vmax, y + h, y};
  dp_font f = dp_font_of(TICK_FONT, DP_ANCHOR_START);
  char b[64];
  for (int i = 0; i < k.n; i++) {
    double py = dp_scale_map(&s, dp_tick_value(&k, i));
    dp_svg_line(t, x + w, py, x + w + 4, py, (dp_pen){DP_BLACK, 1, 0});
    dp_svg_text(t, x + w + 6, py + 4, &f, dp_tick_label(&k, i, b, sizeof b));
  }
  if (label) {
    f.anchor = DP_ANCHOR_MIDDLE;
    dp_svg_text(t, x + w / 2, y - 8, &f, label);
  }
}

void dp_svg_legend(dp_text *t, double x, double y, int n, const char *const *names, const dp_pen *pens,
                   int boxes) {
  dp_font f = dp_font_of(TICK_FONT, DP_ANCHOR_START);
  for (int i = 0; i < n; i++) {
    double cy = y + 16 * i;
    if (boxes) dp_svg_rect(t, x, cy - 5, 18, 10, pens[i].colour, NULL);
    else dp_svg_line(t, x, cy, x + 18, cy, pens[i]);
    dp_svg_text(t, x + 24, cy + 4, &f, names[i]);
  }
}
