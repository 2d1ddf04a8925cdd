/* frame_loader.c - see frame_loader.h. */
#include "frame_loader.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/h5io.h"
#include "depthpose/log.h"

struct dp_loader {
  dp_loader_cfg cfg;
  hid_t f;
  dp_batch buf[2];
  int fill;          /* buffer of the outstanding request */
  int pending;       /* a request not yet taken */
  int running;       /* the prefetch thread of that request has not been joined */
  pthread_t thread;
  int thread_rc;
  char thread_msg[2048];
  double waited;
};

static int batch_alloc(dp_batch *b, const dp_loader_cfg *c) {
  const size_t cap = (size_t)c->cap, px = (size_t)c->H * (size_t)c->W;
  const size_t in = (size_t)(c->H / c->net->downsample) * (size_t)(c->W / c->net->downsample);
  b->frames = dp_malloc(sizeof *b->frames * cap, "batch rows");
  b->rows = dp_malloc(sizeof *b->rows * cap, "batch rows");
  b->order = dp_malloc(sizeof *b->order * cap, "batch order");
  b->depth = dp_malloc(sizeof *b->depth * px * cap, "batch frames");
  b->scratch = dp_malloc(sizeof *b->scratch * px, "median scratch");
  b->joints_mm = dp_malloc(sizeof(float) * 3 * (size_t)c->J * cap, "batch joints");
  b->bbox = dp_malloc(sizeof(float) * 4 * cap, "batch boxes");
  b->x = dp_malloc(sizeof(float) * in * cap, "batch input");
  b->box_t = dp_malloc(sizeof(float) * 4 * cap, "box targets");
  b->box_px = dp_malloc(sizeof(float) * 4 * cap, "boxes");
  b->pose_t = dp_malloc(sizeof(float) * 3 * (size_t)c->sel->n * cap, "pose targets");
  return b->frames && b->rows && b->order && b->depth && b->scratch && b->joints_mm && b->bbox &&
                 b->x && b->box_t && b->box_px && b->pose_t ? 0 : -1;
}

static void batch_free(dp_batch *b) {
  free(b->frames), free(b->rows), free(b->order), free(b->depth), free(b->scratch);
  free(b->joints_mm), free(b->bbox), free(b->x), free(b->box_t), free(b->box_px), free(b->pose_t);
}

int dp_loader_open(dp_loader **out, const char *path, const dp_loader_cfg *cfg) {
  dp_loader *l = dp_calloc(1, sizeof *l, "frame loader");
  *out = l;
  if (!l) return -1;
  l->cfg = *cfg;
  l->f = -1;
  DP_TRY(batch_alloc(&l->buf[0], cfg));
  DP_TRY(batch_alloc(&l->buf[1], cfg));
  l->f = dp_h5_open_serial(path);
  return l->f < 0 ? -1 : 0;
}

static int cmp_row(const void *a, const void *b) {
  hsize_t x = *(const hsize_t *)a, y = *(const hsize_t *)b;
  return (x > y) - (x < y);
}

/* Read b->frames[0..n) and build inputs and targets in that order. HDF5 wants the rows
 * sorted, so read sorted and place each where it belongs. */
