/* Column widths and cuts: CJK, middle dots, emoji, combining marks, invalid bytes. */
#include "tui/text.h"

#include <locale.h>

#include "tests/unit/test.h"

/* Names as they appear in the data; widths are what glibc wcwidth gives. */
#define ZHANG_SAN     "\xE5\xBC\xA0\xE4\xB8\x89"             /* 张三, 4 columns */
#define WANG_XIAOMING "\xE7\x8E\x8B\xE5\xB0\x8F\xE6\x98\x8E" /* 王小明, 6 columns */
#define MIDDOT        "\xC2\xB7"                             /* U+00B7, ambiguous: 1 column */
#define KATAKANA_DOT  "\xE3\x83\xBB"                         /* U+30FB, 2 columns */
/* 阿依古丽·买买提: 7 ideographs and a middle dot = 15 columns. */
#define UYGHUR_NAME                                                                                \
    "\xE9\x98\xBF\xE4\xBE\x9D\xE5\x8F\xA4\xE4\xB8\xBD" MIDDOT "\xE4\xB9\xB0\xE4\xB9\xB0\xE6\x8F"   \
    "\x90"
#define GRIN    "\xF0\x9F\x98\x80"       /* U+1F600, 2 columns */
#define E_ACUTE "e\xCC\x81"              /* e + U+0301 combining acute, 1 column */
#define FAMILY  GRIN "\xE2\x80\x8D" GRIN /* two emoji joined by ZWJ: measured 4 */
#define FFFD    "\xEF\xBF\xBD"

TEST(width_of_ascii_cjk_and_dots)
{
    CHECK_INT_EQ(text_width(""), 0);
    CHECK_INT_EQ(text_width(NULL), 0);
    CHECK_INT_EQ(text_width("abc"), 3);
    CHECK_INT_EQ(text_width(ZHANG_SAN), 4);
    CHECK_INT_EQ(text_width(WANG_XIAOMING), 6);
    CHECK_INT_EQ(text_width(MIDDOT), 1);
    CHECK_INT_EQ(text_width(KATAKANA_DOT), 2);
    CHECK_INT_EQ(text_width(UYGHUR_NAME), 15);
    CHECK_INT_EQ(text_width("\xE3\x80\x80"), 2); /* ideographic space */
    CHECK_INT_EQ(text_width("\xEF\xBC\x81"), 2); /* fullwidth ! */
}

TEST(width_of_emoji_and_combining_marks)
{
    CHECK_INT_EQ(text_width(GRIN), 2);
    CHECK_INT_EQ(text_width(E_ACUTE), 1);
    CHECK_INT_EQ(text_width("\xCC\x81"), 0); /* a mark with no base */
    CHECK_INT_EQ(text_width(FAMILY), 4);
    CHECK_INT_EQ(text_width("\xE2\x9D\xA4\xEF\xB8\x8F"), 1); /* heart + VS16: wcwidth says 1 */
}

TEST(invalid_bytes_and_controls_count_one_column_each)
{
    CHECK_INT_EQ(text_width("\xFF"), 1);
    CHECK_INT_EQ(text_width("a\xC3"), 2);            /* truncated sequence */
    CHECK_INT_EQ(text_width("\xE5\xBC"), 2);         /* two bytes of a 3-byte char */
    CHECK_INT_EQ(text_width("\xC0\xAF"), 2);         /* overlong '/' */
    CHECK_INT_EQ(text_width("\xED\xA0\x80"), 3);     /* surrogate */
    CHECK_INT_EQ(text_width("\x1B[31m"), 5);         /* ESC counts as one */
    CHECK_INT_EQ(text_width("\t\n"), 2);             /* shown as U+FFFD each */
    CHECK_INT_EQ(text_width("\xF4\x8F\xBF\xBF"), 1); /* U+10FFFF: unprintable */
    CHECK_INT_EQ(text_width_n(ZHANG_SAN "x", 3), 2); /* first char only */
    CHECK_INT_EQ(text_width_n(ZHANG_SAN, 2), 2);     /* cut mid-char: 2 bad bytes */
}

