#include "server/mutate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hlc.h"
#include "core/merge.h"
#include "core/mutation.h"
#include "core/record.h"
#include "server/assign.h"
#include "server/conflicts.h"
#include "server/db.h"
#include "server/records.h"
#include "server/users.h"

/*
 * Everything one mutation needs while it is applied. A rejection is not an
 * error: it fills `res` and returns DP_OK; any other status from a helper is
 * a database failure that aborts the mutation.
 */
struct op {
    const struct mutate_ctx *mc;
    const cJSON *obj;
    struct mutation m;
    struct hlc hlc; /* m.hlc clamped to the arrival time */
    char hlc_text[HLC_STR_SIZE];
    char attribution[80];
    cJSON *res;
    bool rejected;
    struct dp_error *err;
};

/* ---- results --------------------------------------------------------------- */

static enum dp_status
reject(struct op *o, const char *reason, const char *field, const char *msg)
{
    cJSON_AddStringToObject(o->res, "status", "rejected");
    cJSON_AddStringToObject(o->res, "reason", reason);
    if (field && field[0])
        cJSON_AddStringToObject(o->res, "field", field);
    cJSON_AddStringToObject(o->res, "message", msg && msg[0] ? msg : reason);
    o->rejected = true;
    return DP_OK;
}

static enum dp_status
not_found(struct op *o)
{
    return reject(o, "not_found", NULL, "no such record");
}

static void
set_status(struct op *o, const char *status, int64_t v)
{
    cJSON_AddStringToObject(o->res, "status", status);
    if (v > 0)
        cJSON_AddNumberToObject(o->res, "v", (double)v);
}

/* ---- values ---------------------------------------------------------------- */

/* A canonical value in its wire JSON form (null when unset). */
static cJSON *
value_json(const struct record_def *def, int i, const char *v)
{
    if (!v || !v[0])
        return cJSON_CreateNull();
    struct record r;
    cJSON *item = NULL;
    if (record_init(&r, def) == DP_OK && record_set_index(&r, i, v) == DP_OK) {
        cJSON *o = record_to_json(&r, false);
        item = o ? cJSON_DetachItemFromObjectCaseSensitive(o, def->fields[i].name) : NULL;
        cJSON_Delete(o);
    }
    record_done(&r);
    return item ? item : cJSON_CreateNull();
}

/* A wire JSON value of field i back to its canonical string (heap), or NULL if it does not parse.
 */
static char *
value_canonical(const struct record_def *def, int i, const cJSON *item)
{
    struct record r;
    char *out = NULL;
    if (record_init(&r, def) != DP_OK)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON *copy = cJSON_Duplicate(item, true);
    if (o && copy) {
        cJSON_AddItemToObject(o, def->fields[i].name, copy);
        copy = NULL;
        struct dp_error err;
        if (record_from_json(&r, o, &err) == DP_OK)
            out = strdup(r.values[i]);
    }
    cJSON_Delete(copy);
    cJSON_Delete(o);
    record_done(&r);
    return out;
}

/* ---- loading and access ---------------------------------------------------- */

enum access {
    ACC_NONE,    /* never the user's: answer as if it did not exist */
    ACC_OK,      /* in scope now */
    ACC_FORMER,  /* out of scope now, but held when the client's base was made */
    ACC_OUTSIDE, /* held once, but not at the base: an out_of_scope_edit */
};

/* Access to household `hid`; `base_seq` is when the client's base was written (0 if unknown). */
static enum dp_status
access_to(struct op *o, const char *hid, int64_t base_seq, enum access *acc)
{
    const struct mutate_ctx *mc = o->mc;
    *acc = ACC_NONE;
    struct srec hh;
    enum dp_status st = srec_load(mc->db, &schema_household, hid, &hh, o->err);
    if (st == DP_ENOTFOUND) {
        srec_done(&hh);
        return DP_OK;
    }
    if (st != DP_OK) {
        srec_done(&hh);
        return st;
    }
    bool sees = scope_sees(&mc->scope, &hh);
    srec_done(&hh);
    if (sees) {
        *acc = ACC_OK;
        return DP_OK;
    }
    bool held = false;
    if (base_seq > 0 &&
        (st = scope_held_at(mc->db, &mc->scope, hid, base_seq, &held, o->err)) != DP_OK)
        return st;
    if (held) {
        *acc = ACC_FORMER;
        return DP_OK;
    }
    if ((st = scope_ever_held(mc->db, &mc->scope, hid, &held, o->err)) != DP_OK)
        return st;
    *acc = held ? ACC_OUTSIDE : ACC_NONE;
    return DP_OK;
}

