/*
 * store/ migrations: a cache left at every earlier schema version migrates to
 * the newest with its data intact and ends with exactly the schema of a fresh
 * cache; a failed migration leaves the cache at its old version; the tables
 * keep up with core/schema.h.
 */
#include "store/store.h"
#include "store/sync_store.h"

#include "tests/unit/test.h"
#include "tests/unit/test_store_util.h"

#define HH_A   "11111111-1111-4111-8111-111111111111"
#define HH_B   "22222222-2222-4222-8222-222222222222"
#define MEMBER "33333333-3333-4333-8333-333333333333"
#define VISIT1 "44444444-4444-4444-8444-444444444441"
#define VISIT2 "44444444-4444-4444-8444-444444444442"
#define VISIT3 "44444444-4444-4444-8444-444444444443"

static struct store *
open_at(const char *dir, int version)
{
    struct store *st = NULL;
    struct dp_error err;
    if (store_open_at(dir, TEST_PASS, NULL, version, &st, &err) != DP_OK) {
        fprintf(stderr, "    open at %d: %s\n", version, err.msg);
        return NULL;
    }
    return st;
}

/* Rows as a release at schema `version` would have written them (raw SQL of that schema). */
static bool
fill_version(struct store *st, int version)
{
    if (version < 1)
        return true;
    static const char common[] =
        "INSERT INTO households(id, head_name, head_id_number, phone, address, village,"
        " township, categories, risk, status, next_visit_due, notes, _v) VALUES"
        " ('" HH_A "', '王小明', '11010519491231002X', '13800138000', '东街1号', '前村', '城关镇',"
        "  'dibao,temp_assist', 'red', 'active', '2025-01-10', 'line one\nline two', 3),"
        " ('" HH_B "', '阿依古丽·买买提', '', '', '', '后村', '城关镇', '', 'green', 'active', '',"
        "  '', 0);"
        "INSERT INTO members(id, household_id, name, relation, status, _v) VALUES"
        " ('" MEMBER "', '" HH_A "', '王小明', 'head', 'present', 2);"
        "INSERT INTO visits(id, household_id, worker, date, kind, outcome, review_state,"
        " monthly_income, _deleted) VALUES"
        " ('" VISIT1 "', '" HH_A "', 'w1', '2024-11-02', 'routine', 'completed', 'approved',"
        "  '123456', 0),"
        " ('" VISIT2 "', '" HH_A
        "', 'w1', '2025-01-05', 'routine', 'not_home', 'submitted', '', 0),"
        " ('" VISIT3 "', '" HH_A "', 'w1', '2025-02-01', 'routine', 'completed', 'draft', '', 1);"
        "UPDATE sync_meta SET value = '4' WHERE key = 'next_mid';"
        "INSERT INTO sync_meta(key, value) VALUES ('cursor', 'c1.e.s.77');"
        "INSERT INTO drafts(key, text, updated_at) VALUES ('visit:x', 'typed', "
        "'2025-01-01T00:00:00Z');"
        "INSERT INTO base_rows(t, rid, v, row_json) VALUES ('household', '" HH_A "', 3, '{}'),"
        " ('member', '" MEMBER "', 2, '{\"id\":\"" MEMBER "\",\"household_id\":\"" HH_A "\"}');";
    /* Before migration 4 a resolution kept its conflict id in base_json, a conflict its kind
     * and opener inside fields_json. */
#define OLD_RESOLVE                                                                                \
    " (3, 'mu-3', 'sha256:3', 'w1', 'member', '" MEMBER "', 'resolve_conflict', NULL,"             \
    "  '{\"conflict_id\":\"c_1\"}', '{\"status\":\"away\"}', '000000000003.0000.abcd',"            \
    "  '2025-01-07T00:00:00Z', 'pending'"
#define OLD_CONFLICT                                                                               \
    " ('c_1', 'member', '" MEMBER "', '{\"kind\":\"field\",\"state\":\"open\","                    \
    "\"opened_by\":\"li.wei\",\"opened_at\":\"2025-01-06T00:00:00Z\",\"fields\":{\"status\":"      \
    "{\"base\":\"present\",\"server\":\"deceased\",\"yours\":\"away\"}}}', 'open',"                \
    " '2025-01-06T00:00:00Z'"
    static const char outbox_v1[] =
        "INSERT INTO outbox(mid, mutation_id, hash, user_id, t, rid, op, base_v, base_json,"
        " set_json, hlc, created_at, state) VALUES"
        " (1, 'mu-1', 'sha256:1', 'w1', 'household', '" HH_A "', 'update', 3,"
        "  '{\"phone\":\"13800138001\"}', '{\"phone\":\"13800138000\"}', '000000000001.0000.abcd',"
        "  '2025-01-01T00:00:00Z', 'acked'),"
        " (2, 'mu-2', 'sha256:2', 'w1', 'visit', '" VISIT2 "', 'create', NULL, NULL, '{}',"
        "  '000000000002.0000.abcd', '2025-01-05T00:00:00Z', 'pending')," OLD_RESOLVE ");"
        "INSERT INTO conflicts(conflict_id, t, rid, fields_json, state, updated_at) "
        "VALUES" OLD_CONFLICT ");";
    static const char outbox_v2[] =
        "INSERT INTO outbox(mid, mutation_id, hash, user_id, t, rid, op, base_v, base_json,"
        " set_json, hlc, created_at, state, hid) VALUES"
        " (1, 'mu-1', 'sha256:1', 'w1', 'household', '" HH_A "', 'update', 3,"
        "  '{\"phone\":\"13800138001\"}', '{\"phone\":\"13800138000\"}', '000000000001.0000.abcd',"
        "  '2025-01-01T00:00:00Z', 'acked', '" HH_A "'),"
        " (2, 'mu-2', 'sha256:2', 'w1', 'visit', '" VISIT2 "', 'create', NULL, NULL, '{}',"
        "  '000000000002.0000.abcd', '2025-01-05T00:00:00Z', 'pending', '" HH_A "')," OLD_RESOLVE
        ", '" HH_A "');"
        "INSERT INTO conflicts(conflict_id, t, rid, fields_json, state, updated_at, hid) "
        "VALUES" OLD_CONFLICT ", '" HH_A "');";
    static const char outbox_v4[] =
        "INSERT INTO outbox(mid, mutation_id, hash, user_id, t, rid, op, base_v, base_json,"
        " set_json, conflict_id, hlc, created_at, state, hid) VALUES"
        " (1, 'mu-1', 'sha256:1', 'w1', 'household', '" HH_A "', 'update', 3,"
        "  '{\"phone\":\"13800138001\"}', '{\"phone\":\"13800138000\"}', NULL,"
        "  '000000000001.0000.abcd', '2025-01-01T00:00:00Z', 'acked', '" HH_A "'),"
        " (2, 'mu-2', 'sha256:2', 'w1', 'visit', '" VISIT2 "', 'create', NULL, NULL, '{}', NULL,"
        "  '000000000002.0000.abcd', '2025-01-05T00:00:00Z', 'pending', '" HH_A "'),"
        " (3, 'mu-3', 'sha256:3', 'w1', 'member', '" MEMBER "', 'resolve_conflict', NULL, NULL,"
        "  '{\"status\":\"away\"}', 'c_1', '000000000003.0000.abcd', '2025-01-07T00:00:00Z',"
        "  'pending', '" HH_A "');"
        "INSERT INTO conflicts(conflict_id, t, rid, fields_json, state, updated_at, hid, kind,"
        " opened_by, opened_at) VALUES ('c_1', 'member', '" MEMBER "',"
        " '{\"status\":{\"base\":\"present\",\"server\":\"deceased\",\"yours\":\"away\"}}', 'open',"
        " '2025-01-06T00:00:00Z', '" HH_A "', 'field', 'li.wei', '2025-01-06T00:00:00Z');"
        "UPDATE base_rows SET hid = '" HH_A "';";
    if (test_sql(st, "BEGIN") != SQLITE_OK)
        return false;
    bool ok =
        test_sql(st, common) == SQLITE_OK && test_sql(st, version >= 4   ? outbox_v4
                                                          : version >= 2 ? outbox_v2
                                                                         : outbox_v1) == SQLITE_OK;
    /* What the writer of that version kept beside the rows. */
    if (ok && version >= 2)
        ok = store_refresh_last_visit(st, HH_A, NULL) == DP_OK &&
             store_refresh_last_visit(st, HH_B, NULL) == DP_OK;
    if (ok && version >= 3)
        ok = store_refresh_categories(st, HH_A, "dibao,temp_assist", NULL) == DP_OK;
    return test_sql(st, ok ? "COMMIT" : "ROLLBACK") == SQLITE_OK && ok;
}

