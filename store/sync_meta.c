/*
 * Who the cache belongs to and what sync has to show: identity and login,
 * the token (kept only here, inside the encrypted cache), status counts,
 * rejected edits and conflicts.
 */
#include "store/sync_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static enum dp_status
meta_copy(struct store *st, const char *key, char *buf, size_t bufsize, struct dp_error *err)
{
    char *v = NULL;
    enum dp_status s = store_meta_get(st, key, &v, err);
    buf[0] = '\0';
    if (s == DP_OK && v)
        snprintf(buf, bufsize, "%s", v);
    if (v) {
        sodium_memzero(v, strlen(v));
        free(v);
    }
    return s;
}

enum dp_status
store_sync_identity(struct store *st, struct sync_identity *out, struct dp_error *err)
{
    char hello[8];
    memset(out, 0, sizeof *out);
    enum dp_status s;
    if ((s = meta_copy(st, SYNC_META_DEVICE_ID, out->device_id, sizeof out->device_id, err)) !=
            DP_OK ||
        (s = meta_copy(st, SYNC_META_USER, out->user, sizeof out->user, err)) != DP_OK ||
        (s = meta_copy(st, SYNC_META_ROLE, out->role, sizeof out->role, err)) != DP_OK ||
        (s = meta_copy(st, SYNC_META_TEAM, out->team, sizeof out->team, err)) != DP_OK ||
        (s = meta_copy(st, SYNC_META_SERVER, out->server_url, sizeof out->server_url, err)) !=
            DP_OK ||
        (s = meta_copy(st, SYNC_META_TOKEN, out->token, sizeof out->token, err)) != DP_OK ||
        (s = meta_copy(st, SYNC_META_CURSOR, out->cursor, sizeof out->cursor, err)) != DP_OK ||
        (s = meta_copy(st, SYNC_META_HELLO_DUE, hello, sizeof hello, err)) != DP_OK ||
        (s = store_meta_get_int(st, SYNC_META_TOKEN_EXPIRES, 0, &out->token_expires_at, err)) !=
            DP_OK ||
        (s = store_meta_get_int(st, SYNC_META_ACKED_MID, 0, &out->acked_mid, err)) != DP_OK ||
        (s = sync_max_mid(st, &out->max_mid, err)) != DP_OK ||
        (s = store_meta_get_int(st, SYNC_META_CLOCK_SKEW, 0, &out->clock_skew_s, err)) != DP_OK) {
        sodium_memzero(out, sizeof *out);
        return s;
    }
    out->hello_due = strcmp(hello, "1") == 0;
    return DP_OK;
}

static enum dp_status
count(struct store *st, const char *sql, long *n, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *n = 0;
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *n = (long)sqlite3_column_int64(stmt, 0);
    else
        s = store_fail(st, rc, "count", err);
    sqlite3_finalize(stmt);
    return s;
}

/* A server URL without trailing slashes, so "https://h/" and "https://h" are one server. */
static void
norm_url(const char *url, char *buf, size_t bufsize)
{
    snprintf(buf, bufsize, "%s", url ? url : "");
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '/')
        buf[--n] = '\0';
}

/* Start the cache afresh for another user or server (nothing pending: checked by the caller). */
static enum dp_status
wipe(struct store *st, struct dp_error *err)
{
    char id[37];
    record_new_id(id, sizeof id);
    enum dp_status s = store_exec(st,
                                  "DELETE FROM needs; DELETE FROM visits; DELETE FROM members;"
                                  " DELETE FROM households; DELETE FROM household_categories;"
                                  " DELETE FROM base_rows; DELETE FROM conflicts;"
                                  " DELETE FROM orphans; DELETE FROM outbox; DELETE FROM drafts;"
                                  " DROP TABLE IF EXISTS temp.sync_seen;"
                                  " DROP TABLE IF EXISTS temp.sync_seen_conflicts;",
                                  "clear the cache for another user", err);
    static const char *const keys[] = {
        SYNC_META_CURSOR,       SYNC_META_RESET,      SYNC_META_EPOCH,     SYNC_META_LAST_SUCCESS,
        SYNC_META_LAST_ATTEMPT, SYNC_META_LAST_ERROR, SYNC_META_SYNC_COUNT};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && s == DP_OK; i++)
        s = store_meta_set(st, keys[i], NULL, err);
    if (s == DP_OK)
        s = store_meta_set(st, SYNC_META_DEVICE_ID, id, err);
    if (s == DP_OK)
        s = store_meta_set_int(st, SYNC_META_NEXT_MID, 1, err);
    if (s == DP_OK)
        s = store_meta_set_int(st, SYNC_META_ACKED_MID, 0, err);
    if (s == DP_OK)
        s = sync_log_add(st, "login", "another user or server: cache started afresh", err);
    return s;
}

