/*
 * sync_agree: the closing check of every sync test. Compares one client's
 * cache with the server's view and, given the ledger of edits the test made
 * (tests/tools/sync_cache, DOORSTEP_LEDGER), checks that none was lost.
 *
 *   sync_agree DIR PASSFILE EXPORT [LEDGER WHO]
 *
 * EXPORT is `doorstep-server export` output (JSON lines). The cache is
 * opened read-only. It must have nothing waiting (no pending edit, no
 * resolution on its way, no orphan), and:
 *
 *  - every live server record in the user's scope (a worker's assigned
 *    households, a supervisor's team, with their members, visits and needs)
 *    is in the cache with the same version and the same value in every field;
 *  - the cache holds no live record the server does not give this user;
 *  - the open conflicts on records of the scope are the cache's open ones;
 *  - for every (record, field) of the ledger, the value saved last (by
 *    anyone) is, when WHO saved it, still somewhere: the server's current
 *    value, a value kept in a server conflict on that record, or an edit
 *    this cache holds as rejected by the server (with its reason). A
 *    delete is kept when the server holds a tombstone or a delete_vs_edit
 *    conflict.
 *
 * Prints one line per problem and exits 1 if there is any; otherwise one
 * summary line and exit 0.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "core/record.h"
#include "store/store.h"
#include "store/sync_store.h"

struct srv_rec {
    const struct record_def *def;
    struct record rec; /* values as canonical strings */
    int64_t v;
    bool deleted;
};

struct srv_conflict {
    char id[80];
    const struct record_def *def;
    char rid[40];
    char kind[32];
    char state[32];
    cJSON *fields;
};

static struct srv_rec *recs;
static size_t nrecs, caprecs;
static struct srv_conflict *confs;
static size_t nconfs, capconfs;
static long problems;
static struct dp_error err;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
problem(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sync_agree: ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    problems++;
}

static void *
grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    size_t ncap = *cap ? *cap * 2 : 256;
    void *q = realloc(p, ncap * size);
    if (!q) {
        fputs("sync_agree: out of memory\n", stderr);
        exit(2);
    }
    *cap = ncap;
    return q;
}

static const char *
jstr(const cJSON *o, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(it) ? it->valuestring : "";
}

static bool
load_export(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "sync_agree: cannot read %s\n", path);
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *o = cJSON_Parse(line);
        const char *t = jstr(o, "t");
        if (strcmp(t, "conflict") == 0) {
            confs = grow(confs, &capconfs, nconfs, sizeof *confs);
            struct srv_conflict *c = &confs[nconfs++];
            memset(c, 0, sizeof *c);
            snprintf(c->id, sizeof c->id, "%s", jstr(o, "id"));
            c->def = schema_record(jstr(o, "record_t"));
            snprintf(c->rid, sizeof c->rid, "%s", jstr(o, "rid"));
            snprintf(c->kind, sizeof c->kind, "%s", jstr(o, "kind"));
            snprintf(c->state, sizeof c->state, "%s", jstr(o, "state"));
            c->fields = cJSON_DetachItemFromObjectCaseSensitive(o, "fields");
        } else if (schema_record(t)) {
            recs = grow(recs, &caprecs, nrecs, sizeof *recs);
            struct srv_rec *r = &recs[nrecs];
            memset(r, 0, sizeof *r);
            r->def = schema_record(t);
            record_init(&r->rec, r->def);
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "v");
            r->v = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;
            r->deleted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "deleted"));
            if (record_from_json(&r->rec, cJSON_GetObjectItemCaseSensitive(o, "row"), &err) !=
                DP_OK)
                problem("the server export holds an unreadable %s row (%s)", t, err.field);
            nrecs++;
        }
        cJSON_Delete(o);
    }
    free(line);
    fclose(f);
    return true;
}