/* The schema as text, one "type name tbl sql" line per object, sorted by name. */
static char *
schema_text(struct store *st)
{
    sqlite3_stmt *stmt = NULL;
    size_t cap = 1 << 16, len = 0;
    char *out = calloc(1, cap);
    if (!out || sqlite3_prepare_v2(store_db(st),
                                   "SELECT type, name, tbl_name, COALESCE(sql, '') FROM"
                                   " sqlite_master ORDER BY type, name",
                                   -1, &stmt, NULL) != SQLITE_OK) {
        free(out);
        return NULL;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        int n = snprintf(out + len, cap - len, "%s %s %s %s\n", sqlite3_column_text(stmt, 0),
                         sqlite3_column_text(stmt, 1), sqlite3_column_text(stmt, 2),
                         sqlite3_column_text(stmt, 3));
        if (n < 0 || (size_t)n >= cap - len)
            break;
        len += (size_t)n;
    }
    sqlite3_finalize(stmt);
    return out;
}

/* Type of a column ("" when missing) and the number of columns matching a name prefix rule. */
static void
column_type(struct store *st, const char *table, const char *col, char *type, size_t size)
{
    char sql[128];
    sqlite3_stmt *stmt = NULL;
    type[0] = '\0';
    snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return;
    while (sqlite3_step(stmt) == SQLITE_ROW)
        if (strcmp((const char *)sqlite3_column_text(stmt, 1), col) == 0)
            snprintf(type, size, "%s", (const char *)sqlite3_column_text(stmt, 2));
    sqlite3_finalize(stmt);
}

