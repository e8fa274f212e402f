/*
 * store/ household list: a few thousand generated households, checked
 * against an in-memory model of the same rows for order, filters, counts,
 * markers and window boundaries; and the query plans use an index for every
 * sort (no temporary sort of the whole table). The search narrows from the
 * previous keystroke's matches (store/search.c): sequences of keystrokes,
 * edits, filter changes and writes between them (through this handle and
 * through another connection) must always give the model's answer.
 */
#include "store/store.h"

#include "core/validate.h"
#include "tests/unit/test.h"
#include "tests/unit/test_store_util.h"

#define NHH 3000
/* Households the tests add to the model after the first NHH. */
#define NEXTRA 16

struct model_hh {
    char id[37];
    char head_name[64];
    char id_number[19];
    char phone[12];
    char address[64];
    char village[32];
    char risk[8];
    char categories[128];
    char next_due[11];
    char last_visit[11];
    bool deleted;
    bool unsynced;
    bool conflict;
    bool warning;
};

static struct model_hh model[NHH + NEXTRA];
static int nmodel = NHH;
static struct store *list_st;
static char list_dir[PATH_MAX];

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"};
static const char *const given[] = {"小明", "秀英", "建国", "桂兰", "伟", "芳", "军",
                                    "丽",   "强",   "磊",   "洋",   "艳", "勇", "杰"};
static const char *const villages[] = {"前村", "后村", "东坪", "西岭", "南湾", "北山",
                                       "石桥", "柳树", "河口", "上庄", "下庄", "新村"};

static unsigned rng_state = 20250301u;

static unsigned
rnd(unsigned n)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) % n;
}

static void
random_date(char *buf, size_t size)
{
    snprintf(buf, size, "%04u-%02u-%02u", 2024 + rnd(2), 1 + rnd(12), 1 + rnd(28));
}

