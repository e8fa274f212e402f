/*
 * A growing byte buffer with a hard cap, for everything that arrives from the
 * network (HTTP bodies, decompressed pages). The cap is the defence against a
 * server or a proxy that sends more than the protocol allows: exceeding it is
 * a specific error (DP_ETOOBIG), never a crash or a silently cut body.
 */
#ifndef DOORSTEP_SYNC_DYNBUF_H
#define DOORSTEP_SYNC_DYNBUF_H

#include <stddef.h>

#include "core/status.h"

struct dynbuf {
    char *p;      /* NUL-terminated content, NULL while empty */
    size_t len;   /* bytes held, the NUL not counted */
    size_t cap;   /* bytes allocated */
    size_t limit; /* most bytes it may ever hold */
};

/* Set up an empty buffer that refuses to grow beyond `limit` bytes. Never fails. */
void dynbuf_init(struct dynbuf *b, size_t limit);

/* Free the content; the buffer is empty again with the same limit. Safe on a zeroed buffer. */
void dynbuf_free(struct dynbuf *b);

/* Forget the content but keep the memory, for reuse across requests. */
void dynbuf_reset(struct dynbuf *b);

/*
 * Append n bytes. DP_ETOOBIG when len + n would pass the limit, DP_ENOMEM
 * when memory runs out. Like curl's dynbuf, a failed append frees the
 * content, so a half-received body can never be used by mistake.
 */
enum dp_status dynbuf_add(struct dynbuf *b, const void *data, size_t n);

/* Append a C string (dynbuf_add of its bytes). */
enum dp_status dynbuf_add_str(struct dynbuf *b, const char *s);

/* The content as a C string: "" when empty, never NULL. Valid until the next change. */
const char *dynbuf_str(const struct dynbuf *b);

/*
 * Hand the content to the caller (free() it; NULL when empty) and leave the
 * buffer empty. *len (may be NULL) gets its length.
 */
char *dynbuf_take(struct dynbuf *b, size_t *len);

#endif
