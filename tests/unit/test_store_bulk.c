/*
 * store/bulk.h: loading server rows in bulk. The derived list data
 * (_last_visit, household_categories) must come out exactly as the
 * per-record save path leaves it, so the household list answers every
 * filter and sort the same on a bulk-loaded cache as on one filled edit by
 * edit; base rows, versions and the outbox are what a pull leaves; failures
 * roll back whole batches and stop the loader.
 */
#include "store/bulk.h"

#include "core/gen.h"
#include "tests/unit/test.h"
#include "tests/unit/test_store_util.h"

#define NHOUSEHOLDS 30

/* The generated world, kept in memory: households first, then their children. */
static struct record *recs;
static size_t nrecs, caprecs;

static enum dp_status
keep_cb(void *ctx, const struct record *r)
{
    (void)ctx;
    if (nrecs == caprecs) {
        size_t ncap = caprecs ? caprecs * 2 : 256;
        struct record *bigger = realloc(recs, ncap * sizeof *recs);
        if (!bigger)
            return DP_ENOMEM;
        recs = bigger;
        caprecs = ncap;
    }
    if (record_copy(&recs[nrecs], r) != DP_OK)
        return DP_ENOMEM;
    recs[nrecs].v = 1;
    nrecs++;
    return DP_OK;
}

static void
world_make(void)
{
    struct gen_options o;
    struct dp_error err;
    gen_options_init(&o);
    o.households = NHOUSEHOLDS;
    o.workers = 2;
    o.seed = 7;
    o.history_months = 16;
    if (gen_run(&o, keep_cb, NULL, NULL, &err) != DP_OK) {
        fprintf(stderr, "gen: %s\n", err.msg);
        exit(2);
    }
}

static void
world_free(void)
{
    store_record_list_free(recs, nrecs);
}

static struct store *
fresh_store(const char *tag)
{
    char dir[PATH_MAX];
    struct store *st = NULL;
    struct dp_error err;
    test_fresh_dir(dir, sizeof dir, tag);
    if (store_open(dir, TEST_PASS, &st, &err) != DP_OK)
        fprintf(stderr, "    open: %s\n", err.msg);
    return st;
}

/* Bulk-load records[order[i]] (or all in order when order is NULL); true on success. */
static bool
bulk_load(struct store *st, const struct store_bulk_options *opt, const size_t *order)
{
    struct store_bulk *b = NULL;
    struct dp_error err;
    bool ok = store_bulk_new(st, opt, &b, &err) == DP_OK;
    for (size_t i = 0; ok && i < nrecs; i++)
        ok = store_bulk_put(b, &recs[order ? order[i] : i], &err) == DP_OK;
    if (ok)
        ok = store_bulk_finish(b, &err) == DP_OK;
    if (!ok)
        fprintf(stderr, "    bulk: %s\n", err.msg);
    store_bulk_free(b);
    return ok;
}

static long long
count_rows(struct store *st, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return test_sql_int(st, sql);
}

/* Rows whose derived list data disagrees with the records (0 when all is in step). */
static long long
derived_mismatches(struct store *st)
{
    long long bad = test_sql_int(
        st, "SELECT count(*) FROM households h WHERE h._last_visit <> COALESCE((SELECT"
            " max(v.date) FROM visits v WHERE v.household_id = h.id AND v._deleted = 0), '')");
    /* Every category row names a token of its household, and every token has its row. */
    bad += test_sql_int(st, "SELECT count(*) FROM household_categories c JOIN households h"
                            " ON h.id = c.household_id WHERE instr(',' || h.categories || ',',"
                            " ',' || c.category || ',') = 0");
    bad += test_sql_int(st, "SELECT count(*) FROM household_categories c WHERE NOT EXISTS"
                            " (SELECT 1 FROM households h WHERE h.id = c.household_id)");
    long long tokens = test_sql_int(
        st, "SELECT coalesce(sum(length(categories) - length(replace(categories, ',', '')) + 1),"
            " 0) FROM households WHERE categories <> ''");
    long long rows = count_rows(st, "household_categories");
    return bad + (tokens > rows ? tokens - rows : rows - tokens);
}

