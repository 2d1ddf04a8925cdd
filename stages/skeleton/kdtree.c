/* kdtree.c - exact kd-tree for k-th neighbour distances and strict radius counts
 * (see include/depthpose/knn.h for the contract).
 *
 * Layout. Points are copied into leaf order (row-major, contiguous), so a leaf is one
 * short run of memory. Nodes are stored in pre-order: the left child of node v is
 * v + 1, the right child is nodes[v].right (-1 for a leaf). Every node keeps the tight
 * bounding box of its points. Splits are on the widest dimension at the median by
 * count, so the depth is ceil(log2(n / KD_LEAF)) + 1 whatever the data, and duplicate
 * coordinates may fall on both sides of a split: pruning uses the boxes, never the
 * split plane, so that is harmless.
 *
 * Exactness. A box's lower (upper) bound is computed with the same kind of operations
 * as a point distance, on per-axis gaps that are never larger (smaller) than any
 * contained point's; IEEE rounding is monotone, so the bound holds for the computed
 * distances, not just for the real ones. A box is skipped only if its lower bound is
 * >= the current k-th raw distance (anything inside could at best tie, which cannot
 * change the k-th value) or, for counts, > the threshold t (nothing inside can pass
 * "raw <= t"). Counts turn "dist < r" into "raw <= t" with t chosen so the two are
 * equivalent in floating point (radius_threshold), so they agree bit for bit with the
 * brute force, which evaluates dp_knn_dist(...) < r literally.
 *
 * Speed. The query and scan loops are written once as always-inline functions taking
 * d and the norm as arguments, and instantiated with constants for (3|6, L2|max), so
 * the compiler unrolls the coordinate loops. Queries are taken in leaf order (nearby
 * queries touch the same nodes), each search is seeded from the query's own leaf so
 * the first bound is already tight, and nothing is allocated per query. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/knn.h"

#if defined(__GNUC__)
#define KD_INLINE static inline __attribute__((always_inline))
#else
#define KD_INLINE static inline
#endif

enum {
  KD_LEAF = 16,   /* max points per leaf: measured best among 8/16/24/32 */
  KD_STACK = 128  /* traversal stack; depth <= log2(SIZE_MAX / KD_LEAF) + 2 < 64 */
};

typedef struct {
  size_t start, end; /* positions [start, end) in leaf order */
  int right;         /* right child; -1 marks a leaf (the left child is v + 1) */
} kd_node;

struct dp_kdtree {
  size_t n;
  int d;
  double *pts;    /* n x d in leaf order */
  size_t *orig;   /* orig[pos] = original index */
  size_t *where;  /* where[original index] = pos */
  int *leaf_of;   /* leaf node holding each position */
  kd_node *nodes;
  double *box;    /* per node: lo[0..d) then hi[0..d) */
  int nnodes;
};

/* ---- build ------------------------------------------------------------------ */

static int count_nodes(size_t m) {
  return m <= KD_LEAF ? 1 : 1 + count_nodes(m / 2) + count_nodes(m - m / 2);
}

static inline double key_of(const double *pts, int d, const size_t *idx, ptrdiff_t i, int dim) {
  return pts[idx[i] * (size_t)d + (size_t)dim];
}

static double median3(double a, double b, double c) {
  if (a > b) { double t = a; a = b; b = t; }
  if (b > c) b = c;
  return a > b ? a : b;
}

/* Quickselect (Hoare partition, median-of-three pivot): afterwards idx[nth] holds the
 * element of rank nth by coordinate dim within [lo, hi], nothing before it is larger
 * and nothing after it smaller. Hoare's scheme splits runs of equal keys evenly, so
 * heavily duplicated data (integer grids) stays O(m) on average. Deterministic. */
static void select_nth(size_t *idx, ptrdiff_t lo, ptrdiff_t hi, ptrdiff_t nth,
                       const double *pts, int d, int dim) {
  while (hi > lo) {
    double pivot = median3(key_of(pts, d, idx, lo, dim),
                           key_of(pts, d, idx, lo + (hi - lo) / 2, dim),
                           key_of(pts, d, idx, hi, dim));
    ptrdiff_t i = lo, j = hi;
    while (i <= j) {
      while (key_of(pts, d, idx, i, dim) < pivot) i++;
      while (key_of(pts, d, idx, j, dim) > pivot) j--;
      if (i <= j) {
        size_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        i++;
        j--;
      }
    }
    if (nth <= j) hi = j;
    else if (nth >= i) lo = i;
    else return; /* j < nth < i: keys there equal the pivot */
  }
}

