#include "tui/form.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/money.h"
#include "core/utf8.h"
#include "core/validate.h"

bool
form_field_is_text(const struct form_field *ff)
{
    switch (ff->type) {
    case FT_ENUM:
    case FT_SET:
    case FT_BOOL:
        return false;
    default:
        return true;
    }
}

static bool
editable(const struct field_def *fd, bool is_new)
{
    if (fd->flags & (FF_HIDDEN | FF_SERVER | FF_SUPERVISOR))
        return false;
    if ((fd->flags & FF_IMMUTABLE) && !is_new)
        return false;
    return true;
}

static char *
dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

enum dp_status
form_field_set(struct form *f, size_t i, const char *canonical)
{
    struct form_field *ff = &f->fields[i];
    if (!canonical)
        canonical = "";
    if (!form_field_is_text(ff)) {
        char *v = strdup(canonical);
        if (!v)
            return DP_ENOMEM;
        free(ff->value);
        ff->value = v;
        return DP_OK;
    }
    if (ff->def->type == FT_MONEY && canonical[0]) {
        int64_t fen;
        char yuan[32];
        if (money_parse_fen(canonical, &fen, ff->def->name, NULL) == DP_OK) {
            money_format_yuan(fen, yuan, sizeof yuan);
            return edit_set(&ff->edit, yuan);
        }
    }
    return edit_set(&ff->edit, canonical);
}

static enum dp_status
add_field(struct form *f, int index)
{
    struct form_field *ff = &f->fields[f->nfields];
    const struct field_def *fd = &f->rec.def->fields[index];
    memset(ff, 0, sizeof *ff);
    ff->def = fd;
    ff->type = fd->type;
    ff->choices = fd->choices;
    ff->index = index;
    f->nfields++;
    if (form_field_is_text(ff)) {
        unsigned cap = fd->max_chars ? fd->max_chars : 40;
        if (edit_init(&ff->edit, cap, fd->type == FT_NOTE) != DP_OK)
            return DP_ENOMEM;
    }
    return form_field_set(f, f->nfields - 1, f->rec.values[index]);
}

