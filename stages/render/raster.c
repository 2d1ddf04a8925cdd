/* raster.c - z-buffer triangle rasterizer (see render.h for the conventions).
 *
 * Pipeline per triangle: camera space -> clip at z = near (Sutherland-Hodgman; a
 * triangle becomes at most 2) -> a guard-band clip only when a vertex projects absurdly
 * far off screen (keeps the fixed-point edge functions inside int64) -> projection ->
 * coverage with exact integer edge functions on vertices snapped to 1/256 pixel, with
 * the top-left fill rule, so two triangles sharing an edge cover every pixel centre on
 * it exactly once -> depth from 1/z, which is affine in screen space (perspective-
 * correct), evaluated at the pixel centre from the unsnapped vertices.
 *
 * Back faces: by default both faces are drawn. Every mesh here is closed, so the
 * z-buffer hides back faces anyway and drawing them costs ~2x triangle setup but makes
 * the output independent of winding mistakes and correct for open surfaces (floor and
 * wall quads seen from either side). cull_backfaces = 1 skips triangles wound
 * clockwise on screen (i.e. facing away, for the outward winding mesh.c produces):
 * same image for closed meshes, used where speed matters. */
#include <math.h>
#include <stdlib.h>

#include "depthpose/error.h"
#include "depthpose/render.h"

#define SUB_BITS 8
#define SUB (1 << SUB_BITS)
/* Projected coordinates stay within +-2^20 px, so snapped coordinates fit in 29 bits and
 * edge-function products in 59. */
#define GUARD_PX 1048576.0

void dp_intrinsics_fov(dp_intrinsics *k, int width, int height, double hfov, double vfov) {
  k->width = width;
  k->height = height;
  k->fx = (float)(width / (2.0 * tan(hfov / 2)));
  k->fy = (float)(height / (2.0 * tan(vfov / 2)));
  k->cx = 0.5f * (float)width;
  k->cy = 0.5f * (float)height;
  k->near_mm = 100.0f;
}

void dp_intrinsics_default(dp_intrinsics *k) {
  const double deg = 3.14159265358979323846 / 180.0;
  dp_intrinsics_fov(k, 176, 144, 44.0 * deg, 35.0 * deg);
}

int dp_intrinsics_check(const dp_intrinsics *k) {
  if (k->width <= 0 || k->height <= 0 || k->width > 16384 || k->height > 16384)
    return dp_fail("intrinsics: image size %dx%d, expected 1..16384 pixels each way",
                   k->width, k->height);
  if (!(isfinite(k->fx) && isfinite(k->fy) && k->fx > 0 && k->fy > 0))
    return dp_fail("intrinsics: focal lengths fx = %g, fy = %g px, expected finite and > 0",
                   k->fx, k->fy);
  if (!(isfinite(k->cx) && isfinite(k->cy)) || k->cx < -(float)k->width ||
      k->cx > 2.0f * k->width || k->cy < -(float)k->height || k->cy > 2.0f * k->height)
    return dp_fail("intrinsics: principal point (%g, %g) px is far outside the %dx%d image",
                   k->cx, k->cy, k->width, k->height);
  if (!(isfinite(k->near_mm) && k->near_mm > 0))
    return dp_fail("intrinsics: near plane %g mm, expected finite and > 0", k->near_mm);
  return 0;
}

/* ---- z-buffer ----------------------------------------------------------------- */

int dp_zbuffer_init(dp_zbuffer *zb, int width, int height, int with_id) {
  zb->width = width;
  zb->height = height;
  zb->scratch = NULL;
  zb->scratch_cap = 0;
  zb->cull_backfaces = 0;
  zb->id = NULL;
  size_t n = (size_t)width * (size_t)height;
  zb->depth = dp_malloc(n * sizeof(float), "depth buffer");
  if (!zb->depth) return -1;
  if (with_id && !(zb->id = dp_malloc(n * sizeof(uint16_t), "object-id buffer"))) {
    free(zb->depth);
    zb->depth = NULL;
    return -1;
  }
  dp_zbuffer_clear(zb);
  return 0;
}

