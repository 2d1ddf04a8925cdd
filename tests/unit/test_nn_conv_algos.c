/* test_nn_conv_algos.c - the conv layer's fast algorithms (Winograd F(4x4,3x3), direct
 * loops) against im2col + SGEMM, which test_nn_grad checks by finite differences, on
 * geometries the gradient checks are too small for: many channels, image sizes that
 * are not multiples of the 4x4 tile, and a batch large enough that Winograd works in
 * several chunks, one of which spans two samples. Also the contracts the network
 * relies on (fused ReLU forward and backward, dw/db accumulate, dx overwritten, the
 * progress tick, the same bits on every call), the per-layer choice, and the 2x2 max-
 * pool's fast path against a plain reference. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/nn.h"
#include "depthpose/rng.h"
#include "dp_test.h"

static dp_rng g_rng;
static void fill(float *a, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; i++) a[i] = lo + (hi - lo) * (float)dp_rng_uniform(&g_rng);
}
static float *vec(size_t n) { return calloc(n ? n : 1, sizeof(float)); }

/* max |a - b| / max |b|: the error relative to the reference's scale. */
static double rel_diff(const float *a, const float *b, size_t n) {
  double d = 0.0, s = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(a[i])) return INFINITY;
    d = fmax(d, fabs((double)a[i] - b[i]));
    s = fmax(s, fabs((double)b[i]));
  }
  return s > 0 ? d / s : d;
}

static void count_tick(void *ctx) { (*(int *)ctx)++; }

int openblas_get_num_threads(void);

static dp_nn_conv_geom geom(int cin, int cout, int h, int w) {
  dp_nn_conv_geom g = {.cin = cin, .cout = cout, .h = h, .w = w, .k = 3, .stride = 1, .pad = 1};
  CU_ASSERT_FATAL(dp_nn_conv_shape(&g) == 0);
  return g;
}

static void test_pick(void) {
  /* the default network: one depth channel in -> direct; the other 3x3 layers -> Winograd */
  dp_nn_conv_geom first = geom(1, 32, 144, 176), mid = geom(32, 64, 72, 88);
  CU_ASSERT(dp_nn_conv_pick(&first, DP_NN_CONV_AUTO) == DP_NN_CONV_DIRECT);
  CU_ASSERT(dp_nn_conv_pick(&mid, DP_NN_CONV_AUTO) == DP_NN_CONV_WINOGRAD);
  CU_ASSERT(dp_nn_conv_pick(&mid, DP_NN_CONV_IM2COL) == DP_NN_CONV_IM2COL);
  CU_ASSERT(dp_nn_conv_pick(&mid, DP_NN_CONV_DIRECT) == DP_NN_CONV_DIRECT);
  /* geometries the fast ones cannot run fall back to im2col, whatever is asked */
  dp_nn_conv_geom s2 = {.cin = 8, .cout = 8, .h = 9, .w = 9, .k = 3, .stride = 2, .pad = 1};
  dp_nn_conv_geom k5 = {.cin = 8, .cout = 8, .h = 9, .w = 9, .k = 5, .stride = 1, .pad = 2};
  dp_nn_conv_geom p0 = {.cin = 8, .cout = 8, .h = 9, .w = 9, .k = 3, .stride = 1, .pad = 0};
  dp_nn_conv_geom *odd[3] = {&s2, &k5, &p0};
  for (int i = 0; i < 3; i++) {
    CU_ASSERT_FATAL(dp_nn_conv_shape(odd[i]) == 0);
    for (int a = DP_NN_CONV_AUTO; a <= DP_NN_CONV_DIRECT; a++)
      CU_ASSERT(dp_nn_conv_pick(odd[i], (dp_nn_conv_algo)a) == DP_NN_CONV_IM2COL);
  }
  CU_ASSERT(strcmp(dp_nn_conv_algo_name(DP_NN_CONV_WINOGRAD), "winograd") == 0);
}

/* Everything one algorithm produces for one geometry and batch. */
typedef struct {
  float *y, *yr, *dx, *dw, *db;
  int ticks;
} outputs;

