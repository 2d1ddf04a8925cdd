/* mh_internal.h - what the MakeHuman body files share (not public: makehuman.h is).
 * Transform slots, the rig tables (mh_rig.c), the loaders each file provides, and small
 * double-precision vector / rotation helpers for the posing maths. */
#ifndef DEPTHPOSE_MH_INTERNAL_H
#define DEPTHPOSE_MH_INTERNAL_H
#include <math.h>
#include <stdint.h>

#include "depthpose/makehuman.h"

/* Transform slots. Segments pivot at their first joint; the blends take slerped
 * rotations between two segments about the joint where both agree. */
enum {
  MH_PELVIS, MH_SPINE_1_3, MH_SPINE_2_3, MH_CHEST, MH_NECK_1_4, MH_NECK_2_4, MH_NECK_3_4,
  MH_HEAD, MH_CLAV_L, MH_CLAV_R, MH_UARM_L, MH_UARM_R, MH_FARM_L, MH_FARM_R, MH_THIGH_L,
  MH_THIGH_R, MH_SHIN_L, MH_SHIN_R, MH_N_SLOTS
};
_Static_assert(MH_N_SLOTS == DP_MH_SLOTS, "makehuman.h's slot count");

/* Canonical joints, dp_joints15 order. */
enum {
  MH_J_HEAD, MH_J_NECK, MH_J_TORSO, MH_J_LSH, MH_J_RSH, MH_J_LEL, MH_J_REL, MH_J_LHA,
  MH_J_RHA, MH_J_LHIP, MH_J_RHIP, MH_J_LKN, MH_J_RKN, MH_J_LFT, MH_J_RFT, MH_N_JOINTS
};

/* base.obj decimetres -> world mm: x 100, lifted so the ground cube's centre is y = 0. */
#define MH_MM_PER_DM 100.0
static inline void mh_world_mm(const double p_dm[3], double ground_dm, float out[3]) {
  out[0] = (float)(MH_MM_PER_DM * p_dm[0]);
  out[1] = (float)(MH_MM_PER_DM * (p_dm[1] - ground_dm));
  out[2] = (float)(MH_MM_PER_DM * p_dm[2]);
}

/* ---- mh_rig.c ------------------------------------------------------------------ */
/* Assign every bone its slot and part (mh_rig.c's table; unlisted bones inherit their
 * parent's). Fails naming a table bone the skeleton lacks. Bones must be in
 * parent-before-child order. */
int mh_rig_assign(dp_mh_model *m, const char *skel_path);
/* Rest canonical joints (world mm) from the shaped vertices P (double, decimetres,
 * all n_vert vertices) lifted by ground_dm. */
void mh_rig_joints(const dp_mh_model *m, const double *P, double ground_dm, float *joints);
/* The rig joint's position: mean of its vertex list in P. */
void mh_joint_position(const dp_mh_model *m, int joint, const double *P, double out[3]);

/* ---- mh_skin.c ------------------------------------------------------------------ */
/* Skin the body with m->slot_m and append it to out; *floor_y = lowest posed vertex. */
int mh_skin(const dp_mh_model *m, const dp_mh_body *b, dp_mesh *out, float *floor_y);

/* ---- loaders ------------------------------------------------------------------- */
int mh_obj_load(dp_mh_model *m, const char *path);                /* mh_obj.c */
int mh_skeleton_load(dp_mh_model *m, const char *path);           /* mh_json.c */
int mh_weights_load(dp_mh_model *m, const char *path);            /* mh_json.c */
/* Raw skin weights of the body vertices as read (CSR over body vertices). */
typedef struct {
  int *start; /* [n_body_vert + 1] */
  int *bone;
  float *w;
  int *fill;  /* reader's cursor per vertex */
} mh_raw_weights;
/* Normalise (README rule), give each body quad's triangles the part and slot of the
 * quad's dominant bone, and sum the weights per slot into m->w_start / w_slot / w.
 * (mh_weights.c) */
int mh_weights_prepare(dp_mh_model *m, const mh_raw_weights *raw);
int mh_target_load(dp_mh_target *t, const char *path, int n_vert); /* mh_target.c */
void mh_target_free(dp_mh_target *t);
/* Paths (relative to targets/) of the macro targets the model loads, in load order. */
int mh_target_paths(char paths[][96], int max);

/* ---- double vectors and rotations ------------------------------------------------ */
typedef struct {
  double x, y, z;
} mh_v3;

static inline mh_v3 mh_v(const float *p) { return (mh_v3){p[0], p[1], p[2]}; }
static inline mh_v3 mh_add(mh_v3 a, mh_v3 b) { return (mh_v3){a.x + b.x, a.y + b.y, a.z + b.z}; }
static inline mh_v3 mh_sub(mh_v3 a, mh_v3 b) { return (mh_v3){a.x - b.x, a.y - b.y, a.z - b.z}; }
static inline mh_v3 mh_scale(mh_v3 a, double s) { return (mh_v3){a.x * s, a.y * s, a.z * s}; }
static inline double mh_dot(mh_v3 a, mh_v3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static inline double mh_len(mh_v3 a) { return sqrt(mh_dot(a, a)); }
static inline mh_v3 mh_cross(mh_v3 a, mh_v3 b) {
  return (mh_v3){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}

/* Unit quaternion (w, x, y, z); rotations compose and blend in this form. */
typedef struct {
  double w, x, y, z;
} mh_quat;

static inline mh_quat mh_qmul(mh_quat a, mh_quat b) {
  return (mh_quat){a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
                   a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
                   a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
                   a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w};
}

static inline mh_quat mh_qnormalize(mh_quat q) {
  double n = sqrt(q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z);
  return (mh_quat){q.w / n, q.x / n, q.y / n, q.z / n};
}

/* Row-major 3x3 matrix of a unit quaternion. */
static inline void mh_qmatrix(mh_quat q, double R[9]) {
  double w = q.w, x = q.x, y = q.y, z = q.z;
  R[0] = 1 - 2 * (y * y + z * z), R[1] = 2 * (x * y - w * z), R[2] = 2 * (x * z + w * y);
  R[3] = 2 * (x * y + w * z), R[4] = 1 - 2 * (x * x + z * z), R[5] = 2 * (y * z - w * x);
  R[6] = 2 * (x * z - w * y), R[7] = 2 * (y * z + w * x), R[8] = 1 - 2 * (x * x + y * y);
}

/* q v q*, as v + 2w (u x v) + 2 u x (u x v) with u = (x, y, z). */
static inline mh_v3 mh_qrotate(mh_quat q, mh_v3 v) {
  mh_v3 u = {q.x, q.y, q.z}, uv = mh_cross(u, v), uuv = mh_cross(u, uv);
  return mh_add(v, mh_add(mh_scale(uv, 2 * q.w), mh_scale(uuv, 2)));
}

static inline mh_v3 mh_mapply(const double R[9], mh_v3 v) {
  return (mh_v3){R[0] * v.x + R[1] * v.y + R[2] * v.z, R[3] * v.x + R[4] * v.y + R[5] * v.z,
                 R[6] * v.x + R[7] * v.y + R[8] * v.z};
}

#endif
