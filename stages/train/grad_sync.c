/* grad_sync.c - see grad_sync.h. */
#include "grad_sync.h"

#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"

typedef struct {
  size_t lo, hi;  /* float range of net->grads */
  int pending;    /* trainable layers still in their backward */
} bucket;

struct dp_grad_sync {
  dp_nn_net *net;
  MPI_Comm comm;
  dp_allreduce_mode mode;
  size_t bucket_floats;
  int n_buckets, next_start, n_done;
  bucket *buckets;          /* at most one per layer */
  int *layer_bucket;        /* [n_layers]: bucket of a trainable layer, else -1 */
  MPI_Request *req;
};

int dp_grad_sync_create(dp_grad_sync **out, dp_nn_net *net, MPI_Comm comm, dp_allreduce_mode mode,
                        size_t bucket_floats) {
  dp_grad_sync *g = dp_calloc(1, sizeof *g, "gradient sync");
  *out = g;
  if (!g) return -1;
  g->net = net, g->comm = comm, g->mode = mode;
  g->bucket_floats = bucket_floats ? bucket_floats : 1;
  g->buckets = dp_calloc((size_t)net->n_layers, sizeof *g->buckets, "gradient buckets");
  g->layer_bucket = dp_calloc((size_t)net->n_layers, sizeof *g->layer_bucket, "gradient buckets");
  g->req = dp_calloc((size_t)net->n_layers, sizeof *g->req, "allreduce requests");
  return g->buckets && g->layer_bucket && g->req ? 0 : -1;
}

void dp_grad_sync_free(dp_grad_sync *g) {
  if (!g) return;
  free(g->buckets), free(g->layer_bucket), free(g->req);
  free(g);
}

int dp_grad_sync_buckets(const dp_grad_sync *g) { return g->n_buckets; }

/* A trainable layer's parameters: its weight and bias tensors, adjacent in the buffer. */
static int layer_range(const dp_nn_net *net, int li, size_t *lo, size_t *hi) {
  int first = -1, last = -1;
  for (int t = 0; t < net->n_tensors; t++)
    if (net->tensors[t].layer == li) {
      if (first < 0) first = t;
      last = t;
    }
  if (first < 0 || dp_nn_layer_frozen(net, li)) return 0;
  *lo = net->tensors[first].offset;
  *hi = net->tensors[last].offset + net->tensors[last].count;
  return 1;
}

/* Buckets in the order the backward pass completes layers (see grad_sync.h). Within a
 * chain that order runs down the buffer, so a bucket grows downwards: [lo, hi). */
static void plan(dp_grad_sync *g) {
  const dp_nn_net *net = g->net;
  const int n_chains = net->desc.n_paths + 1;
  g->n_buckets = 0;
  for (int i = 0; i < net->n_layers; i++) g->layer_bucket[i] = -1;
  for (int k = 0; k < n_chains; k++) {
    const int chain = k < n_chains - 1 ? k + 1 : 0; /* pathways first, trunk last */
    bucket *cur = NULL;
    for (int li = net->chain_first[chain + 1] - 1; li >= net->chain_first[chain]; li--) {
      size_t lo, hi;
      if (!layer_range(net, li, &lo, &hi)) continue;
      if (cur && cur->lo == hi && cur->hi - cur->lo < g->bucket_floats) {
        cur->lo = lo; /* adjacent below and the bucket is not full: grow it */
      } else {
        cur = &g->buckets[g->n_buckets++];
        *cur = (bucket){lo, hi, 0};
      }
      cur->pending++;
      g->layer_bucket[li] = (int)(cur - g->buckets);
    }
  }
}

static void start_ready(dp_grad_sync *g) {
  while (g->next_start < g->n_buckets && g->buckets[g->next_start].pending == 0) {
    bucket *b = &g->buckets[g->next_start];
    MPI_Iallreduce(MPI_IN_PLACE, g->net->grads + b->lo, (int)(b->hi - b->lo), MPI_FLOAT, MPI_SUM,
                   g->comm, &g->req[g->next_start]);
    g->next_start++;
  }
}

static void on_backward(void *ctx, int layer) {
  dp_grad_sync *g = ctx;
  if (layer >= 0 && g->layer_bucket[layer] >= 0) {
    g->buckets[g->layer_bucket[layer]].pending--;
    start_ready(g);
  }
  if (g->next_start > g->n_done) { /* let the started reductions move on */
    int flag;
    MPI_Testall(g->next_start - g->n_done, g->req + g->n_done, &flag, MPI_STATUSES_IGNORE);
    if (flag) g->n_done = g->next_start;
  }
}

void dp_grad_sync_begin(dp_grad_sync *g) {
  plan(g);
  g->next_start = g->n_done = 0;
  if (g->mode == DP_ALLREDUCE_BUCKETED) {
    g->net->backward_hook = on_backward;
    g->net->backward_hook_ctx = g;
  }
}

/* Blocking: one allreduce per maximal contiguous trainable run, low offsets first. */
static void allreduce_runs(dp_grad_sync *g) {
  const dp_nn_net *net = g->net;
  size_t start = 0, len = 0;
  for (int t = 0; t <= net->n_tensors; t++) {
    const dp_nn_param *p = t < net->n_tensors ? &net->tensors[t] : NULL;
    if (p && dp_nn_param_frozen(net, t)) continue;
    if (p && len && start + len == p->offset) {
      len += p->count;
      continue;
    }
    if (len)
      MPI_Allreduce(MPI_IN_PLACE, net->grads + start, (int)len, MPI_FLOAT, MPI_SUM, g->comm);
    if (p) start = p->offset, len = p->count;
  }
}

void dp_grad_sync_finish(dp_grad_sync *g) {
  g->net->backward_hook = NULL;
  g->net->backward_hook_ctx = NULL;
  if (g->mode == DP_ALLREDUCE_BLOCKING) {
    allreduce_runs(g);
    return;
  }
  for (int b = 0; b < g->n_buckets; b++) g->buckets[b].pending = 0; /* layers without a gradient */
  start_ready(g);
  MPI_Waitall(g->n_buckets - g->n_done, g->req + g->n_done, MPI_STATUSES_IGNORE);
  g->n_done = g->n_buckets;
}
