#include "core/rules.h"

#include <stdarg.h>

#include "tests/unit/test.h"

#define HH_ID "0b6f2c4e-8a1d-4c3b-9e7f-1a2b3c4d5e6f"

static const struct dp_date today = {2025, 6, 15};

/* Up to 8 members and 8 visits of one household, freed by fixture_done. */
struct fixture {
    struct record hh;
    struct record m[8];
    size_t nm;
    struct record v[8];
    size_t nv;
};

static bool
set_va(struct record *r, va_list ap)
{
    bool ok = true;
    for (;;) {
        const char *name = va_arg(ap, const char *);
        if (!name)
            break;
        if (record_set(r, name, va_arg(ap, const char *)) != DP_OK)
            ok = false;
    }
    return ok;
}

/* Set up to two name/value pairs (a NULL name ends early). */
static bool
set_va_pairs(struct record *r, const char *n1, const char *v1, const char *n2, const char *v2)
{
    return record_set(r, n1, v1) == DP_OK && (!n2 || record_set(r, n2, v2) == DP_OK);
}

static bool
fixture_init(struct fixture *f, const char *risk)
{
    memset(f, 0, sizeof *f);
    return record_init(&f->hh, &schema_household) == DP_OK &&
           record_set(&f->hh, "id", HH_ID) == DP_OK && record_set(&f->hh, "risk", risk) == DP_OK &&
           record_set(&f->hh, "status", "active") == DP_OK;
}

/* Add a living member; name/value pairs follow, NULL-terminated. */
static struct record *
add_member(struct fixture *f, ...)
{
    if (f->nm == 8)
        return NULL;
    struct record *r = &f->m[f->nm];
    if (record_init(r, &schema_member) != DP_OK)
        return NULL;
    f->nm++;
    char id[37];
    record_new_id(id, sizeof id);
    bool ok = record_set(r, "id", id) == DP_OK && record_set(r, "status", "present") == DP_OK;
    va_list ap;
    va_start(ap, f);
    ok = set_va(r, ap) && ok;
    va_end(ap);
    return ok ? r : NULL;
}

/* Add a completed visit on `date`; more name/value pairs follow, NULL-terminated. */
static struct record *
add_visit(struct fixture *f, const char *date, ...)
{
    if (f->nv == 8)
        return NULL;
    struct record *r = &f->v[f->nv];
    if (record_init(r, &schema_visit) != DP_OK)
        return NULL;
    f->nv++;
    char id[37];
    record_new_id(id, sizeof id);
    bool ok = record_set(r, "id", id) == DP_OK && record_set(r, "date", date) == DP_OK &&
              record_set(r, "outcome", "completed") == DP_OK;
    va_list ap;
    va_start(ap, date);
    ok = set_va(r, ap) && ok;
    va_end(ap);
    return ok ? r : NULL;
}

static void
fixture_done(struct fixture *f)
{
    record_done(&f->hh);
    for (size_t i = 0; i < f->nm; i++)
        record_done(&f->m[i]);
    for (size_t i = 0; i < f->nv; i++)
        record_done(&f->v[i]);
}

static struct dp_date
ymd(int y, int m, int d)
{
    struct dp_date x = {y, m, d};
    return x;
}

static bool
same_date(struct dp_date a, int y, int m, int d)
{
    return a.year == y && a.month == m && a.day == d;
}

static struct risk_suggestion
suggest(const struct fixture *f, const struct dp_date *on)
{
    struct policy p = policy_defaults();
    return rules_suggest_risk(&p, &f->hh, f->m, f->nm, on);
}

static size_t
warnings_of(const struct fixture *f, const struct dp_date *on, struct warning *out, size_t max)
{
    struct policy p = policy_defaults();
    return rules_warnings(&p, &f->hh, f->m, f->nm, f->v, f->nv, on, out, max);
}

/* How many warnings with this code the fixture raises on `on`. */
static int
count_code(const struct fixture *f, const struct dp_date *on, enum warning_code code)
{
    struct warning w[16];
    size_t n = warnings_of(f, on, w, 16);
    int c = 0;
    for (size_t i = 0; i < n && i < 16; i++)
        c += w[i].code == code;
    return c;
}

