#include "server/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
buf_init(struct buf *b, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->cap = cap;
}

void
buf_done(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

void
buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static enum dp_status
buf_reserve(struct buf *b, size_t n)
{
    if (n > b->cap || b->len > b->cap - n)
        return DP_ETOOBIG;
    size_t need = b->len + n + 1;
    if (need <= b->alloc)
        return DP_OK;
    size_t na = b->alloc ? b->alloc : 256;
    while (na < need)
        na = na > SIZE_MAX / 2 ? need : na * 2;
    char *p = realloc(b->data, na);
    if (!p)
        return DP_ENOMEM;
    b->data = p;
    b->alloc = na;
    return DP_OK;
}

enum dp_status
buf_add(struct buf *b, const void *p, size_t n)
{
    enum dp_status st = buf_reserve(b, n);
    if (st != DP_OK)
        return st;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return DP_OK;
}

enum dp_status
buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

enum dp_status
buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return DP_EINVAL;
    enum dp_status st = buf_reserve(b, (size_t)n);
    if (st != DP_OK)
        return st;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return DP_OK;
}

const char *
buf_cstr(struct buf *b)
{
    return b->data ? b->data : "";
}

char *
buf_take(struct buf *b, size_t *len)
{
    char *p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->alloc = 0;
    return p;
}
