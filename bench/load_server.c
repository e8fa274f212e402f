/*
 * load_server: drive a running doorstep-server over HTTPS with many
 * simulated devices (libcurl multi, one thread), for bench/run.sh and
 * docs/PERFORMANCE.md. It speaks docs/PROTOCOL.md directly (login, pull); it
 * is not the Doorstep client, so it measures the server and the protocol,
 * not the client's own apply or UI work. Output: "METRIC name value unit".
 *
 *   load_server first-sync --url URL --cacert PEM --user NAME
 *                          [--limit N] [--max-bytes N]
 *       one device's first sync (login, then pull pages until has_more is
 *       false), then one pull with nothing to do: time, requests, bytes, and
 *       the gzip size of the same rows as one compact JSON array.
 *   load_server noop --url URL --cacert PEM --workers W --clients N --seconds S
 *       N devices (as worker01..W in turn) log in, pull everything, then
 *       loop pulls with nothing to do for S seconds: requests, errors, latency.
 *   load_server storm --url URL --cacert PEM --workers W --export FILE
 *       W workers make their first sync at once; every record of their
 *       scope (from `doorstep-server export`) must arrive exactly once.
 *
 * Bytes are HTTP-level (headers and bodies as sent and received, bodies
 * gzip-compressed when the server compresses); TLS framing is not counted.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <curl/curl.h>
#include <zlib.h>

#include "core/gen.h"
#include "core/record.h"

#define MAX_LOGINS_IN_FLIGHT 8

struct opts {
    const char *url, *cacert, *user, *password, *export_path;
    long workers, clients, seconds, limit, max_bytes;
};

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
    printf("METRIC %s %.3f %s\n", name, value, unit);
}

static void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("load_server: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static char *
xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

/* ---- growing buffers and string lists --------------------------------------------------- */

struct buf {
    char *data;
    size_t len, cap;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 4096;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        char *bigger = realloc(b->data, ncap);
        if (!bigger) {
            fputs("load_server: out of memory\n", stderr);
            exit(1);
        }
        b->data = bigger;
        b->cap = ncap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

struct strs {
    char **v;
    size_t n, cap;
};

static void
strs_add(struct strs *s, const char *text)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 256;
        char **bigger = realloc(s->v, ncap * sizeof *bigger);
        if (!bigger) {
            fputs("load_server: out of memory\n", stderr);
            exit(1);
        }
        s->v = bigger;
        s->cap = ncap;
    }
    s->v[s->n++] = xstrdup(text);
}

static void
strs_free(struct strs *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct samples {
    double *v;
    size_t n, cap;
};

static void
samples_add(struct samples *s, double x)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 1024;
        double *bigger = realloc(s->v, ncap * sizeof *bigger);
        if (!bigger) {
            fputs("load_server: out of memory\n", stderr);
            exit(1);
        }
        s->v = bigger;
        s->cap = ncap;
    }
    s->v[s->n++] = x;
}

static double
percentile(struct samples *s, double p)
{
    if (s->n == 0)
        return 0;
    qsort(s->v, s->n, sizeof *s->v, cmp_double);
    size_t rank = (size_t)(p / 100.0 * (double)s->n + 0.999999);
    rank = rank < 1 ? 1 : rank > s->n ? s->n : rank;
    return s->v[rank - 1];
}

static void
samples_report(struct samples *s, const char *name)
{
    char key[96];
    const double ps[] = {50, 95, 99};
    const char *names[] = {"p50", "p95", "p99"};
    for (int i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "%s_%s", name, names[i]);
        metric(key, percentile(s, ps[i]), "ms");
    }
    snprintf(key, sizeof key, "%s_max", name);
    metric(key, s->n ? s->v[s->n - 1] : 0, "ms");
}

/* ---- one simulated device ---------------------------------------------------------------- */

enum cstate { C_WAIT_LOGIN, C_LOGIN, C_PULL, C_NOOP, C_DONE, C_FAILED };

