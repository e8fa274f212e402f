#include "core/mutation.h"

#include "core/record.h"
#include "core/schema.h"
#include "tests/unit/test.h"

#define MU1 "6f0e2c1a-0000-4000-8000-0000000000a1"
#define MU2 "6f0e2c1a-0000-4000-8000-0000000000a2"
#define HH1 "9b1d7c3e-1111-4111-8111-000000000001"
#define HH2 "9b1d7c3e-1111-4111-8111-000000000002"
#define ME1 "9b1d7c3e-2222-4222-8222-000000000001"
#define VI1 "9b1d7c3e-3333-4333-8333-000000000001"
#define HLC "01954a3f2c10.0003.6f0e"
#define CO1 "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716"
/* The wire hash is the client's; the parser keeps it as it is. */
#define HS "\"hash\":\"sha256:0f\","

static const struct dp_date today = {2025, 3, 1};

/* Parse text into *m; the JSON itself must be well-formed. */
static enum dp_status
parse(const char *text, struct mutation *m, struct dp_error *err)
{
    cJSON *j = cJSON_Parse(text);
    if (!j) {
        fprintf(stderr, "  test JSON does not parse: %s\n", text);
        return DP_EIO;
    }
    dp_error_clear(err);
    enum dp_status st = mutation_from_json(m, j, &today, err);
    cJSON_Delete(j);
    return st;
}

static const char *
val(const struct mutation *m, char *const *part, const char *field)
{
    int i = schema_field_index(m->def, field);
    return i < 0 ? NULL : part[i];
}

static const char create_household[] =
    "{\"mid\":81,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC
    "\",\"op\":\"create\",\"t\":\"household\","
    "\"rid\":\"" HH1 "\",\"set\":{\"head_name\":\"李小梅\",\"village\":\"东山村\","
    "\"township\":\"城关镇\",\"risk\":\"red\",\"status\":\"active\","
    "\"categories\":[\"dibao\",\"temp_assist\"],\"notes\":\"门口有狗\\n下午在家\","
    "\"phone\":null}}";

TEST(every_schema_fits)
{
    for (size_t i = 0; schema_records[i]; i++)
        CHECK(schema_records[i]->nfields <= MUTATION_MAX_FIELDS);
}

TEST(parse_create)
{
    struct mutation m;
    struct dp_error err;
    mutation_init(&m);
    REQUIRE(parse(create_household, &m, &err) == DP_OK);
    CHECK_INT_EQ(m.mid, 81);
    CHECK(m.op == MUT_CREATE);
    CHECK(m.def == &schema_household);
    CHECK_STR_EQ(m.rid, HH1);
    CHECK_STR_EQ(m.mutation_id, MU1);
    CHECK(m.hlc.ms == 0x01954a3f2c10ULL);
    CHECK_INT_EQ(m.base_v, -1);
    CHECK_STR_EQ(val(&m, m.set, "head_name"), "李小梅");
    CHECK_STR_EQ(val(&m, m.set, "categories"), "dibao,temp_assist");
    CHECK_STR_EQ(val(&m, m.set, "notes"), "门口有狗\n下午在家");
    CHECK_STR_EQ(val(&m, m.set, "phone"), ""); /* null: sent as unset */
    CHECK(val(&m, m.set, "address") == NULL);  /* not sent */
    CHECK(val(&m, m.set, "id") == NULL);
    CHECK_STR_EQ(m.hash, "sha256:0f"); /* as sent */
    mutation_done(&m);
    CHECK(m.def == NULL && m.set[1] == NULL);
    mutation_done(&m); /* twice is fine */
}

TEST(parse_update_delete_resolve)
{
    struct mutation m;
    struct dp_error err;
    mutation_init(&m);
    REQUIRE(parse("{\"mid\":82,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC
                  "\",\"op\":\"update\",\"t\":\"visit\",\"rid\":\"" VI1
                  "\",\"base_v\":12,\"base\":{\"monthly_income\":null,\"housing\":\"poor\"},"
                  "\"set\":{\"monthly_income\":150000,\"housing\":\"basic\"}}",
                  &m, &err) == DP_OK);
    CHECK(m.op == MUT_UPDATE);
    CHECK_INT_EQ(m.base_v, 12);
    CHECK_STR_EQ(val(&m, m.set, "monthly_income"), "150000");
    CHECK_STR_EQ(val(&m, m.base, "monthly_income"), "");
    CHECK_STR_EQ(val(&m, m.base, "housing"), "poor");

    REQUIRE(parse("{\"mid\":83,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC
                  "\",\"op\":\"update\",\"t\":\"member\",\"rid\":\"" ME1
                  "\",\"base_v\":0,\"base\":{\"main_earner\":false},"
                  "\"set\":{\"main_earner\":true}}",
                  &m, &err) == DP_OK);
    CHECK_STR_EQ(val(&m, m.set, "main_earner"), "1");
    CHECK_STR_EQ(val(&m, m.base, "main_earner"), "0");
    CHECK_INT_EQ(m.base_v, 0);

    REQUIRE(parse("{\"mid\":84,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC
                  "\",\"op\":\"delete\",\"t\":\"member\",\"rid\":\"" ME1 "\",\"base_v\":4}",
                  &m, &err) == DP_OK);
    CHECK(m.op == MUT_DELETE);
    CHECK_INT_EQ(m.base_v, 4);

    REQUIRE(parse("{\"mid\":85,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC
                  "\",\"op\":\"resolve_conflict\",\"t\":\"member\",\"rid\":\"" ME1
                  "\",\"conflict_id\":\"" CO1 "\",\"choose\":{\"status\":\"away\"}}",
                  &m, &err) == DP_OK);
    CHECK(m.op == MUT_RESOLVE);
    CHECK_STR_EQ(m.conflict_id, CO1);
    CHECK_STR_EQ(val(&m, m.choose, "status"), "away");
    mutation_done(&m);
}

