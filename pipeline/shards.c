/* shards.c - see shards.h. */
#include "shards.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depthpose/error.h"
#include "depthpose/stage.h"
#include "fsutil.h"

static void stage_dir(char *buf, size_t cap, const char *workdir, const char *stage) {
  snprintf(buf, cap, "%s/shards/%s", workdir, stage);
}

void dp_shard_dir(char *buf, size_t cap, const char *workdir, const char *stage, int i, int n) {
  snprintf(buf, cap, "%s/shards/%s/part-%04d-of-%04d", workdir, stage, i, n);
}

int dp_shard_record_write(const char *dir, uint64_t config_hash, uint64_t input_hash) {
  char part[4200], fin[4200];
  snprintf(part, sizeof part, "%s/record.tsv.partial", dir);
  snprintf(fin, sizeof fin, "%s/record.tsv", dir);
  FILE *f = fopen(part, "w");
  if (!f) return dp_fail("cannot write %s: %s", part, strerror(errno));
  int ok = fprintf(f, "%016" PRIx64 "\t%016" PRIx64 "\n", config_hash, input_hash) > 0;
  ok = (fclose(f) == 0) && ok;
  if (!ok) return dp_fail("cannot write %s", part);
  return dp_commit_file(part, fin);
}

/* A part is ready when its record says it was made with these hashes and every output
 * is there (the record is written after them, but a user may have deleted one). */
static int part_ready(const char *dir, uint64_t ch, uint64_t ih, const char *const *outputs) {
  char path[4200];
  snprintf(path, sizeof path, "%s/record.tsv", dir);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  uint64_t c = 0, i = 0;
  int got = fscanf(f, "%" SCNx64 "\t%" SCNx64, &c, &i);
  fclose(f);
  if (got != 2 || c != ch || i != ih) return 0;
  for (int k = 0; k < DP_MAX_FILES && outputs[k]; k++) {
    snprintf(path, sizeof path, "%s/%s", dir, outputs[k]);
    if (!dp_file_exists(path)) return 0;
  }
  return 1;
}

int dp_shard_find(const char *workdir, const char *stage, uint64_t config_hash,
                  uint64_t input_hash, const char *const *outputs, int *n, int *best_ready,
                  int *best_of) {
  *n = *best_ready = *best_of = 0;
  char dir[4096];
  stage_dir(dir, sizeof dir, workdir, stage);
  DIR *d = opendir(dir);
  if (!d) return 0; /* no shards at all */
  /* Count ready parts per set size N; a set is complete when all N are ready. */
  enum { MAX_SETS = 64 };
  int sizes[MAX_SETS], ready[MAX_SETS], n_sets = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    int i, of;
    char tail;
    if (sscanf(e->d_name, "part-%d-of-%d%c", &i, &of, &tail) != 2 || of < 1 ||
        of > DP_SHARDS_MAX || i < 0 || i >= of)
      continue;
    char sub[4400];
    snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
    int k = 0;
    while (k < n_sets && sizes[k] != of) k++;
    if (k == n_sets) {
      if (n_sets == MAX_SETS) continue;
      sizes[k] = of, ready[k] = 0, n_sets++;
    }
    ready[k] += part_ready(sub, config_hash, input_hash, outputs);
  }
  closedir(d);
  for (int k = 0; k < n_sets; k++) {
    if (ready[k] == sizes[k] && (*n == 0 || sizes[k] < *n)) *n = sizes[k];
    if (*best_of == 0 || ready[k] * *best_of > *best_ready * sizes[k])
      *best_ready = ready[k], *best_of = sizes[k];
  }
  return 0;
}

/* rm -r of a directory whose entries are files and directories of files. */
static int remove_tree(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    if (errno == ENOENT) return 0;
    return dp_fail("cannot open directory %s: %s", path, strerror(errno));
  }
  struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char sub[4400];
    snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
    struct stat st;
    if (lstat(sub, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) rc = remove_tree(sub);
    else if (unlink(sub) != 0 && errno != ENOENT)
      rc = dp_fail("cannot remove %s: %s", sub, strerror(errno));
  }
  closedir(d);
  if (rc == 0 && rmdir(path) != 0 && errno != ENOENT)
    rc = dp_fail("cannot remove directory %s: %s", path, strerror(errno));
  return rc;
}

int dp_shard_remove_all(const char *workdir, const char *stage) {
  char dir[4096];
  stage_dir(dir, sizeof dir, workdir, stage);
  DP_TRY(remove_tree(dir));
  snprintf(dir, sizeof dir, "%s/shards", workdir);
  rmdir(dir); /* only if no other stage has shards in it */
  return 0;
}
