/*
 * Bulk loading of server rows into the cache, the way a pull lands them:
 * working rows, base rows and the household list's derived data, in large
 * transactions, with no outbox entries (the rows are the server's, not user
 * edits). It fills a supervisor's 50,000-household cache for bench/ and
 * tests, and is the write path a pull page can share.
 *
 * Typical use:
 *     store_bulk_new(st, NULL, &b, &err);
 *     for each record: store_bulk_put(b, &rec, &err);
 *     store_bulk_finish(b, &err);
 *     store_bulk_free(b);
 *
 * While a bulk load is open its transaction holds the cache's write lock;
 * nothing else may write through the same handle until finish or free.
 */
#ifndef DOORSTEP_STORE_BULK_H
#define DOORSTEP_STORE_BULK_H

#include "core/record.h"
#include "core/status.h"

struct store;
struct store_bulk;

struct store_bulk_options {
    long batch;    /* records per transaction; 0 = one transaction for the whole load */
    int cache_kib; /* page cache while loading (restored by store_bulk_free); 0 = as is */
};

/*
 * Start a bulk load on an open, writable cache. opt NULL means the defaults
 * (batch 0). On success *out owns the loader (store_bulk_free it before
 * store_close). The first transaction begins at the first put, so a loader
 * that is never fed writes nothing. Failures: DP_EINVAL (bad argument, or a
 * read-only handle: DP_EREADONLY), DP_ENOMEM; *out is NULL.
 */
enum dp_status store_bulk_new(struct store *st, const struct store_bulk_options *opt,
                              struct store_bulk **out, struct dp_error *err);

/*
 * Put one record as the server holds it: rec->v is its server version
 * (>= 1) and rec->deleted marks a tombstone. The working row is created or
 * replaced whole (_v = rec->v, _dirty = 0), except when it carries a local
 * edit not yet acknowledged (_dirty): then only its base row moves and
 * rebasing the edit is the sync engine's job. The base row (the merge base:
 * compact JSON of the set fields, as record_to_json) is always replaced.
 * Support categories and the newest-visit date of the household list are
 * kept in step before each commit. A child may come before its household
 * (the foreign keys are checked at commit).
 *
 * Values are stored as given: the caller has checked them (the pull parser
 * with record_from_json, the generator by construction). Refused before
 * anything is written: no table for the type, an empty id or household_id,
 * v < 1 (DP_EINVAL). A storage failure (DP_EFULL, DP_EIO, ...) or a
 * commit that finds a child without its household (DP_EINVAL) rolls back the
 * open transaction (the records since the last commit; earlier batches stay)
 * and leaves the loader failed: later calls return DP_EINVAL.
 */
enum dp_status store_bulk_put(struct store_bulk *b, const struct record *rec, struct dp_error *err);

/*
 * Commit what is pending. The loader may be fed again afterwards (a new
 * transaction begins at the next put). Failures as store_bulk_put.
 */
enum dp_status store_bulk_finish(struct store_bulk *b, struct dp_error *err);

/* Records put since store_bulk_new, committed or not. */
long store_bulk_count(const struct store_bulk *b);

/* Roll back anything not finished and free the loader; NULL is a no-op. */
void store_bulk_free(struct store_bulk *b);

#endif
