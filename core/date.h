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
 * missing zeros, trailing text, 2023-02-29) fails with DP_EINVAL and a
 * message naming `field`.
 */
enum dp_status date_parse(const char *s, struct dp_date *out, const char *field,
                          struct dp_error *err);

/* Write "YYYY-MM-DD" into buf (at least 11 bytes). */
void date_format(const struct dp_date *d, char *buf, size_t bufsize);

/* Days since 1970-01-01 (negative before); and back. */
long date_to_days(const struct dp_date *d);
struct dp_date date_from_days(long days);

/* d plus n months, the day clamped to the month's end (Jan 31 + 1 month = Feb 28/29). */
struct dp_date date_add_months(const struct dp_date *d, int months);

/* <0, 0, >0 as a is before, the same as, or after b. */
int date_compare(const struct dp_date *a, const struct dp_date *b);

/* Today in local time. The only function here that reads the clock. */
struct dp_date date_today(void);

/* Whole years from birth to on (age on that day). */
int date_age(const struct dp_date *birth, const struct dp_date *on);

#endif
