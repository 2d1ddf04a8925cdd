/* dropout.c - inverted dropout with masks from the counter-based generator.
 *
 * Batch row r's mask comes from dp_rng_init(seed, DP_STREAM_TRAIN, step<<32 |
 * (sample0 + r), DP_NN_SUB_DROPOUT + layer): one 32-bit draw per unit in order, so
 * the mask of (step, global sample, unit) is the same whichever rank holds the
 * sample and wherever it sits in the local batch. */
#include "depthpose/rng.h"
#include "nn_internal.h"

void dp_nn_dropout_forward(int n, int units, float p, uint64_t seed, uint64_t step,
                           uint64_t sample0, uint32_t layer_id, const float *x,
                           float *y, float *mask) {
  if (p <= 0.0f) {
    for (size_t i = 0; i < (size_t)n * units; i++) {
      mask[i] = 1.0f;
      y[i] = x[i];
    }
    return;
  }
  /* drop when the draw is below p * 2^32 (p < 1 so the threshold fits) */
  const double thr = (double)p * 4294967296.0;
  const float keep = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
  for (int r = 0; r < n; r++) {
    dp_rng g;
    uint64_t sample = sample0 + (uint64_t)r;
    dp_rng_init(&g, seed, DP_STREAM_TRAIN, (step << 32) | (sample & 0xffffffffu),
                DP_NN_SUB_DROPOUT + layer_id);
    for (int u = 0; u < units; u++) {
      size_t i = (size_t)r * units + u;
      float m = (double)dp_rng_u32(&g) < thr ? 0.0f : keep;
      mask[i] = m;
      y[i] = x[i] * m;
    }
  }
}

void dp_nn_dropout_backward(size_t count, const float *mask, const float *dy, float *dx) {
  for (size_t i = 0; i < count; i++) dx[i] = dy[i] * mask[i];
}
