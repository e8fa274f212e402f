/* Services the views ask of the running TUI (app.h); the loop is in tui.c. */
#include "tui/app.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/i18n.h"

struct view *
app_top(struct app *app)
{
    return app->nviews ? app->views[app->nviews - 1] : NULL;
}

void
app_message(struct app *app, enum style st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->message, sizeof app->message, fmt, ap);
    va_end(ap);
    app->message_style = st;
    app->pending |= REACT_REDRAW_STATUS;
}

void
app_error(struct app *app, const char *what, const struct dp_error *err)
{
    const char *detail = err && err->msg[0] ? err->msg : dp_strerror(err ? err->code : DP_EIO);
    if (err && err->field[0])
        app_message(app, STYLE_ERROR, "%s: %s: %s", what, err->field, detail);
    else
        app_message(app, STYLE_ERROR, "%s: %s", what, detail);
}

void
app_layout(struct view *v)
{
    view_layout(v, 1, LINES - 2, COLS);
}

enum dp_status
app_push(struct app *app, const struct view_ops *ops, const void *arg)
{
    struct dp_error err = {0};
    if (app->nviews == APP_MAX_VIEWS) {
        app_message(app, STYLE_ERROR, "%s", _("Too many screens open; close one first"));
        return DP_EBUSY;
    }
    struct view *v = view_new(app, ops, arg, &err);
    if (!v) {
        app_error(app, _("Could not open the screen"), &err);
        return err.code ? err.code : DP_EIO;
    }
    app_layout(v);
    app->views[app->nviews++] = v;
    app->pending |= REACT_REDRAW_ALL;
    return DP_OK;
}

/* Close the top view; the one below it shows again, re-read (it may be stale). */
void
app_pop(struct app *app)
{
    if (!app->nviews)
        return;
    view_free(app->views[--app->nviews]);
    app->views[app->nviews] = NULL;
    app->pending |= REACT_REDRAW_ALL | REACT_RELOAD;
}

enum dp_status
app_replace(struct app *app, struct view *old, const struct view_ops *ops, const void *arg)
{
    int i = 0;
    while (i < app->nviews && app->views[i] != old)
        i++;
    while (app->nviews > i)
        app_pop(app);
    return app_push(app, ops, arg);
}

void
app_prompt_clear(struct prompt *p)
{
    edit_done(&p->edit);
    memset(p, 0, sizeof *p);
    p->kind = PROMPT_NONE;
}

void
app_ask_text(struct app *app, struct view *owner, enum prompt_kind kind, const char *label,
             const char *initial, unsigned max_chars,
             unsigned (*changed)(struct view *v, const char *text),
             unsigned (*done)(struct view *v, const char *text, bool yes))
{
    struct prompt *p = &app->prompt;
    app_prompt_clear(p);
    if (edit_init(&p->edit, max_chars, false) != DP_OK ||
        (initial && edit_set(&p->edit, initial) != DP_OK)) {
        app_prompt_clear(p);
        app_message(app, STYLE_ERROR, "%s", dp_strerror(DP_ENOMEM));
        return;
    }
    p->kind = kind;
    snprintf(p->label, sizeof p->label, "%s", label);
    p->owner = owner;
    p->changed = changed;
    p->done = done;
    app->pending |= REACT_REDRAW_STATUS;
}

void
app_ask_yesno(struct app *app, struct view *owner, const char *question,
              unsigned (*done)(struct view *v, const char *text, bool yes))
{
    app_ask_text(app, owner, PROMPT_YESNO, question, NULL, 1, NULL, done);
}
