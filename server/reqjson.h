/*
 * Strict reading of request bodies. cJSON alone is lenient (it takes "+1",
 * "01", duplicate member names, and cuts strings at \u0000), so bodies are
 * first checked against the RFC 8259 grammar here, then parsed, then read
 * through typed accessors that name the member at fault as a JSON pointer.
 */
#ifndef DOORSTEP_SERVER_REQJSON_H
#define DOORSTEP_SERVER_REQJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#define REQJSON_MAX_DEPTH  16
#define REQJSON_MAX_STRING 16384

enum reqjson_fail {
    RJ_OK,
    RJ_BAD_JSON, /* not one well-formed JSON value */
    RJ_BAD_UTF8, /* invalid UTF-8 or a \u0000 escape */
    RJ_INVALID,  /* well-formed but against the rules: depth, long string, duplicate member */
};

/* Where and why a body was refused; never holds a value from the body. */
struct reqjson_err {
    enum reqjson_fail fail;
    char field[160]; /* JSON pointer, "" when not about one member */
    char detail[160];
};

/*
 * Check and parse body[0..len) (no NUL needed). On RJ_OK *out owns the tree
 * (cJSON_Delete it); otherwise *out is NULL and *err says why.
 */
enum reqjson_fail reqjson_parse(const char *body, size_t len, cJSON **out, struct reqjson_err *err);

/*
 * Typed access to members of `obj` (which sits at JSON pointer `at`, "" for
 * the root). Each returns true when the member is fine (or absent and not
 * required: then *present, if given, is false); false with err filled
 * (fail = RJ_INVALID) otherwise. Strings borrow from the tree.
 */
bool reqjson_only(const cJSON *obj, const char *at, const char *const allowed[],
                  struct reqjson_err *err);
bool reqjson_string(const cJSON *obj, const char *at, const char *name, bool required,
                    size_t max_bytes, const char **out, struct reqjson_err *err);
bool reqjson_int(const cJSON *obj, const char *at, const char *name, bool required, int64_t min,
                 int64_t max, int64_t *out, bool *present, struct reqjson_err *err);
bool reqjson_bool(const cJSON *obj, const char *at, const char *name, bool required, bool *out,
                  bool *present, struct reqjson_err *err);
/* Object or array member; *out NULL when absent (or JSON null and `nullable`). */
bool reqjson_object(const cJSON *obj, const char *at, const char *name, bool required,
                    bool nullable, const cJSON **out, struct reqjson_err *err);
bool reqjson_array(const cJSON *obj, const char *at, const char *name, bool required,
                   const cJSON **out, struct reqjson_err *err);

/* True when a cJSON number holds an integer in [min, max] exactly. */
bool reqjson_is_int(const cJSON *item, int64_t min, int64_t max, int64_t *out);

/* Append "/name" (escaped per RFC 6901) to the pointer `at` into buf. */
void reqjson_pointer(char *buf, size_t bufsize, const char *at, const char *name);

/* Same with an array index. */
void reqjson_pointer_index(char *buf, size_t bufsize, const char *at, size_t index);

/* Fill err (any of the strings may be NULL) and return false, for callers' own checks. */
bool reqjson_fail(struct reqjson_err *err, const char *at, const char *name, const char *detail);

#endif
