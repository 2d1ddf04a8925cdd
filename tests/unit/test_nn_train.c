/* test_nn_train.c - training behaviour of the nn module: the SGD momentum recurrence
 * against its closed form, freezing (bit-identical frozen parameters through the
 * two-step schedule), batch-split invariance (what data parallelism relies on) and
 * overfitting a tiny synthetic set. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/nn.h"
#include "depthpose/rng.h"
#include "dp_test.h"
#include "nn_tiny.h"

/* SGD with momentum on f(w) = a/2 w^2 (+ wd/2 w^2 by weight decay) is the linear
 * recurrence w_{t+1} = (1 + mu - lr c) w_t - mu w_{t-1}, c = a + wd, w_1 = (1 - lr c) w_0,
 * whose solution is A l1^t + B l2^t with l1,2 the roots of l^2 - (1 + mu - lr c) l + mu. */
static void test_sgd_momentum_closed_form(void) {
  enum { N = 5, STEPS = 60 };
  const float a[N] = {0.5f, 1.0f, 2.0f, 5.0f, 12.0f}, lr = 0.1f, mu = 0.9f, wd = 0.01f;
  float w[N], g[N];
  for (int i = 0; i < N; i++) w[i] = 1.0f + i;
  dp_nn_opt o;
  dp_nn_opt_cfg cfg = {.kind = DP_NN_SGD, .momentum = mu, .weight_decay = wd};
  CU_ASSERT_FATAL(dp_nn_opt_init(&o, &cfg, N) == 0);
  for (int s = 0; s < STEPS; s++) {
    for (int i = 0; i < N; i++) g[i] = a[i] * w[i];
    dp_nn_opt_update(&o, w, g, 0, N, lr);
  }
  for (int i = 0; i < N; i++) {
    double c = (double)a[i] + wd, w0 = 1.0 + i, w1 = (1.0 - lr * c) * w0;
    double p = 1.0 + mu - lr * c;
    double complex disc = csqrt(p * p - 4.0 * mu + 0.0 * I);
    double complex l1 = (p + disc) / 2, l2 = (p - disc) / 2;
    double complex B = (w1 - l1 * w0) / (l2 - l1), A = w0 - B;
    double ref = creal(A * cpow(l1, STEPS) + B * cpow(l2, STEPS));
    printf("\n    a = %4.1f: w_%d = %+.6e, closed form %+.6e", (double)a[i], STEPS, (double)w[i], ref);
    CU_ASSERT(fabs(w[i] - ref) <= 1e-4 * w0);
  }
  dp_nn_opt_free(&o);
}

/* ---- a tiny two-pathway net and data set ---- */
#define J 4
static const int k_parent[J] = {-1, 0, 1, 0};
enum { SET = 8, HW = 12 };

static dp_nn_desc tiny_desc(float dropout) { return dp_tiny_desc(HW, 6, 8, 32, J, dropout); }

/* Images: a bright Gaussian blob at (cx, cy); box = (cx, cy, sx, sy) / HW; joints: a
 * little skeleton placed and scaled by the blob (so the targets are learnable). */
static float g_x[SET * HW * HW], g_box[SET * 4], g_jt[SET * 3 * J];
static void make_set(void) {
  dp_rng r;
  for (int s = 0; s < SET; s++) {
    dp_rng_init(&r, 11, DP_STREAM_TEST, (uint64_t)s, 0);
    double cx = 3 + 6 * dp_rng_uniform(&r), cy = 3 + 6 * dp_rng_uniform(&r);
    double sx = 1 + 1.5 * dp_rng_uniform(&r), sy = 1 + 1.5 * dp_rng_uniform(&r);
    for (int y = 0; y < HW; y++)
      for (int x = 0; x < HW; x++)
        g_x[(s * HW + y) * HW + x] = (float)exp(-0.5 * ((x - cx) * (x - cx) / (sx * sx) +
                                                        (y - cy) * (y - cy) / (sy * sy)));
    float b[4] = {(float)(cx / HW), (float)(cy / HW), (float)(sx / HW), (float)(sy / HW)};
    memcpy(g_box + 4 * s, b, sizeof b);
    const float shape[J][3] = {{0, 0, 0}, {0, 1, 0.2f}, {0.5f, 1.5f, 0}, {-0.4f, 0.3f, 0.5f}};
    for (int j = 0; j < J; j++) {
      g_jt[(s * J + j) * 3 + 0] = b[0] + shape[j][0] * b[2] * 2;
      g_jt[(s * J + j) * 3 + 1] = b[1] + shape[j][1] * b[3] * 2;
      g_jt[(s * J + j) * 3 + 2] = shape[j][2] * (b[2] + b[3]);
    }
  }
}

