#include "server/pull.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server/buf.h"
#include "server/conflicts.h"
#include "server/cursor.h"
#include "server/db.h"
#include "server/devices.h"
#include "server/records.h"

/* Past this many changes since the cursor, walk the scope's households instead of the feed. */
#define FEED_SCAN_MAX 5000
/* Cap on the changes of one event; far above any real household. */
#define EVENT_MAX_BYTES (16u * 1024 * 1024)

/* One change in scope, or the loss of a household (a group of removes). */
struct event {
    int64_t seq;
    char t[16];
    char rid[37];
    char kind[8];
    bool loss;
};

struct page {
    sqlite3 *db;
    const struct scope *scope;
    bool full;
    int64_t limit, max_bytes;
    int64_t count;
    struct buf changes; /* comma-separated change objects */
    struct buf one;     /* the changes of the event being added */
    int64_t one_count;
    struct dp_error *err;
};

static enum dp_status
add_change(struct page *pg, cJSON *c)
{
    if (!c)
        return dp_error_set(pg->err, DP_ENOMEM, NULL, NULL);
    char *text = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    if (!text)
        return dp_error_set(pg->err, DP_ENOMEM, NULL, NULL);
    enum dp_status st = DP_OK;
    if (pg->one.len)
        st = buf_add(&pg->one, ",", 1);
    if (st == DP_OK)
        st = buf_adds(&pg->one, text);
    free(text);
    if (st != DP_OK)
        return dp_error_set(pg->err, st, NULL, NULL);
    pg->one_count++;
    return DP_OK;
}

static cJSON *
remove_change(int64_t seq, const char *t, const char *rid, const char *reason, int64_t v)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "seq", (double)seq);
    cJSON_AddStringToObject(o, "op", "remove");
    cJSON_AddStringToObject(o, "t", t);
    cJSON_AddStringToObject(o, "rid", rid);
    cJSON_AddStringToObject(o, "reason", reason);
    if (v > 0)
        cJSON_AddNumberToObject(o, "v", (double)v);
    return o;
}

static enum dp_status
record_event(struct page *pg, const struct event *ev)
{
    if (strcmp(ev->t, "conflict") == 0) {
        struct conflict c;
        enum dp_status st = conflicts_load(pg->db, ev->rid, &c, pg->err);
        if (st == DP_OK && !(pg->full && strcmp(c.state, "open") != 0))
            st = add_change(pg, conflict_to_change(&c, ev->seq));
        conflict_done(&c);
        return st;
    }
    const struct record_def *def = schema_record(ev->t);
    if (!def)
        return dp_error_set(pg->err, DP_ECORRUPT, NULL, "unknown type in the change feed");
    struct srec s;
    enum dp_status st = srec_load(pg->db, def, ev->rid, &s, pg->err);
    if (st == DP_OK) {
        if (s.rec.deleted) {
            if (!pg->full)
                st = add_change(pg, remove_change(ev->seq, ev->t, ev->rid, "deleted", s.rec.v));
        } else {
            cJSON *o = cJSON_CreateObject();
            cJSON *row = record_to_json(&s.rec, false);
            if (o && row) {
                cJSON_AddNumberToObject(o, "seq", (double)ev->seq);
                cJSON_AddStringToObject(o, "op", "put");
                cJSON_AddStringToObject(o, "t", ev->t);
                cJSON_AddStringToObject(o, "rid", ev->rid);
                cJSON_AddNumberToObject(o, "v", (double)s.rec.v);
                if (strcmp(ev->kind, "scope") == 0)
                    cJSON_AddStringToObject(o, "reason", "in_scope");
                cJSON_AddItemToObject(o, "row", row);
                row = NULL;
            } else {
                cJSON_Delete(o);
                o = NULL;
            }
            cJSON_Delete(row);
            st = add_change(pg, o);
        }
    }
    srec_done(&s);
    return st;
}

struct loss_ctx {
    struct page *pg;
    int64_t seq;
    enum dp_status st;
};

static enum dp_status
loss_child(const struct child_ref *c, void *arg)
{
    struct loss_ctx *lc = arg;
    /* Children made after the household left this scope were never seen here. */
    if (c->cseq > lc->seq)
        return DP_OK;
    return add_change(lc->pg, remove_change(lc->seq, c->def->name, c->id, "out_of_scope", 0));
}

