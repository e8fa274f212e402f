/*
 * A mutation out: the canonical serialisation and its hash (what detects a
 * rolled-back client), and the wire JSON built with cJSON.
 */
#include "core/mutation_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* ---- canonical form and hash ------------------------------------------------------------- */

void
mutation_buf_put(struct mutation_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void
mutation_buf_puts(struct mutation_buf *b, const char *s)
{
    mutation_buf_put(b, s, strlen(s));
}

static void
cb_int(struct mutation_buf *b, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%" PRId64, v);
    mutation_buf_put(b, num, (size_t)n);
}

/* A JSON string: only '"', '\\' and control characters escaped; UTF-8 passes through. */
static void
cb_str(struct mutation_buf *b, const char *s, size_t n)
{
    mutation_buf_put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        mutation_buf_put(b, s + run, i - run);
        run = i + 1;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            mutation_buf_put(b, esc, 2);
        } else if (c == '\n') {
            mutation_buf_put(b, "\\n", 2);
        } else {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            mutation_buf_put(b, esc, 6);
        }
    }
    mutation_buf_put(b, s + run, n - run);
    mutation_buf_put(b, "\"", 1);
}

/* True when s is an integer in canonical decimal form that a JSON number holds exactly. */
static bool
canonical_int(const char *s, int64_t *out)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (!*p || (p[0] == '0' && p[1]) || (s[0] == '-' && p[0] == '0'))
        return false;
    size_t n = 0;
    for (; p[n]; n++)
        if (p[n] < '0' || p[n] > '9')
            return false;
    if (n > 16)
        return false;
    long long v = strtoll(s, NULL, 10);
    if (v > JSON_INT_MAX || v < -JSON_INT_MAX)
        return false;
    *out = v;
    return true;
}

/* One value in its JSON wire form; anything not in canonical form goes as a plain string. */
static void
cb_value(struct mutation_buf *b, const struct field_def *f, const char *v)
{
    int64_t num;
    if (!*v) {
        mutation_buf_puts(b, "null");
        return;
    }
    switch (f->type) {
    case FT_MONEY:
        if (canonical_int(v, &num)) {
            cb_int(b, num);
            return;
        }
        break;
    case FT_BOOL:
        if (strcmp(v, "1") == 0 || strcmp(v, "0") == 0) {
            mutation_buf_puts(b, *v == '1' ? "true" : "false");
            return;
        }
        break;
    case FT_SET: {
        mutation_buf_put(b, "[", 1);
        const char *p = v;
        for (;;) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            cb_str(b, p, n);
            if (!comma)
                break;
            mutation_buf_put(b, ",", 1);
            p = comma + 1;
        }
        mutation_buf_put(b, "]", 1);
        return;
    }
    default:
        break;
    }
    cb_str(b, v, strlen(v));
}

/* ,"key":{...} with the non-NULL values in schema order; `always` writes {} when there are none. */
static void
cb_values(struct mutation_buf *b, const char *key, const struct record_def *def,
          char *const *values, int deleted, bool always)
{
    bool any = deleted >= 0;
    for (size_t i = 0; i < def->nfields && i < MUTATION_MAX_FIELDS && !any; i++)
        any = values[i] != NULL;
    if (!any && !always)
        return;
    mutation_buf_put(b, ",\"", 2);
    mutation_buf_puts(b, key);
    mutation_buf_put(b, "\":{", 3);
    bool first = true;
    if (deleted >= 0) {
        mutation_buf_puts(b, deleted ? "\"_deleted\":true" : "\"_deleted\":false");
        first = false;
    }
    for (size_t i = 0; i < def->nfields && i < MUTATION_MAX_FIELDS; i++) {
        if (!values[i])
            continue;
        if (!first)
            mutation_buf_put(b, ",", 1);
        first = false;
        cb_str(b, def->fields[i].name, strlen(def->fields[i].name));
        mutation_buf_put(b, ":", 1);
        cb_value(b, &def->fields[i], values[i]);
    }
    mutation_buf_put(b, "}", 1);
}

static void
cb_key(struct mutation_buf *b, const char *key, bool first)
{
    mutation_buf_puts(b, first ? "{\"" : ",\"");
    mutation_buf_puts(b, key);
    mutation_buf_put(b, "\":", 2);
}

static void
cb_key_str(struct mutation_buf *b, const char *key, const char *value)
{
    cb_key(b, key, false);
    cb_str(b, value, strlen(value));
}

enum dp_status
mutation_canonical(const struct mutation *m, char **out, size_t *len)
{
    struct mutation_buf b = {0};
    char hlc[HLC_STR_SIZE];
    *out = NULL;
    if (!m->def)
        return DP_EINVAL;
    hlc_format(&m->hlc, hlc, sizeof hlc);

    cb_key(&b, "mid", true);
    cb_int(&b, m->mid);
    cb_key_str(&b, "id", m->mutation_id);
    cb_key_str(&b, "hlc", hlc);
    cb_key_str(&b, "op", mutation_op_name(m->op));
    cb_key_str(&b, "t", m->def->name);
    cb_key_str(&b, "rid", m->rid);
    if (m->base_v >= 0) {
        cb_key(&b, "base_v", false);
        cb_int(&b, m->base_v);
    }
    cb_values(&b, "base", m->def, m->base, -1, false);
    cb_values(&b, "set", m->def, m->set, -1, false);
    if (m->conflict_id[0])
        cb_key_str(&b, "conflict_id", m->conflict_id);
    cb_values(&b, "choose", m->def, m->choose, m->choose_deleted, m->op == MUT_RESOLVE);
    if (m->action != MUT_REVIEW_NONE)
        cb_key_str(&b, "action", mutation_review_names[m->action]);
    if (m->comment)
        cb_key_str(&b, "comment", m->comment);
    if (m->op == MUT_ASSIGN || m->to[0])
        cb_key_str(&b, "to", m->to);
    mutation_buf_put(&b, "}", 1);

    if (b.oom) {
        free(b.p);
        return DP_ENOMEM;
    }
    *out = b.p;
    if (len)
        *len = b.len;
    return DP_OK;
}

