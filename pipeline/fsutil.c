/* fsutil.c - see fsutil.h. */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depthpose/error.h"

static void fsync_path(const char *path, int dir) {
  int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

int dp_commit_file(const char *partial, const char *final) {
  fsync_path(partial, 0);
  if (rename(partial, final) != 0)
    return dp_fail("cannot rename %s to %s: %s", partial, final, strerror(errno));
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", final);
  char *slash = strrchr(dir, '/');
  if (slash) {
    *slash = '\0';
    fsync_path(dir, 1);
  }
  return 0;
}

int dp_mkdirs(const char *dir) {
  char p[4096];
  snprintf(p, sizeof p, "%s", dir);
  for (char *s = p + 1; *s; s++)
    if (*s == '/') {
      *s = '\0';
      if (mkdir(p, 0777) != 0 && errno != EEXIST)
        return dp_fail("cannot create directory %s: %s", p, strerror(errno));
      *s = '/';
    }
  if (mkdir(p, 0777) != 0 && errno != EEXIST)
    return dp_fail("cannot create directory %s: %s", p, strerror(errno));
  return 0;
}

int dp_file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int dp_remove_if_exists(const char *path) {
  if (unlink(path) != 0 && errno != ENOENT)
    return dp_fail("cannot remove %s: %s", path, strerror(errno));
  return 0;
}
