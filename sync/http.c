#include "sync/http.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <zlib.h>

#define DEFAULT_CONNECT_MS   20000L
#define DEFAULT_TIMEOUT_MS   600000L
#define DEFAULT_LOW_BYTES    16L
#define DEFAULT_LOW_SECS     30L
#define DEFAULT_MAX_RESPONSE (4u * 1024 * 1024)
#define DEFAULT_GZIP_MIN     1024u

struct http_conn {
    CURL *curl;
    char base_url[512];
    size_t max_response;
    size_t gzip_min;
    const atomic_int *cancel;
    void (*progress)(void *ctx, int64_t sent, int64_t received);
    void *progress_ctx;
    char errbuf[CURL_ERROR_SIZE];
    /* The response being received, for the callbacks. */
    struct http_response *resp;
    bool toobig;
    bool nomem;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void
global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

bool
http_url_is_loopback(const char *url)
{
    const char *p = strstr(url, "://");
    if (!p)
        return false;
    p += 3;
    if (strncmp(p, "[::1]", 5) == 0)
        return p[5] == '\0' || p[5] == ':' || p[5] == '/';
    size_t n = strcspn(p, ":/");
    if (n == 9 && strncasecmp(p, "localhost", 9) == 0)
        return true;
    if (n < 7 || n > 15 || strncmp(p, "127.", 4) != 0)
        return false;
    /* 127.a.b.c with three more numbers of at most three digits. */
    int dots = 0, digits = 0;
    for (size_t i = 4; i < n; i++) {
        if (p[i] == '.') {
            if (digits == 0)
                return false;
            dots++;
            digits = 0;
        } else if (isdigit((unsigned char)p[i]) && ++digits <= 3) {
            continue;
        } else {
            return false;
        }
    }
    return dots == 2 && digits > 0;
}

/* A pin is one or more "sha256//" + 44 base64 characters, joined by ';'. */
static bool
pin_valid(const char *pin)
{
    const char *p = pin;
    for (;;) {
        if (strncmp(p, "sha256//", 8) != 0)
            return false;
        p += 8;
        size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
        if (n != 44 || p[43] != '=')
            return false;
        p += n;
        if (*p == '\0')
            return true;
        if (*p != ';')
            return false;
        p++;
    }
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct http_conn *c = ctx;
    size_t n = size * nmemb;
    enum dp_status st = dynbuf_add(&c->resp->body, data, n);
    if (st == DP_ETOOBIG) {
        c->toobig = true;
        return 0;
    }
    if (st != DP_OK) {
        c->nomem = true;
        return 0;
    }
    return n;
}

static int
xferinfo_cb(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    struct http_conn *c = ctx;
    (void)dltotal;
    (void)ultotal;
    if (c->cancel && atomic_load(c->cancel))
        return 1;
    if (c->progress)
        c->progress(c->progress_ctx, (int64_t)ulnow, (int64_t)dlnow);
    return 0;
}

enum dp_status
http_gzip(const void *data, size_t len, unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16: a gzip wrapper (RFC 1952), as Content-Encoding: gzip requires. */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return DP_ENOMEM;
    uLong bound = deflateBound(&z, (uLong)len);
    unsigned char *buf = malloc(bound);
    if (!buf) {
        deflateEnd(&z);
        return DP_ENOMEM;
    }
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)bound;
    int rc = deflate(&z, Z_FINISH);
    size_t n = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(buf);
        return DP_ENOMEM;
    }
    *out = buf;
    *out_len = n;
    return DP_OK;
}

/*
 * The stall window when the caller sets none: DEFAULT_LOW_SECS, or for the
 * tests that stall a transfer on purpose DOORSTEP_LOW_SPEED_TIME (1-600
 * seconds; anything else is ignored). docs/internals/sync.md lists it.
 */
static long
low_speed_secs_default(void)
{
    const char *v = getenv("DOORSTEP_LOW_SPEED_TIME");
    if (v && *v) {
        char *end;
        long n = strtol(v, &end, 10);
        if (!*end && n >= 1 && n <= 600)
            return n;
    }
    return DEFAULT_LOW_SECS;
}

