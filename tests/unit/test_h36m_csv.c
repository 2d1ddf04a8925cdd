/* test_h36m_csv.c - the Human3.6M h5 reader on files written here (the data set itself
 * cannot be redistributed) and the CSV reader/writer: layouts, axis conversion, units,
 * round trips and bad input. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "depthpose/error.h"
#include "depthpose/mocap.h"
#include "dp_test.h"

static char g_dir[64];

/* A path in this run's scratch directory; the result stays valid for the next 15 calls. */
static const char *tmp_path(const char *name) {
  static char buf[16][256];
  static int k;
  if (!g_dir[0]) {
    snprintf(g_dir, sizeof g_dir, "/tmp/dp_test_h36m_csv_XXXXXX");
    if (!mkdtemp(g_dir)) return NULL;
  }
  char *b = buf[k++ % 16];
  snprintf(b, 256, "%s/%s", g_dir, name);
  return b;
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(text, f);
  fclose(f);
}

/* Write one 2-D dataset of doubles, stored as `file_type`. */
static void write_h5(const char *path, const char *name, int rank, const hsize_t *dims,
                     hid_t file_type, const double *data) {
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  CU_ASSERT_FATAL(f >= 0);
  hid_t s = H5Screate_simple(rank, dims, NULL);
  hid_t d = H5Dcreate2(f, name, file_type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  CU_ASSERT_FATAL(d >= 0);
  CU_ASSERT(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
  H5Dclose(d);
  H5Sclose(s);
  H5Fclose(f);
}

/* Value of joint j, axis a (0 x, 1 y, 2 z; Z up), frame t. Distinct everywhere. */
static double h36m_value(int j, int a, int t) { return 1000.0 * j + 100.0 * a + t + 0.25; }

enum { T = 5 };

static void fill_joint_major(double *v) { /* [96][T] */
  for (int j = 0; j < 32; j++)
    for (int a = 0; a < 3; a++)
      for (int t = 0; t < T; t++) v[(3 * j + a) * T + t] = h36m_value(j, a, t);
}

static void check_h36m_clip(const dp_clip *c) {
  CU_ASSERT_EQUAL_FATAL(c->n_joints, 32);
  CU_ASSERT_EQUAL_FATAL(c->n_frames, T);
  int bad = 0;
  for (int t = 0; t < T; t++)
    for (int j = 0; j < 32; j++) {
      const float *p = c->pos + ((size_t)t * 32 + j) * 3;
      /* Z up -> Y up: (x, y, z) -> (x, z, -y) */
      bad += fabs(p[0] - h36m_value(j, 0, t)) > 1e-3;
      bad += fabs(p[1] - h36m_value(j, 2, t)) > 1e-3;
      bad += fabs(p[2] + h36m_value(j, 1, t)) > 1e-3;
    }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT_STRING_EQUAL(c->joint_names[0], "Hip");
  CU_ASSERT_STRING_EQUAL(c->joint_names[3], "RFoot");
  CU_ASSERT_STRING_EQUAL(c->joint_names[15], "Head");
  CU_ASSERT_STRING_EQUAL(c->joint_names[27], "RWrist");
  CU_ASSERT_EQUAL(dp_clip_joint(c, "LWrist"), 19);
}

static void test_h36m_96xT_float64(void) {
  double v[96 * T];
  fill_joint_major(v);
  hsize_t dims[2] = {96, T};
  const char *path = tmp_path("s1_walk.h5");
  write_h5(path, "3D_positions", 2, dims, H5T_IEEE_F64LE, v);
  dp_clip c;
  int rc = dp_h36m_read(path, &c);
  if (rc) printf("\n  %s\n", dp_error_message());
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  check_h36m_clip(&c);
  CU_ASSERT_PTR_NULL(c.parent);
  dp_clip_free(&c);
  unlink(path);
}

static void test_h36m_Tx96_float32(void) {
  double v[T * 96];
  for (int t = 0; t < T; t++)
    for (int k = 0; k < 96; k++) v[t * 96 + k] = h36m_value(k / 3, k % 3, t);
  hsize_t dims[2] = {T, 96};
  const char *path = tmp_path("transposed.h5");
  write_h5(path, "3D_positions", 2, dims, H5T_IEEE_F32LE, v);
  dp_clip c;
  CU_ASSERT_EQUAL_FATAL(dp_h36m_read(path, &c), 0);
  check_h36m_clip(&c);
  dp_clip_free(&c);
  unlink(path);
}

static void test_h36m_names(void) {
  int unnamed = 0;
  for (int i = 0; i < 32; i++) {
    CU_ASSERT_PTR_NOT_NULL_FATAL(dp_h36m_joint_names[i]);
    for (int k = 0; k < i; k++) CU_ASSERT(strcmp(dp_h36m_joint_names[i], dp_h36m_joint_names[k]));
    unnamed += dp_h36m_joint_names[i][0] == 'j';
  }
  CU_ASSERT_EQUAL(unnamed, 15); /* 17 named joints, as in 3d-pose-baseline */
  CU_ASSERT_STRING_EQUAL(dp_h36m_joint_names[4], "j04");
  CU_ASSERT_STRING_EQUAL(dp_h36m_joint_names[14], "Neck/Nose");
  CU_ASSERT_STRING_EQUAL(dp_h36m_joint_names[25], "RShoulder");
}

static void expect_h36m_error(const char *path, const char *a, const char *b) {
  dp_error_clear();
  dp_clip c;
  CU_ASSERT_EQUAL(dp_h36m_read(path, &c), -1);
  const char *msg = dp_error_message();
  int ok = strstr(msg, path) && strstr(msg, a) && (!b || strstr(msg, b));
  if (!ok) printf("\n  %s: \"%s\"", path, msg);
  CU_ASSERT(ok);
  CU_ASSERT(c.pos == NULL && c.n_frames == 0);
  dp_error_clear();
}

static void test_h36m_bad(void) {
  double v[96 * T];
  fill_joint_major(v);
  expect_h36m_error(tmp_path("missing.h5"), "cannot open", NULL);
  const char *text = tmp_path("text.h5");
  write_text(text, "not hdf5\n");
  expect_h36m_error(text, "not an HDF5 file", NULL);

  const char *other = tmp_path("other_name.h5");
  hsize_t dims[2] = {96, T};
  write_h5(other, "positions", 2, dims, H5T_IEEE_F64LE, v);
  expect_h36m_error(other, "no dataset '3D_positions'", NULL);

  const char *shape = tmp_path("shape.h5");
  hsize_t wrong[2] = {95, T};
  write_h5(shape, "3D_positions", 2, wrong, H5T_IEEE_F64LE, v);
  expect_h36m_error(shape, "'3D_positions' has shape [95][5]", "expected [96][T]");

  const char *rank3 = tmp_path("rank3.h5");
  hsize_t d3[3] = {32, 3, T};
  write_h5(rank3, "3D_positions", 3, d3, H5T_IEEE_F64LE, v);
  expect_h36m_error(rank3, "'3D_positions' has shape of rank 3", "expected [96][T]");

  const char *nan = tmp_path("nan.h5");
  v[(3 * 7 + 1) * T + 2] = NAN; /* joint 7 (LKnee), y, frame 2 */
  write_h5(nan, "3D_positions", 2, dims, H5T_IEEE_F64LE, v);
  expect_h36m_error(nan, "NaN", "frame 2, joint 7 (LKnee)");

  unlink(text), unlink(other), unlink(shape), unlink(rank3), unlink(nan);
}

/* ---- CSV ------------------------------------------------------------------------------ */

static void make_clip(dp_clip *c) {
  static const char *const names[3] = {"Hip", "Knee", "Neck/Nose"};
  memset(c, 0, sizeof *c);
  c->n_joints = 3;
  c->n_frames = 4;
  c->joint_names = calloc(3, sizeof *c->joint_names);
  c->pos = calloc(4 * 3 * 3, sizeof *c->pos);
  for (int j = 0; j < 3; j++) {
    c->joint_names[j] = malloc(strlen(names[j]) + 1);
    strcpy(c->joint_names[j], names[j]);
  }
  for (int i = 0; i < 36; i++) c->pos[i] = (float)((i - 17) * 37.123456 + 0.5 * (i % 5));
}

static void test_csv_round_trip(void) {
  dp_clip a, b;
  make_clip(&a);
  const char *path = tmp_path("round.csv");
  CU_ASSERT_EQUAL_FATAL(dp_csv_write(path, &a), 0);
  CU_ASSERT_EQUAL_FATAL(dp_csv_read(path, 1.0, 'y', &b), 0);
  CU_ASSERT_EQUAL_FATAL(b.n_joints, 3);
  CU_ASSERT_EQUAL_FATAL(b.n_frames, 4);
  for (int j = 0; j < 3; j++) CU_ASSERT_STRING_EQUAL(b.joint_names[j], a.joint_names[j]);
  CU_ASSERT_PTR_NULL(b.parent);
  for (int i = 0; i < 36; i++) CU_ASSERT_DOUBLE_EQUAL(b.pos[i], a.pos[i], 1e-3);
  FILE *f = fopen(path, "r");
  char header[128] = "";
  CU_ASSERT_PTR_NOT_NULL_FATAL(fgets(header, sizeof header, f));
  fclose(f);
  CU_ASSERT_STRING_EQUAL(header, "Hip_x,Hip_y,Hip_z,Knee_x,Knee_y,Knee_z,Neck/Nose_x,Neck/Nose_y,"
                                 "Neck/Nose_z\n");
  dp_clip_free(&a);
  dp_clip_free(&b);
  unlink(path);
}

/* Metres, Z up, CR LF, blanks around cells, a blank line: (x,y,z) -> 1000 * (x, z, -y). */
static void test_csv_units_and_axes(void) {
  const char *path = tmp_path("zup.csv");
  write_text(path, "a_x, a_y ,a_z,b_x,b_y,b_z\r\n1,2,3,-0.5,0.25,1e-3\r\n\r\n 4 ,5,6,0,0,0\r\n");
  dp_clip c;
  CU_ASSERT_EQUAL_FATAL(dp_csv_read(path, 1000.0, 'z', &c), 0);
  CU_ASSERT_EQUAL_FATAL(c.n_frames, 2);
  const float want[12] = {1000, 3000, -2000, -500, 1, -250, 4000, 6000, -5000, 0, 0, 0};
  for (int i = 0; i < 12; i++) CU_ASSERT_DOUBLE_EQUAL(c.pos[i], want[i], 1e-3);
  CU_ASSERT_STRING_EQUAL(c.joint_names[1], "b");
  dp_clip_free(&c);
  CU_ASSERT_EQUAL_FATAL(dp_csv_read(path, 1.0, 'y', &c), 0);
  CU_ASSERT_DOUBLE_EQUAL(c.pos[1], 2.0, 1e-6);
  dp_clip_free(&c);
  unlink(path);
}

typedef struct {
  const char *name, *text;
  const char *where, *what;
} csv_case;

static const csv_case csv_cases[] = {
    {"h_suffix.csv", "Hip_x,Hip_y,Hip_q\n1,2,3\n", "h_suffix.csv:1:", "column 3 ('Hip_q')"},
    {"h_joint.csv", "Hip_x,Hip_y,Hip_z,Knee_x,Kne_y,Knee_z\n1,2,3,4,5,6\n", "h_joint.csv:1:",
     "column 5 ('Kne_y'): expected 'Knee_y'"},
    {"h_count.csv", "Hip_x,Hip_y\n1,2\n", "h_count.csv:1:", "multiple of 3"},
    {"h_dup.csv", "Hip_x,Hip_y,Hip_z,Hip_x,Hip_y,Hip_z\n1,2,3,4,5,6\n", "h_dup.csv:1:",
     "appears twice"},
    {"r_count.csv", "Hip_x,Hip_y,Hip_z\n1,2,3\n1,2\n", "r_count.csv:3:", "2 columns, expected 3"},
    {"r_number.csv", "Hip_x,Hip_y,Hip_z\n1,2,3\n1,two,3\n", "r_number.csv:3:",
     "column 2 (Hip_y) is not a number: 'two'"},
    {"r_nan.csv", "Hip_x,Hip_y,Hip_z\n1,2,NaN\n", "r_nan.csv:2:", "column 3 (Hip_z) is NaN"},
    {"r_inf.csv", "Hip_x,Hip_y,Hip_z\n\n1,2,3\n-inf,2,3\n", "r_inf.csv:4:", "infinite"},
    {"r_empty_cell.csv", "Hip_x,Hip_y,Hip_z\n1,,3\n", "r_empty_cell.csv:2:", "not a number"},
    {"empty.csv", "Hip_x,Hip_y,Hip_z\n", "empty.csv:1:", "empty clip"},
    {"nothing.csv", "", "nothing.csv:1:", "empty file"},
};

static void test_csv_bad(void) {
  for (size_t i = 0; i < sizeof csv_cases / sizeof csv_cases[0]; i++) {
    const csv_case *k = &csv_cases[i];
    const char *path = tmp_path(k->name);
    write_text(path, k->text);
    dp_error_clear();
    dp_clip c;
    int rc = dp_csv_read(path, 1.0, 'y', &c);
    const char *msg = dp_error_message();
    int ok = rc == -1 && strstr(msg, k->where) && strstr(msg, k->what);
    if (!ok) printf("\n  %s: rc %d, \"%s\"", k->name, rc, msg);
    CU_ASSERT(ok);
    CU_ASSERT(c.pos == NULL && c.joint_names == NULL);
    unlink(path);
  }
  dp_error_clear();
  dp_clip c;
  CU_ASSERT_EQUAL(dp_csv_read(tmp_path("x.csv"), 1.0, 'x', &c), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "up axis"));
  dp_error_clear();
}

static void test_csv_write_refuses(void) {
  dp_clip a;
  make_clip(&a);
  const char *path = tmp_path("refused.csv");
  dp_error_clear();
  a.pos[7] = NAN;
  CU_ASSERT_EQUAL(dp_csv_write(path, &a), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "NaN"));
  CU_ASSERT(access(path, F_OK) != 0); /* nothing written */
  dp_error_clear();
  a.pos[7] = 0;
  a.joint_names[1][0] = ',';
  CU_ASSERT_EQUAL(dp_csv_write(path, &a), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(dp_error_message(), "comma"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_csv_write("/nonexistent/dir/x.csv", &(dp_clip){0}), -1);
  dp_error_clear();
  dp_clip_free(&a);
  rmdir(g_dir);
}

DP_TEST_MAIN("h36m_csv", DP_TEST(test_h36m_96xT_float64), DP_TEST(test_h36m_Tx96_float32),
             DP_TEST(test_h36m_names), DP_TEST(test_h36m_bad), DP_TEST(test_csv_round_trip),
             DP_TEST(test_csv_units_and_axes), DP_TEST(test_csv_bad),
             DP_TEST(test_csv_write_refuses))
