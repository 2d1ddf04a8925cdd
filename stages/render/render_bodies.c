/* render_bodies.c - see render_bodies.h. */
#include "render_bodies.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "depthpose/h5io.h"
#include "depthpose/log.h"
#include "depthpose/pose.h"
#include "depthpose/rng.h"

const char *const DP_BODY_MODEL_NAMES[] = {"parametric", "makehuman", "mixed", NULL};

/* ---- configuration --------------------------------------------------------------- */

/* One shapes: item - a built-in name, or {name, gender, muscle, weight, height, african,
 * asian, caucasian} with MakeHuman's defaults (0.5 and races 1/3 each) for sliders left
 * out. */
static int parse_shape(const dp_node *item, dp_mh_named_shape *out) {
  const char *name = dp_node_scalar(item);
  if (name) {
    if (dp_mh_shape_lookup(name, &out->shape) != 0) {
      char why[1024];
      snprintf(why, sizeof why, "%s", dp_error_message());
      dp_error_clear();
      return dp_node_fail(item, "%s", why);
    }
    out->name = name;
    return 0;
  }
  if (dp_node_type(item) != DP_NODE_MAP)
    return dp_node_fail(item, "expected a shape name or a mapping {name, gender, muscle, "
                              "weight, height, african, asian, caucasian}");
  DP_TRY(dp_cfg_string(item, "name", NULL, &out->name));
  if (!out->name) return dp_node_fail(item, "a shape needs a name");
  static const char *const KEYS[7] = {"gender", "muscle", "weight", "height",
                                      "african", "asian", "caucasian"};
  float *v = &out->shape.gender;
  for (int k = 0; k < 7; k++) {
    double x;
    DP_TRY(dp_cfg_double(item, KEYS[k], k < 4 ? 0.5 : 1.0 / 3.0, 0, 1, &x));
    v[k] = (float)x;
  }
  if (dp_mh_shape_check(&out->shape) != 0) {
    char why[1024];
    snprintf(why, sizeof why, "%s", dp_error_message());
    dp_error_clear();
    return dp_node_fail(item, "%s", why);
  }
  return 0;
}

static int parse_shapes(const dp_node *mh, body_opts *o) {
  const dp_node *list = dp_cfg_get(mh, "shapes");
  if (!list) { /* default: MakeHuman's 12 built-in shapes */
    o->n_mh_named = DP_MH_N_DEFAULT_SHAPES;
    o->mh_named = dp_malloc(sizeof *o->mh_named * DP_MH_N_DEFAULT_SHAPES, "shape table");
    if (!o->mh_named) return -1;
    memcpy(o->mh_named, dp_mh_default_shapes(), sizeof *o->mh_named * DP_MH_N_DEFAULT_SHAPES);
    return 0;
  }
  if (dp_node_type(list) != DP_NODE_SEQ)
    return dp_node_fail(list, "expected a list of shapes (names or slider mappings)");
  size_t n = dp_node_len(list);
  o->mh_named = dp_calloc(n ? n : 1, sizeof *o->mh_named, "shape table");
  if (!o->mh_named) return -1;
  for (size_t i = 0; i < n; i++) {
    DP_TRY(parse_shape(dp_node_at(list, i), &o->mh_named[i]));
    for (size_t k = 0; k < i; k++)
      if (!strcmp(o->mh_named[k].name, o->mh_named[i].name))
        return dp_node_fail(dp_node_at(list, i), "shape \"%s\" is listed twice", o->mh_named[i].name);
    o->n_mh_named = (int)i + 1;
  }
  return 0;
}

int body_opts_configure(const dp_node *sec, body_opts *o) {
  memset(o, 0, sizeof *o);
  DP_TRY(dp_cfg_enum(sec, "body_model", DP_BODY_MODEL_NAMES, BODY_PARAMETRIC, &o->model));
  DP_TRY(dp_cfg_double(sec, "makehuman_fraction", 0.5, 0, 1, &o->mh_fraction));
  DP_TRY(dp_cfg_int(sec, "body_shapes", 12, 1, 10000, &o->n_param));
  const dp_node *mh = NULL;
  DP_TRY(dp_cfg_section(sec, "makehuman", &mh));
  DP_TRY(dp_cfg_string(mh, "data", "data/makehuman", &o->mh_dir));
  DP_TRY(dp_cfg_int(mh, "sampled_shapes", 0, 0, 10000, &o->mh_sampled));
  DP_TRY(parse_shapes(mh, o));
  if (o->n_mh_named + o->mh_sampled == 0 && o->model != BODY_PARAMETRIC)
    return dp_node_fail(mh ? mh : sec, "no MakeHuman shapes: list some under shapes or set "
                                       "sampled_shapes");
  if (o->model == BODY_PARAMETRIC) return 0;
  DP_TRY(dp_mh_asset_paths(o->mh_dir, &o->assets, &o->n_assets));
  for (size_t i = 0; i < o->n_assets; i++)
    if (access(o->assets[i], R_OK) != 0) {
      const dp_node *at = dp_cfg_get(mh, "data");
      return dp_node_fail(at ? at : sec, "MakeHuman asset %s is missing or unreadable (expected "
                          "MakeHuman's base mesh, rig, weights and macro targets in %s)",
                          o->assets[i], o->mh_dir);
    }
  return 0;
}

