/* Devices: one row per (user, device id) holding that mid stream's last_mid. */
#ifndef DOORSTEP_SERVER_DEVICES_H
#define DOORSTEP_SERVER_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/status.h"

/*
 * Read (user, device): *known false and *last_mid 0 when there is no row.
 * With `create`, a missing row is inserted (last_mid 0) and `app_version`
 * (may be NULL) is recorded; last_seen is updated either way when creating.
 */
enum dp_status devices_get(sqlite3 *db, int64_t user_id, const char *device_id, bool create,
                           const char *app_version, bool *known, int64_t *last_mid,
                           struct dp_error *err);

/* Set last_mid of an existing (user, device) row, inside the caller's transaction. */
enum dp_status devices_set_last_mid(sqlite3 *db, int64_t user_id, const char *device_id,
                                    int64_t last_mid, struct dp_error *err);

#endif
