/*
 * A form over one record, generated from its schema (tui/form.h holds the
 * model). One row per field (notes get NOTE_ROWS), the label on the left,
 * the value, and the validation message beside it. What is typed is kept
 * as a draft in the cache while typing pauses, so a crash, a dropped SSH
 * session or a full battery loses nothing; leaving with changes asks first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/config.h"
#include "core/i18n.h"
#include "core/rules.h"
#include "core/utf8.h"
#include "store/conflicts.h"
#include "store/store.h"
#include "tui/app.h"
#include "tui/form.h"
#include "tui/views.h"

#define NOTE_ROWS 4  /* rows a multi-line note shows */
#define LABEL_MAX 30 /* widest label column */
#define VALUE_MAX 40 /* widest value column */
#define ERROR_MIN 24 /* columns kept for the message beside a field */

struct form_view {
    struct form form;
    enum form_purpose purpose;
    char title[200];
    char draft_key[128];
    char household_id[37];
    char household_risk[8]; /* for the visit schedule */
    size_t cur;             /* the field being edited */
    struct choice *members; /* a need's member: the household's members, as choices */
    size_t nmembers;
    long *first_row;      /* first row of each field */
    bool next_visit_auto; /* visits: next_visit still follows the policy */
    int64_t rejected_mid; /* a refused edit being corrected: set aside once saved */
};

static const char *const risk_fields[] = {"risk", "risk_reason", NULL};

/* What a field worker may do with a visit's review state; the rest is the supervisor's. */
static const struct choice worker_review[] = {
    {"draft", N_("draft")},
    {"submitted", N_("submitted")},
    {NULL, NULL},
};

static int
rows_of(const struct form_field *ff)
{
    return ff->type == FT_NOTE ? NOTE_ROWS : 1;
}

static int
label_cols(struct view *v)
{
    struct form_view *fv = v->priv;
    int w = 0;
    for (size_t i = 0; i < fv->form.nfields; i++) {
        int lw = text_width(_(fv->form.fields[i].def->label)) + 2; /* " *" when required */
        if (lw > w)
            w = lw;
    }
    return w < LABEL_MAX ? w : LABEL_MAX;
}

static int
value_cols(struct view *v)
{
    int room = v->width - 2 - label_cols(v) - 1 - 1 - ERROR_MIN;
    if (room > VALUE_MAX)
        room = VALUE_MAX;
    return room < 8 ? 8 : room;
}

static const struct dp_date *
today_of(struct view *v, struct dp_date *d)
{
    if (date_parse(v->app->today, d, "today", NULL) != DP_OK)
        *d = date_today();
    return d;
}

/* ---- opening ------------------------------------------------------------ */

static void
suggest_next_visit(struct view *v)
{
    struct form_view *fv = v->priv;
    int nv = form_find(&fv->form, "next_visit"), dt = form_find(&fv->form, "date");
    int ra = form_find(&fv->form, "risk_after");
    if (nv < 0 || dt < 0 || !fv->next_visit_auto)
        return;
    struct dp_date date, today, next;
    if (date_parse(fv->form.fields[dt].edit.buf, &date, "date", NULL) != DP_OK)
        return;
    const char *risk =
        ra >= 0 && fv->form.fields[ra].value[0] ? fv->form.fields[ra].value : fv->household_risk;
    enum risk_class rc = RISK_RED;
    risk_parse(risk, &rc);
    struct policy pol = policy_defaults();
    next = rules_next_due(&pol, rc, &date, today_of(v, &today));
    char buf[11];
    date_format(&next, buf, sizeof buf);
    form_field_set(&fv->form, (size_t)nv, buf);
}

/* Defaults for a new record of the form's kind. */
static enum dp_status
new_record(struct view *v, const struct form_open *arg, struct record *r, struct dp_error *err)
{
    char id[37];
    if (record_init(r, arg->def) != DP_OK)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    record_new_id(id, sizeof id);
    record_set(r, "id", id);
    if (arg->def->parent_field >= 0)
        record_set_index(r, arg->def->parent_field, arg->household_id);
    if (arg->def == &schema_visit) {
        record_set(r, "worker", v->app->cfg->username);
        record_set(r, "date", v->app->today);
        record_set(r, "kind", "routine");
        record_set(r, "outcome", "completed");
        record_set(r, "review_state", "draft");
    } else if (arg->def == &schema_member) {
        record_set(r, "status", "present");
    } else if (arg->def == &schema_need) {
        record_set(r, "urgency", "normal");
        record_set(r, "status", "open");
    }
    return DP_OK;
}

