/* nn_internal.h - private pieces of the network (stages/train/nn only). */
#ifndef DEPTHPOSE_NN_INTERNAL_H
#define DEPTHPOSE_NN_INTERNAL_H
#include "depthpose/nn.h"

struct dp_nn_layer {
  dp_nn_layer_desc d;     /* with defaults filled in */
  int chain;              /* 0 trunk, 1 + p pathway p */
  int pos;                /* index inside its chain (the parameter name's <i>) */
  int c, h, w;            /* input shape per sample (fc/relu/dropout: c = units, h = w = 1) */
  int oc, oh, ow;         /* output shape per sample */
  dp_nn_conv_geom g;      /* conv only */
  dp_nn_conv_algo algo;   /* conv only: the algorithm it runs (never auto) */
  int w_tensor;           /* parameter tensor of the weight, -1 if none; bias is +1 */
  int frozen;
  int in_place;           /* output aliases the input buffer (relu, dropout) */
  float *out;             /* max_batch x out_size */
  float *mask;            /* dropout */
  int32_t *idx;           /* maxpool argmax */
};

static inline size_t dp_nn_in_size(const struct dp_nn_layer *l) {
  return (size_t)l->c * l->h * l->w;
}
static inline size_t dp_nn_out_size(const struct dp_nn_layer *l) {
  return (size_t)l->oc * l->oh * l->ow;
}

/* The hot loops of the convolutions are written as plain C over contiguous arrays and
 * compiled three times - for AVX-512 (x86-64-v4), AVX2 + FMA (v3) and the x86-64
 * baseline - the loader picking the best the CPU runs (GCC's function multi-
 * versioning), so one binary vectorises 16 floats wide where it can and still runs
 * everywhere. Helpers they call must be inlined into them (DP_NN_INLINE), or they would
 * be compiled for the baseline only. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define DP_NN_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define DP_NN_VECTOR_CLONES
#endif
#define DP_NN_INLINE static inline __attribute__((always_inline))
/* Before a loop whose iterations are independent although the compiler cannot prove
 * it (arrays at run-time offsets inside one buffer): vectorise it anyway. Compiled
 * with -fopenmp-simd (CMakeLists.txt), no OpenMP runtime. */
#define DP_NN_SIMD _Pragma("omp simd")

/* One conv algorithm (conv.c picks and dispatches; same contracts as dp_nn_conv_ws_size
 * and dp_nn_conv_run_*). */
typedef struct {
  size_t (*ws)(const dp_nn_conv_geom *g);
  void (*forward)(const dp_nn_conv_geom *g, int n, const float *x, const float *w,
                  const float *b, float *y, float *ws, int relu);
  void (*backward)(const dp_nn_conv_geom *g, int n, const float *x, const float *w,
                   const float *relu_y, const float *dy, float *dx, float *dw, float *db,
                   float *ws, const dp_nn_tick *tick);
} dp_nn_conv_impl;
extern const dp_nn_conv_impl dp_nn_conv_im2col;   /* conv_im2col.c: any geometry */
extern const dp_nn_conv_impl dp_nn_conv_winograd; /* winograd.c: 3x3, stride 1, pad 1 */
extern const dp_nn_conv_impl dp_nn_conv_direct;   /* conv_direct.c: 3x3, stride 1, pad 1 */

/* OpenBLAS on one thread until dp_nn_blas_restore(the returned count) (blas.c). */
int dp_nn_blas_one_thread(void);
void dp_nn_blas_restore(int threads);

static inline void dp_nn_tick_call(const dp_nn_tick *t) {
  if (t && t->fn) t->fn(t->ctx);
}

/* Sum of a[0..n) in a fixed order (16 interleaved partial sums, then those in order):
 * vectorisable without -ffast-math, and the same bits on every run. */
DP_NN_INLINE float dp_nn_sum(const float *a, size_t n) {
  float acc[16] = {0};
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; l++) acc[l] += a[i + l];
  for (int l = 0; i < n; i++, l++) acc[l] += a[i];
  float s = 0.0f;
  for (int l = 0; l < 16; l++) s += acc[l];
  return s;
}
#endif
