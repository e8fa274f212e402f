#include "server/ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

struct slot {
    unsigned char key[16]; /* keyed hash of the key string: fixed size, no personal text kept */
    bool used;
    unsigned count;
    int64_t window_start;
};

struct ratelimit {
    pthread_mutex_t lock;
    struct slot *slots;
    size_t nslots;
    unsigned max_failures;
    unsigned window_s;
    unsigned char hkey[crypto_shorthash_KEYBYTES];
};

struct ratelimit *
ratelimit_new(size_t slots, unsigned max_failures, unsigned window_s)
{
    if (sodium_init() < 0 || slots == 0)
        return NULL;
    struct ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    rl->slots = calloc(slots, sizeof *rl->slots);
    if (!rl->slots) {
        free(rl);
        return NULL;
    }
    pthread_mutex_init(&rl->lock, NULL);
    rl->nslots = slots;
    rl->max_failures = max_failures;
    rl->window_s = window_s;
    randombytes_buf(rl->hkey, sizeof rl->hkey);
    return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl->slots);
    free(rl);
}

static void
digest(const struct ratelimit *rl, const char *key, unsigned char out[16])
{
    crypto_generichash(out, 16, (const unsigned char *)key, strlen(key), rl->hkey, sizeof rl->hkey);
}

/* The slot holding `d`, or NULL; probes a short run from the hashed position. */
static struct slot *
find(struct ratelimit *rl, const unsigned char d[16], bool create, int64_t now)
{
    size_t start;
    memcpy(&start, d, sizeof start);
    start %= rl->nslots;
    struct slot *victim = NULL;
    int vrank = 3; /* 0 free, 1 stale window, 2 live window (the oldest is evicted) */
    size_t probes = rl->nslots < 16 ? rl->nslots : 16;
    for (size_t i = 0; i < probes; i++) {
        struct slot *s = &rl->slots[(start + i) % rl->nslots];
        if (s->used && memcmp(s->key, d, 16) == 0)
            return s;
        int rank = !s->used ? 0 : now - s->window_start >= (int64_t)rl->window_s ? 1 : 2;
        if (rank < vrank || (rank == 2 && vrank == 2 && s->window_start < victim->window_start)) {
            victim = s;
            vrank = rank;
        }
    }
    if (!create)
        return NULL;
    memset(victim, 0, sizeof *victim);
    memcpy(victim->key, d, 16);
    victim->used = true;
    victim->window_start = now;
    return victim;
}

bool
ratelimit_blocked(struct ratelimit *rl, const char *key, int64_t now, int64_t *retry_after)
{
    unsigned char d[16];
    digest(rl, key, d);
    pthread_mutex_lock(&rl->lock);
    struct slot *s = find(rl, d, false, now);
    bool blocked = false;
    if (s) {
        int64_t end = s->window_start + rl->window_s;
        if (now >= end) {
            s->used = false;
        } else if (s->count >= rl->max_failures) {
            blocked = true;
            if (retry_after)
                *retry_after = end - now;
        }
    }
    pthread_mutex_unlock(&rl->lock);
    return blocked;
}

void
ratelimit_fail(struct ratelimit *rl, const char *key, int64_t now)
{
    unsigned char d[16];
    digest(rl, key, d);
    pthread_mutex_lock(&rl->lock);
    struct slot *s = find(rl, d, true, now);
    if (now - s->window_start >= (int64_t)rl->window_s) {
        s->window_start = now;
        s->count = 0;
    }
    s->count++;
    pthread_mutex_unlock(&rl->lock);
}

void
ratelimit_clear(struct ratelimit *rl, const char *key)
{
    unsigned char d[16];
    digest(rl, key, d);
    pthread_mutex_lock(&rl->lock);
    struct slot *s = find(rl, d, false, 0);
    if (s)
        s->used = false;
    pthread_mutex_unlock(&rl->lock);
}
