/* test_asf_amc.c - the ASF/AMC reader: forward kinematics of a 3-joint skeleton
 * (root -> upper -> lower) against positions worked out by hand and with explicit
 * trigonometry, unit handling (length scale, degrees vs radians), and bad input. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/mocap.h"
#include "dp_test.h"
#include "ref_rotation.h"

#define PI 3.14159265358979323846
#define UNIT (25.4 / 0.5) /* three.asf: ":units length 0.5" -> 50.8 mm per unit */

static void transpose(const double A[9], double B[9]) {
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) B[3 * j + i] = A[3 * i + j];
}
static void apply(const double R[9], const double v[3], double out[3]) {
  for (int i = 0; i < 3; i++) out[i] = R[3 * i] * v[0] + R[3 * i + 1] * v[1] + R[3 * i + 2] * v[2];
}
/* Rz(z) * Ry(y) * Rx(x), the CMU viewer's composition of dof and axis angles */
static void rot_zyx(double x, double y, double z, double R[9]) {
  double A[9], B[9], C[9];
  rot_z(z, A), rot_y(y, B), rot_x(x, C);
  mul(A, B, R);
  mul(R, C, R);
}
/* G = P * C * M * C^T */
static void local_to_world(const double P[9], const double C[9], const double M[9], double G[9]) {
  double Ct[9];
  transpose(C, Ct);
  mul(P, C, G);
  mul(G, M, G);
  mul(G, Ct, G);
}

/* One AMC frame of three.amc: root tx ty tz rx ry rz, upper rx ry rz, lower rz rx. */
typedef struct {
  double root[6], upper[3], lower[2];
} amc_frame;

static const amc_frame frames[3] = {
    {{1, 2, 3, 0, 0, 0}, {0, 0, 0}, {0, 0}},
    {{1, 2, 3, 90, 0, 0}, {90, 0, 0}, {0, 90}},
    {{0.5, -1, 2, 20, -35, 50}, {10, -25, 40}, {15, -30}},
};

/* Expected world positions (mm) of root, upper end, lower end. */
static void expected(const amc_frame *f, double unit, double out[3][3]) {
  double G0[9], Cu[9], Mu[9], Gu[9], Cl[9], Ml[9], Gl[9], A[9], B[9], v[3];
  rot_zyx(f->root[3], f->root[4], f->root[5], G0); /* root orientation 0: C = I */
  rot_z(90, Cu);                                   /* upper: axis 0 0 90 XYZ */
  rot_zyx(f->upper[0], f->upper[1], f->upper[2], Mu);
  local_to_world(G0, Cu, Mu, Gu);
  rot_x(90, A), rot_y(90, B);                      /* lower: axis 90 90 0 ZYX: Z first, */
  mul(A, B, Cl);                                   /* so C = Rx(90) * Ry(90) * Rz(0)    */
  rot_zyx(f->lower[1], 0, f->lower[0], Ml);        /* dof "rz rx": values are rz, rx */
  local_to_world(Gu, Cl, Ml, Gl);
  double root[3] = {f->root[0], f->root[1], f->root[2]}, up[3], lo[3];
  const double dir_u[3] = {0, -4, 0}, dir_l[3] = {2, 0, 0}; /* direction * length */
  apply(Gu, dir_u, v);
  for (int a = 0; a < 3; a++) up[a] = root[a] + v[a];
  apply(Gl, dir_l, v);
  for (int a = 0; a < 3; a++) lo[a] = up[a] + v[a];
  for (int a = 0; a < 3; a++) {
    out[0][a] = root[a] * unit;
    out[1][a] = up[a] * unit;
    out[2][a] = lo[a] * unit;
  }
}

static void check_frame(const dp_clip *c, int t, double want[3][3], double tol) {
  for (int j = 0; j < 3; j++)
    for (int a = 0; a < 3; a++) {
      double got = c->pos[((size_t)t * 3 + j) * 3 + a];
      if (fabs(got - want[j][a]) > tol) {
        printf("\n  frame %d joint %d axis %d: got %.5f want %.5f\n", t, j, a, got, want[j][a]);
        CU_FAIL("position differs");
      }
    }
}

static int read_three(const char *asf, const char *amc, double unit, int skip, dp_clip *c) {
  char a[4096], m[4096];
  snprintf(a, sizeof a, "%s", dp_fixture(asf));
  snprintf(m, sizeof m, "%s", dp_fixture(amc));
  int rc = dp_asf_amc_read(a, m, unit, skip, c);
  if (rc) printf("\n  %s\n", dp_error_message());
  return rc;
}

