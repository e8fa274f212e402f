#include "tui/view.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "tui/app.h"

/* Colour pair numbers; 0 is the terminal's default. */
enum {
    PAIR_RED = 1,
    PAIR_YELLOW,
    PAIR_GREEN,
    PAIR_TITLE,
    PAIR_MARKER,
    PAIR_KEY,
};

static attr_t style_attrs[STYLE_COUNT];

void
view_styles_init(bool colour)
{
    /* Without colours every style must still be told apart: bold, underline, reverse. */
    attr_t mono[STYLE_COUNT] = {
        [STYLE_NORMAL] = A_NORMAL,    [STYLE_TITLE] = A_REVERSE, [STYLE_STATUS] = A_NORMAL,
        [STYLE_HEADER] = A_UNDERLINE, [STYLE_RED] = A_BOLD,      [STYLE_YELLOW] = A_NORMAL,
        [STYLE_GREEN] = A_NORMAL,     [STYLE_OVERDUE] = A_BOLD,  [STYLE_MARKER] = A_BOLD,
        [STYLE_ERROR] = A_BOLD,       [STYLE_DIM] = A_DIM,       [STYLE_LABEL] = A_NORMAL,
        [STYLE_INPUT] = A_UNDERLINE,  [STYLE_KEY] = A_BOLD,      [STYLE_SECTION] = A_BOLD,
    };
    memcpy(style_attrs, mono, sizeof style_attrs);
    if (!colour)
        return;
    short bg = -1;
    if (use_default_colors() == ERR)
        bg = COLOR_BLACK;
    init_pair(PAIR_RED, COLOR_RED, bg);
    init_pair(PAIR_YELLOW, COLOR_YELLOW, bg);
    init_pair(PAIR_GREEN, COLOR_GREEN, bg);
    init_pair(PAIR_TITLE, COLOR_WHITE, COLOR_BLUE);
    init_pair(PAIR_MARKER, COLOR_MAGENTA, bg);
    init_pair(PAIR_KEY, COLOR_CYAN, bg);
    style_attrs[STYLE_TITLE] = COLOR_PAIR(PAIR_TITLE) | A_BOLD;
    style_attrs[STYLE_RED] = COLOR_PAIR(PAIR_RED) | A_BOLD;
    style_attrs[STYLE_YELLOW] = COLOR_PAIR(PAIR_YELLOW) | A_BOLD;
    style_attrs[STYLE_GREEN] = COLOR_PAIR(PAIR_GREEN);
    style_attrs[STYLE_OVERDUE] = COLOR_PAIR(PAIR_RED) | A_BOLD;
    style_attrs[STYLE_MARKER] = COLOR_PAIR(PAIR_MARKER) | A_BOLD;
    style_attrs[STYLE_ERROR] = COLOR_PAIR(PAIR_RED) | A_BOLD;
    style_attrs[STYLE_KEY] = COLOR_PAIR(PAIR_KEY) | A_BOLD;
}

void
view_draw_line(int y, const struct line *l, bool selected)
{
    /*
     * A selected row is shown in reverse video, over the whole width or
     * only its first highlight_cols columns: moving the cursor then rewrites
     * just that part of two rows (design.md: under 300 bytes a move).
     */
    int hl = !selected ? 0 : l->highlight_cols > 0 ? l->highlight_cols : l->width;
    int col = 0;
    move(y, 0);
    for (int i = 0; i < l->nspans; i++) {
        const struct line_span *sp = &l->spans[i];
        attr_t a = style_attrs[sp->style < STYLE_COUNT ? sp->style : STYLE_NORMAL];
        const char *text = l->text + sp->start;
        size_t len = sp->len;
        if (col < hl) {
            /* The part of this span inside the highlight. */
            int used;
            size_t n = text_fit_n(text, len, hl - col, &used);
            attrset(a | A_REVERSE);
            addnstr(text, (int)n);
            col += used;
            text += n;
            len -= n;
        }
        if (len) {
            attrset(a);
            addnstr(text, (int)len);
            col += text_width_n(text, len);
        }
    }
    for (; col < l->width; col++) {
        attrset(col < hl ? A_REVERSE : A_NORMAL);
        addch(' ');
    }
    attrset(A_NORMAL);
}

