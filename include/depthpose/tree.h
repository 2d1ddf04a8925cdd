/* tree.h - maximum spanning tree over a dense weight matrix (the Chow-Liu step: the
 * weights are pairwise mutual informations, the tree is the skeleton).
 *
 * dp_max_spanning_tree: w is n x n row-major and must be exactly symmetric; its
 * diagonal is ignored (a joint's own entropy may sit there), every off-diagonal entry
 * must be finite. Edges are compared by weight, larger first; equal weights are
 * broken by the edge's (lower endpoint i, then higher endpoint j), smaller first, so
 * edge (i, j), i < j, beats (i', j') of the same weight when (i, j) < (i', j')
 * lexicographically. That makes the order on edges strict, so the tree is unique
 * (the one Kruskal would pick scanning edges in that order) and does not depend on the
 * root, which only orients it.
 *
 * Outputs (arrays of n): parent[v] = v's parent, parent[root] = -1; order = the
 * vertices in breadth-first order from root, each vertex's children visited in
 * increasing index. Returns 0, or -1 after dp_fail for n < 1, root out of range,
 * a non-finite or asymmetric weight, or NULL arrays. */
#ifndef DEPTHPOSE_TREE_H
#define DEPTHPOSE_TREE_H

int dp_max_spanning_tree(const double *w, int n, int root, int *parent, int *order);

#endif
