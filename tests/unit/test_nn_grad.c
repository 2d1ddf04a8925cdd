/* test_nn_grad.c - finite-difference checks of every layer's and loss's analytic
 * gradient (include/depthpose/nn.h).
 *
 * Each check reduces the layer output to a scalar L = sum_i r_i y_i with fixed random
 * r (accumulated in double), perturbs a random subset of inputs/parameters by +-h
 * and compares the central difference (L(+h) - L(-h)) / 2h with the analytic
 * gradient. Float layers make the difference noisy at about 1e-7 |L| / h, so h is
 * 1e-2 for smooth functions; for relu and max-pool the inputs are kept further than
 * h from every kink (|x| > 2h, window maxima separated by > 2h) so the function is
 * smooth along each probe. Pass: |fd - an| <= 1e-2 max(|fd|, |an|, 0.05 rms(an)). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/nn.h"
#include "depthpose/rng.h"
#include "dp_test.h"

static dp_rng g_rng;
static void rng_reset(uint32_t sub) { dp_rng_init(&g_rng, 20240607, DP_STREAM_TEST, 7, sub); }
static float urand(float lo, float hi) { return lo + (hi - lo) * (float)dp_rng_uniform(&g_rng); }
static void fill(float *a, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; i++) a[i] = urand(lo, hi);
}
static float *vec(size_t n) { return calloc(n ? n : 1, sizeof(float)); }

/* The scalar under test, re-evaluated after each perturbation. */
typedef double (*loss_fn)(void *ctx);

static double rms(const float *a, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += (double)a[i] * a[i];
  return n ? sqrt(s / n) : 0.0;
}

/* Check an[i] against central differences of f on var[i] for `probes` random i
 * (all of them if n <= probes). Returns the worst relative error seen. */
static double fd_check(const char *what, loss_fn f, void *ctx, float *var, const float *an,
                       size_t n, int probes, float h) {
  double floor = 0.05 * rms(an, n), worst = 0.0;
  int bad = 0;
  for (int k = 0; k < (n <= (size_t)probes ? (int)n : probes); k++) {
    size_t i = n <= (size_t)probes ? (size_t)k : dp_rng_below(&g_rng, (uint32_t)n);
    float keep = var[i];
    var[i] = keep + h;
    double up = (double)var[i] - keep, lp = f(ctx); /* the step float really took */
    var[i] = keep - h;
    double dn = (double)keep - var[i], lm = f(ctx);
    var[i] = keep;
    double fd = (lp - lm) / (up + dn), a = an[i];
    double scale = fmax(fmax(fabs(fd), fabs(a)), floor);
    double err = scale > 0 ? fabs(fd - a) / scale : 0.0;
    if (err > worst) worst = err;
    if (err > 1e-2 && bad++ < 5)
      printf("\n  %s[%zu]: analytic %.6g, finite difference %.6g (rel %.3g)", what, i, a, fd, err);
  }
  CU_ASSERT(worst <= 1e-2);
  return worst;
}

static double dot(const float *r, const float *y, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += (double)r[i] * y[i];
  return s;
}

/* ---- conv ----
 * Every algorithm that can run the geometry (im2col always; Winograd and the direct
 * loops for 3x3 / stride 1 / pad 1) is checked on its own. */
typedef struct {
  dp_nn_conv_geom g;
  dp_nn_conv_algo algo;
  int n;
  float *x, *w, *b, *y, *r, *ws;
} conv_ctx;

static double conv_loss(void *p) {
  conv_ctx *c = p;
  dp_nn_conv_run_forward(&c->g, c->algo, c->n, c->x, c->w, c->b, c->y, c->ws, 0);
  return dot(c->r, c->y, (size_t)c->n * c->g.cout * c->g.hout * c->g.wout);
}

