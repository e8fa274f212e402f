/*
 * Conflicts and problems for the screens (store/conflicts.h): the JSON the
 * sync side keeps, read into canonical values, and the answers written back.
 */
#include "store/conflicts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

static void
copy_col(char *buf, size_t size, sqlite3_stmt *stmt, int col)
{
    snprintf(buf, size, "%s", store_column_text(stmt, col));
}

static void
json_str(const cJSON *obj, const char *name, char *buf, size_t bufsize)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    snprintf(buf, bufsize, "%s", cJSON_IsString(it) && it->valuestring ? it->valuestring : "");
}

/* ---- conflicts ---------------------------------------------------------------- */

/*
 * The canonical form of one JSON value of field i, read as the wire reads
 * it (money in fen, booleans, sets as arrays, null unset). "" when absent
 * or unreadable. NULL only when out of memory.
 */
static char *
canonical(const struct record_def *def, int i, const cJSON *value)
{
    struct record r = {0};
    char *out = NULL;
    if (record_init(&r, def) != DP_OK)
        return NULL;
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        goto out;
    if (value) {
        cJSON *copy = cJSON_Duplicate(value, true);
        if (!copy || !cJSON_AddItemToObject(obj, def->fields[i].name, copy)) {
            cJSON_Delete(copy);
            goto out;
        }
        if (record_from_json(&r, obj, NULL) != DP_OK)
            record_set_index(&r, i, "");
    }
    out = strdup(r.values[i]);
out:
    cJSON_Delete(obj);
    record_done(&r);
    return out;
}

static void
fields_free(struct conflict_item *c)
{
    for (size_t i = 0; i < c->nfields; i++) {
        free(c->fields[i].base);
        free(c->fields[i].server);
        free(c->fields[i].yours);
    }
    free(c->fields);
    c->fields = NULL;
    c->nfields = 0;
}

void
store_conflict_items_free(struct conflict_item *items, size_t n)
{
    if (!items)
        return;
    for (size_t i = 0; i < n; i++)
        fields_free(&items[i]);
    free(items);
}

/* c->fields from the stored conflict's "fields" object, in schema order. */
static enum dp_status
read_fields(struct conflict_item *c, const cJSON *fields, struct dp_error *err)
{
    const struct record_def *def = c->def;
    c->fields = calloc(def->nfields ? def->nfields : 1, sizeof *c->fields);
    if (!c->fields)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < def->nfields; i++) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(fields, def->fields[i].name);
        if (!cJSON_IsObject(f))
            continue;
        struct conflict_field *cf = &c->fields[c->nfields++];
        cf->index = (int)i;
        cf->base = canonical(def, (int)i, cJSON_GetObjectItemCaseSensitive(f, "base"));
        cf->server = canonical(def, (int)i, cJSON_GetObjectItemCaseSensitive(f, "server"));
        cf->yours = canonical(def, (int)i, cJSON_GetObjectItemCaseSensitive(f, "yours"));
        if (!cf->base || !cf->server || !cf->yours)
            return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    return DP_OK;
}

