/* error.h - one error-reporting mechanism for the whole project.
 *
 * Functions return 0 on success and -1 on failure. The failing function records one
 * human-readable message (what went wrong, naming the file/line/dataset and what was
 * expected) with dp_fail(); callers propagate with DP_TRY. The driver prints the
 * message once, from rank 0, and exits non-zero. The C source location is kept
 * separately and shown with --verbose, so user-facing messages stay clean. */
#ifndef DEPTHPOSE_ERROR_H
#define DEPTHPOSE_ERROR_H
#include <stddef.h>

#if defined(__GNUC__)
#define DP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DP_PRINTF(a, b)
#endif

/* Record an error message (printf-style); always returns -1. A second call before
 * dp_error_clear() keeps the first message: the root cause wins. */
int dp_fail_at(const char *src_file, int src_line, const char *fmt, ...) DP_PRINTF(3, 4);
#define dp_fail(...) dp_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/* Propagate a failure: evaluate x, return -1 from the caller if it was non-zero. */
#define DP_TRY(x)             \
  do {                        \
    if ((x) != 0) return -1;  \
  } while (0)

const char *dp_error_message(void);  /* "" when no error is recorded */
const char *dp_error_origin(void);   /* "file.c:123" of the first dp_fail */
int dp_error_pending(void);
void dp_error_clear(void);

/* Allocation that reports failure through dp_fail (returns NULL, message names what). */
void *dp_malloc(size_t n, const char *what);
void *dp_calloc(size_t count, size_t size, const char *what);
char *dp_strdup(const char *s);

#endif
