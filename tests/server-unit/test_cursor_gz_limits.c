/* Cursor text, gzip with caps, the login rate limiter, HTTP header parsing, problem table. */
#include "server/cursor.h"
#include "server/gz.h"
#include "server/http.h"
#include "server/problem.h"
#include "server/ratelimit.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test.h"

TEST(cursor_round_trip_and_refusals)
{
    struct cursor c = {.epoch = "0123456789abcdef", .scope = "fedcba9876543210", .seq = 418822};
    char text[CURSOR_MAX];
    cursor_format(&c, text, sizeof text);
    CHECK_STR_EQ(text, "c1.0123456789abcdef.fedcba9876543210.418822");
    struct cursor back;
    CHECK(cursor_parse(text, &back));
    CHECK_STR_EQ(back.epoch, c.epoch);
    CHECK_STR_EQ(back.scope, c.scope);
    CHECK_INT_EQ(back.seq, 418822);
    CHECK(cursor_parse("c1.0123456789abcdef.fedcba9876543210.0", &back) && back.seq == 0);

    static const char *const bad[] = {
        "",
        "c2.0123456789abcdef.fedcba9876543210.1",
        "c1.0123456789ABCDEF.fedcba9876543210.1",
        "c1.0123456789abcde.fedcba9876543210.1",
        "c1.0123456789abcdef.fedcba9876543210",
        "c1.0123456789abcdef.fedcba9876543210.",
        "c1.0123456789abcdef.fedcba9876543210.-1",
        "c1.0123456789abcdef.fedcba9876543210.01",
        "c1.0123456789abcdef.fedcba9876543210.1x",
        "c1.0123456789abcdef.fedcba9876543210.1234567890123456",
        "c1.0123456789abcdef_fedcba9876543210.1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (cursor_parse(bad[i], &back))
            TEST_FAIL_("accepted bad cursor #%zu", i);
    CHECK(!cursor_parse(NULL, &back));
}

TEST(gzip_round_trip_and_damage)
{
    char text[5000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + i % 7);
    struct buf z, out;
    buf_init(&z, 1 << 20);
    buf_init(&out, 1 << 20);
    REQUIRE(gz_deflate(text, sizeof text, &z) == DP_OK);
    CHECK(z.len < sizeof text);
    CHECK_INT_EQ(gz_inflate(z.data, z.len, sizeof text, &out), DP_OK);
    CHECK(out.len == sizeof text && memcmp(out.data, text, sizeof text) == 0);

    buf_reset(&out);
    CHECK_INT_EQ(gz_inflate(z.data, z.len, sizeof text - 1, &out), DP_ETOOBIG);
    buf_reset(&out);
    CHECK_INT_EQ(gz_inflate(z.data, z.len - 3, sizeof text, &out), DP_EINVAL);
    buf_reset(&out);
    CHECK_INT_EQ(gz_inflate(z.data, z.len / 2, sizeof text, &out), DP_EINVAL);

    /* Trailing bytes after the member, and a flipped byte in the data. */
    char *copy = malloc(z.len + 2);
    REQUIRE(copy);
    memcpy(copy, z.data, z.len);
    copy[z.len] = 'x';
    buf_reset(&out);
    CHECK_INT_EQ(gz_inflate(copy, z.len + 1, sizeof text, &out), DP_EINVAL);
    copy[z.len / 2] ^= 0x55;
    buf_reset(&out);
    CHECK(gz_inflate(copy, z.len, sizeof text, &out) != DP_OK);
    free(copy);
    buf_reset(&out);
    CHECK_INT_EQ(gz_inflate("not gzip", 8, 100, &out), DP_EINVAL);
    buf_reset(&out);
    CHECK_INT_EQ(gz_inflate("", 0, 100, &out), DP_EINVAL);

    /* A bomb: 8 MiB of zeros in a few KiB, capped at 256 KiB. */
    size_t big = 8u << 20;
    char *zeros = calloc(1, big);
    REQUIRE(zeros);
    struct buf bomb;
    buf_init(&bomb, 1 << 20);
    REQUIRE(gz_deflate(zeros, big, &bomb) == DP_OK);
    free(zeros);
    CHECK(bomb.len < 65536);
    buf_reset(&out);
    CHECK_INT_EQ(gz_inflate(bomb.data, bomb.len, 256 * 1024, &out), DP_ETOOBIG);
    CHECK(out.len <= 256 * 1024);
    buf_done(&bomb);
    buf_done(&z);
    buf_done(&out);
}

TEST(buffer_cap)
{
    struct buf b;
    buf_init(&b, 4);
    CHECK_INT_EQ(buf_adds(&b, "abcd"), DP_OK);
    CHECK_INT_EQ(buf_adds(&b, "e"), DP_ETOOBIG);
    CHECK_STR_EQ(buf_cstr(&b), "abcd");
    CHECK_INT_EQ(buf_addf(&b, "%d", 1), DP_ETOOBIG);
    buf_reset(&b);
    CHECK_INT_EQ(buf_addf(&b, "%d-%s", 7, "x"), DP_OK);
    CHECK_STR_EQ(buf_cstr(&b), "7-x");
    size_t n;
    char *p = buf_take(&b, &n);
    CHECK(p && n == 3 && strcmp(p, "7-x") == 0);
    free(p);
    CHECK_STR_EQ(buf_cstr(&b), "");
    buf_done(&b);
}

TEST(rate_limit_blocks_then_forgets)
{
    struct ratelimit *rl = ratelimit_new(64, 3, 100);
    REQUIRE(rl);
    int64_t retry = 0;
    for (int i = 0; i < 3; i++) {
        CHECK(!ratelimit_blocked(rl, "u:alice", 1000 + i, NULL));
        ratelimit_fail(rl, "u:alice", 1000 + i);
    }
    CHECK(ratelimit_blocked(rl, "u:alice", 1010, &retry));
    CHECK_INT_EQ(retry, 90);
    CHECK(!ratelimit_blocked(rl, "u:bob", 1010, NULL));
    CHECK(!ratelimit_blocked(rl, "u:alice", 1100, NULL)); /* window over */
    ratelimit_fail(rl, "u:alice", 1101);
    CHECK(!ratelimit_blocked(rl, "u:alice", 1102, NULL));
    for (int i = 0; i < 3; i++)
        ratelimit_fail(rl, "u:carol", 2000);
    CHECK(ratelimit_blocked(rl, "u:carol", 2001, NULL));
    ratelimit_clear(rl, "u:carol");
    CHECK(!ratelimit_blocked(rl, "u:carol", 2001, NULL));
    ratelimit_free(rl);

    /* A table of 4 slots under a flood of keys still blocks the newest offender. */
    rl = ratelimit_new(4, 2, 100);
    REQUIRE(rl);
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "a:10.0.%d.%d", i / 256, i % 256);
        ratelimit_fail(rl, key, 5000 + i);
    }
    ratelimit_fail(rl, "u:mallory", 6000);
    ratelimit_fail(rl, "u:mallory", 6000);
    CHECK(ratelimit_blocked(rl, "u:mallory", 6001, NULL));
    ratelimit_free(rl);
}