static void leaf_box(const double *pts, int d, const size_t *idx, size_t s, size_t e,
                     double *box) {
  for (int j = 0; j < d; j++) box[j] = box[d + j] = pts[idx[s] * (size_t)d + (size_t)j];
  for (size_t i = s + 1; i < e; i++) {
    const double *p = pts + idx[i] * (size_t)d;
    for (int j = 0; j < d; j++) {
      if (p[j] < box[j]) box[j] = p[j];
      if (p[j] > box[d + j]) box[d + j] = p[j];
    }
  }
}

typedef struct {
  dp_kdtree *t;
  const double *src; /* caller's points, original order */
  size_t *idx;       /* permutation being built: idx[pos] = original index */
  int next;          /* next free node id (pre-order) */
} kd_builder;

/* Build the subtree over positions [s, e) and return its node id. The box of the
 * range is computed first (it is the node's box) and gives the widest dimension. */
static int build_node(kd_builder *b, size_t s, size_t e) {
  dp_kdtree *t = b->t;
  int d = t->d, v = b->next++;
  double *box = t->box + (size_t)v * 2 * (size_t)d;
  leaf_box(b->src, d, b->idx, s, e, box);
  t->nodes[v].start = s;
  t->nodes[v].end = e;
  t->nodes[v].right = -1;
  if (e - s <= KD_LEAF) {
    for (size_t i = s; i < e; i++) t->leaf_of[i] = v;
    return v;
  }
  int dim = 0;
  for (int j = 1; j < d; j++)
    if (box[d + j] - box[j] > box[d + dim] - box[dim]) dim = j;
  size_t mid = s + (e - s) / 2;
  select_nth(b->idx, (ptrdiff_t)s, (ptrdiff_t)e - 1, (ptrdiff_t)mid, b->src, d, dim);
  build_node(b, s, mid);
  t->nodes[v].right = build_node(b, mid, e);
  return v;
}

void dp_kdtree_free(dp_kdtree *t) {
  if (!t) return;
  free(t->pts);
  free(t->orig);
  free(t->where);
  free(t->leaf_of);
  free(t->nodes);
  free(t->box);
  free(t);
}

static int check_points(const double *pts, size_t n, int d, const char *who) {
  if (!pts) return dp_fail("%s: NULL point array", who);
  if (d < 1 || d > DP_KNN_MAX_DIM)
    return dp_fail("%s: dimension %d out of range 1..%d", who, d, DP_KNN_MAX_DIM);
  for (size_t i = 0; i < n * (size_t)d; i++)
    if (!isfinite(pts[i]))
      return dp_fail("%s: point %zu coordinate %d is not finite (%g)", who, i / (size_t)d,
                     (int)(i % (size_t)d), pts[i]);
  return 0;
}

dp_kdtree *dp_kdtree_build(const double *pts, size_t n, int d) {
  if (n < 1) {
    dp_fail("kd-tree: no points to build over");
    return NULL;
  }
  if (n > (size_t)INT32_MAX * KD_LEAF / 2) {
    dp_fail("kd-tree: %zu points is more than this tree supports", n);
    return NULL;
  }
  if (check_points(pts, n, d, "kd-tree") != 0) return NULL;
  dp_kdtree *t = dp_calloc(1, sizeof *t, "kd-tree");
  if (!t) return NULL;
  t->n = n;
  t->d = d;
  t->nnodes = count_nodes(n);
  t->pts = dp_malloc(n * (size_t)d * sizeof *t->pts, "kd-tree points");
  t->orig = dp_malloc(n * sizeof *t->orig, "kd-tree permutation");
  t->where = dp_malloc(n * sizeof *t->where, "kd-tree inverse permutation");
  t->leaf_of = dp_malloc(n * sizeof *t->leaf_of, "kd-tree leaf map");
  t->nodes = dp_malloc((size_t)t->nnodes * sizeof *t->nodes, "kd-tree nodes");
  t->box = dp_malloc((size_t)t->nnodes * 2 * (size_t)d * sizeof *t->box, "kd-tree boxes");
  if (!t->pts || !t->orig || !t->where || !t->leaf_of || !t->nodes || !t->box) {
    dp_kdtree_free(t);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) t->orig[i] = i;
  kd_builder b = {t, pts, t->orig, 0};
  build_node(&b, 0, n);
  for (size_t p = 0; p < n; p++) {
    t->where[t->orig[p]] = p;
    memcpy(t->pts + p * (size_t)d, pts + t->orig[p] * (size_t)d, (size_t)d * sizeof *pts);
  }
  return t;
}

