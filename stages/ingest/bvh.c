/* bvh.c - BVH reader: HIERARCHY + MOTION, forward kinematics to world positions.
 *
 * Conventions (the usual BVH reading, and the one the CMU conversion was made with):
 *  - a joint's channels are applied in the order listed: "Zrotation Yrotation
 *    Xrotation" gives the local rotation R = Rz * Ry * Rx (degrees);
 *  - position channels add to the joint's OFFSET (translation in the parent frame);
 *  - world_j = world_parent + Rworld_parent * (offset_j + translation_j),
 *    Rworld_j = Rworld_parent * R_j; a root's parent frame is the world;
 *  - an End Site is a joint named "<parent>_end" placed at its OFFSET.
 * The hierarchy is read as a stream of whitespace-separated tokens (line breaks
 * do not matter there); the motion section is read line by line, one frame per line,
 * because a frame's values must be counted per line. Forward kinematics runs in
 * double; positions are stored as float millimetres (unit_mm per file unit). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/mocap.h"
#include "mocap_text.h"

/* Channel kinds: 0..2 = X/Y/Z position, 3..5 = X/Y/Z rotation. */
enum { CH_XPOS, CH_YPOS, CH_ZPOS, CH_XROT, CH_YROT, CH_ZROT };
#define BVH_MAX_CHANNELS 64 /* per joint; real files use 0, 3 or 6 */

typedef struct {
  char *name;
  int parent;
  int line;      /* where the joint was opened, for messages */
  int is_end;    /* End Site: OFFSET only */
  int has_offset;
  double offset[3];
  int ch_first, n_ch; /* into bvh_skel.ch */
} bvh_joint;

typedef struct {
  bvh_joint *j;
  int n, cap;
  unsigned char *ch; /* channel kinds, all joints in file order */
  int n_ch, ch_cap;
} bvh_skel;

/* Token stream over the hierarchy that keeps line numbers. */
typedef struct {
  const char *path;
  const char *p, *end;
  int line;      /* line of the last token returned */
  const char *t; /* last token */
  size_t n;
} bvh_scan;

static int scan_next(bvh_scan *s) {
  const char *p = s->p;
  while (p < s->end && dp_is_space(*p)) {
    /* a file's final newline starts no line: "ends early" errors name the last line */
    if (*p == '\n' && p + 1 < s->end) s->line++;
    p++;
  }
  s->p = p;
  if (p >= s->end) return 0;
  const char *t = p;
  while (p < s->end && !dp_is_space(*p)) p++;
  s->t = t;
  s->n = (size_t)(p - t);
  s->p = p;
  return 1;
}

static void skel_free(bvh_skel *k) {
  for (int i = 0; i < k->n; i++) free(k->j[i].name);
  free(k->j);
  free(k->ch);
  memset(k, 0, sizeof *k);
}

static const char *quote(const bvh_scan *s, char *buf, size_t size) {
  return dp_token_quote(s->t, s->n, buf, size);
}

/* Read the next token, failing with "expected <what>" at end of file. */
static int need_token(bvh_scan *s, const char *what) {
  if (scan_next(s)) return 0;
  return dp_fail("%s:%d: file ends early (truncated?): expected %s", s->path, s->line, what);
}

static int expect_word(bvh_scan *s, const char *word, const char *context) {
  DP_TRY(need_token(s, word));
  if (dp_tok_is(s->t, s->n, word)) return 0;
  char q[64];
  return dp_fail("%s:%d: expected '%s' %s, got '%s'", s->path, s->line, word, context,
                 quote(s, q, sizeof q));
}

static int read_number(bvh_scan *s, const char *what, double *v) {
  DP_TRY(need_token(s, what));
  int rc = dp_parse_number(s->t, s->n, v);
  if (rc == DP_NUM_OK) return 0;
  char q[64];
  return dp_fail("%s:%d: %s is %s: '%s'", s->path, s->line, what,
                 rc == DP_NUM_NONFINITE ? "NaN or infinite (expected a finite number)"
                                        : "not a number",
                 quote(s, q, sizeof q));
}

static int name_line(const bvh_skel *k, const char *name) {
  for (int i = 0; i < k->n; i++)
    if (strcmp(k->j[i].name, name) == 0) return k->j[i].line;
  return 0;
}

