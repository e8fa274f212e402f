#include "sync/dynbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void
dynbuf_init(struct dynbuf *b, size_t limit)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit;
}

void
dynbuf_free(struct dynbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void
dynbuf_reset(struct dynbuf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

enum dp_status
dynbuf_add(struct dynbuf *b, const void *data, size_t n)
{
    if (n > b->limit || b->len > b->limit - n) {
        dynbuf_free(b);
        return DP_ETOOBIG;
    }
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        /* Never allocate far beyond what the limit allows. */
        if (cap > b->limit + 1)
            cap = b->limit + 1;
        char *p = realloc(b->p, cap);
        if (!p) {
            dynbuf_free(b);
            return DP_ENOMEM;
        }
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return DP_OK;
}

enum dp_status
dynbuf_add_str(struct dynbuf *b, const char *s)
{
    return dynbuf_add(b, s, strlen(s));
}

const char *
dynbuf_str(const struct dynbuf *b)
{
    return b->p ? b->p : "";
}

char *
dynbuf_take(struct dynbuf *b, size_t *len)
{
    char *p = b->p;
    if (len)
        *len = b->len;
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
