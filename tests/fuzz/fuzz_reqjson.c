/*
 * The strict reading of every request body (server/reqjson.h), before any
 * handler looks at it. A body that is accepted is valid UTF-8 without NUL
 * bytes, nests at most REQJSON_MAX_DEPTH containers, has no member twice in
 * one object, and prints and re-reads to the same JSON. One that is refused
 * yields no tree and a reason. The typed accessors agree with the JSON type
 * of every member and name it as a JSON pointer that decodes back to it.
 */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>

#include "core/utf8.h"
#include "server/reqjson.h"

#define MAX_INT 9007199254740991LL

static int
depth(const cJSON *j)
{
    if (!cJSON_IsObject(j) && !cJSON_IsArray(j))
        return 0;
    int d = 0;
    for (const cJSON *c = j->child; c; c = c->next) {
        int k = depth(c);
        d = k > d ? k : d;
    }
    return d + 1;
}

static bool
has_duplicates(const cJSON *j)
{
    for (const cJSON *a = j ? j->child : NULL; a; a = a->next) {
        if (cJSON_IsObject(j))
            for (const cJSON *b = a->next; b; b = b->next)
                if (strcmp(a->string, b->string) == 0)
                    return true;
        if (has_duplicates(a))
            return true;
    }
    return false;
}

/* err->field must be "/" + name with ~ and / escaped (RFC 6901), unless it was cut to fit. */
static void
names(const struct reqjson_err *err, const char *name)
{
    char decoded[sizeof err->field];
    const char *p = err->field;
    size_t n = 0;
    FUZZ_ASSERT(err->fail == RJ_INVALID && *p++ == '/');
    for (; *p; p++) {
        if (*p == '~') {
            FUZZ_ASSERT(p[1] == '0' || p[1] == '1');
            decoded[n++] = p[1] == '0' ? '~' : '/';
            p++;
        } else {
            FUZZ_ASSERT(*p != '/');
            decoded[n++] = *p;
        }
    }
    decoded[n] = '\0';
    if (strlen(err->field) < sizeof err->field - 3)
        FUZZ_ASSERT_STR_EQ(decoded, name);
    else
        FUZZ_ASSERT(strncmp(decoded, name, n) == 0);
}

static void
accessors(const cJSON *root)
{
    struct reqjson_err err;
    const char *s;
    int64_t v;
    bool b, present;
    const cJSON *o;
    size_t count = 0;
    for (const cJSON *m = root->child; m; m = m->next, count++) {
        const char *name = m->string;
        bool is_int = reqjson_is_int(m, 0, MAX_INT, &v);
        memset(&err, 0, sizeof err);
        if (!reqjson_string(root, "", name, true, 64, &s, &err))
            names(&err, name);
        else
            FUZZ_ASSERT(cJSON_IsString(m) && strlen(s) <= 64 && s == m->valuestring);
        memset(&err, 0, sizeof err);
        if (!reqjson_int(root, "", name, true, 0, MAX_INT, &v, &present, &err)) {
            names(&err, name);
            FUZZ_ASSERT(!is_int);
        } else {
            FUZZ_ASSERT(is_int && present && (double)v == m->valuedouble);
        }
        memset(&err, 0, sizeof err);
        if (!reqjson_bool(root, "", name, true, &b, &present, &err)) {
            names(&err, name);
            FUZZ_ASSERT(!cJSON_IsBool(m));
        } else {
            FUZZ_ASSERT(cJSON_IsBool(m) && b == cJSON_IsTrue(m));
        }
        memset(&err, 0, sizeof err);
        if (!reqjson_object(root, "", name, true, true, &o, &err)) {
            names(&err, name);
            FUZZ_ASSERT(!cJSON_IsObject(m) && !cJSON_IsNull(m));
        } else {
            FUZZ_ASSERT(o == (cJSON_IsNull(m) ? NULL : m));
        }
        memset(&err, 0, sizeof err);
        if (!reqjson_array(root, "", name, true, &o, &err)) {
            names(&err, name);
            FUZZ_ASSERT(!cJSON_IsArray(m));
        } else {
            FUZZ_ASSERT(o == m && cJSON_IsArray(m));
        }
    }
    /* Absent members: fine unless required. */
    static const char absent[] = "\x01not-a-member";
    FUZZ_ASSERT(reqjson_string(root, "", absent, false, 1, &s, &err) && s == NULL);
    memset(&err, 0, sizeof err);
    FUZZ_ASSERT(!reqjson_int(root, "", absent, true, 0, 1, &v, &present, &err) && !present);
    names(&err, absent);
    /* Only the first member's name allowed: fine exactly when there is no other. */
    const char *allowed[] = {root->child ? root->child->string : "", NULL};
    memset(&err, 0, sizeof err);
    bool only = reqjson_only(root, "", allowed, &err);
    FUZZ_ASSERT(only == (count <= 1));
    if (!only)
        names(&err, root->child->next->string);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    cJSON *root = NULL;
    struct reqjson_err err;
    enum reqjson_fail f = reqjson_parse(body, size, &root, &err);
    if (f != RJ_OK) {
        FUZZ_ASSERT(root == NULL && err.fail == f && err.detail[0]);
        FUZZ_ASSERT(f == RJ_BAD_JSON || f == RJ_BAD_UTF8 || f == RJ_INVALID);
        return 0;
    }
    FUZZ_ASSERT(root && utf8_valid(body, size) && !memchr(body, '\0', size));
    FUZZ_ASSERT(depth(root) <= REQJSON_MAX_DEPTH && !has_duplicates(root));

    char *printed = cJSON_PrintUnformatted(root);
    FUZZ_ASSERT(printed);
    cJSON *again = NULL;
    FUZZ_ASSERT(reqjson_parse(printed, strlen(printed), &again, &err) == RJ_OK);
    char *printed2 = cJSON_PrintUnformatted(again);
    FUZZ_ASSERT_STR_EQ(printed2, printed);
    cJSON_free(printed2);
    cJSON_Delete(again);
    cJSON_free(printed);

    if (cJSON_IsObject(root))
        accessors(root);
    cJSON_Delete(root);
    return 0;
}