/* The same mutation written with members and fields in another order hashes the same. */
TEST(hash_ignores_input_key_order)
{
    static const char a[] = "{\"mid\":82,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC
                            "\",\"op\":\"update\",\"t\":\"household\",\"rid\":\"" HH1
                            "\",\"base_v\":12,\"base\":{\"phone\":\"13800138001\","
                            "\"village\":\"东山村\"},\"set\":{\"phone\":\"13800138002\","
                            "\"village\":\"西山村\"}}";
    static const char b[] =
        "{\"set\":{\"village\":\"西山村\",\"phone\":\"13800138002\"},"
        "\"rid\":\"" HH1 "\",\"base\":{\"village\":\"东山村\","
        "\"phone\":\"13800138001\"},\"t\":\"household\",\"op\":\"update\","
        "\"base_v\":12.0,\"hlc\":\"" HLC "\",\"id\":\"" MU1 "\"," HS "\"mid\":82}";
    /* Whitespace and escapes that decode to the same text. */
    static const char c[] = "{ \"mid\" : 82, \"id\":\"" MU1 "\"," HS " \"hlc\":\"" HLC
                            "\", \"op\":\"update\", \"t\":\"household\", \"rid\":\"" HH1
                            "\", \"base_v\":12, \"base\":{\"phone\":\"1380013800\\u0031\","
                            "\"village\":\"\\u4e1c山村\"}, \"set\":{\"phone\":\"13800138002\","
                            "\"village\":\"西山村\"} }";
    struct mutation ma, mb, mc;
    struct dp_error err;
    mutation_init(&ma);
    mutation_init(&mb);
    mutation_init(&mc);
    REQUIRE(parse(a, &ma, &err) == DP_OK);
    REQUIRE(parse(b, &mb, &err) == DP_OK);
    REQUIRE(parse(c, &mc, &err) == DP_OK);
    char ha[MUTATION_HASH_SIZE], hb[MUTATION_HASH_SIZE], hc[MUTATION_HASH_SIZE];
    REQUIRE(mutation_hash(&ma, ha, sizeof ha) == DP_OK);
    REQUIRE(mutation_hash(&mb, hb, sizeof hb) == DP_OK);
    REQUIRE(mutation_hash(&mc, hc, sizeof hc) == DP_OK);
    CHECK_STR_EQ(ha, hb);
    CHECK_STR_EQ(ha, hc);
    CHECK_INT_EQ(strncmp(ha, "sha256:", 7), 0);
    CHECK_INT_EQ(strlen(ha), MUTATION_HASH_SIZE - 1);
    CHECK_INT_EQ(strspn(ha + 7, "0123456789abcdef"), 64);

    /* The canonical form is exactly this (fields in schema order: phone before village). */
    char *canon = NULL;
    REQUIRE(mutation_canonical(&mb, &canon, NULL) == DP_OK);
    CHECK_STR_EQ(canon, "{\"mid\":82,\"id\":\"" MU1 "\",\"hlc\":\"" HLC
                        "\",\"op\":\"update\",\"t\":\"household\",\"rid\":\"" HH1
                        "\",\"base_v\":12,\"base\":{\"phone\":\"13800138001\","
                        "\"village\":\"东山村\"},\"set\":{\"phone\":\"13800138002\","
                        "\"village\":\"西山村\"}}");
    free(canon);

    /* Any change of content changes the hash. */
    char h0[MUTATION_HASH_SIZE], h1[MUTATION_HASH_SIZE];
    REQUIRE(mutation_hash(&ma, h0, sizeof h0) == DP_OK);
    CHECK_STR_EQ(h0, ha);
    ma.mid = 83;
    REQUIRE(mutation_hash(&ma, h1, sizeof h1) == DP_OK);
    CHECK(strcmp(h0, h1) != 0);
    ma.mid = 82;
    REQUIRE(mutation_put(&ma, MUT_PART_SET, schema_field_index(&schema_household, "phone"),
                         "13800138003") == DP_OK);
    REQUIRE(mutation_hash(&ma, h1, sizeof h1) == DP_OK);
    CHECK(strcmp(h0, h1) != 0);
    CHECK(mutation_hash(&ma, h1, 10) == DP_EINVAL);

    mutation_done(&ma);
    mutation_done(&mb);
    mutation_done(&mc);
}

TEST(canonical_escapes_and_types)
{
    struct mutation m;
    mutation_init(&m);
    m.def = &schema_visit;
    m.mid = 7;
    snprintf(m.mutation_id, sizeof m.mutation_id, "%s", MU2);
    snprintf(m.rid, sizeof m.rid, "%s", VI1);
    REQUIRE(hlc_parse(HLC, &m.hlc, "hlc", NULL) == DP_OK);
    m.op = MUT_UPDATE;
    m.base_v = 3;
    const struct record_def *d = &schema_visit;
    REQUIRE(mutation_put(&m, MUT_PART_SET, schema_field_index(d, "notes"),
                         "他说：\"不用\"\n\\ ok\x7f") == DP_OK);
    REQUIRE(mutation_put(&m, MUT_PART_BASE, schema_field_index(d, "notes"), "") == DP_OK);
    REQUIRE(mutation_put(&m, MUT_PART_SET, schema_field_index(d, "medical_yearly"), "0") == DP_OK);
    REQUIRE(mutation_put(&m, MUT_PART_BASE, schema_field_index(d, "medical_yearly"), "5000001") ==
            DP_OK);
    char *canon = NULL;
    REQUIRE(mutation_canonical(&m, &canon, NULL) == DP_OK);
    CHECK_STR_EQ(canon, "{\"mid\":7,\"id\":\"" MU2 "\",\"hlc\":\"" HLC
                        "\",\"op\":\"update\",\"t\":\"visit\",\"rid\":\"" VI1
                        "\",\"base_v\":3,\"base\":{\"medical_yearly\":5000001,\"notes\":null},"
                        "\"set\":{\"medical_yearly\":0,\"notes\":\"他说：\\\"不用\\\"\\n\\\\ "
                        "ok\x7f\"}}");
    free(canon);
    mutation_done(&m);

    /* Sets and booleans. */
    mutation_init(&m);
    REQUIRE(parse(create_household, &m, NULL) == DP_OK);
    REQUIRE(mutation_canonical(&m, &canon, NULL) == DP_OK);
    CHECK(strstr(canon, "\"categories\":[\"dibao\",\"temp_assist\"]") != NULL);
    CHECK(strstr(canon, "\"phone\":null") != NULL);
    CHECK(strstr(canon, "\"notes\":\"门口有狗\\n下午在家\"") != NULL);
    free(canon);
    mutation_done(&m);
}

TEST(to_json_round_trips)
{
    static const char *const inputs[] = {
        create_household,
        "{\"mid\":9,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC
        "\",\"op\":\"update\",\"t\":\"member\","
        "\"rid\":\"" ME1 "\",\"base_v\":2,\"base\":{\"main_earner\":null,\"sex\":\"M\"},"
        "\"set\":{\"main_earner\":false,\"sex\":\"F\"}}",
        "{\"mid\":10,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"delete\",\"t\":\"need\","
        "\"rid\":\"" ME1 "\",\"base_v\":2}",
        "{\"mid\":11,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"resolve_conflict\","
        "\"t\":\"household\",\"rid\":\"" HH1 "\",\"conflict_id\":\"" CO1
        "\",\"choose\":{\"_deleted\":false,\"flags\":[],\"risk\":\"green\"}}",
        "{\"mid\":12,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"resolve_conflict\","
        "\"conflict_id\":\"" CO1 "\",\"t\":\"member\",\"rid\":\"" ME1 "\",\"choose\":{}}",
        "{\"mid\":13,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC
        "\",\"op\":\"review\",\"t\":\"visit\","
        "\"rid\":\"" VI1 "\",\"action\":\"return\",\"comment\":\"请补充收入证明\"}",
        "{\"mid\":14,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC
        "\",\"op\":\"assign\",\"t\":\"household\","
        "\"rid\":\"" HH1 "\",\"to\":\"\"}",
        "{\"mid\":15,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC
        "\",\"op\":\"update\",\"t\":\"visit\","
        "\"rid\":\"" VI1 "\",\"base_v\":2,\"set\":{\"monthly_income\":\"\",\"housing\":\"poor\"}}",

    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        struct mutation a, b;
        struct dp_error err;
        mutation_init(&a);
        mutation_init(&b);
        REQUIRE(parse(inputs[i], &a, &err) == DP_OK);
        cJSON *j = mutation_to_json(&a);
        REQUIRE(j);
        CHECK_STR_EQ(cJSON_GetObjectItemCaseSensitive(j, "hash")->valuestring, a.hash);
        CHECK(mutation_from_json(&b, j, &today, &err) == DP_OK);
        CHECK_STR_EQ(a.hash, b.hash);
        char *ca, *cb;
        REQUIRE(mutation_canonical(&a, &ca, NULL) == DP_OK);
        REQUIRE(mutation_canonical(&b, &cb, NULL) == DP_OK);
        CHECK_STR_EQ(ca, cb);
        free(ca);
        free(cb);
        cJSON_Delete(j);
        mutation_done(&a);
        mutation_done(&b);
    }
}

