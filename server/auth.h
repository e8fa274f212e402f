/*
 * Passwords and bearer tokens. Passwords are stored as argon2id strings
 * (libsodium crypto_pwhash_str, "interactive" limits). Tokens are 256 random
 * bits shown once to the client; the database keeps only their SHA-256.
 */
#ifndef DOORSTEP_SERVER_AUTH_H
#define DOORSTEP_SERVER_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/status.h"

#define AUTH_HASH_MAX   128 /* >= crypto_pwhash_STRBYTES */
#define AUTH_TOKEN_MAX  64  /* token text incl. NUL */
#define AUTH_TOKEN_HASH 65  /* hex SHA-256 incl. NUL */

/* Hash a password into out (at least AUTH_HASH_MAX bytes). DP_ENOMEM if argon2 cannot get memory.
 */
enum dp_status auth_hash_password(const char *password, char *out, size_t outsize);

/*
 * True when `password` matches `hash`. With hash == NULL it checks against a
 * fixed dummy hash and returns false, so an unknown user costs the same time.
 */
bool auth_verify_password(const char *hash, const char *password);

/* A new token (text into token, its hex SHA-256 into hash_hex). */
void auth_token_new(char token[AUTH_TOKEN_MAX], char hash_hex[AUTH_TOKEN_HASH]);

/* Hex SHA-256 of a token as sent by a client. */
void auth_token_hash(const char *token, char hash_hex[AUTH_TOKEN_HASH]);

/* Store a token for (user, device) valid for ttl seconds from now. */
enum dp_status auth_token_store(sqlite3 *db, const char *hash_hex, int64_t user_id,
                                const char *device_id, int64_t ttl, struct dp_error *err);

enum auth_check {
    AUTH_VALID,
    AUTH_INVALID, /* unknown, revoked, malformed, or the user is disabled */
    AUTH_EXPIRED,
};

/*
 * Check a token (the text after "Bearer "). On AUTH_VALID, *user_id and
 * *expires_at are set. DB errors come back as a dp_status in *st.
 */
enum auth_check auth_token_check(sqlite3 *db, const char *token, int64_t *user_id,
                                 int64_t *expires_at, enum dp_status *st, struct dp_error *err);

/* Delete a token; deleting an unknown one is not an error. */
enum dp_status auth_token_revoke(sqlite3 *db, const char *hash_hex, struct dp_error *err);

/* Delete tokens that expired more than `grace` seconds ago. */
enum dp_status auth_token_purge(sqlite3 *db, int64_t grace, struct dp_error *err);

#endif
