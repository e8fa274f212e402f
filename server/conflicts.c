#include "server/conflicts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"
#include "server/db.h"
#include "server/records.h"

#define CONFLICT_COLUMNS                                                                           \
    "id, t, rid, household_id, kind, state, fields, user_name, device_id, mid, v, opened_at,"      \
    " resolved_by, resolved_at"

void
conflict_done(struct conflict *c)
{
    free(c->fields);
    memset(c, 0, sizeof *c);
}

enum dp_status
conflicts_open(sqlite3 *db, struct conflict *c, const cJSON *fields, struct dp_error *err)
{
    record_new_id(c->id, sizeof c->id);
    db_now_text(c->opened_at, sizeof c->opened_at);
    char *text = cJSON_PrintUnformatted(fields);
    if (!text)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    sqlite3_stmt *q;
    enum dp_status st = db_prepare(db,
                                   "INSERT INTO conflicts(id, t, rid, household_id, kind, fields,"
                                   " state, user_name, device_id, mid, v, opened_at)"
                                   " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   &q, err);
    if (st == DP_OK) {
        sqlite3_bind_text(q, 1, c->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, c->t, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, c->rid, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, c->household_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, c->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, text, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 7, c->state[0] ? c->state : "open", -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 8, c->user, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 9, c->device, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 10, c->mid);
        sqlite3_bind_int64(q, 11, c->v);
        sqlite3_bind_text(q, 12, c->opened_at, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE)
            st = db_fail(db, rc, "conflicts", err);
    }
    free(text);
    if (st == DP_OK)
        st = changes_touch(db, "conflict", c->id, c->household_id, "write", NULL, err);
    return st;
}

static void
read_conflict(sqlite3_stmt *q, struct conflict *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", db_text(q, 0));
    snprintf(c->t, sizeof c->t, "%s", db_text(q, 1));
    snprintf(c->rid, sizeof c->rid, "%s", db_text(q, 2));
    snprintf(c->household_id, sizeof c->household_id, "%s", db_text(q, 3));
    snprintf(c->kind, sizeof c->kind, "%s", db_text(q, 4));
    snprintf(c->state, sizeof c->state, "%s", db_text(q, 5));
    c->fields = strdup(db_text(q, 6));
    snprintf(c->user, sizeof c->user, "%s", db_text(q, 7));
    snprintf(c->device, sizeof c->device, "%s", db_text(q, 8));
    c->mid = sqlite3_column_int64(q, 9);
    c->v = sqlite3_column_int64(q, 10);
    snprintf(c->opened_at, sizeof c->opened_at, "%s", db_text(q, 11));
    snprintf(c->resolved_by, sizeof c->resolved_by, "%s", db_text(q, 12));
    snprintf(c->resolved_at, sizeof c->resolved_at, "%s", db_text(q, 13));
}

enum dp_status
conflicts_load(sqlite3 *db, const char *id, struct conflict *c, struct dp_error *err)
{
    memset(c, 0, sizeof *c);
    sqlite3_stmt *q;
    enum dp_status st =
        db_prepare(db, "SELECT " CONFLICT_COLUMNS " FROM conflicts WHERE id = ?", &q, err);
    if (st != DP_OK)
        return st;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        read_conflict(q, c);
        if (!c->fields)
            st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
    } else if (rc == SQLITE_DONE) {
        st = dp_error_set(err, DP_ENOTFOUND, "conflict_id", "no such conflict");
    } else {
        st = db_fail(db, rc, "conflicts", err);
    }
    sqlite3_finalize(q);
    return st;
}

enum dp_status
conflicts_resolve(sqlite3 *db, const char *id, const char *by, const cJSON *resolution,
                  struct dp_error *err)
{
    struct conflict c;
    enum dp_status st = conflicts_load(db, id, &c, err);
    if (st != DP_OK)
        return st;
    char now[32];
    db_now_text(now, sizeof now);
    char *res = resolution ? cJSON_PrintUnformatted(resolution) : NULL;
    sqlite3_stmt *q;
    st = db_prepare(db,
                    "UPDATE conflicts SET state = 'resolved', resolved_by = ?, resolved_at = ?,"
                    " resolution = ? WHERE id = ?",
                    &q, err);
    if (st == DP_OK) {
        sqlite3_bind_text(q, 1, by, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, res ? res : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, id, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE)
            st = db_fail(db, rc, "conflicts", err);
    }
    free(res);
    if (st == DP_OK)
        st = changes_touch(db, "conflict", id, c.household_id, "write", NULL, err);
    conflict_done(&c);
    return st;
}

