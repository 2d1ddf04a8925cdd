/* body_parametric.c - a body posed directly from joint positions (sampled poses carry
 * no joint rotations and their bone lengths vary, so the body is built around the
 * joints rather than skinned): tapered capsules for the limbs, neck and shoulder line,
 * an ellipsoid head, capsule hands and feet, and a trunk lofted through elliptical
 * cross-sections from below the hip line to the shoulder line.
 *
 * Directions come from the pose itself: "right" from the hip and shoulder lines,
 * "up" along the spine, forward = up x right (world Y up, right-handed: a body facing
 * +Z with up +Y has its left side toward +X). Radii are those of a standard adult in
 * mm, scaled by the shape (girth, limb thickness, ...). */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/pose.h"
#include "depthpose/render.h"
#include "depthpose/rng.h"

/* ---- small vector helpers ---------------------------------------------------- */
typedef struct {
  float x, y, z;
} v3;
static v3 V(const float *p) { return (v3){p[0], p[1], p[2]}; }
static v3 add(v3 a, v3 b) { return (v3){a.x + b.x, a.y + b.y, a.z + b.z}; }
static v3 sub(v3 a, v3 b) { return (v3){a.x - b.x, a.y - b.y, a.z - b.z}; }
static v3 mul(v3 a, float s) { return (v3){a.x * s, a.y * s, a.z * s}; }
static v3 mid(v3 a, v3 b) { return mul(add(a, b), 0.5f); }
static float dot(v3 a, v3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static float len(v3 a) { return sqrtf(dot(a, a)); }
static v3 cross(v3 a, v3 b) {
  return (v3){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
/* Unit vector along a, or `fallback` when a is (nearly) zero. */
static v3 unit_or(v3 a, v3 fallback) {
  float n = len(a);
  return n > 1e-3f ? mul(a, 1.0f / n) : fallback;
}
/* Component of a orthogonal to the unit vector n, normalised (fallback if parallel). */
static v3 ortho(v3 a, v3 n, v3 fallback) { return unit_or(sub(a, mul(n, dot(a, n))), fallback); }

/* ---- shapes --------------------------------------------------------------------- */

void dp_body_shape_standard(dp_body_shape *s) {
  *s = (dp_body_shape){1.0f, 1.0f, 1.0f, 1.0f, 0.0f, 1.0f};
}

/* Ranges of the shape table, chosen to span slim to heavy adults around the standard
 * body (whose radii below are a typical adult's: waist ~ 280 x 190 mm, thigh 160 mm
 * across): girth scales every cross-section, the others refine it. */
static const float SHAPE_LO[6] = {0.85f, 0.90f, 0.85f, 0.85f, 0.0f, 0.92f};
static const float SHAPE_HI[6] = {1.25f, 1.15f, 1.30f, 1.20f, 70.0f, 1.08f};

static float *shape_field(dp_body_shape *s, int p) {
  switch (p) {
    case 0: return &s->girth;
    case 1: return &s->trunk_width;
    case 2: return &s->trunk_depth;
    case 3: return &s->limb_thickness;
    case 4: return &s->belly;
    default: return &s->head_size;
  }
}

int dp_body_shape_table(uint64_t seed, int n, dp_body_shape *out) {
  if (n < 1 || n > 1000000) return dp_fail("body shapes: count %d, expected 1..1000000", n);
  int *perm = dp_malloc((size_t)n * sizeof *perm, "body-shape strata");
  if (!perm) return -1;
  for (int p = 0; p < 6; p++) {
    /* Latin hypercube: parameter p takes one value from each of n strata, in a
     * seeded random order (Fisher-Yates), jittered within its stratum - so any two
     * shapes differ in every parameter. */
    dp_rng g;
    dp_rng_init(&g, seed, DP_STREAM_RENDER, (uint64_t)p, DP_RENDER_SUB_SHAPE);
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = (int)dp_rng_below(&g, (uint32_t)i + 1), t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    for (int i = 0; i < n; i++) {
      double u = (perm[i] + dp_rng_uniform(&g)) / n;
      *shape_field(&out[i], p) = (float)(SHAPE_LO[p] + (SHAPE_HI[p] - SHAPE_LO[p]) * u);
    }
  }
  free(perm);
  return 0;
}

/* ---- model --------------------------------------------------------------------- */

static const char *const NEEDED[DP_BODY_NJOINTS] = {
    "head",   "neck",   "torso", "l_shoulder", "r_shoulder", "l_elbow", "r_elbow", "l_hand",
    "r_hand", "l_hip",  "r_hip", "l_knee",     "r_knee",     "l_foot",  "r_foot"};

#define OFF(f) offsetof(dp_body_joints, f)
static const size_t FIELD[DP_BODY_NJOINTS] = {
    OFF(head),   OFF(neck),   OFF(torso), OFF(l_shoulder), OFF(r_shoulder),
    OFF(l_elbow), OFF(r_elbow), OFF(l_hand), OFF(r_hand),  OFF(l_hip),
    OFF(r_hip),  OFF(l_knee), OFF(r_knee), OFF(l_foot),    OFF(r_foot)};
static int *joint_field(dp_body_joints *ix, int i) { return (int *)((char *)ix + FIELD[i]); }
static int joint_at(const dp_body_joints *ix, int i) {
  return *(const int *)((const char *)ix + FIELD[i]);
}

int dp_body_joints_lookup(dp_body_joints *ix, const char *const *names, int n) {
  for (int i = 0; i < DP_BODY_NJOINTS; i++) {
    int k = dp_joint_index(names, n, NEEDED[i]);
    *joint_field(ix, i) = k;
    if (k < 0)
      return dp_fail("body model: the joint list (%d joints) has no \"%s\"; the parametric "
                     "body needs all of the 15 canonical joints",
                     n, NEEDED[i]);
  }
  return 0;
}

int dp_body_param_init(dp_body_param_model *model, const char *const *names, int n) {
  DP_TRY(dp_body_joints_lookup(&model->ix, names, n));
  model->n_joints = n;
  model->seg = 12;
  model->rings = 3;
  return 0;
}

/* Standard-adult radii (mm) before shape scaling. */
enum { R_UPPER_ARM0 = 48, R_UPPER_ARM1 = 38, R_FOREARM1 = 28, R_HAND = 30, R_THIGH0 = 80,
       R_THIGH1 = 55, R_SHIN0 = 50, R_SHIN1 = 36, R_FOOT = 34, R_NECK = 55, R_SHOULDER = 52 };
static const float HEAD_AXES[3] = {78, 95, 112}; /* across, front-back, up */

typedef struct {
  const dp_body_param_model *md;
  const dp_body_shape *sh;
  const float *j;
  dp_mesh *out;
  float limb; /* limb radius scale */
  v3 up, right, fwd; /* body frame */
} builder;

static v3 J(const builder *b, int idx) { return V(b->j + 3 * idx); }

static int capsule(builder *b, v3 p, v3 q, float r0, float r1, uint16_t id) {
  const float a[3] = {p.x, p.y, p.z}, c[3] = {q.x, q.y, q.z};
  return dp_mesh_capsule(b->out, a, c, r0, r1, b->md->seg, b->md->rings, id);
}

static int limbs(builder *b) {
  const dp_body_joints *x = &b->md->ix;
  float s = b->limb;
  DP_TRY(capsule(b, J(b, x->l_shoulder), J(b, x->l_elbow), R_UPPER_ARM0 * s, R_UPPER_ARM1 * s, DP_PART_L_UPPER_ARM));
  DP_TRY(capsule(b, J(b, x->r_shoulder), J(b, x->r_elbow), R_UPPER_ARM0 * s, R_UPPER_ARM1 * s, DP_PART_R_UPPER_ARM));
  DP_TRY(capsule(b, J(b, x->l_elbow), J(b, x->l_hand), R_UPPER_ARM1 * s, R_FOREARM1 * s, DP_PART_L_FOREARM));
  DP_TRY(capsule(b, J(b, x->r_elbow), J(b, x->r_hand), R_UPPER_ARM1 * s, R_FOREARM1 * s, DP_PART_R_FOREARM));
  DP_TRY(capsule(b, J(b, x->l_hip), J(b, x->l_knee), R_THIGH0 * s, R_THIGH1 * s, DP_PART_L_THIGH));
  DP_TRY(capsule(b, J(b, x->r_hip), J(b, x->r_knee), R_THIGH0 * s, R_THIGH1 * s, DP_PART_R_THIGH));
  DP_TRY(capsule(b, J(b, x->l_knee), J(b, x->l_foot), R_SHIN0 * s, R_SHIN1 * s, DP_PART_L_SHIN));
  return capsule(b, J(b, x->r_knee), J(b, x->r_foot), R_SHIN0 * s, R_SHIN1 * s, DP_PART_R_SHIN);
}

/* A hand: a mitten-sized capsule continuing the forearm beyond the wrist joint. */
static int hand(builder *b, int elbow, int wrist, uint16_t id) {
  v3 w = J(b, wrist), dir = unit_or(sub(w, J(b, elbow)), mul(b->up, -1.0f));
  float r = R_HAND * b->limb * 0.9f;
  return capsule(b, add(w, mul(dir, 15.0f)), add(w, mul(dir, 85.0f)), r, r * 0.85f, id);
}

/* A foot: heel-to-toe capsule below the ankle, pointing along the body's forward
 * direction made perpendicular to the shin (so a kneeling foot follows the shin). */
static int foot(builder *b, int knee, int ankle, uint16_t id) {
  v3 a = J(b, ankle), up = unit_or(sub(J(b, knee), a), b->up);
  v3 f = ortho(b->fwd, up, b->right);
  float r = R_FOOT * b->limb;
  v3 heel = add(a, add(mul(up, -45.0f), mul(f, -35.0f)));
  v3 toe = add(a, add(mul(up, -55.0f), mul(f, 140.0f)));
  return capsule(b, heel, toe, r, r * 0.8f, id);
}

static int head_and_neck(builder *b) {
  const dp_body_joints *x = &b->md->ix;
  v3 h = J(b, x->head), n = J(b, x->neck);
  DP_TRY(capsule(b, n, mid(n, h), R_NECK * b->sh->girth, R_NECK * b->sh->girth * 0.9f, DP_PART_NECK));
  /* head frame: pole axis along neck -> head, depth axis the body's forward */
  v3 up = unit_or(sub(h, n), b->up), fwd = ortho(b->fwd, up, b->fwd), rt = cross(fwd, up);
  float rot[9] = {rt.x, fwd.x, up.x, rt.y, fwd.y, up.y, rt.z, fwd.z, up.z};
  float hs = b->sh->head_size;
  const float c[3] = {h.x, h.y, h.z}, r[3] = {HEAD_AXES[0] * hs, HEAD_AXES[1] * hs, HEAD_AXES[2] * hs};
  return dp_mesh_ellipsoid(b->out, c, r, rot, b->md->seg, 8, DP_PART_HEAD);
}

/* ---- trunk -------------------------------------------------------------------- */
#define TRUNK_SECTIONS 5

typedef struct {
  v3 c, lat, fwd; /* centre, unit lateral (right) and forward axes */
  float a, b;     /* semi-axes along lat and fwd */
} section;

/* Connect consecutive elliptical sections with quads and close both ends with a pole
 * (winding outward: lat x fwd = up, profile bottom to top, as in dp_mesh_revolve). */
static int loft(builder *b, const section *s, int n, v3 bottom, v3 top, uint16_t id) {
  dp_mesh *m = b->out;
  int seg = b->md->seg;
  DP_TRY(dp_mesh_reserve(m, n * seg + 2, 2 * n * seg));
  int pole0 = dp_mesh_vertex(m, bottom.x, bottom.y, bottom.z), first = m->nv;
  for (int k = 0; k < n; k++)
    for (int j = 0; j < seg; j++) {
      double t = 6.283185307179586 * j / seg;
      v3 p = add(s[k].c, add(mul(s[k].lat, s[k].a * (float)cos(t)), mul(s[k].fwd, s[k].b * (float)sin(t))));
      dp_mesh_vertex(m, p.x, p.y, p.z);
    }
  int pole1 = dp_mesh_vertex(m, top.x, top.y, top.z);
  for (int j = 0; j < seg; j++) {
    int j1 = (j + 1) % seg;
    DP_TRY(dp_mesh_triangle(m, pole0, first + j1, first + j, id));
    for (int k = 0; k + 1 < n; k++) {
      int a = first + k * seg + j, bb = first + k * seg + j1;
      int c = bb + seg, d = a + seg;
      DP_TRY(dp_mesh_triangle(m, a, bb, c, id));
      DP_TRY(dp_mesh_triangle(m, a, c, d, id));
    }
    int last = first + (n - 1) * seg;
    DP_TRY(dp_mesh_triangle(m, last + j, last + j1, pole1, id));
  }
  return 0;
}

/* Trunk sections: fraction along hip centre -> shoulder centre, semi-width, semi-depth
 * (standard adult, mm; the pelvis one below the hip line covers the hip joints). */
static const float TRUNK_F[TRUNK_SECTIONS] = {-0.10f, 0.25f, 0.55f, 0.82f, 0.97f};
static const float TRUNK_B[TRUNK_SECTIONS] = {100, 95, 108, 98, 72};

static float trunk_halfwidth(int k, float hip_half, float sh_half) {
  switch (k) {
    case 0: return hip_half + 70.0f;
    case 1: return 0.5f * (hip_half + 70.0f) + 0.3f * sh_half;
    case 2: return 0.45f * (hip_half + 70.0f) + 0.55f * sh_half;
    case 3: return 0.90f * sh_half + 10.0f;
    default: return 0.70f * sh_half;
  }
}

static int trunk(builder *b) {
  const dp_body_joints *x = &b->md->ix;
  v3 hl = J(b, x->l_hip), hr = J(b, x->r_hip), sl = J(b, x->l_shoulder), sr = J(b, x->r_shoulder);
  v3 H = mid(hl, hr), S = mid(sl, sr), T = J(b, x->torso);
  float hip_half = 0.5f * len(sub(hr, hl)), sh_half = 0.5f * len(sub(sr, sl));
  v3 lat_h = ortho(sub(hr, hl), b->up, b->right), lat_s = ortho(sub(sr, sl), b->up, b->right);
  const dp_body_shape *sh = b->sh;
  float wa = sh->girth * sh->trunk_width, wb = sh->girth * sh->trunk_depth;
  section s[TRUNK_SECTIONS];
  for (int k = 0; k < TRUNK_SECTIONS; k++) {
    float f = TRUNK_F[k];
    /* centre line H -> T -> S: the torso joint bends the spine (bent-over poses) */
    float ft = 0.3f; /* where T sits on the line */
    v3 c = f < ft ? add(H, mul(sub(T, H), f / ft)) : add(T, mul(sub(S, T), (f - ft) / (1 - ft)));
    v3 tangent = unit_or(f < ft ? sub(T, H) : sub(S, T), b->up);
    float g = f < 0 ? 0 : (f > 1 ? 1 : f);
    v3 lat = ortho(add(mul(lat_h, 1 - g), mul(lat_s, g)), tangent, b->right);
    v3 fwd = cross(tangent, lat);
    float belly = (k == 1 ? 1.0f : k == 2 ? 0.4f : 0.0f) * sh->belly;
    s[k] = (section){add(c, mul(fwd, 0.5f * belly)), lat, fwd,
                     trunk_halfwidth(k, hip_half, sh_half) * wa, TRUNK_B[k] * wb + 0.5f * belly};
  }
  v3 bottom = sub(s[0].c, mul(b->up, 60.0f * wb));
  v3 top = add(s[TRUNK_SECTIONS - 1].c, mul(b->up, 40.0f));
  DP_TRY(loft(b, s, TRUNK_SECTIONS, bottom, top, DP_PART_TRUNK));
  /* rounded shoulder line joining the arms to the trunk, ending inside the upper arms
   * so its caps do not stick out past them */
  float rs = R_SHOULDER * sh->girth;
  v3 S2 = mid(sl, sr);
  return capsule(b, add(S2, mul(sub(sl, S2), 0.88f)), add(S2, mul(sub(sr, S2), 0.88f)), rs, rs,
                 DP_PART_TRUNK);
}

static int check_joints(const builder *b) {
  for (int i = 0; i < DP_BODY_NJOINTS; i++) {
    const float *p = b->j + 3 * joint_at(&b->md->ix, i);
    if (!(isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2])))
      return dp_fail("body model: joint \"%s\" is not finite (%g, %g, %g)", NEEDED[i], p[0],
                     p[1], p[2]);
  }
  return 0;
}

/* Body frame: up along hips -> shoulders, right from the hip and shoulder lines. */
static void body_frame(builder *b) {
  const dp_body_joints *x = &b->md->ix;
  v3 H = mid(J(b, x->l_hip), J(b, x->r_hip)), S = mid(J(b, x->l_shoulder), J(b, x->r_shoulder));
  b->up = unit_or(sub(S, H), (v3){0, 1, 0});
  v3 r = add(sub(J(b, x->r_hip), J(b, x->l_hip)), sub(J(b, x->r_shoulder), J(b, x->l_shoulder)));
  b->right = ortho(r, b->up, ortho((v3){-1, 0, 0}, b->up, (v3){0, 0, 1}));
  b->fwd = cross(b->up, b->right);
}

int dp_body_param_build(const void *model, const float *joints, const dp_body_shape *shape,
                        dp_mesh *out) {
  builder b = {.md = model, .sh = shape, .j = joints, .out = out};
  b.limb = shape->girth * shape->limb_thickness;
  DP_TRY(check_joints(&b));
  body_frame(&b);
  const dp_body_joints *x = &b.md->ix;
  DP_TRY(trunk(&b));
  DP_TRY(head_and_neck(&b));
  DP_TRY(limbs(&b));
  DP_TRY(hand(&b, x->l_elbow, x->l_hand, DP_PART_L_HAND));
  DP_TRY(hand(&b, x->r_elbow, x->r_hand, DP_PART_R_HAND));
  DP_TRY(foot(&b, x->l_knee, x->l_foot, DP_PART_L_FOOT));
  return foot(&b, x->r_knee, x->r_foot, DP_PART_R_FOOT);
}

void dp_body_param_joint_radii(const dp_body_shape *s, float r[DP_BODY_NJOINTS]) {
  float limb = s->girth * s->limb_thickness;
  float trunk = s->girth * s->trunk_depth * 108.0f + s->belly;
  float head = HEAD_AXES[2] * s->head_size;
  const float v[DP_BODY_NJOINTS] = {
      head, fmaxf(trunk, R_NECK * s->girth), trunk, fmaxf(trunk, R_UPPER_ARM0 * limb),
      fmaxf(trunk, R_UPPER_ARM0 * limb), R_UPPER_ARM1 * limb, R_UPPER_ARM1 * limb,
      R_HAND * limb, R_HAND * limb, fmaxf(trunk, R_THIGH0 * limb),
      fmaxf(trunk, R_THIGH0 * limb), R_SHIN0 * limb, R_SHIN0 * limb,
      45.0f + R_FOOT * limb, 45.0f + R_FOOT * limb};
  memcpy(r, v, sizeof v);
}

/* Middle of the joints' bounding box: unlike the trunk centre it stays in the middle of
 * the body for any pose (standing, lying, arms raised), so a camera aimed at it keeps
 * head and feet in view. */
void dp_body_param_centre(const dp_body_param_model *m, const float *j, float c[3]) {
  for (int a = 0; a < 3; a++) {
    float lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < DP_BODY_NJOINTS; i++) {
      float v = j[3 * joint_at(&m->ix, i) + a];
      lo = fminf(lo, v);
      hi = fmaxf(hi, v);
    }
    c[a] = 0.5f * (lo + hi);
  }
}

/* The foot capsule's lowest point (heel or toe) for an upright shin. */
float dp_body_param_floor_y(const dp_body_param_model *m, const float *j,
                            const dp_body_shape *s) {
  float y = fminf(j[3 * m->ix.l_foot + 1], j[3 * m->ix.r_foot + 1]);
  float r = R_FOOT * s->girth * s->limb_thickness;
  return y - fmaxf(45.0f + r, 55.0f + 0.8f * r);
}
