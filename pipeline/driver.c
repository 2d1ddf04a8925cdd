/* driver.c - loads the run config, configures every stage, and runs the selected ones
 * in order, skipping those whose manifest record is still current.
 *
 * Decisions (skip / run) and manifest I/O happen on rank 0 and are broadcast, so all
 * ranks take the same path through the collective calls. */
#include "driver.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "depthpose/hash.h"
#include "depthpose/stage.h"
#include "fsutil.h"
#include "manifest.h"
#include "shards.h"

#define MAX_STAGES 16

/* What a stage asks of a batch scheduler (slurm: section; used by jobs/submit-stages.sh). */
typedef struct {
  long nodes, ntasks;
  const char *time;
  long array; /* > 0: run the stage as a job array of this many shards, then merge */
} resources;

typedef struct {
  dp_config *cfg;
  const char *name;
  char workdir[4096];
  uint64_t seed;
  int n;                     /* registered stages */
  void *opts[MAX_STAGES];
  uint64_t config_hash[MAX_STAGES];
  resources res[MAX_STAGES];
} run_setup;

/* Rank 0 reads the file and broadcasts it, so that N ranks do not hit the file system
 * and every rank parses exactly the same bytes. */
static int load_config(const char *path, MPI_Comm comm, dp_config **out) {
  int rank;
  MPI_Comm_rank(comm, &rank);
  long len = -1;
  char *text = NULL;
  if (rank == 0) {
    FILE *f = fopen(path, "rb");
    if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
      text = malloc((size_t)len + 1);
      if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) len = -1;
    }
    if (f) fclose(f);
  }
  MPI_Bcast(&len, 1, MPI_LONG, 0, comm);
  if (len < 0) {
    free(text);
    return dp_fail("%s: cannot read the config file (missing or unreadable)", path);
  }
  if (rank != 0) text = malloc((size_t)len + 1);
  if (!text) return dp_fail("out of memory reading %s", path);
  MPI_Bcast(text, (int)len, MPI_CHAR, 0, comm);
  int rc = dp_config_parse(path, text, (size_t)len, out);
  free(text);
  return rc;
}

static void free_setup(run_setup *s) {
  for (int i = 0; i < s->n; i++)
    if (s->opts[i] && dp_stages[i]->free_opts) dp_stages[i]->free_opts(s->opts[i]);
  dp_config_free(s->cfg);
}

static int parse_resources(const dp_node *sec, const resources *def, resources *out) {
  DP_TRY(dp_cfg_int(sec, "nodes", def->nodes, 1, 100000, &out->nodes));
  DP_TRY(dp_cfg_int(sec, "ntasks", def->ntasks, 1, 10000000, &out->ntasks));
  DP_TRY(dp_cfg_string(sec, "time", def->time, &out->time));
  out->array = 0;
  return 0;
}

/* slurm: {nodes, ntasks, time, stages: {<stage>: {nodes, ntasks, time, array}}};
 * array only for stages that can run as shards. */
static int setup_slurm(const dp_node *root, run_setup *s) {
  const dp_node *sl = NULL, *per = NULL;
  DP_TRY(dp_cfg_section(root, "slurm", &sl));
  resources def = {1, 2, "01:00:00", 0}, all;
  DP_TRY(parse_resources(sl, &def, &all));
  DP_TRY(dp_cfg_section(sl, "stages", &per));
  for (int i = 0; i < s->n; i++) {
    const dp_node *one = NULL;
    DP_TRY(dp_cfg_section(per, dp_stages[i]->name, &one));
    DP_TRY(parse_resources(one, &all, &s->res[i]));
    if (dp_stages[i]->shardable)
      DP_TRY(dp_cfg_int(one, "array", 0, 0, DP_SHARDS_MAX, &s->res[i].array));
  }
  return 0;
}

