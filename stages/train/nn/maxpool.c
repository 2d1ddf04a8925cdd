/* maxpool.c - k x k max-pool, stride s, floor mode. The argmax is stored so the
 * backward is a scatter and needs neither the input nor the output.
 *
 * The network's pools are 2 x 2 with stride 2: windows that tile the input without
 * overlap. That case has its own loops: branch-free selects across a row of windows
 * (vectorised), and a backward that writes every input position once - the gradient
 * at the window's argmax, zero at the other three - instead of clearing dx and then
 * scattering into it. The general loops serve every other shape; both give the same
 * results (tested). */
#include <string.h>

#include "nn_internal.h"

/* One output row of 2x2/2 windows over input rows r0, r1 (row offset `at` of r0 in
 * its plane, w the plane's width): max, and the argmax as an offset in the plane. */
DP_NN_INLINE void pool2_row(const float *r0, const float *r1, int at, int w, int wo,
                            float *restrict y, int32_t *restrict idx) {
  DP_NN_SIMD
  for (int ox = 0; ox < wo; ox++) {
    const float a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], d = r1[2 * ox + 1];
    /* the window in reading order, a strict > so the first maximum wins (PyTorch) */
    float m = a;
    int32_t k = at + 2 * ox;
    k = b > m ? at + 2 * ox + 1 : k, m = b > m ? b : m;
    k = c > m ? at + w + 2 * ox : k, m = c > m ? c : m;
    k = d > m ? at + w + 2 * ox + 1 : k, m = d > m ? d : m;
    y[ox] = m;
    idx[ox] = k;
  }
}

DP_NN_VECTOR_CLONES
static void pool2_forward(size_t planes, int h, int w, const float *x, float *y, int32_t *idx) {
  const int ho = h / 2, wo = w / 2;
  for (size_t pl = 0; pl < planes; pl++) {
    const float *xp = x + pl * h * w;
    for (int oy = 0; oy < ho; oy++) {
      const size_t o = pl * ho * wo + (size_t)oy * wo;
      pool2_row(xp + 2 * oy * w, xp + (2 * oy + 1) * w, 2 * oy * w, w, wo, y + o, idx + o);
    }
  }
}

/* dx rows 2oy, 2oy+1 of one plane: dy where the argmax is, else 0. */
DP_NN_INLINE void unpool2_row(const float *g, const int32_t *ix, int at, int w, int wo,
                              float *restrict d0, float *restrict d1) {
  DP_NN_SIMD
  for (int ox = 0; ox < wo; ox++) {
    const int32_t k = ix[ox] - at - 2 * ox; /* 0, 1, w, w + 1 */
    const float v = g[ox], z = 0.0f;
    /* selects first, then plain stores (a select stored directly becomes a masked
     * store, which GCC 12 will not vectorise at stride 2) */
    const float a = k == 0 ? v : z, b = k == 1 ? v : z, c = k == w ? v : z,
                d = k == w + 1 ? v : z;
    d0[2 * ox] = a, d0[2 * ox + 1] = b, d1[2 * ox] = c, d1[2 * ox + 1] = d;
  }
}

DP_NN_VECTOR_CLONES
static void pool2_backward(size_t planes, int h, int w, const float *dy, const int32_t *idx,
                           float *dx) {
  const int ho = h / 2, wo = w / 2;
  for (size_t pl = 0; pl < planes; pl++) {
    float *dp = dx + pl * h * w;
    for (int oy = 0; oy < ho; oy++) {
      const size_t o = pl * ho * wo + (size_t)oy * wo;
      float *d0 = dp + 2 * oy * w, *d1 = d0 + w;
      unpool2_row(dy + o, idx + o, 2 * oy * w, w, wo, d0, d1);
      if (w & 1) d0[w - 1] = d1[w - 1] = 0.0f; /* the column no window covers */
    }
    if (h & 1) memset(dp + (size_t)(h - 1) * w, 0, sizeof(float) * w); /* and the row */
  }
}

void dp_nn_maxpool_forward(int n, int c, int h, int w, int k, int s, const float *x,
                           float *y, int32_t *idx) {
  if (k == 2 && s == 2) {
    pool2_forward((size_t)n * c, h, w, x, y, idx);
    return;
  }
  const int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
  for (size_t pl = 0; pl < (size_t)n * c; pl++) {
    const float *xp = x + pl * h * w;
    float *yp = y + pl * ho * wo;
    int32_t *ip = idx + pl * ho * wo;
    for (int oy = 0; oy < ho; oy++)
      for (int ox = 0; ox < wo; ox++) {
        int best = oy * s * w + ox * s;
        float m = xp[best];
        for (int ki = 0; ki < k; ki++)
          for (int kj = 0; kj < k; kj++) {
            int at = (oy * s + ki) * w + ox * s + kj;
            if (xp[at] > m) { /* strict: the first maximum wins, as in PyTorch */
              m = xp[at];
              best = at;
            }
          }
        yp[oy * wo + ox] = m;
        ip[oy * wo + ox] = best;
      }
  }
}

void dp_nn_maxpool_backward(int n, int c, int h, int w, int k, int s, const float *dy,
                            const int32_t *idx, float *dx) {
  if (k == 2 && s == 2) {
    pool2_backward((size_t)n * c, h, w, dy, idx, dx);
    return;
  }
  const int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
  memset(dx, 0, sizeof(float) * (size_t)n * c * h * w);
  for (size_t pl = 0; pl < (size_t)n * c; pl++) {
    float *dp = dx + pl * h * w;
    const float *gp = dy + pl * ho * wo;
    const int32_t *ip = idx + pl * ho * wo;
    for (int o = 0; o < ho * wo; o++) dp[ip[o]] += gp[o]; /* += : windows may overlap */
  }
}
