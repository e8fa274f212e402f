#include "core/gen.h"

#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "core/rules.h"
#include "core/validate.h"

#define COUNT(a)        (sizeof(a) / sizeof((a)[0]))
#define MAX_HOUSEHOLDS  100000000UL
#define MAX_VISITS      220 /* monthly with early jitter over GEN_MAX_HISTORY_MONTHS, plus extras */
#define MAX_NEEDS       3
#define DEFAULT_TODAY_Y 2026
#define DEFAULT_TODAY_M 6
#define DEFAULT_TODAY_D 30

/* ---- Random numbers --------------------------------------------------------------------- */

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t
mix64(uint64_t x)
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
static bool
chance(struct gen_rng *rng, unsigned pct)
{
    return gen_rng_below(rng, 100) < pct;
}

/* Uniform in [lo, hi]. */
static int
between(struct gen_rng *rng, int lo, int hi)
{
    return hi <= lo ? lo : lo + (int)gen_rng_below(rng, (uint32_t)(hi - lo + 1));
}

static const char *
pick(struct gen_rng *rng, const struct gen_list *l)
{
    return l->items[gen_rng_below(rng, (uint32_t)l->n)];
}

/* ---- Names -------------------------------------------------------------------------------- */

int
gen_era_of(int birth_year)
{
    if (birth_year < 1955)
        return 0;
    if (birth_year < 1975)
        return 1;
    if (birth_year < 1995)
        return 2;
    return 3;
}

const char *
gen_surname(struct gen_rng *rng)
{
    uint32_t total = 0;
    for (size_t i = 0; i < gen_nsurnames; i++)
        total += gen_surnames[i].weight;
    uint32_t r = gen_rng_below(rng, total);
    for (size_t i = 0; i < gen_nsurnames; i++) {
        if (r < gen_surnames[i].weight)
            return gen_surnames[i].text;
        r -= gen_surnames[i].weight;
    }
    return gen_surnames[0].text;
}

void
gen_given_name(struct gen_rng *rng, char sex, int birth_year, char *buf, size_t bufsize)
{
    const struct gen_name_pool *p = sex == 'F' ? &gen_given_female[gen_era_of(birth_year)]
                                               : &gen_given_male[gen_era_of(birth_year)];
    if (chance(rng, p->single_pct)) {
        snprintf(buf, bufsize, "%s", p->single[gen_rng_below(rng, (uint32_t)p->nsingle)]);
    } else if (chance(rng, 55)) {
        snprintf(buf, bufsize, "%s", p->whole[gen_rng_below(rng, (uint32_t)p->nwhole)]);
    } else {
        const char *a = p->first[gen_rng_below(rng, (uint32_t)p->nfirst)];
        size_t j = gen_rng_below(rng, (uint32_t)p->nsecond);
        /* Doubled characters (丽丽) come from the whole-name list, not by accident. */
        if (strcmp(a, p->second[j]) == 0)
            j = (j + 1) % p->nsecond;
        snprintf(buf, bufsize, "%s%s", a, p->second[j]);
    }
}

void
gen_minority_name(struct gen_rng *rng, char sex, const char *father, char *buf, size_t bufsize,
                  const char **given_out)
{
    const char *given = pick(rng, sex == 'F' ? &gen_minority_female : &gen_minority_male);
    if (!father)
        father = pick(rng, &gen_minority_male);
    snprintf(buf, bufsize, "%s\u00b7%s", given, father);
    if (given_out)
        *given_out = given;
}

/* ---- Options and accounts ----------------------------------------------------------------- */

void
gen_options_init(struct gen_options *o)
{
    memset(o, 0, sizeof *o);
    o->households = 100;
    o->workers = 4;
    o->teams = 1;
    o->seed = 1;
    o->today = (struct dp_date){DEFAULT_TODAY_Y, DEFAULT_TODAY_M, DEFAULT_TODAY_D};
    o->history_months = GEN_DEFAULT_HISTORY_MONTHS;
}

enum dp_status
gen_options_check(const struct gen_options *o, struct dp_error *err)
{
    if (!o)
        return dp_error_set(err, DP_EINVAL, "options", _("no options given"));
    if (o->households > MAX_HOUSEHOLDS)
        return dp_error_set(err, DP_EINVAL, "households", _("at most %lu households"),
                            MAX_HOUSEHOLDS);
    if (o->workers < 1 || o->workers > GEN_MAX_WORKERS)
        return dp_error_set(err, DP_EINVAL, "workers", _("between 1 and %d workers"),
                            GEN_MAX_WORKERS);
    if (o->teams < 1 || o->teams > o->workers)
        return dp_error_set(err, DP_EINVAL, "teams",
                            _("at least one team, and no more teams than workers"));
    if (o->history_months < 1 || o->history_months > GEN_MAX_HISTORY_MONTHS)
        return dp_error_set(err, DP_EINVAL, "history_months", _("between 1 and %d months"),
                            GEN_MAX_HISTORY_MONTHS);
    /* Births reach back ~100 years, follow-ups months ahead: all within 1900-2999. */
    if (!date_valid(&o->today) || o->today.year < 2000 || o->today.year > 2900)
        return dp_error_set(err, DP_EINVAL, "today", _("a real date between 2000 and 2900"));
    return DP_OK;
}

unsigned
gen_worker_of(const struct gen_options *o, unsigned long household)
{
    if (o->households == 0 || household >= o->households)
        return 0;
    return (unsigned)((unsigned long long)household * o->workers / o->households);
}

unsigned
gen_team_of(const struct gen_options *o, unsigned worker)
{
    if (worker >= o->workers)
        return 0;
    return (unsigned)((unsigned long long)worker * o->teams / o->workers);
}

void
gen_worker_name(unsigned worker, char *buf, size_t bufsize)
{
    snprintf(buf, bufsize, "worker%02u", worker + 1);
}

void
gen_team_name(unsigned team, char *buf, size_t bufsize)
{
    snprintf(buf, bufsize, "team%02u", team + 1);
}

void
gen_supervisor_name(unsigned team, char *buf, size_t bufsize)
{
    snprintf(buf, bufsize, "supervisor%02u", team + 1);
}

/* ---- The generated household -------------------------------------------------------------- */

/* Circumstances a household is built around; each fixes its risk class. */
enum situation {
    SIT_ELDERLY_ALONE,     /* red: 独居老人 */
    SIT_SEVERE_DISABILITY, /* red: grade 1-2 disability */
    SIT_LEFT_BEHIND,       /* red: grandparents raising children of migrant parents */
    SIT_FIVE_GUARANTEES,   /* red: 五保 / 特困 person without family support */
    SIT_SERIOUS_ILLNESS,   /* yellow */
    SIT_ELDERLY_COUPLE,    /* yellow: weak capacity for self-help */
    SIT_SINGLE_PARENT,     /* yellow */
    SIT_MILD_DISABILITY,   /* yellow: grade 3-4 disability */
    SIT_FAMILY,            /* green */
    SIT_THREE_GENERATIONS, /* green */
    SIT_WORKING_CHILD,     /* green: an older couple living with a working adult child */
    SIT_SINGLE_WORKER,     /* green */
};

/* Shares per mille: red 150, yellow 350, green 500 (the proportions field reports show). */
static const struct {
    enum situation sit;
    enum risk_class risk;
    unsigned permille;
} situations[] = {
    {SIT_ELDERLY_ALONE, RISK_RED, 52},       {SIT_SEVERE_DISABILITY, RISK_RED, 45},
    {SIT_LEFT_BEHIND, RISK_RED, 30},         {SIT_FIVE_GUARANTEES, RISK_RED, 23},
    {SIT_SERIOUS_ILLNESS, RISK_YELLOW, 140}, {SIT_ELDERLY_COUPLE, RISK_YELLOW, 88},
    {SIT_SINGLE_PARENT, RISK_YELLOW, 70},    {SIT_MILD_DISABILITY, RISK_YELLOW, 52},
    {SIT_FAMILY, RISK_GREEN, 225},           {SIT_THREE_GENERATIONS, RISK_GREEN, 125},
    {SIT_WORKING_CHILD, RISK_GREEN, 75},     {SIT_SINGLE_WORKER, RISK_GREEN, 75},
};

