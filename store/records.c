/*
 * Records: read one, list a household's children, save a user edit, delete.
 * A save or delete is one transaction holding the working row and its outbox
 * entry, so an edit is either fully recorded for sync or not at all.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/i18n.h"
#include "store/internal.h"

/* "SELECT id, f1, ..., _v, _deleted FROM table" for a record type. */
static bool
select_sql(const struct record_def *def, struct sqlbuf *sql)
{
    const char *table = store_table(def);
    if (!table)
        return false;
    sqlbuf_init(sql);
    sqlbuf_add(sql, "SELECT ");
    for (size_t i = 0; i < def->nfields; i++) {
        sqlbuf_add(sql, i ? ", " : "");
        sqlbuf_add(sql, def->fields[i].name);
    }
    sqlbuf_add(sql, ", _v, _deleted FROM ");
    sqlbuf_add(sql, table);
    return !sql->overflow;
}

/* Fill an initialised record from a row of select_sql. */
static enum dp_status
row_to_record(sqlite3_stmt *stmt, struct record *r, struct dp_error *err)
{
    int n = (int)r->def->nfields;
    for (int i = 0; i < n; i++)
        if (record_set_index(r, i, store_column_text(stmt, i)) != DP_OK)
            return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    r->v = sqlite3_column_int64(stmt, n);
    r->deleted = sqlite3_column_int(stmt, n + 1) != 0;
    return DP_OK;
}

/* Read the working row into *out (initialised here). *found false: out stays empty. */
static enum dp_status
read_row(struct store *st, const struct record_def *def, const char *id, struct record *out,
         bool *found, struct dp_error *err)
{
    struct sqlbuf sql;
    sqlite3_stmt *stmt = NULL;
    *found = false;
    if (record_init(out, def) != DP_OK)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    if (!select_sql(def, &sql))
        return dp_error_set(err, DP_EINVAL, NULL, "unknown record type");
    sqlbuf_add(&sql, " WHERE id = ?1");
    enum dp_status s = store_prepare(st, sql.buf, &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, id);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        s = row_to_record(stmt, out, err);
        *found = s == DP_OK;
    } else if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "read record", err);
    }
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
store_record_get(struct store *st, const struct record_def *def, const char *id, struct record *out,
                 struct dp_error *err)
{
    bool found = false;
    if (!st || !def || !id || !out)
        return dp_error_set(err, DP_EINVAL, NULL, "store_record_get: missing argument");
    enum dp_status s = read_row(st, def, id, out, &found, err);
    if (s == DP_OK && !found)
        s = dp_error_set(err, DP_ENOTFOUND, "id", _("no %s with id %s"), _(def->label), id);
    if (s != DP_OK)
        record_done(out);
    return s;
}

/* Display order of a household's children: head first, visits newest first, open needs first. */
static const char *
child_order(const struct record_def *def)
{
    if (def == &schema_member)
        return " ORDER BY relation <> 'head', birth_date = '', birth_date, name, id";
    if (def == &schema_visit)
        return " ORDER BY date DESC, id DESC";
    if (def == &schema_need)
        return " ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'referred' THEN 1"
               " WHEN 'met' THEN 2 ELSE 3 END,"
               " CASE urgency WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2"
               " ELSE 3 END, follow_up = '', follow_up, id";
    return " ORDER BY id";
}

void
store_record_list_free(struct record *recs, size_t n)
{
    if (!recs)
        return;
    for (size_t i = 0; i < n; i++)
        record_done(&recs[i]);
    free(recs);
}

enum dp_status
store_record_list(struct store *st, const struct record_def *def, const char *household_id,
                  struct record **out, size_t *n, struct dp_error *err)
{
    struct sqlbuf sql;
    sqlite3_stmt *stmt = NULL;
    struct record *recs = NULL;
    size_t count = 0, cap = 0;
    enum dp_status s = DP_OK;

    if (out)
        *out = NULL;
    if (n)
        *n = 0;
    if (!st || !def || !household_id || !out || !n)
        return dp_error_set(err, DP_EINVAL, NULL, "store_record_list: missing argument");
    if (def->parent_field < 0 || !select_sql(def, &sql))
        return dp_error_set(err, DP_EINVAL, NULL, "store_record_list: not a household's record");
    sqlbuf_add(&sql, " WHERE household_id = ?1 AND _deleted = 0");
    sqlbuf_add(&sql, child_order(def));
    s = store_prepare(st, sql.buf, &stmt, err);
    if (s != DP_OK)
        goto out;
    store_bind_text(stmt, 1, household_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            struct record *bigger = realloc(recs, ncap * sizeof *recs);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                goto out;
            }
            recs = bigger;
            cap = ncap;
        }
        if (record_init(&recs[count], def) != DP_OK) {
            s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
            goto out;
        }
        count++;
        s = row_to_record(stmt, &recs[count - 1], err);
        if (s != DP_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "list records", err);
