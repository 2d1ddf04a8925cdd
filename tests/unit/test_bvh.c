/* test_bvh.c - the BVH reader: forward kinematics against positions computed here by
 * hand and with explicit trigonometry, a bundled CMU clip checked for physical sense,
 * and every kind of bad input reported with file and line. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "depthpose/error.h"
#include "depthpose/mocap.h"
#include "dp_test.h"
#include "ref_rotation.h"

#define PI 3.14159265358979323846

/* ---- reference kinematics, written out independently of the reader ---------------- */

static void mul3(const double A[9], const double B[9], const double C[9], double out[9]) {
  double T[9];
  mul(A, B, T);
  mul(T, C, out);
}
static void apply(const double R[9], const double v[3], double out[3]) {
  for (int i = 0; i < 3; i++) out[i] = R[3 * i] * v[0] + R[3 * i + 1] * v[1] + R[3 * i + 2] * v[2];
}

/* The fixtures' chain: Pelvis (offset 1 2 3) -> Knee (0 -4 0.5) -> Knee_end (0 -3 1).
 * Given the root translation and both local rotations, the three world positions. */
static void chain(const double trans[3], const double Rp[9], const double Rk[9], double unit,
                  double out[3][3]) {
  const double off_p[3] = {1, 2, 3}, off_k[3] = {0, -4, 0.5}, off_e[3] = {0, -3, 1};
  double p[3], k[3], e[3], v[3], Rw[9];
  for (int a = 0; a < 3; a++) p[a] = off_p[a] + trans[a];
  apply(Rp, off_k, v);
  for (int a = 0; a < 3; a++) k[a] = p[a] + v[a];
  mul(Rp, Rk, Rw);
  apply(Rw, off_e, v);
  for (int a = 0; a < 3; a++) e[a] = k[a] + v[a];
  for (int a = 0; a < 3; a++) {
    out[0][a] = p[a] * unit;
    out[1][a] = k[a] * unit;
    out[2][a] = e[a] * unit;
  }
}

static void check_frame(const dp_clip *c, int t, double want[3][3], double tol) {
  for (int j = 0; j < 3; j++)
    for (int a = 0; a < 3; a++) {
      double got = c->pos[((size_t)t * c->n_joints + j) * 3 + a];
      if (fabs(got - want[j][a]) > tol) {
        printf("\n  frame %d joint %d axis %d: got %.6f want %.6f\n", t, j, a, got, want[j][a]);
        CU_FAIL("position differs");
      }
    }
}

static void check_chain_layout(const dp_clip *c) {
  CU_ASSERT_EQUAL_FATAL(c->n_joints, 3);
  CU_ASSERT_STRING_EQUAL(c->joint_names[0], "Pelvis");
  CU_ASSERT_STRING_EQUAL(c->joint_names[1], "Knee");
  CU_ASSERT_STRING_EQUAL(c->joint_names[2], "Knee_end");
  CU_ASSERT_PTR_NOT_NULL_FATAL(c->parent);
  CU_ASSERT_EQUAL(c->parent[0], -1);
  CU_ASSERT_EQUAL(c->parent[1], 0);
  CU_ASSERT_EQUAL(c->parent[2], 1);
  CU_ASSERT_EQUAL(dp_clip_joint(c, "Knee"), 1);
  CU_ASSERT_EQUAL(dp_clip_joint(c, "knee"), -1);
}

/* Motion rows of the fixtures, as (root tx ty tz, root angles, knee angles). */
static const double xyz_rows[4][9] = {{0, 0, 0, 0, 0, 0, 0, 0, 0},
                                      {10, 20, 30, 30, 45, 60, -20, 15, 40},
                                      {-5, 1.5, 2, 90, 0, 0, 0, 0, 90},
                                      {0.25, -0.5, 0.75, -110, 33, -71, 65, -42, 17}};

/* ---- tests ------------------------------------------------------------------------ */

/* Frames whose answer follows from quarter turns, worked out on paper:
 * frame 0: no rotation, Pelvis = offset, children = sums of offsets.
 * frame 2: root at (1-5, 2+1.5, 3+2); Rx(90) maps (x,y,z) -> (x,-z,y), so the knee
 * offset (0,-4,0.5) becomes (0,-0.5,-4); the knee's Rz(90) maps the end offset
 * (0,-3,1) to (3,0,1), then Rx(90) to (3,-1,0). */
