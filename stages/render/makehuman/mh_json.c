/* mh_json.c - read the rig (default.mhskel) and the skin weights (default_weights.mhw),
 * both JSON (README "File formats"), through json-c. Syntax errors name the file and
 * line; structural errors name the bone, joint or vertex and what was expected.
 *
 * The skeleton: "joints" maps a joint name to its vertex list (the joint sits at the
 * mean of those vertices); "bones" maps a bone name to its "parent" (null for the root)
 * and its "head" and "tail" joint names. Bones are stored parent-before-child (file
 * order otherwise), so one forward pass visits parents first. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/json.h"
#include "mh_internal.h"

/* Rig files are a few MB; anything far larger is not one. */
enum { MAX_RIG_BYTES = 1 << 30 };

static int name_index(char *const *names, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (!strcmp(names[i], name)) return i;
  return -1;
}

/* ---- skeleton ------------------------------------------------------------------- */

static int read_joints(dp_mh_model *m, const char *path, json_object *joints) {
  int n = json_object_object_length(joints), total = 0;
  json_object_object_foreach(joints, key0, list0) {
    (void)key0;
    if (!json_object_is_type(list0, json_type_array) || json_object_array_length(list0) == 0)
      return dp_fail("%s: joint \"%s\": expected a non-empty list of vertex indices", path, key0);
    total += (int)json_object_array_length(list0);
  }
  m->joint_name = dp_calloc((size_t)n, sizeof(char *), "joint names");
  m->joint_start = dp_malloc(sizeof(int) * ((size_t)n + 1), "joint lists");
  m->joint_vert = dp_malloc(sizeof(int32_t) * (size_t)total, "joint vertices");
  if (!m->joint_name || !m->joint_start || !m->joint_vert) return -1;
  m->n_joint = n;
  int j = 0, k = 0;
  json_object_object_foreach(joints, key, list) {
    if (!(m->joint_name[j] = dp_strdup(key))) return -1;
    m->joint_start[j] = k;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
      json_object *e = json_object_array_get_idx(list, i);
      int64_t v = json_object_get_int64(e);
      if (!json_object_is_type(e, json_type_int) || v < 0 || v >= m->n_vert)
        return dp_fail("%s: joint \"%s\": item %zu is not a vertex index in 0..%d", path, key, i,
                       m->n_vert - 1);
      m->joint_vert[k++] = (int32_t)v;
    }
    j++;
  }
  m->joint_start[n] = k;
  return 0;
}

typedef struct {
  const char *name, *parent, *head, *tail;
} bone_text;

static int bone_fields(const char *path, const char *name, json_object *b, bone_text *t) {
  json_object *head, *tail, *parent = NULL;
  if (!json_object_is_type(b, json_type_object) || !(head = dp_json_member(b, "head", json_type_string)) ||
      !(tail = dp_json_member(b, "tail", json_type_string)))
    return dp_fail("%s: bone \"%s\": expected an object with string \"head\" and \"tail\"",
                   path, name);
  if (json_object_object_get_ex(b, "parent", &parent) && !json_object_is_type(parent, json_type_null) &&
      !json_object_is_type(parent, json_type_string))
    return dp_fail("%s: bone \"%s\": \"parent\" must be a bone name or null", path, name);
  *t = (bone_text){name, json_object_is_type(parent, json_type_string) ? json_object_get_string(parent) : NULL,
                   json_object_get_string(head), json_object_get_string(tail)};
  return 0;
}

/* Store the bones parent-before-child: repeatedly take, in file order, the bones whose
 * parent is already stored. A pass that stores nothing means a cycle or a missing parent. */
static int order_bones(dp_mh_model *m, const char *path, const bone_text *b, int n) {
  int *placed = dp_calloc((size_t)n, sizeof(int), "bone order");
  if (!placed) return -1;
  int rc = 0, done = 0;
  while (rc == 0 && done < n) {
    int before = done;
    for (int i = 0; i < n; i++) {
      if (placed[i]) continue;
      int p = b[i].parent ? name_index(m->bone_name, done, b[i].parent) : -1;
      if (b[i].parent && p < 0) continue;
      if (!b[i].parent && m->root_bone >= 0) {
        rc = dp_fail("%s: bones \"%s\" and \"%s\" both have no parent; expected one root", path,
                     m->bone_name[m->root_bone], b[i].name);
        break;
      }
      m->bone_head[done] = name_index(m->joint_name, m->n_joint, b[i].head);
      m->bone_tail[done] = name_index(m->joint_name, m->n_joint, b[i].tail);
      if (m->bone_head[done] < 0 || m->bone_tail[done] < 0) {
        rc = dp_fail("%s: bone \"%s\": joint \"%s\" is not in \"joints\"", path, b[i].name,
                     m->bone_head[done] < 0 ? b[i].head : b[i].tail);
        break;
      }
      if (!(m->bone_name[done] = dp_strdup(b[i].name))) {
        rc = -1;
        break;
      }
      if (!b[i].parent) m->root_bone = done;
      m->bone_parent[done] = p;
      placed[i] = 1;
      done++;
    }
    if (rc == 0 && done == before)
      for (int i = 0; i < n && rc == 0; i++)
        if (!placed[i])
          rc = dp_fail("%s: bone \"%s\": parent \"%s\" is not a bone or forms a cycle", path,
                       b[i].name, b[i].parent);
  }
  m->n_bone = done;
  free(placed);
  if (rc == 0 && m->root_bone < 0) rc = dp_fail("%s: no root bone (one without a parent)", path);
  return rc;
}

