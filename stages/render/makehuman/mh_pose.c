/* mh_pose.c - pose a built MakeHuman body from the 15 canonical joint positions
 * (makehuman.h explains the method, the twist rule and the bone-length decision).
 *
 * All rotation maths is in double (unit quaternions); only the final 3x4 slot
 * transforms are rounded to float for skinning. Each slot s moves a vertex x to
 * R_s (x - rest[pivot_s]) + posed[pivot_s]. */
#include <math.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/pose.h"
#include "mh_internal.h"

/* Below these, a requested segment has no direction / a frame no second axis. */
#define MH_ZERO_MM 1e-6
#define MH_PARALLEL 1e-6
/* 1 + cos(angle) below this: a half turn (within 1.5e-7 rad of the exact swing). */
#define MH_HALF_TURN 1e-14

static const mh_quat IDENTITY = {1, 0, 0, 0};

static mh_v3 unit(mh_v3 a) { return mh_scale(a, 1.0 / mh_len(a)); }

/* A unit vector perpendicular to unit a: a crossed with the world axis least aligned
 * with it (ties: the first), a fixed choice so a half turn is deterministic. */
static mh_v3 perpendicular(mh_v3 a) {
  double ax = fabs(a.x), ay = fabs(a.y), az = fabs(a.z);
  mh_v3 e = ax <= ay && ax <= az ? (mh_v3){1, 0, 0} : ay <= az ? (mh_v3){0, 1, 0} : (mh_v3){0, 0, 1};
  return unit(mh_cross(a, e));
}

/* The minimal rotation taking unit a to unit b. Opposite vectors (no unique minimal
 * rotation) turn half way round `half_turn_axis` (a unit vector perpendicular to a). */
static mh_quat swing(mh_v3 a, mh_v3 b, mh_v3 half_turn_axis) {
  double c = 1.0 + mh_dot(a, b);
  if (c < MH_HALF_TURN) return (mh_quat){0, half_turn_axis.x, half_turn_axis.y, half_turn_axis.z};
  mh_v3 x = mh_cross(a, b);
  return mh_qnormalize((mh_quat){c, x.x, x.y, x.z});
}

/* Rotation taking the rest frame to the requested one, each frame built by Gram-Schmidt
 * from a first axis (matched exactly) and a second axis (its part perpendicular to the
 * first): a swing of the first axis, then a turn about it bringing the second along.
 * No first axis: keep the rest orientation; no second axis: the swing alone. */
static mh_quat frame_rotation(mh_v3 rest_a, mh_v3 rest_b, mh_v3 req_a, mh_v3 req_b) {
  if (mh_len(rest_a) < MH_ZERO_MM || mh_len(req_a) < MH_ZERO_MM) return IDENTITY;
  mh_v3 a0 = unit(rest_a), a1 = unit(req_a);
  mh_quat q = swing(a0, a1, perpendicular(a0));
  mh_v3 b0 = mh_sub(rest_b, mh_scale(a0, mh_dot(rest_b, a0)));
  mh_v3 b1 = mh_sub(req_b, mh_scale(a1, mh_dot(req_b, a1)));
  if (mh_len(b0) < MH_PARALLEL * mh_len(rest_b) || mh_len(b1) < MH_PARALLEL * mh_len(req_b) ||
      mh_len(b0) < MH_ZERO_MM || mh_len(b1) < MH_ZERO_MM)
    return q;
  mh_v3 b0_turned = unit(mh_qrotate(q, unit(b0)));
  return mh_qnormalize(mh_qmul(swing(b0_turned, unit(b1), a1), q));
}

static mh_quat slerp(mh_quat a, mh_quat b, double t) {
  double d = a.w * b.w + a.x * b.x + a.y * b.y + a.z * b.z;
  if (d < 0) { /* the shorter way round */
    b = (mh_quat){-b.w, -b.x, -b.y, -b.z};
    d = -d;
  }
  double wa = 1 - t, wb = t;
  if (d < 0.9995) { /* else under 3.6 degrees apart: the normalised linear blend is
                       within 1e-6 rad and does not divide by sin(th) ~ 0 */
    double th = acos(d), s = sin(th);
    wa = sin((1 - t) * th) / s;
    wb = sin(t * th) / s;
  }
  return mh_qnormalize((mh_quat){wa * a.w + wb * b.w, wa * a.x + wb * b.x, wa * a.y + wb * b.y,
                                 wa * a.z + wb * b.z});
}

