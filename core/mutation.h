/*
 * One outbox entry / push mutation (protocol.md 8.5): what a device asks the
 * server to do to one record. The client builds these, stores them in the
 * outbox and pushes them; the server parses, checks, hashes and merges them
 * (core/merge.h). Both sides use this one definition, so the canonical form
 * and the hash that detects a rolled-back client agree by construction.
 *
 * Field values are canonical strings (core/schema.h), kept in arrays indexed
 * by the record type's schema field index: NULL means "not part of this
 * mutation", "" means "unset". On the wire they take the JSON form of
 * record_to_json: money as a JSON integer, booleans as true/false, sets as
 * arrays of tokens, other types as strings, and null for unset.
 */
#ifndef DOORSTEP_CORE_MUTATION_H
#define DOORSTEP_CORE_MUTATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "core/date.h"
#include "core/hlc.h"
#include "core/schema.h"
#include "core/status.h"

/* Fields per record type this module can hold; every schema fits (a unit test checks). */
#define MUTATION_MAX_FIELDS 32
/* "sha256:" + 64 hex digits + NUL: what mutation_hash writes. */
#define MUTATION_HASH_SIZE 72
/* A received hash is opaque (PROTOCOL.md 6.2): 1-100 characters. */
#define MUTATION_WIRE_HASH_MAX 100
/* Canonical UUID + NUL. */
#define MUTATION_UUID_SIZE 37
/* review comments: PROTOCOL.md 7.4. */
#define MUTATION_COMMENT_MAX 200

enum mutation_op {
    MUT_CREATE,  /* "create": a new record, `set` holds its fields */
    MUT_UPDATE,  /* "update": `set` over `base` as of version `base_v` */
    MUT_DELETE,  /* "delete": tombstone the record last seen at `base_v` */
    MUT_RESOLVE, /* "resolve_conflict": `choose` the outcome of `conflict_id` */
    MUT_REVIEW,  /* "review": a visit's review `action` with a `comment` */
    MUT_ASSIGN,  /* "assign": give a household `to` a worker ("" unassigns) */
};

enum mutation_review {
    MUT_REVIEW_NONE,
    MUT_REVIEW_SUBMIT,  /* "submit" */
    MUT_REVIEW_RETURN,  /* "return": comment required */
    MUT_REVIEW_APPROVE, /* "approve": comment optional */
};

/* Which value array of a mutation. */
enum mutation_part {
    MUT_PART_SET,
    MUT_PART_BASE,
    MUT_PART_CHOOSE,
};

struct mutation {
    int64_t mid;                           /* per-device sequence number, >= 1 */
    char mutation_id[MUTATION_UUID_SIZE];  /* wire "id": UUID for audit */
    char hash[MUTATION_WIRE_HASH_MAX + 1]; /* as received, or as the client computed it */
    struct hlc hlc;                        /* when the edit was made (device clock) */
    enum mutation_op op;                   /* wire "op" */
    const struct record_def *def;          /* wire "t" */
    char rid[MUTATION_UUID_SIZE];          /* record id */
    int64_t base_v;                        /* update/delete: version seen; else -1 */
    char *base[MUTATION_MAX_FIELDS];       /* update: value before the edit (optional) */
    char *set[MUTATION_MAX_FIELDS];        /* create/update: new value */
    char conflict_id[MUTATION_UUID_SIZE];  /* resolve_conflict only; else "" */
    char *choose[MUTATION_MAX_FIELDS];     /* resolve_conflict: final value */
    int choose_deleted;                    /* resolve_conflict "_deleted": -1 absent, 0, 1 */
    enum mutation_review action;           /* review only */
    char *comment;                         /* review: NULL when absent */
    char to[33];                           /* assign: login name, or "" to unassign */
};

/* Set *m up empty (no values, base_v -1, choose_deleted -1). Never fails. */
void mutation_init(struct mutation *m);

/* Free the values and leave *m as mutation_init does. Safe on an initialised or zeroed mutation. */
void mutation_done(struct mutation *m);

/*
 * Put a copy of `value` into part[field] of m (m->def must be set; field is a
 * schema index). NULL removes the entry. DP_EINVAL for a bad index,
 * DP_ENOMEM leaves the previous value in place.
 */
enum dp_status mutation_put(struct mutation *m, enum mutation_part part, int field,
                            const char *value);

/* Wire names: "create", ..., "resolve_conflict", "review", "assign"; and back (false if unknown).
 */
const char *mutation_op_name(enum mutation_op op);
bool mutation_op_parse(const char *s, enum mutation_op *out);

