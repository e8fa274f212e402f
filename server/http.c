#include "server/http.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "server/api.h"
#include "server/auth.h"
#include "server/buf.h"
#include "server/gz.h"
#include "server/problem.h"
#include "server/server.h"
#include "server/users.h"

/* ---- responses ------------------------------------------------------------- */

void
response_init(struct response *r)
{
    memset(r, 0, sizeof *r);
    r->status = 500;
    r->content_type = "application/json";
}

void
response_done(struct response *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

void
response_raw(struct response *r, int status, const char *content_type, const char *body, size_t len)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
    r->status = status;
    r->content_type = content_type;
    if (len) {
        r->body = malloc(len);
        if (!r->body) {
            r->status = 503;
            return;
        }
        memcpy(r->body, body, len);
        r->len = len;
    }
}

void
response_json(struct response *r, int status, cJSON *obj)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
    r->content_type = "application/json";
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (!text) {
        static const char oom[] = "{\"type\":\"urn:doorstep:problem:unavailable\","
                                  "\"code\":\"unavailable\",\"status\":503}";
        r->status = 503;
        r->content_type = "application/problem+json";
        snprintf(r->retry_after, sizeof r->retry_after, "5");
        r->body = strdup(oom);
        r->len = r->body ? strlen(r->body) : 0;
        return;
    }
    r->status = status;
    r->body = text;
    r->len = strlen(text);
}

/* ---- small parsers ------------------------------------------------------------ */

bool
http_addr_is_loopback(const char *addr)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, addr, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, addr, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

/* Case-insensitive comparison of a token of length n with a word. */
static bool
token_is(const char *p, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(p, word, n) == 0;
}

bool
http_accepts_gzip(const char *ae)
{
    if (!ae)
        return false;
    const char *p = ae;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *tok = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t n = (size_t)(p - tok);
        bool gzip = token_is(tok, n, "gzip") || token_is(tok, n, "x-gzip");
        double q = 1.0;
        while (*p && *p != ',') {
            if (*p == ';') {
                p++;
                while (*p == ' ' || *p == '\t')
                    p++;
                if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
                    char *end;
                    q = strtod(p + 2, &end);
                    if (end == p + 2)
                        q = 0;
                    p = end;
                    continue;
                }
            }
            if (*p)
                p++;
        }
        if (gzip && q > 0)
            return true;
    }
    return false;
}

/* "application/json", optionally with parameters. */
static bool
content_type_ok(const char *ct)
{
    if (!ct)
        return false;
    while (*ct == ' ')
        ct++;
    size_t n = strcspn(ct, "; \t");
    if (!token_is(ct, n, "application/json"))
        return false;
    const char *rest = ct + n;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    return *rest == '\0' || *rest == ';';
}

/* X-Request-Id worth echoing: 1-64 of [A-Za-z0-9._:-]. */
static bool
request_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > 64)
        return false;
    return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") == n;
}

/* ---- routing ------------------------------------------------------------------ */

struct route {
    const char *path;
    bool prefix; /* path is a prefix ("/sync/v1/ref/") */
    const char *method;
    size_t body_cap;
    bool auth;
    void (*handler)(struct request *, struct response *);
};

static const struct route routes[] = {
    {"/sync/v1/login", false, "POST", LIMIT_SMALL_BODY, false, api_login},
    {"/sync/v1/logout", false, "POST", LIMIT_SMALL_BODY, true, api_logout},
    {"/sync/v1/hello", false, "POST", LIMIT_SMALL_BODY, true, api_hello},
    {"/sync/v1/push", false, "POST", LIMIT_PUSH_BODY, true, api_push},
    {"/sync/v1/pull", false, "POST", LIMIT_SMALL_BODY, true, api_pull},
    {"/sync/v1/ref/", true, "GET", 0, true, api_ref},
};

static const struct route *
find_route(const char *path)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const struct route *r = &routes[i];
        if (r->prefix ? strncmp(path, r->path, strlen(r->path)) == 0 : strcmp(path, r->path) == 0)
            return r;
    }
    return NULL;
}

