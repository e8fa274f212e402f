/*
 * store/review.c: submitting, returning and approving visits, reassigning
 * households. Each is one transaction with its outbox entry (review/assign,
 * hashed as core/mutation.h does), refused before anything is written when
 * the server would refuse it, and shown in the working row at once; a
 * pulled row keeps showing a review that is still waiting to be sent.
 */
#include "store/store.h"

#include "core/mutation.h"
#include "core/validate.h"
#include "store/sync_store.h"
#include "tests/unit/test.h"
#include "tests/unit/test_store_util.h"

#define HH "b1111111-1111-4111-8111-111111111111"
#define V1 "c1111111-1111-4111-8111-111111111111"
#define V2 "c2222222-2222-4222-8222-222222222222"
#define V3 "c3333333-3333-4333-8333-333333333333"
#define V4 "c4444444-4444-4444-8444-444444444444"

static struct dp_error err;

static struct store *
fresh_store(const char *tag, const char *user, const char *role)
{
    char dir[PATH_MAX];
    struct store *st = NULL;
    test_fresh_dir(dir, sizeof dir, tag);
    if (store_open(dir, TEST_PASS, &st, &err) != DP_OK) {
        fprintf(stderr, "    open: %s\n", err.msg);
        return NULL;
    }
    store_meta_set(st, SYNC_META_USER, user, NULL);
    store_meta_set(st, SYNC_META_ROLE, role, NULL);
    return st;
}

static bool
add_household(struct store *st)
{
    struct record r;
    record_init(&r, &schema_household);
    record_set(&r, "id", HH);
    record_set(&r, "head_name", "王小明");
    record_set(&r, "village", "前村");
    record_set(&r, "township", "城关镇");
    record_set(&r, "risk", "green");
    record_set(&r, "status", "active");
    bool ok = store_record_save(st, &r, &err) == DP_OK;
    if (!ok)
        fprintf(stderr, "    save household: %s %s\n", err.field, err.msg);
    record_done(&r);
    return ok;
}

static bool
add_visit(struct store *st, const char *id, const char *worker, const char *state)
{
    struct record r;
    record_init(&r, &schema_visit);
    record_set(&r, "id", id);
    record_set(&r, "household_id", HH);
    record_set(&r, "worker", worker);
    record_set(&r, "date", "2025-02-27");
    record_set(&r, "kind", "routine");
    record_set(&r, "outcome", "completed");
    record_set(&r, "review_state", state);
    bool ok = store_record_save(st, &r, &err) == DP_OK;
    if (!ok)
        fprintf(stderr, "    save visit: %s %s\n", err.field, err.msg);
    record_done(&r);
    return ok;
}

static void
field_of(struct store *st, const struct record_def *def, const char *id, const char *field,
         char *buf, size_t size)
{
    struct record r;
    buf[0] = '\0';
    if (store_record_get(st, def, id, &r, NULL) == DP_OK) {
        snprintf(buf, size, "%s", record_get(&r, field));
        record_done(&r);
    }
}

static long long
outbox_count(struct store *st)
{
    return test_sql_int(st, "SELECT count(*) FROM outbox");
}

/* The stored hash is core's hash of the entry read back: what a replay will compare. */
static bool
hash_matches(struct store *st, long long mid)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT mid, mutation_id, hlc, op, t, rid, base_v, base_json, set_json, conflict_id,"
             " action, comment, assign_to, hash FROM outbox WHERE mid = %lld",
             mid);
    sqlite3_stmt *stmt = NULL;
    bool ok = false;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
        const char *c[14];
        for (int i = 0; i < 14; i++)
            c[i] = (const char *)sqlite3_column_text(stmt, i);
        struct outbox_cols e = {.mid = sqlite3_column_int64(stmt, 0),
                                .mutation_id = c[1],
                                .hlc = c[2],
                                .op = c[3],
                                .t = c[4],
                                .rid = c[5],
                                .base_v = c[6] ? sqlite3_column_int64(stmt, 6) : -1,
                                .base_json = c[7],
                                .set_json = c[8],
                                .conflict_id = c[9],
                                .action = c[10],
                                .comment = c[11],
                                .assign_to = c[12]};
        struct mutation m;
        char hash[MUTATION_HASH_SIZE];
        if (store_outbox_mutation(&e, &m, NULL) == DP_OK) {
            ok = mutation_check(&m, NULL, NULL) == DP_OK &&
                 mutation_hash(&m, hash, sizeof hash) == DP_OK && strcmp(hash, c[13]) == 0;
            mutation_done(&m);
        }
    }
    sqlite3_finalize(stmt);
    return ok;
}