/* Append a joint; names must be unique, since downstream code finds joints by name. */
static int add_joint(bvh_skel *k, const bvh_scan *s, const char *name, size_t n, int parent,
                     int is_end) {
  DP_TRY(dp_grow((void **)&k->j, &k->cap, k->n + 1, sizeof *k->j, "BVH joints"));
  bvh_joint *j = &k->j[k->n];
  memset(j, 0, sizeof *j);
  j->name = dp_malloc(n + 1, "a joint name");
  if (!j->name) return -1;
  memcpy(j->name, name, n);
  j->name[n] = '\0';
  j->parent = parent;
  j->line = s->line;
  j->is_end = is_end;
  j->ch_first = k->n_ch;
  int first = name_line(k, j->name);
  k->n++;
  if (first)
    return dp_fail("%s:%d: joint name '%s' is used twice (first at line %d); names must be unique",
                   s->path, s->line, j->name, first);
  return 0;
}

static int read_named_joint(bvh_skel *k, bvh_scan *s, int parent, const char *keyword) {
  DP_TRY(need_token(s, "a joint name"));
  if (dp_tok_is(s->t, s->n, "{"))
    return dp_fail("%s:%d: %s without a name", s->path, s->line, keyword);
  DP_TRY(add_joint(k, s, s->t, s->n, parent, 0));
  return expect_word(s, "{", "after the joint name");
}

static int read_end_site(bvh_skel *k, bvh_scan *s, int parent) {
  DP_TRY(expect_word(s, "Site", "after 'End'"));
  const char *pname = k->j[parent].name;
  size_t n = strlen(pname);
  char *name = dp_malloc(n + 5, "an End Site name");
  if (!name) return -1;
  memcpy(name, pname, n);
  memcpy(name + n, "_end", 5);
  int rc = add_joint(k, s, name, n + 4, parent, 1);
  free(name);
  DP_TRY(rc);
  return expect_word(s, "{", "after 'End Site'");
}

static int read_offset(bvh_joint *j, bvh_scan *s) {
  if (j->has_offset)
    return dp_fail("%s:%d: second OFFSET in joint '%s'", s->path, s->line, j->name);
  for (int a = 0; a < 3; a++) DP_TRY(read_number(s, "an OFFSET value", &j->offset[a]));
  j->has_offset = 1;
  return 0;
}

static int channel_kind(const char *t, size_t n) {
  static const char *const names[6] = {"Xposition", "Yposition", "Zposition",
                                       "Xrotation", "Yrotation", "Zrotation"};
  for (int i = 0; i < 6; i++)
    if (dp_tok_is(t, n, names[i])) return i;
  return -1;
}

static int read_channels(bvh_skel *k, bvh_joint *j, bvh_scan *s) {
  char q[64];
  if (j->n_ch)
    return dp_fail("%s:%d: second CHANNELS line in joint '%s'", s->path, s->line, j->name);
  double v;
  DP_TRY(read_number(s, "the CHANNELS count", &v));
  if (v != floor(v) || v < 0 || v > BVH_MAX_CHANNELS)
    return dp_fail("%s:%d: CHANNELS count '%s' should be a whole number 0..%d", s->path,
                   s->line, quote(s, q, sizeof q), BVH_MAX_CHANNELS);
  int n = (int)v;
  DP_TRY(dp_grow((void **)&k->ch, &k->ch_cap, k->n_ch + n, 1, "BVH channels"));
  for (int i = 0; i < n; i++) {
    DP_TRY(need_token(s, "a channel name"));
    int kind = channel_kind(s->t, s->n);
    if (kind < 0)
      return dp_fail("%s:%d: unknown channel '%s' (name %d of the %d that CHANNELS announces "
                     "for joint '%s'; expected Xposition, Yposition, Zposition, Xrotation, "
                     "Yrotation or Zrotation)",
                     s->path, s->line, quote(s, q, sizeof q), i + 1, n, j->name);
    k->ch[k->n_ch++] = (unsigned char)kind;
  }
  j->ch_first = k->n_ch - n;
  j->n_ch = n;
  return 0;
}

static int close_joint(const bvh_joint *j, const bvh_scan *s) {
  if (!j->has_offset)
    return dp_fail("%s:%d: joint '%s' (opened at line %d) has no OFFSET", s->path, s->line,
                   j->name, j->line);
  return 0;
}