static void check_conv_algo(dp_nn_conv_geom g, int n, dp_nn_conv_algo algo) {
  conv_ctx c = {.g = g, .algo = algo, .n = n};
  size_t xs = (size_t)n * g.cin * g.h * g.w, ws = (size_t)g.cout * g.cin * g.k * g.k;
  size_t ys = (size_t)n * g.cout * g.hout * g.wout;
  c.x = vec(xs), c.w = vec(ws), c.b = vec(g.cout), c.y = vec(ys), c.r = vec(ys);
  c.ws = vec(dp_nn_conv_ws_size(&g, algo));
  float *dx = vec(xs), *dw = vec(ws), *db = vec(g.cout);
  fill(c.x, xs, -1, 1), fill(c.w, ws, -0.5f, 0.5f), fill(c.b, g.cout, -0.5f, 0.5f);
  fill(c.r, ys, -1, 1);
  conv_loss(&c);
  dp_nn_conv_run_backward(&g, algo, n, c.x, c.w, NULL, c.r, dx, dw, db, c.ws, NULL);
  char what[3][40];
  const char *alg = dp_nn_conv_algo_name(algo);
  snprintf(what[0], sizeof what[0], "conv %s dx", alg);
  snprintf(what[1], sizeof what[1], "conv %s dw", alg);
  snprintf(what[2], sizeof what[2], "conv %s db", alg);
  fd_check(what[0], conv_loss, &c, c.x, dx, xs, 60, 1e-2f);
  fd_check(what[1], conv_loss, &c, c.w, dw, ws, 60, 1e-2f);
  fd_check(what[2], conv_loss, &c, c.b, db, g.cout, 60, 1e-2f);
  /* dw accumulates: a second backward doubles it; dx = NULL leaves dx alone */
  float w0 = dw[0];
  dp_nn_conv_run_backward(&g, algo, n, c.x, c.w, NULL, c.r, NULL, dw, db, c.ws, NULL);
  CU_ASSERT(fabsf(dw[0] - 2 * w0) <= 1e-5f * (fabsf(w0) + 1e-6f));
  free(c.x), free(c.w), free(c.b), free(c.y), free(c.r), free(c.ws);
  free(dx), free(dw), free(db);
}

static void check_conv(dp_nn_conv_geom g, int n) {
  CU_ASSERT_FATAL(dp_nn_conv_shape(&g) == 0);
  const dp_nn_conv_algo algos[3] = {DP_NN_CONV_IM2COL, DP_NN_CONV_WINOGRAD, DP_NN_CONV_DIRECT};
  for (int a = 0; a < 3; a++)
    if (a == 0 || dp_nn_conv_pick(&g, algos[a]) == algos[a]) check_conv_algo(g, n, algos[a]);
}

static void test_conv_grad(void) {
  rng_reset(1);
  check_conv((dp_nn_conv_geom){.cin = 2, .h = 7, .w = 6, .cout = 3, .k = 3, .stride = 1, .pad = 1}, 2);
  check_conv((dp_nn_conv_geom){.cin = 3, .h = 9, .w = 8, .cout = 2, .k = 3, .stride = 2, .pad = 0}, 2);
  check_conv((dp_nn_conv_geom){.cin = 1, .h = 6, .w = 7, .cout = 4, .k = 5, .stride = 1, .pad = 2}, 1);
  check_conv((dp_nn_conv_geom){.cin = 2, .h = 5, .w = 5, .cout = 2, .k = 1, .stride = 1, .pad = 0}, 3);
  /* Winograd: whole 4x4 tiles, and a single row/column (tiles mostly padding) */
  check_conv((dp_nn_conv_geom){.cin = 4, .h = 8, .w = 12, .cout = 5, .k = 3, .stride = 1, .pad = 1}, 2);
  check_conv((dp_nn_conv_geom){.cin = 1, .h = 1, .w = 9, .cout = 2, .k = 3, .stride = 1, .pad = 1}, 2);
}

