#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_text[] = {
#define DP_STATUS_TEXT(name, text) text,
    DP_STATUS_LIST(DP_STATUS_TEXT)
#undef DP_STATUS_TEXT
};

static const char *const status_name[] = {
#define DP_STATUS_NAME(name, text) #name,
    DP_STATUS_LIST(DP_STATUS_NAME)
#undef DP_STATUS_NAME
};

const char *
dp_strerror(enum dp_status st)
{
    if ((unsigned)st >= DP_STATUS_COUNT)
        return "unknown error";
    return status_text[st];
}

const char *
dp_status_name(enum dp_status st)
{
    if ((unsigned)st >= DP_STATUS_COUNT)
        return "unknown";
    return status_name[st];
}

enum dp_status
dp_error_set(struct dp_error *err, enum dp_status code, const char *field, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    } else {
        snprintf(err->msg, sizeof err->msg, "%s", dp_strerror(code));
    }
    return code;
}

void
dp_error_clear(struct dp_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->code = DP_OK;
}
