/*
 * The server's HTTP front (server/http.c) with libmicrohttpd on loopback:
 * what happens before a handler runs (Content-Length and body caps,
 * Content-Type, Content-Encoding, gzip bombs, chunked bodies) and after it
 * (gzip answers, headers). A fresh server on a fresh copy of the fixture
 * database (server_fixture.h) answers each input.
 *
 * Input: "METHOD PATH", header lines "Name: value", an empty line, the body.
 * The target frames the request itself (Host, Connection: close and the
 * true Content-Length) so that it always ends; pseudo-headers steer it:
 *   X-Fuzz-Repeat: N      send the body N times (1-64), for bodies past a cap
 *   X-Fuzz-Chunked: 1     send it chunked instead (no Content-Length)
 *   X-Fuzz-Gzip: 1        gzip it and say Content-Encoding: gzip
 *   X-Fuzz-Claim: 1       claim a 1 MiB Content-Length and send nothing (known POST
 *                         routes only: elsewhere the server rightly waits for the body)
 *   X-Fuzz-Auth: worker|supervisor   add that user's token
 *
 * Every request gets a complete answer within 5 s; never 500 or 503;
 * Cache-Control: no-store always; errors are problem+json; a body over the
 * endpoint's cap (as sent or once inflated) or a claimed one is 413 with the
 * limit; gzip that does not inflate is 400 bad-gzip; answers are gzipped
 * only when Accept-Encoding allowed it, and inflate to JSON; X-Request-Id is
 * echoed exactly when it is 1-64 of [A-Za-z0-9._:-].
 */
#include "tests/fuzz/fuzz.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "server/buf.h"
#include "server/gz.h"
#include "server/http.h"
#include "server/problem.h"
#include "tests/fuzz/server_fixture.h"

struct req {
    char method[16], path[256];
    struct buf head; /* header lines to send, CRLF-terminated */
    struct buf body;
    int repeat;
    bool chunked, gzip, claim, accept_gzip;
    char request_id[128];
    bool has_request_id;
    size_t cap; /* the route's body cap, 0 when unknown */
};