enum dp_status
store_conflict_items(struct store *st, const char *household_id, struct conflict_item **out,
                     size_t *n, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    struct conflict_item *v = NULL;
    size_t count = 0, cap = 0;
    *out = NULL;
    *n = 0;
    enum dp_status s = store_prepare(
        st,
        "SELECT c.conflict_id, c.t, c.rid, c.hid, c.state, c.fields_json,"
        " COALESCE(h.head_name, ''), c.kind, c.opened_by, c.opened_at"
        " FROM conflicts c LEFT JOIN households h ON h.id = c.hid"
        " WHERE c.state IN ('open', 'resolving') AND (?1 IS NULL OR c.hid = ?1)"
        " ORDER BY COALESCE(h.head_name, ''), c.hid,"
        " CASE c.t WHEN 'household' THEN 0 WHEN 'member' THEN 1 WHEN 'visit' THEN 2 ELSE 3 END,"
        " c.updated_at, c.conflict_id",
        &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, household_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const struct record_def *def = schema_record(store_column_text(stmt, 1));
        if (!def)
            continue;
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct conflict_item *bigger = realloc(v, ncap * sizeof *v);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                break;
            }
            v = bigger;
            cap = ncap;
        }
        struct conflict_item *c = &v[count++];
        memset(c, 0, sizeof *c);
        c->def = def;
        copy_col(c->conflict_id, sizeof c->conflict_id, stmt, 0);
        copy_col(c->rid, sizeof c->rid, stmt, 2);
        copy_col(c->hid, sizeof c->hid, stmt, 3);
        copy_col(c->state, sizeof c->state, stmt, 4);
        copy_col(c->head_name, sizeof c->head_name, stmt, 6);
        copy_col(c->kind, sizeof c->kind, stmt, 7);
        copy_col(c->opened_by, sizeof c->opened_by, stmt, 8);
        copy_col(c->opened_at, sizeof c->opened_at, stmt, 9);
        /* Since migration 4 fields_json is the conflict's "fields" object alone. */
        cJSON *d = cJSON_Parse(store_column_text(stmt, 5));
        s = read_fields(c, d, err);
        cJSON_Delete(d);
        if (s != DP_OK)
            break;
    }
    if (s == DP_OK && rc != SQLITE_DONE)
        s = store_fail(st, rc, "list conflicts", err);
    sqlite3_finalize(stmt);
    if (s != DP_OK) {
        store_conflict_items_free(v, count);
        return s;
    }
    *out = v;
    *n = count;
    return DP_OK;
}

enum dp_status
store_conflict_choose(struct store *st, const struct conflict_item *c,
                      enum conflict_deletion deletion, const char *const *values,
                      struct dp_error *err)
{
    struct record r = {0};
    cJSON *all = NULL, *choose = NULL;
    char *text = NULL;
    enum dp_status s;
    if (!st || !c || !c->def || (deletion != CONFLICT_KEEP_DELETED && c->nfields && !values))
        return dp_error_set(err, DP_EINVAL, NULL, "store_conflict_choose: missing argument");
    if (record_init(&r, c->def) != DP_OK || !(choose = cJSON_CreateObject()))
        goto nomem;
    if (deletion != CONFLICT_KEEP_DELETED) {
        for (size_t i = 0; i < c->nfields; i++) {
            const struct field_def *fd = &c->def->fields[c->fields[i].index];
            if (!values[i]) {
                s = dp_error_set(err, DP_EINVAL, fd->name, "choose a value");
                goto out;
            }
            record_set_index(&r, c->fields[i].index, values[i]);
        }
        /* The JSON forms of the chosen values (null for unset), as the wire wants them. */
        if (!(all = record_to_json(&r, true)))
            goto nomem;
        for (size_t i = 0; i < c->nfields; i++) {
            const char *name = c->def->fields[c->fields[i].index].name;
            cJSON *item = cJSON_DetachItemFromObjectCaseSensitive(all, name);
            if (!item || !cJSON_AddItemToObject(choose, name, item)) {
                cJSON_Delete(item);
                goto nomem;
            }
        }
    }
    if (deletion != CONFLICT_FIELDS &&
        !cJSON_AddBoolToObject(choose, "_deleted", deletion == CONFLICT_KEEP_DELETED))
        goto nomem;
    if (!(text = cJSON_PrintUnformatted(choose)))
        goto nomem;
    /* Checks every value as a form would, then writes it all in one transaction. */
    s = store_sync_conflict_resolve(st, c->conflict_id, text, err);
    goto out;
nomem:
    s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
out:
    free(text);
    cJSON_Delete(all);
    cJSON_Delete(choose);
    record_done(&r);
    return s;
}

/* ---- rejected edits ---------------------------------------------------------------- */