static bool
same_record(const struct record *a, const struct record *b, bool skip_server)
{
    if (a->def != b->def)
        return false;
    for (size_t i = 0; i < a->def->nfields; i++) {
        if (skip_server && (a->def->fields[i].flags & FF_SERVER))
            continue;
        if (strcmp(a->values[i], b->values[i]) != 0) {
            fprintf(stderr, "    %s.%s differs for %s\n", a->def->name, a->def->fields[i].name,
                    a->values[0]);
            return false;
        }
    }
    return true;
}

TEST(bulk_load_matches_generated_records)
{
    struct store *st = fresh_store("load");
    struct dp_error err;
    REQUIRE(st);
    REQUIRE(bulk_load(st, NULL, NULL));
    CHECK_INT_EQ(count_rows(st, "outbox"), 0);
    CHECK_INT_EQ(count_rows(st, "base_rows"), (long long)nrecs);
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM households WHERE _v <> 1 OR _dirty <> 0"
                                  " OR _deleted <> 0"),
                 0);
    CHECK_INT_EQ(count_rows(st, "households") + count_rows(st, "members") +
                     count_rows(st, "visits") + count_rows(st, "needs"),
                 (long long)nrecs);
    CHECK_INT_EQ(derived_mismatches(st), 0);
    CHECK(test_sql_int(st, "SELECT count(*) FROM households WHERE _last_visit <> ''") > 0);
    CHECK(count_rows(st, "household_categories") > 0);

    /* Every record reads back whole, server-kept fields included, at version 1. */
    for (size_t i = 0; i < nrecs; i++) {
        struct record got;
        if (store_record_get(st, recs[i].def, recs[i].values[0], &got, &err) != DP_OK) {
            CHECK(!"record missing");
            continue;
        }
        CHECK(same_record(&got, &recs[i], false));
        CHECK_INT_EQ(got.v, 1);
        record_done(&got);
    }

    /* The base row is the record's compact JSON. */
    cJSON *obj = record_to_json(&recs[0], false);
    char *want = cJSON_PrintUnformatted(obj);
    char sql[160], got[4096];
    snprintf(sql, sizeof sql, "SELECT row_json FROM base_rows WHERE t = 'household' AND rid = '%s'",
             recs[0].values[0]);
    test_sql_text(st, sql, got, sizeof got);
    CHECK_STR_EQ(got, want);
    cJSON_free(want);
    cJSON_Delete(obj);

    long pending = -1, conflicts = -1;
    CHECK_INT_EQ(store_pending_count(st, &pending, &conflicts, &err), DP_OK);
    CHECK_INT_EQ(pending, 0);
    store_close(st);
}

/* Compare the household list of two caches under one filter; unsynced markers are expected. */
static void
compare_lists(struct store *a, struct store *b, const struct household_filter *f, bool b_unsynced,
              const char *what)
{
    static struct household_row ra[64], rb[64];
    struct dp_error err;
    long ma = -1, mb = -2, ta = -1, tb = -2;
    int na = -1, nb = -2;
    CHECK_INT_EQ(store_household_count(a, f, &ma, &ta, &err), DP_OK);
    CHECK_INT_EQ(store_household_count(b, f, &mb, &tb, &err), DP_OK);
    CHECK_INT_EQ(store_household_window(a, f, 0, 64, ra, &na, &err), DP_OK);
    CHECK_INT_EQ(store_household_window(b, f, 0, 64, rb, &nb, &err), DP_OK);
    if (ma != mb || ta != tb || na != nb || na != ma) {
        TEST_FAIL_("%s: matched %ld/%ld, total %ld/%ld, rows %d/%d", what, ma, mb, ta, tb, na, nb);
        return;
    }
    for (int i = 0; i < na; i++) {
        const struct household_row *x = &ra[i], *y = &rb[i];
        if (strcmp(x->id, y->id) || strcmp(x->head_name, y->head_name) ||
            strcmp(x->village, y->village) || strcmp(x->risk, y->risk) ||
            strcmp(x->categories, y->categories) || strcmp(x->last_visit, y->last_visit) ||
            strcmp(x->next_due, y->next_due) || x->overdue != y->overdue || x->unsynced ||
            y->unsynced != b_unsynced || x->conflict || y->conflict) {
            TEST_FAIL_("%s: row %d differs (%s / %s)", what, i, x->id, y->id);
            return;
        }
    }
}

