/* error.c - the recorded error message (see include/depthpose/error.h). */
#include "depthpose/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One message per thread: a stage runs its work in the rank's main thread, and the
 * message must survive the unwinding up to the driver, which reports and clears it. A
 * helper thread (train's prefetch reader) records its own failure without touching the
 * main thread's, and hands the message over when it is joined. */
static _Thread_local char g_message[2048];
static _Thread_local char g_origin[256];
static _Thread_local int g_pending;

int dp_fail_at(const char *src_file, int src_line, const char *fmt, ...) {
  if (g_pending) return -1; /* keep the root cause */
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_message, sizeof g_message, fmt, ap);
  va_end(ap);
  const char *base = strrchr(src_file, '/');
  snprintf(g_origin, sizeof g_origin, "%s:%d", base ? base + 1 : src_file, src_line);
  g_pending = 1;
  return -1;
}

const char *dp_error_message(void) { return g_pending ? g_message : ""; }
const char *dp_error_origin(void) { return g_pending ? g_origin : ""; }
int dp_error_pending(void) { return g_pending; }
void dp_error_clear(void) {
  g_pending = 0;
  g_message[0] = g_origin[0] = '\0';
}

void *dp_malloc(size_t n, const char *what) {
  void *p = malloc(n ? n : 1);
  if (!p) dp_fail("out of memory allocating %zu bytes for %s", n, what);
  return p;
}

void *dp_calloc(size_t count, size_t size, const char *what) {
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p) dp_fail("out of memory allocating %zu x %zu bytes for %s", count, size, what);
  return p;
}

char *dp_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = dp_malloc(n, "a string");
  if (p) memcpy(p, s, n);
  return p;
}
