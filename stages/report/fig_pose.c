/* fig_pose.c - poses as stick figures, shared by the skeleton and gallery figures.
 *
 * Poses are root-centred and turned about the vertical so the hip line l_hip -> r_hip
 * points along +x (the sample stage's canonical facing); on the bundled data that
 * leaves the body facing -z (feet trail the knees at +z, flexed hands lead the elbows
 * at -z). The front view looks at the body from -z: screen right is -x, so the body's
 * right side is on the viewer's left, as in an anatomical drawing. Without hip joints
 * poses keep their facing and the view is the same projection. */
#include <math.h>

#include "../sample/sampler.h" /* dp_canonical_orientation */
#include "report.h"

void rp_prepare_pose(float *pose, int J, int root, int l_hip, int r_hip) {
  float r[3] = {pose[3 * root], pose[3 * root + 1], pose[3 * root + 2]};
  for (int j = 0; j < J; j++)
    for (int k = 0; k < 3; k++) pose[3 * j + k] -= r[k];
  if (l_hip >= 0 && r_hip >= 0) dp_canonical_orientation(pose, J, l_hip, r_hip);
}

void rp_front(const float *pose, int j, double *x, double *y) {
  *x = -(double)pose[3 * j];
  *y = pose[3 * j + 1];
}

void rp_extent(const float *pose, int J, double *w, double *h, double *mx, double *my) {
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (int j = 0; j < J; j++) {
    double x, y;
    rp_front(pose, j, &x, &y);
    if (!isfinite(x) || !isfinite(y)) continue;
    x0 = fmin(x0, x), x1 = fmax(x1, x), y0 = fmin(y0, y), y1 = fmax(y1, y);
  }
  if (!(x1 >= x0)) x0 = x1 = y0 = y1 = 0; /* no finite joint */
  *w = x1 - x0, *h = y1 - y0, *mx = 0.5 * (x0 + x1), *my = 0.5 * (y0 + y1);
}

void rp_view_point(const rp_view *v, const float *pose, int j, double *px, double *py) {
  double x, y;
  rp_front(pose, j, &x, &y);
  *px = v->cx + v->scale * (x - v->mx);
  *py = v->cy - v->scale * (y - v->my);
}

void rp_draw_pose(dp_text *t, const rp_view *v, const float *pose, int J, const int *parent,
                  const dp_pen *pens, dp_pen bone, double dot) {
  for (int j = 0; j < J; j++) {
    if (parent[j] < 0) continue;
    double x0, y0, x1, y1;
    rp_view_point(v, pose, parent[j], &x0, &y0);
    rp_view_point(v, pose, j, &x1, &y1);
    dp_svg_line(t, x0, y0, x1, y1, pens ? pens[j] : bone);
  }
  for (int j = 0; dot > 0 && j < J; j++) {
    double x, y;
    rp_view_point(v, pose, j, &x, &y);
    dp_svg_circle(t, x, y, dot, DP_BLACK, NULL);
  }
}
