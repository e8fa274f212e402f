/*
 * Applying pulled pages: base rows, working rows with pending edits rebased
 * on top, removes and orphans, conflicts, the cursor, and full snapshots
 * (resets and first pulls) whose last page sweeps every server-origin row
 * the snapshot did not bring.
 *
 * Snapshot bookkeeping: sync_meta "reset" holds the reason while a snapshot
 * is being pulled, and the temporary tables sync_seen / sync_seen_conflicts
 * (this connection only) hold what it brought. A crash loses the temporary
 * tables; store_sync_pull_begin then starts the snapshot again from scratch.
 */
#include "store/sync_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/warnings.h"

static enum dp_status
seen_tables_exist(struct store *st, bool *yes, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *yes = false;
    enum dp_status s = store_prepare(
        st, "SELECT count(*) FROM sqlite_temp_master WHERE name = 'sync_seen'", &stmt, err);
    if (s != DP_OK)
        return s;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *yes = sqlite3_column_int(stmt, 0) > 0;
    sqlite3_finalize(stmt);
    return s;
}

static enum dp_status
seen_tables_create(struct store *st, struct dp_error *err)
{
    return store_exec(st,
                      "DROP TABLE IF EXISTS temp.sync_seen;"
                      "DROP TABLE IF EXISTS temp.sync_seen_conflicts;"
                      "CREATE TEMP TABLE sync_seen (t TEXT NOT NULL, rid TEXT NOT NULL,"
                      " PRIMARY KEY (t, rid)) WITHOUT ROWID;"
                      "CREATE TEMP TABLE sync_seen_conflicts (conflict_id TEXT PRIMARY KEY)"
                      " WITHOUT ROWID;",
                      "start a snapshot", err);
}

enum dp_status
store_sync_pull_begin(struct store *st, char **cursor, struct dp_error *err)
{
    char *reset = NULL;
    bool tables = false;
    *cursor = NULL;
    enum dp_status s = store_meta_get(st, SYNC_META_RESET, &reset, err);
    if (s == DP_OK)
        s = seen_tables_exist(st, &tables, err);
    if (s == DP_OK && reset && *reset && !tables) {
        /* A snapshot was cut short in another session: what it saw is gone, start it over. */
        s = store_meta_set(st, SYNC_META_CURSOR, NULL, err);
    }
    if (s == DP_OK)
        s = store_meta_get(st, SYNC_META_CURSOR, cursor, err);
    if (s == DP_OK && *cursor && !**cursor) {
        free(*cursor);
        *cursor = NULL;
    }
    free(reset);
    return s;
}

static enum dp_status
mark_seen(struct store *st, const char *table, const char *a, const char *b, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char sql[128];
    if (b)
        snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO temp.%s VALUES (?1, ?2)", table);
    else
        snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO temp.%s VALUES (?1)", table);
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, a);
    if (b)
        store_bind_text(stmt, 2, b);
    s = store_step_done(st, stmt, "note snapshot row", err);
    sqlite3_finalize(stmt);
    return s;
}

static enum dp_status
household_present(struct store *st, const char *hid, bool *yes, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *yes = false;
    enum dp_status s =
        store_prepare(st, "SELECT count(*) FROM households WHERE id = ?1", &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, hid);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *yes = sqlite3_column_int(stmt, 0) > 0;
    sqlite3_finalize(stmt);
    return s;
}

/*
 * Members, visits and needs whose base row came before their household (a
 * page orders changes by seq, and a household that changed after its records
 * comes after them, possibly pages later): now that it is here, they appear.
 */
static enum dp_status
adopt_children(struct store *st, const char *hid, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    struct {
        char t[16];
        char rid[37];
    } *kids = NULL;
    size_t n = 0, cap = 0;
    enum dp_status s =
        store_prepare(st,
                      "SELECT t, rid FROM base_rows b WHERE hid = ?1"
                      " AND t <> 'household' AND NOT EXISTS"
                      " (SELECT 1 FROM members w WHERE b.t = 'member' AND w.id = b.rid"
                      "  UNION ALL SELECT 1 FROM visits w"
                      "  WHERE b.t = 'visit' AND w.id = b.rid"
                      "  UNION ALL SELECT 1 FROM needs w"
                      "  WHERE b.t = 'need' AND w.id = b.rid)",
                      &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, hid);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            void *bigger = realloc(kids, ncap * sizeof *kids);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                break;
            }
            kids = bigger;
            cap = ncap;
        }
        snprintf(kids[n].t, sizeof kids[n].t, "%s", store_column_text(stmt, 0));
        snprintf(kids[n].rid, sizeof kids[n].rid, "%s", store_column_text(stmt, 1));
        n++;
    }
    if (s == DP_OK && rc != SQLITE_DONE)
        s = store_fail(st, rc, "find waiting records", err);
    sqlite3_finalize(stmt);
    for (size_t i = 0; i < n && s == DP_OK; i++) {
        const struct record_def *def = schema_record(kids[i].t);
        if (def)
            s = sync_materialize(st, def, kids[i].rid, false, err);
    }
    free(kids);
    return s;
}

