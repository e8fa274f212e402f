#include "core/schema.h"

#include <string.h>

#include "core/i18n.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const struct choice schema_risk_choices[] = {
    {"red", N_("red")}, {"yellow", N_("yellow")}, {"green", N_("green")}, {NULL, NULL}, /* end */
};

const struct choice schema_category_choices[] = {
    {"dibao", N_("minimum living allowance")},
    {"tekun_central", N_("extreme poverty, centralised")},
    {"tekun_dispersed", N_("extreme poverty, dispersed")},
    {"dibao_edge", N_("marginal low-income")},
    {"temp_assist", N_("temporary assistance")},
    {"relapse_watch", N_("relapse monitoring")},
    {NULL, NULL}, /* end */
};

const struct choice schema_need_categories[] = {
    {"daily_care", N_("daily care")},
    {"rehab", N_("rehabilitation training")},
    {"hospital_escort", N_("escort to hospital")},
    {"social", N_("social integration")},
    {"counselling", N_("psychological counselling")},
    {"resources", N_("resource linking")},
    {NULL, NULL}, /* end */
};

static const struct choice household_status[] = {
    {"active", N_("active")},
    {"moved", N_("moved away")},
    {"dissolved", N_("dissolved")},
    {NULL, NULL}, /* end */
};

static const struct choice household_flags[] = {
    {"acute_hardship", N_("acute hardship")},
    {"hard_to_reach", N_("hard to reach")},
    {"needs_interpreter", N_("needs interpreter")},
    {"disaster_hit", N_("hit by disaster")},
    {NULL, NULL}, /* end */
};

static const struct choice relations[] = {
    {"head", N_("head of household")},
    {"spouse", N_("spouse")},
    {"child", N_("child")},
    {"child_in_law", N_("child-in-law")},
    {"grandchild", N_("grandchild")},
    {"parent", N_("parent")},
    {"grandparent", N_("grandparent")},
    {"sibling", N_("sibling")},
    {"other", N_("other relative")},
    {NULL, NULL}, /* end */
};

static const struct choice sexes[] = {
    {"M", N_("male")}, {"F", N_("female")}, {NULL, NULL}, /* end */
};

static const struct choice disability_grades[] = {
    {"none", N_("none")}, {"1", N_("grade 1")}, {"2", N_("grade 2")},
    {"3", N_("grade 3")}, {"4", N_("grade 4")}, {NULL, NULL}, /* end */
};

static const struct choice disability_types[] = {
    {"none", N_("none")},     {"visual", N_("visual")},     {"hearing", N_("hearing")},
    {"speech", N_("speech")}, {"physical", N_("physical")}, {"intellectual", N_("intellectual")},
    {"mental", N_("mental")}, {"multiple", N_("multiple")}, {NULL, NULL}, /* end */
};

static const struct choice schooling[] = {
    {"none", N_("not in school")},          {"preschool", N_("preschool")},
    {"primary", N_("primary school")},      {"junior", N_("junior middle school")},
    {"senior", N_("senior middle school")}, {"vocational", N_("vocational school")},
    {"college", N_("college or above")},    {NULL, NULL}, /* end */
};

static const struct choice work[] = {
    {"farming", N_("farming")},
    {"employed", N_("employed locally")},
    {"migrant", N_("migrant worker")},
    {"self_employed", N_("self-employed")},
    {"unemployed", N_("unemployed")},
    {"student", N_("student")},
    {"retired", N_("retired")},
    {"unable", N_("unable to work")},
    {NULL, NULL}, /* end */
};

static const struct choice member_status[] = {
    {"present", N_("living here")},
    {"away", N_("away")},
    {"deceased", N_("deceased")},
    {NULL, NULL}, /* end */
};

static const struct choice visit_kinds[] = {
    {"verification", N_("verification")},
    {"routine", N_("routine visit")},
    {"emergency", N_("emergency")},
    {"follow_up", N_("follow-up")},
    {NULL, NULL}, /* end */
};

static const struct choice visit_outcomes[] = {
    {"completed", N_("completed")}, {"not_home", N_("nobody home")}, {"refused", N_("refused")},
    {"moved", N_("moved away")},    {"deceased", N_("deceased")},    {NULL, NULL}, /* end */
};

static const struct choice housing[] = {
    {"safe", N_("safe")},           {"basic", N_("basic")}, {"poor", N_("poor")},
    {"dangerous", N_("dangerous")}, {NULL, NULL}, /* end */
};

static const struct choice review_states[] = {
    {"draft", N_("draft")},
    {"submitted", N_("submitted")},
    {"returned", N_("returned")},
    {"approved", N_("approved")},
    {NULL, NULL}, /* end */
};

static const struct choice urgencies[] = {
    {"low", N_("low")}, {"normal", N_("normal")}, {"high", N_("high")}, {"urgent", N_("urgent")},
    {NULL, NULL}, /* end */
};

static const struct choice need_status[] = {
    {"open", N_("open")}, {"referred", N_("referred")},
    {"met", N_("met")},   {"closed", N_("closed")},
    {NULL, NULL}, /* end */
};

