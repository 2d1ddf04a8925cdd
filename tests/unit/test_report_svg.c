/* test_report_svg.c - the report's drawing module (stages/report/svg.h, text.h): nice
 * ticks, data-to-pixel mapping, number formatting, escaping of joint names, and that a
 * whole figure is well-formed XML with no "nan" and no raw markup from the data. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../stages/report/svg.h"
#include "dp_test.h"

static int near(double a, double b) { return fabs(a - b) < 1e-9 * fmax(1, fabs(b)); }

static void check_ticks(double lo, double hi, int max, int widen, double first, double step, int n, int dec) {
  dp_ticks k = dp_nice_ticks(lo, hi, max, widen);
  CU_ASSERT(near(k.first, first));
  CU_ASSERT(near(k.step, step));
  CU_ASSERT_EQUAL(k.n, n);
  CU_ASSERT_EQUAL(k.decimals, dec);
}

static void test_ticks_known(void) {
  check_ticks(0, 100, 6, 1, 0, 20, 6, 0);       /* 0 20 40 60 80 100 */
  check_ticks(0.13, 0.87, 5, 0, 0.2, 0.2, 4, 1); /* inside: 0.2 .. 0.8 */
  check_ticks(0.13, 0.87, 5, 1, 0, 0.5, 3, 1);   /* covering: 0 0.5 1 */
  check_ticks(-37, 112, 8, 1, -50, 50, 5, 0);    /* -50 .. 150 */
  check_ticks(0, 0.3, 4, 1, 0, 0.1, 4, 1);       /* 0.3 is a multiple of 0.1 up to rounding */
  check_ticks(1, 2, 2, 1, 1, 1, 2, 0);           /* epochs 1..2: whole numbers */
  check_ticks(0, 0.004, 5, 1, 0, 0.001, 5, 3);
  check_ticks(112, -37, 8, 1, -50, 50, 5, 0);    /* reversed bounds are swapped */
}

static void test_ticks_labels(void) {
  char b[64];
  dp_ticks k = dp_nice_ticks(-1, 1, 3, 0);
  CU_ASSERT_EQUAL(k.n, 3);
  CU_ASSERT_STRING_EQUAL(dp_tick_label(&k, 0, b, sizeof b), "-1");
  CU_ASSERT_STRING_EQUAL(dp_tick_label(&k, 1, b, sizeof b), "0");
  CU_ASSERT_STRING_EQUAL(dp_tick_label(&k, 2, b, sizeof b), "1");
  k = dp_nice_ticks(-0.3, 0.3, 7, 0); /* step 0.1: the middle tick is 0, never "-0.0" */
  CU_ASSERT(near(k.step, 0.1));
  CU_ASSERT_STRING_EQUAL(dp_tick_label(&k, 3, b, sizeof b), "0.0");
  CU_ASSERT_STRING_EQUAL(dp_tick_label(&k, 0, b, sizeof b), "-0.3");
  k = dp_nice_ticks(0, 1e6, 6, 1);
  CU_ASSERT_STRING_EQUAL(dp_tick_label(&k, k.n - 1, b, sizeof b), "1000000");
}

/* Degenerate and non-finite ranges still give usable, covering ticks. */
static void test_ticks_degenerate(void) {
  dp_ticks k = dp_nice_ticks(5, 5, 5, 1);
  CU_ASSERT(k.n >= 2 && k.n <= 5);
  CU_ASSERT(k.first <= 5 && dp_tick_value(&k, k.n - 1) >= 5);
  k = dp_nice_ticks(0, 0, 5, 1);
  CU_ASSERT(k.n >= 2 && k.first <= 0 && dp_tick_value(&k, k.n - 1) >= 0);
  k = dp_nice_ticks(NAN, INFINITY, 5, 1);
  CU_ASSERT(k.n >= 2 && isfinite(k.first) && isfinite(k.step) && k.step > 0);
  k = dp_nice_ticks(0, 10, 1, 1); /* max_ticks below 2 is taken as 2 */
  CU_ASSERT(k.n == 2 && near(k.first, 0) && near(dp_tick_value(&k, 1), 10));
  k = dp_nice_ticks(-0.001, 0.002, 2, 1); /* around 0: -s, 0, s is the best there is */
  CU_ASSERT(k.n == 3 && near(k.first, -k.step) && k.step >= 0.002);
}