out:
    sqlite3_finalize(stmt);
    if (s != DP_OK) {
        store_record_list_free(recs, count);
        return s;
    }
    *out = recs;
    *n = count;
    return DP_OK;
}

/* base_v of an edit: the version of the last server-confirmed row, else the working _v. */
static enum dp_status
base_version(struct store *st, const struct record *cur, int64_t *v, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *v = cur->v;
    enum dp_status s =
        store_prepare(st, "SELECT v FROM base_rows WHERE t = ?1 AND rid = ?2", &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, cur->def->name);
    store_bind_text(stmt, 2, cur->values[0]);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(stmt, 0);
    else if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "read base version", err);
    sqlite3_finalize(stmt);
    return s;
}

/* The household a record belongs to (its own id for a household). */
static const char *
household_of(const struct record *r)
{
    return r->def->parent_field < 0 ? r->values[0] : r->values[r->def->parent_field];
}

/* JSON of r keeping only the fields flagged in keep[] (the id never: it travels as rid). */
static cJSON *
json_of_fields(const struct record *r, const bool *keep, bool all)
{
    cJSON *obj = record_to_json(r, all);
    if (!obj)
        return NULL;
    for (size_t i = 0; i < r->def->nfields; i++)
        if (i == 0 || !keep[i])
            cJSON_DeleteItemFromObjectCaseSensitive(obj, r->def->fields[i].name);
    return obj;
}

/*
 * Keep the list's derived data in step with a written record, in the same
 * transaction. `changed` NULL means a new record (everything changed).
 */
static enum dp_status
derive(struct store *st, const struct record *rec, const bool *changed, struct dp_error *err)
{
    const char *t = rec->def->name;
    if (strcmp(t, "household") == 0) {
        int c = schema_field_index(rec->def, "categories");
        if (c >= 0 && (!changed || changed[c]))
            return store_refresh_categories(st, rec->values[0], rec->values[c], err);
    } else if (strcmp(t, "visit") == 0) {
        int d = schema_field_index(rec->def, "date");
        if (d >= 0 && (!changed || changed[d]))
            return store_refresh_last_visit(st, household_of(rec), err);
    }
    return DP_OK;
}

static enum dp_status
insert_row(struct store *st, const struct record *rec, struct dp_error *err)
{
    struct sqlbuf sql;
    sqlite3_stmt *stmt = NULL;
    char num[32];
    sqlbuf_init(&sql);
    sqlbuf_add(&sql, "INSERT INTO ");
    sqlbuf_add(&sql, store_table(rec->def));
    sqlbuf_add(&sql, " (");
    for (size_t i = 0; i < rec->def->nfields; i++) {
        sqlbuf_add(&sql, i ? ", " : "");
        sqlbuf_add(&sql, rec->def->fields[i].name);
    }
    sqlbuf_add(&sql, ", _v, _dirty, _deleted) VALUES (");
    for (size_t i = 0; i < rec->def->nfields; i++) {
        snprintf(num, sizeof num, "%s?%zu", i ? ", " : "", i + 1);
        sqlbuf_add(&sql, num);
    }
    sqlbuf_add(&sql, ", 0, 1, 0)");
    if (sql.overflow)
        return dp_error_set(err, DP_EINVAL, NULL, "record too wide");
    enum dp_status s = store_prepare(st, sql.buf, &stmt, err);
    if (s != DP_OK)
        return s;
    for (size_t i = 0; i < rec->def->nfields; i++)
        store_bind_text(stmt, (int)i + 1, rec->values[i]);
    s = store_step_done(st, stmt, "save record", err);
    sqlite3_finalize(stmt);
    return s;
}

static enum dp_status
update_row(struct store *st, const struct record *rec, const bool *changed, struct dp_error *err)
{
    struct sqlbuf sql;
    sqlite3_stmt *stmt = NULL;
    char num[32];
    size_t nf = rec->def->nfields;
    sqlbuf_init(&sql);
    sqlbuf_add(&sql, "UPDATE ");
    sqlbuf_add(&sql, store_table(rec->def));
    sqlbuf_add(&sql, " SET _dirty = 1");
    for (size_t i = 0; i < nf; i++) {
        if (!changed[i])
            continue;
        sqlbuf_add(&sql, ", ");
        sqlbuf_add(&sql, rec->def->fields[i].name);
        snprintf(num, sizeof num, " = ?%zu", i + 1);
        sqlbuf_add(&sql, num);
    }
    snprintf(num, sizeof num, " WHERE id = ?%zu", nf + 1);
    sqlbuf_add(&sql, num);
    if (sql.overflow)
        return dp_error_set(err, DP_EINVAL, NULL, "record too wide");
    enum dp_status s = store_prepare(st, sql.buf, &stmt, err);
    if (s != DP_OK)
        return s;
    for (size_t i = 0; i < nf; i++)
        if (changed[i])
            store_bind_text(stmt, (int)i + 1, rec->values[i]);
    store_bind_text(stmt, (int)nf + 1, rec->values[0]);
    s = store_step_done(st, stmt, "save record", err);
    sqlite3_finalize(stmt);
    return s;
}

