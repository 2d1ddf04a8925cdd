/* makehuman.h - the MakeHuman body model: MakeHuman's CC0 base mesh ("hm08"), default
 * rig, skin weights and adult macro shape targets (data/makehuman/, its README documents
 * every format), shaped by MakeHuman's slider rule, posed from joint positions and
 * skinned, as a second body beside the parametric one (render.h). Pure C, no MPI, no
 * HDF5. Implementation: stages/render/makehuman/ (mh_obj.c, mh_target.c, mh_json.c,
 * mh_load.c: assets; mh_shape.c: sliders and shapes; mh_rig.c: rig tables and joints;
 * mh_pose.c: posing; mh_skin.c: skinning).
 *
 * Conventions
 *  - World frame as in render.h: millimetres, Y up, right-handed. MakeHuman's base.obj is
 *    in decimetres with Y up, the body facing +Z and its own left on +X - the same axes
 *    as the project's (body_parametric.c: "a body facing +Z with up +Y has its left side
 *    toward +X"), so the only conversion is x 100. The rest mesh is lifted so that the
 *    centre of the `joint-ground` cube (y = -8.183 dm; no target moves it) is y = 0: the
 *    neutral body's soles then sit 1.5 mm above the floor.
 *  - Joints: the 15 canonical joints in dp_joints15 order (pose.h): head, neck, torso,
 *    l_shoulder, r_shoulder, l_elbow, r_elbow, l_hand, r_hand, l_hip, r_hip, l_knee,
 *    r_knee, l_foot, r_foot. On the rig (README table): head = middle of bone `head`;
 *    neck = head of `neck01`; torso = head of `spine02`; shoulder, elbow, hand (wrist),
 *    hip, knee, foot (ankle) = heads of `upperarm01`, `lowerarm01`, `wrist`,
 *    `upperleg01`, `lowerleg01`, `foot` (.L / .R). A rig joint's position is the mean of
 *    its vertex list on the shaped, unposed mesh. The 10-joint set (dp_joints10) is a
 *    subset of these by name: its labels are the same posed joints.
 *
 * Shapes. Sliders gender, muscle, weight, height in [0, 1] and three race weights
 * (>= 0, sum 1); age is fixed at 0.5 (25 years: only the `young` targets are shipped).
 * A target's weight is the product of the weights of the slider levels named in its file
 * name (dp_mh_target_weight), exactly MakeHuman's rule as the README states it; the
 * shaped mesh is the base mesh plus the weighted sum of the target deltas.
 *
 * Posing from joint positions (sampled poses carry positions only). Rigid transforms
 * T_s(x) = R_s (x - rest pivot_s) + posed pivot_s for 18 transform slots; every rig bone
 * uses one slot (the table in mh_rig.c; bones not listed there - fingers, toes, face -
 * use their parent's), and a vertex blends the slots of its bones by its skin weights.
 *  - Root: the torso joint goes exactly where requested.
 *  - Chest (spine02, spine01): the rotation taking the rest frame to the requested frame,
 *    each built by Gram-Schmidt from torso->neck (first axis, matched exactly) and the
 *    shoulder line r->l (second axis). Pelvis (root, pelvis.L/R, spine05): the same from
 *    mid-hip->torso and the hip line. Both pivot at the torso joint.
 *  - Spine bones between them: spine04 and spine03 take the rotations slerped 1/3 and 2/3
 *    of the way from pelvis to chest, about the torso. Neck bones neck01/02/03 take 1/4,
 *    1/2, 3/4 of the way from chest to head, about the neck joint (where chest and head
 *    transforms agree, so the blend is seamless).
 *  - Segments (twist rule: no twist relative to the parent): head (neck->head), clavicle +
 *    shoulder01 (neck->shoulder) from the chest; upper arm from the clavicle, forearm
 *    (with wrist, hand, fingers) from the upper arm; thigh from the pelvis, shin (with
 *    foot and toes) from the thigh. R = S R_parent, S the minimal rotation (swing) taking
 *    R_parent's image of the segment's rest direction to the requested direction. An
 *    exactly opposite direction (swing of 180 degrees, axis undefined) turns about the
 *    world axis least aligned with the segment, crossed with it; a requested segment of
 *    zero length keeps the parent-carried rest direction; a frame whose first axis has
 *    zero length keeps the rest orientation, one whose second axis is parallel to the
 *    first takes the swing of the first axis alone. All deterministic.
 *  - Bone lengths: the body keeps its own lengths. Each child joint is placed at its
 *    parent's posed joint + the body's rest segment length x the requested direction, so
 *    the 12 segments torso->neck, neck->head, neck->shoulders, upper arms, forearms,
 *    thighs, shins point exactly along the request; the pelvis is rigid, so of the torso->
 *    hip segments the mid-hip->torso direction is exact and the hip line is the
 *    requested one made perpendicular to it. The labels are the posed body's joints
 *    (dp_mh_posed.joints), which is what the render stage writes to depth.h5.
 *  - Skinning: linear blend skinning with weights normalised per vertex as the README
 *    says (divide by the vertex's total, drop normalised weights <= 1e-4, a vertex with no
 *    weight goes to `root`); weights of bones sharing a slot are summed (the same result,
 *    fewer terms). Only the `body` group is drawn: 13,378 quads, each two triangles
 *    (a,b,c), (a,c,d) wound counter-clockwise seen from outside like mesh.c's primitives.
 *    A triangle's id is the dp_body_part of its quad's dominant bone (largest weight
 *    summed over the quad's vertices), so part-label maps keep working. As with any
 *    LBS body, the skin folds inside creases - the armpit whenever the arms hang down
 *    (the rest pose is an A-pose), the crotch, and deep elbow, knee and groin bends: on
 *    704 real CMU poses 32 of the 26,756 triangles invert per pose on average (worst
 *    124), hidden in the creases (0.016 % of the body pixels; test_makehuman_pose.c).
 *
 * Bad input gets a clear dp_fail: unreadable files, parse errors ("file:line: expected
 * ..."), structural errors in the rig or weights (naming the bone / joint / vertex),
 * non-finite joints (naming the joint). Target lines must hold exactly "index dx dy dz":
 * stricter than MakeHuman, which skips other lines - no shipped file has one, and a
 * damaged line would otherwise change the body silently.
 *
 * Memory per rank (dp_mh_model_bytes, dp_mh_body_bytes; printed by test_makehuman):
 * the assets take 15.9 MB while the 60 targets are held (0.94 M moved vertices x 16 B),
 * 0.87 MB after dp_mh_model_drop_targets (base mesh, body triangles and parts, rig,
 * slot weights, posing scratch); each built shape 161 kB (its rest vertices). So 12
 * shapes: 2.8 MB steady, about 18 MB at the peak of initialisation (load, build,
 * drop; building one shape also holds a 0.46 MB temporary). Each frame's mesh, owned
 * by the caller, grows by 0.54 MB for the body (13,380 vertices, 26,756 triangles).
 * Time: loading 0.2 s, building a shape under 1 ms; posing + skinning ~0.12 ms a frame.
 *
 * Threads: a model holds its posing scratch, so one model per thread; bodies are
 * read-only after building and may be shared. */
