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
 * push answers have well-formed results; and no error text, rejection
 * message or field name repeats a value from the request.
 */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/api.h"
#include "server/auth.h"
#include "server/db.h"
#include "server/problem.h"
#include "server/ratelimit.h"
#include "server/server.h"
#include "server/users.h"

#define DEVICE "6f0e8a52-1c7e-4b8e-9a40-3c1f0d2b7e11"

/* What every input starts from: the database file's bytes and the two tokens in it. */
static struct {
    char dir[256], db[300];
    unsigned char *image;
    size_t image_len;
    char worker[96], supervisor[96]; /* "Bearer <token>" */
} fx;

/* The .hwm goes too: left behind, it would make the server see each fresh copy as restored. */
static void
remove_db(void)
{
    static const char *const ext[] = {"", "-wal", "-shm", ".hwm"};
    char p[320];
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        snprintf(p, sizeof p, "%s%s", fx.db, ext[i]);
        unlink(p);
    }
}

static void
cleanup(void)
{
    remove_db();
    rmdir(fx.dir);
    free(fx.image);
}

static void
dispatch(struct server *srv, const char *method, const char *path, const char *auth,
         const char *body, size_t len, struct response *resp)
{
    struct request req;
    memset(&req, 0, sizeof req);
    req.srv = srv;
    req.method = method;
    req.path = path;
    req.body = body;
    req.body_len = len;
    snprintf(req.addr, sizeof req.addr, "127.0.0.1");
    req.authorization = auth;
    response_init(resp);
    http_dispatch(&req, resp);
}

/* The seed records; the corpus refers to these ids. */
static const char seed_push[] =
    "{\"protocol\":1,\"schema\":\"hh-1\",\"device_id\":\"" DEVICE "\",\"mutations\":["
    "{\"mid\":1,\"id\":\"0b6a0d64-5d1d-4c8e-8f7a-1c4d6f3e2a10\",\"hash\":\"h1\","
    "\"hlc\":\"019549f3a2c1.0000.dev\",\"op\":\"create\",\"t\":\"household\","
    "\"rid\":\"3c9a5f10-8d2e-4b7a-9c61-0e5f4a3b2c1d\",\"set\":{\"head_name\":\"张三\","
    "\"village\":\"花园村\",\"township\":\"石门镇\",\"risk\":\"green\",\"status\":\"active\"}},"
    "{\"mid\":2,\"id\":\"0b6a0d64-5d1d-4c8e-8f7a-1c4d6f3e2a11\",\"hash\":\"h2\","
    "\"hlc\":\"019549f3a2c1.0001.dev\",\"op\":\"create\",\"t\":\"member\","
    "\"rid\":\"7d1e0a52-2b3c-4d5e-8f60-7a8b9c0d1e2f\",\"set\":{"
    "\"household_id\":\"3c9a5f10-8d2e-4b7a-9c61-0e5f4a3b2c1d\",\"name\":\"李小梅\","
    "\"relation\":\"child\",\"sex\":\"F\",\"birth_date\":\"2019-04-02\",\"status\":\"present\"}},"
    "{\"mid\":3,\"id\":\"0b6a0d64-5d1d-4c8e-8f7a-1c4d6f3e2a12\",\"hash\":\"h3\","
    "\"hlc\":\"019549f3a2c1.0002.dev\",\"op\":\"create\",\"t\":\"visit\","
    "\"rid\":\"5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\",\"set\":{"
    "\"household_id\":\"3c9a5f10-8d2e-4b7a-9c61-0e5f4a3b2c1d\",\"date\":\"2025-02-27\","
    "\"kind\":\"routine\",\"outcome\":\"completed\",\"review_state\":\"draft\","
    "\"monthly_income\":123450}},"
    "{\"mid\":4,\"id\":\"0b6a0d64-5d1d-4c8e-8f7a-1c4d6f3e2a13\",\"hash\":\"h4\","
    "\"hlc\":\"019549f3a2c1.0003.dev\",\"op\":\"create\",\"t\":\"need\","
    "\"rid\":\"8e7d6c5b-4a39-4281-8f70-6e5d4c3b2a19\",\"set\":{"
    "\"household_id\":\"3c9a5f10-8d2e-4b7a-9c61-0e5f4a3b2c1d\",\"category\":\"rehab\","
    "\"item\":\"轮椅\",\"urgency\":\"high\",\"status\":\"open\"}}]}";

static void
setup(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL;
    if (!base)
        base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(fx.dir, sizeof fx.dir, "%s/doorstep-fuzz-api-XXXXXX", base);
    FUZZ_ASSERT(mkdtemp(fx.dir));
    snprintf(fx.db, sizeof fx.db, "%s/server.db", fx.dir);
    atexit(cleanup);

    struct server srv;
    struct dp_error err;
    FUZZ_ASSERT(server_init(&srv, fx.db, 1, &err) == DP_OK);
    sqlite3 *db = server_db(&srv);
    struct user w, s;
    char token[AUTH_TOKEN_MAX], hash[AUTH_TOKEN_HASH];
    FUZZ_ASSERT(users_add(db, "wa", "worker", "east", "not-a-hash", &w, &err) == DP_OK);
    FUZZ_ASSERT(users_add(db, "sa", "supervisor", "east", "not-a-hash", &s, &err) == DP_OK);
    auth_token_new(token, hash);
    FUZZ_ASSERT(auth_token_store(db, hash, w.id, DEVICE, 3600 * 24 * 365, &err) == DP_OK);
    snprintf(fx.worker, sizeof fx.worker, "Bearer %s", token);
    auth_token_new(token, hash);
    FUZZ_ASSERT(auth_token_store(db, hash, s.id, DEVICE, 3600 * 24 * 365, &err) == DP_OK);
    snprintf(fx.supervisor, sizeof fx.supervisor, "Bearer %s", token);
    server_db_put(&srv, db);

    struct response r;
    dispatch(&srv, "POST", "/sync/v1/push", fx.worker, seed_push, strlen(seed_push), &r);
    if (r.status != 200 || !strstr(r.body, "\"last_mid\":4"))
        fprintf(stderr, "seed push: %d %s\n", r.status, r.body ? r.body : "");
    FUZZ_ASSERT(r.status == 200 && strstr(r.body, "\"last_mid\":4"));
    response_done(&r);
    server_done(&srv);

    FILE *f = fopen(fx.db, "rb");
    FUZZ_ASSERT(f);
    struct stat st;
    FUZZ_ASSERT(fstat(fileno(f), &st) == 0 && st.st_size > 0);
    fx.image_len = (size_t)st.st_size;
    fx.image = malloc(fx.image_len);
    FUZZ_ASSERT(fx.image && fread(fx.image, 1, fx.image_len, f) == fx.image_len);
    fclose(f);
}

static void
restore(struct server *srv)
{
    remove_db();
    FILE *f = fopen(fx.db, "wb");
    FUZZ_ASSERT(f && fwrite(fx.image, 1, fx.image_len, f) == fx.image_len && fclose(f) == 0);
    struct dp_error err;
    FUZZ_ASSERT(server_init(srv, fx.db, 1, &err) == DP_OK);
    /* Logins stop at the rate limit: the argon2 check they would reach costs 64 MiB a go. */
    for (int i = 0; i < LOGIN_MAX_PER_ADDRESS; i++)
        ratelimit_fail(srv->fail_addr, "127.0.0.1", db_now());
}

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
        setup();
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
    restore(&srv);
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
    cJSON_Delete(request);
    cJSON_Delete(answer);
    response_done(&resp);
    server_done(&srv);
    free(head);
    return 0;
}
