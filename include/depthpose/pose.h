/* pose.h - the canonical joint sets and what every stage knows about a pose:
 * J joints x (x, y, z) float32 millimetres, Y up. */
#ifndef DEPTHPOSE_POSE_H
#define DEPTHPOSE_POSE_H

#define DP_MAX_JOINTS 64

/* The default 15-joint set, in this order. */
extern const char *const dp_joints15[15];
/* The 10-joint subset used for the original work's size (see README: its exact list
 * is not published in the material we have; this one keeps the extremities and the
 * points they attach to). */
extern const char *const dp_joints10[10];

/* A named joint set: "default15" or "subset10" -> its names and count; 0, or -1 (no
 * dp_fail) for any other name. */
int dp_joint_set_named(const char *name, const char *const **names, int *n);

/* Index of `name` in names[0..n), or -1. */
int dp_joint_index(const char *const *names, int n, const char *name);

#endif
