/* main.c - the depthpose command line. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/h5io.h"
#include "depthpose/stage.h"
#include "driver.h"

static const char *USAGE =
    "usage: depthpose [--quiet | --verbose] COMMAND ...\n"
    "\n"
    "commands:\n"
    "  run CONFIG [--from STAGE] [--to STAGE] [--force] [--workdir DIR]\n"
    "        run the pipeline's stages in order; stages whose outputs are current are\n"
    "        skipped; --force reruns from --from (or from the start) regardless\n"
    "  status CONFIG [--workdir DIR]\n"
    "        show each stage's state: done, stale, missing or failed\n"
    "  stages\n"
    "        list the stages\n"
    "  shard CONFIG STAGE INDEX COUNT [--workdir DIR]\n"
    "        compute part INDEX (0-based) of COUNT of a stage over an index range (render)\n"
    "        into WORKDIR/shards/STAGE/, e.g. as a SLURM array task; the next run of the\n"
    "        stage merges a complete set instead of computing it\n"
    "  plan CONFIG [--workdir DIR]\n"
    "        stage, state, nodes, ntasks, time, array per line (for jobs/submit-stages.sh)\n"
    "  keys CONFIG\n"
    "        list every configuration key the stages read with CONFIG\n"
    "  --help, --version\n"
    "\n"
    "Run under MPI: mpirun -np 4 depthpose run configs/quick.yaml\n";

static int usage_error(int rank, const char *msg, const char *arg) {
  if (rank == 0) fprintf(stderr, "depthpose: %s%s%s\n%s", msg, arg ? " " : "", arg ? arg : "", USAGE);
  return 2;
}

/* A non-negative decimal that fits an int (shard index and count). */
static int whole_number(const char *s) {
  if (!*s || strlen(s) > 9) return 0;
  for (const char *p = s; *p; p++)
    if (*p < '0' || *p > '9') return 0;
  return 1;
}

static int list_stages(void) {
  for (int i = 0; dp_stages[i]; i++) {
    const dp_stage *s = dp_stages[i];
    printf("%-10s %s\n", s->name, s->what);
    printf("%-10s   reads:", "");
    for (int k = 0; k < DP_MAX_FILES && s->inputs[k]; k++) printf(" %s", s->inputs[k]);
    printf("%s\n%-10s   writes:", s->inputs[0] ? "" : " (external files only)", "");
    for (int k = 0; k < DP_MAX_FILES && s->outputs[k]; k++) printf(" %s", s->outputs[k]);
    printf("\n");
  }
  return 0;
}

int main(int argc, char **argv) {
  /* FUNNELED: training's prefetch thread reads depth.h5 through its own POSIX handle
   * and never calls MPI; only the main thread does. */
  int provided;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors are reported our way, once */

  dp_log_level level = DP_LOG_NORMAL;
  dp_run_args a = {0};
  const char *cmd = NULL, *extra[3] = {NULL, NULL, NULL}; /* shard: STAGE INDEX COUNT */
  int n_extra = 0;
  int rc = 0;
  for (int i = 1; i < argc && rc == 0; i++) {
    const char *s = argv[i];
    if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
      if (rank == 0) fputs(USAGE, stdout);
      MPI_Finalize();
      return 0;
    } else if (!strcmp(s, "--version")) {
      if (rank == 0) printf("depthpose %s\n", DEPTHPOSE_VERSION);
      MPI_Finalize();
      return 0;
    } else if (!strcmp(s, "--quiet") || !strcmp(s, "-q")) {
      level = DP_LOG_QUIET;
    } else if (!strcmp(s, "--verbose") || !strcmp(s, "-v")) {
      level = DP_LOG_VERBOSE;
    } else if (!strcmp(s, "--force")) {
      a.force = 1;
    } else if (!strcmp(s, "--from") || !strcmp(s, "--to") || !strcmp(s, "--workdir")) {
      if (i + 1 >= argc) rc = usage_error(rank, "missing value after", s);
      else if (!strcmp(s, "--from")) a.from = argv[++i];
      else if (!strcmp(s, "--to")) a.to = argv[++i];
      else a.workdir = argv[++i];
    } else if (s[0] == '-') {
      rc = usage_error(rank, "unknown option", s);
    } else if (!cmd) {
      cmd = s;
    } else if (!a.config) {
      a.config = s;
    } else if (!strcmp(cmd, "shard") && n_extra < 3) {
      extra[n_extra++] = s;
    } else {
      rc = usage_error(rank, "unexpected argument", s);
    }
  }
  dp_log_setup(rank, level);
  if (rc == 0) {
    if (!cmd) rc = usage_error(rank, "no command given", NULL);
    else if (!strcmp(cmd, "stages")) rc = rank == 0 ? list_stages() : 0;
    else if (strcmp(cmd, "run") && strcmp(cmd, "status") && strcmp(cmd, "keys") &&
             strcmp(cmd, "plan") && strcmp(cmd, "shard"))
      rc = usage_error(rank, "unknown command", cmd);
    else if (!a.config) rc = usage_error(rank, "missing CONFIG for", cmd);
    else if (!strcmp(cmd, "shard") && (n_extra != 3 || !whole_number(extra[1]) || !whole_number(extra[2])))
      rc = usage_error(rank, "shard needs CONFIG STAGE INDEX COUNT (whole numbers, 0 <= INDEX < COUNT)", NULL);
    else {
      if (!strcmp(cmd, "shard")) {
        rc = dp_driver_shard(&a, extra[0], atoi(extra[1]), atoi(extra[2]), MPI_COMM_WORLD);
      } else if (!strcmp(cmd, "keys")) {
        dp_config_record_keys(1);
        rc = dp_driver_check(&a, MPI_COMM_WORLD);
      } else if (!strcmp(cmd, "plan")) {
        rc = dp_driver_plan(&a, MPI_COMM_WORLD);
      } else {
        rc = !strcmp(cmd, "run") ? dp_driver_run(&a, MPI_COMM_WORLD) : dp_driver_status(&a, MPI_COMM_WORLD);
      }
      if (rc == 0 && !strcmp(cmd, "keys") && rank == 0) {
        const char *const *keys;
        size_t n = dp_config_asked_keys(&keys);
        for (size_t i = 0; i < n; i++) printf("%s\n", keys[i]);
      }
      if (rc != 0) {
        if (rank == 0) {
          fprintf(stderr, "depthpose: error: %s\n", dp_error_message());
          if (level >= DP_LOG_VERBOSE) fprintf(stderr, "  (raised at %s)\n", dp_error_origin());
        }
        rc = 1;
      }
    }
  }
  MPI_Finalize();
  return rc;
}
