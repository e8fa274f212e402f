/*
 * Numbered schema migrations. The cache's PRAGMA user_version is the number
 * of migrations applied. Each entry is frozen once released: a change to the
 * schema is a new entry at the end, never an edit of an old one, because a
 * cache made by any earlier release must migrate to exactly the same schema
 * as a fresh one (tests/unit/test_store_migrate.c checks that).
 */
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"

struct migration {
    const char *what; /* named in errors */
    const char *sql;
    /* Data moves SQL cannot express (no JSON1 in SQLite 3.15), in the same transaction. */
    enum dp_status (*after)(struct store *st, const char *what, struct dp_error *err);
};

/*
 * 1: the records (one TEXT column per schema field, canonical strings, ""
 * for unset) with the sync columns _v (server version), _dirty (edited since
 * the last server state), _deleted (tombstone) and _scope; and the sync
 * bookkeeping of protocol.md 8.7. Children reference their household with
 * deferred foreign keys, since a pull page may bring a child before its parent.
 */
static const char migration_1[] =
    "CREATE TABLE households ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " head_name TEXT NOT NULL DEFAULT '',"
    " head_id_number TEXT NOT NULL DEFAULT '',"
    " phone TEXT NOT NULL DEFAULT '',"
    " address TEXT NOT NULL DEFAULT '',"
    " village TEXT NOT NULL DEFAULT '',"
    " township TEXT NOT NULL DEFAULT '',"
    " county TEXT NOT NULL DEFAULT '',"
    " categories TEXT NOT NULL DEFAULT '',"
    " risk TEXT NOT NULL DEFAULT '',"
    " risk_reason TEXT NOT NULL DEFAULT '',"
    " risk_set_by TEXT NOT NULL DEFAULT '',"
    " assigned_to TEXT NOT NULL DEFAULT '',"
    " team TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL DEFAULT '',"
    " next_visit_due TEXT NOT NULL DEFAULT '',"
    " flags TEXT NOT NULL DEFAULT '',"
    " notes TEXT NOT NULL DEFAULT '',"
    " _v INTEGER NOT NULL DEFAULT 0,"
    " _dirty INTEGER NOT NULL DEFAULT 0,"
    " _deleted INTEGER NOT NULL DEFAULT 0,"
    " _scope TEXT NOT NULL DEFAULT '');"

    "CREATE TABLE members ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " household_id TEXT NOT NULL REFERENCES households(id) DEFERRABLE INITIALLY DEFERRED,"
    " name TEXT NOT NULL DEFAULT '',"
    " relation TEXT NOT NULL DEFAULT '',"
    " sex TEXT NOT NULL DEFAULT '',"
    " birth_date TEXT NOT NULL DEFAULT '',"
    " id_number TEXT NOT NULL DEFAULT '',"
    " disability_grade TEXT NOT NULL DEFAULT '',"
    " disability_type TEXT NOT NULL DEFAULT '',"
    " illness TEXT NOT NULL DEFAULT '',"
    " serious_illness TEXT NOT NULL DEFAULT '',"
    " schooling TEXT NOT NULL DEFAULT '',"
    " work TEXT NOT NULL DEFAULT '',"
    " main_earner TEXT NOT NULL DEFAULT '',"
    " left_behind_child TEXT NOT NULL DEFAULT '',"
    " elderly_alone TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL DEFAULT '',"
    " _v INTEGER NOT NULL DEFAULT 0,"
    " _dirty INTEGER NOT NULL DEFAULT 0,"
    " _deleted INTEGER NOT NULL DEFAULT 0,"
    " _scope TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX members_by_household ON members(household_id);"

    "CREATE TABLE visits ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " household_id TEXT NOT NULL REFERENCES households(id) DEFERRABLE INITIALLY DEFERRED,"
    " worker TEXT NOT NULL DEFAULT '',"
    " date TEXT NOT NULL DEFAULT '',"
    " kind TEXT NOT NULL DEFAULT '',"
    " outcome TEXT NOT NULL DEFAULT '',"
    " met TEXT NOT NULL DEFAULT '',"
    " monthly_income TEXT NOT NULL DEFAULT '',"
    " medical_yearly TEXT NOT NULL DEFAULT '',"
    " housing TEXT NOT NULL DEFAULT '',"
    " needs_found TEXT NOT NULL DEFAULT '',"
    " micro_wish TEXT NOT NULL DEFAULT '',"
    " risk_after TEXT NOT NULL DEFAULT '',"
    " risk_reason TEXT NOT NULL DEFAULT '',"
    " notes TEXT NOT NULL DEFAULT '',"
    " next_visit TEXT NOT NULL DEFAULT '',"
    " review_state TEXT NOT NULL DEFAULT '',"
    " review_comment TEXT NOT NULL DEFAULT '',"
    " reviewer TEXT NOT NULL DEFAULT '',"
    " _v INTEGER NOT NULL DEFAULT 0,"
    " _dirty INTEGER NOT NULL DEFAULT 0,"
    " _deleted INTEGER NOT NULL DEFAULT 0,"
    " _scope TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX visits_by_household ON visits(household_id, date);"

    "CREATE TABLE needs ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " household_id TEXT NOT NULL REFERENCES households(id) DEFERRABLE INITIALLY DEFERRED,"
    " member_id TEXT NOT NULL DEFAULT '',"
    " category TEXT NOT NULL DEFAULT '',"
    " item TEXT NOT NULL DEFAULT '',"
    " urgency TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL DEFAULT '',"
    " referred_to TEXT NOT NULL DEFAULT '',"
    " follow_up TEXT NOT NULL DEFAULT '',"
    " notes TEXT NOT NULL DEFAULT '',"
    " _v INTEGER NOT NULL DEFAULT 0,"
    " _dirty INTEGER NOT NULL DEFAULT 0,"
    " _deleted INTEGER NOT NULL DEFAULT 0,"
    " _scope TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX needs_by_household ON needs(household_id);"

    "CREATE TABLE base_rows ("
    " t TEXT NOT NULL,"
    " rid TEXT NOT NULL,"
    " v INTEGER NOT NULL,"
    " row_json TEXT NOT NULL,"
    " PRIMARY KEY (t, rid)) WITHOUT ROWID;"

    "CREATE TABLE outbox ("
    " mid INTEGER PRIMARY KEY,"
    " mutation_id TEXT NOT NULL UNIQUE,"
    " hash TEXT NOT NULL,"
    " user_id TEXT NOT NULL DEFAULT '',"
    " t TEXT NOT NULL,"
    " rid TEXT NOT NULL,"
    " op TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete', 'resolve_conflict')),"
    " base_v INTEGER,"
    " base_json TEXT,"
    " set_json TEXT,"
    " hlc TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending'"
    "  CHECK (state IN ('pending', 'inflight', 'acked', 'rejected', 'conflict')),"
    " result_json TEXT,"
    " acked_at TEXT);"
    "CREATE INDEX outbox_by_record ON outbox(t, rid);"
    "CREATE INDEX outbox_by_state ON outbox(state, mid);"

    "CREATE TABLE conflicts ("
    " conflict_id TEXT PRIMARY KEY NOT NULL,"
    " t TEXT NOT NULL,"
    " rid TEXT NOT NULL,"
    " fields_json TEXT NOT NULL,"
    " state TEXT NOT NULL,"
    " updated_at TEXT NOT NULL);"
    "CREATE INDEX conflicts_by_record ON conflicts(t, rid);"

    "CREATE TABLE orphans ("
    " t TEXT NOT NULL,"
    " rid TEXT NOT NULL,"
    " row_json TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " since TEXT NOT NULL,"
    " PRIMARY KEY (t, rid)) WITHOUT ROWID;"

    "CREATE TABLE sync_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;"

    "CREATE TABLE sync_log ("
    " id INTEGER PRIMARY KEY,"
    " ts TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " detail TEXT NOT NULL);"

    "CREATE TABLE drafts ("
    " key TEXT PRIMARY KEY NOT NULL,"
    " text TEXT NOT NULL,"
    " updated_at TEXT NOT NULL) WITHOUT ROWID;"

    /* protocol.md 8.2: a device id made at first run; mids start at 1. */
    "INSERT INTO sync_meta(key, value) VALUES ('device_id',"
    " lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||"
    " substr(lower(hex(randomblob(2))), 2) || '-' ||"
    " substr('89ab', 1 + (random() & 3), 1) || substr(lower(hex(randomblob(2))), 2) ||"
    " '-' || lower(hex(randomblob(6))));"
    "INSERT INTO sync_meta(key, value) VALUES ('next_mid', '1');";

