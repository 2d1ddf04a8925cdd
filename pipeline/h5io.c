/* h5io.c - see h5io.h. Every HDF5 call is checked; failures become one dp_fail
 * message naming the file and the dataset. */
#include "depthpose/h5io.h"

#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"

const char *dp_h5_filename(hid_t obj) {
  static char name[4096];
  if (H5Fget_name(obj, name, sizeof name) < 0) snprintf(name, sizeof name, "(hdf5 file)");
  return name;
}

static hid_t make_fapl(MPI_Comm comm) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return -1;
  if (comm != MPI_COMM_NULL) {
    if (H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) < 0) {
      H5Pclose(fapl);
      return -1;
    }
    /* Metadata written collectively keeps every rank's view, and the bytes, identical. */
    H5Pset_coll_metadata_write(fapl, 1);
    H5Pset_all_coll_metadata_ops(fapl, 1);
  }
  return fapl;
}

hid_t dp_h5_create(const char *path, MPI_Comm comm) {
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t fapl = make_fapl(comm);
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  if (fapl < 0 || fcpl < 0) return dp_fail("%s: cannot set up HDF5 file properties", path);
  H5Pset_obj_track_times(fcpl, 0); /* no timestamps in the root group: same data, same bytes */
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
  H5Pclose(fapl);
  H5Pclose(fcpl);
  if (f < 0) return dp_fail("%s: cannot create HDF5 file (directory missing or not writable?)", path);
  return f;
}

static hid_t open_with(const char *path, MPI_Comm comm) {
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t fapl = make_fapl(comm);
  if (fapl < 0) return dp_fail("%s: cannot set up HDF5 file access", path);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  H5Pclose(fapl);
  if (f < 0) return dp_fail("%s: cannot open as HDF5 (missing, or not an HDF5 file)", path);
  return f;
}

hid_t dp_h5_open(const char *path, MPI_Comm comm) { return open_with(path, comm); }
hid_t dp_h5_open_serial(const char *path) { return open_with(path, MPI_COMM_NULL); }

int dp_h5_close(hid_t file) {
  if (file < 0) return 0;
  if (H5Fclose(file) < 0) return dp_fail("cannot close HDF5 file (data may not be written)");
  return 0;
}

hid_t dp_h5_create_dataset_z(hid_t file, const char *name, hid_t type, int rank,
                             const hsize_t *dims, int deflate, const char *units) {
  hid_t space = H5Screate_simple(rank, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t d = -1;
  if (space >= 0 && dcpl >= 0) {
    H5Pset_obj_track_times(dcpl, 0);
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER); /* every element is written */
    if (deflate > 0 && dims[0] > 0) {
      /* One row (frame) per chunk: a rank's rows are whole chunks, never shared. */
      hsize_t chunk[H5S_MAX_RANK];
      memcpy(chunk, dims, sizeof(hsize_t) * (size_t)rank);
      chunk[0] = 1;
      H5Pset_chunk(dcpl, rank, chunk);
      H5Pset_shuffle(dcpl);
      H5Pset_deflate(dcpl, (unsigned)deflate);
    } else {
      H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
    }
    d = H5Dcreate2(file, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  }
  if (space >= 0) H5Sclose(space);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (d < 0) return dp_fail("%s: cannot create dataset %s", dp_h5_filename(file), name);
  if (units && dp_h5_attr_string(d, "units", units) != 0) {
    H5Dclose(d);
    return -1;
  }
  return d;
}

hid_t dp_h5_create_dataset(hid_t file, const char *name, hid_t type, int rank,
                           const hsize_t *dims, const char *units) {
  return dp_h5_create_dataset_z(file, name, type, rank, dims, 0, units);
}

/* Select rows [start, start+count) of dimension 0 in the dataset's file space and
 * return a memory space of that shape; a rank with no rows selects none in both, so it
 * can still take part in a collective call. */
static hid_t select_rows(hid_t fspace, hsize_t start, hsize_t count) {
  int rank = H5Sget_simple_extent_ndims(fspace);
  hsize_t off[H5S_MAX_RANK] = {0}, cnt[H5S_MAX_RANK];
  H5Sget_simple_extent_dims(fspace, cnt, NULL);
  off[0] = start;
  cnt[0] = count;
  hid_t mspace = H5Screate_simple(rank, cnt, NULL);
  if (count == 0) {
    H5Sselect_none(fspace);
    H5Sselect_none(mspace);
  } else {
    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, off, NULL, cnt, NULL);
  }
  return mspace;
}