/* For many ranges: at most max ticks, steps 1/2/5 x 10^k, widened ticks cover the
 * range, inner ticks lie inside it, and the step is the smallest that fits. */
static void test_ticks_properties(void) {
  srand(12345);
  for (int it = 0; it < 20000; it++) {
    double lo = (rand() / (double)RAND_MAX - 0.5) * pow(10, rand() % 9 - 4);
    double hi = lo + rand() / (double)RAND_MAX * pow(10, rand() % 9 - 4) + 1e-9;
    int max = 2 + rand() % 9, widen = rand() % 2;
    dp_ticks k = dp_nice_ticks(lo, hi, max, widen);
    CU_ASSERT_FATAL(k.n >= 1 && k.n <= (widen && max < 3 ? 3 : max));
    if (k.n > max) CU_ASSERT(lo < 0 && hi > 0); /* only a range around 0 needs the third */
    double m = k.step / pow(10, floor(log10(k.step) + 1e-9));
    CU_ASSERT(near(m, 1) || near(m, 2) || near(m, 5));
    double first = dp_tick_value(&k, 0), last = dp_tick_value(&k, k.n - 1), eps = 1e-6 * k.step;
    if (widen) CU_ASSERT(first <= lo + eps && last >= hi - eps);
    if (!widen) CU_ASSERT(first >= lo - eps && last <= hi + eps);
  }
}

static void test_scale(void) {
  dp_scale x = {0, 10, 100, 200}, y = {0, 10, 300, 100}, flat = {3, 3, 0, 50};
  CU_ASSERT(near(dp_scale_map(&x, 5), 150));
  CU_ASSERT(near(dp_scale_map(&x, -10), 0)); /* linear beyond the domain too */
  CU_ASSERT(near(dp_scale_map(&y, 0), 300));
  CU_ASSERT(near(dp_scale_map(&y, 10), 100));
  CU_ASSERT(near(dp_scale_map(&y, 2.5), 250));
  CU_ASSERT(near(dp_scale_map(&flat, 7), 25));
  /* a plot's data corners land on its pixel corners after widening to nice ticks */
  dp_plot p;
  dp_plot_init(&p, 50, 20, 400, 200, 0.3, 9.2, -3, 47, 6, 6);
  CU_ASSERT(near(dp_scale_map(&p.sx, p.kx.first), 50));
  CU_ASSERT(near(dp_scale_map(&p.sx, dp_tick_value(&p.kx, p.kx.n - 1)), 450));
  CU_ASSERT(near(dp_scale_map(&p.sy, p.ky.first), 220));
  CU_ASSERT(near(dp_scale_map(&p.sy, dp_tick_value(&p.ky, p.ky.n - 1)), 20));
  CU_ASSERT(near(p.kx.first, 0) && near(dp_tick_value(&p.kx, p.kx.n - 1), 10));
  /* -3..47 in at most 6 ticks: step 10 would need 7 (-10..50), so 20: -20..60 */
  CU_ASSERT(near(p.ky.first, -20) && near(p.ky.step, 20) && near(dp_tick_value(&p.ky, p.ky.n - 1), 60));
}

static void test_numbers(void) {
  char b[64];
  CU_ASSERT_STRING_EQUAL(dp_fmt_num(b, sizeof b, 12.5), "12.5");
  CU_ASSERT_STRING_EQUAL(dp_fmt_num(b, sizeof b, 3.0), "3");
  CU_ASSERT_STRING_EQUAL(dp_fmt_num(b, sizeof b, 123.456), "123.46");
  CU_ASSERT_STRING_EQUAL(dp_fmt_num(b, sizeof b, -0.25), "-0.25");
  CU_ASSERT_STRING_EQUAL(dp_fmt_num(b, sizeof b, -0.001), "0");
  CU_ASSERT_STRING_EQUAL(dp_fmt_num(b, sizeof b, -0.0), "0");
  CU_ASSERT_STRING_EQUAL(dp_fmt_num(b, sizeof b, 100), "100");
  CU_ASSERT_STRING_EQUAL(dp_fmt_num(b, sizeof b, NAN), "0");
}

