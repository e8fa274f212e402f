/*
 * A wire mutation in: the envelope every mutation needs, then each member
 * by the op's rules into struct mutation, ending in mutation_check.
 */
#include "core/mutation_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Byte cap on a set value joined from a wire list, before its content is checked. */
#define SET_JSON_MAX 4096

static const char *const part_names[] = {
    [MUT_PART_SET] = "set",
    [MUT_PART_BASE] = "base",
    [MUT_PART_CHOOSE] = "choose",
};

/* An integer JSON number in [min, JSON_INT_MAX]. */
static bool
json_int(const cJSON *item, int64_t min, int64_t *out)
{
    if (!cJSON_IsNumber(item))
        return false;
    double d = item->valuedouble;
    if (!(d >= (double)min && d <= (double)JSON_INT_MAX))
        return false;
    int64_t v = (int64_t)d;
    if ((double)v != d)
        return false;
    *out = v;
    return true;
}

/* Copy a JSON string member into a fixed buffer; false when not a string or too long. */
static bool
json_copy(const cJSON *item, char *buf, size_t bufsize)
{
    if (!cJSON_IsString(item) || strlen(item->valuestring) >= bufsize)
        return false;
    memcpy(buf, item->valuestring, strlen(item->valuestring) + 1);
    return true;
}

/* One wire value into canonical text (*out, heap). Content is checked later, by mutation_check. */
static enum dp_status
value_from_json(const struct field_def *f, const cJSON *item, char **out, struct dp_error *err)
{
    int64_t num;
    *out = NULL;
    if (cJSON_IsNull(item) || (cJSON_IsString(item) && !item->valuestring[0])) {
        *out = strdup(""); /* both spell "unset" (PROTOCOL.md 7) */
    } else if (f->type == FT_MONEY) {
        if (!json_int(item, -JSON_INT_MAX, &num))
            return dp_error_set(err, DP_EINVAL, f->name, "must be a whole number of fen");
        char buf[24];
        snprintf(buf, sizeof buf, "%" PRId64, num);
        *out = strdup(buf);
    } else if (f->type == FT_BOOL) {
        if (!cJSON_IsBool(item))
            return dp_error_set(err, DP_EINVAL, f->name, "must be true or false");
        *out = strdup(cJSON_IsTrue(item) ? "1" : "0");
    } else if (f->type == FT_SET) {
        if (!cJSON_IsArray(item))
            return dp_error_set(err, DP_EINVAL, f->name, "must be a list of choices");
        struct mutation_buf b = {0};
        mutation_buf_put(&b, "", 0);
        const cJSON *tok;
        cJSON_ArrayForEach(tok, item)
        {
            if (!cJSON_IsString(tok) || !tok->valuestring[0] || strchr(tok->valuestring, ',') ||
                b.len + strlen(tok->valuestring) > SET_JSON_MAX) {
                free(b.p);
                return dp_error_set(err, DP_EINVAL, f->name, "must be a list of choices");
            }
            if (b.len)
                mutation_buf_put(&b, ",", 1);
            mutation_buf_puts(&b, tok->valuestring);
        }
        if (b.oom) {
            free(b.p);
            return dp_error_set(err, DP_ENOMEM, f->name, NULL);
        }
        *out = b.p;
        return DP_OK;
    } else {
        if (!cJSON_IsString(item))
            return dp_error_set(err, DP_EINVAL, f->name, "must be text");
        *out = strdup(item->valuestring);
    }
    return *out ? DP_OK : dp_error_set(err, DP_ENOMEM, f->name, NULL);
}

static enum dp_status
values_from_json(struct mutation *m, enum mutation_part part, const cJSON *obj,
                 struct dp_error *err)
{
    const char *pname = part_names[part];
    char **values = mutation_part_values(m, part);
    if (!cJSON_IsObject(obj))
        return dp_error_set(err, DP_EINVAL, pname, "must be an object");
    const cJSON *item;
    cJSON_ArrayForEach(item, obj)
    {
        if (part == MUT_PART_CHOOSE && strcmp(item->string, "_deleted") == 0) {
            if (m->choose_deleted != -1)
                return dp_error_set(err, DP_EINVAL, "choose", "names _deleted twice");
            if (!cJSON_IsBool(item))
                return dp_error_set(err, DP_EINVAL, "choose", "_deleted must be true or false");
            m->choose_deleted = cJSON_IsTrue(item);
            continue;
        }
        /* The unknown name itself is not repeated: it came from outside and could be anything. */
        int i = schema_field_index(m->def, item->string);
        if (i < 0)
            return dp_error_set(err, DP_EINVAL, pname, "names a field a %s does not have",
                                m->def->name);
        if (i >= MUTATION_MAX_FIELDS)
            return dp_error_set(err, DP_EINVAL, pname, "has more fields than a mutation can hold");
        if (values[i])
            return dp_error_set(err, DP_EINVAL, m->def->fields[i].name, "appears twice in %s",
                                pname);
        enum dp_status st = value_from_json(&m->def->fields[i], item, &values[i], err);
        if (st != DP_OK)
            return st;
    }
    return DP_OK;
}

