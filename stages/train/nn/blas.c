/* blas.c - OpenBLAS's threads per call, and which of its kernel sets runs.
 *
 * The kernel set matters as much as the algorithm: OpenBLAS picks it at load time
 * from the CPU, or from OPENBLAS_CORETYPE when that is set. On this project's
 * machines (AMD Zen 5, AVX-512) it picks "Cooperlake" (AVX-512) by itself, while
 * OPENBLAS_CORETYPE=Haswell forces AVX2 kernels at half the speed (cblas_sgemm 1024^3
 * on one core: about 200 vs 100 GFLOP/s). The name is reported (train log, bench) so a
 * slow run can be told from a slow algorithm; the choice itself is left to the
 * library and the environment. */
#include "nn_internal.h"

char *openblas_get_corename(void);
void openblas_set_num_threads(int);

const char *dp_nn_blas_setup(int threads) {
  if (threads > 0) openblas_set_num_threads(threads);
  const char *core = openblas_get_corename();
  return core ? core : "unknown";
}
