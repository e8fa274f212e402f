/*
 * The rules a mutation must satisfy whoever built it (mutation_check,
 * mutation_check_role), and the protocol's rejection reason for a failure.
 */
#include "core/mutation_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "core/validate.h"

/* Byte cap on base values that are not text, which are only checked for shape. */
#define BASE_NONTEXT_MAX 512

static bool
is_text_type(enum field_type t)
{
    return t == FT_TEXT || t == FT_NAME || t == FT_NOTE;
}

/* validate_field, with the error always naming the schema field. */
static enum dp_status
check_value(const struct field_def *f, const char *value, const struct dp_date *today,
            struct dp_error *err)
{
    enum dp_status st = validate_field(f, value, today, err);
    if (st != DP_OK && err)
        snprintf(err->field, sizeof err->field, "%s", f->name);
    return st;
}

/*
 * A base value is what the device last saw from the server. Rules may have
 * tightened since the server stored it, so it is not re-validated (that
 * would reject the edit forever); it only has to be text of a sane size,
 * since all the merge ever does with it is compare.
 */
static enum dp_status
check_base_value(const struct field_def *f, const char *v, struct dp_error *err)
{
    size_t n = strlen(v);
    size_t cap = is_text_type(f->type) ? 4 * (size_t)f->max_chars : BASE_NONTEXT_MAX;
    if (n > cap)
        return dp_error_set(err, DP_EINVAL, f->name, "base value is too long");
    if (!utf8_valid(v, n))
        return dp_error_set(err, DP_EINVAL, f->name, "base value is not valid UTF-8 text");
    return DP_OK;
}

/* The rules for one device-written value (set or choose) other than its content. */
static enum dp_status
check_writable(const struct field_def *f, bool creating, struct dp_error *err)
{
    if (f->flags & FF_SERVER)
        return dp_error_set(err, DP_EPERM, f->name, "is kept by the server and cannot be sent");
    if ((f->flags & FF_IMMUTABLE) && !creating)
        return dp_error_set(err, DP_EPERM, f->name, "cannot be changed after the record is made");
    return DP_OK;
}

static enum dp_status
check_create(const struct mutation *m, const struct dp_date *today, struct dp_error *err)
{
    const struct record_def *def = m->def;
    enum dp_status st;
    if (mutation_part_empty(m, MUT_PART_SET))
        return dp_error_set(err, DP_EINVAL, "set", "is missing or empty");
    int id_index = schema_field_index(def, "id");
    for (size_t i = 0; i < def->nfields; i++) {
        const struct field_def *f = &def->fields[i];
        const char *v = m->set[i];
        if (!v)
            continue;
        if ((st = check_writable(f, true, err)) != DP_OK ||
            (st = check_value(f, v, today, err)) != DP_OK)
            return st;
        if ((int)i == id_index && strcmp(v, m->rid) != 0)
            return dp_error_set(err, DP_EINVAL, f->name, "differs from the record id");
    }
    return DP_OK;
}

static enum dp_status
check_update(const struct mutation *m, const struct dp_date *today, struct dp_error *err)
{
    const struct record_def *def = m->def;
    enum dp_status st;
    if (mutation_part_empty(m, MUT_PART_SET))
        return dp_error_set(err, DP_EINVAL, "set", "is missing or empty");
    for (size_t i = 0; i < def->nfields; i++) {
        const struct field_def *f = &def->fields[i];
        if (!m->set[i]) {
            if (m->base[i])
                return dp_error_set(err, DP_EINVAL, f->name, "has a base value but no new value");
            continue;
        }
        if ((st = check_writable(f, false, err)) != DP_OK ||
            (st = check_value(f, m->set[i], today, err)) != DP_OK)
            return st;
        if (m->base[i] && (st = check_base_value(f, m->base[i], err)) != DP_OK)
            return st;
    }
    return DP_OK;
}

