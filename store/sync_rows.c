/*
 * Row-level work for sync inside the caller's transaction: working rows,
 * base rows, rebase of pending edits over the server's state, removal with
 * orphans, and garbage collection. See docs/internals/sync.md.
 */
#include "store/sync_internal.h"

#include "core/merge.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
household_of(const struct record *r)
{
    return r->def->parent_field < 0 ? r->values[0] : r->values[r->def->parent_field];
}

enum dp_status
sync_row_read(struct store *st, const struct record_def *def, const char *id, struct record *out,
              bool *found, struct dp_error *err)
{
    struct sqlbuf sql;
    sqlite3_stmt *stmt = NULL;
    *found = false;
    if (record_init(out, def) != DP_OK)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    const char *table = store_table(def);
    if (!table)
        return dp_error_set(err, DP_EINVAL, NULL, "unknown record type");
    sqlbuf_init(&sql);
    sqlbuf_add(&sql, "SELECT ");
    for (size_t i = 0; i < def->nfields; i++) {
        sqlbuf_add(&sql, i ? ", " : "");
        sqlbuf_add(&sql, def->fields[i].name);
    }
    sqlbuf_add(&sql, ", _v, _deleted FROM ");
    sqlbuf_add(&sql, table);
    sqlbuf_add(&sql, " WHERE id = ?1");
    if (sql.overflow)
        return dp_error_set(err, DP_EINVAL, NULL, "record too wide");
    enum dp_status s = store_prepare(st, sql.buf, &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, id);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        int n = (int)def->nfields;
        for (int i = 0; i < n && s == DP_OK; i++)
            if (record_set_index(out, i, store_column_text(stmt, i)) != DP_OK)
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        out->v = sqlite3_column_int64(stmt, n);
        out->deleted = sqlite3_column_int(stmt, n + 1) != 0;
        *found = s == DP_OK;
    } else if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "read record", err);
    }
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
sync_refresh_derived(struct store *st, const struct record_def *def, const char *household_id,
                     struct dp_error *err)
{
    if (def == &schema_visit && household_id && *household_id)
        return store_refresh_last_visit(st, household_id, err);
    return DP_OK;
}

enum dp_status
sync_row_write(struct store *st, const struct record *r, bool dirty, struct dp_error *err)
{
    struct sqlbuf sql;
    sqlite3_stmt *stmt = NULL;
    char num[128];
    const struct record_def *def = r->def;
    size_t nf = def->nfields;
    const char *table = store_table(def);
    if (!table)
        return dp_error_set(err, DP_EINVAL, NULL, "unknown record type");

    /* UPDATE first: REPLACE would delete the row and lose what hangs off it. */
    sqlbuf_init(&sql);
    sqlbuf_add(&sql, "UPDATE ");
    sqlbuf_add(&sql, table);
    sqlbuf_add(&sql, " SET ");
    for (size_t i = 1; i < nf; i++) {
        snprintf(num, sizeof num, " = ?%zu, ", i + 1);
        sqlbuf_add(&sql, def->fields[i].name);
        sqlbuf_add(&sql, num);
    }
    snprintf(num, sizeof num, "_v = ?%zu, _dirty = ?%zu, _deleted = ?%zu WHERE id = ?1", nf + 1,
             nf + 2, nf + 3);
    sqlbuf_add(&sql, num);
    if (sql.overflow)
        return dp_error_set(err, DP_EINVAL, NULL, "record too wide");
    enum dp_status s = store_prepare(st, sql.buf, &stmt, err);
    if (s != DP_OK)
        return s;
    for (size_t i = 0; i < nf; i++)
        store_bind_text(stmt, (int)i + 1, r->values[i]);
    sqlite3_bind_int64(stmt, (int)nf + 1, r->v);
    sqlite3_bind_int(stmt, (int)nf + 2, dirty ? 1 : 0);
    sqlite3_bind_int(stmt, (int)nf + 3, r->deleted ? 1 : 0);
    s = store_step_done(st, stmt, "write synced record", err);
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (s != DP_OK)
        return s;

    if (sqlite3_changes(store_db(st)) == 0) {
        sqlbuf_init(&sql);
        sqlbuf_add(&sql, "INSERT INTO ");
        sqlbuf_add(&sql, table);
        sqlbuf_add(&sql, " (");
        for (size_t i = 0; i < nf; i++) {
            sqlbuf_add(&sql, i ? ", " : "");
            sqlbuf_add(&sql, def->fields[i].name);
        }
        sqlbuf_add(&sql, ", _v, _dirty, _deleted) VALUES (");
        for (size_t i = 0; i < nf + 3; i++) {
            snprintf(num, sizeof num, "%s?%zu", i ? ", " : "", i + 1);
            sqlbuf_add(&sql, num);
        }
        sqlbuf_add(&sql, ")");
        if (sql.overflow)
            return dp_error_set(err, DP_EINVAL, NULL, "record too wide");
        s = store_prepare(st, sql.buf, &stmt, err);
        if (s != DP_OK)
            return s;
        for (size_t i = 0; i < nf; i++)
            store_bind_text(stmt, (int)i + 1, r->values[i]);
        sqlite3_bind_int64(stmt, (int)nf + 1, r->v);
        sqlite3_bind_int(stmt, (int)nf + 2, dirty ? 1 : 0);
        sqlite3_bind_int(stmt, (int)nf + 3, r->deleted ? 1 : 0);
        s = store_step_done(st, stmt, "write synced record", err);
        sqlite3_finalize(stmt);
        if (s != DP_OK)
            return s;
    }
    if (def == &schema_household)
        s = store_refresh_categories(st, r->values[0],
                                     r->deleted ? "" : record_get(r, "categories"), err);
    if (s == DP_OK)
        s = sync_refresh_derived(st, def, household_of(r), err);
    return s;
}

