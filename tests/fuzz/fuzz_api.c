/*
 * The reference server's endpoints (server/api.h) through http_dispatch,
 * exactly as the daemon calls them once it has read and gunzipped a body,
 * with a real database holding a worker's household, member, visit and need.
 *
 * Input: a first line "METHOD PATH [worker|supervisor|nobody] [IDEMPOTENCY-KEY]"
 * (the caller defaults to the worker), then the body. Every input runs
 * against a fresh copy of the same database, so a finding always replays.
 *
 * Whatever arrives: no 500 or 503 (both mean a bug here: nothing else uses
 * the database); the body is JSON of the advertised type; errors are
 * problem+json whose code, title and status agree with server/problem.h;
 * push answers have well-formed results; no error text, rejection message
 * or field name repeats a value from the request; and Doorstep's own client
 * (sync/proto.h) accepts every answer, pulls within the limit asked for.
 */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>

#include "server/problem.h"
#include "tests/fuzz/client_view.h"
#include "tests/fuzz/server_fixture.h"

/* Keys of the request, which answers may name; values they must not repeat. */
static bool
is_key(const cJSON *j, const char *s)
{
    for (; j; j = j->next)
        if ((j->string && strcmp(j->string, s) == 0) || is_key(j->child, s))
            return true;
    return false;
}

static void
no_values_in(const char *text, const cJSON *req, const cJSON *j)
{
    struct dp_error e;
    memset(&e, 0, sizeof e);
    snprintf(e.msg, sizeof e.msg, "%s", text);
    for (; j; j = j->next) {
        if (cJSON_IsString(j) && !is_key(req, j->valuestring))
            fuzz_assert_private(&e, j->valuestring);
        no_values_in(text, req, j->child);
    }
}

/* The request's mids increase through the batch, as PROTOCOL.md 6.2 requires. */
static bool
mids_increase(const cJSON *request)
{
    const cJSON *m, *muts = cJSON_GetObjectItemCaseSensitive(request, "mutations");
    double prev = 0;
    cJSON_ArrayForEach(m, muts)
    {
        const cJSON *mid = cJSON_GetObjectItemCaseSensitive(m, "mid");
        if (!cJSON_IsNumber(mid) || mid->valuedouble <= prev)
            return false;
        prev = mid->valuedouble;
    }
    return true;
}

static void
check_problem(const struct response *r, const cJSON *body)
{
    FUZZ_ASSERT_STR_EQ(r->content_type, "application/problem+json");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(body, "code");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(body, "status");
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(body, "title");
    FUZZ_ASSERT(cJSON_IsString(code) && cJSON_IsNumber(status) && cJSON_IsString(title));
    FUZZ_ASSERT(status->valuedouble == r->status);
    int p = 0;
    while (p < PROB_COUNT && strcmp(problem_code((enum problem)p), code->valuestring) != 0)
        p++;
    FUZZ_ASSERT(p < PROB_COUNT);
    FUZZ_ASSERT(problem_status((enum problem)p) == r->status);
    FUZZ_ASSERT_STR_EQ(problem_title((enum problem)p), title->valuestring);
}

