#include "server/records.h"

#include <stdio.h>
#include <string.h>

#include "server/buf.h"
#include "server/db.h"

enum dp_status
srec_init(struct srec *s, const struct record_def *def)
{
    memset(s, 0, sizeof *s);
    if (def->nfields > SREC_MAX_FIELDS)
        return DP_EINVAL;
    return record_init(&s->rec, def);
}

void
srec_done(struct srec *s)
{
    record_done(&s->rec);
    memset(s, 0, sizeof *s);
}

const char *
srec_household_id(const struct srec *s)
{
    const struct record_def *def = s->rec.def;
    if (def->parent_field < 0)
        return record_get(&s->rec, "id");
    return s->rec.values[def->parent_field];
}

/* "SELECT id, _v, _deleted, _cseq, f, f__v, f__h, ... FROM t": column 4 + 3*k for field k. */
static void
select_sql(struct buf *b, const struct record_def *def)
{
    buf_adds(b, "SELECT id, _v, _deleted, _cseq");
    for (size_t i = 0; i < def->nfields; i++) {
        const char *f = def->fields[i].name;
        if (strcmp(f, "id") != 0)
            buf_addf(b, ", %s, %s__v, %s__h", f, f, f);
    }
    buf_addf(b, " FROM %s", db_record_table(def));
}

enum dp_status
srec_load(sqlite3 *db, const struct record_def *def, const char *id, struct srec *s,
          struct dp_error *err)
{
    enum dp_status st = srec_init(s, def);
    if (st != DP_OK)
        return dp_error_set(err, st, NULL, NULL);
    if ((st = record_set(&s->rec, "id", id)) != DP_OK)
        return dp_error_set(err, st, NULL, NULL);
    struct buf sql;
    buf_init(&sql, 8192);
    select_sql(&sql, def);
    buf_adds(&sql, " WHERE id = ?");
    sqlite3_stmt *q;
    st = db_cached(db, buf_cstr(&sql), &q, err);
    buf_done(&sql);
    if (st != DP_OK)
        return st;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
        st = dp_error_set(err, DP_ENOTFOUND, NULL, "no such %s", def->name);
        goto out;
    }
    if (rc != SQLITE_ROW) {
        st = db_fail(db, rc, def->name, err);
        goto out;
    }
    s->rec.v = sqlite3_column_int64(q, 1);
    s->rec.deleted = sqlite3_column_int(q, 2) != 0;
    s->cseq = sqlite3_column_int64(q, 3);
    int col = 4;
    for (size_t i = 0; i < def->nfields && st == DP_OK; i++) {
        if (strcmp(def->fields[i].name, "id") == 0)
            continue;
        st = record_set_index(&s->rec, (int)i, db_text(q, col));
        s->fv[i] = sqlite3_column_int64(q, col + 1);
        snprintf(s->fh[i], sizeof s->fh[i], "%s", db_text(q, col + 2));
        col += 3;
    }
    if (st != DP_OK)
        dp_error_set(err, st, NULL, NULL);
    else
        s->exists = true;
out:
    db_cached_done(q);
    return st;
}

