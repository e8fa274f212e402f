/* UTF-8 checks and stepping, by code point. Display width lives in tui/text.h. */
#ifndef DOORSTEP_CORE_UTF8_H
#define DOORSTEP_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode one code point from s[0..len). Returns the bytes used (1-4) and sets
 * *cp; on an invalid, overlong, surrogate, > U+10FFFF or truncated sequence
 * (or a lone continuation byte) returns 1 and sets *cp to 0xFFFD, so callers
 * always make progress and resynchronise on the next byte. len == 0 returns 0
 * with *cp = 0. cp may be NULL. A NUL byte inside len decodes as U+0000.
 */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Encode cp into buf (at least 4 bytes); returns bytes written, 0 for surrogates and > U+10FFFF. */
size_t utf8_encode(uint32_t cp, char *buf);

/* True when s[0..len) is well-formed UTF-8 (no overlongs, surrogates, or > U+10FFFF). */
bool utf8_valid(const char *s, size_t len);

/* Number of code points in a NUL-terminated string (invalid bytes count one each). */
size_t utf8_count(const char *s);

/*
 * Byte offset of the code point before / after byte offset `pos`, stepping
 * exactly as utf8_decode does (an invalid byte is one step), so that going
 * back and forth visits the same offsets. utf8_prev reads the NUL-terminated
 * s, clamps pos to its length and returns 0 at the start; utf8_next returns
 * len at or past the end.
 */
size_t utf8_prev(const char *s, size_t pos);
size_t utf8_next(const char *s, size_t len, size_t pos);

#endif
