/* winograd.c - 3x3 convolution with stride 1 and pad 1 by Winograd's minimal filtering
 * algorithm F(4x4, 3x3) (A. Lavin, S. Gray, "Fast Algorithms for Convolutional Neural
 * Networks", CVPR 2016): the forward pass and both gradients.
 *
 * The output is cut into 4x4 tiles; tile (ty, tx) reads the 6x6 input patch at rows
 * 4ty-1 .. 4ty+4 and columns 4tx-1 .. 4tx+4 (zeros outside the image: the padding).
 * Per tile and channel pair,
 *     Y = AT [ (G g GT) (.) (BT d B) ] A        (.) = element-wise on 6 x 6
 * and the sum over input channels happens inside (.): at each of the 36 "transform
 * points" xi it is a matrix product over the tiles of a chunk,
 *     M_xi[cout][tile] = U_xi[cout][cin] . V_xi[cin][tile],   U = G g GT,  V = BT d B,
 * one SGEMM each. That is 36 multiply-adds per tile and channel pair where the direct
 * sum takes 16 x 9 = 144 (4x fewer); the transforms cost work linear in the channels.
 * Matrices, for the interpolation points 0, 1, -1, 2, -2 and infinity:
 *     BT = [4  0 -5  0 1 0]   G = [ 1/4     0    0]   AT = [1 1  1 1  1 0]
 *          [0 -4 -4  1 1 0]       [-1/6  -1/6 -1/6]        [0 1 -1 2 -2 0]
 *          [0  4 -4 -1 1 0]       [-1/6   1/6 -1/6]        [0 1  1 4  4 0]
 *          [0 -2 -1  2 1 0]       [1/24  1/12  1/6]        [0 1 -1 8 -8 1]
 *          [0  2 -1 -2 1 0]       [1/24 -1/12  1/6]
 *          [0  4  0 -5 0 1]       [   0     0    1]
 * Transform point xi = 6 i + j: i is the vertical (row) index, j the horizontal one.
 *
 * The gradients are the adjoint of the same linear algorithm - the exact gradients of
 * what the forward computes:
 *     dM = A dY AT                    (per tile; the fused ReLU's mask applied to dY)
 *     dU_xi += dM_xi . V_xi^T        (SGEMM, summed over every tile of the batch)
 *     dg = GT dU G                    (per channel pair, once at the end)
 *     dV_xi = U_xi^T . dM_xi          (SGEMM)
 *     dd = B dV BT, added into dx patch by patch (neighbouring patches overlap).
 * dY is transformed once for both gradients; U and V are recomputed from w and x rather
 * than kept from the forward (cheap next to the SGEMMs, and nothing is held between
 * the passes). The filter transforms run in double: they are tiny, and their 1/6 and
 * 1/24 would otherwise add rounding of their own.
 *
 * Work goes by chunks of whole tile rows (a chunk may span samples): as many as keep
 * a chunk's transformed tiles, 36 (cin + cout) floats per tile, within
 * WINO_CHUNK_FLOATS, so each SGEMM reads what a transform has just written while it
 * is still in the cache, and its output is transformed back before it leaves. The
 * transforms vectorise over the tiles: per channel, the six input rows of a tile row
 * are combined vertically (contiguous in x), then split into one array per tile
 * column (stride-4 gathers, which the compiler does with permutes), and the
 * horizontal combination runs over all of the chunk's tiles at once, whatever the
 * image width. */
#include <cblas.h>
#include <string.h>

#include "nn_internal.h"

/* V + M of one chunk: 2 MB, within a Zen core's 1 MB L2 plus its share of L3; chosen
 * by measuring 1/4 to 4 MB on the default network (tests/bench/bench_nn). */
#define WINO_CHUNK_FLOATS ((size_t)1 << 19)

typedef struct {
  int H, W, ci, co;
  int th, tw;   /* tiles per sample: rows, columns */
  int rows;     /* tile rows per chunk */
  size_t tc;    /* tiles of a full chunk */
  size_t L;     /* floats of one scratch row (>= 4 tw + 2, the patch columns of a row) */
  float *U, *dU, *V, *M, *P, *t, *zero;
} wino;

