/*
 * Resident ID numbers (core/validate.h), the most sensitive value Doorstep
 * holds. validate_id_number is compared with an independent reading of the
 * rules (GB 11643: 17 digits, a real birth date in 1900-2999 not after
 * today, the ISO 7064 MOD 11-2 check character), what it reports about a
 * valid number is checked against the digits, normalising only trims and
 * upper-cases, and no error message repeats the number.
 */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>

#include "core/date.h"
#include "core/validate.h"

static const struct dp_date today = {2025, 3, 1};

static int
digit_at(const char *s, int i)
{
    return s[i] - '0';
}

/* The check character by the standard's weights 2^(17-i) mod 11; 0 unless 17 digits. */
static char
reference_check(const char *s)
{
    int sum = 0, weight = 1;
    for (int i = 16; i >= 0; i--) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        weight = weight * 2 % 11;
        sum += digit_at(s, i) * weight;
    }
    int c = (12 - sum % 11) % 11;
    return c == 10 ? 'X' : (char)('0' + c);
}

static bool
reference_valid(const char *s, struct dp_date *birth)
{
    if (strlen(s) != 18 || !reference_check(s))
        return false;
    birth->year =
        digit_at(s, 6) * 1000 + digit_at(s, 7) * 100 + digit_at(s, 8) * 10 + digit_at(s, 9);
    birth->month = digit_at(s, 10) * 10 + digit_at(s, 11);
    birth->day = digit_at(s, 12) * 10 + digit_at(s, 13);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (birth->year < 1900 || birth->year > 2999 || birth->month < 1 || birth->month > 12)
        return false;
    bool leap = birth->year % 4 == 0 && (birth->year % 100 != 0 || birth->year % 400 == 0);
    int dim = mdays[birth->month - 1] + (birth->month == 2 && leap);
    if (birth->day < 1 || birth->day > dim)
        return false;
    long b = birth->year * 10000L + birth->month * 100 + birth->day;
    if (b > today.year * 10000L + today.month * 100 + today.day)
        return false;
    return s[17] == reference_check(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    struct id_number_info info;
    struct dp_error err;
    struct dp_date birth;
    dp_error_clear(&err);

    enum dp_status st = validate_id_number(s, &today, &info, "id_number", &err);
    bool ref = reference_valid(s, &birth);
    FUZZ_ASSERT((st == DP_OK) == ref);
    if (st == DP_OK) {
        FUZZ_ASSERT(date_compare(&info.birth, &birth) == 0);
        FUZZ_ASSERT(info.sex == (digit_at(s, 16) % 2 ? 'M' : 'F'));
        FUZZ_ASSERT(strlen(info.region) == 6 && memcmp(info.region, s, 6) == 0);
        FUZZ_ASSERT(id_number_check_char(s) == s[17]);
        /* Without a today, only the future check is skipped. */
        FUZZ_ASSERT(validate_id_number(s, NULL, NULL, "id_number", NULL) == DP_OK);
    } else {
        FUZZ_ASSERT(st == DP_EINVAL && err.code == DP_EINVAL);
        FUZZ_ASSERT(strcmp(err.field, "id_number") == 0 && err.msg[0]);
        fuzz_assert_private(&err, s);
    }
    /* Short strings included: it must stop at the NUL and say 0. */
    FUZZ_ASSERT(id_number_check_char(s) == (strlen(s) >= 17 ? reference_check(s) : 0));

    /* Normalising trims spaces and tabs and upper-cases a final x; nothing else changes. */
    char buf[64];
    if (id_number_normalise(s, buf, sizeof buf)) {
        size_t n = strlen(buf);
        char lower[64];
        memcpy(lower, buf, n + 1);
        if (n && lower[n - 1] == 'X')
            lower[n - 1] = 'x';
        FUZZ_ASSERT(strstr(s, buf) || strstr(s, lower));
        FUZZ_ASSERT(n == 0 ||
                    (buf[0] != ' ' && buf[0] != '\t' && buf[n - 1] != ' ' && buf[n - 1] != '\t'));
        if (st == DP_OK)
            FUZZ_ASSERT_STR_EQ(buf, s);
        char again[64];
        FUZZ_ASSERT(id_number_normalise(buf, again, sizeof again));
        FUZZ_ASSERT_STR_EQ(again, buf);
        if (validate_id_number(buf, &today, NULL, "id_number", &err) != DP_OK)
            fuzz_assert_private(&err, buf);
    }
    free(s);
    return 0;
}
