/* stage.h - what a pipeline stage is, and what the driver gives it.
 *
 * A stage is a table entry: name, the work-directory files it reads and writes, a
 * configure() that turns its YAML section into options (run on every rank for every
 * stage before anything runs, so a typo anywhere fails at once), and run(). Adding a
 * stage is one folder under stages/ and one line in pipeline/registry.c.
 *
 * Outputs are atomic: run() writes to dp_ctx_output() paths (NAME.partial); the driver
 * renames them to NAME only after every rank succeeded. */
#ifndef DEPTHPOSE_STAGE_H
#define DEPTHPOSE_STAGE_H
#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "depthpose/config.h"
#include "depthpose/error.h"
#include "depthpose/log.h"

/* Room for a stage's file lists; each list ends with a NULL entry (`depthpose stages` and
 * the shard code stop there), so a stage names at most DP_MAX_FILES - 1 files in each. */
#define DP_MAX_FILES 12

typedef struct dp_ctx {
  MPI_Comm comm;
  int rank, size;
  const char *workdir;
  uint64_t seed;             /* run.seed */
  uint64_t config_hash;      /* of this stage's section and the seed (tags checkpoints) */
  const char *stage;         /* this stage's name */
  const char *config_path;   /* the YAML file (relative paths in it are relative to cwd) */
  void *opts;                /* what configure() returned */
  char summary[1024];        /* one-line result, set with dp_ctx_summary */
  char path_buf[DP_MAX_FILES][4096];
  unsigned path_next;
  /* Where dp_ctx_output() puts files: the work directory, or a shard's directory. */
  const char *outdir;
  /* Shards (a stage over an index range run as independent jobs, e.g. a SLURM job
   * array): this run computes part `shard` of `n_shards` (0 of 1 = the whole stage) -
   * see dp_ctx_part(). When merge_dirs is set, the n_shards parts are complete and
   * current in those directories, and run() assembles its outputs from them instead of
   * computing anything. */
  int shard, n_shards;
  const char *const *merge_dirs;
} dp_ctx;

typedef struct dp_stage {
  const char *name;
  const char *what;                      /* one line for `depthpose stages` */
  const char *inputs[DP_MAX_FILES];      /* work-directory files read (NULL-terminated) */
  const char *outputs[DP_MAX_FILES];     /* work-directory files written */
  /* Work-directory files a stage keeps between attempts (checkpoints): kept only for a
   * rerun of an interrupted attempt with the same config and inputs, deleted otherwise
   * and once the stage is done. */
  const char *scratch[DP_MAX_FILES];
  /* Parse and validate the section (may be NULL: all defaults). Pure: no I/O beyond
   * checking that configured input files exist. */
  int (*configure)(const dp_node *section, void **opts);
  /* Files outside the work directory whose content is an input (mocap files); the
   * driver hashes them for resume. May be NULL. Returns a malloc'ed array of paths
   * pointing into opts. */
  int (*external_inputs)(const void *opts, const char ***paths, size_t *n);
  int (*run)(dp_ctx *ctx);
  void (*free_opts)(void *opts);
  /* 1: run() honours ctx->shard/n_shards and ctx->merge_dirs, so the stage can run as
   * `depthpose shard CONFIG STAGE I N` jobs whose parts a later `run` merges. */
  int shardable;
} dp_stage;

/* The registry, in pipeline order, NULL-terminated. */
extern const dp_stage *const dp_stages[];
const dp_stage *dp_stage_find(const char *name);
int dp_stage_index(const char *name);

/* Full path of a work-directory input, and of the .partial file an output goes to.
 * A returned path stays valid for the next DP_MAX_FILES - 1 calls. */
const char *dp_ctx_input(dp_ctx *ctx, const char *name);
const char *dp_ctx_output(dp_ctx *ctx, const char *name);

/* Collective: every rank passes its local status (0 or -1). If any rank failed, the
 * lowest failing rank's message moves to rank 0 (prefixed with that rank) and every
 * rank returns -1; otherwise 0. Call it before any collective operation that follows
 * work which can fail on some ranks only, so that no rank waits on a failed one.
 * Also the fault-injection point for tests: DEPTHPOSE_FAULT=fail:STAGE:RANK makes
 * that rank fail at its first sync point in that stage. */
int dp_ctx_sync(dp_ctx *ctx, int local_status);
/* Test hook: DEPTHPOSE_FAULT=stall:STAGE parks every rank after the stage's run()
 * returned, its outputs complete as .partial but not yet committed, until killed. */
void dp_fault_stall(const dp_ctx *ctx);
/* Test hook: DEPTHPOSE_FAULT=stop:STAGE:N makes a stage with steps (train) behave as if
 * a stop signal (SIGTERM/SIGUSR1) arrived at step N. */
int dp_fault_stop_at(const dp_ctx *ctx, long step);
/* The same agreement on any communicator, without fault injection. */
int dp_mpi_agree(MPI_Comm comm, int local_status);

void dp_ctx_summary(dp_ctx *ctx, const char *fmt, ...) DP_PRINTF(2, 3);

/* Split n items into size contiguous ranges; rank r gets [*start, *start + *count). */
void dp_split_range(size_t n, int size, int rank, size_t *start, size_t *count);
/* The items [*start, *start + *count) of n that this rank computes: its share of this
 * shard's contiguous part (the shard's part is dp_split_range(n, n_shards, shard)). */
void dp_ctx_part(const dp_ctx *ctx, size_t n, size_t *start, size_t *count);
/* This shard's part of n items (all of them when the stage is not sharded). */
void dp_ctx_shard_range(const dp_ctx *ctx, size_t n, size_t *start, size_t *count);

#endif
