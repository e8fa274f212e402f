/*
 * One sync session: a handshake when due, the push loop, the pull loop, and
 * the retry rules of docs/PROTOCOL.md section 3 around every request. See
 * docs/internals/sync.md for the state this drives.
 */
#include "sync/sync.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/i18n.h"
#include "store/store.h"
#include "store/sync_store.h"
#include "sync/http.h"
#include "sync/proto.h"

#define PUSH_BATCH_DEFAULT   200
#define PUSH_MAX_BYTES       (200 * 1024) /* under the server's 256 KiB cap, envelope included */
#define PULL_LIMIT_DEFAULT   500
#define PULL_BYTES_DEFAULT   262144
#define PULL_BYTES_MAX       1048576
#define TIMEOUTS_BEFORE_HALF 2
#define MAX_ROUNDS           3 /* push+pull again after a restore or divergence */

const char *
sync_phase_name(enum sync_phase p)
{
    switch (p) {
    case SYNC_PHASE_IDLE:
        return N_("idle");
    case SYNC_PHASE_CONNECT:
        return N_("connect");
    case SYNC_PHASE_PUSH:
        return N_("push");
    case SYNC_PHASE_PULL:
        return N_("pull");
    case SYNC_PHASE_WAIT:
        return N_("wait");
    case SYNC_PHASE_DONE:
        return N_("done");
    }
    return "?";
}

void
sync_options_init(struct sync_options *o)
{
    memset(o, 0, sizeof *o);
    o->app_version = "0.1.0";
    retry_policy_default(&o->retry);
}

struct session {
    const struct sync_options *o;
    struct store *st;
    struct http_conn *conn;
    struct sync_identity id;
    struct sync_result *res;
    struct sync_progress prog;
    struct proto_limits limits;
    char request_prefix[24];
    long request_no;
    /* base of the progress counters for the request in flight */
    int64_t sent_before, received_before;
    bool halve;         /* the last push timed out repeatedly: send fewer mutations */
    bool token_refused; /* the server answered 401 to our token */
};

/* What a request may do beyond the plain rules. */
enum req_flags {
    REQ_HALVABLE = 1 << 0,    /* a push with more than one mutation: report repeated timeouts */
    REQ_NO_WAIT_429 = 1 << 1, /* login: a 429 is final (its wait is minutes) */
    REQ_NO_AUTH = 1 << 2,     /* login: no bearer token */
};

static bool
cancelled(const struct session *s)
{
    return s->o->cancel && atomic_load(s->o->cancel);
}

static void
report(struct session *s)
{
    if (s->o->progress)
        s->o->progress(s->o->progress_ctx, &s->prog);
}

static void
phase(struct session *s, enum sync_phase p)
{
    s->prog.phase = p;
    report(s);
}

static void
http_progress(void *ctx, int64_t sent, int64_t received)
{
    struct session *s = ctx;
    s->prog.bytes_sent = s->sent_before + sent;
    s->prog.bytes_received = s->received_before + received;
    /* Cheap enough: the callback only copies a small struct under a mutex. */
    report(s);
}