/* "Name: value" with a token name (no folding, which would glue it to Connection: close). */
static bool
header_line_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || (unsigned char)s[i] >= 0x7f)
            return false;
    const char *colon = memchr(s, ':', n);
    if (!colon || colon == s)
        return false;
    for (const char *p = s; p < colon; p++)
        if (!strchr("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                    *p))
            return false;
    return true;
}

static bool
is(const char *name, size_t nlen, const char *want)
{
    return strlen(want) == nlen && strncasecmp(name, want, nlen) == 0;
}

static size_t
route_cap(const char *method, const char *path)
{
    if (strcmp(method, "POST") != 0)
        return 0;
    if (strcmp(path, "/sync/v1/push") == 0)
        return LIMIT_PUSH_BODY;
    if (strcmp(path, "/sync/v1/login") == 0 || strcmp(path, "/sync/v1/logout") == 0 ||
        strcmp(path, "/sync/v1/hello") == 0 || strcmp(path, "/sync/v1/pull") == 0)
        return LIMIT_SMALL_BODY;
    return 0;
}

/* Parse the input into *r; false when it is not a request this target can send. */
static bool
parse_input(const uint8_t *data, size_t size, struct req *r)
{
    const char *p = (const char *)data, *end = p + size;
    const char *nl = memchr(p, '\n', size);
    if (!nl)
        return false;
    char *first = fuzz_cstr(data, (size_t)(nl - p));
    bool ok = sscanf(first, "%15s %255s", r->method, r->path) == 2 && r->path[0] == '/';
    free(first);
    if (!ok)
        return false;
    for (const char *s = r->method; *s; s++)
        if (*s < 'A' || *s > 'Z')
            return false;
    for (const char *s = r->path; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    r->repeat = 1;
    p = nl + 1;
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *line = p;
        p = nl ? nl + 1 : end;
        if (n && line[n - 1] == '\r')
            n--;
        if (n == 0)
            break; /* the body follows */
        if (!header_line_ok(line, n))
            return false;
        const char *colon = memchr(line, ':', n);
        size_t nlen = (size_t)(colon - line);
        const char *v = colon + 1;
        while (v < line + n && (*v == ' ' || *v == '\t'))
            v++;
        size_t vlen = (size_t)(line + n - v);
        char value[256];
        snprintf(value, sizeof value, "%.*s", (int)(vlen < 255 ? vlen : 255), v);
        if (is(line, nlen, "X-Fuzz-Repeat")) {
            long k = strtol(value, NULL, 10);
            r->repeat = k < 1 ? 1 : k > 64 ? 64 : (int)k;
        } else if (is(line, nlen, "X-Fuzz-Chunked")) {
            r->chunked = true;
        } else if (is(line, nlen, "X-Fuzz-Gzip")) {
            r->gzip = true;
        } else if (is(line, nlen, "X-Fuzz-Claim")) {
            r->claim = route_cap(r->method, r->path) > 0;
        } else if (is(line, nlen, "X-Fuzz-Auth")) {
            const char *tok = strcmp(value, "supervisor") == 0 ? fx.supervisor : fx.worker;
            FUZZ_ASSERT(buf_addf(&r->head, "Authorization: %s\r\n", tok) == DP_OK);
        } else if (is(line, nlen, "Host") || is(line, nlen, "Content-Length") ||
                   is(line, nlen, "Transfer-Encoding") || is(line, nlen, "Connection") ||
                   is(line, nlen, "Expect") || is(line, nlen, "Upgrade") ||
                   (r->gzip && is(line, nlen, "Content-Encoding"))) {
            /* Framing is the target's; these would let a request hang. */
        } else {
            if (is(line, nlen, "Accept-Encoding"))
                r->accept_gzip = http_accepts_gzip(value);
            /* The server reads the first one, as libmicrohttpd's lookup does. */
            if (is(line, nlen, "X-Request-Id") && !r->has_request_id) {
                r->has_request_id = true;
                snprintf(r->request_id, sizeof r->request_id, "%s", value);
            }
            FUZZ_ASSERT(buf_addf(&r->head, "%.*s\r\n", (int)n, line) == DP_OK);
        }
    }
    for (int i = 0; i < r->repeat; i++)
        FUZZ_ASSERT(buf_add(&r->body, p, (size_t)(end - p)) == DP_OK);
    if (r->gzip) {
        struct buf gz;
        buf_init(&gz, (size_t)-1);
        FUZZ_ASSERT(gz_deflate(buf_cstr(&r->body), r->body.len, &gz) == DP_OK);
        buf_done(&r->body);
        r->body = gz;
        FUZZ_ASSERT(buf_adds(&r->head, "Content-Encoding: gzip\r\n") == DP_OK);
    }
    return true;
}

static int
connect_to(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    /* Thousands of connections a minute: a busy loopback may refuse one now and then. */
    for (int attempt = 0;; attempt++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        FUZZ_ASSERT(fd >= 0);
        struct timeval tv = {.tv_sec = 5};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
            return fd;
        int e = errno;
        close(fd);
        if (attempt == 20) {
            fprintf(stderr, "connect: %s\n", strerror(e));
            FUZZ_ASSERT(!"cannot connect to the server on loopback");
        }
        usleep(50000);
    }
}

/* Send everything; a server that has answered early may close before the body is in. */
static void
send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0)
            return;
        p += k;
        n -= (size_t)k;
    }
}

