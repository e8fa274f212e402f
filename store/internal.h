/*
 * Shared internals of store/: the handle, SQL helpers, error mapping, the
 * migration list and the outbox writer. Only the files of store/ and the store unit
 * tests include this; nothing above store/ sees SQLite.
 */
#ifndef DOORSTEP_STORE_INTERNAL_H
#define DOORSTEP_STORE_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>
/* SQLCipher declares sqlite3_key() only with this. */
#ifndef SQLITE_HAS_CODEC
#define SQLITE_HAS_CODEC 1
#endif
#include <sqlite3.h>

#include "core/mutation.h"
#include "core/record.h"
#include "core/status.h"
#include "store/store.h"

/* SQLCipher settings pinned on every open (docs/internals/store.md). */
#define STORE_KDF_ITER  64000
#define STORE_PAGE_SIZE 4096
#define STORE_BUSY_MS   5000
#define STORE_CACHE_KIB 8192

struct store {
    sqlite3 *db;
    char path[PATH_MAX];         /* the cache file, named in error messages */
    int version;                 /* PRAGMA user_version after migrations */
    bool read_only;              /* opened with store_options.read_only */
    struct store_search *search; /* the household list's cache (search.c); NULL until the first
                                    list call, then owned by the connection, freed when it closes */
};

/* ---- opening (open.c) ----------------------------------------------------- */

/*
 * store_open_with() that applies at most `max_version` migrations (<0 = all).
 * Tests use it to build caches as older releases left them.
 */
enum dp_status store_open_at(const char *dir, const char *passphrase,
                             const struct store_options *opt, int max_version, struct store **out,
                             struct dp_error *err);

/* The raw connection, for the store's own tests (fault injection, PRAGMA table_info). */
sqlite3 *store_db(struct store *st);

/* ---- SQL helpers (sql.c) -------------------------------------------------- */

/* Status for an SQLite result code plus the errno the VFS saw (0 if none). */
enum dp_status store_status_from_sqlite(int rc, int sys_errno);

/*
 * Fill *err for a failed SQLite call on st: the status by
 * store_status_from_sqlite, a message naming the cache file and `what` was
 * being done (never a value). Returns the status.
 */
enum dp_status store_fail(struct store *st, int rc, const char *what, struct dp_error *err);

/* sqlite3_exec of trusted SQL (no parameters, no rows wanted). */
enum dp_status store_exec(struct store *st, const char *sql, const char *what,
                          struct dp_error *err);

/* Prepare one statement; *stmt is NULL on failure. */
enum dp_status store_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt,
                             struct dp_error *err);

/* Step a statement that returns no rows (INSERT/UPDATE/DELETE) and reset it. */
enum dp_status store_step_done(struct store *st, sqlite3_stmt *stmt, const char *what,
                               struct dp_error *err);

/* Bind a C string as TEXT (copied by SQLite); NULL binds NULL. */
int store_bind_text(sqlite3_stmt *stmt, int idx, const char *s);

/* Column as a C string, "" for NULL; valid until the next step/reset/finalize. */
const char *store_column_text(sqlite3_stmt *stmt, int col);

/*
 * Write transactions. store_begin takes the write lock at once (BEGIN
 * IMMEDIATE) so a concurrent writer fails here, not halfway through.
 * store_rollback is safe to call when no transaction is open.
 */
enum dp_status store_begin(struct store *st, struct dp_error *err);
enum dp_status store_commit(struct store *st, struct dp_error *err);
void store_rollback(struct store *st);

/* A bounded string builder for SQL text assembled from trusted fragments. */
struct sqlbuf {
    char buf[4096];
    size_t len;
    bool overflow;
};
void sqlbuf_init(struct sqlbuf *b);
void sqlbuf_add(struct sqlbuf *b, const char *s);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
void store_utc_now(char *buf, size_t bufsize);

/* ---- migrations (migrate.c) ----------------------------------------------- */

/* Number of migrations this build knows: the newest schema version. */
int store_migration_count(void);

/*
 * Bring the open cache from st->version up to `target` (<= the count), each
 * migration in its own transaction together with its PRAGMA user_version.
 * On failure the cache stays at the last fully applied version.
 */
enum dp_status store_migrate(struct store *st, int target, struct dp_error *err);

/* ---- tables of records (tables.c) ---------------------------------------- */

/* Table holding records of type def ("households" for household), NULL if unknown. */
const char *store_table(const struct record_def *def);

/* ---- derived list data (derive.c), inside the writer's transaction ---- */

/* Recompute households._last_visit of one household from its non-deleted visits. */
enum dp_status store_refresh_last_visit(struct store *st, const char *household_id,
                                        struct dp_error *err);

/* Replace the household_categories rows of one household by the tokens of `categories`. */
enum dp_status store_refresh_categories(struct store *st, const char *household_id,
                                        const char *categories, struct dp_error *err);

