#include "core/record.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/money.h"
#include "core/validate.h"

/* Largest integer a double holds exactly; JSON numbers beyond it may already be rounded. */
#define JSON_EXACT_MAX 9007199254740992.0

enum dp_status
record_init(struct record *r, const struct record_def *def)
{
    r->def = def;
    r->values = NULL;
    r->v = 0;
    r->deleted = false;
    if (!def)
        return DP_EINVAL;
    char **values = calloc(def->nfields ? def->nfields : 1, sizeof *values);
    if (!values)
        return DP_ENOMEM;
    for (size_t i = 0; i < def->nfields; i++) {
        values[i] = strdup("");
        if (!values[i]) {
            for (size_t j = 0; j < i; j++)
                free(values[j]);
            free(values);
            return DP_ENOMEM;
        }
    }
    r->values = values;
    return DP_OK;
}

void
record_done(struct record *r)
{
    if (!r)
        return;
    if (r->values && r->def)
        for (size_t i = 0; i < r->def->nfields; i++)
            free(r->values[i]);
    free(r->values);
    r->values = NULL;
    r->def = NULL;
    r->v = 0;
    r->deleted = false;
}

enum dp_status
record_copy(struct record *dst, const struct record *src)
{
    enum dp_status st = record_init(dst, src->def);
    if (st != DP_OK)
        return st;
    if (!src->values)
        return DP_OK;
    for (size_t i = 0; i < src->def->nfields; i++) {
        st = record_set_index(dst, (int)i, src->values[i]);
        if (st != DP_OK) {
            record_done(dst);
            return st;
        }
    }
    dst->v = src->v;
    dst->deleted = src->deleted;
    return DP_OK;
}

const char *
record_get(const struct record *r, const char *field)
{
    if (!r || !r->values)
        return NULL;
    int i = schema_field_index(r->def, field);
    return i < 0 ? NULL : r->values[i];
}

enum dp_status
record_set_index(struct record *r, int index, const char *value)
{
    if (!r || !r->values || index < 0 || (size_t)index >= r->def->nfields)
        return DP_EINVAL;
    /* Copy before freeing: value may be the field's own current string. */
    char *copy = strdup(value ? value : "");
    if (!copy)
        return DP_ENOMEM;
    free(r->values[index]);
    r->values[index] = copy;
    return DP_OK;
}

enum dp_status
record_set(struct record *r, const char *field, const char *value)
{
    if (!r || !r->values)
        return DP_EINVAL;
    return record_set_index(r, schema_field_index(r->def, field), value);
}

/* The field's value if it exists and has type `type`, else NULL. */
static const char *
typed_value(const struct record *r, const char *field, enum field_type type)
{
    if (!r || !r->values)
        return NULL;
    int i = schema_field_index(r->def, field);
    if (i < 0 || r->def->fields[i].type != type)
        return NULL;
    return r->values[i];
}

enum dp_status
record_get_date(const struct record *r, const char *field, struct dp_date *out)
{
    const char *s = typed_value(r, field, FT_DATE);
    if (!s)
        return DP_EINVAL;
    if (!*s)
        return DP_ENOTFOUND;
    struct dp_date d;
    if (date_parse(s, &d, field, NULL) != DP_OK)
        return DP_EINVAL;
    *out = d;
    return DP_OK;
}

enum dp_status
record_get_money(const struct record *r, const char *field, int64_t *fen)
{
    const char *s = typed_value(r, field, FT_MONEY);
    if (!s)
        return DP_EINVAL;
    if (!*s)
        return DP_ENOTFOUND;
    int64_t v;
    if (money_parse_fen(s, &v, field, NULL) != DP_OK)
        return DP_EINVAL;
    *fen = v;
    return DP_OK;
}

bool
record_get_bool(const struct record *r, const char *field)
{
    const char *s = typed_value(r, field, FT_BOOL);
    return s && strcmp(s, "1") == 0;
}