/*
 * Every rule a mutation must satisfy whoever built it (PROTOCOL.md 6-7):
 * the op's required and forbidden parts; a canonical record id, mutation id
 * and conflict id; a valid HLC; set/choose values that pass validate_field()
 * (today may be NULL); no FF_SERVER field sent (DP_EPERM); FF_IMMUTABLE fields
 * only on create (DP_EPERM; a create's "id", if given, must equal rid);
 * `base` naming only fields of `set`, its values well-formed but not
 * re-validated (rules may have tightened since the server stored them);
 * review on visits with a valid action and comment; assign on households to
 * a login name or "". Whether required fields are all present is the
 * record's rule (record_validate on the merged record), since a server may
 * fill some in (a visit's worker). Role (FF_SUPERVISOR) is a separate check:
 * mutation_check_role(). The first problem goes in *err, naming the field,
 * never its value.
 */
enum dp_status mutation_check(const struct mutation *m, const struct dp_date *today,
                              struct dp_error *err);

/* DP_EPERM naming the field when a non-supervisor's mutation sets an FF_SUPERVISOR field. */
enum dp_status mutation_check_role(const struct mutation *m, bool supervisor, struct dp_error *err);

/*
 * The five members every wire mutation must have, with the right type
 * (PROTOCOL.md 6.2): mid (integer >= 1), id (string), hash (string, 1-100
 * characters), hlc (string, 1-64 characters), op (string). Without them a
 * server refuses the whole push (400 invalid-request); every other problem is
 * that mutation's rejection. DP_EPROTO naming the member; *mid (may be NULL)
 * gets the mid on success.
 */
enum dp_status mutation_envelope_check(const cJSON *obj, int64_t *mid, struct dp_error *err);

/*
 * Parse a wire mutation into *m and run mutation_check. Rejects wrong JSON
 * types, unknown or repeated members, members that do not belong to the op,
 * and field names the record type lacks. "hash" is copied as it is: a server
 * compares it byte for byte with the stored one (a rolled-back client). A
 * resolve_conflict may omit "t" and "rid": the caller then presets m->def and
 * m->rid from the conflict before the call (mutation_init, then set them);
 * when the wire has them too they must agree. Other ops ignore presets. On
 * failure *m is left empty and *err names the member or field.
 */
enum dp_status mutation_from_json(struct mutation *m, const cJSON *obj, const struct dp_date *today,
                                  struct dp_error *err);

/*
 * The PROTOCOL.md 6.5 rejection reason for an error from mutation_from_json,
 * mutation_check or mutation_check_role on the wire object `obj`:
 * "unknown_op", "unknown_type", "server_field", "immutable_field",
 * "forbidden" (a supervisor's field) or "invalid". Never NULL.
 */
const char *mutation_reject_reason(const cJSON *obj, const struct dp_error *err);

/*
 * Wire form of m, members in canonical order, with m->hash, or a freshly
 * computed hash when m->hash is "". The caller owns the result
 * (cJSON_Delete); NULL when out of memory or m has no record type.
 */
cJSON *mutation_to_json(const struct mutation *m);

/*
 * The canonical serialisation the hash is taken over: the wire form without
 * "hash", members in a fixed order (mid, id, hlc, op, t, rid, base_v, base,
 * set, conflict_id, choose, action, comment, to), fields in schema order
 * ("_deleted" first in choose), no whitespace, integers
 * without exponent, strings escaped only where JSON requires. *out is a
 * NUL-terminated heap string the caller frees; *len (may be NULL) its length.
 * DP_ENOMEM leaves *out NULL.
 */
enum dp_status mutation_canonical(const struct mutation *m, char **out, size_t *len);

/* "sha256:<64 lower-case hex>" of the canonical form into buf (MUTATION_HASH_SIZE bytes). */
enum dp_status mutation_hash(const struct mutation *m, char *buf, size_t bufsize);

/*
 * Client outbox coalescing (protocol.md 8.7): fold a later pending `update`
 * of the same record into an earlier pending create or update, keeping the
 * earliest base of each field and the latest value and HLC. Only while both
 * are still pending; never for an entry already sent. `into` keeps its mid
 * and mutation id; its hash is cleared (the content changed). DP_EINVAL
 * when the two cannot be combined (other record, other op); DP_EINVAL and
 * DP_ENOMEM leave `into` unchanged.
 */
enum dp_status mutation_coalesce(struct mutation *into, const struct mutation *later);

#endif
