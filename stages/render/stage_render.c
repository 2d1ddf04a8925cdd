/* stage_render.c - poses.h5 + synth.h5 -> depth.h5: depth frames of bodies (parametric,
 * MakeHuman or a mix: render_bodies.h) in the synthetic poses (and the real train/test
 * poses) from random cameras, with sensor noise and backgrounds, plus every label
 * training and evaluation need - the joints of the body that was drawn.
 *
 * Frame f is a pure function of (seed, f): its pose, view, body shape, camera,
 * background and noise all come from the counter-based RNG keyed by f. Frames are
 * ordered synthetic poses first, then real train, val and test poses, each pose's
 * views consecutive. Ranks render contiguous frame ranges in batches and write them
 * collectively (every rank makes the same number of writes), so depth.h5 is the same
 * bytes for any number of ranks and never has to fit in memory.
 *
 * Shards (stage.h): a part renders only its contiguous frame range into its own
 * depth.h5 (attributes shard_first / frames_total say which); the merging run goes
 * through the same batches, reading the frames from the parts instead of rendering
 * them, so the merged file is the single job's, byte for byte. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/h5io.h"
#include "depthpose/posefile.h"
#include "depthpose/preview.h"
#include "depthpose/render.h"
#include "depthpose/rng.h"
#include "depthpose/stage.h"
#include "render_bodies.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static const char *const PRESETS[] = {"tof", "clean", NULL};

typedef struct {
  long synth_count, synth_views, real_train_views, real_test_views, max_real;
  long width, height, batch;
  double hfov_deg, vfov_deg;
  int preset, part_labels;
  long compression;
  dp_camera_ranges cam;
  dp_background_config bg;
  dp_sensor_config sensor;
  body_opts bodies;
} render_opts;

static int cfg_float(const dp_node *m, const char *key, float def, double lo, double hi, float *out) {
  double v;
  DP_TRY(dp_cfg_double(m, key, def, lo, hi, &v));
  *out = (float)v;
  return 0;
}

/* Angles are degrees in the config (easier to read), radians inside. */
static int cfg_deg(const dp_node *m, const char *key, float def_rad, double lo, double hi, float *out) {
  DP_TRY(cfg_float(m, key, def_rad * 180.0f / (float)M_PI, lo, hi, out));
  *out *= (float)M_PI / 180.0f;
  return 0;
}

