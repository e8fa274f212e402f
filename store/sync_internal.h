/*
 * Shared internals of the store's sync files (store/sync_*.c): row I/O on
 * working tables and base rows, rebase, removal and orphans. Only those files
 * include this. Every function runs inside the caller's transaction.
 */
#ifndef DOORSTEP_STORE_SYNC_INTERNAL_H
#define DOORSTEP_STORE_SYNC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mutation.h"
#include "store/internal.h"
#include "store/sync_store.h"

/* Outbox states that still wait for the server ('inflight' is never left behind, but count it). */
#define SYNC_PENDING_STATES "('pending', 'inflight')"

/* Working row of def/id into *out (initialised here; record_done it). *found false: empty. */
enum dp_status sync_row_read(struct store *st, const struct record_def *def, const char *id,
                             struct record *out, bool *found, struct dp_error *err);

/* Write r as the working row (insert or update every field, _v = r->v, _deleted, _dirty). */
enum dp_status sync_row_write(struct store *st, const struct record *r, bool dirty,
                              struct dp_error *err);

/*
 * Remove a working row. A household that still has rows of its own (members,
 * visits, needs kept for pending edits) becomes a hidden tombstone instead,
 * so the cache never holds a child without its household.
 */
enum dp_status sync_row_drop(struct store *st, const struct record_def *def, const char *id,
                             struct dp_error *err);

/* The base row (last server state) of def/rid into *out (initialised here). */
enum dp_status sync_base_read(struct store *st, const struct record_def *def, const char *rid,
                              struct record *out, bool *found, struct dp_error *err);
enum dp_status sync_base_write(struct store *st, const struct record *r, struct dp_error *err);
enum dp_status sync_base_drop(struct store *st, const char *t, const char *rid,
                              struct dp_error *err);

/* Outbox entries of t/rid still waiting for the server. */
enum dp_status sync_pending_for(struct store *st, const char *t, const char *rid, long *n,
                                struct dp_error *err);

/* True (in *held) when t/rid is held in orphans. */
enum dp_status sync_orphan_held(struct store *st, const char *t, const char *rid, bool *held,
                                struct dp_error *err);

/* Release t/rid from orphans (it came back into scope). */
enum dp_status sync_orphan_release(struct store *st, const char *t, const char *rid,
                                   struct dp_error *err);

/*
 * Rebuild the working row of def/rid: the base row (else the current working
 * row) with the pending outbox entries applied in mid order. No base and
 * nothing pending drops the row. Orphans are left alone. When `rebase_log`,
 * fields whose pending base value differs from the base row are noted in
 * sync_log ("will conflict"), by name only.
 */
enum dp_status sync_materialize(struct store *st, const struct record_def *def, const char *rid,
                                bool rebase_log, struct dp_error *err);

/*
 * A record leaves the cache: its base row goes; the working row goes too
 * unless edits are pending (deleted: kept until they are answered;
 * out of scope: moved to orphans). A household takes its members, visits and
 * needs with it, each by the same rule.
 */
enum dp_status sync_remove(struct store *st, const struct record_def *def, const char *rid,
                           enum sync_remove_reason reason, struct dp_error *err);

/* Drop orphans and hidden household tombstones nothing holds any more. */
enum dp_status sync_collect_garbage(struct store *st, struct dp_error *err);

/* Refresh the derived list data (newest visit, categories) after a row changed. */
enum dp_status sync_refresh_derived(struct store *st, const struct record_def *def,
                                    const char *household_id, struct dp_error *err);

/* Add a diagnostics line (never a personal value: kinds, ids and field names only). */
enum dp_status sync_log_add(struct store *st, const char *kind, const char *detail,
                            struct dp_error *err);

/* Highest mid this device ever made (next_mid - 1). */
enum dp_status sync_max_mid(struct store *st, int64_t *out, struct dp_error *err);

#endif
