/* test_preview.c - the PNG depth contact sheet: layout, depth window, black no-return,
 * joint dots and bones, and atomic failure (no file left behind, message names path). */
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depthpose/error.h"
#include "depthpose/preview.h"
#include "dp_test.h"

enum { W = 20, H = 10, N = 3, COLS = 2, J = 3 };
static const int B = DP_PREVIEW_BORDER;

static int exists(const char *p) { struct stat st; return stat(p, &st) == 0; }

/* frame 0: gradient 1000 + 10 x mm, column 0 no return; frame 1: a 500-mm square on
 * 2000 mm, one hole; frame 2: flat 3000 mm with joints */
static void make_depth(uint16_t *d) {
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      d[y * W + x] = (uint16_t)(x == 0 ? 0 : 1000 + 10 * x);
      d[W * H + y * W + x] = (uint16_t)(x >= 5 && x < 10 && y >= 2 && y < 7 ? 500 : 2000);
      d[2 * W * H + y * W + x] = 3000;
    }
  d[W * H + 9 * W + 19] = 0;
}

static png_bytep read_png(const char *path, png_image *im) {
  memset(im, 0, sizeof *im);
  im->version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(im, path)) return NULL;
  im->format = PNG_FORMAT_RGB;
  png_bytep buf = malloc(PNG_IMAGE_SIZE(*im));
  if (buf && !png_image_finish_read(im, NULL, buf, 0, NULL)) { free(buf); return NULL; }
  return buf;
}

static const png_byte *px(const png_byte *img, int sheet_w, int frame, int x, int y) {
  int x0 = (frame % COLS) * (W + B), y0 = (frame / COLS) * (H + B);
  return img + ((size_t)(y0 + y) * sheet_w + x0 + x) * 3;
}
static int is_rgb(const png_byte *p, int r, int g, int b) { return p[0] == r && p[1] == g && p[2] == b; }

static void test_grid(void) {
  static uint16_t d[N * W * H];
  make_depth(d);
  float jt[N][J][2] = {{{0}}};
  /* frame 2: root at (4.5, 4.5), child 1 at (14.5, 4.5), child 2 above the tile; others NaN */
  for (int f = 0; f < 2; f++)
    for (int j = 0; j < J; j++) jt[f][j][0] = jt[f][j][1] = NAN;
  float j2[J][2] = {{4.5f, 4.5f}, {14.5f, 4.5f}, {4.5f, -30.f}};
  memcpy(jt[2], j2, sizeof j2);
  int parent[J] = {-1, 0, 0};
  const char *path = "test_preview_out.png";
  remove(path);
  CU_ASSERT_FATAL(dp_preview_png(path, N, W, H, d, &jt[0][0][0], J, parent, COLS) == 0);
  CU_ASSERT(!exists("test_preview_out.png.tmp"));
  png_image im;
  png_bytep img = read_png(path, &im);
  CU_ASSERT_FATAL(img != NULL);
  int SW = COLS * W + (COLS - 1) * B, SH = 2 * H + B;
  CU_ASSERT(im.width == (png_uint_32)SW);
  CU_ASSERT(im.height == (png_uint_32)SH);
  /* borders and the unused 4th tile are dark grey */
  const int g = DP_PREVIEW_BORDER_GREY;
  CU_ASSERT(is_rgb(img + (size_t)W * 3, g, g, g));
  CU_ASSERT(is_rgb(img + ((size_t)H * SW) * 3, g, g, g));
  CU_ASSERT(is_rgb(px(img, SW, 3, 5, 5), g, g, g));
  /* frame 0: no return black; nearest (x = 1) 255; farthest (x = 19) 40; monotone */
  CU_ASSERT(is_rgb(px(img, SW, 0, 0, 3), 0, 0, 0));
  CU_ASSERT(is_rgb(px(img, SW, 0, 1, 3), 255, 255, 255));
  CU_ASSERT(is_rgb(px(img, SW, 0, 19, 3), 40, 40, 40));
  for (int x = 2; x < W; x++) CU_ASSERT(px(img, SW, 0, x, 3)[0] < px(img, SW, 0, x - 1, 3)[0]);
  /* frame 1: own window - the square (nearest) is 255, the wall 40, the hole black */
  CU_ASSERT(is_rgb(px(img, SW, 1, 7, 4), 255, 255, 255));
  CU_ASSERT(is_rgb(px(img, SW, 1, 0, 0), 40, 40, 40));
  CU_ASSERT(is_rgb(px(img, SW, 1, 19, 9), 0, 0, 0));
  /* frame 2: flat depth is 255; joint 0 red dot (3x3), joint 1 green, bone 1 green line */
  CU_ASSERT(is_rgb(px(img, SW, 2, 0, 0), 255, 255, 255));
  for (int k = 0; k < 9; k++) CU_ASSERT(is_rgb(px(img, SW, 2, 3 + k % 3, 3 + k / 3), 255, 0, 0));
  CU_ASSERT(is_rgb(px(img, SW, 2, 14, 4), 0, 255, 0));
  CU_ASSERT(is_rgb(px(img, SW, 2, 15, 5), 0, 255, 0));
  CU_ASSERT(is_rgb(px(img, SW, 2, 9, 4), 0, 255, 0));
  CU_ASSERT(is_rgb(px(img, SW, 2, 9, 3), 255, 255, 255));
  /* bone 2 (blue) runs up to the tile edge, clipped; nothing leaks into the border */
  CU_ASSERT(is_rgb(px(img, SW, 2, 4, 0), 0, 0, 255));
  CU_ASSERT(is_rgb(px(img, SW, 2, 4, -1), g, g, g));
  free(img);
  remove(path);
}

static void test_unwritable(void) {
  static uint16_t d[W * H];
  const char *path = "/nonexistent-dir-dp/preview.png";
  dp_error_clear();
  CU_ASSERT(dp_preview_png(path, 1, W, H, d, NULL, 0, NULL, 1) == -1);
  CU_ASSERT(strstr(dp_error_message(), path) != NULL);
  CU_ASSERT(!exists(path));
  /* the target is a directory: the tmp file is written, the rename fails, tmp is gone */
  const char *dir = "test_preview_dir.png";
  rmdir(dir);
  CU_ASSERT_FATAL(mkdir(dir, 0755) == 0);
  dp_error_clear();
  CU_ASSERT(dp_preview_png(dir, 1, W, H, d, NULL, 0, NULL, 1) == -1);
  CU_ASSERT(strstr(dp_error_message(), dir) != NULL);
  CU_ASSERT(!exists("test_preview_dir.png.tmp"));
  rmdir(dir);
  dp_error_clear();
  int bad_parent[2] = {-1, 5};
  float jt[4] = {1, 1, 2, 2};
  CU_ASSERT(dp_preview_png("test_preview_x.png", 1, W, H, d, jt, 2, bad_parent, 1) == -1);
  CU_ASSERT(strstr(dp_error_message(), "parent[1]") != NULL);
  CU_ASSERT(!exists("test_preview_x.png"));
  dp_error_clear();
}

DP_TEST_MAIN("preview", DP_TEST(test_grid), DP_TEST(test_unwritable))
