#include "tui/keymap.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "tui/text.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* clang-format off */
static const struct keybinding bindings[] = {
    /* Everywhere: vi keys and arrows */
    { KM_GENERIC,    "j",           ACT_MOVE_DOWN },
    { KM_GENERIC,    "<Down>",      ACT_MOVE_DOWN },
    { KM_GENERIC,    "<Ctrl-n>",    ACT_MOVE_DOWN },
    { KM_GENERIC,    "k",           ACT_MOVE_UP },
    { KM_GENERIC,    "<Up>",        ACT_MOVE_UP },
    { KM_GENERIC,    "<Ctrl-p>",    ACT_MOVE_UP },
    { KM_GENERIC,    "<PgDown>",    ACT_PAGE_DOWN },
    { KM_GENERIC,    "<Space>",     ACT_PAGE_DOWN },
    { KM_GENERIC,    "<Ctrl-f>",    ACT_PAGE_DOWN },
    { KM_GENERIC,    "<PgUp>",      ACT_PAGE_UP },
    { KM_GENERIC,    "<Ctrl-b>",    ACT_PAGE_UP },
    { KM_GENERIC,    "g",           ACT_MOVE_FIRST },
    { KM_GENERIC,    "<Home>",      ACT_MOVE_FIRST },
    { KM_GENERIC,    "G",           ACT_MOVE_LAST },
    { KM_GENERIC,    "<End>",       ACT_MOVE_LAST },
    { KM_GENERIC,    "<Enter>",     ACT_ENTER },
    { KM_GENERIC,    "l",           ACT_ENTER },
    { KM_GENERIC,    "<Right>",     ACT_ENTER },
    { KM_GENERIC,    "q",           ACT_BACK },
    { KM_GENERIC,    "h",           ACT_BACK },
    { KM_GENERIC,    "<Left>",      ACT_BACK },
    { KM_GENERIC,    "<Esc>",       ACT_BACK },
    { KM_GENERIC,    "Q",           ACT_QUIT },
    { KM_GENERIC,    "?",           ACT_HELP },
    { KM_GENERIC,    "<F1>",        ACT_HELP },
    { KM_GENERIC,    "<Ctrl-l>",    ACT_REDRAW },
    { KM_GENERIC,    "<Ctrl-c>",    ACT_INTERRUPT },
    { KM_GENERIC,    "<Ctrl-z>",    ACT_SUSPEND },
    { KM_GENERIC,    "<Ctrl-r>",    ACT_SYNC },
    { KM_GENERIC,    "<F5>",        ACT_SYNC },

    /* Household list */
    { KM_HOUSEHOLDS, "/",           ACT_SEARCH },
    { KM_HOUSEHOLDS, "r",           ACT_FILTER_RISK },
    { KM_HOUSEHOLDS, "v",           ACT_FILTER_VILLAGE },
    { KM_HOUSEHOLDS, "o",           ACT_FILTER_OVERDUE },
    { KM_HOUSEHOLDS, "u",           ACT_FILTER_UNSYNCED },
    { KM_HOUSEHOLDS, "c",           ACT_FILTER_CATEGORY },
    { KM_HOUSEHOLDS, "x",           ACT_FILTER_CLEAR },
    { KM_HOUSEHOLDS, "s",           ACT_SORT_NEXT },
    { KM_HOUSEHOLDS, "S",           ACT_SORT_REVERSE },
    { KM_HOUSEHOLDS, "C",           ACT_CONFLICTS },
    { KM_HOUSEHOLDS, "P",           ACT_PROBLEMS },
    { KM_HOUSEHOLDS, "L",           ACT_LOGIN },

    /* One household */
    { KM_HOUSEHOLD,  "e",           ACT_EDIT },
    { KM_HOUSEHOLD,  "m",           ACT_ADD_MEMBER },
    { KM_HOUSEHOLD,  "n",           ACT_ADD_NEED },
    { KM_HOUSEHOLD,  "d",           ACT_DELETE },
    { KM_HOUSEHOLD,  "<Delete>",    ACT_DELETE },
    { KM_HOUSEHOLD,  "v",           ACT_NEW_VISIT },
    { KM_HOUSEHOLD,  "R",           ACT_CHANGE_RISK },
    { KM_HOUSEHOLD,  "C",           ACT_CONFLICTS },

    /* Conflicts */
    { KM_CONFLICTS,  "m",           ACT_KEEP_MINE },
    { KM_CONFLICTS,  "t",           ACT_KEEP_THEIRS },
    { KM_CONFLICTS,  "e",           ACT_NEW_VALUE },
    { KM_CONFLICTS,  "<Enter>",     ACT_NEW_VALUE },

    /* Problems */
    { KM_PROBLEMS,   "<Enter>",     ACT_FIX },
    { KM_PROBLEMS,   "e",           ACT_FIX },
    { KM_PROBLEMS,   "d",           ACT_DISMISS },
    { KM_PROBLEMS,   "<Delete>",    ACT_DISMISS },

    /* Login */
    { KM_LOGIN,      "L",           ACT_LOGIN },
    { KM_LOGIN,      "<Enter>",     ACT_LOGIN },

    /* Forms */
    { KM_FORM,       "<Tab>",       ACT_FIELD_NEXT },
    { KM_FORM,       "<Down>",      ACT_FIELD_NEXT },
    { KM_FORM,       "<BackTab>",   ACT_FIELD_PREV },
    { KM_FORM,       "<Up>",        ACT_FIELD_PREV },
    { KM_FORM,       "<Enter>",     ACT_ACCEPT },
    { KM_FORM,       "<Ctrl-s>",    ACT_SAVE },
    { KM_FORM,       "<F2>",        ACT_SAVE },
    { KM_FORM,       "<Esc>",       ACT_CANCEL },
    { KM_FORM,       "<Ctrl-t>",    ACT_TODAY },

    /* Typing text */
    { KM_EDIT,       "<Left>",      ACT_CHAR_LEFT },
    { KM_EDIT,       "<Right>",     ACT_CHAR_RIGHT },
    { KM_EDIT,       "<Home>",      ACT_LINE_START },
    { KM_EDIT,       "<Ctrl-a>",    ACT_LINE_START },
    { KM_EDIT,       "<End>",       ACT_LINE_END },
    { KM_EDIT,       "<Ctrl-e>",    ACT_LINE_END },
    { KM_EDIT,       "<Backspace>", ACT_DELETE_BACK },
    { KM_EDIT,       "<Delete>",    ACT_DELETE_CHAR },
    { KM_EDIT,       "<Ctrl-d>",    ACT_DELETE_CHAR },
    { KM_EDIT,       "<Ctrl-u>",    ACT_KILL_BEFORE },
    { KM_EDIT,       "<Ctrl-k>",    ACT_KILL_AFTER },

    /* Pick lists */
    { KM_PICK,       "<Space>",     ACT_TOGGLE },
    { KM_PICK,       "<Enter>",     ACT_ACCEPT },
    { KM_PICK,       "<Esc>",       ACT_CANCEL },

    /* Prompts and yes/no questions */
    { KM_PROMPT,     "<Enter>",     ACT_ACCEPT },
    { KM_PROMPT,     "<Esc>",       ACT_CANCEL },
    { KM_PROMPT,     "y",           ACT_YES },
    { KM_PROMPT,     "Y",           ACT_YES },
    { KM_PROMPT,     "n",           ACT_NO },
    { KM_PROMPT,     "N",           ACT_NO },
};
/* clang-format on */

