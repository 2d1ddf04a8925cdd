/* test_raster.c - the z-buffer rasterizer: coverage (fill rule, shared edges), exact
 * perspective-correct depth, near-plane and guard-band clipping, depth order, culling. */
#include <math.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/render.h"
#include "dp_test.h"

static dp_intrinsics K;
static dp_zbuffer zb;

static void setup(void) {
  dp_intrinsics_default(&K);
  CU_ASSERT_FATAL(dp_zbuffer_init(&zb, K.width, K.height, 1) == 0);
}
static void teardown(void) { dp_zbuffer_free(&zb); }

/* camera-space point that projects to pixel coords (u, v) at depth z */
static void at_pixel(double u, double v, double z, float p[3]) {
  p[0] = (float)((u - K.cx) * z / K.fx);
  p[1] = (float)((v - K.cy) * z / K.fy);
  p[2] = (float)z;
}

static void draw_screen_tri(const double t[6], double z, uint16_t id) {
  float a[3], b[3], c[3];
  at_pixel(t[0], t[1], z, a);
  at_pixel(t[2], t[3], z, b);
  at_pixel(t[4], t[5], z, c);
  dp_raster_triangle(&zb, &K, a, b, c, id);
}

static int covered(int i) { return isfinite(zb.depth[i]); }
static int count_covered(void) {
  int n = 0;
  for (int i = 0; i < K.width * K.height; i++) n += covered(i);
  return n;
}

/* Legs on integer pixel lines: no centre lies on them; the hypotenuse u + v = 40 passes
 * through 20 centres, which the top-left rule gives to exactly one of the two halves. */
static void test_axis_aligned_right_triangle_exact(void) {
  setup();
  const double lower[6] = {10, 10, 30, 10, 10, 30}, upper[6] = {30, 10, 30, 30, 10, 30};
  draw_screen_tri(lower, 1000, 1);
  CU_ASSERT_EQUAL(count_covered(), 190); /* hypotenuse is a bottom-right edge here */
  for (int y = 0; y < K.height; y++)
    for (int x = 0; x < K.width; x++) {
      int inside = x >= 10 && y >= 10 && (x + 0.5) + (y + 0.5) < 40;
      CU_ASSERT_EQUAL(covered(y * K.width + x), inside);
    }
  dp_zbuffer_clear(&zb);
  draw_screen_tri(upper, 1000, 1);
  CU_ASSERT_EQUAL(count_covered(), 210); /* ... and a top-left edge here */
  teardown();
}

/* Coverage of each triangle in its own buffer; returns per-pixel draw counts. */
static void add_coverage(const double t[6], int *count) {
  dp_zbuffer_clear(&zb);
  draw_screen_tri(t, 1500, 1);
  for (int i = 0; i < K.width * K.height; i++) count[i] += covered(i);
}

static void test_shared_edges_no_overlap_no_gap(void) {
  setup();
  static int count[176 * 144];
  memset(count, 0, sizeof count);
  const double sq_a[6] = {10, 10, 30, 10, 10, 30}, sq_b[6] = {30, 10, 30, 30, 10, 30};
  add_coverage(sq_a, count);
  add_coverage(sq_b, count);
  for (int y = 0; y < K.height; y++)
    for (int x = 0; x < K.width; x++)
      CU_ASSERT_EQUAL(count[y * K.width + x], (x >= 10 && x < 30 && y >= 10 && y < 30));
  /* a fan of 13 triangles with off-grid vertices around an off-grid centre */
  memset(count, 0, sizeof count);
  double cu = 97.31, cv = 70.77, pu[13], pv[13];
  for (int k = 0; k < 13; k++) {
    double a = 6.283185307179586 * k / 13, r = 40 + 17 * sin(3.7 * k);
    pu[k] = cu + r * cos(a);
    pv[k] = cv + r * sin(a);
  }
  for (int k = 0; k < 13; k++) {
    const double t[6] = {cu, cv, pu[k], pv[k], pu[(k + 1) % 13], pv[(k + 1) % 13]};
    add_coverage(t, count);
  }
  int inside_px = 0;
  for (int y = 0; y < K.height; y++)
    for (int x = 0; x < K.width; x++) {
      CU_ASSERT(count[y * K.width + x] <= 1); /* no pixel twice */
      /* centre inside the star polygon by a margin: it must be drawn (no gap) */
      double px = x + 0.5, py = y + 0.5;
      for (int k = 0; k < 13; k++) {
        double ax = pu[k] - cu, ay = pv[k] - cv, bx = pu[(k + 1) % 13] - cu, by = pv[(k + 1) % 13] - cv;
        double qx = px - cu, qy = py - cv, det = ax * by - ay * bx;
        double s = (qx * by - qy * bx) / det, t = (ax * qy - ay * qx) / det;
        if (s > 1e-3 && t > 1e-3 && s + t < 1 - 1e-3) {
          inside_px++;
          CU_ASSERT_EQUAL(count[y * K.width + x], 1);
        }
      }
    }
  CU_ASSERT(inside_px > 3000);
  teardown();
}