/* ---- relu ---- */
typedef struct {
  size_t n;
  float *x, *y, *r;
} relu_ctx;
static double relu_loss(void *p) {
  relu_ctx *c = p;
  dp_nn_relu_forward(c->x, c->y, c->n);
  return dot(c->r, c->y, c->n);
}
static void test_relu_grad(void) {
  rng_reset(2);
  relu_ctx c = {.n = 200};
  c.x = vec(c.n), c.y = vec(c.n), c.r = vec(c.n);
  float *dx = vec(c.n);
  for (size_t i = 0; i < c.n; i++) { /* keep |x| > 2h away from the kink */
    float v = urand(0.05f, 1.0f);
    c.x[i] = (i % 2) ? v : -v;
  }
  fill(c.r, c.n, -1, 1);
  relu_loss(&c);
  dp_nn_relu_backward(c.y, c.r, dx, c.n);
  fd_check("relu dx", relu_loss, &c, c.x, dx, c.n, 200, 1e-2f);
  /* in place, as the network runs it */
  memcpy(c.y, c.x, c.n * sizeof(float));
  dp_nn_relu_forward(c.y, c.y, c.n);
  for (size_t i = 0; i < c.n; i++) CU_ASSERT(c.y[i] == (c.x[i] > 0 ? c.x[i] : 0.0f));
  free(c.x), free(c.y), free(c.r), free(dx);
}

/* ---- maxpool ---- */
typedef struct {
  int n, c, h, w, k, s, ho, wo;
  float *x, *y, *r;
  int32_t *idx;
} pool_ctx;
static double pool_loss(void *p) {
  pool_ctx *c = p;
  dp_nn_maxpool_forward(c->n, c->c, c->h, c->w, c->k, c->s, c->x, c->y, c->idx);
  return dot(c->r, c->y, (size_t)c->n * c->c * c->ho * c->wo);
}
static void check_pool(int n, int ch, int h, int w, int k, int s) {
  pool_ctx c = {.n = n, .c = ch, .h = h, .w = w, .k = k, .s = s};
  c.ho = (h - k) / s + 1, c.wo = (w - k) / s + 1;
  size_t xs = (size_t)n * ch * h * w, ys = (size_t)n * ch * c.ho * c.wo;
  c.x = vec(xs), c.y = vec(ys), c.r = vec(ys), c.idx = calloc(ys, sizeof(int32_t));
  float *dx = vec(xs);
  /* distinct values 0.05 apart in shuffled order: every window's max is unique by > 2h */
  for (size_t i = 0; i < xs; i++) c.x[i] = 0.05f * (float)i;
  for (size_t i = xs - 1; i > 0; i--) {
    size_t j = dp_rng_below(&g_rng, (uint32_t)(i + 1));
    float t = c.x[i];
    c.x[i] = c.x[j], c.x[j] = t;
  }
  fill(c.r, ys, -1, 1);
  pool_loss(&c);
  dp_nn_maxpool_backward(n, ch, h, w, k, s, c.r, c.idx, dx);
  fd_check("maxpool dx", pool_loss, &c, c.x, dx, xs, 400, 1e-2f);
  free(c.x), free(c.y), free(c.r), free(c.idx), free(dx);
}
static void test_maxpool_grad(void) {
  rng_reset(3);
  check_pool(2, 3, 6, 8, 2, 2);
  check_pool(1, 2, 7, 5, 2, 2); /* odd sizes: floor mode drops the last row/column */
  check_pool(1, 2, 7, 7, 3, 2); /* overlapping windows */
  /* ties: the first maximum wins, like PyTorch */
  float x[4] = {1, 1, 1, 1}, y[1];
  int32_t idx[1];
  dp_nn_maxpool_forward(1, 1, 2, 2, 2, 2, x, y, idx);
  CU_ASSERT(idx[0] == 0 && y[0] == 1.0f);
}

