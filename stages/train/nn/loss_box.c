/* loss_box.c - L2 loss of the detection pathway's box, batch-averaged. */
#include "nn_internal.h"

float dp_nn_box_loss(int n, int dim, const float *pred, const float *target, float *grad) {
  double sum = 0.0; /* double: a batch of squared pixel errors loses digits in float */
  const float scale = n > 0 ? 2.0f / (float)n : 0.0f;
  for (size_t i = 0; i < (size_t)n * dim; i++) {
    float d = pred[i] - target[i];
    sum += (double)d * d;
    if (grad) grad[i] = scale * d;
  }
  return n > 0 ? (float)(sum / n) : 0.0f;
}
