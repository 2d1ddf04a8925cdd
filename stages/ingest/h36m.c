/* h36m.c - Human3.6M 3-D joint positions in the common h5 layout.
 *
 * The layout written by the widely used release-conversion scripts (and read by
 * 3d-pose-baseline and its descendants): one file per subject/action, dataset
 * "3D_positions" of shape [96][T] (MATLAB column order: 32 joints x xyz down the first
 * axis, frames along the second), millimetres, world frame with Z up. A [T][96] dataset
 * (the same data transposed, as h5py users often re-save it) is accepted too; a
 * [96][96] dataset is read as [96][T].
 *
 * Read with the serial HDF5 API: the library is the MPI build, but the default file
 * access property list uses the POSIX driver and needs no communicator. HDF5's own
 * error printing is switched off while reading (readers never print). */
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/mocap.h"
#include "mocap_text.h"

#define H36M_DATASET "3D_positions"
#define H36M_J 32

/* The 17 names are those of the 3d-pose-baseline list (H36M_NAMES); the other 15
 * indices hold end sites and duplicates of neighbouring joints that most work drops,
 * and get neutral names so every joint has a distinct one. */
const char *const dp_h36m_joint_names[H36M_J] = {
    "Hip",       "RHip",   "RKnee",  "RFoot", "j04",    "j05",   "LHip",      "LKnee",
    "LFoot",     "j09",    "j10",    "j11",   "Spine",  "Thorax", "Neck/Nose", "Head",
    "j16",       "LShoulder", "LElbow", "LWrist", "j20", "j21",   "j22",       "j23",
    "j24",       "RShoulder", "RElbow", "RWrist", "j28", "j29",   "j30",       "j31"};

typedef struct {
  int frames;
  int joint_major; /* 1: [96][T], 0: [T][96] */
} h36m_shape;

static int check_shape(const char *path, hid_t d, h36m_shape *sh) {
  hid_t type = H5Dget_type(d), space = H5Dget_space(d);
  int rc = 0;
  H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
  size_t size = type >= 0 ? H5Tget_size(type) : 0;
  int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
  hsize_t dims[2] = {0, 0};
  if (rank == 2) H5Sget_simple_extent_dims(space, dims, NULL);
  if (cls != H5T_FLOAT || (size != 4 && size != 8))
    rc = dp_fail("%s: dataset '%s' should hold float64 or float32 values", path, H36M_DATASET);
  else if (rank != 2 || (dims[0] != 3 * H36M_J && dims[1] != 3 * H36M_J)) {
    char shape[64];
    if (rank == 2)
      snprintf(shape, sizeof shape, "[%llu][%llu]", (unsigned long long)dims[0],
               (unsigned long long)dims[1]);
    else
      snprintf(shape, sizeof shape, "of rank %d", rank);
    rc = dp_fail("%s: dataset '%s' has shape %s, expected [96][T] (32 joints x xyz by frames) "
                 "or [T][96]",
                 path, H36M_DATASET, shape);
  }
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  if (rc) return rc;
  sh->joint_major = dims[0] == 3 * H36M_J;
  hsize_t t = sh->joint_major ? dims[1] : dims[0];
  if (t == 0) return dp_fail("%s: dataset '%s' holds no frames (empty clip)", path, H36M_DATASET);
  if (t > 100000000) return dp_fail("%s: dataset '%s' has an implausible %llu frames", path,
                                    H36M_DATASET, (unsigned long long)t);
  sh->frames = (int)t;
  return 0;
}

/* Z up -> Y up: (x, y, z) -> (x, z, -y), rejecting NaN/Inf. */
static int convert(const char *path, const double *raw, const h36m_shape *sh, dp_clip *out) {
  int T = sh->frames;
  for (int t = 0; t < T; t++)
    for (int j = 0; j < H36M_J; j++) {
      double v[3];
      for (int a = 0; a < 3; a++) {
        size_t row = (size_t)(3 * j + a);
        v[a] = sh->joint_major ? raw[row * (size_t)T + (size_t)t] : raw[(size_t)t * 96 + row];
        if (!isfinite(v[a]))
          return dp_fail("%s: dataset '%s' holds NaN or Inf at frame %d, joint %d (%s), "
                         "coordinate %c; expected finite millimetres",
                         path, H36M_DATASET, t, j, dp_h36m_joint_names[j], "xyz"[a]);
      }
      float *o = out->pos + ((size_t)t * H36M_J + (size_t)j) * 3;
      o[0] = (float)v[0];
      o[1] = (float)v[2];
      o[2] = (float)-v[1];
    }
  return 0;
}

static int fill_names(dp_clip *out) {
  for (int j = 0; j < H36M_J; j++) {
    out->joint_names[j] = dp_strdup(dp_h36m_joint_names[j]);
    if (!out->joint_names[j]) return -1;
  }
  return 0;
}

static int read_dataset(const char *path, hid_t f, dp_clip *out) {
  if (H5Lexists(f, H36M_DATASET, H5P_DEFAULT) <= 0)
    return dp_fail("%s: no dataset '%s' (expected the H3.6M 3-D positions, [96][T] mm)", path,
                   H36M_DATASET);
  hid_t d = H5Dopen2(f, H36M_DATASET, H5P_DEFAULT);
  if (d < 0) return dp_fail("%s: '%s' is not a dataset", path, H36M_DATASET);
  h36m_shape sh = {0, 0};
  int rc = check_shape(path, d, &sh);
  double *raw = NULL;
  if (rc == 0) {
    raw = dp_malloc((size_t)sh.frames * 96 * sizeof *raw, "H3.6M positions");
    if (!raw) rc = -1;
  }
  if (rc == 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0)
    rc = dp_fail("%s: reading dataset '%s' failed (damaged file?)", path, H36M_DATASET);
  H5Dclose(d);
  if (rc == 0) rc = dp_clip_alloc(out, H36M_J, sh.frames, 0);
  if (rc == 0) rc = fill_names(out);
  if (rc == 0) rc = convert(path, raw, &sh, out);
  free(raw);
  return rc;
}

static int read_file(const char *path, dp_clip *out) {
  FILE *probe = fopen(path, "rb");
  if (!probe) return dp_fail("%s: cannot open: %s", path, strerror(errno));
  fclose(probe);
  if (H5Fis_hdf5(path) <= 0) return dp_fail("%s: not an HDF5 file", path);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return dp_fail("%s: HDF5 cannot open the file (damaged?)", path);
  int rc = read_dataset(path, f, out);
  H5Fclose(f);
  return rc;
}

int dp_h36m_read(const char *path, dp_clip *out) {
  memset(out, 0, sizeof *out);
  H5E_auto2_t saved_fn = NULL;
  void *saved_data = NULL;
  H5Eget_auto2(H5E_DEFAULT, &saved_fn, &saved_data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  int rc = read_file(path, out);
  H5Eset_auto2(H5E_DEFAULT, saved_fn, saved_data);
  if (rc) dp_clip_free(out);
  return rc;
}