TEST(bulk_lists_agree_with_per_record_saves)
{
    struct store *a = fresh_store("bulk"), *b = fresh_store("saves");
    struct dp_error err;
    REQUIRE(a && b);
    REQUIRE(bulk_load(a, NULL, NULL));
    /* The same world saved edit by edit; clients may not send server-kept fields. */
    for (size_t i = 0; i < nrecs; i++) {
        struct record r;
        REQUIRE(record_copy(&r, &recs[i]) == DP_OK);
        for (size_t k = 0; k < r.def->nfields; k++)
            if (r.def->fields[k].flags & FF_SERVER)
                record_set_index(&r, (int)k, "");
        enum dp_status s = store_record_save(b, &r, &err);
        if (s != DP_OK)
            fprintf(stderr, "    save %s %s: %s %s\n", r.def->name, r.values[0], err.field,
                    err.msg);
        record_done(&r);
        REQUIRE(s == DP_OK);
    }
    CHECK_INT_EQ(derived_mismatches(b), 0);

    for (int sort = STORE_SORT_NAME; sort <= STORE_SORT_LAST_VISIT; sort++)
        for (int desc = 0; desc < 2; desc++) {
            struct household_filter f = {.sort = (enum store_sort)sort, .descending = desc};
            snprintf(f.today, sizeof f.today, "2026-06-30");
            compare_lists(a, b, &f, true, "sort");
        }

    /* Filters built from the data, so each matches something. */
    const struct record *h = &recs[0];
    char name1[8] = "", tail[8] = "", phone[8] = "";
    snprintf(name1, sizeof name1, "%.3s", record_get(h, "head_name"));
    const char *idn = record_get(h, "head_id_number");
    snprintf(tail, sizeof tail, "%s", idn + strlen(idn) - 4);
    snprintf(phone, sizeof phone, "%.5s", record_get(h, "phone") + 3);
    const char *searches[] = {name1, tail, phone, "组", "zz-nothing"};
    for (size_t i = 0; i < sizeof searches / sizeof searches[0]; i++) {
        struct household_filter f = {.search = searches[i], .sort = STORE_SORT_RISK};
        compare_lists(a, b, &f, true, "search");
    }
    for (size_t i = 0; schema_category_choices[i].token; i++) {
        struct household_filter f = {.category = schema_category_choices[i].token};
        compare_lists(a, b, &f, true, "category");
    }
    for (unsigned mask = 1; mask < 8; mask++) {
        struct household_filter f = {.risk_mask = mask, .sort = STORE_SORT_NEXT_DUE};
        compare_lists(a, b, &f, true, "risk");
    }
    struct household_filter over = {.overdue_only = true, .sort = STORE_SORT_LAST_VISIT};
    snprintf(over.today, sizeof over.today, "2026-06-30");
    compare_lists(a, b, &over, true, "overdue");
    struct household_filter village = {.village = record_get(h, "village")};
    compare_lists(a, b, &village, true, "village");

    /* The category filter really filters (not vacuously equal). */
    long all = 0, some = 0;
    struct household_filter cat = {.category = "dibao"};
    CHECK_INT_EQ(store_household_count(a, &cat, &some, &all, &err), DP_OK);
    CHECK(some > 0 && some < all);
    store_close(a);
    store_close(b);
}

struct put_ctx {
    struct store_bulk *b;
    bool households; /* put households (true) or their children (false) */
};

static enum dp_status
put_some_cb(void *ctx, const struct record *r)
{
    struct put_ctx *c = ctx;
    struct dp_error err;
    if ((r->def == &schema_household) != c->households)
        return DP_OK;
    struct record copy = *r;
    copy.v = 1;
    return store_bulk_put(c->b, &copy, &err);
}

