#include "core/validate.h"

#include "tests/unit/test.h"

/*
 * The check character by the ISO 7064 MOD 11-2 recursive method (double and
 * reduce per digit), independent of the weight table in validate.c.
 */
static char
iso7064_check(const char *digits17)
{
    int p = 0;
    for (int i = 0; i < 17; i++)
        p = ((p + (digits17[i] - '0')) * 2) % 11;
    int c = (12 - p) % 11;
    return c == 10 ? 'X' : (char)('0' + c);
}

/* An 18-character ID number with a correct check character. */
static void
make_id(char out[19], const char *region6, const char *birth8, const char *seq3)
{
    snprintf(out, 19, "%s%s%s", region6, birth8, seq3);
    out[17] = iso7064_check(out);
    out[18] = '\0';
}

static const struct dp_date today = {2024, 6, 1};

static enum dp_status
id_st(const char *s, struct dp_error *err)
{
    dp_error_clear(err);
    return validate_id_number(s, &today, NULL, "id_number", err);
}

TEST(id_number_well_known_sample)
{
    struct id_number_info info;
    memset(&info, 0, sizeof info);
    CHECK_INT_EQ(iso7064_check("11010519491231002"), 'X'); /* the oracle itself */
    CHECK_INT_EQ(id_number_check_char("11010519491231002"), 'X');
    CHECK_INT_EQ(validate_id_number("11010519491231002X", &today, &info, "id_number", NULL), DP_OK);
    CHECK_INT_EQ(info.birth.year, 1949);
    CHECK_INT_EQ(info.birth.month, 12);
    CHECK_INT_EQ(info.birth.day, 31);
    CHECK_INT_EQ(info.sex, 'F'); /* 17th digit 2 */
    CHECK_STR_EQ(info.region, "110105");
}

TEST(id_number_check_char_matches_independent_method)
{
    char d[18];
    unsigned x = 12345;
    int bad = 0, seen_x = 0;
    for (int n = 0; n < 20000; n++) {
        for (int i = 0; i < 17; i++) {
            x = x * 1103515245u + 12345u;
            d[i] = (char)('0' + (x >> 16) % 10);
        }
        d[17] = '\0';
        char c = id_number_check_char(d);
        if (c != iso7064_check(d))
            bad++;
        seen_x += c == 'X';
    }
    CHECK_INT_EQ(bad, 0);
    CHECK(seen_x > 0);
    CHECK_INT_EQ(id_number_check_char("1101051949123100A"), 0);
    CHECK_INT_EQ(id_number_check_char("1101051949"), 0);
    CHECK_INT_EQ(id_number_check_char(NULL), 0);
}

TEST(id_number_good_values)
{
    char id[19];
    struct id_number_info info;
    struct dp_error err;
    make_id(id, "440305", "20000229", "123"); /* leap day in a year divisible by 400 */
    CHECK_INT_EQ(validate_id_number(id, &today, &info, "id_number", &err), DP_OK);
    CHECK_INT_EQ(info.sex, 'M');
    CHECK_INT_EQ(info.birth.day, 29);
    make_id(id, "650102", "20240229", "004");
    CHECK_INT_EQ(id_st(id, &err), DP_OK);
    make_id(id, "650102", "20240601", "004"); /* born today */
    CHECK_INT_EQ(id_st(id, &err), DP_OK);
    make_id(id, "510104", "19000101", "017");
    CHECK_INT_EQ(id_st(id, &err), DP_OK);
    /* Find real examples ending in X and in 0 and check each is accepted. */
    int found_x = 0, found_0 = 0;
    for (int seq = 0; seq < 1000 && !(found_x && found_0); seq++) {
        char s3[4];
        snprintf(s3, sizeof s3, "%03d", seq);
        make_id(id, "320102", "19850615", s3);
        if (id[17] == 'X' && !found_x++)
            CHECK_INT_EQ(id_st(id, &err), DP_OK);
        if (id[17] == '0' && !found_0++)
            CHECK_INT_EQ(id_st(id, &err), DP_OK);
    }
    CHECK(found_x && found_0);
    /* Without today only the calendar and range are checked. */
    make_id(id, "650102", "20990101", "004");
    CHECK_INT_EQ(validate_id_number(id, NULL, NULL, "id_number", NULL), DP_OK);
}

