/*
 * The help screen, generated from the key table (keymap.c) and the action
 * list (actions.h): one section per keymap, one line per action with all
 * its keys. Nothing here is written by hand, so help cannot drift from the
 * bindings. The keymap of the screen help was opened from comes first.
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
};

struct help {
    struct help_row *rows;
    long nrows;
    int keys_cols; /* width of the key column */
};

static void
add_row(struct help *h, enum keymap km, enum action act, bool blank)
{
    h->rows[h->nrows++] = (struct help_row){km, act, blank};
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
    const enum keymap *from = arg;
    size_t nbind;
    keymap_table(&nbind);
    /* At most: every binding, plus a heading and a blank line per keymap. */
    h->rows = calloc(nbind + 2 * KM_COUNT, sizeof *h->rows);
    if (!h->rows)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    if (from && *from != KM_GENERIC)
        add_section(h, *from);
    add_section(h, KM_GENERIC);
    for (int km = 0; km < KM_COUNT; km++)
        if (km != KM_GENERIC && (!from || km != (int)*from))
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
