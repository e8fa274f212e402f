#include "core/date.h"

#include <time.h>

#include "tests/unit/test.h"

static struct dp_date
mk(int y, int m, int d)
{
    struct dp_date r = {y, m, d};
    return r;
}

static bool
parses(const char *s)
{
    struct dp_date d;
    return date_parse(s, &d, "f", NULL) == DP_OK;
}

/* Days since the epoch by the C library, an oracle independent of date.c. */
static long
libc_days(int y, int m, int d)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    return (long)((t - 12 * 3600) / 86400);
}

TEST(leap_years_follow_the_gregorian_rule)
{
    CHECK_INT_EQ(date_days_in_month(2000, 2), 29); /* divisible by 400 */
    CHECK_INT_EQ(date_days_in_month(1900, 2), 28); /* divisible by 100 only */
    CHECK_INT_EQ(date_days_in_month(2100, 2), 28);
    CHECK_INT_EQ(date_days_in_month(2024, 2), 29);
    CHECK_INT_EQ(date_days_in_month(2023, 2), 28);
    CHECK_INT_EQ(date_days_in_month(2023, 1), 31);
    CHECK_INT_EQ(date_days_in_month(2023, 4), 30);
    CHECK_INT_EQ(date_days_in_month(2023, 12), 31);
    CHECK_INT_EQ(date_days_in_month(2023, 0), 0);
    CHECK_INT_EQ(date_days_in_month(2023, 13), 0);
}

TEST(parse_accepts_real_dates)
{
    struct dp_date d = {0, 0, 0};
    CHECK_INT_EQ(date_parse("2024-03-15", &d, "visit_date", NULL), DP_OK);
    CHECK_INT_EQ(d.year, 2024);
    CHECK_INT_EQ(d.month, 3);
    CHECK_INT_EQ(d.day, 15);
    CHECK(parses("2000-02-29"));
    CHECK(parses("2024-02-29"));
    CHECK(parses("1900-01-01"));
    CHECK(parses("2999-12-31"));
    CHECK(parses("2023-12-31"));
    CHECK(parses("2023-04-30"));
    CHECK_INT_EQ(date_parse("2023-01-01", NULL, "f", NULL), DP_OK); /* out may be NULL */
}

TEST(parse_rejects_impossible_days)
{
    CHECK(!parses("1900-02-29"));
    CHECK(!parses("2023-02-29"));
    CHECK(!parses("2100-02-29"));
    CHECK(!parses("2024-02-30"));
    CHECK(!parses("2023-04-31"));
    CHECK(!parses("2023-01-32"));
    CHECK(!parses("2023-01-00"));
    CHECK(!parses("2023-00-10"));
    CHECK(!parses("2023-13-01"));
    CHECK(!parses("1899-12-31"));
    CHECK(!parses("3000-01-01"));
    CHECK(!parses("0000-01-01"));
}

TEST(parse_rejects_other_shapes)
{
    const char *bad[] = {
        "",           "2023-1-05",   "2023-01-5",   "23-01-05",    "2023/01/05",     "2023.01.05",
        "20230105",   " 2023-01-05", "2023-01-05 ", "2023-01-05x", "2023-01-0x",     "+023-01-05",
        "2023-+1-05", "2023--1-05",  "2023-01-",    "2023-01",     "２０２３-01-05",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct dp_date d = {7, 7, 7};
        struct dp_error err;
        dp_error_clear(&err);
        if (date_parse(bad[i], &d, "birth_date", &err) != DP_EINVAL)
            TEST_FAIL_("accepted \"%s\"", bad[i]);
        CHECK_STR_EQ(err.field, "birth_date");
        CHECK(err.msg[0] != '\0');
        CHECK(d.year == 7 && d.month == 7 && d.day == 7); /* untouched on failure */
    }
    CHECK_INT_EQ(date_parse(NULL, NULL, "f", NULL), DP_EINVAL);
}

