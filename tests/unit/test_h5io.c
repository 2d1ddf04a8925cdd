/* test_h5io.c - the HDF5 helpers on one MPI process: a file created through the MPI-IO
 * driver, datasets of float/int/uchar in 1-D and 3-D written in row blocks with units,
 * string-list and numeric attributes, read back whole and in slices through the serial
 * driver; shape and missing-object errors naming file and dataset; and the same content
 * written twice giving the same bytes.
 *
 * Runs its own main: MPI must be initialised before (and finalised after) HDF5's
 * parallel driver is used. */
#include <hdf5.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "depthpose/error.h"
#include "depthpose/h5io.h"
#include "dp_test.h"

static char g_dir[] = "/tmp/dp_test_h5io_XXXXXX";

static const char *tmp(const char *name) {
  static char buf[4][512];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", g_dir, name);
  return buf[k];
}

static int has(const char *needle) {
  const char *msg = dp_error_message();
  if (strstr(msg, needle)) return 1;
  printf("\n  message \"%s\"\n  lacks   \"%s\"\n", msg, needle);
  return 0;
}

/* ---- the content every test writes ---------------------------------------------------- */

enum { NF1 = 5, NI1 = 6, NU1 = 7, A = 4, B = 3, C = 2 };
static float g_f1[NF1], g_f3[A][B][C];
static int32_t g_i1[NI1], g_i3[A][B][C];
static unsigned char g_u1[NU1], g_u3[A][B][C];
static const char *const JOINTS[3] = {"head", "l_shoulder", "r_hand"};

static void fill(void) {
  for (int i = 0; i < NF1; i++) g_f1[i] = 0.5f * (float)i - 1.25f;
  for (int i = 0; i < NI1; i++) g_i1[i] = (int32_t)(i * i) - 7;
  for (int i = 0; i < NU1; i++) g_u1[i] = (unsigned char)(250 + i); /* wraps past 255 */
  for (int a = 0; a < A; a++)
    for (int b = 0; b < B; b++)
      for (int c = 0; c < C; c++) {
        g_f3[a][b][c] = (float)(100 * a + 10 * b + c) + 0.25f;
        g_i3[a][b][c] = -(100 * a + 10 * b + c);
        g_u3[a][b][c] = (unsigned char)(a * 60 + b * 7 + c);
      }
}

/* Writes the standard file; the 3-D float dataset goes in two row blocks through the
 * two-step API, with an empty block in between. Returns 0 on success. */
