/* kdtree.c - exact kd-tree for k-th neighbour distances and strict radius counts
 * (see include/depthpose/knn.h for the contract).
 *
 * Layout. Points are copied into leaf order, so a leaf - and every subtree - is one
 * run of memory; inside a leaf they are stored by coordinate (see the leaf kernels).
 * Nodes are stored in pre-order: the left child of node v is v + 1, the right child
 * is nodes[v].right (-1 for a leaf). Every node keeps the tight bounding box of its
 * points. Splits are on the widest dimension near the median by count (split_rows:
 * never outside [m/4, 3m/4]), so the depth stays logarithmic whatever the data, and
 * duplicate coordinates may fall on both sides of a split: pruning uses the boxes,
 * never the split plane, so that is harmless.
 *
 * Search. The queries are the tree's own points, so they are answered a leaf at a
 * time (a block of queries is first grouped by leaf): all queries of leaf A first
 * scan their "home" (A, or the smallest subtree around A holding more than k points),
 * which gives each a finite k-th distance; the largest of these bounds every query of
 * A, so one traversal with the box-to-box distance from A's queries collects every
 * leaf that could hold a closer point. Each query then walks that list nearest first,
 * skipping a leaf by its point-to-box bound and stopping at the first leaf whose
 * box-to-box bound reaches its own k-th distance. The tree is traversed once per leaf
 * instead of once per query, and the per-query loop is short and predictable. A leaf
 * with only a few queries of the block searches them one by one instead.
 *
 * Exactness. A box's lower (upper) bound is computed with the same kind of operations
 * as a point distance, on per-axis gaps that are never larger (smaller) than any
 * contained point's; IEEE rounding is monotone, so the bound holds for the computed
 * distances, not just the real ones. A leaf is skipped only if its lower bound is >=
 * the current k-th raw distance (anything inside could at best tie, which cannot change
 * the k-th value) or, for counts, > the threshold t (nothing inside can pass "raw <=
 * t"). Counts turn "dist < r" into "raw <= t" with t chosen so the two are equivalent
 * in floating point (radius_threshold), so they agree bit for bit with the brute force,
 * which evaluates dp_knn_dist(...) < r literally.
 *
 * Speed. The hot loops are written once as always-inline functions taking d and the
 * norm as arguments and instantiated with constants for (3|6) x (L2|max), so the
 * norm tests fold away and the coordinate loops have fixed trip counts. Scratch space
 * is allocated once per call, never per query. On x86 the k-th neighbour search has
 * a second instance compiled for AVX2 (4-wide leaf kernel, with a branch-free path
 * for k = 1, the stage's default: 20% faster again), chosen at run time.
 * tests/bench/skeleton_knn.sh measures it against brute force and scipy's cKDTree.
 * Tried and dropped: a depth-first search for every query (1.2-1.5x slower: ~40
 * unpredictable node visits per 6-D query), forced unrolling of the coordinate loops
 * (no gain, or 2x slower when applied to the bound loops too), a sampled pivot inside
 * quickselect (no gain: the first full pass dominates). */
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

#ifndef KD_LONE_SIZE
#define KD_LONE_SIZE 8
#endif
#ifndef KD_LEAF_SIZE
#define KD_LEAF_SIZE 64
#endif
enum {
  /* Max points per leaf (leaves hold KD_LEAF/2 .. KD_LEAF). Measured on 6-D Gaussian
   * data, N = 18k and 100k: 16 -> 2.1x slower than 64, 32 -> 1.3x, 128 about equal. */
  KD_LEAF = KD_LEAF_SIZE,
  /* Traversal stack: a search holds at most depth + 1 entries, and splits within
   * [m/4, 3m/4] bound the depth by log_{4/3}(n / (KD_LEAF/2)) + 1 < 80 for any n the
   * build accepts. */
  KD_STACK = 128,
  /* Batches of at most this many queries search one by one (search_one): below it the
   * shared candidate list costs more than it saves. Such batches come from blocks of
   * rows in no spatial order (6-D Gaussian, N = 18k, blocks of 4096: 1.64 s with 1,
   * 1.45 s with 8; whole-set calls unchanged; one by one always: walk data 1.5x slower). */
  KD_LONE = KD_LONE_SIZE
};

typedef struct {
  size_t start, end; /* positions [start, end) in leaf order */
  int right;         /* right child; -1 marks a leaf (the left child is v + 1) */
  int parent;        /* -1 for the root */
} kd_node;

struct dp_kdtree {
  size_t n;
  int d;
  double *pts;    /* n x d in leaf order */
  size_t *orig;   /* orig[pos] = original index */
  size_t *where;  /* where[original index] = pos */
  int *leaf_of;   /* leaf node holding each position */
  int *ord;       /* per node: the leaf's ordinal in tree order (-1 inner) */
  kd_node *nodes;
  double *box;    /* per node: lo[0..d) then hi[0..d) */
  int nnodes, nleaves;
};

/* ---- build ------------------------------------------------------------------ */

/* Every leaf but a lone root holds at least KD_LEAF / 2 points (see build_node), so
 * this many nodes always suffice. */
static size_t max_nodes(size_t n) { return 2 * (n / (KD_LEAF / 2)) + 1; }

