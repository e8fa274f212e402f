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

#include "core/hlc.h"
#include "core/mutation.h"

/* The HLC node names the device; the first 8 hex digits of device_id keep stamps short. */
static void
hlc_node_of(const char *device, char *node, size_t nodesize)
{
    if (device && strlen(device) >= 8)
        snprintf(node, nodesize, "%.8s", device);
    else
        snprintf(node, nodesize, "local");
}

enum dp_status
store_hlc_next(struct store *st, struct hlc *out, struct dp_error *err)
{
    char *last = NULL, *device = NULL;
    enum dp_status s = store_meta_get(st, "hlc_last", &last, err);
    if (s == DP_OK)
        s = store_meta_get(st, "device_id", &device, err);
    if (s != DP_OK)
        goto out;

    char node[16];
    hlc_node_of(device, node, sizeof node);
    struct hlc_clock clock;
    /*
     * A damaged hlc_last only costs ordering against the old stamps: start a
     * fresh clock rather than refuse the user's edit.
     */
    if (hlc_clock_init(&clock, node, last, NULL) != DP_OK &&
        hlc_clock_init(&clock, node, NULL, err) != DP_OK) {
        s = err ? err->code : DP_EINVAL;
        goto out;
    }
    hlc_tick(&clock, hlc_wall_ms(), out);
    char text[HLC_STR_SIZE];
    hlc_format(out, text, sizeof text);
    s = store_meta_set(st, "hlc_last", text, err);
out:
    free(last);
    free(device);
    return s;
}

/*
 * Copy the members of a wire-form object (record_to_json shape) into one part
 * of the mutation as canonical strings, so that the hash is core's
 * mutation_hash() over exactly what will be pushed.
 */
static enum dp_status
put_part(struct mutation *m, enum mutation_part part, const cJSON *obj, struct dp_error *err)
{
    if (!obj)
        return DP_OK;
    struct record tmp;
    enum dp_status s = record_init(&tmp, m->def);
    if (s == DP_OK)
        s = record_from_json(&tmp, obj, err);
    for (const cJSON *it = obj->child; s == DP_OK && it; it = it->next) {
        int i = schema_field_index(m->def, it->string);
        s = mutation_put(m, part, i, tmp.values[i]);
    }
    record_done(&tmp);
    return s;
}

/* "sha256:..." of the entry as core/mutation.h serialises it canonically. */
static enum dp_status
entry_hash(const struct outbox_entry *e, int64_t mid, const char *mutation_id,
           const struct hlc *hlc, char *out, size_t outsize, struct dp_error *err)
{
    struct mutation m;
    mutation_init(&m);
    enum dp_status s = DP_OK;
    m.def = schema_record(e->t);
    if (!m.def || !mutation_op_parse(e->op, &m.op)) {
        s = dp_error_set(err, DP_EINVAL, NULL, "outbox entry of unknown type or op");
        goto out;
    }
    m.mid = mid;
    m.hlc = *hlc;
    m.base_v = e->base_v >= 0 ? e->base_v : -1;
    snprintf(m.mutation_id, sizeof m.mutation_id, "%s", mutation_id);
    snprintf(m.rid, sizeof m.rid, "%s", e->rid);
    s = put_part(&m, MUT_PART_BASE, e->base, err);
    if (s == DP_OK)
        s = put_part(&m, MUT_PART_SET, e->set, err);
    if (s == DP_OK)
        s = mutation_hash(&m, out, outsize);
out:
    mutation_done(&m);
    return s;
}

enum dp_status
store_outbox_append(struct store *st, const struct outbox_entry *e, int64_t *mid_out,
                    struct dp_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char *user = NULL, *base_json = NULL, *set_json = NULL;
    char mutation_id[MUTATION_UUID_SIZE], hlc[HLC_STR_SIZE], hash[MUTATION_HASH_SIZE], now[32];
    struct hlc stamp;
    int64_t mid = 0;

    enum dp_status s = store_meta_get_int(st, "next_mid", 1, &mid, err);
    if (s == DP_OK)
        s = store_meta_get(st, "user_id", &user, err);
    if (s == DP_OK)
        s = store_hlc_next(st, &stamp, err);
    if (s != DP_OK)
        goto out;
    hlc_format(&stamp, hlc, sizeof hlc);
    if (mid < 1)
        mid = 1;
    record_new_id(mutation_id, sizeof mutation_id);
    store_utc_now(now, sizeof now);

    if ((e->base && !(base_json = cJSON_PrintUnformatted(e->base))) ||
        (e->set && !(set_json = cJSON_PrintUnformatted(e->set)))) {
        s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    s = entry_hash(e, mid, mutation_id, &stamp, hash, sizeof hash, err);
    if (s != DP_OK)
        goto out;

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
