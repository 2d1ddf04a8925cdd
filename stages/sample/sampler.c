/* sampler.c - per-joint Gaussian KDE along the tree (see sampler.h). */
#include "sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/rng.h"

int dp_sampler_init(dp_sampler *s, const dp_sampler_config *c) {
  memset(s, 0, sizeof *s);
  s->c = *c;
  const int J = c->n_joints;
  const size_t n = c->n;
  if (n < 1) return dp_fail("the training split has no poses to sample from");
  s->offsets = dp_malloc(n * (size_t)J * 3 * sizeof *s->offsets, "offsets");
  s->bandwidth = dp_calloc((size_t)J, sizeof *s->bandwidth, "bandwidths");
  if (!s->offsets || !s->bandwidth) return -1;
  for (size_t i = 0; i < n; i++) {
    const float *p = c->poses + i * (size_t)J * 3;
    float *o = s->offsets + i * (size_t)J * 3;
    for (int j = 0; j < J; j++)
      for (int a = 0; a < 3; a++)
        o[3 * j + a] = c->parent[j] < 0 ? p[3 * j + a] : p[3 * j + a] - p[3 * c->parent[j] + a];
  }
  const double silverman = 1.06 * pow((double)n, -0.2) * c->bandwidth_scale;
  for (int j = 0; j < J; j++) {
    double var = 0;
    for (int a = 0; a < 3; a++) {
      double mean = 0, m2 = 0;
      for (size_t i = 0; i < n; i++) mean += s->offsets[(i * (size_t)J + (size_t)j) * 3 + a];
      mean /= (double)n;
      for (size_t i = 0; i < n; i++) {
        double d = s->offsets[(i * (size_t)J + (size_t)j) * 3 + a] - mean;
        m2 += d * d;
      }
      var += n > 1 ? m2 / (double)(n - 1) : 0;
    }
    s->bandwidth[j] = silverman * sqrt(var / 3.0);
    if (c->parent[j] < 0 && !c->root_kde) s->bandwidth[j] = 0;
  }
  return 0;
}

void dp_sampler_free(dp_sampler *s) {
  free(s->offsets);
  free(s->bandwidth);
  memset(s, 0, sizeof *s);
}

/* One attempt. Draws for joint j come from sub-stream attempt * 2J + j; the body
 * whose bone lengths are kept comes from sub-stream attempt * 2J + J. */
static void draw_once(const dp_sampler *s, uint64_t index, int attempt, float *out) {
  const dp_sampler_config *c = &s->c;
  const int J = c->n_joints;
  uint32_t base = (uint32_t)attempt * 2u * (uint32_t)J;
  size_t body = 0;
  if (c->keep_bone_lengths) {
    dp_rng r;
    dp_rng_init(&r, c->seed, DP_STREAM_SAMPLE, index, base + (uint32_t)J);
    body = dp_rng_below(&r, (uint32_t)c->n);
  }
  for (int k = 0; k < J; k++) {
    int j = c->order[k], p = c->parent[j];
    dp_rng r;
    dp_rng_init(&r, c->seed, DP_STREAM_SAMPLE, index, base + (uint32_t)j);
    size_t src = dp_rng_below(&r, (uint32_t)c->n);
    const float *y = s->offsets + (src * (size_t)J + (size_t)j) * 3;
    double v[3];
    for (int a = 0; a < 3; a++) v[a] = y[a] + s->bandwidth[j] * dp_rng_normal(&r);
    if (p < 0) {
      for (int a = 0; a < 3; a++) out[3 * j + a] = c->root_kde ? (float)v[a] : 0.0f;
      continue;
    }
    if (c->keep_bone_lengths) {
      const float *yb = s->offsets + (body * (size_t)J + (size_t)j) * 3;
      double want = sqrt((double)yb[0] * yb[0] + (double)yb[1] * yb[1] + (double)yb[2] * yb[2]);
      double have = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
      for (int a = 0; a < 3; a++) v[a] = have > 0 ? v[a] * want / have : 0;
    }
    for (int a = 0; a < 3; a++) out[3 * j + a] = (float)(out[3 * p + a] + v[a]);
  }
}

void dp_sampler_draw(const dp_sampler *s, uint64_t index, float *out, int *rejected) {
  *rejected = 0;
  for (int attempt = 0;; attempt++) {
    draw_once(s, index, attempt, out);
    if (s->c.capsule_radius_mm <= 0 || attempt + 1 >= s->c.max_attempts ||
        !dp_pose_interpenetrates(out, s->c.parent, s->c.n_joints, s->c.capsule_radius_mm))
      return;
    (*rejected)++;
  }
}

static double dot3(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

/* Closest points of two segments (the standard clamped parametric solution). */
double dp_segment_distance(const double *p0, const double *p1, const double *q0, const double *q1) {
  double d1[3], d2[3], r[3];
  for (int a = 0; a < 3; a++) d1[a] = p1[a] - p0[a], d2[a] = q1[a] - q0[a], r[a] = p0[a] - q0[a];
  double a = dot3(d1, d1), e = dot3(d2, d2), f = dot3(d2, r), s = 0, t = 0;
  const double eps = 1e-12;
  if (a <= eps && e <= eps) {
    s = t = 0;
  } else if (a <= eps) {
    t = fmin(fmax(f / e, 0), 1);
  } else {
    double cc = dot3(d1, r);
    if (e <= eps) {
      s = fmin(fmax(-cc / a, 0), 1);
    } else {
      double b = dot3(d1, d2), den = a * e - b * b;
      s = den > eps ? fmin(fmax((b * f - cc * e) / den, 0), 1) : 0;
      t = (b * s + f) / e;
      if (t < 0) t = 0, s = fmin(fmax(-cc / a, 0), 1);
      else if (t > 1) t = 1, s = fmin(fmax((b - cc) / a, 0), 1);
    }
  }
  double dist2 = 0;
  for (int k = 0; k < 3; k++) {
    double d = (p0[k] + d1[k] * s) - (q0[k] + d2[k] * t);
    dist2 += d * d;
  }
  return sqrt(dist2);
}

int dp_pose_interpenetrates(const float *pose, const int *parent, int J, double r) {
  for (int i = 0; i < J; i++) {
    if (parent[i] < 0) continue;
    for (int k = i + 1; k < J; k++) {
      if (parent[k] < 0) continue;
      int a0 = parent[i], a1 = i, b0 = parent[k], b1 = k;
      if (a0 == b0 || a0 == b1 || a1 == b0 || a1 == b1) continue; /* adjacent bones touch */
      double p0[3], p1[3], q0[3], q1[3];
      for (int a = 0; a < 3; a++)
        p0[a] = pose[3 * a0 + a], p1[a] = pose[3 * a1 + a], q0[a] = pose[3 * b0 + a], q1[a] = pose[3 * b1 + a];
      if (dp_segment_distance(p0, p1, q0, q1) < 2 * r) return 1;
    }
  }
  return 0;
}