static double median3(double a, double b, double c) {
  if (a > b) {
    double t = a;
    a = b;
    b = t;
  }
  if (b > c) b = c;
  return a > b ? a : b;
}

static inline void swap_rows(double *pts, size_t *orig, int d, ptrdiff_t i, ptrdiff_t j) {
  double *a = pts + (size_t)i * (size_t)d, *b = pts + (size_t)j * (size_t)d;
  for (int c = 0; c < d; c++) {
    double t = a[c];
    a[c] = b[c];
    b[c] = t;
  }
  size_t o = orig[i];
  orig[i] = orig[j];
  orig[j] = o;
}

/* Quickselect on whole rows (Hoare partition, median-of-three pivot): afterwards row
 * nth has rank nth by coordinate dim within [lo, hi], no row before it is larger and
 * none after it smaller. Moving the rows themselves (not an index) keeps every pass a
 * sequential sweep. Hoare's scheme splits runs of equal keys evenly, so heavily
 * duplicated data (integer grids) stays O(m) on average. The pivot is always one of
 * the keys, which bounds the inner scans. Deterministic. */
static void select_nth(double *pts, size_t *orig, int d, ptrdiff_t lo, ptrdiff_t hi,
                       ptrdiff_t nth, int dim) {
#define KEY(i) pts[(size_t)(i) * (size_t)d + (size_t)dim]
  while (hi > lo) {
    double pivot = median3(KEY(lo), KEY(lo + (hi - lo) / 2), KEY(hi));
    ptrdiff_t i = lo, j = hi;
    while (i <= j) {
      while (KEY(i) < pivot) i++;
      while (KEY(j) > pivot) j--;
      if (i <= j) swap_rows(pts, orig, d, i++, j--);
    }
    if (nth <= j) hi = j;
    else if (nth >= i) lo = i;
    else break; /* j < nth < i: keys there equal the pivot */
  }
#undef KEY
}

static void range_box(const double *pts, int d, size_t s, size_t e, double *box) {
  for (int j = 0; j < d; j++) box[j] = box[d + j] = pts[s * (size_t)d + (size_t)j];
  for (size_t i = s + 1; i < e; i++) {
    const double *p = pts + i * (size_t)d;
    for (int j = 0; j < d; j++) {
      box[j] = p[j] < box[j] ? p[j] : box[j];
      box[d + j] = p[j] > box[d + j] ? p[j] : box[d + j];
    }
  }
}

/* Rewrite a finished leaf's rows (m x d) as columns (d x m) in place: the layout the
 * leaf kernels read. Its rows are final once the leaf exists - later splits only
 * touch other ranges. */
static void leaf_to_columns(double *blk, size_t m, int d) {
  double tmp[KD_LEAF * DP_KNN_MAX_DIM];
  memcpy(tmp, blk, m * (size_t)d * sizeof *blk);
  for (size_t i = 0; i < m; i++)
    for (int j = 0; j < d; j++) blk[(size_t)j * m + i] = tmp[i * (size_t)d + (size_t)j];
}

/* Build the subtree over positions [s, e) in pre-order and return its node id.
 * `extent` bounds the range's points: the root's true box, narrowed at each split
 * to the split value. It only picks the widest dimension - rescanning every range
 * for its exact box cost a third of the build - while the boxes kept for pruning are
 * exact: a leaf's from its points, an inner node's the union of its children's. */
/* The median of ns (odd) evenly spaced keys of rows [s, e): an estimate of the
 * median, close in rank, for the one-pass split below. */
static double sample_median(const double *pts, int d, size_t s, size_t e, int dim, int ns) {
  double sample[63];
  size_t stride = (e - s) / (size_t)ns;
  for (int i = 0; i < ns; i++) {
    double x = pts[(s + (size_t)i * stride) * (size_t)d + (size_t)dim];
    int j = i;
    for (; j > 0 && sample[j - 1] > x; j--) sample[j] = sample[j - 1];
    sample[j] = x;
  }
  return sample[ns / 2];
}

/* Rows with key < pivot to the front in one branch-free pass (Lomuto's scheme done
 * with an unconditional swap: row i trades places with the first row >= pivot, and
 * the boundary moves by the comparison's 0 or 1). Returns the split position.
 * Quickselect's Hoare loops mispredict about every other key and made ~3 passes;
 * they were 80% of the build. */
static size_t partition_rows(double *pts, size_t *orig, int d, size_t s, size_t e, int dim,
                             double pivot) {
  size_t lo = s;
  for (size_t i = s; i < e; i++) {
    size_t lt = pts[i * (size_t)d + (size_t)dim] < pivot;
    swap_rows(pts, orig, d, (ptrdiff_t)i, (ptrdiff_t)lo);
    lo += lt;
  }
  return lo;
}

/* Split rows [s, e) on dim: returns the position and the split value (left keys <=
 * it <= right keys). Long ranges take the one-pass split at a sampled median; the
 * depth only needs a rough balance, so any cut within [m/4, 3m/4] is kept. Otherwise
 * (short ranges, or a sample fooled by duplicates) the exact median by quickselect.
 * Either way both halves hold at least KD_LEAF / 2 rows. */
