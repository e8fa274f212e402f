/* Talking to SQLite: error mapping, statements, transactions. */
#include "store/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/i18n.h"

enum dp_status
store_status_from_sqlite(int rc, int sys_errno)
{
    switch (sys_errno) {
    case ENOSPC:
    case EDQUOT:
        return DP_EFULL;
    case EROFS:
    case EACCES:
    case EPERM:
        if ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN ||
            (rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_PERM)
            return DP_EREADONLY;
        break;
    default:
        break;
    }
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return DP_OK;
    case SQLITE_FULL:
        return DP_EFULL;
    case SQLITE_READONLY:
    case SQLITE_PERM:
        return DP_EREADONLY;
    case SQLITE_CORRUPT:
        return DP_ECORRUPT;
    case SQLITE_NOTADB:
        return DP_EPASSPHRASE;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DP_EBUSY;
    case SQLITE_NOMEM:
        return DP_ENOMEM;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
        return DP_EINVAL;
    case SQLITE_TOOBIG:
        return DP_ETOOBIG;
    case SQLITE_INTERRUPT:
        return DP_ECANCELED;
    default:
        return DP_EIO;
    }
}

/*
 * SQLite reports a -wal or -shm it could not create as a bare CANTOPEN, its
 * errno often lost by then; the usual cause is a directory we may not write.
 */
static bool
cannot_write_beside(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return access(".", W_OK) != 0;
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    return access(dir, W_OK) != 0 || (access(path, F_OK) == 0 && access(path, W_OK) != 0);
}

enum dp_status
store_fail(struct store *st, int rc, const char *what, struct dp_error *err)
{
    int sys = st && st->db ? sqlite3_system_errno(st->db) : 0;
    enum dp_status code = store_status_from_sqlite(rc, sys);
    if (code == DP_EIO && (rc & 0xff) == SQLITE_CANTOPEN && st && cannot_write_beside(st->path))
        code = DP_EREADONLY;
    const char *path = st ? st->path : "?";
    /*
     * sqlite3_errmsg names tables, columns and constraints, never bound
     * values, so it is safe to show; every value reaches SQLite as a parameter.
     */
    const char *detail = st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
    switch (code) {
    case DP_EFULL:
        return dp_error_set(err, code, NULL, _("cache %s: disk is full (%s)"), path, what);
    case DP_EREADONLY:
        return dp_error_set(err, code, NULL, _("cache %s: read-only file, directory or disk (%s)"),
                            path, what);
    case DP_ECORRUPT:
        return dp_error_set(err, code, NULL, _("cache %s: the file is damaged (%s)"), path, what);
    case DP_EBUSY:
        return dp_error_set(err, code, NULL, _("cache %s: in use by another program (%s)"), path,
                            what);
    default:
        return dp_error_set(err, code, NULL, "cache %s: %s: %s", path, what, detail);
    }
}

enum dp_status
store_exec(struct store *st, const char *sql, const char *what, struct dp_error *err)
{
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, what, err);
    return DP_OK;
}

enum dp_status
store_prepare(struct store *st, const char *sql, sqlite3_stmt **stmt, struct dp_error *err)
{
    *stmt = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(*stmt);
        *stmt = NULL;
        return store_fail(st, rc, "prepare", err);
    }
    return DP_OK;
}

enum dp_status
store_step_done(struct store *st, sqlite3_stmt *stmt, const char *what, struct dp_error *err)
{
    int rc = sqlite3_step(stmt);
    enum dp_status s = DP_OK;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        s = store_fail(st, rc, what, err);
    sqlite3_reset(stmt);
    return s;
}

int
store_bind_text(sqlite3_stmt *stmt, int idx, const char *s)
{
    if (!s)
        return sqlite3_bind_null(stmt, idx);
    return sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT);
}

const char *
store_column_text(sqlite3_stmt *stmt, int col)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);
    return s ? (const char *)s : "";
}

enum dp_status
store_begin(struct store *st, struct dp_error *err)
{
    return store_exec(st, "BEGIN IMMEDIATE", "begin transaction", err);
}

enum dp_status
store_commit(struct store *st, struct dp_error *err)
{
    int rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        enum dp_status s = store_fail(st, rc, "commit", err);
        store_rollback(st);
        return s;
    }
    return DP_OK;
}

void
store_rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

void
sqlbuf_init(struct sqlbuf *b)
{
    b->buf[0] = '\0';
    b->len = 0;
    b->overflow = false;
}

void
sqlbuf_add(struct sqlbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->overflow || b->len + n >= sizeof b->buf) {
        b->overflow = true;
        return;
    }
    memcpy(b->buf + b->len, s, n + 1);
    b->len += n;
}

void
store_utc_now(char *buf, size_t bufsize)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || strftime(buf, bufsize, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, bufsize, "1970-01-01T00:00:00Z");
}
