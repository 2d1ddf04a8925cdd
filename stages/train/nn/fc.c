/* fc.c - fully connected layer, PyTorch's weight layout w[out][in]. */
#include <cblas.h>

#include "nn_internal.h"

void dp_nn_fc_forward(int n, int in, int out, const float *x, const float *w,
                      const float *b, float *y) {
  for (int r = 0; r < n; r++)
    for (int o = 0; o < out; o++) y[(size_t)r * out + o] = b[o];
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, out, in, 1.0f, x, in, w, in, 1.0f,
              y, out);
}

void dp_nn_fc_backward(int n, int in, int out, const float *x, const float *w,
                       const float *dy, float *dx, float *dw, float *db) {
  if (dw) /* dW[out][in] += dY^T . X */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, n, 1.0f, dy, out, x, in,
                1.0f, dw, in);
  if (db)
    for (int r = 0; r < n; r++)
      for (int o = 0; o < out; o++) db[o] += dy[(size_t)r * out + o];
  if (dx) /* dX[n][in] = dY . W */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, in, out, 1.0f, dy, out, w, in,
                0.0f, dx, in);
}