/*
 * 2: what the household list needs to stay windowed on a 50k cache: the date
 * of the newest visit kept on the household, an early-warning marker, the
 * household of every outbox entry and conflict (for the unsynced/conflict
 * markers of children), one index per sort order and one covering the
 * searched columns. _deleted leads every index rather than making them
 * partial: SQLite 3.15 cannot see that a partial index covers a query, and
 * would then read every table row just to count. The sort expressions are
 * repeated verbatim in store/households.c; the query-plan test fails if they
 * drift apart. The derived columns are kept by store/derive.c in the writing
 * transaction, not by triggers: under SQLCipher a trigger makes every insert
 * keep an encrypted statement journal, several times the cost of the insert.
 */
static const char migration_2[] =
    "ALTER TABLE households ADD COLUMN _last_visit TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE households ADD COLUMN _warning INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE outbox ADD COLUMN hid TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE conflicts ADD COLUMN hid TEXT NOT NULL DEFAULT '';"

    "UPDATE households SET _last_visit = COALESCE((SELECT max(v.date) FROM visits v"
    " WHERE v.household_id = households.id AND v._deleted = 0), '');"
    "UPDATE outbox SET hid = COALESCE(CASE t"
    " WHEN 'household' THEN rid"
    " WHEN 'member' THEN (SELECT household_id FROM members WHERE id = outbox.rid)"
    " WHEN 'visit' THEN (SELECT household_id FROM visits WHERE id = outbox.rid)"
    " WHEN 'need' THEN (SELECT household_id FROM needs WHERE id = outbox.rid) END, '');"
    "UPDATE conflicts SET hid = COALESCE(CASE t"
    " WHEN 'household' THEN rid"
    " WHEN 'member' THEN (SELECT household_id FROM members WHERE id = conflicts.rid)"
    " WHEN 'visit' THEN (SELECT household_id FROM visits WHERE id = conflicts.rid)"
    " WHEN 'need' THEN (SELECT household_id FROM needs WHERE id = conflicts.rid) END, '');"

    "CREATE INDEX households_by_name ON households(_deleted, head_name, id);"
    "CREATE INDEX households_by_village ON households(_deleted, village, head_name, id);"
    "CREATE INDEX households_by_risk ON households(_deleted,"
    " (CASE risk WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2 ELSE 3 END),"
    " (CASE WHEN next_visit_due = '' THEN '9999-12-31' ELSE next_visit_due END), id);"
    "CREATE INDEX households_by_due ON households(_deleted,"
    " (CASE WHEN next_visit_due = '' THEN '9999-12-31' ELSE next_visit_due END), id);"
    "CREATE INDEX households_by_last_visit ON households(_deleted, _last_visit, id);"
    "CREATE INDEX households_search ON households(_deleted, head_name, phone, address,"
    " head_id_number);"
    "CREATE INDEX outbox_by_household ON outbox(hid, state);"
    "CREATE INDEX conflicts_by_household ON conflicts(hid, state);";