static enum dp_status
apply_put(struct store *st, const struct sync_change *c, struct sync_page_stats *stats,
          struct dp_error *err)
{
    const struct record_def *def = c->def;
    long pending = 0;
    enum dp_status s;
    bool present = true;
    if (def->parent_field >= 0) {
        s = household_present(st, c->row.values[def->parent_field], &present, err);
        if (s != DP_OK)
            return s;
    }
    /* Back in scope: it is ours again. */
    s = sync_orphan_release(st, def->name, c->rid, err);
    if (s == DP_OK)
        s = sync_base_write(st, &c->row, err);
    if (s != DP_OK)
        return s;
    stats->puts++;
    if (!present) {
        /* Kept as a base row only; adopt_children shows it when its household comes. */
        char detail[160];
        snprintf(detail, sizeof detail, "%s %s waits for household %s", def->name, c->rid,
                 c->row.values[def->parent_field]);
        return sync_log_add(st, "child-first", detail, err);
    }
    if ((s = sync_pending_for(st, def->name, c->rid, &pending, err)) != DP_OK)
        return s;
    if (pending > 0)
        s = sync_materialize(st, def, c->rid, true, err);
    else
        s = sync_row_write(st, &c->row, false, err);
    if (s == DP_OK && def->parent_field < 0)
        s = adopt_children(st, c->rid, err);
    return s;
}

static enum dp_status
apply_remove(struct store *st, const struct sync_change *c, struct sync_page_stats *stats,
             struct dp_error *err)
{
    long pending = 0;
    enum dp_status s = sync_pending_for(st, c->def->name, c->rid, &pending, err);
    if (s != DP_OK)
        return s;
    stats->removes++;
    if (pending > 0 && c->reason == SYNC_REMOVE_OUT_OF_SCOPE)
        stats->orphaned++;
    return sync_remove(st, c->def, c->rid, c->reason, err);
}

/* A pending resolution of ours for this conflict. */
static enum dp_status
resolving_here(struct store *st, const char *conflict_id, bool *yes, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *yes = false;
    enum dp_status s = store_prepare(st,
                                     "SELECT count(*) FROM outbox WHERE conflict_id = ?1"
                                     " AND op = 'resolve_conflict'"
                                     " AND state IN " SYNC_PENDING_STATES,
                                     &stmt, err);
    if (s == DP_OK) {
        store_bind_text(stmt, 1, conflict_id);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            *yes = sqlite3_column_int(stmt, 0) > 0;
    }
    sqlite3_finalize(stmt);
    return s;
}

