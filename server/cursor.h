/*
 * Pull cursors: "c1.<epoch>.<scope hash>.<seq>". Opaque to clients
 * (docs/PROTOCOL.md 9.7); the server checks each part to decide between
 * continuing and a reset.
 */
#ifndef DOORSTEP_SERVER_CURSOR_H
#define DOORSTEP_SERVER_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CURSOR_MAX 64

struct cursor {
    char epoch[17]; /* 16 lower-case hex */
    char scope[17]; /* 16 lower-case hex */
    int64_t seq;    /* >= 0 */
};

/* Parse; false for anything that is not exactly a cursor this server makes. */
bool cursor_parse(const char *s, struct cursor *out);

/* Format into buf (CURSOR_MAX bytes are enough). */
void cursor_format(const struct cursor *c, char *buf, size_t bufsize);

#endif
