/*
 * The sync engine (sync/sync.h) and the worker (sync/worker.h) against a
 * small in-process model of the protocol server on loopback, with faults:
 * HTML and garbage answers, cut-off and stalled transfers, 500/429/503 with
 * Retry-After, lost push answers, an expired token, oversized pages, resets
 * and a server that lost mutations. After every failed step the cache must
 * be as the last good step left it, and the next sync must finish the job.
 * The real server is exercised by the scripts in tests/sync/.
 */
#include "sync/sync.h"

#include <arpa/inet.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <cJSON.h>

#include "store/store.h"
#include "store/sync_store.h"
#include "sync/worker.h"
#include "tests/unit/test.h"

#define PASS   "correct horse battery staple"
#define USER   "wang.fang"
#define PW     "secret-pw"
#define TOKEN  "tok_model_0123456789abcdef"
#define MAX_HH 64

/* ---- the model server ---------------------------------------------------------------------- */

enum fault {
    F_NONE,
    F_STATUS,   /* answer `status` with a problem body (and Retry-After when ra >= 0) */
    F_HTML,     /* 200 text/html */
    F_GARBAGE,  /* 200 application/json, not JSON */
    F_TRUNCATE, /* process, then send half the answer and close */
    F_DROP,     /* process (commit), then close without answering */
    F_STALL,    /* process, then send the head and stay silent */
    F_HUGE,     /* 200 with a 3 MiB JSON body */
    F_EXPIRED,  /* 401 token-expired */
};

struct fault_rule {
    char path[16]; /* "push", "pull", "hello", "login" */
    int skip;      /* let this many matching requests through first */
    int times;     /* then fault this many */
    enum fault what;
    int status;
    int ra;        /* Retry-After seconds, -1 none */
    int min_batch; /* push: only when the batch has at least this many mutations */
};

struct hh {
    char rid[37];
    int64_t v;
    int64_t seq;
    char phone[16];
    char name[64];
    bool in_scope;
};

static struct {
    pthread_mutex_t lock;
    struct hh hh[MAX_HH];
    int nhh;
    int64_t seq;
    int64_t last_mid;
    char results[4096][64]; /* stored result status by mid */
    char epoch[16];
    struct fault_rule rules[8];
    int nrules;
    int seen[8];
    int requests[5]; /* login hello push pull other */
    int connections;
    int applied_total; /* mutations applied (not replays) */
    char last_idem[256];
    int idem_repeats;     /* pushes that reused the previous Idempotency-Key */
    int64_t clock_offset; /* seconds added to the server_time the model reports */
    char accepted[16];    /* the one schema the model takes */
    int fd, port;
    atomic_int stop;
    pthread_t thread;
} M;

static void
model_reset(int households)
{
    pthread_mutex_lock(&M.lock);
    memset(M.hh, 0, sizeof M.hh);
    M.nhh = 0;
    M.seq = 0;
    M.last_mid = 0;
    memset(M.results, 0, sizeof M.results);
    snprintf(M.epoch, sizeof M.epoch, "e1");
    M.nrules = 0;
    memset(M.seen, 0, sizeof M.seen);
    memset(M.requests, 0, sizeof M.requests);
    M.applied_total = 0;
    M.idem_repeats = 0;
    M.last_idem[0] = '\0';
    M.clock_offset = 0;
    snprintf(M.accepted, sizeof M.accepted, "hh-1");
    for (int i = 0; i < households; i++) {
        struct hh *h = &M.hh[M.nhh++];
        snprintf(h->rid, sizeof h->rid, "a%07d-1111-4111-8111-111111111111", i);
        h->v = 1;
        h->seq = ++M.seq;
        snprintf(h->phone, sizeof h->phone, "138%08d", i);
        static const char *const given[] = {"一", "二", "三", "四", "五", "六", "七", "八"};
        snprintf(h->name, sizeof h->name, "王%s%s", given[i % 8], given[(i / 8) % 8]);
        h->in_scope = true;
    }
    pthread_mutex_unlock(&M.lock);
}

static void
fault_add(const char *path, int skip, int times, enum fault what, int status, int ra)
{
    pthread_mutex_lock(&M.lock);
    struct fault_rule *r = &M.rules[M.nrules++];
    memset(r, 0, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", path);
    r->skip = skip;
    r->times = times;
    r->what = what;
    r->status = status;
    r->ra = ra;
    pthread_mutex_unlock(&M.lock);
}

static struct hh *
find_hh(const char *rid)
{
    for (int i = 0; i < M.nhh; i++)
        if (strcmp(M.hh[i].rid, rid) == 0)
            return &M.hh[i];
    return NULL;
}

static cJSON *
hh_row(const struct hh *h)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "id", h->rid);
    cJSON_AddStringToObject(r, "head_name", h->name);
    cJSON_AddStringToObject(r, "village", "石桥村");
    cJSON_AddStringToObject(r, "township", "青山镇");
    cJSON_AddStringToObject(r, "risk", "green");
    cJSON_AddStringToObject(r, "status", "active");
    cJSON_AddStringToObject(r, "phone", h->phone);
    cJSON_AddStringToObject(r, "assigned_to", USER);
    cJSON_AddStringToObject(r, "team", "dongshan");
    return r;
}

struct answer {
    int status;
    const char *ct;
    char extra[128];
    char *body;
    enum fault after; /* F_TRUNCATE, F_DROP, F_STALL or F_NONE */
};

static void
problem(struct answer *a, int status, const char *code)
{
    char b[256];
    snprintf(b, sizeof b, "{\"type\":\"urn:doorstep:problem:%s\",\"code\":\"%s\",\"status\":%d}",
             code, code, status);
    a->status = status;
    a->ct = "application/problem+json";
    a->body = strdup(b);
}

static void
ok_json(struct answer *a, cJSON *doc)
{
    a->status = 200;
    a->ct = "application/json";
    a->body = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
}

static void
server_time(cJSON *d)
{
    char now[32];
    time_t t = time(NULL) + (time_t)M.clock_offset;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(d, "server_time", now);
}

