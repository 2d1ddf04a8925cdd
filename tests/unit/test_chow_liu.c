/* test_chow_liu.c - the maximum spanning tree: a hand-solved matrix, deterministic
 * tie-breaking (checked against an independent Kruskal on tie-heavy matrices), the
 * error paths, and recovery of a known Gaussian tree model from sampled data with
 * kl mutual information (the skeleton stage in miniature). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "depthpose/entropy.h"
#include "depthpose/error.h"
#include "depthpose/tree.h"
#include "dp_test.h"

static void sym_set(double *w, int n, int i, int j, double v) {
  w[i * n + j] = v;
  w[j * n + i] = v;
}

static void test_known_matrix(void) {
  enum { N = 5 };
  double w[N * N] = {0};
  /* Kruskal by hand: 3-4 (7), 2-3 (6), 0-1 (5), 1-2 (4); everything else closes a cycle */
  sym_set(w, N, 0, 1, 5); sym_set(w, N, 0, 2, 1); sym_set(w, N, 0, 3, 2);
  sym_set(w, N, 0, 4, 0.5); sym_set(w, N, 1, 2, 4); sym_set(w, N, 1, 3, 3);
  sym_set(w, N, 1, 4, 0.1); sym_set(w, N, 2, 3, 6); sym_set(w, N, 2, 4, 0.2);
  sym_set(w, N, 3, 4, 7);
  for (int i = 0; i < N; i++) w[i * N + i] = 1e3; /* the diagonal is not an edge */
  int parent[N], order[N];
  CU_ASSERT_EQUAL_FATAL(dp_max_spanning_tree(w, N, 0, parent, order), 0);
  const int p0[N] = {-1, 0, 1, 2, 3}, o0[N] = {0, 1, 2, 3, 4};
  CU_ASSERT(memcmp(parent, p0, sizeof p0) == 0);
  CU_ASSERT(memcmp(order, o0, sizeof o0) == 0);
  CU_ASSERT_EQUAL_FATAL(dp_max_spanning_tree(w, N, 3, parent, order), 0);
  const int p3[N] = {1, 2, 3, -1, 3}, o3[N] = {3, 2, 4, 1, 0};
  CU_ASSERT(memcmp(parent, p3, sizeof p3) == 0);
  CU_ASSERT(memcmp(order, o3, sizeof o3) == 0);
}

static void test_ties_all_equal(void) {
  enum { N = 5 };
  double w[N * N];
  for (int i = 0; i < N * N; i++) w[i] = 1.0;
  int parent[N], order[N];
  /* edge (0, j) beats every (i > 0, j): a star on 0, whatever the root */
  CU_ASSERT_EQUAL_FATAL(dp_max_spanning_tree(w, N, 3, parent, order), 0);
  const int p[N] = {3, 0, 0, -1, 0}, o[N] = {3, 0, 1, 2, 4};
  CU_ASSERT(memcmp(parent, p, sizeof p) == 0);
  CU_ASSERT(memcmp(order, o, sizeof o) == 0);
}

static void test_ties_cycle(void) {
  enum { N = 4 };
  double w[N * N] = {0};
  /* a 4-cycle of equal edges: (0,1), (0,3), (1,2) win, (2,3) is dropped */
  sym_set(w, N, 0, 1, 1); sym_set(w, N, 1, 2, 1); sym_set(w, N, 2, 3, 1); sym_set(w, N, 0, 3, 1);
  int parent[N], order[N];
  CU_ASSERT_EQUAL_FATAL(dp_max_spanning_tree(w, N, 2, parent, order), 0);
  const int p[N] = {1, 2, -1, 0}, o[N] = {2, 1, 0, 3};
  CU_ASSERT(memcmp(parent, p, sizeof p) == 0);
  CU_ASSERT(memcmp(order, o, sizeof o) == 0);
}