bool
record_set_has(const struct record *r, const char *field, const char *token)
{
    const char *s = typed_value(r, field, FT_SET);
    if (!s || !token || !*token)
        return false;
    size_t n = strlen(token);
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (len == n && memcmp(s, token, n) == 0)
            return true;
        if (!comma)
            break;
        s = comma + 1;
    }
    return false;
}

/* ---- cross-field rules ----------------------------------------------------- */

static enum dp_status
check_household(const struct record *r, struct dp_error *err)
{
    const char *risk = record_get(r, "risk");
    if ((strcmp(risk, "red") == 0 || strcmp(risk, "yellow") == 0) && !*record_get(r, "risk_reason"))
        return dp_error_set(err, DP_EINVAL, "risk_reason",
                            _("is needed when the risk class is red or yellow"));
    return DP_OK;
}

static enum dp_status
check_member(const struct record *r, const struct dp_date *today, struct dp_error *err)
{
    /* validate_field has already refused a birth date after today. */
    struct dp_date birth;
    bool have_birth = record_get_date(r, "birth_date", &birth) == DP_OK;
    const char *idn = record_get(r, "id_number");
    if (!*idn)
        return DP_OK;
    struct id_number_info info;
    enum dp_status st = validate_id_number(idn, today, &info, "id_number", err);
    if (st != DP_OK)
        return st;
    if (have_birth && date_compare(&birth, &info.birth) != 0)
        return dp_error_set(err, DP_EINVAL, "birth_date",
                            _("does not match the birth date in the ID number"));
    const char *sex = record_get(r, "sex");
    if (*sex && (sex[0] != info.sex || sex[1] != '\0'))
        return dp_error_set(err, DP_EINVAL, "sex", _("does not match the sex in the ID number"));
    return DP_OK;
}

static enum dp_status
check_visit(const struct record *r, const struct dp_date *today, struct dp_error *err)
{
    struct dp_date date, next;
    bool have_date = record_get_date(r, "date", &date) == DP_OK;
    if (have_date && today) {
        /* A day of slack: client and server may disagree on the date near midnight. */
        struct dp_date limit = date_from_days(date_to_days(today) + 1);
        if (date_compare(&date, &limit) > 0)
            return dp_error_set(err, DP_EINVAL, "date", _("is in the future"));
    }
    if (have_date && record_get_date(r, "next_visit", &next) == DP_OK &&
        date_compare(&next, &date) < 0)
        return dp_error_set(err, DP_EINVAL, "next_visit", _("is before the visit date"));
    if (*record_get(r, "risk_after") && !*record_get(r, "risk_reason"))
        return dp_error_set(err, DP_EINVAL, "risk_reason",
                            _("is needed when the risk class is reassessed"));
    if (strcmp(record_get(r, "review_state"), "returned") == 0 && !*record_get(r, "review_comment"))
        return dp_error_set(err, DP_EINVAL, "review_comment",
                            _("is needed when a visit is returned"));
    return DP_OK;
}

static enum dp_status
check_need(const struct record *r, struct dp_error *err)
{
    if (strcmp(record_get(r, "status"), "referred") == 0 && !*record_get(r, "referred_to"))
        return dp_error_set(err, DP_EINVAL, "referred_to", _("is needed when a need is referred"));
    return DP_OK;
}

enum dp_status
record_validate(const struct record *r, const struct dp_date *today, struct dp_error *err)
{
    if (!r || !r->values)
        return dp_error_set(err, DP_EINVAL, NULL, _("record is not set up"));
    const struct record_def *def = r->def;
    for (size_t i = 0; i < def->nfields; i++) {
        enum dp_status st = validate_field(&def->fields[i], r->values[i], today, err);
        if (st != DP_OK)
            return st;
    }
    if (def == &schema_household)
        return check_household(r, err);
    if (def == &schema_member)
        return check_member(r, today, err);
    if (def == &schema_visit)
        return check_visit(r, today, err);
    if (def == &schema_need)
        return check_need(r, err);
    return DP_OK;
}

/* ---- ids ------------------------------------------------------------------- */

static bool
read_urandom(unsigned char *buf, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    return got == n;
}

