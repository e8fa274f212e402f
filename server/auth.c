#include "server/auth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server/db.h"

#define TOKEN_PREFIX "dst1_"

enum dp_status
auth_hash_password(const char *password, char *out, size_t outsize)
{
    char tmp[crypto_pwhash_STRBYTES];
    if (outsize < sizeof tmp || sodium_init() < 0)
        return DP_EINVAL;
    if (crypto_pwhash_str(tmp, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return DP_ENOMEM;
    snprintf(out, outsize, "%s", tmp);
    sodium_memzero(tmp, sizeof tmp);
    return DP_OK;
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];

static void
make_dummy(void)
{
    unsigned char r[16];
    char pw[33];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(pw, sizeof pw, r, sizeof r);
    if (auth_hash_password(pw, dummy_hash, sizeof dummy_hash) != DP_OK)
        dummy_hash[0] = '\0';
}

bool
auth_verify_password(const char *hash, const char *password)
{
    if (sodium_init() < 0)
        return false;
    if (!hash || !hash[0]) {
        pthread_once(&dummy_once, make_dummy);
        /* Spend the same time as a real check; the answer is no either way. */
        if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
            return false;
        return false;
    }
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void
auth_token_hash(const char *token, char hash_hex[AUTH_TOKEN_HASH])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(hash_hex, AUTH_TOKEN_HASH, h, sizeof h);
}

void
auth_token_new(char token[AUTH_TOKEN_MAX], char hash_hex[AUTH_TOKEN_HASH])
{
    unsigned char r[32];
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    if (sodium_init() < 0)
        abort(); /* no randomness: nothing safe to hand out */
    randombytes_buf(r, sizeof r);
    sodium_bin2base64(b64, sizeof b64, r, sizeof r, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(token, AUTH_TOKEN_MAX, TOKEN_PREFIX "%s", b64);
    auth_token_hash(token, hash_hex);
    sodium_memzero(r, sizeof r);
}

enum dp_status
auth_token_store(sqlite3 *db, const char *hash_hex, int64_t user_id, const char *device_id,
                 int64_t ttl, struct dp_error *err)
{
    sqlite3_stmt *st;
    enum dp_status s = db_prepare(db,
                                  "INSERT INTO tokens(hash, user_id, device_id, created_at,"
                                  " expires_at) VALUES(?, ?, ?, ?, ?)",
                                  &st, err);
    if (s != DP_OK)
        return s;
    int64_t now = db_now();
    sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_text(st, 3, device_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, now + ttl);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DP_OK : db_fail(db, rc, "tokens", err);
}

/* A token as we hand them out: the prefix and 43 base64url characters. */
static bool
token_shape_ok(const char *token)
{
    size_t plen = strlen(TOKEN_PREFIX);
    if (strncmp(token, TOKEN_PREFIX, plen) != 0 || strlen(token) != plen + 43)
        return false;
    for (const char *p = token + plen; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

enum auth_check
auth_token_check(sqlite3 *db, const char *token, int64_t *user_id, int64_t *expires_at,
                 enum dp_status *st, struct dp_error *err)
{
    *st = DP_OK;
    if (!token || !token_shape_ok(token))
        return AUTH_INVALID;
    char hash[AUTH_TOKEN_HASH];
    auth_token_hash(token, hash);
    sqlite3_stmt *q;
    *st = db_prepare(db,
                     "SELECT t.user_id, t.expires_at, u.disabled FROM tokens t"
                     " JOIN users u ON u.id = t.user_id WHERE t.hash = ?",
                     &q, err);
    if (*st != DP_OK)
        return AUTH_INVALID;
    sqlite3_bind_text(q, 1, hash, -1, SQLITE_STATIC);
    enum auth_check res = AUTH_INVALID;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        int64_t exp = sqlite3_column_int64(q, 1);
        if (sqlite3_column_int(q, 2) != 0) {
            res = AUTH_INVALID;
        } else if (exp <= db_now()) {
            res = AUTH_EXPIRED;
        } else {
            res = AUTH_VALID;
            *user_id = sqlite3_column_int64(q, 0);
            *expires_at = exp;
        }
    } else if (rc != SQLITE_DONE) {
        *st = db_fail(db, rc, "tokens", err);
    }
    sqlite3_finalize(q);
    return res;
}

enum dp_status
auth_token_revoke(sqlite3 *db, const char *hash_hex, struct dp_error *err)
{
    sqlite3_stmt *st;
    enum dp_status s = db_prepare(db, "DELETE FROM tokens WHERE hash = ?", &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DP_OK : db_fail(db, rc, "tokens", err);
}

enum dp_status
auth_token_purge(sqlite3 *db, int64_t grace, struct dp_error *err)
{
    sqlite3_stmt *st;
    enum dp_status s = db_prepare(db, "DELETE FROM tokens WHERE expires_at < ?", &st, err);
    if (s != DP_OK)
        return s;
    sqlite3_bind_int64(st, 1, db_now() - grace);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? DP_OK : db_fail(db, rc, "tokens", err);
}
