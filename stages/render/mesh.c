/* mesh.c - triangle lists and the tessellated primitives everything in a frame is
 * drawn from (see render.h). Every curved primitive is one surface of revolution
 * (dp_mesh_revolve) with a different profile, so there is one tessellation routine to
 * get right. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/render.h"

#define PI 3.14159265358979323846

void dp_mesh_init(dp_mesh *m) { memset(m, 0, sizeof *m); }

void dp_mesh_free(dp_mesh *m) {
  free(m->v);
  free(m->tri);
  free(m->id);
  dp_mesh_init(m);
}

void dp_mesh_clear(dp_mesh *m) { m->nv = m->nt = 0; }

/* Grow to hold `need` items, doubling so a per-frame mesh stops reallocating after the
 * first few frames. */
static int grow(void **p, int *cap, int need, size_t item, const char *what) {
  if (need <= *cap) return 0;
  int c = *cap ? *cap : 256;
  while (c < need) c *= 2;
  void *q = realloc(*p, (size_t)c * item);
  if (!q) return dp_fail("out of memory growing the mesh %s to %d entries", what, c);
  *p = q;
  *cap = c;
  return 0;
}

int dp_mesh_reserve(dp_mesh *m, int extra_v, int extra_t) {
  void *v = m->v, *t = m->tri;
  int cap_v = m->cap_v, cap_t = m->cap_t;
  DP_TRY(grow(&v, &cap_v, m->nv + extra_v, 3 * sizeof(float), "vertices"));
  m->v = v;
  m->cap_v = cap_v;
  DP_TRY(grow(&t, &cap_t, m->nt + extra_t, 3 * sizeof(uint32_t), "triangles"));
  m->tri = t;
  /* ids grow with triangles: same capacity */
  if (cap_t > m->cap_t) {
    uint16_t *id = realloc(m->id, (size_t)cap_t * sizeof *id);
    if (!id) return dp_fail("out of memory growing the mesh ids to %d entries", cap_t);
    m->id = id;
  }
  m->cap_t = cap_t;
  return 0;
}

int dp_mesh_vertex(dp_mesh *m, float x, float y, float z) {
  if (m->nv >= m->cap_v && dp_mesh_reserve(m, 1, 0)) return -1;
  float *p = m->v + 3 * (size_t)m->nv;
  p[0] = x;
  p[1] = y;
  p[2] = z;
  return m->nv++;
}

int dp_mesh_triangle(dp_mesh *m, int a, int b, int c, uint16_t id) {
  if (m->nt >= m->cap_t && dp_mesh_reserve(m, 0, 1)) return -1;
  uint32_t *t = m->tri + 3 * (size_t)m->nt;
  t[0] = (uint32_t)a;
  t[1] = (uint32_t)b;
  t[2] = (uint32_t)c;
  m->id[m->nt++] = id;
  return 0;
}

int dp_mesh_append(dp_mesh *dst, const dp_mesh *src) {
  DP_TRY(dp_mesh_reserve(dst, src->nv, src->nt));
  memcpy(dst->v + 3 * (size_t)dst->nv, src->v, 3 * sizeof(float) * (size_t)src->nv);
  for (int i = 0; i < 3 * src->nt; i++) dst->tri[3 * (size_t)dst->nt + i] = src->tri[i] + (uint32_t)dst->nv;
  memcpy(dst->id + dst->nt, src->id, sizeof(uint16_t) * (size_t)src->nt);
  dst->nv += src->nv;
  dst->nt += src->nt;
  return 0;
}

int dp_mesh_check_finite(const dp_mesh *m, const char *what) {
  for (int i = 0; i < 3 * m->nv; i++)
    if (!isfinite(m->v[i]))
      return dp_fail("%s: vertex %d has a non-finite coordinate (NaN or inf in the input?)",
                     what, i / 3);
  return 0;
}

/* ---- surfaces of revolution --------------------------------------------------- */

static float det3(const float a[9]) {
  return a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6]) +
         a[2] * (a[3] * a[7] - a[4] * a[6]);
}

static int add_tri_wound(dp_mesh *m, int a, int b, int c, int flip, uint16_t id) {
  return flip ? dp_mesh_triangle(m, a, c, b, id) : dp_mesh_triangle(m, a, b, c, id);
}

