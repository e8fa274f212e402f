/*
 * A text being edited (a form field, the search prompt, a passphrase):
 * UTF-8 in a heap buffer, a cursor on a character boundary, a cap in
 * characters. The cursor moves by character, where a character is a base
 * code point with the zero-width marks after it, so an accent is never
 * split from its letter; layout is measured in columns by tui/text.h.
 */
#ifndef DOORSTEP_TUI_EDIT_H
#define DOORSTEP_TUI_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

struct edit {
    char *buf;          /* NUL-terminated UTF-8, never NULL after edit_init */
    size_t len;         /* bytes used */
    size_t cap;         /* bytes allocated */
    size_t cursor;      /* byte offset, on a character boundary */
    size_t nchars;      /* code points in buf */
    size_t hscroll;     /* byte offset of the first character shown (one-line view) */
    unsigned max_chars; /* cap in code points; 0 = EDIT_MAX_CHARS */
    bool multiline;     /* LF may be typed */
    bool changed;       /* set by every change, cleared by the owner */
};

/* Hard limit for any edited text, whatever the field says. */
#define EDIT_MAX_CHARS 4000

/* Set up an empty text. DP_ENOMEM leaves *e safe to edit_done(). */
enum dp_status edit_init(struct edit *e, unsigned max_chars, bool multiline);

/* Wipe (the text may be a passphrase) and free. Safe on a zeroed struct. */
void edit_done(struct edit *e);

/*
 * Replace the text with s (cursor at the end). Invalid UTF-8, control
 * characters (LF too, unless multiline) and characters past the cap are
 * dropped. DP_ENOMEM leaves the old text.
 */
enum dp_status edit_set(struct edit *e, const char *s);

/* Remove everything (wiping the old bytes). */
void edit_clear(struct edit *e);

/*
 * Insert one code point at the cursor. Returns false (nothing changes) for
 * a code point that may not be typed here (controls, surrogates,
 * U+FFFD from broken input, LF in a one-line text) or when the cap is
 * reached or memory runs out.
 */
bool edit_insert(struct edit *e, uint32_t cp);

/* Cursor moves; each returns false when it could not move. */
bool edit_left(struct edit *e);
bool edit_right(struct edit *e);
void edit_home(struct edit *e); /* start of the current line */
void edit_end(struct edit *e);  /* end of the current line */

/* Deletions; each returns false when there was nothing to delete. */
bool edit_backspace(struct edit *e);
bool edit_delete(struct edit *e);
bool edit_kill_before(struct edit *e); /* to the start of the current line */
bool edit_kill_after(struct edit *e);  /* to the end of the current line */

/* Number of code points. */
size_t edit_chars(const struct edit *e);

/*
 * For showing a one-line text in `width` columns: adjusts e->hscroll so
 * the cursor is visible and returns it; *cursor_col gets the cursor's
 * column relative to the start of what is shown.
 */
size_t edit_scroll(struct edit *e, int width, int *cursor_col);

#endif
