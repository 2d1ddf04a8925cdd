/* bench_render.c - single-thread frames/s of the render core: per frame a random
 * camera, one of 12 body shapes on one of two poses, a floor and a wall (no clutter),
 * rasterized with ids; then the same plus the ToF sensor model, the body box and the
 * joint projections (everything the stage does per frame except HDF5).
 *
 *   bench_render [--frames N] [--size WxH] [--cull]
 * Prints frames/s and triangles per frame. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"
#include "depthpose/error.h"
#include "depthpose/pose.h"
#include "depthpose/render.h"

static const float POSES[2][15][3] = {
    {{0, 1620, 0}, {0, 1460, 0}, {0, 1050, 0}, {190, 1420, 0}, {-190, 1420, 0},
     {250, 1140, 0}, {-250, 1140, 0}, {300, 900, 40}, {-300, 900, 40}, {95, 930, 0},
     {-95, 930, 0}, {100, 500, 10}, {-100, 500, 10}, {100, 80, 0}, {-100, 80, 0}},
    {{0, 1600, 40}, {0, 1445, 20}, {0, 1040, 0}, {190, 1410, 10}, {-190, 1410, 10},
     {230, 1130, -120}, {-240, 1150, 130}, {270, 930, -30}, {-250, 960, 330}, {95, 920, 0},
     {-95, 920, 0}, {110, 510, 170}, {-100, 500, -90}, {110, 110, 120}, {-100, 120, -330}}};

typedef struct {
  dp_intrinsics K;
  dp_camera_ranges cr;
  dp_background_config bg;
  dp_sensor_config sensor;
  dp_body_param_model model;
  dp_body_shape shapes[12];
  dp_mesh mesh;
  dp_zbuffer zb;
  uint16_t *depth;
  long triangles, body_px;
  int full;
} bench;

/* One frame; b->full = also sensor, box and joint labels. */
static int frame(void *ctx, uint64_t f) {
  bench *b = ctx;
  int full = b->full;
  const float *j = &POSES[f % 2][0][0];
  const dp_body_shape *s = &b->shapes[(f / 2) % 12];
  float centre[3];
  dp_camera cam;
  dp_body_param_centre(&b->model, j, centre);
  DP_TRY(dp_camera_sample(&cam, &b->cr, centre, 1, f));
  dp_mesh_clear(&b->mesh);
  DP_TRY(dp_body_param_build(&b->model, j, s, &b->mesh));
  DP_TRY(dp_background_build(&b->bg, centre, dp_body_param_floor_y(&b->model, j, s), &cam, 1, f, &b->mesh));
  dp_zbuffer_clear(&b->zb);
  DP_TRY(dp_raster_mesh(&b->zb, &b->K, cam.m, &b->mesh));
  b->triangles += b->mesh.nt;
  if (!full) return 0;
  float box[4], cj[45], uv[30];
  b->body_px += dp_bbox_body_pixels(b->zb.id, b->K.width, b->K.height, box);
  dp_project_points(&b->K, cam.m, j, 15, cj, uv);
  return dp_sensor_apply(&b->sensor, b->zb.depth, b->zb.id, b->K.width, b->K.height, 1, f, b->depth);
}

int main(int argc, char **argv) {
  int frames = 5000, w = 176, h = 144, cull = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--frames") && i + 1 < argc) frames = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--size") && i + 1 < argc) sscanf(argv[++i], "%dx%d", &w, &h);
    else if (!strcmp(argv[i], "--cull")) cull = 1;
    else { fprintf(stderr, "usage: bench_render [--frames N] [--size WxH] [--cull]\n"); return 2; }
  }
  bench b;
  memset(&b, 0, sizeof b);
  const double deg = 3.14159265358979323846 / 180;
  dp_intrinsics_fov(&b.K, w, h, 44 * deg, 35 * deg);
  dp_camera_ranges_default(&b.cr);
  dp_background_default(&b.bg);
  b.bg.p_floor = b.bg.p_wall = 1;
  b.bg.p_corner = b.bg.p_clutter = 0;
  dp_sensor_tof_default(&b.sensor);
  dp_mesh_init(&b.mesh);
  b.depth = malloc(sizeof(uint16_t) * (size_t)w * h);
  if (dp_body_param_init(&b.model, dp_joints15, 15) || dp_body_shape_table(1, 12, b.shapes) ||
      dp_zbuffer_init(&b.zb, w, h, 1) || !b.depth) {
    fprintf(stderr, "bench_render: %s\n", dp_error_message());
    return 1;
  }
  b.zb.cull_backfaces = cull;
  for (b.full = 0; b.full < 2; b.full++) {
    int full = b.full;
    for (int f = 0; f < 50; f++) frame(&b, (uint64_t)f); /* warm up the buffers */
    b.triangles = b.body_px = 0;
    double dt, dc;
    if (bench_timed(frame, &b, frames, &dt, &dc)) {
      fprintf(stderr, "bench_render: %s\n", dp_error_message());
      return 1;
    }
    printf("%dx%d %-34s %6.0f frames/s wall, %6.0f frames/s cpu (%5.0f us/frame)  %ld triangles/frame%s",
           w, h, full ? "body+floor+wall+ToF sensor+labels" : "body+floor+wall (raster only)",
           frames / dt, frames / dc, 1e6 * dc / frames, b.triangles / frames, cull ? "  culled" : "");
    if (full) printf("  %ld body px/frame", b.body_px / frames);
    printf("\n");
  }
  dp_zbuffer_free(&b.zb);
  dp_mesh_free(&b.mesh);
  free(b.depth);
  return 0;
}