/* True when a household still has members, visits or needs in the working tables. */
static enum dp_status
has_children(struct store *st, const char *hid, bool *yes, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *yes = false;
    enum dp_status s = store_prepare(st,
                                     "SELECT EXISTS (SELECT 1 FROM members WHERE household_id = ?1)"
                                     " OR EXISTS (SELECT 1 FROM visits WHERE household_id = ?1)"
                                     " OR EXISTS (SELECT 1 FROM needs WHERE household_id = ?1)",
                                     &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, hid);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *yes = sqlite3_column_int(stmt, 0) != 0;
    else
        s = store_fail(st, rc, "look for a household's records", err);
    sqlite3_finalize(stmt);
    return s;
}

/* One statement with one text parameter. */
static enum dp_status
exec1(struct store *st, const char *sql, const char *a, const char *what, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, a);
    s = store_step_done(st, stmt, what, err);
    sqlite3_finalize(stmt);
    return s;
}

static enum dp_status
exec2(struct store *st, const char *sql, const char *a, const char *b, const char *what,
      struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, a);
    store_bind_text(stmt, 2, b);
    s = store_step_done(st, stmt, what, err);
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
sync_row_drop(struct store *st, const struct record_def *def, const char *id, struct dp_error *err)
{
    char sql[160];
    const char *table = store_table(def);
    if (!table)
        return dp_error_set(err, DP_EINVAL, NULL, "unknown record type");
    if (def == &schema_household) {
        bool kids = false;
        enum dp_status s = has_children(st, id, &kids, err);
        if (s != DP_OK)
            return s;
        if (kids)
            return exec1(st, "UPDATE households SET _deleted = 1, _dirty = 0 WHERE id = ?1", id,
                         "hide household", err);
        s = exec1(st, "DELETE FROM households WHERE id = ?1", id, "drop household", err);
        if (s == DP_OK)
            s = store_refresh_categories(st, id, "", err);
        return s;
    }
    /* The household whose derived data may change. */
    char hid[64] = "";
    if (def == &schema_visit) {
        sqlite3_stmt *stmt = NULL;
        enum dp_status s =
            store_prepare(st, "SELECT household_id FROM visits WHERE id = ?1", &stmt, err);
        if (s != DP_OK)
            return s;
        store_bind_text(stmt, 1, id);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            snprintf(hid, sizeof hid, "%s", store_column_text(stmt, 0));
        sqlite3_finalize(stmt);
    }
    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = ?1", table);
    enum dp_status s = exec1(st, sql, id, "drop record", err);
    if (s == DP_OK && hid[0])
        s = sync_refresh_derived(st, def, hid, err);
    return s;
}