struct client {
    char user[24];
    char device[37];
    char token[160];
    char cursor[160];
    enum cstate state;
    CURL *easy;
    struct curl_slist *hdrs;
    char *body;
    struct buf resp;
    double t_req;      /* when the request in flight started */
    double t_login;    /* when the login started */
    double first_sync; /* ms from login to the last page; 0 until done */
    long requests, pages, errors, records;
    double bytes_up, bytes_down;
    struct strs keys; /* "t rid" of every put received (storm) */
    struct buf rows;  /* delivered rows as a JSON array (first-sync) */
    bool keep_rows, keep_keys;
};

struct run {
    const struct opts *o;
    CURLM *multi;
    struct client *clients;
    long n;
    long logins_in_flight;
    double noop_until;   /* noop: stop looping after this time */
    struct samples noop; /* noop pull latencies */
    struct samples page; /* first-sync page latencies */
    long noop_nonempty;  /* no-op pulls that did bring changes */
    double noop_bytes;   /* bytes of the no-op pulls, both ways */
    long noop_requests;
    bool login_only;       /* stop each client after its login (storm phase 1) */
    long in_flight;        /* requests added and not yet finished */
    long transport_errors; /* curl failures (connection, TLS, timeout) */
    long http_errors;      /* answers other than 200 */
};

static size_t
on_body(char *p, size_t size, size_t n, void *ctx)
{
    buf_add(ctx, p, size * n);
    return size * n;
}

static void
request(struct run *r, struct client *c, const char *path, char *json)
{
    char url[512], auth[200];
    snprintf(url, sizeof url, "%s%s", r->o->url, path);
    if (!c->easy) {
        c->easy = curl_easy_init();
        if (!c->easy) {
            fputs("load_server: curl_easy_init failed\n", stderr);
            exit(1);
        }
    } else {
        curl_multi_remove_handle(r->multi, c->easy);
    }
    curl_slist_free_all(c->hdrs);
    c->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    if (c->token[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
        c->hdrs = curl_slist_append(c->hdrs, auth);
    }
    free(c->body);
    c->body = json;
    c->resp.len = 0;
    curl_easy_setopt(c->easy, CURLOPT_URL, url);
    curl_easy_setopt(c->easy, CURLOPT_CAINFO, r->o->cacert);
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->hdrs);
    curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, c->body);
    curl_easy_setopt(c->easy, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &c->resp);
    curl_easy_setopt(c->easy, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
    curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
    c->t_req = now_ms();
    c->requests++;
    r->in_flight++;
    CURLMcode mc = curl_multi_add_handle(r->multi, c->easy);
    if (mc != CURLM_OK) {
        fprintf(stderr, "load_server: %s\n", curl_multi_strerror(mc));
        exit(1);
    }
}

static void
start_login(struct run *r, struct client *c)
{
    char *json = xmalloc(512);
    snprintf(json, 512, "{\"username\":\"%s\",\"password\":\"%s\",\"device_id\":\"%s\"}", c->user,
             r->o->password, c->device);
    c->state = C_LOGIN;
    c->token[0] = '\0';
    c->t_login = now_ms();
    r->logins_in_flight++;
    request(r, c, "/sync/v1/login", json);
}

static void
start_pull(struct run *r, struct client *c)
{
    char *json = xmalloc(768), cur[200], extra[96] = "";
    if (c->cursor[0])
        snprintf(cur, sizeof cur, "\"%s\"", c->cursor);
    else
        snprintf(cur, sizeof cur, "null");
    if (r->o->limit > 0 && r->o->max_bytes > 0)
        snprintf(extra, sizeof extra, ",\"limit\":%ld,\"max_bytes\":%ld", r->o->limit,
                 r->o->max_bytes);
    snprintf(json, 768, "{\"protocol\":1,\"schema\":\"%s\",\"device_id\":\"%s\",\"cursor\":%s%s}",
             SCHEMA_NAME, c->device, cur, extra);
    request(r, c, "/sync/v1/pull", json);
}