TEST(worker_submits_own_draft)
{
    char buf[256];
    struct store *st = fresh_store("submit", "wang.fang", "worker");
    REQUIRE(st);
    REQUIRE(add_household(st));
    REQUIRE(add_visit(st, V1, "wang.fang", "draft"));
    REQUIRE(add_visit(st, V2, "li.na", "draft"));
    long long before = outbox_count(st);
    const char *one[] = {V1};
    CHECK_INT_EQ(store_visit_review(st, one, 1, STORE_REVIEW_SUBMIT, NULL, &err), DP_OK);
    field_of(st, &schema_visit, V1, "review_state", buf, sizeof buf);
    CHECK_STR_EQ(buf, "submitted");
    CHECK_INT_EQ(outbox_count(st), before + 1);
    long long mid = test_sql_int(st, "SELECT max(mid) FROM outbox");
    CHECK_INT_EQ(mid, before + 1);
    test_sql_text(st,
                  "SELECT op || ' ' || t || ' ' || rid || ' ' || action || ' ' || hid"
                  " FROM outbox ORDER BY mid DESC LIMIT 1",
                  buf, sizeof buf);
    CHECK_STR_EQ(buf, "review visit " V1 " submit " HH);
    CHECK_INT_EQ(test_sql_int(st, "SELECT comment IS NULL AND base_v IS NULL AND set_json IS NULL"
                                  " FROM outbox ORDER BY mid DESC LIMIT 1"),
                 1);
    CHECK(hash_matches(st, mid));
    CHECK_INT_EQ(test_sql_int(st, "SELECT _dirty FROM visits WHERE id = '" V1 "'"), 1);

    /* Not twice, and a comment has no place in a submit. */
    CHECK_INT_EQ(store_visit_review(st, one, 1, STORE_REVIEW_SUBMIT, NULL, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "review_state");
    CHECK(strstr(err.msg, V1) != NULL);
    const char *other[] = {V2};
    CHECK_INT_EQ(store_visit_review(st, other, 1, STORE_REVIEW_SUBMIT, "see me", &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "comment");
    /* Another worker's visit. */
    CHECK_INT_EQ(store_visit_review(st, other, 1, STORE_REVIEW_SUBMIT, NULL, &err), DP_EPERM);
    field_of(st, &schema_visit, V2, "review_state", buf, sizeof buf);
    CHECK_STR_EQ(buf, "draft");
    /* A worker does not review. */
    CHECK_INT_EQ(store_visit_review(st, one, 1, STORE_REVIEW_APPROVE, NULL, &err), DP_EPERM);
    CHECK_INT_EQ(store_visit_review(st, one, 1, STORE_REVIEW_RETURN, "why", &err), DP_EPERM);
    CHECK_INT_EQ(outbox_count(st), before + 1);

    /* Unknown and deleted visits. */
    const char *none[] = {V4};
    CHECK_INT_EQ(store_visit_review(st, none, 1, STORE_REVIEW_SUBMIT, NULL, &err), DP_ENOTFOUND);
    CHECK(strstr(err.msg, V4) != NULL);
    REQUIRE(add_visit(st, V3, "wang.fang", "draft"));
    REQUIRE(store_record_delete(st, &schema_visit, V3, &err) == DP_OK);
    const char *gone[] = {V3};
    CHECK_INT_EQ(store_visit_review(st, gone, 1, STORE_REVIEW_SUBMIT, NULL, &err), DP_ENOTFOUND);
    CHECK_INT_EQ(store_visit_review(st, NULL, 0, STORE_REVIEW_SUBMIT, NULL, &err), DP_EINVAL);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(submitted_visits_change_only_by_review)
{
    char buf[256];
    struct store *st = fresh_store("flow", "wang.fang", "worker");
    REQUIRE(st);
    REQUIRE(add_household(st));
    REQUIRE(add_visit(st, V1, "wang.fang", "draft"));
    struct record r;
    /* A draft is edited freely, but its review state not by a save. */
    REQUIRE(store_record_get(st, &schema_visit, V1, &r, &err) == DP_OK);
    record_set(&r, "notes", "带了米和油");
    CHECK_INT_EQ(store_record_save(st, &r, &err), DP_OK);
    record_set(&r, "review_state", "approved");
    CHECK_INT_EQ(store_record_save(st, &r, &err), DP_EPERM);
    CHECK_STR_EQ(err.field, "review_state");
    record_set(&r, "review_state", "draft");
    record_set(&r, "review_comment", "ok");
    CHECK_INT_EQ(store_record_save(st, &r, &err), DP_EPERM);
    CHECK_STR_EQ(err.field, "review_comment");
    record_done(&r);

    const char *one[] = {V1};
    REQUIRE(store_visit_review(st, one, 1, STORE_REVIEW_SUBMIT, NULL, &err) == DP_OK);
    long long n = outbox_count(st);
    REQUIRE(store_record_get(st, &schema_visit, V1, &r, &err) == DP_OK);
    record_set(&r, "notes", "late change");
    CHECK_INT_EQ(store_record_save(st, &r, &err), DP_EPERM);
    CHECK_INT_EQ(outbox_count(st), n);
    record_done(&r);
    field_of(st, &schema_visit, V1, "notes", buf, sizeof buf);
    CHECK_STR_EQ(buf, "带了米和油");
    store_close(st);
}

TEST(supervisor_returns_and_approves_many)
{
    char buf[256];
    struct store *st = fresh_store("review", "li.wei", "supervisor");
    REQUIRE(st);
    REQUIRE(add_household(st));
    REQUIRE(add_visit(st, V1, "wang.fang", "submitted"));
    REQUIRE(add_visit(st, V2, "wang.fang", "submitted"));
    REQUIRE(add_visit(st, V3, "wang.fang", "submitted"));
    REQUIRE(add_visit(st, V4, "wang.fang", "draft"));
    long long before = outbox_count(st);

    /* One bad visit in the batch: nothing at all is written. */
    const char *mixed[] = {V1, V2, V4};
    CHECK_INT_EQ(store_visit_review(st, mixed, 3, STORE_REVIEW_APPROVE, NULL, &err), DP_EINVAL);
    CHECK(strstr(err.msg, V4) != NULL);
    CHECK_INT_EQ(outbox_count(st), before);
    field_of(st, &schema_visit, V1, "review_state", buf, sizeof buf);
    CHECK_STR_EQ(buf, "submitted");

    /* Return needs a comment of at most 200 characters. */
    const char *one[] = {V3};
    CHECK_INT_EQ(store_visit_review(st, one, 1, STORE_REVIEW_RETURN, NULL, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "comment");
    CHECK_INT_EQ(store_visit_review(st, one, 1, STORE_REVIEW_RETURN, "", &err), DP_EINVAL);
    char longc[700] = "";
    for (int i = 0; i < 201; i++)
        memcpy(longc + 3 * i, "长", 3); /* 201 three-byte characters */
    CHECK_INT_EQ(store_visit_review(st, one, 1, STORE_REVIEW_RETURN, longc, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "comment");
    CHECK_INT_EQ(outbox_count(st), before);
    CHECK_INT_EQ(store_visit_review(st, one, 1, STORE_REVIEW_RETURN, "请补充收入情况", &err),
                 DP_OK);
    field_of(st, &schema_visit, V3, "review_state", buf, sizeof buf);
    CHECK_STR_EQ(buf, "returned");
    field_of(st, &schema_visit, V3, "reviewer", buf, sizeof buf);
    CHECK_STR_EQ(buf, "li.wei");
    field_of(st, &schema_visit, V3, "review_comment", buf, sizeof buf);
    CHECK_STR_EQ(buf, "请补充收入情况");
    CHECK(hash_matches(st, before + 1));

    const char *two[] = {V1, V2};
    CHECK_INT_EQ(store_visit_review(st, two, 2, STORE_REVIEW_APPROVE, NULL, &err), DP_OK);
    CHECK_INT_EQ(outbox_count(st), before + 3);
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM outbox WHERE op = 'review'"
                                  " AND action = 'approve' AND comment IS NULL"),
                 2);
    CHECK(hash_matches(st, before + 2) && hash_matches(st, before + 3));
    field_of(st, &schema_visit, V2, "review_state", buf, sizeof buf);
    CHECK_STR_EQ(buf, "approved");
    /* Approved is final. */
    CHECK_INT_EQ(store_visit_review(st, two, 1, STORE_REVIEW_RETURN, "again", &err), DP_EINVAL);

    /* How sync will send them. */
    struct sync_outbox_item *items = NULL;
    size_t n = 0;
    REQUIRE(store_sync_outbox_take(st, 100, 1 << 20, &items, &n, &err) == DP_OK);
    REQUIRE(n == (size_t)before + 3);
    CHECK_STR_EQ(items[n - 3].op, "review");
    CHECK_STR_EQ(items[n - 3].action, "return");
    CHECK_STR_EQ(items[n - 3].comment, "请补充收入情况");
    CHECK_STR_EQ(items[n - 1].action, "approve");
    CHECK(items[n - 1].comment == NULL);
    sync_outbox_items_free(items, n);
    store_close(st);
}

/* A failure in the middle of a batch (the second outbox insert) leaves every visit as it was. */
TEST(review_batch_is_one_transaction)
{
    char buf[64];
    struct store *st = fresh_store("atomic", "li.wei", "supervisor");
    REQUIRE(st);
    REQUIRE(add_household(st));
    REQUIRE(add_visit(st, V1, "wang.fang", "submitted"));
    REQUIRE(add_visit(st, V2, "wang.fang", "submitted"));
    long long before = outbox_count(st);
    char sql[256];
    snprintf(sql, sizeof sql,
             "CREATE TEMP TRIGGER fail_second BEFORE INSERT ON outbox WHEN NEW.mid = %lld"
             " BEGIN SELECT RAISE(ABORT, 'injected'); END",
             before + 2);
    REQUIRE(test_sql(st, sql) == SQLITE_OK);
    const char *two[] = {V1, V2};
    CHECK(store_visit_review(st, two, 2, STORE_REVIEW_APPROVE, "好", &err) != DP_OK);
    CHECK_INT_EQ(outbox_count(st), before);
    field_of(st, &schema_visit, V1, "review_state", buf, sizeof buf);
    CHECK_STR_EQ(buf, "submitted");
    field_of(st, &schema_visit, V1, "reviewer", buf, sizeof buf);
    CHECK_STR_EQ(buf, "");
    CHECK_INT_EQ(test_sql_int(st, "SELECT CAST(value AS INTEGER) FROM sync_meta"
                                  " WHERE key = 'next_mid'"),
                 before + 1);
    REQUIRE(test_sql(st, "DROP TRIGGER fail_second") == SQLITE_OK);
    CHECK_INT_EQ(store_visit_review(st, two, 2, STORE_REVIEW_APPROVE, "好", &err), DP_OK);
    field_of(st, &schema_visit, V2, "review_comment", buf, sizeof buf);
    CHECK_STR_EQ(buf, "好");
    store_close(st);
}

TEST(supervisor_reassigns)
{
    char buf[64];
    struct store *st = fresh_store("assign", "wang.fang", "worker");
    REQUIRE(st);
    REQUIRE(add_household(st));
    long long before = outbox_count(st);
    CHECK_INT_EQ(store_household_assign(st, HH, "li.na", &err), DP_EPERM);
    CHECK_INT_EQ(outbox_count(st), before);

    store_meta_set(st, SYNC_META_ROLE, "supervisor", NULL);
    CHECK_INT_EQ(store_household_assign(st, HH, "Li Na!", &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "to");
    CHECK_INT_EQ(store_household_assign(st, "b9999999-1111-4111-8111-111111111111", "li.na", &err),
                 DP_ENOTFOUND);
    CHECK_INT_EQ(outbox_count(st), before);

    CHECK_INT_EQ(store_household_assign(st, HH, "li.na", &err), DP_OK);
    field_of(st, &schema_household, HH, "assigned_to", buf, sizeof buf);
    CHECK_STR_EQ(buf, "li.na");
    CHECK_INT_EQ(outbox_count(st), before + 1);
    test_sql_text(st, "SELECT op || ' ' || assign_to || ' ' || hid FROM outbox WHERE op = 'assign'",
                  buf, sizeof buf);
    CHECK_STR_EQ(buf, "assign li.na " HH);
    CHECK(hash_matches(st, before + 1));
    /* The same assignee again: nothing to send. */
    CHECK_INT_EQ(store_household_assign(st, HH, "li.na", &err), DP_OK);
    CHECK_INT_EQ(outbox_count(st), before + 1);
    /* Unassigning is "" and still an entry of its own. */
    CHECK_INT_EQ(store_household_assign(st, HH, "", &err), DP_OK);
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM outbox WHERE op = 'assign'"
                                  " AND assign_to = ''"),
                 1);
    CHECK(hash_matches(st, before + 2));
    /* A later edit of the household goes through: assigned_to is the cache's own value. */
    struct record r;
    REQUIRE(store_record_get(st, &schema_household, HH, &r, &err) == DP_OK);
    record_set(&r, "phone", "13800138009");
    CHECK_INT_EQ(store_record_save(st, &r, &err), DP_OK);
    record_done(&r);
    REQUIRE(store_record_delete(st, &schema_household, HH, &err) == DP_OK);
    CHECK_INT_EQ(store_household_assign(st, HH, "li.na", &err), DP_ENOTFOUND);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

/* A pulled row for a visit whose review waits to be sent still shows the review. */
TEST(pending_review_survives_a_pull)
{
    char buf[64];
    struct store *st = fresh_store("rebase", "li.wei", "supervisor");
    REQUIRE(st);
    REQUIRE(add_household(st));
    REQUIRE(add_visit(st, V1, "wang.fang", "submitted"));
    /* The server took the creates. */
    REQUIRE(test_sql(st, "UPDATE outbox SET state = 'acked'") == SQLITE_OK);
    const char *one[] = {V1};
    REQUIRE(store_visit_review(st, one, 1, STORE_REVIEW_RETURN, "补照片", &err) == DP_OK);

    struct sync_page page;
    sync_page_init(&page);
    page.changes = calloc(1, sizeof *page.changes);
    REQUIRE(page.changes);
    page.nchanges = 1;
    snprintf(page.cursor, sizeof page.cursor, "c1.x.y.5");
    struct sync_change *c = &page.changes[0];
    c->op = SYNC_PUT;
    c->def = &schema_visit;
    snprintf(c->rid, sizeof c->rid, V1);
    c->v = 2;
    record_init(&c->row, &schema_visit);
    record_set(&c->row, "id", V1);
    record_set(&c->row, "household_id", HH);
    record_set(&c->row, "worker", "wang.fang");
    record_set(&c->row, "date", "2025-02-27");
    record_set(&c->row, "kind", "routine");
    record_set(&c->row, "outcome", "completed");
    record_set(&c->row, "review_state", "submitted");
    record_set(&c->row, "notes", "server side note");
    c->row.v = 2;
    /* The household too, so the snapshot of a first pull keeps it. */
    struct sync_page_stats stats;
    REQUIRE(store_meta_set(st, SYNC_META_CURSOR, "c1.x.y.4", &err) == DP_OK);
    CHECK_INT_EQ(store_sync_apply_page(st, &page, &stats, &err), DP_OK);
    field_of(st, &schema_visit, V1, "notes", buf, sizeof buf);
    CHECK_STR_EQ(buf, "server side note");
    field_of(st, &schema_visit, V1, "review_state", buf, sizeof buf);
    CHECK_STR_EQ(buf, "returned");
    field_of(st, &schema_visit, V1, "reviewer", buf, sizeof buf);
    CHECK_STR_EQ(buf, "li.wei");
    field_of(st, &schema_visit, V1, "review_comment", buf, sizeof buf);
    CHECK_STR_EQ(buf, "补照片");
    sync_page_done(&page);
    store_close(st);
}

int
main(void)
{
    test_root_make();
    RUN(worker_submits_own_draft);
    RUN(submitted_visits_change_only_by_review);
    RUN(supervisor_returns_and_approves_many);
    RUN(review_batch_is_one_transaction);
    RUN(supervisor_reassigns);
    RUN(pending_review_survives_a_pull);
    test_root_remove();
    return test_report();
}
