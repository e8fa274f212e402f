#include "server/db.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "server/buf.h"

/*
 * Bookkeeping tables, one entry per schema version. Never edit an entry that
 * has shipped: add a new one. Record tables are not here; see ensure_records().
 */
static const char *const migrations[] = {
    /* 1: users, devices, logs, the change feed */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT INTO counters VALUES('seq', 0);"
    "CREATE TABLE teams(name TEXT PRIMARY KEY, created_at TEXT NOT NULL);"
    "CREATE TABLE users("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL CHECK(role IN ('worker','supervisor')),"
    "  team TEXT NOT NULL REFERENCES teams(name),"
    "  pw_hash TEXT NOT NULL,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  created_at TEXT NOT NULL);"
    "CREATE TABLE tokens("
    "  hash TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  device_id TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL);"
    "CREATE INDEX tokens_user ON tokens(user_id);"
    "CREATE TABLE devices("
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  device_id TEXT NOT NULL,"
    "  last_mid INTEGER NOT NULL DEFAULT 0,"
    "  registered_at TEXT NOT NULL,"
    "  last_seen TEXT NOT NULL,"
    "  app_version TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY(user_id, device_id)) WITHOUT ROWID;"
    "CREATE TABLE mutation_log("
    "  user_id INTEGER NOT NULL,"
    "  device_id TEXT NOT NULL,"
    "  mid INTEGER NOT NULL,"
    "  mutation_id TEXT NOT NULL,"
    "  hash TEXT NOT NULL,"
    "  hlc TEXT NOT NULL,"
    "  op TEXT NOT NULL,"
    "  t TEXT NOT NULL,"
    "  rid TEXT NOT NULL,"
    "  payload TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  result TEXT NOT NULL,"
    "  received_at TEXT NOT NULL,"
    "  PRIMARY KEY(user_id, device_id, mid)) WITHOUT ROWID;"
    "CREATE INDEX mutation_log_status ON mutation_log(status);"
    /* The change feed keeps the newest entry per record (CouchDB by-seq). */
    "CREATE TABLE change_log("
    "  seq INTEGER PRIMARY KEY,"
    "  t TEXT NOT NULL,"
    "  rid TEXT NOT NULL,"
    "  household_id TEXT NOT NULL,"
    "  kind TEXT NOT NULL DEFAULT 'write',"
    "  UNIQUE(t, rid));"
    "CREATE INDEX change_log_household ON change_log(household_id, seq);"
    "CREATE TABLE versions("
    "  t TEXT NOT NULL, rid TEXT NOT NULL, v INTEGER NOT NULL, seq INTEGER NOT NULL,"
    "  at TEXT NOT NULL, user_name TEXT NOT NULL, device_id TEXT NOT NULL,"
    "  PRIMARY KEY(t, rid, v)) WITHOUT ROWID;"
    "CREATE TABLE assignment_history("
    "  seq INTEGER PRIMARY KEY,"
    "  household_id TEXT NOT NULL,"
    "  from_user TEXT NOT NULL, to_user TEXT NOT NULL,"
    "  from_team TEXT NOT NULL, to_team TEXT NOT NULL,"
    "  at TEXT NOT NULL, by_user TEXT NOT NULL, device_id TEXT NOT NULL);"
    "CREATE INDEX assignment_from_user ON assignment_history(from_user, seq);"
    "CREATE INDEX assignment_from_team ON assignment_history(from_team, seq);"
    "CREATE INDEX assignment_household ON assignment_history(household_id, seq);"
    "CREATE TABLE conflicts("
    "  id TEXT PRIMARY KEY,"
    "  t TEXT NOT NULL, rid TEXT NOT NULL, household_id TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK(kind IN ('field','delete_vs_edit','out_of_scope_edit')),"
    "  fields TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK(state IN ('open','resolved','auto_resolved')),"
    "  user_name TEXT NOT NULL, device_id TEXT NOT NULL, mid INTEGER NOT NULL,"
    "  v INTEGER NOT NULL,"
    "  opened_at TEXT NOT NULL,"
    "  resolved_by TEXT NOT NULL DEFAULT '', resolved_at TEXT NOT NULL DEFAULT '',"
    "  resolution TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX conflicts_record ON conflicts(t, rid);"
    "CREATE INDEX conflicts_household ON conflicts(household_id);"
    "CREATE TABLE audit("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL, user_name TEXT NOT NULL, device_id TEXT NOT NULL,"
    "  address TEXT NOT NULL, action TEXT NOT NULL,"
    "  t TEXT NOT NULL, rid TEXT NOT NULL, detail TEXT NOT NULL);"
    "CREATE TABLE idempotency("
    "  user_id INTEGER NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY(user_id, key)) WITHOUT ROWID;",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int
db_schema_version(void)
{
    return NMIGRATIONS;
}

void
db_now_text(char *buf, size_t bufsize)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, bufsize, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t
db_now(void)
{
    return (int64_t)time(NULL);
}

enum dp_status
db_fail(sqlite3 *db, int rc, const char *what, struct dp_error *err)
{
    enum dp_status st;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        st = DP_EBUSY;
        break;
    case SQLITE_NOMEM:
        st = DP_ENOMEM;
        break;
    case SQLITE_FULL:
        st = DP_EFULL;
        break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
        st = DP_EREADONLY;
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        st = DP_ECORRUPT;
        break;
    case SQLITE_CONSTRAINT:
        st = DP_EEXIST;
        break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        st = DP_EIO;
        break;
    default:
        st = DP_EIO;
        break;
    }
    /* sqlite3_errmsg names tables and constraints, never bound values. */
    return dp_error_set(err, st, NULL, "%s: %s", what,
                        db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

enum dp_status
db_exec(sqlite3 *db, const char *sql, struct dp_error *err)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? DP_OK : db_fail(db, rc, "database", err);
}

enum dp_status
db_begin_read(sqlite3 *db, struct dp_error *err)
{
    return db_exec(db, "BEGIN DEFERRED", err);
}

enum dp_status
db_begin_write(sqlite3 *db, struct dp_error *err)
{
    return db_exec(db, "BEGIN IMMEDIATE", err);
}

enum dp_status
db_commit(sqlite3 *db, struct dp_error *err)
{
    enum dp_status st = db_exec(db, "COMMIT", err);
    if (st != DP_OK)
        db_rollback(db);
    return st;
}

void
db_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

enum dp_status
db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct dp_error *err)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    if (rc != SQLITE_OK) {
        *st = NULL;
        return db_fail(db, rc, "prepare", err);
    }
    return DP_OK;
}

