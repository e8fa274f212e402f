/* Calendar dates (proleptic Gregorian, no time zone): parse, check, add, compare. */
#ifndef DOORSTEP_CORE_DATE_H
#define DOORSTEP_CORE_DATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/status.h"

struct dp_date {
    int year;  /* 1900-2999 accepted by date_parse */
    int month; /* 1-12 */
    int day;   /* 1-31, valid for the month and year */
};

/* Days in a month, leap years included; 0 for an invalid month. */
int date_days_in_month(int year, int month);

/* True for a real calendar date within the accepted range. */
bool date_valid(const struct dp_date *d);

/*
 * Parse exactly "YYYY-MM-DD" into *out. Anything else (other separators,
 * missing zeros, spaces, trailing text, 2023-02-29, years outside 1900-2999)
 * fails with DP_EINVAL, `field` in err->field and a message that says what is
 * wrong (the month's length, the year range) without repeating the value.
 * *out is written only on success; out may be NULL to just check.
 */
enum dp_status date_parse(const char *s, struct dp_date *out, const char *field,
                          struct dp_error *err);

/* Write "YYYY-MM-DD" into buf (at least 11 bytes; cut to fit, always terminated). */
void date_format(const struct dp_date *d, char *buf, size_t bufsize);

/*
 * Days since 1970-01-01 (negative before); and back. Any year works (the
 * proleptic calendar has no range limit here); d->month must be 1-12 and
 * d->day within the month for the result to mean anything.
 */
long date_to_days(const struct dp_date *d);
struct dp_date date_from_days(long days);

/*
 * d plus n months (n may be negative), the day clamped to the month's end
 * (Jan 31 + 1 month = Feb 28/29). The result may fall outside date_valid's
 * year range; check it if that matters.
 */
struct dp_date date_add_months(const struct dp_date *d, int months);

/* <0, 0, >0 as a is before, the same as, or after b. */
int date_compare(const struct dp_date *a, const struct dp_date *b);

/*
 * Today in local time. The only function here that reads the clock; callers
 * pass its result down so that everything else stays testable. Falls back to
 * 1970-01-01 if the clock cannot be read.
 */
struct dp_date date_today(void);

/*
 * Whole years from birth to on (age on that day); -1 when on is before birth.
 * Someone born on 29 February turns a year older on 1 March in common years.
 */
int date_age(const struct dp_date *birth, const struct dp_date *on);

#endif