enum member {
    MB_MID,
    MB_ID,
    MB_HASH,
    MB_HLC,
    MB_OP,
    MB_T,
    MB_RID,
    MB_BASE_V,
    MB_BASE,
    MB_SET,
    MB_CONFLICT_ID,
    MB_CHOOSE,
    MB_ACTION,
    MB_COMMENT,
    MB_TO,
    MB_COUNT
};

static const char *const member_names[MB_COUNT] = {
    "mid",  "id",  "hash",        "hlc",    "op",     "t",       "rid", "base_v",
    "base", "set", "conflict_id", "choose", "action", "comment", "to",
};

/* Which members each op needs (R) and allows (R or O). */
static const char member_rules[][MB_COUNT] = {
    /*              mid  id   hash hlc  op   t    rid  bv   base set  cid  chs  act  com  to */
    [MUT_CREATE] = {'R', 'R', 'R', 'R', 'R', 'R', 'R', 0, 0, 'R', 0, 0, 0, 0, 0},
    [MUT_UPDATE] = {'R', 'R', 'R', 'R', 'R', 'R', 'R', 'R', 'O', 'R', 0, 0, 0, 0, 0},
    [MUT_DELETE] = {'R', 'R', 'R', 'R', 'R', 'R', 'R', 'R', 0, 0, 0, 0, 0, 0, 0},
    [MUT_RESOLVE] = {'R', 'R', 'R', 'R', 'R', 'O', 'O', 0, 0, 0, 'R', 'R', 0, 0, 0},
    [MUT_REVIEW] = {'R', 'R', 'R', 'R', 'R', 'R', 'R', 0, 0, 0, 0, 0, 'R', 'O', 0},
    [MUT_ASSIGN] = {'R', 'R', 'R', 'R', 'R', 'R', 'R', 0, 0, 0, 0, 0, 0, 0, 'R'},
};

enum dp_status
mutation_envelope_check(const cJSON *obj, int64_t *mid, struct dp_error *err)
{
    int64_t v;
    const cJSON *x;
    if (!cJSON_IsObject(obj))
        return dp_error_set(err, DP_EPROTO, "mutation", "must be an object");
    x = cJSON_GetObjectItemCaseSensitive(obj, "mid");
    if (!json_int(x, 1, &v))
        return dp_error_set(err, DP_EPROTO, "mid", "must be a whole number from 1");
    x = cJSON_GetObjectItemCaseSensitive(obj, "id");
    if (!cJSON_IsString(x))
        return dp_error_set(err, DP_EPROTO, "id", "must be a string");
    x = cJSON_GetObjectItemCaseSensitive(obj, "hash");
    if (!cJSON_IsString(x) || !x->valuestring[0] || strlen(x->valuestring) > MUTATION_WIRE_HASH_MAX)
        return dp_error_set(err, DP_EPROTO, "hash", "must be a string of 1-%d characters",
                            MUTATION_WIRE_HASH_MAX);
    x = cJSON_GetObjectItemCaseSensitive(obj, "hlc");
    if (!cJSON_IsString(x) || !x->valuestring[0] || strlen(x->valuestring) > 64)
        return dp_error_set(err, DP_EPROTO, "hlc", "must be a string of 1-64 characters");
    x = cJSON_GetObjectItemCaseSensitive(obj, "op");
    if (!cJSON_IsString(x))
        return dp_error_set(err, DP_EPROTO, "op", "must be a string");
    if (mid)
        *mid = v;
    return DP_OK;
}

