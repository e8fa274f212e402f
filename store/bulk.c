/*
 * Bulk loading of server rows (store/bulk.h). Statements are prepared once
 * per record type and kept for the whole load; the newest-visit date of a
 * household is recomputed once per household per run of its visits rather
 * than once per visit, which is what makes this faster than a loop of
 * single-record writes.
 */
#include "store/bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

/* Households whose _last_visit waits for a refresh, flushed at this many (memory stays flat). */
#define PENDING_MAX 256

#define NTYPES 4

struct bulk_stmts {
    sqlite3_stmt *insert; /* INSERT OR IGNORE the working row */
    sqlite3_stmt *update; /* replace a clean working row */
};

struct store_bulk {
    struct store *st;
    long batch;    /* records per transaction, 0 = unbounded */
    long in_txn;   /* records put in the open transaction */
    long count;    /* records put in all */
    bool open;     /* a transaction is open */
    bool failed;   /* an earlier call failed: refuse the rest */
    int cache_kib; /* cache size set for the load, 0 = untouched */
    const struct record_def *defs[NTYPES];
    struct bulk_stmts stmts[NTYPES];
    sqlite3_stmt *base;     /* INSERT OR IGNORE a base row */
    sqlite3_stmt *base_upd; /* replace an existing base row */
    sqlite3_stmt *cat_del;  /* drop a household's category rows */
    sqlite3_stmt *cat_ins;  /* add one category row */
    sqlite3_stmt *last_vis; /* recompute one household's _last_visit */
    char pending[PENDING_MAX][37];
    int npending;
};

static int
type_index(struct store_bulk *b, const struct record_def *def)
{
    for (int i = 0; i < NTYPES; i++)
        if (b->defs[i] == def || (def && def->name && strcmp(b->defs[i]->name, def->name) == 0))
            return i;
    return -1;
}

static enum dp_status
prepare_insert(struct store *st, const struct record_def *def, sqlite3_stmt **stmt,
               struct dp_error *err)
{
    struct sqlbuf sql;
    char num[32];
    sqlbuf_init(&sql);
    sqlbuf_add(&sql, "INSERT OR IGNORE INTO ");
    sqlbuf_add(&sql, store_table(def));
    sqlbuf_add(&sql, " (");
    for (size_t i = 0; i < def->nfields; i++) {
        sqlbuf_add(&sql, i ? ", " : "");
        sqlbuf_add(&sql, def->fields[i].name);
    }
    sqlbuf_add(&sql, ", _v, _dirty, _deleted) VALUES (");
    for (size_t i = 0; i < def->nfields; i++) {
        snprintf(num, sizeof num, "%s?%zu", i ? ", " : "", i + 1);
        sqlbuf_add(&sql, num);
    }
    snprintf(num, sizeof num, ", ?%zu, 0, ?%zu)", def->nfields + 1, def->nfields + 2);
    sqlbuf_add(&sql, num);
    if (sql.overflow)
        return dp_error_set(err, DP_EINVAL, NULL, "record too wide");
    return store_prepare(st, sql.buf, stmt, err);
}

/* Same parameter numbers as the insert, so one binding serves both. */
static enum dp_status
prepare_update(struct store *st, const struct record_def *def, sqlite3_stmt **stmt,
               struct dp_error *err)
{
    struct sqlbuf sql;
    char num[48];
    sqlbuf_init(&sql);
    sqlbuf_add(&sql, "UPDATE ");
    sqlbuf_add(&sql, store_table(def));
    sqlbuf_add(&sql, " SET ");
    for (size_t i = 1; i < def->nfields; i++) {
        sqlbuf_add(&sql, i > 1 ? ", " : "");
        sqlbuf_add(&sql, def->fields[i].name);
        snprintf(num, sizeof num, " = ?%zu", i + 1);
        sqlbuf_add(&sql, num);
    }
    snprintf(num, sizeof num, ", _v = ?%zu, _deleted = ?%zu", def->nfields + 1, def->nfields + 2);
    sqlbuf_add(&sql, num);
    sqlbuf_add(&sql, " WHERE id = ?1 AND _dirty = 0");
    if (sql.overflow)
        return dp_error_set(err, DP_EINVAL, NULL, "record too wide");
    return store_prepare(st, sql.buf, stmt, err);
}