struct view *
view_new(struct app *app, const struct view_ops *ops, const void *arg, struct dp_error *err)
{
    struct view *v = calloc(1, sizeof *v);
    if (!v) {
        dp_error_set(err, DP_ENOMEM, NULL, NULL);
        return NULL;
    }
    v->ops = ops;
    v->app = app;
    if (ops->priv_size) {
        v->priv = calloc(1, ops->priv_size);
        if (!v->priv) {
            free(v);
            dp_error_set(err, DP_ENOMEM, NULL, NULL);
            return NULL;
        }
    }
    if (ops->open && ops->open(v, arg, err) != DP_OK) {
        free(v->priv);
        free(v);
        return NULL;
    }
    if (view_reload(v, err) != DP_OK) {
        view_free(v);
        return NULL;
    }
    return v;
}

void
view_free(struct view *v)
{
    if (!v)
        return;
    if (v->ops->close)
        v->ops->close(v);
    free(v->priv);
    free(v);
}

/* Keep top and sel inside the list and the selection on screen. */
static void
clamp(struct view *v)
{
    if (v->lines <= 0) {
        v->top = v->sel = 0;
        return;
    }
    if (v->sel >= v->lines)
        v->sel = v->lines - 1;
    if (v->sel < 0)
        v->sel = 0;
    long maxtop = v->lines > v->height ? v->lines - v->height : 0;
    if (v->top > maxtop)
        v->top = maxtop;
    if (v->top < 0)
        v->top = 0;
    if (v->ops->show_cursor_line && v->height > 0) {
        if (v->sel < v->top)
            v->top = v->sel;
        if (v->sel >= v->top + v->height)
            v->top = v->sel - v->height + 1;
    }
}

void
view_layout(struct view *v, int y0, int height, int width)
{
    if (v->ops->header) {
        y0++;
        height--;
    }
    v->y0 = y0;
    v->height = height > 0 ? height : 0;
    v->width = width > 0 ? width : 0;
    clamp(v);
}

enum dp_status
view_reload(struct view *v, struct dp_error *err)
{
    enum dp_status st = DP_OK;
    if (v->ops->load)
        st = v->ops->load(v, err);
    clamp(v);
    if (v->ops->selectable && v->lines > 0 && !v->ops->selectable(v, v->sel))
        view_select(v, v->sel);
    return st;
}

static bool
can_select(struct view *v, long row)
{
    return !v->ops->selectable || v->ops->selectable(v, row);
}

unsigned
view_select(struct view *v, long row)
{
    if (v->lines <= 0)
        return REACT_NONE;
    if (row >= v->lines)
        row = v->lines - 1;
    if (row < 0)
        row = 0;
    long dir = row >= v->sel ? 1 : -1, r = row;
    while (r >= 0 && r < v->lines && !can_select(v, r))
        r += dir;
    if (r < 0 || r >= v->lines) {
        /* Nothing selectable that way: look the other way from the target. */
        for (r = row; r >= 0 && r < v->lines && !can_select(v, r); r -= dir)
            ;
        if (r < 0 || r >= v->lines)
            return REACT_NONE;
    }
    long old_top = v->top;
    v->sel = r;
    clamp(v);
    if (v->top != old_top)
        return REACT_REDRAW_VIEW;
    return v->sel != v->old_sel ? REACT_REDRAW_ROWS : REACT_NONE;
}

/* Pages without a cursor line (help, text) scroll instead of moving a selection. */
static unsigned
scroll_to(struct view *v, long top)
{
    long maxtop = v->lines > v->height ? v->lines - v->height : 0;
    if (top > maxtop)
        top = maxtop;
    if (top < 0)
        top = 0;
    if (top == v->top)
        return REACT_NONE;
    v->top = top;
    v->sel = top;
    return REACT_REDRAW_VIEW;
}