static void test_general_triangle_area(void) {
  setup();
  const double t[6] = {20.3, 15.8, 150.6, 40.2, 60.9, 130.4};
  draw_screen_tri(t, 2000, 1);
  double area = 0.5 * fabs((t[2] - t[0]) * (t[5] - t[1]) - (t[3] - t[1]) * (t[4] - t[0]));
  double per = hypot(t[2] - t[0], t[3] - t[1]) + hypot(t[4] - t[2], t[5] - t[3]) +
               hypot(t[0] - t[4], t[1] - t[5]);
  int n = count_covered();
  /* lattice-point count vs area: off by at most about half the perimeter */
  CU_ASSERT(fabs(n - area) <= 0.5 * per + 2);
  CU_ASSERT(fabs(n - area) / area < 0.01);
  teardown();
}

/* plane z = z0 + a x + b y in camera space; ray through pixel centre hits it at */
static double plane_depth(double z0, double a, double b, int x, int y) {
  double dx = (x + 0.5 - K.cx) / K.fx, dy = (y + 0.5 - K.cy) / K.fy;
  return z0 / (1 - a * dx - b * dy);
}
static void plane_point(double u, double v, double z0, double a, double b, float p[3]) {
  double dx = (u - K.cx) / K.fx, dy = (v - K.cy) / K.fy, z = z0 / (1 - a * dx - b * dy);
  p[0] = (float)(dx * z);
  p[1] = (float)(dy * z);
  p[2] = (float)z;
}

static void test_tilted_plane_depth_exact(void) {
  setup();
  const double z0 = 2000, a = 0.6, b = -0.35;
  float p[3][3];
  plane_point(5.2, 3.1, z0, a, b, p[0]);
  plane_point(170.7, 20.4, z0, a, b, p[1]);
  plane_point(60.3, 140.9, z0, a, b, p[2]);
  dp_raster_triangle(&zb, &K, p[0], p[1], p[2], 7);
  int n = 0;
  double worst = 0;
  for (int y = 0; y < K.height; y++)
    for (int x = 0; x < K.width; x++) {
      int i = y * K.width + x;
      if (!covered(i)) continue;
      n++;
      double e = fabs(zb.depth[i] - plane_depth(z0, a, b, x, y));
      worst = e > worst ? e : worst;
      CU_ASSERT_EQUAL(zb.id[i], 7);
    }
  CU_ASSERT(n > 5000);
  CU_ASSERT(worst < 1e-3);
  teardown();
}