TEST(id_number_wrong_check_digit)
{
    struct dp_error err;
    char id[19];
    make_id(id, "110105", "19491231", "002");
    for (char c = '0'; c <= '9'; c++) {
        id[17] = c;
        CHECK_INT_EQ(id_st(id, &err), DP_EINVAL);
        CHECK(strstr(err.msg, "check digit"));
        CHECK_STR_EQ(err.field, "id_number");
    }
    /* One changed digit in the body is caught too. */
    CHECK_INT_EQ(id_st("11010519491231012X", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "check digit"));
    /* Two neighbours swapped. */
    CHECK_INT_EQ(id_st("10110519491231002X", &err), DP_EINVAL);
    /* A digit where X belongs. */
    make_id(id, "110105", "19491231", "002");
    CHECK_INT_EQ(id[17], 'X');
    id[17] = '0';
    CHECK_INT_EQ(id_st(id, &err), DP_EINVAL);
}

TEST(id_number_shape)
{
    struct dp_error err;
    CHECK_INT_EQ(id_st("11010519491231002x", &err), DP_EINVAL); /* lower-case x */
    CHECK(strstr(err.msg, "capital X"));
    CHECK_INT_EQ(id_st("11010519491231002", &err), DP_EINVAL); /* 17 characters */
    CHECK(strstr(err.msg, "18") && strstr(err.msg, "17"));
    CHECK_INT_EQ(id_st("11010519491231002X1", &err), DP_EINVAL);
    CHECK_INT_EQ(id_st("110105491231002", &err), DP_EINVAL); /* old 15-digit number */
    CHECK(strstr(err.msg, "15"));
    CHECK_INT_EQ(id_st("", &err), DP_EINVAL);
    CHECK_INT_EQ(id_st(NULL, &err), DP_EINVAL);
    CHECK_INT_EQ(id_st("1101051949123100XX", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "17"));
    CHECK_INT_EQ(id_st("X1010519491231002X", &err), DP_EINVAL);
    CHECK_INT_EQ(id_st("11010519491231002Y", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "digit or X"));
    CHECK_INT_EQ(id_st(" 11010519491231002X", &err), DP_EINVAL);
    CHECK_INT_EQ(id_st("110105 19491231002X", &err), DP_EINVAL);
    CHECK_INT_EQ(id_st("１１０１０５１９４９１２３１００２Ｘ", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "half-width"));
}

TEST(id_number_birth_date)
{
    struct dp_error err;
    char id[19];
    make_id(id, "110105", "19900230", "123"); /* February 30 */
    CHECK_INT_EQ(id_st(id, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "not a real date"));
    make_id(id, "110105", "19000229", "123"); /* 1900 is not a leap year */
    CHECK_INT_EQ(id_st(id, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "not a real date"));
    make_id(id, "110105", "20230229", "123");
    CHECK_INT_EQ(id_st(id, &err), DP_EINVAL);
    make_id(id, "110105", "19901301", "123");
    CHECK_INT_EQ(id_st(id, &err), DP_EINVAL);
    make_id(id, "110105", "19900001", "123");
    CHECK_INT_EQ(id_st(id, &err), DP_EINVAL);
    make_id(id, "110105", "19900100", "123");
    CHECK_INT_EQ(id_st(id, &err), DP_EINVAL);
    make_id(id, "110105", "20240602", "123"); /* tomorrow */
    CHECK_INT_EQ(id_st(id, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "future"));
    make_id(id, "110105", "30000101", "123");
    CHECK_INT_EQ(validate_id_number(id, NULL, NULL, "id_number", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "future"));
    make_id(id, "110105", "18991231", "123");
    CHECK_INT_EQ(id_st(id, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "1900"));
}