/* Ids of the conflicts a query selects, so they can be changed after the query ends. */
struct id_list {
    char (*ids)[37];
    size_t n, alloc;
};

static enum dp_status
collect_ids(sqlite3 *db, sqlite3_stmt *q, struct id_list *l, struct dp_error *err)
{
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (l->n == l->alloc) {
            size_t na = l->alloc ? l->alloc * 2 : 16;
            char(*p)[37] = realloc(l->ids, na * sizeof *p);
            if (!p)
                return dp_error_set(err, DP_ENOMEM, NULL, NULL);
            l->ids = p;
            l->alloc = na;
        }
        snprintf(l->ids[l->n++], 37, "%s", db_text(q, 0));
    }
    return rc == SQLITE_DONE ? DP_OK : db_fail(db, rc, "conflicts", err);
}

enum dp_status
conflicts_resolve_record(sqlite3 *db, const char *t, const char *rid, const char *kind,
                         const char *by, const cJSON *resolution, int *n, struct dp_error *err)
{
    if (n)
        *n = 0;
    sqlite3_stmt *q;
    enum dp_status st = db_prepare(
        db, "SELECT id FROM conflicts WHERE t = ? AND rid = ? AND kind = ? AND state = 'open'", &q,
        err);
    if (st != DP_OK)
        return st;
    sqlite3_bind_text(q, 1, t, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, rid, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, kind, -1, SQLITE_STATIC);
    struct id_list l = {0};
    st = collect_ids(db, q, &l, err);
    sqlite3_finalize(q);
    for (size_t i = 0; i < l.n && st == DP_OK; i++)
        st = conflicts_resolve(db, l.ids[i], by, resolution, err);
    if (n && st == DP_OK)
        *n = (int)l.n;
    free(l.ids);
    return st;
}

enum dp_status
conflicts_touch_household(sqlite3 *db, const char *household_id, const char *kind,
                          struct dp_error *err)
{
    sqlite3_stmt *q;
    enum dp_status st = db_prepare(
        db, "SELECT id FROM conflicts WHERE household_id = ? ORDER BY opened_at", &q, err);
    if (st != DP_OK)
        return st;
    sqlite3_bind_text(q, 1, household_id, -1, SQLITE_STATIC);
    struct id_list l = {0};
    st = collect_ids(db, q, &l, err);
    sqlite3_finalize(q);
    for (size_t i = 0; i < l.n && st == DP_OK; i++)
        st = changes_touch(db, "conflict", l.ids[i], household_id, kind, NULL, err);
    free(l.ids);
    return st;
}

cJSON *
conflict_to_change(const struct conflict *c, int64_t seq)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON *fields = cJSON_Parse(c->fields ? c->fields : "{}");
    bool ok = cJSON_AddNumberToObject(o, "seq", (double)seq) &&
              cJSON_AddStringToObject(o, "op", "conflict") &&
              cJSON_AddStringToObject(o, "conflict_id", c->id) &&
              cJSON_AddStringToObject(o, "t", c->t) && cJSON_AddStringToObject(o, "rid", c->rid) &&
              cJSON_AddStringToObject(o, "kind", c->kind) &&
              cJSON_AddStringToObject(o, "state", c->state) &&
              cJSON_AddStringToObject(o, "opened_by", c->user) &&
              cJSON_AddStringToObject(o, "opened_at", c->opened_at) && fields;
    if (ok) {
        cJSON_AddItemToObject(o, "fields", fields);
        fields = NULL;
        if (c->resolved_by[0])
            ok = cJSON_AddStringToObject(o, "resolved_by", c->resolved_by) &&
                 cJSON_AddStringToObject(o, "resolved_at", c->resolved_at);
    }
    cJSON_Delete(fields);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
