/*
 * Pushed mutations applied to a real (temporary) database: creates, the
 * field merge and its conflicts, tombstones, review flow, reassignment,
 * conflict resolution, and scope: another worker's household answers
 * exactly like a household that does not exist.
 */
#include "server/mutate.h"

#include "server/assign.h"
#include "server/db.h"
#include "server/records.h"
#include "server/scope.h"
#include "server/users.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/test.h"

static char dbpath[256];
static sqlite3 *db;
static struct scope wa, wb, sup, sup2;
static int64_t next_mid = 1;

static void
open_db(void)
{
    snprintf(dbpath, sizeof dbpath, "%s/doorstep-mutate-XXXXXX",
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
    if (users_add(db, name, role, team, "not-a-hash", &u, &err) != DP_OK)
        exit(1);
    scope_set(s, u.id, u.name, u.role, u.team);
}

/*
 * Apply a mutation written as JSON with printf-style arguments; the
 * envelope (mid, id, hash, hlc) is added here. Returns the result (caller
 * frees) or NULL on a database failure.
 */
static cJSON *apply(const struct scope *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static cJSON *apply_json(const struct scope *s, const char *body);

static cJSON *
apply(const struct scope *s, const char *fmt, ...)
{
    char body[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    return apply_json(s, body);
}

static cJSON *
apply_json(const struct scope *s, const char *body)
{
    cJSON *obj = cJSON_Parse(body);
    if (!obj) {
        fprintf(stderr, "bad test JSON: %s\n", body);
        return NULL;
    }
    char id[37];
    record_new_id(id, sizeof id);
    cJSON_AddNumberToObject(obj, "mid", (double)next_mid++);
    cJSON_AddStringToObject(obj, "id", id);
    cJSON_AddStringToObject(obj, "hash", "sha256:test");
    if (!cJSON_GetObjectItem(obj, "hlc"))
        cJSON_AddStringToObject(obj, "hlc", "019549f3a2c1.0000.dev1");
    struct mutate_ctx mc = {.db = db, .scope = *s, .device = "dev1", .now_ms = 1741000000000ULL};
    mc.today = (struct dp_date){2026, 6, 30};
    cJSON *res = NULL;
    struct dp_error err;
    dp_error_clear(&err);
    if (db_begin_write(db, &err) != DP_OK)
        return NULL;
    enum dp_status st = mutate_apply(&mc, obj, &res, &err);
    if (st == DP_OK)
        st = db_commit(db, &err);
    else
        db_rollback(db);
    cJSON_Delete(obj);
    if (st != DP_OK) {
        fprintf(stderr, "mutate_apply: %s %s\n", dp_status_name(st), err.msg);
        cJSON_Delete(res);
        return NULL;
    }
    return res;
}

static const char *
str(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
    return s ? s : "";
}

static int64_t
num(const cJSON *o, const char *k)
{
    const cJSON *n = cJSON_GetObjectItem(o, k);
    return cJSON_IsNumber(n) ? (int64_t)n->valuedouble : -1;
}

/* Check status (and reason) of a result and free it; returns v. */
#define EXPECT(res, status_, reason_) expect_(__LINE__, res, status_, reason_)

static int64_t
expect_(int line, cJSON *res, const char *status, const char *reason)
{
    int64_t v = -1;
    if (!res) {
        TEST_FAIL_("line %d: no result", line);
        return v;
    }
    if (strcmp(str(res, "status"), status) != 0 ||
        (reason && strcmp(str(res, "reason"), reason) != 0)) {
        char *t = cJSON_PrintUnformatted(res);
        TEST_FAIL_("line %d: want %s/%s, got %s", line, status, reason ? reason : "-", t);
        free(t);
    }
    v = num(res, "v");
    cJSON_Delete(res);
    return v;
}

static const char *
field_of(const char *t, const char *rid, const char *field, char *buf, size_t n)
{
    struct srec s;
    struct dp_error err;
    buf[0] = '\0';
    if (srec_load(db, schema_record(t), rid, &s, &err) == DP_OK)
        snprintf(buf, n, "%s%s", s.rec.deleted ? "(deleted)" : "", record_get(&s.rec, field));
    srec_done(&s);
    return buf;
}

#define HOUSEHOLD_SET                                                                                   \
    "\"head_name\":\"张三\",\"village\":\"花园村\",\"township\":\"石门镇\",\"risk\":\"green\"," \
    "\"status\":\"active\""

static char h1[37], h2[37], m1[37];

TEST(creates_are_scoped_and_idempotent)
{
    record_new_id(h1, sizeof h1);
    record_new_id(h2, sizeof h2);
    record_new_id(m1, sizeof m1);
    CHECK_INT_EQ(EXPECT(apply(&wa,
                              "{\"op\":\"create\",\"t\":\"household\",\"rid\":\"%s\","
                              "\"set\":{" HOUSEHOLD_SET ",\"phone\":\"13800138001\"}}",
                              h1),
                        "applied", NULL),
                 1);
    char buf[64];
    CHECK_STR_EQ(field_of("household", h1, "assigned_to", buf, sizeof buf), "wa");
    CHECK_STR_EQ(field_of("household", h1, "team", buf, sizeof buf), "east");
    /* The same create again is a duplicate. */
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"household\",\"rid\":\"%s\",\"set\":{" HOUSEHOLD_SET
                 ",\"phone\":\"13800138001\"}}",
                 h1),
           "duplicate", NULL);
    /* A server-kept field is refused. */
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"household\",\"rid\":\"%s\",\"set\":{" HOUSEHOLD_SET
                 ",\"assigned_to\":\"wb\"}}",
                 h2),
           "rejected", "server_field");
    /* A missing required field. */
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"household\",\"rid\":\"%s\","
                 "\"set\":{\"head_name\":\"张三\"}}",
                 h2),
           "rejected", "invalid");
    /* A bad ID number. */
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"household\",\"rid\":\"%s\",\"set\":{" HOUSEHOLD_SET
                 ",\"head_id_number\":\"110101199003071235\"}}",
                 h2),
           "rejected", "invalid");
    EXPECT(apply(&wa, "{\"op\":\"create\",\"t\":\"planet\",\"rid\":\"%s\",\"set\":{}}", h2),
           "rejected", "unknown_type");
    EXPECT(apply(&wa, "{\"op\":\"teleport\",\"t\":\"household\",\"rid\":\"%s\"}", h2), "rejected",
           "unknown_op");
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"member\",\"rid\":\"%s\",\"set\":{\"household_id\":"
                 "\"%s\",\"name\":\"李小梅\",\"relation\":\"child\",\"status\":\"present\"}}",
                 m1, h1),
           "applied", NULL);
}

