/*
 * The review flow and reassignment (docs/PROTOCOL.md 7.4, 7.5): a worker
 * submits a visit, a supervisor returns it with a comment or approves it,
 * and a supervisor gives a household to another worker. Each is an outbox
 * entry of its own (review, assign) written with the working row in one
 * transaction, checked here by the rules the server applies so that an
 * action bound to be refused never waits in the outbox.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "store/internal.h"
#include "store/sync_store.h"

/* The cache's login name and role ("" before the first login). */
static enum dp_status
login_of(struct store *st, char *user, size_t usize, char *role, size_t rsize, struct dp_error *err)
{
    char *u = NULL, *r = NULL;
    enum dp_status s = store_meta_get(st, SYNC_META_USER, &u, err);
    if (s == DP_OK && (!u || !*u)) {
        /* Caches that never logged in may name their user this way (store_record_save too). */
        free(u);
        u = NULL;
        s = store_meta_get(st, "user_id", &u, err);
    }
    if (s == DP_OK)
        s = store_meta_get(st, SYNC_META_ROLE, &r, err);
    snprintf(user, usize, "%s", u ? u : "");
    snprintf(role, rsize, "%s", r ? r : "");
    free(u);
    free(r);
    return s;
}

static enum dp_status
exec_texts(struct store *st, const char *sql, const char *const *args, int nargs, const char *what,
           struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    for (int i = 0; i < nargs; i++)
        store_bind_text(stmt, i + 1, args[i]);
    s = store_step_done(st, stmt, what, err);
    sqlite3_finalize(stmt);
    return s;
}

static const char *const action_names[] = {
    [STORE_REVIEW_SUBMIT] = "submit",
    [STORE_REVIEW_RETURN] = "return",
    [STORE_REVIEW_APPROVE] = "approve",
};

/* One visit, inside the open transaction. */
static enum dp_status
review_one(struct store *st, const char *id, enum store_review_action action, const char *comment,
           const char *user, bool supervisor, struct dp_error *err)
{
    struct record v = {0};
    enum dp_status s = store_record_get(st, &schema_visit, id, &v, err);
    if (s == DP_ENOTFOUND || (s == DP_OK && v.deleted)) {
        s = dp_error_set(err, DP_ENOTFOUND, "id", _("no visit with id %s"), id);
        goto out;
    }
    if (s != DP_OK)
        goto out;
    const char *state = record_get(&v, "review_state");
    const char *worker = record_get(&v, "worker");
    const char *to = NULL;
    switch (action) {
    case STORE_REVIEW_SUBMIT:
        if (*user && *worker && strcmp(user, worker) != 0) {
            s = dp_error_set(err, DP_EPERM, "worker",
                             _("only the worker who made visit %s can submit it"), id);
            goto out;
        }
        if (strcmp(state, "draft") != 0 && strcmp(state, "returned") != 0) {
            s = dp_error_set(err, DP_EINVAL, "review_state",
                             _("visit %s is not a draft or returned; it cannot be submitted"), id);
            goto out;
        }
        to = "submitted";
        break;
    case STORE_REVIEW_RETURN:
    case STORE_REVIEW_APPROVE:
        if (!supervisor) {
            s = dp_error_set(err, DP_EPERM, NULL, _("only a supervisor reviews visits"));
            goto out;
        }
        if (strcmp(state, "submitted") != 0) {
            s = dp_error_set(err, DP_EINVAL, "review_state",
                             _("visit %s is not submitted; it cannot be reviewed"), id);
            goto out;
        }
        to = action == STORE_REVIEW_RETURN ? "returned" : "approved";
        break;
    }

    /* The working row as the server will make it; reviewer and comment only from a review. */
    if (action == STORE_REVIEW_SUBMIT) {
        const char *args[] = {id, to};
        s = exec_texts(st, "UPDATE visits SET review_state = ?2, _dirty = 1 WHERE id = ?1", args, 2,
                       "review visit", err);
    } else if (comment) {
        const char *args[] = {id, to, user, comment};
        s = exec_texts(st,
                       "UPDATE visits SET review_state = ?2, reviewer = ?3, review_comment = ?4,"
                       " _dirty = 1 WHERE id = ?1",
                       args, 4, "review visit", err);
    } else {
        const char *args[] = {id, to, user};
        s = exec_texts(st,
                       "UPDATE visits SET review_state = ?2, reviewer = ?3, _dirty = 1"
                       " WHERE id = ?1",
                       args, 3, "review visit", err);
    }
    if (s == DP_OK) {
        struct outbox_entry e = {.t = "visit",
                                 .rid = id,
                                 .hid = record_get(&v, "household_id"),
                                 .op = "review",
                                 .base_v = -1,
                                 .action = action_names[action],
                                 .comment = comment};
        s = store_outbox_append(st, &e, NULL, err);
    }
out:
    record_done(&v);
    return s;
}

