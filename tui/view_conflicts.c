/*
 * Conflicts to resolve: an edit made here and one made elsewhere changed the
 * same field (or one side deleted what the other changed). One heading per
 * conflict (household head, record, who changed it and when), one row per
 * field with the value before, mine and theirs, in words (choice labels
 * translated, money in yuan). Per field the worker keeps mine, keeps
 * theirs, or types (or picks) a new value, checked as a form checks it.
 * Once every field of a conflict has a choice it becomes a resolve_conflict
 * edit through store/conflicts.h, sent with the next sync.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "store/conflicts.h"
#include "store/store.h"
#include "tui/app.h"
#include "tui/form.h"
#include "tui/syncbar.h"
#include "tui/values.h"
#include "tui/views.h"

#define LABEL_COLS  18
#define CHOICE_COLS 10

enum row_kind {
    ROW_BLANK,
    ROW_ITEM,  /* heading of a conflict */
    ROW_NOTE,  /* a line about the conflict as a whole (deletion, resolved here) */
    ROW_FIELD, /* one field: before, mine, theirs, choice */
};

struct row {
    enum row_kind kind;
    int item;
    int field; /* ROW_FIELD: index into the item's fields */
};

/* A choice made for one field of a conflict with several, kept until all have one. */
struct pending {
    char conflict_id[SYNC_CONFLICT_ID_MAX + 1];
    int field;       /* schema index */
    char *value;     /* canonical */
    const char *how; /* N_() word shown in the choice column */
};

struct conflicts_view {
    char hid[37]; /* "" = every household */
    struct conflict_item *items;
    size_t nitems;
    char (*record_labels)[128]; /* per item: the member's name, the visit's date, ... */
    struct row *rows;
    long nrows;
    struct pending *pending;
    size_t npending;
    /* A new value being typed or picked. */
    struct form form;
    bool form_open;
    bool picking;
    char *pick_before;
    char new_conflict[SYNC_CONFLICT_ID_MAX + 1];
    int new_field; /* schema index */
};

/* ---- choices kept until a conflict is complete ------------------------------------ */

static struct pending *
pending_find(struct conflicts_view *cv, const char *conflict_id, int field)
{
    for (size_t i = 0; i < cv->npending; i++)
        if (cv->pending[i].field == field && strcmp(cv->pending[i].conflict_id, conflict_id) == 0)
            return &cv->pending[i];
    return NULL;
}

static void
pending_drop(struct conflicts_view *cv, const char *conflict_id)
{
    size_t k = 0;
    for (size_t i = 0; i < cv->npending; i++) {
        if (strcmp(cv->pending[i].conflict_id, conflict_id) == 0) {
            free(cv->pending[i].value);
            continue;
        }
        cv->pending[k++] = cv->pending[i];
    }
    cv->npending = k;
}

static bool
pending_set(struct conflicts_view *cv, const char *conflict_id, int field, const char *value,
            const char *how)
{
    struct pending *p = pending_find(cv, conflict_id, field);
    char *copy = strdup(value);
    if (!copy)
        return false;
    if (!p) {
        struct pending *bigger = realloc(cv->pending, (cv->npending + 1) * sizeof *bigger);
        if (!bigger) {
            free(copy);
            return false;
        }
        cv->pending = bigger;
        p = &cv->pending[cv->npending++];
        memset(p, 0, sizeof *p);
        snprintf(p->conflict_id, sizeof p->conflict_id, "%s", conflict_id);
        p->field = field;
    }
    free(p->value);
    p->value = copy;
    p->how = how;
    return true;
}

/* ---- loading -------------------------------------------------------------------- */

static void
free_items(struct conflicts_view *cv)
{
    store_conflict_items_free(cv->items, cv->nitems);
    cv->items = NULL;
    cv->nitems = 0;
    free(cv->record_labels);
    cv->record_labels = NULL;
    free(cv->rows);
    cv->rows = NULL;
    cv->nrows = 0;
}

static void
close_form(struct conflicts_view *cv)
{
    if (cv->form_open)
        form_done(&cv->form);
    cv->form_open = false;
    cv->picking = false;
    free(cv->pick_before);
    cv->pick_before = NULL;
}

