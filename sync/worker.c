#include "sync/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/i18n.h"
#include "store/store.h"

struct sync_worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int pipe_rd, pipe_wr;
    atomic_int cancel;
    /* configuration, owned */
    char *data_dir, *server_url, *ca_file, *pin_sha256;
    char *passphrase; /* wiped and freed once the cache is open */
    int interval_minutes;
    int interval_seconds;
    struct sync_options tuning;
    /* shared state, under lock */
    bool quit;
    bool requested;
    enum sync_job want;                /* the job requested */
    char *login_user, *login_password; /* for SYNC_JOB_LOGIN; the password wiped after */
    bool signalled;                    /* a byte is in the pipe */
    struct sync_worker_status st;
};

/* Under the lock: wake the TUI's poll() once until it reads the status. */
static void
notify_locked(struct sync_worker *w)
{
    if (w->signalled)
        return;
    char b = 1;
    if (write(w->pipe_wr, &b, 1) == 1)
        w->signalled = true;
}

static void
on_progress(void *ctx, const struct sync_progress *p)
{
    struct sync_worker *w = ctx;
    pthread_mutex_lock(&w->lock);
    w->st.progress = *p;
    notify_locked(w);
    pthread_mutex_unlock(&w->lock);
}

static time_t
due_after(const struct sync_worker *w, time_t from)
{
    if (w->interval_seconds > 0)
        return from + w->interval_seconds;
    return w->interval_minutes > 0 ? from + (time_t)w->interval_minutes * 60 : 0;
}

static void
forget_login(struct sync_worker *w)
{
    if (w->login_password) {
        sodium_memzero(w->login_password, strlen(w->login_password));
        free(w->login_password);
        w->login_password = NULL;
    }
    free(w->login_user);
    w->login_user = NULL;
}

static void *
worker_main(void *arg)
{
    struct sync_worker *w = arg;
    struct store *st = NULL;
    struct dp_error err;
    dp_error_clear(&err);
    /* The TUI made the cache; the worker must never create an empty one elsewhere. */
    enum dp_status rc =
        store_exists(w->data_dir)
            ? store_open(w->data_dir, w->passphrase, &st, &err)
            : dp_error_set(&err, DP_ENOTFOUND, NULL, _("no cache in %s"), w->data_dir);
    pthread_mutex_lock(&w->lock);
    sodium_memzero(w->passphrase, strlen(w->passphrase));
    free(w->passphrase);
    w->passphrase = NULL;
    if (rc != DP_OK) {
        snprintf(w->st.error, sizeof w->st.error, "%s", err.msg);
        notify_locked(w);
        pthread_mutex_unlock(&w->lock);
        return NULL;
    }
    w->st.ready = true;
    w->st.next_due = due_after(w, time(NULL));
    notify_locked(w);
    while (!w->quit) {
        if (!w->requested) {
            if (w->st.next_due) {
                struct timespec ts = {.tv_sec = w->st.next_due, .tv_nsec = 0};
                int r = pthread_cond_timedwait(&w->wake, &w->lock, &ts);
                if (r == ETIMEDOUT && time(NULL) >= w->st.next_due) {
                    w->requested = true;
                    w->want = SYNC_JOB_SYNC;
                }
            } else {
                pthread_cond_wait(&w->wake, &w->lock);
            }
            continue;
        }
        w->requested = false;
        enum sync_job job = w->want;
        char *user = w->login_user, *password = w->login_password;
        w->login_user = w->login_password = NULL;
        w->st.running = true;
        w->st.job = job;
        memset(&w->st.progress, 0, sizeof w->st.progress);
        atomic_store(&w->cancel, 0);
        notify_locked(w);
        pthread_mutex_unlock(&w->lock);

        struct sync_options o = w->tuning;
        o.server_url = w->server_url;
        o.ca_file = w->ca_file;
        o.pin_sha256 = w->pin_sha256;
        o.cancel = &w->cancel;
        o.progress = on_progress;
        o.progress_ctx = w;
        struct sync_result res;
        struct dp_error e;
        dp_error_clear(&e);
        if (job == SYNC_JOB_LOGIN) {
            rc = sync_login(&o, st, user ? user : "", password ? password : "", &res, &e);
            if (password) {
                sodium_memzero(password, strlen(password));
                free(password);
            }
            free(user);
        } else {
            rc = sync_run(&o, st, &res, &e);
        }

        pthread_mutex_lock(&w->lock);
        w->st.running = false;
        w->st.last_status = rc;
        w->st.last = res;
        w->st.finished++;
        w->st.last_finished_at = time(NULL);
        if (job == SYNC_JOB_SYNC || !w->st.next_due)
            w->st.next_due = due_after(w, w->st.last_finished_at);
        notify_locked(w);
    }
    pthread_mutex_unlock(&w->lock);
    store_close(st);
    return NULL;
}

