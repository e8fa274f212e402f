/*
 * The screens' side of sync: the worker thread of sync/worker.h started
 * once the cache is open, its status read when its descriptor wakes the
 * main loop, the counts on the status line, and the login screen offered
 * when the server wants a login. Nothing here waits on the network.
 */
#include "tui/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/config.h"
#include "core/i18n.h"
#include "tui/syncbar.h"
#include "tui/views.h"

void
app_key_for(enum keymap km, enum action act, char *buf, size_t size)
{
    char keys[128];
    buf[0] = '\0';
    if (keymap_keys_for(km, act, keys, sizeof keys) == 0 &&
        keymap_keys_for(KM_GENERIC, act, keys, sizeof keys) == 0)
        return;
    snprintf(buf, size, "%.*s", (int)strcspn(keys, ","), keys);
}

void
app_sync_refresh(struct app *app)
{
    struct dp_error err = {0};
    struct sync_status_info info;
    if (!app->store)
        return;
    if (store_sync_status(app->store, &info, &err) == DP_OK)
        app->sync.info = info;
    app->pending |= REACT_REDRAW_STATUS;
}

bool
app_sync_needs_login(const struct app *app)
{
    return app->cfg->server_url[0] && syncbar_needs_login(&app->sync.info, time(NULL));
}

static bool
on_top(const struct app *app, const struct view_ops *ops)
{
    return app->nviews && app->views[app->nviews - 1]->ops == ops;
}

void
app_sync_open_login(struct app *app)
{
    if (!app->cfg->server_url[0]) {
        app_message(app, STYLE_ERROR, "%s",
                    _("No server is set (server_url in the configuration): work stays here."));
        return;
    }
    for (int i = 0; i < app->nviews; i++)
        if (app->views[i]->ops == &login_ops)
            return;
    app_push(app, &login_ops, NULL);
}

static int
interval_seconds(void)
{
    /* Tests make the background sync come round in seconds. */
    const char *s = getenv("DOORSTEP_SYNC_INTERVAL_SECONDS");
    char *end;
    if (!s || !*s)
        return 0;
    long v = strtol(s, &end, 10);
    return *end == '\0' && v > 0 && v <= 86400 ? (int)v : 0;
}

void
app_sync_start(struct app *app, const char *passphrase)
{
    struct dp_error err = {0};
    app_sync_refresh(app);
    if (!app->cfg->server_url[0] || app->sync.worker)
        return;
    struct sync_worker_config wc = {
        .data_dir = app->cfg->data_dir,
        .server_url = app->cfg->server_url,
        .ca_file = app->cfg->ca_file,
        .pin_sha256 = app->cfg->pin_sha256,
        .interval_minutes = app->cfg->sync_interval_minutes,
        .interval_seconds = interval_seconds(),
    };
    if (sync_worker_start(&wc, passphrase, &app->sync.worker, &err) != DP_OK) {
        app->sync.worker = NULL;
        snprintf(app->sync.st.error, sizeof app->sync.st.error, "%s", err.msg);
    }
    app->pending |= REACT_REDRAW_STATUS;
    if (app_sync_needs_login(app))
        app_sync_open_login(app);
}

void
app_sync_stop(struct app *app)
{
    /* Cancels a running sync: it ends within a fraction of a second, the last page committed. */
    sync_worker_stop(app->sync.worker);
    app->sync.worker = NULL;
}

int
app_sync_fd(const struct app *app)
{
    return app->sync.worker ? sync_worker_fd(app->sync.worker) : -1;
}

void
app_sync_request(struct app *app)
{
    if (!app->cfg->server_url[0]) {
        app_message(app, STYLE_ERROR, "%s",
                    _("No server is set (server_url in the configuration): work stays here."));
        return;
    }
    if (!app->sync.worker || app->sync.st.error[0]) {
        app_message(app, STYLE_ERROR, _("Sync unavailable: %s"),
                    app->sync.st.error[0] ? app->sync.st.error : _("the cache is locked"));
        return;
    }
    if (app->sync.st.running) {
        app_message(app, STYLE_NORMAL, "%s", _("A sync is already running."));
        return;
    }
    if (app_sync_needs_login(app)) {
        app_sync_open_login(app);
        return;
    }
    if (!sync_worker_request(app->sync.worker)) {
        /* The worker is still opening its cache handle: sync once it is ready. */
        app->sync.wanted = true;
        app_message(app, STYLE_NORMAL, "%s", _("The sync starts in a moment."));
        return;
    }
    app->sync.wanted = false;
    /* Show "Syncing" at once; the worker's first progress follows. */
    app->sync.st.running = true;
    app->sync.st.job = SYNC_JOB_SYNC;
    memset(&app->sync.st.progress, 0, sizeof app->sync.st.progress);
    app->pending |= REACT_REDRAW_STATUS;
}

bool
app_sync_login(struct app *app, const char *user, const char *password)
{
    if (!app->sync.worker || !sync_worker_login(app->sync.worker, user, password))
        return false;
    app->sync.st.running = true;
    app->sync.st.job = SYNC_JOB_LOGIN;
    app->pending |= REACT_REDRAW_STATUS;
    return true;
}

unsigned
app_sync_poll(struct app *app)
{
    struct sync_worker_status ws;
    char key[32];
    unsigned r = REACT_NONE;
    if (!app->sync.worker)
        return REACT_NONE;
    sync_worker_status(app->sync.worker, &ws);
    bool data = false, ended = ws.finished != app->sync.seen_finished;
    if (ws.running && ws.job == SYNC_JOB_SYNC && ws.progress.pages > app->sync.seen_pages)
        data = true; /* a page was committed: the list may show it now */
    if (ended && ws.job == SYNC_JOB_SYNC)
        data = true; /* pushed edits were answered, rejected ones rebuilt */
    if (app->sync.wanted && ws.ready && !ws.running && !ws.error[0] &&
        sync_worker_request(app->sync.worker)) {
        app->sync.wanted = false;
        ws.running = true;
        ws.job = SYNC_JOB_SYNC;
        memset(&ws.progress, 0, sizeof ws.progress);
    }
    app->sync.seen_pages = ws.running ? ws.progress.pages : 0;
    app->sync.seen_finished = ws.finished;
    app->sync.st = ws;
    app->pending |= REACT_REDRAW_STATUS;
    if (data || ended)
        app_sync_refresh(app);
    struct view *v = app_top(app);
    if (v && v->ops->sync_changed)
        r = v->ops->sync_changed(v, &ws, data);
    /* A login worked (here or on the login screen): the first sync follows at once. */
    if (ended && ws.job == SYNC_JOB_LOGIN && ws.last_status == DP_OK) {
        app_sync_request(app);
        app_message(app, STYLE_NORMAL, _("Logged in as %s. Syncing."), app->sync.info.user);
    }
    /* The server refused the login: offer a new one where it does not interrupt typing. */
    if (ended && ws.job == SYNC_JOB_SYNC && ws.last_status == DP_EAUTH) {
        if (on_top(app, &households_ops) || on_top(app, &household_ops)) {
            app_sync_open_login(app);
        } else {
            app_key_for(KM_HOUSEHOLDS, ACT_LOGIN, key, sizeof key);
            app_message(app, STYLE_ERROR,
                        _("The server wants a new login; press %s on the household list."), key);
        }
    }
    return r;
}
