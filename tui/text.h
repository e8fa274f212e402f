/*
 * Display width of UTF-8 text, and layout in terminal columns.
 *
 * Every piece of screen layout in tui/ goes through here: widths are
 * measured in columns, cuts are made in bytes on character boundaries, and
 * fields are padded to exact column counts. Never use strlen or "%-10s" to
 * line things up: a 4-column 张三 and a 6-column 王小明 must align.
 *
 * Width source (decided once, see docs/internals/tui.md): glibc wcwidth()
 * under a UTF-8 LC_CTYPE, the same function ncursesw uses to advance its
 * cursor, so our columns and curses' columns can never disagree.
 * tui_main() makes sure LC_CTYPE is UTF-8 (falling back to C.UTF-8).
 * Consequences, each pinned by tests/unit/test_text.c:
 *   - CJK ideographs, kana, Hangul, fullwidth forms, most emoji: 2 columns.
 *   - U+00B7 MIDDLE DOT (in minority names, 阿依古丽·买买提) is East-Asian
 *     *ambiguous*; glibc and tmux give it 1 column, and so do we. A terminal
 *     set to "ambiguous = wide" would draw it in 2 and shift the rest of that
 *     row by one; U+30FB KATAKANA MIDDLE DOT is 2 everywhere.
 *   - Combining marks, ZWJ, variation selectors: 0 columns, kept with the
 *     character before them (never cut apart from their base).
 *   - Anything wcwidth() calls unprintable (controls, unassigned code
 *     points) and every invalid UTF-8 byte counts 1 column and is shown as
 *     U+FFFD by text_clean(), so a stray ESC in the data never reaches the
 *     terminal.
 *   - Emoji ZWJ sequences are measured per code point (a family emoji is 6
 *     columns, not 2), as wcwidth and ncurses do.
 */
#ifndef DOORSTEP_TUI_TEXT_H
#define DOORSTEP_TUI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a cut string ends with, so a reader sees that something is missing. */
#define TEXT_CUT_MARK "~"

/* Columns a code point takes on screen: 0, 1 or 2 (unprintable ones: 1). */
int text_cp_width(uint32_t cp);

/* True when the code point is drawn as U+FFFD (control or unprintable). */
bool text_cp_unprintable(uint32_t cp);

/* Columns of the NUL-terminated string s (invalid bytes count 1 each). */
int text_width(const char *s);

/* Columns of s[0..len). */
int text_width_n(const char *s, size_t len);

/*
 * The longest prefix of s that fits in max_cols columns, in bytes.
 * Never splits a UTF-8 sequence, and takes the zero-width marks that follow
 * the last character along with it. When a 2-column character would
 * straddle the edge it is left out: *cols_used is then max_cols - 1 and the
 * caller pads with a space. *cols_used and *trimmed (did anything not fit?)
 * may be NULL. max_cols <= 0 returns 0.
 */
size_t text_fit(const char *s, int max_cols, int *cols_used, bool *trimmed);

/* text_fit() over s[0..len) (no NUL needed); returns bytes, *cols_used may be NULL. */
size_t text_fit_n(const char *s, size_t len, int max_cols, int *cols_used);

/*
 * Copy s into buf (bufsize > 0, always NUL-terminated) with every invalid
 * byte and unprintable code point replaced by U+FFFD, so the result is safe
 * to hand to the terminal and measures the same as s. Tabs and newlines are
 * replaced too: this is for single-line display. If buf is too small the
 * copy stops at a character boundary. Returns the bytes written.
 */
size_t text_clean(char *buf, size_t bufsize, const char *s);

/* How text_pad places a string that is narrower than the field. */
enum text_align {
    TEXT_LEFT,
    TEXT_RIGHT,
};

/*
 * Write s into buf as exactly `cols` columns (cols >= 0): cleaned as by
 * text_clean, padded with spaces, or, when wider, cut on a character
 * boundary and ended with TEXT_CUT_MARK (a straddling wide character is
 * replaced by padding). If buf cannot hold the result the output is
 * shortened to fit (still a valid string, fewer columns). Returns the bytes
 * written; *cut (may be NULL) says whether s was shortened.
 */
size_t text_pad(char *buf, size_t bufsize, const char *s, int cols, enum text_align align,
                bool *cut);

/* Columns of s before byte offset `pos` (for placing a cursor). */
int text_col_of(const char *s, size_t pos);

/*
 * Byte offset of the character boundary at or before column `col` in s
 * (a wide character covering col is not entered); the string's length when
 * col is past its end.
 */
size_t text_pos_at_col(const char *s, int col);

#endif
