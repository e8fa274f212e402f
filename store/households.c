/*
 * The household list: counts and windows of the filtered, sorted list. Every
 * sort order has an index (migration 2) whose expressions are repeated here
 * verbatim, so a window is an index walk that stops after offset + limit rows;
 * nothing reads the whole table into memory. A search's matches come from
 * store/search.c, which narrows them in memory between keystrokes; each call
 * runs in one read transaction so they and the queries see the same data.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "store/internal.h"

/* Must match the index expressions of migration 2 exactly (test_store_list checks the plans). */
#define RISK_RANK                                                                                  \
    "(CASE h.risk WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2 ELSE 3 END)"
#define DUE_KEY "(CASE WHEN h.next_visit_due = '' THEN '9999-12-31' ELSE h.next_visit_due END)"

#define PENDING_STATES "('pending', 'inflight')"

/*
 * A search's matches are named in the query as rowid IN (?, ...) when they
 * are few: the query then looks each one up (and sorts them). Otherwise it
 * walks its index as without a search and asks STORE_SEARCH_HIT_FN about each
 * entry. A walk may read the whole index before it finds a window's rows
 * (matches by name sit together in the name order), so both are weighed
 * against the whole list: a lookup, which often decrypts a table page, cost
 * about as much as LOOKUP_COST index entries on the 50k cache (a window of
 * 118 matches took 0.9 ms by lookups and 1.2 ms by walking; of 298 matches
 * 2.2 ms and 0.8 ms; of 15 matches 0.2 ms and 3-8 ms).
 */
#define LIST_MAX    500
#define LOOKUP_COST 300

static const char *const sort_terms[][4] = {
    [STORE_SORT_NAME] = {"h.head_name", "h.id", NULL, NULL},
    [STORE_SORT_VILLAGE] = {"h.village", "h.head_name", "h.id", NULL},
    [STORE_SORT_RISK] = {RISK_RANK, DUE_KEY, "h.id", NULL},
    [STORE_SORT_NEXT_DUE] = {DUE_KEY, "h.id", NULL, NULL},
    [STORE_SORT_LAST_VISIT] = {"h._last_visit", "h.id", NULL, NULL},
};

/* Filter values bound by name; NULL when the filter is off. */
struct list_params {
    const char *village;
    const char *category;
    const char *today;
};

/* The search part of a list call. */
struct list_search {
    const char *text; /* trimmed search text, NULL when there is none */
    size_t len;
    const int64_t *rids; /* its matches (store_search_run) */
    size_t n;
    bool by_list; /* name the matches in the query rather than test each entry */
};

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/*
 * Check the filter before anything runs (a search with no match answers
 * without a query) and trim its search text; ls->text NULL when there is none.
 */
static enum dp_status
parse_filter(const struct household_filter *f, struct list_search *ls, struct dp_error *err)
{
    memset(ls, 0, sizeof *ls);
    if (f && f->overdue_only && !f->today[0])
        return dp_error_set(err, DP_EINVAL, "today", "overdue filter without today's date");
    if (!f || !f->search)
        return DP_OK;
    const char *s = f->search;
    size_t len = strlen(s);
    while (len > 0 && is_blank(*s)) {
        s++;
        len--;
    }
    while (len > 0 && is_blank(s[len - 1]))
        len--;
    if (len > STORE_SEARCH_MAX)
        return dp_error_set(err, DP_EINVAL, "search", _("the search text is too long"));
    if (len > 0) {
        ls->text = s;
        ls->len = len;
    }
    return DP_OK;
}

/* Any filter besides the search. */
static bool
other_filters(const struct household_filter *f)
{
    return f && (f->risk_mask || f->village || f->category || f->overdue_only || f->unsynced_only);
}

