/*
 * Private to core/mutation*.c: what the files of the mutation module share.
 * Other modules use core/mutation.h.
 *
 *   mutation.c        lifecycle, value arrays, op names, outbox coalescing
 *   mutation_check.c  mutation_check, mutation_check_role, rejection reasons
 *   mutation_parse.c  the wire in: envelope check, mutation_from_json
 *   mutation_wire.c   the wire out: canonical form, hash, mutation_to_json
 */
#ifndef DOORSTEP_CORE_MUTATION_INTERNAL_H
#define DOORSTEP_CORE_MUTATION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/mutation.h"

/* Largest integer a JSON number (an IEEE double in cJSON) holds exactly: 2^53 - 1. */
#define JSON_INT_MAX 9007199254740991LL

/* Wire names of review actions, indexed by enum mutation_review ("" for none). */
extern const char *const mutation_review_names[];

/* The value array of m for `part`; NULL for an unknown part. */
char **mutation_part_values(struct mutation *m, enum mutation_part part);

/* True when `part` of m holds no value at all. */
bool mutation_part_empty(const struct mutation *m, enum mutation_part part);

/* A growing output buffer that remembers running out of memory instead of failing each call. */
struct mutation_buf {
    char *p; /* NUL-terminated once anything was put; the owner frees it */
    size_t len, cap;
    bool oom; /* an allocation failed: later puts do nothing */
};

/* Append n bytes of s (mutation_wire.c). */
void mutation_buf_put(struct mutation_buf *b, const char *s, size_t n);

/* Append the string s. */
void mutation_buf_puts(struct mutation_buf *b, const char *s);

#endif
