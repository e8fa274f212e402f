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

/* Validate every field (validate_field) and cross-field rules; the first problem goes in *err. */
enum dp_status record_validate(const struct record *r, const struct dp_date *today,
                               struct dp_error *err);

/* Fresh random UUIDv4 in canonical form into buf (at least 37 bytes). */
void record_new_id(char *buf, size_t bufsize);

/*
 * JSON form used on the wire and in the outbox: an object with one member per
 * set field; money and booleans as JSON numbers and booleans, sets as arrays
 * of tokens, everything else as strings. With `all`, unset fields appear as null.
 */
cJSON *record_to_json(const struct record *r, bool all);

/*
 * Fill r (initialised, of the right type) from a JSON object. Unknown keys,
 * wrong JSON types and invalid values fail with DP_EINVAL naming the field;
 * null unsets a field. Fields absent from the object are left as they are.
 */
enum dp_status record_from_json(struct record *r, const cJSON *obj, struct dp_error *err);

#endif
