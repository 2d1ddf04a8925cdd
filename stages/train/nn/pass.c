/* pass.c - forward and backward passes over the chains (trunk, then pathways).
 *
 * Backward walks a chain from its output down and stops as soon as nothing below
 * needs a gradient: a layer's input gradient is computed only if some parameterised,
 * unfrozen layer lies below it (or the chain's input gradient is wanted, as a
 * pathway's is when the trunk trains). So with a frozen trunk the pathways never
 * produce a trunk gradient and the conv layers' backward — nearly all the cost — is
 * skipped, and the first conv never computes the (unused) image gradient. A ReLU fused
 * into the conv below it in the forward is fused into its backward too: the conv
 * masks the incoming gradient by the rectified output, saving a pass over it. */
#include <string.h>

#include "nn_internal.h"

static const float *chain_input(const dp_nn_net *net, int chain) {
  if (chain == 0 || net->chain_first[1] == 0) return net->x; /* empty trunk: the image */
  return net->layers[net->chain_first[1] - 1].out;
}

/* A ReLU running in place on a conv's output is done inside the conv's forward. */
static int fused_relu(const dp_nn_net *net, int li) {
  const dp_nn_layer *l = &net->layers[li];
  return l->d.kind == DP_NN_RELU && l->in_place && net->layers[li - 1].d.kind == DP_NN_CONV;
}

static void forward_layer(dp_nn_net *net, int li, const float *in, int n,
                          const dp_nn_pass *pass) {
  dp_nn_layer *l = &net->layers[li];
  if (fused_relu(net, li)) return;
  const int relu_next = li + 1 < net->n_layers && net->layers[li + 1].chain == l->chain &&
                        fused_relu(net, li + 1);
  const size_t count = (size_t)n * dp_nn_out_size(l);
  const float *w = l->w_tensor >= 0 ? net->params + net->tensors[l->w_tensor].offset : NULL;
  const float *b = l->w_tensor >= 0 ? net->params + net->tensors[l->w_tensor + 1].offset : NULL;
  switch (l->d.kind) {
  case DP_NN_CONV:
    dp_nn_conv_run_forward(&l->g, l->algo, n, in, w, b, l->out, net->ws, relu_next);
    break;
  case DP_NN_RELU: dp_nn_relu_forward(in, l->out, count); break;
  case DP_NN_MAXPOOL:
    dp_nn_maxpool_forward(n, l->c, l->h, l->w, l->d.k, l->d.stride, in, l->out, l->idx);
    break;
  case DP_NN_FC: dp_nn_fc_forward(n, l->c, l->oc, in, w, b, l->out); break;
  case DP_NN_DROPOUT:
    if (pass->train) {
      dp_nn_dropout_forward(n, (int)dp_nn_out_size(l), l->d.p, net->seed, pass->step,
                            pass->sample0, (uint32_t)li, in, l->out, l->mask);
    } else if (l->out != in) {
      memcpy(l->out, in, sizeof(float) * count);
    }
    break;
  }
}

void dp_nn_forward(dp_nn_net *net, const float *x, int n, const dp_nn_pass *pass) {
  static const dp_nn_pass eval = {0, 0, 0, 0};
  if (!pass) pass = &eval;
  net->x = x;
  net->n = n;
  net->train = pass->train;
  net->fwd_paths = pass->paths ? pass->paths : (1u << net->desc.n_paths) - 1;
  for (int chain = 0; chain <= net->desc.n_paths; chain++) {
    if (chain > 0 && !(net->fwd_paths & (1u << (chain - 1)))) continue;
    const float *in = chain_input(net, chain);
    for (int i = net->chain_first[chain]; i < net->chain_first[chain + 1]; i++) {
      forward_layer(net, i, in, n, pass);
      in = net->layers[i].out;
    }
  }
}

const float *dp_nn_output(const dp_nn_net *net, int path) {
  return net->layers[net->chain_first[path + 2] - 1].out;
}

static int trainable(const dp_nn_layer *l) { return l->w_tensor >= 0 && !l->frozen; }

/* Between pieces of a conv layer's backward: the hook's chance to progress MPI. */
static void tick_hook(void *ctx) {
  dp_nn_net *net = ctx;
  net->backward_hook(net->backward_hook_ctx, -1);
}

