/*
 * sync_bench: the Doorstep client's own sync (sync/sync.h over store/),
 * against a running doorstep-server, into a fresh cache. Prints
 * "METRIC name value unit" lines for bench/run.sh.
 *
 *   sync_bench --data-dir NEW_DIR --url URL --cacert PEM --user NAME
 *              [--password TEXT] [--limit N --max-bytes N] [--prefix TEXT]
 *
 * Opens (creates) the cache, logs in, runs a first sync (push nothing, pull
 * everything, apply it), then a second sync with nothing to do. Times are
 * wall-clock in this process; requests and bytes are the sync engine's own
 * counts (HTTP level: headers and bodies as sent, TLS framing not counted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "sync/sync.h"

#define BENCH_PASSPHRASE "doorstep bench passphrase"

static const char *prefix = "client_";

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
metric(const char *name, double value, const char *unit)
{
    printf("METRIC %s%s %.3f %s\n", prefix, name, value, unit);
}

/* The engine's own running counts; the last call holds the totals of the sync. */
static struct sync_progress last;

static void
on_progress(void *ctx, const struct sync_progress *p)
{
    (void)ctx;
    last = *p;
}

static double
wire(const struct sync_result *res)
{
    int64_t r = res->bytes_sent + res->bytes_received;
    int64_t p = last.bytes_sent + last.bytes_received;
    return (double)(r > p ? r : p);
}

static void
fail(const char *what, const struct sync_result *res, const struct dp_error *err)
{
    fprintf(stderr, "sync_bench: %s: %s\n", what, res && res->message[0] ? res->message : err->msg);
    exit(1);
}

int
main(int argc, char **argv)
{
    const char *dir = NULL, *url = NULL, *cacert = NULL, *user = NULL;
    const char *password = "doorstep-demo";
    long limit = 0, max_bytes = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (strcmp(a, "--data-dir") == 0)
            dir = v;
        else if (strcmp(a, "--url") == 0)
            url = v;
        else if (strcmp(a, "--cacert") == 0)
            cacert = v;
        else if (strcmp(a, "--user") == 0)
            user = v;
        else if (strcmp(a, "--password") == 0)
            password = v;
        else if (strcmp(a, "--limit") == 0)
            limit = strtol(v, NULL, 10);
        else if (strcmp(a, "--max-bytes") == 0)
            max_bytes = strtol(v, NULL, 10);
        else if (strcmp(a, "--prefix") == 0)
            prefix = v;
        else
            dir = NULL;
    }
    if (!dir || !url || !cacert || !user || argc % 2 == 0) {
        fputs("usage: sync_bench --data-dir NEW_DIR --url URL --cacert PEM --user NAME\n"
              "                  [--password TEXT] [--limit N --max-bytes N] [--prefix TEXT]\n",
              stderr);
        return 2;
    }
    if (store_exists(dir)) {
        fprintf(stderr, "sync_bench: %s already holds a cache\n", dir);
        return 2;
    }

    struct store *st = NULL;
    struct dp_error err = {0};
    struct sync_options o;
    struct sync_result res;
    sync_options_init(&o);
    o.server_url = url;
    o.ca_file = cacert;
    o.app_version = "bench";
    o.pull_limit = limit;
    o.pull_max_bytes = max_bytes;
    o.progress = on_progress;

    double t0 = now_ms();
    if (store_open(dir, BENCH_PASSPHRASE, &st, &err) != DP_OK)
        fail("open", NULL, &err);
    double t1 = now_ms();
    memset(&res, 0, sizeof res);
    memset(&last, 0, sizeof last);
    if (sync_login(&o, st, user, password, &res, &err) != DP_OK)
        fail("login", &res, &err);
    double t2 = now_ms();
    long login_requests = res.requests;
    double login_bytes = wire(&res);

    memset(&res, 0, sizeof res);
    memset(&last, 0, sizeof last);
    if (sync_run(&o, st, &res, &err) != DP_OK)
        fail("first sync", &res, &err);
    double t3 = now_ms();
    struct household_filter all = {.sort = STORE_SORT_NAME};
    long households = 0;
    if (store_household_count(st, &all, &households, NULL, &err) != DP_OK)
        fail("count", NULL, &err);
    metric("open_ms", t1 - t0, "ms");
    metric("login_ms", t2 - t1, "ms");
    metric("login_requests", (double)login_requests, "count");
    metric("first_sync_ms", t3 - t2, "ms");
    metric("first_sync_requests", (double)res.requests, "count");
    metric("first_sync_requests_with_login", (double)(res.requests + login_requests), "count");
    metric("first_sync_pages", (double)res.pages, "count");
    metric("first_sync_records", (double)res.puts, "count");
    metric("first_sync_wire_bytes", wire(&res), "bytes");
    metric("first_sync_wire_bytes_with_login", wire(&res) + login_bytes, "bytes");
    metric("first_sync_apply_rate", res.puts > 0 ? (double)res.puts / (t3 - t2) * 1e3 : 0,
           "records/s");
    metric("cache_households", (double)households, "count");

    memset(&res, 0, sizeof res);
    memset(&last, 0, sizeof last);
    double t4 = now_ms();
    if (sync_run(&o, st, &res, &err) != DP_OK)
        fail("second sync", &res, &err);
    double t5 = now_ms();
    metric("noop_sync_ms", t5 - t4, "ms");
    metric("noop_sync_requests", (double)res.requests, "count");
    metric("noop_sync_wire_bytes", wire(&res), "bytes");
    metric("noop_sync_changes", (double)(res.puts + res.removes), "count");
    store_close(st);
    return 0;
}
