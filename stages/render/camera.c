/* camera.c - per-frame camera extrinsics, projection of joints, bounding boxes.
 * Conventions in render.h: camera x right, y down, z forward; m = [R | t] maps world
 * to camera. */
#include <math.h>

#include "depthpose/error.h"
#include "depthpose/render.h"
#include "depthpose/rng.h"

#define TWO_PI 6.283185307179586

void dp_camera_ranges_default(dp_camera_ranges *r) {
  r->azimuth_min = 0.0f;
  r->azimuth_max = (float)TWO_PI;
  r->elevation_min = -0.1f; /* slightly below the body centre ... */
  r->elevation_max = 0.5f;  /* ... to ~29 degrees above it */
  r->distance_min = 3200.0f;
  r->distance_max = 5500.0f;
  r->roll_max = 0.05f;
  r->jitter_mm = 50.0f;
}

int dp_camera_ranges_check(const dp_camera_ranges *r) {
  const float *f = &r->azimuth_min;
  for (int i = 0; i < 8; i++)
    if (!isfinite(f[i])) return dp_fail("camera ranges: a value is not finite");
  if (r->azimuth_min > r->azimuth_max || r->elevation_min > r->elevation_max ||
      r->distance_min > r->distance_max)
    return dp_fail("camera ranges: a minimum exceeds its maximum");
  if (r->elevation_min <= -1.5f || r->elevation_max >= 1.5f)
    return dp_fail("camera ranges: elevation [%g, %g] rad must stay inside (-1.5, 1.5): "
                   "looking straight up or down leaves the image 'up' undefined",
                   r->elevation_min, r->elevation_max);
  if (r->distance_min <= 0) return dp_fail("camera ranges: distance must be > 0 mm");
  if (r->roll_max < 0 || r->jitter_mm < 0)
    return dp_fail("camera ranges: roll_max and jitter_mm must be >= 0");
  return 0;
}

static void normalize(double v[3]) {
  double n = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  for (int i = 0; i < 3; i++) v[i] /= n;
}
static void cross(const double a[3], const double b[3], double c[3]) {
  c[0] = a[1] * b[2] - a[2] * b[1];
  c[1] = a[2] * b[0] - a[0] * b[2];
  c[2] = a[0] * b[1] - a[1] * b[0];
}

/* Rows of R: x = z cross world-up (right), y = z cross x (down), then the roll turns
 * x and y about z. Built in double so azimuths a and a + 2 pi agree to float rounding. */
static int look_at(dp_camera *cam, const double eye[3], const float target[3], double roll) {
  double z[3] = {target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]};
  double n = sqrt(z[0] * z[0] + z[1] * z[1] + z[2] * z[2]);
  if (!(n > 0) || !isfinite(n)) return dp_fail("camera: eye and target coincide or are not finite");
  normalize(z);
  const double up[3] = {0, 1, 0};
  double x[3], y[3];
  cross(z, up, x);
  if (sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]) < 1e-6)
    return dp_fail("camera: looking straight up or down (image 'up' undefined)");
  normalize(x);
  cross(z, x, y);
  double c = cos(roll), s = sin(roll);
  for (int i = 0; i < 3; i++) {
    double xr = c * x[i] + s * y[i], yr = -s * x[i] + c * y[i];
    cam->m[i] = (float)xr;
    cam->m[4 + i] = (float)yr;
    cam->m[8 + i] = (float)z[i];
    x[i] = xr;
    y[i] = yr;
  }
  const double *rows[3] = {x, y, z};
  for (int r = 0; r < 3; r++)
    cam->m[4 * r + 3] = (float)-(rows[r][0] * eye[0] + rows[r][1] * eye[1] + rows[r][2] * eye[2]);
  for (int i = 0; i < 3; i++) {
    cam->eye[i] = (float)eye[i];
    cam->target[i] = target[i];
  }
  cam->roll = (float)roll;
  return 0;
}

