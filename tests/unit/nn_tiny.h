/* nn_tiny.h - the small two-pathway network the nn tests share: conv(c1) - relu - pool -
 * conv(c2) - relu - pool, then pathways "box" (4) and "joints" (3J), each
 * FC(hidden) - relu - [dropout] - FC(out). */
#ifndef DP_NN_TINY_H
#define DP_NN_TINY_H
#include <string.h>

#include "depthpose/nn.h"

static inline dp_nn_desc dp_tiny_desc(int hw, int c1, int c2, int hidden, int joints,
                                      float dropout) {
  dp_nn_desc d;
  memset(&d, 0, sizeof d);
  d.in_c = 1, d.in_h = hw, d.in_w = hw;
  d.n_trunk = 6;
  d.trunk[0] = (dp_nn_layer_desc){.kind = DP_NN_CONV, .out = c1};
  d.trunk[1] = (dp_nn_layer_desc){.kind = DP_NN_RELU};
  d.trunk[2] = (dp_nn_layer_desc){.kind = DP_NN_MAXPOOL};
  d.trunk[3] = (dp_nn_layer_desc){.kind = DP_NN_CONV, .out = c2};
  d.trunk[4] = (dp_nn_layer_desc){.kind = DP_NN_RELU};
  d.trunk[5] = (dp_nn_layer_desc){.kind = DP_NN_MAXPOOL};
  d.n_paths = 2;
  const char *names[2] = {"box", "joints"};
  const int outs[2] = {4, 3 * joints};
  for (int p = 0; p < 2; p++) {
    dp_nn_path_desc *pd = &d.paths[p];
    strcpy(pd->name, names[p]);
    pd->layers[pd->n_layers++] = (dp_nn_layer_desc){.kind = DP_NN_FC, .out = hidden};
    pd->layers[pd->n_layers++] = (dp_nn_layer_desc){.kind = DP_NN_RELU};
    if (dropout > 0)
      pd->layers[pd->n_layers++] = (dp_nn_layer_desc){.kind = DP_NN_DROPOUT, .p = dropout};
    pd->layers[pd->n_layers++] = (dp_nn_layer_desc){.kind = DP_NN_FC, .out = outs[p]};
  }
  return d;
}
#endif
