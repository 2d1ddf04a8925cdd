/* nn.h - the train stage's small convolutional network in plain C on OpenBLAS.
 *
 * Three levels, each usable on its own:
 *
 *  1. Layers: forward/backward pairs of plain functions on NCHW float tensors with
 *     batch n (conv2d via im2col + cblas_sgemm, relu, max-pool, fully connected,
 *     dropout) and the losses (L2 box loss, the original pose regression loss).
 *     Parameter layouts are PyTorch's: conv weight [cout][cin][k][k], fc weight
 *     [out][in], so weights move between the two without transposes.
 *  2. A network built from a plain description (dp_nn_desc): a trunk of
 *     conv/relu/maxpool(/dropout) layers and named pathways of fc/relu/dropout layers,
 *     each pathway reading the trunk's flattened (C,H,W-order) output. ALL parameters
 *     live in one contiguous float buffer and ALL gradients in another, so a
 *     data-parallel step is one MPI_Allreduce over net->grads. Activations, gradients
 *     and the im2col scratch are allocated once for a maximum batch and reused
 *     (glibc hands big blocks back to the OS on free: never malloc per step).
 *  3. An optimiser (SGD with momentum, or Adam; weight decay) whose state is one
 *     contiguous buffer too, and a pose embedding helper.
 *
 * Randomness (initialisation, dropout masks) comes from rng.h's counter-based
 * generator on stream DP_STREAM_TRAIN; this module uses only the sub-indices
 * DP_NN_SUB_* below, the stage glue may use any sub < DP_NN_SUB_BASE. A dropout mask
 * for (step, global sample, unit) is a pure function of those, so results do not
 * depend on how a batch is split across ranks.
 *
 * Errors follow error.h: functions that can fail return 0 / -1 with dp_fail(). */
#ifndef DEPTHPOSE_NN_H
#define DEPTHPOSE_NN_H
#include <stddef.h>
#include <stdint.h>

/* ---- rng sub-indices owned by this module (stream DP_STREAM_TRAIN) -------------- */
#define DP_NN_SUB_BASE 0x10000u
#define DP_NN_SUB_INIT 0x10000u    /* + parameter tensor index; rng index 0 */
#define DP_NN_SUB_DROPOUT 0x20000u /* + global layer index; index = step<<32 | sample */

/* ---- BLAS ---------------------------------------------------------------------- */

/* OpenBLAS's threads per call (threads > 0; 0 leaves them) and the name of the kernel
 * set it runs ("Cooperlake", "Haswell", ...: OPENBLAS_CORETYPE can force one, at up to
 * half the GEMM speed; blas.c). */
const char *dp_nn_blas_setup(int threads);

/* ---- layers ------------------------------------------------------------------- */

/* Geometry of one conv layer; hout/wout are derived by dp_nn_conv_shape(). */
typedef struct {
  int cin, h, w;        /* input */
  int cout, k, stride, pad;
  int hout, wout;       /* (h + 2 pad - k) / stride + 1, floor */
} dp_nn_conv_geom;

/* Fill hout/wout; returns -1 (no dp_fail) if the output would be empty. */
int dp_nn_conv_shape(dp_nn_conv_geom *g);

/* The algorithms behind a conv layer: all of them compute the same convolution (to
 * rounding) and are held to each other by the tests.
 *  - im2col: any geometry; one SGEMM per sample (conv_im2col.c). The reference.
 *  - winograd: F(4x4, 3x3) (Lavin & Gray 2016) for k = 3, stride 1, pad 1: 36
 *    multiplies per 4x4 output tile and channel pair instead of 144, as 36 SGEMMs per
 *    group of tiles; both gradients too (winograd.c).
 *  - direct: plain loops for k = 3, stride 1, pad 1 with few input channels (the
 *    first layer sees one depth channel, where a GEMM has nothing to chew on).
 * auto picks per layer: direct for cin <= DP_NN_DIRECT_MAX_CIN, winograd for the other
 * 3x3 / stride 1 / pad 1 layers, im2col for everything else. */
typedef enum {
  DP_NN_CONV_AUTO = 0,
  DP_NN_CONV_IM2COL,
  DP_NN_CONV_WINOGRAD,
  DP_NN_CONV_DIRECT,
} dp_nn_conv_algo;
#define DP_NN_DIRECT_MAX_CIN 3

