/*
 * The main loop: read keys, map them to actions through the key table,
 * hand each action down the chain (the view, the generic list handling,
 * the global handlers here), collect the REACT_ flags they return, and
 * draw exactly that. This is the only place that calls doupdate(), handles
 * KEY_RESIZE, and touches signals.
 */
#include "tui/tui.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/config.h"
#include "core/date.h"
#include "core/utf8.h"
#include "core/i18n.h"
#include "store/store.h"
#include "tui/app.h"
#include "tui/syncbar.h"
#include "tui/views.h"

/*
 * Bracketed paste: the terminal wraps pasted text in ESC [200~ ... ESC [201~,
 * which we map to two private key codes. Inside a paste, newlines and tabs
 * are text (a note keeps its lines, a one-line field gets spaces) and
 * screens that take no text ignore it, so a pasted "Q" quits nothing.
 */
#define KEY_PASTE_BEGIN (KEY_MAX + 1)
#define KEY_PASTE_END   (KEY_MAX + 2)
#define PASTE_ON        "\033[?2004h"
#define PASTE_OFF       "\033[?2004l"

/* How long typing must pause before drafts are written (ms). */
#define DRAFT_IDLE_MS 1000

static volatile sig_atomic_t got_sigint, got_sigterm, got_sighup;

/* A terminal mode switch curses does not know about, written at once. */
static void
term_write(const char *s)
{
    fputs(s, stdout);
    fflush(stdout);
}

static void
on_signal(int sig)
{
    if (sig == SIGINT)
        got_sigint = 1;
    else if (sig == SIGTERM)
        got_sigterm = 1;
    else if (sig == SIGHUP)
        got_sighup = 1;
}

/* ---- drawing ------------------------------------------------------------- */

static void
draw_too_small(struct app *app)
{
    (void)app;
    char buf[160];
    erase();
    const char *what = _("Terminal too small");
    snprintf(buf, sizeof buf, _("%d x %d, need at least %d x %d"), COLS, LINES, APP_MIN_COLS,
             APP_MIN_LINES);
    const char *lines[] = {what, buf, _("Make the window bigger, or press Ctrl-C to quit.")};
    int y = LINES / 2 - 1;
    for (int i = 0; i < 3; i++) {
        struct line l;
        line_init(&l, COLS);
        int w = text_width(lines[i]);
        line_spaces(&l, STYLE_NORMAL, w < COLS ? (COLS - w) / 2 : 0);
        line_text(&l, i == 0 ? STYLE_ERROR : STYLE_NORMAL, lines[i]);
        line_fill(&l, STYLE_NORMAL);
        if (y + i >= 0 && y + i < LINES)
            view_draw_line(y + i, &l, false);
    }
    curs_set(0);
}

/*
 * The sync part of the status line (when a server is configured): the state
 * and what waits, as much of it as fits beside `left_cols` columns of the
 * rest. The counts matter most; the state goes first when room is short.
 */
static void
sync_part(struct app *app, int left_cols, char *buf, size_t size)
{
    char state[256], counts[128], key[32], pkey[32];
    buf[0] = '\0';
    if (!app->cfg->server_url[0] || !app->store)
        return;
    const struct sync_worker_status *ws =
        app->sync.worker || app->sync.st.error[0] ? &app->sync.st : NULL;
    app_key_for(KM_HOUSEHOLDS, ACT_LOGIN, key, sizeof key);
    app_key_for(KM_HOUSEHOLDS, ACT_PROBLEMS, pkey, sizeof pkey);
    syncbar_state(ws, &app->sync.info, key, time(NULL), state, sizeof state);
    syncbar_counts(&app->sync.info, counts, sizeof counts);
    int room = COLS - left_cols - 2;
    snprintf(buf, size, "%s  %s", state, counts);
    if (text_width(buf) <= room)
        return;
    /* A cut state would mislead ("Synced 12:03, 1 s~"): a brief one, else the counts alone. */
    syncbar_state_brief(ws, &app->sync.info, key, pkey, time(NULL), state, sizeof state);
    snprintf(buf, size, "%s  %s", state, counts);
    if (text_width(buf) <= room)
        return;
    if (text_width(counts) <= room)
        snprintf(buf, size, "%s", counts);
    else
        buf[0] = '\0';
}