TEST(other_workers_household_looks_absent)
{
    char ghost[37], mid_[37];
    record_new_id(ghost, sizeof ghost);
    record_new_id(mid_, sizeof mid_);
    char ops[3][2][512];
    const char *ids[2] = {h1, ghost};
    for (int k = 0; k < 2; k++) {
        snprintf(ops[0][k], sizeof ops[0][k],
                 "{\"op\":\"update\",\"t\":\"household\",\"rid\":\"%s\",\"base_v\":1,"
                 "\"set\":{\"phone\":\"13900000000\"}}",
                 ids[k]);
        snprintf(ops[1][k], sizeof ops[1][k],
                 "{\"op\":\"delete\",\"t\":\"household\",\"rid\":\"%s\",\"base_v\":1}", ids[k]);
        snprintf(ops[2][k], sizeof ops[2][k],
                 "{\"op\":\"assign\",\"t\":\"household\",\"rid\":\"%s\",\"to\":\"wb\"}", ids[k]);
    }
    for (size_t i = 0; i < 3; i++) {
        cJSON *a = apply_json(&wb, ops[i][0]);
        cJSON *b = apply_json(&wb, ops[i][1]);
        REQUIRE(a && b);
        cJSON_DeleteItemFromObject(a, "mid");
        cJSON_DeleteItemFromObject(b, "mid");
        char *ta = cJSON_PrintUnformatted(a), *tb = cJSON_PrintUnformatted(b);
        CHECK_STR_EQ(ta, tb);
        CHECK_STR_EQ(str(a, "reason"), "not_found");
        free(ta);
        free(tb);
        cJSON_Delete(a);
        cJSON_Delete(b);
    }
    /* A member or visit pushed into another worker's household. */
    EXPECT(apply(&wb,
                 "{\"op\":\"create\",\"t\":\"member\",\"rid\":\"%s\",\"set\":{\"household_id\":"
                 "\"%s\",\"name\":\"王五\",\"relation\":\"child\",\"status\":\"present\"}}",
                 mid_, h1),
           "rejected", "not_found");
    EXPECT(apply(&wb,
                 "{\"op\":\"update\",\"t\":\"member\",\"rid\":\"%s\",\"base_v\":1,"
                 "\"set\":{\"name\":\"王五\"}}",
                 m1),
           "rejected", "not_found");
    /* Reusing the other worker's record id for a new record of their own. */
    EXPECT(apply(&wb,
                 "{\"op\":\"create\",\"t\":\"household\",\"rid\":\"%s\",\"set\":{" HOUSEHOLD_SET
                 "}}",
                 h1),
           "rejected", "id_taken");
    /* A supervisor of another team sees nothing either. */
    EXPECT(apply(&sup2,
                 "{\"op\":\"update\",\"t\":\"household\",\"rid\":\"%s\",\"base_v\":1,"
                 "\"set\":{\"phone\":\"13900000000\"}}",
                 h1),
           "rejected", "not_found");
    char buf[64];
    CHECK_STR_EQ(field_of("household", h1, "phone", buf, sizeof buf), "13800138001");
    CHECK_STR_EQ(field_of("household", h1, "assigned_to", buf, sizeof buf), "wa");
}

