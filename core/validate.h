/*
 * Field validation with field-named errors in words a worker understands.
 * Messages never repeat the value that was typed (it may be personal data).
 */
#ifndef DOORSTEP_CORE_VALIDATE_H
#define DOORSTEP_CORE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/date.h"
#include "core/schema.h"
#include "core/status.h"

/* What an 18-character resident ID number encodes. */
struct id_number_info {
    struct dp_date birth;
    char sex;       /* 'M' (odd 17th digit) or 'F' (even) */
    char region[7]; /* first six digits, NUL-terminated */
};

/*
 * Resident ID number: 18 characters, 17 digits then a digit or 'X' (a
 * lower-case 'x' is accepted only by id_number_normalise), a real birth date
 * in positions 7-14 (not in the future relative to `today`, not before 1900),
 * and the ISO 7064 MOD 11-2 check digit. `info` and `today` may be NULL.
 */
enum dp_status validate_id_number(const char *s, const struct dp_date *today,
                                  struct id_number_info *info, const char *field,
                                  struct dp_error *err);

/* The check character ('0'-'9' or 'X') for the first 17 digits; 0 if they are not digits. */
char id_number_check_char(const char *first17);

/* Copy s into buf upper-casing a trailing 'x' and trimming spaces; false if it does not fit. */
bool id_number_normalise(const char *s, char *buf, size_t bufsize);

/* Mobile number: 11 digits starting with 1 (spaces and dashes are not accepted). */
enum dp_status validate_phone(const char *s, const char *field, struct dp_error *err);

/* Login name: 1-32 of [a-z0-9._-], starting with a letter or digit. */
enum dp_status validate_username(const char *s, const char *field, struct dp_error *err);

/* UUID in the canonical lower-case 8-4-4-4-12 form. */
enum dp_status validate_uuid(const char *s, const char *field, struct dp_error *err);

/*
 * Text: valid UTF-8, at most max_chars code points, no control characters
 * (LF allowed when multiline), no leading/trailing spaces on a single line.
 */
enum dp_status validate_text(const char *s, unsigned max_chars, bool multiline, const char *field,
                             struct dp_error *err);

/*
 * A person's name: validate_text plus no digits and no ASCII punctuation
 * other than the middle dot forms used in minority names (U+00B7, U+30FB,
 * U+2022 is rejected) and a single inner space for Latin-script names.
 */
enum dp_status validate_name(const char *s, unsigned max_chars, const char *field,
                             struct dp_error *err);

/*
 * One value of a schema field in canonical form (schema.h, enum field_type).
 * The empty string is accepted unless the field is FF_REQUIRED. `today` is
 * used for ID-number and date plausibility and may be NULL.
 */
enum dp_status validate_field(const struct field_def *f, const char *value,
                              const struct dp_date *today, struct dp_error *err);

#endif
