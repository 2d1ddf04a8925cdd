/* mocap.h - motion-capture readers: each turns one source file into world joint
 * positions in millimetres, Y up (the project's convention), right-handed.
 *
 * Readers never print; on bad input they return -1 with a dp_fail message that names
 * the file and line (or dataset) and what was expected, "path:line: what ...". On
 * failure *out is left empty (all zero, nothing to free); on success the caller owns
 * it and releases it with dp_clip_free. A clip always has at least one frame: a file
 * with no frames (after skip_frames) is an error, not an empty success. Text readers
 * accept LF and CR LF line ends and split on any run of blanks/tabs. */
#ifndef DEPTHPOSE_MOCAP_H
#define DEPTHPOSE_MOCAP_H
#include <stddef.h>

typedef struct {
  int n_joints;        /* source joints, in file order (BVH: End Sites included) */
  char **joint_names;  /* n_joints distinct strings; BVH End Sites are "<parent>_end" */
  int *parent;         /* n_joints; -1 for the root (NULL for CSV / H3.6M); a parent
                          always comes before its children */
  int n_frames;        /* >= 1 */
  float *pos;          /* [n_frames][n_joints][3], millimetres, Y up */
} dp_clip;

void dp_clip_free(dp_clip *c); /* frees the arrays and zeroes *c; NULL-safe */
/* Index of a joint by exact (case-sensitive) name, or -1. */
int dp_clip_joint(const dp_clip *c, const char *name);

/* BVH: HIERARCHY + MOTION, any channel order per joint (rotations in degrees, composed
 * in the order listed: "Zrotation Yrotation Xrotation" is R = Rz * Ry * Rx), forward
 * kinematics in double: world_j = world_parent + Rworld_parent * (OFFSET_j + position
 * channels). unit_mm = millimetres per file unit (CMU: 56.444). skip_frames leading
 * frames are dropped (CMU's synthetic frame 0); they are still checked. "Frames:" must
 * equal the number of motion lines, each with one value per channel. */
int dp_bvh_read(const char *path, double unit_mm, int skip_frames, dp_clip *out);

/* ASF skeleton + AMC motion (CMU's original format), forward kinematics as in the CMU
 * viewer (bone frame C from "axis", rotation G = G_parent * C * Rz*Ry*Rx(dof) * C^-1,
 * bone end = parent end + G * direction * length). The ASF ":units" section gives
 * length and angle units; unit_mm = millimetres per ASF length unit after the ASF's
 * own "length" scale (CMU: 1/0.45 inch = 56.444 mm; pass 0 to derive it as
 * 25.4/length). Joints: "root" and every bone in :bonedata order (moved after its
 * parent if listed before it), each positioned at the bone's end. AMC frames must be numbered consecutively and list every bone that
 * has a dof. */
int dp_asf_amc_read(const char *asf_path, const char *amc_path, double unit_mm,
                    int skip_frames, dp_clip *out);

/* Human3.6M 3-D positions in the common h5 layout: dataset "3D_positions", shape
 * [96][T] (32 joints x xyz, mm, Z up) as written by the widely used release
 * scripts; the transposed [T][96] layout is accepted too ([96][96] reads as [96][T]);
 * float64 or float32. Converted to Y up (x, y, z) -> (x, z, -y). Joint names: the
 * standard 32-joint order with the 17 names of 3d-pose-baseline (Hip, RHip, RKnee,
 * RFoot, LHip, ..., RWrist); the 15 others, end sites and duplicates, are "j04"... */
int dp_h36m_read(const char *path, dp_clip *out);
extern const char *const dp_h36m_joint_names[32];

/* CSV: header "<joint>_x,<joint>_y,<joint>_z,..." then one row per frame (no quoting;
 * blank lines ignored). unit_mm scales values to millimetres; up_axis 'y' or 'z'
 * (z: converted as above). The writer refuses NaN/Inf and names that would break the
 * header (comma, quote, line break), and removes the file if writing fails. */
int dp_csv_read(const char *path, double unit_mm, char up_axis, dp_clip *out);
int dp_csv_write(const char *path, const dp_clip *c);  /* mm, Y up, 6 decimals */

#endif
