#include "tui/text.h"

#include <string.h>
#include <wchar.h>

#include "core/utf8.h"

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

bool
text_cp_unprintable(uint32_t cp)
{
    if (cp >= 0x20 && cp < 0x7F)
        return false;
    if (cp < 0x20 || cp == 0x7F)
        return true;
    return wcwidth((wchar_t)cp) < 0;
}

int
text_cp_width(uint32_t cp)
{
    if (cp >= 0x20 && cp < 0x7F)
        return 1;
    int w = cp < 0x20 || cp == 0x7F ? -1 : wcwidth((wchar_t)cp);
    return w < 0 ? 1 : w;
}

/* Decode at s[pos]; *bad says the byte was not valid UTF-8 (as opposed to a real U+FFFD). */
static size_t
decode_at(const char *s, size_t len, size_t pos, uint32_t *cp, bool *bad)
{
    size_t n = utf8_decode(s + pos, len - pos, cp);
    *bad = *cp == 0xFFFD && n == 1;
    return n;
}

int
text_width_n(const char *s, size_t len)
{
    int cols = 0;
    size_t pos = 0;
    while (pos < len) {
        unsigned char c = (unsigned char)s[pos];
        if (c >= 0x20 && c < 0x7F) {
            cols++;
            pos++;
            continue;
        }
        uint32_t cp;
        bool bad;
        pos += decode_at(s, len, pos, &cp, &bad);
        cols += bad ? 1 : text_cp_width(cp);
    }
    return cols;
}

int
text_width(const char *s)
{
    return s ? text_width_n(s, strlen(s)) : 0;
}

size_t
text_fit(const char *s, int max_cols, int *cols_used, bool *trimmed)
{
    size_t len = s ? strlen(s) : 0;
    size_t pos = text_fit_n(s, len, max_cols, cols_used);
    if (trimmed)
        *trimmed = pos < len;
    return pos;
}

size_t
text_fit_n(const char *s, size_t len, int max_cols, int *cols_used)
{
    size_t pos = 0;
    int cols = 0;
    if (max_cols > 0) {
        while (pos < len) {
            uint32_t cp;
            bool bad;
            size_t n = decode_at(s, len, pos, &cp, &bad);
            int w = bad ? 1 : text_cp_width(cp);
            if (cols + w > max_cols)
                break;
            cols += w;
            pos += n;
        }
    }
    if (cols_used)
        *cols_used = cols;
    return pos;
}

/* Bounded appender: stops at a whole piece when the buffer is full. */
struct out {
    char *buf;
    size_t size, len;
    bool full;
};

static bool
out_put(struct out *o, const char *p, size_t n)
{
    if (o->full || o->len + n + 1 > o->size) {
        o->full = true;
        return false;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    o->buf[o->len] = '\0';
    return true;
}

static void
out_spaces(struct out *o, int n)
{
    for (int i = 0; i < n; i++)
        if (!out_put(o, " ", 1))
            return;
}

static void
out_clean(struct out *o, const char *s, size_t len)
{
    size_t pos = 0;
    while (pos < len && !o->full) {
        size_t run = pos;
        while (run < len && (unsigned char)s[run] >= 0x20 && (unsigned char)s[run] < 0x7F)
            run++;
        if (run > pos) {
            /* ASCII runs may be split anywhere: every byte is a character. */
            size_t room = o->size - o->len - 1;
            size_t n = run - pos < room ? run - pos : room;
            out_put(o, s + pos, n);
            if (n < run - pos)
                o->full = true;
            pos += n;
            continue;
        }
        uint32_t cp;
        bool bad;
        size_t n = decode_at(s, len, pos, &cp, &bad);
        if (bad || text_cp_unprintable(cp))
            out_put(o, replacement, sizeof replacement - 1);
        else
            out_put(o, s + pos, n);
        pos += n;
    }
}

size_t
text_clean(char *buf, size_t bufsize, const char *s)
{
    struct out o = {buf, bufsize, 0, false};
    if (bufsize == 0)
        return 0;
    buf[0] = '\0';
    if (s)
        out_clean(&o, s, strlen(s));
    return o.len;
}

size_t
text_pad(char *buf, size_t bufsize, const char *s, int cols, enum text_align align, bool *cut)
{
    struct out o = {buf, bufsize, 0, false};
    bool was_cut = false;
    if (bufsize == 0)
        goto out;
    buf[0] = '\0';
    if (!s)
        s = "";
    if (cols < 0)
        cols = 0;
    int w = text_width(s);
    if (w <= cols) {
        if (align == TEXT_RIGHT)
            out_spaces(&o, cols - w);
        out_clean(&o, s, strlen(s));
        if (align == TEXT_LEFT)
            out_spaces(&o, cols - w);
    } else {
        int mark = text_width(TEXT_CUT_MARK), used = 0;
        was_cut = true;
        if (cols >= mark) {
            size_t n = text_fit(s, cols - mark, &used, NULL);
            out_clean(&o, s, n);
            out_spaces(&o, cols - mark - used);
            out_put(&o, TEXT_CUT_MARK, strlen(TEXT_CUT_MARK));
        } else {
            out_spaces(&o, cols);
        }
    }
out:
    if (cut)
        *cut = was_cut;
    return o.len;
}

int
text_col_of(const char *s, size_t pos)
{
    size_t len = strlen(s);
    return text_width_n(s, pos < len ? pos : len);
}

size_t
text_pos_at_col(const char *s, int col)
{
    size_t n = text_fit(s, col, NULL, NULL);
    return n;
}
