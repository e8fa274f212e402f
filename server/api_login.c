/* POST /sync/v1/login and /sync/v1/logout (docs/PROTOCOL.md section 4). */
#include "server/api.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/validate.h"
#include "server/audit.h"
#include "server/auth.h"
#include "server/db.h"
#include "server/devices.h"
#include "server/problem.h"
#include "server/ratelimit.h"
#include "server/server.h"
#include "server/users.h"

static const char *const login_members[] = {"username", "password", "device_id", NULL};

static void
audit_login(sqlite3 *db, const char *user, const char *device, const char *addr, const char *action,
            const char *detail)
{
    struct audit_entry e = {
        .user = user, .device = device, .address = addr, .action = action, .detail = detail};
    audit_log(db, &e, NULL);
}

static void
too_many(struct response *resp, int64_t retry)
{
    problem_set(resp, PROB_TOO_MANY, NULL, NULL, "too many failed logins; wait and try again");
    snprintf(resp->retry_after, sizeof resp->retry_after, "%lld",
             (long long)(retry > 0 ? retry : 1));
}

void
api_login(struct request *req, struct response *resp)
{
    cJSON *root = NULL;
    struct reqjson_err rerr = {0};
    struct dp_error err;
    dp_error_clear(&err);
    const char *username, *password, *device_id;
    if (!api_parse_body(req, resp, &root))
        return;
    if (!reqjson_only(root, "", login_members, &rerr) ||
        !reqjson_string(root, "", "username", true, 64, &username, &rerr) ||
        !reqjson_string(root, "", "password", true, 128, &password, &rerr) ||
        !reqjson_string(root, "", "device_id", true, 64, &device_id, &rerr)) {
        api_bad_request(resp, &rerr);
        goto out;
    }
    if (validate_username(username, "username", &err) != DP_OK) {
        problem_set(resp, PROB_INVALID_REQUEST, "/username", NULL, "not a valid login name");
        goto out;
    }
    if (!password[0]) {
        problem_set(resp, PROB_INVALID_REQUEST, "/password", NULL, "password is empty");
        goto out;
    }
    if (validate_uuid(device_id, "device_id", &err) != DP_OK) {
        problem_set(resp, PROB_INVALID_REQUEST, "/device_id", NULL, "device_id must be a UUID");
        goto out;
    }

    char ukey[80], akey[80];
    snprintf(ukey, sizeof ukey, "u:%s", username);
    snprintf(akey, sizeof akey, "a:%s", req->addr);
    int64_t now = db_now(), retry = 0, retry2 = 0;
    bool ublocked = ratelimit_blocked(req->srv->fail_user, ukey, now, &retry);
    bool ablocked = ratelimit_blocked(req->srv->fail_addr, akey, now, &retry2);
    if (ublocked || ablocked) {
        audit_login(req->db, username, device_id, req->addr, "login_refused", "rate limited");
        too_many(resp, retry > retry2 ? retry : retry2);
        goto out;
    }

    struct user u;
    char hash[AUTH_HASH_MAX] = "";
    enum dp_status st = users_get(req->db, username, &u, hash, sizeof hash, &err);
    if (st != DP_OK && st != DP_ENOTFOUND) {
        problem_from_status(resp, st);
        goto out;
    }
    bool found = st == DP_OK && !u.disabled;
    sem_wait(&req->srv->pwhash_slots);
    bool ok = auth_verify_password(found ? hash : NULL, password);
    sem_post(&req->srv->pwhash_slots);
    sodium_memzero(hash, sizeof hash);

    if (!ok) {
        now = db_now();
        ratelimit_fail(req->srv->fail_user, ukey, now);
        ratelimit_fail(req->srv->fail_addr, akey, now);
        audit_login(req->db, username, device_id, req->addr, "login_failed", "");
        problem_set(resp, PROB_BAD_CREDENTIALS, NULL, NULL, "wrong user name or password");
        goto out;
    }
    ratelimit_clear(req->srv->fail_user, ukey);

    char token[AUTH_TOKEN_MAX], thash[AUTH_TOKEN_HASH];
    auth_token_new(token, thash);
    bool known;
    int64_t last_mid;
    if ((st = db_begin_write(req->db, &err)) == DP_OK) {
        st = auth_token_store(req->db, thash, u.id, device_id, req->srv->token_ttl, &err);
        if (st == DP_OK)
            st = devices_get(req->db, u.id, device_id, true, NULL, &known, &last_mid, &err);
        if (st == DP_OK) {
            struct audit_entry e = {
                .user = u.name, .device = device_id, .address = req->addr, .action = "login"};
            st = audit_log(req->db, &e, &err);
        }
        if (st == DP_OK)
            st = auth_token_purge(req->db, 30 * 24 * 3600, &err);
        if (st == DP_OK)
            st = db_commit(req->db, &err);
        else
            db_rollback(req->db);
    }
    if (st != DP_OK) {
        problem_from_status(resp, st);
        goto out;
    }
    server_note_write(req->srv, req->db);

    char epoch[DB_EPOCH_LEN + 1] = "", now_text[32];
    db_epoch(req->db, epoch, sizeof epoch, NULL);
    db_now_text(now_text, sizeof now_text);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "token", token);
    cJSON_AddStringToObject(o, "token_type", "Bearer");
    cJSON_AddNumberToObject(o, "expires_in", (double)req->srv->token_ttl);
    cJSON *user = cJSON_AddObjectToObject(o, "user");
    cJSON_AddStringToObject(user, "name", u.name);
    cJSON_AddStringToObject(user, "role", u.role);
    cJSON_AddStringToObject(user, "team", u.team);
    cJSON_AddStringToObject(o, "epoch", epoch);
    cJSON_AddStringToObject(o, "server_time", now_text);
    response_json(resp, 200, o);
    sodium_memzero(token, sizeof token);
out:
    cJSON_Delete(root);
}

static const char *const logout_members[] = {NULL};

void
api_logout(struct request *req, struct response *resp)
{
    cJSON *root = NULL;
    struct reqjson_err rerr = {0};
    struct dp_error err;
    if (!api_parse_body(req, resp, &root))
        return;
    if (!reqjson_only(root, "", logout_members, &rerr)) {
        api_bad_request(resp, &rerr);
        goto out;
    }
    enum dp_status st = auth_token_revoke(req->db, req->caller.token_hash, &err);
    if (st == DP_OK) {
        struct audit_entry e = {.user = req->caller.name, .address = req->addr, .action = "logout"};
        audit_log(req->db, &e, NULL);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddTrueToObject(o, "ok");
        response_json(resp, 200, o);
    } else {
        problem_from_status(resp, st);
    }
out:
    cJSON_Delete(root);
}