/* Add the sync part at the right end of a status line. */
static void
add_sync_part(struct app *app, struct line *l)
{
    char part[512];
    sync_part(app, l->cols, part, sizeof part);
    if (!part[0])
        return;
    int w = text_width(part);
    line_spaces(l, STYLE_STATUS, COLS - l->cols - w);
    enum style st = STYLE_DIM;
    if (app->sync.st.running)
        st = STYLE_MARKER;
    else if (app->sync.info.conflicts > 0 || app->sync.info.rejected > 0 ||
             (app->sync.st.finished && app->sync.st.job == SYNC_JOB_SYNC &&
              app->sync.st.last_status != DP_OK))
        st = STYLE_ERROR;
    line_text(l, st, part);
}

/* Bottom line: the question being asked, a message, or a hint; then sync. Returns the cursor
 * column. */
static int
draw_status(struct app *app)
{
    struct line l;
    int cursor = -1;
    line_init(&l, COLS);
    struct prompt *p = &app->prompt;
    if (p->kind != PROMPT_NONE) {
        line_text(&l, STYLE_STATUS, p->label);
        line_text(&l, STYLE_STATUS, " ");
        if (p->kind == PROMPT_TEXT) {
            int col, room = line_remaining(&l);
            size_t start = edit_scroll(&p->edit, room, &col);
            cursor = l.cols + col;
            line_text(&l, STYLE_INPUT, p->edit.buf + start);
        } else {
            cursor = l.cols;
        }
    } else if (app->message[0]) {
        line_text(&l, app->message_style, app->message);
    } else {
        char keys[64] = "", hint[128];
        struct view *v = app_top(app);
        bool text = v && v->ops->text_input && v->ops->text_input(v);
        /* The first key bound to help that works here (typed text takes "?"). */
        size_t n;
        const struct keybinding *t = keymap_table(&n);
        for (size_t i = 0; i < n && !keys[0]; i++)
            if (t[i].keymap == KM_GENERIC && t[i].action == ACT_HELP &&
                !(text && keymap_key_is_text(keymap_key_parse(t[i].key))))
                snprintf(keys, sizeof keys, "%s", t[i].key);
        if (v && keys[0]) {
            snprintf(hint, sizeof hint, _("Press %s for help"), keys);
            line_text(&l, STYLE_DIM, hint);
        }
    }
    /* A question being typed keeps the whole line. */
    if (p->kind == PROMPT_NONE)
        add_sync_part(app, &l);
    line_fill(&l, STYLE_STATUS);
    view_draw_line(LINES - 1, &l, false);
    return cursor;
}

