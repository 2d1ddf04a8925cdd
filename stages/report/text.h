/* text.h - a growable text buffer for the report's SVG and HTML, with the two things
 * every writer into it needs: XML escaping and one fixed way of printing numbers.
 *
 * Figures are built in memory, not streamed to a file, because each one goes to two
 * places (its standalone file and inline in index.html). An allocation failure does
 * not abort the writer mid-figure: the buffer remembers it (failed = 1) and the caller
 * checks once, when it saves. */
#ifndef DP_REPORT_TEXT_H
#define DP_REPORT_TEXT_H
#include <stddef.h>

#include "depthpose/error.h"

typedef struct {
  char *s;      /* NUL-terminated (an empty buffer is "") */
  size_t len, cap;
  int failed;   /* an allocation failed: the content is incomplete */
} dp_text;

void dp_text_init(dp_text *t);
void dp_text_free(dp_text *t);
void dp_text_clear(dp_text *t); /* empty again, keeping the memory */
const char *dp_text_str(const dp_text *t);
void dp_text_put(dp_text *t, const char *s);
void dp_text_putn(dp_text *t, const char *s, size_t n);
void dp_text_printf(dp_text *t, const char *fmt, ...) DP_PRINTF(2, 3);
/* s with & < > " ' replaced by entities, so any joint name or file name is safe in
 * element text and in attribute values; other bytes (UTF-8 included) pass through,
 * except control characters other than tab/newline, which XML forbids: they become '?'. */
void dp_text_escape(dp_text *t, const char *s);
/* A coordinate or length: at most 2 decimals, trailing zeros dropped, never "-0"
 * ("12.5", "3", "-0.25"). The same value always prints the same bytes. */
void dp_text_num(dp_text *t, double v);
/* The same into a caller's buffer (at least 32 bytes). */
const char *dp_fmt_num(char *buf, size_t cap, double v);

/* Standard base64 (RFC 4648, with padding, no line breaks) of n bytes. */
void dp_text_base64(dp_text *t, const unsigned char *p, size_t n);

/* Write the buffer to path; -1 with a message naming the path (also when failed). */
int dp_text_save(const dp_text *t, const char *path);

#endif
