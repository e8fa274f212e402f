/*
 * Private to the generator (core/gen*.c): the plan of one household that the
 * files fill in turn, and the functions they share. Not for other modules;
 * core/gen.h is the interface.
 *
 * One household is made in this order, and the order is part of the output
 * (every step draws from the same random stream): gen.c seeds the stream,
 * gen_household.c draws the situation, gen_places.c names the places,
 * gen_household.c (with gen_people.c) builds the members and circumstances,
 * gen_visits.c plans the history, and gen_emit.c turns the plan into records.
 */
#ifndef DOORSTEP_CORE_GEN_INTERNAL_H
#define DOORSTEP_CORE_GEN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/gen.h"
#include "core/record.h"
#include "core/rules.h"
#include "core/status.h"

#define COUNT(a)   (sizeof(a) / sizeof((a)[0]))
#define MAX_VISITS 220 /* monthly with early jitter over GEN_MAX_HISTORY_MONTHS, plus extras */
#define MAX_NEEDS  3

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

/* Household flags, in the order of the schema's list (tokens in gen_emit.c). */
enum {
    FLAG_ACUTE = 1u << 0,
    FLAG_HARD_TO_REACH = 1u << 1,
    FLAG_INTERPRETER = 1u << 2,
    FLAG_DISASTER = 1u << 3,
};

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
    int dtype; /* index into gen_disability_types when grade > 0 */
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

/* ---- gen_rng.c: draws ----------------------------------------------------------------- */

/* A 64-bit hash (one splitmix64 step), for seeds derived from the seed. */
uint64_t gen_mix64(uint64_t x);

/* True with probability pct/100. */
bool gen_chance(struct gen_rng *rng, unsigned pct);

/* Uniform in [lo, hi]; lo when hi <= lo. */
int gen_between(struct gen_rng *rng, int lo, int hi);

/* One item of a non-empty list, uniformly. */
const char *gen_pick(struct gen_rng *rng, const struct gen_list *l);

/* A version 4 UUID from the stream into buf (37 bytes). */
void gen_uuid(struct gen_rng *rng, char *buf);

/* ---- gen_people.c: members -------------------------------------------------------------- */

/* Disability type tokens and their Chinese words, indexed by person.dtype. */
extern const char *const gen_disability_types[];
extern const char *const gen_disability_words[];

/* A birth date giving exactly `age` whole years on the generator's today. */
struct dp_date gen_birth_for_age(struct gen *g, int age);

/* An 18-character ID number for p's birth and sex in `region` (6 digits) into out[19]. */
void gen_make_id_number(struct gen *g, const struct person *p, const char *region, char *out);

/*
 * Add a member with a name fitting sex, age and family. `surname` is used
 * for Han names; `father` is the minority father's part (NULL: drawn).
 * NULL when the household already has GEN_MAX_MEMBERS.
 */
struct person *gen_add_person(struct gen *g, const char *relation, char sex, int age,
                              const char *surname, const char *father);

/* The head (first member); sets the family line children take. */
struct person *gen_add_head(struct gen *g, char sex, int age);

/* The head's spouse, of the other sex and a fitting age; NULL when the house is full. */
struct person *gen_add_spouse(struct gen *g);

/* A child of the head, born when the mother was 20 to 40, capped at max_age; may be NULL. */
struct person *gen_add_child(struct gen *g, int max_age);

/* lo..hi children of the head, the eldest at most max_age, spaced two to four years. */
void gen_add_children(struct gen *g, int lo, int hi, int max_age);

/* Schooling and work that fit p's age; situations override what they need to. */
void gen_default_activity(struct gen *g, struct person *p);

/* A disability of `grade` (1-4) with what it means for school and work. */
void gen_make_disabled(struct gen *g, struct person *p, int grade);

/* A chronic or serious illness with what it means for work. */
void gen_make_ill(struct gen *g, struct person *p, bool serious);

/* A chronic illness for each member 55 or older, with probability pct_elderly. */
void gen_add_chronic_maybe(struct gen *g, unsigned pct_elderly);

/* GEN_FOR_* bits a member fits (0 for the deceased). */
unsigned gen_person_suits(const struct person *p);

/* ---- gen_places.c ----------------------------------------------------------------------- */

/* Village, township, county, region code and address of household `index`. */
void gen_set_places(struct gen *g, struct house *h, unsigned long index);

/* ---- gen_household.c -------------------------------------------------------------------- */

/* The situation and risk class, drawn by their shares. */
void gen_draw_situation(struct gen *g);

/* Members, reason, categories, status, income, medical costs, housing, flags, phone, period. */
void gen_plan_household(struct gen *g);

/* True while the household is active (not moved or dissolved). */
bool gen_house_active(const struct house *h);

/* ---- gen_visits.c: history (call in this order, after gen_plan_household) ------------- */

void gen_plan_visits(struct gen *g);
void gen_plan_needs(struct gen *g);
void gen_plan_outcomes(struct gen *g);

/* ---- gen_emit.c: records ---------------------------------------------------------------- */

/*
 * Each fills its reused record from the plan and hands it to g->emit,
 * counting it in g->stats when accepted. A failure is sticky in g->st.
 */
enum dp_status gen_emit_household(struct gen *g);
enum dp_status gen_emit_member(struct gen *g, const struct person *p);
enum dp_status gen_emit_visit(struct gen *g, int j);
enum dp_status gen_emit_need(struct gen *g, const struct need_plan *np);

#endif
