/*
 * A generated household's history: its visits over the history window,
 * its needs, each visit's outcome and planned next visit, and the due date
 * that follows from them.
 */
#include "core/gen_internal.h"

#include <string.h>

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

void
gen_plan_visits(struct gen *g)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    const struct dp_date *today = &g->o->today;
    struct dp_date start = date_add_months(today, -g->o->history_months);
    long window = g->today_days - date_to_days(&start);
    int jitter = h->period == 1 ? 6 : 15;
    struct dp_date d, last_verification;
    bool joined_in_window = gen_chance(r, 40);

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
        d = add_days(&next, gen_between(r, -jitter, jitter));
    }
    /* Some households are overdue: the last planned visit did not happen. */
    if (h->nvisits >= 2 && strcmp(h->status, "active") == 0 && gen_chance(r, 8))
        h->nvisits--;

    long first_day = h->nvisits ? date_to_days(&h->visits[0].date) : g->today_days;
    bool deceased_earner = false;
    for (int i = 0; i < h->n; i++)
        deceased_earner |= h->m[i].main_earner && strcmp(h->m[i].status, "deceased") == 0;
    h->drop_pct = 0;
    h->drop_from = *today;
    if (h->nvisits && (deceased_earner || gen_chance(r, 3))) {
        long span = g->today_days - first_day;
        long back = span < 180 ? span : 180;
        struct dp_date when =
            date_from_days(g->today_days - (long)gen_rng_below(r, (uint32_t)back + 1));
        visit_cmp_insert(h, when, "emergency");
        if (deceased_earner) {
            /* The household lives on a fraction of what it had. */
            h->drop_from = when;
            h->drop_pct = gen_between(r, 30, 45);
        }
    }
}

void
gen_plan_needs(struct gen *g)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    h->nneeds = 0;
    if (strcmp(h->status, "active") != 0)
        return;
    int count;
    if (h->risk == RISK_RED)
        count = gen_between(r, 1, 3);
    else if (h->risk == RISK_YELLOW)
        count = gen_chance(r, 30) ? 0 : gen_between(r, 1, 2);
    else
        count = gen_chance(r, 25) ? 1 : 0;

    unsigned suits = h->suits;

    size_t cand[64], ncand = 0;
    for (size_t i = 0; i < gen_nneed_items && ncand < COUNT(cand); i++) {
        unsigned s = gen_need_items[i].suits;
        /* "Anyone" items are common filler; prefer items that fit someone in particular. */
        if ((s & suits & ~GEN_FOR_ANY) || (s == GEN_FOR_ANY && gen_chance(r, 40)))
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
                if (gen_person_suits(&h->m[m]) & personal) {
                    np->member = m;
                    break;
                }
            }
        }
    }
    /* Referred needs get a follow-up visit a couple of weeks after the last verification. */
    if (h->nneeds && gen_chance(r, 50)) {
        for (int i = h->nvisits - 1; i >= 0; i--) {
            if (strcmp(h->visits[i].kind, "verification") != 0)
                continue;
            struct dp_date d = add_days(&h->visits[i].date, gen_between(r, 7, 20));
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
void
gen_plan_outcomes(struct gen *g)
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
        vp->has_next = scheduled && (!last || gen_house_active(h));
        if (strcmp(vp->outcome, "completed") == 0) {
            latest_done = i;
            vp->next = date_add_months(&vp->date, h->period);
        } else {
            /* Nobody met: try again soon. */
            vp->next = add_days(&vp->date, gen_between(r, 7, 14));
        }
    }
    h->has_due = gen_house_active(h);
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