/* The schema check every request of the real server makes (PROTOCOL.md 13). */
static bool
schema_refused(const cJSON *rq, struct answer *a)
{
    const cJSON *sc = cJSON_GetObjectItem(rq, "schema");
    if (!cJSON_IsString(sc) || strcmp(sc->valuestring, M.accepted) == 0)
        return false;
    char b[320];
    snprintf(b, sizeof b,
             "{\"type\":\"urn:doorstep:problem:version-not-supported\","
             "\"code\":\"version-not-supported\",\"status\":400,\"version_type\":\"schema\","
             "\"accepted\":[\"%s\"]}",
             M.accepted);
    a->status = 400;
    a->ct = "application/problem+json";
    a->body = strdup(b);
    return true;
}

static void
do_login(const cJSON *rq, struct answer *a)
{
    const cJSON *u = cJSON_GetObjectItem(rq, "username"), *p = cJSON_GetObjectItem(rq, "password");
    if (!cJSON_IsString(u) || !cJSON_IsString(p) || strcmp(u->valuestring, USER) != 0 ||
        strcmp(p->valuestring, PW) != 0) {
        problem(a, 401, "bad-credentials");
        return;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "token", TOKEN);
    cJSON_AddStringToObject(d, "token_type", "Bearer");
    cJSON_AddNumberToObject(d, "expires_in", 3600);
    cJSON *user = cJSON_AddObjectToObject(d, "user");
    cJSON_AddStringToObject(user, "name", USER);
    cJSON_AddStringToObject(user, "role", "worker");
    cJSON_AddStringToObject(user, "team", "dongshan");
    cJSON_AddStringToObject(d, "epoch", M.epoch);
    server_time(d);
    ok_json(a, d);
}

static void
do_hello(struct answer *a)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "protocol", 1);
    cJSON *acc = cJSON_AddArrayToObject(d, "schema_accepted");
    cJSON_AddItemToArray(acc, cJSON_CreateString(M.accepted));
    cJSON_AddStringToObject(d, "schema_current", M.accepted);
    server_time(d);
    cJSON_AddStringToObject(d, "epoch", M.epoch);
    cJSON *dev = cJSON_AddObjectToObject(d, "device");
    cJSON_AddBoolToObject(dev, "known", M.last_mid > 0);
    cJSON_AddNumberToObject(dev, "last_mid", (double)M.last_mid);
    ok_json(a, d);
}

static void
do_push(const cJSON *rq, struct answer *a)
{
    const cJSON *ms = cJSON_GetObjectItem(rq, "mutations");
    cJSON *d = cJSON_CreateObject();
    cJSON *results = cJSON_CreateArray();
    cJSON *stopped = NULL;
    const cJSON *m;
    cJSON_ArrayForEach(m, ms)
    {
        int64_t mid = (int64_t)cJSON_GetObjectItem(m, "mid")->valuedouble;
        cJSON *r = cJSON_CreateObject();
        cJSON_AddNumberToObject(r, "mid", (double)mid);
        if (mid <= M.last_mid) {
            cJSON_AddStringToObject(r, "status", M.results[mid]);
            cJSON_AddBoolToObject(r, "replayed", true);
            if (strcmp(M.results[mid], "rejected") == 0)
                cJSON_AddStringToObject(r, "reason", "invalid");
            cJSON_AddItemToArray(results, r);
            continue;
        }
        if (mid > M.last_mid + 1) {
            cJSON_Delete(r);
            stopped = cJSON_CreateObject();
            cJSON_AddStringToObject(stopped, "reason", "gap");
            cJSON_AddNumberToObject(stopped, "expected_mid", (double)(M.last_mid + 1));
            break;
        }
        const char *op = cJSON_GetObjectItem(m, "op")->valuestring;
        const char *rid = cJSON_GetObjectItem(m, "rid")->valuestring;
        const cJSON *set = cJSON_GetObjectItem(m, "set");
        const cJSON *phone = cJSON_GetObjectItem(set, "phone");
        const cJSON *name = cJSON_GetObjectItem(set, "head_name");
        struct hh *h = find_hh(rid);
        const char *status = "applied";
        if (phone && cJSON_IsString(phone) && strcmp(phone->valuestring, "13000000000") == 0) {
            status = "rejected";
            cJSON_AddStringToObject(r, "reason", "invalid");
            cJSON_AddStringToObject(r, "field", "phone");
            cJSON_AddStringToObject(r, "message", "number not in service");
        } else if (strcmp(op, "create") == 0 && !h && M.nhh < MAX_HH) {
            h = &M.hh[M.nhh++];
            snprintf(h->rid, sizeof h->rid, "%s", rid);
            h->v = 1;
            h->in_scope = true;
            snprintf(h->phone, sizeof h->phone, "%s", phone ? phone->valuestring : "");
            snprintf(h->name, sizeof h->name, "%s", name ? name->valuestring : "");
            h->seq = ++M.seq;
            M.applied_total++;
            cJSON_AddNumberToObject(r, "v", 1);
        } else if (strcmp(op, "update") == 0 && h) {
            if (phone)
                snprintf(h->phone, sizeof h->phone, "%s", phone->valuestring);
            if (name)
                snprintf(h->name, sizeof h->name, "%s", name->valuestring);
            h->v++;
            h->seq = ++M.seq;
            M.applied_total++;
            cJSON_AddNumberToObject(r, "v", (double)h->v);
        } else {
            status = "rejected";
            cJSON_AddStringToObject(r, "reason", "not_found");
        }
        cJSON_AddStringToObject(r, "status", status);
        snprintf(M.results[mid], sizeof M.results[mid], "%s", status);
        M.last_mid = mid;
        cJSON_AddItemToArray(results, r);
    }
    cJSON_AddNumberToObject(d, "last_mid", (double)M.last_mid);
    cJSON_AddItemToObject(d, "results", results);
    if (stopped)
        cJSON_AddItemToObject(d, "stopped", stopped);
    else
        cJSON_AddNullToObject(d, "stopped");
    ok_json(a, d);
}