static enum dp_status
conflicts_open(struct view *v, const void *arg, struct dp_error *err)
{
    struct conflicts_view *cv = v->priv;
    const char *hid = arg;
    if (hid && strlen(hid) >= sizeof cv->hid)
        return dp_error_set(err, DP_EINVAL, "id", "bad household id");
    snprintf(cv->hid, sizeof cv->hid, "%s", hid ? hid : "");
    return DP_OK;
}

static void
conflicts_close(struct view *v)
{
    struct conflicts_view *cv = v->priv;
    free_items(cv);
    for (size_t i = 0; i < cv->npending; i++)
        free(cv->pending[i].value);
    free(cv->pending);
    close_form(cv);
}

static bool
is_deletion(const struct conflict_item *c)
{
    return strcmp(c->kind, "delete_vs_edit") == 0;
}

/* For a deletion conflict: did this side edit (so "mine" restores) or delete? */
static bool
mine_restores(const struct conflict_item *c)
{
    for (size_t i = 0; i < c->nfields; i++)
        if (c->fields[i].yours[0])
            return true;
    return false;
}

/* A few words naming the record inside its household: a member's name, a visit's date. */
static void
record_label(struct view *v, const struct conflict_item *c, char *buf, size_t size)
{
    struct record r;
    buf[0] = '\0';
    if (c->def == &schema_household ||
        store_record_get(v->app->store, c->def, c->rid, &r, NULL) != DP_OK)
        return;
    const char *name = c->def == &schema_member  ? "name"
                       : c->def == &schema_visit ? "date"
                       : c->def == &schema_need  ? "item"
                                                 : NULL;
    snprintf(buf, size, "%s", name ? record_get(&r, name) : "");
    record_done(&r);
}

static enum dp_status submit(struct view *v, const struct conflict_item *c, struct dp_error *err);

/* Back from a pick list: take what was picked, if anything changed. */
static void
finish_pick(struct view *v)
{
    struct conflicts_view *cv = v->priv;
    struct dp_error err = {0};
    if (!cv->picking)
        return;
    const char *now = cv->form.fields[0].value ? cv->form.fields[0].value : "";
    bool changed = cv->pick_before && strcmp(now, cv->pick_before) != 0;
    char conflict[sizeof cv->new_conflict];
    snprintf(conflict, sizeof conflict, "%s", cv->new_conflict);
    int field = cv->new_field;
    if (changed && !pending_set(cv, conflict, field, now, N_("new value")))
        app_message(v->app, STYLE_ERROR, "%s", _(dp_strerror(DP_ENOMEM)));
    close_form(cv);
    if (!changed)
        return;
    for (size_t i = 0; i < cv->nitems; i++)
        if (strcmp(cv->items[i].conflict_id, conflict) == 0 &&
            submit(v, &cv->items[i], &err) != DP_OK && err.code != DP_OK)
            app_error(v->app, _("Not resolved"), &err);
}

static enum dp_status
conflicts_load(struct view *v, struct dp_error *err)
{
    struct conflicts_view *cv = v->priv;
    /* Items first (a pick may complete a conflict), then the fresh list. */
    finish_pick(v);
    free_items(cv);
    v->lines = 0;
    enum dp_status s = store_conflict_items(v->app->store, cv->hid[0] ? cv->hid : NULL, &cv->items,
                                            &cv->nitems, err);
    if (s != DP_OK)
        return s;
    size_t max = 0;
    for (size_t i = 0; i < cv->nitems; i++)
        max += cv->items[i].nfields + 4;
    cv->rows = calloc(max + 1, sizeof *cv->rows);
    cv->record_labels = calloc(cv->nitems + 1, sizeof *cv->record_labels);
    if (!cv->rows || !cv->record_labels)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < cv->nitems; i++) {
        const struct conflict_item *c = &cv->items[i];
        record_label(v, c, cv->record_labels[i], sizeof cv->record_labels[i]);
        if (i)
            cv->rows[cv->nrows++] = (struct row){ROW_BLANK, (int)i, 0};
        cv->rows[cv->nrows++] = (struct row){ROW_ITEM, (int)i, 0};
        if (is_deletion(c) || strcmp(c->state, "open") != 0)
            cv->rows[cv->nrows++] = (struct row){ROW_NOTE, (int)i, 0};
        for (size_t k = 0; k < c->nfields; k++)
            cv->rows[cv->nrows++] = (struct row){ROW_FIELD, (int)i, (int)k};
    }
    v->lines = cv->nrows;
    return DP_OK;
}

