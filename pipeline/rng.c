/* rng.c - Philox4x32-10 (see rng.h). Constants from the Random123 paper. */
#include "depthpose/rng.h"

#include <math.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static void mulhilo(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo) {
  uint64_t p = (uint64_t)a * b;
  *hi = (uint32_t)(p >> 32);
  *lo = (uint32_t)p;
}

void dp_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; round++) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(PHILOX_M0, c0, &hi0, &lo0);
    mulhilo(PHILOX_M1, c2, &hi1, &lo1);
    uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 += PHILOX_W0;
    k1 += PHILOX_W1;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/* Key = seed (64 bits); counter = (draw block, sub, index lo, index hi ^ stream<<24).
 * Streams live in the top byte of the index word: indices stay below 2^56. */
void dp_rng_init(dp_rng *r, uint64_t seed, uint32_t stream, uint64_t index, uint32_t sub) {
  r->key[0] = (uint32_t)seed;
  r->key[1] = (uint32_t)(seed >> 32);
  r->ctr[0] = 0;
  r->ctr[1] = sub;
  r->ctr[2] = (uint32_t)index;
  r->ctr[3] = (uint32_t)(index >> 32) ^ (stream << 24);
  r->left = 0;
}

uint32_t dp_rng_u32(dp_rng *r) {
  if (r->left == 0) {
    dp_philox4x32(r->ctr, r->key, r->out);
    r->ctr[0]++;
    r->left = 4;
  }
  return r->out[4 - r->left--];
}

double dp_rng_uniform(dp_rng *r) {
  uint64_t hi = dp_rng_u32(r) >> 5, lo = dp_rng_u32(r) >> 6; /* 27 + 26 bits */
  return ((double)(hi * 67108864u + lo) + 0.5) * (1.0 / 9007199254740992.0);
}

/* Box-Muller without caching the second value: a cached value would make the n-th
 * normal depend on how many were drawn before in a way that is easy to get wrong when
 * code changes. Two uniforms per normal is cheap next to everything else. */
double dp_rng_normal(dp_rng *r) {
  double u1 = dp_rng_uniform(r), u2 = dp_rng_uniform(r);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint32_t dp_rng_below(dp_rng *r, uint32_t n) {
  /* Lemire's multiply-shift with rejection of the biased low range. */
  uint64_t m = (uint64_t)dp_rng_u32(r) * n;
  uint32_t low = (uint32_t)m;
  if (low < n) {
    uint32_t t = (uint32_t)(-n) % n;
    while (low < t) {
      m = (uint64_t)dp_rng_u32(r) * n;
      low = (uint32_t)m;
    }
  }
  return (uint32_t)(m >> 32);
}