/* "auto", "im2col", "winograd", "direct" (for logs and configs). */
const char *dp_nn_conv_algo_name(dp_nn_conv_algo a);
/* The algorithm a layer of geometry g runs when want is asked for: want itself if it
 * can run g, else im2col (auto: the rule above). */
dp_nn_conv_algo dp_nn_conv_pick(const dp_nn_conv_geom *g, dp_nn_conv_algo want);
/* Floats of workspace dp_nn_conv_run_* need for g with algorithm a (any batch). */
size_t dp_nn_conv_ws_size(const dp_nn_conv_geom *g, dp_nn_conv_algo a);
/* y = conv(x, w) + b, then y = max(y, 0) if relu, by algorithm a (which must be able
 * to run g: take it from dp_nn_conv_pick). ws: dp_nn_conv_ws_size floats. */
void dp_nn_conv_run_forward(const dp_nn_conv_geom *g, dp_nn_conv_algo a, int n, const float *x,
                            const float *w, const float *b, float *y, float *ws, int relu);
/* Called between pieces of a long backward pass (a chance to progress communication). */
typedef struct {
  void (*fn)(void *ctx);
  void *ctx;
} dp_nn_tick;
/* The backward of dp_nn_conv_run_forward. relu_y: NULL, or the forward's rectified
 * output, in which case dy is the gradient with respect to max(conv, 0) and only
 * flows where relu_y > 0 (the ReLU's backward, fused). dw/db accumulate, dx is
 * overwritten; NULL skips each. tick may be NULL. */
void dp_nn_conv_run_backward(const dp_nn_conv_geom *g, dp_nn_conv_algo a, int n, const float *x,
                             const float *w, const float *relu_y, const float *dy, float *dx,
                             float *dw, float *db, float *ws, const dp_nn_tick *tick);

/* relu: y = max(x, 0); y may alias x. Backward uses the OUTPUT y (so the forward may
 * run in place): dx = dy where y > 0, else 0; dx may alias dy. */
void dp_nn_relu_forward(const float *x, float *y, size_t count);
void dp_nn_relu_backward(const float *y, const float *dy, float *dx, size_t count);

/* Max-pool k x k, stride s, no padding, floor mode (PyTorch's default): output
 * (h - k) / s + 1. idx records the argmax (offset inside its h*w input plane; the
 * first maximum wins on ties, like PyTorch) for the backward pass. */
void dp_nn_maxpool_forward(int n, int c, int h, int w, int k, int s, const float *x,
                           float *y, int32_t *idx);
/* dx (overwritten, n*c*h*w) gets dy routed to the argmax of each window. */
void dp_nn_maxpool_backward(int n, int c, int h, int w, int k, int s, const float *dy,
                            const int32_t *idx, float *dx);

/* Fully connected: y[n][out] = x[n][in] . w[out][in]^T + b[out]. */
void dp_nn_fc_forward(int n, int in, int out, const float *x, const float *w,
                      const float *b, float *y);
/* dw/db accumulate (NULL: skip); dx overwritten (NULL: skip). */
void dp_nn_fc_backward(int n, int in, int out, const float *x, const float *w,
                       const float *dy, float *dx, float *dw, float *db);

/* Inverted dropout with drop probability p: kept units are scaled by 1/(1-p), so
 * inference is the identity. mask[n][units] receives the factor (0 or 1/(1-p)); the
 * decision for unit u of batch row r is a pure function of
 * (seed, step, sample0 + r, layer_id, u). y may alias x. */
void dp_nn_dropout_forward(int n, int units, float p, uint64_t seed, uint64_t step,
                           uint64_t sample0, uint32_t layer_id, const float *x,
                           float *y, float *mask);
void dp_nn_dropout_backward(size_t count, const float *mask, const float *dy, float *dx);

/* ---- losses (batch-averaged: each is (1/n) * sum over the batch) ------------------ */

/* L2 box loss: L = (1/n) sum_r sum_k (pred - target)^2 over dim coordinates per row.
 * grad (n*dim, overwritten, may be NULL) = dL/dpred. Returns L. */
