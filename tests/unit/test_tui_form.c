/* The model behind forms (tui/form.h): fields from the schema, money in yuan, choices, drafts. */
#include "tui/form.h"

#include <locale.h>

#include "tests/unit/test.h"

static const struct dp_date today = {2024, 3, 1};

static void
household(struct record *r)
{
    record_init(r, &schema_household);
    record_set(r, "id", "0b7e3d5c-1f2a-4c3b-9d8e-7f6a5b4c3d2e");
    record_set(r, "head_name", "张三");
    record_set(r, "village", "东风村");
    record_set(r, "township", "城关镇");
    record_set(r, "risk", "green");
    record_set(r, "status", "active");
    record_set(r, "assigned_to", "worker01");
}

static void
visit(struct record *r)
{
    record_init(r, &schema_visit);
    record_set(r, "id", "1c8f4e6d-2a3b-4d5c-8e9f-0a1b2c3d4e5f");
    record_set(r, "household_id", "0b7e3d5c-1f2a-4c3b-9d8e-7f6a5b4c3d2e");
    record_set(r, "worker", "tester");
    record_set(r, "date", "2024-03-01");
    record_set(r, "kind", "routine");
    record_set(r, "outcome", "completed");
    record_set(r, "review_state", "draft");
    record_set(r, "monthly_income", "123450");
}

static void
type(struct form *f, const char *name, const char *text)
{
    int i = form_find(f, name);
    if (i < 0)
        return;
    edit_set(&f->fields[i].edit, text);
    form_touch(f, (size_t)i);
}

TEST(fields_come_from_the_schema)
{
    struct record r;
    struct form f;
    household(&r);
    REQUIRE(form_init(&f, &r, false, NULL, NULL) == DP_OK);
    CHECK(form_find(&f, "id") < 0);          /* hidden */
    CHECK(form_find(&f, "risk_set_by") < 0); /* hidden */
    CHECK(form_find(&f, "assigned_to") < 0); /* kept by the server */
    CHECK(form_find(&f, "team") < 0);
    CHECK_INT_EQ(form_find(&f, "head_name"), 0);
    CHECK(form_find(&f, "notes") > 0);
    CHECK(form_field_is_text(&f.fields[form_find(&f, "village")]));
    CHECK(!form_field_is_text(&f.fields[form_find(&f, "risk")]));
    CHECK_STR_EQ(f.fields[0].edit.buf, "张三");
    CHECK(!f.changed);
    form_done(&f);
    /* A chosen subset, in the order given. */
    const char *only[] = {"risk", "risk_reason", NULL};
    REQUIRE(form_init(&f, &r, false, only, NULL) == DP_OK);
    CHECK_INT_EQ(f.nfields, 2);
    CHECK_STR_EQ(f.fields[0].def->name, "risk");
    form_done(&f);
    const char *bad[] = {"nonsense", NULL};
    struct dp_error err = {0};
    CHECK(form_init(&f, &r, false, bad, &err) == DP_EINVAL);
    form_done(&f);
    record_done(&r);
}

TEST(money_is_typed_in_yuan_and_kept_in_fen)
{
    struct record r, out;
    struct form f;
    struct dp_error err = {0};
    size_t bad;
    visit(&r);
    REQUIRE(form_init(&f, &r, true, NULL, NULL) == DP_OK);
    int mi = form_find(&f, "monthly_income");
    REQUIRE(mi >= 0);
    CHECK_STR_EQ(f.fields[mi].edit.buf, "1234.50");
    type(&f, "monthly_income", " 1,234.5 ");
    REQUIRE(form_to_record(&f, &today, &out, &bad, &err) == DP_OK);
    CHECK_STR_EQ(record_get(&out, "monthly_income"), "123450");
    record_done(&out);
    type(&f, "monthly_income", "12.345");
    CHECK(form_to_record(&f, &today, &out, &bad, &err) == DP_EINVAL);
    CHECK_INT_EQ(bad, (size_t)mi);
    CHECK(f.fields[mi].error[0] != '\0');
    CHECK(strstr(err.msg, "12.345") == NULL); /* never the value in a message */
    type(&f, "monthly_income", "");
    REQUIRE(form_to_record(&f, &today, &out, &bad, &err) == DP_OK);
    CHECK_STR_EQ(record_get(&out, "monthly_income"), "");
    CHECK_STR_EQ(f.fields[mi].error, ""); /* fixed: the message is gone */
    record_done(&out);
    form_done(&f);
    record_done(&r);
}