enum dp_status
http_conn_new(const struct http_options *opt, struct http_conn **out, struct dp_error *err)
{
    *out = NULL;
    const char *url = opt->base_url ? opt->base_url : "";
    bool https = strncmp(url, "https://", 8) == 0;
    if (!https && !(strncmp(url, "http://", 7) == 0 && http_url_is_loopback(url)))
        return dp_error_set(err, DP_ECONFIG, "server_url",
                            "must start with https:// (http:// only for a loopback address)");
    size_t ulen = strlen(url);
    while (ulen > 0 && url[ulen - 1] == '/')
        ulen--;
    struct http_conn tmp;
    if (ulen >= sizeof tmp.base_url || ulen <= (size_t)(https ? 8 : 7))
        return dp_error_set(err, DP_ECONFIG, "server_url", "is empty or too long");
    if (opt->ca_file && *opt->ca_file && access(opt->ca_file, R_OK) != 0)
        return dp_error_set(err, DP_ECONFIG, "ca_file", "cannot be read");
    if (opt->pin_sha256 && *opt->pin_sha256 && !pin_valid(opt->pin_sha256))
        return dp_error_set(err, DP_ECONFIG, "pin_sha256",
                            "must be sha256// followed by a base64 SHA-256 digest");

    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return dp_error_set(err, DP_ENOMEM, NULL, "cannot initialise libcurl");

    struct http_conn *c = calloc(1, sizeof *c);
    if (!c)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    memcpy(c->base_url, url, ulen);
    c->base_url[ulen] = '\0';
    c->max_response = opt->max_response ? opt->max_response : DEFAULT_MAX_RESPONSE;
    c->gzip_min = opt->gzip_min ? opt->gzip_min : DEFAULT_GZIP_MIN;
    c->cancel = opt->cancel;
    c->progress = opt->progress;
    c->progress_ctx = opt->progress_ctx;
    c->curl = curl_easy_init();
    if (!c->curl) {
        free(c);
        return dp_error_set(err, DP_ENOMEM, NULL, "cannot initialise libcurl");
    }
    CURL *h = c->curl;
    long low_bytes = opt->low_speed_bytes > 0 ? opt->low_speed_bytes : DEFAULT_LOW_BYTES;
    long low_secs = opt->low_speed_secs > 0 ? opt->low_speed_secs : low_speed_secs_default();
    CURLcode rc = CURLE_OK;
#define SETOPT(o, v)                                                                               \
    do {                                                                                           \
        if (rc == CURLE_OK)                                                                        \
            rc = curl_easy_setopt(h, o, v);                                                        \
    } while (0)
    SETOPT(CURLOPT_ERRORBUFFER, c->errbuf);
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_PROTOCOLS_STR, https ? "https" : "http");
    SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
    SETOPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (opt->ca_file && *opt->ca_file)
        SETOPT(CURLOPT_CAINFO, opt->ca_file);
    if (opt->pin_sha256 && *opt->pin_sha256)
        SETOPT(CURLOPT_PINNEDPUBLICKEY, opt->pin_sha256);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS,
           opt->connect_timeout_ms > 0 ? opt->connect_timeout_ms : DEFAULT_CONNECT_MS);
    SETOPT(CURLOPT_TIMEOUT_MS, opt->timeout_ms > 0 ? opt->timeout_ms : DEFAULT_TIMEOUT_MS);
    SETOPT(CURLOPT_LOW_SPEED_LIMIT, low_bytes);
    SETOPT(CURLOPT_LOW_SPEED_TIME, low_secs);
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    /* libcurl decompresses; the write callback then caps the decompressed size. */
    SETOPT(CURLOPT_ACCEPT_ENCODING, "gzip");
    SETOPT(CURLOPT_USERAGENT, opt->user_agent ? opt->user_agent : "doorstep");
    SETOPT(CURLOPT_WRITEFUNCTION, write_cb);
    SETOPT(CURLOPT_WRITEDATA, c);
    SETOPT(CURLOPT_NOPROGRESS, 0L);
    SETOPT(CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
    SETOPT(CURLOPT_XFERINFODATA, c);
    SETOPT(CURLOPT_MAXCONNECTS, 1L);
#undef SETOPT
    if (rc != CURLE_OK) {
        dp_error_set(err, rc == CURLE_OUT_OF_MEMORY ? DP_ENOMEM : DP_ECONFIG, NULL,
                     "libcurl refused a setting: %s", curl_easy_strerror(rc));
        http_conn_free(c);
        return err ? err->code : DP_ECONFIG;
    }
    *out = c;
    return DP_OK;
}

