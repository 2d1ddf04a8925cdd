/* manifest.c - see manifest.h. */
#include "manifest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "fsutil.h"

static const char *HEADER = "# depthpose manifest v1\tstatus\tconfig_hash\tinput_hash\twall_s\tfinished\toutputs\tsummary\n";

/* Split on tabs in place; returns the number of fields. */
static int split_tabs(char *line, char **f, int max) {
  int n = 0;
  f[n++] = line;
  for (char *p = line; *p && n < max; p++)
    if (*p == '\t') {
      *p = '\0';
      f[n++] = p + 1;
    }
  return n;
}

static void copy_field(char *dst, size_t cap, const char *src) {
  snprintf(dst, cap, "%s", src);
  for (char *p = dst; *p; p++)
    if (*p == '\t' || *p == '\n' || *p == '\r') *p = ' ';
}

int dp_manifest_load(const char *workdir, dp_manifest *m) {
  memset(m, 0, sizeof *m);
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", workdir, DP_MANIFEST_NAME);
  FILE *f = fopen(path, "r");
  if (!f) return errno == ENOENT ? 0 : dp_fail("%s: cannot read: %s", path, strerror(errno));
  char line[4096];
  int lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    if (line[0] == '#' || line[0] == '\n') continue;
    line[strcspn(line, "\n")] = '\0';
    char *fl[8];
    if (split_tabs(line, fl, 8) != 8 || m->n == DP_MANIFEST_MAX) {
      fclose(f);
      return dp_fail("%s:%d: malformed manifest line (expected 8 tab-separated fields); "
                     "delete the file to rerun every stage", path, lineno);
    }
    dp_record *r = &m->rec[m->n++];
    copy_field(r->stage, sizeof r->stage, fl[0]);
    copy_field(r->status, sizeof r->status, fl[1]);
    r->config_hash = strtoull(fl[2], NULL, 16);
    r->input_hash = strtoull(fl[3], NULL, 16);
    r->wall = strtod(fl[4], NULL);
    copy_field(r->finished, sizeof r->finished, fl[5]);
    copy_field(r->outputs, sizeof r->outputs, fl[6]);
    copy_field(r->summary, sizeof r->summary, fl[7]);
  }
  fclose(f);
  return 0;
}

int dp_manifest_save(const char *workdir, const dp_manifest *m) {
  char path[4096], tmp[4200];
  snprintf(path, sizeof path, "%s/%s", workdir, DP_MANIFEST_NAME);
  snprintf(tmp, sizeof tmp, "%s.partial", path);
  FILE *f = fopen(tmp, "w");
  if (!f) return dp_fail("%s: cannot write: %s", tmp, strerror(errno));
  fputs(HEADER, f);
  for (int i = 0; i < m->n; i++) {
    const dp_record *r = &m->rec[i];
    fprintf(f, "%s\t%s\t%016" PRIx64 "\t%016" PRIx64 "\t%.3f\t%s\t%s\t%s\n", r->stage, r->status,
            r->config_hash, r->input_hash, r->wall, r->finished, r->outputs, r->summary);
  }
  if (fclose(f) != 0) return dp_fail("%s: write failed", tmp);
  return dp_commit_file(tmp, path);
}

dp_record *dp_manifest_find(dp_manifest *m, const char *stage) {
  for (int i = 0; i < m->n; i++)
    if (!strcmp(m->rec[i].stage, stage)) return &m->rec[i];
  return NULL;
}

dp_record *dp_manifest_put(dp_manifest *m, const char *stage) {
  dp_record *r = dp_manifest_find(m, stage);
  if (r || m->n == DP_MANIFEST_MAX) return r;
  r = &m->rec[m->n++];
  memset(r, 0, sizeof *r);
  copy_field(r->stage, sizeof r->stage, stage);
  return r;
}
