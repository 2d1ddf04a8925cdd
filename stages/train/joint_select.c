/* joint_select.c - which joints the regression pathway learns (train_common.h), and the
 * tree over that subset. */
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "train_common.h"

int dp_joint_choice_from_config(const dp_node *sec, const char *key, int embedding,
                                dp_joint_choice *c) {
  memset(c, 0, sizeof *c);
  const dp_node *node = dp_cfg_get(sec, key);
  const char *name = node ? dp_node_scalar(node) : "all";
  const char *const *set;
  if (name && !strcmp(name, "all")) {
    c->all = 1;
    return 0;
  }
  if (dp_joint_set_named(name, &set, &c->n) == 0) {
    for (int j = 0; j < c->n; j++) c->names[j] = set[j];
  } else {
    const char **v;
    size_t k;
    DP_TRY(dp_cfg_strings(node, &v, &k));
    if (k < 1 || k > DP_MAX_JOINTS || (name && k == 1)) {
      free(v);
      return dp_node_fail(node, "expected all, default15, subset10 or a list of 1..%d joint names",
                          DP_MAX_JOINTS);
    }
    c->n = (int)k;
    for (size_t j = 0; j < k; j++) c->names[j] = v[j];
    free(v);
  }
  for (int j = 0; j < c->n; j++)
    for (int i = 0; i < j; i++)
      if (!strcmp(c->names[i], c->names[j]))
        return dp_node_fail(node, "joint %s is listed twice", c->names[j]);
  for (int a = 0; embedding && a < 4; a++)
    if (dp_joint_index(c->names, c->n, dp_pose_anchor_names[a]) < 0)
      return dp_node_fail(node, "the pose embedding (network.embedding: true) is defined by torso, "
                          "l_shoulder, r_shoulder and head: %s must be among the joints", dp_pose_anchor_names[a]);
  return 0;
}

void dp_subset_parents(const int *parent, int J, const int *sel, int n_sel, int *sub_parent) {
  int pos[DP_MAX_JOINTS];
  for (int j = 0; j < J; j++) pos[j] = -1;
  for (int k = 0; k < n_sel; k++) pos[sel[k]] = k;
  for (int k = 0; k < n_sel; k++) {
    int q = parent[sel[k]];
    /* climb past unselected joints; J steps at most even on a malformed parent array */
    for (int steps = 0; q >= 0 && pos[q] < 0 && steps < J; steps++) q = parent[q];
    sub_parent[k] = q >= 0 ? pos[q] : -1;
  }
}

int dp_joint_sel_resolve(const dp_joint_choice *c, char **names, int J, const int *parent,
                         const char *what, const char *hint, dp_joint_sel *sel) {
  memset(sel, 0, sizeof *sel);
  sel->n = c->all ? J : c->n;
  for (int k = 0; k < sel->n; k++) {
    sel->src[k] = c->all ? k : dp_joint_index((const char *const *)names, J, c->names[k]);
    if (sel->src[k] < 0)
      return dp_fail("%s has no joint %s%s", what, c->names[k], hint);
  }
  if (parent) dp_subset_parents(parent, J, sel->src, sel->n, sel->parent);
  else
    for (int k = 0; k < sel->n; k++) sel->parent[k] = -1;
  return 0;
}
