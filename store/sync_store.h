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
#define SYNC_META_HELLO_DUE     "hello_due"  /* "1": open the next sync with a handshake */
#define SYNC_META_CLOCK_SKEW    "clock_skew" /* device minus server seconds, while too far off */

/* A device clock further than this from the server's is reported (status, sync_log). */
#define SYNC_CLOCK_SKEW_MAX (24 * 3600)

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
    char kind[24];                     /* field | delete_vs_edit | out_of_scope_edit | newer */
    char state[24];                    /* open | resolved | auto_resolved | a newer token */
    char opened_by[SYNC_USER_MAX + 1]; /* login name, "" when not sent */
    char opened_at[32];                /* RFC 3339, "" when not sent */
    char *fields_json;                 /* {"field":{"base","server","yours"},...} as sent */
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
    char conflict_id[SYNC_CONFLICT_ID_MAX + 1]; /* resolve_conflict only, else "" */
    char action[16];                            /* review only: submit | return | approve */
    char *comment;                              /* review: the comment, or NULL */
    bool has_to;                                /* assign: `to` is sent ("" unassigns) */
    char to[SYNC_USER_MAX + 1];                 /* assign only */
};

void sync_outbox_items_free(struct sync_outbox_item *items, size_t n);

/* ---- identity and login ------------------------------------------------------------------- */

struct sync_identity {
    char device_id[37];
    char user[SYNC_USER_MAX + 1]; /* "" before the first login */
    char role[16];
    char team[SYNC_TEAM_MAX + 1];
    char server_url[512];             /* the server the token belongs to */
    char token[SYNC_TOKEN_MAX + 1];   /* "" when logged out */
    int64_t token_expires_at;         /* Unix seconds, 0 when unknown */
    char cursor[SYNC_CURSOR_MAX + 1]; /* "" before the first pull */
    int64_t acked_mid;
    int64_t max_mid;      /* highest mid this device made */
    bool hello_due;       /* a handshake should open the next sync */
    int64_t clock_skew_s; /* device minus server seconds when last found too far off, else 0 */
};

/* Read who this cache is and where sync stands. Wipe it (sodium_memzero) when done. */
enum dp_status store_sync_identity(struct store *st, struct sync_identity *out,
                                   struct dp_error *err);

/*
 * Keep a successful login: the token (only ever in this encrypted cache),
 * its expiry, the user's role and team, and the server. Logging in as another
 * user or to another server starts the cache afresh for them (records, base
 * rows, conflicts, orphans, cursor, outbox history cleared; a new device id,
 * mids from 1), but only when no edit is waiting: DP_EBUSY otherwise, with
 * nothing changed. Edits made before the very first login are kept and
 * become this user's. One transaction.
 */
enum dp_status store_sync_login(struct store *st, const char *server_url, const char *user,
                                const char *role, const char *team, const char *token,
                                int64_t expires_at, struct dp_error *err);

/* Forget the token (logout, or the server said it is no longer valid). */
enum dp_status store_sync_forget_token(struct store *st, struct dp_error *err);

/* Record the end of a sync attempt: success time, or the one-line reason it failed. */
enum dp_status store_sync_finish(struct store *st, bool ok, const char *message,
                                 struct dp_error *err);

/*
 * Note how far the device clock is from the server's (`skew_s` = device
 * minus server, seconds, measured at a handshake or login). Beyond
 * SYNC_CLOCK_SKEW_MAX either way it is kept for doorstep status and written
 * to sync_log (a number, nothing personal); within it, an earlier warning is
 * cleared (and that is logged too). One transaction.
 */
enum dp_status store_sync_note_clock(struct store *st, int64_t skew_s, struct dp_error *err);

/* The handshake was done (or is needed again, e.g. after an epoch reset). */
enum dp_status store_sync_set_hello_due(struct store *st, bool due, struct dp_error *err);

/* ---- push ---------------------------------------------------------------------------------- */

/*
 * Up to max_items pending entries from the lowest pending mid, in mid order,
 * stopping before the estimated wire size passes max_bytes (one entry is
 * always taken). *items is NULL and *n 0 when nothing is pending. Free with
 * sync_outbox_items_free. Nothing is written: "in flight" lives in memory.
 */
enum dp_status store_sync_outbox_take(struct store *st, size_t max_items, size_t max_bytes,
                                      struct sync_outbox_item **items, size_t *n,
                                      struct dp_error *err);

struct sync_push_stats {
    long applied, merged, conflicts, rejected, duplicates, other;
    bool diverged;      /* the server knows mids this device never made: re-register */
    bool server_behind; /* the server forgot acknowledged mids: re-push from last_mid + 1 */
};

/*
 * Apply a push answer in one transaction: each result's entry becomes acked,
 * rejected (kept with the server's reason) or conflict, with the result kept;
 * acked_mid moves to last_mid; records whose edits were not taken as sent are
 * rebuilt from their base rows; orphans nothing holds any more are purged.
 * When the answer cannot belong to this device (last_mid above every mid it
 * made) nothing is written and stats->diverged is set.
 */
enum dp_status store_sync_push_done(struct store *st, const struct sync_push_reply *reply,
                                    struct sync_push_stats *stats, struct dp_error *err);

/*
 * The server lost mutations from `from_mid` on (restored from a backup, or a
 * gap): acknowledged entries from there are made pending again, to be pushed
 * with their original mids and hashes. DP_ENOTFOUND when entry from_mid is no
 * longer held (the caller then re-registers). One transaction.
 */
