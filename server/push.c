/*
 * POST /sync/v1/push (docs/PROTOCOL.md section 6): the batch, the per-device
 * lock, mids (replay, gap, divergence), and one transaction per mutation
 * holding its effects, its log row and last_mid.
 */
#include "server/api.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/hlc.h"
#include "core/mutation.h"
#include "core/validate.h"
#include "server/audit.h"
#include "server/db.h"
#include "server/devices.h"
#include "server/mutate.h"
#include "server/problem.h"
#include "server/server.h"

static const char *const push_members[] = {"protocol", "schema", "device_id", "mutations", NULL};

enum step {
    STEP_RESULT,   /* *result holds the mutation's result */
    STEP_GAP,      /* stop: a mid is missing */
    STEP_DIVERGED, /* stop: a mid was reused with other content */
};

/* A string member of the wire object, cut to fit the log's columns; "" when absent. */
static void
member_text(const cJSON *obj, const char *name, char *buf, size_t bufsize)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    snprintf(buf, bufsize, "%s", cJSON_IsString(it) ? it->valuestring : "");
}

/* The stored result of (user, device, mid) if its hash matches; *found says whether a row exists.
 */
static enum dp_status
stored_result(sqlite3 *db, int64_t user_id, const char *device, int64_t mid, const char *hash,
              bool *found, bool *same, cJSON **result, struct dp_error *err)
{
    *found = *same = false;
    *result = NULL;
    sqlite3_stmt *q;
    enum dp_status st = db_prepare(db,
                                   "SELECT hash, result FROM mutation_log"
                                   " WHERE user_id = ? AND device_id = ? AND mid = ?",
                                   &q, err);
    if (st != DP_OK)
        return st;
    sqlite3_bind_int64(q, 1, user_id);
    sqlite3_bind_text(q, 2, device, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, mid);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *found = true;
        *same = strcmp(db_text(q, 0), hash) == 0;
        if (*same) {
            *result = cJSON_Parse(db_text(q, 1));
            if (!*result)
                st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        }
    } else if (rc != SQLITE_DONE) {
        st = db_fail(db, rc, "mutation_log", err);
    }
    sqlite3_finalize(q);
    return st;
}

