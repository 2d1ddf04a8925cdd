/* blas.c - OpenBLAS's threads per call, and which of its kernel sets runs.
 *
 * The kernel set matters as much as the algorithm: OpenBLAS picks it at load time
 * from the CPU, or from OPENBLAS_CORETYPE when that is set. On this project's
 * machines (AMD Zen 5, AVX-512) it picks "Cooperlake" (AVX-512) by itself, while
 * OPENBLAS_CORETYPE=Haswell forces AVX2 kernels at half the speed (cblas_sgemm 1024^3
 * on one core: about 200 vs 100 GFLOP/s). The name is reported (train log, bench) so a
 * slow run can be told from a slow algorithm; the choice itself is left to the
 * library and the environment.
 *
 * Winograd's SGEMMs are many and small (36 per chunk of tiles, cout x tiles x cin):
 * OpenBLAS's threads slow them down - with 2 threads the 64- to 256-channel layers of
 * the default network ran 1.3-1.9x slower than with 1 (forward and backward, batch
 * 64) - so winograd.c runs them on one thread (dp_nn_blas_one_thread), and a rank's
 * other threads serve the GEMMs that gain from them: im2col's and the FC layers'. */
#include "nn_internal.h"

char *openblas_get_corename(void);
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);

const char *dp_nn_blas_setup(int threads) {
  if (threads > 0) openblas_set_num_threads(threads);
  const char *core = openblas_get_corename();
  return core ? core : "unknown";
}

int dp_nn_blas_one_thread(void) {
  int was = openblas_get_num_threads();
  if (was > 1) openblas_set_num_threads(1);
  return was;
}

void dp_nn_blas_restore(int threads) {
  if (threads > 1) openblas_set_num_threads(threads);
}
