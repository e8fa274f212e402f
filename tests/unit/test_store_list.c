/*
 * store/ household list: a few thousand generated households, checked
 * against an in-memory model of the same rows for order, filters, counts,
 * markers and window boundaries; and the query plans use an index for every
 * sort (no temporary sort of the whole table).
 */
#include "store/store.h"

#include "tests/unit/test.h"
#include "tests/unit/test_store_util.h"

#define NHH 3000

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

static struct model_hh model[NHH];
static struct store *list_st;

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
    if (f->search && *f->search) {
        const char *q = f->search;
        size_t ql = strlen(q), il = strlen(m->id_number);
        bool hit = strstr(m->head_name, q) || strcasestr(m->phone, q) || strstr(m->address, q) ||
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
    for (int i = 0; i < NHH; i++)
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
    static const struct model_hh *want[NHH];
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

    /* Overdue needs today's date. */
    f.overdue_only = true;
    CHECK_INT_EQ(store_household_count(list_st, &f, &matched, NULL, &err), DP_EINVAL);
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
}

int
main(void)
{
    test_root_make();
    char dir[PATH_MAX];
    struct dp_error err;
    test_fresh_dir(dir, sizeof dir, "list");
    if (store_open(dir, TEST_PASS, &list_st, &err) != DP_OK) {
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
    store_close(list_st);
    test_root_remove();
    return test_report();
}