static enum dp_status
apply_conflict(struct store *st, const struct sync_change *c, struct sync_page_stats *stats,
               struct dp_error *err)
{
    char hid[37] = "", sql[96], now[32];
    sqlite3_stmt *stmt = NULL;
    bool mine = false;
    enum dp_status s = DP_OK;
    if (c->def->parent_field < 0) {
        snprintf(hid, sizeof hid, "%s", c->rid);
    } else {
        snprintf(sql, sizeof sql, "SELECT household_id FROM %s WHERE id = ?1", store_table(c->def));
        s = store_prepare(st, sql, &stmt, err);
        if (s != DP_OK)
            return s;
        store_bind_text(stmt, 1, c->rid);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            snprintf(hid, sizeof hid, "%s", store_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    s = resolving_here(st, c->conflict_id, &mine, err);
    if (s != DP_OK)
        return s;
    store_utc_now(now, sizeof now);
    s = store_prepare(st,
                      "INSERT OR REPLACE INTO conflicts(conflict_id, t, rid, fields_json, state,"
                      " updated_at, hid, kind, opened_by, opened_at)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                      &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, c->conflict_id);
    store_bind_text(stmt, 2, c->def->name);
    store_bind_text(stmt, 3, c->rid);
    store_bind_text(stmt, 4, c->fields_json ? c->fields_json : "{}");
    store_bind_text(stmt, 8, c->kind);
    store_bind_text(stmt, 9, c->opened_by);
    store_bind_text(stmt, 10, c->opened_at);
    /* Our own resolution is on its way: keep showing it as such until it is answered. */
    store_bind_text(stmt, 5, mine && strcmp(c->state, "open") == 0 ? "resolving" : c->state);
    store_bind_text(stmt, 6, now);
    store_bind_text(stmt, 7, hid);
    s = store_step_done(st, stmt, "store conflict", err);
    sqlite3_finalize(stmt);
    if (s == DP_OK)
        stats->conflicts++;
    return s;
}

struct idlist {
    struct {
        char t[16];
        char rid[37];
    } * v;
    size_t n, cap;
};

static enum dp_status
idlist_query(struct store *st, const char *sql, struct idlist *l, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (l->n == l->cap) {
            size_t ncap = l->cap ? l->cap * 2 : 64;
            void *bigger = realloc(l->v, ncap * sizeof *l->v);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                break;
            }
            l->v = bigger;
            l->cap = ncap;
        }
        snprintf(l->v[l->n].t, sizeof l->v[l->n].t, "%s", store_column_text(stmt, 0));
        snprintf(l->v[l->n].rid, sizeof l->v[l->n].rid, "%s", store_column_text(stmt, 1));
        l->n++;
    }
    if (s == DP_OK && rc != SQLITE_DONE)
        s = store_fail(st, rc, "list stale rows", err);
    sqlite3_finalize(stmt);
    return s;
}

/* The end of a snapshot: whatever it did not bring is no longer ours. */
static enum dp_status
sweep(struct store *st, struct dp_error *err)
{
    struct idlist stale = {0}, stray = {0};
    enum dp_status s = idlist_query(st,
                                    "SELECT t, rid FROM base_rows b WHERE NOT EXISTS"
                                    " (SELECT 1 FROM temp.sync_seen s WHERE s.t = b.t"
                                    " AND s.rid = b.rid)"
                                    " ORDER BY t = 'household', t, rid",
                                    &stale, err);
    for (size_t i = 0; i < stale.n && s == DP_OK; i++) {
        const struct record_def *def = schema_record(stale.v[i].t);
        if (def)
            s = sync_remove(st, def, stale.v[i].rid, SYNC_REMOVE_OUT_OF_SCOPE, err);
        else
            s = sync_base_drop(st, stale.v[i].t, stale.v[i].rid, err);
    }
    /* Rows with no server copy and nothing pending (a stray or half-removed row). */
    static const char *const stray_sql[] = {
        "SELECT 'member', id FROM members w",
        "SELECT 'visit', id FROM visits w",
        "SELECT 'need', id FROM needs w",
        "SELECT 'household', id FROM households w",
    };
    for (size_t i = 0; i < sizeof stray_sql / sizeof stray_sql[0] && s == DP_OK; i++) {
        char sql[512];
        const char *t = i == 0 ? "member" : i == 1 ? "visit" : i == 2 ? "need" : "household";
        snprintf(sql, sizeof sql,
                 "%s WHERE NOT EXISTS (SELECT 1 FROM base_rows b WHERE b.t = '%s'"
                 " AND b.rid = w.id) AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.t = '%s'"
                 " AND o.rid = w.id AND o.state IN " SYNC_PENDING_STATES ")",
                 stray_sql[i], t, t);
        stray.n = 0;
        s = idlist_query(st, sql, &stray, err);
        for (size_t k = 0; k < stray.n && s == DP_OK; k++)
            s = sync_row_drop(st, schema_record(stray.v[k].t), stray.v[k].rid, err);
    }
    if (s == DP_OK)
        s = store_exec(st,
                       "DELETE FROM conflicts WHERE state <> 'resolving' AND conflict_id NOT IN"
                       " (SELECT conflict_id FROM temp.sync_seen_conflicts)",
                       "drop stale conflicts", err);
    if (s == DP_OK && (stale.n || stray.n)) {
        char detail[96];
        snprintf(detail, sizeof detail, "snapshot removed %zu stale rows", stale.n);
        s = sync_log_add(st, "snapshot", detail, err);
    }
    if (s == DP_OK)
        s = store_exec(st,
                       "DROP TABLE IF EXISTS temp.sync_seen;"
                       "DROP TABLE IF EXISTS temp.sync_seen_conflicts;",
                       "end a snapshot", err);
    if (s == DP_OK)
        s = store_meta_set(st, SYNC_META_RESET, NULL, err);
    free(stale.v);
    free(stray.v);
    return s;
}

enum dp_status
store_sync_apply_page(struct store *st, const struct sync_page *page, struct sync_page_stats *stats,
                      struct dp_error *err)
{
    char *cursor = NULL, *reset = NULL;
    int64_t max_mid = 0, acked = 0;
    bool tables = false;
    memset(stats, 0, sizeof *stats);
    enum dp_status s = store_begin(st, err);
    if (s != DP_OK)
        return s;
    if ((s = store_meta_get(st, SYNC_META_CURSOR, &cursor, err)) != DP_OK ||
        (s = store_meta_get(st, SYNC_META_RESET, &reset, err)) != DP_OK ||
        (s = seen_tables_exist(st, &tables, err)) != DP_OK ||
        (s = sync_max_mid(st, &max_mid, err)) != DP_OK ||
        (s = store_meta_get_int(st, SYNC_META_ACKED_MID, 0, &acked, err)) != DP_OK)
        goto out;