TEST(policy_defaults_and_check)
{
    struct policy p = policy_defaults();
    CHECK_INT_EQ(p.visit_months[RISK_RED], 1);
    CHECK_INT_EQ(p.visit_months[RISK_YELLOW], 3);
    CHECK_INT_EQ(p.visit_months[RISK_GREEN], 6);
    CHECK_INT_EQ(p.medical_warn_fen, 5000000); /* 50,000 yuan */
    CHECK_INT_EQ(p.working_age_min, 18);
    CHECK_INT_EQ(p.working_age_max, 60);
    struct dp_error err;
    dp_error_clear(&err);
    CHECK_INT_EQ(policy_check(&p, &err), DP_OK);

    struct policy q = p;
    q.visit_months[RISK_YELLOW] = 0;
    CHECK_INT_EQ(policy_check(&q, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "visit_months_yellow");
    q = p;
    q.visit_months[RISK_GREEN] = 25;
    CHECK_INT_EQ(policy_check(&q, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "visit_months_green");
    q = p;
    q.medical_warn_fen = 0;
    CHECK_INT_EQ(policy_check(&q, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "medical_warn_fen");
    q = p;
    q.working_age_max = 17;
    CHECK_INT_EQ(policy_check(&q, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "working_age_max");
    q = p;
    q.working_age_min = -1;
    CHECK_INT_EQ(policy_check(&q, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "working_age_min");
    q = p;
    q.income_drop_percent = 101;
    CHECK_INT_EQ(policy_check(&q, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "income_drop_percent");
}

TEST(risk_tokens_and_texts)
{
    enum risk_class r = RISK_GREEN;
    CHECK(risk_parse("red", &r) && r == RISK_RED);
    CHECK(risk_parse("yellow", &r) && r == RISK_YELLOW);
    CHECK(risk_parse("green", &r) && r == RISK_GREEN);
    r = RISK_YELLOW;
    CHECK(!risk_parse("Red", &r) && !risk_parse("", &r) && !risk_parse(NULL, &r));
    CHECK(r == RISK_YELLOW);
    for (int i = 0; i < RISK_NCLASSES; i++)
        CHECK_STR_EQ(risk_token((enum risk_class)i), schema_risk_choices[i].token);
    CHECK_STR_EQ(risk_token(RISK_NCLASSES), "");

    for (int i = 0; i < RR_COUNT; i++) {
        CHECK(*risk_reason_token((enum risk_reason)i) && *risk_reason_text((enum risk_reason)i));
        for (int j = 0; j < i; j++)
            CHECK(strcmp(risk_reason_token((enum risk_reason)i),
                         risk_reason_token((enum risk_reason)j)) != 0);
    }
    CHECK_STR_EQ(risk_reason_token(RR_COUNT), "");
    CHECK_STR_EQ(risk_reason_token(RR_TEKUN), "tekun");
    for (int i = 0; i < WARN_COUNT; i++) {
        CHECK(*warning_token((enum warning_code)i) && *warning_text((enum warning_code)i));
        for (int j = 0; j < i; j++)
            CHECK(strcmp(warning_token((enum warning_code)i),
                         warning_token((enum warning_code)j)) != 0);
    }
    CHECK_STR_EQ(warning_token(WARN_COUNT), "");
    CHECK_STR_EQ(warning_text(WARN_COUNT), "");
    CHECK_STR_EQ(warning_token(WARN_VISIT_OVERDUE), "visit_overdue");
}

TEST(next_due_by_class)
{
    struct policy p = policy_defaults();
    struct dp_date last = ymd(2025, 3, 10);
    CHECK(same_date(rules_next_due(&p, RISK_RED, &last, &today), 2025, 4, 10));
    CHECK(same_date(rules_next_due(&p, RISK_YELLOW, &last, &today), 2025, 6, 10));
    CHECK(same_date(rules_next_due(&p, RISK_GREEN, &last, &today), 2025, 9, 10));
    CHECK(same_date(rules_next_due(&p, (enum risk_class)9, &last, &today), 2025, 4, 10));
    CHECK(same_date(rules_next_due(&p, RISK_GREEN, NULL, &today), 2025, 6, 15));
    /* Month ends clamp, leap years included. */
    last = ymd(2024, 1, 31);
    CHECK(same_date(rules_next_due(&p, RISK_RED, &last, &today), 2024, 2, 29));
    last = ymd(2025, 1, 31);
    CHECK(same_date(rules_next_due(&p, RISK_RED, &last, &today), 2025, 2, 28));
    last = ymd(2024, 8, 31);
    CHECK(same_date(rules_next_due(&p, RISK_GREEN, &last, &today), 2025, 2, 28));
    last = ymd(2024, 11, 30);
    CHECK(same_date(rules_next_due(&p, RISK_YELLOW, &last, &today), 2025, 2, 28));
    p.visit_months[RISK_GREEN] = 12;
    last = ymd(2024, 2, 29);
    CHECK(same_date(rules_next_due(&p, RISK_GREEN, &last, &today), 2025, 2, 28));
}

TEST(overdue_is_strictly_after_due_day)
{
    struct dp_date due = ymd(2025, 6, 15);
    CHECK(!rules_overdue(&due, &today));
    due = ymd(2025, 6, 14);
    CHECK(rules_overdue(&due, &today));
    due = ymd(2025, 6, 16);
    CHECK(!rules_overdue(&due, &today));
    due = ymd(2024, 12, 31);
    struct dp_date jan1 = ymd(2025, 1, 1);
    CHECK(rules_overdue(&due, &jan1));
}

TEST(household_due_from_visits)
{
    struct fixture f;
    struct policy p = policy_defaults();
    REQUIRE(fixture_init(&f, "yellow"));
    /* Never visited: due today, or the stored due date. */
    CHECK(same_date(rules_household_due(&p, &f.hh, f.v, f.nv, &today), 2025, 6, 15));
    REQUIRE(record_set(&f.hh, "next_visit_due", "2025-05-01") == DP_OK);
    CHECK(same_date(rules_household_due(&p, &f.hh, f.v, f.nv, &today), 2025, 5, 1));

    REQUIRE(add_visit(&f, "2025-01-20", NULL));
    REQUIRE(add_visit(&f, "2025-03-05", NULL));
    REQUIRE(add_visit(&f, "2024-12-01", NULL)); /* order in the array does not matter */
    CHECK(same_date(rules_household_due(&p, &f.hh, f.v, f.nv, &today), 2025, 6, 5));
    /* A later attempt that met nobody does not restart the clock. */
    REQUIRE(add_visit(&f, "2025-05-20", "outcome", "not_home", NULL));
    CHECK(same_date(rules_household_due(&p, &f.hh, f.v, f.nv, &today), 2025, 6, 5));
    /* A deleted visit does not count either. */
    struct record *gone = add_visit(&f, "2025-06-01", NULL);
    REQUIRE(gone);
    gone->deleted = true;
    CHECK(same_date(rules_household_due(&p, &f.hh, f.v, f.nv, &today), 2025, 6, 5));
    gone->deleted = false;
    CHECK(same_date(rules_household_due(&p, &f.hh, f.v, f.nv, &today), 2025, 9, 1));
    /* The class decides the interval; an unknown class is visited like red. */
    REQUIRE(record_set(&f.hh, "risk", "red") == DP_OK);
    CHECK(same_date(rules_household_due(&p, &f.hh, f.v, f.nv, &today), 2025, 7, 1));
    REQUIRE(record_set(&f.hh, "risk", "") == DP_OK);
    CHECK(same_date(rules_household_due(&p, &f.hh, f.v, f.nv, &today), 2025, 7, 1));
    REQUIRE(record_set(&f.hh, "risk", "green") == DP_OK);
    CHECK(same_date(rules_household_due(&p, &f.hh, f.v, f.nv, &today), 2025, 12, 1));
    fixture_done(&f);
}

TEST(household_due_respects_earlier_next_visit)
{
    struct fixture f;
    struct policy p = policy_defaults();
    REQUIRE(fixture_init(&f, "green"));
    struct record *v = add_visit(&f, "2025-06-01", "next_visit", "2025-06-20", NULL);
    REQUIRE(v);
    CHECK(same_date(rules_household_due(&p, &f.hh, f.v, f.nv, &today), 2025, 6, 20));
    /* Later than policy allows: policy wins. */
    REQUIRE(record_set(v, "next_visit", "2026-01-01") == DP_OK);
    CHECK(same_date(rules_household_due(&p, &f.hh, f.v, f.nv, &today), 2025, 12, 1));
    /* A follow-up asked for at an attempt after the last completed visit counts... */
    REQUIRE(add_visit(&f, "2025-06-10", "outcome", "not_home", "next_visit", "2025-06-17", NULL));
    CHECK(same_date(rules_household_due(&p, &f.hh, f.v, f.nv, &today), 2025, 6, 17));
    /* ...one from before the last completed visit is superseded. */
    REQUIRE(add_visit(&f, "2025-05-01", "next_visit", "2025-05-10", NULL));
    CHECK(same_date(rules_household_due(&p, &f.hh, f.v, f.nv, &today), 2025, 6, 17));
    fixture_done(&f);
}

TEST(suggest_green_and_each_red_reason)
{
    struct fixture f;
    REQUIRE(fixture_init(&f, "green"));
    REQUIRE(add_member(&f, "birth_date", "1980-05-15", "work", "farming", NULL));
    REQUIRE(add_member(&f, "birth_date", "2012-01-01", "work", "student", NULL));
    struct risk_suggestion s = suggest(&f, &today);
    CHECK_INT_EQ(s.risk, RISK_GREEN);
    CHECK_INT_EQ(s.reasons, 0);

    REQUIRE(record_set(&f.hh, "categories", "tekun_dispersed") == DP_OK);
    s = suggest(&f, &today);
    CHECK_INT_EQ(s.risk, RISK_RED);
    CHECK_INT_EQ(s.reasons, 1u << RR_TEKUN);
    REQUIRE(record_set(&f.hh, "categories", "dibao,tekun_central") == DP_OK);
    CHECK_INT_EQ(suggest(&f, &today).reasons, 1u << RR_TEKUN);
    REQUIRE(record_set(&f.hh, "categories", "dibao,dibao_edge,temp_assist") == DP_OK);
    CHECK_INT_EQ(suggest(&f, &today).risk, RISK_GREEN);

    static const struct {
        const char *field, *value;
        enum risk_class risk;
        enum risk_reason reason;
    } cases[] = {
        {"disability_grade", "1", RISK_RED, RR_SEVERE_DISABILITY},
        {"disability_grade", "2", RISK_RED, RR_SEVERE_DISABILITY},
        {"disability_grade", "3", RISK_GREEN, RR_COUNT},
        {"disability_grade", "none", RISK_GREEN, RR_COUNT},
        {"left_behind_child", "1", RISK_RED, RR_LEFT_BEHIND_CHILD},
        {"left_behind_child", "0", RISK_GREEN, RR_COUNT},
        {"elderly_alone", "1", RISK_RED, RR_ELDERLY_ALONE},
        {"serious_illness", "1", RISK_YELLOW, RR_SERIOUS_ILLNESS},
        {"serious_illness", "0", RISK_GREEN, RR_COUNT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        REQUIRE(record_set(&f.m[1], cases[i].field, cases[i].value) == DP_OK);
        s = suggest(&f, &today);
        unsigned want = cases[i].reason == RR_COUNT ? 0 : 1u << cases[i].reason;
        if (s.risk != cases[i].risk || s.reasons != want)
            TEST_FAIL_("%s=%s: risk %d reasons %#x", cases[i].field, cases[i].value, s.risk,
                       s.reasons);
        /* The same circumstance on a deceased member suggests nothing. */
        REQUIRE(record_set(&f.m[1], "status", "deceased") == DP_OK);
        s = suggest(&f, &today);
        CHECK_INT_EQ(s.risk, RISK_GREEN);
        REQUIRE(record_set(&f.m[1], "status", "away") == DP_OK);
        CHECK_INT_EQ(suggest(&f, &today).risk, cases[i].risk); /* away still counts */
        REQUIRE(record_set(&f.m[1], "status", "present") == DP_OK);
        REQUIRE(record_set(&f.m[1], cases[i].field, "") == DP_OK);
    }
    fixture_done(&f);
}

TEST(suggest_reports_every_reason_and_red_wins)
{
    struct fixture f;
    REQUIRE(fixture_init(&f, "green"));
    REQUIRE(add_member(&f, "birth_date", "1940-01-01", "elderly_alone", "1", "serious_illness", "1",
                       "work", "retired", NULL));
    struct risk_suggestion s = suggest(&f, &today);
    CHECK_INT_EQ(s.risk, RISK_RED);
    CHECK_INT_EQ(s.reasons,
                 (1u << RR_ELDERLY_ALONE) | (1u << RR_SERIOUS_ILLNESS) | (1u << RR_NO_WORKER));
    REQUIRE(record_set(&f.m[0], "elderly_alone", "0") == DP_OK);
    s = suggest(&f, &today);
    CHECK_INT_EQ(s.risk, RISK_YELLOW);
    CHECK_INT_EQ(s.reasons, (1u << RR_SERIOUS_ILLNESS) | (1u << RR_NO_WORKER));
    fixture_done(&f);
}

TEST(suggest_working_age_edges)
{
    struct fixture f;
    REQUIRE(fixture_init(&f, "green"));
    struct record *m = add_member(&f, "work", "migrant", NULL);
    REQUIRE(m);
    static const struct {
        const char *birth;
        bool working_age;
    } cases[] = {
        {"2007-06-15", true},  /* 18th birthday today */
        {"2007-06-16", false}, /* 18 tomorrow */
        {"1965-06-15", true},  /* 60th birthday today */
        {"1964-06-16", true},  /* 61 tomorrow: still 60 */
        {"1964-06-15", false}, /* 61st birthday today */
        {"1930-01-01", false}, {"2015-01-01", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        REQUIRE(record_set(m, "birth_date", cases[i].birth) == DP_OK);
        struct risk_suggestion s = suggest(&f, &today);
        unsigned want = cases[i].working_age ? 0 : 1u << RR_NO_WORKER;
        if (s.reasons != want)
            TEST_FAIL_("born %s: reasons %#x, want %#x", cases[i].birth, s.reasons, want);
    }
    /* Working age but not working, or work unknown. */
    REQUIRE(record_set(m, "birth_date", "1990-01-01") == DP_OK);
    CHECK_INT_EQ(suggest(&f, &today).reasons, 0);
    static const char *const idle[] = {"unemployed", "student", "retired", "unable", ""};
    for (size_t i = 0; i < sizeof idle / sizeof idle[0]; i++) {
        REQUIRE(record_set(m, "work", idle[i]) == DP_OK);
        CHECK_INT_EQ(suggest(&f, &today).reasons, 1u << RR_NO_WORKER);
    }
    static const char *const busy[] = {"farming", "employed", "migrant", "self_employed"};
    for (size_t i = 0; i < sizeof busy / sizeof busy[0]; i++) {
        REQUIRE(record_set(m, "work", busy[i]) == DP_OK);
        CHECK_INT_EQ(suggest(&f, &today).reasons, 0);
    }
    /* Age unknown but working: given the benefit of the doubt. */
    REQUIRE(record_set(m, "birth_date", "") == DP_OK);
    CHECK_INT_EQ(suggest(&f, &today).reasons, 0);
    /* The birth date encoded in the ID number is used when birth_date is unset. */
    REQUIRE(record_set(m, "id_number", "110101200603010042") == DP_OK); /* born 2006-03-01 */
    CHECK_INT_EQ(suggest(&f, &today).reasons, 0);
    struct dp_date feb28 = ymd(2024, 2, 28), mar1 = ymd(2024, 3, 1);
    CHECK_INT_EQ(suggest(&f, &feb28).reasons, 1u << RR_NO_WORKER); /* 17 */
    CHECK_INT_EQ(suggest(&f, &mar1).reasons, 0);                   /* 18 */
    fixture_done(&f);
}

TEST(suggest_leap_day_birthday)
{
    struct fixture f;
    REQUIRE(fixture_init(&f, "green"));
    /* Born 2000-02-29 (ID number only): 18 is reached on 1 March in a common year. */
    REQUIRE(add_member(&f, "id_number", "110101200002290018", "work", "employed", NULL));
    struct dp_date d = ymd(2018, 2, 28);
    CHECK_INT_EQ(suggest(&f, &d).reasons, 1u << RR_NO_WORKER);
    d = ymd(2018, 3, 1);
    CHECK_INT_EQ(suggest(&f, &d).reasons, 0);
    /* Leaving working age: 61 on 1 March 2065 (a common year), still 60 on 28 February. */
    REQUIRE(record_set(&f.m[0], "id_number", "") == DP_OK);
    REQUIRE(record_set(&f.m[0], "birth_date", "2004-02-29") == DP_OK);
    d = ymd(2065, 2, 28);
    CHECK_INT_EQ(suggest(&f, &d).reasons, 0);
    d = ymd(2065, 3, 1);
    CHECK_INT_EQ(suggest(&f, &d).reasons, 1u << RR_NO_WORKER);
    /* In a leap year the birthday itself: 20 on 2020-02-29 with a working age from 20. */
    struct policy p = policy_defaults();
    p.working_age_min = 20;
    REQUIRE(record_set(&f.m[0], "birth_date", "2000-02-29") == DP_OK);
    d = ymd(2020, 2, 28);
    CHECK_INT_EQ(rules_suggest_risk(&p, &f.hh, f.m, f.nm, &d).reasons, 1u << RR_NO_WORKER);
    d = ymd(2020, 2, 29);
    CHECK_INT_EQ(rules_suggest_risk(&p, &f.hh, f.m, f.nm, &d).reasons, 0);
    fixture_done(&f);
}

TEST(suggest_without_members)
{
    struct fixture f;
    REQUIRE(fixture_init(&f, "green"));
    struct risk_suggestion s = suggest(&f, &today);
    CHECK_INT_EQ(s.risk, RISK_YELLOW);
    CHECK_INT_EQ(s.reasons, 1u << RR_NO_MEMBERS);
    struct record *m = add_member(&f, "birth_date", "1980-01-01", "work", "farming", NULL);
    REQUIRE(m);
    CHECK_INT_EQ(suggest(&f, &today).reasons, 0);
    m->deleted = true;
    CHECK_INT_EQ(suggest(&f, &today).reasons, 1u << RR_NO_MEMBERS);
    m->deleted = false;
    REQUIRE(record_set(m, "status", "deceased") == DP_OK);
    CHECK_INT_EQ(suggest(&f, &today).reasons, 1u << RR_NO_MEMBERS);
    REQUIRE(record_set(&f.hh, "categories", "tekun_central") == DP_OK);
    s = suggest(&f, &today);
    CHECK_INT_EQ(s.risk, RISK_RED);
    CHECK_INT_EQ(s.reasons, (1u << RR_TEKUN) | (1u << RR_NO_MEMBERS));
    fixture_done(&f);
}

/* ---- warnings -------------------------------------------------------------- */

/* A household with a working adult and a visit today: no warnings at all. */
static bool
quiet_household(struct fixture *f, const char *risk)
{
    return fixture_init(f, risk) &&
           add_member(f, "birth_date", "1980-01-01", "work", "farming", "main_earner", "1", NULL) &&
           add_visit(f, "2025-06-15", NULL);
}

TEST(warnings_none_for_quiet_household)
{
    struct fixture f;
    REQUIRE(quiet_household(&f, "red"));
    struct warning w[4];
    CHECK_INT_EQ(warnings_of(&f, &today, w, 4), 0);
    CHECK_INT_EQ(warnings_of(&f, &today, NULL, 0), 0);
    fixture_done(&f);
}

TEST(warning_medical_cost)
{
    struct fixture f;
    REQUIRE(quiet_household(&f, "green"));
    struct record *v = add_visit(&f, "2025-03-01", "medical_yearly", "5000001", NULL);
    REQUIRE(v);
    struct warning w[4];
    REQUIRE(warnings_of(&f, &today, w, 4) == 1);
    CHECK_INT_EQ(w[0].code, WARN_MEDICAL_COST);
    CHECK_STR_EQ(w[0].record_id, record_get(v, "id"));
    CHECK(same_date(w[0].date, 2025, 3, 1));

    /* Exactly the threshold is not above it. */
    REQUIRE(record_set(v, "medical_yearly", "5000000") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &today, WARN_MEDICAL_COST), 0);
    REQUIRE(record_set(v, "medical_yearly", "5000001") == DP_OK);

    /* The window: exactly 12 months back counts, a day more does not. */
    REQUIRE(record_set(v, "date", "2024-06-15") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &today, WARN_MEDICAL_COST), 1);
    REQUIRE(record_set(v, "date", "2024-06-14") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &today, WARN_MEDICAL_COST), 0);
    struct dp_date leap = ymd(2024, 2, 29);
    REQUIRE(record_set(v, "date", "2023-02-28") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &leap, WARN_MEDICAL_COST), 1);
    REQUIRE(record_set(v, "date", "2023-02-27") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &leap, WARN_MEDICAL_COST), 0);
    REQUIRE(record_set(v, "date", "2025-03-01") == DP_OK);

    /* The latest figure decides: a later, lower one clears the warning... */
    struct record *later = add_visit(&f, "2025-05-01", "medical_yearly", "100000", NULL);
    REQUIRE(later);
    CHECK_INT_EQ(count_code(&f, &today, WARN_MEDICAL_COST), 0);
    /* ...a later visit that recorded no figure does not. */
    REQUIRE(record_set(later, "medical_yearly", "") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &today, WARN_MEDICAL_COST), 1);
    /* A deleted visit's figure is ignored. */
    v->deleted = true;
    CHECK_INT_EQ(count_code(&f, &today, WARN_MEDICAL_COST), 0);
    v->deleted = false;

    /* Two figures on one day: the visit later in the array is the latest. */
    REQUIRE(record_set(later, "date", "2025-03-01") == DP_OK);
    REQUIRE(record_set(later, "medical_yearly", "100000") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &today, WARN_MEDICAL_COST), 0);
    REQUIRE(record_set(later, "medical_yearly", "") == DP_OK);

    /* The policy sets the threshold. */
    struct policy p = policy_defaults();
    p.medical_warn_fen = 6000000;
    CHECK_INT_EQ(rules_warnings(&p, &f.hh, f.m, f.nm, f.v, f.nv, &today, w, 4), 0);
    fixture_done(&f);
}

TEST(warning_earner_died)
{
    struct fixture f;
    REQUIRE(quiet_household(&f, "yellow"));
    struct record *m =
        add_member(&f, "status", "deceased", "main_earner", "1", "birth_date", "1985-02-01", NULL);
    REQUIRE(m);
    struct warning w[4];
    REQUIRE(warnings_of(&f, &today, w, 4) == 1);
    CHECK_INT_EQ(w[0].code, WARN_EARNER_DIED);
    CHECK_STR_EQ(w[0].record_id, record_get(m, "id"));
    CHECK(same_date(w[0].date, 0, 0, 0));

    static const struct {
        const char *birth;
        int warn;
    } ages[] = {
        {"2007-06-15", 1}, /* 18 today */
        {"2007-06-16", 0}, /* 17 */
        {"1965-06-15", 1}, /* 60 today */
        {"1964-06-16", 1}, /* 60, 61 tomorrow */
        {"1964-06-15", 0}, /* 61 today */
        {"", 1},           /* age unknown: flag for a visit */
    };
    for (size_t i = 0; i < sizeof ages / sizeof ages[0]; i++) {
        REQUIRE(record_set(m, "birth_date", ages[i].birth) == DP_OK);
        int got = count_code(&f, &today, WARN_EARNER_DIED);
        if (got != ages[i].warn)
            TEST_FAIL_("born \"%s\": %d warnings, want %d", ages[i].birth, got, ages[i].warn);
    }
    /* The age may come from the ID number: born 2000-02-29, 18 on 1 March 2018. */
    REQUIRE(set_va_pairs(m, "birth_date", "", "id_number", "110101200002290018"));
    struct dp_date d = ymd(2018, 2, 28);
    CHECK_INT_EQ(count_code(&f, &d, WARN_EARNER_DIED), 0);
    d = ymd(2018, 3, 1);
    CHECK_INT_EQ(count_code(&f, &d, WARN_EARNER_DIED), 1);
    REQUIRE(set_va_pairs(m, "id_number", "", "birth_date", "1985-02-01"));

    /* Not the main earner, alive, or deleted: no warning. */
    REQUIRE(record_set(m, "main_earner", "0") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &today, WARN_EARNER_DIED), 0);
    REQUIRE(record_set(m, "main_earner", "1") == DP_OK);
    REQUIRE(record_set(m, "status", "away") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &today, WARN_EARNER_DIED), 0);
    REQUIRE(record_set(m, "status", "deceased") == DP_OK);
    m->deleted = true;
    CHECK_INT_EQ(count_code(&f, &today, WARN_EARNER_DIED), 0);
    m->deleted = false;
    CHECK_INT_EQ(count_code(&f, &today, WARN_EARNER_DIED), 1);
    fixture_done(&f);
}

