#include "core/validate.h"

#include <stdint.h>
#include <string.h>

#include "core/i18n.h"
#include "core/money.h"
#include "core/utf8.h"

#define ID_NUMBER_LEN 18
#define PHONE_LEN     11
#define USERNAME_MAX  32
#define UUID_LEN      36

/* U+00B7 as UTF-8, passed as an argument so that message ids stay ASCII for translators. */
#define MIDDLE_DOT "\xC2\xB7"

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

/* --- resident ID number ------------------------------------------------- */

char
id_number_check_char(const char *first17)
{
    /* ISO 7064 MOD 11-2: weight of position i is 2^(17-i) mod 11. */
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    if (!first17)
        return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(first17[i]))
            return 0;
        sum += (first17[i] - '0') * weights[i];
    }
    return check[sum % 11];
}

bool
id_number_normalise(const char *s, char *buf, size_t bufsize)
{
    if (!s || !buf || bufsize == 0)
        return false;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n + 1 > bufsize) {
        buf[0] = '\0';
        return false;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (n > 0 && buf[n - 1] == 'x')
        buf[n - 1] = 'X';
    return true;
}

static int
two_digits(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

enum dp_status
validate_id_number(const char *s, const struct dp_date *today, struct id_number_info *info,
                   const char *field, struct dp_error *err)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    if (has_non_ascii(s))
        return dp_error_set(
            err, DP_EINVAL, field,
            _("use plain digits 0-9 and X (switch the input method to half-width)"));
    if (n != ID_NUMBER_LEN) {
        if (n == 15)
            return dp_error_set(err, DP_EINVAL, field,
                                _("must be 18 characters; old 15-digit numbers are not accepted"));
        return dp_error_set(err, DP_EINVAL, field, _("must be 18 characters; %zu were entered"), n);
    }
    for (size_t i = 0; i < 17; i++)
        if (!is_digit(s[i]))
            return dp_error_set(err, DP_EINVAL, field,
                                _("the first 17 characters must all be digits"));
    if (s[17] == 'x')
        return dp_error_set(err, DP_EINVAL, field, _("write the last character as a capital X"));
    if (!is_digit(s[17]) && s[17] != 'X')
        return dp_error_set(err, DP_EINVAL, field, _("the last character must be a digit or X"));

    struct dp_date birth;
    birth.year = two_digits(s + 6) * 100 + two_digits(s + 8);
    birth.month = two_digits(s + 10);
    birth.day = two_digits(s + 12);
    if (birth.year < 1900)
        return dp_error_set(
            err, DP_EINVAL, field,
            _("the birth date in characters 7-14 is before 1900; check the number"));
    int dim = date_days_in_month(birth.year, birth.month);
    if (dim == 0 || birth.day < 1 || birth.day > dim)
        return dp_error_set(err, DP_EINVAL, field,
                            _("the birth date in characters 7-14 is not a real date; check the "
                              "number"));
    if (!date_valid(&birth) || (today && date_compare(&birth, today) > 0))
        return dp_error_set(err, DP_EINVAL, field,
                            _("the birth date in characters 7-14 is in the future; check the "
                              "number"));
    if (id_number_check_char(s) != s[17])
        return dp_error_set(err, DP_EINVAL, field,
                            _("the check digit does not match; check the last character and the "
                              "digits before it"));
    if (info) {
        info->birth = birth;
        info->sex = (s[16] - '0') % 2 ? 'M' : 'F';
        memcpy(info->region, s, 6);
        info->region[6] = '\0';
    }
    return DP_OK;
}

/* --- phone, login name, UUID -------------------------------------------- */

enum dp_status
validate_phone(const char *s, const char *field, struct dp_error *err)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    if (has_non_ascii(s))
        return dp_error_set(err, DP_EINVAL, field,
                            _("use plain digits 0-9 (switch the input method to half-width)"));
    if (s[0] == '+')
        return dp_error_set(err, DP_EINVAL, field,
                            _("leave out +86 and write the 11 digits of the mobile number"));
    if (strpbrk(s, " -\t"))
        return dp_error_set(err, DP_EINVAL, field,
                            _("write the 11 digits without spaces or dashes"));
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return dp_error_set(err, DP_EINVAL, field,
                                _("must be 11 digits starting with 1 (a mobile number)"));
    if (n != PHONE_LEN)
        return dp_error_set(err, DP_EINVAL, field,
                            _("must be 11 digits starting with 1; %zu digits were entered"), n);
    if (s[0] != '1')
        return dp_error_set(err, DP_EINVAL, field,
                            _("must be 11 digits starting with 1 (a mobile number)"));
    if (s[1] < '3')
        return dp_error_set(err, DP_EINVAL, field, _("the second digit must be 3 to 9"));
    return DP_OK;
}