enum dp_status
store_visit_review(struct store *st, const char *const *visit_ids, size_t n,
                   enum store_review_action action, const char *comment, struct dp_error *err)
{
    char user[SYNC_USER_MAX + 1], role[16];
    if (!st || !visit_ids || n == 0)
        return dp_error_set(err, DP_EINVAL, NULL, "store_visit_review: no visits");
    if ((unsigned)action > STORE_REVIEW_APPROVE)
        return dp_error_set(err, DP_EINVAL, "action", "store_visit_review: unknown action");
    /* "" is no comment: a form's empty field. */
    if (comment && !*comment)
        comment = NULL;
    if (action == STORE_REVIEW_SUBMIT && comment)
        return dp_error_set(err, DP_EINVAL, "comment", _("a visit is submitted without comment"));
    if (action == STORE_REVIEW_RETURN && !comment)
        return dp_error_set(err, DP_EINVAL, "comment", _("say why the visit is returned"));

    enum dp_status s = store_begin(st, err);
    if (s != DP_OK)
        return s;
    s = login_of(st, user, sizeof user, role, sizeof role, err);
    bool supervisor = strcmp(role, "supervisor") == 0;
    for (size_t i = 0; i < n && s == DP_OK; i++) {
        if (!visit_ids[i]) {
            s = dp_error_set(err, DP_EINVAL, "id", "store_visit_review: a visit id is missing");
            break;
        }
        s = review_one(st, visit_ids[i], action, comment, user, supervisor, err);
    }
    if (s == DP_OK)
        s = store_commit(st, err);
    if (s != DP_OK)
        store_rollback(st);
    return s;
}

enum dp_status
store_household_assign(struct store *st, const char *household_id, const char *to,
                       struct dp_error *err)
{
    char user[SYNC_USER_MAX + 1], role[16];
    struct record h = {0};
    bool written = false;
    if (!st || !household_id || !to)
        return dp_error_set(err, DP_EINVAL, NULL, "store_household_assign: missing argument");
    enum dp_status s = store_begin(st, err);
    if (s != DP_OK)
        return s;
    if ((s = login_of(st, user, sizeof user, role, sizeof role, err)) != DP_OK)
        goto out;
    if (strcmp(role, "supervisor") != 0) {
        s = dp_error_set(err, DP_EPERM, NULL, _("only a supervisor reassigns households"));
        goto out;
    }
    s = store_record_get(st, &schema_household, household_id, &h, err);
    if (s == DP_ENOTFOUND || (s == DP_OK && h.deleted)) {
        s = dp_error_set(err, DP_ENOTFOUND, "id", _("no household with id %s"), household_id);
        goto out;
    }
    if (s != DP_OK)
        goto out;
    const char *cur = record_get(&h, "assigned_to");
    if (cur && strcmp(cur, to) == 0)
        goto out; /* nothing to do */
    const char *args[] = {household_id, to};
    s = exec_texts(st, "UPDATE households SET assigned_to = ?2, _dirty = 1 WHERE id = ?1", args, 2,
                   "reassign household", err);
    if (s == DP_OK) {
        struct outbox_entry e = {.t = "household",
                                 .rid = household_id,
                                 .hid = household_id,
                                 .op = "assign",
                                 .base_v = -1,
                                 .to = to};
        s = store_outbox_append(st, &e, NULL, err);
    }
    if (s == DP_OK)
        written = true;
out:
    if (written)
        s = store_commit(st, err);
    if (!written || s != DP_OK)
        store_rollback(st);
    record_done(&h);
    return s;
}