/* Columns of a table whose name does not start with '_'. */
static int
field_columns(struct store *st, const char *table)
{
    char sql[128];
    sqlite3_stmt *stmt = NULL;
    int n = 0;
    snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(stmt) == SQLITE_ROW)
        if (sqlite3_column_text(stmt, 1)[0] != '_')
            n++;
    sqlite3_finalize(stmt);
    return n;
}

/* Rows a statement returns (PRAGMA foreign_key_check has no table form in SQLite 3.15). */
static int
row_count(struct store *st, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    int n = 0;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    while (sqlite3_step(stmt) == SQLITE_ROW)
        n++;
    sqlite3_finalize(stmt);
    return n;
}

static void
check_migrated_data(struct store *st)
{
    char buf[256];
    CHECK_INT_EQ(store_schema_version(st), store_migration_count());
    CHECK_INT_EQ(test_sql_int(st, "PRAGMA user_version"), store_migration_count());
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM households"), 2);
    test_sql_text(st, "SELECT head_name FROM households WHERE id = '" HH_B "'", buf, sizeof buf);
    CHECK_STR_EQ(buf, "阿依古丽·买买提");
    test_sql_text(st, "SELECT notes FROM households WHERE id = '" HH_A "'", buf, sizeof buf);
    CHECK_STR_EQ(buf, "line one\nline two");
    CHECK_INT_EQ(test_sql_int(st, "SELECT _v FROM households WHERE id = '" HH_A "'"), 3);
    test_sql_text(st, "SELECT monthly_income FROM visits WHERE id = '" VISIT1 "'", buf, sizeof buf);
    CHECK_STR_EQ(buf, "123456");
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM visits"), 3);
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM members"), 1);

    /* Migration 2: the newest non-deleted visit, kept on the household. */
    test_sql_text(st, "SELECT _last_visit FROM households WHERE id = '" HH_A "'", buf, sizeof buf);
    CHECK_STR_EQ(buf, "2025-01-05");
    test_sql_text(st, "SELECT _last_visit FROM households WHERE id = '" HH_B "'", buf, sizeof buf);
    CHECK_STR_EQ(buf, "");
    /* ... and every outbox entry and conflict knows its household, children included. */
    test_sql_text(st, "SELECT hid FROM outbox WHERE mid = 2", buf, sizeof buf);
    CHECK_STR_EQ(buf, HH_A);
    test_sql_text(st, "SELECT hid FROM outbox WHERE mid = 1", buf, sizeof buf);
    CHECK_STR_EQ(buf, HH_A);
    test_sql_text(st, "SELECT hid FROM conflicts WHERE conflict_id = 'c_1'", buf, sizeof buf);
    CHECK_STR_EQ(buf, HH_A);
    test_sql_text(st, "SELECT base_json FROM outbox WHERE mid = 1", buf, sizeof buf);
    CHECK_STR_EQ(buf, "{\"phone\":\"13800138001\"}");

    /* Migration 3: one category row per token held. */
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM household_categories"
                                  " WHERE household_id = '" HH_A "'"),
                 2);
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM household_categories"
                                  " WHERE household_id = '" HH_A "' AND category = 'temp_assist'"),
                 1);
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM household_categories"
                                  " WHERE household_id = '" HH_B "'"),
                 0);

    /* Migration 4: the resolution's conflict id and the conflict's kind have columns. */
    test_sql_text(st, "SELECT conflict_id FROM outbox WHERE mid = 3", buf, sizeof buf);
    CHECK_STR_EQ(buf, "c_1");
    CHECK_INT_EQ(test_sql_int(st, "SELECT base_json IS NULL FROM outbox WHERE mid = 3"), 1);
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM outbox WHERE conflict_id IS NOT NULL"), 1);
    test_sql_text(st, "SELECT hash FROM outbox WHERE mid = 3", buf, sizeof buf);
    CHECK_STR_EQ(buf, "sha256:3");
    test_sql_text(st, "SELECT set_json FROM outbox WHERE mid = 3", buf, sizeof buf);
    CHECK_STR_EQ(buf, "{\"status\":\"away\"}");
    /* ... and base rows know their household. */
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM base_rows WHERE hid = '" HH_A "'"), 2);
    struct sync_conflict *c = NULL;
    size_t nc = 0;
    CHECK_INT_EQ(store_sync_conflicts(st, true, &c, &nc, NULL), DP_OK);
    CHECK_INT_EQ(nc, 1);
    if (nc == 1) {
        CHECK_STR_EQ(c[0].kind, "field");
        CHECK_STR_EQ(c[0].opened_by, "li.wei");
        CHECK_STR_EQ(c[0].opened_at, "2025-01-06T00:00:00Z");
        CHECK_STR_EQ(
            c[0].fields_json,
            "{\"status\":{\"base\":\"present\",\"server\":\"deceased\",\"yours\":\"away\"}}");
    }
    store_sync_conflicts_free(c, nc);
    struct sync_outbox_item *items = NULL;
    size_t ni = 0;
    CHECK_INT_EQ(store_sync_outbox_take(st, 10, 1 << 20, &items, &ni, NULL), DP_OK);
    CHECK_INT_EQ(ni, 2);
    if (ni == 2) {
        CHECK_STR_EQ(items[1].conflict_id, "c_1");
        CHECK(items[1].base_json == NULL);
    }
    sync_outbox_items_free(items, ni);

    char *v = NULL;
    CHECK_INT_EQ(store_meta_get(st, "next_mid", &v, NULL), DP_OK);
    CHECK_STR_EQ(v, "4");
    free(v);
    CHECK_INT_EQ(store_meta_get(st, "cursor", &v, NULL), DP_OK);
    CHECK_STR_EQ(v, "c1.e.s.77");
    free(v);
    CHECK_INT_EQ(store_draft_get(st, "visit:x", &v, NULL), DP_OK);
    CHECK_STR_EQ(v, "typed");
    free(v);

    long pending = 0, conflicts = 0;
    CHECK_INT_EQ(store_pending_count(st, &pending, &conflicts, NULL), DP_OK);
    CHECK_INT_EQ(pending, 2);
    CHECK_INT_EQ(conflicts, 1);

    /* The list sees what the migrations derived. */
    struct household_filter f = {.sort = STORE_SORT_NAME};
    struct household_row rows[4];
    int n = 0;
    CHECK_INT_EQ(store_household_window(st, &f, 0, 4, rows, &n, NULL), DP_OK);
    CHECK_INT_EQ(n, 2);
    for (int i = 0; i < n; i++) {
        bool a = strcmp(rows[i].id, HH_A) == 0;
        CHECK_STR_EQ(rows[i].last_visit, a ? "2025-01-05" : "");
        CHECK(rows[i].unsynced == a);
        CHECK(rows[i].conflict == a);
    }
    f.category = "dibao";
    long matched = 0, total = 0;
    CHECK_INT_EQ(store_household_count(st, &f, &matched, &total, NULL), DP_OK);
    CHECK_INT_EQ(matched, 1);
    CHECK_INT_EQ(total, 2);

    char ok[16];
    test_sql_text(st, "PRAGMA integrity_check", ok, sizeof ok);
    CHECK_STR_EQ(ok, "ok");
    CHECK_INT_EQ(row_count(st, "PRAGMA foreign_key_check"), 0);
}

