/* asf_amc.c - Acclaim ASF skeleton + AMC motion reader (CMU's original format).
 *
 * Forward kinematics follows the CMU reference viewer (and the readers derived from
 * it), which is what the CMU database was exported for:
 *  - a bone's "axis ax ay az XYZ" gives its frame C; the letters name the order in
 *    which the axis rotations are applied, so "XYZ" is C = Rz(az) * Ry(ay) * Rx(ax);
 *  - the AMC values of a bone are matched to its "dof" names (the listed order is the
 *    order of the values on the AMC line) and composed M = Rz(rz) * Ry(ry) * Rx(rx),
 *    whatever order the dof line lists them in, as the viewer does;
 *  - the bone's rotation in world axes is G = G_parent * C * M * C^-1 and its end is
 *    end = end_parent + G * direction * length (direction is given in world axes of
 *    the rest pose); the root's frame comes from ":root orientation" (with its axis
 *    order) and its rotation channels, composed the same way;
 *  - the root position is the AMC root translation (TX/TY/TZ as ":root order"
 *    lists them); an axis the order does not list keeps ":root position".
 * Angles: ASF values in the ":units angle" unit (deg or rad); AMC values in degrees
 * after ":DEGREES", in radians after ":RADIANS", else in the ASF's unit.
 * Lengths: unit_mm millimetres per ASF length unit, or 25.4 / (":units length") when
 * unit_mm is 0 (CMU: lengths are inches scaled by 0.45, so 56.444 mm).
 * Joints out: "root" first, then every bone in :bonedata order (a bone listed before
 * its parent moves after it), placed at its end. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "depthpose/error.h"
#include "depthpose/mocap.h"
#include "mocap_text.h"

typedef struct {
  char *name;
  int line; /* "begin" of its block */
  double dir[3], length, axis[3];
  int axis_order[3];
  int n_dof, dof[3]; /* 0/1/2 = rx/ry/rz in the order the AMC lists them */
  int parent;        /* joint index (0 = root, b + 1 = bone b), -1 until :hierarchy */
  int has_dir, has_len;
  double C[9], Cinv[9];
} asf_bone;

typedef struct {
  const char *path;
  double length_unit, angle_scale; /* angle_scale: radians per ASF angle unit */
  int has_length;
  int n_order, order[6];           /* root AMC channels: 0..2 TX..TZ, 3..5 RX..RZ */
  int axis_order[3];
  double position[3], orientation[3];
  int has_root;
  asf_bone *b;
  int n, cap;
  int hierarchy_line, hierarchy_done;
  double Croot[9], Crootinv[9];
} asf_skel;

enum { SEC_NONE, SEC_SKIP, SEC_UNITS, SEC_ROOT, SEC_BONEDATA, SEC_HIERARCHY };

static void skel_free(asf_skel *k) {
  for (int i = 0; i < k->n; i++) free(k->b[i].name);
  free(k->b);
}

static int word_is(const char *t, size_t n, const char *w) {
  return strlen(w) == n && strncasecmp(t, w, n) == 0;
}

static char *dup_token(const char *t, size_t n) {
  char *s = dp_malloc(n + 1, "a name");
  if (s) {
    memcpy(s, t, n);
    s[n] = '\0';
  }
  return s;
}

/* n numbers from the rest of a line. */
static int read_numbers(const char *path, const dp_lines *L, const char **p, int n, double *out,
                        const char *what) {
  char q[64];
  for (int i = 0; i < n; i++) {
    const char *t;
    size_t len;
    if (!dp_tok(p, L->le, &t, &len))
      return dp_fail("%s:%d: %s needs %d numbers, got %d", path, L->lineno, what, n, i);
    int rc = dp_parse_number(t, len, &out[i]);
    if (rc != DP_NUM_OK)
      return dp_fail("%s:%d: %s value %d is %s: '%s'", path, L->lineno, what, i + 1,
                     rc == DP_NUM_NONFINITE ? "NaN or infinite (expected a finite number)"
                                            : "not a number",
                     dp_token_quote(t, len, q, sizeof q));
  }
  return 0;
}

