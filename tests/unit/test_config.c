/* test_config.c - the YAML run configuration: typed getters with defaults and located
 * errors ("x.yaml:LINE:COL: path: what was expected, got what"), unknown keys, malformed
 * YAML, duplicates, aliases, quoting, content hashing, and a missing file.
 *
 * Every location asserted here was counted by hand from the literal text in the test
 * (lines and columns are 1-based). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "depthpose/config.h"
#include "depthpose/error.h"
#include "dp_test.h"

/* Parse `text` as "x.yaml"; fatal on failure (the text is meant to be valid). */
static dp_config *parse(const char *text) {
  dp_config *c = NULL;
  dp_error_clear();
  int rc = dp_config_parse("x.yaml", text, strlen(text), &c);
  if (rc != 0) printf("\n  unexpected parse failure: %s\n", dp_error_message());
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c);
  return c;
}

/* The text must fail to parse; returns 1 when it did, with *out left NULL. */
static int parse_fails(const char *text) {
  dp_config *c = (dp_config *)1;
  dp_error_clear();
  int rc = dp_config_parse("x.yaml", text, strlen(text), &c);
  CU_ASSERT_PTR_NULL(c);
  if (rc == 0) dp_config_free(c);
  return rc == -1;
}

static int has(const char *needle) {
  const char *msg = dp_error_message();
  if (strstr(msg, needle)) return 1;
  printf("\n  message \"%s\"\n  lacks   \"%s\"\n", msg, needle);
  return 0;
}

static int starts(const char *prefix) {
  const char *msg = dp_error_message();
  if (strncmp(msg, prefix, strlen(prefix)) == 0) return 1;
  printf("\n  message \"%s\"\n  does not start with \"%s\"\n", msg, prefix);
  return 0;
}