/* The FROM and WHERE of a list query; parse_filter has checked f. */
static void
build_where(const struct household_filter *f, const struct list_search *ls, struct sqlbuf *sql,
            struct list_params *p)
{
    memset(p, 0, sizeof *p);
    /*
     * Named matches are looked up by rowid. Without NOT INDEXED, SQLite
     * (no statistics) takes _deleted = 0 for selective and walks the sort
     * index instead, reading all of it for a handful of matches.
     */
    sqlbuf_add(sql,
               ls->text && ls->by_list ? " FROM households h NOT INDEXED" : " FROM households h");
    sqlbuf_add(sql, " WHERE h._deleted = 0");
    if (!f)
        return;

    if (ls->text && ls->by_list) {
        /* First in the text: these are parameters 1..n. */
        sqlbuf_add(sql, " AND h.rowid IN (");
        for (size_t i = 0; i < ls->n; i++)
            sqlbuf_add(sql, i ? ", ?" : "?");
        sqlbuf_add(sql, ")");
    } else if (ls->text) {
        sqlbuf_add(sql, " AND " STORE_SEARCH_HIT_FN "(h.rowid)");
    }

    if (f->risk_mask) {
        char num[16];
        bool any = false;
        sqlbuf_add(sql, " AND " RISK_RANK " IN (");
        for (int i = 0; schema_risk_choices[i].token && i < 16; i++) {
            if (!(f->risk_mask & (1u << i)))
                continue;
            snprintf(num, sizeof num, "%s%d", any ? ", " : "", i);
            sqlbuf_add(sql, num);
            any = true;
        }
        sqlbuf_add(sql, any ? ")" : "-1)");
    }
    if (f->village) {
        p->village = f->village;
        sqlbuf_add(sql, " AND h.village = :village");
    }
    if (f->category) {
        p->category = f->category;
        sqlbuf_add(sql, " AND h.id IN (SELECT household_id FROM household_categories"
                        " WHERE category = :category)");
    }
    if (f->overdue_only) {
        p->today = f->today; /* checked by parse_filter */
        /* Unset due dates sort as 9999-12-31, so they are never overdue. */
        sqlbuf_add(sql, " AND " DUE_KEY " < :today");
    }
    if (f->unsynced_only)
        sqlbuf_add(sql, " AND h.id IN (SELECT hid FROM outbox WHERE state IN " PENDING_STATES ")");
}

static void
bind_named(sqlite3_stmt *stmt, const char *name, const char *value)
{
    int idx = sqlite3_bind_parameter_index(stmt, name);
    if (idx > 0)
        store_bind_text(stmt, idx, value);
}

static void
bind_params(sqlite3_stmt *stmt, const struct list_search *ls, const struct list_params *p)
{
    if (ls->text && ls->by_list)
        for (size_t i = 0; i < ls->n; i++)
            sqlite3_bind_int64(stmt, (int)i + 1, ls->rids[i]);
    bind_named(stmt, ":village", p->village);
    bind_named(stmt, ":category", p->category);
    bind_named(stmt, ":today", p->today);
}

/* How many known risk classes a mask selects. */
static int
risk_bits(unsigned mask)
{
    int n = 0;
    for (int i = 0; schema_risk_choices[i].token && i < 16; i++)
        n += (mask & (1u << i)) != 0;
    return n;
}

static void
add_order(struct sqlbuf *sql, const struct household_filter *f)
{
    enum store_sort sort = f ? f->sort : STORE_SORT_NAME;
    if ((unsigned)sort >= sizeof sort_terms / sizeof sort_terms[0])
        sort = STORE_SORT_NAME;
    int first = 0;
    /*
     * With one risk class chosen the rank is constant; SQLite 3.15 then no
     * longer sees that the index order satisfies ORDER BY rank, ... and would
     * sort the whole match in a temporary b-tree, so leave the rank out.
     */
    if (f && sort == STORE_SORT_RISK && risk_bits(f->risk_mask) == 1)
        first = 1;
    sqlbuf_add(sql, " ORDER BY ");
    for (int i = first; i < 4 && sort_terms[sort][i]; i++) {
        if (i > first)
            sqlbuf_add(sql, ", ");
        sqlbuf_add(sql, sort_terms[sort][i]);
        if (f && f->descending)
            sqlbuf_add(sql, " DESC");
    }
}

