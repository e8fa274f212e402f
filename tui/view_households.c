/*
 * The home screen: the household list over store_household_count() and
 * store_household_window(). Only the rows on screen are in memory; search
 * and filters go to the store, which answers from its indexes.
 *
 * A row reads, at 80 columns:
 *   R *CW 王小明          东风村        MLA,EP-d     2024-01-05 2024-04-05!
 * risk as a letter (and a colour), markers (unsynced, conflict, warning),
 * head name, village, support categories, last visit, next due ("!" and
 * colour when overdue). Every column is measured in display columns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/schema.h"
#include "store/store.h"
#include "tui/app.h"
#include "tui/views.h"

/* Risk letters: readable without colour. Translators may use 红/黄/绿 (2 columns: fine). */
static const struct {
    const char *token;
    const char *letter;
    enum style style;
    const char *meaning; /* for the help screen */
} risks[] = {
    {"red", N_("R"), STYLE_RED, N_("risk class red")},
    {"yellow", N_("Y"), STYLE_YELLOW, N_("risk class yellow")},
    {"green", N_("G"), STYLE_GREEN, N_("risk class green")},
};

/* Short names of the support categories, for the narrow column. */
static const struct {
    const char *token;
    const char *label;
} category_short[] = {
    {"dibao", N_("MLA")},      {"tekun_central", N_("EP-c")}, {"tekun_dispersed", N_("EP-d")},
    {"dibao_edge", N_("MLI")}, {"temp_assist", N_("TA")},     {"relapse_watch", N_("RM")},
};

/* Markers after the risk letter, in this order. */
#define MARK_UNSYNCED N_("*")
#define MARK_CONFLICT N_("C")
#define MARK_WARNING  N_("W")
#define MARK_OVERDUE  "!"

static const struct {
    enum store_sort sort;
    const char *name;
} sorts[] = {
    {STORE_SORT_NAME, N_("name")},
    {STORE_SORT_VILLAGE, N_("village")},
    {STORE_SORT_RISK, N_("risk")},
    {STORE_SORT_NEXT_DUE, N_("next due")},
    {STORE_SORT_LAST_VISIT, N_("last visit")},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct columns {
    int risk, marks, name, village, cats, last, next; /* widths; 0 = not shown */
};

struct households {
    struct household_filter f;
    char search[256];       /* f.search points here */
    char saved_search[256]; /* restored when a search is cancelled */
    char village[128];      /* f.village points here when the village filter is on */
    int risk;               /* index into risks[], -1 = all */
    int category;           /* index into schema_category_choices, -1 = all */
    int sort;               /* index into sorts[] */
    long matched, total;
    struct household_row *rows; /* the window of rows on screen */
    int cap;                    /* rows allocated */
    long first;                 /* list position of rows[0] */
    int nrows;                  /* rows filled */
    bool fresh;                 /* rows match the current filter */
    char follow_id[37];         /* after a sync: keep this household selected where it moved */
};

static void
layout(int width, struct columns *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < COUNT(risks); i++) {
        int w = text_width(_(risks[i].letter));
        if (w > c->risk)
            c->risk = w;
    }
    c->marks =
        text_width(_(MARK_UNSYNCED)) + text_width(_(MARK_CONFLICT)) + text_width(_(MARK_WARNING));
    c->last = 10;
    c->next = 10 + (int)strlen(MARK_OVERDUE);
    /* Six separating spaces between seven columns. */
    int rest = width - c->risk - c->marks - c->last - c->next - 6;
    if (rest < 30) {
        /* Narrow terminal: drop the last-visit column first. */
        rest += c->last + 1;
        c->last = 0;
    }
    if (rest < 12)
        rest = 12;
    c->name = rest * 36 / 100;
    c->village = rest * 28 / 100;
    c->cats = rest - c->name - c->village;
    if (c->last == 0)
        c->cats--; /* one separator fewer */
}

static const char *
risk_letter(const char *token, enum style *st)
{
    for (size_t i = 0; i < COUNT(risks); i++) {
        if (strcmp(risks[i].token, token) == 0) {
            *st = risks[i].style;
            return _(risks[i].letter);
        }
    }
    *st = STYLE_DIM;
    return "?";
}

/* "dibao,tekun_dispersed" -> "MLA,EP-d" in buf. */
static void
short_categories(const char *set, char *buf, size_t bufsize)
{
    size_t len = 0;
    buf[0] = '\0';
    const char *p = set;
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *label = NULL;
        for (size_t i = 0; i < COUNT(category_short); i++)
            if (strlen(category_short[i].token) == n && strncmp(category_short[i].token, p, n) == 0)
                label = _(category_short[i].label);
        int w = snprintf(buf + len, bufsize - len, "%s%s", len ? "," : "", label ? label : "?");
        if (w < 0 || (size_t)w >= bufsize - len)
            break;
        len += (size_t)w;
        p = comma ? comma + 1 : NULL;
    }
}

