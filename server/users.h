/* Users and teams of the server database. */
#ifndef DOORSTEP_SERVER_USERS_H
#define DOORSTEP_SERVER_USERS_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/status.h"

struct user {
    int64_t id;
    char name[40];
    char role[16]; /* "worker" or "supervisor" */
    char team[64];
    bool disabled;
};

#define USER_PASSWORD_MIN 8
#define USER_PASSWORD_MAX 128

/* True for the two roles. */
bool users_role_valid(const char *role);

/* Team names follow the household "team" field's rules (core/schema.h). */
enum dp_status users_team_valid(const char *team, struct dp_error *err);

/* A password an administrator may set: 8-128 bytes of UTF-8 without control characters. */
enum dp_status users_password_valid(const char *password, struct dp_error *err);

/*
 * Look a user up by name. pw_hash (may be NULL) receives the stored argon2id
 * string. DP_ENOTFOUND when there is no such user.
 */
enum dp_status users_get(sqlite3 *db, const char *name, struct user *out, char *pw_hash,
                         size_t hashsize, struct dp_error *err);
enum dp_status users_get_by_id(sqlite3 *db, int64_t id, struct user *out, struct dp_error *err);

/*
 * Add a user (and the team when new) inside the caller's write transaction,
 * with an already hashed password. DP_EEXIST when the name is taken;
 * DP_EINVAL for a bad name, role or team (err names which).
 */
enum dp_status users_add(sqlite3 *db, const char *name, const char *role, const char *team,
                         const char *pw_hash, struct user *out, struct dp_error *err);

/* Replace a user's password hash and revoke their tokens. */
enum dp_status users_set_password(sqlite3 *db, int64_t id, const char *pw_hash,
                                  struct dp_error *err);

/* Disable (revoking the user's tokens) or enable a user. */
enum dp_status users_set_disabled(sqlite3 *db, int64_t id, bool disabled, struct dp_error *err);

#endif
