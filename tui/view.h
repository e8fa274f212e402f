/*
 * A screen is a view: a struct view_ops (one per file, designated
 * initialisers) plus the generic list machinery here: scrolling, the
 * selection, the title bar and drawing rows.
 *
 * A view says how many rows it has (load), gets the rows about to be shown
 * (fetch), lays out one row as a struct line (draw_row) and handles the
 * actions it knows (request). Everything else (moving, paging, drawing, the
 * title) happens here, and only tui.c refreshes the terminal.
 *
 * Handlers return what must happen next as REACT_ flags, never draw on
 * their own: the loop redraws exactly what the flags name.
 */
#ifndef DOORSTEP_TUI_VIEW_H
#define DOORSTEP_TUI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "tui/actions.h"
#include "tui/keymap.h"
#include "tui/line.h"

struct app;
struct view;
struct sync_worker_status;

/* What a handler wants done; combine with |. */
enum react {
    REACT_NONE = 0,
    REACT_PASS = 1u << 0,          /* not handled here: try the next handler */
    REACT_REDRAW_ROWS = 1u << 1,   /* the old and the new selected row */
    REACT_REDRAW_VIEW = 1u << 2,   /* every row of the view (scrolled, changed) */
    REACT_REDRAW_TITLE = 1u << 3,  /* the title bar (counts, filters) */
    REACT_REDRAW_STATUS = 1u << 4, /* the status line */
    REACT_RELOAD = 1u << 5,        /* ask load() again, then redraw the view */
    REACT_CURSOR = 1u << 6,        /* only the terminal cursor moved */
    REACT_CLOSE = 1u << 7,         /* close this view */
    REACT_QUIT = 1u << 8,          /* leave Doorstep */
    REACT_REDRAW_ALL = 1u << 9,    /* everything, e.g. after a view was opened */
    REACT_WORK = 1u << 10,         /* call work() once the screen is drawn (slow steps) */
};

struct view_ops {
    const char *name;      /* "households": for tests and logs */
    enum keymap keymap;    /* looked up before the generic keymap */
    size_t priv_size;      /* bytes of zeroed private state allocated for the view */
    bool header;           /* has a column-heading row above the list */
    bool show_cursor_line; /* highlight the selected row (lists) or not (pages) */
    const char *empty;     /* N_() text shown when there are no rows, or NULL */

    /* Set up (arg is the view's own argument); failure closes the view. */
    enum dp_status (*open)(struct view *v, const void *arg, struct dp_error *err);
    /* Free what open() and the rest made. May be NULL. */
    void (*close)(struct view *v);
    /* Count the rows into v->lines (after open, and on REACT_RELOAD). */
    enum dp_status (*load)(struct view *v, struct dp_error *err);
    /* Make rows [first, first + n) ready for draw_row. May be NULL. */
    enum dp_status (*fetch)(struct view *v, long first, int n, struct dp_error *err);
    /* Lay out row `row` into *l (already line_init'ed to the view width). */
    void (*draw_row)(struct view *v, long row, struct line *l);
    /* Column headings, when `header` is set. */
    void (*draw_header)(struct view *v, struct line *l);
    /* Title bar text: left part (what this is) and right part (counts). */
    void (*title)(struct view *v, char *left, size_t leftsize, char *right, size_t rightsize);
    /* Handle an action; REACT_PASS to let the generic handlers have it. */
    unsigned (*request)(struct view *v, enum action act);
    /* Typed text, when text_input() says so. May be NULL. */
    unsigned (*input)(struct view *v, uint32_t cp);
    /* True while typed keys are text (printable keys are then never actions). */
    bool (*text_input)(struct view *v);
    /* Where the terminal cursor goes: body row (absolute) and column. NULL: hidden. */
    bool (*cursor)(struct view *v, long *row, int *col);
    /* Rows that cannot be selected (headings); NULL: all can. */
    bool (*selectable)(struct view *v, long row);
    /* True when typed input would be lost by closing now. */
    bool (*unsaved)(struct view *v);
    /* Keep typed input as a draft (idle, on a signal, before exit). */
    void (*save_draft)(struct view *v);
    /*
     * What the symbols on this screen mean, for the help screen: fills entry
     * i (symbol and text, both translated) and returns true, or false past
     * the last. Built from the tables that draw the symbols. May be NULL.
     */
    bool (*legend)(int i, const char **symbol, const char **text);
    /* A slow step asked for with REACT_WORK, run after the screen shows "working". */
    unsigned (*work)(struct view *v);
    /*
     * The sync worker's status changed while this view is on top; `data` is
     * true when the cache changed under the view (a page was applied, a sync
     * ended). Returns REACT_ flags (a list reloads). May be NULL: ignored.
     */
    unsigned (*sync_changed)(struct view *v, const struct sync_worker_status *st, bool data);
};

struct view {
    const struct view_ops *ops;
    struct app *app;
    void *priv;   /* ops->priv_size bytes, the view's own state */
    long lines;   /* rows in the list */
    long top;     /* first row shown */
    long sel;     /* selected row */
    long old_sel; /* selected row when last drawn (for REACT_REDRAW_ROWS) */
    int y0;       /* screen row of the first body row */
    int height;   /* body rows on screen */
    int width;    /* columns */
};

/*
 * Make a view: allocate it and its private state, call open() and load().
 * On failure returns NULL, *err says why, and nothing is left allocated.
 */
struct view *view_new(struct app *app, const struct view_ops *ops, const void *arg,
                      struct dp_error *err);

/* close() and free. NULL is a no-op. */
void view_free(struct view *v);

/* Place the view's body at screen rows [y0, y0 + height) of `width` columns. */
void view_layout(struct view *v, int y0, int height, int width);

/* Re-count rows (load) and keep the selection and scroll in range. */
enum dp_status view_reload(struct view *v, struct dp_error *err);

/*
 * Generic list handling of an action: moving, paging, first/last.
 * Returns REACT_PASS for actions that are not about moving.
 */
unsigned view_move_request(struct view *v, enum action act);

/* Move the selection to `row` (clamped, skipping unselectable rows); reaction flags. */
unsigned view_select(struct view *v, long row);

/* Draw the whole body (header and rows) into the screen buffer. */
void view_draw(struct view *v);

/* Draw one row (if it is on screen). */
void view_draw_row(struct view *v, long row);

/* Draw the title bar on screen row y. */
void view_draw_title(struct view *v, int y, int width);

/* Draw a laid-out line at screen row y; `selected` shows it highlighted. */
void view_draw_line(int y, const struct line *l, bool selected);

/* Set up colours (false: attributes only, for NO_COLOR and monochrome). */
void view_styles_init(bool colour);

#endif
