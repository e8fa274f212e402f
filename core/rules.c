#include "core/rules.h"

#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "core/money.h"
#include "core/validate.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *token;
    enum risk_class risk;
    const char *text;
} reasons[] = {
    [RR_TEKUN] = {"tekun", RISK_RED, N_("receives extreme-poverty (five guarantees) support")},
    [RR_SEVERE_DISABILITY] = {"severe_disability", RISK_RED,
                              N_("a member has a grade 1 or 2 disability")},
    [RR_LEFT_BEHIND_CHILD] = {"left_behind_child", RISK_RED, N_("a left-behind child")},
    [RR_ELDERLY_ALONE] = {"elderly_alone", RISK_RED, N_("an elderly person living alone")},
    [RR_SERIOUS_ILLNESS] = {"serious_illness", RISK_YELLOW, N_("a member is seriously ill")},
    [RR_NO_WORKER] = {"no_worker", RISK_YELLOW,
                      N_("no member of working age is recorded as working")},
    [RR_NO_MEMBERS] = {"no_members", RISK_YELLOW, N_("no living members are recorded")},
};
_Static_assert(COUNT(reasons) == RR_COUNT, "one entry per enum risk_reason");

static const struct {
    const char *token;
    const char *text;
} warnings[] = {
    [WARN_MEDICAL_COST] = {"medical_cost", N_("out-of-pocket medical costs above the threshold")},
    [WARN_EARNER_DIED] = {"earner_died", N_("a working-age main earner has died")},
    [WARN_VISIT_OVERDUE] = {"visit_overdue", N_("visit overdue for the risk class")},
    [WARN_INCOME_DROP] = {"income_drop",
                          N_("monthly income fell sharply since the previous visit")},
};
_Static_assert(COUNT(warnings) == WARN_COUNT, "one entry per enum warning_code");

static const char *const risk_tokens[RISK_NCLASSES] = {"red", "yellow", "green"};

/* Work that counts as capacity for self-help. */
static const char *const working[] = {"farming", "employed", "migrant", "self_employed"};

struct policy
policy_defaults(void)
{
    struct policy p = {
        .visit_months = {[RISK_RED] = 1, [RISK_YELLOW] = 3, [RISK_GREEN] = 6},
        .medical_warn_fen = INT64_C(5000000), /* 50,000 yuan */
        .working_age_min = 18,
        .working_age_max = 60,
        .income_drop_percent = 50,
    };
    return p;
}

enum dp_status
policy_check(const struct policy *p, struct dp_error *err)
{
    static const char *const keys[RISK_NCLASSES] = {"visit_months_red", "visit_months_yellow",
                                                    "visit_months_green"};
    for (int i = 0; i < RISK_NCLASSES; i++)
        if (p->visit_months[i] < 1 || p->visit_months[i] > 24)
            return dp_error_set(err, DP_EINVAL, keys[i], _("must be 1 to 24 months"));
    if (p->medical_warn_fen < 1 || p->medical_warn_fen > MONEY_MAX_FEN)
        return dp_error_set(err, DP_EINVAL, "medical_warn_fen", _("is out of range"));
    if (p->working_age_min < 0 || p->working_age_min > 120)
        return dp_error_set(err, DP_EINVAL, "working_age_min", _("must be 0 to 120 years"));
    if (p->working_age_max < p->working_age_min || p->working_age_max > 120)
        return dp_error_set(err, DP_EINVAL, "working_age_max",
                            _("must be between the minimum working age and 120 years"));
    if (p->income_drop_percent < 0 || p->income_drop_percent > 100)
        return dp_error_set(err, DP_EINVAL, "income_drop_percent", _("must be 0 to 100"));
    return DP_OK;
}

bool
risk_parse(const char *token, enum risk_class *out)
{
    if (!token)
        return false;
    for (int i = 0; i < RISK_NCLASSES; i++) {
        if (strcmp(token, risk_tokens[i]) == 0) {
            *out = (enum risk_class)i;
            return true;
        }
    }
    return false;
}

const char *
risk_token(enum risk_class risk)
{
    return (unsigned)risk < RISK_NCLASSES ? risk_tokens[risk] : "";
}

const char *
risk_reason_token(enum risk_reason reason)
{
    return (unsigned)reason < RR_COUNT ? reasons[reason].token : "";
}

const char *
risk_reason_text(enum risk_reason reason)
{
    return (unsigned)reason < RR_COUNT ? reasons[reason].text : "";
}

const char *
warning_token(enum warning_code code)
{
    return (unsigned)code < WARN_COUNT ? warnings[code].token : "";
}

const char *
warning_text(enum warning_code code)
{
    return (unsigned)code < WARN_COUNT ? warnings[code].text : "";
}

