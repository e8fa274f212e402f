/*
 * The sync merge rules (protocol.md 8.5 and 8.8), with no I/O: the server's
 * push handler asks merge_mutation() what one mutation does to the current
 * row, and the client's pull asks merge_rebase() what its working row
 * becomes when a new server row arrives under pending outbox entries. Both
 * sides call the same code, so a "will conflict" shown on the laptop is the
 * conflict the server will open. docs/internals/merge.md explains the rules.
 *
 * Rows are arrays indexed by schema field index, like struct mutation.
 * Nothing here allocates except an appended note (merge_result_done frees it).
 */
#ifndef DOORSTEP_CORE_MERGE_H
#define DOORSTEP_CORE_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hlc.h"
#include "core/mutation.h"
#include "core/schema.h"
#include "core/status.h"

/* A stored row as the merge sees it. Everything is borrowed. */
struct merge_row {
    const struct record_def *def;
    const char *const *values; /* def->nfields canonical strings, "" when unset */
    const int64_t *fv;         /* version at which each field last changed; server only */
    const struct hlc *fhlc;    /* stamp of each field's last write; NULL: all oldest */
    int64_t v;                 /* record version */
    bool deleted;              /* tombstone */
};

/* What happened to one field of a mutation. */
enum merge_field_result {
    MF_NONE,      /* not in the mutation: the stored value stays */
    MF_APPLY,     /* the server had not changed it since the client's base: client value */
    MF_NOOP,      /* the server already holds the client's value */
    MF_REVERTED,  /* the server changed it and changed it back to the base: client value */
    MF_UNCHANGED, /* the client sent its base value back (no real edit): server value stays */
    MF_CONFLICT,  /* manual policy, both changed: server value stays, a conflict is opened */
    MF_LWW_WON,   /* lww, client's stamp newer: client value; server's logged as auto_resolved */
    MF_LWW_LOST,  /* lww, server's stamp newer: server value stays; client's logged */
    MF_APPENDED,  /* append: the client's addition joined to the server's text, attributed */
};

/* The push result status (PROTOCOL.md 6.5); "held" is never produced. */
enum merge_status {
    MS_APPLIED,   /* the server had not changed the record since the client's base */
    MS_MERGED,    /* applied alongside or over concurrent changes, with no conflict */
    MS_CONFLICT,  /* at least one field, or the record's existence, is in conflict */
    MS_DUPLICATE, /* a create of a record that already exists with the same content */
    MS_REJECTED,  /* nothing happened; merge_result.reason says why */
};

enum merge_conflict_kind {
    MK_NONE,
    MK_FIELD,          /* "field": a manual field changed differently on both sides */
    MK_DELETE_VS_EDIT, /* "delete_vs_edit": a delete met edits, or an edit met a tombstone */
};

struct merge_opts {
    struct hlc hlc;          /* the mutation's stamp after hlc_clamp(); decides lww fields */
    const char *attribution; /* "<user> <date>" for the "--- " line before appended text */
    int64_t resolve_v;       /* resolve_conflict: the record's v when the conflict opened */
    const char *const *resolve_base; /* resolve_conflict: the conflict's server values by
                                        field index (NULL, or NULL entries: not known) */
};

struct merge_field {
    enum merge_field_result result;
    const char *value; /* the field after the merge: borrowed from the row, the mutation or owned */
    char *owned;       /* appended text; freed by merge_result_done */
};

struct merge_result {
    enum merge_status status;
    enum merge_conflict_kind kind;
    const char *reason;  /* MS_REJECTED: "not_found" or "deleted" (PROTOCOL.md 6.5); else NULL */
    bool write;          /* some stored value changes, or the record is created or tombstoned */
    bool tombstone;      /* the record ends deleted */
    int nconflicts;      /* fields in MF_CONFLICT */
    int nserver_changed; /* fields outside the mutation the server changed since base_v */
    struct merge_field fields[MUTATION_MAX_FIELDS]; /* by schema index; [def->nfields..] unused */
};

/* Set *r up empty. */
void merge_result_init(struct merge_result *r);

/* Free appended text and leave *r as merge_result_init does. */
void merge_result_done(struct merge_result *r);

