/* test_rng.c - Philox4x32-10 against Random123's published known-answer vectors, the
 * counter layout that makes a draw a pure function of (seed, stream, index, sub), and
 * the distributions built on it, checked against their closed-form moments within four
 * standard errors (the seeds are fixed, so each check is deterministic). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "depthpose/rng.h"
#include "dp_test.h"

/* ---- the block function ------------------------------------------------------------ */

static void check_kat(const uint32_t ctr[4], const uint32_t key[2], const uint32_t want[4]) {
  uint32_t out[4];
  dp_philox4x32(ctr, key, out);
  for (int i = 0; i < 4; i++)
    if (out[i] != want[i]) {
      printf("\n  word %d: got %08x want %08x\n", i, out[i], want[i]);
      CU_FAIL("Philox4x32-10 known-answer vector");
    }
}

/* Random123 tests/kat_vectors, "philox4x32 10" lines (counter words, key words,
 * expected output words). */
static void test_philox_known_answers(void) {
  const uint32_t c0[4] = {0, 0, 0, 0}, k0[2] = {0, 0};
  const uint32_t w0[4] = {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
  check_kat(c0, k0, w0);
  const uint32_t c1[4] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu};
  const uint32_t k1[2] = {0xffffffffu, 0xffffffffu};
  const uint32_t w1[4] = {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu};
  check_kat(c1, k1, w1);
  const uint32_t c2[4] = {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u};
  const uint32_t k2[2] = {0xa4093822u, 0x299f31d0u};
  const uint32_t w2[4] = {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u};
  check_kat(c2, k2, w2);
}

static void test_philox_does_not_modify_inputs(void) {
  uint32_t ctr[4] = {1, 2, 3, 4}, key[2] = {5, 6}, out[4];
  dp_philox4x32(ctr, key, out);
  CU_ASSERT(ctr[0] == 1 && ctr[1] == 2 && ctr[2] == 3 && ctr[3] == 4);
  CU_ASSERT(key[0] == 5 && key[1] == 6);
}

/* ---- the generator over the block function ---------------------------------------------- */

