/* joint_map.h - from a source's joints to the run's canonical joints. */
#ifndef DEPTHPOSE_JOINT_MAP_H
#define DEPTHPOSE_JOINT_MAP_H
#include "depthpose/config.h"
#include "depthpose/mocap.h"
#include "depthpose/pose.h"

#define DP_MAP_MAX_SOURCES 4

/* Per canonical joint, the source joint names whose mean gives it. */
typedef struct {
  int n_joints;
  const char *canonical[DP_MAX_JOINTS];
  int n_src[DP_MAX_JOINTS];
  char src[DP_MAX_JOINTS][DP_MAP_MAX_SOURCES][64];
} dp_joint_map;

/* The shipped maps onto dp_joints15, "A+B" meaning the mean: cmu_bvh, cmu_asf, h36m,
 * identity. NULL for an unknown name. */
const char *const *dp_builtin_joint_map(const char *name);

/* Build a map for the canonical joints `names[0..n)` from config node `node`: a
 * built-in map's name, or a mapping canonical -> source name or list of names
 * (a mapping may also name a `base:` built-in and override some joints). */
int dp_joint_map_from_config(const dp_node *node, const char *const *names, int n,
                             dp_joint_map *out);

/* Resolve against a clip: idx[j][s] = source joint index. An unknown source joint is an
 * error naming the joint and the file. */
typedef struct {
  int n_joints;
  int n_src[DP_MAX_JOINTS];
  int idx[DP_MAX_JOINTS][DP_MAP_MAX_SOURCES];
} dp_joint_lookup;
int dp_joint_map_resolve(const dp_joint_map *m, const dp_clip *clip, const char *file,
                         dp_joint_lookup *out);
/* Canonical pose of frame f: out[n_joints][3]. */
void dp_joint_map_apply(const dp_joint_lookup *l, const dp_clip *clip, int f, float *out);

#endif
