#include "core/utf8.h"

#include "tests/unit/test.h"

/*
 * Well-formedness straight from the Unicode standard's table of well-formed
 * byte sequences (Table 3-7), an oracle that shares no code with utf8.c.
 */
static size_t
table_3_7_length(const unsigned char *b, size_t len)
{
    static const struct {
        unsigned char lo[4], hi[4];
        size_t n;
    } rows[] = {
        {{0x00}, {0x7F}, 1},
        {{0xC2, 0x80}, {0xDF, 0xBF}, 2},
        {{0xE0, 0xA0, 0x80}, {0xE0, 0xBF, 0xBF}, 3},
        {{0xE1, 0x80, 0x80}, {0xEC, 0xBF, 0xBF}, 3},
        {{0xED, 0x80, 0x80}, {0xED, 0x9F, 0xBF}, 3},
        {{0xEE, 0x80, 0x80}, {0xEF, 0xBF, 0xBF}, 3},
        {{0xF0, 0x90, 0x80, 0x80}, {0xF0, 0xBF, 0xBF, 0xBF}, 4},
        {{0xF1, 0x80, 0x80, 0x80}, {0xF3, 0xBF, 0xBF, 0xBF}, 4},
        {{0xF4, 0x80, 0x80, 0x80}, {0xF4, 0x8F, 0xBF, 0xBF}, 4},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        if (rows[r].n > len)
            continue;
        size_t k = 0;
        while (k < rows[r].n && b[k] >= rows[r].lo[k] && b[k] <= rows[r].hi[k])
            k++;
        if (k == rows[r].n)
            return k;
    }
    return 0;
}

static bool
valid_str(const char *s)
{
    return utf8_valid(s, strlen(s));
}

TEST(decodes_each_length)
{
    uint32_t cp = 0;
    CHECK_INT_EQ(utf8_decode("A", 1, &cp), 1);
    CHECK_INT_EQ(cp, 0x41);
    CHECK_INT_EQ(utf8_decode("\xC2\xB7", 2, &cp), 2); /* middle dot */
    CHECK_INT_EQ(cp, 0xB7);
    CHECK_INT_EQ(utf8_decode("\xE5\xBC\xA0", 3, &cp), 3); /* 张 */
    CHECK_INT_EQ(cp, 0x5F20);
    CHECK_INT_EQ(utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4); /* emoji */
    CHECK_INT_EQ(cp, 0x1F600);
    CHECK_INT_EQ(utf8_decode("\xF4\x8F\xBF\xBF", 4, &cp), 4);
    CHECK_INT_EQ(cp, 0x10FFFF);
    CHECK_INT_EQ(utf8_decode("\xEF\xBF\xBD", 3, &cp), 3); /* a real U+FFFD */
    CHECK_INT_EQ(cp, 0xFFFD);
    CHECK_INT_EQ(utf8_decode("", 0, &cp), 0);
    CHECK_INT_EQ(utf8_decode("\0", 1, &cp), 1);
    CHECK_INT_EQ(cp, 0);
    CHECK_INT_EQ(utf8_decode("\xE5\xBC\xA0", 3, NULL), 3);
}

