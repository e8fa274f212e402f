/*
 * The login screen, opened when the cache holds no valid login and a
 * server is configured (first run, a token that expired or was refused), or
 * with the login key. The user name is asked first, prefilled from the
 * configuration; the password is asked hidden and handed to the sync worker,
 * which logs in on its own thread (the screen never waits on the network)
 * and keeps the token in the cache only. Esc leaves: work goes on offline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/config.h"
#include "core/i18n.h"
#include "core/validate.h"
#include "tui/app.h"
#include "tui/views.h"

#define MAX_PASSWORD 256

enum login_step {
    STEP_USER,     /* asking for the user name */
    STEP_PASSWORD, /* asking for the password */
    STEP_WAIT,     /* the worker has it, or will once it is free */
};

struct login {
    enum login_step step;
    char user[64];
    char *password;              /* until the worker takes it (it is busy or still opening) */
    unsigned long finished_then; /* the worker's finished count when the login was handed over */
    bool handed;                 /* the worker took the login */
    char problem[320];           /* why the last try failed ("" = none) */
};

enum { ROW_TITLE = 1, ROW_SERVER = 3, ROW_USER = 4, ROW_WHY = 6, ROW_ESC = 7, ROW_PROBLEM = 9 };
#define NROWS 10

static void
wipe_password(struct login *l)
{
    if (l->password) {
        explicit_bzero(l->password, strlen(l->password));
        free(l->password);
        l->password = NULL;
    }
}

static unsigned user_answer(struct view *v, const char *text, bool yes);
static unsigned password_answer(struct view *v, const char *text, bool yes);

static void
ask(struct view *v)
{
    struct login *l = v->priv;
    if (l->step == STEP_USER)
        app_ask_text(v->app, v, PROMPT_TEXT, _("User name:"), l->user, SYNC_USER_MAX, NULL,
                     user_answer);
    else
        app_ask_text(v->app, v, PROMPT_HIDDEN, _("Password:"), NULL, MAX_PASSWORD, NULL,
                     password_answer);
}

static enum dp_status
login_open(struct view *v, const void *arg, struct dp_error *err)
{
    (void)arg;
    (void)err;
    struct login *l = v->priv;
    const char *user = v->app->sync.info.user[0] ? v->app->sync.info.user : v->app->cfg->username;
    snprintf(l->user, sizeof l->user, "%s", user);
    l->step = STEP_USER;
    ask(v);
    return DP_OK;
}

static void
login_close(struct view *v)
{
    struct login *l = v->priv;
    wipe_password(l);
    /* A question of ours must not outlive us. */
    if (v->app->prompt.owner == v)
        app_prompt_clear(&v->app->prompt);
}

static enum dp_status
login_load(struct view *v, struct dp_error *err)
{
    (void)err;
    v->lines = NROWS;
    return DP_OK;
}

static void
login_draw_row(struct view *v, long row, struct line *ln)
{
    struct login *l = v->priv;
    char buf[700];
    line_spaces(ln, STYLE_NORMAL, 2);
    switch (row) {
    case ROW_TITLE:
        line_text(ln, STYLE_SECTION, _("Log in to sync"));
        break;
    case ROW_SERVER:
        line_field(ln, STYLE_LABEL, _("Server"), 12, TEXT_LEFT);
        line_text(ln, STYLE_NORMAL, v->app->cfg->server_url);
        break;
    case ROW_USER:
        line_field(ln, STYLE_LABEL, _("User name"), 12, TEXT_LEFT);
        line_text(ln, l->user[0] ? STYLE_NORMAL : STYLE_DIM, l->user[0] ? l->user : "-");
        break;
    case ROW_WHY:
        line_text(ln, STYLE_NORMAL,
                  _("Edits made here are sent, and changes received, once you are logged in."));
        break;
    case ROW_ESC:
        line_text(ln, STYLE_DIM,
                  _("Press Esc to work offline: edits wait in the cache until a later sync."));
        break;
    case ROW_PROBLEM:
        if (l->step == STEP_WAIT) {
            snprintf(buf, sizeof buf, "%s", _("Logging in..."));
            line_text(ln, STYLE_NORMAL, buf);
        } else {
            line_text(ln, STYLE_ERROR, l->problem);
        }
        break;
    default:
        break;
    }
}

static void
login_title(struct view *v, char *left, size_t leftsize, char *right, size_t rightsize)
{
    (void)v;
    snprintf(left, leftsize, "%s", _("Doorstep: log in"));
    right[0] = '\0';
    (void)rightsize;
}

