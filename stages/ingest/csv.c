/* csv.c - joint positions as CSV: header "<joint>_x,<joint>_y,<joint>_z,..." and one
 * row per frame. Plain comma separation without quoting (joint names may not contain
 * commas, quotes or line breaks); blanks around cells and CR LF line ends are
 * accepted; blank lines are ignored. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "depthpose/mocap.h"
#include "mocap_text.h"

typedef struct {
  const char *s;
  size_t n;
} cell;

/* Next comma-separated cell of [*p, end), blanks trimmed. Returns 0 past the end. */
static int next_cell(const char **p, const char *end, int *more, cell *c) {
  if (!*more) return 0;
  const char *s = *p, *comma = memchr(s, ',', (size_t)(end - s));
  const char *e = comma ? comma : end;
  *more = comma != NULL;
  *p = comma ? comma + 1 : end;
  while (s < e && dp_is_space(*s)) s++;
  while (e > s && dp_is_space(e[-1])) e--;
  c->s = s;
  c->n = (size_t)(e - s);
  return 1;
}

static int count_cells(const char *ls, const char *le) {
  int n = 1;
  for (const char *p = ls; p < le; p++) n += *p == ',';
  return n;
}

static int blank(const dp_lines *L) {
  for (const char *p = L->ls; p < L->le; p++)
    if (!dp_is_space(*p)) return 0;
  return 1;
}

/* Column i must read "<name>_x|y|z" with the name of its joint's first column. */
static int header_cell(const char *path, int line, int i, cell c, dp_clip *out) {
  char q[96];
  char axis = "xyz"[i % 3];
  int j = i / 3;
  int ok = c.n >= 3 && c.s[c.n - 2] == '_' && (c.s[c.n - 1] | 0x20) == axis;
  if (ok && i % 3) ok = strlen(out->joint_names[j]) == c.n - 2 &&
                        memcmp(out->joint_names[j], c.s, c.n - 2) == 0;
  if (!ok) {
    if (i % 3)
      return dp_fail("%s:%d: column %d ('%s'): expected '%s_%c' (columns come as "
                     "<joint>_x,<joint>_y,<joint>_z)",
                     path, line, i + 1, dp_token_quote(c.s, c.n, q, sizeof q),
                     out->joint_names[j], axis);
    return dp_fail("%s:%d: column %d ('%s'): expected '<joint>_x' (columns come as "
                   "<joint>_x,<joint>_y,<joint>_z)",
                   path, line, i + 1, dp_token_quote(c.s, c.n, q, sizeof q));
  }
  if (i % 3) return 0;
  char *name = dp_malloc(c.n - 1, "a joint name");
  if (!name) return -1;
  memcpy(name, c.s, c.n - 2);
  name[c.n - 2] = '\0';
  out->joint_names[j] = name;
  for (int k = 0; k < j; k++)
    if (strcmp(out->joint_names[k], name) == 0)
      return dp_fail("%s:%d: column %d: joint '%s' appears twice (first at column %d)", path,
                     line, i + 1, name, 3 * k + 1);
  return 0;
}

static int parse_header(const char *path, const dp_lines *L, dp_clip *out) {
  const char *p = L->ls;
  int more = 1;
  cell c;
  for (int i = 0; next_cell(&p, L->le, &more, &c); i++)
    DP_TRY(header_cell(path, L->lineno, i, c, out));
  return 0;
}

static int parse_row(const char *path, const dp_lines *L, double unit_mm, int up_z,
                     const dp_clip *c, float *dst) {
  char q[64];
  int ncol = 3 * c->n_joints, got = count_cells(L->ls, L->le);
  if (got != ncol)
    return dp_fail("%s:%d: row has %d columns, expected %d (as many as the header)", path,
                   L->lineno, got, ncol);
  const char *p = L->ls;
  int more = 1;
  cell cl;
  double v[3];
  for (int i = 0; next_cell(&p, L->le, &more, &cl); i++) {
    int rc = dp_parse_number(cl.s, cl.n, &v[i % 3]);
    if (rc != DP_NUM_OK)
      return dp_fail("%s:%d: column %d (%s_%c) is %s: '%s'", path, L->lineno, i + 1,
                     c->joint_names[i / 3], "xyz"[i % 3],
                     rc == DP_NUM_NONFINITE ? "NaN or infinite (expected a finite number)"
                                            : "not a number",
                     dp_token_quote(cl.s, cl.n, q, sizeof q));
    if (i % 3 != 2) continue;
    float *o = dst + 3 * (i / 3);
    o[0] = (float)(v[0] * unit_mm);
    o[1] = (float)((up_z ? v[2] : v[1]) * unit_mm);
    o[2] = (float)((up_z ? -v[1] : v[2]) * unit_mm);
  }
  return 0;
}