static size_t split_rows(dp_kdtree *t, size_t s, size_t e, int dim, double *value) {
  int d = t->d;
  size_t m = e - s;
  if (m >= 2 * KD_LEAF) {
    double pivot = sample_median(t->pts, d, s, e, dim, m >= 16 * KD_LEAF ? 63 : 15);
    size_t cut = partition_rows(t->pts, t->orig, d, s, e, dim, pivot);
    if (cut - s >= m / 4 && e - cut >= m / 4) {
      *value = pivot;
      return cut;
    }
  }
  size_t mid = s + m / 2;
  select_nth(t->pts, t->orig, d, (ptrdiff_t)s, (ptrdiff_t)e - 1, (ptrdiff_t)mid, dim);
  *value = t->pts[mid * (size_t)d + (size_t)dim];
  return mid;
}

static int build_node(dp_kdtree *t, int *next, int parent, size_t s, size_t e,
                      const double *extent) {
  int d = t->d, v = (*next)++;
  double *box = t->box + (size_t)v * 2 * (size_t)d;
  t->nodes[v] = (kd_node){s, e, -1, parent};
  t->ord[v] = -1;
  if (e - s <= KD_LEAF) {
    t->ord[v] = t->nleaves;
    range_box(t->pts, d, s, e, box);
    for (size_t i = s; i < e; i++) t->leaf_of[i] = v;
    leaf_to_columns(t->pts + s * (size_t)d, e - s, d);
    t->nleaves++;
    return v;
  }
  int dim = 0;
  for (int j = 1; j < d; j++)
    if (extent[d + j] - extent[j] > extent[d + dim] - extent[dim]) dim = j;
  double split, sub[2 * DP_KNN_MAX_DIM];
  size_t mid = split_rows(t, s, e, dim, &split);
  memcpy(sub, extent, 2 * (size_t)d * sizeof *sub);
  sub[d + dim] = split; /* left: every key <= split */
  int l = build_node(t, next, v, s, mid, sub);
  sub[d + dim] = extent[d + dim];
  sub[dim] = split; /* right: every key >= split */
  int r = build_node(t, next, v, mid, e, sub);
  t->nodes[v].right = r;
  const double *bl = t->box + (size_t)l * 2 * (size_t)d, *br = t->box + (size_t)r * 2 * (size_t)d;
  for (int j = 0; j < d; j++) {
    box[j] = bl[j] < br[j] ? bl[j] : br[j];
    box[d + j] = bl[d + j] > br[d + j] ? bl[d + j] : br[d + j];
  }
  return v;
}

void dp_kdtree_free(dp_kdtree *t) {
  if (!t) return;
  free(t->pts);
  free(t->orig);
  free(t->where);
  free(t->leaf_of);
  free(t->ord);
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
  if (n > (size_t)INT32_MAX * (KD_LEAF / 8)) { /* node ids are int */
    dp_fail("kd-tree: %zu points is more than this tree supports", n);
    return NULL;
  }
  if (check_points(pts, n, d, "kd-tree") != 0) return NULL;
  dp_kdtree *t = dp_calloc(1, sizeof *t, "kd-tree");
  if (!t) return NULL;
  t->n = n;
  t->d = d;
  size_t cap = max_nodes(n);
  t->pts = dp_malloc(n * (size_t)d * sizeof *t->pts, "kd-tree points");
  t->orig = dp_malloc(n * sizeof *t->orig, "kd-tree permutation");
  t->where = dp_malloc(n * sizeof *t->where, "kd-tree inverse permutation");
  t->leaf_of = dp_malloc(n * sizeof *t->leaf_of, "kd-tree leaf map");
  t->nodes = dp_malloc(cap * sizeof *t->nodes, "kd-tree nodes");
  t->ord = dp_malloc(cap * sizeof *t->ord, "kd-tree leaf ordinals");
  t->box = dp_malloc(cap * 2 * (size_t)d * sizeof *t->box, "kd-tree boxes");
  if (!t->pts || !t->orig || !t->where || !t->leaf_of || !t->nodes || !t->ord || !t->box) {
    dp_kdtree_free(t);
    return NULL;
  }
  memcpy(t->pts, pts, n * (size_t)d * sizeof *pts);
  for (size_t i = 0; i < n; i++) t->orig[i] = i;
  int next = 0;
  double extent[2 * DP_KNN_MAX_DIM];
  range_box(t->pts, d, 0, n, extent);
  build_node(t, &next, -1, 0, n, extent);
  t->nnodes = next;
  for (size_t p = 0; p < n; p++) t->where[t->orig[p]] = p;
  return t;
}

size_t dp_kdtree_size(const dp_kdtree *t) { return t ? t->n : 0; }
int dp_kdtree_dim(const dp_kdtree *t) { return t ? t->d : 0; }

/* ---- bounds ------------------------------------------------------------------ */

KD_INLINE double dmax(double a, double b) { return a > b ? a : b; }
KD_INLINE double dmin(double a, double b) { return a < b ? a : b; }

KD_INLINE double accumulate(double s, double g, dp_norm norm) {
  return norm == DP_NORM_L2 ? s + g * g : dmax(s, g);
}

/* Lower bound of the raw distance from q to any point of the box. Per axis the gap is
 * lo - q (q below), q - hi (q above) or 0; at most one of the first two is positive,
 * so their clamped sum is exactly that gap. Terms are accumulated like dp_knn_raw. */
