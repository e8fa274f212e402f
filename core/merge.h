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

/* The push result status (protocol.md 8.5); rejected/held are decided elsewhere. */
enum merge_status {
    MS_APPLIED,   /* the server had nothing newer than the client's base */
    MS_MERGED,    /* applied alongside or over concurrent changes, with no conflict */
    MS_CONFLICT,  /* at least one field, or the record's existence, is in conflict */
    MS_DUPLICATE, /* a create of a record that already exists with the same content */
};

enum merge_conflict_kind {
    MK_NONE,
    MK_EDIT_VS_EDIT,   /* "edit_vs_edit": a manual field changed on both sides */
    MK_DELETE_VS_EDIT, /* "delete_vs_edit": a delete met edits, or an edit met a tombstone */
};

struct merge_opts {
    struct hlc hlc;          /* the mutation's stamp after hlc_clamp(); decides lww fields */
    const char *attribution; /* one line put before appended text, e.g. "w123 2025-03-01" */
};

struct merge_field {
    enum merge_field_result result;
    const char *value; /* the field after the merge: borrowed from the row, the mutation or owned */
    char *owned;       /* appended text; freed by merge_result_done */
};

struct merge_result {
    enum merge_status status;
    enum merge_conflict_kind kind;
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
 * of that type and id exists). `opts` NULL means m->hlc and no attribution.
 * `out` must be initialised; it is reset first. On DP_OK:
 *   - out->fields[i].value is the whole resulting row: store every field,
 *     and for each field whose result writes (merge_field_writes) set fv to
 *     the new version and fhlc to opts->hlc;
 *   - out->write says whether the record gets a new version at all;
 *   - for MF_CONFLICT / MF_LWW_WON / MF_LWW_LOST the caller logs base
 *     (m->base, "" for a create), server (cur->values) and client (m->set).
 * Create: no row -> applied; the same content -> duplicate; a tombstone ->
 * delete_vs_edit; otherwise merged as an update with base_v 0 and empty bases.
 * Update: no row -> DP_ENOTFOUND (reject); a tombstone -> delete_vs_edit,
 * nothing written; else the per-field rule of docs/internals/merge.md.
 * Delete: no row -> DP_ENOTFOUND; already deleted -> merged, nothing written;
 * content fields (not FF_SERVER) changed since base_v -> tombstone anyway and
 * delete_vs_edit naming them; else tombstone.
 * Resolve: writes the chosen values (the conflict store checks conflict_id
 * first); the tombstone state is left as it is.
 * A base_v above cur->v comes from a server timeline lost in a restore: the
 * versions are then ignored and only the base values decide.
 * DP_EINVAL for a type mismatch or a missing fv; DP_ENOMEM while appending.
 * On failure *out is left empty.
 */
enum dp_status merge_mutation(const struct merge_row *cur, const struct mutation *m,
                              const struct merge_opts *opts, struct merge_result *out,
                              struct dp_error *err);

/* True for the results that store the client's or a combined value (bump fv and fhlc). */
bool merge_field_writes(enum merge_field_result r);

/* Wire and log names: "applied"...; "edit_vs_edit"...; "apply", "noop"... Never NULL. */
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
