/*
 * A generated household: the circumstance it is built around, who lives in
 * it, its risk class and reason, support categories, income, medical costs,
 * housing and flags.
 */
#include "core/gen_internal.h"

#include <stdio.h>
#include <string.h>

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

void
gen_draw_situation(struct gen *g)
{
    struct house *h = &g->h;
    unsigned x = gen_rng_below(&g->rng, 1000), acc = 0;
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
}

static void
set_reason_disability(struct house *h, const struct person *p, const char *tail)
{
    snprintf(h->reason, sizeof h->reason, "家庭成员%s级%s残疾%s",
             gen_cn_numerals.items[p->grade - 1], gen_disability_words[p->dtype], tail);
}

static void
build_red(struct gen *g)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    switch (h->sit) {
    case SIT_ELDERLY_ALONE: {
        struct person *p = gen_add_head(g, gen_chance(r, 60) ? 'F' : 'M', gen_between(r, 65, 92));
        p->elderly_alone = true;
        if (gen_chance(r, 60))
            gen_make_ill(g, p, false);
        if (gen_chance(r, 35)) {
            struct person *c = gen_add_child(g, 70);
            if (c) {
                c->status = "away";
                c->work = "migrant";
                c->schooling = "none";
            }
        }
        h->cats = h->n == 1 && gen_chance(r, 30) ? CAT_TEKUN_DISPERSED : CAT_DIBAO;
        if (gen_chance(r, 10))
            h->cats |= CAT_TEMP_ASSIST;
        snprintf(h->reason, sizeof h->reason, "%s",
                 p->illness[0] ? "独居老人，患慢性病" : "独居老人");
        break;
    }
    case SIT_SEVERE_DISABILITY: {
        struct person *d;
        if (gen_chance(r, 50)) {
            d = gen_add_head(g, gen_chance(r, 65) ? 'M' : 'F', gen_between(r, 30, 65));
            if (gen_chance(r, 80))
                gen_add_spouse(g);
            gen_add_children(g, 0, 2, 30);
        } else {
            gen_add_head(g, gen_chance(r, 70) ? 'M' : 'F', gen_between(r, 45, 70));
            if (gen_chance(r, 85))
                gen_add_spouse(g);
            d = gen_add_child(g, 40);
            if (!d)
                d = &h->m[0];
        }
        gen_make_disabled(g, d, gen_between(r, 1, 2));
        h->cats = CAT_DIBAO | (gen_chance(r, 20) ? CAT_TEMP_ASSIST : 0);
        set_reason_disability(h, d, "");
        break;
    }
    case SIT_LEFT_BEHIND: {
        gen_add_head(g, gen_chance(r, 60) ? 'M' : 'F', gen_between(r, 55, 75));
        if (gen_chance(r, 70))
            gen_add_spouse(g);
        struct person *son = gen_add_person(
            g, "child", 'M', gen_between(r, 26, h->m[0].age - 20 < 40 ? h->m[0].age - 20 : 40),
            h->line, h->line_father);
        son->status = "away";
        son->work = "migrant";
        son->schooling = "none";
        son->main_earner = true;
        if (gen_chance(r, 70)) {
            int age = son->age - gen_between(r, 0, 4);
            struct person *dil = gen_add_person(g, "child_in_law", 'F', age < 20 ? 20 : age,
                                                h->minority ? "" : gen_surname(r), NULL);
            dil->status = "away";
            dil->work = "migrant";
            dil->schooling = "none";
        }
        int kids = gen_between(r, 1, 2);
        int oldest = son->age - 20 < 15 ? son->age - 20 : 15;
        for (int i = 0; i < kids; i++) {
            struct person *c = gen_add_person(g, "grandchild", gen_chance(r, 52) ? 'M' : 'F',
                                              gen_between(r, 3, oldest), h->line, son->given);
            if (!c)
                break;
            gen_default_activity(g, c);
            c->left_behind = true;
        }
        h->cats = gen_chance(r, 50) ? CAT_DIBAO : CAT_DIBAO_EDGE;
        snprintf(h->reason, sizeof h->reason, "留守儿童，父母均外出务工");
        break;
    }
    default: { /* SIT_FIVE_GUARANTEES */
        bool central = gen_chance(r, 15);
        if (gen_chance(r, 75)) {
            struct person *p =
                gen_add_head(g, gen_chance(r, 65) ? 'M' : 'F', gen_between(r, 62, 90));
            p->elderly_alone = !central;
            if (gen_chance(r, 50))
                gen_make_ill(g, p, false);
        } else {
            struct person *p =
                gen_add_head(g, gen_chance(r, 70) ? 'M' : 'F', gen_between(r, 35, 59));
            gen_make_disabled(g, p, gen_between(r, 3, 4));
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
        bool family = gen_chance(r, 60);
        if (family) {
            gen_add_head(g, gen_chance(r, 80) ? 'M' : 'F', gen_between(r, 30, 55));
            gen_add_spouse(g);
            gen_add_children(g, 1, 2, 25);
        } else {
            gen_add_head(g, 'M', gen_between(r, 60, 80));
            gen_add_spouse(g);
        }
        struct person *ill = gen_chance(r, 50) ? &h->m[0] : &h->m[1];
        gen_make_ill(g, ill, true);
        snprintf(h->reason, sizeof h->reason, "家庭成员患重病，医疗支出大");
        if (family && ill == &h->m[1] && ill->age >= 18 && ill->age < 60 && gen_chance(r, 6)) {
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
        gen_add_head(g, 'M', gen_between(r, 65, 88));
        struct person *s = gen_add_spouse(g);
        if (s->age < 60) {
            s->age = 60;
            s->birth = gen_birth_for_age(g, 60);
            if (s->id_number[0]) {
                char region[7];
                snprintf(region, sizeof region, "%.6s", s->id_number);
                gen_make_id_number(g, s, region, s->id_number);
            }
            gen_default_activity(g, s);
        }
        gen_add_chronic_maybe(g, 60);
        if (gen_chance(r, 40)) {
            struct person *c = gen_add_child(g, 60);
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
        struct person *p = gen_add_head(g, gen_chance(r, 70) ? 'F' : 'M', gen_between(r, 28, 50));
        static const char *const works[] = {
            "unemployed", "unemployed", "unemployed", "unemployed",    "unemployed",
            "farming",    "farming",    "farming",    "self_employed", "self_employed"};
        p->work = works[gen_rng_below(r, COUNT(works))];
        gen_add_children(g, 1, 3, 17);
        static const unsigned cats[] = {CAT_DIBAO, CAT_DIBAO, CAT_DIBAO_EDGE, CAT_DIBAO_EDGE,
                                        CAT_TEMP_ASSIST};
        h->cats = cats[gen_rng_below(r, COUNT(cats))];
        snprintf(h->reason, sizeof h->reason, "单亲家庭，收入不稳定");
        break;
    }
    default: { /* SIT_MILD_DISABILITY */
        gen_add_head(g, 'M', gen_between(r, 35, 65));
        gen_add_spouse(g);
        gen_add_children(g, 0, 2, 30);
        struct person *d = gen_chance(r, 60) ? &h->m[0] : &h->m[1];
        gen_make_disabled(g, d, gen_between(r, 3, 4));
        if (d->age >= 18 && d->age < 60)
            d->work = gen_chance(r, 50) ? "unemployed" : "farming";
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
        struct person *head =
            gen_add_head(g, gen_chance(r, 85) ? 'M' : 'F', gen_between(r, 28, 55));
        head->work = jobs[gen_rng_below(r, COUNT(jobs))];
        if (strcmp(head->work, "migrant") == 0)
            head->status = "away"; /* the spouse stays, so the children are not left behind */
        if (!gen_add_spouse(g))
            break;
        if (strcmp(h->m[1].work, "unemployed") == 0)
            h->m[1].work = "farming";
        gen_add_children(g, 1, 3, 30);
        if (gen_chance(r, 10))
            gen_make_ill(g, &h->m[gen_rng_below(r, 2)], false);
        snprintf(h->reason, sizeof h->reason, "收入稳定，无特殊情况");
        break;
    }
    case SIT_THREE_GENERATIONS: {
        struct person *head =
            gen_add_head(g, gen_chance(r, 85) ? 'M' : 'F', gen_between(r, 35, 58));
        head->work = jobs[gen_rng_below(r, 4)];
        gen_add_spouse(g);
        gen_add_children(g, 1, 2, 30);
        /* The head's mother bore the head at 20-38; the father is a little older. */
        int mother = h->m[0].age + gen_between(r, 20, 38);
        int ages[2] = {mother > 95 ? 95 : mother, 0};
        ages[1] = ages[0] + gen_between(r, -2, 6) > 97 ? 97 : ages[0] + gen_between(r, -2, 6);
        int parents = gen_between(r, 1, 2), first = (int)gen_rng_below(r, 2);
        for (int i = 0; i < parents; i++) {
            int which = (first + i) % 2; /* 0 mother, 1 father */
            char sex = which ? 'M' : 'F';
            /* The head's father shares the head's surname; the mother keeps her own. */
            const char *surname = h->minority ? "" : sex == 'M' ? h->m[0].surname : gen_surname(r);
            struct person *p = gen_add_person(g, "parent", sex, ages[which], surname, NULL);
            if (!p)
                break;
            gen_default_activity(g, p);
        }
        gen_add_chronic_maybe(g, 40);
        snprintf(h->reason, sizeof h->reason, "家庭收入稳定");
        break;
    }
    case SIT_WORKING_CHILD: {
        struct person *head = gen_add_head(g, 'M', gen_between(r, 55, 72));
        if (head->age >= 60)
            head->work = gen_chance(r, 70) ? "retired" : "farming";
        gen_add_spouse(g);
        /* Born when the mother was 20-38, and of working age (18-60). */
        int mother = h->m[1].age;
        int lo = mother - 38 > 18 ? mother - 38 : 18, hi = mother - 20 < 40 ? mother - 20 : 40;
        struct person *c = gen_add_person(g, "child", gen_chance(r, 60) ? 'M' : 'F',
                                          gen_between(r, lo, hi), h->line, h->line_father);
        gen_default_activity(g, c);
        c->schooling = "none";
        c->work = jobs[gen_rng_below(r, 4)];
        if (c->sex == 'M' && gen_chance(r, 40)) {
            int age = c->age - gen_between(r, 0, 3);
            struct person *dil = gen_add_person(g, "child_in_law", 'F', age < 20 ? 20 : age,
                                                h->minority ? "" : gen_surname(r), NULL);
            gen_default_activity(g, dil);
            if (dil->age >= 22 && gen_chance(r, 70)) {
                struct person *k = gen_add_person(
                    g, "grandchild", gen_chance(r, 52) ? 'M' : 'F',
                    gen_between(r, 0, dil->age - 22 < 12 ? dil->age - 22 : 12), h->line, c->given);
                gen_default_activity(g, k);
            }
        }
        gen_add_chronic_maybe(g, 30);
        snprintf(h->reason, sizeof h->reason, "子女就业稳定，家庭收入稳定");
        break;
    }
    default: { /* SIT_SINGLE_WORKER */
        struct person *p = gen_add_head(g, gen_chance(r, 60) ? 'M' : 'F', gen_between(r, 25, 59));
        p->work = gen_chance(r, 70) ? "employed" : "self_employed";
        snprintf(h->reason, sizeof h->reason, "已稳定就业");
        break;
    }
    }
    if (h->sit != SIT_SINGLE_WORKER || gen_chance(r, 50)) {
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

void
gen_plan_household(struct gen *g)
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
        gen_chance(r, 4)) {
        h->status = "dissolved";
        h->m[0].status = "deceased";
    } else if (gen_chance(r, 2)) {
        h->status = "moved";
        for (int i = 0; i < h->n; i++)
            if (strcmp(h->m[i].status, "deceased") != 0)
                h->m[i].status = "away";
    }

    static const int income_lo[] = {500, 1000, 2500}, income_hi[] = {1500, 3200, 7500};
    h->income_yuan = gen_between(r, income_lo[h->risk], income_hi[h->risk]);
    bool serious = false, chronic = false;
    for (int i = 0; i < h->n; i++) {
        serious |= h->m[i].serious;
        chronic |= h->m[i].illness[0] != '\0';
    }
    if (serious)
        h->medical_yuan =
            gen_chance(r, 30) ? gen_between(r, 50001, 150000) : gen_between(r, 10000, 48000);
    else if (chronic)
        h->medical_yuan = gen_between(r, 1000, 8000);
    else
        h->medical_yuan = gen_chance(r, 30) ? 0 : gen_between(r, 100, 1500);

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
        h->suits |= gen_person_suits(&h->m[i]);
        if (strcmp(h->m[i].status, "deceased") == 0)
            h->suits |= GEN_FOR_BEREAVED;
    }
    if (strcmp(h->housing, "poor") == 0 || strcmp(h->housing, "dangerous") == 0)
        h->suits |= GEN_FOR_HOUSING;

    if (h->risk == RISK_RED && gen_chance(r, 20))
        h->flags |= FLAG_ACUTE;
    if (gen_chance(r, 5))
        h->flags |= FLAG_HARD_TO_REACH;
    if (h->minority && gen_chance(r, 60))
        h->flags |= FLAG_INTERPRETER;
    if (gen_chance(r, 2))
        h->flags |= FLAG_DISASTER;

    h->phone[0] = '\0';
    if (gen_chance(r, h->sit == SIT_ELDERLY_ALONE ? 60 : 88))
        snprintf(h->phone, sizeof h->phone, "%s%08u", gen_pick(r, &gen_phone_prefixes),
                 (unsigned)gen_rng_below(r, 100000000));

    h->period = policy_defaults().visit_months[h->risk];
}

bool
gen_house_active(const struct house *h)
{
    return strcmp(h->status, "active") == 0;
}