static void test_fk_xyz_by_hand(void) {
  dp_clip c;
  CU_ASSERT_EQUAL_FATAL(dp_bvh_read(dp_fixture("ingest/three_xyz.bvh"), 10.0, 0, &c), 0);
  check_chain_layout(&c);
  CU_ASSERT_EQUAL(c.n_frames, 4);
  double f0[3][3] = {{10, 20, 30}, {10, -20, 35}, {10, -50, 45}};
  double f2[3][3] = {{-40, 35, 50}, {-40, 30, 10}, {-10, 20, 10}};
  check_frame(&c, 0, f0, 1e-4);
  check_frame(&c, 2, f2, 1e-4);
  dp_clip_free(&c);
  CU_ASSERT_PTR_NULL(c.pos);
}

/* "Xrotation Yrotation Zrotation" means R = Rx * Ry * Rz. */
static void test_fk_xyz_trig(void) {
  dp_clip c;
  CU_ASSERT_EQUAL_FATAL(dp_bvh_read(dp_fixture("ingest/three_xyz.bvh"), 10.0, 0, &c), 0);
  for (int t = 0; t < 4; t++) {
    const double *r = xyz_rows[t];
    double A[9], B[9], C[9], Rp[9], Rk[9], want[3][3];
    rot_x(r[3], A), rot_y(r[4], B), rot_z(r[5], C);
    mul3(A, B, C, Rp);
    rot_x(r[6], A), rot_y(r[7], B), rot_z(r[8], C);
    mul3(A, B, C, Rk);
    chain(r, Rp, Rk, 10.0, want);
    check_frame(&c, t, want, 1e-3);
  }
  dp_clip_free(&c);
}

/* three_zxy.bvh: "Zposition Xposition Yposition Zrotation Xrotation Yrotation" on the
 * root, "Zrotation Xrotation Yrotation" on the knee, so R = Rz * Rx * Ry.
 * Frame 0 by hand: root translation (x,y,z) = (-5,1.5,2), root Rz(90)*Rx(90), knee
 * Rx(90)*Ry(90). Knee offset (0,-4,0.5): Rx(90) -> (0,-0.5,-4), Rz(90) -> (0.5,0,-4),
 * knee at (-3.5,3.5,1). End offset (0,-3,1): Ry(90) maps (x,y,z) -> (z,y,-x): (1,-3,0);
 * Rx(90): (1,0,-3); then the root's Rx(90): (1,3,0) and Rz(90): (-3,1,0); end at
 * (-6.5,4.5,1). Units x10. */
static void test_fk_zxy(void) {
  dp_clip c;
  CU_ASSERT_EQUAL_FATAL(dp_bvh_read(dp_fixture("ingest/three_zxy.bvh"), 10.0, 0, &c), 0);
  check_chain_layout(&c);
  CU_ASSERT_EQUAL_FATAL(c.n_frames, 3);
  double f0[3][3] = {{-40, 35, 50}, {-35, 35, 10}, {-65, 45, 10}};
  check_frame(&c, 0, f0, 1e-4);
  /* rows as written: Zpos Xpos Ypos, then root Z X Y angles, knee Z X Y angles */
  static const double rows[3][9] = {{2, -5, 1.5, 90, 90, 0, 0, 90, 90},
                                    {3, 1, 2, 30, 45, 60, -20, 15, 40},
                                    {0.75, 0.25, -0.5, -110, 33, -71, 65, -42, 17}};
  for (int t = 0; t < 3; t++) {
    const double *r = rows[t];
    double A[9], B[9], C[9], Rp[9], Rk[9], want[3][3];
    double trans[3] = {r[1], r[2], r[0]};
    rot_z(r[3], A), rot_x(r[4], B), rot_y(r[5], C);
    mul3(A, B, C, Rp);
    rot_z(r[6], A), rot_x(r[7], B), rot_y(r[8], C);
    mul3(A, B, C, Rk);
    chain(trans, Rp, Rk, 10.0, want);
    check_frame(&c, t, want, 1e-3);
  }
  /* the order matters: the same angles composed as X*Y*Z land elsewhere */
  double A[9], B[9], C[9], Rp[9], Rk[9], wrong[3][3];
  double trans[3] = {rows[1][1], rows[1][2], rows[1][0]};
  rot_x(rows[1][4], A), rot_y(rows[1][5], B), rot_z(rows[1][3], C);
  mul3(A, B, C, Rp);
  rot_x(rows[1][7], A), rot_y(rows[1][8], B), rot_z(rows[1][6], C);
  mul3(A, B, C, Rk);
  chain(trans, Rp, Rk, 10.0, wrong);
  CU_ASSERT(fabs(c.pos[(1 * 3 + 2) * 3 + 0] - wrong[2][0]) > 1.0);
  dp_clip_free(&c);
}

