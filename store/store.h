/*
 * The local cache: an SQLCipher database in the data directory, holding the
 * worker's households, members, visits and needs, plus the sync bookkeeping
 * (base rows, outbox, conflicts, orphans, sync meta and log).
 *
 * Nothing above this layer sees SQL. Every user edit is one call and one
 * transaction: the working row and its outbox entry commit together or not
 * at all. Calls are not thread-safe on one handle; a sync worker opens its own.
 */
#ifndef DOORSTEP_STORE_STORE_H
#define DOORSTEP_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/record.h"
#include "core/schema.h"
#include "core/status.h"

struct store;

/* File name of the cache inside the data directory. */
#define STORE_FILE_NAME "cache.db"

/* True when `dir` already holds a cache file (first run vs unlock). */
bool store_exists(const char *dir);

/*
 * Open (or, when missing, create) the cache in `dir` with the key derived
 * from `passphrase` by SQLCipher. Creates `dir` (and missing parents) with
 * mode 0700 if needed and the files with 0600. A directory or cache file that
 * others may read is tightened to 0700/0600 when it belongs to us and refused
 * (DP_EPERM) when it belongs to another user; a symbolic link or non-regular
 * cache file is refused too. Runs pending schema migrations. On success *out
 * owns the handle. The process umask is 077 during the call (umask is
 * per process: do not create files in other threads meanwhile).
 * Failures: DP_EINVAL (empty passphrase), DP_EPASSPHRASE (wrong passphrase or
 * a foreign file, e.g. a plain SQLite database: nothing is written),
 * DP_ECORRUPT, DP_EVERSION (made by a newer Doorstep), DP_EREADONLY, DP_EFULL,
 * DP_EPERM, DP_EBUSY, DP_EIO; *out is NULL and the file is unchanged (a cache
 * file created by this call is removed again).
 */
enum dp_status store_open(const char *dir, const char *passphrase, struct store **out,
                          struct dp_error *err);

struct store_options {
    bool read_only; /* never write: the cache must exist (else DP_ENOTFOUND) and be at
                       the newest schema (else DP_EREADONLY); edits fail DP_EREADONLY */
};

/* store_open() with options; opt NULL means the defaults (read-write). */
enum dp_status store_open_with(const char *dir, const char *passphrase,
                               const struct store_options *opt, struct store **out,
                               struct dp_error *err);

/* Close the handle; NULL is a no-op. */
void store_close(struct store *st);

/* Schema version of the open cache (the number of migrations applied). */
int store_schema_version(struct store *st);

/* ---- the household list (home screen) ---------------------------------- */

/* Text sorts by code point (byte order of UTF-8), not by pinyin; descending reverses all keys. */
enum store_sort {
    STORE_SORT_NAME,       /* head name, then id */
    STORE_SORT_VILLAGE,    /* village, then head name */
    STORE_SORT_RISK,       /* red, yellow, green, then next due */
    STORE_SORT_NEXT_DUE,   /* soonest first, unset last */
    STORE_SORT_LAST_VISIT, /* longest ago first, never visited first */
};

struct household_filter {
    const char *search;   /* NULL or blank: no search; else (trimmed) a substring of the head
                             name, phone or address, or with 4+ characters the tail of the
                             head's ID number; ASCII letters match either case */
    unsigned risk_mask;   /* bit i set = schema_risk_choices[i] shown; 0 = all */
    const char *village;  /* exact village, NULL = any */
    const char *category; /* support category token, NULL = any */
    bool overdue_only;    /* next visit due before `today` */
    bool unsynced_only;   /* with pending outbox entries */
    char today[11];       /* YYYY-MM-DD, for overdue */
    enum store_sort sort;
    bool descending;
};

struct household_row {
    char id[37];
    char head_name[128];
    char village[128];
    char risk[8];         /* risk token */
    char categories[128]; /* canonical set string */
    char last_visit[11];  /* date of the newest visit, "" if none */
    char next_due[11];    /* "" if unset */
    bool overdue;         /* next_due before the filter's today */
    bool unsynced;        /* pending outbox entries for it or its children */
    bool conflict;        /* open conflicts for it or its children */
    bool warning;         /* an early warning is raised */
};

/* Count matching households (*matched) and all households (*total). */
enum dp_status store_household_count(struct store *st, const struct household_filter *f,
                                     long *matched, long *total, struct dp_error *err);

/*
 * Fill rows[0..limit) with the matching households from position `offset`
 * in the filter's order; *nrows gets how many were filled. Uses indexes and
 * never reads the whole table into memory.
 */
enum dp_status store_household_window(struct store *st, const struct household_filter *f,
                                      long offset, int limit, struct household_row *rows,
                                      int *nrows, struct dp_error *err);

/*
 * Set or clear the early-warning marker the list shows for a household
 * (household_row.warning). It is local bookkeeping, computed by the caller
 * with core/rules.h rules_warnings(), never synced: no outbox entry.
 * DP_ENOTFOUND when the household is not in the cache.
 */
enum dp_status store_household_set_warning(struct store *st, const char *household_id, bool warning,
                                           struct dp_error *err);

/* ---- records ------------------------------------------------------------ */

/*
 * Read one record by id into *out (initialised here; record_done() it). A
 * tombstone is returned with out->deleted set. DP_ENOTFOUND if none; on any
 * failure *out holds nothing to free.
 */
