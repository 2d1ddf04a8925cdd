/* test_body.c - tessellated primitives against analytic shapes, and the parametric
 * body: well-formed, covering its joints, deterministic, with distinct shapes. */
#include <math.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/pose.h"
#include "depthpose/render.h"
#include "dp_test.h"

#define PI 3.14159265358979323846

/* mm, Y up, facing +Z, feet on y = 0 */
static const float STAND[15][3] = {
    {0, 1620, 0},    {0, 1460, 0},    {0, 1050, 0},   {190, 1420, 0},  {-190, 1420, 0},
    {250, 1140, 0},  {-250, 1140, 0}, {300, 900, 40}, {-300, 900, 40}, {95, 930, 0},
    {-95, 930, 0},   {100, 500, 10},  {-100, 500, 10}, {100, 80, 0},   {-100, 80, 0}};

static dp_intrinsics K;
static dp_zbuffer zb;
static dp_mesh mesh;

static void setup(int w, int h) {
  dp_intrinsics_fov(&K, w, h, 44 * PI / 180, 35 * PI / 180);
  CU_ASSERT_FATAL(dp_zbuffer_init(&zb, w, h, 1) == 0);
  dp_mesh_init(&mesh);
}
static void teardown(void) {
  dp_zbuffer_free(&zb);
  dp_mesh_free(&mesh);
}

static void ray(int x, int y, double d[3]) {
  d[0] = (x + 0.5 - K.cx) / K.fx;
  d[1] = (y + 0.5 - K.cy) / K.fy;
  d[2] = 1;
}

/* depth (camera z) where the ray through pixel (x, y) first meets the sphere, or -1 */
static double ray_sphere(int x, int y, const double c[3], double r, double *closest) {
  double d[3];
  ray(x, y, d);
  double dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2], dc = d[0] * c[0] + d[1] * c[1] + d[2] * c[2];
  double cc = c[0] * c[0] + c[1] * c[1] + c[2] * c[2], disc = dc * dc - dd * (cc - r * r);
  *closest = sqrt(fmax(0, cc - dc * dc / dd)); /* distance of the ray from the centre */
  if (disc < 0) return -1;
  return (dc - sqrt(disc)) / dd; /* t with d_z = 1 is the depth */
}

static void test_sphere_silhouette_and_depth(void) {
  setup(176, 144);
  const double c[3] = {0, 0, 2500}, r = 250;
  const int seg = 48, rings = 32;
  const float cf[3] = {0, 0, 2500}, rf[3] = {250, 250, 250};
  CU_ASSERT_FATAL(dp_mesh_ellipsoid(&mesh, cf, rf, NULL, seg, rings, 1) == 0);
  CU_ASSERT(dp_raster_mesh(&zb, &K, NULL, &mesh) == 0);
  long n = 0;
  double bound = r * (1 - cos(PI / seg)) + r * (1 - cos(PI / (2 * rings)));
  for (int y = 0; y < K.height; y++)
    for (int x = 0; x < K.width; x++) {
      float z = zb.depth[y * K.width + x];
      if (!isfinite(z)) continue;
      n++;
      double closest, want = ray_sphere(x, y, c, r, &closest);
      if (closest < 0.8 * r) /* facing the camera: slope at most 4/3 */
        CU_ASSERT(fabs(z - want) <= 1.0 + bound / 0.6);
    }
  double analytic = PI * r * r * K.fx * K.fy / (c[2] * c[2]);
  CU_ASSERT(fabs(n - analytic) / analytic < 0.03);
  /* the pixel on the optical axis (its centre is 0.5 px off it) */
  float centre = zb.depth[(int)K.cy * K.width + (int)K.cx];
  CU_ASSERT(fabs(centre - (c[2] - r)) <= 1.0 + bound);
  teardown();
}

static double seg_dist(const float p[3], const float a[3], const float b[3]) {
  double ab[3], ap[3], t = 0, l2 = 0;
  for (int i = 0; i < 3; i++) {
    ab[i] = b[i] - a[i];
    ap[i] = p[i] - a[i];
    t += ab[i] * ap[i];
    l2 += ab[i] * ab[i];
  }
  t = fmin(1, fmax(0, t / l2));
  double s = 0;
  for (int i = 0; i < 3; i++) s += (ap[i] - t * ab[i]) * (ap[i] - t * ab[i]);
  return sqrt(s);
}

