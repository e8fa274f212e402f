/*
 * Money (core/money.h): what a person types as yuan, and the canonical fen
 * strings stored and sent. Whatever parses is within range and formats back
 * to the same amount; canonical fen text is its own formatted form; and
 * every fen string also reads as that many yuan.
 */
#include "tests/fuzz/fuzz.h"

#include "core/money.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    struct dp_error err;
    char buf[32];
    int64_t fen = -1, again = -1;

    if (money_parse_yuan(s, &fen, "amount", &err) == DP_OK) {
        FUZZ_ASSERT(fen >= 0 && fen <= MONEY_MAX_FEN);
        money_format_yuan(fen, buf, sizeof buf);
        FUZZ_ASSERT(money_parse_yuan(buf, &again, "amount", &err) == DP_OK);
        FUZZ_ASSERT(again == fen);
        money_format_fen(fen, buf, sizeof buf);
        FUZZ_ASSERT(money_parse_fen(buf, &again, "amount", &err) == DP_OK && again == fen);
    }

    if (money_parse_fen(s, &fen, "amount", &err) == DP_OK) {
        FUZZ_ASSERT(fen >= 0 && fen <= MONEY_MAX_FEN);
        money_format_fen(fen, buf, sizeof buf);
        FUZZ_ASSERT_STR_EQ(buf, s);
        /* "1234" fen is also 1234 yuan to a person, as long as that is not too much. */
        enum dp_status st = money_parse_yuan(s, &again, "amount", &err);
        if (fen <= MONEY_MAX_FEN / 100)
            FUZZ_ASSERT(st == DP_OK && again == fen * 100);
        else
            FUZZ_ASSERT(st == DP_EINVAL);
    }

    /* Any eight bytes as an amount (differences may be negative): the text reads back. */
    if (size >= 8) {
        int64_t v;
        memcpy(&v, data, sizeof v);
        money_format_yuan(v, buf, sizeof buf);
        const char *digits = buf;
        if (v < 0) {
            FUZZ_ASSERT(buf[0] == '-');
            digits = buf + 1;
        }
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        if (mag <= (uint64_t)MONEY_MAX_FEN) {
            FUZZ_ASSERT(money_parse_yuan(digits, &again, "amount", &err) == DP_OK);
            FUZZ_ASSERT((uint64_t)again == mag);
        }
        char small[5];
        money_format_yuan(v, small, sizeof small); /* cut to fit, terminated */
        FUZZ_ASSERT(strlen(small) < sizeof small);
    }
    free(s);
    return 0;
}