static void
start_next_login(struct run *r)
{
    for (long i = 0; i < r->n && r->logins_in_flight < MAX_LOGINS_IN_FLIGHT; i++)
        if (r->clients[i].state == C_WAIT_LOGIN)
            start_login(r, &r->clients[i]);
}

/* A pull page: note its changes, keep the cursor; true when more pages follow. */
static bool
take_page(struct client *c, const cJSON *page, long *nchanges)
{
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(page, "cursor");
    const cJSON *more = cJSON_GetObjectItemCaseSensitive(page, "has_more");
    const cJSON *changes = cJSON_GetObjectItemCaseSensitive(page, "changes");
    const cJSON *ch;
    *nchanges = 0;
    if (cJSON_IsString(cur))
        snprintf(c->cursor, sizeof c->cursor, "%s", cur->valuestring);
    cJSON_ArrayForEach(ch, changes)
    {
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(ch, "op");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(ch, "t");
        const cJSON *rid = cJSON_GetObjectItemCaseSensitive(ch, "rid");
        (*nchanges)++;
        c->records += cJSON_IsString(op) && strcmp(op->valuestring, "put") == 0;
        if (!cJSON_IsString(op) || strcmp(op->valuestring, "put") != 0 || !cJSON_IsString(t) ||
            !cJSON_IsString(rid))
            continue;
        if (c->keep_keys) {
            char key[80];
            snprintf(key, sizeof key, "%s %s", t->valuestring, rid->valuestring);
            strs_add(&c->keys, key);
        }
        if (c->keep_rows) {
            char *row = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(ch, "row"));
            if (row) {
                buf_add(&c->rows, c->rows.len ? "," : "[", 1);
                buf_add(&c->rows, row, strlen(row));
                free(row);
            }
        }
    }
    return cJSON_IsTrue(more);
}

