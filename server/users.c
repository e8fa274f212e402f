#include "server/users.h"

#include <stdio.h>
#include <string.h>

#include "core/schema.h"
#include "core/utf8.h"
#include "core/validate.h"
#include "server/db.h"

bool
users_role_valid(const char *role)
{
    return role && (strcmp(role, "worker") == 0 || strcmp(role, "supervisor") == 0);
}

enum dp_status
users_team_valid(const char *team, struct dp_error *err)
{
    const struct field_def *f = schema_field(&schema_household, "team");
    if (!team || !team[0])
        return dp_error_set(err, DP_EINVAL, "team", "team must not be empty");
    return validate_field(f, team, NULL, err);
}

enum dp_status
users_password_valid(const char *pw, struct dp_error *err)
{
    size_t n = strlen(pw);
    if (n < USER_PASSWORD_MIN)
        return dp_error_set(err, DP_EINVAL, "password", "password must have at least %d bytes",
                            USER_PASSWORD_MIN);
    if (n > USER_PASSWORD_MAX)
        return dp_error_set(err, DP_EINVAL, "password", "password must have at most %d bytes",
                            USER_PASSWORD_MAX);
    if (!utf8_valid(pw, n))
        return dp_error_set(err, DP_EINVAL, "password", "password is not valid UTF-8");
    for (const unsigned char *p = (const unsigned char *)pw; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return dp_error_set(err, DP_EINVAL, "password",
                                "password must not contain control characters");
    return DP_OK;
}

static enum dp_status
read_user(sqlite3 *db, sqlite3_stmt *st, struct user *out, char *pw_hash, size_t hashsize,
          struct dp_error *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        return dp_error_set(err, DP_ENOTFOUND, "user", "no such user");
    if (rc != SQLITE_ROW)
        return db_fail(db, rc, "users", err);
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    snprintf(out->name, sizeof out->name, "%s", db_text(st, 1));
    snprintf(out->role, sizeof out->role, "%s", db_text(st, 2));
    snprintf(out->team, sizeof out->team, "%s", db_text(st, 3));
    out->disabled = sqlite3_column_int(st, 5) != 0;
    if (pw_hash)
        snprintf(pw_hash, hashsize, "%s", db_text(st, 4));
    return DP_OK;
}

enum dp_status
users_get(sqlite3 *db, const char *name, struct user *out, char *pw_hash, size_t hashsize,
          struct dp_error *err)
{
    sqlite3_stmt *st;
    enum dp_status s = db_prepare(
        db, "SELECT id, name, role, team, pw_hash, disabled FROM users WHERE name = ?", &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    s = read_user(db, st, out, pw_hash, hashsize, err);
    sqlite3_finalize(st);
    return s;
}

enum dp_status
users_get_by_id(sqlite3 *db, int64_t id, struct user *out, struct dp_error *err)
{
    sqlite3_stmt *st;
    enum dp_status s = db_prepare(
        db, "SELECT id, name, role, team, pw_hash, disabled FROM users WHERE id = ?", &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    s = read_user(db, st, out, NULL, 0, err);
    sqlite3_finalize(st);
    return s;
}

enum dp_status
users_add(sqlite3 *db, const char *name, const char *role, const char *team, const char *pw_hash,
          struct user *out, struct dp_error *err)
{
    enum dp_status s = validate_username(name, "name", err);
    if (s != DP_OK)
        return s;
    if (!users_role_valid(role))
        return dp_error_set(err, DP_EINVAL, "role", "role must be worker or supervisor");
    if ((s = users_team_valid(team, err)) != DP_OK)
        return s;

    struct user existing;
    s = users_get(db, name, &existing, NULL, 0, err);
    if (s == DP_OK)
        return dp_error_set(err, DP_EEXIST, "name", "a user with this name already exists");
    if (s != DP_ENOTFOUND)
        return s;

    char now[32];
    db_now_text(now, sizeof now);
    sqlite3_stmt *st;
    s = db_prepare(db, "INSERT OR IGNORE INTO teams(name, created_at) VALUES(?, ?)", &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_text(st, 1, team, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, rc, "teams", err);

    s = db_prepare(db,
                   "INSERT INTO users(name, role, team, pw_hash, created_at) VALUES(?, ?, ?, ?, ?)",
                   &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, team, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, pw_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, rc, "users", err);
    if (out)
        return users_get(db, name, out, NULL, 0, err);
    return DP_OK;
}

enum dp_status
users_set_password(sqlite3 *db, int64_t id, const char *pw_hash, struct dp_error *err)
{
    sqlite3_stmt *st;
    enum dp_status s = db_prepare(db, "UPDATE users SET pw_hash = ? WHERE id = ?", &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_text(st, 1, pw_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, rc, "users", err);
    if (sqlite3_changes(db) == 0)
        return dp_error_set(err, DP_ENOTFOUND, "user", "no such user");
    s = db_prepare(db, "DELETE FROM tokens WHERE user_id = ?", &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DP_OK : db_fail(db, rc, "tokens", err);
}

enum dp_status
users_set_disabled(sqlite3 *db, int64_t id, bool disabled, struct dp_error *err)
{
    sqlite3_stmt *st;
    enum dp_status s = db_prepare(db, "UPDATE users SET disabled = ? WHERE id = ?", &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int(st, 1, disabled ? 1 : 0);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(db, rc, "users", err);
    if (!disabled)
        return DP_OK;
    s = db_prepare(db, "DELETE FROM tokens WHERE user_id = ?", &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DP_OK : db_fail(db, rc, "tokens", err);
}
