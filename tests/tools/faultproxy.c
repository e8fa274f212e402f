/*
 * faultproxy: an HTTP proxy for the sync tests that sits between the client
 * (plain HTTP on loopback) and the real server (HTTPS, verified against the
 * test CA), and injects faults by rule:
 *
 *   faultproxy --upstream https://127.0.0.1:PORT --cacert CA.pem
 *              --port-file FILE [--rules FILE] [--log FILE]
 *
 * It binds 127.0.0.1 on a free port and writes the port to --port-file once
 * it listens. Each line of the rules file is
 *
 *   PATH-SUBSTRING NTH ACTION [ARG...]
 *
 * and fires once, on the NTH request (1-based) whose path contains the
 * substring. The rules file is re-read on every request, so a test can add
 * rules between runs. Actions:
 *
 *   drop-request            close the connection before the server sees the request
 *   drop-response           forward, let the server commit, then close without answering
 *   truncate N              forward, then send only the first N bytes of the answer
 *   stall SECONDS           forward, send the head and half the body, then stay silent
 *   delay SECONDS           wait, then forward normally
 *   status CODE [RA]        answer CODE with a problem body; RA = Retry-After seconds
 *   status-date CODE SECS   answer CODE with Retry-After as an HTTP date SECS ahead
 *   html                    answer 200 with an HTML page
 *   garbage                 answer 200 application/json with bytes that are not JSON
 *   huge BYTES              answer 200 application/json with BYTES of valid-looking JSON
 *   replace BODY            answer 200 application/json with BODY (no spaces; %20 for one)
 *   skew-time SECONDS       forward, then move the answer's "server_time" by SECONDS
 *                           (negative: into the past), as a server with another clock
 *
 * Every request is logged to --log as "METHOD PATH -> STATUS ACTION KEY", KEY
 * being the request's Idempotency-Key or "-", so tests can count requests,
 * check what happened and see a batch sent again. Exits on SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define MAX_REQUEST (2u << 20)
#define MAX_RULES   64

static const char *upstream, *cacert, *rules_path, *log_path;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

struct rule {
    char path[64];
    int nth;
    char action[32];
    char arg1[4096];
    char arg2[64];
};

/* Rules already fired, by line text, so each fires once across reloads. */
static char fired[MAX_RULES][256];
static int nfired;
/* Requests seen per path substring of each rule line. */
static struct {
    char line[256];
    int count;
} counters[MAX_RULES];
static int ncounters;

static int
num(const char *s)
{
    return (int)strtol(s, NULL, 10);
}

/* The request's Idempotency-Key for the log, "-" when none. */
static __thread char current_key[160];

static void
log_line(const char *method, const char *path, int status, const char *action)
{
    if (!log_path)
        return;
    FILE *f = fopen(log_path, "a");
    if (!f)
        return;
    fprintf(f, "%s %s -> %d %s %s\n", method, path, status, action,
            current_key[0] ? current_key : "-");
    fclose(f);
}

static void
note_key(const char *reqhead)
{
    current_key[0] = '\0';
    for (const char *p = strstr(reqhead, "\r\n"); p; p = strstr(p + 2, "\r\n"))
        if (strncasecmp(p + 2, "Idempotency-Key:", 16) == 0) {
            const char *v = p + 18;
            while (*v == ' ')
                v++;
            size_t n = strcspn(v, "\r\n");
            if (n >= sizeof current_key)
                n = sizeof current_key - 1;
            memcpy(current_key, v, n);
            current_key[n] = '\0';
            return;
        }
}

static int *
counter_for(const char *line)
{
    for (int i = 0; i < ncounters; i++)
        if (strcmp(counters[i].line, line) == 0)
            return &counters[i].count;
    if (ncounters == MAX_RULES)
        return NULL;
    snprintf(counters[ncounters].line, sizeof counters[ncounters].line, "%s", line);
    counters[ncounters].count = 0;
    return &counters[ncounters++].count;
}

static bool
was_fired(const char *line)
{
    for (int i = 0; i < nfired; i++)
        if (strcmp(fired[i], line) == 0)
            return true;
    return false;
}

