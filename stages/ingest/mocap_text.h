/* mocap_text.h - private helpers shared by the motion-capture readers (bvh.c,
 * asf_amc.c, csv.c, h36m.c); not part of the public API (that is mocap.h).
 *
 * The text readers load a whole file into memory and scan it in place: the files are
 * at most tens of megabytes, and scanning a buffer keeps line numbers exact and is
 * several times faster than stdio line reading. Implemented in clip.c. */
#ifndef DEPTHPOSE_INGEST_MOCAP_TEXT_H
#define DEPTHPOSE_INGEST_MOCAP_TEXT_H
#include <stddef.h>
#include <string.h>

#include "depthpose/mocap.h"

#define DP_PI 3.14159265358979323846
#define DP_DEG2RAD (DP_PI / 180.0)

/* Read the whole file into a NUL-terminated buffer (caller frees *buf). */
int dp_slurp(const char *path, char **buf, size_t *len);

/* Parse the token [s, s+n) as a number. Returns 0 (ok), 1 (not a number) or
 * 2 (NaN or infinite); the whole token must be the number. */
enum { DP_NUM_OK = 0, DP_NUM_BAD = 1, DP_NUM_NONFINITE = 2 };
int dp_parse_number(const char *s, size_t n, double *out);

/* Copy a token into buf for an error message, shortened with "..." if long. */
const char *dp_token_quote(const char *s, size_t n, char *buf, size_t size);

/* Allocate the arrays of a clip (names NULL, parent -1 when with_parent, positions 0).
 * On failure the clip is freed again. */
int dp_clip_alloc(dp_clip *c, int n_joints, int n_frames, int with_parent);

/* Grow a dynamic array so it can hold at least need elements. */
int dp_grow(void **p, int *cap, int need, size_t elem, const char *what);

/* ---- scanning ---------------------------------------------------------------- */

static inline int dp_is_space(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

/* A line cursor over a buffer. Each line is [ls, le) without its '\n' and any
 * trailing '\r' (so CR LF files read like LF files); lineno is 1-based. */
typedef struct {
  const char *p, *end;
  const char *ls, *le;
  int lineno;
} dp_lines;

static inline void dp_lines_init(dp_lines *L, const char *buf, size_t len, int first_line) {
  L->p = buf;
  L->end = buf + len;
  L->ls = L->le = buf;
  L->lineno = first_line - 1;
}

static inline int dp_lines_next(dp_lines *L) {
  if (L->p >= L->end) return 0;
  const char *nl = memchr(L->p, '\n', (size_t)(L->end - L->p));
  L->ls = L->p;
  L->le = nl ? nl : L->end;
  L->p = nl ? nl + 1 : L->end;
  while (L->le > L->ls && L->le[-1] == '\r') L->le--;
  L->lineno++;
  return 1;
}

/* Did the current line end without a '\n' (the last line of a cut-off file)? */
static inline int dp_lines_unterminated(const dp_lines *L) {
  return L->p == L->end && (L->p == L->ls || L->p[-1] != '\n');
}

/* Next whitespace-separated token in [*p, end): sets t and n, advances p. */
static inline int dp_tok(const char **p, const char *end, const char **t, size_t *n) {
  const char *s = *p;
  while (s < end && dp_is_space(*s)) s++;
  if (s >= end) {
    *p = s;
    return 0;
  }
  const char *e = s;
  while (e < end && !dp_is_space(*e)) e++;
  *t = s;
  *n = (size_t)(e - s);
  *p = e;
  return 1;
}

static inline int dp_tok_is(const char *t, size_t n, const char *word) {
  size_t m = strlen(word);
  return n == m && memcmp(t, word, m) == 0;
}

/* ---- 3x3 rotations (row-major, column vectors: v_world = R * v_local) ---------- */

static inline void dp_m3_identity(double R[9]) {
  static const double I[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  memcpy(R, I, sizeof I);
}

/* R = R * Rot(axis, angle) with c = cos(angle), s = sin(angle), axis 0/1/2 = X/Y/Z.
 * Post-multiplying by an axis rotation only mixes two columns of R; doing that in
 * place is the whole cost of composing Euler angles. */
static inline void dp_m3_post_rot(double R[9], int axis, double c, double s) {
  int i = (axis + 1) % 3, j = (axis + 2) % 3;
  for (int r = 0; r < 3; r++) {
    double a = R[3 * r + i], b = R[3 * r + j];
    R[3 * r + i] = c * a + s * b;
    R[3 * r + j] = -s * a + c * b;
  }
}

static inline void dp_m3_mul(const double A[9], const double B[9], double out[9]) {
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      out[3 * r + c] = A[3 * r] * B[c] + A[3 * r + 1] * B[3 + c] + A[3 * r + 2] * B[6 + c];
}

static inline void dp_m3_transpose(const double A[9], double out[9]) {
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++) out[3 * c + r] = A[3 * r + c];
}

/* out = base + R * v */
static inline void dp_m3_apply_add(const double R[9], const double v[3], const double base[3],
                                   double out[3]) {
  for (int r = 0; r < 3; r++)
    out[r] = base[r] + R[3 * r] * v[0] + R[3 * r + 1] * v[1] + R[3 * r + 2] * v[2];
}

#endif
