/* Opening the cache: directory and file permissions, the key, pragmas, migrations. */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/i18n.h"
#include "store/internal.h"

/* The 16-byte header of every unencrypted SQLite database. */
static const char plain_sqlite_magic[16] = "SQLite format 3";

static enum dp_status
status_from_errno(int e)
{
    switch (e) {
    case ENOSPC:
    case EDQUOT:
        return DP_EFULL;
    case EROFS:
    case EACCES:
    case EPERM:
        return DP_EREADONLY;
    case ENOENT:
        return DP_ENOTFOUND;
    case ENOMEM:
        return DP_ENOMEM;
    default:
        return DP_EIO;
    }
}

static enum dp_status
errno_fail(int e, const char *path, const char *what, struct dp_error *err)
{
    return dp_error_set(err, status_from_errno(e), NULL, "%s: %s (%s)", path, what, strerror(e));
}

/* mkdir -p with mode 0700 for every directory it makes. */
static enum dp_status
make_dirs(const char *dir, struct dp_error *err)
{
    char buf[PATH_MAX];
    int n = snprintf(buf, sizeof buf, "%s", dir);
    if (n < 0 || (size_t)n >= sizeof buf)
        return dp_error_set(err, DP_EINVAL, "data_dir", _("the data directory path is too long"));
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return errno_fail(errno, buf, _("cannot create the directory"), err);
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return errno_fail(errno, buf, _("cannot create the directory"), err);
    return DP_OK;
}

/*
 * Others must not read the cache. A directory or file of ours with group or
 * world bits is tightened (the usual cause is a 022 umask when someone made
 * the directory by hand); one owned by another user is refused, as we could
 * neither fix it nor trust who else writes there.
 */
static enum dp_status
check_owner_mode(const char *path, const struct stat *sb, mode_t want, struct dp_error *err)
{
    if (sb->st_uid != geteuid())
        return dp_error_set(err, DP_EPERM, NULL,
                            _("%s belongs to another user; refusing to use it"), path);
    if ((sb->st_mode & 077) != 0 && chmod(path, want) != 0)
        return errno_fail(errno, path, _("cannot make it private"), err);
    return DP_OK;
}

static enum dp_status
prepare_dir(const char *dir, bool create, struct dp_error *err)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (errno != ENOENT || !create)
            return errno_fail(errno, dir, _("cannot open the data directory"), err);
        enum dp_status s = make_dirs(dir, err);
        if (s != DP_OK)
            return s;
        if (stat(dir, &sb) != 0)
            return errno_fail(errno, dir, _("cannot open the data directory"), err);
    }
    if (!S_ISDIR(sb.st_mode))
        return dp_error_set(err, DP_EINVAL, "data_dir", _("%s is not a directory"), dir);
    return check_owner_mode(dir, &sb, 0700, err);
}

/* A cache file or its -wal/-shm: a regular file of ours, 0600. *exists says if it is there. */
static enum dp_status
check_file(const char *path, bool *exists, off_t *size, struct dp_error *err)
{
    struct stat sb;
    *exists = false;
    if (size)
        *size = 0;
    if (lstat(path, &sb) != 0) {
        if (errno == ENOENT)
            return DP_OK;
        return errno_fail(errno, path, _("cannot inspect the file"), err);
    }
    *exists = true;
    if (!S_ISREG(sb.st_mode))
        return dp_error_set(err, DP_EPERM, NULL,
                            _("%s is not a regular file (a link or device); refusing to use it"),
                            path);
    if (size)
        *size = sb.st_size;
    return check_owner_mode(path, &sb, 0600, err);
}

static enum dp_status
check_sidecars(const char *path, struct dp_error *err)
{
    static const char *const suffixes[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char side[PATH_MAX + 16];
        bool exists;
        snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
        enum dp_status s = check_file(side, &exists, NULL, err);
        if (s != DP_OK)
            return s;
    }
    return DP_OK;
}

/*
 * Before keying: a plain SQLite database is a foreign file, not a wrong
 * passphrase; an encrypted cache is a whole number of pages, so any other
 * size means damage. Reading only; nothing is written.
 */
