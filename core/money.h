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
 * leading/trailing spaces allowed. Rejected with DP_EINVAL and a message
 * naming `field`: empty, a sign, exponents ("1e5"), more than two decimals,
 * more than MONEY_MAX_FEN, anything but digits, one point and thousands commas.
 */
enum dp_status money_parse_yuan(const char *s, int64_t *fen, const char *field,
                                struct dp_error *err);

/* Parse the canonical stored form: decimal digits of fen, no sign, no leading zeros but "0". */
enum dp_status money_parse_fen(const char *s, int64_t *fen, const char *field,
                               struct dp_error *err);

/* Format fen as yuan with two decimals ("1234.50"); buf at least 24 bytes. */
void money_format_yuan(int64_t fen, char *buf, size_t bufsize);

/* Format fen in the canonical stored form ("123450"). */
void money_format_fen(int64_t fen, char *buf, size_t bufsize);

#endif
