/*
 * Conflicts and problems as the screens show them: what store/sync_store.h
 * keeps as JSON (conflict fields, push results, the sync log), read into
 * plain structs with canonical values, so nothing above the store parses
 * JSON; and the user's answers written back (a conflict's choice, a
 * rejected edit set aside).
 *
 * Values are canonical strings as in core/record.h ("" = unset): money in
 * fen, sets as comma-separated tokens, booleans "1"/"0". Nothing here puts a
 * value in an error message. Not thread-safe on one handle.
 */
#ifndef DOORSTEP_STORE_CONFLICTS_H
#define DOORSTEP_STORE_CONFLICTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/record.h"
#include "core/status.h"
#include "store/sync_store.h"

struct store;

/* ---- conflicts ------------------------------------------------------------------ */

/* One field of a conflict: the three values, canonical. */
struct conflict_field {
    int index;    /* field index in the record type */
    char *base;   /* before either side changed it */
    char *server; /* what the server holds ("theirs") */
    char *yours;  /* what this side sent */
};

struct conflict_item {
    char conflict_id[SYNC_CONFLICT_ID_MAX + 1];
    const struct record_def *def;
    char rid[37];
    char hid[37];
    char head_name[128]; /* the household's head, "" when the household is not held */
    char kind[24];       /* field | delete_vs_edit | out_of_scope_edit | a newer token */
    char state[24];      /* open | resolving (resolved here, not yet sent) */
    char opened_by[SYNC_USER_MAX + 1];
    char opened_at[32];
    struct conflict_field *fields; /* in schema order; fields the type lacks are left out */
    size_t nfields;
};

/*
 * Open and resolving conflicts, of one household (household_id) or all
 * (NULL), ordered by household head name, then record type and opening time.
 * A value that does not read as its field's type is shown as "" (the server
 * checks values; this only guards the screen). Free with
 * store_conflict_items_free(); on failure *out is NULL and *n 0.
 */
enum dp_status store_conflict_items(struct store *st, const char *household_id,
                                    struct conflict_item **out, size_t *n, struct dp_error *err);
void store_conflict_items_free(struct conflict_item *items, size_t n);

/* How a conflict about a deletion is settled. */
enum conflict_deletion {
    CONFLICT_FIELDS,       /* not about a deletion: `values` settle it */
    CONFLICT_KEEP_DELETED, /* the record stays deleted; `values` ignored */
    CONFLICT_RESTORE,      /* the record comes back with `values` */
};

/*
 * Settle an open conflict: values[i] is the final canonical value of
 * c->fields[i] (the server's, this side's, or a new one). Each value is
 * checked as a form would check it, and the choice goes to
 * store_sync_conflict_resolve() (one transaction: an outbox entry, the
 * conflict "resolving", the record rebuilt with the choice). DP_EINVAL
 * naming the field for a bad value, DP_ENOTFOUND when the conflict is gone,
 * DP_EINVAL when it is no longer open. Nothing is written on failure.
 */
enum dp_status store_conflict_choose(struct store *st, const struct conflict_item *c,
                                     enum conflict_deletion deletion, const char *const *values,
                                     struct dp_error *err);

/* ---- problems: rejected edits and failed syncs ------------------------------------- */

struct rejected_item {
    int64_t mid; /* the outbox entry */
    const struct record_def *def;
    char rid[37];
    char hid[37];
    char head_name[128]; /* "" when the household is not held */
    char op[24];         /* create | update | delete | resolve_conflict | ... */
    char reason[32];     /* the server's token: invalid, not_found, forbidden, ... */
    char field[48];      /* the field at fault, or "" */
    char message[200];   /* the server's English detail, or "" */
    char created_at[32]; /* when the edit was made */
    bool record_held;    /* the record is in the cache (live), so it can be opened */
};

/*
 * Rejected edits not set aside, newest answer first, at most `limit`. Free
 * *out with free().
 */
enum dp_status store_rejected_items(struct store *st, size_t limit, struct rejected_item **out,
                                    size_t *n, struct dp_error *err);

/*
 * What a rejected create or update tried to set: *out (initialised here,
 * record_done it) holds the values sent, and present[i] (caller's array of
 * def->nfields) says which fields the edit set. DP_ENOTFOUND when `mid` is
 * not a rejected entry (or has no values, e.g. a delete).
 */
enum dp_status store_rejected_values(struct store *st, int64_t mid, struct record *out,
                                     bool *present, struct dp_error *err);

/*
 * Set a rejected edit aside: it leaves the problems screen and the rejected
 * count. The entry is kept (its mid and result stay for the record; the
 * outbox numbering is never broken): it becomes an answered entry whose
 * result says "rejected" and "dismissed". Should the server ever lose its
 * log (a restore) the entry is sent again and comes back rejected.
 * DP_ENOTFOUND when `mid` is not a rejected entry.
 */
enum dp_status store_rejected_dismiss(struct store *st, int64_t mid, struct dp_error *err);

struct sync_failure {
    char at[32];       /* when (UTC, RFC 3339) */
    char message[200]; /* the one-line reason, as the sync recorded it */
};

/* The last failed syncs from sync_log, newest first, at most `limit`. Free *out with free(). */
enum dp_status store_sync_failures(struct store *st, size_t limit, struct sync_failure **out,
                                   size_t *n, struct dp_error *err);

#endif
