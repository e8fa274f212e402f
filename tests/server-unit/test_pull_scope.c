/*
 * The change feed against a real (temporary) database: scope isolation,
 * paging, reassignment removes and puts, resets and the digest.
 */
#include "server/assign.h"
#include "server/db.h"
#include "server/pull.h"
#include "server/records.h"
#include "server/scope.h"
#include "server/users.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/test.h"

static char dbpath[256];
static sqlite3 *db;
static struct change_ctx ctx = {.user = "test", .device = "", .kind = "write"};

static void
open_db(void)
{
    snprintf(dbpath, sizeof dbpath, "%s/doorstep-pull-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(dbpath);
    if (fd >= 0)
        close(fd);
    unlink(dbpath);
    struct dp_error err;
    if (db_open(dbpath, &db, &err) != DP_OK) {
        fprintf(stderr, "open: %s\n", err.msg);
        exit(1);
    }
}

static void
close_db(void)
{
    db_close(db);
    char p[300];
    unlink(dbpath);
    snprintf(p, sizeof p, "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", dbpath);
    unlink(p);
}

static void
user(const char *name, const char *role, const char *team, struct scope *s)
{
    struct user u;
    struct dp_error err;
    if (users_add(db, name, role, team, "not-a-hash", &u, &err) != DP_OK) {
        fprintf(stderr, "users_add: %s\n", err.msg);
        exit(1);
    }
    scope_set(s, u.id, u.name, u.role, u.team);
}

/* A household assigned to `worker` in `team`, with `members` members; its id into id. */
static void
household(const char *worker, const char *team, int members, char id[37])
{
    struct record r;
    struct dp_error err;
    record_init(&r, &schema_household);
    record_new_id(id, 37);
    record_set(&r, "id", id);
    record_set(&r, "head_name", "张三");
    record_set(&r, "village", "花园村");
    record_set(&r, "township", "石门镇");
    record_set(&r, "risk", "green");
    record_set(&r, "status", "active");
    record_set(&r, "assigned_to", worker);
    record_set(&r, "team", team);
    int64_t seq;
    if (records_insert(db, &r, NULL, &ctx, &seq, &err) != DP_OK ||
        assign_history_add(db, id, "", worker, "", team, seq, &ctx, &err) != DP_OK) {
        fprintf(stderr, "insert: %s\n", err.msg);
        exit(1);
    }
    record_done(&r);
    for (int i = 0; i < members; i++) {
        char mid[37];
        record_init(&r, &schema_member);
        record_new_id(mid, sizeof mid);
        record_set(&r, "id", mid);
        record_set(&r, "household_id", id);
        record_set(&r, "name", "李四");
        record_set(&r, "relation", "child");
        record_set(&r, "status", "present");
        if (records_insert(db, &r, NULL, &ctx, NULL, &err) != DP_OK)
            exit(1);
        record_done(&r);
    }
}

struct page {
    cJSON *root;
    const cJSON *changes;
    char cursor[80];
    bool more;
    const char *reset;
};

static bool
pull(const struct scope *s, const char *cursor, int limit, const cJSON *digest, struct page *p)
{
    struct pull_request pr = {.cursor = cursor,
                              .limit = limit,
                              .max_bytes = 1 << 20,
                              .digest = digest,
                              .device_id = "6f0e8a52-1c7e-4b8e-9a40-3c1f0d2b7e11"};
    char *text = NULL;
    size_t len;
    struct dp_error err;
    memset(p, 0, sizeof *p);
    if (pull_page(db, s, &pr, &text, &len, &err) != DP_OK)
        return false;
    p->root = cJSON_Parse(text);
    free(text);
    if (!p->root)
        return false;
    p->changes = cJSON_GetObjectItem(p->root, "changes");
    snprintf(p->cursor, sizeof p->cursor, "%s",
             cJSON_GetStringValue(cJSON_GetObjectItem(p->root, "cursor")));
    p->more = cJSON_IsTrue(cJSON_GetObjectItem(p->root, "has_more"));
    const cJSON *reset = cJSON_GetObjectItem(p->root, "reset");
    p->reset =
        cJSON_IsObject(reset) ? cJSON_GetStringValue(cJSON_GetObjectItem(reset, "reason")) : NULL;
    return true;
}

/* Count changes with op and type (NULL = any); and whether rid appears. */
static int
count(const struct page *p, const char *op, const char *t)
{
    int n = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, p->changes)
    {
        if ((!op || strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "op")), op) == 0) &&
            (!t || strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "t")), t) == 0))
            n++;
    }
    return n;
}

