/*
 * When to try again: exponential backoff with full jitter, and the server's
 * Retry-After clamped to sane bounds. Pure functions; the random source is
 * passed in so tests can pin it.
 */
#ifndef DOORSTEP_SYNC_RETRY_H
#define DOORSTEP_SYNC_RETRY_H

#include <stdbool.h>
#include <stdint.h>

/* A source of uniformly random 64-bit numbers; ctx is passed back. */
typedef uint64_t (*retry_rng_fn)(void *ctx);

struct retry_policy {
    int64_t base_ms;       /* first backoff ceiling, e.g. 500 */
    int64_t cap_ms;        /* largest backoff ceiling, e.g. 60000 */
    int64_t after_min_ms;  /* a Retry-After below this is raised to it (0 allowed) */
    int64_t after_max_ms;  /* a Retry-After above this is cut to it */
    unsigned max_attempts; /* tries per request before giving up, >= 1 */
};

/* The policy sync uses: 500 ms doubling to 60 s, Retry-After within [0 s, 300 s], 6 tries. */
void retry_policy_default(struct retry_policy *p);

/*
 * Full-jitter backoff before retry number `attempt` (0 for the first retry):
 * uniform in [0, min(cap_ms, base_ms * 2^attempt)]. Never negative, never
 * above cap_ms, no overflow for any attempt.
 */
int64_t retry_backoff_ms(const struct retry_policy *p, unsigned attempt, retry_rng_fn rng,
                         void *ctx);

/*
 * Milliseconds to wait for a Retry-After of `seconds` (as libcurl reports it,
 * both the delay-seconds and the HTTP-date forms; negative when the header
 * was absent or unreadable), clamped to [after_min_ms, after_max_ms].
 * Returns -1 when there is no usable Retry-After.
 */
int64_t retry_after_ms(const struct retry_policy *p, int64_t seconds);

/*
 * The wait before the next try: the clamped Retry-After when the server sent
 * one, else the jittered backoff.
 */
int64_t retry_delay_ms(const struct retry_policy *p, unsigned attempt, int64_t retry_after_s,
                       retry_rng_fn rng, void *ctx);

/* A retry_rng_fn over getrandom(2) (ctx unused), falling back to the clock if that fails. */
uint64_t retry_rng_system(void *ctx);

#endif
