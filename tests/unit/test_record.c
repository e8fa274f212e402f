#include "core/record.h"

#include <stdarg.h>

#include "core/validate.h"
#include "tests/unit/test.h"

#define HH_ID  "0b6f2c4e-8a1d-4c3b-9e7f-1a2b3c4d5e6f"
#define MEM_ID "5d1c7a3e-2b4f-4e6a-8c9d-0e1f2a3b4c5d"
#define VIS_ID "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

static const struct dp_date today = {2025, 6, 15};

/* Set name/value pairs, NULL-terminated; false if any set failed. */
static bool
set_all(struct record *r, ...)
{
    va_list ap;
    bool ok = true;
    va_start(ap, r);
    for (;;) {
        const char *name = va_arg(ap, const char *);
        if (!name)
            break;
        const char *value = va_arg(ap, const char *);
        if (record_set(r, name, value) != DP_OK)
            ok = false;
    }
    va_end(ap);
    return ok;
}

static bool
household(struct record *r)
{
    return record_init(r, &schema_household) == DP_OK &&
           set_all(r, "id", HH_ID, "head_name", "王小明", "village", "石桥村", "township", "青山镇",
                   "risk", "green", "status", "active", NULL);
}

static bool
member(struct record *r)
{
    return record_init(r, &schema_member) == DP_OK &&
           set_all(r, "id", MEM_ID, "household_id", HH_ID, "name", "王丽", "relation", "spouse",
                   "status", "present", NULL);
}

static bool
visit(struct record *r)
{
    return record_init(r, &schema_visit) == DP_OK &&
           set_all(r, "id", VIS_ID, "household_id", HH_ID, "worker", "w123", "date", "2025-06-10",
                   "kind", "routine", "outcome", "completed", "review_state", "draft", NULL);
}

static bool
need(struct record *r)
{
    return record_init(r, &schema_need) == DP_OK &&
           set_all(r, "id", VIS_ID, "household_id", HH_ID, "category", "rehab", "item",
                   "wheelchair", "urgency", "normal", "status", "open", NULL);
}

/* record_validate's status, and the field it blamed in *field_out. */
static enum dp_status
validate(const struct record *r, const struct dp_date *on, char *field_out, size_t size)
{
    struct dp_error err;
    dp_error_clear(&err);
    enum dp_status st = record_validate(r, on, &err);
    snprintf(field_out, size, "%s", err.field);
    if (st != DP_OK && !err.msg[0])
        snprintf(field_out, size, "(no message)");
    return st;
}

TEST(init_get_set_copy)
{
    struct record r, c;
    REQUIRE(record_init(&r, &schema_member) == DP_OK);
    for (size_t i = 0; i < schema_member.nfields; i++)
        CHECK_STR_EQ(r.values[i], "");
    CHECK(r.v == 0 && !r.deleted);
    CHECK(record_get(&r, "no_such_field") == NULL);
    CHECK(record_get(&r, NULL) == NULL);
    CHECK_INT_EQ(record_set(&r, "no_such_field", "x"), DP_EINVAL);
    CHECK_INT_EQ(record_set_index(&r, -1, "x"), DP_EINVAL);
    CHECK_INT_EQ(record_set_index(&r, (int)schema_member.nfields, "x"), DP_EINVAL);

    CHECK_INT_EQ(record_set(&r, "name", "李小梅"), DP_OK);
    CHECK_STR_EQ(record_get(&r, "name"), "李小梅");
    /* Setting a field to its own current string must not read freed memory. */
    CHECK_INT_EQ(record_set(&r, "name", record_get(&r, "name")), DP_OK);
    CHECK_STR_EQ(record_get(&r, "name"), "李小梅");
    CHECK_INT_EQ(record_set_index(&r, 3, "child"), DP_OK);
    CHECK_STR_EQ(record_get(&r, "relation"), "child");

    r.v = 7;
    r.deleted = true;
    REQUIRE(record_copy(&c, &r) == DP_OK);
    CHECK(c.def == &schema_member && c.v == 7 && c.deleted);
    CHECK(c.values != r.values && c.values[2] != r.values[2]);
    CHECK_INT_EQ(record_set(&r, "name", NULL), DP_OK);
    CHECK_STR_EQ(record_get(&r, "name"), "");
    CHECK_STR_EQ(record_get(&c, "name"), "李小梅");
    record_done(&c);
    record_done(&r);
    CHECK(r.values == NULL);
    record_done(&r); /* twice is harmless */

    struct record zero;
    memset(&zero, 0, sizeof zero);
    record_done(&zero);
    CHECK(record_get(&zero, "name") == NULL);
    CHECK_INT_EQ(record_set(&zero, "name", "x"), DP_EINVAL);
    CHECK_INT_EQ(record_init(&zero, NULL), DP_EINVAL);
    record_done(&zero);
}

