#include "core/money.h"

#include "tests/unit/test.h"

/* Parses s as yuan; returns fen, or -1 when rejected (the error must then be filled). */
static int64_t
yuan(const char *s)
{
    int64_t fen = -7;
    struct dp_error err;
    dp_error_clear(&err);
    if (money_parse_yuan(s, &fen, "monthly_income", &err) != DP_OK) {
        if (err.code != DP_EINVAL || strcmp(err.field, "monthly_income") != 0 || !err.msg[0])
            TEST_FAIL_("rejection of \"%s\" left no proper error", s);
        if (fen != -7)
            TEST_FAIL_("rejection of \"%s\" wrote the output", s);
        return -1;
    }
    return fen;
}

static const char *
yuan_msg(const char *s, struct dp_error *err)
{
    dp_error_clear(err);
    money_parse_yuan(s, NULL, "medical_yearly", err);
    return err->msg;
}

TEST(plain_amounts)
{
    CHECK_INT_EQ(yuan("1234"), 123400);
    CHECK_INT_EQ(yuan("1234.5"), 123450);
    CHECK_INT_EQ(yuan("1234.56"), 123456);
    CHECK_INT_EQ(yuan("0"), 0);
    CHECK_INT_EQ(yuan("0.00"), 0);
    CHECK_INT_EQ(yuan("0.5"), 50);
    CHECK_INT_EQ(yuan("0.05"), 5);
    CHECK_INT_EQ(yuan("0.01"), 1);
    CHECK_INT_EQ(yuan("1.05"), 105);
    CHECK_INT_EQ(yuan("10.50"), 1050);
    CHECK_INT_EQ(yuan("007"), 700);
    CHECK_INT_EQ(yuan("00.10"), 10);
}

TEST(surrounding_spaces_are_trimmed)
{
    CHECK_INT_EQ(yuan("  1234.56"), 123456);
    CHECK_INT_EQ(yuan("1234.56  "), 123456);
    CHECK_INT_EQ(yuan("\t12\t"), 1200);
    CHECK_INT_EQ(yuan("1 234"), -1);
    CHECK_INT_EQ(yuan("12 .5"), -1);
}

TEST(thousands_commas_must_be_proper_groups)
{
    CHECK_INT_EQ(yuan("1,234.56"), 123456);
    CHECK_INT_EQ(yuan("1,234"), 123400);
    CHECK_INT_EQ(yuan("12,345"), 1234500);
    CHECK_INT_EQ(yuan("123,456"), 12345600);
    CHECK_INT_EQ(yuan("1,234,567.8"), 123456780);
    CHECK_INT_EQ(yuan("1,000,000,000"), INT64_C(100000000000));
    CHECK_INT_EQ(yuan("1,23"), -1);
    CHECK_INT_EQ(yuan("1,2345"), -1);
    CHECK_INT_EQ(yuan("1234,567"), -1);
    CHECK_INT_EQ(yuan("12,34,567"), -1); /* lakh-style grouping */
    CHECK_INT_EQ(yuan(",123"), -1);
    CHECK_INT_EQ(yuan("1,"), -1);
    CHECK_INT_EQ(yuan("1,,234"), -1);
    CHECK_INT_EQ(yuan("0,123"), -1);
    CHECK_INT_EQ(yuan("1,234.5,6"), -1);
    CHECK_INT_EQ(yuan("1,234,"), -1);
}

TEST(decimals_and_points)
{
    CHECK_INT_EQ(yuan("1.234"), -1);
    CHECK_INT_EQ(yuan("0.001"), -1);
    CHECK_INT_EQ(yuan("1.2.3"), -1);
    CHECK_INT_EQ(yuan(".5"), -1); /* refused: write 0.5 */
    CHECK_INT_EQ(yuan("5."), -1); /* refused: a half-typed figure */
    CHECK_INT_EQ(yuan("."), -1);
}