static enum dp_status
check_resolve(const struct mutation *m, const struct dp_date *today, struct dp_error *err)
{
    const struct record_def *def = m->def;
    enum dp_status st;
    if (validate_uuid(m->conflict_id, "conflict_id", NULL) != DP_OK)
        return dp_error_set(err, DP_EINVAL, "conflict_id", "is not a conflict id");
    if (m->choose_deleted < -1 || m->choose_deleted > 1)
        return dp_error_set(err, DP_EINVAL, "choose", "has a bad deletion choice");
    /* An empty choice is meaningful: it discards an out-of-scope edit. */
    for (size_t i = 0; i < def->nfields; i++) {
        const struct field_def *f = &def->fields[i];
        if (!m->choose[i])
            continue;
        if ((st = check_writable(f, false, err)) != DP_OK ||
            (st = check_value(f, m->choose[i], today, err)) != DP_OK)
            return st;
    }
    return DP_OK;
}

static enum dp_status
check_review(const struct mutation *m, struct dp_error *err)
{
    if (m->def != &schema_visit)
        return dp_error_set(err, DP_EINVAL, "t", "only visits are reviewed");
    const char *c = m->comment ? m->comment : "";
    switch (m->action) {
    case MUT_REVIEW_SUBMIT:
        if (*c)
            return dp_error_set(err, DP_EINVAL, "comment", "is not allowed when submitting");
        return DP_OK;
    case MUT_REVIEW_RETURN:
        if (!*c)
            return dp_error_set(err, DP_EINVAL, "comment", "is required when returning a visit");
        return validate_text(c, MUTATION_COMMENT_MAX, false, "comment", err);
    case MUT_REVIEW_APPROVE:
        return validate_text(c, MUTATION_COMMENT_MAX, false, "comment", err);
    case MUT_REVIEW_NONE:
        break;
    }
    return dp_error_set(err, DP_EINVAL, "action", "is not submit, return or approve");
}

static enum dp_status
check_assign(const struct mutation *m, struct dp_error *err)
{
    if (m->def != &schema_household)
        return dp_error_set(err, DP_EINVAL, "t", "only households are assigned");
    if (!m->to[0])
        return DP_OK; /* unassign */
    return validate_username(m->to, "to", err);
}

/* What each op needs (R), may have (O) or must not have (0), beyond the five envelope members. */
enum part_bit {
    PB_BASE_V,
    PB_BASE,
    PB_SET,
    PB_CONFLICT,
    PB_CHOOSE,
    PB_ACTION,
    PB_COMMENT,
    PB_TO,
    PB_COUNT
};

static const char *const part_bit_names[PB_COUNT] = {
    "base_v", "base", "set", "conflict_id", "choose", "action", "comment", "to",
};

static const char op_parts[][PB_COUNT] = {
    /*              base_v base set  cid  choose action comment to */
    [MUT_CREATE] = {0, 0, 'R', 0, 0, 0, 0, 0},   [MUT_UPDATE] = {'R', 'O', 'R', 0, 0, 0, 0, 0},
    [MUT_DELETE] = {'R', 0, 0, 0, 0, 0, 0, 0},   [MUT_RESOLVE] = {0, 0, 0, 'R', 'R', 0, 0, 0},
    [MUT_REVIEW] = {0, 0, 0, 0, 0, 'R', 'O', 0}, [MUT_ASSIGN] = {0, 0, 0, 0, 0, 0, 0, 'R'},
};

/* Which parts m holds, by the same bits. */
static void
parts_present(const struct mutation *m, bool have[PB_COUNT])
{
    have[PB_BASE_V] = m->base_v != -1;
    have[PB_BASE] = !mutation_part_empty(m, MUT_PART_BASE);
    have[PB_SET] = !mutation_part_empty(m, MUT_PART_SET);
    have[PB_CONFLICT] = m->conflict_id[0] != '\0';
    have[PB_CHOOSE] = !mutation_part_empty(m, MUT_PART_CHOOSE) || m->choose_deleted != -1;
    have[PB_ACTION] = m->action != MUT_REVIEW_NONE;
    have[PB_COMMENT] = m->comment != NULL;
    have[PB_TO] = m->to[0] != '\0';
}

