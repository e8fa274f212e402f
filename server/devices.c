#include "server/devices.h"

#include "server/db.h"

enum dp_status
devices_get(sqlite3 *db, int64_t user_id, const char *device_id, bool create,
            const char *app_version, bool *known, int64_t *last_mid, struct dp_error *err)
{
    *known = false;
    *last_mid = 0;
    sqlite3_stmt *st;
    enum dp_status s = db_prepare(
        db, "SELECT last_mid FROM devices WHERE user_id = ? AND device_id = ?", &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, device_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *known = true;
        *last_mid = sqlite3_column_int64(st, 0);
    } else if (rc != SQLITE_DONE) {
        s = db_fail(db, rc, "devices", err);
    }
    sqlite3_finalize(st);
    if (s != DP_OK || !create)
        return s;

    char now[32];
    db_now_text(now, sizeof now);
    s = db_prepare(db,
                   "INSERT INTO devices(user_id, device_id, last_mid, registered_at, last_seen,"
                   " app_version) VALUES(?1, ?2, 0, ?3, ?3, coalesce(?4, ''))"
                   " ON CONFLICT(user_id, device_id) DO UPDATE SET last_seen = ?3,"
                   " app_version = coalesce(?4, app_version)",
                   &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_text(st, 2, device_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    if (app_version)
        sqlite3_bind_text(st, 4, app_version, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DP_OK : db_fail(db, rc, "devices", err);
}

enum dp_status
devices_set_last_mid(sqlite3 *db, int64_t user_id, const char *device_id, int64_t last_mid,
                     struct dp_error *err)
{
    sqlite3_stmt *st;
    enum dp_status s = db_prepare(
        db, "UPDATE devices SET last_mid = ? WHERE user_id = ? AND device_id = ?", &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(st, 1, last_mid);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_text(st, 3, device_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, rc, "devices", err);
    if (sqlite3_changes(db) != 1)
        return dp_error_set(err, DP_ENOTFOUND, "device", "unknown device");
    return DP_OK;
}
