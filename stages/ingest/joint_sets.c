/* joint_sets.c - the canonical joint sets (pose.h) and the shipped source maps. */
#include <string.h>

#include "depthpose/pose.h"
#include "joint_map.h"

const char *const dp_joints15[15] = {"head",    "neck",    "torso",   "l_shoulder", "r_shoulder",
                                     "l_elbow", "r_elbow", "l_hand",  "r_hand",     "l_hip",
                                     "r_hip",   "l_knee",  "r_knee",  "l_foot",     "r_foot"};
const char *const dp_joints10[10] = {"head",  "torso",  "l_shoulder", "r_shoulder", "l_hand",
                                     "r_hand", "l_hip", "r_hip",      "l_foot",     "r_foot"};

int dp_joint_set_named(const char *name, const char *const **names, int *n) {
  if (!name) return -1;
  if (!strcmp(name, "default15")) *names = dp_joints15, *n = 15;
  else if (!strcmp(name, "subset10")) *names = dp_joints10, *n = 10;
  else return -1;
  return 0;
}

int dp_joint_index(const char *const *names, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (!strcmp(names[i], name)) return i;
  return -1;
}

/* Source joints per canonical joint; "A+B" means the mean of A and B.
 * CMU BVH (cgspeed conversion): the thorax is dropped, so Spine (~115 mm above the
 * pelvis) is the mid-trunk joint and the shoulders are LeftArm/RightArm; the head
 * centre is halfway between the head base (Head) and the head top (Head_end). */
static const char *const CMU_BVH[15] = {
    "Head+Head_end", "Neck1",        "Spine",    "LeftArm",   "RightArm",
    "LeftForeArm",   "RightForeArm", "LeftHand", "RightHand", "LeftUpLeg",
    "RightUpLeg",    "LeftLeg",      "RightLeg", "LeftFoot",  "RightFoot"};
/* CMU ASF/AMC: a bone's joint is its end point (the reader's convention). */
static const char *const CMU_ASF[15] = {
    "upperneck+head", "lowerneck", "lowerback", "lclavicle", "rclavicle",
    "lhumerus",       "rhumerus",  "lradius",   "rradius",   "lhipjoint",
    "rhipjoint",      "lfemur",    "rfemur",    "ltibia",    "rtibia"};
/* Human3.6M 32-joint positions (names as in the reader). */
static const char *const H36M[15] = {"Head",      "Neck/Nose", "Spine",  "LShoulder", "RShoulder",
                                     "LElbow",    "RElbow",    "LWrist", "RWrist",    "LHip",
                                     "RHip",      "LKnee",     "RKnee",  "LFoot",     "RFoot"};
/* CSV files written by this project name their columns with the canonical names. */

const char *const *dp_builtin_joint_map(const char *name) {
  if (!strcmp(name, "cmu_bvh")) return CMU_BVH;
  if (!strcmp(name, "cmu_asf")) return CMU_ASF;
  if (!strcmp(name, "h36m")) return H36M;
  if (!strcmp(name, "identity")) return dp_joints15;
  return NULL;
}
