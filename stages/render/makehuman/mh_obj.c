/* mh_obj.c - read MakeHuman's base mesh (base.obj, README "File formats"): every `v`
 * (decimetres), the quads of the `body` group - the only ones drawn - and the vertices
 * of the `joint-ground` cube (the floor reference). Other faces are checked, not kept.
 *
 * OBJ is a line format: "v x y z", "g name", "f v/vt v/vt v/vt v/vt" (1-based; a
 * negative index counts back from the last vertex). Every malformed line is an error
 * naming the file, the line and what was expected. A face may only use vertices defined
 * above it, which base.obj does and which catches a file cut short. */
#include <stdlib.h>
#include <string.h>

#include "../../ingest/mocap_text.h"
#include "depthpose/error.h"
#include "mh_internal.h"

typedef struct {
  const char *path;
  int line;
  float *v;
  int nv, cap_v;
  int32_t *quad; /* body quads, base.obj vertex indices */
  int nq, cap_q;
  int32_t *ground;
  int ng, cap_g;
  int in_body, in_ground, saw_body, saw_ground;
} obj_reader;

static int parse_vertex(obj_reader *r, const char *p, const char *end) {
  double x[3];
  const char *t;
  size_t n;
  char q[64];
  for (int k = 0; k < 3; k++) {
    if (!dp_tok(&p, end, &t, &n))
      return dp_fail("%s:%d: expected 'v x y z' with 3 numbers, got %d", r->path, r->line, k);
    int rc = dp_parse_number(t, n, &x[k]);
    if (rc != DP_NUM_OK)
      return dp_fail("%s:%d: vertex coordinate %s '%s'", r->path, r->line,
                     rc == DP_NUM_BAD ? "is not a number:" : "is not finite:",
                     dp_token_quote(t, n, q, sizeof q));
  }
  DP_TRY(dp_grow((void **)&r->v, &r->cap_v, r->nv + 1, 3 * sizeof(float), "base.obj vertices"));
  for (int k = 0; k < 3; k++) r->v[3 * r->nv + k] = (float)x[k];
  r->nv++;
  return 0;
}

/* One face corner "v", "v/vt", "v//vn" or "v/vt/vn": the vertex index, 0-based. */
static int corner_index(obj_reader *r, const char *t, size_t n, int32_t *out) {
  size_t k = 0;
  while (k < n && t[k] != '/') k++;
  double x;
  char q[64];
  if (dp_parse_number(t, k, &x) != DP_NUM_OK || x != (double)(long)x || x == 0)
    return dp_fail("%s:%d: face corner '%s': expected a non-zero vertex number", r->path,
                   r->line, dp_token_quote(t, n, q, sizeof q));
  long i = x > 0 ? (long)x - 1 : r->nv + (long)x;
  if (i < 0 || i >= r->nv)
    return dp_fail("%s:%d: face uses vertex %ld but %d vertices are defined above it", r->path,
                   r->line, (long)x, r->nv);
  *out = (int32_t)i;
  return 0;
}

static int add_ground_vertex(obj_reader *r, int32_t v) {
  for (int i = 0; i < r->ng; i++)
    if (r->ground[i] == v) return 0;
  DP_TRY(dp_grow((void **)&r->ground, &r->cap_g, r->ng + 1, sizeof(int32_t), "ground vertices"));
  r->ground[r->ng++] = v;
  return 0;
}

static int parse_face(obj_reader *r, const char *p, const char *end) {
  int32_t c[8];
  int n = 0;
  const char *t;
  size_t len;
  while (dp_tok(&p, end, &t, &len)) {
    if (n == 8) return dp_fail("%s:%d: face with more than 8 corners", r->path, r->line);
    DP_TRY(corner_index(r, t, len, &c[n++]));
  }
  if (n < 3) return dp_fail("%s:%d: face with %d corners, expected at least 3", r->path, r->line, n);
  if (r->in_ground)
    for (int k = 0; k < n; k++) DP_TRY(add_ground_vertex(r, c[k]));
  if (!r->in_body) return 0;
  if (n != 4)
    return dp_fail("%s:%d: body face with %d corners, expected a quad (the hm08 body is all "
                   "quads)", r->path, r->line, n);
  DP_TRY(dp_grow((void **)&r->quad, &r->cap_q, r->nq + 1, 4 * sizeof(int32_t), "body quads"));
  memcpy(r->quad + 4 * r->nq++, c, sizeof(int32_t) * 4);
  return 0;
}