void dp_zbuffer_clear(dp_zbuffer *zb) {
  size_t n = (size_t)zb->width * (size_t)zb->height;
  for (size_t i = 0; i < n; i++) zb->depth[i] = INFINITY;
  if (zb->id)
    for (size_t i = 0; i < n; i++) zb->id[i] = 0;
}

void dp_zbuffer_free(dp_zbuffer *zb) {
  free(zb->depth);
  free(zb->id);
  free(zb->scratch);
  zb->depth = zb->scratch = NULL;
  zb->id = NULL;
}

/* ---- clipping ------------------------------------------------------------------ */

typedef struct {
  double p[9][3];
  int n;
} poly;

/* Keep the part of `in` where n.p + d >= 0. */
static void clip_plane(const poly *in, poly *out, const double n[3], double d) {
  out->n = 0;
  for (int i = 0; i < in->n; i++) {
    const double *a = in->p[i], *b = in->p[(i + 1) % in->n];
    double da = n[0] * a[0] + n[1] * a[1] + n[2] * a[2] + d;
    double db = n[0] * b[0] + n[1] * b[1] + n[2] * b[2] + d;
    if (da >= 0) {
      for (int k = 0; k < 3; k++) out->p[out->n][k] = a[k];
      out->n++;
    }
    if ((da >= 0) != (db >= 0)) {
      double t = da / (da - db);
      for (int k = 0; k < 3; k++) out->p[out->n][k] = a[k] + t * (b[k] - a[k]);
      out->n++;
    }
  }
}

/* ---- coverage and depth -------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b) { /* b > 0 */
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}
static int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

typedef struct {
  int64_t dx, dy, ax, ay, bias; /* edge a -> b; inside when E - bias >= 0 */
} edge;

/* Top-left rule for a positive-area triangle ((b-a) x (c-a) > 0 in (u, v), which looks
 * clockwise on the y-down screen): centres exactly on a top edge (horizontal, dx > 0) or a left edge
 * (dy < 0) are inside, on the others outside. The rule is antisymmetric in the edge
 * direction, so of two triangles sharing an edge exactly one owns its centres. */
static edge make_edge(int64_t ax, int64_t ay, int64_t bx, int64_t by) {
  edge e = {bx - ax, by - ay, ax, ay, 0};
  int top_left = e.dy < 0 || (e.dy == 0 && e.dx > 0);
  e.bias = top_left ? 0 : 1;
  return e;
}

static int64_t edge_eval(const edge *e, int64_t px, int64_t py) {
  return e->dx * (py - e->ay) - e->dy * (px - e->ax) - e->bias;
}

/* Narrow [*lo, *hi] (pixel offsets from the row start) to where e + step*k >= 0. */
static void span_edge(int64_t e, int64_t step, int64_t *lo, int64_t *hi) {
  if (step > 0) {
    if (e < 0) {
      int64_t k = ceil_div(-e, step);
      if (k > *lo) *lo = k;
    }
  } else if (step < 0) {
    if (e < 0) {
      *hi = -1;
      *lo = 0;
      return;
    }
    int64_t k = floor_div(e, -step);
    if (k < *hi) *hi = k;
  } else if (e < 0) {
    *hi = -1;
    *lo = 0;
  }
}

/* Round to the subpixel grid, half away from zero (inline: llround is a libm call). */
static int64_t snap(double x) {
  double t = x * SUB;
  return (int64_t)(t >= 0 ? t + 0.5 : t - 0.5);
}

/* Columns [*lo, *hi] (offsets from column c0) of row py covered by the triangle.
 * Narrow boxes test pixel by pixel; wide ones (floors, walls) solve each edge for its
 * crossing with one division, so a full-screen triangle costs O(rows). */
static void row_span(const edge e[3], int64_t px, int64_t py, int64_t *lo, int64_t *hi) {
  int64_t e0 = edge_eval(&e[0], px, py), e1 = edge_eval(&e[1], px, py),
          e2 = edge_eval(&e[2], px, py);
  int64_t s0 = -e[0].dy * SUB, s1 = -e[1].dy * SUB, s2 = -e[2].dy * SUB;
  if (*hi < 32) {
    int64_t n = *hi, first = -1, last = -2;
    for (int64_t k = 0; k <= n; k++, e0 += s0, e1 += s1, e2 += s2)
      if ((e0 | e1 | e2) >= 0) { /* all three signs clear */
        if (first < 0) first = k;
        last = k;
      } else if (first >= 0) {
        break; /* a triangle's row is one run */
      }
    *lo = first < 0 ? 0 : first;
    *hi = first < 0 ? -1 : last;
    return;
  }
  span_edge(e0, s0, lo, hi);
  span_edge(e1, s1, lo, hi);
  span_edge(e2, s2, lo, hi);
}