static int setup_run(const dp_run_args *a, MPI_Comm comm, run_setup *s) {
  memset(s, 0, sizeof *s);
  DP_TRY(load_config(a->config, comm, &s->cfg));
  const dp_node *root = dp_config_root(s->cfg), *run = NULL, *stages = NULL;
  if (dp_node_type(root) != DP_NODE_MAP)
    return dp_node_fail(root, "the top level must be a mapping with run: and stages: sections");
  DP_TRY(dp_cfg_section(root, "run", &run));
  DP_TRY(dp_cfg_section(root, "stages", &stages));
  const char *workdir;
  long seed;
  DP_TRY(dp_cfg_string(run, "name", "run", &s->name));
  DP_TRY(dp_cfg_string(run, "workdir", NULL, &workdir));
  DP_TRY(dp_cfg_int(run, "seed", 1, 0, LONG_MAX, &seed));
  s->seed = (uint64_t)seed;
  if (a->workdir) workdir = a->workdir;
  if (workdir) snprintf(s->workdir, sizeof s->workdir, "%s", workdir);
  else snprintf(s->workdir, sizeof s->workdir, "work/%s", s->name);
  for (s->n = 0; dp_stages[s->n]; s->n++) {
    const dp_stage *st = dp_stages[s->n];
    const dp_node *sec = NULL;
    DP_TRY(dp_cfg_section(stages, st->name, &sec));
    DP_TRY(st->configure(sec, &s->opts[s->n]));
    /* The seed is part of every stage's settings: a new seed means new outputs. */
    uint64_t h[2] = {dp_node_hash(sec), s->seed};
    s->config_hash[s->n] = dp_hash_bytes(h, sizeof h);
  }
  DP_TRY(setup_slurm(root, s));
  return dp_config_check_unused(s->cfg);
}

static int stage_range(const dp_run_args *a, int n, int *from, int *to) {
  *from = 0;
  *to = n - 1;
  if (a->from && (*from = dp_stage_index(a->from)) < 0)
    return dp_fail("--from %s: no such stage (depthpose stages lists them)", a->from);
  if (a->to && (*to = dp_stage_index(a->to)) < 0)
    return dp_fail("--to %s: no such stage (depthpose stages lists them)", a->to);
  if (*from > *to) return dp_fail("--from %s comes after --to %s", a->from, a->to);
  return 0;
}

static void path_of(char *buf, size_t cap, const char *workdir, const char *name, const char *ext) {
  snprintf(buf, cap, "%s/%s%s", workdir, name, ext);
}

/* Hash of a stage's current inputs: work-directory files and external files. A
 * missing input gives 0 (never equal to a recorded hash of real files). */
static uint64_t input_hash(const run_setup *s, int i) {
  const dp_stage *st = dp_stages[i];
  dp_hash h;
  dp_hash_init(&h);
  char path[4096];
  for (int k = 0; k < DP_MAX_FILES && st->inputs[k]; k++) {
    path_of(path, sizeof path, s->workdir, st->inputs[k], "");
    uint64_t v;
    if (dp_hash_file(path, &v) != 0) {
      dp_error_clear();
      return 0;
    }
    dp_hash_update(&h, &v, sizeof v);
  }
  const char **ext = NULL;
  size_t n = 0;
  if (st->external_inputs && st->external_inputs(s->opts[i], &ext, &n) != 0) {
    dp_error_clear();
    return 0;
  }
  for (size_t k = 0; k < n; k++) {
    uint64_t v;
    if (dp_hash_file(ext[k], &v) != 0) {
      dp_error_clear();
      free(ext);
      return 0;
    }
    dp_hash_update(&h, ext[k], strlen(ext[k]) + 1);
    dp_hash_update(&h, &v, sizeof v);
  }
  free(ext);
  return dp_hash_final(&h);
}

static int outputs_exist(const run_setup *s, const dp_stage *st) {
  char path[4096];
  for (int k = 0; k < DP_MAX_FILES && st->outputs[k]; k++) {
    path_of(path, sizeof path, s->workdir, st->outputs[k], "");
    if (!dp_file_exists(path)) return 0;
  }
  return 1;
}

typedef enum { ST_DONE, ST_STALE, ST_MISSING, ST_FAILED } stage_state;
static const char *STATE_NAMES[] = {"done", "stale", "missing", "failed"};

static stage_state state_of(const run_setup *s, dp_manifest *m, int i, int upstream_current) {
  const dp_record *r = dp_manifest_find(m, dp_stages[i]->name);
  if (!r) return ST_MISSING;
  if (strcmp(r->status, "done") != 0) return ST_FAILED;
  if (!outputs_exist(s, dp_stages[i])) return ST_MISSING;
  if (!upstream_current || r->config_hash != s->config_hash[i] || r->input_hash != input_hash(s, i))
    return ST_STALE;
  return ST_DONE;
}