static int write_standard(const char *path) {
  hid_t f = dp_h5_create(path, MPI_COMM_WORLD);
  if (f < 0) return -1;
  hsize_t d1f = NF1, d1i = NI1, d1u = NU1, d3[3] = {A, B, C};
  int rc = 0;
  rc |= dp_h5_write_rows(f, "/f1", H5T_NATIVE_FLOAT, 1, &d1f, 0, NF1, g_f1, "mm");
  rc |= dp_h5_write_rows(f, "/i1", H5T_NATIVE_INT32, 1, &d1i, 0, NI1, g_i1, NULL);
  rc |= dp_h5_write_rows(f, "/u1", H5T_NATIVE_UCHAR, 1, &d1u, 0, NU1, g_u1, "1");
  rc |= dp_h5_write_rows(f, "/i3", H5T_NATIVE_INT32, 3, d3, 0, A, g_i3, "count");
  rc |= dp_h5_write_rows(f, "/u3", H5T_NATIVE_UCHAR, 3, d3, 0, A, g_u3, "label");
  hid_t d = dp_h5_create_dataset(f, "/f3", H5T_NATIVE_FLOAT, 3, d3, "mm");
  if (d < 0) rc = -1;
  else {
    rc |= dp_h5_write_slab(d, H5T_NATIVE_FLOAT, 0, 1, g_f3[0]);
    rc |= dp_h5_write_slab(d, H5T_NATIVE_FLOAT, 1, 0, NULL);
    rc |= dp_h5_write_slab(d, H5T_NATIVE_FLOAT, 1, A - 1, g_f3[1]);
    rc |= dp_h5_attr_strings(d, "joint_names", JOINTS, 3);
    H5Dclose(d);
  }
  rc |= dp_h5_attr_strings(f, "joint_names", JOINTS, 3);
  rc |= dp_h5_attr_string(f, "source", "unit test");
  rc |= dp_h5_attr_double(f, "scale", 0.125);
  rc |= dp_h5_attr_long(f, "seed", 1234567890123L);
  rc |= dp_h5_close(f);
  return rc ? -1 : 0;
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_write_and_read_back(void) {
  const char *path = tmp("std.h5");
  dp_error_clear();
  CU_ASSERT_EQUAL_FATAL(write_standard(path), 0);
  hid_t f = dp_h5_open_serial(path);
  CU_ASSERT_FATAL(f >= 0);
  /* Shapes. */
  hsize_t got[H5S_MAX_RANK];
  const hsize_t d3[3] = {A, B, C}, d1f = NF1, d1i = NI1, d1u = NU1;
  CU_ASSERT_EQUAL(dp_h5_expect(f, "/f3", 3, d3, got), 0);
  CU_ASSERT(got[0] == A && got[1] == B && got[2] == C);
  CU_ASSERT_EQUAL(dp_h5_expect(f, "/f1", 1, &d1f, NULL), 0);
  CU_ASSERT_EQUAL(dp_h5_expect(f, "/i1", 1, &d1i, NULL), 0);
  CU_ASSERT_EQUAL(dp_h5_expect(f, "/u1", 1, &d1u, NULL), 0);
  const hsize_t any3[3] = {0, B, 0}; /* 0 = any size */
  CU_ASSERT_EQUAL(dp_h5_expect(f, "/u3", 3, any3, got), 0);
  CU_ASSERT_EQUAL(got[0], A);
  CU_ASSERT_EQUAL(dp_h5_expect(f, "/i3", 3, NULL, got), 0); /* rank only */
  int rank;
  hsize_t dims[H5S_MAX_RANK];
  CU_ASSERT_EQUAL(dp_h5_dims(f, "/i1", &rank, dims), 0);
  CU_ASSERT(rank == 1 && dims[0] == NI1);

  /* Whole datasets. */
  float f1[NF1], f3[A][B][C];
  int32_t i1[NI1], i3[A][B][C];
  unsigned char u1[NU1], u3[A][B][C];
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/f1", H5T_NATIVE_FLOAT, 0, NF1, f1), 0);
  CU_ASSERT_EQUAL(memcmp(f1, g_f1, sizeof f1), 0);
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/f3", H5T_NATIVE_FLOAT, 0, A, f3), 0);
  CU_ASSERT_EQUAL(memcmp(f3, g_f3, sizeof f3), 0); /* both row blocks landed in place */
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/i1", H5T_NATIVE_INT32, 0, NI1, i1), 0);
  CU_ASSERT_EQUAL(memcmp(i1, g_i1, sizeof i1), 0);
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/i3", H5T_NATIVE_INT32, 0, A, i3), 0);
  CU_ASSERT_EQUAL(memcmp(i3, g_i3, sizeof i3), 0);
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/u1", H5T_NATIVE_UCHAR, 0, NU1, u1), 0);
  CU_ASSERT_EQUAL(memcmp(u1, g_u1, sizeof u1), 0);
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/u3", H5T_NATIVE_UCHAR, 0, A, u3), 0);
  CU_ASSERT_EQUAL(memcmp(u3, g_u3, sizeof u3), 0);

  /* Slices along dimension 0. */
  float fs[2][B][C];
  memset(fs, 0, sizeof fs);
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/f3", H5T_NATIVE_FLOAT, 1, 2, fs), 0);
  CU_ASSERT_EQUAL(memcmp(fs, g_f3[1], sizeof fs), 0);
  CU_ASSERT_EQUAL(fs[1][2][1], 221.25f); /* row 2, b 2, c 1 */
  unsigned char us[1][B][C];
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/u3", H5T_NATIVE_UCHAR, A - 1, 1, us), 0);
  CU_ASSERT_EQUAL(memcmp(us, g_u3[A - 1], sizeof us), 0);
  int32_t is[3];
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/i1", H5T_NATIVE_INT32, 3, 3, is), 0);
  CU_ASSERT(is[0] == 2 && is[1] == 9 && is[2] == 18);
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/i1", H5T_NATIVE_INT32, NI1, 0, is), 0); /* empty, at the end */
  /* Read with conversion: int32 as double, float as double. */
  double dv[NI1];
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/i1", H5T_NATIVE_DOUBLE, 0, NI1, dv), 0);
  CU_ASSERT(dv[0] == -7.0 && dv[5] == 18.0);
  double fv[NF1];
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/f1", H5T_NATIVE_DOUBLE, 0, NF1, fv), 0);
  CU_ASSERT(fv[0] == -1.25 && fv[4] == 0.75);
  CU_ASSERT_FALSE(dp_error_pending());
  CU_ASSERT_EQUAL(dp_h5_close(f), 0);
}

static void test_attributes(void) {
  const char *path = tmp("attr.h5");
  CU_ASSERT_EQUAL_FATAL(write_standard(path), 0);
  hid_t f = dp_h5_open_serial(path);
  CU_ASSERT_FATAL(f >= 0);
  char **names = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL(dp_h5_read_attr_strings(f, "joint_names", &names, &n), 0);
  CU_ASSERT_EQUAL_FATAL(n, 3);
  for (size_t i = 0; i < 3; i++) CU_ASSERT_STRING_EQUAL(names[i], JOINTS[i]);
  dp_h5_free_strings(names, n);
  char *s = NULL;
  CU_ASSERT_EQUAL(dp_h5_read_attr_string(f, "source", &s), 0);
  CU_ASSERT_STRING_EQUAL(s, "unit test");
  free(s);
  double v = 0;
  CU_ASSERT_EQUAL(dp_h5_read_attr_double(f, "scale", &v), 0);
  CU_ASSERT_EQUAL(v, 0.125);
  CU_ASSERT_EQUAL(dp_h5_read_attr_double(f, "seed", &v), 0); /* a long read as a double */
  CU_ASSERT_EQUAL(v, 1234567890123.0);
  /* Units and joint names on datasets. */
  const char *units_of[][2] = {{"/f1", "mm"}, {"/f3", "mm"}, {"/u1", "1"}, {"/i3", "count"}, {"/u3", "label"}};
  for (size_t i = 0; i < sizeof units_of / sizeof units_of[0]; i++) {
    hid_t d = H5Dopen2(f, units_of[i][0], H5P_DEFAULT);
    CU_ASSERT_FATAL(d >= 0);
    char *u = NULL;
    CU_ASSERT_EQUAL(dp_h5_read_attr_string(d, "units", &u), 0);
    if (u) CU_ASSERT_STRING_EQUAL(u, units_of[i][1]);
    free(u);
    H5Dclose(d);
  }
  hid_t d = H5Dopen2(f, "/f3", H5P_DEFAULT);
  CU_ASSERT_EQUAL(dp_h5_read_attr_strings(d, "joint_names", &names, &n), 0);
  CU_ASSERT_EQUAL(n, 3);
  if (n == 3) CU_ASSERT_STRING_EQUAL(names[1], "l_shoulder");
  dp_h5_free_strings(names, n);
  H5Dclose(d);
  /* A dataset written with units NULL has no units attribute. */
  d = H5Dopen2(f, "/i1", H5P_DEFAULT);
  CU_ASSERT_EQUAL(H5Aexists(d, "units"), 0);
  H5Dclose(d);
  /* Missing and mistyped attributes. */
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_read_attr_double(f, "nope", &v), -1);
  CU_ASSERT(has(path));
  CU_ASSERT(has("attribute nope is missing"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_read_attr_strings(f, "nope", &names, &n), -1);
  CU_ASSERT(has("attribute nope is missing"));
  CU_ASSERT_PTR_NULL(names);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_read_attr_strings(f, "scale", &names, &n), -1);
  CU_ASSERT(has("attribute scale is not a string"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_read_attr_string(f, "joint_names", &s), -1); /* three, not one */
  CU_ASSERT(has("expected one string, found 3"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_read_attr_double(f, "source", &v), -1);
  CU_ASSERT(has("attribute source is not a number"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_close(f), 0);
}

static void test_shape_mismatch_message(void) {
  const char *path = tmp("shape.h5");
  CU_ASSERT_EQUAL_FATAL(write_standard(path), 0);
  hid_t f = dp_h5_open_serial(path);
  CU_ASSERT_FATAL(f >= 0);
  char want[1024];
  const hsize_t wrong[3] = {A, B, 5};
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_expect(f, "/f3", 3, wrong, NULL), -1);
  snprintf(want, sizeof want, "%s: dataset /f3 has shape [4,3,2], expected [4,3,5]", path);
  CU_ASSERT_STRING_EQUAL(dp_error_message(), want);
  /* Wildcards print as *, and a rank mismatch shows both shapes. */
  const hsize_t two[2] = {0, 3};
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_expect(f, "/u3", 2, two, NULL), -1);
  snprintf(want, sizeof want, "%s: dataset /u3 has shape [4,3,2], expected [*,3]", path);
  CU_ASSERT_STRING_EQUAL(dp_error_message(), want);
  const hsize_t one = 9;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_expect(f, "/i1", 1, &one, NULL), -1);
  snprintf(want, sizeof want, "%s: dataset /i1 has shape [6], expected [9]", path);
  CU_ASSERT_STRING_EQUAL(dp_error_message(), want);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_close(f), 0);
}

