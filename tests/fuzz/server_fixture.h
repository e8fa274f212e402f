/*
 * A reference server database for the fuzz targets that run server code
 * (fuzz_api, fuzz_import): users "wa" (worker) and "sa" (supervisor) of team
 * "east", a token for each, and a household with a member, a visit and a
 * need pushed by "wa". Built once per process; fixture_restore() puts a fresh
 * copy of it in place before each input, so that every finding replays from
 * its input alone. Files live in /dev/shm when it is writable (fast), else
 * in $TMPDIR, and are removed at exit.
 */
#ifndef DOORSTEP_TESTS_FUZZ_SERVER_FIXTURE_H
#define DOORSTEP_TESTS_FUZZ_SERVER_FIXTURE_H

#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/api.h"
#include "server/auth.h"
#include "server/db.h"
#include "server/ratelimit.h"
#include "server/server.h"
#include "server/users.h"
#include "tests/fuzz/fuzz.h"

#define DEVICE "6f0e8a52-1c7e-4b8e-9a40-3c1f0d2b7e11"

/* What every input starts from: the database file's bytes and the two tokens in it. */
static struct {
    char dir[256], db[300];
    unsigned char *image;
    size_t image_len;
    char worker[96], supervisor[96]; /* "Bearer <token>" */
} fx;

/* The .hwm goes too: left behind, it would make the server see each fresh copy as restored. */
static inline void
remove_db(void)
{
    static const char *const ext[] = {"", "-wal", "-shm", ".hwm"};
    char p[320];
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        snprintf(p, sizeof p, "%s%s", fx.db, ext[i]);
        unlink(p);
    }
}

static inline void
cleanup(void)
{
    remove_db();
    rmdir(fx.dir);
    free(fx.image);
}

static inline void
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

static inline void
fixture_setup(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL;
    if (!base)
        base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(fx.dir, sizeof fx.dir, "%s/doorstep-fuzz-server-XXXXXX", base);
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

/* A fresh copy of the database file, with nothing holding it open. */
static inline void
fixture_restore_file(void)
{
    remove_db();
    FILE *f = fopen(fx.db, "wb");
    FUZZ_ASSERT(f && fwrite(fx.image, 1, fx.image_len, f) == fx.image_len && fclose(f) == 0);
}

/* The same, opened as a server (server_done it after the input). */
static inline void
fixture_restore(struct server *srv)
{
    fixture_restore_file();
    struct dp_error err;
    FUZZ_ASSERT(server_init(srv, fx.db, 1, &err) == DP_OK);
    /* Logins stop at the rate limit: the argon2 check they would reach costs 64 MiB a go. */
    for (int i = 0; i < LOGIN_MAX_PER_ADDRESS; i++)
        ratelimit_fail(srv->fail_addr, "127.0.0.1", db_now());
}

#endif