static enum dp_status
check_header(const char *path, off_t size, struct dp_error *err)
{
    char head[16];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno_fail(errno, path, _("cannot read the file"), err);
    ssize_t n = read(fd, head, sizeof head);
    int e = errno;
    close(fd);
    if (n < 0)
        return errno_fail(e, path, _("cannot read the file"), err);
    if (n == (ssize_t)sizeof head && memcmp(head, plain_sqlite_magic, sizeof head) == 0)
        return dp_error_set(err, DP_EPASSPHRASE, NULL,
                            _("%s is an unencrypted SQLite database, not a Doorstep cache"), path);
    if (size % STORE_PAGE_SIZE != 0)
        return dp_error_set(err, DP_ECORRUPT, NULL,
                            _("%s is damaged or not a Doorstep cache (truncated or foreign data)"),
                            path);
    return DP_OK;
}

static void
remove_created(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char side[PATH_MAX + 16];
        snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
        unlink(side);
    }
}

/* Key the connection and prove the key right before anything can be written. */
static enum dp_status
key_and_verify(struct store *st, const char *passphrase, struct dp_error *err)
{
    char sql[96];
    int rc = sqlite3_key(st->db, passphrase, (int)strlen(passphrase));
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "set the key", err);
    /* Pinned, not left to the library default, so a newer SQLCipher opens old caches. */
    snprintf(sql, sizeof sql, "PRAGMA cipher_page_size = %d; PRAGMA kdf_iter = %d", STORE_PAGE_SIZE,
             STORE_KDF_ITER);
    enum dp_status s = store_exec(st, sql, "set cipher parameters", err);
    if (s != DP_OK)
        return s;
    rc = sqlite3_exec(st->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    if ((rc & 0xff) == SQLITE_NOTADB)
        return dp_error_set(err, DP_EPASSPHRASE, "passphrase",
                            _("cannot open %s: wrong passphrase, or not a Doorstep cache"),
                            st->path);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "read the schema", err);
    return DP_OK;
}

static enum dp_status
set_pragmas(struct store *st, struct dp_error *err)
{
    char sql[256];
    int rc = sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "set busy timeout", err);
    snprintf(sql, sizeof sql,
             "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY;"
             " PRAGMA cache_size = -%d; PRAGMA synchronous = FULL;%s",
             STORE_CACHE_KIB, st->read_only ? " PRAGMA query_only = ON;" : "");
    enum dp_status s = store_exec(st, sql, "set pragmas", err);
    if (s != DP_OK || st->read_only)
        return s;

    sqlite3_stmt *stmt = NULL;
    s = store_prepare(st, "PRAGMA journal_mode = WAL", &stmt, err);
    if (s != DP_OK)
        return s;
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW)
        s = store_fail(st, rc, "switch to WAL", err);
    else if (strcmp(store_column_text(stmt, 0), "wal") != 0)
        s = dp_error_set(err, DP_EIO, NULL, "cache %s: cannot switch to WAL journal", st->path);
    sqlite3_finalize(stmt);
    return s;
}

static enum dp_status
read_version(struct store *st, struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    enum dp_status s = store_prepare(st, "PRAGMA user_version", &stmt, err);
    if (s != DP_OK)
        return s;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        st->version = sqlite3_column_int(stmt, 0);
    else
        s = store_fail(st, rc, "read schema version", err);
    sqlite3_finalize(stmt);
    return s;
}

