/* Helpers every endpoint uses: strict body parsing and version checks. */
#include "server/api.h"

#include <string.h>

#include "core/schema.h"
#include "server/problem.h"
#include "server/server.h"

/* Record schemas this server accepts in push and pull (docs/PROTOCOL.md 13). */
static const char *const schemas_accepted[] = {SCHEMA_NAME, NULL};

cJSON *
api_schemas_accepted(void)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && schemas_accepted[i]; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(schemas_accepted[i]));
    return a;
}

void
api_bad_request(struct response *resp, const struct reqjson_err *err)
{
    enum problem p = PROB_INVALID_REQUEST;
    if (err->fail == RJ_BAD_JSON)
        p = PROB_BAD_JSON;
    else if (err->fail == RJ_BAD_UTF8)
        p = PROB_BAD_UTF8;
    problem_set(resp, p, err->field[0] ? err->field : NULL, NULL, "%s", err->detail);
}

bool
api_parse_body(struct request *req, struct response *resp, cJSON **out)
{
    struct reqjson_err err;
    if (reqjson_parse(req->body, req->body_len, out, &err) != RJ_OK) {
        api_bad_request(resp, &err);
        return false;
    }
    if (!cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        problem_set(resp, PROB_INVALID_REQUEST, "", NULL, "the body must be a JSON object");
        return false;
    }
    return true;
}

bool
api_check_versions(const cJSON *root, bool need_schema, struct response *resp)
{
    struct reqjson_err err = {0};
    int64_t protocol = 0;
    if (!reqjson_int(root, "", "protocol", true, 0, INT64_C(9007199254740991), &protocol, NULL,
                     &err)) {
        api_bad_request(resp, &err);
        return false;
    }
    if (protocol != PROTOCOL_VERSION) {
        cJSON *extra = cJSON_CreateObject();
        cJSON_AddStringToObject(extra, "version_type", "protocol");
        cJSON *acc = cJSON_AddArrayToObject(extra, "accepted");
        cJSON_AddItemToArray(acc, cJSON_CreateNumber(PROTOCOL_VERSION));
        problem_set(resp, PROB_VERSION, "/protocol", extra, "this server speaks protocol %d",
                    PROTOCOL_VERSION);
        return false;
    }
    const char *schema = NULL;
    if (!reqjson_string(root, "", "schema", need_schema, 64, &schema, &err)) {
        api_bad_request(resp, &err);
        return false;
    }
    if (schema) {
        bool ok = false;
        for (size_t i = 0; schemas_accepted[i] && !ok; i++)
            ok = strcmp(schemas_accepted[i], schema) == 0;
        if (!ok) {
            cJSON *extra = cJSON_CreateObject();
            cJSON_AddStringToObject(extra, "version_type", "schema");
            cJSON_AddItemToObject(extra, "accepted", api_schemas_accepted());
            problem_set(resp, PROB_VERSION, "/schema", extra,
                        "record schema not accepted by this server");
            return false;
        }
    }
    return true;
}
