/* h5io.h - the HDF5 helpers every stage uses: collective creation through MPI-IO,
 * row-block (hyperslab along dimension 0) writes where each rank writes its own rows,
 * slice reads, and self-describing attributes (units, joint names).
 *
 * Files are written so that the same data gives the same bytes whatever the number
 * of ranks: no object timestamps, contiguous or fixed-chunk layouts, allocation at
 * creation, and the same sequence of collective calls on every rank. */
#ifndef DEPTHPOSE_H5IO_H
#define DEPTHPOSE_H5IO_H
#include <hdf5.h>
#include <mpi.h>
#include <stddef.h>

/* Create (truncate) a file collectively; returns the file id or -1 (message set). */
hid_t dp_h5_create(const char *path, MPI_Comm comm);
/* Open read-only collectively (every rank of comm calls it). */
hid_t dp_h5_open(const char *path, MPI_Comm comm);
/* Open read-only from one process (serial driver), for tools and tests. */
hid_t dp_h5_open_serial(const char *path);
int dp_h5_close(hid_t file);

/* Collective: create dataset `name` of `type` (a native type, stored as is) with
 * `rank` dims, and write this rank's rows [start, start+count) of dimension 0 from
 * buf (count may be 0). Every rank passes the same name, type, rank and dims.
 * `units` (may be NULL) becomes the dataset's "units" attribute. */
int dp_h5_write_rows(hid_t file, const char *name, hid_t type, int rank, const hsize_t *dims,
                     hsize_t start, hsize_t count, const void *buf, const char *units);
/* Collective two-step variant for data produced in pieces: create, then write slabs. */
hid_t dp_h5_create_dataset(hid_t file, const char *name, hid_t type, int rank,
                           const hsize_t *dims, const char *units);
/* The same with shuffle + deflate (level 1-9; 0 = contiguous, uncompressed), chunked one
 * row of dimension 0 per chunk. Compressed parallel writes must be collective (they are);
 * the file's layout may then depend on the rank count, its data does not. */
hid_t dp_h5_create_dataset_z(hid_t file, const char *name, hid_t type, int rank,
                             const hsize_t *dims, int deflate, const char *units);
int dp_h5_write_slab(hid_t dset, hid_t type, hsize_t start, hsize_t count, const void *buf);

/* Dimensions of a dataset; a missing dataset is an error naming file and dataset. */
int dp_h5_dims(hid_t file, const char *name, int *rank, hsize_t dims[H5S_MAX_RANK]);
/* Check that `name` exists with the given rank and, where dims[i] != 0, that size. */
int dp_h5_expect(hid_t file, const char *name, int rank, const hsize_t *dims, hsize_t *got);
/* Independent read of rows [start, start+count) of dimension 0 into buf as `type`. */
int dp_h5_read_rows(hid_t file, const char *name, hid_t type, hsize_t start, hsize_t count,
                    void *buf);

/* Attributes on a file (use the file id) or dataset. Collective when the file is open
 * in parallel: every rank calls with the same values. */
int dp_h5_attr_string(hid_t obj, const char *name, const char *value);
int dp_h5_attr_strings(hid_t obj, const char *name, const char *const *values, size_t n);
int dp_h5_attr_double(hid_t obj, const char *name, double value);
int dp_h5_attr_long(hid_t obj, const char *name, long value);
int dp_h5_attr_longs(hid_t obj, const char *name, const long *values, size_t n);
/* Up to cap values; *n = how many the attribute has (error if more than cap). */
int dp_h5_read_attr_longs(hid_t obj, const char *name, long *values, size_t cap, size_t *n);
int dp_h5_read_attr_long(hid_t obj, const char *name, long *value);
/* Independent read of the rows idx[0..n) (sorted ascending, distinct) of dimension 0,
 * packed in that order into buf: one HDF5 call for a scattered mini-batch. */
int dp_h5_read_index(hid_t file, const char *name, hid_t type, const hsize_t *idx, size_t n,
                     void *buf);
/* Reading attributes: strings are malloc'ed (free with dp_h5_free_strings). */
int dp_h5_read_attr_string(hid_t obj, const char *name, char **value);
int dp_h5_read_attr_strings(hid_t obj, const char *name, char ***values, size_t *n);
int dp_h5_read_attr_double(hid_t obj, const char *name, double *value);
void dp_h5_free_strings(char **v, size_t n);
/* Name of the file an object belongs to, for messages. */
const char *dp_h5_filename(hid_t obj);

#endif