float dp_nn_box_loss(int n, int dim, const float *pred, const float *target, float *grad);

/* The original regression loss L = wd*Ld + ws*Ls + wr*Lr on poses of J joints stored
 * [n][J][3] (joint-major, x y z). Target J, prediction Ĵ, parent[i] < 0 for the root:
 *   Ld = sum_i |J_i - Ĵ_i|^2                                  (all joints)
 *   Ls = sum_{i non-root} |P_i - P̂_i|^2,  P_i = J_i - J_parent(i)   (bone offsets)
 *   Lr = sum_{i non-root} (1 - P_i.P̂_i / (|P_i|_e |P̂_i|_e))
 * each averaged over the batch. |v|_e = sqrt(|v|^2 + eps^2): the epsilon keeps the
 * cosine and its gradient finite when an offset is zero (a collapsed prediction at
 * initialisation) and changes nothing measurable for bones of millimetres. */
typedef struct {
  float wd, ws, wr; /* term weights; defaults 0.027, 0.833, 0.139 */
  float eps;        /* norm guard, in the pose's units; default 1e-3 */
} dp_nn_pose_loss_cfg;
typedef struct {
  double total, ld, ls, lr; /* unweighted terms (batch-averaged) and the total */
} dp_nn_pose_loss_terms;

void dp_nn_pose_loss_default(dp_nn_pose_loss_cfg *cfg);
/* grad (n*J*3, overwritten, may be NULL) = dL/dpred; terms may be NULL. Returns L. */
float dp_nn_pose_loss(int n, int n_joints, const int *parent, const float *pred,
                      const float *target, const dp_nn_pose_loss_cfg *cfg, float *grad,
                      dp_nn_pose_loss_terms *terms);

/* ---- network description -------------------------------------------------------- */

typedef enum {
  DP_NN_CONV = 1,
  DP_NN_RELU,
  DP_NN_MAXPOOL,
  DP_NN_FC,
  DP_NN_DROPOUT,
} dp_nn_kind;

/* One layer; zero fields take defaults, so a memset description is the original's:
 * conv k = 3, stride = 1, pad = k/2 ("same" at stride 1; pad = -1 means no padding);
 * maxpool k = 2, stride = k. out = conv output channels / fc output units; p = the
 * dropout probability. */
typedef struct {
  dp_nn_kind kind;
  int out;
  int k, stride, pad;
  float p;
} dp_nn_layer_desc;

#define DP_NN_MAX_LAYERS 32
#define DP_NN_MAX_PATHS 4
#define DP_NN_NAME_LEN 32

typedef struct {
  char name[DP_NN_NAME_LEN]; /* "box", "joints": parameter names start with it */
  int n_layers;
  dp_nn_layer_desc layers[DP_NN_MAX_LAYERS];
} dp_nn_path_desc;

typedef struct {
  int in_c, in_h, in_w; /* input frame, e.g. 1 x 144 x 176 */
  dp_nn_conv_algo conv_algo; /* every conv layer's choice (0 = auto), see dp_nn_conv_pick */
  int n_trunk;
  dp_nn_layer_desc trunk[DP_NN_MAX_LAYERS];
  int n_paths;
  dp_nn_path_desc paths[DP_NN_MAX_PATHS];
} dp_nn_desc;

/* The original network on a 1 x in_h x in_w depth frame: 7 conv 3x3 (32-32-64-64-
 * 128-128-256) with ReLU after each and 2x2 max-pool after the 2nd, 4th, 6th and
 * 7th; pathways "box" (box_out, 4) and "joints" (joints_out, 3*J), each FC 1024 ->
 * relu -> [dropout] -> FC 256 -> relu -> [dropout] -> FC out. dropout <= 0: none. */
void dp_nn_desc_default(dp_nn_desc *d, int in_h, int in_w, int box_out, int joints_out,
                        float dropout);

/* ---- network --------------------------------------------------------------------- */

/* One parameter tensor: a slice of net->params (and net->grads) at offset. Names
 * follow PyTorch's nn.Sequential state_dict: "trunk.<i>.weight", "box.<i>.bias",
 * where i is the layer's index in its chain. */