static void test_near_plane_clipping(void) {
  setup();
  K.near_mm = 200;
  /* floor-like plane y = 300 mm below the camera, from behind the camera to far ahead */
  const float a[3] = {-2000, 300, -500}, b[3] = {2000, 300, -500}, c[3] = {0, 300, 6000};
  dp_raster_triangle(&zb, &K, a, b, c, 3);
  int n = 0;
  for (int y = 0; y < K.height; y++)
    for (int x = 0; x < K.width; x++) {
      int i = y * K.width + x;
      if (!covered(i)) continue;
      n++;
      CU_ASSERT(zb.depth[i] >= K.near_mm - 1e-3);
      double dy = (y + 0.5 - K.cy) / K.fy, z = 300 / dy; /* ray meets y = 300 */
      CU_ASSERT(y + 0.5 > K.cy);
      CU_ASSERT(fabs(zb.depth[i] - z) < 1e-3 * z);
    }
  CU_ASSERT(n > 1000);
  /* two vertices behind, one in front; and one wholly behind: nothing from the latter */
  dp_zbuffer_clear(&zb);
  const float d[3] = {-3000, -300, -100}, e[3] = {3000, -300, -100}, f[3] = {0, -300, 4000};
  dp_raster_triangle(&zb, &K, d, e, f, 3);
  for (int i = 0; i < K.width * K.height; i++)
    CU_ASSERT(!covered(i) || (zb.depth[i] >= K.near_mm - 1e-3 && zb.depth[i] <= 4000));
  CU_ASSERT(count_covered() > 100);
  dp_zbuffer_clear(&zb);
  const float g[3] = {-100, 0, 150}, h[3] = {100, 0, 150}, k[3] = {0, 100, -50};
  dp_raster_triangle(&zb, &K, g, h, k, 3); /* below near (200) everywhere but -50.. */
  CU_ASSERT_EQUAL(count_covered(), 0);
  teardown();
}

/* vertices absurdly far off screen near the near plane: guard-band clipping */
static void test_guard_band(void) {
  setup();
  const float a[3] = {-1e8f, 500, 101}, b[3] = {1e8f, 500, 101}, c[3] = {0, 500, 1e7f};
  dp_raster_triangle(&zb, &K, a, b, c, 1);
  int n = 0;
  for (int y = 0; y < K.height; y++)
    for (int x = 0; x < K.width; x++) {
      int i = y * K.width + x;
      if (!covered(i)) continue;
      n++;
      double z = 500 / ((y + 0.5 - K.cy) / K.fy);
      CU_ASSERT(fabs(zb.depth[i] - z) < 1e-3 * z);
    }
  CU_ASSERT_EQUAL(n, K.width * K.height / 2); /* the whole lower half of the image */
  teardown();
}

static void test_nearer_wins(void) {
  setup();
  const double t[6] = {20, 20, 150, 30, 80, 130};
  for (int order = 0; order < 2; order++) {
    dp_zbuffer_clear(&zb);
    draw_screen_tri(t, order ? 1000 : 2500, order ? 1 : 2);
    draw_screen_tri(t, order ? 2500 : 1000, order ? 2 : 1);
    for (int i = 0; i < K.width * K.height; i++)
      if (covered(i)) {
        CU_ASSERT(fabsf(zb.depth[i] - 1000) < 1e-3);
        CU_ASSERT_EQUAL(zb.id[i], 1);
      }
  }
  teardown();
}

/* For closed outward-wound meshes culling back faces changes nothing. */
static void test_backface_culling_closed_meshes(void) {
  setup();
  dp_mesh m;
  dp_mesh_init(&m);
  const float c[3] = {100, -50, 2500}, r[3] = {300, 200, 400}, a[3] = {-500, 200, 2200},
              b[3] = {400, -300, 3000}, h[3] = {150, 250, 100};
  const float rot[9] = {0.8f, -0.6f, 0, 0.6f, 0.8f, 0, 0, 0, 1};
  CU_ASSERT(dp_mesh_ellipsoid(&m, c, r, rot, 16, 10, 1) == 0);
  CU_ASSERT(dp_mesh_capsule(&m, a, b, 120, 70, 12, 4, 2) == 0);
  CU_ASSERT(dp_mesh_cylinder(&m, b, c, 90, 12, 3) == 0);
  const float bc[3] = {-400, -300, 2000};
  CU_ASSERT(dp_mesh_box(&m, bc, h, rot, 4) == 0);
  CU_ASSERT(dp_raster_mesh(&zb, &K, NULL, &m) == 0);
  static float ref[176 * 144];
  memcpy(ref, zb.depth, sizeof ref);
  int n = count_covered();
  dp_zbuffer_clear(&zb);
  zb.cull_backfaces = 1;
  CU_ASSERT(dp_raster_mesh(&zb, &K, NULL, &m) == 0);
  CU_ASSERT(n > 3000);
  CU_ASSERT(memcmp(ref, zb.depth, sizeof ref) == 0);
  dp_mesh_free(&m);
  teardown();
}

