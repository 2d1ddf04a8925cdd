/* mh_weights.c - from the raw skin weights to what skinning and part labels use.
 *
 * Normalisation is MakeHuman's (README): divide each weight by the vertex's total, drop
 * normalised weights of 1e-4 or less, and give a vertex with no weight left to `root`.
 * (The shipped weights sum to 0.32 ... 1.67 per vertex and none is dropped.)
 *
 * Bones that share a transform slot move their vertices identically, so their weights
 * are summed per slot: sum_b w_b T_slot(b)(x) = sum_s (sum_{b in s} w_b) T_s(x). The
 * skinning loop then has 1.56 terms per body vertex on average instead of 3.0. */
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "mh_internal.h"

#define MH_WEIGHT_DROP 1e-4

/* Normalised weights of body vertex v, as (bone, weight) pairs; returns their count
 * (at least 1: a vertex with none left is all `root`). */
static int vertex_weights(const dp_mh_model *m, const mh_raw_weights *raw, int v, int *bone,
                          double *w, int max) {
  double total = 0;
  for (int k = raw->start[v]; k < raw->start[v + 1]; k++) total += raw->w[k];
  int n = 0;
  for (int k = raw->start[v]; k < raw->start[v + 1] && n < max && total > 0; k++) {
    double x = raw->w[k] / total;
    if (x <= MH_WEIGHT_DROP) continue;
    bone[n] = raw->bone[k];
    w[n++] = x;
  }
  if (n == 0) {
    bone[0] = m->root_bone;
    w[0] = 1;
    n = 1;
  }
  return n;
}

enum { MAX_PER_VERTEX = 64 };

/* The bone with the largest weight summed over the quad's four vertices (ties: the
 * lower bone number); both of the quad's triangles take its part and slot. */
static void label_quads(dp_mh_model *m, const mh_raw_weights *raw) {
  for (int q = 0; 2 * q < m->n_tri; q++) {
    const uint32_t *t = m->tri + 6 * q;
    const uint32_t corner[4] = {t[0], t[1], t[2], t[5]}; /* (a,b,c), (a,c,d) */
    int bones[4 * MAX_PER_VERTEX], nb = 0;
    double sum[4 * MAX_PER_VERTEX];
    for (int c = 0; c < 4; c++) {
      int b[MAX_PER_VERTEX];
      double w[MAX_PER_VERTEX];
      int n = vertex_weights(m, raw, (int)corner[c], b, w, MAX_PER_VERTEX);
      for (int k = 0; k < n; k++) {
        int i = 0;
        while (i < nb && bones[i] != b[k]) i++;
        if (i == nb) bones[nb] = b[k], sum[nb++] = 0;
        sum[i] += w[k];
      }
    }
    int best = 0;
    for (int i = 1; i < nb; i++)
      if (sum[i] > sum[best] || (sum[i] == sum[best] && bones[i] < bones[best])) best = i;
    for (int k = 0; k < 2; k++) {
      m->tri_part[2 * q + k] = m->bone_part[bones[best]];
      m->tri_slot[2 * q + k] = m->bone_slot[bones[best]];
    }
  }
}

static int merge_slots(dp_mh_model *m, const mh_raw_weights *raw) {
  int nb = m->n_body_vert;
  size_t cap = (size_t)raw->start[nb] + (size_t)nb; /* every pair, plus a root fallback each */
  m->w_start = dp_malloc(sizeof(int) * ((size_t)nb + 1), "slot weight lists");
  m->w_slot = dp_malloc(cap, "slot numbers");
  m->w = dp_malloc(sizeof(float) * cap, "slot weights");
  if (!m->w_start || !m->w_slot || !m->w) return -1;
  int k = 0;
  for (int v = 0; v < nb; v++) {
    int b[MAX_PER_VERTEX];
    double w[MAX_PER_VERTEX], acc[MH_N_SLOTS] = {0};
    int n = vertex_weights(m, raw, v, b, w, MAX_PER_VERTEX);
    for (int i = 0; i < n; i++) acc[m->bone_slot[b[i]]] += w[i];
    m->w_start[v] = k;
    for (int s = 0; s < MH_N_SLOTS; s++)
      if (acc[s] > 0) {
        m->w_slot[k] = (uint8_t)s;
        m->w[k++] = (float)acc[s];
      }
  }
  m->w_start[nb] = k;
  /* give back the room reserved for pairs that were merged */
  uint8_t *slot = realloc(m->w_slot, (size_t)k ? (size_t)k : 1);
  float *w = realloc(m->w, sizeof(float) * ((size_t)k ? (size_t)k : 1));
  if (slot) m->w_slot = slot;
  if (w) m->w = w;
  return 0;
}

int mh_weights_prepare(dp_mh_model *m, const mh_raw_weights *raw) {
  for (int v = 0; v < m->n_body_vert; v++)
    if (raw->start[v + 1] - raw->start[v] > MAX_PER_VERTEX)
      return dp_fail("skin weights: body vertex %d has %d bones, at most %d supported",
                     m->body_vert[v], raw->start[v + 1] - raw->start[v], MAX_PER_VERTEX);
  m->tri_part = dp_malloc(sizeof(uint16_t) * (size_t)m->n_tri, "triangle parts");
  m->tri_slot = dp_malloc((size_t)m->n_tri, "triangle slots");
  if (!m->tri_part || !m->tri_slot) return -1;
  label_quads(m, raw);
  return merge_slots(m, raw);
}