enum dp_status
store_sync_login(struct store *st, const char *server_url, const char *user, const char *role,
                 const char *team, const char *token, int64_t expires_at, struct dp_error *err)
{
    char cur_user[SYNC_USER_MAX + 1], cur_server[512], server[512];
    long pending = 0;
    norm_url(server_url, server, sizeof server);
    enum dp_status s = store_begin(st, err);
    if (s != DP_OK)
        return s;
    if ((s = meta_copy(st, SYNC_META_USER, cur_user, sizeof cur_user, err)) != DP_OK ||
        (s = meta_copy(st, SYNC_META_SERVER, cur_server, sizeof cur_server, err)) != DP_OK)
        goto out;
    if (!cur_user[0]) {
        /* Edits made before the first login are this user's. */
        sqlite3_stmt *stmt = NULL;
        s = store_prepare(st, "UPDATE outbox SET user_id = ?1 WHERE user_id = ''", &stmt, err);
        if (s == DP_OK) {
            store_bind_text(stmt, 1, user);
            s = store_step_done(st, stmt, "adopt edits", err);
        }
        sqlite3_finalize(stmt);
    } else if (strcmp(cur_user, user) != 0 || (cur_server[0] && strcmp(cur_server, server) != 0)) {
        s = count(st, "SELECT count(*) FROM outbox WHERE mid > 0 AND state IN " SYNC_PENDING_STATES,
                  &pending, err);
        if (s == DP_OK && pending > 0)
            s = dp_error_set(err, DP_EBUSY, NULL,
                             "this cache holds %ld unsent edits of another user or server; "
                             "sync them first",
                             pending);
        if (s == DP_OK)
            s = wipe(st, err);
    }
    if (s != DP_OK)
        goto out;
    if ((s = store_meta_set(st, SYNC_META_USER, user, err)) != DP_OK ||
        (s = store_meta_set(st, SYNC_META_ROLE, role, err)) != DP_OK ||
        (s = store_meta_set(st, SYNC_META_TEAM, team, err)) != DP_OK ||
        (s = store_meta_set(st, SYNC_META_SERVER, server, err)) != DP_OK ||
        (s = store_meta_set(st, SYNC_META_TOKEN, token, err)) != DP_OK ||
        (s = store_meta_set_int(st, SYNC_META_TOKEN_EXPIRES, expires_at, err)) != DP_OK ||
        (s = store_meta_set(st, SYNC_META_HELLO_DUE, "1", err)) != DP_OK)
        goto out;
    s = store_commit(st, err);
out:
    if (s != DP_OK)
        store_rollback(st);
    return s;
}

enum dp_status
store_sync_forget_token(struct store *st, struct dp_error *err)
{
    enum dp_status s = store_meta_set(st, SYNC_META_TOKEN, NULL, err);
    if (s == DP_OK)
        s = store_meta_set(st, SYNC_META_TOKEN_EXPIRES, NULL, err);
    return s;
}

enum dp_status
store_sync_note_clock(struct store *st, int64_t skew_s, struct dp_error *err)
{
    int64_t was = 0;
    char detail[96];
    bool off = skew_s > SYNC_CLOCK_SKEW_MAX || skew_s < -SYNC_CLOCK_SKEW_MAX;
    enum dp_status s = store_begin(st, err);
    if (s != DP_OK)
        return s;
    s = store_meta_get_int(st, SYNC_META_CLOCK_SKEW, 0, &was, err);
    if (s == DP_OK && off) {
        s = store_meta_set_int(st, SYNC_META_CLOCK_SKEW, skew_s, err);
        snprintf(detail, sizeof detail, "device clock %+" PRId64 " s from the server's", skew_s);
        if (s == DP_OK)
            s = sync_log_add(st, "clock-skew", detail, err);
    } else if (s == DP_OK && was != 0) {
        s = store_meta_set(st, SYNC_META_CLOCK_SKEW, NULL, err);
        snprintf(detail, sizeof detail, "device clock within %+" PRId64 " s of the server's",
                 skew_s);
        if (s == DP_OK)
            s = sync_log_add(st, "clock-ok", detail, err);
    }
    if (s == DP_OK)
        s = store_commit(st, err);
    else
        store_rollback(st);
    return s;
}

enum dp_status
store_sync_set_hello_due(struct store *st, bool due, struct dp_error *err)
{
    return store_meta_set(st, SYNC_META_HELLO_DUE, due ? "1" : NULL, err);
}