static char *
dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static void
free_worker(struct sync_worker *w)
{
    forget_login(w);
    if (w->passphrase) {
        sodium_memzero(w->passphrase, strlen(w->passphrase));
        free(w->passphrase);
    }
    free(w->data_dir);
    free(w->server_url);
    free(w->ca_file);
    free(w->pin_sha256);
    if (w->pipe_rd >= 0)
        close(w->pipe_rd);
    if (w->pipe_wr >= 0)
        close(w->pipe_wr);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    free(w);
}

enum dp_status
sync_worker_start(const struct sync_worker_config *cfg, const char *passphrase,
                  struct sync_worker **out, struct dp_error *err)
{
    *out = NULL;
    struct sync_worker *w = calloc(1, sizeof *w);
    if (!w)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    w->pipe_rd = w->pipe_wr = -1;
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_cond_init(&w->wake, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&w->cancel, 0);
    if (cfg->tuning)
        w->tuning = *cfg->tuning;
    else
        sync_options_init(&w->tuning);
    w->interval_minutes = cfg->interval_minutes > 0 ? cfg->interval_minutes : 0;
    w->interval_seconds = cfg->interval_seconds > 0 ? cfg->interval_seconds : 0;
    w->data_dir = dup_or_empty(cfg->data_dir);
    w->server_url = dup_or_empty(cfg->server_url);
    w->ca_file = dup_or_empty(cfg->ca_file);
    w->pin_sha256 = dup_or_empty(cfg->pin_sha256);
    w->passphrase = dup_or_empty(passphrase);
    if (!w->data_dir || !w->server_url || !w->ca_file || !w->pin_sha256 || !w->passphrase) {
        free_worker(w);
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        free_worker(w);
        return dp_error_set(err, DP_EIO, NULL, "cannot make a pipe: %s", strerror(errno));
    }
    w->pipe_rd = fds[0];
    w->pipe_wr = fds[1];
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        free_worker(w);
        return dp_error_set(err, DP_EIO, NULL, "cannot start the sync thread");
    }
    *out = w;
    return DP_OK;
}

bool
sync_worker_request(struct sync_worker *w)
{
    bool ok;
    pthread_mutex_lock(&w->lock);
    ok = w->st.ready && !w->st.running && !w->requested && !w->quit;
    if (ok) {
        w->requested = true;
        w->want = SYNC_JOB_SYNC;
        pthread_cond_signal(&w->wake);
    }
    pthread_mutex_unlock(&w->lock);
    return ok;
}

bool
sync_worker_login(struct sync_worker *w, const char *user, const char *password)
{
    bool ok;
    pthread_mutex_lock(&w->lock);
    ok = w->st.ready && !w->st.running && !w->requested && !w->quit;
    if (ok) {
        w->login_user = strdup(user ? user : "");
        w->login_password = strdup(password ? password : "");
        ok = w->login_user && w->login_password;
        if (ok) {
            w->requested = true;
            w->want = SYNC_JOB_LOGIN;
            pthread_cond_signal(&w->wake);
        } else {
            forget_login(w);
        }
    }
    pthread_mutex_unlock(&w->lock);
    return ok;
}

void
sync_worker_status(struct sync_worker *w, struct sync_worker_status *out)
{
    char buf[64];
    pthread_mutex_lock(&w->lock);
    while (read(w->pipe_rd, buf, sizeof buf) > 0)
        ;
    w->signalled = false;
    *out = w->st;
    pthread_mutex_unlock(&w->lock);
}

int
sync_worker_fd(const struct sync_worker *w)
{
    return w->pipe_rd;
}

void
sync_worker_cancel(struct sync_worker *w)
{
    atomic_store(&w->cancel, 1);
}

void
sync_worker_stop(struct sync_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->quit = true;
    atomic_store(&w->cancel, 1);
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    free_worker(w);
}