enum dp_status
store_bulk_new(struct store *st, const struct store_bulk_options *opt, struct store_bulk **out,
               struct dp_error *err)
{
    enum dp_status s = DP_OK;
    if (out)
        *out = NULL;
    if (!st || !out || (opt && opt->batch < 0))
        return dp_error_set(err, DP_EINVAL, NULL, "store_bulk_new: bad argument");
    if (st->read_only)
        return dp_error_set(err, DP_EREADONLY, NULL, "store_bulk_new: read-only cache");
    struct store_bulk *b = calloc(1, sizeof *b);
    if (!b)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    b->st = st;
    b->batch = opt ? opt->batch : 0;
    b->defs[0] = &schema_household;
    b->defs[1] = &schema_member;
    b->defs[2] = &schema_visit;
    b->defs[3] = &schema_need;
    for (int i = 0; i < NTYPES && s == DP_OK; i++) {
        s = prepare_insert(st, b->defs[i], &b->stmts[i].insert, err);
        if (s == DP_OK)
            s = prepare_update(st, b->defs[i], &b->stmts[i].update, err);
    }
    if (s == DP_OK)
        s = store_prepare(st,
                          "INSERT OR IGNORE INTO base_rows(t, rid, v, row_json)"
                          " VALUES (?1, ?2, ?3, ?4)",
                          &b->base, err);
    if (s == DP_OK)
        s = store_prepare(st,
                          "UPDATE base_rows SET v = ?3, row_json = ?4 WHERE t = ?1 AND rid = ?2",
                          &b->base_upd, err);
    if (s == DP_OK)
        s = store_prepare(st, "DELETE FROM household_categories WHERE household_id = ?1",
                          &b->cat_del, err);
    if (s == DP_OK)
        s = store_prepare(st,
                          "INSERT OR IGNORE INTO household_categories(category, household_id)"
                          " VALUES (?1, ?2)",
                          &b->cat_ins, err);
    if (s == DP_OK)
        s = store_prepare(st,
                          "UPDATE OR IGNORE households SET _last_visit = COALESCE((SELECT "
                          "max(v.date) FROM visits v"
                          " WHERE v.household_id = ?1 AND v._deleted = 0), '') WHERE id = ?1",
                          &b->last_vis, err);
    if (s == DP_OK && opt && opt->cache_kib > 0) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", opt->cache_kib);
        s = store_exec(st, sql, "set cache size", err);
        b->cache_kib = opt->cache_kib;
    }
    if (s != DP_OK) {
        store_bulk_free(b);
        return s;
    }
    *out = b;
    return DP_OK;
}

long
store_bulk_count(const struct store_bulk *b)
{
    return b ? b->count : 0;
}

/* Note a household whose newest visit may have changed; flush when the list is full. */
static enum dp_status flush_pending(struct store_bulk *b, struct dp_error *err);

static enum dp_status
mark_household(struct store_bulk *b, const char *hid, struct dp_error *err)
{
    /* Records come grouped by household, so checking the last entry removes most repeats. */
    if (b->npending > 0 && strcmp(b->pending[b->npending - 1], hid) == 0)
        return DP_OK;
    if (b->npending == PENDING_MAX) {
        enum dp_status s = flush_pending(b, err);
        if (s != DP_OK)
            return s;
    }
    snprintf(b->pending[b->npending++], sizeof b->pending[0], "%s", hid);
    return DP_OK;
}

