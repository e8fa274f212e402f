/*
 * gzip request bodies (server/gz.h), inflated under a cap before anything
 * else reads them. Inflating never produces more than the cap (nor more
 * than the output buffer's own cap) and refuses trailing bytes; what it
 * produces deflates and inflates back to itself. The input is also taken as
 * plain data: compressed, it inflates back exactly, with a cap one byte too
 * small it is refused as too big, and cut short or followed by junk it is
 * refused as corrupt.
 */
#include "tests/fuzz/fuzz.h"

#include "server/buf.h"
#include "server/gz.h"

/* Small enough that a fuzzer finds bombs quickly; body caps in the server are larger. */
#define CAP 65536

static void
inflates_to(const void *gz, size_t n, const void *want, size_t want_len)
{
    struct buf out;
    buf_init(&out, (size_t)-1);
    FUZZ_ASSERT(gz_inflate(gz, n, want_len, &out) == DP_OK);
    FUZZ_ASSERT(out.len == want_len && (want_len == 0 || memcmp(out.data, want, want_len) == 0));
    buf_done(&out);
    if (want_len) {
        buf_init(&out, (size_t)-1);
        FUZZ_ASSERT(gz_inflate(gz, n, want_len - 1, &out) == DP_ETOOBIG);
        FUZZ_ASSERT(out.len <= want_len - 1);
        buf_done(&out);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* As a request body. */
    struct buf out;
    buf_init(&out, (size_t)-1);
    enum dp_status st = gz_inflate(data, size, CAP, &out);
    FUZZ_ASSERT(st == DP_OK || st == DP_EINVAL || st == DP_ETOOBIG);
    FUZZ_ASSERT(out.len <= CAP);
    if (st == DP_OK) {
        struct buf again;
        buf_init(&again, (size_t)-1);
        FUZZ_ASSERT(gz_deflate(out.data, out.len, &again) == DP_OK);
        inflates_to(again.data, again.len, out.data, out.len);
        buf_done(&again);
    }
    size_t got = out.len;
    buf_done(&out);

    /* The output buffer's own cap holds too, whatever the cap argument says. */
    buf_init(&out, 100);
    st = gz_inflate(data, size, CAP, &out);
    FUZZ_ASSERT(out.len <= 100);
    FUZZ_ASSERT(st != DP_OK || got <= 100);
    buf_done(&out);

    /* As plain data. */
    struct buf gz;
    buf_init(&gz, (size_t)-1);
    FUZZ_ASSERT(gz_deflate(data, size, &gz) == DP_OK);
    inflates_to(gz.data, gz.len, data, size);
    size_t len = gz.len;
    buf_init(&out, (size_t)-1);
    FUZZ_ASSERT(gz_inflate(gz.data, len - 1, size + 1, &out) == DP_EINVAL);
    buf_done(&out);
    FUZZ_ASSERT(buf_add(&gz, size ? data : (const uint8_t *)"x", 1) == DP_OK);
    buf_init(&out, (size_t)-1);
    FUZZ_ASSERT(gz_inflate(gz.data, gz.len, size + 1, &out) == DP_EINVAL);
    buf_done(&out);
    buf_done(&gz);
    return 0;
}
