/*
 * Deterministic synthetic data: households with their members, visits and
 * needs, for `doorstep-server seed`, `make demo` and bench/.
 *
 * No I/O and no clock: everything follows from the options (the seed and a
 * fixed "today"), so the same options give a byte-identical stream on every
 * machine. Records are streamed through a callback, parents first (a
 * household, then its members, visits and needs), and nothing is kept
 * between households, so 50,000 households cost no more memory than one.
 *
 * Layout of the generated world (all contiguous, by household index):
 *   - GEN_HOUSEHOLDS_PER_VILLAGE households form a village,
 *     GEN_VILLAGES_PER_TOWNSHIP villages a township, GEN_TOWNSHIPS_PER_COUNTY
 *     townships a county; names are unique within their parent.
 *   - Workers get contiguous blocks: household i belongs to worker
 *     i * workers / households (so a worker covers whole villages), and
 *     worker w to team w * teams / workers. Every visit of a household is
 *     made by its assigned worker and reviewed by its team's supervisor.
 *   - Household i is generated from its own random stream derived from
 *     (seed, i), so it does not depend on the households before it; only
 *     its worker and team depend on the total count.
 *
 * What comes out, per household on average: 3.1 members, 0.8 needs, and
 * visits at the risk class's frequency (rules.h policy_defaults: red
 * monthly, yellow quarterly, green twice a year), about 7 over 24 months of
 * history and 5 over 16 months. Risk classes come out about 15% red, 35%
 * yellow, 50% green, each built around a circumstance (elderly living
 * alone, grade 1-2 disability, left-behind children, five guarantees;
 * serious illness, elderly couple, single parent, grade 3-4 disability;
 * ordinary families) so that the members carry the reasons, and
 * next_visit_due is what rules_household_due() computes from the visits.
 * About 2% of households have minority names (with U+00B7). 50,000
 * households take well under a second on one core.
 */
#ifndef DOORSTEP_CORE_GEN_H
#define DOORSTEP_CORE_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/record.h"
#include "core/status.h"

#define GEN_DEFAULT_HISTORY_MONTHS 24
#define GEN_MAX_HISTORY_MONTHS     120
#define GEN_MAX_WORKERS            9999
#define GEN_HOUSEHOLDS_PER_VILLAGE 40
#define GEN_VILLAGES_PER_TOWNSHIP  12
#define GEN_TOWNSHIPS_PER_COUNTY   15
#define GEN_MAX_MEMBERS            6

struct gen_options {
    unsigned long households; /* how many; 0 is allowed and emits nothing */
    unsigned workers;         /* 1..GEN_MAX_WORKERS field workers: "worker01".. */
    unsigned teams;           /* 1..workers teams: "team01".., one supervisor each */
    uint64_t seed;            /* same seed and options: byte-identical stream */
    struct dp_date today;     /* the generated world's today (2000-2900); visits end here */
    int history_months;       /* 1..GEN_MAX_HISTORY_MONTHS of visits before today */
};

/* Counts of what was emitted. */
struct gen_stats {
    unsigned long households;
    unsigned long members;
    unsigned long visits;
    unsigned long needs;
};

/*
 * Called once per record. `r` belongs to the generator and is valid only
 * during the call (copy it with record_copy to keep it). Returning anything
 * but DP_OK stops generation, and gen_run returns that status.
 */
typedef enum dp_status (*gen_emit_fn)(void *ctx, const struct record *r);

/*
 * Defaults: 100 households, 4 workers, 1 team, seed 1, today 2026-06-30,
 * GEN_DEFAULT_HISTORY_MONTHS. Callers who want "now" set today from
 * date_today() themselves; the generator never reads the clock.
 */
void gen_options_init(struct gen_options *o);

/* DP_EINVAL naming the option when a value is out of range or today is not a real date. */
enum dp_status gen_options_check(const struct gen_options *o, struct dp_error *err);

/*
 * Generate every household in index order through `emit`. `stats` (may be
 * NULL) is zeroed first and counts what `emit` accepted, also on failure.
 * Fails with DP_EINVAL for bad options, DP_ENOMEM, or the callback's status;
 * the records already emitted stay emitted (there is nothing to undo).
 */
enum dp_status gen_run(const struct gen_options *o, gen_emit_fn emit, void *ctx,
                       struct gen_stats *stats, struct dp_error *err);

/*
 * Generate only household `index` (< o->households) and its children,
 * exactly as gen_run would. `stats` (may be NULL) is added to, not zeroed.
 */
enum dp_status gen_household(const struct gen_options *o, unsigned long index, gen_emit_fn emit,
                             void *ctx, struct gen_stats *stats, struct dp_error *err);

/* Worker (0-based) a household is assigned to; o must pass gen_options_check. */
unsigned gen_worker_of(const struct gen_options *o, unsigned long household);

/* Team (0-based) a worker belongs to. */
unsigned gen_team_of(const struct gen_options *o, unsigned worker);

/*
 * Login and team names for a 0-based index: "worker01", "team01",
 * "supervisor01" (two digits at least, more when needed). buf should hold
 * 24 bytes; the name is cut to fit a smaller one.
 */