enum dp_status
sync_base_read(struct store *st, const struct record_def *def, const char *rid, struct record *out,
               bool *found, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *found = false;
    if (record_init(out, def) != DP_OK)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    enum dp_status s = store_prepare(
        st, "SELECT v, row_json FROM base_rows WHERE t = ?1 AND rid = ?2", &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, def->name);
    store_bind_text(stmt, 2, rid);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        cJSON *obj = cJSON_Parse(store_column_text(stmt, 1));
        struct dp_error e;
        if (!obj || !cJSON_IsObject(obj) || record_from_json(out, obj, &e) != DP_OK) {
            s = dp_error_set(err, DP_ECORRUPT, NULL, "the stored server copy of %s %s is damaged",
                             def->name, rid);
        } else {
            out->v = sqlite3_column_int64(stmt, 0);
            *found = true;
        }
        cJSON_Delete(obj);
    } else if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "read base row", err);
    }
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
sync_base_write(struct store *st, const struct record *r, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    cJSON *obj = record_to_json(r, false);
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (!text)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    enum dp_status s = store_prepare(
        st,
        "INSERT OR REPLACE INTO base_rows(t, rid, v, row_json, hid) VALUES (?1, ?2, ?3, ?4, ?5)",
        &stmt, err);
    if (s == DP_OK) {
        store_bind_text(stmt, 1, r->def->name);
        store_bind_text(stmt, 2, r->values[0]);
        sqlite3_bind_int64(stmt, 3, r->v);
        store_bind_text(stmt, 4, text);
        store_bind_text(stmt, 5, household_of(r));
        s = store_step_done(st, stmt, "write base row", err);
    }
    sqlite3_finalize(stmt);
    free(text);
    return s;
}

enum dp_status
sync_base_drop(struct store *st, const char *t, const char *rid, struct dp_error *err)
{
    return exec2(st, "DELETE FROM base_rows WHERE t = ?1 AND rid = ?2", t, rid, "drop base row",
                 err);
}

static enum dp_status
count2(struct store *st, const char *sql, const char *a, const char *b, long *n,
       struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *n = 0;
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, a);
    store_bind_text(stmt, 2, b);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *n = (long)sqlite3_column_int64(stmt, 0);
    else
        s = store_fail(st, rc, "count", err);
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
sync_pending_for(struct store *st, const char *t, const char *rid, long *n, struct dp_error *err)
{
    return count2(st,
                  "SELECT count(*) FROM outbox WHERE t = ?1 AND rid = ?2"
                  " AND state IN " SYNC_PENDING_STATES,
                  t, rid, n, err);
}

enum dp_status
sync_orphan_held(struct store *st, const char *t, const char *rid, bool *held, struct dp_error *err)
{
    long n = 0;
    enum dp_status s =
        count2(st, "SELECT count(*) FROM orphans WHERE t = ?1 AND rid = ?2", t, rid, &n, err);
    *held = n > 0;
    return s;
}

enum dp_status
sync_orphan_release(struct store *st, const char *t, const char *rid, struct dp_error *err)
{
    return exec2(st, "DELETE FROM orphans WHERE t = ?1 AND rid = ?2", t, rid, "release orphan",
                 err);
}