/* ---- fc ---- */
typedef struct {
  int n, in, out;
  float *x, *w, *b, *y, *r;
} fc_ctx;
static double fc_loss(void *p) {
  fc_ctx *c = p;
  dp_nn_fc_forward(c->n, c->in, c->out, c->x, c->w, c->b, c->y);
  return dot(c->r, c->y, (size_t)c->n * c->out);
}
static void test_fc_grad(void) {
  rng_reset(4);
  fc_ctx c = {.n = 3, .in = 17, .out = 5};
  c.x = vec(c.n * c.in), c.w = vec(c.in * c.out), c.b = vec(c.out), c.y = vec(c.n * c.out);
  c.r = vec(c.n * c.out);
  float *dx = vec(c.n * c.in), *dw = vec(c.in * c.out), *db = vec(c.out);
  fill(c.x, c.n * c.in, -1, 1), fill(c.w, c.in * c.out, -1, 1), fill(c.b, c.out, -1, 1);
  fill(c.r, c.n * c.out, -1, 1);
  fc_loss(&c);
  dp_nn_fc_backward(c.n, c.in, c.out, c.x, c.w, c.r, dx, dw, db);
  fd_check("fc dx", fc_loss, &c, c.x, dx, c.n * c.in, 60, 1e-2f);
  fd_check("fc dw", fc_loss, &c, c.w, dw, c.in * c.out, 60, 1e-2f);
  fd_check("fc db", fc_loss, &c, c.b, db, c.out, 60, 1e-2f);
  free(c.x), free(c.w), free(c.b), free(c.y), free(c.r), free(dx), free(dw), free(db);
}

/* ---- dropout ---- */
typedef struct {
  int n, units;
  float p;
  float *x, *y, *r, *mask;
} drop_ctx;
static double drop_loss(void *p) {
  drop_ctx *c = p; /* same (seed, step, samples, layer): the same mask every call */
  dp_nn_dropout_forward(c->n, c->units, c->p, 99, 5, 1000, 3, c->x, c->y, c->mask);
  return dot(c->r, c->y, (size_t)c->n * c->units);
}
static void test_dropout_grad(void) {
  rng_reset(5);
  drop_ctx c = {.n = 4, .units = 500, .p = 0.3f};
  size_t m = (size_t)c.n * c.units;
  c.x = vec(m), c.y = vec(m), c.r = vec(m), c.mask = vec(m);
  float *dx = vec(m);
  fill(c.x, m, -1, 1), fill(c.r, m, -1, 1);
  drop_loss(&c);
  dp_nn_dropout_backward(m, c.mask, c.r, dx);
  fd_check("dropout dx", drop_loss, &c, c.x, dx, m, 200, 1e-2f);
  size_t dropped = 0;
  for (size_t i = 0; i < m; i++) {
    dropped += c.mask[i] == 0.0f;
    CU_ASSERT(c.mask[i] == 0.0f || fabsf(c.mask[i] - 1.0f / 0.7f) < 1e-6f);
  }
  CU_ASSERT(fabs((double)dropped / m - 0.3) < 0.04); /* 2000 draws: sd ~ 0.01 */
  /* the mask of (step, sample, unit) does not depend on the batch split: rows 2..3
   * computed as their own batch starting at sample 1002 match */
  float *mask2 = vec(2 * c.units), *y2 = vec(2 * c.units);
  dp_nn_dropout_forward(2, c.units, c.p, 99, 5, 1002, 3, c.x + 2 * c.units, y2, mask2);
  CU_ASSERT(memcmp(mask2, c.mask + 2 * c.units, 2 * c.units * sizeof(float)) == 0);
  /* and it does depend on the step and the layer */
  dp_nn_dropout_forward(2, c.units, c.p, 99, 6, 1002, 3, c.x + 2 * c.units, y2, mask2);
  CU_ASSERT(memcmp(mask2, c.mask + 2 * c.units, 2 * c.units * sizeof(float)) != 0);
  dp_nn_dropout_forward(2, c.units, c.p, 99, 5, 1002, 4, c.x + 2 * c.units, y2, mask2);
  CU_ASSERT(memcmp(mask2, c.mask + 2 * c.units, 2 * c.units * sizeof(float)) != 0);
  free(c.x), free(c.y), free(c.r), free(c.mask), free(dx), free(mask2), free(y2);
}

