/*
 * Server-side records: the row of a household, member, visit or need with
 * the bookkeeping the merge needs (per-field version and HLC), and the
 * change feed that every write goes through. Writing a record and logging
 * its change are one call, so no write can miss the feed.
 */
#ifndef DOORSTEP_SERVER_RECORDS_H
#define DOORSTEP_SERVER_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/record.h"
#include "core/schema.h"
#include "core/status.h"

#define SREC_MAX_FIELDS 32
#define SREC_HLC_SIZE   56 /* text form of an HLC, NUL included */

struct srec {
    struct record rec;                       /* values, v, deleted */
    int64_t fv[SREC_MAX_FIELDS];             /* version at which each field last changed */
    char fh[SREC_MAX_FIELDS][SREC_HLC_SIZE]; /* HLC of that change, "" if none */
    int64_t cseq;                            /* change sequence at creation */
    bool exists;                             /* loaded from the database */
};

/* Set up an empty record of type def (exists = false). */
enum dp_status srec_init(struct srec *s, const struct record_def *def);
void srec_done(struct srec *s);

/*
 * Load record `id` of type def into *s (initialised here; srec_done it
 * whatever the result). DP_ENOTFOUND leaves an empty record with its id set.
 */
enum dp_status srec_load(sqlite3 *db, const struct record_def *def, const char *id, struct srec *s,
                         struct dp_error *err);

/* The household a record belongs to: its own id for households. */
const char *srec_household_id(const struct srec *s);

/* Who caused a change, for the versions table and the change feed. */
struct change_ctx {
    const char *user;   /* login name or admin actor */
    const char *device; /* device id or "" */
    const char *kind;   /* "write", or "scope" for a record entering someone's scope */
};

/*
 * Store *s (insert or replace every column) and log the change: a new
 * sequence number, the change feed entry, and a versions row for s->rec.v.
 * Call inside a write transaction. For a new record, s->cseq is set to the
 * new sequence. *seq (may be NULL) gets the sequence number.
 */
enum dp_status srec_write(sqlite3 *db, struct srec *s, const struct change_ctx *ctx, int64_t *seq,
                          struct dp_error *err);

/*
 * Store a new record r at version 1 (every set field at version 1, HLC
 * `hlc` or "") and log it; *seq (may be NULL) gets its sequence number. For
 * a household the caller also records its first assignment (assign.h).
 */
enum dp_status records_insert(sqlite3 *db, const struct record *r, const char *hlc,
                              const struct change_ctx *ctx, int64_t *seq, struct dp_error *err);

/* Move an existing feed entry (t, rid) to a new sequence number without changing the record. */
enum dp_status changes_touch(sqlite3 *db, const char *t, const char *rid, const char *household_id,
                             const char *kind, int64_t *seq, struct dp_error *err);

/* The sequence number at which version v of (t, rid) was written; 0 when unknown. */
enum dp_status records_version_seq(sqlite3 *db, const char *t, const char *rid, int64_t v,
                                   int64_t *seq, struct dp_error *err);

/* One child of a household, as records_children reports it. */
struct child_ref {
    const struct record_def *def;
    const char *id;
    int64_t cseq;
    int64_t v;
    bool deleted;
};

/* Call fn for each member, visit and need of a household (deleted ones too). */
enum dp_status records_children(sqlite3 *db, const char *household_id,
                                enum dp_status (*fn)(const struct child_ref *, void *), void *arg,
                                struct dp_error *err);

#endif
