/* Request bodies and strict response parsing (sync/proto.h), with good and hostile answers. */
#include "sync/proto.h"

#include <stdlib.h>

#include <cJSON.h>

#include "core/mutation.h"
#include "core/schema.h"
#include "tests/unit/test.h"

#define DEV "6f0e8a52-1c7e-4b8e-9a40-3c1f0d2b7e11"
#define HH  "3c9a5f10-8d2e-4b7a-9c61-0e5f4a3b2c1d"
#define MEM "7d1e0a52-2b3c-4d5e-8f60-7a8b9c0d1e2f"
#define CID "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716"

static struct dp_error err;

static enum dp_status
pull(const char *body, size_t max, struct sync_page *page)
{
    dp_error_clear(&err);
    return proto_parse_pull(body, strlen(body), max, page, &err);
}

static enum dp_status
push(const char *body, struct sync_push_reply *r)
{
    dp_error_clear(&err);
    return proto_parse_push(body, strlen(body), r, &err);
}

static const char good_page[] =
    "{\"cursor\":\"c1.9c1f4e7a0b3d2c55.3a7b0c1d2e3f4a5b.419310\",\"upto\":419900,"
    "\"has_more\":true,\"last_mid\":85,\"reset\":null,\"future_member\":[1,2],"
    "\"changes\":["
    "{\"seq\":418901,\"op\":\"put\",\"t\":\"household\",\"rid\":\"" HH "\",\"v\":14,"
    "\"row\":{\"id\":\"" HH "\",\"head_name\":\"王小明\",\"village\":\"石桥村\",\"risk\":\"green\","
    "\"status\":\"active\",\"phone\":\"13800138002\",\"assigned_to\":\"wang.fang\","
    "\"team\":\"dongshan\"}},"
    "{\"seq\":418950,\"op\":\"put\",\"t\":\"member\",\"rid\":\"" MEM "\",\"v\":2,"
    "\"reason\":\"in_scope\",\"row\":{\"id\":\"" MEM "\",\"household_id\":\"" HH "\","
    "\"name\":\"王丽\",\"relation\":\"spouse\",\"status\":\"present\"}},"
    "{\"seq\":419000,\"op\":\"frobnicate\",\"t\":\"member\",\"rid\":\"" MEM "\"},"
    "{\"seq\":419002,\"op\":\"remove\",\"t\":\"household\",\"rid\":\"" HH "\","
    "\"reason\":\"out_of_scope\"},"
    "{\"seq\":419003,\"op\":\"remove\",\"t\":\"member\",\"rid\":\"" MEM "\","
    "\"reason\":\"deleted\",\"v\":5},"
    "{\"seq\":419004,\"op\":\"remove\",\"t\":\"member\",\"rid\":\"" MEM "\","
    "\"reason\":\"moved_to_mars\"},"
    "{\"seq\":419200,\"op\":\"conflict\",\"conflict_id\":\"" CID "\",\"t\":\"member\","
    "\"rid\":\"" MEM "\",\"kind\":\"field\",\"state\":\"open\",\"opened_by\":\"li.wei\","
    "\"opened_at\":\"2025-02-28T09:10:11Z\","
    "\"fields\":{\"status\":{\"base\":\"present\",\"server\":\"deceased\",\"yours\":\"away\"}}}"
    "]}";

TEST(pull_good_page)
{
    struct sync_page p;
    REQUIRE(pull(good_page, 1000, &p) == DP_OK);
    CHECK_STR_EQ(p.cursor, "c1.9c1f4e7a0b3d2c55.3a7b0c1d2e3f4a5b.419310");
    CHECK_INT_EQ(p.upto, 419900);
    CHECK(p.has_more);
    CHECK_INT_EQ(p.last_mid, 85);
    CHECK(!p.reset);
    CHECK_INT_EQ(p.nchanges, 6);
    CHECK_INT_EQ(p.nskipped, 1);
    REQUIRE(p.nchanges == 6);
    CHECK_INT_EQ(p.changes[0].op, SYNC_PUT);
    CHECK(p.changes[0].def == &schema_household);
    CHECK_INT_EQ(p.changes[0].v, 14);
    CHECK_INT_EQ(p.changes[0].row.v, 14);
    CHECK_STR_EQ(record_get(&p.changes[0].row, "head_name"), "王小明");
    CHECK_STR_EQ(record_get(&p.changes[0].row, "assigned_to"), "wang.fang");
    CHECK(!p.changes[0].in_scope);
    CHECK(p.changes[1].in_scope);
    CHECK_STR_EQ(record_get(&p.changes[1].row, "household_id"), HH);
    CHECK_INT_EQ(p.changes[2].op, SYNC_REMOVE);
    CHECK_INT_EQ(p.changes[2].reason, SYNC_REMOVE_OUT_OF_SCOPE);
    CHECK_INT_EQ(p.changes[2].v, -1);
    CHECK_INT_EQ(p.changes[3].reason, SYNC_REMOVE_DELETED);
    CHECK_INT_EQ(p.changes[3].v, 5);
    /* An unknown reason is the cautious one. */
    CHECK_INT_EQ(p.changes[4].reason, SYNC_REMOVE_OUT_OF_SCOPE);
    CHECK_INT_EQ(p.changes[5].op, SYNC_CONFLICT);
    CHECK_STR_EQ(p.changes[5].conflict_id, CID);
    CHECK_STR_EQ(p.changes[5].kind, "field");
    CHECK_STR_EQ(p.changes[5].state, "open");
    CHECK_STR_EQ(p.changes[5].opened_by, "li.wei");
    CHECK_STR_EQ(p.changes[5].opened_at, "2025-02-28T09:10:11Z");
    cJSON *d = cJSON_Parse(p.changes[5].fields_json);
    REQUIRE(d);
    const cJSON *st = cJSON_GetObjectItem(d, "status");
    CHECK_STR_EQ(cJSON_GetObjectItem(st, "yours")->valuestring, "away");
    cJSON_Delete(d);
    sync_page_done(&p);
    CHECK_INT_EQ(p.nchanges, 0);
}

