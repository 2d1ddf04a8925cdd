/* bench_clock.h - how the benchmarks time their work: wall time, and this
 * process's CPU time, which on a shared, loaded machine is closer to what one free core
 * would do. Both are printed. Header-only. */
#ifndef DP_BENCH_CLOCK_H
#define DP_BENCH_CLOCK_H
#include <stdint.h>
#include <time.h>

static inline double bench_seconds(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Run frame(ctx, f) for f = 0 .. frames - 1 and measure it: *wall and *cpu seconds.
 * Stops at the first failing frame and returns -1 (its dp_fail message pending). */
static inline int bench_timed(int (*frame)(void *ctx, uint64_t f), void *ctx, int frames,
                              double *wall, double *cpu) {
  double w0 = bench_seconds(CLOCK_MONOTONIC), c0 = bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
  for (int f = 0; f < frames; f++)
    if (frame(ctx, (uint64_t)f)) return -1;
  *wall = bench_seconds(CLOCK_MONOTONIC) - w0;
  *cpu = bench_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
  return 0;
}

#endif