static void test_skip_frames(void) {
  dp_clip all, some;
  CU_ASSERT_EQUAL_FATAL(dp_bvh_read(dp_fixture("ingest/three_xyz.bvh"), 1.0, 0, &all), 0);
  CU_ASSERT_EQUAL_FATAL(dp_bvh_read(dp_fixture("ingest/three_xyz.bvh"), 1.0, 2, &some), 0);
  CU_ASSERT_EQUAL(some.n_frames, 2);
  CU_ASSERT(memcmp(some.pos, all.pos + 2 * 9, 2 * 9 * sizeof(float)) == 0);
  dp_clip_free(&all);
  dp_clip_free(&some);
}

/* The release files use CR LF; the reader must not care. */
static void test_crlf(void) {
  char dir[] = "/tmp/dp_test_bvh_XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof path, "%s/crlf.bvh", dir);
  FILE *in = fopen(dp_fixture("ingest/three_zxy.bvh"), "rb"), *out = fopen(path, "wb");
  CU_ASSERT_FATAL(in && out);
  for (int ch; (ch = fgetc(in)) != EOF;) {
    if (ch == '\n') fputc('\r', out);
    fputc(ch, out);
  }
  fclose(in);
  fclose(out);
  dp_clip a, b;
  CU_ASSERT_EQUAL_FATAL(dp_bvh_read(dp_fixture("ingest/three_zxy.bvh"), 10.0, 0, &a), 0);
  CU_ASSERT_EQUAL_FATAL(dp_bvh_read(path, 10.0, 0, &b), 0);
  CU_ASSERT_EQUAL(b.n_frames, a.n_frames);
  CU_ASSERT_STRING_EQUAL(b.joint_names[2], "Knee_end");
  CU_ASSERT(memcmp(a.pos, b.pos, (size_t)a.n_frames * 9 * sizeof(float)) == 0);
  dp_clip_free(&a);
  dp_clip_free(&b);
  unlink(path);
  rmdir(dir);
}

/* ---- a real CMU clip ------------------------------------------------------------------ */

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

static double median(float *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_float);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static const char *cmu_clip(void) {
  static char path[4096];
  const char *src = getenv("DP_SOURCE");
  snprintf(path, sizeof path, "%s/data/cmu/07/07_01.bvh", src ? src : ".");
  return path;
}

static void check_bone_lengths(const dp_clip *c) {
  double worst = 0;
  for (int j = 0; j < c->n_joints; j++) {
    int p = c->parent[j];
    if (p < 0) continue;
    double lo = INFINITY, hi = -INFINITY;
    for (int t = 0; t < c->n_frames; t++) {
      const float *a = c->pos + ((size_t)t * c->n_joints + j) * 3;
      const float *b = c->pos + ((size_t)t * c->n_joints + p) * 3;
      double d = sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                      (a[2] - b[2]) * (a[2] - b[2]));
      lo = fmin(lo, d), hi = fmax(hi, d);
    }
    worst = fmax(worst, hi - lo);
    CU_ASSERT(hi - lo < 0.1);
  }
  printf("\n  07_01: worst bone-length spread %.5f mm", worst);
}

/* Median over frames of the lowest foot/toe point, and of the head top above it. */
static void check_ground_and_height(const dp_clip *c) {
  static const char *const feet[] = {"LeftFoot",  "LeftToeBase",  "LeftToeBase_end",
                                     "RightFoot", "RightToeBase", "RightToeBase_end"};
  int fj[6], head = dp_clip_joint(c, "Head_end");
  for (int k = 0; k < 6; k++) {
    fj[k] = dp_clip_joint(c, feet[k]);
    CU_ASSERT_FATAL(fj[k] >= 0);
  }
  CU_ASSERT_FATAL(head >= 0);
  float *low = malloc(sizeof(float) * (size_t)c->n_frames);
  float *height = malloc(sizeof(float) * (size_t)c->n_frames);
  CU_ASSERT_FATAL(low && height);
  for (int t = 0; t < c->n_frames; t++) {
    const float *f = c->pos + (size_t)t * c->n_joints * 3;
    float m = INFINITY;
    for (int k = 0; k < 6; k++) m = fminf(m, f[3 * fj[k] + 1]);
    low[t] = m;
    height[t] = f[3 * head + 1] - m;
  }
  double ground = median(low, c->n_frames), tall = median(height, c->n_frames);
  printf("\n  07_01: median lowest foot point %.1f mm, head top %.1f mm above it\n", ground,
         tall);
  CU_ASSERT(ground > -20 && ground < 60);
  /* This conversion drops the thorax (about 116 mm; see data/cmu/README.md), so head
   * tops stand 1.38-1.48 m above the toes in the zero pose, lower than the subjects
   * were; 1300 mm leaves room for that, 2000 mm catches a unit error. */
  CU_ASSERT(tall > 1300 && tall < 2000);
  free(low);
  free(height);
}