/* Support categories, as bits in the order of schema_category_choices. */
enum {
    CAT_DIBAO = 1u << 0,
    CAT_TEKUN_CENTRAL = 1u << 1,
    CAT_TEKUN_DISPERSED = 1u << 2,
    CAT_DIBAO_EDGE = 1u << 3,
    CAT_TEMP_ASSIST = 1u << 4,
    CAT_RELAPSE_WATCH = 1u << 5,
};

/* Household flags, in the order of the schema's list. */
static const char *const flag_tokens[] = {"acute_hardship", "hard_to_reach", "needs_interpreter",
                                          "disaster_hit"};
enum {
    FLAG_ACUTE = 1u << 0,
    FLAG_HARD_TO_REACH = 1u << 1,
    FLAG_INTERPRETER = 1u << 2,
    FLAG_DISASTER = 1u << 3,
};

static const char *const disability_types[] = {"visual",       "hearing", "speech",  "physical",
                                               "intellectual", "mental",  "multiple"};
static const char *const disability_words[] = {"视力", "听力", "言语", "肢体",
                                               "智力", "精神", "多重"};

struct person {
    char id[37];
    char name[64];
    const char *surname;  /* "" for minority names */
    const char *given;    /* minority given part, carried by children */
    const char *relation; /* schema token */
    char sex;             /* 'M' or 'F' */
    struct dp_date birth;
    int age;
    char id_number[19];
    int grade; /* 0 none, 1-4 */
    int dtype; /* index into disability_types when grade > 0 */
    const char *illness;
    bool serious;
    const char *schooling; /* schema token */
    const char *work;      /* schema token or "" */
    bool main_earner;
    bool left_behind;
    bool elderly_alone;
    const char *status; /* present, away, deceased */
};

struct visit_plan {
    struct dp_date date;
    const char *kind;
    const char *outcome;
    struct dp_date next; /* the worker's planned next visit */
    bool has_next;
};

struct need_plan {
    const struct gen_need_item *item;
    int member; /* index, or -1 for the whole household */
};

struct house {
    char id[37];
    enum situation sit;
    enum risk_class risk;
    bool minority;
    const char *line;        /* surname children take (the male line) */
    const char *line_father; /* minority: the father's part children's names carry */
    const char *region;
    struct person m[GEN_MAX_MEMBERS];
    int n;
    char reason[160];
    const char *reason_before; /* the reason visits gave before drop_from, or NULL */
    char village[48], township[48], county[48], address[64], phone[12];
    unsigned cats, flags;
    const char *status; /* active, moved, dissolved */
    int income_yuan;    /* usual monthly income */
    long medical_yuan;  /* usual yearly out-of-pocket medical cost */
    const char *housing;
    unsigned suits;           /* GEN_FOR_* bits of the household, for needs and notes */
    struct dp_date drop_from; /* income falls from this date (a death) when drop_pct > 0 */
    int drop_pct;             /* what is left of the income after drop_from, percent */
    int period;               /* months between routine visits */
    struct dp_date due;       /* next visit due, as rules_household_due() computes it */
    bool has_due;
    struct visit_plan visits[MAX_VISITS];
    int nvisits;
    struct need_plan needs[MAX_NEEDS];
    int nneeds;
    char worker[24], team[24], supervisor[24];
};

struct gen {
    const struct gen_options *o;
    uint64_t seed_mix;
    long today_days;
    struct gen_rng rng;
    struct record rec[4]; /* household, member, visit, need: reused, cleared per record */
    enum dp_status st;    /* first failure while filling a record (sticky) */
    gen_emit_fn emit;
    void *ctx;
    struct gen_stats *stats;
    struct house h;
};

static void
make_uuid(struct gen_rng *rng, char *buf)
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

/* A hash of the seed and a place index, so place names follow the seed but not the RNG stream. */
static uint64_t
place_hash(const struct gen *g, unsigned kind, unsigned long index)
{
    return mix64(g->seed_mix ^ ((uint64_t)kind << 56) ^ (uint64_t)index);
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

static void
set_places(struct gen *g, struct house *h, unsigned long index)
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
             gen_cn_numerals.items[gen_rng_below(&g->rng, 12)], between(&g->rng, 1, 128));
}

/* A birth date giving exactly `age` whole years on the generator's today. */
static struct dp_date
birth_for_age(struct gen *g, int age)
{
    struct dp_date d = date_add_months(&g->o->today, -12 * age);
    return date_from_days(date_to_days(&d) - (long)gen_rng_below(&g->rng, 365));
}

static void
make_id_number(struct gen *g, const struct person *p, const char *region, char *out)
{
    char first17[18];
    int seq = (int)gen_rng_below(&g->rng, 100) * 10 + (int)gen_rng_below(&g->rng, 5) * 2 +
              (p->sex == 'M' ? 1 : 0);
    snprintf(first17, sizeof first17, "%.6s%04d%02d%02d%03d", region, p->birth.year, p->birth.month,
             p->birth.day, seq);
    snprintf(out, 19, "%s%c", first17, id_number_check_char(first17));
}

static bool
name_taken(const struct house *h, const char *name, int upto)
{
    for (int i = 0; i < upto; i++)
        if (strcmp(h->m[i].name, name) == 0)
            return true;
    return false;
}

/* True when birth is at least ten months from every member of that relation. */
static bool
spaced(const struct house *h, const struct dp_date *birth, const char *relation)
{
    long b = date_to_days(birth);
    for (int i = 0; i < h->n; i++) {
        if (strcmp(h->m[i].relation, relation) != 0)
            continue;
        long d = date_to_days(&h->m[i].birth) - b;
        if (d > -300 && d < 300)
            return false;
    }
    return true;
}

/*
 * Siblings are born at least ten months apart: redraw the birth date within
 * the same year of age, then a year or a few younger. Never older: the
 * mother's age and a left-behind child's (under 16) bound it from above.
 */
static void
space_siblings(struct gen *g, struct person *p, const char *relation)
{
    static const int shift[] = {0, 0, 0, -1, -1, -1, -2, -2, -3, -3, -4, -5};
    for (size_t i = 0; i < COUNT(shift) && !spaced(&g->h, &p->birth, relation); i++) {
        int age = p->age + shift[i];
        if (age < 0)
            continue;
        struct dp_date b = birth_for_age(g, age);
        if (spaced(&g->h, &b, relation)) {
            p->birth = b;
            p->age = age;
        }
    }
}

/*
 * Add a member with a name fitting sex, age and family. `surname` is used
 * for Han names; `father` is the minority father's part (NULL: drawn).
 */
static struct person *
add_person(struct gen *g, const char *relation, char sex, int age, const char *surname,
           const char *father)
{
    struct house *h = &g->h;
    if (h->n >= GEN_MAX_MEMBERS)
        return NULL;
    struct person *p = &h->m[h->n];
    memset(p, 0, sizeof *p);
    make_uuid(&g->rng, p->id);
    p->relation = relation;
    p->sex = sex;
    p->age = age < 0 ? 0 : age;
    p->birth = birth_for_age(g, p->age);
    if (strcmp(relation, "child") == 0 || strcmp(relation, "grandchild") == 0)
        space_siblings(g, p, relation);
    p->work = "";
    p->status = "present";
    p->illness = "";
    p->surname = surname;
    if (h->minority && !father)
        father = pick(&g->rng, &gen_minority_male);
    for (int tries = 0; tries < 4; tries++) {
        if (h->minority) {
            gen_minority_name(&g->rng, sex, father, p->name, sizeof p->name, &p->given);
        } else {
            char given[16];
            gen_given_name(&g->rng, sex, p->birth.year, given, sizeof given);
            snprintf(p->name, sizeof p->name, "%s%s", surname, given);
        }
        if (!name_taken(h, p->name, h->n))
            break;
    }
    if (chance(&g->rng, 97)) {
        const char *region = h->region;
        if (h->minority)
            region = pick(&g->rng, &gen_region_codes_minority);
        else if (strcmp(relation, "spouse") == 0 && chance(&g->rng, 20))
            region = pick(&g->rng, &gen_region_codes);
        make_id_number(g, p, region, p->id_number);
    }
    h->n++;
    return p;
}