/* ---- drawing ---------------------------------------------------------------------- */

static int
value_cols(const struct view *v)
{
    int w = (v->width - 2 - LABEL_COLS - CHOICE_COLS - 4) / 3;
    return w < 6 ? 6 : w;
}

static void
draw_value(struct line *l, const struct field_def *fd, const char *value, int cols, enum style st)
{
    char buf[512];
    value_text(fd, value, buf, sizeof buf);
    line_field(l, buf[0] ? st : STYLE_DIM, buf[0] ? buf : "-", cols, TEXT_LEFT);
}

static void
conflicts_draw_header(struct view *v, struct line *l)
{
    int vc = value_cols(v);
    line_spaces(l, STYLE_HEADER, 2);
    line_field(l, STYLE_HEADER, _("Field"), LABEL_COLS, TEXT_LEFT);
    line_spaces(l, STYLE_HEADER, 1);
    line_field(l, STYLE_HEADER, _("Before"), vc, TEXT_LEFT);
    line_spaces(l, STYLE_HEADER, 1);
    line_field(l, STYLE_HEADER, _("Mine"), vc, TEXT_LEFT);
    line_spaces(l, STYLE_HEADER, 1);
    line_field(l, STYLE_HEADER, _("Theirs"), vc, TEXT_LEFT);
    line_spaces(l, STYLE_HEADER, 1);
    line_field(l, STYLE_HEADER, _("Choice"), CHOICE_COLS, TEXT_LEFT);
    line_fill(l, STYLE_HEADER);
}

static void
draw_item(struct view *v, const struct conflict_item *c, const char *label, struct line *l)
{
    char buf[512], when[32];
    syncbar_local_time(c->opened_at, when, sizeof when);
    when[10] = '\0'; /* the date is enough */
    snprintf(buf, sizeof buf, "%s", c->head_name[0] ? c->head_name : _("(household not held)"));
    line_text(l, STYLE_SECTION, buf);
    line_text(l, STYLE_NORMAL, "  ");
    if (label[0])
        snprintf(buf, sizeof buf, "%s %s", _(c->def->label), label);
    else
        snprintf(buf, sizeof buf, "%s", _(c->def->label));
    line_text(l, STYLE_LABEL, buf);
    /* Who met whom: the other person's name when it was not this user's edit that came second. */
    if (c->opened_by[0] && strcmp(c->opened_by, v->app->sync.info.user) != 0)
        snprintf(buf, sizeof buf, _("  (changed by %s too; since %s)"), c->opened_by, when);
    else
        snprintf(buf, sizeof buf, _("  (changed elsewhere too; since %s)"), when);
    line_text(l, STYLE_DIM, buf);
}

static void
draw_note(const struct conflict_item *c, struct line *l)
{
    line_spaces(l, STYLE_NORMAL, 2);
    if (strcmp(c->state, "open") != 0)
        line_text(l, STYLE_DIM, _("Resolved here; the choice is sent with the next sync."));
    else if (mine_restores(c))
        line_text(l, STYLE_MARKER,
                  _("Deleted elsewhere, changed here: m restores it, t keeps it deleted."));
    else
        line_text(l, STYLE_MARKER,
                  _("Deleted here, changed elsewhere: m keeps it deleted, t restores it."));
}

static void
conflicts_draw_row(struct view *v, long row, struct line *l)
{
    struct conflicts_view *cv = v->priv;
    const struct row *r = &cv->rows[row];
    const struct conflict_item *c = &cv->items[r->item];
    switch (r->kind) {
    case ROW_BLANK:
        return;
    case ROW_ITEM:
        draw_item(v, c, cv->record_labels[r->item], l);
        return;
    case ROW_NOTE:
        draw_note(c, l);
        return;
    case ROW_FIELD: {
        const struct conflict_field *cf = &c->fields[r->field];
        const struct field_def *fd = &c->def->fields[cf->index];
        int vc = value_cols(v);
        bool open = strcmp(c->state, "open") == 0;
        line_spaces(l, STYLE_NORMAL, 2);
        line_field(l, STYLE_LABEL, _(fd->label), LABEL_COLS, TEXT_LEFT);
        line_spaces(l, STYLE_NORMAL, 1);
        draw_value(l, fd, cf->base, vc, STYLE_DIM);
        line_spaces(l, STYLE_NORMAL, 1);
        draw_value(l, fd, cf->yours, vc, open ? STYLE_NORMAL : STYLE_DIM);
        line_spaces(l, STYLE_NORMAL, 1);
        draw_value(l, fd, cf->server, vc, open ? STYLE_NORMAL : STYLE_DIM);
        line_spaces(l, STYLE_NORMAL, 1);
        const struct pending *p = pending_find(cv, c->conflict_id, cf->index);
        if (p)
            line_field(l, STYLE_MARKER, _(p->how), CHOICE_COLS, TEXT_LEFT);
        return;
    }
    }
}