static void
render(struct app *app)
{
    unsigned f = app->pending;
    struct view *v = app_top(app);
    /* Slow work waits until this frame is on screen; the loop runs it next. */
    app->pending = f & REACT_WORK;
    if (app->too_small) {
        if (f & REACT_REDRAW_ALL)
            draw_too_small(app);
        /* Re-read the list once there is room to show it. */
        app->pending |= f & REACT_RELOAD;
        goto out;
    }
    if (!v)
        goto out;
    /* An edit, a pop back to a list, a resolved conflict: the counts may have moved. */
    if (f & (REACT_RELOAD | REACT_REDRAW_ALL))
        app_sync_refresh(app);
    if (f & REACT_RELOAD) {
        struct dp_error err = {0};
        if (view_reload(v, &err) != DP_OK)
            app_error(app, _("Could not read the list"), &err);
        f |= REACT_REDRAW_VIEW | REACT_REDRAW_TITLE | (app->pending & ~(unsigned)REACT_WORK);
        app->pending &= REACT_WORK;
    }
    if (f & REACT_REDRAW_ALL)
        f |= REACT_REDRAW_VIEW | REACT_REDRAW_TITLE | REACT_REDRAW_STATUS;
    if (f & REACT_REDRAW_VIEW) {
        view_draw(v);
    } else if (f & REACT_REDRAW_ROWS) {
        view_draw_row(v, v->old_sel);
        view_draw_row(v, v->sel);
        v->old_sel = v->sel;
    }
    /* Titles show the position, so a moved selection redraws the title too. */
    if (f & (REACT_REDRAW_TITLE | REACT_REDRAW_VIEW | REACT_REDRAW_ROWS))
        view_draw_title(v, 0, COLS);
    /* Messages set while drawing (a failed fetch) must show too. */
    f |= app->pending & REACT_REDRAW_STATUS;
    app->pending &= ~REACT_REDRAW_STATUS;
    int status_cursor = -1;
    if (f & REACT_REDRAW_STATUS || app->prompt.kind != PROMPT_NONE)
        status_cursor = draw_status(app);

    long row;
    int col;
    if (app->prompt.kind != PROMPT_NONE && status_cursor >= 0) {
        move(LINES - 1, status_cursor < COLS ? status_cursor : COLS - 1);
        curs_set(1);
    } else if (v->ops->cursor && v->ops->cursor(v, &row, &col) && row >= v->top &&
               row < v->top + v->height) {
        move(v->y0 + (int)(row - v->top), col < COLS ? col : COLS - 1);
        curs_set(1);
    } else {
        curs_set(0);
    }
out:
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- actions ------------------------------------------------------------- */

static void apply(struct app *app, struct view *v, unsigned r);
static void prompt_key(struct app *app, int key);
static bool on_stack(struct app *app, const struct view *v);

static bool
any_unsaved(struct app *app)
{
    for (int i = 0; i < app->nviews; i++) {
        struct view *v = app->views[i];
        if (v->ops->unsaved && v->ops->unsaved(v))
            return true;
    }
    return false;
}

static void
save_drafts(struct app *app)
{
    for (int i = 0; i < app->nviews; i++) {
        struct view *v = app->views[i];
        if (v->ops->save_draft)
            v->ops->save_draft(v);
    }
}

static unsigned
quit_answer(struct view *v, const char *text, bool yes)
{
    (void)v;
    (void)text;
    return yes ? REACT_QUIT : REACT_REDRAW_STATUS;
}

static unsigned
close_answer(struct view *v, const char *text, bool yes)
{
    (void)v;
    (void)text;
    return yes ? REACT_CLOSE : REACT_REDRAW_STATUS;
}

static void
suspend(struct app *app)
{
    struct sigaction dfl = {0}, old;
    save_drafts(app);
    term_write(PASTE_OFF);
    endwin();
    /*
     * Raw mode turns Ctrl-Z into a key, so do what the terminal would have
     * done: stop our whole process group (a wrapper script too) with the
     * default SIGTSTP action. In an orphaned group the signal is dropped and
     * we simply carry on. kill() returns once we are continued (fg).
     */
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGTSTP, &dfl, &old);
    kill(0, SIGTSTP);
    sigaction(SIGTSTP, &old, NULL);
    /* The next doupdate() restores our terminal modes; repaint all of it. */
    term_write(PASTE_ON);
    clearok(curscr, TRUE);
    app->pending |= REACT_REDRAW_ALL;
}

static unsigned
global_request(struct app *app, struct view *v, enum action act)
{
    switch (act) {
    case ACT_HELP: {
        app_push(app, &help_ops, v->ops);
        return REACT_NONE;
    }
    case ACT_BACK:
    case ACT_CANCEL:
        if (app->nviews <= 1)
            return REACT_QUIT;
        if (v->ops->unsaved && v->ops->unsaved(v)) {
            app_ask_yesno(app, v, _("Discard what you typed here? (y/n)"), close_answer);
            return REACT_NONE;
        }
        return REACT_CLOSE;
    case ACT_QUIT:
    case ACT_INTERRUPT:
        if (any_unsaved(app)) {
            app_ask_yesno(app, v, _("Quit Doorstep? What you typed is kept as a draft. (y/n)"),
                          quit_answer);
            return REACT_NONE;
        }
        return REACT_QUIT;
    case ACT_SYNC:
        app_sync_request(app);
        return REACT_REDRAW_STATUS;
    case ACT_LOGIN:
        app_sync_open_login(app);
        return REACT_NONE;
    case ACT_REDRAW:
        clearok(curscr, TRUE);
        return REACT_REDRAW_ALL;
    case ACT_SUSPEND:
        suspend(app);
        return REACT_NONE;
    default:
        return REACT_NONE;
    }
}

/* A handler may have replaced its own view; then v must not be touched again. */
static bool
on_stack(struct app *app, const struct view *v)
{
    for (int i = 0; i < app->nviews; i++)
        if (app->views[i] == v)
            return true;
    return false;
}

static void
dispatch(struct app *app, struct view *v, enum action act)
{
    unsigned r = REACT_PASS;
    if (v->ops->request)
        r = v->ops->request(v, act);
    if (!on_stack(app, v)) {
        apply(app, NULL, r);
        return;
    }
    if (r & REACT_PASS)
        r = (r & ~(unsigned)REACT_PASS) | view_move_request(v, act);
    if (r & REACT_PASS)
        r = (r & ~(unsigned)REACT_PASS) | global_request(app, v, act);
    apply(app, v, r);
}