/* Reference: Kruskal over edges sorted by the documented order, with union-find. */
static int find_root(int *uf, int v) {
  while (uf[v] != v) v = uf[v] = uf[uf[v]];
  return v;
}
static void kruskal_edges(const double *w, int n, unsigned char *in_tree) {
  int uf[32];
  for (int i = 0; i < n; i++) uf[i] = i;
  memset(in_tree, 0, (size_t)n * (size_t)n);
  for (int taken = 0; taken < n - 1;) {
    int bi = -1, bj = -1;
    for (int i = 0; i < n; i++)
      for (int j = i + 1; j < n; j++) {
        if (in_tree[i * n + j]) continue; /* already considered */
        if (bi < 0 || w[i * n + j] > w[bi * n + bj]) bi = i, bj = j; /* scan order = tie-break */
      }
    in_tree[bi * n + bj] = 2;
    int a = find_root(uf, bi), b = find_root(uf, bj);
    if (a != b) {
      uf[a] = b;
      in_tree[bi * n + bj] = 3;
      taken++;
    }
  }
}

static void test_ties_match_kruskal(void) {
  uint64_t s = 7;
  for (int trial = 0; trial < 200; trial++) {
    int n = 2 + trial % 11;
    double w[12 * 12];
    for (int i = 0; i < n; i++)
      for (int j = i; j < n; j++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        sym_set(w, n, i, j, (double)((s >> 33) % 3)); /* 0, 1, 2: ties everywhere */
      }
    unsigned char ref[12 * 12];
    kruskal_edges(w, n, ref);
    for (int root = 0; root < n; root++) {
      int parent[12], order[12];
      CU_ASSERT_EQUAL_FATAL(dp_max_spanning_tree(w, n, root, parent, order), 0);
      int ok = parent[root] == -1 && order[0] == root;
      for (int v = 0; v < n; v++) {
        if (v == root) continue;
        int a = v < parent[v] ? v : parent[v], b = v < parent[v] ? parent[v] : v;
        ok &= parent[v] >= 0 && ref[a * n + b] == 3;
      }
      /* BFS: every vertex appears after its parent */
      int seen[12] = {0};
      for (int i = 0; i < n; i++) {
        ok &= order[i] == root || seen[parent[order[i]]];
        seen[order[i]] = 1;
      }
      CU_ASSERT(ok);
    }
  }
}

static void test_errors_and_single_vertex(void) {
  double w[4] = {0, 1, 1, 0};
  int parent[2], order[2];
  CU_ASSERT_EQUAL(dp_max_spanning_tree(w, 1, 0, parent, order), 0);
  CU_ASSERT_EQUAL(parent[0], -1);
  CU_ASSERT_EQUAL(order[0], 0);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_max_spanning_tree(w, 0, 0, parent, order), -1);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_max_spanning_tree(w, 2, 2, parent, order), -1);
  CU_ASSERT(strstr(dp_error_message(), "root 2") != NULL);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_max_spanning_tree(w, 2, -1, parent, order), -1);
  dp_error_clear();
  w[1] = w[2] = NAN;
  CU_ASSERT_EQUAL(dp_max_spanning_tree(w, 2, 0, parent, order), -1);
  CU_ASSERT(strstr(dp_error_message(), "not finite") != NULL);
  dp_error_clear();
  w[1] = w[2] = INFINITY;
  CU_ASSERT_EQUAL(dp_max_spanning_tree(w, 2, 0, parent, order), -1);
  dp_error_clear();
  w[1] = 1.0;
  w[2] = 2.0;
  CU_ASSERT_EQUAL(dp_max_spanning_tree(w, 2, 0, parent, order), -1);
  CU_ASSERT(strstr(dp_error_message(), "symmetric") != NULL);
  dp_error_clear();
  w[0] = NAN; /* the diagonal is ignored */
  w[2] = 1.0;
  CU_ASSERT_EQUAL(dp_max_spanning_tree(w, 2, 1, parent, order), 0);
  CU_ASSERT_EQUAL(parent[0], 1);
}