static const dp_node *section(const dp_config *c, const char *a, const char *b) {
  const dp_node *s = NULL;
  CU_ASSERT_EQUAL_FATAL(dp_cfg_section(dp_config_root(c), a, &s), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  if (!b) return s;
  const dp_node *t = NULL;
  CU_ASSERT_EQUAL_FATAL(dp_cfg_section(s, b, &t), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  return t;
}

/* ---- typed getters: present values --------------------------------------------- */

static const char *VALUES =
    "run:\n"                      /* 1 */
    "  seed: 7\n"                 /* 2 */
    "  name: quick run\n"         /* 3 */
    "stages:\n"                   /* 4 */
    "  sample:\n"                 /* 5 */
    "    count: 12\n"             /* 6 */
    "    negative: -3\n"          /* 7 */
    "    scale: 2.5\n"            /* 8 */
    "    tiny: 1e-3\n"            /* 9 */
    "    whole: 4\n"              /* 10 */
    "    canonical: yes\n"        /* 11 */
    "    root_kde: Off\n"         /* 12 */
    "    flag: TRUE\n"            /* 13 */
    "    method: gmm\n";          /* 14 */

static void test_getters_read_present_values(void) {
  dp_config *c = parse(VALUES);
  const dp_node *run = section(c, "run", NULL), *s = section(c, "stages", "sample");
  long v = 0;
  double d = 0;
  int b = -1, e = -1;
  const char *str = NULL;
  CU_ASSERT_EQUAL(dp_cfg_int(run, "seed", 1, 0, LONG_MAX, &v), 0);
  CU_ASSERT_EQUAL(v, 7);
  CU_ASSERT_EQUAL(dp_cfg_string(run, "name", "x", &str), 0);
  CU_ASSERT_STRING_EQUAL(str, "quick run");
  CU_ASSERT_EQUAL(dp_cfg_int(s, "count", 1, 1, LONG_MAX, &v), 0);
  CU_ASSERT_EQUAL(v, 12);
  CU_ASSERT_EQUAL(dp_cfg_int(s, "negative", 0, -10, 10, &v), 0);
  CU_ASSERT_EQUAL(v, -3);
  CU_ASSERT_EQUAL(dp_cfg_double(s, "scale", 1, 0, 100, &d), 0);
  CU_ASSERT_EQUAL(d, 2.5);
  CU_ASSERT_EQUAL(dp_cfg_double(s, "tiny", 1, 0, 100, &d), 0);
  CU_ASSERT_EQUAL(d, 1e-3);
  CU_ASSERT_EQUAL(dp_cfg_double(s, "whole", 1, 0, 100, &d), 0); /* an integer is a number */
  CU_ASSERT_EQUAL(d, 4.0);
  CU_ASSERT_EQUAL(dp_cfg_bool(s, "canonical", 0, &b), 0);
  CU_ASSERT_EQUAL(b, 1);
  CU_ASSERT_EQUAL(dp_cfg_bool(s, "root_kde", 1, &b), 0);
  CU_ASSERT_EQUAL(b, 0);
  CU_ASSERT_EQUAL(dp_cfg_bool(s, "flag", 0, &b), 0);
  CU_ASSERT_EQUAL(b, 1);
  static const char *const methods[] = {"kde", "gmm", "uniform", NULL};
  CU_ASSERT_EQUAL(dp_cfg_enum(s, "method", methods, 0, &e), 0);
  CU_ASSERT_EQUAL(e, 1);
  CU_ASSERT_FALSE(dp_error_pending());
  /* Everything was read: no unknown key. */
  CU_ASSERT_EQUAL(dp_config_check_unused(c), 0);
  CU_ASSERT_STRING_EQUAL(dp_config_path(c), "x.yaml");
  dp_config_free(c);
}

static void test_node_locations_and_paths(void) {
  dp_config *c = parse(VALUES);
  const dp_node *s = section(c, "stages", "sample");
  const dp_node *n = dp_cfg_get(s, "scale");
  CU_ASSERT_PTR_NOT_NULL_FATAL(n);
  CU_ASSERT_EQUAL(dp_node_type(n), DP_NODE_SCALAR);
  CU_ASSERT_STRING_EQUAL(dp_node_path(n), "stages.sample.scale");
  CU_ASSERT_EQUAL(dp_node_line(n), 8);
  CU_ASSERT_EQUAL(dp_node_col(n), 12); /* "    scale: 2.5": the value starts at column 12 */
  CU_ASSERT_STRING_EQUAL(dp_node_scalar(n), "2.5");
  CU_ASSERT_EQUAL(dp_node_type(s), DP_NODE_MAP);
  CU_ASSERT_EQUAL(dp_node_len(s), 9);
  CU_ASSERT_STRING_EQUAL(dp_node_key_at(s, 0), "count");
  CU_ASSERT_STRING_EQUAL(dp_node_key_at(s, 8), "method");
  CU_ASSERT_PTR_NULL(dp_node_key_at(s, 9));
  CU_ASSERT_PTR_NULL(dp_node_at(s, 9));
  CU_ASSERT_STRING_EQUAL(dp_node_scalar(dp_node_at(s, 1)), "-3");
  CU_ASSERT_PTR_NULL(dp_node_scalar(s));
  CU_ASSERT_STRING_EQUAL(dp_node_path(dp_config_root(c)), "(top level)");
  dp_config_free(c);

  c = parse("xs: [a, b, c]\n");
  const dp_node *xs = dp_cfg_get(dp_config_root(c), "xs");
  CU_ASSERT_EQUAL(dp_node_type(xs), DP_NODE_SEQ);
  CU_ASSERT_EQUAL(dp_node_len(xs), 3);
  CU_ASSERT_STRING_EQUAL(dp_node_path(dp_node_at(xs, 2)), "xs[2]");
  CU_ASSERT_EQUAL(dp_node_col(dp_node_at(xs, 2)), 12);
  CU_ASSERT_PTR_NULL(dp_node_key_at(xs, 0));
  dp_config_free(c);
}

/* ---- defaults ------------------------------------------------------------------ */

static void test_absent_keys_give_defaults(void) {
  dp_config *c = parse("run:\n  seed: 7\nstages:\n  empty:\n");
  const dp_node *root = dp_config_root(c), *run = section(c, "run", NULL);
  long v = 0;
  CU_ASSERT_EQUAL(dp_cfg_int(run, "seed", 0, 0, 10, &v), 0);
  double d = 0;
  int b = -1, e = -1;
  const char *s = NULL;
  CU_ASSERT_EQUAL(dp_cfg_int(run, "count", 1000, 1, LONG_MAX, &v), 0);
  CU_ASSERT_EQUAL(v, 1000);
  CU_ASSERT_EQUAL(dp_cfg_double(run, "scale", 0.25, 0, 1, &d), 0);
  CU_ASSERT_EQUAL(d, 0.25);
  CU_ASSERT_EQUAL(dp_cfg_bool(run, "flag", 1, &b), 0);
  CU_ASSERT_EQUAL(b, 1);
  CU_ASSERT_EQUAL(dp_cfg_string(run, "name", "dflt", &s), 0);
  CU_ASSERT_STRING_EQUAL(s, "dflt");
  static const char *const ch[] = {"a", "b", NULL};
  CU_ASSERT_EQUAL(dp_cfg_enum(run, "mode", ch, 1, &e), 0);
  CU_ASSERT_EQUAL(e, 1);

  /* An absent section and an empty "key:" section are both NULL; getters on NULL give
   * their defaults. */
  const dp_node *sec = (const dp_node *)1;
  CU_ASSERT_EQUAL(dp_cfg_section(root, "missing", &sec), 0);
  CU_ASSERT_PTR_NULL(sec);
  const dp_node *stages = section(c, "stages", NULL);
  sec = (const dp_node *)1;
  CU_ASSERT_EQUAL(dp_cfg_section(stages, "empty", &sec), 0);
  CU_ASSERT_PTR_NULL(sec);
  CU_ASSERT_EQUAL(dp_cfg_int(NULL, "count", 5, 1, 10, &v), 0);
  CU_ASSERT_EQUAL(v, 5);
  CU_ASSERT_PTR_NULL(dp_cfg_get(NULL, "x"));
  CU_ASSERT_FALSE(dp_error_pending());
  CU_ASSERT_EQUAL(dp_config_check_unused(c), 0);
  dp_config_free(c);
}

/* ---- wrong types: -1 and a located message ------------------------------------ */

static const char *BAD =
    "run:\n"                  /* 1 */
    "  seed: 7\n"             /* 2 */
    "stages:\n"               /* 3 */
    "  sample:\n"             /* 4 */
    "    count: abc\n"        /* 5 */
    "    frac: 12.5\n"        /* 6 */
    "    hexa: 0x10\n"        /* 7 */
    "    big: 99999999999999999999\n" /* 8 */
    "    range: 11\n"         /* 9 */
    "    zero: 0\n"           /* 10 */
    "    list: [1, 2]\n"      /* 11 */
    "    map:\n"              /* 12 */
    "      a: 1\n"            /* 13 */
    "    huge: 1e999\n"       /* 14 */
    "    nan: nan\n"          /* 15 */
    "    word: fast\n"        /* 16 */
    "    maybe: maybe\n"      /* 17 */
    "    method: gm\n"        /* 18 */
    "    neg: -1\n";          /* 19 */

static void test_wrong_int_reports_file_line_col(void) {
  dp_config *c = parse(BAD);
  const dp_node *s = section(c, "stages", "sample");
  long v = 77;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_int(s, "count", 1000, 1, LONG_MAX, &v), -1);
  CU_ASSERT_STRING_EQUAL(dp_error_message(),
                         "x.yaml:5:12: stages.sample.count: expected a positive integer, got \"abc\"");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_int(s, "frac", 1, 1, LONG_MAX, &v), -1);
  CU_ASSERT(starts("x.yaml:6:11: stages.sample.frac: expected a positive integer, got \"12.5\""));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_int(s, "hexa", 1, 1, LONG_MAX, &v), -1);
  CU_ASSERT(starts("x.yaml:7:11: stages.sample.hexa:"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_int(s, "big", 1, 1, LONG_MAX, &v), -1); /* overflows a long */
  CU_ASSERT(starts("x.yaml:8:10: stages.sample.big:"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_int(s, "range", 1, 1, 10, &v), -1);
  CU_ASSERT_STRING_EQUAL(dp_error_message(),
                         "x.yaml:9:12: stages.sample.range: expected an integer in [1, 10], got \"11\"");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_int(s, "zero", 1, 1, LONG_MAX, &v), -1); /* 0 is not positive */
  CU_ASSERT(has("expected a positive integer, got \"0\""));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_int(s, "neg", 0, 0, LONG_MAX, &v), -1);
  CU_ASSERT(has("stages.sample.neg: expected a non-negative integer, got \"-1\""));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_int(s, "zero", 1, 0, LONG_MAX, &v), 0); /* ... but is non-negative */
  CU_ASSERT_EQUAL(v, 0);
  CU_ASSERT_EQUAL(dp_cfg_int(s, "range", 1, 1, 11, &v), 0);      /* bounds are inclusive */
  CU_ASSERT_EQUAL(v, 11);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_int(s, "list", 1, 1, LONG_MAX, &v), -1);
  CU_ASSERT(starts("x.yaml:11:11: stages.sample.list: expected a positive integer, got a list"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_int(s, "map", 1, 1, LONG_MAX, &v), -1);
  CU_ASSERT(has("stages.sample.map: expected a positive integer, got a mapping"));
  CU_ASSERT(starts("x.yaml:13:"));
  dp_error_clear();
  dp_config_free(c);
}