TEST(pull_empty_page_and_reset)
{
    struct sync_page p;
    REQUIRE(pull("{\"cursor\":\"c1.a.b.1\",\"upto\":1,\"has_more\":false,\"last_mid\":0,"
                 "\"reset\":null,\"changes\":[]}",
                 10, &p) == DP_OK);
    CHECK_INT_EQ(p.nchanges, 0);
    CHECK(!p.has_more);
    sync_page_done(&p);
    REQUIRE(pull("{\"cursor\":\"c1.a.b.1\",\"upto\":1,\"has_more\":true,\"last_mid\":3,"
                 "\"reset\":{\"reason\":\"epoch\"},\"changes\":[]}\n",
                 10, &p) == DP_OK);
    CHECK(p.reset);
    CHECK_STR_EQ(p.reset_reason, "epoch");
    sync_page_done(&p);
}

/* Each of these must fail with DP_EPROTO and leave the page empty. */
static const char *const bad_pages[] = {
    "",
    "<html><body>Login to the hotel wifi</body></html>",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":[",
    "[]",
    "\"just a string\"",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":[]} trailing",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":[]}{}",
    /* missing or mistyped envelope members */
    "{\"has_more\":false,\"last_mid\":0,\"changes\":[]}",
    "{\"cursor\":7,\"has_more\":false,\"last_mid\":0,\"changes\":[]}",
    "{\"cursor\":\"\",\"has_more\":false,\"last_mid\":0,\"changes\":[]}",
    "{\"cursor\":\"has space\",\"has_more\":false,\"last_mid\":0,\"changes\":[]}",
    "{\"cursor\":\"c\",\"has_more\":\"no\",\"last_mid\":0,\"changes\":[]}",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":-1,\"changes\":[]}",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":1.5,\"changes\":[]}",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":\"3\",\"changes\":[]}",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":1e300,\"changes\":[]}",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":{}}",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0}",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"reset\":\"epoch\",\"changes\":[]}",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"reset\":{},\"changes\":[]}",
    "{\"cursor\":\"c\",\"cursor\":\"d\",\"has_more\":false,\"last_mid\":0,\"changes\":[]}",
    /* bad changes */
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":[7]}",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":[{\"seq\":1,\"op\":\"put\","
    "\"t\":\"household\",\"rid\":\"" HH "\",\"v\":1}]}",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":[{\"seq\":1,\"op\":\"put\","
    "\"t\":\"spaceship\",\"rid\":\"" HH "\",\"v\":1,\"row\":{}}]}",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":[{\"seq\":1,\"op\":\"put\","
    "\"t\":\"household\",\"rid\":\"NOT-A-UUID\",\"v\":1,\"row\":{}}]}",
    /* row id differs from rid */
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":[{\"seq\":1,\"op\":\"put\","
    "\"t\":\"household\",\"rid\":\"" HH "\",\"v\":1,\"row\":{\"id\":\"" MEM "\"}}]}",
    /* an invalid value in a row (phone) and an unknown field */
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":[{\"seq\":1,\"op\":\"put\","
    "\"t\":\"household\",\"rid\":\"" HH "\",\"v\":1,\"row\":{\"id\":\"" HH
    "\",\"phone\":\"12\"}}]}",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":[{\"seq\":1,\"op\":\"put\","
    "\"t\":\"household\",\"rid\":\"" HH "\",\"v\":1,\"row\":{\"id\":\"" HH "\",\"ufo\":\"x\"}}]}",
    /* a member without its household */
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":[{\"seq\":1,\"op\":\"put\","
    "\"t\":\"member\",\"rid\":\"" MEM "\",\"v\":1,\"row\":{\"id\":\"" MEM "\"}}]}",
    /* seq going backwards */
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":["
    "{\"seq\":5,\"op\":\"remove\",\"t\":\"member\",\"rid\":\"" MEM "\",\"reason\":\"deleted\"},"
    "{\"seq\":4,\"op\":\"remove\",\"t\":\"member\",\"rid\":\"" MEM "\",\"reason\":\"deleted\"}]}",
    /* remove without a reason; conflict naming a field the type lacks */
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":["
    "{\"seq\":5,\"op\":\"remove\",\"t\":\"member\",\"rid\":\"" MEM "\"}]}",
    "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":[{\"seq\":1,"
    "\"op\":\"conflict\",\"conflict_id\":\"" CID "\",\"t\":\"member\",\"rid\":\"" MEM "\","
    "\"kind\":\"field\",\"state\":\"open\",\"fields\":{\"shoe_size\":{}}}]}",
    /* control characters where text is expected */
    "{\"cursor\":\"c\\u001b[2J\",\"has_more\":false,\"last_mid\":0,\"changes\":[]}",
};

TEST(pull_rejects_hostile_pages)
{
    for (size_t i = 0; i < sizeof bad_pages / sizeof bad_pages[0]; i++) {
        struct sync_page p;
        enum dp_status st = pull(bad_pages[i], 100, &p);
        if (st != DP_EPROTO)
            TEST_FAIL_("bad page %zu: status %s (%s)", i, dp_status_name(st), err.msg);
        CHECK_INT_EQ(p.nchanges, 0);
        CHECK(p.changes == NULL);
        CHECK(err.msg[0] != '\0');
    }
}

TEST(pull_error_names_field_not_value)
{
    struct sync_page p;
    const char *body =
        "{\"cursor\":\"c\",\"has_more\":false,\"last_mid\":0,\"changes\":[{\"seq\":1,\"op\":"
        "\"put\",\"t\":\"household\",\"rid\":\"" HH "\",\"v\":1,\"row\":{\"id\":\"" HH "\","
        "\"phone\":\"1380013800\"}}]}";
    REQUIRE(pull(body, 100, &p) == DP_EPROTO);
    CHECK(strstr(err.msg, "phone") != NULL);
    CHECK(strstr(err.msg, HH) != NULL);
    CHECK(strstr(err.msg, "1380013800") == NULL);
    CHECK_STR_EQ(err.field, "/changes/0/row");
}

TEST(pull_rejects_more_changes_than_asked)
{
    struct sync_page p;
    CHECK_INT_EQ(pull(good_page, 3, &p), DP_EPROTO);
    CHECK_INT_EQ(pull(good_page, 7, &p), DP_OK);
    sync_page_done(&p);
}

TEST(pull_deep_nesting_fails_cleanly)
{
    /* 5000 nested arrays: cJSON's nesting limit refuses it instead of overflowing the stack. */
    size_t n = 5000;
    char *body = malloc(2 * n + 1);
    REQUIRE(body);
    memset(body, '[', n);
    memset(body + n, ']', n);
    body[2 * n] = '\0';
    struct sync_page p;
    CHECK_INT_EQ(pull(body, 100, &p), DP_EPROTO);
    free(body);
}

static const char good_push[] =
    "{\"last_mid\":85,\"results\":["
    "{\"mid\":81,\"status\":\"applied\",\"v\":1},"
    "{\"mid\":82,\"status\":\"merged\",\"v\":14,\"merged_fields\":[\"phone\"]},"
    "{\"mid\":83,\"status\":\"rejected\",\"reason\":\"invalid\",\"field\":\"phone\","
    "\"message\":\"must be 11 digits\"},"
    "{\"mid\":84,\"status\":\"conflict\",\"v\":5,\"conflict_id\":\"" CID "\","
    "\"kind\":\"delete_vs_edit\"},"
    "{\"mid\":85,\"status\":\"applied\",\"v\":6,\"replayed\":true}],"
    "\"stopped\":null}";

TEST(push_good_reply)
{
    struct sync_push_reply r;
    REQUIRE(push(good_push, &r) == DP_OK);
    CHECK_INT_EQ(r.last_mid, 85);
    CHECK_INT_EQ(r.nresults, 5);
    CHECK_INT_EQ(r.stopped, SYNC_STOP_NONE);
    REQUIRE(r.nresults == 5);
    CHECK_INT_EQ(r.results[0].status, SYNC_RES_APPLIED);
    CHECK_INT_EQ(r.results[1].status, SYNC_RES_MERGED);
    CHECK_INT_EQ(r.results[2].status, SYNC_RES_REJECTED);
    CHECK_STR_EQ(r.results[2].reason, "invalid");
    CHECK_STR_EQ(r.results[2].field, "phone");
    CHECK_INT_EQ(r.results[2].v, -1);
    CHECK_INT_EQ(r.results[3].status, SYNC_RES_CONFLICT);
    CHECK_STR_EQ(r.results[3].conflict_id, CID);
    CHECK(r.results[4].replayed);
    CHECK(strstr(r.results[2].json, "\"must be 11 digits\"") != NULL);
    sync_push_reply_done(&r);
}

TEST(push_stops)
{
    struct sync_push_reply r;
    REQUIRE(push("{\"last_mid\":80,\"results\":[],\"stopped\":{\"reason\":\"gap\","
                 "\"expected_mid\":81}}",
                 &r) == DP_OK);
    CHECK_INT_EQ(r.stopped, SYNC_STOP_GAP);
    CHECK_INT_EQ(r.stopped_mid, 81);
    sync_push_reply_done(&r);
    REQUIRE(push("{\"last_mid\":80,\"results\":[],\"stopped\":{\"reason\":\"device_diverged\","
                 "\"mid\":79}}",
                 &r) == DP_OK);
    CHECK_INT_EQ(r.stopped, SYNC_STOP_DIVERGED);
    CHECK_INT_EQ(r.stopped_mid, 79);
    sync_push_reply_done(&r);
    REQUIRE(push("{\"last_mid\":80,\"results\":[{\"mid\":80,\"status\":\"held\"}],"
                 "\"stopped\":{\"reason\":\"solar_flare\"}}",
                 &r) == DP_OK);
    CHECK_INT_EQ(r.stopped, SYNC_STOP_OTHER);
    CHECK_INT_EQ(r.results[0].status, SYNC_RES_OTHER);
    sync_push_reply_done(&r);
}

static const char *const bad_pushes[] = {
    "{\"results\":[],\"stopped\":null}",
    "{\"last_mid\":\"85\",\"results\":[],\"stopped\":null}",
    "{\"last_mid\":85,\"results\":{},\"stopped\":null}",
    "{\"last_mid\":85,\"results\":[{\"mid\":81}]}",
    "{\"last_mid\":85,\"results\":[{\"mid\":81,\"status\":1}]}",
    "{\"last_mid\":85,\"results\":[{\"mid\":0,\"status\":\"applied\"}]}",
    "{\"last_mid\":85,\"results\":[{\"mid\":82,\"status\":\"applied\"},"
    "{\"mid\":81,\"status\":\"applied\"}]}",
    "{\"last_mid\":85,\"results\":[{\"mid\":82,\"status\":\"applied\"},"
    "{\"mid\":82,\"status\":\"applied\"}]}",
    "{\"last_mid\":85,\"results\":[{\"mid\":82,\"status\":\"rejected\"}]}",
    "{\"last_mid\":85,\"results\":[{\"mid\":82,\"status\":\"conflict\"}]}",
    "{\"last_mid\":85,\"results\":[{\"mid\":82,\"status\":\"applied\",\"v\":\"1\"}]}",
    "{\"last_mid\":85,\"results\":[{\"mid\":82,\"status\":\"applied\",\"replayed\":1}]}",
    "{\"last_mid\":85,\"results\":[],\"stopped\":{\"reason\":\"gap\"}}",
    "{\"last_mid\":85,\"results\":[],\"stopped\":\"gap\"}",
    "{\"last_mid\":85,\"results\":[{\"mid\":82,\"status\":\"applied\",\"mid\":83}]}",
    "{\"last_mid\":85,\"results\":[{\"mid\":82,\"status\":\"rejected\",\"reason\":\"invalid\","
    "\"message\":\"bell\\u0007\"}]}",
    "{\"last_mid\":85,\"results\":[",
};

TEST(push_rejects_hostile_replies)
{
    for (size_t i = 0; i < sizeof bad_pushes / sizeof bad_pushes[0]; i++) {
        struct sync_push_reply r;
        enum dp_status st = push(bad_pushes[i], &r);
        if (st != DP_EPROTO)
            TEST_FAIL_("bad push reply %zu: status %s (%s)", i, dp_status_name(st), err.msg);
        CHECK_INT_EQ(r.nresults, 0);
        CHECK(r.results == NULL);
    }
}

TEST(login_reply)
{
    struct proto_login l;
    const char *good =
        "{\"token\":\"dst1_Qm9vdGg1Y2hhbmdlcy1pbi10aGlzLWV4YW1wbGUtdG9rZW4\","
        "\"token_type\":\"Bearer\",\"expires_in\":1209600,"
        "\"user\":{\"name\":\"wang.fang\",\"role\":\"worker\",\"team\":\"dongshan\"},"
        "\"epoch\":\"9c1f4e7a0b3d2c55\",\"server_time\":\"2025-03-01T10:22:35Z\"}";
    REQUIRE(proto_parse_login(good, strlen(good), &l, &err) == DP_OK);
    CHECK_STR_EQ(l.token, "dst1_Qm9vdGg1Y2hhbmdlcy1pbi10aGlzLWV4YW1wbGUtdG9rZW4");
    CHECK_INT_EQ(l.expires_in, 1209600);
    CHECK_STR_EQ(l.user.name, "wang.fang");
    CHECK_STR_EQ(l.user.role, "worker");
    CHECK_STR_EQ(l.user.team, "dongshan");
    CHECK_STR_EQ(l.epoch, "9c1f4e7a0b3d2c55");
    const char *bad[] = {
        "{\"token\":\"short\",\"expires_in\":1,\"user\":{\"name\":\"a\",\"role\":\"worker\"}}",
        "{\"token\":\"dst1_has space in the token....\",\"expires_in\":1,"
        "\"user\":{\"name\":\"a\",\"role\":\"worker\"}}",
        "{\"token\":\"dst1_Qm9vdGg1Y2hhbmdlcy1pbi10aGlzLWV4YW1wbGUtdG9rZW4\",\"expires_in\":0,"
        "\"user\":{\"name\":\"a\",\"role\":\"worker\"}}",
        "{\"token\":\"dst1_Qm9vdGg1Y2hhbmdlcy1pbi10aGlzLWV4YW1wbGUtdG9rZW4\",\"expires_in\":5,"
        "\"user\":{\"name\":\"Bad Name\",\"role\":\"worker\"}}",
        "{\"token\":\"dst1_Qm9vdGg1Y2hhbmdlcy1pbi10aGlzLWV4YW1wbGUtdG9rZW4\",\"expires_in\":5,"
        "\"token_type\":\"MAC\",\"user\":{\"name\":\"a\",\"role\":\"worker\"}}",
        "{\"token\":\"dst1_Qm9vdGg1Y2hhbmdlcy1pbi10aGlzLWV4YW1wbGUtdG9rZW4xxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"expires_in\":5,"
        "\"user\":{\"name\":\"a\",\"role\":\"worker\"}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum dp_status st = proto_parse_login(bad[i], strlen(bad[i]), &l, &err);
        if (st != DP_EPROTO)
            TEST_FAIL_("bad login reply %zu: %s", i, dp_status_name(st));
        CHECK_STR_EQ(l.token, "");
    }
}

TEST(hello_reply)
{
    struct proto_hello h;
    const char *good =
        "{\"protocol\":1,\"schema_accepted\":[\"hh-0\",\"hh-1\"],\"schema_current\":\"hh-1\","
        "\"epoch\":\"9c1f4e7a0b3d2c55\",\"device\":{\"known\":true,\"last_mid\":80},"
        "\"user\":{\"name\":\"wang.fang\",\"role\":\"worker\",\"team\":\"dongshan\"},"
        "\"server_time\":\"2025-03-01T10:22:35Z\",\"token_expires_in\":1209410,"
        "\"limits\":{\"push_max_mutations\":200,\"push_max_bytes\":262144,"
        "\"pull_max_changes\":1000,\"pull_max_bytes\":1048576}}";
    REQUIRE(proto_parse_hello(good, strlen(good), &h, &err) == DP_OK);
    CHECK(h.schema_ok);
    CHECK(h.device_known);
    CHECK_INT_EQ(h.device_last_mid, 80);
    CHECK_INT_EQ(h.limits.push_max_mutations, 200);
    CHECK_INT_EQ(h.limits.pull_max_bytes, 1048576);
    CHECK_INT_EQ(h.token_expires_in, 1209410);
    const char *other = "{\"protocol\":1,\"schema_accepted\":[\"hh-2\"],"
                        "\"device\":{\"known\":false,\"last_mid\":0}}";
    REQUIRE(proto_parse_hello(other, strlen(other), &h, &err) == DP_OK);
    CHECK(!h.schema_ok);
    CHECK(!h.device_known);
    CHECK_INT_EQ(h.token_expires_in, -1);
    const char *bad[] = {
        "{\"protocol\":2,\"schema_accepted\":[\"hh-1\"],\"device\":{\"known\":true,"
        "\"last_mid\":1}}",
        "{\"protocol\":1,\"schema_accepted\":\"hh-1\",\"device\":{\"known\":true,"
        "\"last_mid\":1}}",
        "{\"protocol\":1,\"schema_accepted\":[1],\"device\":{\"known\":true,\"last_mid\":1}}",
        "{\"protocol\":1,\"schema_accepted\":[\"hh-1\"],\"device\":{\"known\":\"yes\","
        "\"last_mid\":1}}",
        "{\"protocol\":1,\"schema_accepted\":[\"hh-1\"]}",
        "{\"protocol\":1,\"schema_accepted\":[\"hh-1\"],\"device\":{\"known\":true,"
        "\"last_mid\":1},\"limits\":{\"push_max_mutations\":0}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT_EQ(proto_parse_hello(bad[i], strlen(bad[i]), &h, &err), DP_EPROTO);
}

static void
fake_response(struct http_response *r, long status, const char *ct, const char *body)
{
    http_response_init(r);
    r->status = status;
    snprintf(r->content_type, sizeof r->content_type, "%s", ct);
    dynbuf_init(&r->body, 1 << 20);
    dynbuf_add_str(&r->body, body);
}

TEST(problem_reports)
{
    struct http_response r;
    struct proto_problem p;
    char msg[300];
    fake_response(&r, 401, "application/problem+json",
                  "{\"type\":\"urn:doorstep:problem:token-expired\",\"code\":\"token-expired\","
                  "\"title\":\"Token expired\",\"status\":401,\"detail\":\"log in\\nagain\"}");
    proto_parse_problem(&r, &p);
    CHECK(p.well_formed);
    CHECK_STR_EQ(p.code, "token-expired");
    CHECK_STR_EQ(p.detail, "log in?again");
    proto_problem_message(&p, msg, sizeof msg);
    CHECK(strstr(msg, "401") && strstr(msg, "token-expired"));
    http_response_done(&r);

    fake_response(&r, 413, "application/problem+json",
                  "{\"code\":\"body-too-large\",\"limit\":262144,\"field\":\"/mutations\"}");
    proto_parse_problem(&r, &p);
    CHECK_INT_EQ(p.limit, 262144);
    CHECK_STR_EQ(p.field, "/mutations");
    http_response_done(&r);

    fake_response(&r, 502, "text/html", "<html>Bad Gateway</html>");
    proto_parse_problem(&r, &p);
    CHECK(!p.well_formed);
    CHECK_STR_EQ(p.code, "");
    proto_problem_message(&p, msg, sizeof msg);
    CHECK(strstr(msg, "502") != NULL);
    http_response_done(&r);

    fake_response(&r, 500, "application/problem+json", "{\"code\":42}");
    proto_parse_problem(&r, &p);
    CHECK(!p.well_formed);
    http_response_done(&r);

    /* version-not-supported: the newest schema accepted, ignoring junk in the list. */
    fake_response(&r, 400, "application/problem+json",
                  "{\"code\":\"version-not-supported\",\"version_type\":\"schema\","
                  "\"accepted\":[\"hh-2\",7,\"hh-10\",\"bad name\",\"hh-3\"]}");
    proto_parse_problem(&r, &p);
    CHECK_STR_EQ(p.version_type, "schema");
    CHECK_STR_EQ(p.schema_newest, "hh-10");
    http_response_done(&r);
}

TEST(versions_and_times)
{
    CHECK(proto_schema_compare("hh-1", "hh-2") < 0);
    CHECK(proto_schema_compare("hh-10", "hh-9") > 0);
    CHECK_INT_EQ(proto_schema_compare("hh-1", "hh-1"), 0);
    CHECK_INT_EQ(proto_schema_compare("hh-1", "xx-2"), 0); /* another family */
    CHECK_INT_EQ(proto_schema_compare("hh-1", "hh-"), 0);
    CHECK_INT_EQ(proto_schema_compare("hh-1", ""), 0);
    CHECK_INT_EQ(proto_schema_compare(NULL, "hh-1"), 0);

    unsetenv("DOORSTEP_TEST_SCHEMA");
    CHECK_STR_EQ(proto_schema(), SCHEMA_NAME);
    setenv("DOORSTEP_TEST_SCHEMA", "hh-0", 1);
    CHECK_STR_EQ(proto_schema(), "hh-0");
    setenv("DOORSTEP_TEST_SCHEMA", "no spaces allowed", 1);
    CHECK_STR_EQ(proto_schema(), SCHEMA_NAME);
    unsetenv("DOORSTEP_TEST_SCHEMA");

    int64_t t = 0;
    CHECK(proto_parse_time("1970-01-01T00:00:00Z", &t) && t == 0);
    CHECK(proto_parse_time("2025-03-01T10:22:35Z", &t) && t == 1740824555);
    CHECK(proto_parse_time("2025-03-01T10:22:35.123Z", &t) && t == 1740824555);
    CHECK(!proto_parse_time("2025-03-01T10:22:35", &t));
    CHECK(!proto_parse_time("2025-03-01T10:22:35+08:00", &t));
    CHECK(!proto_parse_time("2025-3-1T10:22:35Z", &t));
    CHECK(!proto_parse_time("2025-13-01T10:22:35Z", &t));
    CHECK(!proto_parse_time("", &t));
    CHECK(!proto_parse_time(NULL, &t));
}

TEST(expect_json_names_what_came)
{
    struct http_response r;
    fake_response(&r, 200, "text/html", "<html></html>");
    CHECK_INT_EQ(proto_expect_json(&r, &err), DP_EPROTO);
    CHECK(strstr(err.msg, "text/html") != NULL);
    http_response_done(&r);
    fake_response(&r, 200, "application/json", "{}");
    CHECK_INT_EQ(proto_expect_json(&r, &err), DP_OK);
    http_response_done(&r);
}

TEST(requests_are_well_formed)
{
    char *body = NULL;
    size_t len = 0;
    REQUIRE(proto_login_request("wang.fang", "pa\"ss", DEV, &body, &len) == DP_OK);
    cJSON *d = cJSON_Parse(body);
    REQUIRE(d);
    CHECK_STR_EQ(cJSON_GetObjectItem(d, "password")->valuestring, "pa\"ss");
    CHECK_INT_EQ(cJSON_GetArraySize(d), 3);
    cJSON_Delete(d);
    CHECK_INT_EQ(len, strlen(body));
    free(body);

    REQUIRE(proto_hello_request(DEV, "0.1.0", "2025-03-01T10:22:33Z", 80, &body, &len) == DP_OK);
    d = cJSON_Parse(body);
    REQUIRE(d);
    CHECK_INT_EQ(cJSON_GetObjectItem(d, "protocol")->valueint, 1);
    CHECK_STR_EQ(cJSON_GetObjectItem(d, "schema")->valuestring, SCHEMA_NAME);
    CHECK_INT_EQ(cJSON_GetObjectItem(d, "acked_mid")->valueint, 80);
    cJSON_Delete(d);
    free(body);

    struct proto_pull_params pp = {
        .device_id = DEV, .cursor = NULL, .limit = 500, .max_bytes = 262144};
    REQUIRE(proto_pull_request(&pp, &body, &len, &err) == DP_OK);
    d = cJSON_Parse(body);
    REQUIRE(d);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(d, "cursor")));
    CHECK(!cJSON_GetObjectItem(d, "digest"));
    cJSON_Delete(d);
    free(body);
    pp.cursor = "c1.x";
    pp.digest_json = "{\"household\":{\"n\":1,\"h\":\"ab\"}}";
    REQUIRE(proto_pull_request(&pp, &body, &len, &err) == DP_OK);
    d = cJSON_Parse(body);
    REQUIRE(d);
    CHECK_STR_EQ(cJSON_GetObjectItem(d, "cursor")->valuestring, "c1.x");
    CHECK(cJSON_IsObject(cJSON_GetObjectItem(d, "digest")));
    cJSON_Delete(d);
    free(body);
    pp.digest_json = "[1]";
    CHECK_INT_EQ(proto_pull_request(&pp, &body, &len, &err), DP_EINVAL);
    CHECK(body == NULL);
}

