/* test_sensor.c - the depth-sensor model: clean identity, noise statistics, dropout,
 * range, quantisation, flying pixels, determinism; and the background builder. */
#include <math.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/render.h"
#include "dp_test.h"

#define W 176
#define H 144
#define N (W * H)

static float depth[N];
static uint16_t out[N], id[N];

static void fill(float z) {
  for (int i = 0; i < N; i++) depth[i] = z;
}

static void test_clean_is_identity(void) {
  dp_sensor_config c;
  dp_sensor_clean(&c);
  for (int i = 0; i < N; i++) depth[i] = (i % 97 == 0) ? INFINITY : 500.0f + 0.37f * (float)i;
  static float ref[N];
  memcpy(ref, depth, sizeof ref);
  CU_ASSERT(dp_sensor_apply(&c, depth, NULL, W, H, 1, 2, out) == 0);
  CU_ASSERT(memcmp(ref, depth, sizeof ref) == 0);
  for (int i = 0; i < N; i++)
    CU_ASSERT_EQUAL(out[i], isinf(ref[i]) ? 0 : (uint16_t)floorf(ref[i] + 0.5f));
}

static void noise_case(float a, float b, float z) {
  dp_sensor_config c;
  dp_sensor_clean(&c);
  c.noise_a_mm = a;
  c.noise_b_mm_per_m2 = b;
  fill(z);
  CU_ASSERT(dp_sensor_apply(&c, depth, NULL, W, H, 3, 77, out) == 0);
  double s = 0, s2 = 0;
  for (int i = 0; i < N; i++) {
    s += depth[i] - z;
    s2 += (depth[i] - z) * (depth[i] - z);
  }
  double mean = s / N, sd = sqrt(s2 / N - mean * mean), want = a + b * (z / 1000) * (z / 1000);
  CU_ASSERT(fabs(sd - want) / want < 0.05);
  CU_ASSERT(fabs(mean) < 3 * want / sqrt(N)); /* unbiased */
}

static void test_noise_sigma(void) {
  noise_case(2.0f, 0.5f, 2000); /* 4 mm at 2 m */
  noise_case(1.0f, 3.0f, 2000); /* 13 mm: the z^2 term dominates */
  noise_case(0.0f, 1.0f, 4000); /* 16 mm at 4 m: z in metres */
}

static void test_dropout_rate(void) {
  dp_sensor_config c;
  dp_sensor_clean(&c);
  c.dropout_prob = 0.1f;
  fill(1500);
  for (int i = 0; i < N; i++) id[i] = DP_PART_TRUNK;
  CU_ASSERT(dp_sensor_apply(&c, depth, id, W, H, 9, 4, out) == 0);
  int zeros = 0;
  for (int i = 0; i < N; i++) {
    zeros += out[i] == 0;
    CU_ASSERT((out[i] == 0) == (id[i] == 0)); /* labels follow the returns */
    CU_ASSERT(out[i] == 0 || out[i] == 1500);
  }
  double p = 0.1, se = sqrt(p * (1 - p) / N);
  CU_ASSERT(fabs((double)zeros / N - p) < 3 * se);
}

static void test_max_range(void) {
  dp_sensor_config c;
  dp_sensor_clean(&c);
  c.max_range_mm = 4000;
  for (int i = 0; i < N; i++) depth[i] = 3000.0f + (float)(i % 200) * 10;
  CU_ASSERT(dp_sensor_apply(&c, depth, NULL, W, H, 1, 1, out) == 0);
  for (int i = 0; i < N; i++) {
    float z = 3000.0f + (float)(i % 200) * 10;
    CU_ASSERT_EQUAL(out[i], z > 4000 ? 0 : (uint16_t)z);
  }
}

static void test_quantisation(void) {
  dp_sensor_config c;
  dp_sensor_clean(&c);
  const float z[10] = {1234.4f, 1234.5f, 1234.6f, 0.3f, INFINITY, 70000, 65535.4f, 65535.6f, 1.0f, 2999.49f};
  const uint16_t want[10] = {1234, 1235, 1235, 0, 0, 0, 65535, 0, 1, 2999};
  fill(INFINITY);
  memcpy(depth, z, sizeof z);
  CU_ASSERT(dp_sensor_apply(&c, depth, NULL, W, H, 1, 1, out) == 0);
  for (int i = 0; i < 10; i++) CU_ASSERT_EQUAL(out[i], want[i]);
}

/* Left half at 1000 mm, right half at 3000 mm: a vertical depth edge. */
static void step_edge(void) {
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) depth[y * W + x] = x < W / 2 ? 1000.0f : 3000.0f;
}

