/* mh_fixture.h - the MakeHuman assets for the makehuman tests: the project's
 * data/makehuman ($DP_SOURCE set by ctest), loaded once per test program. */
#ifndef DP_MH_FIXTURE_H
#define DP_MH_FIXTURE_H
#include <stdio.h>
#include <stdlib.h>

#include "depthpose/error.h"
#include "depthpose/makehuman.h"
#include "dp_source.h"

static inline const char *dp_mh_dir(void) { return dp_source_path("data/makehuman"); }

/* The shared model, loaded on first use (targets kept). */
static inline dp_mh_model *dp_mh_fixture(void) {
  static dp_mh_model m;
  static int loaded;
  if (!loaded) {
    if (dp_mh_model_load(&m, dp_mh_dir()) != 0) {
      fprintf(stderr, "cannot load %s: %s\n", dp_mh_dir(), dp_error_message());
      exit(1);
    }
    loaded = 1;
  }
  return &m;
}

#endif
