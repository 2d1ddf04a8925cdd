/* test_camera.c - extrinsics conventions, per-frame sampling, projection, boxes. */
#include <math.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/render.h"
#include "dp_test.h"

#define PI 3.14159265358979323846

static void test_target_projects_to_centre(void) {
  dp_intrinsics K;
  dp_intrinsics_default(&K);
  dp_camera_ranges r;
  dp_camera_ranges_default(&r);
  const float body[3] = {120, 900, -340};
  for (uint64_t f = 0; f < 200; f++) {
    dp_camera cam;
    CU_ASSERT_FATAL(dp_camera_sample(&cam, &r, body, 42, f) == 0);
    float c[3], uv[2];
    dp_camera_apply(cam.m, cam.target, c);
    dp_project(&K, c, uv);
    CU_ASSERT(fabsf(uv[0] - K.cx) < 1e-2f && fabsf(uv[1] - K.cy) < 1e-2f);
    CU_ASSERT(fabsf(c[2] - cam.distance) < 1e-2f);
    /* the body centre is near the centre too: jitter 50 mm at >= 3.2 m */
    dp_camera_apply(cam.m, body, c);
    dp_project(&K, c, uv);
    CU_ASSERT(fabsf(uv[0] - K.cx) < 20 && fabsf(uv[1] - K.cy) < 20);
    CU_ASSERT(cam.azimuth >= r.azimuth_min && cam.azimuth < r.azimuth_max);
    CU_ASSERT(cam.elevation >= r.elevation_min && cam.elevation <= r.elevation_max);
    CU_ASSERT(cam.distance >= r.distance_min && cam.distance <= r.distance_max);
    CU_ASSERT(fabsf(cam.roll) <= r.roll_max);
    /* R is orthonormal and right-handed */
    const float *x = cam.m, *y = cam.m + 4, *z = cam.m + 8;
    float cx[3] = {x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]};
    for (int i = 0; i < 3; i++) CU_ASSERT(fabsf(cx[i] - z[i]) < 1e-5f);
  }
}

static void test_deterministic_per_frame(void) {
  dp_camera_ranges r;
  dp_camera_ranges_default(&r);
  const float body[3] = {0, 1000, 0};
  dp_camera a, b, c;
  CU_ASSERT(dp_camera_sample(&a, &r, body, 5, 1234) == 0);
  CU_ASSERT(dp_camera_sample(&c, &r, body, 5, 99) == 0);
  CU_ASSERT(dp_camera_sample(&b, &r, body, 5, 1234) == 0);
  CU_ASSERT(memcmp(&a, &b, sizeof a) == 0);
  CU_ASSERT(memcmp(a.m, c.m, sizeof a.m) != 0);
  CU_ASSERT(dp_camera_sample(&c, &r, body, 6, 1234) == 0);
  CU_ASSERT(memcmp(a.m, c.m, sizeof a.m) != 0);
}

static void test_azimuth_periodic(void) {
  const float t[3] = {50, 950, 20};
  for (int k = 0; k < 16; k++) {
    double th = k * 0.41;
    dp_camera a, b, c;
    CU_ASSERT(dp_camera_orbit(&a, t, th, 0.2, 3500, 0.03) == 0);
    CU_ASSERT(dp_camera_orbit(&b, t, th + 2 * PI, 0.2, 3500, 0.03) == 0);
    CU_ASSERT(dp_camera_orbit(&c, t, th - 4 * PI, 0.2, 3500, 0.03) == 0);
    for (int i = 0; i < 12; i++) {
      float tol = (i % 4 == 3) ? 1e-2f : 1e-5f; /* translation in mm, rotation unitless */
      CU_ASSERT(fabsf(a.m[i] - b.m[i]) < tol && fabsf(a.m[i] - c.m[i]) < tol);
    }
  }
}

/* Hand-computed: eye at (0, 1000, 3000) looking at (0, 1000, 0), i.e. toward -Z:
 * world +X is image right and world +Y image up. Point (300, 1200, 0) is then
 * camera (300, -200, 3000) -> u = 200 * 0.1 + 88 = 108, v = 220 * (-1/15) + 72. */