TEST(bulk_children_before_households)
{
    struct store *st = fresh_store("order");
    struct gen_options o;
    struct dp_error err;
    struct put_ctx c = {0};
    REQUIRE(st);
    /*
     * Every child first, their households last, in one transaction: more
     * households than the loader remembers at once, so newest-visit dates are
     * computed before the household rows exist and must be redone when they come.
     */
    gen_options_init(&o);
    o.households = 400;
    o.workers = 4;
    o.history_months = 16;
    REQUIRE(store_bulk_new(st, NULL, &c.b, &err) == DP_OK);
    c.households = false;
    CHECK_INT_EQ(gen_run(&o, put_some_cb, &c, NULL, &err), DP_OK);
    c.households = true;
    CHECK_INT_EQ(gen_run(&o, put_some_cb, &c, NULL, &err), DP_OK);
    CHECK_INT_EQ(store_bulk_finish(c.b, &err), DP_OK);
    store_bulk_free(c.b);
    CHECK_INT_EQ(count_rows(st, "households"), 400);
    CHECK_INT_EQ(derived_mismatches(st), 0);
    CHECK(test_sql_int(st, "SELECT count(*) FROM households WHERE _last_visit <> ''") > 300);
    store_close(st);
}

/* Index of the first household with at least two visits; its visits' indexes in *v1, *v2. */
static size_t
household_with_visits(size_t *v1, size_t *v2)
{
    for (size_t i = 0; i < nrecs; i++) {
        if (recs[i].def != &schema_household)
            continue;
        size_t found = 0;
        for (size_t k = i + 1; k < nrecs && recs[k].def != &schema_household; k++)
            if (recs[k].def == &schema_visit) {
                if (found++ == 0)
                    *v1 = k;
                else
                    *v2 = k;
            }
        if (found >= 2)
            return i;
    }
    return (size_t)-1;
}

static void
last_visit_of(struct store *st, const char *hid, char *buf, size_t size)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT _last_visit FROM households WHERE id = '%s'", hid);
    test_sql_text(st, sql, buf, size);
}

TEST(bulk_replaces_rows_and_keeps_derived_data)
{
    struct store *st = fresh_store("replace");
    struct store_bulk *b = NULL;
    struct dp_error err;
    size_t v1 = 0, v2 = 0;
    char got[64], sql[200];
    REQUIRE(st);
    REQUIRE(bulk_load(st, NULL, NULL));
    size_t hi = household_with_visits(&v1, &v2);
    REQUIRE(hi != (size_t)-1);
    const char *hid = recs[hi].values[0];

    struct record h, va, vb;
    REQUIRE(record_copy(&h, &recs[hi]) == DP_OK);
    REQUIRE(record_copy(&va, &recs[v1]) == DP_OK);
    REQUIRE(record_copy(&vb, &recs[v2]) == DP_OK);
    REQUIRE(store_bulk_new(st, NULL, &b, &err) == DP_OK);

    /* Both visits move to the distant past: the newest date is then the later of the two. */
    record_set(&va, "date", "2001-03-04");
    record_set(&va, "next_visit", "2001-04-04");
    va.v = 2;
    record_set(&vb, "date", "2001-05-06");
    record_set(&vb, "next_visit", "2001-06-06");
    vb.v = 2;
    record_set(&h, "categories", "dibao_edge");
    record_set(&h, "head_name", "换名字");
    h.v = 5;
    CHECK_INT_EQ(store_bulk_put(b, &va, &err), DP_OK);
    CHECK_INT_EQ(store_bulk_put(b, &vb, &err), DP_OK);
    CHECK_INT_EQ(store_bulk_put(b, &h, &err), DP_OK);
    CHECK_INT_EQ(store_bulk_count(b), 3);
    CHECK_INT_EQ(store_bulk_finish(b, &err), DP_OK);
    CHECK_INT_EQ(derived_mismatches(st), 0);
    CHECK_INT_EQ(count_rows(st, "base_rows"), (long long)nrecs);

    /* The other visits of the household (if any) may be newer; compare with the cache's max. */
    char want[16];
    snprintf(sql, sizeof sql,
             "SELECT max(date) FROM visits WHERE household_id = '%s' AND _deleted = 0", hid);
    test_sql_text(st, sql, want, sizeof want);
    last_visit_of(st, hid, got, sizeof got);
    CHECK_STR_EQ(got, want);

    struct household_filter edge = {.category = "dibao_edge", .search = "换名字"};
    long m = 0;
    CHECK_INT_EQ(store_household_count(st, &edge, &m, NULL, &err), DP_OK);
    CHECK_INT_EQ(m, 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM household_categories WHERE household_id = '%s'",
             hid);
    CHECK_INT_EQ(test_sql_int(st, sql), 1);
    snprintf(sql, sizeof sql, "SELECT v FROM base_rows WHERE t = 'household' AND rid = '%s'", hid);
    CHECK_INT_EQ(test_sql_int(st, sql), 5);
    struct record r;
    REQUIRE(store_record_get(st, &schema_household, hid, &r, &err) == DP_OK);
    CHECK_INT_EQ(r.v, 5);
    CHECK_STR_EQ(record_get(&r, "head_name"), "换名字");
    record_done(&r);

    /* A tombstone for every visit of the household leaves it never visited. */
    for (size_t k = hi + 1; k < nrecs && recs[k].def != &schema_household; k++) {
        if (recs[k].def != &schema_visit)
            continue;
        struct record t;
        REQUIRE(record_copy(&t, &recs[k]) == DP_OK);
        t.v = 9;
        t.deleted = true;
        CHECK_INT_EQ(store_bulk_put(b, &t, &err), DP_OK);
        record_done(&t);
    }
    CHECK_INT_EQ(store_bulk_finish(b, &err), DP_OK);
    last_visit_of(st, hid, got, sizeof got);
    CHECK_STR_EQ(got, "");
    CHECK_INT_EQ(derived_mismatches(st), 0);
    CHECK_INT_EQ(count_rows(st, "outbox"), 0);

    store_bulk_free(b);
    record_done(&h);
    record_done(&va);
    record_done(&vb);
    store_close(st);
}