/* Lay out one household row; a pure function of the row and the width. */
static void
format_row(const struct household_row *r, int width, struct line *l)
{
    struct columns c;
    enum style rs;
    char cats[256];
    layout(width, &c);
    const char *letter = risk_letter(r->risk, &rs);
    line_field(l, rs, letter, c.risk, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    line_field(l, STYLE_MARKER, r->unsynced ? _(MARK_UNSYNCED) : "", text_width(_(MARK_UNSYNCED)),
               TEXT_LEFT);
    line_field(l, STYLE_MARKER, r->conflict ? _(MARK_CONFLICT) : "", text_width(_(MARK_CONFLICT)),
               TEXT_LEFT);
    line_field(l, STYLE_MARKER, r->warning ? _(MARK_WARNING) : "", text_width(_(MARK_WARNING)),
               TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    line_field(l, STYLE_NORMAL, r->head_name, c.name, TEXT_LEFT);
    /* The cursor bar covers risk, markers and name: enough to see, cheap to move. */
    l->highlight_cols = l->cols;
    line_spaces(l, STYLE_NORMAL, 1);
    line_field(l, STYLE_NORMAL, r->village, c.village, TEXT_LEFT);
    line_spaces(l, STYLE_NORMAL, 1);
    short_categories(r->categories, cats, sizeof cats);
    line_field(l, STYLE_NORMAL, cats, c.cats, TEXT_LEFT);
    if (c.last) {
        line_spaces(l, STYLE_NORMAL, 1);
        line_field(l, r->last_visit[0] ? STYLE_NORMAL : STYLE_DIM,
                   r->last_visit[0] ? r->last_visit : "-", c.last, TEXT_LEFT);
    }
    line_spaces(l, STYLE_NORMAL, 1);
    if (r->overdue) {
        char due[16];
        snprintf(due, sizeof due, "%s%s", r->next_due, MARK_OVERDUE);
        line_field(l, STYLE_OVERDUE, due, c.next, TEXT_LEFT);
    } else {
        line_field(l, r->next_due[0] ? STYLE_NORMAL : STYLE_DIM, r->next_due[0] ? r->next_due : "-",
                   c.next, TEXT_LEFT);
    }
    line_fill(l, STYLE_NORMAL);
}

static void
apply_filter(struct households *h, const char *today)
{
    h->f.search = h->search[0] ? h->search : NULL;
    h->f.village = h->village[0] ? h->village : NULL;
    h->f.category = h->category >= 0 ? schema_category_choices[h->category].token : NULL;
    h->f.risk_mask =
        h->risk >= 0 ? 1u << schema_choice_index(schema_risk_choices, risks[h->risk].token) : 0;
    h->f.sort = sorts[h->sort].sort;
    snprintf(h->f.today, sizeof h->f.today, "%s", today);
    h->fresh = false;
}

static enum dp_status
households_open(struct view *v, const void *arg, struct dp_error *err)
{
    (void)arg;
    (void)err;
    struct households *h = v->priv;
    h->risk = -1;
    h->category = -1;
    h->sort = 0;
    apply_filter(h, v->app->today);
    return DP_OK;
}

static void
households_close(struct view *v)
{
    struct households *h = v->priv;
    free(h->rows);
}

/*
 * A sync changed the list under the cursor: find the household that was
 * selected near where it was (a page either side) and select it again.
 */
static void
follow(struct view *v)
{
    struct households *h = v->priv;
    long span = v->height > 0 ? v->height : 20;
    long first = v->sel - span > 0 ? v->sel - span : 0;
    int n = (int)(2 * span + 1);
    struct household_row *rows = calloc((size_t)n, sizeof *rows);
    int got = 0;
    h->fresh = false;
    if (rows && store_household_window(v->app->store, &h->f, first, n, rows, &got, NULL) == DP_OK)
        for (int i = 0; i < got; i++)
            if (strcmp(rows[i].id, h->follow_id) == 0)
                v->sel = first + i;
    free(rows);
    h->follow_id[0] = '\0';
}

static enum dp_status
households_load(struct view *v, struct dp_error *err)
{
    struct households *h = v->priv;
    apply_filter(h, v->app->today);
    enum dp_status st = store_household_count(v->app->store, &h->f, &h->matched, &h->total, err);
    if (st != DP_OK) {
        h->matched = 0;
        v->lines = 0;
        return st;
    }
    v->lines = h->matched;
    if (h->follow_id[0])
        follow(v);
    return DP_OK;
}

static enum dp_status
households_fetch(struct view *v, long first, int n, struct dp_error *err)
{
    struct households *h = v->priv;
    if (h->fresh && first >= h->first && first + n <= h->first + h->nrows)
        return DP_OK;
    if (n > h->cap) {
        struct household_row *rows = calloc((size_t)n, sizeof *rows);
        if (!rows)
            return dp_error_set(err, DP_ENOMEM, NULL, NULL);
        free(h->rows);
        h->rows = rows;
        h->cap = n;
    }
    h->nrows = 0;
    enum dp_status st =
        store_household_window(v->app->store, &h->f, first, n, h->rows, &h->nrows, err);
    if (st != DP_OK) {
        h->nrows = 0;
        h->fresh = false;
        return st;
    }
    h->first = first;
    h->fresh = true;
    return DP_OK;
}

static const struct household_row *
row_at(struct view *v, long row)
{
    struct households *h = v->priv;
    if (!h->fresh || row < h->first || row >= h->first + h->nrows)
        return NULL;
    return &h->rows[row - h->first];
}

static void
households_draw_row(struct view *v, long row, struct line *l)
{
    const struct household_row *r = row_at(v, row);
    if (r)
        format_row(r, v->width, l);
}

static void
households_draw_header(struct view *v, struct line *l)
{
    struct columns c;
    layout(v->width, &c);
    /* The risk column has no heading: its letters and colours speak for it. */
    line_field(l, STYLE_HEADER, "", c.risk, TEXT_LEFT);
    line_spaces(l, STYLE_HEADER, 1);
    line_field(l, STYLE_HEADER, "", c.marks, TEXT_LEFT);
    line_spaces(l, STYLE_HEADER, 1);
    line_field(l, STYLE_HEADER, _("Name"), c.name, TEXT_LEFT);
    line_spaces(l, STYLE_HEADER, 1);
    line_field(l, STYLE_HEADER, _("Village"), c.village, TEXT_LEFT);
    line_spaces(l, STYLE_HEADER, 1);
    line_field(l, STYLE_HEADER, _("Support"), c.cats, TEXT_LEFT);
    if (c.last) {
        line_spaces(l, STYLE_HEADER, 1);
        line_field(l, STYLE_HEADER, _("Last visit"), c.last, TEXT_LEFT);
    }
    line_spaces(l, STYLE_HEADER, 1);
    line_field(l, STYLE_HEADER, _("Next due"), c.next, TEXT_LEFT);
    line_fill(l, STYLE_HEADER);
}

/* Append ", part" (or "part") to buf. */
static void
add_part(char *buf, size_t size, const char *part)
{
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "%s%s", len ? ", " : "", part);
}

static void
households_title(struct view *v, char *left, size_t leftsize, char *right, size_t rightsize)
{
    struct households *h = v->priv;
    char filters[512] = "", part[320];
    if (h->risk >= 0)
        add_part(
            filters, sizeof filters,
            _(schema_risk_choices[schema_choice_index(schema_risk_choices, risks[h->risk].token)]
                  .label));
    if (h->category >= 0)
        add_part(filters, sizeof filters, _(category_short[h->category].label));
    if (h->f.overdue_only)
        add_part(filters, sizeof filters, _("overdue"));
    if (h->f.unsynced_only)
        add_part(filters, sizeof filters, _("unsynced"));
    if (h->village[0])
        add_part(filters, sizeof filters, h->village);
    if (h->search[0]) {
        snprintf(part, sizeof part, "/%s", h->search);
        add_part(filters, sizeof filters, part);
    }
    snprintf(left, leftsize, _("Households by %s%s%s%s%s"), _(sorts[h->sort].name),
             h->f.descending ? _(" (reversed)") : "", filters[0] ? " [" : "", filters,
             filters[0] ? "]" : "");
    /* Position first (it moves), then how many are shown out of all. */
    if (h->matched == h->total)
        snprintf(right, rightsize, "%ld/%ld", h->matched ? v->sel + 1 : 0, h->matched);
    else
        snprintf(right, rightsize, _("%ld/%ld of %ld"), h->matched ? v->sel + 1 : 0, h->matched,
                 h->total);
}

static unsigned
refilter(struct view *v)
{
    v->sel = v->top = 0;
    return REACT_RELOAD | REACT_REDRAW_TITLE;
}

static unsigned
search_changed(struct view *v, const char *text)
{
    struct households *h = v->priv;
    snprintf(h->search, sizeof h->search, "%s", text);
    return refilter(v);
}

static unsigned
search_done(struct view *v, const char *text, bool yes)
{
    (void)yes;
    struct households *h = v->priv;
    if (text)
        return REACT_REDRAW_TITLE;
    memcpy(h->search, h->saved_search, sizeof h->search);
    return refilter(v);
}

/* Category token index of the next category in the cycle (-1 = all). */
static int
next_category(int cur)
{
    int n = 0;
    while (schema_category_choices[n].token)
        n++;
    return cur + 1 >= n ? -1 : cur + 1;
}

static int
category_short_index(const char *token)
{
    for (size_t i = 0; i < COUNT(category_short); i++)
        if (strcmp(category_short[i].token, token) == 0)
            return (int)i;
    return -1;
}

static unsigned
households_request(struct view *v, enum action act)
{
    struct households *h = v->priv;
    const struct household_row *r;
    switch (act) {
    case ACT_SEARCH:
        memcpy(h->saved_search, h->search, sizeof h->search);
        app_ask_text(v->app, v, PROMPT_TEXT, _("Search:"), h->search, 64, search_changed,
                     search_done);
        return REACT_NONE;
    case ACT_FILTER_RISK:
        h->risk = h->risk + 1 >= (int)COUNT(risks) ? -1 : h->risk + 1;
        return refilter(v);
    case ACT_FILTER_CATEGORY:
        h->category = next_category(h->category);
        /* The short-label table must follow the schema's order. */
        if (h->category >= 0 &&
            category_short_index(schema_category_choices[h->category].token) != h->category)
            h->category = -1;
        return refilter(v);
    case ACT_FILTER_OVERDUE:
        h->f.overdue_only = !h->f.overdue_only;
        return refilter(v);
    case ACT_FILTER_UNSYNCED:
        h->f.unsynced_only = !h->f.unsynced_only;
        return refilter(v);
    case ACT_FILTER_VILLAGE:
        if (h->village[0]) {
            h->village[0] = '\0';
        } else {
            r = row_at(v, v->sel);
            if (!r || !r->village[0]) {
                app_message(v->app, STYLE_ERROR, "%s", _("The selected household has no village"));
                return REACT_NONE;
            }
            snprintf(h->village, sizeof h->village, "%s", r->village);
        }
        return refilter(v);
    case ACT_FILTER_CLEAR:
        h->search[0] = h->village[0] = '\0';
        h->risk = h->category = -1;
        h->f.overdue_only = h->f.unsynced_only = false;
        return refilter(v);
    case ACT_SORT_NEXT:
        h->sort = (h->sort + 1) % (int)COUNT(sorts);
        return refilter(v);
    case ACT_SORT_REVERSE:
        h->f.descending = !h->f.descending;
        return refilter(v);
    case ACT_ENTER:
        r = row_at(v, v->sel);
        if (!r)
            return REACT_NONE;
        app_push(v->app, &household_ops, r->id);
        return REACT_NONE;
    case ACT_CONFLICTS:
        app_push(v->app, &conflicts_ops, NULL);
        return REACT_NONE;
    case ACT_PROBLEMS:
        app_push(v->app, &problems_ops, NULL);
        return REACT_NONE;
    default:
        return REACT_PASS;
    }
}

static unsigned
households_sync_changed(struct view *v, const struct sync_worker_status *st, bool data)
{
    (void)st;
    struct households *h = v->priv;
    if (!data)
        return REACT_NONE;
    const struct household_row *r = row_at(v, v->sel);
    if (r)
        snprintf(h->follow_id, sizeof h->follow_id, "%s", r->id);
    h->fresh = false;
    return REACT_RELOAD | REACT_REDRAW_TITLE;
}

/* What the letters and marks in the list mean, from the tables that draw them. */
static bool
households_legend(int i, const char **symbol, const char **text)
{
    static const struct {
        const char *mark, *text;
    } marks[] = {
        {MARK_UNSYNCED, N_("edits not yet synced")},
        {MARK_CONFLICT, N_("a conflict to resolve")},
        {MARK_WARNING, N_("an early warning (open the household to see it)")},
        {MARK_OVERDUE, N_("after the next-due date: the visit is overdue")},
    };
    int n = (int)COUNT(risks);
    if (i < n) {
        *symbol = _(risks[i].letter);
        *text = _(risks[i].meaning);
        return true;
    }
    i -= n;
    if (i < (int)COUNT(marks)) {
        *symbol = strcmp(marks[i].mark, MARK_OVERDUE) ? _(marks[i].mark) : marks[i].mark;
        *text = _(marks[i].text);
        return true;
    }
    i -= (int)COUNT(marks);
    if (i < (int)COUNT(category_short)) {
        const struct choice *c = schema_choice(schema_category_choices, category_short[i].token);
        *symbol = _(category_short[i].label);
        *text = c ? _(c->label) : "";
        return true;
    }
    return false;
}

const struct view_ops households_ops = {
    .name = "households",
    .keymap = KM_HOUSEHOLDS,
    .priv_size = sizeof(struct households),
    .header = true,
    .show_cursor_line = true,
    .empty = N_("No households match the search and filters."),
    .open = households_open,
    .close = households_close,
    .load = households_load,
    .fetch = households_fetch,
    .draw_row = households_draw_row,
    .draw_header = households_draw_header,
    .title = households_title,
    .request = households_request,
    .legend = households_legend,
    .sync_changed = households_sync_changed,
};