static enum dp_status
count_query(struct store *st, const char *sql, const struct list_search *ls,
            const struct list_params *p, long *n, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    if (ls && p)
        bind_params(stmt, ls, p);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *n = (long)sqlite3_column_int64(stmt, 0);
    else
        s = store_fail(st, rc, "count households", err);
    sqlite3_finalize(stmt);
    return s;
}

/* Live households, counted once per state of the cache. */
static enum dp_status
live_total(struct store *st, long *total, struct dp_error *err)
{
    if (store_list_total(st, total))
        return DP_OK;
    enum dp_status s = count_query(st, "SELECT count(*) FROM households WHERE _deleted = 0", NULL,
                                   NULL, total, err);
    if (s == DP_OK)
        store_list_set_total(st, *total);
    return s;
}

/* Whether to name n matches in the query, for a list of `all` households. */
static bool
by_list(size_t n, long all)
{
    return n <= LIST_MAX && (double)n * LOOKUP_COST < (double)all;
}

/* Start a list call: the read snapshot, then the search's matches. */
static enum dp_status
list_begin(struct store *st, struct list_search *ls, bool *began, struct dp_error *err)
{
    enum dp_status s = store_list_enter(st, began, err);
    if (s != DP_OK)
        return s;
    if (!ls->text)
        return DP_OK;
    s = store_search_run(st, ls->text, ls->len, &ls->rids, &ls->n, err);
    if (s != DP_OK)
        store_list_leave(st, *began);
    return s;
}

enum dp_status
store_household_count(struct store *st, const struct household_filter *f, long *matched,
                      long *total, struct dp_error *err)
{
    struct sqlbuf sql;
    struct list_params p;
    struct list_search ls;
    long m = 0, t = 0;
    bool began = false;
    if (!st)
        return dp_error_set(err, DP_EINVAL, NULL, "store_household_count: missing argument");
    enum dp_status s = parse_filter(f, &ls, err);
    if (s == DP_OK)
        s = list_begin(st, &ls, &began, err);
    if (s != DP_OK)
        goto out;
    if (total || (matched && !ls.text && !other_filters(f)))
        s = live_total(st, &t, err);
    if (s != DP_OK || !matched) {
        /* nothing more to count */
    } else if (!other_filters(f)) {
        m = ls.text ? (long)ls.n : t;
    } else if (ls.text && ls.n == 0) {
        m = 0;
    } else {
        long all = 0;
        s = live_total(st, &all, err);
        ls.by_list = by_list(ls.n, all);
        sqlbuf_init(&sql);
        sqlbuf_add(&sql, "SELECT count(*)");
        build_where(f, &ls, &sql, &p);
        if (s == DP_OK && sql.overflow)
            s = dp_error_set(err, DP_EINVAL, NULL, "household filter too long");
        if (s == DP_OK)
            s = count_query(st, sql.buf, &ls, &p, &m, err);
    }
    store_list_leave(st, began);
out:
    if (matched)
        *matched = s == DP_OK ? m : 0;
    if (total)
        *total = s == DP_OK ? t : 0;
    return s;
}