TEST(rejects_malformed_sequences)
{
    const struct {
        const char *s;
        size_t len;
    } bad[] = {
        {"\xC0\xAF", 2},             /* overlong '/' */
        {"\xC1\xBF", 2},             /* overlong */
        {"\xE0\x80\xAF", 3},         /* overlong '/' in three bytes */
        {"\xE0\x9F\xBF", 3},         /* overlong U+07FF */
        {"\xF0\x80\x80\xAF", 4},     /* overlong in four bytes */
        {"\xF0\x8F\xBF\xBF", 4},     /* overlong U+FFFF */
        {"\xED\xA0\x80", 3},         /* surrogate U+D800 */
        {"\xED\xBF\xBF", 3},         /* surrogate U+DFFF */
        {"\xF4\x90\x80\x80", 4},     /* U+110000 */
        {"\xF5\x80\x80\x80", 4},     /* past the range */
        {"\xFF", 1},                 /* never valid */
        {"\xFE", 1},                 /* never valid */
        {"\x80", 1},                 /* lone continuation */
        {"\xBF", 1},                 /* lone continuation */
        {"\xE5\xBC", 2},             /* truncated */
        {"\xE5", 1},                 /* truncated */
        {"\xF0\x9F\x98", 3},         /* truncated */
        {"\xC2\x41", 2},             /* continuation missing */
        {"\xE5\xBC\xA0", 2},         /* truncated by len, not by bytes */
        {"\xF8\x88\x80\x80\x80", 5}, /* five-byte form */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint32_t cp = 0;
        size_t n = utf8_decode(bad[i].s, bad[i].len, &cp);
        if (n != 1 || cp != 0xFFFD)
            TEST_FAIL_("case %zu decoded as %zu bytes, U+%04X", i, n, (unsigned)cp);
        if (utf8_valid(bad[i].s, bad[i].len))
            TEST_FAIL_("case %zu counted as valid", i);
    }
}

TEST(agrees_with_the_standard_for_every_short_sequence)
{
    unsigned char b[4];
    long mismatches = 0;
    /* Every one-, two- and three-byte sequence. */
    for (unsigned x = 0; x < 256; x++) {
        for (unsigned y = 0; y < 256; y++) {
            b[0] = (unsigned char)x;
            b[1] = (unsigned char)y;
            bool want2 = table_3_7_length(b, 2) == 2;
            if (want2 != utf8_valid((const char *)b, 2) && !(x < 0x80 && y < 0x80))
                mismatches++;
            for (unsigned z = 0; z < 256; z++) {
                b[2] = (unsigned char)z;
                size_t want = table_3_7_length(b, 3);
                uint32_t cp;
                size_t got = utf8_decode((const char *)b, 3, &cp);
                if ((want ? want : 1) != got || (!want && cp != 0xFFFD))
                    mismatches++;
            }
        }
    }
    /* Four-byte sequences: every lead and second byte, edge values after. */
    static const unsigned char edges[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0xBF, 0xC0, 0xFF};
    for (unsigned x = 0xF0; x < 256; x++)
        for (unsigned y = 0; y < 256; y++)
            for (size_t i = 0; i < sizeof edges; i++)
                for (size_t j = 0; j < sizeof edges; j++) {
                    b[0] = (unsigned char)x;
                    b[1] = (unsigned char)y;
                    b[2] = edges[i];
                    b[3] = edges[j];
                    size_t want = table_3_7_length(b, 4);
                    uint32_t cp;
                    if ((want ? want : 1) != utf8_decode((const char *)b, 4, &cp))
                        mismatches++;
                }
    CHECK_INT_EQ(mismatches, 0);
}

TEST(encode_round_trips_every_scalar_value)
{
    char buf[4];
    long bad = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        size_t n = utf8_encode(cp, buf);
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            if (n != 0)
                bad++;
            continue;
        }
        uint32_t back = 0;
        if (n == 0 || utf8_decode(buf, n, &back) != n || back != cp)
            bad++;
    }
    CHECK_INT_EQ(bad, 0);
    CHECK_INT_EQ(utf8_encode(0x110000, buf), 0);
    CHECK_INT_EQ(utf8_encode(0xFFFFFFFF, buf), 0);
    CHECK_INT_EQ(utf8_encode(0x5F20, buf), 3);
    CHECK(memcmp(buf, "\xE5\xBC\xA0", 3) == 0);
}

TEST(valid_whole_strings)
{
    CHECK(valid_str(""));
    CHECK(valid_str("plain ASCII"));
    CHECK(valid_str("张三"));
    CHECK(valid_str("买买提·艾力"));
    CHECK(valid_str("\xE3\x83\xBB")); /* U+30FB */
    CHECK(!valid_str("ab\xC0\xAF"));
    CHECK(!valid_str("张\xE4\xB8"));
    CHECK(!valid_str("\xE4\xB8张"));
    CHECK(utf8_valid("a\0b", 3)); /* NUL is a code point; callers reject it as a control */
}

