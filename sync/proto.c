#include "sync/proto.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <sodium.h>

#include "core/schema.h"
#include "core/utf8.h"
#include "core/validate.h"

/* Largest integer a JSON number holds exactly (PROTOCOL.md section 2). */
#define JSON_INT_MAX 9007199254740991.0

/* ---- small JSON readers: every one checks the member's JSON type ------------------------- */

static enum dp_status
bad(struct dp_error *err, const char *ptr, const char *what)
{
    return dp_error_set(err, DP_EPROTO, ptr, "unexpected answer from the server: %s %s",
                        ptr && *ptr ? ptr : "body", what);
}

/* A JSON pointer "/parent/name" (or "/parent/3/name") into buf. */
static const char *
ptr_join(char *buf, size_t bufsize, const char *parent, const char *name)
{
    snprintf(buf, bufsize, "%s/%s", parent, name);
    return buf;
}

static const char *
ptr_index(char *buf, size_t bufsize, const char *parent, size_t i)
{
    snprintf(buf, bufsize, "%s/%zu", parent, i);
    return buf;
}

/* No member name twice in one object: cJSON would silently read the first. */
static enum dp_status
no_duplicates(const cJSON *obj, const char *ptr, struct dp_error *err)
{
    size_t n = 0;
    for (const cJSON *a = obj->child; a; a = a->next, n++) {
        if (n > 256)
            return bad(err, ptr, "has too many members");
        for (const cJSON *b = a->next; b; b = b->next)
            if (a->string && b->string && strcmp(a->string, b->string) == 0)
                return bad(err, ptr, "has a member twice");
    }
    return DP_OK;
}