/* ---- helpers --------------------------------------------------------------- */

static bool
is(const struct record *r, const char *field, const char *token)
{
    const char *v = record_get(r, field);
    return v && strcmp(v, token) == 0;
}

/* A record that still counts: not a tombstone. */
static bool
live(const struct record *r)
{
    return r->values && !r->deleted;
}

static bool
alive_member(const struct record *m)
{
    return live(m) && !is(m, "status", "deceased");
}

bool
rules_member_birth(const struct record *member, struct dp_date *out)
{
    if (record_get_date(member, "birth_date", out) == DP_OK)
        return true;
    const char *idn = record_get(member, "id_number");
    struct id_number_info info;
    if (!idn || !*idn || validate_id_number(idn, NULL, &info, "id_number", NULL) != DP_OK)
        return false;
    *out = info.birth;
    return true;
}

/* 1 within working age on `on`, 0 outside it, -1 when the age is unknown. */
static int
working_age(const struct policy *p, const struct record *member, const struct dp_date *on)
{
    struct dp_date birth;
    if (!rules_member_birth(member, &birth))
        return -1;
    int age = date_age(&birth, on);
    return age >= p->working_age_min && age <= p->working_age_max;
}

static bool
works(const struct record *member)
{
    for (size_t i = 0; i < COUNT(working); i++)
        if (is(member, "work", working[i]))
            return true;
    return false;
}

/* Ties on the date go to the later position, so callers can pass visits in saved order. */
static bool
later_or_same(const struct dp_date *d, const struct dp_date *best, bool have_best)
{
    return !have_best || date_compare(d, best) >= 0;
}

/* ---- schedule -------------------------------------------------------------- */

struct dp_date
rules_next_due(const struct policy *p, enum risk_class risk, const struct dp_date *last_visit,
               const struct dp_date *today)
{
    if (!last_visit)
        return *today;
    if ((unsigned)risk >= RISK_NCLASSES)
        risk = RISK_RED;
    return date_add_months(last_visit, p->visit_months[risk]);
}

bool
rules_overdue(const struct dp_date *due, const struct dp_date *today)
{
    return date_compare(due, today) < 0;
}

struct dp_date
rules_household_due(const struct policy *p, const struct record *household,
                    const struct record *visits, size_t nvisits, const struct dp_date *today)
{
    enum risk_class risk;
    if (!risk_parse(record_get(household, "risk"), &risk))
        risk = RISK_RED;

    struct dp_date last = {0}, d;
    bool have_last = false;
    for (size_t i = 0; i < nvisits; i++) {
        if (!live(&visits[i]) || !is(&visits[i], "outcome", "completed"))
            continue;
        if (record_get_date(&visits[i], "date", &d) != DP_OK)
            continue;
        if (later_or_same(&d, &last, have_last)) {
            last = d;
            have_last = true;
        }
    }

    struct dp_date due;
    if (have_last)
        due = rules_next_due(p, risk, &last, today);
    else if (record_get_date(household, "next_visit_due", &due) != DP_OK)
        due = *today;

    /* A worker may ask for an earlier visit than policy; never a later one. */
    for (size_t i = 0; i < nvisits; i++) {
        struct dp_date next;
        if (!live(&visits[i]) || record_get_date(&visits[i], "date", &d) != DP_OK)
            continue;
        if (have_last && date_compare(&d, &last) < 0)
            continue;
        if (record_get_date(&visits[i], "next_visit", &next) == DP_OK &&
            date_compare(&next, &due) < 0)
            due = next;
    }
    return due;
}

/* ---- risk suggestion ------------------------------------------------------- */

struct risk_suggestion
rules_suggest_risk(const struct policy *p, const struct record *household,
                   const struct record *members, size_t nmembers, const struct dp_date *today)
{
    unsigned found = 0;
    if (record_set_has(household, "categories", "tekun_central") ||
        record_set_has(household, "categories", "tekun_dispersed"))
        found |= 1u << RR_TEKUN;

    size_t living = 0;
    bool worker = false;
    for (size_t i = 0; i < nmembers; i++) {
        const struct record *m = &members[i];
        if (!alive_member(m))
            continue;
        living++;
        if (is(m, "disability_grade", "1") || is(m, "disability_grade", "2"))
            found |= 1u << RR_SEVERE_DISABILITY;
        if (record_get_bool(m, "left_behind_child"))
            found |= 1u << RR_LEFT_BEHIND_CHILD;
        if (record_get_bool(m, "elderly_alone"))
            found |= 1u << RR_ELDERLY_ALONE;
        if (record_get_bool(m, "serious_illness"))
            found |= 1u << RR_SERIOUS_ILLNESS;
        if (works(m) && working_age(p, m, today) != 0)
            worker = true;
    }
    if (living == 0)
        found |= 1u << RR_NO_MEMBERS;
    else if (!worker)
        found |= 1u << RR_NO_WORKER;

    struct risk_suggestion s = {.risk = RISK_GREEN, .reasons = found};
    for (int r = 0; r < RR_COUNT; r++)
        if ((found & (1u << r)) && reasons[r].risk < s.risk)
            s.risk = reasons[r].risk;
    return s;
}

