/* grad_sync.c - see grad_sync.h. */
#include "grad_sync.h"

#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"

/* No single MPI reduction is larger than this (floats; 4 MB): Open MPI's allreduce
 * allocates a temporary buffer of the message's size, and glibc malloc maps blocks of
 * more than 32 MB with mmap and unmaps them on free, so every step paid the page
 * faults of a fresh 100-200 MB buffer (the default network's two 104 MB FC weights):
 * 212 MB took 0.73 s in one call and 0.03-0.06 s in 4 MB pieces on this machine,
 * against a 1.6 s step. Pieces start at the beginning of their bucket or run. */
#define PIECE_FLOATS ((size_t)1 << 20)
/* Non-blocking pieces under way at once (bucketed mode): each holds its own temporary
 * buffer, so dozens at once would bring the big allocations back; a couple keep the
 * next piece ready to go whenever the backward pass gives MPI a chance to progress. */
#ifndef INFLIGHT
#define INFLIGHT 2
#endif

typedef struct {
  size_t lo, hi;  /* float range of net->grads */
  int pending;    /* trainable layers still in their backward */
} bucket;

struct dp_grad_sync {
  dp_nn_net *net;
  MPI_Comm comm;
  dp_allreduce_mode mode;
  size_t bucket_floats;
  int n_buckets;
  int cur;                  /* bucket whose pieces start next, */
  size_t lo;                /* from this offset */
  int n_req, n_done;        /* reductions (pieces) started / completed, in order */
  bucket *buckets;          /* at most one per layer */
  int *layer_bucket;        /* [n_layers]: bucket of a trainable layer, else -1 */
  MPI_Request *req;         /* room for every bucket's pieces */
  size_t max_req;
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
  /* each bucket's pieces: at most one more than its length / PIECE_FLOATS */
  g->max_req = (size_t)net->n_layers + net->n_params / PIECE_FLOATS + 1;
  g->req = dp_calloc(g->max_req, sizeof *g->req, "allreduce requests");
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

/* Start the next pieces of the buckets that are ready, in bucket order, while fewer
 * than INFLIGHT reductions are under way. */
static void start_pieces(dp_grad_sync *g) {
  while (g->n_req - g->n_done < INFLIGHT && g->cur < g->n_buckets) {
    const bucket *b = &g->buckets[g->cur];
    if (b->pending) break;
    size_t n = b->hi - g->lo < PIECE_FLOATS ? b->hi - g->lo : PIECE_FLOATS;
    MPI_Iallreduce(MPI_IN_PLACE, g->net->grads + g->lo, (int)n, MPI_FLOAT, MPI_SUM, g->comm,
                   &g->req[g->n_req++]);
    g->lo += n;
    if (g->lo == b->hi && ++g->cur < g->n_buckets) g->lo = g->buckets[g->cur].lo;
  }
}

/* Retire the reductions that have finished (oldest first), start what may start. */
static void progress(dp_grad_sync *g) {
  int flag = 1;
  while (flag && g->n_done < g->n_req) {
    MPI_Test(&g->req[g->n_done], &flag, MPI_STATUS_IGNORE);
    if (flag) g->n_done++;
  }
  start_pieces(g);
}

static void on_backward(void *ctx, int layer) {
  dp_grad_sync *g = ctx;
  if (layer >= 0 && g->layer_bucket[layer] >= 0) g->buckets[g->layer_bucket[layer]].pending--;
  progress(g);
}

void dp_grad_sync_begin(dp_grad_sync *g) {
  plan(g);
  g->cur = g->n_req = g->n_done = 0;
  g->lo = g->n_buckets ? g->buckets[0].lo : 0;
  if (g->mode == DP_ALLREDUCE_BUCKETED) {
    g->net->backward_hook = on_backward;
    g->net->backward_hook_ctx = g;
  }
}

/* Blocking: one allreduce per maximal contiguous trainable run (in pieces), low offsets
 * first. */
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
    for (size_t lo = start; lo < start + len; lo += PIECE_FLOATS) {
      size_t n = start + len - lo < PIECE_FLOATS ? start + len - lo : PIECE_FLOATS;
      MPI_Allreduce(MPI_IN_PLACE, net->grads + lo, (int)n, MPI_FLOAT, MPI_SUM, g->comm);
    }
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
  start_pieces(g);
  while (g->n_done < g->n_req) {
    MPI_Wait(&g->req[g->n_done++], MPI_STATUS_IGNORE);
    start_pieces(g);
  }
}