static int parse_group(obj_reader *r, const char *p, const char *end) {
  const char *t;
  size_t n;
  if (!dp_tok(&p, end, &t, &n)) return dp_fail("%s:%d: 'g' without a group name", r->path, r->line);
  r->in_body = dp_tok_is(t, n, "body");
  r->in_ground = dp_tok_is(t, n, "joint-ground");
  r->saw_body |= r->in_body;
  r->saw_ground |= r->in_ground;
  return 0;
}

static int parse_lines(obj_reader *r, const char *buf, size_t len) {
  dp_lines L;
  dp_lines_init(&L, buf, len, 1);
  while (dp_lines_next(&L)) {
    r->line = L.lineno;
    const char *p = L.ls, *t;
    size_t n;
    if (!dp_tok(&p, L.le, &t, &n) || t[0] == '#') continue;
    if (dp_tok_is(t, n, "v")) DP_TRY(parse_vertex(r, p, L.le));
    else if (dp_tok_is(t, n, "f")) DP_TRY(parse_face(r, p, L.le));
    else if (dp_tok_is(t, n, "g")) DP_TRY(parse_group(r, p, L.le));
    /* vt, vn, s, o, usemtl, mtllib: nothing the body model needs */
  }
  if (!r->saw_body || r->nq == 0)
    return dp_fail("%s: no faces in group 'body': the file is cut short or is not MakeHuman's "
                   "hm08 base mesh", r->path);
  if (!r->saw_ground || r->ng == 0)
    return dp_fail("%s: no group 'joint-ground' (the floor reference): the file is cut short "
                   "or is not MakeHuman's hm08 base mesh", r->path);
  return 0;
}

/* Number the vertices the body quads use (ascending base.obj order) and split every
 * quad (a, b, c, d) into (a, b, c), (a, c, d): same winding, so outward stays outward. */
static int compact_body(dp_mh_model *m, const obj_reader *r) {
  int32_t *local = malloc(sizeof(int32_t) * (size_t)r->nv);
  if (!local) return dp_fail("out of memory numbering the body vertices");
  for (int i = 0; i < r->nv; i++) local[i] = -1;
  for (int i = 0; i < 4 * r->nq; i++) local[r->quad[i]] = 0;
  int nb = 0;
  for (int i = 0; i < r->nv; i++)
    if (local[i] == 0) local[i] = nb++;
  m->n_body_vert = nb;
  m->n_tri = 2 * r->nq;
  m->body_vert = dp_malloc(sizeof(int32_t) * (size_t)nb, "body vertex list");
  m->tri = dp_malloc(sizeof(uint32_t) * 3 * (size_t)m->n_tri, "body triangles");
  if (!m->body_vert || !m->tri) {
    free(local);
    return -1;
  }
  for (int i = 0; i < r->nv; i++)
    if (local[i] >= 0) m->body_vert[local[i]] = i;
  static const int SPLIT[6] = {0, 1, 2, 0, 2, 3};
  for (int q = 0; q < r->nq; q++)
    for (int k = 0; k < 6; k++) m->tri[6 * q + k] = (uint32_t)local[r->quad[4 * q + SPLIT[k]]];
  free(local);
  return 0;
}

int mh_obj_load(dp_mh_model *m, const char *path) {
  char *buf;
  size_t len;
  DP_TRY(dp_slurp(path, &buf, &len));
  obj_reader r = {.path = path};
  int rc = parse_lines(&r, buf, len);
  free(buf);
  if (rc == 0) rc = compact_body(m, &r);
  free(r.quad);
  m->n_vert = r.nv;
  m->base = r.v;
  m->n_ground = r.ng;
  m->ground_vert = r.ground;
  return rc;
}