static void
do_pull(const cJSON *rq, struct answer *a)
{
    const cJSON *c = cJSON_GetObjectItem(rq, "cursor");
    const cJSON *lim = cJSON_GetObjectItem(rq, "limit");
    int64_t from = 0;
    bool reset = false;
    char ep[16] = "";
    if (cJSON_IsString(c)) {
        if (sscanf(c->valuestring, "c.%15[^.].%" SCNd64, ep, &from) != 2 ||
            strcmp(ep, M.epoch) != 0) {
            reset = true;
            from = 0;
        }
    }
    int limit = cJSON_IsNumber(lim) ? lim->valueint : 500;
    cJSON *d = cJSON_CreateObject();
    cJSON *changes = cJSON_CreateArray();
    int n = 0;
    int64_t last = from;
    bool more = false;
    /* Records in seq order. */
    for (;;) {
        struct hh *next = NULL;
        for (int i = 0; i < M.nhh; i++)
            if (M.hh[i].seq > last && (!next || M.hh[i].seq < next->seq))
                next = &M.hh[i];
        if (!next)
            break;
        if (reset && !next->in_scope) {
            last = next->seq;
            continue;
        }
        if (n == limit) {
            more = true;
            break;
        }
        cJSON *ch = cJSON_CreateObject();
        cJSON_AddNumberToObject(ch, "seq", (double)next->seq);
        cJSON_AddStringToObject(ch, "t", "household");
        cJSON_AddStringToObject(ch, "rid", next->rid);
        if (next->in_scope) {
            cJSON_AddStringToObject(ch, "op", "put");
            cJSON_AddNumberToObject(ch, "v", (double)next->v);
            cJSON_AddItemToObject(ch, "row", hh_row(next));
        } else {
            cJSON_AddStringToObject(ch, "op", "remove");
            cJSON_AddStringToObject(ch, "reason", "out_of_scope");
        }
        cJSON_AddItemToArray(changes, ch);
        last = next->seq;
        n++;
    }
    char cur[64];
    snprintf(cur, sizeof cur, "c.%s.%" PRId64, M.epoch, last);
    cJSON_AddStringToObject(d, "cursor", cur);
    cJSON_AddNumberToObject(d, "upto", (double)M.seq);
    cJSON_AddBoolToObject(d, "has_more", more);
    cJSON_AddNumberToObject(d, "last_mid", (double)M.last_mid);
    if (reset) {
        cJSON *r = cJSON_AddObjectToObject(d, "reset");
        cJSON_AddStringToObject(r, "reason", "epoch");
    } else {
        cJSON_AddNullToObject(d, "reset");
    }
    cJSON_AddItemToObject(d, "changes", changes);
    ok_json(a, d);
}

/* A fault for this request, if a rule says so. Under the lock. */
static bool
fault_for(const char *path, int batch, struct fault_rule *out)
{
    for (int i = 0; i < M.nrules; i++) {
        struct fault_rule *r = &M.rules[i];
        if (!strstr(path, r->path) || batch < r->min_batch)
            continue;
        int k = M.seen[i]++;
        if (k >= r->skip && k < r->skip + r->times) {
            *out = *r;
            return true;
        }
    }
    return false;
}

static char *
inflate_body(const char *p, size_t n, size_t *outn)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    inflateInit2(&z, 31);
    size_t cap = 1 << 20;
    char *out = malloc(cap);
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap - 1;
    inflate(&z, Z_FINISH);
    *outn = z.total_out;
    out[*outn] = '\0';
    inflateEnd(&z);
    return out;
}

static bool
send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}