KD_INLINE double box_lower(const double *box, const double *q, int d, dp_norm norm) {
  double s = 0.0;
  for (int j = 0; j < d; j++)
    s = accumulate(s, dmax(box[j] - q[j], 0.0) + dmax(q[j] - box[d + j], 0.0), norm);
  return s;
}

/* Lower bound of the raw distance between any point of box a and any point of box b:
 * for p in b, q in a, p - q >= b.lo - a.hi exactly, so also after rounding. */
KD_INLINE double box_box_lower(const double *a, const double *b, int d, dp_norm norm) {
  double s = 0.0;
  for (int j = 0; j < d; j++)
    s = accumulate(s, dmax(b[j] - a[d + j], 0.0) + dmax(a[j] - b[d + j], 0.0), norm);
  return s;
}

/* Upper bound of the raw distance from q to any point of the box. */
KD_INLINE double box_upper(const double *box, const double *q, int d, dp_norm norm) {
  double s = 0.0;
  for (int j = 0; j < d; j++) s = accumulate(s, dmax(q[j] - box[j], box[d + j] - q[j]), norm);
  return s;
}

/* ---- leaf kernels --------------------------------------------------------------
 * A leaf's points are stored by coordinate (the m x-values, then the m y-values, ...)
 * in the leaf's own stretch [start * d, end * d) of pts, so one vector load fetches the
 * same coordinate of neighbouring points. Four points are done per step in two
 * 2-wide vectors (SSE2, always there on x86-64): each lane performs exactly the
 * scalar sequence of dp_knn_raw - u_0^2, + u_1^2, ... in index order, or the running
 * max of |u_j| - so the raw distances are the same bits as the brute force's. */

typedef double v2d __attribute__((vector_size(16)));
typedef long long v2l __attribute__((vector_size(16)));
typedef double v2d_unaligned __attribute__((vector_size(16), aligned(8)));

KD_INLINE v2d v_load(const double *p) { return *(const v2d_unaligned *)p; }
KD_INLINE v2d v_max(v2d a, v2d b) { /* lane-wise a > b ? a : b, like dmax */
  v2l m = a > b;
  return (v2d)((m & (v2l)a) | (~m & (v2l)b));
}
KD_INLINE v2d v_abs(v2d a) {
  const v2l mag = {INT64_MAX, INT64_MAX};
  return (v2d)((v2l)a & mag);
}

/* Raw distances from q to leaf points i, i+1 (s0) and i+2, i+3 (s1); s0 and s1
 * start at zero, like dp_knn_raw's s. */
#define KD_RAW4(blk, m, i, q, d, norm, s0, s1)                              \
  do {                                                                      \
    for (int j_ = 0; j_ < (d); j_++) {                                      \
      v2d qj_ = {(q)[j_], (q)[j_]};                                         \
      v2d u0_ = qj_ - v_load((blk) + (size_t)j_ * (m) + (i));               \
      v2d u1_ = qj_ - v_load((blk) + (size_t)j_ * (m) + (i) + 2);           \
      if ((norm) == DP_NORM_L2) {                                           \
        (s0) += u0_ * u0_;                                                  \
        (s1) += u1_ * u1_;                                                  \
      } else {                                                              \
        (s0) = v_max((s0), v_abs(u0_));                                     \
        (s1) = v_max((s1), v_abs(u1_));                                     \
      }                                                                     \
    }                                                                       \
  } while (0)

/* Raw distance from q to leaf point i, one at a time (the last m % 4 points). */
KD_INLINE double raw_one(const double *blk, size_t m, size_t i, const double *q, int d,
                         dp_norm norm) {
  double s = 0.0;
  for (int j = 0; j < d; j++) {
    double u = q[j] - blk[(size_t)j * m + i];
    s = norm == DP_NORM_L2 ? s + u * u : dmax(s, fabs(u));
  }
  return s;
}

/* best[0..k) ascending; v < best[k-1] on entry. */
KD_INLINE void list_insert(double *best, int k, double v) {
  int j = k - 1;
  while (j > 0 && best[j - 1] > v) {
    best[j] = best[j - 1];
    j--;
  }
  best[j] = v;
}

/* Offer the leaf's points to the k-list, except local index skip (the query). Lanes
 * are checked against the list only when one of four beats its current end. */
KD_INLINE void scan_leaf(const double *blk, size_t m, size_t skip, const double *q, int d,
                         dp_norm norm, double *best, int k) {
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    v2d s0 = {0.0, 0.0}, s1 = {0.0, 0.0};
    KD_RAW4(blk, m, i, q, d, norm, s0, s1);
    v2d bk = {best[k - 1], best[k - 1]};
    v2l c0 = s0 < bk, c1 = s1 < bk;
    if (!(c0[0] | c0[1] | c1[0] | c1[1])) continue;
    double v[4] = {s0[0], s0[1], s1[0], s1[1]};
    for (int l = 0; l < 4; l++)
      if (v[l] < best[k - 1] && i + (size_t)l != skip) list_insert(best, k, v[l]);
  }
  for (; i < m; i++) {
    double v = raw_one(blk, m, i, q, d, norm);
    if (v < best[k - 1] && i != skip) list_insert(best, k, v);
  }
}