void
http_conn_free(struct http_conn *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    free(c);
}

void
http_response_init(struct http_response *r)
{
    memset(r, 0, sizeof *r);
    dynbuf_init(&r->body, 0);
    r->retry_after_s = -1;
}

void
http_response_done(struct http_response *r)
{
    dynbuf_free(&r->body);
}

static enum http_fail
classify(CURLcode rc)
{
    switch (rc) {
    case CURLE_OK:
        return HTTP_FAIL_NONE;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR: /* a handshake cut by the network, not a refused certificate */
        return HTTP_FAIL_CONNECT;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
        return HTTP_FAIL_TLS;
    case CURLE_OPERATION_TIMEDOUT:
        return HTTP_FAIL_TIMEOUT;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_BAD_CONTENT_ENCODING:
        return HTTP_FAIL_PARTIAL;
    case CURLE_ABORTED_BY_CALLBACK:
        return HTTP_FAIL_CANCELED;
    default:
        return HTTP_FAIL_OTHER;
    }
}

static const char *
fail_text(enum http_fail f)
{
    switch (f) {
    case HTTP_FAIL_CONNECT:
        return "cannot reach the server";
    case HTTP_FAIL_TLS:
        return "the server's certificate is not trusted";
    case HTTP_FAIL_TIMEOUT:
        return "the server is too slow to answer";
    case HTTP_FAIL_PARTIAL:
        return "the server's answer was cut off";
    case HTTP_FAIL_TOOBIG:
        return "the server's answer is larger than allowed";
    case HTTP_FAIL_CANCELED:
        return "cancelled";
    default:
        return "network error";
    }
}

/* "application/JSON; charset=utf-8" -> "application/json" */
static void
media_type(const char *ct, char *buf, size_t bufsize)
{
    size_t n = 0;
    if (ct) {
        while (*ct == ' ')
            ct++;
        for (; ct[n] && ct[n] != ';' && ct[n] != ' ' && n + 1 < bufsize; n++)
            buf[n] = (char)tolower((unsigned char)ct[n]);
    }
    buf[n] = '\0';
}

static struct curl_slist *
add_header(struct curl_slist *list, const char *name, const char *value, bool *oom)
{
    char line[512];
    if (*oom)
        return list;
    int n = snprintf(line, sizeof line, "%s: %s", name, value);
    if (n < 0 || (size_t)n >= sizeof line) {
        *oom = true;
        return list;
    }
    struct curl_slist *l = curl_slist_append(list, line);
    if (!l) {
        *oom = true;
        return list;
    }
    return l;
}

enum dp_status
http_do(struct http_conn *c, const struct http_request *rq, struct http_response *resp,
        struct dp_error *err)
{
    enum dp_status st = DP_OK;
    struct curl_slist *headers = NULL;
    unsigned char *gz = NULL;
    size_t gz_len = 0;
    bool oom = false;
    CURL *h = c->curl;
    char url[1024];

    dynbuf_free(&resp->body);
    dynbuf_init(&resp->body, c->max_response);
    resp->status = 0;
    resp->content_type[0] = '\0';
    resp->retry_after_s = -1;
    resp->bytes_sent = resp->bytes_received = 0;
    resp->new_connections = 0;
    resp->gzip_sent = false;
    resp->fail = HTTP_FAIL_OTHER;
    c->resp = resp;
    c->toobig = c->nomem = false;
    c->errbuf[0] = '\0';

