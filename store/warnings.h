/*
 * The household list's early-warning marker ("W"), kept in step with the
 * records. The marker is local bookkeeping (households._warning, never
 * synced): set when core/rules.h rules_warnings() finds at least one
 * warning for the household's working rows on `today`.
 *
 * The household screen refreshes it when a household is opened; a pulled
 * page refreshes it for every household the page touched, through the two
 * hooks below, so the list is right after a sync without opening anything.
 */
#ifndef DOORSTEP_STORE_WARNINGS_H
#define DOORSTEP_STORE_WARNINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "core/status.h"

struct store;
struct sync_page;

/*
 * Today for warnings computed without a screen: DOORSTEP_TODAY=YYYY-MM-DD
 * when set and valid (the pin the screens and their tests use), else the
 * local date.
 */
struct dp_date store_warnings_today(void);

/*
 * Recompute the warnings of one household from its working rows (the
 * household, its members and visits; tombstones ignored) with the default
 * policy, and set or clear its marker. Runs inside the caller's transaction
 * when there is one, and opens none itself. *count (may be NULL) gets the
 * number of warnings. DP_ENOTFOUND when the household is not held (nothing
 * written); storage failures as store_open.
 */
enum dp_status store_warnings_refresh(struct store *st, const char *household_id,
                                      const struct dp_date *today, size_t *count,
                                      struct dp_error *err);

/*
 * Hooks for store_sync_apply_page(), both inside its transaction:
 * store_warnings_note_page() before the changes are applied notes the
 * households the page touches (a put's household, a removed member's or
 * visit's household while it is still held, a conflict's household) in a
 * temporary table of this connection; store_warnings_refresh_noted() after
 * the changes refreshes each noted household still held (with
 * store_warnings_today()) and empties the table. A rolled-back page takes
 * its notes with it.
 */
enum dp_status store_warnings_note_page(struct store *st, const struct sync_page *page,
                                        struct dp_error *err);
enum dp_status store_warnings_refresh_noted(struct store *st, struct dp_error *err);

#endif