static void
random_bytes(unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = getrandom(buf + got, n - got, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            break;
        got += (size_t)k;
    }
    if (got == n)
        return;
    /* Kernels before 3.17 have no getrandom; a reused id would merge two households. */
    if (!read_urandom(buf, n))
        abort();
}

void
record_new_id(char *buf, size_t bufsize)
{
    static const char hex[] = "0123456789abcdef";
    if (!buf || bufsize == 0)
        return;
    buf[0] = '\0';
    if (bufsize < 37)
        return;
    unsigned char b[16];
    random_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    size_t o = 0;
    for (size_t i = 0; i < sizeof b; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            buf[o++] = '-';
        buf[o++] = hex[b[i] >> 4];
        buf[o++] = hex[b[i] & 0x0f];
    }
    buf[o] = '\0';
}

/* ---- JSON ------------------------------------------------------------------ */

static cJSON *
set_to_json(const char *s)
{
    cJSON *arr = cJSON_CreateArray();
    if (!arr)
        return NULL;
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        char *tok = strndup(s, len);
        cJSON *item = tok ? cJSON_CreateString(tok) : NULL;
        free(tok);
        if (!item) {
            cJSON_Delete(arr);
            return NULL;
        }
        cJSON_AddItemToArray(arr, item);
        if (!comma)
            break;
        s = comma + 1;
    }
    return arr;
}

static cJSON *
value_to_json(const struct field_def *f, const char *v)
{
    int64_t fen;
    switch (f->type) {
    case FT_MONEY:
        if (money_parse_fen(v, &fen, f->name, NULL) == DP_OK)
            return cJSON_CreateNumber((double)fen); /* exact: MONEY_MAX_FEN < 2^53 */
        break;
    case FT_BOOL:
        if (strcmp(v, "1") == 0)
            return cJSON_CreateTrue();
        if (strcmp(v, "0") == 0)
            return cJSON_CreateFalse();
        break;
    case FT_SET:
        return set_to_json(v);
    default:
        break;
    }
    return cJSON_CreateString(v);
}

cJSON *
record_to_json(const struct record *r, bool all)
{
    if (!r || !r->values)
        return NULL;
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return NULL;
    for (size_t i = 0; i < r->def->nfields; i++) {
        const struct field_def *f = &r->def->fields[i];
        const char *v = r->values[i];
        if (!*v && !all)
            continue;
        cJSON *item = *v ? value_to_json(f, v) : cJSON_CreateNull();
        /* Field names are static schema strings, so the object need not copy them. */
        if (!item || !cJSON_AddItemToObjectCS(obj, f->name, item)) {
            cJSON_Delete(item);
            cJSON_Delete(obj);
            return NULL;
        }
    }
    return obj;
}

static enum dp_status
money_from_json(const struct field_def *f, const cJSON *item, char **out, struct dp_error *err)
{
    if (!cJSON_IsNumber(item))
        return dp_error_set(err, DP_EINVAL, f->name, _("must be a number of fen"));
    double d = item->valuedouble;
    if (!isfinite(d) || d != floor(d))
        return dp_error_set(err, DP_EINVAL, f->name, _("must be a whole number of fen"));
    if (d < 0)
        return dp_error_set(err, DP_EINVAL, f->name, _("must not be negative"));
    if (d > JSON_EXACT_MAX || (int64_t)d > MONEY_MAX_FEN)
        return dp_error_set(err, DP_EINVAL, f->name, _("is too large"));
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, (int64_t)d);
    *out = strdup(buf);
    return *out ? DP_OK : DP_ENOMEM;
}