enum dp_status
store_sync_finish(struct store *st, bool ok, const char *message, struct dp_error *err)
{
    char now[32];
    store_utc_now(now, sizeof now);
    enum dp_status s = store_begin(st, err);
    if (s != DP_OK)
        return s;
    s = store_meta_set(st, SYNC_META_LAST_ATTEMPT, now, err);
    if (s == DP_OK && ok) {
        int64_t n = 0;
        s = store_meta_set(st, SYNC_META_LAST_SUCCESS, now, err);
        if (s == DP_OK)
            s = store_meta_set(st, SYNC_META_LAST_ERROR, NULL, err);
        if (s == DP_OK)
            s = store_meta_get_int(st, SYNC_META_SYNC_COUNT, 0, &n, err);
        if (s == DP_OK)
            s = store_meta_set_int(st, SYNC_META_SYNC_COUNT, n + 1, err);
    } else if (s == DP_OK) {
        s = store_meta_set(st, SYNC_META_LAST_ERROR, message && *message ? message : "failed", err);
        if (s == DP_OK)
            s = sync_log_add(st, "sync-failed", message && *message ? message : "failed", err);
    }
    if (s == DP_OK)
        s = store_commit(st, err);
    else
        store_rollback(st);
    return s;
}

enum dp_status
store_sync_status(struct store *st, struct sync_status_info *out, struct dp_error *err)
{
    char token[SYNC_TOKEN_MAX + 1];
    memset(out, 0, sizeof *out);
    enum dp_status s;
    if ((s = count(st,
                   "SELECT count(*) FROM outbox WHERE mid > 0 AND state IN " SYNC_PENDING_STATES,
                   &out->pending, err)) != DP_OK ||
        (s = count(st, "SELECT count(*) FROM outbox WHERE state = 'rejected'", &out->rejected,
                   err)) != DP_OK ||
        (s = count(st, "SELECT count(*) FROM conflicts WHERE state = 'open'", &out->conflicts,
                   err)) != DP_OK ||
        (s = count(st, "SELECT count(*) FROM conflicts WHERE state = 'resolving'", &out->resolving,
                   err)) != DP_OK ||
        (s = count(st, "SELECT count(*) FROM orphans", &out->orphans, err)) != DP_OK ||
        (s = meta_copy(st, SYNC_META_USER, out->user, sizeof out->user, err)) != DP_OK ||
        (s = meta_copy(st, SYNC_META_ROLE, out->role, sizeof out->role, err)) != DP_OK ||
        (s = meta_copy(st, SYNC_META_SERVER, out->server_url, sizeof out->server_url, err)) !=
            DP_OK ||
        (s = meta_copy(st, SYNC_META_TOKEN, token, sizeof token, err)) != DP_OK ||
        (s = store_meta_get_int(st, SYNC_META_TOKEN_EXPIRES, 0, &out->token_expires_at, err)) !=
            DP_OK ||
        (s = meta_copy(st, SYNC_META_LAST_SUCCESS, out->last_success, sizeof out->last_success,
                       err)) != DP_OK ||
        (s = meta_copy(st, SYNC_META_LAST_ATTEMPT, out->last_attempt, sizeof out->last_attempt,
                       err)) != DP_OK ||
        (s = meta_copy(st, SYNC_META_LAST_ERROR, out->last_error, sizeof out->last_error, err)) !=
            DP_OK ||
        (s = store_meta_get_int(st, SYNC_META_CLOCK_SKEW, 0, &out->clock_skew_s, err)) != DP_OK)
        return s;
    out->logged_in = token[0] != '\0';
    sodium_memzero(token, sizeof token);
    return DP_OK;
}

static void
json_str(const cJSON *obj, const char *name, char *buf, size_t bufsize)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    snprintf(buf, bufsize, "%s", cJSON_IsString(it) && it->valuestring ? it->valuestring : "");
}

enum dp_status
store_sync_rejected(struct store *st, size_t limit, struct sync_rejected **out, size_t *n,
                    struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *out = NULL;
    *n = 0;
    if (limit == 0)
        return DP_OK;
    enum dp_status s = store_prepare(st,
                                     "SELECT mid, t, rid, op, result_json, created_at FROM outbox"
                                     " WHERE state = 'rejected'"
                                     " ORDER BY acked_at DESC, mid DESC LIMIT ?1",
                                     &stmt, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(stmt, 1, (int64_t)limit);
    struct sync_rejected *v = calloc(limit < 1024 ? limit : 1024, sizeof *v);
    size_t cap = limit < 1024 ? limit : 1024;
    if (!v) {
        sqlite3_finalize(stmt);
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (*n == cap) {
            struct sync_rejected *bigger = realloc(v, cap * 2 * sizeof *v);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                break;
            }
            v = bigger;
            cap *= 2;
        }
        struct sync_rejected *r = &v[*n];
        memset(r, 0, sizeof *r);
        r->mid = sqlite3_column_int64(stmt, 0);
        snprintf(r->t, sizeof r->t, "%s", store_column_text(stmt, 1));
        snprintf(r->rid, sizeof r->rid, "%s", store_column_text(stmt, 2));
        snprintf(r->op, sizeof r->op, "%s", store_column_text(stmt, 3));
        snprintf(r->created_at, sizeof r->created_at, "%s", store_column_text(stmt, 5));
        cJSON *res = cJSON_Parse(store_column_text(stmt, 4));
        json_str(res, "reason", r->reason, sizeof r->reason);
        json_str(res, "field", r->field, sizeof r->field);
        json_str(res, "message", r->message, sizeof r->message);
        cJSON_Delete(res);
        (*n)++;
    }
    if (s == DP_OK && rc != SQLITE_DONE)
        s = store_fail(st, rc, "list rejected edits", err);
    sqlite3_finalize(stmt);
    if (s != DP_OK) {
        free(v);
        *n = 0;
        return s;
    }
    *out = v;
    return DP_OK;
}