static int no_more_tokens(const char *path, const dp_lines *L, const char *p, const char *what) {
  const char *t;
  size_t n;
  char q[64];
  if (!dp_tok(&p, L->le, &t, &n)) return 0;
  return dp_fail("%s:%d: unexpected '%s' after %s", path, L->lineno,
                 dp_token_quote(t, n, q, sizeof q), what);
}

/* "XYZ" (any permutation, any case) -> axis indices in the order applied. */
static int parse_axis_order(const char *path, const dp_lines *L, const char *t, size_t n,
                            int order[3]) {
  char q[64];
  int seen = 0;
  for (size_t i = 0; n == 3 && i < 3; i++) {
    int a = (t[i] | 0x20) - 'x';
    if (a < 0 || a > 2 || (seen & (1 << a))) break;
    seen |= 1 << a;
    order[i] = a;
  }
  if (n == 3 && seen == 7) return 0;
  return dp_fail("%s:%d: axis order '%s' should be a permutation of XYZ", path, L->lineno,
                 dp_token_quote(t, n, q, sizeof q));
}

/* ---- ASF sections ---------------------------------------------------------------- */

static int units_line(asf_skel *k, const dp_lines *L, const char *key, size_t kn, const char *p) {
  const char *t;
  size_t n;
  char q[64];
  if (word_is(key, kn, "angle")) {
    if (!dp_tok(&p, L->le, &t, &n)) n = 0;
    if (n && word_is(t, n, "deg")) k->angle_scale = DP_DEG2RAD;
    else if (n && word_is(t, n, "rad")) k->angle_scale = 1.0;
    else
      return dp_fail("%s:%d: angle unit '%s' should be deg or rad", k->path, L->lineno,
                     n ? dp_token_quote(t, n, q, sizeof q) : "");
    return 0;
  }
  if (word_is(key, kn, "length")) {
    DP_TRY(read_numbers(k->path, L, &p, 1, &k->length_unit, "length"));
    if (!(k->length_unit > 0))
      return dp_fail("%s:%d: length unit %g should be positive", k->path, L->lineno,
                     k->length_unit);
    k->has_length = 1;
    return 0;
  }
  return 0; /* mass and vendor keys do not affect positions */
}

static int root_order(asf_skel *k, const dp_lines *L, const char *p) {
  static const char *const names[6] = {"TX", "TY", "TZ", "RX", "RY", "RZ"};
  const char *t;
  size_t n;
  char q[64];
  int seen = 0;
  k->n_order = 0;
  while (dp_tok(&p, L->le, &t, &n)) {
    int c = -1;
    for (int i = 0; i < 6; i++)
      if (word_is(t, n, names[i])) c = i;
    if (c < 0 || (seen & (1 << c)) || k->n_order == 6)
      return dp_fail("%s:%d: root order entry '%s' should be one of TX TY TZ RX RY RZ, each "
                     "at most once",
                     k->path, L->lineno, dp_token_quote(t, n, q, sizeof q));
    seen |= 1 << c;
    k->order[k->n_order++] = c;
  }
  return 0;
}

static int root_line(asf_skel *k, const dp_lines *L, const char *key, size_t kn, const char *p) {
  const char *t;
  size_t n;
  char q[64];
  k->has_root = 1;
  if (word_is(key, kn, "order")) return root_order(k, L, p);
  if (word_is(key, kn, "axis")) {
    if (!dp_tok(&p, L->le, &t, &n))
      return dp_fail("%s:%d: root axis needs an order such as XYZ", k->path, L->lineno);
    return parse_axis_order(k->path, L, t, n, k->axis_order);
  }
  if (word_is(key, kn, "position")) return read_numbers(k->path, L, &p, 3, k->position, "position");
  if (word_is(key, kn, "orientation"))
    return read_numbers(k->path, L, &p, 3, k->orientation, "orientation");
  return dp_fail("%s:%d: unknown :root field '%s' (expected order, axis, position or "
                 "orientation)",
                 k->path, L->lineno, dp_token_quote(key, kn, q, sizeof q));
}