/* dx = NULL skips the input gradient. relu_y: a conv's fused ReLU output (the ReLU's
 * backward runs inside the conv's), else NULL. */
static void backward_layer(dp_nn_net *net, int li, const float *in, const float *dy,
                           float *dx, int n, const float *relu_y) {
  dp_nn_layer *l = &net->layers[li];
  const size_t count = (size_t)n * dp_nn_out_size(l);
  const float *w = NULL;
  float *dw = NULL, *db = NULL;
  if (l->w_tensor >= 0) {
    w = net->params + net->tensors[l->w_tensor].offset;
    if (!l->frozen) {
      dw = net->grads + net->tensors[l->w_tensor].offset;
      db = net->grads + net->tensors[l->w_tensor + 1].offset;
    }
  }
  switch (l->d.kind) {
  case DP_NN_CONV: {
    const dp_nn_tick tick = {net->backward_hook ? tick_hook : NULL, net};
    dp_nn_conv_run_backward(&l->g, l->algo, n, in, w, relu_y, dy, dx, dw, db, net->ws, &tick);
    break;
  }
  case DP_NN_RELU: dp_nn_relu_backward(l->out, dy, dx, count); break;
  case DP_NN_MAXPOOL:
    dp_nn_maxpool_backward(n, l->c, l->h, l->w, l->d.k, l->d.stride, dy, l->idx, dx);
    break;
  case DP_NN_FC: dp_nn_fc_backward(n, l->c, l->oc, in, w, dy, dx, dw, db); break;
  case DP_NN_DROPOUT:
    if (net->train) dp_nn_dropout_backward(count, l->mask, dy, dx);
    else memcpy(dx, dy, sizeof(float) * count);
    break;
  }
}

/* Backward through one chain from dy; returns the chain input's gradient (in a
 * ping-pong buffer) if want_input, else NULL. */
static const float *backward_chain(dp_nn_net *net, int chain, const float *dy,
                                   int want_input) {
  const int first = net->chain_first[chain], end = net->chain_first[chain + 1];
  /* below[i]: a trainable layer sits strictly below layer i in this chain */
  int below[DP_NN_MAX_LAYERS + 1] = {0};
  for (int i = first + 1; i < end; i++)
    below[i - first] = below[i - 1 - first] || trainable(&net->layers[i - 1]);
  const float *cur = dy, *relu_y = NULL;
  for (int i = end - 1; i >= first; i--) {
    dp_nn_layer *l = &net->layers[i];
    int need_dx = want_input || below[i - first];
    if (!need_dx && !trainable(l)) return NULL; /* nothing below wants anything */
    if (fused_relu(net, i)) { /* its backward is the conv's below, as in the forward */
      relu_y = l->out;
      continue;
    }
    float *dx = NULL;
    if (need_dx) dx = cur == net->gbuf[0] ? net->gbuf[1] : net->gbuf[0];
    const float *in = i == first ? chain_input(net, chain) : net->layers[i - 1].out;
    backward_layer(net, i, in, cur, dx, net->n, relu_y);
    relu_y = NULL;
    if (net->backward_hook && trainable(l)) net->backward_hook(net->backward_hook_ctx, i);
    cur = dx;
  }
  return want_input ? cur : NULL;
}

void dp_nn_backward(dp_nn_net *net, const float *const *dy) {
  const int first_path = net->chain_first[1];
  int trunk_trains = 0;
  for (int i = 0; i < first_path; i++) trunk_trains |= trainable(&net->layers[i]);
  const size_t tsz = (size_t)net->n * net->trunk_out;
  int got = 0;
  for (int p = 0; dy && p < net->desc.n_paths; p++) {
    if (!dy[p] || !(net->fwd_paths & (1u << p))) continue;
    const float *g = backward_chain(net, 1 + p, dy[p], trunk_trains);
    if (!g) continue;
    /* the trunk output feeds every pathway: its gradient is the sum */
    if (!got) memcpy(net->gtrunk, g, sizeof(float) * tsz);
    else
      for (size_t i = 0; i < tsz; i++) net->gtrunk[i] += g[i];
    got = 1;
  }
  if (got) backward_chain(net, 0, net->gtrunk, 0);
}

void dp_nn_zero_grad(dp_nn_net *net) {
  memset(net->grads, 0, sizeof(float) * net->n_params);
}