/* ---- tree recovery from a Gaussian tree model ---- */
static uint64_t rng_state;
static double next_normal(void) {
  static int have;
  static double spare;
  if (have) {
    have = 0;
    return spare;
  }
  double u[2];
  for (int i = 0; i < 2; i++) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    u[i] = ((double)((z ^ (z >> 31)) >> 11) + 0.5) * 0x1.0p-53;
  }
  double r = sqrt(-2.0 * log(u[0])), a = 6.283185307179586 * u[1];
  spare = r * sin(a);
  have = 1;
  return r * cos(a);
}

/* Joint j = parent joint + L_j z: a Markov tree, so MI along each path is largest on
 * the path's own edges (data-processing inequality) and the Chow-Liu tree is the
 * true one. Noise is correlated across axes and differs per joint. */
static void test_recovers_gaussian_tree(void) {
  enum { J = 8 };
  const int truth[J] = {-1, 0, 1, 2, 1, 4, 0, 6}; /* spine 0-1-2-3, arm 1-4-5, leg 0-6-7 */
  const size_t n = 5000;
  double *x = malloc(n * J * 3 * sizeof *x);
  rng_state = 99;
  for (size_t i = 0; i < n; i++)
    for (int j = 0; j < J; j++) { /* parents precede children in this numbering */
      double z[3] = {next_normal(), next_normal(), next_normal()}, s = 0.6 + 0.1 * j;
      double e[3] = {s * z[0], s * (0.5 * z[0] + 0.8 * z[1]),
                     s * (-0.3 * z[0] + 0.4 * z[1] + (0.7 + 0.05 * j) * z[2])};
      for (int a = 0; a < 3; a++)
        x[(i * J + j) * 3 + a] = (truth[j] < 0 ? 0.0 : x[(i * J + truth[j]) * 3 + a]) + e[a];
    }
  double *pj = malloc(n * 3 * sizeof *pj), *pp = malloc(n * 6 * sizeof *pp);
  double h[J], w[J * J];
  for (int j = 0; j < J; j++) {
    for (size_t i = 0; i < n; i++) memcpy(pj + i * 3, x + (i * J + j) * 3, 3 * sizeof *pj);
    CU_ASSERT_EQUAL_FATAL(dp_entropy_estimate(pj, n, 3, DP_EST_KL, DP_SEARCH_KDTREE, 3, &h[j]), 0);
  }
  for (int a = 0; a < J; a++) {
    w[a * J + a] = h[a];
    for (int b = a + 1; b < J; b++) {
      for (size_t i = 0; i < n; i++) {
        memcpy(pp + i * 6, x + (i * J + a) * 3, 3 * sizeof *pp);
        memcpy(pp + i * 6 + 3, x + (i * J + b) * 3, 3 * sizeof *pp);
      }
      double hab;
      CU_ASSERT_EQUAL_FATAL(dp_entropy_estimate(pp, n, 6, DP_EST_KL, DP_SEARCH_KDTREE, 3, &hab), 0);
      sym_set(w, J, a, b, h[a] + h[b] - hab);
    }
  }
  int parent[J], order[J];
  CU_ASSERT_EQUAL_FATAL(dp_max_spanning_tree(w, J, 0, parent, order), 0);
  CU_ASSERT(memcmp(parent, truth, sizeof truth) == 0);
  const int bfs[J] = {0, 1, 6, 2, 4, 7, 3, 5};
  CU_ASSERT(memcmp(order, bfs, sizeof bfs) == 0);
  free(x);
  free(pj);
  free(pp);
}

DP_TEST_MAIN("chow_liu", DP_TEST(test_known_matrix), DP_TEST(test_ties_all_equal),
             DP_TEST(test_ties_cycle), DP_TEST(test_ties_match_kruskal),
             DP_TEST(test_errors_and_single_vertex), DP_TEST(test_recovers_gaussian_tree))