static int bone_dof(asf_skel *k, asf_bone *b, const dp_lines *L, const char *p) {
  const char *t;
  size_t n;
  char q[64];
  int seen = 0;
  b->n_dof = 0;
  while (dp_tok(&p, L->le, &t, &n)) {
    int d = word_is(t, n, "rx") ? 0 : word_is(t, n, "ry") ? 1 : word_is(t, n, "rz") ? 2 : -1;
    if (d < 0)
      return dp_fail("%s:%d: dof '%s' of bone '%s' is not supported (expected rx, ry, rz; "
                     "translating or stretching bones are not)",
                     k->path, L->lineno, dp_token_quote(t, n, q, sizeof q),
                     b->name ? b->name : "?");
    if (seen & (1 << d))
      return dp_fail("%s:%d: dof '%s' listed twice", k->path, L->lineno,
                     dp_token_quote(t, n, q, sizeof q));
    seen |= 1 << d;
    b->dof[b->n_dof++] = d;
  }
  return 0;
}

static int bone_begin(asf_skel *k, const dp_lines *L, int *open) {
  if (*open)
    return dp_fail("%s:%d: 'begin' inside the bone block opened at line %d (missing 'end')",
                   k->path, L->lineno, k->b[k->n - 1].line);
  DP_TRY(dp_grow((void **)&k->b, &k->cap, k->n + 1, sizeof *k->b, "ASF bones"));
  asf_bone *b = &k->b[k->n++];
  memset(b, 0, sizeof *b);
  b->line = L->lineno;
  b->parent = -1;
  b->axis_order[0] = 0, b->axis_order[1] = 1, b->axis_order[2] = 2;
  *open = 1;
  return 0;
}

static int find_bone(const asf_skel *k, const char *t, size_t n) {
  for (int i = 0; i < k->n; i++)
    if (k->b[i].name && dp_tok_is(t, n, k->b[i].name)) return i;
  return -1;
}

static int bone_end(asf_skel *k, const dp_lines *L, int *open) {
  if (!*open) return dp_fail("%s:%d: 'end' without 'begin' in :bonedata", k->path, L->lineno);
  asf_bone *b = &k->b[k->n - 1];
  const char *missing = !b->name ? "name" : !b->has_dir ? "direction" : !b->has_len ? "length" : NULL;
  if (missing)
    return dp_fail("%s:%d: bone block begun at line %d has no %s", k->path, L->lineno, b->line,
                   missing);
  *open = 0;
  return 0;
}

static int bone_name(asf_skel *k, asf_bone *b, const dp_lines *L, const char *p) {
  const char *t;
  size_t n;
  char q[64];
  if (!dp_tok(&p, L->le, &t, &n)) return dp_fail("%s:%d: bone name missing", k->path, L->lineno);
  if (word_is(t, n, "root"))
    return dp_fail("%s:%d: a bone may not be called 'root'", k->path, L->lineno);
  int other = find_bone(k, t, n);
  if (other >= 0 && &k->b[other] != b)
    return dp_fail("%s:%d: bone name '%s' is used twice (first in the block at line %d)",
                   k->path, L->lineno, dp_token_quote(t, n, q, sizeof q), k->b[other].line);
  free(b->name);
  b->name = dup_token(t, n);
  return b->name ? no_more_tokens(k->path, L, p, "the bone name") : -1;
}