/* ---- losses ---- */
typedef struct {
  int n, dim, J;
  const int *parent;
  dp_nn_pose_loss_cfg cfg;
  float *pred, *target;
} loss_ctx;
static double box_loss(void *p) {
  loss_ctx *c = p;
  return dp_nn_box_loss(c->n, c->dim, c->pred, c->target, NULL);
}
static void test_box_loss_grad(void) {
  rng_reset(6);
  loss_ctx c = {.n = 5, .dim = 4};
  c.pred = vec(20), c.target = vec(20);
  float *g = vec(20);
  fill(c.pred, 20, -2, 2), fill(c.target, 20, -2, 2);
  float L = dp_nn_box_loss(c.n, c.dim, c.pred, c.target, g);
  double ref = 0;
  for (int i = 0; i < 20; i++) ref += (double)(c.pred[i] - c.target[i]) * (c.pred[i] - c.target[i]);
  CU_ASSERT(fabs(L - ref / 5) < 1e-5 * ref);
  fd_check("box loss", box_loss, &c, c.pred, g, 20, 20, 1e-2f);
  free(c.pred), free(c.target), free(g);
}

static double pose_loss(void *p) {
  loss_ctx *c = p;
  dp_nn_pose_loss_terms t; /* the double total: the float return rounds ~1e4 to 1e-3 */
  dp_nn_pose_loss(c->n, c->J, c->parent, c->pred, c->target, &c->cfg, NULL, &t);
  return t.total;
}

/* A 6-joint tree (root 0; 1,2 under 0; 3 under 1; 4,5 under 3) in millimetres. */
static const int k_parent[6] = {-1, 0, 0, 1, 3, 3};

static void check_pose(float wd, float ws, float wr, const char *what) {
  loss_ctx c = {.n = 3, .J = 6, .parent = k_parent};
  dp_nn_pose_loss_default(&c.cfg);
  c.cfg.wd = wd, c.cfg.ws = ws, c.cfg.wr = wr;
  size_t m = (size_t)c.n * c.J * 3;
  c.pred = vec(m), c.target = vec(m);
  float *g = vec(m);
  fill(c.target, m, -300, 300);
  for (size_t i = 0; i < m; i++) c.pred[i] = c.target[i] + urand(-80, 80);
  dp_nn_pose_loss(c.n, c.J, c.parent, c.pred, c.target, &c.cfg, g, NULL);
  printf("\n  %s:", what);
  /* h = 0.05 mm on coordinates of ~300 mm; the loss is evaluated in double inside */
  double worst = fd_check(what, pose_loss, &c, c.pred, g, m, (int)m, 5e-2f);
  printf(" worst rel err %.2g", worst);
  free(c.pred), free(c.target), free(g);
}

static void test_pose_loss_grad(void) {
  rng_reset(7);
  check_pose(1, 0, 0, "Ld");
  check_pose(0, 1, 0, "Ls");
  check_pose(0, 0, 1, "Lr");
  check_pose(0.027f, 0.833f, 0.139f, "L");
}

static void test_pose_loss_terms(void) {
  /* one sample, two joints: target bone (1,0,0)*100, predicted bone (0,1,0)*50 */
  const int parent[2] = {-1, 0};
  float t[6] = {0, 0, 0, 100, 0, 0}, p[6] = {0, 0, 0, 0, 50, 0}, g[6];
  dp_nn_pose_loss_terms terms;
  dp_nn_pose_loss_cfg cfg;
  dp_nn_pose_loss_default(&cfg);
  float L = dp_nn_pose_loss(1, 2, parent, p, t, &cfg, g, &terms);
  CU_ASSERT(fabs(terms.ld - (100.0 * 100 + 50 * 50)) < 1e-3);
  CU_ASSERT(fabs(terms.ls - (100.0 * 100 + 50 * 50)) < 1e-3);
  CU_ASSERT(fabs(terms.lr - 1.0) < 1e-6); /* orthogonal bones: cosine 0 */
  CU_ASSERT(fabs(L - (0.027 * 12500 + 0.833 * 12500 + 0.139)) < 1e-2);
  /* batch-averaged: two copies give the same loss */
  float t2[12], p2[12];
  memcpy(t2, t, sizeof t), memcpy(t2 + 6, t, sizeof t);
  memcpy(p2, p, sizeof p), memcpy(p2 + 6, p, sizeof p);
  CU_ASSERT(fabsf(dp_nn_pose_loss(2, 2, parent, p2, t2, &cfg, NULL, NULL) - L) < 1e-3f * L);
  /* a collapsed prediction (zero bone) stays finite thanks to the epsilon */
  float z[6] = {0};
  float Lz = dp_nn_pose_loss(1, 2, parent, z, t, &cfg, g, &terms);
  CU_ASSERT(isfinite(Lz) && fabs(terms.lr - 1.0) < 1e-6);
  for (int i = 0; i < 6; i++) CU_ASSERT(isfinite(g[i]));
}