static void test_cmu_clip(void) {
  dp_clip c;
  int rc = dp_bvh_read(cmu_clip(), 56.444, 1, &c);
  if (rc) printf("\n  %s\n", dp_error_message());
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT_EQUAL(c.n_joints, 38); /* 31 joints + 7 End Sites */
  CU_ASSERT_EQUAL(c.n_frames, 316);
  CU_ASSERT_STRING_EQUAL(c.joint_names[0], "Hips");
  CU_ASSERT_STRING_EQUAL(c.joint_names[5], "LeftToeBase");
  CU_ASSERT_STRING_EQUAL(c.joint_names[6], "LeftToeBase_end");
  CU_ASSERT_EQUAL(dp_clip_joint(&c, "RThumb_end"), 37);
  check_bone_lengths(&c);
  check_ground_and_height(&c);
  dp_clip_free(&c);
}

/* Angle in degrees between joint b - joint a and straight down. */
static double from_vertical(const dp_clip *c, int a, int b) {
  const float *p = c->pos + 3 * a, *q = c->pos + 3 * b;
  double d[3] = {q[0] - p[0], q[1] - p[1], q[2] - p[2]};
  double n = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
  return acos(-d[1] / n) * 180 / PI;
}

/* With nothing skipped, frame 0 is the converter's reference pose: root at the
 * captured root position of the first motion line, legs hanging down (about 1 degree
 * off vertical: the converter turns the hips by 21 degrees, the CMU femur axes lean 20). */
static void test_cmu_reference_frame(void) {
  dp_clip c;
  CU_ASSERT_EQUAL_FATAL(dp_bvh_read(cmu_clip(), 56.444, 0, &c), 0);
  CU_ASSERT_EQUAL(c.n_frames, 317);
  CU_ASSERT_DOUBLE_EQUAL(c.pos[0], 8.8721 * 56.444, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(c.pos[1], 15.7511 * 56.444, 1e-3);
  CU_ASSERT_DOUBLE_EQUAL(c.pos[2], -31.7081 * 56.444, 1e-3);
  static const char *const leg[2][3] = {{"LeftUpLeg", "LeftLeg", "LeftFoot"},
                                         {"RightUpLeg", "RightLeg", "RightFoot"}};
  for (int s = 0; s < 2; s++) {
    int hip = dp_clip_joint(&c, leg[s][0]), knee = dp_clip_joint(&c, leg[s][1]);
    int ankle = dp_clip_joint(&c, leg[s][2]);
    CU_ASSERT(from_vertical(&c, hip, knee) < 2.0);
    CU_ASSERT(from_vertical(&c, knee, ankle) < 2.0);
  }
  dp_clip_free(&c);
}

/* Read one subject folder of data/cmu; adds to the file and frame counts. */
static void read_subject(const char *dir, int *files, long *frames) {
  DIR *d = opendir(dir);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  for (struct dirent *e; (e = readdir(d));) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 4, ".bvh")) continue;
    char path[2700]; /* sized so -Wformat-truncation can prove it fits */
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    dp_clip c;
    dp_error_clear();
    int rc = dp_bvh_read(path, 56.444, 1, &c);
    if (rc) printf("\n  %s", dp_error_message());
    CU_ASSERT_EQUAL(rc, 0);
    if (rc) continue;
    CU_ASSERT_EQUAL(c.n_joints, 38); /* every subject has the same skeleton topology */
    (*files)++;
    *frames += c.n_frames;
    dp_clip_free(&c);
  }
  closedir(d);
}

/* Every bundled clip reads (the data README lists 79 files, ~100k frames); the time is
 * printed, never asserted. */