static enum dp_status
parse_members(struct mutation *m, const cJSON *obj, const struct record_def *preset_def,
              const char *preset_rid, const struct dp_date *today, struct dp_error *err)
{
    const cJSON *mb[MB_COUNT] = {0};
    const cJSON *item;
    enum dp_status st;

    if ((st = mutation_envelope_check(obj, NULL, err)) != DP_OK)
        return st;
    cJSON_ArrayForEach(item, obj)
    {
        int k = 0;
        while (k < MB_COUNT && strcmp(item->string, member_names[k]) != 0)
            k++;
        /* The unknown name is not repeated: it came from outside and could be anything. */
        if (k == MB_COUNT)
            return dp_error_set(err, DP_EINVAL, "mutation", "has an unknown member");
        if (mb[k])
            return dp_error_set(err, DP_EINVAL, member_names[k], "appears twice");
        mb[k] = item;
    }

    if (!mutation_op_parse(mb[MB_OP]->valuestring, &m->op))
        return dp_error_set(err, DP_EINVAL, "op", "is not a known operation");
    for (int k = 0; k < MB_COUNT; k++) {
        char rule = member_rules[m->op][k];
        if (rule == 'R' && !mb[k] && !((k == MB_T || k == MB_RID) && m->op == MUT_RESOLVE))
            return dp_error_set(err, DP_EINVAL, member_names[k], "is missing");
        if (!rule && mb[k])
            return dp_error_set(err, DP_EINVAL, member_names[k], "is not allowed in a %s mutation",
                                mutation_op_name(m->op));
    }

    json_int(mb[MB_MID], 1, &m->mid);
    memcpy(m->hash, mb[MB_HASH]->valuestring, strlen(mb[MB_HASH]->valuestring) + 1);
    if (!json_copy(mb[MB_ID], m->mutation_id, sizeof m->mutation_id))
        return dp_error_set(err, DP_EINVAL, "id", "is not a mutation id");
    if ((st = hlc_parse(mb[MB_HLC]->valuestring, &m->hlc, "hlc", err)) != DP_OK)
        return st;

    /* Type and record: from the wire, or for resolve_conflict from the conflict. */
    bool resolve = m->op == MUT_RESOLVE;
    if (mb[MB_T]) {
        if (!cJSON_IsString(mb[MB_T]) || !(m->def = schema_record(mb[MB_T]->valuestring)))
            return dp_error_set(err, DP_EINVAL, "t", "is not a known record type");
        if (resolve && preset_def && preset_def != m->def)
            return dp_error_set(err, DP_EINVAL, "t", "is not the conflict's record type");
    } else {
        m->def = preset_def;
        if (!m->def)
            return dp_error_set(err, DP_EINVAL, "t", "is missing");
    }
    if (m->def->nfields > MUTATION_MAX_FIELDS)
        return dp_error_set(err, DP_EINVAL, "t", "has more fields than a mutation can hold");
    if (mb[MB_RID]) {
        if (!json_copy(mb[MB_RID], m->rid, sizeof m->rid))
            return dp_error_set(err, DP_EINVAL, "rid", "is not a record id");
        if (resolve && preset_rid[0] && strcmp(preset_rid, m->rid) != 0)
            return dp_error_set(err, DP_EINVAL, "rid", "is not the conflict's record");
    } else {
        memcpy(m->rid, preset_rid, MUTATION_UUID_SIZE);
    }

    if (mb[MB_BASE_V] && !json_int(mb[MB_BASE_V], 0, &m->base_v))
        return dp_error_set(err, DP_EINVAL, "base_v", "must be a whole number from 0");
    if (mb[MB_CONFLICT_ID] && !json_copy(mb[MB_CONFLICT_ID], m->conflict_id, sizeof m->conflict_id))
        return dp_error_set(err, DP_EINVAL, "conflict_id", "is not a conflict id");
    if ((mb[MB_BASE] && (st = values_from_json(m, MUT_PART_BASE, mb[MB_BASE], err)) != DP_OK) ||
        (mb[MB_SET] && (st = values_from_json(m, MUT_PART_SET, mb[MB_SET], err)) != DP_OK) ||
        (mb[MB_CHOOSE] && (st = values_from_json(m, MUT_PART_CHOOSE, mb[MB_CHOOSE], err)) != DP_OK))
        return st;
    if (mb[MB_ACTION]) {
        int a = MUT_REVIEW_SUBMIT;
        while (a <= MUT_REVIEW_APPROVE &&
               (!cJSON_IsString(mb[MB_ACTION]) ||
                strcmp(mb[MB_ACTION]->valuestring, mutation_review_names[a])))
            a++;
        if (a > MUT_REVIEW_APPROVE)
            return dp_error_set(err, DP_EINVAL, "action", "is not submit, return or approve");
        m->action = (enum mutation_review)a;
    }
    if (mb[MB_COMMENT]) {
        if (!cJSON_IsString(mb[MB_COMMENT]))
            return dp_error_set(err, DP_EINVAL, "comment", "must be text");
        if (!(m->comment = strdup(mb[MB_COMMENT]->valuestring)))
            return dp_error_set(err, DP_ENOMEM, "comment", NULL);
    }
    if (mb[MB_TO] && !json_copy(mb[MB_TO], m->to, sizeof m->to))
        return dp_error_set(err, DP_EINVAL, "to", "is not a login name");

    return mutation_check(m, today, err);
}

enum dp_status
mutation_from_json(struct mutation *m, const cJSON *obj, const struct dp_date *today,
                   struct dp_error *err)
{
    const struct record_def *preset_def = m->def;
    char preset_rid[MUTATION_UUID_SIZE];
    memcpy(preset_rid, m->rid, sizeof preset_rid);
    preset_rid[sizeof preset_rid - 1] = '\0';
    mutation_done(m);
    enum dp_status st = parse_members(m, obj, preset_def, preset_rid, today, err);
    if (st != DP_OK)
        mutation_done(m);
    return st;
}
