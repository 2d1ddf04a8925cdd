/* hash.c - content hash (see hash.h). Eight bytes at a time through a
 * multiply-xorshift mix: ~several GB/s, enough to rehash a stage's inputs on every run. */
#include "depthpose/hash.h"

#include <stdio.h>
#include <string.h>

#include "depthpose/error.h"

static const uint64_t K1 = 0x9E3779B97F4A7C15ull, K2 = 0xBF58476D1CE4E5B9ull;

static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v * K1;
  h = (h << 27) | (h >> 37);
  return h * K2 + 0x94D049BB133111EBull;
}

void dp_hash_init(dp_hash *s) {
  s->h = 0x6A09E667F3BCC908ull;
  s->len = 0;
}

/* Bytes are folded in little-endian words; a partial word is zero-padded and the total
 * length is mixed in at the end, so the result does not depend on how the input was
 * split across update calls only when splits fall on 8-byte boundaries. Callers hash
 * files in 8-byte-multiple buffers. */
void dp_hash_update(dp_hash *s, const void *data, size_t n) {
  const unsigned char *p = data;
  while (n >= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    s->h = mix(s->h, v);
    p += 8;
    n -= 8;
    s->len += 8;
  }
  if (n) {
    uint64_t v = 0;
    memcpy(&v, p, n);
    s->h = mix(s->h, v);
    s->len += n;
  }
}

uint64_t dp_hash_final(const dp_hash *s) {
  uint64_t h = mix(s->h, s->len);
  h ^= h >> 31;
  h *= 0xD6E8FEB86659FD93ull;
  return h ^ (h >> 32);
}

uint64_t dp_hash_bytes(const void *data, size_t n) {
  dp_hash s;
  dp_hash_init(&s);
  dp_hash_update(&s, data, n);
  return dp_hash_final(&s);
}

int dp_hash_file(const char *path, uint64_t *out) {
  FILE *f = fopen(path, "rb");
  if (!f) return dp_fail("%s: cannot open for reading", path);
  static unsigned char buf[1 << 20];
  dp_hash s;
  dp_hash_init(&s);
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0) dp_hash_update(&s, buf, got);
  int bad = ferror(f);
  fclose(f);
  if (bad) return dp_fail("%s: read error while hashing", path);
  *out = dp_hash_final(&s);
  return 0;
}
