/*
 * The outbox write path: every local edit becomes one entry with the next
 * gapless mid, a mutation id, a hybrid logical clock value and a hash, in
 * the caller's transaction (protocol.md 8.7, docs/PROTOCOL.md 6).
 */
#include "store/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

/* Parse "PPPPPPPPPPPPPPPP.CCCC.NNNNNNNN"; false when it is not that shape. */
static bool
hlc_parse(const char *s, uint64_t *phys, unsigned *counter)
{
    char *end;
    if (!s || strlen(s) < 22 || s[16] != '.' || s[21] != '.')
        return false;
    *phys = strtoull(s, &end, 16);
    if (end != s + 16)
        return false;
    unsigned long c = strtoul(s + 17, &end, 16);
    if (end != s + 21)
        return false;
    *counter = (unsigned)c;
    return true;
}

enum dp_status
store_hlc_next(struct store *st, char *buf, size_t bufsize, struct dp_error *err)
{
    char *last = NULL, *device = NULL;
    uint64_t phys = 0;
    unsigned counter = 0;
    enum dp_status s = store_meta_get(st, "hlc_last", &last, err);
    if (s == DP_OK)
        s = store_meta_get(st, "device_id", &device, err);
    if (s != DP_OK)
        goto out;

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t now = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    uint64_t last_phys = 0;
    unsigned last_counter = 0;
    /*
     * Never go backwards, even when the clock does (a laptop whose battery
     * died comes back in 1970 or in 2019): the counter moves on instead.
     */
    if (hlc_parse(last, &last_phys, &last_counter) && last_phys >= now) {
        phys = last_phys;
        counter = last_counter + 1;
        if (counter > 0xffff) {
            phys++;
            counter = 0;
        }
    } else {
        phys = now;
        counter = 0;
    }
    /* The node part tells two devices' clocks apart: the first 8 hex digits of device_id. */
    snprintf(buf, bufsize, "%016" PRIx64 ".%04x.%.8s", phys, counter,
             device && strlen(device) >= 8 ? device : "00000000");
    s = store_meta_set(st, "hlc_last", buf, err);
out:
    free(last);
    free(device);
    return s;
}

/*
 * "sha256:" + hex of the canonical mutation JSON: the compact cJSON print of
 * {"mid","id","hlc","op","t","rid","base_v","base","set"} in that order,
 * absent members left out, record fields in schema order. The server only
 * compares it byte for byte with what the same mid sent before.
 */
static enum dp_status
mutation_hash(int64_t mid, const char *mutation_id, const char *hlc, const struct outbox_entry *e,
              char *out, size_t outsize)
{
    enum dp_status s = DP_ENOMEM;
    char *text = NULL;
    cJSON *obj = cJSON_CreateObject();
    if (!obj || !cJSON_AddNumberToObject(obj, "mid", (double)mid) ||
        !cJSON_AddStringToObject(obj, "id", mutation_id) ||
        !cJSON_AddStringToObject(obj, "hlc", hlc) || !cJSON_AddStringToObject(obj, "op", e->op) ||
        !cJSON_AddStringToObject(obj, "t", e->t) || !cJSON_AddStringToObject(obj, "rid", e->rid))
        goto out;
    if (e->base_v >= 0 && !cJSON_AddNumberToObject(obj, "base_v", (double)e->base_v))
        goto out;
    /* References: the entry keeps ownership of base and set. */
    if (e->base && !cJSON_AddItemReferenceToObject(obj, "base", e->base))
        goto out;
    if (e->set && !cJSON_AddItemReferenceToObject(obj, "set", e->set))
        goto out;
    text = cJSON_PrintUnformatted(obj);
    if (!text)
        goto out;

    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)text, strlen(text));
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    snprintf(out, outsize, "sha256:%s", hex);
    s = DP_OK;
out:
    free(text);
    cJSON_Delete(obj);
    return s;
}

enum dp_status
store_outbox_append(struct store *st, const struct outbox_entry *e, int64_t *mid_out,
                    struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char *user = NULL, *base_json = NULL, *set_json = NULL;
    char mutation_id[40], hlc[64], hash[80], now[32];
    int64_t mid = 0;

    enum dp_status s = store_meta_get_int(st, "next_mid", 1, &mid, err);
    if (s == DP_OK)
        s = store_meta_get(st, "user_id", &user, err);
    if (s == DP_OK)
        s = store_hlc_next(st, hlc, sizeof hlc, err);
    if (s != DP_OK)
        goto out;
    if (mid < 1)
        mid = 1;
    record_new_id(mutation_id, sizeof mutation_id);
    store_utc_now(now, sizeof now);

    if ((e->base && !(base_json = cJSON_PrintUnformatted(e->base))) ||
        (e->set && !(set_json = cJSON_PrintUnformatted(e->set))) ||
        mutation_hash(mid, mutation_id, hlc, e, hash, sizeof hash) != DP_OK) {
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }

    s = store_prepare(st,
                      "INSERT INTO outbox(mid, mutation_id, hash, user_id, t, rid, op, base_v,"
                      " base_json, set_json, hlc, created_at, state, hid)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'pending', ?13)",
                      &stmt, err);
    if (s != DP_OK)
        goto out;
    sqlite3_bind_int64(stmt, 1, mid);
    store_bind_text(stmt, 2, mutation_id);
    store_bind_text(stmt, 3, hash);
    store_bind_text(stmt, 4, user ? user : "");
    store_bind_text(stmt, 5, e->t);
    store_bind_text(stmt, 6, e->rid);
    store_bind_text(stmt, 7, e->op);
    if (e->base_v >= 0)
        sqlite3_bind_int64(stmt, 8, e->base_v);
    else
        sqlite3_bind_null(stmt, 8);
    store_bind_text(stmt, 9, base_json);
    store_bind_text(stmt, 10, set_json);
    store_bind_text(stmt, 11, hlc);
    store_bind_text(stmt, 12, now);
    store_bind_text(stmt, 13, e->hid ? e->hid : "");
    s = store_step_done(st, stmt, "add to outbox", err);
    /* Same transaction as the entry: a rollback gives the mid back, so mids stay gapless. */
    if (s == DP_OK)
        s = store_meta_set_int(st, "next_mid", mid + 1, err);
    if (s == DP_OK && mid_out)
        *mid_out = mid;
out:
    sqlite3_finalize(stmt);
    free(user);
    free(base_json);
    free(set_json);
    return s;
}