enum dp_status
sync_log_add(struct store *st, const char *kind, const char *detail, struct dp_error *err)
{
    char now[32];
    sqlite3_stmt *stmt = NULL;
    store_utc_now(now, sizeof now);
    enum dp_status s =
        store_prepare(st, "INSERT INTO sync_log(ts, kind, detail) VALUES (?1, ?2, ?3)", &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, now);
    store_bind_text(stmt, 2, kind);
    store_bind_text(stmt, 3, detail);
    s = store_step_done(st, stmt, "write sync log", err);
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
sync_max_mid(struct store *st, int64_t *out, struct dp_error *err)
{
    int64_t next = 1;
    enum dp_status s = store_meta_get_int(st, SYNC_META_NEXT_MID, 1, &next, err);
    *out = next > 0 ? next - 1 : 0;
    return s;
}

/* ---- rebase ------------------------------------------------------------------------------ */

/* A review or assign entry shown as the server will apply it (rebase leaves them to the server). */
static void
apply_special(struct record *r, const struct mutation *m, const char *reviewer)
{
    if (m->op == MUT_REVIEW && r->def == &schema_visit) {
        const char *to = m->action == MUT_REVIEW_SUBMIT    ? "submitted"
                         : m->action == MUT_REVIEW_RETURN  ? "returned"
                         : m->action == MUT_REVIEW_APPROVE ? "approved"
                                                           : NULL;
        if (to)
            record_set(r, "review_state", to);
        if (to && m->action != MUT_REVIEW_SUBMIT && reviewer && *reviewer)
            record_set(r, "reviewer", reviewer);
        if (to && m->comment)
            record_set(r, "review_comment", m->comment);
    } else if (m->op == MUT_ASSIGN && r->def == &schema_household) {
        record_set(r, "assigned_to", m->to);
    }
}

struct pending_set {
    struct mutation *v;
    size_t n, cap;
};

static void
pending_free(struct pending_set *p)
{
    for (size_t i = 0; i < p->n; i++)
        mutation_done(&p->v[i]);
    free(p->v);
    p->v = NULL;
    p->n = p->cap = 0;
}

static const char *
column_or_null(sqlite3_stmt *stmt, int col)
{
    return sqlite3_column_type(stmt, col) == SQLITE_NULL
               ? NULL
               : (const char *)sqlite3_column_text(stmt, col);
}

/* The record's pending entries as mutations, in mid order. Unreadable entries are logged. */
static enum dp_status
pending_load(struct store *st, const struct record_def *def, const char *rid, struct pending_set *p,
             struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum dp_status s =
        store_prepare(st,
                      "SELECT mid, mutation_id, hlc, op, base_v, base_json, set_json,"
                      " conflict_id, action, comment, assign_to"
                      " FROM outbox WHERE t = ?1 AND rid = ?2"
                      " AND state IN " SYNC_PENDING_STATES " ORDER BY mid",
                      &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, def->name);
    store_bind_text(stmt, 2, rid);
    int rc;
    while (s == DP_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct outbox_cols e = {.mid = sqlite3_column_int64(stmt, 0),
                                .mutation_id = store_column_text(stmt, 1),
                                .hlc = store_column_text(stmt, 2),
                                .op = store_column_text(stmt, 3),
                                .t = def->name,
                                .rid = rid,
                                .base_v = sqlite3_column_type(stmt, 4) == SQLITE_NULL
                                              ? -1
                                              : sqlite3_column_int64(stmt, 4),
                                .base_json = column_or_null(stmt, 5),
                                .set_json = column_or_null(stmt, 6),
                                .conflict_id = column_or_null(stmt, 7),
                                .action = column_or_null(stmt, 8),
                                .comment = column_or_null(stmt, 9),
                                .assign_to = column_or_null(stmt, 10)};
        if (p->n == p->cap) {
            size_t ncap = p->cap ? p->cap * 2 : 4;
            struct mutation *bigger = realloc(p->v, ncap * sizeof *bigger);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                break;
            }
            p->v = bigger;
            p->cap = ncap;
        }
        struct dp_error why;
        dp_error_clear(&why);
        if (store_outbox_mutation(&e, &p->v[p->n], &why) == DP_OK) {
            p->n++;
        } else if (why.code == DP_ENOMEM) {
            s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        } else {
            /* Still pushed as stored; only the local view cannot show it. */
            char detail[160];
            snprintf(detail, sizeof detail, "%s %s, outbox mid %" PRId64 ": %s not shown",
                     def->name, rid, e.mid, why.field[0] ? why.field : "entry");
            s = sync_log_add(st, "rebase-skip", detail, err);
        }
    }
    if (s == DP_OK && rc != SQLITE_DONE)
        s = store_fail(st, rc, "read the outbox", err);
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
sync_materialize(struct store *st, const struct record_def *def, const char *rid, bool rebase_log,
                 struct dp_error *err)
{
    struct record base = {0}, work = {0}, out = {0};
    struct pending_set p = {0};
    char *reviewer = NULL;
    bool base_found = false, work_found = false, held = false, created = false;
    long npending = 0;
    enum dp_status s = sync_orphan_held(st, def->name, rid, &held, err);
    if (s != DP_OK || held)
        return s;
    if ((s = sync_base_read(st, def, rid, &base, &base_found, err)) != DP_OK ||
        (s = sync_row_read(st, def, rid, &work, &work_found, err)) != DP_OK ||
        (s = sync_pending_for(st, def->name, rid, &npending, err)) != DP_OK)
        goto out;
    if (npending == 0) {
        if (base_found)
            s = sync_row_write(st, &base, false, err);
        else if (work_found)
            s = sync_row_drop(st, def, rid, err);
        goto out;
    }
    if ((s = pending_load(st, def, rid, &p, err)) != DP_OK)
        goto out;
    for (size_t i = 0; i < p.n; i++)
        created = created || p.v[i].op == MUT_CREATE;
    /* Edits to a record held nowhere here (e.g. restoring a tombstone): the pull brings it. */
    if (!base_found && !work_found && !created)
        goto out;

    /* The server's row, or (when it dropped its copy) the working row stands in for it. */
    const struct record *server = base_found ? &base : work_found ? &work : NULL;
    struct merge_row row = {.def = def};
    if (server) {
        row.values = (const char *const *)server->values;
        row.v = server->v;
        row.deleted = base_found ? false : server->deleted;
    }
    const struct mutation **list = calloc(p.n ? p.n : 1, sizeof *list);
    if (!list) {
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    for (size_t i = 0; i < p.n; i++)
        list[i] = &p.v[i];
    struct rebase_result rr;
    struct dp_error why;
    if ((s = record_init(&out, def)) != DP_OK) {
        free(list);
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    if (p.n > 0 && merge_rebase(server ? &row : NULL, list, p.n, &rr, &why) == DP_OK) {
        for (size_t i = 0; i < def->nfields && s == DP_OK; i++)
            if (record_set_index(&out, (int)i, rr.values[i] ? rr.values[i] : "") != DP_OK)
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        out.deleted = rr.deleted;
        for (size_t i = 0; i < p.n && s == DP_OK; i++) {
            if (p.v[i].op == MUT_REVIEW && !reviewer && p.v[i].action != MUT_REVIEW_SUBMIT)
                s = store_meta_get(st, SYNC_META_USER, &reviewer, err);
            apply_special(&out, &p.v[i], reviewer);
        }
        for (size_t i = 0; rebase_log && i < def->nfields && s == DP_OK; i++) {
            if (rr.flags[i] != RB_WILL_CONFLICT)
                continue;
            char detail[160];
            snprintf(detail, sizeof detail, "%s %s field %s", def->name, rid, def->fields[i].name);
            s = sync_log_add(st, "will-conflict", detail, err);
        }
    } else if (server) {
        /* Nothing readable to re-apply: show the server's row. */
        for (size_t i = 0; i < def->nfields && s == DP_OK; i++)
            if (record_set_index(&out, (int)i, server->values[i]) != DP_OK)
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        out.deleted = row.deleted;
    }
    free(list);
    if (s != DP_OK)
        goto out;
    if (!out.values[0][0])
        record_set_index(&out, 0, rid);
    out.v = server ? server->v : 0;
    s = sync_row_write(st, &out, true, err);
out:
    pending_free(&p);
    free(reviewer);
    record_done(&out);
    record_done(&base);
    record_done(&work);
    return s;
}

/* ---- removal ----------------------------------------------------------------------------- */

static enum dp_status
remove_one(struct store *st, const struct record_def *def, const char *rid,
           enum sync_remove_reason reason, struct dp_error *err)
{
    long pending = 0;
    enum dp_status s = sync_pending_for(st, def->name, rid, &pending, err);
    if (s == DP_OK)
        s = sync_base_drop(st, def->name, rid, err);
    if (s != DP_OK)
        return s;
    if (reason == SYNC_REMOVE_DELETED)
        return pending > 0 ? sync_materialize(st, def, rid, false, err)
                           : sync_row_drop(st, def, rid, err);

    /* Out of scope: its conflicts go too, unless a resolution of ours is still on its way. */
    s = exec2(st, "DELETE FROM conflicts WHERE t = ?1 AND rid = ?2 AND state <> 'resolving'",
              def->name, rid, "drop conflicts", err);
    if (s != DP_OK || pending == 0)
        return s == DP_OK ? sync_row_drop(st, def, rid, err) : s;

    struct record work;
    bool found = false;
    s = sync_row_read(st, def, rid, &work, &found, err);
    if (s == DP_OK && found) {
        cJSON *obj = record_to_json(&work, true);
        char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
        cJSON_Delete(obj);
        char now[32];
        store_utc_now(now, sizeof now);
        sqlite3_stmt *stmt = NULL;
        if (!text)
            s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        if (s == DP_OK)
            s = store_prepare(st,
                              "INSERT OR REPLACE INTO orphans(t, rid, row_json, reason, since)"
                              " VALUES (?1, ?2, ?3, 'out_of_scope', ?4)",
                              &stmt, err);
        if (s == DP_OK) {
            store_bind_text(stmt, 1, def->name);
            store_bind_text(stmt, 2, rid);
            store_bind_text(stmt, 3, text);
            store_bind_text(stmt, 4, now);
            s = store_step_done(st, stmt, "hold orphan", err);
        }
        sqlite3_finalize(stmt);
        free(text);
        if (s == DP_OK)
            s = sync_row_drop(st, def, rid, err);
    }
    record_done(&work);
    return s;
}

/* Ids of a household's children of one type, from the working table. */
static enum dp_status
child_ids(struct store *st, const struct record_def *def, const char *hid, char (**ids)[37],
          size_t *n, struct dp_error *err)
{
    char sql[128];
    sqlite3_stmt *stmt = NULL;
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE household_id = ?1", store_table(def));
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, hid);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char(*bigger)[37] = realloc(*ids, ncap * sizeof **ids);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                break;
            }
            *ids = bigger;
            cap = ncap;
        }
        snprintf((*ids)[(*n)++], 37, "%s", store_column_text(stmt, 0));
    }
    if (s == DP_OK && rc != SQLITE_DONE)
        s = store_fail(st, rc, "list a household's records", err);
    sqlite3_finalize(stmt);
    if (s != DP_OK) {
        free(*ids);
        *ids = NULL;
        *n = 0;
    }
    return s;
}

