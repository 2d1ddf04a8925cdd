/* mocap.h - motion-capture readers: each turns one source file into world joint
 * positions in millimetres, Y up (the project's convention), right-handed.
 *
 * Readers never print; on bad input they return -1 with a dp_fail message that names
 * the file and line (or dataset) and what was expected. */
#ifndef DEPTHPOSE_MOCAP_H
#define DEPTHPOSE_MOCAP_H
#include <stddef.h>

typedef struct {
  int n_joints;        /* source joints, in file order (BVH: End Sites included) */
  char **joint_names;  /* n_joints strings; BVH End Sites are named "<parent>_end" */
  int *parent;         /* n_joints; -1 for the root (may be NULL for CSV / H3.6M) */
  int n_frames;
  float *pos;          /* [n_frames][n_joints][3], millimetres, Y up */
} dp_clip;

void dp_clip_free(dp_clip *c);
/* Index of a joint by exact name, or -1. */
int dp_clip_joint(const dp_clip *c, const char *name);

/* BVH: HIERARCHY + MOTION, any channel order per joint (rotations in degrees, composed
 * in the order listed), forward kinematics. unit_mm = millimetres per file unit
 * (CMU: 56.444). skip_frames leading frames are dropped (CMU's synthetic frame 0). */
int dp_bvh_read(const char *path, double unit_mm, int skip_frames, dp_clip *out);

/* ASF skeleton + AMC motion (CMU's original format). The ASF ":units" section gives
 * length and angle units; unit_mm = millimetres per ASF length unit after the
 * ASF's own "length" scale (CMU: 1/0.45 inch = 56.444 mm, pass 0 to derive it as
 * 25.4/length). Joints: "root" and every bone (positioned at the bone's end). */
int dp_asf_amc_read(const char *asf_path, const char *amc_path, double unit_mm,
                    int skip_frames, dp_clip *out);

/* Human3.6M 3-D positions in the common h5 layout: dataset "3D_positions", shape
 * [96][T] (32 joints x xyz, mm, Z up) as written by the widely used release
 * scripts; the transposed [T][96] layout is accepted too. Converted to Y up
 * (x, y, z) -> (x, z, -y). Joint names: the standard 32-joint H3.6M list. */
int dp_h36m_read(const char *path, dp_clip *out);
extern const char *const dp_h36m_joint_names[32];

/* CSV: header "<joint>_x,<joint>_y,<joint>_z,..." then one row per frame.
 * unit_mm scales values to millimetres; up_axis 'y' or 'z' (z: converted as above). */
int dp_csv_read(const char *path, double unit_mm, char up_axis, dp_clip *out);
int dp_csv_write(const char *path, const dp_clip *c);  /* mm, Y up, 6 decimals */

#endif
