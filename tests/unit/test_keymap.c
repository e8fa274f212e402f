/* The key table and the help generated from it: complete, consistent, unambiguous. */
#include "tui/keymap.h"

#include <locale.h>

#include "tui/line.h"
#include "tui/view.h"
#include "tui/views.h"

#include "tests/unit/test.h"

TEST(every_action_has_a_name_help_and_a_key)
{
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++) {
        char keys[256];
        int nkeys = 0;
        for (int km = 0; km < KM_COUNT; km++)
            nkeys += keymap_keys_for((enum keymap)km, (enum action)a, keys, sizeof keys);
        if (nkeys == 0)
            TEST_FAIL_("action %s has no key", action_name((enum action)a));
        if (!action_help((enum action)a)[0])
            TEST_FAIL_("action %s has no help line", action_name((enum action)a));
        CHECK(action_name((enum action)a)[0] != '\0');
        CHECK_INT_EQ(action_from_name(action_name((enum action)a)), a);
    }
    CHECK_INT_EQ(action_from_name("no-such-action"), ACT_NONE);
    CHECK_INT_EQ(action_from_name(""), ACT_NONE);
    CHECK_STR_EQ(action_name(ACT_COUNT), "");
    CHECK_STR_EQ(action_help((enum action) - 1), "");
}

TEST(every_key_name_parses_and_round_trips)
{
    size_t n;
    const struct keybinding *t = keymap_table(&n);
    CHECK(n > 40);
    for (size_t i = 0; i < n; i++) {
        int key = keymap_key_parse(t[i].key);
        if (key < 0) {
            TEST_FAIL_("key name \"%s\" does not parse", t[i].key);
            continue;
        }
        char name[32];
        keymap_key_name(key, name, sizeof name);
        CHECK_STR_EQ(name, t[i].key);
        CHECK(t[i].action > ACT_NONE && t[i].action < ACT_COUNT);
        CHECK(t[i].keymap < KM_COUNT);
    }
}

