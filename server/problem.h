/*
 * Error answers: application/problem+json (RFC 9457) with a stable `code`
 * token. The table is the one place the codes, statuses and titles live;
 * docs/PROTOCOL.md section 3 lists the same codes.
 */
#ifndef DOORSTEP_SERVER_PROBLEM_H
#define DOORSTEP_SERVER_PROBLEM_H

#include <cJSON.h>

#include "core/status.h"

struct response;

/* X(name, HTTP status, code token, English title) */
#define PROBLEM_LIST(X)                                                                            \
    X(BAD_JSON, 400, "bad-json", "Malformed JSON")                                                 \
    X(BAD_UTF8, 400, "bad-utf8", "Body is not valid UTF-8")                                        \
    X(BAD_GZIP, 400, "bad-gzip", "Body does not decompress")                                       \
    X(INVALID_REQUEST, 400, "invalid-request", "Invalid request")                                  \
    X(VERSION, 400, "version-not-supported", "Version not supported")                              \
    X(TOKEN_MISSING, 401, "token-missing", "Authentication required")                              \
    X(TOKEN_INVALID, 401, "token-invalid", "Token not valid")                                      \
    X(TOKEN_EXPIRED, 401, "token-expired", "Token expired")                                        \
    X(BAD_CREDENTIALS, 401, "bad-credentials", "Wrong user name or password")                      \
    X(NOT_FOUND, 404, "not-found", "Not found")                                                    \
    X(METHOD, 405, "method-not-allowed", "Method not allowed")                                     \
    X(DEVICE_BUSY, 409, "device-busy", "Another push from this device is in progress")             \
    X(TOO_LARGE, 413, "body-too-large", "Request body too large")                                  \
    X(MEDIA_TYPE, 415, "unsupported-media-type", "Content-Type must be application/json")          \
    X(ENCODING, 415, "unsupported-encoding", "Content-Encoding not supported")                     \
    X(IDEMPOTENCY, 422, "idempotency-key-reused", "Idempotency-Key reused with another body")      \
    X(TOO_MANY, 429, "too-many-attempts", "Too many failed logins")                                \
    X(INTERNAL, 500, "internal-error", "Internal server error")                                    \
    X(UNAVAILABLE, 503, "unavailable", "Service unavailable, try again later")

enum problem {
#define PROBLEM_ENUM(name, status, code, title) PROB_##name,
    PROBLEM_LIST(PROBLEM_ENUM)
#undef PROBLEM_ENUM
        PROB_COUNT
};

/* HTTP status, code token and title of a problem. */
int problem_status(enum problem p);
const char *problem_code(enum problem p);
const char *problem_title(enum problem p);

/*
 * Replace *resp with a problem answer. `field` (a JSON pointer, may be NULL)
 * and the formatted detail must never hold a record value. `extra` (may be
 * NULL; ownership passes to the call) adds members such as "limit".
 * Sets Retry-After / WWW-Authenticate headers the code calls for.
 */
void problem_set(struct response *resp, enum problem p, const char *field, cJSON *extra,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The problem for a failed internal call: DP_EBUSY/DP_EIO/DP_EFULL give 503, others 500. */
void problem_from_status(struct response *resp, enum dp_status st);

#endif