static void
serve(int fd)
{
    static char buf[1 << 20];
    size_t have = 0;
    for (;;) {
        char *end;
        while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
            ssize_t r = recv(fd, buf + have, sizeof buf - have - 1, 0);
            if (r <= 0)
                return;
            have += (size_t)r;
        }
        size_t hlen = (size_t)(end - buf) + 4;
        buf[hlen - 1] = '\0';
        const char *cl = strcasestr(buf, "\r\nContent-Length:");
        size_t clen = cl ? strtoul(cl + 17, NULL, 10) : 0;
        while (have < hlen + clen) {
            ssize_t r = recv(fd, buf + have, sizeof buf - have - 1, 0);
            if (r <= 0)
                return;
            have += (size_t)r;
        }
        char path[128] = "", idem[256] = "";
        sscanf(buf, "%*s %127s", path);
        bool authed = strstr(buf, "\r\nAuthorization: Bearer " TOKEN "\r\n") != NULL;
        const char *ik = strcasestr(buf, "\r\nIdempotency-Key: ");
        if (ik)
            sscanf(ik + 19, "%255[^\r]", idem);
        char *body;
        size_t blen;
        if (strcasestr(buf, "\r\nContent-Encoding: gzip")) {
            body = inflate_body(buf + hlen, clen, &blen);
        } else {
            body = strndup(buf + hlen, clen);
            blen = clen;
        }
        memmove(buf, buf + hlen + clen, have - hlen - clen);
        have -= hlen + clen;

        cJSON *rq = cJSON_ParseWithLength(body, blen);
        struct answer a = {0};
        struct fault_rule f;
        pthread_mutex_lock(&M.lock);
        int kind = strstr(path, "login")   ? 0
                   : strstr(path, "hello") ? 1
                   : strstr(path, "push")  ? 2
                   : strstr(path, "pull")  ? 3
                                           : 4;
        M.requests[kind]++;
        if (kind == 2) {
            if (idem[0] && strcmp(idem, M.last_idem) == 0)
                M.idem_repeats++;
            snprintf(M.last_idem, sizeof M.last_idem, "%s", idem);
        }
        int batch = kind == 2 ? cJSON_GetArraySize(cJSON_GetObjectItem(rq, "mutations")) : 0;
        bool faulty = fault_for(path, batch, &f);
        if (faulty && f.what == F_STATUS) {
            problem(&a, f.status,
                    f.status == 429   ? "too-many-attempts"
                    : f.status == 503 ? "unavailable"
                                      : "internal-error");
            if (f.ra >= 0)
                snprintf(a.extra, sizeof a.extra, "Retry-After: %d\r\n", f.ra);
        } else if (faulty && f.what == F_HTML) {
            a.status = 200;
            a.ct = "text/html";
            a.body = strdup("<html><body>Welcome to the hotel network</body></html>");
        } else if (faulty && f.what == F_GARBAGE) {
            a.status = 200;
            a.ct = "application/json";
            a.body = strdup("{\"cursor\":\"c.e1.3\",\"changes\":[{\"seq\":");
        } else if (faulty && f.what == F_HUGE) {
            size_t n = 3u << 20;
            a.status = 200;
            a.ct = "application/json";
            a.body = malloc(n + 1);
            memset(a.body, ' ', n);
            memcpy(a.body, "{\"x\":1}", 7);
            a.body[n] = '\0';
        } else if (faulty && f.what == F_EXPIRED) {
            problem(&a, 401, "token-expired");
        } else if (kind != 0 && !authed) {
            problem(&a, 401, "token-invalid");
        } else if (!rq) {
            problem(&a, 400, "bad-json");
        } else if (kind != 0 && schema_refused(rq, &a)) {
            /* answered */
        } else if (kind == 0) {
            do_login(rq, &a);
        } else if (kind == 1) {
            do_hello(&a);
        } else if (kind == 2) {
            do_push(rq, &a);
        } else if (kind == 3) {
            do_pull(rq, &a);
        } else {
            problem(&a, 404, "not-found");
        }
        if (faulty && (f.what == F_TRUNCATE || f.what == F_DROP || f.what == F_STALL))
            a.after = f.what;
        pthread_mutex_unlock(&M.lock);
        cJSON_Delete(rq);
        free(body);

        char head[512];
        size_t len = a.body ? strlen(a.body) : 0;
        int hn = snprintf(head, sizeof head,
                          "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n",
                          a.status, a.ct, len, a.extra);
        bool close_now = false;
        if (a.after == F_DROP) {
            close_now = true;
        } else if (a.after == F_TRUNCATE) {
            send_all(fd, head, (size_t)hn);
            send_all(fd, a.body, len / 2);
            close_now = true;
        } else if (a.after == F_STALL) {
            send_all(fd, head, (size_t)hn);
            send_all(fd, a.body, len / 2);
            for (int i = 0; i < 100 && !atomic_load(&M.stop); i++) {
                char b;
                if (recv(fd, &b, 1, MSG_DONTWAIT) == 0)
                    break;
                usleep(50000);
            }
            close_now = true;
        } else {
            send_all(fd, head, (size_t)hn);
            send_all(fd, a.body, len);
        }
        free(a.body);
        if (close_now)
            return;
    }
}

static void *
conn_main(void *arg)
{
    int fd = (int)(intptr_t)arg;
    serve(fd);
    close(fd);
    return NULL;
}

static void *
model_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&M.stop)) {
        int c = accept(M.fd, NULL, NULL);
        if (c < 0)
            continue;
        if (atomic_load(&M.stop)) {
            close(c);
            break;
        }
        pthread_mutex_lock(&M.lock);
        M.connections++;
        pthread_mutex_unlock(&M.lock);
        pthread_t t;
        pthread_create(&t, NULL, conn_main, (void *)(intptr_t)c);
        pthread_detach(t);
    }
    return NULL;
}

static void
model_start(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    pthread_mutex_init(&M.lock, NULL);
    M.fd = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(M.fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(M.fd, 16) != 0)
        exit(2);
    getsockname(M.fd, (struct sockaddr *)&a, &al);
    M.port = ntohs(a.sin_port);
    pthread_create(&M.thread, NULL, model_main, NULL);
}

static void
model_stop(void)
{
    atomic_store(&M.stop, 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)M.port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    connect(fd, (struct sockaddr *)&a, sizeof a);
    close(fd);
    pthread_join(M.thread, NULL);
    close(M.fd);
    usleep(100000); /* let connection threads see the stop flag */
}

/* ---- the client side ----------------------------------------------------------------------- */

static char root[256], url[64];
static int seq_dir;
static struct dp_error err;

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void
options(struct sync_options *o)
{
    sync_options_init(o);
    o->server_url = url;
    o->retry.base_ms = 20;
    o->retry.cap_ms = 200;
    o->retry.after_max_ms = 3000;
    o->retry.max_attempts = 4;
    o->low_speed_secs = 1;
    o->low_speed_bytes = 1000;
    o->pull_limit = 4;
}

static struct store *
cache(char *dir, size_t n)
{
    struct store *st = NULL;
    snprintf(dir, n, "%s/c%d", root, ++seq_dir);
    if (store_open(dir, PASS, &st, &err) != DP_OK)
        fprintf(stderr, "  open: %s\n", err.msg);
    return st;
}

/* A cache logged in to the model and synced once. */
static struct store *
synced(char *dir, size_t n, int households)
{
    model_reset(households);
    struct store *st = cache(dir, n);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    if (!st || sync_login(&o, st, USER, PW, &r, &err) != DP_OK ||
        sync_run(&o, st, &r, &err) != DP_OK) {
        fprintf(stderr, "  setup: %s\n", err.msg);
        store_close(st);
        return NULL;
    }
    return st;
}

static char *
cursor_of(struct store *st)
{
    char *c = NULL;
    store_sync_pull_begin(st, &c, &err);
    return c;
}

static int
local_count(struct store *st)
{
    long matched = 0, total = 0;
    struct household_filter f = {0};
    store_household_count(st, &f, &matched, &total, &err);
    return (int)total;
}

static enum dp_status
edit_phone(struct store *st, int i, const char *phone)
{
    char rid[48];
    struct record r;
    snprintf(rid, sizeof rid, "a%07d-1111-4111-8111-111111111111", i);
    enum dp_status s = store_record_get(st, &schema_household, rid, &r, &err);
    if (s == DP_OK) {
        record_set(&r, "phone", phone);
        s = store_record_save(st, &r, &err);
        record_done(&r);
    }
    return s;
}