static void
apply(struct app *app, struct view *v, unsigned r)
{
    r &= ~(unsigned)REACT_PASS;
    if (r & REACT_QUIT) {
        app->quit = true;
        return;
    }
    if (!v || !on_stack(app, v)) {
        /* The view is gone (it replaced itself): just show the new state. */
        app->pending |= REACT_REDRAW_ALL;
        return;
    }
    if (r & REACT_CLOSE) {
        /* Close v and whatever was opened above it. */
        while (app->nviews && app_top(app) != v)
            app_pop(app);
        if (app->nviews > 1)
            app_pop(app);
        else
            app->quit = true;
        return;
    }
    if (v != app_top(app))
        r = (r & REACT_WORK) ? REACT_REDRAW_ALL : r & REACT_REDRAW_STATUS;
    app->pending |= r;
}

static unsigned
finish_prompt(struct app *app, const char *text, bool yes)
{
    struct prompt p = app->prompt;
    /* Hand the answer over, then forget it: the callback may ask again. */
    memset(&app->prompt, 0, sizeof app->prompt);
    app->prompt.kind = PROMPT_NONE;
    app->pending |= REACT_REDRAW_STATUS;
    unsigned r = p.done ? p.done(p.owner, text ? p.edit.buf : NULL, yes) : REACT_NONE;
    edit_done(&p.edit);
    return r;
}

static void
prompt_key(struct app *app, int key)
{
    struct prompt *p = &app->prompt;
    struct view *owner = p->owner;
    unsigned r = REACT_REDRAW_STATUS;
    if (p->kind == PROMPT_YESNO) {
        enum action act = keymap_lookup_one(KM_PROMPT, key);
        if (act == ACT_NONE)
            act = keymap_lookup_one(KM_GENERIC, key);
        if (act == ACT_YES)
            r = finish_prompt(app, NULL, true);
        else if (act == ACT_NO || act == ACT_CANCEL || act == ACT_INTERRUPT || act == ACT_BACK)
            r = finish_prompt(app, NULL, false);
        else if (act == ACT_SUSPEND || act == ACT_REDRAW)
            r = global_request(app, owner, act);
        apply(app, owner, r);
        return;
    }
    if (keymap_key_is_text(key)) {
        if (!edit_insert(&p->edit, (uint32_t)key))
            beep();
    } else {
        enum action act = keymap_lookup(KM_PROMPT, true, key);
        switch (act) {
        case ACT_ACCEPT:
            r = finish_prompt(app, "", false);
            apply(app, owner, r);
            return;
        case ACT_CANCEL:
        case ACT_INTERRUPT:
        case ACT_BACK:
            r = finish_prompt(app, NULL, false);
            apply(app, owner, r);
            return;
        case ACT_CHAR_LEFT:
            edit_left(&p->edit);
            break;
        case ACT_CHAR_RIGHT:
            edit_right(&p->edit);
            break;
        case ACT_LINE_START:
            edit_home(&p->edit);
            break;
        case ACT_LINE_END:
            edit_end(&p->edit);
            break;
        case ACT_DELETE_BACK:
            edit_backspace(&p->edit);
            break;
        case ACT_DELETE_CHAR:
            edit_delete(&p->edit);
            break;
        case ACT_KILL_BEFORE:
            edit_kill_before(&p->edit);
            break;
        case ACT_KILL_AFTER:
            edit_kill_after(&p->edit);
            break;
        case ACT_SUSPEND:
        case ACT_REDRAW:
        case ACT_HELP:
            r |= global_request(app, owner, act);
            break;
        default:
            break;
        }
    }
    if (p->edit.changed && p->changed) {
        p->edit.changed = false;
        r |= p->changed(owner, p->edit.buf);
    }
    apply(app, owner, r);
}

static void
resize(struct app *app)
{
    app->too_small = COLS < APP_MIN_COLS || LINES < APP_MIN_LINES;
    for (int i = 0; i < app->nviews; i++)
        app_layout(app->views[i]);
    erase();
    app->pending |= REACT_REDRAW_ALL;
}

static void
refresh_today(struct app *app)
{
    /* DOORSTEP_TODAY pins the date for screen tests and demos (overdue marks). */
    const char *pinned = getenv("DOORSTEP_TODAY");
    struct dp_date d;
    if (!pinned || date_parse(pinned, &d, "DOORSTEP_TODAY", NULL) != DP_OK)
        d = date_today();
    date_format(&d, app->today, sizeof app->today);
}