static enum dp_status
log_mutation(sqlite3 *db, int64_t user_id, const char *device, int64_t mid, const cJSON *obj,
             const cJSON *result, struct dp_error *err)
{
    char mutation_id[40], hash[MUTATION_WIRE_HASH_MAX + 1], hlc[72], op[24], t[16], rid[40];
    member_text(obj, "id", mutation_id, sizeof mutation_id);
    member_text(obj, "hash", hash, sizeof hash);
    member_text(obj, "hlc", hlc, sizeof hlc);
    member_text(obj, "op", op, sizeof op);
    member_text(obj, "t", t, sizeof t);
    member_text(obj, "rid", rid, sizeof rid);
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(result, "status");
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(result, "reason");
    char *payload = cJSON_PrintUnformatted(obj);
    char *res = cJSON_PrintUnformatted(result);
    char now[32];
    db_now_text(now, sizeof now);
    sqlite3_stmt *q = NULL;
    enum dp_status st = payload && res ? DP_OK : dp_error_set(err, DP_ENOMEM, NULL, NULL);
    if (st == DP_OK)
        st = db_prepare(db,
                        "INSERT INTO mutation_log(user_id, device_id, mid, mutation_id, hash, hlc,"
                        " op, t, rid, payload, status, reason, result, received_at)"
                        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        &q, err);
    if (st == DP_OK) {
        sqlite3_bind_int64(q, 1, user_id);
        sqlite3_bind_text(q, 2, device, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, mid);
        sqlite3_bind_text(q, 4, mutation_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, hlc, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 7, op, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 8, t, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 9, rid, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 10, payload, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 11, cJSON_IsString(status) ? status->valuestring : "", -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(q, 12, cJSON_IsString(reason) ? reason->valuestring : "", -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(q, 13, res, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 14, now, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        if (rc != SQLITE_DONE)
            st = db_fail(db, rc, "mutation_log", err);
    }
    sqlite3_finalize(q);
    free(payload);
    free(res);
    return st;
}

/* Audit detail: status, reason and the field names the mutation touched; never values. */
static void
audit_mutation(sqlite3 *db, const struct request *req, const char *device, const cJSON *obj,
               const cJSON *result)
{
    char op[24], t[16], rid[40], detail[256];
    member_text(obj, "op", op, sizeof op);
    member_text(obj, "t", t, sizeof t);
    member_text(obj, "rid", rid, sizeof rid);
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(result, "status");
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(result, "reason");
    size_t n = (size_t)snprintf(detail, sizeof detail, "status=%s",
                                cJSON_IsString(status) ? status->valuestring : "");
    if (cJSON_IsString(reason) && n < sizeof detail)
        n += (size_t)snprintf(detail + n, sizeof detail - n, " reason=%s", reason->valuestring);
    static const char *const parts[] = {"set", "choose", NULL};
    for (size_t p = 0; parts[p] && n < sizeof detail; p++) {
        const cJSON *set = cJSON_GetObjectItemCaseSensitive(obj, parts[p]);
        if (!cJSON_IsObject(set))
            continue;
        n += (size_t)snprintf(detail + n, sizeof detail - n, " fields=");
        for (const cJSON *f = set->child; f && n < sizeof detail; f = f->next)
            n += (size_t)snprintf(detail + n, sizeof detail - n, "%s%s", f->string,
                                  f->next ? "," : "");
    }
    struct audit_entry e = {.user = req->caller.name,
                            .device = device,
                            .address = req->addr,
                            .action = op,
                            .t = t,
                            .rid = rid,
                            .detail = detail};
    audit_log(db, &e, NULL);
}

/*
 * One mutation in its own transaction. DP_OK with *step set, or a database
 * status (transient: nothing of this mutation was kept).
 */
static enum dp_status
push_one(struct request *req, const struct mutate_ctx *mc, const char *device, const cJSON *obj,
         int64_t mid, int64_t *last_mid, enum step *step, cJSON **result, struct dp_error *err)
{
    sqlite3 *db = req->db;
    *result = NULL;
    enum dp_status st = db_begin_write(db, err);
    if (st != DP_OK)
        return st;
    bool known;
    if ((st = devices_get(db, req->caller.user_id, device, true, NULL, &known, last_mid, err)) !=
        DP_OK)
        goto fail;

    char hash[MUTATION_WIRE_HASH_MAX + 1];
    member_text(obj, "hash", hash, sizeof hash);
    if (mid <= *last_mid) {
        bool found, same;
        st = stored_result(db, req->caller.user_id, device, mid, hash, &found, &same, result, err);
        if (st != DP_OK)
            goto fail;
        if (same) {
            cJSON_AddTrueToObject(*result, "replayed");
            *step = STEP_RESULT;
        } else {
            *step = STEP_DIVERGED;
        }
        db_rollback(db);
        return DP_OK;
    }
    if (mid > *last_mid + 1) {
        *step = STEP_GAP;
        db_rollback(db);
        return DP_OK;
    }

    /* Effects inside a savepoint: a rejection keeps only the log row. */
    if ((st = db_exec(db, "SAVEPOINT effects", err)) != DP_OK)
        goto fail;
    if ((st = mutate_apply(mc, obj, result, err)) != DP_OK)
        goto fail;
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(*result, "status");
    bool rejected = cJSON_IsString(status) && strcmp(status->valuestring, "rejected") == 0;
    if (rejected && (st = db_exec(db, "ROLLBACK TO effects", err)) != DP_OK)
        goto fail;
    if ((st = db_exec(db, "RELEASE effects", err)) != DP_OK)
        goto fail;
    /* "mid" first reads better in logs and answers. */
    cJSON *with_mid = cJSON_CreateObject();
    if (!with_mid || !cJSON_AddNumberToObject(with_mid, "mid", (double)mid)) {
        cJSON_Delete(with_mid);
        st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto fail;
    }
    while ((*result)->child) {
        cJSON *item = cJSON_DetachItemViaPointer(*result, (*result)->child);
        cJSON_AddItemToObject(with_mid, item->string, item);
    }
    cJSON_Delete(*result);
    *result = with_mid;
    if ((st = log_mutation(db, req->caller.user_id, device, mid, obj, *result, err)) != DP_OK ||
        (st = devices_set_last_mid(db, req->caller.user_id, device, mid, err)) != DP_OK)
        goto fail;
    audit_mutation(db, req, device, obj, *result);
    if ((st = db_commit(db, err)) != DP_OK)
        goto fail;
    *last_mid = mid;
    *step = STEP_RESULT;
    return DP_OK;
fail:
    db_rollback(db);
    cJSON_Delete(*result);
    *result = NULL;
    return st;
}

/* Idempotency-Key (PROTOCOL.md 6.3): the same key with another body is refused. */
static bool
idempotency_ok(struct request *req, struct response *resp)
{
    const char *key = req->idempotency_key;
    if (!key)
        return true;
    size_t n = strlen(key);
    bool printable = n > 0 && n <= 128;
    for (size_t i = 0; i < n && printable; i++)
        printable = key[i] > 0x20 && key[i] < 0x7f;
    if (!printable) {
        problem_set(resp, PROB_INVALID_REQUEST, NULL, NULL,
                    "Idempotency-Key must be 1-128 printable ASCII characters");
        return false;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[sizeof h * 2 + 1];
    crypto_hash_sha256(h, (const unsigned char *)req->body, req->body_len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);

    struct dp_error err;
    sqlite3 *db = req->db;
    sqlite3_stmt *q = NULL;
    bool ok = true;
    enum dp_status st = db_begin_write(db, &err);
    if (st == DP_OK)
        st = db_prepare(db, "DELETE FROM idempotency WHERE created_at < ?", &q, &err);
    if (st == DP_OK) {
        sqlite3_bind_int64(q, 1, db_now() - IDEMPOTENCY_TTL);
        if (sqlite3_step(q) != SQLITE_DONE)
            st = db_fail(db, sqlite3_errcode(db), "idempotency", &err);
        sqlite3_finalize(q);
        q = NULL;
    }
    if (st == DP_OK)
        st = db_prepare(db, "SELECT body_hash FROM idempotency WHERE user_id = ? AND key = ?", &q,
                        &err);
    if (st == DP_OK) {
        sqlite3_bind_int64(q, 1, req->caller.user_id);
        sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        bool seen = rc == SQLITE_ROW;
        if (seen)
            ok = strcmp(db_text(q, 0), hex) == 0;
        else if (rc != SQLITE_DONE)
            st = db_fail(db, rc, "idempotency", &err);
        sqlite3_finalize(q);
        q = NULL;
        if (st == DP_OK && !seen) {
            st = db_prepare(db,
                            "INSERT INTO idempotency(user_id, key, body_hash, created_at)"
                            " VALUES(?, ?, ?, ?)",
                            &q, &err);
            if (st == DP_OK) {
                sqlite3_bind_int64(q, 1, req->caller.user_id);
                sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
                sqlite3_bind_text(q, 3, hex, -1, SQLITE_STATIC);
                sqlite3_bind_int64(q, 4, db_now());
                if (sqlite3_step(q) != SQLITE_DONE)
                    st = db_fail(db, sqlite3_errcode(db), "idempotency", &err);
                sqlite3_finalize(q);
            }
        }
    }
    if (st == DP_OK)
        st = db_commit(db, &err);
    else
        db_rollback(db);
    if (st != DP_OK) {
        problem_from_status(resp, st);
        return false;
    }
    if (!ok)
        problem_set(resp, PROB_IDEMPOTENCY, NULL, NULL,
                    "this Idempotency-Key was used with another body");
    return ok;
}

void
api_push(struct request *req, struct response *resp)
{
    cJSON *root = NULL, *out = NULL;
    struct reqjson_err rerr = {0};
    struct dp_error err;
    dp_error_clear(&err);
    const char *device_id;
    const cJSON *mutations;
    bool locked = false;
    if (!api_parse_body(req, resp, &root))
        return;
    if (!reqjson_only(root, "", push_members, &rerr) ||
        !reqjson_string(root, "", "device_id", true, 64, &device_id, &rerr) ||
        !reqjson_array(root, "", "mutations", true, &mutations, &rerr)) {
        api_bad_request(resp, &rerr);
        goto out;
    }
    if (!api_check_versions(root, true, resp))
        goto out;
    if (validate_uuid(device_id, "device_id", &err) != DP_OK) {
        problem_set(resp, PROB_INVALID_REQUEST, "/device_id", NULL, "device_id must be a UUID");
        goto out;
    }
    int n = cJSON_GetArraySize(mutations);
    if (n < 1 || n > LIMIT_PUSH_MUTATIONS) {
        problem_set(resp, PROB_INVALID_REQUEST, "/mutations", NULL,
                    "a push carries 1 to %d mutations", LIMIT_PUSH_MUTATIONS);
        goto out;
    }
    /* Without its envelope a mutation cannot even be logged: the client is broken. */
    int i = 0;
    for (const cJSON *m = mutations->child; m; m = m->next, i++) {
        char at[32];
        reqjson_pointer_index(at, sizeof at, "/mutations", (size_t)i);
        if (!cJSON_IsObject(m)) {
            problem_set(resp, PROB_INVALID_REQUEST, at, NULL, "a mutation must be an object");
            goto out;
        }
        if (mutation_envelope_check(m, NULL, &err) != DP_OK) {
            char field[96];
            reqjson_pointer(field, sizeof field, at, err.field);
            problem_set(resp, PROB_INVALID_REQUEST, field, NULL, "%s", err.msg);
            goto out;
        }
    }
    if (!idempotency_ok(req, resp))
        goto out;
    if (!server_push_lock(req->srv, req->caller.user_id, device_id)) {
        problem_set(resp, PROB_DEVICE_BUSY, NULL, NULL, "wait and send the same batch again");
        goto out;
    }
    locked = true;

    struct mutate_ctx mc = {
        .db = req->db, .device = device_id, .today = date_today(), .now_ms = hlc_wall_ms()};
    scope_set(&mc.scope, req->caller.user_id, req->caller.name, req->caller.role, req->caller.team);
    out = cJSON_CreateObject();
    cJSON *results = cJSON_CreateArray();
    cJSON *stopped = NULL;
    int64_t last_mid = 0;
    bool wrote = false;
    for (const cJSON *m = mutations->child; m; m = m->next) {
        int64_t mid = 0;
        mutation_envelope_check(m, &mid, NULL);
        enum step step;
        cJSON *result = NULL;
        enum dp_status st = push_one(req, &mc, device_id, m, mid, &last_mid, &step, &result, &err);
        if (st != DP_OK) {
            cJSON_Delete(results);
            cJSON_Delete(out);
            out = NULL;
            if (wrote)
                server_note_write(req->srv, req->db);
            problem_from_status(resp, st);
            goto out;
        }
        if (step == STEP_RESULT) {
            cJSON_AddItemToArray(results, result);
            wrote = true;
            continue;
        }
        stopped = cJSON_CreateObject();
        if (step == STEP_GAP) {
            cJSON_AddStringToObject(stopped, "reason", "gap");
            cJSON_AddNumberToObject(stopped, "expected_mid", (double)(last_mid + 1));
        } else {
            cJSON_AddStringToObject(stopped, "reason", "device_diverged");
            cJSON_AddNumberToObject(stopped, "mid", (double)mid);
        }
        break;
    }
    if (wrote)
        server_note_write(req->srv, req->db);
    cJSON_AddNumberToObject(out, "last_mid", (double)last_mid);
    cJSON_AddItemToObject(out, "results", results);
    cJSON_AddItemToObject(out, "stopped", stopped ? stopped : cJSON_CreateNull());
    response_json(resp, 200, out);
    out = NULL;
out:
    if (locked)
        server_push_unlock(req->srv, req->caller.user_id, device_id);
    cJSON_Delete(out);
    cJSON_Delete(root);
}