/*
 * 3: the support-category filter. A household holds a set of tokens in one
 * column, and a token inside it cannot be found by an index, so one row per
 * (category, household) is kept beside it (store/derive.c). The backfill
 * knows the tokens that existed when this migration was written; a token
 * added later cannot be in any older cache.
 */
static const char migration_3[] =
    "CREATE TABLE household_categories ("
    " category TEXT NOT NULL,"
    " household_id TEXT NOT NULL,"
    " PRIMARY KEY (category, household_id)) WITHOUT ROWID;"
    "CREATE INDEX household_categories_by_household ON household_categories(household_id);"
    "INSERT INTO household_categories(category, household_id)"
    " SELECT c.token, h.id FROM households h JOIN ("
    "  SELECT 'dibao' AS token UNION ALL SELECT 'tekun_central'"
    "  UNION ALL SELECT 'tekun_dispersed' UNION ALL SELECT 'dibao_edge'"
    "  UNION ALL SELECT 'temp_assist' UNION ALL SELECT 'relapse_watch') c"
    " ON instr(',' || h.categories || ',', ',' || c.token || ',') > 0;";

/*
 * 4: the outbox holds every op of the protocol. The op CHECK gains review
 * and assign (SQLite cannot alter a CHECK, so the table is rebuilt), and the
 * members that are not record values get columns of their own: conflict_id
 * (resolve_conflict; before, it rode in base_json as {"conflict_id":C}),
 * action and comment (review), assign_to (assign). Conflicts get kind,
 * opened_by and opened_at columns; fields_json keeps only the fields. Base
 * rows learn their household (hid), so that a member, visit or need pulled
 * before its household can wait there until the household arrives. The JSON
 * is taken apart by migrate_4_data().
 */