static size_t up16(size_t n) { return (n + 15) & ~(size_t)15; }

/* Shapes, and the workspace cut into parts (ws NULL: only count). Returns floats. */
static size_t plan(const dp_nn_conv_geom *g, float *ws, wino *p) {
  p->H = g->h, p->W = g->w, p->ci = g->cin, p->co = g->cout;
  p->th = (g->h + 3) / 4, p->tw = (g->w + 3) / 4;
  size_t per_row = 36u * (size_t)(g->cin + g->cout) * (size_t)p->tw;
  p->rows = (int)(WINO_CHUNK_FLOATS / per_row);
  if (p->rows < 1) p->rows = 1;
  p->tc = (size_t)p->rows * p->tw;
  p->L = up16(4 * (size_t)p->tw + 8);
  const size_t cc = (size_t)g->cin * g->cout;
  const size_t parts[7] = {36 * cc, 36 * cc, 36 * (size_t)g->cin * p->tc,
                           36 * (size_t)g->cout * p->tc, 72 * p->tc, 6 * p->L, (size_t)g->w};
  float **dst[7] = {&p->U, &p->dU, &p->V, &p->M, &p->P, &p->t, &p->zero};
  size_t off = 0;
  for (int k = 0; k < 7; k++) {
    *dst[k] = ws ? ws + off : NULL;
    off += up16(parts[k]);
  }
  return off;
}

static size_t wino_ws(const dp_nn_conv_geom *g) {
  wino p;
  return plan(g, NULL, &p);
}

/* ---- filter transforms (double: see the header) ----
 * With G' = 24 G = [6 0 0; -4 -4 -4; -4 4 -4; 1 2 4; 1 -2 4; 0 0 24] (small integers),
 * U = G' g G'T / 576 and dg = G'T dU G' / 576: no divisions in the loops. */

/* U[xi][o][c] = (G g GT)[xi] for every channel pair, 16 input channels at a time: the
 * 36 planes of U lie (cout cin) floats apart - often a multiple of 4 kB, where
 * scattered single stores all fall into one cache set - so each plane gets whole
 * 64-byte runs instead. */
static void filter_transform(const wino *p, const float *w, float *U) {
  const size_t cc = (size_t)p->co * p->ci;
  const double k576 = 1.0 / 576.0;
  float blk[36][16];
  for (int o = 0; o < p->co; o++)
    for (int c0 = 0; c0 < p->ci; c0 += 16) {
      const int nc = p->ci - c0 < 16 ? p->ci - c0 : 16;
      for (int l = 0; l < nc; l++) {
        const float *k = w + ((size_t)o * p->ci + c0 + l) * 9;
        double t[6][3]; /* G' g: transform rows, kernel columns */
        for (int b = 0; b < 3; b++) {
          const double g0 = k[b], g1 = k[3 + b], g2 = k[6 + b];
          t[0][b] = 6 * g0, t[1][b] = -4 * (g0 + g1 + g2), t[2][b] = -4 * (g0 - g1 + g2);
          t[3][b] = g0 + 2 * g1 + 4 * g2, t[4][b] = g0 - 2 * g1 + 4 * g2, t[5][b] = 24 * g2;
        }
        for (int i = 0; i < 6; i++) {
          const double h0 = t[i][0] * k576, h1 = t[i][1] * k576, h2 = t[i][2] * k576;
          blk[6 * i][l] = (float)(6 * h0);
          blk[6 * i + 1][l] = (float)(-4 * (h0 + h1 + h2));
          blk[6 * i + 2][l] = (float)(-4 * (h0 - h1 + h2));
          blk[6 * i + 3][l] = (float)(h0 + 2 * h1 + 4 * h2);
          blk[6 * i + 4][l] = (float)(h0 - 2 * h1 + 4 * h2);
          blk[6 * i + 5][l] = (float)(24 * h2);
        }
      }
      for (int xi = 0; xi < 36; xi++)
        memcpy(U + xi * cc + (size_t)o * p->ci + c0, blk[xi], sizeof(float) * nc);
    }
}