/* Schooling and work that fit an age; situations override what they need to. */
static void
default_activity(struct gen *g, struct person *p)
{
    struct gen_rng *r = &g->rng;
    int a = p->age;
    p->schooling = "none";
    p->work = "";
    if (a < 3)
        return;
    if (a < 6) {
        p->schooling = "preschool";
    } else if (a < 12) {
        p->schooling = "primary";
        p->work = "student";
    } else if (a < 15) {
        p->schooling = "junior";
        p->work = "student";
    } else if (a < 18) {
        p->schooling = chance(r, 70) ? "senior" : "vocational";
        p->work = "student";
    } else if (a < 22 && chance(r, 30)) {
        p->schooling = "college";
        p->work = "student";
    } else if (a < 60) {
        static const char *const adult[] = {"farming",  "farming",       "farming",   "employed",
                                            "employed", "self_employed", "unemployed"};
        p->work = adult[gen_rng_below(r, COUNT(adult))];
    } else if (a < 75) {
        p->work = chance(r, 50) ? "farming" : "retired";
    } else {
        p->work = chance(r, 60) ? "retired" : "unable";
    }
}

static void
make_disabled(struct gen *g, struct person *p, int grade)
{
    p->grade = grade;
    p->dtype = (int)gen_rng_below(&g->rng, COUNT(disability_types));
    if (grade <= 2 && p->age >= 16)
        p->work = "unable";
    if (grade <= 2 && p->age >= 6 && p->age < 18 && chance(&g->rng, 60)) {
        p->schooling = "none";
        p->work = "unable";
    }
}

static void
make_ill(struct gen *g, struct person *p, bool serious)
{
    p->serious = serious;
    p->illness = pick(&g->rng, serious ? &gen_serious_illnesses : &gen_chronic_illnesses);
    if (serious && p->age >= 18 && p->age < 60)
        p->work = "unable";
}

static struct person *
add_head(struct gen *g, char sex, int age)
{
    struct house *h = &g->h;
    const char *surname = h->minority ? "" : gen_surname(&g->rng);
    struct person *p = add_person(g, "head", sex, age, surname, NULL);
    if (sex == 'M') {
        h->line = surname;
        h->line_father = p->given;
    } else {
        /* Children carry the (late or absent) husband's surname. */
        h->line = h->minority ? "" : gen_surname(&g->rng);
        h->line_father = pick(&g->rng, &gen_minority_male);
    }
    default_activity(g, p);
    return p;
}

static struct person *
add_spouse(struct gen *g)
{
    struct house *h = &g->h;
    const struct person *head = &h->m[0];
    char sex = head->sex == 'M' ? 'F' : 'M';
    int age = head->sex == 'M' ? head->age - between(&g->rng, 0, 6) + between(&g->rng, 0, 2)
                               : head->age + between(&g->rng, 0, 6) - between(&g->rng, 0, 2);
    if (age < 20)
        age = 20;
    const char *surname = sex == 'M' ? h->line : (h->minority ? "" : gen_surname(&g->rng));
    struct person *p = add_person(g, "spouse", sex, age, surname, NULL);
    if (p && sex == 'M')
        h->line_father = p->given;
    if (p)
        default_activity(g, p);
    return p;
}

/* Age of the household's mother generation (the female of head and spouse, else the head). */
static int
mother_age(const struct house *h)
{
    for (int i = 0; i < h->n && i < 2; i++)
        if ((i == 0 || strcmp(h->m[i].relation, "spouse") == 0) && h->m[i].sex == 'F')
            return h->m[i].age;
    return h->m[0].age;
}

/* A child of the head, born when the mother was 20 to 40, capped at max_age. */
static struct person *
add_child(struct gen *g, int max_age)
{
    struct house *h = &g->h;
    int mother = mother_age(h);
    if (mother < 20)
        return NULL;
    int oldest = mother - 20 < max_age ? mother - 20 : max_age;
    int youngest = mother - 40 > 0 ? mother - 40 : 0;
    if (youngest > oldest)
        youngest = oldest;
    char sex = chance(&g->rng, 52) ? 'M' : 'F';
    struct person *p =
        add_person(g, "child", sex, between(&g->rng, youngest, oldest), h->line, h->line_father);
    if (p)
        default_activity(g, p);
    return p;
}

static void
add_children(struct gen *g, int lo, int hi, int max_age)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    int n = between(r, lo, hi), mother = mother_age(h);
    if (mother < 20)
        return;
    /* The eldest came when the mother was 21-30; the others two to four years apart. */
    int oldest = mother - 20 < max_age ? mother - 20 : max_age;
    int age = mother - between(r, 21, 30);
    if (age > oldest)
        age = oldest;
    for (int i = 0; i < n && age >= 0 && mother - age <= 42; i++) {
        char sex = chance(r, 52) ? 'M' : 'F';
        struct person *p = add_person(g, "child", sex, age, h->line, h->line_father);
        if (!p)
            break;
        default_activity(g, p);
        age -= between(r, 2, 4);
    }
}

static void
add_chronic_maybe(struct gen *g, unsigned pct_elderly)
{
    struct house *h = &g->h;
    for (int i = 0; i < h->n; i++)
        if (h->m[i].age >= 55 && !h->m[i].illness[0] && chance(&g->rng, pct_elderly))
            make_ill(g, &h->m[i], false);
}

static void
set_reason_disability(struct house *h, const struct person *p, const char *tail)
{
    snprintf(h->reason, sizeof h->reason, "家庭成员%s级%s残疾%s",
             gen_cn_numerals.items[p->grade - 1], disability_words[p->dtype], tail);
}