static void test_wrong_double_bool_enum_string(void) {
  dp_config *c = parse(BAD);
  const dp_node *s = section(c, "stages", "sample");
  double d;
  int b, e;
  const char *str;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_double(s, "word", 1, 0, 10, &d), -1);
  CU_ASSERT_STRING_EQUAL(dp_error_message(),
                         "x.yaml:16:11: stages.sample.word: expected a number in [0, 10], got \"fast\"");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_double(s, "huge", 1, 0, INFINITY, &d), -1); /* out of double range */
  CU_ASSERT(starts("x.yaml:14:11: stages.sample.huge:"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_double(s, "nan", 1, -INFINITY, INFINITY, &d), -1);
  CU_ASSERT(starts("x.yaml:15:10: stages.sample.nan:"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_double(s, "frac", 1, 0, 12, &d), -1); /* above max */
  CU_ASSERT(has("stages.sample.frac: expected a number in [0, 12], got \"12.5\""));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_double(s, "frac", 1, 0, 12.5, &d), 0);
  CU_ASSERT_EQUAL(d, 12.5);

  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_bool(s, "maybe", 0, &b), -1);
  CU_ASSERT_STRING_EQUAL(dp_error_message(),
                         "x.yaml:17:12: stages.sample.maybe: expected true or false, got \"maybe\"");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_bool(s, "zero", 0, &b), -1); /* 0/1 are numbers, not booleans */
  CU_ASSERT(has("got \"0\""));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_bool(s, "list", 0, &b), -1);
  CU_ASSERT(has("stages.sample.list: expected true or false, got a list"));

  static const char *const methods[] = {"kde", "gmm", "uniform", NULL};
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_enum(s, "method", methods, 0, &e), -1);
  CU_ASSERT_STRING_EQUAL(dp_error_message(),
                         "x.yaml:18:13: stages.sample.method: expected one of kde, gmm, uniform, got \"gm\"");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_enum(s, "map", methods, 0, &e), -1);
  CU_ASSERT(has("expected one of kde, gmm, uniform"));

  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_string(s, "map", "d", &str), -1);
  CU_ASSERT(has("stages.sample.map: expected a string, got a mapping"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_string(s, "count", "d", &str), 0); /* any scalar is a string */
  CU_ASSERT_STRING_EQUAL(str, "abc");
  dp_error_clear();
  dp_config_free(c);
}