static long
pending(struct store *st)
{
    struct sync_status_info i;
    store_sync_status(st, &i, &err);
    return i.pending;
}

TEST(login_wrong_and_right)
{
    char dir[PATH_MAX];
    model_reset(0);
    struct store *st = cache(dir, sizeof dir);
    REQUIRE(st);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    CHECK_INT_EQ(sync_login(&o, st, USER, "wrong", &r, &err), DP_EAUTH);
    CHECK(strstr(r.message, "password") != NULL);
    struct sync_status_info i;
    store_sync_status(st, &i, &err);
    CHECK(!i.logged_in);
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_EAUTH);
    CHECK_INT_EQ(sync_login(&o, st, USER, PW, &r, &err), DP_OK);
    store_sync_status(st, &i, &err);
    CHECK(i.logged_in);
    CHECK_STR_EQ(i.user, USER);
    CHECK_STR_EQ(i.role, "worker");
    /* Logout forgets the token whatever the server says; sync then asks for a login. */
    CHECK_INT_EQ(sync_logout(&o, st, &err), DP_OK);
    store_sync_status(st, &i, &err);
    CHECK(!i.logged_in);
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_EAUTH);
    CHECK_INT_EQ(sync_login(&o, st, USER, PW, &r, &err), DP_OK);
    /* A 429 on login is final and says how long to wait. */
    fault_add("login", 0, 1, F_STATUS, 429, 600);
    CHECK_INT_EQ(sync_login(&o, st, USER, PW, &r, &err), DP_EBUSY);
    CHECK(strstr(r.message, "10") != NULL);
    store_close(st);
}

TEST(first_sync_pages_over_one_connection)
{
    char dir[PATH_MAX];
    model_reset(10);
    struct store *st = cache(dir, sizeof dir);
    REQUIRE(st);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    REQUIRE(sync_login(&o, st, USER, PW, &r, &err) == DP_OK);
    REQUIRE(sync_run(&o, st, &r, &err) == DP_OK);
    CHECK(r.pushed && r.pulled);
    CHECK_INT_EQ(r.pages, 3); /* 4 + 4 + 2 */
    CHECK_INT_EQ(r.puts, 10);
    CHECK_INT_EQ(r.requests, 4); /* hello + 3 pages */
    CHECK_INT_EQ(r.connections, 1);
    CHECK_INT_EQ(local_count(st), 10);
    struct sync_status_info i;
    store_sync_status(st, &i, &err);
    CHECK(i.last_success[0] != '\0');
    /* Nothing to do: one request, well under 1 KB. */
    REQUIRE(sync_run(&o, st, &r, &err) == DP_OK);
    CHECK_INT_EQ(r.requests, 1);
    CHECK(r.bytes_sent + r.bytes_received < 1024);
    store_close(st);
}

TEST(edit_goes_up_and_comes_back)
{
    char dir[PATH_MAX];
    struct store *st = synced(dir, sizeof dir, 3);
    REQUIRE(st);
    REQUIRE(edit_phone(st, 1, "13911112222") == DP_OK);
    CHECK_INT_EQ(pending(st), 1);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    REQUIRE(sync_run(&o, st, &r, &err) == DP_OK);
    CHECK_INT_EQ(r.applied, 1);
    CHECK_INT_EQ(r.requests, 2); /* push + pull */
    CHECK_INT_EQ(pending(st), 0);
    CHECK_STR_EQ(M.hh[1].phone, "13911112222");
    struct record rec;
    REQUIRE(store_record_get(st, &schema_household, M.hh[1].rid, &rec, &err) == DP_OK);
    CHECK_INT_EQ(rec.v, 2);
    CHECK_STR_EQ(record_get(&rec, "phone"), "13911112222");
    record_done(&rec);
    store_close(st);
}

TEST(html_or_garbage_page_leaves_the_cache_alone)
{
    char dir[PATH_MAX];
    struct store *st = synced(dir, sizeof dir, 3);
    REQUIRE(st);
    char *before = cursor_of(st);
    /* The server gets new data; the next pulls are answered by a captive portal, then junk. */
    pthread_mutex_lock(&M.lock);
    snprintf(M.hh[0].phone, sizeof M.hh[0].phone, "13700000000");
    M.hh[0].v++;
    M.hh[0].seq = ++M.seq;
    pthread_mutex_unlock(&M.lock);
    fault_add("pull", 0, 1, F_HTML, 0, -1);
    fault_add("pull", 0, 1, F_GARBAGE, 0, -1);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_EPROTO);
    CHECK(strstr(r.message, "text/html") != NULL);
    char *after = cursor_of(st);
    CHECK_STR_EQ(after, before);
    free(after);
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_EPROTO);
    CHECK(strstr(r.message, "JSON") != NULL);
    after = cursor_of(st);
    CHECK_STR_EQ(after, before);
    free(after);
    struct sync_status_info i;
    store_sync_status(st, &i, &err);
    CHECK(i.last_error[0] != '\0');
    /* The next sync picks up where the last good one stopped. */
    REQUIRE(sync_run(&o, st, &r, &err) == DP_OK);
    CHECK_INT_EQ(r.puts, 1);
    struct record rec;
    REQUIRE(store_record_get(st, &schema_household, M.hh[0].rid, &rec, &err) == DP_OK);
    CHECK_STR_EQ(record_get(&rec, "phone"), "13700000000");
    record_done(&rec);
    store_sync_status(st, &i, &err);
    CHECK_STR_EQ(i.last_error, "");
    free(before);
    store_close(st);
}