static enum dp_status
loss_event(struct page *pg, const struct event *ev)
{
    enum dp_status st =
        add_change(pg, remove_change(ev->seq, "household", ev->rid, "out_of_scope", 0));
    if (st != DP_OK)
        return st;
    struct loss_ctx lc = {.pg = pg, .seq = ev->seq};
    return records_children(pg->db, ev->rid, loss_child, &lc, pg->err);
}

/* Up to `max` in-scope feed entries with since < seq <= upto. */
static enum dp_status
read_feed(struct page *pg, int64_t since, int64_t upto, int64_t max, struct event *evs, size_t *n)
{
    const struct scope *s = pg->scope;
    const char *cond = s->supervisor ? "h.team = ?3" : "h.assigned_to = ?3";
    char sql[512];
    if (upto - since > FEED_SCAN_MAX)
        snprintf(sql, sizeof sql,
                 "SELECT c.seq, c.t, c.rid, c.kind FROM household h CROSS JOIN change_log c"
                 " WHERE %s AND c.household_id = h.id AND c.seq > ?1 AND c.seq <= ?2"
                 " ORDER BY c.seq LIMIT ?4",
                 cond);
    else
        snprintf(sql, sizeof sql,
                 "SELECT c.seq, c.t, c.rid, c.kind FROM change_log c CROSS JOIN household h"
                 " WHERE c.seq > ?1 AND c.seq <= ?2 AND h.id = c.household_id AND %s"
                 " ORDER BY c.seq LIMIT ?4",
                 cond);
    sqlite3_stmt *q;
    enum dp_status st = db_prepare(pg->db, sql, &q, pg->err);
    if (st != DP_OK)
        return st;
    sqlite3_bind_int64(q, 1, since);
    sqlite3_bind_int64(q, 2, upto);
    sqlite3_bind_text(q, 3, s->supervisor ? s->team : s->user, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, max);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct event *e = &evs[(*n)++];
        memset(e, 0, sizeof *e);
        e->seq = sqlite3_column_int64(q, 0);
        snprintf(e->t, sizeof e->t, "%s", db_text(q, 1));
        snprintf(e->rid, sizeof e->rid, "%s", db_text(q, 2));
        snprintf(e->kind, sizeof e->kind, "%s", db_text(q, 3));
    }
    if (rc != SQLITE_DONE)
        st = db_fail(pg->db, rc, "change_log", pg->err);
    sqlite3_finalize(q);
    return st;
}

/* Up to `max` households this scope lost (and does not hold now) with since < seq <= upto. */
static enum dp_status
read_losses(struct page *pg, int64_t since, int64_t upto, int64_t max, struct event *evs, size_t *n)
{
    const struct scope *s = pg->scope;
    const char *sql =
        s->supervisor
            ? "SELECT a.seq, a.household_id FROM assignment_history a CROSS JOIN household h"
              " WHERE a.from_team = ?3 AND a.seq > ?1 AND a.seq <= ?2 AND h.id = a.household_id"
              " AND h.team <> ?3 ORDER BY a.seq LIMIT ?4"
            : "SELECT a.seq, a.household_id FROM assignment_history a CROSS JOIN household h"
              " WHERE a.from_user = ?3 AND a.seq > ?1 AND a.seq <= ?2 AND h.id = a.household_id"
              " AND h.assigned_to <> ?3 ORDER BY a.seq LIMIT ?4";
    sqlite3_stmt *q;
    enum dp_status st = db_prepare(pg->db, sql, &q, pg->err);
    if (st != DP_OK)
        return st;
    sqlite3_bind_int64(q, 1, since);
    sqlite3_bind_int64(q, 2, upto);
    sqlite3_bind_text(q, 3, s->supervisor ? s->team : s->user, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, max);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct event *e = &evs[(*n)++];
        memset(e, 0, sizeof *e);
        e->seq = sqlite3_column_int64(q, 0);
        snprintf(e->t, sizeof e->t, "household");
        snprintf(e->rid, sizeof e->rid, "%s", db_text(q, 1));
        e->loss = true;
    }
    if (rc != SQLITE_DONE)
        st = db_fail(pg->db, rc, "assignment_history", pg->err);
    sqlite3_finalize(q);
    return st;
}

