/*
 * The outbox as sync drives it: batches to push, results of a push, re-push
 * after a server restore, re-registration as a new device, and the user's
 * conflict resolutions (which are outbox entries themselves).
 */
#include "store/sync_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hlc.h"

static char *
column_dup(sqlite3_stmt *stmt, int col, bool *oom)
{
    if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
        return NULL;
    char *s = strdup((const char *)sqlite3_column_text(stmt, col));
    if (!s)
        *oom = true;
    return s;
}

/* Free what one item holds (the item itself stays). */
static void
item_clear(struct sync_outbox_item *it)
{
    free(it->base_json);
    free(it->set_json);
    free(it->comment);
    it->base_json = it->set_json = it->comment = NULL;
}

static void
copy_col(char *buf, size_t bufsize, sqlite3_stmt *stmt, int col)
{
    snprintf(buf, bufsize, "%s", store_column_text(stmt, col));
}

enum dp_status
store_sync_outbox_take(struct store *st, size_t max_items, size_t max_bytes,
                       struct sync_outbox_item **items, size_t *n, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    struct sync_outbox_item *out = NULL;
    size_t count = 0, bytes = 0;
    *items = NULL;
    *n = 0;
    if (max_items == 0)
        return DP_OK;
    enum dp_status s = store_prepare(st,
                                     "SELECT mid, mutation_id, hash, hlc, op, t, rid, base_v,"
                                     " base_json, set_json, conflict_id, action, comment,"
                                     " assign_to FROM outbox"
                                     " WHERE state IN " SYNC_PENDING_STATES " AND mid > 0"
                                     " ORDER BY mid LIMIT ?1",
                                     &stmt, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(stmt, 1, (int64_t)max_items);
    if (!(out = calloc(max_items, sizeof *out))) {
        sqlite3_finalize(stmt);
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    int rc;
    bool oom = false;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct sync_outbox_item *it = &out[count];
        it->mid = sqlite3_column_int64(stmt, 0);
        copy_col(it->mutation_id, sizeof it->mutation_id, stmt, 1);
        copy_col(it->hash, sizeof it->hash, stmt, 2);
        copy_col(it->hlc, sizeof it->hlc, stmt, 3);
        copy_col(it->op, sizeof it->op, stmt, 4);
        copy_col(it->t, sizeof it->t, stmt, 5);
        copy_col(it->rid, sizeof it->rid, stmt, 6);
        it->base_v =
            sqlite3_column_type(stmt, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(stmt, 7);
        it->base_json = column_dup(stmt, 8, &oom);
        it->set_json = column_dup(stmt, 9, &oom);
        copy_col(it->conflict_id, sizeof it->conflict_id, stmt, 10);
        copy_col(it->action, sizeof it->action, stmt, 11);
        it->comment = column_dup(stmt, 12, &oom);
        it->has_to = sqlite3_column_type(stmt, 13) != SQLITE_NULL;
        copy_col(it->to, sizeof it->to, stmt, 13);
        if (oom) {
            item_clear(it);
            break;
        }
        size_t sz = 0;
        sz += 200 + strlen(it->hash) + strlen(it->hlc) + strlen(it->conflict_id);
        sz += (it->base_json ? strlen(it->base_json) : 0) +
              (it->set_json ? strlen(it->set_json) : 0) + (it->comment ? strlen(it->comment) : 0);
        if (count > 0 && bytes + sz > max_bytes) {
            item_clear(it);
            break;
        }
        bytes += sz;
        count++;
        /* Mids go out gapless: stop at a hole (there should never be one). */
        if (count > 1 && out[count - 1].mid != out[count - 2].mid + 1) {
            count--;
            item_clear(it);
            break;
        }
    }
    if (oom) {
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        s = store_fail(st, rc, "read the outbox", err);
    }
    sqlite3_finalize(stmt);
    if (s != DP_OK || count == 0) {
        sync_outbox_items_free(out, count);
        return s;
    }
    *items = out;
    *n = count;
    return DP_OK;
}

/* What an outbox entry was about. */
struct entry_about {
    char t[16];
    char rid[37];
    char op[24];
    char conflict_id[SYNC_CONFLICT_ID_MAX + 1]; /* resolve_conflict only */
};

/* Mark one entry with its result; *about gets what it was about. */
static enum dp_status
mark_entry(struct store *st, const struct sync_push_result *r, const char *state,
           struct entry_about *about, bool *found, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *found = false;
    enum dp_status s = store_prepare(st,
                                     "SELECT t, rid, op, conflict_id FROM outbox"
                                     " WHERE mid = ?1 AND state IN " SYNC_PENDING_STATES,
                                     &stmt, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(stmt, 1, r->mid);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        copy_col(about->t, sizeof about->t, stmt, 0);
        copy_col(about->rid, sizeof about->rid, stmt, 1);
        copy_col(about->op, sizeof about->op, stmt, 2);
        copy_col(about->conflict_id, sizeof about->conflict_id, stmt, 3);
        *found = true;
    } else if (rc != SQLITE_DONE) {
        s = store_fail(st, rc, "read the outbox", err);
    }
    sqlite3_finalize(stmt);
    if (s != DP_OK || !*found)
        return s;
    char now[32];
    store_utc_now(now, sizeof now);
    s = store_prepare(
        st, "UPDATE outbox SET state = ?2, result_json = ?3, acked_at = ?4 WHERE mid = ?1", &stmt,
        err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(stmt, 1, r->mid);
    store_bind_text(stmt, 2, state);
    store_bind_text(stmt, 3, r->json);
    store_bind_text(stmt, 4, now);
    s = store_step_done(st, stmt, "record a push result", err);
    sqlite3_finalize(stmt);
    return s;
}

/* After the last pending edit of a record is answered, it is no longer "dirty". */
static enum dp_status
settle(struct store *st, const struct record_def *def, const char *rid, struct dp_error *err)
{
    long pending = 0;
    enum dp_status s = sync_pending_for(st, def->name, rid, &pending, err);
    if (s != DP_OK || pending > 0)
        return s;
    char sql[96];
    sqlite3_stmt *stmt = NULL;
    snprintf(sql, sizeof sql, "UPDATE %s SET _dirty = 0 WHERE id = ?1", store_table(def));
    s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, rid);
    s = store_step_done(st, stmt, "settle record", err);
    sqlite3_finalize(stmt);
    return s;
}

static enum dp_status
set_conflict_state(struct store *st, const char *conflict_id, const char *state,
                   struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char now[32];
    store_utc_now(now, sizeof now);
    enum dp_status s = store_prepare(
        st, "UPDATE conflicts SET state = ?2, updated_at = ?3 WHERE conflict_id = ?1", &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, conflict_id);
    store_bind_text(stmt, 2, state);
    store_bind_text(stmt, 3, now);
    s = store_step_done(st, stmt, "update conflict", err);
    sqlite3_finalize(stmt);
    return s;
}

/* Rebuild every member, visit and need of a household from its base row and pending edits. */
static enum dp_status
rebuild_children(struct store *st, const char *hid, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    struct {
        char t[16];
        char rid[37];
    } *kids = NULL;
    size_t n = 0, cap = 0;
    enum dp_status s = store_prepare(st,
                                     "SELECT 'member', id FROM members WHERE household_id = ?1"
                                     " UNION ALL SELECT 'visit', id FROM visits"
                                     " WHERE household_id = ?1"
                                     " UNION ALL SELECT 'need', id FROM needs"
                                     " WHERE household_id = ?1",
                                     &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, hid);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            void *bigger = realloc(kids, ncap * sizeof *kids);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                break;
            }
            kids = bigger;
            cap = ncap;
        }
        copy_col(kids[n].t, sizeof kids[n].t, stmt, 0);
        copy_col(kids[n].rid, sizeof kids[n].rid, stmt, 1);
        n++;
    }
    if (s == DP_OK && rc != SQLITE_DONE)
        s = store_fail(st, rc, "list a household's records", err);
    sqlite3_finalize(stmt);
    for (size_t i = 0; i < n && s == DP_OK; i++)
        s = sync_materialize(st, schema_record(kids[i].t), kids[i].rid, false, err);
    free(kids);
    return s;
}

