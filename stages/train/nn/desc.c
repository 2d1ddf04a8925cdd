/* desc.c - the default (original) network description. */
#include <stdio.h>
#include <string.h>

#include "nn_internal.h"

static dp_nn_layer_desc layer(dp_nn_kind kind, int out) {
  dp_nn_layer_desc l;
  memset(&l, 0, sizeof l);
  l.kind = kind;
  l.out = out;
  return l;
}

static void default_path(dp_nn_path_desc *p, const char *name, int out, float dropout) {
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "%s", name);
  const int width[2] = {1024, 256};
  for (int i = 0; i < 2; i++) {
    p->layers[p->n_layers++] = layer(DP_NN_FC, width[i]);
    p->layers[p->n_layers++] = layer(DP_NN_RELU, 0);
    if (dropout > 0.0f) {
      p->layers[p->n_layers] = layer(DP_NN_DROPOUT, 0);
      p->layers[p->n_layers++].p = dropout;
    }
  }
  p->layers[p->n_layers++] = layer(DP_NN_FC, out);
}

void dp_nn_desc_default(dp_nn_desc *d, int in_h, int in_w, int box_out, int joints_out,
                        float dropout) {
  static const int channels[7] = {32, 32, 64, 64, 128, 128, 256};
  memset(d, 0, sizeof *d);
  d->in_c = 1;
  d->in_h = in_h;
  d->in_w = in_w;
  for (int i = 0; i < 7; i++) {
    d->trunk[d->n_trunk++] = layer(DP_NN_CONV, channels[i]); /* 3x3, stride 1, pad 1 */
    d->trunk[d->n_trunk++] = layer(DP_NN_RELU, 0);
    if (i == 1 || i == 3 || i == 5 || i == 6) d->trunk[d->n_trunk++] = layer(DP_NN_MAXPOOL, 0);
  }
  d->n_paths = 2;
  default_path(&d->paths[0], "box", box_out, dropout);
  default_path(&d->paths[1], "joints", joints_out, dropout);
}
