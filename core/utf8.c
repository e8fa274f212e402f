#include "core/utf8.h"

#include <string.h>

static bool
is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

size_t
utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    uint32_t dummy;
    if (!cp)
        cp = &dummy;
    if (!s || len == 0) {
        *cp = 0;
        return 0;
    }
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];
    size_t need;
    uint32_t v, min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) { /* C0 and C1 could only start overlongs */
        need = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) { /* F5 and up could only start values past U+10FFFF */
        need = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        goto invalid;
    }
    if (len < need)
        goto invalid;
    for (size_t i = 1; i < need; i++) {
        if (!is_cont(u[i]))
            goto invalid;
        v = (v << 6) | (u[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        goto invalid;
    *cp = v;
    return need;

invalid:
    *cp = 0xFFFD;
    return 1;
}

size_t
utf8_encode(uint32_t cp, char *buf)
{
    unsigned char *u = (unsigned char *)buf;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp <= 0x10FFFF) {
        u[0] = (unsigned char)(0xF0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        return 4;
    }
    return 0;
}

bool
utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, len - i, &cp);
        /* A genuine U+FFFD takes three bytes; one byte with U+FFFD means an error. */
        if (n == 1 && cp == 0xFFFD)
            return false;
        i += n;
    }
    return true;
}

size_t
utf8_count(const char *s)
{
    if (!s)
        return 0;
    size_t len = strlen(s), i = 0, count = 0;
    while (i < len) {
        uint32_t cp;
        i += utf8_decode(s + i, len - i, &cp);
        count++;
    }
    return count;
}

size_t
utf8_prev(const char *s, size_t pos)
{
    if (!s)
        return 0;
    size_t len = strlen(s);
    if (pos > len)
        pos = len;
    if (pos == 0)
        return 0;
    const unsigned char *u = (const unsigned char *)s;
    /*
     * The lead byte is at most three bytes back; it starts the previous code
     * point only if it decodes to exactly the bytes up to pos, otherwise the
     * byte before pos stands alone as utf8_decode would have left it.
     */
    size_t start = pos - 1;
    while (start > 0 && pos - start < 4 && is_cont(u[start]))
        start--;
    if (start < pos - 1) {
        uint32_t cp;
        if (utf8_decode(s + start, pos - start, &cp) == pos - start)
            return start;
    }
    return pos - 1;
}

size_t
utf8_next(const char *s, size_t len, size_t pos)
{
    if (!s || pos >= len)
        return len;
    uint32_t cp;
    return pos + utf8_decode(s + pos, len - pos, &cp);
}
