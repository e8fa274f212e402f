#include "core/mutation.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/utf8.h"
#include "core/validate.h"

/* Largest integer a JSON number (an IEEE double in cJSON) holds exactly: 2^53 - 1. */
#define JSON_INT_MAX 9007199254740991LL
/* Byte caps on base values, which are only checked for shape (see check_base_value). */
#define BASE_NONTEXT_MAX 512
#define SET_JSON_MAX     4096

static const char *const op_names[] = {
    [MUT_CREATE] = "create", [MUT_UPDATE] = "update",
    [MUT_DELETE] = "delete", [MUT_RESOLVE] = "resolve_conflict",
    [MUT_REVIEW] = "review", [MUT_ASSIGN] = "assign",
};

static const char *const review_names[] = {
    [MUT_REVIEW_NONE] = "",
    [MUT_REVIEW_SUBMIT] = "submit",
    [MUT_REVIEW_RETURN] = "return",
    [MUT_REVIEW_APPROVE] = "approve",
};

static const char *const part_names[] = {
    [MUT_PART_SET] = "set",
    [MUT_PART_BASE] = "base",
    [MUT_PART_CHOOSE] = "choose",
};

static char **
part_values(struct mutation *m, enum mutation_part part)
{
    switch (part) {
    case MUT_PART_SET:
        return m->set;
    case MUT_PART_BASE:
        return m->base;
    case MUT_PART_CHOOSE:
        return m->choose;
    }
    return NULL;
}

static char *const *
part_values_c(const struct mutation *m, enum mutation_part part)
{
    return part_values((struct mutation *)m, part);
}

static bool
part_empty(const struct mutation *m, enum mutation_part part)
{
    char *const *v = part_values_c(m, part);
    for (size_t i = 0; i < MUTATION_MAX_FIELDS; i++)
        if (v[i])
            return false;
    return true;
}

void
mutation_init(struct mutation *m)
{
    memset(m, 0, sizeof *m);
    m->op = MUT_CREATE;
    m->base_v = -1;
    m->choose_deleted = -1;
}

void
mutation_done(struct mutation *m)
{
    for (size_t i = 0; i < MUTATION_MAX_FIELDS; i++) {
        free(m->base[i]);
        free(m->set[i]);
        free(m->choose[i]);
    }
    free(m->comment);
    mutation_init(m);
}

enum dp_status
mutation_put(struct mutation *m, enum mutation_part part, int field, const char *value)
{
    char **values = part_values(m, part);
    if (!values || !m->def || field < 0 || (size_t)field >= m->def->nfields ||
        field >= MUTATION_MAX_FIELDS)
        return DP_EINVAL;
    char *copy = NULL;
    if (value && !(copy = strdup(value)))
        return DP_ENOMEM;
    free(values[field]);
    values[field] = copy;
    return DP_OK;
}

const char *
mutation_op_name(enum mutation_op op)
{
    if ((unsigned)op >= sizeof op_names / sizeof op_names[0])
        return "unknown";
    return op_names[op];
}

bool
mutation_op_parse(const char *s, enum mutation_op *out)
{
    for (size_t i = 0; s && i < sizeof op_names / sizeof op_names[0]; i++) {
        if (strcmp(s, op_names[i]) == 0) {
            *out = (enum mutation_op)i;
            return true;
        }
    }
    return false;
}

/* ---- checks ------------------------------------------------------------------------------ */

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
    if (part_empty(m, MUT_PART_SET))
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
    if (part_empty(m, MUT_PART_SET))
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
    have[PB_BASE] = !part_empty(m, MUT_PART_BASE);
    have[PB_SET] = !part_empty(m, MUT_PART_SET);
    have[PB_CONFLICT] = m->conflict_id[0] != '\0';
    have[PB_CHOOSE] = !part_empty(m, MUT_PART_CHOOSE) || m->choose_deleted != -1;
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

/* ---- canonical form and hash ------------------------------------------------------------- */