typedef struct {
  char name[DP_NN_NAME_LEN + 16];
  size_t offset, count;
  int ndim;
  int shape[4];
  int layer; /* global layer index (trunk first, then pathways in order) */
} dp_nn_param;

typedef struct dp_nn_layer dp_nn_layer; /* private: stages/train/nn/nn_internal.h */

typedef struct {
  dp_nn_desc desc;
  int max_batch;
  float *params;  /* n_params floats: every weight and bias, tensors back to back */
  float *grads;   /* n_params floats, same layout */
  size_t n_params;
  int n_tensors;
  dp_nn_param *tensors;
  int trunk_out;          /* floats per sample of the flattened trunk output */
  int path_out[DP_NN_MAX_PATHS]; /* floats per sample of each pathway's output */
  uint64_t seed;          /* from dp_nn_init: keys the dropout masks */
  /* Optional (NULL: none), for overlapping a gradient allreduce with the backward pass:
   * dp_nn_backward calls backward_hook(backward_hook_ctx, layer) as soon as a trainable
   * layer's parameter gradients are final, and backward_hook(ctx, -1) between the
   * samples of a conv layer's backward, a chance to progress communication. */
  void (*backward_hook)(void *ctx, int layer);
  void *backward_hook_ctx;
  /* private from here on */
  int n_layers;           /* trunk + all pathways */
  dp_nn_layer *layers;
  int chain_first[DP_NN_MAX_PATHS + 2]; /* chain c (0 trunk, 1+p pathway p) is layers
                                           [chain_first[c], chain_first[c+1]) */
  float *arena;           /* activations, masks, gradient ping-pong, conv workspace */
  int32_t *idx_arena;     /* max-pool argmax */
  size_t arena_bytes;
  float *gbuf[2], *gtrunk, *ws;
  const float *x;         /* input of the last forward (kept by the caller) */
  int n;                  /* batch of the last forward */
  int train;              /* the last forward ran dropout */
  unsigned fwd_paths;     /* pathways computed by the last forward */
} dp_nn_net;

/* Build a network for batches up to max_batch. A description that does not fit its
 * input (an empty conv/pool output, a kind not allowed in the trunk or a pathway)
 * fails with a message naming the layer, e.g. "trunk layer 12 (maxpool): input 1x1
 * smaller than the 2x2 window". */
int dp_nn_create(dp_nn_net **out, const dp_nn_desc *d, int max_batch);
void dp_nn_destroy(dp_nn_net *net);

/* Deterministic initialisation from seed: He/Kaiming normal weights (std
 * sqrt(2/fan_in), fan_in = cin*k*k or in), zero biases; tensor t draws from
 * dp_rng_init(seed, DP_STREAM_TRAIN, 0, DP_NN_SUB_INIT + t). Also sets net->seed. */
void dp_nn_init(dp_nn_net *net, uint64_t seed);

/* Index of the pathway called name, or -1. */
int dp_nn_path_index(const dp_nn_net *net, const char *name);
/* Bytes of activations/workspace held (for the log). */
size_t dp_nn_workspace_bytes(const dp_nn_net *net);
/* Forward FLOPs per sample (multiply-add = 2), for throughput reports. */
double dp_nn_flops_per_sample(const dp_nn_net *net);

/* One forward pass. */
typedef struct {
  int train;        /* 1: dropout active; 0: inference (dropout is the identity) */
  uint64_t step;    /* global optimiser step: keys the dropout masks */
  uint64_t sample0; /* global index of batch row 0 (rank offset in the global batch) */
  unsigned paths;   /* bit p: compute pathway p; 0 means all */
} dp_nn_pass;

/* x: n x in_c x in_h x in_w, n <= max_batch; must stay valid until dp_nn_backward. */
void dp_nn_forward(dp_nn_net *net, const float *x, int n, const dp_nn_pass *pass);
/* Pathway p's output of the last forward: n x path_out[p] (owned by the net). */
const float *dp_nn_output(const dp_nn_net *net, int path);