static void test_section_that_is_not_a_mapping(void) {
  dp_config *c = parse("stages:\n  sample: 5\n  render: [a]\n");
  const dp_node *st = section(c, "stages", NULL), *s = NULL;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_section(st, "sample", &s), -1);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT(starts("x.yaml:2:11: stages.sample: expected a mapping"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_section(st, "render", &s), -1);
  CU_ASSERT(starts("x.yaml:3:11: stages.render: expected a mapping"));
  dp_error_clear();
  dp_config_free(c);
}

static void test_quoted_scalars_are_strings(void) {
  dp_config *c = parse("a: \"12\"\nb: '2.5'\nc: \"true\"\nd: 12\ne: \"\"\n");
  const dp_node *r = dp_config_root(c);
  long v;
  double d;
  int b;
  const char *s;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_int(r, "a", 1, 1, LONG_MAX, &v), -1);
  CU_ASSERT_STRING_EQUAL(dp_error_message(), "x.yaml:1:4: a: expected a positive integer, got \"12\"");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_double(r, "b", 1, 0, 10, &d), -1);
  CU_ASSERT(starts("x.yaml:2:4: b: expected a number"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_bool(r, "c", 0, &b), -1);
  CU_ASSERT(starts("x.yaml:3:4: c: expected true or false, got \"true\""));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_string(r, "a", NULL, &s), 0);
  CU_ASSERT_STRING_EQUAL(s, "12");
  CU_ASSERT_EQUAL(dp_cfg_int(r, "d", 1, 1, LONG_MAX, &v), 0); /* the unquoted one is an int */
  CU_ASSERT_EQUAL(v, 12);
  CU_ASSERT_EQUAL(dp_cfg_string(r, "e", "dflt", &s), 0); /* "" is a present, empty string */
  CU_ASSERT_STRING_EQUAL(s, "");
  /* A quoted empty value is not an empty section. */
  const dp_node *sec;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_section(r, "e", &sec), -1);
  dp_error_clear();
  dp_config_free(c);
}