/* Profile point k as its vertex range: poles (rho = 0) are one vertex, rings seg. */
int dp_mesh_revolve(dp_mesh *m, const float origin[3], const float axes[9], const float *s,
                    const float *rho, int n, int seg, uint16_t id) {
  if (n < 2 || seg < 3) return dp_fail("revolve: need >= 2 profile points and >= 3 segments");
  DP_TRY(dp_mesh_reserve(m, n * seg, 2 * n * seg));
  /* A mirroring frame would turn every triangle inside out: undo it in the winding. */
  int flip = det3(axes) < 0;
  float cs[64], sn[64];
  if (seg > 64) return dp_fail("revolve: at most 64 segments (got %d)", seg);
  for (int j = 0; j < seg; j++) {
    cs[j] = (float)cos(2.0 * PI * j / seg);
    sn[j] = (float)sin(2.0 * PI * j / seg);
  }
  int prev = -1, prev_pole = 0;
  for (int k = 0; k < n; k++) {
    int pole = rho[k] <= 0.0f, first = m->nv;
    for (int j = 0; j < (pole ? 1 : seg); j++) {
      float l[3] = {pole ? 0.0f : rho[k] * cs[j], pole ? 0.0f : rho[k] * sn[j], s[k]};
      float w[3];
      for (int i = 0; i < 3; i++)
        w[i] = origin[i] + axes[3 * i] * l[0] + axes[3 * i + 1] * l[1] + axes[3 * i + 2] * l[2];
      DP_TRY(dp_mesh_vertex(m, w[0], w[1], w[2]) < 0 ? -1 : 0);
    }
    if (prev >= 0 && !(pole && prev_pole)) {
      for (int j = 0; j < seg; j++) {
        int j1 = (j + 1) % seg;
        int a = prev_pole ? prev : prev + j, b = prev_pole ? prev : prev + j1;
        int c = pole ? first : first + j1, d = pole ? first : first + j;
        /* quad a b c d, counter-clockwise seen from outside when the profile runs
         * from the start pole over the outside to the end pole */
        if (!prev_pole) DP_TRY(add_tri_wound(m, a, b, c, flip, id));
        if (!pole) DP_TRY(add_tri_wound(m, a, c, d, flip, id));
      }
    }
    prev = first;
    prev_pole = pole;
  }
  return 0;
}

/* Orthonormal frame whose third column is the unit vector z (row-major). */
static void frame_from_axis(const float z[3], float axes[9]) {
  /* cross with the world axis least aligned with z: never degenerate */
  float h[3] = {0, 0, 0};
  int i = fabsf(z[0]) < fabsf(z[1]) ? (fabsf(z[0]) < fabsf(z[2]) ? 0 : 2)
                                    : (fabsf(z[1]) < fabsf(z[2]) ? 1 : 2);
  h[i] = 1.0f;
  float x[3] = {h[1] * z[2] - h[2] * z[1], h[2] * z[0] - h[0] * z[2], h[0] * z[1] - h[1] * z[0]};
  float nx = sqrtf(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
  for (int k = 0; k < 3; k++) x[k] /= nx;
  float y[3] = {z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0]};
  for (int r = 0; r < 3; r++) {
    axes[3 * r] = x[r];
    axes[3 * r + 1] = y[r];
    axes[3 * r + 2] = z[r];
  }
}

static int sphere(dp_mesh *m, const float c[3], float r, int seg, int rings, uint16_t id) {
  float rr[3] = {r, r, r};
  return dp_mesh_ellipsoid(m, c, rr, NULL, seg, 2 * rings, id);
}