#ifndef DEPTHPOSE_MAKEHUMAN_H
#define DEPTHPOSE_MAKEHUMAN_H
#include <stddef.h>
#include <stdint.h>

#include "depthpose/render.h"

/* Sub-index of DP_STREAM_RENDER for sampled shapes (index = the shape's number);
 * DP_RENDER_SUB_USER itself is the stage's per-frame body choice. */
enum { DP_MH_RENDER_SUB_SHAPE = DP_RENDER_SUB_USER + 1 };

/* ---- shapes (mh_shape.c) ----------------------------------------------------- */
typedef struct {
  float gender; /* 0 female ... 1 male */
  float muscle; /* 0 minimum, 0.5 average, 1 maximum */
  float weight; /* 0 minimum, 0.5 average, 1 maximum */
  float height; /* 0 minimum, 0.5 average (no height target acts), 1 maximum */
  float african, asian, caucasian; /* race weights, >= 0, summing to 1 */
} dp_mh_shape;

typedef struct {
  const char *name;
  dp_mh_shape shape;
} dp_mh_named_shape;

#define DP_MH_N_DEFAULT_SHAPES 12
/* The built-in table of 12 named adult shapes (both genders; slim, average, heavy,
 * muscular; height sliders 0.35-0.6, 148-190 cm; mixed races). */
const dp_mh_named_shape *dp_mh_default_shapes(void);
/* Look a default shape up by name; fails listing the names. */
int dp_mh_shape_lookup(const char *name, dp_mh_shape *out);
/* Fail naming the slider that is out of range (or races not summing to 1 +- 1e-3). */
int dp_mh_shape_check(const dp_mh_shape *s);
/* A sampled adult shape, a pure function of (seed, index) through dp_rng stream
 * DP_STREAM_RENDER, sub DP_MH_RENDER_SUB_SHAPE: gender near either end ([0, 0.1] or
 * [0.9, 1], even odds), muscle and weight triangular on [0.1, 0.9], height triangular
 * on [0.35, 0.65], races Dirichlet(1, 1, 1). */
void dp_mh_shape_sample(uint64_t seed, uint64_t index, dp_mh_shape *out);
/* MakeHuman's weight of the target at `path` (relative to targets/, e.g.
 * "macrodetails/height/female-young-maxmuscle-averageweight-minheight.target"): the
 * product over the path's '-' / '/' separated words that name a slider level of that
 * level's weight (age 0.5: `young` 1, `baby` `child` `old` 0); other words only name the
 * target's group. */
double dp_mh_target_weight(const char *path, const dp_mh_shape *s);