static void run(const dp_nn_conv_geom *g, dp_nn_conv_algo a, int n, const float *x,
                const float *w, const float *b, const float *dy, outputs *o) {
  const size_t xs = (size_t)n * g->cin * g->h * g->w, ys = (size_t)n * g->cout * g->h * g->w;
  const size_t wn = (size_t)g->cout * g->cin * 9;
  float *ws = vec(dp_nn_conv_ws_size(g, a));
  o->y = vec(ys), o->yr = vec(ys), o->dx = vec(xs), o->dw = vec(wn), o->db = vec(g->cout);
  dp_nn_conv_run_forward(g, a, n, x, w, b, o->y, ws, 0);
  dp_nn_conv_run_forward(g, a, n, x, w, b, o->yr, ws, 1); /* fused ReLU */
  for (size_t i = 0; i < xs; i++) o->dx[i] = NAN;          /* must be overwritten */
  for (size_t i = 0; i < wn; i++) o->dw[i] = 0.25f;        /* must be added to */
  for (int i = 0; i < g->cout; i++) o->db[i] = -0.5f;
  o->ticks = 0;
  const dp_nn_tick tick = {count_tick, &o->ticks};
  /* the backward of the fused conv + ReLU: dy flows where the rectified output is > 0 */
  dp_nn_conv_run_backward(g, a, n, x, w, o->yr, dy, o->dx, o->dw, o->db, ws, &tick);
  free(ws);
}

static void drop(outputs *o) { free(o->y), free(o->yr), free(o->dx), free(o->dw), free(o->db); }

static void check_against_im2col(dp_nn_conv_geom g, int n, dp_nn_conv_algo a) {
  CU_ASSERT_FATAL(dp_nn_conv_pick(&g, a) == a);
  const size_t xs = (size_t)n * g.cin * g.h * g.w, ys = (size_t)n * g.cout * g.h * g.w;
  const size_t wn = (size_t)g.cout * g.cin * 9;
  float *x = vec(xs), *w = vec(wn), *b = vec(g.cout), *dy = vec(ys);
  fill(x, xs, -1, 1), fill(w, wn, -0.3f, 0.3f), fill(b, g.cout, -0.2f, 0.2f), fill(dy, ys, -1, 1);
  outputs ref, got, again;
  run(&g, DP_NN_CONV_IM2COL, n, x, w, b, dy, &ref);
  run(&g, a, n, x, w, b, dy, &got);
  run(&g, a, n, x, w, b, dy, &again);
  double e[5] = {rel_diff(got.y, ref.y, ys), rel_diff(got.yr, ref.yr, ys),
                 rel_diff(got.dx, ref.dx, xs), rel_diff(got.dw, ref.dw, wn),
                 rel_diff(got.db, ref.db, g.cout)};
  printf("\n  %s %d->%d %dx%d batch %d: y %.1e, relu y %.1e, dx %.1e, dw %.1e, db %.1e; %d ticks",
         dp_nn_conv_algo_name(a), g.cin, g.cout, g.h, g.w, n, e[0], e[1], e[2], e[3], e[4],
         got.ticks);
  for (int k = 0; k < 5; k++) CU_ASSERT(e[k] <= 2e-5);
  CU_ASSERT(got.ticks >= 1);
  /* the same bits every call (the rank-invariance and exact-resume tests build on it) */
  CU_ASSERT(memcmp(got.y, again.y, ys * sizeof(float)) == 0);
  CU_ASSERT(memcmp(got.dx, again.dx, xs * sizeof(float)) == 0);
  CU_ASSERT(memcmp(got.dw, again.dw, wn * sizeof(float)) == 0);
  drop(&ref), drop(&got), drop(&again);
  free(x), free(w), free(b), free(dy);
}

static void test_winograd(void) {
  dp_rng_init(&g_rng, 20261206, DP_STREAM_TEST, 11, 1);
  check_against_im2col(geom(5, 7, 9, 11), 2, DP_NN_CONV_WINOGRAD);  /* partial tiles */
  check_against_im2col(geom(3, 2, 4, 4), 1, DP_NN_CONV_WINOGRAD);   /* one whole tile */
  check_against_im2col(geom(16, 8, 2, 3), 3, DP_NN_CONV_WINOGRAD);  /* smaller than a tile */
  /* 36 (64 + 64) 16 floats per tile row: 7 tile rows per 2^19-float chunk, of the
   * batch's 2 x 8: three chunks, the second holding the end of sample 0 and the start
   * of sample 1 */
  check_against_im2col(geom(64, 64, 32, 64), 2, DP_NN_CONV_WINOGRAD);
}