/* Frame 0 has no rotation: upper hangs 4 units below the root, lower points 2 along +X.
 * Frame 1: the root turns Rx(90), which maps (x,y,z) -> (x,-z,y). upper's frame is
 * C = Rz(90), so its rx turns about world Y; a bone along -Y does not move, and the
 * root's turn takes (0,-4,0) to (0,0,-4): upper end (1,2,-1). lower's frame
 * C = Rx(90)*Ry(90) has its X axis along world Y; rx = 90 about it takes (2,0,0) to
 * (0,0,-2); upper's turn about Y takes that to (-2,0,0), the root's Rx(90) keeps it:
 * lower end (-1,2,-1). */
static void test_fk_by_hand(void) {
  dp_clip c;
  CU_ASSERT_EQUAL_FATAL(read_three("ingest/three.asf", "ingest/three.amc", 0, 0, &c), 0);
  CU_ASSERT_EQUAL_FATAL(c.n_joints, 3);
  CU_ASSERT_EQUAL(c.n_frames, 3);
  CU_ASSERT_STRING_EQUAL(c.joint_names[0], "root");
  CU_ASSERT_STRING_EQUAL(c.joint_names[1], "upper");
  CU_ASSERT_STRING_EQUAL(c.joint_names[2], "lower");
  CU_ASSERT_PTR_NOT_NULL_FATAL(c.parent);
  CU_ASSERT(c.parent[0] == -1 && c.parent[1] == 0 && c.parent[2] == 1);
  const double u = UNIT;
  double f0[3][3] = {{1 * u, 2 * u, 3 * u}, {1 * u, -2 * u, 3 * u}, {3 * u, -2 * u, 3 * u}};
  double f1[3][3] = {{1 * u, 2 * u, 3 * u}, {1 * u, 2 * u, -1 * u}, {-1 * u, 2 * u, -1 * u}};
  check_frame(&c, 0, f0, 1e-3);
  check_frame(&c, 1, f1, 1e-3);
  dp_clip_free(&c);
}

static void test_fk_trig(void) {
  dp_clip c;
  CU_ASSERT_EQUAL_FATAL(read_three("ingest/three.asf", "ingest/three.amc", 0, 0, &c), 0);
  for (int t = 0; t < 3; t++) {
    double want[3][3];
    expected(&frames[t], UNIT, want);
    check_frame(&c, t, want, 1e-3);
  }
  /* reading lower's values in rx, rz order (ignoring its dof line) gives another pose */
  amc_frame swapped = frames[2];
  swapped.lower[0] = frames[2].lower[1], swapped.lower[1] = frames[2].lower[0];
  double wrong[3][3];
  expected(&swapped, UNIT, wrong);
  CU_ASSERT(fabs(c.pos[(2 * 3 + 2) * 3 + 0] - wrong[2][0]) +
                fabs(c.pos[(2 * 3 + 2) * 3 + 1] - wrong[2][1]) >
            1.0);
  dp_clip_free(&c);
}

/* The same skeleton and motion with every angle in radians reads the same. */
static void test_radians(void) {
  dp_clip d, r;
  CU_ASSERT_EQUAL_FATAL(read_three("ingest/three.asf", "ingest/three.amc", 0, 0, &d), 0);
  CU_ASSERT_EQUAL_FATAL(read_three("ingest/three_rad.asf", "ingest/three_rad.amc", 0, 0, &r), 0);
  CU_ASSERT_EQUAL_FATAL(r.n_frames, d.n_frames);
  for (int i = 0; i < d.n_frames * 9; i++) CU_ASSERT_DOUBLE_EQUAL(r.pos[i], d.pos[i], 1e-3);
  dp_clip_free(&d);
  dp_clip_free(&r);
}

static void test_units_and_skip(void) {
  dp_clip d, e, s;
  CU_ASSERT_EQUAL_FATAL(read_three("ingest/three.asf", "ingest/three.amc", 0, 0, &d), 0);
  CU_ASSERT_EQUAL_FATAL(read_three("ingest/three.asf", "ingest/three.amc", 10.0, 0, &e), 0);
  for (int i = 0; i < d.n_frames * 9; i++)
    CU_ASSERT_DOUBLE_EQUAL(e.pos[i], d.pos[i] * 10.0 / UNIT, 1e-3);
  CU_ASSERT_EQUAL_FATAL(read_three("ingest/three.asf", "ingest/three.amc", 0, 2, &s), 0);
  CU_ASSERT_EQUAL(s.n_frames, 1);
  CU_ASSERT(memcmp(s.pos, d.pos + 2 * 9, 9 * sizeof(float)) == 0);
  dp_clip_free(&d);
  dp_clip_free(&e);
  dp_clip_free(&s);
}

