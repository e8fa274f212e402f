#include "core/schema.h"

#include "tests/unit/test.h"

TEST(every_record_has_an_id_first)
{
    for (size_t i = 0; schema_records[i]; i++) {
        const struct record_def *d = schema_records[i];
        CHECK_STR_EQ(d->fields[0].name, "id");
        CHECK(d->fields[0].type == FT_UUID);
        if (d->parent_field >= 0)
            CHECK_STR_EQ(d->fields[d->parent_field].name, "household_id");
    }
}

TEST(field_names_are_unique_and_choices_terminated)
{
    for (size_t i = 0; schema_records[i]; i++) {
        const struct record_def *d = schema_records[i];
        for (size_t f = 0; f < d->nfields; f++) {
            CHECK_INT_EQ(schema_field_index(d, d->fields[f].name), (int)f);
            int is_choice = d->fields[f].type == FT_ENUM || d->fields[f].type == FT_SET;
            CHECK(is_choice == (d->fields[f].choices != NULL));
            if (d->fields[f].choices) {
                int n = 0;
                while (d->fields[f].choices[n].token && n < 64)
                    n++;
                CHECK(n > 0 && n < 64);
            }
        }
    }
}

TEST(lookup_by_name)
{
    CHECK(schema_record("household") == &schema_household);
    CHECK(schema_record("visit") == &schema_visit);
    CHECK(schema_record("nope") == NULL);
    CHECK(schema_record(NULL) == NULL);
    CHECK(schema_field(&schema_visit, "monthly_income")->type == FT_MONEY);
    CHECK_INT_EQ(schema_choice_index(schema_risk_choices, "green"), 2);
    CHECK(schema_choice(schema_risk_choices, "purple") == NULL);
}

int
main(void)
{
    RUN(every_record_has_an_id_first);
    RUN(field_names_are_unique_and_choices_terminated);
    RUN(lookup_by_name);
    return test_report();
}
