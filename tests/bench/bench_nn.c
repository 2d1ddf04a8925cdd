/* bench_nn.c - throughput of the nn module (include/depthpose/nn.h).
 *
 *   bench_nn --net  --h 144 --w 176 --batch 32 --threads 2 [--iters 3]
 *       the default (original) network: training step (forward, box + pose losses,
 *       backward through everything, SGD step), the same with the trunk frozen
 *       (the paper's second step: backward skips the conv layers), and inference;
 *       images/s and GFLOP/s (a training step counted as 3x the forward FLOPs).
 *   mpirun -np 2 bench_nn --net --mpi [--allreduce blocking|bucketed] [--bucket-mb 4] ...
 *       the same data-parallel: --batch is the global batch, split over the ranks; the
 *       gradients are summed with the train stage's own grad_sync (stages/train), the
 *       parameters broadcast from rank 0 first. Rank 0 prints global images/s.
 *   bench_nn --conv --h 144 --w 176 --batch 2 --threads 1
 *       one conv layer (the 2nd: 32 -> 32 channels, 3x3) forward, im2col + SGEMM
 *       against a naive direct convolution (written here, for this comparison only).
 *   bench_nn --sgemm --threads 2
 *       cblas_sgemm on 1024^3 and on the conv2 shape: the machine's GEMM reference.
 * Prints figures; exits non-zero only if something fails or the two convolutions
 * disagree. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpi.h>

#include "../../stages/train/grad_sync.h"
#include "depthpose/error.h"
#include "depthpose/nn.h"
#include "depthpose/rng.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void fill(float *a, size_t n, uint32_t sub) {
  dp_rng r;
  dp_rng_init(&r, 1, DP_STREAM_TEST, 99, sub);
  for (size_t i = 0; i < n; i++) a[i] = (float)dp_rng_uniform(&r);
}

static int g_mpi; /* running data-parallel under mpirun */

/* Best of iters timings of fn after one warm-up call; under MPI each timing is the
 * slowest rank's (a step is done when every rank is). */