/* dp_raster_mesh skips triangles whose box holds no pixel centre before setting them
 * up; thousands of tiny triangles (0.005 - 1.5 px, many around pixel centres, as a
 * finely tessellated body far away gives) must draw exactly what drawing each one
 * through dp_raster_triangle, which has no such shortcut, draws. */
static void test_tiny_triangles_mesh_equals_one_by_one(void) {
  setup();
  dp_mesh m;
  dp_mesh_init(&m);
  uint32_t s = 12345;
  for (int t = 0; t < 20000; t++) {
    double size = 0.005 * pow(300.0, (double)(s = s * 1664525u + 1013904223u) / 4294967296.0);
    double cu = 20 + (s = s * 1664525u + 1013904223u) % 120 + 0.5, cv = 20 + (s >> 8) % 100 + 0.5;
    cu += size * (((s = s * 1664525u + 1013904223u) >> 16) / 65536.0 - 0.5);
    cv += size * (((s = s * 1664525u + 1013904223u) >> 16) / 65536.0 - 0.5);
    double z = 2000 + (s >> 20);
    float a[3], b[3], c[3];
    at_pixel(cu - 0.5 * size, cv - 0.3 * size, z, a);
    at_pixel(cu + 0.4 * size, cv - 0.4 * size, z + 1, b);
    at_pixel(cu, cv + 0.6 * size, z + 2, c);
    int i0 = dp_mesh_vertex(&m, a[0], a[1], a[2]), i1 = dp_mesh_vertex(&m, b[0], b[1], b[2]);
    int i2 = dp_mesh_vertex(&m, c[0], c[1], c[2]);
    CU_ASSERT_FATAL(dp_mesh_triangle(&m, i0, i1, i2, (uint16_t)(1 + t % 30)) == 0);
  }
  CU_ASSERT(dp_raster_mesh(&zb, &K, NULL, &m) == 0);
  static float ref[176 * 144];
  static uint16_t ref_id[176 * 144];
  memcpy(ref, zb.depth, sizeof ref);
  memcpy(ref_id, zb.id, sizeof ref_id);
  int n = count_covered();
  dp_zbuffer_clear(&zb);
  for (int t = 0; t < m.nt; t++)
    dp_raster_triangle(&zb, &K, m.v + 3 * m.tri[3 * t], m.v + 3 * m.tri[3 * t + 1],
                       m.v + 3 * m.tri[3 * t + 2], m.id[t]);
  CU_ASSERT(n > 1000);
  CU_ASSERT(memcmp(ref, zb.depth, sizeof ref) == 0);
  CU_ASSERT(memcmp(ref_id, zb.id, sizeof ref_id) == 0);
  dp_mesh_free(&m);
  teardown();
}

static void test_intrinsics_check(void) {
  dp_intrinsics k;
  dp_intrinsics_default(&k);
  CU_ASSERT(dp_intrinsics_check(&k) == 0);
  CU_ASSERT(fabsf(k.fx - 217.8f) < 0.1f && fabsf(k.fy - 228.3f) < 0.1f);
  CU_ASSERT(k.cx == 88 && k.cy == 72);
  k.fx = -1;
  CU_ASSERT(dp_intrinsics_check(&k) == -1);
  CU_ASSERT(strstr(dp_error_message(), "focal") != NULL);
  dp_error_clear();
  dp_intrinsics_default(&k);
  k.width = 0;
  CU_ASSERT(dp_intrinsics_check(&k) == -1);
  dp_error_clear();
  dp_intrinsics_default(&k);
  k.near_mm = NAN;
  CU_ASSERT(dp_intrinsics_check(&k) == -1);
  dp_error_clear();
}

DP_TEST_MAIN("raster", DP_TEST(test_axis_aligned_right_triangle_exact),
             DP_TEST(test_shared_edges_no_overlap_no_gap), DP_TEST(test_general_triangle_area),
             DP_TEST(test_tilted_plane_depth_exact), DP_TEST(test_near_plane_clipping),
             DP_TEST(test_guard_band), DP_TEST(test_nearer_wins),
             DP_TEST(test_backface_culling_closed_meshes),
             DP_TEST(test_tiny_triangles_mesh_equals_one_by_one), DP_TEST(test_intrinsics_check))
