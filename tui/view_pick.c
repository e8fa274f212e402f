/*
 * A pick list over one form field: its choices, one per row. For a single
 * choice, Enter takes the selected one; for a set, Space ticks and unticks
 * and Enter keeps the result. Esc leaves the field as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "tui/app.h"
#include "tui/form.h"
#include "tui/views.h"

struct pick {
    struct form *form;
    size_t field;
    bool with_none; /* an optional single choice: row 0 means "not set" */
    int nchoices;
    char *original; /* the value when opened, for Esc */
};

static const struct form_field *
field(struct view *v)
{
    struct pick *p = v->priv;
    return &p->form->fields[p->field];
}

static bool
is_set(struct view *v)
{
    return field(v)->type == FT_SET;
}

/* Choice index of a row, -1 for "not set". */
static int
choice_of(struct view *v, long row)
{
    struct pick *p = v->priv;
    return (int)row - (p->with_none ? 1 : 0);
}

static enum dp_status
pick_open(struct view *v, const void *arg, struct dp_error *err)
{
    const struct pick_open *a = arg;
    struct pick *p = v->priv;
    p->form = a->form;
    p->field = a->field;
    const struct form_field *ff = field(v);
    if (ff->type != FT_ENUM && ff->type != FT_SET)
        return dp_error_set(err, DP_EINVAL, ff->def->name, "not a pick field");
    while (ff->choices[p->nchoices].token)
        p->nchoices++;
    p->with_none = ff->type == FT_ENUM && !(ff->def->flags & FF_REQUIRED);
    p->original = strdup(ff->value ? ff->value : "");
    if (!p->original)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    if (ff->type == FT_ENUM) {
        int cur = schema_choice_index(ff->choices, ff->value);
        v->sel = cur < 0 ? 0 : cur + (p->with_none ? 1 : 0);
    }
    return DP_OK;
}

static void
pick_close(struct view *v)
{
    struct pick *p = v->priv;
    free(p->original);
}

static enum dp_status
pick_load(struct view *v, struct dp_error *err)
{
    (void)err;
    struct pick *p = v->priv;
    v->lines = p->nchoices + (p->with_none ? 1 : 0);
    return DP_OK;
}

static void
pick_draw_row(struct view *v, long row, struct line *l)
{
    const struct form_field *ff = field(v);
    int c = choice_of(v, row);
    line_spaces(l, STYLE_NORMAL, 2);
    if (is_set(v))
        line_text(l, STYLE_NORMAL, form_set_has(ff, c) ? "[x] " : "[ ] ");
    if (c < 0)
        line_text(l, STYLE_DIM, _("(not set)"));
    else
        line_text(l, STYLE_NORMAL, _(ff->choices[c].label));
    line_fill(l, STYLE_NORMAL);
}

static void
pick_title(struct view *v, char *left, size_t leftsize, char *right, size_t rightsize)
{
    snprintf(left, leftsize, "%s", _(field(v)->def->label));
    snprintf(right, rightsize, "%ld/%ld", v->sel + 1, v->lines);
}

static unsigned
pick_request(struct view *v, enum action act)
{
    struct pick *p = v->priv;
    int c = choice_of(v, v->sel);
    switch (act) {
    case ACT_TOGGLE:
        if (is_set(v)) {
            form_toggle(p->form, p->field, c);
            return REACT_REDRAW_ROWS | REACT_REDRAW_TITLE;
        }
        /* For a single choice, Space takes it. */
        __attribute__((fallthrough));
    case ACT_ACCEPT:
    case ACT_ENTER:
        if (!is_set(v)) {
            form_field_set(p->form, p->field, c < 0 ? "" : field(v)->choices[c].token);
            if (strcmp(p->original, field(v)->value) != 0)
                form_touch(p->form, p->field);
        }
        return REACT_CLOSE;
    case ACT_CANCEL:
    case ACT_BACK:
        form_field_set(p->form, p->field, p->original);
        return REACT_CLOSE;
    case ACT_MOVE_DOWN:
    case ACT_MOVE_UP:
    case ACT_PAGE_DOWN:
    case ACT_PAGE_UP:
    case ACT_MOVE_FIRST:
    case ACT_MOVE_LAST: {
        unsigned r = view_move_request(v, act);
        return r | REACT_REDRAW_TITLE;
    }
    default:
        return REACT_PASS;
    }
}

const struct view_ops pick_ops = {
    .name = "pick",
    .keymap = KM_PICK,
    .priv_size = sizeof(struct pick),
    .show_cursor_line = true,
    .open = pick_open,
    .close = pick_close,
    .load = pick_load,
    .draw_row = pick_draw_row,
    .title = pick_title,
    .request = pick_request,
};