/* The household's members as choices for a need's member field. */
static enum dp_status
member_choices(struct view *v, struct dp_error *err)
{
    struct form_view *fv = v->priv;
    struct record *m = NULL;
    size_t n = 0;
    enum dp_status st =
        store_record_list(v->app->store, &schema_member, fv->household_id, &m, &n, err);
    if (st != DP_OK)
        return st;
    fv->members = calloc(n + 1, sizeof *fv->members);
    if (!fv->members) {
        store_record_list_free(m, n);
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        fv->members[i].token = strdup(record_get(&m[i], "id"));
        fv->members[i].label = strdup(record_get(&m[i], "name"));
        fv->nmembers++;
        if (!fv->members[i].token || !fv->members[i].label) {
            store_record_list_free(m, n);
            return dp_error_set(err, DP_ENOMEM, NULL, NULL);
        }
    }
    store_record_list_free(m, n);
    return DP_OK;
}

/* Fill in the values of an edit the server refused, so the worker corrects rather than retypes. */
static void
apply_prefill(struct view *v, const struct form_open *arg)
{
    struct form_view *fv = v->priv;
    for (size_t i = 0; i < fv->form.nfields; i++) {
        int idx = fv->form.fields[i].index;
        const struct field_def *fd = &arg->def->fields[idx];
        if (!arg->prefill_set[idx] || fd->flags & (FF_IMMUTABLE | FF_SERVER | FF_HIDDEN))
            continue;
        form_field_set(&fv->form, i, arg->prefill->values[idx]);
        form_touch(&fv->form, i);
        if (strcmp(fd->name, "next_visit") == 0)
            fv->next_visit_auto = false;
    }
    fv->rejected_mid = arg->rejected_mid;
    int at = arg->focus && arg->focus[0] ? form_find(&fv->form, arg->focus) : -1;
    if (at >= 0) {
        struct dp_date today;
        fv->cur = (size_t)at;
        form_check_field(&fv->form, fv->cur, today_of(v, &today));
    }
}

