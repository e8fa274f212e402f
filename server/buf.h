/*
 * A growable byte buffer with a hard cap (curl's dynbuf idea): HTTP bodies,
 * decompressed data and generated JSON all go through one, so no input from
 * outside can grow memory without bound.
 */
#ifndef DOORSTEP_SERVER_BUF_H
#define DOORSTEP_SERVER_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/status.h"

struct buf {
    char *data; /* NUL-terminated when len > 0 or after buf_cstr(); NULL when never grown */
    size_t len;
    size_t alloc;
    size_t cap; /* most bytes buf may ever hold (excluding the NUL) */
};

/* Set up an empty buffer that will refuse to grow past `cap` bytes. */
void buf_init(struct buf *b, size_t cap);

/* Free the memory; *b is then empty and may be reused with buf_init. */
void buf_done(struct buf *b);

/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);

/*
 * Append n bytes. DP_ETOOBIG when the result would pass the cap, DP_ENOMEM on
 * allocation failure; on failure the buffer is unchanged.
 */
enum dp_status buf_add(struct buf *b, const void *p, size_t n);

/* Append a NUL-terminated string. */
enum dp_status buf_adds(struct buf *b, const char *s);

/* Append formatted text (same failures as buf_add). */
enum dp_status buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The contents as a C string ("" when empty); valid until the next change. */
const char *buf_cstr(struct buf *b);

/* Hand the heap block to the caller (free() it; may be NULL when empty); *b is left empty. */
char *buf_take(struct buf *b, size_t *len);

#endif