/* Shorthands keep the tables readable at a glance. */
#define REQ FF_REQUIRED
#define IMM FF_IMMUTABLE
#define SRV FF_SERVER
#define SUP FF_SUPERVISOR
#define HID FF_HIDDEN

static const struct field_def household_fields[] = {
    {"id", N_("Household id"), FT_UUID, REQ | IMM | HID, 0, NULL, MERGE_MANUAL},
    {"head_name", N_("Head of household"), FT_NAME, REQ, 30, NULL, MERGE_MANUAL},
    {"head_id_number", N_("Head's ID number"), FT_ID_NUMBER, 0, 0, NULL, MERGE_MANUAL},
    {"phone", N_("Phone"), FT_PHONE, 0, 0, NULL, MERGE_MANUAL},
    {"address", N_("Address"), FT_TEXT, 0, 100, NULL, MERGE_MANUAL},
    {"village", N_("Village"), FT_TEXT, REQ, 30, NULL, MERGE_MANUAL},
    {"township", N_("Township"), FT_TEXT, REQ, 30, NULL, MERGE_MANUAL},
    {"county", N_("County"), FT_TEXT, 0, 30, NULL, MERGE_MANUAL},
    {"categories", N_("Support categories"), FT_SET, 0, 0, schema_category_choices, MERGE_MANUAL},
    {"risk", N_("Risk class"), FT_ENUM, REQ, 0, schema_risk_choices, MERGE_MANUAL},
    {"risk_reason", N_("Reason for risk class"), FT_TEXT, 0, 100, NULL, MERGE_MANUAL},
    {"risk_set_by", N_("Risk class set by"), FT_USER, HID, 0, NULL, MERGE_LWW},
    {"assigned_to", N_("Assigned worker"), FT_USER, SRV, 0, NULL, MERGE_MANUAL},
    {"team", N_("Team"), FT_TEXT, SRV, 30, NULL, MERGE_MANUAL},
    {"status", N_("Status"), FT_ENUM, REQ, 0, household_status, MERGE_MANUAL},
    {"next_visit_due", N_("Next visit due"), FT_DATE, 0, 0, NULL, MERGE_LWW},
    {"flags", N_("Flags"), FT_SET, 0, 0, household_flags, MERGE_MANUAL},
    {"notes", N_("Notes"), FT_NOTE, 0, 2000, NULL, MERGE_APPEND},
};

static const struct field_def member_fields[] = {
    {"id", N_("Member id"), FT_UUID, REQ | IMM | HID, 0, NULL, MERGE_MANUAL},
    {"household_id", N_("Household"), FT_UUID, REQ | IMM | HID, 0, NULL, MERGE_MANUAL},
    {"name", N_("Name"), FT_NAME, REQ, 30, NULL, MERGE_MANUAL},
    {"relation", N_("Relation to head"), FT_ENUM, REQ, 0, relations, MERGE_MANUAL},
    {"sex", N_("Sex"), FT_ENUM, 0, 0, sexes, MERGE_MANUAL},
    {"birth_date", N_("Birth date"), FT_DATE, 0, 0, NULL, MERGE_MANUAL},
    {"id_number", N_("ID number"), FT_ID_NUMBER, 0, 0, NULL, MERGE_MANUAL},
    {"disability_grade", N_("Disability grade"), FT_ENUM, 0, 0, disability_grades, MERGE_MANUAL},
    {"disability_type", N_("Disability type"), FT_ENUM, 0, 0, disability_types, MERGE_MANUAL},
    {"illness", N_("Chronic or serious illness"), FT_TEXT, 0, 100, NULL, MERGE_MANUAL},
    {"serious_illness", N_("Seriously ill"), FT_BOOL, 0, 0, NULL, MERGE_MANUAL},
    {"schooling", N_("Schooling"), FT_ENUM, 0, 0, schooling, MERGE_MANUAL},
    {"work", N_("Work"), FT_ENUM, 0, 0, work, MERGE_MANUAL},
    {"main_earner", N_("Main earner"), FT_BOOL, 0, 0, NULL, MERGE_MANUAL},
    {"left_behind_child", N_("Left-behind child"), FT_BOOL, 0, 0, NULL, MERGE_MANUAL},
    {"elderly_alone", N_("Elderly living alone"), FT_BOOL, 0, 0, NULL, MERGE_MANUAL},
    {"status", N_("Status"), FT_ENUM, REQ, 0, member_status, MERGE_MANUAL},
};