TEST(id_number_info_only_on_success)
{
    struct id_number_info info;
    memset(&info, 0x5A, sizeof info);
    CHECK_INT_EQ(validate_id_number("110105194912310021", &today, &info, "id_number", NULL),
                 DP_EINVAL);
    CHECK_INT_EQ(info.sex, 0x5A);
    char id[19];
    make_id(id, "110105", "19491231", "011"); /* odd 17th digit */
    CHECK_INT_EQ(validate_id_number(id, &today, &info, "id_number", NULL), DP_OK);
    CHECK_INT_EQ(info.sex, 'M');
}

TEST(id_number_normalise_trims_and_uppercases)
{
    char buf[19];
    CHECK(id_number_normalise(" 11010519491231002x\t", buf, sizeof buf));
    CHECK_STR_EQ(buf, "11010519491231002X");
    CHECK_INT_EQ(validate_id_number(buf, &today, NULL, "id_number", NULL), DP_OK);
    CHECK(id_number_normalise("x123", buf, sizeof buf));
    CHECK_STR_EQ(buf, "x123"); /* only the last character */
    CHECK(id_number_normalise("", buf, sizeof buf));
    CHECK_STR_EQ(buf, "");
    CHECK(!id_number_normalise("11010519491231002X1", buf, sizeof buf));
    CHECK_STR_EQ(buf, "");
    char tiny[18];
    CHECK(!id_number_normalise("11010519491231002X", tiny, sizeof tiny));
}

TEST(id_number_messages_never_show_the_number)
{
    struct dp_error err;
    const char *bad[] = {"110105194912310021", "11010519491231002x", "1101051949123100",
                         "110105199002300021"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT_EQ(id_st(bad[i], &err), DP_EINVAL);
        CHECK(!strstr(err.msg, "110105"));
        CHECK(!strstr(err.msg, "1949"));
        CHECK(!strstr(err.msg, "1990"));
    }
}

static enum dp_status
phone(const char *s, struct dp_error *err)
{
    dp_error_clear(err);
    return validate_phone(s, "phone", err);
}

TEST(phone_numbers)
{
    struct dp_error err;
    CHECK_INT_EQ(phone("13812345678", &err), DP_OK);
    CHECK_INT_EQ(phone("19912345678", &err), DP_OK);
    CHECK_INT_EQ(phone("15000000000", &err), DP_OK);
    CHECK_INT_EQ(phone("12812345678", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "second digit"));
    CHECK_INT_EQ(phone("10812345678", &err), DP_EINVAL);
    CHECK_INT_EQ(phone("23812345678", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "11 digits starting with 1"));
    CHECK_INT_EQ(phone("1381234567", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "10"));
    CHECK_INT_EQ(phone("138123456789", &err), DP_EINVAL);
    CHECK_INT_EQ(phone("138-1234-5678", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "spaces or dashes"));
    CHECK_INT_EQ(phone("138 1234 5678", &err), DP_EINVAL);
    CHECK_INT_EQ(phone("+8613812345678", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "+86"));
    CHECK_INT_EQ(phone("１３８１２３４５６７８", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "half-width"));
    CHECK_INT_EQ(phone("1381234567a", &err), DP_EINVAL);
    CHECK_INT_EQ(phone("", &err), DP_EINVAL);
    CHECK_INT_EQ(phone(NULL, &err), DP_EINVAL);
    CHECK_INT_EQ(phone("010-12345678", &err), DP_EINVAL); /* a landline */
    CHECK_STR_EQ(err.field, "phone");
    CHECK_INT_EQ(phone("13912345678 ", &err), DP_EINVAL);
    CHECK(!strstr(err.msg, "1391234"));
}