static void
send_request(int fd, const struct req *r)
{
    struct buf out;
    buf_init(&out, (size_t)-1);
    FUZZ_ASSERT(buf_addf(&out, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n",
                         r->method, r->path) == DP_OK);
    FUZZ_ASSERT(buf_add(&out, buf_cstr((struct buf *)&r->head), r->head.len) == DP_OK);
    if (r->claim)
        FUZZ_ASSERT(buf_adds(&out, "Content-Length: 1048576\r\n\r\n") == DP_OK);
    else if (r->chunked)
        FUZZ_ASSERT(buf_adds(&out, "Transfer-Encoding: chunked\r\n\r\n") == DP_OK);
    else
        FUZZ_ASSERT(buf_addf(&out, "Content-Length: %zu\r\n\r\n", r->body.len) == DP_OK);
    send_all(fd, out.data, out.len);
    buf_done(&out);
    if (r->claim) {
        shutdown(fd, SHUT_WR);
        return;
    }
    const char *b = r->body.data ? r->body.data : "";
    if (!r->chunked) {
        send_all(fd, b, r->body.len);
        return;
    }
    char line[32];
    for (size_t off = 0; off < r->body.len; off += 4000) {
        size_t n = r->body.len - off < 4000 ? r->body.len - off : 4000;
        snprintf(line, sizeof line, "%zx\r\n", n);
        send_all(fd, line, strlen(line));
        send_all(fd, b + off, n);
        send_all(fd, "\r\n", 2);
    }
    send_all(fd, "0\r\n\r\n", 5);
}

/* The whole answer, up to the server closing the connection. */
static void
read_answer(int fd, struct buf *in)
{
    char chunk[16384];
    for (;;) {
        ssize_t k = recv(fd, chunk, sizeof chunk, 0);
        /* A server that answered before reading all of a large body may reset the connection. */
        if (k == 0 || (k < 0 && errno == ECONNRESET))
            return;
        if (k < 0)
            fprintf(stderr, "recv: %s\n", strerror(errno));
        FUZZ_ASSERT(k > 0); /* a timeout: the server never finished answering */
        FUZZ_ASSERT(buf_add(in, chunk, (size_t)k) == DP_OK);
    }
}

/* Value of header `name` in the raw head (CRLF lines), or NULL; copied into buf. */
static const char *
answer_header(const char *head, const char *name, char *buf, size_t bufsize)
{
    size_t n = strlen(name);
    for (const char *l = strstr(head, "\r\n"); l && l[2] != '\r'; l = strstr(l + 2, "\r\n")) {
        const char *line = l + 2;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            snprintf(buf, bufsize, "%.*s", (int)(e - v), v);
            return buf;
        }
    }
    return NULL;
}

