/* mh_rig.c - the body model's view of MakeHuman's default rig: which transform slot
 * moves each bone and which body part its faces label (one table), and where the 15
 * canonical joints sit on the rig (README "The 15 joints in default.mhskel"). */
#include <string.h>

#include "depthpose/error.h"
#include "mh_internal.h"

/* Bone -> transform slot and body part. A bone not listed (fingers and metacarpals,
 * toes, breasts, jaw, eyes and the other face bones) uses its parent's entry, so the
 * hand follows the forearm, the toes the foot, the face the head.
 *   pelvis:  root, pelvis.L/R, spine05      rigid pelvis (pivot: torso joint)
 *   spine:   spine04 = 1/3, spine03 = 2/3   of the way from pelvis to chest
 *   chest:   spine02, spine01               rigid chest (pivot: torso joint)
 *   neck:    neck01/02/03 = 1/4, 1/2, 3/4   of the way from chest to head
 *   head:    head                           (pivot: neck joint)
 *   clavicle, shoulder01: the shoulder girdle (pivot: neck joint)
 *   upper arm, forearm (+ wrist, hand), thigh, shin (+ foot, toes): limb segments */
static const struct {
  const char *bone;
  uint8_t slot;
  uint16_t part;
} BONE_MAP[] = {
    {"root", MH_PELVIS, DP_PART_TRUNK},
    {"pelvis.L", MH_PELVIS, DP_PART_TRUNK},
    {"pelvis.R", MH_PELVIS, DP_PART_TRUNK},
    {"spine05", MH_PELVIS, DP_PART_TRUNK},
    {"spine04", MH_SPINE_1_3, DP_PART_TRUNK},
    {"spine03", MH_SPINE_2_3, DP_PART_TRUNK},
    {"spine02", MH_CHEST, DP_PART_TRUNK},
    {"spine01", MH_CHEST, DP_PART_TRUNK},
    {"neck01", MH_NECK_1_4, DP_PART_NECK},
    {"neck02", MH_NECK_2_4, DP_PART_NECK},
    {"neck03", MH_NECK_3_4, DP_PART_NECK},
    {"head", MH_HEAD, DP_PART_HEAD},
    {"clavicle.L", MH_CLAV_L, DP_PART_TRUNK},
    {"shoulder01.L", MH_CLAV_L, DP_PART_TRUNK},
    {"upperarm01.L", MH_UARM_L, DP_PART_L_UPPER_ARM},
    {"upperarm02.L", MH_UARM_L, DP_PART_L_UPPER_ARM},
    {"lowerarm01.L", MH_FARM_L, DP_PART_L_FOREARM},
    {"lowerarm02.L", MH_FARM_L, DP_PART_L_FOREARM},
    {"wrist.L", MH_FARM_L, DP_PART_L_HAND},
    {"clavicle.R", MH_CLAV_R, DP_PART_TRUNK},
    {"shoulder01.R", MH_CLAV_R, DP_PART_TRUNK},
    {"upperarm01.R", MH_UARM_R, DP_PART_R_UPPER_ARM},
    {"upperarm02.R", MH_UARM_R, DP_PART_R_UPPER_ARM},
    {"lowerarm01.R", MH_FARM_R, DP_PART_R_FOREARM},
    {"lowerarm02.R", MH_FARM_R, DP_PART_R_FOREARM},
    {"wrist.R", MH_FARM_R, DP_PART_R_HAND},
    {"upperleg01.L", MH_THIGH_L, DP_PART_L_THIGH},
    {"upperleg02.L", MH_THIGH_L, DP_PART_L_THIGH},
    {"lowerleg01.L", MH_SHIN_L, DP_PART_L_SHIN},
    {"lowerleg02.L", MH_SHIN_L, DP_PART_L_SHIN},
    {"foot.L", MH_SHIN_L, DP_PART_L_FOOT},
    {"upperleg01.R", MH_THIGH_R, DP_PART_R_THIGH},
    {"upperleg02.R", MH_THIGH_R, DP_PART_R_THIGH},
    {"lowerleg01.R", MH_SHIN_R, DP_PART_R_SHIN},
    {"lowerleg02.R", MH_SHIN_R, DP_PART_R_SHIN},
    {"foot.R", MH_SHIN_R, DP_PART_R_FOOT},
};
#define N_BONE_MAP (int)(sizeof BONE_MAP / sizeof BONE_MAP[0])

