#include "server/reqjson.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

struct scan {
    const char *s;
    size_t len;
    size_t pos;
    struct reqjson_err *err;
};

static enum reqjson_fail
scan_fail(struct scan *sc, enum reqjson_fail f, const char *detail)
{
    sc->err->fail = f;
    snprintf(sc->err->detail, sizeof sc->err->detail, "%s at byte %zu", detail, sc->pos);
    return f;
}

static void
skip_ws(struct scan *sc)
{
    while (sc->pos < sc->len) {
        char c = sc->s[sc->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        sc->pos++;
    }
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool
read_u4(struct scan *sc, unsigned *out)
{
    if (sc->len - sc->pos < 4)
        return false;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(sc->s[sc->pos + (size_t)i]);
        if (h < 0)
            return false;
        v = v * 16 + (unsigned)h;
    }
    sc->pos += 4;
    *out = v;
    return true;
}

static enum reqjson_fail
scan_string(struct scan *sc)
{
    size_t start = ++sc->pos; /* opening quote */
    while (sc->pos < sc->len) {
        unsigned char c = (unsigned char)sc->s[sc->pos];
        if (c == '"') {
            if (sc->pos - start > REQJSON_MAX_STRING)
                return scan_fail(sc, RJ_INVALID, "string longer than 16 KiB");
            sc->pos++;
            return RJ_OK;
        }
        if (c < 0x20)
            return scan_fail(sc, RJ_BAD_JSON, "control character in string");
        if (c != '\\') {
            sc->pos++;
            continue;
        }
        sc->pos++;
        if (sc->pos >= sc->len)
            break;
        char e = sc->s[sc->pos++];
        if (strchr("\"\\/bfnrt", e))
            continue;
        if (e != 'u')
            return scan_fail(sc, RJ_BAD_JSON, "bad escape in string");
        unsigned u;
        if (!read_u4(sc, &u))
            return scan_fail(sc, RJ_BAD_JSON, "bad \\u escape");
        if (u == 0)
            return scan_fail(sc, RJ_BAD_UTF8, "\\u0000 in string");
        if (u >= 0xDC00 && u <= 0xDFFF)
            return scan_fail(sc, RJ_BAD_UTF8, "lone low surrogate escape");
        if (u >= 0xD800 && u <= 0xDBFF) {
            unsigned lo;
            if (sc->len - sc->pos < 2 || sc->s[sc->pos] != '\\' || sc->s[sc->pos + 1] != 'u')
                return scan_fail(sc, RJ_BAD_UTF8, "lone high surrogate escape");
            sc->pos += 2;
            if (!read_u4(sc, &lo))
                return scan_fail(sc, RJ_BAD_JSON, "bad \\u escape");
            if (lo < 0xDC00 || lo > 0xDFFF)
                return scan_fail(sc, RJ_BAD_UTF8, "lone high surrogate escape");
        }
    }
    return scan_fail(sc, RJ_BAD_JSON, "unterminated string");
}

static bool
digit(struct scan *sc)
{
    return sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9';
}

static enum reqjson_fail
scan_number(struct scan *sc)
{
    if (sc->s[sc->pos] == '-')
        sc->pos++;
    if (!digit(sc))
        return scan_fail(sc, RJ_BAD_JSON, "bad number");
    if (sc->s[sc->pos] == '0') {
        sc->pos++;
    } else {
        while (digit(sc))
            sc->pos++;
    }
    if (sc->pos < sc->len && sc->s[sc->pos] == '.') {
        sc->pos++;
        if (!digit(sc))
            return scan_fail(sc, RJ_BAD_JSON, "bad number");
        while (digit(sc))
            sc->pos++;
    }
    if (sc->pos < sc->len && (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E')) {
        sc->pos++;
        if (sc->pos < sc->len && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
            sc->pos++;
        if (!digit(sc))
            return scan_fail(sc, RJ_BAD_JSON, "bad number");
        while (digit(sc))
            sc->pos++;
    }
    return RJ_OK;
}

static enum reqjson_fail
scan_literal(struct scan *sc, const char *word)
{
    size_t n = strlen(word);
    if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, word, n) != 0)
        return scan_fail(sc, RJ_BAD_JSON, "unexpected character");
    sc->pos += n;
    return RJ_OK;
}

static enum reqjson_fail scan_value(struct scan *sc, int depth);

static enum reqjson_fail
scan_container(struct scan *sc, int depth, char close)
{
    if (depth >= REQJSON_MAX_DEPTH)
        return scan_fail(sc, RJ_INVALID, "JSON nested deeper than 16 levels");
    sc->pos++;
    skip_ws(sc);
    if (sc->pos < sc->len && sc->s[sc->pos] == close) {
        sc->pos++;
        return RJ_OK;
    }
    for (;;) {
        enum reqjson_fail f;
        skip_ws(sc);
        if (close == '}') {
            if (sc->pos >= sc->len || sc->s[sc->pos] != '"')
                return scan_fail(sc, RJ_BAD_JSON, "expected a member name");
            if ((f = scan_string(sc)) != RJ_OK)
                return f;
            skip_ws(sc);
            if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
                return scan_fail(sc, RJ_BAD_JSON, "expected ':'");
            sc->pos++;
        }
        if ((f = scan_value(sc, depth + 1)) != RJ_OK)
            return f;
        skip_ws(sc);
        if (sc->pos >= sc->len)
            return scan_fail(sc, RJ_BAD_JSON, "unexpected end");
        char c = sc->s[sc->pos++];
        if (c == close)
            return RJ_OK;
        if (c != ',')
            return scan_fail(sc, RJ_BAD_JSON, "expected ',' or end of container");
    }
}

static enum reqjson_fail
scan_value(struct scan *sc, int depth)
{
    skip_ws(sc);
    if (sc->pos >= sc->len)
        return scan_fail(sc, RJ_BAD_JSON, "unexpected end");
    switch (sc->s[sc->pos]) {
    case '{':
        return scan_container(sc, depth, '}');
    case '[':
        return scan_container(sc, depth, ']');
    case '"':
        return scan_string(sc);
    case 't':
        return scan_literal(sc, "true");
    case 'f':
        return scan_literal(sc, "false");
    case 'n':
        return scan_literal(sc, "null");
    default:
        return scan_number(sc);
    }
}

static int
key_cmp(const void *a, const void *b)
{
    const char *ka = *(const char *const *)a, *kb = *(const char *const *)b;
    return strcmp(ka, kb);
}

/* Duplicate member names, found by sorting each object's keys. */
static bool
no_duplicates(const cJSON *node, struct reqjson_err *err)
{
    if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
        return true;
    size_t n = 0;
    for (const cJSON *c = node->child; c; c = c->next)
        n++;
    if (cJSON_IsObject(node) && n > 1) {
        const char **keys = malloc(n * sizeof *keys);
        if (!keys)
            return reqjson_fail(err, "", NULL, "out of memory");
        size_t i = 0;
        for (const cJSON *c = node->child; c; c = c->next)
            keys[i++] = c->string ? c->string : "";
        qsort(keys, n, sizeof *keys, key_cmp);
        bool dup = false;
        for (i = 1; i < n && !dup; i++)
            dup = strcmp(keys[i - 1], keys[i]) == 0;
        free(keys);
        if (dup)
            return reqjson_fail(err, "", NULL, "a member name appears twice in one object");
    }
    for (const cJSON *c = node->child; c; c = c->next)
        if (!no_duplicates(c, err))
            return false;
    return true;
}

enum reqjson_fail
reqjson_parse(const char *body, size_t len, cJSON **out, struct reqjson_err *err)
{
    *out = NULL;
    memset(err, 0, sizeof *err);
    if (!utf8_valid(body, len)) {
        err->fail = RJ_BAD_UTF8;
        snprintf(err->detail, sizeof err->detail, "body is not valid UTF-8");
        return RJ_BAD_UTF8;
    }
    struct scan sc = {.s = body, .len = len, .pos = 0, .err = err};
    enum reqjson_fail f = scan_value(&sc, 0);
    if (f != RJ_OK)
        return f;
    skip_ws(&sc);
    if (sc.pos != len)
        return scan_fail(&sc, RJ_BAD_JSON, "text after the JSON value");

    cJSON *root = cJSON_ParseWithLength(body, len);
    if (!root) {
        err->fail = RJ_BAD_JSON;
        snprintf(err->detail, sizeof err->detail, "JSON could not be parsed");
        return RJ_BAD_JSON;
    }
    if (!no_duplicates(root, err)) {
        cJSON_Delete(root);
        return RJ_INVALID;
    }
    *out = root;
    return RJ_OK;
}

void
reqjson_pointer(char *buf, size_t bufsize, const char *at, const char *name)
{
    size_t n = (size_t)snprintf(buf, bufsize, "%s/", at ? at : "");
    if (n >= bufsize)
        return;
    for (const char *p = name ? name : ""; *p && n + 3 < bufsize; p++) {
        if (*p == '~') {
            buf[n++] = '~';
            buf[n++] = '0';
        } else if (*p == '/') {
            buf[n++] = '~';
            buf[n++] = '1';
        } else {
            buf[n++] = *p;
        }
    }
    buf[n] = '\0';
}

void
reqjson_pointer_index(char *buf, size_t bufsize, const char *at, size_t index)
{
    snprintf(buf, bufsize, "%s/%zu", at ? at : "", index);
}

bool
reqjson_fail(struct reqjson_err *err, const char *at, const char *name, const char *detail)
{
    if (!err)
        return false;
    err->fail = RJ_INVALID;
    if (name)
        reqjson_pointer(err->field, sizeof err->field, at, name);
    else
        snprintf(err->field, sizeof err->field, "%s", at ? at : "");
    snprintf(err->detail, sizeof err->detail, "%s", detail ? detail : "invalid");
    return false;
}

bool
reqjson_only(const cJSON *obj, const char *at, const char *const allowed[], struct reqjson_err *err)
{
    if (!cJSON_IsObject(obj))
        return reqjson_fail(err, at, NULL, "must be an object");
    for (const cJSON *c = obj->child; c; c = c->next) {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(allowed[i], c->string) == 0;
        if (!ok)
            return reqjson_fail(err, at, c->string, "unknown member");
    }
    return true;
}

/* The member, or NULL; reports a missing required one. */
static const cJSON *
member(const cJSON *obj, const char *at, const char *name, bool required, struct reqjson_err *err,
       bool *missing)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    *missing = it == NULL;
    if (!it && required)
        reqjson_fail(err, at, name, "required member is missing");
    return it;
}

