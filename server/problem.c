#include "server/problem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "server/http.h"

static const struct {
    int status;
    const char *code;
    const char *title;
} problems[] = {
#define PROBLEM_ROW(name, status, code, title) {status, code, title},
    PROBLEM_LIST(PROBLEM_ROW)
#undef PROBLEM_ROW
};

int
problem_status(enum problem p)
{
    return (unsigned)p < PROB_COUNT ? problems[p].status : 500;
}

const char *
problem_code(enum problem p)
{
    return (unsigned)p < PROB_COUNT ? problems[p].code : "internal-error";
}

const char *
problem_title(enum problem p)
{
    return (unsigned)p < PROB_COUNT ? problems[p].title : "Internal server error";
}

void
problem_set(struct response *resp, enum problem p, const char *field, cJSON *extra, const char *fmt,
            ...)
{
    char detail[256] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof detail, fmt, ap);
        va_end(ap);
    }
    char type[96];
    snprintf(type, sizeof type, "urn:doorstep:problem:%s", problem_code(p));

    cJSON *o = cJSON_CreateObject();
    if (o) {
        /* Fixed members first, so a reader of logs sees them at once. */
        cJSON_AddItemToObject(o, "type", cJSON_CreateString(type));
        cJSON_AddItemToObject(o, "code", cJSON_CreateString(problem_code(p)));
        cJSON_AddItemToObject(o, "title", cJSON_CreateString(problem_title(p)));
        cJSON_AddItemToObject(o, "status", cJSON_CreateNumber(problem_status(p)));
        if (detail[0])
            cJSON_AddItemToObject(o, "detail", cJSON_CreateString(detail));
        if (field && field[0])
            cJSON_AddItemToObject(o, "field", cJSON_CreateString(field));
        while (extra && cJSON_IsObject(extra) && extra->child) {
            cJSON *item = cJSON_DetachItemViaPointer(extra, extra->child);
            cJSON_AddItemToObject(o, item->string, item);
        }
    }
    cJSON_Delete(extra);
    response_json(resp, problem_status(p), o);
    resp->content_type = "application/problem+json";
    switch (p) {
    case PROB_TOKEN_MISSING:
    case PROB_TOKEN_INVALID:
    case PROB_TOKEN_EXPIRED:
        resp->www_authenticate = true;
        break;
    case PROB_DEVICE_BUSY:
        snprintf(resp->retry_after, sizeof resp->retry_after, "2");
        break;
    case PROB_UNAVAILABLE:
        if (!resp->retry_after[0])
            snprintf(resp->retry_after, sizeof resp->retry_after, "5");
        break;
    case PROB_METHOD:
        break;
    default:
        break;
    }
}

void
problem_from_status(struct response *resp, enum dp_status st)
{
    switch (st) {
    case DP_EBUSY:
    case DP_EIO:
    case DP_EFULL:
    case DP_EREADONLY:
        problem_set(resp, PROB_UNAVAILABLE, NULL, NULL, "the database is busy or failing");
        break;
    case DP_ENOMEM:
        problem_set(resp, PROB_UNAVAILABLE, NULL, NULL, "the server is short of memory");
        break;
    default:
        problem_set(resp, PROB_INTERNAL, NULL, NULL, "%s", dp_status_name(st));
        break;
    }
}