void gen_worker_name(unsigned worker, char *buf, size_t bufsize);
void gen_team_name(unsigned team, char *buf, size_t bufsize);
void gen_supervisor_name(unsigned team, char *buf, size_t bufsize);

/* ---- Random numbers and names, exposed for tests and tools ---------------------------- */

/* xoshiro256** seeded through splitmix64: small, fast, the same everywhere. */
struct gen_rng {
    uint64_t s[4];
};

/* Seed a stream; every seed (0 included) gives a usable, distinct stream. */
void gen_rng_seed(struct gen_rng *rng, uint64_t seed);

/* Next 64 random bits. */
uint64_t gen_rng_next(struct gen_rng *rng);

/* Uniform in [0, n); n must be >= 1 and < 2^32. */
uint32_t gen_rng_below(struct gen_rng *rng, uint32_t n);

/* A surname drawn by real frequency (a static string; a few have two characters). */
const char *gen_surname(struct gen_rng *rng);

/*
 * A one- or two-character given name typical for sex ('M' or 'F') and
 * birth year, written into buf (at least 16 bytes).
 */
void gen_given_name(struct gen_rng *rng, char sex, int birth_year, char *buf, size_t bufsize);

/*
 * A minority (Uyghur-style) name "given·father's" with U+00B7: the given
 * part by sex, the second part `father` when non-NULL, else drawn. Into buf
 * (at least 64 bytes). `given_out` (may be NULL) receives the given part,
 * which children then carry as their second part.
 */
void gen_minority_name(struct gen_rng *rng, char sex, const char *father, char *buf, size_t bufsize,
                       const char **given_out);

/* ---- Data tables (gen_names.c) -------------------------------------------------------- */

struct gen_weighted {
    const char *text;
    unsigned weight; /* relative; surnames per 100,000 people */
};

/* Characters to build given names for one sex and birth era. */
struct gen_name_pool {
    const char *const *whole; /* common two-character given names */
    size_t nwhole;
    const char *const *first; /* first and second characters for composed names */
    size_t nfirst;
    const char *const *second;
    size_t nsecond;
    const char *const *single; /* one-character given names */
    size_t nsingle;
    unsigned single_pct; /* share of one-character names, percent */
};

/* A list of strings with its length. */
struct gen_list {
    const char *const *items;
    size_t n;
};

/* A need item, its category token, who it suits (GEN_FOR_* bits), where it is referred. */
struct gen_need_item {
    const char *category;
    const char *item;
    unsigned suits;
    const char *referred_to;
};

enum gen_for {
    GEN_FOR_ANY = 1u << 0,
    GEN_FOR_ELDERLY = 1u << 1,  /* a member 60 or older */
    GEN_FOR_DISABLED = 1u << 2, /* a member with a disability grade */
    GEN_FOR_ILL = 1u << 3,      /* a chronically or seriously ill member */
    GEN_FOR_CHILD = 1u << 4,    /* a member under 18 */
    GEN_FOR_HOUSING = 1u << 5,  /* poor or dangerous housing */
    GEN_FOR_WORKER = 1u << 6,   /* an able member of working age */
    GEN_FOR_BEREAVED = 1u << 7, /* a member died */
    GEN_FOR_AWAY = 1u << 8,     /* a member works away from home */
};

/* A free-text note and the households it fits (GEN_FOR_* bits; GEN_FOR_ANY fits all). */
struct gen_note {
    const char *text;
    unsigned suits;
};

/* Birth eras of the given-name pools: before 1955, 1955-74, 1975-94, from 1995. */
#define GEN_ERAS 4
int gen_era_of(int birth_year);

extern const struct gen_weighted gen_surnames[];
extern const size_t gen_nsurnames;
extern const struct gen_name_pool gen_given_male[GEN_ERAS];
extern const struct gen_name_pool gen_given_female[GEN_ERAS];
extern const struct gen_list gen_minority_male;
extern const struct gen_list gen_minority_female;
extern const struct gen_list gen_village_stems;
extern const struct gen_list gen_township_stems;
extern const struct gen_list gen_county_stems;
extern const struct gen_list gen_region_codes;          /* 6-digit codes of ordinary counties */
extern const struct gen_list gen_region_codes_minority; /* 6-digit codes for minority members */
extern const struct gen_list gen_phone_prefixes;        /* 3-digit mobile prefixes, 13x-19x */
extern const struct gen_list gen_cn_numerals;           /* 一 .. 二十, for 组 numbers */
extern const struct gen_list gen_serious_illnesses;
extern const struct gen_list gen_chronic_illnesses;
extern const struct gen_need_item gen_need_items[];
extern const size_t gen_nneed_items;
extern const struct gen_list gen_micro_wishes;
extern const struct gen_note gen_visit_notes[];
extern const size_t gen_nvisit_notes;
extern const struct gen_list gen_absent_notes; /* visits where nobody was home */
extern const struct gen_note gen_household_notes[];
extern const size_t gen_nhousehold_notes;
extern const struct gen_list gen_return_comments;

#endif