static void
build_red(struct gen *g)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    switch (h->sit) {
    case SIT_ELDERLY_ALONE: {
        struct person *p = add_head(g, chance(r, 60) ? 'F' : 'M', between(r, 65, 92));
        p->elderly_alone = true;
        if (chance(r, 60))
            make_ill(g, p, false);
        if (chance(r, 35)) {
            struct person *c = add_child(g, 70);
            if (c) {
                c->status = "away";
                c->work = "migrant";
                c->schooling = "none";
            }
        }
        h->cats = h->n == 1 && chance(r, 30) ? CAT_TEKUN_DISPERSED : CAT_DIBAO;
        if (chance(r, 10))
            h->cats |= CAT_TEMP_ASSIST;
        snprintf(h->reason, sizeof h->reason, "%s",
                 p->illness[0] ? "独居老人，患慢性病" : "独居老人");
        break;
    }
    case SIT_SEVERE_DISABILITY: {
        struct person *d;
        if (chance(r, 50)) {
            d = add_head(g, chance(r, 65) ? 'M' : 'F', between(r, 30, 65));
            if (chance(r, 80))
                add_spouse(g);
            add_children(g, 0, 2, 30);
        } else {
            add_head(g, chance(r, 70) ? 'M' : 'F', between(r, 45, 70));
            if (chance(r, 85))
                add_spouse(g);
            d = add_child(g, 40);
            if (!d)
                d = &h->m[0];
        }
        make_disabled(g, d, between(r, 1, 2));
        h->cats = CAT_DIBAO | (chance(r, 20) ? CAT_TEMP_ASSIST : 0);
        set_reason_disability(h, d, "");
        break;
    }
    case SIT_LEFT_BEHIND: {
        add_head(g, chance(r, 60) ? 'M' : 'F', between(r, 55, 75));
        if (chance(r, 70))
            add_spouse(g);
        struct person *son = add_person(
            g, "child", 'M', between(r, 26, h->m[0].age - 20 < 40 ? h->m[0].age - 20 : 40), h->line,
            h->line_father);
        son->status = "away";
        son->work = "migrant";
        son->schooling = "none";
        son->main_earner = true;
        if (chance(r, 70)) {
            int age = son->age - between(r, 0, 4);
            struct person *dil = add_person(g, "child_in_law", 'F', age < 20 ? 20 : age,
                                            h->minority ? "" : gen_surname(r), NULL);
            dil->status = "away";
            dil->work = "migrant";
            dil->schooling = "none";
        }
        int kids = between(r, 1, 2);
        int oldest = son->age - 20 < 15 ? son->age - 20 : 15;
        for (int i = 0; i < kids; i++) {
            struct person *c = add_person(g, "grandchild", chance(r, 52) ? 'M' : 'F',
                                          between(r, 3, oldest), h->line, son->given);
            if (!c)
                break;
            default_activity(g, c);
            c->left_behind = true;
        }
        h->cats = chance(r, 50) ? CAT_DIBAO : CAT_DIBAO_EDGE;
        snprintf(h->reason, sizeof h->reason, "留守儿童，父母均外出务工");
        break;
    }
    default: { /* SIT_FIVE_GUARANTEES */
        bool central = chance(r, 15);
        if (chance(r, 75)) {
            struct person *p = add_head(g, chance(r, 65) ? 'M' : 'F', between(r, 62, 90));
            p->elderly_alone = !central;
            if (chance(r, 50))
                make_ill(g, p, false);
        } else {
            struct person *p = add_head(g, chance(r, 70) ? 'M' : 'F', between(r, 35, 59));
            make_disabled(g, p, between(r, 3, 4));
            p->work = "unable";
        }
        h->cats = central ? CAT_TEKUN_CENTRAL : CAT_TEKUN_DISPERSED;
        snprintf(h->reason, sizeof h->reason, "特困供养人员（五保对象）");
        break;
    }
    }
}

static void
build_yellow(struct gen *g)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    switch (h->sit) {
    case SIT_SERIOUS_ILLNESS: {
        bool family = chance(r, 60);
        if (family) {
            add_head(g, chance(r, 80) ? 'M' : 'F', between(r, 30, 55));
            add_spouse(g);
            add_children(g, 1, 2, 25);
        } else {
            add_head(g, 'M', between(r, 60, 80));
            add_spouse(g);
        }
        struct person *ill = chance(r, 50) ? &h->m[0] : &h->m[1];
        make_ill(g, ill, true);
        snprintf(h->reason, sizeof h->reason, "家庭成员患重病，医疗支出大");
        if (family && ill == &h->m[1] && ill->age >= 18 && ill->age < 60 && chance(r, 6)) {
            /* The early-warning case: the working-age main earner died. */
            ill->status = "deceased";
            ill->work = "employed";
            ill->main_earner = true;
            h->flags |= FLAG_ACUTE;
            h->reason_before = "家庭成员患重病，医疗支出大";
            snprintf(h->reason, sizeof h->reason, "主要劳动力因病去世，家庭收入锐减");
        }
        static const unsigned cats[] = {CAT_DIBAO_EDGE, CAT_DIBAO_EDGE | CAT_TEMP_ASSIST,
                                        CAT_TEMP_ASSIST, CAT_RELAPSE_WATCH};
        h->cats = cats[gen_rng_below(r, COUNT(cats))];
        break;
    }
    case SIT_ELDERLY_COUPLE: {
        add_head(g, 'M', between(r, 65, 88));
        struct person *s = add_spouse(g);
        if (s->age < 60) {
            s->age = 60;
            s->birth = birth_for_age(g, 60);
            if (s->id_number[0]) {
                char region[7];
                snprintf(region, sizeof region, "%.6s", s->id_number);
                make_id_number(g, s, region, s->id_number);
            }
            default_activity(g, s);
        }
        add_chronic_maybe(g, 60);
        if (chance(r, 40)) {
            struct person *c = add_child(g, 60);
            if (c) {
                c->status = "away";
                c->work = "migrant";
                c->schooling = "none";
            }
        }
        h->cats = CAT_DIBAO;
        snprintf(h->reason, sizeof h->reason, "老年夫妇，自我保障能力弱");
        break;
    }
    case SIT_SINGLE_PARENT: {
        struct person *p = add_head(g, chance(r, 70) ? 'F' : 'M', between(r, 28, 50));
        static const char *const works[] = {
            "unemployed", "unemployed", "unemployed", "unemployed",    "unemployed",
            "farming",    "farming",    "farming",    "self_employed", "self_employed"};
        p->work = works[gen_rng_below(r, COUNT(works))];
        add_children(g, 1, 3, 17);
        static const unsigned cats[] = {CAT_DIBAO, CAT_DIBAO, CAT_DIBAO_EDGE, CAT_DIBAO_EDGE,
                                        CAT_TEMP_ASSIST};
        h->cats = cats[gen_rng_below(r, COUNT(cats))];
        snprintf(h->reason, sizeof h->reason, "单亲家庭，收入不稳定");
        break;
    }
    default: { /* SIT_MILD_DISABILITY */
        add_head(g, 'M', between(r, 35, 65));
        add_spouse(g);
        add_children(g, 0, 2, 30);
        struct person *d = chance(r, 60) ? &h->m[0] : &h->m[1];
        make_disabled(g, d, between(r, 3, 4));
        if (d->age >= 18 && d->age < 60)
            d->work = chance(r, 50) ? "unemployed" : "farming";
        h->cats = CAT_DIBAO_EDGE;
        set_reason_disability(h, d, "，劳动能力弱");
        break;
    }
    }
}