/* Fill req->caller from the bearer token, or answer 401. */
static bool
authenticate(struct request *req, sqlite3 *db, struct response *resp)
{
    const char *h = req->authorization;
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
        problem_set(resp, PROB_TOKEN_MISSING, NULL, NULL, "send Authorization: Bearer <token>");
        return false;
    }
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    int64_t uid = 0, exp = 0;
    enum dp_status st;
    struct dp_error err;
    enum auth_check ac = auth_token_check(db, token, &uid, &exp, &st, &err);
    if (st != DP_OK) {
        problem_from_status(resp, st);
        return false;
    }
    if (ac == AUTH_EXPIRED) {
        problem_set(resp, PROB_TOKEN_EXPIRED, NULL, NULL, "log in again");
        return false;
    }
    struct user u;
    if (ac != AUTH_VALID || (st = users_get_by_id(db, uid, &u, &err)) != DP_OK || u.disabled) {
        problem_set(resp, PROB_TOKEN_INVALID, NULL, NULL, "log in again");
        return false;
    }
    struct caller *c = &req->caller;
    c->user_id = u.id;
    snprintf(c->name, sizeof c->name, "%s", u.name);
    snprintf(c->role, sizeof c->role, "%s", u.role);
    snprintf(c->team, sizeof c->team, "%s", u.team);
    auth_token_hash(token, c->token_hash);
    c->token_expires_at = exp;
    return true;
}

void
http_dispatch(struct request *req, struct response *resp)
{
    const struct route *r = find_route(req->path);
    if (!r || strncmp(req->path, "/sync/v1/", 9) != 0) {
        problem_set(resp, PROB_NOT_FOUND, NULL, NULL, "no such endpoint");
        return;
    }
    if (strcmp(req->method, r->method) != 0) {
        problem_set(resp, PROB_METHOD, NULL, NULL, "use %s", r->method);
        snprintf(resp->allow, sizeof resp->allow, "%s", r->method);
        return;
    }
    sqlite3 *db = server_db(req->srv);
    req->db = db;
    if (!r->auth || authenticate(req, db, resp))
        r->handler(req, resp);
    req->db = NULL;
    server_db_put(req->srv, db);
}

/* ---- libmicrohttpd glue ---------------------------------------------------- */

struct http_server {
    struct MHD_Daemon *daemon;
    struct server *srv;
    char *cert;
    char *key;
};

struct conn_state {
    const struct route *route;
    struct buf body;
    bool answered;         /* a response was queued before the body was read */
    enum dp_status failed; /* the body could not be kept (too large); answered at the end */
    size_t discarded;      /* bytes dropped after failing */
};

#define DISCARD_MAX (8u * 1024 * 1024)

static enum MHD_Result
queue(struct MHD_Connection *conn, struct response *resp, bool gzip_ok, const char *request_id)
{
    struct buf gz;
    buf_init(&gz, resp->len + 1024);
    const char *body = resp->body ? resp->body : "";
    size_t len = resp->len;
    bool gzipped = false;
    if (gzip_ok && len >= LIMIT_GZIP_MIN && gz_deflate(body, len, &gz) == DP_OK && gz.len < len) {
        body = gz.data;
        len = gz.len;
        gzipped = true;
    }
    struct MHD_Response *mr =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    buf_done(&gz);
    if (!mr)
        return MHD_NO;
    if (resp->len || resp->status >= 400)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (gzipped)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (gzip_ok || gzipped)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (resp->retry_after[0])
        MHD_add_response_header(mr, MHD_HTTP_HEADER_RETRY_AFTER, resp->retry_after);
    if (resp->allow[0])
        MHD_add_response_header(mr, MHD_HTTP_HEADER_ALLOW, resp->allow);
    if (resp->etag[0])
        MHD_add_response_header(mr, MHD_HTTP_HEADER_ETAG, resp->etag);
    if (resp->www_authenticate)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    if (request_id_ok(request_id))
        MHD_add_response_header(mr, "X-Request-Id", request_id);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)resp->status, mr);
    MHD_destroy_response(mr);
    return ret;
}

static const char *
header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result
answer_problem(struct MHD_Connection *conn, enum problem p, cJSON *extra, const char *detail)
{
    struct response resp;
    response_init(&resp);
    problem_set(&resp, p, NULL, extra, "%s", detail);
    enum MHD_Result ret = queue(conn, &resp, false, header(conn, "X-Request-Id"));
    response_done(&resp);
    return ret;
}