static bool
conflicts_selectable(struct view *v, long row)
{
    struct conflicts_view *cv = v->priv;
    return row >= 0 && row < cv->nrows &&
           (cv->rows[row].kind == ROW_ITEM || cv->rows[row].kind == ROW_FIELD);
}

static void
conflicts_title(struct view *v, char *left, size_t leftsize, char *right, size_t rightsize)
{
    struct conflicts_view *cv = v->priv;
    long open = 0;
    for (size_t i = 0; i < cv->nitems; i++)
        open += strcmp(cv->items[i].state, "open") == 0;
    if (cv->hid[0] && cv->nitems && cv->items[0].head_name[0])
        snprintf(left, leftsize, _("Conflicts: %s"), cv->items[0].head_name);
    else
        snprintf(left, leftsize, "%s", _("Conflicts"));
    snprintf(right, rightsize, _("%ld to resolve"), open);
}

/* ---- choosing ----------------------------------------------------------------------- */

/* Every field has a choice: settle the conflict. DP_OK with err->code DP_OK when not yet. */
static enum dp_status
submit(struct view *v, const struct conflict_item *c, struct dp_error *err)
{
    struct conflicts_view *cv = v->priv;
    const char *values[64];
    if (c->nfields > 64)
        return dp_error_set(err, DP_ETOOBIG, NULL, "too many fields");
    for (size_t k = 0; k < c->nfields; k++) {
        const struct pending *p = pending_find(cv, c->conflict_id, c->fields[k].index);
        if (!p)
            return DP_OK; /* more to choose */
        values[k] = p->value;
    }
    enum dp_status s = store_conflict_choose(v->app->store, c, CONFLICT_FIELDS, values, err);
    if (s != DP_OK) {
        /* The field at fault loses its choice (all of them when none is named). */
        int bad = err->field[0] ? schema_field_index(c->def, err->field) : -1;
        struct pending *p = bad >= 0 ? pending_find(cv, c->conflict_id, bad) : NULL;
        if (p) {
            free(p->value);
            *p = cv->pending[--cv->npending];
        } else {
            pending_drop(cv, c->conflict_id);
        }
        return s;
    }
    pending_drop(cv, c->conflict_id);
    app_message(v->app, STYLE_NORMAL, "%s", _("Resolved. The choice is sent with the next sync."));
    return DP_OK;
}

static unsigned
choose_deletion(struct view *v, const struct conflict_item *c, bool mine)
{
    struct dp_error err = {0};
    bool restore = mine == mine_restores(c);
    const char *values[64];
    if (c->nfields > 64)
        return REACT_NONE;
    for (size_t k = 0; k < c->nfields; k++) {
        const struct conflict_field *cf = &c->fields[k];
        values[k] = mine ? cf->yours : cf->server;
    }
    if (store_conflict_choose(v->app->store, c, restore ? CONFLICT_RESTORE : CONFLICT_KEEP_DELETED,
                              values, &err) != DP_OK) {
        app_error(v->app, _("Not resolved"), &err);
        return REACT_REDRAW_STATUS;
    }
    app_message(v->app, STYLE_NORMAL, "%s",
                restore ? _("Restored. The choice is sent with the next sync.")
                        : _("Kept deleted. The choice is sent with the next sync."));
    return REACT_RELOAD | REACT_REDRAW_TITLE;
}