static void
build_green(struct gen *g)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    static const char *const jobs[] = {"employed", "employed", "self_employed", "farming",
                                       "migrant"};
    switch (h->sit) {
    case SIT_FAMILY: {
        struct person *head = add_head(g, chance(r, 85) ? 'M' : 'F', between(r, 28, 55));
        head->work = jobs[gen_rng_below(r, COUNT(jobs))];
        if (strcmp(head->work, "migrant") == 0)
            head->status = "away"; /* the spouse stays, so the children are not left behind */
        if (!add_spouse(g))
            break;
        if (strcmp(h->m[1].work, "unemployed") == 0)
            h->m[1].work = "farming";
        add_children(g, 1, 3, 30);
        if (chance(r, 10))
            make_ill(g, &h->m[gen_rng_below(r, 2)], false);
        snprintf(h->reason, sizeof h->reason, "收入稳定，无特殊情况");
        break;
    }
    case SIT_THREE_GENERATIONS: {
        struct person *head = add_head(g, chance(r, 85) ? 'M' : 'F', between(r, 35, 58));
        head->work = jobs[gen_rng_below(r, 4)];
        add_spouse(g);
        add_children(g, 1, 2, 30);
        /* The head's mother bore the head at 20-38; the father is a little older. */
        int mother = h->m[0].age + between(r, 20, 38);
        int ages[2] = {mother > 95 ? 95 : mother, 0};
        ages[1] = ages[0] + between(r, -2, 6) > 97 ? 97 : ages[0] + between(r, -2, 6);
        int parents = between(r, 1, 2), first = (int)gen_rng_below(r, 2);
        for (int i = 0; i < parents; i++) {
            int which = (first + i) % 2; /* 0 mother, 1 father */
            char sex = which ? 'M' : 'F';
            /* The head's father shares the head's surname; the mother keeps her own. */
            const char *surname = h->minority ? "" : sex == 'M' ? h->m[0].surname : gen_surname(r);
            struct person *p = add_person(g, "parent", sex, ages[which], surname, NULL);
            if (!p)
                break;
            default_activity(g, p);
        }
        add_chronic_maybe(g, 40);
        snprintf(h->reason, sizeof h->reason, "家庭收入稳定");
        break;
    }
    case SIT_WORKING_CHILD: {
        struct person *head = add_head(g, 'M', between(r, 55, 72));
        if (head->age >= 60)
            head->work = chance(r, 70) ? "retired" : "farming";
        add_spouse(g);
        /* Born when the mother was 20-38, and of working age (18-60). */
        int mother = h->m[1].age;
        int lo = mother - 38 > 18 ? mother - 38 : 18, hi = mother - 20 < 40 ? mother - 20 : 40;
        struct person *c = add_person(g, "child", chance(r, 60) ? 'M' : 'F', between(r, lo, hi),
                                      h->line, h->line_father);
        default_activity(g, c);
        c->schooling = "none";
        c->work = jobs[gen_rng_below(r, 4)];
        if (c->sex == 'M' && chance(r, 40)) {
            int age = c->age - between(r, 0, 3);
            struct person *dil = add_person(g, "child_in_law", 'F', age < 20 ? 20 : age,
                                            h->minority ? "" : gen_surname(r), NULL);
            default_activity(g, dil);
            if (dil->age >= 22 && chance(r, 70)) {
                struct person *k = add_person(
                    g, "grandchild", chance(r, 52) ? 'M' : 'F',
                    between(r, 0, dil->age - 22 < 12 ? dil->age - 22 : 12), h->line, c->given);
                default_activity(g, k);
            }
        }
        add_chronic_maybe(g, 30);
        snprintf(h->reason, sizeof h->reason, "子女就业稳定，家庭收入稳定");
        break;
    }
    default: { /* SIT_SINGLE_WORKER */
        struct person *p = add_head(g, chance(r, 60) ? 'M' : 'F', between(r, 25, 59));
        p->work = chance(r, 70) ? "employed" : "self_employed";
        snprintf(h->reason, sizeof h->reason, "已稳定就业");
        break;
    }
    }
    if (h->sit != SIT_SINGLE_WORKER || chance(r, 50)) {
        static const unsigned cats[] = {CAT_RELAPSE_WATCH, CAT_RELAPSE_WATCH, CAT_DIBAO_EDGE,
                                        CAT_DIBAO_EDGE | CAT_RELAPSE_WATCH, CAT_DIBAO};
        h->cats = cats[gen_rng_below(r, COUNT(cats))];
    } else {
        h->cats = CAT_RELAPSE_WATCH;
    }
}

static bool
is_earning(const struct person *p)
{
    static const char *const earning[] = {"farming", "employed", "migrant", "self_employed"};
    if (p->age < 18 || p->age >= 65)
        return false;
    for (size_t i = 0; i < COUNT(earning); i++)
        if (strcmp(p->work, earning[i]) == 0)
            return true;
    return false;
}

static void
choose_main_earner(struct house *h)
{
    for (int i = 0; i < h->n; i++)
        if (h->m[i].main_earner)
            return;
    /* Migrants usually earn most; otherwise the first earning member, head first. */
    for (int i = 0; i < h->n; i++)
        if (is_earning(&h->m[i]) && strcmp(h->m[i].work, "migrant") == 0) {
            h->m[i].main_earner = true;
            return;
        }
    for (int i = 0; i < h->n; i++)
        if (is_earning(&h->m[i])) {
            h->m[i].main_earner = true;
            return;
        }
}

static unsigned
person_suits(const struct person *p)
{
    unsigned s = GEN_FOR_ANY;
    if (strcmp(p->status, "deceased") == 0)
        return 0;
    if (p->age >= 60)
        s |= GEN_FOR_ELDERLY;
    if (p->grade > 0)
        s |= GEN_FOR_DISABLED;
    if (p->illness[0])
        s |= GEN_FOR_ILL;
    if (p->age < 18)
        s |= GEN_FOR_CHILD;
    if (p->age >= 18 && p->age < 60 && p->grade == 0 && !p->serious &&
        strcmp(p->status, "present") == 0)
        s |= GEN_FOR_WORKER;
    if (strcmp(p->status, "away") == 0 && strcmp(p->work, "migrant") == 0)
        s |= GEN_FOR_AWAY;
    return s;
}

static void
plan_household(struct gen *g)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;

    if (h->risk == RISK_RED)
        build_red(g);
    else if (h->risk == RISK_YELLOW)
        build_yellow(g);
    else
        build_green(g);
    choose_main_earner(h);

    h->status = "active";
    if ((h->sit == SIT_ELDERLY_ALONE || h->sit == SIT_FIVE_GUARANTEES) && h->n == 1 &&
        chance(r, 4)) {
        h->status = "dissolved";
        h->m[0].status = "deceased";
    } else if (chance(r, 2)) {
        h->status = "moved";
        for (int i = 0; i < h->n; i++)
            if (strcmp(h->m[i].status, "deceased") != 0)
                h->m[i].status = "away";
    }

    static const int income_lo[] = {500, 1000, 2500}, income_hi[] = {1500, 3200, 7500};
    h->income_yuan = between(r, income_lo[h->risk], income_hi[h->risk]);
    bool serious = false, chronic = false;
    for (int i = 0; i < h->n; i++) {
        serious |= h->m[i].serious;
        chronic |= h->m[i].illness[0] != '\0';
    }
    if (serious)
        h->medical_yuan = chance(r, 30) ? between(r, 50001, 150000) : between(r, 10000, 48000);
    else if (chronic)
        h->medical_yuan = between(r, 1000, 8000);
    else
        h->medical_yuan = chance(r, 30) ? 0 : between(r, 100, 1500);

    static const char *const housing[] = {"safe", "basic", "poor", "dangerous"};
    static const unsigned housing_pct[3][4] = {{20, 40, 30, 10}, {30, 45, 20, 5}, {55, 40, 5, 0}};
    unsigned x = gen_rng_below(r, 100), acc = 0;
    h->housing = housing[3];
    for (int i = 0; i < 4; i++) {
        acc += housing_pct[h->risk][i];
        if (x < acc) {
            h->housing = housing[i];
            break;
        }
    }

    h->suits = GEN_FOR_ANY;
    for (int i = 0; i < h->n; i++) {
        h->suits |= person_suits(&h->m[i]);
        if (strcmp(h->m[i].status, "deceased") == 0)
            h->suits |= GEN_FOR_BEREAVED;
    }
    if (strcmp(h->housing, "poor") == 0 || strcmp(h->housing, "dangerous") == 0)
        h->suits |= GEN_FOR_HOUSING;

    if (h->risk == RISK_RED && chance(r, 20))
        h->flags |= FLAG_ACUTE;
    if (chance(r, 5))
        h->flags |= FLAG_HARD_TO_REACH;
    if (h->minority && chance(r, 60))
        h->flags |= FLAG_INTERPRETER;
    if (chance(r, 2))
        h->flags |= FLAG_DISASTER;

    h->phone[0] = '\0';
    if (chance(r, h->sit == SIT_ELDERLY_ALONE ? 60 : 88))
        snprintf(h->phone, sizeof h->phone, "%s%08u", pick(r, &gen_phone_prefixes),
                 (unsigned)gen_rng_below(r, 100000000));

    h->period = policy_defaults().visit_months[h->risk];
}

static bool
active(const struct house *h)
{
    return strcmp(h->status, "active") == 0;
}

static int
visit_cmp_insert(struct house *h, struct dp_date d, const char *kind)
{
    if (h->nvisits >= MAX_VISITS)
        return -1;
    int i = h->nvisits;
    while (i > 0 && date_compare(&h->visits[i - 1].date, &d) > 0) {
        h->visits[i] = h->visits[i - 1];
        i--;
    }
    h->visits[i].date = d;
    h->visits[i].kind = kind;
    h->nvisits++;
    return i;
}