/* Winograd runs its SGEMMs on one OpenBLAS thread (blas.c) and gives the rank's
 * threads back afterwards, for the FC layers. */
static void test_winograd_threads(void) {
  dp_rng_init(&g_rng, 20261206, DP_STREAM_TEST, 11, 4);
  dp_nn_blas_setup(2);
  check_against_im2col(geom(8, 8, 12, 12), 2, DP_NN_CONV_WINOGRAD);
  CU_ASSERT(openblas_get_num_threads() == 2);
  dp_nn_blas_setup(1);
}

static void test_direct(void) {
  dp_rng_init(&g_rng, 20261206, DP_STREAM_TEST, 11, 2);
  check_against_im2col(geom(1, 8, 13, 10), 3, DP_NN_CONV_DIRECT); /* the first layer's case */
  check_against_im2col(geom(3, 5, 7, 17), 2, DP_NN_CONV_DIRECT);
  check_against_im2col(geom(12, 4, 6, 5), 2, DP_NN_CONV_DIRECT);  /* forced, many channels */
  check_against_im2col(geom(2, 3, 1, 1), 2, DP_NN_CONV_DIRECT);   /* one pixel */
}

/* ---- 2x2 / stride 2 max-pool: the fast path against plain loops ---- */

static void pool_reference(int planes, int h, int w, const float *x, float *y, int32_t *idx) {
  const int ho = h / 2, wo = w / 2;
  for (int p = 0; p < planes; p++)
    for (int oy = 0; oy < ho; oy++)
      for (int ox = 0; ox < wo; ox++) {
        int best = (2 * oy) * w + 2 * ox;
        for (int dy = 0; dy < 2; dy++)
          for (int dx = 0; dx < 2; dx++) {
            int at = (2 * oy + dy) * w + 2 * ox + dx;
            if (x[(size_t)p * h * w + at] > x[(size_t)p * h * w + best]) best = at;
          }
        y[((size_t)p * ho + oy) * wo + ox] = x[(size_t)p * h * w + best];
        idx[((size_t)p * ho + oy) * wo + ox] = best;
      }
}

static void test_maxpool2(void) {
  dp_rng_init(&g_rng, 20261206, DP_STREAM_TEST, 11, 3);
  const int n = 2, c = 3, sizes[3][2] = {{8, 10}, {7, 9}, {5, 2}};
  for (int s = 0; s < 3; s++) {
    const int h = sizes[s][0], w = sizes[s][1], ho = h / 2, wo = w / 2, planes = n * c;
    const size_t xs = (size_t)planes * h * w, ys = (size_t)planes * ho * wo;
    float *x = vec(xs), *y = vec(ys), *yr = vec(ys), *dy = vec(ys), *dx = vec(xs);
    int32_t *idx = calloc(ys, sizeof *idx), *idxr = calloc(ys, sizeof *idxr);
    fill(x, xs, -1, 1), fill(dy, ys, 0.5f, 1);
    for (size_t i = 0; i < xs; i += 7) x[i] = x[i + 1 < xs ? i + 1 : i]; /* ties: first wins */
    dp_nn_maxpool_forward(n, c, h, w, 2, 2, x, y, idx);
    pool_reference(planes, h, w, x, yr, idxr);
    CU_ASSERT(memcmp(y, yr, ys * sizeof(float)) == 0);
    CU_ASSERT(memcmp(idx, idxr, ys * sizeof(int32_t)) == 0);
    for (size_t i = 0; i < xs; i++) dx[i] = NAN; /* every position written */
    dp_nn_maxpool_backward(n, c, h, w, 2, 2, dy, idx, dx);
    int bad = 0;
    for (int p = 0; p < planes; p++)
      for (int i = 0; i < h * w; i++) {
        float want = 0.0f;
        for (int k = 0; k < ho * wo; k++)
          if (idxr[(size_t)p * ho * wo + k] == i) want = dy[(size_t)p * ho * wo + k];
        bad += !(dx[(size_t)p * h * w + i] == want);
      }
    CU_ASSERT(bad == 0);
    free(x), free(y), free(yr), free(dy), free(dx), free(idx), free(idxr);
  }
}

DP_TEST_MAIN("nn_conv_algos", DP_TEST(test_pick), DP_TEST(test_winograd),
             DP_TEST(test_winograd_threads), DP_TEST(test_direct),
             DP_TEST(test_maxpool2))