/*
 * Server side: what mutation m (already through mutation_check and the
 * role and scope checks) does to the current row `cur` (NULL when no record
 * of that type and id exists). `opts` NULL means m->hlc, no attribution, and
 * for resolve_conflict no known base. `out` must be initialised; it is reset
 * first. On DP_OK:
 *   - out->fields[i].value is the whole resulting row: store every field,
 *     and for each field whose result writes (merge_field_writes) set fv to
 *     the new version and fhlc to opts->hlc;
 *   - out->write says whether the record gets a new version at all, and
 *     out->tombstone whether it ends deleted;
 *   - for MF_CONFLICT / MF_LWW_WON / MF_LWW_LOST the caller stores base
 *     (m->base, or "" when absent), server (cur->values) and yours (m->set).
 * Create: no row -> applied; the same values -> duplicate; a tombstone ->
 * delete_vs_edit; otherwise merged as an update with base_v 0 and no base.
 * Update: no row -> rejected not_found; a tombstone -> delete_vs_edit,
 * nothing written; else the per-field rule of docs/internals/merge.md.
 * Delete: no row -> rejected not_found; a tombstone -> rejected deleted;
 * content fields (not FF_SERVER) changed since base_v -> tombstoned anyway,
 * delete_vs_edit naming them; else tombstoned.
 * Resolve (the caller has checked the conflict is open and belongs to this
 * record): the chosen values go through the same rule with base_v =
 * opts->resolve_v and base = opts->resolve_base, so a field changed again
 * since the conflict opened opens a new conflict; always a new version;
 * choose_deleted 1 keeps or makes a tombstone, 0 restores, -1 leaves it.
 * A base_v above cur->v comes from a server timeline lost in a restore: the
 * versions are then ignored and only the base values decide.
 * DP_EINVAL for review/assign (not merges), a type mismatch, a missing fv or
 * a multi-line attribution; DP_ENOMEM while appending. On failure *out is
 * left empty.
 */
enum dp_status merge_mutation(const struct merge_row *cur, const struct mutation *m,
                              const struct merge_opts *opts, struct merge_result *out,
                              struct dp_error *err);

/* True for the results that store the client's or a combined value (bump fv and fhlc). */
bool merge_field_writes(enum merge_field_result r);

/* Wire and log names: "applied"...; "field", "delete_vs_edit"; "apply", "noop"... Never NULL. */
const char *merge_status_name(enum merge_status s);
const char *merge_kind_name(enum merge_conflict_kind k);
const char *merge_field_result_name(enum merge_field_result r);

/* Client side: how a pending field will fare on the server; a later flag outranks an earlier. */
enum rebase_flag {
    RB_NONE,          /* no pending change (or none the server would see): the server's value */
    RB_SAME,          /* the server already has the pending value: it will converge */
    RB_CLEAN,         /* the server still has the value the edit was based on */
    RB_WILL_AUTO,     /* the server changed an lww or append field too: it will settle it */
    RB_WILL_CONFLICT, /* the server changed a manual field differently: a conflict will open */
};

struct rebase_result {
    const char *values[MUTATION_MAX_FIELDS];  /* new working row, borrowed from the inputs */
    unsigned char flags[MUTATION_MAX_FIELDS]; /* enum rebase_flag */
    bool deleted;                             /* the working row is a tombstone */
    bool delete_conflict; /* an edit meets a server delete, or a delete meets a newer server row */
    int nwill_conflict;   /* fields flagged RB_WILL_CONFLICT */
};

/*
 * Client side (protocol.md 8.8 step 4): the new server row `server` (fv and
 * fhlc may be NULL; NULL when the server has no such record) with this
 * record's pending outbox entries re-applied on top. The entries are replayed
 * in mid order against the server value the way the server will process
 * them, by values (the client keeps no per-field versions); each field is
 * flagged with the worst verdict of its entries, and its working value is
 * its latest pending value (the server's where the flag is RB_NONE). A
 * pending delete is flagged when the server row is newer than its base_v.
 * DP_EINVAL when entries are of another type or record than the first.
 */
enum dp_status merge_rebase(const struct merge_row *server, const struct mutation *const *pending,
                            size_t npending, struct rebase_result *out, struct dp_error *err);

#endif