/* ---- unknown keys ---------------------------------------------------------------- */

static void test_unknown_key_is_named_with_its_line(void) {
  dp_config *c = parse(
      "run:\n"              /* 1 */
      "  seed: 7\n"         /* 2 */
      "stages:\n"           /* 3 */
      "  sample:\n"         /* 4 */
      "    count: 10\n"     /* 5 */
      "    cuont: 11\n");   /* 6: a typo */
  const dp_node *run = section(c, "run", NULL), *s = section(c, "stages", "sample");
  long v;
  CU_ASSERT_EQUAL(dp_cfg_int(run, "seed", 0, 0, LONG_MAX, &v), 0);
  CU_ASSERT_EQUAL(dp_cfg_int(s, "count", 0, 0, LONG_MAX, &v), 0);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_config_check_unused(c), -1);
  /* Located at the key itself ("    cuont: 11": column 5). */
  CU_ASSERT(starts("x.yaml:6:5: stages.sample.cuont: unknown key \"cuont\""));
  /* Reading it (as a stage that knows the key would) makes the config clean. */
  dp_error_clear();
  CU_ASSERT_PTR_NOT_NULL(dp_cfg_get(s, "cuont"));
  CU_ASSERT_EQUAL(dp_config_check_unused(c), 0);
  dp_config_free(c);

  /* A whole section nobody reads is reported by its key. */
  c = parse("run:\n  seed: 7\nstagse:\n  x: 1\n");
  CU_ASSERT_EQUAL(dp_cfg_int(section(c, "run", NULL), "seed", 0, 0, LONG_MAX, &v), 0);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_config_check_unused(c), -1);
  CU_ASSERT(has("stagse: unknown key \"stagse\""));
  dp_error_clear();
  dp_config_free(c);

  /* A list the stage did not walk: its items are unexpected. */
  c = parse("xs: [1, 2]\n");
  CU_ASSERT_PTR_NOT_NULL(dp_cfg_get(dp_config_root(c), "xs"));
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_config_check_unused(c), -1);
  CU_ASSERT(starts("x.yaml:1:6: xs[0]: unexpected item"));
  dp_error_clear();
  dp_node_mark_used(dp_cfg_get(dp_config_root(c), "xs"));
  CU_ASSERT_EQUAL(dp_config_check_unused(c), 0);
  dp_config_free(c);
}

/* A key whose value is a block mapping: the message must give the line of the key the
 * user mistyped (line 3 here), not the line where its mapping's first entry starts. */
static void test_unknown_section_key_reports_the_key_line(void) {
  dp_config *c = parse("run:\n  seed: 7\nstagse:\n  x: 1\n");
  long v;
  CU_ASSERT_EQUAL(dp_cfg_int(section(c, "run", NULL), "seed", 0, 0, LONG_MAX, &v), 0);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_config_check_unused(c), -1);
  CU_ASSERT(starts("x.yaml:3:1: stagse: unknown key \"stagse\""));
  dp_error_clear();
  dp_config_free(c);
}

/* ---- malformed YAML ---------------------------------------------------------------- */

