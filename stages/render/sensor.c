/* sensor.c - make a rendered depth buffer look like a time-of-flight camera's output:
 * flying pixels on depth edges, depth noise growing with distance, a maximum range,
 * random dropout, and 1-mm quantisation to uint16 (0 = no return).
 *
 * Randomness: one Philox draw keyed by (seed, DP_STREAM_RENDER, frame,
 * DP_RENDER_SUB_SENSOR) gives a 64-bit frame key; pixel p's k-th number is the
 * SplitMix64 output mix(key + (4p + k + 1) * golden) (noise: pixel pairs, from a
 * derived key) - itself a counter-based hash, so
 * every draw is a pure function of (seed, frame, pixel, k), independent of which
 * effects are on and of the order pixels are visited. It is ~20x cheaper per pixel than
 * a Philox block per draw, which matters at 25k pixels per frame and 1000 frames/s. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/render.h"
#include "depthpose/rng.h"

void dp_sensor_clean(dp_sensor_config *c) { memset(c, 0, sizeof *c); c->edge_mm = 100.0f; }

/* Roughly the Human3.6M MESA SR4000: sigma 4 mm at 2 m, 10 mm at 4 m. Its calibrated
 * range is 5 m; 7.5 m keeps walls behind a body at the far camera distance. */
void dp_sensor_tof_default(dp_sensor_config *c) {
  c->noise_a_mm = 2.0f;
  c->noise_b_mm_per_m2 = 0.5f;
  c->flying_prob = 0.5f;
  c->edge_mm = 100.0f;
  c->dropout_prob = 0.01f;
  c->max_range_mm = 7500.0f;
}

int dp_sensor_check(const dp_sensor_config *c) {
  const float *f = &c->noise_a_mm;
  for (int i = 0; i < 6; i++)
    if (!isfinite(f[i]) || f[i] < 0)
      return dp_fail("sensor: every setting must be finite and >= 0");
  if (c->flying_prob > 1 || c->dropout_prob > 1)
    return dp_fail("sensor: flying_prob %g and dropout_prob %g must be probabilities (<= 1)",
                   c->flying_prob, c->dropout_prob);
  return 0;
}

static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static uint64_t draw(uint64_t key, size_t p, unsigned k) {
  return mix64(key + (4 * (uint64_t)p + k + 1) * 0x9E3779B97F4A7C15ull);
}
/* (0, 1) from 32 bits */
static float unit32(uint32_t x) { return ((float)(x >> 8) + 0.5f) * (1.0f / 16777216.0f); }

/* A 32-bit draw below this is an event of probability p. */
static uint32_t prob_threshold(float p) { return (uint32_t)fmin(4294967295.0, p * 4294967296.0); }

/* Two independent standard normals for pixel pair q (Marsaglia's polar method: no
 * trigonometry; a rejected point draws the next counter, so the result is still a pure
 * function of (key, q)). */
static void normal_pair(uint64_t key, size_t q, float *n0, float *n1) {
  for (unsigned attempt = 0;; attempt++) {
    uint64_t h = mix64(key + (16 * (uint64_t)q + attempt + 1) * 0x9E3779B97F4A7C15ull);
    float a = 2.0f * unit32((uint32_t)(h >> 32)) - 1.0f, b = 2.0f * unit32((uint32_t)h) - 1.0f;
    float s = a * a + b * b;
    if ((s < 1.0f && s > 0.0f) || attempt == 15) {
      if (!(s < 1.0f && s > 0.0f)) a = b = 0, s = 1; /* 16 rejections: p ~ 1e-11 */
      float f = sqrtf(-2.0f * logf(s) / s);
      *n0 = a * f;
      *n1 = b * f;
      return;
    }
  }
}

/* Depth-edge test and the fore/background depths of pixel (x, y)'s 4-neighbourhood in
 * the original depths (rows up/cur/down; NULL beyond the border). */