static void test_flying_pixels(void) {
  dp_sensor_config c;
  dp_sensor_clean(&c);
  c.flying_prob = 1.0f;
  step_edge();
  CU_ASSERT(dp_sensor_apply(&c, depth, NULL, W, H, 5, 6, out) == 0);
  int mixed = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      uint16_t v = out[y * W + x];
      if (x == W / 2 - 1 || x == W / 2) { /* both sides of the edge */
        CU_ASSERT(v >= 1000 && v <= 3000);
        mixed += v > 1001 && v < 2999;
      } else {
        CU_ASSERT_EQUAL(v, x < W / 2 ? 1000 : 3000);
      }
    }
  CU_ASSERT(mixed > 2 * H * 9 / 10);
  /* probability 0.5: about half of the edge pixels fly */
  c.flying_prob = 0.5f;
  step_edge();
  CU_ASSERT(dp_sensor_apply(&c, depth, NULL, W, H, 5, 7, out) == 0);
  int flew = 0;
  for (int y = 0; y < H; y++) flew += out[y * W + W / 2] != 3000;
  CU_ASSERT(flew > H / 2 - 3 * 6 && flew < H / 2 + 3 * 6);
  /* against nothing: the mixed return is too weak, the pixel reports no return */
  c.flying_prob = 1.0f;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) depth[y * W + x] = x < W / 2 ? 1000.0f : INFINITY;
  CU_ASSERT(dp_sensor_apply(&c, depth, NULL, W, H, 5, 6, out) == 0);
  for (int y = 0; y < H; y++) CU_ASSERT_EQUAL(out[y * W + W / 2 - 1], 0);
}

static void test_sensor_deterministic(void) {
  dp_sensor_config c;
  dp_sensor_tof_default(&c);
  static uint16_t a[N];
  step_edge();
  CU_ASSERT(dp_sensor_apply(&c, depth, NULL, W, H, 8, 100, a) == 0);
  step_edge();
  CU_ASSERT(dp_sensor_apply(&c, depth, NULL, W, H, 8, 100, out) == 0);
  CU_ASSERT(memcmp(a, out, sizeof a) == 0);
  step_edge();
  CU_ASSERT(dp_sensor_apply(&c, depth, NULL, W, H, 8, 101, out) == 0);
  CU_ASSERT(memcmp(a, out, sizeof a) != 0);
  c.dropout_prob = 1.5f;
  CU_ASSERT(dp_sensor_apply(&c, depth, NULL, W, H, 8, 101, out) == -1);
  dp_error_clear();
}

/* Backgrounds: deterministic, the configured pieces, and none in front of the body. */
static void test_background(void) {
  dp_background_config bg;
  dp_background_default(&bg);
  bg.p_floor = bg.p_wall = bg.p_clutter = bg.p_corner = 1;
  dp_camera_ranges r;
  dp_camera_ranges_default(&r);
  const float centre[3] = {0, 900, 0};
  dp_mesh m1, m2;
  dp_mesh_init(&m1);
  dp_mesh_init(&m2);
  int walls = 0, clutter = 0;
  for (uint64_t f = 0; f < 50; f++) {
    dp_camera cam;
    CU_ASSERT_FATAL(dp_camera_sample(&cam, &r, centre, 1, f) == 0);
    dp_mesh_clear(&m1);
    dp_mesh_clear(&m2);
    CU_ASSERT(dp_background_build(&bg, centre, 0, &cam, 1, f, &m1) == 0);
    CU_ASSERT(dp_background_build(&bg, centre, 0, &cam, 1, f, &m2) == 0);
    CU_ASSERT(m1.nt == m2.nt && memcmp(m1.v, m2.v, sizeof(float) * 3 * m1.nv) == 0);
    CU_ASSERT(m1.id[0] == DP_ID_FLOOR);
    for (int t = 0; t < m1.nt; t++) {
      walls += m1.id[t] == DP_ID_WALL;
      clutter += m1.id[t] == DP_ID_CLUTTER;
      CU_ASSERT(!dp_id_is_body(m1.id[t]));
    }
    /* nothing nearer to the camera than the body centre, along the line between them */
    for (int v = 0; v < m1.nv; v++) {
      float c[3];
      dp_camera_apply(cam.m, m1.v + 3 * v, c);
      if (c[2] > 0 && fabsf(c[0]) < 0.15f * c[2] && fabsf(c[1]) < 0.15f * c[2] && m1.v[3 * v + 1] > 200)
        CU_ASSERT(c[2] > cam.distance);
    }
  }
  CU_ASSERT(walls >= 100 && clutter > 0);
  dp_background_none(&bg);
  dp_mesh_clear(&m1);
  dp_camera cam;
  CU_ASSERT(dp_camera_orbit(&cam, centre, 0, 0, 3000, 0) == 0);
  CU_ASSERT(dp_background_build(&bg, centre, 0, &cam, 1, 0, &m1) == 0);
  CU_ASSERT_EQUAL(m1.nt, 0);
  bg.p_wall = 2;
  CU_ASSERT(dp_background_build(&bg, centre, 0, &cam, 1, 0, &m1) == -1);
  dp_error_clear();
  dp_mesh_free(&m1);
  dp_mesh_free(&m2);
}

DP_TEST_MAIN("sensor", DP_TEST(test_clean_is_identity), DP_TEST(test_noise_sigma),
             DP_TEST(test_dropout_rate), DP_TEST(test_max_range), DP_TEST(test_quantisation),
             DP_TEST(test_flying_pixels), DP_TEST(test_sensor_deterministic),
             DP_TEST(test_background))
