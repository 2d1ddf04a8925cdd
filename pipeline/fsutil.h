/* fsutil.h - file-system steps of atomic outputs. */
#ifndef DEPTHPOSE_FSUTIL_H
#define DEPTHPOSE_FSUTIL_H

/* fsync `partial`, rename it to `final`, fsync the directory: after this returns, the
 * final name holds the complete file even across a crash. */
int dp_commit_file(const char *partial, const char *final);
int dp_mkdirs(const char *dir);       /* mkdir -p */
int dp_file_exists(const char *path);
int dp_remove_if_exists(const char *path);

#endif