/* Whether `rid` is taken by a record of another type. */
static enum dp_status
id_used_elsewhere(struct op *o, const struct record_def *def, const char *rid, bool *used)
{
    *used = false;
    for (size_t r = 0; schema_records[r] && !*used; r++) {
        if (schema_records[r] == def)
            continue;
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT 1 FROM %s WHERE id = ?",
                 db_record_table(schema_records[r]));
        sqlite3_stmt *q;
        enum dp_status st = db_prepare(o->mc->db, sql, &q, o->err);
        if (st != DP_OK)
            return st;
        sqlite3_bind_text(q, 1, rid, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        *used = rc == SQLITE_ROW;
        sqlite3_finalize(q);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return db_fail(o->mc->db, rc, "records", o->err);
    }
    return DP_OK;
}

static bool
is_supervisor(const struct op *o)
{
    return o->mc->scope.supervisor;
}

/* ---- writing ------------------------------------------------------------------ */

static struct change_ctx
change_ctx(const struct op *o)
{
    return (struct change_ctx){.user = o->mc->scope.user, .device = o->mc->device, .kind = "write"};
}

/* Tombstone the members, visits and needs of a deleted household. */
struct child_ids {
    struct {
        const struct record_def *def;
        char id[37];
    } * items;
    size_t n, alloc;
};

static enum dp_status
collect_live_child(const struct child_ref *c, void *arg)
{
    struct child_ids *l = arg;
    if (c->deleted)
        return DP_OK;
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 16;
        void *p = realloc(l->items, na * sizeof *l->items);
        if (!p)
            return DP_ENOMEM;
        l->items = p;
        l->alloc = na;
    }
    l->items[l->n].def = c->def;
    snprintf(l->items[l->n].id, sizeof l->items[l->n].id, "%s", c->id);
    l->n++;
    return DP_OK;
}

static enum dp_status
tombstone_children(struct op *o, const char *hid)
{
    struct child_ids l = {0};
    struct change_ctx ctx = change_ctx(o);
    enum dp_status st = records_children(o->mc->db, hid, collect_live_child, &l, o->err);
    for (size_t i = 0; i < l.n && st == DP_OK; i++) {
        struct srec c;
        st = srec_load(o->mc->db, l.items[i].def, l.items[i].id, &c, o->err);
        if (st == DP_OK) {
            c.rec.deleted = true;
            c.rec.v++;
            st = srec_write(o->mc->db, &c, &ctx, NULL, o->err);
        }
        srec_done(&c);
    }
    free(l.items);
    return st;
}

/* Open a conflict on the record `cur` describes; its id and kind go in the result. */
static enum dp_status
open_conflict(struct op *o, const struct srec *cur, const char *kind, const char *state,
              cJSON *fields, int64_t v, bool report)
{
    struct conflict c;
    memset(&c, 0, sizeof c);
    snprintf(c.t, sizeof c.t, "%s", o->m.def->name);
    snprintf(c.rid, sizeof c.rid, "%s", o->m.rid);
    snprintf(c.household_id, sizeof c.household_id, "%s", srec_household_id(cur));
    snprintf(c.kind, sizeof c.kind, "%s", kind);
    snprintf(c.state, sizeof c.state, "%s", state);
    snprintf(c.user, sizeof c.user, "%s", o->mc->scope.user);
    snprintf(c.device, sizeof c.device, "%s", o->mc->device);
    c.mid = o->m.mid;
    c.v = v;
    enum dp_status st = conflicts_open(o->mc->db, &c, fields, o->err);
    if (st == DP_OK && report) {
        cJSON_AddStringToObject(o->res, "conflict_id", c.id);
        cJSON_AddStringToObject(o->res, "kind", kind);
        cJSON *names = cJSON_AddArrayToObject(o->res, "conflict_fields");
        for (const cJSON *f = fields ? fields->child : NULL; f; f = f->next)
            cJSON_AddItemToArray(names, cJSON_CreateString(f->string));
    }
    return st;
}

/* {"field":{"base":..,"server":..,"yours":..}} for field i. */
static void
add_conflict_field(cJSON *fields, const struct record_def *def, int i, const char *base,
                   const char *server, const char *yours)
{
    cJSON *f = cJSON_AddObjectToObject(fields, def->fields[i].name);
    if (!f)
        return;
    cJSON_AddItemToObject(f, "base", value_json(def, i, base));
    cJSON_AddItemToObject(f, "server", value_json(def, i, server));
    cJSON_AddItemToObject(f, "yours", value_json(def, i, yours));
}

