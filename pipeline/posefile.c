/* posefile.c - see posefile.h. */
#include "depthpose/posefile.h"

#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/h5io.h"

void dp_pose_set_free(dp_pose_set *s) {
  dp_h5_free_strings(s->joint_names, (size_t)s->n_joints);
  free(s->poses);
  free(s->index);
  free(s->subject);
  memset(s, 0, sizeof *s);
}

int dp_pose_set_joint(const dp_pose_set *s, const char *name) {
  for (int j = 0; j < s->n_joints; j++)
    if (!strcmp(s->joint_names[j], name)) return j;
  return -1;
}

static int read_all(hid_t f, const char *path, dp_pose_set *s, int split) {
  hsize_t dims[3] = {0, 0, 3}, got[3];
  DP_TRY(dp_h5_expect(f, "poses", 3, dims, got));
  size_t n = (size_t)got[0], J = (size_t)got[1];
  hsize_t d1[1] = {n};
  DP_TRY(dp_h5_expect(f, "split", 1, d1, NULL));
  DP_TRY(dp_h5_expect(f, "subject", 1, d1, NULL));
  size_t nn;
  DP_TRY(dp_h5_read_attr_strings(f, "joint_names", &s->joint_names, &nn));
  s->n_joints = (int)nn;
  if (nn != J || J > DP_MAX_JOINTS)
    return dp_fail("%s: %zu joint names for %zu joints in /poses", path, nn, J);
  float *all = dp_malloc(n * J * 3 * sizeof *all + 1, "poses");
  unsigned char *sp = dp_malloc(n + 1, "splits");
  int *subj = dp_malloc(n * sizeof *subj + 1, "subjects");
  int rc = all && sp && subj ? 0 : -1;
  if (rc == 0) rc = dp_h5_read_rows(f, "poses", H5T_NATIVE_FLOAT, 0, n, all);
  if (rc == 0) rc = dp_h5_read_rows(f, "split", H5T_NATIVE_UCHAR, 0, n, sp);
  if (rc == 0) rc = dp_h5_read_rows(f, "subject", H5T_NATIVE_INT, 0, n, subj);
  if (rc == 0) {
    s->poses = all;
    s->index = dp_malloc(n * sizeof *s->index + 1, "pose index");
    s->subject = subj;
    rc = s->index ? 0 : -1;
    size_t k = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
      if (split < 0 || sp[i] == split) {
        memmove(all + k * J * 3, all + i * J * 3, J * 3 * sizeof *all);
        subj[k] = subj[i];
        s->index[k++] = (int)i;
      }
    s->n = k;
    all = NULL;
    subj = NULL;
  }
  free(all);
  free(sp);
  free(subj);
  return rc;
}

int dp_pose_set_read(const char *path, MPI_Comm comm, int split, dp_pose_set *out) {
  memset(out, 0, sizeof *out);
  hid_t f = dp_h5_open(path, comm);
  if (f < 0) return -1;
  int rc = read_all(f, path, out, split);
  dp_h5_close(f);
  if (rc != 0) dp_pose_set_free(out);
  return rc;
}

int dp_check_tree(const int *parent, const int *order, int n, const char *what) {
  int *seen = calloc((size_t)n, sizeof *seen);
  if (!seen) return dp_fail("out of memory");
  int rc = 0;
  if (n < 1 || order[0] < 0 || order[0] >= n || parent[order[0]] != -1)
    rc = dp_fail("%s: /order[0] must be the root (parent -1)", what);
  for (int i = 0; rc == 0 && i < n; i++) {
    int v = order[i];
    if (v < 0 || v >= n || seen[v]) rc = dp_fail("%s: /order is not a permutation of the joints", what);
    else if (i > 0 && (parent[v] < 0 || parent[v] >= n || !seen[parent[v]]))
      rc = dp_fail("%s: /parent is not a tree (joint %d's parent %d is not placed before it)", what, v,
                   parent[v]);
    else seen[v] = 1;
  }
  free(seen);
  return rc;
}

void dp_skeleton_free(dp_skeleton *s) {
  dp_h5_free_strings(s->joint_names, (size_t)s->n_joints);
  free(s->parent);
  free(s->order);
  free(s->mi);
  memset(s, 0, sizeof *s);
}

int dp_skeleton_read(const char *path, MPI_Comm comm, const dp_pose_set *poses, dp_skeleton *s) {
  memset(s, 0, sizeof *s);
  hid_t f = dp_h5_open(path, comm);
  if (f < 0) return -1;
  size_t nn = 0;
  int rc = dp_h5_read_attr_strings(f, "joint_names", &s->joint_names, &nn);
  s->n_joints = (int)nn;
  int J = s->n_joints;
  if (rc == 0 && poses && J != poses->n_joints)
    rc = dp_fail("%s has %d joints but poses.h5 has %d: rerun skeleton", path, J, poses->n_joints);
  for (int j = 0; rc == 0 && poses && j < J; j++)
    if (strcmp(s->joint_names[j], poses->joint_names[j]))
      rc = dp_fail("%s: joint %d is %s but poses.h5 has %s: rerun skeleton", path, j,
                   s->joint_names[j], poses->joint_names[j]);
  hsize_t d1[1] = {(hsize_t)J}, d2[2] = {(hsize_t)J, (hsize_t)J};
  if (rc == 0) rc = dp_h5_expect(f, "parent", 1, d1, NULL);
  if (rc == 0) rc = dp_h5_expect(f, "order", 1, d1, NULL);
  if (rc == 0) rc = dp_h5_expect(f, "mi", 2, d2, NULL);
  if (rc == 0) {
    s->parent = dp_malloc(sizeof(int) * (size_t)J, "parents");
    s->order = dp_malloc(sizeof(int) * (size_t)J, "order");
    s->mi = dp_malloc(sizeof(double) * (size_t)J * (size_t)J, "mi");
    rc = s->parent && s->order && s->mi ? 0 : -1;
  }
  if (rc == 0) rc = dp_h5_read_rows(f, "parent", H5T_NATIVE_INT, 0, (hsize_t)J, s->parent);
  if (rc == 0) rc = dp_h5_read_rows(f, "order", H5T_NATIVE_INT, 0, (hsize_t)J, s->order);
  if (rc == 0) rc = dp_h5_read_rows(f, "mi", H5T_NATIVE_DOUBLE, 0, (hsize_t)J, s->mi);
  if (rc == 0) rc = dp_check_tree(s->parent, s->order, J, path);
  dp_h5_close(f);
  if (rc != 0) dp_skeleton_free(s);
  return rc;
}
