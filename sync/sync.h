/*
 * The sync engine: log in, and run one sync (push the outbox, then pull
 * every page) over one HTTPS connection, against docs/PROTOCOL.md.
 *
 * Both calls block until done, cancelled or given up; the TUI runs them on
 * the worker thread of sync/worker.h with its own store handle. Every step
 * that changes the cache is one store transaction, so a failure at any point
 * leaves the cache as the last good step left it, and the next sync picks up
 * from there (the same outbox entries, the same cursor).
 */
#ifndef DOORSTEP_SYNC_SYNC_H
#define DOORSTEP_SYNC_SYNC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/status.h"
#include "sync/retry.h"

struct store;

enum sync_phase {
    SYNC_PHASE_IDLE,
    SYNC_PHASE_CONNECT, /* login or handshake */
    SYNC_PHASE_PUSH,
    SYNC_PHASE_PULL,
    SYNC_PHASE_WAIT, /* backing off before a retry */
    SYNC_PHASE_DONE,
};

/* English name of a phase ("push"), N_() marked: translate with _() where shown. */
const char *sync_phase_name(enum sync_phase p);

struct sync_progress {
    enum sync_phase phase;
    long to_push;       /* edits waiting when the sync started */
    long pushed;        /* edits the server has answered */
    long pages;         /* pull pages applied */
    long records;       /* pulled changes applied */
    int64_t bytes_sent; /* on the wire, this sync */
    int64_t bytes_received;
    long requests;
    long retries;
    int64_t wait_ms; /* SYNC_PHASE_WAIT: the wait now starting */
};

struct sync_options {
    const char *server_url; /* from the config */
    const char *ca_file;    /* "" or NULL = system store */
    const char *pin_sha256; /* "" or NULL = no pin */
    const char *app_version;
    const atomic_int *cancel; /* set to stop soon (DP_ECANCELED); may be NULL */
    /* Called from the syncing thread after every step; may be NULL. */
    void (*progress)(void *ctx, const struct sync_progress *p);
    void *progress_ctx;
    /* Tuning (0 = default): mutations per push, changes and bytes per pull page. */
    long push_batch;
    long pull_limit;
    long pull_max_bytes;
    long low_speed_secs;  /* stall detection: slower than low_speed_bytes per second ... */
    long low_speed_bytes; /* ... for low_speed_secs aborts the transfer (then retried) */
    long connect_timeout_ms;
    struct retry_policy retry;
    retry_rng_fn rng; /* NULL = retry_rng_system */
    void *rng_ctx;
};

/* Defaults for everything but the server settings. */
void sync_options_init(struct sync_options *o);

struct sync_result {
    bool pushed; /* the push phase completed: nothing sendable left */
    bool pulled; /* the pull reached the end (has_more false) */
    long applied, merged, conflicts, rejected, duplicates; /* push results */
    long pages, puts, removes, conflict_updates, orphaned; /* pull */
    bool reset;                                            /* a full snapshot was pulled */
    char reset_reason[24];
    bool reregistered; /* became a new device (diverged or lost mids) */
    long requeued;     /* acknowledged edits sent again after a server restore */
    long requests, connections, retries;
    int64_t bytes_sent, bytes_received;
    char message[200]; /* one line: why it failed, or "" */
};

/*
 * Log in as `username` with `password` (not kept) and keep the token in the
 * cache (store_sync_login). DP_EAUTH for wrong credentials, DP_EBUSY when too
 * many attempts were made (res->message says how long to wait) or when the
 * cache holds unsent edits of another user, DP_ENETWORK, DP_EPROTO.
 */
enum dp_status sync_login(const struct sync_options *o, struct store *st, const char *username,
                          const char *password, struct sync_result *res, struct dp_error *err);

/* Revoke the token at the server (best effort) and forget it here. */
enum dp_status sync_logout(const struct sync_options *o, struct store *st, struct dp_error *err);

/*
 * One sync: handshake when due, push every pending edit (batches with their
 * Idempotency-Key, retried with backoff, halved on repeated timeouts), then
 * pull every page. DP_OK only when both completed. DP_EAUTH when there is no
 * valid login (the cache stays usable offline), DP_EVERSION when the server
 * does not accept this client's schema, DP_ENETWORK, DP_EPROTO (the server's
 * answer made no sense), DP_ECANCELED, or a store error. res->message has the
 * reason in one line.
 */
enum dp_status sync_run(const struct sync_options *o, struct store *st, struct sync_result *res,
                        struct dp_error *err);

#endif
