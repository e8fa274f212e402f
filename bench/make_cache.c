/*
 * make_cache: fill a Doorstep cache with generated households, the way a
 * first pull would leave it (working rows + base rows, no outbox), for the
 * benchmarks in bench/.
 *
 *   make_cache --dir DIR [--households N] [--workers N] [--history-months N]
 *              [--seed N] [--batch N] [--passphrase TEXT]
 *
 * DIR must not hold a cache yet. Prints one "key value" line per figure
 * (records, seconds, rate, file size) on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/gen.h"
#include "store/bulk.h"
#include "store/store.h"

#define BENCH_PASSPHRASE "doorstep bench passphrase"

struct load {
    struct store_bulk *bulk;
    struct dp_error *err;
};

static double
now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The generator's records carry no server version; a first pull gives every record v 1. */
static enum dp_status
emit(void *ctx, const struct record *r)
{
    struct load *l = ctx;
    struct record copy = *r;
    copy.v = 1;
    copy.deleted = false;
    return store_bulk_put(l->bulk, &copy, l->err);
}

static int
parse_num(const char *s, const char *what, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !end || *end || end == s || v < min || v > max) {
        fprintf(stderr, "make_cache: --%s wants a number from %ld to %ld\n", what, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

static void
usage(FILE *f)
{
    fputs("usage: make_cache --dir DIR [--households N] [--workers N] [--history-months N]\n"
          "                  [--seed N] [--batch N] [--passphrase TEXT]\n",
          f);
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"households", required_argument, NULL, 'n'},
        {"workers", required_argument, NULL, 'w'},
        {"history-months", required_argument, NULL, 'm'},
        {"seed", required_argument, NULL, 's'},
        {"batch", required_argument, NULL, 'b'},
        {"passphrase", required_argument, NULL, 'p'},
        {"cache-kib", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct gen_options go;
    struct gen_stats gs;
    struct store_bulk_options bo = {.batch = 0};
    struct dp_error err = {0};
    struct store *st = NULL;
    struct store_bulk *bulk = NULL;
    const char *dir = NULL, *pass = BENCH_PASSPHRASE;
    long v;
    int rc = 1, c;

    gen_options_init(&go);
    go.households = 500;
    go.workers = 1;
    go.history_months = 16;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 'n':
            if (parse_num(optarg, "households", 1, 10000000, &v))
                return 2;
            go.households = (unsigned long)v;
            break;
        case 'w':
            if (parse_num(optarg, "workers", 1, GEN_MAX_WORKERS, &v))
                return 2;
            go.workers = (unsigned)v;
            break;
        case 'm':
            if (parse_num(optarg, "history-months", 1, GEN_MAX_HISTORY_MONTHS, &v))
                return 2;
            go.history_months = (int)v;
            break;
        case 's':
            if (parse_num(optarg, "seed", 0, 1000000000L, &v))
                return 2;
            go.seed = (uint64_t)v;
            break;
        case 'b':
            if (parse_num(optarg, "batch", 0, 100000000L, &v))
                return 2;
            bo.batch = v;
            break;
        case 'p':
            pass = optarg;
            break;
        case 'k':
            if (parse_num(optarg, "cache-kib", 0, 4194304L, &v))
                return 2;
            bo.cache_kib = (int)v;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!dir || optind != argc) {
        usage(stderr);
        return 2;
    }
    if (go.teams > go.workers)
        go.teams = go.workers;
    if (gen_options_check(&go, &err) != DP_OK) {
        fprintf(stderr, "make_cache: %s: %s\n", err.field, err.msg);
        return 2;
    }
    if (store_exists(dir)) {
        fprintf(stderr, "make_cache: %s already holds a cache\n", dir);
        return 2;
    }

    double t0 = now_sec();
    if (store_open(dir, pass, &st, &err) != DP_OK)
        goto fail;
    /* Whose cache this is: the supervisor of the generated team, or its only worker. */
    char user[24];
    if (go.workers == 1)
        gen_worker_name(0, user, sizeof user);
    else
        gen_supervisor_name(0, user, sizeof user);
    if (store_meta_set(st, "user", user, &err) != DP_OK ||
        store_meta_set(st, "role", go.workers == 1 ? "worker" : "supervisor", &err) != DP_OK)
        goto fail;
    double t1 = now_sec();
    if (store_bulk_new(st, &bo, &bulk, &err) != DP_OK)
        goto fail;
    struct load l = {.bulk = bulk, .err = &err};
    if (gen_run(&go, emit, &l, &gs, &err) != DP_OK || store_bulk_finish(bulk, &err) != DP_OK)
        goto fail;
    double t2 = now_sec();
    store_bulk_free(bulk);
    bulk = NULL;
    store_close(st);
    st = NULL;
    double t3 = now_sec();

    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, STORE_FILE_NAME);
    long records = (long)(gs.households + gs.members + gs.visits + gs.needs);
    printf("households %lu\nmembers %lu\nvisits %lu\nneeds %lu\nrecords %ld\n", gs.households,
           gs.members, gs.visits, gs.needs, records);
    printf("open_seconds %.3f\nload_seconds %.3f\nclose_seconds %.3f\n", t1 - t0, t2 - t1, t3 - t2);
    printf("load_records_per_second %.0f\n", (double)records / (t2 - t1));
    if (stat(path, &sb) == 0)
        printf("file_bytes %lld\n", (long long)sb.st_size);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "make_cache: %s%s%s\n", err.field, err.field[0] ? ": " : "", err.msg);
out:
    store_bulk_free(bulk);
    store_close(st);
    return rc;
}
