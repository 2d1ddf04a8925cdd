/* conv.c - a conv layer's geometry and the choice between its algorithms
 * (conv_im2col.c, winograd.c, conv_direct.c; see dp_nn_conv_algo in nn.h). */
#include "nn_internal.h"

int dp_nn_conv_shape(dp_nn_conv_geom *g) {
  int hn = g->h + 2 * g->pad - g->k, wn = g->w + 2 * g->pad - g->k;
  if (g->k <= 0 || g->stride <= 0 || hn < 0 || wn < 0) return -1;
  g->hout = hn / g->stride + 1;
  g->wout = wn / g->stride + 1;
  return 0;
}

const char *dp_nn_conv_algo_name(dp_nn_conv_algo a) {
  switch (a) {
  case DP_NN_CONV_AUTO: return "auto";
  case DP_NN_CONV_IM2COL: return "im2col";
  case DP_NN_CONV_WINOGRAD: return "winograd";
  case DP_NN_CONV_DIRECT: return "direct";
  }
  return "unknown";
}

/* The geometry Winograd and the direct loops run: 3x3, stride 1, pad 1 ("same" size). */
static int is_3x3_same(const dp_nn_conv_geom *g) {
  return g->k == 3 && g->stride == 1 && g->pad == 1 && g->hout == g->h && g->wout == g->w;
}

dp_nn_conv_algo dp_nn_conv_pick(const dp_nn_conv_geom *g, dp_nn_conv_algo want) {
  if (!is_3x3_same(g)) return DP_NN_CONV_IM2COL;
  if (want == DP_NN_CONV_AUTO)
    return g->cin <= DP_NN_DIRECT_MAX_CIN ? DP_NN_CONV_DIRECT : DP_NN_CONV_WINOGRAD;
  return want;
}

static const dp_nn_conv_impl *impl(const dp_nn_conv_geom *g, dp_nn_conv_algo a) {
  switch (dp_nn_conv_pick(g, a)) {
  case DP_NN_CONV_WINOGRAD: return &dp_nn_conv_winograd;
  case DP_NN_CONV_DIRECT: return &dp_nn_conv_direct;
  default: return &dp_nn_conv_im2col;
  }
}

size_t dp_nn_conv_ws_size(const dp_nn_conv_geom *g, dp_nn_conv_algo a) { return impl(g, a)->ws(g); }

void dp_nn_conv_run_forward(const dp_nn_conv_geom *g, dp_nn_conv_algo a, int n, const float *x,
                            const float *w, const float *b, float *y, float *ws, int relu) {
  impl(g, a)->forward(g, n, x, w, b, y, ws, relu);
}

void dp_nn_conv_run_backward(const dp_nn_conv_geom *g, dp_nn_conv_algo a, int n, const float *x,
                             const float *w, const float *relu_y, const float *dy, float *dx,
                             float *dw, float *db, float *ws, const dp_nn_tick *tick) {
  impl(g, a)->backward(g, n, x, w, relu_y, dy, dx, dw, db, ws, tick);
}
