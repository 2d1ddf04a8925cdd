/* posefile.h - reading poses.h5 and skeleton.h5 back, with the checks every consumer
 * needs (shapes agree, joint names agree), in one place. */
#ifndef DEPTHPOSE_POSEFILE_H
#define DEPTHPOSE_POSEFILE_H
#include <mpi.h>
#include <stddef.h>

#include "depthpose/pose.h"

typedef struct {
  size_t n;          /* poses kept */
  int n_joints;
  char **joint_names;
  float *poses;      /* [n][J][3] mm */
  int *index;        /* [n] row in poses.h5 (for counter-based randomness) */
  int *subject;      /* [n] */
} dp_pose_set;

/* Read the poses of one split (0 train, 1 val, 2 test; -1 all) from poses.h5. Every
 * rank of comm calls it and gets the whole set. */
int dp_pose_set_read(const char *path, MPI_Comm comm, int split, dp_pose_set *out);
void dp_pose_set_free(dp_pose_set *s);
int dp_pose_set_joint(const dp_pose_set *s, const char *name); /* index or -1 */

typedef struct {
  int n_joints;
  char **joint_names;
  int *parent;   /* [J], root -1 */
  int *order;    /* [J], root first, parents before children */
  double *mi;    /* [J][J] */
} dp_skeleton;

/* Read skeleton.h5 and check that it is a tree over the same joints as `poses`. */
int dp_skeleton_read(const char *path, MPI_Comm comm, const dp_pose_set *poses, dp_skeleton *out);
void dp_skeleton_free(dp_skeleton *s);
/* Check parent/order describe one tree rooted at order[0]; message names `what`. */
int dp_check_tree(const int *parent, const int *order, int n, const char *what);

#endif