/* ---- early warnings -------------------------------------------------------- */

/* Adds one warning if there is room; always counts it. */
static void
emit(struct warning *out, size_t max, size_t *n, enum warning_code code, const struct record *r,
     const struct dp_date *date)
{
    if (*n < max) {
        struct warning *w = &out[*n];
        memset(w, 0, sizeof *w);
        w->code = code;
        const char *id = r ? record_get(r, "id") : NULL;
        if (id)
            snprintf(w->record_id, sizeof w->record_id, "%s", id);
        if (date)
            w->date = *date;
    }
    (*n)++;
}

/*
 * The latest visit on or after `since` that recorded money field `field`,
 * and optionally the latest one dated strictly before it. Returns the index
 * of the latest or -1; *prev gets the earlier one's index or -1.
 */
static long
latest_with(const struct record *visits, size_t nvisits, const char *field,
            const struct dp_date *since, long *prev)
{
    long best = -1;
    struct dp_date best_date = {0}, d;
    int64_t fen;
    for (size_t i = 0; i < nvisits; i++) {
        if (!live(&visits[i]) || record_get_date(&visits[i], "date", &d) != DP_OK ||
            record_get_money(&visits[i], field, &fen) != DP_OK)
            continue;
        if (later_or_same(&d, &best_date, best >= 0)) {
            best = (long)i;
            best_date = d;
        }
    }
    if (best >= 0 && date_compare(&best_date, since) < 0)
        best = -1;
    if (!prev)
        return best;
    *prev = -1;
    if (best < 0)
        return best;
    struct dp_date prev_date = {0};
    for (size_t i = 0; i < nvisits; i++) {
        if (!live(&visits[i]) || record_get_date(&visits[i], "date", &d) != DP_OK ||
            record_get_money(&visits[i], field, &fen) != DP_OK)
            continue;
        if (date_compare(&d, &best_date) < 0 && later_or_same(&d, &prev_date, *prev >= 0)) {
            *prev = (long)i;
            prev_date = d;
        }
    }
    return best;
}

size_t
rules_warnings(const struct policy *p, const struct record *household, const struct record *members,
               size_t nmembers, const struct record *visits, size_t nvisits,
               const struct dp_date *today, struct warning *out, size_t max)
{
    size_t n = 0;
    if (!out)
        max = 0;
    if (!live(household))
        return 0;
    const char *status = record_get(household, "status");
    if (status && *status && strcmp(status, "active") != 0)
        return 0;

    struct dp_date year_ago = date_add_months(today, -12), d;
    int64_t fen, before;

    long v = latest_with(visits, nvisits, "medical_yearly", &year_ago, NULL);
    if (v >= 0 && record_get_money(&visits[v], "medical_yearly", &fen) == DP_OK &&
        fen > p->medical_warn_fen && record_get_date(&visits[v], "date", &d) == DP_OK)
        emit(out, max, &n, WARN_MEDICAL_COST, &visits[v], &d);

    for (size_t i = 0; i < nmembers; i++) {
        const struct record *m = &members[i];
        if (live(m) && is(m, "status", "deceased") && record_get_bool(m, "main_earner") &&
            working_age(p, m, today) != 0)
            emit(out, max, &n, WARN_EARNER_DIED, m, NULL);
    }

    struct dp_date due = rules_household_due(p, household, visits, nvisits, today);
    if (rules_overdue(&due, today))
        emit(out, max, &n, WARN_VISIT_OVERDUE, NULL, &due);

    long prev;
    v = latest_with(visits, nvisits, "monthly_income", &year_ago, &prev);
    if (p->income_drop_percent > 0 && v >= 0 && prev >= 0 &&
        record_get_money(&visits[v], "monthly_income", &fen) == DP_OK &&
        record_get_money(&visits[prev], "monthly_income", &before) == DP_OK && before > 0 &&
        /* fen <= before * (100 - pct) / 100, without division; both are below 2^40 */
        fen * 100 <= before * (100 - p->income_drop_percent) &&
        record_get_date(&visits[v], "date", &d) == DP_OK)
        emit(out, max, &n, WARN_INCOME_DROP, &visits[v], &d);
    return n;
}
