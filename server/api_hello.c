/* POST /sync/v1/hello (docs/PROTOCOL.md section 5). */
#include "server/api.h"

#include <stdio.h>
#include <string.h>

#include "core/schema.h"
#include "core/validate.h"
#include "server/db.h"
#include "server/devices.h"
#include "server/problem.h"
#include "server/server.h"

static const char *const hello_members[] = {
    "protocol", "schema", "app_version", "device_id", "client_time", "acked_mid", NULL,
};

/* "YYYY-MM-DDTHH:MM:SS[.fff]Z" */
static bool
rfc3339_ok(const char *s)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return strcmp(p, "Z") == 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 &&
           sec <= 60;
}

void
api_hello(struct request *req, struct response *resp)
{
    cJSON *root = NULL;
    struct reqjson_err rerr = {0};
    struct dp_error err;
    dp_error_clear(&err);
    const char *device_id, *app_version, *client_time;
    int64_t acked_mid = 0;
    if (!api_parse_body(req, resp, &root))
        return;
    if (!reqjson_only(root, "", hello_members, &rerr) ||
        !reqjson_string(root, "", "device_id", true, 64, &device_id, &rerr) ||
        !reqjson_string(root, "", "app_version", false, 32, &app_version, &rerr) ||
        !reqjson_string(root, "", "client_time", false, 40, &client_time, &rerr) ||
        !reqjson_int(root, "", "acked_mid", false, 0, INT64_C(9007199254740991), &acked_mid, NULL,
                     &rerr)) {
        api_bad_request(resp, &rerr);
        goto out;
    }
    if (!api_check_versions(root, true, resp))
        goto out;
    if (validate_uuid(device_id, "device_id", &err) != DP_OK) {
        problem_set(resp, PROB_INVALID_REQUEST, "/device_id", NULL, "device_id must be a UUID");
        goto out;
    }
    if (client_time && !rfc3339_ok(client_time)) {
        problem_set(resp, PROB_INVALID_REQUEST, "/client_time", NULL,
                    "client_time must be RFC 3339 UTC");
        goto out;
    }
    if (app_version) {
        for (const char *p = app_version; *p; p++) {
            if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
                problem_set(resp, PROB_INVALID_REQUEST, "/app_version", NULL,
                            "app_version must be printable ASCII");
                goto out;
            }
        }
    }

    bool known = false;
    int64_t last_mid = 0;
    char epoch[DB_EPOCH_LEN + 1];
    enum dp_status st = db_begin_write(req->db, &err);
    if (st == DP_OK) {
        st = devices_get(req->db, req->caller.user_id, device_id, true, app_version, &known,
                         &last_mid, &err);
        if (st == DP_OK)
            st = db_epoch(req->db, epoch, sizeof epoch, &err);
        if (st == DP_OK)
            st = db_commit(req->db, &err);
        else
            db_rollback(req->db);
    }
    if (st != DP_OK) {
        problem_from_status(resp, st);
        goto out;
    }

    char now[32];
    db_now_text(now, sizeof now);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "protocol", PROTOCOL_VERSION);
    cJSON_AddItemToObject(o, "schema_accepted", api_schemas_accepted());
    cJSON_AddStringToObject(o, "schema_current", SCHEMA_NAME);
    cJSON_AddStringToObject(o, "epoch", epoch);
    cJSON *dev = cJSON_AddObjectToObject(o, "device");
    cJSON_AddBoolToObject(dev, "known", known);
    cJSON_AddNumberToObject(dev, "last_mid", (double)last_mid);
    cJSON *user = cJSON_AddObjectToObject(o, "user");
    cJSON_AddStringToObject(user, "name", req->caller.name);
    cJSON_AddStringToObject(user, "role", req->caller.role);
    cJSON_AddStringToObject(user, "team", req->caller.team);
    cJSON_AddStringToObject(o, "server_time", now);
    int64_t left = req->caller.token_expires_at - db_now();
    cJSON_AddNumberToObject(o, "token_expires_in", (double)(left > 0 ? left : 0));
    cJSON *lim = cJSON_AddObjectToObject(o, "limits");
    cJSON_AddNumberToObject(lim, "push_max_mutations", LIMIT_PUSH_MUTATIONS);
    cJSON_AddNumberToObject(lim, "push_max_bytes", LIMIT_PUSH_BODY);
    cJSON_AddNumberToObject(lim, "pull_max_changes", LIMIT_PULL_MAX);
    cJSON_AddNumberToObject(lim, "pull_max_bytes", LIMIT_PULL_BYTES_MAX);
    response_json(resp, 200, o);
out:
    cJSON_Delete(root);
}
