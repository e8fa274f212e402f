/* POST /sync/v1/pull (docs/PROTOCOL.md section 9). */
#include "server/api.h"

#include <stdlib.h>
#include <string.h>

#include "core/schema.h"
#include "core/validate.h"
#include "server/problem.h"
#include "server/pull.h"
#include "server/scope.h"
#include "server/server.h"

static const char *const pull_members[] = {
    "protocol", "schema", "device_id", "cursor", "limit", "max_bytes", "digest", NULL,
};
static const char *const digest_members[] = {"n", "h", NULL};

static bool
hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

static bool
check_digest(const cJSON *digest, struct reqjson_err *err)
{
    for (const cJSON *it = digest->child; it; it = it->next) {
        char at[64];
        reqjson_pointer(at, sizeof at, "/digest", it->string);
        if (!schema_record(it->string))
            return reqjson_fail(err, "/digest", it->string, "not a record type");
        const char *h;
        if (!reqjson_only(it, at, digest_members, err) ||
            !reqjson_int(it, at, "n", true, 0, INT64_C(9007199254740991), NULL, NULL, err) ||
            !reqjson_string(it, at, "h", true, 64, &h, err))
            return false;
        if (!hex64(h))
            return reqjson_fail(err, at, "h", "must be 64 lower-case hex digits");
    }
    return true;
}

void
api_pull(struct request *req, struct response *resp)
{
    cJSON *root = NULL;
    struct reqjson_err rerr = {0};
    struct dp_error err;
    dp_error_clear(&err);
    const char *device_id, *cursor = NULL;
    const cJSON *digest = NULL;
    int64_t limit = LIMIT_PULL_DEFAULT, max_bytes = LIMIT_PULL_BYTES_DEFAULT;
    if (!api_parse_body(req, resp, &root))
        return;
    const cJSON *jc = cJSON_GetObjectItemCaseSensitive(root, "cursor");
    if (!reqjson_only(root, "", pull_members, &rerr) ||
        !reqjson_string(root, "", "device_id", true, 64, &device_id, &rerr) ||
        (jc && !cJSON_IsNull(jc) &&
         !reqjson_string(root, "", "cursor", false, 128, &cursor, &rerr)) ||
        !reqjson_int(root, "", "limit", false, 1, LIMIT_PULL_MAX, &limit, NULL, &rerr) ||
        !reqjson_int(root, "", "max_bytes", false, LIMIT_PULL_BYTES_MIN, LIMIT_PULL_BYTES_MAX,
                     &max_bytes, NULL, &rerr) ||
        !reqjson_object(root, "", "digest", false, true, &digest, &rerr) ||
        (digest && !check_digest(digest, &rerr))) {
        api_bad_request(resp, &rerr);
        goto out;
    }
    if (!api_check_versions(root, true, resp))
        goto out;
    if (validate_uuid(device_id, "device_id", &err) != DP_OK) {
        problem_set(resp, PROB_INVALID_REQUEST, "/device_id", NULL, "device_id must be a UUID");
        goto out;
    }

    struct scope s;
    scope_set(&s, req->caller.user_id, req->caller.name, req->caller.role, req->caller.team);
    struct pull_request pr = {
        .cursor = cursor,
        .limit = limit,
        .max_bytes = max_bytes,
        .digest = digest,
        .device_id = device_id,
    };
    char *text = NULL;
    size_t len = 0;
    enum dp_status st = pull_page(req->db, &s, &pr, &text, &len, &err);
    if (st != DP_OK) {
        problem_from_status(resp, st);
        goto out;
    }
    free(resp->body);
    resp->status = 200;
    resp->content_type = "application/json";
    resp->body = text;
    resp->len = len;
out:
    cJSON_Delete(root);
}