static void
finished(struct run *r, CURLMsg *msg)
{
    struct client *c = NULL;
    long code = 0;
    curl_off_t up = 0, down = 0;
    long hdr_down = 0, req_hdr = 0;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
    curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(msg->easy_handle, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(msg->easy_handle, CURLINFO_SIZE_DOWNLOAD_T, &down);
    curl_easy_getinfo(msg->easy_handle, CURLINFO_HEADER_SIZE, &hdr_down);
    curl_easy_getinfo(msg->easy_handle, CURLINFO_REQUEST_SIZE, &req_hdr);
    double ms = now_ms() - c->t_req;
    r->in_flight--;
    double bytes_up = (double)up + (double)req_hdr, bytes_down = (double)down + (double)hdr_down;
    c->bytes_up += bytes_up;
    c->bytes_down += bytes_down;
    bool was_login = c->state == C_LOGIN;
    if (was_login)
        r->logins_in_flight--;

    if (msg->data.result != CURLE_OK || code != 200) {
        if (msg->data.result != CURLE_OK) {
            r->transport_errors++;
            fprintf(stderr, "load_server: %s: %s\n", c->user, curl_easy_strerror(msg->data.result));
        } else {
            r->http_errors++;
            fprintf(stderr, "load_server: %s: HTTP %ld\n", c->user, code);
        }
        c->errors++;
        /* A no-op loop goes on (that is what the bar counts); anything else gives up. */
        if (c->state == C_NOOP && now_ms() < r->noop_until)
            start_pull(r, c);
        else
            c->state = C_FAILED;
        if (was_login)
            start_next_login(r);
        return;
    }
    cJSON *root = cJSON_ParseWithLength(c->resp.data ? c->resp.data : "", c->resp.len);
    if (!root) {
        r->http_errors++;
        c->errors++;
        c->state = C_FAILED;
        fprintf(stderr, "load_server: %s: unparsable answer\n", c->user);
        if (was_login)
            start_next_login(r);
        return;
    }
    if (was_login) {
        const cJSON *tok = cJSON_GetObjectItemCaseSensitive(root, "token");
        if (cJSON_IsString(tok))
            snprintf(c->token, sizeof c->token, "%s", tok->valuestring);
        if (r->login_only) {
            c->state = C_DONE;
        } else {
            c->state = C_PULL;
            start_pull(r, c);
        }
        start_next_login(r);
    } else if (c->state == C_PULL) {
        long nch = 0;
        samples_add(&r->page, ms);
        c->pages++;
        if (take_page(c, root, &nch)) {
            start_pull(r, c);
        } else {
            c->first_sync = now_ms() - c->t_login;
            if (r->noop_until > 0 && now_ms() < r->noop_until) {
                c->state = C_NOOP;
                start_pull(r, c);
            } else {
                c->state = C_DONE;
            }
        }
    } else if (c->state == C_NOOP) {
        long nch = 0;
        take_page(c, root, &nch);
        samples_add(&r->noop, ms);
        r->noop_requests++;
        r->noop_bytes += bytes_up + bytes_down;
        r->noop_nonempty += nch > 0;
        if (now_ms() < r->noop_until)
            start_pull(r, c);
        else
            c->state = C_DONE;
    }
    cJSON_Delete(root);
}

static void
run_init(struct run *r, const struct opts *o, long n)
{
    memset(r, 0, sizeof *r);
    r->o = o;
    r->n = n;
    r->clients = calloc((size_t)n, sizeof *r->clients);
    r->multi = curl_multi_init();
    if (!r->clients || !r->multi) {
        fputs("load_server: out of memory\n", stderr);
        exit(1);
    }
    curl_multi_setopt(r->multi, CURLMOPT_MAXCONNECTS, n + 16);
    for (long i = 0; i < n; i++) {
        struct client *c = &r->clients[i];
        record_new_id(c->device, sizeof c->device);
        c->state = C_WAIT_LOGIN;
    }
}

/*
 * Until every request has finished. (curl's running-handles count is not
 * used: a handle re-added while its connection goes back to the pool can be
 * left out of it, which ended the loop early.)
 */
static void
run_loop(struct run *r)
{
    int running = 0;
    start_next_login(r);
    while (r->in_flight > 0) {
        CURLMcode mc = curl_multi_perform(r->multi, &running);
        if (mc != CURLM_OK) {
            fprintf(stderr, "load_server: %s\n", curl_multi_strerror(mc));
            exit(1);
        }
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(r->multi, &left)))
            if (msg->msg == CURLMSG_DONE)
                finished(r, msg);
        if (r->in_flight > 0)
            curl_multi_poll(r->multi, NULL, 0, 100, NULL);
    }
}

static void
run_done(struct run *r)
{
    for (long i = 0; i < r->n; i++) {
        struct client *c = &r->clients[i];
        if (c->easy) {
            curl_multi_remove_handle(r->multi, c->easy);
            curl_easy_cleanup(c->easy);
        }
        curl_slist_free_all(c->hdrs);
        free(c->body);
        free(c->resp.data);
        free(c->rows.data);
        strs_free(&c->keys);
    }
    free(r->clients);
    free(r->noop.v);
    free(r->page.v);
    curl_multi_cleanup(r->multi);
}

/* ---- the modes ------------------------------------------------------------------------------ */

/* Size of `data` compressed as gzip at zlib's default level (what `gzip` does). */
static size_t
gzip_size(const char *data, size_t len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    size_t cap = deflateBound(&z, (uLong)len);
    unsigned char *out = xmalloc(cap);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    size_t n = rc == Z_STREAM_END ? z.total_out : 0;
    deflateEnd(&z);
    free(out);
    return n;
}