static int bone_line(asf_skel *k, const dp_lines *L, const char *key, size_t kn, const char *p,
                     int *open) {
  char q[64];
  if (word_is(key, kn, "begin")) return bone_begin(k, L, open);
  if (word_is(key, kn, "end")) return bone_end(k, L, open);
  if (!*open)
    return dp_fail("%s:%d: '%s' outside a begin/end bone block", k->path, L->lineno,
                   dp_token_quote(key, kn, q, sizeof q));
  asf_bone *b = &k->b[k->n - 1];
  if (key[0] == '(' || word_is(key, kn, "limits") || word_is(key, kn, "id") ||
      word_is(key, kn, "bodymass") || word_is(key, kn, "cofmass"))
    return 0; /* joint limits and masses do not change where the joints are */
  if (word_is(key, kn, "name")) return bone_name(k, b, L, p);
  if (word_is(key, kn, "direction")) {
    b->has_dir = 1;
    return read_numbers(k->path, L, &p, 3, b->dir, "direction");
  }
  if (word_is(key, kn, "length")) {
    DP_TRY(read_numbers(k->path, L, &p, 1, &b->length, "length"));
    if (b->length < 0)
      return dp_fail("%s:%d: bone length %g is negative", k->path, L->lineno, b->length);
    b->has_len = 1;
    return 0;
  }
  if (word_is(key, kn, "axis")) {
    const char *t;
    size_t n;
    DP_TRY(read_numbers(k->path, L, &p, 3, b->axis, "axis"));
    if (dp_tok(&p, L->le, &t, &n)) return parse_axis_order(k->path, L, t, n, b->axis_order);
    return 0; /* no order given: XYZ */
  }
  if (word_is(key, kn, "dof")) return bone_dof(k, b, L, p);
  return dp_fail("%s:%d: unknown bone field '%s' (expected id, name, direction, length, axis, "
                 "dof, limits, bodymass or cofmass)",
                 k->path, L->lineno, dp_token_quote(key, kn, q, sizeof q));
}

/* "parent child child ..." */
static int hierarchy_line(asf_skel *k, const dp_lines *L, const char *key, size_t kn,
                          const char *p, int *open) {
  char q[64];
  if (word_is(key, kn, "begin")) {
    *open = 1;
    k->hierarchy_line = L->lineno;
    return 0;
  }
  if (word_is(key, kn, "end")) {
    *open = 0;
    k->hierarchy_done = 1;
    return 0;
  }
  if (!*open)
    return dp_fail("%s:%d: :hierarchy entries must sit between 'begin' and 'end'", k->path,
                   L->lineno);
  int parent = word_is(key, kn, "root") ? 0 : find_bone(k, key, kn) + 1;
  if (parent == 0 && !word_is(key, kn, "root"))
    return dp_fail("%s:%d: unknown bone '%s' in :hierarchy (not in :bonedata)", k->path,
                   L->lineno, dp_token_quote(key, kn, q, sizeof q));
  const char *t;
  size_t n;
  while (dp_tok(&p, L->le, &t, &n)) {
    int c = find_bone(k, t, n);
    if (c < 0)
      return dp_fail("%s:%d: unknown bone '%s' in :hierarchy (not in :bonedata)", k->path,
                     L->lineno, dp_token_quote(t, n, q, sizeof q));
    if (k->b[c].parent >= 0)
      return dp_fail("%s:%d: bone '%s' is given a second parent in :hierarchy", k->path,
                     L->lineno, k->b[c].name);
    k->b[c].parent = parent;
  }
  return 0;
}

static int section_of(const char *t, size_t n) {
  if (word_is(t, n, ":units")) return SEC_UNITS;
  if (word_is(t, n, ":root")) return SEC_ROOT;
  if (word_is(t, n, ":bonedata")) return SEC_BONEDATA;
  if (word_is(t, n, ":hierarchy")) return SEC_HIERARCHY;
  return SEC_SKIP; /* :version, :name, :documentation, vendor sections */
}

static int asf_lines(asf_skel *k, const char *buf, size_t len) {
  dp_lines L;
  dp_lines_init(&L, buf, len, 1);
  int sec = SEC_NONE, bone_open = 0, hier_open = 0;
  while (dp_lines_next(&L)) {
    const char *p = L.ls, *key;
    size_t kn;
    if (!dp_tok(&p, L.le, &key, &kn) || key[0] == '#') continue;
    if (key[0] == ':') {
      if (bone_open)
        return dp_fail("%s:%d: new section before 'end' of the bone block begun at line %d",
                       k->path, L.lineno, k->b[k->n - 1].line);
      sec = section_of(key, kn);
      continue;
    }
    int rc = 0;
    switch (sec) {
      case SEC_UNITS: rc = units_line(k, &L, key, kn, p); break;
      case SEC_ROOT: rc = root_line(k, &L, key, kn, p); break;
      case SEC_BONEDATA: rc = bone_line(k, &L, key, kn, p, &bone_open); break;
      case SEC_HIERARCHY: rc = hierarchy_line(k, &L, key, kn, p, &hier_open); break;
      case SEC_NONE:
        rc = dp_fail("%s:%d: text before the first ASF section (expected a ':' keyword line)",
                     k->path, L.lineno);
        break;
      default: break;
    }
    DP_TRY(rc);
  }
  if (bone_open)
    return dp_fail("%s:%d: file ends inside the bone block begun at line %d (truncated?)",
                   k->path, L.lineno, k->b[k->n - 1].line);
  if (hier_open)
    return dp_fail("%s:%d: file ends inside :hierarchy (begun at line %d) without 'end' "
                   "(truncated?)",
                   k->path, L.lineno, k->hierarchy_line);
  return 0;
}

