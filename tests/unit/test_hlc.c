#include "core/hlc.h"

#include "tests/unit/test.h"

/* 2025-03-01T10:22:33Z */
#define T0     1740824553000ULL
#define MINUTE (60ULL * 1000)
#define YEAR   (365ULL * 24 * 60 * MINUTE)

static struct hlc
mk(uint64_t ms, uint16_t counter, const char *node)
{
    struct hlc h;
    memset(&h, 0, sizeof h);
    h.ms = ms;
    h.counter = counter;
    snprintf(h.node, sizeof h.node, "%s", node);
    return h;
}

TEST(format_and_parse_round_trip)
{
    struct hlc h = mk(0x01954a3f2c10ULL, 3, "6f0e");
    char buf[HLC_STR_SIZE];
    hlc_format(&h, buf, sizeof buf);
    CHECK_STR_EQ(buf, "01954a3f2c10.0003.6f0e");

    struct hlc back;
    REQUIRE(hlc_parse(buf, &back, "hlc", NULL) == DP_OK);
    CHECK(back.ms == 0x01954a3f2c10ULL);
    CHECK_INT_EQ(back.counter, 3);
    CHECK_STR_EQ(back.node, "6f0e");
    CHECK_INT_EQ(hlc_compare(&h, &back), 0);

    /* The largest values still fit the buffer. */
    struct hlc big = mk(HLC_MS_MAX, 0xffff, "0123456789abcdef0123456789abcdef0123");
    hlc_format(&big, buf, sizeof buf);
    CHECK_STR_EQ(buf, "ffffffffffff.ffff.0123456789abcdef0123456789abcdef0123");
    REQUIRE(hlc_parse(buf, &back, "hlc", NULL) == DP_OK);
    CHECK_INT_EQ(hlc_compare(&big, &back), 0);
}