enum dp_status
sync_remove(struct store *st, const struct record_def *def, const char *rid,
            enum sync_remove_reason reason, struct dp_error *err)
{
    enum dp_status s = DP_OK;
    if (def == &schema_household) {
        for (size_t i = 0; schema_records[i] && s == DP_OK; i++) {
            const struct record_def *cd = schema_records[i];
            if (cd->parent_field < 0)
                continue;
            char(*ids)[37] = NULL;
            size_t n = 0;
            s = child_ids(st, cd, rid, &ids, &n, err);
            for (size_t k = 0; k < n && s == DP_OK; k++)
                s = remove_one(st, cd, ids[k], reason, err);
            free(ids);
        }
    }
    if (s == DP_OK)
        s = remove_one(st, def, rid, reason, err);
    return s;
}

enum dp_status
sync_collect_garbage(struct store *st, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum dp_status s = store_exec(st,
                                  "DELETE FROM orphans WHERE NOT EXISTS (SELECT 1 FROM outbox o"
                                  " WHERE o.t = orphans.t AND o.rid = orphans.rid"
                                  " AND o.state IN " SYNC_PENDING_STATES ")",
                                  "purge orphans", err);
    if (s != DP_OK)
        return s;
    /* Hidden household tombstones whose last record went. */
    s = store_prepare(st,
                      "SELECT id FROM households h WHERE _deleted = 1"
                      " AND NOT EXISTS (SELECT 1 FROM base_rows b WHERE b.t = 'household'"
                      "  AND b.rid = h.id)"
                      " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.t = 'household'"
                      "  AND o.rid = h.id AND o.state IN " SYNC_PENDING_STATES ")"
                      " AND NOT EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id)"
                      " AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.household_id = h.id)"
                      " AND NOT EXISTS (SELECT 1 FROM needs n WHERE n.household_id = h.id)",
                      &stmt, err);
    if (s != DP_OK)
        return s;
    char(*ids)[37] = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char(*bigger)[37] = realloc(ids, ncap * sizeof *ids);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                break;
            }
            ids = bigger;
            cap = ncap;
        }
        snprintf(ids[n++], 37, "%s", store_column_text(stmt, 0));
    }
    if (s == DP_OK && rc != SQLITE_DONE)
        s = store_fail(st, rc, "find hidden households", err);
    sqlite3_finalize(stmt);
    for (size_t i = 0; i < n && s == DP_OK; i++)
        s = sync_row_drop(st, &schema_household, ids[i], err);
    free(ids);
    return s;
}