TEST(bulk_keeps_local_edits)
{
    struct store *st = fresh_store("dirty");
    struct store_bulk *b = NULL;
    struct dp_error err;
    char sql[200], json[4096];
    REQUIRE(st);
    REQUIRE(bulk_load(st, NULL, NULL));
    const char *hid = recs[0].values[0];

    /* The worker edits the phone; the edit waits in the outbox. */
    struct record mine;
    REQUIRE(store_record_get(st, &schema_household, hid, &mine, &err) == DP_OK);
    record_set(&mine, "phone", "13912345678");
    REQUIRE(store_record_save(st, &mine, &err) == DP_OK);

    /* Meanwhile the server renamed the head; the pull brings version 2. */
    struct record theirs;
    REQUIRE(record_copy(&theirs, &recs[0]) == DP_OK);
    record_set(&theirs, "head_name", "服务器");
    theirs.v = 2;
    REQUIRE(store_bulk_new(st, NULL, &b, &err) == DP_OK);
    CHECK_INT_EQ(store_bulk_put(b, &theirs, &err), DP_OK);
    CHECK_INT_EQ(store_bulk_finish(b, &err), DP_OK);
    store_bulk_free(b);

    struct record got;
    REQUIRE(store_record_get(st, &schema_household, hid, &got, &err) == DP_OK);
    CHECK_STR_EQ(record_get(&got, "phone"), "13912345678");
    CHECK_STR_EQ(record_get(&got, "head_name"), record_get(&recs[0], "head_name"));
    CHECK_INT_EQ(got.v, 1);
    record_done(&got);
    snprintf(sql, sizeof sql, "SELECT v FROM base_rows WHERE t = 'household' AND rid = '%s'", hid);
    CHECK_INT_EQ(test_sql_int(st, sql), 2);
    snprintf(sql, sizeof sql, "SELECT row_json FROM base_rows WHERE t = 'household' AND rid = '%s'",
             hid);
    test_sql_text(st, sql, json, sizeof json);
    CHECK(strstr(json, "\"head_name\":\"服务器\"") != NULL);
    CHECK_INT_EQ(count_rows(st, "outbox"), 1);
    record_done(&mine);
    record_done(&theirs);
    store_close(st);
}