enum dp_status store_record_get(struct store *st, const struct record_def *def, const char *id,
                                struct record *out, struct dp_error *err);

/*
 * The records of type `def` that belong to a household (members, visits,
 * needs), in display order (visits newest first). *out is an array of *n
 * initialised records (NULL when *n is 0); free with store_record_list_free().
 * Tombstones are left out. DP_EINVAL for households (not a child type).
 */
enum dp_status store_record_list(struct store *st, const struct record_def *def,
                                 const char *household_id, struct record **out, size_t *n,
                                 struct dp_error *err);
void store_record_list_free(struct record *recs, size_t n);

/*
 * Save a user edit: create the record if its id is new, otherwise update the
 * fields that differ from the working row. The record is validated first
 * (record_validate, today from the clock). The working row and one outbox
 * entry (op create/update, base version, base values of exactly the changed
 * fields, new values) are written in one transaction. Saving an unchanged
 * record writes nothing. rec->v and rec->deleted are ignored.
 * Refused: an invalid value (DP_EINVAL, err->field names it), a change of an
 * FF_IMMUTABLE field (DP_EINVAL), any value in an FF_SERVER field that differs
 * from the cache (DP_EPERM), a change of a visit's review_state, reviewer or
 * review_comment, or any change of a visit that is submitted or approved
 * (DP_EPERM: visits move only through store_visit_review), a child whose
 * household is missing or deleted or an edit of a tombstone (DP_ENOTFOUND).
 * Storage failures as store_open.
 * On failure nothing is written and the caller still holds its input.
 */
enum dp_status store_record_save(struct store *st, const struct record *rec, struct dp_error *err);

/*
 * Delete (tombstone locally + outbox delete entry), one transaction. A
 * household's tombstone covers its members, visits and needs (as on the
 * server: one outbox entry). DP_ENOTFOUND when missing or already deleted.
 */
enum dp_status store_record_delete(struct store *st, const struct record_def *def, const char *id,
                                   struct dp_error *err);

/* ---- review and assignment (docs/PROTOCOL.md 7.4, 7.5) ----------------- */

enum store_review_action {
    STORE_REVIEW_SUBMIT,  /* the visit's worker: draft or returned -> submitted; no comment */
    STORE_REVIEW_RETURN,  /* a supervisor: submitted -> returned; comment required (1-200) */
    STORE_REVIEW_APPROVE, /* a supervisor: submitted -> approved; comment optional */
};

/*
 * Review visits: `n` (>= 1) visit ids, one transaction for all of them, one
 * outbox `review` entry each, so a supervisor approving a page of visits
 * gets all or none. The working rows show the outcome at once (review_state;
 * for return and approve also reviewer = the logged-in user, and
 * review_comment = `comment` when given); the server's answer and the next
 * pull settle it. Checked here as the server will check, so a doomed review
 * is not queued: DP_ENOTFOUND for a visit missing or deleted (err->msg names
 * its id); DP_EINVAL, field "review_state", when the visit is not in a state
 * the action starts from (an edit of it still waiting counts); DP_EINVAL,
 * field "comment", for a comment missing (return), present (submit) or
 * over 200 characters; DP_EPERM for return/approve when the cache's login is
 * not a supervisor, and for a submit of another worker's visit. On any
 * failure nothing is written. `comment` may be NULL; the caller keeps its
 * strings.
 */
enum dp_status store_visit_review(struct store *st, const char *const *visit_ids, size_t n,
                                  enum store_review_action action, const char *comment,
                                  struct dp_error *err);

/*
 * Reassign a household to the worker `to` (a login name; "" leaves it
 * unassigned): supervisors only (DP_EPERM otherwise, judged by the cache's
 * login). One transaction: assigned_to in the working row and one outbox
 * `assign` entry. The server checks that `to` is a worker of the team and
 * may refuse (kept as a rejected edit with its reason). Assigning to the
 * current assignee writes nothing. DP_ENOTFOUND for a missing or deleted
 * household, DP_EINVAL (field "to") for a malformed login name.
 */
enum dp_status store_household_assign(struct store *st, const char *household_id, const char *to,
                                      struct dp_error *err);

/* ---- drafts: typed-but-unsaved form input, so a crash loses nothing ----- */

/* Store `text` under `key` (e.g. "visit:<id>"), replacing any earlier draft. */
enum dp_status store_draft_put(struct store *st, const char *key, const char *text,
                               struct dp_error *err);
/* *text is malloc'd (caller frees) or NULL when there is no draft. */
enum dp_status store_draft_get(struct store *st, const char *key, char **text,
                               struct dp_error *err);
enum dp_status store_draft_drop(struct store *st, const char *key, struct dp_error *err);

/* ---- sync bookkeeping -------------------------------------------------- */

/*
 * sync_meta key/value (device_id, user (the login name), cursor, next_mid, hlc_last, ...).
 * *value is malloc'd, or NULL when the key is absent; setting NULL removes
 * the key. device_id is made when the cache is created; next_mid and
 * hlc_last belong to the outbox writer and should only be read.
 */
enum dp_status store_meta_get(struct store *st, const char *key, char **value,
                              struct dp_error *err);
enum dp_status store_meta_set(struct store *st, const char *key, const char *value,
                              struct dp_error *err);

/* Outbox entries not yet acknowledged (state pending or inflight), and open conflicts. */
enum dp_status store_pending_count(struct store *st, long *pending, long *conflicts,
                                   struct dp_error *err);

#endif