/* C = R(o2) * R(o1) * R(o0): the first letter of the order is applied first. */
static void axis_frame(const double ang[3], const int order[3], double scale, double C[9],
                       double Cinv[9]) {
  dp_m3_identity(C);
  for (int i = 2; i >= 0; i--) {
    double a = ang[order[i]] * scale;
    dp_m3_post_rot(C, order[i], cos(a), sin(a));
  }
  dp_m3_transpose(C, Cinv);
}

/* Put the bones in parent-first order, keeping :bonedata order where it already is
 * (as in every CMU file), so forward kinematics and the clip can walk them in one
 * pass. Fails on bones the hierarchy does not connect to the root. */
static int sort_bones(asf_skel *k) {
  int n = k->n;
  int *order = dp_malloc((size_t)(n ? n : 1) * sizeof *order, "ASF bone order");
  int *rank = dp_malloc((size_t)(n ? n : 1) * sizeof *rank, "ASF bone order");
  asf_bone *sorted = dp_malloc((size_t)(n ? n : 1) * sizeof *sorted, "ASF bones");
  char *done = dp_calloc((size_t)n + 1, 1, "ASF bone flags");
  int rc = order && rank && sorted && done ? 0 : -1, placed = 0;
  if (rc == 0) done[0] = 1; /* the root */
  while (rc == 0 && placed < n) {
    int next = -1;
    for (int i = 0; i < n && next < 0; i++)
      if (!done[i + 1] && k->b[i].parent >= 0 && done[k->b[i].parent]) next = i;
    if (next < 0) break;
    done[next + 1] = 1;
    rank[next] = placed;
    order[placed++] = next;
  }
  for (int i = 0; rc == 0 && i < n; i++)
    if (!done[i + 1])
      rc = dp_fail("%s:%d: bone '%s' is not connected to the root by :hierarchy%s", k->path,
                   k->b[i].line, k->b[i].name,
                   k->hierarchy_done ? "" : " (the file has no :hierarchy section)");
  for (int i = 0; rc == 0 && i < n; i++) {
    sorted[i] = k->b[order[i]];
    int p = sorted[i].parent; /* joint index: 0 root, b + 1 bone b */
    sorted[i].parent = p == 0 ? 0 : rank[p - 1] + 1;
  }
  if (rc == 0) {
    free(k->b);
    k->b = sorted;
    k->cap = n;
    sorted = NULL;
  }
  free(order);
  free(rank);
  free(sorted);
  free(done);
  return rc;
}

static int asf_finish(asf_skel *k) {
  if (!k->has_root)
    return dp_fail("%s: no :root section (expected ':root' with order, axis, position, "
                   "orientation)",
                   k->path);
  DP_TRY(sort_bones(k));
  axis_frame(k->orientation, k->axis_order, k->angle_scale, k->Croot, k->Crootinv);
  for (int i = 0; i < k->n; i++)
    axis_frame(k->b[i].axis, k->b[i].axis_order, k->angle_scale, k->b[i].C, k->b[i].Cinv);
  return 0;
}

static int asf_read(const char *path, asf_skel *k) {
  memset(k, 0, sizeof *k);
  k->path = path;
  k->angle_scale = DP_DEG2RAD; /* Acclaim default */
  static const int def_order[6] = {0, 1, 2, 3, 4, 5};
  memcpy(k->order, def_order, sizeof def_order);
  k->n_order = 6;
  k->axis_order[0] = 0, k->axis_order[1] = 1, k->axis_order[2] = 2;
  char *buf;
  size_t len;
  DP_TRY(dp_slurp(path, &buf, &len));
  int rc = asf_lines(k, buf, len);
  free(buf);
  if (rc == 0) rc = asf_finish(k);
  return rc;
}