static enum dp_status
next_change(sqlite3 *db, const char *t, const char *rid, const char *household_id, const char *kind,
            int64_t *seq, struct dp_error *err)
{
    enum dp_status st = db_next_seq(db, seq, err);
    if (st != DP_OK)
        return st;
    sqlite3_stmt *q;
    st = db_cached(db,
                   "INSERT OR REPLACE INTO change_log(seq, t, rid, household_id, kind)"
                   " VALUES(?, ?, ?, ?, ?)",
                   &q, err);
    if (st != DP_OK)
        return st;
    sqlite3_bind_int64(q, 1, *seq);
    sqlite3_bind_text(q, 2, t, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, rid, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, household_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, kind ? kind : "write", -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    db_cached_done(q);
    return rc == SQLITE_DONE ? DP_OK : db_fail(db, rc, "change_log", err);
}

enum dp_status
changes_touch(sqlite3 *db, const char *t, const char *rid, const char *household_id,
              const char *kind, int64_t *seq, struct dp_error *err)
{
    int64_t s;
    return next_change(db, t, rid, household_id, kind, seq ? seq : &s, err);
}

enum dp_status
srec_write(sqlite3 *db, struct srec *s, const struct change_ctx *ctx, int64_t *seq_out,
           struct dp_error *err)
{
    const struct record_def *def = s->rec.def;
    const char *id = record_get(&s->rec, "id");
    int64_t seq;
    enum dp_status st = next_change(db, def->name, id, srec_household_id(s), ctx->kind, &seq, err);
    if (st != DP_OK)
        return st;
    if (!s->exists)
        s->cseq = seq;

    char now[32];
    db_now_text(now, sizeof now);
    struct buf sql;
    buf_init(&sql, 16384);
    buf_addf(&sql, "INSERT INTO %s(id, _v, _deleted, _cseq, _created_at, _updated_at, _updated_by",
             db_record_table(def));
    for (size_t i = 0; i < def->nfields; i++) {
        const char *f = def->fields[i].name;
        if (strcmp(f, "id") != 0)
            buf_addf(&sql, ", %s, %s__v, %s__h", f, f, f);
    }
    buf_adds(&sql, ") VALUES(?1, ?2, ?3, ?4, ?5, ?5, ?6");
    int n = 7;
    for (size_t i = 0; i < def->nfields; i++) {
        if (strcmp(def->fields[i].name, "id") == 0)
            continue;
        buf_addf(&sql, ", ?%d, ?%d, ?%d", n, n + 1, n + 2);
        n += 3;
    }
    /* An upsert keeps _created_at of an existing row. */
    buf_adds(&sql, ") ON CONFLICT(id) DO UPDATE SET _v = excluded._v, _deleted = excluded._deleted,"
                   " _updated_at = excluded._updated_at, _updated_by = excluded._updated_by");
    for (size_t i = 0; i < def->nfields; i++) {
        const char *f = def->fields[i].name;
        if (strcmp(f, "id") != 0)
            buf_addf(&sql, ", %s = excluded.%s, %s__v = excluded.%s__v, %s__h = excluded.%s__h", f,
                     f, f, f, f, f);
    }
    sqlite3_stmt *q;
    st = db_cached(db, buf_cstr(&sql), &q, err);
    buf_done(&sql);
    if (st != DP_OK)
        return st;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, s->rec.v);
    sqlite3_bind_int(q, 3, s->rec.deleted ? 1 : 0);
    sqlite3_bind_int64(q, 4, s->cseq);
    sqlite3_bind_text(q, 5, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 6, ctx->user ? ctx->user : "", -1, SQLITE_STATIC);
    n = 7;
    for (size_t i = 0; i < def->nfields; i++) {
        if (strcmp(def->fields[i].name, "id") == 0)
            continue;
        sqlite3_bind_text(q, n, s->rec.values[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, n + 1, s->fv[i]);
        sqlite3_bind_text(q, n + 2, s->fh[i], -1, SQLITE_STATIC);
        n += 3;
    }
    int rc = sqlite3_step(q);
    db_cached_done(q);
    if (rc != SQLITE_DONE)
        return db_fail(db, rc, def->name, err);
    s->exists = true;

    st = db_cached(db,
                   "INSERT OR REPLACE INTO versions(t, rid, v, seq, at, user_name, device_id)"
                   " VALUES(?, ?, ?, ?, ?, ?, ?)",
                   &q, err);
    if (st != DP_OK)
        return st;
    sqlite3_bind_text(q, 1, def->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, s->rec.v);
    sqlite3_bind_int64(q, 4, seq);
    sqlite3_bind_text(q, 5, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 6, ctx->user ? ctx->user : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, ctx->device ? ctx->device : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    db_cached_done(q);
    if (rc != SQLITE_DONE)
        return db_fail(db, rc, "versions", err);
    if (seq_out)
        *seq_out = seq;
    return DP_OK;
}

enum dp_status
records_insert(sqlite3 *db, const struct record *r, const char *hlc, const struct change_ctx *ctx,
               int64_t *seq, struct dp_error *err)
{
    struct srec s;
    enum dp_status st = srec_init(&s, r->def);
    if (st == DP_OK) {
        record_done(&s.rec);
        st = record_copy(&s.rec, r);
    }
    if (st != DP_OK) {
        srec_done(&s);
        return dp_error_set(err, st, NULL, NULL);
    }
    s.rec.v = 1;
    s.rec.deleted = false;
    for (size_t i = 0; i < r->def->nfields; i++) {
        s.fv[i] = 1;
        snprintf(s.fh[i], sizeof s.fh[i], "%s", hlc ? hlc : "");
    }
    st = srec_write(db, &s, ctx, seq, err);
    srec_done(&s);
    return st;
}

enum dp_status
records_version_seq(sqlite3 *db, const char *t, const char *rid, int64_t v, int64_t *seq,
                    struct dp_error *err)
{
    *seq = 0;
    sqlite3_stmt *q;
    enum dp_status st =
        db_prepare(db, "SELECT seq FROM versions WHERE t = ? AND rid = ? AND v = ?", &q, err);
    if (st != DP_OK)
        return st;
    sqlite3_bind_text(q, 1, t, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, rid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, v);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *seq = sqlite3_column_int64(q, 0);
    else if (rc != SQLITE_DONE)
        st = db_fail(db, rc, "versions", err);
    sqlite3_finalize(q);
    return st;
}

enum dp_status
records_children(sqlite3 *db, const char *household_id,
                 enum dp_status (*fn)(const struct child_ref *, void *), void *arg,
                 struct dp_error *err)
{
    enum dp_status st = DP_OK;
    for (size_t r = 0; schema_records[r] && st == DP_OK; r++) {
        const struct record_def *def = schema_records[r];
        if (def->parent_field < 0)
            continue;
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT id, _cseq, _v, _deleted FROM %s WHERE household_id = ? ORDER BY _cseq",
                 db_record_table(def));
        sqlite3_stmt *q;
        if ((st = db_prepare(db, sql, &q, err)) != DP_OK)
            break;
        sqlite3_bind_text(q, 1, household_id, -1, SQLITE_STATIC);
        int rc;
        while (st == DP_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            struct child_ref c = {
                .def = def,
                .id = db_text(q, 0),
                .cseq = sqlite3_column_int64(q, 1),
                .v = sqlite3_column_int64(q, 2),
                .deleted = sqlite3_column_int(q, 3) != 0,
            };
            st = fn(&c, arg);
        }
        if (st == DP_OK && rc != SQLITE_DONE)
            st = db_fail(db, rc, def->name, err);
        sqlite3_finalize(q);
    }
    return st;
}
