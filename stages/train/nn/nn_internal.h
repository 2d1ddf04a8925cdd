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
#endif
