/* net.c - a network from a dp_nn_desc: shapes, the parameter table, one workspace
 * arena, initialisation and freezing. The passes are in pass.c.
 *
 * Memory is planned once here for max_batch: every layer's output (ReLU and dropout
 * inside a chain run in place on their input, which their backward does not need),
 * the max-pool argmax, the dropout masks, two gradient ping-pong buffers as large as
 * the largest activation, the trunk-output gradient the pathways sum into, and one
 * workspace for the conv layers' algorithms (the largest any layer needs: im2col's
 * columns, Winograd's transformed tiles). Nothing is allocated per step. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/rng.h"
#include "nn_internal.h"

static const char *kind_name(dp_nn_kind k) {
  switch (k) {
  case DP_NN_CONV: return "conv";
  case DP_NN_RELU: return "relu";
  case DP_NN_MAXPOOL: return "maxpool";
  case DP_NN_FC: return "fc";
  case DP_NN_DROPOUT: return "dropout";
  }
  return "unknown";
}

/* Shape one layer from its input (c, h, w); fills defaults. where = "trunk layer 3". */
static int plan_layer(dp_nn_layer *l, int is_trunk, dp_nn_conv_algo algo, const char *where) {
  dp_nn_layer_desc *d = &l->d;
  const char *kn = kind_name(d->kind);
  switch (d->kind) {
  case DP_NN_CONV:
    if (!is_trunk) return dp_fail("%s (conv): conv layers belong in the trunk", where);
    if (d->out <= 0) return dp_fail("%s (conv): out channels %d must be > 0", where, d->out);
    if (d->k == 0) d->k = 3;
    if (d->stride == 0) d->stride = 1;
    if (d->pad == 0) d->pad = d->k / 2;
    if (d->pad < 0) d->pad = 0;
    l->g = (dp_nn_conv_geom){.cin = l->c, .h = l->h, .w = l->w, .cout = d->out, .k = d->k,
                             .stride = d->stride, .pad = d->pad};
    if (d->k < 0 || d->stride < 0 || dp_nn_conv_shape(&l->g) != 0)
      return dp_fail("%s (conv %dx%d, stride %d, pad %d): input %dx%d gives an empty output",
                     where, d->k, d->k, d->stride, d->pad, l->h, l->w);
    l->oc = d->out, l->oh = l->g.hout, l->ow = l->g.wout;
    l->algo = dp_nn_conv_pick(&l->g, algo);
    return 0;
  case DP_NN_MAXPOOL:
    if (!is_trunk) return dp_fail("%s (maxpool): pooling belongs in the trunk", where);
    if (d->k == 0) d->k = 2;
    if (d->stride == 0) d->stride = d->k;
    if (d->k < 0 || d->stride < 0 || l->h < d->k || l->w < d->k)
      return dp_fail("%s (maxpool): input %dx%d smaller than the %dx%d window", where, l->h,
                     l->w, d->k, d->k);
    l->oc = l->c, l->oh = (l->h - d->k) / d->stride + 1, l->ow = (l->w - d->k) / d->stride + 1;
    return 0;
  case DP_NN_FC:
    if (is_trunk) return dp_fail("%s (fc): fully connected layers belong in a pathway", where);
    if (d->out <= 0) return dp_fail("%s (fc): out units %d must be > 0", where, d->out);
    l->oc = d->out, l->oh = 1, l->ow = 1;
    return 0;
  case DP_NN_DROPOUT:
    if (!(d->p >= 0.0f && d->p < 1.0f))
      return dp_fail("%s (dropout): p = %g must be in [0, 1)", where, (double)d->p);
    /* fall through */
  case DP_NN_RELU:
    l->oc = l->c, l->oh = l->h, l->ow = l->w;
    return 0;
  }
  return dp_fail("%s: unknown layer kind %d (%s)", where, (int)d->kind, kn);
}

static void add_tensor(dp_nn_net *net, dp_nn_layer *l, int li, const char *chain, int ndim,
                       const int *shape, const char *what) {
  dp_nn_param *p = &net->tensors[net->n_tensors++];
  snprintf(p->name, sizeof p->name, "%s.%d.%s", chain, l->pos, what);
  p->ndim = ndim;
  p->count = 1;
  for (int i = 0; i < 4; i++) p->shape[i] = i < ndim ? shape[i] : 0;
  for (int i = 0; i < ndim; i++) p->count *= (size_t)shape[i];
  p->offset = net->n_params;
  p->layer = li;
  net->n_params += p->count;
}