/* The same scan, eight points per step in two 4-wide vectors: only inlined into the
 * target("avx2") instances below, where each v4d operation is one instruction. Lanes
 * do exactly the scalar sequence, as above. */
typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));
typedef double v4d_unaligned __attribute__((vector_size(32), aligned(8)));
#define V4_LOAD(p) (*(const v4d_unaligned *)(p))
#define V4_ABS(a) ((v4d)((v4l)(a) & (v4l){INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX}))
#define V4_MAX(a, b) ((v4d)((((v4l)((a) > (b))) & (v4l)(a)) | (~((v4l)((a) > (b))) & (v4l)(b))))

/* Raw distances from q to leaf points i..i+3 (s0) and i+4..i+7 (s1), from zero. */
#define KD_RAW8(blk, m, i, q, d, norm, s0, s1)                              \
  do {                                                                      \
    for (int j_ = 0; j_ < (d); j_++) {                                      \
      v4d qj_ = {(q)[j_], (q)[j_], (q)[j_], (q)[j_]};                       \
      v4d u0_ = qj_ - V4_LOAD((blk) + (size_t)j_ * (m) + (i));              \
      v4d u1_ = qj_ - V4_LOAD((blk) + (size_t)j_ * (m) + (i) + 4);          \
      if ((norm) == DP_NORM_L2) {                                           \
        (s0) += u0_ * u0_;                                                  \
        (s1) += u1_ * u1_;                                                  \
      } else {                                                              \
        (s0) = V4_MAX((s0), V4_ABS(u0_));                                   \
        (s1) = V4_MAX((s1), V4_ABS(u1_));                                   \
      }                                                                     \
    }                                                                       \
  } while (0)
#define V4_MIN(a, b) ((v4d)((((v4l)((a) < (b))) & (v4l)(a)) | (~((v4l)((a) < (b))) & (v4l)(b))))

KD_INLINE void scan_leaf_wide(const double *blk, size_t m, size_t skip, const double *q,
                              int d, dp_norm norm, double *best, int k) {
  size_t i = 0;
  /* k = 1 (the stage's default): a running lane-wise minimum, no branch per step -
   * the minimum is the same number whichever way ties fall. */
  if (k == 1) {
    v4d mn = {INFINITY, INFINITY, INFINITY, INFINITY};
    for (; i + 8 <= m; i += 8) {
      v4d s0 = {0.0, 0.0, 0.0, 0.0}, s1 = {0.0, 0.0, 0.0, 0.0};
      KD_RAW8(blk, m, i, q, d, norm, s0, s1);
      if (skip - i < 8) { /* the query itself is in this step: take it out */
        if (skip - i < 4) s0[skip - i] = INFINITY;
        else s1[skip - i - 4] = INFINITY;
      }
      mn = V4_MIN(mn, V4_MIN(s0, s1));
    }
    double b = dmin(dmin(mn[0], mn[1]), dmin(mn[2], mn[3]));
    for (; i < m; i++)
      if (i != skip) b = dmin(b, raw_one(blk, m, i, q, d, norm));
    best[0] = dmin(best[0], b);
    return;
  }
  for (; i + 8 <= m; i += 8) {
    v4d s0 = {0.0, 0.0, 0.0, 0.0}, s1 = {0.0, 0.0, 0.0, 0.0};
    KD_RAW8(blk, m, i, q, d, norm, s0, s1);
    double b = best[k - 1];
    v4d bk = {b, b, b, b};
    v4l c = (s0 < bk) | (s1 < bk);
    if (!(c[0] | c[1] | c[2] | c[3])) continue;
    double v[8] = {s0[0], s0[1], s0[2], s0[3], s1[0], s1[1], s1[2], s1[3]};
    for (int l = 0; l < 8; l++)
      if (v[l] < best[k - 1] && i + (size_t)l != skip) list_insert(best, k, v[l]);
  }
  for (; i < m; i++) {
    double v = raw_one(blk, m, i, q, d, norm);
    if (v < best[k - 1] && i != skip) list_insert(best, k, v);
  }
}

KD_INLINE void scan_leaf_any(const double *blk, size_t m, size_t skip, const double *q, int d,
                             dp_norm norm, double *best, int k, int wide) {
  if (wide) scan_leaf_wide(blk, m, skip, q, d, norm, best, k);
  else scan_leaf(blk, m, skip, q, d, norm, best, k);
}

/* Leaf points with raw distance <= thr from q. */
KD_INLINE size_t count_leaf(const double *blk, size_t m, const double *q, double thr, int d,
                            dp_norm norm) {
  size_t i = 0;
  long long neg = 0; /* a true lane compares to -1 */
  v2d th = {thr, thr};
  for (; i + 4 <= m; i += 4) {
    v2d s0 = {0.0, 0.0}, s1 = {0.0, 0.0};
    KD_RAW4(blk, m, i, q, d, norm, s0, s1);
    v2l c = (s0 <= th) + (s1 <= th);
    neg += c[0] + c[1];
  }
  size_t cnt = (size_t)(-neg);
  for (; i < m; i++) cnt += raw_one(blk, m, i, q, d, norm) <= thr;
  return cnt;
}

KD_INLINE const double *leaf_block(const dp_kdtree *t, int v, int d) {
  return t->pts + t->nodes[v].start * (size_t)d;
}