static int on_edge(const float *up, const float *cur, const float *down, int x, int w,
                   float edge, float *fg, float *bg) {
  float z = cur[x], lo = z, hi = z;
  float n[4] = {up ? up[x] : z, down ? down[x] : z, x > 0 ? cur[x - 1] : z,
                x + 1 < w ? cur[x + 1] : z};
  for (int i = 0; i < 4; i++) { /* ternaries: fminf/fmaxf are libm calls */
    lo = n[i] < lo ? n[i] : lo;
    hi = n[i] > hi ? n[i] : hi;
  }
  *fg = lo;
  *bg = hi;
  return !(hi - lo <= edge); /* true for inf - finite: a silhouette against nothing */
}

/* Flying pixels: an edge pixel's footprint sees both surfaces, and the sensor reports a
 * depth in between (a uniform mixture fraction). Where the far side is empty the mixed
 * return is too weak: the pixel reports nothing. Reads original depths (two saved
 * rows), writes in place. */
static int flying(const dp_sensor_config *c, float *depth, int w, int h, uint64_t key) {
  float *rows = dp_malloc(2 * (size_t)w * sizeof(float), "flying-pixel rows");
  if (!rows) return -1;
  float *prev = rows, *cur = rows + w;
  uint32_t thresh = prob_threshold(c->flying_prob);
  for (int y = 0; y < h; y++) {
    memcpy(cur, depth + (size_t)y * w, (size_t)w * sizeof(float));
    const float *down = y + 1 < h ? depth + (size_t)(y + 1) * w : NULL;
    for (int x = 0; x < w; x++) {
      float fg, bg;
      if (!on_edge(y ? prev : NULL, cur, down, x, w, c->edge_mm, &fg, &bg) || isinf(fg))
        continue;
      size_t p = (size_t)y * w + x;
      uint64_t r = draw(key, p, 1);
      if ((uint32_t)r >= thresh) continue;
      depth[p] = isinf(bg) ? INFINITY : fg + unit32((uint32_t)(r >> 32)) * (bg - fg);
    }
    float *t = prev;
    prev = cur;
    cur = t;
  }
  free(rows);
  return 0;
}

int dp_sensor_apply(const dp_sensor_config *c, float *depth, uint16_t *id, int w, int h,
                    uint64_t seed, uint64_t frame, uint16_t *out) {
  DP_TRY(dp_sensor_check(c));
  dp_rng g;
  dp_rng_init(&g, seed, DP_STREAM_RENDER, frame, DP_RENDER_SUB_SENSOR);
  uint64_t key = (uint64_t)dp_rng_u32(&g) << 32 | dp_rng_u32(&g);
  if (c->flying_prob > 0) DP_TRY(flying(c, depth, w, h, key));
  int noisy = c->noise_a_mm > 0 || c->noise_b_mm_per_m2 > 0;
  float far = c->max_range_mm > 0 ? c->max_range_mm : INFINITY;
  uint32_t drop = prob_threshold(c->dropout_prob);
  size_t n = (size_t)w * h;
  if (noisy) {
    uint64_t nkey = mix64(key ^ 0x6E6F697365ull); /* "noise": its own counter space */
    for (size_t p = 0; p < n; p += 2) {
      float g[2];
      normal_pair(nkey, p / 2, &g[0], &g[1]);
      for (size_t i = p; i < p + 2 && i < n; i++) {
        float z = depth[i], zm = z * 1e-3f;
        if (isfinite(z)) depth[i] = z + (c->noise_a_mm + c->noise_b_mm_per_m2 * zm * zm) * g[i - p];
      }
    }
  }
  for (size_t p = 0; p < n; p++) {
    float z = depth[p];
    if (z > far || (drop && (uint32_t)draw(key, p, 2) < drop)) z = INFINITY;
    depth[p] = z;
    /* round half up to whole mm; anything not representable is "no return" */
    out[p] = (z >= 0.5f && z < 65535.5f) ? (uint16_t)(z + 0.5f) : 0;
    if (id && out[p] == 0) id[p] = 0;
  }
  return 0;
}