enum dp_status
store_sync_push_done(struct store *st, const struct sync_push_reply *reply,
                     struct sync_push_stats *stats, struct dp_error *err)
{
    memset(stats, 0, sizeof *stats);
    int64_t max_mid = 0, acked = 0;
    enum dp_status s = sync_max_mid(st, &max_mid, err);
    if (s == DP_OK)
        s = store_meta_get_int(st, SYNC_META_ACKED_MID, 0, &acked, err);
    if (s != DP_OK)
        return s;
    if (reply->last_mid > max_mid) {
        stats->diverged = true;
        return DP_OK;
    }
    if ((s = store_begin(st, err)) != DP_OK)
        return s;
    for (size_t i = 0; i < reply->nresults && s == DP_OK; i++) {
        const struct sync_push_result *r = &reply->results[i];
        const char *state = "acked";
        switch (r->status) {
        case SYNC_RES_APPLIED:
            stats->applied++;
            break;
        case SYNC_RES_MERGED:
            stats->merged++;
            break;
        case SYNC_RES_DUPLICATE:
            stats->duplicates++;
            break;
        case SYNC_RES_REJECTED:
            stats->rejected++;
            state = "rejected";
            break;
        case SYNC_RES_CONFLICT:
            stats->conflicts++;
            state = "conflict";
            break;
        case SYNC_RES_OTHER:
            stats->other++;
            state = "conflict";
            break;
        }
        struct entry_about about;
        bool found = false;
        s = mark_entry(st, r, state, &about, &found, err);
        if (s != DP_OK || !found)
            continue;
        const struct record_def *def = schema_record(about.t);
        if (strcmp(about.op, "resolve_conflict") == 0 && about.conflict_id[0])
            s = set_conflict_state(st, about.conflict_id,
                                   r->status == SYNC_RES_REJECTED &&
                                           strcmp(r->reason, "already_resolved") != 0
                                       ? "open"
                                       : "resolved",
                                   err);
        if (s != DP_OK || !def)
            continue;
        /* Taken as sent: the pull brings the merged row. Otherwise show the server's again. */
        if (r->status == SYNC_RES_APPLIED || r->status == SYNC_RES_MERGED)
            s = settle(st, def, about.rid, err);
        else
            s = sync_materialize(st, def, about.rid, false, err);
        /* A household delete not taken: the records its tombstone covered come back too. */
        if (s == DP_OK && def == &schema_household && strcmp(about.op, "delete") == 0 &&
            r->status != SYNC_RES_APPLIED && r->status != SYNC_RES_MERGED)
            s = rebuild_children(st, about.rid, err);
    }
    /*
     * Entries at or below last_mid that this answer has no result for (the
     * server took them from an earlier request whose answer was lost) stay
     * pending: sent again, the server answers them from its log with their
     * real result, a rejection and its reason included.
     */
    if (s == DP_OK) {
        if (reply->last_mid < acked)
            stats->server_behind = true;
        else
            s = store_meta_set_int(st, SYNC_META_ACKED_MID, reply->last_mid, err);
    }
    if (s == DP_OK)
        s = sync_collect_garbage(st, err);
    if (s == DP_OK)
        s = store_commit(st, err);
    if (s != DP_OK) {
        store_rollback(st);
        memset(stats, 0, sizeof *stats);
    }
    return s;
}