TEST(warning_visit_overdue)
{
    struct fixture f;
    REQUIRE(fixture_init(&f, "green"));
    REQUIRE(add_member(&f, "birth_date", "1980-01-01", "work", "farming", NULL));
    REQUIRE(add_visit(&f, "2024-12-15", NULL));
    /* Due 2025-06-15: on the day not overdue, the day after overdue. */
    CHECK_INT_EQ(count_code(&f, &today, WARN_VISIT_OVERDUE), 0);
    struct dp_date next = ymd(2025, 6, 16);
    struct warning w[4];
    REQUIRE(warnings_of(&f, &next, w, 4) == 1);
    CHECK_INT_EQ(w[0].code, WARN_VISIT_OVERDUE);
    CHECK_STR_EQ(w[0].record_id, "");
    CHECK(same_date(w[0].date, 2025, 6, 15));
    /* The class's interval decides: yellow was due in March. */
    REQUIRE(record_set(&f.hh, "risk", "yellow") == DP_OK);
    REQUIRE(warnings_of(&f, &today, w, 4) == 1);
    CHECK(same_date(w[0].date, 2025, 3, 15));
    /* Never visited: due on the stored date, overdue after it. */
    fixture_done(&f);
    REQUIRE(fixture_init(&f, "red"));
    REQUIRE(add_member(&f, "birth_date", "1980-01-01", "work", "farming", NULL));
    CHECK_INT_EQ(count_code(&f, &today, WARN_VISIT_OVERDUE), 0);
    REQUIRE(record_set(&f.hh, "next_visit_due", "2025-06-14") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &today, WARN_VISIT_OVERDUE), 1);
    fixture_done(&f);
}

