/* mh_load.c - load the MakeHuman assets of one rank (read-only afterwards, shared by
 * every shape built from them), release them, and count their memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "mh_internal.h"

#define MH_MAX_TARGETS 64

static int load_targets(dp_mh_model *m, const char *dir) {
  char paths[MH_MAX_TARGETS][96];
  int n = mh_target_paths(paths, MH_MAX_TARGETS);
  m->target = dp_calloc((size_t)n, sizeof *m->target, "target list");
  if (!m->target) return -1;
  for (int i = 0; i < n; i++) {
    char full[4096];
    snprintf(full, sizeof full, "%s/targets/%s", dir, paths[i]);
    DP_TRY(mh_target_load(&m->target[i], full, m->n_vert));
    m->n_target = i + 1;
    if (!(m->target[i].path = dp_strdup(paths[i]))) return -1;
  }
  return 0;
}

/* The files every load reads besides the targets, in reading order. */
static const char *const MAIN_FILES[3] = {"base.obj", "default.mhskel", "default_weights.mhw"};

static int load_all(dp_mh_model *m, const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, MAIN_FILES[0]);
  DP_TRY(mh_obj_load(m, path));
  snprintf(path, sizeof path, "%s/%s", dir, MAIN_FILES[1]);
  DP_TRY(mh_skeleton_load(m, path));
  DP_TRY(mh_rig_assign(m, path));
  snprintf(path, sizeof path, "%s/%s", dir, MAIN_FILES[2]);
  DP_TRY(mh_weights_load(m, path));
  return load_targets(m, dir);
}

int dp_mh_asset_paths(const char *dir, char ***out, size_t *n) {
  char targets[MH_MAX_TARGETS][96];
  int nt = mh_target_paths(targets, MH_MAX_TARGETS);
  *n = 0;
  *out = dp_calloc((size_t)nt + 3, sizeof **out, "MakeHuman asset list");
  if (!*out) return -1;
  for (int i = 0; i < nt + 3; i++) {
    char full[4096];
    if (i < 3) snprintf(full, sizeof full, "%s/%s", dir, MAIN_FILES[i]);
    else snprintf(full, sizeof full, "%s/targets/%s", dir, targets[i - 3]);
    if (!((*out)[i] = dp_strdup(full))) return -1;
    *n = (size_t)i + 1;
  }
  return 0;
}

int dp_mh_model_load(dp_mh_model *m, const char *dir) {
  memset(m, 0, sizeof *m);
  if (load_all(m, dir) == 0) return 0;
  dp_mh_model_free(m);
  return -1;
}

void dp_mh_model_drop_targets(dp_mh_model *m) {
  for (int i = 0; i < m->n_target; i++) mh_target_free(&m->target[i]);
  free(m->target);
  m->target = NULL;
  m->n_target = 0;
}

static void free_names(char **names, int n) {
  for (int i = 0; names && i < n; i++) free(names[i]);
  free(names);
}

void dp_mh_model_free(dp_mh_model *m) {
  if (!m) return;
  dp_mh_model_drop_targets(m);
  free(m->base), free(m->body_vert), free(m->tri), free(m->tri_part), free(m->tri_slot);
  free(m->ground_vert);
  free_names(m->bone_name, m->n_bone);
  free(m->bone_parent), free(m->bone_head), free(m->bone_tail), free(m->bone_slot);
  free(m->bone_part);
  free_names(m->joint_name, m->n_joint);
  free(m->joint_start), free(m->joint_vert);
  free(m->w_start), free(m->w_slot), free(m->w);
  memset(m, 0, sizeof *m);
}

static size_t names_bytes(char *const *names, int n) {
  size_t b = sizeof(char *) * (size_t)n;
  for (int i = 0; names && i < n; i++) b += strlen(names[i]) + 1;
  return b;
}

size_t dp_mh_model_bytes(const dp_mh_model *m) {
  size_t b = sizeof *m;
  b += sizeof(float) * 3 * (size_t)m->n_vert;                                    /* base */
  b += sizeof(int32_t) * (size_t)(m->n_body_vert + m->n_ground);
  b += (3 * sizeof(uint32_t) + sizeof(uint16_t) + 1) * (size_t)m->n_tri;          /* triangles */
  b += names_bytes(m->bone_name, m->n_bone) + (4 * sizeof(int) + 3) * (size_t)m->n_bone;
  b += names_bytes(m->joint_name, m->n_joint) + sizeof(int) * ((size_t)m->n_joint + 1);
  if (m->joint_start) b += sizeof(int32_t) * (size_t)m->joint_start[m->n_joint];
  if (m->w_start) b += sizeof(int) * ((size_t)m->n_body_vert + 1) + 5 * (size_t)m->w_start[m->n_body_vert];
  for (int i = 0; i < m->n_target; i++)
    b += sizeof m->target[i] + sizeof(dp_mh_delta) * (size_t)m->target[i].cap + strlen(m->target[i].path) + 1;
  return b;
}