/* ---- statement cache ---------------------------------------------------------- */

#define STMT_CACHE_SIZE 256

static struct {
    sqlite3 *db;
    char *sql;
    sqlite3_stmt *st;
    bool in_use;
} stmt_cache[STMT_CACHE_SIZE];
static pthread_mutex_t stmt_cache_lock = PTHREAD_MUTEX_INITIALIZER;

enum dp_status
db_cached(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct dp_error *err)
{
    int free_slot = -1;
    pthread_mutex_lock(&stmt_cache_lock);
    for (int i = 0; i < STMT_CACHE_SIZE; i++) {
        if (!stmt_cache[i].db) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        if (stmt_cache[i].db == db && !stmt_cache[i].in_use &&
            strcmp(stmt_cache[i].sql, sql) == 0) {
            stmt_cache[i].in_use = true;
            *st = stmt_cache[i].st;
            pthread_mutex_unlock(&stmt_cache_lock);
            return DP_OK;
        }
    }
    if (free_slot >= 0) {
        stmt_cache[free_slot].db = db; /* reserve the slot while preparing */
        stmt_cache[free_slot].in_use = true;
    }
    pthread_mutex_unlock(&stmt_cache_lock);

    int rc =
        sqlite3_prepare_v3(db, sql, -1, free_slot >= 0 ? SQLITE_PREPARE_PERSISTENT : 0, st, NULL);
    char *copy = rc == SQLITE_OK && free_slot >= 0 ? strdup(sql) : NULL;
    if (free_slot >= 0) {
        pthread_mutex_lock(&stmt_cache_lock);
        if (copy) {
            stmt_cache[free_slot].sql = copy;
            stmt_cache[free_slot].st = *st;
        } else {
            stmt_cache[free_slot].db = NULL;
            stmt_cache[free_slot].in_use = false;
        }
        pthread_mutex_unlock(&stmt_cache_lock);
    }
    if (rc != SQLITE_OK) {
        *st = NULL;
        return db_fail(db, rc, "prepare", err);
    }
    return DP_OK;
}

void
db_cached_done(sqlite3_stmt *st)
{
    if (!st)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    pthread_mutex_lock(&stmt_cache_lock);
    for (int i = 0; i < STMT_CACHE_SIZE; i++) {
        if (stmt_cache[i].db && stmt_cache[i].st == st) {
            stmt_cache[i].in_use = false;
            pthread_mutex_unlock(&stmt_cache_lock);
            return;
        }
    }
    pthread_mutex_unlock(&stmt_cache_lock);
    sqlite3_finalize(st);
}