void
store_sync_conflicts_free(struct sync_conflict *c, size_t n)
{
    if (!c)
        return;
    for (size_t i = 0; i < n; i++)
        free(c[i].fields_json);
    free(c);
}

enum dp_status
store_sync_conflicts(struct store *st, bool open_only, struct sync_conflict **out, size_t *n,
                     struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    struct sync_conflict *v = NULL;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    enum dp_status s = store_prepare(
        st,
        open_only ? "SELECT conflict_id, t, rid, hid, state, fields_json, kind, opened_by,"
                    " opened_at FROM conflicts"
                    " WHERE state IN ('open', 'resolving') ORDER BY updated_at, conflict_id"
                  : "SELECT conflict_id, t, rid, hid, state, fields_json, kind, opened_by,"
                    " opened_at FROM conflicts ORDER BY updated_at, conflict_id",
        &stmt, err);
    if (s != DP_OK)
        return s;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const struct record_def *def = schema_record(store_column_text(stmt, 1));
        if (!def)
            continue;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct sync_conflict *bigger = realloc(v, ncap * sizeof *v);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                break;
            }
            v = bigger;
            cap = ncap;
        }
        struct sync_conflict *c = &v[*n];
        memset(c, 0, sizeof *c);
        c->def = def;
        snprintf(c->conflict_id, sizeof c->conflict_id, "%s", store_column_text(stmt, 0));
        snprintf(c->rid, sizeof c->rid, "%s", store_column_text(stmt, 2));
        snprintf(c->hid, sizeof c->hid, "%s", store_column_text(stmt, 3));
        snprintf(c->state, sizeof c->state, "%s", store_column_text(stmt, 4));
        snprintf(c->kind, sizeof c->kind, "%s", store_column_text(stmt, 6));
        snprintf(c->opened_by, sizeof c->opened_by, "%s", store_column_text(stmt, 7));
        snprintf(c->opened_at, sizeof c->opened_at, "%s", store_column_text(stmt, 8));
        c->fields_json = strdup(store_column_text(stmt, 5));
        (*n)++;
        if (!c->fields_json) {
            s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
            break;
        }
    }
    if (s == DP_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        s = store_fail(st, rc, "list conflicts", err);
    sqlite3_finalize(stmt);
    if (s != DP_OK) {
        store_sync_conflicts_free(v, *n);
        *n = 0;
        return s;
    }
    *out = v;
    return DP_OK;
}

enum dp_status
store_sync_log(struct store *st, const char *kind, const char *detail, struct dp_error *err)
{
    return sync_log_add(st, kind, detail, err);
}

enum dp_status
store_sync_check(struct store *st, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum dp_status s = store_prepare(st, "PRAGMA integrity_check", &stmt, err);
    if (s != DP_OK)
        return s;
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW || strcmp(store_column_text(stmt, 0), "ok") != 0)
        s = dp_error_set(err, DP_ECORRUPT, NULL, "integrity check failed");
    sqlite3_finalize(stmt);
    if (s != DP_OK)
        return s;
    s = store_prepare(st, "PRAGMA foreign_key_check", &stmt, err);
    if (s != DP_OK)
        return s;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        s = dp_error_set(err, DP_ECORRUPT, NULL, "a %s row has no household",
                         store_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    if (s != DP_OK)
        return s;
    int64_t max_mid = 0;
    long above = 0;
    s = sync_max_mid(st, &max_mid, err);
    if (s == DP_OK)
        s = store_prepare(st, "SELECT count(*) FROM outbox WHERE mid > ?1", &stmt, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(stmt, 1, max_mid);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        above = (long)sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    if (above > 0)
        s = dp_error_set(err, DP_ECORRUPT, NULL, "%ld outbox entries above next_mid", above);
    return s;
}