TEST(parse_rejects_malformed)
{
    static const char *const bad[] = {
        "",
        "01954a3f2c10.0003",
        "01954a3f2c10.0003.",
        "1954a3f2c10.0003.6f0e",    /* 11 digits */
        "01954A3F2C10.0003.6f0e",   /* upper case */
        "01954a3f2c10.003.6f0e",    /* short counter */
        "01954a3f2c10.00030.6f0e",  /* long counter */
        "01954a3f2c10-0003-6f0e",   /* separators */
        "01954a3f2c10.0003.6F0E",   /* node upper case */
        "01954a3f2c10.0003.6f 0e",  /* space in node */
        "01954a3f2c10.0003.6f0e\n", /* trailing newline */
        "0x954a3f2c10.0003.6f0e",
        "01954a3f2c10.0003.0123456789abcdef0123456789abcdef01234", /* node of 37 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hlc h;
        struct dp_error err;
        dp_error_clear(&err);
        if (hlc_parse(bad[i], &h, "hlc", &err) != DP_EINVAL)
            TEST_FAIL_("accepted bad stamp #%zu", i);
        CHECK_STR_EQ(err.field, "hlc");
    }
    struct hlc h;
    CHECK(hlc_parse(NULL, &h, "hlc", NULL) == DP_EINVAL);
}

TEST(compare_orders_ms_then_counter_then_node)
{
    struct hlc a = mk(100, 5, "b"), b = mk(101, 0, "a");
    CHECK(hlc_compare(&a, &b) < 0);
    CHECK(hlc_compare(&b, &a) > 0);
    struct hlc c = mk(100, 6, "a");
    CHECK(hlc_compare(&a, &c) < 0);
    struct hlc d = mk(100, 5, "c");
    CHECK(hlc_compare(&a, &d) < 0);
    CHECK(hlc_compare(&d, &a) > 0);
    /* Text order agrees with hlc_compare (fixed-width hex). */
    char sa[HLC_STR_SIZE], sb[HLC_STR_SIZE];
    hlc_format(&a, sa, sizeof sa);
    hlc_format(&b, sb, sizeof sb);
    CHECK(strcmp(sa, sb) < 0);
}

TEST(tick_follows_wall_clock_and_is_strictly_increasing)
{
    struct hlc_clock c;
    REQUIRE(hlc_clock_init(&c, "6f0e", NULL, NULL) == DP_OK);
    struct hlc a, b, d;
    hlc_tick(&c, T0, &a);
    CHECK(a.ms == T0);
    CHECK_INT_EQ(a.counter, 0);
    CHECK_STR_EQ(a.node, "6f0e");
    hlc_tick(&c, T0, &b); /* same millisecond */
    CHECK(b.ms == T0);
    CHECK_INT_EQ(b.counter, 1);
    hlc_tick(&c, T0 + 7, &d);
    CHECK(d.ms == T0 + 7);
    CHECK_INT_EQ(d.counter, 0);
    CHECK(hlc_compare(&a, &b) < 0 && hlc_compare(&b, &d) < 0);
}

TEST(clock_jumping_backwards_between_two_local_edits)
{
    struct hlc_clock c;
    REQUIRE(hlc_clock_init(&c, "dev1", NULL, NULL) == DP_OK);
    struct hlc first, second, third;
    hlc_tick(&c, T0, &first);
    /* The laptop's clock is set back an hour (NTP, a dead CMOS battery). */
    hlc_tick(&c, T0 - 60 * MINUTE, &second);
    CHECK(hlc_compare(&first, &second) < 0);
    CHECK(second.ms == T0);
    CHECK_INT_EQ(second.counter, 1);
    /* Once the wall clock passes the last stamp again, it takes over. */
    hlc_tick(&c, T0 + 1, &third);
    CHECK(third.ms == T0 + 1);
    CHECK_INT_EQ(third.counter, 0);
}

TEST(clock_survives_restart_behind_wall_clock)
{
    struct hlc_clock c;
    struct hlc last;
    REQUIRE(hlc_clock_init(&c, "dev1", NULL, NULL) == DP_OK);
    hlc_tick(&c, T0, NULL);
    hlc_tick(&c, T0, &last);
    char saved[HLC_STR_SIZE];
    hlc_format(&c.last, saved, sizeof saved);

    /* Restart with the clock two years behind: stamps still go forward. */
    struct hlc_clock r;
    REQUIRE(hlc_clock_init(&r, "dev1", saved, NULL) == DP_OK);
    struct hlc next;
    hlc_tick(&r, T0 - 2 * YEAR, &next);
    CHECK(hlc_compare(&last, &next) < 0);

    /* A damaged persisted value is an error, and the clock is usable anyway. */
    struct dp_error err;
    CHECK(hlc_clock_init(&r, "dev1", "garbage", &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "hlc_last");
    hlc_tick(&r, T0, &next);
    CHECK(next.ms == T0);
    CHECK_STR_EQ(next.node, "dev1");

    CHECK(hlc_clock_init(&r, "", NULL, NULL) == DP_EINVAL);
    CHECK(hlc_clock_init(&r, "Dev", NULL, NULL) == DP_EINVAL);
    CHECK(hlc_clock_init(&r, NULL, NULL, NULL) == DP_EINVAL);
}

TEST(counter_overflow_borrows_a_millisecond)
{
    struct hlc_clock c;
    REQUIRE(hlc_clock_init(&c, "n", NULL, NULL) == DP_OK);
    struct hlc prev, cur;
    hlc_tick(&c, T0, &prev);
    for (unsigned i = 0; i < 70000; i++) {
        hlc_tick(&c, T0, &cur);
        if (hlc_compare(&prev, &cur) >= 0) {
            TEST_FAIL_("stamp %u did not increase", i);
            return;
        }
        prev = cur;
    }
    CHECK(cur.ms == T0 + 1);
}

TEST(top_of_the_range_stays_there)
{
    /* A persisted or observed stamp at the very top must not send the clock back to .0000. */
    struct hlc_clock c;
    struct hlc top = mk(HLC_MS_MAX, 0xffff, "srv"), cur;
    REQUIRE(hlc_clock_init(&c, "n", "ffffffffffff.ffff.n", NULL) == DP_OK);
    hlc_tick(&c, T0, &cur);
    CHECK(cur.ms == HLC_MS_MAX && cur.counter == 0xffff);
    REQUIRE(hlc_clock_init(&c, "n", "ffffffffffff.fffe.n", NULL) == DP_OK);
    hlc_tick(&c, T0, &cur);
    CHECK(cur.ms == HLC_MS_MAX && cur.counter == 0xffff);
    REQUIRE(hlc_clock_init(&c, "n", NULL, NULL) == DP_OK);
    hlc_observe(&c, &top, T0);
    hlc_tick(&c, HLC_MS_MAX + 5, &cur);
    CHECK(cur.ms == HLC_MS_MAX && cur.counter == 0xffff);
}

TEST(observe_moves_a_slow_clock_forward)
{
    /* A device two years behind sees the server's time, then edits. */
    struct hlc_clock c;
    REQUIRE(hlc_clock_init(&c, "slow", NULL, NULL) == DP_OK);
    uint64_t wall = T0 - 2 * YEAR;
    struct hlc server = mk(T0, 4, "server");
    hlc_observe(&c, &server, wall);
    struct hlc mine;
    hlc_tick(&c, wall + 10, &mine);
    CHECK(hlc_compare(&server, &mine) < 0);
    CHECK(mine.ms == T0);
    CHECK_INT_EQ(mine.counter, 6);

    /* Observing an older stamp changes nothing but the counter. */
    struct hlc old = mk(T0 - YEAR, 0, "x");
    hlc_observe(&c, &old, wall);
    struct hlc after;
    hlc_tick(&c, wall, &after);
    CHECK(hlc_compare(&mine, &after) < 0);
}

TEST(observe_ties_and_fast_local_clock)
{
    struct hlc_clock c;
    REQUIRE(hlc_clock_init(&c, "me", NULL, NULL) == DP_OK);
    struct hlc mine, remote = mk(T0, 7, "srv");
    hlc_tick(&c, T0, &mine); /* T0.0000 */
    hlc_observe(&c, &remote, T0);
    CHECK(c.last.ms == T0);
    CHECK_INT_EQ(c.last.counter, 8);
    /* The local wall clock ahead of both wins outright. */
    hlc_observe(&c, &remote, T0 + 50);
    CHECK(c.last.ms == T0 + 50);
    CHECK_INT_EQ(c.last.counter, 0);
    /* Local stamp ahead of the wall clock and the remote: counter only. */
    hlc_observe(&c, &remote, T0 + 10);
    CHECK(c.last.ms == T0 + 50);
    CHECK_INT_EQ(c.last.counter, 1);
    /* The node stays ours. */
    CHECK_STR_EQ(c.last.node, "me");
}

TEST(server_clamps_future_stamps_and_keeps_order)
{
    uint64_t received = T0;
    /* +2 years */
    struct hlc a = mk(T0 + 2 * YEAR, 1, "fast"), b = mk(T0 + 2 * YEAR, 2, "fast");
    CHECK(hlc_clamp(&a, received));
    CHECK(hlc_clamp(&b, received));
    CHECK(a.ms == T0 + HLC_MAX_AHEAD_MS);
    CHECK(hlc_compare(&a, &b) < 0);
    CHECK(hlc_skew_ms(&a, received) == (int64_t)HLC_MAX_AHEAD_MS);

    /* +5 minutes exactly is allowed; one ms more is not. */
    struct hlc edge = mk(T0 + HLC_MAX_AHEAD_MS, 0, "x");
    CHECK(!hlc_clamp(&edge, received));
    edge.ms++;
    CHECK(hlc_clamp(&edge, received));

    /* -2 years is not clamped (an offline device's edits can be old), only reported. */
    struct hlc slow = mk(T0 - 2 * YEAR, 0, "slow");
    CHECK(!hlc_clamp(&slow, received));
    CHECK(hlc_skew_ms(&slow, received) == -(int64_t)(2 * YEAR));
}

TEST(wall_clock_is_plausible)
{
    uint64_t now = hlc_wall_ms();
    CHECK(now > T0);
    CHECK(now < HLC_MS_MAX);
}

int
main(void)
{
    RUN(format_and_parse_round_trip);
    RUN(parse_rejects_malformed);
    RUN(compare_orders_ms_then_counter_then_node);
    RUN(tick_follows_wall_clock_and_is_strictly_increasing);
    RUN(clock_jumping_backwards_between_two_local_edits);
    RUN(clock_survives_restart_behind_wall_clock);
    RUN(counter_overflow_borrows_a_millisecond);
    RUN(top_of_the_range_stays_there);
    RUN(observe_moves_a_slow_clock_forward);
    RUN(observe_ties_and_fast_local_clock);
    RUN(server_clamps_future_stamps_and_keeps_order);
    RUN(wall_clock_is_plausible);
    return test_report();
}