/* A growing output buffer that remembers running out of memory instead of failing each call. */
struct cbuf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void
cb_put(struct cbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void
cb_puts(struct cbuf *b, const char *s)
{
    cb_put(b, s, strlen(s));
}

static void
cb_int(struct cbuf *b, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%" PRId64, v);
    cb_put(b, num, (size_t)n);
}

/* A JSON string: only '"', '\\' and control characters escaped; UTF-8 passes through. */
static void
cb_str(struct cbuf *b, const char *s, size_t n)
{
    cb_put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        cb_put(b, s + run, i - run);
        run = i + 1;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            cb_put(b, esc, 2);
        } else if (c == '\n') {
            cb_put(b, "\\n", 2);
        } else {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            cb_put(b, esc, 6);
        }
    }
    cb_put(b, s + run, n - run);
    cb_put(b, "\"", 1);
}

/* True when s is an integer in canonical decimal form that a JSON number holds exactly. */
static bool
canonical_int(const char *s, int64_t *out)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (!*p || (p[0] == '0' && p[1]) || (s[0] == '-' && p[0] == '0'))
        return false;
    size_t n = 0;
    for (; p[n]; n++)
        if (p[n] < '0' || p[n] > '9')
            return false;
    if (n > 16)
        return false;
    long long v = strtoll(s, NULL, 10);
    if (v > JSON_INT_MAX || v < -JSON_INT_MAX)
        return false;
    *out = v;
    return true;
}

/* One value in its JSON wire form; anything not in canonical form goes as a plain string. */
static void
cb_value(struct cbuf *b, const struct field_def *f, const char *v)
{
    int64_t num;
    if (!*v) {
        cb_puts(b, "null");
        return;
    }
    switch (f->type) {
    case FT_MONEY:
        if (canonical_int(v, &num)) {
            cb_int(b, num);
            return;
        }
        break;
    case FT_BOOL:
        if (strcmp(v, "1") == 0 || strcmp(v, "0") == 0) {
            cb_puts(b, *v == '1' ? "true" : "false");
            return;
        }
        break;
    case FT_SET: {
        cb_put(b, "[", 1);
        const char *p = v;
        for (;;) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            cb_str(b, p, n);
            if (!comma)
                break;
            cb_put(b, ",", 1);
            p = comma + 1;
        }
        cb_put(b, "]", 1);
        return;
    }
    default:
        break;
    }
    cb_str(b, v, strlen(v));
}

/* ,"key":{...} with the non-NULL values in schema order; `always` writes {} when there are none. */
static void
cb_values(struct cbuf *b, const char *key, const struct record_def *def, char *const *values,
          int deleted, bool always)
{
    bool any = deleted >= 0;
    for (size_t i = 0; i < def->nfields && i < MUTATION_MAX_FIELDS && !any; i++)
        any = values[i] != NULL;
    if (!any && !always)
        return;
    cb_put(b, ",\"", 2);
    cb_puts(b, key);
    cb_put(b, "\":{", 3);
    bool first = true;
    if (deleted >= 0) {
        cb_puts(b, deleted ? "\"_deleted\":true" : "\"_deleted\":false");
        first = false;
    }
    for (size_t i = 0; i < def->nfields && i < MUTATION_MAX_FIELDS; i++) {
        if (!values[i])
            continue;
        if (!first)
            cb_put(b, ",", 1);
        first = false;
        cb_str(b, def->fields[i].name, strlen(def->fields[i].name));
        cb_put(b, ":", 1);
        cb_value(b, &def->fields[i], values[i]);
    }
    cb_put(b, "}", 1);
}

static void
cb_key(struct cbuf *b, const char *key, bool first)
{
    cb_puts(b, first ? "{\"" : ",\"");
    cb_puts(b, key);
    cb_put(b, "\":", 2);
}

static void
cb_key_str(struct cbuf *b, const char *key, const char *value)
{
    cb_key(b, key, false);
    cb_str(b, value, strlen(value));
}

