/* text.c - see text.h. */
#include "text.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dp_text_init(dp_text *t) { memset(t, 0, sizeof *t); }

void dp_text_free(dp_text *t) {
  free(t->s);
  dp_text_init(t);
}

void dp_text_clear(dp_text *t) {
  t->len = 0;
  t->failed = 0;
  if (t->s) t->s[0] = '\0';
}

const char *dp_text_str(const dp_text *t) { return t->s ? t->s : ""; }

/* Room for n more bytes plus the NUL; 0 or -1 (and failed set). */
static int reserve(dp_text *t, size_t n) {
  if (t->failed) return -1;
  if (t->len + n + 1 <= t->cap) return 0;
  size_t cap = t->cap ? t->cap : 4096;
  while (cap < t->len + n + 1) cap *= 2;
  char *s = realloc(t->s, cap);
  if (!s) {
    t->failed = 1;
    return -1;
  }
  t->s = s;
  t->cap = cap;
  return 0;
}

void dp_text_putn(dp_text *t, const char *s, size_t n) {
  if (reserve(t, n) != 0) return;
  memcpy(t->s + t->len, s, n);
  t->len += n;
  t->s[t->len] = '\0';
}

void dp_text_put(dp_text *t, const char *s) { dp_text_putn(t, s, strlen(s)); }

void dp_text_printf(dp_text *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || reserve(t, (size_t)n) != 0) return;
  va_start(ap, fmt);
  vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  t->len += (size_t)n;
}

void dp_text_escape(dp_text *t, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    switch (c) {
      case '&': dp_text_put(t, "&amp;"); break;
      case '<': dp_text_put(t, "&lt;"); break;
      case '>': dp_text_put(t, "&gt;"); break;
      case '"': dp_text_put(t, "&quot;"); break;
      case '\'': dp_text_put(t, "&#39;"); break;
      default: dp_text_putn(t, c < 0x20 && c != '\t' && c != '\n' ? "?" : s, 1);
    }
  }
}

const char *dp_fmt_num(char *buf, size_t cap, double v) {
  if (!isfinite(v)) v = 0; /* callers skip non-finite points; never write "nan" into SVG */
  snprintf(buf, cap, "%.2f", v);
  char *dot = strchr(buf, '.');
  if (dot) {
    char *end = buf + strlen(buf);
    while (end > dot + 1 && end[-1] == '0') *--end = '\0';
    if (end == dot + 1) *dot = '\0';
  }
  if (!strcmp(buf, "-0")) snprintf(buf, cap, "0");
  return buf;
}

void dp_text_num(dp_text *t, double v) {
  char b[64];
  dp_text_put(t, dp_fmt_num(b, sizeof b, v));
}

void dp_text_base64(dp_text *t, const unsigned char *p, size_t n) {
  static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (reserve(t, (n + 2) / 3 * 4) != 0) return;
  char *o = t->s + t->len;
  for (size_t i = 0; i < n; i += 3) {
    unsigned long v = (unsigned long)p[i] << 16 | (i + 1 < n ? (unsigned long)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    *o++ = A[v >> 18 & 63];
    *o++ = A[v >> 12 & 63];
    *o++ = i + 1 < n ? A[v >> 6 & 63] : '=';
    *o++ = i + 2 < n ? A[v & 63] : '=';
  }
  t->len = (size_t)(o - t->s);
  t->s[t->len] = '\0';
}

int dp_text_save(const dp_text *t, const char *path) {
  if (t->failed) return dp_fail("%s: out of memory while composing it", path);
  FILE *f = fopen(path, "wb");
  if (!f) return dp_fail("%s: cannot write: %s", path, strerror(errno));
  size_t n = fwrite(dp_text_str(t), 1, t->len, f);
  int bad = n != t->len;
  if (fclose(f) != 0) bad = 1;
  if (bad) return dp_fail("%s: write failed: %s", path, strerror(errno));
  return 0;
}