static const char *const keymap_titles[KM_COUNT] = {
#define KEYMAP_TITLE(c, title) [KM_##c] = title,
    KEYMAP_LIST(KEYMAP_TITLE)
#undef KEYMAP_TITLE
};

/* Names of the keys that are not printable characters. */
static const struct {
    const char *name;
    int key;
} named_keys[] = {
    {"<Enter>", KEYCODE_ENTER},
    {"<Esc>", KEYCODE_ESC},
    {"<Tab>", KEYCODE_TAB},
    {"<Space>", ' '},
    {"<LessThan>", '<'},
    {"<BackTab>", KEYCODE_FN(KEY_BTAB)},
    {"<Backspace>", KEYCODE_FN(KEY_BACKSPACE)},
    {"<Delete>", KEYCODE_FN(KEY_DC)},
    {"<Insert>", KEYCODE_FN(KEY_IC)},
    {"<Up>", KEYCODE_FN(KEY_UP)},
    {"<Down>", KEYCODE_FN(KEY_DOWN)},
    {"<Left>", KEYCODE_FN(KEY_LEFT)},
    {"<Right>", KEYCODE_FN(KEY_RIGHT)},
    {"<PgUp>", KEYCODE_FN(KEY_PPAGE)},
    {"<PgDown>", KEYCODE_FN(KEY_NPAGE)},
    {"<Home>", KEYCODE_FN(KEY_HOME)},
    {"<End>", KEYCODE_FN(KEY_END)},
    {"<Resize>", KEYCODE_FN(KEY_RESIZE)},
};