    int n = snprintf(url, sizeof url, "%s%s", c->base_url, rq->path);
    if (n < 0 || (size_t)n >= sizeof url) {
        st = dp_error_set(err, DP_EINVAL, NULL, "request path too long");
        goto out;
    }
    bool post = strcmp(rq->method, "POST") == 0;
    const void *body = rq->body ? rq->body : "";
    size_t body_len = rq->body ? rq->body_len : 0;
    if (post && body_len > c->gzip_min) {
        if (http_gzip(body, body_len, &gz, &gz_len) != DP_OK) {
            st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
            goto out;
        }
        body = gz;
        body_len = gz_len;
        resp->gzip_sent = true;
        headers = add_header(headers, "Content-Encoding", "gzip", &oom);
    }
    if (post)
        headers = add_header(headers, "Content-Type", "application/json", &oom);
    headers = add_header(headers, "Accept", "application/json", &oom);
    /* Bodies are small: no 100-continue round trip. */
    if (!oom) {
        struct curl_slist *l = curl_slist_append(headers, "Expect:");
        if (l)
            headers = l;
        else
            oom = true;
    }
    if (rq->token) {
        char auth[160];
        snprintf(auth, sizeof auth, "Bearer %s", rq->token);
        headers = add_header(headers, "Authorization", auth, &oom);
    }
    if (rq->idempotency_key)
        headers = add_header(headers, "Idempotency-Key", rq->idempotency_key, &oom);
    if (rq->request_id)
        headers = add_header(headers, "X-Request-Id", rq->request_id, &oom);
    if (oom) {
        st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }

    CURLcode rc = curl_easy_setopt(h, CURLOPT_URL, url);
    if (rc == CURLE_OK && post) {
        rc = curl_easy_setopt(h, CURLOPT_POST, 1L);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    } else if (rc == CURLE_OK) {
        rc = curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    if (rc == CURLE_OK)
        rc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (rc == CURLE_OK)
        rc = curl_easy_perform(h);

    curl_off_t v = 0;
    long reqsize = 0;
    if (curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &reqsize) == CURLE_OK)
        resp->bytes_sent = reqsize;
    if (curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &v) == CURLE_OK)
        resp->bytes_sent += (int64_t)v;
    long hsize = 0;
    if (curl_easy_getinfo(h, CURLINFO_HEADER_SIZE, &hsize) == CURLE_OK)
        resp->bytes_received = hsize;
    if (curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &v) == CURLE_OK)
        resp->bytes_received += (int64_t)v;
    long conns = 0;
    if (curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns) == CURLE_OK)
        resp->new_connections = conns;

    if (c->nomem) {
        st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    if (c->toobig) {
        resp->fail = HTTP_FAIL_TOOBIG;
        st = dp_error_set(err, DP_ETOOBIG, NULL, "%s (over %zu bytes)", fail_text(resp->fail),
                          c->max_response);
        goto out;
    }
    if (rc != CURLE_OK) {
        resp->fail = classify(rc);
        if (resp->fail == HTTP_FAIL_CANCELED)
            st = dp_error_set(err, DP_ECANCELED, NULL, "%s", fail_text(resp->fail));
        else
            st = dp_error_set(err, DP_ENETWORK, NULL, "%s: %s", fail_text(resp->fail),
                              c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    char *ct = NULL;
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK)
        media_type(ct, resp->content_type, sizeof resp->content_type);
    curl_off_t after = -1;
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0)
        resp->retry_after_s = (int64_t)after;
    resp->fail = HTTP_FAIL_NONE;

out:
    if (st != DP_OK)
        dynbuf_free(&resp->body);
    /* The handle keeps pointers to these; clear them before they are freed. */
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
    curl_slist_free_all(headers);
    free(gz);
    c->resp = NULL;
    return st;
}