TEST(fit_never_splits_and_reports_columns)
{
    int used = -1;
    bool trimmed = true;
    CHECK_INT_EQ(text_fit(ZHANG_SAN, 4, &used, &trimmed), 6);
    CHECK_INT_EQ(used, 4);
    CHECK(!trimmed);
    CHECK_INT_EQ(text_fit(ZHANG_SAN, 3, &used, &trimmed), 3);
    CHECK_INT_EQ(used, 2); /* 三 would straddle: left out, caller pads */
    CHECK(trimmed);
    CHECK_INT_EQ(text_fit(ZHANG_SAN, 1, &used, &trimmed), 0);
    CHECK_INT_EQ(used, 0);
    CHECK_INT_EQ(text_fit(ZHANG_SAN, 0, &used, &trimmed), 0);
    CHECK_INT_EQ(text_fit(ZHANG_SAN, -5, &used, &trimmed), 0);
    CHECK(trimmed);
    CHECK_INT_EQ(text_fit("", 5, &used, &trimmed), 0);
    CHECK(!trimmed);
    CHECK_INT_EQ(text_fit("abc", 10, NULL, NULL), 3);
}

TEST(fit_keeps_combining_marks_with_their_base)
{
    int used;
    bool trimmed;
    /* "e" + acute + "x": at one column the mark comes along with the e. */
    CHECK_INT_EQ(text_fit(E_ACUTE "x", 1, &used, &trimmed), 3);
    CHECK_INT_EQ(used, 1);
    CHECK(trimmed);
    /* A wide char that does not fit takes its marks out with it. */
    CHECK_INT_EQ(text_fit("a" ZHANG_SAN "\xCC\x81", 2, &used, &trimmed), 1);
    CHECK_INT_EQ(used, 1);
    /* ZWJ after an emoji stays with it, the next emoji goes. */
    CHECK_INT_EQ(text_fit(FAMILY, 3, &used, &trimmed), 7);
    CHECK_INT_EQ(used, 2);
}

TEST(fit_middle_dot_names)
{
    int used;
    bool trimmed;
    /* 阿依古丽· is 9 columns: at 9 the dot is in, at 8 it is not. */
    CHECK_INT_EQ(text_fit(UYGHUR_NAME, 9, &used, &trimmed), 14);
    CHECK_INT_EQ(used, 9);
    CHECK_INT_EQ(text_fit(UYGHUR_NAME, 8, &used, &trimmed), 12);
    CHECK_INT_EQ(used, 8);
    CHECK_INT_EQ(text_fit(UYGHUR_NAME, 10, &used, &trimmed), 14);
    CHECK_INT_EQ(used, 9); /* 买 straddles */
}

TEST(fit_invalid_bytes_one_at_a_time)
{
    int used;
    bool trimmed;
    CHECK_INT_EQ(text_fit("\xFF\xFE" ZHANG_SAN, 2, &used, &trimmed), 2);
    CHECK_INT_EQ(used, 2);
    CHECK_INT_EQ(text_fit("\xE5\xBC"
                          "a",
                          2, &used, &trimmed),
                 2); /* broken 张: two columns */
    CHECK_INT_EQ(used, 2);
}

TEST(clean_replaces_what_the_terminal_must_not_see)
{
    char buf[64];
    CHECK_INT_EQ(text_clean(buf, sizeof buf, "ok " ZHANG_SAN), 9);
    CHECK_STR_EQ(buf, "ok " ZHANG_SAN);
    text_clean(buf, sizeof buf, "\x1B[2Jx");
    CHECK_STR_EQ(buf, FFFD "[2Jx");
    text_clean(buf, sizeof buf,
               "a\xFF"
               "b\tc\n");
    CHECK_STR_EQ(buf, "a" FFFD "b" FFFD "c" FFFD);
    text_clean(buf, sizeof buf, E_ACUTE GRIN MIDDOT);
    CHECK_STR_EQ(buf, E_ACUTE GRIN MIDDOT);
    text_clean(buf, sizeof buf, "\xC2\x9B"); /* C1 CSI: a control in disguise */
    CHECK_STR_EQ(buf, FFFD);
    /* Cleaning keeps the width. */
    const char *samples[] = {"\x1B[31m", "a\xFF\xFE", "\xE5\xBC", UYGHUR_NAME "\x7F", FAMILY};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        text_clean(buf, sizeof buf, samples[i]);
        CHECK_INT_EQ(text_width(buf), text_width(samples[i]));
    }
}

TEST(clean_stops_on_a_boundary_when_the_buffer_is_small)
{
    char buf[5];
    CHECK_INT_EQ(text_clean(buf, sizeof buf, ZHANG_SAN), 3);
    CHECK_STR_EQ(buf, "\xE5\xBC\xA0");
    CHECK_INT_EQ(text_clean(buf, sizeof buf, "abcdefgh"), 4);
    CHECK_STR_EQ(buf, "abcd");
    CHECK_INT_EQ(text_clean(buf, 1, "abc"), 0);
    CHECK_STR_EQ(buf, "");
}