/* Rasterize a projected triangle: (u, v) continuous pixels, w = 1/z. */
static void raster_projected(dp_zbuffer *zb, const double u[3], const double v[3],
                             const double w[3], uint16_t id) {
  int64_t X[3], Y[3];
  for (int i = 0; i < 3; i++) {
    X[i] = snap(u[i]);
    Y[i] = snap(v[i]);
  }
  int64_t area = (X[1] - X[0]) * (Y[2] - Y[0]) - (Y[1] - Y[0]) * (X[2] - X[0]);
  if (area == 0) return;
  /* area < 0 is front-facing for outward-wound meshes (see the header comment) */
  if (area > 0 && zb->cull_backfaces) return;
  int i1 = 1, i2 = 2;
  if (area < 0) i1 = 2, i2 = 1;
  edge e[3] = {make_edge(X[i1], Y[i1], X[i2], Y[i2]), make_edge(X[i2], Y[i2], X[0], Y[0]),
               make_edge(X[0], Y[0], X[i1], Y[i1])};

  int64_t xmin = X[0], xmax = X[0], ymin = Y[0], ymax = Y[0];
  for (int i = 1; i < 3; i++) {
    xmin = X[i] < xmin ? X[i] : xmin;
    xmax = X[i] > xmax ? X[i] : xmax;
    ymin = Y[i] < ymin ? Y[i] : ymin;
    ymax = Y[i] > ymax ? Y[i] : ymax;
  }
  /* pixel i's centre is at i*SUB + SUB/2 */
  int64_t c0 = ceil_div(xmin - SUB / 2, SUB), c1 = floor_div(xmax - SUB / 2, SUB);
  int64_t r0 = ceil_div(ymin - SUB / 2, SUB), r1 = floor_div(ymax - SUB / 2, SUB);
  if (c0 < 0) c0 = 0;
  if (r0 < 0) r0 = 0;
  if (c1 > zb->width - 1) c1 = zb->width - 1;
  if (r1 > zb->height - 1) r1 = zb->height - 1;
  if (c0 > c1 || r0 > r1) return;

  /* 1/z as an affine function of the pixel position, from the exact vertices */
  double du1 = u[1] - u[0], dv1 = v[1] - v[0], du2 = u[2] - u[0], dv2 = v[2] - v[0];
  double dw1 = w[1] - w[0], dw2 = w[2] - w[0], D = du1 * dv2 - dv1 * du2;
  double pa = 0, pb = 0;
  if (D != 0) {
    pa = (dw1 * dv2 - dw2 * dv1) / D;
    pb = (dw2 * du1 - dw1 * du2) / D;
  }
  /* Snapping can admit a centre a hair outside the exact triangle; clamping to the
   * vertices' range keeps its depth sane (1/z over a triangle lies within it). */
  double wmin = w[0] < w[1] ? w[0] : w[1], wmax = w[0] > w[1] ? w[0] : w[1];
  wmin = w[2] < wmin ? w[2] : wmin;
  wmax = w[2] > wmax ? w[2] : wmax;

  for (int64_t r = r0; r <= r1; r++) {
    int64_t py = r * SUB + SUB / 2, px = c0 * SUB + SUB / 2;
    int64_t lo = 0, hi = c1 - c0;
    row_span(e, px, py, &lo, &hi);
    if (lo > hi) continue;
    size_t row = (size_t)r * (size_t)zb->width;
    double vc = (double)r + 0.5 - v[0];
    for (int64_t c = c0 + lo; c <= c0 + hi; c++) {
      double iz = w[0] + pa * ((double)c + 0.5 - u[0]) + pb * vc;
      iz = iz < wmin ? wmin : (iz > wmax ? wmax : iz);
      float z = (float)(1.0 / iz);
      size_t p = row + (size_t)c;
      if (z < zb->depth[p]) {
        zb->depth[p] = z;
        if (zb->id) zb->id[p] = id;
      }
    }
  }
}