static const char migration_4[] =
    "CREATE TABLE outbox_new ("
    " mid INTEGER PRIMARY KEY,"
    " mutation_id TEXT NOT NULL UNIQUE,"
    " hash TEXT NOT NULL,"
    " user_id TEXT NOT NULL DEFAULT '',"
    " t TEXT NOT NULL,"
    " rid TEXT NOT NULL,"
    " op TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete', 'resolve_conflict',"
    "  'review', 'assign')),"
    " base_v INTEGER,"
    " base_json TEXT,"
    " set_json TEXT,"
    " conflict_id TEXT CHECK ((op = 'resolve_conflict') = (conflict_id IS NOT NULL)),"
    " action TEXT CHECK ((op = 'review') = (action IS NOT NULL)"
    "  AND (action IS NULL OR action IN ('submit', 'return', 'approve'))),"
    " comment TEXT CHECK (comment IS NULL OR op = 'review'),"
    " assign_to TEXT CHECK ((op = 'assign') = (assign_to IS NOT NULL)),"
    " hlc TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending'"
    "  CHECK (state IN ('pending', 'inflight', 'acked', 'rejected', 'conflict')),"
    " result_json TEXT,"
    " acked_at TEXT,"
    " hid TEXT NOT NULL DEFAULT '');"
    /* conflict_id is filled in by migrate_4_data() before the CHECK could see it missing. */
    "INSERT INTO outbox_new(mid, mutation_id, hash, user_id, t, rid, op, base_v, base_json,"
    " set_json, conflict_id, hlc, created_at, state, result_json, acked_at, hid)"
    " SELECT mid, mutation_id, hash, user_id, t, rid, op, base_v, base_json, set_json,"
    " CASE op WHEN 'resolve_conflict' THEN '' END, hlc, created_at, state, result_json,"
    " acked_at, hid FROM outbox;"
    "DROP TABLE outbox;"
    "ALTER TABLE outbox_new RENAME TO outbox;"
    "CREATE INDEX outbox_by_record ON outbox(t, rid);"
    "CREATE INDEX outbox_by_state ON outbox(state, mid);"
    "CREATE INDEX outbox_by_household ON outbox(hid, state);"
    "CREATE INDEX outbox_by_conflict ON outbox(conflict_id);"

    "ALTER TABLE conflicts ADD COLUMN kind TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE conflicts ADD COLUMN opened_by TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE conflicts ADD COLUMN opened_at TEXT NOT NULL DEFAULT '';"

    "ALTER TABLE base_rows ADD COLUMN hid TEXT NOT NULL DEFAULT '';"
    "UPDATE base_rows SET hid = rid WHERE t = 'household';"
    "CREATE INDEX base_rows_by_household ON base_rows(hid);";

static const char *
json_text(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) && it->valuestring ? it->valuestring : "";
}

/* Rows of a two-column query (key, JSON text), each handed to fn. */
static enum dp_status
each_row(struct store *st, const char *sql, const char *what,
         enum dp_status (*fn)(struct store *, const char *, const char *, const char *,
                              struct dp_error *),
         struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    struct row {
        char *key, *json;
    } *rows = NULL;
    size_t n = 0, cap = 0;
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct row *bigger = realloc(rows, ncap * sizeof *rows);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                break;
            }
            rows = bigger;
            cap = ncap;
        }
        rows[n].key = strdup(store_column_text(stmt, 0));
        rows[n].json = strdup(store_column_text(stmt, 1));
        n++;
        if (!rows[n - 1].key || !rows[n - 1].json) {
            s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
            break;
        }
    }
    if (s == DP_OK && rc != SQLITE_DONE)
        s = store_fail(st, rc, what, err);
    sqlite3_finalize(stmt);
    /* The statement is finished before the rows are rewritten. */
    for (size_t i = 0; i < n && s == DP_OK; i++)
        s = fn(st, rows[i].key, rows[i].json, what, err);
    for (size_t i = 0; i < n; i++) {
        free(rows[i].key);
        free(rows[i].json);
    }
    free(rows);
    return s;
}

