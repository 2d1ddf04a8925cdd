/* report.h - the report stage's pieces (stage-private; rp_ = report).
 *
 * The stage runs in three steps, each its own files:
 *   load  (inputs_h5.c, inputs_text.c): every input read and checked into rp_data, on
 *         rank 0; a bad file stops the stage here, before anything is drawn;
 *   draw  (fig_*.c): one function per figure, rp_data -> an SVG (or PNG) plus a caption,
 *         pure functions of the data, so the same inputs give the same bytes;
 *   page  (page.c): index.html around the figures, the key numbers and the tables.
 * Only rank 0 reads and writes; the other ranks agree on the outcome (stage_report.c). */
#ifndef DP_REPORT_REPORT_H
#define DP_REPORT_REPORT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../pipeline/manifest.h"
#include "depthpose/pose.h"
#include "svg.h"
#include "text.h"

#define RP_GALLERY_MAX 12
#define RP_FRAMES_MAX 64

typedef struct {
  long frames;        /* depth frames in the grid */
  long gallery;       /* poses per row of the gallery */
  const char *title;  /* NULL: the run's name */
} rp_opts;

/* Mean, median, 99.5th percentile and maximum of the finite values (NaN when none). */
typedef struct {
  size_t n;
  double mean, median, p995, max;
} rp_summary;
int rp_stats(const double *v, size_t n, rp_summary *s);

/* One line of results/per_joint.csv, with the fields as written (for the table) and as
 * numbers (NaN where the file says nan: e.g. no synthetic-pose frames were evaluated). */
enum { RP_COL_FRAMES, RP_COL_MEAN, RP_COL_MEDIAN, RP_COL_SYNTH, RP_COL_REAL, RP_COLS };
typedef struct {
  char joint[64];
  char field[RP_COLS][32];
  double v[RP_COLS];
} rp_joint_row;

/* Columns of model.h5 /epoch_history that the report uses (-1: absent). */
enum { RP_H_PHASE, RP_H_EPOCH, RP_H_TRAIN, RP_H_VAL_LOSS, RP_H_VAL_MM, RP_H_N };

typedef struct {
  /* run */
  char run_name[256], config_path[1024];
  uint64_t seed, config_hash;
  /* poses.h5 (train split) */
  int J;
  char **names;              /* J joint names (poses.h5; the other files must agree) */
  size_t n_train;
  float mean_pose[DP_MAX_JOINTS * 3]; /* train poses root-centred, turned to face +z, averaged */
  int n_real;                /* gallery: real train poses, evenly spaced, prepared the same way */
  float real[RP_GALLERY_MAX * DP_MAX_JOINTS * 3];
  int hips_l, hips_r;        /* joints that define the facing (-1: poses are not turned) */
  /* skeleton.h5 */
  int parent[DP_MAX_JOINTS], root;
  double *mi;                /* [J][J] nats */
  char estimator[32];
  /* anatomy (anatomy.c): anatomical parent of each joint in this set, -1 root/unknown */
  int anat_parent[DP_MAX_JOINTS];
  int n_anat_edges, n_tree_anat; /* anatomical edges; how many of them the tree has */
  const int *draw_parent;    /* bones to draw poses with: anatomical when complete, else the tree */
  /* synth.h5 */
  size_t n_synth;
  int n_fake;
  float fake[RP_GALLERY_MAX * DP_MAX_JOINTS * 3];
  size_t n_cov;              /* test poses with coverage distances (0: none in synth.h5) */
  double *cov_train, *cov_synth; /* [n_cov] mm */
  rp_summary cov[2];         /* of cov_train, cov_synth */
  double cov_closer;         /* fraction of test poses nearer a synthetic than any train pose */
  /* depth.h5 */
  size_t n_depth, n_depth_test;
  int n_frames, H, W;
  int frames_are_test;       /* 0: no test frames, the grid shows frames of any split */
  size_t frame_row[RP_FRAMES_MAX];
  unsigned char frame_origin[RP_FRAMES_MAX];
  uint16_t *depth;           /* [n_frames][H][W] */
  float *joints2d;           /* [n_frames][J][2] */
  /* model.h5 */
  double final_loss[3];      /* detection, regression, end-to-end (NaN: not stored) */
  long step;
  size_t n_hist;             /* epochs in /epoch_history (0: none) */
  double *hist;              /* [n_hist][RP_H_N], NaN where a column is absent */
  /* results/ */
  rp_joint_row *rows;
  int n_rows;                /* joints, then "mean" when the file has it */
  long eval_frames;
  double mean_error_mm, box_iou; /* NaN: not in summary.json */
  /* manifest.tsv (not a declared input: read for the page's pipeline table) */
  dp_manifest manifest;
  int has_manifest;
} rp_data;