TEST(count_code_points)
{
    CHECK_INT_EQ(utf8_count(""), 0);
    CHECK_INT_EQ(utf8_count("abc"), 3);
    CHECK_INT_EQ(utf8_count("张三"), 2);
    CHECK_INT_EQ(utf8_count("买买提·艾力"), 6);
    CHECK_INT_EQ(utf8_count("\xF0\x9F\x98\x80!"), 2);
    CHECK_INT_EQ(utf8_count("\xC0\xAF"), 2);     /* invalid bytes count one each */
    CHECK_INT_EQ(utf8_count("\xE5\xBC"), 2);     /* truncated: two lone bytes */
    CHECK_INT_EQ(utf8_count("\xED\xA0\x80"), 3); /* surrogate: three */
    CHECK_INT_EQ(utf8_count(NULL), 0);
}

/* Walks forward and backward over s and checks both visit the same offsets. */
static void
check_stepping(const char *s, const size_t *want, size_t nwant)
{
    size_t len = strlen(s), pos = 0, k = 0, offs[64];
    offs[k++] = 0;
    while (pos < len && k < 64) {
        pos = utf8_next(s, len, pos);
        offs[k++] = pos;
    }
    if (k != nwant || memcmp(offs, want, k * sizeof offs[0]) != 0)
        TEST_FAIL_("forward steps differ (%zu offsets, want %zu)", k, nwant);
    for (size_t i = k - 1; i > 0; i--) {
        size_t back = utf8_prev(s, offs[i]);
        if (back != offs[i - 1])
            TEST_FAIL_("back from %zu went to %zu, want %zu", offs[i], back, offs[i - 1]);
    }
}

TEST(prev_and_next_agree)
{
    static const size_t w1[] = {0, 1, 4, 6, 7};
    check_stepping("a\xE5\xBC\xA0\xC2\xB7z", w1, 5);
    static const size_t w2[] = {0, 4, 5};
    check_stepping("\xF0\x9F\x98\x80!", w2, 3);
    /* Invalid bytes step one at a time in both directions. */
    static const size_t w3[] = {0, 1, 2, 3};
    check_stepping("\xE5\xBC"
                   "A",
                   w3, 4);
    static const size_t w4[] = {0, 2, 3};
    check_stepping("\xC3\xA9\xA9", w4, 3);
    static const size_t w5[] = {0, 1, 3};
    check_stepping("\xE4\xC3\xA9", w5, 3);
    static const size_t w6[] = {0, 1, 2, 3, 4, 5};
    check_stepping("\x80\x80\x80\x80\x80", w6, 6);
    static const size_t w7[] = {0, 1, 2, 3};
    check_stepping("\xED\xA0\x80", w7, 4);
    static const size_t w8[] = {0, 1, 2, 3, 4};
    check_stepping("\xF4\x90\x80\x80", w8, 5);
}

TEST(prev_and_next_clamp)
{
    const char *s = "张三";
    CHECK_INT_EQ(utf8_prev(s, 0), 0);
    CHECK_INT_EQ(utf8_prev(s, 99), 3);
    CHECK_INT_EQ(utf8_prev(s, 6), 3);
    CHECK_INT_EQ(utf8_prev(s, 2), 1); /* inside a character: one byte back */
    CHECK_INT_EQ(utf8_next(s, 6, 6), 6);
    CHECK_INT_EQ(utf8_next(s, 6, 9), 6);
    CHECK_INT_EQ(utf8_next(s, 6, 0), 3);
    CHECK_INT_EQ(utf8_next(s, 4, 3), 4); /* cut by len */
    CHECK_INT_EQ(utf8_prev(NULL, 3), 0);
}

int
main(void)
{
    RUN(decodes_each_length);
    RUN(rejects_malformed_sequences);
    RUN(agrees_with_the_standard_for_every_short_sequence);
    RUN(encode_round_trips_every_scalar_value);
    RUN(valid_whole_strings);
    RUN(count_code_points);
    RUN(prev_and_next_agree);
    RUN(prev_and_next_clamp);
    return test_report();
}
