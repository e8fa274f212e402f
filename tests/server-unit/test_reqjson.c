/* Strict request JSON: grammar, UTF-8, limits, duplicates, typed access. */
#include "server/reqjson.h"

#include <string.h>

#include "tests/unit/test.h"

static enum reqjson_fail
parse(const char *s)
{
    cJSON *root = NULL;
    struct reqjson_err err;
    enum reqjson_fail f = reqjson_parse(s, strlen(s), &root, &err);
    if ((f == RJ_OK) != (root != NULL))
        return (enum reqjson_fail)99;
    cJSON_Delete(root);
    return f;
}

TEST(accepts_well_formed_json)
{
    static const char *const good[] = {
        "{}",
        "[]",
        "0",
        "-0",
        "1.5e-3",
        "-12.25E+2",
        "\"a\\u00e9\\ud83d\\ude00\"",
        "true",
        " { \"a\" : [1, 2, {\"b\": null}] , \"c\": false } ",
        "\"\xe5\xbc\xa0\xe4\xb8\x89\"",
        "\"\\\\u0000\"", /* an escaped backslash, then text: not a NUL */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (parse(good[i]) != RJ_OK)
            TEST_FAIL_("refused good JSON #%zu", i);
    }
}

TEST(refuses_what_cjson_would_take)
{
    static const char *const bad[] = {
        "",
        "+1",
        "01",
        "1.",
        ".5",
        "1e",
        "[1,]",
        "{\"a\":1,}",
        "{a:1}",
        "'x'",
        "\"tab\there\"",
        "[1] [2]",
        "tru",
        "nul",
        "{\"a\"}",
        "\"\\x\"",
        "\"\\u12\"",
        "[",
        "{\"a\":1",
        "\"abc",
        "NaN",
        "Infinity",
        "0x10",
        "1 2",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum reqjson_fail f = parse(bad[i]);
        if (f != RJ_BAD_JSON)
            TEST_FAIL_("bad JSON #%zu gave %d, want RJ_BAD_JSON", i, (int)f);
    }
}

TEST(refuses_bad_text)
{
    CHECK_INT_EQ(parse("\"\xff\""), RJ_BAD_UTF8);
    CHECK_INT_EQ(parse("\"\xc0\xaf\""), RJ_BAD_UTF8);     /* overlong */
    CHECK_INT_EQ(parse("\"\xed\xa0\x80\""), RJ_BAD_UTF8); /* encoded surrogate */
    CHECK_INT_EQ(parse("\"a\\u0000b\""), RJ_BAD_UTF8);
    CHECK_INT_EQ(parse("\"\\ud800\""), RJ_BAD_UTF8);
    CHECK_INT_EQ(parse("\"\\ud800\\u0041\""), RJ_BAD_UTF8);
    CHECK_INT_EQ(parse("\"\\udc00\""), RJ_BAD_UTF8);
    /* A raw NUL byte is a control character outside any string. */
    cJSON *root = NULL;
    struct reqjson_err err;
    CHECK_INT_EQ(reqjson_parse("{}\0", 3, &root, &err), RJ_BAD_JSON);
    CHECK(root == NULL);
}

TEST(limits_depth_length_and_duplicates)
{
    char deep[64], deeper[80];
    memset(deep, '[', 16);
    memset(deep + 16, ']', 16);
    deep[32] = '\0';
    CHECK_INT_EQ(parse(deep), RJ_OK);
    snprintf(deeper, sizeof deeper, "[%s]", deep);
    CHECK_INT_EQ(parse(deeper), RJ_INVALID);

    static char longs[REQJSON_MAX_STRING + 8];
    longs[0] = '"';
    memset(longs + 1, 'a', REQJSON_MAX_STRING);
    longs[REQJSON_MAX_STRING + 1] = '"';
    longs[REQJSON_MAX_STRING + 2] = '\0';
    CHECK_INT_EQ(parse(longs), RJ_OK);
    longs[REQJSON_MAX_STRING + 1] = 'a';
    longs[REQJSON_MAX_STRING + 2] = '"';
    longs[REQJSON_MAX_STRING + 3] = '\0';
    CHECK_INT_EQ(parse(longs), RJ_INVALID);

    CHECK_INT_EQ(parse("{\"a\":1,\"b\":2,\"a\":3}"), RJ_INVALID);
    CHECK_INT_EQ(parse("[{\"x\":{\"k\":1,\"k\":1}}]"), RJ_INVALID);
    CHECK_INT_EQ(parse("[{\"k\":1},{\"k\":1}]"), RJ_OK);
}

TEST(typed_access_names_the_member)
{
    const char *text = "{\"s\":\"x\",\"n\":5,\"f\":5.5,\"big\":1e300,\"b\":true,\"o\":{},"
                       "\"a\":[],\"z\":null,\"we/ird~\":1}";
    cJSON *root = NULL;
    struct reqjson_err err;
    REQUIRE(reqjson_parse(text, strlen(text), &root, &err) == RJ_OK);
    const char *s;
    int64_t n;
    bool b, present;
    const cJSON *o;
    CHECK(reqjson_string(root, "", "s", true, 10, &s, &err) && strcmp(s, "x") == 0);
    CHECK(!reqjson_string(root, "", "s", true, 0, &s, &err));
    CHECK(!reqjson_string(root, "", "n", true, 10, &s, &err));
    CHECK_STR_EQ(err.field, "/n");
    CHECK(!reqjson_string(root, "/p", "missing", true, 10, &s, &err));
    CHECK_STR_EQ(err.field, "/p/missing");
    CHECK(reqjson_string(root, "", "missing", false, 10, &s, &err) && s == NULL);
    CHECK(reqjson_int(root, "", "n", true, 0, 10, &n, &present, &err) && n == 5 && present);
    CHECK(!reqjson_int(root, "", "n", true, 6, 10, &n, NULL, &err));
    CHECK(!reqjson_int(root, "", "f", true, 0, 10, &n, NULL, &err));
    CHECK(!reqjson_int(root, "", "big", true, 0, INT64_MAX, &n, NULL, &err));
    CHECK(!reqjson_int(root, "", "s", true, 0, 10, &n, NULL, &err));
    CHECK(reqjson_bool(root, "", "b", true, &b, NULL, &err) && b);
    CHECK(!reqjson_bool(root, "", "n", true, &b, NULL, &err));
    CHECK(reqjson_object(root, "", "o", true, false, &o, &err) && o);
    CHECK(reqjson_object(root, "", "z", true, true, &o, &err) && !o);
    CHECK(!reqjson_object(root, "", "z", true, false, &o, &err));
    CHECK(!reqjson_array(root, "", "o", true, &o, &err));
    CHECK(reqjson_array(root, "", "a", true, &o, &err));
    static const char *const allowed[] = {"s", "n", "f", "big", "b", "o", "a", "z", NULL};
    CHECK(!reqjson_only(root, "", allowed, &err));
    CHECK_STR_EQ(err.field, "/we~1ird~0");
    cJSON_Delete(root);
}

int
main(void)
{
    RUN(accepts_well_formed_json);
    RUN(refuses_what_cjson_would_take);
    RUN(refuses_bad_text);
    RUN(limits_depth_length_and_duplicates);
    RUN(typed_access_names_the_member);
    return test_report();
}