/* A child needs its household, present and not deleted. */
static enum dp_status
check_parent(struct store *st, const struct record *rec, struct dp_error *err)
{
    struct record parent;
    bool found = false;
    const char *hid = household_of(rec);
    enum dp_status s = read_row(st, &schema_household, hid, &parent, &found, err);
    if (s == DP_OK && (!found || parent.deleted))
        s = dp_error_set(err, DP_ENOTFOUND, "household_id",
                         _("the household %s is not in the cache"), hid);
    record_done(&parent);
    return s;
}

/* Fields the server keeps may not come from a user's edit (docs/PROTOCOL.md 7.1, 7.2). */
static enum dp_status
check_server_field(const struct record *rec, size_t i, struct dp_error *err)
{
    const struct field_def *f = &rec->def->fields[i];
    if (f->flags & FF_SERVER)
        return dp_error_set(err, DP_EPERM, f->name, _("is set by the server"));
    return DP_OK;
}

/*
 * Visits change review state only through store_visit_review, and not at all
 * once submitted or approved: the server would reject such an edit
 * (review_flow), so it is refused before it reaches the outbox.
 */
static enum dp_status
check_review_flow(const struct record *cur, const bool *changed, struct dp_error *err)
{
    static const char *const review_fields[] = {"review_state", "reviewer", "review_comment"};
    for (size_t k = 0; k < sizeof review_fields / sizeof review_fields[0]; k++) {
        int i = schema_field_index(cur->def, review_fields[k]);
        if (i >= 0 && changed[i])
            return dp_error_set(err, DP_EPERM, review_fields[k],
                                _("changes only by submitting or reviewing the visit"));
    }
    const char *state = record_get(cur, "review_state");
    if (state && (strcmp(state, "submitted") == 0 || strcmp(state, "approved") == 0))
        return dp_error_set(err, DP_EPERM, "review_state",
                            _("a submitted or approved visit cannot be edited"));
    return DP_OK;
}

static enum dp_status
save_create(struct store *st, const struct record *rec, struct dp_error *err)
{
    size_t nf = rec->def->nfields;
    bool *keep = calloc(nf, sizeof *keep);
    cJSON *set = NULL;
    enum dp_status s = DP_OK;
    if (!keep)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < nf && s == DP_OK; i++) {
        keep[i] = rec->values[i][0] != '\0';
        if (keep[i])
            s = check_server_field(rec, i, err);
    }
    if (s == DP_OK && rec->def->parent_field >= 0)
        s = check_parent(st, rec, err);
    if (s == DP_OK)
        s = insert_row(st, rec, err);
    if (s == DP_OK)
        s = derive(st, rec, NULL, err);
    if (s == DP_OK && !(set = json_of_fields(rec, keep, false)))
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
    if (s == DP_OK) {
        struct outbox_entry e = {.t = rec->def->name,
                                 .rid = rec->values[0],
                                 .hid = household_of(rec),
                                 .op = "create",
                                 .base_v = -1,
                                 .set = set};
        s = store_outbox_append(st, &e, NULL, err);
    }
    cJSON_Delete(set);
    free(keep);
    return s;
}

/* *nchanged = 0 means nothing to write. */
static enum dp_status
save_update(struct store *st, const struct record *rec, const struct record *cur, int *nchanged,
            struct dp_error *err)
{
    size_t nf = rec->def->nfields;
    bool *changed = calloc(nf, sizeof *changed);
    cJSON *base = NULL, *set = NULL;
    enum dp_status s = DP_OK;
    int64_t base_v = 0;
    *nchanged = 0;
    if (!changed)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < nf && s == DP_OK; i++) {
        changed[i] = strcmp(rec->values[i], cur->values[i]) != 0;
        if (!changed[i])
            continue;
        (*nchanged)++;
        const struct field_def *f = &rec->def->fields[i];
        if (f->flags & FF_IMMUTABLE)
            s = dp_error_set(err, DP_EINVAL, f->name, _("cannot be changed once saved"));
        else
            s = check_server_field(rec, i, err);
    }
    if (s == DP_OK && *nchanged > 0 && rec->def == &schema_visit)
        s = check_review_flow(cur, changed, err);
    if (s != DP_OK || *nchanged == 0)
        goto out;
    s = update_row(st, rec, changed, err);
    if (s == DP_OK)
        s = derive(st, rec, changed, err);
    if (s == DP_OK)
        s = base_version(st, cur, &base_v, err);
    if (s == DP_OK && (!(base = json_of_fields(cur, changed, true)) ||
                       !(set = json_of_fields(rec, changed, true))))
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
    if (s == DP_OK) {
        struct outbox_entry e = {.t = rec->def->name,
                                 .rid = rec->values[0],
                                 .hid = household_of(rec),
                                 .op = "update",
                                 .base_v = base_v,
                                 .base = base,
                                 .set = set};
        s = store_outbox_append(st, &e, NULL, err);
    }
