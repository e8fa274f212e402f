/* Editing text by character, measured by column: tui/edit.h. */
#include "tui/edit.h"

#include <locale.h>

#include "tests/unit/test.h"

static void
type(struct edit *e, const char *s)
{
    /* Code points of a valid UTF-8 literal. */
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t cp;
        int n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        cp = n == 1 ? *p : n == 2 ? *p & 0x1F : n == 3 ? *p & 0x0F : *p & 0x07;
        for (int i = 1; i < n; i++)
            cp = (cp << 6) | (p[i] & 0x3F);
        edit_insert(e, cp);
        p += n;
    }
}

TEST(typing_and_moving_by_character)
{
    struct edit e;
    REQUIRE(edit_init(&e, 0, false) == DP_OK);
    type(&e, "王小明");
    CHECK_STR_EQ(e.buf, "王小明");
    CHECK_INT_EQ(edit_chars(&e), 3);
    CHECK(edit_left(&e));
    CHECK(edit_left(&e));
    type(&e, "a");
    CHECK_STR_EQ(e.buf, "王a小明");
    edit_home(&e);
    CHECK(!edit_left(&e));
    CHECK(edit_delete(&e));
    CHECK_STR_EQ(e.buf, "a小明");
    edit_end(&e);
    CHECK(!edit_right(&e));
    CHECK(edit_backspace(&e));
    CHECK_STR_EQ(e.buf, "a小");
    edit_done(&e);
}

TEST(combining_marks_move_and_go_with_their_letter)
{
    struct edit e;
    REQUIRE(edit_init(&e, 0, false) == DP_OK);
    type(&e, "ae\xCC\x81z"); /* a é z, é as e + U+0301 */
    CHECK(edit_left(&e));    /* before z */
    CHECK(edit_left(&e));    /* before é, not between e and its accent */
    CHECK_INT_EQ(e.cursor, 1);
    CHECK(edit_delete(&e)); /* the letter and its accent together */
    CHECK_STR_EQ(e.buf, "az");
    type(&e, "e\xCC\x81");
    CHECK(edit_backspace(&e));
    CHECK_STR_EQ(e.buf, "az");
    CHECK_INT_EQ(edit_chars(&e), 2);
    edit_done(&e);
}

TEST(what_may_not_be_typed)
{
    struct edit e;
    REQUIRE(edit_init(&e, 0, false) == DP_OK);
    CHECK(!edit_insert(&e, '\n'));   /* one line */
    CHECK(!edit_insert(&e, 0x1B));   /* ESC */
    CHECK(!edit_insert(&e, 0x9B));   /* C1 CSI */
    CHECK(!edit_insert(&e, 0xFFFD)); /* what broken input decodes to */
    CHECK(!edit_insert(&e, 0xD800)); /* surrogate */
    CHECK(!edit_insert(&e, 0x110000));
    CHECK(edit_insert(&e, 0x00B7));
    CHECK_STR_EQ(e.buf, "\xC2\xB7");
    edit_done(&e);
    REQUIRE(edit_init(&e, 0, true) == DP_OK);
    CHECK(edit_insert(&e, '\n')); /* notes */
    edit_done(&e);
}

TEST(the_cap_is_in_characters_not_bytes)
{
    struct edit e;
    REQUIRE(edit_init(&e, 3, false) == DP_OK);
    type(&e, "张三丰张");
    CHECK_STR_EQ(e.buf, "张三丰");
    CHECK(!edit_insert(&e, 'x'));
    CHECK(edit_backspace(&e));
    CHECK(edit_insert(&e, 'x'));
    CHECK_STR_EQ(e.buf, "张三x");
    edit_done(&e);
    /* A huge paste stops at the hard limit whatever the field says. */
    REQUIRE(edit_init(&e, 0, false) == DP_OK);
    for (int i = 0; i < EDIT_MAX_CHARS + 100; i++)
        edit_insert(&e, 0x5F88);
    CHECK_INT_EQ(edit_chars(&e), EDIT_MAX_CHARS);
    CHECK_INT_EQ(e.len, 3 * EDIT_MAX_CHARS);
    edit_done(&e);
}

TEST(kill_before_and_after_work_per_line)
{
    struct edit e;
    REQUIRE(edit_init(&e, 0, true) == DP_OK);
    type(&e, "第一行\n第二行");
    edit_left(&e);
    CHECK(edit_kill_before(&e));
    CHECK_STR_EQ(e.buf, "第一行\n行");
    CHECK(edit_kill_after(&e));
    CHECK_STR_EQ(e.buf, "第一行\n");
    CHECK(!edit_kill_after(&e));
    edit_home(&e);
    CHECK_INT_EQ(e.cursor, strlen("第一行\n"));
    CHECK(edit_backspace(&e)); /* joins the lines */
    CHECK_STR_EQ(e.buf, "第一行");
    edit_done(&e);
}

TEST(set_drops_what_could_not_be_typed)
{
    struct edit e;
    REQUIRE(edit_init(&e, 5, false) == DP_OK);
    CHECK(edit_set(&e, "a\xFF"
                       "b\x1B"
                       "c\nd\xE5\xBC"
                       "e"
                       "fgh") == DP_OK);
    CHECK_STR_EQ(e.buf, "abcde"); /* bad bytes, ESC, LF dropped; capped at 5 */
    CHECK_INT_EQ(e.cursor, e.len);
    CHECK(edit_set(&e, NULL) == DP_OK);
    CHECK_STR_EQ(e.buf, "");
    edit_done(&e);
}

TEST(scrolling_keeps_the_cursor_in_view)
{
    struct edit e;
    int col;
    REQUIRE(edit_init(&e, 0, false) == DP_OK);
    type(&e, "一二三四五六七八九十");        /* 20 columns */
    size_t start = edit_scroll(&e, 9, &col); /* 8 usable + the cursor */
    CHECK(col <= 8);
    CHECK_INT_EQ(col, 8);
    CHECK_STR_EQ(e.buf + start, "七八九十");
    edit_home(&e);
    start = edit_scroll(&e, 9, &col);
    CHECK_INT_EQ(start, 0);
    CHECK_INT_EQ(col, 0);
    /* After deleting, what fits is shown from the start again. */
    edit_end(&e);
    edit_scroll(&e, 9, &col);
    while (edit_backspace(&e) && edit_chars(&e) > 3)
        ;
    start = edit_scroll(&e, 9, &col);
    CHECK_INT_EQ(start, 0);
    CHECK_INT_EQ(col, 6);
    edit_done(&e);
}

int
main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    RUN(typing_and_moving_by_character);
    RUN(combining_marks_move_and_go_with_their_letter);
    RUN(what_may_not_be_typed);
    RUN(the_cap_is_in_characters_not_bytes);
    RUN(kill_before_and_after_work_per_line);
    RUN(set_drops_what_could_not_be_typed);
    RUN(scrolling_keeps_the_cursor_in_view);
    return test_report();
}
