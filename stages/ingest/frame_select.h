/* frame_select.h - which captured frames become poses. */
#ifndef DEPTHPOSE_FRAME_SELECT_H
#define DEPTHPOSE_FRAME_SELECT_H
#include "depthpose/mocap.h"

/* A degenerate frame is one no capture produces: a non-finite value anywhere, every
 * joint exactly at the origin, or - for hierarchical sources - the root exactly at the
 * origin (an all-zero motion line, as in CMU 07_12 frame 1). */
int dp_frame_degenerate(const dp_clip *clip, int f);

/* keep[f] = 1 for the frames to keep among poses[n][J][3] (canonical joints): of the
 * non-degenerate frames, every `every`-th, and of those only frames where some joint
 * moved at least min_motion_mm since the last kept frame (0 disables the test).
 * Returns the number kept; *degenerate counts the degenerate frames. */
int dp_select_frames(const dp_clip *clip, const float *poses, int J, int every,
                     double min_motion_mm, unsigned char *keep, int *degenerate);

#endif
