#include "server/scope.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "server/db.h"

void
scope_set(struct scope *s, int64_t user_id, const char *user, const char *role, const char *team)
{
    memset(s, 0, sizeof *s);
    s->user_id = user_id;
    snprintf(s->user, sizeof s->user, "%s", user);
    snprintf(s->team, sizeof s->team, "%s", team);
    s->supervisor = strcmp(role, "supervisor") == 0;
}

bool
scope_covers(const struct scope *s, const char *assigned_to, const char *team)
{
    if (s->supervisor)
        return team && team[0] && strcmp(team, s->team) == 0;
    return assigned_to && assigned_to[0] && strcmp(assigned_to, s->user) == 0;
}

bool
scope_sees(const struct scope *s, const struct srec *household)
{
    if (!household->exists)
        return false;
    return scope_covers(s, record_get(&household->rec, "assigned_to"),
                        record_get(&household->rec, "team"));
}

void
scope_hash(const struct scope *s, char *buf, size_t bufsize)
{
    char text[160];
    int n = snprintf(text, sizeof text, "%s\n%s\n%s", s->supervisor ? "supervisor" : "worker",
                     s->team, s->user);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text, (unsigned long long)n);
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(buf, bufsize, "%.*s", SCOPE_HASH_LEN, hex);
}

enum dp_status
scope_held_at(sqlite3 *db, const struct scope *s, const char *household_id, int64_t seq, bool *held,
              struct dp_error *err)
{
    *held = false;
    sqlite3_stmt *q;
    enum dp_status st = db_prepare(db,
                                   "SELECT to_user, to_team FROM assignment_history"
                                   " WHERE household_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
                                   &q, err);
    if (st != DP_OK)
        return st;
    sqlite3_bind_text(q, 1, household_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, seq);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *held = scope_covers(s, db_text(q, 0), db_text(q, 1));
    else if (rc != SQLITE_DONE)
        st = db_fail(db, rc, "assignment_history", err);
    sqlite3_finalize(q);
    return st;
}

enum dp_status
scope_ever_held(sqlite3 *db, const struct scope *s, const char *household_id, bool *held,
                struct dp_error *err)
{
    *held = false;
    sqlite3_stmt *q;
    enum dp_status st = db_prepare(db,
                                   s->supervisor ? "SELECT 1 FROM assignment_history WHERE"
                                                   " household_id = ? AND to_team = ? LIMIT 1"
                                                 : "SELECT 1 FROM assignment_history WHERE"
                                                   " household_id = ? AND to_user = ? LIMIT 1",
                                   &q, err);
    if (st != DP_OK)
        return st;
    sqlite3_bind_text(q, 1, household_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, s->supervisor ? s->team : s->user, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *held = true;
    else if (rc != SQLITE_DONE)
        st = db_fail(db, rc, "assignment_history", err);
    sqlite3_finalize(q);
    return st;
}