static enum dp_status
load_hlcs(const struct srec *s, struct hlc *out)
{
    for (size_t i = 0; i < s->rec.def->nfields; i++) {
        memset(&out[i], 0, sizeof out[i]);
        if (s->fh[i][0] && hlc_parse(s->fh[i], &out[i], "hlc", NULL) != DP_OK)
            memset(&out[i], 0, sizeof out[i]);
    }
    return DP_OK;
}

/*
 * Run the merge for o->m against `cur` (exists or not) and store the
 * outcome: the new row, tombstones, conflicts. `new_row_fill` is called for
 * a record that does not exist yet, to set the server's own fields.
 */
static enum dp_status
merge_and_store(struct op *o, struct srec *cur, const struct merge_opts *extra,
                void (*new_row_fill)(struct op *, struct srec *))
{
    const struct mutate_ctx *mc = o->mc;
    const struct record_def *def = o->m.def;
    struct hlc fh[SREC_MAX_FIELDS];
    load_hlcs(cur, fh);
    struct merge_row row = {
        .def = def,
        .values = (const char *const *)cur->rec.values,
        .fv = cur->fv,
        .fhlc = fh,
        .v = cur->rec.v,
        .deleted = cur->rec.deleted,
    };
    struct merge_opts opts = {.hlc = o->hlc, .attribution = o->attribution};
    if (extra) {
        opts.resolve_v = extra->resolve_v;
        opts.resolve_base = extra->resolve_base;
    }
    struct merge_result mr;
    merge_result_init(&mr);
    struct dp_error merr;
    dp_error_clear(&merr);
    struct srec next;
    memset(&next, 0, sizeof next);
    enum dp_status st = merge_mutation(cur->exists ? &row : NULL, &o->m, &opts, &mr, &merr);
    if (st == DP_ENOMEM) {
        st = dp_error_set(o->err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    if (st != DP_OK) {
        st = reject(o, "invalid", merr.field, merr.msg);
        goto out;
    }
    if (mr.status == MS_REJECTED) {
        if (mr.reason && strcmp(mr.reason, "not_found") == 0)
            st = not_found(o);
        else
            st = reject(o, mr.reason ? mr.reason : "invalid", NULL, "the record is deleted");
        goto out;
    }
    if (mr.status == MS_DUPLICATE) {
        set_status(o, "duplicate", cur->rec.v);
        goto out;
    }

    /* The row after the merge. */
    if ((st = srec_init(&next, def)) != DP_OK) {
        st = dp_error_set(o->err, st, NULL, NULL);
        goto out;
    }
    int64_t v = cur->exists ? cur->rec.v + (mr.write ? 1 : 0) : 1;
    next.exists = cur->exists;
    next.cseq = cur->cseq;
    next.rec.v = v;
    next.rec.deleted = mr.write ? mr.tombstone : cur->rec.deleted;
    for (size_t i = 0; i < def->nfields && st == DP_OK; i++) {
        const char *val = mr.fields[i].value ? mr.fields[i].value : cur->rec.values[i];
        st = record_set_index(&next.rec, (int)i, val);
        next.fv[i] = cur->fv[i];
        snprintf(next.fh[i], sizeof next.fh[i], "%s", cur->fh[i]);
        if (merge_field_writes(mr.fields[i].result) || (!cur->exists && val[0])) {
            next.fv[i] = v;
            snprintf(next.fh[i], sizeof next.fh[i], "%s", o->hlc_text);
        }
    }
    /* The id is the mutation's rid, whether or not `set` repeats it. */
    if (st == DP_OK)
        st = record_set(&next.rec, "id", o->m.rid);
    if (st != DP_OK) {
        st = dp_error_set(o->err, st, NULL, NULL);
        goto out;
    }
    if (!cur->exists && new_row_fill)
        new_row_fill(o, &next);

    if (mr.write && !next.rec.deleted) {
        struct dp_error verr;
        dp_error_clear(&verr);
        if (record_validate(&next.rec, &mc->today, &verr) != DP_OK) {
            st = reject(o, "invalid", verr.field, verr.msg);
            goto out;
        }
    }

    if (mr.write) {
        struct change_ctx ctx = change_ctx(o);
        int64_t seq;
        if ((st = srec_write(mc->db, &next, &ctx, &seq, o->err)) != DP_OK)
            goto out;
        if (!cur->exists && def->parent_field < 0)
            st = assign_history_add(mc->db, o->m.rid, "", record_get(&next.rec, "assigned_to"), "",
                                    record_get(&next.rec, "team"), seq, &ctx, o->err);
        if (st == DP_OK && def->parent_field < 0 && next.rec.deleted && !cur->rec.deleted)
            st = tombstone_children(o, o->m.rid);
        if (st != DP_OK)
            goto out;
    }

    set_status(o, merge_status_name(mr.status), next.rec.v);

    /* Conflicts: manual fields, delete vs edit; lww losers kept as auto_resolved. */
    cJSON *fields = cJSON_CreateObject();
    cJSON *lww = cJSON_CreateObject();
    cJSON *merged = cJSON_CreateArray();
    for (size_t i = 0; i < def->nfields; i++) {
        enum merge_field_result r = mr.fields[i].result;
        const char *base = o->m.base[i] ? o->m.base[i] : "";
        const char *yours = o->m.set[i] ? o->m.set[i] : (o->m.choose[i] ? o->m.choose[i] : "");
        if (r == MF_CONFLICT)
            add_conflict_field(fields, def, (int)i, base, cur->rec.values[i], yours);
        else if (r == MF_LWW_WON || r == MF_LWW_LOST)
            add_conflict_field(lww, def, (int)i, base, cur->rec.values[i], yours);
        if (r == MF_NOOP || r == MF_REVERTED || r == MF_UNCHANGED || r == MF_LWW_WON ||
            r == MF_LWW_LOST || r == MF_APPENDED)
            cJSON_AddItemToArray(merged, cJSON_CreateString(def->fields[i].name));
    }
    if (mr.kind == MK_DELETE_VS_EDIT && !fields->child) {
        /* An edit met a tombstone: keep every value the client sent. */
        for (size_t i = 0; i < def->nfields; i++)
            if (o->m.set[i])
                add_conflict_field(fields, def, (int)i, o->m.base[i] ? o->m.base[i] : "",
                                   cur->rec.values[i], o->m.set[i]);
    }
    if (mr.status == MS_MERGED && cJSON_GetArraySize(merged) > 0) {
        cJSON_AddItemToObject(o->res, "merged_fields", merged);
        merged = NULL;
    }
    if (mr.kind != MK_NONE)
        st = open_conflict(o, &next, merge_kind_name(mr.kind), "open", fields, next.rec.v, true);
    if (st == DP_OK && lww->child)
        st = open_conflict(o, &next, "field", "auto_resolved", lww, next.rec.v, false);
    cJSON_Delete(fields);
    cJSON_Delete(lww);
    cJSON_Delete(merged);
out:
    srec_done(&next);
    merge_result_done(&mr);
    return st;
}

/* ---- create ---------------------------------------------------------------- */

static void
fill_new_household(struct op *o, struct srec *s)
{
    const struct scope *sc = &o->mc->scope;
    int ia = schema_field_index(&schema_household, "assigned_to");
    int it = schema_field_index(&schema_household, "team");
    record_set_index(&s->rec, ia, sc->supervisor ? "" : sc->user);
    record_set_index(&s->rec, it, sc->team);
    s->fv[ia] = s->fv[it] = 1;
}

static enum dp_status
check_visit_create(struct op *o)
{
    const struct record_def *def = o->m.def;
    int iw = schema_field_index(def, "worker");
    int is = schema_field_index(def, "review_state");
    if (!o->m.set[iw] || !o->m.set[iw][0]) {
        if (mutation_put(&o->m, MUT_PART_SET, iw, o->mc->scope.user) != DP_OK)
            return dp_error_set(o->err, DP_ENOMEM, NULL, NULL);
    } else if (strcmp(o->m.set[iw], o->mc->scope.user) != 0) {
        return reject(o, "forbidden", "worker", "a visit is recorded by the worker who made it");
    }
    const char *state = o->m.set[is] ? o->m.set[is] : "";
    if (strcmp(state, "draft") != 0 && strcmp(state, "submitted") != 0)
        return reject(o, "review_flow", "review_state",
                      "a new visit is a draft or submitted; review changes it later");
    static const char *const review_fields[] = {"reviewer", "review_comment", NULL};
    for (size_t k = 0; review_fields[k]; k++) {
        int i = schema_field_index(def, review_fields[k]);
        if (i >= 0 && o->m.set[i] && o->m.set[i][0])
            return reject(o, "review_flow", review_fields[k], "set only by the review flow");
    }
    return DP_OK;
}

static enum dp_status
check_need_member(struct op *o, const char *hid)
{
    int im = schema_field_index(o->m.def, "member_id");
    if (im < 0 || !o->m.set[im] || !o->m.set[im][0])
        return DP_OK;
    struct srec mem;
    enum dp_status st = srec_load(o->mc->db, &schema_member, o->m.set[im], &mem, o->err);
    bool ok = st == DP_OK && !mem.rec.deleted && strcmp(srec_household_id(&mem), hid) == 0;
    srec_done(&mem);
    if (st != DP_OK && st != DP_ENOTFOUND)
        return st;
    return ok ? DP_OK : reject(o, "invalid", "member_id", "not a member of this household");
}

static enum dp_status
op_create(struct op *o, struct srec *cur)
{
    const struct record_def *def = o->m.def;
    bool used;
    enum dp_status st = id_used_elsewhere(o, def, o->m.rid, &used);
    if (st != DP_OK)
        return st;
    if (used)
        return reject(o, "id_taken", "rid", "the record id is already used");

    if (def->parent_field < 0) {
        if (cur->exists && !scope_sees(&o->mc->scope, cur))
            return reject(o, "id_taken", "rid", "the record id is already used");
        return merge_and_store(o, cur, NULL, fill_new_household);
    }

    const char *hid = o->m.set[def->parent_field];
    if (!hid || !hid[0])
        return reject(o, "invalid", def->fields[def->parent_field].name, "is required");
    if (cur->exists && strcmp(srec_household_id(cur), hid) != 0)
        return reject(o, "id_taken", "rid", "the record id is already used");
    enum access acc;
    if ((st = access_to(o, hid, 0, &acc)) != DP_OK)
        return st;
    /* A visit made before a reassignment reached the laptop is a fact: it is kept. */
    bool former_visit = def == &schema_visit && acc == ACC_OUTSIDE;
    if (acc != ACC_OK && !former_visit)
        return not_found(o);
    struct srec hh;
    st = srec_load(o->mc->db, &schema_household, hid, &hh, o->err);
    bool gone = st == DP_OK && hh.rec.deleted;
    srec_done(&hh);
    if (st != DP_OK)
        return st;
    if (gone)
        return reject(o, "deleted", def->fields[def->parent_field].name,
                      "the household is deleted");
    if (def == &schema_visit && ((st = check_visit_create(o)) != DP_OK || o->rejected))
        return st;
    if (def == &schema_need && ((st = check_need_member(o, hid)) != DP_OK || o->rejected))
        return st;
    return merge_and_store(o, cur, NULL, NULL);
}

/* ---- update and delete -------------------------------------------------------- */

/* Scope for an edit of an existing record; *go false when the result is already set. */
static enum dp_status
edit_access(struct op *o, struct srec *cur, bool *go)
{
    *go = false;
    if (!cur->exists)
        return not_found(o);
    int64_t base_seq = 0;
    enum dp_status st;
    if (o->m.base_v > 0 && (st = records_version_seq(o->mc->db, o->m.def->name, o->m.rid,
                                                     o->m.base_v, &base_seq, o->err)) != DP_OK)
        return st;
    enum access acc;
    if ((st = access_to(o, srec_household_id(cur), base_seq, &acc)) != DP_OK)
        return st;
    if (acc == ACC_NONE)
        return not_found(o);
    if (acc == ACC_OUTSIDE) {
        /* Stored for the supervisor, not applied. */
        cJSON *fields = cJSON_CreateObject();
        for (size_t i = 0; i < o->m.def->nfields; i++)
            if (o->m.set[i])
                add_conflict_field(fields, o->m.def, (int)i, o->m.base[i] ? o->m.base[i] : "",
                                   cur->rec.values[i], o->m.set[i]);
        set_status(o, "conflict", cur->rec.v);
        st = open_conflict(o, cur, "out_of_scope_edit", "open", fields, cur->rec.v, true);
        cJSON_Delete(fields);
        return st;
    }
    *go = true;
    return DP_OK;
}

static bool
visit_editable(const struct srec *visit)
{
    const char *state = record_get(&visit->rec, "review_state");
    return strcmp(state, "draft") == 0 || strcmp(state, "returned") == 0;
}

static enum dp_status
op_update(struct op *o, struct srec *cur)
{
    bool go;
    enum dp_status st = edit_access(o, cur, &go);
    if (st != DP_OK || !go)
        return st;
    if (o->m.def == &schema_visit) {
        static const char *const review_fields[] = {"review_state", "reviewer", "review_comment",
                                                    NULL};
        for (size_t k = 0; review_fields[k]; k++) {
            int i = schema_field_index(o->m.def, review_fields[k]);
            if (i >= 0 && o->m.set[i])
                return reject(o, "review_flow", review_fields[k],
                              "changes only through a review mutation");
        }
        if (!cur->rec.deleted && !visit_editable(cur))
            return reject(o, "review_flow", "review_state",
                          "a submitted or approved visit cannot be edited");
        if (strcmp(record_get(&cur->rec, "worker"), o->mc->scope.user) != 0)
            return reject(o, "forbidden", "worker", "only the worker who made a visit edits it");
    }
    /* As on create: a need may only name a member of its own household. */
    if (o->m.def == &schema_need &&
        ((st = check_need_member(o, srec_household_id(cur))) != DP_OK || o->rejected))
        return st;
    return merge_and_store(o, cur, NULL, NULL);
}

static enum dp_status
op_delete(struct op *o, struct srec *cur)
{
    bool go;
    enum dp_status st = edit_access(o, cur, &go);
    if (st != DP_OK || !go)
        return st;
    if (o->m.def == &schema_household && !is_supervisor(o))
        return reject(o, "forbidden", NULL, "only a supervisor deletes a household");
    if (o->m.def == &schema_visit && !cur->rec.deleted &&
        strcmp(record_get(&cur->rec, "review_state"), "draft") != 0)
        return reject(o, "review_flow", "review_state", "only a draft visit can be deleted");
    return merge_and_store(o, cur, NULL, NULL);
}

/* ---- review ------------------------------------------------------------------ */

static enum dp_status
op_review(struct op *o, struct srec *cur)
{
    if (!cur->exists)
        return not_found(o);
    enum access acc;
    enum dp_status st = access_to(o, srec_household_id(cur), 0, &acc);
    if (st != DP_OK)
        return st;
    bool own = strcmp(record_get(&cur->rec, "worker"), o->mc->scope.user) == 0;
    /* A worker may still submit their own visit after the household moved on. */
    bool submit = o->m.action == MUT_REVIEW_SUBMIT;
    if (acc == ACC_NONE || (acc != ACC_OK && !(submit && own)))
        return not_found(o);
    if (cur->rec.deleted)
        return reject(o, "deleted", NULL, "the visit is deleted");
    const char *state = record_get(&cur->rec, "review_state");
    const char *to = NULL;
    bool set_reviewer = false;
    switch (o->m.action) {
    case MUT_REVIEW_SUBMIT:
        if (!own)
            return reject(o, "forbidden", NULL, "only the worker who made a visit submits it");
        if (strcmp(state, "draft") != 0 && strcmp(state, "returned") != 0)
            return reject(o, "invalid_transition", "review_state",
                          "only a draft or returned visit can be submitted");
        to = "submitted";
        break;
    case MUT_REVIEW_RETURN:
    case MUT_REVIEW_APPROVE:
        if (!is_supervisor(o))
            return reject(o, "forbidden", NULL, "only a supervisor reviews visits");
        if (strcmp(state, "submitted") != 0)
            return reject(o, "invalid_transition", "review_state",
                          "only a submitted visit can be reviewed");
        to = o->m.action == MUT_REVIEW_RETURN ? "returned" : "approved";
        set_reviewer = true;
        break;
    case MUT_REVIEW_NONE:
        return reject(o, "invalid", "action", "is not submit, return or approve");
    }

    struct srec next;
    if ((st = srec_init(&next, cur->rec.def)) != DP_OK)
        return dp_error_set(o->err, st, NULL, NULL);
    record_done(&next.rec);
    if ((st = record_copy(&next.rec, &cur->rec)) != DP_OK) {
        srec_done(&next);
        return dp_error_set(o->err, st, NULL, NULL);
    }
    memcpy(next.fv, cur->fv, sizeof next.fv);
    memcpy(next.fh, cur->fh, sizeof next.fh);
    next.cseq = cur->cseq;
    next.exists = true;
    next.rec.v = cur->rec.v + 1;
    struct {
        const char *field;
        const char *value;
    } changes[3] = {
        {"review_state", to},
        {"reviewer", set_reviewer ? o->mc->scope.user : NULL},
        {"review_comment",
         o->m.action == MUT_REVIEW_SUBMIT ? NULL : (o->m.comment ? o->m.comment : NULL)},
    };
    for (size_t k = 0; k < 3 && st == DP_OK; k++) {
        if (!changes[k].value)
            continue;
        int i = schema_field_index(next.rec.def, changes[k].field);
        st = record_set_index(&next.rec, i, changes[k].value);
        next.fv[i] = next.rec.v;
        snprintf(next.fh[i], sizeof next.fh[i], "%s", o->hlc_text);
    }
    struct dp_error verr;
    dp_error_clear(&verr);
    if (st != DP_OK) {
        st = dp_error_set(o->err, st, NULL, NULL);
    } else if (record_validate(&next.rec, &o->mc->today, &verr) != DP_OK) {
        st = reject(o, "invalid", verr.field, verr.msg);
    } else {
        struct change_ctx ctx = change_ctx(o);
        st = srec_write(o->mc->db, &next, &ctx, NULL, o->err);
        if (st == DP_OK)
            set_status(o, "applied", next.rec.v);
    }
    srec_done(&next);
    return st;
}

/* ---- assign --------------------------------------------------------------------- */

static enum dp_status
op_assign(struct op *o, struct srec *cur)
{
    if (!cur->exists)
        return not_found(o);
    bool sees = scope_sees(&o->mc->scope, cur);
    if (!is_supervisor(o))
        return sees ? reject(o, "forbidden", NULL, "only a supervisor reassigns households")
                    : not_found(o);
    if (!sees)
        return not_found(o);
    if (cur->rec.deleted)
        return reject(o, "deleted", NULL, "the household is deleted");
    if (o->m.to[0]) {
        struct user u;
        struct dp_error uerr;
        enum dp_status st = users_get(o->mc->db, o->m.to, &u, NULL, 0, &uerr);
        if (st != DP_OK && st != DP_ENOTFOUND)
            return dp_error_set(o->err, st, NULL, "%s", uerr.msg);
        if (st == DP_ENOTFOUND || u.disabled || strcmp(u.role, "worker") != 0 ||
            strcmp(u.team, o->mc->scope.team) != 0)
            return reject(o, "invalid", "to", "not a worker of your team");
    }
    struct change_ctx ctx = change_ctx(o);
    enum dp_status st = assign_household(o->mc->db, cur, o->m.to, o->mc->scope.team, &ctx, o->err);
    if (st == DP_OK)
        set_status(o, "applied", cur->rec.v);
    return st;
}

/* ---- resolve_conflict -------------------------------------------------------------- */

static enum dp_status
op_resolve(struct op *o, struct srec *cur, const struct conflict *c)
{
    if (!cur->exists)
        return not_found(o);
    enum access acc;
    enum dp_status st = access_to(o, srec_household_id(cur), 0, &acc);
    if (st != DP_OK)
        return st;
    if (acc != ACC_OK)
        return not_found(o);
    if (strcmp(c->state, "open") != 0)
        return reject(o, "already_resolved", "conflict_id", "the conflict is no longer open");
    if (strcmp(c->kind, "out_of_scope_edit") == 0 && !is_supervisor(o))
        return reject(o, "forbidden", NULL, "a supervisor settles edits made out of scope");

    const struct record_def *def = cur->rec.def;
    cJSON *fields = cJSON_Parse(c->fields ? c->fields : "{}");
    char *base[SREC_MAX_FIELDS] = {NULL};
    if (!fields) {
        st = dp_error_set(o->err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    if (strcmp(c->kind, "field") == 0) {
        /* Every field of the conflict needs a decision, and only those. */
        for (const cJSON *f = fields->child; f; f = f->next) {
            int i = schema_field_index(def, f->string);
            if (i >= 0 && !o->m.choose[i]) {
                st = reject(o, "invalid", f->string, "choose a value for every field in conflict");
                goto out;
            }
        }
        for (size_t i = 0; i < def->nfields; i++) {
            if (o->m.choose[i] && !cJSON_GetObjectItemCaseSensitive(fields, def->fields[i].name)) {
                st = reject(o, "invalid", def->fields[i].name, "is not part of the conflict");
                goto out;
            }
        }
        if (o->m.choose_deleted == 1) {
            st = reject(o, "invalid", "_deleted", "this conflict is not about a deletion");
            goto out;
        }
    } else if (strcmp(c->kind, "delete_vs_edit") == 0 && o->m.choose_deleted < 0) {
        st = reject(o, "invalid", "_deleted", "say whether the record stays deleted");
        goto out;
    }
    /* The conflict's server values are the base the choice was made against. */
    for (const cJSON *f = fields->child; f; f = f->next) {
        int i = schema_field_index(def, f->string);
        const cJSON *server = cJSON_GetObjectItemCaseSensitive(f, "server");
        if (i >= 0 && server)
            base[i] = value_canonical(def, i, server);
    }
    struct merge_opts extra = {.resolve_v = c->v, .resolve_base = (const char *const *)base};
    if ((st = merge_and_store(o, cur, &extra, NULL)) != DP_OK || o->rejected)
        goto out;
    cJSON *resolution = cJSON_CreateObject();
    cJSON *chosen = cJSON_GetObjectItemCaseSensitive(o->obj, "choose");
    if (resolution && chosen)
        cJSON_AddItemToObject(resolution, "choose", cJSON_Duplicate(chosen, true));
    st = conflicts_resolve(o->mc->db, c->id, o->mc->scope.user, resolution, o->err);
    cJSON_Delete(resolution);
out:
    for (size_t i = 0; i < SREC_MAX_FIELDS; i++)
        free(base[i]);
    cJSON_Delete(fields);
    return st;
}

/* ---- entry ------------------------------------------------------------------------- */

enum dp_status
mutate_apply(const struct mutate_ctx *mc, const cJSON *obj, cJSON **result, struct dp_error *err)
{
    *result = NULL;
    struct op o;
    memset(&o, 0, sizeof o);
    o.mc = mc;
    o.obj = obj;
    o.err = err;
    o.res = cJSON_CreateObject();
    if (!o.res)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    mutation_init(&o.m);
    struct srec cur;
    memset(&cur, 0, sizeof cur);
    struct conflict c;
    memset(&c, 0, sizeof c);
    bool have_conflict = false;
    enum dp_status st = DP_OK;

    /* A resolve may name only its conflict: t and rid come from there. */
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(obj, "op");
    const cJSON *cid = cJSON_GetObjectItemCaseSensitive(obj, "conflict_id");
    if (cJSON_IsString(op) && strcmp(op->valuestring, "resolve_conflict") == 0 &&
        cJSON_IsString(cid) && strlen(cid->valuestring) < sizeof c.id) {
        st = conflicts_load(mc->db, cid->valuestring, &c, err);
        if (st == DP_ENOTFOUND) {
            st = not_found(&o);
            goto done;
        }
        if (st != DP_OK)
            goto done;
        have_conflict = true;
        o.m.def = schema_record(c.t);
        snprintf(o.m.rid, sizeof o.m.rid, "%s", c.rid);
    }

    struct dp_error perr;
    dp_error_clear(&perr);
    if (mutation_from_json(&o.m, obj, &mc->today, &perr) != DP_OK) {
        const char *reason = mutation_reject_reason(obj, &perr);
        st = reject(&o, reason, perr.field, perr.msg);
        goto done;
    }
    if (mutation_check_role(&o.m, mc->scope.supervisor, &perr) != DP_OK) {
        st = reject(&o, mutation_reject_reason(obj, &perr), perr.field, perr.msg);
        goto done;
    }
    if (o.m.op == MUT_RESOLVE && !have_conflict) {
        st = not_found(&o);
        goto done;
    }
    o.hlc = o.m.hlc;
    hlc_clamp(&o.hlc, mc->now_ms);
    hlc_format(&o.hlc, o.hlc_text, sizeof o.hlc_text);
    struct dp_date today = mc->today;
    char day[16];
    date_format(&today, day, sizeof day);
    snprintf(o.attribution, sizeof o.attribution, "%s %s", mc->scope.user, day);

    st = srec_load(mc->db, o.m.def, o.m.rid, &cur, err);
    if (st != DP_OK && st != DP_ENOTFOUND)
        goto done;
    st = DP_OK;
    switch (o.m.op) {
    case MUT_CREATE:
        st = op_create(&o, &cur);
        break;
    case MUT_UPDATE:
        st = op_update(&o, &cur);
        break;
    case MUT_DELETE:
        st = op_delete(&o, &cur);
        break;
    case MUT_REVIEW:
        st = op_review(&o, &cur);
        break;
    case MUT_ASSIGN:
        st = op_assign(&o, &cur);
        break;
    case MUT_RESOLVE:
        st = op_resolve(&o, &cur, &c);
        break;
    }
done:
    srec_done(&cur);
    conflict_done(&c);
    mutation_done(&o.m);
    if (st != DP_OK) {
        cJSON_Delete(o.res);
        return st;
    }
    *result = o.res;
    return DP_OK;
}