static void now_iso(char *buf, size_t cap) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Rank 0: clear the stage's final and partial outputs and record it as running, so a
 * kill from here on leaves neither a stale final file nor a "done" record. */
static int remove_scratch(const run_setup *s, const dp_stage *st) {
  char path[4096];
  for (int k = 0; k < DP_MAX_FILES && st->scratch[k]; k++) {
    path_of(path, sizeof path, s->workdir, st->scratch[k], "");
    DP_TRY(dp_remove_if_exists(path));
  }
  return 0;
}

/* A stage may pick up its scratch files (training checkpoints) only when it continues an
 * interrupted attempt with the same settings and inputs, and the user did not --force. */
static int may_resume(const run_setup *s, dp_manifest *m, int i, int force) {
  const dp_record *r = dp_manifest_find(m, dp_stages[i]->name);
  return !force && r && strcmp(r->status, "done") != 0 && r->config_hash == s->config_hash[i] &&
         r->input_hash == input_hash(s, i);
}

static int prepare_stage(const run_setup *s, dp_manifest *m, int i, int force) {
  const dp_stage *st = dp_stages[i];
  char path[4096];
  if (!may_resume(s, m, i, force)) DP_TRY(remove_scratch(s, st));
  for (int k = 0; k < DP_MAX_FILES && st->outputs[k]; k++) {
    path_of(path, sizeof path, s->workdir, st->outputs[k], "");
    DP_TRY(dp_remove_if_exists(path));
    path_of(path, sizeof path, s->workdir, st->outputs[k], ".partial");
    DP_TRY(dp_remove_if_exists(path));
  }
  dp_record *r = dp_manifest_put(m, st->name);
  if (!r) return dp_fail("manifest full");
  snprintf(r->status, sizeof r->status, "running");
  r->config_hash = s->config_hash[i];
  r->input_hash = input_hash(s, i);
  r->wall = 0;
  r->summary[0] = r->outputs[0] = '\0';
  now_iso(r->finished, sizeof r->finished);
  return dp_manifest_save(s->workdir, m);
}

/* Rank 0, after every rank succeeded: move the outputs into place, then record. */
static int commit_stage(const run_setup *s, dp_manifest *m, int i, double wall, const char *summary) {
  const dp_stage *st = dp_stages[i];
  char part[4096], fin[4096];
  dp_record *r = dp_manifest_find(m, st->name);
  r->outputs[0] = '\0';
  for (int k = 0; k < DP_MAX_FILES && st->outputs[k]; k++) {
    path_of(part, sizeof part, s->workdir, st->outputs[k], ".partial");
    path_of(fin, sizeof fin, s->workdir, st->outputs[k], "");
    if (!dp_file_exists(part))
      return dp_fail("stage %s finished without writing %s", st->name, st->outputs[k]);
    DP_TRY(dp_commit_file(part, fin));
    size_t len = strlen(r->outputs);
    snprintf(r->outputs + len, sizeof r->outputs - len, "%s%s", k ? "," : "", st->outputs[k]);
  }
  snprintf(r->status, sizeof r->status, "done");
  DP_TRY(remove_scratch(s, st)); /* the outputs hold everything now */
  if (st->shardable) DP_TRY(dp_shard_remove_all(s->workdir, st->name));
  r->wall = wall;
  snprintf(r->summary, sizeof r->summary, "%s", summary);
  now_iso(r->finished, sizeof r->finished);
  return dp_manifest_save(s->workdir, m);
}

static void fail_stage(const run_setup *s, dp_manifest *m, int i) {
  const dp_stage *st = dp_stages[i];
  char path[4096];
  for (int k = 0; k < DP_MAX_FILES && st->outputs[k]; k++) {
    path_of(path, sizeof path, s->workdir, st->outputs[k], ".partial");
    remove(path);
  }
  dp_record *r = dp_manifest_find(m, st->name);
  if (r) snprintf(r->status, sizeof r->status, "failed");
  /* Keep the stage's error as the one reported, even if saving the manifest fails. */
  char saved[2048];
  snprintf(saved, sizeof saved, "%s", dp_error_message());
  dp_error_clear();
  dp_manifest_save(s->workdir, m);
  dp_error_clear();
  dp_fail("%s", saved);
}