static int
mode_first_sync(const struct opts *o)
{
    struct run r;
    run_init(&r, o, 1);
    struct client *c = &r.clients[0];
    snprintf(c->user, sizeof c->user, "%s", o->user);
    c->keep_rows = true;
    run_loop(&r);
    if (c->state != C_DONE) {
        fprintf(stderr, "load_server: the first sync did not complete (state %d, %ld requests)\n",
                (int)c->state, c->requests);
        return 1;
    }
    buf_add(&c->rows, c->rows.len ? "]" : "[]", c->rows.len ? 1 : 2);
    size_t gz = gzip_size(c->rows.data, c->rows.len);
    double wire = c->bytes_up + c->bytes_down;
    metric("first_sync_ms", c->first_sync, "ms");
    metric("first_sync_requests", (double)c->requests, "count");
    metric("first_sync_pages", (double)c->pages, "count");
    metric("first_sync_records", (double)c->records, "count");
    metric("first_sync_wire_bytes", wire, "bytes");
    metric("first_sync_rows_json_bytes", (double)c->rows.len, "bytes");
    metric("first_sync_rows_json_gzip_bytes", (double)gz, "bytes");
    metric("first_sync_wire_vs_gzip", gz ? wire / (double)gz : 0, "x");

    /* Then a sync with nothing to do: one pull with the cursor. */
    double up0 = c->bytes_up, down0 = c->bytes_down;
    long req0 = c->requests;
    c->state = C_NOOP;
    r.noop_until = now_ms(); /* one request, no loop */
    start_pull(&r, c);
    run_loop(&r);
    metric("noop_sync_requests", (double)(c->requests - req0), "count");
    metric("noop_sync_wire_bytes", c->bytes_up + c->bytes_down - up0 - down0, "bytes");
    metric("noop_sync_ms", r.noop.n ? r.noop.v[0] : 0, "ms");
    metric("first_sync_errors", (double)(r.http_errors + r.transport_errors), "count");
    run_done(&r);
    return 0;
}

static int
mode_noop(const struct opts *o)
{
    struct run r;
    run_init(&r, o, o->clients);
    for (long i = 0; i < r.n; i++)
        gen_worker_name((unsigned)(i % o->workers), r.clients[i].user, sizeof r.clients[i].user);
    /* Phase 1: everyone logs in and makes a first sync; the timed loop starts once all are in. */
    double t0 = now_ms();
    r.noop_until = 0;
    run_loop(&r);
    double setup = now_ms() - t0;
    long ready = 0;
    for (long i = 0; i < r.n; i++)
        ready += r.clients[i].state == C_DONE;
    metric("noop_clients", (double)r.n, "count");
    metric("noop_clients_ready", (double)ready, "count");
    metric("noop_setup_seconds", setup / 1e3, "s");
    long setup_errors = r.http_errors + r.transport_errors;
    r.http_errors = r.transport_errors = 0;

    /* Phase 2: every ready client loops no-op pulls, all at once. */
    r.noop_until = now_ms() + (double)o->seconds * 1e3;
    double t1 = now_ms();
    for (long i = 0; i < r.n; i++)
        if (r.clients[i].state == C_DONE) {
            r.clients[i].state = C_NOOP;
            start_pull(&r, &r.clients[i]);
        }
    run_loop(&r);
    double secs = (now_ms() - t1) / 1e3;
    metric("noop_seconds", secs, "s");
    metric("noop_requests", (double)r.noop_requests, "count");
    metric("noop_requests_per_second", (double)r.noop_requests / secs, "req/s");
    metric("noop_errors", (double)(r.http_errors + r.transport_errors), "count");
    metric("noop_setup_errors", (double)setup_errors, "count");
    metric("noop_nonempty_answers", (double)r.noop_nonempty, "count");
    metric("noop_bytes_per_request", r.noop_requests ? r.noop_bytes / (double)r.noop_requests : 0,
           "bytes");
    samples_report(&r.noop, "noop_latency");
    run_done(&r);
    return 0;
}