int dp_h5_write_slab(hid_t dset, hid_t type, hsize_t start, hsize_t count, const void *buf) {
  hid_t fspace = H5Dget_space(dset);
  hsize_t dims[H5S_MAX_RANK];
  H5Sget_simple_extent_dims(fspace, dims, NULL);
  if (start + count > dims[0]) {
    H5Sclose(fspace);
    return dp_fail("internal: rows [%llu, %llu) outside a dataset of %llu rows",
                   (unsigned long long)start, (unsigned long long)(start + count),
                   (unsigned long long)dims[0]);
  }
  hid_t mspace = select_rows(fspace, start, count);
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  hid_t fid = H5Iget_file_id(dset), fapl = H5Fget_access_plist(fid);
  if (H5Pget_driver(fapl) == H5FD_MPIO) H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
  H5Pclose(fapl);
  H5Fclose(fid);
  herr_t rc = H5Dwrite(dset, type, mspace, fspace, dxpl, count ? buf : NULL);
  H5Pclose(dxpl);
  H5Sclose(mspace);
  H5Sclose(fspace);
  if (rc < 0) return dp_fail("%s: write failed (disk full?)", dp_h5_filename(dset));
  return 0;
}

int dp_h5_write_rows(hid_t file, const char *name, hid_t type, int rank, const hsize_t *dims,
                     hsize_t start, hsize_t count, const void *buf, const char *units) {
  hid_t d = dp_h5_create_dataset(file, name, type, rank, dims, units);
  if (d < 0) return -1;
  int rc = dp_h5_write_slab(d, type, start, count, buf);
  H5Dclose(d);
  return rc;
}

int dp_h5_dims(hid_t file, const char *name, int *rank, hsize_t dims[H5S_MAX_RANK]) {
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0)
    return dp_fail("%s: dataset %s is missing", dp_h5_filename(file), name);
  hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
  if (d < 0) return dp_fail("%s: %s is not a dataset", dp_h5_filename(file), name);
  hid_t s = H5Dget_space(d);
  *rank = H5Sget_simple_extent_ndims(s);
  H5Sget_simple_extent_dims(s, dims, NULL);
  H5Sclose(s);
  H5Dclose(d);
  return 0;
}

int dp_h5_expect(hid_t file, const char *name, int rank, const hsize_t *dims, hsize_t *got) {
  int r;
  hsize_t d[H5S_MAX_RANK];
  DP_TRY(dp_h5_dims(file, name, &r, d));
  int ok = r == rank;
  for (int i = 0; ok && i < rank; i++) ok = !dims || !dims[i] || dims[i] == d[i];
  if (!ok) {
    char want[256] = "", have[256] = "";
    for (int i = 0; i < rank; i++) {
      if (dims && dims[i])
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%llu", i ? "," : "",
                 (unsigned long long)dims[i]);
      else
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s*", i ? "," : "");
    }
    for (int i = 0; i < r; i++)
      snprintf(have + strlen(have), sizeof have - strlen(have), "%s%llu", i ? "," : "",
               (unsigned long long)d[i]);
    return dp_fail("%s: dataset %s has shape [%s], expected [%s]", dp_h5_filename(file), name,
                   have, want);
  }
  if (got) memcpy(got, d, sizeof(hsize_t) * (size_t)r);
  return 0;
}

int dp_h5_read_rows(hid_t file, const char *name, hid_t type, hsize_t start, hsize_t count,
                    void *buf) {
  int rank;
  hsize_t dims[H5S_MAX_RANK];
  DP_TRY(dp_h5_dims(file, name, &rank, dims));
  if (start + count > dims[0])
    return dp_fail("%s: %s has %llu rows, asked for rows up to %llu", dp_h5_filename(file), name,
                   (unsigned long long)dims[0], (unsigned long long)(start + count));
  hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
  hid_t fspace = H5Dget_space(d);
  hid_t mspace = select_rows(fspace, start, count);
  herr_t rc = H5Dread(d, type, mspace, fspace, H5P_DEFAULT, buf);
  H5Sclose(mspace);
  H5Sclose(fspace);
  H5Dclose(d);
  if (rc < 0)
    return dp_fail("%s: cannot read %s as the expected type (wrong type or corrupt file)",
                   dp_h5_filename(file), name);
  return 0;
}

