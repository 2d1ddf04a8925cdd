/* mh_target.c - MakeHuman morph targets (README ".target files"): '#' comment lines,
 * then one "index dx dy dz" line per moved vertex (0-based base.obj index, decimetres).
 * Blank lines are skipped; any other line is an error naming file, line and what was
 * expected (MakeHuman skips lines without four fields; none of the shipped files has
 * one, and a damaged line would otherwise change the body silently). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../ingest/mocap_text.h"
#include "depthpose/error.h"
#include "mh_internal.h"

/* The shipped macro targets (README "Files included"): race-gender, universal
 * gender-muscle-weight, and their height variants; age level `young` only. */
int mh_target_paths(char paths[][96], int max) {
  static const char *const RACE[3] = {"african", "asian", "caucasian"};
  static const char *const GENDER[2] = {"female", "male"};
  static const char *const MUSCLE[3] = {"minmuscle", "averagemuscle", "maxmuscle"};
  static const char *const WEIGHT[3] = {"minweight", "averageweight", "maxweight"};
  static const char *const HEIGHT[2] = {"minheight", "maxheight"};
  int n = 0;
  for (int r = 0; r < 3; r++)
    for (int g = 0; g < 2; g++)
      if (n < max) snprintf(paths[n++], 96, "macrodetails/%s-%s-young.target", RACE[r], GENDER[g]);
  for (int g = 0; g < 2; g++)
    for (int mu = 0; mu < 3; mu++)
      for (int w = 0; w < 3; w++) {
        if (n < max)
          snprintf(paths[n++], 96, "macrodetails/universal-%s-young-%s-%s.target", GENDER[g],
                   MUSCLE[mu], WEIGHT[w]);
        for (int h = 0; h < 2; h++)
          if (n < max)
            snprintf(paths[n++], 96, "macrodetails/height/%s-young-%s-%s-%s.target", GENDER[g],
                     MUSCLE[mu], WEIGHT[w], HEIGHT[h]);
      }
  return n;
}

static int parse_line(dp_mh_target *t, const char *path, int line, const char *p,
                      const char *end, int n_vert) {
  const char *tok[5];
  size_t len[5];
  int n = 0;
  while (n < 5 && dp_tok(&p, end, &tok[n], &len[n])) n++;
  if (n != 4)
    return dp_fail("%s:%d: expected 'index dx dy dz' (4 fields), got %s%d", path, line,
                   n == 5 ? "more than " : "", n == 5 ? 4 : n);
  double x[4];
  char q[64];
  for (int k = 0; k < 4; k++)
    if (dp_parse_number(tok[k], len[k], &x[k]) != DP_NUM_OK)
      return dp_fail("%s:%d: field %d '%s' is not a finite number", path, line, k + 1,
                     dp_token_quote(tok[k], len[k], q, sizeof q));
  if (x[0] != (double)(long)x[0] || x[0] < 0 || x[0] >= n_vert)
    return dp_fail("%s:%d: vertex index %s is out of range, expected an integer in 0..%d "
                   "(base.obj has %d vertices)", path, line,
                   dp_token_quote(tok[0], len[0], q, sizeof q), n_vert - 1, n_vert);
  DP_TRY(dp_grow((void **)&t->delta, &t->cap, t->n + 1, sizeof *t->delta, "target lines"));
  dp_mh_delta *e = &t->delta[t->n++];
  e->v = (int32_t)x[0];
  for (int k = 0; k < 3; k++) e->d[k] = (float)x[k + 1];
  return 0;
}

int mh_target_load(dp_mh_target *t, const char *path, int n_vert) {
  memset(t, 0, sizeof *t);
  char *buf;
  size_t len;
  DP_TRY(dp_slurp(path, &buf, &len));
  dp_lines L;
  dp_lines_init(&L, buf, len, 1);
  int rc = 0;
  while (rc == 0 && dp_lines_next(&L)) {
    const char *p = L.ls;
    while (p < L.le && dp_is_space(*p)) p++;
    if (p == L.le || *p == '#') continue;
    rc = parse_line(t, path, L.lineno, p, L.le, n_vert);
  }
  free(buf);
  if (rc) {
    mh_target_free(t);
    return rc;
  }
  dp_mh_delta *fit = realloc(t->delta, sizeof *t->delta * (size_t)(t->n ? t->n : 1));
  if (fit) t->delta = fit, t->cap = t->n; /* held until every shape is built: no slack */
  return 0;
}

void mh_target_free(dp_mh_target *t) {
  free(t->path);
  free(t->delta);
  memset(t, 0, sizeof *t);
}