static bool
mentions(const struct page *p, const char *rid)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, p->changes)
    {
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "rid")), rid) == 0)
            return true;
        const cJSON *row = cJSON_GetObjectItem(c, "row");
        const cJSON *hid = row ? cJSON_GetObjectItem(row, "household_id") : NULL;
        if (hid && strcmp(cJSON_GetStringValue(hid), rid) == 0)
            return true;
    }
    return false;
}

static struct scope wa, wb, sup, other_sup;
static char h1[37], h2[37], h3[37];

TEST(each_worker_sees_only_their_households)
{
    struct page p;
    REQUIRE(pull(&wa, NULL, 500, NULL, &p));
    CHECK_INT_EQ(count(&p, "put", "household"), 2);
    CHECK_INT_EQ(count(&p, "put", "member"), 5);
    CHECK(mentions(&p, h1) && mentions(&p, h2) && !mentions(&p, h3));
    CHECK(!p.more);
    CHECK(p.reset == NULL);
    cJSON_Delete(p.root);

    REQUIRE(pull(&wb, NULL, 500, NULL, &p));
    CHECK_INT_EQ(count(&p, "put", "household"), 1);
    CHECK_INT_EQ(count(&p, "put", "member"), 1);
    CHECK(mentions(&p, h3) && !mentions(&p, h1) && !mentions(&p, h2));
    cJSON_Delete(p.root);

    REQUIRE(pull(&sup, NULL, 500, NULL, &p));
    CHECK_INT_EQ(count(&p, "put", "household"), 3);
    cJSON_Delete(p.root);
    REQUIRE(pull(&other_sup, NULL, 500, NULL, &p));
    CHECK_INT_EQ(cJSON_GetArraySize(p.changes), 0);
    cJSON_Delete(p.root);
}

TEST(pages_follow_the_limit_and_the_cursor)
{
    struct page p;
    char cursor[80] = "";
    int total = 0, pages = 0;
    do {
        REQUIRE(pull(&wa, cursor[0] ? cursor : NULL, 2, NULL, &p));
        int n = cJSON_GetArraySize(p.changes);
        CHECK(n <= 2);
        total += n;
        pages++;
        snprintf(cursor, sizeof cursor, "%s", p.cursor);
        bool more = p.more;
        cJSON_Delete(p.root);
        if (!more)
            break;
    } while (pages < 20);
    CHECK_INT_EQ(total, 7);
    CHECK(pages >= 4);
    /* Caught up: an empty page. */
    REQUIRE(pull(&wa, cursor, 2, NULL, &p));
    CHECK_INT_EQ(cJSON_GetArraySize(p.changes), 0);
    CHECK(!p.more);
    cJSON_Delete(p.root);
}

TEST(reassignment_moves_the_household)
{
    struct page a0, b0;
    REQUIRE(pull(&wa, NULL, 500, NULL, &a0));
    REQUIRE(pull(&wb, NULL, 500, NULL, &b0));
    struct srec hh;
    struct dp_error err;
    REQUIRE(db_begin_write(db, &err) == DP_OK);
    REQUIRE(srec_load(db, &schema_household, h2, &hh, &err) == DP_OK);
    REQUIRE(assign_household(db, &hh, "wb", "east", &ctx, &err) == DP_OK);
    REQUIRE(db_commit(db, &err) == DP_OK);
    srec_done(&hh);

    struct page a1, b1;
    REQUIRE(pull(&wa, a0.cursor, 500, NULL, &a1));
    CHECK_INT_EQ(count(&a1, "remove", "household"), 1);
    CHECK_INT_EQ(count(&a1, "remove", "member"), 3);
    CHECK_INT_EQ(count(&a1, "put", NULL), 0);
    CHECK(mentions(&a1, h2) && !mentions(&a1, h1));
    const cJSON *c;
    cJSON_ArrayForEach(c, a1.changes)
        CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(c, "reason")), "out_of_scope");

    REQUIRE(pull(&wb, b0.cursor, 500, NULL, &b1));
    CHECK_INT_EQ(count(&b1, "put", "household"), 1);
    CHECK_INT_EQ(count(&b1, "put", "member"), 3);
    CHECK(mentions(&b1, h2) && !mentions(&b1, h3));
    /* The household comes before its members. */
    const cJSON *first = cJSON_GetArrayItem(b1.changes, 0);
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(first, "t")), "household");
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(first, "reason")), "in_scope");

    /* The supervisor of the same team sees it move, but keeps it. */
    struct page s1;
    REQUIRE(pull(&sup, NULL, 500, NULL, &s1));
    CHECK_INT_EQ(count(&s1, "put", "household"), 3);
    CHECK_INT_EQ(count(&s1, "remove", NULL), 0);
    cJSON_Delete(s1.root);

    /* A fresh pull of the old worker no longer has it at all. */
    struct page a2;
    REQUIRE(pull(&wa, NULL, 500, NULL, &a2));
    CHECK(!mentions(&a2, h2));
    CHECK_INT_EQ(count(&a2, "put", "household"), 1);
    cJSON_Delete(a2.root);

    cJSON_Delete(a0.root);
    cJSON_Delete(b0.root);
    cJSON_Delete(a1.root);
    cJSON_Delete(b1.root);
}

