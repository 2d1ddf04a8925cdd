/* inputs_text.c - the text inputs of the report: evaluate's results/per_joint.csv and
 * results/summary.json, and the run's manifest.tsv (read for the page's pipeline table;
 * it is not a declared input). Errors name file:line and what was expected. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../ingest/mocap_text.h" /* dp_slurp, dp_lines, dp_parse_number */
#include "depthpose/h5io.h"
#include "depthpose/json.h"
#include "report.h"

/* ---- per_joint.csv -------------------------------------------------------------- */

enum { MAX_FIELDS = 16 };

/* Split [s, e) on commas into trimmed fields; returns the count (> MAX_FIELDS: too many). */
static int split_csv(const char *s, const char *e, const char **f, size_t *n) {
  int k = 0;
  for (;;) {
    const char *c = memchr(s, ',', (size_t)(e - s)), *fe = c ? c : e;
    const char *a = s, *b = fe;
    while (a < b && dp_is_space(*a)) a++;
    while (b > a && dp_is_space(b[-1])) b--;
    if (k < MAX_FIELDS) f[k] = a, n[k] = (size_t)(b - a);
    k++;
    if (!c) return k;
    s = c + 1;
  }
}

static int column_of(const char *const *f, const size_t *n, int k, const char *name) {
  for (int i = 0; i < k && i < MAX_FIELDS; i++)
    if (dp_tok_is(f[i], n[i], name)) return i;
  return -1;
}

/* Map the header's columns: joint first, then the RP_COL_* ones (the last two optional). */
static int read_header(const char *path, const dp_lines *L, int *col, int *n_fields) {
  static const char *const NAMES[RP_COLS] = {"frames", "mean_mm", "median_mm", "mean_mm_synthetic_pose",
                                             "mean_mm_real_pose"};
  const char *f[MAX_FIELDS];
  size_t n[MAX_FIELDS];
  int k = split_csv(L->ls, L->le, f, n);
  if (k > MAX_FIELDS) return dp_fail("%s:%d: header has %d columns (at most %d)", path, L->lineno, k, MAX_FIELDS);
  *n_fields = k;
  if (column_of(f, n, k, "joint") != 0)
    return dp_fail("%s:%d: expected a header starting with \"joint\" (joint,frames,mean_mm,median_mm,...)", path,
                   L->lineno);
  for (int c = 0; c < RP_COLS; c++) {
    col[c] = column_of(f, n, k, NAMES[c]);
    if (col[c] < 0 && c <= RP_COL_MEDIAN)
      return dp_fail("%s:%d: the header has no column \"%s\"", path, L->lineno, NAMES[c]);
  }
  return 0;
}

static int read_row(const char *path, const dp_lines *L, const int *col, int n_fields, char *const *names, int J,
                    rp_joint_row *r) {
  const char *f[MAX_FIELDS];
  size_t n[MAX_FIELDS];
  char q[80];
  int k = split_csv(L->ls, L->le, f, n);
  if (k != n_fields)
    return dp_fail("%s:%d: expected %d comma-separated fields (as in the header), got %d", path, L->lineno,
                   n_fields, k);
  memset(r, 0, sizeof *r);
  if (n[0] == 0 || n[0] >= sizeof r->joint) return dp_fail("%s:%d: expected a joint name in the first field", path, L->lineno);
  memcpy(r->joint, f[0], n[0]);
  int known = !strcmp(r->joint, "mean");
  for (int j = 0; !known && j < J; j++) known = !strcmp(r->joint, names[j]);
  if (!known)
    return dp_fail("%s:%d: joint \"%s\" is not a joint of poses.h5 (nor \"mean\")", path, L->lineno,
                   dp_token_quote(f[0], n[0], q, sizeof q));
  for (int c = 0; c < RP_COLS; c++) {
    r->v[c] = NAN;
    snprintf(r->field[c], sizeof r->field[c], "-");
    if (col[c] < 0) continue;
    const char *s = f[col[c]];
    size_t len = n[col[c]];
    int st = dp_parse_number(s, len, &r->v[c]);
    if (st == DP_NUM_BAD || len >= sizeof r->field[c])
      return dp_fail("%s:%d: field %d: expected a number, got \"%s\"", path, L->lineno, col[c] + 1,
                     dp_token_quote(s, len, q, sizeof q));
    if (st == DP_NUM_NONFINITE) r->v[c] = NAN; /* "nan": no frames of that kind */
    memcpy(r->field[c], s, len);
    r->field[c][len] = '\0';
  }
  return 0;
}

