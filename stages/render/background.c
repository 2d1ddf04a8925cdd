/* background.c - the scene around the body: a floor under the feet, walls behind the
 * body at a random distance and angle (sometimes a corner), and boxes and cylinders as
 * clutter, each present with its configured probability. Everything is triangles
 * appended to the frame's mesh with a background object id.
 *
 * Placement is relative to the camera so that nothing covers the body: walls stand
 * beyond the body as seen from the camera, clutter stands more than 60 degrees away
 * from the body-to-camera direction and either wholly behind the body centre or more
 * than a metre to its side (so it never hides the body), and no surface is
 * built with the camera behind or inside it. */
#include <math.h>

#include "depthpose/error.h"
#include "depthpose/render.h"
#include "depthpose/rng.h"

#define PI 3.14159265358979323846

void dp_background_default(dp_background_config *c) {
  c->p_floor = 0.8f;
  c->p_wall = 0.6f;
  c->p_corner = 0.3f;
  c->p_clutter = 0.4f;
  c->wall_dist_min = 800.0f;
  c->wall_dist_max = 2500.0f;
  c->wall_angle_max = 0.6f;
  c->clutter_max = 4;
  c->clutter_size_min = 150.0f;
  c->clutter_size_max = 600.0f;
  c->clutter_dist_min = 900.0f;
  c->clutter_dist_max = 2500.0f;
  c->extent = 6000.0f;
  c->wall_height = 3000.0f;
}

void dp_background_none(dp_background_config *c) {
  dp_background_default(c);
  c->p_floor = c->p_wall = c->p_corner = c->p_clutter = 0.0f;
}

int dp_background_check(const dp_background_config *c) {
  const float p[4] = {c->p_floor, c->p_wall, c->p_corner, c->p_clutter};
  for (int i = 0; i < 4; i++)
    if (!(p[i] >= 0 && p[i] <= 1))
      return dp_fail("background: probabilities must lie in [0, 1] (got %g)", p[i]);
  if (!(c->wall_dist_min > 0 && c->wall_dist_min <= c->wall_dist_max))
    return dp_fail("background: wall distance range [%g, %g] mm, expected 0 < min <= max",
                   c->wall_dist_min, c->wall_dist_max);
  if (!(c->clutter_size_min > 0 && c->clutter_size_min <= c->clutter_size_max) ||
      !(c->clutter_dist_min > 0 && c->clutter_dist_min <= c->clutter_dist_max) ||
      c->clutter_max < 0 || c->clutter_max > 64)
    return dp_fail("background: clutter size/distance ranges must satisfy 0 < min <= max "
                   "and clutter_max must be 0..64");
  if (!(c->extent > 0 && c->wall_height > 0 && c->wall_angle_max >= 0 && c->wall_angle_max < 1.5f))
    return dp_fail("background: extent and wall_height must be > 0, wall_angle_max in [0, 1.5)");
  return 0;
}

static float uni(dp_rng *g, float lo, float hi) { return lo + (hi - lo) * (float)dp_rng_uniform(g); }

typedef struct {
  const dp_background_config *c;
  dp_mesh *out;
  float centre[3], floor_y, eye[3];
  float away[2]; /* horizontal unit vector camera -> body (x, z) */
} scene;

static int floor_quad(scene *s) {
  /* seen from below it would be a ceiling in front of the camera: leave it out */
  if (s->eye[1] < s->floor_y + 50.0f) return 0;
  float e = s->c->extent;
  const float p0[3] = {s->centre[0] - e, s->floor_y, s->centre[2] - e};
  const float u[3] = {0, 0, 2 * e}, v[3] = {2 * e, 0, 0}; /* u x v = +Y: faces up */
  return dp_mesh_quad(s->out, p0, u, v, DP_ID_FLOOR);
}

/* Vertical wall through ground point (px, pz) facing horizontal unit normal (nx, nz). */
static int wall(scene *s, float px, float pz, float nx, float nz) {
  float e = s->c->extent, h = s->c->wall_height;
  float tx = nz, tz = -nx; /* tangent t = Y x n; t x Y = n: quad (t, Y) faces n */
  const float p0[3] = {px - e * tx, s->floor_y, pz - e * tz};
  const float u[3] = {2 * e * tx, 0, 2 * e * tz}, v[3] = {0, h, 0};
  return dp_mesh_quad(s->out, p0, u, v, DP_ID_WALL);
}

