/*
 * The running server's shared state and the protocol limits
 * (docs/PROTOCOL.md section 12). One struct server per process; handlers
 * receive it through struct request.
 */
#ifndef DOORSTEP_SERVER_SERVER_H
#define DOORSTEP_SERVER_SERVER_H

#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/status.h"

#define PROTOCOL_VERSION 1

#define LIMIT_SMALL_BODY         (16 * 1024)  /* login, logout, hello, pull */
#define LIMIT_PUSH_BODY          (256 * 1024) /* push, compressed and decompressed */
#define LIMIT_PUSH_MUTATIONS     200
#define LIMIT_PULL_DEFAULT       500
#define LIMIT_PULL_MAX           5000
#define LIMIT_PULL_BYTES_DEFAULT (256 * 1024)
#define LIMIT_PULL_BYTES_MIN     4096
#define LIMIT_PULL_BYTES_MAX     (4 * 1024 * 1024)
#define LIMIT_GZIP_MIN           1024 /* answers smaller than this go uncompressed */

#define LOGIN_MAX_PER_USER    5
#define LOGIN_MAX_PER_ADDRESS 20
#define LOGIN_WINDOW_S        (15 * 60)

#define TOKEN_TTL_DEFAULT (14 * 24 * 3600)
#define IDEMPOTENCY_TTL   (24 * 3600)

struct ratelimit;
struct db_pool;

struct server {
    char db_path[PATH_MAX];
    struct db_pool *pool;
    struct ratelimit *fail_user;
    struct ratelimit *fail_addr;
    sem_t pwhash_slots; /* argon2id takes 64 MiB; bound how many run at once */
    int64_t token_ttl;
    int64_t hwm_noted_at; /* last time <db>.hwm was written (guarded by lock) */
    pthread_mutex_t lock; /* guards the push lock set and hwm_noted_at */
    char (*pushing)[80];  /* "<user id>/<device id>" of pushes in progress */
    unsigned npushing, maxpushing;
};

/* Set up for `db_path`, with `threads` database connections. */
enum dp_status server_init(struct server *srv, const char *db_path, unsigned threads,
                           struct dp_error *err);
void server_done(struct server *srv);

/* Borrow / return a database connection. */
sqlite3 *server_db(struct server *srv);
void server_db_put(struct server *srv, sqlite3 *db);

/* Take the push lock of (user, device); false when another push holds it. */
bool server_push_lock(struct server *srv, int64_t user_id, const char *device_id);
void server_push_unlock(struct server *srv, int64_t user_id, const char *device_id);

/* After a write: record the high-water mark for restore detection, at most once a second. */
void server_note_write(struct server *srv, sqlite3 *db);

#endif
