/* Backoff with full jitter and Retry-After clamping (sync/retry.h), with a pinned RNG. */
#include "sync/retry.h"

#include "tests/unit/test.h"

/* An RNG that returns a fixed value, or counts calls. */
struct fixed {
    uint64_t value;
    int calls;
};

static uint64_t
fixed_rng(void *ctx)
{
    struct fixed *f = ctx;
    f->calls++;
    return f->value;
}

TEST(backoff_ceiling_doubles_then_caps)
{
    struct retry_policy p;
    retry_policy_default(&p);
    struct fixed f = {0, 0};
    int64_t want[] = {500, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
    for (unsigned a = 0; a < sizeof want / sizeof want[0]; a++) {
        f.value = (uint64_t)want[a]; /* value % (ceiling+1) == ceiling: the maximum */
        CHECK_INT_EQ(retry_backoff_ms(&p, a, fixed_rng, &f), want[a]);
        f.value = (uint64_t)want[a] + 1; /* wraps to 0: the minimum */
        CHECK_INT_EQ(retry_backoff_ms(&p, a, fixed_rng, &f), 0);
    }
}

TEST(backoff_huge_attempt_does_not_overflow)
{
    struct retry_policy p;
    retry_policy_default(&p);
    struct fixed f = {UINT64_MAX, 0};
    for (unsigned a = 60; a < 70; a++) {
        int64_t d = retry_backoff_ms(&p, a, fixed_rng, &f);
        CHECK(d >= 0 && d <= p.cap_ms);
    }
    CHECK(retry_backoff_ms(&p, 4000000000u, fixed_rng, &f) <= p.cap_ms);
}

TEST(backoff_zero_base_never_waits_or_calls_rng)
{
    struct retry_policy p;
    retry_policy_default(&p);
    p.base_ms = 0;
    struct fixed f = {12345, 0};
    CHECK_INT_EQ(retry_backoff_ms(&p, 3, fixed_rng, &f), 0);
    CHECK_INT_EQ(f.calls, 0);
}

TEST(backoff_is_spread_over_the_whole_range)
{
    /* Full jitter: with the system RNG, 200 draws for attempt 2 (ceiling 2000)
       land in both halves of [0, 2000]. */
    struct retry_policy p;
    retry_policy_default(&p);
    int low = 0, high = 0;
    for (int i = 0; i < 200; i++) {
        int64_t d = retry_backoff_ms(&p, 2, retry_rng_system, NULL);
        CHECK(d >= 0 && d <= 2000);
        if (d < 1000)
            low++;
        else
            high++;
    }
    CHECK(low > 20 && high > 20);
}

TEST(retry_after_is_clamped)
{
    struct retry_policy p;
    retry_policy_default(&p);
    CHECK_INT_EQ(retry_after_ms(&p, -1), -1);
    CHECK_INT_EQ(retry_after_ms(&p, 0), 0);
    CHECK_INT_EQ(retry_after_ms(&p, 2), 2000);
    CHECK_INT_EQ(retry_after_ms(&p, 300), 300000);
    CHECK_INT_EQ(retry_after_ms(&p, 301), 300000);
    CHECK_INT_EQ(retry_after_ms(&p, INT64_MAX), 300000);
    p.after_min_ms = 1000;
    CHECK_INT_EQ(retry_after_ms(&p, 0), 1000);
}

TEST(delay_prefers_retry_after)
{
    struct retry_policy p;
    retry_policy_default(&p);
    struct fixed f = {7, 0};
    CHECK_INT_EQ(retry_delay_ms(&p, 5, 3, fixed_rng, &f), 3000);
    CHECK_INT_EQ(f.calls, 0);
    CHECK_INT_EQ(retry_delay_ms(&p, 0, -1, fixed_rng, &f), 7);
    CHECK_INT_EQ(f.calls, 1);
}

int
main(void)
{
    RUN(backoff_ceiling_doubles_then_caps);
    RUN(backoff_huge_attempt_does_not_overflow);
    RUN(backoff_zero_base_never_waits_or_calls_rng);
    RUN(backoff_is_spread_over_the_whole_range);
    RUN(retry_after_is_clamped);
    RUN(delay_prefers_retry_after);
    return test_report();
}
