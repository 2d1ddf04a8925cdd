/* fig_frames.c - a grid of depth frames from depth.h5 with their ground-truth 2-D
 * joints, as a PNG (an image, not a plot: the render stage's contact-sheet writer draws
 * it), embedded in the page as base64 so the page stays one file. */
#include <stdlib.h>

#include "../ingest/mocap_text.h" /* dp_slurp */
#include "depthpose/preview.h"
#include "report.h"

enum { COLUMNS = 4 };

int rp_fig_frames(const rp_data *d, rp_figure *f, const char *png_path) {
  snprintf(f->title, sizeof f->title, "Depth frames with ground-truth joints");
  DP_TRY(dp_preview_png(png_path, d->n_frames, d->W, d->H, d->depth, d->joints2d, d->J, d->draw_parent, COLUMNS));
  char *bytes;
  size_t len;
  DP_TRY(dp_slurp(png_path, &bytes, &len));
  dp_text_base64(&f->png, (const unsigned char *)bytes, len);
  free(bytes);
  size_t real = 0;
  for (int k = 0; k < d->n_frames; k++) real += d->frame_origin[k] == 1;
  dp_text_printf(&f->caption, "%d of the %zu %s frames of depth.h5 (%d x %d px, evenly spaced; %zu of a real pose, %zu "
                 "of a synthetic one), %d per row; frame indices ", d->n_frames, d->frames_are_test ? d->n_depth_test : d->n_depth,
                 d->frames_are_test ? "test-split" : "(no test split: any)", d->W, d->H, real,
                 (size_t)d->n_frames - real, COLUMNS);
  for (int k = 0; k < d->n_frames; k++) dp_text_printf(&f->caption, "%s%zu", k ? ", " : "", d->frame_row[k]);
  dp_text_put(&f->caption, ". Grey: nearer is brighter, per frame; black: no return. Ground-truth joints and "
              "bones on top, one hue per joint.");
  return 0;
}