/* Limb-like segments, parents before children: pivot joint -> end joint, turned from
 * the parent slot's rotation by the swing onto the requested direction. */
static const struct {
  uint8_t slot, parent, from, to;
} SEGMENTS[] = {
    {MH_HEAD, MH_CHEST, MH_J_NECK, MH_J_HEAD},      {MH_CLAV_L, MH_CHEST, MH_J_NECK, MH_J_LSH},
    {MH_CLAV_R, MH_CHEST, MH_J_NECK, MH_J_RSH},     {MH_UARM_L, MH_CLAV_L, MH_J_LSH, MH_J_LEL},
    {MH_UARM_R, MH_CLAV_R, MH_J_RSH, MH_J_REL},     {MH_FARM_L, MH_UARM_L, MH_J_LEL, MH_J_LHA},
    {MH_FARM_R, MH_UARM_R, MH_J_REL, MH_J_RHA},     {MH_THIGH_L, MH_PELVIS, MH_J_LHIP, MH_J_LKN},
    {MH_THIGH_R, MH_PELVIS, MH_J_RHIP, MH_J_RKN},   {MH_SHIN_L, MH_THIGH_L, MH_J_LKN, MH_J_LFT},
    {MH_SHIN_R, MH_THIGH_R, MH_J_RKN, MH_J_RFT},
};

/* Spine and neck bones: rotations part of the way from slot a to slot b. */
static const struct {
  uint8_t slot, a, b;
  double t;
} BLENDS[] = {
    {MH_SPINE_1_3, MH_PELVIS, MH_CHEST, 1.0 / 3}, {MH_SPINE_2_3, MH_PELVIS, MH_CHEST, 2.0 / 3},
    {MH_NECK_1_4, MH_CHEST, MH_HEAD, 0.25},       {MH_NECK_2_4, MH_CHEST, MH_HEAD, 0.5},
    {MH_NECK_3_4, MH_CHEST, MH_HEAD, 0.75},
};

/* The joint each slot turns about (where it meets its parent). */
static const uint8_t PIVOT[MH_N_SLOTS] = {
    [MH_PELVIS] = MH_J_TORSO,  [MH_SPINE_1_3] = MH_J_TORSO, [MH_SPINE_2_3] = MH_J_TORSO,
    [MH_CHEST] = MH_J_TORSO,   [MH_NECK_1_4] = MH_J_NECK,   [MH_NECK_2_4] = MH_J_NECK,
    [MH_NECK_3_4] = MH_J_NECK, [MH_HEAD] = MH_J_NECK,       [MH_CLAV_L] = MH_J_NECK,
    [MH_CLAV_R] = MH_J_NECK,   [MH_UARM_L] = MH_J_LSH,      [MH_UARM_R] = MH_J_RSH,
    [MH_FARM_L] = MH_J_LEL,    [MH_FARM_R] = MH_J_REL,      [MH_THIGH_L] = MH_J_LHIP,
    [MH_THIGH_R] = MH_J_RHIP,  [MH_SHIN_L] = MH_J_LKN,      [MH_SHIN_R] = MH_J_RKN,
};

static mh_v3 midpoint(mh_v3 a, mh_v3 b) { return mh_scale(mh_add(a, b), 0.5); }

/* Trunk: chest and pelvis from their frames, both about the torso joint, which stays
 * where requested; the neck and hips follow rigidly. */
static void trunk(const mh_v3 *rest, const mh_v3 *req, mh_quat *q, mh_v3 *posed) {
  q[MH_CHEST] = frame_rotation(mh_sub(rest[MH_J_NECK], rest[MH_J_TORSO]),
                               mh_sub(rest[MH_J_LSH], rest[MH_J_RSH]),
                               mh_sub(req[MH_J_NECK], req[MH_J_TORSO]),
                               mh_sub(req[MH_J_LSH], req[MH_J_RSH]));
  q[MH_PELVIS] = frame_rotation(mh_sub(rest[MH_J_TORSO], midpoint(rest[MH_J_LHIP], rest[MH_J_RHIP])),
                                mh_sub(rest[MH_J_LHIP], rest[MH_J_RHIP]),
                                mh_sub(req[MH_J_TORSO], midpoint(req[MH_J_LHIP], req[MH_J_RHIP])),
                                mh_sub(req[MH_J_LHIP], req[MH_J_RHIP]));
  posed[MH_J_TORSO] = req[MH_J_TORSO];
  static const struct {
    uint8_t slot, joint;
  } RIGID[3] = {{MH_CHEST, MH_J_NECK}, {MH_PELVIS, MH_J_LHIP}, {MH_PELVIS, MH_J_RHIP}};
  for (int i = 0; i < 3; i++)
    posed[RIGID[i].joint] = mh_add(req[MH_J_TORSO], mh_qrotate(q[RIGID[i].slot],
                                    mh_sub(rest[RIGID[i].joint], rest[MH_J_TORSO])));
}

