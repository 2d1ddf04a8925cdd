/* config.c - YAML (libyaml event API) into a located node tree, plus typed getters.
 * See include/depthpose/config.h. */
#include "depthpose/config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <limits.h>
#include <yaml.h>

#include "depthpose/hash.h"

struct dp_node {
  dp_node_kind kind;
  char *text;    /* scalar text */
  char *path;    /* key path for messages */
  int line, col; /* 1-based */
  int key_line, key_col; /* where its key was written, for a map value */
  int quoted;    /* a quoted scalar is always a string */
  int used;      /* set by getters through const pointers: the tree is heap memory */
  size_t n, cap;
  char **keys;   /* MAP keys, parallel to items */
  dp_node **items;
  const dp_config *owner;
};

struct dp_config {
  char *path;
  dp_node *root;
};

/* ---- building the tree ---------------------------------------------------- */

static dp_node *node_new(const dp_config *c, dp_node_kind kind, const yaml_mark_t *m,
                         const char *path) {
  dp_node *n = dp_calloc(1, sizeof *n, "a config node");
  if (!n) return NULL;
  n->kind = kind;
  n->line = (int)m->line + 1;
  n->col = (int)m->column + 1;
  n->path = dp_strdup(path);
  n->owner = c;
  return n;
}

static void node_free(dp_node *n) {
  if (!n) return;
  for (size_t i = 0; i < n->n; i++) {
    node_free(n->items[i]);
    if (n->keys) free(n->keys[i]);
  }
  free(n->items);
  free(n->keys);
  free(n->text);
  free(n->path);
  free(n);
}

static int node_push(dp_node *parent, char *key, dp_node *child) {
  if (parent->n == parent->cap) {
    size_t cap = parent->cap ? 2 * parent->cap : 8;
    dp_node **items = realloc(parent->items, cap * sizeof *items);
    if (!items) return dp_fail("out of memory reading config");
    parent->items = items;
    if (parent->kind == DP_NODE_MAP) {
      char **keys = realloc(parent->keys, cap * sizeof *keys);
      if (!keys) return dp_fail("out of memory reading config");
      parent->keys = keys;
    }
    parent->cap = cap;
  }
  parent->items[parent->n] = child;
  if (parent->kind == DP_NODE_MAP) parent->keys[parent->n] = key;
  parent->n++;
  return 0;
}

typedef struct {
  yaml_parser_t parser;
  const char *name;
  dp_config *cfg;
} reader;

static int yaml_error(reader *r) {
  const yaml_parser_t *p = &r->parser;
  const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;
  return dp_fail("%s:%zu:%zu: malformed YAML: %s%s%s", r->name, m->line + 1, m->column + 1,
                 p->problem ? p->problem : "syntax error", p->context ? " " : "",
                 p->context ? p->context : "");
}

static int next_event(reader *r, yaml_event_t *ev) {
  if (!yaml_parser_parse(&r->parser, ev)) return yaml_error(r);
  return 0;
}

static int parse_node(reader *r, yaml_event_t *ev, const char *path, dp_node **out);

static int parse_children(reader *r, dp_node *n) {
  for (size_t idx = 0;; idx++) {
    yaml_event_t ev;
    DP_TRY(next_event(r, &ev));
    if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
      yaml_event_delete(&ev);
      return 0;
    }
    char path[1024];
    char *key = NULL;
    int key_line = 0, key_col = 0;
    if (n->kind == DP_NODE_MAP) {
      if (ev.type != YAML_SCALAR_EVENT) {
        int rc = dp_fail("%s:%zu:%zu: %s: a mapping key must be a plain word", r->name,
                         ev.start_mark.line + 1, ev.start_mark.column + 1, dp_node_path(n));
        yaml_event_delete(&ev);
        return rc;
      }
      key = dp_strdup((const char *)ev.data.scalar.value);
      key_line = (int)ev.start_mark.line + 1;
      key_col = (int)ev.start_mark.column + 1;
      for (size_t i = 0; key && i < n->n; i++)
        if (strcmp(n->keys[i], key) == 0) {
          dp_fail("%s:%zu:%zu: %s%s%s: duplicate key (first given on line %d)", r->name,
                  ev.start_mark.line + 1, ev.start_mark.column + 1, n->path,
                  *n->path ? "." : "", key, n->items[i]->key_line);
          free(key);
          yaml_event_delete(&ev);
          return -1;
        }
      yaml_event_delete(&ev);
      if (!key) return -1;
      snprintf(path, sizeof path, "%s%s%s", n->path, *n->path ? "." : "", key);
      if (next_event(r, &ev) != 0) {
        free(key);
        return -1;
      }
    } else {
      snprintf(path, sizeof path, "%s[%zu]", n->path, idx);
    }
    dp_node *child = NULL;
    if (parse_node(r, &ev, path, &child) == 0) {
      child->key_line = key_line;
      child->key_col = key_col;
    }
    if (!child || node_push(n, key, child) != 0) {
      free(key);
      node_free(child);
      return -1;
    }
  }
}