TEST(bulk_refuses_bad_records_without_writing)
{
    struct store *st = fresh_store("bad");
    struct store_bulk *b = NULL;
    struct dp_error err;
    REQUIRE(st);
    REQUIRE(store_bulk_new(st, NULL, &b, &err) == DP_OK);

    struct record r;
    REQUIRE(record_copy(&r, &recs[0]) == DP_OK);
    r.v = 0;
    CHECK_INT_EQ(store_bulk_put(b, &r, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "v");
    r.v = 1;
    record_set(&r, "id", "");
    CHECK_INT_EQ(store_bulk_put(b, &r, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "id");
    record_done(&r);

    REQUIRE(record_copy(&r, &recs[1]) == DP_OK);
    REQUIRE(r.def != &schema_household);
    record_set(&r, "household_id", "");
    CHECK_INT_EQ(store_bulk_put(b, &r, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "household_id");
    record_done(&r);

    static const struct record_def alien = {
        .name = "alien", .label = "Alien", .nfields = 0, .parent_field = -1};
    char x[] = "x";
    char *values[1] = {x};
    struct record odd = {.def = &alien, .values = values, .v = 1};
    CHECK_INT_EQ(store_bulk_put(b, &odd, &err), DP_EINVAL);
    CHECK_INT_EQ(store_bulk_put(b, NULL, &err), DP_EINVAL);
    CHECK_INT_EQ(store_bulk_count(b), 0);

    /* A refused record does not stop the load. */
    CHECK_INT_EQ(store_bulk_put(b, &recs[0], &err), DP_OK);
    CHECK_INT_EQ(store_bulk_finish(b, &err), DP_OK);
    CHECK_INT_EQ(count_rows(st, "households"), 1);
    CHECK_INT_EQ(count_rows(st, "base_rows"), 1);
    store_bulk_free(b);

    CHECK_INT_EQ(store_bulk_new(NULL, NULL, &b, &err), DP_EINVAL);
    CHECK(b == NULL);
    struct store_bulk_options neg = {.batch = -1};
    CHECK_INT_EQ(store_bulk_new(st, &neg, &b, &err), DP_EINVAL);
    CHECK(b == NULL);
    store_close(st);
}

TEST(bulk_orphan_child_rolls_back_its_batch)
{
    struct store *st = fresh_store("orphan");
    struct store_bulk *b = NULL;
    struct store_bulk_options opt = {.batch = 10};
    struct dp_error err;
    REQUIRE(st);
    REQUIRE(store_bulk_new(st, &opt, &b, &err) == DP_OK);
    /* Two whole batches of the world commit on their own... */
    for (size_t i = 0; i < 20; i++)
        CHECK_INT_EQ(store_bulk_put(b, &recs[i], &err), DP_OK);
    CHECK_INT_EQ(count_rows(st, "base_rows"), 20);
    /* ...then a member of a household that never comes: the commit finds it. */
    struct record orphan;
    REQUIRE(record_copy(&orphan, &recs[1]) == DP_OK);
    record_set(&orphan, "id", "0b0b0b0b-0000-4000-8000-000000000001");
    record_set(&orphan, "household_id", "0a0a0a0a-0000-4000-8000-000000000001");
    CHECK_INT_EQ(store_bulk_put(b, &recs[20], &err), DP_OK);
    CHECK_INT_EQ(store_bulk_put(b, &orphan, &err), DP_OK);
    CHECK_INT_EQ(store_bulk_finish(b, &err), DP_EINVAL);
    CHECK_INT_EQ(count_rows(st, "base_rows"), 20);
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM members WHERE id ="
                                  " '0b0b0b0b-0000-4000-8000-000000000001'"),
                 0);
    CHECK_INT_EQ(derived_mismatches(st), 0);
    /* The loader is spent. */
    CHECK_INT_EQ(store_bulk_put(b, &recs[21], &err), DP_EINVAL);
    CHECK_INT_EQ(store_bulk_finish(b, &err), DP_EINVAL);
    store_bulk_free(b);
    record_done(&orphan);

    /* The cache takes writes again afterwards. */
    CHECK_INT_EQ(store_meta_set(st, "probe", "1", &err), DP_OK);
    store_close(st);
}

TEST(bulk_free_without_finish_writes_nothing)
{
    struct store *st = fresh_store("abandon");
    struct store_bulk *b = NULL;
    struct store_bulk_options opt = {.cache_kib = 32768};
    struct dp_error err;
    REQUIRE(st);
    REQUIRE(store_bulk_new(st, &opt, &b, &err) == DP_OK);
    CHECK_INT_EQ(test_sql_int(st, "PRAGMA cache_size"), -32768);
    for (size_t i = 0; i < 50; i++)
        CHECK_INT_EQ(store_bulk_put(b, &recs[i], &err), DP_OK);
    store_bulk_free(b);
    store_bulk_free(NULL);
    CHECK_INT_EQ(count_rows(st, "households"), 0);
    CHECK_INT_EQ(count_rows(st, "base_rows"), 0);
    CHECK_INT_EQ(count_rows(st, "household_categories"), 0);
    /* The page cache goes back to the store's own size. */
    CHECK_INT_EQ(test_sql_int(st, "PRAGMA cache_size"), -STORE_CACHE_KIB);

    /* A loader never fed writes nothing and finishes fine. */
    REQUIRE(store_bulk_new(st, NULL, &b, &err) == DP_OK);
    CHECK_INT_EQ(store_bulk_finish(b, &err), DP_OK);
    store_bulk_free(b);
    CHECK_INT_EQ(count_rows(st, "households"), 0);
    store_close(st);
}

TEST(bulk_full_disk_rolls_back)
{
    struct store *st = fresh_store("full");
    struct store_bulk *b = NULL;
    struct dp_error err;
    char sql[64];
    REQUIRE(st);
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld",
             test_sql_int(st, "PRAGMA page_count") + 8);
    REQUIRE(test_sql(st, sql) == SQLITE_OK);
    REQUIRE(store_bulk_new(st, NULL, &b, &err) == DP_OK);
    enum dp_status s = DP_OK;
    for (size_t i = 0; i < nrecs && s == DP_OK; i++)
        s = store_bulk_put(b, &recs[i], &err);
    if (s == DP_OK)
        s = store_bulk_finish(b, &err);
    CHECK_INT_EQ(s, DP_EFULL);
    CHECK_INT_EQ(store_bulk_put(b, &recs[0], &err), DP_EINVAL);
    store_bulk_free(b);
    CHECK_INT_EQ(count_rows(st, "households"), 0);
    CHECK_INT_EQ(count_rows(st, "base_rows"), 0);
    store_close(st);
}

