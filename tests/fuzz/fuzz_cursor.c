/*
 * Pull cursors (server/cursor.h), sent back by clients verbatim, so any
 * string may arrive. A cursor that parses is exactly what cursor_format
 * writes for it: the same text, parts of the right shape, a sequence
 * number below 2^53.
 */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>

#include "server/cursor.h"

static bool
lower_hex16(const char *s)
{
    if (strlen(s) != 16)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    struct cursor c;
    if (cursor_parse(s, &c)) {
        FUZZ_ASSERT(lower_hex16(c.epoch) && lower_hex16(c.scope));
        FUZZ_ASSERT(c.seq >= 0 && c.seq < (INT64_C(1) << 53));
        char buf[CURSOR_MAX];
        cursor_format(&c, buf, sizeof buf);
        FUZZ_ASSERT_STR_EQ(buf, s);
        struct cursor again;
        FUZZ_ASSERT(cursor_parse(buf, &again));
        FUZZ_ASSERT(memcmp(&again, &c, sizeof c) == 0);
    }
    free(s);
    return 0;
}