/* ---- AMC -------------------------------------------------------------------------- */

typedef struct {
  const char *path;
  const asf_skel *k;
  double angle_scale;
  int skip;
  double unit_mm;
  dp_clip *out;
  /* current frame */
  int frame_no, frame_line, row; /* row: frames completed so far */
  double *vals;                  /* [joint][6]: root tx ty tz, then rx ry rz (radians) */
  char *seen;                    /* [joint] */
  int hint;                      /* bones come in the same order every frame */
  double *G, *P;                 /* FK scratch, per joint */
} amc_state;

static int is_frame_number(const char *ls, const char *le, long *v) {
  const char *p = ls, *t;
  size_t n;
  if (!dp_tok(&p, le, &t, &n) || n > 9) return 0;
  for (size_t i = 0; i < n; i++)
    if (t[i] < '0' || t[i] > '9') return 0;
  const char *t2;
  size_t n2;
  if (dp_tok(&p, le, &t2, &n2)) return 0;
  *v = strtol(t, NULL, 10);
  return 1;
}

/* Frames in the file (lines holding only a frame number); *last_line = its last line. */
static int count_frames(const char *buf, size_t len, int *last_line) {
  dp_lines L;
  dp_lines_init(&L, buf, len, 1);
  int n = 0;
  long v;
  while (dp_lines_next(&L))
    if (is_frame_number(L.ls, L.le, &v)) n++;
  *last_line = L.lineno;
  return n;
}

static void rot_zyx(const double *r, double M[9]) {
  dp_m3_identity(M);
  dp_m3_post_rot(M, 2, cos(r[2]), sin(r[2]));
  dp_m3_post_rot(M, 1, cos(r[1]), sin(r[1]));
  dp_m3_post_rot(M, 0, cos(r[0]), sin(r[0]));
}

/* G = A * M * Ainv */
static void conjugate(const double A[9], const double M[9], const double Ainv[9], double G[9]) {
  double T[9];
  dp_m3_mul(A, M, T);
  dp_m3_mul(T, Ainv, G);
}

static void amc_fk(amc_state *s, float *out) {
  const asf_skel *k = s->k;
  double M[9], L[9];
  rot_zyx(s->vals + 3, M);
  conjugate(k->Croot, M, k->Crootinv, s->G);
  memcpy(s->P, s->vals, 3 * sizeof *s->P);
  for (int b = 0; b < k->n; b++) { /* parents first (sort_bones) */
    int j = b + 1, pj = k->b[b].parent;
    const asf_bone *bn = &k->b[b];
    rot_zyx(s->vals + 6 * j + 3, M);
    conjugate(bn->C, M, bn->Cinv, L);
    dp_m3_mul(s->G + 9 * pj, L, s->G + 9 * j);
    double v[3] = {bn->dir[0] * bn->length, bn->dir[1] * bn->length, bn->dir[2] * bn->length};
    dp_m3_apply_add(s->G + 9 * j, v, s->P + 3 * pj, s->P + 3 * j);
  }
  for (int j = 0; j <= k->n; j++)
    for (int a = 0; a < 3; a++) out[3 * j + a] = (float)(s->P[3 * j + a] * s->unit_mm);
}

static void start_frame(amc_state *s, int frame_no, int line) {
  const asf_skel *k = s->k;
  s->frame_no = frame_no;
  s->frame_line = line;
  memset(s->vals, 0, (size_t)(k->n + 1) * 6 * sizeof *s->vals);
  memcpy(s->vals, k->position, sizeof k->position);
  memset(s->seen, 0, (size_t)k->n + 1);
}

