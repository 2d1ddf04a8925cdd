/* config.h - the YAML run configuration as a tree of nodes that remember where they
 * came from, with typed getters that report errors as
 *   configs/x.yaml:12:5: stages.sample.count: expected a positive integer, got "abc"
 *
 * Every node a getter touches is marked used; after all stages have read their
 * sections, dp_config_check_unused() rejects whatever nobody asked for, so a typo in
 * a key is an error, not a silently ignored setting. */
#ifndef DEPTHPOSE_CONFIG_H
#define DEPTHPOSE_CONFIG_H
#include <stddef.h>
#include <stdint.h>

#include "depthpose/error.h"

typedef enum { DP_NODE_SCALAR, DP_NODE_SEQ, DP_NODE_MAP } dp_node_kind;
typedef struct dp_node dp_node;
typedef struct dp_config dp_config;

int dp_config_load(const char *path, dp_config **out);
/* Parse YAML text; `name` stands in for the file name in messages. */
int dp_config_parse(const char *name, const char *text, size_t len, dp_config **out);
void dp_config_free(dp_config *c);
const dp_node *dp_config_root(const dp_config *c);
const char *dp_config_path(const dp_config *c);

dp_node_kind dp_node_type(const dp_node *n);
const char *dp_node_path(const dp_node *n);  /* "stages.sample.count", "x.list[2]" */
int dp_node_line(const dp_node *n);
int dp_node_col(const dp_node *n);
size_t dp_node_len(const dp_node *n);        /* items of a SEQ or MAP, 0 for SCALAR */
const dp_node *dp_node_at(const dp_node *n, size_t i); /* i-th item / i-th map value */
const char *dp_node_key_at(const dp_node *map, size_t i);
const char *dp_node_scalar(const dp_node *n); /* text of a scalar, NULL otherwise */
/* Mark a node and everything below it as used (for free-form subtrees a stage walks). */
void dp_node_mark_used(const dp_node *n);

/* Fail with "file:line:col: path: <message>"; always returns -1. */
int dp_node_fail(const dp_node *n, const char *fmt, ...) DP_PRINTF(2, 3);

/* Look up a key of a mapping (marks it used); NULL when absent or map is NULL. */
const dp_node *dp_cfg_get(const dp_node *map, const char *key);
/* A mapping section; absent gives NULL (all getters then return their defaults). */
int dp_cfg_section(const dp_node *map, const char *key, const dp_node **out);

/* Typed getters: absent key -> default; present but wrong -> error with location. */
int dp_cfg_int(const dp_node *map, const char *key, long def, long min, long max, long *out);
int dp_cfg_double(const dp_node *map, const char *key, double def, double min, double max,
                  double *out);
int dp_cfg_bool(const dp_node *map, const char *key, int def, int *out);
int dp_cfg_string(const dp_node *map, const char *key, const char *def, const char **out);
/* One of `choices` (NULL-terminated); *out = index. */
int dp_cfg_enum(const dp_node *map, const char *key, const char *const *choices, int def,
                int *out);
/* A scalar or a sequence of scalars, as strings (pointers into the tree). *out is
 * malloc'ed (free it); an absent key gives n = 0. */
int dp_cfg_strings(const dp_node *node, const char ***out, size_t *n);
int dp_cfg_scalar_int(const dp_node *n, long min, long max, long *out);
int dp_cfg_scalar_double(const dp_node *n, double min, double max, double *out);

/* After every stage has read its section: the first key nobody read is an error. */
int dp_config_check_unused(const dp_config *c);

/* Record every key path a getter asks for (list indices as "[]"), to check that
 * configs/reference.yaml documents exactly the keys the code reads. */
void dp_config_record_keys(int on);
size_t dp_config_asked_keys(const char *const **keys);

/* Hash of a subtree's content (keys, values, structure; not comments or layout), so a
 * stage reruns when, and only when, its settings change. */
uint64_t dp_node_hash(const dp_node *n);

#endif
