/*
 * Applying one pushed mutation (docs/PROTOCOL.md sections 7 and 8): scope
 * and role checks, the review and assignment flows, the three-way merge of
 * core/merge.h, tombstones and conflicts. Separate from HTTP and from the
 * batch bookkeeping (server/push.c) so it can be tested against a database.
 */
#ifndef DOORSTEP_SERVER_MUTATE_H
#define DOORSTEP_SERVER_MUTATE_H

#include <stdint.h>

#include <cJSON.h>
#include <sqlite3.h>

#include "core/date.h"
#include "core/status.h"
#include "server/scope.h"

struct mutate_ctx {
    sqlite3 *db;
    struct scope scope;   /* the pushing user */
    const char *device;   /* device id */
    struct dp_date today; /* for validation */
    uint64_t now_ms;      /* when the push arrived, for clamping HLCs */
};

/*
 * Apply the wire mutation `obj` (its envelope already checked) inside the
 * caller's write transaction. On DP_OK *result is a new object holding the
 * result members other than "mid" (status applied, merged, conflict,
 * duplicate or rejected, with v, reason, field, message, conflict_id...),
 * and the effects are written unless it was rejected. Any other status is a
 * database failure: the caller rolls the transaction back (a transient
 * failure, PROTOCOL.md 6.4), and *result is NULL.
 */
enum dp_status mutate_apply(const struct mutate_ctx *mc, const cJSON *obj, cJSON **result,
                            struct dp_error *err);

#endif