static int configure(const dp_node *sec, void **out) {
  render_opts *o = dp_calloc(1, sizeof *o, "render options");
  if (!o) return -1;
  *out = o;
  DP_TRY(dp_cfg_int(sec, "synth_count", 0, 0, 1L << 40, &o->synth_count));
  DP_TRY(dp_cfg_int(sec, "views_per_pose", 1, 0, 1000, &o->synth_views));
  DP_TRY(dp_cfg_int(sec, "real_train_views", 0, 0, 1000, &o->real_train_views));
  DP_TRY(dp_cfg_int(sec, "real_test_views", 1, 0, 1000, &o->real_test_views));
  DP_TRY(dp_cfg_int(sec, "max_real_poses", 0, 0, 1L << 40, &o->max_real));
  DP_TRY(dp_cfg_int(sec, "width", 176, 8, 8192, &o->width));
  DP_TRY(dp_cfg_int(sec, "height", 144, 8, 8192, &o->height));
  DP_TRY(dp_cfg_double(sec, "hfov_deg", 44.0, 1, 170, &o->hfov_deg));
  DP_TRY(dp_cfg_double(sec, "vfov_deg", 35.0, 1, 170, &o->vfov_deg));
  DP_TRY(body_opts_configure(sec, &o->bodies));
  DP_TRY(dp_cfg_int(sec, "batch", 256, 1, 1L << 20, &o->batch));
  DP_TRY(dp_cfg_enum(sec, "preset", PRESETS, 0, &o->preset));
  DP_TRY(dp_cfg_bool(sec, "part_labels", 0, &o->part_labels));
  DP_TRY(dp_cfg_int(sec, "compression", 0, 0, 9, &o->compression));

  const dp_node *cam = NULL, *bg = NULL, *sn = NULL;
  DP_TRY(dp_cfg_section(sec, "camera", &cam));
  dp_camera_ranges_default(&o->cam);
  DP_TRY(cfg_deg(cam, "elevation_min_deg", o->cam.elevation_min, -89, 89, &o->cam.elevation_min));
  DP_TRY(cfg_deg(cam, "elevation_max_deg", o->cam.elevation_max, -89, 89, &o->cam.elevation_max));
  /* A camera closer than 1.5 m to the body centre can sit inside the body (arms and
   * legs reach ~1 m from it): rejected here rather than rendered as garbage. */
  DP_TRY(cfg_float(cam, "distance_min_mm", o->cam.distance_min, 1500, 1e6, &o->cam.distance_min));
  DP_TRY(cfg_float(cam, "distance_max_mm", o->cam.distance_max, 100, 1e6, &o->cam.distance_max));
  DP_TRY(cfg_deg(cam, "roll_max_deg", o->cam.roll_max, 0, 180, &o->cam.roll_max));
  DP_TRY(cfg_float(cam, "jitter_mm", o->cam.jitter_mm, 0, 1e5, &o->cam.jitter_mm));
  DP_TRY(dp_camera_ranges_check(&o->cam));

  /* The clean preset turns every sensor effect and the background off; keys given
   * explicitly still override it. */
  DP_TRY(dp_cfg_section(sec, "background", &bg));
  if (o->preset == 1) dp_background_none(&o->bg);
  else dp_background_default(&o->bg);
  DP_TRY(cfg_float(bg, "p_floor", o->bg.p_floor, 0, 1, &o->bg.p_floor));
  DP_TRY(cfg_float(bg, "p_wall", o->bg.p_wall, 0, 1, &o->bg.p_wall));
  DP_TRY(cfg_float(bg, "p_corner", o->bg.p_corner, 0, 1, &o->bg.p_corner));
  DP_TRY(cfg_float(bg, "p_clutter", o->bg.p_clutter, 0, 1, &o->bg.p_clutter));
  DP_TRY(dp_background_check(&o->bg));

  DP_TRY(dp_cfg_section(sec, "sensor", &sn));
  if (o->preset == 1) dp_sensor_clean(&o->sensor);
  else dp_sensor_tof_default(&o->sensor);
  DP_TRY(cfg_float(sn, "noise_a_mm", o->sensor.noise_a_mm, 0, 1e4, &o->sensor.noise_a_mm));
  DP_TRY(cfg_float(sn, "noise_b_mm_per_m2", o->sensor.noise_b_mm_per_m2, 0, 1e4, &o->sensor.noise_b_mm_per_m2));
  DP_TRY(cfg_float(sn, "flying_prob", o->sensor.flying_prob, 0, 1, &o->sensor.flying_prob));
  DP_TRY(cfg_float(sn, "dropout_prob", o->sensor.dropout_prob, 0, 1, &o->sensor.dropout_prob));
  DP_TRY(cfg_float(sn, "max_range_mm", o->sensor.max_range_mm, 0, 65535, &o->sensor.max_range_mm));
  return dp_sensor_check(&o->sensor);
}

/* ---- the frame list ------------------------------------------------------------ */

typedef struct {
  const float *poses; /* [n][J][3] */
  size_t n;
  long views;
  unsigned char origin, split;
  const int *index;   /* row in its file */
} pose_group;

/* Which pose and view frame f shows. */
static void frame_source(const pose_group *g, int ng, size_t f, int *group, size_t *pose) {
  for (int k = 0; k < ng; k++) {
    size_t nf = g[k].n * (size_t)g[k].views;
    if (f < nf) {
      *group = k;
      *pose = f / (size_t)g[k].views;
      return;
    }
    f -= nf;
  }
  *group = -1;
}

typedef struct {
  size_t n;
  uint16_t *depth;
  unsigned char *parts; /* body-part label per pixel (0 = not body), if asked */
  float *joints, *joints2d, *bbox, *camera;
  int16_t *body;
  unsigned char *body_model, *origin, *split;
  int *pose_index;
} frame_batch;