/* The wire hash is the client's fingerprint: kept byte for byte, never recomputed. */
TEST(hash_is_opaque)
{
    struct mutation m;
    struct dp_error err;
    mutation_init(&m);
    REQUIRE(parse(create_household, &m, &err) == DP_OK);
    CHECK_STR_EQ(m.hash, "sha256:0f");
    cJSON *j = mutation_to_json(&m);
    REQUIRE(j);
    CHECK_STR_EQ(cJSON_GetObjectItemCaseSensitive(j, "hash")->valuestring, "sha256:0f");
    cJSON_Delete(j);

    /* A client-built entry with no hash yet gets the computed one on the wire. */
    char h[MUTATION_HASH_SIZE];
    REQUIRE(mutation_hash(&m, h, sizeof h) == DP_OK);
    m.hash[0] = '\0';
    j = mutation_to_json(&m);
    REQUIRE(j);
    CHECK_STR_EQ(cJSON_GetObjectItemCaseSensitive(j, "hash")->valuestring, h);
    cJSON_Delete(j);
    mutation_done(&m);

    /* 100 characters is the most a hash may have. */
    char json[1024], longhash[102];
    memset(longhash, 'a', 101);
    longhash[100] = '\0';
    snprintf(json, sizeof json,
             "{\"mid\":1,\"id\":\"" MU1 "\",\"hash\":\"%s\",\"hlc\":\"" HLC
             "\",\"op\":\"delete\",\"t\":\"need\",\"rid\":\"" HH1 "\",\"base_v\":3}",
             longhash);
    CHECK(parse(json, &m, &err) == DP_OK);
    CHECK_STR_EQ(m.hash, longhash);
    longhash[100] = 'a';
    longhash[101] = '\0';
    snprintf(json, sizeof json,
             "{\"mid\":1,\"id\":\"" MU1 "\",\"hash\":\"%s\",\"hlc\":\"" HLC
             "\",\"op\":\"delete\",\"t\":\"need\",\"rid\":\"" HH1 "\",\"base_v\":3}",
             longhash);
    CHECK(parse(json, &m, &err) == DP_EPROTO);
    CHECK_STR_EQ(err.field, "hash");
    mutation_done(&m);
}