static void
cache_forget(sqlite3 *db)
{
    pthread_mutex_lock(&stmt_cache_lock);
    for (int i = 0; i < STMT_CACHE_SIZE; i++) {
        if (stmt_cache[i].db == db) {
            sqlite3_finalize(stmt_cache[i].st);
            free(stmt_cache[i].sql);
            memset(&stmt_cache[i], 0, sizeof stmt_cache[i]);
        }
    }
    pthread_mutex_unlock(&stmt_cache_lock);
}

const char *
db_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

enum dp_status
db_meta_get(sqlite3 *db, const char *key, char **out, struct dp_error *err)
{
    sqlite3_stmt *st;
    *out = NULL;
    enum dp_status s = db_prepare(db, "SELECT value FROM meta WHERE key = ?", &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = strdup(db_text(st, 0));
        if (!*out)
            s = DP_ENOMEM;
    } else if (rc != SQLITE_DONE) {
        s = db_fail(db, rc, "meta", err);
    }
    sqlite3_finalize(st);
    return s;
}

enum dp_status
db_meta_set(sqlite3 *db, const char *key, const char *value, struct dp_error *err)
{
    sqlite3_stmt *st;
    enum dp_status s =
        db_prepare(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        s = db_fail(db, rc, "meta", err);
    sqlite3_finalize(st);
    return s;
}

static void
random_hex(char *buf, size_t nhex)
{
    unsigned char raw[32];
    size_t nraw = nhex / 2 > sizeof raw ? sizeof raw : nhex / 2;
    randombytes_buf(raw, nraw);
    sodium_bin2hex(buf, nraw * 2 + 1, raw, nraw);
}

enum dp_status
db_new_epoch(sqlite3 *db, char *buf, size_t bufsize, struct dp_error *err)
{
    char e[DB_EPOCH_LEN + 1];
    random_hex(e, DB_EPOCH_LEN);
    enum dp_status st = db_meta_set(db, "epoch", e, err);
    if (st == DP_OK && buf)
        snprintf(buf, bufsize, "%s", e);
    return st;
}

enum dp_status
db_epoch(sqlite3 *db, char *buf, size_t bufsize, struct dp_error *err)
{
    char *e = NULL;
    enum dp_status st = db_meta_get(db, "epoch", &e, err);
    if (st == DP_OK && !e)
        st = dp_error_set(err, DP_ECORRUPT, NULL, "database has no epoch");
    if (st == DP_OK)
        snprintf(buf, bufsize, "%s", e);
    free(e);
    return st;
}

enum dp_status
db_next_seq(sqlite3 *db, int64_t *seq, struct dp_error *err)
{
    sqlite3_stmt *st;
    enum dp_status s = db_cached(
        db, "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value", &st, err);
    if (s != DP_OK)
        return s;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE)
        s = db_fail(db, rc, "sequence", err);
    db_cached_done(st);
    return s;
}

enum dp_status
db_max_seq(sqlite3 *db, int64_t *seq, struct dp_error *err)
{
    sqlite3_stmt *st;
    enum dp_status s = db_prepare(db, "SELECT value FROM counters WHERE name = 'seq'", &st, err);
    if (s != DP_OK)
        return s;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *seq = sqlite3_column_int64(st, 0);
    else
        s = db_fail(db, rc, "sequence", err);
    sqlite3_finalize(st);
    return s;
}

const char *
db_record_table(const struct record_def *def)
{
    return def->name;
}

static bool
plain_identifier(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static bool
table_has_column(sqlite3 *db, const char *table, const char *col)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT 1 FROM pragma_table_info('%s') WHERE name = ?", table);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, col, -1, SQLITE_STATIC);
    bool has = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return has;
}

/*
 * One table per record type, columns from core/schema.h: each field's value,
 * the version at which it last changed (__v) and that change's HLC (__h).
 * A field added to the schema later becomes a new column here.
 */