TEST(warning_income_drop)
{
    struct fixture f;
    REQUIRE(quiet_household(&f, "green"));
    REQUIRE(add_visit(&f, "2025-01-10", "monthly_income", "100000", NULL));
    struct record *v = add_visit(&f, "2025-05-10", "monthly_income", "50000", NULL);
    REQUIRE(v);
    struct warning w[4];
    REQUIRE(warnings_of(&f, &today, w, 4) == 1);
    CHECK_INT_EQ(w[0].code, WARN_INCOME_DROP);
    CHECK_STR_EQ(w[0].record_id, record_get(v, "id"));
    CHECK(same_date(w[0].date, 2025, 5, 10));
    /* Just under half the fall: nothing. */
    REQUIRE(record_set(v, "monthly_income", "50001") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &today, WARN_INCOME_DROP), 0);
    REQUIRE(record_set(v, "monthly_income", "0") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &today, WARN_INCOME_DROP), 1);
    /* Turned off by policy. */
    struct policy p = policy_defaults();
    p.income_drop_percent = 0;
    CHECK_INT_EQ(rules_warnings(&p, &f.hh, f.m, f.nm, f.v, f.nv, &today, w, 4), 0);
    /* A rise, or nothing before, or an earlier income of 0: nothing. */
    REQUIRE(record_set(v, "monthly_income", "200000") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &today, WARN_INCOME_DROP), 0);
    REQUIRE(record_set(v, "monthly_income", "0") == DP_OK);
    REQUIRE(record_set(&f.v[1], "monthly_income", "0") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &today, WARN_INCOME_DROP), 0);
    REQUIRE(record_set(&f.v[1], "monthly_income", "") == DP_OK);
    CHECK_INT_EQ(count_code(&f, &today, WARN_INCOME_DROP), 0);
    /* The latest figure must be from the past year. */
    REQUIRE(record_set(&f.v[1], "monthly_income", "100000") == DP_OK);
    REQUIRE(set_va_pairs(&f.v[1], "date", "2024-01-10", NULL, NULL));
    REQUIRE(set_va_pairs(v, "date", "2024-05-10", NULL, NULL));
    CHECK_INT_EQ(count_code(&f, &today, WARN_INCOME_DROP), 0);
    struct dp_date then = ymd(2024, 6, 1);
    CHECK_INT_EQ(count_code(&f, &then, WARN_INCOME_DROP), 1);
    /* Two figures on the same day: the later one in the array is the latest. */
    REQUIRE(set_va_pairs(v, "date", "2024-01-10", NULL, NULL));
    CHECK_INT_EQ(count_code(&f, &then, WARN_INCOME_DROP), 0); /* no earlier-dated figure */
    fixture_done(&f);
}