TEST(transient_failures_are_retried)
{
    char dir[PATH_MAX];
    struct store *st = synced(dir, sizeof dir, 3);
    REQUIRE(st);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    fault_add("pull", 0, 1, F_STATUS, 500, -1);
    fault_add("pull", 0, 1, F_TRUNCATE, 0, -1);
    REQUIRE(sync_run(&o, st, &r, &err) == DP_OK);
    CHECK_INT_EQ(r.retries, 2);
    CHECK(r.pulled);
    /* 429 with Retry-After: 1 is waited for. */
    fault_add("pull", 0, 1, F_STATUS, 429, 1);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    REQUIRE(sync_run(&o, st, &r, &err) == DP_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(secs >= 0.95);
    CHECK_INT_EQ(r.retries, 1);
    /* A server down for good: give up after max_attempts, cache intact. */
    fault_add("pull", 0, 100, F_STATUS, 503, 0);
    char *before = cursor_of(st);
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_ENETWORK);
    CHECK_INT_EQ(r.requests, 4);
    char *after = cursor_of(st);
    CHECK_STR_EQ(after, before);
    free(before);
    free(after);
    store_close(st);
}

TEST(lost_push_answer_applies_once)
{
    char dir[PATH_MAX];
    struct store *st = synced(dir, sizeof dir, 3);
    REQUIRE(st);
    REQUIRE(edit_phone(st, 2, "13911113333") == DP_OK);
    REQUIRE(edit_phone(st, 0, "13911114444") == DP_OK);
    /* The server commits, then the connection drops before the answer. */
    fault_add("push", 0, 1, F_DROP, 0, -1);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    REQUIRE(sync_run(&o, st, &r, &err) == DP_OK);
    CHECK_INT_EQ(M.applied_total, 2);
    CHECK_INT_EQ(M.idem_repeats, 1);
    CHECK_INT_EQ(M.last_mid, 2);
    CHECK_INT_EQ(pending(st), 0);
    CHECK_INT_EQ(r.applied, 2);
    store_close(st);
}

TEST(stalled_pushes_halve_the_batch)
{
    char dir[PATH_MAX];
    struct store *st = synced(dir, sizeof dir, 6);
    REQUIRE(st);
    for (int i = 0; i < 6; i++) {
        char phone[16];
        snprintf(phone, sizeof phone, "1391111%04d", i);
        REQUIRE(edit_phone(st, i, phone) == DP_OK);
    }
    /* Any push of more than 3 mutations stalls: 6 twice, then 3 at a time go through. */
    pthread_mutex_lock(&M.lock);
    struct fault_rule *f = &M.rules[M.nrules++];
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "push");
    f->times = 1000;
    f->what = F_STALL;
    f->min_batch = 4;
    pthread_mutex_unlock(&M.lock);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    o.retry.max_attempts = 10;
    REQUIRE(sync_run(&o, st, &r, &err) == DP_OK);
    CHECK_INT_EQ(pending(st), 0);
    CHECK_INT_EQ(M.last_mid, 6);
    CHECK_INT_EQ(M.applied_total, 6);
    /* 6 stall twice (applied once, then replayed); then 3 and 3, answered from the log: the
     * second three are not taken as done from the first answer's last_mid, they get their own
     * results (a rejection would keep its reason). */
    CHECK_INT_EQ(M.requests[2], 4);
    CHECK_INT_EQ(r.retries, 1);
    store_close(st);
}

TEST(rejected_edit_does_not_block_the_queue)
{
    char dir[PATH_MAX];
    struct store *st = synced(dir, sizeof dir, 3);
    REQUIRE(st);
    REQUIRE(edit_phone(st, 0, "13000000000") == DP_OK);
    REQUIRE(edit_phone(st, 1, "13911115555") == DP_OK);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    REQUIRE(sync_run(&o, st, &r, &err) == DP_OK);
    CHECK_INT_EQ(r.rejected, 1);
    CHECK_INT_EQ(r.applied, 1);
    struct sync_status_info i;
    store_sync_status(st, &i, &err);
    CHECK_INT_EQ(i.rejected, 1);
    CHECK_INT_EQ(i.pending, 0);
    struct record rec;
    REQUIRE(store_record_get(st, &schema_household, M.hh[0].rid, &rec, &err) == DP_OK);
    CHECK_STR_EQ(record_get(&rec, "phone"), "13800000000");
    record_done(&rec);
    struct sync_rejected *rj = NULL;
    size_t n = 0;
    REQUIRE(store_sync_rejected(st, 5, &rj, &n, &err) == DP_OK);
    REQUIRE(n == 1);
    CHECK_STR_EQ(rj[0].field, "phone");
    CHECK_STR_EQ(rj[0].message, "number not in service");
    free(rj);
    store_close(st);
}

TEST(expired_token_keeps_the_work)
{
    char dir[PATH_MAX];
    struct store *st = synced(dir, sizeof dir, 3);
    REQUIRE(st);
    REQUIRE(edit_phone(st, 1, "13911116666") == DP_OK);
    fault_add("push", 0, 1, F_EXPIRED, 0, -1);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_EAUTH);
    CHECK(strstr(r.message, "login") != NULL);
    struct sync_status_info i;
    store_sync_status(st, &i, &err);
    CHECK(!i.logged_in);
    CHECK_INT_EQ(i.pending, 1);
    CHECK_INT_EQ(local_count(st), 3);
    /* Offline edits keep working; after a login the edit goes out. */
    REQUIRE(edit_phone(st, 2, "13911117777") == DP_OK);
    REQUIRE(sync_login(&o, st, USER, PW, &r, &err) == DP_OK);
    REQUIRE(sync_run(&o, st, &r, &err) == DP_OK);
    CHECK_INT_EQ(r.applied, 2);
    CHECK_INT_EQ(pending(st), 0);
    store_close(st);
}

