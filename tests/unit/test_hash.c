/* test_hash.c - the content hash: deterministic, sensitive to every bit and to the
 * length, independent of how the input is split on 8-byte boundaries, and the file hash
 * equal to the hash of the file's bytes whatever the file's size (including sizes that
 * are not a multiple of 8 and files larger than the 1 MiB read buffer). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "depthpose/error.h"
#include "depthpose/hash.h"
#include "depthpose/rng.h"
#include "dp_test.h"

static void fill(unsigned char *p, size_t n, uint64_t seed) {
  dp_rng r;
  dp_rng_init(&r, seed, DP_STREAM_TEST, 0, 0);
  for (size_t i = 0; i < n; i++) p[i] = (unsigned char)dp_rng_u32(&r);
}

static int popcount64(uint64_t x) {
  int c = 0;
  while (x) x &= x - 1, c++;
  return c;
}

static void test_deterministic(void) {
  unsigned char buf[1000];
  fill(buf, sizeof buf, 1);
  uint64_t h = dp_hash_bytes(buf, sizeof buf);
  CU_ASSERT_EQUAL(dp_hash_bytes(buf, sizeof buf), h);
  unsigned char copy[1000];
  memcpy(copy, buf, sizeof buf);
  CU_ASSERT_EQUAL(dp_hash_bytes(copy, sizeof copy), h); /* content, not address */
  /* Streaming in 8-byte-multiple pieces gives the one-shot hash. */
  dp_hash s;
  dp_hash_init(&s);
  dp_hash_update(&s, buf, 16);
  dp_hash_update(&s, buf + 16, 0);
  dp_hash_update(&s, buf + 16, 512);
  dp_hash_update(&s, buf + 528, 1000 - 528);
  CU_ASSERT_EQUAL(dp_hash_final(&s), h);
  /* Finalising does not consume the state. */
  CU_ASSERT_EQUAL(dp_hash_final(&s), h);
  /* The empty input has a fixed hash, and it differs from one zero byte. */
  CU_ASSERT_EQUAL(dp_hash_bytes(NULL, 0), dp_hash_bytes(buf, 0));
  unsigned char z = 0;
  CU_ASSERT_NOT_EQUAL(dp_hash_bytes(&z, 1), dp_hash_bytes(NULL, 0));
}

static void test_every_bit_matters(void) {
  enum { N = 67 }; /* covers whole words and a partial tail word */
  unsigned char buf[N];
  fill(buf, N, 2);
  uint64_t h = dp_hash_bytes(buf, N);
  int unchanged = 0;
  double flipped = 0;
  int min_flip = 64, max_flip = 0;
  for (int bit = 0; bit < 8 * N; bit++) {
    buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    uint64_t g = dp_hash_bytes(buf, N);
    buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    unchanged += g == h;
    int d = popcount64(g ^ h);
    flipped += d;
    if (d < min_flip) min_flip = d;
    if (d > max_flip) max_flip = d;
  }
  double mean = flipped / (8 * N);
  printf("\n  one-bit flips: output bits changed mean %.2f, min %d, max %d\n", mean, min_flip, max_flip);
  CU_ASSERT_EQUAL(unchanged, 0);
  /* Avalanche: about half of the 64 output bits change (SE of the mean ~0.18 here). */
  CU_ASSERT(mean > 30 && mean < 34);
  CU_ASSERT(min_flip >= 12);
  CU_ASSERT(dp_hash_bytes(buf, N) == h); /* restored */
}

static void test_length_matters(void) {
  /* Zero padding of the tail word must not make "abc" equal "abc\0", and runs of zeros
   * of different lengths must all differ. */
  unsigned char zeros[65] = {0};
  uint64_t hs[65];
  for (int n = 0; n <= 64; n++) hs[n] = dp_hash_bytes(zeros, (size_t)n);
  int collisions = 0;
  for (int i = 0; i <= 64; i++)
    for (int j = i + 1; j <= 64; j++) collisions += hs[i] == hs[j];
  CU_ASSERT_EQUAL(collisions, 0);
  CU_ASSERT_NOT_EQUAL(dp_hash_bytes("abc", 3), dp_hash_bytes("abc\0", 4));
  CU_ASSERT_NOT_EQUAL(dp_hash_bytes("abcdefgh", 8), dp_hash_bytes("abcdefgh\0", 9));
  CU_ASSERT_NOT_EQUAL(dp_hash_bytes("abc", 3), dp_hash_bytes("acb", 3));
  /* Swapping two whole words changes it (the mix is order-sensitive). */
  CU_ASSERT_NOT_EQUAL(dp_hash_bytes("AAAAAAAABBBBBBBB", 16), dp_hash_bytes("BBBBBBBBAAAAAAAA", 16));
}

static char g_dir[] = "/tmp/dp_test_hash_XXXXXX";

static void write_file(const char *path, const unsigned char *p, size_t n) {
  FILE *f = fopen(path, "wb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  CU_ASSERT_EQUAL(fwrite(p, 1, n, f), n);
  fclose(f);
}

static void check_file_size(const unsigned char *data, size_t n) {
  char path[256];
  snprintf(path, sizeof path, "%s/f_%zu.bin", g_dir, n);
  write_file(path, data, n);
  uint64_t hf = 0;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_hash_file(path, &hf), 0);
  uint64_t hb = dp_hash_bytes(data, n);
  if (hf != hb) {
    printf("\n  size %zu: file hash %016llx, bytes hash %016llx\n", n, (unsigned long long)hf,
           (unsigned long long)hb);
    CU_FAIL("dp_hash_file differs from dp_hash_bytes of the same content");
  }
  unlink(path);
}

static void test_file_hash_equals_bytes_hash(void) {
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(g_dir));
  const size_t MiB = 1u << 20;
  size_t max = 3 * MiB + 5;
  unsigned char *data = malloc(max);
  CU_ASSERT_PTR_NOT_NULL_FATAL(data);
  fill(data, max, 3);
  const size_t sizes[] = {0, 1, 7, 8, 9, 1000, MiB - 1, MiB, MiB + 3, 2 * MiB + 13, 3 * MiB + 5};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) check_file_size(data, sizes[i]);
  /* And the file hash notices a one-byte change past the first buffer. */
  char path[256];
  snprintf(path, sizeof path, "%s/g.bin", g_dir);
  write_file(path, data, 2 * MiB + 13);
  uint64_t a, b;
  CU_ASSERT_EQUAL(dp_hash_file(path, &a), 0);
  data[MiB + 100] ^= 1;
  write_file(path, data, 2 * MiB + 13);
  CU_ASSERT_EQUAL(dp_hash_file(path, &b), 0);
  CU_ASSERT_NOT_EQUAL(a, b);
  unlink(path);
  free(data);
  rmdir(g_dir);
}

static void test_missing_file_names_path(void) {
  uint64_t h = 12345;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_hash_file("/nonexistent-dir/inputs/poses.h5", &h), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "/nonexistent-dir/inputs/poses.h5"));
  CU_ASSERT_EQUAL(h, 12345); /* untouched on failure */
  dp_error_clear();
}

DP_TEST_MAIN("hash", DP_TEST(test_deterministic), DP_TEST(test_every_bit_matters), DP_TEST(test_length_matters),
             DP_TEST(test_file_hash_equals_bytes_hash), DP_TEST(test_missing_file_names_path))