static void test_malformed_yaml_names_file_and_line(void) {
  /* An unclosed flow sequence: libyaml notices at the end of the text. */
  CU_ASSERT(parse_fails("run:\n  seed: 1\na: [1, 2\n"));
  CU_ASSERT(starts("x.yaml:"));
  CU_ASSERT(has("malformed YAML"));
  int line = 0, col = 0;
  CU_ASSERT_EQUAL(sscanf(dp_error_message(), "x.yaml:%d:%d:", &line, &col), 2);
  CU_ASSERT(line >= 3 && line <= 4);

  /* Bad indentation: "c" is indented less than its sibling "b" but more than "a". */
  CU_ASSERT(parse_fails("a:\n  b: 1\n c: 2\n"));
  CU_ASSERT(has("malformed YAML"));
  CU_ASSERT(starts("x.yaml:3:"));

  /* A tab where indentation is expected. */
  CU_ASSERT(parse_fails("a:\n\tb: 1\n"));
  CU_ASSERT(starts("x.yaml:2:"));

  /* A value then a nested mapping on the same key. */
  CU_ASSERT(parse_fails("a: 1\n  b: 2\n"));
  CU_ASSERT(starts("x.yaml:2:"));
  dp_error_clear();
}

static void test_structural_errors(void) {
  CU_ASSERT(parse_fails(""));
  CU_ASSERT(starts("x.yaml:1:1: the config is empty"));
  CU_ASSERT(parse_fails("# only a comment\n"));
  CU_ASSERT(has("empty"));
  /* (Whether the top level must be a mapping is the driver's check, not the parser's.) */
  CU_ASSERT(parse_fails("a: 1\n---\nb: 2\n"));
  CU_ASSERT(starts("x.yaml:2:1: only one YAML document"));
  CU_ASSERT(parse_fails("? [a, b]\n: 1\n")); /* a non-scalar key */
  CU_ASSERT(has("a mapping key must be a plain word"));
  dp_error_clear();
}

/* A message about the top-level mapping names it as such (dp_node_path's "(top level)"),
 * never an empty path that leaves "x.yaml:1:3: : ...". */
static void test_top_level_key_error_names_top_level(void) {
  CU_ASSERT(parse_fails("? [a, b]\n: 1\n"));
  CU_ASSERT(starts("x.yaml:1:3: (top level): a mapping key must be a plain word"));
  dp_error_clear();
}

static void test_duplicate_key(void) {
  CU_ASSERT(parse_fails("a: 1\nb: 2\na: 3\n"));
  CU_ASSERT_STRING_EQUAL(dp_error_message(), "x.yaml:3:1: a: duplicate key (first given on line 1)");
  CU_ASSERT(parse_fails("s:\n  x: 1\n  y: 2\n  x: 3\n"));
  CU_ASSERT_STRING_EQUAL(dp_error_message(), "x.yaml:4:3: s.x: duplicate key (first given on line 2)");
  /* The same key in different mappings is fine. */
  dp_config *c = parse("s:\n  x: 1\nt:\n  x: 2\n");
  dp_config_free(c);
  dp_error_clear();
}

/* The first occurrence of a duplicated key whose value is a block mapping is on line 1;
 * "first given on line N" must point at that key, not at its value's first line. */
static void test_duplicate_section_key_names_first_key_line(void) {
  CU_ASSERT(parse_fails("s:\n  x: 1\ns:\n  y: 2\n"));
  CU_ASSERT(starts("x.yaml:3:1: s: duplicate key"));
  CU_ASSERT(has("(first given on line 1)"));
  dp_error_clear();
}

static void test_aliases_rejected(void) {
  CU_ASSERT(parse_fails("a: &x 1\nb: *x\n"));
  CU_ASSERT(starts("x.yaml:2:4: b: YAML aliases"));
  CU_ASSERT(has("not supported"));
  CU_ASSERT(parse_fails("base: &b\n  k: 1\nother:\n  - *b\n"));
  CU_ASSERT(starts("x.yaml:4:5: other[0]: YAML aliases"));
  /* An anchor alone is harmless. */
  dp_config *c = parse("a: &x 1\n");
  long v;
  CU_ASSERT_EQUAL(dp_cfg_int(dp_config_root(c), "a", 0, 0, 10, &v), 0);
  CU_ASSERT_EQUAL(v, 1);
  dp_config_free(c);
  dp_error_clear();
}

/* ---- lists of names ------------------------------------------------------------------ */

