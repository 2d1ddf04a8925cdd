/* test_nn_torch.c - the network, its losses, gradients and optimisers against
 * PyTorch: tests/fixtures/nn/torch_reference.txt, written by make_torch_reference.py
 * (whose docstring defines the network, the weight/input formulas and the format).
 * Only the committed fixture is read; torch is not needed to run this test.
 *
 * Comparison per tensor: max |c - torch| <= 1e-4 * max |torch| (the tensor's
 * infinity norm): element-wise relative error is meaningless for entries that are
 * sums cancelling to ~0 in float. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/nn.h"
#include "dp_test.h"
#include "nn_tiny.h"

#define NB 2
#define J 5
static const int k_parent[J] = {-1, 0, 1, 1, 0};

typedef struct {
  char name[64];
  size_t count;
  double *v;
} ref_tensor;

static ref_tensor g_ref[64];
static int g_nref;

static int load_reference(void) {
  FILE *f = fopen(dp_fixture("nn/torch_reference.txt"), "r");
  if (!f) return -1;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#' || line[0] == '\n') continue;
    ref_tensor *t = &g_ref[g_nref];
    if (g_nref == 64 || sscanf(line, "tensor %63s %zu", t->name, &t->count) != 2) break;
    t->v = malloc(t->count * sizeof(double));
    for (size_t i = 0; i < t->count; i++)
      if (fscanf(f, "%lf", &t->v[i]) != 1) {
        fclose(f);
        return -1;
      }
    if (!fgets(line, sizeof line, f)) { /* rest of the last value line */
    }
    g_nref++;
  }
  fclose(f);
  return 0;
}

static const ref_tensor *ref(const char *name) {
  for (int i = 0; i < g_nref; i++)
    if (!strcmp(g_ref[i].name, name)) return &g_ref[i];
  printf("\n  fixture has no tensor %s", name);
  return NULL;
}

/* max |c - r| / max |r|; prints the tensor's figure. */
static double compare(const char *name, const float *c, size_t n) {
  const ref_tensor *r = ref(name);
  CU_ASSERT_FATAL(r != NULL);
  CU_ASSERT_FATAL(r->count == n);
  double dmax = 0.0, rmax = 0.0;
  for (size_t i = 0; i < n; i++) {
    dmax = fmax(dmax, fabs(c[i] - r->v[i]));
    rmax = fmax(rmax, fabs(r->v[i]));
  }
  double rel = rmax > 0 ? dmax / rmax : dmax;
  printf("\n    %-24s rel %.2e", name, rel);
  CU_ASSERT(rel < 1e-4);
  return rel;
}

static dp_nn_net *build(void) {
  /* the network make_torch_reference.py builds */
  dp_nn_desc d = dp_tiny_desc(12, 4, 8, 16, J, 0.0f);
  dp_nn_net *net = NULL;
  CU_ASSERT_FATAL(dp_nn_create(&net, &d, NB) == 0);
  /* the script's formula weights, tensor t in state_dict order = our table order */
  for (int t = 0; t < net->n_tensors; t++) {
    const dp_nn_param *p = &net->tensors[t];
    double scale = p->ndim > 1 ? sqrt(2.0 / (double)(p->count / p->shape[0])) : 0.1;
    for (size_t i = 0; i < p->count; i++)
      net->params[p->offset + i] = (float)(scale * sin(0.37 * (i + 1.0) + 1.1 * (t + 1.0)));
  }
  return net;
}

static float g_x[NB * 144], g_box[NB * 4], g_jt[NB * 3 * J];
static void make_data(void) {
  for (int i = 0; i < NB * 144; i++) g_x[i] = (float)(0.5 + 0.5 * sin(0.731 * i + 0.3));
  for (int i = 0; i < NB * 4; i++) g_box[i] = (float)sin(0.5 * i + 1);
  for (int i = 0; i < NB * 3 * J; i++) g_jt[i] = (float)(0.8 * cos(0.29 * i + 0.4));
}

/* forward + both losses + backward into net->grads; fills loss[5] like the script */
static void step_grads(dp_nn_net *net, double loss[5]) {
  float gbox[NB * 4], gj[NB * 3 * J];
  dp_nn_forward(net, g_x, NB, NULL);
  dp_nn_pose_loss_terms t;
  loss[0] = dp_nn_box_loss(NB, 4, dp_nn_output(net, 0), g_box, gbox);
  dp_nn_pose_loss(NB, J, k_parent, dp_nn_output(net, 1), g_jt, NULL, gj, &t);
  loss[1] = t.total, loss[2] = t.ld, loss[3] = t.ls, loss[4] = t.lr;
  const float *dy[2] = {gbox, gj};
  dp_nn_zero_grad(net);
  dp_nn_backward(net, dy);
}

static void test_outputs_and_gradients(void) {
  CU_ASSERT_FATAL(load_reference() == 0);
  make_data();
  dp_nn_net *net = build();
  double loss[5];
  step_grads(net, loss);
  compare("out.box", dp_nn_output(net, 0), NB * 4);
  compare("out.joints", dp_nn_output(net, 1), NB * 3 * J);
  float lf[5];
  for (int i = 0; i < 5; i++) lf[i] = (float)loss[i];
  compare("loss", lf, 5);
  char name[96];
  for (int t = 0; t < net->n_tensors; t++) {
    snprintf(name, sizeof name, "grad.%s", net->tensors[t].name);
    compare(name, net->grads + net->tensors[t].offset, net->tensors[t].count);
  }
  dp_nn_destroy(net);
}

static void run_optimiser(const char *tag, const dp_nn_opt_cfg *cfg, float lr) {
  dp_nn_net *net = build();
  dp_nn_opt opt;
  CU_ASSERT_FATAL(dp_nn_opt_init(&opt, cfg, net->n_params) == 0);
  double loss[5];
  for (int s = 0; s < 3; s++) {
    step_grads(net, loss);
    dp_nn_opt_step(&opt, net, lr);
  }
  CU_ASSERT(opt.t == 3);
  char name[96];
  for (int t = 0; t < net->n_tensors; t++) {
    snprintf(name, sizeof name, "%s.%s", tag, net->tensors[t].name);
    compare(name, net->params + net->tensors[t].offset, net->tensors[t].count);
  }
  dp_nn_opt_free(&opt);
  dp_nn_destroy(net);
}

static void test_sgd_three_steps(void) {
  dp_nn_opt_cfg c = {.kind = DP_NN_SGD, .momentum = 0.9f, .weight_decay = 1e-3f};
  run_optimiser("sgd3", &c, 0.05f);
}

static void test_adam_three_steps(void) {
  dp_nn_opt_cfg c = {.kind = DP_NN_ADAM, .weight_decay = 1e-3f};
  run_optimiser("adam3", &c, 0.01f);
  for (int i = 0; i < g_nref; i++) free(g_ref[i].v);
  g_nref = 0;
}

DP_TEST_MAIN("nn_torch", DP_TEST(test_outputs_and_gradients), DP_TEST(test_sgd_three_steps),
             DP_TEST(test_adam_three_steps))
