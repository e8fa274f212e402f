/*
 * Sync without blocking the TUI: a worker thread with its own store handle
 * and its own HTTPS connection runs sync_run() when asked, and every
 * `interval_minutes` when set. The TUI asks with sync_worker_request(), and
 * learns what happens by polling sync_worker_status() (a small struct copied
 * under a mutex); sync_worker_fd() becomes readable whenever the status
 * changed, so the TUI can add it to the poll() of its input loop instead of
 * polling on a timer. No call here waits on the network.
 */
#ifndef DOORSTEP_SYNC_WORKER_H
#define DOORSTEP_SYNC_WORKER_H

#include <stdbool.h>
#include <time.h>

#include "core/status.h"
#include "sync/sync.h"

struct sync_worker;

struct sync_worker_config {
    const char *data_dir;   /* the cache directory (opened again by the worker) */
    const char *server_url; /* copied */
    const char *ca_file;    /* copied; NULL or "" = system store */
    const char *pin_sha256; /* copied; NULL or "" = none */
    int interval_minutes;   /* 0 = only when asked */
    int interval_seconds;   /* when > 0, overrides interval_minutes (tests) */
    /* Tuning passed to sync_run (strings and callbacks in it are ignored); NULL = defaults. */
    const struct sync_options *tuning;
};

/* What the worker did last (or is doing). */
enum sync_job {
    SYNC_JOB_NONE,
    SYNC_JOB_SYNC,  /* sync_run */
    SYNC_JOB_LOGIN, /* sync_login */
};

struct sync_worker_status {
    bool ready;                    /* the worker opened its cache handle */
    bool running;                  /* a job is in progress */
    enum sync_job job;             /* the running job, or the last one */
    struct sync_progress progress; /* of the running sync, or the last one */
    unsigned long finished;        /* jobs finished; changes when one ends */
    enum dp_status last_status;    /* of the last finished job (DP_OK = complete) */
    struct sync_result last;       /* its counts and one-line message */
    time_t last_finished_at;       /* 0 before the first */
    time_t next_due;               /* next background sync, 0 when none is planned */
    char error[200];               /* the worker could not start (e.g. the cache) */
};

/*
 * Start the worker thread. It opens the cache in cfg->data_dir with
 * `passphrase` (copied, and wiped once the cache is open) and then waits for
 * requests or the interval. Returns at once; failures to open show in the
 * status (`error`, `ready` false). DP_ENOMEM or DP_EIO (no thread, no pipe).
 */
enum dp_status sync_worker_start(const struct sync_worker_config *cfg, const char *passphrase,
                                 struct sync_worker **out, struct dp_error *err);

/*
 * Ask for a sync now. False when one is already running (nothing is queued)
 * or the worker is not ready; the caller may say "sync already running".
 */
bool sync_worker_request(struct sync_worker *w);

/*
 * Log in on the worker thread (the login screen must not wait on the
 * network): `user` and `password` are copied, and the copy of the password
 * is wiped when the login is done. The outcome shows in the status as a
 * finished SYNC_JOB_LOGIN (DP_EAUTH for a wrong password, with a message).
 * False when a job is running or the worker is not ready.
 */
bool sync_worker_login(struct sync_worker *w, const char *user, const char *password);

/* Copy the current status; also drains sync_worker_fd(). Never blocks on the network. */
void sync_worker_status(struct sync_worker *w, struct sync_worker_status *out);

/* A descriptor that is readable when the status changed since the last sync_worker_status(). */
int sync_worker_fd(const struct sync_worker *w);

/* Cancel the running sync, if any (it ends soon with DP_ECANCELED, the cache consistent). */
void sync_worker_cancel(struct sync_worker *w);

/* Cancel, wait for the thread, close its cache handle and free everything. NULL is a no-op. */
void sync_worker_stop(struct sync_worker *w);

#endif