/* Skip to the header line; count the data rows after it. */
static int scan_layout(const char *path, const char *buf, size_t len, dp_lines *header,
                       int *rows) {
  dp_lines L;
  dp_lines_init(&L, buf, len, 1);
  while (dp_lines_next(&L) && blank(&L)) {
  }
  if (L.lineno == 0 || blank(&L))
    return dp_fail("%s:%d: empty file, expected a header line <joint>_x,<joint>_y,...", path,
                   L.lineno > 0 ? L.lineno : 1);
  *header = L;
  *rows = 0;
  while (dp_lines_next(&L)) *rows += !blank(&L);
  if (*rows == 0)
    return dp_fail("%s:%d: empty clip: no data rows after the header (line %d)", path,
                   L.lineno, header->lineno);
  return 0;
}

static int csv_parse(const char *path, const char *buf, size_t len, double unit_mm, int up_z,
                     dp_clip *out) {
  dp_lines L = {0};
  int rows;
  DP_TRY(scan_layout(path, buf, len, &L, &rows));
  int ncol = count_cells(L.ls, L.le);
  if (ncol % 3)
    return dp_fail("%s:%d: header has %d columns, expected a multiple of 3 "
                   "(<joint>_x,<joint>_y,<joint>_z per joint)",
                   path, L.lineno, ncol);
  DP_TRY(dp_clip_alloc(out, ncol / 3, rows, 0));
  DP_TRY(parse_header(path, &L, out));
  int row = 0;
  while (dp_lines_next(&L)) {
    if (blank(&L)) continue;
    DP_TRY(parse_row(path, &L, unit_mm, up_z, out,
                     out->pos + (size_t)row * (size_t)out->n_joints * 3));
    row++;
  }
  return 0;
}

int dp_csv_read(const char *path, double unit_mm, char up_axis, dp_clip *out) {
  memset(out, 0, sizeof *out);
  if (!(unit_mm > 0) || !isfinite(unit_mm))
    return dp_fail("%s: unit_mm must be a positive number of millimetres per CSV unit, got %g",
                   path, unit_mm);
  int up_z = up_axis == 'z' || up_axis == 'Z';
  if (!up_z && up_axis != 'y' && up_axis != 'Y')
    return dp_fail("%s: up axis must be 'y' or 'z', got '%c'", path, up_axis);
  char *buf;
  size_t len;
  DP_TRY(dp_slurp(path, &buf, &len));
  int rc = csv_parse(path, buf, len, unit_mm, up_z, out);
  free(buf);
  if (rc) dp_clip_free(out);
  return rc;
}

/* ---- writing ------------------------------------------------------------------- */

static int check_writable(const char *path, const dp_clip *c) {
  if (!c || c->n_joints <= 0 || c->n_frames <= 0 || !c->pos || !c->joint_names)
    return dp_fail("%s: nothing to write (empty clip)", path);
  for (int j = 0; j < c->n_joints; j++) {
    const char *n = c->joint_names[j];
    if (!n || !*n || strpbrk(n, ",\"\r\n"))
      return dp_fail("%s: joint %d name '%s' cannot be a CSV column (empty, or has a comma, "
                     "quote or line break)",
                     path, j, n ? n : "(null)");
  }
  size_t nv = (size_t)c->n_frames * (size_t)c->n_joints * 3;
  for (size_t i = 0; i < nv; i++)
    if (!isfinite(c->pos[i]))
      return dp_fail("%s: frame %zu joint '%s' is NaN or infinite; refusing to write it", path,
                     i / 3 / (size_t)c->n_joints, c->joint_names[i / 3 % (size_t)c->n_joints]);
  return 0;
}

static void write_rows(FILE *f, const dp_clip *c) {
  for (int j = 0; j < c->n_joints; j++) {
    const char *n = c->joint_names[j];
    fprintf(f, "%s%s_x,%s_y,%s_z", j ? "," : "", n, n, n);
  }
  fputc('\n', f);
  for (int t = 0; t < c->n_frames; t++) {
    const float *p = c->pos + (size_t)t * (size_t)c->n_joints * 3;
    for (int i = 0; i < 3 * c->n_joints; i++) fprintf(f, "%s%.6f", i ? "," : "", (double)p[i]);
    fputc('\n', f);
  }
}

int dp_csv_write(const char *path, const dp_clip *c) {
  DP_TRY(check_writable(path, c));
  FILE *f = fopen(path, "w");
  if (!f) return dp_fail("%s: cannot create: %s", path, strerror(errno));
  write_rows(f, c);
  int bad = ferror(f);
  if (fclose(f) != 0) bad = 1;
  if (bad) {
    remove(path); /* no half-written file survives */
    return dp_fail("%s: write failed (disk full?)", path);
  }
  return 0;
}