enum dp_status
store_rejected_items(struct store *st, size_t limit, struct rejected_item **out, size_t *n,
                     struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    struct rejected_item *v = NULL;
    size_t count = 0, cap = 0;
    *out = NULL;
    *n = 0;
    if (limit == 0)
        return DP_OK;
    /* Held and live: the household for a household, the record's own table for the rest. */
    enum dp_status s = store_prepare(
        st,
        "SELECT o.mid, o.t, o.rid, o.hid, o.op, o.result_json, o.created_at,"
        " COALESCE(h.head_name, ''),"
        " CASE o.t WHEN 'household' THEN (SELECT count(*) FROM households x"
        "  WHERE x.id = o.rid AND x._deleted = 0)"
        "  WHEN 'member' THEN (SELECT count(*) FROM members x WHERE x.id = o.rid AND x._deleted = "
        "0)"
        "  WHEN 'visit' THEN (SELECT count(*) FROM visits x WHERE x.id = o.rid AND x._deleted = 0)"
        "  WHEN 'need' THEN (SELECT count(*) FROM needs x WHERE x.id = o.rid AND x._deleted = 0)"
        "  ELSE 0 END"
        " FROM outbox o LEFT JOIN households h ON h.id = o.hid"
        " WHERE o.state = 'rejected' ORDER BY o.acked_at DESC, o.mid DESC LIMIT ?1",
        &stmt, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(stmt, 1, (int64_t)limit);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const struct record_def *def = schema_record(store_column_text(stmt, 1));
        if (!def)
            continue;
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct rejected_item *bigger = realloc(v, ncap * sizeof *v);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                break;
            }
            v = bigger;
            cap = ncap;
        }
        struct rejected_item *r = &v[count++];
        memset(r, 0, sizeof *r);
        r->mid = sqlite3_column_int64(stmt, 0);
        r->def = def;
        copy_col(r->rid, sizeof r->rid, stmt, 2);
        copy_col(r->hid, sizeof r->hid, stmt, 3);
        copy_col(r->op, sizeof r->op, stmt, 4);
        copy_col(r->created_at, sizeof r->created_at, stmt, 6);
        copy_col(r->head_name, sizeof r->head_name, stmt, 7);
        r->record_held = sqlite3_column_int(stmt, 8) > 0;
        cJSON *res = cJSON_Parse(store_column_text(stmt, 5));
        json_str(res, "reason", r->reason, sizeof r->reason);
        json_str(res, "field", r->field, sizeof r->field);
        json_str(res, "message", r->message, sizeof r->message);
        cJSON_Delete(res);
    }
    if (s == DP_OK && rc != SQLITE_DONE)
        s = store_fail(st, rc, "list rejected edits", err);
    sqlite3_finalize(stmt);
    if (s != DP_OK) {
        free(v);
        return s;
    }
    *out = v;
    *n = count;
    return DP_OK;
}

enum dp_status
store_rejected_values(struct store *st, int64_t mid, struct record *out, bool *present,
                      struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    const struct record_def *def = NULL;
    cJSON *set = NULL;
    memset(out, 0, sizeof *out);
    enum dp_status s = store_prepare(
        st, "SELECT t, set_json FROM outbox WHERE mid = ?1 AND state = 'rejected'", &stmt, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(stmt, 1, mid);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        def = schema_record(store_column_text(stmt, 0));
        set = cJSON_Parse(store_column_text(stmt, 1));
    } else if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "read a rejected edit", err);
    }
    sqlite3_finalize(stmt);
    if (s != DP_OK)
        goto out;
    if (!def || !cJSON_IsObject(set)) {
        s = dp_error_set(err, DP_ENOTFOUND, NULL, "no rejected edit %lld with values",
                         (long long)mid);
        goto out;
    }
    if (record_init(out, def) != DP_OK) {
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    for (size_t i = 0; i < def->nfields; i++) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(set, def->fields[i].name);
        present[i] = item != NULL;
        if (!item)
            continue;
        /* One field at a time: a value the server refused as invalid may not read back. */
        char *value = canonical(def, (int)i, item);
        if (!value) {
            s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
            goto out;
        }
        if (!value[0] && cJSON_IsString(item) && item->valuestring)
            record_set_index(out, (int)i, item->valuestring);
        else
            record_set_index(out, (int)i, value);
        free(value);
    }
