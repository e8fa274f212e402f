#include "server/audit.h"

#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "server/db.h"

static const char *
nz(const char *s)
{
    return s ? s : "";
}

enum dp_status
audit_log(sqlite3 *db, const struct audit_entry *e, struct dp_error *err)
{
    sqlite3_stmt *st;
    enum dp_status s = db_prepare(db,
                                  "INSERT INTO audit(at, user_name, device_id, address, action, t,"
                                  " rid, detail) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                                  &st, err);
    if (s != DP_OK)
        return s;
    char now[32];
    db_now_text(now, sizeof now);
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, nz(e->user), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, nz(e->device), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, nz(e->address), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, nz(e->action), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, nz(e->t), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, nz(e->rid), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, nz(e->detail), -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        s = db_fail(db, rc, "audit", err);
    sqlite3_finalize(st);
    return s;
}

void
audit_admin_actor(char *buf, size_t bufsize)
{
    struct passwd pw, *res = NULL;
    char tmp[1024];
    if (getpwuid_r(getuid(), &pw, tmp, sizeof tmp, &res) == 0 && res)
        snprintf(buf, bufsize, "admin:%s", res->pw_name);
    else
        snprintf(buf, bufsize, "admin:uid%u", (unsigned)getuid());
}