/* dw[o][c] += GT dU[.][o][c] G, the adjoint of filter_transform (blocked the same way). */
static void filter_adjoint(const wino *p, const float *dU, float *dw) {
  const size_t cc = (size_t)p->co * p->ci;
  const double k576 = 1.0 / 576.0;
  float blk[36][16];
  for (int o = 0; o < p->co; o++)
    for (int c0 = 0; c0 < p->ci; c0 += 16) {
      const int nc = p->ci - c0 < 16 ? p->ci - c0 : 16;
      for (int xi = 0; xi < 36; xi++)
        memcpy(blk[xi], dU + xi * cc + (size_t)o * p->ci + c0, sizeof(float) * nc);
      for (int l = 0; l < nc; l++) {
        double h[6][3]; /* dU G': transform rows, kernel columns */
        for (int i = 0; i < 6; i++) {
          const double v0 = blk[6 * i][l], v1 = blk[6 * i + 1][l], v2 = blk[6 * i + 2][l],
                       v3 = blk[6 * i + 3][l], v4 = blk[6 * i + 4][l], v5 = blk[6 * i + 5][l];
          h[i][0] = 6 * v0 - 4 * (v1 + v2) + (v3 + v4);
          h[i][1] = 4 * (v2 - v1) + 2 * (v3 - v4);
          h[i][2] = 4 * (v3 + v4 - v1 - v2) + 24 * v5;
        }
        float *k = dw + ((size_t)o * p->ci + c0 + l) * 9;
        for (int b = 0; b < 3; b++) {
          const double v0 = h[0][b], v1 = h[1][b], v2 = h[2][b], v3 = h[3][b], v4 = h[4][b],
                       v5 = h[5][b];
          k[b] += (float)((6 * v0 - 4 * (v1 + v2) + (v3 + v4)) * k576);
          k[3 + b] += (float)((4 * (v2 - v1) + 2 * (v3 - v4)) * k576);
          k[6 + b] += (float)((4 * (v3 + v4 - v1 - v2) + 24 * v5) * k576);
        }
      }
    }
}

/* ---- input tiles: V = BT d B ---- */

/* BT a for one column a of six values (BT in the header); applied along columns, then
 * along rows. */
typedef struct {
  float v[6];
} bt_out;
DP_NN_INLINE bt_out bt_point(float a0, float a1, float a2, float a3, float a4, float a5) {
  return (bt_out){{4.0f * a0 - 5.0f * a2 + a4, (a3 + a4) - 4.0f * (a1 + a2),
                   (a4 - a3) + 4.0f * (a1 - a2), (a4 - a2) + 2.0f * (a3 - a1),
                   (a4 - a2) - 2.0f * (a3 - a1), 4.0f * a1 - 5.0f * a3 + a5}};
}

/* t_i[x + 1] = sum_r BT[i][r] row_r[x] for x in [0, W); t_i[0] (x = -1) and
 * t_i[W + 1 ..] stay zero (the caller zeroes t once). */
DP_NN_INLINE void bt_vertical(const float *r0, const float *r1, const float *r2,
                              const float *r3, const float *r4, const float *r5, int W, size_t L,
                              float *t) {
  float *restrict t0 = t + 1, *restrict t1 = t + L + 1, *restrict t2 = t + 2 * L + 1,
                  *restrict t3 = t + 3 * L + 1, *restrict t4 = t + 4 * L + 1,
                  *restrict t5 = t + 5 * L + 1;
  DP_NN_SIMD
  for (int x = 0; x < W; x++) {
    const bt_out o = bt_point(r0[x], r1[x], r2[x], r3[x], r4[x], r5[x]);
    t0[x] = o.v[0], t1[x] = o.v[1], t2[x] = o.v[2], t3[x] = o.v[3], t4[x] = o.v[4], t5[x] = o.v[5];
  }
}