static enum dp_status
set_from_json(const struct field_def *f, const cJSON *item, char **out, struct dp_error *err)
{
    if (!cJSON_IsArray(item))
        return dp_error_set(err, DP_EINVAL, f->name, _("must be a list of choices"));
    uint64_t seen = 0; /* schema choice lists are shorter than 64 (test_schema checks) */
    size_t len = 1;
    for (const cJSON *e = item->child; e; e = e->next) {
        if (!cJSON_IsString(e))
            return dp_error_set(err, DP_EINVAL, f->name, _("must be a list of choices"));
        int k = schema_choice_index(f->choices, e->valuestring);
        if (k < 0 || k >= 64)
            return dp_error_set(err, DP_EINVAL, f->name, _("holds an unknown choice"));
        if (seen & (UINT64_C(1) << k))
            return dp_error_set(err, DP_EINVAL, f->name, _("holds a choice twice"));
        seen |= UINT64_C(1) << k;
        len += strlen(f->choices[k].token) + 1;
    }
    /* Canonical form lists the tokens in choice order, whatever order JSON gave. */
    char *s = malloc(len);
    if (!s)
        return DP_ENOMEM;
    size_t o = 0;
    for (int k = 0; k < 64 && f->choices[k].token; k++) {
        if (!(seen & (UINT64_C(1) << k)))
            continue;
        size_t n = strlen(f->choices[k].token);
        if (o)
            s[o++] = ',';
        memcpy(s + o, f->choices[k].token, n);
        o += n;
    }
    s[o] = '\0';
    *out = s;
    return DP_OK;
}

/* Canonical string for one JSON member into *out (heap), checked against the field. */
static enum dp_status
value_from_json(const struct field_def *f, const cJSON *item, char **out, struct dp_error *err)
{
    enum dp_status st;
    *out = NULL;
    if (cJSON_IsNull(item)) {
        *out = strdup("");
        return *out ? DP_OK : DP_ENOMEM;
    }
    switch (f->type) {
    case FT_MONEY:
        st = money_from_json(f, item, out, err);
        break;
    case FT_BOOL:
        if (!cJSON_IsBool(item))
            return dp_error_set(err, DP_EINVAL, f->name, _("must be true or false"));
        *out = strdup(cJSON_IsTrue(item) ? "1" : "0");
        st = *out ? DP_OK : DP_ENOMEM;
        break;
    case FT_SET:
        st = set_from_json(f, item, out, err);
        break;
    default:
        if (!cJSON_IsString(item))
            return dp_error_set(err, DP_EINVAL, f->name, _("must be text"));
        *out = strdup(item->valuestring);
        st = *out ? DP_OK : DP_ENOMEM;
        break;
    }
    if (st == DP_OK && **out)
        st = validate_field(f, *out, NULL, err);
    if (st != DP_OK) {
        free(*out);
        *out = NULL;
    }
    return st;
}

enum dp_status
record_from_json(struct record *r, const cJSON *obj, struct dp_error *err)
{
    if (!r || !r->values)
        return dp_error_set(err, DP_EINVAL, NULL, _("record is not set up"));
    if (!cJSON_IsObject(obj))
        return dp_error_set(err, DP_EINVAL, NULL, _("expected a JSON object"));
    const struct record_def *def = r->def;
    enum dp_status st = DP_OK;
    /* New values are collected first so that a failure leaves r untouched. */
    char **fresh = calloc(def->nfields ? def->nfields : 1, sizeof *fresh);
    if (!fresh)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    for (const cJSON *item = obj->child; item; item = item->next) {
        int i = item->string ? schema_field_index(def, item->string) : -1;
        if (i < 0) {
            st = dp_error_set(err, DP_EINVAL, item->string, _("is not a field of this record"));
            goto out;
        }
        if (fresh[i]) {
            st = dp_error_set(err, DP_EINVAL, def->fields[i].name, _("is given twice"));
            goto out;
        }
        st = value_from_json(&def->fields[i], item, &fresh[i], err);
        if (st == DP_ENOMEM)
            dp_error_set(err, st, def->fields[i].name, NULL);
        if (st != DP_OK)
            goto out;
    }
    for (size_t i = 0; i < def->nfields; i++) {
        if (!fresh[i])
            continue;
        free(r->values[i]);
        r->values[i] = fresh[i];
        fresh[i] = NULL;
    }
out:
    for (size_t i = 0; i < def->nfields; i++)
        free(fresh[i]);
    free(fresh);
    return st;
}
