/* ref_rotation.h - reference rotations for the kinematics tests, written out directly
 * (independently of the readers' own code): R_x, R_y, R_z in degrees, row-major 3x3,
 * and a product that may be taken in place. */
#ifndef DP_REF_ROTATION_H
#define DP_REF_ROTATION_H
#include <math.h>
#include <string.h>

#define REF_PI 3.14159265358979323846

static inline void rot_x(double deg, double R[9]) {
  double c = cos(deg * REF_PI / 180), s = sin(deg * REF_PI / 180);
  double m[9] = {1, 0, 0, 0, c, -s, 0, s, c};
  memcpy(R, m, sizeof m);
}
static inline void rot_y(double deg, double R[9]) {
  double c = cos(deg * REF_PI / 180), s = sin(deg * REF_PI / 180);
  double m[9] = {c, 0, s, 0, 1, 0, -s, 0, c};
  memcpy(R, m, sizeof m);
}
static inline void rot_z(double deg, double R[9]) {
  double c = cos(deg * REF_PI / 180), s = sin(deg * REF_PI / 180);
  double m[9] = {c, -s, 0, s, c, 0, 0, 0, 1};
  memcpy(R, m, sizeof m);
}
static inline void mul(const double A[9], const double B[9], double C[9]) {
  double T[9];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      T[3 * i + j] = 0;
      for (int k = 0; k < 3; k++) T[3 * i + j] += A[3 * i + k] * B[3 * k + j];
    }
  memcpy(C, T, sizeof T);
}
#endif