/* Lay out the layers (shapes, tensors); no allocation of buffers yet. */
static int plan(dp_nn_net *net) {
  const dp_nn_desc *d = &net->desc;
  if (d->in_c <= 0 || d->in_h <= 0 || d->in_w <= 0)
    return dp_fail("network: input %dx%dx%d must be positive", d->in_c, d->in_h, d->in_w);
  if (d->n_trunk < 0 || d->n_trunk > DP_NN_MAX_LAYERS)
    return dp_fail("network: %d trunk layers (at most %d)", d->n_trunk, DP_NN_MAX_LAYERS);
  if (d->n_paths < 1 || d->n_paths > DP_NN_MAX_PATHS)
    return dp_fail("network: %d pathways (1 to %d)", d->n_paths, DP_NN_MAX_PATHS);
  int total = d->n_trunk;
  for (int p = 0; p < d->n_paths; p++) {
    const dp_nn_path_desc *pd = &d->paths[p];
    if (pd->n_layers < 1 || pd->n_layers > DP_NN_MAX_LAYERS)
      return dp_fail("pathway '%s': %d layers (1 to %d)", pd->name, pd->n_layers,
                     DP_NN_MAX_LAYERS);
    if (!pd->name[0] || !strcmp(pd->name, "trunk"))
      return dp_fail("pathway %d: needs a name other than '' and 'trunk'", p);
    for (int q = 0; q < p; q++)
      if (!strcmp(d->paths[q].name, pd->name))
        return dp_fail("pathway '%s' named twice", pd->name);
    total += pd->n_layers;
  }
  net->layers = dp_calloc((size_t)total, sizeof(dp_nn_layer), "network layers");
  net->tensors = dp_calloc((size_t)2 * total, sizeof(dp_nn_param), "parameter table");
  if (!net->layers || !net->tensors) return -1;
  net->n_layers = total;

  int li = 0, c = d->in_c, h = d->in_h, w = d->in_w;
  char where[96];
  for (int chain = 0; chain <= d->n_paths; chain++) {
    int n = chain == 0 ? d->n_trunk : d->paths[chain - 1].n_layers;
    const dp_nn_layer_desc *src = chain == 0 ? d->trunk : d->paths[chain - 1].layers;
    const char *cname = chain == 0 ? "trunk" : d->paths[chain - 1].name;
    net->chain_first[chain] = li;
    if (chain == 1) { /* every pathway reads the flattened trunk output */
      net->trunk_out = c * h * w;
    }
    if (chain >= 1) c = net->trunk_out, h = 1, w = 1;
    for (int i = 0; i < n; i++, li++) {
      dp_nn_layer *l = &net->layers[li];
      l->d = src[i];
      l->chain = chain;
      l->pos = i;
      l->c = c, l->h = h, l->w = w;
      l->w_tensor = -1;
      if (chain == 0) snprintf(where, sizeof where, "trunk layer %d", i);
      else snprintf(where, sizeof where, "pathway '%s' layer %d", cname, i);
      DP_TRY(plan_layer(l, chain == 0, d->conv_algo, where));
      l->in_place = (l->d.kind == DP_NN_RELU || l->d.kind == DP_NN_DROPOUT) && i > 0;
      if (l->d.kind == DP_NN_CONV) {
        int ws[4] = {l->oc, l->c, l->d.k, l->d.k}, bs[1] = {l->oc};
        l->w_tensor = net->n_tensors;
        add_tensor(net, l, li, cname, 4, ws, "weight");
        add_tensor(net, l, li, cname, 1, bs, "bias");
      } else if (l->d.kind == DP_NN_FC) {
        int ws[2] = {l->oc, l->c}, bs[1] = {l->oc};
        l->w_tensor = net->n_tensors;
        add_tensor(net, l, li, cname, 2, ws, "weight");
        add_tensor(net, l, li, cname, 1, bs, "bias");
      }
      c = l->oc, h = l->oh, w = l->ow;
    }
    if (chain >= 1) net->path_out[chain - 1] = c;
  }
  net->chain_first[d->n_paths + 1] = li;
  return 0;
}