TEST(warnings_order_truncation_and_status)
{
    struct fixture f;
    REQUIRE(fixture_init(&f, "red"));
    REQUIRE(
        add_member(&f, "status", "deceased", "main_earner", "1", "birth_date", "1980-01-01", NULL));
    REQUIRE(add_member(&f, "status", "deceased", "main_earner", "1", NULL));
    REQUIRE(add_visit(&f, "2025-01-10", "monthly_income", "100000", NULL));
    REQUIRE(
        add_visit(&f, "2025-02-10", "monthly_income", "10000", "medical_yearly", "9000000", NULL));
    struct warning w[8];
    REQUIRE(warnings_of(&f, &today, w, 8) == 5);
    CHECK_INT_EQ(w[0].code, WARN_MEDICAL_COST);
    CHECK_INT_EQ(w[1].code, WARN_EARNER_DIED);
    CHECK_STR_EQ(w[1].record_id, record_get(&f.m[0], "id"));
    CHECK_INT_EQ(w[2].code, WARN_EARNER_DIED);
    CHECK_STR_EQ(w[2].record_id, record_get(&f.m[1], "id"));
    CHECK_INT_EQ(w[3].code, WARN_VISIT_OVERDUE);
    CHECK(same_date(w[3].date, 2025, 3, 10));
    CHECK_INT_EQ(w[4].code, WARN_INCOME_DROP);

    /* Room for two: the first two written, the total still returned, nothing past max. */
    struct warning small[3];
    memset(small, 0x5a, sizeof small);
    CHECK_INT_EQ(warnings_of(&f, &today, small, 2), 5);
    CHECK_INT_EQ(small[0].code, WARN_MEDICAL_COST);
    CHECK_INT_EQ(small[1].code, WARN_EARNER_DIED);
    unsigned char *tail = (unsigned char *)&small[2];
    bool untouched = true;
    for (size_t i = 0; i < sizeof small[2]; i++)
        untouched = untouched && tail[i] == 0x5a;
    CHECK(untouched);
    CHECK_INT_EQ(warnings_of(&f, &today, NULL, 0), 5);
    CHECK_INT_EQ(warnings_of(&f, &today, NULL, 3), 5);

    /* Households that moved or dissolved, or are deleted, raise nothing. */
    REQUIRE(record_set(&f.hh, "status", "moved") == DP_OK);
    CHECK_INT_EQ(warnings_of(&f, &today, w, 8), 0);
    REQUIRE(record_set(&f.hh, "status", "dissolved") == DP_OK);
    CHECK_INT_EQ(warnings_of(&f, &today, w, 8), 0);
    REQUIRE(record_set(&f.hh, "status", "active") == DP_OK);
    f.hh.deleted = true;
    CHECK_INT_EQ(warnings_of(&f, &today, w, 8), 0);
    fixture_done(&f);
}

int
main(void)
{
    RUN(policy_defaults_and_check);
    RUN(risk_tokens_and_texts);
    RUN(next_due_by_class);
    RUN(overdue_is_strictly_after_due_day);
    RUN(household_due_from_visits);
    RUN(household_due_respects_earlier_next_visit);
    RUN(suggest_green_and_each_red_reason);
    RUN(suggest_reports_every_reason_and_red_wins);
    RUN(suggest_working_age_edges);
    RUN(suggest_leap_day_birthday);
    RUN(suggest_without_members);
    RUN(warnings_none_for_quiet_household);
    RUN(warning_medical_cost);
    RUN(warning_earner_died);
    RUN(warning_visit_overdue);
    RUN(warning_income_drop);
    RUN(warnings_order_truncation_and_status);
    return test_report();
}