static struct dp_date
add_days(const struct dp_date *d, long n)
{
    return date_from_days(date_to_days(d) + n);
}

static void
plan_visits(struct gen *g)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    const struct dp_date *today = &g->o->today;
    struct dp_date start = date_add_months(today, -g->o->history_months);
    long window = g->today_days - date_to_days(&start);
    int jitter = h->period == 1 ? 6 : 15;
    struct dp_date d, last_verification;
    bool joined_in_window = chance(r, 40);

    h->nvisits = 0;
    if (joined_in_window) {
        d = add_days(&start, (long)gen_rng_below(r, (uint32_t)window + 1));
        last_verification = d;
    } else {
        d = add_days(&start, (long)gen_rng_below(r, (uint32_t)(h->period * 30)));
        last_verification = add_days(&d, -(long)gen_rng_below(r, 365));
    }
    bool first = true;
    while (date_compare(&d, today) <= 0 && h->nvisits < MAX_VISITS - 4) {
        struct dp_date anniversary = date_add_months(&last_verification, 12);
        const char *kind = "routine";
        if ((first && joined_in_window) || date_compare(&d, &anniversary) >= 0) {
            kind = "verification";
            last_verification = d;
        }
        h->visits[h->nvisits].date = d;
        h->visits[h->nvisits].kind = kind;
        h->nvisits++;
        first = false;
        struct dp_date next = date_add_months(&d, h->period);
        d = add_days(&next, between(r, -jitter, jitter));
    }
    /* Some households are overdue: the last planned visit did not happen. */
    if (h->nvisits >= 2 && strcmp(h->status, "active") == 0 && chance(r, 8))
        h->nvisits--;

    long first_day = h->nvisits ? date_to_days(&h->visits[0].date) : g->today_days;
    bool deceased_earner = false;
    for (int i = 0; i < h->n; i++)
        deceased_earner |= h->m[i].main_earner && strcmp(h->m[i].status, "deceased") == 0;
    h->drop_pct = 0;
    h->drop_from = *today;
    if (h->nvisits && (deceased_earner || chance(r, 3))) {
        long span = g->today_days - first_day;
        long back = span < 180 ? span : 180;
        struct dp_date when =
            date_from_days(g->today_days - (long)gen_rng_below(r, (uint32_t)back + 1));
        visit_cmp_insert(h, when, "emergency");
        if (deceased_earner) {
            /* The household lives on a fraction of what it had. */
            h->drop_from = when;
            h->drop_pct = between(r, 30, 45);
        }
    }
}

static void
plan_needs(struct gen *g)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    h->nneeds = 0;
    if (strcmp(h->status, "active") != 0)
        return;
    int count;
    if (h->risk == RISK_RED)
        count = between(r, 1, 3);
    else if (h->risk == RISK_YELLOW)
        count = chance(r, 30) ? 0 : between(r, 1, 2);
    else
        count = chance(r, 25) ? 1 : 0;

    unsigned suits = h->suits;

    size_t cand[64], ncand = 0;
    for (size_t i = 0; i < gen_nneed_items && ncand < COUNT(cand); i++) {
        unsigned s = gen_need_items[i].suits;
        /* "Anyone" items are common filler; prefer items that fit someone in particular. */
        if ((s & suits & ~GEN_FOR_ANY) || (s == GEN_FOR_ANY && chance(r, 40)))
            cand[ncand++] = i;
    }
    for (int k = 0; k < count && ncand > 0; k++) {
        size_t c = gen_rng_below(r, (uint32_t)ncand);
        const struct gen_need_item *it = &gen_need_items[cand[c]];
        cand[c] = cand[--ncand]; /* no item twice */
        struct need_plan *np = &h->needs[h->nneeds++];
        np->item = it;
        np->member = -1;
        unsigned personal = it->suits & (GEN_FOR_ELDERLY | GEN_FOR_DISABLED | GEN_FOR_ILL |
                                         GEN_FOR_CHILD | GEN_FOR_WORKER);
        if (personal) {
            int off = (int)gen_rng_below(r, (uint32_t)h->n);
            for (int j = 0; j < h->n; j++) {
                int m = (off + j) % h->n;
                if (person_suits(&h->m[m]) & personal) {
                    np->member = m;
                    break;
                }
            }
        }
    }
    /* Referred needs get a follow-up visit a couple of weeks after the last verification. */
    if (h->nneeds && chance(r, 50)) {
        for (int i = h->nvisits - 1; i >= 0; i--) {
            if (strcmp(h->visits[i].kind, "verification") != 0)
                continue;
            struct dp_date d = add_days(&h->visits[i].date, between(r, 7, 20));
            if (date_to_days(&d) <= g->today_days)
                visit_cmp_insert(h, d, "follow_up");
            break;
        }
    }
}

/*
 * Outcomes, the worker's planned next visits, and the due date that follows
 * from them by the rules of rules_household_due(): the clock restarts at the
 * latest completed visit, and a planned next visit on or after it may bring
 * the date forward.
 */
static void
plan_outcomes(struct gen *g)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    int latest_done = -1;
    for (int i = 0; i < h->nvisits; i++) {
        struct visit_plan *vp = &h->visits[i];
        bool last = i == h->nvisits - 1;
        bool scheduled = strcmp(vp->kind, "routine") == 0 || strcmp(vp->kind, "verification") == 0;
        vp->outcome = "completed";
        if (last && strcmp(h->status, "moved") == 0) {
            vp->outcome = "moved";
        } else if (last && strcmp(h->status, "dissolved") == 0) {
            vp->outcome = "deceased";
        } else if (strcmp(vp->kind, "routine") == 0) {
            unsigned x = gen_rng_below(r, 100);
            vp->outcome = x < 90 ? "completed" : x < 98 ? "not_home" : "refused";
        }
        vp->has_next = scheduled && (!last || active(h));
        if (strcmp(vp->outcome, "completed") == 0) {
            latest_done = i;
            vp->next = date_add_months(&vp->date, h->period);
        } else {
            /* Nobody met: try again soon. */
            vp->next = add_days(&vp->date, between(r, 7, 14));
        }
    }
    h->has_due = active(h);
    if (!h->has_due)
        return;
    if (latest_done < 0) {
        h->due = g->o->today;
        return;
    }
    const struct dp_date *from = &h->visits[latest_done].date;
    h->due = date_add_months(from, h->period);
    for (int i = 0; i < h->nvisits; i++) {
        const struct visit_plan *vp = &h->visits[i];
        if (vp->has_next && date_compare(&vp->date, from) >= 0 &&
            date_compare(&vp->next, &h->due) < 0)
            h->due = vp->next;
    }
}

/* A note that fits the household; the ones for everybody are always candidates. */
static const char *
pick_note(struct gen_rng *rng, const struct gen_note *notes, size_t n, unsigned suits)
{
    size_t fit = 0;
    for (size_t i = 0; i < n; i++)
        fit += (notes[i].suits & suits) != 0;
    size_t k = gen_rng_below(rng, (uint32_t)fit);
    for (size_t i = 0; i < n; i++)
        if ((notes[i].suits & suits) && k-- == 0)
            return notes[i].text;
    return "";
}

/* ---- Records ------------------------------------------------------------------------------ */

static void
put(struct gen *g, struct record *r, const char *field, const char *value)
{
    if (g->st == DP_OK)
        g->st = record_set(r, field, value);
}

static void
put_date(struct gen *g, struct record *r, const char *field, const struct dp_date *d)
{
    char buf[16];
    date_format(d, buf, sizeof buf);
    put(g, r, field, buf);
}

static void
put_long(struct gen *g, struct record *r, const char *field, long v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%ld", v);
    put(g, r, field, buf);
}

static void
put_bool(struct gen *g, struct record *r, const char *field, bool v)
{
    put(g, r, field, v ? "1" : "0");
}