/* A device clock days off is noted at the handshake, re-measured every sync until fixed. */
TEST(clock_far_off_is_reported)
{
    char dir[PATH_MAX];
    struct store *st = synced(dir, sizeof dir, 2);
    REQUIRE(st);
    struct sync_status_info i;
    store_sync_status(st, &i, &err);
    CHECK_INT_EQ(i.clock_skew_s, 0);
    pthread_mutex_lock(&M.lock);
    M.clock_offset = -3 * 86400; /* the server is 3 days behind: this device is ahead */
    pthread_mutex_unlock(&M.lock);
    store_sync_set_hello_due(st, true, &err);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_OK); /* a warning, not a failure */
    store_sync_status(st, &i, &err);
    CHECK(i.clock_skew_s > 3 * 86400 - 60 && i.clock_skew_s < 3 * 86400 + 60);
    /* While it is off, each sync opens with a handshake to measure again. */
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_OK);
    CHECK_INT_EQ(r.requests, 2);
    pthread_mutex_lock(&M.lock);
    M.clock_offset = 2 * 3600; /* two hours: normal drift, not reported */
    pthread_mutex_unlock(&M.lock);
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_OK);
    store_sync_status(st, &i, &err);
    CHECK_INT_EQ(i.clock_skew_s, 0);
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_OK);
    CHECK_INT_EQ(r.requests, 1);
    /* Behind, found at login. */
    pthread_mutex_lock(&M.lock);
    M.clock_offset = 40 * 3600;
    pthread_mutex_unlock(&M.lock);
    CHECK_INT_EQ(sync_login(&o, st, USER, PW, &r, &err), DP_OK);
    store_sync_status(st, &i, &err);
    CHECK(i.clock_skew_s < -39 * 3600 && i.clock_skew_s > -41 * 3600);
    store_close(st);
}

/* An older or a newer server: nothing is lost, the message says who must upgrade. */
TEST(schema_refused_keeps_the_outbox)
{
    char dir[PATH_MAX];
    struct store *st = synced(dir, sizeof dir, 2);
    REQUIRE(st);
    REQUIRE(edit_phone(st, 0, "13911118888") == DP_OK);
    char *before = cursor_of(st);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    pthread_mutex_lock(&M.lock);
    snprintf(M.accepted, sizeof M.accepted, "hh-2"); /* the server moved on */
    pthread_mutex_unlock(&M.lock);
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_EVERSION);
    CHECK(strstr(r.message, "update Doorstep") != NULL);
    CHECK_INT_EQ(pending(st), 1);
    pthread_mutex_lock(&M.lock);
    snprintf(M.accepted, sizeof M.accepted, "hh-0"); /* an older server */
    pthread_mutex_unlock(&M.lock);
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_EVERSION);
    CHECK(strstr(r.message, "newer than the server") != NULL);
    /* The same at a handshake. */
    store_sync_set_hello_due(st, true, &err);
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_EVERSION);
    CHECK(strstr(r.message, "newer than the server") != NULL);
    CHECK_INT_EQ(pending(st), 1);
    char *after = cursor_of(st);
    CHECK_STR_EQ(after, before);
    pthread_mutex_lock(&M.lock);
    snprintf(M.accepted, sizeof M.accepted, "hh-1");
    pthread_mutex_unlock(&M.lock);
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_OK);
    CHECK_INT_EQ(pending(st), 0);
    CHECK_STR_EQ(M.hh[0].phone, "13911118888");
    free(before);
    free(after);
    store_close(st);
}

TEST(oversized_page_is_refused)
{
    char dir[PATH_MAX];
    struct store *st = synced(dir, sizeof dir, 2);
    REQUIRE(st);
    char *before = cursor_of(st);
    fault_add("pull", 0, 1, F_HUGE, 0, -1);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    o.pull_max_bytes = 4096;
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_EPROTO);
    CHECK(strstr(r.message, "larger") != NULL);
    char *after = cursor_of(st);
    CHECK_STR_EQ(after, before);
    free(before);
    free(after);
    store_close(st);
}

TEST(epoch_reset_rebuilds_and_repushes)
{
    char dir[PATH_MAX];
    struct store *st = synced(dir, sizeof dir, 4);
    REQUIRE(st);
    REQUIRE(edit_phone(st, 1, "13911118888") == DP_OK);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    REQUIRE(sync_run(&o, st, &r, &err) == DP_OK);
    CHECK_INT_EQ(M.last_mid, 1);
    /* The server is restored from a backup taken before that edit: new epoch, mid 1 lost,
       and one household left the worker's scope. */
    pthread_mutex_lock(&M.lock);
    snprintf(M.epoch, sizeof M.epoch, "e2");
    M.last_mid = 0;
    snprintf(M.hh[1].phone, sizeof M.hh[1].phone, "13800000001");
    M.hh[3].in_scope = false;
    pthread_mutex_unlock(&M.lock);
    REQUIRE(sync_run(&o, st, &r, &err) == DP_OK);
    CHECK(r.reset);
    CHECK_STR_EQ(r.reset_reason, "epoch");
    CHECK_INT_EQ(r.requeued, 1);
    CHECK_INT_EQ(M.last_mid, 1);
    CHECK_STR_EQ(M.hh[1].phone, "13911118888");
    CHECK_INT_EQ(local_count(st), 3);
    struct record rec;
    REQUIRE(store_record_get(st, &schema_household, M.hh[1].rid, &rec, &err) == DP_OK);
    CHECK_STR_EQ(record_get(&rec, "phone"), "13911118888");
    record_done(&rec);
    store_close(st);
}

TEST(tls_is_required_off_loopback)
{
    char dir[PATH_MAX];
    struct store *st = synced(dir, sizeof dir, 1);
    REQUIRE(st);
    struct sync_options o;
    struct sync_result r;
    options(&o);
    REQUIRE(store_sync_login(st, "http://sync.example.org", USER, "worker", "dongshan", TOKEN,
                             (int64_t)time(NULL) + 60, &err) == DP_OK);
    o.server_url = "http://sync.example.org";
    CHECK_INT_EQ(sync_run(&o, st, &r, &err), DP_ECONFIG);
    CHECK(strstr(r.message, "https") != NULL);
    store_close(st);
}

static bool
wait_fd(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, ms) == 1;
}

