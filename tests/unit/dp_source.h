/* dp_source.h - paths into the source tree for tests and benchmarks that read the
 * bundled data: $DP_SOURCE (set by ctest and the bench scripts), else ".". */
#ifndef DP_SOURCE_H
#define DP_SOURCE_H
#include <stdio.h>
#include <stdlib.h>

/* "$DP_SOURCE/rel" in a static buffer (valid until the next call). */
static inline const char *dp_source_path(const char *rel) {
  static char buf[4096];
  const char *src = getenv("DP_SOURCE");
  snprintf(buf, sizeof buf, "%s/%s", src ? src : ".", rel);
  return buf;
}

#endif