/* Check the frame that just ended is complete, then place its joints. */
static int end_frame(amc_state *s, const dp_lines *L, int at_eof) {
  const asf_skel *k = s->k;
  for (int j = 0; j <= k->n; j++) {
    int needs = j == 0 ? k->n_order > 0 : k->b[j - 1].n_dof > 0;
    if (needs && !s->seen[j])
      return dp_fail("%s:%d: frame %d (line %d) has no line for bone '%s'%s", s->path, L->lineno,
                     s->frame_no, s->frame_line, j ? k->b[j - 1].name : "root",
                     at_eof ? ": file ends early (truncated?)"
                            : "; every bone with a dof must appear in every frame");
  }
  if (s->row >= s->skip)
    amc_fk(s, s->out->pos + (size_t)(s->row - s->skip) * (size_t)(k->n + 1) * 3);
  s->row++;
  return 0;
}

static int find_joint(amc_state *s, const char *t, size_t n) {
  const asf_skel *k = s->k;
  if (dp_tok_is(t, n, "root")) return 0;
  for (int i = 0; i < k->n; i++) {
    int b = (s->hint + i) % k->n;
    if (dp_tok_is(t, n, k->b[b].name)) {
      s->hint = b + 1;
      return b + 1;
    }
  }
  return -1;
}

/* "bone v1 v2 ..." */
static int bone_values(amc_state *s, const dp_lines *L, const char *name, size_t nn,
                       const char *p) {
  const asf_skel *k = s->k;
  char q[64];
  int j = find_joint(s, name, nn);
  if (j < 0)
    return dp_fail("%s:%d: unknown bone '%s' (not in the ASF skeleton)", s->path, L->lineno,
                   dp_token_quote(name, nn, q, sizeof q));
  if (s->seen[j])
    return dp_fail("%s:%d: bone '%s' appears twice in frame %d (line %d)", s->path, L->lineno,
                   j ? k->b[j - 1].name : "root", s->frame_no, s->frame_line);
  s->seen[j] = 1;
  int want = j ? k->b[j - 1].n_dof : k->n_order;
  const char *t;
  size_t n;
  int got = 0;
  while (dp_tok(&p, L->le, &t, &n)) {
    double v;
    if (got < want) {
      int rc = dp_parse_number(t, n, &v);
      if (rc != DP_NUM_OK)
        return dp_fail("%s:%d: value %d of bone '%s' is %s: '%s'", s->path, L->lineno, got + 1,
                       j ? k->b[j - 1].name : "root",
                       rc == DP_NUM_NONFINITE ? "NaN or infinite (expected a finite number)"
                                              : "not a number",
                       dp_token_quote(t, n, q, sizeof q));
      int slot = j ? 3 + k->b[j - 1].dof[got] : k->order[got];
      s->vals[6 * j + slot] = slot < 3 ? v : v * s->angle_scale;
    }
    got++;
  }
  if (got != want)
    return dp_fail("%s:%d: bone '%s' has %d values, expected %d (its dof in the ASF)%s",
                   s->path, L->lineno, j ? k->b[j - 1].name : "root", got, want,
                   dp_lines_unterminated(L) ? " (last line has no newline: truncated file?)" : "");
  return 0;
}

static int amc_header_line(amc_state *s, const dp_lines *L, const char *t, size_t n) {
  char q[64];
  if (word_is(t, n, ":FULLY-SPECIFIED")) return 0;
  if (word_is(t, n, ":DEGREES")) {
    s->angle_scale = DP_DEG2RAD;
    return 0;
  }
  if (word_is(t, n, ":RADIANS")) {
    s->angle_scale = 1.0;
    return 0;
  }
  return dp_fail("%s:%d: unknown AMC keyword '%s' (expected :FULLY-SPECIFIED, :DEGREES or "
                 ":RADIANS)",
                 s->path, L->lineno, dp_token_quote(t, n, q, sizeof q));
}