/* ---- the whole network: every parameter through both pathways ---- */
typedef struct {
  dp_nn_net *net;
  float *x, *r0, *r1;
  int n;
} net_ctx;

static double net_loss(void *p) {
  net_ctx *c = p;
  dp_nn_pass pass = {.train = 1, .step = 3, .sample0 = 10};
  dp_nn_forward(c->net, c->x, c->n, &pass);
  return dot(c->r0, dp_nn_output(c->net, 0), (size_t)c->n * c->net->path_out[0]) +
         dot(c->r1, dp_nn_output(c->net, 1), (size_t)c->n * c->net->path_out[1]);
}

static dp_nn_desc tiny_desc(void) {
  dp_nn_desc d;
  memset(&d, 0, sizeof d);
  d.in_c = 1, d.in_h = 10, d.in_w = 9;
  dp_nn_layer_desc t[] = {{DP_NN_CONV, 3, 0, 0, 0, 0}, {DP_NN_RELU, 0, 0, 0, 0, 0},
                          {DP_NN_MAXPOOL, 0, 0, 0, 0, 0}, {DP_NN_CONV, 4, 3, 1, 1, 0},
                          {DP_NN_RELU, 0, 0, 0, 0, 0}, {DP_NN_MAXPOOL, 0, 0, 0, 0, 0}};
  d.n_trunk = 6;
  memcpy(d.trunk, t, sizeof t);
  d.n_paths = 2;
  dp_nn_layer_desc p[] = {{DP_NN_FC, 8, 0, 0, 0, 0}, {DP_NN_RELU, 0, 0, 0, 0, 0},
                          {DP_NN_DROPOUT, 0, 0, 0, 0, 0.25f}, {DP_NN_FC, 0, 0, 0, 0, 0}};
  strcpy(d.paths[0].name, "box");
  strcpy(d.paths[1].name, "joints");
  for (int k = 0; k < 2; k++) {
    d.paths[k].n_layers = 4;
    memcpy(d.paths[k].layers, p, sizeof p);
    d.paths[k].layers[3].out = k ? 6 : 4;
  }
  return d;
}

