/*
 * One household: its fields, early warnings, members, needs and visit
 * history (newest first), one row each, in sections. Everything shown comes
 * from the schema tables, so new fields appear without changes here.
 * From here a worker edits the household, adds, edits or removes members
 * and needs, starts a visit, or changes the risk class with a reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/config.h"
#include "core/i18n.h"
#include "core/rules.h"
#include "store/conflicts.h"
#include "store/store.h"
#include "tui/app.h"
#include "tui/values.h"
#include "tui/views.h"

#define MAX_WARNINGS 16
#define LABEL_COLS   24

enum row_kind {
    ROW_BLANK,
    ROW_HEADING, /* index: enum section */
    ROW_FIELD,   /* index: household field */
    ROW_WARNING, /* index into warnings */
    ROW_MEMBER,
    ROW_NEED,
    ROW_VISIT,
    ROW_NONE,      /* "none yet" under an empty section */
    ROW_CONFLICTS, /* how many conflicts wait, and the key that shows them */
};

enum section { SEC_HOUSEHOLD, SEC_WARNINGS, SEC_MEMBERS, SEC_NEEDS, SEC_VISITS };

struct row {
    enum row_kind kind;
    int index;
};

struct household_view {
    char id[37];
    struct record hh;
    struct record *members, *needs, *visits;
    size_t nmembers, nneeds, nvisits;
    struct warning warnings[MAX_WARNINGS];
    size_t nwarnings;
    long nconflicts; /* open conflicts of this household or its records */
    struct row *rows;
    long nrows;
    char pending_delete[37]; /* the member or need a yes/no question is about */
    const struct record_def *pending_def;
};

static void
free_data(struct household_view *h)
{
    record_done(&h->hh);
    store_record_list_free(h->members, h->nmembers);
    store_record_list_free(h->needs, h->nneeds);
    store_record_list_free(h->visits, h->nvisits);
    h->members = h->needs = h->visits = NULL;
    h->nmembers = h->nneeds = h->nvisits = 0;
    free(h->rows);
    h->rows = NULL;
    h->nrows = 0;
}

static enum dp_status
household_open(struct view *v, const void *arg, struct dp_error *err)
{
    struct household_view *h = v->priv;
    const char *id = arg;
    if (!id || strlen(id) >= sizeof h->id)
        return dp_error_set(err, DP_EINVAL, "id", "no household given");
    snprintf(h->id, sizeof h->id, "%s", id);
    return DP_OK;
}

static void
household_close(struct view *v)
{
    free_data(v->priv);
}

static void
add(struct household_view *h, enum row_kind kind, int index)
{
    h->rows[h->nrows++] = (struct row){kind, index};
}

static enum dp_status
household_load(struct view *v, struct dp_error *err)
{
    struct household_view *h = v->priv;
    struct store *st = v->app->store;
    enum dp_status rc;
    free_data(h);
    v->lines = 0;
    if ((rc = store_record_get(st, &schema_household, h->id, &h->hh, err)) != DP_OK ||
        (rc = store_record_list(st, &schema_member, h->id, &h->members, &h->nmembers, err)) !=
            DP_OK ||
        (rc = store_record_list(st, &schema_need, h->id, &h->needs, &h->nneeds, err)) != DP_OK ||
        (rc = store_record_list(st, &schema_visit, h->id, &h->visits, &h->nvisits, err)) != DP_OK)
        return rc;

    struct dp_date today;
    if (date_parse(v->app->today, &today, "today", NULL) != DP_OK)
        today = date_today();
    struct policy pol = policy_defaults();
    h->nwarnings = rules_warnings(&pol, &h->hh, h->members, h->nmembers, h->visits, h->nvisits,
                                  &today, h->warnings, MAX_WARNINGS);
    /* The list shows a marker for households with warnings; keep it in step. */
    store_household_set_warning(st, h->id, h->nwarnings > 0, NULL);
    if (h->nwarnings > MAX_WARNINGS)
        h->nwarnings = MAX_WARNINGS;

    struct conflict_item *items = NULL;
    size_t nitems = 0;
    h->nconflicts = 0;
    if (store_conflict_items(st, h->id, &items, &nitems, NULL) == DP_OK)
        for (size_t i = 0; i < nitems; i++)
            h->nconflicts += strcmp(items[i].state, "open") == 0;
    store_conflict_items_free(items, nitems);

    size_t max =
        schema_household.nfields + h->nwarnings + h->nmembers + h->nneeds + h->nvisits + 5 * 3 + 1;
    h->rows = calloc(max, sizeof *h->rows);
    if (!h->rows)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    add(h, ROW_HEADING, SEC_HOUSEHOLD);
    if (h->nconflicts)
        add(h, ROW_CONFLICTS, 0);
    /* Fields with a value (the form shows the empty ones), so members come into view. */
    for (size_t i = 0; i < schema_household.nfields; i++) {
        const struct field_def *fd = &schema_household.fields[i];
        if (!(fd->flags & FF_HIDDEN) &&
            (record_get(&h->hh, fd->name)[0] || fd->flags & FF_REQUIRED))
            add(h, ROW_FIELD, (int)i);
    }
    if (h->nwarnings) {
        add(h, ROW_BLANK, 0);
        add(h, ROW_HEADING, SEC_WARNINGS);
        for (size_t i = 0; i < h->nwarnings; i++)
            add(h, ROW_WARNING, (int)i);
    }
    struct {
        enum section sec;
        enum row_kind kind;
        size_t n;
    } lists[] = {
        {SEC_MEMBERS, ROW_MEMBER, h->nmembers},
        {SEC_NEEDS, ROW_NEED, h->nneeds},
        {SEC_VISITS, ROW_VISIT, h->nvisits},
    };
    for (size_t k = 0; k < 3; k++) {
        add(h, ROW_BLANK, 0);
        add(h, ROW_HEADING, lists[k].sec);
        if (lists[k].n == 0)
            add(h, ROW_NONE, 0);
        for (size_t i = 0; i < lists[k].n; i++)
            add(h, lists[k].kind, (int)i);
    }
    v->lines = h->nrows;
    return DP_OK;
}

