/* grad_sync.h - summing the gradient buffer across ranks after each backward pass.
 *
 * Either way no single reduction is longer than 4 MB: longer ones are cut into pieces
 * (grad_sync.c says why).
 * blocking: after the backward pass, one MPI_Allreduce per contiguous run of trainable
 *   parameters (frozen layers' gradients are zero and never sent).
 * bucketed: the trainable parameters are cut into buckets of consecutive layers (at
 *   least bucket_floats each, a bucket never spanning two chains), in the order the
 *   backward pass finishes them: pathways in order from their last layer down, then the
 *   trunk from the top. As soon as a bucket's last layer is done, its MPI_Iallreduce
 *   starts, and the backward pass's hook drives progress (MPI_Testall) between layers
 *   and conv samples; dp_grad_sync_finish starts what is left and waits for all.
 *   Buckets start strictly in bucket order on every rank (collectives must match), so
 *   a rank without rows this step (it runs no backward) still pairs up correctly.
 * For a given rank count the sums are deterministic (each bucket's reduction is a fixed
 * algorithm for its size); with 2 ranks both modes give identical bits (a + b). */
#ifndef DEPTHPOSE_GRAD_SYNC_H
#define DEPTHPOSE_GRAD_SYNC_H
#include <mpi.h>
#include <stddef.h>

#include "depthpose/nn.h"

typedef enum { DP_ALLREDUCE_BLOCKING = 0, DP_ALLREDUCE_BUCKETED = 1 } dp_allreduce_mode;

typedef struct dp_grad_sync dp_grad_sync;

int dp_grad_sync_create(dp_grad_sync **out, dp_nn_net *net, MPI_Comm comm, dp_allreduce_mode mode,
                        size_t bucket_floats);
/* Before dp_nn_backward: plans the buckets for the layers now trainable (freezing may
 * have changed) and installs the network's backward hook. */
void dp_grad_sync_begin(dp_grad_sync *g);
/* After dp_nn_backward (or instead of it, on a rank with no rows): every trainable
 * gradient is summed over the ranks on return. Removes the hook. */
void dp_grad_sync_finish(dp_grad_sync *g);
/* Buckets of the last plan (for the log and the tests). */
int dp_grad_sync_buckets(const dp_grad_sync *g);
void dp_grad_sync_free(dp_grad_sync *g);

#endif
