/* driver.h - the `run` and `status` commands. */
#ifndef DEPTHPOSE_DRIVER_H
#define DEPTHPOSE_DRIVER_H
#include <mpi.h>

typedef struct {
  const char *config;
  const char *from, *to; /* stage names or NULL */
  const char *workdir;   /* overrides run.workdir */
  int force;
} dp_run_args;

int dp_driver_run(const dp_run_args *a, MPI_Comm comm);
int dp_driver_status(const dp_run_args *a, MPI_Comm comm);
/* One line per stage for batch scripts: stage, state, nodes, ntasks, time. */
int dp_driver_plan(const dp_run_args *a, MPI_Comm comm);
/* Part INDEX of COUNT of a shardable stage (render) into WORK/shards/STAGE/ (shards.h);
 * a later run of the stage merges a complete set. */
int dp_driver_shard(const dp_run_args *a, const char *stage, int index, int count, MPI_Comm comm);
/* Load the config and configure every stage, nothing else (for `keys`). */
int dp_driver_check(const dp_run_args *a, MPI_Comm comm);

#endif
