#include "core/date.h"

#include <stdio.h>
#include <time.h>

#include "core/i18n.h"

#define DATE_YEAR_MIN 1900
#define DATE_YEAR_MAX 2999

/* Month names for messages; a typed date is described by its month, never echoed. */
static const char *const month_names[] = {
    N_("January"), N_("February"), N_("March"),     N_("April"),   N_("May"),      N_("June"),
    N_("July"),    N_("August"),   N_("September"), N_("October"), N_("November"), N_("December"),
};

static bool
is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
date_days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && is_leap(year))
        return 29;
    return days[month - 1];
}

bool
date_valid(const struct dp_date *d)
{
    if (!d || d->year < DATE_YEAR_MIN || d->year > DATE_YEAR_MAX)
        return false;
    int dim = date_days_in_month(d->year, d->month);
    return dim > 0 && d->day >= 1 && d->day <= dim;
}

/* Reads exactly n ASCII digits; false on anything else (signs and spaces included). */
static bool
read_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

enum dp_status
date_parse(const char *s, struct dp_date *out, const char *field, struct dp_error *err)
{
    struct dp_date d;

    if (!s || !read_digits(s, 4, &d.year) || s[4] != '-' || !read_digits(s + 5, 2, &d.month) ||
        s[7] != '-' || !read_digits(s + 8, 2, &d.day) || s[10] != '\0')
        return dp_error_set(err, DP_EINVAL, field,
                            _("write the date as year-month-day, for example 2024-03-15"));
    if (d.year < DATE_YEAR_MIN || d.year > DATE_YEAR_MAX)
        return dp_error_set(err, DP_EINVAL, field, _("the year must be between %d and %d"),
                            DATE_YEAR_MIN, DATE_YEAR_MAX);
    if (d.month < 1 || d.month > 12)
        return dp_error_set(err, DP_EINVAL, field, _("the month must be 01 to 12"));
    int dim = date_days_in_month(d.year, d.month);
    if (d.day < 1 || d.day > dim) {
        if (d.day == 0)
            return dp_error_set(err, DP_EINVAL, field, _("the day must be 01 or more"));
        if (d.month == 2)
            return dp_error_set(err, DP_EINVAL, field, _("February has only %d days in that year"),
                                dim);
        return dp_error_set(err, DP_EINVAL, field, _("%s has only %d days"),
                            _(month_names[d.month - 1]), dim);
    }
    if (out)
        *out = d;
    return DP_OK;
}

void
date_format(const struct dp_date *d, char *buf, size_t bufsize)
{
    if (!buf || bufsize == 0)
        return;
    snprintf(buf, bufsize, "%04d-%02d-%02d", d->year, d->month, d->day);
}

/*
 * Day counting in a calendar whose years start on March 1, so the leap day is
 * the last day of its year and every 400-year era has the same 146097 days.
 */
static long
floor_div(long a, long b)
{
    long q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

long
date_to_days(const struct dp_date *d)
{
    long y = d->year - (d->month <= 2);
    long era = floor_div(y, 400);
    long yoe = y - era * 400;                         /* 0-399 */
    long mp = (d->month + 9) % 12;                    /* March = 0 */
    long doy = (153 * mp + 2) / 5 + d->day - 1;       /* 0-365 */
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0-146096 */
    return era * 146097 + doe - 719468; /* 719468 = days from 0000-03-01 to 1970-01-01 */
}

struct dp_date
date_from_days(long days)
{
    long z = days + 719468;
    long era = floor_div(z, 146097);
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    struct dp_date d;
    d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    d.year = (int)(yoe + era * 400 + (d.month <= 2));
    return d;
}

struct dp_date
date_add_months(const struct dp_date *d, int months)
{
    long total = (long)d->year * 12 + (d->month - 1) + months;
    struct dp_date r;
    r.year = (int)floor_div(total, 12);
    r.month = (int)(total - (long)r.year * 12) + 1;
    int dim = date_days_in_month(r.year, r.month);
    r.day = d->day > dim ? dim : d->day;
    return r;
}

int
date_compare(const struct dp_date *a, const struct dp_date *b)
{
    if (a->year != b->year)
        return a->year < b->year ? -1 : 1;
    if (a->month != b->month)
        return a->month < b->month ? -1 : 1;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return 0;
}

struct dp_date
date_today(void)
{
    time_t now = time(NULL);
    struct tm tm;
    struct dp_date d = {1970, 1, 1};
    if (now != (time_t)-1 && localtime_r(&now, &tm)) {
        d.year = tm.tm_year + 1900;
        d.month = tm.tm_mon + 1;
        d.day = tm.tm_mday;
    }
    return d;
}

int
date_age(const struct dp_date *birth, const struct dp_date *on)
{
    if (date_compare(on, birth) < 0)
        return -1;
    int age = on->year - birth->year;
    /* Birthday not reached yet this year; a 29 February birthday counts from 1 March. */
    if (on->month < birth->month || (on->month == birth->month && on->day < birth->day))
        age--;
    return age;
}