int dp_camera_orbit(dp_camera *cam, const float target[3], double azimuth, double elevation,
                    double distance, double roll) {
  if (!(distance > 0)) return dp_fail("camera: distance %g mm, expected > 0", distance);
  double a = fmod(azimuth, TWO_PI);
  if (a < 0) a += TWO_PI;
  double ce = cos(elevation);
  double eye[3] = {target[0] + distance * ce * sin(a), target[1] + distance * sin(elevation),
                   target[2] + distance * ce * cos(a)};
  DP_TRY(look_at(cam, eye, target, roll));
  cam->azimuth = (float)a;
  cam->elevation = (float)elevation;
  cam->distance = (float)distance;
  return 0;
}

static double lerp(double lo, double hi, double u) { return lo + (hi - lo) * u; }

int dp_camera_sample(dp_camera *cam, const dp_camera_ranges *r, const float body_centre[3],
                     uint64_t seed, uint64_t frame) {
  dp_rng g;
  dp_rng_init(&g, seed, DP_STREAM_RENDER, frame, DP_RENDER_SUB_CAMERA);
  /* Fixed draw order: azimuth, elevation, distance, roll, jitter x y z. */
  double az = lerp(r->azimuth_min, r->azimuth_max, dp_rng_uniform(&g));
  double el = lerp(r->elevation_min, r->elevation_max, dp_rng_uniform(&g));
  double d = lerp(r->distance_min, r->distance_max, dp_rng_uniform(&g));
  double roll = lerp(-r->roll_max, r->roll_max, dp_rng_uniform(&g));
  float target[3];
  for (int i = 0; i < 3; i++) target[i] = body_centre[i] + (float)(r->jitter_mm * dp_rng_normal(&g));
  return dp_camera_orbit(cam, target, az, el, d, roll);
}

void dp_camera_apply(const float m[12], const float w[3], float c[3]) {
  for (int r = 0; r < 3; r++) c[r] = m[4 * r] * w[0] + m[4 * r + 1] * w[1] + m[4 * r + 2] * w[2] + m[4 * r + 3];
}

void dp_project(const dp_intrinsics *k, const float c[3], float uv[2]) {
  uv[0] = k->fx * c[0] / c[2] + k->cx;
  uv[1] = k->fy * c[1] / c[2] + k->cy;
}

void dp_project_points(const dp_intrinsics *k, const float m[12], const float *world, int n,
                       float *cam, float *uv) {
  for (int i = 0; i < n; i++) {
    float c[3];
    dp_camera_apply(m, world + 3 * i, c);
    if (cam)
      for (int j = 0; j < 3; j++) cam[3 * i + j] = c[j];
    dp_project(k, c, uv + 2 * i);
  }
}

long dp_bbox_body_pixels(const uint16_t *id, int width, int height, float box[4]) {
  int x0 = width, y0 = height, x1 = -1, y1 = -1;
  long count = 0;
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      if (dp_id_is_body(id[(size_t)y * width + x])) {
        count++;
        x0 = x < x0 ? x : x0;
        x1 = x > x1 ? x : x1;
        y0 = y < y0 ? y : y0;
        y1 = y > y1 ? y : y1;
      }
  if (!count) {
    box[0] = box[1] = box[2] = box[3] = 0.0f;
    return 0;
  }
  box[0] = (float)x0;
  box[1] = (float)y0;
  box[2] = (float)(x1 + 1);
  box[3] = (float)(y1 + 1);
  return count;
}

void dp_bbox_points(const float *uv, int n, float box[4]) {
  box[0] = box[1] = INFINITY;
  box[2] = box[3] = -INFINITY;
  for (int i = 0; i < n; i++) {
    box[0] = fminf(box[0], uv[2 * i]);
    box[1] = fminf(box[1], uv[2 * i + 1]);
    box[2] = fmaxf(box[2], uv[2 * i]);
    box[3] = fmaxf(box[3], uv[2 * i + 1]);
  }
  if (n <= 0) box[0] = box[1] = box[2] = box[3] = 0.0f;
}