static cJSON *
limit_extra(size_t limit)
{
    cJSON *o = cJSON_CreateObject();
    if (o)
        cJSON_AddNumberToObject(o, "limit", (double)limit);
    return o;
}

static void
client_address(struct MHD_Connection *conn, char *buf, size_t bufsize)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(buf, bufsize, "?");
    if (!ci || !ci->client_addr)
        return;
    socklen_t len = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                           : sizeof(struct sockaddr_in);
    getnameinfo(ci->client_addr, len, buf, (socklen_t)bufsize, NULL, 0, NI_NUMERICHOST);
}

/* Checks made before any body byte is read: route, method, size, type, encoding. */
static enum MHD_Result
first_call(struct MHD_Connection *conn, const char *url, const char *method, struct conn_state *cs)
{
    cs->route = find_route(url);
    if (!cs->route || strcmp(method, cs->route->method) != 0)
        return MHD_YES; /* http_dispatch answers 404 / 405 after the body */
    const char *cl = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end;
        unsigned long long n = strtoull(cl, &end, 10);
        if (end == cl || *end || n > cs->route->body_cap) {
            cs->answered = true;
            return answer_problem(conn, PROB_TOO_LARGE, limit_extra(cs->route->body_cap),
                                  "the body is larger than this endpoint accepts");
        }
    }
    if (strcmp(method, "POST") == 0 && !content_type_ok(header(conn, "Content-Type"))) {
        cs->answered = true;
        return answer_problem(conn, PROB_MEDIA_TYPE, NULL, "send Content-Type: application/json");
    }
    const char *ce = header(conn, MHD_HTTP_HEADER_CONTENT_ENCODING);
    if (ce && strcasecmp(ce, "gzip") != 0 && strcasecmp(ce, "identity") != 0) {
        cs->answered = true;
        return answer_problem(conn, PROB_ENCODING, NULL, "only gzip is accepted");
    }
    return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct http_server *hs = cls;
    struct conn_state *cs = *con_cls;

    if (!cs) {
        cs = calloc(1, sizeof *cs);
        if (!cs)
            return MHD_NO;
        *con_cls = cs;
        buf_init(&cs->body, 0);
        enum MHD_Result r = first_call(conn, url, method, cs);
        if (!cs->answered)
            buf_init(&cs->body, cs->route ? cs->route->body_cap : LIMIT_SMALL_BODY);
        return r;
    }
    if (cs->answered) {
        *upload_data_size = 0; /* discard the rest; the answer is already queued */
        return MHD_YES;
    }
    if (cs->failed && *upload_data_size) {
        /*
         * libmicrohttpd takes an answer only once the body has been read, so
         * an oversized chunked body is read and dropped; past a bound the
         * connection is simply closed.
         */
        cs->discarded += *upload_data_size;
        *upload_data_size = 0;
        return cs->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
    }
    if (*upload_data_size) {
        enum dp_status st = buf_add(&cs->body, upload_data, *upload_data_size);
        if (st != DP_OK) {
            cs->failed = st;
            cs->discarded = *upload_data_size;
            buf_done(&cs->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (cs->failed) {
        size_t cap = cs->route ? cs->route->body_cap : LIMIT_SMALL_BODY;
        return cs->failed == DP_ETOOBIG
                   ? answer_problem(conn, PROB_TOO_LARGE, limit_extra(cap),
                                    "the body is larger than this endpoint accepts")
                   : answer_problem(conn, PROB_UNAVAILABLE, NULL, "out of memory");
    }

    /* The whole body is here. */
    struct request req;
    memset(&req, 0, sizeof req);
    req.srv = hs->srv;
    req.method = method;
    req.path = url;
    client_address(conn, req.addr, sizeof req.addr);
    req.authorization = header(conn, MHD_HTTP_HEADER_AUTHORIZATION);
    req.if_none_match = header(conn, MHD_HTTP_HEADER_IF_NONE_MATCH);
    req.idempotency_key = header(conn, "Idempotency-Key");

    struct buf plain;
    buf_init(&plain, cs->route ? cs->route->body_cap : 0);
    req.body = buf_cstr(&cs->body);
    req.body_len = cs->body.len;
    const char *ce = header(conn, MHD_HTTP_HEADER_CONTENT_ENCODING);
    if (ce && strcasecmp(ce, "gzip") == 0 && cs->route) {
        enum dp_status st = gz_inflate(cs->body.data, cs->body.len, cs->route->body_cap, &plain);
        if (st != DP_OK) {
            buf_done(&plain);
            if (st == DP_ETOOBIG)
                return answer_problem(conn, PROB_TOO_LARGE, limit_extra(cs->route->body_cap),
                                      "the body decompresses to more than this endpoint accepts");
            if (st == DP_ENOMEM)
                return answer_problem(conn, PROB_UNAVAILABLE, NULL, "out of memory");
            return answer_problem(conn, PROB_BAD_GZIP, NULL, "the gzip body is corrupt or cut");
        }
        req.body = buf_cstr(&plain);
        req.body_len = plain.len;
    }

    struct response resp;
    response_init(&resp);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    http_dispatch(&req, &resp);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (resp.status >= 500 || getenv("DOORSTEP_SERVER_LOG_REQUESTS")) {
        long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        /* Paths carry no personal data; user names are not logged here. */
        fprintf(stderr, "doorstep-server: %s %s %d %zu bytes %ld ms\n", method, url, resp.status,
                resp.len, ms);
    }
    enum MHD_Result ret =
        queue(conn, &resp, http_accepts_gzip(header(conn, MHD_HTTP_HEADER_ACCEPT_ENCODING)),
              header(conn, "X-Request-Id"));
    response_done(&resp);
    buf_done(&plain);
    return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct conn_state *cs = *con_cls;
    if (cs) {
        buf_done(&cs->body);
        free(cs);
        *con_cls = NULL;
    }
}

static void
on_mhd_error(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* libmicrohttpd reports connection-level trouble (TLS alerts, resets); never bodies. */
    fprintf(stderr, "doorstep-server: http: %s%s", msg,
            msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

enum dp_status
http_start(struct server *srv, const struct http_options *opt, struct http_server **out,
           int *bound_port, struct dp_error *err)
{
    *out = NULL;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, opt->addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)opt->port);
    } else if (inet_pton(AF_INET6, opt->addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)opt->port);
        flags |= MHD_USE_IPv6;
    } else {
        return dp_error_set(err, DP_ECONFIG, "listen", "not a numeric IPv4 or IPv6 address");
    }

    struct http_server *hs = calloc(1, sizeof *hs);
    if (!hs)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    hs->srv = srv;
    if (opt->cert_pem) {
        hs->cert = strdup(opt->cert_pem);
        hs->key = strdup(opt->key_pem);
        if (!hs->cert || !hs->key) {
            http_stop(hs);
            return dp_error_set(err, DP_ENOMEM, NULL, NULL);
        }
        flags |= MHD_USE_TLS;
    }

    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, hs->cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, hs->key},
        {MHD_OPTION_HTTPS_PRIORITIES, 0,
         (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE"},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};

    hs->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, hs, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, hs,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)(opt->threads ? opt->threads : 4), MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)(opt->conn_limit ? opt->conn_limit : 1000), MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)(opt->timeout_s ? opt->timeout_s : 30), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(32 * 1024), MHD_OPTION_NOTIFY_COMPLETED, on_completed, hs, MHD_OPTION_ARRAY,
        opt->cert_pem ? tls_opts : no_opts, MHD_OPTION_END);
    if (!hs->daemon) {
        http_stop(hs);
        return dp_error_set(err, DP_EIO, "listen",
                            "cannot listen there (address in use, or bad certificate or key)");
    }
    if (bound_port) {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(hs->daemon, MHD_DAEMON_INFO_BIND_PORT);
        *bound_port = di ? (int)di->port : opt->port;
    }
    *out = hs;
    return DP_OK;
}

void
http_stop(struct http_server *h)
{
    if (!h)
        return;
    if (h->daemon)
        MHD_stop_daemon(h->daemon);
    free(h->cert);
    free(h->key);
    free(h);
}