/* One step on rows [r0, r0+n) of the set; which: bit 0 box loss, bit 1 pose loss.
 * Returns the loss. */
static double train_step(dp_nn_net *net, dp_nn_opt *o, int r0, int n, unsigned which,
                         uint64_t step, float lr) {
  float gbox[SET * 4], gj[SET * 3 * J];
  dp_nn_pass pass = {.train = 1, .step = step, .sample0 = (uint64_t)r0};
  dp_nn_forward(net, g_x + r0 * HW * HW, n, &pass);
  double L = 0.0;
  const float *dy[2] = {NULL, NULL};
  if (which & 1) {
    L += dp_nn_box_loss(n, 4, dp_nn_output(net, 0), g_box + 4 * r0, gbox);
    dy[0] = gbox;
  }
  if (which & 2) {
    L += dp_nn_pose_loss(n, J, k_parent, dp_nn_output(net, 1), g_jt + 3 * J * r0, NULL, gj,
                         NULL);
    dy[1] = gj;
  }
  dp_nn_zero_grad(net);
  dp_nn_backward(net, dy);
  if (o) dp_nn_opt_step(o, net, lr);
  return L;
}

static int same_tensor(const dp_nn_net *a, const float *snap, int t) {
  const dp_nn_param *p = &a->tensors[t];
  return memcmp(a->params + p->offset, snap + p->offset, p->count * sizeof(float)) == 0;
}

/* The paper's two-step schedule: (1) trunk + box pathway on the box loss, joints
 * pathway frozen; (2) trunk and box frozen, joints pathway on the pose loss. Frozen
 * tensors must come out bit-identical even with weight decay and momentum on. */
static void test_freezing_two_step_schedule(void) {
  make_set();
  dp_nn_desc d = tiny_desc(0.2f);
  dp_nn_net *net;
  CU_ASSERT_FATAL(dp_nn_create(&net, &d, SET) == 0);
  dp_nn_init(net, 3);
  dp_nn_opt o;
  dp_nn_opt_cfg cfg = {.kind = DP_NN_SGD, .momentum = 0.9f, .weight_decay = 1e-2f};
  CU_ASSERT_FATAL(dp_nn_opt_init(&o, &cfg, net->n_params) == 0);
  float *snap = malloc(net->n_params * sizeof(float));
  const int box = dp_nn_path_index(net, "box"), joints = dp_nn_path_index(net, "joints");

  memcpy(snap, net->params, net->n_params * sizeof(float));
  dp_nn_freeze_path(net, joints, 1);
  for (int s = 0; s < 5; s++) train_step(net, &o, 0, SET, 1, (uint64_t)s, 0.05f);
  for (int t = 0; t < net->n_tensors; t++) {
    int is_joints = !strncmp(net->tensors[t].name, "joints.", 7);
    CU_ASSERT(same_tensor(net, snap, t) == is_joints);
  }

  memcpy(snap, net->params, net->n_params * sizeof(float));
  dp_nn_freeze_path(net, joints, 0);
  dp_nn_freeze_trunk(net, 1);
  dp_nn_freeze_path(net, box, 1);
  for (int s = 5; s < 10; s++) train_step(net, &o, 0, SET, 2, (uint64_t)s, 0.05f);
  for (int t = 0; t < net->n_tensors; t++) {
    int is_joints = !strncmp(net->tensors[t].name, "joints.", 7);
    CU_ASSERT(same_tensor(net, snap, t) == !is_joints);
    CU_ASSERT(dp_nn_param_frozen(net, t) == !is_joints);
  }
  free(snap);
  dp_nn_opt_free(&o);
  dp_nn_destroy(net);
}

/* Data parallelism: the gradient of a batch of 8 (losses averaged over 8) equals the
 * mean of the gradients of its two halves (each averaged over 4) computed with their
 * global sample offsets, dropout included, so ranks summing scaled gradients
 * reproduce the single-rank step. */