TEST(resets)
{
    struct page p, r;
    REQUIRE(pull(&wa, NULL, 500, NULL, &p));
    REQUIRE(pull(&wa, "garbage", 500, NULL, &r));
    CHECK_STR_EQ(r.reset, "cursor_expired");
    CHECK_INT_EQ(cJSON_GetArraySize(r.changes), cJSON_GetArraySize(p.changes));
    cJSON_Delete(r.root);

    /* Another user's cursor (another scope hash). */
    struct page b;
    REQUIRE(pull(&wb, NULL, 500, NULL, &b));
    REQUIRE(pull(&wa, b.cursor, 500, NULL, &r));
    CHECK_STR_EQ(r.reset, "scope");
    CHECK(!mentions(&r, h3));
    cJSON_Delete(r.root);
    cJSON_Delete(b.root);

    /* A cursor from the future. */
    char future[80];
    snprintf(future, sizeof future, "%.*s999999", (int)(strrchr(p.cursor, '.') - p.cursor + 1),
             p.cursor);
    REQUIRE(pull(&wa, future, 500, NULL, &r));
    CHECK_STR_EQ(r.reset, "cursor_expired");
    cJSON_Delete(r.root);

    /* A new epoch. */
    struct dp_error err;
    REQUIRE(db_new_epoch(db, NULL, 0, &err) == DP_OK);
    REQUIRE(pull(&wa, p.cursor, 500, NULL, &r));
    CHECK_STR_EQ(r.reset, "epoch");
    CHECK_INT_EQ(count(&r, "put", "household"), 1);
    cJSON_Delete(r.root);
    cJSON_Delete(p.root);
}

TEST(digest_mismatch_resets)
{
    struct page p, r;
    REQUIRE(pull(&wa, NULL, 500, NULL, &p));
    int64_t n;
    char hex[65];
    struct dp_error err;
    REQUIRE(pull_digest(db, &wa, "household", &n, hex, &err) == DP_OK);
    CHECK_INT_EQ(n, 1);
    cJSON *d = cJSON_CreateObject();
    cJSON *hh = cJSON_AddObjectToObject(d, "household");
    cJSON_AddNumberToObject(hh, "n", (double)n);
    cJSON_AddStringToObject(hh, "h", hex);
    REQUIRE(pull(&wa, p.cursor, 500, d, &r));
    CHECK(r.reset == NULL);
    CHECK_INT_EQ(cJSON_GetArraySize(r.changes), 0);
    cJSON_Delete(r.root);
    cJSON_ReplaceItemInObject(hh, "n", cJSON_CreateNumber(2));
    REQUIRE(pull(&wa, p.cursor, 500, d, &r));
    CHECK_STR_EQ(r.reset, "digest");
    CHECK_INT_EQ(count(&r, "put", "household"), 1);
    cJSON_Delete(r.root);
    cJSON_Delete(d);
    cJSON_Delete(p.root);
}

int
main(void)
{
    open_db();
    user("wa", "worker", "east", &wa);
    user("wb", "worker", "east", &wb);
    user("sup", "supervisor", "east", &sup);
    user("sup2", "supervisor", "west", &other_sup);
    household("wa", "east", 2, h1);
    household("wa", "east", 3, h2);
    household("wb", "east", 1, h3);
    RUN(each_worker_sees_only_their_households);
    RUN(pages_follow_the_limit_and_the_cursor);
    RUN(reassignment_moves_the_household);
    RUN(resets);
    RUN(digest_mismatch_resets);
    close_db();
    return test_report();
}
