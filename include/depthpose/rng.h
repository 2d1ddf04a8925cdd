/* rng.h - the project's one random number generator: Philox4x32-10 (Salmon et al.,
 * "Parallel random numbers: as easy as 1, 2, 3", SC'11), counter-based.
 *
 * A draw is a pure function of (run seed, stream, index, sub, n): a stage names its
 * stream, the global item it is working on (pose, frame, epoch*N + sample) and a
 * sub-index (joint, pixel row), and gets the same numbers whichever rank computes the
 * item. Never keep per-rank generator state across items. */
#ifndef DEPTHPOSE_RNG_H
#define DEPTHPOSE_RNG_H
#include <stdint.h>

/* Streams: one per use, so changing one stage's draws never shifts another's. */
enum {
  DP_STREAM_TEST = 0,
  DP_STREAM_SKELETON_JITTER = 1,
  DP_STREAM_SAMPLE = 2,
  DP_STREAM_SAMPLE_ROOT = 3,
  DP_STREAM_RENDER = 4,
  DP_STREAM_TRAIN = 5,
};

typedef struct {
  uint32_t key[2];
  uint32_t ctr[4];
  uint32_t out[4];
  int left; /* unused words in out */
} dp_rng;

/* Block function: out = Philox4x32-10(ctr, key). Exposed for known-answer tests. */
void dp_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* A generator positioned at draw 0 of (seed, stream, index, sub). */
void dp_rng_init(dp_rng *r, uint64_t seed, uint32_t stream, uint64_t index, uint32_t sub);
uint32_t dp_rng_u32(dp_rng *r);
double dp_rng_uniform(dp_rng *r);  /* in (0, 1): 53 random bits, never 0 or 1 */
double dp_rng_normal(dp_rng *r);   /* standard normal (Box-Muller, two uniforms each) */
uint32_t dp_rng_below(dp_rng *r, uint32_t n); /* uniform integer in [0, n), unbiased */

#endif