static struct srv_rec *
server_rec(const struct record_def *def, const char *id)
{
    for (size_t i = 0; i < nrecs; i++)
        if (recs[i].def == def && strcmp(recs[i].rec.values[0], id) == 0)
            return &recs[i];
    return NULL;
}

/* The household a server record belongs to (tombstones too). */
static const char *
household_of(const struct srv_rec *r)
{
    return r->def->parent_field < 0 ? r->rec.values[0] : r->rec.values[r->def->parent_field];
}

static struct sync_identity ident;

static bool
household_in_scope(const char *hid)
{
    const struct srv_rec *h = server_rec(&schema_household, hid);
    if (!h || h->deleted)
        return false;
    if (strcmp(ident.role, "supervisor") == 0)
        return strcmp(record_get(&h->rec, "team"), ident.team) == 0;
    return strcmp(record_get(&h->rec, "assigned_to"), ident.user) == 0;
}

static bool
in_scope(const struct srv_rec *r)
{
    return !r->deleted && household_in_scope(household_of(r));
}

/* Server records in scope are in the cache, equal. */
static long
check_server_side(struct store *st)
{
    long n = 0;
    for (size_t i = 0; i < nrecs; i++) {
        const struct srv_rec *r = &recs[i];
        if (!in_scope(r))
            continue;
        n++;
        struct record got;
        if (store_record_get(st, r->def, r->rec.values[0], &got, &err) != DP_OK) {
            problem("missing here: %s %s", r->def->name, r->rec.values[0]);
            continue;
        }
        if (got.deleted)
            problem("deleted here, live on the server: %s %s", r->def->name, r->rec.values[0]);
        if (got.v != r->v)
            problem("version differs: %s %s (here %lld, server %lld)", r->def->name,
                    r->rec.values[0], (long long)got.v, (long long)r->v);
        for (size_t f = 0; f < r->def->nfields; f++)
            if (strcmp(got.values[f], r->rec.values[f]) != 0)
                problem("differs: %s %s field %s", r->def->name, r->rec.values[0],
                        r->def->fields[f].name);
        record_done(&got);
    }
    return n;
}

static void
check_cache_one(const struct record_def *def, const char *id)
{
    const struct srv_rec *r = server_rec(def, id);
    if (!r)
        problem("held here, unknown to the server: %s %s", def->name, id);
    else if (!in_scope(r))
        problem("held here, %s on the server or out of scope: %s %s",
                r->deleted ? "deleted" : "live", def->name, id);
}

/* Every live record of the cache is one the server gives this user. */
static long
check_cache_side(struct store *st)
{
    struct household_filter f = {0};
    long matched = 0, total = 0, n = 0;
    if (store_household_count(st, &f, &matched, &total, &err) != DP_OK) {
        problem("cannot count households: %s", err.msg);
        return 0;
    }
    struct household_row *rows = calloc((size_t)total + 1, sizeof *rows);
    int got = 0;
    if (!rows || store_household_window(st, &f, 0, (int)total, rows, &got, &err) != DP_OK) {
        free(rows);
        problem("cannot list households: %s", err.msg);
        return 0;
    }
    for (int i = 0; i < got; i++) {
        check_cache_one(&schema_household, rows[i].id);
        n++;
        for (size_t k = 0; schema_records[k]; k++) {
            const struct record_def *def = schema_records[k];
            if (def->parent_field < 0)
                continue;
            struct record *kids = NULL;
            size_t nk = 0;
            if (store_record_list(st, def, rows[i].id, &kids, &nk, &err) != DP_OK) {
                problem("cannot list %s records: %s", def->name, err.msg);
                continue;
            }
            for (size_t j = 0; j < nk; j++, n++)
                check_cache_one(def, kids[j].values[0]);
            store_record_list_free(kids, nk);
        }
    }
    free(rows);
    return n;
}

static bool
conflict_in_scope(const struct srv_conflict *c)
{
    const struct srv_rec *r = c->def ? server_rec(c->def, c->rid) : NULL;
    return r && household_in_scope(household_of(r));
}