/* ---- attributes ----------------------------------------------------------- */

static int write_attr(hid_t obj, const char *name, hid_t type, hid_t space, const void *buf) {
  if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
  hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  herr_t rc = a < 0 ? -1 : H5Awrite(a, type, buf);
  if (a >= 0) H5Aclose(a);
  if (rc < 0) return dp_fail("%s: cannot write attribute %s", dp_h5_filename(obj), name);
  return 0;
}

/* Fixed-length, NUL-terminated strings: deterministic bytes and readable everywhere. */
int dp_h5_attr_strings(hid_t obj, const char *name, const char *const *values, size_t n) {
  size_t width = 1;
  for (size_t i = 0; i < n; i++)
    if (strlen(values[i]) + 1 > width) width = strlen(values[i]) + 1;
  char *buf = dp_calloc(n ? n : 1, width, "string attribute");
  if (!buf) return -1;
  for (size_t i = 0; i < n; i++) memcpy(buf + i * width, values[i], strlen(values[i]));
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, width);
  H5Tset_strpad(type, H5T_STR_NULLTERM);
  hsize_t dim = n;
  hid_t space = H5Screate_simple(1, &dim, NULL);
  int rc = write_attr(obj, name, type, space, buf);
  H5Sclose(space);
  H5Tclose(type);
  free(buf);
  return rc;
}

int dp_h5_attr_string(hid_t obj, const char *name, const char *value) {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, strlen(value) + 1);
  H5Tset_strpad(type, H5T_STR_NULLTERM);
  hid_t space = H5Screate(H5S_SCALAR);
  int rc = write_attr(obj, name, type, space, value);
  H5Sclose(space);
  H5Tclose(type);
  return rc;
}

int dp_h5_attr_double(hid_t obj, const char *name, double value) {
  hid_t space = H5Screate(H5S_SCALAR);
  int rc = write_attr(obj, name, H5T_NATIVE_DOUBLE, space, &value);
  H5Sclose(space);
  return rc;
}

int dp_h5_attr_long(hid_t obj, const char *name, long value) {
  hid_t space = H5Screate(H5S_SCALAR);
  int rc = write_attr(obj, name, H5T_NATIVE_LONG, space, &value);
  H5Sclose(space);
  return rc;
}

void dp_h5_free_strings(char **v, size_t n) {
  for (size_t i = 0; v && i < n; i++) free(v[i]);
  free(v);
}

int dp_h5_read_attr_strings(hid_t obj, const char *name, char ***values, size_t *n) {
  *values = NULL;
  *n = 0;
  if (H5Aexists(obj, name) <= 0)
    return dp_fail("%s: attribute %s is missing", dp_h5_filename(obj), name);
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  hid_t ftype = H5Aget_type(a), space = H5Aget_space(a);
  int ok = H5Tget_class(ftype) == H5T_STRING;
  hssize_t count = H5Sget_simple_extent_npoints(space);
  char **out = ok ? dp_calloc((size_t)count + 1, sizeof *out, "string attribute") : NULL;
  int rc = -1;
  if (out && H5Tis_variable_str(ftype) > 0) {
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    char **raw = dp_calloc((size_t)count + 1, sizeof *raw, "string attribute");
    if (raw && H5Aread(a, mt, raw) >= 0) {
      rc = 0;
      for (hssize_t i = 0; i < count; i++) out[i] = dp_strdup(raw[i] ? raw[i] : "");
      H5Dvlen_reclaim(mt, space, H5P_DEFAULT, raw);
    }
    free(raw);
    H5Tclose(mt);
  } else if (out) {
    /* Memory strings one byte wider than the file's, NUL-terminated: a NULLPAD or
     * SPACEPAD string (h5py, numpy "S") that fills its width keeps every character. */
    size_t w = H5Tget_size(ftype) + 1;
    char *raw = dp_calloc((size_t)count + 1, w, "string attribute");
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, w);
    H5Tset_strpad(mt, H5T_STR_NULLTERM);
    if (raw && H5Aread(a, mt, raw) >= 0) {
      rc = 0;
      for (hssize_t i = 0; i < count; i++) {
        out[i] = dp_calloc(w + 1, 1, "string");
        if (out[i]) memcpy(out[i], raw + (size_t)i * w, w);
      }
    }
    free(raw);
    H5Tclose(mt);
  }
  H5Tclose(ftype);
  H5Sclose(space);
  H5Aclose(a);
  if (rc != 0) {
    dp_h5_free_strings(out, (size_t)count);
    return dp_fail("%s: attribute %s is not a string or string list", dp_h5_filename(obj), name);
  }
  *values = out;
  *n = (size_t)count;
  return 0;
}