out:
    cJSON_Delete(base);
    cJSON_Delete(set);
    free(changed);
    return s;
}

enum dp_status
store_record_save(struct store *st, const struct record *rec, struct dp_error *err)
{
    struct record cur = {0};
    bool found = false;
    int nchanged = 1;
    if (!st || !rec || !rec->def || !rec->values || !store_table(rec->def))
        return dp_error_set(err, DP_EINVAL, NULL, "store_record_save: bad record");

    /* Validation first: an invalid record never reaches the cache. */
    struct dp_date today = date_today();
    enum dp_status s = record_validate(rec, &today, err);
    if (s != DP_OK)
        return s;

    s = store_begin(st, err);
    if (s != DP_OK)
        return s;
    s = read_row(st, rec->def, rec->values[0], &cur, &found, err);
    if (s == DP_OK && found && cur.deleted)
        s = dp_error_set(err, DP_ENOTFOUND, "id", _("the %s %s was deleted"), _(rec->def->label),
                         rec->values[0]);
    if (s == DP_OK)
        s = found ? save_update(st, rec, &cur, &nchanged, err) : save_create(st, rec, err);
    if (s == DP_OK && nchanged > 0)
        s = store_commit(st, err);
    else
        store_rollback(st);
    record_done(&cur);
    return s;
}

enum dp_status
store_record_delete(struct store *st, const struct record_def *def, const char *id,
                    struct dp_error *err)
{
    struct record cur = {0};
    bool found = false;
    int64_t base_v = 0;
    sqlite3_stmt *stmt = NULL;
    if (!st || !def || !id || !store_table(def))
        return dp_error_set(err, DP_EINVAL, NULL, "store_record_delete: bad argument");

    enum dp_status s = store_begin(st, err);
    if (s != DP_OK)
        return s;
    s = read_row(st, def, id, &cur, &found, err);
    if (s == DP_OK && (!found || cur.deleted))
        s = dp_error_set(err, DP_ENOTFOUND, "id", _("no %s with id %s"), _(def->label), id);
    if (s == DP_OK) {
        struct sqlbuf sql;
        sqlbuf_init(&sql);
        sqlbuf_add(&sql, "UPDATE ");
        sqlbuf_add(&sql, store_table(def));
        sqlbuf_add(&sql, " SET _deleted = 1, _dirty = 1 WHERE id = ?1");
        s = store_prepare(st, sql.buf, &stmt, err);
    }
    if (s == DP_OK) {
        store_bind_text(stmt, 1, id);
        s = store_step_done(st, stmt, "delete record", err);
    }
    /* As on the server, a household's tombstone covers its members, visits and needs. */
    if (s == DP_OK && def->parent_field < 0)
        for (size_t i = 0; schema_records[i] && s == DP_OK; i++) {
            if (schema_records[i]->parent_field < 0)
                continue;
            struct sqlbuf sql;
            sqlite3_finalize(stmt);
            stmt = NULL;
            sqlbuf_init(&sql);
            sqlbuf_add(&sql, "UPDATE ");
            sqlbuf_add(&sql, store_table(schema_records[i]));
            sqlbuf_add(&sql, " SET _deleted = 1 WHERE household_id = ?1 AND _deleted = 0");
            s = store_prepare(st, sql.buf, &stmt, err);
            if (s == DP_OK) {
                store_bind_text(stmt, 1, id);
                s = store_step_done(st, stmt, "delete record", err);
            }
        }
    if (s == DP_OK && strcmp(def->name, "visit") == 0)
        s = store_refresh_last_visit(st, household_of(&cur), err);
    if (s == DP_OK)
        s = base_version(st, &cur, &base_v, err);
    if (s == DP_OK) {
        struct outbox_entry e = {
            .t = def->name, .rid = id, .hid = household_of(&cur), .op = "delete", .base_v = base_v};
        s = store_outbox_append(st, &e, NULL, err);
    }
    if (s == DP_OK)
        s = store_commit(st, err);
    else
        store_rollback(st);
    sqlite3_finalize(stmt);
    record_done(&cur);
    return s;
}