/* Canonical joint = the point `along` of the way from the bone's head to its tail. */
static const struct {
  const char *bone;
  double along;
} CANONICAL[MH_N_JOINTS] = {
    {"head", 0.5},         {"neck01", 0},         {"spine02", 0},        {"upperarm01.L", 0},
    {"upperarm01.R", 0},   {"lowerarm01.L", 0},   {"lowerarm01.R", 0},   {"wrist.L", 0},
    {"wrist.R", 0},        {"upperleg01.L", 0},   {"upperleg01.R", 0},   {"lowerleg01.L", 0},
    {"lowerleg01.R", 0},   {"foot.L", 0},         {"foot.R", 0}};

static int bone_index(const dp_mh_model *m, const char *name) {
  for (int b = 0; b < m->n_bone; b++)
    if (!strcmp(m->bone_name[b], name)) return b;
  return -1;
}

int mh_rig_assign(dp_mh_model *m, const char *skel_path) {
  m->bone_slot = dp_malloc((size_t)m->n_bone, "bone slots");
  m->bone_part = dp_malloc(sizeof(uint16_t) * (size_t)m->n_bone, "bone parts");
  if (!m->bone_slot || !m->bone_part) return -1;
  int listed[N_BONE_MAP];
  for (int i = 0; i < N_BONE_MAP; i++)
    if ((listed[i] = bone_index(m, BONE_MAP[i].bone)) < 0)
      return dp_fail("%s: no bone \"%s\"; the body model needs MakeHuman's default rig", skel_path,
                     BONE_MAP[i].bone);
  for (int i = 0; i < MH_N_JOINTS; i++)
    if (bone_index(m, CANONICAL[i].bone) < 0)
      return dp_fail("%s: no bone \"%s\"; the body model needs MakeHuman's default rig", skel_path,
                     CANONICAL[i].bone);
  for (int b = 0; b < m->n_bone; b++) { /* parents come first: inherit, then override */
    int p = m->bone_parent[b];
    m->bone_slot[b] = p < 0 ? MH_PELVIS : m->bone_slot[p];
    m->bone_part[b] = p < 0 ? DP_PART_TRUNK : m->bone_part[p];
    for (int i = 0; i < N_BONE_MAP; i++)
      if (listed[i] == b) m->bone_slot[b] = BONE_MAP[i].slot, m->bone_part[b] = BONE_MAP[i].part;
  }
  return 0;
}

void mh_joint_position(const dp_mh_model *m, int joint, const double *P, double out[3]) {
  double s[3] = {0, 0, 0};
  int a = m->joint_start[joint], b = m->joint_start[joint + 1];
  for (int k = a; k < b; k++)
    for (int c = 0; c < 3; c++) s[c] += P[3 * m->joint_vert[k] + c];
  for (int c = 0; c < 3; c++) out[c] = s[c] / (b - a);
}

void mh_rig_joints(const dp_mh_model *m, const double *P, double ground_dm, float *joints) {
  for (int j = 0; j < MH_N_JOINTS; j++) {
    int b = bone_index(m, CANONICAL[j].bone); /* present: checked by mh_rig_assign */
    double h[3], t[3], p[3], f = CANONICAL[j].along;
    mh_joint_position(m, m->bone_head[b], P, h);
    mh_joint_position(m, m->bone_tail[b], P, t);
    for (int c = 0; c < 3; c++) p[c] = (1 - f) * h[c] + f * t[c];
    mh_world_mm(p, ground_dm, joints + 3 * j);
  }
}
