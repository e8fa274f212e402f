/*
 * The cache side of sync: what the sync engine (sync/) reads from and writes
 * to the store. Wire data arrives here already parsed and checked by
 * sync/proto.c into the plain structs below; nothing here talks HTTP.
 *
 * Every function that changes the cache runs in one transaction: a pulled
 * page (base rows, working rows, conflicts, cursor, acks) commits whole or not
 * at all, and so do the results of one push. docs/internals/sync.md explains
 * the bookkeeping (base rows, rebase, orphans, resets).
 *
 * Not thread-safe on one handle; the sync worker opens its own handle.
 */
#ifndef DOORSTEP_STORE_SYNC_STORE_H
#define DOORSTEP_STORE_SYNC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/record.h"
#include "core/schema.h"
#include "core/status.h"

struct store;

/* Bounds on server-made strings, checked by the parser before they reach the store. */
#define SYNC_CURSOR_MAX      256 /* opaque pull cursor */
#define SYNC_CONFLICT_ID_MAX 64  /* conflict ids: UUIDs, but the mutation module allows 64 */
#define SYNC_TOKEN_MAX       128 /* bearer token */
#define SYNC_TOKEN_LEN       64  /* a token the protocol promises: at most 64 characters */
#define SYNC_HASH_MAX        100 /* mutation hash */
#define SYNC_HLC_MAX         64  /* hybrid logical clock text */
#define SYNC_EPOCH_MAX       64
#define SYNC_USER_MAX        32 /* login names */
#define SYNC_TEAM_MAX        64

/* sync_meta keys this layer uses (the store owns device_id, next_mid and hlc_last). */
#define SYNC_META_DEVICE_ID     "device_id"
#define SYNC_META_NEXT_MID      "next_mid"
#define SYNC_META_ACKED_MID     "acked_mid" /* highest mid the server acknowledged */
#define SYNC_META_USER          "user"      /* login name the cache belongs to */
#define SYNC_META_ROLE          "role"      /* worker | supervisor */
#define SYNC_META_TEAM          "team"
#define SYNC_META_TOKEN         "token" /* bearer token: only ever in the encrypted cache */
#define SYNC_META_TOKEN_EXPIRES "token_expires_at" /* Unix seconds */
#define SYNC_META_SERVER        "server_url"       /* the server the token and cursor belong to */
#define SYNC_META_EPOCH         "epoch"
#define SYNC_META_CURSOR        "cursor"
#define SYNC_META_RESET         "reset" /* reason while a full snapshot is being pulled */
#define SYNC_META_LAST_SUCCESS  "last_success_at"
#define SYNC_META_LAST_ATTEMPT  "last_attempt_at"
#define SYNC_META_LAST_ERROR    "last_error" /* one line, never a personal value */
#define SYNC_META_SYNC_COUNT    "sync_count" /* completed syncs, for the every-tenth digest */

/* ---- pulled changes ------------------------------------------------------------------- */

enum sync_change_op {
    SYNC_PUT,      /* a record's complete current state */
    SYNC_REMOVE,   /* a record leaves the cache */
    SYNC_CONFLICT, /* a conflict's current state */
};

enum sync_remove_reason {
    SYNC_REMOVE_DELETED,      /* tombstoned for everyone */
    SYNC_REMOVE_OUT_OF_SCOPE, /* no longer ours (also any reason this build does not know) */
};

struct sync_change {
    int64_t seq; /* server change sequence */
    enum sync_change_op op;
    const struct record_def *def;               /* record type */
    char rid[37];                               /* record id */
    int64_t v;                                  /* put: version; remove: tombstone version or -1 */
    enum sync_remove_reason reason;             /* remove only */
    bool in_scope;                              /* put with reason "in_scope" */
    struct record row;                          /* put only: the row, checked by record_from_json */
    char conflict_id[SYNC_CONFLICT_ID_MAX + 1]; /* conflict only, and the rest below */
    char kind[24];     /* field | delete_vs_edit | out_of_scope_edit | a newer token */
    char state[24];    /* open | resolved | auto_resolved | a newer token */
    char *detail_json; /* {"kind","state","opened_by","opened_at","fields"} as stored */
};

struct sync_page {
    char cursor[SYNC_CURSOR_MAX + 1]; /* store with the page; "" never happens */
    int64_t upto;                     /* highest server seq when the page was read */
    bool has_more;                    /* more pages follow */
    int64_t last_mid;                 /* the server's last_mid for this user and device */
    bool reset;                       /* this page starts a full snapshot */
    char reset_reason[24];            /* epoch | scope | cursor_expired | digest | newer */
    struct sync_change *changes;
    size_t nchanges;
    size_t nskipped; /* changes with an op this build does not know, ignored */
};

/* Set up an empty page. */
void sync_page_init(struct sync_page *p);
/* Free the changes; the page is empty again. */
void sync_page_done(struct sync_page *p);

/* ---- push results --------------------------------------------------------------------- */

enum sync_result_status {
    SYNC_RES_APPLIED,
    SYNC_RES_MERGED,
    SYNC_RES_CONFLICT,
    SYNC_RES_REJECTED,
    SYNC_RES_DUPLICATE,
    SYNC_RES_OTHER, /* a status this build does not know: treated like a conflict */
};

struct sync_push_result {
    int64_t mid;
    enum sync_result_status status;
    int64_t v;                                  /* -1 when absent */
    char conflict_id[SYNC_CONFLICT_ID_MAX + 1]; /* conflict only */
    char reason[32];                            /* rejected only */
    char field[48];                             /* rejected: the field at fault, or "" */
    bool replayed;
    char *json; /* the result object as received, kept as the entry's result_json */
};

enum sync_stop {
    SYNC_STOP_NONE,
    SYNC_STOP_GAP,      /* resend from stopped_mid (expected_mid) */
    SYNC_STOP_DIVERGED, /* the server holds another mutation at stopped_mid */
    SYNC_STOP_OTHER,    /* a reason this build does not know */
};

struct sync_push_reply {
    int64_t last_mid;
    struct sync_push_result *results;
    size_t nresults;
    enum sync_stop stopped;
    int64_t stopped_mid;
};

void sync_push_reply_init(struct sync_push_reply *r);
void sync_push_reply_done(struct sync_push_reply *r);

/* ---- the outbox as sync sees it --------------------------------------------------------- */

struct sync_outbox_item {
    int64_t mid;
    char mutation_id[37];
    char hash[SYNC_HASH_MAX + 1];
    char hlc[SYNC_HLC_MAX + 1];
    char op[24];     /* create | update | delete | resolve_conflict | ... */
    char t[16];      /* record type */
    char rid[37];    /* record id */
    int64_t base_v;  /* -1 when none */
    char *base_json; /* object text or NULL */
    char *set_json;  /* object text or NULL (choose for resolves) */
    char conflict_id[SYNC_CONFLICT_ID_MAX + 1]; /* resolve_conflict only */
};

void sync_outbox_items_free(struct sync_outbox_item *items, size_t n);

#endif