/* Draw 0 of (seed 0, stream 0, index 0, sub 0) is the all-zero block: KAT vector 1. */
static void test_generator_first_block_is_kat_zero(void) {
  dp_rng r;
  dp_rng_init(&r, 0, 0, 0, 0);
  const uint32_t w0[4] = {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
  for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(dp_rng_u32(&r), w0[i]);
  /* The first uniform is built from the first two words: 27 + 26 high bits. */
  dp_rng_init(&r, 0, 0, 0, 0);
  double u = dp_rng_uniform(&r);
  double want = ((double)(0x6627e8d5u >> 5) * 67108864.0 + (double)(0xe169c58du >> 6) + 0.5) /
                9007199254740992.0;
  CU_ASSERT_EQUAL(u, want);
}

/* The documented layout (rng.c): key = seed; counter = (block, sub, index low word,
 * index high word ^ stream << 24), block counting up from 0 as words are consumed. */
static void test_generator_counter_layout(void) {
  const uint64_t seed = 0x299f31d0a4093822ull, index = 0x0012345678abcdefull;
  const uint32_t stream = 3, sub = 0x85a308d3u;
  dp_rng r;
  dp_rng_init(&r, seed, stream, index, sub);
  const uint32_t key[2] = {0xa4093822u, 0x299f31d0u};
  for (uint32_t block = 0; block < 3; block++) {
    uint32_t ctr[4] = {block, sub, 0x78abcdefu, 0x00123456u ^ (3u << 24)}, want[4];
    dp_philox4x32(ctr, key, want);
    for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(dp_rng_u32(&r), want[i]);
  }
}

static void test_same_tuple_same_sequence(void) {
  dp_rng a, b;
  dp_rng_init(&a, 12345, DP_STREAM_SAMPLE, 987654321ull, 7);
  dp_rng_init(&b, 12345, DP_STREAM_SAMPLE, 987654321ull, 7);
  int same = 1;
  for (int i = 0; i < 1000; i++) same &= dp_rng_u32(&a) == dp_rng_u32(&b);
  CU_ASSERT(same);
  /* Mixed draw kinds stay in step too. */
  dp_rng_init(&a, 9, 1, 2, 3);
  dp_rng_init(&b, 9, 1, 2, 3);
  for (int i = 0; i < 100; i++) {
    CU_ASSERT_EQUAL(dp_rng_normal(&a), dp_rng_normal(&b));
    CU_ASSERT_EQUAL(dp_rng_below(&a, 1000 + (uint32_t)i), dp_rng_below(&b, 1000 + (uint32_t)i));
    CU_ASSERT_EQUAL(dp_rng_uniform(&a), dp_rng_uniform(&b));
  }
}

/* Number of equal words among the first 64 of two generators. */
static int overlap(uint64_t s1, uint32_t st1, uint64_t i1, uint32_t sub1, uint64_t s2, uint32_t st2,
                   uint64_t i2, uint32_t sub2) {
  dp_rng a, b;
  dp_rng_init(&a, s1, st1, i1, sub1);
  dp_rng_init(&b, s2, st2, i2, sub2);
  int eq = 0;
  for (int i = 0; i < 64; i++) eq += dp_rng_u32(&a) == dp_rng_u32(&b);
  return eq;
}

static void test_different_tuple_different_sequence(void) {
  /* Two independent 64-word sequences share a word by chance with probability ~1e-6. */
  CU_ASSERT_EQUAL(overlap(1, 2, 3, 4, 2, 2, 3, 4), 0);                     /* seed */
  CU_ASSERT_EQUAL(overlap(1, 2, 3, 4, 1ull << 32 | 1, 2, 3, 4), 0);        /* seed high word */
  CU_ASSERT_EQUAL(overlap(1, 2, 3, 4, 1, 3, 3, 4), 0);                     /* stream */
  CU_ASSERT_EQUAL(overlap(1, 2, 3, 4, 1, 2, 4, 4), 0);                     /* index */
  CU_ASSERT_EQUAL(overlap(1, 2, 3, 4, 1, 2, 3ull | 1ull << 40, 4), 0);     /* index high word */
  CU_ASSERT_EQUAL(overlap(1, 2, 3, 4, 1, 2, 3, 5), 0);                     /* sub */
  CU_ASSERT_EQUAL(overlap(0, 0, 0, 0, 0, 0, 0, 1), 0);
  /* Streams never alias each other for any index below 2^56 with the same low bits. */
  CU_ASSERT_EQUAL(overlap(7, DP_STREAM_SAMPLE, 1ull << 33, 0, 7, DP_STREAM_SAMPLE_ROOT, 1ull << 33, 0), 0);
  /* Sanity of the helper: identical tuples overlap fully. */
  CU_ASSERT_EQUAL(overlap(1, 2, 3, 4, 1, 2, 3, 4), 64);
}

/* ---- distributions ---------------------------------------------------------------------- */

#define N_DRAWS 1000000

static void test_uniform_moments(void) {
  dp_rng r;
  dp_rng_init(&r, 20240601, DP_STREAM_TEST, 0, 0);
  double s1 = 0, s2 = 0, lo = 1, hi = 0;
  int on_grid = 1;
  for (int i = 0; i < N_DRAWS; i++) {
    double u = dp_rng_uniform(&r);
    if (u < lo) lo = u;
    if (u > hi) hi = u;
    s1 += u;
    s2 += (u - 0.5) * (u - 0.5);
    /* 53 random bits: u = (k + 1/2) / 2^53 for an integer k. */
    double k = u * 9007199254740992.0 - 0.5;
    on_grid &= k == floor(k);
  }
  double mean = s1 / N_DRAWS, var = s2 / N_DRAWS;
  /* SE(mean) = sqrt(1/12 / N); SE of the variance = sqrt((1/80 - 1/144) / N). */
  double se_mean = sqrt(1.0 / 12 / N_DRAWS), se_var = sqrt((1.0 / 80 - 1.0 / 144) / N_DRAWS);
  printf("\n  uniform: mean %.6f (z %.2f) var %.6f (z %.2f) min %.3g max 1-%.3g\n", mean,
         (mean - 0.5) / se_mean, var, (var - 1.0 / 12) / se_var, lo, 1 - hi);
  CU_ASSERT(fabs(mean - 0.5) < 4 * se_mean);
  CU_ASSERT(fabs(var - 1.0 / 12) < 4 * se_var);
  CU_ASSERT(lo > 0.0);
  CU_ASSERT(hi < 1.0);
  CU_ASSERT(on_grid);
  /* Each tenth holds a tenth: the distribution is flat, not just centred. */
  dp_rng_init(&r, 3, DP_STREAM_TEST, 1, 0);
  long bins[10] = {0};
  for (int i = 0; i < N_DRAWS; i++) bins[(int)(dp_rng_uniform(&r) * 10)]++;
  double chi2 = 0;
  for (int b = 0; b < 10; b++) chi2 += (bins[b] - N_DRAWS / 10.0) * (bins[b] - N_DRAWS / 10.0) / (N_DRAWS / 10.0);
  CU_ASSERT(chi2 < 33.72); /* chi-square, 9 degrees of freedom, p = 1e-4 */
}

static void test_normal_moments(void) {
  dp_rng r;
  dp_rng_init(&r, 777, DP_STREAM_TEST, 5, 0);
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  long tail = 0, neg = 0, bad = 0;
  for (int i = 0; i < N_DRAWS; i++) {
    double z = dp_rng_normal(&r);
    bad += !isfinite(z);
    s1 += z;
    s2 += z * z;
    s3 += z * z * z;
    s4 += z * z * z * z;
    tail += fabs(z) > 2;
    neg += z < 0;
  }
  CU_ASSERT_EQUAL_FATAL(bad, 0);
  double m1 = s1 / N_DRAWS, m2 = s2 / N_DRAWS, m3 = s3 / N_DRAWS, m4 = s4 / N_DRAWS;
  /* Standard errors from the normal's moments: Var z = 1, Var z^2 = 2, Var z^3 = 15,
   * Var z^4 = 105 - 9 = 96. */
  double n = N_DRAWS;
  printf("\n  normal: m1 %.5f m2 %.5f m3 %.5f m4 %.5f P(|z|>2) %.5f\n", m1, m2, m3, m4, tail / n);
  CU_ASSERT(fabs(m1) < 4 * sqrt(1 / n));
  CU_ASSERT(fabs(m2 - 1) < 4 * sqrt(2 / n));
  CU_ASSERT(fabs(m3) < 4 * sqrt(15 / n));
  CU_ASSERT(fabs(m4 - 3) < 4 * sqrt(96 / n));
  /* P(|z| > 2) = erfc(2 / sqrt 2) = 0.0455003. */
  double p = erfc(2 / sqrt(2.0));
  CU_ASSERT(fabs(tail / n - p) < 4 * sqrt(p * (1 - p) / n));
  CU_ASSERT(fabs(neg / n - 0.5) < 4 * sqrt(0.25 / n));
}

/* Pearson correlation of x[i] and y[i]. */
static double corr(const double *x, const double *y, int n) {
  double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < n; i++) mx += x[i], my += y[i];
  mx /= n;
  my /= n;
  for (int i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / sqrt(sxx * syy);
}

#define N_LAG 200000
static double g_x[N_LAG + 1], g_y[N_LAG + 1];

static void test_lag1_correlation_is_zero(void) {
  const double lim = 4 / sqrt((double)N_LAG); /* SE of a null correlation is 1/sqrt(n) */
  dp_rng r;
  /* Consecutive draws of one generator (this crosses block boundaries). */
  dp_rng_init(&r, 1, DP_STREAM_TEST, 0, 0);
  for (int i = 0; i <= N_LAG; i++) g_x[i] = dp_rng_uniform(&r);
  double c_seq = corr(g_x, g_x + 1, N_LAG);
  /* Consecutive raw words (within and across blocks). */
  dp_rng_init(&r, 1, DP_STREAM_TEST, 1, 0);
  for (int i = 0; i <= N_LAG; i++) g_y[i] = dp_rng_u32(&r);
  double c_words = corr(g_y, g_y + 1, N_LAG);
  /* First draw of adjacent indices, adjacent subs, adjacent seeds. */
  for (int i = 0; i <= N_LAG; i++) {
    dp_rng_init(&r, 99, DP_STREAM_SAMPLE, (uint64_t)i, 0);
    g_x[i] = dp_rng_uniform(&r);
  }
  double c_index = corr(g_x, g_x + 1, N_LAG);
  for (int i = 0; i <= N_LAG; i++) {
    dp_rng_init(&r, 99, DP_STREAM_SAMPLE, 42, (uint32_t)i);
    g_y[i] = dp_rng_normal(&r);
  }
  double c_sub = corr(g_y, g_y + 1, N_LAG);
  for (int i = 0; i <= N_LAG; i++) {
    dp_rng_init(&r, (uint64_t)i, DP_STREAM_SAMPLE, 42, 0);
    g_x[i] = dp_rng_uniform(&r);
  }
  double c_seed = corr(g_x, g_x + 1, N_LAG);
  /* Same index in two streams. */
  for (int i = 0; i < N_LAG; i++) {
    dp_rng_init(&r, 5, DP_STREAM_SAMPLE, (uint64_t)i, 0);
    g_x[i] = dp_rng_uniform(&r);
    dp_rng_init(&r, 5, DP_STREAM_SAMPLE_ROOT, (uint64_t)i, 0);
    g_y[i] = dp_rng_uniform(&r);
  }
  double c_stream = corr(g_x, g_y, N_LAG);
  printf("\n  lag-1 corr: seq %.4f words %.4f index %.4f sub %.4f seed %.4f stream %.4f (limit %.4f)\n",
         c_seq, c_words, c_index, c_sub, c_seed, c_stream, lim);
  CU_ASSERT(fabs(c_seq) < lim);
  CU_ASSERT(fabs(c_words) < lim);
  CU_ASSERT(fabs(c_index) < lim);
  CU_ASSERT(fabs(c_sub) < lim);
  CU_ASSERT(fabs(c_seed) < lim);
  CU_ASSERT(fabs(c_stream) < lim);
}

static void test_below_is_unbiased(void) {
  dp_rng r;
  dp_rng_init(&r, 31337, DP_STREAM_TEST, 0, 0);
  long bins[10] = {0};
  int in_range = 1;
  for (int i = 0; i < N_DRAWS; i++) {
    uint32_t k = dp_rng_below(&r, 10);
    in_range &= k < 10;
    if (k < 10) bins[k]++;
  }
  CU_ASSERT_FATAL(in_range);
  double chi2 = 0, e = N_DRAWS / 10.0;
  for (int b = 0; b < 10; b++) chi2 += (bins[b] - e) * (bins[b] - e) / e;
  printf("\n  below(10): chi2 %.2f\n", chi2);
  CU_ASSERT(chi2 < 33.72); /* chi-square, 9 degrees of freedom, p = 1e-4 */

  /* n = 1: always 0. */
  for (int i = 0; i < 100; i++) CU_ASSERT_EQUAL(dp_rng_below(&r, 1), 0);

  /* n = 3 * 2^30 makes the usual shortcuts visibly biased: u mod n returns [0, 2^30)
   * with probability 1/2 instead of 1/3, and multiply-shift without rejection returns
   * k = 0 mod 3 with probability 1/2 instead of 1/3. */
  const uint32_t n = 3u << 30;
  const int m = 200000;
  long low = 0, mod3 = 0;
  int ok = 1;
  for (int i = 0; i < m; i++) {
    uint32_t k = dp_rng_below(&r, n);
    ok &= k < n;
    low += k < (1u << 30);
    mod3 += k % 3 == 0;
  }
  double se = sqrt((1.0 / 3) * (2.0 / 3) / m);
  printf("  below(3*2^30): P(k < 2^30) %.4f  P(k = 0 mod 3) %.4f (want 0.3333 +- %.4f)\n",
         (double)low / m, (double)mod3 / m, 4 * se);
  CU_ASSERT(ok);
  CU_ASSERT(fabs((double)low / m - 1.0 / 3) < 4 * se);
  CU_ASSERT(fabs((double)mod3 / m - 1.0 / 3) < 4 * se);

  /* The largest n: every value is below it and the top bit is a fair coin. */
  long top = 0;
  for (int i = 0; i < m; i++) top += dp_rng_below(&r, 0xffffffffu) >> 31;
  CU_ASSERT(fabs((double)top / m - 0.5) < 4 * sqrt(0.25 / m));
}

DP_TEST_MAIN("rng", DP_TEST(test_philox_known_answers), DP_TEST(test_philox_does_not_modify_inputs),
             DP_TEST(test_generator_first_block_is_kat_zero), DP_TEST(test_generator_counter_layout),
             DP_TEST(test_same_tuple_same_sequence), DP_TEST(test_different_tuple_different_sequence),
             DP_TEST(test_uniform_moments), DP_TEST(test_normal_moments),
             DP_TEST(test_lag1_correlation_is_zero), DP_TEST(test_below_is_unbiased))
