/* figure.c - what every figure does alike: its buffers, its heading, the stand-in
 * drawn when its data is absent, and the summary numbers of a sample. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

void rp_figure_init(rp_figure *f, const char *id, const char *file) {
  memset(f, 0, sizeof *f);
  f->id = id;
  f->file = file;
  dp_text_init(&f->svg);
  dp_text_init(&f->png);
  dp_text_init(&f->caption);
  dp_text_init(&f->note);
}

void rp_figure_free(rp_figure *f) {
  dp_text_free(&f->svg);
  dp_text_free(&f->png);
  dp_text_free(&f->caption);
  dp_text_free(&f->note);
}

void rp_heading(dp_text *t, double x, double y, const char *s) {
  dp_font f = dp_font_of(14, DP_ANCHOR_START);
  f.bold = 1;
  dp_svg_text(t, x, y, &f, s);
}

/* The file still exists (every output of a stage does), holding the reason. */
void rp_placeholder(rp_figure *f) {
  dp_svg_begin(&f->svg, fmax(560, dp_svg_text_width(dp_text_str(&f->note), 12) + 40), 70, f->title);
  rp_heading(&f->svg, 16, 24, f->title);
  dp_font nf = dp_font_of(12, DP_ANCHOR_START);
  nf.colour = DP_GREY;
  dp_svg_text(&f->svg, 16, 50, &nf, dp_text_str(&f->note));
  dp_svg_end(&f->svg);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int rp_stats(const double *v, size_t n, rp_summary *s) {
  memset(s, 0, sizeof *s);
  double *c = dp_malloc(sizeof *c * (n + 1), "statistics");
  if (!c) return -1;
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (isfinite(v[i])) c[m++] = v[i];
  qsort(c, m, sizeof *c, cmp_double);
  s->n = m;
  s->mean = s->median = s->p995 = s->max = NAN;
  if (m) {
    double sum = 0;
    for (size_t i = 0; i < m; i++) sum += c[i];
    s->mean = sum / (double)m;
    s->median = m % 2 ? c[m / 2] : 0.5 * (c[m / 2 - 1] + c[m / 2]);
    s->p995 = c[(size_t)floor(0.995 * (double)(m - 1))];
    s->max = c[m - 1];
  }
  free(c);
  return 0;
}