/* The coordinates of the point at position pos, out of its leaf's block. */
KD_INLINE void point_at(const dp_kdtree *t, size_t pos, double *q, int d) {
  const kd_node *leaf = &t->nodes[t->leaf_of[pos]];
  size_t m = leaf->end - leaf->start, i = pos - leaf->start;
  const double *blk = t->pts + leaf->start * (size_t)d;
  for (int j = 0; j < d; j++) q[j] = blk[(size_t)j * m + i];
}

/* Offer every point of positions [s, e) - whole leaves - except position skip. */
KD_INLINE void scan_range(const dp_kdtree *t, size_t s, size_t e, size_t skip,
                          const double *q, int d, dp_norm norm, double *best, int k,
                          int wide) {
  while (s < e) {
    int v = t->leaf_of[s];
    size_t m = t->nodes[v].end - t->nodes[v].start;
    scan_leaf_any(leaf_block(t, v, d), m, skip - s, q, d, norm, best, k, wide); /* wraps if outside */
    s = t->nodes[v].end;
  }
}

typedef struct {
  double lb; /* box-to-box lower bound from the batch's queries */
  int leaf;
} kd_cand;

typedef struct {
  kd_cand *cand;  /* nleaves */
  double *best;   /* KD_LEAF x k */
  double *q;      /* KD_LEAF x DP_KNN_MAX_DIM: the batch's query coordinates */
  size_t *order;  /* the block's query positions, grouped by leaf (leaf_order) */
} kd_scratch;

static int cand_before(const kd_cand *a, const kd_cand *b) {
  return a->lb < b->lb || (a->lb == b->lb && a->leaf < b->leaf);
}

/* Sort by (lb, leaf): insertion sort on runs of 8, then bottom-up merges through tmp.
 * (A plain insertion sort went quadratic on the ~200 candidates of 6-D data at
 * N = 100k; glibc's qsort, a merge sort through a comparator pointer, cost 20%.) */
static void sort_cands(kd_cand *c, int nc, kd_cand *tmp) {
  for (int r = 0; r < nc; r += 8) {
    int e = r + 8 < nc ? r + 8 : nc;
    for (int i = r + 1; i < e; i++) {
      kd_cand x = c[i];
      int j = i;
      while (j > r && cand_before(&x, &c[j - 1])) {
        c[j] = c[j - 1];
        j--;
      }
      c[j] = x;
    }
  }
  kd_cand *src = c, *dst = tmp;
  for (int w = 8; w < nc; w *= 2) {
    for (int lo = 0; lo < nc; lo += 2 * w) {
      int mid = lo + w < nc ? lo + w : nc, hi = lo + 2 * w < nc ? lo + 2 * w : nc;
      int i = lo, j = mid, o = lo;
      while (i < mid && j < hi) dst[o++] = cand_before(&src[j], &src[i]) ? src[j++] : src[i++];
      while (i < mid) dst[o++] = src[i++];
      while (j < hi) dst[o++] = src[j++];
    }
    kd_cand *x = src;
    src = dst;
    dst = x;
  }
  if (src != c) memcpy(c, src, (size_t)nc * sizeof *c);
}

/* Leaves outside the home range [hs, he) whose box comes within `bound` of the
 * query box qbox, sorted nearest first. A node's bound is computed when its parent is
 * expanded, so the nearer child can be pushed last and popped first. */
KD_INLINE int collect_leaves(const dp_kdtree *t, const double *qbox, double bound, size_t hs,
                             size_t he, kd_cand *cand, int d, dp_norm norm) {
  const kd_node *nodes = t->nodes;
  const size_t bs = 2 * (size_t)d;
  int stack[KD_STACK], sp = 0, nc = 0;
  double stack_lb[KD_STACK];
  stack[sp] = 0;
  stack_lb[sp++] = 0.0; /* the query box lies in the root box */
  while (sp > 0) {
    sp--;
    int v = stack[sp];
    double lb = stack_lb[sp];
    if (nodes[v].start >= hs && nodes[v].end <= he) continue; /* already scanned */
    if (nodes[v].right < 0) {
      cand[nc].lb = lb;
      cand[nc++].leaf = v;
      continue;
    }
    int c[2] = {v + 1, nodes[v].right};
    double b[2];
    for (int i = 0; i < 2; i++) b[i] = box_box_lower(qbox, t->box + (size_t)c[i] * bs, d, norm);
    int nearer = b[1] < b[0];
    for (int i = 0; i < 2; i++) {
      int pick = i == 0 ? !nearer : nearer; /* farther first, nearer on top */
      if (b[pick] < bound) {
        stack[sp] = c[pick];
        stack_lb[sp++] = b[pick];
      }
    }
  }
  sort_cands(cand, nc, cand + t->nleaves);
  return nc;
}

/* One query on its own: depth-first from the root, nearer child first, each child's
 * point-to-box bound computed when its parent is expanded; the home range [hs, he)
 * is already in best. For a batch of one this beats collecting and sorting a list. */
