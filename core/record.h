/*
 * A generic record: one string per schema field, in canonical form.
 * Forms, the store, sync and the server all pass records like this, so a
 * field added to the schema needs no new plumbing.
 */
#ifndef DOORSTEP_CORE_RECORD_H
#define DOORSTEP_CORE_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

#include "core/date.h"
#include "core/schema.h"
#include "core/status.h"

struct record {
    const struct record_def *def;
    char **values; /* def->nfields heap strings; "" when unset; never NULL after init */
    int64_t v;     /* server version this record is based on; 0 if never synced */
    bool deleted;  /* tombstone */
};

/* Set up an empty record of type def (all fields ""). DP_ENOMEM leaves *r empty-safe. */
enum dp_status record_init(struct record *r, const struct record_def *def);

/* Free the values; *r may then be re-initialised. Safe on a zeroed record. */
void record_done(struct record *r);

/* Deep copy src into dst (dst must not be initialised). */
enum dp_status record_copy(struct record *dst, const struct record *src);

/* Value of a field by name, "" when unset, NULL when the name is unknown. */
const char *record_get(const struct record *r, const char *field);

/* Set a field by name (copies value; NULL means unset). DP_EINVAL if no such field. */
enum dp_status record_set(struct record *r, const char *field, const char *value);

/* Set a field by index. */
enum dp_status record_set_index(struct record *r, int index, const char *value);

/*
 * Typed reads of a field's canonical value, for rules and forms.
 * DP_ENOTFOUND when the field is unset, DP_EINVAL when the name is unknown,
 * the field has another type, or the stored value is not canonical.
 * *out is written only on DP_OK.
 */
enum dp_status record_get_date(const struct record *r, const char *field, struct dp_date *out);
enum dp_status record_get_money(const struct record *r, const char *field, int64_t *fen);

/* True only when a FT_BOOL field holds "1" (unset, "0" and unknown fields are false). */
bool record_get_bool(const struct record *r, const char *field);

/* True when a FT_SET field holds `token` among its comma-separated tokens. */
bool record_set_has(const struct record *r, const char *field, const char *token);

/*
 * Validate every field (validate_field) and cross-field rules; the first problem goes in *err.
 * Cross-field rules (the field named in *err is the one to correct):
 *   household: risk red or yellow needs risk_reason;
 *   member: birth_date and sex must match what id_number encodes; birth_date not after today;
 *   visit: date at most one day after today (time-zone slack); next_visit not before date;
 *          risk_after needs risk_reason; review_state "returned" needs review_comment;
 *   need: status "referred" needs referred_to.
 * Only "not after today" rules use `today`, because they stay true as time passes: a
 * record valid when saved must stay valid when the server checks it days later (so a
 * need's follow_up date in the past is allowed; forms may warn about it).
 * `today` may be NULL: the rules that need it are then skipped.
 */
enum dp_status record_validate(const struct record *r, const struct dp_date *today,
                               struct dp_error *err);

/*
 * Fresh random UUIDv4 in canonical lower-case form into buf (at least 37
 * bytes; a smaller buf gets ""). Randomness comes from getrandom(2); if the
 * kernel cannot supply it the process aborts, since no id may be reused.
 */
void record_new_id(char *buf, size_t bufsize);

/*
 * JSON form used on the wire and in the outbox: an object with one member per
 * set field; money (integer fen) and booleans as JSON numbers and booleans,
 * sets as arrays of tokens in choice order, everything else as strings. With
 * `all`, unset fields appear as null. `v` and `deleted` are not included (the
 * protocol carries them beside the record). A stored value that is not
 * canonical for its type (it never should be: records are validated before
 * they are saved) is sent as a string, so the receiver rejects it naming the
 * field instead of it being lost. Returns a new object the caller
 * cJSON_Delete()s, or NULL when out of memory.
 */
cJSON *record_to_json(const struct record *r, bool all);

/*
 * Fill r (initialised, of the right type) from a JSON object. Unknown keys,
 * a key given twice, wrong JSON types and invalid values fail with DP_EINVAL
 * naming the field; null (and "") unsets a field. Money must be a whole,
 * non-negative number of fen not above MONEY_MAX_FEN (never rounded); sets
 * are arrays of distinct tokens in any order. Each value is checked with
 * validate_field without `today` and without the required check: whether
 * the whole record is complete and consistent is record_validate's job.
 * Fields absent from the object are left as they are. All or nothing: on
 * any failure r is unchanged. FF_SERVER fields are accepted; refusing them
 * from clients is the server's policy.
 */
enum dp_status record_from_json(struct record *r, const cJSON *obj, struct dp_error *err);

#endif