/* Consumes *ev (already read) and everything belonging to it. */
static int parse_node(reader *r, yaml_event_t *ev, const char *path, dp_node **out) {
  int rc = 0;
  dp_node *n = NULL;
  switch (ev->type) {
    case YAML_SCALAR_EVENT:
      n = node_new(r->cfg, DP_NODE_SCALAR, &ev->start_mark, path);
      if (!n) break;
      n->text = dp_strdup((const char *)ev->data.scalar.value);
      n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                  ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
      if (!n->text) rc = -1;
      break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
      n = node_new(r->cfg, ev->type == YAML_MAPPING_START_EVENT ? DP_NODE_MAP : DP_NODE_SEQ,
                   &ev->start_mark, path);
      if (n) rc = parse_children(r, n);
      break;
    case YAML_ALIAS_EVENT:
      rc = dp_fail("%s:%zu:%zu: %s: YAML aliases (*name) are not supported; write the value out",
                   r->name, ev->start_mark.line + 1, ev->start_mark.column + 1, path);
      break;
    default:
      rc = dp_fail("%s:%zu:%zu: %s: unexpected YAML content", r->name,
                   ev->start_mark.line + 1, ev->start_mark.column + 1, path);
  }
  yaml_event_delete(ev);
  if (!n && rc == 0) rc = -1;
  if (rc != 0) {
    node_free(n);
    return -1;
  }
  *out = n;
  return 0;
}

static int parse_stream(reader *r) {
  yaml_event_t ev;
  DP_TRY(next_event(r, &ev)); /* STREAM_START */
  yaml_event_delete(&ev);
  DP_TRY(next_event(r, &ev));
  if (ev.type == YAML_STREAM_END_EVENT) {
    yaml_event_delete(&ev);
    return dp_fail("%s:1:1: the config is empty; expected a mapping with a run: section",
                   r->name);
  }
  yaml_event_delete(&ev); /* DOCUMENT_START */
  DP_TRY(next_event(r, &ev));
  DP_TRY(parse_node(r, &ev, "", &r->cfg->root));
  DP_TRY(next_event(r, &ev)); /* DOCUMENT_END */
  yaml_event_delete(&ev);
  DP_TRY(next_event(r, &ev));
  int more = ev.type == YAML_DOCUMENT_START_EVENT;
  size_t line = ev.start_mark.line + 1;
  yaml_event_delete(&ev);
  if (more) return dp_fail("%s:%zu:1: only one YAML document is allowed per config", r->name, line);
  return 0;
}

int dp_config_parse(const char *name, const char *text, size_t len, dp_config **out) {
  *out = NULL;
  dp_config *c = dp_calloc(1, sizeof *c, "the config");
  if (!c) return -1;
  c->path = dp_strdup(name);
  reader r = {.name = name, .cfg = c};
  if (!yaml_parser_initialize(&r.parser)) {
    dp_config_free(c);
    return dp_fail("cannot initialise the YAML parser");
  }
  yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
  int rc = parse_stream(&r);
  yaml_parser_delete(&r.parser);
  if (rc != 0) {
    dp_config_free(c);
    return -1;
  }
  *out = c;
  return 0;
}

int dp_config_load(const char *path, dp_config **out) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return dp_fail("%s: cannot open config: %s", path, strerror(errno));
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) {
      char *b = realloc(buf, cap *= 2);
      if (!b) free(buf);
      buf = b;
    }
  }
  fclose(f);
  if (!buf) return dp_fail("%s: out of memory reading config", path);
  int rc = dp_config_parse(path, buf, len, out);
  free(buf);
  return rc;
}

void dp_config_free(dp_config *c) {
  if (!c) return;
  node_free(c->root);
  free(c->path);
  free(c);
}

const dp_node *dp_config_root(const dp_config *c) { return c->root; }
const char *dp_config_path(const dp_config *c) { return c->path; }

/* ---- accessors ------------------------------------------------------------ */

dp_node_kind dp_node_type(const dp_node *n) { return n->kind; }
const char *dp_node_path(const dp_node *n) { return *n->path ? n->path : "(top level)"; }
int dp_node_line(const dp_node *n) { return n->line; }
int dp_node_col(const dp_node *n) { return n->col; }
size_t dp_node_len(const dp_node *n) { return n && n->kind != DP_NODE_SCALAR ? n->n : 0; }
const dp_node *dp_node_at(const dp_node *n, size_t i) { return i < dp_node_len(n) ? n->items[i] : NULL; }
const char *dp_node_key_at(const dp_node *m, size_t i) {
  return m && m->kind == DP_NODE_MAP && i < m->n ? m->keys[i] : NULL;
}
const char *dp_node_scalar(const dp_node *n) { return n && n->kind == DP_NODE_SCALAR ? n->text : NULL; }