size_t dp_kdtree_size(const dp_kdtree *t) { return t ? t->n : 0; }
int dp_kdtree_dim(const dp_kdtree *t) { return t ? t->d : 0; }

/* ---- bounds ------------------------------------------------------------------ */

KD_INLINE double dmax(double a, double b) { return a > b ? a : b; }

/* Lower bound of the raw distance from q to any point of the box. Per axis the gap is
 * lo - q (q below), q - hi (q above) or 0; at most one of the first two is positive,
 * so their clamped sum is exactly that gap. Terms are accumulated like dp_knn_raw. */
KD_INLINE double box_lower(const double *box, const double *q, int d, dp_norm norm) {
  double s = 0.0;
  for (int j = 0; j < d; j++) {
    double g = dmax(box[j] - q[j], 0.0) + dmax(q[j] - box[d + j], 0.0);
    s = norm == DP_NORM_L2 ? s + g * g : dmax(s, g);
  }
  return s;
}

/* Upper bound of the raw distance from q to any point of the box. */
KD_INLINE double box_upper(const double *box, const double *q, int d, dp_norm norm) {
  double s = 0.0;
  for (int j = 0; j < d; j++) {
    double g = dmax(q[j] - box[j], box[d + j] - q[j]);
    s = norm == DP_NORM_L2 ? s + g * g : dmax(s, g);
  }
  return s;
}

/* Same bits as dp_knn_raw(q, p, d, norm), unrolled when d is a constant. */
KD_INLINE double raw_dist(const double *q, const double *p, int d, dp_norm norm) {
  double s = 0.0;
  for (int j = 0; j < d; j++) {
    double u = q[j] - p[j];
    s = norm == DP_NORM_L2 ? s + u * u : dmax(s, fabs(u));
  }
  return s;
}

/* ---- k-th neighbour search ---------------------------------------------------- */

/* best[0..k) ascending; v < best[k-1] on entry. */
KD_INLINE void list_insert(double *best, int k, double v) {
  int j = k - 1;
  while (j > 0 && best[j - 1] > v) {
    best[j] = best[j - 1];
    j--;
  }
  best[j] = v;
}

KD_INLINE void scan_run(const double *pts, size_t s, size_t e, const double *q, int d,
                        dp_norm norm, double *best, int k) {
  for (size_t p = s; p < e; p++) {
    double v = raw_dist(q, pts + p * (size_t)d, d, norm);
    if (v < best[k - 1]) list_insert(best, k, v);
  }
}

/* The k smallest raw distances from point pos (excluded) to the others. */
KD_INLINE void search_kth(const dp_kdtree *t, size_t pos, int k, double *best, int d,
                          dp_norm norm) {
  const double *pts = t->pts, *boxes = t->box, *q = pts + pos * (size_t)d;
  const kd_node *nodes = t->nodes;
  const size_t bs = 2 * (size_t)d;
  for (int i = 0; i < k; i++) best[i] = INFINITY;
  int own = t->leaf_of[pos];
  scan_run(pts, nodes[own].start, pos, q, d, norm, best, k);
  scan_run(pts, pos + 1, nodes[own].end, q, d, norm, best, k);

  int stack[KD_STACK];
  double stack_lb[KD_STACK];
  int sp = 0, v = 0;
  double lb = 0.0; /* q lies in the root box */
  for (;;) {
    if (lb < best[k - 1]) {
      while (nodes[v].right >= 0) {
        int l = v + 1, r = nodes[v].right;
        double bl = box_lower(boxes + (size_t)l * bs, q, d, norm);
        double br = box_lower(boxes + (size_t)r * bs, q, d, norm);
        if (br < bl) {
          int ti = l; l = r; r = ti;
          double tb = bl; bl = br; br = tb;
        }
        if (br < best[k - 1]) {
          stack[sp] = r;
          stack_lb[sp++] = br;
        }
        if (bl >= best[k - 1]) goto pop;
        v = l;
      }
      if (v != own) scan_run(pts, nodes[v].start, nodes[v].end, q, d, norm, best, k);
    }
  pop:
    if (sp == 0) break;
    sp--;
    v = stack[sp];
    lb = stack_lb[sp];
  }
}