static void test_escape(void) {
  dp_text t;
  dp_text_init(&t);
  dp_text_escape(&t, "l_<hand> & \"r\" 'x'\x01\xc3\xa9");
  CU_ASSERT_STRING_EQUAL(dp_text_str(&t), "l_&lt;hand&gt; &amp; &quot;r&quot; &#39;x&#39;?\xc3\xa9");
  dp_text_clear(&t);
  dp_font f = dp_font_of(10, DP_ANCHOR_MIDDLE);
  dp_svg_text(&t, 1, 2, &f, "<&>");
  CU_ASSERT_STRING_EQUAL(dp_text_str(&t), "<text x=\"1\" y=\"2\" font-size=\"10\" text-anchor=\"middle\">&lt;&amp;&gt;</text>\n");
  dp_text_free(&t);
}

static void test_base64(void) { /* RFC 4648 section 10 */
  static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  static const char *const out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  dp_text t;
  dp_text_init(&t);
  for (int i = 0; i < 7; i++) {
    dp_text_clear(&t);
    dp_text_base64(&t, (const unsigned char *)in[i], strlen(in[i]));
    CU_ASSERT_STRING_EQUAL(dp_text_str(&t), out[i]);
  }
  dp_text_free(&t);
}

static void test_colours(void) {
  dp_rgb a = dp_colormap(0), b = dp_colormap(1), m = dp_colormap(0.5), lo = dp_colormap(-3), nan = dp_colormap(NAN),
         hi = dp_colormap(7);
  CU_ASSERT(a.r == 68 && a.g == 1 && a.b == 84);
  CU_ASSERT(b.r == 253 && b.g == 231 && b.b == 37);
  CU_ASSERT(m.r == 33 && m.g == 145 && m.b == 140);
  CU_ASSERT(!memcmp(&lo, &a, sizeof a) && !memcmp(&nan, &a, sizeof a) && !memcmp(&hi, &b, sizeof b));
  double prev = -1; /* brightness rises along the map, so ordered values read as ordered */
  for (int i = 0; i <= 100; i++) {
    dp_rgb c = dp_colormap(i / 100.0);
    double lum = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
    CU_ASSERT(lum > prev - 0.5);
    prev = lum;
  }
  CU_ASSERT(memcmp(&(dp_rgb){dp_palette(0).r, dp_palette(0).g, dp_palette(0).b}, &(dp_rgb){dp_palette(8).r, dp_palette(8).g, dp_palette(8).b}, 3) == 0);
}

/* A tiny well-formedness check: tags nest and close, attribute values are quoted, and
 * every '&' starts one of the five entities the writer uses. Returns 1 if well-formed. */
static int well_formed(const char *s) {
  char stack[64][32];
  int depth = 0, root_seen = 0;
  while (*s) {
    if (*s == '&') {
      if (strncmp(s, "&amp;", 5) && strncmp(s, "&lt;", 4) && strncmp(s, "&gt;", 4) && strncmp(s, "&quot;", 6) &&
          strncmp(s, "&#39;", 5))
        return 0;
      s++;
      continue;
    }
    if (*s == '>') return 0; /* a '>' outside a tag is legal XML but this writer escapes it */
    if (*s != '<') {
      s++;
      continue;
    }
    int closing = s[1] == '/';
    const char *n = s + 1 + closing;
    size_t len = strspn(n, "abcdefghijklmnopqrstuvwxyz");
    if (len == 0 || len >= 32) return 0;
    const char *p = n + len;
    int quote = 0;
    for (; *p && (quote || *p != '>'); p++) {
      if (*p == '"') quote = !quote;
      if (quote && (*p == '<')) return 0;
    }
    if (!*p) return 0;
    int self = p[-1] == '/';
    if (closing) {
      if (depth == 0 || strncmp(stack[depth - 1], n, len) || stack[depth - 1][len]) return 0;
      depth--;
    } else if (!self) {
      if (depth == 0 && root_seen) return 0;
      if (depth == 64) return 0;
      memcpy(stack[depth], n, len);
      stack[depth++][len] = '\0';
      root_seen = 1;
    }
    s = p + 1;
  }
  return depth == 0 && root_seen;
}