void dp_node_mark_used(const dp_node *n) {
  if (!n) return;
  ((dp_node *)n)->used = 1;
  for (size_t i = 0; i < dp_node_len(n); i++) dp_node_mark_used(n->items[i]);
}

int dp_node_fail(const dp_node *n, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return dp_fail("%s:%d:%d: %s: %s", n->owner->path, n->line, n->col, dp_node_path(n), msg);
}

/* ---- the keys the code asks for (for `depthpose keys`) ------------------------- */

static char **g_asked;
static size_t g_n_asked;
static int g_recording;

void dp_config_record_keys(int on) { g_recording = on; }

/* "stages.ingest.sources[0]" + "format" -> "stages.ingest.sources[].format" */
static void record_key(const dp_node *map, const char *key) {
  char path[1024];
  size_t k = 0;
  for (const char *p = map->path; *p && k + 3 < sizeof path; p++) {
    if (*p == '[') {
      path[k++] = '[';
      path[k++] = ']';
      while (*p && *p != ']') p++;
      if (!*p) break;
      continue;
    }
    path[k++] = *p;
  }
  path[k] = '\0';
  char full[1200];
  snprintf(full, sizeof full, "%s%s%s", path, k ? "." : "", key);
  for (size_t i = 0; i < g_n_asked; i++)
    if (!strcmp(g_asked[i], full)) return;
  char **n = realloc(g_asked, (g_n_asked + 1) * sizeof *n);
  if (!n) return;
  g_asked = n;
  g_asked[g_n_asked++] = dp_strdup(full);
}

size_t dp_config_asked_keys(const char *const **keys) {
  *keys = (const char *const *)g_asked;
  return g_n_asked;
}

const dp_node *dp_cfg_get(const dp_node *map, const char *key) {
  if (!map || map->kind != DP_NODE_MAP) return NULL;
  if (g_recording) record_key(map, key);
  ((dp_node *)map)->used = 1;
  for (size_t i = 0; i < map->n; i++)
    if (strcmp(map->keys[i], key) == 0) {
      ((dp_node *)map->items[i])->used = 1;
      return map->items[i];
    }
  return NULL;
}

int dp_cfg_section(const dp_node *map, const char *key, const dp_node **out) {
  const dp_node *n = dp_cfg_get(map, key);
  *out = NULL;
  if (!n) return 0;
  /* "key:" with nothing after it parses as an empty scalar: treat as an empty section. */
  if (n->kind == DP_NODE_SCALAR && (!*n->text || !strcmp(n->text, "~") || !strcmp(n->text, "null")) && !n->quoted)
    return 0;
  if (n->kind != DP_NODE_MAP) return dp_node_fail(n, "expected a mapping (a section of key: value lines)");
  *out = n;
  return 0;
}

static int want_scalar(const dp_node *n, const char *what) {
  if (n->kind != DP_NODE_SCALAR)
    return dp_node_fail(n, "expected %s, got a %s", what, n->kind == DP_NODE_MAP ? "mapping" : "list");
  return 0;
}

int dp_cfg_scalar_int(const dp_node *n, long min, long max, long *out) {
  char what[128];
  if (min == 1 && max >= INT_MAX) snprintf(what, sizeof what, "a positive integer");
  else if (min == 0 && max >= INT_MAX) snprintf(what, sizeof what, "a non-negative integer");
  else snprintf(what, sizeof what, "an integer in [%ld, %ld]", min, max);
  DP_TRY(want_scalar(n, what));
  char *end;
  errno = 0;
  long v = strtol(n->text, &end, 10);
  if (n->quoted || end == n->text || *end || errno == ERANGE || v < min || v > max)
    return dp_node_fail(n, "expected %s, got \"%s\"", what, n->text);
  *out = v;
  return 0;
}

int dp_cfg_scalar_double(const dp_node *n, double min, double max, double *out) {
  char what[160];
  snprintf(what, sizeof what, "a number in [%g, %g]", min, max);
  DP_TRY(want_scalar(n, what));
  char *end;
  errno = 0;
  double v = strtod(n->text, &end);
  if (n->quoted || end == n->text || *end || errno == ERANGE || !isfinite(v) || v < min || v > max)
    return dp_node_fail(n, "expected %s, got \"%s\"", what, n->text);
  *out = v;
  return 0;
}