static void test_strings_scalar_and_list(void) {
  dp_config *c = parse("one: head\nmany: [a, b, \"c d\"]\nblock:\n  - x\n  - y\nmap:\n  k: v\n"
                       "nested: [a, [b]]\n");
  const dp_node *r = dp_config_root(c);
  const char **v = NULL;
  size_t n = 99;
  CU_ASSERT_EQUAL(dp_cfg_strings(dp_cfg_get(r, "one"), &v, &n), 0);
  CU_ASSERT_EQUAL_FATAL(n, 1);
  CU_ASSERT_STRING_EQUAL(v[0], "head");
  free(v);
  CU_ASSERT_EQUAL(dp_cfg_strings(dp_cfg_get(r, "many"), &v, &n), 0);
  CU_ASSERT_EQUAL_FATAL(n, 3);
  CU_ASSERT_STRING_EQUAL(v[0], "a");
  CU_ASSERT_STRING_EQUAL(v[1], "b");
  CU_ASSERT_STRING_EQUAL(v[2], "c d");
  free(v);
  CU_ASSERT_EQUAL(dp_cfg_strings(dp_cfg_get(r, "block"), &v, &n), 0);
  CU_ASSERT_EQUAL_FATAL(n, 2);
  CU_ASSERT_STRING_EQUAL(v[0], "x");
  CU_ASSERT_STRING_EQUAL(v[1], "y");
  free(v);
  v = (const char **)1;
  CU_ASSERT_EQUAL(dp_cfg_strings(dp_cfg_get(r, "absent"), &v, &n), 0);
  CU_ASSERT_EQUAL(n, 0);
  CU_ASSERT_PTR_NULL(v);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_strings(dp_cfg_get(r, "map"), &v, &n), -1);
  CU_ASSERT(starts("x.yaml:7:3: map: expected a name or a list of names, got a mapping"));
  CU_ASSERT_EQUAL(n, 0);
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_cfg_strings(dp_cfg_get(r, "nested"), &v, &n), -1);
  CU_ASSERT(starts("x.yaml:8:13: nested[1]: expected a name, got a nested list"));
  CU_ASSERT_EQUAL(n, 0);
  dp_error_clear();
  /* dp_cfg_strings marks the list items used: the whole config is now read. */
  CU_ASSERT_EQUAL(dp_config_check_unused(c), 0);
  dp_config_free(c);
}

/* ---- content hash ---------------------------------------------------------------------- */

static uint64_t hash_of(const char *text, const char *sec) {
  dp_config *c = parse(text);
  const dp_node *n = dp_config_root(c);
  if (sec) n = dp_cfg_get(n, sec);
  CU_ASSERT_PTR_NOT_NULL(n);
  uint64_t h = dp_node_hash(n);
  dp_config_free(c);
  return h;
}

static void test_hash_ignores_layout_and_comments(void) {
  const char *a = "s:\n  count: 10\n  names: [x, y]\n  sub: {p: 1, q: 2.5}\n";
  const char *b =
      "# a comment\n"
      "s:   # another\n"
      "    count:    10\n"
      "    names:\n"
      "      - x   # item\n"
      "      - y\n"
      "    sub:\n"
      "      p: 1\n"
      "      q: 2.5\n"
      "\n";
  CU_ASSERT_EQUAL(hash_of(a, NULL), hash_of(b, NULL));
  CU_ASSERT_EQUAL(hash_of(a, "s"), hash_of(b, "s"));
  /* A changed value, key, list item or structure changes it. */
  CU_ASSERT_NOT_EQUAL(hash_of(a, "s"), hash_of("s:\n  count: 11\n  names: [x, y]\n  sub: {p: 1, q: 2.5}\n", "s"));
  CU_ASSERT_NOT_EQUAL(hash_of(a, "s"), hash_of("s:\n  count: 10\n  names: [x, z]\n  sub: {p: 1, q: 2.5}\n", "s"));
  CU_ASSERT_NOT_EQUAL(hash_of(a, "s"), hash_of("s:\n  count: 10\n  names: [x, y]\n  sub: {p: 1, r: 2.5}\n", "s"));
  CU_ASSERT_NOT_EQUAL(hash_of(a, "s"), hash_of("s:\n  count: 10\n  names: [x, y, y]\n  sub: {p: 1, q: 2.5}\n", "s"));
  CU_ASSERT_NOT_EQUAL(hash_of(a, "s"), hash_of("s:\n  count: 10\n  names: [xy]\n  sub: {p: 1, q: 2.5}\n", "s"));
  CU_ASSERT_NOT_EQUAL(hash_of(a, "s"), hash_of("s:\n  count: 10\n  names: [x, [y]]\n  sub: {p: 1, q: 2.5}\n", "s"));
  CU_ASSERT_NOT_EQUAL(hash_of(a, "s"), hash_of("s:\n  count: 10\n  names: [x, y]\n  sub: {p: 1, q: 2.5}\n  extra: 0\n", "s"));
  /* Key/value boundaries matter: {ab: c} is not {a: bc}. */
  CU_ASSERT_NOT_EQUAL(hash_of("ab: c\n", NULL), hash_of("a: bc\n", NULL));
  /* A sequence of one scalar is not that scalar. */
  CU_ASSERT_NOT_EQUAL(hash_of("k: [v]\n", "k"), hash_of("k: v\n", "k"));
  /* A section's hash does not see other sections. */
  CU_ASSERT_EQUAL(hash_of("s:\n  a: 1\nt:\n  b: 2\n", "s"), hash_of("t:\n  b: 3\ns:\n  a: 1\n", "s"));
  CU_ASSERT_EQUAL(dp_node_hash(NULL), dp_node_hash(NULL));
}

