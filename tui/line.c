#include "tui/line.h"

#include <string.h>

void
line_init(struct line *l, int width)
{
    l->text[0] = '\0';
    l->len = 0;
    l->cols = 0;
    l->width = width < 0 ? 0 : width;
    l->nspans = 0;
    l->highlight_cols = 0;
}

int
line_remaining(const struct line *l)
{
    return l->width - l->cols;
}

static void
add_span(struct line *l, enum style st, size_t start, size_t len)
{
    if (len == 0)
        return;
    struct line_span *last = l->nspans ? &l->spans[l->nspans - 1] : NULL;
    if (last && last->style == st && last->start + last->len == start) {
        last->len = (unsigned short)(last->len + len);
        return;
    }
    if (l->nspans == LINE_MAX_SPANS) {
        /* Out of spans: the text still shows, in the previous style. */
        last->len = (unsigned short)(start + len - last->start);
        return;
    }
    l->spans[l->nspans++] =
        (struct line_span){(unsigned short)start, (unsigned short)len, (unsigned char)st};
}

void
line_field(struct line *l, enum style st, const char *s, int cols, enum text_align align)
{
    int room = line_remaining(l);
    if (room <= 0)
        return;
    if (!s)
        s = "";
    if (cols < 0)
        cols = text_width(s);
    if (cols > room)
        cols = room;
    size_t start = l->len;
    size_t n = text_pad(l->text + l->len, sizeof l->text - l->len, s, cols, align, NULL);
    l->len += n;
    l->cols += text_width_n(l->text + start, n);
    add_span(l, st, start, n);
}

void
line_text(struct line *l, enum style st, const char *s)
{
    line_field(l, st, s, -1, TEXT_LEFT);
}

void
line_spaces(struct line *l, enum style st, int n)
{
    if (n > 0)
        line_field(l, st, "", n, TEXT_LEFT);
}

void
line_fill(struct line *l, enum style st)
{
    line_spaces(l, st, line_remaining(l));
}