/* One token inside the block of joint `top`; pushes/pops the stack as blocks open and
 * close. */
static int joint_statement(bvh_skel *k, bvh_scan *s, int **stack, int *depth, int *cap) {
  int top = (*stack)[*depth - 1];
  bvh_joint *j = &k->j[top];
  char q[64];
  if (dp_tok_is(s->t, s->n, "}")) {
    DP_TRY(close_joint(j, s));
    (*depth)--;
    return 0;
  }
  if (dp_tok_is(s->t, s->n, "OFFSET")) return read_offset(j, s);
  if (!j->is_end && dp_tok_is(s->t, s->n, "CHANNELS")) return read_channels(k, j, s);
  int child = dp_tok_is(s->t, s->n, "JOINT") ? 1 : dp_tok_is(s->t, s->n, "End") ? 2 : 0;
  if (child && !j->is_end) {
    DP_TRY(child == 1 ? read_named_joint(k, s, top, "JOINT") : read_end_site(k, s, top));
    DP_TRY(dp_grow((void **)stack, cap, *depth + 1, sizeof **stack, "BVH nesting"));
    (*stack)[(*depth)++] = k->n - 1;
    return 0;
  }
  if (dp_tok_is(s->t, s->n, "MOTION") || dp_tok_is(s->t, s->n, "ROOT"))
    return dp_fail("%s:%d: unbalanced braces: '%s' inside joint '%s' (opened at line %d), "
                   "expected '}' first",
                   s->path, s->line, quote(s, q, sizeof q), j->name, j->line);
  return dp_fail("%s:%d: unexpected '%s' in %s '%s' (expected %s)", s->path, s->line,
                 quote(s, q, sizeof q), j->is_end ? "End Site" : "joint", j->name,
                 j->is_end ? "OFFSET or '}'" : "OFFSET, CHANNELS, JOINT, End Site or '}'");
}

/* HIERARCHY ... up to and including the MOTION keyword. Iterative with an explicit
 * stack, so a hostile nesting depth cannot overflow the C stack. */
static int parse_hierarchy(bvh_skel *k, bvh_scan *s) {
  char q[64];
  if (!scan_next(s)) return dp_fail("%s:%d: empty file, expected HIERARCHY", s->path, s->line);
  if (!dp_tok_is(s->t, s->n, "HIERARCHY"))
    return dp_fail("%s:%d: expected 'HIERARCHY' at the start of a BVH file, got '%s'", s->path,
                   s->line, quote(s, q, sizeof q));
  int *stack = NULL, depth = 0, cap = 0, rc = 0;
  for (;;) {
    if (!scan_next(s)) {
      if (depth)
        rc = dp_fail("%s:%d: file ends inside joint '%s' (opened at line %d): truncated file "
                     "or unbalanced braces, expected '}'",
                     s->path, s->line, k->j[stack[depth - 1]].name, k->j[stack[depth - 1]].line);
      else
        rc = dp_fail("%s:%d: file ends before MOTION (truncated?)", s->path, s->line);
      break;
    }
    if (depth) {
      if ((rc = joint_statement(k, s, &stack, &depth, &cap))) break;
    } else if (dp_tok_is(s->t, s->n, "ROOT")) {
      if ((rc = read_named_joint(k, s, -1, "ROOT"))) break;
      if ((rc = dp_grow((void **)&stack, &cap, 1, sizeof *stack, "BVH nesting"))) break;
      stack[depth++] = k->n - 1;
    } else if (dp_tok_is(s->t, s->n, "MOTION")) {
      if (k->n == 0) rc = dp_fail("%s:%d: MOTION before any ROOT joint", s->path, s->line);
      break;
    } else if (dp_tok_is(s->t, s->n, "}")) {
      rc = dp_fail("%s:%d: unbalanced braces: '}' without a matching '{'", s->path, s->line);
      break;
    } else {
      rc = dp_fail("%s:%d: expected ROOT or MOTION, got '%s'", s->path, s->line,
                   quote(s, q, sizeof q));
      break;
    }
  }
  free(stack);
  return rc;
}

/* ---- MOTION --------------------------------------------------------------------- */

typedef struct {
  int frames;
  int frames_line;
} bvh_motion_header;