static void test_network_grad(void) {
  rng_reset(8);
  dp_nn_desc d = tiny_desc();
  net_ctx c = {.n = 3};
  CU_ASSERT_FATAL(dp_nn_create(&c.net, &d, 4) == 0);
  dp_nn_net *net = c.net;
  CU_ASSERT(net->trunk_out == 4 * 2 * 2);
  CU_ASSERT(net->n_tensors == 12);
  dp_nn_init(net, 5);
  /* biases away from zero so the relus are mostly on */
  for (int t = 0; t < net->n_tensors; t++)
    if (net->tensors[t].ndim == 1) fill(net->params + net->tensors[t].offset, net->tensors[t].count, 0.05f, 0.3f);
  c.x = vec((size_t)c.n * 90), c.r0 = vec(c.n * 4), c.r1 = vec(c.n * 6);
  fill(c.x, (size_t)c.n * 90, 0, 1), fill(c.r0, c.n * 4, -1, 1), fill(c.r1, c.n * 6, -1, 1);
  net_loss(&c);
  const float *dy[2] = {c.r0, c.r1};
  dp_nn_zero_grad(net);
  dp_nn_backward(net, dy);
  float *g = vec(net->n_params);
  memcpy(g, net->grads, net->n_params * sizeof(float));
  for (int t = 0; t < net->n_tensors; t++) {
    const dp_nn_param *p = &net->tensors[t];
    fd_check(p->name, net_loss, &c, net->params + p->offset, g + p->offset, p->count, 12,
             2e-3f);
  }
  /* frozen trunk: trunk gradients stay zero, pathway gradients are unchanged */
  dp_nn_freeze_trunk(net, 1);
  net_loss(&c);
  dp_nn_zero_grad(net);
  dp_nn_backward(net, dy);
  for (int t = 0; t < net->n_tensors; t++) {
    const dp_nn_param *p = &net->tensors[t];
    int trunk = !strncmp(p->name, "trunk.", 6);
    CU_ASSERT(dp_nn_param_frozen(net, t) == trunk);
    for (size_t i = 0; i < p->count; i++) {
      float v = net->grads[p->offset + i];
      if (trunk) {
        CU_ASSERT(v == 0.0f);
      } else {
        CU_ASSERT(fabsf(v - g[p->offset + i]) <= 1e-5f * (fabsf(v) + 1e-3f));
      }
    }
  }
  free(g), free(c.x), free(c.r0), free(c.r1);
  dp_nn_destroy(net);
}

static void test_network_errors(void) {
  dp_nn_desc d = tiny_desc();
  dp_nn_net *net = NULL;
  d.in_h = 3; /* the second pool sees 1x2 */
  CU_ASSERT(dp_nn_create(&net, &d, 2) != 0 && net == NULL);
  printf("\n  %s", dp_error_message());
  CU_ASSERT(strstr(dp_error_message(), "trunk layer 5 (maxpool)") != NULL);
  dp_error_clear();
  d = tiny_desc();
  d.paths[1].layers[0].kind = DP_NN_CONV;
  CU_ASSERT(dp_nn_create(&net, &d, 2) != 0);
  CU_ASSERT(strstr(dp_error_message(), "pathway 'joints' layer 0 (conv)") != NULL);
  dp_error_clear();
}

static void test_default_desc(void) {
  dp_nn_desc d;
  dp_nn_desc_default(&d, 144, 176, 4, 3 * 15, 0.0f);
  dp_nn_net *net;
  CU_ASSERT_FATAL(dp_nn_create(&net, &d, 1) == 0);
  CU_ASSERT(net->trunk_out == 256 * 9 * 11);
  CU_ASSERT(net->path_out[dp_nn_path_index(net, "box")] == 4);
  CU_ASSERT(net->path_out[dp_nn_path_index(net, "joints")] == 45);
  CU_ASSERT(net->n_tensors == 2 * 7 + 2 * 2 * 3);
  CU_ASSERT(strcmp(net->tensors[0].name, "trunk.0.weight") == 0);
  CU_ASSERT(net->tensors[0].shape[0] == 32 && net->tensors[0].shape[1] == 1);
  /* the tensors tile the buffer exactly */
  size_t off = 0;
  for (int t = 0; t < net->n_tensors; t++) {
    CU_ASSERT(net->tensors[t].offset == off);
    off += net->tensors[t].count;
  }
  CU_ASSERT(off == net->n_params);
  printf("\n  default 144x176: %zu parameters, %.2f GFLOP/image forward, %.0f MB workspace/image",
         net->n_params, dp_nn_flops_per_sample(net) / 1e9, dp_nn_workspace_bytes(net) / 1e6);
  dp_nn_destroy(net);
}

DP_TEST_MAIN("nn_grad", DP_TEST(test_conv_grad), DP_TEST(test_relu_grad),
             DP_TEST(test_maxpool_grad), DP_TEST(test_fc_grad), DP_TEST(test_dropout_grad),
             DP_TEST(test_box_loss_grad), DP_TEST(test_pose_loss_grad),
             DP_TEST(test_pose_loss_terms), DP_TEST(test_network_grad),
             DP_TEST(test_network_errors), DP_TEST(test_default_desc))
