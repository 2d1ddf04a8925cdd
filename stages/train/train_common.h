/* train_common.h - what the train and evaluate stages share: the network settings (in
 * the YAML and in model.h5), the input normalisation, and the targets. */
#ifndef DEPTHPOSE_TRAIN_COMMON_H
#define DEPTHPOSE_TRAIN_COMMON_H
#include <hdf5.h>
#include <stdint.h>

#include "depthpose/config.h"
#include "depthpose/nn.h"
#include "depthpose/pose.h"

#define DP_NET_MAX 16

/* The network and its input, as configured (stages.train.network) and as stored in
 * model.h5's attributes so evaluate rebuilds the same network. */
typedef struct {
  long channels[DP_NET_MAX]; /* conv 3x3 output channels, in order */
  long n_conv;
  long pool_after[DP_NET_MAX]; /* 1-based conv indices followed by a 2x2 max-pool */
  long n_pool;
  long fc[DP_NET_MAX];       /* hidden FC widths of each pathway */
  long n_fc;
  double dropout;
  long downsample;           /* input = frame averaged over downsample^2 blocks */
  long embedding;            /* 1: joints are learned in the pose embedding */
  double clip_m;             /* normalised depth is clipped to +-clip_m metres */
} dp_net_params;

int dp_net_params_from_config(const dp_node *sec, dp_net_params *p);
int dp_net_params_write(hid_t f, const dp_net_params *p);
int dp_net_params_read(hid_t f, dp_net_params *p);
/* The network description for frames of H x W and J joints. */
int dp_net_desc(const dp_net_params *p, int H, int W, int J, dp_nn_desc *d);

/* Input normalisation (documented in the README): metres relative to the median of
 * the frame's returning pixels, clipped to +-clip_m; pixels with no return (0) get
 * +clip_m, i.e. "far"; then the mean over downsample x downsample blocks. Needs no
 * label, so it is the same at training and at test time. scratch: H*W uint16. */
void dp_normalise_frame(const dp_net_params *p, const uint16_t *depth, int H, int W,
                        uint16_t *scratch, float *out);

/* ---- the joints the regression pathway learns (stages.train.joints) ------------------
 *
 * depth.h5 carries every joint the body was posed with (15 for the render stage's body);
 * the network may regress a subset of them (the original work's 10). The subset's tree
 * comes from skeleton.h5: the parent of a selected joint is its nearest selected
 * ancestor, and a selected joint with no selected ancestor is a root (-1) - the tree's
 * own root if it is selected. So head -> neck -> torso becomes head -> torso when the
 * neck is left out, and the pose loss's bone terms Ls and Lr run over those bones. */
typedef struct {
  int n;                       /* joints the network learns */
  int src[DP_MAX_JOINTS];      /* each one's row in depth.h5's joint list */
  int parent[DP_MAX_JOINTS];   /* index into the selection, -1 for a root */
} dp_joint_sel;

/* The configured choice: all (default), default15, subset10 or a list of names. With
 * embedding on, torso, l_shoulder, r_shoulder and head must be in it (they define the
 * embedding's frame): anything else is an error at the key's file:line:column. */
typedef struct {
  int all;                     /* 1: every joint of depth.h5 */
  int n;
  const char *names[DP_MAX_JOINTS]; /* point into the config tree or static sets */
} dp_joint_choice;
int dp_joint_choice_from_config(const dp_node *sec, const char *key, int embedding,
                                dp_joint_choice *c);

/* sub_parent[k] = position in sel of the nearest ancestor of sel[k] (along parent[])
 * that is itself in sel, or -1. parent: the full tree over J joints (root -1). */
void dp_subset_parents(const int *parent, int J, const int *sel, int n_sel, int *sub_parent);

/* Map the choice onto a file's joint names; parent (may be NULL: parents left -1) is
 * the full tree. Unknown names are errors: "<what> has no joint <name><hint>" (what =
 * "depth.h5", hint = what the user can do about it). */
int dp_joint_sel_resolve(const dp_joint_choice *c, char **names, int J, const int *parent,
                         const char *what, const char *hint, dp_joint_sel *sel);

/* Joint target of one frame (J x 3, camera mm, all of depth.h5's joints) -> sel->n * 3
 * floats in metres: torso-relative, or embedded (p->embedding), the anchors taken from
 * the full pose. */
typedef struct {
  int torso, l_sh, r_sh, head;
} dp_pose_anchor;
/* The joints the pose embedding and the targets are anchored on: torso, l_shoulder,
 * r_shoulder, head (in the order of dp_pose_anchor). */
extern const char *const dp_pose_anchor_names[4];
int dp_pose_anchor_lookup(char **names, int J, dp_pose_anchor *a);
void dp_pose_target(const dp_net_params *p, const dp_pose_anchor *a, int J, const float *cam_mm,
                    const dp_joint_sel *sel, float *target_m);

/* ---- what train's validation and evaluate both measure ---------------------------- */

/* err[j] = |pred_j - target_j| in mm for poses of n_joints joints given in metres. */
void dp_joint_errors_mm(int n_joints, const float *pred_m, const float *target_m, double *err);
/* The box pathway predicts the box divided by the image size: back to pixels. */
void dp_box_to_pixels(const float *pred, int H, int W, float *px);
/* Intersection over union of two boxes (u0, v0, u1, v1); 0 for empty unions. */
double dp_box_iou(const float *a, const float *b);

#endif