bool
reqjson_string(const cJSON *obj, const char *at, const char *name, bool required, size_t max_bytes,
               const char **out, struct reqjson_err *err)
{
    bool missing;
    const cJSON *it = member(obj, at, name, required, err, &missing);
    *out = NULL;
    if (missing)
        return !required;
    if (!cJSON_IsString(it) || !it->valuestring)
        return reqjson_fail(err, at, name, "must be a string");
    if (strlen(it->valuestring) > max_bytes)
        return reqjson_fail(err, at, name, "string is too long");
    *out = it->valuestring;
    return true;
}

bool
reqjson_is_int(const cJSON *item, int64_t min, int64_t max, int64_t *out)
{
    if (!cJSON_IsNumber(item))
        return false;
    double d = item->valuedouble;
    if (!isfinite(d) || d != floor(d) || d < -9007199254740991.0 || d > 9007199254740991.0)
        return false;
    int64_t v = (int64_t)d;
    if (v < min || v > max)
        return false;
    if (out)
        *out = v;
    return true;
}

bool
reqjson_int(const cJSON *obj, const char *at, const char *name, bool required, int64_t min,
            int64_t max, int64_t *out, bool *present, struct reqjson_err *err)
{
    bool missing;
    const cJSON *it = member(obj, at, name, required, err, &missing);
    if (present)
        *present = !missing;
    if (missing)
        return !required;
    if (!cJSON_IsNumber(it))
        return reqjson_fail(err, at, name, "must be an integer");
    if (!reqjson_is_int(it, min, max, out))
        return reqjson_fail(err, at, name, "integer out of range");
    return true;
}