TEST(pad_to_exact_columns)
{
    char buf[64];
    bool cut = true;
    text_pad(buf, sizeof buf, ZHANG_SAN, 8, TEXT_LEFT, &cut);
    CHECK_STR_EQ(buf, ZHANG_SAN "    ");
    CHECK(!cut);
    text_pad(buf, sizeof buf, WANG_XIAOMING, 8, TEXT_LEFT, &cut);
    CHECK_STR_EQ(buf, WANG_XIAOMING "  ");
    CHECK_INT_EQ(text_width(buf), 8);
    text_pad(buf, sizeof buf, "42", 5, TEXT_RIGHT, &cut);
    CHECK_STR_EQ(buf, "   42");
    text_pad(buf, sizeof buf, "", 3, TEXT_LEFT, &cut);
    CHECK_STR_EQ(buf, "   ");
    text_pad(buf, sizeof buf, NULL, 2, TEXT_LEFT, &cut);
    CHECK_STR_EQ(buf, "  ");
    text_pad(buf, sizeof buf, "abc", 0, TEXT_LEFT, &cut);
    CHECK_STR_EQ(buf, "");
    CHECK(cut);
}

TEST(pad_cuts_with_a_mark_on_a_character_boundary)
{
    char buf[64];
    bool cut = false;
    /* 王小明 in 5 columns: 王小 + mark would be 5. */
    text_pad(buf, sizeof buf, WANG_XIAOMING, 5, TEXT_LEFT, &cut);
    CHECK_STR_EQ(buf, "\xE7\x8E\x8B\xE5\xB0\x8F" TEXT_CUT_MARK);
    CHECK(cut);
    /* In 4: 王 (2), 小 would straddle, so a pad space, then the mark. */
    text_pad(buf, sizeof buf, WANG_XIAOMING, 4, TEXT_LEFT, &cut);
    CHECK_STR_EQ(buf, "\xE7\x8E\x8B " TEXT_CUT_MARK);
    CHECK_INT_EQ(text_width(buf), 4);
    text_pad(buf, sizeof buf, WANG_XIAOMING, 1, TEXT_LEFT, &cut);
    CHECK_STR_EQ(buf, TEXT_CUT_MARK);
    text_pad(buf, sizeof buf, "abcdef", 4, TEXT_RIGHT, &cut);
    CHECK_STR_EQ(buf, "abc" TEXT_CUT_MARK);
    /* Combining marks stay: "é" fits, the cut comes after its accent. */
    text_pad(buf, sizeof buf, E_ACUTE E_ACUTE "zz", 3, TEXT_LEFT, &cut);
    CHECK_STR_EQ(buf, E_ACUTE E_ACUTE TEXT_CUT_MARK);
    /* Invalid bytes come out as U+FFFD, one column each. */
    text_pad(buf, sizeof buf, "\xFF\xFF\xFF\xFF", 3, TEXT_LEFT, &cut);
    CHECK_STR_EQ(buf, FFFD FFFD TEXT_CUT_MARK);
}

TEST(pad_never_overflows_a_small_buffer)
{
    char buf[8];
    size_t n = text_pad(buf, sizeof buf, UYGHUR_NAME, 20, TEXT_LEFT, NULL);
    CHECK(n < sizeof buf);
    CHECK_INT_EQ(strlen(buf), n);
    CHECK_INT_EQ(n, 6); /* two whole ideographs, nothing half-written */
    char tiny[1];
    CHECK_INT_EQ(text_pad(tiny, sizeof tiny, "abc", 3, TEXT_LEFT, NULL), 0);
    CHECK_INT_EQ(text_pad(tiny, 0, "abc", 3, TEXT_LEFT, NULL), 0);
}

/* Rows of mixed names padded into a column of a given width always line up. */
static void
check_alignment_at(int cols)
{
    const char *names[] = {ZHANG_SAN,
                           WANG_XIAOMING,
                           UYGHUR_NAME,
                           "Li Lei",
                           E_ACUTE "mile",
                           GRIN "smile",
                           "\xFF\xFEx",
                           FAMILY "!",
                           "\xE6\xAC\xA7\xE9\x98\xB3\xE5\xB0\x8F\xE6\x98\x8E" KATAKANA_DOT
                           "\xE6\x9F\x90\xE6\x9F\x90\xE6\x9F\x90\xE6\x9F\x90\xE6\x9F\x90"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char buf[256], line[512];
        text_pad(buf, sizeof buf, names[i], cols, TEXT_LEFT, NULL);
        CHECK_INT_EQ(text_width(buf), cols);
        /* A second column after it starts at exactly cols. */
        snprintf(line, sizeof line, "%s|", buf);
        CHECK_INT_EQ(text_col_of(line, strlen(buf)), cols);
    }
}