int dp_mesh_capsule(dp_mesh *m, const float a[3], const float b[3], float ra, float rb,
                    int seg, int rings, uint16_t id) {
  if (!(ra > 0 && rb > 0) || rings < 2 || rings > 30)
    return dp_fail("capsule: radii must be > 0 (got %g, %g) and rings in 2..30 (got %d)", ra,
                   rb, rings);
  float d[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
  float len = sqrtf(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
  /* One sphere inside the other: the hull is the bigger sphere. */
  if (len <= fabsf(ra - rb) + 1e-3f * (ra + rb))
    return ra >= rb ? sphere(m, a, ra, seg, rings, id) : sphere(m, b, rb, seg, rings, id);
  for (int i = 0; i < 3; i++) d[i] /= len;
  float axes[9];
  frame_from_axis(d, axes);
  /* The cone tangent to both spheres touches them at polar angle pi/2 + phi from the
   * start pole, sin(phi) = (ra - rb) / len. */
  double phi = asin((ra - rb) / len), split = PI / 2 + phi;
  float s[62], rho[62];
  int n = 0;
  for (int k = 0; k <= rings; k++, n++) {
    double t = split * k / rings;
    s[n] = (float)(-ra * cos(t));
    rho[n] = k == 0 ? 0.0f : (float)(ra * sin(t));
  }
  for (int k = 0; k <= rings; k++, n++) {
    double t = split + (PI - split) * k / rings;
    s[n] = (float)(len - rb * cos(t));
    rho[n] = k == rings ? 0.0f : (float)(rb * sin(t));
  }
  return dp_mesh_revolve(m, a, axes, s, rho, n, seg, id);
}

int dp_mesh_ellipsoid(dp_mesh *m, const float c[3], const float r[3], const float *rot,
                      int seg, int rings, uint16_t id) {
  if (!(r[0] > 0 && r[1] > 0 && r[2] > 0) || rings < 2 || rings > 60)
    return dp_fail("ellipsoid: semi-axes must be > 0 and rings in 2..60");
  static const float eye[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  const float *R = rot ? rot : eye;
  float axes[9];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) axes[3 * i + j] = R[3 * i + j] * r[j];
  float s[61], rho[61];
  for (int k = 0; k <= rings; k++) {
    double t = PI * k / rings;
    s[k] = (float)-cos(t);
    rho[k] = (k == 0 || k == rings) ? 0.0f : (float)sin(t);
  }
  return dp_mesh_revolve(m, c, axes, s, rho, rings + 1, seg, id);
}

int dp_mesh_cylinder(dp_mesh *m, const float a[3], const float b[3], float r, int seg,
                     uint16_t id) {
  float d[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
  float len = sqrtf(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
  if (!(r > 0) || !(len > 0)) return dp_fail("cylinder: radius and length must be > 0");
  for (int i = 0; i < 3; i++) d[i] /= len;
  float axes[9];
  frame_from_axis(d, axes);
  const float s[4] = {0, 0, len, len}, rho[4] = {0, r, r, 0};
  return dp_mesh_revolve(m, a, axes, s, rho, 4, seg, id);
}

/* Add triangle a b c wound so that its normal points away from `inside`: valid for
 * convex solids, and simpler than keeping a hand-written face table right. */
static int tri_outward(dp_mesh *m, int a, int b, int c, const float inside[3], uint16_t id) {
  const float *p = m->v + 3 * a, *q = m->v + 3 * b, *r = m->v + 3 * c;
  float u[3] = {q[0] - p[0], q[1] - p[1], q[2] - p[2]};
  float v[3] = {r[0] - p[0], r[1] - p[1], r[2] - p[2]};
  float n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
  float o = n[0] * (p[0] - inside[0]) + n[1] * (p[1] - inside[1]) + n[2] * (p[2] - inside[2]);
  return add_tri_wound(m, a, b, c, o < 0, id);
}

int dp_mesh_box(dp_mesh *m, const float c[3], const float h[3], const float *rot,
                uint16_t id) {
  if (!(h[0] > 0 && h[1] > 0 && h[2] > 0)) return dp_fail("box: half-extents must be > 0");
  static const float eye[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  const float *R = rot ? rot : eye;
  DP_TRY(dp_mesh_reserve(m, 8, 12));
  int base = m->nv;
  for (int i = 0; i < 8; i++) { /* corner i: bit k set = +h along axis k */
    float l[3] = {(i & 1) ? h[0] : -h[0], (i & 2) ? h[1] : -h[1], (i & 4) ? h[2] : -h[2]};
    float w[3];
    for (int r = 0; r < 3; r++) w[r] = c[r] + R[3 * r] * l[0] + R[3 * r + 1] * l[1] + R[3 * r + 2] * l[2];
    DP_TRY(dp_mesh_vertex(m, w[0], w[1], w[2]) < 0 ? -1 : 0);
  }
  /* Each face: the 4 corners with bit `axis` fixed, in cyclic order. */
  for (int axis = 0; axis < 3; axis++)
    for (int side = 0; side < 2; side++) {
      int b1 = 1 << ((axis + 1) % 3), b2 = 1 << ((axis + 2) % 3), f = side ? 1 << axis : 0;
      int q[4] = {f, f | b1, f | b1 | b2, f | b2};
      DP_TRY(tri_outward(m, base + q[0], base + q[1], base + q[2], c, id));
      DP_TRY(tri_outward(m, base + q[0], base + q[2], base + q[3], c, id));
    }
  return 0;
}

int dp_mesh_quad(dp_mesh *m, const float p0[3], const float u[3], const float v[3],
                 uint16_t id) {
  DP_TRY(dp_mesh_reserve(m, 4, 2));
  int a = dp_mesh_vertex(m, p0[0], p0[1], p0[2]);
  int b = dp_mesh_vertex(m, p0[0] + u[0], p0[1] + u[1], p0[2] + u[2]);
  int c = dp_mesh_vertex(m, p0[0] + u[0] + v[0], p0[1] + u[1] + v[1], p0[2] + u[2] + v[2]);
  int d = dp_mesh_vertex(m, p0[0] + v[0], p0[1] + v[1], p0[2] + v[2]);
  DP_TRY(dp_mesh_triangle(m, a, b, c, id));
  return dp_mesh_triangle(m, a, c, d, id);
}
