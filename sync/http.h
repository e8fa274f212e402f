/*
 * HTTPS requests to the sync server over one reused libcurl easy handle, so
 * a whole sync (hello, push batches, pull pages) rides one TLS connection.
 *
 * TLS peer and host verification are always on; the CA bundle and an
 * optional public-key pin come from the configuration. Request bodies over
 * `gzip_min` bytes are sent gzip-compressed; responses are accepted gzipped
 * and decompressed by libcurl. Every response body is held in a capped
 * buffer: a body (after decompression) over `max_response` bytes aborts the
 * transfer with DP_ETOOBIG. Stalled transfers are aborted by the low-speed
 * limits. A handle is used by one thread at a time.
 */
#ifndef DOORSTEP_SYNC_HTTP_H
#define DOORSTEP_SYNC_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "sync/dynbuf.h"

struct http_conn;

struct http_options {
    const char *base_url;     /* "https://host[:port]"; "http://" only for a loopback host */
    const char *ca_file;      /* PEM bundle to trust; NULL or "" = the system store */
    const char *pin_sha256;   /* "sha256//BASE64[;sha256//...]"; NULL or "" = no pin */
    const char *user_agent;   /* NULL = "doorstep" */
    long connect_timeout_ms;  /* TCP + TLS handshake; 0 = 20 s */
    long timeout_ms;          /* a whole request; 0 = 10 min */
    long low_speed_bytes;     /* abort when slower than this many bytes/s ... */
    long low_speed_secs;      /* ... for this many seconds; 0 = 16 bytes/s for 30 s */
    size_t max_response;      /* cap on a decompressed response body; 0 = 4 MiB */
    size_t gzip_min;          /* gzip request bodies larger than this; 0 = 1024 */
    const atomic_int *cancel; /* when non-NULL and set, the transfer aborts (DP_ECANCELED) */
    /* Called during transfers with the bytes moved so far in this request (may be NULL). */
    void (*progress)(void *ctx, int64_t sent, int64_t received);
    void *progress_ctx;
};

/* Why a request got no usable answer. */
enum http_fail {
    HTTP_FAIL_NONE,     /* a response arrived (any status) */
    HTTP_FAIL_CONNECT,  /* could not connect or the connection broke before an answer */
    HTTP_FAIL_TLS,      /* certificate or pin not accepted: retrying will not help */
    HTTP_FAIL_TIMEOUT,  /* too slow (low-speed limit or time limit) */
    HTTP_FAIL_PARTIAL,  /* the answer was cut off or its gzip stream was broken */
    HTTP_FAIL_TOOBIG,   /* the body passed max_response */
    HTTP_FAIL_CANCELED, /* the cancel flag was raised */
    HTTP_FAIL_OTHER,    /* anything else libcurl reports */
};

struct http_request {
    const char *method; /* "GET" or "POST" */
    const char *path;   /* appended to base_url, e.g. "/sync/v1/pull" */
    const char *body;   /* POST body (JSON), may be NULL for GET */
    size_t body_len;
    const char *token;           /* bearer token, NULL = no Authorization header */
    const char *idempotency_key; /* NULL = none */
    const char *request_id;      /* X-Request-Id, NULL = none */
};

struct http_response {
    long status;            /* HTTP status; 0 when none arrived */
    char content_type[96];  /* media type, lower case, without parameters; "" if none */
    int64_t retry_after_s;  /* Retry-After in seconds (either form), -1 when absent */
    struct dynbuf body;     /* decompressed body, capped */
    int64_t bytes_sent;     /* request headers + body as sent (compressed) */
    int64_t bytes_received; /* response headers + body as received (compressed) */
    long new_connections;   /* connections opened for this request (0 = reused) */
    bool gzip_sent;         /* the request body went gzip-compressed */
    enum http_fail fail;    /* HTTP_FAIL_NONE when status is valid */
};

/*
 * Check the options and make a handle. DP_ECONFIG (err names the setting)
 * for a URL that is not https (or http to a loopback address), an
 * unreadable ca_file, or a malformed pin; DP_ENOMEM. *out is NULL on failure.
 */
enum dp_status http_conn_new(const struct http_options *opt, struct http_conn **out,
                             struct dp_error *err);

/* Close the connection and free the handle; NULL is a no-op. */
void http_conn_free(struct http_conn *c);

/* Set up an empty response. */
void http_response_init(struct http_response *r);

/* Free the body; the response may be reused after http_response_init. */
void http_response_done(struct http_response *r);

/*
 * Send one request and wait for the whole answer (blocking; run it off the
 * UI thread). *resp (initialised) is overwritten. DP_OK when an HTTP answer
 * of any status arrived whole: look at resp->status. Otherwise resp->fail
 * says why and the status is DP_ENETWORK (connect, TLS, timeout, partial),
 * DP_ETOOBIG, DP_ECANCELED or DP_ENOMEM, with err->msg in plain words
 * (never a value from the body). The body is empty on failure.
 */
enum dp_status http_do(struct http_conn *c, const struct http_request *rq,
                       struct http_response *resp, struct dp_error *err);

/*
 * Compress `len` bytes of `data` as one gzip member into a new buffer
 * (*out, caller frees; *out_len its size). DP_ENOMEM on failure.
 */
enum dp_status http_gzip(const void *data, size_t len, unsigned char **out, size_t *out_len);

/* True when the URL's host is a loopback address (127.0.0.0/8, ::1, localhost). */
bool http_url_is_loopback(const char *url);

#endif