static void test_known_projection(void) {
  dp_intrinsics K = {200, 220, 88, 72, 176, 144, 100};
  const float t[3] = {0, 1000, 0}, p[3] = {300, 1200, 0};
  dp_camera cam;
  CU_ASSERT_FATAL(dp_camera_orbit(&cam, t, 0, 0, 3000, 0) == 0);
  CU_ASSERT(fabsf(cam.eye[0]) < 1e-3f && fabsf(cam.eye[1] - 1000) < 1e-3f &&
            fabsf(cam.eye[2] - 3000) < 1e-3f);
  float c[3], uv[2];
  dp_project_points(&K, cam.m, p, 1, c, uv);
  CU_ASSERT(fabsf(c[0] - 300) < 1e-3f && fabsf(c[1] + 200) < 1e-3f && fabsf(c[2] - 3000) < 1e-3f);
  CU_ASSERT(fabsf(uv[0] - 108) < 1e-4f);
  CU_ASSERT(fabsf(uv[1] - (72 - 220.0f / 15)) < 1e-4f);
  /* azimuth 90 degrees: the camera on the +X side, world -Z is image right */
  CU_ASSERT_FATAL(dp_camera_orbit(&cam, t, PI / 2, 0, 3000, 0) == 0);
  const float q[3] = {0, 1000, -300};
  dp_project_points(&K, cam.m, q, 1, c, uv);
  CU_ASSERT(fabsf(uv[0] - 108) < 1e-3f && fabsf(uv[1] - 72) < 1e-3f);
  /* elevation: a camera above looks down, the target's feet appear lower */
  CU_ASSERT_FATAL(dp_camera_orbit(&cam, t, 0, 0.5, 3000, 0) == 0);
  CU_ASSERT(cam.eye[1] > 1000);
  const float feet[3] = {0, 0, 0};
  dp_project_points(&K, cam.m, feet, 1, c, uv);
  CU_ASSERT(uv[1] > 72);
  /* roll by +0.1: a point right of centre moves down the image (x toward y) */
  CU_ASSERT_FATAL(dp_camera_orbit(&cam, t, 0, 0, 3000, 0.1) == 0);
  const float right[3] = {300, 1000, 0};
  dp_project_points(&K, cam.m, right, 1, c, uv);
  CU_ASSERT(fabsf(uv[0] - (88 + 20 * cosf(0.1f))) < 1e-3f);
  CU_ASSERT(fabsf(uv[1] - (72 - 22 * sinf(0.1f))) < 1e-3f);
}

static void test_boxes(void) {
  uint16_t id[8 * 6] = {0};
  float box[4];
  CU_ASSERT(dp_bbox_body_pixels(id, 8, 6, box) == 0);
  CU_ASSERT(box[0] == 0 && box[2] == 0);
  id[1 * 8 + 2] = DP_PART_HEAD;
  id[4 * 8 + 6] = DP_PART_L_FOOT;
  id[5 * 8 + 7] = DP_ID_FLOOR; /* background does not count */
  CU_ASSERT(dp_bbox_body_pixels(id, 8, 6, box) == 2);
  CU_ASSERT(box[0] == 2 && box[1] == 1 && box[2] == 7 && box[3] == 5);
  const float uv[6] = {3, 4, -1, 10, 5, 2};
  dp_bbox_points(uv, 3, box);
  CU_ASSERT(box[0] == -1 && box[1] == 2 && box[2] == 5 && box[3] == 10);
}

static void test_ranges_check(void) {
  dp_camera_ranges r;
  dp_camera_ranges_default(&r);
  CU_ASSERT(dp_camera_ranges_check(&r) == 0);
  r.elevation_max = 1.6f;
  CU_ASSERT(dp_camera_ranges_check(&r) == -1);
  dp_error_clear();
  dp_camera_ranges_default(&r);
  r.distance_min = 6000;
  CU_ASSERT(dp_camera_ranges_check(&r) == -1);
  dp_error_clear();
  dp_camera cam;
  const float t[3] = {0, 0, 0};
  CU_ASSERT(dp_camera_orbit(&cam, t, 0, PI / 2, 3000, 0) == -1); /* straight down */
  dp_error_clear();
}

DP_TEST_MAIN("camera", DP_TEST(test_target_projects_to_centre), DP_TEST(test_deterministic_per_frame),
             DP_TEST(test_azimuth_periodic), DP_TEST(test_known_projection), DP_TEST(test_boxes),
             DP_TEST(test_ranges_check))
