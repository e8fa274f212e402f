/*
 * What views may ask of the running TUI (internal to tui/): the open
 * cache, today's date, the status line, the view stack and questions asked
 * on the bottom line. The main loop itself is in tui.c.
 */
#ifndef DOORSTEP_TUI_APP_H
#define DOORSTEP_TUI_APP_H

#include <stdbool.h>

#include "core/status.h"
#include "store/sync_store.h"
#include "sync/worker.h"
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

/* The sync worker as the screens see it (tui/app_sync.c). */
struct app_sync {
    struct sync_worker *worker;   /* NULL: no server configured, or the cache is still locked */
    struct sync_worker_status st; /* the worker's status as last read */
    struct sync_status_info info; /* counts, login and last result, from the cache */
    unsigned long seen_finished;  /* st.finished when last acted on */
    long seen_pages;              /* pages of the running sync already shown */
    bool wanted;                  /* asked for before the worker was ready: sync once it is */
};

struct app {
    const struct config *cfg;
    struct store *store; /* NULL until unlocked */
    struct view *views[APP_MAX_VIEWS];
    int nviews;        /* views[nviews - 1] is on screen */
    char message[256]; /* shown on the status line until the next key */
    enum style message_style;
    struct prompt prompt;        /* the bottom-line question, if any */
    char today[11];              /* YYYY-MM-DD, read once per key */
    bool colour;                 /* colours in use (not NO_COLOR, terminal has them) */
    bool too_small;              /* the terminal is below APP_MIN_COLS x APP_MIN_LINES */
    bool quit;                   /* leave the loop */
    bool pasting;                /* inside a bracketed paste */
    int exit_code;               /* tui_main's return value */
    unsigned pending;            /* REACT_ flags not yet drawn */
    struct app_sync sync;        /* the sync worker and what the status line says about it */
    const char *sync_passphrase; /* borrowed between opening the cache and starting the worker */
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

/* ---- sync (tui/app_sync.c) ---------------------------------------------------- */

/*
 * Start the sync worker once the cache is open, when the configuration
 * names a server: it opens its own handle with `passphrase` (copied, and
 * wiped by the worker) and syncs every sync_interval_minutes when set
 * (DOORSTEP_SYNC_INTERVAL_SECONDS overrides it, for tests). Failures only
 * show on the status line: the screens work offline. Then reads the counts
 * and, when no valid login is held, opens the login screen.
 */
void app_sync_start(struct app *app, const char *passphrase);

/* Cancel a running sync (the cache stays as its last page left it) and stop the worker. */
void app_sync_stop(struct app *app);

/* The worker's wake-up descriptor for the main loop's poll, or -1. */
int app_sync_fd(const struct app *app);

/*
 * Read the worker's status after its descriptor woke the loop: redraws the
 * status line, re-reads the counts and tells the top view (sync_changed)
 * when the cache changed; opens the login screen when the server refused
 * the login. Returns REACT_ flags for the top view.
 */
unsigned app_sync_poll(struct app *app);

/* Re-read the counts and login state from the cache (after an edit). */
void app_sync_refresh(struct app *app);

/* The sync key: start a sync now, or say why not (no server, running, login needed). */
void app_sync_request(struct app *app);

/* True when a sync would need a login first. */
bool app_sync_needs_login(const struct app *app);

/* Open the login screen on top (no-op without a server or when it is open already). */
void app_sync_open_login(struct app *app);

/* Hand a login to the worker; false when it cannot take one now (not ready, busy). */
bool app_sync_login(struct app *app, const char *user, const char *password);

/* The first key bound to `act` in `km` (then generic), for hints, into buf ("" if none). */
void app_key_for(enum keymap km, enum action act, char *buf, size_t size);

#endif
