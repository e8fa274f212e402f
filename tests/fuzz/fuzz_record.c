/*
 * Records from JSON (core/record.h): the body of every pulled change and of
 * every created or updated record. The input is tried as each record type.
 * A record that parses holds only values validate_field accepts; written out
 * with record_to_json (as an object, and as printed text) it reads back into
 * the same values. A failure leaves the record untouched and names a field
 * without repeating any value.
 */
#include "tests/fuzz/fuzz.h"

#include "core/record.h"
#include "core/schema.h"
#include "core/validate.h"

static void
same_values(const struct record *a, const struct record *b)
{
    for (size_t i = 0; i < a->def->nfields; i++)
        FUZZ_ASSERT_STR_EQ(a->values[i], b->values[i]);
}

/* Read j into a fresh record of a's type: it must succeed with a's values. */
static void
reads_back(const struct record *a, const cJSON *j)
{
    struct record b;
    struct dp_error err;
    FUZZ_ASSERT(record_init(&b, a->def) == DP_OK);
    FUZZ_ASSERT(record_from_json(&b, j, &err) == DP_OK);
    same_values(a, &b);
    record_done(&b);
}

/* No string anywhere in the input appears in the error (name the field, never the value). */
static void
private_error(const struct dp_error *err, const cJSON *j)
{
    for (; j; j = j->next) {
        if (cJSON_IsString(j))
            fuzz_assert_private(err, j->valuestring);
        private_error(err, j->child);
    }
}

static void
try_type(const struct record_def *def, const cJSON *obj)
{
    struct record r;
    struct dp_error err;
    dp_error_clear(&err);
    FUZZ_ASSERT(record_init(&r, def) == DP_OK);
    enum dp_status st = record_from_json(&r, obj, &err);
    if (st != DP_OK) {
        FUZZ_ASSERT(st == DP_EINVAL && err.code == DP_EINVAL && err.msg[0]);
        for (size_t i = 0; i < def->nfields; i++)
            FUZZ_ASSERT(r.values[i][0] == '\0'); /* all or nothing */
        /* An unknown member is named by its key (record.h): a key, not a value. */
        struct dp_error shown = err;
        if (err.field[0] && !schema_field(def, err.field))
            shown.field[0] = '\0';
        private_error(&shown, obj);
        record_done(&r);
        return;
    }
    for (size_t i = 0; i < def->nfields; i++) {
        if (r.values[i][0])
            FUZZ_ASSERT(validate_field(&def->fields[i], r.values[i], NULL, NULL) == DP_OK);
    }

    for (int all = 0; all <= 1; all++) {
        cJSON *j = record_to_json(&r, all);
        FUZZ_ASSERT(j);
        reads_back(&r, j);
        char *printed = cJSON_PrintUnformatted(j);
        FUZZ_ASSERT(printed);
        cJSON *again = cJSON_Parse(printed);
        FUZZ_ASSERT(again);
        reads_back(&r, again);
        /* Canonical: printing what was read back gives the same text. */
        char *printed2 = cJSON_PrintUnformatted(again);
        FUZZ_ASSERT_STR_EQ(printed2, printed);
        cJSON_free(printed2);
        cJSON_Delete(again);
        cJSON_free(printed);
        cJSON_Delete(j);
    }

    /* Reading the same object again over the result changes nothing (idempotent). */
    struct record c;
    FUZZ_ASSERT(record_copy(&c, &r) == DP_OK);
    FUZZ_ASSERT(record_from_json(&c, obj, &err) == DP_OK);
    same_values(&r, &c);
    record_done(&c);
    record_done(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *obj = cJSON_ParseWithLength((const char *)data, size);
    if (obj) {
        for (size_t i = 0; schema_records[i]; i++)
            try_type(schema_records[i], obj);
        cJSON_Delete(obj);
    }
    return 0;
}