/* Visit the query positions for original indices [q0, q1): in leaf order when the
 * range is a good part of the set (locality), else in index order (no O(n) scan). */
KD_INLINE void kth_range(const dp_kdtree *t, int k, size_t q0, size_t q1, double *eps,
                         int d, dp_norm norm) {
  double best[DP_KNN_MAX_K];
  if ((q1 - q0) * 4 >= t->n) {
    for (size_t p = 0; p < t->n; p++) {
      size_t o = t->orig[p];
      if (o < q0 || o >= q1) continue;
      search_kth(t, p, k, best, d, norm);
      eps[o - q0] = dp_knn_from_raw(best[k - 1], norm);
    }
  } else {
    for (size_t o = q0; o < q1; o++) {
      search_kth(t, t->where[o], k, best, d, norm);
      eps[o - q0] = dp_knn_from_raw(best[k - 1], norm);
    }
  }
}

static void kth_l2_3(const dp_kdtree *t, int k, size_t a, size_t b, double *e) { kth_range(t, k, a, b, e, 3, DP_NORM_L2); }
static void kth_l2_6(const dp_kdtree *t, int k, size_t a, size_t b, double *e) { kth_range(t, k, a, b, e, 6, DP_NORM_L2); }
static void kth_mx_3(const dp_kdtree *t, int k, size_t a, size_t b, double *e) { kth_range(t, k, a, b, e, 3, DP_NORM_MAX); }
static void kth_mx_6(const dp_kdtree *t, int k, size_t a, size_t b, double *e) { kth_range(t, k, a, b, e, 6, DP_NORM_MAX); }
static void kth_any(const dp_kdtree *t, int k, dp_norm norm, size_t a, size_t b, double *e) {
  kth_range(t, k, a, b, e, t->d, norm);
}

int dp_kdtree_kth(const dp_kdtree *t, int k, dp_norm norm, size_t q0, size_t q1, double *eps) {
  if (!t) return dp_fail("kd-tree k-th neighbour: NULL tree");
  if (k < 1 || k > DP_KNN_MAX_K)
    return dp_fail("kd-tree k-th neighbour: k = %d out of range 1..%d", k, DP_KNN_MAX_K);
  if ((size_t)k >= t->n)
    return dp_fail("kd-tree k-th neighbour: k = %d needs more than %zu points", k, t->n);
  if (q0 > q1 || q1 > t->n)
    return dp_fail("kd-tree k-th neighbour: query range [%zu, %zu) outside 0..%zu", q0, q1, t->n);
  if (norm != DP_NORM_L2 && norm != DP_NORM_MAX)
    return dp_fail("kd-tree k-th neighbour: unknown norm %d", (int)norm);
  if (q0 == q1) return 0;
  if (!eps) return dp_fail("kd-tree k-th neighbour: NULL output");
  int l2 = norm == DP_NORM_L2;
  if (t->d == 3) (l2 ? kth_l2_3 : kth_mx_3)(t, k, q0, q1, eps);
  else if (t->d == 6) (l2 ? kth_l2_6 : kth_mx_6)(t, k, q0, q1, eps);
  else kth_any(t, k, norm, q0, q1, eps);
  return 0;
}

/* ---- radius counts ------------------------------------------------------------ */

/* The largest raw t with (dp_knn_from_raw(raw) < r) <=> (raw <= t), for r > 0.
 * max-norm: raw < r <=> raw <= the double just below r. L2: fl(sqrt) is
 * non-decreasing, so {raw : sqrt(raw) < r} is an interval [0, t]; r*r is within an ulp
 * or two of its end, and the loops walk the last steps exactly. */
