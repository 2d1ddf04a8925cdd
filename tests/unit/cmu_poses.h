/* cmu_poses.h - real 15-joint poses from the bundled CMU clips (data/cmu), read through
 * the project's own path: the BVH reader (frame 0, the converter's reference pose,
 * skipped) and the built-in `cmu_bvh` joint map onto dp_joints15. For tests and
 * benchmarks that need real poses. Header-only (static functions). */
#ifndef DP_CMU_POSES_H
#define DP_CMU_POSES_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../stages/ingest/joint_map.h"
#include "depthpose/config.h"
#include "depthpose/error.h"
#include "depthpose/mocap.h"
#include "depthpose/pose.h"
#include "dp_source.h"


/* `per_clip` frames evenly spaced over each of the clips ("13/13_29.bvh", ...):
 * returns a malloc'ed [n_clips * per_clip][15][3] (mm, Y up), or NULL with the error
 * printed. */
static inline float *dp_cmu_poses(const char *const *clips, int n_clips, int per_clip) {
  dp_config *cfg = NULL;
  const char *yaml = "joint_map: cmu_bvh\n";
  dp_joint_map map;
  float *out = malloc(sizeof(float) * 45 * (size_t)n_clips * (size_t)per_clip);
  int rc = out ? dp_config_parse("cmu_poses", yaml, strlen(yaml), &cfg) : -1;
  if (rc == 0)
    rc = dp_joint_map_from_config(dp_cfg_get(dp_config_root(cfg), "joint_map"), dp_joints15, 15, &map);
  for (int c = 0; c < n_clips && rc == 0; c++) {
    dp_clip clip;
    dp_joint_lookup look;
    char rel[256], path[4096];
    snprintf(rel, sizeof rel, "data/cmu/%s", clips[c]);
    snprintf(path, sizeof path, "%s", dp_source_path(rel));
    rc = dp_bvh_read(path, 56.444, 1, &clip);
    if (rc == 0) rc = dp_joint_map_resolve(&map, &clip, path, &look);
    for (int k = 0; k < per_clip && rc == 0; k++) {
      int f = (int)(((long)k * clip.n_frames) / per_clip);
      dp_joint_map_apply(&look, &clip, f, out + 45 * ((size_t)c * per_clip + k));
    }
    dp_clip_free(&clip);
  }
  dp_config_free(cfg);
  if (rc == 0) return out;
  fprintf(stderr, "cmu poses: %s\n", dp_error_message());
  free(out);
  return NULL;
}

#endif