TEST(validation_points_at_the_field)
{
    struct record r, out;
    struct form f;
    struct dp_error err = {0};
    size_t bad;
    household(&r);
    REQUIRE(form_init(&f, &r, false, NULL, NULL) == DP_OK);
    type(&f, "phone", "1380000000");
    type(&f, "head_name", "  李四 ");
    CHECK(form_to_record(&f, &today, &out, &bad, &err) == DP_EINVAL);
    CHECK_INT_EQ(bad, (size_t)form_find(&f, "phone"));
    CHECK_STR_EQ(err.field, "phone");
    CHECK(form_check_field(&f, (size_t)form_find(&f, "head_name"), &today) == DP_OK);
    type(&f, "phone", "13800000000");
    type(&f, "head_id_number", "11010519491231002x"); /* lower-case x is what people type */
    REQUIRE(form_to_record(&f, &today, &out, &bad, &err) == DP_OK);
    CHECK_STR_EQ(record_get(&out, "head_name"), "李四"); /* spaces trimmed */
    CHECK_STR_EQ(record_get(&out, "head_id_number"), "11010519491231002X");
    CHECK_STR_EQ(record_get(&out, "assigned_to"), "worker01"); /* untouched fields kept */
    record_done(&out);
    /* Cross-field rules name a field on the form. */
    form_field_set(&f, (size_t)form_find(&f, "risk"), "red");
    CHECK(form_to_record(&f, &today, &out, &bad, &err) != DP_OK);
    CHECK_INT_EQ(bad, (size_t)form_find(&f, "risk_reason"));
    form_done(&f);
    record_done(&r);
}

TEST(choices_step_toggle_and_pick_by_letter)
{
    struct record r;
    struct form f;
    household(&r);
    REQUIRE(form_init(&f, &r, false, NULL, NULL) == DP_OK);
    size_t risk = (size_t)form_find(&f, "risk"), cats = (size_t)form_find(&f, "categories");
    form_choice_step(&f, risk, 1); /* required: green wraps to red, never unset */
    CHECK_STR_EQ(f.fields[risk].value, "red");
    form_choice_step(&f, risk, -1);
    CHECK_STR_EQ(f.fields[risk].value, "green");
    CHECK(f.changed);
    CHECK(form_choice_letter(&f, risk, 'Y'));
    CHECK_STR_EQ(f.fields[risk].value, "yellow");
    CHECK(!form_choice_letter(&f, risk, 'q'));
    form_toggle(&f, cats, 2);
    form_toggle(&f, cats, 0);
    CHECK_STR_EQ(f.fields[cats].value, "dibao,tekun_dispersed"); /* canonical order */
    CHECK(form_set_has(&f.fields[cats], 0));
    CHECK(!form_set_has(&f.fields[cats], 1));
    form_toggle(&f, cats, 0);
    CHECK_STR_EQ(f.fields[cats].value, "tekun_dispersed");
    form_toggle(&f, cats, 99); /* out of range: nothing */
    CHECK_STR_EQ(f.fields[cats].value, "tekun_dispersed");
    form_done(&f);
    record_done(&r);

    /* An optional choice may be unset by stepping past the ends. */
    struct record v;
    visit(&v);
    REQUIRE(form_init(&f, &v, true, NULL, NULL) == DP_OK);
    size_t housing = (size_t)form_find(&f, "housing");
    CHECK_STR_EQ(f.fields[housing].value, "");
    form_choice_step(&f, housing, 1);
    CHECK_STR_EQ(f.fields[housing].value, "safe");
    form_choice_step(&f, housing, -1);
    CHECK_STR_EQ(f.fields[housing].value, "");
    form_done(&f);
    record_done(&v);
}