static int parse_motion_header(bvh_scan *s, bvh_motion_header *h) {
  char q[64];
  double v;
  DP_TRY(expect_word(s, "Frames:", "after MOTION"));
  h->frames_line = s->line;
  DP_TRY(read_number(s, "the Frames: count", &v));
  if (v != floor(v) || v < 0 || v > 1e9)
    return dp_fail("%s:%d: Frames: '%s' should be a whole number >= 0", s->path, s->line,
                   quote(s, q, sizeof q));
  h->frames = (int)v;
  DP_TRY(expect_word(s, "Frame", "after the Frames: line"));
  DP_TRY(expect_word(s, "Time:", "after 'Frame'"));
  DP_TRY(read_number(s, "the Frame Time", &v));
  if (v <= 0)
    return dp_fail("%s:%d: Frame Time %s should be positive (seconds per frame)", s->path,
                   s->line, quote(s, q, sizeof q));
  /* motion rows start on the next line; the rest of this one must be empty */
  const char *p = s->p;
  while (p < s->end && *p != '\n') {
    if (!dp_is_space(*p))
      return dp_fail("%s:%d: unexpected text after the Frame Time value (motion rows start "
                     "on the next line)",
                     s->path, s->line);
    p++;
  }
  s->p = p < s->end ? p + 1 : p;
  return 0;
}

static int line_blank(const char *a, const char *b) {
  for (; a < b; a++)
    if (!dp_is_space(*a)) return 0;
  return 1;
}

/* Check the number of motion lines against Frames: before parsing any of them, so a
 * truncated file is reported as such rather than as a short row or a bad number. */
static int check_frame_count(const bvh_scan *s, const bvh_motion_header *h) {
  dp_lines L;
  dp_lines_init(&L, s->p, (size_t)(s->end - s->p), s->line + 1);
  int rows = 0;
  while (dp_lines_next(&L)) {
    if (line_blank(L.ls, L.le)) continue;
    if (++rows > h->frames)
      return dp_fail("%s:%d: more motion lines than 'Frames: %d' (line %d) announces", s->path,
                     L.lineno, h->frames, h->frames_line);
  }
  if (rows < h->frames)
    return dp_fail("%s:%d: file ends after %d motion lines but 'Frames: %d' (line %d) "
                   "announces %d: truncated file?",
                   s->path, L.lineno, rows, h->frames, h->frames_line, h->frames);
  return 0;
}

/* "joint 'Hips' Zrotation" for channel index c, so a bad value can be found. */
static const char *describe_channel(const bvh_skel *k, int c, char *buf, size_t size) {
  static const char *const names[6] = {"Xposition", "Yposition", "Zposition",
                                       "Xrotation", "Yrotation", "Zrotation"};
  for (int i = 0; i < k->n; i++)
    if (c >= k->j[i].ch_first && c < k->j[i].ch_first + k->j[i].n_ch) {
      snprintf(buf, size, "joint '%s' %s", k->j[i].name, names[k->ch[c]]);
      return buf;
    }
  return "?";
}

/* Parse one motion line into vals[0..n_ch). */
static int parse_row(const char *path, const dp_lines *L, const bvh_skel *k, double *vals) {
  const char *p = L->ls, *t;
  size_t n;
  int got = 0, n_ch = k->n_ch;
  char q[64], where[160];
  while (dp_tok(&p, L->le, &t, &n)) {
    if (got < n_ch) {
      int rc = dp_parse_number(t, n, &vals[got]);
      if (rc != DP_NUM_OK)
        return dp_fail("%s:%d: value %d of the motion line (%s) is %s: '%s'", path, L->lineno,
                       got + 1, describe_channel(k, got, where, sizeof where),
                       rc == DP_NUM_NONFINITE ? "NaN or infinite (expected a finite number)"
                                              : "not a number",
                       dp_token_quote(t, n, q, sizeof q));
    }
    got++;
  }
  if (got != n_ch)
    return dp_fail("%s:%d: wrong number of values on a motion line: expected %d channels, "
                   "got %d%s",
                   path, L->lineno, n_ch, got,
                   dp_lines_unterminated(L) ? " (last line has no newline: truncated file?)" : "");
  return 0;
}

/* World positions of every joint for one frame of channel values. R/P are scratch
 * arrays of n joints (world rotation and position). */