/* Parsed key codes of `bindings`, filled on first use (the table is constant). */
static int binding_keys[COUNT(bindings)];
static bool binding_keys_ready;

const struct keybinding *
keymap_table(size_t *n)
{
    *n = COUNT(bindings);
    return bindings;
}

const char *
keymap_title(enum keymap km)
{
    if ((unsigned)km >= KM_COUNT)
        return "";
    return keymap_titles[km];
}

int
keymap_key_from_curses(int rc, unsigned ch)
{
    if (rc == KEY_CODE_YES) {
        switch ((int)ch) {
        case KEY_ENTER:
            return KEYCODE_ENTER;
        case KEY_FIND: /* \e[1~ on some terminals */
        case KEY_A1:
            return KEYCODE_FN(KEY_HOME);
        case KEY_SELECT: /* \e[4~ */
        case KEY_C1:
            return KEYCODE_FN(KEY_END);
        case KEY_A3:
            return KEYCODE_FN(KEY_PPAGE);
        case KEY_C3:
            return KEYCODE_FN(KEY_NPAGE);
        default:
            return KEYCODE_FN((int)ch);
        }
    }
    switch (ch) {
    case '\n':
    case '\r':
        return KEYCODE_ENTER;
    case 8:
    case 127:
        return KEYCODE_FN(KEY_BACKSPACE);
    default:
        return ch > 0x10FFFF ? 0xFFFD : (int)ch;
    }
}

bool
keymap_key_is_text(int key)
{
    if (key < 0x20 || key >= KEYCODE_FN_BASE || key > 0x10FFFF)
        return false;
    if (key >= 0xD800 && key <= 0xDFFF)
        return false;
    return !text_cp_unprintable((uint32_t)key);
}

int
keymap_key_parse(const char *name)
{
    if (!name || !*name)
        return -1;
    for (size_t i = 0; i < COUNT(named_keys); i++)
        if (strcmp(named_keys[i].name, name) == 0)
            return named_keys[i].key;
    if (name[0] == '<') {
        size_t len = strlen(name);
        if (len == 8 && strncmp(name, "<Ctrl-", 6) == 0 && name[7] == '>' && name[6] >= 'a' &&
            name[6] <= 'z') {
            int key = name[6] - 'a' + 1;
            /* These control codes have names of their own. */
            if (key == KEYCODE_TAB || key == KEYCODE_ENTER || key == 8 || key == 10)
                return -1;
            return key;
        }
        for (int f = 1; f <= 12; f++) {
            char fname[8];
            snprintf(fname, sizeof fname, "<F%d>", f);
            if (strcmp(fname, name) == 0)
                return KEYCODE_FN(KEY_F(f));
        }
        return -1;
    }
    /* A single printable character. */
    uint32_t cp;
    size_t len = strlen(name);
    size_t used = utf8_decode(name, len, &cp);
    if (used != len || (cp == 0xFFFD && used == 1) || !keymap_key_is_text((int)cp) || cp == ' ')
        return -1;
    return (int)cp;
}

