#include "core/hlc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1; /* upper case is not canonical */
}

/* Exactly n lower-case hex digits at s. */
static bool
parse_hex(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = hex_value(s[i]);
        if (d < 0)
            return false;
        v = (v << 4) | (uint64_t)d;
    }
    *out = v;
    return true;
}

bool
hlc_node_valid(const char *node)
{
    if (!node)
        return false;
    size_t n = 0;
    for (; node[n]; n++) {
        char c = node[n];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_' || c == '-';
        if (!ok || n >= HLC_NODE_MAX)
            return false;
    }
    return n > 0;
}

enum dp_status
hlc_parse(const char *s, struct hlc *out, const char *field, struct dp_error *err)
{
    uint64_t ms, counter;
    if (!s || strlen(s) < 12 + 1 + 4 + 1 + 1 || s[12] != '.' || s[17] != '.' ||
        !parse_hex(s, 12, &ms) || !parse_hex(s + 13, 4, &counter) || !hlc_node_valid(s + 18))
        return dp_error_set(err, DP_EINVAL, field, "is not a clock stamp");
    out->ms = ms;
    out->counter = (uint16_t)counter;
    snprintf(out->node, sizeof out->node, "%s", s + 18);
    return DP_OK;
}

void
hlc_format(const struct hlc *h, char *buf, size_t bufsize)
{
    uint64_t ms = h->ms > HLC_MS_MAX ? HLC_MS_MAX : h->ms;
    snprintf(buf, bufsize, "%012llx.%04x.%s", (unsigned long long)ms, (unsigned)h->counter,
             h->node);
}

int
hlc_compare(const struct hlc *a, const struct hlc *b)
{
    if (a->ms != b->ms)
        return a->ms < b->ms ? -1 : 1;
    if (a->counter != b->counter)
        return a->counter < b->counter ? -1 : 1;
    int c = strcmp(a->node, b->node);
    return c < 0 ? -1 : c > 0;
}

enum dp_status
hlc_clock_init(struct hlc_clock *c, const char *node, const char *persisted, struct dp_error *err)
{
    memset(c, 0, sizeof *c);
    if (!hlc_node_valid(node))
        return dp_error_set(err, DP_EINVAL, "node", "is not a clock node name");
    snprintf(c->last.node, sizeof c->last.node, "%s", node);
    if (persisted && *persisted) {
        struct hlc h;
        enum dp_status st = hlc_parse(persisted, &h, "hlc_last", err);
        if (st != DP_OK)
            return st;
        c->last.ms = h.ms;
        c->last.counter = h.counter;
    }
    return DP_OK;
}

/* Move the clock to physical time ms with the given counter, borrowing a millisecond on overflow.
 */
static void
clock_set(struct hlc_clock *c, uint64_t ms, uint32_t counter)
{
    if (counter > UINT16_MAX) {
        /* 65536 events in one millisecond, or a long stretch with the wall clock
         * behind: step the physical part rather than wrap, which would go back. */
        ms++;
        counter = 0;
    }
    if (ms > HLC_MS_MAX) {
        /* The top of the range (year 10889), reached only through a corrupt or hostile
         * stamp: stay at the largest stamp. Cutting ms alone would keep the counter
         * and go back below stamps already issued. */
        ms = HLC_MS_MAX;
        counter = UINT16_MAX;
    }
    c->last.ms = ms;
    c->last.counter = (uint16_t)counter;
}

void
hlc_tick(struct hlc_clock *c, uint64_t wall_ms, struct hlc *out)
{
    if (wall_ms > c->last.ms)
        clock_set(c, wall_ms, 0);
    else
        clock_set(c, c->last.ms, (uint32_t)c->last.counter + 1);
    if (out)
        *out = c->last;
}

void
hlc_observe(struct hlc_clock *c, const struct hlc *remote, uint64_t wall_ms)
{
    uint64_t l = c->last.ms, rms = remote->ms;
    uint32_t lc = c->last.counter, rc = remote->counter;
    uint64_t top = l > rms ? l : rms;
    if (wall_ms > top)
        top = wall_ms;
    if (top == l && top == rms)
        clock_set(c, top, (lc > rc ? lc : rc) + 1);
    else if (top == l)
        clock_set(c, top, lc + 1);
    else if (top == rms)
        clock_set(c, top, rc + 1);
    else
        clock_set(c, top, 0);
}

bool
hlc_clamp(struct hlc *h, uint64_t received_ms)
{
    uint64_t cap = received_ms + HLC_MAX_AHEAD_MS;
    if (h->ms <= cap)
        return false;
    h->ms = cap;
    return true;
}

int64_t
hlc_skew_ms(const struct hlc *h, uint64_t now_ms)
{
    return (int64_t)h->ms - (int64_t)now_ms;
}

uint64_t
hlc_wall_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
