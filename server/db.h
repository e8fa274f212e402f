/*
 * The server database: one SQLite file in WAL mode. Opening it creates or
 * migrates the schema (numbered migrations for the bookkeeping tables; the
 * record tables are generated from core/schema.h and gain a column when a
 * field is added there). The database has an epoch: a random id that is new
 * when the file is created and whenever the server finds it was restored.
 */
#ifndef DOORSTEP_SERVER_DB_H
#define DOORSTEP_SERVER_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/schema.h"
#include "core/status.h"

#define DB_EPOCH_LEN 16 /* hex characters */

/*
 * Open (creating when missing) the database at `path`, set WAL and the
 * connection pragmas, and bring the schema up to date. *out owns the handle
 * (db_close it). A file made by a newer server gives DP_EVERSION; a file that
 * is not a database DP_ECORRUPT; the file is then left as it was.
 */
enum dp_status db_open(const char *path, sqlite3 **out, struct dp_error *err);

/* Close; NULL is a no-op. */
void db_close(sqlite3 *db);

/* Map an SQLite result code to a dp_status and describe it in err (no values). */
enum dp_status db_fail(sqlite3 *db, int rc, const char *what, struct dp_error *err);

/* Run SQL with no parameters and no rows. */
enum dp_status db_exec(sqlite3 *db, const char *sql, struct dp_error *err);

/* Transactions. db_begin_write takes the write lock at once (BEGIN IMMEDIATE). */
enum dp_status db_begin_read(sqlite3 *db, struct dp_error *err);
enum dp_status db_begin_write(sqlite3 *db, struct dp_error *err);
enum dp_status db_commit(sqlite3 *db, struct dp_error *err);
void db_rollback(sqlite3 *db);

/* Prepare; on failure err is set and *st is NULL. */
enum dp_status db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct dp_error *err);

/*
 * A prepared statement kept for reuse on this connection, for SQL run very
 * often (record reads and writes). Give it back with db_cached_done, which
 * resets it and clears its bindings (a statement that was not cached, because
 * the same SQL was already in use or the cache was full, is finalised there).
 * db_close finalises the connection's cached statements.
 */
enum dp_status db_cached(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct dp_error *err);
void db_cached_done(sqlite3_stmt *st);

/* A column as text, "" for NULL. */
const char *db_text(sqlite3_stmt *st, int col);

/* meta table (text values). db_meta_get: *out malloc'd, NULL when absent. */
enum dp_status db_meta_get(sqlite3 *db, const char *key, char **out, struct dp_error *err);
enum dp_status db_meta_set(sqlite3 *db, const char *key, const char *value, struct dp_error *err);

/* The current epoch (DB_EPOCH_LEN hex + NUL into buf). */
enum dp_status db_epoch(sqlite3 *db, char *buf, size_t bufsize, struct dp_error *err);

/* Replace the epoch with a new random one (inside the caller's write transaction or alone). */
enum dp_status db_new_epoch(sqlite3 *db, char *buf, size_t bufsize, struct dp_error *err);

/*
 * Take the next change sequence number. Must be called inside a write
 * transaction; numbers are handed out in commit order because SQLite has a
 * single writer.
 */
enum dp_status db_next_seq(sqlite3 *db, int64_t *seq, struct dp_error *err);

/* The highest sequence number handed out so far (0 for a new database). */
enum dp_status db_max_seq(sqlite3 *db, int64_t *seq, struct dp_error *err);

/*
 * Restore detection. The server keeps "<path>.hwm" beside the database with
 * the epoch and the highest sequence it has seen. db_check_restored compares:
 * if the file's epoch differs or the database's sequence went backwards, the
 * database was restored or replaced, and a new epoch is made (*rotated =
 * true). It then records the current values. db_note_hwm just records them.
 */
enum dp_status db_check_restored(sqlite3 *db, const char *path, bool *rotated,
                                 struct dp_error *err);
enum dp_status db_note_hwm(sqlite3 *db, const char *path, struct dp_error *err);

/* UTC now as "YYYY-MM-DDTHH:MM:SSZ" (buf at least 21 bytes); and as Unix seconds. */
void db_now_text(char *buf, size_t bufsize);
int64_t db_now(void);

/* Number of schema migrations this build knows (the file's user_version after db_open). */
int db_schema_version(void);

/* Table of a record type: the record_def name, checked to be a plain identifier. */
const char *db_record_table(const struct record_def *def);

/* A pool of connections to one database for the server's worker threads. */
struct db_pool;

enum dp_status db_pool_new(const char *path, unsigned size, struct db_pool **out,
                           struct dp_error *err);
void db_pool_free(struct db_pool *p);
/* Borrow a connection, waiting for one to be free; give it back with db_pool_put. */
sqlite3 *db_pool_get(struct db_pool *p);
void db_pool_put(struct db_pool *p, sqlite3 *db);

#endif
