/* embed.c - the rotation/translation-invariant pose embedding (conventions in nn.h).
 * Computed in double: the rotation is applied to millimetre coordinates, and the
 * evaluation inverts it, so float rounding here would show up in the error in mm. */
#include <math.h>

#include "nn_internal.h"

static double norm3(const double v[3]) { return sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]); }

int dp_nn_pose_embed(int n_joints, const float *pose, int torso, int l_sh, int r_sh,
                     int head, float *out, double R[9], double t[3]) {
  double l[3], r[3], hd[3], e1[3], e2[3], e3[3];
  for (int c = 0; c < 3; c++) t[c] = pose[3 * torso + c];
  for (int c = 0; c < 3; c++) {
    l[c] = pose[3 * l_sh + c] - t[c];
    r[c] = pose[3 * r_sh + c] - t[c];
    hd[c] = pose[3 * head + c] - t[c];
  }
  e1[0] = l[1] * r[2] - l[2] * r[1];
  e1[1] = l[2] * r[0] - l[0] * r[2];
  e1[2] = l[0] * r[1] - l[1] * r[0];
  double n1 = norm3(e1), scale = norm3(l) * norm3(r);
  int bad = !(n1 > 1e-9 * scale) || scale == 0.0;
  if (!bad) {
    for (int c = 0; c < 3; c++) e1[c] /= n1;
    double hx = hd[0] * e1[0] + hd[1] * e1[1] + hd[2] * e1[2];
    for (int c = 0; c < 3; c++) e2[c] = hd[c] - hx * e1[c]; /* drop the normal component */
    double n2 = norm3(e2);
    bad = !(n2 > 1e-9 * norm3(hd)) || n2 == 0.0;
    if (!bad) {
      for (int c = 0; c < 3; c++) e2[c] /= n2;
      e3[0] = e1[1] * e2[2] - e1[2] * e2[1];
      e3[1] = e1[2] * e2[0] - e1[0] * e2[2];
      e3[2] = e1[0] * e2[1] - e1[1] * e2[0];
    }
  }
  if (bad) {
    for (int i = 0; i < 9; i++) R[i] = (i % 4 == 0) ? 1.0 : 0.0;
  } else {
    for (int c = 0; c < 3; c++) {
      R[c] = e1[c];
      R[3 + c] = e2[c];
      R[6 + c] = e3[c];
    }
  }
  for (int j = 0; j < n_joints; j++) {
    double d[3];
    for (int c = 0; c < 3; c++) d[c] = (double)pose[3 * j + c] - t[c];
    for (int k = 0; k < 3; k++)
      out[3 * j + k] = (float)(R[3 * k] * d[0] + R[3 * k + 1] * d[1] + R[3 * k + 2] * d[2]);
  }
  return bad ? -1 : 0;
}

void dp_nn_pose_unembed(int n_joints, const float *emb, const double R[9],
                        const double t[3], float *out) {
  for (int j = 0; j < n_joints; j++) {
    double e[3] = {emb[3 * j], emb[3 * j + 1], emb[3 * j + 2]};
    for (int c = 0; c < 3; c++)
      out[3 * j + c] = (float)(R[c] * e[0] + R[3 + c] * e[1] + R[6 + c] * e[2] + t[c]);
  }
}