/* The rule for this request, if one fires now. Called under the lock. */
static bool
match_rule(const char *path, struct rule *out)
{
    if (!rules_path)
        return false;
    FILE *f = fopen(rules_path, "r");
    if (!f)
        return false;
    char line[4352];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        struct rule r;
        memset(&r, 0, sizeof r);
        char key[256];
        snprintf(key, sizeof key, "%.255s", line);
        if (line[0] == '#' ||
            sscanf(line, "%63s %d %31s %4095s %63s", r.path, &r.nth, r.action, r.arg1, r.arg2) < 3)
            continue;
        if (!strstr(path, r.path) || was_fired(key))
            continue;
        int *count = counter_for(key);
        if (!count)
            continue;
        if (++*count == r.nth) {
            if (nfired < MAX_RULES)
                snprintf(fired[nfired++], sizeof fired[0], "%s", key);
            *out = r;
            found = true;
        }
    }
    fclose(f);
    return found;
}

static bool
send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}

struct buf {
    char *p;
    size_t len, cap;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q)
            abort();
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Move "server_time":"YYYY-MM-DDTHH:MM:SSZ" in a plain JSON body by `secs`. */
static void
skew_server_time(struct buf *body, long secs)
{
    static const char key[] = "\"server_time\":\"";
    char *p = body->p ? strstr(body->p, key) : NULL;
    if (!p || strlen(p + sizeof key - 1) < 20)
        return;
    p += sizeof key - 1;
    struct tm tm = {0};
    if (!strptime(p, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return;
    time_t t = timegm(&tm) + secs;
    char out[32];
    gmtime_r(&t, &tm);
    strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (strlen(out) == 20)
        memcpy(p, out, 20);
}

static void
send_canned(int fd, int status, const char *ct, const char *extra, const char *body, size_t len)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d Fault\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Cache-Control: no-store\r\n%s\r\n",
                     status, ct, len, extra ? extra : "");
    if (send_all(fd, head, (size_t)n))
        send_all(fd, body, len);
}

static size_t
collect_cb(char *data, size_t size, size_t nmemb, void *ctx)
{
    buf_add(ctx, data, size * nmemb);
    return size * nmemb;
}

struct upstream_answer {
    long status;
    struct buf headers; /* "Name: value\r\n" lines to pass on */
    struct buf body;    /* as received: still gzip-compressed when it was */
};

static size_t
header_cb(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct upstream_answer *a = ctx;
    size_t n = size * nmemb;
    static const char *const drop[] = {
        "HTTP/", "Content-Length:", "Transfer-Encoding:", "Connection:", "Keep-Alive:", "Date:"};
    if (n <= 2)
        return n;
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        if (strncasecmp(data, drop[i], strlen(drop[i])) == 0)
            return n;
    buf_add(&a->headers, data, n);
    return n;
}

/* Forward one request to the server; false when the server could not be reached. */
static bool
forward(CURL *h, const char *method, const char *path, const char *reqhead, const char *body,
        size_t blen, struct upstream_answer *a)
{
    static const char *const pass[] = {"Content-Type:",    "Content-Encoding:", "Authorization:",
                                       "Idempotency-Key:", "X-Request-Id:",     "Accept-Encoding:",
                                       "Accept:",          "If-None-Match:",    "User-Agent:"};
    struct curl_slist *hl = curl_slist_append(NULL, "Expect:");
    const char *line = strstr(reqhead, "\r\n");
    while (line && line[2]) {
        line += 2;
        const char *end = strstr(line, "\r\n");
        if (!end)
            break;
        for (size_t i = 0; i < sizeof pass / sizeof pass[0]; i++)
            if (strncasecmp(line, pass[i], strlen(pass[i])) == 0) {
                char one[2048];
                snprintf(one, sizeof one, "%.*s", (int)(end - line), line);
                hl = curl_slist_append(hl, one);
            }
        line = end;
    }
    char url[1024];
    snprintf(url, sizeof url, "%s%s", upstream, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_CAINFO, cacert);
    curl_easy_setopt(h, CURLOPT_HTTP_CONTENT_DECODING, 0L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a->body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "GET") == 0 ? NULL : method);
    }
    CURLcode rc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hl);
    if (rc != CURLE_OK) {
        fprintf(stderr, "faultproxy: upstream: %s\n", curl_easy_strerror(rc));
        return false;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
    return true;
}