static long
check_conflicts(struct store *st)
{
    struct sync_conflict *mine = NULL;
    size_t n = 0;
    long open = 0;
    if (store_sync_conflicts(st, false, &mine, &n, &err) != DP_OK) {
        problem("cannot list conflicts: %s", err.msg);
        return 0;
    }
    for (size_t i = 0; i < nconfs; i++) {
        const struct srv_conflict *c = &confs[i];
        if (strcmp(c->state, "open") != 0 || !conflict_in_scope(c))
            continue;
        open++;
        bool found = false;
        for (size_t k = 0; k < n; k++)
            if (strcmp(mine[k].conflict_id, c->id) == 0)
                found = strcmp(mine[k].state, "open") == 0;
        if (!found)
            problem("open on the server, not open here: conflict %s (%s %s)", c->id,
                    c->def ? c->def->name : "?", c->rid);
    }
    for (size_t k = 0; k < n; k++) {
        if (strcmp(mine[k].state, "open") != 0 && strcmp(mine[k].state, "resolving") != 0)
            continue;
        bool open_there = false;
        for (size_t i = 0; i < nconfs; i++)
            if (strcmp(confs[i].id, mine[k].conflict_id) == 0)
                open_there = strcmp(confs[i].state, "open") == 0;
        if (!open_there)
            problem("open here, not on the server: conflict %s", mine[k].conflict_id);
    }
    store_sync_conflicts_free(mine, n);
    return open;
}

/* ---- the ledger ------------------------------------------------------------------------------ */

struct entry {
    char who[64];
    char t[16];
    char id[40];
    char field[48];
    char *value;
};

static void
unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r == '\\' && r[1]) {
            r++;
            *w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

/* True when a server conflict on def/rid keeps `value` for `field` (as base, server or yours). */
static bool
kept_in_conflict(const struct record_def *def, const char *rid, const char *field,
                 const char *value, bool delete_kind_only)
{
    for (size_t i = 0; i < nconfs; i++) {
        const struct srv_conflict *c = &confs[i];
        if (c->def != def || strcmp(c->rid, rid) != 0)
            continue;
        if (delete_kind_only) {
            if (strcmp(c->kind, "delete_vs_edit") == 0)
                return true;
            continue;
        }
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(c->fields, field);
        static const char *const sides[] = {"base", "server", "yours"};
        for (size_t k = 0; f && k < 3; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, sides[k]);
            if (!v)
                continue;
            cJSON *one = cJSON_CreateObject();
            cJSON_AddItemToObject(one, field, cJSON_Duplicate(v, true));
            struct record tmp;
            bool same = false;
            if (record_init(&tmp, def) == DP_OK && record_from_json(&tmp, one, NULL) == DP_OK)
                same = strcmp(record_get(&tmp, field), value) == 0;
            record_done(&tmp);
            cJSON_Delete(one);
            if (same)
                return true;
        }
    }
    return false;
}

static bool
rejected_here(const struct sync_rejected *rj, size_t nrj, const char *t, const char *id)
{
    for (size_t i = 0; i < nrj; i++)
        if (strcmp(rj[i].t, t) == 0 && strcmp(rj[i].rid, id) == 0)
            return true;
    return false;
}