static void forward_kinematics(const bvh_skel *k, const double *vals, double unit_mm, double *R,
                               double *P, float *out) {
  for (int i = 0; i < k->n; i++) {
    const bvh_joint *j = &k->j[i];
    double t[3] = {j->offset[0], j->offset[1], j->offset[2]};
    double *Ri = R + 9 * i, *Pi = P + 3 * i;
    double Rl[9];
    dp_m3_identity(Rl);
    for (int c = 0; c < j->n_ch; c++) {
      int kind = k->ch[j->ch_first + c];
      double v = vals[j->ch_first + c];
      if (kind <= CH_ZPOS) {
        t[kind] += v;
      } else {
        double a = v * DP_DEG2RAD;
        dp_m3_post_rot(Rl, kind - CH_XROT, cos(a), sin(a));
      }
    }
    if (j->parent < 0) {
      memcpy(Ri, Rl, sizeof Rl);
      memcpy(Pi, t, sizeof t);
    } else {
      const double *Rp = R + 9 * j->parent, *Pp = P + 3 * j->parent;
      dp_m3_mul(Rp, Rl, Ri);
      dp_m3_apply_add(Rp, t, Pp, Pi);
    }
    for (int a = 0; a < 3; a++) out[3 * i + a] = (float)(Pi[a] * unit_mm);
  }
}

static int parse_frames(const bvh_skel *k, const bvh_scan *s, int skip, double unit_mm,
                        dp_clip *out) {
  double *vals = dp_malloc((size_t)(k->n_ch ? k->n_ch : 1) * sizeof *vals, "a motion row");
  double *R = dp_malloc((size_t)k->n * 9 * sizeof *R, "FK rotations");
  double *P = dp_malloc((size_t)k->n * 3 * sizeof *P, "FK positions");
  int rc = (vals && R && P) ? 0 : -1;
  dp_lines L;
  dp_lines_init(&L, s->p, (size_t)(s->end - s->p), s->line + 1);
  int row = 0;
  while (rc == 0 && dp_lines_next(&L)) {
    if (line_blank(L.ls, L.le)) continue;
    rc = parse_row(s->path, &L, k, vals);
    if (rc == 0 && row >= skip)
      forward_kinematics(k, vals, unit_mm, R, P,
                         out->pos + (size_t)(row - skip) * (size_t)k->n * 3);
    row++;
  }
  free(vals);
  free(R);
  free(P);
  return rc;
}

/* Hand the joint names over to the clip (after parsing: messages still use them). */
static void move_joints(bvh_skel *k, dp_clip *out) {
  for (int i = 0; i < k->n; i++) {
    out->joint_names[i] = k->j[i].name; /* ownership moves to the clip */
    k->j[i].name = NULL;
    out->parent[i] = k->j[i].parent;
  }
}

static int bvh_parse(const char *path, const char *buf, size_t len, double unit_mm, int skip,
                     dp_clip *out) {
  bvh_skel k = {0};
  bvh_scan s = {path, buf, buf + len, 1, buf, 0};
  bvh_motion_header h = {0, 0};
  int rc = parse_hierarchy(&k, &s);
  if (rc == 0) rc = parse_motion_header(&s, &h);
  if (rc == 0) rc = check_frame_count(&s, &h);
  if (rc == 0 && h.frames - skip <= 0)
    rc = dp_fail("%s:%d: empty clip: 'Frames: %d' with %d leading frame(s) skipped leaves no "
                 "frames",
                 path, h.frames_line, h.frames, skip);
  if (rc == 0) rc = dp_clip_alloc(out, k.n, h.frames - skip, 1);
  if (rc == 0) rc = parse_frames(&k, &s, skip, unit_mm, out);
  if (rc == 0) move_joints(&k, out);
  skel_free(&k);
  return rc;
}

int dp_bvh_read(const char *path, double unit_mm, int skip_frames, dp_clip *out) {
  memset(out, 0, sizeof *out);
  if (!(unit_mm > 0) || !isfinite(unit_mm))
    return dp_fail("%s: unit_mm must be a positive number of millimetres per BVH unit, got %g",
                   path, unit_mm);
  if (skip_frames < 0)
    return dp_fail("%s: skip_frames must be >= 0, got %d", path, skip_frames);
  char *buf;
  size_t len;
  DP_TRY(dp_slurp(path, &buf, &len));
  int rc = bvh_parse(path, buf, len, unit_mm, skip_frames, out);
  free(buf);
  if (rc) dp_clip_free(out);
  return rc;
}