typedef struct {
  int n;
  char **dirs;
} shard_dirs;

static void shard_dirs_free(shard_dirs *d) {
  for (int k = 0; k < d->n && d->dirs; k++) free(d->dirs[k]);
  free(d->dirs);
  d->dirs = NULL;
  d->n = 0;
}

/* Rank 0 looks for a complete, current shard set of stage i; every rank gets its
 * directories (0 parts: compute the stage as usual). */
static int find_merge_set(const run_setup *s, int i, MPI_Comm comm, shard_dirs *out) {
  int rank, n = 0, ready = 0, of = 0;
  MPI_Comm_rank(comm, &rank);
  const dp_stage *st = dp_stages[i];
  int rc = 0;
  if (rank == 0) {
    rc = dp_shard_find(s->workdir, st->name, s->config_hash[i], input_hash(s, i), st->outputs,
                       &n, &ready, &of);
    if (rc == 0 && n == 0 && of > 0)
      dp_info("== %s: %d of %d shards are ready with these settings and inputs; computing the "
              "whole stage instead", st->name, ready, of);
  }
  DP_TRY(dp_mpi_agree(comm, rc));
  MPI_Bcast(&n, 1, MPI_INT, 0, comm);
  if (n == 0) return 0;
  out->dirs = dp_calloc((size_t)n, sizeof *out->dirs, "shard list");
  rc = out->dirs ? 0 : -1;
  for (int k = 0; rc == 0 && k < n; k++) {
    char dir[4096];
    dp_shard_dir(dir, sizeof dir, s->workdir, st->name, k, n);
    if (!(out->dirs[k] = strdup(dir))) rc = dp_fail("out of memory listing shards");
    out->n = k + 1;
  }
  return dp_mpi_agree(comm, rc);
}

static int run_one(const run_setup *s, dp_manifest *m, int i, int force, MPI_Comm comm) {
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const dp_stage *st = dp_stages[i];
  int rc = rank == 0 ? prepare_stage(s, m, i, force) : 0;
  DP_TRY(dp_mpi_agree(comm, rc));
  dp_ctx ctx = {.comm = comm, .rank = rank, .size = size, .workdir = s->workdir,
                .seed = s->seed, .config_hash = s->config_hash[i], .stage = st->name, .config_path = dp_config_path(s->cfg),
                .opts = s->opts[i], .n_shards = 1};
  dp_info("== %s: %s", st->name, st->what);
  shard_dirs merge = {0};
  if (st->shardable) rc = find_merge_set(s, i, comm, &merge);
  if (merge.n > 0) {
    ctx.n_shards = merge.n;
    ctx.merge_dirs = (const char *const *)merge.dirs;
    dp_info("== %s: merging the %d shards in %s/shards/%s", st->name, merge.n, s->workdir, st->name);
  }
  double t0 = dp_now();
  if (rc == 0) rc = st->run(&ctx);
  shard_dirs_free(&merge);
  dp_fault_stall(&ctx);
  rc = dp_ctx_sync(&ctx, rc);
  double wall = dp_now() - t0;
  if (rc == 0 && rank == 0) rc = commit_stage(s, m, i, wall, ctx.summary);
  rc = dp_mpi_agree(comm, rc);
  if (rc != 0) {
    if (rank == 0) fail_stage(s, m, i);
    char msg[2100];
    snprintf(msg, sizeof msg, "%s", dp_error_message());
    dp_error_clear();
    return dp_fail("stage %s failed: %s", st->name, msg);
  }
  dp_info("== %s done in %.2f s: %s", st->name, wall, ctx.summary);
  return 0;
}