/* P[i][s][tx] = t_i[4 tx + s]: the six columns of each tile's patch. */
DP_NN_INLINE void split6(const float *t, size_t L, int tw, float *P, size_t T) {
  for (int i = 0; i < 6; i++) {
    const float *restrict r = t + i * L;
    float *restrict p0 = P + (6 * i) * T, *restrict p1 = p0 + T, *restrict p2 = p1 + T,
                    *restrict p3 = p2 + T, *restrict p4 = p3 + T, *restrict p5 = p4 + T;
    DP_NN_SIMD
    for (int x = 0; x < tw; x++) {
      p0[x] = r[4 * x], p1[x] = r[4 * x + 1], p2[x] = r[4 * x + 2], p3[x] = r[4 * x + 3];
      p4[x] = r[4 * x + 4], p5[x] = r[4 * x + 5];
    }
  }
}

/* V[(6i + j) vs + k] = sum_s BT[j][s] P[i][s][k] for the T tiles k. */
DP_NN_INLINE void bt_horizontal(const float *P, size_t T, float *V, size_t vs) {
  for (int i = 0; i < 6; i++) {
    const float *restrict d0 = P + (6 * i) * T, *restrict d1 = d0 + T, *restrict d2 = d1 + T,
                          *restrict d3 = d2 + T, *restrict d4 = d3 + T, *restrict d5 = d4 + T;
    float *restrict v0 = V + (6 * i) * vs, *restrict v1 = v0 + vs, *restrict v2 = v1 + vs,
                    *restrict v3 = v2 + vs, *restrict v4 = v3 + vs, *restrict v5 = v4 + vs;
    DP_NN_SIMD
    for (size_t k = 0; k < T; k++) {
      const bt_out o = bt_point(d0[k], d1[k], d2[k], d3[k], d4[k], d5[k]);
      v0[k] = o.v[0], v1[k] = o.v[1], v2[k] = o.v[2], v3[k] = o.v[3], v4[k] = o.v[4], v5[k] = o.v[5];
    }
  }
}

/* V[xi][c][k] for tile rows [g0, g1) of the batch x (global tile row g = sample * th +
 * ty), k = (g - g0) tw + tx. */
DP_NN_VECTOR_CLONES
static void input_tiles(const wino *p, const float *x, int g0, int g1, float *V) {
  const int H = p->H, W = p->W, tw = p->tw;
  const size_t T = (size_t)(g1 - g0) * tw, HW = (size_t)H * W;
  memset(p->t, 0, sizeof(float) * 6 * p->L);
  for (int c = 0; c < p->ci; c++) {
    for (int g = g0; g < g1; g++) {
      const int ty = g % p->th;
      const float *plane = x + ((size_t)(g / p->th) * p->ci + c) * HW, *r[6];
      for (int k = 0; k < 6; k++) {
        const int iy = 4 * ty - 1 + k;
        r[k] = iy >= 0 && iy < H ? plane + (size_t)iy * W : p->zero;
      }
      bt_vertical(r[0], r[1], r[2], r[3], r[4], r[5], W, p->L, p->t);
      split6(p->t, p->L, tw, p->P + (size_t)(g - g0) * tw, T);
    }
    bt_horizontal(p->P, T, V + c * T, (size_t)p->ci * T);
  }
}

/* ---- output tiles: Y = AT M A (+ bias, ReLU) ---- */

