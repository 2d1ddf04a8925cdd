/* preview.h - a PNG contact sheet of rendered depth frames, for looking at by eye.
 *
 * Layout: the n frames are tiles of width x height pixels, `columns` per row (clamped
 * to n), as many rows as needed, row-major from the top left, with a DP_PREVIEW_BORDER
 * px dark-grey (DP_PREVIEW_BORDER_GREY) gap between tiles and none around the sheet:
 *   sheet width  = cols * width  + (cols - 1) * DP_PREVIEW_BORDER
 *   sheet height = rows * height + (rows - 1) * DP_PREVIEW_BORDER,  rows = ceil(n / cols)
 * Unused tiles of the last row are border-grey. RGB, 8 bits per channel.
 *
 * Depth: per-frame window; the frame's non-zero depths [min, max] map linearly to grey
 * 255 (nearest) .. 40 (farthest), rounded; a flat frame is all 255; 0 (no return) is
 * black.
 * Joints (optional): joint j at continuous pixel coordinates (x, y) (render.h
 * convention) lands on pixel (floor x, floor y). Joint j has colour hue 360 * j / J
 * (full saturation and value: j = 0 is pure red). With `parent`, each bone is a 1-px
 * Bresenham line from the parent to the child j in joint j's colour; dots (3x3,
 * centred) are drawn over the lines, higher index on top. Everything is clipped to
 * its tile; non-finite joints are skipped, with their bones.
 *
 * The file appears atomically: written to path + ".tmp", then renamed; on any failure
 * the tmp file is removed, `path` is untouched, dp_fail names the path and the reason,
 * and -1 is returned. */
#ifndef DEPTHPOSE_PREVIEW_H
#define DEPTHPOSE_PREVIEW_H
#include <stdint.h>

#define DP_PREVIEW_BORDER 2
#define DP_PREVIEW_BORDER_GREY 24

/* depth: n x height x width mm (0 = no return); joints2d: n x J x 2 px or NULL;
 * parent: J entries, -1 for a root, or NULL (no bones). Returns 0 or -1. */
int dp_preview_png(const char *path, int n_frames, int width, int height,
                   const uint16_t *depth, const float *joints2d, int n_joints,
                   const int *parent, int columns);

#endif