int dp_cfg_int(const dp_node *map, const char *key, long def, long min, long max, long *out) {
  const dp_node *n = dp_cfg_get(map, key);
  *out = def;
  return n ? dp_cfg_scalar_int(n, min, max, out) : 0;
}

int dp_cfg_double(const dp_node *map, const char *key, double def, double min, double max,
                  double *out) {
  const dp_node *n = dp_cfg_get(map, key);
  *out = def;
  return n ? dp_cfg_scalar_double(n, min, max, out) : 0;
}

int dp_cfg_bool(const dp_node *map, const char *key, int def, int *out) {
  const dp_node *n = dp_cfg_get(map, key);
  *out = def;
  if (!n) return 0;
  DP_TRY(want_scalar(n, "true or false"));
  static const char *yes[] = {"true", "yes", "on"}, *no[] = {"false", "no", "off"};
  for (int i = 0; i < 3 && !n->quoted; i++) {
    if (!strcasecmp(n->text, yes[i])) return *out = 1, 0;
    if (!strcasecmp(n->text, no[i])) return *out = 0, 0;
  }
  return dp_node_fail(n, "expected true or false, got \"%s\"", n->text);
}

int dp_cfg_string(const dp_node *map, const char *key, const char *def, const char **out) {
  const dp_node *n = dp_cfg_get(map, key);
  *out = def;
  if (!n) return 0;
  DP_TRY(want_scalar(n, "a string"));
  *out = n->text;
  return 0;
}

int dp_cfg_enum(const dp_node *map, const char *key, const char *const *choices, int def,
                int *out) {
  const dp_node *n = dp_cfg_get(map, key);
  *out = def;
  if (!n) return 0;
  char list[512] = "";
  for (int i = 0; choices[i]; i++) {
    if (n->kind == DP_NODE_SCALAR && !strcmp(n->text, choices[i])) return *out = i, 0;
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", choices[i]);
  }
  return dp_node_fail(n, "expected one of %s, got \"%s\"", list,
                      n->kind == DP_NODE_SCALAR ? n->text : "(not a scalar)");
}

int dp_cfg_strings(const dp_node *n, const char ***out, size_t *count) {
  *out = NULL;
  *count = 0;
  if (!n) return 0;
  dp_node_mark_used(n);
  size_t k = n->kind == DP_NODE_SCALAR ? 1 : n->n;
  if (n->kind == DP_NODE_MAP) return dp_node_fail(n, "expected a name or a list of names, got a mapping");
  const char **v = dp_malloc(k * sizeof *v, "a config list");
  if (!v) return -1;
  for (size_t i = 0; i < k; i++) {
    const dp_node *it = n->kind == DP_NODE_SCALAR ? n : n->items[i];
    if (it->kind != DP_NODE_SCALAR) {
      free(v);
      return dp_node_fail(it, "expected a name, got a nested %s", it->kind == DP_NODE_MAP ? "mapping" : "list");
    }
    v[i] = it->text;
  }
  *out = v;
  *count = k;
  return 0;
}

static const dp_node *first_unused(const dp_node *n, const char **key) {
  for (size_t i = 0; i < dp_node_len(n); i++) {
    const dp_node *c = n->items[i];
    if (!c->used) {
      *key = n->kind == DP_NODE_MAP ? n->keys[i] : NULL;
      return c;
    }
    const dp_node *u = first_unused(c, key);
    if (u) return u;
  }
  return NULL;
}

int dp_config_check_unused(const dp_config *c) {
  const char *key = NULL;
  const dp_node *u = first_unused(c->root, &key);
  if (!u) return 0;
  if (!key) /* an unread list item: the list's owner ignored it */
    return dp_fail("%s:%d:%d: %s: unexpected item", c->path, u->line, u->col, dp_node_path(u));
  return dp_fail("%s:%d:%d: %s: unknown key \"%s\" (configs/reference.yaml lists every key)",
                 c->path, u->key_line, u->key_col, dp_node_path(u), key);
}

static void hash_node(dp_hash *h, const dp_node *n) {
  unsigned char tag = (unsigned char)n->kind;
  dp_hash_update(h, &tag, 1);
  if (n->kind == DP_NODE_SCALAR) {
    dp_hash_update(h, n->text, strlen(n->text) + 1);
    return;
  }
  uint64_t cnt = n->n;
  dp_hash_update(h, &cnt, sizeof cnt);
  for (size_t i = 0; i < n->n; i++) {
    if (n->kind == DP_NODE_MAP) dp_hash_update(h, n->keys[i], strlen(n->keys[i]) + 1);
    hash_node(h, n->items[i]);
  }
}

uint64_t dp_node_hash(const dp_node *n) {
  dp_hash h;
  dp_hash_init(&h);
  if (n) hash_node(&h, n);
  return dp_hash_final(&h);
}