static void
http_date(time_t t, char *buf, size_t n)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Serve one client connection; returns when it closes or a fault closes it. */
static void
serve(int fd)
{
    CURL *h = curl_easy_init();
    struct buf in = {0};
    for (;;) {
        char *end;
        while (!in.p || !(end = strstr(in.p, "\r\n\r\n"))) {
            char chunk[16384];
            ssize_t r = recv(fd, chunk, sizeof chunk, 0);
            if (r <= 0 || in.len > MAX_REQUEST)
                goto out;
            buf_add(&in, chunk, (size_t)r);
        }
        size_t hlen = (size_t)(end - in.p) + 4;
        size_t clen = 0;
        for (const char *p = in.p; p && p < in.p + hlen; p = strstr(p + 1, "\r\n"))
            if (strncasecmp(p, "\r\nContent-Length:", 17) == 0)
                clen = strtoul(p + 17, NULL, 10);
        while (in.len < hlen + clen) {
            char chunk[16384];
            ssize_t r = recv(fd, chunk, sizeof chunk, 0);
            if (r <= 0 || in.len > MAX_REQUEST)
                goto out;
            buf_add(&in, chunk, (size_t)r);
        }
        char method[16] = "", path[512] = "";
        sscanf(in.p, "%15s %511s", method, path);
        char *reqhead = strndup(in.p, hlen);
        char *body = malloc(clen + 1);
        memcpy(body, in.p + hlen, clen);
        body[clen] = '\0';
        memmove(in.p, in.p + hlen + clen, in.len - hlen - clen);
        in.len -= hlen + clen;
        in.p[in.len] = '\0';

        note_key(reqhead);
        struct rule r;
        pthread_mutex_lock(&lock);
        bool fault = match_rule(path, &r);
        pthread_mutex_unlock(&lock);
        const char *action = fault ? r.action : "pass";
        bool close_after = false;

        if (fault && strcmp(action, "drop-request") == 0) {
            log_line(method, path, 0, action);
            free(reqhead);
            free(body);
            goto out;
        }
        if (fault && strcmp(action, "delay") == 0)
            sleep((unsigned)num(r.arg1));
        if (fault && (strcmp(action, "status") == 0 || strcmp(action, "status-date") == 0)) {
            int code = num(r.arg1);
            char extra[128] = "", date[64];
            if (strcmp(action, "status-date") == 0) {
                http_date(time(NULL) + num(r.arg2), date, sizeof date);
                snprintf(extra, sizeof extra, "Retry-After: %s\r\n", date);
            } else if (r.arg2[0]) {
                snprintf(extra, sizeof extra, "Retry-After: %s\r\n", r.arg2);
            }
            const char *code_tok = code == 429   ? "too-many-attempts"
                                   : code == 503 ? "unavailable"
                                   : code == 409 ? "device-busy"
                                                 : "internal-error";
            char pb[256];
            int n = snprintf(pb, sizeof pb,
                             "{\"type\":\"urn:doorstep:problem:%s\",\"code\":\"%s\","
                             "\"title\":\"Injected\",\"status\":%d}",
                             code_tok, code_tok, code);
            send_canned(fd, code, "application/problem+json", extra, pb, (size_t)n);
            log_line(method, path, code, action);
        } else if (fault && strcmp(action, "html") == 0) {
            const char *page = "<html><head><title>Portal</title></head><body>Please log in to "
                               "the hotel network</body></html>";
            send_canned(fd, 200, "text/html; charset=utf-8", NULL, page, strlen(page));
            log_line(method, path, 200, action);
        } else if (fault && strcmp(action, "garbage") == 0) {
            const char *g = "\x01\x02garbage{{{\xff\xfe not json";
            send_canned(fd, 200, "application/json", NULL, g, strlen(g));
            log_line(method, path, 200, action);
        } else if (fault && strcmp(action, "replace") == 0) {
            char *b = r.arg1;
            for (char *p; (p = strstr(b, "%20"));) {
                *p = ' ';
                memmove(p + 1, p + 3, strlen(p + 3) + 1);
            }
            send_canned(fd, 200, "application/json", NULL, b, strlen(b));
            log_line(method, path, 200, action);
        } else if (fault && strcmp(action, "huge") == 0) {
            size_t n = strtoul(r.arg1, NULL, 10);
            char *p = malloc(n + 1);
            memset(p, ' ', n);
            memcpy(p, "{\"cursor\":\"x\",\"pad\":\"", 21);
            memset(p + 21, 'a', n - 23);
            memcpy(p + n - 2, "\"}", 2);
            send_canned(fd, 200, "application/json", NULL, p, n);
            free(p);
            log_line(method, path, 200, action);
        } else {
            struct upstream_answer a = {0};
            if (!forward(h, method, path, reqhead, body, clen, &a)) {
                log_line(method, path, 0, "upstream-failed");
                close_after = true;
            } else if (fault && strcmp(action, "drop-response") == 0) {
                log_line(method, path, (int)a.status, action);
                close_after = true;
            } else {
                if (fault && strcmp(action, "skew-time") == 0)
                    skew_server_time(&a.body, strtol(r.arg1, NULL, 10));
                struct buf out = {0};
                bool logged = false;
                char head[256];
                int n = snprintf(head, sizeof head, "HTTP/1.1 %ld X\r\nContent-Length: %zu\r\n",
                                 a.status, a.body.len);
                buf_add(&out, head, (size_t)n);
                if (a.headers.len)
                    buf_add(&out, a.headers.p, a.headers.len);
                buf_add(&out, "\r\n", 2);
                size_t head_len = out.len;
                if (a.body.len)
                    buf_add(&out, a.body.p, a.body.len);
                if (fault && strcmp(action, "truncate") == 0) {
                    size_t keep = strtoul(r.arg1, NULL, 10);
                    send_all(fd, out.p, keep < out.len ? keep : out.len);
                    close_after = true;
                } else if (fault && strcmp(action, "stall") == 0) {
                    /* Logged now: the client may be done with the sync before the silence ends. */
                    log_line(method, path, (int)a.status, action);
                    logged = true;
                    send_all(fd, out.p, head_len + a.body.len / 2);
                    /* Silence until the client gives up (closes) or the time is over. */
                    for (int i = 0; i < num(r.arg1) * 10; i++) {
                        char b;
                        if (recv(fd, &b, 1, MSG_DONTWAIT) == 0)
                            break;
                        usleep(100000);
                    }
                    close_after = true;
                } else {
                    send_all(fd, out.p, out.len);
                }
                if (!logged)
                    log_line(method, path, (int)a.status, action);
                free(out.p);
            }
            free(a.headers.p);
            free(a.body.p);
        }
        free(reqhead);
        free(body);
        if (close_after)
            goto out;
    }
out:
    free(in.p);
    curl_easy_cleanup(h);
}