KD_INLINE void search_one(const dp_kdtree *t, const double *q, size_t hs, size_t he,
                          double *best, int k, int d, dp_norm norm, int wide) {
  const kd_node *nodes = t->nodes;
  const size_t bs = 2 * (size_t)d;
  int stack[KD_STACK], sp = 0;
  double stack_lb[KD_STACK];
  stack[sp] = 0;
  stack_lb[sp++] = 0.0;
  while (sp > 0) {
    sp--;
    int v = stack[sp];
    if (stack_lb[sp] >= best[k - 1]) continue; /* the bound has shrunk since the push */
    if (nodes[v].start >= hs && nodes[v].end <= he) continue;
    if (nodes[v].right < 0) {
      scan_leaf_any(leaf_block(t, v, d), nodes[v].end - nodes[v].start, SIZE_MAX, q, d, norm,
                    best, k, wide);
      continue;
    }
    int c[2] = {v + 1, nodes[v].right};
    double b[2];
    for (int i = 0; i < 2; i++) b[i] = box_lower(t->box + (size_t)c[i] * bs, q, d, norm);
    int nearer = b[1] < b[0];
    for (int i = 0; i < 2; i++) {
      int pick = i == 0 ? !nearer : nearer; /* farther first, nearer on top */
      if (b[pick] < best[k - 1]) {
        stack[sp] = c[pick];
        stack_lb[sp++] = b[pick];
      }
    }
  }
}

/* Answer the m queries at positions qpos[], all in leaf `leaf`. */
KD_INLINE void batch_kth(const dp_kdtree *t, const size_t *qpos, int m, int leaf, int k,
                         kd_scratch *sc, size_t q0, double *eps, int d, dp_norm norm,
                         int wide) {
  const kd_node *nodes = t->nodes;
  /* home: the smallest subtree around the leaf with more than k points */
  int h = leaf;
  while (nodes[h].end - nodes[h].start <= (size_t)k) h = nodes[h].parent;
  size_t hs = nodes[h].start, he = nodes[h].end;
  double qbox[2 * DP_KNN_MAX_DIM] = {0}, bound = 0.0;
  for (int i = 0; i < m; i++) {
    double *q = sc->q + (size_t)i * DP_KNN_MAX_DIM;
    double *best = sc->best + (size_t)i * (size_t)k;
    point_at(t, qpos[i], q, d);
    for (int j = 0; j < k; j++) best[j] = INFINITY;
    scan_range(t, hs, he, qpos[i], q, d, norm, best, k, wide);
    bound = dmax(bound, best[k - 1]);
    for (int j = 0; j < d; j++) {
      qbox[j] = i == 0 || q[j] < qbox[j] ? q[j] : qbox[j];
      qbox[d + j] = i == 0 || q[j] > qbox[d + j] ? q[j] : qbox[d + j];
    }
  }
  if (m <= KD_LONE) { /* a block sparse in this leaf (blocks of i.i.d. rows are) */
    for (int i = 0; i < m; i++) {
      double *best = sc->best + (size_t)i * (size_t)k;
      if (best[k - 1] > 0.0)
        search_one(t, sc->q + (size_t)i * DP_KNN_MAX_DIM, hs, he, best, k, d, norm, wide);
      eps[t->orig[qpos[i]] - q0] = dp_knn_from_raw(best[k - 1], norm);
    }
    return;
  }
  int nc = bound > 0.0 ? collect_leaves(t, qbox, bound, hs, he, sc->cand, d, norm) : 0;
  const size_t bs = 2 * (size_t)d;
  for (int i = 0; i < m; i++) {
    const double *q = sc->q + (size_t)i * DP_KNN_MAX_DIM;
    double *best = sc->best + (size_t)i * (size_t)k;
    for (int c = 0; c < nc && sc->cand[c].lb < best[k - 1]; c++) {
      int v = sc->cand[c].leaf;
      if (box_lower(t->box + (size_t)v * bs, q, d, norm) < best[k - 1])
        scan_leaf_any(leaf_block(t, v, d), nodes[v].end - nodes[v].start, SIZE_MAX, q, d,
                      norm, best, k, wide);
    }
    eps[t->orig[qpos[i]] - q0] = dp_knn_from_raw(best[k - 1], norm);
  }
}

/* The positions of original indices [q0, q1), grouped leaf by leaf in tree order: a
 * counting sort on the leaf ordinal, O(m + leaves). So any block of queries, not just
 * the whole set, is answered a leaf batch at a time (the stage hands out blocks of a
 * few thousand). first[] holds nleaves + 1 counters. */
static void leaf_order(const dp_kdtree *t, size_t q0, size_t q1, size_t *order, size_t *first) {
  memset(first, 0, ((size_t)t->nleaves + 1) * sizeof *first);
  for (size_t o = q0; o < q1; o++) first[t->ord[t->leaf_of[t->where[o]]] + 1]++;
  for (int l = 0; l < t->nleaves; l++) first[l + 1] += first[l];
  for (size_t o = q0; o < q1; o++) {
    size_t p = t->where[o];
    order[first[t->ord[t->leaf_of[p]]]++] = p;
  }
}

/* Queries for original indices [q0, q1), whose positions sc->order holds by leaf. */
KD_INLINE void kth_range(const dp_kdtree *t, int k, size_t q0, size_t q1, double *eps,
                         kd_scratch *sc, int d, dp_norm norm, int wide) {
  size_t m = q1 - q0;
  for (size_t i = 0; i < m;) {
    int leaf = t->leaf_of[sc->order[i]];
    size_t e = i + 1;
    while (e < m && t->leaf_of[sc->order[e]] == leaf) e++;
    batch_kth(t, sc->order + i, (int)(e - i), leaf, k, sc, q0, eps, d, norm, wide);
    i = e;
  }
}