static enum dp_status
ensure_records(sqlite3 *db, struct dp_error *err)
{
    enum dp_status st = DP_OK;
    struct buf sql;
    buf_init(&sql, 1 << 16);
    for (size_t r = 0; schema_records[r] && st == DP_OK; r++) {
        const struct record_def *def = schema_records[r];
        const char *table = db_record_table(def);
        if (!plain_identifier(table))
            return dp_error_set(err, DP_EINVAL, NULL, "record type name is not an identifier");
        buf_reset(&sql);
        buf_addf(&sql,
                 "CREATE TABLE IF NOT EXISTS %s(id TEXT PRIMARY KEY,"
                 " _v INTEGER NOT NULL DEFAULT 0, _deleted INTEGER NOT NULL DEFAULT 0,"
                 " _cseq INTEGER NOT NULL DEFAULT 0, _created_at TEXT NOT NULL DEFAULT '',"
                 " _updated_at TEXT NOT NULL DEFAULT '', _updated_by TEXT NOT NULL DEFAULT '')",
                 table);
        st = db_exec(db, buf_cstr(&sql), err);
        for (size_t i = 0; i < def->nfields && st == DP_OK; i++) {
            const char *f = def->fields[i].name;
            if (strcmp(f, "id") == 0)
                continue;
            if (!plain_identifier(f)) {
                st = dp_error_set(err, DP_EINVAL, f, "field name is not an identifier");
                break;
            }
            if (table_has_column(db, table, f))
                continue;
            buf_reset(&sql);
            buf_addf(&sql,
                     "ALTER TABLE %s ADD COLUMN %s TEXT NOT NULL DEFAULT '';"
                     "ALTER TABLE %s ADD COLUMN %s__v INTEGER NOT NULL DEFAULT 0;"
                     "ALTER TABLE %s ADD COLUMN %s__h TEXT NOT NULL DEFAULT '';",
                     table, f, table, f, table, f);
            st = db_exec(db, buf_cstr(&sql), err);
        }
        if (st == DP_OK && def->parent_field >= 0) {
            buf_reset(&sql);
            buf_addf(&sql, "CREATE INDEX IF NOT EXISTS %s_household ON %s(household_id)", table,
                     table);
            st = db_exec(db, buf_cstr(&sql), err);
        }
    }
    if (st == DP_OK)
        st = db_exec(db,
                     "CREATE INDEX IF NOT EXISTS household_assigned ON household(assigned_to);"
                     "CREATE INDEX IF NOT EXISTS household_team ON household(team);",
                     err);
    buf_done(&sql);
    return st;
}

static enum dp_status
migrate(sqlite3 *db, struct dp_error *err)
{
    sqlite3_stmt *st;
    enum dp_status s = db_prepare(db, "PRAGMA user_version", &st, err);
    if (s != DP_OK)
        return s;
    int version = 0;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return db_fail(db, rc, "schema version", err);
    if (version > NMIGRATIONS)
        return dp_error_set(err, DP_EVERSION, NULL,
                            "database schema %d is newer than this server (%d)", version,
                            NMIGRATIONS);

    if ((s = db_begin_write(db, err)) != DP_OK)
        return s;
    for (int v = version; v < NMIGRATIONS && s == DP_OK; v++) {
        s = db_exec(db, migrations[v], err);
        if (s == DP_OK) {
            char pragma[48];
            snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
            s = db_exec(db, pragma, err);
        }
    }
    if (s == DP_OK)
        s = ensure_records(db, err);
    if (s == DP_OK) {
        char *e = NULL;
        s = db_meta_get(db, "epoch", &e, err);
        if (s == DP_OK && !e) {
            char now[32];
            db_now_text(now, sizeof now);
            s = db_new_epoch(db, NULL, 0, err);
            if (s == DP_OK)
                s = db_meta_set(db, "created_at", now, err);
        }
        free(e);
    }
    if (s == DP_OK)
        return db_commit(db, err);
    db_rollback(db);
    return s;
}

