/* hash.h - a 64-bit non-cryptographic content hash, used by the manifest to notice
 * changed configs and inputs. Not for security; collisions are astronomically rare. */
#ifndef DEPTHPOSE_HASH_H
#define DEPTHPOSE_HASH_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t h;
  uint64_t len;
} dp_hash;

void dp_hash_init(dp_hash *s);
void dp_hash_update(dp_hash *s, const void *data, size_t n);
uint64_t dp_hash_final(const dp_hash *s);
uint64_t dp_hash_bytes(const void *data, size_t n);
/* Hash of a file's content; -1 with a message naming the file if it cannot be read. */
int dp_hash_file(const char *path, uint64_t *out);

#endif