typedef void (*kth_fn)(const dp_kdtree *, int, size_t, size_t, double *, kd_scratch *);
#define KD_KTH_INSTANCE(name, attr, D, NORM, WIDE)                                    \
  attr static void name(const dp_kdtree *t, int k, size_t a, size_t b, double *e,     \
                        kd_scratch *s) {                                              \
    kth_range(t, k, a, b, e, s, D, NORM, WIDE);                                       \
  }
KD_KTH_INSTANCE(kth_l2_3, , 3, DP_NORM_L2, 0)
KD_KTH_INSTANCE(kth_l2_6, , 6, DP_NORM_L2, 0)
KD_KTH_INSTANCE(kth_mx_3, , 3, DP_NORM_MAX, 0)
KD_KTH_INSTANCE(kth_mx_6, , 6, DP_NORM_MAX, 0)
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define KD_HAVE_AVX2 1
#define KD_AVX2 __attribute__((target("avx2")))
KD_KTH_INSTANCE(kth_l2_3_avx2, KD_AVX2, 3, DP_NORM_L2, 1)
KD_KTH_INSTANCE(kth_l2_6_avx2, KD_AVX2, 6, DP_NORM_L2, 1)
KD_KTH_INSTANCE(kth_mx_3_avx2, KD_AVX2, 3, DP_NORM_MAX, 1)
KD_KTH_INSTANCE(kth_mx_6_avx2, KD_AVX2, 6, DP_NORM_MAX, 1)
#endif

/* The instance for (d, norm): AVX2 when the CPU has it (about 20% faster end to end)
 * and DP_KNN_NO_AVX2 is unset (the tests use it to check the SSE2 path too), else
 * SSE2; NULL for other d. Both give the same bits: lanes never mix. */
static kth_fn pick_kth(int d, dp_norm norm) {
  int l2 = norm == DP_NORM_L2;
#ifdef KD_HAVE_AVX2
  if (__builtin_cpu_supports("avx2") && !getenv("DP_KNN_NO_AVX2")) {
    if (d == 3) return l2 ? kth_l2_3_avx2 : kth_mx_3_avx2;
    if (d == 6) return l2 ? kth_l2_6_avx2 : kth_mx_6_avx2;
  }
#endif
  if (d == 3) return l2 ? kth_l2_3 : kth_mx_3;
  if (d == 6) return l2 ? kth_l2_6 : kth_mx_6;
  return NULL;
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
  kd_scratch sc;
  sc.cand = dp_malloc(2 * (size_t)t->nleaves * sizeof *sc.cand, "kd-tree candidate list");
  sc.best = dp_malloc((size_t)KD_LEAF * (size_t)k * sizeof *sc.best, "kd-tree k lists");
  sc.q = dp_malloc((size_t)KD_LEAF * DP_KNN_MAX_DIM * sizeof *sc.q, "kd-tree query batch");
  sc.order = dp_malloc((q1 - q0) * sizeof *sc.order, "kd-tree query order");
  size_t *first = dp_malloc(((size_t)t->nleaves + 1) * sizeof *first, "kd-tree leaf counters");
  int rc = sc.cand && sc.best && sc.q && sc.order && first ? 0 : -1;
  if (rc == 0) {
    leaf_order(t, q0, q1, sc.order, first);
    kth_fn f = pick_kth(t->d, norm);
    if (f) f(t, k, q0, q1, eps, &sc);
    else kth_range(t, k, q0, q1, eps, &sc, t->d, norm, 0);
  }
  free(sc.cand);
  free(sc.best);
  free(sc.q);
  free(sc.order);
  free(first);
  return rc;
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
  const double *boxes = t->box;
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
    cnt += count_leaf(leaf_block(t, v, d), nodes[v].end - nodes[v].start, q, thr, d, norm);
  }
  return cnt;
}

KD_INLINE size_t count_pos(const dp_kdtree *t, size_t pos, double r, int d, dp_norm norm) {
  if (!(r > 0.0)) return 0; /* dist >= 0 is never < r */
  double thr = radius_threshold(r, norm);
  double q[DP_KNN_MAX_DIM];
  point_at(t, pos, q, d);
  /* The query itself has raw 0 <= thr and is counted once: drop it. */
  return count_leq(t, q, thr, d, norm) - 1;
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
  size_t *order = dp_malloc((q1 - q0) * sizeof *order, "kd-tree query order");
  size_t *first = dp_malloc(((size_t)t->nleaves + 1) * sizeof *first, "kd-tree leaf counters");
  if (!order || !first) {
    free(order);
    free(first);
    return -1;
  }
  leaf_order(t, q0, q1, order, first); /* neighbouring queries touch the same nodes */
  for (size_t i = 0; i < q1 - q0; i++) {
    size_t o = t->orig[order[i]];
    cnt[o - q0] = count_dispatch(t, norm, order[i], r[o - q0]);
  }
  free(order);
  free(first);
  return 0;
}
