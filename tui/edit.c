#include "tui/edit.h"

#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "tui/text.h"

static unsigned
cap_chars(const struct edit *e)
{
    return e->max_chars && e->max_chars < EDIT_MAX_CHARS ? e->max_chars : EDIT_MAX_CHARS;
}

enum dp_status
edit_init(struct edit *e, unsigned max_chars, bool multiline)
{
    memset(e, 0, sizeof *e);
    e->max_chars = max_chars;
    e->multiline = multiline;
    e->buf = calloc(1, 64);
    if (!e->buf)
        return DP_ENOMEM;
    e->cap = 64;
    return DP_OK;
}

void
edit_done(struct edit *e)
{
    if (e->buf) {
        explicit_bzero(e->buf, e->cap);
        free(e->buf);
    }
    memset(e, 0, sizeof *e);
}

void
edit_clear(struct edit *e)
{
    if (!e->buf)
        return;
    explicit_bzero(e->buf, e->cap);
    e->len = e->cursor = e->hscroll = e->nchars = 0;
    e->changed = true;
}

/* Make room for `more` bytes; the old buffer is wiped when it moves. */
static bool
reserve(struct edit *e, size_t more)
{
    if (e->len + more + 1 <= e->cap)
        return true;
    size_t cap = e->cap ? e->cap : 64;
    while (cap < e->len + more + 1)
        cap *= 2;
    char *nb = malloc(cap);
    if (!nb)
        return false;
    memcpy(nb, e->buf, e->len + 1);
    explicit_bzero(e->buf, e->cap);
    free(e->buf);
    e->buf = nb;
    e->cap = cap;
    return true;
}

static bool
typeable(const struct edit *e, uint32_t cp)
{
    if (cp == '\n')
        return e->multiline;
    if (cp == 0xFFFD || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return false;
    return !text_cp_unprintable(cp);
}

bool
edit_insert(struct edit *e, uint32_t cp)
{
    char enc[4];
    if (!e->buf || !typeable(e, cp) || e->nchars >= cap_chars(e))
        return false;
    size_t n = utf8_encode(cp, enc);
    if (n == 0 || !reserve(e, n))
        return false;
    memmove(e->buf + e->cursor + n, e->buf + e->cursor, e->len - e->cursor + 1);
    memcpy(e->buf + e->cursor, enc, n);
    e->len += n;
    e->cursor += n;
    e->nchars++;
    e->changed = true;
    return true;
}

enum dp_status
edit_set(struct edit *e, const char *s)
{
    struct edit tmp;
    if (edit_init(&tmp, e->max_chars, e->multiline) != DP_OK)
        return DP_ENOMEM;
    size_t len = s ? strlen(s) : 0, pos = 0;
    while (pos < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + pos, len - pos, &cp);
        bool bad = cp == 0xFFFD && n == 1;
        if (!bad && !edit_insert(&tmp, cp) && tmp.nchars >= cap_chars(&tmp))
            break;
        pos += n;
    }
    edit_done(e);
    *e = tmp;
    e->changed = true;
    return DP_OK;
}

static bool
zero_width_at(const struct edit *e, size_t pos)
{
    uint32_t cp;
    if (pos >= e->len)
        return false;
    utf8_decode(e->buf + pos, e->len - pos, &cp);
    return cp != '\n' && text_cp_width(cp) == 0;
}

/* Start of the character (base + marks) that ends at pos. */
static size_t
char_before(const struct edit *e, size_t pos)
{
    while (pos > 0) {
        pos = utf8_prev(e->buf, pos);
        if (!zero_width_at(e, pos))
            break;
    }
    return pos;
}

/* End of the character (base + marks) that starts at pos. */
static size_t
char_after(const struct edit *e, size_t pos)
{
    if (pos >= e->len)
        return e->len;
    pos = utf8_next(e->buf, e->len, pos);
    while (pos < e->len && zero_width_at(e, pos))
        pos = utf8_next(e->buf, e->len, pos);
    return pos;
}

bool
edit_left(struct edit *e)
{
    if (e->cursor == 0)
        return false;
    e->cursor = char_before(e, e->cursor);
    return true;
}

bool
edit_right(struct edit *e)
{
    if (e->cursor >= e->len)
        return false;
    e->cursor = char_after(e, e->cursor);
    return true;
}

static size_t
line_start(const struct edit *e, size_t pos)
{
    while (pos > 0 && e->buf[pos - 1] != '\n')
        pos--;
    return pos;
}

static size_t
line_end(const struct edit *e, size_t pos)
{
    while (pos < e->len && e->buf[pos] != '\n')
        pos++;
    return pos;
}

void
edit_home(struct edit *e)
{
    e->cursor = line_start(e, e->cursor);
}

void
edit_end(struct edit *e)
{
    e->cursor = line_end(e, e->cursor);
}

/* Remove bytes [a, b), wiping the freed tail. */
static void
cut(struct edit *e, size_t a, size_t b)
{
    if (b <= a)
        return;
    for (size_t p = a; p < b; p = utf8_next(e->buf, e->len, p))
        e->nchars--;
    memmove(e->buf + a, e->buf + b, e->len - b + 1);
    explicit_bzero(e->buf + e->len - (b - a) + 1, b - a);
    e->len -= b - a;
    if (e->cursor > b)
        e->cursor -= b - a;
    else if (e->cursor > a)
        e->cursor = a;
    if (e->hscroll > a)
        e->hscroll = a;
    e->changed = true;
}

bool
edit_backspace(struct edit *e)
{
    if (e->cursor == 0)
        return false;
    cut(e, char_before(e, e->cursor), e->cursor);
    return true;
}

bool
edit_delete(struct edit *e)
{
    if (e->cursor >= e->len)
        return false;
    cut(e, e->cursor, char_after(e, e->cursor));
    return true;
}

bool
edit_kill_before(struct edit *e)
{
    size_t a = line_start(e, e->cursor);
    if (a == e->cursor)
        return false;
    cut(e, a, e->cursor);
    return true;
}

bool
edit_kill_after(struct edit *e)
{
    size_t b = line_end(e, e->cursor);
    if (b == e->cursor)
        return false;
    cut(e, e->cursor, b);
    return true;
}

size_t
edit_chars(const struct edit *e)
{
    return e->nchars;
}

size_t
edit_scroll(struct edit *e, int width, int *cursor_col)
{
    if (width < 2)
        width = 2;
    if (e->hscroll > e->cursor)
        e->hscroll = e->cursor;
    if (e->hscroll < line_start(e, e->cursor))
        e->hscroll = line_start(e, e->cursor);
    /* Keep one column free at the right for the cursor itself. */
    while (text_width_n(e->buf + e->hscroll, e->cursor - e->hscroll) > width - 1)
        e->hscroll = char_after(e, e->hscroll);
    /* After deletions, pull back while the rest of the line still fits. */
    size_t end = line_end(e, e->cursor);
    while (e->hscroll > line_start(e, e->cursor)) {
        size_t prev = char_before(e, e->hscroll);
        if (text_width_n(e->buf + prev, end - prev) > width - 1)
            break;
        e->hscroll = prev;
    }
    if (cursor_col)
        *cursor_col = text_width_n(e->buf + e->hscroll, e->cursor - e->hscroll);
    return e->hscroll;
}