/* Mine or theirs for one field (field >= 0) or every field of the conflict (-1). */
static unsigned
choose(struct view *v, int item, int field, bool mine)
{
    struct conflicts_view *cv = v->priv;
    const struct conflict_item *c = &cv->items[item];
    struct dp_error err = {0};
    if (strcmp(c->state, "open") != 0) {
        app_message(v->app, STYLE_NORMAL, "%s",
                    _("Already resolved here; the choice is sent with the next sync."));
        return REACT_REDRAW_STATUS;
    }
    if (is_deletion(c))
        return choose_deletion(v, c, mine);
    for (size_t k = 0; k < c->nfields; k++) {
        if (field >= 0 && (int)k != field)
            continue;
        const struct conflict_field *cf = &c->fields[k];
        if (!pending_set(cv, c->conflict_id, cf->index, mine ? cf->yours : cf->server,
                         mine ? N_("mine") : N_("theirs"))) {
            app_message(v->app, STYLE_ERROR, "%s", _(dp_strerror(DP_ENOMEM)));
            return REACT_REDRAW_STATUS;
        }
    }
    if (submit(v, c, &err) != DP_OK) {
        app_error(v->app, _("Not resolved"), &err);
        return REACT_REDRAW_VIEW | REACT_REDRAW_STATUS;
    }
    if (pending_find(cv, c->conflict_id, c->fields[0].index))
        return REACT_REDRAW_VIEW; /* more fields to choose */
    return REACT_RELOAD | REACT_REDRAW_TITLE;
}

static unsigned new_value_done(struct view *v, const char *text, bool yes);

/* Ask for the value on the bottom line; after a refusal the question says why. */
static void
ask_new_value(struct view *v, const char *initial, const char *problem)
{
    struct conflicts_view *cv = v->priv;
    struct form_field *ff = &cv->form.fields[0];
    char label[200];
    if (problem)
        snprintf(label, sizeof label, _("%s: %s. Try again:"), _(ff->def->label), problem);
    else
        snprintf(label, sizeof label, _("New value for %s:"), _(ff->def->label));
    app_ask_text(v->app, v, PROMPT_TEXT, label, initial,
                 ff->def->max_chars ? ff->def->max_chars : 40, NULL, new_value_done);
}

static unsigned
new_value_done(struct view *v, const char *text, bool yes)
{
    (void)yes;
    struct conflicts_view *cv = v->priv;
    struct dp_error err = {0};
    struct dp_date today;
    char *value = NULL;
    if (!text || !cv->form_open) {
        close_form(cv);
        return REACT_REDRAW_STATUS;
    }
    struct form_field *ff = &cv->form.fields[0];
    if (date_parse(v->app->today, &today, "today", NULL) != DP_OK)
        today = date_today();
    if (edit_set(&ff->edit, text) != DP_OK || form_check_field(&cv->form, 0, &today) != DP_OK ||
        form_field_value(ff, &value, &err) != DP_OK) {
        /* Ask again with what was typed, so it can be corrected. */
        char *again = strdup(text), problem[200];
        snprintf(problem, sizeof problem, "%s", ff->error[0] ? ff->error : err.msg);
        ask_new_value(v, again ? again : "", problem);
        free(again);
        free(value);
        return REACT_REDRAW_STATUS;
    }
    char conflict[sizeof cv->new_conflict];
    snprintf(conflict, sizeof conflict, "%s", cv->new_conflict);
    bool ok = pending_set(cv, conflict, cv->new_field, value, N_("new value"));
    free(value);
    close_form(cv);
    if (!ok) {
        app_message(v->app, STYLE_ERROR, "%s", _(dp_strerror(DP_ENOMEM)));
        return REACT_REDRAW_STATUS;
    }
    for (size_t i = 0; i < cv->nitems; i++) {
        if (strcmp(cv->items[i].conflict_id, conflict) != 0)
            continue;
        if (submit(v, &cv->items[i], &err) != DP_OK) {
            app_error(v->app, _("Not resolved"), &err);
            return REACT_REDRAW_VIEW | REACT_REDRAW_STATUS;
        }
        if (pending_find(cv, conflict, cv->items[i].fields[0].index))
            return REACT_REDRAW_VIEW | REACT_REDRAW_STATUS;
    }
    return REACT_RELOAD | REACT_REDRAW_TITLE | REACT_REDRAW_STATUS;
}