bool
reqjson_bool(const cJSON *obj, const char *at, const char *name, bool required, bool *out,
             bool *present, struct reqjson_err *err)
{
    bool missing;
    const cJSON *it = member(obj, at, name, required, err, &missing);
    if (present)
        *present = !missing;
    if (missing)
        return !required;
    if (!cJSON_IsBool(it))
        return reqjson_fail(err, at, name, "must be true or false");
    *out = cJSON_IsTrue(it);
    return true;
}

bool
reqjson_object(const cJSON *obj, const char *at, const char *name, bool required, bool nullable,
               const cJSON **out, struct reqjson_err *err)
{
    bool missing;
    const cJSON *it = member(obj, at, name, required, err, &missing);
    *out = NULL;
    if (missing)
        return !required;
    if (nullable && cJSON_IsNull(it))
        return true;
    if (!cJSON_IsObject(it))
        return reqjson_fail(err, at, name, "must be an object");
    *out = it;
    return true;
}

bool
reqjson_array(const cJSON *obj, const char *at, const char *name, bool required, const cJSON **out,
              struct reqjson_err *err)
{
    bool missing;
    const cJSON *it = member(obj, at, name, required, err, &missing);
    *out = NULL;
    if (missing)
        return !required;
    if (!cJSON_IsArray(it))
        return reqjson_fail(err, at, name, "must be an array");
    *out = it;
    return true;
}