out:
    cJSON_Delete(set);
    if (s != DP_OK)
        record_done(out);
    return s;
}

enum dp_status
store_rejected_dismiss(struct store *st, int64_t mid, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    cJSON *res = NULL;
    char *text = NULL, now[32];
    bool found = false;
    enum dp_status s = store_begin(st, err);
    if (s != DP_OK)
        return s;
    s = store_prepare(st, "SELECT result_json FROM outbox WHERE mid = ?1 AND state = 'rejected'",
                      &stmt, err);
    if (s != DP_OK)
        goto out;
    sqlite3_bind_int64(stmt, 1, mid);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        found = true;
        res = cJSON_Parse(store_column_text(stmt, 0));
    } else if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "read a rejected edit", err);
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (s != DP_OK)
        goto out;
    if (!found) {
        s = dp_error_set(err, DP_ENOTFOUND, NULL, "no rejected edit %lld", (long long)mid);
        goto out;
    }
    store_utc_now(now, sizeof now);
    if (!cJSON_IsObject(res)) {
        cJSON_Delete(res);
        res = cJSON_CreateObject();
    }
    cJSON_DeleteItemFromObjectCaseSensitive(res, "dismissed_at");
    if (!res || !cJSON_AddStringToObject(res, "dismissed_at", now) ||
        !(text = cJSON_PrintUnformatted(res))) {
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    s = store_prepare(st,
                      "UPDATE outbox SET state = 'acked', result_json = ?2"
                      " WHERE mid = ?1 AND state = 'rejected'",
                      &stmt, err);
    if (s != DP_OK)
        goto out;
    sqlite3_bind_int64(stmt, 1, mid);
    store_bind_text(stmt, 2, text);
    s = store_step_done(st, stmt, "set a rejected edit aside", err);
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (s == DP_OK) {
        char detail[64];
        snprintf(detail, sizeof detail, "mid %lld", (long long)mid);
        s = store_sync_log(st, "rejected-dismissed", detail, err);
    }
    if (s == DP_OK)
        s = store_commit(st, err);
out:
    if (s != DP_OK)
        store_rollback(st);
    free(text);
    cJSON_Delete(res);
    return s;
}

/* ---- failed syncs ---------------------------------------------------------------- */

enum dp_status
store_sync_failures(struct store *st, size_t limit, struct sync_failure **out, size_t *n,
                    struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *out = NULL;
    *n = 0;
    if (limit == 0)
        return DP_OK;
    struct sync_failure *v = calloc(limit < 256 ? limit : 256, sizeof *v);
    if (!v)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    size_t cap = limit < 256 ? limit : 256;
    enum dp_status s = store_prepare(st,
                                     "SELECT ts, detail FROM sync_log WHERE kind = 'sync-failed'"
                                     " ORDER BY id DESC LIMIT ?1",
                                     &stmt, err);
    if (s != DP_OK) {
        free(v);
        return s;
    }
    sqlite3_bind_int64(stmt, 1, (int64_t)(limit < cap ? limit : cap));
    int rc;
    size_t count = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && count < cap) {
        copy_col(v[count].at, sizeof v[count].at, stmt, 0);
        copy_col(v[count].message, sizeof v[count].message, stmt, 1);
        count++;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        s = store_fail(st, rc, "read the sync log", err);
    sqlite3_finalize(stmt);
    if (s != DP_OK) {
        free(v);
        return s;
    }
    *out = v;
    *n = count;
    return DP_OK;
}