enum dp_status
mutation_check(const struct mutation *m, const struct dp_date *today, struct dp_error *err)
{
    enum dp_status st;
    if ((unsigned)m->op >= sizeof op_parts / sizeof op_parts[0])
        return dp_error_set(err, DP_EINVAL, "op", "is not a known operation");
    if (!m->def)
        return dp_error_set(err, DP_EINVAL, "t", "is missing");
    if (m->def->nfields > MUTATION_MAX_FIELDS)
        return dp_error_set(err, DP_EINVAL, "t", "has more fields than a mutation can hold");
    for (size_t i = m->def->nfields; i < MUTATION_MAX_FIELDS; i++)
        if (m->set[i] || m->base[i] || m->choose[i])
            return dp_error_set(err, DP_EINVAL, "t", "has no field at a given position");
    if (m->mid < 1)
        return dp_error_set(err, DP_EINVAL, "mid", "must be a whole number from 1");
    if (validate_uuid(m->mutation_id, "id", NULL) != DP_OK)
        return dp_error_set(err, DP_EINVAL, "id", "is not a mutation id");
    if ((st = validate_uuid(m->rid, "rid", err)) != DP_OK)
        return st;
    if (!hlc_node_valid(m->hlc.node) || m->hlc.ms > HLC_MS_MAX)
        return dp_error_set(err, DP_EINVAL, "hlc", "is not a clock stamp");
    if (m->base_v < -1)
        return dp_error_set(err, DP_EINVAL, "base_v", "must be a whole number from 0");

    /* Required and forbidden parts. "set" is checked per op below, since an
     * empty set object and no set read the same here; "to" "" means unassign. */
    bool have[PB_COUNT];
    parts_present(m, have);
    for (int k = 0; k < PB_COUNT; k++) {
        char rule = op_parts[m->op][k];
        if (!rule && have[k])
            return dp_error_set(err, DP_EINVAL, part_bit_names[k],
                                "is not allowed in a %s mutation", mutation_op_name(m->op));
        if (rule == 'R' && !have[k] && k != PB_SET && k != PB_CHOOSE && k != PB_TO)
            return dp_error_set(err, DP_EINVAL, part_bit_names[k], "is missing");
    }

    switch (m->op) {
    case MUT_CREATE:
        return check_create(m, today, err);
    case MUT_UPDATE:
        return check_update(m, today, err);
    case MUT_DELETE:
        return DP_OK;
    case MUT_RESOLVE:
        return check_resolve(m, today, err);
    case MUT_REVIEW:
        return check_review(m, err);
    case MUT_ASSIGN:
        return check_assign(m, err);
    }
    return dp_error_set(err, DP_EINVAL, "op", "is not a known operation");
}

enum dp_status
mutation_check_role(const struct mutation *m, bool supervisor, struct dp_error *err)
{
    if (supervisor || !m->def)
        return DP_OK;
    for (size_t i = 0; i < m->def->nfields && i < MUTATION_MAX_FIELDS; i++) {
        const struct field_def *f = &m->def->fields[i];
        if ((f->flags & FF_SUPERVISOR) && (m->set[i] || m->choose[i]))
            return dp_error_set(err, DP_EPERM, f->name, "only a supervisor may change this");
    }
    return DP_OK;
}

const char *
mutation_reject_reason(const cJSON *obj, const struct dp_error *err)
{
    if (!err)
        return "invalid";
    if (strcmp(err->field, "op") == 0 && err->code == DP_EINVAL)
        return "unknown_op";
    if (strcmp(err->field, "t") == 0 && err->code == DP_EINVAL) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "t");
        if (cJSON_IsString(t) && !schema_record(t->valuestring))
            return "unknown_type";
        return "invalid";
    }
    if (err->code != DP_EPERM)
        return "invalid";
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(obj, "t");
    const struct record_def *def = cJSON_IsString(t) ? schema_record(t->valuestring) : NULL;
    const struct field_def *f = schema_field(def, err->field);
    if (f && (f->flags & FF_SERVER))
        return "server_field";
    if (f && (f->flags & FF_IMMUTABLE))
        return "immutable_field";
    return "forbidden";
}