/* Clip a camera-space polygon at the guard band: u, v within +-GUARD_PX. */
static void clip_guard(const dp_intrinsics *k, poly *pg) {
  poly tmp;
  /* u <= G  <=>  -fx x + (G - cx) z >= 0, and so on (z > 0 after the near clip) */
  const double n[4][3] = {{-k->fx, 0, GUARD_PX - k->cx},
                          {k->fx, 0, GUARD_PX + k->cx},
                          {0, -k->fy, GUARD_PX - k->cy},
                          {0, k->fy, GUARD_PX + k->cy}};
  for (int i = 0; i < 4; i++) {
    clip_plane(pg, &tmp, n[i], 0.0);
    *pg = tmp;
  }
}

static int project_poly(const dp_intrinsics *k, const poly *pg, double *u, double *v,
                        double *w) {
  int far_out = 0;
  for (int i = 0; i < pg->n; i++) {
    w[i] = 1.0 / pg->p[i][2];
    u[i] = k->fx * pg->p[i][0] * w[i] + k->cx;
    v[i] = k->fy * pg->p[i][1] * w[i] + k->cy;
    far_out |= !(fabs(u[i]) < GUARD_PX && fabs(v[i]) < GUARD_PX);
  }
  return far_out;
}

static void draw_poly(dp_zbuffer *zb, const dp_intrinsics *k, poly *pg, uint16_t id) {
  double u[9], v[9], w[9];
  if (project_poly(k, pg, u, v, w)) { /* rare: only vertices far off screen */
    clip_guard(k, pg);
    project_poly(k, pg, u, v, w);
  }
  for (int i = 1; i + 1 < pg->n; i++) { /* fan */
    double uu[3] = {u[0], u[i], u[i + 1]}, vv[3] = {v[0], v[i], v[i + 1]},
           ww[3] = {w[0], w[i], w[i + 1]};
    raster_projected(zb, uu, vv, ww, id);
  }
}

void dp_raster_triangle(dp_zbuffer *zb, const dp_intrinsics *k, const float a[3],
                        const float b[3], const float c[3], uint16_t id) {
  const float *t[3] = {a, b, c};
  int inside = 0;
  for (int i = 0; i < 3; i++) {
    if (!(isfinite(t[i][0]) && isfinite(t[i][1]) && isfinite(t[i][2]))) return;
    inside += t[i][2] >= k->near_mm;
  }
  if (inside == 0) return;
  poly pg = {.n = 3};
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) pg.p[i][j] = t[i][j];
  if (inside < 3) {
    poly out;
    const double n[3] = {0, 0, 1};
    clip_plane(&pg, &out, n, -(double)k->near_mm);
    pg = out;
  }
  draw_poly(zb, k, &pg, id);
}

/* All three vertices beyond one side of the view frustum (or behind near): nothing of
 * the triangle can be visible. Cheap, and skips most of a big floor's neighbours. */
static int outside_frustum(const dp_intrinsics *k, const float *a, const float *b,
                           const float *c) {
  const float *t[3] = {a, b, c};
  int l = 0, r = 0, top = 0, bot = 0, nz = 0;
  float sl = k->cx / k->fx, sr = (k->width - k->cx) / k->fx;
  float st = k->cy / k->fy, sb = (k->height - k->cy) / k->fy;
  for (int i = 0; i < 3; i++) {
    float x = t[i][0], y = t[i][1], z = t[i][2];
    nz += z < k->near_mm;
    l += x < -sl * z;
    r += x > sr * z;
    top += y < -st * z;
    bot += y > sb * z;
  }
  return nz == 3 || l == 3 || r == 3 || top == 3 || bot == 3;
}

/* Does [lo, hi] (continuous pixel coordinates within the guard band) hold a pixel
 * centre k + 0.5, counting centres up to 1/128 px outside it? The slack is more than
 * the 1/512 px that snapping to the 1/256 grid can move an edge plus the float cache's
 * error on screen, so a box without a centre belongs to a triangle that covers none. */
