/* conv_direct.c - 3x3 convolution, stride 1, pad 1, as plain loops: for layers with a
 * few input channels, above all the first one, which sees a single depth channel.
 * There im2col + GEMM is a K = 9 product - nearly all memory traffic and no reuse
 * (it ran at 5 GFLOP/s on the default network's first layer) - and Winograd's
 * transforms cost more than the 9 multiply-adds per output they would save.
 *
 * Each sample's input is copied once into a zero-bordered buffer ((H+2) x (W+2) per
 * channel), so every output row is a sum of 9 cin shifted input rows with no bounds
 * tests; the loops run along x and vectorise. The weight gradient sums products over
 * every output pixel: 16 interleaved partial sums per tap (no -ffast-math needed to
 * vectorise; a fixed order, so the same bits on every run), folded into dw once per
 * call. The input gradient is the same loop run on the zero-bordered output gradient
 * with the kernel turned by 180 degrees. */
#include <string.h>

#include "nn_internal.h"

/* Zero-bordered planes of the larger of cin and cout channels, one masked output-
 * gradient row, and the partial sums (per output channel 9 cin taps + 1 bias, 16
 * lanes each). */
static size_t direct_ws(const dp_nn_conv_geom *g) {
  const int c = g->cin > g->cout ? g->cin : g->cout;
  return (size_t)c * (g->h + 2) * (g->w + 2) + (size_t)g->w +
         16 * (9 * (size_t)g->cin + 1) * g->cout;
}

/* pad[c][1 + y][1 + x] = src[c][y][x], borders zero; masked by mask > 0 if given. */
DP_NN_INLINE void pad_planes(const float *src, const float *mask, int C, int H, int W,
                             float *restrict pad) {
  const int Wp = W + 2;
  memset(pad, 0, sizeof(float) * (size_t)C * (H + 2) * Wp);
  for (int c = 0; c < C; c++)
    for (int y = 0; y < H; y++) {
      const size_t at = ((size_t)c * H + y) * W;
      float *restrict d = pad + ((size_t)c * (H + 2) + y + 1) * Wp + 1;
      if (mask)
        for (int x = 0; x < W; x++) d[x] = mask[at + x] > 0.0f ? src[at + x] : 0.0f;
      else
        memcpy(d, src + at, sizeof(float) * W);
    }
}

/* dst[x] += sum over 3 kernel columns of k[kj] * r[x + kj] (r: a padded row). */
DP_NN_INLINE void row3(float *restrict dst, const float *restrict r, float k0, float k1,
                       float k2, int W) {
  for (int x = 0; x < W; x++) dst[x] += k0 * r[x] + k1 * r[x + 1] + k2 * r[x + 2];
}

DP_NN_VECTOR_CLONES
static void direct_forward(const dp_nn_conv_geom *g, int n, const float *x, const float *w,
                           const float *b, float *y, float *ws, int relu) {
  const int H = g->h, W = g->w, ci = g->cin, co = g->cout, Wp = W + 2;
  const size_t plane = (size_t)(H + 2) * Wp;
  for (int s = 0; s < n; s++) {
    pad_planes(x + (size_t)s * ci * H * W, NULL, ci, H, W, ws);
    for (int o = 0; o < co; o++)
      for (int oy = 0; oy < H; oy++) {
        float *restrict d = y + (((size_t)s * co + o) * H + oy) * W;
        for (int xx = 0; xx < W; xx++) d[xx] = b[o];
        for (int c = 0; c < ci; c++)
          for (int ki = 0; ki < 3; ki++) {
            const float *k = w + (((size_t)o * ci + c) * 3 + ki) * 3;
            row3(d, ws + c * plane + (size_t)(oy + ki) * Wp, k[0], k[1], k[2], W);
          }
        if (relu)
          for (int xx = 0; xx < W; xx++) d[xx] = d[xx] > 0.0f ? d[xx] : 0.0f;
      }
  }
}

/* acc[l] += sum over x = l mod 16 of a[x] * b[x] (b NULL: of a[x]), x < W, in a fixed
 * order per lane. */
