/* render_bodies.h - which body a render frame shows: the parametric body, a skinned
 * MakeHuman body, or a per-frame mix of both (render.body_model), and the shapes of each.
 *
 * Labels are always the joints of the body that was drawn: the parametric body is built
 * around the requested joints (labels = the pose); a MakeHuman body keeps its own bone
 * lengths and is posed along the requested directions (labels = its posed joints, see
 * makehuman.h). Every choice for frame f - model and shape - comes from the render
 * stream keyed by f, so any rank draws the same body for the same frame. */
#ifndef DEPTHPOSE_RENDER_BODIES_H
#define DEPTHPOSE_RENDER_BODIES_H
#include <hdf5.h>
#include <stdint.h>

#include "depthpose/config.h"
#include "depthpose/makehuman.h"
#include "depthpose/render.h"

enum { BODY_PARAMETRIC = 0, BODY_MAKEHUMAN = 1, BODY_MIXED = 2 };
extern const char *const DP_BODY_MODEL_NAMES[]; /* "parametric", "makehuman", "mixed" */

typedef struct {
  int model;          /* BODY_* */
  double mh_fraction; /* mixed: chance that a frame's body is a MakeHuman one */
  long n_param;       /* parametric shapes (body_shapes) */
  const char *mh_dir; /* MakeHuman assets (data/makehuman) */
  dp_mh_named_shape *mh_named; /* configured shapes (names point into the config) */
  int n_mh_named;
  long mh_sampled;    /* extra shapes drawn from the seeded adult distribution */
  char **assets;      /* the asset files, for the driver's input hash (resume) */
  size_t n_assets;
} body_opts;

/* Parse body_model, makehuman_fraction, body_shapes and the makehuman: section of the
 * render section (checks that the assets exist when they will be used). */
int body_opts_configure(const dp_node *render_section, body_opts *o);
void body_opts_free(body_opts *o);

typedef struct {
  const body_opts *o;
  int J;                       /* joints of the pose files */
  dp_body_param_model param;   /* also: the canonical joints' indices in the pose files */
  dp_body_shape *param_shapes; /* [o->n_param] */
  dp_mh_model mh;              /* loaded when MakeHuman bodies are drawn */
  dp_mh_body *mh_bodies;       /* [n_mh] built shapes */
  dp_mh_shape *mh_shapes;
  char **mh_names;             /* [n_mh]: configured names, then "sampled_<k>" */
  int n_mh;
  double load_seconds;
} body_set;

/* Per rank: shape tables, and the MakeHuman assets loaded and shapes built once. */
int body_set_init(body_set *b, const body_opts *o, uint64_t seed, char **names, int J);
void body_set_free(body_set *b);

/* What frame f shows: its body appended to mesh, the drawn body's joints (the labels,
 * in the pose files' order) in labels[J*3], its centre (camera look-at) and the floor
 * height; *model = BODY_PARAMETRIC or BODY_MAKEHUMAN, *shape = index in that model's
 * table. */
typedef struct {
  float centre[3], floor_y;
  uint8_t model;
  int16_t shape;
} body_drawn;
int body_set_build(body_set *b, uint64_t seed, uint64_t frame, const float *joints,
                   dp_mesh *mesh, float *labels, body_drawn *out);

/* Attributes and small datasets that let a reader rebuild any frame's body from
 * /body_model and /body (collective: every rank calls it). */
int body_set_describe(hid_t file, const body_set *b, int rank);

#endif
