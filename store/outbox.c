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
#include "store/sync_store.h"

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
 * Copy the members of a wire-form object text (record_to_json shape) into
 * one part of m as canonical strings. A choice's "_deleted" goes to
 * m->choose_deleted.
 */
static enum dp_status
put_part(struct mutation *m, enum mutation_part part, const char *json, struct dp_error *err)
{
    if (!json)
        return DP_OK;
    cJSON *obj = cJSON_Parse(json);
    struct record tmp = {0};
    enum dp_status s = DP_OK;
    const char *name = part == MUT_PART_BASE ? "base" : part == MUT_PART_SET ? "set" : "choose";
    if (!obj || !cJSON_IsObject(obj)) {
        s = dp_error_set(err, DP_EINVAL, name, "stored outbox values are damaged");
        goto out;
    }
    if (part == MUT_PART_CHOOSE) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(obj, "_deleted");
        if (d && !cJSON_IsBool(d)) {
            s = dp_error_set(err, DP_EINVAL, "_deleted", "must be true or false");
            goto out;
        }
        if (d)
            m->choose_deleted = cJSON_IsTrue(d) ? 1 : 0;
        cJSON_DeleteItemFromObjectCaseSensitive(obj, "_deleted");
    }
    if ((s = record_init(&tmp, m->def)) != DP_OK) {
        s = dp_error_set(err, s, NULL, NULL);
        goto out;
    }
    if ((s = record_from_json(&tmp, obj, err)) != DP_OK)
        goto out;
    for (const cJSON *it = obj->child; s == DP_OK && it; it = it->next) {
        int i = schema_field_index(m->def, it->string);
        if ((s = mutation_put(m, part, i, tmp.values[i])) != DP_OK)
            s = dp_error_set(err, s, it->string, NULL);
    }
out:
    record_done(&tmp);
    cJSON_Delete(obj);
    return s;
}

static bool
review_action_parse(const char *s, enum mutation_review *out)
{
    static const struct {
        const char *name;
        enum mutation_review action;
    } actions[] = {{"submit", MUT_REVIEW_SUBMIT},
                   {"return", MUT_REVIEW_RETURN},
                   {"approve", MUT_REVIEW_APPROVE}};
    for (size_t i = 0; s && i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(s, actions[i].name) == 0) {
            *out = actions[i].action;
            return true;
        }
    return false;
}

enum dp_status
store_outbox_mutation(const struct outbox_cols *e, struct mutation *m, struct dp_error *err)
{
    enum dp_status s = DP_OK;
    mutation_init(m);
    m->def = schema_record(e->t);
    if (!m->def || !e->op || !mutation_op_parse(e->op, &m->op))
        return dp_error_set(err, DP_EINVAL, "op", "outbox entry of unknown type or op");
    m->mid = e->mid;
    snprintf(m->mutation_id, sizeof m->mutation_id, "%s", e->mutation_id ? e->mutation_id : "");
    snprintf(m->rid, sizeof m->rid, "%s", e->rid ? e->rid : "");
    if (!e->hlc || hlc_parse(e->hlc, &m->hlc, "hlc", NULL) != DP_OK)
        memset(&m->hlc, 0, sizeof m->hlc);
    m->base_v = (m->op == MUT_UPDATE || m->op == MUT_DELETE) && e->base_v >= 0 ? e->base_v : -1;
    switch (m->op) {
    case MUT_CREATE:
    case MUT_UPDATE:
    case MUT_DELETE:
        s = put_part(m, MUT_PART_BASE, e->base_json, err);
        if (s == DP_OK)
            s = put_part(m, MUT_PART_SET, e->set_json, err);
        break;
    case MUT_RESOLVE:
        if (!e->conflict_id || strlen(e->conflict_id) >= sizeof m->conflict_id)
            s = dp_error_set(err, DP_EINVAL, "conflict_id", "is missing or too long");
        else
            snprintf(m->conflict_id, sizeof m->conflict_id, "%s", e->conflict_id);
        if (s == DP_OK)
            s = put_part(m, MUT_PART_CHOOSE, e->set_json, err);
        break;
    case MUT_REVIEW:
        if (!review_action_parse(e->action, &m->action))
            s = dp_error_set(err, DP_EINVAL, "action", "is not submit, return or approve");
        else if (e->comment && !(m->comment = strdup(e->comment)))
            s = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        break;
    case MUT_ASSIGN:
        if (!e->assign_to || strlen(e->assign_to) >= sizeof m->to)
            s = dp_error_set(err, DP_EINVAL, "to", "is missing or too long");
        else
            snprintf(m->to, sizeof m->to, "%s", e->assign_to);
        break;
    }
    if (s != DP_OK)
        mutation_done(m);
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
    struct mutation m;
    int64_t mid = 0;
    mutation_init(&m);

    enum dp_status s = store_meta_get_int(st, "next_mid", 1, &mid, err);
    if (s == DP_OK)
        s = store_meta_get(st, SYNC_META_USER, &user, err);
    /* Caches written before logins kept the name under "user_id". */
    if (s == DP_OK && (!user || !*user)) {
        free(user);
        user = NULL;
        s = store_meta_get(st, "user_id", &user, err);
    }
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
    /* Hashed as read back, so a re-mint or a replay computes the very same bytes. */
    struct outbox_cols cols = {.mid = mid,
                               .mutation_id = mutation_id,
                               .hlc = hlc,
                               .op = e->op,
                               .t = e->t,
                               .rid = e->rid,
                               .base_v = e->base_v,
                               .base_json = base_json,
                               .set_json = set_json,
                               .conflict_id = e->conflict_id,
                               .action = e->action,
                               .comment = e->comment,
                               .assign_to = e->to};
    if ((s = store_outbox_mutation(&cols, &m, err)) != DP_OK ||
        (s = mutation_check(&m, NULL, err)) != DP_OK)
        goto out;
    if ((s = mutation_hash(&m, hash, sizeof hash)) != DP_OK) {
        s = dp_error_set(err, s, NULL, NULL);
        goto out;
    }

    s = store_prepare(st,
                      "INSERT INTO outbox(mid, mutation_id, hash, user_id, t, rid, op, base_v,"
                      " base_json, set_json, conflict_id, action, comment, assign_to, hlc,"
                      " created_at, state, hid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                      " ?11, ?12, ?13, ?14, ?15, ?16, 'pending', ?17)",
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
    if (m.base_v >= 0)
        sqlite3_bind_int64(stmt, 8, m.base_v);
    else
        sqlite3_bind_null(stmt, 8);
    store_bind_text(stmt, 9, base_json);
    store_bind_text(stmt, 10, set_json);
    store_bind_text(stmt, 11, m.op == MUT_RESOLVE ? e->conflict_id : NULL);
    store_bind_text(stmt, 12, m.op == MUT_REVIEW ? e->action : NULL);
    store_bind_text(stmt, 13, m.op == MUT_REVIEW ? e->comment : NULL);
    store_bind_text(stmt, 14, m.op == MUT_ASSIGN ? e->to : NULL);
    store_bind_text(stmt, 15, hlc);
    store_bind_text(stmt, 16, now);
    store_bind_text(stmt, 17, e->hid ? e->hid : "");
    s = store_step_done(st, stmt, "add to outbox", err);
    /* Same transaction as the entry: a rollback gives the mid back, so mids stay gapless. */
    if (s == DP_OK)
        s = store_meta_set_int(st, "next_mid", mid + 1, err);
    if (s == DP_OK && mid_out)
        *mid_out = mid;
out:
    sqlite3_finalize(stmt);
    mutation_done(&m);
    free(user);
    free(base_json);
    free(set_json);
    return s;
}