TEST(typed_getters)
{
    struct record h, v;
    REQUIRE(household(&h));
    REQUIRE(visit(&v));
    struct dp_date d = {0};
    int64_t fen = -1;

    CHECK_INT_EQ(record_get_date(&v, "date", &d), DP_OK);
    CHECK(d.year == 2025 && d.month == 6 && d.day == 10);
    CHECK_INT_EQ(record_get_date(&v, "next_visit", &d), DP_ENOTFOUND);
    CHECK_INT_EQ(record_get_date(&v, "kind", &d), DP_EINVAL); /* not a date field */
    CHECK_INT_EQ(record_get_date(&v, "nope", &d), DP_EINVAL);
    REQUIRE(record_set(&v, "next_visit", "2025-02-30") == DP_OK);
    d.year = 1;
    CHECK_INT_EQ(record_get_date(&v, "next_visit", &d), DP_EINVAL);
    CHECK_INT_EQ(d.year, 1); /* untouched on failure */

    CHECK_INT_EQ(record_get_money(&v, "medical_yearly", &fen), DP_ENOTFOUND);
    REQUIRE(record_set(&v, "medical_yearly", "5000001") == DP_OK);
    CHECK_INT_EQ(record_get_money(&v, "medical_yearly", &fen), DP_OK);
    CHECK_INT_EQ(fen, 5000001);
    REQUIRE(record_set(&v, "medical_yearly", "12.50") == DP_OK);
    CHECK_INT_EQ(record_get_money(&v, "medical_yearly", &fen), DP_EINVAL);
    CHECK_INT_EQ(record_get_money(&v, "date", &fen), DP_EINVAL);

    struct record m;
    REQUIRE(member(&m));
    CHECK(!record_get_bool(&m, "main_earner"));
    REQUIRE(record_set(&m, "main_earner", "1") == DP_OK);
    CHECK(record_get_bool(&m, "main_earner"));
    REQUIRE(record_set(&m, "main_earner", "0") == DP_OK);
    CHECK(!record_get_bool(&m, "main_earner"));
    CHECK(!record_get_bool(&m, "name"));

    REQUIRE(record_set(&h, "categories", "dibao,tekun_dispersed") == DP_OK);
    CHECK(record_set_has(&h, "categories", "dibao"));
    CHECK(record_set_has(&h, "categories", "tekun_dispersed"));
    CHECK(!record_set_has(&h, "categories", "tekun"));      /* a prefix is not a token */
    CHECK(!record_set_has(&h, "categories", "dibao_edge")); /* nor a longer one */
    CHECK(!record_set_has(&h, "categories", ""));
    CHECK(!record_set_has(&h, "head_name", "王小明")); /* not a set field */
    record_done(&m);
    record_done(&h);
    record_done(&v);
}