static int batch_alloc(frame_batch *b, size_t cap, int J, int W, int H, int parts) {
  memset(b, 0, sizeof *b);
  if (parts && !(b->parts = dp_malloc(cap * (size_t)W * (size_t)H, "part-label batch"))) return -1;
  b->depth = dp_malloc(cap * (size_t)W * (size_t)H * sizeof *b->depth, "depth batch");
  b->joints = dp_malloc(cap * (size_t)J * 3 * sizeof(float), "joint batch");
  b->joints2d = dp_malloc(cap * (size_t)J * 2 * sizeof(float), "joint batch");
  b->bbox = dp_malloc(cap * 4 * sizeof(float), "box batch");
  b->camera = dp_malloc(cap * 12 * sizeof(float), "camera batch");
  b->body = dp_malloc(cap * sizeof(int16_t), "body batch");
  b->body_model = dp_malloc(cap, "body-model batch");
  b->origin = dp_malloc(cap, "origin batch");
  b->split = dp_malloc(cap, "split batch");
  b->pose_index = dp_malloc(cap * sizeof(int), "pose batch");
  return b->depth && b->joints && b->joints2d && b->bbox && b->camera && b->body &&
                 b->body_model && b->origin && b->split && b->pose_index ? 0 : -1;
}

static void batch_free(frame_batch *b) {
  free(b->parts), free(b->depth), free(b->joints), free(b->joints2d), free(b->bbox), free(b->camera);
  free(b->body), free(b->body_model), free(b->origin), free(b->split), free(b->pose_index);
}

/* ---- rendering ------------------------------------------------------------------ */

typedef struct {
  const render_opts *o;
  dp_intrinsics k;
  body_set bodies;
  float *labels; /* [J*3] the drawn body's joints, world mm */
  dp_mesh mesh;
  dp_zbuffer zb;
  int J;
  uint64_t seed;
  long body_pixels, empty_frames;
} renderer;

static int render_frame(renderer *r, const pose_group *g, int ng, size_t f, frame_batch *b,
                        size_t slot) {
  int gi = -1;
  size_t p = 0;
  frame_source(g, ng, f, &gi, &p);
  if (gi < 0) return dp_fail("internal: frame %zu outside the frame list", f);
  const float *joints = g[gi].poses + p * (size_t)r->J * 3;
  body_drawn body;
  dp_mesh_clear(&r->mesh);
  if (body_set_build(&r->bodies, r->seed, f, joints, &r->mesh, r->labels, &body) != 0) {
    char why[1024]; /* say which pose of which file, then what is wrong with it */
    snprintf(why, sizeof why, "%s", dp_error_message());
    dp_error_clear();
    return dp_fail("frame %zu: %s pose %d: %s", f, g[gi].origin ? "poses.h5" : "synth.h5",
                   g[gi].index ? g[gi].index[p] : (int)p, why);
  }
  dp_camera cam;
  DP_TRY(dp_camera_sample(&cam, &r->o->cam, body.centre, r->seed, f));
  DP_TRY(dp_background_build(&r->o->bg, body.centre, body.floor_y, &cam, r->seed, f, &r->mesh));
  dp_zbuffer_clear(&r->zb);
  DP_TRY(dp_raster_mesh(&r->zb, &r->k, cam.m, &r->mesh));
  long px = dp_bbox_body_pixels(r->zb.id, r->zb.width, r->zb.height, b->bbox + slot * 4);
  r->body_pixels += px;
  r->empty_frames += px == 0;
  const size_t npx = (size_t)r->zb.width * (size_t)r->zb.height;
  DP_TRY(dp_sensor_apply(&r->o->sensor, r->zb.depth, r->zb.id, r->zb.width, r->zb.height,
                         r->seed, f, b->depth + slot * npx));
  if (b->parts) /* after the sensor: a pixel with no return has no label either */
    for (size_t i = 0; i < npx; i++)
      b->parts[slot * npx + i] = dp_id_is_body(r->zb.id[i]) ? (unsigned char)r->zb.id[i] : 0;
  dp_project_points(&r->k, cam.m, r->labels, r->J, b->joints + slot * (size_t)r->J * 3,
                    b->joints2d + slot * (size_t)r->J * 2);
  memcpy(b->camera + slot * 12, cam.m, sizeof cam.m);
  b->body[slot] = body.shape;
  b->body_model[slot] = body.model;
  b->origin[slot] = g[gi].origin;
  b->split[slot] = g[gi].split;
  b->pose_index[slot] = g[gi].index ? g[gi].index[p] : (int)p;
  return 0;
}