/* Records touched by entries from `from_mid` on, to rebuild after a state change. */
static enum dp_status
rebuild_from(struct store *st, int64_t from_mid, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum dp_status s =
        store_prepare(st, "SELECT DISTINCT t, rid FROM outbox WHERE mid >= ?1", &stmt, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(stmt, 1, from_mid);
    struct {
        char t[16];
        char rid[37];
    } *recs = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            void *bigger = realloc(recs, ncap * sizeof *recs);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                break;
            }
            recs = bigger;
            cap = ncap;
        }
        copy_col(recs[n].t, sizeof recs[n].t, stmt, 0);
        copy_col(recs[n].rid, sizeof recs[n].rid, stmt, 1);
        n++;
    }
    if (s == DP_OK && rc != SQLITE_DONE)
        s = store_fail(st, rc, "read the outbox", err);
    sqlite3_finalize(stmt);
    for (size_t i = 0; i < n && s == DP_OK; i++) {
        const struct record_def *def = schema_record(recs[i].t);
        if (def)
            s = sync_materialize(st, def, recs[i].rid, false, err);
    }
    free(recs);
    return s;
}

enum dp_status
store_sync_requeue(struct store *st, int64_t from_mid, long *count, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    *count = 0;
    if (from_mid < 1)
        from_mid = 1;
    enum dp_status s = store_begin(st, err);
    if (s != DP_OK)
        return s;
    int64_t max_mid = 0;
    s = sync_max_mid(st, &max_mid, err);
    if (s == DP_OK && from_mid <= max_mid) {
        s = store_prepare(st, "SELECT count(*) FROM outbox WHERE mid = ?1", &stmt, err);
        if (s == DP_OK) {
            sqlite3_bind_int64(stmt, 1, from_mid);
            if (sqlite3_step(stmt) != SQLITE_ROW || sqlite3_column_int64(stmt, 0) == 0)
                s = dp_error_set(err, DP_ENOTFOUND, NULL,
                                 "outbox entry %" PRId64 " is no longer held", from_mid);
        }
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    if (s == DP_OK)
        s = store_prepare(st,
                          "UPDATE outbox SET state = 'pending', result_json = NULL, acked_at = NULL"
                          " WHERE mid >= ?1 AND state IN ('acked', 'rejected', 'conflict')",
                          &stmt, err);
    if (s == DP_OK) {
        sqlite3_bind_int64(stmt, 1, from_mid);
        s = store_step_done(st, stmt, "re-queue entries", err);
        *count = sqlite3_changes(store_db(st));
    }
    sqlite3_finalize(stmt);
    if (s == DP_OK)
        s = store_meta_set_int(st, SYNC_META_ACKED_MID, from_mid - 1, err);
    if (s == DP_OK)
        s = rebuild_from(st, from_mid, err);
    if (s == DP_OK) {
        char detail[96];
        snprintf(detail, sizeof detail, "%ld entries from mid %" PRId64 " queued again", *count,
                 from_mid);
        s = sync_log_add(st, "requeue", detail, err);
    }
    if (s == DP_OK)
        s = store_commit(st, err);
    if (s != DP_OK) {
        store_rollback(st);
        *count = 0;
    }
    return s;
}

/* The hash core/mutation.h gives the entry (the server compares it byte for byte). */
static enum dp_status
entry_hash(const struct outbox_cols *e, char *out, size_t outsize, struct dp_error *err)
{
    struct mutation m;
    enum dp_status s = store_outbox_mutation(e, &m, err);
    if (s != DP_OK)
        return s;
    s = mutation_hash(&m, out, outsize);
    mutation_done(&m);
    if (s != DP_OK)
        return dp_error_set(err, s, NULL, NULL);
    return DP_OK;
}

static enum dp_status
collect_mids(struct store *st, const char *sql, int64_t **mids, size_t *n, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    size_t cap = 0;
    *mids = NULL;
    *n = 0;
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            int64_t *bigger = realloc(*mids, ncap * sizeof *bigger);
            if (!bigger) {
                s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
                break;
            }
            *mids = bigger;
            cap = ncap;
        }
        (*mids)[(*n)++] = sqlite3_column_int64(stmt, 0);
    }
    if (s == DP_OK && rc != SQLITE_DONE)
        s = store_fail(st, rc, "read the outbox", err);
    sqlite3_finalize(stmt);
    return s;
}

