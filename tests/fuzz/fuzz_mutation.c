/*
 * Pushed mutations (core/mutation.h), as the server reads them from a push
 * body and the client reads them back from its outbox. For a mutation that
 * parses: the envelope check agrees; the canonical form and hash are stable;
 * the wire form (as an object and as printed text) and the canonical text
 * with its hash added both read back to the same canonical form; a
 * supervisor may send it; an update coalesced with itself is unchanged.
 * For one that does not: the mutation is left empty, the rejection reason is
 * one PROTOCOL.md 6.5 knows, and the error repeats no value. The input is
 * read once plain and once with a resolve_conflict's preset type and record.
 */
#include "tests/fuzz/fuzz.h"

#include "core/mutation.h"
#include "core/schema.h"

static const struct dp_date today = {2025, 3, 1};

#define PRESET_RID "9b1d7c3e-1111-4111-8111-000000000001"

static char *
canonical(const struct mutation *m)
{
    char *c = NULL;
    size_t len = 0;
    FUZZ_ASSERT(mutation_canonical(m, &c, &len) == DP_OK && c && strlen(c) == len);
    return c;
}

/* Parse j (no presets): it must give the canonical form `want` and keep the wire hash. */
static void
reads_back(const cJSON *j, const char *want, const char *hash)
{
    struct mutation m;
    struct dp_error err;
    mutation_init(&m);
    enum dp_status st = mutation_from_json(&m, j, &today, &err);
    if (st != DP_OK)
        fprintf(stderr, "read back failed: %s: %s\n", err.field, err.msg);
    FUZZ_ASSERT(st == DP_OK);
    char *c = canonical(&m);
    FUZZ_ASSERT_STR_EQ(c, want);
    FUZZ_ASSERT_STR_EQ(m.hash, hash);
    free(c);
    mutation_done(&m);
}

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
check_empty(const struct mutation *m)
{
    FUZZ_ASSERT(m->def == NULL && m->comment == NULL);
    for (int i = 0; i < MUTATION_MAX_FIELDS; i++)
        FUZZ_ASSERT(!m->set[i] && !m->base[i] && !m->choose[i]);
}

static void
check_parsed(struct mutation *m, const cJSON *obj)
{
    int64_t mid = 0;
    FUZZ_ASSERT(mutation_envelope_check(obj, &mid, NULL) == DP_OK && mid == m->mid);
    FUZZ_ASSERT(mutation_check(m, &today, NULL) == DP_OK);
    FUZZ_ASSERT(mutation_check_role(m, true, NULL) == DP_OK);

    char *c1 = canonical(m);
    char *c1b = canonical(m);
    FUZZ_ASSERT_STR_EQ(c1, c1b);
    free(c1b);
    char h1[MUTATION_HASH_SIZE], h2[MUTATION_HASH_SIZE];
    FUZZ_ASSERT(mutation_hash(m, h1, sizeof h1) == DP_OK);
    FUZZ_ASSERT(mutation_hash(m, h2, sizeof h2) == DP_OK);
    FUZZ_ASSERT_STR_EQ(h1, h2);
    FUZZ_ASSERT(strlen(h1) == MUTATION_HASH_SIZE - 1 && strncmp(h1, "sha256:", 7) == 0);

    /* The wire form, as an object and as text. */
    cJSON *j = mutation_to_json(m);
    FUZZ_ASSERT(j);
    reads_back(j, c1, m->hash);
    char *printed = cJSON_PrintUnformatted(j);
    FUZZ_ASSERT(printed);
    cJSON *again = cJSON_Parse(printed);
    FUZZ_ASSERT(again);
    reads_back(again, c1, m->hash);
    cJSON_Delete(again);
    cJSON_free(printed);
    cJSON_Delete(j);

    /* The canonical text is the wire form without its hash. */
    cJSON *cj = cJSON_Parse(c1);
    FUZZ_ASSERT(cj && !cJSON_GetObjectItemCaseSensitive(cj, "hash"));
    FUZZ_ASSERT(cJSON_AddStringToObject(cj, "hash", h1));
    reads_back(cj, c1, h1);
    cJSON_Delete(cj);

    /* With no hash of its own, the wire form carries the computed one. */
    char kept[sizeof m->hash];
    memcpy(kept, m->hash, sizeof kept);
    m->hash[0] = '\0';
    j = mutation_to_json(m);
    FUZZ_ASSERT(j);
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(j, "hash");
    FUZZ_ASSERT(cJSON_IsString(h));
    FUZZ_ASSERT_STR_EQ(h->valuestring, h1);
    cJSON_Delete(j);
    memcpy(m->hash, kept, sizeof kept);

    /* Folding an update into a copy of itself changes nothing but the hash. */
    if (m->op == MUT_UPDATE) {
        struct mutation copy;
        mutation_init(&copy);
        j = mutation_to_json(m);
        FUZZ_ASSERT(j && mutation_from_json(&copy, j, &today, NULL) == DP_OK);
        cJSON_Delete(j);
        FUZZ_ASSERT(mutation_coalesce(&copy, m) == DP_OK);
        char *c2 = canonical(&copy);
        FUZZ_ASSERT_STR_EQ(c2, c1);
        FUZZ_ASSERT(copy.hash[0] == '\0');
        free(c2);
        mutation_done(&copy);
    }
    free(c1);
}

static void
parse(const cJSON *obj, bool preset)
{
    struct mutation m;
    struct dp_error err;
    mutation_init(&m);
    dp_error_clear(&err);
    if (preset) {
        m.def = &schema_household;
        memcpy(m.rid, PRESET_RID, sizeof PRESET_RID);
    }
    enum dp_status st = mutation_from_json(&m, obj, &today, &err);
    if (st == DP_OK) {
        check_parsed(&m, obj);
    } else {
        FUZZ_ASSERT(err.code == st && err.msg[0]);
        check_empty(&m);
        const char *why = mutation_reject_reason(obj, &err);
        static const char *const reasons[] = {"unknown_op",      "unknown_type", "server_field",
                                              "immutable_field", "forbidden",    "invalid"};
        bool known = false;
        for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
            known = known || (why && strcmp(why, reasons[i]) == 0);
        FUZZ_ASSERT(known);
        private_error(&err, obj);
    }
    mutation_done(&m);
    check_empty(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *obj = cJSON_ParseWithLength((const char *)data, size);
    if (!obj)
        return 0;
    parse(obj, false);
    parse(obj, true);
    cJSON_Delete(obj);
    return 0;
}
