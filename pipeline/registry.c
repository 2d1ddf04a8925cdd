/* registry.c - the pipeline's stages, in order. One line per stage. */
#include <string.h>

#include "depthpose/stage.h"

extern const dp_stage dp_stage_ingest;
extern const dp_stage dp_stage_skeleton;
extern const dp_stage dp_stage_sample;
extern const dp_stage dp_stage_render;
extern const dp_stage dp_stage_train;
extern const dp_stage dp_stage_evaluate;
extern const dp_stage dp_stage_report;

const dp_stage *const dp_stages[] = {
    &dp_stage_ingest,
    &dp_stage_skeleton,
    &dp_stage_sample,
    &dp_stage_render,
    &dp_stage_train,
    &dp_stage_evaluate,
    &dp_stage_report,
    NULL,
};

int dp_stage_index(const char *name) {
  for (int i = 0; dp_stages[i]; i++)
    if (!strcmp(dp_stages[i]->name, name)) return i;
  return -1;
}

const dp_stage *dp_stage_find(const char *name) {
  int i = dp_stage_index(name);
  return i < 0 ? NULL : dp_stages[i];
}