static double radius_threshold(double r, dp_norm norm) {
  if (norm == DP_NORM_MAX) return nextafter(r, -INFINITY);
  double t = r * r;
  while (t > 0.0 && !(sqrt(t) < r)) t = nextafter(t, 0.0);
  while (t < DBL_MAX && sqrt(nextafter(t, INFINITY)) < r) t = nextafter(t, INFINITY);
  return t;
}

/* Points with raw distance <= thr from q, q's own point included. */
KD_INLINE size_t count_leq(const dp_kdtree *t, const double *q, double thr, int d,
                           dp_norm norm) {
  const double *pts = t->pts, *boxes = t->box;
  const kd_node *nodes = t->nodes;
  const size_t bs = 2 * (size_t)d;
  int stack[KD_STACK];
  int sp = 0;
  size_t cnt = 0;
  stack[sp++] = 0;
  while (sp > 0) {
    int v = stack[--sp];
    const double *box = boxes + (size_t)v * bs;
    if (box_lower(box, q, d, norm) > thr) continue;
    if (box_upper(box, q, d, norm) <= thr) {
      cnt += nodes[v].end - nodes[v].start;
      continue;
    }
    if (nodes[v].right >= 0) {
      stack[sp++] = nodes[v].right;
      stack[sp++] = v + 1;
      continue;
    }
    for (size_t p = nodes[v].start; p < nodes[v].end; p++)
      cnt += raw_dist(q, pts + p * (size_t)d, d, norm) <= thr;
  }
  return cnt;
}

KD_INLINE size_t count_pos(const dp_kdtree *t, size_t pos, double r, int d, dp_norm norm) {
  if (!(r > 0.0)) return 0; /* dist >= 0 is never < r */
  double thr = radius_threshold(r, norm);
  /* The query itself has raw 0 <= thr and is counted once: drop it. */
  return count_leq(t, t->pts + pos * (size_t)d, thr, d, norm) - 1;
}

static size_t count_l2_3(const dp_kdtree *t, size_t p, double r) { return count_pos(t, p, r, 3, DP_NORM_L2); }
static size_t count_l2_6(const dp_kdtree *t, size_t p, double r) { return count_pos(t, p, r, 6, DP_NORM_L2); }
static size_t count_mx_3(const dp_kdtree *t, size_t p, double r) { return count_pos(t, p, r, 3, DP_NORM_MAX); }
static size_t count_mx_6(const dp_kdtree *t, size_t p, double r) { return count_pos(t, p, r, 6, DP_NORM_MAX); }

static size_t count_dispatch(const dp_kdtree *t, dp_norm norm, size_t pos, double r) {
  int l2 = norm == DP_NORM_L2;
  if (t->d == 3) return (l2 ? count_l2_3 : count_mx_3)(t, pos, r);
  if (t->d == 6) return (l2 ? count_l2_6 : count_mx_6)(t, pos, r);
  return count_pos(t, pos, r, t->d, norm);
}

size_t dp_kdtree_count_within(const dp_kdtree *t, dp_norm norm, size_t i, double r) {
  if (!t || i >= t->n) {
    dp_fail("kd-tree radius count: query index %zu outside the %zu points", i, t ? t->n : 0);
    return SIZE_MAX;
  }
  return count_dispatch(t, norm, t->where[i], r);
}

int dp_kdtree_count_range(const dp_kdtree *t, dp_norm norm, size_t q0, size_t q1,
                          const double *r, size_t *cnt) {
  if (!t) return dp_fail("kd-tree radius counts: NULL tree");
  if (q0 > q1 || q1 > t->n)
    return dp_fail("kd-tree radius counts: query range [%zu, %zu) outside 0..%zu", q0, q1, t->n);
  if (q0 == q1) return 0;
  if (!r || !cnt) return dp_fail("kd-tree radius counts: NULL radii or output");
  if ((q1 - q0) * 4 >= t->n) {
    for (size_t p = 0; p < t->n; p++) {
      size_t o = t->orig[p];
      if (o >= q0 && o < q1) cnt[o - q0] = count_dispatch(t, norm, p, r[o - q0]);
    }
  } else {
    for (size_t o = q0; o < q1; o++) cnt[o - q0] = count_dispatch(t, norm, t->where[o], r[o - q0]);
  }
  return 0;
}