/* ---- output --------------------------------------------------------------------- */

enum { D_DEPTH, D_JOINTS, D_JOINTS2D, D_BBOX, D_CAMERA, D_BODY, D_BODY_MODEL, D_ORIGIN, D_SPLIT,
       D_POSE, N_DSETS };

typedef struct {
  hid_t d[N_DSETS];
  hid_t parts; /* -1 unless part_labels */
} depth_file;

static int create_datasets(hid_t f, depth_file *df, size_t F, int J, int W, int H, int parts,
                           int deflate) {
  hsize_t depth[3] = {F, (hsize_t)H, (hsize_t)W}, j3[3] = {F, (hsize_t)J, 3},
          j2[3] = {F, (hsize_t)J, 2}, box[2] = {F, 4}, cam[2] = {F, 12}, one[1] = {F};
  struct {
    const char *name;
    hid_t type;
    int rank;
    const hsize_t *dims;
    const char *units;
  } spec[N_DSETS] = {
      {"depth", H5T_NATIVE_UINT16, 3, depth, "mm (0 = no return)"},
      {"joints", H5T_NATIVE_FLOAT, 3, j3, "mm, camera frame (x right, y down, z forward)"},
      {"joints2d", H5T_NATIVE_FLOAT, 3, j2, "px (pixel i covers [i, i+1))"},
      {"bbox", H5T_NATIVE_FLOAT, 2, box, "px: u0, v0, u1, v1 of the body's visible pixels"},
      {"camera", H5T_NATIVE_FLOAT, 2, cam, "3x4 world->camera, mm"},
      {"body", H5T_NATIVE_INT16, 1, one, NULL},
      {"body_model", H5T_NATIVE_UCHAR, 1, one, NULL},
      {"origin", H5T_NATIVE_UCHAR, 1, one, NULL},
      {"split", H5T_NATIVE_UCHAR, 1, one, NULL},
      {"pose_index", H5T_NATIVE_INT, 1, one, NULL},
  };
  for (int i = 0; i < N_DSETS; i++) df->d[i] = -1;
  df->parts = -1;
  if (parts && (df->parts = dp_h5_create_dataset_z(f, "parts", H5T_NATIVE_UCHAR, 3, depth, deflate,
                                                   "body part id (render.h dp_body_part), 0 = none")) < 0)
    return -1;
  for (int i = 0; i < N_DSETS; i++) {
    /* only the images are worth compressing; the labels are small */
    df->d[i] = dp_h5_create_dataset_z(f, spec[i].name, spec[i].type, spec[i].rank, spec[i].dims,
                                      i == D_DEPTH ? deflate : 0, spec[i].units);
    if (df->d[i] < 0) return -1;
  }
  return 0;
}

/* The batch's arrays in dataset order (parts last, NULL unless part_labels), their
 * types and the bytes of one frame in each: what writing and merging walk over. */
#define N_FIELDS (N_DSETS + 1)
static const char *const FIELD_NAMES[N_FIELDS] = {
    "depth", "joints", "joints2d", "bbox", "camera", "body", "body_model", "origin", "split",
    "pose_index", "parts"};
static void batch_fields(const frame_batch *b, int J, int W, int H, void *bufs[N_FIELDS],
                         hid_t types[N_FIELDS], size_t row_bytes[N_FIELDS]) {
  void *const p[N_FIELDS] = {b->depth, b->joints,     b->joints2d, b->bbox,       b->camera, b->body,
                             b->body_model, b->origin, b->split, b->pose_index, b->parts};
  const hid_t t[N_FIELDS] = {H5T_NATIVE_UINT16, H5T_NATIVE_FLOAT, H5T_NATIVE_FLOAT,
                             H5T_NATIVE_FLOAT,  H5T_NATIVE_FLOAT, H5T_NATIVE_INT16,
                             H5T_NATIVE_UCHAR,  H5T_NATIVE_UCHAR, H5T_NATIVE_UCHAR,
                             H5T_NATIVE_INT,    H5T_NATIVE_UCHAR};
  const size_t px = (size_t)W * (size_t)H, j = (size_t)J;
  const size_t rb[N_FIELDS] = {px * 2, j * 12, j * 8, 16, 48, 2, 1, 1, 1, sizeof(int), px};
  for (int i = 0; i < N_FIELDS; i++) bufs[i] = p[i], types[i] = t[i], row_bytes[i] = rb[i];
}

