/*
 * Hybrid logical clock (protocol.md 8.11): physical milliseconds, a counter
 * that orders events within one millisecond (or while the wall clock runs
 * behind the last stamp), and the node that made the stamp. Used only to
 * order last-writer-wins fields and for audit; versions, not stamps, decide
 * manual-policy conflicts.
 *
 * Text form: "%012llx.%04x.<node>", e.g. "01954a3f2c10.0003.6f0e". The node
 * is 1-36 characters of [0-9a-z_-] (a device id, or a prefix of one).
 * Everything here is pure except hlc_wall_ms(), which reads the clock.
 */
#ifndef DOORSTEP_CORE_HLC_H
#define DOORSTEP_CORE_HLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define HLC_NODE_MAX 36
#define HLC_MS_MAX   0xffffffffffffULL /* 48 bits: 12 hex digits */
/* Bytes needed by hlc_format, NUL included. */
#define HLC_STR_SIZE (12 + 1 + 4 + 1 + HLC_NODE_MAX + 1)
/* How far ahead of the server's clock a received stamp may be (hlc_clamp). */
#define HLC_MAX_AHEAD_MS (5ULL * 60 * 1000)

struct hlc {
    uint64_t ms;                 /* physical part, Unix milliseconds, <= HLC_MS_MAX */
    uint16_t counter;            /* logical part */
    char node[HLC_NODE_MAX + 1]; /* who made the stamp; "" only in a zeroed hlc */
};

/* One node's clock: the last stamp it issued or observed. Persist `last` (sync_meta hlc_last). */
struct hlc_clock {
    struct hlc last;
};

/*
 * Parse the text form into *out. Anything else (upper-case hex, missing
 * zero padding, a bad or over-long node, trailing text) fails with DP_EINVAL
 * naming `field`; *out is then unspecified.
 */
enum dp_status hlc_parse(const char *s, struct hlc *out, const char *field, struct dp_error *err);

/* Write the text form into buf (HLC_STR_SIZE bytes are always enough). */
void hlc_format(const struct hlc *h, char *buf, size_t bufsize);

/* Total order: <0, 0, >0 as a is before, equal to, or after b (ms, then counter, then node). */
int hlc_compare(const struct hlc *a, const struct hlc *b);

/* True when node is 1-HLC_NODE_MAX characters of [0-9a-z_-]. */
bool hlc_node_valid(const char *node);

/*
 * Start a clock for `node`, resuming after `persisted` (the text form of the
 * last stamp saved, or NULL/"" for a fresh clock) so stamps stay increasing
 * across restarts even when the wall clock went back. A persisted stamp of
 * another node still counts: the device may have re-registered. DP_EINVAL
 * for a bad node or persisted stamp leaves *c a fresh clock for `node` when
 * the node itself was valid.
 */
enum dp_status hlc_clock_init(struct hlc_clock *c, const char *node, const char *persisted,
                              struct dp_error *err);

/*
 * Stamp a local event at wall time wall_ms: strictly greater than every stamp
 * this clock issued or observed, and equal to the wall clock when that is
 * ahead. A wall clock that jumped backwards only advances the counter.
 * The one exception is the top of the range (HLC_MS_MAX.ffff): a clock that
 * got there stays there, repeating that stamp rather than going back.
 */
void hlc_tick(struct hlc_clock *c, uint64_t wall_ms, struct hlc *out);

/*
 * Fold in a stamp received from the server (its time at hello, a pulled
 * stamp) so later local stamps sort after it: a device whose clock is years
 * behind catches up. Only for the server's stamps, which it clamps itself
 * (hlc_clamp); a stamp from an unchecked source could drag the clock ahead.
 */
void hlc_observe(struct hlc_clock *c, const struct hlc *remote, uint64_t wall_ms);

/*
 * Server side: cap h's physical part at received_ms + HLC_MAX_AHEAD_MS (the
 * counter and node stay, so one device's stamps keep their order). Returns
 * true when it had to; the caller records both the original and the clamped stamp.
 */
bool hlc_clamp(struct hlc *h, uint64_t received_ms);

/* h's physical time minus now_ms: positive when h is in the future. */
int64_t hlc_skew_ms(const struct hlc *h, uint64_t now_ms);

/* Wall clock in Unix milliseconds. The only function here that reads the clock. */
uint64_t hlc_wall_ms(void);

#endif
