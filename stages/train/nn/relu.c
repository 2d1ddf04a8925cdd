/* relu.c - rectifier. The backward reads the output, not the input, so the forward
 * can overwrite its input (the network runs it in place and saves a buffer). */
#include "nn_internal.h"

void dp_nn_relu_forward(const float *x, float *y, size_t count) {
  for (size_t i = 0; i < count; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void dp_nn_relu_backward(const float *y, const float *dy, float *dx, size_t count) {
  for (size_t i = 0; i < count; i++) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}
