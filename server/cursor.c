#include "server/cursor.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Exactly 16 lower-case hex digits followed by '.'; copies them to out. */
static bool
hex16(const char **p, char out[17])
{
    for (int i = 0; i < 16; i++) {
        char c = (*p)[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
        out[i] = c;
    }
    out[16] = '\0';
    if ((*p)[16] != '.')
        return false;
    *p += 17;
    return true;
}

bool
cursor_parse(const char *s, struct cursor *out)
{
    memset(out, 0, sizeof *out);
    if (!s || strncmp(s, "c1.", 3) != 0 || strlen(s) >= CURSOR_MAX)
        return false;
    const char *p = s + 3;
    if (!hex16(&p, out->epoch) || !hex16(&p, out->scope))
        return false;
    /* Decimal, no sign, no leading zeros, at most 15 digits (below 2^53). */
    size_t n = strspn(p, "0123456789");
    if (n == 0 || n > 15 || p[n] != '\0' || (n > 1 && p[0] == '0'))
        return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    out->seq = v;
    return true;
}

void
cursor_format(const struct cursor *c, char *buf, size_t bufsize)
{
    snprintf(buf, bufsize, "c1.%s.%s.%" PRId64, c->epoch, c->scope, c->seq);
}