static void *
conn_main(void *arg)
{
    int fd = (int)(intptr_t)arg;
    serve(fd);
    close(fd);
    return NULL;
}

int
main(int argc, char **argv)
{
    const char *port_file = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--upstream") == 0)
            upstream = argv[i + 1];
        else if (strcmp(argv[i], "--cacert") == 0)
            cacert = argv[i + 1];
        else if (strcmp(argv[i], "--port-file") == 0)
            port_file = argv[i + 1];
        else if (strcmp(argv[i], "--rules") == 0)
            rules_path = argv[i + 1];
        else if (strcmp(argv[i], "--log") == 0)
            log_path = argv[i + 1];
        else {
            fprintf(stderr, "faultproxy: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!upstream || !port_file) {
        fputs("usage: faultproxy --upstream URL [--cacert PEM] --port-file FILE [--rules FILE] "
              "[--log FILE]\n",
              stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 16) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &al) != 0) {
        perror("faultproxy: listen");
        return 1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%d\n", ntohs(a.sin_port)) < 0 || fclose(f) != 0 ||
        rename(tmp, port_file) != 0) {
        perror("faultproxy: port file");
        return 1;
    }
    for (;;) {
        int c = accept(ls, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR)
                continue;
            perror("faultproxy: accept");
            return 1;
        }
        pthread_t t;
        if (pthread_create(&t, NULL, conn_main, (void *)(intptr_t)c) != 0) {
            close(c);
            continue;
        }
        pthread_detach(t);
    }
}
