/*
 * Domain rules with no I/O: visit schedule per risk class, a suggested risk
 * class with its reasons, and early warnings (domain.md "Red/yellow/green",
 * "Early warnings"). Everything here is a pure function of the records, the
 * policy and `today` the caller passes, so the client and the server agree and
 * tests need no clock (`today` is never NULL). Records are the generic ones of
 * core/record.h; tombstoned records (deleted) are ignored everywhere. Nothing
 * here allocates.
 */
#ifndef DOORSTEP_CORE_RULES_H
#define DOORSTEP_CORE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/record.h"
#include "core/status.h"

/* Risk classes, in the order of schema_risk_choices (most vulnerable first). */
enum risk_class { RISK_RED, RISK_YELLOW, RISK_GREEN, RISK_NCLASSES };

/* Local policy, normally from configuration; policy_defaults() gives design.md's figures. */
struct policy {
    int visit_months[RISK_NCLASSES]; /* longest gap between visits, by risk class */
    int64_t medical_warn_fen;        /* warn when yearly out-of-pocket medical is above this */
    int working_age_min;             /* working age, inclusive, in whole years */
    int working_age_max;
    int income_drop_percent; /* warn when monthly income falls by at least this much; 0 = off */
};

/* Red monthly, yellow quarterly, green twice a year; 50,000 yuan; working age 18-60; 50%. */
struct policy policy_defaults(void);

/*
 * Check a policy read from configuration: intervals 1-24 months, threshold
 * 1 fen to MONEY_MAX_FEN, ages 0 <= min <= max <= 120, income drop 0-100.
 * DP_EINVAL names the offending key ("visit_months_red", "medical_warn_fen", ...).
 */
enum dp_status policy_check(const struct policy *p, struct dp_error *err);

/* Risk class of a token ("red"...); false for anything else, *out untouched. */
bool risk_parse(const char *token, enum risk_class *out);

/* Token of a risk class ("red"...), "" for an out-of-range value. */
const char *risk_token(enum risk_class risk);

/* ---- visit schedule -------------------------------------------------------- */

/*
 * When the next visit is due: last_visit plus the class's interval (the day
 * clamped to the month's end, as date_add_months), or `today` when there has
 * been no visit (due immediately). An out-of-range risk is treated as red.
 */
struct dp_date rules_next_due(const struct policy *p, enum risk_class risk,
                              const struct dp_date *last_visit, const struct dp_date *today);

/*
 * The household's next visit due date from its records. The clock starts at
 * the latest visit whose outcome is "completed" (an attempt that met nobody
 * does not count). The due date is the earlier of rules_next_due() and any
 * next_visit a worker set on a visit dated on or after that completed visit.
 * With no completed visit it is the household's stored next_visit_due, or
 * `today` when that is unset: callers store the result in next_visit_due, so a
 * household that is never visited stays due from the day it was first seen and
 * becomes overdue. An unknown or unset risk class counts as red (visit most
 * often when in doubt). Visits with unreadable dates are skipped.
 */
struct dp_date rules_household_due(const struct policy *p, const struct record *household,
                                   const struct record *visits, size_t nvisits,
                                   const struct dp_date *today);

/* Overdue means due strictly before today: on the due day itself a visit is not overdue. */
bool rules_overdue(const struct dp_date *due, const struct dp_date *today);

/*
 * A member's birth date: birth_date, else the one encoded in a valid
 * id_number. False when neither is known.
 */
bool rules_member_birth(const struct record *member, struct dp_date *out);

/* ---- risk suggestion ------------------------------------------------------- */

/* Why a class is suggested. Tokens and texts: risk_reason_token/text. */
enum risk_reason {
    RR_TEKUN,             /* "tekun": extreme-poverty (five guarantees) support -> red */
    RR_SEVERE_DISABILITY, /* "severe_disability": a member with grade 1-2 disability -> red */
    RR_LEFT_BEHIND_CHILD, /* "left_behind_child" -> red */
    RR_ELDERLY_ALONE,     /* "elderly_alone" -> red */
    RR_SERIOUS_ILLNESS,   /* "serious_illness": a seriously ill member -> yellow */
    RR_NO_WORKER,         /* "no_worker": nobody of working age works -> yellow */
    RR_NO_MEMBERS,        /* "no_members": no living member recorded -> yellow */
    RR_COUNT
};

struct risk_suggestion {
    enum risk_class risk; /* the most severe class any reason suggests; green when none */
    unsigned reasons;     /* bit (1u << enum risk_reason) for every reason that applies */
};

/*
 * Suggest a risk class for a household from its members (deceased and
 * deleted members are ignored). Red: extreme-poverty support (tekun_central
 * or tekun_dispersed among the categories), a member with disability grade 1
 * or 2, a left-behind child, an elderly person living alone. Yellow: a
 * seriously ill member; no member of working age (policy, on `today`) whose
 * work is farming, employed, migrant or self_employed (a working member whose
 * age is unknown counts as working age); no living members at all. Green
 * otherwise. The worker decides; this only proposes, with every reason found.
 */
struct risk_suggestion rules_suggest_risk(const struct policy *p, const struct record *household,
                                          const struct record *members, size_t nmembers,
                                          const struct dp_date *today);

/* Stable token / English text (N_-marked: translate with _() at display); "" if out of range. */
const char *risk_reason_token(enum risk_reason reason);
const char *risk_reason_text(enum risk_reason reason);

/* ---- early warnings -------------------------------------------------------- */

/* Early warnings. Tokens (stable: logs, wire, filters) and texts: warning_token/text. */
enum warning_code {
    WARN_MEDICAL_COST,  /* "medical_cost" */
    WARN_EARNER_DIED,   /* "earner_died" */
    WARN_VISIT_OVERDUE, /* "visit_overdue" */
    WARN_INCOME_DROP,   /* "income_drop" */
    WARN_COUNT
};

struct warning {
    enum warning_code code;
    char record_id[37];  /* the member or visit behind it; "" for the household itself */
    struct dp_date date; /* due date (overdue), visit date (medical, income); zero for a death */
};

/*
 * Early warnings for one household, in enum warning_code order (members and visits
 * in the order given), given its members and visits and today:
 *  - MEDICAL_COST: the latest visit dated within the past 12 months (on or
 *    after today minus 12 months) that recorded medical_yearly recorded more
 *    than policy medical_warn_fen (equal is not above);
 *  - EARNER_DIED: a member with status deceased and main_earner set whose age
 *    on `today` is within working age, or unknown (the date of death is not
 *    recorded; a worker clears main_earner once the household has a new one);
 *  - VISIT_OVERDUE: rules_household_due() is before today;
 *  - INCOME_DROP: the latest visit that recorded monthly_income, dated within
 *    the past 12 months, recorded at least income_drop_percent less than the
 *    latest earlier-dated visit that recorded it (which must be above 0).
 * On equal dates the visit later in the array counts as later. A household
 * whose status is not "active" (moved, dissolved) or that is deleted gets no
 * warnings. Writes at most `max` warnings into out (which may be NULL when max
 * is 0) and returns how many there are, like snprintf, so a caller can size.
 */
size_t rules_warnings(const struct policy *p, const struct record *household,
                      const struct record *members, size_t nmembers, const struct record *visits,
                      size_t nvisits, const struct dp_date *today, struct warning *out, size_t max);

/* Stable token / English text (N_-marked: translate with _() at display); "" if out of range. */
const char *warning_token(enum warning_code code);
const char *warning_text(enum warning_code code);

#endif
