/*
 * Household assignment: who holds a household, and the history the pull
 * uses to send "out_of_scope" removes to whoever lost it and the whole
 * household to whoever gained it (docs/PROTOCOL.md 9.4).
 */
#ifndef DOORSTEP_SERVER_ASSIGN_H
#define DOORSTEP_SERVER_ASSIGN_H

#include <stdint.h>

#include <sqlite3.h>

#include "core/status.h"
#include "server/records.h"

/* Append an assignment event at sequence `seq` (the household write of the same change). */
enum dp_status assign_history_add(sqlite3 *db, const char *household_id, const char *from_user,
                                  const char *to_user, const char *from_team, const char *to_team,
                                  int64_t seq, const struct change_ctx *ctx, struct dp_error *err);

/*
 * Reassign an existing, not deleted household *hh (loaded) to `to_user`
 * ("" = unassigned) in team `to_team`, inside a write transaction: the
 * household gets a new version (assigned_to, team), its members, visits,
 * needs and conflicts move to new feed positions marked "scope", and the
 * event is added to the history. Nothing happens when nothing changes.
 */
enum dp_status assign_household(sqlite3 *db, struct srec *hh, const char *to_user,
                                const char *to_team, const struct change_ctx *ctx,
                                struct dp_error *err);

#endif
