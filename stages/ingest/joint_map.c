/* joint_map.c - see joint_map.h. */
#include "joint_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int set_sources(dp_joint_map *m, int j, const char *spec, const dp_node *where) {
  m->n_src[j] = 0;
  const char *p = spec;
  while (*p) {
    const char *plus = strchr(p, '+');
    size_t len = plus ? (size_t)(plus - p) : strlen(p);
    if (len == 0 || len >= sizeof m->src[j][0] || m->n_src[j] == DP_MAP_MAX_SOURCES)
      return dp_node_fail(where, "bad source joint list \"%s\" for %s", spec, m->canonical[j]);
    memcpy(m->src[j][m->n_src[j]], p, len);
    m->src[j][m->n_src[j]++][len] = '\0';
    p += len + (plus ? 1 : 0);
  }
  return 0;
}

static int from_builtin(const char *name, const dp_node *where, dp_joint_map *m) {
  const char *const *b = dp_builtin_joint_map(name);
  if (!b)
    return dp_node_fail(where, "unknown joint map \"%s\" (built-in: cmu_bvh, cmu_asf, h36m, identity)",
                        name);
  for (int j = 0; j < m->n_joints; j++) {
    int k = dp_joint_index(dp_joints15, 15, m->canonical[j]);
    if (k < 0)
      return dp_node_fail(where, "the built-in map %s has no joint %s; give it in the mapping",
                          name, m->canonical[j]);
    DP_TRY(set_sources(m, j, b[k], where));
  }
  return 0;
}

int dp_joint_map_from_config(const dp_node *node, const char *const *names, int n,
                             dp_joint_map *m) {
  memset(m, 0, sizeof *m);
  m->n_joints = n;
  for (int j = 0; j < n; j++) m->canonical[j] = names[j];
  if (dp_node_type(node) == DP_NODE_SCALAR) return from_builtin(dp_node_scalar(node), node, m);
  if (dp_node_type(node) != DP_NODE_MAP)
    return dp_node_fail(node, "expected a joint map name or a mapping joint: source");
  const char *base = NULL;
  DP_TRY(dp_cfg_string(node, "base", NULL, &base));
  if (base) DP_TRY(from_builtin(base, dp_cfg_get(node, "base"), m));
  for (size_t i = 0; i < dp_node_len(node); i++) {
    const char *key = dp_node_key_at(node, i);
    if (!strcmp(key, "base")) continue;
    const dp_node *v = dp_node_at(node, i);
    int j = dp_joint_index(names, n, key);
    if (j < 0) return dp_node_fail(v, "%s is not one of the run's joints (stages.ingest.joints)", key);
    const char **srcs;
    size_t ns;
    DP_TRY(dp_cfg_strings(v, &srcs, &ns));
    char spec[256] = "";
    for (size_t s = 0; s < ns; s++)
      snprintf(spec + strlen(spec), sizeof spec - strlen(spec), "%s%s", s ? "+" : "", srcs[s]);
    free(srcs);
    DP_TRY(set_sources(m, j, spec, v));
  }
  for (int j = 0; j < n; j++)
    if (m->n_src[j] == 0) return dp_node_fail(node, "no source joint given for %s", names[j]);
  return 0;
}

int dp_joint_map_resolve(const dp_joint_map *m, const dp_clip *clip, const char *file,
                         dp_joint_lookup *out) {
  out->n_joints = m->n_joints;
  for (int j = 0; j < m->n_joints; j++) {
    out->n_src[j] = m->n_src[j];
    for (int s = 0; s < m->n_src[j]; s++) {
      int k = dp_clip_joint(clip, m->src[j][s]);
      if (k < 0)
        return dp_fail("%s: the joint map sends %s to source joint \"%s\", which this file does "
                       "not have", file, m->canonical[j], m->src[j][s]);
      out->idx[j][s] = k;
    }
  }
  return 0;
}

void dp_joint_map_apply(const dp_joint_lookup *l, const dp_clip *clip, int f, float *out) {
  const float *frame = clip->pos + (size_t)f * (size_t)clip->n_joints * 3;
  for (int j = 0; j < l->n_joints; j++)
    for (int a = 0; a < 3; a++) {
      double sum = 0;
      for (int s = 0; s < l->n_src[j]; s++) sum += frame[3 * l->idx[j][s] + a];
      out[3 * j + a] = (float)(sum / l->n_src[j]);
    }
}
