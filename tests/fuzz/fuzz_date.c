/*
 * Calendar dates (core/date.h), the YYYY-MM-DD strings of every date field.
 * A date that parses is valid, formats back to the same text, survives the
 * trip through day numbers, and the arithmetic around it stays consistent
 * (compare agrees with day numbers, adding months clamps to the month's end).
 */
#include "tests/fuzz/fuzz.h"

#include "core/date.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    struct dp_date d;
    struct dp_error err;
    if (date_parse(s, &d, "date", &err) == DP_OK) {
        char buf[16];
        date_format(&d, buf, sizeof buf);
        FUZZ_ASSERT_STR_EQ(buf, s);
        FUZZ_ASSERT(date_valid(&d));
        FUZZ_ASSERT(d.day <= date_days_in_month(d.year, d.month));

        long n = date_to_days(&d);
        struct dp_date back = date_from_days(n);
        FUZZ_ASSERT(date_compare(&back, &d) == 0);
        struct dp_date next = date_from_days(n + 1);
        FUZZ_ASSERT(date_compare(&d, &next) < 0 && date_compare(&next, &d) > 0);
        FUZZ_ASSERT(date_to_days(&next) == n + 1);

        /* Months forward and back: a real date with the day clamped, in the expected month. */
        static const int steps[] = {-1200, -13, -1, 1, 11, 12, 1200};
        for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
            struct dp_date m = date_add_months(&d, steps[i]);
            int months = d.year * 12 + (d.month - 1) + steps[i];
            FUZZ_ASSERT(m.year * 12 + (m.month - 1) == months);
            FUZZ_ASSERT(m.day >= 1 && m.day <= date_days_in_month(m.year, m.month));
            FUZZ_ASSERT(m.day == d.day ||
                        (m.day < d.day && m.day == date_days_in_month(m.year, m.month)));
        }

        FUZZ_ASSERT(date_age(&d, &d) == 0);
        FUZZ_ASSERT(date_age(&next, &d) == -1);
        struct dp_date later = date_add_months(&d, 12 * 30);
        /* 29 February thirty years on is clamped to the 28th: not yet a birthday. */
        int want = d.month == 2 && d.day == 29 && later.day == 28 ? 29 : 30;
        FUZZ_ASSERT(date_age(&d, &later) == want);
    }
    free(s);
    return 0;
}