static bool
insert_model(struct store *st)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *hh = NULL, *visit = NULL, *outbox = NULL, *conflict = NULL;
    int mid = 0, cid = 0, vid = 0;
    bool ok = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    ok = ok &&
         sqlite3_prepare_v2(db,
                            "INSERT INTO households(id, head_name, head_id_number, phone, address,"
                            " village, township, categories, risk, status, next_visit_due,"
                            " _deleted, _warning) VALUES (?1, ?2, ?3, ?4, ?5, ?6, '城关镇', ?7,"
                            " ?8, 'active', ?9, ?10, ?11)",
                            -1, &hh, NULL) == SQLITE_OK;
    ok =
        ok && sqlite3_prepare_v2(db,
                                 "INSERT INTO visits(id, household_id, worker, date, kind, outcome,"
                                 " review_state, _deleted) VALUES (?1, ?2, 'w1', ?3, 'routine',"
                                 " 'completed', 'submitted', ?4)",
                                 -1, &visit, NULL) == SQLITE_OK;
    ok = ok && sqlite3_prepare_v2(db,
                                  "INSERT INTO outbox(mid, mutation_id, hash, t, rid, op, hlc,"
                                  " created_at, state, hid) VALUES (?1, 'mu' || ?1, 'h', ?2, ?3,"
                                  " 'update', 'x', 'y', ?4, ?5)",
                                  -1, &outbox, NULL) == SQLITE_OK;
    ok = ok && sqlite3_prepare_v2(db,
                                  "INSERT INTO conflicts(conflict_id, t, rid, fields_json, state,"
                                  " updated_at, hid) VALUES ('c' || ?1, 'member', 'm', '{}', ?2,"
                                  " 'y', ?3)",
                                  -1, &conflict, NULL) == SQLITE_OK;

    for (int i = 0; ok && i < NHH; i++) {
        struct model_hh *m = &model[i];
        /* Ids are not in insertion order, so "then by id" is really tested. */
        snprintf(m->id, sizeof m->id, "%08x-0000-4000-8000-%012x", (unsigned)(i * 2654435761u),
                 (unsigned)i);
        snprintf(m->head_name, sizeof m->head_name, "%s%s", surnames[rnd(10)], given[rnd(14)]);
        snprintf(m->id_number, sizeof m->id_number, "1101051950%04u%03u%c", 1000 + rnd(9000),
                 rnd(1000), rnd(10) == 0 ? 'X' : (char)('0' + rnd(10)));
        if (rnd(4) != 0)
            snprintf(m->phone, sizeof m->phone, "13%09u", rnd(1000000000));
        snprintf(m->address, sizeof m->address, "%s%u号", villages[rnd(12)], 1 + rnd(300));
        if (i == 1234)
            snprintf(m->address, sizeof m->address, "50%%_off\\路");
        /* Longer than the search's chain of levels when typed, and with letters of both cases. */
        if (i == 1235)
            snprintf(m->address, sizeof m->address,
                     "Riverside Lane, Block Seven, Unit Twelve, Room 4B-%u", 1 + rnd(9));
        snprintf(m->village, sizeof m->village, "%s", villages[rnd(12)]);
        snprintf(m->risk, sizeof m->risk, "%s", schema_risk_choices[rnd(3)].token);
        m->categories[0] = '\0';
        for (int c = 0; schema_category_choices[c].token; c++) {
            if (rnd(3) != 0)
                continue;
            size_t len = strlen(m->categories);
            snprintf(m->categories + len, sizeof m->categories - len, "%s%s", len ? "," : "",
                     schema_category_choices[c].token);
        }
        if (rnd(5) != 0)
            random_date(m->next_due, sizeof m->next_due);
        else
            m->next_due[0] = '\0';
        m->deleted = rnd(50) == 0;
        m->warning = rnd(10) == 0;

        sqlite3_bind_text(hh, 1, m->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(hh, 2, m->head_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(hh, 3, m->id_number, -1, SQLITE_STATIC);
        sqlite3_bind_text(hh, 4, m->phone, -1, SQLITE_STATIC);
        sqlite3_bind_text(hh, 5, m->address, -1, SQLITE_STATIC);
        sqlite3_bind_text(hh, 6, m->village, -1, SQLITE_STATIC);
        sqlite3_bind_text(hh, 7, m->categories, -1, SQLITE_STATIC);
        sqlite3_bind_text(hh, 8, m->risk, -1, SQLITE_STATIC);
        sqlite3_bind_text(hh, 9, m->next_due, -1, SQLITE_STATIC);
        sqlite3_bind_int(hh, 10, m->deleted);
        sqlite3_bind_int(hh, 11, m->warning);
        ok = sqlite3_step(hh) == SQLITE_DONE;
        sqlite3_reset(hh);

        /* Visits: the newest non-deleted one is the last visit. */
        m->last_visit[0] = '\0';
        unsigned nv = rnd(4);
        for (unsigned v = 0; ok && v < nv; v++) {
            char id[40], date[11];
            bool del = rnd(6) == 0;
            snprintf(id, sizeof id, "v%07d", ++vid);
            random_date(date, sizeof date);
            if (!del && strcmp(date, m->last_visit) > 0)
                memcpy(m->last_visit, date, sizeof date);
            sqlite3_bind_text(visit, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(visit, 2, m->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(visit, 3, date, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(visit, 4, del);
            ok = sqlite3_step(visit) == SQLITE_DONE;
            sqlite3_reset(visit);
        }

        /* Outbox entries for the household itself or for a child; acked ones do not count. */
        struct {
            int every;
            const char *t, *state;
            bool counts;
        } ob[] = {{7, "household", "pending", true},
                  {11, "visit", "inflight", true},
                  {13, "member", "acked", false},
                  {23, "need", "rejected", false}};
        m->unsynced = false;
        for (size_t k = 0; ok && k < sizeof ob / sizeof ob[0]; k++) {
            if (i % ob[k].every != 0)
                continue;
            sqlite3_bind_int(outbox, 1, ++mid);
            sqlite3_bind_text(outbox, 2, ob[k].t, -1, SQLITE_STATIC);
            sqlite3_bind_text(outbox, 3, m->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(outbox, 4, ob[k].state, -1, SQLITE_STATIC);
            sqlite3_bind_text(outbox, 5, m->id, -1, SQLITE_STATIC);
            ok = sqlite3_step(outbox) == SQLITE_DONE;
            sqlite3_reset(outbox);
            m->unsynced = m->unsynced || ob[k].counts;
        }
        /* What the store's write path keeps beside each household. */
        ok = ok && store_refresh_last_visit(st, m->id, NULL) == DP_OK &&
             store_refresh_categories(st, m->id, m->categories, NULL) == DP_OK;
        m->conflict = false;
        if (ok && (i % 17 == 0 || i % 19 == 0)) {
            sqlite3_bind_int(conflict, 1, ++cid);
            sqlite3_bind_text(conflict, 2, i % 17 == 0 ? "open" : "resolved", -1, SQLITE_STATIC);
            sqlite3_bind_text(conflict, 3, m->id, -1, SQLITE_STATIC);
            ok = sqlite3_step(conflict) == SQLITE_DONE;
            sqlite3_reset(conflict);
            m->conflict = i % 17 == 0;
        }
    }
    sqlite3_finalize(hh);
    sqlite3_finalize(visit);
    sqlite3_finalize(outbox);
    sqlite3_finalize(conflict);
    /* The outbox rows above took mids the store's own writes must not reuse. */
    ok = ok && sqlite3_exec(db,
                            "UPDATE sync_meta SET value = (SELECT max(mid) + 1 FROM outbox)"
                            " WHERE key = 'next_mid'",
                            NULL, NULL, NULL) == SQLITE_OK;
    ok = ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok)
        fprintf(stderr, "    insert_model: %s\n", sqlite3_errmsg(db));
    return ok;
}

/* ---- the model's answer ---------------------------------------------------- */

static int
risk_rank(const char *risk)
{
    int i = schema_choice_index(schema_risk_choices, risk);
    return i < 0 ? 3 : i;
}

static const char *
due_key(const struct model_hh *m)
{
    return m->next_due[0] ? m->next_due : "9999-12-31";
}

static enum store_sort cmp_sort;

static int
cmp_model(const void *pa, const void *pb)
{
    const struct model_hh *a = *(const struct model_hh *const *)pa;
    const struct model_hh *b = *(const struct model_hh *const *)pb;
    int c = 0;
    switch (cmp_sort) {
    case STORE_SORT_NAME:
        c = strcmp(a->head_name, b->head_name);
        break;
    case STORE_SORT_VILLAGE:
        c = strcmp(a->village, b->village);
        if (!c)
            c = strcmp(a->head_name, b->head_name);
        break;
    case STORE_SORT_RISK:
        c = risk_rank(a->risk) - risk_rank(b->risk);
        if (!c)
            c = strcmp(due_key(a), due_key(b));
        break;
    case STORE_SORT_NEXT_DUE:
        c = strcmp(due_key(a), due_key(b));
        break;
    case STORE_SORT_LAST_VISIT:
        c = strcmp(a->last_visit, b->last_visit);
        break;
    }
    return c ? c : strcmp(a->id, b->id);
}

static bool
has_token(const char *set, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = set; (p = strstr(p, token)) != NULL; p += n)
        if ((p == set || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

static bool
model_matches(const struct model_hh *m, const struct household_filter *f)
{
    if (m->deleted)
        return false;
    if (f->search) {
        /* Blanks around the text are not searched for; an all-blank text is no search. */
        char q[512];
        const char *b = f->search;
        while (*b == ' ' || *b == '\t')
            b++;
        size_t ql = strlen(b);
        while (ql > 0 && (b[ql - 1] == ' ' || b[ql - 1] == '\t'))
            ql--;
        snprintf(q, sizeof q, "%.*s", (int)ql, b);
        size_t il = strlen(m->id_number);
        /* ASCII letters in either case (strcasestr folds only ASCII in the C locale). */
        bool hit = ql == 0 || strcasestr(m->head_name, q) || strcasestr(m->phone, q) ||
                   strcasestr(m->address, q) ||
                   (ql >= 4 && il >= ql && strcasecmp(m->id_number + il - ql, q) == 0);
        if (!hit)
            return false;
    }
    if (f->risk_mask && !(f->risk_mask & (1u << risk_rank(m->risk))))
        return false;
    if (f->village && strcmp(m->village, f->village) != 0)
        return false;
    if (f->category && !has_token(m->categories, f->category))
        return false;
    if (f->overdue_only && !(m->next_due[0] && strcmp(m->next_due, f->today) < 0))
        return false;
    if (f->unsynced_only && !m->unsynced)
        return false;
    return true;
}

/* The model's ordered list for a filter; returns the count, fills out[]. */
static int
model_list(const struct household_filter *f, const struct model_hh **out)
{
    int n = 0;
    for (int i = 0; i < nmodel; i++)
        if (model_matches(&model[i], f))
            out[n++] = &model[i];
    cmp_sort = f->sort;
    qsort(out, (size_t)n, sizeof out[0], cmp_model);
    if (f->descending)
        for (int i = 0; i < n / 2; i++) {
            const struct model_hh *t = out[i];
            out[i] = out[n - 1 - i];
            out[n - 1 - i] = t;
        }
    return n;
}

/* Walk the whole list in windows of `step` and compare every row with the model. */
static void
check_filter(const struct household_filter *f, int step, const char *what)
{
    static const struct model_hh *want[NHH + NEXTRA];
    static struct household_row rows[64];
    struct dp_error err;
    int nwant = model_list(f, want);

    long matched = -1, total = -1;
    CHECK_INT_EQ(store_household_count(list_st, f, &matched, &total, &err), DP_OK);
    if (matched != nwant)
        fprintf(stderr, "    %s: count differs\n", what);
    CHECK_INT_EQ(matched, nwant);

    int got = 0, bad = 0;
    for (long off = 0;; off += step) {
        int n = -1;
        REQUIRE(store_household_window(list_st, f, off, step, rows, &n, &err) == DP_OK);
        int expect = nwant - off < step ? (int)(nwant - off) : step;
        if (expect < 0)
            expect = 0;
        CHECK_INT_EQ(n, expect);
        for (int i = 0; i < n && got + i < nwant; i++) {
            const struct model_hh *m = want[got + i];
            const struct household_row *r = &rows[i];
            bool same =
                strcmp(r->id, m->id) == 0 && strcmp(r->head_name, m->head_name) == 0 &&
                strcmp(r->village, m->village) == 0 && strcmp(r->risk, m->risk) == 0 &&
                strcmp(r->categories, m->categories) == 0 &&
                strcmp(r->last_visit, m->last_visit) == 0 &&
                strcmp(r->next_due, m->next_due) == 0 && r->unsynced == m->unsynced &&
                r->conflict == m->conflict && r->warning == m->warning &&
                r->overdue == (f->today[0] && m->next_due[0] && strcmp(m->next_due, f->today) < 0);
            if (!same && bad++ < 3)
                fprintf(stderr, "    %s: row %ld differs from the model\n", what, off + i);
        }
        got += n;
        if (n < step)
            break;
    }
    CHECK_INT_EQ(got, nwant);
    CHECK_INT_EQ(bad, 0);
}

TEST(every_sort_both_ways_matches_the_model)
{
    static const char *const names[] = {"name", "village", "risk", "next_due", "last_visit"};
    for (int s = STORE_SORT_NAME; s <= STORE_SORT_LAST_VISIT; s++) {
        for (int d = 0; d < 2; d++) {
            struct household_filter f = {.sort = (enum store_sort)s, .descending = d != 0};
            snprintf(f.today, sizeof f.today, "2025-03-01");
            check_filter(&f, 64, names[s]);
        }
    }
}

TEST(filters_match_the_model)
{
    struct household_filter f = {.sort = STORE_SORT_RISK};
    snprintf(f.today, sizeof f.today, "2025-03-01");

    f.risk_mask = 1u << 0; /* red */
    check_filter(&f, 50, "red");
    f.risk_mask = (1u << 1) | (1u << 2);
    check_filter(&f, 50, "yellow+green");
    f.risk_mask = 0;

    f.village = "东坪";
    check_filter(&f, 50, "village");
    f.sort = STORE_SORT_NAME; /* the village index also serves name order within a village */
    check_filter(&f, 50, "village by name");
    f.village = "没有这个村";
    check_filter(&f, 50, "unknown village");
    f.village = NULL;

    f.category = "temp_assist";
    check_filter(&f, 50, "category");
    f.category = "dibao"; /* must not match dibao_edge alone */
    check_filter(&f, 50, "category prefix");
    f.category = NULL;

    f.overdue_only = true;
    check_filter(&f, 50, "overdue");
    f.overdue_only = false;

    f.unsynced_only = true;
    check_filter(&f, 50, "unsynced");
    f.unsynced_only = false;

    /* Everything at once. */
    f.risk_mask = 1u << 0;
    f.category = "dibao";
    f.overdue_only = true;
    f.sort = STORE_SORT_LAST_VISIT;
    f.descending = true;
    check_filter(&f, 7, "combined");
}

TEST(search_matches_the_model)
{
    struct household_filter f = {.sort = STORE_SORT_NAME};
    static const char *const queries[] = {
        "王",     /* a surname */
        "秀英",   /* a given name */
        "王小明", /* a full name */
        "138",    /* part of many phones */
        "号",     /* in every address */
        "柳树1",  /* an address fragment */
        "002X",   /* an ID-number tail */
        "002x",   /* the same, typed lower-case */
        "%",      /* a LIKE wildcard typed literally */
        "_off",   /* another, inside text */
        "\\",     /* the escape character itself */
        "不存在", /* nothing */
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        f.search = queries[i];
        check_filter(&f, 64, queries[i]);
    }

    /* Literal wildcards find exactly the one address that holds them. */
    long matched = 0;
    f.search = "%_";
    CHECK_INT_EQ(store_household_count(list_st, &f, &matched, NULL, NULL), DP_OK);
    CHECK_INT_EQ(matched, model[1234].deleted ? 0 : 1);

    /* A tail shorter than 4 characters is not an ID search. */
    const char *idn = model[5].id_number;
    char tail3[4];
    memcpy(tail3, idn + 15, 4);
    f.search = tail3;
    check_filter(&f, 64, "3-char tail");

    /* Surrounding spaces are ignored; an all-blank search is no search. */
    f.search = "  秀英 ";
    long spaced = 0, plain = 0, all = 0;
    CHECK_INT_EQ(store_household_count(list_st, &f, &spaced, NULL, NULL), DP_OK);
    f.search = "秀英";
    CHECK_INT_EQ(store_household_count(list_st, &f, &plain, NULL, NULL), DP_OK);
    CHECK_INT_EQ(spaced, plain);
    f.search = "   ";
    CHECK_INT_EQ(store_household_count(list_st, &f, &all, NULL, NULL), DP_OK);
    f.search = NULL;
    check_filter(&f, 64, "no search");
    long none = 0;
    CHECK_INT_EQ(store_household_count(list_st, &f, &none, NULL, NULL), DP_OK);
    CHECK_INT_EQ(all, none);

    /* Too long is refused, not truncated. */
    char longq[400];
    memset(longq, 'a', sizeof longq - 1);
    longq[sizeof longq - 1] = '\0';
    f.search = longq;
    struct dp_error err;
    CHECK_INT_EQ(store_household_count(list_st, &f, &matched, NULL, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "search");
}

TEST(window_boundaries)
{
    struct household_filter f = {.sort = STORE_SORT_NAME};
    struct household_row rows[8];
    struct dp_error err;
    long matched = 0, total = 0;
    int live = 0;
    for (int i = 0; i < NHH; i++)
        live += !model[i].deleted;

    CHECK_INT_EQ(store_household_count(list_st, &f, &matched, &total, &err), DP_OK);
    CHECK_INT_EQ(total, live);
    CHECK_INT_EQ(matched, live);
    CHECK_INT_EQ(store_household_count(list_st, NULL, &matched, &total, &err), DP_OK);
    CHECK_INT_EQ(matched, live);

    int n = -1;
    CHECK_INT_EQ(store_household_window(list_st, &f, live - 1, 8, rows, &n, &err), DP_OK);
    CHECK_INT_EQ(n, 1);
    CHECK_INT_EQ(store_household_window(list_st, &f, live, 8, rows, &n, &err), DP_OK);
    CHECK_INT_EQ(n, 0);
    CHECK_INT_EQ(store_household_window(list_st, &f, live + 100, 8, rows, &n, &err), DP_OK);
    CHECK_INT_EQ(n, 0);
    CHECK_INT_EQ(store_household_window(list_st, &f, 0, 0, rows, &n, &err), DP_OK);
    CHECK_INT_EQ(n, 0);
    CHECK_INT_EQ(store_household_window(list_st, &f, -1, 8, rows, &n, &err), DP_EINVAL);
    CHECK_INT_EQ(store_household_window(list_st, &f, 0, 8, NULL, &n, &err), DP_EINVAL);

    /* A NULL filter is the name order with no filter. */
    struct household_row a[8], b[8];
    int na = 0, nb = 0;
    CHECK_INT_EQ(store_household_window(list_st, NULL, 100, 8, a, &na, &err), DP_OK);
    CHECK_INT_EQ(store_household_window(list_st, &f, 100, 8, b, &nb, &err), DP_OK);
    CHECK_INT_EQ(na, 8);
    CHECK_INT_EQ(nb, 8);
    for (int i = 0; i < 8 && i < na && i < nb; i++)
        CHECK_STR_EQ(a[i].id, b[i].id);

    /* Overdue needs today's date, also with a search that matches nothing. */
    f.overdue_only = true;
    CHECK_INT_EQ(store_household_count(list_st, &f, &matched, NULL, &err), DP_EINVAL);
    f.search = "不存在的名字";
    CHECK_INT_EQ(store_household_count(list_st, &f, &matched, NULL, &err), DP_EINVAL);
    CHECK_INT_EQ(store_household_window(list_st, &f, 0, 8, rows, &n, &err), DP_EINVAL);
    f.search = NULL;
    /* A risk mask with no known risk bit matches nothing. */
    f.overdue_only = false;
    f.risk_mask = 1u << 7;
    CHECK_INT_EQ(store_household_count(list_st, &f, &matched, NULL, &err), DP_OK);
    CHECK_INT_EQ(matched, 0);
}

/* ---- query plans ------------------------------------------------------------ */

static char last_sql[4096];

static int
trace_stmt(unsigned type, void *ctx, void *p, void *x)
{
    (void)ctx;
    (void)x;
    if (type == SQLITE_TRACE_STMT) {
        const char *sql = sqlite3_sql((sqlite3_stmt *)p);
        if (sql && strstr(sql, "LIMIT"))
            snprintf(last_sql, sizeof last_sql, "%s", sql);
    }
    return 0;
}

/* The plan of the last window query: which index, and whether a temp sort was needed. */
static void
plan_of_window(const struct household_filter *f, char *plan, size_t size)
{
    struct household_row rows[4];
    int n;
    sqlite3 *db = store_db(list_st);
    last_sql[0] = '\0';
    plan[0] = '\0';
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, trace_stmt, NULL);
    store_household_window(list_st, f, 0, 4, rows, &n, NULL);
    sqlite3_trace_v2(db, 0, NULL, NULL);
    if (!last_sql[0])
        return;
    char eqp[4200];
    snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", last_sql);
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(db, eqp, -1, &stmt, NULL) != SQLITE_OK)
        return;
    size_t used = 0;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        int w = snprintf(plan + used, size - used, "%s\n", sqlite3_column_text(stmt, 3));
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
    sqlite3_finalize(stmt);
}

TEST(every_sort_walks_an_index)
{
    static const char *const want_index[] = {
        [STORE_SORT_NAME] = "households_by_name",
        [STORE_SORT_VILLAGE] = "households_by_village",
        [STORE_SORT_RISK] = "households_by_risk",
        [STORE_SORT_NEXT_DUE] = "households_by_due",
        [STORE_SORT_LAST_VISIT] = "households_by_last_visit",
    };
    char plan[2048];
    for (int s = STORE_SORT_NAME; s <= STORE_SORT_LAST_VISIT; s++) {
        for (int d = 0; d < 2; d++) {
            struct household_filter f = {.sort = (enum store_sort)s, .descending = d != 0};
            plan_of_window(&f, plan, sizeof plan);
            CHECK(strstr(plan, want_index[s]) != NULL);
            CHECK(strstr(plan, "TEMP B-TREE") == NULL);
            if (!strstr(plan, want_index[s]) || strstr(plan, "TEMP B-TREE"))
                fprintf(stderr, "    sort %d: plan:\n%s", s, plan);
            /* The markers are index lookups, not scans of the outbox. */
            CHECK(strstr(plan, "outbox_by_household") != NULL);
            CHECK(strstr(plan, "conflicts_by_household") != NULL);
        }
    }
    /* Filters with their own index use it. */
    struct household_filter f = {.sort = STORE_SORT_RISK, .risk_mask = 1u};
    plan_of_window(&f, plan, sizeof plan);
    CHECK(strstr(plan, "households_by_risk") != NULL);
    CHECK(strstr(plan, "TEMP B-TREE") == NULL);
    f.risk_mask = 5u; /* red and green */
    plan_of_window(&f, plan, sizeof plan);
    CHECK(strstr(plan, "households_by_risk") != NULL);
    CHECK(strstr(plan, "TEMP B-TREE") == NULL);
    f = (struct household_filter){.sort = STORE_SORT_NAME, .village = "前村"};
    plan_of_window(&f, plan, sizeof plan);
    CHECK(strstr(plan, "households_by_village") != NULL);
    CHECK(strstr(plan, "TEMP B-TREE") == NULL);
    f = (struct household_filter){.sort = STORE_SORT_NEXT_DUE, .overdue_only = true};
    snprintf(f.today, sizeof f.today, "2025-03-01");
    plan_of_window(&f, plan, sizeof plan);
    CHECK(strstr(plan, "households_by_due") != NULL);
    CHECK(strstr(plan, "TEMP B-TREE") == NULL);
    f = (struct household_filter){.sort = STORE_SORT_NAME, .category = "dibao"};
    plan_of_window(&f, plan, sizeof plan);
    CHECK(strstr(plan, "household_categories") != NULL);
}

TEST(markers_follow_the_outbox)
{
    /* Acknowledging an entry clears the marker without touching the household. */
    int i = 7; /* has a pending household entry and nothing else */
    REQUIRE(!model[i].deleted);
    struct household_filter f = {.sort = STORE_SORT_NAME, .unsynced_only = true};
    long before = 0, after = 0;
    CHECK_INT_EQ(store_household_count(list_st, &f, &before, NULL, NULL), DP_OK);
    char sql[256];
    const char *id = model[i].id;
    snprintf(sql, sizeof sql, "UPDATE outbox SET state = 'acked' WHERE hid = '%.36s'", id);
    REQUIRE(test_sql(list_st, sql) == SQLITE_OK);
    CHECK_INT_EQ(store_household_count(list_st, &f, &after, NULL, NULL), DP_OK);
    CHECK_INT_EQ(after, before - 1);
    model[i].unsynced = false;
    check_filter(&f, 64, "after ack");

    /* A visit added or deleted moves the last-visit date. */
    snprintf(sql, sizeof sql,
             "INSERT INTO visits(id, household_id, date, _deleted) VALUES ('vnew', '%.36s',"
             " '2026-01-01', 0)",
             id);
    REQUIRE(test_sql(list_st, sql) == SQLITE_OK);
    REQUIRE(store_refresh_last_visit(list_st, id, NULL) == DP_OK);
    char old[11];
    memcpy(old, model[i].last_visit, sizeof old);
    memcpy(model[i].last_visit, "2026-01-01", 11);
    f = (struct household_filter){.sort = STORE_SORT_LAST_VISIT};
    check_filter(&f, 64, "after new visit");
    REQUIRE(test_sql(list_st, "UPDATE visits SET _deleted = 1 WHERE id = 'vnew'") == SQLITE_OK);
    REQUIRE(store_refresh_last_visit(list_st, id, NULL) == DP_OK);
    char lv[16];
    snprintf(sql, sizeof sql, "SELECT _last_visit FROM households WHERE id = '%.36s'", id);
    test_sql_text(list_st, sql, lv, sizeof lv);
    CHECK_STR_EQ(lv, old);
    memcpy(model[i].last_visit, old, sizeof old); /* the model is used by later tests */
}

/* ---- narrowing: keystrokes, edits, filters and writes between them --------------- */

static long
scans_so_far(void)
{
    long scans = 0, narrows = 0;
    store_search_counts(list_st, &scans, &narrows);
    return scans;
}

static int
live_count(void)
{
    int n = 0;
    for (int i = 0; i < nmodel; i++)
        n += !model[i].deleted;
    return n;
}

/* A list call without a search, as when the search box is emptied. */
static void
clear_search(struct store *st)
{
    struct household_filter f = {.sort = STORE_SORT_NAME};
    long m = 0;
    CHECK_INT_EQ(store_household_count(st, &f, &m, NULL, NULL), DP_OK);
}

/* A write through this handle that changes no household: the next search scans again. */
static void
touch(void)
{
    struct dp_error err;
    CHECK_INT_EQ(store_draft_put(list_st, "list-test", "x", &err), DP_OK);
    CHECK_INT_EQ(store_draft_drop(list_st, "list-test", &err), DP_OK);
}

/* Count, total and three windows (top, somewhere, bottom) against the model. */
static void
check_some(struct store *st, const struct household_filter *f, const char *what)
{
    static const struct model_hh *want[NHH + NEXTRA];
    struct household_row rows[24];
    struct dp_error err;
    int nwant = model_list(f, want);
    long matched = -1, total = -1;
    CHECK_INT_EQ(store_household_count(st, f, &matched, &total, &err), DP_OK);
    CHECK_INT_EQ(total, live_count());
    if (matched != nwant)
        fprintf(stderr, "    \"%s\": %ld matched, the model %d\n", what, matched, nwant);
    CHECK_INT_EQ(matched, nwant);
    long offs[3] = {0, nwant > 24 ? (long)rnd((unsigned)nwant - 23) : 0,
                    nwant > 24 ? nwant - 24 : 0};
    for (int k = 0; k < 3; k++) {
        int n = -1;
        CHECK_INT_EQ(store_household_window(st, f, offs[k], 24, rows, &n, &err), DP_OK);
        int expect = nwant - offs[k] < 24 ? (int)(nwant - offs[k]) : 24;
        CHECK_INT_EQ(n, expect);
        for (int i = 0; i < n && i < expect; i++) {
            if (strcmp(rows[i].id, want[offs[k] + i]->id) != 0) {
                fprintf(
                    stderr,
                    "    \"%s\": row %ld differs from the model (sort %d%s, risk %u, village %s,"
                    " category %s, overdue %d, unsynced %d)\n",
                    what, offs[k] + i, f->sort, f->descending ? " desc" : "", f->risk_mask,
                    f->village ? f->village : "-", f->category ? f->category : "-", f->overdue_only,
                    f->unsynced_only);
                CHECK(strcmp(rows[i].id, want[offs[k] + i]->id) == 0);
                break;
            }
        }
    }
}

/* Type `text` after what the box holds, one UTF-8 character at a time, checking each keystroke. */
static void
type_text(struct household_filter *f, char *box, size_t boxsize, const char *text)
{
    size_t start = strlen(box), len = strlen(text);
    for (size_t i = 1; i <= len; i++) {
        if (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
            continue;
        snprintf(box + start, boxsize - start, "%.*s", (int)i, text);
        f->search = box;
        check_filter(f, 64, box);
    }
}

/* Byte offset of the character before `pos` in s. */
static size_t
char_before(const char *s, size_t pos)
{
    if (pos == 0)
        return 0;
    do
        pos--;
    while (pos > 0 && ((unsigned char)s[pos] & 0xC0) == 0x80);
    return pos;
}

static void
backspace(struct household_filter *f, char *box, int n)
{
    for (int k = 0; k < n && box[0]; k++) {
        box[char_before(box, strlen(box))] = '\0';
        f->search = box;
        check_filter(f, 64, box);
    }
}

/* Replace the box's text (an edit in the middle, a paste) and check. */
static void
set_text(struct household_filter *f, char *box, size_t boxsize, const char *text)
{
    snprintf(box, boxsize, "%s", text);
    f->search = box;
    check_filter(f, 64, box);
}

TEST(typing_narrows_and_matches_the_model)
{
    struct household_filter f = {.sort = STORE_SORT_NAME};
    char box[300] = "";
    snprintf(f.today, sizeof f.today, "2025-03-01");

    touch();
    long s0 = scans_so_far();
    type_text(&f, box, sizeof box, "王小明");
    CHECK_INT_EQ(scans_so_far() - s0, 1); /* the first keystroke only */
    backspace(&f, box, 2);                /* 王小, 王: kept levels */
    type_text(&f, box, sizeof box, "秀英");
    set_text(&f, box, sizeof box, "王英");   /* a character taken out of the middle */
    set_text(&f, box, sizeof box, "李王英"); /* one put in front */
    set_text(&f, box, sizeof box, "王英");
    set_text(&f, box, sizeof box, "秀"); /* holds none but the empty level 0 */
    clear_search(list_st);
    set_text(&f, box, sizeof box, "号"); /* a new search */
    CHECK_INT_EQ(scans_so_far() - s0, 1);

    /*
     * An ID-number tail, digit by digit: the candidates keep ID numbers by
     * substring, the matches only by a tail of 4+ characters. Then a fragment
     * of every ID number that is never a tail, and a tail in lower case.
     */
    const char *idn = NULL;
    for (int i = 0; i < NHH && !idn; i++)
        if (!model[i].deleted && model[i].id_number[17] == 'X')
            idn = model[i].id_number;
    REQUIRE(idn != NULL);
    box[0] = '\0';
    type_text(&f, box, sizeof box, idn + 11);
    backspace(&f, box, 7);
    type_text(&f, box, sizeof box, "1950");
    box[0] = '\0';
    char lower_tail[8];
    snprintf(lower_tail, sizeof lower_tail, "%s", idn + 12);
    lower_tail[5] = 'x';
    type_text(&f, box, sizeof box, lower_tail);

    /*
     * A tail whose first digit is in no other column of its household: that
     * household is a candidate for the one digit only by its ID number, and
     * must stay one until the tail is long enough to match.
     */
    const struct model_hh *lone = NULL;
    for (int i = 0; i < NHH && !lone; i++) {
        const struct model_hh *m = &model[i];
        char d[2] = {m->id_number[12], '\0'};
        if (!m->deleted && !m->phone[0] && !strstr(m->address, d))
            lone = m;
    }
    REQUIRE(lone != NULL);
    box[0] = '\0';
    touch();
    type_text(&f, box, sizeof box, lone->id_number + 12);
    box[0] = '\0';
    type_text(&f, box, sizeof box, lone->id_number + 12); /* again, narrowing from level 0 */

    /* Longer than the chain of levels (typed in upper case), then back to one character. */
    char upper[64];
    snprintf(upper, sizeof upper, "%s", model[1235].address);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    box[0] = '\0';
    touch();
    s0 = scans_so_far();
    type_text(&f, box, sizeof box, upper);
    backspace(&f, box, (int)strlen(upper) - 1);
    CHECK_INT_EQ(scans_so_far() - s0, 1);
    f.search = NULL;
    check_filter(&f, 64, "search cleared");
}

static const char *const alphabet[] = {"王", "李", "小", "明", "秀", "英", "前", "村",
                                       "号", "1",  "2",  "3",  "0",  "5",  "X",  "x",
                                       "%",  "_",  "\\", " ",  "a",  "R",  "e",  "路"};

TEST(random_edits_filters_and_sorts_match_the_model)
{
    struct household_filter f = {.sort = STORE_SORT_NAME};
    char box[128] = "", target[80] = "";
    size_t tpos = 0;
    int nalpha = (int)(sizeof alphabet / sizeof alphabet[0]);
    long s0 = scans_so_far(), n0 = 0, narrows = 0;
    store_search_counts(list_st, &s0, &n0);
    snprintf(f.today, sizeof f.today, "2025-03-01");
    for (int step = 0; step < 500; step++) {
        unsigned r = rnd(100);
        size_t len = strlen(box);
        const char *ins = alphabet[rnd((unsigned)nalpha)];
        if (r < 45 && target[tpos]) {
            /* The next character of a household's field: the matches stay non-empty. */
            size_t n = 1;
            while (target[tpos + n] && ((unsigned char)target[tpos + n] & 0xC0) == 0x80)
                n++;
            if (len + n < 100)
                snprintf(box + len, sizeof box - len, "%.*s", (int)n, target + tpos);
            tpos += n;
        } else if (r < 55) {
            if (len + strlen(ins) < 100)
                snprintf(box + len, sizeof box - len, "%s", ins);
        } else if (r < 70) {
            box[char_before(box, len)] = '\0';
        } else if (r < 78 && len > 0) {
            /* Take a character out of the middle. */
            size_t at = char_before(box, rnd((unsigned)len) + 1), end = at + 1;
            while (box[end] && ((unsigned char)box[end] & 0xC0) == 0x80)
                end++;
            memmove(box + at, box + end, len - end + 1);
        } else if (r < 84 && len + strlen(ins) < 100) {
            /* Put one in, anywhere. */
            size_t at = char_before(box, rnd((unsigned)len + 1) + 1), il = strlen(ins);
            if (at > len)
                at = len;
            memmove(box + at + il, box + at, len - at + 1);
            memcpy(box + at, ins, il);
        } else if (r < 92) {
            /* Start over with a field of another household, from anywhere in it. */
            const struct model_hh *m = &model[rnd(NHH)];
            const char *fields[4] = {m->head_name, m->phone, m->address, m->id_number};
            snprintf(target, sizeof target, "%s", fields[rnd(4)]);
            tpos = char_before(target, rnd((unsigned)strlen(target) + 1) + 1);
            if (tpos > strlen(target))
                tpos = strlen(target);
            box[0] = '\0';
        } else {
            /* Change a filter or the sort between keystrokes. */
            switch (rnd(8)) {
            case 0:
                f.risk_mask = rnd(8);
                break;
            case 1:
                f.village = f.village ? NULL : villages[rnd(12)];
                break;
            case 2:
                f.category = f.category ? NULL : schema_category_choices[rnd(6)].token;
                break;
            case 3:
                f.overdue_only = !f.overdue_only;
                break;
            case 4:
                f.unsynced_only = !f.unsynced_only;
                break;
            case 5:
                f.sort = (enum store_sort)rnd(5);
                break;
            case 6:
                f.descending = !f.descending;
                break;
            default:
                f.risk_mask = 0;
                f.village = f.category = NULL;
                f.overdue_only = f.unsynced_only = false;
                break;
            }
        }
        f.search = box;
        check_some(list_st, &f, box);
    }
    long s1 = 0, n1 = 0;
    store_search_counts(list_st, &s1, &n1);
    narrows = n1 - n0;
    /* Most keystrokes were answered from memory. */
    CHECK(narrows > 2 * (s1 - s0));
}

/* A valid household record, as the screens would save it. */
static void
make_household(struct record *r, const char *id, const char *name)
{
    record_init(r, &schema_household);
    record_set(r, "id", id);
    record_set(r, "head_name", name);
    record_set(r, "address", "东街1号");
    record_set(r, "village", "前村");
    record_set(r, "township", "城关镇");
    record_set(r, "categories", "dibao");
    record_set(r, "risk", "green");
    record_set(r, "status", "active");
}

/* Add a household saved by the test to the model (after store_record_save). */
static struct model_hh *
model_add(const char *id, const char *name, const char *address, const char *village,
          const char *risk, bool unsynced)
{
    if (nmodel >= NHH + NEXTRA)
        abort();
    struct model_hh *m = &model[nmodel++];
    memset(m, 0, sizeof *m);
    snprintf(m->id, sizeof m->id, "%s", id);
    snprintf(m->head_name, sizeof m->head_name, "%s", name);
    snprintf(m->address, sizeof m->address, "%s", address);
    snprintf(m->village, sizeof m->village, "%s", village);
    snprintf(m->risk, sizeof m->risk, "%s", risk);
    snprintf(m->categories, sizeof m->categories, "%s", unsynced ? "dibao" : "");
    m->unsynced = unsynced;
    return m;
}

static struct model_hh *
model_find(const char *id)
{
    for (int i = 0; i < nmodel; i++)
        if (strcmp(model[i].id, id) == 0)
            return &model[i];
    return NULL;
}

/* Save through `st` and mirror the change in the model. */
static bool
save_named(struct store *st, struct record *r, const char *name)
{
    struct dp_error err;
    record_set(r, "head_name", name);
    enum dp_status s = store_record_save(st, r, &err);
    if (s != DP_OK) {
        fprintf(stderr, "    save: %s: %s %s\n", dp_status_name(s), err.field, err.msg);
        return false;
    }
    struct model_hh *m = model_find(record_get(r, "id"));
    if (m)
        snprintf(m->head_name, sizeof m->head_name, "%s", name);
    else
        model_add(record_get(r, "id"), name, "东街1号", "前村", "green", true);
    return true;
}

TEST(writes_through_this_handle_between_keystrokes)
{
    struct household_filter f = {.sort = STORE_SORT_NAME};
    struct record a, b;
    struct dp_error err;
    char ida[37], idb[37];
    snprintf(f.today, sizeof f.today, "2025-03-01");
    record_new_id(ida, sizeof ida);
    record_new_id(idb, sizeof idb);
    make_household(&a, ida, "王小虎");
    make_household(&b, idb, "赵四");

    f.search = "王";
    check_some(list_st, &f, "王");
    f.search = "王小";
    check_some(list_st, &f, "王小");
    long s0 = scans_so_far();
    /* A new household that matches the text on screen. */
    REQUIRE(save_named(list_st, &a, "王小虎"));
    check_filter(&f, 64, "a matching household created");
    CHECK_INT_EQ(scans_so_far() - s0, 1); /* the write dropped the cache */
    /* One that does not match, then renamed so that it does; the first renamed away. */
    REQUIRE(save_named(list_st, &b, "赵四"));
    check_filter(&f, 64, "a household that does not match created");
    REQUIRE(save_named(list_st, &b, "王小龙"));
    check_filter(&f, 64, "renamed to match");
    f.search = "王小龙";
    check_filter(&f, 64, "narrowed after the rename");
    f.search = "王小";
    REQUIRE(save_named(list_st, &a, "钱多"));
    check_filter(&f, 64, "renamed away");

    /* A tombstone leaves the matches and the total. */
    CHECK_INT_EQ(store_record_delete(list_st, &schema_household, idb, &err), DP_OK);
    model_find(idb)->deleted = true;
    check_some(list_st, &f, "deleted");
    /* A write to no household: the answer holds. */
    CHECK_INT_EQ(store_draft_put(list_st, "visit:x", "{}", &err), DP_OK);
    check_some(list_st, &f, "after a draft");
    /* A marker written through this handle shows at once. */
    struct model_hh *m = NULL;
    for (int i = 0; i < NHH && !m; i++)
        if (!model[i].deleted && !model[i].warning && strstr(model[i].head_name, "王小"))
            m = &model[i];
    REQUIRE(m != NULL);
    CHECK_INT_EQ(store_household_set_warning(list_st, m->id, true, &err), DP_OK);
    m->warning = true;
    check_filter(&f, 64, "warning set");
    record_done(&a);
    record_done(&b);
}

TEST(writes_through_another_connection_between_keystrokes)
{
    struct household_filter f = {.sort = STORE_SORT_NAME};
    struct store *other = NULL;
    struct record c;
    struct dp_error err;
    char idc[37], sql[256];
    snprintf(f.today, sizeof f.today, "2025-03-01");
    /* Another connection to the same cache, as the sync worker has. */
    REQUIRE(store_open(list_dir, TEST_PASS, &other, &err) == DP_OK);

    f.search = "王";
    check_some(list_st, &f, "王");
    f.search = "王小";
    check_some(list_st, &f, "王小");
    record_new_id(idc, sizeof idc);
    make_household(&c, idc, "王小凤");
    CHECK(save_named(other, &c, "王小凤"));
    check_filter(&f, 64, "created by the other connection");

    /* A plain UPDATE and a tombstone by the other connection, as a pull applies them. */
    struct model_hh *m = NULL;
    for (int i = 0; i < NHH && !m; i++)
        if (!model[i].deleted && strstr(model[i].head_name, "王小"))
            m = &model[i];
    REQUIRE(m != NULL);
    snprintf(sql, sizeof sql, "UPDATE households SET head_name = '孙大' WHERE id = '%.36s'", m->id);
    REQUIRE(test_sql(other, sql) == SQLITE_OK);
    snprintf(m->head_name, sizeof m->head_name, "孙大");
    check_filter(&f, 64, "renamed by the other connection");
    snprintf(sql, sizeof sql, "UPDATE households SET _deleted = 1 WHERE id = '%.36s'", idc);
    REQUIRE(test_sql(other, sql) == SQLITE_OK);
    model_find(idc)->deleted = true;
    check_some(list_st, &f, "deleted by the other connection");

    /* And the other way round: the other connection's cache sees this one's writes. */
    check_some(other, &f, "the other's own search");
    snprintf(sql, sizeof sql, "UPDATE households SET head_name = '王小明' WHERE id = '%.36s'",
             m->id);
    REQUIRE(test_sql(list_st, sql) == SQLITE_OK);
    snprintf(m->head_name, sizeof m->head_name, "王小明");
    check_some(other, &f, "renamed back, seen by the other");
    check_some(list_st, &f, "renamed back");
    store_close(other);
    record_done(&c);
}

TEST(search_in_a_transaction_and_read_only)
{
    struct household_filter f = {.sort = STORE_SORT_NAME, .search = "王小"};
    struct dp_error err;
    char sql[256];
    snprintf(f.today, sizeof f.today, "2025-03-01");
    check_some(list_st, &f, "王小");

    /* Inside the caller's transaction the list sees its writes, and none after a rollback. */
    struct model_hh *m = NULL;
    for (int i = 0; i < NHH && !m; i++)
        if (!model[i].deleted && strstr(model[i].head_name, "王小"))
            m = &model[i];
    REQUIRE(m != NULL);
    char old[64];
    snprintf(old, sizeof old, "%s", m->head_name);
    REQUIRE(test_sql(list_st, "BEGIN") == SQLITE_OK);
    snprintf(sql, sizeof sql, "UPDATE households SET head_name = '钱多多' WHERE id = '%.36s'",
             m->id);
    REQUIRE(test_sql(list_st, sql) == SQLITE_OK);
    snprintf(m->head_name, sizeof m->head_name, "钱多多");
    check_some(list_st, &f, "inside the transaction");
    REQUIRE(test_sql(list_st, "ROLLBACK") == SQLITE_OK);
    snprintf(m->head_name, sizeof m->head_name, "%s", old);
    check_some(list_st, &f, "after the rollback");

    /* A read-only handle (query_only) searches and narrows the same. */
    struct store *ro = NULL;
    struct store_options opt = {.read_only = true};
    REQUIRE(store_open_with(list_dir, TEST_PASS, &opt, &ro, &err) == DP_OK);
    static const char *const texts[] = {"1", "13", "138", "王", "王小", "号", "1号"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        f.search = texts[i];
        check_some(ro, &f, texts[i]);
    }
    store_close(ro);
}

TEST(large_rowids_and_oversized_columns)
{
    struct household_filter f = {.sort = STORE_SORT_NAME};
    sqlite3 *db = store_db(list_st);
    sqlite3_stmt *stmt = NULL;
    snprintf(f.today, sizeof f.today, "2025-03-01");
    static const char big_id[] = "ffffffff-0000-4000-8000-00000000b16e";
    static const char huge_id[] = "ffffffff-0000-4000-8000-0000000f0f0f";

    /* A rowid far past the others: the matches are kept sorted instead of in a bitmap. */
    REQUIRE(sqlite3_prepare_v2(db,
                               "INSERT INTO households(rowid, id, head_name, address, village,"
                               " risk, status) VALUES (?1, ?2, ?3, ?4, '西岭', 'red', 'active')",
                               -1, &stmt, NULL) == SQLITE_OK);
    sqlite3_bind_int64(stmt, 1, INT64_C(1) << 40);
    sqlite3_bind_text(stmt, 2, big_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, "王小明", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, "西岭1号", -1, SQLITE_STATIC);
    CHECK_INT_EQ(sqlite3_step(stmt), SQLITE_DONE);
    model_add(big_id, "王小明", "西岭1号", "西岭", "red", false);
    clear_search(list_st);
    static const char *const texts[] = {"王", "王小", "王小明", "1号", "号"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        f.search = texts[i];
        check_filter(&f, 64, texts[i]);
    }

    /*
     * An address of 9 MB (never valid, but a cache may hold anything):
     * the candidates would outgrow their memory, so the scan keeps only
     * the matches and the next keystroke scans again. Typed texts hold at
     * most one 路, so the model's "路" answers as the real address does.
     */
    size_t hlen = 3 * 3000000;
    char *huge = malloc(hlen + 1);
    REQUIRE(huge != NULL);
    for (size_t i = 0; i < hlen; i += 3)
        memcpy(huge + i, "路", 3);
    huge[hlen] = '\0';
    sqlite3_reset(stmt);
    sqlite3_bind_int64(stmt, 1, 900000);
    sqlite3_bind_text(stmt, 2, huge_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, "李路", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, huge, (int)hlen, SQLITE_STATIC);
    CHECK_INT_EQ(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
    free(huge);
    model_add(huge_id, "李路", "路", "西岭", "red", false);
    clear_search(list_st);
    long s0 = scans_so_far();
    static const char *const more[] = {"路", "\\路", "李路", "李", "路", "王"};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        f.search = more[i];
        check_filter(&f, 64, more[i]);
    }
    /*
     * Every household's columns, and those holding 路, 李路 or 李, outgrow
     * the candidates' memory: each of those texts scans. \\路 and 王 keep theirs.
     */
    CHECK_INT_EQ(scans_so_far() - s0, (long)(sizeof more / sizeof more[0]));

    CHECK_INT_EQ(test_sql(list_st, "DELETE FROM households WHERE id IN"
                                   " ('ffffffff-0000-4000-8000-00000000b16e',"
                                   " 'ffffffff-0000-4000-8000-0000000f0f0f')"),
                 SQLITE_OK);
    model_find(big_id)->deleted = true;
    model_find(huge_id)->deleted = true;
    f.search = "王小";
    check_filter(&f, 64, "gone again");
}

int
main(void)
{
    test_root_make();
    struct dp_error err;
    test_fresh_dir(list_dir, sizeof list_dir, "list");
    if (store_open(list_dir, TEST_PASS, &list_st, &err) != DP_OK) {
        fprintf(stderr, "open: %s\n", err.msg);
        return 1;
    }
    if (!insert_model(list_st))
        return 1;
    RUN(every_sort_both_ways_matches_the_model);
    RUN(filters_match_the_model);
    RUN(search_matches_the_model);
    RUN(window_boundaries);
    RUN(every_sort_walks_an_index);
    RUN(markers_follow_the_outbox);
    RUN(typing_narrows_and_matches_the_model);
    RUN(random_edits_filters_and_sorts_match_the_model);
    RUN(writes_through_this_handle_between_keystrokes);
    RUN(writes_through_another_connection_between_keystrokes);
    RUN(search_in_a_transaction_and_read_only);
    RUN(large_rowids_and_oversized_columns);
    store_close(list_st);
    test_root_remove();
    return test_report();
}