    /* A reset, or the first page of a first pull, starts a snapshot. */
    if (page->reset || !cursor || !*cursor) {
        s = seen_tables_create(st, err);
        if (s == DP_OK)
            s = store_meta_set(st, SYNC_META_RESET,
                               page->reset ? (page->reset_reason[0] ? page->reset_reason : "reset")
                                           : "first",
                               err);
        if (s == DP_OK && page->reset) {
            char detail[64];
            snprintf(detail, sizeof detail, "reason %s", page->reset_reason);
            s = sync_log_add(st, "reset", detail, err);
        }
        tables = true;
    } else if (reset && *reset && !tables) {
        /* Cannot happen after store_sync_pull_begin; refuse rather than sweep blindly. */
        s = dp_error_set(err, DP_EINVAL, NULL, "a snapshot lost its bookkeeping; sync again");
    }
    bool snapshot = tables;
    if (s == DP_OK)
        s = store_warnings_note_page(st, page, err);
    for (size_t i = 0; i < page->nchanges && s == DP_OK; i++) {
        const struct sync_change *c = &page->changes[i];
        switch (c->op) {
        case SYNC_PUT:
            s = apply_put(st, c, stats, err);
            if (s == DP_OK && snapshot)
                s = mark_seen(st, "sync_seen", c->def->name, c->rid, err);
            break;
        case SYNC_REMOVE:
            s = apply_remove(st, c, stats, err);
            break;
        case SYNC_CONFLICT:
            s = apply_conflict(st, c, stats, err);
            if (s == DP_OK && snapshot)
                s = mark_seen(st, "sync_seen_conflicts", c->conflict_id, NULL, err);
            break;
        }
    }
    if (s == DP_OK)
        s = store_meta_set(st, SYNC_META_CURSOR, page->cursor, err);
    if (s == DP_OK && page->last_mid > max_mid)
        stats->diverged = true;
    if (s == DP_OK && page->last_mid < acked)
        stats->server_behind = true;
    if (s == DP_OK && snapshot && !page->has_more) {
        s = sweep(st, err);
        stats->snapshot_done = s == DP_OK;
    }
    if (s == DP_OK)
        s = sync_collect_garbage(st, err);
    if (s == DP_OK)
        s = store_warnings_refresh_noted(st, err);
    if (s == DP_OK)
        s = store_commit(st, err);
out:
    if (s != DP_OK) {
        store_rollback(st);
        memset(stats, 0, sizeof *stats);
    }
    free(cursor);
    free(reset);
    return s;
}

enum dp_status
store_sync_digest(struct store *st, char **json, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    cJSON *doc = cJSON_CreateObject();
    enum dp_status s = doc ? DP_OK : dp_error_set(err, DP_ENOMEM, NULL, NULL);
    *json = NULL;
    if (s == DP_OK)
        s = store_prepare(st, "SELECT rid FROM base_rows WHERE t = ?1 ORDER BY rid", &stmt, err);
    for (size_t i = 0; schema_records[i] && s == DP_OK; i++) {
        crypto_hash_sha256_state h;
        unsigned char digest[crypto_hash_sha256_BYTES];
        char hex[2 * crypto_hash_sha256_BYTES + 1];
        long n = 0;
        crypto_hash_sha256_init(&h);
        sqlite3_reset(stmt);
        store_bind_text(stmt, 1, schema_records[i]->name);
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            const char *rid = store_column_text(stmt, 0);
            crypto_hash_sha256_update(&h, (const unsigned char *)rid, strlen(rid));
            crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
            n++;
        }
        if (rc != SQLITE_DONE) {
            s = store_fail(st, rc, "compute digest", err);
            break;
        }
        crypto_hash_sha256_final(&h, digest);
        sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
        cJSON *o = cJSON_AddObjectToObject(doc, schema_records[i]->name);
        if (!o || !cJSON_AddNumberToObject(o, "n", (double)n) ||
            !cJSON_AddStringToObject(o, "h", hex))
            s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    sqlite3_finalize(stmt);
    if (s == DP_OK && !(*json = cJSON_PrintUnformatted(doc)))
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
    cJSON_Delete(doc);
    return s;
}