TEST(bulk_refuses_read_only_cache)
{
    char dir[PATH_MAX];
    struct store *st = NULL;
    struct store_bulk *b = NULL;
    struct store_options ro = {.read_only = true};
    struct dp_error err;
    test_fresh_dir(dir, sizeof dir, "ro");
    REQUIRE(store_open(dir, TEST_PASS, &st, &err) == DP_OK);
    store_close(st);
    REQUIRE(store_open_with(dir, TEST_PASS, &ro, &st, &err) == DP_OK);
    CHECK_INT_EQ(store_bulk_new(st, NULL, &b, &err), DP_EREADONLY);
    CHECK(b == NULL);
    store_close(st);
}

int
main(void)
{
    test_root_make();
    world_make();
    RUN(bulk_load_matches_generated_records);
    RUN(bulk_lists_agree_with_per_record_saves);
    RUN(bulk_children_before_households);
    RUN(bulk_replaces_rows_and_keeps_derived_data);
    RUN(bulk_keeps_local_edits);
    RUN(bulk_refuses_bad_records_without_writing);
    RUN(bulk_orphan_child_rolls_back_its_batch);
    RUN(bulk_free_without_finish_writes_nothing);
    RUN(bulk_full_disk_rolls_back);
    RUN(bulk_refuses_read_only_cache);
    world_free();
    test_root_remove();
    return test_report();
}
