/*
 * The endpoints in-process, through http_dispatch with a real database and
 * token: authentication, hello, push and pull answers, and a busy database
 * giving 503 with Retry-After while applying nothing.
 */
#include "server/api.h"
#include "server/auth.h"
#include "server/db.h"
#include "server/server.h"
#include "server/users.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/test.h"

static char dbpath[256];
static struct server srv;
static char token[AUTH_TOKEN_MAX], auth_header[96];
static const char *dev = "6f0e8a52-1c7e-4b8e-9a40-3c1f0d2b7e11";

static void
setup(void)
{
    snprintf(dbpath, sizeof dbpath, "%s/doorstep-api-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(dbpath);
    if (fd >= 0)
        close(fd);
    unlink(dbpath);
    struct dp_error err;
    if (server_init(&srv, dbpath, 2, &err) != DP_OK) {
        fprintf(stderr, "server_init: %s\n", err.msg);
        exit(1);
    }
    sqlite3 *db = server_db(&srv);
    struct user u;
    char hash[AUTH_TOKEN_HASH];
    if (users_add(db, "wa", "worker", "east", "not-a-hash", &u, &err) != DP_OK)
        exit(1);
    auth_token_new(token, hash);
    if (auth_token_store(db, hash, u.id, dev, 3600, &err) != DP_OK)
        exit(1);
    server_db_put(&srv, db);
    snprintf(auth_header, sizeof auth_header, "Bearer %s", token);
}

static void
teardown(void)
{
    server_done(&srv);
    char p[300];
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
}

/* POST body to path with the token; the answer in *resp (response_done it). */
static void
call(const char *path, const char *body, const char *auth, struct response *resp)
{
    struct request req;
    memset(&req, 0, sizeof req);
    req.srv = &srv;
    req.method = "POST";
    req.path = path;
    req.body = body;
    req.body_len = strlen(body);
    snprintf(req.addr, sizeof req.addr, "127.0.0.1");
    req.authorization = auth;
    response_init(resp);
    http_dispatch(&req, resp);
}

static bool
has(const struct response *r, const char *text)
{
    return r->body && strstr(r->body, text) != NULL;
}

#define HH                                                                                              \
    "\"head_name\":\"张三\",\"village\":\"花园村\",\"township\":\"石门镇\",\"risk\":\"green\"," \
    "\"status\":\"active\""

static const char *push1 =
    "{\"protocol\":1,\"schema\":\"hh-1\",\"device_id\":\"6f0e8a52-1c7e-4b8e-9a40-3c1f0d2b7e11\","
    "\"mutations\":[{\"mid\":1,\"id\":\"0b6a0d64-5d1d-4c8e-8f7a-1c4d6f3e2a10\",\"hash\":\"h1\","
    "\"hlc\":\"019549f3a2c1.0000.dev\",\"op\":\"create\",\"t\":\"household\","
    "\"rid\":\"3c9a5f10-8d2e-4b7a-9c61-0e5f4a3b2c1d\",\"set\":{" HH "}}]}";

TEST(authentication_is_checked_first)
{
    struct response r;
    call("/sync/v1/push", push1, NULL, &r);
    CHECK_INT_EQ(r.status, 401);
    CHECK(has(&r, "token-missing"));
    CHECK(r.www_authenticate);
    response_done(&r);
    call("/sync/v1/push", push1, "Bearer dst1_", &r);
    CHECK_INT_EQ(r.status, 401);
    CHECK(has(&r, "token-invalid"));
    response_done(&r);
    call("/sync/v1/push", push1, "Basic d2E6eA==", &r);
    CHECK_INT_EQ(r.status, 401);
    response_done(&r);
}

TEST(busy_database_is_503_and_applies_nothing)
{
    /* Another connection holds the write lock longer than the busy timeout. */
    sqlite3 *other;
    struct dp_error err;
    REQUIRE(db_open(dbpath, &other, &err) == DP_OK);
    REQUIRE(db_begin_write(other, &err) == DP_OK);
    struct response r;
    call("/sync/v1/push", push1, auth_header, &r);
    CHECK_INT_EQ(r.status, 503);
    CHECK(has(&r, "\"code\":\"unavailable\""));
    CHECK(r.retry_after[0] != '\0');
    response_done(&r);
    db_rollback(other);
    db_close(other);

    /* Nothing was kept: the same mid applies now, once. */
    call("/sync/v1/push", push1, auth_header, &r);
    CHECK_INT_EQ(r.status, 200);
    CHECK(has(&r, "\"last_mid\":1"));
    CHECK(has(&r, "\"status\":\"applied\""));
    CHECK(!has(&r, "replayed"));
    response_done(&r);
}

TEST(hello_push_pull_round_trip)
{
    struct response r;
    call("/sync/v1/hello",
         "{\"protocol\":1,\"schema\":\"hh-1\",\"device_id\":\"6f0e8a52-1c7e-4b8e-9a40-"
         "3c1f0d2b7e11\"}",
         auth_header, &r);
    CHECK_INT_EQ(r.status, 200);
    CHECK(has(&r, "\"known\":true,\"last_mid\":1"));
    response_done(&r);
    call("/sync/v1/push", push1, auth_header, &r);
    CHECK_INT_EQ(r.status, 200);
    CHECK(has(&r, "\"replayed\":true"));
    response_done(&r);
    call("/sync/v1/pull",
         "{\"protocol\":1,\"schema\":\"hh-1\",\"device_id\":\"6f0e8a52-1c7e-4b8e-9a40-"
         "3c1f0d2b7e11\","
         "\"cursor\":null,\"limit\":10}",
         auth_header, &r);
    CHECK_INT_EQ(r.status, 200);
    CHECK(has(&r, "\"rid\":\"3c9a5f10-8d2e-4b7a-9c61-0e5f4a3b2c1d\""));
    CHECK(has(&r, "\"last_mid\":1"));
    CHECK(has(&r, "\"assigned_to\":\"wa\""));
    response_done(&r);
    call("/sync/v1/pull",
         "{\"protocol\":1,\"schema\":\"hh-1\",\"device_id\":\"6f0e8a52-1c7e-4b8e-9a40-"
         "3c1f0d2b7e11\","
         "\"limit\":0}",
         auth_header, &r);
    CHECK_INT_EQ(r.status, 400);
    CHECK(has(&r, "\"field\":\"/limit\""));
    response_done(&r);
    call("/sync/v1/pull",
         "{\"protocol\":1,\"schema\":\"hh-1\",\"device_id\":\"6f0e8a52-1c7e-4b8e-9a40-"
         "3c1f0d2b7e11\","
         "\"digest\":{\"planet\":{\"n\":1,\"h\":\"x\"}}}",
         auth_header, &r);
    CHECK_INT_EQ(r.status, 400);
    CHECK(has(&r, "\"field\":\"/digest/planet\""));
    response_done(&r);
}

TEST(device_lock_refuses_a_second_push)
{
    REQUIRE(server_push_lock(&srv, 1, dev));
    struct response r;
    call("/sync/v1/push", push1, auth_header, &r);
    CHECK_INT_EQ(r.status, 409);
    CHECK_STR_EQ(r.retry_after, "2");
    CHECK(has(&r, "device-busy"));
    response_done(&r);
    server_push_unlock(&srv, 1, dev);
    call("/sync/v1/push", push1, auth_header, &r);
    CHECK_INT_EQ(r.status, 200);
    response_done(&r);
}

int
main(void)
{
    setup();
    RUN(authentication_is_checked_first);
    RUN(busy_database_is_503_and_applies_nothing);
    RUN(hello_push_pull_round_trip);
    RUN(device_lock_refuses_a_second_push);
    teardown();
    return test_report();
}
