/* json.c - JSON files through json-c (json.h). json-c reports where it stopped as a
 * byte offset; messages turn that into a line number. */
#include "depthpose/json.h"

#include <stdlib.h>
#include <string.h>

#include "depthpose/error.h"
#include "../stages/ingest/mocap_text.h" /* dp_slurp */

static int line_of(const char *text, size_t off) {
  int line = 1;
  for (size_t i = 0; i < off && text[i]; i++) line += text[i] == '\n';
  return line;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int dp_json_parse(const char *path, const char *text, size_t len, json_object **out) {
  *out = NULL;
  if (memchr(text, '\0', len)) return dp_fail("%s: not a text file (contains NUL bytes)", path);
  /* json-c takes the length as an int */
  if (len > (size_t)1 << 30) return dp_fail("%s: %zu bytes, too large for a JSON file here", path, len);
  json_tokener *tok = json_tokener_new();
  if (!tok) return dp_fail("%s: out of memory for the JSON parser", path);
  json_object *o = json_tokener_parse_ex(tok, text, (int)len);
  enum json_tokener_error err = json_tokener_get_error(tok);
  size_t end = json_tokener_get_parse_end(tok);
  int rc = 0;
  if (err == json_tokener_continue)
    rc = dp_fail("%s:%d: unexpected end of file inside the JSON text (cut short?)", path,
                 line_of(text, len));
  else if (err != json_tokener_success || !o)
    rc = dp_fail("%s:%d: JSON syntax error: %s", path, line_of(text, end),
                 json_tokener_error_desc(err));
  else {
    while (end < len && is_space(text[end])) end++;
    if (end < len) rc = dp_fail("%s:%d: text after the end of the JSON object", path, line_of(text, end));
    else if (!json_object_is_type(o, json_type_object))
      rc = dp_fail("%s: expected a JSON object at the top level", path);
  }
  json_tokener_free(tok);
  if (rc) json_object_put(o);
  else *out = o;
  return rc;
}

int dp_json_read(const char *path, size_t max_bytes, json_object **out) {
  *out = NULL;
  char *buf;
  size_t len;
  DP_TRY(dp_slurp(path, &buf, &len));
  int rc = len > max_bytes ? dp_fail("%s: %zu bytes, more than the %zu expected", path, len, max_bytes)
                           : dp_json_parse(path, buf, len, out);
  free(buf);
  return rc;
}

json_object *dp_json_member(json_object *o, const char *key, json_type type) {
  json_object *v;
  if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type)) return NULL;
  return v;
}
