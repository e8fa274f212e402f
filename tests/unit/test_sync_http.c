/*
 * sync/http.c against a small scripted HTTP/1.1 server on loopback (a thread
 * in this process): keep-alive reuse, gzip both ways, the response cap (also
 * for a gzip bomb), Retry-After in both forms, stalled and cut-off answers,
 * cancellation, and URL/pin checks.
 */
#include "sync/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/unit/test.h"

enum mode {
    M_ECHO,     /* 200 JSON describing the request */
    M_GZIP,     /* 200 gzip-compressed JSON of 64 KiB */
    M_BOMB,     /* 200 gzip: 20 KiB on the wire, 8 MiB decompressed */
    M_BIG,      /* 200 plain 2 MiB */
    M_RA_SECS,  /* 429 Retry-After: 7 */
    M_RA_DATE,  /* 503 Retry-After: an HTTP date ~30 s ahead */
    M_STALL,    /* headers and half the body, then silence */
    M_TRUNCATE, /* Content-Length 100, 50 bytes, close */
    M_HTML,     /* 200 text/html */
    M_BADGZIP,  /* Content-Encoding: gzip with a corrupt stream */
};

static struct {
    int fd;
    int port;
    atomic_int mode;
    atomic_int connections;
    atomic_int stop;
    pthread_t thread;
} srv;

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
respond(int fd, int status, const char *ct, const char *extra, const void *body, size_t len)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n", status,
                     ct, len, extra ? extra : "");
    if (send_all(fd, head, (size_t)n))
        send_all(fd, body, len);
}

static unsigned char *
gz(const void *p, size_t n, size_t *outn)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&z, n);
    unsigned char *o = malloc(cap);
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    z.next_out = o;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    *outn = z.total_out;
    deflateEnd(&z);
    return o;
}

static size_t
gunzip_len(const unsigned char *p, size_t n, bool *ok)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    inflateInit2(&z, 31);
    unsigned char out[4096];
    size_t total = 0;
    z.next_in = (Bytef *)(uintptr_t)p;
    z.avail_in = (uInt)n;
    int rc;
    do {
        z.next_out = out;
        z.avail_out = sizeof out;
        rc = inflate(&z, Z_NO_FLUSH);
        total += sizeof out - z.avail_out;
    } while (rc == Z_OK);
    *ok = rc == Z_STREAM_END;
    inflateEnd(&z);
    return total;
}

/* Serve one connection until the client closes it. */
static void
serve(int fd)
{
    static char buf[1 << 20];
    size_t have = 0;
    for (;;) {
        char *end;
        while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
            ssize_t r = recv(fd, buf + have, sizeof buf - have, 0);
            if (r <= 0)
                return;
            have += (size_t)r;
        }
        size_t hlen = (size_t)(end - buf) + 4;
        buf[hlen - 1] = '\0';
        size_t clen = 0;
        const char *cl = strcasestr(buf, "\r\nContent-Length:");
        if (cl)
            clen = strtoul(cl + 17, NULL, 10);
        while (have < hlen + clen) {
            ssize_t r = recv(fd, buf + have, sizeof buf - have, 0);
            if (r <= 0)
                return;
            have += (size_t)r;
        }
        bool gzipped = strcasestr(buf, "\r\nContent-Encoding: gzip") != NULL;
        bool ok = true;
        size_t plain = gzipped ? gunzip_len((unsigned char *)buf + hlen, clen, &ok) : clen;
        char method[8] = "", auth[128] = "", idem[160] = "", rid[80] = "";
        sscanf(buf, "%7s", method);
        const char *h;
        if ((h = strcasestr(buf, "\r\nAuthorization: ")))
            sscanf(h + 17, "%127[^\r]", auth);
        if ((h = strcasestr(buf, "\r\nIdempotency-Key: ")))
            sscanf(h + 19, "%159[^\r]", idem);
        if ((h = strcasestr(buf, "\r\nX-Request-Id: ")))
            sscanf(h + 16, "%79[^\r]", rid);
        bool accepts_gzip = strcasestr(buf, "\r\nAccept-Encoding: gzip") != NULL;
        memmove(buf, buf + hlen + clen, have - hlen - clen);
        have -= hlen + clen;

        switch (atomic_load(&srv.mode)) {
        case M_ECHO: {
            char body[1024];
            int n = snprintf(body, sizeof body,
                             "{\"method\":\"%s\",\"gzip\":%s,\"ok\":%s,\"wire\":%zu,\"plain\":%zu,"
                             "\"auth\":\"%s\",\"idem\":\"%s\",\"rid\":\"%s\",\"ae\":%s}",
                             method, gzipped ? "true" : "false", ok ? "true" : "false", clen, plain,
                             auth, idem, rid, accepts_gzip ? "true" : "false");
            respond(fd, 200, "application/json; charset=utf-8", NULL, body, (size_t)n);
            break;
        }
        case M_GZIP:
        case M_BOMB:
        case M_BIG: {
            int m = atomic_load(&srv.mode);
            size_t n = m == M_GZIP ? 65536 : m == M_BOMB ? 8u << 20 : 2u << 20;
            char *p = malloc(n);
            memset(p, ' ', n);
            p[0] = '{';
            p[n - 1] = '}';
            if (m == M_BIG) {
                respond(fd, 200, "application/json", NULL, p, n);
            } else {
                size_t zn;
                unsigned char *z = gz(p, n, &zn);
                respond(fd, 200, "application/json", "Content-Encoding: gzip\r\n", z, zn);
                free(z);
            }
            free(p);
            break;
        }
        case M_RA_SECS:
            respond(fd, 429, "application/problem+json", "Retry-After: 7\r\n",
                    "{\"code\":\"too-many-attempts\"}", 28);
            break;
        case M_RA_DATE: {
            char date[64], extra[96];
            time_t t = time(NULL) + 30;
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
            snprintf(extra, sizeof extra, "Retry-After: %s\r\n", date);
            respond(fd, 503, "application/problem+json", extra, "{\"code\":\"unavailable\"}", 23);
            break;
        }
        case M_STALL: {
            const char *head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                               "Content-Length: 100\r\n\r\n{\"a\":";
            send_all(fd, head, strlen(head));
            /* Silence until the client gives up and closes. */
            for (int i = 0; i < 200 && !atomic_load(&srv.stop); i++) {
                char b;
                if (recv(fd, &b, 1, MSG_DONTWAIT) == 0)
                    break;
                usleep(50000);
            }
            return;
        }
        case M_TRUNCATE: {
            const char *head =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                "Content-Length: 100\r\n\r\n{\"changes\":[1,2,3,4,5,6,7,8,9,10,11,12,13,";
            send_all(fd, head, strlen(head));
            return;
        }
        case M_HTML:
            respond(fd, 200, "text/html", NULL, "<html>hotel wifi</html>", 23);
            break;
        case M_BADGZIP:
            respond(fd, 200, "application/json", "Content-Encoding: gzip\r\n",
                    "\x1f\x8b\x08\x00garbagegarbage", 18);
            break;
        }
    }
}

