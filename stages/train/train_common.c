/* train_common.c - see train_common.h. */
#include "train_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/h5io.h"

static int long_list(const dp_node *sec, const char *key, const long *def, long n_def, long lo,
                     long hi, long *out, long *n) {
  const dp_node *node = dp_cfg_get(sec, key);
  if (!node) {
    memcpy(out, def, sizeof(long) * (size_t)n_def);
    *n = n_def;
    return 0;
  }
  if (dp_node_type(node) != DP_NODE_SEQ || dp_node_len(node) > DP_NET_MAX)
    return dp_node_fail(node, "expected a list of at most %d integers", DP_NET_MAX);
  *n = (long)dp_node_len(node);
  for (size_t i = 0; i < dp_node_len(node); i++) {
    dp_node_mark_used(dp_node_at(node, i));
    DP_TRY(dp_cfg_scalar_int(dp_node_at(node, i), lo, hi, &out[i]));
  }
  return 0;
}

int dp_net_params_from_config(const dp_node *sec, dp_net_params *p) {
  memset(p, 0, sizeof *p);
  static const long CH[] = {32, 32, 64, 64, 128, 128, 256}, POOL[] = {2, 4, 6, 7}, FC[] = {1024, 256};
  DP_TRY(long_list(sec, "channels", CH, 7, 1, 4096, p->channels, &p->n_conv));
  DP_TRY(long_list(sec, "pool_after", POOL, 4, 1, DP_NET_MAX, p->pool_after, &p->n_pool));
  DP_TRY(long_list(sec, "fc", FC, 2, 1, 65536, p->fc, &p->n_fc));
  for (long i = 0; i < p->n_pool; i++)
    if (p->pool_after[i] > p->n_conv)
      return dp_node_fail(dp_cfg_get(sec, "pool_after"), "pool after conv %ld, but there are %ld conv layers",
                          p->pool_after[i], p->n_conv);
  DP_TRY(dp_cfg_double(sec, "dropout", 0.0, 0, 0.95, &p->dropout));
  DP_TRY(dp_cfg_int(sec, "downsample", 1, 1, 16, &p->downsample));
  int emb;
  DP_TRY(dp_cfg_bool(sec, "embedding", 0, &emb));
  p->embedding = emb;
  DP_TRY(dp_cfg_double(sec, "depth_clip_m", 2.0, 0.1, 100, &p->clip_m));
  return 0;
}

int dp_net_params_write(hid_t f, const dp_net_params *p) {
  DP_TRY(dp_h5_attr_longs(f, "net_channels", p->channels, (size_t)p->n_conv));
  DP_TRY(dp_h5_attr_longs(f, "net_pool_after", p->pool_after, (size_t)p->n_pool));
  DP_TRY(dp_h5_attr_longs(f, "net_fc", p->fc, (size_t)p->n_fc));
  DP_TRY(dp_h5_attr_double(f, "net_dropout", p->dropout));
  DP_TRY(dp_h5_attr_long(f, "input_downsample", p->downsample));
  DP_TRY(dp_h5_attr_long(f, "embedding", p->embedding));
  return dp_h5_attr_double(f, "input_depth_clip_m", p->clip_m);
}

int dp_net_params_read(hid_t f, dp_net_params *p) {
  memset(p, 0, sizeof *p);
  size_t n;
  DP_TRY(dp_h5_read_attr_longs(f, "net_channels", p->channels, DP_NET_MAX, &n));
  p->n_conv = (long)n;
  DP_TRY(dp_h5_read_attr_longs(f, "net_pool_after", p->pool_after, DP_NET_MAX, &n));
  p->n_pool = (long)n;
  DP_TRY(dp_h5_read_attr_longs(f, "net_fc", p->fc, DP_NET_MAX, &n));
  p->n_fc = (long)n;
  DP_TRY(dp_h5_read_attr_double(f, "net_dropout", &p->dropout));
  DP_TRY(dp_h5_read_attr_long(f, "input_downsample", &p->downsample));
  DP_TRY(dp_h5_read_attr_long(f, "embedding", &p->embedding));
  return dp_h5_read_attr_double(f, "input_depth_clip_m", &p->clip_m);
}

static void add(dp_nn_layer_desc *l, int *n, dp_nn_kind kind, int out, float p) {
  memset(&l[*n], 0, sizeof l[*n]);
  l[*n].kind = kind;
  l[*n].out = out;
  l[*n].p = p;
  (*n)++;
}

int dp_net_desc(const dp_net_params *p, int H, int W, int J, dp_nn_desc *d) {
  memset(d, 0, sizeof *d);
  d->in_c = 1;
  d->in_h = H / (int)p->downsample;
  d->in_w = W / (int)p->downsample;
  for (long i = 0; i < p->n_conv; i++) {
    if (d->n_trunk + 3 > DP_NN_MAX_LAYERS) return dp_fail("network too deep (at most %d layers)", DP_NN_MAX_LAYERS);
    add(d->trunk, &d->n_trunk, DP_NN_CONV, (int)p->channels[i], 0);
    add(d->trunk, &d->n_trunk, DP_NN_RELU, 0, 0);
    for (long k = 0; k < p->n_pool; k++)
      if (p->pool_after[k] == i + 1) add(d->trunk, &d->n_trunk, DP_NN_MAXPOOL, 0, 0);
  }
  const char *names[2] = {"box", "joints"};
  const int outs[2] = {4, 3 * J};
  d->n_paths = 2;
  for (int q = 0; q < 2; q++) {
    dp_nn_path_desc *pd = &d->paths[q];
    snprintf(pd->name, sizeof pd->name, "%s", names[q]);
    for (long i = 0; i < p->n_fc; i++) {
      add(pd->layers, &pd->n_layers, DP_NN_FC, (int)p->fc[i], 0);
      add(pd->layers, &pd->n_layers, DP_NN_RELU, 0, 0);
      if (p->dropout > 0) add(pd->layers, &pd->n_layers, DP_NN_DROPOUT, 0, (float)p->dropout);
    }
    add(pd->layers, &pd->n_layers, DP_NN_FC, outs[q], 0);
  }
  return 0;
}

