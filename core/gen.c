/*
 * The generator's entry points (core/gen.h): options, worker and team
 * accounts, and the driver that makes one household after another from its
 * own random stream. What a household holds is made in the other gen_*.c
 * files (core/gen_internal.h says which does what).
 */
#include "core/gen.h"

#include <stdio.h>
#include <string.h>

#include "core/gen_internal.h"
#include "core/i18n.h"

#define MAX_HOUSEHOLDS  100000000UL
#define DEFAULT_TODAY_Y 2026
#define DEFAULT_TODAY_M 6
#define DEFAULT_TODAY_D 30

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

/* ---- Driving ------------------------------------------------------------------------------ */

static enum dp_status
gen_one(struct gen *g, unsigned long index)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;

    gen_rng_seed(r, gen_mix64(g->seed_mix ^ gen_mix64((uint64_t)index)));
    h->n = h->nvisits = h->nneeds = 0;
    h->cats = h->flags = 0;
    h->reason[0] = '\0';
    h->reason_before = NULL;
    gen_uuid(r, h->id);
    h->minority = gen_chance(r, 2);

    gen_draw_situation(g);
    gen_set_places(g, h, index);
    unsigned worker = gen_worker_of(g->o, index), team = gen_team_of(g->o, worker);
    gen_worker_name(worker, h->worker, sizeof h->worker);
    gen_team_name(team, h->team, sizeof h->team);
    gen_supervisor_name(team, h->supervisor, sizeof h->supervisor);

    gen_plan_household(g);
    gen_plan_visits(g);
    gen_plan_needs(g);
    gen_plan_outcomes(g);

    enum dp_status st = gen_emit_household(g);
    for (int i = 0; i < h->n && st == DP_OK; i++)
        st = gen_emit_member(g, &h->m[i]);
    for (int i = 0; i < h->nvisits && st == DP_OK; i++)
        st = gen_emit_visit(g, i);
    for (int i = 0; i < h->nneeds && st == DP_OK; i++)
        st = gen_emit_need(g, &h->needs[i]);
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
    g->seed_mix = gen_mix64(o->seed ^ UINT64_C(0x646f6f7273746570)); /* "doorstep" */
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