/* Q[(4r + s) T + k] = (AT M_k A)[r][s] + bias, rectified if relu. */
DP_NN_INLINE void at_tiles(const float *M, size_t ms, size_t T, float bias, int relu,
                           float *Q) {
  float *restrict q = Q;
  DP_NN_SIMD
  for (size_t k = 0; k < T; k++) {
    float u[6][4];
    for (int i = 0; i < 6; i++) {
      const float *m = M + (size_t)(6 * i) * ms + k;
      const float m0 = m[0], m1 = m[ms], m2 = m[2 * ms], m3 = m[3 * ms], m4 = m[4 * ms],
                  m5 = m[5 * ms];
      const float a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4;
      u[i][0] = m0 + a + c, u[i][1] = b + 2.0f * d, u[i][2] = a + 4.0f * c;
      u[i][3] = b + 8.0f * d + m5;
    }
    for (int s = 0; s < 4; s++) {
      const float a = u[1][s] + u[2][s], b = u[1][s] - u[2][s], c = u[3][s] + u[4][s],
                  d = u[3][s] - u[4][s];
      float y[4] = {u[0][s] + a + c, b + 2.0f * d, a + 4.0f * c, b + 8.0f * d + u[5][s]};
      for (int r = 0; r < 4; r++) {
        float v = y[r] + bias;
        if (relu) v = v > 0.0f ? v : 0.0f;
        q[(size_t)(4 * r + s) * T + k] = v;
      }
    }
  }
}

/* dst[4 tx + s] = q_s[tx] for x = 4 tx + s < W. */
DP_NN_INLINE void interleave4(const float *q0, const float *q1, const float *q2,
                              const float *q3, float *restrict dst, int W, int tw) {
  int full = W / 4 < tw ? W / 4 : tw;
  DP_NN_SIMD
  for (int x = 0; x < full; x++) {
    dst[4 * x] = q0[x], dst[4 * x + 1] = q1[x], dst[4 * x + 2] = q2[x];
    dst[4 * x + 3] = q3[x];
  }
  const float *q[4] = {q0, q1, q2, q3};
  for (int x = 4 * full; x < W; x++) dst[x] = q[x & 3][x >> 2];
}

DP_NN_VECTOR_CLONES
static void output_tiles(const wino *p, const float *M, const float *b, int relu, int g0,
                         int g1, float *y) {
  const int H = p->H, W = p->W, tw = p->tw;
  const size_t T = (size_t)(g1 - g0) * tw, HW = (size_t)H * W;
  float *Q = p->P;
  for (int o = 0; o < p->co; o++) {
    at_tiles(M + o * T, (size_t)p->co * T, T, b[o], relu, Q);
    for (int g = g0; g < g1; g++) {
      const int ty = g % p->th;
      const size_t base = (size_t)(g - g0) * tw;
      float *plane = y + ((size_t)(g / p->th) * p->co + o) * HW;
      for (int r = 0; r < 4 && 4 * ty + r < H; r++) {
        const float *q = Q + (size_t)(4 * r) * T + base;
        interleave4(q, q + T, q + 2 * T, q + 3 * T, plane + (size_t)(4 * ty + r) * W, W, tw);
      }
    }
  }
}

/* ---- output-gradient tiles: dM = A dY AT ---- */

/* d_s[tx] = dy[4 tx + s] (zero where x >= W), masked by relu_y > 0 when given (first
 * into row, W floats of scratch: a contiguous select vectorises, a strided one not). */
DP_NN_INLINE void split4(const float *dy, const float *mask, int W, int tw, float *row,
                         float *d0, float *d1, float *d2, float *d3) {
  if (mask) {
    DP_NN_SIMD
    for (int x = 0; x < W; x++) row[x] = mask[x] > 0.0f ? dy[x] : 0.0f;
    dy = row;
  }
  int full = W / 4 < tw ? W / 4 : tw;
  DP_NN_SIMD
  for (int x = 0; x < full; x++) {
    d0[x] = dy[4 * x], d1[x] = dy[4 * x + 1], d2[x] = dy[4 * x + 2];
    d3[x] = dy[4 * x + 3];
  }
  float *d[4] = {d0, d1, d2, d3};
  for (int x = 4 * full; x < 4 * tw; x++) d[x & 3][x >> 2] = x < W ? dy[x] : 0.0f;
}