enum dp_status
mutation_hash(const struct mutation *m, char *buf, size_t bufsize)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char digest[crypto_hash_sha256_BYTES];
    char *canon;
    size_t len;
    if (bufsize < MUTATION_HASH_SIZE)
        return DP_EINVAL;
    enum dp_status st = mutation_canonical(m, &canon, &len);
    if (st != DP_OK)
        return st;
    crypto_hash_sha256(digest, (const unsigned char *)canon, len);
    free(canon);
    memcpy(buf, "sha256:", 7);
    for (size_t i = 0; i < sizeof digest; i++) {
        buf[7 + 2 * i] = hex[digest[i] >> 4];
        buf[8 + 2 * i] = hex[digest[i] & 15];
    }
    buf[7 + 2 * sizeof digest] = '\0';
    return DP_OK;
}

/* ---- JSON out ---------------------------------------------------------------------------- */

static cJSON *
value_to_json(const struct field_def *f, const char *v)
{
    int64_t num;
    if (!*v)
        return cJSON_CreateNull();
    switch (f->type) {
    case FT_MONEY:
        if (canonical_int(v, &num))
            return cJSON_CreateNumber((double)num);
        break;
    case FT_BOOL:
        if (strcmp(v, "1") == 0 || strcmp(v, "0") == 0)
            return cJSON_CreateBool(*v == '1');
        break;
    case FT_SET: {
        cJSON *arr = cJSON_CreateArray();
        const char *p = v;
        while (arr) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            char *tok = strndup(p, n);
            cJSON *item = tok ? cJSON_CreateString(tok) : NULL;
            free(tok);
            if (!item || !cJSON_AddItemToArray(arr, item)) {
                cJSON_Delete(item);
                cJSON_Delete(arr);
                return NULL;
            }
            if (!comma)
                break;
            p = comma + 1;
        }
        return arr;
    }
    default:
        break;
    }
    return cJSON_CreateString(v);
}

static bool
add_values(cJSON *obj, const char *key, const struct record_def *def, char *const *values,
           int deleted, bool always)
{
    cJSON *o = NULL;
    if ((always || deleted >= 0) && !(o = cJSON_AddObjectToObject(obj, key)))
        return false;
    if (deleted >= 0 && !cJSON_AddBoolToObject(o, "_deleted", deleted))
        return false;
    for (size_t i = 0; i < def->nfields && i < MUTATION_MAX_FIELDS; i++) {
        if (!values[i])
            continue;
        if (!o && !(o = cJSON_AddObjectToObject(obj, key)))
            return false;
        cJSON *item = value_to_json(&def->fields[i], values[i]);
        if (!item || !cJSON_AddItemToObject(o, def->fields[i].name, item)) {
            cJSON_Delete(item);
            return false;
        }
    }
    return true;
}

cJSON *
mutation_to_json(const struct mutation *m)
{
    char hash[MUTATION_HASH_SIZE], hlc[HLC_STR_SIZE];
    if (!m->def)
        return NULL;
    if (!m->hash[0] && mutation_hash(m, hash, sizeof hash) != DP_OK)
        return NULL;
    hlc_format(&m->hlc, hlc, sizeof hlc);
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddNumberToObject(o, "mid", (double)m->mid) &&
              cJSON_AddStringToObject(o, "id", m->mutation_id) &&
              cJSON_AddStringToObject(o, "hash", m->hash[0] ? m->hash : hash) &&
              cJSON_AddStringToObject(o, "hlc", hlc) &&
              cJSON_AddStringToObject(o, "op", mutation_op_name(m->op)) &&
              cJSON_AddStringToObject(o, "t", m->def->name) &&
              cJSON_AddStringToObject(o, "rid", m->rid);
    if (ok && m->base_v >= 0)
        ok = cJSON_AddNumberToObject(o, "base_v", (double)m->base_v) != NULL;
    ok = ok && add_values(o, "base", m->def, m->base, -1, false) &&
         add_values(o, "set", m->def, m->set, -1, false);
    if (ok && m->conflict_id[0])
        ok = cJSON_AddStringToObject(o, "conflict_id", m->conflict_id) != NULL;
    ok = ok && add_values(o, "choose", m->def, m->choose, m->choose_deleted, m->op == MUT_RESOLVE);
    if (ok && m->action != MUT_REVIEW_NONE)
        ok = cJSON_AddStringToObject(o, "action", mutation_review_names[m->action]) != NULL;
    if (ok && m->comment)
        ok = cJSON_AddStringToObject(o, "comment", m->comment) != NULL;
    if (ok && (m->op == MUT_ASSIGN || m->to[0]))
        ok = cJSON_AddStringToObject(o, "to", m->to) != NULL;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
