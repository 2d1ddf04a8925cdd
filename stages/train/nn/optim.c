/* optim.c - SGD with momentum and Adam over the flat parameter buffer (see nn.h for
 * the exact update rules, which follow torch.optim so the reference test can hold
 * them to PyTorch's numbers). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "nn_internal.h"

int dp_nn_opt_init(dp_nn_opt *o, const dp_nn_opt_cfg *cfg, size_t n_params) {
  memset(o, 0, sizeof *o);
  o->cfg = *cfg;
  if (o->cfg.kind != DP_NN_SGD && o->cfg.kind != DP_NN_ADAM)
    return dp_fail("optimiser: unknown kind %d (expected sgd or adam)", (int)cfg->kind);
  if (o->cfg.kind == DP_NN_ADAM) {
    if (o->cfg.beta1 == 0.0f) o->cfg.beta1 = 0.9f;
    if (o->cfg.beta2 == 0.0f) o->cfg.beta2 = 0.999f;
    if (o->cfg.eps == 0.0f) o->cfg.eps = 1e-8f;
  }
  o->n = n_params;
  o->state_len = (o->cfg.kind == DP_NN_ADAM ? 2 : 1) * n_params;
  o->state = dp_calloc(o->state_len ? o->state_len : 1, sizeof(float), "optimiser state");
  return o->state ? 0 : -1;
}

void dp_nn_opt_free(dp_nn_opt *o) {
  free(o->state);
  o->state = NULL;
}

void dp_nn_opt_update(dp_nn_opt *o, float *w, const float *g, size_t off, size_t count,
                      float lr) {
  const float wd = o->cfg.weight_decay;
  if (o->cfg.kind == DP_NN_SGD) {
    const float mu = o->cfg.momentum;
    float *v = o->state + off;
    for (size_t i = off; i < off + count; i++, v++) {
      float gi = g[i] + wd * w[i];
      *v = mu * *v + gi;
      w[i] -= lr * *v;
    }
    return;
  }
  const float b1 = o->cfg.beta1, b2 = o->cfg.beta2, eps = o->cfg.eps;
  const uint64_t t = o->t ? o->t : 1;
  /* bias corrections in double: 1 - 0.999^t is tiny early on */
  const double c1 = 1.0 - pow(b1, (double)t), c2 = 1.0 - pow(b2, (double)t);
  const float step = (float)(lr / c1), rc2 = (float)(1.0 / sqrt(c2));
  float *m = o->state + off, *v = o->state + o->n + off;
  for (size_t i = off; i < off + count; i++, m++, v++) {
    float gi = g[i] + wd * w[i];
    *m = b1 * *m + (1.0f - b1) * gi;
    *v = b2 * *v + (1.0f - b2) * gi * gi;
    w[i] -= step * *m / (sqrtf(*v) * rc2 + eps);
  }
}

void dp_nn_opt_step(dp_nn_opt *o, dp_nn_net *net, float lr) {
  o->t++;
  /* merge consecutive unfrozen tensors into one range: fewer, longer loops */
  size_t start = 0, len = 0;
  for (int t = 0; t < net->n_tensors; t++) {
    const dp_nn_param *p = &net->tensors[t];
    if (dp_nn_param_frozen(net, t)) continue;
    if (len && start + len == p->offset) {
      len += p->count;
      continue;
    }
    if (len) dp_nn_opt_update(o, net->params, net->grads, start, len, lr);
    start = p->offset;
    len = p->count;
  }
  if (len) dp_nn_opt_update(o, net->params, net->grads, start, len, lr);
}
