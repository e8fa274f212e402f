/*
 * Who may see and change what (docs/PROTOCOL.md section 11). A worker's
 * scope is the households assigned to them; a supervisor's, every household
 * of their team. Children (members, visits, needs) and conflicts follow
 * their household. Every read and write asks these functions.
 */
#ifndef DOORSTEP_SERVER_SCOPE_H
#define DOORSTEP_SERVER_SCOPE_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/status.h"
#include "server/records.h"

#define SCOPE_HASH_LEN 16

struct scope {
    int64_t user_id;
    char user[40];
    char team[64];
    bool supervisor;
};

/* Fill a scope from a user's name, role and team. */
void scope_set(struct scope *s, int64_t user_id, const char *user, const char *role,
               const char *team);

/* True when a household with these assignment fields is in scope. */
bool scope_covers(const struct scope *s, const char *assigned_to, const char *team);

/* True when the (loaded, existing) household record is in scope. */
bool scope_sees(const struct scope *s, const struct srec *household);

/*
 * Hash of the scope's definition (role, team, user), not of the assignments:
 * it changes when the user's role or team changes. SCOPE_HASH_LEN hex + NUL.
 */
void scope_hash(const struct scope *s, char *buf, size_t bufsize);

/*
 * Whether the scope held household `household_id` at change sequence `seq`,
 * according to the assignment history (INT64_MAX: at any time). Households
 * with no history are held by nobody.
 */
enum dp_status scope_held_at(sqlite3 *db, const struct scope *s, const char *household_id,
                             int64_t seq, bool *held, struct dp_error *err);

/* Whether the scope ever held the household. */
enum dp_status scope_ever_held(sqlite3 *db, const struct scope *s, const char *household_id,
                               bool *held, struct dp_error *err);

#endif