static const struct field_def visit_fields[] = {
    {"id", N_("Visit id"), FT_UUID, REQ | IMM | HID, 0, NULL, MERGE_MANUAL},
    {"household_id", N_("Household"), FT_UUID, REQ | IMM | HID, 0, NULL, MERGE_MANUAL},
    {"worker", N_("Worker"), FT_USER, REQ | IMM | HID, 0, NULL, MERGE_MANUAL},
    {"date", N_("Visit date"), FT_DATE, REQ, 0, NULL, MERGE_MANUAL},
    {"kind", N_("Kind of visit"), FT_ENUM, REQ, 0, visit_kinds, MERGE_MANUAL},
    {"outcome", N_("Outcome"), FT_ENUM, REQ, 0, visit_outcomes, MERGE_MANUAL},
    {"met", N_("Who was met"), FT_TEXT, 0, 60, NULL, MERGE_MANUAL},
    {"monthly_income", N_("Monthly household income (yuan)"), FT_MONEY, 0, 0, NULL, MERGE_MANUAL},
    {"medical_yearly", N_("Out-of-pocket medical costs this year (yuan)"), FT_MONEY, 0, 0, NULL,
     MERGE_MANUAL},
    {"housing", N_("Housing condition"), FT_ENUM, 0, 0, housing, MERGE_MANUAL},
    {"needs_found", N_("Needs found"), FT_NOTE, 0, 500, NULL, MERGE_MANUAL},
    {"micro_wish", N_("Micro-wish"), FT_TEXT, 0, 100, NULL, MERGE_MANUAL},
    {"risk_after", N_("Risk class after visit"), FT_ENUM, 0, 0, schema_risk_choices, MERGE_MANUAL},
    {"risk_reason", N_("Reason for risk class"), FT_TEXT, 0, 100, NULL, MERGE_MANUAL},
    {"notes", N_("Notes"), FT_NOTE, 0, 2000, NULL, MERGE_MANUAL},
    {"next_visit", N_("Next visit"), FT_DATE, 0, 0, NULL, MERGE_MANUAL},
    {"review_state", N_("Review"), FT_ENUM, REQ, 0, review_states, MERGE_MANUAL},
    {"review_comment", N_("Reviewer's comment"), FT_TEXT, SUP, 200, NULL, MERGE_MANUAL},
    {"reviewer", N_("Reviewer"), FT_USER, SUP | HID, 0, NULL, MERGE_MANUAL},
};

static const struct field_def need_fields[] = {
    {"id", N_("Need id"), FT_UUID, REQ | IMM | HID, 0, NULL, MERGE_MANUAL},
    {"household_id", N_("Household"), FT_UUID, REQ | IMM | HID, 0, NULL, MERGE_MANUAL},
    {"member_id", N_("Member"), FT_UUID, 0, 0, NULL, MERGE_MANUAL},
    {"category", N_("Category"), FT_ENUM, REQ, 0, schema_need_categories, MERGE_MANUAL},
    {"item", N_("Item"), FT_TEXT, REQ, 40, NULL, MERGE_MANUAL},
    {"urgency", N_("Urgency"), FT_ENUM, REQ, 0, urgencies, MERGE_MANUAL},
    {"status", N_("Status"), FT_ENUM, REQ, 0, need_status, MERGE_MANUAL},
    {"referred_to", N_("Referred to"), FT_TEXT, 0, 60, NULL, MERGE_MANUAL},
    {"follow_up", N_("Follow-up date"), FT_DATE, 0, 0, NULL, MERGE_MANUAL},
    {"notes", N_("Notes"), FT_NOTE, 0, 1000, NULL, MERGE_APPEND},
};

const struct record_def schema_household = {
    .name = "household",
    .label = N_("household"),
    .fields = household_fields,
    .nfields = COUNT(household_fields),
    .parent_field = -1,
};
const struct record_def schema_member = {
    .name = "member",
    .label = N_("member"),
    .fields = member_fields,
    .nfields = COUNT(member_fields),
    .parent_field = 1,
};
const struct record_def schema_visit = {
    .name = "visit",
    .label = N_("visit"),
    .fields = visit_fields,
    .nfields = COUNT(visit_fields),
    .parent_field = 1,
};
const struct record_def schema_need = {
    .name = "need",
    .label = N_("need"),
    .fields = need_fields,
    .nfields = COUNT(need_fields),
    .parent_field = 1,
};

const struct record_def *const schema_records[] = {
    &schema_household, &schema_member, &schema_visit, &schema_need, NULL,
};

const struct record_def *
schema_record(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; schema_records[i]; i++)
        if (strcmp(schema_records[i]->name, name) == 0)
            return schema_records[i];
    return NULL;
}

int
schema_field_index(const struct record_def *def, const char *name)
{
    if (!def || !name)
        return -1;
    for (size_t i = 0; i < def->nfields; i++)
        if (strcmp(def->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

const struct field_def *
schema_field(const struct record_def *def, const char *name)
{
    int i = schema_field_index(def, name);
    return i < 0 ? NULL : &def->fields[i];
}

int
schema_choice_index(const struct choice *choices, const char *token)
{
    if (!choices || !token)
        return -1;
    for (int i = 0; choices[i].token; i++)
        if (strcmp(choices[i].token, token) == 0)
            return i;
    return -1;
}

const struct choice *
schema_choice(const struct choice *choices, const char *token)
{
    int i = schema_choice_index(choices, token);
    return i < 0 ? NULL : &choices[i];
}