/* A key inside a bracketed paste; true when it was dealt with here. */
static bool
paste_key(struct app *app, int key)
{
    struct view *v = app_top(app);
    bool text_view = v && v->ops->text_input && v->ops->text_input(v) && v->ops->input;
    if (app->prompt.kind == PROMPT_TEXT || app->prompt.kind == PROMPT_HIDDEN) {
        if (key == KEYCODE_ENTER || key == KEYCODE_TAB) {
            /* One line: a pasted line break is a space; a passphrase keeps none. */
            if (app->prompt.kind == PROMPT_TEXT)
                prompt_key(app, ' ');
            return true;
        }
        return false;
    }
    if (app->prompt.kind == PROMPT_YESNO || !text_view)
        return true; /* pasted text is never a command */
    if (key == KEYCODE_ENTER || key == KEYCODE_TAB) {
        apply(app, v, v->ops->input(v, key == KEYCODE_ENTER ? '\n' : ' '));
        return true;
    }
    return false;
}

static void
handle_key(struct app *app, int rc, unsigned ch)
{
    int key = keymap_key_from_curses(rc, ch);
    if (key == KEYCODE_FN(KEY_RESIZE)) {
        resize(app);
        return;
    }
    refresh_today(app);
    if (app->message[0] && !app->pasting) {
        app->message[0] = '\0';
        app->pending |= REACT_REDRAW_STATUS;
    }
    if (app->pasting && paste_key(app, key))
        return;
    if (app->too_small) {
        enum action act = keymap_lookup_one(KM_GENERIC, key);
        if (act == ACT_INTERRUPT || act == ACT_QUIT)
            app->quit = true;
        else if (act == ACT_SUSPEND)
            suspend(app);
        return;
    }
    if (app->prompt.kind != PROMPT_NONE) {
        prompt_key(app, key);
        return;
    }
    struct view *v = app_top(app);
    if (!v)
        return;
    bool text = v->ops->text_input && v->ops->text_input(v);
    enum action act = keymap_lookup(v->ops->keymap, text, key);
    if (act == ACT_NONE) {
        if (text && keymap_key_is_text(key) && v->ops->input)
            apply(app, v, v->ops->input(v, (uint32_t)key));
        return;
    }
    dispatch(app, v, act);
}

/* ---- setup and the loop ------------------------------------------------ */

/*
 * The caller chose the locale (and the language); we only need characters
 * to be UTF-8, for the data and for wcwidth() (tui/text.h).
 */
static void
ensure_utf8_locale(void)
{
    const char *cs = nl_langinfo(CODESET);
    if (!cs || strcmp(cs, "UTF-8") != 0)
        setlocale(LC_CTYPE, "C.UTF-8");
}

