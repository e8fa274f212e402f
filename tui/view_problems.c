/*
 * Problems: edits the server refused (for good: a refused edit is never
 * sent again) and the last syncs that failed. A refused edit shows its
 * household, record, field and the server's reason in plain words; Enter
 * opens the record with the refused values filled in, to correct and save
 * again (the refused edit is then set aside), and d sets it aside as it is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "store/conflicts.h"
#include "store/store.h"
#include "tui/app.h"
#include "tui/syncbar.h"
#include "tui/views.h"

#define MAX_REJECTED 200
#define MAX_FAILURES 10

enum row_kind {
    ROW_BLANK,
    ROW_HEADING, /* index 0: refused edits, 1: failed syncs */
    ROW_NONE,    /* "none" under an empty section */
    ROW_REJECTED,
    ROW_DETAIL, /* the server's own words about a refused edit */
    ROW_FAILURE,
};

struct row {
    enum row_kind kind;
    int index;
};

struct problems {
    struct rejected_item *rejected;
    size_t nrejected;
    struct sync_failure *failures;
    size_t nfailures;
    struct row *rows;
    long nrows;
    int64_t asked_mid; /* the refused edit a yes/no question is about */
};

/* The server's reason tokens (PROTOCOL.md, rejection reasons) in plain words. */
static const struct {
    const char *token;
    const char *text;
} reasons[] = {
    {"invalid", N_("a value was not accepted")},
    {"unknown_type", N_("the server does not know this kind of record")},
    {"unknown_op", N_("the server does not know this kind of change")},
    {"not_found", N_("the record is gone, or no longer assigned to you")},
    {"forbidden", N_("your role may not make this change")},
    {"server_field", N_("only the server sets this field")},
    {"immutable_field", N_("this field cannot change once the record exists")},
    {"review_flow", N_("a submitted visit changes only through review")},
    {"invalid_transition", N_("this review step is not allowed now")},
    {"id_taken", N_("the record's id is already used")},
    {"already_resolved", N_("the conflict was already resolved")},
    {"deleted", N_("the record was deleted")},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The reason in plain words, translated, into buf. */
static void
reason_text(const char *token, char *buf, size_t size)
{
    for (size_t i = 0; i < COUNT(reasons); i++)
        if (strcmp(reasons[i].token, token) == 0) {
            snprintf(buf, size, "%s", _(reasons[i].text));
            return;
        }
    snprintf(buf, size, _("refused (%s)"), token[0] ? token : "?");
}

static void
free_data(struct problems *p)
{
    free(p->rejected);
    p->rejected = NULL;
    p->nrejected = 0;
    free(p->failures);
    p->failures = NULL;
    p->nfailures = 0;
    free(p->rows);
    p->rows = NULL;
    p->nrows = 0;
}

static void
problems_close(struct view *v)
{
    free_data(v->priv);
}

static void
add(struct problems *p, enum row_kind kind, int index)
{
    p->rows[p->nrows++] = (struct row){kind, index};
}

static enum dp_status
problems_load(struct view *v, struct dp_error *err)
{
    struct problems *p = v->priv;
    free_data(p);
    v->lines = 0;
    enum dp_status s =
        store_rejected_items(v->app->store, MAX_REJECTED, &p->rejected, &p->nrejected, err);
    if (s == DP_OK)
        s = store_sync_failures(v->app->store, MAX_FAILURES, &p->failures, &p->nfailures, err);
    if (s != DP_OK)
        return s;
    p->rows = calloc(2 * p->nrejected + p->nfailures + 6, sizeof *p->rows);
    if (!p->rows)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    add(p, ROW_HEADING, 0);
    if (!p->nrejected)
        add(p, ROW_NONE, 0);
    for (size_t i = 0; i < p->nrejected; i++) {
        add(p, ROW_REJECTED, (int)i);
        if (p->rejected[i].message[0])
            add(p, ROW_DETAIL, (int)i);
    }
    add(p, ROW_BLANK, 0);
    add(p, ROW_HEADING, 1);
    if (!p->nfailures)
        add(p, ROW_NONE, 1);
    for (size_t i = 0; i < p->nfailures; i++)
        add(p, ROW_FAILURE, (int)i);
    v->lines = p->nrows;
    return DP_OK;
}

static void
draw_rejected(const struct rejected_item *r, struct line *l)
{
    char buf[256];
    line_spaces(l, STYLE_NORMAL, 2);
    line_field(l, STYLE_NORMAL, r->head_name[0] ? r->head_name : "-", 14, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    line_field(l, STYLE_LABEL, _(r->def->label), 10, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    const struct field_def *fd = r->field[0] ? schema_field(r->def, r->field) : NULL;
    line_field(l, STYLE_LABEL, fd ? _(fd->label) : "", 22, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    reason_text(r->reason, buf, sizeof buf);
    line_text(l, STYLE_ERROR, buf);
}

static void
problems_draw_row(struct view *v, long row, struct line *l)
{
    struct problems *p = v->priv;
    const struct row *r = &p->rows[row];
    char buf[320], when[32];
    switch (r->kind) {
    case ROW_BLANK:
        return;
    case ROW_HEADING:
        if (r->index == 0)
            snprintf(buf, sizeof buf, _("Edits the server refused (%zu)"), p->nrejected);
        else
            snprintf(buf, sizeof buf, "%s", _("Recent syncs that failed"));
        line_text(l, STYLE_SECTION, buf);
        return;
    case ROW_NONE:
        line_spaces(l, STYLE_NORMAL, 2);
        line_text(l, STYLE_DIM, _("none"));
        return;
    case ROW_REJECTED:
        draw_rejected(&p->rejected[r->index], l);
        return;
    case ROW_DETAIL:
        line_spaces(l, STYLE_NORMAL, 4);
        snprintf(buf, sizeof buf, _("server: %s"), p->rejected[r->index].message);
        line_text(l, STYLE_DIM, buf);
        return;
    case ROW_FAILURE:
        syncbar_local_time(p->failures[r->index].at, when, sizeof when);
        line_spaces(l, STYLE_NORMAL, 2);
        line_field(l, STYLE_DIM, when, 16, TEXT_LEFT);
        line_spaces(l, STYLE_NORMAL, 1);
        line_text(l, STYLE_NORMAL, p->failures[r->index].message);
        return;
    }
}

static bool
problems_selectable(struct view *v, long row)
{
    struct problems *p = v->priv;
    return row >= 0 && row < p->nrows &&
           (p->rows[row].kind == ROW_REJECTED || p->rows[row].kind == ROW_FAILURE);
}

static void
problems_title(struct view *v, char *left, size_t leftsize, char *right, size_t rightsize)
{
    struct problems *p = v->priv;
    snprintf(left, leftsize, "%s", _("Problems"));
    snprintf(right, rightsize, _("%zu refused"), p->nrejected);
}

static const struct rejected_item *
selected(struct view *v)
{
    struct problems *p = v->priv;
    if (v->sel < 0 || v->sel >= p->nrows || p->rows[v->sel].kind != ROW_REJECTED)
        return NULL;
    return &p->rejected[p->rows[v->sel].index];
}

static unsigned
dismiss_answer(struct view *v, const char *text, bool yes)
{
    (void)text;
    struct problems *p = v->priv;
    struct dp_error err = {0};
    if (!yes)
        return REACT_REDRAW_STATUS;
    if (store_rejected_dismiss(v->app->store, p->asked_mid, &err) != DP_OK) {
        app_error(v->app, _("Not set aside"), &err);
        return REACT_REDRAW_STATUS;
    }
    app_message(v->app, STYLE_NORMAL, "%s", _("Set aside."));
    return REACT_RELOAD | REACT_REDRAW_TITLE;
}

/* Open the record with the refused values, to correct them and save again. */
static unsigned
fix(struct view *v, const struct rejected_item *r)
{
    struct dp_error err = {0};
    struct record vals;
    bool present[64] = {false};
    char title[256], key[32];
    bool create = strcmp(r->op, "create") == 0;
    if ((!create && strcmp(r->op, "update") != 0) || r->def->nfields > 64) {
        app_key_for(KM_PROBLEMS, ACT_DISMISS, key, sizeof key);
        app_message(v->app, STYLE_NORMAL,
                    _("Nothing to correct in this edit; press %s to set it aside."), key);
        return REACT_REDRAW_STATUS;
    }
    if (!create && !r->record_held) {
        app_key_for(KM_PROBLEMS, ACT_DISMISS, key, sizeof key);
        app_message(v->app, STYLE_NORMAL,
                    _("The record is no longer here; press %s to set the edit aside."), key);
        return REACT_REDRAW_STATUS;
    }
    if (store_rejected_values(v->app->store, r->mid, &vals, present, &err) != DP_OK) {
        app_error(v->app, _("Cannot open the refused edit"), &err);
        return REACT_REDRAW_STATUS;
    }
    /* Keep what the record holds now for fields the edit did not touch. */
    const char *hid = r->def->parent_field >= 0 ? vals.values[r->def->parent_field] : r->hid;
    snprintf(title, sizeof title, _("Correct %s: %s"), _(r->def->label),
             r->head_name[0] ? r->head_name : "-");
    struct form_open arg = {
        .def = r->def,
        .id = create ? NULL : r->rid,
        .household_id = hid && hid[0] ? hid : r->hid,
        .purpose = FORM_EDIT,
        .title = title,
        .prefill = &vals,
        .prefill_set = present,
        .focus = r->field,
        .rejected_mid = r->mid,
    };
    app_push(v->app, &form_ops, &arg);
    record_done(&vals);
    return REACT_NONE;
}

static unsigned
problems_request(struct view *v, enum action act)
{
    struct problems *p = v->priv;
    const struct rejected_item *r = selected(v);
    switch (act) {
    case ACT_FIX:
    case ACT_ENTER:
        if (!r)
            return REACT_NONE;
        return fix(v, r);
    case ACT_DISMISS:
        if (!r)
            return REACT_NONE;
        p->asked_mid = r->mid;
        app_ask_yesno(v->app, v, _("Set this refused edit aside? It is not sent again. (y/n)"),
                      dismiss_answer);
        return REACT_NONE;
    default:
        return REACT_PASS;
    }
}

static unsigned
problems_sync_changed(struct view *v, const struct sync_worker_status *st, bool data)
{
    (void)v;
    return data || !st->running ? REACT_RELOAD | REACT_REDRAW_TITLE : REACT_NONE;
}

const struct view_ops problems_ops = {
    .name = "problems",
    .keymap = KM_PROBLEMS,
    .priv_size = sizeof(struct problems),
    .show_cursor_line = true,
    .close = problems_close,
    .load = problems_load,
    .draw_row = problems_draw_row,
    .title = problems_title,
    .request = problems_request,
    .selectable = problems_selectable,
    .sync_changed = problems_sync_changed,
};