static void
check_answer(const struct req *r, size_t plain_len, struct buf *in)
{
    const char *text = buf_cstr(in);
    int status = 0;
    FUZZ_ASSERT(sscanf(text, "HTTP/1.1 %d ", &status) == 1);
    const char *sep = strstr(text, "\r\n\r\n");
    FUZZ_ASSERT(sep);
    size_t head_len = (size_t)(sep - text) + 2;
    char *head = fuzz_cstr((const uint8_t *)text, head_len);
    const char *body = sep + 4;
    size_t body_len = in->len - (size_t)(body - text);
    char v[256];

    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "%s %s (%zu bytes sent, %zu plain) -> %.*s\n", r->method, r->path,
                r->body.len, plain_len, (int)(body_len > 300 ? 300 : body_len), body);
    FUZZ_ASSERT(status >= 200 && status < 600);
    /* libmicrohttpd's own refusals (a header line it will not take) carry no JSON. */
    bool ours = answer_header(head, "Cache-Control", v, sizeof v) != NULL;
    if (!ours) {
        FUZZ_ASSERT(status == 400 || status == 413 || status == 431);
        free(head);
        return;
    }
    FUZZ_ASSERT(strcmp(v, "no-store") == 0);
    FUZZ_ASSERT(status != 500 && status != 503);

    /* Caps: claimed, as sent, or once inflated. */
    size_t cap = route_cap(r->method, r->path);
    if (cap && r->claim)
        FUZZ_ASSERT(status == 413);
    if (cap && !r->gzip && r->body.len > cap)
        FUZZ_ASSERT(status == 413 || status == 415);
    if (cap && r->gzip && plain_len > cap && r->body.len <= cap)
        FUZZ_ASSERT(status == 413 || status == 415);
    if (cap && !r->claim && r->body.len <= cap && plain_len <= cap)
        FUZZ_ASSERT(status != 413);

    /* The body, inflated when the answer says gzip. */
    struct buf plain;
    buf_init(&plain, (size_t)-1);
    const char *ce = answer_header(head, "Content-Encoding", v, sizeof v);
    if (ce) {
        FUZZ_ASSERT(strcmp(ce, "gzip") == 0 && r->accept_gzip);
        FUZZ_ASSERT(gz_inflate(body, body_len, (size_t)64 << 20, &plain) == DP_OK);
    } else {
        FUZZ_ASSERT(buf_add(&plain, body, body_len) == DP_OK);
    }
    if (plain.len) {
        cJSON *j = cJSON_ParseWithLength(buf_cstr(&plain), plain.len);
        FUZZ_ASSERT(cJSON_IsObject(j));
        if (status >= 400) {
            FUZZ_ASSERT(answer_header(head, "Content-Type", v, sizeof v) &&
                        strcmp(v, "application/problem+json") == 0);
            const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "code");
            const cJSON *limit = cJSON_GetObjectItemCaseSensitive(j, "limit");
            FUZZ_ASSERT(cJSON_IsString(code));
            /*
             * Known bug (known-bugs/README, http/post-to-ref-is-413-limit-0): a
             * body sent to the GET-only ref/ route is answered 413 with limit 0
             * instead of 405. Let that one through until server/http.c is fixed.
             */
            bool known = fuzz_tolerate_known_bug() && strncmp(r->path, "/sync/v1/ref/", 13) == 0 &&
                         cJSON_IsNumber(limit) && limit->valuedouble == 0;
            if (strcmp(code->valuestring, "body-too-large") == 0 && !known)
                FUZZ_ASSERT(status == 413 && cJSON_IsNumber(limit) && limit->valuedouble > 0);
            if (strcmp(code->valuestring, "bad-gzip") == 0)
                FUZZ_ASSERT(r->gzip || strcasestr(buf_cstr((struct buf *)&r->head), "gzip"));
        }
        cJSON_Delete(j);
    }
    buf_done(&plain);

    /* X-Request-Id: echoed exactly when well-formed, else not at all. */
    size_t idn = strlen(r->request_id);
    bool id_ok = r->has_request_id && idn >= 1 && idn <= 64 &&
                 strspn(r->request_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789._:-") == idn;
    const char *echo = answer_header(head, "X-Request-Id", v, sizeof v);
    if (id_ok)
        FUZZ_ASSERT(echo && strcmp(echo, r->request_id) == 0);
    else if (!r->has_request_id)
        FUZZ_ASSERT(!echo);
    free(head);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fx.image)
        fixture_setup();
    struct req r;
    memset(&r, 0, sizeof r);
    buf_init(&r.head, 16384);
    buf_init(&r.body, (size_t)-1);
    if (!parse_input(data, size, &r)) {
        buf_done(&r.head);
        buf_done(&r.body);
        return 0;
    }
    size_t plain_len = r.body.len;
    if (r.gzip) {
        struct buf plain;
        buf_init(&plain, (size_t)-1);
        FUZZ_ASSERT(gz_inflate(r.body.data, r.body.len, (size_t)-1, &plain) == DP_OK);
        plain_len = plain.len;
        buf_done(&plain);
    }

    struct server srv;
    fixture_restore(&srv);
    /* The same port every time (a new one each run would fill the loopback with TIME_WAITs). */
    static int port;
    struct http_options opt = {.addr = "127.0.0.1", .port = port, .threads = 1, .timeout_s = 5};
    struct http_server *hs = NULL;
    struct dp_error err;
    if (http_start(&srv, &opt, &hs, &port, &err) != DP_OK) {
        opt.port = 0;
        FUZZ_ASSERT(http_start(&srv, &opt, &hs, &port, &err) == DP_OK);
    }

    int fd = connect_to(port);
    send_request(fd, &r);
    struct buf in;
    buf_init(&in, (size_t)64 << 20);
    read_answer(fd, &in);
    close(fd);
    /*
     * Nothing at all: the connection was reset under a large body, or dropped
     * after a claimed one never came. Anything else must be a whole answer.
     */
    if (in.len)
        check_answer(&r, plain_len, &in);

    buf_done(&in);
    http_stop(hs);
    server_done(&srv);
    buf_done(&r.head);
    buf_done(&r.body);
    return 0;
}
