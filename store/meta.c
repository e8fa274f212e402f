/* sync_meta key/values and the pending/conflict counts. */
#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

/* *value is a malloc'd copy, or NULL when the key is absent. */
static enum dp_status
meta_read(struct store *st, const char *key, char **value, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *value = NULL;
    enum dp_status s = store_prepare(st, "SELECT value FROM sync_meta WHERE key = ?1", &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, key);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *value = strdup(store_column_text(stmt, 0));
        if (!*value)
            s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
    } else if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "read sync meta", err);
    }
    sqlite3_finalize(stmt);
    return s;
}

static enum dp_status
meta_write(struct store *st, const char *key, const char *value, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    const char *sql = value ? "INSERT OR REPLACE INTO sync_meta(key, value) VALUES (?1, ?2)"
                            : "DELETE FROM sync_meta WHERE key = ?1";
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, key);
    if (value)
        store_bind_text(stmt, 2, value);
    s = store_step_done(st, stmt, "write sync meta", err);
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
store_meta_get(struct store *st, const char *key, char **value, struct dp_error *err)
{
    if (value)
        *value = NULL;
    if (!st || !key || !value)
        return dp_error_set(err, DP_EINVAL, NULL, "store_meta_get: missing argument");
    return meta_read(st, key, value, err);
}

enum dp_status
store_meta_set(struct store *st, const char *key, const char *value, struct dp_error *err)
{
    if (!st || !key || !*key)
        return dp_error_set(err, DP_EINVAL, NULL, "store_meta_set: missing argument");
    return meta_write(st, key, value, err);
}

enum dp_status
store_meta_get_int(struct store *st, const char *key, int64_t dflt, int64_t *out,
                   struct dp_error *err)
{
    char *v = NULL;
    *out = dflt;
    enum dp_status s = meta_read(st, key, &v, err);
    if (s == DP_OK && v && *v) {
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (errno == 0 && *end == '\0')
            *out = n;
    }
    free(v);
    return s;
}

enum dp_status
store_meta_set_int(struct store *st, const char *key, int64_t value, struct dp_error *err)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRId64, value);
    return meta_write(st, key, buf, err);
}

static enum dp_status
count_rows(struct store *st, const char *sql, long *n, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
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

enum dp_status
store_pending_count(struct store *st, long *pending, long *conflicts, struct dp_error *err)
{
    long p = 0, c = 0;
    if (!st)
        return dp_error_set(err, DP_EINVAL, NULL, "store_pending_count: missing argument");
    enum dp_status s = count_rows(
        st, "SELECT count(*) FROM outbox WHERE state IN ('pending', 'inflight')", &p, err);
    if (s == DP_OK)
        s = count_rows(st, "SELECT count(*) FROM conflicts WHERE state = 'open'", &c, err);
    if (pending)
        *pending = s == DP_OK ? p : 0;
    if (conflicts)
        *conflicts = s == DP_OK ? c : 0;
    return s;
}