/* Start a record afresh: every field unset. */
static struct record *
fresh(struct gen *g, int which)
{
    struct record *r = &g->rec[which];
    for (size_t i = 0; i < r->def->nfields && g->st == DP_OK; i++)
        g->st = record_set_index(r, (int)i, "");
    return r;
}

static enum dp_status
send(struct gen *g, const struct record *r, unsigned long *counter)
{
    if (g->st != DP_OK)
        return g->st;
    g->st = g->emit(g->ctx, r);
    if (g->st == DP_OK)
        (*counter)++;
    return g->st;
}

static void
join_tokens(char *buf, size_t bufsize, const char *const *tokens, size_t n, unsigned bits)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!(bits & (1u << i)))
            continue;
        int w = snprintf(buf + used, bufsize - used, "%s%s", used ? "," : "", tokens[i]);
        if (w < 0 || (size_t)w >= bufsize - used)
            break;
        used += (size_t)w;
    }
}

static enum dp_status
emit_household(struct gen *g)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    struct record *rec = fresh(g, 0);
    const char *cat_tokens[8];
    size_t ncat = 0;
    char buf[160];

    while (schema_category_choices[ncat].token && ncat < COUNT(cat_tokens)) {
        cat_tokens[ncat] = schema_category_choices[ncat].token;
        ncat++;
    }
    put(g, rec, "id", h->id);
    put(g, rec, "head_name", h->m[0].name);
    put(g, rec, "head_id_number", h->m[0].id_number);
    put(g, rec, "phone", h->phone);
    put(g, rec, "address", h->address);
    put(g, rec, "village", h->village);
    put(g, rec, "township", h->township);
    put(g, rec, "county", h->county);
    join_tokens(buf, sizeof buf, cat_tokens, ncat, h->cats);
    put(g, rec, "categories", buf);
    put(g, rec, "risk", risk_token(h->risk));
    put(g, rec, "risk_reason", h->reason);
    put(g, rec, "risk_set_by", h->worker);
    put(g, rec, "assigned_to", h->worker);
    put(g, rec, "team", h->team);
    put(g, rec, "status", h->status);
    if (h->has_due)
        put_date(g, rec, "next_visit_due", &h->due);
    join_tokens(buf, sizeof buf, flag_tokens, COUNT(flag_tokens), h->flags);
    put(g, rec, "flags", buf);
    if (chance(r, 15))
        put(g, rec, "notes", pick_note(r, gen_household_notes, gen_nhousehold_notes, h->suits));
    return send(g, rec, &g->stats->households);
}

static enum dp_status
emit_member(struct gen *g, const struct person *p)
{
    struct record *rec = fresh(g, 1);
    char grade[2] = {(char)('0' + p->grade), '\0'};
    char sex[2] = {p->sex, '\0'};
    put(g, rec, "id", p->id);
    put(g, rec, "household_id", g->h.id);
    put(g, rec, "name", p->name);
    put(g, rec, "relation", p->relation);
    put(g, rec, "sex", sex);
    put_date(g, rec, "birth_date", &p->birth);
    put(g, rec, "id_number", p->id_number);
    put(g, rec, "disability_grade", p->grade ? grade : "none");
    put(g, rec, "disability_type", p->grade ? disability_types[p->dtype] : "none");
    put(g, rec, "illness", p->illness);
    put_bool(g, rec, "serious_illness", p->serious);
    put(g, rec, "schooling", p->schooling);
    put(g, rec, "work", p->work);
    put_bool(g, rec, "main_earner", p->main_earner);
    put_bool(g, rec, "left_behind_child", p->left_behind);
    put_bool(g, rec, "elderly_alone", p->elderly_alone);
    put(g, rec, "status", p->status);
    return send(g, rec, &g->stats->members);
}

static const char *
met_text(struct gen *g)
{
    const struct house *h = &g->h;
    /* Before a household moved or dissolved, its people were still at home. */
    if (!active(h))
        return "户主本人";
    bool spouse = false;
    for (int i = 1; i < h->n; i++)
        spouse |= strcmp(h->m[i].relation, "spouse") == 0 && strcmp(h->m[i].status, "present") == 0;
    if (strcmp(h->m[0].status, "present") == 0) {
        if (h->sit == SIT_LEFT_BEHIND && chance(&g->rng, 50))
            return "户主及孙子女";
        if (spouse && chance(&g->rng, 40))
            return "户主及配偶";
        return "户主本人";
    }
    if (spouse)
        return "户主配偶";
    for (int i = 1; i < h->n; i++)
        if (strcmp(h->m[i].status, "present") == 0)
            return strcmp(h->m[i].relation, "parent") == 0 ? "户主父母" : "户主子女";
    return "村干部";
}

static void
needs_found_text(const struct house *h, char *buf, size_t bufsize)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < h->nneeds; i++) {
        int w =
            snprintf(buf + used, bufsize - used, "%s%s", used ? "、" : "", h->needs[i].item->item);
        if (w < 0 || (size_t)w >= bufsize - used)
            break;
        used += (size_t)w;
    }
}

static enum dp_status
emit_visit(struct gen *g, int j)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    const struct visit_plan *vp = &h->visits[j];
    struct record *rec = fresh(g, 2);
    bool last = j == h->nvisits - 1;
    bool verification = strcmp(vp->kind, "verification") == 0;
    const char *outcome = vp->outcome;
    char buf[512];
    bool done = strcmp(outcome, "completed") == 0;

    char id[37];
    make_uuid(r, id);
    put(g, rec, "id", id);
    put(g, rec, "household_id", h->id);
    put(g, rec, "worker", h->worker);
    put_date(g, rec, "date", &vp->date);
    put(g, rec, "kind", vp->kind);
    put(g, rec, "outcome", outcome);
    if (done)
        put(g, rec, "met", met_text(g));
    else if (strcmp(outcome, "refused") == 0)
        put(g, rec, "met", "户主本人");
    if (done && (verification || chance(r, 50))) {
        long yuan = (long)h->income_yuan * between(r, 90, 110) / 100;
        if (h->drop_pct && date_compare(&vp->date, &h->drop_from) >= 0)
            yuan = yuan * h->drop_pct / 100;
        long fen = yuan * 100 + (chance(r, 20) ? 50 : 0);
        put_long(g, rec, "monthly_income", fen);
    }
    if (done && (verification || chance(r, 30)))
        put_long(g, rec, "medical_yearly", h->medical_yuan * 100);
    if (done && (verification || chance(r, 40)))
        put(g, rec, "housing", h->housing);
    if (done && verification && h->nneeds) {
        needs_found_text(h, buf, sizeof buf);
        put(g, rec, "needs_found", buf);
    }
    if (done && verification && h->risk != RISK_GREEN && chance(r, 25))
        put(g, rec, "micro_wish", pick(r, &gen_micro_wishes));
    if (done && (verification || chance(r, 10))) {
        put(g, rec, "risk_after", risk_token(h->risk));
        bool before = h->reason_before && date_compare(&vp->date, &h->drop_from) < 0;
        put(g, rec, "risk_reason", before ? h->reason_before : h->reason);
    }

    if (strcmp(vp->kind, "emergency") == 0) {
        bool bereaved = false;
        for (int i = 0; i < h->n; i++)
            bereaved |= h->m[i].main_earner && strcmp(h->m[i].status, "deceased") == 0;
        put(g, rec, "notes",
            bereaved                     ? "主要劳动力因病去世，已启动临时救助"
            : (h->flags & FLAG_DISASTER) ? "房屋受灾，已上报乡镇"
                                         : "家庭成员突发疾病住院，已协助申请临时救助");
    } else if (strcmp(vp->kind, "follow_up") == 0) {
        put(g, rec, "notes", "回访转介需求的办理情况");
    } else if (strcmp(outcome, "not_home") == 0) {
        put(g, rec, "notes", pick(r, &gen_absent_notes));
    } else if (strcmp(outcome, "refused") == 0) {
        put(g, rec, "notes", "户主不愿配合入户，已做解释工作");
    } else if (strcmp(outcome, "moved") == 0) {
        put(g, rec, "notes", "全家已迁出本村");
    } else if (strcmp(outcome, "deceased") == 0) {
        put(g, rec, "notes", "户主已去世，按程序办理注销");
    } else if (chance(r, 40)) {
        put(g, rec, "notes", pick_note(r, gen_visit_notes, gen_nvisit_notes, h->suits));
    }
    if (vp->has_next)
        put_date(g, rec, "next_visit", &vp->next);

    /* Review: old visits are settled; the last weeks are still in the pipeline. */
    long age = g->today_days - date_to_days(&vp->date);
    const char *state = "approved";
    unsigned x = gen_rng_below(r, 100);
    if (age <= 14)
        state = last && x < 40 ? "draft" : x < 85 ? "submitted" : "approved";
    else if (age <= 45)
        state = x < 70 ? "approved" : x < 95 ? "submitted" : "returned";
    put(g, rec, "review_state", state);
    if (strcmp(state, "approved") == 0 || strcmp(state, "returned") == 0)
        put(g, rec, "reviewer", h->supervisor);
    if (strcmp(state, "returned") == 0)
        put(g, rec, "review_comment", pick(r, &gen_return_comments));
    return send(g, rec, &g->stats->visits);
}

