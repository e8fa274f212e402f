/*
 * The household list: counts and windows of the filtered, sorted list. Every
 * sort order has an index (migration 2) whose expressions are repeated here
 * verbatim, so a window is an index walk that stops after offset + limit rows;
 * nothing reads the whole table into memory.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "store/internal.h"

/* Longest search text accepted, in bytes (a name, an address fragment, a phone number). */
#define SEARCH_MAX 256

/* Must match the index expressions of migration 2 exactly (test_store_list checks the plans). */
#define RISK_RANK                                                                                  \
    "(CASE h.risk WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 WHEN 'green' THEN 2 ELSE 3 END)"
#define DUE_KEY "(CASE WHEN h.next_visit_due = '' THEN '9999-12-31' ELSE h.next_visit_due END)"

#define PENDING_STATES "('pending', 'inflight')"

static const char *const sort_terms[][4] = {
    [STORE_SORT_NAME] = {"h.head_name", "h.id", NULL, NULL},
    [STORE_SORT_VILLAGE] = {"h.village", "h.head_name", "h.id", NULL},
    [STORE_SORT_RISK] = {RISK_RANK, DUE_KEY, "h.id", NULL},
    [STORE_SORT_NEXT_DUE] = {DUE_KEY, "h.id", NULL, NULL},
    [STORE_SORT_LAST_VISIT] = {"h._last_visit", "h.id", NULL, NULL},
};

/* Filter values bound by name; NULL when the filter is off. */
struct list_params {
    char *contains; /* %search% with LIKE wildcards escaped */
    char *tail;     /* %search, for ID-number tails */
    const char *village;
    const char *category;
    const char *today;
};

static void
params_done(struct list_params *p)
{
    free(p->contains);
    free(p->tail);
}

/* LIKE pattern: prefix, s with %, _ and \ escaped by \, suffix. NULL on ENOMEM. */
static char *
like_pattern(const char *s, size_t len, bool lead, bool trail)
{
    char *out = malloc(2 * len + 3);
    if (!out)
        return NULL;
    size_t n = 0;
    if (lead)
        out[n++] = '%';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
            out[n++] = '\\';
        out[n++] = s[i];
    }
    if (trail)
        out[n++] = '%';
    out[n] = '\0';
    return out;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static enum dp_status
build_where(const struct household_filter *f, struct sqlbuf *sql, struct list_params *p,
            struct dp_error *err)
{
    memset(p, 0, sizeof *p);
    sqlbuf_add(sql, " FROM households h WHERE h._deleted = 0");
    if (!f)
        return DP_OK;

    if (f->search) {
        const char *s = f->search;
        size_t len = strlen(s);
        while (len > 0 && is_blank(*s)) {
            s++;
            len--;
        }
        while (len > 0 && is_blank(s[len - 1]))
            len--;
        if (len > SEARCH_MAX)
            return dp_error_set(err, DP_EINVAL, "search", _("the search text is too long"));
        if (len > 0) {
            p->contains = like_pattern(s, len, true, true);
            if (!p->contains)
                return dp_error_set(err, DP_ENOMEM, NULL, NULL);
            /*
             * Matched inside households_search, which covers the searched
             * columns, so a search reads that index once instead of every
             * row of the table; the outer query then keeps its sort index.
             */
            sqlbuf_add(sql, " AND h.rowid IN (SELECT s.rowid FROM households s"
                            " INDEXED BY households_search WHERE s._deleted = 0"
                            " AND (s.head_name LIKE :contains ESCAPE '\\'"
                            " OR s.phone LIKE :contains ESCAPE '\\'"
                            " OR s.address LIKE :contains ESCAPE '\\'");
            /* Fewer than 4 characters of an ID number match far too many households. */
            if (len >= 4) {
                p->tail = like_pattern(s, len, true, false);
                if (!p->tail)
                    return dp_error_set(err, DP_ENOMEM, NULL, NULL);
                sqlbuf_add(sql, " OR s.head_id_number LIKE :tail ESCAPE '\\'");
            }
            sqlbuf_add(sql, "))");
        }
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
        if (!f->today[0])
            return dp_error_set(err, DP_EINVAL, "today", "overdue filter without today's date");
        p->today = f->today;
        /* Unset due dates sort as 9999-12-31, so they are never overdue. */
        sqlbuf_add(sql, " AND " DUE_KEY " < :today");
    }
    if (f->unsynced_only)
        sqlbuf_add(sql, " AND h.id IN (SELECT hid FROM outbox WHERE state IN " PENDING_STATES ")");
    return DP_OK;
}

static void
bind_named(sqlite3_stmt *stmt, const char *name, const char *value)
{
    int idx = sqlite3_bind_parameter_index(stmt, name);
    if (idx > 0)
        store_bind_text(stmt, idx, value);
}

static void
bind_params(sqlite3_stmt *stmt, const struct list_params *p)
{
    bind_named(stmt, ":contains", p->contains);
    bind_named(stmt, ":tail", p->tail);
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
count_query(struct store *st, const char *sql, const struct list_params *p, long *n,
            struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum dp_status s = store_prepare(st, sql, &stmt, err);
    if (s != DP_OK)
        return s;
    if (p)
        bind_params(stmt, p);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *n = (long)sqlite3_column_int64(stmt, 0);
    else
        s = store_fail(st, rc, "count households", err);
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
store_household_count(struct store *st, const struct household_filter *f, long *matched,
                      long *total, struct dp_error *err)
{
    struct sqlbuf sql;
    struct list_params p;
    long m = 0, t = 0;
    if (!st)
        return dp_error_set(err, DP_EINVAL, NULL, "store_household_count: missing argument");
    sqlbuf_init(&sql);
    sqlbuf_add(&sql, "SELECT count(*)");
    enum dp_status s = build_where(f, &sql, &p, err);
    if (s == DP_OK && sql.overflow)
        s = dp_error_set(err, DP_EINVAL, NULL, "household filter too long");
    if (s == DP_OK && matched)
        s = count_query(st, sql.buf, &p, &m, err);
    if (s == DP_OK && total)
        s = count_query(st, "SELECT count(*) FROM households WHERE _deleted = 0", NULL, &t, err);
    params_done(&p);
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
    sqlite3_stmt *stmt = NULL;
    int n = 0;
    enum dp_status s;

    if (nrows)
        *nrows = 0;
    if (!st || !nrows || (limit > 0 && !rows) || offset < 0)
        return dp_error_set(err, DP_EINVAL, NULL, "store_household_window: bad argument");
    if (limit <= 0)
        return DP_OK;

    sqlbuf_init(&sql);
    sqlbuf_add(&sql, "SELECT h.id, h.head_name, h.village, h.risk, h.categories, h._last_visit,"
                     " h.next_visit_due, h._warning,"
                     " EXISTS (SELECT 1 FROM outbox o WHERE o.hid = h.id"
                     "  AND o.state IN " PENDING_STATES "),"
                     " EXISTS (SELECT 1 FROM conflicts c WHERE c.hid = h.id AND c.state = 'open')");
    s = build_where(f, &sql, &p, err);
    if (s != DP_OK)
        goto out;
    add_order(&sql, f);
    sqlbuf_add(&sql, " LIMIT :limit OFFSET :offset");
    if (sql.overflow) {
        s = dp_error_set(err, DP_EINVAL, NULL, "household filter too long");
        goto out;
    }
    s = store_prepare(st, sql.buf, &stmt, err);
    if (s != DP_OK)
        goto out;
    bind_params(stmt, &p);
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
    params_done(&p);
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
