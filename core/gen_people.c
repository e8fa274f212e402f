/*
 * The generator's people: names typical for sex, birth era and family,
 * ages and birth dates, ID numbers, and what each member does (schooling,
 * work, disability, illness).
 */
#include "core/gen_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/validate.h"

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
    if (gen_chance(rng, p->single_pct)) {
        snprintf(buf, bufsize, "%s", p->single[gen_rng_below(rng, (uint32_t)p->nsingle)]);
    } else if (gen_chance(rng, 55)) {
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
    const char *given = gen_pick(rng, sex == 'F' ? &gen_minority_female : &gen_minority_male);
    if (!father)
        father = gen_pick(rng, &gen_minority_male);
    snprintf(buf, bufsize, "%s\u00b7%s", given, father);
    if (given_out)
        *given_out = given;
}

/* ---- Members ------------------------------------------------------------------------------ */

const char *const gen_disability_types[] = {"visual",       "hearing", "speech",  "physical",
                                            "intellectual", "mental",  "multiple"};
const char *const gen_disability_words[] = {"视力", "听力", "言语", "肢体", "智力", "精神", "多重"};

/* A birth date giving exactly `age` whole years on the generator's today. */
struct dp_date
gen_birth_for_age(struct gen *g, int age)
{
    struct dp_date d = date_add_months(&g->o->today, -12 * age);
    return date_from_days(date_to_days(&d) - (long)gen_rng_below(&g->rng, 365));
}

void
gen_make_id_number(struct gen *g, const struct person *p, const char *region, char *out)
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
        struct dp_date b = gen_birth_for_age(g, age);
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
struct person *
gen_add_person(struct gen *g, const char *relation, char sex, int age, const char *surname,
               const char *father)
{
    struct house *h = &g->h;
    if (h->n >= GEN_MAX_MEMBERS)
        return NULL;
    struct person *p = &h->m[h->n];
    memset(p, 0, sizeof *p);
    gen_uuid(&g->rng, p->id);
    p->relation = relation;
    p->sex = sex;
    p->age = age < 0 ? 0 : age;
    p->birth = gen_birth_for_age(g, p->age);
    if (strcmp(relation, "child") == 0 || strcmp(relation, "grandchild") == 0)
        space_siblings(g, p, relation);
    p->work = "";
    p->status = "present";
    p->illness = "";
    p->surname = surname;
    if (h->minority && !father)
        father = gen_pick(&g->rng, &gen_minority_male);
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
    if (gen_chance(&g->rng, 97)) {
        const char *region = h->region;
        if (h->minority)
            region = gen_pick(&g->rng, &gen_region_codes_minority);
        else if (strcmp(relation, "spouse") == 0 && gen_chance(&g->rng, 20))
            region = gen_pick(&g->rng, &gen_region_codes);
        gen_make_id_number(g, p, region, p->id_number);
    }
    h->n++;
    return p;
}

/* Schooling and work that fit an age; situations override what they need to. */
void
gen_default_activity(struct gen *g, struct person *p)
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
        p->schooling = gen_chance(r, 70) ? "senior" : "vocational";
        p->work = "student";
    } else if (a < 22 && gen_chance(r, 30)) {
        p->schooling = "college";
        p->work = "student";
    } else if (a < 60) {
        static const char *const adult[] = {"farming",  "farming",       "farming",   "employed",
                                            "employed", "self_employed", "unemployed"};
        p->work = adult[gen_rng_below(r, COUNT(adult))];
    } else if (a < 75) {
        p->work = gen_chance(r, 50) ? "farming" : "retired";
    } else {
        p->work = gen_chance(r, 60) ? "retired" : "unable";
    }
}

void
gen_make_disabled(struct gen *g, struct person *p, int grade)
{
    p->grade = grade;
    p->dtype = (int)gen_rng_below(&g->rng, COUNT(gen_disability_types));
    if (grade <= 2 && p->age >= 16)
        p->work = "unable";
    if (grade <= 2 && p->age >= 6 && p->age < 18 && gen_chance(&g->rng, 60)) {
        p->schooling = "none";
        p->work = "unable";
    }
}

void
gen_make_ill(struct gen *g, struct person *p, bool serious)
{
    p->serious = serious;
    p->illness = gen_pick(&g->rng, serious ? &gen_serious_illnesses : &gen_chronic_illnesses);
    if (serious && p->age >= 18 && p->age < 60)
        p->work = "unable";
}

struct person *
gen_add_head(struct gen *g, char sex, int age)
{
    struct house *h = &g->h;
    const char *surname = h->minority ? "" : gen_surname(&g->rng);
    struct person *p = gen_add_person(g, "head", sex, age, surname, NULL);
    if (sex == 'M') {
        h->line = surname;
        h->line_father = p->given;
    } else {
        /* Children carry the (late or absent) husband's surname. */
        h->line = h->minority ? "" : gen_surname(&g->rng);
        h->line_father = gen_pick(&g->rng, &gen_minority_male);
    }
    gen_default_activity(g, p);
    return p;
}

struct person *
gen_add_spouse(struct gen *g)
{
    struct house *h = &g->h;
    const struct person *head = &h->m[0];
    char sex = head->sex == 'M' ? 'F' : 'M';
    int age = head->sex == 'M'
                  ? head->age - gen_between(&g->rng, 0, 6) + gen_between(&g->rng, 0, 2)
                  : head->age + gen_between(&g->rng, 0, 6) - gen_between(&g->rng, 0, 2);
    if (age < 20)
        age = 20;
    const char *surname = sex == 'M' ? h->line : (h->minority ? "" : gen_surname(&g->rng));
    struct person *p = gen_add_person(g, "spouse", sex, age, surname, NULL);
    if (p && sex == 'M')
        h->line_father = p->given;
    if (p)
        gen_default_activity(g, p);
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
struct person *
gen_add_child(struct gen *g, int max_age)
{
    struct house *h = &g->h;
    int mother = mother_age(h);
    if (mother < 20)
        return NULL;
    int oldest = mother - 20 < max_age ? mother - 20 : max_age;
    int youngest = mother - 40 > 0 ? mother - 40 : 0;
    if (youngest > oldest)
        youngest = oldest;
    char sex = gen_chance(&g->rng, 52) ? 'M' : 'F';
    struct person *p = gen_add_person(g, "child", sex, gen_between(&g->rng, youngest, oldest),
                                      h->line, h->line_father);
    if (p)
        gen_default_activity(g, p);
    return p;
}

void
gen_add_children(struct gen *g, int lo, int hi, int max_age)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    int n = gen_between(r, lo, hi), mother = mother_age(h);
    if (mother < 20)
        return;
    /* The eldest came when the mother was 21-30; the others two to four years apart. */
    int oldest = mother - 20 < max_age ? mother - 20 : max_age;
    int age = mother - gen_between(r, 21, 30);
    if (age > oldest)
        age = oldest;
    for (int i = 0; i < n && age >= 0 && mother - age <= 42; i++) {
        char sex = gen_chance(r, 52) ? 'M' : 'F';
        struct person *p = gen_add_person(g, "child", sex, age, h->line, h->line_father);
        if (!p)
            break;
        gen_default_activity(g, p);
        age -= gen_between(r, 2, 4);
    }
}

void
gen_add_chronic_maybe(struct gen *g, unsigned pct_elderly)
{
    struct house *h = &g->h;
    for (int i = 0; i < h->n; i++)
        if (h->m[i].age >= 55 && !h->m[i].illness[0] && gen_chance(&g->rng, pct_elderly))
            gen_make_ill(g, &h->m[i], false);
}

unsigned
gen_person_suits(const struct person *p)
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
