/* sampler.h - KDE pose synthesis along a tree (the original method), plus the options
 * beyond it. Pure functions over in-memory arrays, so they are unit-testable. */
#ifndef DEPTHPOSE_SAMPLER_H
#define DEPTHPOSE_SAMPLER_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  int n_joints;
  const int *parent;      /* [J], root -1 */
  const int *order;       /* [J], root first */
  size_t n;               /* real poses */
  const float *poses;     /* [n][J][3] mm (already canonicalised if asked) */
  double bandwidth_scale; /* multiplies Silverman's rule */
  int root_kde;           /* 0: root at the origin; 1: root from a KDE of real roots */
  int keep_bone_lengths;  /* 1: each bone's length from one real pose (one body) */
  double capsule_radius_mm; /* > 0: reject poses whose limb capsules interpenetrate */
  int max_attempts;       /* per pose, when rejecting */
  uint64_t seed;
} dp_sampler_config;

typedef struct {
  dp_sampler_config c;
  float *offsets;     /* [n][J][3]: joint minus parent (root: the root position) */
  double *bandwidth;  /* [J] */
} dp_sampler;

/* Silverman's rule per joint: b_j = scale * 1.06 * sigma_j * n^(-1/5), with sigma_j
 * the square root of the mean of the three per-axis variances of the joint's offsets
 * (pooled, because the kernel is isotropic: N(y; y_i, b^2 I)). */
int dp_sampler_init(dp_sampler *s, const dp_sampler_config *c);
void dp_sampler_free(dp_sampler *s);

/* Synthetic pose `index` into out[J][3]. A pure function of (seed, index): the same
 * pose whichever rank makes it. *rejected counts capsule rejections. */
void dp_sampler_draw(const dp_sampler *s, uint64_t index, float *out, int *rejected);

/* Smallest distance between two segments [p0,p1] and [q0,q1]. */
double dp_segment_distance(const double *p0, const double *p1, const double *q0, const double *q1);
/* 1 if two non-adjacent tree edges come closer than 2r. */
int dp_pose_interpenetrates(const float *pose, const int *parent, int J, double r);

/* Rotate a pose about the vertical (Y) axis so that the line from joint l to joint r
 * points along +x (the canonical facing). In place; out-of-plane hips are fine. */
void dp_canonical_orientation(float *pose, int J, int l, int r);

#endif