/* dM[(6i + j) ms + k] = (A D_k AT)[i][j], D[(4r + s) T + k] the 4x4 gradient tiles. */
DP_NN_INLINE void a_tiles(const float *D, size_t T, float *dM, size_t ms) {
  float *restrict m = dM;
  DP_NN_SIMD
  for (size_t k = 0; k < T; k++) {
    float f[4][6];
    for (int r = 0; r < 4; r++) {
      const float v0 = D[(size_t)(4 * r) * T + k], v1 = D[(size_t)(4 * r + 1) * T + k],
                  v2 = D[(size_t)(4 * r + 2) * T + k], v3 = D[(size_t)(4 * r + 3) * T + k];
      const float a = v0 + v2, b = v1 + v3, c = v0 + 4.0f * v2, d = 2.0f * v1 + 8.0f * v3;
      f[r][0] = v0, f[r][1] = a + b, f[r][2] = a - b, f[r][3] = c + d, f[r][4] = c - d;
      f[r][5] = v3;
    }
    for (int j = 0; j < 6; j++) {
      const float v0 = f[0][j], v1 = f[1][j], v2 = f[2][j], v3 = f[3][j];
      const float a = v0 + v2, b = v1 + v3, c = v0 + 4.0f * v2, d = 2.0f * v1 + 8.0f * v3;
      m[(size_t)j * ms + k] = v0;
      m[(size_t)(6 + j) * ms + k] = a + b;
      m[(size_t)(12 + j) * ms + k] = a - b;
      m[(size_t)(18 + j) * ms + k] = c + d;
      m[(size_t)(24 + j) * ms + k] = c - d;
      m[(size_t)(30 + j) * ms + k] = v3;
    }
  }
}

/* dM[xi][o][k] from dy (masked by relu_y > 0 if given); db[o] += the chunk's sum. */
DP_NN_VECTOR_CLONES
static void grad_tiles(const wino *p, const float *dy, const float *relu_y, int g0, int g1,
                       float *dM, float *db) {
  const int H = p->H, W = p->W, tw = p->tw;
  const size_t T = (size_t)(g1 - g0) * tw, HW = (size_t)H * W;
  float *D = p->P;
  for (int o = 0; o < p->co; o++) {
    for (int g = g0; g < g1; g++) {
      const int ty = g % p->th;
      const size_t base = (size_t)(g - g0) * tw, plane = ((size_t)(g / p->th) * p->co + o) * HW;
      for (int r = 0; r < 4; r++) {
        float *d = D + (size_t)(4 * r) * T + base;
        const int oy = 4 * ty + r;
        if (oy >= H) {
          for (int s = 0; s < 4; s++) memset(d + s * T, 0, sizeof(float) * tw);
          continue;
        }
        const size_t row = plane + (size_t)oy * W;
        split4(dy + row, relu_y ? relu_y + row : NULL, W, tw, p->t, d, d + T, d + 2 * T,
               d + 3 * T);
      }
    }
    if (db) db[o] += dp_nn_sum(D, 16 * T);
    a_tiles(D, T, dM + o * T, (size_t)p->co * T);
  }
}

/* ---- input-gradient tiles: dd = B dV BT, added into dx ---- */

/* out_s = sum_j BT[j][s] in_j, s = 0..5, for T tiles: one side of B dV BT. */
DP_NN_INLINE void bt_adjoint(const float *restrict i0, const float *restrict i1,
                             const float *restrict i2, const float *restrict i3,
                             const float *restrict i4, const float *restrict i5, size_t T,
                             float *restrict o0, float *restrict o1, float *restrict o2,
                             float *restrict o3, float *restrict o4, float *restrict o5) {
  for (size_t k = 0; k < T; k++) {
    const float v0 = i0[k], v1 = i1[k], v2 = i2[k], v3 = i3[k], v4 = i4[k], v5 = i5[k];
    o0[k] = 4.0f * v0;
    o1[k] = 4.0f * (v2 - v1) + 2.0f * (v4 - v3) + 4.0f * v5;
    o2[k] = -5.0f * v0 - 4.0f * (v1 + v2) - (v3 + v4);
    o3[k] = (v1 - v2) + 2.0f * (v3 - v4) - 5.0f * v5;
    o4[k] = v0 + v1 + v2 + v3 + v4;
    o5[k] = v5;
  }
}