int dp_h5_read_attr_string(hid_t obj, const char *name, char **value) {
  char **v;
  size_t n;
  DP_TRY(dp_h5_read_attr_strings(obj, name, &v, &n));
  if (n != 1) {
    dp_h5_free_strings(v, n);
    return dp_fail("%s: attribute %s: expected one string, found %zu", dp_h5_filename(obj), name, n);
  }
  *value = v[0];
  free(v);
  return 0;
}

int dp_h5_read_attr_double(hid_t obj, const char *name, double *value) {
  if (H5Aexists(obj, name) <= 0)
    return dp_fail("%s: attribute %s is missing", dp_h5_filename(obj), name);
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  herr_t rc = H5Aread(a, H5T_NATIVE_DOUBLE, value);
  H5Aclose(a);
  if (rc < 0) return dp_fail("%s: attribute %s is not a number", dp_h5_filename(obj), name);
  return 0;
}

int dp_h5_attr_longs(hid_t obj, const char *name, const long *values, size_t n) {
  hsize_t dim = n;
  hid_t space = H5Screate_simple(1, &dim, NULL);
  int rc = write_attr(obj, name, H5T_NATIVE_LONG, space, values);
  H5Sclose(space);
  return rc;
}

int dp_h5_read_attr_longs(hid_t obj, const char *name, long *values, size_t cap, size_t *n) {
  if (H5Aexists(obj, name) <= 0)
    return dp_fail("%s: attribute %s is missing", dp_h5_filename(obj), name);
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT), space = H5Aget_space(a);
  hssize_t count = H5Sget_simple_extent_npoints(space);
  H5Sclose(space);
  herr_t rc = -1;
  if (count >= 0 && (size_t)count <= cap) rc = H5Aread(a, H5T_NATIVE_LONG, values);
  H5Aclose(a);
  if (rc < 0)
    return dp_fail("%s: attribute %s: expected at most %zu integers", dp_h5_filename(obj), name, cap);
  *n = (size_t)count;
  return 0;
}

int dp_h5_read_attr_long(hid_t obj, const char *name, long *value) {
  size_t n = 0;
  DP_TRY(dp_h5_read_attr_longs(obj, name, value, 1, &n));
  if (n != 1) return dp_fail("%s: attribute %s: expected one integer", dp_h5_filename(obj), name);
  return 0;
}

int dp_h5_read_index(hid_t file, const char *name, hid_t type, const hsize_t *idx, size_t n,
                     void *buf) {
  int rank;
  hsize_t dims[H5S_MAX_RANK];
  DP_TRY(dp_h5_dims(file, name, &rank, dims));
  for (size_t i = 0; i < n; i++)
    if (idx[i] >= dims[0] || (i && idx[i] <= idx[i - 1]))
      return dp_fail("internal: row list for %s not sorted or out of range", name);
  hid_t d = H5Dopen2(file, name, H5P_DEFAULT), fspace = H5Dget_space(d);
  hsize_t off[H5S_MAX_RANK] = {0}, cnt[H5S_MAX_RANK];
  memcpy(cnt, dims, sizeof(hsize_t) * (size_t)rank);
  cnt[0] = 1;
  H5Sselect_none(fspace);
  for (size_t i = 0; i < n; i++) {
    off[0] = idx[i];
    H5Sselect_hyperslab(fspace, H5S_SELECT_OR, off, NULL, cnt, NULL);
  }
  cnt[0] = n;
  hid_t mspace = H5Screate_simple(rank, cnt, NULL);
  if (n == 0) H5Sselect_none(mspace);
  herr_t rc = H5Dread(d, type, mspace, fspace, H5P_DEFAULT, buf);
  H5Sclose(mspace);
  H5Sclose(fspace);
  H5Dclose(d);
  if (rc < 0) return dp_fail("%s: cannot read rows of %s", dp_h5_filename(file), name);
  return 0;
}