/* p inside the convex mesh: behind every (outward-wound) triangle's plane */
static int inside_convex(const dp_mesh *m, const double p[3]) {
  for (int t = 0; t < m->nt; t++) {
    const float *a = m->v + 3 * m->tri[3 * t], *b = m->v + 3 * m->tri[3 * t + 1],
                *c = m->v + 3 * m->tri[3 * t + 2];
    double u[3], v[3], w[3];
    for (int i = 0; i < 3; i++) u[i] = b[i] - a[i], v[i] = c[i] - a[i], w[i] = p[i] - a[i];
    double n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
    if (n[0] * w[0] + n[1] * w[1] + n[2] * w[2] > 1e-6) return 0;
  }
  return 1;
}

static void test_capsule_geometry(void) {
  setup(176, 144);
  const float a[3] = {-300, -100, 2600}, b[3] = {250, 120, 2900};
  const float r = 90;
  const int seg = 24, rings = 8;
  CU_ASSERT_FATAL(dp_mesh_capsule(&mesh, a, b, r, r, seg, rings, 1) == 0);
  /* every vertex on the surface: distance r from the axis segment */
  for (int i = 0; i < mesh.nv; i++) CU_ASSERT(fabs(seg_dist(mesh.v + 3 * i, a, b) - r) < 1e-3 * r);
  /* neighbourhoods of both end points are inside (this also checks outward winding) */
  double inner = r * cos(PI / seg) * cos(PI / (2 * rings)) * 0.99;
  for (int e = 0; e < 2; e++)
    for (int k = 0; k < 50; k++) {
      const float *c = e ? b : a;
      double th = 2.4 * k, ph = acos(1 - 2 * (k + 0.5) / 50), p[3];
      p[0] = c[0] + inner * sin(ph) * cos(th);
      p[1] = c[1] + inner * sin(ph) * sin(th);
      p[2] = c[2] + inner * cos(ph);
      CU_ASSERT(inside_convex(&mesh, p));
    }
  const double out[3] = {a[0], a[1], a[2] - 1.01 * r};
  CU_ASSERT(!inside_convex(&mesh, out));
  /* rendered depth vs the analytic ray intersection (sphere tracing the exact SDF) */
  CU_ASSERT(dp_raster_mesh(&zb, &K, NULL, &mesh) == 0);
  double bound = r * (1 - cos(PI / seg)) + r * (1 - cos(PI / (2 * rings)));
  int checked = 0;
  for (int y = 0; y < K.height; y++)
    for (int x = 0; x < K.width; x++) {
      float z = zb.depth[y * K.width + x];
      double d[3], t = 1000, sdf = 1;
      ray(x, y, d);
      for (int it = 0; it < 400 && t < 5000; it++) {
        float p[3] = {(float)(t * d[0]), (float)(t * d[1]), (float)t};
        sdf = seg_dist(p, a, b) - r;
        if (sdf < 1e-4) break;
        t += sdf / sqrt(d[0] * d[0] + d[1] * d[1] + 1);
      }
      int hit = sdf < 1e-3;
      if (!hit) continue;
      /* away from the silhouette: the ray is at least 0.5 r inside it */
      float q[3] = {(float)(t * d[0]), (float)(t * d[1]), (float)t};
      if (seg_dist(q, a, b) > r + 1 || !isfinite(z)) continue;
      double probe = 0;
      for (double s = t; s < t + 2 * r; s += 2) {
        float pp[3] = {(float)(s * d[0]), (float)(s * d[1]), (float)s};
        double dd = r - seg_dist(pp, a, b);
        probe = dd > probe ? dd : probe;
      }
      if (probe < 0.5 * r) continue;
      checked++;
      CU_ASSERT(fabs(z - t) <= 1.0 + 2 * bound);
    }
  CU_ASSERT(checked > 300);
  /* tapered: the hull of two spheres, vertices on one of the spheres or the cone */
  dp_mesh_clear(&mesh);
  CU_ASSERT(dp_mesh_capsule(&mesh, a, b, 120, 60, 16, 5, 1) == 0);
  for (int i = 0; i < mesh.nv; i++) {
    double da = 0, db = 0;
    for (int k = 0; k < 3; k++) {
      da += (mesh.v[3 * i + k] - a[k]) * (mesh.v[3 * i + k] - a[k]);
      db += (mesh.v[3 * i + k] - b[k]) * (mesh.v[3 * i + k] - b[k]);
    }
    CU_ASSERT(fabs(sqrt(da) - 120) < 0.05 || fabs(sqrt(db) - 60) < 0.05);
  }
  teardown();
}