TEST(field_merge_rules)
{
    char buf[64];
    /* wa edits phone from base 1. */
    int64_t v =
        EXPECT(apply(&wa,
                     "{\"op\":\"update\",\"t\":\"household\",\"rid\":\"%s\",\"base_v\":1,"
                     "\"base\":{\"phone\":\"13800138001\"},\"set\":{\"phone\":\"13800138002\"}}",
                     h1),
               "applied", NULL);
    CHECK_INT_EQ(v, 2);
    /* The supervisor, also from base 1, edits another field: merged, no conflict. */
    v = EXPECT(apply(&sup,
                     "{\"op\":\"update\",\"t\":\"household\",\"rid\":\"%s\",\"base_v\":1,"
                     "\"base\":{\"address\":null},\"set\":{\"address\":\"十组9号\"}}",
                     h1),
               "merged", NULL);
    CHECK_INT_EQ(v, 3);
    CHECK_STR_EQ(field_of("household", h1, "phone", buf, sizeof buf), "13800138002");
    CHECK_STR_EQ(field_of("household", h1, "address", buf, sizeof buf), "十组9号");
    /* The same change from an old base converges. */
    EXPECT(apply(&sup,
                 "{\"op\":\"update\",\"t\":\"household\",\"rid\":\"%s\",\"base_v\":1,"
                 "\"base\":{\"phone\":\"13800138001\"},\"set\":{\"phone\":\"13800138002\"}}",
                 h1),
           "merged", NULL);
    /* A different change of the same field: a conflict, the server value stays. */
    cJSON *r = apply(&sup,
                     "{\"op\":\"update\",\"t\":\"household\",\"rid\":\"%s\",\"base_v\":1,"
                     "\"base\":{\"phone\":\"13800138001\"},\"set\":{\"phone\":\"13700000000\"}}",
                     h1);
    REQUIRE(r);
    CHECK_STR_EQ(str(r, "status"), "conflict");
    CHECK_STR_EQ(str(r, "kind"), "field");
    char cid[40];
    snprintf(cid, sizeof cid, "%s", str(r, "conflict_id"));
    CHECK(strlen(cid) == 36);
    cJSON_Delete(r);
    CHECK_STR_EQ(field_of("household", h1, "phone", buf, sizeof buf), "13800138002");

    /* Both values are kept in the conflict. */
    sqlite3_stmt *q;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT fields, state FROM conflicts WHERE id = ?", -1, &q,
                               NULL) == SQLITE_OK);
    sqlite3_bind_text(q, 1, cid, -1, SQLITE_STATIC);
    REQUIRE(sqlite3_step(q) == SQLITE_ROW);
    const char *fields = (const char *)sqlite3_column_text(q, 0);
    CHECK(strstr(fields, "13700000000") && strstr(fields, "13800138002") &&
          strstr(fields, "13800138001"));
    CHECK_STR_EQ((const char *)sqlite3_column_text(q, 1), "open");
    sqlite3_finalize(q);

    /* A resolution must cover the field; it is then written and the conflict closes. */
    EXPECT(apply(&wa,
                 "{\"op\":\"resolve_conflict\",\"conflict_id\":\"%s\",\"choose\":{"
                 "\"address\":null}}",
                 cid),
           "rejected", "invalid");
    EXPECT(apply(&wb,
                 "{\"op\":\"resolve_conflict\",\"conflict_id\":\"%s\",\"choose\":{"
                 "\"phone\":\"13700000000\"}}",
                 cid),
           "rejected", "not_found");
    EXPECT(apply(&wa,
                 "{\"op\":\"resolve_conflict\",\"conflict_id\":\"%s\",\"choose\":{"
                 "\"phone\":\"13700000000\"}}",
                 cid),
           "applied", NULL);
    CHECK_STR_EQ(field_of("household", h1, "phone", buf, sizeof buf), "13700000000");
    EXPECT(apply(&wa,
                 "{\"op\":\"resolve_conflict\",\"conflict_id\":\"%s\",\"choose\":{"
                 "\"phone\":\"13700000000\"}}",
                 cid),
           "rejected", "already_resolved");
    EXPECT(apply(&wa,
                 "{\"op\":\"resolve_conflict\",\"conflict_id\":\"%s\",\"choose\":{"
                 "\"phone\":\"13700000000\"}}",
                 m1),
           "rejected", "not_found");
    /* Immutable fields stay. */
    EXPECT(apply(&wa,
                 "{\"op\":\"update\",\"t\":\"member\",\"rid\":\"%s\",\"base_v\":1,"
                 "\"set\":{\"household_id\":\"%s\"}}",
                 m1, h2),
           "rejected", "immutable_field");
}