static long
check_ledger(struct store *st, const char *path, const char *who)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0; /* no edit was made */
    struct entry *v = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) > 0) {
        if (line[len - 1] == '\n')
            line[len - 1] = '\0';
        char *parts[5];
        char *p = line;
        int k = 0;
        for (; k < 4; k++) {
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            parts[k] = p;
            p = tab + 1;
        }
        if (k < 4)
            continue;
        parts[4] = p;
        v = grow(v, &cap, n, sizeof *v);
        struct entry *e = &v[n++];
        snprintf(e->who, sizeof e->who, "%s", parts[0]);
        snprintf(e->t, sizeof e->t, "%s", parts[1]);
        snprintf(e->id, sizeof e->id, "%s", parts[2]);
        snprintf(e->field, sizeof e->field, "%s", parts[3]);
        e->value = strdup(parts[4]);
        unescape(e->value);
    }
    free(line);
    fclose(f);

    struct sync_rejected *rj = NULL;
    size_t nrj = 0;
    if (store_sync_rejected(st, 100000, &rj, &nrj, &err) != DP_OK)
        problem("cannot list rejected edits: %s", err.msg);
    long checked = 0;
    for (size_t i = 0; i < n; i++) {
        const struct entry *e = &v[i];
        bool last = true;
        for (size_t j = i + 1; j < n && last; j++)
            last = !(strcmp(v[j].t, e->t) == 0 && strcmp(v[j].id, e->id) == 0 &&
                     strcmp(v[j].field, e->field) == 0);
        if (!last || strcmp(e->who, who) != 0)
            continue;
        checked++;
        const struct record_def *def = schema_record(e->t);
        const struct srv_rec *r = def ? server_rec(def, e->id) : NULL;
        bool kept = rejected_here(rj, nrj, e->t, e->id);
        if (!kept && def && strcmp(e->field, "_deleted") == 0)
            kept = (r && r->deleted) || kept_in_conflict(def, e->id, NULL, NULL, true);
        else if (!kept && def)
            kept = (r && strcmp(record_get(&r->rec, e->field), e->value) == 0) ||
                   kept_in_conflict(def, e->id, e->field, e->value, false);
        if (!kept)
            problem("lost: %s %s field %s, saved by %s", e->t, e->id, e->field, who);
    }
    free(rj);
    for (size_t i = 0; i < n; i++)
        free(v[i].value);
    free(v);
    return checked;
}

int
main(int argc, char **argv)
{
    if (argc != 4 && argc != 6) {
        fputs("usage: sync_agree DIR PASSFILE EXPORT [LEDGER WHO]\n", stderr);
        return 2;
    }
    char pass[300] = "";
    FILE *pf = fopen(argv[2], "r");
    if (!pf || !fgets(pass, sizeof pass, pf)) {
        fprintf(stderr, "sync_agree: cannot read %s\n", argv[2]);
        return 2;
    }
    fclose(pf);
    pass[strcspn(pass, "\r\n")] = '\0';
    struct store *st = NULL;
    struct store_options ro = {.read_only = true};
    if (store_open_with(argv[1], pass, &ro, &st, &err) != DP_OK) {
        fprintf(stderr, "sync_agree: open: %s\n", err.msg);
        return 2;
    }
    if (!load_export(argv[3]) || store_sync_identity(st, &ident, &err) != DP_OK) {
        store_close(st);
        return 2;
    }
    struct sync_status_info info;
    if (store_sync_status(st, &info, &err) != DP_OK)
        problem("cannot read the sync state: %s", err.msg);
    else if (info.pending || info.resolving || info.orphans)
        problem("still waiting here: %ld pending, %ld resolving, %ld orphans", info.pending,
                info.resolving, info.orphans);
    if (store_sync_check(st, &err) != DP_OK)
        problem("cache check: %s", err.msg);
    long n = check_server_side(st);
    long held = check_cache_side(st);
    long open = check_conflicts(st);
    long edits = argc == 6 ? check_ledger(st, argv[4], argv[5]) : 0;
    store_close(st);
    for (size_t i = 0; i < nrecs; i++)
        record_done(&recs[i].rec);
    free(recs);
    for (size_t i = 0; i < nconfs; i++)
        cJSON_Delete(confs[i].fields);
    free(confs);
    if (problems) {
        printf("sync_agree: %ld problems (%s)\n", problems, ident.user);
        return 1;
    }
    printf("sync_agree: %s agrees with the server: %ld records (%ld held), %ld open conflicts, "
           "%ld saved values kept\n",
           ident.user, n, held, open, edits);
    return 0;
}
