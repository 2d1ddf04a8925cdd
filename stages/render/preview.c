/* preview.c - the depth contact sheet of preview.h, encoded with libpng. */
#include "depthpose/preview.h"

#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"

typedef struct {
  uint8_t *px;  /* RGB rows of the whole sheet */
  size_t stride;
  int x0, y0, w, h; /* current tile */
} canvas;

static void put(canvas *c, long x, long y, const uint8_t rgb[3]) {
  if (x < 0 || y < 0 || x >= c->w || y >= c->h) return;
  memcpy(c->px + (size_t)(c->y0 + y) * c->stride + (size_t)(c->x0 + x) * 3, rgb, 3);
}

static void hue_rgb(int j, int n, uint8_t c[3]) {
  double h = 6.0 * j / n, f = h - floor(h);
  uint8_t up = (uint8_t)lround(255 * f), dn = (uint8_t)(255 - up);
  static const int8_t tab[6][3] = {{2, 1, 0}, {-1, 2, 0}, {0, 2, 1}, {0, -1, 2}, {1, 0, 2}, {2, 0, -1}};
  for (int k = 0; k < 3; k++) {
    int t = tab[(int)h % 6][k];
    c[k] = t == 2 ? 255 : t == 1 ? up : t == -1 ? dn : 0;
  }
}

static int usable(const float *p) { return isfinite(p[0]) && isfinite(p[1]) && fabsf(p[0]) < 1e6f && fabsf(p[1]) < 1e6f; }

static void line(canvas *c, long x0, long y0, long x1, long y1, const uint8_t rgb[3]) {
  long dx = labs(x1 - x0), dy = -labs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, e = dx + dy;
  for (;;) {
    put(c, x0, y0, rgb);
    if (x0 == x1 && y0 == y1) return;
    long e2 = 2 * e;
    if (e2 >= dy) { e += dy; x0 += sx; }
    if (e2 <= dx) { e += dx; y0 += sy; }
  }
}

static void draw_tile(canvas *c, const uint16_t *d, const float *jt, int nj, const int *parent) {
  uint16_t lo = UINT16_MAX, hi = 0;
  size_t n = (size_t)c->w * (size_t)c->h;
  for (size_t i = 0; i < n; i++)
    if (d[i]) { lo = d[i] < lo ? d[i] : lo; hi = d[i] > hi ? d[i] : hi; }
  uint32_t span = hi > lo ? (uint32_t)(hi - lo) : 0;
  for (int y = 0; y < c->h; y++)
    for (int x = 0; x < c->w; x++) {
      uint16_t v = d[(size_t)y * c->w + x];
      uint8_t g = 0;
      if (v) g = (uint8_t)(255 - (span ? (430u * (v - lo) + span) / (2u * span) : 0));
      uint8_t rgb[3] = {g, g, g};
      put(c, x, y, rgb);
    }
  if (!jt) return;
  uint8_t rgb[3];
  for (int j = 0; parent && j < nj; j++) {
    const float *a = jt + 2 * j, *b = parent[j] >= 0 ? jt + 2 * parent[j] : NULL;
    if (!b || !usable(a) || !usable(b)) continue;
    hue_rgb(j, nj, rgb);
    line(c, (long)floorf(b[0]), (long)floorf(b[1]), (long)floorf(a[0]), (long)floorf(a[1]), rgb);
  }
  for (int j = 0; j < nj; j++) {
    const float *a = jt + 2 * j;
    if (!usable(a)) continue;
    hue_rgb(j, nj, rgb);
    long x = (long)floorf(a[0]), y = (long)floorf(a[1]);
    for (int k = 0; k < 9; k++) put(c, x + k % 3 - 1, y + k / 3 - 1, rgb);
  }
}

static void on_png_error(png_structp png, png_const_charp msg) {
  snprintf((char *)png_get_error_ptr(png), 256, "libpng: %s", msg);
  png_longjmp(png, 1);
}
static void on_png_warning(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

/* Encode to an open file; 0, or -1 with the reason in why[256]. Closes nothing. */
static int encode(FILE *fp, const canvas *c, int W, int H, char *why) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, why, on_png_error, on_png_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!info) {
    png_destroy_write_struct(&png, NULL);
    snprintf(why, 256, "out of memory in libpng");
    return -1;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return -1;
  }
  png_init_io(png, fp);
  png_set_IHDR(png, info, (png_uint_32)W, (png_uint_32)H, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < H; y++) png_write_row(png, c->px + (size_t)y * c->stride);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  return 0;
}

int dp_preview_png(const char *path, int n_frames, int width, int height, const uint16_t *depth,
                   const float *joints2d, int n_joints, const int *parent, int columns) {
  if (!path) return dp_fail("preview: no output path given");
  if (n_frames < 1 || width < 1 || height < 1 || columns < 1 || n_joints < 0 || !depth)
    return dp_fail("preview %s: need n_frames, width, height, columns >= 1 and depth (got %d, %d, %d, %d)",
                   path, n_frames, width, height, columns);
  for (int j = 0; parent && j < n_joints; j++)
    if (parent[j] < -1 || parent[j] >= n_joints)
      return dp_fail("preview %s: parent[%d] = %d is not -1 or a joint index < %d", path, j, parent[j], n_joints);
  int cols = columns < n_frames ? columns : n_frames, rows = (n_frames + cols - 1) / cols;
  const int B = DP_PREVIEW_BORDER;
  if ((long long)width * cols + (long long)B * (cols - 1) > 1000000 ||
      (long long)height * rows + (long long)B * (rows - 1) > 1000000)
    return dp_fail("preview %s: a %d x %d grid of %d x %d tiles exceeds 1e6 px a side", path, cols, rows, width, height);
  int W = width * cols + B * (cols - 1), H = height * rows + B * (rows - 1);
  canvas c = {.stride = (size_t)W * 3, .w = width, .h = height};
  c.px = dp_malloc(c.stride * (size_t)H, "preview sheet");
  size_t plen = strlen(path);
  char *tmp = dp_malloc(plen + 5, "preview path");
  if (!c.px || !tmp) { free(c.px); free(tmp); return -1; }
  memcpy(tmp, path, plen);
  memcpy(tmp + plen, ".tmp", 5);
  memset(c.px, DP_PREVIEW_BORDER_GREY, c.stride * (size_t)H);
  for (int f = 0; f < n_frames; f++) {
    c.x0 = (f % cols) * (width + B);
    c.y0 = (f / cols) * (height + B);
    draw_tile(&c, depth + (size_t)f * width * height,
              joints2d ? joints2d + (size_t)f * n_joints * 2 : NULL, n_joints, parent);
  }
  char why[256] = "";
  int rc = -1;
  FILE *fp = fopen(tmp, "wb");
  if (!fp) {
    snprintf(why, sizeof why, "cannot open %s for writing: %s", tmp, strerror(errno));
  } else {
    int enc = encode(fp, &c, W, H, why);
    int flushed = fflush(fp) == 0 && !ferror(fp);
    if (enc == 0 && !flushed) snprintf(why, sizeof why, "write failed: %s", strerror(errno));
    if (fclose(fp) != 0 && enc == 0 && flushed) snprintf(why, sizeof why, "close failed: %s", strerror(errno));
    if (!why[0] && rename(tmp, path) != 0) snprintf(why, sizeof why, "cannot rename %s to it: %s", tmp, strerror(errno));
    if (why[0]) remove(tmp);
    else rc = 0;
  }
  free(c.px);
  free(tmp);
  return rc == 0 ? 0 : dp_fail("preview %s: %s", path, why);
}