/* The k-th smallest of v[0..n) (k < n), by quickselect: v is reordered. Exact and O(n),
 * where a full sort of a frame's ~25k returns cost as much as the quick network's
 * forward pass. */
static uint16_t kth_smallest(uint16_t *v, size_t n, size_t k) {
  long lo = 0, hi = (long)n - 1, kk = (long)k;
  while (lo < hi) {
    const uint16_t pivot = v[lo + (hi - lo) / 2];
    long i = lo, j = hi;
    while (i <= j) { /* Hoare partition: afterwards v[lo..j] <= pivot <= v[i..hi] */
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        uint16_t t = v[i];
        v[i++] = v[j], v[j--] = t;
      }
    }
    if (kk <= j) hi = j;
    else if (kk >= i) lo = i;
    else return v[kk]; /* between the parts: equal to the pivot */
  }
  return v[kk];
}

void dp_normalise_frame(const dp_net_params *p, const uint16_t *depth, int H, int W,
                        uint16_t *scratch, float *out) {
  size_t n = 0;
  for (size_t i = 0; i < (size_t)H * (size_t)W; i++)
    if (depth[i]) scratch[n++] = depth[i];
  double med = n ? kth_smallest(scratch, n, n / 2) : 0; /* the median of the returns */
  const int ds = (int)p->downsample, h = H / ds, w = W / ds;
  const float clip = (float)p->clip_m;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      float acc = 0;
      for (int dy = 0; dy < ds; dy++)
        for (int dx = 0; dx < ds; dx++) {
          uint16_t v = depth[(size_t)(y * ds + dy) * (size_t)W + (size_t)(x * ds + dx)];
          float m = v ? (float)((v - med) / 1000.0) : clip;
          acc += m > clip ? clip : m < -clip ? -clip : m;
        }
      out[(size_t)y * (size_t)w + (size_t)x] = acc / (float)(ds * ds);
    }
}

const char *const dp_pose_anchor_names[4] = {"torso", "l_shoulder", "r_shoulder", "head"};

int dp_pose_anchor_lookup(char **names, int J, dp_pose_anchor *a) {
  int *dst[4] = {&a->torso, &a->l_sh, &a->r_sh, &a->head};
  for (int k = 0; k < 4; k++) {
    *dst[k] = dp_joint_index((const char *const *)names, J, dp_pose_anchor_names[k]);
    if (*dst[k] < 0)
      return dp_fail("depth.h5 has no joint %s (needed for the joint targets)", dp_pose_anchor_names[k]);
  }
  return 0;
}

void dp_pose_target(const dp_net_params *p, const dp_pose_anchor *a, int J, const float *cam_mm,
                    const dp_joint_sel *sel, float *target_m) {
  float all[3 * DP_MAX_JOINTS];
  if (p->embedding) {
    double R[9], t[3];
    dp_nn_pose_embed(J, cam_mm, a->torso, a->l_sh, a->r_sh, a->head, all, R, t);
    for (int i = 0; i < 3 * J; i++) all[i] /= 1000.0f;
  } else {
    for (int j = 0; j < J; j++)
      for (int k = 0; k < 3; k++) all[3 * j + k] = (cam_mm[3 * j + k] - cam_mm[3 * a->torso + k]) / 1000.0f;
  }
  for (int k = 0; k < sel->n; k++) memcpy(target_m + 3 * k, all + 3 * sel->src[k], 3 * sizeof(float));
}

void dp_joint_errors_mm(int n_joints, const float *pred_m, const float *target_m, double *err) {
  for (int j = 0; j < n_joints; j++) {
    double d2 = 0;
    for (int k = 0; k < 3; k++) {
      double d = 1000.0 * ((double)pred_m[3 * j + k] - target_m[3 * j + k]);
      d2 += d * d;
    }
    err[j] = sqrt(d2);
  }
}

void dp_box_to_pixels(const float *pred, int H, int W, float *px) {
  const float scale[4] = {(float)W, (float)H, (float)W, (float)H};
  for (int k = 0; k < 4; k++) px[k] = pred[k] * scale[k];
}

double dp_box_iou(const float *a, const float *b) {
  double x0 = fmax(a[0], b[0]), y0 = fmax(a[1], b[1]), x1 = fmin(a[2], b[2]), y1 = fmin(a[3], b[3]);
  double inter = fmax(0, x1 - x0) * fmax(0, y1 - y0);
  double ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return ua > 0 ? inter / ua : 0;
}