static void test_missing_dataset_and_bad_reads(void) {
  const char *path = tmp("missing.h5");
  CU_ASSERT_EQUAL_FATAL(write_standard(path), 0);
  hid_t f = dp_h5_open_serial(path);
  CU_ASSERT_FATAL(f >= 0);
  char want[1024];
  int rank;
  hsize_t dims[H5S_MAX_RANK], d1 = 3;
  float buf[64];
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_dims(f, "/poses", &rank, dims), -1);
  snprintf(want, sizeof want, "%s: dataset /poses is missing", path);
  CU_ASSERT_STRING_EQUAL(dp_error_message(), want);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_expect(f, "/poses", 1, &d1, NULL), -1);
  CU_ASSERT_STRING_EQUAL(dp_error_message(), want);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/poses", H5T_NATIVE_FLOAT, 0, 1, buf), -1);
  CU_ASSERT_STRING_EQUAL(dp_error_message(), want);
  /* Rows past the end. */
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_read_rows(f, "/f1", H5T_NATIVE_FLOAT, 3, 3, buf), -1);
  snprintf(want, sizeof want, "%s: /f1 has 5 rows, asked for rows up to 6", path);
  CU_ASSERT_STRING_EQUAL(dp_error_message(), want);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_close(f), 0);
}

static void test_file_errors_name_the_path(void) {
  dp_error_clear();
  CU_ASSERT(dp_h5_create("/nonexistent-dir/out.h5", MPI_COMM_WORLD) < 0);
  CU_ASSERT(has("/nonexistent-dir/out.h5"));
  dp_error_clear();
  CU_ASSERT(dp_h5_open_serial(tmp("absent.h5")) < 0);
  CU_ASSERT(has(tmp("absent.h5")));
  dp_error_clear();
  CU_ASSERT(dp_h5_open(tmp("absent.h5"), MPI_COMM_WORLD) < 0);
  CU_ASSERT(has("absent.h5"));
  /* Not an HDF5 file. */
  const char *txt = tmp("plain.txt");
  FILE *t = fopen(txt, "w");
  fputs("not hdf5\n", t);
  fclose(t);
  dp_error_clear();
  CU_ASSERT(dp_h5_open_serial(txt) < 0);
  CU_ASSERT(has(txt));
  dp_error_clear();
  unlink(txt);
}

