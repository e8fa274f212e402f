/*
 * The first screen: unlock the encrypted cache with its passphrase, or on
 * first run choose one (typed twice). The passphrase is asked on the bottom
 * line and never shown; a wrong one says so and asks again. Once the cache
 * is open this view replaces itself with the household list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/config.h"
#include "core/i18n.h"
#include "store/store.h"
#include "tui/app.h"
#include "tui/views.h"

/* A new passphrase shorter than this is refused (an existing one is just tried). */
#define MIN_NEW_PASSPHRASE 8
#define MAX_PASSPHRASE     256

enum unlock_step {
    STEP_ASK,     /* asking for the passphrase */
    STEP_CONFIRM, /* new cache: asking for it again */
    STEP_OPENING, /* store_open() is running */
};

struct unlock {
    bool create; /* no cache yet: choose a passphrase */
    enum unlock_step step;
    char *first;       /* new cache: the first entry, to compare */
    char *passphrase;  /* handed to work() */
    char problem[320]; /* why the last try failed ("" = none) */
    int failures;
};

static void
wipe_free(char **p)
{
    if (*p) {
        explicit_bzero(*p, strlen(*p));
        free(*p);
        *p = NULL;
    }
}

static unsigned unlock_answer(struct view *v, const char *text, bool yes);

static void
ask(struct view *v)
{
    struct unlock *u = v->priv;
    const char *label;
    if (u->step == STEP_CONFIRM)
        label = _("Type the new passphrase again:");
    else if (u->create)
        label = _("New passphrase:");
    else
        label = _("Passphrase:");
    app_ask_text(v->app, v, PROMPT_HIDDEN, label, NULL, MAX_PASSPHRASE, NULL, unlock_answer);
}

static enum dp_status
unlock_open(struct view *v, const void *arg, struct dp_error *err)
{
    (void)arg;
    (void)err;
    struct unlock *u = v->priv;
    u->create = !store_exists(v->app->cfg->data_dir);
    u->step = STEP_ASK;
    ask(v);
    return DP_OK;
}

static void
unlock_close(struct view *v)
{
    struct unlock *u = v->priv;
    wipe_free(&u->first);
    wipe_free(&u->passphrase);
}

/* Body rows: blank, title, blank, two lines of explanation, blank, the cache path, blank, problem.
 */
enum { ROW_TITLE = 1, ROW_WHAT = 3, ROW_HOW = 4, ROW_PATH = 6, ROW_PROBLEM = 8, NROWS = 9 };

static enum dp_status
unlock_load(struct view *v, struct dp_error *err)
{
    (void)err;
    v->lines = NROWS;
    return DP_OK;
}

static void
unlock_draw_row(struct view *v, long row, struct line *l)
{
    struct unlock *u = v->priv;
    char buf[PATH_MAX + 64];
    line_spaces(l, STYLE_NORMAL, 2);
    switch (row) {
    case ROW_TITLE:
        line_text(l, STYLE_SECTION, "Doorstep");
        break;
    case ROW_WHAT:
        line_text(l, STYLE_NORMAL,
                  u->create ? _("There is no household cache on this computer yet.")
                            : _("The household cache on this computer is locked."));
        break;
    case ROW_HOW:
        if (u->create) {
            snprintf(buf, sizeof buf,
                     _("Choose a passphrase of at least %d characters to protect it."),
                     MIN_NEW_PASSPHRASE);
            line_text(l, STYLE_NORMAL, buf);
        } else {
            line_text(l, STYLE_NORMAL, _("Type its passphrase and press Enter."));
        }
        break;
    case ROW_PATH:
        snprintf(buf, sizeof buf, _("Cache: %s"), v->app->cfg->data_dir);
        line_text(l, STYLE_DIM, buf);
        break;
    case ROW_PROBLEM:
        if (u->step == STEP_OPENING)
            line_text(l, STYLE_NORMAL,
                      u->create ? _("Creating the cache...") : _("Unlocking the cache..."));
        else
            line_text(l, STYLE_ERROR, u->problem);
        break;
    default:
        break;
    }
}

