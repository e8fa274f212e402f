/*
 * The sync protocol's messages (docs/PROTOCOL.md): building request bodies
 * and parsing response bodies into plain structs. No I/O.
 *
 * Every response is untrusted. Parsers check the top-level shape, the JSON
 * type of every member they read, string lengths and character sets, integer
 * ranges (0 .. 2^53-1, no fraction), UUID forms, record rows (with
 * record_from_json, so each value is validated as a form would), and the
 * order the protocol promises (mids and seqs increasing). Members they do not
 * know are ignored (PROTOCOL.md section 13); a member they know with the wrong
 * type fails the whole message with DP_EPROTO, err->field naming it as a JSON
 * pointer, and nothing is handed on.
 */
#ifndef DOORSTEP_SYNC_PROTO_H
#define DOORSTEP_SYNC_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "store/sync_store.h"
#include "sync/http.h"

#define PROTO_VERSION 1

struct proto_user {
    char name[SYNC_USER_MAX + 1];
    char role[16]; /* worker | supervisor | a newer token */
    char team[SYNC_TEAM_MAX + 1];
};

struct proto_login {
    char token[SYNC_TOKEN_MAX + 1];
    int64_t expires_in; /* seconds */
    struct proto_user user;
    char epoch[SYNC_EPOCH_MAX + 1];
    char server_time[32];
};

struct proto_limits {
    int64_t push_max_mutations; /* 0 when the server did not say */
    int64_t push_max_bytes;
    int64_t pull_max_changes;
    int64_t pull_max_bytes;
};

struct proto_hello {
    bool schema_ok; /* our SCHEMA_NAME is in schema_accepted */
    char schema_current[32];
    char epoch[SYNC_EPOCH_MAX + 1];
    bool device_known;
    int64_t device_last_mid;
    struct proto_user user;
    char server_time[32];
    int64_t token_expires_in; /* -1 when absent */
    struct proto_limits limits;
};

/* An error answer (application/problem+json), or what could be made of a broken one. */
struct proto_problem {
    long status;            /* HTTP status */
    bool well_formed;       /* the body was a problem object with a code */
    char code[48];          /* stable token, e.g. "token-expired"; "" when not well formed */
    char detail[160];       /* English detail, control characters replaced; may be "" */
    char field[128];        /* JSON pointer of the member at fault, or "" */
    char version_type[16];  /* version-not-supported: "protocol" or "schema" */
    int64_t limit;          /* body-too-large: the cap in bytes, else -1 */
    char schema_newest[32]; /* version-not-supported: the newest of `accepted`, or "" */
};

/* What the client asks for in one pull. */
struct proto_pull_params {
    const char *device_id;
    const char *cursor;      /* NULL or "" for the first pull */
    int64_t limit;           /* changes per page, 1-1000 */
    int64_t max_bytes;       /* 4096-1048576 */
    const char *digest_json; /* a {"household":{"n":..,"h":..},...} object, or NULL */
};

/* ---- requests: each returns a new NUL-terminated body the caller frees ------------------ */

/* {"username","password","device_id"}. The caller wipes and frees *out after sending. */
enum dp_status proto_login_request(const char *username, const char *password,
                                   const char *device_id, char **out, size_t *len);

/* {"protocol","schema","device_id","app_version","client_time","acked_mid"}. */
enum dp_status proto_hello_request(const char *device_id, const char *app_version,
                                   const char *client_time, int64_t acked_mid, char **out,
                                   size_t *len);

/*
 * {"protocol","schema","device_id","mutations":[...]} from outbox items in
 * mid order, each with its stored mid, id, hash and hlc. DP_EINVAL (err names
 * the mid) when a stored base/set is not a JSON object.
 */
enum dp_status proto_push_request(const char *device_id, const struct sync_outbox_item *items,
                                  size_t n, char **out, size_t *len, struct dp_error *err);

enum dp_status proto_pull_request(const struct proto_pull_params *p, char **out, size_t *len,
                                  struct dp_error *err);

/* "<device>:<first>-<last>:<8 hex of the body's hash>" into buf (at least 128 bytes). */
void proto_idempotency_key(const char *device_id, int64_t first_mid, int64_t last_mid,
                           const char *body, size_t len, char *buf, size_t bufsize);

/* ---- responses --------------------------------------------------------------------------- */

/*
 * A 2xx answer must be application/json; anything else (an HTML page from a
 * captive portal or a proxy, plain text) is DP_EPROTO with a message saying
 * what came instead.
 */
enum dp_status proto_expect_json(const struct http_response *resp, struct dp_error *err);

/* Fill *out from any non-2xx response; never fails (out->well_formed says how it went). */
void proto_parse_problem(const struct http_response *resp, struct proto_problem *out);

/* One line for the user about a problem answer ("the server refused ...: code (detail)"). */
void proto_problem_message(const struct proto_problem *p, char *buf, size_t bufsize);

enum dp_status proto_parse_login(const char *body, size_t len, struct proto_login *out,
                                 struct dp_error *err);

enum dp_status proto_parse_hello(const char *body, size_t len, struct proto_hello *out,
                                 struct dp_error *err);

/*
 * A push answer. *out (initialised) gets the results; mids must increase.
 * On failure *out is left empty.
 */
enum dp_status proto_parse_push(const char *body, size_t len, struct sync_push_reply *out,
                                struct dp_error *err);

/*
 * One pull page. More than `max_changes` changes (what was asked for) is
 * DP_EPROTO. On failure *out (initialised) is left empty.
 */
enum dp_status proto_parse_pull(const char *body, size_t len, size_t max_changes,
                                struct sync_page *out, struct dp_error *err);

/* ---- versions and times -------------------------------------------------------------- */

/*
 * The record schema this client sends and expects: SCHEMA_NAME, unless the
 * environment variable DOORSTEP_TEST_SCHEMA names another (a token under 32
 * characters). That variable exists for the tests that meet an older or a
 * newer server (docs/internals/sync.md); nothing else sets it.
 */
const char *proto_schema(void);

/*
 * Order two schema names of the form "<prefix>-<number>" ("hh-1" < "hh-2"):
 * <0, 0 or >0. 0 also when they cannot be compared (another prefix or shape).
 */
int proto_schema_compare(const char *a, const char *b);

/* Parse an RFC 3339 UTC time ("2025-03-01T10:22:35Z", fractions allowed) into Unix seconds. */
bool proto_parse_time(const char *s, int64_t *unix_s);

#endif