TEST(delete_versus_edit_keeps_both)
{
    char m2[37], buf[64];
    record_new_id(m2, sizeof m2);
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"member\",\"rid\":\"%s\",\"set\":{\"household_id\":"
                 "\"%s\",\"name\":\"李四\",\"relation\":\"spouse\",\"status\":\"present\"}}",
                 m2, h1),
           "applied", NULL);
    /* The supervisor edits, then the worker deletes from the older base. */
    EXPECT(apply(&sup,
                 "{\"op\":\"update\",\"t\":\"member\",\"rid\":\"%s\",\"base_v\":1,"
                 "\"base\":{\"status\":\"present\"},\"set\":{\"status\":\"away\"}}",
                 m2),
           "applied", NULL);
    cJSON *r = apply(&wa, "{\"op\":\"delete\",\"t\":\"member\",\"rid\":\"%s\",\"base_v\":1}", m2);
    REQUIRE(r);
    CHECK_STR_EQ(str(r, "status"), "conflict");
    CHECK_STR_EQ(str(r, "kind"), "delete_vs_edit");
    char cid[40];
    snprintf(cid, sizeof cid, "%s", str(r, "conflict_id"));
    cJSON_Delete(r);
    CHECK_STR_EQ(field_of("member", m2, "status", buf, sizeof buf), "(deleted)away");
    /* An edit of the tombstone is kept as a conflict too, not applied. */
    EXPECT(apply(&sup,
                 "{\"op\":\"update\",\"t\":\"member\",\"rid\":\"%s\",\"base_v\":2,"
                 "\"base\":{\"work\":null},\"set\":{\"work\":\"farming\"}}",
                 m2),
           "conflict", NULL);
    CHECK_STR_EQ(field_of("member", m2, "work", buf, sizeof buf), "(deleted)");
    EXPECT(apply(&wa, "{\"op\":\"delete\",\"t\":\"member\",\"rid\":\"%s\",\"base_v\":3}", m2),
           "rejected", "deleted");
    /* Restoring needs _deleted. */
    EXPECT(apply(&wa,
                 "{\"op\":\"resolve_conflict\",\"conflict_id\":\"%s\",\"choose\":{"
                 "\"status\":\"away\"}}",
                 cid),
           "rejected", "invalid");
    EXPECT(apply(&wa,
                 "{\"op\":\"resolve_conflict\",\"conflict_id\":\"%s\",\"choose\":{"
                 "\"_deleted\":false,\"status\":\"away\"}}",
                 cid),
           "applied", NULL);
    CHECK_STR_EQ(field_of("member", m2, "status", buf, sizeof buf), "away");
    /* Workers do not delete households. */
    EXPECT(apply(&wa, "{\"op\":\"delete\",\"t\":\"household\",\"rid\":\"%s\",\"base_v\":5}", h1),
           "rejected", "forbidden");
}

