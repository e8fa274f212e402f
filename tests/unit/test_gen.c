#include "core/gen.h"

#include <stdint.h>
#include <string.h>

#include "core/rules.h"
#include "core/utf8.h"
#include "core/validate.h"
#include "tests/unit/test.h"

#ifdef __SANITIZE_ADDRESS__
/* ASan replaces malloc; its own counter is the live-heap figure. */
size_t __sanitizer_get_current_allocated_bytes(void);
static size_t
heap_in_use(void)
{
    return __sanitizer_get_current_allocated_bytes();
}
#else
#include <malloc.h>
static size_t
heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}
#endif

#define MIDDLE_DOT "\u00b7"

static struct gen_options
options(unsigned long households, uint64_t seed)
{
    struct gen_options o;
    gen_options_init(&o);
    o.households = households;
    o.workers = 7;
    o.teams = 2;
    o.seed = seed;
    o.today = (struct dp_date){2025, 3, 15};
    return o;
}

/* ---- options and accounts --------------------------------------------------------------- */

TEST(options_are_checked)
{
    struct gen_options o;
    struct dp_error err = {0};
    gen_options_init(&o);
    CHECK_INT_EQ(gen_options_check(&o, &err), DP_OK);
    CHECK_INT_EQ(o.history_months, GEN_DEFAULT_HISTORY_MONTHS);
    CHECK(date_valid(&o.today));

    o.workers = 0;
    CHECK_INT_EQ(gen_options_check(&o, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "workers");
    gen_options_init(&o);
    o.workers = GEN_MAX_WORKERS + 1;
    CHECK_INT_EQ(gen_options_check(&o, &err), DP_EINVAL);
    gen_options_init(&o);
    o.teams = 0;
    CHECK_INT_EQ(gen_options_check(&o, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "teams");
    o.teams = o.workers + 1;
    CHECK_INT_EQ(gen_options_check(&o, &err), DP_EINVAL);
    o.teams = o.workers;
    CHECK_INT_EQ(gen_options_check(&o, &err), DP_OK);
    gen_options_init(&o);
    o.history_months = 0;
    CHECK_INT_EQ(gen_options_check(&o, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "history_months");
    o.history_months = GEN_MAX_HISTORY_MONTHS + 1;
    CHECK_INT_EQ(gen_options_check(&o, &err), DP_EINVAL);
    o.history_months = GEN_MAX_HISTORY_MONTHS;
    CHECK_INT_EQ(gen_options_check(&o, &err), DP_OK);
    gen_options_init(&o);
    o.today = (struct dp_date){2025, 2, 29};
    CHECK_INT_EQ(gen_options_check(&o, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "today");
    o.today = (struct dp_date){1999, 12, 31};
    CHECK_INT_EQ(gen_options_check(&o, &err), DP_EINVAL);
    o.today = (struct dp_date){2901, 1, 1};
    CHECK_INT_EQ(gen_options_check(&o, &err), DP_EINVAL);
    o.today = (struct dp_date){2028, 2, 29};
    CHECK_INT_EQ(gen_options_check(&o, &err), DP_OK);
    CHECK_INT_EQ(gen_options_check(NULL, &err), DP_EINVAL);

    gen_options_init(&o);
    CHECK_INT_EQ(gen_run(&o, NULL, NULL, NULL, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "emit");

    /* gen_run refuses bad options before emitting anything. */
    gen_options_init(&o);
    o.workers = 0;
    struct gen_stats st = {1, 1, 1, 1};
    CHECK_INT_EQ(gen_run(&o, NULL, NULL, &st, &err), DP_EINVAL);
    CHECK_INT_EQ(st.households, 0);
}

TEST(account_names)
{
    char buf[24];
    gen_worker_name(0, buf, sizeof buf);
    CHECK_STR_EQ(buf, "worker01");
    gen_worker_name(8, buf, sizeof buf);
    CHECK_STR_EQ(buf, "worker09");
    gen_worker_name(99, buf, sizeof buf);
    CHECK_STR_EQ(buf, "worker100");
    gen_team_name(1, buf, sizeof buf);
    CHECK_STR_EQ(buf, "team02");
    gen_supervisor_name(0, buf, sizeof buf);
    CHECK_STR_EQ(buf, "supervisor01");
    CHECK_INT_EQ(validate_username(buf, "u", NULL), DP_OK);
    char small[5];
    gen_worker_name(0, small, sizeof small);
    CHECK_STR_EQ(small, "work");
}

TEST(assignment_is_in_contiguous_blocks)
{
    struct gen_options o = options(10, 1);
    o.workers = 3;
    o.teams = 2;
    unsigned prev = 0, seen[3] = {0};
    for (unsigned long i = 0; i < o.households; i++) {
        unsigned w = gen_worker_of(&o, i);
        REQUIRE(w < 3);
        CHECK(w >= prev);
        prev = w;
        seen[w]++;
    }
    CHECK_INT_EQ(gen_worker_of(&o, 0), 0);
    CHECK_INT_EQ(gen_worker_of(&o, 9), 2);
    CHECK(seen[0] >= 3 && seen[1] >= 3 && seen[2] >= 3);
    CHECK_INT_EQ(gen_team_of(&o, 0), 0);
    CHECK_INT_EQ(gen_team_of(&o, 2), 1);
    /* More workers than households: each household still gets a real worker. */
    o.households = 2;
    o.workers = 5;
    CHECK(gen_worker_of(&o, 1) < 5);
}

/* ---- random numbers and names -------------------------------------------------------------- */

TEST(rng_is_deterministic_and_uniform)
{
    struct gen_rng a, b, c;
    gen_rng_seed(&a, 42);
    gen_rng_seed(&b, 42);
    gen_rng_seed(&c, 43);
    int same_c = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = gen_rng_next(&a);
        CHECK(x == gen_rng_next(&b));
        same_c += x == gen_rng_next(&c);
    }
    CHECK_INT_EQ(same_c, 0);

    /*
     * Pinned values (from an independent implementation of splitmix64 and
     * xoshiro256**): a change here changes every seeded data set.
     */
    struct gen_rng z;
    gen_rng_seed(&z, 0);
    CHECK(gen_rng_next(&z) == UINT64_C(0x99ec5f36cb75f2b4));
    CHECK(gen_rng_next(&z) == UINT64_C(0xbf6e1f784956452a));

    int counts[10] = {0};
    for (int i = 0; i < 100000; i++) {
        uint32_t v = gen_rng_below(&a, 10);
        REQUIRE(v < 10);
        counts[v]++;
    }
    for (int i = 0; i < 10; i++)
        CHECK(counts[i] > 9000 && counts[i] < 11000);
    CHECK_INT_EQ(gen_rng_below(&a, 1), 0);
}

TEST(surnames_follow_real_frequency)
{
    CHECK(gen_nsurnames >= 60);
    struct gen_rng r;
    gen_rng_seed(&r, 7);
    enum { N = 200000 };
    static unsigned counts[256];
    memset(counts, 0, sizeof counts);
    REQUIRE(gen_nsurnames <= 256);
    unsigned two_char = 0;
    for (int i = 0; i < N; i++) {
        const char *s = gen_surname(&r);
        size_t k;
        for (k = 0; k < gen_nsurnames; k++)
            if (gen_surnames[k].text == s)
                break;
        REQUIRE(k < gen_nsurnames);
        counts[k]++;
        two_char += utf8_count(s) == 2;
    }
    /* 王 李 张 lead, each 7-10% of the names drawn; 欧阳 and friends are rare but present. */
    for (int k = 0; k < 3; k++)
        CHECK(counts[k] > N * 7 / 100 && counts[k] < N * 10 / 100);
    for (size_t k = 3; k < gen_nsurnames; k++)
        CHECK(counts[k] < counts[2]);
    unsigned distinct = 0;
    for (size_t k = 0; k < gen_nsurnames; k++)
        distinct += counts[k] > 0;
    CHECK(distinct >= 60);
    CHECK(two_char > 20 && two_char < N / 100);
}

static bool
in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

/* Whether name is one the pool can produce: a whole name, a single, or first+second. */
static bool
from_pool(const char *name, const struct gen_name_pool *p)
{
    if (in_list(name, p->whole, p->nwhole) || in_list(name, p->single, p->nsingle))
        return true;
    size_t n = utf8_next(name, strlen(name), 0);
    char first[8];
    if (n >= sizeof first)
        return false;
    memcpy(first, name, n);
    first[n] = '\0';
    return in_list(first, p->first, p->nfirst) && in_list(name + n, p->second, p->nsecond);
}

TEST(given_names_fit_sex_and_era)
{
    struct gen_rng r;
    gen_rng_seed(&r, 11);
    static const int years[] = {1935, 1960, 1985, 2012};
    unsigned single = 0, total = 0;
    for (int e = 0; e < GEN_ERAS; e++) {
        CHECK_INT_EQ(gen_era_of(years[e]), e);
        unsigned cross = 0;
        for (int i = 0; i < 500; i++) {
            char m[16], f[16];
            gen_given_name(&r, 'M', years[e], m, sizeof m);
            gen_given_name(&r, 'F', years[e], f, sizeof f);
            CHECK(from_pool(m, &gen_given_male[e]));
            CHECK(from_pool(f, &gen_given_female[e]));
            size_t cm = utf8_count(m), cf = utf8_count(f);
            CHECK(cm >= 1 && cm <= 2);
            CHECK(cf >= 1 && cf <= 2);
            single += (cm == 1) + (cf == 1);
            total += 2;
            /* A girl's name that a boy of the same era also gets is unusual. */
            cross += from_pool(f, &gen_given_male[e]);
        }
        CHECK(cross < 50);
    }
    CHECK(single > total / 20 && single < total / 3);
    /* Eras really differ: 秀英 is a grandmother's name, not a schoolgirl's. */
    CHECK(from_pool("秀英", &gen_given_female[0]));
    CHECK(!from_pool("秀英", &gen_given_female[3]));
    CHECK(!from_pool("梓涵", &gen_given_female[0]));
}

TEST(minority_names_have_a_middle_dot)
{
    struct gen_rng r;
    gen_rng_seed(&r, 5);
    char buf[64];
    const char *given = NULL;
    gen_minority_name(&r, 'F', "吐尔逊", buf, sizeof buf, &given);
    REQUIRE(given != NULL);
    const char *dot = strstr(buf, MIDDLE_DOT);
    REQUIRE(dot != NULL);
    CHECK_STR_EQ(dot + strlen(MIDDLE_DOT), "吐尔逊");
    CHECK(strncmp(buf, given, strlen(given)) == 0);
    CHECK(strstr(dot + 1, MIDDLE_DOT) == NULL);
    CHECK_INT_EQ(validate_name(buf, 30, "name", NULL), DP_OK);
    for (int i = 0; i < 200; i++) {
        gen_minority_name(&r, i % 2 ? 'M' : 'F', NULL, buf, sizeof buf, NULL);
        CHECK_INT_EQ(validate_name(buf, 30, "name", NULL), DP_OK);
    }
}

/* ---- the stream ----------------------------------------------------------------------------- */

static uint64_t
fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static uint64_t
hash_record(uint64_t h, const struct record *r)
{
    h = fnv(h, r->def->name, strlen(r->def->name) + 1);
    for (size_t i = 0; i < r->def->nfields; i++)
        h = fnv(h, r->values[i], strlen(r->values[i]) + 1);
    return h;
}

struct hasher {
    uint64_t h;
    unsigned long n;
    unsigned long stop_after; /* 0: never */
    unsigned long households;
    uint64_t only_household_h; /* hash of the household with index `only` */
    unsigned long only;
};

static enum dp_status
hash_cb(void *ctx, const struct record *r)
{
    struct hasher *x = ctx;
    if (x->stop_after && x->n == x->stop_after)
        return DP_EIO;
    x->n++;
    if (r->def == &schema_household)
        x->households++;
    x->h = hash_record(x->h, r);
    if (x->households == x->only + 1)
        x->only_household_h = hash_record(x->only_household_h, r);
    return DP_OK;
}

static uint64_t
stream_hash(const struct gen_options *o, unsigned long only, uint64_t *only_h)
{
    struct hasher x = {.h = UINT64_C(0xcbf29ce484222325),
                       .only_household_h = UINT64_C(0xcbf29ce484222325),
                       .only = only};
    struct dp_error err = {0};
    enum dp_status st = gen_run(o, hash_cb, &x, NULL, &err);
    CHECK_INT_EQ(st, DP_OK);
    if (only_h)
        *only_h = x.only_household_h;
    return x.h;
}

TEST(same_seed_same_stream_different_seed_different_stream)
{
    struct gen_options o = options(300, 2024);
    uint64_t a = stream_hash(&o, 0, NULL), b = stream_hash(&o, 0, NULL);
    CHECK(a == b);
    o.seed = 2025;
    CHECK(stream_hash(&o, 0, NULL) != a);
    o.seed = 2024;
    o.today.day = 16;
    CHECK(stream_hash(&o, 0, NULL) != a);
    o.today.day = 15;
    o.history_months = 12;
    CHECK(stream_hash(&o, 0, NULL) != a);
    o.history_months = GEN_DEFAULT_HISTORY_MONTHS;
    CHECK(stream_hash(&o, 0, NULL) == a);
}

static enum dp_status
hash_all_cb(void *ctx, const struct record *r)
{
    uint64_t *h = ctx;
    *h = hash_record(*h, r);
    return DP_OK;
}

TEST(one_household_alone_equals_its_place_in_the_stream)
{
    struct gen_options o = options(120, 99);
    uint64_t in_stream = 0;
    stream_hash(&o, 57, &in_stream);
    uint64_t alone = UINT64_C(0xcbf29ce484222325);
    struct gen_stats st = {0};
    struct dp_error err = {0};
    CHECK_INT_EQ(gen_household(&o, 57, hash_all_cb, &alone, &st, &err), DP_OK);
    CHECK(alone == in_stream);
    CHECK_INT_EQ(st.households, 1);
    CHECK(st.members >= 1 && st.members <= GEN_MAX_MEMBERS);
    CHECK_INT_EQ(gen_household(&o, 120, hash_all_cb, &alone, NULL, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "index");
}

TEST(callback_failure_stops_generation)
{
    struct gen_options o = options(50, 3);
    struct hasher x = {.stop_after = 10};
    struct gen_stats st;
    struct dp_error err = {0};
    CHECK_INT_EQ(gen_run(&o, hash_cb, &x, &st, &err), DP_EIO);
    CHECK_INT_EQ(x.n, 10);
    CHECK_INT_EQ(st.households + st.members + st.visits + st.needs, 10);
    CHECK_INT_EQ(err.code, DP_EIO);

    o.households = 0;
    struct hasher y = {0};
    CHECK_INT_EQ(gen_run(&o, hash_cb, &y, &st, &err), DP_OK);
    CHECK_INT_EQ(y.n, 0);
    CHECK_INT_EQ(st.households, 0);
}

struct places {
    unsigned long n;
    char village[2 * GEN_VILLAGES_PER_TOWNSHIP][48];
    char township[2 * GEN_VILLAGES_PER_TOWNSHIP][48];
    char county[2 * GEN_VILLAGES_PER_TOWNSHIP][48];
};

static enum dp_status
places_cb(void *ctx, const struct record *r)
{
    struct places *p = ctx;
    if (r->def != &schema_household)
        return DP_OK;
    unsigned long v = p->n++ / GEN_HOUSEHOLDS_PER_VILLAGE;
    if (v < 2 * GEN_VILLAGES_PER_TOWNSHIP) {
        snprintf(p->village[v], sizeof p->village[v], "%s", record_get(r, "village"));
        snprintf(p->township[v], sizeof p->township[v], "%s", record_get(r, "township"));
        snprintf(p->county[v], sizeof p->county[v], "%s", record_get(r, "county"));
    }
    /* Households of one village share its names. */
    unsigned long first = v * GEN_HOUSEHOLDS_PER_VILLAGE;
    if (p->n - 1 > first && v < 2 * GEN_VILLAGES_PER_TOWNSHIP &&
        strcmp(p->village[v], record_get(r, "village")) != 0)
        return DP_EINVAL;
    return DP_OK;
}

TEST(villages_group_households_and_have_distinct_names)
{
    struct gen_options o = options(2 * GEN_VILLAGES_PER_TOWNSHIP * GEN_HOUSEHOLDS_PER_VILLAGE, 4);
    static struct places p;
    memset(&p, 0, sizeof p);
    CHECK_INT_EQ(gen_run(&o, places_cb, &p, NULL, NULL), DP_OK);
    for (int t = 0; t < 2; t++) {
        for (int a = 0; a < GEN_VILLAGES_PER_TOWNSHIP; a++) {
            int va = t * GEN_VILLAGES_PER_TOWNSHIP + a;
            CHECK_STR_EQ(p.township[va], p.township[t * GEN_VILLAGES_PER_TOWNSHIP]);
            for (int b = a + 1; b < GEN_VILLAGES_PER_TOWNSHIP; b++)
                CHECK(strcmp(p.village[va], p.village[t * GEN_VILLAGES_PER_TOWNSHIP + b]) != 0);
        }
    }
    CHECK(strcmp(p.township[0], p.township[GEN_VILLAGES_PER_TOWNSHIP]) != 0);
    CHECK_STR_EQ(p.county[0], p.county[GEN_VILLAGES_PER_TOWNSHIP]);
}

/* ---- one pass over a few thousand households, checking everything per household ---------- */

#define MAX_KEEP 256

struct check {
    struct gen_options o;
    struct policy policy;
    struct record hh, members[GEN_MAX_MEMBERS], visits[MAX_KEEP], needs[8];
    size_t nmembers, nvisits, nneeds;
    bool have_hh;
    int stage; /* 0 household, 1 members, 2 visits, 3 needs: records come in this order */
    unsigned long records, invalid, order_errors, link_errors;
    unsigned long households, active, risk[3], suggest_agree, red_not_red, green_red;
    unsigned long nmember_records, minority, surnames_seen, head_errors, age_errors, flag_errors;
    unsigned long due_checked, due_errors;
    unsigned long nvisit_records, visit_range_errors, visit_order_errors, drafts, submitted,
        approved, returned, not_home, verification, emergency, follow_up, micro_wish;
    unsigned long nneed_records, need_categories, big_medical;
    unsigned long warn[WARN_COUNT];
    unsigned long visits_by_class[3], full_history_by_class[3];
    unsigned long place_errors, phone_errors;
    const char *surname_seen[256];
    unsigned nsurname_seen;
    char first_invalid[320];
};

static void
clear_household(struct check *c)
{
    if (c->have_hh)
        record_done(&c->hh);
    for (size_t i = 0; i < c->nmembers; i++)
        record_done(&c->members[i]);
    for (size_t i = 0; i < c->nvisits; i++)
        record_done(&c->visits[i]);
    for (size_t i = 0; i < c->nneeds; i++)
        record_done(&c->needs[i]);
    c->have_hh = false;
    c->nmembers = c->nvisits = c->nneeds = 0;
}

static bool
ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

static int
age_of(const struct check *c, const struct record *m)
{
    struct dp_date b;
    if (record_get_date(m, "birth_date", &b) != DP_OK)
        return -1;
    return date_age(&b, &c->o.today);
}

static void
note_surname(struct check *c, const char *name)
{
    /* The longest table surname that starts the name (欧阳 before 欧). */
    const char *best = NULL;
    for (size_t k = 0; k < gen_nsurnames; k++) {
        size_t n = strlen(gen_surnames[k].text);
        if (strncmp(name, gen_surnames[k].text, n) == 0 && (!best || n > strlen(best)))
            best = gen_surnames[k].text;
    }
    if (!best)
        return;
    for (unsigned i = 0; i < c->nsurname_seen; i++)
        if (c->surname_seen[i] == best)
            return;
    if (c->nsurname_seen < 256)
        c->surname_seen[c->nsurname_seen++] = best;
}

/* Everything that needs the whole household: relations, risk, due date, warnings. */
static void
finish_household(struct check *c)
{
    if (!c->have_hh)
        return;
    const struct record *hh = &c->hh;
    const struct dp_date *today = &c->o.today;
    bool active = strcmp(record_get(hh, "status"), "active") == 0;
    enum risk_class risk = RISK_GREEN;
    CHECK(risk_parse(record_get(hh, "risk"), &risk));
    c->risk[risk]++;

    /* Exactly one head, and the household names them. */
    int heads = 0, head_age = -1;
    for (size_t i = 0; i < c->nmembers; i++) {
        const struct record *m = &c->members[i];
        if (strcmp(record_get(m, "relation"), "head") == 0) {
            heads++;
            head_age = age_of(c, m);
            if (strcmp(record_get(m, "name"), record_get(hh, "head_name")) != 0 ||
                strcmp(record_get(m, "id_number"), record_get(hh, "head_id_number")) != 0)
                c->head_errors++;
        }
    }
    if (heads != 1 || strcmp(record_get(&c->members[0], "relation"), "head") != 0)
        c->head_errors++;

    /* Ages that fit relations; flags that fit ages. */
    int present = 0;
    for (size_t i = 0; i < c->nmembers; i++)
        present += strcmp(record_get(&c->members[i], "status"), "present") == 0;
    for (size_t i = 0; i < c->nmembers; i++) {
        const struct record *m = &c->members[i];
        const char *rel = record_get(m, "relation");
        int age = age_of(c, m);
        if (age < 0 || head_age < 0) {
            c->age_errors++;
            continue;
        }
        if (strcmp(rel, "head") == 0 && age < 18)
            c->age_errors++;
        if (strcmp(rel, "spouse") == 0 && (age < 18 || age - head_age > 12 || head_age - age > 12))
            c->age_errors++;
        if (strcmp(rel, "child") == 0 && head_age - age < 14)
            c->age_errors++;
        if (strcmp(rel, "parent") == 0 && age - head_age < 16)
            c->age_errors++;
        if (strcmp(rel, "grandchild") == 0 && head_age - age < 34)
            c->age_errors++;
        /* Brothers and sisters are born at least ten months apart; two parents are of an age. */
        for (size_t j = i + 1; j < c->nmembers; j++) {
            const struct record *o = &c->members[j];
            if (strcmp(record_get(o, "relation"), rel) != 0)
                continue;
            struct dp_date a, b;
            if (record_get_date(m, "birth_date", &a) != DP_OK ||
                record_get_date(o, "birth_date", &b) != DP_OK)
                continue;
            long gap = date_to_days(&a) - date_to_days(&b);
            if ((strcmp(rel, "child") == 0 || strcmp(rel, "grandchild") == 0) && gap > -300 &&
                gap < 300)
                c->age_errors++;
            if (strcmp(rel, "parent") == 0 && (gap > 12 * 366 || gap < -12 * 366))
                c->age_errors++;
        }
        if (record_get_bool(m, "elderly_alone") && (age < 60 || present > 1))
            c->flag_errors++;
        if (record_get_bool(m, "left_behind_child") && age >= 16)
            c->flag_errors++;
        if ((strcmp(record_get(m, "disability_grade"), "none") == 0) !=
            (strcmp(record_get(m, "disability_type"), "none") == 0))
            c->flag_errors++;
        if (record_get_bool(m, "serious_illness") && !*record_get(m, "illness"))
            c->flag_errors++;
        if (record_get_bool(m, "left_behind_child")) {
            /* Nobody of the parents' generation lives at home. */
            for (size_t j = 0; j < c->nmembers; j++) {
                const char *r2 = record_get(&c->members[j], "relation");
                if ((strcmp(r2, "child") == 0 || strcmp(r2, "child_in_law") == 0) &&
                    strcmp(record_get(&c->members[j], "status"), "present") == 0)
                    c->flag_errors++;
            }
        }
    }

    if (active) {
        c->active++;
        struct risk_suggestion s =
            rules_suggest_risk(&c->policy, hh, c->members, c->nmembers, today);
        c->suggest_agree += s.risk == risk;
        c->red_not_red += risk == RISK_RED && s.risk != RISK_RED;
        c->green_red += risk == RISK_GREEN && s.risk == RISK_RED;

        struct dp_date due = rules_household_due(&c->policy, hh, c->visits, c->nvisits, today);
        struct dp_date stored;
        c->due_checked++;
        if (record_get_date(hh, "next_visit_due", &stored) != DP_OK ||
            date_compare(&due, &stored) != 0)
            c->due_errors++;

        struct warning w[16];
        size_t nw = rules_warnings(&c->policy, hh, c->members, c->nmembers, c->visits, c->nvisits,
                                   today, w, 16);
        for (size_t i = 0; i < nw && i < 16; i++)
            c->warn[w[i].code]++;
    } else if (*record_get(hh, "next_visit_due")) {
        c->due_errors++;
    }

    /* Visit frequency by class, over households visited from the start of the window. */
    if (c->nvisits > 0 && active) {
        struct dp_date first;
        record_get_date(&c->visits[0], "date", &first);
        struct dp_date early = date_add_months(today, -(c->o.history_months - 6));
        if (date_compare(&first, &early) < 0) {
            c->visits_by_class[risk] += c->nvisits;
            c->full_history_by_class[risk]++;
        }
    }
    clear_household(c);
}

static enum dp_status
check_cb(void *ctx, const struct record *r)
{
    struct check *c = ctx;
    struct dp_error err = {0};
    c->records++;
    if (record_validate(r, &c->o.today, &err) != DP_OK) {
        if (!c->invalid++)
            snprintf(c->first_invalid, sizeof c->first_invalid, "%s.%s: %s", r->def->name,
                     err.field, err.msg);
    }
    int stage = r->def == &schema_household ? 0
                : r->def == &schema_member  ? 1
                : r->def == &schema_visit   ? 2
                                            : 3;
    if (stage == 0) {
        finish_household(c);
        c->households++;
        if (record_copy(&c->hh, r) != DP_OK)
            return DP_ENOMEM;
        c->have_hh = true;
        c->stage = 0;
        if (!ends_with(record_get(r, "village"), "村") ||
            !(ends_with(record_get(r, "township"), "镇") ||
              ends_with(record_get(r, "township"), "乡")) ||
            !ends_with(record_get(r, "county"), "县") || !strstr(record_get(r, "address"), "组") ||
            !ends_with(record_get(r, "address"), "号"))
            c->place_errors++;
        const char *phone = record_get(r, "phone");
        if (*phone && (strlen(phone) != 11 || phone[0] != '1' || phone[1] < '3' || phone[1] > '9'))
            c->phone_errors++;
        return DP_OK;
    }
    if (!c->have_hh || stage < c->stage) {
        c->order_errors++;
        return DP_OK;
    }
    c->stage = stage;
    if (strcmp(record_get(r, "household_id"), record_get(&c->hh, "id")) != 0)
        c->link_errors++;
    if (stage == 1) {
        c->nmember_records++;
        if (strstr(record_get(r, "name"), MIDDLE_DOT))
            c->minority++;
        else
            note_surname(c, record_get(r, "name"));
        if (c->nmembers < GEN_MAX_MEMBERS && record_copy(&c->members[c->nmembers++], r) != DP_OK)
            return DP_ENOMEM;
    } else if (stage == 2) {
        c->nvisit_records++;
        struct dp_date d, start = date_add_months(&c->o.today, -c->o.history_months);
        if (record_get_date(r, "date", &d) != DP_OK || date_compare(&d, &start) < 0 ||
            date_compare(&d, &c->o.today) > 0)
            c->visit_range_errors++;
        if (c->nvisits > 0) {
            struct dp_date prev;
            record_get_date(&c->visits[c->nvisits - 1], "date", &prev);
            if (date_compare(&prev, &d) > 0)
                c->visit_order_errors++;
        }
        const char *rs = record_get(r, "review_state");
        c->drafts += strcmp(rs, "draft") == 0;
        c->submitted += strcmp(rs, "submitted") == 0;
        c->approved += strcmp(rs, "approved") == 0;
        c->returned += strcmp(rs, "returned") == 0;
        c->not_home += strcmp(record_get(r, "outcome"), "not_home") == 0;
        c->verification += strcmp(record_get(r, "kind"), "verification") == 0;
        c->emergency += strcmp(record_get(r, "kind"), "emergency") == 0;
        c->follow_up += strcmp(record_get(r, "kind"), "follow_up") == 0;
        c->micro_wish += *record_get(r, "micro_wish") != '\0';
        int64_t fen;
        if (record_get_money(r, "medical_yearly", &fen) == DP_OK && fen > INT64_C(5000000))
            c->big_medical++;
        /* The worker who made it is the household's worker. */
        if (strcmp(record_get(r, "worker"), record_get(&c->hh, "assigned_to")) != 0)
            c->link_errors++;
        if (c->nvisits < MAX_KEEP && record_copy(&c->visits[c->nvisits++], r) != DP_OK)
            return DP_ENOMEM;
    } else {
        c->nneed_records++;
        int k = schema_choice_index(schema_need_categories, record_get(r, "category"));
        if (k >= 0)
            c->need_categories |= 1ul << k;
        const char *mid = record_get(r, "member_id");
        if (*mid) {
            bool found = false;
            for (size_t i = 0; i < c->nmembers; i++)
                found |= strcmp(record_get(&c->members[i], "id"), mid) == 0;
            if (!found)
                c->link_errors++;
        }
        if (c->nneeds < 8 && record_copy(&c->needs[c->nneeds++], r) != DP_OK)
            return DP_ENOMEM;
    }
    return DP_OK;
}

TEST(thousands_of_households_are_valid_consistent_and_realistic)
{
    static struct check c;
    memset(&c, 0, sizeof c);
    /* TEST_GEN_HOUSEHOLDS=50000 TEST_GEN_SEED=N: a soak run over a bench-sized data set. */
    const char *env = getenv("TEST_GEN_HOUSEHOLDS");
    const unsigned long n = env && strtoul(env, NULL, 10) >= 3000 ? strtoul(env, NULL, 10) : 3000;
    const char *seed = getenv("TEST_GEN_SEED");
    c.o = options(n, seed ? strtoull(seed, NULL, 10) : 20250315);
    c.policy = policy_defaults();
    struct gen_stats st;
    struct dp_error err = {0};
    CHECK_INT_EQ(gen_run(&c.o, check_cb, &c, &st, &err), DP_OK);
    finish_household(&c);
    clear_household(&c);

    /* Every record valid, in order, linked. */
    CHECK_INT_EQ(c.records, st.households + st.members + st.visits + st.needs);
    CHECK_INT_EQ(st.households, n);
    CHECK_INT_EQ(c.invalid, 0);
    if (c.invalid)
        fprintf(stderr, "  first invalid: %s\n", c.first_invalid);
    CHECK_INT_EQ(c.order_errors, 0);
    CHECK_INT_EQ(c.link_errors, 0);
    CHECK_INT_EQ(c.head_errors, 0);
    CHECK_INT_EQ(c.age_errors, 0);
    CHECK_INT_EQ(c.flag_errors, 0);
    CHECK_INT_EQ(c.place_errors, 0);
    CHECK_INT_EQ(c.phone_errors, 0);
    CHECK_INT_EQ(c.visit_range_errors, 0);
    CHECK_INT_EQ(c.visit_order_errors, 0);

    /* Risk classes in field proportions (15/35/50), with reasons the rules agree with. */
    CHECK(c.risk[RISK_RED] > n * 12 / 100 && c.risk[RISK_RED] < n * 18 / 100);
    CHECK(c.risk[RISK_YELLOW] > n * 31 / 100 && c.risk[RISK_YELLOW] < n * 39 / 100);
    CHECK(c.risk[RISK_GREEN] > n * 45 / 100 && c.risk[RISK_GREEN] < n * 55 / 100);
    CHECK_INT_EQ(c.red_not_red, 0);
    CHECK_INT_EQ(c.green_red, 0);
    CHECK(c.suggest_agree * 100 > c.active * 85);
    if (c.suggest_agree * 100 <= c.active * 85)
        fprintf(stderr, "  rules agree on %lu of %lu\n", c.suggest_agree, c.active);

    /* Due dates exactly as the rules compute them from the visits. */
    CHECK(c.due_checked > n * 95 / 100);
    CHECK_INT_EQ(c.due_errors, 0);

    /* Members: about three per household, ~2% minority names, many surnames. */
    CHECK(c.nmember_records > n * 26 / 10 && c.nmember_records < n * 34 / 10);
    CHECK(c.minority > c.nmember_records / 100 && c.minority < c.nmember_records * 4 / 100);
    CHECK(c.nsurname_seen >= 60);

    /* Visits: frequency by class, outcomes, review pipeline. */
    for (int k = 0; k < 3; k++)
        REQUIRE(c.full_history_by_class[k] > 50);
    double per_class[3];
    for (int k = 0; k < 3; k++)
        per_class[k] = (double)c.visits_by_class[k] / (double)c.full_history_by_class[k];
    CHECK(per_class[RISK_RED] > 18 && per_class[RISK_RED] < 28);
    CHECK(per_class[RISK_YELLOW] > 6 && per_class[RISK_YELLOW] < 11);
    CHECK(per_class[RISK_GREEN] > 3 && per_class[RISK_GREEN] < 6.5);
    CHECK(c.approved > c.nvisit_records * 85 / 100);
    CHECK(c.drafts > 0 && c.submitted > c.drafts && c.returned > 0);
    CHECK(c.not_home > c.nvisit_records / 50);
    CHECK(c.verification > n && c.emergency > n / 150 && c.follow_up > n / 60);
    CHECK(c.micro_wish > n / 30);
    CHECK(c.big_medical > n / 300);

    /* Needs in all six categories. */
    CHECK(c.nneed_records > n / 2);
    CHECK_INT_EQ(c.need_categories, 0x3f);

    /* The early warnings have something to find. */
    CHECK(c.warn[WARN_MEDICAL_COST] > n / 150);
    CHECK(c.warn[WARN_EARNER_DIED] > 0);
    CHECK(c.warn[WARN_VISIT_OVERDUE] > n / 60);
    CHECK(c.warn[WARN_VISIT_OVERDUE] < n / 4);
    if (getenv("TEST_VERBOSE"))
        fprintf(
            stderr,
            "  %lu members, %lu visits, %lu needs; red %lu yellow %lu green %lu; agree %lu/%lu; "
            "visits/household by class %.1f %.1f %.1f; warnings %lu %lu %lu %lu\n",
            st.members, st.visits, st.needs, c.risk[0], c.risk[1], c.risk[2], c.suggest_agree,
            c.active, per_class[0], per_class[1], per_class[2], c.warn[0], c.warn[1], c.warn[2],
            c.warn[3]);
}

/* ---- streaming: memory stays flat ---------------------------------------------------------- */

struct mem_probe {
    unsigned long households;
    size_t at_first, at_last;
    struct record *kept; /* a consumer that keeps everything, to prove the probe can see it */
    size_t nkept, cap;
};

static enum dp_status
mem_cb(void *ctx, const struct record *r)
{
    struct mem_probe *p = ctx;
    if (r->def == &schema_household) {
        p->households++;
        /* Measure well after start-up (first allocations, caches) and at the end. */
        if (p->households == 200)
            p->at_first = heap_in_use();
        p->at_last = heap_in_use();
    }
    if (p->kept && p->nkept < p->cap) {
        if (record_copy(&p->kept[p->nkept], r) != DP_OK)
            return DP_ENOMEM;
        p->nkept++;
    }
    return DP_OK;
}

TEST(generation_streams_without_accumulating)
{
    struct gen_options o = options(2000, 8);
    struct mem_probe p = {0};
    CHECK_INT_EQ(gen_run(&o, mem_cb, &p, NULL, NULL), DP_OK);
    CHECK_INT_EQ(p.households, 2000);
    /* 1,800 more households (~25,000 records) may not leave more than a few KB behind. */
    long growth = (long)p.at_last - (long)p.at_first;
    CHECK(growth < 16 * 1024);
    if (growth >= 16 * 1024)
        fprintf(stderr, "  heap grew by %ld bytes\n", growth);

    /* The probe is sensitive: a consumer that keeps the records is caught. */
    struct mem_probe q = {0};
    q.cap = 30000;
    q.kept = calloc(q.cap, sizeof *q.kept);
    REQUIRE(q.kept);
    CHECK_INT_EQ(gen_run(&o, mem_cb, &q, NULL, NULL), DP_OK);
    CHECK((long)q.at_last - (long)q.at_first > 1024 * 1024);
    for (size_t i = 0; i < q.nkept; i++)
        record_done(&q.kept[i]);
    free(q.kept);
}

int
main(void)
{
    RUN(options_are_checked);
    RUN(account_names);
    RUN(assignment_is_in_contiguous_blocks);
    RUN(rng_is_deterministic_and_uniform);
    RUN(surnames_follow_real_frequency);
    RUN(given_names_fit_sex_and_era);
    RUN(minority_names_have_a_middle_dot);
    RUN(same_seed_same_stream_different_seed_different_stream);
    RUN(one_household_alone_equals_its_place_in_the_stream);
    RUN(callback_failure_stops_generation);
    RUN(villages_group_households_and_have_distinct_names);
    RUN(thousands_of_households_are_valid_consistent_and_realistic);
    RUN(generation_streams_without_accumulating);
    return test_report();
}
