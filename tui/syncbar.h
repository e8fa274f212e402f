/*
 * The sync part of the status line, in words: what the sync worker is
 * doing or did last, and what waits (edits to send, conflicts, refused
 * edits). Pure functions of the worker's status, the cache's sync status
 * and the clock, so they are unit-tested without a terminal or a server.
 */
#ifndef DOORSTEP_TUI_SYNCBAR_H
#define DOORSTEP_TUI_SYNCBAR_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "store/sync_store.h"
#include "sync/worker.h"

/*
 * True when a sync would be refused for want of a login: never logged in,
 * logged out, or a token past its expiry at `now`.
 */
bool syncbar_needs_login(const struct sync_status_info *info, time_t now);

/*
 * The state, translated, into buf: progress while a job runs ("Syncing:
 * received 120 changes, 3 pages, 45 KB"), else the outcome of the last job
 * of this session ("Synced 12:03, 3 sent, 120 received", or the reason it
 * failed in one line), else what the cache remembers ("Last synced
 * 2024-03-01 12:03", "Never synced", a login to make). `ws` is NULL when no
 * worker runs; `login_key` names the key that opens the login screen.
 * Times are shown in local time.
 */
void syncbar_state(const struct sync_worker_status *ws, const struct sync_status_info *info,
                   const char *login_key, time_t now, char *buf, size_t size);

/*
 * The same state in a few words, for a narrow status line: "Syncing...",
 * "Synced 12:03", "Sync failed: see P" (`problems_key` opens the problems
 * screen, which has the whole reason).
 */
void syncbar_state_brief(const struct sync_worker_status *ws, const struct sync_status_info *info,
                         const char *login_key, const char *problems_key, time_t now, char *buf,
                         size_t size);

/* What waits, translated: "To send: 2", then ", conflicts: 1" and ", refused: 1" when any. */
void syncbar_counts(const struct sync_status_info *info, char *buf, size_t size);

/* "2024-03-01T04:03:00Z" (UTC) as local "2024-03-01 12:03" into buf; "" when unreadable. */
void syncbar_local_time(const char *rfc3339, char *buf, size_t size);

#endif
