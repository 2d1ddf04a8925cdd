/* canonical.c - turn a pose to face one way (see sampler.h). */
#include <math.h>

#include "sampler.h"

void dp_canonical_orientation(float *pose, int J, int l, int r) {
  double dx = pose[3 * r] - pose[3 * l], dz = pose[3 * r + 2] - pose[3 * l + 2];
  double len = sqrt(dx * dx + dz * dz);
  if (len == 0) return; /* hips exactly vertical: no facing to undo */
  /* Rotation about Y by angle a maps (x, z) to (x cos a + z sin a, -x sin a + z cos a);
   * choose a so that (dx, dz) goes to (len, 0). */
  double c = dx / len, s = dz / len;
  for (int j = 0; j < J; j++) {
    double x = pose[3 * j], z = pose[3 * j + 2];
    pose[3 * j] = (float)(c * x + s * z);
    pose[3 * j + 2] = (float)(-s * x + c * z);
  }
}
