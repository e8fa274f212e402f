/*
 * Data derived from records for the household list, written in the same
 * transaction as the record: a household's newest visit date and its rows in
 * household_categories. Every path that writes households or visits calls
 * these (store/records.c now, the sync apply path later), which is cheaper
 * under SQLCipher than triggers (see migration 2).
 */
#include "store/internal.h"

#include <string.h>

enum dp_status
store_refresh_last_visit(struct store *st, const char *household_id, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum dp_status s = store_prepare(
        st,
        "UPDATE households SET _last_visit = COALESCE((SELECT max(v.date) FROM visits v"
        " WHERE v.household_id = ?1 AND v._deleted = 0), '') WHERE id = ?1",
        &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, household_id);
    s = store_step_done(st, stmt, "update last visit", err);
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
store_refresh_categories(struct store *st, const char *household_id, const char *categories,
                         struct dp_error *err)
{
    sqlite3_stmt *del = NULL, *ins = NULL;
    enum dp_status s =
        store_prepare(st, "DELETE FROM household_categories WHERE household_id = ?1", &del, err);
    if (s == DP_OK)
        s = store_prepare(st,
                          "INSERT OR IGNORE INTO household_categories(category, household_id)"
                          " VALUES (?1, ?2)",
                          &ins, err);
    if (s != DP_OK)
        goto out;
    store_bind_text(del, 1, household_id);
    s = store_step_done(st, del, "update categories", err);
    store_bind_text(ins, 2, household_id);
    /* The canonical set form: tokens separated by single commas. */
    for (const char *p = categories; s == DP_OK && p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len > 0) {
            sqlite3_bind_text(ins, 1, p, (int)len, SQLITE_TRANSIENT);
            s = store_step_done(st, ins, "update categories", err);
        }
        p = comma ? comma + 1 : p + len;
    }
out:
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    return s;
}