static enum dp_status
flush_pending(struct store_bulk *b, struct dp_error *err)
{
    enum dp_status s = DP_OK;
    for (int i = 0; i < b->npending && s == DP_OK; i++) {
        store_bind_text(b->last_vis, 1, b->pending[i]);
        s = store_step_done(b->st, b->last_vis, "update last visit", err);
    }
    b->npending = 0;
    return s;
}

/* The canonical set form: tokens separated by single commas. */
static enum dp_status
put_categories(struct store_bulk *b, const char *hid, const char *categories, bool fresh,
               struct dp_error *err)
{
    enum dp_status s = DP_OK;
    if (!fresh) {
        store_bind_text(b->cat_del, 1, hid);
        s = store_step_done(b->st, b->cat_del, "update categories", err);
    }
    store_bind_text(b->cat_ins, 2, hid);
    for (const char *p = categories; s == DP_OK && p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len > 0) {
            sqlite3_bind_text(b->cat_ins, 1, p, (int)len, SQLITE_TRANSIENT);
            s = store_step_done(b->st, b->cat_ins, "update categories", err);
        }
        p = comma ? comma + 1 : p + len;
    }
    return s;
}

static enum dp_status
put_base(struct store_bulk *b, const struct record *rec, struct dp_error *err)
{
    cJSON *obj = record_to_json(rec, false);
    char *json = NULL;
    enum dp_status s = DP_OK;
    if (obj)
        json = cJSON_PrintUnformatted(obj);
    if (!json) {
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    store_bind_text(b->base, 1, rec->def->name);
    store_bind_text(b->base, 2, rec->values[0]);
    sqlite3_bind_int64(b->base, 3, rec->v);
    sqlite3_bind_text(b->base, 4, json, -1, SQLITE_STATIC);
    s = store_step_done(b->st, b->base, "save base row", err);
    sqlite3_clear_bindings(b->base);
    if (s == DP_OK && sqlite3_changes(b->st->db) == 0) {
        store_bind_text(b->base_upd, 1, rec->def->name);
        store_bind_text(b->base_upd, 2, rec->values[0]);
        sqlite3_bind_int64(b->base_upd, 3, rec->v);
        sqlite3_bind_text(b->base_upd, 4, json, -1, SQLITE_STATIC);
        s = store_step_done(b->st, b->base_upd, "save base row", err);
        sqlite3_clear_bindings(b->base_upd);
    }
out:
    cJSON_free(json);
    cJSON_Delete(obj);
    return s;
}

/* Write the working row; *fresh: it was new; *written: new or replaced (not a dirty row). */
static enum dp_status
put_working(struct store_bulk *b, int t, const struct record *rec, bool *fresh, bool *written,
            struct dp_error *err)
{
    struct bulk_stmts *q = &b->stmts[t];
    size_t nf = rec->def->nfields;
    *fresh = *written = false;
    for (size_t i = 0; i < nf; i++)
        store_bind_text(q->insert, (int)i + 1, rec->values[i]);
    sqlite3_bind_int64(q->insert, (int)nf + 1, rec->v);
    sqlite3_bind_int(q->insert, (int)nf + 2, rec->deleted ? 1 : 0);
    enum dp_status s = store_step_done(b->st, q->insert, "save record", err);
    if (s != DP_OK)
        return s;
    if (sqlite3_changes(b->st->db) > 0) {
        *fresh = *written = true;
        return DP_OK;
    }
    for (size_t i = 0; i < nf; i++)
        store_bind_text(q->update, (int)i + 1, rec->values[i]);
    sqlite3_bind_int64(q->update, (int)nf + 1, rec->v);
    sqlite3_bind_int(q->update, (int)nf + 2, rec->deleted ? 1 : 0);
    s = store_step_done(b->st, q->update, "save record", err);
    if (s == DP_OK)
        *written = sqlite3_changes(b->st->db) > 0;
    return s;
}

/* Make the loader refuse further work after a failure, rolling back the open transaction. */
static enum dp_status
fail(struct store_bulk *b, enum dp_status s)
{
    if (b->open)
        store_rollback(b->st);
    b->open = false;
    b->failed = true;
    b->in_txn = 0;
    b->npending = 0;
    return s;
}

static enum dp_status
commit(struct store_bulk *b, struct dp_error *err)
{
    if (!b->open)
        return DP_OK;
    enum dp_status s = flush_pending(b, err);
    if (s == DP_OK)
        s = store_commit(b->st, err);
    if (s != DP_OK)
        return fail(b, s);
    b->open = false;
    b->in_txn = 0;
    return DP_OK;
}

enum dp_status
store_bulk_put(struct store_bulk *b, const struct record *rec, struct dp_error *err)
{
    if (!b || b->failed)
        return dp_error_set(err, DP_EINVAL, NULL, "store_bulk_put: the bulk load failed earlier");
    if (!rec || !rec->def || !rec->values)
        return dp_error_set(err, DP_EINVAL, NULL, "store_bulk_put: bad record");
    int t = type_index(b, rec->def);
    if (t < 0)
        return dp_error_set(err, DP_EINVAL, NULL, "store_bulk_put: unknown record type");
    const char *id = rec->values[0];
    const char *hid = rec->def->parent_field < 0 ? id : rec->values[rec->def->parent_field];
    if (!id[0])
        return dp_error_set(err, DP_EINVAL, "id", "store_bulk_put: a %s without id",
                            rec->def->name);
    if (!hid[0])
        return dp_error_set(err, DP_EINVAL, "household_id",
                            "store_bulk_put: %s %s has no household", rec->def->name, id);
    if (rec->v < 1)
        return dp_error_set(err, DP_EINVAL, "v", "store_bulk_put: %s %s has no server version",
                            rec->def->name, id);

    enum dp_status s = DP_OK;
    if (!b->open) {
        s = store_begin(b->st, err);
        if (s != DP_OK)
            return fail(b, s);
        b->open = true;
    }
    bool fresh = false, written = false;
    s = put_working(b, t, rec, &fresh, &written, err);
    if (s == DP_OK)
        s = put_base(b, rec, err);
    if (s == DP_OK && written && rec->def == b->defs[0]) {
        int c = schema_field_index(rec->def, "categories");
        s = put_categories(b, id, c >= 0 ? rec->values[c] : "", fresh, err);
        /* Visits may have come first, or the household row was replaced. */
        if (s == DP_OK)
            s = mark_household(b, id, err);
    } else if (s == DP_OK && written && rec->def == b->defs[2]) {
        s = mark_household(b, hid, err);
    }
    if (s != DP_OK)
        return fail(b, s);
    b->count++;
    b->in_txn++;
    if (b->batch > 0 && b->in_txn >= b->batch)
        return commit(b, err);
    return DP_OK;
}

enum dp_status
store_bulk_finish(struct store_bulk *b, struct dp_error *err)
{
    if (!b || b->failed)
        return dp_error_set(err, DP_EINVAL, NULL,
                            "store_bulk_finish: the bulk load failed earlier");
    return commit(b, err);
}

void
store_bulk_free(struct store_bulk *b)
{
    if (!b)
        return;
    if (b->open)
        store_rollback(b->st);
    for (int i = 0; i < NTYPES; i++) {
        sqlite3_finalize(b->stmts[i].insert);
        sqlite3_finalize(b->stmts[i].update);
    }
    sqlite3_finalize(b->base);
    sqlite3_finalize(b->base_upd);
    sqlite3_finalize(b->cat_del);
    sqlite3_finalize(b->cat_ins);
    sqlite3_finalize(b->last_vis);
    if (b->cache_kib > 0) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", STORE_CACHE_KIB);
        sqlite3_exec(b->st->db, sql, NULL, NULL, NULL);
    }
    free(b);
}
