/* log.h - logging and progress. Rank 0 talks; other ranks stay quiet unless --verbose
 * asks for per-rank detail. Messages go to stderr, one line each. */
#ifndef DEPTHPOSE_LOG_H
#define DEPTHPOSE_LOG_H
#include <stddef.h>

#include "depthpose/error.h"

typedef enum { DP_LOG_QUIET = 0, DP_LOG_NORMAL = 1, DP_LOG_VERBOSE = 2 } dp_log_level;

void dp_log_setup(int rank, dp_log_level level);
dp_log_level dp_log_get_level(void);
void dp_info(const char *fmt, ...) DP_PRINTF(1, 2);    /* rank 0, unless quiet */
void dp_warn(const char *fmt, ...) DP_PRINTF(1, 2);    /* rank 0, always */
void dp_verbose(const char *fmt, ...) DP_PRINTF(1, 2); /* every rank, with --verbose */
double dp_now(void);                                   /* monotonic seconds */

/* Progress of a loop on rank 0: a redrawn line on a TTY, else a plain line every ~10 s.
 * `done` and `total` are in the caller's units (e.g. global items, estimated from rank
 * 0's share). */
typedef struct {
  const char *what;
  double start, last;
  size_t total;
  int tty, active;
} dp_progress;
void dp_progress_begin(dp_progress *p, const char *what, size_t total);
void dp_progress_update(dp_progress *p, size_t done);
void dp_progress_end(dp_progress *p);

#endif