static dp_body_param_model model;

static void camera_front(dp_camera *cam, const float *joints, double az) {
  float c[3];
  dp_body_param_centre(&model, joints, c);
  CU_ASSERT_FATAL(dp_camera_orbit(cam, c, az, 0.15, 4000, 0) == 0);
}

static void test_body_standing_pose(void) {
  setup(320, 240);
  CU_ASSERT_FATAL(dp_body_param_init(&model, dp_joints15, 15) == 0);
  dp_body_shape shapes[13];
  CU_ASSERT_FATAL(dp_body_shape_table(7, 12, shapes) == 0);
  dp_body_shape_standard(&shapes[12]);
  for (int s = 0; s < 13; s++) {
    dp_mesh_clear(&mesh);
    dp_zbuffer_clear(&zb);
    CU_ASSERT_FATAL(dp_body_param_build(&model, &STAND[0][0], &shapes[s], &mesh) == 0);
    CU_ASSERT(mesh.nt > 1000);
    CU_ASSERT(dp_mesh_check_finite(&mesh, "body") == 0);
    for (int t = 0; t < mesh.nt; t++) CU_ASSERT(dp_id_is_body(mesh.id[t]));
    dp_camera cam;
    camera_front(&cam, &STAND[0][0], 0);
    CU_ASSERT(dp_raster_mesh(&zb, &K, cam.m, &mesh) == 0);
    float cj[15 * 3], uv[15 * 2], radius[DP_BODY_NJOINTS];
    dp_project_points(&K, cam.m, &STAND[0][0], 15, cj, uv);
    dp_body_param_joint_radii(&shapes[s], radius);
    for (int j = 0; j < 15; j++) {
      int x = (int)floorf(uv[2 * j]), y = (int)floorf(uv[2 * j + 1]);
      CU_ASSERT_FATAL(x >= 0 && x < K.width && y >= 0 && y < K.height);
      int i = y * K.width + x;
      CU_ASSERT(dp_id_is_body(zb.id[i])); /* silhouette contains the joint */
      if (fabs(zb.depth[i] - cj[3 * j + 2]) > radius[j] + 10)
        printf("\nshape %d joint %s: depth %.1f, joint z %.1f, radius %.1f\n", s, dp_joints15[j],
               zb.depth[i], cj[3 * j + 2], radius[j]);
      CU_ASSERT(fabs(zb.depth[i] - cj[3 * j + 2]) <= radius[j] + 10);
    }
    float box[4], pbox[4];
    CU_ASSERT(dp_bbox_body_pixels(zb.id, K.width, K.height, box) > 2000);
    dp_bbox_points(uv, 15, pbox);
    CU_ASSERT(box[0] <= pbox[0] && box[1] <= pbox[1] && box[2] >= pbox[2] && box[3] >= pbox[3]);
  }
  /* the head is visible from every side, within its radius of the joint */
  for (int k = 0; k < 8; k++) {
    dp_mesh_clear(&mesh);
    dp_zbuffer_clear(&zb);
    CU_ASSERT(dp_body_param_build(&model, &STAND[0][0], &shapes[12], &mesh) == 0);
    dp_camera cam;
    camera_front(&cam, &STAND[0][0], k * PI / 4);
    CU_ASSERT(dp_raster_mesh(&zb, &K, cam.m, &mesh) == 0);
    float cj[3], uv[2], radius[DP_BODY_NJOINTS];
    dp_project_points(&K, cam.m, STAND[0], 1, cj, uv);
    dp_body_param_joint_radii(&shapes[12], radius);
    int i = (int)uv[1] * K.width + (int)uv[0];
    CU_ASSERT(zb.id[i] == DP_PART_HEAD);
    CU_ASSERT(fabs(zb.depth[i] - cj[2]) <= radius[0] + 10);
  }
  teardown();
}