TEST(push_request_from_outbox_items)
{
    struct sync_outbox_item it[2];
    memset(it, 0, sizeof it);
    it[0].mid = 81;
    snprintf(it[0].mutation_id, sizeof it[0].mutation_id, "%s", DEV);
    snprintf(it[0].hash, sizeof it[0].hash, "sha256:00");
    snprintf(it[0].hlc, sizeof it[0].hlc, "0000019549f3a2c1.0003.6f0e8a52");
    snprintf(it[0].op, sizeof it[0].op, "update");
    snprintf(it[0].t, sizeof it[0].t, "household");
    snprintf(it[0].rid, sizeof it[0].rid, HH);
    it[0].base_v = 12;
    it[0].base_json = strdup("{\"phone\":\"13800138001\"}");
    it[0].set_json = strdup("{\"phone\":\"13800138002\"}");
    it[1] = it[0];
    it[1].mid = 82;
    it[1].base_json = NULL;
    it[1].set_json = strdup("{\"status\":\"away\"}");
    it[1].base_v = -1;
    snprintf(it[1].op, sizeof it[1].op, "resolve_conflict");
    snprintf(it[1].conflict_id, sizeof it[1].conflict_id, CID);

    char *body = NULL;
    size_t len = 0;
    REQUIRE(proto_push_request(DEV, it, 2, &body, &len, &err) == DP_OK);
    cJSON *d = cJSON_Parse(body);
    REQUIRE(d);
    const cJSON *ms = cJSON_GetObjectItem(d, "mutations");
    CHECK_INT_EQ(cJSON_GetArraySize(ms), 2);
    const cJSON *m0 = cJSON_GetArrayItem(ms, 0), *m1 = cJSON_GetArrayItem(ms, 1);
    CHECK_INT_EQ(cJSON_GetObjectItem(m0, "base_v")->valueint, 12);
    CHECK_STR_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(m0, "set"), "phone")->valuestring,
                 "13800138002");
    CHECK(!cJSON_GetObjectItem(m0, "conflict_id"));
    CHECK_STR_EQ(cJSON_GetObjectItem(m1, "conflict_id")->valuestring, CID);
    CHECK(cJSON_GetObjectItem(m1, "choose") != NULL);
    CHECK(!cJSON_GetObjectItem(m1, "set"));
    CHECK(!cJSON_GetObjectItem(m1, "base_v"));
    cJSON_Delete(d);

    char key[160], key2[160];
    proto_idempotency_key(DEV, 81, 82, body, len, key, sizeof key);
    CHECK(strncmp(key, DEV ":81-82:", strlen(DEV ":81-82:")) == 0);
    CHECK_INT_EQ(strlen(key), strlen(DEV ":81-82:") + 8);
    body[len - 2] = ' ';
    proto_idempotency_key(DEV, 81, 82, body, len, key2, sizeof key2);
    CHECK(strcmp(key, key2) != 0);
    free(body);

    free(it[1].set_json);
    it[1].set_json = strdup("not json");
    CHECK_INT_EQ(proto_push_request(DEV, it, 2, &body, &len, &err), DP_EINVAL);
    CHECK(body == NULL);
    free(it[0].base_json);
    free(it[0].set_json);
    free(it[1].set_json);
}