/* Without mid, id, hash, hlc and op of the right types the whole push is refused. */
TEST(envelope_check)
{
    static const char *const cases[][2] = {
        {"[]", "mutation"},
        {"{\"id\":\"x\",\"hash\":\"h\",\"hlc\":\"x\",\"op\":\"x\"}", "mid"},
        {"{\"mid\":0,\"id\":\"x\",\"hash\":\"h\",\"hlc\":\"x\",\"op\":\"x\"}", "mid"},
        {"{\"mid\":\"1\",\"id\":\"x\",\"hash\":\"h\",\"hlc\":\"x\",\"op\":\"x\"}", "mid"},
        {"{\"mid\":1.5,\"id\":\"x\",\"hash\":\"h\",\"hlc\":\"x\",\"op\":\"x\"}", "mid"},
        {"{\"mid\":1e300,\"id\":\"x\",\"hash\":\"h\",\"hlc\":\"x\",\"op\":\"x\"}", "mid"},
        {"{\"mid\":1,\"id\":7,\"hash\":\"h\",\"hlc\":\"x\",\"op\":\"x\"}", "id"},
        {"{\"mid\":1,\"id\":\"x\",\"hlc\":\"x\",\"op\":\"x\"}", "hash"},
        {"{\"mid\":1,\"id\":\"x\",\"hash\":\"\",\"hlc\":\"x\",\"op\":\"x\"}", "hash"},
        {"{\"mid\":1,\"id\":\"x\",\"hash\":\"h\",\"hlc\":17,\"op\":\"x\"}", "hlc"},
        {"{\"mid\":1,\"id\":\"x\",\"hash\":\"h\",\"hlc\":\"x\"}", "op"},
        {"{\"mid\":1,\"id\":\"x\",\"hash\":\"h\",\"hlc\":\"x\",\"op\":null}", "op"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *j = cJSON_Parse(cases[i][0]);
        REQUIRE(j);
        struct dp_error err;
        int64_t mid = -5;
        CHECK(mutation_envelope_check(j, &mid, &err) == DP_EPROTO);
        if (strcmp(err.field, cases[i][1]) != 0)
            TEST_FAIL_("case %zu: field %s, want %s", i, err.field, cases[i][1]);
        CHECK_INT_EQ(mid, -5);
        struct mutation m;
        mutation_init(&m);
        CHECK(mutation_from_json(&m, j, &today, &err) == DP_EPROTO);
        cJSON_Delete(j);
    }
    /* Everything else wrong is the mutation's own rejection, with its mid known. */
    cJSON *j = cJSON_Parse("{\"mid\":9,\"id\":\"x\",\"hash\":\"h\",\"hlc\":\"x\",\"op\":\"x\"}");
    int64_t mid = 0;
    CHECK(mutation_envelope_check(j, &mid, NULL) == DP_OK);
    CHECK_INT_EQ(mid, 9);
    struct mutation m;
    struct dp_error err;
    mutation_init(&m);
    CHECK(mutation_from_json(&m, j, &today, &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "op");
    CHECK_STR_EQ(mutation_reject_reason(j, &err), "unknown_op");
    cJSON_Delete(j);
}

struct bad_case {
    const char *json;
    enum dp_status st;
    const char *field;
};

#define HEAD_U "{\"mid\":5,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"update\",\"t\":"
#define HH_U   HEAD_U "\"household\",\"rid\":\"" HH1 "\",\"base_v\":3,"
#define HEAD_C "{\"mid\":5,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"create\",\"t\":"
#define HH_C                                                                                       \
    HEAD_C "\"household\",\"rid\":\"" HH1 "\",\"set\":{\"head_name\":\"王芳\","                  \
           "\"township\":\"城关镇\",\"risk\":\"red\",\"status\":\"active\","

#define DEL_NEED(rest)                                                                             \
    "{\"mid\":1,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC                                           \
    "\",\"op\":\"delete\",\"t\":\"need\"" rest "}"
#define RESOLVE(rest)                                                                              \
    "{\"mid\":1,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"resolve_conflict\"" rest "}"
#define REVIEW(rest)                                                                               \
    "{\"mid\":1,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"review\",\"rid\":\"" VI1     \
    "\"" rest "}"
#define ASSIGN(rest)                                                                               \
    "{\"mid\":1,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"assign\",\"rid\":\"" HH1     \
    "\"" rest "}"

static const struct bad_case bad_cases[] = {
    {HH_U "\"base\":{},\"set\":{},\"extra\":1}", DP_EINVAL, "mutation"},
    {HH_U "\"base\":{\"phone\":null},\"set\":{\"phone\":\"13800138002\"},\"mid\":6}", DP_EINVAL,
     "mid"},
    {DEL_NEED(",\"rid\":\"" HH1 "\",\"base_v\":-1"), DP_EINVAL, "base_v"},
    {DEL_NEED(",\"rid\":\"" HH1 "\""), DP_EINVAL, "base_v"},
    {DEL_NEED(",\"rid\":\"" HH1 "\",\"base_v\":\"3\""), DP_EINVAL, "base_v"},
    {"{\"mid\":1,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"erase\",\"t\":\"need\","
     "\"rid\":\"" HH1 "\",\"base_v\":3}",
     DP_EINVAL, "op"},
    {"{\"mid\":1,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"delete\",\"t\":\"cat\","
     "\"rid\":\"" HH1 "\",\"base_v\":3}",
     DP_EINVAL, "t"},
    {"{\"mid\":1,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"delete\","
     "\"rid\":\"" HH1 "\",\"base_v\":3}",
     DP_EINVAL, "t"},
    {DEL_NEED(",\"base_v\":3"), DP_EINVAL, "rid"},
    {DEL_NEED(",\"rid\":\"h_1\",\"base_v\":3"), DP_EINVAL, "rid"},
    {DEL_NEED(",\"rid\":\"9B1D7C3E-1111-4111-8111-000000000001\",\"base_v\":3"), DP_EINVAL, "rid"},
    {DEL_NEED(",\"rid\":\"" HH1 "0000000000\",\"base_v\":3"), DP_EINVAL, "rid"},
    {"{\"mid\":1,\"id\":\"mu_1\"," HS "\"hlc\":\"" HLC "\",\"op\":\"delete\",\"t\":\"need\","
     "\"rid\":\"" HH1 "\",\"base_v\":3}",
     DP_EINVAL, "id"},
    {"{\"mid\":1,\"id\":\"" MU1 "\"," HS "\"hlc\":\"2025-03-01\",\"op\":\"delete\",\"t\":\"need\","
     "\"rid\":\"" HH1 "\",\"base_v\":3}",
     DP_EINVAL, "hlc"},
    {DEL_NEED(",\"rid\":\"" HH1 "\",\"base_v\":3,\"set\":{\"item\":\"x\"}"), DP_EINVAL, "set"},
    {DEL_NEED(",\"rid\":\"" HH1 "\",\"base_v\":3,\"to\":\"w1\""), DP_EINVAL, "to"},
    /* create */
    {HH_C "\"village\":\"东山村\"},\"base_v\":0}", DP_EINVAL, "base_v"},
    {HH_C "\"village\":\"东山村\"},\"base\":{}}", DP_EINVAL, "base"},
    {HH_C "\"village\":\"东山村\"},\"choose\":{}}", DP_EINVAL, "choose"},
    {HH_C "\"village\":\"东山村\"},\"conflict_id\":\"" CO1 "\"}", DP_EINVAL, "conflict_id"},
    {HH_C "\"village\":\"\"}}", DP_EINVAL, "village"}, /* required, sent empty */
    {HH_C "\"village\":\"东山村\",\"id\":\"" HH2 "\"}}", DP_EINVAL, "id"},
    {HH_C "\"village\":\"东山村\",\"assigned_to\":\"w123\"}}", DP_EPERM, "assigned_to"},
    {HH_C "\"village\":\"东山村\",\"team\":\"east\"}}", DP_EPERM, "team"},
    {HH_C "\"village\":\"东山村\",\"dob\":\"2019-04-02\"}}", DP_EINVAL, "set"},
    {HH_C "\"village\":\"东山村\",\"risk\":\"red\"}}", DP_EINVAL, "risk"}, /* twice */
    {HH_C "\"village\":\"东山村\",\"flags\":[\"purple\"]}}", DP_EINVAL, "flags"},
    {HEAD_C "\"household\",\"rid\":\"" HH1 "\"}", DP_EINVAL, "set"},
    {HEAD_C "\"household\",\"rid\":\"" HH1 "\",\"set\":[]}", DP_EINVAL, "set"},
    {HEAD_C "\"household\",\"rid\":\"" HH1 "\",\"set\":{}}", DP_EINVAL, "set"},
    /* update: shapes */
    {HH_U "\"base\":{\"phone\":null,\"village\":\"a\"},\"set\":{\"phone\":\"13800138002\"}}",
     DP_EINVAL, "village"},
    {HH_U "\"base\":{},\"set\":{}}", DP_EINVAL, "set"},
    {HH_U "\"set\":{\"phone\":\"13800138002\"},\"base\":[]}", DP_EINVAL, "base"},
    {HH_U "\"base\":{\"phone\":null},\"set\":\"13800138002\"}", DP_EINVAL, "set"},
    {HEAD_U "\"household\",\"rid\":\"" HH1 "\",\"base\":{\"phone\":null},"
            "\"set\":{\"phone\":\"13800138002\"}}",
     DP_EINVAL, "base_v"},
    /* update: types */
    {HH_U "\"base\":{\"risk\":\"red\"},\"set\":{\"risk\":\"purple\"}}", DP_EINVAL, "risk"},
    {HH_U "\"base\":{\"phone\":null},\"set\":{\"phone\":13800138002}}", DP_EINVAL, "phone"},
    {HH_U "\"base\":{\"phone\":13800138001},\"set\":{\"phone\":\"13800138002\"}}", DP_EINVAL,
     "phone"},
    {HH_U "\"base\":{\"categories\":null},\"set\":{\"categories\":\"dibao\"}}", DP_EINVAL,
     "categories"},
    {HH_U "\"base\":{\"categories\":null},\"set\":{\"categories\":[\"dibao\",3]}}", DP_EINVAL,
     "categories"},
    {HH_U "\"base\":{\"categories\":null},\"set\":{\"categories\":[\"dibao,tekun_central\"]}}",
     DP_EINVAL, "categories"},
    {HH_U "\"base\":{\"categories\":null},\"set\":{\"categories\":[\"temp_assist\",\"dibao\"]}}",
     DP_EINVAL, "categories"}, /* not in choice order */
    {HEAD_U "\"visit\",\"rid\":\"" VI1 "\",\"base_v\":1,\"base\":{\"monthly_income\":null},"
            "\"set\":{\"monthly_income\":\"1500\"}}",
     DP_EINVAL, "monthly_income"},
    {HEAD_U "\"visit\",\"rid\":\"" VI1 "\",\"base_v\":1,\"base\":{\"monthly_income\":null},"
            "\"set\":{\"monthly_income\":15.5}}",
     DP_EINVAL, "monthly_income"},
    {HEAD_U "\"member\",\"rid\":\"" ME1 "\",\"base_v\":1,\"base\":{\"main_earner\":null},"
            "\"set\":{\"main_earner\":\"1\"}}",
     DP_EINVAL, "main_earner"},
    {HEAD_U "\"member\",\"rid\":\"" ME1 "\",\"base_v\":1,\"base\":{\"main_earner\":\"0\"},"
            "\"set\":{\"main_earner\":true}}",
     DP_EINVAL, "main_earner"},
    /* update: who may write what */
    {HH_U "\"base\":{\"assigned_to\":\"w1\"},\"set\":{\"assigned_to\":\"w2\"}}", DP_EPERM,
     "assigned_to"},
    {HEAD_U "\"member\",\"rid\":\"" ME1 "\",\"base_v\":1,\"base\":{\"household_id\":\"" HH1 "\"},"
            "\"set\":{\"household_id\":\"" HH2 "\"}}",
     DP_EPERM, "household_id"},
    {HH_U "\"base\":{\"id\":\"" HH1 "\"},\"set\":{\"id\":\"" HH2 "\"}}", DP_EPERM, "id"},
    /* update: values */
    {HH_U "\"base\":{\"head_name\":\"王芳\"},\"set\":{\"head_name\":null}}", DP_EINVAL,
     "head_name"},
    {HH_U "\"base\":{\"phone\":null},\"set\":{\"phone\":\"2380013800\"}}", DP_EINVAL, "phone"},
    {HH_U "\"base\":{\"head_name\":\"王芳\"},\"set\":{\"head_name\":"
          "\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一\"}}",
     DP_EINVAL, "head_name"}, /* 31 characters, cap 30 */
    {HH_U "\"base\":{\"address\":null},\"set\":{\"address\":\"东山村\\u0007号\"}}", DP_EINVAL,
     "address"},
    {HH_U "\"base\":{\"address\":null},\"set\":{\"address\":\"东山\xff村\"}}", DP_EINVAL,
     "address"},
    {HH_U "\"base\":{\"address\":\"\xc0\xaf\"},\"set\":{\"address\":\"东山村\"}}", DP_EINVAL,
     "address"},
    /* resolve_conflict */
    {RESOLVE(",\"t\":\"member\",\"rid\":\"" ME1 "\",\"choose\":{\"status\":\"away\"}"), DP_EINVAL,
     "conflict_id"},
    {RESOLVE(",\"conflict_id\":\"c_77\",\"t\":\"member\",\"rid\":\"" ME1 "\",\"choose\":{}"),
     DP_EINVAL, "conflict_id"},
    {RESOLVE(",\"conflict_id\":\"" CO1 "\",\"t\":\"member\",\"rid\":\"" ME1 "\""), DP_EINVAL,
     "choose"},
    {RESOLVE(",\"conflict_id\":\"" CO1 "\",\"choose\":{}"), DP_EINVAL, "t"}, /* no preset */
    {RESOLVE(",\"conflict_id\":\"" CO1 "\",\"t\":\"household\",\"rid\":\"" HH1
             "\",\"choose\":{\"team\":\"east\"}"),
     DP_EPERM, "team"},
    {RESOLVE(",\"conflict_id\":\"" CO1 "\",\"t\":\"household\",\"rid\":\"" HH1
             "\",\"choose\":{\"risk\":\"red\"},\"base_v\":3"),
     DP_EINVAL, "base_v"},
    {RESOLVE(",\"conflict_id\":\"" CO1 "\",\"t\":\"household\",\"rid\":\"" HH1
             "\",\"choose\":{\"_deleted\":1}"),
     DP_EINVAL, "choose"},
    {RESOLVE(",\"conflict_id\":\"" CO1 "\",\"t\":\"household\",\"rid\":\"" HH1
             "\",\"choose\":{\"_deleted\":true,\"_deleted\":false}"),
     DP_EINVAL, "choose"},
    /* review */
    {REVIEW(",\"t\":\"visit\""), DP_EINVAL, "action"},
    {REVIEW(",\"t\":\"visit\",\"action\":\"reject\""), DP_EINVAL, "action"},
    {REVIEW(",\"t\":\"member\",\"action\":\"submit\""), DP_EINVAL, "t"},
    {REVIEW(",\"t\":\"visit\",\"action\":\"return\""), DP_EINVAL, "comment"},
    {REVIEW(",\"t\":\"visit\",\"action\":\"return\",\"comment\":\"\""), DP_EINVAL, "comment"},
    {REVIEW(",\"t\":\"visit\",\"action\":\"submit\",\"comment\":\"ok\""), DP_EINVAL, "comment"},
    {REVIEW(",\"t\":\"visit\",\"action\":\"approve\",\"comment\":5"), DP_EINVAL, "comment"},
    {REVIEW(",\"t\":\"visit\",\"action\":\"approve\",\"comment\":\"a\\tb\""), DP_EINVAL, "comment"},
    {REVIEW(",\"t\":\"visit\",\"action\":\"submit\",\"set\":{\"notes\":\"x\"}"), DP_EINVAL, "set"},
    /* assign */
    {ASSIGN(",\"t\":\"household\""), DP_EINVAL, "to"},
    {ASSIGN(",\"t\":\"household\",\"to\":\"Wang Fang\""), DP_EINVAL, "to"},
    {ASSIGN(",\"t\":\"household\",\"to\":null"), DP_EINVAL, "to"},
    {ASSIGN(",\"t\":\"visit\",\"to\":\"li.wei\""), DP_EINVAL, "t"},
    {ASSIGN(",\"t\":\"household\",\"to\":\"abcdefghijabcdefghijabcdefghijabc\""), DP_EINVAL, "to"},
};

TEST(malformed_mutations_are_rejected_naming_the_field)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        struct mutation m;
        struct dp_error err;
        mutation_init(&m);
        enum dp_status st = parse(c->json, &m, &err);
        if (st != c->st || strcmp(err.field, c->field) != 0)
            TEST_FAIL_("case %zu: got %s field \"%s\" (%s), want %s field \"%s\"", i,
                       dp_status_name(st), err.field, err.msg, dp_status_name(c->st), c->field);
        if (m.def || m.mid || m.set[1] || m.base[1] || m.choose[1])
            TEST_FAIL_("case %zu: mutation not left empty", i);
        if (!err.msg[0])
            TEST_FAIL_("case %zu: no message", i);
    }
}