TEST(header_helpers)
{
    CHECK(http_accepts_gzip("gzip"));
    CHECK(http_accepts_gzip("deflate, gzip;q=0.5"));
    CHECK(http_accepts_gzip("br, GZIP"));
    CHECK(http_accepts_gzip("x-gzip"));
    CHECK(!http_accepts_gzip("gzip;q=0"));
    CHECK(!http_accepts_gzip("gzip; q=0.0, br"));
    CHECK(!http_accepts_gzip("gzipx, identity"));
    CHECK(!http_accepts_gzip(""));
    CHECK(!http_accepts_gzip(NULL));
    CHECK(http_addr_is_loopback("127.0.0.1"));
    CHECK(http_addr_is_loopback("127.5.6.7"));
    CHECK(http_addr_is_loopback("::1"));
    CHECK(!http_addr_is_loopback("0.0.0.0"));
    CHECK(!http_addr_is_loopback("10.0.0.1"));
    CHECK(!http_addr_is_loopback("::"));
    CHECK(!http_addr_is_loopback("localhost"));
}

TEST(problems_and_routing_without_a_database)
{
    for (int p = 0; p < PROB_COUNT; p++) {
        CHECK(problem_status((enum problem)p) >= 400);
        CHECK(strlen(problem_code((enum problem)p)) > 3);
    }
    struct response resp;
    response_init(&resp);
    problem_set(&resp, PROB_DEVICE_BUSY, "/x", NULL, "busy %d", 1);
    CHECK_INT_EQ(resp.status, 409);
    CHECK_STR_EQ(resp.retry_after, "2");
    CHECK_STR_EQ(resp.content_type, "application/problem+json");
    CHECK(strstr(resp.body, "\"code\":\"device-busy\"") != NULL);
    CHECK(strstr(resp.body, "\"field\":\"/x\"") != NULL);

    struct request req;
    memset(&req, 0, sizeof req);
    req.method = "GET";
    req.path = "/sync/v1/nothing";
    http_dispatch(&req, &resp);
    CHECK_INT_EQ(resp.status, 404);
    req.path = "/sync/v2/push";
    http_dispatch(&req, &resp);
    CHECK_INT_EQ(resp.status, 404);
    req.path = "/sync/v1/push";
    http_dispatch(&req, &resp);
    CHECK_INT_EQ(resp.status, 405);
    CHECK_STR_EQ(resp.allow, "POST");
    req.method = "POST";
    req.path = "/sync/v1/ref/schema";
    http_dispatch(&req, &resp);
    CHECK_INT_EQ(resp.status, 405);
    CHECK_STR_EQ(resp.allow, "GET");
    response_done(&resp);
}

int
main(void)
{
    RUN(cursor_round_trip_and_refusals);
    RUN(gzip_round_trip_and_damage);
    RUN(buffer_cap);
    RUN(rate_limit_blocks_then_forgets);
    RUN(header_helpers);
    RUN(problems_and_routing_without_a_database);
    return test_report();
}