enum dp_status store_sync_requeue(struct store *st, int64_t from_mid, long *count,
                                  struct dp_error *err);

/*
 * Become a new device: a fresh device id; pending entries renumbered from
 * mid 1 in their order, with new mutation ids and hashes; older entries kept
 * for the record under negative mids (never pushed again); acked_mid 0.
 * *device_id (37 bytes) gets the new id. One transaction.
 */
enum dp_status store_sync_reregister(struct store *st, char *device_id, struct dp_error *err);

/* ---- pull ---------------------------------------------------------------------------------- */

/*
 * Where the next pull starts: *cursor (malloc'd, NULL for a first pull). A
 * full snapshot interrupted by a crash restarts from the beginning here.
 */
enum dp_status store_sync_pull_begin(struct store *st, char **cursor, struct dp_error *err);

struct sync_page_stats {
    long puts, removes, conflicts, skipped, orphaned;
    bool diverged;      /* last_mid above every mid this device made */
    bool server_behind; /* last_mid below acked_mid: the server forgot mutations */
    bool snapshot_done; /* a full snapshot ended with this page and stale rows were swept */
};

/*
 * Apply one pulled page in one transaction: puts to base rows and working
 * rows (rebasing records with pending edits), removes (orphans for pending
 * edits), conflicts, and the cursor. A page that starts a reset (or a first
 * pull) begins a snapshot; the last page of a snapshot removes every
 * server-origin row it did not bring, keeping the outbox and re-applying
 * pending edits. On failure nothing of the page is kept.
 */
enum dp_status store_sync_apply_page(struct store *st, const struct sync_page *page,
                                     struct sync_page_stats *stats, struct dp_error *err);

/*
 * {"household":{"n":N,"h":HEX},...}: per type, the count and the SHA-256 of
 * the sorted ids of server rows held (PROTOCOL.md 9.5). *json malloc'd.
 */
enum dp_status store_sync_digest(struct store *st, char **json, struct dp_error *err);

/* ---- what the user sees ------------------------------------------------------------------ */

struct sync_status_info {
    long pending;   /* edits waiting to be sent */
    long rejected;  /* edits the server refused (kept, with its reason) */
    long conflicts; /* open conflicts */
    long resolving; /* conflicts resolved here, resolution not yet sent */
    long orphans;   /* records out of scope, held for pending edits */
    char user[SYNC_USER_MAX + 1];
    char role[16];
    char server_url[512];
    bool logged_in;           /* a token is held (it may have expired) */
    int64_t token_expires_at; /* Unix seconds, 0 when unknown */
    char last_success[32];    /* RFC 3339, "" when never */
    char last_attempt[32];
    char last_error[200]; /* "" after a success */
    int64_t clock_skew_s; /* device clock minus the server's, seconds, when over
                             SYNC_CLOCK_SKEW_MAX at the last check; else 0 */
};

enum dp_status store_sync_status(struct store *st, struct sync_status_info *out,
                                 struct dp_error *err);

struct sync_rejected {
    int64_t mid;
    char t[16];
    char rid[37];
    char op[24];
    char reason[32];   /* the server's token, e.g. "invalid", "not_found" */
    char field[48];    /* the field at fault, or "" */
    char message[200]; /* the server's English detail, or "" */
    char created_at[32];
};

/* Rejected edits, newest first, at most `limit`. Free *out with free(). */
enum dp_status store_sync_rejected(struct store *st, size_t limit, struct sync_rejected **out,
                                   size_t *n, struct dp_error *err);

struct sync_conflict {
    char conflict_id[SYNC_CONFLICT_ID_MAX + 1];
    const struct record_def *def;
    char rid[37];
    char hid[37]; /* household, for the list */
    char kind[24];
    char state[24]; /* open | resolving | resolved | auto_resolved | ... */
    char opened_by[SYNC_USER_MAX + 1];
    char opened_at[32];
    char *fields_json; /* {"field":{"base":..,"server":..,"yours":..},...} */
};

/* Conflicts (open and resolving only when open_only). Free with store_sync_conflicts_free. */
enum dp_status store_sync_conflicts(struct store *st, bool open_only, struct sync_conflict **out,
                                    size_t *n, struct dp_error *err);
void store_sync_conflicts_free(struct sync_conflict *c, size_t n);

/*
 * The user's choice for an open conflict: `choose_json` is an object with a
 * final value for the conflict's fields (and "_deleted" for delete_vs_edit).
 * One transaction: a resolve_conflict outbox entry, the conflict marked
 * "resolving", and the record rebuilt with the choice. DP_ENOTFOUND for an
 * unknown conflict, DP_EINVAL (naming the field) for a bad choice.
 */
enum dp_status store_sync_conflict_resolve(struct store *st, const char *conflict_id,
                                           const char *choose_json, struct dp_error *err);

/*
 * Consistency check for tests and support: PRAGMA integrity_check, no
 * foreign-key violation (a child without its household), and no pending
 * outbox entry above next_mid. DP_ECORRUPT with the first problem in err.
 */
enum dp_status store_sync_check(struct store *st, struct dp_error *err);

/* Add a diagnostics line to sync_log (kinds, ids and field names only). */
enum dp_status store_sync_log(struct store *st, const char *kind, const char *detail,
                              struct dp_error *err);

#endif
