/*
 * The early-warning marker of the household list, recomputed from the
 * records with core/rules.h. See store/warnings.h for when it runs.
 */
#include "store/warnings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"
#include "core/rules.h"
#include "store/internal.h"
#include "store/sync_store.h"

struct dp_date
store_warnings_today(void)
{
    const char *pinned = getenv("DOORSTEP_TODAY");
    struct dp_date d;
    if (pinned && date_parse(pinned, &d, "DOORSTEP_TODAY", NULL) == DP_OK)
        return d;
    return date_today();
}

enum dp_status
store_warnings_refresh(struct store *st, const char *household_id, const struct dp_date *today,
                       size_t *count, struct dp_error *err)
{
    struct record hh = {0}, *members = NULL, *visits = NULL;
    size_t nmembers = 0, nvisits = 0, n = 0;
    if (count)
        *count = 0;
    if (!st || !household_id || !today)
        return dp_error_set(err, DP_EINVAL, NULL, "store_warnings_refresh: missing argument");
    enum dp_status s = store_record_get(st, &schema_household, household_id, &hh, err);
    if (s == DP_OK)
        s = store_record_list(st, &schema_member, household_id, &members, &nmembers, err);
    if (s == DP_OK)
        s = store_record_list(st, &schema_visit, household_id, &visits, &nvisits, err);
    if (s != DP_OK)
        goto out;
    struct policy pol = policy_defaults();
    n = rules_warnings(&pol, &hh, members, nmembers, visits, nvisits, today, NULL, 0);
    s = store_household_set_warning(st, household_id, n > 0, err);
    if (s == DP_OK && count)
        *count = n;
out:
    record_done(&hh);
    store_record_list_free(members, nmembers);
    store_record_list_free(visits, nvisits);
    return s;
}

/* ---- the pulled-page hooks ---------------------------------------------------------- */

static enum dp_status
note(struct store *st, const char *hid, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    if (!hid || !*hid)
        return DP_OK;
    enum dp_status s =
        store_prepare(st, "INSERT OR IGNORE INTO temp.warn_noted(hid) VALUES (?1)", &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, hid);
    s = store_step_done(st, stmt, "note a household for warnings", err);
    sqlite3_finalize(stmt);
    return s;
}

/* The household a held member, visit or need belongs to, into hid ("" when not held). */
static enum dp_status
household_of_child(struct store *st, const struct record_def *def, const char *rid, char *hid,
                   size_t hidsize, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char sql[96];
    hid[0] = '\0';
    const char *table = store_table(def);
    if (!table)
        return DP_OK;
    snprintf(sql, sizeof sql, "SELECT household_id FROM %s WHERE id = ?1", table);
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, rid);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        snprintf(hid, hidsize, "%s", store_column_text(stmt, 0));
    else if (rc != SQLITE_DONE)
        s = store_fail(st, rc, "find a record's household", err);
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
store_warnings_note_page(struct store *st, const struct sync_page *page, struct dp_error *err)
{
    char hid[64];
    enum dp_status s = store_exec(
        st, "CREATE TEMP TABLE IF NOT EXISTS warn_noted (hid TEXT PRIMARY KEY) WITHOUT ROWID",
        "start noting households", err);
    for (size_t i = 0; s == DP_OK && i < page->nchanges; i++) {
        const struct sync_change *c = &page->changes[i];
        if (!c->def)
            continue;
        if (c->def->parent_field < 0) {
            /* A household leaving the cache needs no marker. */
            if (c->op != SYNC_REMOVE)
                s = note(st, c->rid, err);
        } else if (c->op == SYNC_PUT) {
            s = note(st, c->row.values ? c->row.values[c->def->parent_field] : NULL, err);
        } else {
            /* Removed or in conflict: ask now, while the row is still here. */
            s = household_of_child(st, c->def, c->rid, hid, sizeof hid, err);
            if (s == DP_OK)
                s = note(st, hid, err);
        }
    }
    return s;
}

enum dp_status
store_warnings_refresh_noted(struct store *st, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char(*hids)[37] = NULL;
    size_t n = 0, cap = 0;
    bool exists = false;
    enum dp_status s = store_prepare(
        st, "SELECT count(*) FROM sqlite_temp_master WHERE name = 'warn_noted'", &stmt, err);
    if (s != DP_OK)
        return s;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        exists = sqlite3_column_int(stmt, 0) > 0;
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (!exists)
        return DP_OK;
    /* Read them all first: refreshing writes to the households being listed. */
    s = store_prepare(st, "SELECT hid FROM temp.warn_noted", &stmt, err);
    if (s != DP_OK)
        return s;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char(*bigger)[37] = realloc(hids, ncap * sizeof *hids);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                goto out;
            }
            hids = bigger;
            cap = ncap;
        }
        snprintf(hids[n++], sizeof hids[0], "%s", store_column_text(stmt, 0));
    }
    if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "list noted households", err);
        goto out;
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    struct dp_date today = store_warnings_today();
    for (size_t i = 0; i < n && s == DP_OK; i++) {
        s = store_warnings_refresh(st, hids[i], &today, NULL, err);
        /* Swept away or never held: nothing to mark. */
        if (s == DP_ENOTFOUND) {
            dp_error_clear(err);
            s = DP_OK;
        }
    }
    if (s == DP_OK)
        s = store_exec(st, "DELETE FROM temp.warn_noted", "forget noted households", err);
out:
    sqlite3_finalize(stmt);
    free(hids);
    return s;
}