TEST(no_key_is_bound_twice_in_one_keymap)
{
    size_t n;
    const struct keybinding *t = keymap_table(&n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (t[i].keymap == t[j].keymap &&
                keymap_key_parse(t[i].key) == keymap_key_parse(t[j].key))
                TEST_FAIL_("%s bound twice in keymap %s", t[i].key, keymap_title(t[i].keymap));
}

TEST(typing_keymaps_bind_no_printable_keys)
{
    /* Forms and text editing take printable keys as text: a binding there would never fire. */
    size_t n;
    const struct keybinding *t = keymap_table(&n);
    for (size_t i = 0; i < n; i++)
        if ((t[i].keymap == KM_FORM || t[i].keymap == KM_EDIT) &&
            keymap_key_is_text(keymap_key_parse(t[i].key)))
            TEST_FAIL_("printable key %s bound in %s", t[i].key, keymap_title(t[i].keymap));
}

TEST(bad_key_names_are_refused)
{
    const char *bad[] = {"",         "<>",   "<Ctrl-A>", "<Ctrl-i>", "<Ctrl-m>", "<F0>",
                         "<F13>",    "<f1>", "ab",       " ",        "\x01",     "<Up",
                         "<Enter >", "\xFF", "\xE5\xBC", "<Ctrl-h>", "<Ctrl-1>", NULL};
    for (int i = 0; bad[i]; i++)
        if (keymap_key_parse(bad[i]) != -1)
            TEST_FAIL_("bad key name #%d parsed", i);
    CHECK_INT_EQ(keymap_key_parse(NULL), -1);
}

TEST(typed_keys_are_normalised)
{
    /* wget_wch() returns OK (0) for characters; curses is not ours to include here. */
    CHECK_INT_EQ(keymap_key_from_curses(0, '\n'), KEYCODE_ENTER);
    CHECK_INT_EQ(keymap_key_from_curses(0, '\r'), KEYCODE_ENTER);
    CHECK_INT_EQ(keymap_key_from_curses(0, 127), keymap_key_parse("<Backspace>"));
    CHECK_INT_EQ(keymap_key_from_curses(0, 8), keymap_key_parse("<Backspace>"));
    CHECK_INT_EQ(keymap_key_from_curses(0, 0x5F20), 0x5F20);
    CHECK_INT_EQ(keymap_key_from_curses(0, 0x7FFFFFFF), 0xFFFD);
    CHECK_INT_EQ(keymap_key_from_curses(0, 3), keymap_key_parse("<Ctrl-c>"));
    /* A function key never looks like a character. */
    CHECK(keymap_key_parse("<Down>") >= KEYCODE_FN_BASE);
    CHECK(!keymap_key_is_text(keymap_key_parse("<Down>")));
    CHECK(!keymap_key_is_text(0xD800));
    CHECK(!keymap_key_is_text(0x1B));
    CHECK(keymap_key_is_text(0x00B7));
}

TEST(lookup_goes_view_then_edit_then_generic)
{
    /* j moves in a list, is text in a form, and the form's arrows win over generic. */
    CHECK_INT_EQ(keymap_lookup(KM_HOUSEHOLDS, false, 'j'), ACT_MOVE_DOWN);
    CHECK_INT_EQ(keymap_lookup(KM_FORM, true, 'j'), ACT_NONE);
    CHECK_INT_EQ(keymap_lookup(KM_HOUSEHOLDS, false, '/'), ACT_SEARCH);
    CHECK_INT_EQ(keymap_lookup(KM_HOUSEHOLD, false, '/'), ACT_NONE);
    CHECK_INT_EQ(keymap_lookup(KM_HOUSEHOLD, false, 'v'), ACT_NEW_VISIT);
    CHECK_INT_EQ(keymap_lookup(KM_HOUSEHOLDS, false, 'v'), ACT_FILTER_VILLAGE);
    CHECK_INT_EQ(keymap_lookup(KM_FORM, true, keymap_key_parse("<Down>")), ACT_FIELD_NEXT);
    CHECK_INT_EQ(keymap_lookup(KM_FORM, true, keymap_key_parse("<Home>")), ACT_LINE_START);
    CHECK_INT_EQ(keymap_lookup(KM_HOUSEHOLDS, false, keymap_key_parse("<Home>")), ACT_MOVE_FIRST);
    CHECK_INT_EQ(keymap_lookup(KM_FORM, true, 3), ACT_INTERRUPT); /* Ctrl-C everywhere */
    CHECK_INT_EQ(keymap_lookup(KM_FORM, true, 19), ACT_SAVE);     /* Ctrl-S */
    CHECK_INT_EQ(keymap_lookup(KM_HOUSEHOLDS, false, 'Z'), ACT_NONE);
}

TEST(keys_for_an_action_in_table_order)
{
    char buf[128];
    CHECK_INT_EQ(keymap_keys_for(KM_GENERIC, ACT_MOVE_DOWN, buf, sizeof buf), 3);
    CHECK_STR_EQ(buf, "j, <Down>, <Ctrl-n>");
    CHECK_INT_EQ(keymap_keys_for(KM_GENERIC, ACT_SAVE, buf, sizeof buf), 0);
    CHECK_STR_EQ(buf, "");
    char small[6];
    keymap_keys_for(KM_GENERIC, ACT_MOVE_DOWN, small, sizeof small);
    CHECK_STR_EQ(small, "j"); /* whole key names only */
}

/* Feed bytes, collect the code points that come out. */
static int
feed(const char *bytes, size_t n, long *out, int max)
{
    struct key_utf8 in = {0};
    int got = 0;
    for (size_t i = 0; i < n; i++) {
        long cp = keymap_utf8_feed(&in, (unsigned char)bytes[i]);
        if (cp >= 0 && got < max)
            out[got++] = cp;
    }
    return got;
}

TEST(typed_bytes_decode_and_garbage_is_dropped)
{
    long cp[16];
    CHECK_INT_EQ(feed("a\xE5\xBC\xA0"
                      "b",
                      5, cp, 16),
                 3); /* a 张 b */
    CHECK_INT_EQ(cp[1], 0x5F20);
    /* A cut-short sequence is dropped; the byte that cut it counts. */
    CHECK_INT_EQ(feed("\xE5\xBC"
                      "e",
                      3, cp, 16),
                 1);
    CHECK_INT_EQ(cp[0], 'e');
    CHECK_INT_EQ(feed("\xFF\xFE\xC3"
                      "cd",
                      5, cp, 16),
                 2);
    CHECK_INT_EQ(cp[0], 'c');
    CHECK_INT_EQ(feed("\xC0\xAF", 2, cp, 16), 0);         /* overlong */
    CHECK_INT_EQ(feed("\xED\xA0\x80", 3, cp, 16), 0);     /* surrogate */
    CHECK_INT_EQ(feed("\xF4\x90\x80\x80", 4, cp, 16), 0); /* past U+10FFFF */
    CHECK_INT_EQ(feed("\x80\xBF"
                      "x",
                      3, cp, 16),
                 1); /* stray continuations */
    CHECK_INT_EQ(feed("\xF0\x9F\x98\x80", 4, cp, 16), 1);
    CHECK_INT_EQ(cp[0], 0x1F600);
    CHECK_INT_EQ(feed("\xE5\xE5\xBC\xA0", 4, cp, 16), 1); /* a lead byte restarts */
    CHECK_INT_EQ(cp[0], 0x5F20);
}

/* The help screen, laid out at 80 columns, shows every action's help line. */
TEST(help_lists_every_action)
{
    struct dp_error err = {0};
    struct view *v = view_new(NULL, &help_ops, &households_ops, &err);
    REQUIRE(v);
    view_layout(v, 1, 22, 80);
    bool seen[ACT_COUNT] = {false};
    char first_section[LINE_MAX_BYTES] = "";
    for (long row = 0; row < v->lines; row++) {
        struct line l;
        line_init(&l, 80);
        v->ops->draw_row(v, row, &l);
        CHECK(l.cols <= 80);
        if (row == 0)
            snprintf(first_section, sizeof first_section, "%s", l.text);
        for (int a = ACT_NONE + 1; a < ACT_COUNT; a++)
            if (strstr(l.text, action_help((enum action)a)))
                seen[a] = true;
    }
    for (int a = ACT_NONE + 1; a < ACT_COUNT; a++)
        if (!seen[a])
            TEST_FAIL_("help does not show %s", action_name((enum action)a));
    /* The screen it was opened from comes first. */
    CHECK_STR_EQ(first_section, keymap_title(KM_HOUSEHOLDS));
    /* The list's symbols are explained, from the same tables that draw them. */
    const char *sym, *text;
    int nlegend = 0;
    while (households_ops.legend(nlegend, &sym, &text))
        nlegend++;
    CHECK(nlegend >= 3 + 4 + 6);
    int found = 0;
    for (long row = 0; row < v->lines; row++) {
        struct line l;
        line_init(&l, 80);
        v->ops->draw_row(v, row, &l);
        if (strstr(l.text, "minimum living allowance") || strstr(l.text, "edits not yet synced"))
            found++;
    }
    CHECK_INT_EQ(found, 2);
    view_free(v);
}

int
main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    RUN(every_action_has_a_name_help_and_a_key);
    RUN(every_key_name_parses_and_round_trips);
    RUN(no_key_is_bound_twice_in_one_keymap);
    RUN(typing_keymaps_bind_no_printable_keys);
    RUN(bad_key_names_are_refused);
    RUN(typed_keys_are_normalised);
    RUN(lookup_goes_view_then_edit_then_generic);
    RUN(keys_for_an_action_in_table_order);
    RUN(typed_bytes_decode_and_garbage_is_dropped);
    RUN(help_lists_every_action);
    return test_report();
}