/* ---- assets (mh_load.c) ------------------------------------------------------ */
#define DP_MH_SLOTS 18 /* transform slots: rig segments and the spine/neck blends */

typedef struct {
  int32_t v;  /* base.obj vertex index */
  float d[3]; /* its displacement, decimetres */
} dp_mh_delta;

typedef struct {
  char *path; /* relative to targets/ */
  int n, cap; /* moved vertices */
  dp_mh_delta *delta;
} dp_mh_target;

typedef struct {
  /* base mesh */
  int n_vert;          /* vertices of base.obj (19,158) */
  float *base;         /* [n_vert][3] decimetres, as in the file */
  int n_body_vert;     /* vertices of the `body` group (13,380) */
  int32_t *body_vert;  /* [n_body_vert] their base.obj indices, ascending */
  int n_tri;           /* triangles of the body group (2 per quad) */
  uint32_t *tri;       /* [n_tri][3] indices into the body vertices, outward winding */
  uint16_t *tri_part;  /* [n_tri] dp_body_part */
  uint8_t *tri_slot;   /* [n_tri] transform slot of the dominant bone */
  int n_ground;        /* vertices of the joint-ground cube */
  int32_t *ground_vert;
  /* rig: bones in parent-before-child order, joints as vertex lists (CSR) */
  int n_bone;
  char **bone_name;
  int *bone_parent;    /* -1 for the root */
  int *bone_head, *bone_tail; /* joint indices */
  uint8_t *bone_slot;  /* transform slot (mh_rig.c's table) */
  uint16_t *bone_part; /* dp_body_part */
  int root_bone;
  int n_joint;
  char **joint_name;
  int *joint_start;    /* [n_joint + 1] */
  int32_t *joint_vert;
  /* skin weights of the body vertices, normalised, summed per slot (CSR) */
  int *w_start;        /* [n_body_vert + 1] */
  uint8_t *w_slot;
  float *w;
  /* shape targets; dp_mh_model_drop_targets frees them once every shape is built */
  int n_target;
  dp_mh_target *target;
  /* posing scratch (per rank, reused every frame) and the last pose's transforms:
   * x_posed = M[0..2] x + M[3], M[4..6] x + M[7], M[8..10] x + M[11] (row-major 3x4) */
  float slot_m[DP_MH_SLOTS][12];
} dp_mh_model;

/* Load base.obj, default.mhskel, default_weights.mhw and the 60 macro targets from dir
 * (the project's data/makehuman). On failure the model is left empty. */
int dp_mh_model_load(dp_mh_model *m, const char *dir);
/* Every file dp_mh_model_load reads from dir (malloc'ed strings in a malloc'ed array;
 * the caller frees both): what a run hashes to notice changed assets. */
int dp_mh_asset_paths(const char *dir, char ***paths, size_t *n);
/* Release the targets (after the last dp_mh_body_build that needs them). */
void dp_mh_model_drop_targets(dp_mh_model *m);
void dp_mh_model_free(dp_mh_model *m); /* NULL-safe, leaves the model empty */
size_t dp_mh_model_bytes(const dp_mh_model *m); /* heap bytes held now */

/* ---- built shapes (mh_shape.c) ------------------------------------------------ */
typedef struct {
  dp_mh_shape shape;  /* sliders it was built from (unused when neutral) */
  int neutral;        /* 1: the base mesh with no target at all */
  float *rest;        /* [n_body_vert][3] shaped body vertices, world mm, ground at y = 0 */
  float joints[3 * 15]; /* rest canonical joints, world mm, dp_joints15 order */
  float lo[3], hi[3]; /* bounding box of the rest body, mm (README: H x W x D in cm is
                         (hi - lo) / 10 of y, x, z) */
} dp_mh_body;

/* Shape the mesh (shape NULL: the neutral base mesh, no targets), fit the rest rig.
 * Fails if shape is out of range or the targets were dropped. */
int dp_mh_body_build(const dp_mh_model *m, const dp_mh_shape *shape, dp_mh_body *out);
void dp_mh_body_free(dp_mh_body *b); /* NULL-safe */
size_t dp_mh_body_bytes(const dp_mh_model *m); /* heap bytes of one built body */

/* ---- posing and skinning (mh_pose.c, mh_skin.c) -------------------------------- */
typedef struct {
  float joints[3 * 15]; /* the posed body's canonical joints: the labels, world mm */
  float centre[3];      /* middle of their bounding box (as dp_body_param_centre) */
  float floor_y;        /* lowest posed body vertex, mm */
} dp_mh_posed;

/* Pose `body` to joints[15][3] (world mm, dp_joints15 order) and append its skinned
 * triangles to out (ids = dp_body_part). Fails naming a non-finite joint. Uses and
 * overwrites m's scratch; allocates nothing once out has grown to size. */
int dp_mh_pose(dp_mh_model *m, const dp_mh_body *body, const float *joints, dp_mesh *out,
               dp_mh_posed *res);

#endif