static int write_batch(depth_file *df, const frame_batch *b, int J, int W, int H, size_t start) {
  void *bufs[N_FIELDS];
  hid_t types[N_FIELDS];
  size_t rb[N_FIELDS];
  batch_fields(b, J, W, H, bufs, types, rb);
  for (int i = 0; i < N_DSETS; i++) DP_TRY(dp_h5_write_slab(df->d[i], types[i], start, b->n, bufs[i]));
  if (df->parts >= 0) DP_TRY(dp_h5_write_slab(df->parts, types[N_DSETS], start, b->n, b->parts));
  return 0;
}

/* ---- merging shards ------------------------------------------------------------- */

/* The parts' depth.h5 files, open on every rank (serially: each rank reads what its
 * own frames need), and the frame range each holds. */
typedef struct {
  int n;
  hid_t *f;
  size_t *first, *count;
} shard_set;

static void shard_set_close(shard_set *m) {
  for (int k = 0; k < m->n && m->f; k++) dp_h5_close(m->f[k]);
  free(m->f), free(m->first), free(m->count);
  memset(m, 0, sizeof *m);
}

/* Open and check every part: made for this frame list (F frames of W x H, J joints, the
 * same part-label setting), holding exactly the range a part of that number renders. */
static int shard_set_open(dp_ctx *ctx, size_t F, int J, int W, int H, int parts, shard_set *m) {
  const int n = ctx->n_shards;
  m->f = dp_malloc(sizeof *m->f * (size_t)n, "shard files");
  m->first = dp_malloc(sizeof *m->first * (size_t)n, "shard ranges");
  m->count = dp_malloc(sizeof *m->count * (size_t)n, "shard ranges");
  if (!m->f || !m->first || !m->count) return -1;
  for (int k = 0; k < n; k++) {
    char path[4200];
    snprintf(path, sizeof path, "%s/depth.h5", ctx->merge_dirs[k]);
    if ((m->f[k] = dp_h5_open_serial(path)) < 0) return -1;
    m->n = k + 1;
    dp_split_range(F, n, k, &m->first[k], &m->count[k]);
    long first = -1, total = -1;
    hsize_t want[3] = {m->count[k], (hsize_t)H, (hsize_t)W}, jd[3] = {m->count[k], (hsize_t)J, 3};
    DP_TRY(dp_h5_read_attr_long(m->f[k], "shard_first", &first));
    DP_TRY(dp_h5_read_attr_long(m->f[k], "frames_total", &total));
    if ((size_t)first != m->first[k] || (size_t)total != F)
      return dp_fail("%s: part %d of %d holds frames from %ld of %ld, expected from %zu of %zu "
                     "(made for another frame list?)", path, k, n, first, total, m->first[k], F);
    DP_TRY(dp_h5_expect(m->f[k], "depth", 3, want, NULL));
    DP_TRY(dp_h5_expect(m->f[k], "joints", 3, jd, NULL));
    if (parts) DP_TRY(dp_h5_expect(m->f[k], "parts", 3, want, NULL));
  }
  return 0;
}

/* Frames [a, a + b->n) from the parts into the batch. */
static int shard_set_read(const shard_set *m, size_t a, frame_batch *b, int J, int W, int H) {
  void *bufs[N_FIELDS];
  hid_t types[N_FIELDS];
  size_t rb[N_FIELDS];
  batch_fields(b, J, W, H, bufs, types, rb);
  for (int k = 0; k < m->n; k++) {
    size_t lo = a > m->first[k] ? a : m->first[k];
    size_t hi = a + b->n < m->first[k] + m->count[k] ? a + b->n : m->first[k] + m->count[k];
    for (int i = 0; lo < hi && i < N_FIELDS; i++)
      if (bufs[i])
        DP_TRY(dp_h5_read_rows(m->f[k], FIELD_NAMES[i], types[i], lo - m->first[k], hi - lo,
                               (char *)bufs[i] + (lo - a) * rb[i]));
  }
  return 0;
}

