/* train_common.h - what the train and evaluate stages share: the network settings (in
 * the YAML and in model.h5), the input normalisation, and the targets. */
#ifndef DEPTHPOSE_TRAIN_COMMON_H
#define DEPTHPOSE_TRAIN_COMMON_H
#include <hdf5.h>
#include <stdint.h>

#include "depthpose/config.h"
#include "depthpose/nn.h"

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

/* Joint target of one frame (J x 3, camera mm) -> n_joints*3 floats in metres:
 * torso-relative, or embedded (p->embedding) with R/t returned for un-embedding. */
typedef struct {
  int torso, l_sh, r_sh, head;
} dp_pose_anchor;
int dp_pose_anchor_lookup(char **names, int J, dp_pose_anchor *a);
void dp_pose_target(const dp_net_params *p, const dp_pose_anchor *a, int J, const float *cam_mm,
                    float *target_m);

#endif