TEST(every_earlier_version_migrates_to_the_newest)
{
    char fresh_dir[PATH_MAX];
    test_fresh_dir(fresh_dir, sizeof fresh_dir, "fresh");
    struct store *fresh = open_at(fresh_dir, -1);
    REQUIRE(fresh);
    char *want = schema_text(fresh);
    store_close(fresh);
    REQUIRE(want);
    CHECK(store_migration_count() >= 4);

    for (int k = 0; k < store_migration_count(); k++) {
        char dir[PATH_MAX];
        test_fresh_dir(dir, sizeof dir, "old");
        struct store *st = open_at(dir, k);
        REQUIRE(st);
        CHECK_INT_EQ(store_schema_version(st), k);
        CHECK_INT_EQ(test_sql_int(st, "PRAGMA user_version"), k);
        CHECK(fill_version(st, k));
        store_close(st);

        st = open_at(dir, -1);
        REQUIRE(st);
        if (k >= 1) {
            check_migrated_data(st);
        } else {
            CHECK_INT_EQ(store_schema_version(st), store_migration_count());
            CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM households"), 0);
        }
        char *got = schema_text(st);
        CHECK(got && strcmp(got, want) == 0);
        if (got && strcmp(got, want) != 0)
            fprintf(stderr, "    schema after migrating from %d differs from a fresh cache\n", k);
        free(got);
        store_close(st);

        /* Opening again migrates nothing and changes nothing. */
        st = open_at(dir, -1);
        REQUIRE(st);
        CHECK_INT_EQ(store_schema_version(st), store_migration_count());
        store_close(st);
    }
    free(want);
}