/* ---- the household list's search and cache (search.c) ---------------------- */

/* Longest search text accepted, in bytes after trimming blanks. */
#define STORE_SEARCH_MAX 256

/* SQL functions on every connection that has listed households (search.c). */
#define STORE_SEARCH_SCAN_FN "doorstep_search_scan" /* (rowid, 4 searched columns): the scan */
#define STORE_SEARCH_HIT_FN  "doorstep_search_hit"  /* (rowid): among the last run's matches */

struct store_search;

/*
 * Start a list call: open a read transaction unless the caller holds one
 * (*began tells), and drop the cached matches and total when anything was
 * written since they were made, through this handle (sqlite3_total_changes)
 * or any other connection (PRAGMA data_version). Pair with store_list_leave
 * after the last query of the call. On failure nothing is left open.
 */
enum dp_status store_list_enter(struct store *st, bool *began, struct dp_error *err);
void store_list_leave(struct store *st, bool began);

/* The cached number of live households, if known; set it after counting. */
bool store_list_total(struct store *st, long *total);
void store_list_set_total(struct store *st, long total);

/*
 * Between store_list_enter and _leave: the rowids (in no order) of the live
 * households that a trimmed, non-empty search text of len bytes matches
 * (store.h, household_filter.search), from the cache when it can. *rowids
 * stays valid, and STORE_SEARCH_HIT_FN(rowid) answers from it, until the
 * next call of this function or store_list_enter.
 */
enum dp_status store_search_run(struct store *st, const char *text, size_t len,
                                const int64_t **rowids, size_t *n, struct dp_error *err);

/* How many search texts were answered by scanning the index, and by narrowing (tests, bench). */
void store_search_counts(struct store *st, long *scans, long *narrows);

/* ---- sync meta inside a transaction (meta.c) ------------------------------ */

/* Integer value of a sync_meta key; `dflt` when absent or not a number. */
enum dp_status store_meta_get_int(struct store *st, const char *key, int64_t dflt, int64_t *out,
                                  struct dp_error *err);
enum dp_status store_meta_set_int(struct store *st, const char *key, int64_t value,
                                  struct dp_error *err);

/* ---- the outbox (outbox.c) ------------------------------------------------ */

struct outbox_entry {
    const char *t;           /* record type */
    const char *rid;         /* record id */
    const char *hid;         /* household the record belongs to (its own id for households) */
    const char *op;          /* create | update | delete | resolve_conflict | review | assign */
    int64_t base_v;          /* update/delete: version the edit is based on; <0 stores NULL */
    cJSON *base;             /* update: base values of the changed fields, or NULL */
    cJSON *set;              /* create/update: new values; resolve_conflict: the choice */
    const char *conflict_id; /* resolve_conflict only */
    const char *action;      /* review only: submit | return | approve */
    const char *comment;     /* review: the comment, NULL for none */
    const char *to;          /* assign only: a login name, or "" to unassign */
};

/*
 * Append one entry inside the caller's open transaction: mid = next_mid
 * (gapless, then advanced), a fresh mutation id, the next HLC, created_at,
 * state pending and the SHA-256 of the canonical mutation JSON. The entry
 * must pass core's mutation_check (DP_EINVAL/DP_EPERM naming the part
 * otherwise, nothing written), so only what a server can parse is stored.
 * *mid gets the number used (may be NULL).
 */
enum dp_status store_outbox_append(struct store *st, const struct outbox_entry *e, int64_t *mid,
                                   struct dp_error *err);

/* An outbox row's stored columns, as text (NULL for SQL NULL). */
struct outbox_cols {
    int64_t mid;
    const char *mutation_id;
    const char *hlc; /* core/hlc.h text form */
    const char *op;
    const char *t;
    const char *rid;
    int64_t base_v;          /* -1 when NULL */
    const char *base_json;   /* update: base values */
    const char *set_json;    /* create/update: values; resolve_conflict: the choice */
    const char *conflict_id; /* resolve_conflict */
    const char *action;      /* review */
    const char *comment;     /* review, may be NULL */
    const char *assign_to;   /* assign */
};

/*
 * The entry as a core mutation (*m initialised here; mutation_done it), so
 * rebase and hashes use core/merge.h and core/mutation.h. DP_EINVAL when the
 * stored entry cannot be read back (err names the part); *m is then empty.
 */
enum dp_status store_outbox_mutation(const struct outbox_cols *e, struct mutation *m,
                                     struct dp_error *err);

/*
 * Next hybrid logical clock stamp (core/hlc.h; node = first 8 hex digits of
 * device_id), strictly greater than sync_meta hlc_last, which is updated.
 * Inside the caller's transaction.
 */
struct hlc;
enum dp_status store_hlc_next(struct store *st, struct hlc *out, struct dp_error *err);

#endif
