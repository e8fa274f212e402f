/*
 * Keys as data: one table of (keymap, key name, action) in keymap.c, read
 * by the main loop to map a key press to an action and by the help screen
 * to say which keys do what.
 *
 * Keys are spelled one way everywhere (table, help, later a user's config):
 * a printable character stands for itself ("j", "?", "/"), everything else
 * is in angle brackets: <Enter> <Esc> <Tab> <BackTab> <Space> <Backspace>
 * <Delete> <Insert> <Up> <Down> <Left> <Right> <PgUp> <PgDown> <Home> <End>
 * <F1>..<F12> <Ctrl-a>..<Ctrl-z> <LessThan>.
 *
 * Lookup goes from the most specific keymap to the generic one (tig's
 * get_keybinding): a view's own keymap, then the text-editing keymap when
 * the view takes typed text, then the generic keymap. While text is being
 * typed, printable keys are text, never actions.
 */
#ifndef DOORSTEP_TUI_KEYMAP_H
#define DOORSTEP_TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/actions.h"

/* K(CONSTANT, section title shown in help) */
#define KEYMAP_LIST(K)                                                                             \
    K(GENERIC, N_("Everywhere"))                                                                   \
    K(HOUSEHOLDS, N_("Household list"))                                                            \
    K(HOUSEHOLD, N_("One household"))                                                              \
    K(CONFLICTS, N_("Conflicts"))                                                                  \
    K(PROBLEMS, N_("Problems"))                                                                    \
    K(LOGIN, N_("Login"))                                                                          \
    K(FORM, N_("Forms"))                                                                           \
    K(EDIT, N_("Typing text (forms, search, passphrase)"))                                         \
    K(PICK, N_("Pick lists"))                                                                      \
    K(PROMPT, N_("Prompts and questions"))

enum keymap {
#define KEYMAP_ENUM(c, title) KM_##c,
    KEYMAP_LIST(KEYMAP_ENUM)
#undef KEYMAP_ENUM
        KM_COUNT
};

struct keybinding {
    enum keymap keymap;
    const char *key; /* key name as described above */
    enum action action;
};

/*
 * A key press, normalised: a Unicode code point for characters (controls
 * included: <Ctrl-a> is 1, <Enter> 13, <Esc> 27), or KEYCODE_FN(curses key)
 * for function keys. <Enter> arrives as 10, 13 or KEY_ENTER and <Backspace>
 * as 8, 127 or KEY_BACKSPACE; keymap_key_from_curses folds those together.
 */
#define KEYCODE_FN_BASE 0x200000
#define KEYCODE_FN(k)   (KEYCODE_FN_BASE + (k))
#define KEYCODE_ENTER   13
#define KEYCODE_ESC     27
#define KEYCODE_TAB     9

/* The whole default table, and its length. */
const struct keybinding *keymap_table(size_t *n);

/* Untranslated section title of a keymap. */
const char *keymap_title(enum keymap km);

/* Normalised key from what wget_wch() returned (rc is OK or KEY_CODE_YES). */
int keymap_key_from_curses(int rc, unsigned ch);

/*
 * Keys arrive as bytes (wgetch) and are decoded here rather than by
 * wget_wch(), so that what happens to broken input is ours to say: an
 * invalid byte, an overlong form, a surrogate or a sequence cut short is
 * dropped, and the byte that cut it short starts afresh, so good
 * characters typed around garbage are never lost. Zero-initialise; set
 * `have` to 0 when a function key arrives.
 */
struct key_utf8 {
    char buf[4];
    size_t have, need;
};

/* Feed one byte; returns the code point once a character is complete, else -1. */
long keymap_utf8_feed(struct key_utf8 *in, unsigned char b);

/* True for a key that is typed text (a printable character). */
bool keymap_key_is_text(int key);

/* Key code for a key name, or -1 if the name is not one of the forms above. */
int keymap_key_parse(const char *name);

/* Name of a key into buf (always terminated); returns the length. */
size_t keymap_key_name(int key, char *buf, size_t bufsize);

/* The action bound to `key` in keymap `km` alone, or ACT_NONE. */
enum action keymap_lookup_one(enum keymap km, int key);

/*
 * Look up `key` in `km`, then in KM_EDIT when `text_input`, then in
 * KM_GENERIC. With `text_input`, printable keys return ACT_NONE (they are
 * typed text).
 */
enum action keymap_lookup(enum keymap km, bool text_input, int key);

/*
 * The keys bound to `act` in `km`, as "j, <Down>" into buf; returns the
 * number of keys (0 leaves buf empty).
 */
int keymap_keys_for(enum keymap km, enum action act, char *buf, size_t bufsize);

#endif