TEST(messages_describe_the_problem_without_the_value)
{
    struct dp_error err;
    CHECK_INT_EQ(date_parse("2023-02-29", NULL, "visit_date", &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "visit_date");
    CHECK(strstr(err.msg, "February") && strstr(err.msg, "28"));
    CHECK(!strstr(err.msg, "2023"));
    CHECK_INT_EQ(date_parse("2023-04-31", NULL, "visit_date", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "April") && strstr(err.msg, "30"));
    CHECK_INT_EQ(date_parse("2023-13-01", NULL, "visit_date", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "month"));
    CHECK_INT_EQ(date_parse("1850-01-01", NULL, "visit_date", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "1900") && !strstr(err.msg, "1850"));
}

TEST(valid_checks_range_and_calendar)
{
    struct dp_date d = mk(2024, 2, 29);
    CHECK(date_valid(&d));
    d = mk(2023, 2, 29);
    CHECK(!date_valid(&d));
    d = mk(1899, 12, 31);
    CHECK(!date_valid(&d));
    d = mk(2024, 0, 1);
    CHECK(!date_valid(&d));
    d = mk(2024, 1, 0);
    CHECK(!date_valid(&d));
    CHECK(!date_valid(NULL));
}

TEST(format_pads_with_zeros)
{
    char buf[11];
    struct dp_date d = mk(2024, 3, 5);
    date_format(&d, buf, sizeof buf);
    CHECK_STR_EQ(buf, "2024-03-05");
    char small[5];
    date_format(&d, small, sizeof small);
    CHECK_STR_EQ(small, "2024");
}

TEST(days_agree_with_the_c_library)
{
    struct dp_date e = mk(1970, 1, 1);
    CHECK_INT_EQ(date_to_days(&e), 0);
    struct dp_date b = mk(1969, 12, 31);
    CHECK_INT_EQ(date_to_days(&b), -1);
    struct dp_date y2k = mk(2000, 3, 1);
    CHECK_INT_EQ(date_to_days(&y2k), 11017);

    /* Every day from 1900 to 2100 round-trips and matches timegm. */
    struct dp_date d = mk(1900, 1, 1);
    long n = date_to_days(&d);
    CHECK_INT_EQ(n, libc_days(1900, 1, 1));
    int mismatches = 0;
    for (int y = 1900; y <= 2100; y++) {
        for (int m = 1; m <= 12; m++) {
            for (int day = 1; day <= date_days_in_month(y, m); day++) {
                struct dp_date x = mk(y, m, day);
                long got = date_to_days(&x);
                struct dp_date back = date_from_days(got);
                if (got != n || date_compare(&back, &x) != 0 ||
                    (day == 1 && got != libc_days(y, m, day)))
                    mismatches++;
                n++;
            }
        }
    }
    CHECK_INT_EQ(mismatches, 0);
}

TEST(add_months_clamps_to_month_end)
{
    struct dp_date d = mk(2023, 1, 31), r;
    r = date_add_months(&d, 1);
    CHECK(r.year == 2023 && r.month == 2 && r.day == 28);
    d = mk(2024, 1, 31);
    r = date_add_months(&d, 1);
    CHECK(r.year == 2024 && r.month == 2 && r.day == 29);
    r = date_add_months(&d, 3);
    CHECK(r.year == 2024 && r.month == 4 && r.day == 30);
    d = mk(2023, 11, 15);
    r = date_add_months(&d, 2);
    CHECK(r.year == 2024 && r.month == 1 && r.day == 15);
    r = date_add_months(&d, 0);
    CHECK(r.year == 2023 && r.month == 11 && r.day == 15);
    d = mk(2024, 3, 31);
    r = date_add_months(&d, -1);
    CHECK(r.year == 2024 && r.month == 2 && r.day == 29);
    d = mk(2024, 1, 10);
    r = date_add_months(&d, -1);
    CHECK(r.year == 2023 && r.month == 12 && r.day == 10);
    r = date_add_months(&d, -25);
    CHECK(r.year == 2021 && r.month == 12 && r.day == 10);
    d = mk(2024, 2, 29);
    r = date_add_months(&d, 12);
    CHECK(r.year == 2025 && r.month == 2 && r.day == 28);
}

TEST(compare_orders_dates)
{
    struct dp_date a = mk(2024, 1, 31), b = mk(2024, 2, 1), c = mk(2023, 12, 31);
    CHECK(date_compare(&a, &b) < 0);
    CHECK(date_compare(&b, &a) > 0);
    CHECK(date_compare(&c, &a) < 0);
    CHECK(date_compare(&a, &a) == 0);
    struct dp_date a2 = mk(2024, 1, 30);
    CHECK(date_compare(&a2, &a) < 0);
}

TEST(today_is_a_valid_date)
{
    struct dp_date t = date_today();
    CHECK(date_valid(&t));
    CHECK(t.year >= 2024);
}

TEST(age_counts_whole_years)
{
    struct dp_date birth = mk(1950, 6, 15), on;
    on = mk(2024, 6, 14);
    CHECK_INT_EQ(date_age(&birth, &on), 73);
    on = mk(2024, 6, 15);
    CHECK_INT_EQ(date_age(&birth, &on), 74);
    on = mk(2024, 12, 1);
    CHECK_INT_EQ(date_age(&birth, &on), 74);
    on = mk(1950, 6, 15);
    CHECK_INT_EQ(date_age(&birth, &on), 0);
    on = mk(1950, 6, 14);
    CHECK_INT_EQ(date_age(&birth, &on), -1);
    on = mk(1940, 1, 1); /* years before, not just days */
    CHECK_INT_EQ(date_age(&birth, &on), -1);
    struct dp_date leap = mk(2000, 2, 29);
    on = mk(2023, 2, 28);
    CHECK_INT_EQ(date_age(&leap, &on), 22);
    on = mk(2023, 3, 1);
    CHECK_INT_EQ(date_age(&leap, &on), 23);
    on = mk(2024, 2, 29);
    CHECK_INT_EQ(date_age(&leap, &on), 24);
}

int
main(void)
{
    RUN(leap_years_follow_the_gregorian_rule);
    RUN(parse_accepts_real_dates);
    RUN(parse_rejects_impossible_days);
    RUN(parse_rejects_other_shapes);
    RUN(messages_describe_the_problem_without_the_value);
    RUN(valid_checks_range_and_calendar);
    RUN(format_pads_with_zeros);
    RUN(days_agree_with_the_c_library);
    RUN(add_months_clamps_to_month_end);
    RUN(compare_orders_dates);
    RUN(today_is_a_valid_date);
    RUN(age_counts_whole_years);
    return test_report();
}
