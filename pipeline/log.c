/* log.c - see log.h. */
#include "depthpose/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static int g_rank;
static dp_log_level g_level = DP_LOG_NORMAL;

void dp_log_setup(int rank, dp_log_level level) {
  g_rank = rank;
  g_level = level;
}
dp_log_level dp_log_get_level(void) { return g_level; }

static void vlog(const char *prefix, const char *fmt, va_list ap) {
  char line[2048];
  vsnprintf(line, sizeof line, fmt, ap);
  fprintf(stderr, "%s%s\n", prefix, line);
  fflush(stderr);
}

void dp_info(const char *fmt, ...) {
  if (g_rank != 0 || g_level < DP_LOG_NORMAL) return;
  va_list ap;
  va_start(ap, fmt);
  vlog("", fmt, ap);
  va_end(ap);
}

void dp_warn(const char *fmt, ...) {
  if (g_rank != 0) return;
  va_list ap;
  va_start(ap, fmt);
  vlog("warning: ", fmt, ap);
  va_end(ap);
}

void dp_verbose(const char *fmt, ...) {
  if (g_level < DP_LOG_VERBOSE) return;
  char prefix[32];
  snprintf(prefix, sizeof prefix, "[rank %d] ", g_rank);
  va_list ap;
  va_start(ap, fmt);
  vlog(prefix, fmt, ap);
  va_end(ap);
}

double dp_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void dp_progress_begin(dp_progress *p, const char *what, size_t total) {
  p->what = what;
  p->total = total;
  p->start = p->last = dp_now();
  p->active = g_rank == 0 && g_level >= DP_LOG_NORMAL;
  p->tty = p->active && isatty(STDERR_FILENO);
}

static void show(dp_progress *p, size_t done, const char *end) {
  double el = dp_now() - p->start;
  double rate = el > 0 ? (double)done / el : 0;
  double eta = rate > 0 && p->total > done ? (double)(p->total - done) / rate : 0;
  fprintf(stderr, "%s%s: %zu/%zu (%.1f%%), %.3g/s, ETA %.0f s%s", p->tty ? "\r" : "", p->what,
          done, p->total, p->total ? 100.0 * (double)done / (double)p->total : 100.0, rate, eta,
          end);
  fflush(stderr);
}

void dp_progress_update(dp_progress *p, size_t done) {
  if (!p->active) return;
  double now = dp_now();
  if (now - p->last < (p->tty ? 0.25 : 10.0)) return;
  p->last = now;
  show(p, done, p->tty ? "\033[K" : "\n");
}

void dp_progress_end(dp_progress *p) {
  if (p->active && p->tty) show(p, p->total, "\033[K\n");
}
