/*
 * The HTTP front: libmicrohttpd over TLS (GnuTLS), a small routing table,
 * request bodies accumulated under a cap and gunzipped under a cap, answers
 * gzipped when the client accepts it. Handlers see only struct request and
 * struct response, never libmicrohttpd, so they can be unit-tested.
 */
#ifndef DOORSTEP_SERVER_HTTP_H
#define DOORSTEP_SERVER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>
#include <sqlite3.h>

#include "core/status.h"

struct server;

/* The authenticated caller, filled from the bearer token before an authenticated handler runs. */
struct caller {
    int64_t user_id;
    char name[40];
    char role[16]; /* "worker" or "supervisor" */
    char team[64];
    char token_hash[65]; /* hex SHA-256 of the token used */
    int64_t token_expires_at;
};

struct request {
    struct server *srv;
    const char *method;
    const char *path;
    const char *body; /* decompressed, NUL-terminated ("" when none) */
    size_t body_len;
    char addr[64];               /* client address, numeric */
    const char *authorization;   /* header or NULL */
    const char *if_none_match;   /* header or NULL */
    const char *idempotency_key; /* header or NULL */
    struct caller caller;        /* valid in authenticated handlers */
    sqlite3 *db;                 /* borrowed for the request by http_dispatch */
};

struct response {
    int status;
    char *body; /* heap, owned; NULL for an empty body */
    size_t len;
    const char *content_type; /* static string */
    char retry_after[24];     /* "" = no header */
    char allow[32];           /* "" = no header */
    char etag[72];            /* "" = no header */
    bool www_authenticate;
};

void response_init(struct response *r);
void response_done(struct response *r);

/* Answer `status` with obj printed compactly; takes ownership of obj (NULL -> 500). */
void response_json(struct response *r, int status, cJSON *obj);

/* Answer `status` with a body already serialised (copied). */
void response_raw(struct response *r, int status, const char *content_type, const char *body,
                  size_t len);

struct http_server;

struct http_options {
    const char *addr; /* numeric IPv4 or IPv6 address */
    int port;         /* 0 = any free port */
    const char *cert_pem;
    const char *key_pem; /* NULL both for plain HTTP (loopback only, checked by the caller) */
    unsigned threads;
    unsigned conn_limit;
    unsigned timeout_s;
};

/*
 * Start serving in background threads. On success *out owns the daemon and
 * *bound_port (may be NULL) says which port it listens on.
 */
enum dp_status http_start(struct server *srv, const struct http_options *opt,
                          struct http_server **out, int *bound_port, struct dp_error *err);

/* Stop accepting, finish in-flight requests, free. NULL is a no-op. */
void http_stop(struct http_server *h);

/*
 * Run one request through routing, authentication and the handler, as the
 * daemon does after reading the body; for tests and the daemon itself.
 */
void http_dispatch(struct request *req, struct response *resp);

/* True when `addr` (numeric) is a loopback address (127.0.0.0/8 or ::1). */
bool http_addr_is_loopback(const char *addr);

/* True when an Accept-Encoding header value accepts gzip (token present, q > 0). */
bool http_accepts_gzip(const char *accept_encoding);

#endif