/*
 * Fill the page from since (exclusive). *next is the seq the page reaches
 * (the cursor to hand out), *more whether events remain up to upto.
 */
static enum dp_status
fill_page(struct page *pg, int64_t since, int64_t upto, int64_t *next, bool *more)
{
    size_t cap = (size_t)pg->limit + 1;
    struct event *feed = calloc(cap, sizeof *feed);
    struct event *loss = calloc(cap, sizeof *loss);
    size_t nfeed = 0, nloss = 0, i = 0, j = 0;
    enum dp_status st = DP_OK;
    *more = false;
    *next = upto;
    if (!feed || !loss) {
        st = dp_error_set(pg->err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    if ((st = read_feed(pg, since, upto, (int64_t)cap, feed, &nfeed)) != DP_OK)
        goto out;
    if (!pg->full && (st = read_losses(pg, since, upto, (int64_t)cap, loss, &nloss)) != DP_OK)
        goto out;

    /*
     * A stream cut by its LIMIT is complete only up to its last row; events
     * after that may interleave with the other stream, so stop there.
     */
    int64_t horizon = upto;
    if (nfeed == cap && feed[nfeed - 1].seq < horizon)
        horizon = feed[nfeed - 1].seq;
    if (nloss == cap && loss[nloss - 1].seq < horizon)
        horizon = loss[nloss - 1].seq;
    while (i < nfeed || j < nloss) {
        const struct event *ev =
            j >= nloss || (i < nfeed && feed[i].seq < loss[j].seq) ? &feed[i] : &loss[j];
        if (ev->seq > horizon)
            break;
        if (ev == &feed[i])
            i++;
        else
            j++;
        buf_reset(&pg->one);
        pg->one_count = 0;
        st = ev->loss ? loss_event(pg, ev) : record_event(pg, ev);
        if (st != DP_OK)
            goto out;
        bool fits =
            pg->count == 0 || (pg->count + pg->one_count <= pg->limit &&
                               (int64_t)(pg->changes.len + pg->one.len + 1) <= pg->max_bytes);
        if (!fits) {
            *more = true;
            *next = ev->seq - 1;
            goto out;
        }
        if (pg->one.len) {
            if (pg->changes.len && (st = buf_add(&pg->changes, ",", 1)) != DP_OK)
                goto out;
            if ((st = buf_add(&pg->changes, pg->one.data, pg->one.len)) != DP_OK)
                goto out;
        }
        pg->count += pg->one_count;
        if (pg->count >= pg->limit || (int64_t)pg->changes.len >= pg->max_bytes) {
            *next = ev->seq;
            *more = i < nfeed || j < nloss || horizon < upto;
            if (!*more)
                *next = upto;
            goto out;
        }
    }
    if (horizon < upto) {
        *more = true;
        *next = horizon;
    }
out:
    if (st != DP_OK && st != DP_ENOMEM && pg->err->code == DP_OK)
        dp_error_set(pg->err, st, NULL, NULL);
    free(feed);
    free(loss);
    return st;
}

enum dp_status
pull_digest(sqlite3 *db, const struct scope *s, const char *t, int64_t *n, char hex[65],
            struct dp_error *err)
{
    const struct record_def *def = schema_record(t);
    if (!def)
        return dp_error_set(err, DP_EINVAL, t, "not a record type");
    char sql[256];
    const char *cond = s->supervisor ? "h.team = ?1" : "h.assigned_to = ?1";
    if (def->parent_field < 0)
        snprintf(sql, sizeof sql,
                 "SELECT h.id FROM household h WHERE h._deleted = 0 AND %s"
                 " ORDER BY h.id",
                 cond);
    else
        snprintf(sql, sizeof sql,
                 "SELECT c.id FROM %s c JOIN household h ON h.id = c.household_id"
                 " WHERE c._deleted = 0 AND %s ORDER BY c.id",
                 db_record_table(def), cond);
    sqlite3_stmt *q;
    enum dp_status st = db_prepare(db, sql, &q, err);
    if (st != DP_OK)
        return st;
    sqlite3_bind_text(q, 1, s->supervisor ? s->team : s->user, -1, SQLITE_STATIC);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    *n = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *id = db_text(q, 0);
        crypto_hash_sha256_update(&h, (const unsigned char *)id, strlen(id));
        crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
        (*n)++;
    }
    if (rc != SQLITE_DONE)
        st = db_fail(db, rc, def->name, err);
    sqlite3_finalize(q);
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(hex, 65, d, sizeof d);
    return st;
}

/* True when every type in the client's digest matches the server's view. */
static enum dp_status
digest_matches(sqlite3 *db, const struct scope *s, const cJSON *digest, bool *match,
               struct dp_error *err)
{
    *match = true;
    for (const cJSON *it = digest->child; it && *match; it = it->next) {
        int64_t n;
        char hex[65];
        enum dp_status st = pull_digest(db, s, it->string, &n, hex, err);
        if (st != DP_OK)
            return st;
        const cJSON *cn = cJSON_GetObjectItemCaseSensitive(it, "n");
        const cJSON *ch = cJSON_GetObjectItemCaseSensitive(it, "h");
        *match = cJSON_IsNumber(cn) && (int64_t)cn->valuedouble == n && cJSON_IsString(ch) &&
                 strcmp(ch->valuestring, hex) == 0;
    }
    return DP_OK;
}

enum dp_status
pull_page(sqlite3 *db, const struct scope *s, const struct pull_request *pr, char **out,
          size_t *len, struct dp_error *err)
{
    *out = NULL;
    *len = 0;
    struct page pg = {
        .db = db, .scope = s, .limit = pr->limit, .max_bytes = pr->max_bytes, .err = err};
    /* One event (a household with all its children leaving scope) is never split. */
    buf_init(&pg.one, EVENT_MAX_BYTES);
    buf_init(&pg.changes, (size_t)pr->max_bytes + EVENT_MAX_BYTES);
    struct buf res;
    buf_init(&res, (size_t)pr->max_bytes + EVENT_MAX_BYTES + 4096);

    enum dp_status st = db_begin_read(db, err);
    if (st != DP_OK)
        goto done;

    struct cursor cur = {0};
    int64_t upto = 0, last_mid = 0;
    bool known;
    if ((st = db_epoch(db, cur.epoch, sizeof cur.epoch, err)) != DP_OK ||
        (st = db_max_seq(db, &upto, err)) != DP_OK ||
        (st = devices_get(db, s->user_id, pr->device_id, false, NULL, &known, &last_mid, err)) !=
            DP_OK)
        goto out;
    scope_hash(s, cur.scope, sizeof cur.scope);

    const char *reset = NULL;
    int64_t since = 0;
    if (pr->cursor) {
        struct cursor given;
        if (!cursor_parse(pr->cursor, &given))
            reset = "cursor_expired";
        else if (strcmp(given.epoch, cur.epoch) != 0)
            reset = "epoch";
        else if (strcmp(given.scope, cur.scope) != 0)
            reset = "scope";
        else if (given.seq > upto)
            reset = "cursor_expired";
        else
            since = given.seq;
    }

    int64_t next;
    bool more;
    pg.full = since == 0;
    if ((st = fill_page(&pg, since, upto, &next, &more)) != DP_OK)
        goto out;
    if (pr->digest && !reset && !more && pg.count == 0) {
        bool match;
        if ((st = digest_matches(db, s, pr->digest, &match, err)) != DP_OK)
            goto out;
        if (!match) {
            reset = "digest";
            pg.full = true;
            pg.count = 0;
            buf_reset(&pg.changes);
            if ((st = fill_page(&pg, 0, upto, &next, &more)) != DP_OK)
                goto out;
        }
    }
    cur.seq = next;

    char cursor_text[CURSOR_MAX];
    cursor_format(&cur, cursor_text, sizeof cursor_text);
    buf_addf(&res, "{\"cursor\":\"%s\",\"upto\":%" PRId64 ",\"has_more\":%s,\"last_mid\":%" PRId64,
             cursor_text, upto, more ? "true" : "false", last_mid);
    if (reset)
        buf_addf(&res, ",\"reset\":{\"reason\":\"%s\"}", reset);
    else
        buf_adds(&res, ",\"reset\":null");
    buf_adds(&res, ",\"changes\":[");
    buf_add(&res, pg.changes.data ? pg.changes.data : "", pg.changes.len);
    if (buf_adds(&res, "]}") != DP_OK) {
        st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    *out = buf_take(&res, len);
out:
    db_rollback(db);
done:
    buf_done(&pg.changes);
    buf_done(&pg.one);
    buf_done(&res);
    return st;
}