TEST(visits_follow_the_review_flow)
{
    char v1[37], buf[64];
    record_new_id(v1, sizeof v1);
#define VISIT_SET                                                                                  \
    "\"household_id\":\"%s\",\"date\":\"2026-06-01\",\"kind\":\"routine\",\"outcome\":"            \
    "\"completed\""
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"visit\",\"rid\":\"%s\",\"set\":{" VISIT_SET
                 ",\"review_state\":\"approved\"}}",
                 v1, h1),
           "rejected", "review_flow");
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"visit\",\"rid\":\"%s\",\"set\":{" VISIT_SET
                 ",\"worker\":\"wb\",\"review_state\":\"draft\"}}",
                 v1, h1),
           "rejected", "forbidden");
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"visit\",\"rid\":\"%s\",\"set\":{" VISIT_SET
                 ",\"review_state\":\"draft\"}}",
                 v1, h1),
           "applied", NULL);
    CHECK_STR_EQ(field_of("visit", v1, "worker", buf, sizeof buf), "wa");
    EXPECT(apply(&wa,
                 "{\"op\":\"update\",\"t\":\"visit\",\"rid\":\"%s\",\"base_v\":1,"
                 "\"set\":{\"review_state\":\"submitted\"}}",
                 v1),
           "rejected", "review_flow");
    EXPECT(apply(&sup, "{\"op\":\"review\",\"t\":\"visit\",\"rid\":\"%s\",\"action\":\"approve\"}",
                 v1),
           "rejected", "invalid_transition");
    EXPECT(
        apply(&wa, "{\"op\":\"review\",\"t\":\"visit\",\"rid\":\"%s\",\"action\":\"submit\"}", v1),
        "applied", NULL);
    EXPECT(apply(&wa,
                 "{\"op\":\"update\",\"t\":\"visit\",\"rid\":\"%s\",\"base_v\":2,"
                 "\"set\":{\"notes\":\"补充\"}}",
                 v1),
           "rejected", "review_flow");
    EXPECT(
        apply(&wa, "{\"op\":\"review\",\"t\":\"visit\",\"rid\":\"%s\",\"action\":\"approve\"}", v1),
        "rejected", "forbidden");
    EXPECT(apply(&sup,
                 "{\"op\":\"review\",\"t\":\"visit\",\"rid\":\"%s\",\"action\":\"return\","
                 "\"comment\":\"请补充收入\"}",
                 v1),
           "applied", NULL);
    CHECK_STR_EQ(field_of("visit", v1, "review_state", buf, sizeof buf), "returned");
    CHECK_STR_EQ(field_of("visit", v1, "reviewer", buf, sizeof buf), "sup");
    EXPECT(apply(&wa,
                 "{\"op\":\"update\",\"t\":\"visit\",\"rid\":\"%s\",\"base_v\":3,"
                 "\"set\":{\"monthly_income\":120000}}",
                 v1),
           "applied", NULL);
    EXPECT(
        apply(&wa, "{\"op\":\"review\",\"t\":\"visit\",\"rid\":\"%s\",\"action\":\"submit\"}", v1),
        "applied", NULL);
    EXPECT(apply(&sup, "{\"op\":\"review\",\"t\":\"visit\",\"rid\":\"%s\",\"action\":\"approve\"}",
                 v1),
           "applied", NULL);
    CHECK_STR_EQ(field_of("visit", v1, "review_state", buf, sizeof buf), "approved");
    EXPECT(apply(&wa, "{\"op\":\"delete\",\"t\":\"visit\",\"rid\":\"%s\",\"base_v\":6}", v1),
           "rejected", "review_flow");
    EXPECT(
        apply(&wb, "{\"op\":\"review\",\"t\":\"visit\",\"rid\":\"%s\",\"action\":\"submit\"}", v1),
        "rejected", "not_found");
}

