/* Money is integer fen (1 yuan = 100 fen); never floating point. */
#ifndef DOORSTEP_CORE_MONEY_H
#define DOORSTEP_CORE_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Largest amount accepted: 10^12 fen (ten billion yuan) is far beyond any household figure. */
#define MONEY_MAX_FEN INT64_C(1000000000000)

/*
 * Parse what a person types as yuan: "1234", "1234.5", "1234.56", "1,234.56",
 * "0.5", leading/trailing spaces and tabs allowed, leading zeros ignored
 * ("007" is 7 yuan). Thousands commas, when used, must all be proper groups
 * ("1,234,567"; not "1,23" or "12,34,567") and may not follow a leading 0.
 * Rejected with DP_EINVAL, `field` in err->field and a message saying what to
 * fix (never the value): empty, a sign ("+1", "-1"), exponents ("1e5"), hex,
 * "NaN"/"inf", full-width digits or any other non-ASCII character, inner
 * spaces, more than two decimals, a bare point (".5" and "5." are refused so a
 * half-typed figure is not taken as meant), or more than MONEY_MAX_FEN.
 * *fen is written only on success and may be NULL. No floating point is used.
 */
enum dp_status money_parse_yuan(const char *s, int64_t *fen, const char *field,
                                struct dp_error *err);

/*
 * Parse the canonical stored form: decimal digits of fen, no sign, no leading
 * zeros but "0", at most MONEY_MAX_FEN. Same error and output rules as above.
 */
enum dp_status money_parse_fen(const char *s, int64_t *fen, const char *field,
                               struct dp_error *err);

/*
 * Format fen as yuan with two decimals and no grouping ("1234.50"; a negative
 * difference gets a leading "-"); buf at least 24 bytes, cut to fit otherwise.
 */
void money_format_yuan(int64_t fen, char *buf, size_t bufsize);

/* Format fen in the canonical stored form ("123450"); buf at least 21 bytes. */
void money_format_fen(int64_t fen, char *buf, size_t bufsize);

#endif
