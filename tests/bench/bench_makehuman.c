/* bench_makehuman.c - single-thread frames/s of the render core with the MakeHuman body
 * against the parametric body, in the same run on the same frames: per frame a real
 * CMU pose (cycling through a walk, a dance and a squat clip), a random camera, one of
 * the 12 body shapes, a floor and a wall (no clutter), rasterized with ids, then the
 * ToF sensor model, the body box and the label projection - everything the stage does
 * per frame except HDF5. A third line times the MakeHuman posing + skinning alone.
 *
 *   bench_makehuman [--frames N] [--size WxH]
 * Needs DP_SOURCE (the source tree: data/makehuman, data/cmu). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/cmu_poses.h"
#include "bench_clock.h"
#include "depthpose/error.h"
#include "depthpose/makehuman.h"
#include "depthpose/pose.h"
#include "depthpose/render.h"

static const char *const CLIPS[] = {"07/07_01.bvh", "05/05_02.bvh", "13/13_29.bvh"};
#define N_POSES_PER_CLIP 100
#define N_POSES (3 * N_POSES_PER_CLIP)

enum { PARAMETRIC, MAKEHUMAN, SKIN_ONLY };

typedef struct {
  dp_intrinsics K;
  dp_camera_ranges cr;
  dp_background_config bg;
  dp_sensor_config sensor;
  dp_body_param_model pm;
  dp_body_shape pshapes[12];
  dp_mh_model mh;
  dp_mh_body bodies[12];
  float *poses;
  dp_mesh mesh;
  dp_zbuffer zb;
  uint16_t *depth;
  long triangles, body_px;
  int which; /* PARAMETRIC, MAKEHUMAN or SKIN_ONLY */
} bench;

static int frame(void *ctx, uint64_t f) {
  bench *b = ctx;
  int which = b->which;
  const float *j = b->poses + 45 * (f % N_POSES);
  int shape = (int)((f / 7) % 12);
  float centre[3], labels[45], floor_y;
  dp_mesh_clear(&b->mesh);
  if (which == PARAMETRIC) {
    DP_TRY(dp_body_param_build(&b->pm, j, &b->pshapes[shape], &b->mesh));
    dp_body_param_centre(&b->pm, j, centre);
    floor_y = dp_body_param_floor_y(&b->pm, j, &b->pshapes[shape]);
    memcpy(labels, j, sizeof labels);
  } else {
    dp_mh_posed p;
    DP_TRY(dp_mh_pose(&b->mh, &b->bodies[shape], j, &b->mesh, &p));
    if (which == SKIN_ONLY) return 0;
    memcpy(centre, p.centre, sizeof centre);
    memcpy(labels, p.joints, sizeof labels);
    floor_y = p.floor_y;
  }
  dp_camera cam;
  DP_TRY(dp_camera_sample(&cam, &b->cr, centre, 1, f));
  DP_TRY(dp_background_build(&b->bg, centre, floor_y, &cam, 1, f, &b->mesh));
  dp_zbuffer_clear(&b->zb);
  DP_TRY(dp_raster_mesh(&b->zb, &b->K, cam.m, &b->mesh));
  b->triangles += b->mesh.nt;
  float box[4], cj[45], uv[30];
  b->body_px += dp_bbox_body_pixels(b->zb.id, b->K.width, b->K.height, box);
  dp_project_points(&b->K, cam.m, labels, 15, cj, uv);
  return dp_sensor_apply(&b->sensor, b->zb.depth, b->zb.id, b->K.width, b->K.height, 1, f, b->depth);
}

static int setup(bench *b, int w, int h) {
  const double deg = 3.14159265358979323846 / 180;
  dp_intrinsics_fov(&b->K, w, h, 44 * deg, 35 * deg);
  dp_camera_ranges_default(&b->cr);
  dp_background_default(&b->bg);
  b->bg.p_floor = b->bg.p_wall = 1;
  b->bg.p_corner = b->bg.p_clutter = 0;
  dp_sensor_tof_default(&b->sensor);
  dp_mesh_init(&b->mesh);
  DP_TRY(dp_body_param_init(&b->pm, dp_joints15, 15));
  DP_TRY(dp_body_shape_table(1, 12, b->pshapes));
  DP_TRY(dp_mh_model_load(&b->mh, dp_source_path("data/makehuman")));
  for (int i = 0; i < 12; i++) DP_TRY(dp_mh_body_build(&b->mh, &dp_mh_default_shapes()[i].shape, &b->bodies[i]));
  dp_mh_model_drop_targets(&b->mh);
  if (!(b->poses = dp_cmu_poses(CLIPS, 3, N_POSES_PER_CLIP))) return -1;
  b->depth = dp_malloc(sizeof(uint16_t) * (size_t)w * h, "sensor image");
  if (!b->depth) return -1;
  return dp_zbuffer_init(&b->zb, w, h, 1);
}

int main(int argc, char **argv) {
  int frames = 5000, w = 176, h = 144;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--frames") && i + 1 < argc) frames = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--size") && i + 1 < argc) sscanf(argv[++i], "%dx%d", &w, &h);
    else { fprintf(stderr, "usage: bench_makehuman [--frames N] [--size WxH]\n"); return 2; }
  }
  static bench b;
  if (setup(&b, w, h)) {
    fprintf(stderr, "bench_makehuman: %s\n", dp_error_message());
    return 1;
  }
  static const char *const NAME[3] = {"parametric body+floor+wall+ToF+labels",
                                      "MakeHuman body+floor+wall+ToF+labels",
                                      "MakeHuman posing+skinning only"};
  for (b.which = 0; b.which < 3; b.which++) {
    for (int f = 0; f < 50; f++) frame(&b, (uint64_t)f); /* warm up the buffers */
    b.triangles = b.body_px = 0;
    double dt, dc;
    if (bench_timed(frame, &b, frames, &dt, &dc)) {
      fprintf(stderr, "bench_makehuman: %s\n", dp_error_message());
      return 1;
    }
    printf("%dx%d %-38s %6.0f frames/s wall, %6.0f frames/s cpu (%5.0f us/frame)", w, h,
           NAME[b.which], frames / dt, frames / dc, 1e6 * dc / frames);
    if (b.which != SKIN_ONLY)
      printf("  %ld triangles/frame  %ld body px/frame", b.triangles / frames, b.body_px / frames);
    printf("\n");
  }
  for (int i = 0; i < 12; i++) dp_mh_body_free(&b.bodies[i]);
  dp_mh_model_free(&b.mh);
  dp_zbuffer_free(&b.zb);
  dp_mesh_free(&b.mesh);
  free(b.poses);
  free(b.depth);
  return 0;
}