static int write_attrs(hid_t f, const renderer *r, char **names, long counts[3],
                       const dp_ctx *ctx, size_t shard_first, size_t F) {
  const dp_intrinsics *k = &r->k;
  int rc = dp_h5_attr_strings(f, "joint_names", (const char *const *)names, (size_t)r->J);
  if (rc == 0) rc = dp_h5_attr_double(f, "fx", k->fx);
  if (rc == 0) rc = dp_h5_attr_double(f, "fy", k->fy);
  if (rc == 0) rc = dp_h5_attr_double(f, "cx", k->cx);
  if (rc == 0) rc = dp_h5_attr_double(f, "cy", k->cy);
  if (rc == 0) rc = dp_h5_attr_long(f, "width", k->width);
  if (rc == 0) rc = dp_h5_attr_long(f, "height", k->height);
  if (rc == 0) rc = dp_h5_attr_long(f, "seed", (long)r->seed);
  if (rc == 0) rc = dp_h5_attr_string(f, "units", "mm");
  if (rc == 0) rc = dp_h5_attr_string(f, "origin_codes", "0 synthetic pose, 1 real pose");
  if (rc == 0) rc = dp_h5_attr_string(f, "split_codes", "0 train, 1 val, 2 test");
  if (rc == 0) rc = dp_h5_attr_string(f, "preset", PRESETS[r->o->preset]);
  if (rc == 0) rc = body_set_describe(f, &r->bodies, ctx->rank);
  if (rc == 0) rc = dp_h5_attr_long(f, "frames_synthetic", counts[0]);
  if (rc == 0) rc = dp_h5_attr_long(f, "frames_real_train", counts[1]);
  if (rc == 0) rc = dp_h5_attr_long(f, "frames_real_test", counts[2]);
  if (rc == 0 && ctx->n_shards > 1 && !ctx->merge_dirs) { /* a part: which frames it holds */
    rc = dp_h5_attr_long(f, "shard_first", (long)shard_first);
    if (rc == 0) rc = dp_h5_attr_long(f, "frames_total", (long)F);
  }
  return rc;
}

/* The synthetic poses and the tree they were drawn along (for the preview's skeleton). */
static int read_synth(dp_ctx *ctx, const dp_pose_set *real, float **out, size_t *n, int *parent) {
  const char *path = dp_ctx_input(ctx, "synth.h5");
  hid_t f = dp_h5_open(path, ctx->comm);
  if (f < 0) return -1;
  hsize_t want[3] = {0, (hsize_t)real->n_joints, 3}, got[3];
  int rc = dp_h5_expect(f, "poses", 3, want, got);
  *out = rc == 0 ? dp_malloc((size_t)got[0] * got[1] * 3 * sizeof **out + 1, "synthetic poses") : NULL;
  if (rc == 0 && !*out) rc = -1;
  if (rc == 0) rc = dp_h5_read_rows(f, "poses", H5T_NATIVE_FLOAT, 0, got[0], *out);
  hsize_t jd[1] = {(hsize_t)real->n_joints};
  if (rc == 0) rc = dp_h5_expect(f, "parent", 1, jd, NULL);
  if (rc == 0) rc = dp_h5_read_rows(f, "parent", H5T_NATIVE_INT, 0, jd[0], parent);
  *n = rc == 0 ? (size_t)got[0] : 0;
  dp_h5_close(f);
  return rc;
}