/* Sleep ms, waking early (false) when cancelled. */
static bool
nap(struct session *s, int64_t ms)
{
    enum sync_phase was = s->prog.phase;
    s->prog.wait_ms = ms;
    phase(s, SYNC_PHASE_WAIT);
    while (ms > 0 && !cancelled(s)) {
        int64_t step = ms < 50 ? ms : 50;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
    s->prog.wait_ms = 0;
    phase(s, was);
    return !cancelled(s);
}

static enum dp_status fail(struct session *s, struct dp_error *err, enum dp_status code,
                           const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum dp_status
fail(struct session *s, struct dp_error *err, enum dp_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->res->message, sizeof s->res->message, fmt, ap);
    va_end(ap);
    return dp_error_set(err, code, NULL, "%s", s->res->message);
}

/* Who must upgrade when the server does not take our schema (its newest is `theirs`). */
static enum dp_status
version_refused(struct session *s, const char *theirs, struct dp_error *err)
{
    if (proto_schema_compare(proto_schema(), theirs) > 0)
        return fail(s, err, DP_EVERSION, "%s",
                    _("this Doorstep is newer than the server; edits are kept until the server "
                      "is updated"));
    return fail(s, err, DP_EVERSION, "%s",
                _("the server does not accept this version of Doorstep; edits are kept until "
                  "it does (update Doorstep)"));
}

/* Measured at a handshake or login; only a warning (status and sync_log), never a failure. */
static void
note_clock(struct session *s, const char *server_time)
{
    int64_t server_s;
    if (proto_parse_time(server_time, &server_s))
        store_sync_note_clock(s->st, (int64_t)time(NULL) - server_s, NULL);
}

/* The one-line reason for a problem answer that is not retried. */
static enum dp_status
problem_status(struct session *s, const struct http_response *resp, struct dp_error *err)
{
    struct proto_problem p;
    char detail[240];
    proto_parse_problem(resp, &p);
    proto_problem_message(&p, detail, sizeof detail);
    if (resp->status == 401) {
        s->token_refused = strcmp(p.code, "bad-credentials") != 0;
        if (strcmp(p.code, "bad-credentials") == 0)
            return fail(s, err, DP_EAUTH, "%s", _("wrong user name or password"));
        if (strcmp(p.code, "token-expired") == 0)
            return fail(s, err, DP_EAUTH, "%s",
                        _("the login has expired; run doorstep login (work continues offline)"));
        return fail(s, err, DP_EAUTH, "%s",
                    _("the server no longer accepts this login; run doorstep login"));
    }
    if (resp->status == 429)
        return fail(s, err, DP_EBUSY, _("too many login attempts; try again in %ld minutes"),
                    resp->retry_after_s > 0 ? (long)((resp->retry_after_s + 59) / 60) : 15L);
    if (strcmp(p.code, "version-not-supported") == 0)
        return version_refused(s, p.schema_newest, err);
    if (resp->status == 413)
        return fail(s, err, DP_ETOOBIG, "%s", detail);
    if (resp->status >= 500)
        return fail(s, err, DP_ENETWORK, _("the server keeps failing: %s"), detail);
    return fail(s, err, DP_EPROTO, _("the server refused the request: %s"), detail);
}

/*
 * Send one request and get a 2xx JSON answer, retrying what PROTOCOL.md
 * section 3 says to retry: network failures and 500 with backoff, 409, 429
 * and 503 after Retry-After. *resp holds the answer on DP_OK.
 */
static enum dp_status
request(struct session *s, const char *path, const char *body, size_t len, const char *idem,
        unsigned flags, struct http_response *resp, struct dp_error *err)
{
    unsigned timeouts = 0;
    const struct retry_policy *pol = &s->o->retry;
    unsigned max = pol->max_attempts ? pol->max_attempts : 1;
    retry_rng_fn rng = s->o->rng ? s->o->rng : retry_rng_system;
    for (unsigned attempt = 0;; attempt++) {
        char rid[48];
        if (cancelled(s))
            return fail(s, err, DP_ECANCELED, "%s", _("cancelled"));
        snprintf(rid, sizeof rid, "%s-%ld", s->request_prefix, ++s->request_no);
        struct http_request rq = {.method = "POST",
                                  .path = path,
                                  .body = body,
                                  .body_len = len,
                                  .token = (flags & REQ_NO_AUTH) ? NULL : s->id.token,
                                  .idempotency_key = idem,
                                  .request_id = rid};
        struct dp_error herr;
        dp_error_clear(&herr);
        s->sent_before = s->prog.bytes_sent;
        s->received_before = s->prog.bytes_received;
        enum dp_status st = http_do(s->conn, &rq, resp, &herr);
        s->prog.requests++;
        s->prog.bytes_sent = s->sent_before + resp->bytes_sent;
        s->prog.bytes_received = s->received_before + resp->bytes_received;
        s->res->requests++;
        s->res->connections += resp->new_connections;
        report(s);

        int64_t retry_after = -1;
        const char *why = NULL;
        char whybuf[200];
        if (st != DP_OK) {
            switch (resp->fail) {
            case HTTP_FAIL_TLS:
                return fail(s, err, DP_ENETWORK, "%s (%s)",
                            _("the server's certificate is not trusted; check ca_file and "
                              "pin_sha256"),
                            herr.msg);
            case HTTP_FAIL_TOOBIG:
                return fail(s, err, DP_EPROTO, "%s: %s", _("unexpected answer from the server"),
                            herr.msg);
            case HTTP_FAIL_CANCELED:
                return fail(s, err, DP_ECANCELED, "%s", _("cancelled"));
            case HTTP_FAIL_TIMEOUT:
                timeouts++;
                break;
            default:
                if (st == DP_ENOMEM)
                    return fail(s, err, DP_ENOMEM, "%s", dp_strerror(DP_ENOMEM));
                break;
            }
            snprintf(whybuf, sizeof whybuf, "%s", herr.msg);
            why = whybuf;
            if ((flags & REQ_HALVABLE) && timeouts >= TIMEOUTS_BEFORE_HALF) {
                s->halve = true;
                return fail(s, err, DP_ENETWORK, "%s", _("the server is too slow to answer"));
            }
        } else if (resp->status >= 200 && resp->status < 300) {
            struct dp_error jerr;
            if (proto_expect_json(resp, &jerr) != DP_OK)
                return fail(s, err, DP_EPROTO, "%s", jerr.msg);
            return DP_OK;
        } else if (resp->status == 409 || resp->status == 503 ||
                   (resp->status == 429 && !(flags & REQ_NO_WAIT_429))) {
            retry_after = resp->retry_after_s;
            snprintf(whybuf, sizeof whybuf, _("the server is busy (HTTP %ld)"), resp->status);
            why = whybuf;
        } else if (resp->status >= 500) {
            snprintf(whybuf, sizeof whybuf, _("the server failed (HTTP %ld)"), resp->status);
            why = whybuf;
        } else {
            return problem_status(s, resp, err);
        }
        if (attempt + 1 >= max) {
            if (st == DP_OK && resp->status >= 400)
                return problem_status(s, resp, err);
            return fail(s, err, DP_ENETWORK, _("giving up after %u tries: %s"), max, why);
        }
        s->res->retries++;
        s->prog.retries++;
        if (!nap(s, retry_delay_ms(pol, attempt, retry_after, rng, s->o->rng_ctx)))
            return fail(s, err, DP_ECANCELED, "%s", _("cancelled"));
    }
}

static enum dp_status
open_conn(struct session *s, struct dp_error *err)
{
    struct http_options ho = {.base_url = s->o->server_url,
                              .ca_file = s->o->ca_file,
                              .pin_sha256 = s->o->pin_sha256,
                              .cancel = s->o->cancel,
                              .low_speed_secs = s->o->low_speed_secs,
                              .low_speed_bytes = s->o->low_speed_bytes,
                              .connect_timeout_ms = s->o->connect_timeout_ms,
                              .progress = http_progress,
                              .progress_ctx = s};
    long page_bytes = s->o->pull_max_bytes > 0 ? s->o->pull_max_bytes : PULL_BYTES_DEFAULT;
    if (page_bytes > PULL_BYTES_MAX)
        page_bytes = PULL_BYTES_MAX;
    /* A page may pass max_bytes by one change; JSON escapes and the envelope add a little. */
    ho.max_response = (size_t)page_bytes * 2 + 256 * 1024;
    struct dp_error herr;
    enum dp_status st = http_conn_new(&ho, &s->conn, &herr);
    if (st != DP_OK) {
        fail(s, err, st, "%s%s%s", herr.field, herr.field[0] ? ": " : "", herr.msg);
        return dp_error_set(err, st, herr.field, "%s", herr.msg);
    }
    unsigned char r[4];
    randombytes_buf(r, sizeof r);
    snprintf(s->request_prefix, sizeof s->request_prefix, "%.8s-%02x%02x%02x%02x", s->id.device_id,
             r[0], r[1], r[2], r[3]);
    return DP_OK;
}

static void
session_done(struct session *s)
{
    http_conn_free(s->conn);
    s->conn = NULL;
    sodium_memzero(&s->id, sizeof s->id);
}

/* A store call failed: say so in the result. */
static enum dp_status
store_failed(struct session *s, enum dp_status st, const struct dp_error *e, struct dp_error *err)
{
    return fail(s, err, st, _("the cache could not be updated: %s"), e->msg);
}

/* ---- login ------------------------------------------------------------------------------ */

enum dp_status
sync_login(const struct sync_options *o, struct store *st, const char *username,
           const char *password, struct sync_result *res, struct dp_error *err)
{
    struct session s = {.o = o, .st = st, .res = res};
    struct http_response resp;
    struct proto_login login;
    struct dp_error e;
    char *body = NULL;
    size_t len = 0;
    memset(res, 0, sizeof *res);
    memset(&login, 0, sizeof login);
    http_response_init(&resp);
    dp_error_clear(&e);
    enum dp_status rc = store_sync_identity(st, &s.id, &e);
    if (rc != DP_OK) {
        rc = store_failed(&s, rc, &e, err);
        goto out;
    }
    if ((rc = open_conn(&s, err)) != DP_OK)
        goto out;
    phase(&s, SYNC_PHASE_CONNECT);
    if (proto_login_request(username, password, s.id.device_id, &body, &len) != DP_OK) {
        rc = fail(&s, err, DP_ENOMEM, "%s", dp_strerror(DP_ENOMEM));
        goto out;
    }
    rc = request(&s, "/sync/v1/login", body, len, NULL, REQ_NO_WAIT_429 | REQ_NO_AUTH, &resp, err);
    if (rc != DP_OK)
        goto out;
    if ((rc = proto_parse_login(resp.body.p, resp.body.len, &login, &e)) != DP_OK) {
        rc = fail(&s, err, rc, "%s", e.msg);
        goto out;
    }
    if (strcmp(login.user.name, username) != 0) {
        rc = fail(&s, err, DP_EPROTO, "%s", _("the server logged in another user than asked"));
        goto out;
    }
    rc = store_sync_login(st, o->server_url, login.user.name, login.user.role, login.user.team,
                          login.token, (int64_t)time(NULL) + login.expires_in, &e);
    if (rc == DP_OK)
        note_clock(&s, login.server_time);
    if (rc == DP_EBUSY)
        rc = fail(&s, err, rc, "%s", e.msg);
    else if (rc != DP_OK)
        rc = store_failed(&s, rc, &e, err);
out:
    phase(&s, SYNC_PHASE_DONE);
    if (body) {
        sodium_memzero(body, len);
        free(body);
    }
    sodium_memzero(&login, sizeof login);
    http_response_done(&resp);
    session_done(&s);
    return rc;
}

enum dp_status
sync_logout(const struct sync_options *o, struct store *st, struct dp_error *err)
{
    struct sync_result res;
    struct session s = {.o = o, .st = st, .res = &res};
    struct http_response resp;
    struct dp_error e;
    memset(&res, 0, sizeof res);
    http_response_init(&resp);
    enum dp_status rc = store_sync_identity(st, &s.id, &e);
    if (rc == DP_OK && s.id.token[0] && open_conn(&s, &e) == DP_OK) {
        struct retry_policy once = o->retry;
        struct sync_options one = *o;
        once.max_attempts = 1;
        one.retry = once;
        s.o = &one;
        /* Best effort: the token is forgotten here whatever the server says. */
        request(&s, "/sync/v1/logout", "{}", 2, NULL, 0, &resp, &e);
        s.o = o;
    }
    if (rc == DP_OK)
        rc = store_sync_forget_token(st, err);
    else
        dp_error_set(err, rc, NULL, "%s", e.msg);
    http_response_done(&resp);
    session_done(&s);
    return rc;
}

/* ---- hello ------------------------------------------------------------------------------- */

/* Re-push from `from_mid`, or become a new device when that entry is gone. */
static enum dp_status
repush_from(struct session *s, int64_t from_mid, struct dp_error *err)
{
    struct dp_error e;
    long n = 0;
    enum dp_status rc = store_sync_requeue(s->st, from_mid, &n, &e);
    if (rc == DP_ENOTFOUND) {
        rc = store_sync_reregister(s->st, s->id.device_id, &e);
        if (rc == DP_OK)
            s->res->reregistered = true;
    } else if (rc == DP_OK) {
        s->res->requeued += n;
    }
    if (rc != DP_OK)
        return store_failed(s, rc, &e, err);
    return store_sync_identity(s->st, &s->id, err);
}

static enum dp_status
reregister(struct session *s, struct dp_error *err)
{
    struct dp_error e;
    enum dp_status rc = store_sync_reregister(s->st, s->id.device_id, &e);
    if (rc != DP_OK)
        return store_failed(s, rc, &e, err);
    s->res->reregistered = true;
    return store_sync_identity(s->st, &s->id, err);
}

static enum dp_status
hello(struct session *s, struct dp_error *err)
{
    struct http_response resp;
    struct proto_hello h;
    struct dp_error e;
    char *body = NULL, now[32];
    size_t len = 0;
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    http_response_init(&resp);
    phase(s, SYNC_PHASE_CONNECT);
    enum dp_status rc =
        proto_hello_request(s->id.device_id, s->o->app_version, now, s->id.acked_mid, &body, &len);
    if (rc != DP_OK) {
        rc = fail(s, err, rc, "%s", dp_strerror(rc));
        goto out;
    }
    if ((rc = request(s, "/sync/v1/hello", body, len, NULL, 0, &resp, err)) != DP_OK)
        goto out;
    if ((rc = proto_parse_hello(resp.body.p, resp.body.len, &h, &e)) != DP_OK) {
        rc = fail(s, err, rc, "%s", e.msg);
        goto out;
    }
    note_clock(s, h.server_time);
    if (!h.schema_ok) {
        rc = version_refused(s, h.schema_current, err);
        goto out;
    }
    s->limits = h.limits;
    /* A role or team changed at the server: keep the cache's copy in step (status shows it). */
    if (h.user.name[0] && strcmp(h.user.name, s->id.user) == 0) {
        store_meta_set(s->st, SYNC_META_ROLE, h.user.role, NULL);
        store_meta_set(s->st, SYNC_META_TEAM, h.user.team, NULL);
    }
    if (h.device_last_mid > s->id.max_mid) {
        /* The server holds mids this cache never made: it was restored from an old copy. */
        rc = reregister(s, err);
    } else if (!h.device_known || h.device_last_mid < s->id.acked_mid) {
        /* The server lost acknowledged work (restored from a backup): send it again. */
        if (s->id.acked_mid > 0)
            rc = repush_from(s, h.device_last_mid + 1, err);
    }
    if (rc == DP_OK && (rc = store_sync_set_hello_due(s->st, false, &e)) != DP_OK)
        rc = store_failed(s, rc, &e, err);
out:
    free(body);
    http_response_done(&resp);
    return rc;
}

/* ---- push -------------------------------------------------------------------------------- */

static enum dp_status
check_reply(struct session *s, const struct sync_push_reply *r,
            const struct sync_outbox_item *items, size_t n, struct dp_error *err)
{
    for (size_t i = 0; i < r->nresults; i++)
        if (r->results[i].mid < items[0].mid || r->results[i].mid > items[n - 1].mid)
            return fail(s, err, DP_EPROTO, "%s",
                        _("unexpected answer from the server: a result for an edit not sent"));
    if (r->nresults == 0 && r->stopped == SYNC_STOP_NONE && r->last_mid < items[0].mid)
        return fail(s, err, DP_EPROTO, "%s",
                    _("unexpected answer from the server: the push was not processed"));
    return DP_OK;
}

/* *again: the outbox changed under a restore/divergence rule; take a new batch. */
static enum dp_status
push_once(struct session *s, size_t *batch, bool *done, struct dp_error *err)
{
    struct sync_outbox_item *items = NULL;
    struct sync_push_reply reply;
    struct sync_push_stats stats;
    struct http_response resp;
    struct dp_error e;
    char *body = NULL, idem[200];
    size_t n = 0, len = 0;
    *done = false;
    sync_push_reply_init(&reply);
    http_response_init(&resp);
    enum dp_status rc = store_sync_outbox_take(s->st, *batch, PUSH_MAX_BYTES, &items, &n, &e);
    if (rc != DP_OK) {
        rc = store_failed(s, rc, &e, err);
        goto out;
    }
    if (n == 0) {
        *done = true;
        goto out;
    }
    if ((rc = proto_push_request(s->id.device_id, items, n, &body, &len, &e)) != DP_OK) {
        rc = fail(s, err, rc, _("an edit in the outbox cannot be sent: %s"), e.msg);
        goto out;
    }
    proto_idempotency_key(s->id.device_id, items[0].mid, items[n - 1].mid, body, len, idem,
                          sizeof idem);
    s->halve = false;
    rc = request(s, "/sync/v1/push", body, len, idem, n > 1 ? REQ_HALVABLE : 0, &resp, err);
    if (rc != DP_OK) {
        if ((s->halve || rc == DP_ETOOBIG) && n > 1) {
            /* Repeated timeouts or a body too large: the same edits, fewer at a time. */
            *batch = n / 2;
            char detail[96];
            snprintf(detail, sizeof detail, "push batch halved to %zu", *batch);
            store_sync_log(s->st, "push-halved", detail, NULL);
            s->res->message[0] = '\0';
            dp_error_clear(err);
            rc = DP_OK;
        }
        goto out;
    }
    if ((rc = proto_parse_push(resp.body.p, resp.body.len, &reply, &e)) != DP_OK) {
        rc = fail(s, err, rc, "%s", e.msg);
        goto out;
    }
    if ((rc = check_reply(s, &reply, items, n, err)) != DP_OK)
        goto out;
    if ((rc = store_sync_push_done(s->st, &reply, &stats, &e)) != DP_OK) {
        rc = store_failed(s, rc, &e, err);
        goto out;
    }
    s->res->applied += stats.applied;
    s->res->merged += stats.merged;
    s->res->conflicts += stats.conflicts;
    s->res->rejected += stats.rejected;
    s->res->duplicates += stats.duplicates;
    s->prog.pushed += (long)reply.nresults;
    report(s);
    if (stats.diverged) {
        rc = reregister(s, err);
    } else if (stats.server_behind) {
        rc = repush_from(s, reply.last_mid + 1, err);
    } else if (reply.stopped == SYNC_STOP_GAP) {
        if (reply.stopped_mid > items[0].mid)
            rc = fail(s, err, DP_EPROTO, "%s",
                      _("unexpected answer from the server: a gap after what was sent"));
        else
            rc = repush_from(s, reply.stopped_mid, err);
    } else if (reply.stopped == SYNC_STOP_DIVERGED) {
        rc = reregister(s, err);
    } else if (reply.stopped == SYNC_STOP_OTHER) {
        rc = fail(s, err, DP_EPROTO, "%s", _("the server stopped the push for an unknown reason"));
    }
    if (rc == DP_OK && (reply.stopped != SYNC_STOP_NONE || stats.diverged))
        store_sync_log(s->st, "push-stopped", reply.stopped == SYNC_STOP_GAP ? "gap" : "diverged",
                       NULL);
out:
    free(body);
    sync_outbox_items_free(items, n);
    sync_push_reply_done(&reply);
    http_response_done(&resp);
    return rc;
}

static enum dp_status
push(struct session *s, struct dp_error *err)
{
    size_t batch = s->o->push_batch > 0 ? (size_t)s->o->push_batch : PUSH_BATCH_DEFAULT;
    if (s->limits.push_max_mutations > 0 && (size_t)s->limits.push_max_mutations < batch)
        batch = (size_t)s->limits.push_max_mutations;
    phase(s, SYNC_PHASE_PUSH);
    /* Each round answers at least one mutation or changes the outbox; bound it anyway. */
    long rounds = 0, limit = s->prog.to_push * 2 + 50;
    for (;;) {
        bool done = false;
        enum dp_status rc = push_once(s, &batch, &done, err);
        if (rc != DP_OK)
            return rc;
        if (done) {
            s->res->pushed = true;
            return DP_OK;
        }
        if (++rounds > limit)
            return fail(s, err, DP_EPROTO, "%s",
                        _("the push does not make progress; try again later"));
    }
}

/* ---- pull -------------------------------------------------------------------------------- */

static enum dp_status
pull(struct session *s, bool *repush, struct dp_error *err)
{
    long limit = s->o->pull_limit > 0 ? s->o->pull_limit : PULL_LIMIT_DEFAULT;
    long max_bytes = s->o->pull_max_bytes > 0 ? s->o->pull_max_bytes : PULL_BYTES_DEFAULT;
    if (s->limits.pull_max_changes > 0 && s->limits.pull_max_changes < limit)
        limit = s->limits.pull_max_changes;
    if (limit > 1000)
        limit = 1000;
    if (max_bytes < 4096)
        max_bytes = 4096;
    if (max_bytes > PULL_BYTES_MAX)
        max_bytes = PULL_BYTES_MAX;
    *repush = false;
    phase(s, SYNC_PHASE_PULL);
    int64_t count = 0;
    char *cnt = NULL;
    if (store_meta_get(s->st, SYNC_META_SYNC_COUNT, &cnt, NULL) == DP_OK && cnt)
        count = strtoll(cnt, NULL, 10);
    free(cnt);
    for (long page_no = 0;; page_no++) {
        struct http_response resp;
        struct sync_page page;
        struct sync_page_stats stats;
        struct dp_error e;
        char *cursor = NULL, *digest = NULL, *body = NULL;
        size_t len = 0;
        http_response_init(&resp);
        sync_page_init(&page);
        enum dp_status rc = store_sync_pull_begin(s->st, &cursor, &e);
        if (rc != DP_OK) {
            rc = store_failed(s, rc, &e, err);
            goto page_out;
        }
        /* Every tenth sync, once up to date, the server checks what we hold (9.5). */
        if (page_no == 0 && cursor && count % 10 == 9 &&
            store_sync_digest(s->st, &digest, &e) != DP_OK)
            digest = NULL;
        struct proto_pull_params pp = {.device_id = s->id.device_id,
                                       .cursor = cursor,
                                       .limit = limit,
                                       .max_bytes = max_bytes,
                                       .digest_json = digest};
        if ((rc = proto_pull_request(&pp, &body, &len, &e)) != DP_OK) {
            rc = fail(s, err, rc, "%s", e.msg);
            goto page_out;
        }
        if ((rc = request(s, "/sync/v1/pull", body, len, NULL, 0, &resp, err)) != DP_OK)
            goto page_out;
        if ((rc = proto_parse_pull(resp.body.p, resp.body.len, (size_t)limit, &page, &e)) !=
            DP_OK) {
            rc = fail(s, err, rc, "%s", e.msg);
            goto page_out;
        }
        if ((rc = store_sync_apply_page(s->st, &page, &stats, &e)) != DP_OK) {
            rc = store_failed(s, rc, &e, err);
            goto page_out;
        }
        s->res->pages++;
        s->res->puts += stats.puts;
        s->res->removes += stats.removes;
        s->res->conflict_updates += stats.conflicts;
        s->res->orphaned += stats.orphaned;
        s->prog.pages++;
        s->prog.records += (long)page.nchanges;
        report(s);
        if (page.reset) {
            s->res->reset = true;
            snprintf(s->res->reset_reason, sizeof s->res->reset_reason, "%s", page.reset_reason);
            if (strcmp(page.reset_reason, "epoch") == 0)
                store_sync_set_hello_due(s->st, true, NULL);
        }
        if (stats.diverged) {
            rc = reregister(s, err);
            *repush = true;
        } else if (stats.server_behind) {
            rc = repush_from(s, page.last_mid + 1, err);
            *repush = true;
        }
        if (rc == DP_OK && !page.has_more)
            s->res->pulled = true;
    page_out:
        free(cursor);
        free(digest);
        free(body);
        sync_page_done(&page);
        http_response_done(&resp);
        if (rc != DP_OK || s->res->pulled)
            return rc;
    }
}

/* ---- one sync ------------------------------------------------------------------------------ */

enum dp_status
sync_run(const struct sync_options *o, struct store *st, struct sync_result *res,
         struct dp_error *err)
{
    struct session s = {.o = o, .st = st, .res = res};
    struct dp_error e;
    memset(res, 0, sizeof *res);
    enum dp_status rc = store_sync_identity(st, &s.id, &e);
    if (rc != DP_OK) {
        rc = store_failed(&s, rc, &e, err);
        goto out;
    }
    if (!s.id.token[0]) {
        rc = fail(&s, err, DP_EAUTH, "%s", _("not logged in; run doorstep login"));
        goto out;
    }
    if (s.id.token_expires_at > 0 && s.id.token_expires_at <= (int64_t)time(NULL)) {
        rc = fail(&s, err, DP_EAUTH, "%s",
                  _("the login has expired; run doorstep login (work continues offline)"));
        goto out;
    }
    char url[512];
    snprintf(url, sizeof url, "%s", o->server_url ? o->server_url : "");
    for (size_t n = strlen(url); n > 0 && url[n - 1] == '/'; n--)
        url[n - 1] = '\0';
    if (strcmp(url, s.id.server_url) != 0) {
        rc = fail(&s, err, DP_EAUTH, "%s",
                  _("the login was made for another server; run doorstep login"));
        goto out;
    }
    if ((rc = open_conn(&s, err)) != DP_OK)
        goto out;
    struct sync_status_info info;
    if (store_sync_status(st, &info, &e) == DP_OK)
        s.prog.to_push = info.pending;
    /* While the clock is off, every sync measures it again (one small request). */
    if ((s.id.hello_due || !s.id.cursor[0] || s.id.clock_skew_s != 0) &&
        (rc = hello(&s, err)) != DP_OK)
        goto out;
    for (int round = 0; round < MAX_ROUNDS; round++) {
        bool repush = false;
        res->pushed = res->pulled = false;
        if ((rc = push(&s, err)) != DP_OK || (rc = pull(&s, &repush, err)) != DP_OK)
            goto out;
        if (!repush)
            break;
    }
out:
    if (rc == DP_EAUTH && s.token_refused)
        store_sync_forget_token(st, NULL);
    store_sync_finish(st, rc == DP_OK, res->message, NULL);
    phase(&s, SYNC_PHASE_DONE);
    session_done(&s);
    return rc;
}
