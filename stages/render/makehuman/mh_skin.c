/* mh_skin.c - linear blend skinning of the body group with the slot transforms of the
 * current pose, appended to the frame's mesh (the per-frame hot loop: no allocation
 * once the mesh has grown, float arithmetic, 1.56 weighted slots per vertex). */
#include <math.h>

#include "depthpose/error.h"
#include "mh_internal.h"

int mh_skin(const dp_mh_model *m, const dp_mh_body *b, dp_mesh *out, float *floor_y) {
  DP_TRY(dp_mesh_reserve(out, m->n_body_vert, m->n_tri));
  float *dst = out->v + 3 * (size_t)out->nv, ymin = INFINITY;
  for (int v = 0; v < m->n_body_vert; v++) {
    const float *x = b->rest + 3 * v;
    int k0 = m->w_start[v], k1 = m->w_start[v + 1];
    float A[12], w = m->w[k0];
    const float *M = m->slot_m[m->w_slot[k0]];
    if (k1 - k0 > 1) { /* blend the matrices, then apply once */
      for (int i = 0; i < 12; i++) A[i] = w * M[i];
      for (int k = k0 + 1; k < k1; k++) {
        const float *N = m->slot_m[m->w_slot[k]];
        for (int i = 0; i < 12; i++) A[i] += m->w[k] * N[i];
      }
      M = A;
      w = 1;
    } /* one slot (most vertices): apply it and scale by its weight */
    float *y = dst + 3 * v;
    for (int r = 0; r < 3; r++)
      y[r] = w * (M[4 * r] * x[0] + M[4 * r + 1] * x[1] + M[4 * r + 2] * x[2] + M[4 * r + 3]);
    ymin = y[1] < ymin ? y[1] : ymin; /* not fminf: a libm call in this loop */
  }
  uint32_t base = (uint32_t)out->nv;
  uint32_t *t = out->tri + 3 * (size_t)out->nt;
  for (int i = 0; i < 3 * m->n_tri; i++) t[i] = m->tri[i] + base;
  for (int i = 0; i < m->n_tri; i++) out->id[out->nt + i] = m->tri_part[i];
  out->nv += m->n_body_vert;
  out->nt += m->n_tri;
  *floor_y = ymin;
  return 0;
}
