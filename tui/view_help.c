/*
 * The help screen, generated from the key table (keymap.c) and the action
 * list (actions.h): one section per keymap, one line per action with all
 * its keys. Nothing here is written by hand, so help cannot drift from the
 * bindings. The keys of the screen help was opened from come first, then
 * what that screen's symbols mean (from its legend()).
 */
#include "tui/views.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/i18n.h"
#include "tui/app.h"

struct help_row {
    enum keymap keymap;
    enum action action; /* ACT_NONE: the section heading (or a blank line) */
    bool blank;
    int legend; /* >= 0: entry of the opener's legend; -2: the legend heading */
};

struct help {
    const struct view_ops *from; /* the screen help was opened from */
    struct help_row *rows;
    long nrows;
    int keys_cols; /* width of the key column */
};

static void
add_row(struct help *h, enum keymap km, enum action act, bool blank)
{
    h->rows[h->nrows++] = (struct help_row){km, act, blank, -1};
}

static int
legend_count(const struct view_ops *ops)
{
    const char *sym, *text;
    int n = 0;
    while (ops && ops->legend && ops->legend(n, &sym, &text))
        n++;
    return n;
}

static void
add_legend(struct help *h)
{
    int n = legend_count(h->from);
    const char *sym, *text;
    if (!n)
        return;
    add_row(h, KM_GENERIC, ACT_NONE, true);
    h->rows[h->nrows++] = (struct help_row){KM_GENERIC, ACT_NONE, false, -2};
    for (int i = 0; i < n; i++) {
        h->rows[h->nrows++] = (struct help_row){KM_GENERIC, ACT_NONE, false, i};
        h->from->legend(i, &sym, &text);
        if (text_width(sym) > h->keys_cols)
            h->keys_cols = text_width(sym);
    }
}

static void
add_section(struct help *h, enum keymap km)
{
    char keys[256];
    bool any = false;
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        if (keymap_keys_for(km, (enum action)a, keys, sizeof keys) == 0)
            continue;
        if (!any) {
            if (h->nrows)
                add_row(h, km, ACT_NONE, true);
            add_row(h, km, ACT_NONE, false);
            any = true;
        }
        add_row(h, km, (enum action)a, false);
        int w = text_width(keys);
        if (w > h->keys_cols)
            h->keys_cols = w;
    }
}

static enum dp_status
help_open(struct view *v, const void *arg, struct dp_error *err)
{
    struct help *h = v->priv;
    const struct view_ops *from = arg;
    enum keymap first = from ? from->keymap : KM_GENERIC;
    size_t nbind;
    keymap_table(&nbind);
    h->from = from;
    /* At most: every binding, a heading and a blank line per keymap, and the legend. */
    h->rows = calloc(nbind + 2 * KM_COUNT + 2 + (size_t)legend_count(from), sizeof *h->rows);
    if (!h->rows)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    if (first != KM_GENERIC)
        add_section(h, first);
    add_legend(h);
    add_section(h, KM_GENERIC);
    for (int km = 0; km < KM_COUNT; km++)
        if (km != KM_GENERIC && km != (int)first)
            add_section(h, (enum keymap)km);
    return DP_OK;
}

static void
help_close(struct view *v)
{
    struct help *h = v->priv;
    free(h->rows);
}

static enum dp_status
help_load(struct view *v, struct dp_error *err)
{
    (void)err;
    struct help *h = v->priv;
    v->lines = h->nrows;
    return DP_OK;
}

static void
help_draw_row(struct view *v, long row, struct line *l)
{
    struct help *h = v->priv;
    const struct help_row *r = &h->rows[row];
    if (r->blank)
        return;
    if (r->legend == -2) {
        line_text(l, STYLE_SECTION, _("Symbols on this screen"));
        return;
    }
    if (r->legend >= 0) {
        const char *sym, *text;
        int cols = h->keys_cols < v->width / 2 ? h->keys_cols : v->width / 2;
        h->from->legend(r->legend, &sym, &text);
        line_spaces(l, STYLE_NORMAL, 2);
        line_field(l, STYLE_KEY, sym, cols, TEXT_LEFT);
        line_spaces(l, STYLE_NORMAL, 2);
        line_text(l, STYLE_NORMAL, text);
        return;
    }
    if (r->action == ACT_NONE) {
        line_text(l, STYLE_SECTION, _(keymap_title(r->keymap)));
        return;
    }
    char keys[256];
    keymap_keys_for(r->keymap, r->action, keys, sizeof keys);
    int keys_cols = h->keys_cols < v->width / 2 ? h->keys_cols : v->width / 2;
    line_spaces(l, STYLE_NORMAL, 2);
    line_field(l, STYLE_KEY, keys, keys_cols, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 2);
    line_text(l, STYLE_NORMAL, _(action_help(r->action)));
}

static void
help_title(struct view *v, char *left, size_t leftsize, char *right, size_t rightsize)
{
    long last = v->top + v->height < v->lines ? v->top + v->height : v->lines;
    snprintf(left, leftsize, "%s", _("Help: keys"));
    snprintf(right, rightsize, _("lines %ld-%ld of %ld"), v->lines ? v->top + 1 : 0, last,
             v->lines);
}

static unsigned
help_request(struct view *v, enum action act)
{
    (void)v;
    if (act == ACT_HELP)
        return REACT_CLOSE; /* ? again leaves help, as in tig */
    return REACT_PASS;
}

const struct view_ops help_ops = {
    .name = "help",
    .keymap = KM_GENERIC,
    .priv_size = sizeof(struct help),
    .show_cursor_line = false,
    .open = help_open,
    .close = help_close,
    .load = help_load,
    .draw_row = help_draw_row,
    .title = help_title,
    .request = help_request,
};