/* A bone listed before its parent is moved after it; nothing else changes. */
static void test_bone_order(void) {
  dp_clip d, r;
  CU_ASSERT_EQUAL_FATAL(read_three("ingest/three.asf", "ingest/three.amc", 0, 0, &d), 0);
  CU_ASSERT_EQUAL_FATAL(read_three("ingest/three_reordered.asf", "ingest/three.amc", 0, 0, &r),
                        0);
  CU_ASSERT_STRING_EQUAL(r.joint_names[1], "upper");
  CU_ASSERT_STRING_EQUAL(r.joint_names[2], "lower");
  CU_ASSERT(r.parent[1] == 0 && r.parent[2] == 1);
  CU_ASSERT(memcmp(r.pos, d.pos, (size_t)d.n_frames * 9 * sizeof(float)) == 0);
  dp_clip_free(&d);
  dp_clip_free(&r);
}

typedef struct {
  const char *asf, *amc;
  int skip;
  const char *where, *what;
} bad_case;

static const bad_case bad_cases[] = {
    /* AMC motion */
    {"three.asf", "bad_truncated.amc", 0, "bad_truncated.amc:14:", "truncated"},
    {"three.asf", "bad_count.amc", 0, "bad_count.amc:10:", "has 2 values, expected 3"},
    {"three.asf", "bad_number.amc", 0, "bad_number.amc:14:", "not a number: 'x'"},
    {"three.asf", "bad_nan.amc", 0, "bad_nan.amc:11:", "NaN"},
    {"three.asf", "bad_inf.amc", 0, "bad_inf.amc:9:", "infinite"},
    {"three.asf", "bad_frame_gap.amc", 0, "bad_frame_gap.amc:12:", "frame number 4, expected 3"},
    {"three.asf", "bad_unknown_bone.amc", 0, "bad_unknown_bone.amc:6:", "unknown bone 'elbow'"},
    {"three.asf", "bad_empty.amc", 3, "bad_empty.amc:15:", "empty clip"},
    /* ASF skeleton */
    {"bad_truncated.asf", "three.amc", 0, "bad_truncated.asf:25:", "truncated"},
    {"bad_number.asf", "three.amc", 0, "bad_number.asf:21:", "not a number: 'four'"},
    {"bad_dof.asf", "three.amc", 0, "bad_dof.asf:34:", "dof 'tx'"},
    {"bad_parent.asf", "three.amc", 0, "bad_parent.asf:28:", "not connected"},
};

static void test_bad_inputs(void) {
  for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
    const bad_case *b = &bad_cases[i];
    char asf[4096], amc[4096], name[128];
    snprintf(name, sizeof name, "ingest/%s", b->asf);
    snprintf(asf, sizeof asf, "%s", dp_fixture(name));
    snprintf(name, sizeof name, "ingest/%s", b->amc);
    snprintf(amc, sizeof amc, "%s", dp_fixture(name));
    dp_error_clear();
    dp_clip c;
    int rc = dp_asf_amc_read(asf, amc, 0, b->skip, &c);
    const char *msg = dp_error_message();
    int ok = rc == -1 && strstr(msg, b->where) && strstr(msg, b->what);
    if (!ok) printf("\n  %s + %s: rc %d, message \"%s\"", b->asf, b->amc, rc, msg);
    CU_ASSERT(ok);
    CU_ASSERT(c.pos == NULL && c.n_frames == 0 && c.joint_names == NULL);
  }
  dp_error_clear();
}

static void test_bad_arguments(void) {
  char asf[4096];
  snprintf(asf, sizeof asf, "%s", dp_fixture("ingest/three.asf"));
  dp_clip c;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_asf_amc_read(asf, "/nonexistent/x.amc", 0, 0, &c), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "/nonexistent/x.amc: cannot open"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_asf_amc_read("/nonexistent/x.asf", "/nonexistent/x.amc", 0, 0, &c), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "/nonexistent/x.asf: cannot open"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_asf_amc_read(asf, asf, -1.0, 0, &c), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "unit_mm"));
  dp_error_clear();
}

DP_TEST_MAIN("asf_amc", DP_TEST(test_fk_by_hand), DP_TEST(test_fk_trig), DP_TEST(test_radians),
             DP_TEST(test_units_and_skip), DP_TEST(test_bone_order), DP_TEST(test_bad_inputs), DP_TEST(test_bad_arguments))