size_t
keymap_key_name(int key, char *buf, size_t bufsize)
{
    if (bufsize == 0)
        return 0;
    for (size_t i = 0; i < COUNT(named_keys); i++)
        if (named_keys[i].key == key) {
            snprintf(buf, bufsize, "%s", named_keys[i].name);
            return strlen(buf);
        }
    if (key >= KEYCODE_FN(KEY_F(1)) && key <= KEYCODE_FN(KEY_F(12)))
        snprintf(buf, bufsize, "<F%d>", key - KEYCODE_FN(KEY_F(0)));
    else if (key >= 1 && key <= 26)
        snprintf(buf, bufsize, "<Ctrl-%c>", 'a' + key - 1);
    else if (keymap_key_is_text(key)) {
        char enc[5] = {0};
        utf8_encode((uint32_t)key, enc);
        snprintf(buf, bufsize, "%s", enc);
    } else if (key >= KEYCODE_FN_BASE)
        snprintf(buf, bufsize, "<Key-%d>", key - KEYCODE_FN_BASE);
    else
        snprintf(buf, bufsize, "<U+%04X>", (unsigned)key);
    return strlen(buf);
}

static void
parse_bindings(void)
{
    if (binding_keys_ready)
        return;
    for (size_t i = 0; i < COUNT(bindings); i++)
        binding_keys[i] = keymap_key_parse(bindings[i].key);
    binding_keys_ready = true;
}

enum action
keymap_lookup_one(enum keymap km, int key)
{
    parse_bindings();
    for (size_t i = 0; i < COUNT(bindings); i++)
        if (bindings[i].keymap == km && binding_keys[i] == key)
            return bindings[i].action;
    return ACT_NONE;
}

enum action
keymap_lookup(enum keymap km, bool text_input, int key)
{
    if (text_input && keymap_key_is_text(key))
        return ACT_NONE;
    enum action act = keymap_lookup_one(km, key);
    if (act == ACT_NONE && text_input && km != KM_EDIT)
        act = keymap_lookup_one(KM_EDIT, key);
    if (act == ACT_NONE && km != KM_GENERIC)
        act = keymap_lookup_one(KM_GENERIC, key);
    return act;
}

int
keymap_keys_for(enum keymap km, enum action act, char *buf, size_t bufsize)
{
    int n = 0;
    size_t len = 0;
    if (bufsize)
        buf[0] = '\0';
    for (size_t i = 0; i < COUNT(bindings); i++) {
        if (bindings[i].keymap != km || bindings[i].action != act)
            continue;
        int w = snprintf(buf + len, bufsize - len, "%s%s", n ? ", " : "", bindings[i].key);
        if (w < 0 || (size_t)w >= bufsize - len) {
            buf[len] = '\0';
            break;
        }
        len += (size_t)w;
        n++;
    }
    return n;
}

long
keymap_utf8_feed(struct key_utf8 *in, unsigned char b)
{
    if (in->have > 0) {
        if ((b & 0xC0) == 0x80) {
            in->buf[in->have++] = (char)b;
            if (in->have < in->need)
                return -1;
            uint32_t cp;
            size_t used = utf8_decode(in->buf, in->need, &cp);
            in->have = 0;
            return used == in->need ? (long)cp : -1;
        }
        in->have = 0; /* cut short: drop it, and look at b on its own */
    }
    if (b < 0x80)
        return b;
    if (b >= 0xC2 && b <= 0xF4) {
        in->buf[0] = (char)b;
        in->have = 1;
        in->need = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    }
    return -1;
}