static void test_shape_table(void) {
  dp_body_shape a[24], b[24], c[24];
  CU_ASSERT_FATAL(dp_body_shape_table(11, 24, a) == 0);
  CU_ASSERT_FATAL(dp_body_shape_table(11, 24, b) == 0);
  CU_ASSERT_FATAL(dp_body_shape_table(12, 24, c) == 0);
  CU_ASSERT(memcmp(a, b, sizeof a) == 0); /* deterministic */
  CU_ASSERT(memcmp(a, c, sizeof a) != 0); /* seeded */
  for (int i = 0; i < 24; i++) {
    CU_ASSERT(a[i].girth >= 0.85f && a[i].girth <= 1.25f);
    CU_ASSERT(a[i].belly >= 0 && a[i].belly <= 70);
    CU_ASSERT(a[i].head_size >= 0.9f && a[i].head_size <= 1.1f);
    for (int j = 0; j < i; j++) { /* distinct in every parameter */
      CU_ASSERT(a[i].girth != a[j].girth && a[i].trunk_width != a[j].trunk_width &&
                a[i].trunk_depth != a[j].trunk_depth && a[i].limb_thickness != a[j].limb_thickness &&
                a[i].belly != a[j].belly && a[i].head_size != a[j].head_size);
    }
  }
  CU_ASSERT(dp_body_shape_table(1, 0, a) == -1);
  dp_error_clear();
}

static void test_body_deterministic_and_shapes_differ(void) {
  CU_ASSERT_FATAL(dp_body_param_init(&model, dp_joints15, 15) == 0);
  dp_body_shape s[12];
  CU_ASSERT_FATAL(dp_body_shape_table(3, 12, s) == 0);
  dp_mesh m1, m2;
  dp_mesh_init(&m1);
  dp_mesh_init(&m2);
  CU_ASSERT(dp_body_param_build(&model, &STAND[0][0], &s[0], &m1) == 0);
  CU_ASSERT(dp_body_param_build(&model, &STAND[0][0], &s[0], &m2) == 0);
  CU_ASSERT(m1.nv == m2.nv && m1.nt == m2.nt);
  CU_ASSERT(memcmp(m1.v, m2.v, sizeof(float) * 3 * m1.nv) == 0);
  for (int k = 1; k < 12; k++) {
    dp_mesh_clear(&m2);
    CU_ASSERT(dp_body_param_build(&model, &STAND[0][0], &s[k], &m2) == 0);
    CU_ASSERT(memcmp(m1.v, m2.v, sizeof(float) * 3 * m1.nv) != 0);
  }
  dp_mesh_free(&m1);
  dp_mesh_free(&m2);
}

static void test_body_bad_input(void) {
  /* a joint list without "l_knee" */
  const char *names[15];
  memcpy(names, dp_joints15, sizeof names);
  names[11] = "left_knee";
  dp_body_param_model m;
  CU_ASSERT(dp_body_param_init(&m, names, 15) == -1);
  CU_ASSERT(strstr(dp_error_message(), "l_knee") != NULL);
  dp_error_clear();
  /* another joint order and extra joints work */
  const char *more[17] = {"pelvis", "r_foot", "l_foot", "r_knee", "l_knee", "r_hip", "l_hip",
                          "r_hand", "l_hand", "r_elbow", "l_elbow", "r_shoulder", "l_shoulder",
                          "torso", "neck", "head", "nose"};
  CU_ASSERT_FATAL(dp_body_param_init(&m, more, 17) == 0);
  CU_ASSERT(m.ix.head == 15 && m.ix.l_knee == 4);
  float j[17][3] = {{0}};
  for (int k = 0; k < 15; k++)
    for (int a = 0; a < 3; a++) j[dp_joint_index(more, 17, dp_joints15[k])][a] = STAND[k][a];
  dp_mesh mm;
  dp_mesh_init(&mm);
  dp_body_shape s;
  dp_body_shape_standard(&s);
  CU_ASSERT(dp_body_param_build(&m, &j[0][0], &s, &mm) == 0);
  CU_ASSERT(dp_mesh_check_finite(&mm, "body") == 0);
  dp_mesh_clear(&mm);
  j[m.ix.r_elbow][1] = NAN;
  CU_ASSERT(dp_body_param_build(&m, &j[0][0], &s, &mm) == -1);
  CU_ASSERT(strstr(dp_error_message(), "r_elbow") != NULL);
  dp_error_clear();
  dp_mesh_free(&mm);
  float fy = dp_body_param_floor_y(&model, &STAND[0][0], &s);
  CU_ASSERT(fy < 0 && fy > -40); /* the standing pose's feet are 80 mm above y = 0 */
}

DP_TEST_MAIN("body", DP_TEST(test_sphere_silhouette_and_depth), DP_TEST(test_capsule_geometry),
             DP_TEST(test_body_standing_pose), DP_TEST(test_shape_table),
             DP_TEST(test_body_deterministic_and_shapes_differ), DP_TEST(test_body_bad_input))
