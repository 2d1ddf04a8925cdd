/* svg.c - SVG primitives and colours (svg.h). Charts are in svg_plot.c. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "svg.h"

const dp_rgb DP_BLACK = {0, 0, 0}, DP_WHITE = {255, 255, 255}, DP_GREY = {128, 128, 128},
             DP_LIGHT = {226, 226, 226};

static void colour_attr(dp_text *t, const char *name, dp_rgb c) {
  dp_text_printf(t, " %s=\"#%02x%02x%02x\"", name, c.r, c.g, c.b);
}

static void num_attr(dp_text *t, const char *name, double v) {
  dp_text_printf(t, " %s=\"", name);
  dp_text_num(t, v);
  dp_text_put(t, "\"");
}

static void pen_attrs(dp_text *t, const dp_pen *p) {
  colour_attr(t, "stroke", p->colour);
  num_attr(t, "stroke-width", p->width);
  if (p->dashed) dp_text_put(t, " stroke-dasharray=\"5 3\"");
}

/* The end of a filled shape: its fill, its outline if any, and the closing "/>". */
static void fill_and_close(dp_text *t, dp_rgb fill, const dp_pen *outline) {
  colour_attr(t, "fill", fill);
  if (outline) pen_attrs(t, outline);
  dp_text_put(t, "/>\n");
}

void dp_svg_begin(dp_text *t, double width, double height, const char *title) {
  dp_text_put(t, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"");
  num_attr(t, "width", width);
  num_attr(t, "height", height);
  dp_text_put(t, " viewBox=\"0 0 ");
  dp_text_num(t, width);
  dp_text_put(t, " ");
  dp_text_num(t, height);
  dp_text_put(t, "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n<title>");
  dp_text_escape(t, title ? title : "");
  dp_text_put(t, "</title>\n");
  dp_svg_rect(t, 0, 0, width, height, DP_WHITE, NULL);
}

void dp_svg_end(dp_text *t) { dp_text_put(t, "</svg>\n"); }

static int finite4(double a, double b, double c, double d) {
  return isfinite(a) && isfinite(b) && isfinite(c) && isfinite(d);
}

void dp_svg_line(dp_text *t, double x0, double y0, double x1, double y1, dp_pen pen) {
  if (!finite4(x0, y0, x1, y1)) return;
  dp_text_put(t, "<line");
  num_attr(t, "x1", x0);
  num_attr(t, "y1", y0);
  num_attr(t, "x2", x1);
  num_attr(t, "y2", y1);
  pen_attrs(t, &pen);
  dp_text_put(t, " stroke-linecap=\"round\"/>\n");
}

static void piece(dp_text *t, const double *x, const double *y, size_t a, size_t b, const dp_pen *pen) {
  if (b - a < 2) return;
  dp_text_put(t, "<polyline fill=\"none\"");
  pen_attrs(t, pen);
  dp_text_put(t, " stroke-linejoin=\"round\" points=\"");
  for (size_t i = a; i < b; i++) {
    if (i > a) dp_text_put(t, " ");
    dp_text_num(t, x[i]);
    dp_text_put(t, ",");
    dp_text_num(t, y[i]);
  }
  dp_text_put(t, "\"/>\n");
}

void dp_svg_polyline(dp_text *t, const double *x, const double *y, size_t n, dp_pen pen) {
  size_t start = 0;
  for (size_t i = 0; i <= n; i++)
    if (i == n || !isfinite(x[i]) || !isfinite(y[i])) {
      piece(t, x, y, start, i, &pen);
      start = i + 1;
    }
}

void dp_svg_rect(dp_text *t, double x, double y, double w, double h, dp_rgb fill, const dp_pen *outline) {
  if (!finite4(x, y, w, h) || w < 0 || h < 0) return;
  dp_text_put(t, "<rect");
  num_attr(t, "x", x);
  num_attr(t, "y", y);
  num_attr(t, "width", w);
  num_attr(t, "height", h);
  fill_and_close(t, fill, outline);
}

void dp_svg_box(dp_text *t, double x, double y, double w, double h, dp_pen pen) {
  const double xs[5] = {x, x + w, x + w, x, x}, ys[5] = {y, y, y + h, y + h, y};
  dp_svg_polyline(t, xs, ys, 5, pen);
}

void dp_svg_circle(dp_text *t, double cx, double cy, double r, dp_rgb fill, const dp_pen *outline) {
  if (!finite4(cx, cy, r, 0) || r <= 0) return;
  dp_text_put(t, "<circle");
  num_attr(t, "cx", cx);
  num_attr(t, "cy", cy);
  num_attr(t, "r", r);
  fill_and_close(t, fill, outline);
}

dp_font dp_font_of(double size, dp_anchor anchor) {
  return (dp_font){.size = size, .anchor = anchor, .colour = DP_BLACK};
}

void dp_svg_text(dp_text *t, double x, double y, const dp_font *f, const char *s) {
  static const char *const ANCHOR[] = {"start", "middle", "end"};
  if (!finite4(x, y, f->size, f->angle)) return;
  dp_text_put(t, "<text");
  num_attr(t, "x", x);
  num_attr(t, "y", y);
  num_attr(t, "font-size", f->size);
  if (f->anchor != DP_ANCHOR_START) dp_text_printf(t, " text-anchor=\"%s\"", ANCHOR[f->anchor]);
  if (f->bold) dp_text_put(t, " font-weight=\"bold\"");
  if (f->colour.r || f->colour.g || f->colour.b) colour_attr(t, "fill", f->colour);
  if (f->angle != 0) {
    dp_text_put(t, " transform=\"rotate(");
    dp_text_num(t, f->angle);
    dp_text_put(t, " ");
    dp_text_num(t, x);
    dp_text_put(t, " ");
    dp_text_num(t, y);
    dp_text_put(t, ")\"");
  }
  dp_text_put(t, ">");
  dp_text_escape(t, s);
  dp_text_put(t, "</text>\n");
}

void dp_svg_textf(dp_text *t, double x, double y, const dp_font *f, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  dp_svg_text(t, x, y, f, buf);
}

double dp_svg_text_width(const char *s, double size) { return 0.6 * size * (double)strlen(s); }

/* Viridis (matplotlib's default map, published CC0) sampled at nine points; linear
 * interpolation between them is indistinguishable from the full table at figure scale. */
static const dp_rgb VIRIDIS[9] = {{68, 1, 84},    {71, 45, 123},  {59, 82, 139},
                                  {44, 114, 142}, {33, 145, 140}, {40, 174, 128},
                                  {94, 201, 98},  {173, 220, 48}, {253, 231, 37}};

dp_rgb dp_colormap(double u) {
  if (!(u > 0)) u = 0; /* NaN too */
  if (u > 1) u = 1;
  double s = u * 8;
  int i = (int)s;
  if (i > 7) i = 7;
  double f = s - i;
  const dp_rgb a = VIRIDIS[i], b = VIRIDIS[i + 1];
  return (dp_rgb){(unsigned char)lround(a.r + f * (b.r - a.r)), (unsigned char)lround(a.g + f * (b.g - a.g)),
                  (unsigned char)lround(a.b + f * (b.b - a.b))};
}

/* Okabe & Ito's colour-blind-safe set, yellow last (weak on white). */
dp_rgb dp_palette(int i) {
  static const dp_rgb P[8] = {{0, 114, 178},  {213, 94, 0},   {0, 158, 115}, {230, 159, 0},
                              {204, 121, 167}, {86, 180, 233}, {0, 0, 0},     {240, 228, 66}};
  return P[((i % 8) + 8) % 8];
}
