/*
 * Shared by the libFuzzer targets in tests/fuzz/ (run.sh builds and runs them).
 * Each target feeds its input to one real parser and checks invariants
 * beyond "no crash": a broken invariant abort()s, which libFuzzer reports as
 * a crash and saves the input as an artifact.
 */
#ifndef DOORSTEP_TESTS_FUZZ_FUZZ_H
#define DOORSTEP_TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"

/* The entry point libFuzzer calls; declared here for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop with a message: an invariant of the code under test does not hold. */
#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Same for two strings that must be equal; both are printed (fuzz inputs are synthetic). */
#define FUZZ_ASSERT_STR_EQ(a, b)                                                                   \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                   \
            fprintf(stderr, "%s:%d: invariant failed: %s == %s\n  \"%s\"\n  \"%s\"\n", __FILE__,   \
                    __LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");                     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/*
 * The input as a NUL-terminated heap string (parsers of C strings cannot see
 * past a NUL, so bytes after the first one are simply not part of it).
 * Aborts when out of memory: libFuzzer's malloc limit is reported as such anyway.
 */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/*
 * True while a bug listed in tests/fuzz/known-bugs/README is let through, so
 * that fuzzing can go on finding others; FUZZ_STRICT=1 in the environment
 * stops letting any through, which is how the reproducers there show their bug.
 */
static inline int
fuzz_tolerate_known_bug(void)
{
    const char *strict = getenv("FUZZ_STRICT");
    return !strict || strcmp(strict, "1") != 0;
}

/*
 * For tests/fuzz/fuzz-regress-test, which must show that run.sh notices
 * failures: with DOORSTEP_FUZZ_SELFTEST=crash, leak or ub in the environment,
 * the input "doorstep-selftest" aborts, leaks or overflows a signed integer.
 * Nothing happens otherwise, so fuzzing never trips over it by chance.
 */
static inline void
fuzz_selftest(const uint8_t *data, size_t size)
{
    static const char magic[] = "doorstep-selftest";
    const char *mode = getenv("DOORSTEP_FUZZ_SELFTEST");
    if (!mode || size != sizeof magic - 1 || memcmp(data, magic, size) != 0)
        return;
    if (strcmp(mode, "crash") == 0) {
        FUZZ_ASSERT(!"self-test crash");
    } else if (strcmp(mode, "leak") == 0) {
        void *volatile p = malloc(32);
        (void)p;
    } else if (strcmp(mode, "ub") == 0) {
        volatile int big = 0x7fffffff;
        big = big + (int)size;
    }
}

/* 36 characters at s in the canonical UUID form 8-4-4-4-12 (s holds at least 36). */
static inline int
fuzz_is_uuid_at(const char *s)
{
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
    }
    return 1;
}

/* A canonical UUID: a record id, which errors may name. */
static inline int
fuzz_is_uuid(const char *s)
{
    return strlen(s) == 36 && fuzz_is_uuid_at(s);
}

/*
 * The rule that error text never repeats a personal value ("name the field
 * and the record id, never the value"): *err may not contain `value` when it
 * looks like one (six digits or more, as in ID and phone numbers and
 * amounts, or two non-ASCII characters, as in a name) and is not a record id.
 * Shorter or plainer values could match message words by chance.
 */
static inline void
fuzz_assert_private(const struct dp_error *err, const char *value)
{
    size_t digits = 0, wide = 0;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        digits += *p >= '0' && *p <= '9';
        wide += *p >= 0xC0;
    }
    if ((digits < 6 && wide < 2) || fuzz_is_uuid(value))
        return;
    /* Record ids in the text are allowed, so a value found only inside one does not count. */
    char msg[sizeof err->msg], field[sizeof err->field];
    memcpy(msg, err->msg, sizeof msg);
    memcpy(field, err->field, sizeof field);
    char *texts[] = {msg, field};
    for (size_t t = 0; t < 2; t++) {
        texts[t][t ? sizeof field - 1 : sizeof msg - 1] = '\0';
        for (char *p = texts[t]; strlen(p) >= 36; p++)
            if (fuzz_is_uuid_at(p))
                memset(p, '#', 36);
    }
    if (strstr(msg, value) || strstr(field, value)) {
        fprintf(stderr, "invariant failed: error text repeats the value: %s: %s\n", err->field,
                err->msg);
        abort();
    }
}

#endif
