#include "core/merge.h"

#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

static const char *const status_names[] = {
    [MS_APPLIED] = "applied",     [MS_MERGED] = "merged",     [MS_CONFLICT] = "conflict",
    [MS_DUPLICATE] = "duplicate", [MS_REJECTED] = "rejected",
};

static const char *const kind_names[] = {
    [MK_NONE] = "",
    [MK_FIELD] = "field",
    [MK_DELETE_VS_EDIT] = "delete_vs_edit",
};

static const char *const result_names[] = {
    [MF_NONE] = "none",         [MF_APPLY] = "apply",         [MF_NOOP] = "noop",
    [MF_REVERTED] = "reverted", [MF_UNCHANGED] = "unchanged", [MF_CONFLICT] = "conflict",
    [MF_LWW_WON] = "lww_won",   [MF_LWW_LOST] = "lww_lost",   [MF_APPENDED] = "appended",
};

#define NAME_OF(table, i)                                                                          \
    ((unsigned)(i) < sizeof(table) / sizeof((table)[0]) && (table)[i] ? (table)[i] : "unknown")

const char *
merge_status_name(enum merge_status s)
{
    return NAME_OF(status_names, s);
}

const char *
merge_kind_name(enum merge_conflict_kind k)
{
    return NAME_OF(kind_names, k);
}

const char *
merge_field_result_name(enum merge_field_result r)
{
    return NAME_OF(result_names, r);
}

bool
merge_field_writes(enum merge_field_result r)
{
    return r == MF_APPLY || r == MF_REVERTED || r == MF_LWW_WON || r == MF_APPENDED;
}

void
merge_result_init(struct merge_result *r)
{
    memset(r, 0, sizeof *r);
}

void
merge_result_done(struct merge_result *r)
{
    for (size_t i = 0; i < MUTATION_MAX_FIELDS; i++)
        free(r->fields[i].owned);
    merge_result_init(r);
}

static const struct hlc zero_hlc;