static enum dp_status
form_view_open(struct view *v, const void *varg, struct dp_error *err)
{
    const struct form_open *arg = varg;
    struct form_view *fv = v->priv;
    struct record rec = {0};
    enum dp_status st;
    bool is_new = !arg->id;

    fv->purpose = arg->purpose;
    snprintf(fv->household_id, sizeof fv->household_id, "%s",
             arg->household_id ? arg->household_id : "");
    if (arg->def == &schema_visit && !v->app->cfg->username[0])
        return dp_error_set(err, DP_EAUTH, NULL, "%s",
                            _("no user name is set: log in first (doorstep login)"));
    st = is_new ? new_record(v, arg, &rec, err)
                : store_record_get(v->app->store, arg->def, arg->id, &rec, err);
    if (st != DP_OK)
        goto out;
    st = form_init(&fv->form, &rec, is_new, arg->purpose == FORM_RISK ? risk_fields : NULL, err);
    if (st != DP_OK)
        goto out;
    fv->first_row = calloc(fv->form.nfields + 1, sizeof *fv->first_row);
    if (!fv->first_row) {
        st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    int mi = form_find(&fv->form, "member_id");
    if (mi >= 0 && (st = member_choices(v, err)) == DP_OK)
        st = form_reference(&fv->form, (size_t)mi, fv->members);
    if (st != DP_OK)
        goto out;
    int rs = form_find(&fv->form, "review_state");
    if (rs >= 0)
        form_restrict(&fv->form, (size_t)rs, worker_review);
    if (arg->purpose == FORM_RISK) {
        /* A new class needs a new reason: start from an empty one. */
        int why = form_find(&fv->form, "risk_reason");
        if (why >= 0)
            form_field_set(&fv->form, (size_t)why, "");
    }
    if (arg->def == &schema_visit) {
        struct record hh = {0};
        if (store_record_get(v->app->store, &schema_household, fv->household_id, &hh, NULL) ==
            DP_OK) {
            snprintf(fv->household_risk, sizeof fv->household_risk, "%s", record_get(&hh, "risk"));
            record_done(&hh);
        }
        fv->next_visit_auto = is_new;
        suggest_next_visit(v);
    }
    if (arg->prefill)
        apply_prefill(v, arg);
    if (is_new)
        snprintf(fv->draft_key, sizeof fv->draft_key, "new:%s:%s", arg->def->name,
                 fv->household_id);
    else
        snprintf(fv->draft_key, sizeof fv->draft_key, "%s:%s:%s",
                 arg->purpose == FORM_RISK ? "risk" : "form", arg->def->name, arg->id);
    snprintf(fv->title, sizeof fv->title, "%s", arg->title ? arg->title : "");

    char *draft = NULL;
    if (store_draft_get(v->app->store, fv->draft_key, &draft, NULL) == DP_OK && draft) {
        if (form_draft_apply(&fv->form, draft) == DP_OK && fv->form.changed) {
            app_message(v->app, STYLE_MARKER, "%s",
                        _("What you typed last time was kept as a draft; it is back."));
            int nv = form_find(&fv->form, "next_visit");
            if (nv >= 0 && fv->form.fields[nv].user_changed)
                fv->next_visit_auto = false;
        }
        explicit_bzero(draft, strlen(draft));
        free(draft);
    }
out:
    record_done(&rec);
    return st;
}

static void
form_view_close(struct view *v)
{
    struct form_view *fv = v->priv;
    form_done(&fv->form);
    free(fv->first_row);
    for (size_t i = 0; fv->members && i <= fv->nmembers; i++) {
        free((char *)fv->members[i].token);
        free((char *)fv->members[i].label);
    }
    free(fv->members);
}

/* Scroll so that all rows of the current field are on screen. */
static void
follow(struct view *v)
{
    struct form_view *fv = v->priv;
    long first = fv->first_row[fv->cur], last = first + rows_of(&fv->form.fields[fv->cur]) - 1;
    v->sel = first;
    if (v->height > 0 && last >= v->top + v->height)
        v->top = last - v->height + 1;
    if (v->top > first)
        v->top = first;
}

static enum dp_status
form_view_load(struct view *v, struct dp_error *err)
{
    (void)err;
    struct form_view *fv = v->priv;
    long row = 0;
    for (size_t i = 0; i < fv->form.nfields; i++) {
        fv->first_row[i] = row;
        row += rows_of(&fv->form.fields[i]);
    }
    fv->first_row[fv->form.nfields] = row;
    v->lines = row;
    /* Back from a pick list: the risk class after the visit may have changed. */
    suggest_next_visit(v);
    follow(v);
    return DP_OK;
}

/* ---- drawing -------------------------------------------------------------- */

static size_t
field_at_row(struct form_view *fv, long row, int *sub)
{
    size_t i = 0;
    while (i + 1 < fv->form.nfields && fv->first_row[i + 1] <= row)
        i++;
    *sub = (int)(row - fv->first_row[i]);
    return i;
}

/* The value of a choice field in words. */
static void
choice_text(const struct form_field *ff, char *buf, size_t size)
{
    buf[0] = '\0';
    if (ff->type == FT_BOOL) {
        snprintf(buf, size, "%s", strcmp(ff->value, "1") == 0 ? _("[x] yes") : _("[ ] no"));
        return;
    }
    if (ff->type == FT_ENUM) {
        /* A value outside a restricted list still reads in words. */
        const struct choice *c = schema_choice(ff->choices, ff->value);
        if (!c && ff->def->choices)
            c = schema_choice(ff->def->choices, ff->value);
        snprintf(buf, size, "%s", c ? _(c->label) : "");
        return;
    }
    size_t len = 0;
    for (int c = 0; ff->choices[c].token; c++) {
        if (!form_set_has(ff, c))
            continue;
        int w = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", _(ff->choices[c].label));
        if (w < 0 || (size_t)w >= size - len)
            break;
        len += (size_t)w;
    }
}

/* Start of display line `k` of a note wrapped at `cols`, plus its length. */
static const char *
note_line(const char *s, int k, int cols, size_t *len)
{
    const char *p = s;
    for (int n = 0;; n++) {
        const char *eol = strchr(p, '\n');
        size_t seg = eol ? (size_t)(eol - p) : strlen(p);
        int used;
        size_t fit = text_fit(p, cols, &used, NULL);
        bool wrap = fit < seg;
        size_t take = wrap ? (fit ? fit : utf8_next(p, seg, 0)) : seg;
        if (n == k) {
            *len = take;
            return p;
        }
        if (!wrap && !eol)
            return NULL;
        p += take + (!wrap && eol ? 1 : 0);
    }
}

/* Display line (and column) of the cursor in a note. */
static int
note_cursor(const struct edit *e, int cols, int *col)
{
    for (int k = 0;; k++) {
        size_t len;
        const char *p = note_line(e->buf, k, cols, &len);
        if (!p)
            return 0;
        size_t start = (size_t)(p - e->buf);
        const char *nextp;
        size_t nlen;
        nextp = note_line(e->buf, k + 1, cols, &nlen);
        size_t next = nextp ? (size_t)(nextp - e->buf) : e->len + 1;
        if (e->cursor >= start && e->cursor < next) {
            *col = text_width_n(p, e->cursor - start);
            return k;
        }
    }
}

static void
form_view_draw_row(struct view *v, long row, struct line *l)
{
    struct form_view *fv = v->priv;
    int sub;
    size_t i = field_at_row(fv, row, &sub);
    struct form_field *ff = &fv->form.fields[i];
    bool current = i == fv->cur;
    int lc = label_cols(v), vc = value_cols(v);
    char buf[1024];

    line_spaces(l, STYLE_NORMAL, 2);
    if (sub == 0) {
        snprintf(buf, sizeof buf, "%s%s", _(ff->def->label),
                 ff->def->flags & FF_REQUIRED ? " *" : "");
        line_field(l, current ? STYLE_KEY : STYLE_LABEL, buf, lc, TEXT_LEFT);
    } else {
        line_spaces(l, STYLE_NORMAL, lc);
    }
    line_spaces(l, STYLE_NORMAL, 1);
    enum style vs = current ? STYLE_INPUT : STYLE_NORMAL;
    if (ff->type == FT_NOTE) {
        int ccol, cline = note_cursor(&ff->edit, vc - 1, &ccol);
        int first = cline >= NOTE_ROWS ? cline - NOTE_ROWS + 1 : 0;
        size_t len = 0;
        const char *p = note_line(ff->edit.buf, first + sub, vc - 1, &len);
        if (p) {
            char *seg = strndup(p, len);
            line_field(l, vs, seg ? seg : "", vc, TEXT_LEFT);
            free(seg);
        } else {
            line_field(l, vs, "", vc, TEXT_LEFT);
        }
    } else if (form_field_is_text(ff)) {
        size_t start = 0;
        if (current)
            start = edit_scroll(&ff->edit, vc, NULL);
        line_field(l, vs, ff->edit.buf + start, vc, TEXT_LEFT);
    } else {
        choice_text(ff, buf, sizeof buf);
        line_field(l, vs, buf, vc, TEXT_LEFT);
    }
    if (sub == 0 && ff->error[0]) {
        line_spaces(l, STYLE_NORMAL, 1);
        snprintf(buf, sizeof buf, "! %s", ff->error);
        line_text(l, STYLE_ERROR, buf);
    }
}

static void
form_view_title(struct view *v, char *left, size_t leftsize, char *right, size_t rightsize)
{
    struct form_view *fv = v->priv;
    /* Say when typed input is safe in a draft: it survives a crash from then on. */
    const char *state = !fv->form.changed      ? ""
                        : fv->form.draft_dirty ? _(" (changed)")
                                               : _(" (changed, kept as draft)");
    snprintf(left, leftsize, "%s%s", fv->title, state);
    snprintf(right, rightsize, _("field %zu of %zu"), fv->cur + 1, fv->form.nfields);
}

static bool
form_view_cursor(struct view *v, long *row, int *col)
{
    struct form_view *fv = v->priv;
    struct form_field *ff = &fv->form.fields[fv->cur];
    int x = 2 + label_cols(v) + 1, c = 0;
    *row = fv->first_row[fv->cur];
    if (ff->type == FT_NOTE) {
        int cline = note_cursor(&ff->edit, value_cols(v) - 1, &c);
        *row += cline >= NOTE_ROWS ? NOTE_ROWS - 1 : cline;
    } else if (form_field_is_text(ff)) {
        edit_scroll(&ff->edit, value_cols(v), &c);
    }
    *col = x + c;
    return true;
}

/* ---- editing ---------------------------------------------------------------- */

static unsigned
go_to(struct view *v, size_t i)
{
    struct form_view *fv = v->priv;
    struct form_field *old = &fv->form.fields[fv->cur];
    struct dp_date today;
    if (i >= fv->form.nfields)
        return REACT_NONE;
    /* Check the field being left when it was worked on (or already wrong). */
    if ((old->user_changed || old->error[0]) &&
        form_check_field(&fv->form, fv->cur, today_of(v, &today)) != DP_OK && i != fv->cur)
        app_message(v->app, STYLE_ERROR, "%s: %s", _(old->def->label), old->error);
    else if (fv->form.fields[i].error[0])
        app_message(v->app, STYLE_ERROR, "%s: %s", _(fv->form.fields[i].def->label),
                    fv->form.fields[i].error);
    fv->cur = i;
    follow(v);
    return REACT_REDRAW_VIEW | REACT_REDRAW_TITLE | REACT_CURSOR;
}

/* After a change to field i: recheck it if it showed an error, follow the schedule. */
static unsigned
changed(struct view *v, size_t i)
{
    struct form_view *fv = v->priv;
    struct dp_date today;
    form_touch(&fv->form, i);
    if (fv->form.fields[i].error[0])
        form_check_field(&fv->form, i, today_of(v, &today));
    const char *name = fv->form.fields[i].def->name;
    if (strcmp(name, "next_visit") == 0)
        fv->next_visit_auto = false;
    else if (strcmp(name, "date") == 0 || strcmp(name, "risk_after") == 0) {
        suggest_next_visit(v);
        return REACT_REDRAW_VIEW | REACT_REDRAW_TITLE;
    }
    return REACT_REDRAW_VIEW | REACT_REDRAW_TITLE;
}

static unsigned
form_view_input(struct view *v, uint32_t cp)
{
    struct form_view *fv = v->priv;
    struct form_field *ff = &fv->form.fields[fv->cur];
    if (cp == '\n' && ff->type != FT_NOTE) {
        if (!form_field_is_text(ff))
            return REACT_NONE;
        cp = ' '; /* a pasted line break in a one-line field */
    }
    if (form_field_is_text(ff)) {
        if (!edit_insert(&ff->edit, cp)) {
            if (edit_chars(&ff->edit) >= (ff->def->max_chars ? ff->def->max_chars : 40))
                app_message(v->app, STYLE_ERROR, _("%s: at most %u characters"), _(ff->def->label),
                            ff->def->max_chars ? ff->def->max_chars : 40);
            return REACT_REDRAW_STATUS;
        }
        return changed(v, fv->cur);
    }
    if (cp == ' ') {
        if (ff->type == FT_SET)
            return app_push(v->app, &pick_ops, &(struct pick_open){&fv->form, fv->cur}) == DP_OK
                       ? REACT_NONE
                       : REACT_REDRAW_STATUS;
        form_choice_step(&fv->form, fv->cur, 1);
        return changed(v, fv->cur);
    }
    if (ff->type == FT_ENUM && form_choice_letter(&fv->form, fv->cur, cp))
        return changed(v, fv->cur);
    return REACT_NONE;
}

static unsigned
edit_action(struct view *v, enum action act)
{
    struct form_view *fv = v->priv;
    struct form_field *ff = &fv->form.fields[fv->cur];
    struct edit *e = &ff->edit;
    bool did = false;
    if (!form_field_is_text(ff)) {
        switch (act) {
        case ACT_CHAR_LEFT:
        case ACT_CHAR_RIGHT:
            form_choice_step(&fv->form, fv->cur, act == ACT_CHAR_LEFT ? -1 : 1);
            return changed(v, fv->cur);
        case ACT_DELETE_BACK:
        case ACT_DELETE_CHAR:
        case ACT_KILL_BEFORE:
            if (ff->def->flags & FF_REQUIRED || ff->type == FT_BOOL || !ff->value[0])
                return REACT_NONE;
            form_field_set(&fv->form, fv->cur, "");
            return changed(v, fv->cur);
        default:
            return REACT_NONE;
        }
    }
    switch (act) {
    case ACT_CHAR_LEFT:
        edit_left(e);
        return REACT_REDRAW_VIEW;
    case ACT_CHAR_RIGHT:
        edit_right(e);
        return REACT_REDRAW_VIEW;
    case ACT_LINE_START:
        edit_home(e);
        return REACT_REDRAW_VIEW;
    case ACT_LINE_END:
        edit_end(e);
        return REACT_REDRAW_VIEW;
    case ACT_DELETE_BACK:
        did = edit_backspace(e);
        break;
    case ACT_DELETE_CHAR:
        did = edit_delete(e);
        break;
    case ACT_KILL_BEFORE:
        did = edit_kill_before(e);
        break;
    case ACT_KILL_AFTER:
        did = edit_kill_after(e);
        break;
    default:
        return REACT_PASS;
    }
    return did ? changed(v, fv->cur) : REACT_NONE;
}

static unsigned
discard_answer(struct view *v, const char *text, bool yes)
{
    (void)text;
    struct form_view *fv = v->priv;
    if (!yes)
        return REACT_REDRAW_STATUS;
    store_draft_drop(v->app->store, fv->draft_key, NULL);
    fv->form.changed = false;
    return REACT_CLOSE;
}

/* A visit changes when the household is next due; keep next_visit_due in step. */
static void
update_household_due(struct view *v)
{
    struct form_view *fv = v->priv;
    struct record hh = {0}, *visits = NULL;
    size_t nvisits = 0;
    struct dp_error err = {0};
    struct dp_date today, due;
    if (store_record_get(v->app->store, &schema_household, fv->household_id, &hh, &err) != DP_OK)
        goto out;
    if (store_record_list(v->app->store, &schema_visit, fv->household_id, &visits, &nvisits,
                          &err) != DP_OK)
        goto out;
    struct policy pol = policy_defaults();
    due = rules_household_due(&pol, &hh, visits, nvisits, today_of(v, &today));
    char buf[11];
    date_format(&due, buf, sizeof buf);
    if (strcmp(buf, record_get(&hh, "next_visit_due")) != 0) {
        record_set(&hh, "next_visit_due", buf);
        if (store_record_save(v->app->store, &hh, &err) != DP_OK)
            app_error(v->app, _("The visit is saved, but the next due date is not"), &err);
    }
out:
    store_record_list_free(visits, nvisits);
    record_done(&hh);
}

static unsigned
save(struct view *v)
{
    struct form_view *fv = v->priv;
    struct record rec = {0};
    struct dp_error err = {0};
    struct dp_date today;
    size_t bad;
    if (fv->purpose == FORM_RISK) {
        int r = form_find(&fv->form, "risk"), why = form_find(&fv->form, "risk_reason");
        if (r >= 0 && why >= 0 &&
            strcmp(fv->form.fields[r].value, record_get(&fv->form.rec, "risk")) != 0 &&
            !fv->form.fields[why].edit.buf[0]) {
            snprintf(fv->form.fields[why].error, sizeof fv->form.fields[why].error, "%s",
                     _("say why the risk class changes"));
            unsigned react = go_to(v, (size_t)why);
            app_message(v->app, STYLE_ERROR, "%s", _("A new risk class needs a reason."));
            return react;
        }
    }
    if (form_to_record(&fv->form, today_of(v, &today), &rec, &bad, &err) != DP_OK) {
        unsigned r = bad < fv->form.nfields ? go_to(v, bad) : REACT_REDRAW_VIEW;
        if (bad < fv->form.nfields)
            app_message(v->app, STYLE_ERROR, _("Not saved: %s: %s"),
                        _(fv->form.fields[bad].def->label), fv->form.fields[bad].error);
        else
            app_message(v->app, STYLE_ERROR, _("Not saved: %s"), err.msg);
        return r | REACT_REDRAW_VIEW;
    }
    if (fv->purpose == FORM_RISK)
        record_set(&rec, "risk_set_by", v->app->cfg->username);
    enum dp_status st = store_record_save(v->app->store, &rec, &err);
    record_done(&rec);
    if (st != DP_OK) {
        /* Nothing typed is lost: the form stays open and the draft is kept. */
        fv->form.draft_dirty = true;
        app_error(v->app, _("Not saved"), &err);
        return REACT_REDRAW_STATUS;
    }
    store_draft_drop(v->app->store, fv->draft_key, NULL);
    fv->form.changed = false;
    fv->form.draft_dirty = false;
    if (fv->form.rec.def == &schema_visit)
        update_household_due(v);
    if (fv->rejected_mid > 0) {
        /* The corrected edit replaces the refused one. */
        if (store_rejected_dismiss(v->app->store, fv->rejected_mid, &err) == DP_OK)
            app_message(v->app, STYLE_NORMAL, "%s",
                        _("Saved. It is sent with the next sync; the refused edit is set aside."));
        else
            app_error(v->app, _("Saved, but the refused edit is still listed"), &err);
    }
    if (!v->app->message[0])
        app_message(v->app, STYLE_NORMAL, "%s", _("Saved."));
    return REACT_CLOSE;
}

static unsigned
form_view_request(struct view *v, enum action act)
{
    struct form_view *fv = v->priv;
    struct form_field *ff = &fv->form.fields[fv->cur];
    switch (act) {
    case ACT_FIELD_NEXT:
    case ACT_MOVE_DOWN:
        return go_to(v, fv->cur + 1 < fv->form.nfields ? fv->cur + 1 : fv->cur);
    case ACT_FIELD_PREV:
    case ACT_MOVE_UP:
        return go_to(v, fv->cur > 0 ? fv->cur - 1 : 0);
    case ACT_PAGE_DOWN:
        return go_to(v, fv->cur + 5 < fv->form.nfields ? fv->cur + 5 : fv->form.nfields - 1);
    case ACT_PAGE_UP:
        return go_to(v, fv->cur > 5 ? fv->cur - 5 : 0);
    case ACT_MOVE_FIRST:
        return go_to(v, 0);
    case ACT_MOVE_LAST:
        return go_to(v, fv->form.nfields - 1);
    case ACT_ACCEPT:
        if (ff->type == FT_NOTE)
            return edit_insert(&ff->edit, '\n') ? changed(v, fv->cur) : REACT_NONE;
        if (ff->type == FT_ENUM || ff->type == FT_SET) {
            app_push(v->app, &pick_ops, &(struct pick_open){&fv->form, fv->cur});
            return REACT_NONE;
        }
        if (ff->type == FT_BOOL) {
            form_toggle(&fv->form, fv->cur, 0);
            return changed(v, fv->cur);
        }
        return go_to(v, fv->cur + 1 < fv->form.nfields ? fv->cur + 1 : fv->cur);
    case ACT_TODAY:
        if (ff->type != FT_DATE)
            return REACT_NONE;
        edit_set(&ff->edit, v->app->today);
        return changed(v, fv->cur);
    case ACT_SAVE:
        return save(v);
    case ACT_CANCEL:
    case ACT_BACK:
        if (!fv->form.changed) {
            store_draft_drop(v->app->store, fv->draft_key, NULL);
            return REACT_CLOSE;
        }
        app_ask_yesno(v->app, v, _("Discard your changes to this form? (y/n)"), discard_answer);
        return REACT_NONE;
    default:
        break;
    }
    return edit_action(v, act);
}

static bool
form_view_text_input(struct view *v)
{
    (void)v;
    return true;
}

static bool
form_view_unsaved(struct view *v)
{
    struct form_view *fv = v->priv;
    return fv->form.changed;
}

static void
form_view_save_draft(struct view *v)
{
    struct form_view *fv = v->priv;
    struct dp_error err = {0};
    if (!fv->form.draft_dirty || !v->app->store)
        return;
    char *text = form_draft_text(&fv->form);
    if (!text)
        return;
    if (store_draft_put(v->app->store, fv->draft_key, text, &err) == DP_OK)
        fv->form.draft_dirty = false;
    else
        app_error(v->app, _("Could not keep a draft"), &err);
    explicit_bzero(text, strlen(text));
    free(text);
}

const struct view_ops form_ops = {
    .name = "form",
    .keymap = KM_FORM,
    .priv_size = sizeof(struct form_view),
    .show_cursor_line = false,
    .open = form_view_open,
    .close = form_view_close,
    .load = form_view_load,
    .draw_row = form_view_draw_row,
    .title = form_view_title,
    .request = form_view_request,
    .input = form_view_input,
    .text_input = form_view_text_input,
    .cursor = form_view_cursor,
    .unsaved = form_view_unsaved,
    .save_draft = form_view_save_draft,
};