enum dp_status
validate_username(const char *s, const char *field, struct dp_error *err)
{
    if (!s || !*s)
        return dp_error_set(err, DP_EINVAL, field, _("enter a login name"));
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            return dp_error_set(err, DP_EINVAL, field, _("use lower-case letters only"));
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '.' || c == '_' || c == '-'))
            return dp_error_set(err, DP_EINVAL, field,
                                _("use only the letters a-z, digits, dot, dash and underscore"));
    }
    if (n > USERNAME_MAX)
        return dp_error_set(err, DP_EINVAL, field, _("at most %d characters"), USERNAME_MAX);
    if (s[0] == '.' || s[0] == '_' || s[0] == '-')
        return dp_error_set(err, DP_EINVAL, field, _("must start with a letter or a digit"));
    return DP_OK;
}

enum dp_status
validate_uuid(const char *s, const char *field, struct dp_error *err)
{
    if (!s)
        s = "";
    bool upper = false, ok = strlen(s) == UUID_LEN;
    for (size_t i = 0; ok && i < UUID_LEN; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23)
            ok = c == '-';
        else if (c >= 'A' && c <= 'F')
            upper = true;
        else
            ok = is_digit(c) || (c >= 'a' && c <= 'f');
    }
    if (!ok)
        return dp_error_set(err, DP_EINVAL, field,
                            _("is not a record id (32 hexadecimal digits in groups 8-4-4-4-12)"));
    if (upper)
        return dp_error_set(err, DP_EINVAL, field, _("record ids are written in lower case"));
    return DP_OK;
}

/* --- text and names ----------------------------------------------------- */

/* Characters that move the cursor or hide text on a terminal rather than show. */
static bool
is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

static bool
is_space(uint32_t cp)
{
    return cp == ' ' || cp == 0xA0 || cp == 0x3000;
}

enum dp_status
validate_text(const char *s, unsigned max_chars, bool multiline, const char *field,
              struct dp_error *err)
{
    if (!s)
        s = "";
    size_t len = strlen(s);
    if (!utf8_valid(s, len))
        return dp_error_set(err, DP_EINVAL, field,
                            _("contains bytes that are not valid text; retype it"));
    size_t count = 0;
    uint32_t cp = 0, first = 0;
    for (size_t i = 0; i < len; count++) {
        i += utf8_decode(s + i, len - i, &cp);
        if (count == 0)
            first = cp;
        if (cp == '\n' && !multiline)
            return dp_error_set(err, DP_EINVAL, field, _("must be a single line"));
        if (cp != '\n' && is_control(cp))
            return dp_error_set(err, DP_EINVAL, field,
                                _("contains an invisible control character (such as a tab); "
                                  "remove it"));
    }
    if (max_chars > 0 && count > max_chars)
        return dp_error_set(err, DP_EINVAL, field,
                            _("is too long: at most %u characters, %zu were entered"), max_chars,
                            count);
    /* cp is now the last code point. */
    if (!multiline && count > 0 && (is_space(first) || is_space(cp)))
        return dp_error_set(err, DP_EINVAL, field, _("remove the spaces at the start or end"));
    return DP_OK;
}

static bool
is_middle_dot(uint32_t cp)
{
    return cp == 0x00B7 || cp == 0x30FB;
}

/* Dots people type instead of a middle dot; refused with a hint. */
static bool
is_dot_lookalike(uint32_t cp)
{
    return cp == '.' || cp == 0x0387 || cp == 0x2022 || cp == 0x2027 || cp == 0x2219 ||
           cp == 0x22C5 || cp == 0xFF0E || cp == 0xFF65 || cp == 0x3002 || cp == 0x16EB ||
           cp == 0x2E31;
}