unsigned
view_move_request(struct view *v, enum action act)
{
    long page = v->height > 1 ? v->height - 1 : 1;
    if (!v->ops->show_cursor_line) {
        switch (act) {
        case ACT_MOVE_DOWN:
            return scroll_to(v, v->top + 1);
        case ACT_MOVE_UP:
            return scroll_to(v, v->top - 1);
        case ACT_PAGE_DOWN:
            return scroll_to(v, v->top + page);
        case ACT_PAGE_UP:
            return scroll_to(v, v->top - page);
        case ACT_MOVE_FIRST:
            return scroll_to(v, 0);
        case ACT_MOVE_LAST:
            return scroll_to(v, v->lines);
        default:
            return REACT_PASS;
        }
    }
    switch (act) {
    case ACT_MOVE_DOWN:
        return view_select(v, v->sel + 1);
    case ACT_MOVE_UP:
        return view_select(v, v->sel - 1);
    case ACT_PAGE_DOWN:
    case ACT_PAGE_UP: {
        /* Move the page and the selection together, as a pager does. */
        long delta = act == ACT_PAGE_DOWN ? page : -page;
        long old_top = v->top;
        long maxtop = v->lines > v->height ? v->lines - v->height : 0;
        long top = v->top + delta;
        v->top = top < 0 ? 0 : top > maxtop ? maxtop : top;
        unsigned r = view_select(v, v->sel + delta);
        if (act == ACT_PAGE_DOWN && r == REACT_NONE && v->sel < v->lines - 1)
            r = view_select(v, v->lines - 1);
        return v->top != old_top ? REACT_REDRAW_VIEW : r;
    }
    case ACT_MOVE_FIRST:
        return view_select(v, 0);
    case ACT_MOVE_LAST:
        return view_select(v, v->lines - 1);
    default:
        return REACT_PASS;
    }
}

static void
fetch_window(struct view *v)
{
    if (!v->ops->fetch || v->lines <= 0 || v->height <= 0)
        return;
    long n = v->lines - v->top;
    if (n > v->height)
        n = v->height;
    struct dp_error err = {0};
    if (v->ops->fetch(v, v->top, (int)n, &err) != DP_OK)
        app_error(v->app, _("Could not read the list"), &err);
}

static void
draw_row(struct view *v, long row)
{
    struct line l;
    int y = v->y0 + (int)(row - v->top);
    line_init(&l, v->width);
    if (row < v->lines && v->ops->draw_row)
        v->ops->draw_row(v, row, &l);
    view_draw_line(y, &l, v->ops->show_cursor_line && row == v->sel);
}

void
view_draw_row(struct view *v, long row)
{
    if (row < v->top || row >= v->top + v->height || row >= v->lines)
        return;
    fetch_window(v);
    draw_row(v, row);
}

void
view_draw(struct view *v)
{
    if (v->ops->header) {
        struct line l;
        line_init(&l, v->width);
        if (v->ops->draw_header)
            v->ops->draw_header(v, &l);
        view_draw_line(v->y0 - 1, &l, false);
    }
    fetch_window(v);
    for (int i = 0; i < v->height; i++) {
        if (i == 0 && v->lines == 0 && v->ops->empty) {
            struct line l;
            line_init(&l, v->width);
            line_spaces(&l, STYLE_NORMAL, 2);
            line_text(&l, STYLE_DIM, _(v->ops->empty));
            view_draw_line(v->y0, &l, false);
            continue;
        }
        draw_row(v, v->top + i);
    }
    v->old_sel = v->sel;
}

void
view_draw_title(struct view *v, int y, int width)
{
    char left[256] = "", right[128] = "";
    struct line l;
    line_init(&l, width);
    if (v && v->ops->title)
        v->ops->title(v, left, sizeof left, right, sizeof right);
    int rw = text_width(right);
    line_text(&l, STYLE_TITLE, " ");
    /* The counts on the right matter more than the end of a long title. */
    line_field(&l, STYLE_TITLE, left, width - rw - 2 > 0 ? width - rw - 2 : 0, TEXT_LEFT);
    line_text(&l, STYLE_TITLE, right);
    line_fill(&l, STYLE_TITLE);
    view_draw_line(y, &l, false);
}
