/* anatomy.c - the human skeleton the learned tree is compared with.
 *
 * The canonical joints (pose.h's default 15) with their anatomical parents: spine
 * torso -> neck -> head, shoulders off the neck, hips off the torso, limbs outwards.
 * For another joint set (the paper's 10) a joint whose anatomical parent is not in the
 * set hangs off the nearest ancestor that is (l_hand -> l_shoulder when there is no
 * elbow). Joints with other names have no anatomical place (-1) and no edges. */
#include <string.h>

#include "report.h"

static const char *const BODY[][2] = {
    {"torso", NULL},          {"neck", "torso"},         {"head", "neck"},        {"l_shoulder", "neck"},
    {"r_shoulder", "neck"},   {"l_elbow", "l_shoulder"}, {"r_elbow", "r_shoulder"}, {"l_hand", "l_elbow"},
    {"r_hand", "r_elbow"},    {"l_hip", "torso"},        {"r_hip", "torso"},      {"l_knee", "l_hip"},
    {"r_knee", "r_hip"},      {"l_foot", "l_knee"},      {"r_foot", "r_knee"}};
enum { N_BODY = sizeof BODY / sizeof BODY[0] };

static const char *body_parent(const char *name) {
  for (int i = 0; i < N_BODY; i++)
    if (!strcmp(BODY[i][0], name)) return BODY[i][1];
  return NULL;
}

static int index_of(char *const *names, int J, const char *name) {
  for (int j = 0; j < J; j++)
    if (!strcmp(names[j], name)) return j;
  return -1;
}

int rp_edge_in(const int *parent, int a, int b) { return parent[a] == b || parent[b] == a; }

void rp_anatomy(char *const *names, int J, const int *tree_parent, int *anat_parent, int *n_edges, int *n_in_tree) {
  *n_edges = *n_in_tree = 0;
  for (int j = 0; j < J; j++) {
    anat_parent[j] = -1;
    for (const char *p = body_parent(names[j]); p; p = body_parent(p)) {
      int k = index_of(names, J, p);
      if (k >= 0) {
        anat_parent[j] = k;
        break;
      }
    }
    if (anat_parent[j] < 0) continue;
    ++*n_edges;
    *n_in_tree += rp_edge_in(tree_parent, j, anat_parent[j]);
  }
}
