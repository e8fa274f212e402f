/*
 * The client's reading of server answers (sync/proto.h): everything a
 * server, a proxy or a captive portal may send back. Input: a first line
 * naming the answer ("login", "hello", "push", "pull [MAX-CHANGES]" or
 * "problem STATUS [CONTENT-TYPE]"), then the body.
 *
 * What a parser accepts holds what the header promises: a login's token is
 * printable, user names are login names, push mids increase and every
 * result is kept as a JSON object, pull pages hold at most what was asked
 * for with seqs in order and rows whose values pass validate_field and whose
 * id is the change's rid. What it refuses is DP_EPROTO with the out struct
 * left empty. Problem reports never fail and keep only printable, valid
 * UTF-8 text. No error message repeats a value from the body.
 */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>

#include "core/utf8.h"
#include "core/validate.h"
#include "sync/proto.h"

static bool
printable(const char *s)
{
    if (!utf8_valid(s, strlen(s)))
        return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

static bool
all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

static bool
is_key(const cJSON *j, const char *s)
{
    for (; j; j = j->next)
        if ((j->string && strcmp(j->string, s) == 0) || is_key(j->child, s))
            return true;
    return false;
}

static void
private_walk(const struct dp_error *err, const cJSON *root, const cJSON *j)
{
    for (; j; j = j->next) {
        /* A key the server sent may be named (a field the record lacks); values never. */
        if (cJSON_IsString(j) && !is_key(root, j->valuestring))
            fuzz_assert_private(err, j->valuestring);
        private_walk(err, root, j->child);
    }
}

static void
refused(enum dp_status st, const struct dp_error *err, const char *body, size_t len)
{
    FUZZ_ASSERT(st == DP_EPROTO && err->code == DP_EPROTO);
    FUZZ_ASSERT(strncmp(err->msg, "unexpected answer from the server", 33) == 0);
    /*
     * Known bug (known-bugs/README, sync/pull-row-key-escape-in-message): a
     * row's unknown key reaches the message as sent. Until sync/proto.c is
     * fixed, messages of that shape are not checked further; delete this then.
     */
    if (fuzz_tolerate_known_bug() && strstr(err->msg, "is invalid (is not a field of this record)"))
        return;
    FUZZ_ASSERT(printable(err->msg));
    cJSON *doc = cJSON_ParseWithLength(body, len);
    private_walk(err, doc, doc);
    cJSON_Delete(doc);
}

static void
user_ok(const struct proto_user *u, bool required)
{
    if (!required && !u->name[0])
        return;
    FUZZ_ASSERT(validate_username(u->name, "name", NULL) == DP_OK);
    FUZZ_ASSERT(u->role[0] && printable(u->role) && printable(u->team));
}

static void
login(const char *body, size_t len)
{
    struct proto_login l;
    struct dp_error err;
    enum dp_status st = proto_parse_login(body, len, &l, &err);
    if (st != DP_OK) {
        FUZZ_ASSERT(all_zero(&l, sizeof l));
        refused(st, &err, body, len);
        return;
    }
    FUZZ_ASSERT(strlen(l.token) >= 16 && printable(l.token) && !strchr(l.token, ' '));
    FUZZ_ASSERT(l.expires_in >= 1 && l.expires_in <= INT64_C(10) * 365 * 86400);
    user_ok(&l.user, true);
    FUZZ_ASSERT(printable(l.epoch) && printable(l.server_time));
}

static void
hello(const char *body, size_t len)
{
    struct proto_hello h;
    struct dp_error err;
    enum dp_status st = proto_parse_hello(body, len, &h, &err);
    if (st != DP_OK) {
        FUZZ_ASSERT(all_zero(&h, sizeof h));
        refused(st, &err, body, len);
        return;
    }
    FUZZ_ASSERT(h.device_last_mid >= 0 && h.token_expires_in >= -1);
    user_ok(&h.user, false);
    FUZZ_ASSERT(printable(h.epoch) && printable(h.schema_current) && printable(h.server_time));
    const struct proto_limits *l = &h.limits;
    FUZZ_ASSERT(l->push_max_mutations >= 0 && l->push_max_mutations <= 100000);
    FUZZ_ASSERT(l->pull_max_changes >= 0 && l->pull_max_changes <= 100000);
    FUZZ_ASSERT(l->push_max_bytes == 0 || l->push_max_bytes >= 1024);
    FUZZ_ASSERT(l->pull_max_bytes == 0 || l->pull_max_bytes >= 1024);
}

static void
push(const char *body, size_t len)
{
    struct sync_push_reply r;
    struct dp_error err;
    enum dp_status st = proto_parse_push(body, len, &r, &err);
    if (st != DP_OK) {
        FUZZ_ASSERT(r.nresults == 0 && r.results == NULL);
        refused(st, &err, body, len);
        return;
    }
    int64_t prev = 0;
    for (size_t i = 0; i < r.nresults; i++) {
        const struct sync_push_result *x = &r.results[i];
        FUZZ_ASSERT(x->mid > prev);
        prev = x->mid;
        FUZZ_ASSERT(x->status != SYNC_RES_REJECTED || x->reason[0]);
        FUZZ_ASSERT(x->status != SYNC_RES_CONFLICT || x->conflict_id[0]);
        FUZZ_ASSERT(printable(x->reason) && printable(x->field) && printable(x->conflict_id));
        /* Kept as the outbox entry's result_json: it must read back as the same object. */
        cJSON *j = cJSON_Parse(x->json);
        FUZZ_ASSERT(cJSON_IsObject(j));
        const cJSON *mid = cJSON_GetObjectItemCaseSensitive(j, "mid");
        FUZZ_ASSERT(cJSON_IsNumber(mid) && (int64_t)mid->valuedouble == x->mid);
        cJSON_Delete(j);
    }
    FUZZ_ASSERT(r.stopped == SYNC_STOP_NONE || r.stopped == SYNC_STOP_OTHER || r.stopped_mid >= 1);
    sync_push_reply_done(&r);
}

static void
pull(const char *body, size_t len, size_t max)
{
    struct sync_page p;
    struct dp_error err;
    enum dp_status st = proto_parse_pull(body, len, max, &p, &err);
    if (st != DP_OK) {
        FUZZ_ASSERT(p.nchanges == 0 && p.changes == NULL);
        refused(st, &err, body, len);
        return;
    }
    FUZZ_ASSERT(p.cursor[0] && printable(p.cursor) && !strchr(p.cursor, ' '));
    FUZZ_ASSERT(p.nchanges + p.nskipped <= max);
    FUZZ_ASSERT(!p.reset || p.reset_reason[0]);
    int64_t prev = -1;
    for (size_t i = 0; i < p.nchanges; i++) {
        const struct sync_change *c = &p.changes[i];
        FUZZ_ASSERT(c->seq >= prev && c->def);
        prev = c->seq;
        FUZZ_ASSERT(validate_uuid(c->rid, "rid", NULL) == DP_OK);
        if (c->op == SYNC_PUT) {
            FUZZ_ASSERT(c->row.def == c->def && c->v >= 1 && c->row.v == c->v);
            FUZZ_ASSERT_STR_EQ(record_get(&c->row, "id"), c->rid);
            for (size_t f = 0; f < c->def->nfields; f++)
                if (c->row.values[f][0])
                    FUZZ_ASSERT(validate_field(&c->def->fields[f], c->row.values[f], NULL, NULL) ==
                                DP_OK);
            FUZZ_ASSERT(c->def->parent_field < 0 || c->row.values[c->def->parent_field][0]);
        } else if (c->op == SYNC_CONFLICT) {
            FUZZ_ASSERT(c->conflict_id[0] && c->kind[0] && c->state[0]);
            cJSON *d = cJSON_Parse(c->fields_json);
            FUZZ_ASSERT(cJSON_IsObject(d));
            cJSON_Delete(d);
        } else {
            FUZZ_ASSERT(c->op == SYNC_REMOVE && c->v >= -1);
        }
    }
    sync_page_done(&p);
}

static void
problem(const char *body, size_t len, long status, const char *ctype)
{
    struct http_response resp;
    memset(&resp, 0, sizeof resp);
    resp.status = status;
    resp.retry_after_s = -1;
    snprintf(resp.content_type, sizeof resp.content_type, "%s", ctype);
    dynbuf_init(&resp.body, len + 1);
    FUZZ_ASSERT(dynbuf_add(&resp.body, body, len) == DP_OK);

    struct dp_error err;
    enum dp_status st = proto_expect_json(&resp, &err);
    FUZZ_ASSERT((st == DP_OK) == (strcmp(ctype, "application/json") == 0));
    if (st != DP_OK)
        FUZZ_ASSERT(st == DP_EPROTO && printable(err.msg));

    struct proto_problem p;
    proto_parse_problem(&resp, &p);
    FUZZ_ASSERT(p.status == status && p.well_formed == (p.code[0] != '\0'));
    FUZZ_ASSERT(printable(p.code) && printable(p.detail) && printable(p.field));
    FUZZ_ASSERT(printable(p.version_type) && p.limit >= -1);
    char big[512], small[24];
    proto_problem_message(&p, big, sizeof big);
    proto_problem_message(&p, small, sizeof small);
    FUZZ_ASSERT(printable(big) && strlen(small) < sizeof small);
    dynbuf_free(&resp.body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl)
        return 0;
    char *head = fuzz_cstr(data, (size_t)(nl - data));
    const char *body = (const char *)nl + 1;
    size_t len = size - (size_t)(nl - data) - 1;
    char kind[16] = "", arg[96] = "";
    long n = 0;
    int got = sscanf(head, "%15s %ld %95s", kind, &n, arg);
    if (got >= 1 && strcmp(kind, "login") == 0)
        login(body, len);
    else if (got >= 1 && strcmp(kind, "hello") == 0)
        hello(body, len);
    else if (got >= 1 && strcmp(kind, "push") == 0)
        push(body, len);
    else if (got >= 1 && strcmp(kind, "pull") == 0)
        pull(body, len, got >= 2 && n > 0 && n <= 100000 ? (size_t)n : 1000);
    else if (got >= 2 && strcmp(kind, "problem") == 0)
        problem(body, len, n, got >= 3 ? arg : "application/problem+json");
    free(head);
    return 0;
}
