/* shards.h - a stage over an index range (render) run as N independent jobs (a SLURM job
 * array), each writing its part to its own directory, merged by a later `run`.
 *
 * Layout: WORK/shards/STAGE/part-I-of-N/ holds part I's outputs under their usual names
 * and record.tsv (the stage's config hash and input hash when the part was made, written
 * last). A set is complete when all N parts exist with the current hashes; only a
 * complete, current set is ever merged, so merged outputs equal a single job's. */
#ifndef DEPTHPOSE_SHARDS_H
#define DEPTHPOSE_SHARDS_H
#include <stddef.h>
#include <stdint.h>

#define DP_SHARDS_MAX 100000

/* WORK/shards/STAGE/part-I-of-N */
void dp_shard_dir(char *buf, size_t cap, const char *workdir, const char *stage, int i, int n);
/* Write dir/record.tsv atomically: the last step of a finished part. */
int dp_shard_record_write(const char *dir, uint64_t config_hash, uint64_t input_hash);
/* Look for a complete set of parts made with these hashes, each holding every one of
 * `outputs` (a stage's list: NULL after the last, at most DP_MAX_FILES). *n = its part
 * count (the smallest if several), 0 if none; *best_ready / *best_of = the most complete
 * set seen (for status lines). */
int dp_shard_find(const char *workdir, const char *stage, uint64_t config_hash,
                  uint64_t input_hash, const char *const *outputs, int *n, int *best_ready,
                  int *best_of);
/* Remove WORK/shards/STAGE and everything in it (after the stage's outputs are final). */
int dp_shard_remove_all(const char *workdir, const char *stage);

#endif
