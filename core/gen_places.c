/*
 * Where a generated household lives: village, township and county names
 * that follow the seed and the household index (not the random stream), so
 * neighbours share a village and names are unique within their parent.
 */
#include "core/gen_internal.h"

#include <stdio.h>

/* A hash of the seed and a place index, so place names follow the seed but not the RNG stream. */
static uint64_t
place_hash(const struct gen *g, unsigned kind, unsigned long index)
{
    return gen_mix64(g->seed_mix ^ ((uint64_t)kind << 56) ^ (uint64_t)index);
}

static size_t
gcd(size_t a, size_t b)
{
    while (b) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/*
 * Child number `j` of parent `parent` takes stem (base + j * step) mod n:
 * with step coprime to n the names of siblings differ for j < n.
 */
static const char *
place_stem(const struct gen *g, unsigned kind, unsigned long parent, unsigned long j,
           const struct gen_list *stems)
{
    uint64_t h = place_hash(g, kind, parent);
    size_t n = stems->n;
    size_t step = 1 + (size_t)((h >> 32) % (n - 1));
    while (gcd(step, n) != 1)
        step++;
    return stems->items[((size_t)(h % n) + (size_t)(j % n) * step) % n];
}

void
gen_set_places(struct gen *g, struct house *h, unsigned long index)
{
    unsigned long village = index / GEN_HOUSEHOLDS_PER_VILLAGE;
    unsigned long township = village / GEN_VILLAGES_PER_TOWNSHIP;
    unsigned long county = township / GEN_TOWNSHIPS_PER_COUNTY;
    snprintf(h->village, sizeof h->village, "%s村",
             place_stem(g, 'V', township, village % GEN_VILLAGES_PER_TOWNSHIP, &gen_village_stems));
    snprintf(h->township, sizeof h->township, "%s%s",
             place_stem(g, 'T', county, township % GEN_TOWNSHIPS_PER_COUNTY, &gen_township_stems),
             place_hash(g, 'S', township) % 10 < 7 ? "镇" : "乡");
    snprintf(h->county, sizeof h->county, "%s县", place_stem(g, 'C', 0, county, &gen_county_stems));
    h->region = place_stem(g, 'R', 0, county, &gen_region_codes);
    snprintf(h->address, sizeof h->address, "%s组%d号",
             gen_cn_numerals.items[gen_rng_below(&g->rng, 12)], gen_between(&g->rng, 1, 128));
}