static int read_bones(dp_mh_model *m, const char *path, json_object *bones) {
  int n = json_object_object_length(bones);
  if (n == 0) return dp_fail("%s: \"bones\" is empty", path);
  bone_text *b = dp_calloc((size_t)n, sizeof *b, "bone list");
  m->bone_name = dp_calloc((size_t)n, sizeof(char *), "bone names");
  m->bone_parent = dp_malloc(sizeof(int) * (size_t)n, "bone parents");
  m->bone_head = dp_malloc(sizeof(int) * (size_t)n, "bone heads");
  m->bone_tail = dp_malloc(sizeof(int) * (size_t)n, "bone tails");
  int rc = (b && m->bone_name && m->bone_parent && m->bone_head && m->bone_tail) ? 0 : -1;
  int i = 0;
  json_object_object_foreach(bones, key, val) {
    if (rc == 0) rc = bone_fields(path, key, val, &b[i++]);
  }
  m->root_bone = -1;
  if (rc == 0) rc = order_bones(m, path, b, n);
  free(b);
  return rc;
}

int mh_skeleton_load(dp_mh_model *m, const char *path) {
  json_object *o;
  DP_TRY(dp_json_read(path, MAX_RIG_BYTES, &o));
  json_object *joints = dp_json_member(o, "joints", json_type_object);
  json_object *bones = dp_json_member(o, "bones", json_type_object);
  int rc = 0;
  if (!joints || !bones)
    rc = dp_fail("%s: expected objects \"joints\" and \"bones\" (a MakeHuman .mhskel)", path);
  if (rc == 0) rc = read_joints(m, path, joints);
  if (rc == 0) rc = read_bones(m, path, bones);
  json_object_put(o);
  return rc;
}

/* ---- skin weights ---------------------------------------------------------------- */

/* Check one [vertex, weight] pair; *body = the body-vertex number or -1. */
static int weight_pair(const dp_mh_model *m, const int32_t *local, const char *path,
                       const char *bone, json_object *e, size_t i, int *body, float *w) {
  json_object *v = json_object_is_type(e, json_type_array) && json_object_array_length(e) == 2
                       ? json_object_array_get_idx(e, 0) : NULL;
  json_object *x = v ? json_object_array_get_idx(e, 1) : NULL;
  int64_t vi = v ? json_object_get_int64(v) : -1;
  if (!v || !json_object_is_type(v, json_type_int) || vi < 0 || vi >= m->n_vert)
    return dp_fail("%s: bone \"%s\", item %zu: expected [vertex index in 0..%d, weight]", path,
                   bone, i, m->n_vert - 1);
  double wd = json_object_get_double(x);
  if (!(json_object_is_type(x, json_type_double) || json_object_is_type(x, json_type_int)) ||
      !isfinite(wd) || wd < 0)
    return dp_fail("%s: bone \"%s\", vertex %lld: weight must be a finite number >= 0", path,
                   bone, (long long)vi);
  *body = local[vi];
  *w = (float)wd;
  return 0;
}

/* Two passes over the pairs: count per body vertex, then fill (CSR). */
static int read_weight_pairs(const dp_mh_model *m, const int32_t *local, const char *path,
                             json_object *weights, mh_raw_weights *raw) {
  int nb = m->n_body_vert;
  raw->start = dp_calloc((size_t)nb + 1, sizeof(int), "weight lists");
  if (!raw->start) return -1;
  for (int pass = 0; pass < 2; pass++) {
    json_object_object_foreach(weights, bone, list) {
      int b = name_index(m->bone_name, m->n_bone, bone);
      if (b < 0)
        return dp_fail("%s: weights for bone \"%s\", which the skeleton does not have", path, bone);
      if (!json_object_is_type(list, json_type_array))
        return dp_fail("%s: bone \"%s\": expected a list of [vertex, weight] pairs", path, bone);
      for (size_t i = 0; i < json_object_array_length(list); i++) {
        int v = -1;
        float w = 0;
        DP_TRY(weight_pair(m, local, path, bone, json_object_array_get_idx(list, i), i, &v, &w));
        if (v < 0) continue;
        if (pass == 0) {
          raw->start[v + 1]++;
        } else {
          int k = raw->start[v] + raw->fill[v]++;
          raw->bone[k] = b;
          raw->w[k] = w;
        }
      }
    }
    if (pass == 0) {
      for (int v = 0; v < nb; v++) raw->start[v + 1] += raw->start[v];
      size_t total = (size_t)raw->start[nb];
      raw->bone = dp_malloc(sizeof(int) * (total ? total : 1), "weight bones");
      raw->w = dp_malloc(sizeof(float) * (total ? total : 1), "weights");
      raw->fill = dp_calloc((size_t)nb, sizeof(int), "weight fill");
      if (!raw->bone || !raw->w || !raw->fill) return -1;
    }
  }
  return 0;
}

int mh_weights_load(dp_mh_model *m, const char *path) {
  json_object *o;
  DP_TRY(dp_json_read(path, MAX_RIG_BYTES, &o));
  mh_raw_weights raw = {0};
  int32_t *local = dp_malloc(sizeof(int32_t) * (size_t)m->n_vert, "vertex numbering");
  json_object *weights = dp_json_member(o, "weights", json_type_object);
  int rc = local ? 0 : -1;
  if (rc == 0 && !weights) rc = dp_fail("%s: expected an object \"weights\" (a MakeHuman .mhw)", path);
  if (rc == 0) {
    for (int i = 0; i < m->n_vert; i++) local[i] = -1;
    for (int i = 0; i < m->n_body_vert; i++) local[m->body_vert[i]] = i;
    rc = read_weight_pairs(m, local, path, weights, &raw);
  }
  if (rc == 0) rc = mh_weights_prepare(m, &raw);
  json_object_put(o);
  free(local);
  free(raw.start), free(raw.bone), free(raw.w), free(raw.fill);
  return rc;
}