static void
check_push(const cJSON *body, const cJSON *req)
{
    static const char *const statuses[] = {"applied", "merged", "conflict", "rejected",
                                           "duplicate"};
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(body, "last_mid");
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(body, "results");
    FUZZ_ASSERT(cJSON_IsNumber(last) && cJSON_IsArray(results));
    const cJSON *r;
    cJSON_ArrayForEach(r, results)
    {
        const cJSON *mid = cJSON_GetObjectItemCaseSensitive(r, "mid");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(r, "status");
        FUZZ_ASSERT(cJSON_IsNumber(mid) && mid->valuedouble >= 1 && cJSON_IsString(st));
        FUZZ_ASSERT(mid->valuedouble <= last->valuedouble);
        bool known = false;
        for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
            known = known || strcmp(st->valuestring, statuses[i]) == 0;
        FUZZ_ASSERT(known);
        bool rejected = strcmp(st->valuestring, "rejected") == 0;
        FUZZ_ASSERT(rejected == cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, "reason")));
        FUZZ_ASSERT(rejected != cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r, "v")));
        static const char *const told[] = {"message", "field", "reason"};
        for (size_t i = 0; i < sizeof told / sizeof told[0]; i++) {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, told[i]);
            if (cJSON_IsString(t))
                no_values_in(t->valuestring, req, req);
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fx.image)
        fixture_setup();
    const uint8_t *nl = memchr(data, '\n', size);
    size_t head_len = nl ? (size_t)(nl - data) : size;
    char *head = fuzz_cstr(data, head_len);
    const char *body = nl ? (const char *)nl + 1 : "";
    size_t body_len = nl ? size - head_len - 1 : 0;

    char method[16] = "", path[256] = "", who[16] = "worker", key[160] = "";
    if (sscanf(head, "%15s %255s %15s %159s", method, path, who, key) < 2) {
        free(head);
        return 0;
    }
    const char *auth = strcmp(who, "supervisor") == 0 ? fx.supervisor
                       : strcmp(who, "nobody") == 0   ? NULL
                                                      : fx.worker;

    struct server srv;
    fixture_restore(&srv);
    struct request req;
    memset(&req, 0, sizeof req);
    req.srv = &srv;
    req.method = method;
    req.path = path;
    req.body = body;
    req.body_len = body_len;
    snprintf(req.addr, sizeof req.addr, "127.0.0.1");
    req.authorization = auth;
    req.idempotency_key = key[0] ? key : NULL;
    struct response resp;
    response_init(&resp);
    http_dispatch(&req, &resp);

    /* For whoever writes seeds: FUZZ_VERBOSE=1 shows what each input got. */
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "%s %s -> %d %.*s\n", method, path, resp.status,
                (int)(resp.len > 400 ? 400 : resp.len), resp.body ? resp.body : "");
    if (resp.status == 500 || resp.status == 503)
        fprintf(stderr, "answer %d: %.*s\n", resp.status, (int)resp.len, resp.body);
    FUZZ_ASSERT(resp.status != 500 && resp.status != 503);
    FUZZ_ASSERT(resp.body && resp.content_type);
    cJSON *answer = cJSON_ParseWithLength(resp.body, resp.len);
    FUZZ_ASSERT(cJSON_IsObject(answer));
    /* Only well-formed JSON requests are worth comparing answers with. */
    cJSON *request = cJSON_ParseWithLength(body, body_len);
    if (resp.status == 200) {
        FUZZ_ASSERT(strncmp(resp.content_type, "application/json", 16) == 0);
        if (strcmp(path, "/sync/v1/push") == 0)
            check_push(answer, request);
    } else {
        check_problem(&resp, answer);
        no_values_in(resp.body, request, request);
    }
    /* The pull limit the client asked for (PROTOCOL.md 9.1: default 500). */
    size_t pull_max = 500;
    const cJSON *limit = cJSON_GetObjectItemCaseSensitive(request, "limit");
    if (cJSON_IsNumber(limit) && limit->valuedouble >= 1 && limit->valuedouble <= 5000)
        pull_max = (size_t)limit->valuedouble;
    struct dp_error cerr;
    dp_error_clear(&cerr);
    enum dp_status cst =
        client_view(path, resp.status, resp.content_type, resp.body, resp.len, pull_max, &cerr);
    /*
     * Known bug (known-bugs/README, api/push-same-mid-twice): the server takes
     * a batch whose mids do not increase, and answers with a mid twice, which
     * the client refuses. Until server/push.c refuses such batches, those
     * answers are not put to the client; delete this then.
     */
    if (cst != DP_OK && fuzz_tolerate_known_bug() && strcmp(path, "/sync/v1/push") == 0 &&
        !mids_increase(request))
        cst = DP_OK;
    if (cst != DP_OK)
        fprintf(stderr, "the client refuses the answer: %s %s\n", cerr.field, cerr.msg);
    FUZZ_ASSERT(cst == DP_OK);
    cJSON_Delete(request);
    cJSON_Delete(answer);
    response_done(&resp);
    server_done(&srv);
    free(head);
    return 0;
}