static enum dp_status
emit_need(struct gen *g, const struct need_plan *np)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    struct record *rec = fresh(g, 3);
    char id[37];
    make_uuid(r, id);
    put(g, rec, "id", id);
    put(g, rec, "household_id", h->id);
    if (np->member >= 0)
        put(g, rec, "member_id", h->m[np->member].id);
    put(g, rec, "category", np->item->category);
    put(g, rec, "item", np->item->item);

    static const char *const urgencies[] = {"low", "normal", "high", "urgent"};
    static const unsigned urgency_pct[3][4] = {{10, 35, 40, 15}, {20, 50, 25, 5}, {40, 55, 5, 0}};
    unsigned x = gen_rng_below(r, 100), acc = 0;
    const char *urgency = "normal";
    for (int i = 0; i < 4; i++) {
        acc += urgency_pct[h->risk][i];
        if (x < acc) {
            urgency = urgencies[i];
            break;
        }
    }
    put(g, rec, "urgency", urgency);

    x = gen_rng_below(r, 100);
    struct dp_date d;
    if (x < 30) {
        put(g, rec, "status", "open");
        d = date_from_days(g->today_days + between(r, 7, 30));
        put_date(g, rec, "follow_up", &d);
        if (chance(r, 30))
            put(g, rec, "notes", "已登记，待对接资源");
    } else if (x < 60) {
        put(g, rec, "status", "referred");
        put(g, rec, "referred_to", np->item->referred_to);
        d = date_from_days(g->today_days + between(r, 7, 45));
        put_date(g, rec, "follow_up", &d);
    } else if (x < 90) {
        put(g, rec, "status", "met");
        if (chance(r, 80))
            put(g, rec, "referred_to", np->item->referred_to);
        d = date_from_days(g->today_days - between(r, 1, 120));
        put_date(g, rec, "follow_up", &d);
    } else {
        put(g, rec, "status", "closed");
        if (chance(r, 50))
            put(g, rec, "referred_to", np->item->referred_to);
        put(g, rec, "notes", "家属已自行解决");
    }
    return send(g, rec, &g->stats->needs);
}

/* ---- Driving ------------------------------------------------------------------------------ */

static enum dp_status
gen_one(struct gen *g, unsigned long index)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;

    gen_rng_seed(r, mix64(g->seed_mix ^ mix64((uint64_t)index)));
    h->n = h->nvisits = h->nneeds = 0;
    h->cats = h->flags = 0;
    h->reason[0] = '\0';
    h->reason_before = NULL;
    make_uuid(r, h->id);
    h->minority = chance(r, 2);

    unsigned x = gen_rng_below(r, 1000), acc = 0;
    h->sit = situations[COUNT(situations) - 1].sit;
    h->risk = situations[COUNT(situations) - 1].risk;
    for (size_t i = 0; i < COUNT(situations); i++) {
        acc += situations[i].permille;
        if (x < acc) {
            h->sit = situations[i].sit;
            h->risk = situations[i].risk;
            break;
        }
    }

    set_places(g, h, index);
    unsigned worker = gen_worker_of(g->o, index), team = gen_team_of(g->o, worker);
    gen_worker_name(worker, h->worker, sizeof h->worker);
    gen_team_name(team, h->team, sizeof h->team);
    gen_supervisor_name(team, h->supervisor, sizeof h->supervisor);

    plan_household(g);
    plan_visits(g);
    plan_needs(g);
    plan_outcomes(g);

    enum dp_status st = emit_household(g);
    for (int i = 0; i < h->n && st == DP_OK; i++)
        st = emit_member(g, &h->m[i]);
    for (int i = 0; i < h->nvisits && st == DP_OK; i++)
        st = emit_visit(g, i);
    for (int i = 0; i < h->nneeds && st == DP_OK; i++)
        st = emit_need(g, &h->needs[i]);
    return st;
}

static void
gen_done(struct gen *g)
{
    for (size_t i = 0; i < COUNT(g->rec); i++)
        record_done(&g->rec[i]);
}

static enum dp_status
gen_init(struct gen *g, const struct gen_options *o, gen_emit_fn emit, void *ctx,
         struct gen_stats *stats, struct dp_error *err)
{
    static const struct record_def *const defs[] = {&schema_household, &schema_member,
                                                    &schema_visit, &schema_need};
    memset(g, 0, sizeof *g);
    enum dp_status st = gen_options_check(o, err);
    if (st != DP_OK)
        return st;
    if (!emit)
        return dp_error_set(err, DP_EINVAL, "emit", _("no record callback given"));
    g->o = o;
    g->seed_mix = mix64(o->seed ^ UINT64_C(0x646f6f7273746570)); /* "doorstep" */
    g->today_days = date_to_days(&o->today);
    g->emit = emit;
    g->ctx = ctx;
    g->stats = stats;
    for (size_t i = 0; i < COUNT(g->rec); i++) {
        st = record_init(&g->rec[i], defs[i]);
        if (st != DP_OK) {
            gen_done(g);
            return dp_error_set(err, st, "", _("cannot prepare records"));
        }
    }
    return DP_OK;
}

static enum dp_status
gen_fail(enum dp_status st, struct dp_error *err)
{
    /* A callback that reports through its context may already have said more. */
    if (err && err->code == DP_OK)
        dp_error_set(err, st, "", _("generation stopped"));
    return st;
}

enum dp_status
gen_run(const struct gen_options *o, gen_emit_fn emit, void *ctx, struct gen_stats *stats,
        struct dp_error *err)
{
    struct gen_stats local;
    struct gen g;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    dp_error_clear(err);
    enum dp_status st = gen_init(&g, o, emit, ctx, stats, err);
    if (st != DP_OK)
        return st;
    for (unsigned long i = 0; i < o->households && st == DP_OK; i++)
        st = gen_one(&g, i);
    gen_done(&g);
    return st == DP_OK ? DP_OK : gen_fail(st, err);
}

enum dp_status
gen_household(const struct gen_options *o, unsigned long index, gen_emit_fn emit, void *ctx,
              struct gen_stats *stats, struct dp_error *err)
{
    struct gen_stats local = {0};
    struct gen g;
    dp_error_clear(err);
    enum dp_status st = gen_init(&g, o, emit, ctx, stats ? stats : &local, err);
    if (st != DP_OK)
        return st;
    if (index >= o->households) {
        gen_done(&g);
        return dp_error_set(err, DP_EINVAL, "index", _("no such household"));
    }
    st = gen_one(&g, index);
    gen_done(&g);
    return st == DP_OK ? DP_OK : gen_fail(st, err);
}
