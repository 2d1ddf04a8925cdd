/* mh_shape.c - body shapes: MakeHuman's macro sliders turned into target weights (the
 * README's blending rule), the built-in table of named shapes, seeded sampled shapes,
 * and building a shape: the morphed mesh in world mm plus its rest rig joints. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/rng.h"
#include "mh_internal.h"

/* ---- the blending rule ---------------------------------------------------------- */

/* Three-level sliders (muscle, weight, height): 0 = all "min", 0.5 = all "average",
 * 1 = all "max", linear in between. */
static double level_min(double x) { return fmax(0.0, 1.0 - 2.0 * x); }
static double level_max(double x) { return fmax(0.0, 2.0 * x - 1.0); }
static double level_avg(double x) { return 1.0 - level_min(x) - level_max(x); }

/* Weight of one word of a target's path if it names a slider level; -1 if it only
 * names a group (macrodetails, universal, height, ...). */
static double word_weight(const char *w, const dp_mh_shape *s) {
  const struct {
    const char *word;
    double value;
  } LEVELS[] = {
      {"female", 1.0 - s->gender},           {"male", s->gender},
      {"young", 1.0}, /* age fixed at 0.5 */ {"baby", 0.0},
      {"child", 0.0},                        {"old", 0.0},
      {"minmuscle", level_min(s->muscle)},   {"averagemuscle", level_avg(s->muscle)},
      {"maxmuscle", level_max(s->muscle)},   {"minweight", level_min(s->weight)},
      {"averageweight", level_avg(s->weight)}, {"maxweight", level_max(s->weight)},
      {"minheight", level_min(s->height)},   {"averageheight", level_avg(s->height)},
      {"maxheight", level_max(s->height)},   {"african", s->african},
      {"asian", s->asian},                   {"caucasian", s->caucasian},
  };
  for (size_t i = 0; i < sizeof LEVELS / sizeof LEVELS[0]; i++)
    if (!strcmp(w, LEVELS[i].word)) return LEVELS[i].value;
  return -1;
}

double dp_mh_target_weight(const char *path, const dp_mh_shape *s) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  size_t n = strlen(buf);
  if (n > 7 && !strcmp(buf + n - 7, ".target")) buf[n - 7] = '\0';
  double w = 1.0;
  char *save = NULL;
  for (char *word = strtok_r(buf, "-/", &save); word; word = strtok_r(NULL, "-/", &save)) {
    double x = word_weight(word, s);
    if (x >= 0) w *= x;
  }
  return w;
}

/* ---- named and sampled shapes ----------------------------------------------------- */

#define THIRD (1.0f / 3.0f)
static const dp_mh_named_shape DEFAULT_SHAPES[DP_MH_N_DEFAULT_SHAPES] = {
    /* name             gender muscle weight height  african asian caucasian */
    {"female_average", {0.00f, 0.50f, 0.50f, 0.50f, THIRD, THIRD, THIRD}},
    {"female_slim", {0.00f, 0.45f, 0.20f, 0.55f, 0.0f, 0.0f, 1.0f}},
    {"female_heavy", {0.00f, 0.45f, 0.90f, 0.45f, 1.0f, 0.0f, 0.0f}},
    {"female_athletic", {0.00f, 0.85f, 0.40f, 0.55f, 0.5f, 0.0f, 0.5f}},
    {"female_petite", {0.00f, 0.40f, 0.35f, 0.42f, 0.0f, 0.6f, 0.4f}},
    {"female_curvy", {0.05f, 0.50f, 0.70f, 0.50f, 0.2f, 0.3f, 0.5f}},
    {"male_average", {1.00f, 0.50f, 0.50f, 0.50f, THIRD, THIRD, THIRD}},
    {"male_slim", {1.00f, 0.35f, 0.15f, 0.60f, 0.0f, 1.0f, 0.0f}},
    {"male_heavy", {1.00f, 0.50f, 0.95f, 0.45f, 0.0f, 0.0f, 1.0f}},
    {"male_muscular", {1.00f, 1.00f, 0.55f, 0.52f, 1.0f, 0.0f, 0.0f}},
    {"male_stocky", {1.00f, 0.70f, 0.75f, 0.35f, 0.3f, 0.3f, 0.4f}},
    {"male_tall_lean", {0.95f, 0.60f, 0.30f, 0.58f, 0.6f, 0.0f, 0.4f}},
};

const dp_mh_named_shape *dp_mh_default_shapes(void) { return DEFAULT_SHAPES; }

int dp_mh_shape_lookup(const char *name, dp_mh_shape *out) {
  char list[512] = "";
  for (int i = 0; i < DP_MH_N_DEFAULT_SHAPES; i++) {
    if (!strcmp(name, DEFAULT_SHAPES[i].name)) {
      *out = DEFAULT_SHAPES[i].shape;
      return 0;
    }
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
             DEFAULT_SHAPES[i].name);
  }
  return dp_fail("MakeHuman shape \"%s\" is not one of the default shapes (%s)", name, list);
}

