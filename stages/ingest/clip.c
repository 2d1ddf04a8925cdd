/* clip.c - the dp_clip container and the small text helpers every reader shares
 * (see mocap.h and mocap_text.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/mocap.h"
#include "mocap_text.h"

void dp_clip_free(dp_clip *c) {
  if (!c) return;
  if (c->joint_names)
    for (int j = 0; j < c->n_joints; j++) free(c->joint_names[j]);
  free(c->joint_names);
  free(c->parent);
  free(c->pos);
  memset(c, 0, sizeof *c);
}

int dp_clip_joint(const dp_clip *c, const char *name) {
  if (!c || !name || !c->joint_names) return -1;
  for (int j = 0; j < c->n_joints; j++)
    if (c->joint_names[j] && strcmp(c->joint_names[j], name) == 0) return j;
  return -1;
}

int dp_clip_alloc(dp_clip *c, int n_joints, int n_frames, int with_parent) {
  memset(c, 0, sizeof *c);
  if (n_joints <= 0 || n_frames <= 0) return dp_fail("internal: empty clip allocation");
  size_t nvals = (size_t)n_frames * (size_t)n_joints * 3;
  if (nvals / 3 / (size_t)n_joints != (size_t)n_frames)
    return dp_fail("clip of %d frames x %d joints is too large", n_frames, n_joints);
  c->n_joints = n_joints;
  c->n_frames = n_frames;
  c->joint_names = dp_calloc((size_t)n_joints, sizeof *c->joint_names, "joint names");
  c->pos = dp_calloc(nvals, sizeof *c->pos, "joint positions");
  if (with_parent) c->parent = dp_malloc((size_t)n_joints * sizeof *c->parent, "joint parents");
  if (!c->joint_names || !c->pos || (with_parent && !c->parent)) {
    dp_clip_free(c);
    return -1;
  }
  if (with_parent)
    for (int j = 0; j < n_joints; j++) c->parent[j] = -1;
  return 0;
}

int dp_grow(void **p, int *cap, int need, size_t elem, const char *what) {
  if (need <= *cap) return 0;
  if (need > INT_MAX / 2) return dp_fail("too many %s (%d)", what, need);
  int n = *cap ? *cap : 16;
  while (n < need) n *= 2;
  void *q = realloc(*p, (size_t)n * elem);
  if (!q) return dp_fail("out of memory growing %s to %d entries", what, n);
  *p = q;
  *cap = n;
  return 0;
}

int dp_slurp(const char *path, char **buf, size_t *len) {
  *buf = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return dp_fail("%s: cannot open: %s", path, strerror(errno));
  /* Read in chunks rather than trusting fseek/ftell, so pipes and /proc work too. */
  size_t cap = 1 << 16, n = 0;
  char *b = malloc(cap);
  while (b) {
    n += fread(b + n, 1, cap - n - 1, f);
    if (n < cap - 1) break;
    char *nb = realloc(b, cap * 2);
    if (!nb) free(b);
    b = nb;
    cap *= 2;
  }
  int read_error = ferror(f);
  fclose(f);
  if (!b) return dp_fail("%s: out of memory reading the file", path);
  if (read_error) {
    free(b);
    return dp_fail("%s: read error", path);
  }
  b[n] = '\0';
  *buf = b;
  *len = n;
  return 0;
}

/* Fast path for the plain decimals that make up nearly all mocap text
 * ("-12.34567"): with at most 15 significant digits the integer mantissa and the
 * power of ten are both exact doubles, so one division gives the correctly rounded
 * result, the same as strtod. Anything else (exponents, long mantissas, nan, inf)
 * goes to strtod. */
static int parse_plain_decimal(const char *s, size_t n, double *out) {
  static const double pow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  size_t i = 0;
  int neg = 0;
  if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  long long mant = 0;
  int digits = 0, frac = 0, seen_dot = 0;
  for (; i < n; i++) {
    char ch = s[i];
    if (ch >= '0' && ch <= '9') {
      if (digits >= 15) return 0;
      if (mant || ch != '0') digits++;
      mant = mant * 10 + (ch - '0');
      frac += seen_dot;
      if (frac > 15) return 0;
    } else if (ch == '.' && !seen_dot) {
      seen_dot = 1;
    } else {
      return 0;
    }
  }
  /* need at least one digit: "-", "." and "-." are not numbers */
  size_t ndig = n - (size_t)(s[0] == '-' || s[0] == '+') - (size_t)seen_dot;
  if (ndig == 0) return 0;
  double v = (double)mant / pow10[frac];
  *out = neg ? -v : v;
  return 1;
}

int dp_parse_number(const char *s, size_t n, double *out) {
  if (n == 0) return DP_NUM_BAD;
  if (parse_plain_decimal(s, n, out)) return DP_NUM_OK;
  char tmp[128];
  if (n >= sizeof tmp) return DP_NUM_BAD;
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  char *endp;
  double v = strtod(tmp, &endp);
  if (endp != tmp + n) return DP_NUM_BAD;
  /* strtod also accepts hexadecimal floats; mocap text never uses them and a token
   * like "0x10" in a data file is far more likely damage than intent. */
  if (strpbrk(tmp, "xX")) return DP_NUM_BAD;
  if (!isfinite(v)) return DP_NUM_NONFINITE;
  *out = v;
  return DP_NUM_OK;
}

const char *dp_token_quote(const char *s, size_t n, char *buf, size_t size) {
  if (size < 8) return "";
  if (n < size) {
    memcpy(buf, s, n);
    buf[n] = '\0';
  } else {
    memcpy(buf, s, size - 4);
    memcpy(buf + size - 4, "...", 4);
  }
  for (char *p = buf; *p; p++)
    if ((unsigned char)*p < 32 || (unsigned char)*p > 126) *p = '?';
  return buf;
}