enum dp_status
mutation_canonical(const struct mutation *m, char **out, size_t *len)
{
    struct cbuf b = {0};
    char hlc[HLC_STR_SIZE];
    *out = NULL;
    if (!m->def)
        return DP_EINVAL;
    hlc_format(&m->hlc, hlc, sizeof hlc);

    cb_key(&b, "mid", true);
    cb_int(&b, m->mid);
    cb_key_str(&b, "id", m->mutation_id);
    cb_key_str(&b, "hlc", hlc);
    cb_key_str(&b, "op", mutation_op_name(m->op));
    cb_key_str(&b, "t", m->def->name);
    cb_key_str(&b, "rid", m->rid);
    if (m->base_v >= 0) {
        cb_key(&b, "base_v", false);
        cb_int(&b, m->base_v);
    }
    cb_values(&b, "base", m->def, m->base, -1, false);
    cb_values(&b, "set", m->def, m->set, -1, false);
    if (m->conflict_id[0])
        cb_key_str(&b, "conflict_id", m->conflict_id);
    cb_values(&b, "choose", m->def, m->choose, m->choose_deleted, m->op == MUT_RESOLVE);
    if (m->action != MUT_REVIEW_NONE)
        cb_key_str(&b, "action", review_names[m->action]);
    if (m->comment)
        cb_key_str(&b, "comment", m->comment);
    if (m->op == MUT_ASSIGN || m->to[0])
        cb_key_str(&b, "to", m->to);
    cb_put(&b, "}", 1);

    if (b.oom) {
        free(b.p);
        return DP_ENOMEM;
    }
    *out = b.p;
    if (len)
        *len = b.len;
    return DP_OK;
}

enum dp_status
mutation_hash(const struct mutation *m, char *buf, size_t bufsize)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char digest[crypto_hash_sha256_BYTES];
    char *canon;
    size_t len;
    if (bufsize < MUTATION_HASH_SIZE)
        return DP_EINVAL;
    enum dp_status st = mutation_canonical(m, &canon, &len);
    if (st != DP_OK)
        return st;
    crypto_hash_sha256(digest, (const unsigned char *)canon, len);
    free(canon);
    memcpy(buf, "sha256:", 7);
    for (size_t i = 0; i < sizeof digest; i++) {
        buf[7 + 2 * i] = hex[digest[i] >> 4];
        buf[8 + 2 * i] = hex[digest[i] & 15];
    }
    buf[7 + 2 * sizeof digest] = '\0';
    return DP_OK;
}

/* ---- JSON in and out --------------------------------------------------------------------- */

static cJSON *
value_to_json(const struct field_def *f, const char *v)
{
    int64_t num;
    if (!*v)
        return cJSON_CreateNull();
    switch (f->type) {
    case FT_MONEY:
        if (canonical_int(v, &num))
            return cJSON_CreateNumber((double)num);
        break;
    case FT_BOOL:
        if (strcmp(v, "1") == 0 || strcmp(v, "0") == 0)
            return cJSON_CreateBool(*v == '1');
        break;
    case FT_SET: {
        cJSON *arr = cJSON_CreateArray();
        const char *p = v;
        while (arr) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            char *tok = strndup(p, n);
            cJSON *item = tok ? cJSON_CreateString(tok) : NULL;
            free(tok);
            if (!item || !cJSON_AddItemToArray(arr, item)) {
                cJSON_Delete(item);
                cJSON_Delete(arr);
                return NULL;
            }
            if (!comma)
                break;
            p = comma + 1;
        }
        return arr;
    }
    default:
        break;
    }
    return cJSON_CreateString(v);
}

static bool
add_values(cJSON *obj, const char *key, const struct record_def *def, char *const *values,
           int deleted, bool always)
{
    cJSON *o = NULL;
    if ((always || deleted >= 0) && !(o = cJSON_AddObjectToObject(obj, key)))
        return false;
    if (deleted >= 0 && !cJSON_AddBoolToObject(o, "_deleted", deleted))
        return false;
    for (size_t i = 0; i < def->nfields && i < MUTATION_MAX_FIELDS; i++) {
        if (!values[i])
            continue;
        if (!o && !(o = cJSON_AddObjectToObject(obj, key)))
            return false;
        cJSON *item = value_to_json(&def->fields[i], values[i]);
        if (!item || !cJSON_AddItemToObject(o, def->fields[i].name, item)) {
            cJSON_Delete(item);
            return false;
        }
    }
    return true;
}

