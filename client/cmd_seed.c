/*
 * doorstep seed-cache: fill a cache with the synthetic households of
 * core/gen, for the demo and for benchmarks. A developer's tool: the records
 * go through store_record_save like a worker's edits, so they are validated
 * and queued in the outbox.
 */
#include "client/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/gen.h"
#include "core/i18n.h"
#include "store/store.h"

/* A cap that keeps a typo from filling a disk; the county reference is 50,000. */
#define SEED_MAX_HOUSEHOLDS 1000000UL

enum { OPT_HOUSEHOLDS = 256, OPT_SEED };

struct seed_opts {
    unsigned long households;
    bool have_households;
    uint64_t seed;
};

static void
seed_help(const struct cli *cli)
{
    (void)cli;
    printf(_("Usage: doorstep seed-cache --households N [--seed S]\n"
             "\n"
             "Fills the cache (made if missing) with N synthetic households and their\n"
             "members, visits and needs, all assigned to one field worker. The same N\n"
             "and S give the same data. For the demo and benchmarks only: never run\n"
             "it on a cache with real data.\n"
             "\n"
             "  --households N  how many households, 0 to 1000000\n"
             "  --seed S        random seed, a whole number (default 1)\n"
             "\n"
             "Common options: --config FILE, --data-dir DIR, --passphrase-file FILE.\n"));
}

/* Whole decimal number, no sign, no blanks; false when not or above max. */
static bool
parse_count(const char *s, unsigned long long max, unsigned long long *out)
{
    unsigned long long n = 0;
    if (!s[0])
        return false;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned d = (unsigned)(*p - '0');
        if (n > (max - d) / 10)
            return false;
        n = n * 10 + d;
    }
    *out = n;
    return true;
}

static int
seed_option(void *ctx, int id, const char *arg)
{
    struct seed_opts *o = ctx;
    unsigned long long n;
    switch (id) {
    case OPT_HOUSEHOLDS:
        if (!parse_count(arg, SEED_MAX_HOUSEHOLDS, &n)) {
            cli_error(_("seed-cache: --households must be a whole number from 0 to %lu"),
                      SEED_MAX_HOUSEHOLDS);
            return CLI_EXIT_USAGE;
        }
        o->households = (unsigned long)n;
        o->have_households = true;
        return 0;
    case OPT_SEED:
        if (!parse_count(arg, UINT64_MAX, &n)) {
            cli_error(_("seed-cache: --seed must be a whole number"));
            return CLI_EXIT_USAGE;
        }
        o->seed = n;
        return 0;
    }
    return CLI_EXIT_USAGE;
}

struct seed_ctx {
    struct store *st;
    bool reported; /* a save failed and its line is printed */
};

static enum dp_status
save_record(void *ctx, const struct record *gen)
{
    struct seed_ctx *sc = ctx;
    struct dp_error err;
    struct record r = {0};

    /* Fields the server keeps (assignment, team) are not a client's to send. */
    enum dp_status rc = record_copy(&r, gen);
    for (size_t i = 0; rc == DP_OK && i < r.def->nfields; i++)
        if (r.def->fields[i].flags & FF_SERVER)
            rc = record_set_index(&r, (int)i, NULL);
    if (rc == DP_OK)
        rc = store_record_save(sc->st, &r, &err);
    else
        dp_error_set(&err, rc, NULL, NULL);
    if (rc != DP_OK) {
        /* The record id is a random UUID, never personal data. */
        cli_error(_("seed-cache: cannot save %s %s: %s"), gen->def->name, gen->values[0], err.msg);
        sc->reported = true;
    }
    record_done(&r);
    return rc;
}

int
cmd_seed_cache(struct cli *cli, int argc, char **argv)
{
    static const struct cli_option opts[] = {
        {"households", true, OPT_HOUSEHOLDS},
        {"seed", true, OPT_SEED},
    };
    struct seed_opts o = {.seed = 1};
    struct gen_options g;
    struct gen_stats stats;
    struct config cfg;
    struct store *st = NULL;
    struct dp_error err;
    int rc = cli_parse(cli, argc, argv, opts, 2, seed_option, &o, seed_help);

    if (rc >= 0)
        return rc;
    if (!o.have_households) {
        cli_error(_("seed-cache: --households N is required"));
        return CLI_EXIT_USAGE;
    }
    gen_options_init(&g);
    g.households = o.households;
    g.workers = 1;
    g.teams = 1;
    g.seed = o.seed;
    g.today = date_today();
    if (gen_options_check(&g, &err) != DP_OK) {
        cli_error(_("seed-cache: %s"), err.msg);
        return CLI_EXIT_USAGE;
    }
    if (!cli_load_config(cli, &cfg))
        return CLI_EXIT_USAGE;
    if (!cli_open_cache(&cfg, true, &st))
        return CLI_EXIT_FAIL;

    struct seed_ctx sc = {.st = st};
    dp_error_clear(&err);
    enum dp_status gst = gen_run(&g, save_record, &sc, &stats, &err);
    store_close(st);
    if (gst != DP_OK) {
        if (!sc.reported)
            cli_error(_("seed-cache: %s"), err.msg[0] ? err.msg : dp_strerror(gst));
        return CLI_EXIT_FAIL;
    }
    printf(_("Saved %lu households, %lu members, %lu visits, %lu needs in %s\n"), stats.households,
           stats.members, stats.visits, stats.needs, cfg.data_dir);
    return CLI_EXIT_OK;
}