/* Type (or pick) a new value for one field, checked as the form checks it. */
static unsigned
new_value(struct view *v, int item, int field)
{
    struct conflicts_view *cv = v->priv;
    const struct conflict_item *c = &cv->items[item];
    struct dp_error err = {0};
    if (strcmp(c->state, "open") != 0) {
        app_message(v->app, STYLE_NORMAL, "%s",
                    _("Already resolved here; the choice is sent with the next sync."));
        return REACT_REDRAW_STATUS;
    }
    if (is_deletion(c)) {
        app_message(v->app, STYLE_NORMAL, "%s",
                    _("A deletion is settled with m (mine) or t (theirs)."));
        return REACT_REDRAW_STATUS;
    }
    const struct conflict_field *cf = &c->fields[field < 0 ? 0 : field];
    const struct field_def *fd = &c->def->fields[cf->index];
    if (fd->type == FT_BOOL) {
        app_message(v->app, STYLE_NORMAL, "%s",
                    _("A yes/no field has only two values: keep mine (m) or theirs (t)."));
        return REACT_REDRAW_STATUS;
    }
    close_form(cv);
    struct record r = {0};
    const char *only[] = {fd->name, NULL};
    if (record_init(&r, c->def) != DP_OK) {
        app_message(v->app, STYLE_ERROR, "%s", _(dp_strerror(DP_ENOMEM)));
        return REACT_REDRAW_STATUS;
    }
    record_set_index(&r, cf->index, cf->yours[0] ? cf->yours : cf->server);
    enum dp_status s = form_init(&cv->form, &r, false, only, &err);
    record_done(&r);
    cv->form_open = true;
    if (s != DP_OK || cv->form.nfields != 1) {
        close_form(cv);
        app_error(v->app, _("Cannot edit this field here"), &err);
        return REACT_REDRAW_STATUS;
    }
    snprintf(cv->new_conflict, sizeof cv->new_conflict, "%s", c->conflict_id);
    cv->new_field = cf->index;
    if (fd->type == FT_ENUM || fd->type == FT_SET) {
        cv->pick_before = strdup(cv->form.fields[0].value ? cv->form.fields[0].value : "");
        if (!cv->pick_before) {
            close_form(cv);
            return REACT_REDRAW_STATUS;
        }
        cv->picking = true;
        if (app_push(v->app, &pick_ops, &(struct pick_open){&cv->form, 0}) != DP_OK)
            close_form(cv);
        return REACT_NONE;
    }
    ask_new_value(v, cv->form.fields[0].edit.buf, NULL);
    return REACT_REDRAW_STATUS;
}

static unsigned
conflicts_request(struct view *v, enum action act)
{
    struct conflicts_view *cv = v->priv;
    if (v->sel < 0 || v->sel >= cv->nrows) {
        if (act == ACT_KEEP_MINE || act == ACT_KEEP_THEIRS || act == ACT_NEW_VALUE)
            return REACT_NONE;
        return REACT_PASS;
    }
    const struct row *r = &cv->rows[v->sel];
    int field = r->kind == ROW_FIELD ? r->field : -1;
    switch (act) {
    case ACT_KEEP_MINE:
        return choose(v, r->item, field, true);
    case ACT_KEEP_THEIRS:
        return choose(v, r->item, field, false);
    case ACT_NEW_VALUE:
    case ACT_ENTER:
        return new_value(v, r->item, field);
    default:
        return REACT_PASS;
    }
}

static unsigned
conflicts_sync_changed(struct view *v, const struct sync_worker_status *st, bool data)
{
    (void)v;
    (void)st;
    return data ? REACT_RELOAD | REACT_REDRAW_TITLE : REACT_NONE;
}

const struct view_ops conflicts_ops = {
    .name = "conflicts",
    .keymap = KM_CONFLICTS,
    .priv_size = sizeof(struct conflicts_view),
    .header = true,
    .show_cursor_line = true,
    .empty = N_("No conflicts to resolve."),
    .open = conflicts_open,
    .close = conflicts_close,
    .load = conflicts_load,
    .draw_row = conflicts_draw_row,
    .draw_header = conflicts_draw_header,
    .title = conflicts_title,
    .request = conflicts_request,
    .selectable = conflicts_selectable,
    .sync_changed = conflicts_sync_changed,
};