TEST(alignment_at_awkward_widths)
{
    int widths[] = {1, 2, 3, 5, 7, 13, 46, 80};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++)
        check_alignment_at(widths[i]);
}

TEST(a_whole_row_at_46_and_80_columns)
{
    /* Three columns (name 13, village 10, rest) filling a line exactly. */
    int widths[] = {46, 80};
    for (size_t i = 0; i < 2; i++) {
        char a[64], b[64], c[256], line[512];
        text_pad(a, sizeof a, UYGHUR_NAME "x", 13, TEXT_LEFT, NULL);
        text_pad(b, sizeof b, WANG_XIAOMING "\xE6\x9D\x91", 10, TEXT_LEFT, NULL);
        text_pad(c, sizeof c, GRIN E_ACUTE ZHANG_SAN "0123456789012345678901234567890123456789",
                 widths[i] - 25, TEXT_LEFT, NULL);
        snprintf(line, sizeof line, "%s %s %s", a, b, c);
        CHECK_INT_EQ(text_width(line), widths[i]);
    }
}

TEST(cursor_columns_and_positions)
{
    const char *s = "a" ZHANG_SAN E_ACUTE "b";
    CHECK_INT_EQ(text_col_of(s, 0), 0);
    CHECK_INT_EQ(text_col_of(s, 1), 1);
    CHECK_INT_EQ(text_col_of(s, 4), 3);
    CHECK_INT_EQ(text_col_of(s, 7), 5);
    CHECK_INT_EQ(text_col_of(s, 100), 7);
    CHECK_INT_EQ(text_pos_at_col(s, 0), 0);
    CHECK_INT_EQ(text_pos_at_col(s, 1), 1);
    CHECK_INT_EQ(text_pos_at_col(s, 2), 1); /* inside 张: stays before it */
    CHECK_INT_EQ(text_pos_at_col(s, 3), 4);
    CHECK_INT_EQ(text_pos_at_col(s, 6), 10); /* after é, accent included */
    CHECK_INT_EQ(text_pos_at_col(s, 99), strlen(s));
}

TEST(cp_widths)
{
    CHECK_INT_EQ(text_cp_width('A'), 1);
    CHECK_INT_EQ(text_cp_width(0x00B7), 1);
    CHECK_INT_EQ(text_cp_width(0x30FB), 2);
    CHECK_INT_EQ(text_cp_width(0x4E00), 2);
    CHECK_INT_EQ(text_cp_width(0x20000), 2); /* CJK extension B */
    CHECK_INT_EQ(text_cp_width(0x0301), 0);
    CHECK_INT_EQ(text_cp_width(0x200D), 0);
    CHECK_INT_EQ(text_cp_width(0x1B), 1);
    CHECK(text_cp_unprintable(0x1B));
    CHECK(text_cp_unprintable(0x9B));
    CHECK(!text_cp_unprintable(0x4E00));
    CHECK(!text_cp_unprintable(0x0301));
}

int
main(void)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8")) {
        fprintf(stderr, "test_text: the C.UTF-8 locale is missing\n");
        return 1;
    }
    RUN(width_of_ascii_cjk_and_dots);
    RUN(width_of_emoji_and_combining_marks);
    RUN(invalid_bytes_and_controls_count_one_column_each);
    RUN(fit_never_splits_and_reports_columns);
    RUN(fit_keeps_combining_marks_with_their_base);
    RUN(fit_middle_dot_names);
    RUN(fit_invalid_bytes_one_at_a_time);
    RUN(clean_replaces_what_the_terminal_must_not_see);
    RUN(clean_stops_on_a_boundary_when_the_buffer_is_small);
    RUN(pad_to_exact_columns);
    RUN(pad_cuts_with_a_mark_on_a_character_boundary);
    RUN(pad_never_overflows_a_small_buffer);
    RUN(alignment_at_awkward_widths);
    RUN(a_whole_row_at_46_and_80_columns);
    RUN(cursor_columns_and_positions);
    RUN(cp_widths);
    return test_report();
}