int dp_mh_shape_check(const dp_mh_shape *s) {
  const char *const NAME[7] = {"gender", "muscle", "weight", "height", "african", "asian", "caucasian"};
  const float *v = &s->gender;
  for (int i = 0; i < 7; i++)
    if (!(v[i] >= 0 && v[i] <= 1)) /* also catches NaN */
      return dp_fail("MakeHuman shape: %s = %g, expected a number in [0, 1]", NAME[i], v[i]);
  double races = (double)s->african + s->asian + s->caucasian;
  if (fabs(races - 1.0) > 1e-3)
    return dp_fail("MakeHuman shape: race weights african %g + asian %g + caucasian %g = %g, "
                   "expected 1", s->african, s->asian, s->caucasian, races);
  return 0;
}

/* Triangular on [lo, hi] (the mean of two uniforms): most bodies near the middle. */
static float triangular(double lo, double hi, double u1, double u2) {
  return (float)(lo + (hi - lo) * 0.5 * (u1 + u2));
}

void dp_mh_shape_sample(uint64_t seed, uint64_t index, dp_mh_shape *out) {
  dp_rng r;
  dp_rng_init(&r, seed, DP_STREAM_RENDER, index, DP_MH_RENDER_SUB_SHAPE);
  double u[11];
  for (int i = 0; i < 11; i++) u[i] = dp_rng_uniform(&r); /* fixed count: a pure function */
  out->gender = (float)(u[0] < 0.5 ? 0.1 * u[1] : 1.0 - 0.1 * u[1]);
  out->muscle = triangular(0.1, 0.9, u[2], u[3]);
  out->weight = triangular(0.1, 0.9, u[4], u[5]);
  out->height = triangular(0.35, 0.65, u[6], u[7]);
  /* Dirichlet(1, 1, 1): normalised exponentials */
  double e[3] = {-log(u[8]), -log(u[9]), -log(u[10])}, t = e[0] + e[1] + e[2];
  out->african = (float)(e[0] / t);
  out->asian = (float)(e[1] / t);
  out->caucasian = (float)(e[2] / t);
}

/* ---- building a shape ------------------------------------------------------------- */

/* All vertices, decimetres, in double: base plus the weighted target deltas. */
static double *morph(const dp_mh_model *m, const dp_mh_shape *s) {
  double *P = dp_malloc(sizeof(double) * 3 * (size_t)m->n_vert, "shaped vertices");
  if (!P) return NULL;
  for (int i = 0; i < 3 * m->n_vert; i++) P[i] = m->base[i];
  for (int t = 0; s && t < m->n_target; t++) {
    const dp_mh_target *tg = &m->target[t];
    double w = dp_mh_target_weight(tg->path, s);
    if (w == 0) continue;
    for (int k = 0; k < tg->n; k++)
      for (int c = 0; c < 3; c++) P[3 * tg->delta[k].v + c] += w * tg->delta[k].d[c];
  }
  return P;
}

int dp_mh_body_build(const dp_mh_model *m, const dp_mh_shape *shape, dp_mh_body *out) {
  memset(out, 0, sizeof *out);
  if (shape) {
    DP_TRY(dp_mh_shape_check(shape));
    if (!m->target)
      return dp_fail("MakeHuman body: the shape targets were already released "
                     "(dp_mh_model_drop_targets); build every shape before dropping them");
    out->shape = *shape;
  }
  out->neutral = shape == NULL;
  double *P = morph(m, shape);
  out->rest = dp_malloc(sizeof(float) * 3 * (size_t)m->n_body_vert, "rest body vertices");
  if (!P || !out->rest) {
    free(P);
    dp_mh_body_free(out);
    return -1;
  }
  double ground = 0; /* the joint-ground cube's centre height */
  for (int i = 0; i < m->n_ground; i++) ground += P[3 * m->ground_vert[i] + 1];
  ground /= m->n_ground;
  for (int c = 0; c < 3; c++) out->lo[c] = INFINITY, out->hi[c] = -INFINITY;
  for (int i = 0; i < m->n_body_vert; i++) {
    float *r = out->rest + 3 * i;
    mh_world_mm(P + 3 * m->body_vert[i], ground, r);
    for (int c = 0; c < 3; c++) out->lo[c] = fminf(out->lo[c], r[c]), out->hi[c] = fmaxf(out->hi[c], r[c]);
  }
  mh_rig_joints(m, P, ground, out->joints);
  free(P);
  return 0;
}

void dp_mh_body_free(dp_mh_body *b) {
  if (!b) return;
  free(b->rest);
  memset(b, 0, sizeof *b);
}

size_t dp_mh_body_bytes(const dp_mh_model *m) {
  return sizeof(dp_mh_body) + sizeof(float) * 3 * (size_t)m->n_body_vert;
}
