/*
 * Hybrid logical clock stamps (core/hlc.h), as they arrive in pushed
 * mutations and pulled changes. A stamp that parses formats back to the very
 * same text (the text form is canonical), compares equal to itself, and a
 * clock fed with it (persisted or observed) only ever moves forwards.
 */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>

#include "core/hlc.h"

/*
 * a comes after b in (ms, counter), or both sit at the top of the range,
 * where a clock stays (core/hlc.h). Nodes differ on purpose: a clock's own
 * stamps carry its node whatever it observed.
 */
static bool
later(const struct hlc *a, const struct hlc *b)
{
    if (a->ms == HLC_MS_MAX && a->counter == UINT16_MAX)
        return true;
    return a->ms > b->ms || (a->ms == b->ms && a->counter > b->counter);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    struct hlc h;
    struct dp_error err;
    if (hlc_parse(s, &h, "hlc", &err) == DP_OK) {
        char buf[HLC_STR_SIZE];
        hlc_format(&h, buf, sizeof buf);
        FUZZ_ASSERT_STR_EQ(buf, s);
        FUZZ_ASSERT(h.ms <= HLC_MS_MAX);
        FUZZ_ASSERT(hlc_node_valid(h.node));
        FUZZ_ASSERT(hlc_compare(&h, &h) == 0);

        /* A clock resumed from this stamp issues later stamps, whatever the wall clock says. */
        struct hlc_clock c;
        FUZZ_ASSERT(hlc_clock_init(&c, "fuzz", s, &err) == DP_OK);
        struct hlc t1, t2;
        hlc_tick(&c, 0, &t1);
        FUZZ_ASSERT(later(&t1, &h));
        hlc_tick(&c, h.ms, &t2);
        FUZZ_ASSERT(later(&t2, &t1));
        hlc_observe(&c, &h, 0);
        hlc_tick(&c, 0, &t1);
        FUZZ_ASSERT(later(&t1, &t2) && later(&t1, &h));
        hlc_tick(&c, HLC_MS_MAX + 1, &t2); /* a wall clock past the range */
        FUZZ_ASSERT(later(&t2, &t1) && t2.ms == HLC_MS_MAX);

        /* A fresh clock observing the stamp (as from a server's hello) also moves past it. */
        struct hlc_clock fresh;
        FUZZ_ASSERT(hlc_clock_init(&fresh, "fuzz", NULL, &err) == DP_OK);
        hlc_observe(&fresh, &h, 1);
        hlc_tick(&fresh, 1, &t1);
        FUZZ_ASSERT(later(&t1, &h));

        /* The server's clamp never moves a stamp forwards and keeps counter and node. */
        struct hlc k = h;
        bool clamped = hlc_clamp(&k, 1000);
        FUZZ_ASSERT(clamped == (hlc_compare(&k, &h) != 0));
        FUZZ_ASSERT(hlc_compare(&k, &h) <= 0 && k.counter == h.counter);
        FUZZ_ASSERT(strcmp(k.node, h.node) == 0);
    }
    free(s);
    return 0;
}