static void
unlock_title(struct view *v, char *left, size_t leftsize, char *right, size_t rightsize)
{
    struct unlock *u = v->priv;
    snprintf(left, leftsize, "%s",
             u->create ? _("Doorstep: new household cache") : _("Doorstep: unlock"));
    right[0] = '\0';
    (void)rightsize;
}

static unsigned
unlock_answer(struct view *v, const char *text, bool yes)
{
    (void)yes;
    struct unlock *u = v->priv;
    if (!text)
        return REACT_QUIT; /* Esc or Ctrl-C at the passphrase: leave */
    if (u->create && u->step == STEP_ASK) {
        if (strlen(text) == 0 || (int)strlen(text) < MIN_NEW_PASSPHRASE) {
            snprintf(u->problem, sizeof u->problem, _("Too short: use at least %d characters."),
                     MIN_NEW_PASSPHRASE);
            ask(v);
            return REACT_REDRAW_VIEW;
        }
        wipe_free(&u->first);
        u->first = strdup(text);
        if (!u->first) {
            snprintf(u->problem, sizeof u->problem, "%s", dp_strerror(DP_ENOMEM));
            ask(v);
            return REACT_REDRAW_VIEW;
        }
        u->problem[0] = '\0';
        u->step = STEP_CONFIRM;
        ask(v);
        return REACT_REDRAW_VIEW;
    }
    if (u->step == STEP_CONFIRM) {
        bool same = strcmp(u->first, text) == 0;
        wipe_free(&u->first);
        if (!same) {
            snprintf(u->problem, sizeof u->problem, "%s",
                     _("The two entries differ. Choose the passphrase again."));
            u->step = STEP_ASK;
            ask(v);
            return REACT_REDRAW_VIEW;
        }
    }
    wipe_free(&u->passphrase);
    u->passphrase = strdup(text);
    if (!u->passphrase) {
        snprintf(u->problem, sizeof u->problem, "%s", dp_strerror(DP_ENOMEM));
        u->step = STEP_ASK;
        ask(v);
        return REACT_REDRAW_VIEW;
    }
    u->step = STEP_OPENING;
    return REACT_REDRAW_VIEW | REACT_WORK;
}

/* Runs once "Unlocking..." is on screen: the key derivation takes a moment. */
static unsigned
unlock_work(struct view *v)
{
    struct unlock *u = v->priv;
    struct app *app = v->app;
    struct dp_error err = {0};
    struct store *st = NULL;
    if (u->step != STEP_OPENING || !u->passphrase)
        return REACT_NONE;
    enum dp_status rc = store_open(app->cfg->data_dir, u->passphrase, &st, &err);
    if (rc == DP_OK) {
        app->store = st;
        /* The sync worker opens its own handle with it (and wipes its copy). */
        char *pass = u->passphrase;
        u->passphrase = NULL;
        /* This view is freed here; only redraw flags may be returned. */
        if (app_replace(app, v, &households_ops, NULL) != DP_OK)
            app->quit = true;
        else
            app_sync_start(app, pass);
        explicit_bzero(pass, strlen(pass));
        free(pass);
        return REACT_REDRAW_ALL;
    }
    wipe_free(&u->passphrase);
    u->failures++;
    if (rc == DP_EPASSPHRASE)
        snprintf(u->problem, sizeof u->problem, "%s",
                 _("Wrong passphrase, or not a Doorstep cache. Try again."));
    else if (err.msg[0])
        snprintf(u->problem, sizeof u->problem, "%s: %s", _(dp_strerror(rc)), err.msg);
    else
        snprintf(u->problem, sizeof u->problem, "%s", _(dp_strerror(rc)));
    u->step = STEP_ASK;
    ask(v);
    return REACT_REDRAW_VIEW;
}

const struct view_ops unlock_ops = {
    .name = "unlock",
    .keymap = KM_GENERIC,
    .priv_size = sizeof(struct unlock),
    .show_cursor_line = false,
    .open = unlock_open,
    .close = unlock_close,
    .load = unlock_load,
    .draw_row = unlock_draw_row,
    .title = unlock_title,
    .work = unlock_work,
};