static void limbs(const mh_v3 *rest, const mh_v3 *req, mh_quat *q, mh_v3 *posed) {
  for (size_t i = 0; i < sizeof SEGMENTS / sizeof SEGMENTS[0]; i++) {
    int s = SEGMENTS[i].slot, from = SEGMENTS[i].from, to = SEGMENTS[i].to;
    mh_v3 bone = mh_sub(rest[to], rest[from]), want = mh_sub(req[to], req[from]);
    mh_v3 carried = unit(mh_qrotate(q[SEGMENTS[i].parent], bone));
    mh_quat turn = mh_len(want) < MH_ZERO_MM || mh_len(bone) < MH_ZERO_MM
                       ? IDENTITY : swing(carried, unit(want), perpendicular(carried));
    q[s] = mh_qnormalize(mh_qmul(turn, q[SEGMENTS[i].parent]));
    posed[to] = mh_add(posed[from], mh_qrotate(q[s], bone));
  }
}

/* Slot transforms as float 3x4: R (x - rest pivot) + posed pivot. */
static void slot_matrices(dp_mh_model *m, const mh_v3 *rest, const mh_v3 *posed,
                          const mh_quat *q) {
  for (int s = 0; s < MH_N_SLOTS; s++) {
    double R[9];
    mh_qmatrix(q[s], R);
    mh_v3 t = mh_sub(posed[PIVOT[s]], mh_mapply(R, rest[PIVOT[s]]));
    const double row_t[3] = {t.x, t.y, t.z};
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 3; c++) m->slot_m[s][4 * r + c] = (float)R[3 * r + c];
      m->slot_m[s][4 * r + 3] = (float)row_t[r];
    }
  }
}

static int check_joints(const float *j) {
  for (int i = 0; i < MH_N_JOINTS; i++)
    if (!(isfinite(j[3 * i]) && isfinite(j[3 * i + 1]) && isfinite(j[3 * i + 2])))
      return dp_fail("MakeHuman body: joint \"%s\" is not finite (%g, %g, %g)", dp_joints15[i],
                     j[3 * i], j[3 * i + 1], j[3 * i + 2]);
  return 0;
}

int dp_mh_pose(dp_mh_model *m, const dp_mh_body *body, const float *joints, dp_mesh *out,
               dp_mh_posed *res) {
  DP_TRY(check_joints(joints));
  mh_v3 rest[MH_N_JOINTS], req[MH_N_JOINTS], posed[MH_N_JOINTS];
  for (int i = 0; i < MH_N_JOINTS; i++) {
    rest[i] = mh_v(body->joints + 3 * i);
    req[i] = mh_v(joints + 3 * i);
  }
  mh_quat q[MH_N_SLOTS];
  trunk(rest, req, q, posed);
  limbs(rest, req, q, posed);
  for (size_t i = 0; i < sizeof BLENDS / sizeof BLENDS[0]; i++)
    q[BLENDS[i].slot] = slerp(q[BLENDS[i].a], q[BLENDS[i].b], BLENDS[i].t);
  slot_matrices(m, rest, posed, q);
  DP_TRY(mh_skin(m, body, out, &res->floor_y));
  float lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
  for (int i = 0; i < MH_N_JOINTS; i++) {
    const double p[3] = {posed[i].x, posed[i].y, posed[i].z};
    for (int c = 0; c < 3; c++) {
      float v = res->joints[3 * i + c] = (float)p[c];
      lo[c] = fminf(lo[c], v);
      hi[c] = fmaxf(hi[c], v);
    }
  }
  for (int c = 0; c < 3; c++) res->centre[c] = 0.5f * (lo[c] + hi[c]);
  return 0;
}
