/*
 * Field validation with field-named errors in words a worker understands.
 * Every failure returns DP_EINVAL, puts the `field` argument (the schema
 * field's name, so the form can show its label) in err->field, and a message
 * saying what to fix. Messages never repeat the value that was typed (it may
 * be personal data); at most they give its length. No function here reads the
 * clock: pass date_today() as `today`.
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
 * in positions 7-14 (not in the future relative to `today`, not before 1900,
 * not after 2999), and the ISO 7064 MOD 11-2 check digit. Checked in that
 * order, so the message points at the first problem; old 15-digit numbers and
 * full-width digits get messages of their own. `info` and `today` may be NULL;
 * *info is written only on success.
 */
enum dp_status validate_id_number(const char *s, const struct dp_date *today,
                                  struct id_number_info *info, const char *field,
                                  struct dp_error *err);

/* The check character ('0'-'9' or 'X') for the first 17 digits; 0 if they are not digits. */
char id_number_check_char(const char *first17);

/*
 * Copy s into buf trimming spaces and tabs at both ends and upper-casing a
 * trailing 'x', for use before validate_id_number on what a person typed.
 * Does not validate. False (and buf = "" when bufsize > 0) if it does not fit.
 */
bool id_number_normalise(const char *s, char *buf, size_t bufsize);

/*
 * Mobile number: 11 digits, the first 1 and the second 3-9 (spaces, dashes
 * and a +86 prefix are not accepted, each with its own message).
 */
enum dp_status validate_phone(const char *s, const char *field, struct dp_error *err);

/* Login name: 1-32 of [a-z0-9._-], starting with a letter or digit. */
enum dp_status validate_username(const char *s, const char *field, struct dp_error *err);

/* UUID in the canonical lower-case 8-4-4-4-12 form; any version; upper case is refused. */
enum dp_status validate_uuid(const char *s, const char *field, struct dp_error *err);

/*
 * Text: valid UTF-8, at most max_chars code points (0: no cap), no control
 * characters (LF allowed when multiline; CR and tab never), no leading or
 * trailing space on a single line (ASCII, no-break or ideographic U+3000).
 * "Control" covers C0, DEL, C1, U+2028/U+2029, U+FEFF and the bidirectional
 * marks, embeddings, overrides and isolates, which can disguise text on a
 * terminal. The empty string is valid.
 */
enum dp_status validate_text(const char *s, unsigned max_chars, bool multiline, const char *field,
                             struct dp_error *err);

/*
 * A person's name: validate_text (single line) plus no digits (ASCII or
 * full-width), no punctuation or symbols (ASCII, Latin-1, general and CJK
 * punctuation, full-width forms, emoji) except the middle dot of minority
 * names ("买买提·艾力"): U+00B7 or U+30FB, only between two other characters,
 * never two in a row or next to a space. Look-alikes (".", U+2022 bullet,
 * U+FF65, U+2027, U+22C5, "。" ...) get a hint to use the middle dot. A
 * space is allowed only between two Latin letters ("Anna Maria"), one at a
 * time.
 */
enum dp_status validate_name(const char *s, unsigned max_chars, const char *field,
                             struct dp_error *err);

/*
 * One value of a schema field in canonical form (schema.h, enum field_type),
 * with err->field set to f->name. NULL and the empty string mean "unset",
 * accepted unless the field is FF_REQUIRED. FT_ENUM needs one known token;
 * FT_SET known tokens joined by single commas, each once, in choice order;
 * FT_BOOL "0" or "1"; FT_MONEY canonical fen (money_parse_fen); FT_DATE
 * date_parse. `today` (may be NULL) bounds ID-number birth dates and the
 * member field "birth_date", which may not be in the future.
 */
enum dp_status validate_field(const struct field_def *f, const char *value,
                              const struct dp_date *today, struct dp_error *err);

#endif