/* The attribution goes into a one-line prefix of a note: no control characters. */
static bool
attribution_valid(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

/*
 * Append policy (PROTOCOL.md 8.1): the server's text stays whole, then a
 * line "--- <user> <date>", then the client's text. When the client only
 * added to the end of its base (the usual way notes grow) only the addition
 * follows, so the shared part is not repeated; otherwise all of it does,
 * so nothing is lost either way. *fits is false (no error) when the result
 * would exceed the field's cap: the caller falls back to a manual conflict.
 */
static enum dp_status
append_note(const struct field_def *f, const char *cur, const char *base, const char *set,
            const char *attribution, char **out, bool *fits)
{
    const char *added = set;
    size_t blen = base ? strlen(base) : 0;
    *out = NULL;
    *fits = true;
    if (blen && strncmp(set, base, blen) == 0)
        added = set + blen;
    while (*added == '\n')
        added++;
    size_t clen = strlen(cur), alen = strlen(attribution), len = strlen(added);
    char *p = malloc(clen + 1 + 4 + alen + 1 + len + 1);
    if (!p)
        return DP_ENOMEM;
    size_t n = 0;
    memcpy(p, cur, clen);
    n += clen;
    if (clen)
        p[n++] = '\n';
    memcpy(p + n, "---", 3);
    n += 3;
    if (alen) {
        p[n++] = ' ';
        memcpy(p + n, attribution, alen);
        n += alen;
    }
    p[n++] = '\n';
    memcpy(p + n, added, len);
    n += len;
    p[n] = '\0';
    if (f->max_chars && utf8_count(p) > f->max_chars) {
        free(p);
        *fits = false;
        return DP_OK;
    }
    *out = p;
    return DP_OK;
}

static void
keep_row(struct merge_result *out, const struct merge_row *cur, size_t nfields)
{
    for (size_t i = 0; i < nfields; i++) {
        out->fields[i].result = MF_NONE;
        out->fields[i].value = cur ? cur->values[i] : "";
    }
}

/* An edit (or a differing create) against a tombstone: keep it deleted, hold the edit. */
static void
edit_vs_tombstone(const struct merge_row *cur, char *const *set, struct merge_result *out)
{
    for (size_t i = 0; i < cur->def->nfields; i++) {
        if (!set[i])
            continue;
        out->fields[i].result = MF_CONFLICT;
        out->nconflicts++;
    }
    out->status = MS_CONFLICT;
    out->kind = MK_DELETE_VS_EDIT;
    out->tombstone = true;
    out->write = false;
}

/*
 * The per-field three-way rule (PROTOCOL.md 8.1) for the values `set` over
 * `base` (NULL, or NULL entries, where the client sent no base) as of base_v.
 * A `decision` (a conflict resolution) that picks the base value still means
 * it, where an edit sending its base back is no edit at all.
 */
static enum dp_status
merge_fields(const struct merge_row *cur, char *const *set, int64_t base_v, const char *const *base,
             bool decision, const struct merge_opts *opts, struct merge_result *out)
{
    const struct record_def *def = cur->def;
    /* A base_v the server never reached comes from a timeline a restore
     * threw away: only the base values can be trusted then. */
    bool trust = base_v <= cur->v;

    for (size_t i = 0; i < def->nfields; i++) {
        const struct field_def *f = &def->fields[i];
        struct merge_field *mf = &out->fields[i];
        const char *s = set[i], *c = cur->values[i];
        const char *b = base ? base[i] : NULL;
        if (!s) {
            if (trust && cur->fv[i] > base_v)
                out->nserver_changed++;
            continue;
        }
        enum merge_field_result r;
        if (trust && cur->fv[i] <= base_v)
            r = MF_APPLY; /* rule 1: untouched since the client's base */
        else if (strcmp(c, s) == 0)
            r = MF_NOOP; /* rule 2: the same change on both sides */
        else if (b && strcmp(c, b) == 0)
            r = trust ? MF_REVERTED : MF_APPLY; /* rule 3: changed and changed back */
        else if (b && !decision && strcmp(s, b) == 0)
            r = MF_UNCHANGED; /* the client sent its base back: not an edit */
        else if (f->merge == MERGE_LWW)
            r = hlc_compare(&opts->hlc, cur->fhlc ? &cur->fhlc[i] : &zero_hlc) > 0 ? MF_LWW_WON
                                                                                   : MF_LWW_LOST;
        else if (f->merge == MERGE_APPEND) {
            bool fits;
            enum dp_status st = append_note(f, c, b, s, opts->attribution, &mf->owned, &fits);
            if (st != DP_OK)
                return st;
            r = fits ? MF_APPENDED : MF_CONFLICT;
        } else
            r = MF_CONFLICT;

        mf->result = r;
        if (r == MF_APPENDED)
            mf->value = mf->owned;
        else if (merge_field_writes(r))
            mf->value = s;
        if (merge_field_writes(r))
            out->write = true;
        if (r == MF_CONFLICT)
            out->nconflicts++;
    }
    if (out->nconflicts) {
        out->status = MS_CONFLICT;
        out->kind = MK_FIELD;
    } else {
        out->status = trust && cur->v <= base_v ? MS_APPLIED : MS_MERGED;
    }
    return DP_OK;
}

static void
reject(struct merge_result *out, const char *reason)
{
    out->status = MS_REJECTED;
    out->reason = reason;
    out->write = false;
}

static enum dp_status
merge_create(const struct merge_row *cur, const struct mutation *m, const struct merge_opts *opts,
             struct merge_result *out)
{
    size_t n = m->def->nfields;
    if (!cur) {
        for (size_t i = 0; i < n; i++) {
            if (m->set[i]) {
                out->fields[i].result = MF_APPLY;
                out->fields[i].value = m->set[i];
            }
        }
        out->status = MS_APPLIED;
        out->write = true;
        return DP_OK;
    }
    bool same = true;
    for (size_t i = 0; i < n && same; i++)
        if (m->set[i] && strcmp(m->set[i], cur->values[i]) != 0)
            same = false;
    if (same) {
        for (size_t i = 0; i < n; i++)
            if (m->set[i])
                out->fields[i].result = MF_NOOP;
        out->status = MS_DUPLICATE;
        out->tombstone = cur->deleted;
        return DP_OK;
    }
    if (cur->deleted) {
        edit_vs_tombstone(cur, m->set, out);
        return DP_OK;
    }
    return merge_fields(cur, m->set, 0, NULL, false, opts, out);
}

static void
merge_delete(const struct merge_row *cur, const struct mutation *m, struct merge_result *out)
{
    if (cur->deleted) {
        reject(out, "deleted");
        out->tombstone = true;
        return;
    }
    out->tombstone = true;
    out->write = true;
    bool trust = m->base_v <= cur->v;
    for (size_t i = 0; trust && i < cur->def->nfields; i++) {
        /* Assignment and team changes are not edits a delete could lose. */
        if (cur->fv[i] > m->base_v && !(cur->def->fields[i].flags & FF_SERVER)) {
            out->fields[i].result = MF_CONFLICT;
            out->nconflicts++;
        }
    }
    if (out->nconflicts) {
        out->status = MS_CONFLICT;
        out->kind = MK_DELETE_VS_EDIT;
    } else {
        out->status = trust && cur->v <= m->base_v ? MS_APPLIED : MS_MERGED;
    }
}

static enum dp_status
merge_resolve(const struct merge_row *cur, const struct mutation *m, const struct merge_opts *opts,
              struct merge_result *out)
{
    /* Checked like an update from the moment the conflict opened, so an edit
     * made since then is not overwritten but meets the decision as a conflict. */
    enum dp_status st =
        merge_fields(cur, m->choose, opts->resolve_v, opts->resolve_base, true, opts, out);
    if (st != DP_OK)
        return st;
    if (out->status != MS_CONFLICT)
        out->status = MS_APPLIED;
    /* A decision is a change even where every value stays: the conflict's end is a version. */
    out->write = true;
    out->tombstone = m->choose_deleted == -1 ? cur->deleted : m->choose_deleted == 1;
    return DP_OK;
}

enum dp_status
merge_mutation(const struct merge_row *cur, const struct mutation *m, const struct merge_opts *opts,
               struct merge_result *out, struct dp_error *err)
{
    struct merge_opts dflt;
    enum dp_status st = DP_OK;

    merge_result_done(out);
    if (!m->def || m->def->nfields > MUTATION_MAX_FIELDS)
        return dp_error_set(err, DP_EINVAL, "t", "is not a record type the merge can hold");
    if (cur && (cur->def != m->def || !cur->values || !cur->fv))
        return dp_error_set(err, DP_EINVAL, "t", "the stored row does not match the mutation");
    if (m->op == MUT_REVIEW || m->op == MUT_ASSIGN)
        return dp_error_set(err, DP_EINVAL, "op", "is not decided by the merge rule");
    if (!opts) {
        memset(&dflt, 0, sizeof dflt);
        dflt.hlc = m->hlc;
        dflt.attribution = "";
        opts = &dflt;
    }
    if (!opts->attribution || !attribution_valid(opts->attribution))
        return dp_error_set(err, DP_EINVAL, "attribution", "must be one line of text");

    keep_row(out, cur, m->def->nfields);
    if (!cur && m->op != MUT_CREATE) {
        reject(out, "not_found");
        return DP_OK;
    }
    switch (m->op) {
    case MUT_CREATE:
        st = merge_create(cur, m, opts, out);
        break;
    case MUT_UPDATE:
        if (cur->deleted)
            edit_vs_tombstone(cur, m->set, out);
        else
            st = merge_fields(cur, m->set, m->base_v, (const char *const *)m->base, false, opts,
                              out);
        break;
    case MUT_DELETE:
        merge_delete(cur, m, out);
        break;
    case MUT_RESOLVE:
        st = merge_resolve(cur, m, opts, out);
        break;
    default:
        st = dp_error_set(err, DP_EINVAL, "op", "is not a known operation");
    }
    if (st != DP_OK) {
        if (st == DP_ENOMEM)
            dp_error_set(err, st, NULL, NULL);
        merge_result_done(out);
    }
    return st;
}

/* ---- client rebase ----------------------------------------------------------------------- */

/* The server's verdict on one pending value, by values alone (the client has no fv). */
static enum rebase_flag
rebase_step(const struct field_def *f, const char **sim, const char *base, bool untouched,
            const char *set)
{
    if (strcmp(*sim, set) == 0)
        return RB_SAME;
    /* Without a base value only the record version can say the server kept still. */
    if (base ? strcmp(*sim, base) == 0 : untouched) {
        *sim = set;
        return RB_CLEAN;
    }
    if (base && strcmp(set, base) == 0)
        return RB_NONE; /* not a real edit: the server keeps its value */
    if (f->merge == MERGE_MANUAL)
        return RB_WILL_CONFLICT;
    *sim = set; /* lww or append: assume the edit shows, as the user expects */
    return RB_WILL_AUTO;
}

enum dp_status
merge_rebase(const struct merge_row *server, const struct mutation *const *pending, size_t npending,
             struct rebase_result *out, struct dp_error *err)
{
    const struct record_def *def = server ? server->def : npending ? pending[0]->def : NULL;
    const char *sim[MUTATION_MAX_FIELDS];  /* the server's value as each entry lands */
    const char *last[MUTATION_MAX_FIELDS]; /* the latest pending value */
    bool edits = false, pending_delete = false;
    int64_t delete_base_v = 0;
    int decided_deleted = -1; /* the last resolution's _deleted */

    memset(out, 0, sizeof *out);
    if (!def || def->nfields > MUTATION_MAX_FIELDS || (server && !server->values))
        return dp_error_set(err, DP_EINVAL, "t", "nothing to rebase");
    for (size_t i = 0; i < def->nfields; i++) {
        sim[i] = server ? server->values[i] : "";
        last[i] = NULL;
    }
    /* Replay the entries in mid order, as the server will process them. */
    for (size_t k = 0; k < npending; k++) {
        const struct mutation *p = pending[k];
        if (p->def != def || strcmp(p->rid, pending[0]->rid) != 0)
            return dp_error_set(err, DP_EINVAL, "rid", "pending entries of another record");
        if (p->op == MUT_DELETE) {
            if (!pending_delete)
                delete_base_v = p->base_v;
            pending_delete = true;
            continue;
        }
        if (p->op == MUT_REVIEW || p->op == MUT_ASSIGN)
            continue; /* the server's own rules, not field values */
        if (p->op == MUT_RESOLVE && p->choose_deleted != -1)
            decided_deleted = p->choose_deleted;
        char *const *vals = p->op == MUT_RESOLVE ? p->choose : p->set;
        for (size_t i = 0; i < def->nfields; i++) {
            if (!vals[i])
                continue;
            enum rebase_flag fl;
            if (p->op == MUT_RESOLVE || (p->op == MUT_CREATE && !server)) {
                sim[i] = vals[i]; /* a decision, or a record only this device has */
                fl = RB_CLEAN;
            } else {
                /* A create meeting an existing row is an update with no base; a
                 * field the server never set is then taken as untouched. */
                bool untouched = p->op == MUT_CREATE ? !*sim[i] : server->v <= p->base_v;
                fl = rebase_step(&def->fields[i], &sim[i], p->op == MUT_UPDATE ? p->base[i] : NULL,
                                 untouched, vals[i]);
            }
            last[i] = vals[i];
            if (fl > out->flags[i])
                out->flags[i] = (unsigned char)fl;
            edits = edits || p->op != MUT_RESOLVE;
        }
    }
    for (size_t i = 0; i < def->nfields; i++) {
        out->values[i] = out->flags[i] == RB_NONE ? sim[i] : last[i];
        if (out->flags[i] == RB_WILL_CONFLICT)
            out->nwill_conflict++;
    }
    bool server_deleted = server && server->deleted;
    out->deleted = server_deleted || pending_delete;
    if (decided_deleted != -1 && !pending_delete)
        out->deleted = decided_deleted == 1;
    out->delete_conflict =
        (server_deleted && edits) ||
        (pending_delete && server && !server_deleted && server->v > delete_base_v);
    return DP_OK;
}