static void test_write_errors(void) {
  const char *path = tmp("werr.h5");
  hid_t f = dp_h5_create(path, MPI_COMM_WORLD);
  CU_ASSERT_FATAL(f >= 0);
  hsize_t d1 = 4;
  float v[8] = {0};
  hid_t d = dp_h5_create_dataset(f, "/x", H5T_NATIVE_FLOAT, 1, &d1, "mm");
  CU_ASSERT_FATAL(d >= 0);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_write_slab(d, H5T_NATIVE_FLOAT, 2, 3, v), -1); /* rows 2..5 of 4 */
  CU_ASSERT(has("rows [2, 5) outside a dataset of 4 rows"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_write_slab(d, H5T_NATIVE_FLOAT, 0, 4, v), 0);
  H5Dclose(d);
  /* The same name twice. */
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_write_rows(f, "/x", H5T_NATIVE_FLOAT, 1, &d1, 0, 4, v, NULL), -1);
  CU_ASSERT(has("cannot create dataset /x"));
  CU_ASSERT(has(path));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_h5_close(f), 0);
  unlink(path);
}

static unsigned char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *b = malloc(len > 0 ? (size_t)len : 1);
  *n = fread(b, 1, (size_t)len, f);
  fclose(f);
  return b;
}

static void test_same_content_same_bytes(void) {
  const char *a = tmp("same_a.h5"), *b = tmp("same_b.h5");
  CU_ASSERT_EQUAL_FATAL(write_standard(a), 0);
  /* A moment later, so any timestamp would differ. */
  sleep(1);
  CU_ASSERT_EQUAL_FATAL(write_standard(b), 0);
  size_t na = 0, nb = 0;
  unsigned char *ba = slurp(a, &na), *bb = slurp(b, &nb);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ba);
  CU_ASSERT_PTR_NOT_NULL_FATAL(bb);
  CU_ASSERT(na > 0);
  CU_ASSERT_EQUAL(na, nb);
  if (na == nb) {
    size_t first = na;
    for (size_t i = 0; i < na; i++)
      if (ba[i] != bb[i]) {
        first = i;
        break;
      }
    if (first != na) printf("\n  files differ first at byte %zu of %zu\n", first, na);
    CU_ASSERT_EQUAL(first, na);
  }
  /* And rewriting over an existing file truncates it to the same bytes. */
  CU_ASSERT_EQUAL_FATAL(write_standard(b), 0);
  free(bb);
  bb = slurp(b, &nb);
  CU_ASSERT(nb == na && memcmp(ba, bb, na) == 0);
  free(ba);
  free(bb);
  /* A different value gives different bytes (the comparison can fail). */
  g_f3[2][1][0] += 1;
  CU_ASSERT_EQUAL_FATAL(write_standard(b), 0);
  g_f3[2][1][0] -= 1;
  ba = slurp(a, &na);
  bb = slurp(b, &nb);
  CU_ASSERT(na != nb || memcmp(ba, bb, na) != 0);
  free(ba);
  free(bb);
}

static void cleanup(void) {
  const char *names[] = {"std.h5", "attr.h5", "shape.h5", "missing.h5", "same_a.h5", "same_b.h5", "werr.h5"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(tmp(names[i]));
  rmdir(g_dir);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rc = 2;
  if (mkdtemp(g_dir)) {
    fill();
    static const dp_test_case cases[] = {
        DP_TEST(test_write_and_read_back),       DP_TEST(test_attributes),
        DP_TEST(test_shape_mismatch_message),    DP_TEST(test_missing_dataset_and_bad_reads),
        DP_TEST(test_file_errors_name_the_path), DP_TEST(test_write_errors),
        DP_TEST(test_same_content_same_bytes),
    };
    rc = dp_test_run("h5io", cases, (int)(sizeof cases / sizeof cases[0]));
    cleanup();
  }
  MPI_Finalize();
  return rc;
}