/* E[(6r + s) T + k] = (B dV_k BT)[r][s]; F: 36 T floats of scratch. Columns first
 * (F[6i + s] from dV[6i + j]), then rows (E[6r + s] from F[6i + s]). */
DP_NN_INLINE void b_tiles(const float *dV, size_t vs, size_t T, float *F, float *E) {
  for (int i = 0; i < 6; i++) {
    const float *v = dV + (size_t)(6 * i) * vs;
    float *f = F + (size_t)(6 * i) * T;
    bt_adjoint(v, v + vs, v + 2 * vs, v + 3 * vs, v + 4 * vs, v + 5 * vs, T, f, f + T,
               f + 2 * T, f + 3 * T, f + 4 * T, f + 5 * T);
  }
  for (int s = 0; s < 6; s++) {
    const float *f = F + s * T;
    float *e = E + s * T;
    bt_adjoint(f, f + 6 * T, f + 12 * T, f + 18 * T, f + 24 * T, f + 30 * T, T, e, e + 6 * T,
               e + 12 * T, e + 18 * T, e + 24 * T, e + 30 * T);
  }
}

/* One patch row of a tile row into dx: column 4 tx - 1 + s gets e_s[tx]; neighbouring
 * patches overlap by two columns. set: the row has no earlier part (assign, do not
 * add). X: 4 tw floats of scratch. */
DP_NN_INLINE void add_patch_row(const float *e0, const float *e1, const float *e2,
                                const float *e3, const float *e4, const float *e5, int tw,
                                float *X, float *restrict dst, int W, int set) {
  float *restrict x0 = X, *restrict x1 = X + tw, *restrict x2 = X + 2 * tw,
                  *restrict x3 = X + 3 * tw;
  DP_NN_SIMD
  for (int t = 0; t < tw; t++) x0[t] = e1[t], x1[t] = e2[t], x2[t] = e3[t], x3[t] = e4[t];
  DP_NN_SIMD
  for (int t = 1; t < tw; t++) x0[t] += e5[t - 1]; /* column 4t: the left patch's last */
  DP_NN_SIMD
  for (int t = 0; t < tw - 1; t++) x3[t] += e0[t + 1]; /* 4t + 3: the right one's first */
  /* (e0[0] is column -1 and e5[tw - 1] column 4 tw >= W: padding, dropped) */
  int full = W / 4 < tw ? W / 4 : tw;
  if (set) {
    DP_NN_SIMD
    for (int t = 0; t < full; t++) {
      dst[4 * t] = x0[t], dst[4 * t + 1] = x1[t], dst[4 * t + 2] = x2[t];
      dst[4 * t + 3] = x3[t];
    }
    for (int x = 4 * full; x < W; x++) dst[x] = X[(x & 3) * tw + (x >> 2)];
    return;
  }
  DP_NN_SIMD
  for (int t = 0; t < full; t++) {
    dst[4 * t] += x0[t], dst[4 * t + 1] += x1[t], dst[4 * t + 2] += x2[t];
    dst[4 * t + 3] += x3[t];
  }
  for (int x = 4 * full; x < W; x++) dst[x] += X[(x & 3) * tw + (x >> 2)];
}

/* dx (the chunk's share) from dV[xi][c][k]. Tile row ty covers rows 4ty-1 .. 4ty+4,
 * of which 4ty-1 and 4ty already hold tile row ty-1's part (tile rows of a sample come
 * in order, within a chunk and from chunk to chunk): those are added to, the others
 * assigned - so dx needs no clearing first. */