DP_NN_INLINE void dot16(float *restrict acc, const float *a, const float *b, int W) {
  int x = 0;
  if (!b) {
    for (; x + 16 <= W; x += 16)
      for (int l = 0; l < 16; l++) acc[l] += a[x + l];
    for (int l = 0; x < W; x++, l++) acc[l] += a[x];
    return;
  }
  for (; x + 16 <= W; x += 16)
    for (int l = 0; l < 16; l++) acc[l] += a[x + l] * b[x + l];
  for (int l = 0; x < W; x++, l++) acc[l] += a[x] * b[x];
}

DP_NN_VECTOR_CLONES
static void direct_backward(const dp_nn_conv_geom *g, int n, const float *x, const float *w,
                            const float *relu_y, const float *dy, float *dx, float *dw, float *db,
                            float *ws, const dp_nn_tick *tick) {
  const int H = g->h, W = g->w, ci = g->cin, co = g->cout, Wp = W + 2;
  const size_t plane = (size_t)(H + 2) * Wp, HW = (size_t)H * W;
  const int c_max = ci > co ? ci : co, taps = 9 * ci, per_o = 16 * (taps + 1);
  float *pad = ws, *row = ws + (size_t)c_max * plane, *acc = row + W;
  if (dw || db) {
    /* lanes per output channel: 9 cin taps, then the bias */
    memset(acc, 0, sizeof(float) * (size_t)per_o * co);
    for (int s = 0; s < n; s++) {
      if (dw) pad_planes(x + (size_t)s * ci * HW, NULL, ci, H, W, pad);
      for (int o = 0; o < co; o++) {
        float *a = acc + (size_t)per_o * o;
        for (int oy = 0; oy < H; oy++) {
          const size_t at = (((size_t)s * co + o) * H + oy) * W;
          if (relu_y)
            for (int xx = 0; xx < W; xx++) row[xx] = relu_y[at + xx] > 0.0f ? dy[at + xx] : 0.0f;
          else
            memcpy(row, dy + at, sizeof(float) * W);
          dot16(a + 16 * taps, row, NULL, W);
          if (!dw) continue;
          for (int c = 0; c < ci; c++)
            for (int ki = 0; ki < 3; ki++)
              for (int kj = 0; kj < 3; kj++)
                dot16(a + 16 * ((c * 3 + ki) * 3 + kj), row,
                      pad + c * plane + (size_t)(oy + ki) * Wp + kj, W);
        }
      }
      dp_nn_tick_call(tick);
    }
    for (int o = 0; o < co; o++) {
      const float *a = acc + (size_t)per_o * o;
      for (int t = 0; dw && t < taps; t++) dw[(size_t)o * taps + t] += dp_nn_sum(a + 16 * t, 16);
      if (db) db[o] += dp_nn_sum(a + 16 * taps, 16);
    }
  }
  if (!dx) return;
  for (int s = 0; s < n; s++) {
    const size_t at = (size_t)s * co * HW;
    pad_planes(dy + at, relu_y ? relu_y + at : NULL, co, H, W, pad);
    for (int c = 0; c < ci; c++)
      for (int iy = 0; iy < H; iy++) {
        float *restrict d = dx + (((size_t)s * ci + c) * H + iy) * W;
        memset(d, 0, sizeof(float) * W);
        /* dx[iy][ix] = sum w[o][c][ki][kj] dy[iy + 1 - ki][ix + 1 - kj]: padded row
         * iy + 2 - ki, columns ix + 2 - kj */
        for (int o = 0; o < co; o++)
          for (int ki = 0; ki < 3; ki++) {
            const float *k = w + (((size_t)o * ci + c) * 3 + ki) * 3;
            row3(d, pad + o * plane + (size_t)(iy + 2 - ki) * Wp, k[2], k[1], k[0], W);
          }
      }
    dp_nn_tick_call(tick);
  }
}

const dp_nn_conv_impl dp_nn_conv_direct = {direct_ws, direct_forward, direct_backward};
