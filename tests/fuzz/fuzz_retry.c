/*
 * How long the client waits before trying again (sync/retry.h), driven by
 * the server's Retry-After, which may hold any number. Input: bytes 0-7 the
 * Retry-After seconds (as libcurl reports it, negative when absent), 8-11
 * the attempt, 12-19 the random draw, then optionally a whole policy.
 * The wait is never negative and never past the policy's bounds, a usable
 * Retry-After always wins over backoff, and backoff stays under its ceiling.
 */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>

#include "sync/retry.h"

static uint64_t
fixed_rng(void *ctx)
{
    return *(const uint64_t *)ctx;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t buf[20 + 4 * 8] = {0};
    memcpy(buf, data, size < sizeof buf ? size : sizeof buf);
    int64_t after_s;
    uint32_t attempt;
    uint64_t draw;
    memcpy(&after_s, buf, 8);
    memcpy(&attempt, buf + 8, 4);
    /* Attempts stop at max_attempts (6); past that a zero base_ms would loop `attempt` times. */
    attempt %= 1024;
    memcpy(&draw, buf + 12, 8);

    struct retry_policy p;
    retry_policy_default(&p);
    if (size >= sizeof buf) {
        /* Any policy at all: the functions must still not overflow. */
        memcpy(&p.base_ms, buf + 20, 8);
        memcpy(&p.cap_ms, buf + 28, 8);
        memcpy(&p.after_min_ms, buf + 36, 8);
        memcpy(&p.after_max_ms, buf + 44, 8);
    }
    bool sane =
        p.base_ms >= 0 && p.cap_ms >= 0 && p.after_min_ms >= 0 && p.after_min_ms <= p.after_max_ms;

    int64_t backoff = retry_backoff_ms(&p, attempt, fixed_rng, &draw);
    FUZZ_ASSERT(backoff >= 0 && backoff <= (p.cap_ms > 0 ? p.cap_ms : 0));
    if (p.base_ms > 0 && attempt < 62 && p.base_ms <= INT64_MAX >> attempt)
        FUZZ_ASSERT(backoff <= (p.base_ms << attempt));

    int64_t after = retry_after_ms(&p, after_s);
    if (after_s < 0) {
        FUZZ_ASSERT(after == -1);
    } else if (sane) {
        FUZZ_ASSERT(after >= p.after_min_ms && after <= p.after_max_ms);
        if (after_s <= p.after_max_ms / 1000 && after_s * 1000 >= p.after_min_ms)
            FUZZ_ASSERT(after == after_s * 1000);
    }

    int64_t delay = retry_delay_ms(&p, attempt, after_s, fixed_rng, &draw);
    FUZZ_ASSERT(delay == (after >= 0 ? after : backoff));
    return 0;
}