TEST(worker_runs_without_blocking_and_cancels)
{
    char dir[PATH_MAX];
    struct store *st = synced(dir, sizeof dir, 3);
    REQUIRE(st);
    REQUIRE(edit_phone(st, 0, "13911119999") == DP_OK);
    struct sync_options tune;
    options(&tune);
    struct sync_worker_config cfg = {.data_dir = dir, .server_url = url, .tuning = &tune};
    struct sync_worker *w = NULL;
    REQUIRE(sync_worker_start(&cfg, PASS, &w, &err) == DP_OK);
    struct sync_worker_status s;
    for (int i = 0; i < 100; i++) {
        sync_worker_status(w, &s);
        if (s.ready || s.error[0])
            break;
        wait_fd(sync_worker_fd(w), 100);
    }
    REQUIRE(s.ready);
    CHECK_INT_EQ(s.next_due, 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(sync_worker_request(w));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(t1.tv_sec - t0.tv_sec < 1); /* returns at once */
    for (int i = 0; i < 100; i++) {
        wait_fd(sync_worker_fd(w), 100);
        sync_worker_status(w, &s);
        if (s.finished >= 1)
            break;
    }
    CHECK_INT_EQ(s.finished, 1);
    CHECK_INT_EQ(s.last_status, DP_OK);
    CHECK_INT_EQ(s.last.applied, 1);
    CHECK(s.progress.requests >= 2);
    CHECK(!s.running);
    /* The TUI's own handle sees the result. */
    CHECK_INT_EQ(pending(st), 0);

    /* A stalled pull is cancelled promptly. */
    fault_add("pull", 0, 1, F_STALL, 0, -1);
    CHECK(sync_worker_request(w));
    for (int i = 0; i < 50; i++) {
        wait_fd(sync_worker_fd(w), 100);
        sync_worker_status(w, &s);
        if (s.running && s.progress.phase == SYNC_PHASE_PULL)
            break;
    }
    CHECK(s.running);
    CHECK(!sync_worker_request(w)); /* already running */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sync_worker_cancel(w);
    for (int i = 0; i < 50; i++) {
        wait_fd(sync_worker_fd(w), 100);
        sync_worker_status(w, &s);
        if (s.finished >= 2)
            break;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK_INT_EQ(s.finished, 2);
    CHECK_INT_EQ(s.last_status, DP_ECANCELED);
    CHECK(t1.tv_sec - t0.tv_sec <= 2);
    sync_worker_stop(w);
    sync_worker_stop(NULL);

    /* A worker for a directory without a cache says so and never makes one. */
    char none[PATH_MAX + 8];
    snprintf(none, sizeof none, "%s/none", root);
    cfg.data_dir = none;
    REQUIRE(sync_worker_start(&cfg, PASS, &w, &err) == DP_OK);
    for (int i = 0; i < 50; i++) {
        wait_fd(sync_worker_fd(w), 100);
        sync_worker_status(w, &s);
        if (s.error[0])
            break;
    }
    CHECK(!s.ready);
    CHECK(s.error[0] != '\0');
    CHECK(!sync_worker_request(w));
    CHECK(!store_exists(none));
    sync_worker_stop(w);
    store_close(st);
}

/* Wait until the worker has finished `n` jobs (or 10 s passed). */
static void
wait_finished(struct sync_worker *w, unsigned long n, struct sync_worker_status *s)
{
    for (int i = 0; i < 100; i++) {
        wait_fd(sync_worker_fd(w), 100);
        sync_worker_status(w, s);
        if (s->finished >= n && !s->running)
            return;
    }
}

TEST(worker_logs_in_and_syncs_on_a_timer)
{
    char dir[PATH_MAX];
    model_reset(5);
    struct store *st = cache(dir, sizeof dir);
    REQUIRE(st);
    struct sync_options tune;
    options(&tune);
    struct sync_worker_config cfg = {
        .data_dir = dir, .server_url = url, .tuning = &tune, .interval_seconds = 3};
    struct sync_worker *w = NULL;
    REQUIRE(sync_worker_start(&cfg, PASS, &w, &err) == DP_OK);
    struct sync_worker_status s;
    for (int i = 0; i < 100; i++) {
        sync_worker_status(w, &s);
        if (s.ready)
            break;
        wait_fd(sync_worker_fd(w), 100);
    }
    REQUIRE(s.ready);
    CHECK(s.next_due > 0);
    /* A wrong password, then the right one, each on the worker thread. */
    CHECK(sync_worker_login(w, USER, "wrong"));
    wait_finished(w, 1, &s);
    CHECK_INT_EQ(s.job, SYNC_JOB_LOGIN);
    CHECK_INT_EQ(s.last_status, DP_EAUTH);
    CHECK(strstr(s.last.message, "password") != NULL);
    CHECK(sync_worker_login(w, USER, PW));
    wait_finished(w, 2, &s);
    CHECK_INT_EQ(s.job, SYNC_JOB_LOGIN);
    CHECK_INT_EQ(s.last_status, DP_OK);
    /* No request: the timer syncs by itself. */
    unsigned long before = s.finished;
    wait_finished(w, before + 1, &s);
    CHECK_INT_EQ(s.job, SYNC_JOB_SYNC);
    CHECK_INT_EQ(s.last_status, DP_OK);
    CHECK_INT_EQ(s.last.puts, 5);
    CHECK_INT_EQ(local_count(st), 5);
    sync_worker_stop(w);
    store_close(st);
}

int
main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/doorstep-sync-engine.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root))
        return 2;
    model_start();
    snprintf(url, sizeof url, "http://127.0.0.1:%d", M.port);
    RUN(login_wrong_and_right);
    RUN(first_sync_pages_over_one_connection);
    RUN(edit_goes_up_and_comes_back);
    RUN(html_or_garbage_page_leaves_the_cache_alone);
    RUN(transient_failures_are_retried);
    RUN(lost_push_answer_applies_once);
    RUN(stalled_pushes_halve_the_batch);
    RUN(rejected_edit_does_not_block_the_queue);
    RUN(expired_token_keeps_the_work);
    RUN(clock_far_off_is_reported);
    RUN(schema_refused_keeps_the_outbox);
    RUN(oversized_page_is_refused);
    RUN(epoch_reset_rebuilds_and_repushes);
    RUN(tls_is_required_off_loopback);
    RUN(worker_runs_without_blocking_and_cancels);
    RUN(worker_logs_in_and_syncs_on_a_timer);
    model_stop();
    nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return test_report();
}