static bool
is_latin_letter(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
           (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

static bool
is_name_digit(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19);
}

/* Punctuation and symbols: ASCII, Latin-1, general and CJK punctuation, full-width forms, emoji. */
static bool
is_name_symbol(uint32_t cp)
{
    if (cp < 0x80)
        return !is_latin_letter(cp) && !is_name_digit(cp) && cp != ' ';
    return (cp >= 0xA0 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
           (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
           (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
           (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
           (cp >= 0xFFF0 && cp <= 0xFFFF) || (cp >= 0x1F000 && cp <= 0x1FAFF);
}

enum dp_status
validate_name(const char *s, unsigned max_chars, const char *field, struct dp_error *err)
{
    enum dp_status st = validate_text(s, max_chars, false, field, err);
    if (st != DP_OK)
        return st;
    size_t len = strlen(s);
    uint32_t prev = 0; /* 0 at the start */
    for (size_t i = 0; i < len;) {
        uint32_t cp, next = 0;
        i += utf8_decode(s + i, len - i, &cp);
        if (i < len)
            utf8_decode(s + i, len - i, &next);

        if (is_name_digit(cp))
            return dp_error_set(err, DP_EINVAL, field, _("a name cannot contain digits"));
        if (is_middle_dot(cp)) {
            if (prev == 0 || next == 0)
                return dp_error_set(err, DP_EINVAL, field,
                                    _("the middle dot (%s) goes only between parts of the "
                                      "name, not at the start or end"),
                                    MIDDLE_DOT);
            if (is_middle_dot(next) || next == ' ' || prev == ' ')
                return dp_error_set(err, DP_EINVAL, field,
                                    _("put exactly one middle dot (%s) between parts of the "
                                      "name, with no spaces"),
                                    MIDDLE_DOT);
        } else if (is_space(cp)) {
            if (cp != ' ' || !is_latin_letter(prev) || !is_latin_letter(next))
                return dp_error_set(err, DP_EINVAL, field,
                                    _("a space may only separate words in Latin letters; "
                                      "Chinese names have no spaces"));
        } else if (is_dot_lookalike(cp)) {
            return dp_error_set(err, DP_EINVAL, field,
                                _("use the middle dot (%s) between parts of the name, not "
                                  "another dot"),
                                MIDDLE_DOT);
        } else if (is_name_symbol(cp)) {
            return dp_error_set(err, DP_EINVAL, field,
                                _("a name cannot contain punctuation or symbols"));
        }
        prev = cp;
    }
    return DP_OK;
}

/* --- schema fields ------------------------------------------------------ */

static enum dp_status
validate_set(const struct field_def *f, const char *value, struct dp_error *err)
{
    int last = -1;
    const char *p = value;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        int idx = -1;
        if (n == 0)
            return dp_error_set(err, DP_EINVAL, f->name,
                                _("the list has an empty item (two commas, or one at an end)"));
        for (int i = 0; f->choices[i].token; i++) {
            if (strlen(f->choices[i].token) == n && memcmp(f->choices[i].token, p, n) == 0) {
                idx = i;
                break;
            }
        }
        if (idx < 0)
            return dp_error_set(err, DP_EINVAL, f->name,
                                _("contains something that is not one of the listed options"));
        if (idx == last)
            return dp_error_set(err, DP_EINVAL, f->name, _("an option is listed twice"));
        if (idx < last)
            return dp_error_set(err, DP_EINVAL, f->name,
                                _("the options are not in the listed order"));
        last = idx;
        if (!comma)
            return DP_OK;
        p = comma + 1;
    }
}

enum dp_status
validate_field(const struct field_def *f, const char *value, const struct dp_date *today,
               struct dp_error *err)
{
    if (!f)
        return dp_error_set(err, DP_EINVAL, NULL, _("unknown field"));
    if (!value)
        value = "";
    if (!*value) {
        if (f->flags & FF_REQUIRED)
            return dp_error_set(err, DP_EINVAL, f->name, _("this field must be filled in"));
        return DP_OK;
    }
    switch (f->type) {
    case FT_UUID:
        return validate_uuid(value, f->name, err);
    case FT_TEXT:
        return validate_text(value, f->max_chars, false, f->name, err);
    case FT_NAME:
        return validate_name(value, f->max_chars, f->name, err);
    case FT_NOTE:
        return validate_text(value, f->max_chars, true, f->name, err);
    case FT_ENUM:
        if (!f->choices || schema_choice_index(f->choices, value) < 0)
            return dp_error_set(err, DP_EINVAL, f->name, _("choose one of the listed options"));
        return DP_OK;
    case FT_SET:
        if (!f->choices)
            return dp_error_set(err, DP_EINVAL, f->name, _("this field has no options"));
        return validate_set(f, value, err);
    case FT_DATE: {
        struct dp_date d;
        enum dp_status st = date_parse(value, &d, f->name, err);
        if (st != DP_OK)
            return st;
        if (today && strcmp(f->name, "birth_date") == 0 && date_compare(&d, today) > 0)
            return dp_error_set(err, DP_EINVAL, f->name, _("the birth date is in the future"));
        return DP_OK;
    }
    case FT_MONEY:
        return money_parse_fen(value, NULL, f->name, err);
    case FT_BOOL:
        if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
            return dp_error_set(err, DP_EINVAL, f->name, _("must be yes (1) or no (0)"));
        return DP_OK;
    case FT_ID_NUMBER:
        return validate_id_number(value, today, NULL, f->name, err);
    case FT_PHONE:
        return validate_phone(value, f->name, err);
    case FT_USER:
        return validate_username(value, f->name, err);
    }
    return dp_error_set(err, DP_EINVAL, f->name, _("this field has an unknown type"));
}