/* load */
int rp_load(const char *workdir, const rp_opts *o, rp_data *d);
int rp_load_h5(const char *workdir, const rp_opts *o, rp_data *d);
int rp_load_text(const char *workdir, rp_data *d);
void rp_data_free(rp_data *d);
/* Parsers, separate for the unit tests; `path` names the file in messages. */
int rp_parse_per_joint(const char *path, const char *text, char *const *names, int J, rp_joint_row **rows, int *n);
/* Top-level numbers of a JSON object: value of `key`, NaN when absent or not a number. */
int rp_parse_json_numbers(const char *path, const char *text, const char *const *keys, int n, double *values);

/* anatomy.c: parents from the canonical body, restricted to `names` (a joint whose
 * anatomical parent is missing hangs off the nearest present ancestor); counts. */
void rp_anatomy(char *const *names, int J, const int *tree_parent, int *anat_parent, int *n_edges, int *n_in_tree);
int rp_edge_in(const int *parent, int a, int b); /* a-b is an edge of parent[] (either way) */

/* A figure: its file under report/, a title and caption (plain text) for the page, and
 * either the SVG text or, for an image, the base64 of the PNG written (the page embeds
 * it). `note` is a one-line reason when the data for the figure is absent. */
typedef struct {
  const char *id, *file;
  char title[160];
  dp_text svg, png, caption, note;
} rp_figure;

void rp_figure_init(rp_figure *f, const char *id, const char *file);
void rp_figure_free(rp_figure *f);
/* A figure's bold heading line at (x, y). */
void rp_heading(dp_text *t, double x, double y, const char *s);
/* The stand-in SVG for a figure whose data is absent: its title and f->note. */
void rp_placeholder(rp_figure *f);

void rp_fig_skeleton(const rp_data *d, rp_figure *f);
void rp_fig_mi(const rp_data *d, rp_figure *f);
void rp_fig_coverage(const rp_data *d, rp_figure *f);
void rp_fig_gallery(const rp_data *d, rp_figure *f);
int rp_fig_frames(const rp_data *d, rp_figure *f, const char *png_path);
void rp_fig_training(const rp_data *d, rp_figure *f);
void rp_fig_errors(const rp_data *d, rp_figure *f);

/* pose drawing shared by the skeleton and gallery figures (fig_pose.c) */
typedef struct {
  double scale, cx, cy; /* px per mm; screen position of the pose's box centre */
  double mx, my;        /* the pose's box centre in view coordinates (mm) */
} rp_view;
/* Front-view coordinates (mm, right = +x on screen, up = +y) of joint j. */
void rp_front(const float *pose, int j, double *x, double *y);
/* Extent (mm) of a pose in the front view. */
void rp_extent(const float *pose, int J, double *w, double *h, double *mx, double *my);
void rp_view_point(const rp_view *v, const float *pose, int j, double *px, double *py);
/* A stick figure: bone j - parent[j] in pens[j] (or `bone` when pens is NULL). */
void rp_draw_pose(dp_text *t, const rp_view *v, const float *pose, int J, const int *parent,
                  const dp_pen *pens, dp_pen bone, double dot);
/* Turn a pose to face the viewer and put its root at the origin (in place). */
void rp_prepare_pose(float *pose, int J, int root, int l_hip, int r_hip);

/* page.c: the whole page into t. */
void rp_page(const rp_data *d, const char *title, const rp_figure *figs, int n_figs, dp_text *t);

#endif
