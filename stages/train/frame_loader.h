/* frame_loader.h - mini-batches of training frames from depth.h5, optionally read ahead
 * by a prefetch thread.
 *
 * A batch is a list of frame rows (any order); the loader reads their depth frames,
 * joints and boxes and builds the network input (dp_normalise_frame) and targets in
 * that order. The set never has to fit in memory: only two batches are held.
 *
 * Prefetch: while step k computes, a thread reads step k+1's rows into the other of
 * two buffers. Debian's parallel HDF5 is not built thread-safe, and MPI-IO from a
 * second thread would need MPI_THREAD_MULTIPLE, so the loader has its own read-only
 * handle on depth.h5 through the POSIX (sec2) driver, the thread makes no MPI call, and
 * while a read is in flight no other thread of the process touches HDF5: callers
 * quiesce the loader (join the thread; the batch stays ready) before any HDF5 call of
 * their own. Only this loader may have depth.h5 open in the process (HDF5 would share
 * one open file between handles, driver included). With or without prefetch the same
 * code fills the same buffers, so the batches are byte-identical. */
#ifndef DEPTHPOSE_FRAME_LOADER_H
#define DEPTHPOSE_FRAME_LOADER_H
#include <stdint.h>

#include "train_common.h"

typedef struct {
  int n;                 /* rows in this batch (<= the loader's cap) */
  int *frames;           /* the rows, in batch order */
  float *x;              /* n x (in_h x in_w): network input */
  float *box_t;          /* n x 4: the box / image size (the box pathway's target) */
  float *box_px;         /* n x 4: the box in pixels (u0, v0, u1, v1) */
  float *pose_t;         /* n x 3 sel->n: joint targets (metres) */
  /* private: what HDF5 reads, in ascending row order */
  hsize_t *rows;
  int *order;            /* batch row i is the order[i]-th row read */
  uint16_t *depth, *scratch;
  float *joints_mm, *bbox;
} dp_batch;

typedef struct {
  int H, W, J;                   /* frame size and joints in depth.h5 */
  const dp_net_params *net;      /* input normalisation and target frame */
  const dp_pose_anchor *anchor;  /* in depth.h5's joint list */
  const dp_joint_sel *sel;       /* the joints the targets hold */
  int cap;                       /* rows per batch at most */
  int prefetch;                  /* 1: read in a background thread */
} dp_loader_cfg;

typedef struct dp_loader dp_loader;

/* Opens path read-only (POSIX driver, this process only). cfg's pointers must outlive
 * the loader. */
int dp_loader_open(dp_loader **out, const char *path, const dp_loader_cfg *cfg);
/* Ask for the rows frames[0..n) (n <= cap) as the next batch. With prefetch the read
 * starts now in the thread; without, it happens in dp_loader_take. One request at a
 * time: take it before asking again. */
int dp_loader_request(dp_loader *l, const int *frames, int n);
/* The requested batch; valid until the request after next (double buffering). */
int dp_loader_take(dp_loader *l, const dp_batch **out);
/* Wait for an in-flight read to finish (its batch stays ready for take): call before
 * the process makes any other HDF5 call. */
void dp_loader_quiesce(dp_loader *l);
/* Seconds the caller spent waiting in take for reads (for the log). */
double dp_loader_wait_seconds(const dp_loader *l);
void dp_loader_close(dp_loader *l);

#endif
