/* The pull change feed (docs/PROTOCOL.md section 9), separate from HTTP for testing. */
#ifndef DOORSTEP_SERVER_PULL_H
#define DOORSTEP_SERVER_PULL_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>
#include <sqlite3.h>

#include "core/status.h"
#include "server/scope.h"

struct pull_request {
    const char *cursor;    /* NULL or the client's cursor */
    int64_t limit;         /* changes per page */
    int64_t max_bytes;     /* uncompressed size of the changes */
    const cJSON *digest;   /* NULL or {"household":{"n":..,"h":..},...}, shape already checked */
    const char *device_id; /* for last_mid */
};

/*
 * Read one page for scope s in one read transaction and serialise the whole
 * answer into *out (heap, NUL-terminated; *len its length). DP_EBUSY/DP_EIO
 * for database trouble.
 */
enum dp_status pull_page(sqlite3 *db, const struct scope *s, const struct pull_request *pr,
                         char **out, size_t *len, struct dp_error *err);

/* Lower-case hex SHA-256 of the ids of type t in scope (not deleted), sorted, each + "\n". */
enum dp_status pull_digest(sqlite3 *db, const struct scope *s, const char *t, int64_t *n,
                           char hex[65], struct dp_error *err);

#endif