/* Worker index of "worker07" (0-based), or -1. */
static long
worker_index(const char *name)
{
    if (strncmp(name, "worker", 6) != 0)
        return -1;
    char *end = NULL;
    long v = strtol(name + 6, &end, 10);
    return end && !*end && v >= 1 ? v - 1 : -1;
}

/* From an export: per worker, the sorted "t rid" keys of every live record in their scope. */
static struct strs *
expected_from_export(const char *path, long workers)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "load_server: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    struct strs hh = {0};   /* "hid worker" lines, sorted for lookup */
    struct strs recs = {0}; /* "hid t rid" of every live record */
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *o = cJSON_Parse(line);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "t");
        const cJSON *row = cJSON_GetObjectItemCaseSensitive(o, "row");
        const cJSON *del = cJSON_GetObjectItemCaseSensitive(o, "deleted");
        if (cJSON_IsString(t) && cJSON_IsObject(row) && !cJSON_IsTrue(del)) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(row, "id");
            const cJSON *hid = cJSON_GetObjectItemCaseSensitive(row, "household_id");
            const cJSON *to = cJSON_GetObjectItemCaseSensitive(row, "assigned_to");
            char text[160];
            if (strcmp(t->valuestring, "household") == 0 && cJSON_IsString(id)) {
                snprintf(text, sizeof text, "%s %s", id->valuestring,
                         cJSON_IsString(to) ? to->valuestring : "");
                strs_add(&hh, text);
                hid = id;
            }
            if (cJSON_IsString(id) && cJSON_IsString(hid)) {
                snprintf(text, sizeof text, "%s %s %s", hid->valuestring, t->valuestring,
                         id->valuestring);
                strs_add(&recs, text);
            }
        }
        cJSON_Delete(o);
    }
    free(line);
    fclose(f);
    qsort(hh.v, hh.n, sizeof *hh.v, cmp_str);
    struct strs *per = calloc((size_t)workers, sizeof *per);
    if (!per)
        exit(1);
    for (size_t i = 0; i < recs.n; i++) {
        char hid[40];
        snprintf(hid, sizeof hid, "%.36s", recs.v[i]);
        /* Binary search for "hid " among the household lines. */
        size_t lo = 0, hi = hh.n;
        long w = -1;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            int c = strncmp(hh.v[mid], hid, 36);
            if (c == 0) {
                w = worker_index(hh.v[mid] + 37);
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (w >= 0 && w < workers)
            strs_add(&per[w], recs.v[i] + 37);
    }
    for (long w = 0; w < workers; w++)
        qsort(per[w].v, per[w].n, sizeof *per[w].v, cmp_str);
    strs_free(&hh);
    strs_free(&recs);
    return per;
}