TEST(failed_migration_keeps_the_old_version)
{
    char dir[PATH_MAX];
    test_fresh_dir(dir, sizeof dir, "blocked");
    struct store *st = open_at(dir, 1);
    REQUIRE(st);
    REQUIRE(fill_version(st, 1));
    /* An object in the way makes migration 2 fail halfway through its script. */
    REQUIRE(test_sql(st, "CREATE TABLE households_search(x)") == SQLITE_OK);
    store_close(st);

    struct dp_error err;
    st = NULL;
    CHECK(store_open(dir, TEST_PASS, &st, &err) != DP_OK);
    CHECK(st == NULL);
    CHECK(strstr(err.msg, "migration 2") != NULL);

    st = open_at(dir, 1);
    REQUIRE(st);
    CHECK_INT_EQ(store_schema_version(st), 1);
    /* Nothing of migration 2 survived: the first ALTER TABLE was rolled back too. */
    char type[32];
    column_type(st, "households", "_last_visit", type, sizeof type);
    CHECK_STR_EQ(type, "");
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM households"), 2);
    REQUIRE(test_sql(st, "DROP TABLE households_search") == SQLITE_OK);
    store_close(st);

    st = open_at(dir, -1);
    REQUIRE(st);
    check_migrated_data(st);
    store_close(st);
}

/* Every field of core/schema.h has a TEXT column in its table: catches schema drift. */
TEST(tables_match_the_record_schemas)
{
    char dir[PATH_MAX];
    test_fresh_dir(dir, sizeof dir, "drift");
    struct store *st = open_at(dir, -1);
    REQUIRE(st);
    for (size_t i = 0; schema_records[i]; i++) {
        const struct record_def *def = schema_records[i];
        const char *table = store_table(def);
        CHECK(table != NULL);
        if (!table)
            continue;
        for (size_t f = 0; f < def->nfields; f++) {
            char type[32];
            column_type(st, table, def->fields[f].name, type, sizeof type);
            if (strcmp(type, "TEXT") != 0)
                fprintf(stderr, "    %s.%s: column missing or not TEXT\n", table,
                        def->fields[f].name);
            CHECK_STR_EQ(type, "TEXT");
        }
        static const char *const sync_cols[][2] = {
            {"_v", "INTEGER"}, {"_dirty", "INTEGER"}, {"_deleted", "INTEGER"}, {"_scope", "TEXT"}};
        for (size_t c = 0; c < 4; c++) {
            char type[32];
            column_type(st, table, sync_cols[c][0], type, sizeof type);
            CHECK_STR_EQ(type, sync_cols[c][1]);
        }
        /* No column without a field, other than the store's own "_" columns. */
        CHECK_INT_EQ(field_columns(st, table), (int)def->nfields);
    }
    CHECK(store_table(NULL) == NULL);

    /* The list's risk ranks assume this order of the risk tokens. */
    CHECK_STR_EQ(schema_risk_choices[0].token, "red");
    CHECK_STR_EQ(schema_risk_choices[1].token, "yellow");
    CHECK_STR_EQ(schema_risk_choices[2].token, "green");
    CHECK(schema_risk_choices[3].token == NULL);
    store_close(st);
}

