/* conv_im2col.c - 2-D convolution of any geometry as im2col + one SGEMM per sample:
 * the reference the faster algorithms (winograd.c, conv_direct.c) are tested against.
 *
 * Per sample, the input is unrolled into col[K][P] (K = cin*k*k rows in the weight's
 * [cin][ki][kj] order, P = hout*wout columns), so the layer is Y = W . col with W the
 * [cout][K] weight: a single large GEMM, which is where OpenBLAS is fast. One sample
 * at a time keeps the scratch at K*P floats instead of n times that. */
#include <cblas.h>
#include <string.h>

#include "nn_internal.h"

/* Floats of the im2col columns of one sample: cin*k*k x hout*wout. */
static size_t col_size(const dp_nn_conv_geom *g) {
  return (size_t)g->cin * g->k * g->k * g->hout * g->wout;
}

/* col, then one sample's masked output gradient (for a fused ReLU). */
static size_t im2col_ws(const dp_nn_conv_geom *g) {
  return col_size(g) + (size_t)g->cout * g->hout * g->wout;
}

/* col[(c*k + ki)*k + kj][oy*wout + ox] = x[c][oy*s - pad + ki][ox*s - pad + kj], 0 outside. */
static void im2col(const dp_nn_conv_geom *g, const float *x, float *col) {
  const int k = g->k, s = g->stride, pad = g->pad, H = g->h, W = g->w;
  const int ho = g->hout, wo = g->wout;
  for (int c = 0; c < g->cin; c++) {
    const float *xc = x + (size_t)c * H * W;
    for (int ki = 0; ki < k; ki++)
      for (int kj = 0; kj < k; kj++) {
        float *row = col + ((size_t)(c * k + ki) * k + kj) * ho * wo;
        for (int oy = 0; oy < ho; oy++) {
          int iy = oy * s - pad + ki;
          float *r = row + (size_t)oy * wo;
          if (iy < 0 || iy >= H) {
            memset(r, 0, sizeof(float) * wo);
            continue;
          }
          const float *xr = xc + (size_t)iy * W;
          if (s == 1) { /* the common case: a shifted copy with zero borders */
            int lo = pad - kj, ox0 = lo > 0 ? lo : 0;
            int ox1 = W + pad - kj; /* first ox with ix >= W */
            if (ox1 > wo) ox1 = wo;
            if (ox1 < ox0) ox1 = ox0;
            for (int ox = 0; ox < ox0; ox++) r[ox] = 0.0f;
            if (ox1 > ox0) memcpy(r + ox0, xr + ox0 - pad + kj, sizeof(float) * (ox1 - ox0));
            for (int ox = ox1; ox < wo; ox++) r[ox] = 0.0f;
          } else {
            for (int ox = 0; ox < wo; ox++) {
              int ix = ox * s - pad + kj;
              r[ox] = (ix >= 0 && ix < W) ? xr[ix] : 0.0f;
            }
          }
        }
      }
  }
}

/* The adjoint of im2col: dx[c][iy][ix] += every col entry that copied it. */
static void col2im(const dp_nn_conv_geom *g, const float *col, float *dx) {
  const int k = g->k, s = g->stride, pad = g->pad, H = g->h, W = g->w;
  const int ho = g->hout, wo = g->wout;
  memset(dx, 0, sizeof(float) * (size_t)g->cin * H * W);
  for (int c = 0; c < g->cin; c++) {
    float *xc = dx + (size_t)c * H * W;
    for (int ki = 0; ki < k; ki++)
      for (int kj = 0; kj < k; kj++) {
        const float *row = col + ((size_t)(c * k + ki) * k + kj) * ho * wo;
        for (int oy = 0; oy < ho; oy++) {
          int iy = oy * s - pad + ki;
          if (iy < 0 || iy >= H) continue;
          const float *r = row + (size_t)oy * wo;
          float *xr = xc + (size_t)iy * W;
          if (s == 1) { /* contiguous run without bounds tests: the compiler vectorises it */
            int ox0 = pad - kj > 0 ? pad - kj : 0, ox1 = W + pad - kj < wo ? W + pad - kj : wo;
            float *dst = xr - pad + kj;
            for (int ox = ox0; ox < ox1; ox++) dst[ox] += r[ox];
            continue;
          }
          for (int ox = 0; ox < wo; ox++) {
            int ix = ox * s - pad + kj;
            if (ix >= 0 && ix < W) xr[ix] += r[ox];
          }
        }
      }
  }
}

static void im2col_forward(const dp_nn_conv_geom *g, int n, const float *x, const float *w,
                           const float *b, float *y, float *col, int relu) {
  const int K = g->cin * g->k * g->k, P = g->hout * g->wout;
  const size_t xs = (size_t)g->cin * g->h * g->w, ys = (size_t)g->cout * P;
  for (int i = 0; i < n; i++) {
    float *yi = y + i * ys;
    im2col(g, x + i * xs, col);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->cout, P, K, 1.0f, w, K, col,
                P, 0.0f, yi, P);
    /* bias (and the rectifier) while this sample's output is still in cache: one pass
     * instead of a bias fill before the GEMM and a ReLU pass over the whole batch after */
    for (int o = 0; o < g->cout; o++) {
      float *r = yi + (size_t)o * P;
      const float bo = b[o];
      if (relu)
        for (int p = 0; p < P; p++) r[p] = r[p] + bo > 0.0f ? r[p] + bo : 0.0f;
      else
        for (int p = 0; p < P; p++) r[p] += bo;
    }
  }
}

static void im2col_backward(const dp_nn_conv_geom *g, int n, const float *x, const float *w,
                            const float *relu_y, const float *dy, float *dx, float *dw, float *db,
                            float *ws, const dp_nn_tick *tick) {
  const int K = g->cin * g->k * g->k, P = g->hout * g->wout;
  const size_t xs = (size_t)g->cin * g->h * g->w, ys = (size_t)g->cout * P;
  float *col = ws, *masked = ws + col_size(g);
  for (int i = 0; i < n; i++) {
    const float *dyi = dy + i * ys;
    if (relu_y) { /* the fused ReLU's backward: gradient only where the output was > 0 */
      const float *yi = relu_y + i * ys;
      for (size_t k = 0; k < ys; k++) masked[k] = yi[k] > 0.0f ? dyi[k] : 0.0f;
      dyi = masked;
    }
    if (db)
      for (int o = 0; o < g->cout; o++) {
        float s = 0.0f;
        for (int p = 0; p < P; p++) s += dyi[(size_t)o * P + p];
        db[o] += s;
      }
    if (dw) { /* dW[cout][K] += dY[cout][P] . col^T */
      im2col(g, x + i * xs, col);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, g->cout, K, P, 1.0f, dyi, P, col,
                  P, 1.0f, dw, K);
    }
    if (dx) { /* dcol[K][P] = W^T . dY, reusing the scratch once dW is done */
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, P, g->cout, 1.0f, w, K, dyi, P,
                  0.0f, col, P);
      col2im(g, col, dx + i * xs);
    }
    dp_nn_tick_call(tick);
  }
}

const dp_nn_conv_impl dp_nn_conv_im2col = {im2col_ws, im2col_forward, im2col_backward};
