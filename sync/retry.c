#include "sync/retry.h"

#include <sys/random.h>
#include <time.h>

void
retry_policy_default(struct retry_policy *p)
{
    p->base_ms = 500;
    p->cap_ms = 60000;
    p->after_min_ms = 0;
    p->after_max_ms = 300000;
    p->max_attempts = 6;
}

int64_t
retry_backoff_ms(const struct retry_policy *p, unsigned attempt, retry_rng_fn rng, void *ctx)
{
    int64_t cap = p->cap_ms > 0 ? p->cap_ms : 0;
    int64_t ceiling = p->base_ms > 0 ? p->base_ms : 0;
    for (unsigned i = 0; i < attempt && ceiling < cap; i++)
        ceiling = ceiling > cap / 2 ? cap : ceiling * 2;
    if (ceiling > cap)
        ceiling = cap;
    if (ceiling <= 0)
        return 0;
    /* Full jitter: any wait from 0 to the ceiling, so clients that failed together spread out. */
    return (int64_t)(rng(ctx) % ((uint64_t)ceiling + 1));
}

int64_t
retry_after_ms(const struct retry_policy *p, int64_t seconds)
{
    if (seconds < 0)
        return -1;
    int64_t ms = seconds > INT64_MAX / 1000 ? INT64_MAX : seconds * 1000;
    if (ms > p->after_max_ms)
        ms = p->after_max_ms;
    if (ms < p->after_min_ms)
        ms = p->after_min_ms;
    return ms;
}

int64_t
retry_delay_ms(const struct retry_policy *p, unsigned attempt, int64_t retry_after_s,
               retry_rng_fn rng, void *ctx)
{
    int64_t after = retry_after_ms(p, retry_after_s);
    if (after >= 0)
        return after;
    return retry_backoff_ms(p, attempt, rng, ctx);
}

uint64_t
retry_rng_system(void *ctx)
{
    (void)ctx;
    uint64_t v;
    if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t)sizeof v)
        return v;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_nsec * 2654435761u ^ (uint64_t)ts.tv_sec;
}
