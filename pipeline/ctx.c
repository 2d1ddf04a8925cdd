/* ctx.c - the stage context: paths, error agreement across ranks, work splitting. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "depthpose/stage.h"

/* Paths come from a ring of buffers in the context: a returned path stays valid for
 * the next DP_MAX_FILES - 1 calls, enough for a stage to hold all its files at once. */
static char *next_buf(dp_ctx *ctx) {
  return ctx->path_buf[ctx->path_next++ % DP_MAX_FILES];
}

const char *dp_ctx_input(dp_ctx *ctx, const char *name) {
  char *b = next_buf(ctx);
  snprintf(b, sizeof ctx->path_buf[0], "%s/%s", ctx->workdir, name);
  return b;
}

const char *dp_ctx_output(dp_ctx *ctx, const char *name) {
  char *b = next_buf(ctx);
  snprintf(b, sizeof ctx->path_buf[0], "%s/%s.partial", ctx->outdir ? ctx->outdir : ctx->workdir,
           name);
  return b;
}

static int injected_fault(const dp_ctx *ctx) {
  const char *f = getenv("DEPTHPOSE_FAULT");
  if (!f) return 0;
  char stage[64];
  int rank;
  if (sscanf(f, "fail:%63[^:]:%d", stage, &rank) == 2 && !strcmp(stage, ctx->stage) &&
      rank == ctx->rank)
    return dp_fail("injected fault (DEPTHPOSE_FAULT=%s)", f);
  return 0;
}

void dp_fault_stall(const dp_ctx *ctx) {
  const char *f = getenv("DEPTHPOSE_FAULT");
  char stage[64];
  if (f && sscanf(f, "stall:%63s", stage) == 1 && !strcmp(stage, ctx->stage))
    for (;;) pause(); /* the test kills us here: outputs written as .partial, not committed */
}

int dp_mpi_agree(MPI_Comm comm, int local_status) {
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int mine = local_status != 0 ? rank : size, first;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
  if (first == size) return 0;
  char msg[2048] = "";
  if (rank == first) snprintf(msg, sizeof msg, "%s", dp_error_message());
  if (first != 0) {
    if (rank == first) MPI_Send(msg, (int)sizeof msg, MPI_CHAR, 0, 77, comm);
    if (rank == 0) MPI_Recv(msg, (int)sizeof msg, MPI_CHAR, first, 77, comm, MPI_STATUS_IGNORE);
  }
  if (rank == 0 && first != 0) {
    dp_error_clear();
    dp_fail("rank %d: %s", first, msg);
  } else if (!dp_error_pending()) {
    dp_fail("rank %d failed", first);
  }
  return -1;
}

int dp_ctx_sync(dp_ctx *ctx, int local_status) {
  if (local_status == 0) local_status = injected_fault(ctx);
  return dp_mpi_agree(ctx->comm, local_status);
}

void dp_ctx_summary(dp_ctx *ctx, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->summary, sizeof ctx->summary, fmt, ap);
  va_end(ap);
}

void dp_split_range(size_t n, int size, int rank, size_t *start, size_t *count) {
  size_t base = n / (size_t)size, extra = n % (size_t)size, r = (size_t)rank;
  *start = r * base + (r < extra ? r : extra);
  *count = base + (r < extra ? 1 : 0);
}

void dp_ctx_shard_range(const dp_ctx *ctx, size_t n, size_t *start, size_t *count) {
  if (ctx->n_shards > 1 && !ctx->merge_dirs) {
    dp_split_range(n, ctx->n_shards, ctx->shard, start, count);
  } else {
    *start = 0;
    *count = n;
  }
}

void dp_ctx_part(const dp_ctx *ctx, size_t n, size_t *start, size_t *count) {
  size_t s0, sn;
  dp_ctx_shard_range(ctx, n, &s0, &sn);
  dp_split_range(sn, ctx->size, ctx->rank, start, count);
  *start += s0;
}

int dp_fault_stop_at(const dp_ctx *ctx, long step) {
  const char *f = getenv("DEPTHPOSE_FAULT");
  char stage[64];
  long at;
  return f && sscanf(f, "stop:%63[^:]:%ld", stage, &at) == 2 && !strcmp(stage, ctx->stage) && at == step;
}