void body_opts_free(body_opts *o) {
  for (size_t i = 0; i < o->n_assets; i++) free(o->assets[i]);
  free(o->assets);
  free(o->mh_named);
  memset(o, 0, sizeof *o);
}

/* ---- per rank ---------------------------------------------------------------------- */

static int uses_makehuman(const body_opts *o) { return o->model != BODY_PARAMETRIC; }

static int build_makehuman(body_set *b, uint64_t seed) {
  const body_opts *o = b->o;
  b->n_mh = o->n_mh_named + (int)o->mh_sampled;
  b->mh_bodies = dp_calloc((size_t)b->n_mh, sizeof *b->mh_bodies, "MakeHuman bodies");
  b->mh_shapes = dp_calloc((size_t)b->n_mh, sizeof *b->mh_shapes, "MakeHuman shapes");
  b->mh_names = dp_calloc((size_t)b->n_mh, sizeof *b->mh_names, "MakeHuman shape names");
  if (!b->mh_bodies || !b->mh_shapes || !b->mh_names) return -1;
  double t0 = dp_now();
  DP_TRY(dp_mh_model_load(&b->mh, o->mh_dir));
  for (int i = 0; i < b->n_mh; i++) {
    char name[64];
    if (i < o->n_mh_named) {
      b->mh_shapes[i] = o->mh_named[i].shape;
      snprintf(name, sizeof name, "%s", o->mh_named[i].name);
    } else {
      dp_mh_shape_sample(seed, (uint64_t)(i - o->n_mh_named), &b->mh_shapes[i]);
      snprintf(name, sizeof name, "sampled_%d", i - o->n_mh_named);
    }
    if (!(b->mh_names[i] = dp_strdup(name))) return -1;
    DP_TRY(dp_mh_body_build(&b->mh, &b->mh_shapes[i], &b->mh_bodies[i]));
  }
  dp_mh_model_drop_targets(&b->mh); /* every shape is built: the targets' 15 MB go */
  b->load_seconds = dp_now() - t0;
  return 0;
}

int body_set_init(body_set *b, const body_opts *o, uint64_t seed, char **names, int J) {
  memset(b, 0, sizeof *b);
  b->o = o;
  b->J = J;
  DP_TRY(dp_body_param_init(&b->param, (const char *const *)names, J));
  b->param_shapes = dp_malloc(sizeof *b->param_shapes * (size_t)o->n_param, "body shapes");
  if (!b->param_shapes) return -1;
  DP_TRY(dp_body_shape_table(seed, (int)o->n_param, b->param_shapes));
  if (!uses_makehuman(o)) return 0;
  /* A MakeHuman body has labels for the 15 canonical joints only. */
  for (int j = 0; j < J; j++)
    if (dp_joint_index(dp_joints15, DP_BODY_NJOINTS, names[j]) < 0)
      return dp_fail("render: body_model %s: joint \"%s\" of poses.h5 is not one of the 15 "
                     "canonical joints, and a MakeHuman body has labels for those only",
                     DP_BODY_MODEL_NAMES[o->model], names[j]);
  return build_makehuman(b, seed);
}

void body_set_free(body_set *b) {
  for (int i = 0; b->mh_bodies && i < b->n_mh; i++) dp_mh_body_free(&b->mh_bodies[i]);
  for (int i = 0; b->mh_names && i < b->n_mh; i++) free(b->mh_names[i]);
  free(b->mh_bodies), free(b->mh_shapes), free(b->mh_names), free(b->param_shapes);
  dp_mh_model_free(&b->mh);
  memset(b, 0, sizeof *b);
}