TEST(reassignment_and_former_assignees)
{
    char buf[64];
    /* Only supervisors assign, only within their team, only to workers. */
    EXPECT(apply(&wa, "{\"op\":\"assign\",\"t\":\"household\",\"rid\":\"%s\",\"to\":\"wb\"}", h1),
           "rejected", "forbidden");
    EXPECT(apply(&sup, "{\"op\":\"assign\",\"t\":\"household\",\"rid\":\"%s\",\"to\":\"sup\"}", h1),
           "rejected", "invalid");
    EXPECT(apply(&sup, "{\"op\":\"assign\",\"t\":\"household\",\"rid\":\"%s\",\"to\":\"wc\"}", h1),
           "rejected", "invalid");
    int64_t v;
    struct srec hh;
    struct dp_error err;
    REQUIRE(srec_load(db, &schema_household, h1, &hh, &err) == DP_OK);
    int64_t before = hh.rec.v;
    srec_done(&hh);
    v = EXPECT(
        apply(&sup, "{\"op\":\"assign\",\"t\":\"household\",\"rid\":\"%s\",\"to\":\"wb\"}", h1),
        "applied", NULL);
    CHECK_INT_EQ(v, before + 1);
    CHECK_STR_EQ(field_of("household", h1, "assigned_to", buf, sizeof buf), "wb");
    /* wa's edit from a base made while assigned is accepted. */
    EXPECT(apply(&wa,
                 "{\"op\":\"update\",\"t\":\"household\",\"rid\":\"%s\",\"base_v\":%lld,"
                 "\"base\":{\"notes\":null},\"set\":{\"notes\":\"门口有狗\"}}",
                 h1, (long long)before),
           "merged", NULL);
    /* A base from after the reassignment cannot be wa's: kept for the supervisor. */
    cJSON *r = apply(&wa,
                     "{\"op\":\"update\",\"t\":\"household\",\"rid\":\"%s\",\"base_v\":%lld,"
                     "\"set\":{\"phone\":\"13600000000\"}}",
                     h1, (long long)before + 1);
    REQUIRE(r);
    CHECK_STR_EQ(str(r, "status"), "conflict");
    CHECK_STR_EQ(str(r, "kind"), "out_of_scope_edit");
    cJSON_Delete(r);
    CHECK_STR_EQ(field_of("household", h1, "phone", buf, sizeof buf), "13700000000");
    /* A visit wa made before learning of the move is a fact. */
    char v2[37];
    record_new_id(v2, sizeof v2);
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"visit\",\"rid\":\"%s\",\"set\":{\"household_id\":"
                 "\"%s\",\"date\":\"2026-06-02\",\"kind\":\"routine\",\"outcome\":\"not_home\","
                 "\"review_state\":\"submitted\"}}",
                 v2, h1),
           "applied", NULL);
    /* But new members are not. */
    char m3[37];
    record_new_id(m3, sizeof m3);
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"member\",\"rid\":\"%s\",\"set\":{\"household_id\":"
                 "\"%s\",\"name\":\"赵六\",\"relation\":\"child\",\"status\":\"present\"}}",
                 m3, h1),
           "rejected", "not_found");
}