static void test_figure_xml(void) {
  const char *names[3] = {"l_<hand>", "a&b", "\"quoted\""};
  const double v[9] = {0, 1, 2, 3, NAN, 5, 6, 7, 8};
  const double xs[6] = {0, 1, 2, NAN, 4, 5}, ys[6] = {1, 2, 3, 4, 5, NAN};
  dp_text t;
  dp_text_init(&t);
  dp_svg_begin(&t, 300, 200, "a <title> & more");
  dp_svg_heatmap(&t, 60, 60, 30, 3, 3, v, 0, 8, names, names, 1);
  dp_svg_colorbar(&t, 200, 60, 10, 90, 0, 8, "nats & <more>");
  dp_plot p;
  dp_plot_init(&p, 40, 20, 200, 150, 0, 5, 0, 5, 6, 6);
  dp_plot_axes(&t, &p, "x <mm>", "y & z");
  dp_plot_line(&t, &p, xs, ys, 6, (dp_pen){DP_BLACK, 1, 1});
  dp_pen pens[3] = {{DP_BLACK, 1, 0}, {DP_GREY, 2, 1}, {DP_LIGHT, 1, 0}};
  dp_svg_legend(&t, 10, 10, 3, names, pens, 0);
  dp_svg_circle(&t, NAN, 1, 2, DP_BLACK, NULL); /* not drawn */
  dp_svg_rect(&t, 1, 1, -5, 2, DP_BLACK, NULL); /* not drawn */
  dp_svg_end(&t);
  const char *s = dp_text_str(&t);
  CU_ASSERT(!t.failed);
  CU_ASSERT(well_formed(s));
  CU_ASSERT(strstr(s, "nan") == NULL && strstr(s, "inf") == NULL);
  CU_ASSERT(strstr(s, "l_&lt;hand&gt;") != NULL);
  CU_ASSERT(strstr(s, "a&amp;b") != NULL);
  CU_ASSERT(strstr(s, "&quot;quoted&quot;") != NULL);
  CU_ASSERT(strstr(s, "<title>a &lt;title&gt; &amp; more</title>") != NULL);
  /* the NaN cell is light grey, the series breaks at its NaN points: pieces (0..2), (4) dropped */
  CU_ASSERT(strstr(s, "fill=\"#e2e2e2\"") != NULL);
  int dashed = 0;
  for (const char *q = s; (q = strstr(q, "<polyline fill=\"none\" stroke=\"#000000\" stroke-width=\"1\" stroke-dasharray")); q++) dashed++;
  CU_ASSERT_EQUAL(dashed, 1);
  CU_ASSERT(strstr(s, "<circle") == NULL);
  /* the checker itself rejects what it should */
  CU_ASSERT(!well_formed("<svg><text>a < b</text></svg>"));
  CU_ASSERT(!well_formed("<svg><text>a & b</text></svg>"));
  CU_ASSERT(!well_formed("<svg><g></svg>"));
  CU_ASSERT(well_formed("<svg><g a=\"1\"/><text>&lt;</text></svg>"));
  dp_text_free(&t);
}

/* Bars: a NaN value draws no bar; the others start at x = 0 and end at their value. */
static void test_bars(void) {
  dp_text t;
  dp_text_init(&t);
  dp_plot p;
  dp_plot_init(&p, 100, 0, 200, 40, 0, 10, 0, 1, 6, 2); /* 0..10 -> 100..300 px */
  const double v[4] = {5, NAN, 10, 2.5};                /* series 0: rows 0, 1; series 1: rows 0, 1 */
  const dp_rgb c[2] = {DP_BLACK, DP_GREY};
  dp_plot_hbars(&t, &p, 2, 2, v, c);
  const char *s = dp_text_str(&t);
  int rects = 0;
  for (const char *q = s; (q = strstr(q, "<rect")); q++) rects++;
  CU_ASSERT_EQUAL(rects, 3);
  CU_ASSERT(strstr(s, "x=\"100\" y=\"2\" width=\"100\" height=\"8\" fill=\"#000000\"") != NULL);
  CU_ASSERT(strstr(s, "x=\"100\" y=\"10\" width=\"200\" height=\"8\" fill=\"#808080\"") != NULL);
  CU_ASSERT(strstr(s, "x=\"100\" y=\"30\" width=\"50\" height=\"8\" fill=\"#808080\"") != NULL);
  dp_text_free(&t);
}

DP_TEST_MAIN("report_svg", DP_TEST(test_ticks_known), DP_TEST(test_ticks_labels), DP_TEST(test_ticks_degenerate),
             DP_TEST(test_ticks_properties), DP_TEST(test_scale), DP_TEST(test_numbers), DP_TEST(test_escape),
             DP_TEST(test_base64), DP_TEST(test_colours), DP_TEST(test_figure_xml), DP_TEST(test_bars))