static enum dp_status
remint(struct store *st, int64_t old_mid, int64_t new_mid, const char *user, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char id[37], hash[MUTATION_HASH_SIZE], hlc[80], op[24], t[16], rid[37];
    char cid[SYNC_CONFLICT_ID_MAX + 1], action[16], to[40];
    int64_t base_v = -1;
    char *bj = NULL, *sj = NULL, *comment = NULL;
    bool oom = false, has_cid = false, has_action = false, has_to = false;
    enum dp_status s = store_prepare(st,
                                     "SELECT hlc, op, t, rid, base_v, base_json, set_json,"
                                     " conflict_id, action, comment, assign_to FROM outbox"
                                     " WHERE mid = ?1",
                                     &stmt, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(stmt, 1, old_mid);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        copy_col(hlc, sizeof hlc, stmt, 0);
        copy_col(op, sizeof op, stmt, 1);
        copy_col(t, sizeof t, stmt, 2);
        copy_col(rid, sizeof rid, stmt, 3);
        base_v = sqlite3_column_type(stmt, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(stmt, 4);
        bj = column_dup(stmt, 5, &oom);
        sj = column_dup(stmt, 6, &oom);
        has_cid = sqlite3_column_type(stmt, 7) != SQLITE_NULL;
        copy_col(cid, sizeof cid, stmt, 7);
        has_action = sqlite3_column_type(stmt, 8) != SQLITE_NULL;
        copy_col(action, sizeof action, stmt, 8);
        comment = column_dup(stmt, 9, &oom);
        has_to = sqlite3_column_type(stmt, 10) != SQLITE_NULL;
        copy_col(to, sizeof to, stmt, 10);
    } else {
        s = dp_error_set(err, DP_ENOTFOUND, NULL, "outbox entry vanished");
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    record_new_id(id, sizeof id);
    if (s == DP_OK && oom)
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
    if (s == DP_OK) {
        struct outbox_cols e = {.mid = new_mid,
                                .mutation_id = id,
                                .hlc = hlc,
                                .op = op,
                                .t = t,
                                .rid = rid,
                                .base_v = base_v,
                                .base_json = bj,
                                .set_json = sj,
                                .conflict_id = has_cid ? cid : NULL,
                                .action = has_action ? action : NULL,
                                .comment = comment,
                                .assign_to = has_to ? to : NULL};
        s = entry_hash(&e, hash, sizeof hash, err);
    }
    if (s == DP_OK)
        s = store_prepare(st,
                          "UPDATE outbox SET mid = ?2, mutation_id = ?3, hash = ?4, user_id = ?5"
                          " WHERE mid = ?1",
                          &stmt, err);
    if (s == DP_OK) {
        sqlite3_bind_int64(stmt, 1, old_mid);
        sqlite3_bind_int64(stmt, 2, new_mid);
        store_bind_text(stmt, 3, id);
        store_bind_text(stmt, 4, hash);
        store_bind_text(stmt, 5, user);
        s = store_step_done(st, stmt, "renumber outbox entry", err);
    }
    sqlite3_finalize(stmt);
    free(bj);
    free(sj);
    free(comment);
    return s;
}

enum dp_status
store_sync_reregister(struct store *st, char *device_id, struct dp_error *err)
{
    int64_t *old = NULL, *pending = NULL;
    size_t nold = 0, npending = 0;
    char *user = NULL;
    char id[37];
    record_new_id(id, sizeof id);
    enum dp_status s = store_begin(st, err);
    if (s != DP_OK)
        return s;
    if ((s = store_meta_get(st, SYNC_META_USER, &user, err)) != DP_OK ||
        (s = collect_mids(
             st,
             "SELECT mid FROM outbox WHERE mid > 0 AND state NOT IN " SYNC_PENDING_STATES
             " ORDER BY mid",
             &old, &nold, err)) != DP_OK ||
        (s = collect_mids(st,
                          "SELECT mid FROM outbox WHERE mid > 0 AND state IN " SYNC_PENDING_STATES
                          " ORDER BY mid",
                          &pending, &npending, err)) != DP_OK)
        goto out;
    /* History below zero, out of the way of the new numbering and never pushed again. */
    int64_t low = 0;
    sqlite3_stmt *stmt = NULL;
    s = store_prepare(st, "SELECT coalesce(min(mid), 0) FROM outbox", &stmt, err);
    if (s == DP_OK && sqlite3_step(stmt) == SQLITE_ROW)
        low = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (low > 0)
        low = 0;
    if (s == DP_OK)
        s = store_prepare(st, "UPDATE outbox SET mid = ?2 WHERE mid = ?1", &stmt, err);
    for (size_t i = 0; i < nold && s == DP_OK; i++) {
        sqlite3_bind_int64(stmt, 1, old[i]);
        sqlite3_bind_int64(stmt, 2, --low);
        s = store_step_done(st, stmt, "keep outbox history", err);
    }
    sqlite3_finalize(stmt);
    for (size_t i = 0; i < npending && s == DP_OK; i++)
        s = remint(st, pending[i], (int64_t)i + 1, user ? user : "", err);
    if (s == DP_OK)
        s = store_meta_set(st, SYNC_META_DEVICE_ID, id, err);
    if (s == DP_OK)
        s = store_meta_set_int(st, SYNC_META_NEXT_MID, (int64_t)npending + 1, err);
    if (s == DP_OK)
        s = store_meta_set_int(st, SYNC_META_ACKED_MID, 0, err);
    if (s == DP_OK)
        s = store_meta_set(st, SYNC_META_HELLO_DUE, "1", err);
    if (s == DP_OK) {
        char detail[96];
        snprintf(detail, sizeof detail, "new device id; %zu pending entries renumbered", npending);
        s = sync_log_add(st, "reregister", detail, err);
    }
    if (s == DP_OK)
        s = store_commit(st, err);
out:
    if (s != DP_OK)
        store_rollback(st);
    else if (device_id)
        memcpy(device_id, id, sizeof id);
    free(old);
    free(pending);
    free(user);
    return s;
}

enum dp_status
store_sync_conflict_resolve(struct store *st, const char *conflict_id, const char *choose_json,
                            struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char t[16] = "", rid[37] = "", hid[37] = "", state[24] = "";
    cJSON *choose = NULL;
    struct record check = {0};
    bool found = false;
    enum dp_status s = store_prepare(
        st, "SELECT t, rid, hid, state FROM conflicts WHERE conflict_id = ?1", &stmt, err);
    if (s != DP_OK)
        return s;
    store_bind_text(stmt, 1, conflict_id);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        copy_col(t, sizeof t, stmt, 0);
        copy_col(rid, sizeof rid, stmt, 1);
        copy_col(hid, sizeof hid, stmt, 2);
        copy_col(state, sizeof state, stmt, 3);
        found = true;
    }
    sqlite3_finalize(stmt);
    const struct record_def *def = schema_record(t);
    if (!found || !def)
        return dp_error_set(err, DP_ENOTFOUND, NULL, "no conflict %s", conflict_id);
    if (strcmp(state, "open") != 0)
        return dp_error_set(err, DP_EINVAL, NULL, "conflict %s is not open", conflict_id);

    choose = choose_json ? cJSON_Parse(choose_json) : NULL;
    if (!choose || !cJSON_IsObject(choose)) {
        s = dp_error_set(err, DP_EINVAL, "choose", "is not a JSON object");
        goto out;
    }
    /* Every value must be one a form would accept; "_deleted" is a choice, not a field. */
    cJSON *values = cJSON_Duplicate(choose, true);
    const cJSON *del = cJSON_GetObjectItemCaseSensitive(choose, "_deleted");
    if (del && !cJSON_IsBool(del)) {
        cJSON_Delete(values);
        s = dp_error_set(err, DP_EINVAL, "_deleted", "must be true or false");
        goto out;
    }
    if (values)
        cJSON_DeleteItemFromObjectCaseSensitive(values, "_deleted");
    if (!values || record_init(&check, def) != DP_OK) {
        cJSON_Delete(values);
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    s = record_from_json(&check, values, err);
    for (const cJSON *f = values->child; s == DP_OK && f; f = f->next) {
        const struct field_def *fd = schema_field(def, f->string);
        if (fd && (fd->flags & (FF_SERVER | FF_IMMUTABLE)))
            s = dp_error_set(err, DP_EPERM, fd->name, "cannot be chosen here");
    }
    cJSON_Delete(values);
    if (s != DP_OK)
        goto out;
    if ((s = store_begin(st, err)) != DP_OK)
        goto out;
    struct outbox_entry e = {.t = def->name,
                             .rid = rid,
                             .hid = hid,
                             .op = "resolve_conflict",
                             .base_v = -1,
                             .set = choose,
                             .conflict_id = conflict_id};
    s = store_outbox_append(st, &e, NULL, err);
    if (s == DP_OK)
        s = set_conflict_state(st, conflict_id, "resolving", err);
    if (s == DP_OK)
        s = sync_materialize(st, def, rid, false, err);
    if (s == DP_OK)
        s = store_commit(st, err);
    else
        store_rollback(st);
out:
    record_done(&check);
    cJSON_Delete(choose);
    return s;
}
