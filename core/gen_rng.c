/*
 * The generator's random numbers: xoshiro256** seeded through splitmix64,
 * integer-only so that a seed gives the same stream on every machine, and
 * the small draws built on it.
 */
#include "core/gen_internal.h"

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint64_t
gen_mix64(uint64_t x)
{
    return splitmix64(&x);
}

void
gen_rng_seed(struct gen_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

static uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t
gen_rng_next(struct gen_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t
gen_rng_below(struct gen_rng *rng, uint32_t n)
{
    /* Multiply-shift on the top 32 bits: integer-only, so identical everywhere. */
    uint64_t x = gen_rng_next(rng) >> 32;
    return (uint32_t)((x * n) >> 32);
}

/* True with probability pct/100. */
bool
gen_chance(struct gen_rng *rng, unsigned pct)
{
    return gen_rng_below(rng, 100) < pct;
}

/* Uniform in [lo, hi]. */
int
gen_between(struct gen_rng *rng, int lo, int hi)
{
    return hi <= lo ? lo : lo + (int)gen_rng_below(rng, (uint32_t)(hi - lo + 1));
}

const char *
gen_pick(struct gen_rng *rng, const struct gen_list *l)
{
    return l->items[gen_rng_below(rng, (uint32_t)l->n)];
}

void
gen_uuid(struct gen_rng *rng, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t b[16];
    uint64_t a = gen_rng_next(rng), c = gen_rng_next(rng);
    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)(a >> (8 * i));
        b[8 + i] = (uint8_t)(c >> (8 * i));
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char *p = buf;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 15];
    }
    *p = '\0';
}