/* Messages name fields, never what was typed. */
TEST(errors_never_repeat_values)
{
    static const char *const cases[][2] = {
        {HH_U "\"base\":{\"phone\":null},\"set\":{\"phone\":\"23800138007\"}}", "23800138007"},
        {HH_U "\"base\":{\"head_name\":null},\"set\":{\"head_name\":\"张三7\"}}", "张三"},
        {HH_U "\"base\":{\"head_id_number\":null},"
              "\"set\":{\"head_id_number\":\"110101199003071235\"}}",
         "110101199003071235"},
        {HH_U "\"base\":{\"phone\":null},\"set\":{\"zhangsan_13800138000\":1}}", "zhangsan"},
        {HH_U "\"base\":{\"phone\":null},\"set\":{\"phone\":\"13800138000\"},"
              "\"zhangsan_13800138000\":1}",
         "zhangsan"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mutation m;
        struct dp_error err;
        mutation_init(&m);
        CHECK(parse(cases[i][0], &m, &err) != DP_OK);
        if (strstr(err.msg, cases[i][1]) || strstr(err.field, cases[i][1]))
            TEST_FAIL_("case %zu: error repeats the value", i);
        if (strstr(err.msg, "138") || strstr(err.field, "138"))
            TEST_FAIL_("case %zu: error repeats digits", i);
        mutation_done(&m);
    }
}

TEST(oversized_notes_and_base)
{
    /* 2001 characters in notes (cap 2000), and a base far over any cap. */
    size_t n = 2001;
    char *notes = malloc(n * 3 + 1), *json = malloc(n * 3 + 512);
    REQUIRE(notes && json);
    for (size_t i = 0; i < n; i++)
        memcpy(notes + 3 * i, "记", 3);
    notes[3 * n] = '\0';
    struct mutation m;
    struct dp_error err;
    mutation_init(&m);
    snprintf(json, n * 3 + 512, HH_U "\"base\":{\"notes\":null},\"set\":{\"notes\":\"%s\"}}",
             notes);
    CHECK(parse(json, &m, &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "notes");
    /* One character fewer is fine. */
    notes[3 * (n - 1)] = '\0';
    snprintf(json, n * 3 + 512, HH_U "\"base\":{\"notes\":null},\"set\":{\"notes\":\"%s\"}}",
             notes);
    CHECK(parse(json, &m, &err) == DP_OK);
    mutation_done(&m);
    /* The base may be long (rules can tighten), but not beyond 4 bytes per allowed character. */
    snprintf(json, n * 3 + 512,
             HH_U "\"base\":{\"village\":\"%s\"},\"set\":{\"village\":\"东山村\"}}", notes);
    CHECK(parse(json, &m, &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "village");
    /* A base that no longer passes today's rules is still accepted. */
    CHECK(parse(HH_U "\"base\":{\"village\":\" 东山村 \",\"phone\":\"12\"},"
                     "\"set\":{\"village\":\"东山村\",\"phone\":\"13800138000\"}}",
                &m, &err) == DP_OK);
    mutation_done(&m);
    free(notes);
    free(json);
}

TEST(role_check)
{
    struct mutation m;
    struct dp_error err;
    mutation_init(&m);
    REQUIRE(parse(HEAD_U "\"visit\",\"rid\":\"" VI1 "\",\"base_v\":4,"
                         "\"base\":{\"review_state\":\"submitted\",\"review_comment\":null},"
                         "\"set\":{\"review_state\":\"returned\","
                         "\"review_comment\":\"请补充收入证明\"}}",
                  &m, &err) == DP_OK);
    CHECK(mutation_check_role(&m, true, &err) == DP_OK);
    CHECK(mutation_check_role(&m, false, &err) == DP_EPERM);
    CHECK_STR_EQ(err.field, "review_comment");
    mutation_done(&m);

    REQUIRE(parse(HEAD_U "\"visit\",\"rid\":\"" VI1 "\",\"base_v\":4,"
                         "\"base\":{\"notes\":null},\"set\":{\"notes\":\"ok\"}}",
                  &m, &err) == DP_OK);
    CHECK(mutation_check_role(&m, false, &err) == DP_OK);
    mutation_done(&m);
}

/* A client builds an entry field by field, checks it, and sees the same hash the server will. */
TEST(build_check_and_put)
{
    const struct record_def *d = &schema_need;
    struct mutation m;
    struct dp_error err;
    mutation_init(&m);
    m.def = d;
    m.op = MUT_CREATE;
    m.mid = 3;
    snprintf(m.mutation_id, sizeof m.mutation_id, "%s", MU2);
    snprintf(m.rid, sizeof m.rid, "%s", ME1);
    REQUIRE(hlc_parse(HLC, &m.hlc, "hlc", NULL) == DP_OK);
    CHECK(mutation_put(&m, MUT_PART_SET, schema_field_index(d, "household_id"), HH1) == DP_OK);
    CHECK(mutation_put(&m, MUT_PART_SET, schema_field_index(d, "category"), "rehab") == DP_OK);
    CHECK(mutation_put(&m, MUT_PART_SET, schema_field_index(d, "item"), "轮椅") == DP_OK);
    CHECK(mutation_put(&m, MUT_PART_SET, schema_field_index(d, "urgency"), "high") == DP_OK);
    CHECK(mutation_put(&m, MUT_PART_SET, schema_field_index(d, "status"), "opened") == DP_OK);
    CHECK(mutation_check(&m, &today, &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "status");
    CHECK(mutation_put(&m, MUT_PART_SET, schema_field_index(d, "status"), "open") == DP_OK);
    CHECK(mutation_check(&m, &today, &err) == DP_OK);

    CHECK(mutation_put(&m, MUT_PART_SET, -1, "x") == DP_EINVAL);
    CHECK(mutation_put(&m, MUT_PART_SET, (int)d->nfields, "x") == DP_EINVAL);
    /* Removing a value. A missing required field is the record's rule, not the mutation's. */
    CHECK(mutation_put(&m, MUT_PART_SET, schema_field_index(d, "item"), NULL) == DP_OK);
    CHECK(m.set[schema_field_index(d, "item")] == NULL);
    CHECK(mutation_check(&m, &today, &err) == DP_OK);
    CHECK(mutation_put(&m, MUT_PART_SET, schema_field_index(d, "item"), "轮椅") == DP_OK);
    /* A base on a create is refused. */
    CHECK(mutation_put(&m, MUT_PART_BASE, schema_field_index(d, "item"), "") == DP_OK);
    CHECK(mutation_check(&m, &today, &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "base");
    CHECK(mutation_put(&m, MUT_PART_BASE, schema_field_index(d, "item"), NULL) == DP_OK);

    cJSON *j = mutation_to_json(&m);
    REQUIRE(j);
    struct mutation back;
    mutation_init(&back);
    CHECK(mutation_from_json(&back, j, &today, &err) == DP_OK);
    char h[MUTATION_HASH_SIZE];
    REQUIRE(mutation_hash(&m, h, sizeof h) == DP_OK);
    CHECK_STR_EQ(back.hash, h);
    cJSON_Delete(j);
    mutation_done(&back);

    /* A bad mid or hlc is caught by the check, not only by the parser. */
    m.mid = 0;
    CHECK(mutation_check(&m, &today, &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "mid");
    m.mid = 3;
    m.hlc.node[0] = '\0';
    CHECK(mutation_check(&m, &today, &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "hlc");
    mutation_done(&m);

    struct mutation empty;
    mutation_init(&empty);
    CHECK(mutation_put(&empty, MUT_PART_SET, 0, "x") == DP_EINVAL); /* no type yet */
    CHECK(mutation_check(&empty, &today, &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "t");
    char *canon = (char *)1;
    CHECK(mutation_canonical(&empty, &canon, NULL) == DP_EINVAL);
    CHECK(canon == NULL);
    CHECK(mutation_to_json(&empty) == NULL);
}

/* PROTOCOL.md 7.6: the wire may leave t and rid out; the server presets them from the conflict. */
TEST(resolve_with_type_from_the_conflict)
{
    static const char bare[] =
        "{\"mid\":85,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"resolve_conflict\","
        "\"conflict_id\":\"" CO1 "\",\"choose\":{\"status\":\"away\"}}";
    struct mutation m;
    struct dp_error err;
    mutation_init(&m);
    CHECK(parse(bare, &m, &err) == DP_EINVAL); /* nobody said what record */
    CHECK_STR_EQ(err.field, "t");

    mutation_init(&m);
    m.def = &schema_member;
    snprintf(m.rid, sizeof m.rid, "%s", ME1);
    REQUIRE(parse(bare, &m, &err) == DP_OK);
    CHECK(m.def == &schema_member);
    CHECK_STR_EQ(m.rid, ME1);
    CHECK_STR_EQ(val(&m, m.choose, "status"), "away");
    CHECK_INT_EQ(m.choose_deleted, -1);

    /* A preset of another type: the choice is checked against the member schema and fails. */
    mutation_done(&m);
    m.def = &schema_household;
    snprintf(m.rid, sizeof m.rid, "%s", HH1);
    CHECK(parse(bare, &m, &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "status");

    /* When the wire names them too, they must agree with the conflict. */
    static const char named[] =
        "{\"mid\":85,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"resolve_conflict\","
        "\"t\":\"member\",\"rid\":\"" ME1 "\",\"conflict_id\":\"" CO1 "\","
        "\"choose\":{\"_deleted\":false,\"status\":\"away\"}}";
    mutation_init(&m);
    m.def = &schema_household;
    CHECK(parse(named, &m, &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "t");
    mutation_init(&m);
    m.def = &schema_member;
    snprintf(m.rid, sizeof m.rid, "%s", ME1);
    REQUIRE(parse(named, &m, &err) == DP_OK);
    CHECK_INT_EQ(m.choose_deleted, 0);
    mutation_done(&m);
    m.def = &schema_member;
    snprintf(m.rid, sizeof m.rid, "%s", HH2);
    CHECK(parse(named, &m, &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "rid");

    /* Presets are ignored by the other ops. */
    mutation_init(&m);
    m.def = &schema_visit;
    REQUIRE(parse(create_household, &m, &err) == DP_OK);
    CHECK(m.def == &schema_household);
    mutation_done(&m);

    /* Keep the tombstone: an empty choice of fields is fine. */
    REQUIRE(parse("{\"mid\":86,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC
                  "\",\"op\":\"resolve_conflict\",\"t\":\"member\",\"rid\":\"" ME1
                  "\",\"conflict_id\":\"" CO1 "\",\"choose\":{\"_deleted\":true}}",
                  &m, &err) == DP_OK);
    CHECK_INT_EQ(m.choose_deleted, 1);
    char *canon;
    REQUIRE(mutation_canonical(&m, &canon, NULL) == DP_OK);
    CHECK(strstr(canon, ",\"choose\":{\"_deleted\":true}}") != NULL);
    free(canon);
    mutation_done(&m);
}

TEST(review_and_assign)
{
    struct mutation m;
    struct dp_error err;
    mutation_init(&m);
    REQUIRE(parse(REVIEW(",\"t\":\"visit\",\"action\":\"approve\""), &m, &err) == DP_OK);
    CHECK(m.op == MUT_REVIEW);
    CHECK_INT_EQ(m.action, MUT_REVIEW_APPROVE);
    CHECK(m.comment == NULL);
    REQUIRE(parse(REVIEW(",\"t\":\"visit\",\"action\":\"return\",\"comment\":\"缺收入证明\""), &m,
                  &err) == DP_OK);
    CHECK_INT_EQ(m.action, MUT_REVIEW_RETURN);
    CHECK_STR_EQ(m.comment, "缺收入证明");
    char *canon;
    REQUIRE(mutation_canonical(&m, &canon, NULL) == DP_OK);
    CHECK(strstr(canon, ",\"action\":\"return\",\"comment\":\"缺收入证明\"}") != NULL);
    free(canon);
    REQUIRE(parse(REVIEW(",\"t\":\"visit\",\"action\":\"submit\""), &m, &err) == DP_OK);
    CHECK_INT_EQ(m.action, MUT_REVIEW_SUBMIT);

    REQUIRE(parse(ASSIGN(",\"t\":\"household\",\"to\":\"li.wei\""), &m, &err) == DP_OK);
    CHECK(m.op == MUT_ASSIGN);
    CHECK_STR_EQ(m.to, "li.wei");
    REQUIRE(parse(ASSIGN(",\"t\":\"household\",\"to\":\"\""), &m, &err) == DP_OK);
    CHECK_STR_EQ(m.to, "");
    REQUIRE(mutation_canonical(&m, &canon, NULL) == DP_OK);
    CHECK(strstr(canon, ",\"to\":\"\"}") != NULL);
    free(canon);
    mutation_done(&m);
}

/* PROTOCOL.md 7: null and "" both mean unset, for every type. */
TEST(empty_string_is_unset)
{
    struct mutation m;
    struct dp_error err;
    mutation_init(&m);
    REQUIRE(parse(HEAD_U "\"visit\",\"rid\":\"" VI1 "\",\"base_v\":1,"
                         "\"base\":{\"monthly_income\":1500,\"housing\":\"\"},"
                         "\"set\":{\"monthly_income\":\"\",\"housing\":null}}",
                  &m, &err) == DP_OK);
    CHECK_STR_EQ(val(&m, m.set, "monthly_income"), "");
    CHECK_STR_EQ(val(&m, m.set, "housing"), "");
    CHECK_STR_EQ(val(&m, m.base, "housing"), "");
    CHECK_STR_EQ(val(&m, m.base, "monthly_income"), "1500");
    REQUIRE(parse(HEAD_U "\"member\",\"rid\":\"" ME1 "\",\"base_v\":1,"
                         "\"set\":{\"main_earner\":\"\"}}",
                  &m, &err) == DP_OK);
    CHECK_STR_EQ(val(&m, m.set, "main_earner"), "");
    CHECK(val(&m, m.base, "main_earner") == NULL); /* base is optional */
    REQUIRE(parse(HH_U "\"set\":{\"categories\":\"\",\"flags\":[]}}", &m, &err) == DP_OK);
    CHECK_STR_EQ(val(&m, m.set, "categories"), "");
    CHECK_STR_EQ(val(&m, m.set, "flags"), "");
    mutation_done(&m);
}

TEST(reject_reasons)
{
    static const struct {
        const char *json;
        const char *reason;
    } cases[] = {
        {HH_C "\"village\":\"东山村\",\"team\":\"east\"}}", "server_field"},
        {HH_U "\"base\":{\"assigned_to\":\"w1\"},\"set\":{\"assigned_to\":\"w2\"}}",
         "server_field"},
        {HEAD_U "\"member\",\"rid\":\"" ME1 "\",\"base_v\":1,"
                "\"set\":{\"household_id\":\"" HH2 "\"}}",
         "immutable_field"},
        {DEL_NEED(",\"t\":\"x\""), "invalid"}, /* t twice */
        {"{\"mid\":1,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"delete\",\"t\":\"cat\","
         "\"rid\":\"" HH1 "\",\"base_v\":3}",
         "unknown_type"},
        {"{\"mid\":1,\"id\":\"" MU1 "\"," HS "\"hlc\":\"" HLC "\",\"op\":\"erase\",\"t\":\"need\","
         "\"rid\":\"" HH1 "\",\"base_v\":3}",
         "unknown_op"},
        {HH_U "\"set\":{\"phone\":\"2380013800\"}}", "invalid"},
        {REVIEW(",\"t\":\"member\",\"action\":\"submit\""), "invalid"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *j = cJSON_Parse(cases[i].json);
        REQUIRE(j);
        struct mutation m;
        struct dp_error err;
        mutation_init(&m);
        CHECK(mutation_from_json(&m, j, &today, &err) != DP_OK);
        const char *r = mutation_reject_reason(j, &err);
        if (strcmp(r, cases[i].reason) != 0)
            TEST_FAIL_("case %zu: %s (%s: %s), want %s", i, r, err.field, err.msg, cases[i].reason);
        cJSON_Delete(j);
    }

    /* A worker setting a supervisor's field. */
    static const char rc[] = HEAD_U "\"visit\",\"rid\":\"" VI1 "\",\"base_v\":4,"
                                    "\"set\":{\"review_comment\":\"好\"}}";
    cJSON *j = cJSON_Parse(rc);
    struct mutation m;
    struct dp_error err;
    mutation_init(&m);
    REQUIRE(mutation_from_json(&m, j, &today, &err) == DP_OK);
    CHECK(mutation_check_role(&m, false, &err) == DP_EPERM);
    CHECK_STR_EQ(mutation_reject_reason(j, &err), "forbidden");
    CHECK_STR_EQ(mutation_reject_reason(j, NULL), "invalid");
    cJSON_Delete(j);
    mutation_done(&m);
}

/* A mutation's values travel in exactly the JSON form of record_to_json (PROTOCOL.md 7). */
TEST(wire_values_match_record_json)
{
    static const struct {
        const struct record_def *def;
        const char *field, *value;
    } samples[] = {
        {&schema_household, "head_name", "阿依古丽·买买提"},
        {&schema_household, "categories", "dibao,tekun_dispersed,relapse_watch"},
        {&schema_household, "flags", "acute_hardship"},
        {&schema_household, "notes", "第一行\n\"第二行\" \\"},
        {&schema_household, "next_visit_due", "2025-04-01"},
        {&schema_visit, "monthly_income", "150000"},
        {&schema_visit, "medical_yearly", "0"},
        {&schema_visit, "monthly_income", "1000000000000"}, /* MONEY_MAX_FEN */
        {&schema_member, "main_earner", "1"},
        {&schema_member, "elderly_alone", "0"},
        {&schema_member, "birth_date", "2019-04-02"},
        {&schema_need, "member_id", ME1},
    };
    for (size_t k = 0; k < sizeof samples / sizeof samples[0]; k++) {
        struct record r;
        REQUIRE(record_init(&r, samples[k].def) == DP_OK);
        REQUIRE(record_set(&r, samples[k].field, samples[k].value) == DP_OK);
        cJSON *rj = record_to_json(&r, false);
        REQUIRE(rj);

        struct mutation m;
        mutation_init(&m);
        m.def = samples[k].def;
        m.op = MUT_UPDATE;
        m.base_v = 1;
        m.mid = 1;
        snprintf(m.mutation_id, sizeof m.mutation_id, "%s", MU1);
        snprintf(m.rid, sizeof m.rid, "%s", HH1);
        REQUIRE(hlc_parse(HLC, &m.hlc, "hlc", NULL) == DP_OK);
        REQUIRE(mutation_put(&m, MUT_PART_SET, schema_field_index(m.def, samples[k].field),
                             samples[k].value) == DP_OK);
        cJSON *mj = mutation_to_json(&m);
        REQUIRE(mj);
        const cJSON *set = cJSON_GetObjectItemCaseSensitive(mj, "set");
        if (!cJSON_Compare(set, rj, true))
            TEST_FAIL_("sample %zu (%s): the mutation's JSON differs from the record's", k,
                       samples[k].field);

        /* And back: parsing the record's JSON form gives the same canonical value. */
        struct mutation back;
        struct dp_error err;
        mutation_init(&back);
        cJSON_ReplaceItemInObjectCaseSensitive(mj, "set", cJSON_Duplicate(rj, true));
        CHECK(mutation_from_json(&back, mj, NULL, &err) == DP_OK);
        CHECK_STR_EQ(back.set[schema_field_index(m.def, samples[k].field)], samples[k].value);

        mutation_done(&back);
        cJSON_Delete(mj);
        cJSON_Delete(rj);
        mutation_done(&m);
        record_done(&r);
    }
}

TEST(op_names)
{
    enum mutation_op op;
    for (int i = MUT_CREATE; i <= MUT_ASSIGN; i++) {
        CHECK(mutation_op_parse(mutation_op_name((enum mutation_op)i), &op));
        CHECK_INT_EQ(op, i);
    }
    CHECK_STR_EQ(mutation_op_name(MUT_RESOLVE), "resolve_conflict");
    CHECK(!mutation_op_parse("Create", &op));
    CHECK(!mutation_op_parse(NULL, &op));
}

TEST(coalesce_keeps_earliest_base_and_latest_value)
{
    struct mutation a, b, c;
    struct dp_error err;
    mutation_init(&a);
    mutation_init(&b);
    mutation_init(&c);
    REQUIRE(parse(HH_U "\"base\":{\"phone\":\"13800138001\"},\"set\":{\"phone\":\"13800138002\"}}",
                  &a, &err) == DP_OK);
    REQUIRE(parse("{\"mid\":6,\"id\":\"" MU2 "\"," HS "\"hlc\":\"01954a3f2c11.0000.6f0e\","
                  "\"op\":\"update\",\"t\":\"household\",\"rid\":\"" HH1 "\",\"base_v\":3,"
                  "\"base\":{\"phone\":\"13800138002\",\"village\":\"东山村\"},"
                  "\"set\":{\"phone\":\"13800138003\",\"village\":\"西山村\"}}",
                  &b, &err) == DP_OK);
    REQUIRE(mutation_coalesce(&a, &b) == DP_OK);
    CHECK_INT_EQ(a.mid, 5);
    CHECK_STR_EQ(a.mutation_id, MU1);
    CHECK_STR_EQ(val(&a, a.base, "phone"), "13800138001");
    CHECK_STR_EQ(val(&a, a.set, "phone"), "13800138003");
    CHECK_STR_EQ(val(&a, a.base, "village"), "东山村");
    CHECK_STR_EQ(val(&a, a.set, "village"), "西山村");
    CHECK(a.hlc.ms == 0x01954a3f2c11ULL);
    CHECK_STR_EQ(a.hash, "");
    CHECK(mutation_check(&a, &today, &err) == DP_OK);

    /* Into a create: the values join the create; no base appears. */
    REQUIRE(parse(create_household, &c, &err) == DP_OK);
    REQUIRE(mutation_coalesce(&c, &b) == DP_OK);
    CHECK_STR_EQ(val(&c, c.set, "village"), "西山村");
    CHECK(val(&c, c.base, "village") == NULL);
    CHECK(mutation_check(&c, &today, &err) == DP_OK);

    /* Another record, or a delete, does not combine, and nothing changes. */
    snprintf(b.rid, sizeof b.rid, "%s", HH2);
    CHECK(mutation_coalesce(&a, &b) == DP_EINVAL);
    snprintf(b.rid, sizeof b.rid, "%s", HH1);
    b.op = MUT_DELETE;
    CHECK(mutation_coalesce(&a, &b) == DP_EINVAL);
    CHECK_STR_EQ(val(&a, a.set, "phone"), "13800138003");
    mutation_done(&a);
    mutation_done(&b);
    mutation_done(&c);
}

int
main(void)
{
    RUN(every_schema_fits);
    RUN(parse_create);
    RUN(parse_update_delete_resolve);
    RUN(hash_ignores_input_key_order);
    RUN(canonical_escapes_and_types);
    RUN(to_json_round_trips);
    RUN(hash_is_opaque);
    RUN(envelope_check);
    RUN(malformed_mutations_are_rejected_naming_the_field);
    RUN(errors_never_repeat_values);
    RUN(oversized_notes_and_base);
    RUN(role_check);
    RUN(build_check_and_put);
    RUN(resolve_with_type_from_the_conflict);
    RUN(review_and_assign);
    RUN(empty_string_is_unset);
    RUN(reject_reasons);
    RUN(wire_values_match_record_json);
    RUN(op_names);
    RUN(coalesce_keeps_earliest_base_and_latest_value);
    return test_report();
}