/* A need names a member of its own household, on create and on every later update. */
TEST(need_member_belongs_to_the_household)
{
    char hb[37], mb[37], n1[37];
    record_new_id(hb, sizeof hb);
    record_new_id(mb, sizeof mb);
    record_new_id(n1, sizeof n1);
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"household\",\"rid\":\"%s\",\"set\":{" HOUSEHOLD_SET
                 "}}",
                 hb),
           "applied", NULL);
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"member\",\"rid\":\"%s\",\"set\":{\"household_id\":"
                 "\"%s\",\"name\":\"王芳\",\"relation\":\"head\",\"status\":\"present\"}}",
                 mb, hb),
           "applied", NULL);
    /* m1 lives in h1: a need of hb may not name it, neither at create nor later. */
    EXPECT(apply(&wa,
                 "{\"op\":\"create\",\"t\":\"need\",\"rid\":\"%s\",\"set\":{\"household_id\":"
                 "\"%s\",\"member_id\":\"%s\",\"category\":\"daily_care\",\"item\":\"助浴\","
                 "\"urgency\":\"normal\",\"status\":\"open\"}}",
                 n1, hb, m1),
           "rejected", "invalid");
    int64_t v = EXPECT(apply(&wa,
                             "{\"op\":\"create\",\"t\":\"need\",\"rid\":\"%s\",\"set\":{"
                             "\"household_id\":\"%s\",\"member_id\":\"%s\",\"category\":"
                             "\"daily_care\",\"item\":\"助浴\",\"urgency\":\"normal\","
                             "\"status\":\"open\"}}",
                             n1, hb, mb),
                       "applied", NULL);
    EXPECT(apply(&wa,
                 "{\"op\":\"update\",\"t\":\"need\",\"rid\":\"%s\",\"base_v\":%lld,"
                 "\"set\":{\"member_id\":\"%s\"}}",
                 n1, (long long)v, m1),
           "rejected", "invalid");
    char buf[64];
    CHECK_STR_EQ(field_of("need", n1, "member_id", buf, sizeof buf), mb);
    /* Clearing the member, or naming one of the household's own, is fine. */
    EXPECT(apply(&wa,
                 "{\"op\":\"update\",\"t\":\"need\",\"rid\":\"%s\",\"base_v\":%lld,"
                 "\"set\":{\"member_id\":null}}",
                 n1, (long long)v),
           "applied", NULL);
    CHECK_STR_EQ(field_of("need", n1, "member_id", buf, sizeof buf), "");
}

int
main(void)
{
    open_db();
    user("wa", "worker", "east", &wa);
    user("wb", "worker", "east", &wb);
    user("sup", "supervisor", "east", &sup);
    user("sup2", "supervisor", "west", &sup2);
    RUN(creates_are_scoped_and_idempotent);
    RUN(other_workers_household_looks_absent);
    RUN(field_merge_rules);
    RUN(delete_versus_edit_keeps_both);
    RUN(visits_follow_the_review_flow);
    RUN(reassignment_and_former_assignees);
    RUN(need_member_belongs_to_the_household);
    close_db();
    return test_report();
}
