/*
 * UTF-8 stepping (core/utf8.h), under every text field and the TUI.
 * utf8_valid is compared with an independent reading of the Unicode
 * well-formedness table (Unicode 15, table 3-7); decoding a well-formed
 * sequence and encoding it again gives the same bytes; utf8_count,
 * utf8_next and utf8_prev step exactly as utf8_decode does, forwards and
 * backwards alike.
 */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>

#include "core/utf8.h"

/* Length of the well-formed sequence at s, or 0: table 3-7, written out independently. */
static size_t
reference_seq(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c <= 0x7F)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 2;
    else if (c == 0xE0)
        need = 3, lo = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
        need = 3;
    else if (c == 0xED)
        need = 3, hi = 0x9F;
    else if (c == 0xF0)
        need = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3)
        need = 4;
    else if (c == 0xF4)
        need = 4, hi = 0x8F;
    else
        return 0;
    if (len < need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < need; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return need;
}

static bool
reference_valid(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t n = reference_seq(s + i, len - i);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_selftest(data, size);
    const char *s = (const char *)data;
    FUZZ_ASSERT(utf8_valid(s, size) == reference_valid(data, size));

    for (size_t i = 0; i < size;) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, size - i, &cp);
        FUZZ_ASSERT(n >= 1 && n <= 4 && i + n <= size);
        size_t ref = reference_seq(data + i, size - i);
        if (ref) {
            char enc[4];
            FUZZ_ASSERT(n == ref);
            FUZZ_ASSERT(utf8_encode(cp, enc) == n && memcmp(enc, s + i, n) == 0);
        } else {
            FUZZ_ASSERT(n == 1 && cp == 0xFFFD);
        }
        i += n;
    }

    /* As a C string: count, and the forward and backward walks visit the same offsets. */
    char *c = fuzz_cstr(data, size);
    size_t len = strlen(c), steps = 0;
    size_t *offsets = malloc((len + 1) * sizeof *offsets);
    FUZZ_ASSERT(offsets);
    for (size_t pos = 0; pos < len; pos = utf8_next(c, len, pos))
        offsets[steps++] = pos;
    FUZZ_ASSERT(utf8_next(c, len, len) == len);
    FUZZ_ASSERT(utf8_count(c) == steps);
    size_t pos = len;
    for (size_t k = steps; k > 0; k--) {
        pos = utf8_prev(c, pos);
        FUZZ_ASSERT(pos == offsets[k - 1]);
    }
    FUZZ_ASSERT(utf8_prev(c, 0) == 0 && utf8_prev(c, len + 5) == (steps ? offsets[steps - 1] : 0));
    free(offsets);
    free(c);

    /* Every code point encodes to a sequence that decodes back to it. */
    if (size >= 4) {
        uint32_t cp;
        memcpy(&cp, data, sizeof cp);
        cp %= 0x110000;
        char enc[4];
        size_t n = utf8_encode(cp, enc);
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            FUZZ_ASSERT(n == 0);
        } else {
            uint32_t back;
            FUZZ_ASSERT(n >= 1 && utf8_decode(enc, n, &back) == n && back == cp);
            FUZZ_ASSERT(utf8_valid(enc, n));
        }
    }
    return 0;
}