DP_NN_VECTOR_CLONES
static void input_adjoint(const wino *p, const float *dV, int g0, int g1, float *dx) {
  const int H = p->H, W = p->W, tw = p->tw;
  const size_t T = (size_t)(g1 - g0) * tw, HW = (size_t)H * W;
  float *E = p->P, *F = p->P + 36 * T;
  for (int c = 0; c < p->ci; c++) {
    b_tiles(dV + c * T, (size_t)p->ci * T, T, F, E);
    for (int g = g0; g < g1; g++) {
      const int ty = g % p->th, fresh = ty == 0 ? 0 : 4 * ty + 1;
      const size_t base = (size_t)(g - g0) * tw;
      float *plane = dx + ((size_t)(g / p->th) * p->ci + c) * HW;
      for (int r = 0; r < 6; r++) {
        const int iy = 4 * ty - 1 + r;
        if (iy < 0 || iy >= H) continue;
        const float *e = E + (size_t)(6 * r) * T + base;
        add_patch_row(e, e + T, e + 2 * T, e + 3 * T, e + 4 * T, e + 5 * T, tw, p->t,
                      plane + (size_t)iy * W, W, iy >= fresh);
      }
    }
  }
}

/* ---- the passes ---- */

static void wino_forward(const dp_nn_conv_geom *g, int n, const float *x, const float *w,
                         const float *b, float *y, float *ws, int relu) {
  wino p;
  plan(g, ws, &p);
  memset(p.zero, 0, sizeof(float) * p.W);
  filter_transform(&p, w, p.U);
  const int threads = dp_nn_blas_one_thread(); /* small SGEMMs: blas.c */
  const int rows = n * p.th;
  for (int g0 = 0; g0 < rows; g0 += p.rows) {
    const int g1 = g0 + p.rows < rows ? g0 + p.rows : rows, T = (g1 - g0) * p.tw;
    input_tiles(&p, x, g0, g1, p.V);
    for (int xi = 0; xi < 36; xi++)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p.co, T, p.ci, 1.0f,
                  p.U + (size_t)xi * p.co * p.ci, p.ci, p.V + (size_t)xi * p.ci * T, T, 0.0f,
                  p.M + (size_t)xi * p.co * T, T);
    output_tiles(&p, p.M, b, relu, g0, g1, y);
  }
  dp_nn_blas_restore(threads);
}

static void wino_backward(const dp_nn_conv_geom *g, int n, const float *x, const float *w,
                          const float *relu_y, const float *dy, float *dx, float *dw, float *db,
                          float *ws, const dp_nn_tick *tick) {
  if (!dx && !dw && !db) return;
  wino p;
  plan(g, ws, &p);
  memset(p.zero, 0, sizeof(float) * p.W);
  if (dx) filter_transform(&p, w, p.U);
  const int threads = dp_nn_blas_one_thread();
  const int rows = n * p.th;
  int first = 1; /* dU is written by the first chunk's SGEMMs, then accumulated */
  for (int g0 = 0; g0 < rows; g0 += p.rows) {
    const int g1 = g0 + p.rows < rows ? g0 + p.rows : rows, T = (g1 - g0) * p.tw;
    grad_tiles(&p, dy, relu_y, g0, g1, p.M, db);
    if (dw) {
      input_tiles(&p, x, g0, g1, p.V);
      for (int xi = 0; xi < 36; xi++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, p.co, p.ci, T, 1.0f,
                    p.M + (size_t)xi * p.co * T, T, p.V + (size_t)xi * p.ci * T, T,
                    first ? 0.0f : 1.0f, p.dU + (size_t)xi * p.co * p.ci, p.ci);
      first = 0;
    }
    if (dx) { /* dV into V's space: V is not needed any more */
      for (int xi = 0; xi < 36; xi++)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, p.ci, T, p.co, 1.0f,
                    p.U + (size_t)xi * p.co * p.ci, p.ci, p.M + (size_t)xi * p.co * T, T, 0.0f,
                    p.V + (size_t)xi * p.ci * T, T);
      input_adjoint(&p, p.V, g0, g1, dx);
    }
    dp_nn_tick_call(tick);
  }
  dp_nn_blas_restore(threads);
  if (dw && !first) filter_adjoint(&p, p.dU, dw);
}

const dp_nn_conv_impl dp_nn_conv_winograd = {wino_ws, wino_forward, wino_backward};