static void test_batch_split_invariance(void) {
  make_set();
  dp_nn_desc d = tiny_desc(0.3f);
  dp_nn_net *net;
  CU_ASSERT_FATAL(dp_nn_create(&net, &d, SET) == 0);
  dp_nn_init(net, 4);
  size_t np = net->n_params;
  float *full = malloc(np * sizeof(float)), *half = calloc(np, sizeof(float));
  train_step(net, NULL, 0, SET, 3, 7, 0);
  memcpy(full, net->grads, np * sizeof(float));
  for (int h = 0; h < 2; h++) {
    train_step(net, NULL, h * SET / 2, SET / 2, 3, 7, 0);
    for (size_t i = 0; i < np; i++) half[i] += 0.5f * net->grads[i];
  }
  double dmax = 0, gmax = 0;
  for (size_t i = 0; i < np; i++) {
    dmax = fmax(dmax, fabs(full[i] - half[i]));
    gmax = fmax(gmax, fabs(full[i]));
  }
  printf("\n    max |full - split| / max |full| = %.2e", dmax / gmax);
  CU_ASSERT(gmax > 0 && dmax <= 1e-5 * gmax);
  /* and a different step gives different masks, hence different gradients */
  train_step(net, NULL, 0, SET, 3, 8, 0);
  CU_ASSERT(memcmp(full, net->grads, np * sizeof(float)) != 0);
  free(full), free(half);
  dp_nn_destroy(net);
}

/* Same seed, same initial weights; a different seed, different ones. */
static void test_init_deterministic(void) {
  dp_nn_desc d = tiny_desc(0);
  dp_nn_net *a, *b;
  CU_ASSERT_FATAL(dp_nn_create(&a, &d, 1) == 0 && dp_nn_create(&b, &d, 2) == 0);
  dp_nn_init(a, 42);
  dp_nn_init(b, 42);
  CU_ASSERT(memcmp(a->params, b->params, a->n_params * sizeof(float)) == 0);
  /* He normal: the first conv (fan_in 9) has std sqrt(2/9) */
  const dp_nn_param *w = &a->tensors[0];
  double s2 = 0;
  for (size_t i = 0; i < w->count; i++) s2 += (double)a->params[i] * a->params[i];
  const dp_nn_param *fc = &a->tensors[4];
  double f2 = 0;
  for (size_t i = 0; i < fc->count; i++) f2 += pow(a->params[fc->offset + i], 2);
  printf("\n    conv std %.3f (%.3f), fc std %.4f (%.4f)", sqrt(s2 / w->count), sqrt(2.0 / 9),
         sqrt(f2 / fc->count), sqrt(2.0 / fc->shape[1]));
  CU_ASSERT(fabs(sqrt(f2 / fc->count) / sqrt(2.0 / fc->shape[1]) - 1) < 0.05);
  dp_nn_init(b, 43);
  CU_ASSERT(memcmp(a->params, b->params, a->n_params * sizeof(float)) != 0);
  dp_nn_destroy(a);
  dp_nn_destroy(b);
}

/* Overfit: full-batch training on 8 images must cut the loss by 10x. */
static void overfit(dp_nn_opt_kind kind, float lr, int steps) {
  make_set();
  dp_nn_desc d = tiny_desc(0);
  dp_nn_net *net;
  CU_ASSERT_FATAL(dp_nn_create(&net, &d, SET) == 0);
  dp_nn_init(net, 1);
  dp_nn_opt o;
  dp_nn_opt_cfg cfg = {.kind = kind, .momentum = 0.9f, .weight_decay = 1e-5f};
  CU_ASSERT_FATAL(dp_nn_opt_init(&o, &cfg, net->n_params) == 0);
  double first = train_step(net, &o, 0, SET, 3, 0, lr), last = first;
  for (int s = 1; s < steps; s++) last = train_step(net, &o, 0, SET, 3, (uint64_t)s, lr);
  last = train_step(net, NULL, 0, SET, 3, (uint64_t)steps, lr);
  printf("\n    %s: loss %.4g -> %.4g after %d steps (%.0fx)", kind == DP_NN_SGD ? "sgd" : "adam",
         first, last, steps, first / last);
  CU_ASSERT(last * 10 < first);
  dp_nn_opt_free(&o);
  dp_nn_destroy(net);
}
static void test_overfit_sgd(void) { overfit(DP_NN_SGD, 0.02f, 400); }
static void test_overfit_adam(void) { overfit(DP_NN_ADAM, 3e-3f, 400); }

DP_TEST_MAIN("nn_train", DP_TEST(test_sgd_momentum_closed_form),
             DP_TEST(test_freezing_two_step_schedule), DP_TEST(test_batch_split_invariance),
             DP_TEST(test_init_deterministic), DP_TEST(test_overfit_sgd),
             DP_TEST(test_overfit_adam))
