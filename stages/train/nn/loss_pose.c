/* loss_pose.c - the original regression loss L = wd*Ld + ws*Ls + wr*Lr (see nn.h),
 * with its analytic gradient with respect to the predicted joints.
 *
 * Bone offsets are P_i = J_i - J_parent(i), so a gradient g on P̂_i adds g to joint i
 * and subtracts it from its parent. For the cosine term, with a = P (target), b = P̂
 * and |v|_e = sqrt(|v|^2 + eps^2):
 *   d/db [a.b / (|a|_e |b|_e)] = a / (|a|_e |b|_e) - (a.b) b / (|a|_e |b|_e^3). */
#include <math.h>
#include <string.h>

#include "nn_internal.h"

void dp_nn_pose_loss_default(dp_nn_pose_loss_cfg *cfg) {
  cfg->wd = 0.027f;
  cfg->ws = 0.833f;
  cfg->wr = 0.139f;
  cfg->eps = 1e-3f;
}

float dp_nn_pose_loss(int n, int n_joints, const int *parent, const float *pred,
                      const float *target, const dp_nn_pose_loss_cfg *cfg, float *grad,
                      dp_nn_pose_loss_terms *terms) {
  dp_nn_pose_loss_cfg def;
  if (!cfg) {
    dp_nn_pose_loss_default(&def);
    cfg = &def;
  }
  const int J = n_joints;
  const double inv_n = n > 0 ? 1.0 / n : 0.0, eps2 = (double)cfg->eps * cfg->eps;
  double ld = 0.0, ls = 0.0, lr = 0.0;
  if (grad) memset(grad, 0, sizeof(float) * (size_t)n * J * 3);
  for (int r = 0; r < n; r++) {
    const float *p = pred + (size_t)r * J * 3, *t = target + (size_t)r * J * 3;
    float *g = grad ? grad + (size_t)r * J * 3 : NULL;
    for (int i = 0; i < J; i++) { /* Ld: joint positions */
      for (int c = 0; c < 3; c++) {
        double d = (double)p[3 * i + c] - t[3 * i + c];
        ld += d * d;
        if (g) g[3 * i + c] += (float)(cfg->wd * 2.0 * d * inv_n);
      }
    }
    for (int i = 0; i < J; i++) {
      int q = parent[i];
      if (q < 0) continue; /* the root has no bone */
      double a[3], b[3], ab = 0.0, aa = 0.0, bb = 0.0;
      for (int c = 0; c < 3; c++) {
        a[c] = (double)t[3 * i + c] - t[3 * q + c];
        b[c] = (double)p[3 * i + c] - p[3 * q + c];
        ab += a[c] * b[c];
        aa += a[c] * a[c];
        bb += b[c] * b[c];
      }
      double na = sqrt(aa + eps2), nb = sqrt(bb + eps2);
      double cosv = ab / (na * nb);
      lr += 1.0 - cosv;
      for (int c = 0; c < 3; c++) {
        double d = b[c] - a[c];
        ls += d * d;
        if (g) {
          double gs = cfg->ws * 2.0 * d;
          double gr = -cfg->wr * (a[c] / (na * nb) - ab * b[c] / (na * nb * nb * nb));
          float gb = (float)((gs + gr) * inv_n);
          g[3 * i + c] += gb;
          g[3 * q + c] -= gb;
        }
      }
    }
  }
  ld *= inv_n;
  ls *= inv_n;
  lr *= inv_n;
  double total = cfg->wd * ld + cfg->ws * ls + cfg->wr * lr;
  if (terms) {
    terms->total = total;
    terms->ld = ld;
    terms->ls = ls;
    terms->lr = lr;
  }
  return (float)total;
}