static int run(dp_ctx *ctx) {
  const render_opts *o = ctx->opts;
  dp_pose_set train = {0}, val = {0}, test = {0};
  float *synth = NULL;
  size_t n_synth = 0;
  int rc = dp_pose_set_read(dp_ctx_input(ctx, "poses.h5"), ctx->comm, 0, &train);
  if (rc == 0) rc = dp_pose_set_read(dp_ctx_input(ctx, "poses.h5"), ctx->comm, 1, &val);
  if (rc == 0) rc = dp_pose_set_read(dp_ctx_input(ctx, "poses.h5"), ctx->comm, 2, &test);
  int parent[DP_MAX_JOINTS];
  if (rc == 0) rc = read_synth(ctx, &train, &synth, &n_synth, parent);
  renderer r = {.o = o, .J = train.n_joints, .seed = ctx->seed};
  dp_intrinsics_fov(&r.k, (int)o->width, (int)o->height, o->hfov_deg * M_PI / 180, o->vfov_deg * M_PI / 180);
  if (rc == 0) rc = dp_intrinsics_check(&r.k);
  if (rc == 0) rc = body_set_init(&r.bodies, &o->bodies, ctx->seed, train.joint_names, train.n_joints);
  r.labels = dp_malloc(sizeof *r.labels * 3 * (size_t)(r.J > 0 ? r.J : 1), "label buffer");
  if (rc == 0 && !r.labels) rc = -1;
  dp_mesh_init(&r.mesh);
  if (rc == 0) rc = dp_zbuffer_init(&r.zb, (int)o->width, (int)o->height, 1);
  DP_TRY(dp_ctx_sync(ctx, rc));

  if (o->synth_count > 0 && (size_t)o->synth_count < n_synth) n_synth = (size_t)o->synth_count;
  size_t cap_real = o->max_real > 0 ? (size_t)o->max_real : SIZE_MAX;
  pose_group g[4] = {
      {synth, n_synth, o->synth_views, 0, 0, NULL},
      {train.poses, train.n < cap_real ? train.n : cap_real, o->real_train_views, 1, 0, train.index},
      {val.poses, val.n < cap_real ? val.n : cap_real, o->real_test_views, 1, 1, val.index},
      {test.poses, test.n < cap_real ? test.n : cap_real, o->real_test_views, 1, 2, test.index},
  };
  size_t F = 0;
  for (int k = 0; k < 4; k++) F += g[k].n * (size_t)g[k].views;
  long counts[3] = {(long)(g[0].n * (size_t)g[0].views), (long)(g[1].n * (size_t)g[1].views),
                    (long)((g[2].n + g[3].n) * (size_t)o->real_test_views)};
  if (F == 0) rc = dp_fail("render: no frames to render (all counts and views are 0)");
  /* This run's frames: all F, or a shard's part [s0, s0 + sn); this rank's share of it. */
  size_t first, count, s0, sn;
  dp_ctx_shard_range(ctx, F, &s0, &sn);
  dp_ctx_part(ctx, F, &first, &count);
  const int W = (int)o->width, H = (int)o->height;
  frame_batch b = {0};
  if (rc == 0) rc = batch_alloc(&b, (size_t)o->batch, r.J, W, H, o->part_labels);
  shard_set merge = {0};
  if (rc == 0 && ctx->merge_dirs) rc = shard_set_open(ctx, F, r.J, W, H, o->part_labels, &merge);
  hid_t f = -1;
  depth_file df = {.parts = -1};
  if (dp_ctx_sync(ctx, rc) == 0) {
    f = dp_h5_create(dp_ctx_output(ctx, "depth.h5"), ctx->comm);
    rc = f < 0 ? -1 : create_datasets(f, &df, sn, r.J, W, H, o->part_labels, (int)o->compression);
    rc = dp_ctx_sync(ctx, rc);
  } else {
    rc = -1;
  }
  /* Every rank makes as many (collective) writes as the rank with the most batches. */
  size_t most = (sn + (size_t)ctx->size - 1) / (size_t)ctx->size;
  size_t rounds = (most + (size_t)o->batch - 1) / (size_t)o->batch;
  double t0 = dp_now();
  dp_progress prog;
  dp_progress_begin(&prog, "render frames (rank 0)", count);
  for (size_t round = 0; rc == 0 && round < rounds; round++) {
    size_t s = round * (size_t)o->batch, e = s + (size_t)o->batch;
    if (s > count) s = count;
    if (e > count) e = count;
    b.n = e - s;
    int lrc = 0;
    if (merge.n > 0 && b.n > 0) lrc = shard_set_read(&merge, first + s, &b, r.J, W, H);
    for (size_t i = s; merge.n == 0 && lrc == 0 && i < e; i++)
      lrc = render_frame(&r, g, 4, first + i, &b, i - s);
    rc = dp_ctx_sync(ctx, lrc);
    if (rc == 0) rc = dp_ctx_sync(ctx, write_batch(&df, &b, r.J, W, H, first + s - s0));
    if (rc == 0 && round == 0) { /* a contact sheet of rank 0's first frames */
      int np = ctx->rank == 0 ? (int)(b.n < 16 ? b.n : 16) : 0;
      lrc = np ? dp_preview_png(dp_ctx_output(ctx, "depth_preview.png"), np, W, H, b.depth,
                                b.joints2d, r.J, parent, 4) : 0;
      rc = dp_ctx_sync(ctx, lrc);
    }
    dp_progress_update(&prog, e);
  }
  dp_progress_end(&prog);
  double t = dp_now() - t0;
  if (rc == 0) {
    MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, ctx->comm);
    long stats[2] = {r.body_pixels, r.empty_frames};
    MPI_Allreduce(MPI_IN_PLACE, stats, 2, MPI_LONG, MPI_SUM, ctx->comm);
    rc = write_attrs(f, &r, train.joint_names, counts, ctx, s0, F);
    char what[64] = "";
    if (ctx->n_shards > 1)
      snprintf(what, sizeof what, merge.n ? " merged from %d shards" : " (shard %d of %d)",
               merge.n ? merge.n : ctx->shard, ctx->n_shards);
    if (merge.n > 0)
      dp_ctx_summary(ctx, "%zu frames %ldx%ld (%ld synthetic, %ld real train, %ld real val/test), "
                     "%ld body shapes, %s sensor,%s: %.2f s", F, o->width, o->height, counts[0],
                     counts[1], counts[2], o->bodies.n_param, PRESETS[o->preset], what, t);
    else
      dp_ctx_summary(ctx, "%zu frames %ldx%ld%s (%ld synthetic, %ld real train, %ld real val/test), "
                     "%ld body shapes, %s sensor: %.2f s (%.0f frames/s), %.0f body pixels per "
                     "frame, %ld frames with no body visible", sn, o->width, o->height, what,
                     counts[0], counts[1], counts[2], o->bodies.n_param, PRESETS[o->preset], t,
                     t > 0 ? (double)sn / t : 0.0, sn ? (double)stats[0] / (double)sn : 0.0,
                     stats[1]);
  }
  if (f >= 0) {
    for (int i = 0; i < N_DSETS; i++)
      if (df.d[i] >= 0) H5Dclose(df.d[i]);
    if (df.parts >= 0) H5Dclose(df.parts);
    if (dp_h5_close(f) != 0) rc = -1;
  }
  shard_set_close(&merge);
  batch_free(&b);
  dp_mesh_free(&r.mesh);
  dp_zbuffer_free(&r.zb);
  body_set_free(&r.bodies);
  free(r.labels);
  free(synth);
  dp_pose_set_free(&train), dp_pose_set_free(&val), dp_pose_set_free(&test);
  return rc;
}

static int external_inputs(const void *p, const char ***paths, size_t *n) {
  const render_opts *o = p; /* the MakeHuman assets, when MakeHuman bodies are drawn */
  *n = o->bodies.n_assets;
  *paths = dp_malloc((*n ? *n : 1) * sizeof **paths, "input list");
  if (!*paths) return -1;
  for (size_t i = 0; i < *n; i++) (*paths)[i] = o->bodies.assets[i];
  return 0;
}

static void free_opts(void *p) {
  render_opts *o = p;
  if (o) body_opts_free(&o->bodies);
  free(o);
}

const dp_stage dp_stage_render = {
    .name = "render",
    .what = "synthetic depth frames of bodies in the sampled and real poses, with labels",
    .inputs = {"poses.h5", "synth.h5"},
    .outputs = {"depth.h5", "depth_preview.png"},
    .configure = configure,
    .external_inputs = external_inputs,
    .run = run,
    .free_opts = free_opts,
    .shardable = 1,
};