int dp_driver_run(const dp_run_args *a, MPI_Comm comm) {
  int rank;
  MPI_Comm_rank(comm, &rank);
  run_setup s;
  int rc = setup_run(a, comm, &s);
  int from = 0, to = 0;
  if (rc == 0) rc = stage_range(a, s.n, &from, &to);
  if (rc == 0 && rank == 0) rc = dp_mkdirs(s.workdir);
  dp_manifest m;
  if (rc == 0 && rank == 0) rc = dp_manifest_load(s.workdir, &m);
  rc = dp_mpi_agree(comm, rc);
  int ran = 0, skipped = 0;
  int rerun_rest = 0; /* once a stage runs, everything after it runs too */
  for (int i = from; rc == 0 && i <= to; i++) {
    int go = 1;
    if (rank == 0) {
      stage_state st = state_of(&s, &m, i, 1);
      go = rerun_rest || (a->force && (!a->from || i >= from)) || st != ST_DONE;
      if (!go) dp_info("== %s: up to date, skipped (%s)", dp_stages[i]->name,
                       dp_manifest_find(&m, dp_stages[i]->name)->summary);
    }
    MPI_Bcast(&go, 1, MPI_INT, 0, comm);
    if (!go) {
      skipped++;
      continue;
    }
    rerun_rest = 1;
    rc = run_one(&s, &m, i, a->force && (!a->from || i >= from), comm);
    ran++;
  }
  if (rc == 0) dp_info("run %s: %d stage(s) run, %d up to date; work directory %s", s.name, ran,
                       skipped, s.workdir);
  free_setup(&s);
  return rc;
}

/* Rank 0: every stage before stage i is done and current, so a part made now is made
 * from the inputs the stage will have when its parts are merged. */
static int upstream_done(const run_setup *s, int i) {
  dp_manifest m;
  DP_TRY(dp_manifest_load(s->workdir, &m));
  for (int k = 0; k < i; k++)
    if (state_of(s, &m, k, 1) != ST_DONE)
      return dp_fail("%s: stage %s is not done (depthpose status shows why); run the stages "
                     "before %s first: depthpose run CONFIG --to %s",
                     s->workdir, dp_stages[k]->name, dp_stages[i]->name, dp_stages[k]->name);
  return 0;
}

/* One part of a shardable stage into its own directory; the manifest is not touched
 * (parts run concurrently as separate jobs), the part's record is written last. */
int dp_driver_shard(const dp_run_args *a, const char *stage, int index, int count, MPI_Comm comm) {
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  run_setup s;
  int rc = setup_run(a, comm, &s), i = -1;
  if (rc == 0 && (i = dp_stage_index(stage)) < 0)
    rc = dp_fail("shard %s: no such stage (depthpose stages lists them)", stage);
  if (rc == 0 && !dp_stages[i]->shardable)
    rc = dp_fail("shard %s: this stage cannot run as shards (only stages over an index range, "
                 "e.g. render, can)", stage);
  if (rc == 0 && (count < 1 || count > DP_SHARDS_MAX || index < 0 || index >= count))
    rc = dp_fail("shard %s %d %d: expected 0 <= INDEX < COUNT <= %d", stage, index, count,
                 DP_SHARDS_MAX);
  char dir[4096] = "";
  uint64_t ih = 0;
  if (rc == 0) dp_shard_dir(dir, sizeof dir, s.workdir, stage, index, count);
  if (rc == 0 && rank == 0) {
    const dp_stage *st = dp_stages[i];
    rc = upstream_done(&s, i);
    ih = rc == 0 ? input_hash(&s, i) : 0;
    if (rc == 0) rc = dp_mkdirs(dir);
    char path[4200];
    if (rc == 0) { /* a rerun of this part starts clean */
      snprintf(path, sizeof path, "%s/record.tsv", dir);
      rc = dp_remove_if_exists(path);
    }
    for (int k = 0; rc == 0 && k < DP_MAX_FILES && st->outputs[k]; k++) {
      path_of(path, sizeof path, dir, st->outputs[k], "");
      rc = dp_remove_if_exists(path);
      path_of(path, sizeof path, dir, st->outputs[k], ".partial");
      if (rc == 0) rc = dp_remove_if_exists(path);
    }
  }
  rc = dp_mpi_agree(comm, rc);
  if (rc == 0) {
    const dp_stage *st = dp_stages[i];
    dp_ctx ctx = {.comm = comm, .rank = rank, .size = size, .workdir = s.workdir, .seed = s.seed,
                  .config_hash = s.config_hash[i], .stage = st->name,
                  .config_path = dp_config_path(s.cfg), .opts = s.opts[i], .outdir = dir,
                  .shard = index, .n_shards = count};
    dp_info("== %s, shard %d of %d: %s", st->name, index, count, st->what);
    double t0 = dp_now();
    rc = dp_ctx_sync(&ctx, st->run(&ctx));
    char part[4200], fin[4200];
    for (int k = 0; rc == 0 && rank == 0 && k < DP_MAX_FILES && st->outputs[k]; k++) {
      path_of(part, sizeof part, dir, st->outputs[k], ".partial");
      path_of(fin, sizeof fin, dir, st->outputs[k], "");
      rc = dp_commit_file(part, fin);
    }
    if (rc == 0 && rank == 0) rc = dp_shard_record_write(dir, s.config_hash[i], ih);
    rc = dp_mpi_agree(comm, rc);
    if (rc == 0) {
      dp_info("== %s, shard %d of %d done in %.2f s: %s", st->name, index, count, dp_now() - t0,
              ctx.summary);
    } else {
      for (int k = 0; rank == 0 && k < DP_MAX_FILES && st->outputs[k]; k++) {
        path_of(part, sizeof part, dir, st->outputs[k], ".partial");
        remove(part);
      }
      char msg[2100];
      snprintf(msg, sizeof msg, "%s", dp_error_message());
      dp_error_clear();
      rc = dp_fail("stage %s, shard %d of %d failed: %s", st->name, index, count, msg);
    }
  }
  free_setup(&s);
  return rc;
}