typedef void (*bench_fn)(void *);
static double best_time(bench_fn fn, void *ctx, int iters) {
  fn(ctx);
  double best = 1e30;
  for (int i = 0; i < iters; i++) {
    if (g_mpi) MPI_Barrier(MPI_COMM_WORLD);
    double t0 = now();
    fn(ctx);
    double dt = now() - t0;
    if (g_mpi) MPI_Allreduce(MPI_IN_PLACE, &dt, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    if (dt < best) best = dt;
  }
  return best;
}

/* ---- the network ---- */
enum { J = 17 };
typedef struct {
  dp_nn_net *net;
  dp_nn_opt opt;
  dp_grad_sync *sync; /* under MPI */
  int n, parent[J];
  float share;        /* this rank's rows / the global batch */
  float *x, *box, *jt, *gbox, *gj;
  uint64_t step;
} net_ctx;

static void train_step(void *p) {
  net_ctx *c = p;
  dp_nn_pass pass = {.train = 1, .step = c->step++};
  dp_nn_forward(c->net, c->x, c->n, &pass);
  dp_nn_box_loss(c->n, 4, dp_nn_output(c->net, 0), c->box, c->gbox);
  dp_nn_pose_loss(c->n, J, c->parent, dp_nn_output(c->net, 1), c->jt, NULL, c->gj, NULL);
  for (int i = 0; c->share != 1.0f && i < c->n * 4; i++) c->gbox[i] *= c->share;
  for (int i = 0; c->share != 1.0f && i < c->n * 3 * J; i++) c->gj[i] *= c->share;
  const float *dy[2] = {c->gbox, c->gj};
  dp_nn_zero_grad(c->net);
  if (c->sync) dp_grad_sync_begin(c->sync);
  dp_nn_backward(c->net, dy);
  if (c->sync) dp_grad_sync_finish(c->sync);
  dp_nn_opt_step(&c->opt, c->net, 1e-6f);
}

static void frozen_step(void *p) { /* step 2 of the schedule: only the joints pathway */
  net_ctx *c = p;
  dp_nn_pass pass = {.train = 1, .step = c->step++, .paths = 2u};
  dp_nn_forward(c->net, c->x, c->n, &pass);
  dp_nn_pose_loss(c->n, J, c->parent, dp_nn_output(c->net, 1), c->jt, NULL, c->gj, NULL);
  const float *dy[2] = {NULL, c->gj};
  dp_nn_zero_grad(c->net);
  dp_nn_backward(c->net, dy);
  dp_nn_opt_step(&c->opt, c->net, 1e-6f);
}

static void infer(void *p) {
  net_ctx *c = p;
  dp_nn_forward(c->net, c->x, c->n, NULL);
}

static int bench_net(int h, int w, int batch, int threads, int iters, int allreduce, double bucket_mb) {
  int rank = 0, size = 1;
  if (g_mpi) MPI_Comm_rank(MPI_COMM_WORLD, &rank), MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int n = batch / size; /* rows per rank */
  dp_nn_desc d;
  dp_nn_desc_default(&d, h, w, 4, 3 * J, 0.0f);
  net_ctx c = {.n = n, .share = (float)n / (float)batch};
  if (dp_nn_create(&c.net, &d, n) != 0) {
    fprintf(stderr, "bench_nn: %s\n", dp_error_message());
    return 1;
  }
  dp_nn_init(c.net, 1);
  dp_nn_opt_cfg oc = {.kind = DP_NN_SGD, .momentum = 0.9f, .weight_decay = 5e-4f};
  if (dp_nn_opt_init(&c.opt, &oc, c.net->n_params) != 0) return 1;
  if (g_mpi) {
    MPI_Bcast(c.net->params, (int)c.net->n_params, MPI_FLOAT, 0, MPI_COMM_WORLD);
    if (dp_grad_sync_create(&c.sync, c.net, MPI_COMM_WORLD, (dp_allreduce_mode)allreduce,
                            (size_t)(bucket_mb * 1048576.0 / sizeof(float))) != 0)
      return 1;
  }
  for (int j = 0; j < J; j++) c.parent[j] = j - 1;
  size_t xs = (size_t)n * h * w;
  c.x = malloc(xs * sizeof(float));
  c.box = malloc(n * 4 * sizeof(float)), c.gbox = malloc(n * 4 * sizeof(float));
  c.jt = malloc(n * 3 * J * sizeof(float)), c.gj = malloc(n * 3 * J * sizeof(float));
  fill(c.x, xs, 1 + (uint32_t)rank), fill(c.box, n * 4, 2), fill(c.jt, n * 3 * J, 3);
  dp_nn_blas_setup(threads);
  double gf = dp_nn_flops_per_sample(c.net) / 1e9;
  double tt = best_time(train_step, &c, iters);
  double ti = best_time(infer, &c, iters);
  double tf = 0;
  if (!g_mpi) {
    dp_nn_freeze_trunk(c.net, 1);
    dp_nn_freeze_path(c.net, 0, 1);
    tf = best_time(frozen_step, &c, iters);
  }
  char who[64], frozen[64] = "";
  if (g_mpi) snprintf(who, sizeof who, "%d ranks x %d thread%s, %s allreduce", size, threads,
                      threads > 1 ? "s" : "", allreduce ? "bucketed" : "blocking");
  else snprintf(who, sizeof who, "1 rank x %d thread%s", threads, threads > 1 ? "s" : "");
  if (!g_mpi) snprintf(frozen, sizeof frozen, " | frozen-trunk train %6.2f img/s", batch / tf);
  if (rank == 0)
    printf("c     %3dx%-3d batch %2d, %s: train %6.2f img/s (%5.1f GFLOP/s)%s | inference %6.2f "
           "img/s (%5.1f GFLOP/s) [%.1f M params, %.2f GFLOP/img fwd]\n",
           h, w, batch, who, batch / tt, 3 * gf * batch / tt, frozen, batch / ti, gf * batch / ti,
           c.net->n_params / 1e6, gf);
  fflush(stdout);
  dp_grad_sync_free(c.sync);
  dp_nn_opt_free(&c.opt);
  dp_nn_destroy(c.net);
  free(c.x), free(c.box), free(c.gbox), free(c.jt), free(c.gj);
  return 0;
}

/* ---- one conv layer: im2col + SGEMM vs naive ---- */
static void naive_conv(const dp_nn_conv_geom *g, int n, const float *x, const float *w,
                       const float *b, float *y) {
  for (int i = 0; i < n; i++)
    for (int o = 0; o < g->cout; o++)
      for (int oy = 0; oy < g->hout; oy++)
        for (int ox = 0; ox < g->wout; ox++) {
          float s = b[o];
          for (int c = 0; c < g->cin; c++)
            for (int ki = 0; ki < g->k; ki++) {
              int iy = oy * g->stride - g->pad + ki;
              if (iy < 0 || iy >= g->h) continue;
              for (int kj = 0; kj < g->k; kj++) {
                int ix = ox * g->stride - g->pad + kj;
                if (ix < 0 || ix >= g->w) continue;
                s += w[((o * g->cin + c) * g->k + ki) * g->k + kj] *
                     x[(((size_t)i * g->cin + c) * g->h + iy) * g->w + ix];
              }
            }
          y[(((size_t)i * g->cout + o) * g->hout + oy) * g->wout + ox] = s;
        }
}

typedef struct {
  dp_nn_conv_geom g;
  dp_nn_conv_algo algo;
  int n;
  float *x, *w, *b, *y, *ws;
} conv_ctx;
static void conv_algo(void *p) {
  conv_ctx *c = p;
  dp_nn_conv_run_forward(&c->g, c->algo, c->n, c->x, c->w, c->b, c->y, c->ws, 0);
}
static void conv_naive(void *p) {
  conv_ctx *c = p;
  naive_conv(&c->g, c->n, c->x, c->w, c->b, c->y);
}

/* One 32 -> 32 3x3 layer's forward by plain loops and by each algorithm (nn.h's
 * dp_nn_conv_algo), GFLOP/s counted as the direct convolution's multiply-adds. */
static int bench_conv(int h, int w, int batch, int threads, int iters) {
  conv_ctx c = {.g = {.cin = 32, .h = h, .w = w, .cout = 32, .k = 3, .stride = 1, .pad = 1},
                .n = batch};
  dp_nn_conv_shape(&c.g);
  size_t xs = (size_t)batch * 32 * h * w, ys = (size_t)batch * 32 * c.g.hout * c.g.wout;
  size_t wsn = 0;
  for (int a = DP_NN_CONV_IM2COL; a <= DP_NN_CONV_DIRECT; a++) {
    size_t k = dp_nn_conv_ws_size(&c.g, (dp_nn_conv_algo)a);
    wsn = k > wsn ? k : wsn;
  }
  c.x = malloc(xs * 4), c.w = malloc(32 * 32 * 9 * 4), c.b = malloc(32 * 4);
  c.y = malloc(ys * 4), c.ws = malloc(wsn * 4);
  float *ref = malloc(ys * 4);
  fill(c.x, xs, 4), fill(c.w, 32 * 32 * 9, 5), fill(c.b, 32, 6);
  dp_nn_blas_setup(threads);
  double tn = best_time(conv_naive, &c, iters);
  memcpy(ref, c.y, ys * 4);
  double gf = 2.0 * 32 * 32 * 9 * c.g.hout * c.g.wout * batch / 1e9;
  printf("c   conv 32->32 3x3 on %dx%d, batch %d, threads %d: naive loops %.4f s (%.1f GFLOP/s)\n",
         h, w, batch, threads, tn, gf / tn);
  int rc = 0;
  for (int a = DP_NN_CONV_IM2COL; a <= DP_NN_CONV_DIRECT; a++) {
    c.algo = (dp_nn_conv_algo)a;
    double t = best_time(conv_algo, &c, iters), dmax = 0, ymax = 0;
    for (size_t i = 0; i < ys; i++) {
      dmax = fmax(dmax, fabs(c.y[i] - ref[i]));
      ymax = fmax(ymax, fabs(ref[i]));
    }
    printf("c   conv 32->32 3x3 on %dx%d, batch %d, threads %d: %-8s %.4f s (%.1f GFLOP/s "
           "direct-equivalent): %.1fx the naive loops (max rel diff %.1e)\n",
           h, w, batch, threads, dp_nn_conv_algo_name(c.algo), t, gf / t, tn / t, dmax / ymax);
    if (dmax > 1e-4 * ymax) rc = 1;
  }
  free(c.x), free(c.w), free(c.b), free(c.y), free(c.ws), free(ref);
  return rc;
}

/* ---- the GEMM reference ---- */
typedef struct {
  int m, n, k;
  float *a, *b, *c;
} gemm_ctx;
static void gemm(void *p) {
  gemm_ctx *g = p;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->m, g->n, g->k, 1.0f, g->a, g->k,
              g->b, g->n, 0.0f, g->c, g->n);
}
static int bench_sgemm(int threads, int iters) {
  const char *core = dp_nn_blas_setup(threads);
  const int shapes[2][3] = {{1024, 1024, 1024}, {32, 144 * 176, 288}};
  for (int s = 0; s < 2; s++) {
    gemm_ctx g = {shapes[s][0], shapes[s][1], shapes[s][2], 0, 0, 0};
    g.a = malloc((size_t)g.m * g.k * 4), g.b = malloc((size_t)g.k * g.n * 4);
    g.c = malloc((size_t)g.m * g.n * 4);
    fill(g.a, (size_t)g.m * g.k, 7), fill(g.b, (size_t)g.k * g.n, 8);
    double t = best_time(gemm, &g, iters);
    printf("c   cblas_sgemm %dx%dx%d, threads %d: %.1f GFLOP/s (OpenBLAS %s kernels)\n", g.m, g.n,
           g.k, threads, 2.0 * g.m * g.n * g.k / t / 1e9, core);
    free(g.a), free(g.b), free(g.c);
  }
  return 0;
}