/* A resolve_conflict entry: {"conflict_id":C} in base_json becomes the conflict_id column. */
static enum dp_status
move_conflict_id(struct store *st, const char *mid, const char *base_json, const char *what,
                 struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    cJSON *b = cJSON_Parse(base_json);
    enum dp_status s = store_prepare(
        st, "UPDATE outbox SET conflict_id = ?2, base_json = NULL WHERE mid = ?1", &stmt, err);
    if (s == DP_OK) {
        sqlite3_bind_int64(stmt, 1, strtoll(mid, NULL, 10));
        /* An entry whose id cannot be read keeps "": the push then names it broken. */
        store_bind_text(stmt, 2, json_text(b, "conflict_id"));
        s = store_step_done(st, stmt, what, err);
    }
    sqlite3_finalize(stmt);
    cJSON_Delete(b);
    return s;
}

/* A conflict: {"kind","state","opened_by","opened_at","fields"} becomes columns and fields. */
static enum dp_status
split_conflict(struct store *st, const char *id, const char *fields_json, const char *what,
               struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    cJSON *d = cJSON_Parse(fields_json);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(d, "fields");
    char *fields = cJSON_IsObject(f) ? cJSON_PrintUnformatted(f) : strdup("{}");
    enum dp_status s = fields ? DP_OK : dp_error_set(err, DP_ENOMEM, NULL, NULL);
    if (s == DP_OK)
        s = store_prepare(st,
                          "UPDATE conflicts SET kind = ?2, opened_by = ?3, opened_at = ?4,"
                          " fields_json = ?5 WHERE conflict_id = ?1",
                          &stmt, err);
    if (s == DP_OK) {
        store_bind_text(stmt, 1, id);
        store_bind_text(stmt, 2, json_text(d, "kind"));
        store_bind_text(stmt, 3, json_text(d, "opened_by"));
        store_bind_text(stmt, 4, json_text(d, "opened_at"));
        store_bind_text(stmt, 5, fields);
        s = store_step_done(st, stmt, what, err);
    }
    sqlite3_finalize(stmt);
    free(fields);
    cJSON_Delete(d);
    return s;
}

/* A child's base row: its household from the stored row. */
static enum dp_status
base_row_household(struct store *st, const char *key, const char *row_json, const char *what,
                   struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    cJSON *r = cJSON_Parse(row_json);
    enum dp_status s =
        store_prepare(st, "UPDATE base_rows SET hid = ?2 WHERE t || ' ' || rid = ?1", &stmt, err);
    if (s == DP_OK) {
        store_bind_text(stmt, 1, key);
        store_bind_text(stmt, 2, json_text(r, "household_id"));
        s = store_step_done(st, stmt, what, err);
    }
    sqlite3_finalize(stmt);
    cJSON_Delete(r);
    return s;
}

static enum dp_status
migrate_4_data(struct store *st, const char *what, struct dp_error *err)
{
    enum dp_status s = each_row(
        st, "SELECT mid, COALESCE(base_json, '') FROM outbox WHERE op = 'resolve_conflict'", what,
        move_conflict_id, err);
    if (s == DP_OK)
        s = each_row(st, "SELECT conflict_id, fields_json FROM conflicts", what, split_conflict,
                     err);
    if (s == DP_OK)
        s = each_row(st, "SELECT t || ' ' || rid, row_json FROM base_rows WHERE t <> 'household'",
                     what, base_row_household, err);
    return s;
}

static const struct migration migrations[] = {
    {"migration 1 (records and sync bookkeeping)", migration_1, NULL},
    {"migration 2 (household list)", migration_2, NULL},
    {"migration 3 (category filter)", migration_3, NULL},
    {"migration 4 (review, assign and conflict columns)", migration_4, migrate_4_data},
};

int
store_migration_count(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

enum dp_status
store_migrate(struct store *st, int target, struct dp_error *err)
{
    if (target > store_migration_count())
        target = store_migration_count();
    while (st->version < target) {
        const struct migration *m = &migrations[st->version];
        char sql[64];
        enum dp_status s = store_begin(st, err);
        if (s != DP_OK)
            return s;
        s = store_exec(st, m->sql, m->what, err);
        if (s == DP_OK && m->after)
            s = m->after(st, m->what, err);
        if (s == DP_OK) {
            /* In the same transaction: the version moves only with the schema. */
            snprintf(sql, sizeof sql, "PRAGMA user_version = %d", st->version + 1);
            s = store_exec(st, sql, m->what, err);
        }
        if (s == DP_OK)
            s = store_commit(st, err);
        if (s != DP_OK) {
            store_rollback(st);
            return s;
        }
        st->version++;
    }
    return DP_OK;
}
