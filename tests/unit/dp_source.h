/* dp_source.h - paths the tests and benchmarks read: the source tree ($DP_SOURCE, set by
 * ctest and the bench scripts, else ".") and committed fixtures ($DP_FIXTURES). */
#ifndef DP_SOURCE_H
#define DP_SOURCE_H
#include <stdio.h>
#include <stdlib.h>

/* "$var/rel" (or "fallback/rel" when var is unset) in a static buffer, valid until the
 * next call. */
static inline const char *dp_env_path(const char *var, const char *fallback, const char *rel) {
  static char buf[4096];
  const char *dir = getenv(var);
  snprintf(buf, sizeof buf, "%s/%s", dir ? dir : fallback, rel);
  return buf;
}

static inline const char *dp_source_path(const char *rel) {
  return dp_env_path("DP_SOURCE", ".", rel);
}

#endif