TEST(drafts_round_trip_with_newlines_and_backslashes)
{
    struct record r;
    struct form f, g;
    household(&r);
    REQUIRE(form_init(&f, &r, false, NULL, NULL) == DP_OK);
    type(&f, "notes", "第一行\n第二行 \\ 反斜杠\\n");
    type(&f, "phone", "1380000");
    form_toggle(&f, (size_t)form_find(&f, "categories"), 1);
    char *draft = form_draft_text(&f);
    REQUIRE(draft);
    CHECK(strstr(draft, "\nnotes=第一行\\n第二行 \\\\ 反斜杠\\\\n\n") != NULL);
    REQUIRE(form_init(&g, &r, false, NULL, NULL) == DP_OK);
    CHECK(form_draft_apply(&g, draft) == DP_OK);
    CHECK(g.changed);
    CHECK_STR_EQ(g.fields[form_find(&g, "notes")].edit.buf, "第一行\n第二行 \\ 反斜杠\\n");
    CHECK_STR_EQ(g.fields[form_find(&g, "phone")].edit.buf, "1380000");
    CHECK_STR_EQ(g.fields[form_find(&g, "categories")].value, "tekun_central");
    CHECK(g.fields[form_find(&g, "phone")].user_changed);
    CHECK(!g.fields[form_find(&g, "village")].user_changed);
    /* Unknown names and lines without '=' are skipped. */
    CHECK(form_draft_apply(&g, "bogus=1\nnothing\nvillage=红旗村") == DP_OK);
    CHECK_STR_EQ(g.fields[form_find(&g, "village")].edit.buf, "红旗村");
    free(draft);
    form_done(&g);
    form_done(&f);
    record_done(&r);
}

TEST(a_reference_becomes_a_choice)
{
    struct record n;
    struct form f;
    static const struct choice members[] = {
        {"1c8f4e6d-2a3b-4d5c-8e9f-0a1b2c3d4e5f", "张小三"},
        {"2d9f5e7d-3a4b-4d5c-8e9f-0a1b2c3d4e5f", "李四"},
        {NULL, NULL},
    };
    record_init(&n, &schema_need);
    REQUIRE(form_init(&f, &n, true, NULL, NULL) == DP_OK);
    size_t m = (size_t)form_find(&f, "member_id");
    CHECK(form_field_is_text(&f.fields[m]));
    REQUIRE(form_reference(&f, m, members) == DP_OK);
    CHECK(!form_field_is_text(&f.fields[m]));
    form_choice_step(&f, m, 1);
    CHECK_STR_EQ(f.fields[m].value, members[0].token);
    CHECK(form_reference(&f, m, members) == DP_EINVAL); /* once only */
    form_done(&f);
    record_done(&n);
}

TEST(restricted_choices)
{
    struct record v;
    struct form f;
    static const struct choice mine[] = {{"draft", "draft"}, {"submitted", "submitted"}, {0, 0}};
    visit(&v);
    record_set(&v, "review_state", "returned");
    REQUIRE(form_init(&f, &v, false, NULL, NULL) == DP_OK);
    size_t rs = (size_t)form_find(&f, "review_state");
    REQUIRE(form_restrict(&f, rs, mine) == DP_OK);
    CHECK_STR_EQ(f.fields[rs].value, "returned"); /* kept until changed */
    form_choice_step(&f, rs, 1);
    CHECK_STR_EQ(f.fields[rs].value, "draft");
    form_choice_step(&f, rs, 1);
    CHECK_STR_EQ(f.fields[rs].value, "submitted");
    form_choice_step(&f, rs, 1);
    CHECK_STR_EQ(f.fields[rs].value, "draft"); /* never "approved" */
    CHECK(form_restrict(&f, (size_t)form_find(&f, "notes"), mine) == DP_EINVAL);
    form_done(&f);
    record_done(&v);
}

int
main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    RUN(fields_come_from_the_schema);
    RUN(money_is_typed_in_yuan_and_kept_in_fen);
    RUN(validation_points_at_the_field);
    RUN(choices_step_toggle_and_pick_by_letter);
    RUN(drafts_round_trip_with_newlines_and_backslashes);
    RUN(a_reference_becomes_a_choice);
    RUN(restricted_choices);
    return test_report();
}
