#include "server/server.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/db.h"
#include "server/ratelimit.h"

enum dp_status
server_init(struct server *srv, const char *db_path, unsigned threads, struct dp_error *err)
{
    memset(srv, 0, sizeof *srv);
    snprintf(srv->db_path, sizeof srv->db_path, "%s", db_path);
    srv->token_ttl = TOKEN_TTL_DEFAULT;
    pthread_mutex_init(&srv->lock, NULL);
    sem_init(&srv->pwhash_slots, 0, 2);
    srv->fail_user = ratelimit_new(8192, LOGIN_MAX_PER_USER, LOGIN_WINDOW_S);
    srv->fail_addr = ratelimit_new(8192, LOGIN_MAX_PER_ADDRESS, LOGIN_WINDOW_S);
    srv->maxpushing = threads * 4 + 16;
    srv->pushing = calloc(srv->maxpushing, sizeof *srv->pushing);
    if (!srv->fail_user || !srv->fail_addr || !srv->pushing) {
        server_done(srv);
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    enum dp_status st = db_pool_new(db_path, threads, &srv->pool, err);
    if (st != DP_OK)
        server_done(srv);
    return st;
}

void
server_done(struct server *srv)
{
    db_pool_free(srv->pool);
    ratelimit_free(srv->fail_user);
    ratelimit_free(srv->fail_addr);
    free(srv->pushing);
    sem_destroy(&srv->pwhash_slots);
    pthread_mutex_destroy(&srv->lock);
    memset(srv, 0, sizeof *srv);
}

sqlite3 *
server_db(struct server *srv)
{
    return db_pool_get(srv->pool);
}

void
server_db_put(struct server *srv, sqlite3 *db)
{
    db_pool_put(srv->pool, db);
}

static void
push_key(char *buf, size_t bufsize, int64_t user_id, const char *device_id)
{
    snprintf(buf, bufsize, "%" PRId64 "/%s", user_id, device_id);
}

bool
server_push_lock(struct server *srv, int64_t user_id, const char *device_id)
{
    char key[80];
    push_key(key, sizeof key, user_id, device_id);
    bool ok = true;
    pthread_mutex_lock(&srv->lock);
    for (unsigned i = 0; i < srv->npushing && ok; i++)
        ok = strcmp(srv->pushing[i], key) != 0;
    /* More pushes at once than slots cannot happen with a bounded thread pool; refuse anyway. */
    if (ok && srv->npushing == srv->maxpushing)
        ok = false;
    if (ok)
        snprintf(srv->pushing[srv->npushing++], sizeof srv->pushing[0], "%s", key);
    pthread_mutex_unlock(&srv->lock);
    return ok;
}

void
server_push_unlock(struct server *srv, int64_t user_id, const char *device_id)
{
    char key[80];
    push_key(key, sizeof key, user_id, device_id);
    pthread_mutex_lock(&srv->lock);
    for (unsigned i = 0; i < srv->npushing; i++) {
        if (strcmp(srv->pushing[i], key) == 0) {
            srv->npushing--;
            if (i != srv->npushing)
                memcpy(srv->pushing[i], srv->pushing[srv->npushing], sizeof srv->pushing[0]);
            break;
        }
    }
    pthread_mutex_unlock(&srv->lock);
}

void
server_note_write(struct server *srv, sqlite3 *db)
{
    int64_t now = db_now();
    pthread_mutex_lock(&srv->lock);
    bool due = now != srv->hwm_noted_at;
    if (due)
        srv->hwm_noted_at = now;
    pthread_mutex_unlock(&srv->lock);
    if (due)
        db_note_hwm(db, srv->db_path, NULL);
}