cJSON *
mutation_to_json(const struct mutation *m)
{
    char hash[MUTATION_HASH_SIZE], hlc[HLC_STR_SIZE];
    if (!m->def)
        return NULL;
    if (!m->hash[0] && mutation_hash(m, hash, sizeof hash) != DP_OK)
        return NULL;
    hlc_format(&m->hlc, hlc, sizeof hlc);
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddNumberToObject(o, "mid", (double)m->mid) &&
              cJSON_AddStringToObject(o, "id", m->mutation_id) &&
              cJSON_AddStringToObject(o, "hash", m->hash[0] ? m->hash : hash) &&
              cJSON_AddStringToObject(o, "hlc", hlc) &&
              cJSON_AddStringToObject(o, "op", mutation_op_name(m->op)) &&
              cJSON_AddStringToObject(o, "t", m->def->name) &&
              cJSON_AddStringToObject(o, "rid", m->rid);
    if (ok && m->base_v >= 0)
        ok = cJSON_AddNumberToObject(o, "base_v", (double)m->base_v) != NULL;
    ok = ok && add_values(o, "base", m->def, m->base, -1, false) &&
         add_values(o, "set", m->def, m->set, -1, false);
    if (ok && m->conflict_id[0])
        ok = cJSON_AddStringToObject(o, "conflict_id", m->conflict_id) != NULL;
    ok = ok && add_values(o, "choose", m->def, m->choose, m->choose_deleted, m->op == MUT_RESOLVE);
    if (ok && m->action != MUT_REVIEW_NONE)
        ok = cJSON_AddStringToObject(o, "action", review_names[m->action]) != NULL;
    if (ok && m->comment)
        ok = cJSON_AddStringToObject(o, "comment", m->comment) != NULL;
    if (ok && (m->op == MUT_ASSIGN || m->to[0]))
        ok = cJSON_AddStringToObject(o, "to", m->to) != NULL;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

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
        struct cbuf b = {0};
        cb_put(&b, "", 0);
        const cJSON *tok;
        cJSON_ArrayForEach(tok, item)
        {
            if (!cJSON_IsString(tok) || !tok->valuestring[0] || strchr(tok->valuestring, ',') ||
                b.len + strlen(tok->valuestring) > SET_JSON_MAX) {
                free(b.p);
                return dp_error_set(err, DP_EINVAL, f->name, "must be a list of choices");
            }
            if (b.len)
                cb_put(&b, ",", 1);
            cb_puts(&b, tok->valuestring);
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
    char **values = part_values(m, part);
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
        while (a <= MUT_REVIEW_APPROVE && (!cJSON_IsString(mb[MB_ACTION]) ||
                                           strcmp(mb[MB_ACTION]->valuestring, review_names[a])))
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

/* ---- client outbox coalescing ------------------------------------------------------------ */

enum dp_status
mutation_coalesce(struct mutation *into, const struct mutation *later)
{
    char *set[MUTATION_MAX_FIELDS] = {0}, *base[MUTATION_MAX_FIELDS] = {0};
    enum dp_status st = DP_OK;

    if (!into->def || into->def != later->def || strcmp(into->rid, later->rid) != 0 ||
        later->op != MUT_UPDATE || (into->op != MUT_CREATE && into->op != MUT_UPDATE))
        return DP_EINVAL;
    /* Copy everything first, so running out of memory leaves `into` as it was. */
    for (size_t i = 0; i < into->def->nfields && i < MUTATION_MAX_FIELDS; i++) {
        if (!later->set[i])
            continue;
        if (!(set[i] = strdup(later->set[i]))) {
            st = DP_ENOMEM;
            goto out;
        }
        if (into->op == MUT_UPDATE && !into->set[i] && later->base[i] &&
            !(base[i] = strdup(later->base[i]))) {
            st = DP_ENOMEM;
            goto out;
        }
    }
    for (size_t i = 0; i < MUTATION_MAX_FIELDS; i++) {
        if (set[i]) {
            free(into->set[i]);
            into->set[i] = set[i];
            set[i] = NULL;
        }
        if (base[i]) {
            free(into->base[i]);
            into->base[i] = base[i];
            base[i] = NULL;
        }
    }
    into->hlc = later->hlc;
    into->hash[0] = '\0';
out:
    for (size_t i = 0; i < MUTATION_MAX_FIELDS; i++) {
        free(set[i]);
        free(base[i]);
    }
    return st;
}