static bool
household_selectable(struct view *v, long row)
{
    struct household_view *h = v->priv;
    if (row < 0 || row >= h->nrows)
        return false;
    switch (h->rows[row].kind) {
    case ROW_FIELD:
    case ROW_MEMBER:
    case ROW_NEED:
    case ROW_VISIT:
        return true;
    default:
        return false;
    }
}

/* Label of a choice token in a record field, or the token itself. */
static const char *
choice_label(const struct record *r, const char *field)
{
    const struct field_def *fd = schema_field(r->def, field);
    const char *v = record_get(r, field);
    if (!fd || !v)
        return "";
    const struct choice *c = schema_choice(fd->choices, v);
    return c ? _(c->label) : v;
}

/* A household field's value in words: choice labels, yuan, yes/no. */
static void
field_text(const struct record *r, const struct field_def *fd, char *buf, size_t size)
{
    value_text(fd, record_get(r, fd->name), buf, size);
}

static void
draw_heading(struct view *v, enum section sec, struct line *l)
{
    struct household_view *h = v->priv;
    char buf[128];
    switch (sec) {
    case SEC_HOUSEHOLD:
        line_text(l, STYLE_SECTION, _("Household"));
        return;
    case SEC_WARNINGS:
        snprintf(buf, sizeof buf, _("Warnings (%zu)"), h->nwarnings);
        break;
    case SEC_MEMBERS:
        snprintf(buf, sizeof buf, _("Members (%zu)"), h->nmembers);
        break;
    case SEC_NEEDS:
        snprintf(buf, sizeof buf, _("Needs (%zu)"), h->nneeds);
        break;
    case SEC_VISITS:
        snprintf(buf, sizeof buf, _("Visits, newest first (%zu)"), h->nvisits);
        break;
    }
    line_text(l, STYLE_SECTION, buf);
}