TEST(outbox_state_is_checked)
{
    char dir[PATH_MAX];
    test_fresh_dir(dir, sizeof dir, "check");
    struct store *st = open_at(dir, -1);
    REQUIRE(st);
    static const char bad_state[] =
        "INSERT INTO outbox(mid, mutation_id, hash, t, rid, op, hlc, created_at, state)"
        " VALUES (1, 'm', 'h', 'household', 'r', 'update', 'x', 'y', 'done')";
    static const char bad_op[] = "INSERT INTO outbox(mid, mutation_id, hash, t, rid, op, hlc,"
                                 " created_at) VALUES (1, 'm', 'h', 'household', 'r', 'upsert',"
                                 " 'x', 'y')";
    static const char good[] = "INSERT INTO outbox(mid, mutation_id, hash, t, rid, op, hlc,"
                               " created_at) VALUES (1, 'm', 'h', 'household', 'r', 'update',"
                               " 'x', 'y')";
    CHECK_INT_EQ(test_sql(st, bad_state) & 0xff, SQLITE_CONSTRAINT);
    CHECK_INT_EQ(test_sql(st, bad_op) & 0xff, SQLITE_CONSTRAINT);
    CHECK_INT_EQ(test_sql(st, good), SQLITE_OK);
    /* Each op's own members: present exactly when the op has them. */
#define ROW(mid, op, extra_cols, extra_vals)                                                       \
    "INSERT INTO outbox(mid, mutation_id, hash, t, rid, op, hlc, created_at" extra_cols            \
    ") VALUES (" #mid ", 'm" #mid "', 'h', 'visit', 'r', '" op "', 'x', 'y'" extra_vals ")"
    CHECK_INT_EQ(test_sql(st, ROW(2, "review", "", "")) & 0xff, SQLITE_CONSTRAINT);
    CHECK_INT_EQ(test_sql(st, ROW(2, "review", ", action", ", 'reject'")) & 0xff,
                 SQLITE_CONSTRAINT);
    CHECK_INT_EQ(test_sql(st, ROW(2, "update", ", action", ", 'submit'")) & 0xff,
                 SQLITE_CONSTRAINT);
    CHECK_INT_EQ(test_sql(st, ROW(2, "update", ", comment", ", 'c'")) & 0xff, SQLITE_CONSTRAINT);
    CHECK_INT_EQ(test_sql(st, ROW(2, "review", ", action, comment", ", 'return', 'c'")), SQLITE_OK);
    CHECK_INT_EQ(test_sql(st, ROW(3, "assign", "", "")) & 0xff, SQLITE_CONSTRAINT);
    CHECK_INT_EQ(test_sql(st, ROW(3, "assign", ", assign_to", ", ''")), SQLITE_OK);
    CHECK_INT_EQ(test_sql(st, ROW(4, "resolve_conflict", "", "")) & 0xff, SQLITE_CONSTRAINT);
    CHECK_INT_EQ(test_sql(st, ROW(4, "update", ", conflict_id", ", 'c'")) & 0xff,
                 SQLITE_CONSTRAINT);
    CHECK_INT_EQ(test_sql(st, ROW(4, "resolve_conflict", ", conflict_id", ", 'c'")), SQLITE_OK);
#undef ROW
    store_close(st);
}

int
main(void)
{
    test_root_make();
    RUN(every_earlier_version_migrates_to_the_newest);
    RUN(failed_migration_keeps_the_old_version);
    RUN(tables_match_the_record_schemas);
    RUN(outbox_state_is_checked);
    test_root_remove();
    return test_report();
}
