/* Drafts: form input typed but not yet saved, kept so a crash or power cut loses nothing. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

enum dp_status
store_draft_put(struct store *st, const char *key, const char *text, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char now[32];
    if (!st || !key || !*key || !text)
        return dp_error_set(err, DP_EINVAL, NULL, "store_draft_put: missing argument");
    store_utc_now(now, sizeof now);
    enum dp_status s = store_prepare(
        st, "INSERT OR REPLACE INTO drafts(key, text, updated_at) VALUES (?1, ?2, ?3)", &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, key);
    store_bind_text(stmt, 2, text);
    store_bind_text(stmt, 3, now);
    s = store_step_done(st, stmt, "save draft", err);
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
store_draft_get(struct store *st, const char *key, char **text, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    if (text)
        *text = NULL;
    if (!st || !key || !text)
        return dp_error_set(err, DP_EINVAL, NULL, "store_draft_get: missing argument");
    enum dp_status s = store_prepare(st, "SELECT text FROM drafts WHERE key = ?1", &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, key);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *text = strdup(store_column_text(stmt, 0));
        if (!*text)
            s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
    } else if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "read draft", err);
    }
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
store_draft_drop(struct store *st, const char *key, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    if (!st || !key)
        return dp_error_set(err, DP_EINVAL, NULL, "store_draft_drop: missing argument");
    enum dp_status s = store_prepare(st, "DELETE FROM drafts WHERE key = ?1", &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, key);
    s = store_step_done(st, stmt, "drop draft", err);
    sqlite3_finalize(stmt);
    return s;
}
