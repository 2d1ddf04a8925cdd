/* render_preview.c - render one depth frame of a posed parametric body (with a floor,
 * a wall and clutter) to an 8-bit PGM so a human can look at it: near = bright,
 * far = dark, no return = black.
 *
 *   render_preview OUT.pgm [--pose stand|walk] [--azimuth DEG] [--elevation DEG]
 *                  [--distance MM] [--size WxH] [--sensor clean|tof] [--shape I]
 *                  [--seed S] [--parts]
 * --parts colours by body part id instead of depth (grey levels per part). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/pose.h"
#include "depthpose/render.h"

/* mm, Y up, facing +Z (left side toward +X), feet on y = 0 */
static const float STAND[15][3] = {
    {0, 1620, 0},    {0, 1460, 0},    {0, 1050, 0},   {190, 1420, 0},  {-190, 1420, 0},
    {250, 1140, 0},  {-250, 1140, 0}, {300, 900, 40}, {-300, 900, 40}, {95, 930, 0},
    {-95, 930, 0},   {100, 500, 10},  {-100, 500, 10}, {100, 80, 0},   {-100, 80, 0}};
static const float WALK[15][3] = {
    {0, 1600, 40},   {0, 1445, 20},   {0, 1040, 0},    {190, 1410, 10},  {-190, 1410, 10},
    {230, 1130, -120}, {-240, 1150, 130}, {270, 930, -30}, {-250, 960, 330}, {95, 920, 0},
    {-95, 920, 0},   {110, 510, 170}, {-100, 500, -90}, {110, 110, 120}, {-100, 120, -330}};

static int write_pgm(const char *path, const uint8_t *img, int w, int h) {
  FILE *f = fopen(path, "wb");
  if (!f) return dp_fail("cannot open %s for writing", path);
  fprintf(f, "P5\n%d %d\n255\n", w, h);
  size_t n = fwrite(img, 1, (size_t)w * h, f);
  if (fclose(f) != 0 || n != (size_t)w * h) return dp_fail("short write to %s", path);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: render_preview OUT.pgm [options] (see the source header)\n");
    return 2;
  }
  const char *out = argv[1], *pose = "stand", *sensor = "clean";
  double az = 20, el = 10, dist = 3000;
  int w = 176, h = 144, shape_i = -1, parts = 0;
  unsigned long long seed = 1;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
    if (!strcmp(a, "--pose")) pose = v, i++;
    else if (!strcmp(a, "--azimuth")) az = atof(v), i++;
    else if (!strcmp(a, "--elevation")) el = atof(v), i++;
    else if (!strcmp(a, "--distance")) dist = atof(v), i++;
    else if (!strcmp(a, "--size")) sscanf(v, "%dx%d", &w, &h), i++;
    else if (!strcmp(a, "--sensor")) sensor = v, i++;
    else if (!strcmp(a, "--shape")) shape_i = atoi(v), i++;
    else if (!strcmp(a, "--seed")) seed = strtoull(v, NULL, 10), i++;
    else if (!strcmp(a, "--parts")) parts = 1;
    else { fprintf(stderr, "render_preview: unknown option %s\n", a); return 2; }
  }
  const float(*J)[3] = strcmp(pose, "walk") ? STAND : WALK;
  const double deg = 3.14159265358979323846 / 180;
  dp_intrinsics K;
  dp_intrinsics_fov(&K, w, h, 44 * deg, 35 * deg);
  dp_body_param_model model;
  dp_body_shape shapes[12], shape;
  dp_body_shape_standard(&shape);
  dp_mesh mesh;
  dp_zbuffer zb;
  dp_camera cam;
  dp_background_config bg;
  dp_sensor_config sc;
  dp_background_default(&bg);
  bg.p_floor = bg.p_wall = bg.p_clutter = 1;
  if (strcmp(sensor, "tof")) dp_sensor_clean(&sc); else dp_sensor_tof_default(&sc);
  dp_mesh_init(&mesh);
  uint16_t *depth = malloc(sizeof(uint16_t) * w * h);
  uint8_t *img = malloc((size_t)w * h);
  float centre[3];
  int rc = dp_intrinsics_check(&K) || dp_body_param_init(&model, dp_joints15, 15) ||
           dp_body_shape_table(seed, 12, shapes) || dp_zbuffer_init(&zb, w, h, 1);
  if (!rc && shape_i >= 0) shape = shapes[shape_i % 12];
  if (!rc) {
    dp_body_param_centre(&model, &J[0][0], centre);
    rc = dp_camera_orbit(&cam, centre, az * deg, el * deg, dist, 0) ||
         dp_body_param_build(&model, &J[0][0], &shape, &mesh) ||
         dp_background_build(&bg, centre, dp_body_param_floor_y(&model, &J[0][0], &shape), &cam,
                             seed, 0, &mesh) ||
         dp_raster_mesh(&zb, &K, cam.m, &mesh) ||
         dp_sensor_apply(&sc, zb.depth, NULL, w, h, seed, 0, depth);
  }
  if (!rc) {
    /* grey = linear in depth over the frame's own range */
    int lo = 65535, hi = 0;
    for (int i = 0; i < w * h; i++)
      if (depth[i]) lo = depth[i] < lo ? depth[i] : lo, hi = depth[i] > hi ? depth[i] : hi;
    for (int i = 0; i < w * h; i++) {
      if (parts) img[i] = zb.id[i] ? (uint8_t)(40 + (zb.id[i] * 53) % 215) : 0;
      else img[i] = depth[i] ? (uint8_t)(255 - 200.0 * (depth[i] - lo) / (hi > lo ? hi - lo : 1)) : 0;
    }
    rc = write_pgm(out, img, w, h);
    printf("%s: %dx%d, %d triangles, depth %d..%d mm\n", out, w, h, mesh.nt, lo, hi);
  }
  if (rc) fprintf(stderr, "render_preview: %s\n", dp_error_message());
  dp_zbuffer_free(&zb);
  dp_mesh_free(&mesh);
  free(depth);
  free(img);
  return rc ? 1 : 0;
}