static int
mode_storm(const struct opts *o)
{
    struct strs *want = expected_from_export(o->export_path, o->workers);
    struct run r;
    run_init(&r, o, o->workers);
    for (long i = 0; i < r.n; i++) {
        gen_worker_name((unsigned)i, r.clients[i].user, sizeof r.clients[i].user);
        r.clients[i].keep_keys = true;
    }
    /* Phase 1: logins (argon2id, paced); phase 2: every worker's first pull at once. */
    double t0 = now_ms();
    r.login_only = true;
    run_loop(&r);
    metric("storm_login_seconds", (now_ms() - t0) / 1e3, "s");
    r.login_only = false;
    t0 = now_ms();
    for (long i = 0; i < r.n; i++) {
        struct client *c = &r.clients[i];
        if (c->state != C_DONE)
            continue;
        c->state = C_PULL;
        c->t_login = t0;
        start_pull(&r, c);
    }
    run_loop(&r);
    double secs = (now_ms() - t0) / 1e3;
    long complete = 0, dupes = 0, missing = 0, extra = 0, expected = 0, delivered = 0;
    struct samples syncs = {0};
    for (long i = 0; i < r.n; i++) {
        struct client *c = &r.clients[i];
        struct strs *got = &c->keys;
        qsort(got->v, got->n, sizeof *got->v, cmp_str);
        for (size_t k = 1; k < got->n; k++)
            dupes += strcmp(got->v[k - 1], got->v[k]) == 0;
        /* Merge the two sorted lists. */
        size_t a = 0, b = 0;
        while (a < got->n || b < want[i].n) {
            int cmp = a == got->n ? 1 : b == want[i].n ? -1 : strcmp(got->v[a], want[i].v[b]);
            if (cmp == 0) {
                a++;
                b++;
            } else if (cmp < 0) {
                if (!(a > 0 && strcmp(got->v[a], got->v[a - 1]) == 0))
                    extra++;
                a++;
            } else {
                missing++;
                b++;
            }
        }
        expected += (long)want[i].n;
        delivered += (long)got->n;
        complete += c->state == C_DONE;
        if (c->state == C_DONE)
            samples_add(&syncs, c->first_sync);
    }
    metric("storm_workers", (double)r.n, "count");
    metric("storm_workers_complete", (double)complete, "count");
    metric("storm_seconds", secs, "s");
    metric("storm_records_expected", (double)expected, "count");
    metric("storm_records_delivered", (double)delivered, "count");
    metric("storm_duplicates", (double)dupes, "count");
    metric("storm_missing", (double)missing, "count");
    metric("storm_unexpected", (double)extra, "count");
    metric("storm_errors", (double)(r.http_errors + r.transport_errors), "count");
    samples_report(&syncs, "storm_first_sync");
    samples_report(&r.page, "storm_page");
    free(syncs.v);
    for (long w = 0; w < o->workers; w++)
        strs_free(&want[w]);
    free(want);
    run_done(&r);
    return 0;
}

static void
usage(FILE *f)
{
    fputs("usage: load_server first-sync --url URL --cacert PEM --user NAME [--limit N"
          " --max-bytes N]\n"
          "       load_server noop --url URL --cacert PEM --workers W --clients N --seconds S\n"
          "       load_server storm --url URL --cacert PEM --workers W --export FILE\n"
          "  all take --password TEXT (default doorstep-demo)\n",
          f);
}

static long
num_arg(const char *s)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0) {
        fprintf(stderr, "load_server: %s: want a number\n", s);
        exit(2);
    }
    return v;
}

int
main(int argc, char **argv)
{
    struct opts o = {.password = "doorstep-demo", .workers = 1, .clients = 1, .seconds = 10};
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *mode = argv[1];
    for (int i = 2; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            usage(stderr);
            return 2;
        }
        if (strcmp(a, "--url") == 0)
            o.url = v;
        else if (strcmp(a, "--cacert") == 0)
            o.cacert = v;
        else if (strcmp(a, "--user") == 0)
            o.user = v;
        else if (strcmp(a, "--password") == 0)
            o.password = v;
        else if (strcmp(a, "--export") == 0)
            o.export_path = v;
        else if (strcmp(a, "--workers") == 0)
            o.workers = num_arg(v);
        else if (strcmp(a, "--clients") == 0)
            o.clients = num_arg(v);
        else if (strcmp(a, "--seconds") == 0)
            o.seconds = num_arg(v);
        else if (strcmp(a, "--limit") == 0)
            o.limit = num_arg(v);
        else if (strcmp(a, "--max-bytes") == 0)
            o.max_bytes = num_arg(v);
        else {
            usage(stderr);
            return 2;
        }
    }
    if (!o.url || !o.cacert || o.workers < 1 || o.clients < 1) {
        usage(stderr);
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    int rc = 2;
    if (strcmp(mode, "first-sync") == 0 && o.user)
        rc = mode_first_sync(&o);
    else if (strcmp(mode, "noop") == 0)
        rc = mode_noop(&o);
    else if (strcmp(mode, "storm") == 0 && o.export_path)
        rc = mode_storm(&o);
    else
        usage(stderr);
    curl_global_cleanup();
    return rc;
}