int dp_driver_check(const dp_run_args *a, MPI_Comm comm) {
  run_setup s;
  int rc = setup_run(a, comm, &s);
  free_setup(&s);
  return rc;
}

/* Load the config and the manifest, then hand each stage's state to `show` in order
 * (on rank 0). A stage counts as current only if every stage before it is too. */
typedef void (*show_fn)(const run_setup *s, int i, stage_state st, const dp_record *r);

static int for_each_state(const dp_run_args *a, MPI_Comm comm, void (*header)(const run_setup *),
                          show_fn show) {
  int rank;
  MPI_Comm_rank(comm, &rank);
  run_setup s;
  int rc = setup_run(a, comm, &s);
  dp_manifest m;
  if (rc == 0 && rank == 0) rc = dp_manifest_load(s.workdir, &m);
  rc = dp_mpi_agree(comm, rc);
  if (rc == 0 && rank == 0) {
    if (header) header(&s);
    int current = 1;
    for (int i = 0; i < s.n; i++) {
      stage_state st = state_of(&s, &m, i, current);
      current = current && st == ST_DONE;
      show(&s, i, st, dp_manifest_find(&m, dp_stages[i]->name));
    }
    fflush(stdout);
  }
  free_setup(&s);
  return rc;
}

static void show_plan(const run_setup *s, int i, stage_state st, const dp_record *r) {
  (void)r;
  printf("%s\t%s\t%ld\t%ld\t%s\t%ld\n", dp_stages[i]->name, STATE_NAMES[st], s->res[i].nodes,
         s->res[i].ntasks, s->res[i].time, s->res[i].array);
}

int dp_driver_plan(const dp_run_args *a, MPI_Comm comm) {
  return for_each_state(a, comm, NULL, show_plan);
}

static void status_header(const run_setup *s) {
  printf("run %s, work directory %s\n", s->name, s->workdir);
  printf("%-10s %-8s %9s  %-28s %s\n", "stage", "state", "wall_s", "outputs", "summary");
}

static void show_status(const run_setup *s, int i, stage_state st, const dp_record *r) {
  char wall[32] = "-", note[128] = "";
  if (r && r->wall > 0) snprintf(wall, sizeof wall, "%.2f", r->wall);
  int n = 0, ready = 0, of = 0;
  if (st != ST_DONE && dp_stages[i]->shardable &&
      dp_shard_find(s->workdir, dp_stages[i]->name, s->config_hash[i], input_hash(s, i),
                    dp_stages[i]->outputs, &n, &ready, &of) == 0 && of > 0)
    snprintf(note, sizeof note, "[%d of %d shards ready] ", ready, of);
  printf("%-10s %-8s %9s  %-28s %s%s\n", dp_stages[i]->name, STATE_NAMES[st], wall,
         r && *r->outputs ? r->outputs : "-", note, r ? r->summary : "");
}

int dp_driver_status(const dp_run_args *a, MPI_Comm comm) {
  return for_each_state(a, comm, status_header, show_status);
}
