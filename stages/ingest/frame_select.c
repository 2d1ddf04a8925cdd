/* frame_select.c - see frame_select.h. */
#include "frame_select.h"

#include <math.h>

int dp_frame_degenerate(const dp_clip *clip, int f) {
  const float *p = clip->pos + (size_t)f * (size_t)clip->n_joints * 3;
  int all_zero = 1;
  for (int i = 0; i < 3 * clip->n_joints; i++) {
    if (!isfinite(p[i])) return 1;
    if (p[i] != 0.0f) all_zero = 0;
  }
  if (all_zero) return 1;
  return clip->parent && clip->parent[0] == -1 && p[0] == 0.0f && p[1] == 0.0f && p[2] == 0.0f;
}

static double max_joint_motion(const float *a, const float *b, int J) {
  double m = 0;
  for (int j = 0; j < J; j++) {
    double dx = a[3 * j] - b[3 * j], dy = a[3 * j + 1] - b[3 * j + 1], dz = a[3 * j + 2] - b[3 * j + 2];
    double d = sqrt(dx * dx + dy * dy + dz * dz);
    if (d > m) m = d;
  }
  return m;
}

int dp_select_frames(const dp_clip *clip, const float *poses, int J, int every,
                     double min_motion_mm, unsigned char *keep, int *degenerate) {
  int kept = 0, good = 0, last = -1;
  *degenerate = 0;
  for (int f = 0; f < clip->n_frames; f++) {
    keep[f] = 0;
    if (dp_frame_degenerate(clip, f)) {
      (*degenerate)++;
      continue;
    }
    if (good++ % every != 0) continue;
    if (last >= 0 && min_motion_mm > 0 &&
        max_joint_motion(poses + (size_t)f * J * 3, poses + (size_t)last * J * 3, J) < min_motion_mm)
      continue;
    keep[f] = 1;
    last = f;
    kept++;
  }
  return kept;
}