static int walls(scene *s, dp_rng *g) {
  const dp_background_config *c = s->c;
  float d = uni(g, c->wall_dist_min, c->wall_dist_max);
  float a = uni(g, -c->wall_angle_max, c->wall_angle_max);
  float want_corner = (float)dp_rng_uniform(g), side = dp_rng_uniform(g) < 0.5 ? -1.0f : 1.0f;
  float lateral = uni(g, c->wall_dist_min, c->wall_dist_max);
  float px = s->centre[0] + d * s->away[0], pz = s->centre[2] + d * s->away[1];
  /* normal = -away turned by a about Y */
  float ca = cosf(a), sa = sinf(a);
  float nx = -(ca * s->away[0] + sa * s->away[1]), nz = -(-sa * s->away[0] + ca * s->away[1]);
  DP_TRY(wall(s, px, pz, nx, nz));
  if (want_corner >= c->p_corner) return 0;
  /* side wall along the back wall's normal, at `lateral` from the body, facing it; only
   * if the camera is also on its front side */
  float tx = nz, tz = -nx;
  float qx = s->centre[0] + side * lateral * tx, qz = s->centre[2] + side * lateral * tz;
  float cam_t = (s->eye[0] - s->centre[0]) * tx + (s->eye[2] - s->centre[2]) * tz;
  if (side * cam_t > lateral - 300.0f) return 0;
  return wall(s, qx, qz, -side * tx, -side * tz);
}

static int clutter_item(scene *s, dp_rng *g) {
  const dp_background_config *c = s->c;
  /* fixed number of draws per item, whatever is kept */
  float phi = uni(g, (float)(-2 * PI / 3), (float)(2 * PI / 3));
  float rho = uni(g, c->clutter_dist_min, c->clutter_dist_max);
  float size = uni(g, c->clutter_size_min, c->clutter_size_max);
  float e0 = uni(g, 0.4f, 1.0f), e1 = uni(g, 0.4f, 1.0f), e2 = uni(g, 0.4f, 1.0f);
  float yaw = uni(g, 0.0f, (float)PI);
  int is_box = dp_rng_uniform(g) < 0.5;
  float ax = s->away[0], az = s->away[1], sx = az, sz = -ax; /* side = away x Y */
  float x = s->centre[0] + rho * (cosf(phi) * ax + sinf(phi) * sx);
  float z = s->centre[2] + rho * (cosf(phi) * az + sinf(phi) * sz);
  float reach = 1.5f * size; /* bounding radius of the object, generously */
  if (rho < reach + 450.0f) return 0; /* would touch the body */
  /* keep it wholly behind the body centre (seen from the camera) or laterally clear of
   * outstretched arms, so it never hides part of the body */
  float along = rho * cosf(phi), across = fabsf(rho * sinf(phi));
  if (along < reach && across < reach + 1000.0f) return 0;
  if (hypotf(s->eye[0] - x, s->eye[2] - z) < reach + 100.0f) return 0; /* camera inside */
  if (is_box) {
    float h[3] = {size * e0, size * e1, size * e2};
    float cy = cosf(yaw), sy = sinf(yaw);
    const float rot[9] = {cy, 0, sy, 0, 1, 0, -sy, 0, cy};
    const float ctr[3] = {x, s->floor_y + h[1], z};
    return dp_mesh_box(s->out, ctr, h, rot, DP_ID_CLUTTER);
  }
  float r = size * (0.3f + 0.5f * e0), height = 2.0f * size * e1;
  const float a[3] = {x, s->floor_y, z}, b[3] = {x, s->floor_y + height, z};
  return dp_mesh_cylinder(s->out, a, b, r, 12, DP_ID_CLUTTER);
}

int dp_background_build(const dp_background_config *c, const float centre[3], float floor_y,
                        const dp_camera *cam, uint64_t seed, uint64_t frame, dp_mesh *out) {
  DP_TRY(dp_background_check(c));
  scene s = {.c = c, .out = out, .floor_y = floor_y};
  for (int i = 0; i < 3; i++) {
    s.centre[i] = centre[i];
    s.eye[i] = cam->eye[i];
  }
  float dx = centre[0] - cam->eye[0], dz = centre[2] - cam->eye[2], n = hypotf(dx, dz);
  if (n > 1e-3f) {
    s.away[0] = dx / n;
    s.away[1] = dz / n;
  } else { /* camera straight above: use its optical axis (row 3 of m) on the ground */
    float ox = cam->m[8], oz = cam->m[10], on = hypotf(ox, oz);
    s.away[0] = on > 1e-6f ? ox / on : 0.0f;
    s.away[1] = on > 1e-6f ? oz / on : -1.0f;
  }
  dp_rng g;
  dp_rng_init(&g, seed, DP_STREAM_RENDER, frame, DP_RENDER_SUB_BACKGROUND);
  /* The three decisions first, so a probability change never shifts the others. */
  double u_floor = dp_rng_uniform(&g), u_wall = dp_rng_uniform(&g), u_clutter = dp_rng_uniform(&g);
  if (u_floor < c->p_floor) DP_TRY(floor_quad(&s));
  dp_rng gw;
  dp_rng_init(&gw, seed, DP_STREAM_RENDER, frame, DP_RENDER_SUB_WALLS);
  if (u_wall < c->p_wall) DP_TRY(walls(&s, &gw));
  if (u_clutter < c->p_clutter && c->clutter_max > 0) {
    int count = 1 + (int)dp_rng_below(&g, (uint32_t)c->clutter_max);
    for (int i = 0; i < count; i++) DP_TRY(clutter_item(&s, &g));
  }
  return 0;
}
