/*
 * What views may ask of the running TUI (internal to tui/): the open
 * cache, today's date, the status line, the view stack and questions asked
 * on the bottom line. The main loop itself is in tui.c.
 */
#ifndef DOORSTEP_TUI_APP_H
#define DOORSTEP_TUI_APP_H

#include <stdbool.h>

#include "core/status.h"
#include "tui/edit.h"
#include "tui/line.h"
#include "tui/view.h"

struct config;
struct store;

#define APP_MAX_VIEWS 8

/* Smallest terminal the screens are laid out for; below it we say so. */
#define APP_MIN_COLS  60
#define APP_MIN_LINES 12

/* A question on the bottom line. */
enum prompt_kind {
    PROMPT_NONE,
    PROMPT_TEXT,   /* a line of text (search) */
    PROMPT_HIDDEN, /* a line of text not shown (passphrase) */
    PROMPT_YESNO,  /* y or n */
};

struct prompt {
    enum prompt_kind kind;
    char label[160]; /* translated question */
    struct edit edit;
    struct view *owner;
    /* Called after each change of the text (incremental search). May be NULL. */
    unsigned (*changed)(struct view *v, const char *text);
    /* Called once when answered: text (NULL when cancelled) or yes/no. */
    unsigned (*done)(struct view *v, const char *text, bool yes);
};

struct app {
    const struct config *cfg;
    struct store *store; /* NULL until unlocked */
    struct view *views[APP_MAX_VIEWS];
    int nviews;        /* views[nviews - 1] is on screen */
    char message[256]; /* shown on the status line until the next key */
    enum style message_style;
    struct prompt prompt; /* the bottom-line question, if any */
    char today[11];       /* YYYY-MM-DD, read once per key */
    bool colour;          /* colours in use (not NO_COLOR, terminal has them) */
    bool too_small;       /* the terminal is below APP_MIN_COLS x APP_MIN_LINES */
    bool quit;            /* leave the loop */
    bool pasting;         /* inside a bracketed paste */
    int exit_code;        /* tui_main's return value */
    unsigned pending;     /* REACT_ flags not yet drawn */
};

/* Lay out a view in the body area (below the title, above the status line). */
void app_layout(struct view *v);

/* Close the top view; the one below it is re-read and redrawn. */
void app_pop(struct app *app);

/* Forget the bottom-line question, wiping what was typed. */
void app_prompt_clear(struct prompt *p);

/* The view on screen, or NULL. */
struct view *app_top(struct app *app);

/* Show a message on the status line (cleared by the next key). */
void app_message(struct app *app, enum style st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Show a failed call's detail (never holds personal data, by contract). */
void app_error(struct app *app, const char *what, const struct dp_error *err);

/* Open a view on top; on failure shows why and returns the status. */
enum dp_status app_push(struct app *app, const struct view_ops *ops, const void *arg);

/* Replace the view `old` (and everything above it) with a new one. */
enum dp_status app_replace(struct app *app, struct view *old, const struct view_ops *ops,
                           const void *arg);

/*
 * Ask a question on the bottom line on behalf of `owner`. `label` is
 * shown before the answer; `initial` pre-fills a text prompt. Replaces any
 * question already asked. The callbacks return REACT_ flags for `owner`.
 */
void app_ask_text(struct app *app, struct view *owner, enum prompt_kind kind, const char *label,
                  const char *initial, unsigned max_chars,
                  unsigned (*changed)(struct view *v, const char *text),
                  unsigned (*done)(struct view *v, const char *text, bool yes));
void app_ask_yesno(struct app *app, struct view *owner, const char *question,
                   unsigned (*done)(struct view *v, const char *text, bool yes));

#endif