static unsigned
user_answer(struct view *v, const char *text, bool yes)
{
    (void)yes;
    struct login *l = v->priv;
    char key[32];
    if (!text) {
        app_key_for(KM_HOUSEHOLDS, ACT_LOGIN, key, sizeof key);
        app_message(v->app, STYLE_NORMAL, _("Working offline. Press %s to log in later."), key);
        return REACT_CLOSE;
    }
    struct dp_error err = {0};
    if (validate_username(text, "user", &err) != DP_OK) {
        snprintf(l->problem, sizeof l->problem, _("User name: %s"), err.msg);
        snprintf(l->user, sizeof l->user, "%.*s", (int)(sizeof l->user - 1), text);
        ask(v);
        return REACT_REDRAW_VIEW;
    }
    snprintf(l->user, sizeof l->user, "%s", text);
    l->problem[0] = '\0';
    l->step = STEP_PASSWORD;
    ask(v);
    return REACT_REDRAW_VIEW;
}

/* Give the login to the worker if it can take it now; true when it did. */
static bool
hand_over(struct view *v)
{
    struct login *l = v->priv;
    unsigned long before = v->app->sync.st.finished;
    if (!l->password || !app_sync_login(v->app, l->user, l->password))
        return false;
    wipe_password(l);
    l->finished_then = before;
    l->handed = true;
    return true;
}

static unsigned
password_answer(struct view *v, const char *text, bool yes)
{
    (void)yes;
    struct login *l = v->priv;
    if (!text) {
        /* Esc at the password: back to the user name, which Esc again leaves. */
        l->step = STEP_USER;
        l->problem[0] = '\0';
        ask(v);
        return REACT_REDRAW_VIEW;
    }
    if (!text[0]) {
        snprintf(l->problem, sizeof l->problem, "%s", _("Type the password."));
        ask(v);
        return REACT_REDRAW_VIEW;
    }
    wipe_password(l);
    l->password = strdup(text);
    if (!l->password) {
        snprintf(l->problem, sizeof l->problem, "%s", _(dp_strerror(DP_ENOMEM)));
        ask(v);
        return REACT_REDRAW_VIEW;
    }
    l->problem[0] = '\0';
    l->step = STEP_WAIT;
    l->handed = false;
    hand_over(v);
    return REACT_REDRAW_VIEW;
}

/* The worker finished our login: close on success (app_sync_poll syncs), else say why. */
static unsigned
login_result(struct view *v, const struct sync_worker_status *st)
{
    struct login *l = v->priv;
    l->handed = false;
    switch (st->last_status) {
    case DP_OK:
        return REACT_CLOSE;
    case DP_EAUTH:
        snprintf(l->problem, sizeof l->problem, "%s",
                 _("Wrong user name or password. Try again, or press Esc to work offline."));
        break;
    case DP_ENETWORK:
        snprintf(l->problem, sizeof l->problem,
                 _("Cannot reach the server (%s). Try again, or press Esc to work offline."),
                 st->last.message[0] ? st->last.message : _(dp_strerror(DP_ENETWORK)));
        break;
    default:
        /* Too many attempts (with the wait), another user's unsent edits, a bad answer. */
        snprintf(l->problem, sizeof l->problem, "%s",
                 st->last.message[0] ? st->last.message : _(dp_strerror(st->last_status)));
        break;
    }
    l->step = STEP_PASSWORD;
    ask(v);
    return REACT_REDRAW_VIEW;
}

static unsigned
login_sync_changed(struct view *v, const struct sync_worker_status *st, bool data)
{
    (void)data;
    struct login *l = v->priv;
    if (l->step != STEP_WAIT)
        return REACT_NONE;
    if (st->error[0]) {
        wipe_password(l);
        snprintf(l->problem, sizeof l->problem, _("Sync unavailable: %s"), st->error);
        l->step = STEP_PASSWORD;
        ask(v);
        return REACT_REDRAW_VIEW;
    }
    if (!l->handed) {
        /* Waiting for the worker to open its cache or end a background sync. */
        if (st->ready && !st->running)
            hand_over(v);
        return REACT_REDRAW_VIEW;
    }
    if (!st->running && st->job == SYNC_JOB_LOGIN && st->finished > l->finished_then)
        return login_result(v, st);
    return REACT_NONE;
}

static unsigned
login_request(struct view *v, enum action act)
{
    struct login *l = v->priv;
    if (act == ACT_LOGIN && l->step != STEP_WAIT) {
        ask(v);
        return REACT_REDRAW_STATUS;
    }
    return REACT_PASS;
}

const struct view_ops login_ops = {
    .name = "login",
    .keymap = KM_LOGIN,
    .priv_size = sizeof(struct login),
    .show_cursor_line = false,
    .open = login_open,
    .close = login_close,
    .load = login_load,
    .draw_row = login_draw_row,
    .title = login_title,
    .request = login_request,
    .sync_changed = login_sync_changed,
};
