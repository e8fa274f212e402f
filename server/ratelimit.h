/*
 * Counting failures per key (a user name, a client address) in a fixed-size
 * in-memory table, to slow down password guessing. Thread-safe. A full table
 * forgets its oldest window first, so memory stays bounded whatever is sent.
 */
#ifndef DOORSTEP_SERVER_RATELIMIT_H
#define DOORSTEP_SERVER_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ratelimit;

/* `max_failures` within `window_s` seconds of the first failure block the key until the window
 * ends. */
struct ratelimit *ratelimit_new(size_t slots, unsigned max_failures, unsigned window_s);
void ratelimit_free(struct ratelimit *rl);

/* True when `key` is blocked at time `now`; *retry_after (may be NULL) gets the seconds left. */
bool ratelimit_blocked(struct ratelimit *rl, const char *key, int64_t now, int64_t *retry_after);

/* Count one failure for `key` at `now`. */
void ratelimit_fail(struct ratelimit *rl, const char *key, int64_t now);

/* Forget `key` (after a success). */
void ratelimit_clear(struct ratelimit *rl, const char *key);

#endif