static int amc_line(amc_state *s, const dp_lines *L, int *in_frame) {
  const char *p = L->ls, *t;
  size_t n;
  long fno;
  if (!dp_tok(&p, L->le, &t, &n) || t[0] == '#') return 0;
  if (t[0] == ':') {
    if (*in_frame)
      return dp_fail("%s:%d: AMC keyword after the first frame", s->path, L->lineno);
    return amc_header_line(s, L, t, n);
  }
  if (is_frame_number(L->ls, L->le, &fno)) {
    if (*in_frame) DP_TRY(end_frame(s, L, 0));
    if (*in_frame && fno != s->frame_no + 1)
      return dp_fail("%s:%d: frame number %ld, expected %d (frames must be consecutive)",
                     s->path, L->lineno, fno, s->frame_no + 1);
    start_frame(s, (int)fno, L->lineno);
    *in_frame = 1;
    return 0;
  }
  if (!*in_frame)
    return dp_fail("%s:%d: bone values before the first frame number", s->path, L->lineno);
  return bone_values(s, L, t, n, p);
}

static int amc_parse(amc_state *s, const char *buf, size_t len) {
  dp_lines L;
  dp_lines_init(&L, buf, len, 1);
  int in_frame = 0;
  while (dp_lines_next(&L)) DP_TRY(amc_line(s, &L, &in_frame));
  if (in_frame) DP_TRY(end_frame(s, &L, 1));
  return 0;
}

static int clip_from_skeleton(const asf_skel *k, int n_frames, dp_clip *out) {
  DP_TRY(dp_clip_alloc(out, k->n + 1, n_frames, 1));
  out->joint_names[0] = dp_strdup("root");
  if (!out->joint_names[0]) return -1;
  for (int i = 0; i < k->n; i++) {
    out->joint_names[i + 1] = dp_strdup(k->b[i].name);
    if (!out->joint_names[i + 1]) return -1;
    out->parent[i + 1] = k->b[i].parent;
  }
  return 0;
}

static int amc_read(const char *path, const asf_skel *k, double unit_mm, int skip,
                    dp_clip *out) {
  char *buf;
  size_t len;
  DP_TRY(dp_slurp(path, &buf, &len));
  amc_state s = {0};
  s.path = path, s.k = k, s.angle_scale = k->angle_scale, s.skip = skip, s.unit_mm = unit_mm;
  s.out = out;
  int last_line, total = count_frames(buf, len, &last_line), rc = 0;
  if (total - skip <= 0)
    rc = dp_fail("%s:%d: empty clip: the file ends after %d frame(s) and skipping %d leading "
                 "frame(s) leaves none",
                 path, last_line, total, skip);
  if (rc == 0) rc = clip_from_skeleton(k, total - skip, out);
  size_t nj = (size_t)k->n + 1;
  if (rc == 0) {
    s.vals = dp_malloc(nj * 6 * sizeof *s.vals, "AMC values");
    s.seen = dp_malloc(nj, "AMC flags");
    s.G = dp_malloc(nj * 9 * sizeof *s.G, "FK rotations");
    s.P = dp_malloc(nj * 3 * sizeof *s.P, "FK positions");
    if (!s.vals || !s.seen || !s.G || !s.P) rc = -1;
  }
  if (rc == 0) rc = amc_parse(&s, buf, len);
  free(s.vals);
  free(s.seen);
  free(s.G);
  free(s.P);
  free(buf);
  return rc;
}

int dp_asf_amc_read(const char *asf_path, const char *amc_path, double unit_mm,
                    int skip_frames, dp_clip *out) {
  memset(out, 0, sizeof *out);
  if (!(unit_mm >= 0) || !isfinite(unit_mm))
    return dp_fail("%s: unit_mm must be >= 0 (0: derive from :units length), got %g", asf_path,
                   unit_mm);
  if (skip_frames < 0)
    return dp_fail("%s: skip_frames must be >= 0, got %d", amc_path, skip_frames);
  asf_skel k;
  int rc = asf_read(asf_path, &k);
  if (rc == 0 && unit_mm == 0) {
    if (k.has_length) unit_mm = 25.4 / k.length_unit;
    else
      rc = dp_fail("%s: unit_mm is 0 but the ASF has no ':units length' to derive it from "
                   "(pass millimetres per ASF unit)",
                   asf_path);
  }
  if (rc == 0) rc = amc_read(amc_path, &k, unit_mm, skip_frames, out);
  skel_free(&k);
  if (rc) dp_clip_free(out);
  return rc;
}
