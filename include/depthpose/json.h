/* json.h - reading a JSON file (MakeHuman's rig and weights, evaluate's summary.json)
 * through json-c, with the project's error reporting: syntax errors name the file and
 * line, and the top level must be an object. */
#ifndef DEPTHPOSE_JSON_H
#define DEPTHPOSE_JSON_H
#include <json-c/json.h>
#include <stddef.h>

/* Parse text[0..len) (path names it in messages) into *out, a JSON object the caller
 * releases with json_object_put. Returns 0, or -1 with the message set. */
int dp_json_parse(const char *path, const char *text, size_t len, json_object **out);
/* The same for the whole file at path (at most max_bytes long). */
int dp_json_read(const char *path, size_t max_bytes, json_object **out);
/* The member key of object o if it exists and has the given type, else NULL. */
json_object *dp_json_member(json_object *o, const char *key, json_type type);

#endif