/* ---- files ----------------------------------------------------------------------------------- */

static void test_missing_file_is_named(void) {
  dp_config *c = (dp_config *)1;
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_config_load("/nonexistent-dir/run-config.yaml", &c), -1);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT(has("/nonexistent-dir/run-config.yaml"));
  dp_error_clear();
}

static void test_load_file_uses_its_path_in_messages(void) {
  char path[] = "/tmp/dp_test_config_XXXXXX";
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  /* Larger than the loader's first 64 KiB buffer, so growing it is exercised. */
  FILE *f = fdopen(fd, "w");
  fprintf(f, "run:\n  seed: 3\n");
  for (int i = 0; i < 5000; i++) fprintf(f, "# padding comment line number %06d ...........\n", i);
  fprintf(f, "stages:\n  sample:\n    count: nope\n");
  fclose(f);
  dp_config *c = NULL;
  dp_error_clear();
  CU_ASSERT_EQUAL_FATAL(dp_config_load(path, &c), 0);
  CU_ASSERT_STRING_EQUAL(dp_config_path(c), path);
  long v;
  CU_ASSERT_EQUAL(dp_cfg_int(section(c, "run", NULL), "seed", 0, 0, 10, &v), 0);
  CU_ASSERT_EQUAL(v, 3);
  CU_ASSERT_EQUAL(dp_cfg_int(section(c, "stages", "sample"), "count", 1, 1, LONG_MAX, &v), -1);
  char want[256];
  snprintf(want, sizeof want, "%s:5005:12: stages.sample.count: expected a positive integer, got \"nope\"",
           path);
  CU_ASSERT_STRING_EQUAL(dp_error_message(), want);
  dp_error_clear();
  dp_config_free(c);
  unlink(path);
}

static void test_node_fail_format(void) {
  dp_config *c = parse("a:\n  b: 5\n");
  const dp_node *b = dp_cfg_get(section(c, "a", NULL), "b");
  dp_error_clear();
  CU_ASSERT_EQUAL(dp_node_fail(b, "too big by %d", 3), -1);
  CU_ASSERT_STRING_EQUAL(dp_error_message(), "x.yaml:2:6: a.b: too big by 3");
  dp_error_clear();
  dp_config_free(c);
}

DP_TEST_MAIN("config", DP_TEST(test_getters_read_present_values), DP_TEST(test_node_locations_and_paths),
             DP_TEST(test_absent_keys_give_defaults), DP_TEST(test_wrong_int_reports_file_line_col),
             DP_TEST(test_wrong_double_bool_enum_string), DP_TEST(test_section_that_is_not_a_mapping),
             DP_TEST(test_quoted_scalars_are_strings), DP_TEST(test_unknown_key_is_named_with_its_line),
             DP_TEST(test_unknown_section_key_reports_the_key_line),
             DP_TEST(test_malformed_yaml_names_file_and_line), DP_TEST(test_structural_errors),
             DP_TEST(test_top_level_key_error_names_top_level),
             DP_TEST(test_duplicate_key), DP_TEST(test_duplicate_section_key_names_first_key_line),
             DP_TEST(test_aliases_rejected), DP_TEST(test_strings_scalar_and_list),
             DP_TEST(test_hash_ignores_layout_and_comments), DP_TEST(test_missing_file_is_named),
             DP_TEST(test_load_file_uses_its_path_in_messages), DP_TEST(test_node_fail_format))
