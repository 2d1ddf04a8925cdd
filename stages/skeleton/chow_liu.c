/* chow_liu.c - maximum spanning tree of a dense symmetric weight matrix (the
 * Chow-Liu tree over pairwise mutual information). Contract in
 * include/depthpose/tree.h.
 *
 * Prim's algorithm, O(n^2), on a strict total order of edges: heavier first, then
 * lexicographically smaller (i, j) with i < j. With a strict order the maximum
 * spanning tree is unique, so Prim grown from any vertex finds the same tree Kruskal
 * would, and the root only decides which way the edges point. */
#include <math.h>
#include <stdlib.h>

#include "depthpose/error.h"
#include "depthpose/tree.h"

/* Does edge (a1, b1) of weight w1 beat edge (a2, b2) of weight w2? Endpoints are
 * normalised to (min, max) before the tie-break. */
static int edge_better(double w1, int a1, int b1, double w2, int a2, int b2) {
  if (w1 != w2) return w1 > w2;
  int i1 = a1 < b1 ? a1 : b1, j1 = a1 < b1 ? b1 : a1;
  int i2 = a2 < b2 ? a2 : b2, j2 = a2 < b2 ? b2 : a2;
  return i1 != i2 ? i1 < i2 : j1 < j2;
}

static int check_weights(const double *w, int n) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      if (i == j) continue;
      double a = w[(size_t)i * n + j];
      if (!isfinite(a))
        return dp_fail("spanning tree: weight (%d, %d) is not finite (%g)", i, j, a);
      if (j > i && a != w[(size_t)j * n + i])
        return dp_fail("spanning tree: weights are not symmetric: w(%d,%d) = %.17g but "
                       "w(%d,%d) = %.17g", i, j, a, j, i, w[(size_t)j * n + i]);
    }
  return 0;
}

/* Grow the tree from root. link[v] = tree vertex of v's best edge into the tree. */
static void prim(const double *w, int n, int root, int *parent, int *in_tree, int *link) {
  for (int v = 0; v < n; v++) {
    in_tree[v] = 0;
    link[v] = root;
  }
  in_tree[root] = 1;
  parent[root] = -1;
  for (int step = 1; step < n; step++) {
    int best = -1;
    for (int v = 0; v < n; v++) {
      if (in_tree[v]) continue;
      if (best < 0 || edge_better(w[(size_t)v * n + link[v]], v, link[v],
                                  w[(size_t)best * n + link[best]], best, link[best]))
        best = v;
    }
    in_tree[best] = 1;
    parent[best] = link[best];
    for (int v = 0; v < n; v++)
      if (!in_tree[v] && edge_better(w[(size_t)v * n + best], v, best,
                                     w[(size_t)v * n + link[v]], v, link[v]))
        link[v] = best;
  }
}

/* Breadth-first from root; scanning v in increasing index visits children in
 * increasing index. O(n^2), like Prim. */
static void bfs_order(const int *parent, int n, int root, int *order) {
  int head = 0, tail = 0;
  order[tail++] = root;
  while (head < tail) {
    int u = order[head++];
    for (int v = 0; v < n; v++)
      if (parent[v] == u) order[tail++] = v;
  }
}

int dp_max_spanning_tree(const double *w, int n, int root, int *parent, int *order) {
  if (n < 1) return dp_fail("spanning tree: need at least one vertex (got %d)", n);
  if (root < 0 || root >= n) return dp_fail("spanning tree: root %d outside 0..%d", root, n - 1);
  if (!w || !parent || !order) return dp_fail("spanning tree: NULL weights or output");
  DP_TRY(check_weights(w, n));
  int *scratch = dp_malloc(2 * (size_t)n * sizeof *scratch, "spanning-tree scratch");
  if (!scratch) return -1;
  prim(w, n, root, parent, scratch, scratch + n);
  free(scratch);
  bfs_order(parent, n, root, order);
  return 0;
}