int main(int argc, char **argv) {
  int h = 144, w = 176, batch = 32, threads = 1, iters = 3, mode = 0, allreduce = 1;
  double bucket_mb = 4.0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "0";
    if (!strcmp(a, "--net")) mode = 0;
    else if (!strcmp(a, "--conv")) mode = 1;
    else if (!strcmp(a, "--sgemm")) mode = 2;
    else if (!strcmp(a, "--mpi")) g_mpi = 1;
    else if (!strcmp(a, "--h")) h = atoi(v), i++;
    else if (!strcmp(a, "--w")) w = atoi(v), i++;
    else if (!strcmp(a, "--batch")) batch = atoi(v), i++;
    else if (!strcmp(a, "--threads")) threads = atoi(v), i++;
    else if (!strcmp(a, "--iters")) iters = atoi(v), i++;
    else if (!strcmp(a, "--allreduce")) allreduce = strcmp(v, "blocking") != 0, i++;
    else if (!strcmp(a, "--bucket-mb")) bucket_mb = atof(v), i++;
    else {
      fprintf(stderr, "bench_nn: unknown argument %s\n", a);
      return 2;
    }
  }
  if (mode == 1) return bench_conv(h, w, batch, threads, iters);
  if (mode == 2) return bench_sgemm(threads, iters);
  if (g_mpi) MPI_Init(&argc, &argv);
  int rc = bench_net(h, w, batch, threads, iters, allreduce, bucket_mb);
  if (g_mpi) MPI_Finalize();
  return rc;
}