static void
draw_member(struct view *v, const struct record *m, struct line *l)
{
    struct dp_date birth, today;
    char age[16] = "";
    if (rules_member_birth(m, &birth) && date_parse(v->app->today, &today, "today", NULL) == DP_OK)
        snprintf(age, sizeof age, "%d", date_age(&birth, &today));
    line_field(l, STYLE_NORMAL, record_get(m, "name"), 14, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    line_field(l, STYLE_NORMAL, choice_label(m, "relation"), 18, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    line_field(l, STYLE_NORMAL, choice_label(m, "sex"), 6, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    line_field(l, STYLE_NORMAL, age, 3, TEXT_RIGHT);
    line_spaces(l, STYLE_NORMAL, 1);
    const char *grade = record_get(m, "disability_grade");
    line_field(l, STYLE_NORMAL,
               grade[0] && strcmp(grade, "none") ? choice_label(m, "disability_grade") : "", 8,
               TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    const char *status = record_get(m, "status");
    line_text(l, strcmp(status, "present") ? STYLE_MARKER : STYLE_NORMAL,
              choice_label(m, "status"));
}

static void
draw_need(const struct record *n, struct line *l)
{
    char what[256];
    snprintf(what, sizeof what, "%s: %s", choice_label(n, "category"), record_get(n, "item"));
    line_field(l, STYLE_NORMAL, what, 36, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    const char *u = record_get(n, "urgency");
    line_field(l, strcmp(u, "urgent") == 0 ? STYLE_ERROR : STYLE_NORMAL, choice_label(n, "urgency"),
               8, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    line_field(l, STYLE_NORMAL, choice_label(n, "status"), 9, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    line_text(l, STYLE_DIM, record_get(n, "follow_up"));
}

static void
draw_visit(const struct record *vi, struct line *l)
{
    line_field(l, STYLE_NORMAL, record_get(vi, "date"), 10, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    line_field(l, STYLE_NORMAL, choice_label(vi, "kind"), 14, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    line_field(l, STYLE_NORMAL, choice_label(vi, "outcome"), 12, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    const char *rs = record_get(vi, "review_state");
    line_field(l, strcmp(rs, "returned") == 0 ? STYLE_ERROR : STYLE_DIM,
               choice_label(vi, "review_state"), 10, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    const char *notes = record_get(vi, "notes");
    char first[256];
    snprintf(first, sizeof first, "%.*s", (int)strcspn(notes, "\n"), notes);
    line_text(l, STYLE_NORMAL, first);
}

static void
household_draw_row(struct view *v, long row, struct line *l)
{
    struct household_view *h = v->priv;
    const struct row *r = &h->rows[row];
    char buf[1024];
    switch (r->kind) {
    case ROW_BLANK:
        return;
    case ROW_HEADING:
        draw_heading(v, (enum section)r->index, l);
        return;
    case ROW_NONE:
        line_spaces(l, STYLE_NORMAL, 2);
        line_text(l, STYLE_DIM, _("none yet"));
        return;
    case ROW_CONFLICTS: {
        char key[32];
        app_key_for(KM_HOUSEHOLD, ACT_CONFLICTS, key, sizeof key);
        snprintf(buf, sizeof buf, _("Conflicts to resolve: %ld (press %s)"), h->nconflicts, key);
        line_spaces(l, STYLE_NORMAL, 2);
        line_text(l, STYLE_ERROR, "! ");
        line_text(l, STYLE_MARKER, buf);
        return;
    }
    case ROW_WARNING: {
        const struct warning *w = &h->warnings[r->index];
        line_spaces(l, STYLE_NORMAL, 2);
        line_text(l, STYLE_ERROR, "! ");
        line_text(l, STYLE_NORMAL, _(warning_text(w->code)));
        if (w->date.year) {
            date_format(&w->date, buf, sizeof buf);
            line_text(l, STYLE_DIM, " (");
            line_text(l, STYLE_DIM, buf);
            line_text(l, STYLE_DIM, ")");
        }
        return;
    }
    case ROW_FIELD: {
        const struct field_def *fd = &schema_household.fields[r->index];
        line_spaces(l, STYLE_NORMAL, 2);
        line_field(l, STYLE_LABEL, _(fd->label), LABEL_COLS, TEXT_LEFT);
        line_spaces(l, STYLE_NORMAL, 1);
        field_text(&h->hh, fd, buf, sizeof buf);
        enum style st = STYLE_NORMAL;
        if (strcmp(fd->name, "risk") == 0) {
            const char *risk = record_get(&h->hh, "risk");
            st = strcmp(risk, "red") == 0      ? STYLE_RED
                 : strcmp(risk, "yellow") == 0 ? STYLE_YELLOW
                                               : STYLE_GREEN;
        } else if (strcmp(fd->name, "next_visit_due") == 0 && buf[0] &&
                   strcmp(buf, v->app->today) < 0) {
            st = STYLE_OVERDUE;
            size_t n = strlen(buf);
            snprintf(buf + n, sizeof buf - n, " %s", _("(overdue)"));
        }
        line_text(l, buf[0] ? st : STYLE_DIM, buf[0] ? buf : "-");
        return;
    }
    case ROW_MEMBER:
        line_spaces(l, STYLE_NORMAL, 2);
        draw_member(v, &h->members[r->index], l);
        return;
    case ROW_NEED:
        line_spaces(l, STYLE_NORMAL, 2);
        draw_need(&h->needs[r->index], l);
        return;
    case ROW_VISIT:
        line_spaces(l, STYLE_NORMAL, 2);
        draw_visit(&h->visits[r->index], l);
        return;
    }
}

static void
household_title(struct view *v, char *left, size_t leftsize, char *right, size_t rightsize)
{
    struct household_view *h = v->priv;
    if (!h->hh.values) {
        snprintf(left, leftsize, "%s", _("Household"));
        right[0] = '\0';
        return;
    }
    snprintf(left, leftsize, _("Household: %s (%s)"), record_get(&h->hh, "head_name"),
             record_get(&h->hh, "village"));
    snprintf(right, rightsize, "%s", choice_label(&h->hh, "risk"));
}

static unsigned
open_form(struct view *v, const struct record_def *def, const char *id, enum form_purpose purpose,
          const char *title)
{
    struct household_view *h = v->priv;
    struct form_open arg = {def, id, h->id, purpose, title};
    app_push(v->app, &form_ops, &arg);
    return REACT_NONE;
}

static unsigned
delete_answer(struct view *v, const char *text, bool yes)
{
    (void)text;
    struct household_view *h = v->priv;
    struct dp_error err = {0};
    if (!yes || !h->pending_def)
        return REACT_REDRAW_STATUS;
    if (store_record_delete(v->app->store, h->pending_def, h->pending_delete, &err) != DP_OK) {
        app_error(v->app, _("Not removed"), &err);
        return REACT_REDRAW_STATUS;
    }
    app_message(v->app, STYLE_NORMAL, "%s", _("Removed."));
    h->pending_def = NULL;
    return REACT_RELOAD;
}

static unsigned
household_request(struct view *v, enum action act)
{
    struct household_view *h = v->priv;
    const struct row *r = v->sel < h->nrows ? &h->rows[v->sel] : NULL;
    char title[256];
    switch (act) {
    case ACT_ENTER:
    case ACT_EDIT:
        if (!r)
            return REACT_NONE;
        if (r->kind == ROW_FIELD) {
            snprintf(title, sizeof title, _("Edit household: %s"), record_get(&h->hh, "head_name"));
            return open_form(v, &schema_household, h->id, FORM_EDIT, title);
        }
        if (r->kind == ROW_MEMBER) {
            snprintf(title, sizeof title, _("Edit member: %s"),
                     record_get(&h->members[r->index], "name"));
            return open_form(v, &schema_member, record_get(&h->members[r->index], "id"), FORM_EDIT,
                             title);
        }
        if (r->kind == ROW_NEED)
            return open_form(v, &schema_need, record_get(&h->needs[r->index], "id"), FORM_EDIT,
                             _("Edit need"));
        if (r->kind == ROW_VISIT) {
            const struct record *vi = &h->visits[r->index];
            const char *rs = record_get(vi, "review_state");
            if (strcmp(rs, "draft") != 0 && strcmp(rs, "returned") != 0) {
                app_message(v->app, STYLE_ERROR, "%s",
                            _("A submitted visit changes only through review."));
                return REACT_NONE;
            }
            snprintf(title, sizeof title, _("Visit of %s"), record_get(vi, "date"));
            return open_form(v, &schema_visit, record_get(vi, "id"), FORM_EDIT, title);
        }
        return REACT_NONE;
    case ACT_ADD_MEMBER:
        return open_form(v, &schema_member, NULL, FORM_EDIT, _("New member"));
    case ACT_ADD_NEED:
        return open_form(v, &schema_need, NULL, FORM_EDIT, _("New need"));
    case ACT_NEW_VISIT:
        snprintf(title, sizeof title, _("New visit: %s"), record_get(&h->hh, "head_name"));
        return open_form(v, &schema_visit, NULL, FORM_EDIT, title);
    case ACT_CHANGE_RISK:
        snprintf(title, sizeof title, _("Risk class: %s"), record_get(&h->hh, "head_name"));
        return open_form(v, &schema_household, h->id, FORM_RISK, title);
    case ACT_DELETE:
        if (!r || (r->kind != ROW_MEMBER && r->kind != ROW_NEED)) {
            app_message(v->app, STYLE_ERROR, "%s", _("Select a member or a need to remove."));
            return REACT_NONE;
        }
        h->pending_def = r->kind == ROW_MEMBER ? &schema_member : &schema_need;
        snprintf(
            h->pending_delete, sizeof h->pending_delete, "%s",
            record_get(r->kind == ROW_MEMBER ? &h->members[r->index] : &h->needs[r->index], "id"));
        app_ask_yesno(v->app, v,
                      r->kind == ROW_MEMBER ? _("Remove this member? (y/n)")
                                            : _("Remove this need? (y/n)"),
                      delete_answer);
        return REACT_NONE;
    case ACT_CONFLICTS:
        app_push(v->app, &conflicts_ops, h->id);
        return REACT_NONE;
    default:
        return REACT_PASS;
    }
}

static unsigned
household_sync_changed(struct view *v, const struct sync_worker_status *st, bool data)
{
    (void)v;
    (void)st;
    return data ? REACT_RELOAD | REACT_REDRAW_TITLE : REACT_NONE;
}

const struct view_ops household_ops = {
    .name = "household",
    .keymap = KM_HOUSEHOLD,
    .priv_size = sizeof(struct household_view),
    .show_cursor_line = true,
    .open = household_open,
    .close = household_close,
    .load = household_load,
    .draw_row = household_draw_row,
    .title = household_title,
    .request = household_request,
    .selectable = household_selectable,
    .sync_changed = household_sync_changed,
};