/* Backward pass of the last forward. dy[p] = dL/d(output of pathway p), n x
 * path_out[p], or NULL (pathway not in the loss; dy itself may be NULL = none).
 * Gradients ACCUMULATE into net->grads (call dp_nn_zero_grad first; accumulation
 * lets a step sum micro-batches). Frozen layers get no gradient, and if every
 * parameterised layer before a point is frozen the pass stops there: with a frozen
 * trunk the trunk's backward is skipped entirely. */
void dp_nn_backward(dp_nn_net *net, const float *const *dy);
void dp_nn_zero_grad(dp_nn_net *net);

/* Freezing: a frozen layer's parameters get no gradient and no optimiser update
 * (not even weight decay), so they stay bit-identical. */
void dp_nn_freeze_layer(dp_nn_net *net, int layer, int frozen);
void dp_nn_freeze_trunk(dp_nn_net *net, int frozen);
void dp_nn_freeze_path(dp_nn_net *net, int path, int frozen);
int dp_nn_layer_frozen(const dp_nn_net *net, int layer);
/* 1 if tensor t belongs to a frozen layer. */
int dp_nn_param_frozen(const dp_nn_net *net, int t);

/* ---- optimiser ----------------------------------------------------------------- */

typedef enum { DP_NN_SGD = 1, DP_NN_ADAM } dp_nn_opt_kind;

/* SGD (PyTorch's torch.optim.SGD, dampening 0, not Nesterov):
 *   g = grad + wd*w;  v = momentum*v + g;  w -= lr*v        (v starts at 0)
 * Adam (torch.optim.Adam, L2 decay folded into g like PyTorch):
 *   g = grad + wd*w;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
 *   w -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 * Weight decay applies to every parameter, biases included (PyTorch's default). */
typedef struct {
  dp_nn_opt_kind kind;
  float momentum;      /* SGD */
  float weight_decay;
  float beta1, beta2, eps; /* Adam; 0 -> 0.9, 0.999, 1e-8 */
} dp_nn_opt_cfg;

typedef struct {
  dp_nn_opt_cfg cfg;
  size_t n;        /* parameters covered */
  float *state;    /* SGD: v[n]; Adam: m[n] then v[n]. Checkpoint it whole. */
  size_t state_len;
  uint64_t t;      /* steps taken (Adam's bias correction); checkpoint it too */
} dp_nn_opt;

int dp_nn_opt_init(dp_nn_opt *o, const dp_nn_opt_cfg *cfg, size_t n_params);
void dp_nn_opt_free(dp_nn_opt *o);
/* Update w[off, off+count) from g[off, ...) using the state slice at the same
 * offsets; does not advance t. The building block for dp_nn_opt_step. */
void dp_nn_opt_update(dp_nn_opt *o, float *w, const float *g, size_t off, size_t count,
                      float lr);
/* One step on every unfrozen tensor of net (t advances first). lr per step. */
void dp_nn_opt_step(dp_nn_opt *o, dp_nn_net *net, float lr);

/* ---- pose embedding -------------------------------------------------------------- */

/* Normalise a pose (J x 3, any right-handed frame, e.g. the camera frame of
 * depth.h5: x right, y down, z forward): out_j = R (p_j - t) with t = p[torso] and R
 * the rotation whose rows are
 *   e1 = n / |n|, n = (p[l_sh] - t) x (p[r_sh] - t)  the chest-plane normal; for a
 *        real body this points the way the chest faces;
 *   e2 = the part of (p[head] - t) orthogonal to e1, normalised: towards the head;
 *   e3 = e1 x e2: towards the right shoulder's side.
 * This is "chest normal to +x, then a rotation about x putting the head's projection
 * on +y" as one proper rotation (det +1): embedded torso = 0, head has z = 0 and
 * y > 0, shoulders have x = 0. R (row-major 3x3) and t are returned for
 * dp_nn_pose_unembed. Returns -1 (no dp_fail, R = I, t = torso) when the shoulders
 * and torso are collinear or the head lies on the chest normal. out may alias pose. */
int dp_nn_pose_embed(int n_joints, const float *pose, int torso, int l_sh, int r_sh,
                     int head, float *out, double R[9], double t[3]);
/* out_j = R^T e_j + t: back to the input frame (out may alias emb). */
void dp_nn_pose_unembed(int n_joints, const float *emb, const double R[9],
                        const double t[3], float *out);

#endif
