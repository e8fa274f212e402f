/*
 * A very small unit-test harness: include once per test program.
 *
 *   TEST(money_parses_two_decimals) { CHECK_INT_EQ(..., ...); }
 *   int main(void) { RUN(money_parses_two_decimals); return test_report(); }
 *
 * Checks do not stop a test; each failure prints file:line and what differed.
 * test_report() prints "# <program>: N passed, N failed" (counted per test)
 * and returns the exit status, which tests/run adds up.
 */
#ifndef DOORSTEP_TESTS_UNIT_TEST_H
#define DOORSTEP_TESTS_UNIT_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_passed, test_failed, test_current_failed;
static const char *test_current;

#define TEST(name) static void name(void)

#define TEST_FAIL_(...)                                                                            \
    do {                                                                                           \
        test_current_failed = 1;                                                                   \
        fprintf(stderr, "  %s:%d: %s: ", __FILE__, __LINE__, test_current);                        \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
    } while (0)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            TEST_FAIL_("check failed: %s", #cond);                                                 \
    } while (0)

#define CHECK_INT_EQ(got, want)                                                                    \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        if (g_ != w_)                                                                              \
            TEST_FAIL_("%s is %lld, want %lld", #got, g_, w_);                                     \
    } while (0)

#define CHECK_STR_EQ(got, want)                                                                    \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (!g_ || !w_ || strcmp(g_, w_) != 0)                                                     \
            TEST_FAIL_("%s is \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
    } while (0)

/* Stop the current test (e.g. a setup step failed and later checks would crash). */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            TEST_FAIL_("required: %s", #cond);                                                     \
            return;                                                                                \
        }                                                                                          \
    } while (0)

static void
test_run_(const char *name, void (*fn)(void))
{
    test_current = name;
    test_current_failed = 0;
    fn();
    if (test_current_failed) {
        test_failed++;
        fprintf(stderr, "FAIL %s\n", name);
    } else {
        test_passed++;
        if (getenv("TEST_VERBOSE"))
            fprintf(stderr, "ok   %s\n", name);
    }
}

#define RUN(name) test_run_(#name, name)

static int
test_report_(const char *prog)
{
    const char *base = strrchr(prog, '/');
    printf("# %s: %d passed, %d failed\n", base ? base + 1 : prog, test_passed, test_failed);
    return test_failed ? 1 : 0;
}

#define test_report() test_report_(__FILE__)

#endif