static void test_cmu_folder(void) {
  char root[2048];
  const char *src = getenv("DP_SOURCE");
  snprintf(root, sizeof root, "%s/data/cmu", src ? src : ".");
  DIR *d = opendir(root);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  int files = 0;
  long frames = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (struct dirent *e; (e = readdir(d));) {
    if (e->d_name[0] == '.') continue;
    char sub[2400];
    snprintf(sub, sizeof sub, "%s/%s", root, e->d_name);
    DIR *probe = opendir(sub);
    if (!probe) continue; /* README.md and other files */
    closedir(probe);
    read_subject(sub, &files, &frames);
  }
  closedir(d);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double sec = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  printf("\n  data/cmu: %d files, %ld frames (frame 0 skipped) read in %.3f s\n", files, frames,
         sec);
  CU_ASSERT(files > 0);
}

/* ---- bad input ------------------------------------------------------------------------ */

typedef struct {
  const char *file;
  int skip;
  const char *where; /* "name:line" the message must contain */
  const char *what;  /* and this phrase */
} bad_case;

static const bad_case bad_cases[] = {
    {"bad_truncated_hierarchy.bvh", 0, "bad_truncated_hierarchy.bvh:9:", "truncated"},
    {"bad_truncated_motion.bvh", 0, "bad_truncated_motion.bvh:21:", "truncated"},
    {"bad_truncated_row.bvh", 0, "bad_truncated_row.bvh:21:", "expected 9 channels, got 5"},
    {"bad_channel_count.bvh", 0, "bad_channel_count.bvh:20:", "expected 9 channels, got 8"},
    {"bad_number.bvh", 0, "bad_number.bvh:21:", "not a number: 'zero'"},
    {"bad_nan.bvh", 0, "bad_nan.bvh:20:", "NaN"},
    {"bad_inf.bvh", 0, "bad_inf.bvh:22:", "infinite"},
    {"bad_frames_mismatch.bvh", 0, "bad_frames_mismatch.bvh:22:", "Frames: 3"},
    {"bad_empty.bvh", 1, "bad_empty.bvh:17:", "empty clip"},
    {"bad_channel_name.bvh", 0, "bad_channel_name.bvh:9:", "unknown channel 'Yrot'"},
    {"bad_brace_extra.bvh", 0, "bad_brace_extra.bvh:16:", "unbalanced braces"},
    {"bad_brace_missing.bvh", 0, "bad_brace_missing.bvh:15:", "unbalanced braces"},
};

static void test_bad_inputs(void) {
  for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
    const bad_case *b = &bad_cases[i];
    char name[128];
    snprintf(name, sizeof name, "ingest/%s", b->file);
    dp_error_clear();
    dp_clip c;
    int rc = dp_bvh_read(dp_fixture(name), 1.0, b->skip, &c);
    const char *msg = dp_error_message();
    int ok = rc == -1 && strstr(msg, b->where) && strstr(msg, b->what);
    if (!ok) printf("\n  %s: rc %d, message \"%s\"", b->file, rc, msg);
    CU_ASSERT(ok);
    CU_ASSERT(c.pos == NULL && c.n_frames == 0 && c.joint_names == NULL); /* no garbage */
  }
  dp_error_clear();
}

static void test_bad_arguments(void) {
  dp_clip c;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_bvh_read("/nonexistent/x.bvh", 1.0, 0, &c), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "/nonexistent/x.bvh"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_bvh_read(dp_fixture("ingest/three_xyz.bvh"), 0.0, 0, &c), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "unit_mm"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_bvh_read(dp_fixture("ingest/three_xyz.bvh"), 1.0, -1, &c), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "skip_frames"));
  dp_error_clear();
  /* skipping every frame is an empty clip, not a silent zero-frame success */
  CU_ASSERT_EQUAL(dp_bvh_read(dp_fixture("ingest/three_xyz.bvh"), 1.0, 4, &c), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "three_xyz.bvh:17: empty clip"));
  dp_error_clear();
}

DP_TEST_MAIN("bvh", DP_TEST(test_fk_xyz_by_hand), DP_TEST(test_fk_xyz_trig), DP_TEST(test_fk_zxy),
             DP_TEST(test_skip_frames), DP_TEST(test_crlf), DP_TEST(test_cmu_clip),
             DP_TEST(test_cmu_reference_frame), DP_TEST(test_cmu_folder), DP_TEST(test_bad_inputs),
             DP_TEST(test_bad_arguments))
