#include "core/money.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/i18n.h"

/* Significant digits in MONEY_MAX_FEN; anything longer is too large before any arithmetic. */
#define MONEY_MAX_DIGITS 13

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/*
 * Checks that s[0..n) (digits and commas, no point) is either plain digits or
 * proper thousands groups: 1-3 digits not starting with 0, then ",ddd" groups.
 */
static bool
grouping_ok(const char *s, size_t n)
{
    if (!memchr(s, ',', n))
        return true;
    size_t i = 0;
    while (i < n && is_digit(s[i]))
        i++;
    if (i == 0 || i > 3 || s[0] == '0')
        return false;
    while (i < n) {
        if (s[i] != ',' || i + 4 > n)
            return false;
        for (size_t k = 1; k <= 3; k++)
            if (!is_digit(s[i + k]))
                return false;
        i += 4;
    }
    return true;
}

/* Accumulates the digits of s[0..n), skipping commas; false when there are too many. */
static bool
accumulate(const char *s, size_t n, int64_t *v, int *sig)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ',')
            continue;
        if (*sig == 0 && s[i] == '0') {
            continue;
        }
        if (++*sig > MONEY_MAX_DIGITS)
            return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

enum dp_status
money_parse_yuan(const char *s, int64_t *fen, const char *field, struct dp_error *err)
{
    if (!s)
        s = "";
    while (is_blank(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    if (n == 0)
        return dp_error_set(err, DP_EINVAL, field, _("enter an amount in yuan"));

    /* One pass for the characters, so the message names the first real problem. */
    size_t point = n; /* index of the decimal point, n if none */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_digit((char)c))
            continue;
        if (c == '.' && point == n) {
            point = i;
            continue;
        }
        if (c == '.')
            return dp_error_set(err, DP_EINVAL, field, _("use only one decimal point"));
        if (c == ',' && point == n)
            continue;
        if (c == ',')
            return dp_error_set(err, DP_EINVAL, field, _("no commas after the decimal point"));
        if ((c == '-' || c == '+') && i == 0)
            return dp_error_set(err, DP_EINVAL, field,
                                _("enter the amount without a + or - sign; it cannot be negative"));
        if ((c == 'e' || c == 'E') && i > 0 && is_digit(s[i - 1]))
            return dp_error_set(err, DP_EINVAL, field,
                                _("write the amount out in full digits, without an exponent"));
        if (is_blank((char)c))
            return dp_error_set(err, DP_EINVAL, field, _("no spaces inside the amount"));
        if (c >= 0x80)
            return dp_error_set(err, DP_EINVAL, field,
                                _("use plain digits 0-9 and a plain decimal point (switch the "
                                  "input method to half-width)"));
        return dp_error_set(err, DP_EINVAL, field,
                            _("use only digits, one decimal point and thousands commas"));
    }

    size_t frac_len = point == n ? 0 : n - point - 1;
    if (point == 0)
        return dp_error_set(err, DP_EINVAL, field, _("put a 0 before the decimal point (0.5)"));
    if (point < n && frac_len == 0)
        return dp_error_set(err, DP_EINVAL, field,
                            _("put digits after the decimal point, or leave the point out"));
    if (frac_len > 2)
        return dp_error_set(err, DP_EINVAL, field, _("at most two decimals (fen)"));
    if (!grouping_ok(s, point))
        return dp_error_set(err, DP_EINVAL, field,
                            _("commas may only separate groups of three digits, as in 1,234.56"));

    int64_t v = 0;
    int sig = 0;
    bool fits = accumulate(s, point, &v, &sig);
    if (fits) {
        /* Always two decimal places: "1234.5" is 123450 fen. */
        char frac[2] = {'0', '0'};
        for (size_t k = 0; k < frac_len; k++)
            frac[k] = s[point + 1 + k];
        fits = accumulate(frac, 2, &v, &sig);
    }
    if (!fits || v > MONEY_MAX_FEN)
        return dp_error_set(err, DP_EINVAL, field, _("the amount is too large"));
    if (fen)
        *fen = v;
    return DP_OK;
}

enum dp_status
money_parse_fen(const char *s, int64_t *fen, const char *field, struct dp_error *err)
{
    size_t n = s ? strlen(s) : 0;
    bool ok = n > 0 && n <= MONEY_MAX_DIGITS && !(n > 1 && s[0] == '0');
    int64_t v = 0;
    for (size_t i = 0; ok && i < n; i++) {
        if (!is_digit(s[i]))
            ok = false;
        else
            v = v * 10 + (s[i] - '0');
    }
    if (!ok)
        return dp_error_set(err, DP_EINVAL, field,
                            _("the stored amount is not whole fen in plain digits"));
    if (v > MONEY_MAX_FEN)
        return dp_error_set(err, DP_EINVAL, field, _("the amount is too large"));
    if (fen)
        *fen = v;
    return DP_OK;
}

void
money_format_yuan(int64_t fen, char *buf, size_t bufsize)
{
    if (!buf || bufsize == 0)
        return;
    /* Through unsigned, so that even INT64_MIN has a magnitude. */
    uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(buf, bufsize, "%s%" PRIu64 ".%02u", fen < 0 ? "-" : "", mag / 100,
             (unsigned)(mag % 100));
}

void
money_format_fen(int64_t fen, char *buf, size_t bufsize)
{
    if (!buf || bufsize == 0)
        return;
    snprintf(buf, bufsize, "%" PRId64, fen);
}