int rp_parse_per_joint(const char *path, const char *text, char *const *names, int J, rp_joint_row **rows, int *n) {
  *rows = NULL;
  *n = 0;
  dp_lines L;
  dp_lines_init(&L, text, strlen(text), 1);
  int col[RP_COLS], n_fields = 0, header = 0, rc = 0;
  rp_joint_row *out = dp_calloc((size_t)J + 2, sizeof *out, "per-joint rows");
  if (!out) return -1;
  while (rc == 0 && dp_lines_next(&L)) {
    if (L.le == L.ls) continue; /* blank line */
    if (!header) {
      rc = read_header(path, &L, col, &n_fields);
      header = 1;
      continue;
    }
    if (*n == J + 1) {
      rc = dp_fail("%s:%d: more rows than joints (%d) plus \"mean\"", path, L.lineno, J);
      break;
    }
    rc = read_row(path, &L, col, n_fields, names, J, &out[*n]);
    for (int i = 0; rc == 0 && i < *n; i++)
      if (!strcmp(out[i].joint, out[*n].joint)) rc = dp_fail("%s:%d: joint \"%s\" appears twice", path, L.lineno, out[i].joint);
    if (rc == 0) ++*n;
  }
  if (rc == 0 && *n == 0) rc = dp_fail("%s: expected a header line and one line per joint, found %s", path, header ? "only the header" : "nothing");
  if (rc != 0) {
    free(out);
    *n = 0;
    return -1;
  }
  *rows = out;
  return 0;
}

/* ---- summary.json --------------------------------------------------------------- */

/* The numbers of the top-level keys asked for; any other field, of any kind, is left
 * alone, so fields evaluate adds later do not break the report. A key that is absent,
 * null (evaluate's non-finite values) or not a number reads as NaN. */
int rp_parse_json_numbers(const char *path, const char *text, const char *const *keys, int n, double *values) {
  for (int i = 0; i < n; i++) values[i] = NAN;
  json_object *o;
  DP_TRY(dp_json_parse(path, text, strlen(text), &o));
  for (int i = 0; i < n; i++) {
    json_object *v;
    if (json_object_object_get_ex(o, keys[i], &v) &&
        (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
      values[i] = json_object_get_double(v);
  }
  json_object_put(o);
  return 0;
}

/* ---- loading -------------------------------------------------------------------- */

static int load_results(const char *workdir, rp_data *d) {
  char path[4200], *text = NULL;
  size_t len;
  snprintf(path, sizeof path, "%s/results/per_joint.csv", workdir);
  DP_TRY(dp_slurp(path, &text, &len));
  if (memchr(text, '\0', len)) {
    free(text);
    return dp_fail("%s: not a text file (contains NUL bytes)", path);
  }
  int rc = rp_parse_per_joint(path, text, d->names, d->J, &d->rows, &d->n_rows);
  free(text);
  DP_TRY(rc);
  snprintf(path, sizeof path, "%s/results/summary.json", workdir);
  DP_TRY(dp_slurp(path, &text, &len));
  static const char *const KEYS[3] = {"frames", "mean_joint_error_mm", "mean_box_iou"};
  double v[3];
  rc = memchr(text, '\0', len) ? dp_fail("%s: not a text file (contains NUL bytes)", path)
                               : rp_parse_json_numbers(path, text, KEYS, 3, v);
  free(text);
  DP_TRY(rc);
  d->eval_frames = isfinite(v[0]) ? (long)v[0] : -1;
  d->mean_error_mm = v[1];
  d->box_iou = v[2];
  return 0;
}

int rp_load_text(const char *workdir, rp_data *d) {
  DP_TRY(load_results(workdir, d));
  /* The driver keeps the manifest; if it cannot be read the page says so, the report
   * does not fail over it. */
  d->has_manifest = dp_manifest_load(workdir, &d->manifest) == 0;
  if (!d->has_manifest) dp_error_clear();
  return 0;
}

int rp_load(const char *workdir, const rp_opts *o, rp_data *d) {
  DP_TRY(rp_load_h5(workdir, o, d));
  return rp_load_text(workdir, d);
}

void rp_data_free(rp_data *d) {
  if (d->names) dp_h5_free_strings(d->names, (size_t)d->J);
  free(d->mi);
  free(d->cov_train);
  free(d->cov_synth);
  free(d->depth);
  free(d->joints2d);
  free(d->hist);
  free(d->rows);
  memset(d, 0, sizeof *d);
}