/* Copy a column into a fixed field, cutting only between UTF-8 characters. */
static void
copy_col(char *dst, size_t size, sqlite3_stmt *stmt, int col)
{
    const char *src = store_column_text(stmt, col);
    size_t len = strlen(src);
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

enum dp_status
store_household_window(struct store *st, const struct household_filter *f, long offset, int limit,
                       struct household_row *rows, int *nrows, struct dp_error *err)
{
    struct sqlbuf sql;
    struct list_params p;
    struct list_search ls;
    sqlite3_stmt *stmt = NULL;
    int n = 0;
    bool began = false;
    enum dp_status s;

    if (nrows)
        *nrows = 0;
    if (!st || !nrows || (limit > 0 && !rows) || offset < 0)
        return dp_error_set(err, DP_EINVAL, NULL, "store_household_window: bad argument");
    if (limit <= 0)
        return DP_OK;

    s = parse_filter(f, &ls, err);
    if (s == DP_OK)
        s = list_begin(st, &ls, &began, err);
    if (s != DP_OK)
        return s;
    if (ls.text && ls.n == 0)
        goto out;
    if (ls.text) {
        long all = 0;
        s = live_total(st, &all, err);
        if (s != DP_OK)
            goto out;
        ls.by_list = by_list(ls.n, all);
    }

    sqlbuf_init(&sql);
    sqlbuf_add(&sql, "SELECT h.id, h.head_name, h.village, h.risk, h.categories, h._last_visit,"
                     " h.next_visit_due, h._warning,"
                     " EXISTS (SELECT 1 FROM outbox o WHERE o.hid = h.id"
                     "  AND o.state IN " PENDING_STATES "),"
                     " EXISTS (SELECT 1 FROM conflicts c WHERE c.hid = h.id AND c.state = 'open')");
    build_where(f, &ls, &sql, &p);
    add_order(&sql, f);
    sqlbuf_add(&sql, " LIMIT :limit OFFSET :offset");
    if (sql.overflow) {
        s = dp_error_set(err, DP_EINVAL, NULL, "household filter too long");
        goto out;
    }
    s = store_prepare(st, sql.buf, &stmt, err);
    if (s != DP_OK)
        goto out;
    bind_params(stmt, &ls, &p);
    sqlite3_bind_int(stmt, sqlite3_bind_parameter_index(stmt, ":limit"), limit);
    sqlite3_bind_int64(stmt, sqlite3_bind_parameter_index(stmt, ":offset"), offset);

    int rc = SQLITE_DONE;
    while (n < limit && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct household_row *r = &rows[n];
        memset(r, 0, sizeof *r);
        copy_col(r->id, sizeof r->id, stmt, 0);
        copy_col(r->head_name, sizeof r->head_name, stmt, 1);
        copy_col(r->village, sizeof r->village, stmt, 2);
        copy_col(r->risk, sizeof r->risk, stmt, 3);
        copy_col(r->categories, sizeof r->categories, stmt, 4);
        copy_col(r->last_visit, sizeof r->last_visit, stmt, 5);
        copy_col(r->next_due, sizeof r->next_due, stmt, 6);
        r->warning = sqlite3_column_int(stmt, 7) != 0;
        r->unsynced = sqlite3_column_int(stmt, 8) != 0;
        r->conflict = sqlite3_column_int(stmt, 9) != 0;
        r->overdue = f && f->today[0] && r->next_due[0] && strcmp(r->next_due, f->today) < 0;
        n++;
    }
    if (n < limit && rc != SQLITE_DONE)
        s = store_fail(st, rc, "list households", err);

out:
    sqlite3_finalize(stmt);
    store_list_leave(st, began);
    *nrows = s == DP_OK ? n : 0;
    return s;
}

enum dp_status
store_household_set_warning(struct store *st, const char *household_id, bool warning,
                            struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    if (!st || !household_id)
        return dp_error_set(err, DP_EINVAL, NULL, "store_household_set_warning: missing argument");
    enum dp_status s =
        store_prepare(st, "UPDATE households SET _warning = ?1 WHERE id = ?2", &stmt, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int(stmt, 1, warning ? 1 : 0);
    store_bind_text(stmt, 2, household_id);
    s = store_step_done(st, stmt, "set warning", err);
    if (s == DP_OK && sqlite3_changes(st->db) == 0)
        s = dp_error_set(err, DP_ENOTFOUND, "id", _("the household %s is not in the cache"),
                         household_id);
    sqlite3_finalize(stmt);
    return s;
}