enum dp_status
store_open_at(const char *dir, const char *passphrase, const struct store_options *opt,
              int max_version, struct store **out, struct dp_error *err)
{
    struct store *st = NULL;
    bool existed = false, created = false;
    off_t size = 0;
    enum dp_status s = DP_OK;
    /* Files SQLite creates (cache, -wal, -shm) must never be readable by others, even briefly. */
    mode_t old_umask = umask(077);

    if (out)
        *out = NULL;
    if (!dir || !*dir || !passphrase || !out) {
        s = dp_error_set(err, DP_EINVAL, NULL, "store_open: missing argument");
        goto out;
    }
    if (!*passphrase) {
        s = dp_error_set(err, DP_EINVAL, "passphrase", _("the passphrase must not be empty"));
        goto out;
    }
    /* The outbox hashes with libsodium; initialising it twice is harmless. */
    if (sodium_init() < 0) {
        s = dp_error_set(err, DP_EIO, NULL, "cannot initialise libsodium");
        goto out;
    }
    st = calloc(1, sizeof *st);
    if (!st) {
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    st->read_only = opt && opt->read_only;
    int n = snprintf(st->path, sizeof st->path, "%s/%s", dir, STORE_FILE_NAME);
    if (n < 0 || (size_t)n >= sizeof st->path) {
        s = dp_error_set(err, DP_EINVAL, "data_dir", _("the data directory path is too long"));
        goto out;
    }

    s = prepare_dir(dir, !st->read_only, err);
    if (s == DP_OK)
        s = check_file(st->path, &existed, &size, err);
    if (s == DP_OK)
        s = check_sidecars(st->path, err);
    if (s == DP_OK && existed && size > 0)
        s = check_header(st->path, size, err);
    if (s != DP_OK)
        goto out;
    /* Said plainly here: SQLite would report only "unable to open". */
    if (!existed && !st->read_only && access(dir, W_OK | X_OK) != 0) {
        s = errno_fail(errno, dir, _("cannot create the cache there"), err);
        goto out;
    }
    if (st->read_only && (!existed || size == 0)) {
        s = dp_error_set(err, DP_ENOTFOUND, NULL, _("%s: no cache yet"), st->path);
        goto out;
    }

    int flags = SQLITE_OPEN_FULLMUTEX |
                (st->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(st->path, &st->db, flags, NULL);
    created = !existed;
    if (rc != SQLITE_OK) {
        s = store_fail(st, rc, "open", err);
        goto out;
    }
    sqlite3_extended_result_codes(st->db, 1);

    s = key_and_verify(st, passphrase, err);
    if (s == DP_OK)
        s = read_version(st, err);
    if (s != DP_OK)
        goto out;

    int newest = store_migration_count();
    if (st->version > newest) {
        s = dp_error_set(err, DP_EVERSION, NULL,
                         _("%s was made by a newer Doorstep (schema %d; this one knows %d)"),
                         st->path, st->version, newest);
        goto out;
    }
    int target = max_version < 0 || max_version > newest ? newest : max_version;
    if (st->read_only && st->version < newest) {
        s = dp_error_set(err, DP_EREADONLY, NULL,
                         _("%s needs an upgrade; open it once without read-only"), st->path);
        goto out;
    }

    s = set_pragmas(st, err);
    if (s == DP_OK && st->version < target)
        s = store_migrate(st, target, err);
    if (s == DP_OK)
        s = check_sidecars(st->path, err);

out:
    if (s != DP_OK && st) {
        if (st->db)
            sqlite3_close_v2(st->db);
        if (created && st->path[0])
            remove_created(st->path);
        free(st);
        st = NULL;
    }
    umask(old_umask);
    if (st)
        *out = st;
    return s;
}

enum dp_status
store_open_with(const char *dir, const char *passphrase, const struct store_options *opt,
                struct store **out, struct dp_error *err)
{
    return store_open_at(dir, passphrase, opt, -1, out, err);
}

enum dp_status
store_open(const char *dir, const char *passphrase, struct store **out, struct dp_error *err)
{
    return store_open_at(dir, passphrase, NULL, -1, out, err);
}

void
store_close(struct store *st)
{
    if (!st)
        return;
    sqlite3_close_v2(st->db);
    free(st);
}

int
store_schema_version(struct store *st)
{
    return st ? st->version : 0;
}

sqlite3 *
store_db(struct store *st)
{
    return st ? st->db : NULL;
}

bool
store_exists(const char *dir)
{
    char path[PATH_MAX];
    struct stat sb;
    if (!dir)
        return false;
    int n = snprintf(path, sizeof path, "%s/%s", dir, STORE_FILE_NAME);
    if (n < 0 || (size_t)n >= sizeof path)
        return false;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0;
}