/* Plain text: valid UTF-8 without control characters (they could drive a terminal). */
static bool
text_ok(const char *s)
{
    size_t n = strlen(s);
    if (!utf8_valid(s, n))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

/* Printable ASCII without spaces (tokens, cursors, hashes). */
static bool
token_ok(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

enum str_kind { STR_TEXT, STR_TOKEN, STR_UUID };

/*
 * Copy the string member `name` of obj into buf. Absent (or null, when
 * `nullable`) leaves buf "" and is an error only when `required`.
 */
static enum dp_status
get_str(const cJSON *obj, const char *ptr, const char *name, bool required, enum str_kind kind,
        size_t minlen, char *buf, size_t bufsize, struct dp_error *err)
{
    char p[160];
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    buf[0] = '\0';
    if (!it || cJSON_IsNull(it)) {
        if (required)
            return bad(err, ptr_join(p, sizeof p, ptr, name), "is missing");
        return DP_OK;
    }
    if (!cJSON_IsString(it) || !it->valuestring)
        return bad(err, ptr_join(p, sizeof p, ptr, name), "is not a string");
    const char *s = it->valuestring;
    size_t n = strlen(s);
    if (n >= bufsize || n < minlen)
        return bad(err, ptr_join(p, sizeof p, ptr, name), "has a wrong length");
    bool ok = kind == STR_TEXT    ? text_ok(s)
              : kind == STR_TOKEN ? token_ok(s)
                                  : validate_uuid(s, name, NULL) == DP_OK;
    if (!ok)
        return bad(err, ptr_join(p, sizeof p, ptr, name), "holds characters it may not");
    memcpy(buf, s, n + 1);
    return DP_OK;
}

/* An integer member within [0, 2^53-1] and [min, max]. Absent: *out = dflt unless required. */
static enum dp_status
get_int(const cJSON *obj, const char *ptr, const char *name, bool required, int64_t min,
        int64_t max, int64_t dflt, int64_t *out, struct dp_error *err)
{
    char p[160];
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = dflt;
    if (!it || cJSON_IsNull(it)) {
        if (required)
            return bad(err, ptr_join(p, sizeof p, ptr, name), "is missing");
        return DP_OK;
    }
    if (!cJSON_IsNumber(it))
        return bad(err, ptr_join(p, sizeof p, ptr, name), "is not a number");
    double d = it->valuedouble;
    if (!(d >= 0 && d <= JSON_INT_MAX) || d != (double)(int64_t)d)
        return bad(err, ptr_join(p, sizeof p, ptr, name), "is not a whole number in range");
    int64_t v = (int64_t)d;
    if (v < min || v > max)
        return bad(err, ptr_join(p, sizeof p, ptr, name), "is out of range");
    *out = v;
    return DP_OK;
}

static enum dp_status
get_bool(const cJSON *obj, const char *ptr, const char *name, bool required, bool dflt, bool *out,
         struct dp_error *err)
{
    char p[160];
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = dflt;
    if (!it) {
        if (required)
            return bad(err, ptr_join(p, sizeof p, ptr, name), "is missing");
        return DP_OK;
    }
    if (!cJSON_IsBool(it))
        return bad(err, ptr_join(p, sizeof p, ptr, name), "is not true or false");
    *out = cJSON_IsTrue(it);
    return DP_OK;
}

/* An object member (checked for duplicate names). Absent or null: *out NULL unless required. */
static enum dp_status
get_obj(const cJSON *obj, const char *ptr, const char *name, bool required, const cJSON **out,
        struct dp_error *err)
{
    char p[160];
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = NULL;
    if (!it || cJSON_IsNull(it)) {
        if (required)
            return bad(err, ptr_join(p, sizeof p, ptr, name), "is missing");
        return DP_OK;
    }
    if (!cJSON_IsObject(it))
        return bad(err, ptr_join(p, sizeof p, ptr, name), "is not an object");
    enum dp_status st = no_duplicates(it, ptr_join(p, sizeof p, ptr, name), err);
    if (st == DP_OK)
        *out = it;
    return st;
}

static enum dp_status
get_array(const cJSON *obj, const char *ptr, const char *name, bool required, const cJSON **out,
          struct dp_error *err)
{
    char p[160];
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = NULL;
    if (!it) {
        if (required)
            return bad(err, ptr_join(p, sizeof p, ptr, name), "is missing");
        return DP_OK;
    }
    if (!cJSON_IsArray(it))
        return bad(err, ptr_join(p, sizeof p, ptr, name), "is not an array");
    *out = it;
    return DP_OK;
}

/* The body as one JSON object with nothing after it. *doc is the caller's to delete. */
static enum dp_status
parse_object(const char *body, size_t len, cJSON **doc, struct dp_error *err)
{
    *doc = NULL;
    if (!body || len == 0)
        return dp_error_set(err, DP_EPROTO, NULL,
                            "unexpected answer from the server: the body is empty");
    if (memchr(body, '\0', len))
        return dp_error_set(err, DP_EPROTO, NULL,
                            "unexpected answer from the server: the body holds a NUL byte");
    const char *end = NULL;
    cJSON *d = cJSON_ParseWithLengthOpts(body, len, &end, false);
    if (!d)
        return dp_error_set(err, DP_EPROTO, NULL,
                            "unexpected answer from the server: the JSON is broken or cut off "
                            "(at byte %zu of %zu)",
                            end && end >= body ? (size_t)(end - body) : (size_t)0, len);
    /* Only whitespace may follow the value. */
    for (const char *q = end; q && q < body + len; q++) {
        if (*q != ' ' && *q != '\n' && *q != '\r' && *q != '\t') {
            cJSON_Delete(d);
            return dp_error_set(err, DP_EPROTO, NULL,
                                "unexpected answer from the server: text after the JSON value");
        }
    }
    if (!cJSON_IsObject(d)) {
        cJSON_Delete(d);
        return dp_error_set(err, DP_EPROTO, NULL,
                            "unexpected answer from the server: the body is not a JSON object");
    }
    enum dp_status st = no_duplicates(d, "", err);
    if (st != DP_OK) {
        cJSON_Delete(d);
        return st;
    }
    *doc = d;
    return DP_OK;
}

/* ---- requests ---------------------------------------------------------------------------- */

static enum dp_status
print_doc(cJSON *doc, char **out, size_t *len)
{
    *out = NULL;
    if (len)
        *len = 0;
    if (!doc)
        return DP_ENOMEM;
    char *s = cJSON_PrintUnformatted(doc);
    if (!s)
        return DP_ENOMEM;
    *out = s;
    if (len)
        *len = strlen(s);
    return DP_OK;
}

/* Add members; a NULL from any cJSON call is remembered as out of memory. */
static void
add_str(cJSON *obj, const char *name, const char *value, bool *oom)
{
    if (!*oom && !cJSON_AddStringToObject(obj, name, value))
        *oom = true;
}

static void
add_int(cJSON *obj, const char *name, int64_t value, bool *oom)
{
    if (!*oom && !cJSON_AddNumberToObject(obj, name, (double)value))
        *oom = true;
}

static cJSON *
envelope(const char *device_id, bool *oom)
{
    cJSON *doc = cJSON_CreateObject();
    if (!doc) {
        *oom = true;
        return NULL;
    }
    add_int(doc, "protocol", PROTO_VERSION, oom);
    add_str(doc, "schema", proto_schema(), oom);
    add_str(doc, "device_id", device_id, oom);
    return doc;
}

enum dp_status
proto_login_request(const char *username, const char *password, const char *device_id, char **out,
                    size_t *len)
{
    bool oom = false;
    cJSON *doc = cJSON_CreateObject();
    if (!doc)
        return DP_ENOMEM;
    add_str(doc, "username", username, &oom);
    add_str(doc, "password", password, &oom);
    add_str(doc, "device_id", device_id, &oom);
    enum dp_status st = oom ? DP_ENOMEM : print_doc(doc, out, len);
    /* cJSON frees without wiping: clear its copy of the password first. */
    cJSON *pw = cJSON_GetObjectItemCaseSensitive(doc, "password");
    if (pw && pw->valuestring)
        sodium_memzero(pw->valuestring, strlen(pw->valuestring));
    cJSON_Delete(doc);
    return st;
}

enum dp_status
proto_hello_request(const char *device_id, const char *app_version, const char *client_time,
                    int64_t acked_mid, char **out, size_t *len)
{
    bool oom = false;
    cJSON *doc = envelope(device_id, &oom);
    if (app_version)
        add_str(doc, "app_version", app_version, &oom);
    if (client_time)
        add_str(doc, "client_time", client_time, &oom);
    if (acked_mid >= 0)
        add_int(doc, "acked_mid", acked_mid, &oom);
    enum dp_status st = oom ? DP_ENOMEM : print_doc(doc, out, len);
    cJSON_Delete(doc);
    return st;
}

/* Parse stored object text and attach it as `name`. */
static enum dp_status
add_stored_object(cJSON *m, const char *name, const char *text, int64_t mid, struct dp_error *err)
{
    cJSON *o = cJSON_Parse(text);
    if (!o || !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return dp_error_set(err, DP_EINVAL, name, "outbox entry %" PRId64 " holds a broken %s", mid,
                            name);
    }
    if (!cJSON_AddItemToObject(m, name, o)) {
        cJSON_Delete(o);
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    return DP_OK;
}

static cJSON *
item_json(const struct sync_outbox_item *it, enum dp_status *st, struct dp_error *err)
{
    bool oom = false;
    bool resolve = strcmp(it->op, "resolve_conflict") == 0;
    cJSON *m = cJSON_CreateObject();
    if (!m) {
        *st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        return NULL;
    }
    add_int(m, "mid", it->mid, &oom);
    add_str(m, "id", it->mutation_id, &oom);
    add_str(m, "hash", it->hash, &oom);
    add_str(m, "hlc", it->hlc, &oom);
    add_str(m, "op", it->op, &oom);
    add_str(m, "t", it->t, &oom);
    add_str(m, "rid", it->rid, &oom);
    if (it->base_v >= 0)
        add_int(m, "base_v", it->base_v, &oom);
    if (resolve)
        add_str(m, "conflict_id", it->conflict_id, &oom);
    if (strcmp(it->op, "review") == 0) {
        add_str(m, "action", it->action, &oom);
        if (it->comment)
            add_str(m, "comment", it->comment, &oom);
    }
    if (strcmp(it->op, "assign") == 0)
        add_str(m, "to", it->to, &oom);
    *st = oom ? dp_error_set(err, DP_ENOMEM, NULL, NULL) : DP_OK;
    if (*st == DP_OK && it->base_json)
        *st = add_stored_object(m, "base", it->base_json, it->mid, err);
    if (*st == DP_OK && it->set_json)
        *st = add_stored_object(m, resolve ? "choose" : "set", it->set_json, it->mid, err);
    if (*st != DP_OK) {
        cJSON_Delete(m);
        return NULL;
    }
    return m;
}

enum dp_status
proto_push_request(const char *device_id, const struct sync_outbox_item *items, size_t n,
                   char **out, size_t *len, struct dp_error *err)
{
    bool oom = false;
    enum dp_status st = DP_OK;
    *out = NULL;
    cJSON *doc = envelope(device_id, &oom);
    cJSON *arr = oom ? NULL : cJSON_AddArrayToObject(doc, "mutations");
    if (!arr) {
        cJSON_Delete(doc);
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    for (size_t i = 0; i < n && st == DP_OK; i++) {
        cJSON *m = item_json(&items[i], &st, err);
        if (m && !cJSON_AddItemToArray(arr, m)) {
            cJSON_Delete(m);
            st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        }
    }
    if (st == DP_OK && print_doc(doc, out, len) != DP_OK)
        st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
    cJSON_Delete(doc);
    return st;
}

enum dp_status
proto_pull_request(const struct proto_pull_params *p, char **out, size_t *len, struct dp_error *err)
{
    bool oom = false;
    *out = NULL;
    cJSON *doc = envelope(p->device_id, &oom);
    if (p->cursor && *p->cursor)
        add_str(doc, "cursor", p->cursor, &oom);
    else if (!oom && !cJSON_AddNullToObject(doc, "cursor"))
        oom = true;
    if (p->limit > 0)
        add_int(doc, "limit", p->limit, &oom);
    if (p->max_bytes > 0)
        add_int(doc, "max_bytes", p->max_bytes, &oom);
    enum dp_status st = DP_OK;
    if (!oom && p->digest_json) {
        cJSON *d = cJSON_Parse(p->digest_json);
        if (!d || !cJSON_IsObject(d)) {
            cJSON_Delete(d);
            st = dp_error_set(err, DP_EINVAL, "digest", "is not a JSON object");
        } else if (!cJSON_AddItemToObject(doc, "digest", d)) {
            cJSON_Delete(d);
            oom = true;
        }
    }
    if (st == DP_OK && (oom || print_doc(doc, out, len) != DP_OK))
        st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
    cJSON_Delete(doc);
    return st;
}

void
proto_idempotency_key(const char *device_id, int64_t first_mid, int64_t last_mid, const char *body,
                      size_t len, char *buf, size_t bufsize)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    if (sodium_init() < 0) {
        memset(h, 0, sizeof h);
    } else {
        crypto_hash_sha256(h, (const unsigned char *)body, len);
    }
    snprintf(buf, bufsize, "%s:%" PRId64 "-%" PRId64 ":%02x%02x%02x%02x", device_id, first_mid,
             last_mid, h[0], h[1], h[2], h[3]);
}

/* ---- responses --------------------------------------------------------------------------- */

enum dp_status
proto_expect_json(const struct http_response *resp, struct dp_error *err)
{
    if (strcmp(resp->content_type, "application/json") == 0)
        return DP_OK;
    if (resp->content_type[0] == '\0')
        return dp_error_set(err, DP_EPROTO, NULL,
                            "unexpected answer from the server: no content type (HTTP %ld); is "
                            "server_url right?",
                            resp->status);
    /* A media type is plain ASCII; check before showing it. */
    const char *ct = token_ok(resp->content_type) ? resp->content_type : "?";
    return dp_error_set(err, DP_EPROTO, NULL,
                        "unexpected answer from the server: %s instead of JSON (HTTP %ld); is "
                        "server_url right?",
                        ct, resp->status);
}

/* Copy server text for a message, replacing anything that is not printable. */
static void
copy_text(char *buf, size_t bufsize, const char *s)
{
    size_t n = 0;
    if (!utf8_valid(s, strlen(s)))
        s = "";
    for (; s[n] && n + 1 < bufsize; n++)
        buf[n] = ((unsigned char)s[n] < 0x20 || s[n] == 0x7f) ? '?' : s[n];
    /* Cut only between characters, never inside a UTF-8 sequence. */
    if (s[n])
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    buf[n] = '\0';
}

void
proto_parse_problem(const struct http_response *resp, struct proto_problem *out)
{
    memset(out, 0, sizeof *out);
    out->status = resp->status;
    out->limit = -1;
    if (strcmp(resp->content_type, "application/problem+json") != 0 &&
        strcmp(resp->content_type, "application/json") != 0)
        return;
    cJSON *doc = NULL;
    if (parse_object(resp->body.p, resp->body.len, &doc, NULL) != DP_OK)
        return;
    char code[sizeof out->code];
    if (get_str(doc, "", "code", true, STR_TOKEN, 1, code, sizeof code, NULL) == DP_OK) {
        memcpy(out->code, code, sizeof code);
        out->well_formed = true;
    }
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(doc, "detail");
    if (cJSON_IsString(it) && it->valuestring)
        copy_text(out->detail, sizeof out->detail, it->valuestring);
    it = cJSON_GetObjectItemCaseSensitive(doc, "field");
    if (cJSON_IsString(it) && it->valuestring)
        copy_text(out->field, sizeof out->field, it->valuestring);
    get_str(doc, "", "version_type", false, STR_TOKEN, 0, out->version_type,
            sizeof out->version_type, NULL);
    int64_t limit;
    if (get_int(doc, "", "limit", false, 0, INT64_MAX, -1, &limit, NULL) == DP_OK)
        out->limit = limit;
    /* version-not-supported: the newest schema the server takes, to say who must upgrade. */
    it = cJSON_GetObjectItemCaseSensitive(doc, "accepted");
    for (const cJSON *a = cJSON_IsArray(it) ? it->child : NULL; a; a = a->next)
        if (cJSON_IsString(a) && a->valuestring && token_ok(a->valuestring) &&
            strlen(a->valuestring) < sizeof out->schema_newest &&
            (!out->schema_newest[0] ||
             proto_schema_compare(a->valuestring, out->schema_newest) > 0))
            snprintf(out->schema_newest, sizeof out->schema_newest, "%s", a->valuestring);
    cJSON_Delete(doc);
}

void
proto_problem_message(const struct proto_problem *p, char *buf, size_t bufsize)
{
    if (!p->well_formed) {
        snprintf(buf, bufsize, "the server answered HTTP %ld without an error report", p->status);
        return;
    }
    int n = snprintf(buf, bufsize, "the server answered HTTP %ld: %s", p->status, p->code);
    if (n > 0 && (size_t)n < bufsize && p->field[0])
        n += snprintf(buf + n, bufsize - (size_t)n, " at %s", p->field);
    if (n > 0 && (size_t)n < bufsize && p->detail[0])
        snprintf(buf + n, bufsize - (size_t)n, " (%s)", p->detail);
}

static enum dp_status
parse_user(const cJSON *doc, const char *ptr, const char *name, bool required, struct proto_user *u,
           struct dp_error *err)
{
    char p[160];
    const cJSON *o;
    enum dp_status st = get_obj(doc, ptr, name, required, &o, err);
    memset(u, 0, sizeof *u);
    if (st != DP_OK || !o)
        return st;
    ptr_join(p, sizeof p, ptr, name);
    if ((st = get_str(o, p, "name", true, STR_TOKEN, 1, u->name, sizeof u->name, err)) != DP_OK)
        return st;
    if (validate_username(u->name, "name", NULL) != DP_OK)
        return bad(err, p, "holds a malformed user name");
    if ((st = get_str(o, p, "role", true, STR_TOKEN, 1, u->role, sizeof u->role, err)) != DP_OK)
        return st;
    return get_str(o, p, "team", false, STR_TEXT, 0, u->team, sizeof u->team, err);
}

enum dp_status
proto_parse_login(const char *body, size_t len, struct proto_login *out, struct dp_error *err)
{
    cJSON *doc = NULL;
    memset(out, 0, sizeof *out);
    enum dp_status st = parse_object(body, len, &doc, err);
    if (st != DP_OK)
        return st;
    char type[16];
    if ((st = get_str(doc, "", "token", true, STR_TOKEN, 16, out->token, SYNC_TOKEN_LEN + 1,
                      err)) != DP_OK ||
        (st = get_str(doc, "", "token_type", false, STR_TOKEN, 0, type, sizeof type, err)) !=
            DP_OK ||
        (st = get_int(doc, "", "expires_in", true, 1, INT64_C(10) * 365 * 86400, 0,
                      &out->expires_in, err)) != DP_OK ||
        (st = parse_user(doc, "", "user", true, &out->user, err)) != DP_OK ||
        (st = get_str(doc, "", "epoch", false, STR_TOKEN, 0, out->epoch, sizeof out->epoch, err)) !=
            DP_OK ||
        (st = get_str(doc, "", "server_time", false, STR_TOKEN, 0, out->server_time,
                      sizeof out->server_time, err)) != DP_OK)
        goto out;
    if (type[0] && strcasecmp(type, "Bearer") != 0)
        st = bad(err, "/token_type", "is not Bearer");
out:
    cJSON_Delete(doc);
    if (st != DP_OK)
        sodium_memzero(out, sizeof *out);
    return st;
}

enum dp_status
proto_parse_hello(const char *body, size_t len, struct proto_hello *out, struct dp_error *err)
{
    cJSON *doc = NULL;
    memset(out, 0, sizeof *out);
    enum dp_status st = parse_object(body, len, &doc, err);
    if (st != DP_OK)
        return st;
    const cJSON *accepted, *device, *limits;
    int64_t protocol;
    if ((st = get_int(doc, "", "protocol", true, 0, INT64_MAX, 0, &protocol, err)) != DP_OK)
        goto out;
    if (protocol != PROTO_VERSION) {
        st = bad(err, "/protocol", "is not version 1");
        goto out;
    }
    if ((st = get_array(doc, "", "schema_accepted", true, &accepted, err)) != DP_OK)
        goto out;
    size_t i = 0;
    for (const cJSON *s = accepted->child; s; s = s->next, i++) {
        char p[64];
        if (!cJSON_IsString(s) || !s->valuestring || i >= 64) {
            st = bad(err, ptr_index(p, sizeof p, "/schema_accepted", i), "is not a schema name");
            goto out;
        }
        if (strcmp(s->valuestring, proto_schema()) == 0)
            out->schema_ok = true;
    }
    if ((st = get_str(doc, "", "schema_current", false, STR_TOKEN, 0, out->schema_current,
                      sizeof out->schema_current, err)) != DP_OK ||
        (st = get_str(doc, "", "epoch", false, STR_TOKEN, 0, out->epoch, sizeof out->epoch, err)) !=
            DP_OK ||
        (st = get_obj(doc, "", "device", true, &device, err)) != DP_OK ||
        (st = get_bool(device, "/device", "known", true, false, &out->device_known, err)) !=
            DP_OK ||
        (st = get_int(device, "/device", "last_mid", true, 0, INT64_MAX, 0, &out->device_last_mid,
                      err)) != DP_OK ||
        (st = parse_user(doc, "", "user", false, &out->user, err)) != DP_OK ||
        (st = get_str(doc, "", "server_time", false, STR_TOKEN, 0, out->server_time,
                      sizeof out->server_time, err)) != DP_OK ||
        (st = get_int(doc, "", "token_expires_in", false, 0, INT64_MAX, -1, &out->token_expires_in,
                      err)) != DP_OK ||
        (st = get_obj(doc, "", "limits", false, &limits, err)) != DP_OK)
        goto out;
    if (limits) {
        struct proto_limits *l = &out->limits;
        if ((st = get_int(limits, "/limits", "push_max_mutations", false, 1, 100000, 0,
                          &l->push_max_mutations, err)) != DP_OK ||
            (st = get_int(limits, "/limits", "push_max_bytes", false, 1024, INT64_MAX, 0,
                          &l->push_max_bytes, err)) != DP_OK ||
            (st = get_int(limits, "/limits", "pull_max_changes", false, 1, 100000, 0,
                          &l->pull_max_changes, err)) != DP_OK ||
            (st = get_int(limits, "/limits", "pull_max_bytes", false, 1024, INT64_MAX, 0,
                          &l->pull_max_bytes, err)) != DP_OK)
            goto out;
    }
out:
    cJSON_Delete(doc);
    if (st != DP_OK)
        memset(out, 0, sizeof *out);
    return st;
}

static enum sync_result_status
result_status(const char *s)
{
    if (strcmp(s, "applied") == 0)
        return SYNC_RES_APPLIED;
    if (strcmp(s, "merged") == 0)
        return SYNC_RES_MERGED;
    if (strcmp(s, "conflict") == 0)
        return SYNC_RES_CONFLICT;
    if (strcmp(s, "rejected") == 0)
        return SYNC_RES_REJECTED;
    if (strcmp(s, "duplicate") == 0)
        return SYNC_RES_DUPLICATE;
    return SYNC_RES_OTHER;
}

static enum dp_status
parse_result(const cJSON *r, const char *p, struct sync_push_result *out, struct dp_error *err)
{
    char status[24];
    enum dp_status st;
    if (!cJSON_IsObject(r))
        return bad(err, p, "is not an object");
    if ((st = no_duplicates(r, p, err)) != DP_OK ||
        (st = get_int(r, p, "mid", true, 1, INT64_MAX, 0, &out->mid, err)) != DP_OK ||
        (st = get_str(r, p, "status", true, STR_TOKEN, 1, status, sizeof status, err)) != DP_OK ||
        (st = get_int(r, p, "v", false, 0, INT64_MAX, -1, &out->v, err)) != DP_OK ||
        (st = get_bool(r, p, "replayed", false, false, &out->replayed, err)) != DP_OK ||
        (st = get_str(r, p, "reason", false, STR_TOKEN, 0, out->reason, sizeof out->reason, err)) !=
            DP_OK ||
        (st = get_str(r, p, "field", false, STR_TOKEN, 0, out->field, sizeof out->field, err)) !=
            DP_OK ||
        (st = get_str(r, p, "conflict_id", false, STR_TOKEN, 0, out->conflict_id,
                      sizeof out->conflict_id, err)) != DP_OK)
        return st;
    out->status = result_status(status);
    char kind[24], msg[400];
    const cJSON *cf;
    if ((st = get_str(r, p, "kind", false, STR_TOKEN, 0, kind, sizeof kind, err)) != DP_OK ||
        (st = get_str(r, p, "message", false, STR_TEXT, 0, msg, sizeof msg, err)) != DP_OK ||
        (st = get_array(r, p, "conflict_fields", false, &cf, err)) != DP_OK ||
        (st = get_array(r, p, "merged_fields", false, &cf, err)) != DP_OK)
        return st;
    if (out->status == SYNC_RES_REJECTED && !out->reason[0])
        return bad(err, p, "is a rejection without a reason");
    if (out->status == SYNC_RES_CONFLICT && !out->conflict_id[0])
        return bad(err, p, "is a conflict without a conflict_id");
    out->json = cJSON_PrintUnformatted(r);
    if (!out->json)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    return DP_OK;
}

enum dp_status
proto_parse_push(const char *body, size_t len, struct sync_push_reply *out, struct dp_error *err)
{
    cJSON *doc = NULL;
    sync_push_reply_init(out);
    enum dp_status st = parse_object(body, len, &doc, err);
    if (st != DP_OK)
        return st;
    const cJSON *results, *stopped;
    if ((st = get_int(doc, "", "last_mid", true, 0, INT64_MAX, 0, &out->last_mid, err)) != DP_OK ||
        (st = get_array(doc, "", "results", true, &results, err)) != DP_OK ||
        (st = get_obj(doc, "", "stopped", false, &stopped, err)) != DP_OK)
        goto out;
    int n = cJSON_GetArraySize(results);
    if (n > 100000) {
        st = bad(err, "/results", "is too long");
        goto out;
    }
    if (n > 0 && !(out->results = calloc((size_t)n, sizeof *out->results))) {
        st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    int64_t prev = 0;
    for (const cJSON *r = results->child; r; r = r->next) {
        char p[48];
        ptr_index(p, sizeof p, "/results", out->nresults);
        struct sync_push_result *res = &out->results[out->nresults];
        st = parse_result(r, p, res, err);
        if (st != DP_OK) {
            free(res->json);
            goto out;
        }
        out->nresults++;
        if (res->mid <= prev) {
            st = bad(err, p, "is out of mid order");
            goto out;
        }
        prev = res->mid;
    }
    if (stopped) {
        char reason[32];
        if ((st = get_str(stopped, "/stopped", "reason", true, STR_TOKEN, 1, reason, sizeof reason,
                          err)) != DP_OK)
            goto out;
        if (strcmp(reason, "gap") == 0) {
            out->stopped = SYNC_STOP_GAP;
            st = get_int(stopped, "/stopped", "expected_mid", true, 1, INT64_MAX, 0,
                         &out->stopped_mid, err);
        } else if (strcmp(reason, "device_diverged") == 0) {
            out->stopped = SYNC_STOP_DIVERGED;
            st = get_int(stopped, "/stopped", "mid", true, 1, INT64_MAX, 0, &out->stopped_mid, err);
        } else {
            out->stopped = SYNC_STOP_OTHER;
        }
        if (st != DP_OK)
            goto out;
    }
out:
    cJSON_Delete(doc);
    if (st != DP_OK)
        sync_push_reply_done(out);
    return st;
}

static enum dp_status
parse_put(const cJSON *c, const char *p, struct sync_change *ch, struct dp_error *err)
{
    char ptr[160];
    const cJSON *row;
    char reason[24];
    enum dp_status st;
    if ((st = get_int(c, p, "v", true, 1, INT64_MAX, 0, &ch->v, err)) != DP_OK ||
        (st = get_str(c, p, "reason", false, STR_TOKEN, 0, reason, sizeof reason, err)) != DP_OK ||
        (st = get_obj(c, p, "row", true, &row, err)) != DP_OK)
        return st;
    ch->in_scope = strcmp(reason, "in_scope") == 0;
    if (record_init(&ch->row, ch->def) != DP_OK)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    ch->op = SYNC_PUT; /* from here the row is owned by the change */
    struct dp_error rerr;
    dp_error_clear(&rerr);
    if (record_from_json(&ch->row, row, &rerr) != DP_OK) {
        if (rerr.code == DP_ENOMEM)
            return dp_error_set(err, DP_ENOMEM, NULL, NULL);
        /* Name the field and the record, never the value. */
        return dp_error_set(err, DP_EPROTO, ptr_join(ptr, sizeof ptr, p, "row"),
                            "unexpected answer from the server: %s %s field %s is invalid (%s)",
                            ch->def->name, ch->rid, rerr.field[0] ? rerr.field : "?", rerr.msg);
    }
    const char *id = record_get(&ch->row, "id");
    if (!id || strcmp(id, ch->rid) != 0)
        return bad(err, ptr_join(ptr, sizeof ptr, p, "row/id"), "differs from rid");
    if (ch->def->parent_field >= 0 && !ch->row.values[ch->def->parent_field][0])
        return bad(err, ptr_join(ptr, sizeof ptr, p, "row/household_id"), "is missing");
    ch->row.v = ch->v;
    return DP_OK;
}

static enum dp_status
parse_conflict(const cJSON *c, const char *p, struct sync_change *ch, struct dp_error *err)
{
    char ptr[160];
    const cJSON *fields;
    enum dp_status st;
    if ((st = get_str(c, p, "conflict_id", true, STR_TOKEN, 1, ch->conflict_id,
                      sizeof ch->conflict_id, err)) != DP_OK ||
        (st = get_str(c, p, "kind", true, STR_TOKEN, 1, ch->kind, sizeof ch->kind, err)) != DP_OK ||
        (st = get_str(c, p, "state", true, STR_TOKEN, 1, ch->state, sizeof ch->state, err)) !=
            DP_OK ||
        (st = get_str(c, p, "opened_by", false, STR_TOKEN, 0, ch->opened_by, sizeof ch->opened_by,
                      err)) != DP_OK ||
        (st = get_str(c, p, "opened_at", false, STR_TOKEN, 0, ch->opened_at, sizeof ch->opened_at,
                      err)) != DP_OK ||
        (st = get_obj(c, p, "fields", false, &fields, err)) != DP_OK)
        return st;
    /* Each field's entry is an object of values; the names must be the record type's. */
    for (const cJSON *f = fields ? fields->child : NULL; f; f = f->next) {
        ptr_join(ptr, sizeof ptr, p, "fields");
        if (!f->string ||
            (strcmp(f->string, "_deleted") != 0 && schema_field_index(ch->def, f->string) < 0))
            return bad(err, ptr, "names a field the record type does not have");
        if (!cJSON_IsObject(f) && !cJSON_IsNull(f) && !cJSON_IsString(f) && !cJSON_IsNumber(f) &&
            !cJSON_IsBool(f) && !cJSON_IsArray(f))
            return bad(err, ptr, "holds a value of an unknown kind");
    }
    ch->fields_json = fields ? cJSON_PrintUnformatted(fields) : strdup("{}");
    if (!ch->fields_json)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    return DP_OK;
}

static enum dp_status
parse_change(const cJSON *c, const char *p, struct sync_change *ch, bool *skip,
             struct dp_error *err)
{
    char op[24], t[24], reason[24];
    enum dp_status st;
    *skip = false;
    if (!cJSON_IsObject(c))
        return bad(err, p, "is not an object");
    if ((st = no_duplicates(c, p, err)) != DP_OK ||
        (st = get_int(c, p, "seq", true, 0, INT64_MAX, 0, &ch->seq, err)) != DP_OK ||
        (st = get_str(c, p, "op", true, STR_TOKEN, 1, op, sizeof op, err)) != DP_OK ||
        (st = get_str(c, p, "t", true, STR_TOKEN, 1, t, sizeof t, err)) != DP_OK ||
        (st = get_str(c, p, "rid", true, STR_UUID, 36, ch->rid, sizeof ch->rid, err)) != DP_OK)
        return st;
    bool put = strcmp(op, "put") == 0, remove = strcmp(op, "remove") == 0,
         conflict = strcmp(op, "conflict") == 0;
    if (!put && !remove && !conflict) {
        *skip = true; /* a newer kind of change: ignored, as PROTOCOL.md section 13 allows */
        return DP_OK;
    }
    ch->def = schema_record(t);
    if (!ch->def) {
        char ptr[160];
        return bad(err, ptr_join(ptr, sizeof ptr, p, "t"), "is not a record type");
    }
    if (put)
        return parse_put(c, p, ch, err);
    if (conflict) {
        ch->op = SYNC_CONFLICT;
        return parse_conflict(c, p, ch, err);
    }
    ch->op = SYNC_REMOVE;
    if ((st = get_str(c, p, "reason", true, STR_TOKEN, 1, reason, sizeof reason, err)) != DP_OK ||
        (st = get_int(c, p, "v", false, 0, INT64_MAX, -1, &ch->v, err)) != DP_OK)
        return st;
    /* An unknown reason is treated as the cautious one: pending edits are kept. */
    ch->reason = strcmp(reason, "deleted") == 0 ? SYNC_REMOVE_DELETED : SYNC_REMOVE_OUT_OF_SCOPE;
    return DP_OK;
}

enum dp_status
proto_parse_pull(const char *body, size_t len, size_t max_changes, struct sync_page *out,
                 struct dp_error *err)
{
    cJSON *doc = NULL;
    sync_page_init(out);
    enum dp_status st = parse_object(body, len, &doc, err);
    if (st != DP_OK)
        return st;
    const cJSON *changes, *reset;
    if ((st = get_str(doc, "", "cursor", true, STR_TOKEN, 1, out->cursor, sizeof out->cursor,
                      err)) != DP_OK ||
        (st = get_int(doc, "", "upto", false, 0, INT64_MAX, 0, &out->upto, err)) != DP_OK ||
        (st = get_bool(doc, "", "has_more", true, false, &out->has_more, err)) != DP_OK ||
        (st = get_int(doc, "", "last_mid", true, 0, INT64_MAX, 0, &out->last_mid, err)) != DP_OK ||
        (st = get_obj(doc, "", "reset", false, &reset, err)) != DP_OK ||
        (st = get_array(doc, "", "changes", true, &changes, err)) != DP_OK)
        goto out;
    if (reset) {
        out->reset = true;
        if ((st = get_str(reset, "/reset", "reason", true, STR_TOKEN, 1, out->reset_reason,
                          sizeof out->reset_reason, err)) != DP_OK)
            goto out;
    }
    int n = cJSON_GetArraySize(changes);
    if (n < 0 || (size_t)n > max_changes) {
        st = bad(err, "/changes", "holds more changes than were asked for");
        goto out;
    }
    if (n > 0 && !(out->changes = calloc((size_t)n, sizeof *out->changes))) {
        st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    int64_t prev = -1;
    size_t i = 0;
    for (const cJSON *c = changes->child; c; c = c->next, i++) {
        char p[48];
        bool skip;
        ptr_index(p, sizeof p, "/changes", i);
        struct sync_change *ch = &out->changes[out->nchanges];
        memset(ch, 0, sizeof *ch);
        ch->op = SYNC_REMOVE; /* nothing to free until parse_put sets SYNC_PUT */
        ch->v = -1;
        st = parse_change(c, p, ch, &skip, err);
        /* Non-decreasing: the removes of one household leaving scope share its seq. */
        if (st == DP_OK && ch->seq < prev)
            st = bad(err, p, "is out of seq order");
        if (st != DP_OK) {
            out->nchanges++; /* so sync_page_done frees what it holds */
            goto out;
        }
        prev = ch->seq;
        if (skip) {
            out->nskipped++;
            continue;
        }
        out->nchanges++;
    }
out:
    cJSON_Delete(doc);
    if (st != DP_OK)
        sync_page_done(out);
    return st;
}

/* ---- versions and times -------------------------------------------------------------------- */

const char *
proto_schema(void)
{
    /* Tests only (docs/internals/sync.md): claim another schema to meet a server that differs. */
    const char *v = getenv("DOORSTEP_TEST_SCHEMA");
    if (v && *v && strlen(v) < 32 && token_ok(v))
        return v;
    return SCHEMA_NAME;
}

/* "<prefix>-<number>": the prefix's length and the number; false for any other shape. */
static bool
schema_split(const char *s, size_t *prefix, long *number)
{
    const char *dash = strrchr(s, '-');
    if (!dash || dash == s || !dash[1])
        return false;
    char *end;
    long n = strtol(dash + 1, &end, 10);
    if (*end || n < 0 || dash[1] < '0' || dash[1] > '9')
        return false;
    *prefix = (size_t)(dash - s);
    *number = n;
    return true;
}

int
proto_schema_compare(const char *a, const char *b)
{
    size_t pa, pb;
    long na, nb;
    if (!a || !b || !schema_split(a, &pa, &na) || !schema_split(b, &pb, &nb) || pa != pb ||
        strncmp(a, b, pa) != 0)
        return 0;
    return na < nb ? -1 : na > nb ? 1 : 0;
}

bool
proto_parse_time(const char *s, int64_t *unix_s)
{
    int y, mo, d, h, mi, sec, used = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6 ||
        used != 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':')
        return false;
    const char *rest = s + used;
    if (*rest == '.') /* fractions of a second are allowed and ignored */
        for (rest++; *rest >= '0' && *rest <= '9'; rest++)
            ;
    if (strcmp(rest, "Z") != 0 || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59 || sec > 60)
        return false;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return false;
    *unix_s = (int64_t)t;
    return true;
}
