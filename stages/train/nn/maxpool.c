/* maxpool.c - k x k max-pool, stride s, floor mode. The argmax is stored so the
 * backward is a scatter and needs neither the input nor the output. */
#include <string.h>

#include "nn_internal.h"

void dp_nn_maxpool_forward(int n, int c, int h, int w, int k, int s, const float *x,
                           float *y, int32_t *idx) {
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
  const int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
  memset(dx, 0, sizeof(float) * (size_t)n * c * h * w);
  for (size_t pl = 0; pl < (size_t)n * c; pl++) {
    float *dp = dx + pl * h * w;
    const float *gp = dy + pl * ho * wo;
    const int32_t *ip = idx + pl * ho * wo;
    for (int o = 0; o < ho * wo; o++) dp[ip[o]] += gp[o]; /* += : windows may overlap */
  }
}