/* Review and assign entries go out with their own members, in a shape the server parses. */
TEST(push_request_review_and_assign)
{
    struct sync_outbox_item it[3];
    memset(it, 0, sizeof it);
    for (int i = 0; i < 3; i++) {
        it[i].mid = 5 + i;
        snprintf(it[i].mutation_id, sizeof it[i].mutation_id, "%s", DEV);
        snprintf(it[i].hash, sizeof it[i].hash, "sha256:0%d", i);
        snprintf(it[i].hlc, sizeof it[i].hlc, "019549f3a2c1.000%d.6f0e8a52", i);
        it[i].base_v = -1;
    }
    snprintf(it[0].op, sizeof it[0].op, "review");
    snprintf(it[0].t, sizeof it[0].t, "visit");
    snprintf(it[0].rid, sizeof it[0].rid, MEM);
    snprintf(it[0].action, sizeof it[0].action, "submit");
    snprintf(it[1].op, sizeof it[1].op, "review");
    snprintf(it[1].t, sizeof it[1].t, "visit");
    snprintf(it[1].rid, sizeof it[1].rid, MEM);
    snprintf(it[1].action, sizeof it[1].action, "return");
    it[1].comment = strdup("请补充收入情况");
    snprintf(it[2].op, sizeof it[2].op, "assign");
    snprintf(it[2].t, sizeof it[2].t, "household");
    snprintf(it[2].rid, sizeof it[2].rid, HH);
    it[2].has_to = true; /* "" unassigns: still sent */

    char *body = NULL;
    size_t len = 0;
    REQUIRE(proto_push_request(DEV, it, 3, &body, &len, &err) == DP_OK);
    cJSON *d = cJSON_Parse(body);
    REQUIRE(d);
    const cJSON *ms = cJSON_GetObjectItem(d, "mutations");
    CHECK_INT_EQ(cJSON_GetArraySize(ms), 3);
    const cJSON *m0 = cJSON_GetArrayItem(ms, 0), *m1 = cJSON_GetArrayItem(ms, 1),
                *m2 = cJSON_GetArrayItem(ms, 2);
    CHECK_STR_EQ(cJSON_GetObjectItem(m0, "action")->valuestring, "submit");
    CHECK(!cJSON_GetObjectItem(m0, "comment"));
    CHECK_STR_EQ(cJSON_GetObjectItem(m1, "comment")->valuestring, "请补充收入情况");
    CHECK_STR_EQ(cJSON_GetObjectItem(m2, "to")->valuestring, "");
    CHECK(!cJSON_GetObjectItem(m2, "set") && !cJSON_GetObjectItem(m2, "action"));
    /* What a server does with each: core's strict parser takes all three. */
    for (int i = 0; i < 3; i++) {
        struct mutation m;
        mutation_init(&m);
        struct dp_error e;
        CHECK_INT_EQ(mutation_from_json(&m, cJSON_GetArrayItem(ms, i), NULL, &e), DP_OK);
        mutation_done(&m);
    }
    cJSON_Delete(d);
    free(body);
    free(it[1].comment);
}

int
main(void)
{
    RUN(pull_good_page);
    RUN(pull_empty_page_and_reset);
    RUN(pull_rejects_hostile_pages);
    RUN(pull_error_names_field_not_value);
    RUN(pull_rejects_more_changes_than_asked);
    RUN(pull_deep_nesting_fails_cleanly);
    RUN(push_good_reply);
    RUN(push_stops);
    RUN(push_rejects_hostile_replies);
    RUN(push_request_review_and_assign);
    RUN(versions_and_times);
    RUN(login_reply);
    RUN(hello_reply);
    RUN(problem_reports);
    RUN(expect_json_names_what_came);
    RUN(requests_are_well_formed);
    RUN(push_request_from_outbox_items);
    return test_report();
}