TEST(rejects_signs_exponents_and_words)
{
    const char *bad[] = {
        "",    "   ",  "-1",    "+1",     "- 1",  "1-",        "1e5",   "1E5",    "1.5e3",
        "e5",  "0x1A", "0x10",  "NaN",    "nan",  "inf",       "Inf",   "1/2",    "12a",
        "a12", "¥100", "100元", "１２３", "1２3", "１２３.45", "12。5", "1，234",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (yuan(bad[i]) != -1)
            TEST_FAIL_("accepted \"%s\"", bad[i]);
    CHECK_INT_EQ(money_parse_yuan(NULL, NULL, "f", NULL), DP_EINVAL);
}

TEST(messages_say_what_to_fix)
{
    struct dp_error err;
    CHECK(strstr(yuan_msg("-1", &err), "sign"));
    CHECK_STR_EQ(err.field, "medical_yearly");
    CHECK(strstr(yuan_msg("1e5", &err), "exponent"));
    CHECK(strstr(yuan_msg("1.234", &err), "two decimals"));
    CHECK(strstr(yuan_msg("1,23", &err), "three digits"));
    CHECK(strstr(yuan_msg("１２３", &err), "half-width"));
    CHECK(strstr(yuan_msg("99999999999.99", &err), "too large"));
    CHECK(strstr(yuan_msg("", &err), "enter"));
    /* The value itself never appears in the message. */
    CHECK(!strstr(yuan_msg("98765.432", &err), "98765"));
    CHECK(!strstr(yuan_msg("4321e2", &err), "4321"));
}

TEST(limit_is_money_max_fen)
{
    CHECK_INT_EQ(yuan("10000000000"), MONEY_MAX_FEN);
    CHECK_INT_EQ(yuan("10,000,000,000.00"), MONEY_MAX_FEN);
    CHECK_INT_EQ(yuan("9999999999.99"), MONEY_MAX_FEN - 1);
    CHECK_INT_EQ(yuan("10000000000.01"), -1);
    CHECK_INT_EQ(yuan("99999999999.99"), -1);
    CHECK_INT_EQ(yuan("99999999999999999999999"), -1);    /* would overflow int64 */
    CHECK_INT_EQ(yuan("92233720368547758.07"), -1);       /* INT64_MAX fen */
    CHECK_INT_EQ(yuan("0000000000000000000001.00"), 100); /* zeros are not digits of size */
}

static int64_t
fen(const char *s)
{
    int64_t v = -7;
    if (money_parse_fen(s, &v, "f", NULL) != DP_OK)
        return -1;
    return v;
}

TEST(canonical_fen)
{
    CHECK_INT_EQ(fen("0"), 0);
    CHECK_INT_EQ(fen("1"), 1);
    CHECK_INT_EQ(fen("123456"), 123456);
    CHECK_INT_EQ(fen("1000000000000"), MONEY_MAX_FEN);
    CHECK_INT_EQ(fen("1000000000001"), -1);
    CHECK_INT_EQ(fen("9999999999999"), -1);
    CHECK_INT_EQ(fen("99999999999999999999"), -1);
    CHECK_INT_EQ(fen(""), -1);
    CHECK_INT_EQ(fen("00"), -1);
    CHECK_INT_EQ(fen("0123"), -1);
    CHECK_INT_EQ(fen("-1"), -1);
    CHECK_INT_EQ(fen("+1"), -1);
    CHECK_INT_EQ(fen("12.50"), -1);
    CHECK_INT_EQ(fen("1,234"), -1);
    CHECK_INT_EQ(fen(" 12"), -1);
    CHECK_INT_EQ(fen("12 "), -1);
    CHECK_INT_EQ(fen(NULL), -1);
    struct dp_error err;
    CHECK_INT_EQ(money_parse_fen("12x", NULL, "monthly_income", &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "monthly_income");
}

TEST(formatting)
{
    char buf[24];
    money_format_yuan(123450, buf, sizeof buf);
    CHECK_STR_EQ(buf, "1234.50");
    money_format_yuan(5, buf, sizeof buf);
    CHECK_STR_EQ(buf, "0.05");
    money_format_yuan(0, buf, sizeof buf);
    CHECK_STR_EQ(buf, "0.00");
    money_format_yuan(-105, buf, sizeof buf);
    CHECK_STR_EQ(buf, "-1.05");
    money_format_yuan(MONEY_MAX_FEN, buf, sizeof buf);
    CHECK_STR_EQ(buf, "10000000000.00");
    money_format_yuan(INT64_MIN, buf, sizeof buf);
    CHECK_STR_EQ(buf, "-92233720368547758.08");
    money_format_yuan(INT64_MAX, buf, sizeof buf);
    CHECK_STR_EQ(buf, "92233720368547758.07");
    money_format_fen(123450, buf, sizeof buf);
    CHECK_STR_EQ(buf, "123450");
    money_format_fen(0, buf, sizeof buf);
    CHECK_STR_EQ(buf, "0");
    char small[4];
    money_format_yuan(123450, small, sizeof small);
    CHECK_STR_EQ(small, "123");
}

TEST(format_and_parse_round_trip)
{
    char buf[24];
    int bad = 0;
    for (int64_t v = 0; v <= 200000; v += 7) {
        int64_t got = -1;
        money_format_yuan(v, buf, sizeof buf);
        if (money_parse_yuan(buf, &got, "f", NULL) != DP_OK || got != v)
            bad++;
        money_format_fen(v, buf, sizeof buf);
        if (money_parse_fen(buf, &got, "f", NULL) != DP_OK || got != v)
            bad++;
    }
    for (int64_t v = MONEY_MAX_FEN - 1000; v <= MONEY_MAX_FEN; v++) {
        int64_t got = -1;
        money_format_yuan(v, buf, sizeof buf);
        if (money_parse_yuan(buf, &got, "f", NULL) != DP_OK || got != v)
            bad++;
    }
    CHECK_INT_EQ(bad, 0);
}

int
main(void)
{
    RUN(plain_amounts);
    RUN(surrounding_spaces_are_trimmed);
    RUN(thousands_commas_must_be_proper_groups);
    RUN(decimals_and_points);
    RUN(rejects_signs_exponents_and_words);
    RUN(messages_say_what_to_fix);
    RUN(limit_is_money_max_fen);
    RUN(canonical_fen);
    RUN(formatting);
    RUN(format_and_parse_round_trip);
    return test_report();
}