enum dp_status
form_init(struct form *f, const struct record *rec, bool is_new, const char *const *only,
          struct dp_error *err)
{
    memset(f, 0, sizeof *f);
    f->is_new = is_new;
    if (record_copy(&f->rec, rec) != DP_OK)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    f->fields = calloc(rec->def->nfields, sizeof *f->fields);
    if (!f->fields)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    if (only) {
        for (size_t k = 0; only[k] && f->nfields < rec->def->nfields; k++) {
            int idx = schema_field_index(rec->def, only[k]);
            if (idx < 0)
                return dp_error_set(err, DP_EINVAL, only[k], "no such field");
            if (add_field(f, idx) != DP_OK)
                return dp_error_set(err, DP_ENOMEM, NULL, NULL);
        }
    } else {
        for (size_t i = 0; i < rec->def->nfields; i++)
            if (editable(&rec->def->fields[i], is_new) && add_field(f, (int)i) != DP_OK)
                return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    return DP_OK;
}

void
form_done(struct form *f)
{
    for (size_t i = 0; f->fields && i < f->nfields; i++) {
        edit_done(&f->fields[i].edit);
        free(f->fields[i].value);
    }
    free(f->fields);
    record_done(&f->rec);
    memset(f, 0, sizeof *f);
}

enum dp_status
form_reference(struct form *f, size_t i, const struct choice *choices)
{
    struct form_field *ff = &f->fields[i];
    if (!form_field_is_text(ff))
        return DP_EINVAL;
    char *value = strdup(ff->edit.buf ? ff->edit.buf : "");
    if (!value)
        return DP_ENOMEM;
    edit_done(&ff->edit);
    ff->value = value;
    ff->type = FT_ENUM;
    ff->choices = choices;
    return DP_OK;
}

enum dp_status
form_restrict(struct form *f, size_t i, const struct choice *choices)
{
    struct form_field *ff = &f->fields[i];
    if (ff->type != FT_ENUM)
        return DP_EINVAL;
    ff->choices = choices;
    return DP_OK;
}

int
form_find(const struct form *f, const char *name)
{
    for (size_t i = 0; i < f->nfields; i++)
        if (strcmp(f->fields[i].def->name, name) == 0)
            return (int)i;
    return -1;
}

/* A copy of s without leading and trailing spaces (single-line fields only). */
static char *
trimmed(const char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    return strndup(s, n);
}

enum dp_status
form_field_value(const struct form_field *ff, char **out, struct dp_error *err)
{
    *out = NULL;
    if (!form_field_is_text(ff)) {
        *out = dup_or_empty(ff->value);
        return *out ? DP_OK : dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    const char *typed = ff->edit.buf ? ff->edit.buf : "";
    if (ff->def->type == FT_NOTE) {
        *out = strdup(typed);
        return *out ? DP_OK : dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    char *t = trimmed(typed);
    if (!t)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    if (ff->def->type == FT_MONEY && t[0]) {
        int64_t fen;
        char buf[32];
        enum dp_status st = money_parse_yuan(t, &fen, _(ff->def->label), err);
        free(t);
        if (st != DP_OK)
            return st;
        money_format_fen(fen, buf, sizeof buf);
        *out = strdup(buf);
        return *out ? DP_OK : dp_error_set(err, DP_ENOMEM, NULL, NULL);
    }
    if (ff->def->type == FT_ID_NUMBER && t[0]) {
        /* A lower-case x at the end is what people type; store it upper-case. */
        char buf[32];
        if (id_number_normalise(t, buf, sizeof buf)) {
            free(t);
            *out = strdup(buf);
            return *out ? DP_OK : dp_error_set(err, DP_ENOMEM, NULL, NULL);
        }
    }
    *out = t;
    return DP_OK;
}

enum dp_status
form_check_field(struct form *f, size_t i, const struct dp_date *today)
{
    struct form_field *ff = &f->fields[i];
    struct dp_error err = {0};
    char *v = NULL;
    enum dp_status st = form_field_value(ff, &v, &err);
    if (st == DP_OK)
        st = validate_field(ff->def, v, today, &err);
    free(v);
    if (st == DP_OK)
        ff->error[0] = '\0';
    else
        snprintf(ff->error, sizeof ff->error, "%s", err.msg[0] ? err.msg : dp_strerror(st));
    return st;
}

enum dp_status
form_to_record(struct form *f, const struct dp_date *today, struct record *out, size_t *bad,
               struct dp_error *err)
{
    enum dp_status first = DP_OK;
    *bad = f->nfields;
    for (size_t i = 0; i < f->nfields; i++) {
        enum dp_status st = form_check_field(f, i, today);
        if (st != DP_OK && first == DP_OK) {
            first = st;
            *bad = i;
            dp_error_set(err, st, f->fields[i].def->name, "%s", f->fields[i].error);
        }
    }
    if (first != DP_OK)
        return first;
    if (record_copy(out, &f->rec) != DP_OK)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    for (size_t i = 0; i < f->nfields; i++) {
        char *v = NULL;
        enum dp_status st = form_field_value(&f->fields[i], &v, err);
        if (st == DP_OK)
            st = record_set_index(out, f->fields[i].index, v);
        free(v);
        if (st != DP_OK) {
            record_done(out);
            *bad = i;
            return st;
        }
    }
    enum dp_status st = record_validate(out, today, err);
    if (st != DP_OK) {
        /* Point at the field the record check names, when it is on the form. */
        int k = err && err->field[0] ? form_find(f, err->field) : -1;
        if (k >= 0) {
            *bad = (size_t)k;
            snprintf(f->fields[k].error, sizeof f->fields[k].error, "%s", err->msg);
        }
        record_done(out);
    }
    return st;
}

static int
choice_count(const struct choice *c)
{
    int n = 0;
    while (c && c[n].token)
        n++;
    return n;
}

static void
set_value(struct form *f, size_t i, const char *v)
{
    if (form_field_set(f, i, v) == DP_OK)
        form_touch(f, i);
}

void
form_choice_step(struct form *f, size_t i, int dir)
{
    struct form_field *ff = &f->fields[i];
    if (ff->type == FT_BOOL) {
        form_toggle(f, i, 0);
        return;
    }
    if (ff->type != FT_ENUM)
        return;
    int n = choice_count(ff->choices);
    int cur = schema_choice_index(ff->choices, ff->value);
    bool can_unset = !(ff->def->flags & FF_REQUIRED);
    /* Positions: -1 (unset, when allowed), 0..n-1. */
    int lo = can_unset ? -1 : 0, next = cur + (dir >= 0 ? 1 : -1);
    if (cur < 0 && !can_unset)
        next = dir >= 0 ? 0 : n - 1;
    if (next >= n)
        next = lo;
    if (next < lo)
        next = n - 1;
    set_value(f, i, next < 0 ? "" : ff->choices[next].token);
}

bool
form_choice_letter(struct form *f, size_t i, uint32_t cp)
{
    struct form_field *ff = &f->fields[i];
    if (ff->type != FT_ENUM)
        return false;
    int n = choice_count(ff->choices);
    int cur = schema_choice_index(ff->choices, ff->value);
    for (int k = 1; k <= n; k++) {
        int c = (cur + k + n) % n;
        const char *label = _(ff->choices[c].label);
        uint32_t first;
        utf8_decode(label, strlen(label), &first);
        if (first < 128 && cp < 128 ? tolower((int)first) == tolower((int)cp) : first == cp) {
            set_value(f, i, ff->choices[c].token);
            return true;
        }
    }
    return false;
}

bool
form_set_has(const struct form_field *ff, int choice)
{
    const char *tok = ff->choices[choice].token, *p = ff->value;
    size_t n = strlen(tok);
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, tok, n) == 0)
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

void
form_toggle(struct form *f, size_t i, int choice)
{
    struct form_field *ff = &f->fields[i];
    if (ff->type == FT_BOOL) {
        set_value(f, i, strcmp(ff->value ? ff->value : "", "1") == 0 ? "0" : "1");
        return;
    }
    if (ff->type != FT_SET || choice < 0 || choice >= choice_count(ff->choices))
        return;
    /* Rebuild in choice order: the canonical form of a set. */
    char buf[512] = "";
    size_t len = 0;
    for (int c = 0; ff->choices[c].token; c++) {
        bool on = form_set_has(ff, c);
        if (c == choice)
            on = !on;
        if (!on)
            continue;
        int w = snprintf(buf + len, sizeof buf - len, "%s%s", len ? "," : "", ff->choices[c].token);
        if (w < 0 || (size_t)w >= sizeof buf - len)
            break;
        len += (size_t)w;
    }
    set_value(f, i, buf);
}

void
form_touch(struct form *f, size_t i)
{
    f->fields[i].user_changed = true;
    f->changed = true;
    f->draft_dirty = true;
}

/* ---- drafts -------------------------------------------------------------- */

static bool
append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t nc = *cap ? *cap : 256;
        while (*len + n + 1 > nc)
            nc *= 2;
        char *nb = realloc(*buf, nc);
        if (!nb)
            return false;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return true;
}

char *
form_draft_text(const struct form *f)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (!append(&buf, &len, &cap, "", 0))
        return NULL;
    for (size_t i = 0; i < f->nfields; i++) {
        const struct form_field *ff = &f->fields[i];
        const char *v = form_field_is_text(ff) ? ff->edit.buf : ff->value;
        bool ok = append(&buf, &len, &cap, ff->def->name, strlen(ff->def->name)) &&
                  append(&buf, &len, &cap, "=", 1);
        for (const char *p = v ? v : ""; ok && *p; p++) {
            if (*p == '\n')
                ok = append(&buf, &len, &cap, "\\n", 2);
            else if (*p == '\\')
                ok = append(&buf, &len, &cap, "\\\\", 2);
            else
                ok = append(&buf, &len, &cap, p, 1);
        }
        if (!ok || !append(&buf, &len, &cap, "\n", 1)) {
            free(buf);
            return NULL;
        }
    }
    return buf;
}