static bool
want_colour(void)
{
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return false;
    return has_colors();
}

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
run(struct app *app)
{
    sigset_t blocked, waitmask;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGHUP);
    sigaddset(&blocked, SIGWINCH);
    /* Signals arrive only inside ppoll(), so none slips in between check and wait. */
    sigprocmask(SIG_BLOCK, &blocked, &waitmask);
    sigdelset(&waitmask, SIGINT);
    sigdelset(&waitmask, SIGTERM);
    sigdelset(&waitmask, SIGHUP);
    sigdelset(&waitmask, SIGWINCH);

    bool typed = false;
    long long typed_at = 0;
    struct key_utf8 input = {0}, *in = &input;
    while (!app->quit) {
        render(app);
        if (app->pending & REACT_WORK) {
            struct view *v = app_top(app);
            app->pending &= ~(unsigned)REACT_WORK;
            if (v && v->ops->work)
                apply(app, v, v->ops->work(v));
            continue;
        }
        /* The keyboard and the sync worker's wake-up pipe, in one wait. */
        struct pollfd pfd[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
                                {.fd = app_sync_fd(app), .events = POLLIN}};
        nfds_t nfds = pfd[1].fd >= 0 ? 2 : 1;
        /* Drafts are written once typing pauses, however often the worker wakes us. */
        long long wait_ms = DRAFT_IDLE_MS - (now_ms() - typed_at);
        if (wait_ms < 0)
            wait_ms = 0;
        struct timespec idle = {(time_t)(wait_ms / 1000), (long)(wait_ms % 1000) * 1000000L};
        int n = ppoll(pfd, nfds, typed ? &idle : NULL, &waitmask);
        if (n > 0 && nfds == 2 && (pfd[1].revents & POLLIN)) {
            struct view *top = app_top(app);
            unsigned r = app_sync_poll(app);
            if (top)
                apply(app, top, r);
            n -= 1;
        }
        if (typed && now_ms() - typed_at >= DRAFT_IDLE_MS) {
            save_drafts(app);
            typed = false;
            app->pending |= REACT_REDRAW_TITLE;
        }
        if (got_sigterm || got_sighup) {
            app->exit_code = got_sighup ? 128 + SIGHUP : 128 + SIGTERM;
            break;
        }
        if (got_sigint) {
            got_sigint = 0;
            if (app->prompt.kind != PROMPT_NONE)
                prompt_key(app, 3);
            else if (app_top(app))
                dispatch(app, app_top(app), ACT_INTERRUPT);
        }
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))) {
            /* The terminal went away (ssh dropped): keep what was typed, leave. */
            app->exit_code = 128 + SIGHUP;
            break;
        }
        /* Take every key already waiting (a paste) before drawing once. */
        int c;
        while (!app->quit && (c = wgetch(stdscr)) != ERR) {
            if (c == KEY_PASTE_BEGIN || c == KEY_PASTE_END) {
                app->pasting = c == KEY_PASTE_BEGIN;
                in->have = 0;
            } else if (c >= KEY_MIN) {
                in->have = 0; /* a function key ends any broken character */
                handle_key(app, KEY_CODE_YES, (unsigned)c);
            } else {
                long cp = keymap_utf8_feed(in, (unsigned char)c);
                if (cp >= 0)
                    handle_key(app, OK, (unsigned)cp);
            }
            typed = true;
            typed_at = now_ms();
        }
    }
    save_drafts(app);
    sigprocmask(SIG_SETMASK, &waitmask, NULL);
    sigprocmask(SIG_UNBLOCK, &blocked, NULL);
}

/*
 * A passphrase given by the caller (a script, the demo) skips the unlock
 * screen; one that fails leaves the reason for the unlock screen's status line.
 */
static const struct view_ops *
first_view(struct app *app, const char *passphrase)
{
    struct dp_error err = {0};
    if (!passphrase)
        return &unlock_ops;
    enum dp_status rc = store_open(app->cfg->data_dir, passphrase, &app->store, &err);
    if (rc == DP_OK) {
        app->sync_passphrase = passphrase;
        return &households_ops;
    }
    snprintf(app->message, sizeof app->message, "%s: %s", _(dp_strerror(rc)),
             err.msg[0] ? err.msg : _("type the passphrase"));
    return &unlock_ops;
}

int
tui_main(const struct config *cfg, const char *passphrase)
{
    struct app app = {.cfg = cfg};
    SCREEN *scr = NULL;
    struct sigaction sa = {0}, old_int, old_term, old_hup;

    ensure_utf8_locale();
    textdomain("doorstep");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "doorstep: %s\n", _("the screens need a terminal"));
        return 1;
    }
    /* Ours before newterm(), so ncurses leaves SIGINT and SIGTERM to us. */
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);

    scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        const char *term = getenv("TERM");
        fprintf(stderr, "doorstep: %s (TERM=%s)\n", _("cannot use this terminal"),
                term ? term : "");
        app.exit_code = 1;
        goto out;
    }
    set_term(scr);
    raw(); /* Ctrl-C, Ctrl-Z, Ctrl-S arrive as keys */
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    define_key("\033[200~", KEY_PASTE_BEGIN);
    define_key("\033[201~", KEY_PASTE_END);
    term_write(PASTE_ON);
    app.colour = want_colour();
    if (app.colour)
        start_color();
    view_styles_init(app.colour);
    refresh_today(&app);
    app.too_small = COLS < APP_MIN_COLS || LINES < APP_MIN_LINES;

    if (app_push(&app, first_view(&app, passphrase), NULL) != DP_OK) {
        app.exit_code = 1;
    } else {
        if (app.sync_passphrase)
            app_sync_start(&app, app.sync_passphrase);
        app.sync_passphrase = NULL;
        run(&app);
    }
    /* Quitting cancels a running sync; what it committed page by page stays. */
    app_sync_stop(&app);
    while (app.nviews)
        app_pop(&app);
    app_prompt_clear(&app.prompt);
    term_write(PASTE_OFF);
    endwin();
    delscreen(scr);
out:
    store_close(app.store);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    if (app.exit_code == 1 && app.message[0])
        fprintf(stderr, "doorstep: %s\n", app.message);
    return app.exit_code;
}