TEST(usernames)
{
    struct dp_error err;
    CHECK_INT_EQ(validate_username("wang.li", "u", &err), DP_OK);
    CHECK_INT_EQ(validate_username("a", "u", &err), DP_OK);
    CHECK_INT_EQ(validate_username("7up", "u", &err), DP_OK);
    CHECK_INT_EQ(validate_username("li_2-b", "u", &err), DP_OK);
    CHECK_INT_EQ(validate_username("abcdefghijklmnopqrstuvwxyz012345", "u", &err), DP_OK);
    CHECK_INT_EQ(validate_username("abcdefghijklmnopqrstuvwxyz0123456", "u", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "32"));
    CHECK_INT_EQ(validate_username("", "u", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_username(NULL, "u", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_username("Wang", "u", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "lower-case"));
    CHECK_INT_EQ(validate_username(".wang", "u", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_username("-wang", "u", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_username("_wang", "u", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_username("wang li", "u", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_username("wang@li", "u", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_username("王丽", "u", &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "u");
}

TEST(uuids)
{
    struct dp_error err;
    CHECK_INT_EQ(validate_uuid("123e4567-e89b-12d3-a456-426614174000", "id", &err), DP_OK);
    CHECK_INT_EQ(validate_uuid("00000000-0000-0000-0000-000000000000", "id", &err), DP_OK);
    CHECK_INT_EQ(validate_uuid("123E4567-E89B-12D3-A456-426614174000", "id", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "lower case"));
    CHECK_INT_EQ(validate_uuid("123e4567e89b12d3a456426614174000", "id", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_uuid("123e4567-e89b-12d3-a456-42661417400", "id", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_uuid("123e4567-e89b-12d3-a456-4266141740000", "id", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_uuid("123e4567-e89b-12d3-a456-42661417400g", "id", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_uuid("{23e4567-e89b-12d3-a456-426614174000", "id", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_uuid("123e4567-e89b-12d3-a456_426614174000", "id", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_uuid("123e4567-e89b-12d3-a4567426614174000", "id", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_uuid("", "id", &err), DP_EINVAL);
    CHECK_INT_EQ(validate_uuid(NULL, "id", &err), DP_EINVAL);
}

static enum dp_status
text(const char *s, unsigned max, bool multi, struct dp_error *err)
{
    dp_error_clear(err);
    return validate_text(s, max, multi, "address", err);
}

TEST(text_utf8_and_length)
{
    struct dp_error err;
    CHECK_INT_EQ(text("", 10, false, &err), DP_OK);
    CHECK_INT_EQ(text("东风村 3 组", 10, false, &err), DP_OK);
    CHECK_INT_EQ(text("一二三四五六七八九十", 10, false, &err), DP_OK); /* 10 chars, 30 bytes */
    CHECK_INT_EQ(text("一二三四五六七八九十一", 10, false, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "10") && strstr(err.msg, "11"));
    CHECK_INT_EQ(text("abcdefghijk", 10, false, &err), DP_EINVAL);
    CHECK_INT_EQ(text("abcdefghijklmnopqrstuvwxyz", 0, false, &err), DP_OK); /* no cap */
    CHECK_INT_EQ(text("ok\xC0\xAF", 10, false, &err), DP_EINVAL);            /* overlong */
    CHECK(strstr(err.msg, "not valid text"));
    CHECK_STR_EQ(err.field, "address");
    CHECK_INT_EQ(text("a\x80"
                      "b",
                      10, false, &err),
                 DP_EINVAL);                                            /* lone continuation */
    CHECK_INT_EQ(text("\xED\xA0\x80", 10, false, &err), DP_EINVAL);     /* surrogate */
    CHECK_INT_EQ(text("\xF4\x90\x80\x80", 10, false, &err), DP_EINVAL); /* past U+10FFFF */
    CHECK_INT_EQ(text("\xE4\xB8", 10, false, &err), DP_EINVAL);         /* truncated */
    CHECK_INT_EQ(text(NULL, 10, false, &err), DP_OK);
}

TEST(text_control_characters)
{
    struct dp_error err;
    const char *bad[] = {
        "a\tb",
        "a\rb",
        "a\x1b[2Jb",
        "a\x7f",
        "\x01",
        "a\xC2\x80",
        "a\xC2\x9F",
        "a\xE2\x80\xAE",
        "a\xE2\x81\xA6",
        "a\xE2\x80\xA8",
        "a\xE2\x80\xA9",
        "a\xE2\x80\x8F",
        "\xEF\xBB\xBF"
        "a",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (text(bad[i], 100, false, &err) != DP_EINVAL)
            TEST_FAIL_("single line accepted case %zu", i);
        else if (!strstr(err.msg, "control"))
            TEST_FAIL_("case %zu: unexpected message \"%s\"", i, err.msg);
        if (text(bad[i], 100, true, &err) != DP_EINVAL)
            TEST_FAIL_("multi-line accepted case %zu", i);
    }
    CHECK_INT_EQ(text("line one\nline two", 100, false, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "single line"));
    CHECK_INT_EQ(text("line one\nline two\n", 100, true, &err), DP_OK);
    CHECK_INT_EQ(text("line one\r\nline two", 100, true, &err), DP_EINVAL);
    CHECK_INT_EQ(text("a\u00b7b \u3001 \u00e9", 100, false, &err), DP_OK);
}

TEST(text_edge_spaces)
{
    struct dp_error err;
    CHECK_INT_EQ(text(" village", 100, false, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "spaces"));
    CHECK_INT_EQ(text("village ", 100, false, &err), DP_EINVAL);
    CHECK_INT_EQ(text("东风村\u3000", 100, false, &err), DP_EINVAL); /* ideographic space */
    CHECK_INT_EQ(text("\u00a0东风村", 100, false, &err), DP_EINVAL);
    CHECK_INT_EQ(text(" ", 100, false, &err), DP_EINVAL);
    CHECK_INT_EQ(text("east wind village", 100, false, &err), DP_OK);
    CHECK_INT_EQ(text("  indented\nnote ", 100, true, &err), DP_OK);
}

static enum dp_status
name(const char *s, struct dp_error *err)
{
    dp_error_clear(err);
    return validate_name(s, 30, "name", err);
}

TEST(names_good)
{
    struct dp_error err;
    const char *good[] = {
        "张三",
        "王小明",
        "欧阳娜娜",
        "买买提·艾力",
        "阿卜杜拉・艾买提",
        "热依拉·买买提·吐尔逊",
        "Anna Maria",
        "José García",
        "Zhang",
        "才让卓玛",
        "李A",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (name(good[i], &err) != DP_OK)
            TEST_FAIL_("rejected case %zu: %s", i, err.msg);
}

TEST(names_bad)
{
    struct dp_error err;
    const struct {
        const char *s;
        const char *why;
    } bad[] = {
        {"·艾力", "start or end"},
        {"买买提·", "start or end"},
        {"·", "start or end"},
        {"买买提··艾力", "one middle dot"},
        {"买买提・·艾力", "one middle dot"},
        {"Anna ·Maria", "space"},
        {"Anna· Maria", "one middle dot"},
        {"买买提.艾力", "another dot"},
        {"买买提\u2022艾力", "another dot"},
        {"买买提\uff65艾力", "another dot"},
        {"买买提\u2027艾力", "another dot"},
        {"买买提\u22c5艾力", "another dot"},
        {"买买提。艾力", "another dot"},
        {"张3", "digits"},
        {"张\uff13", "digits"},
        {"张 三", "space"},
        {"张\u3000三", "space"},
        {"Anna  Maria", "space"},
        {"O'Brien", "punctuation"},
        {"Jean-Pierre", "punctuation"},
        {"张三!", "punctuation"},
        {"张三（小）", "punctuation"},
        {"张三,李四", "punctuation"},
        {"张三，李四", "punctuation"},
        {"张三\xF0\x9F\x98\x80", "punctuation"},
        {"张\t三", "control"},
        {" 张三", "spaces"},
        {"张\xC0\xAF", "not valid text"},
        {"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一", "too long"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (name(bad[i].s, &err) != DP_EINVAL)
            TEST_FAIL_("accepted case %zu", i);
        else if (!strstr(err.msg, bad[i].why))
            TEST_FAIL_("case %zu: \"%s\" does not mention \"%s\"", i, err.msg, bad[i].why);
        if (strcmp(err.field, "name") != 0)
            TEST_FAIL_("case %zu: field \"%s\"", i, err.field);
        if (strstr(err.msg, "买买提") || strstr(err.msg, "张"))
            TEST_FAIL_("case %zu: message shows the name", i);
    }
    CHECK_INT_EQ(name("买买提.艾力", &err), DP_EINVAL);
    CHECK(strstr(err.msg, "(\u00b7)")); /* the dot itself is shown, filled in by %s */
    CHECK_INT_EQ(name("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十", &err),
                 DP_OK); /* exactly 30 */
}

/* --- validate_field, over the real schemas ------------------------------- */

static const struct field_def *
fld(const struct record_def *def, const char *n)
{
    const struct field_def *f = schema_field(def, n);
    if (!f) {
        fprintf(stderr, "schema has no field %s.%s\n", def->name, n);
        abort();
    }
    return f;
}

static enum dp_status
field(const struct record_def *def, const char *n, const char *value)
{
    struct dp_error err;
    dp_error_clear(&err);
    enum dp_status st = validate_field(fld(def, n), value, &today, &err);
    if (st != DP_OK && (strcmp(err.field, n) != 0 || !err.msg[0]))
        TEST_FAIL_("%s.%s: error without the field name or a message", def->name, n);
    return st;
}

TEST(field_empty_means_unset)
{
    for (size_t r = 0; schema_records[r]; r++) {
        const struct record_def *def = schema_records[r];
        for (size_t i = 0; i < def->nfields; i++) {
            const struct field_def *f = &def->fields[i];
            enum dp_status want = (f->flags & FF_REQUIRED) ? DP_EINVAL : DP_OK;
            struct dp_error err;
            dp_error_clear(&err);
            if (validate_field(f, "", &today, &err) != want)
                TEST_FAIL_("%s.%s: empty value", def->name, f->name);
            if (validate_field(f, NULL, NULL, &err) != want)
                TEST_FAIL_("%s.%s: NULL value", def->name, f->name);
            if (want != DP_OK && strcmp(err.field, f->name) != 0)
                TEST_FAIL_("%s.%s: field not named", def->name, f->name);
        }
    }
}

TEST(field_enum)
{
    CHECK_INT_EQ(field(&schema_household, "risk", "red"), DP_OK);
    CHECK_INT_EQ(field(&schema_household, "risk", "green"), DP_OK);
    CHECK_INT_EQ(field(&schema_household, "risk", "Red"), DP_EINVAL);
    CHECK_INT_EQ(field(&schema_household, "risk", "purple"), DP_EINVAL);
    CHECK_INT_EQ(field(&schema_household, "risk", "red,green"), DP_EINVAL);
    CHECK_INT_EQ(field(&schema_household, "risk", " red"), DP_EINVAL);
    CHECK_INT_EQ(field(&schema_household, "risk", ""), DP_EINVAL); /* required */
    CHECK_INT_EQ(field(&schema_member, "sex", "F"), DP_OK);
    CHECK_INT_EQ(field(&schema_member, "sex", "f"), DP_EINVAL);
    CHECK_INT_EQ(field(&schema_member, "sex", ""), DP_OK); /* optional */
    CHECK_INT_EQ(field(&schema_member, "disability_grade", "4"), DP_OK);
    CHECK_INT_EQ(field(&schema_member, "disability_grade", "5"), DP_EINVAL);
}

TEST(field_set)
{
    const struct record_def *h = &schema_household;
    CHECK_INT_EQ(field(h, "categories", "dibao"), DP_OK);
    CHECK_INT_EQ(field(h, "categories", "dibao,temp_assist"), DP_OK);
    CHECK_INT_EQ(field(h, "categories", "dibao,tekun_central,relapse_watch"), DP_OK);
    CHECK_INT_EQ(field(h, "categories", "relapse_watch"), DP_OK);
    CHECK_INT_EQ(field(h, "categories",
                       "dibao,tekun_central,tekun_dispersed,dibao_edge,temp_assist,relapse_watch"),
                 DP_OK);
    struct dp_error err;
    const struct field_def *f = fld(h, "categories");
    CHECK_INT_EQ(validate_field(f, "temp_assist,dibao", NULL, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "order"));
    CHECK_INT_EQ(validate_field(f, "dibao,dibao", NULL, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "twice"));
    CHECK_INT_EQ(validate_field(f, "dibao,,temp_assist", NULL, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "empty"));
    CHECK_INT_EQ(validate_field(f, "dibao,", NULL, &err), DP_EINVAL);
    CHECK_INT_EQ(validate_field(f, ",dibao", NULL, &err), DP_EINVAL);
    CHECK_INT_EQ(validate_field(f, ",", NULL, &err), DP_EINVAL);
    CHECK_INT_EQ(validate_field(f, "dibao,nonsense", NULL, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "not one of"));
    CHECK_INT_EQ(validate_field(f, "dibao, temp_assist", NULL, &err), DP_EINVAL);
    CHECK_INT_EQ(validate_field(f, "diba", NULL, &err), DP_EINVAL); /* a prefix of a token */
    CHECK_INT_EQ(validate_field(f, "dibaox", NULL, &err), DP_EINVAL);
    CHECK_INT_EQ(validate_field(f, "DIBAO", NULL, &err), DP_EINVAL);
    CHECK_INT_EQ(field(h, "flags", "acute_hardship,disaster_hit"), DP_OK);
    CHECK_INT_EQ(field(h, "flags", "disaster_hit,acute_hardship"), DP_EINVAL);
}

TEST(field_bool_money_date)
{
    const struct record_def *m = &schema_member, *v = &schema_visit;
    CHECK_INT_EQ(field(m, "serious_illness", "0"), DP_OK);
    CHECK_INT_EQ(field(m, "serious_illness", "1"), DP_OK);
    CHECK_INT_EQ(field(m, "serious_illness", "2"), DP_EINVAL);
    CHECK_INT_EQ(field(m, "serious_illness", "yes"), DP_EINVAL);
    CHECK_INT_EQ(field(m, "serious_illness", "true"), DP_EINVAL);
    CHECK_INT_EQ(field(m, "serious_illness", "01"), DP_EINVAL);
    CHECK_INT_EQ(field(v, "monthly_income", "123456"), DP_OK);
    CHECK_INT_EQ(field(v, "monthly_income", "0"), DP_OK);
    CHECK_INT_EQ(field(v, "monthly_income", "1234.56"), DP_EINVAL);
    CHECK_INT_EQ(field(v, "monthly_income", "-1"), DP_EINVAL);
    CHECK_INT_EQ(field(v, "monthly_income", "0123"), DP_EINVAL);
    CHECK_INT_EQ(field(v, "monthly_income", "1,234"), DP_EINVAL);
    CHECK_INT_EQ(field(v, "monthly_income", "1000000000001"), DP_EINVAL);
    CHECK_INT_EQ(field(v, "date", "2024-02-29"), DP_OK);
    CHECK_INT_EQ(field(v, "date", "2023-02-29"), DP_EINVAL);
    CHECK_INT_EQ(field(v, "date", "2024-2-29"), DP_EINVAL);
    CHECK_INT_EQ(field(v, "date", ""), DP_EINVAL);             /* required */
    CHECK_INT_EQ(field(v, "next_visit", "2030-01-01"), DP_OK); /* future is fine here */
    CHECK_INT_EQ(field(m, "birth_date", "2024-06-01"), DP_OK);
    CHECK_INT_EQ(field(m, "birth_date", "2024-06-02"), DP_EINVAL); /* after `today` */
    CHECK_INT_EQ(validate_field(fld(m, "birth_date"), "2024-06-02", NULL, NULL), DP_OK);
    CHECK_INT_EQ(field(m, "birth_date", "1899-12-31"), DP_EINVAL);
}

TEST(field_other_types)
{
    const struct record_def *h = &schema_household, *m = &schema_member, *v = &schema_visit;
    char id[19];
    make_id(id, "110105", "19491231", "002");
    CHECK_INT_EQ(field(m, "id_number", id), DP_OK);
    make_id(id, "110105", "20250101", "002");
    CHECK_INT_EQ(field(m, "id_number", id), DP_EINVAL); /* future relative to `today` */
    CHECK_INT_EQ(field(m, "id_number", "11010519491231002x"), DP_EINVAL);
    CHECK_INT_EQ(field(h, "phone", "13812345678"), DP_OK);
    CHECK_INT_EQ(field(h, "phone", "1381234567"), DP_EINVAL);
    CHECK_INT_EQ(field(v, "worker", "wang.li"), DP_OK);
    CHECK_INT_EQ(field(v, "worker", "Wang"), DP_EINVAL);
    CHECK_INT_EQ(field(h, "id", "123e4567-e89b-12d3-a456-426614174000"), DP_OK);
    CHECK_INT_EQ(field(h, "id", "not-a-uuid"), DP_EINVAL);
    CHECK_INT_EQ(field(m, "name", "买买提·艾力"), DP_OK);
    CHECK_INT_EQ(field(m, "name", "买买提··艾力"), DP_EINVAL);
    CHECK_INT_EQ(field(m, "name", "张3"), DP_EINVAL);
    CHECK_INT_EQ(field(h, "address", "东风村 3 组"), DP_OK); /* digits fine in text */
    CHECK_INT_EQ(field(h, "address", "东风村\n3 组"), DP_EINVAL);
    CHECK_INT_EQ(field(h, "notes", "first line\nsecond line"), DP_OK);
    CHECK_INT_EQ(field(h, "notes", "bell\a"), DP_EINVAL);
    /* Caps come from the schema: village allows 30 characters. */
    CHECK_INT_EQ(
        field(h, "village", "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"), DP_OK);
    CHECK_INT_EQ(
        field(h, "village", "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"),
        DP_EINVAL);
}

TEST(field_every_type_dispatches)
{
    /* One synthetic field per type: a clearly bad value must be refused by each. */
    static const struct choice ch[] = {{"a", "A"}, {"b", "B"}, {NULL, NULL}};
    const struct {
        enum field_type type;
        const char *good, *bad;
    } cases[] = {
        {FT_UUID, "123e4567-e89b-12d3-a456-426614174000", "x"},
        {FT_TEXT, "text", "a\tb"},
        {FT_NAME, "张三", "张3"},
        {FT_NOTE, "a\nb", "a\rb"},
        {FT_ENUM, "b", "c"},
        {FT_SET, "a,b", "b,a"},
        {FT_DATE, "2024-01-31", "2024-01-32"},
        {FT_MONEY, "100", "1.00"},
        {FT_BOOL, "1", "Y"},
        {FT_ID_NUMBER, "11010519491231002X", "110105194912310020"},
        {FT_PHONE, "13800000000", "1380000000"},
        {FT_USER, "li", "Li"},
    };
    CHECK_INT_EQ(sizeof cases / sizeof cases[0], FT_USER + 1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct field_def f = {"f", "F", cases[i].type, 0, 10, ch, MERGE_MANUAL};
        struct dp_error err;
        if (validate_field(&f, cases[i].good, &today, &err) != DP_OK)
            TEST_FAIL_("type %d refused a good value: %s", (int)cases[i].type, err.msg);
        if (validate_field(&f, cases[i].bad, &today, &err) != DP_EINVAL)
            TEST_FAIL_("type %d accepted a bad value", (int)cases[i].type);
    }
    struct field_def unknown = {"f", "F", (enum field_type)99, 0, 0, NULL, MERGE_MANUAL};
    CHECK_INT_EQ(validate_field(&unknown, "x", NULL, NULL), DP_EINVAL);
    CHECK_INT_EQ(validate_field(NULL, "x", NULL, NULL), DP_EINVAL);
}

int
main(void)
{
    RUN(id_number_well_known_sample);
    RUN(id_number_check_char_matches_independent_method);
    RUN(id_number_good_values);
    RUN(id_number_wrong_check_digit);
    RUN(id_number_shape);
    RUN(id_number_birth_date);
    RUN(id_number_info_only_on_success);
    RUN(id_number_normalise_trims_and_uppercases);
    RUN(id_number_messages_never_show_the_number);
    RUN(phone_numbers);
    RUN(usernames);
    RUN(uuids);
    RUN(text_utf8_and_length);
    RUN(text_control_characters);
    RUN(text_edge_spaces);
    RUN(names_good);
    RUN(names_bad);
    RUN(field_empty_means_unset);
    RUN(field_enum);
    RUN(field_set);
    RUN(field_bool_money_date);
    RUN(field_other_types);
    RUN(field_every_type_dispatches);
    return test_report();
}