static int fill_batch(const dp_loader *l, dp_batch *b) {
  const dp_loader_cfg *c = &l->cfg;
  const int n = b->n;
  if (n == 0) return 0;
  for (int i = 0; i < n; i++) b->rows[i] = (hsize_t)b->frames[i];
  qsort(b->rows, (size_t)n, sizeof *b->rows, cmp_row);
  for (int i = 0; i < n; i++) /* where frame i landed among the sorted rows */
    b->order[i] = (int)((hsize_t *)bsearch(&(hsize_t){(hsize_t)b->frames[i]}, b->rows, (size_t)n,
                                            sizeof *b->rows, cmp_row) - b->rows);
  const hsize_t *rows = b->rows;
  DP_TRY(dp_h5_read_index(l->f, "depth", H5T_NATIVE_UINT16, rows, (size_t)n, b->depth));
  DP_TRY(dp_h5_read_index(l->f, "joints", H5T_NATIVE_FLOAT, rows, (size_t)n, b->joints_mm));
  DP_TRY(dp_h5_read_index(l->f, "bbox", H5T_NATIVE_FLOAT, rows, (size_t)n, b->bbox));
  const size_t px = (size_t)c->H * (size_t)c->W, J3 = 3 * (size_t)c->J, S3 = 3 * (size_t)c->sel->n;
  const size_t in = (size_t)(c->H / c->net->downsample) * (size_t)(c->W / c->net->downsample);
  const float scale[4] = {(float)c->W, (float)c->H, (float)c->W, (float)c->H};
  for (int i = 0; i < n; i++) {
    size_t s = (size_t)b->order[i];
    dp_normalise_frame(c->net, b->depth + s * px, c->H, c->W, b->scratch, b->x + (size_t)i * in);
    for (int k = 0; k < 4; k++) {
      b->box_px[4 * i + k] = b->bbox[4 * s + (size_t)k];
      b->box_t[4 * i + k] = b->bbox[4 * s + (size_t)k] / scale[k];
    }
    dp_pose_target(c->net, c->anchor, c->J, b->joints_mm + s * J3, c->sel, b->pose_t + (size_t)i * S3);
  }
  return 0;
}

static void *prefetch_main(void *arg) {
  dp_loader *l = arg;
  l->thread_rc = fill_batch(l, &l->buf[l->fill]);
  if (l->thread_rc != 0) { /* this thread's message; the main thread's is untouched */
    snprintf(l->thread_msg, sizeof l->thread_msg, "%s", dp_error_message());
    dp_error_clear();
  }
  return NULL;
}

int dp_loader_request(dp_loader *l, const int *frames, int n) {
  if (l->pending) return dp_fail("internal: frame loader asked twice without a take");
  if (n < 0 || n > l->cfg.cap) return dp_fail("internal: batch of %d rows, loader holds %d", n, l->cfg.cap);
  l->fill = 1 - l->fill; /* the other buffer: the caller may still use the last batch */
  dp_batch *b = &l->buf[l->fill];
  memcpy(b->frames, frames, sizeof *frames * (size_t)n);
  b->n = n;
  l->pending = 1;
  if (!l->cfg.prefetch || n == 0) return 0;
  /* The thread must not take the stop signals meant for the training loop (and a read
   * there must not be interrupted): it starts with them blocked. */
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM), sigaddset(&block, SIGUSR1), sigaddset(&block, SIGINT);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  l->running = pthread_create(&l->thread, NULL, prefetch_main, l) == 0;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return 0; /* no thread (resources): take reads it in this thread instead */
}

void dp_loader_quiesce(dp_loader *l) {
  if (!l->running) return;
  double t0 = dp_now();
  pthread_join(l->thread, NULL);
  l->waited += dp_now() - t0;
  l->running = 0;
  l->pending = 2; /* read done: take only hands it over */
}

int dp_loader_take(dp_loader *l, const dp_batch **out) {
  *out = NULL;
  if (!l->pending) return dp_fail("internal: frame loader taken without a request");
  int rc = 0;
  if (l->running || l->pending == 2) {
    dp_loader_quiesce(l);
    rc = l->thread_rc;
    if (rc != 0) dp_fail("%s", l->thread_msg);
  } else {
    double t0 = dp_now();
    rc = fill_batch(l, &l->buf[l->fill]);
    l->waited += dp_now() - t0;
  }
  l->pending = 0;
  if (rc == 0) *out = &l->buf[l->fill];
  return rc;
}

double dp_loader_wait_seconds(const dp_loader *l) { return l->waited; }

void dp_loader_close(dp_loader *l) {
  if (!l) return;
  dp_loader_quiesce(l);
  if (l->f >= 0) dp_h5_close(l->f);
  batch_free(&l->buf[0]);
  batch_free(&l->buf[1]);
  free(l);
}