/* The caller's joint index of canonical joint c (dp_joints15 order = dp_body_joints
 * field order). */
static int canon_index(const dp_body_joints *ix, int c) { return ((const int *)ix)[c]; }

static int pose_makehuman(body_set *b, int shape, const float *joints, dp_mesh *mesh,
                          float *labels, body_drawn *out) {
  float in[3 * DP_BODY_NJOINTS];
  for (int c = 0; c < DP_BODY_NJOINTS; c++)
    memcpy(in + 3 * c, joints + 3 * canon_index(&b->param.ix, c), 3 * sizeof(float));
  dp_mh_posed posed;
  DP_TRY(dp_mh_pose(&b->mh, &b->mh_bodies[shape], in, mesh, &posed));
  for (int c = 0; c < DP_BODY_NJOINTS; c++) /* every joint is canonical (checked at init) */
    memcpy(labels + 3 * canon_index(&b->param.ix, c), posed.joints + 3 * c, 3 * sizeof(float));
  memcpy(out->centre, posed.centre, sizeof out->centre);
  out->floor_y = posed.floor_y;
  return 0;
}

int body_set_build(body_set *b, uint64_t seed, uint64_t frame, const float *joints,
                   dp_mesh *mesh, float *labels, body_drawn *out) {
  dp_rng rng;
  dp_rng_init(&rng, seed, DP_STREAM_RENDER, frame, DP_RENDER_SUB_USER);
  int model = b->o->model;
  if (model == BODY_MIXED)
    model = dp_rng_uniform(&rng) < b->o->mh_fraction ? BODY_MAKEHUMAN : BODY_PARAMETRIC;
  int n = model == BODY_MAKEHUMAN ? b->n_mh : (int)b->o->n_param;
  int shape = (int)dp_rng_below(&rng, (uint32_t)n);
  out->model = (uint8_t)model;
  out->shape = (int16_t)shape;
  if (model == BODY_MAKEHUMAN) return pose_makehuman(b, shape, joints, mesh, labels, out);
  const dp_body_shape *s = &b->param_shapes[shape];
  DP_TRY(dp_body_param_build(&b->param, joints, s, mesh));
  memcpy(labels, joints, sizeof(float) * 3 * (size_t)b->J); /* built around the pose */
  dp_body_param_centre(&b->param, joints, out->centre);
  out->floor_y = dp_body_param_floor_y(&b->param, joints, s);
  return 0;
}

/* ---- description in depth.h5 ------------------------------------------------------ */

int body_set_describe(hid_t f, const body_set *b, int rank) {
  const body_opts *o = b->o;
  DP_TRY(dp_h5_attr_string(f, "body_model", DP_BODY_MODEL_NAMES[o->model]));
  DP_TRY(dp_h5_attr_string(f, "body_model_codes", "0 parametric, 1 makehuman"));
  DP_TRY(dp_h5_attr_long(f, "body_shapes", o->n_param));
  /* The parametric shape table, so a frame's body can be rebuilt from /body alone. */
  const char *fields[6] = {"girth", "trunk_width", "trunk_depth", "limb_thickness", "belly_mm", "head_size"};
  DP_TRY(dp_h5_attr_strings(f, "body_shape_fields", fields, 6));
  if (!uses_makehuman(o)) return 0;
  DP_TRY(dp_h5_attr_double(f, "makehuman_fraction", o->model == BODY_MIXED ? o->mh_fraction : 1.0));
  /* /makehuman_shapes [n, 7]: the sliders of each MakeHuman shape /body indexes, with
   * their names as an attribute; MakeHuman's own rule turns them back into a body. */
  hsize_t dims[2] = {(hsize_t)b->n_mh, 7};
  hid_t d = dp_h5_create_dataset(f, "makehuman_shapes", H5T_NATIVE_FLOAT, 2, dims,
                                 "MakeHuman slider values in [0, 1]");
  if (d < 0) return -1;
  int rc = dp_h5_write_slab(d, H5T_NATIVE_FLOAT, 0, rank == 0 ? (hsize_t)b->n_mh : 0,
                            b->mh_shapes);
  const char *cols[7] = {"gender", "muscle", "weight", "height", "african", "asian", "caucasian"};
  if (rc == 0) rc = dp_h5_attr_strings(d, "columns", cols, 7);
  if (rc == 0) rc = dp_h5_attr_strings(d, "names", (const char *const *)b->mh_names, (size_t)b->n_mh);
  H5Dclose(d);
  return rc;
}
