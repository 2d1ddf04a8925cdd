/* manifest.h - the run's memory: one record per stage in WORKDIR/manifest.tsv.
 * Plain tab-separated text so that a user (or a SLURM script) can read it with cut. */
#ifndef DEPTHPOSE_MANIFEST_H
#define DEPTHPOSE_MANIFEST_H
#include <stdint.h>

#define DP_MANIFEST_NAME "manifest.tsv"
#define DP_MANIFEST_MAX 32

typedef struct {
  char stage[64];
  char status[16];        /* done, failed, running (a run that was killed stays running) */
  uint64_t config_hash;   /* of the stage's section and run.seed */
  uint64_t input_hash;    /* of its input files' content */
  double wall;            /* seconds */
  char finished[32];      /* ISO time */
  char outputs[1024];     /* comma-separated */
  char summary[1024];
} dp_record;

typedef struct {
  dp_record rec[DP_MANIFEST_MAX];
  int n;
} dp_manifest;

int dp_manifest_load(const char *workdir, dp_manifest *m); /* a missing file is empty */
int dp_manifest_save(const char *workdir, const dp_manifest *m); /* atomic replace */
dp_record *dp_manifest_find(dp_manifest *m, const char *stage);
dp_record *dp_manifest_put(dp_manifest *m, const char *stage); /* find or add */

#endif