/* Assign the arena: first pass counts floats, second pass hands out pointers. */
static int allocate(dp_nn_net *net) {
  const size_t B = (size_t)net->max_batch;
  size_t floats = 0, ints = 0, gmax = (size_t)net->trunk_out, wsmax = 1;
  for (int i = 0; i < net->n_layers; i++) {
    dp_nn_layer *l = &net->layers[i];
    size_t in = dp_nn_in_size(l), out = dp_nn_out_size(l);
    if (!l->in_place) floats += B * out;
    if (l->d.kind == DP_NN_DROPOUT) floats += B * out;
    if (l->d.kind == DP_NN_MAXPOOL) ints += B * out;
    if (l->d.kind == DP_NN_CONV && dp_nn_conv_ws_size(&l->g, l->algo) > wsmax)
      wsmax = dp_nn_conv_ws_size(&l->g, l->algo);
    if (in > gmax) gmax = in;
    if (out > gmax) gmax = out;
  }
  size_t total = floats + 2 * B * gmax + B * (size_t)net->trunk_out + wsmax;
  net->arena = dp_malloc(total * sizeof(float), "network workspace");
  net->idx_arena = dp_malloc((ints ? ints : 1) * sizeof(int32_t), "max-pool indices");
  net->params = dp_calloc(net->n_params ? net->n_params : 1, sizeof(float), "parameters");
  net->grads = dp_calloc(net->n_params ? net->n_params : 1, sizeof(float), "gradients");
  if (!net->arena || !net->idx_arena || !net->params || !net->grads) return -1;
  net->arena_bytes = total * sizeof(float) + ints * sizeof(int32_t);

  float *f = net->arena;
  int32_t *ix = net->idx_arena;
  for (int i = 0; i < net->n_layers; i++) {
    dp_nn_layer *l = &net->layers[i];
    size_t out = dp_nn_out_size(l);
    if (l->in_place) l->out = net->layers[i - 1].out;
    else l->out = f, f += B * out;
    if (l->d.kind == DP_NN_DROPOUT) l->mask = f, f += B * out;
    if (l->d.kind == DP_NN_MAXPOOL) l->idx = ix, ix += B * out;
  }
  net->gbuf[0] = f, f += B * gmax;
  net->gbuf[1] = f, f += B * gmax;
  net->gtrunk = f, f += B * (size_t)net->trunk_out;
  net->ws = f;
  return 0;
}

int dp_nn_create(dp_nn_net **out, const dp_nn_desc *d, int max_batch) {
  *out = NULL;
  if (max_batch < 1) return dp_fail("network: max batch %d must be >= 1", max_batch);
  dp_nn_net *net = dp_calloc(1, sizeof *net, "network");
  if (!net) return -1;
  net->desc = *d;
  net->max_batch = max_batch;
  if (plan(net) != 0 || allocate(net) != 0) {
    dp_nn_destroy(net);
    return -1;
  }
  *out = net;
  return 0;
}

void dp_nn_destroy(dp_nn_net *net) {
  if (!net) return;
  free(net->layers);
  free(net->tensors);
  free(net->arena);
  free(net->idx_arena);
  free(net->params);
  free(net->grads);
  free(net);
}

void dp_nn_init(dp_nn_net *net, uint64_t seed) {
  net->seed = seed;
  for (int t = 0; t < net->n_tensors; t++) {
    const dp_nn_param *p = &net->tensors[t];
    float *w = net->params + p->offset;
    if (p->ndim == 1) { /* biases start at zero */
      memset(w, 0, sizeof(float) * p->count);
      continue;
    }
    /* He/Kaiming normal for ReLU nets: fan_in = everything but the output dimension */
    size_t fan_in = p->count / (size_t)p->shape[0];
    double sd = sqrt(2.0 / (double)fan_in);
    dp_rng r;
    dp_rng_init(&r, seed, DP_STREAM_TRAIN, 0, DP_NN_SUB_INIT + (uint32_t)t);
    for (size_t i = 0; i < p->count; i++) w[i] = (float)(sd * dp_rng_normal(&r));
  }
}

int dp_nn_path_index(const dp_nn_net *net, const char *name) {
  for (int p = 0; p < net->desc.n_paths; p++)
    if (!strcmp(net->desc.paths[p].name, name)) return p;
  return -1;
}

size_t dp_nn_workspace_bytes(const dp_nn_net *net) { return net->arena_bytes; }

double dp_nn_flops_per_sample(const dp_nn_net *net) {
  double f = 0.0;
  for (int i = 0; i < net->n_layers; i++) {
    const dp_nn_layer *l = &net->layers[i];
    if (l->d.kind == DP_NN_CONV)
      f += 2.0 * l->oc * (double)l->c * l->d.k * l->d.k * l->oh * l->ow;
    else if (l->d.kind == DP_NN_FC)
      f += 2.0 * (double)l->c * l->oc;
  }
  return f;
}

void dp_nn_freeze_layer(dp_nn_net *net, int layer, int frozen) {
  if (layer >= 0 && layer < net->n_layers) net->layers[layer].frozen = frozen != 0;
}

static void freeze_chain(dp_nn_net *net, int chain, int frozen) {
  for (int i = net->chain_first[chain]; i < net->chain_first[chain + 1]; i++)
    net->layers[i].frozen = frozen != 0;
}

void dp_nn_freeze_trunk(dp_nn_net *net, int frozen) { freeze_chain(net, 0, frozen); }

void dp_nn_freeze_path(dp_nn_net *net, int path, int frozen) {
  if (path >= 0 && path < net->desc.n_paths) freeze_chain(net, 1 + path, frozen);
}

int dp_nn_layer_frozen(const dp_nn_net *net, int layer) {
  return layer >= 0 && layer < net->n_layers && net->layers[layer].frozen;
}

int dp_nn_param_frozen(const dp_nn_net *net, int t) {
  return net->layers[net->tensors[t].layer].frozen;
}