enum dp_status
db_open(const char *path, sqlite3 **out, struct dp_error *err)
{
    *out = NULL;
    if (sodium_init() < 0)
        return dp_error_set(err, DP_EIO, NULL, "libsodium could not start");
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(
        path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        enum dp_status s = db_fail(db, rc, "open database", err);
        sqlite3_close(db);
        return s;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_extended_result_codes(db, 1);
    enum dp_status s = db_exec(db,
                               "PRAGMA journal_mode = WAL;"
                               "PRAGMA synchronous = FULL;"
                               "PRAGMA foreign_keys = ON;"
                               "PRAGMA trusted_schema = OFF;",
                               err);
    if (s == DP_OK)
        s = migrate(db, err);
    if (s != DP_OK) {
        sqlite3_close(db);
        return s;
    }
    *out = db;
    return DP_OK;
}

void
db_close(sqlite3 *db)
{
    if (!db)
        return;
    cache_forget(db);
    sqlite3_close(db);
}

/* ---- restore detection ----------------------------------------------------- */

static void
hwm_path(const char *path, char *buf, size_t bufsize)
{
    snprintf(buf, bufsize, "%s.hwm", path);
}

static enum dp_status
write_hwm(const char *path, const char *epoch, int64_t seq, struct dp_error *err)
{
    /* Each writer its own temporary file: two threads may note at once. */
    static unsigned long counter;
    static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&counter_lock);
    unsigned long n = ++counter;
    pthread_mutex_unlock(&counter_lock);
    char file[4096], tmp[4200];
    hwm_path(path, file, sizeof file);
    snprintf(tmp, sizeof tmp, "%s.%ld.%lu.tmp", file, (long)getpid(), n);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return dp_error_set(err, DP_EIO, NULL, "cannot write %s: %s", tmp, strerror(errno));
    fprintf(f, "%s %" PRId64 "\n", epoch, seq);
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, file) != 0) {
        unlink(tmp);
        return dp_error_set(err, DP_EIO, NULL, "cannot write %s", file);
    }
    return DP_OK;
}

enum dp_status
db_note_hwm(sqlite3 *db, const char *path, struct dp_error *err)
{
    char epoch[DB_EPOCH_LEN + 1];
    int64_t seq = 0;
    enum dp_status st = db_epoch(db, epoch, sizeof epoch, err);
    if (st == DP_OK)
        st = db_max_seq(db, &seq, err);
    if (st == DP_OK)
        st = write_hwm(path, epoch, seq, err);
    return st;
}

enum dp_status
db_check_restored(sqlite3 *db, const char *path, bool *rotated, struct dp_error *err)
{
    *rotated = false;
    char file[4096];
    hwm_path(path, file, sizeof file);
    FILE *f = fopen(file, "r");
    if (f) {
        char seen_epoch[64] = "";
        int64_t seen_seq = 0;
        int n = fscanf(f, "%63s %" SCNd64, seen_epoch, &seen_seq);
        fclose(f);
        char epoch[DB_EPOCH_LEN + 1];
        int64_t seq = 0;
        enum dp_status st = db_epoch(db, epoch, sizeof epoch, err);
        if (st == DP_OK)
            st = db_max_seq(db, &seq, err);
        if (st != DP_OK)
            return st;
        if (n != 2 || strcmp(seen_epoch, epoch) != 0 || seq < seen_seq) {
            st = db_new_epoch(db, NULL, 0, err);
            if (st != DP_OK)
                return st;
            *rotated = true;
        }
    }
    return db_note_hwm(db, path, err);
}

/* ---- connection pool ------------------------------------------------------- */

struct db_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    unsigned size;
    sqlite3 **conns;
    bool *busy;
};

enum dp_status
db_pool_new(const char *path, unsigned size, struct db_pool **out, struct dp_error *err)
{
    *out = NULL;
    struct db_pool *p = calloc(1, sizeof *p);
    if (!p)
        return DP_ENOMEM;
    p->conns = calloc(size, sizeof *p->conns);
    p->busy = calloc(size, sizeof *p->busy);
    if (!p->conns || !p->busy) {
        free(p->conns);
        free(p->busy);
        free(p);
        return DP_ENOMEM;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    p->size = size;
    for (unsigned i = 0; i < size; i++) {
        enum dp_status st = db_open(path, &p->conns[i], err);
        if (st != DP_OK) {
            db_pool_free(p);
            return st;
        }
    }
    *out = p;
    return DP_OK;
}

void
db_pool_free(struct db_pool *p)
{
    if (!p)
        return;
    for (unsigned i = 0; i < p->size; i++)
        db_close(p->conns[i]);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->freed);
    free(p->conns);
    free(p->busy);
    free(p);
}

sqlite3 *
db_pool_get(struct db_pool *p)
{
    pthread_mutex_lock(&p->lock);
    for (;;) {
        for (unsigned i = 0; i < p->size; i++) {
            if (!p->busy[i]) {
                p->busy[i] = true;
                pthread_mutex_unlock(&p->lock);
                return p->conns[i];
            }
        }
        pthread_cond_wait(&p->freed, &p->lock);
    }
}

void
db_pool_put(struct db_pool *p, sqlite3 *db)
{
    if (!db)
        return;
    pthread_mutex_lock(&p->lock);
    for (unsigned i = 0; i < p->size; i++)
        if (p->conns[i] == db)
            p->busy[i] = false;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}
