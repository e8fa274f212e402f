#include "tests/fuzz/client_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/proto.h"

static enum dp_status
problem_view(long status, const char *content_type, const char *body, size_t len,
             struct dp_error *err)
{
    struct http_response resp;
    memset(&resp, 0, sizeof resp);
    resp.status = status;
    resp.retry_after_s = -1;
    snprintf(resp.content_type, sizeof resp.content_type, "%s", content_type);
    dynbuf_init(&resp.body, len + 1);
    enum dp_status st = dynbuf_add(&resp.body, body, len);
    if (st == DP_OK) {
        struct proto_problem p;
        proto_parse_problem(&resp, &p);
        cJSON *doc = cJSON_ParseWithLength(body, len);
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(doc, "code");
        if (!p.well_formed || !cJSON_IsString(code) || strcmp(code->valuestring, p.code) != 0)
            st = dp_error_set(err, DP_EPROTO, NULL, "the client cannot read this problem report");
        cJSON_Delete(doc);
    }
    dynbuf_free(&resp.body);
    return st;
}

enum dp_status
client_view(const char *path, long status, const char *content_type, const char *body, size_t len,
            size_t pull_max, struct dp_error *err)
{
    if (status != 200)
        return problem_view(status, content_type, body, len, err);
    if (strcmp(content_type, "application/json") != 0)
        return dp_error_set(err, DP_EPROTO, NULL, "a 200 answer that is not JSON");
    enum dp_status st = DP_OK;
    if (strcmp(path, "/sync/v1/push") == 0) {
        struct sync_push_reply r;
        st = proto_parse_push(body, len, &r, err);
        sync_push_reply_done(&r);
    } else if (strcmp(path, "/sync/v1/pull") == 0) {
        struct sync_page p;
        st = proto_parse_pull(body, len, pull_max, &p, err);
        sync_page_done(&p);
    } else if (strcmp(path, "/sync/v1/hello") == 0) {
        struct proto_hello h;
        st = proto_parse_hello(body, len, &h, err);
    } else if (strcmp(path, "/sync/v1/login") == 0) {
        struct proto_login l;
        st = proto_parse_login(body, len, &l, err);
    }
    return st;
}