static int box_has_centre(float lo, float hi) {
  const double slack = 1.0 / 128, offset = 2 * GUARD_PX; /* keeps both values positive */
  double a = (double)lo - 0.5 - slack + offset, b = (double)hi - 0.5 + slack + offset;
  int64_t fa = (int64_t)a, fb = (int64_t)b; /* floors */
  return fb > fa || (double)fa == a;        /* ceil(a) <= floor(b) */
}

/* Per-vertex work done once per mesh: camera transform and projection. A triangle
 * whose three vertices are in front of the near plane and inside the guard band (the
 * common case) goes straight to coverage unless its box holds no pixel centre (most
 * triangles of a finely tessellated body far away: skipped before the double-precision
 * set-up, with the same image); the others take the clipping path. */
int dp_raster_mesh(dp_zbuffer *zb, const dp_intrinsics *k, const float m[12],
                   const dp_mesh *mesh) {
  if (zb->width != k->width || zb->height != k->height)
    return dp_fail("raster: z-buffer is %dx%d but the intrinsics say %dx%d", zb->width,
                   zb->height, k->width, k->height);
  if (mesh->nv > zb->scratch_cap) {
    int cap = mesh->nv * 2;
    /* per vertex: camera xyz, then (u, v, w, ok) as floats - a cache for the quick
     * reject; the coverage path recomputes u, v, w in double from xyz */
    float *s = realloc(zb->scratch, (size_t)cap * 7 * sizeof(float));
    if (!s) return dp_fail("out of memory for %d camera-space vertices", cap);
    zb->scratch = s;
    zb->scratch_cap = cap;
  }
  float *cv = zb->scratch, *proj = zb->scratch + 3 * (size_t)zb->scratch_cap;
  for (int i = 0; i < mesh->nv; i++) {
    float *c = cv + 3 * i, *q = proj + 4 * i;
    if (m) dp_camera_apply(m, mesh->v + 3 * i, c);
    else for (int j = 0; j < 3; j++) c[j] = mesh->v[3 * i + j];
    q[3] = 0;
    if (c[2] >= k->near_mm && isfinite(c[0]) && isfinite(c[1]) && isfinite(c[2])) {
      double w = 1.0 / c[2], u = (double)k->fx * c[0] * w + k->cx, v = (double)k->fy * c[1] * w + k->cy;
      q[0] = (float)u, q[1] = (float)v, q[2] = (float)w;
      q[3] = fabs(u) < GUARD_PX && fabs(v) < GUARD_PX;
    }
  }
  for (int t = 0; t < mesh->nt; t++) {
    const uint32_t *ix = mesh->tri + 3 * t;
    const float *a = cv + 3 * ix[0], *b = cv + 3 * ix[1], *c = cv + 3 * ix[2];
    const float *qa = proj + 4 * ix[0], *qb = proj + 4 * ix[1], *qc = proj + 4 * ix[2];
    if (qa[3] != 0 && qb[3] != 0 && qc[3] != 0) {
      /* u, v, w again in double from camera xyz: the float copies are only a cache
       * for the quick reject; depth precision needs the doubles */
      double u[3], v[3], w[3];
      const float *p[3] = {a, b, c}, *q[3] = {qa, qb, qc};
      float umin = qa[0], umax = qa[0], vmin = qa[1], vmax = qa[1];
      for (int i = 1; i < 3; i++) {
        umin = q[i][0] < umin ? q[i][0] : umin;
        umax = q[i][0] > umax ? q[i][0] : umax;
        vmin = q[i][1] < vmin ? q[i][1] : vmin;
        vmax = q[i][1] > vmax ? q[i][1] : vmax;
      }
      if (umax < 0 || vmax < 0 || umin > k->width || vmin > k->height) continue;
      if (!box_has_centre(umin, umax) || !box_has_centre(vmin, vmax)) continue;
      for (int i = 0; i < 3; i++) {
        w[i] = 1.0 / p[i][2];
        u[i] = (double)k->fx * p[i][0] * w[i] + k->cx;
        v[i] = (double)k->fy * p[i][1] * w[i] + k->cy;
      }
      raster_projected(zb, u, v, w, mesh->id[t]);
      continue;
    }
    if (outside_frustum(k, a, b, c)) continue;
    dp_raster_triangle(zb, k, a, b, c, mesh->id[t]);
  }
  return 0;
}