enum dp_status
form_draft_apply(struct form *f, const char *text)
{
    const char *p = text;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t linelen = eol ? (size_t)(eol - p) : strlen(p);
        const char *eq = memchr(p, '=', linelen);
        if (eq) {
            char name[64];
            size_t nlen = (size_t)(eq - p);
            char *value = malloc(linelen + 1);
            if (!value)
                return DP_ENOMEM;
            size_t vlen = 0;
            for (const char *q = eq + 1; q < p + linelen; q++) {
                if (*q == '\\' && q + 1 < p + linelen) {
                    q++;
                    value[vlen++] = *q == 'n' ? '\n' : *q;
                } else {
                    value[vlen++] = *q;
                }
            }
            value[vlen] = '\0';
            int k = -1;
            if (nlen < sizeof name) {
                memcpy(name, p, nlen);
                name[nlen] = '\0';
                k = form_find(f, name);
            }
            if (k >= 0) {
                struct form_field *ff = &f->fields[k];
                const char *cur = form_field_is_text(ff) ? ff->edit.buf : ff->value;
                bool differs = strcmp(cur ? cur : "", value) != 0;
                enum dp_status st = form_field_is_text(ff) ? edit_set(&ff->edit, value)
                                                           : form_field_set(f, (size_t)k, value);
                if (st != DP_OK) {
                    free(value);
                    return st;
                }
                if (differs) {
                    ff->user_changed = true;
                    f->changed = true;
                }
            }
            explicit_bzero(value, vlen);
            free(value);
        }
        p = eol ? eol + 1 : NULL;
    }
    return DP_OK;
}