TEST(new_id_is_uuid_v4)
{
    char a[37], b[37];
    record_new_id(a, sizeof a);
    record_new_id(b, sizeof b);
    CHECK_INT_EQ(strlen(a), 36);
    CHECK_INT_EQ(validate_uuid(a, "id", NULL), DP_OK);
    CHECK(a[14] == '4');
    CHECK(strchr("89ab", a[19]) != NULL);
    CHECK(strcmp(a, b) != 0);
    for (int i = 0; a[i]; i++)
        CHECK(!(a[i] >= 'A' && a[i] <= 'Z'));
    /* Over many ids every variant nibble shows up and the version never changes. */
    bool variant[4] = {false, false, false, false};
    for (int i = 0; i < 400; i++) {
        record_new_id(a, sizeof a);
        CHECK(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-' && a[14] == '4');
        const char *p = strchr("89ab", a[19]);
        if (p)
            variant[p - "89ab"] = true;
    }
    CHECK(variant[0] && variant[1] && variant[2] && variant[3]);

    char small[36];
    memset(small, 'z', sizeof small);
    record_new_id(small, sizeof small);
    CHECK_STR_EQ(small, "");
    record_new_id(NULL, 0); /* no crash */
}

TEST(validate_good_records)
{
    struct record h, m, v, n;
    char field[48];
    REQUIRE(household(&h) && member(&m) && visit(&v) && need(&n));
    CHECK_INT_EQ(validate(&h, &today, field, sizeof field), DP_OK);
    CHECK_INT_EQ(validate(&m, &today, field, sizeof field), DP_OK);
    CHECK_INT_EQ(validate(&v, &today, field, sizeof field), DP_OK);
    CHECK_INT_EQ(validate(&n, &today, field, sizeof field), DP_OK);
    CHECK_INT_EQ(validate(&h, NULL, field, sizeof field), DP_OK);
    record_done(&h);
    record_done(&m);
    record_done(&v);
    record_done(&n);
}

TEST(validate_field_errors_name_the_field)
{
    struct record h, v;
    char field[48];
    REQUIRE(household(&h) && visit(&v));
    REQUIRE(record_set(&h, "village", NULL) == DP_OK);
    CHECK_INT_EQ(validate(&h, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "village");
    REQUIRE(record_set(&h, "village", "石桥村") == DP_OK);
    REQUIRE(record_set(&h, "phone", "1380013800") == DP_OK); /* 10 digits */
    CHECK_INT_EQ(validate(&h, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "phone");
    REQUIRE(record_set(&h, "phone", "13800138000") == DP_OK);
    REQUIRE(record_set(&h, "risk", "purple") == DP_OK);
    CHECK_INT_EQ(validate(&h, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "risk");

    REQUIRE(record_set(&v, "monthly_income", "-5") == DP_OK);
    CHECK_INT_EQ(validate(&v, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "monthly_income");
    record_done(&h);
    record_done(&v);
}

TEST(household_risk_needs_reason)
{
    struct record h;
    char field[48];
    REQUIRE(household(&h));
    const char *classes[] = {"red", "yellow"};
    for (int i = 0; i < 2; i++) {
        REQUIRE(set_all(&h, "risk", classes[i], "risk_reason", "", NULL));
        CHECK_INT_EQ(validate(&h, &today, field, sizeof field), DP_EINVAL);
        CHECK_STR_EQ(field, "risk_reason");
        REQUIRE(record_set(&h, "risk_reason", "elderly person living alone") == DP_OK);
        CHECK_INT_EQ(validate(&h, &today, field, sizeof field), DP_OK);
    }
    REQUIRE(set_all(&h, "risk", "green", "risk_reason", "", NULL));
    CHECK_INT_EQ(validate(&h, &today, field, sizeof field), DP_OK);
    record_done(&h);
}

TEST(member_birth_and_sex_match_id_number)
{
    struct record m;
    char field[48];
    REQUIRE(member(&m));
    /* The standard's example number: born 1949-12-31, female, check character X. */
    REQUIRE(record_set(&m, "id_number", "11010519491231002X") == DP_OK);
    CHECK_INT_EQ(validate(&m, &today, field, sizeof field), DP_OK);
    REQUIRE(set_all(&m, "birth_date", "1949-12-31", "sex", "F", NULL));
    CHECK_INT_EQ(validate(&m, &today, field, sizeof field), DP_OK);

    REQUIRE(record_set(&m, "birth_date", "1949-12-30") == DP_OK);
    CHECK_INT_EQ(validate(&m, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "birth_date");
    REQUIRE(record_set(&m, "birth_date", "1950-12-31") == DP_OK);
    CHECK_INT_EQ(validate(&m, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "birth_date");

    REQUIRE(set_all(&m, "birth_date", "1949-12-31", "sex", "M", NULL));
    CHECK_INT_EQ(validate(&m, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "sex");

    /* Male, born on a leap day. */
    REQUIRE(set_all(&m, "id_number", "110101200002290018", "birth_date", "2000-02-29", "sex", "M",
                    NULL));
    CHECK_INT_EQ(validate(&m, &today, field, sizeof field), DP_OK);
    REQUIRE(record_set(&m, "sex", "F") == DP_OK);
    CHECK_INT_EQ(validate(&m, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "sex");
    REQUIRE(set_all(&m, "id_number", "110101200002290026", NULL)); /* the female twin */
    CHECK_INT_EQ(validate(&m, &today, field, sizeof field), DP_OK);

    /* A wrong check character is the ID number's fault, not the birth date's. */
    REQUIRE(record_set(&m, "id_number", "110101200002290027") == DP_OK);
    CHECK_INT_EQ(validate(&m, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "id_number");

    /* Sex and birth date alone, without an ID number, are not cross-checked. */
    REQUIRE(set_all(&m, "id_number", "", "birth_date", "1990-01-01", "sex", "M", NULL));
    CHECK_INT_EQ(validate(&m, &today, field, sizeof field), DP_OK);
    record_done(&m);
}

TEST(member_birth_not_in_future)
{
    struct record m;
    char field[48];
    REQUIRE(member(&m));
    REQUIRE(record_set(&m, "birth_date", "2025-06-15") == DP_OK); /* born today */
    CHECK_INT_EQ(validate(&m, &today, field, sizeof field), DP_OK);
    REQUIRE(record_set(&m, "birth_date", "2025-06-16") == DP_OK);
    CHECK_INT_EQ(validate(&m, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "birth_date");
    CHECK_INT_EQ(validate(&m, NULL, field, sizeof field), DP_OK); /* no today, no check */
    record_done(&m);
}

TEST(visit_cross_rules)
{
    struct record v;
    char field[48];
    REQUIRE(visit(&v));

    REQUIRE(record_set(&v, "next_visit", "2025-06-09") == DP_OK);
    CHECK_INT_EQ(validate(&v, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "next_visit");
    REQUIRE(record_set(&v, "next_visit", "2025-06-10") == DP_OK); /* same day is fine */
    CHECK_INT_EQ(validate(&v, &today, field, sizeof field), DP_OK);

    REQUIRE(record_set(&v, "risk_after", "red") == DP_OK);
    CHECK_INT_EQ(validate(&v, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "risk_reason");
    REQUIRE(record_set(&v, "risk_reason", "main earner died") == DP_OK);
    CHECK_INT_EQ(validate(&v, &today, field, sizeof field), DP_OK);

    REQUIRE(record_set(&v, "review_state", "returned") == DP_OK);
    CHECK_INT_EQ(validate(&v, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "review_comment");
    REQUIRE(record_set(&v, "review_comment", "income figure missing") == DP_OK);
    CHECK_INT_EQ(validate(&v, &today, field, sizeof field), DP_OK);

    /* Tomorrow is tolerated (time zones), the day after is not. */
    REQUIRE(set_all(&v, "date", "2025-06-16", "next_visit", "", NULL));
    CHECK_INT_EQ(validate(&v, &today, field, sizeof field), DP_OK);
    REQUIRE(record_set(&v, "date", "2025-06-17") == DP_OK);
    CHECK_INT_EQ(validate(&v, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "date");
    CHECK_INT_EQ(validate(&v, NULL, field, sizeof field), DP_OK);
    struct dp_date dec31 = {2025, 12, 31};
    REQUIRE(record_set(&v, "date", "2026-01-01") == DP_OK); /* across the year's end */
    CHECK_INT_EQ(validate(&v, &dec31, field, sizeof field), DP_OK);
    record_done(&v);
}

TEST(need_cross_rules)
{
    struct record n;
    char field[48];
    REQUIRE(need(&n));
    REQUIRE(record_set(&n, "status", "referred") == DP_OK);
    CHECK_INT_EQ(validate(&n, &today, field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "referred_to");
    REQUIRE(record_set(&n, "referred_to", "county disabled persons' federation") == DP_OK);
    CHECK_INT_EQ(validate(&n, &today, field, sizeof field), DP_OK);
    /* A follow-up date that has passed stays valid (records are re-checked later). */
    REQUIRE(record_set(&n, "follow_up", "2024-01-01") == DP_OK);
    CHECK_INT_EQ(validate(&n, &today, field, sizeof field), DP_OK);
    record_done(&n);
}

/* ---- JSON ------------------------------------------------------------------ */

/* Parse text and apply it to r; returns the status and the field blamed. */
static enum dp_status
apply_json(struct record *r, const char *text, char *field_out, size_t size)
{
    cJSON *obj = cJSON_Parse(text);
    struct dp_error err;
    dp_error_clear(&err);
    enum dp_status st = obj ? record_from_json(r, obj, &err) : DP_EIO;
    cJSON_Delete(obj);
    snprintf(field_out, size, "%s", err.field);
    return st;
}

TEST(to_json_types)
{
    struct record v, h;
    REQUIRE(visit(&v) && household(&h));
    REQUIRE(set_all(&v, "medical_yearly", "5000001", "monthly_income", "0", NULL));
    REQUIRE(set_all(&h, "categories", "dibao,relapse_watch", NULL));

    cJSON *j = record_to_json(&v, false);
    REQUIRE(j != NULL);
    const cJSON *money = cJSON_GetObjectItemCaseSensitive(j, "medical_yearly");
    CHECK(cJSON_IsNumber(money) && money->valuedouble == 5000001.0);
    money = cJSON_GetObjectItemCaseSensitive(j, "monthly_income");
    CHECK(cJSON_IsNumber(money) && money->valuedouble == 0.0);
    CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "date")));
    CHECK(cJSON_GetObjectItemCaseSensitive(j, "notes") == NULL); /* unset: absent */
    CHECK_INT_EQ(cJSON_GetArraySize(j), 9);
    char *text = cJSON_PrintUnformatted(j);
    REQUIRE(text != NULL);
    CHECK(strstr(text, "\"medical_yearly\":5000001") != NULL);
    CHECK(strstr(text, "\"monthly_income\":0") != NULL);
    free(text);
    cJSON_Delete(j);

    j = record_to_json(&v, true);
    REQUIRE(j != NULL);
    CHECK_INT_EQ(cJSON_GetArraySize(j), (int)schema_visit.nfields);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "notes")));
    cJSON_Delete(j);

    j = record_to_json(&h, false);
    REQUIRE(j != NULL);
    const cJSON *cats = cJSON_GetObjectItemCaseSensitive(j, "categories");
    REQUIRE(cJSON_IsArray(cats) && cJSON_GetArraySize(cats) == 2);
    CHECK_STR_EQ(cJSON_GetArrayItem(cats, 0)->valuestring, "dibao");
    CHECK_STR_EQ(cJSON_GetArrayItem(cats, 1)->valuestring, "relapse_watch");
    cJSON_Delete(j);

    struct record m;
    REQUIRE(member(&m));
    REQUIRE(set_all(&m, "main_earner", "1", "left_behind_child", "0", NULL));
    j = record_to_json(&m, false);
    REQUIRE(j != NULL);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "main_earner")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "left_behind_child")));
    CHECK(cJSON_GetObjectItemCaseSensitive(j, "elderly_alone") == NULL);
    cJSON_Delete(j);

    /* A non-canonical stored value travels as a string, for the receiver to reject by name. */
    REQUIRE(record_set(&m, "main_earner", "yes") == DP_OK);
    j = record_to_json(&m, false);
    REQUIRE(j != NULL);
    CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "main_earner")));
    cJSON_Delete(j);
    record_done(&m);
    record_done(&v);
    record_done(&h);
}

/* to_json, print, parse, from_json into a fresh record: every value survives. */
static void
check_round_trip(const struct record *src, bool all)
{
    cJSON *j = record_to_json(src, all);
    REQUIRE(j != NULL);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    REQUIRE(text != NULL);
    struct record dst;
    char field[48];
    REQUIRE(record_init(&dst, src->def) == DP_OK);
    CHECK_INT_EQ(apply_json(&dst, text, field, sizeof field), DP_OK);
    for (size_t i = 0; i < src->def->nfields; i++)
        CHECK_STR_EQ(dst.values[i], src->values[i]);
    record_done(&dst);
    free(text);
}

TEST(json_round_trips)
{
    struct record h, m, v, n;
    REQUIRE(household(&h) && member(&m) && visit(&v) && need(&n));
    REQUIRE(set_all(&h, "categories",
                    "dibao,tekun_central,tekun_dispersed,dibao_edge,temp_assist,relapse_watch",
                    "flags", "hard_to_reach", "notes", "第一行\n第二行 \"quoted\" \\ tab-free",
                    "risk", "red", "risk_reason", "独居老人", "next_visit_due", "2025-07-15",
                    NULL));
    REQUIRE(set_all(&m, "name", "阿依古丽·买买提", "birth_date", "2000-02-29", "id_number",
                    "110101200002290018", "sex", "M", "main_earner", "1", "serious_illness", "0",
                    NULL));
    REQUIRE(set_all(&v, "monthly_income", "1000000000000", "medical_yearly", "1", "housing", "poor",
                    "next_visit", "2025-07-10", NULL));
    REQUIRE(set_all(&n, "follow_up", "2025-07-01", "member_id", MEM_ID, NULL));
    check_round_trip(&h, false);
    check_round_trip(&h, true);
    check_round_trip(&m, true);
    check_round_trip(&v, false);
    check_round_trip(&v, true);
    check_round_trip(&n, true);
    record_done(&h);
    record_done(&m);
    record_done(&v);
    record_done(&n);
}

TEST(from_json_accepts_and_canonicalises)
{
    struct record h, v;
    char field[48];
    REQUIRE(household(&h) && visit(&v));

    /* Sets in any order come out in choice order; [] unsets. */
    CHECK_INT_EQ(
        apply_json(&h, "{\"categories\":[\"relapse_watch\",\"dibao\"]}", field, sizeof field),
        DP_OK);
    CHECK_STR_EQ(record_get(&h, "categories"), "dibao,relapse_watch");
    CHECK_INT_EQ(apply_json(&h, "{\"categories\":[]}", field, sizeof field), DP_OK);
    CHECK_STR_EQ(record_get(&h, "categories"), "");

    /* null and "" unset; absent fields stay. */
    CHECK_INT_EQ(
        apply_json(&h, "{\"phone\":\"13800138000\",\"county\":\"东湖县\"}", field, sizeof field),
        DP_OK);
    CHECK_INT_EQ(apply_json(&h, "{\"phone\":null,\"county\":\"\"}", field, sizeof field), DP_OK);
    CHECK_STR_EQ(record_get(&h, "phone"), "");
    CHECK_STR_EQ(record_get(&h, "county"), "");
    CHECK_STR_EQ(record_get(&h, "head_name"), "王小明");
    CHECK_INT_EQ(apply_json(&h, "{}", field, sizeof field), DP_OK);
    CHECK_STR_EQ(record_get(&h, "village"), "石桥村");
    /* Required-ness is the whole record's business: null may unset a required field here. */
    CHECK_INT_EQ(apply_json(&h, "{\"village\":null}", field, sizeof field), DP_OK);
    CHECK_STR_EQ(record_get(&h, "village"), "");

    /* Whole numbers of fen, however JSON spells them. */
    CHECK_INT_EQ(apply_json(&v, "{\"monthly_income\":1e3}", field, sizeof field), DP_OK);
    CHECK_STR_EQ(record_get(&v, "monthly_income"), "1000");
    CHECK_INT_EQ(apply_json(&v, "{\"monthly_income\":250.0}", field, sizeof field), DP_OK);
    CHECK_STR_EQ(record_get(&v, "monthly_income"), "250");
    CHECK_INT_EQ(apply_json(&v, "{\"monthly_income\":-0}", field, sizeof field), DP_OK);
    CHECK_STR_EQ(record_get(&v, "monthly_income"), "0");
    CHECK_INT_EQ(apply_json(&v, "{\"monthly_income\":1000000000000}", field, sizeof field), DP_OK);
    CHECK_STR_EQ(record_get(&v, "monthly_income"), "1000000000000");
    CHECK_INT_EQ(apply_json(&v, "{\"monthly_income\":null}", field, sizeof field), DP_OK);
    CHECK_STR_EQ(record_get(&v, "monthly_income"), "");
    record_done(&h);
    record_done(&v);
}

TEST(from_json_rejects_naming_the_field)
{
    static const struct {
        const char *json;
        const char *field;
    } bad[] = {
        {"{\"monthly_income\":\"1000\"}", "monthly_income"}, /* money as a string */
        {"{\"monthly_income\":1.5}", "monthly_income"},
        {"{\"monthly_income\":0.01}", "monthly_income"},
        {"{\"monthly_income\":-1}", "monthly_income"},
        {"{\"monthly_income\":1000000000001}", "monthly_income"}, /* MONEY_MAX_FEN + 1 */
        {"{\"monthly_income\":9007199254740993}", "monthly_income"},
        {"{\"monthly_income\":1e300}", "monthly_income"},
        {"{\"monthly_income\":1e999}", "monthly_income"},
        {"{\"monthly_income\":true}", "monthly_income"},
        {"{\"monthly_income\":[1]}", "monthly_income"},
        {"{\"kind\":\"party\"}", "kind"},
        {"{\"kind\":3}", "kind"},
        {"{\"date\":\"2025-02-29\"}", "date"},
        {"{\"date\":\"2025-6-1\"}", "date"},
        {"{\"date\":{}}", "date"},
        {"{\"worker\":\"Bad Name\"}", "worker"},
        {"{\"notes\":false}", "notes"},
        {"{\"risk_after\":\"RED\"}", "risk_after"},
        {"{\"colour\":\"red\"}", "colour"}, /* unknown key */
        {"{\"date\":\"2025-06-01\",\"date\":\"2025-06-02\"}", "date"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct record v;
        char field[48];
        REQUIRE(visit(&v));
        enum dp_status st = apply_json(&v, bad[i].json, field, sizeof field);
        if (st != DP_EINVAL || strcmp(field, bad[i].field) != 0)
            TEST_FAIL_("%s: status %s, field \"%s\"", bad[i].json, dp_status_name(st), field);
        record_done(&v);
    }

    struct record h, m;
    char field[48];
    REQUIRE(household(&h) && member(&m));
    CHECK_INT_EQ(apply_json(&h, "{\"categories\":\"dibao\"}", field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "categories");
    CHECK_INT_EQ(apply_json(&h, "{\"categories\":[\"dibao\",\"dibao\"]}", field, sizeof field),
                 DP_EINVAL);
    CHECK_STR_EQ(field, "categories");
    CHECK_INT_EQ(apply_json(&h, "{\"categories\":[\"five_guarantees\"]}", field, sizeof field),
                 DP_EINVAL);
    CHECK_INT_EQ(apply_json(&h, "{\"categories\":[\"dibao,temp_assist\"]}", field, sizeof field),
                 DP_EINVAL);
    CHECK_INT_EQ(apply_json(&h, "{\"categories\":[1]}", field, sizeof field), DP_EINVAL);
    CHECK_INT_EQ(apply_json(&h, "{\"flags\":[null]}", field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "flags");
    CHECK_INT_EQ(apply_json(&m, "{\"main_earner\":1}", field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "main_earner");
    CHECK_INT_EQ(apply_json(&m, "{\"main_earner\":\"1\"}", field, sizeof field), DP_EINVAL);
    CHECK_INT_EQ(apply_json(&m, "{\"id_number\":\"110101200002290027\"}", field, sizeof field),
                 DP_EINVAL);
    CHECK_STR_EQ(field, "id_number");
    CHECK_INT_EQ(apply_json(&m, "{\"phone\":\"x\"}", field, sizeof field), DP_EINVAL);
    CHECK_STR_EQ(field, "phone"); /* households have phones, members do not */
    CHECK_INT_EQ(apply_json(&m, "[]", field, sizeof field), DP_EINVAL);
    CHECK_INT_EQ(apply_json(&m, "\"name\"", field, sizeof field), DP_EINVAL);
    CHECK_INT_EQ(record_from_json(&m, NULL, NULL), DP_EINVAL);
    record_done(&h);
    record_done(&m);
}

TEST(from_json_is_all_or_nothing)
{
    struct record v;
    char field[48];
    REQUIRE(visit(&v));
    REQUIRE(record_set(&v, "monthly_income", "100") == DP_OK);
    /* Good members before and after a bad one change nothing. */
    CHECK_INT_EQ(apply_json(&v,
                            "{\"monthly_income\":200,\"kind\":\"emergency\","
                            "\"medical_yearly\":-3,\"notes\":\"x\"}",
                            field, sizeof field),
                 DP_EINVAL);
    CHECK_STR_EQ(field, "medical_yearly");
    CHECK_STR_EQ(record_get(&v, "monthly_income"), "100");
    CHECK_STR_EQ(record_get(&v, "kind"), "routine");
    CHECK_STR_EQ(record_get(&v, "notes"), "");
    record_done(&v);
}

int
main(void)
{
    RUN(init_get_set_copy);
    RUN(typed_getters);
    RUN(new_id_is_uuid_v4);
    RUN(validate_good_records);
    RUN(validate_field_errors_name_the_field);
    RUN(household_risk_needs_reason);
    RUN(member_birth_and_sex_match_id_number);
    RUN(member_birth_not_in_future);
    RUN(visit_cross_rules);
    RUN(need_cross_rules);
    RUN(to_json_types);
    RUN(json_round_trips);
    RUN(from_json_accepts_and_canonicalises);
    RUN(from_json_rejects_naming_the_field);
    RUN(from_json_is_all_or_nothing);
    return test_report();
}