static void *
server_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&srv.stop)) {
        int c = accept(srv.fd, NULL, NULL);
        if (c < 0)
            continue;
        if (atomic_load(&srv.stop)) {
            close(c);
            break;
        }
        atomic_fetch_add(&srv.connections, 1);
        serve(c);
        close(c);
    }
    return NULL;
}

static void
server_start(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    srv.fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(srv.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(srv.fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(srv.fd, 8) != 0) {
        perror("bind");
        exit(2);
    }
    getsockname(srv.fd, (struct sockaddr *)&a, &al);
    srv.port = ntohs(a.sin_port);
    pthread_create(&srv.thread, NULL, server_main, NULL);
}

static void
server_stop(void)
{
    atomic_store(&srv.stop, 1);
    /* Wake accept() with one last connection. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)srv.port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    connect(fd, (struct sockaddr *)&a, sizeof a);
    close(fd);
    pthread_join(srv.thread, NULL);
    close(srv.fd);
}

static char base_url[64];
static struct dp_error err;

static struct http_conn *
conn(long low_secs, atomic_int *cancel)
{
    struct http_options o = {.base_url = base_url,
                             .low_speed_secs = low_secs,
                             .low_speed_bytes = low_secs ? 1000 : 0,
                             .max_response = 1u << 20,
                             .cancel = cancel};
    struct http_conn *c = NULL;
    if (http_conn_new(&o, &c, &err) != DP_OK)
        fprintf(stderr, "http_conn_new: %s\n", err.msg);
    return c;
}

static enum dp_status
post(struct http_conn *c, const char *body, struct http_response *r)
{
    struct http_request rq = {.method = "POST",
                              .path = "/sync/v1/pull",
                              .body = body,
                              .body_len = strlen(body),
                              .token = "tok123",
                              .idempotency_key = "dev:1-2:abcd",
                              .request_id = "dev-1-7"};
    dp_error_clear(&err);
    return http_do(c, &rq, r, &err);
}

TEST(one_connection_for_many_requests)
{
    atomic_store(&srv.mode, M_ECHO);
    int before = atomic_load(&srv.connections);
    struct http_conn *c = conn(0, NULL);
    REQUIRE(c);
    struct http_response r;
    http_response_init(&r);
    long opened = 0;
    for (int i = 0; i < 5; i++) {
        REQUIRE(post(c, "{\"a\":1}", &r) == DP_OK);
        CHECK_INT_EQ(r.status, 200);
        opened += r.new_connections;
    }
    CHECK_STR_EQ(r.content_type, "application/json");
    CHECK(strstr(dynbuf_str(&r.body), "\"auth\":\"Bearer tok123\""));
    CHECK(strstr(dynbuf_str(&r.body), "\"idem\":\"dev:1-2:abcd\""));
    CHECK(strstr(dynbuf_str(&r.body), "\"rid\":\"dev-1-7\""));
    CHECK(strstr(dynbuf_str(&r.body), "\"ae\":true"));
    CHECK(strstr(dynbuf_str(&r.body), "\"gzip\":false"));
    CHECK(r.bytes_sent > 7 && r.bytes_received > 50);
    CHECK_INT_EQ(opened, 1);
    CHECK_INT_EQ(atomic_load(&srv.connections) - before, 1);
    http_response_done(&r);
    http_conn_free(c);
}

TEST(large_bodies_go_gzipped)
{
    atomic_store(&srv.mode, M_ECHO);
    struct http_conn *c = conn(0, NULL);
    REQUIRE(c);
    char *big = malloc(20000);
    memset(big, 'x', 19999);
    big[0] = '"';
    big[19998] = '"';
    big[19999] = '\0';
    struct http_response r;
    http_response_init(&r);
    REQUIRE(post(c, big, &r) == DP_OK);
    CHECK(r.gzip_sent);
    CHECK(strstr(dynbuf_str(&r.body), "\"gzip\":true,\"ok\":true"));
    CHECK(strstr(dynbuf_str(&r.body), "\"plain\":19999"));
    CHECK(r.bytes_sent < 2000);
    /* At the threshold: sent as is. */
    big[1024] = '\0';
    big[1023] = '"';
    REQUIRE(post(c, big, &r) == DP_OK);
    CHECK(!r.gzip_sent);
    CHECK(strstr(dynbuf_str(&r.body), "\"gzip\":false"));
    free(big);
    http_response_done(&r);
    http_conn_free(c);
}

TEST(gzip_responses_are_decoded_and_capped)
{
    struct http_conn *c = conn(0, NULL);
    REQUIRE(c);
    struct http_response r;
    http_response_init(&r);
    atomic_store(&srv.mode, M_GZIP);
    REQUIRE(post(c, "{}", &r) == DP_OK);
    CHECK_INT_EQ(r.body.len, 65536);
    CHECK(r.bytes_received < 4096);

    atomic_store(&srv.mode, M_BOMB);
    CHECK_INT_EQ(post(c, "{}", &r), DP_ETOOBIG);
    CHECK_INT_EQ(r.fail, HTTP_FAIL_TOOBIG);
    CHECK_INT_EQ(r.body.len, 0);
    CHECK(r.body.p == NULL);

    atomic_store(&srv.mode, M_BIG);
    CHECK_INT_EQ(post(c, "{}", &r), DP_ETOOBIG);

    atomic_store(&srv.mode, M_BADGZIP);
    CHECK_INT_EQ(post(c, "{}", &r), DP_ENETWORK);
    CHECK_INT_EQ(r.fail, HTTP_FAIL_PARTIAL);

    /* The handle still works after each failure. */
    atomic_store(&srv.mode, M_ECHO);
    CHECK_INT_EQ(post(c, "{}", &r), DP_OK);
    http_response_done(&r);
    http_conn_free(c);
}

TEST(retry_after_both_forms)
{
    struct http_conn *c = conn(0, NULL);
    REQUIRE(c);
    struct http_response r;
    http_response_init(&r);
    atomic_store(&srv.mode, M_RA_SECS);
    REQUIRE(post(c, "{}", &r) == DP_OK);
    CHECK_INT_EQ(r.status, 429);
    CHECK_INT_EQ(r.retry_after_s, 7);
    CHECK_STR_EQ(r.content_type, "application/problem+json");
    atomic_store(&srv.mode, M_RA_DATE);
    REQUIRE(post(c, "{}", &r) == DP_OK);
    CHECK_INT_EQ(r.status, 503);
    CHECK(r.retry_after_s >= 25 && r.retry_after_s <= 31);
    atomic_store(&srv.mode, M_ECHO);
    REQUIRE(post(c, "{}", &r) == DP_OK);
    CHECK_INT_EQ(r.retry_after_s, -1);
    http_response_done(&r);
    http_conn_free(c);
}

TEST(stalled_and_cut_answers)
{
    struct http_conn *c = conn(1, NULL);
    REQUIRE(c);
    struct http_response r;
    http_response_init(&r);
    atomic_store(&srv.mode, M_STALL);
    time_t t0 = time(NULL);
    CHECK_INT_EQ(post(c, "{}", &r), DP_ENETWORK);
    CHECK_INT_EQ(r.fail, HTTP_FAIL_TIMEOUT);
    CHECK(time(NULL) - t0 <= 3);
    CHECK(r.body.p == NULL);

    atomic_store(&srv.mode, M_TRUNCATE);
    CHECK_INT_EQ(post(c, "{}", &r), DP_ENETWORK);
    CHECK_INT_EQ(r.fail, HTTP_FAIL_PARTIAL);
    CHECK(r.body.p == NULL);

    atomic_store(&srv.mode, M_HTML);
    CHECK_INT_EQ(post(c, "{}", &r), DP_OK);
    CHECK_STR_EQ(r.content_type, "text/html");
    http_response_done(&r);
    http_conn_free(c);
}

TEST(cancel_flag_aborts)
{
    atomic_int cancel = 1;
    struct http_conn *c = conn(0, &cancel);
    REQUIRE(c);
    struct http_response r;
    http_response_init(&r);
    atomic_store(&srv.mode, M_STALL);
    CHECK_INT_EQ(post(c, "{}", &r), DP_ECANCELED);
    CHECK_INT_EQ(r.fail, HTTP_FAIL_CANCELED);
    http_response_done(&r);
    http_conn_free(c);
}

TEST(nothing_listening)
{
    struct http_options o = {.base_url = "http://127.0.0.1:1", .connect_timeout_ms = 2000};
    struct http_conn *c = NULL;
    REQUIRE(http_conn_new(&o, &c, &err) == DP_OK);
    struct http_response r;
    http_response_init(&r);
    CHECK_INT_EQ(post(c, "{}", &r), DP_ENETWORK);
    CHECK_INT_EQ(r.fail, HTTP_FAIL_CONNECT);
    CHECK_INT_EQ(r.status, 0);
    CHECK(err.msg[0] != '\0');
    http_response_done(&r);
    http_conn_free(c);
}

TEST(options_are_checked)
{
    struct http_conn *c = NULL;
    struct http_options o = {.base_url = "http://example.org"};
    CHECK_INT_EQ(http_conn_new(&o, &c, &err), DP_ECONFIG);
    CHECK_STR_EQ(err.field, "server_url");
    CHECK(c == NULL);
    o.base_url = "ftp://127.0.0.1";
    CHECK_INT_EQ(http_conn_new(&o, &c, &err), DP_ECONFIG);
    o.base_url = "https://";
    CHECK_INT_EQ(http_conn_new(&o, &c, &err), DP_ECONFIG);
    o.base_url = "https://sync.example.org:8443/";
    o.ca_file = "/nonexistent/ca.pem";
    CHECK_INT_EQ(http_conn_new(&o, &c, &err), DP_ECONFIG);
    CHECK_STR_EQ(err.field, "ca_file");
    o.ca_file = NULL;
    o.pin_sha256 = "sha256//tooshort";
    CHECK_INT_EQ(http_conn_new(&o, &c, &err), DP_ECONFIG);
    CHECK_STR_EQ(err.field, "pin_sha256");
    o.pin_sha256 = "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=;"
                   "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    CHECK_INT_EQ(http_conn_new(&o, &c, &err), DP_OK);
    http_conn_free(c);
    http_conn_free(NULL);

    CHECK(http_url_is_loopback("http://127.0.0.1:8080"));
    CHECK(http_url_is_loopback("http://127.1.2.3/x"));
    CHECK(http_url_is_loopback("http://localhost:1"));
    CHECK(http_url_is_loopback("http://[::1]:8443"));
    CHECK(!http_url_is_loopback("http://127.0.0.1.evil.org"));
    CHECK(!http_url_is_loopback("http://128.0.0.1"));
    CHECK(!http_url_is_loopback("http://localhost.evil.org"));
    CHECK(!http_url_is_loopback("http://127.0.0.1000"));
    CHECK(!http_url_is_loopback("http://[::1].evil"));
}

TEST(gzip_helper_round_trips)
{
    const char *text = "{\"hello\":\"世界\"}";
    unsigned char *z = NULL;
    size_t zn = 0;
    REQUIRE(http_gzip(text, strlen(text), &z, &zn) == DP_OK);
    CHECK(z[0] == 0x1f && z[1] == 0x8b);
    bool ok;
    CHECK_INT_EQ(gunzip_len(z, zn, &ok), strlen(text));
    CHECK(ok);
    free(z);
}

int
main(void)
{
    server_start();
    snprintf(base_url, sizeof base_url, "http://127.0.0.1:%d", srv.port);
    RUN(one_connection_for_many_requests);
    RUN(large_bodies_go_gzipped);
    RUN(gzip_responses_are_decoded_and_capped);
    RUN(retry_after_both_forms);
    RUN(stalled_and_cut_answers);
    RUN(cancel_flag_aborts);
    RUN(nothing_listening);
    RUN(options_are_checked);
    RUN(gzip_helper_round_trips);
    server_stop();
    return test_report();
}
