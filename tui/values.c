/* A field's value in words (tui/values.h). */
#include "tui/values.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "core/money.h"

/* True when the comma-separated set `v` holds `token`. */
static bool
set_has(const char *v, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = v; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        if (l == n && strncmp(p, token, n) == 0)
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

void
value_text(const struct field_def *fd, const char *v, char *buf, size_t size)
{
    if (!size)
        return;
    buf[0] = '\0';
    if (!v || !v[0])
        return;
    switch (fd->type) {
    case FT_ENUM: {
        const struct choice *c = fd->choices ? schema_choice(fd->choices, v) : NULL;
        snprintf(buf, size, "%s", c ? _(c->label) : v);
        break;
    }
    case FT_SET: {
        size_t len = 0;
        for (int c = 0; fd->choices && fd->choices[c].token; c++) {
            if (!set_has(v, fd->choices[c].token))
                continue;
            int w =
                snprintf(buf + len, size - len, "%s%s", len ? ", " : "", _(fd->choices[c].label));
            if (w < 0 || (size_t)w >= size - len)
                break;
            len += (size_t)w;
        }
        break;
    }
    case FT_BOOL:
        snprintf(buf, size, "%s", strcmp(v, "1") == 0 ? _("yes") : _("no"));
        break;
    case FT_MONEY: {
        int64_t fen;
        if (money_parse_fen(v, &fen, fd->name, NULL) == DP_OK)
            money_format_yuan(fen, buf, size);
        else
            snprintf(buf, size, "%s", v);
        break;
    }
    case FT_NOTE: {
        /* First line only; the form shows all of it. */
        size_t n = strcspn(v, "\n");
        snprintf(buf, size, "%.*s%s", (int)n, v, v[n] ? " ..." : "");
        break;
    }
    default:
        snprintf(buf, size, "%s", v);
        break;
    }
}
