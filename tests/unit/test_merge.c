#include "core/merge.h"

#include "core/validate.h"
#include "tests/unit/test.h"

#define HH1 "9b1d7c3e-1111-4111-8111-000000000001"
#define HH2 "9b1d7c3e-1111-4111-8111-000000000002"
#define ME1 "9b1d7c3e-2222-4222-8222-000000000001"
#define MU1 "6f0e2c1a-0000-4000-8000-0000000000a1"

/* 2025-03-01T10:22:33Z */
#define T0     1740824553000ULL
#define MINUTE (60ULL * 1000)
#define YEAR   (365ULL * 24 * 60 * MINUTE)

static const struct dp_date today = {2025, 3, 1};

/* A server row the test owns, as the server would store it. */
struct row {
    char *values[MUTATION_MAX_FIELDS];
    int64_t fv[MUTATION_MAX_FIELDS];
    struct hlc fhlc[MUTATION_MAX_FIELDS];
    struct merge_row mr;
};

static void
row_set(struct row *r, const char *field, const char *value, int64_t fv)
{
    int i = schema_field_index(r->mr.def, field);
    if (i < 0) {
        fprintf(stderr, "no field %s\n", field);
        abort();
    }
    free(r->values[i]);
    r->values[i] = strdup(value);
    r->fv[i] = fv;
    if (fv > r->mr.v)
        r->mr.v = fv;
}

/* A household at version 12 with every field last changed at version <= 12. */
static void
household(struct row *r)
{
    memset(r, 0, sizeof *r);
    r->mr.def = &schema_household;
    r->mr.values = (const char *const *)r->values;
    r->mr.fv = r->fv;
    r->mr.fhlc = r->fhlc;
    for (size_t i = 0; i < schema_household.nfields; i++)
        r->values[i] = strdup("");
    row_set(r, "id", HH1, 1);
    row_set(r, "head_name", "李小梅", 1);
    row_set(r, "village", "东山村", 3);
    row_set(r, "township", "城关镇", 1);
    row_set(r, "risk", "yellow", 7);
    row_set(r, "status", "active", 1);
    row_set(r, "phone", "13800138001", 12);
    row_set(r, "notes", "门口有狗", 5);
    row_set(r, "assigned_to", "w123", 2);
}

static void
row_done(struct row *r)
{
    for (size_t i = 0; i < MUTATION_MAX_FIELDS; i++)
        free(r->values[i]);
    memset(r, 0, sizeof *r);
}

/* Store a merge result the way the server does: new version, fv/fhlc for written fields. */
static void
row_apply(struct row *r, const struct merge_result *res, const struct hlc *h)
{
    if (!res->write)
        return;
    int64_t v = r->mr.v + 1;
    for (size_t i = 0; i < r->mr.def->nfields; i++) {
        char *copy = strdup(res->fields[i].value);
        free(r->values[i]);
        r->values[i] = copy;
        if (merge_field_writes(res->fields[i].result)) {
            r->fv[i] = v;
            r->fhlc[i] = *h;
        }
    }
    r->mr.v = v;
    r->mr.deleted = res->tombstone;
}

static const char *
rv(const struct row *r, const char *field)
{
    return r->values[schema_field_index(r->mr.def, field)];
}

static int
fi(const struct record_def *d, const char *field)
{
    return schema_field_index(d, field);
}

static struct hlc
stamp(uint64_t ms, const char *node)
{
    struct hlc h;
    memset(&h, 0, sizeof h);
    h.ms = ms;
    snprintf(h.node, sizeof h.node, "%s", node);
    return h;
}

/* A household update at base_v; add fields with put(). */
static void
update(struct mutation *m, int64_t base_v, uint64_t ms, const char *node)
{
    mutation_init(m);
    m->def = &schema_household;
    m->op = MUT_UPDATE;
    m->mid = 1;
    m->base_v = base_v;
    snprintf(m->mutation_id, sizeof m->mutation_id, "%s", MU1);
    snprintf(m->rid, sizeof m->rid, "%s", HH1);
    m->hlc = stamp(ms, node);
}

static void
put(struct mutation *m, const char *field, const char *base, const char *set)
{
    int i = fi(m->def, field);
    if (mutation_put(m, MUT_PART_BASE, i, base) != DP_OK ||
        mutation_put(m, MUT_PART_SET, i, set) != DP_OK)
        abort();
}

/* Merge with the mutation's own stamp; the mutation must pass mutation_check. */
static enum dp_status
merge(const struct row *r, const struct mutation *m, const char *attribution,
      struct merge_result *out)
{
    struct dp_error err;
    if (mutation_check(m, &today, &err) != DP_OK) {
        fprintf(stderr, "  test mutation is invalid: %s %s\n", err.field, err.msg);
        return DP_EIO;
    }
    struct merge_opts o = {.hlc = m->hlc, .attribution = attribution};
    return merge_mutation(r ? &r->mr : NULL, m, &o, out, &err);
}

#define RES(out, field) ((out).fields[fi(&schema_household, field)].result)
#define VAL(out, field) ((out).fields[fi(&schema_household, field)].value)

TEST(fast_forward_is_applied)
{
    struct row r;
    struct mutation m;
    struct merge_result out;
    household(&r);
    merge_result_init(&out);
    update(&m, 12, T0, "a");
    put(&m, "phone", "13800138001", "13800138002");
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_APPLIED);
    CHECK_INT_EQ(RES(out, "phone"), MF_APPLY);
    CHECK_STR_EQ(VAL(out, "phone"), "13800138002");
    CHECK_STR_EQ(VAL(out, "village"), "东山村"); /* the whole row comes back */
    CHECK_INT_EQ(RES(out, "village"), MF_NONE);
    CHECK(out.write && !out.tombstone);
    CHECK_INT_EQ(out.nconflicts, 0);
    CHECK_INT_EQ(out.kind, MK_NONE);
    CHECK_STR_EQ(merge_status_name(out.status), "applied");
    merge_result_done(&out);
    mutation_done(&m);
    row_done(&r);
}

/* protocol.md 9.10 (a): two workers edit different fields. */
TEST(different_fields_merge)
{
    struct row r;
    struct mutation a, b;
    struct merge_result out;
    household(&r);
    merge_result_init(&out);
    update(&a, 12, T0, "a");
    put(&a, "phone", "13800138001", "13800138002");
    update(&b, 12, T0 + 1, "b");
    put(&b, "address", "", "东山村3组");

    REQUIRE(merge(&r, &a, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_APPLIED);
    row_apply(&r, &out, &a.hlc);
    CHECK_INT_EQ(r.mr.v, 13);

    REQUIRE(merge(&r, &b, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_MERGED);
    CHECK_INT_EQ(RES(out, "address"), MF_APPLY);
    CHECK_INT_EQ(out.nconflicts, 0);
    CHECK_INT_EQ(out.nserver_changed, 1); /* "server also changed phone" */
    row_apply(&r, &out, &b.hlc);
    CHECK_STR_EQ(rv(&r, "phone"), "13800138002");
    CHECK_STR_EQ(rv(&r, "address"), "东山村3组");
    CHECK_INT_EQ(r.mr.v, 14);
    merge_result_done(&out);
    mutation_done(&a);
    mutation_done(&b);
    row_done(&r);
}

/* protocol.md 9.10 (b): the same field, the same value. */
TEST(same_field_same_value_converges)
{
    struct row r;
    struct mutation a, b;
    struct merge_result out;
    household(&r);
    merge_result_init(&out);
    update(&a, 12, T0, "a");
    put(&a, "risk", "yellow", "red");
    update(&b, 12, T0 + 5, "b");
    put(&b, "risk", "yellow", "red");
    REQUIRE(merge(&r, &a, "", &out) == DP_OK);
    row_apply(&r, &out, &a.hlc);
    REQUIRE(merge(&r, &b, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_MERGED);
    CHECK_INT_EQ(RES(out, "risk"), MF_NOOP);
    CHECK(!out.write);
    CHECK_INT_EQ(out.nconflicts, 0);
    merge_result_done(&out);
    mutation_done(&a);
    mutation_done(&b);
    row_done(&r);
}

/* protocol.md 9.10 (c): the same field, different values: one conflict, both values kept. */
TEST(same_field_different_values_conflict)
{
    struct row r;
    struct mutation a, b;
    struct merge_result out;
    household(&r);
    merge_result_init(&out);
    update(&a, 12, T0, "a");
    put(&a, "phone", "13800138001", "13800138002");
    update(&b, 12, T0 + 5, "b");
    put(&b, "phone", "13800138001", "13800138003");
    put(&b, "address", "", "东山村3组"); /* a non-conflicting field still applies */
    REQUIRE(merge(&r, &a, "", &out) == DP_OK);
    row_apply(&r, &out, &a.hlc);
    REQUIRE(merge(&r, &b, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_CONFLICT);
    CHECK_INT_EQ(out.kind, MK_FIELD);
    CHECK_STR_EQ(merge_kind_name(out.kind), "field");
    CHECK_INT_EQ(out.nconflicts, 1);
    CHECK_INT_EQ(RES(out, "phone"), MF_CONFLICT);
    CHECK_INT_EQ(RES(out, "address"), MF_APPLY);
    /* The server value stays provisional; base, server and client are all at hand. */
    CHECK_STR_EQ(VAL(out, "phone"), "13800138002");
    CHECK_STR_EQ(b.base[fi(&schema_household, "phone")], "13800138001");
    CHECK_STR_EQ(b.set[fi(&schema_household, "phone")], "13800138003");
    CHECK(out.write);
    row_apply(&r, &out, &b.hlc);
    CHECK_STR_EQ(rv(&r, "phone"), "13800138002");
    CHECK_STR_EQ(rv(&r, "address"), "东山村3组");
    CHECK_INT_EQ(r.fv[fi(&schema_household, "phone")], 13); /* untouched by the conflict */
    merge_result_done(&out);
    mutation_done(&a);
    mutation_done(&b);
    row_done(&r);
}

TEST(changed_and_changed_back_applies)
{
    struct row r;
    struct mutation m;
    struct merge_result out;
    household(&r);
    merge_result_init(&out);
    row_set(&r, "village", "西山村", 13);
    row_set(&r, "village", "东山村", 14); /* and back */
    update(&m, 12, T0, "a");
    put(&m, "village", "东山村", "南山村");
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(RES(out, "village"), MF_REVERTED);
    CHECK_STR_EQ(VAL(out, "village"), "南山村");
    CHECK_INT_EQ(out.status, MS_MERGED);
    CHECK(out.write);
    merge_result_done(&out);
    mutation_done(&m);
    row_done(&r);
}

TEST(client_sending_its_base_back_keeps_the_server_value)
{
    struct row r;
    struct mutation m;
    struct merge_result out;
    household(&r);
    merge_result_init(&out);
    row_set(&r, "village", "西山村", 13);
    update(&m, 12, T0, "a");
    put(&m, "village", "东山村", "东山村"); /* e.g. coalesced A->B->A */
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(RES(out, "village"), MF_UNCHANGED);
    CHECK_STR_EQ(VAL(out, "village"), "西山村");
    CHECK_INT_EQ(out.status, MS_MERGED);
    CHECK(!out.write);
    merge_result_done(&out);
    mutation_done(&m);
    row_done(&r);
}

/* One device's edits in a row, the second pushed before the first was acknowledged. */
TEST(own_consecutive_edits_do_not_conflict)
{
    struct row r;
    struct mutation a, b;
    struct merge_result out;
    household(&r);
    merge_result_init(&out);
    update(&a, 12, T0, "a");
    put(&a, "phone", "13800138001", "13800138002");
    update(&b, 12, T0 + 1, "a"); /* same base_v: the base row was not refreshed */
    put(&b, "phone", "13800138002", "13800138003");
    REQUIRE(merge(&r, &a, "", &out) == DP_OK);
    row_apply(&r, &out, &a.hlc);
    REQUIRE(merge(&r, &b, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_MERGED);
    CHECK_INT_EQ(RES(out, "phone"), MF_REVERTED);
    row_apply(&r, &out, &b.hlc);
    CHECK_STR_EQ(rv(&r, "phone"), "13800138003");
    merge_result_done(&out);
    mutation_done(&a);
    mutation_done(&b);
    row_done(&r);
}

/* protocol.md 9.10 (d): edit versus delete, both ways round. */
TEST(edit_versus_delete)
{
    struct row r;
    struct mutation m;
    struct merge_result out;
    merge_result_init(&out);

    /* A delete based on v12 meets an edit made at v13: tombstone anyway, and a conflict. */
    household(&r);
    row_set(&r, "head_name", "李小美", 13);
    update(&m, 12, T0, "a");
    m.op = MUT_DELETE;
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_CONFLICT);
    CHECK_INT_EQ(out.kind, MK_DELETE_VS_EDIT);
    CHECK_STR_EQ(merge_kind_name(out.kind), "delete_vs_edit");
    CHECK(out.tombstone && out.write);
    CHECK_INT_EQ(out.nconflicts, 1);
    CHECK_INT_EQ(RES(out, "head_name"), MF_CONFLICT);
    CHECK_STR_EQ(VAL(out, "head_name"), "李小美"); /* the row is kept, never hard-deleted */
    row_apply(&r, &out, &m.hlc);
    CHECK(r.mr.deleted);

    /* An edit of the tombstone: kept deleted, the edit held in a conflict. */
    struct mutation e;
    update(&e, 13, T0 + 1, "b");
    put(&e, "phone", "13800138001", "13800138009");
    REQUIRE(merge(&r, &e, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_CONFLICT);
    CHECK_INT_EQ(out.kind, MK_DELETE_VS_EDIT);
    CHECK(out.tombstone && !out.write);
    CHECK_INT_EQ(RES(out, "phone"), MF_CONFLICT);
    CHECK_STR_EQ(VAL(out, "phone"), "13800138001");

    /* Deleting it again is refused (PROTOCOL.md 7.3). */
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_REJECTED);
    CHECK_STR_EQ(out.reason, "deleted");
    CHECK(!out.write);
    row_done(&r);

    /* Only a reassignment since the base: not an edit the delete could lose. */
    household(&r);
    row_set(&r, "assigned_to", "w456", 13);
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_MERGED);
    CHECK_INT_EQ(out.nconflicts, 0);
    CHECK(out.tombstone && out.write);
    row_done(&r);

    /* Nothing since the base. */
    household(&r);
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_APPLIED);
    CHECK(out.tombstone && out.write);

    /* No such record: rejected. */
    REQUIRE(merge(NULL, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_REJECTED);
    CHECK_STR_EQ(out.reason, "not_found");
    CHECK_STR_EQ(merge_status_name(out.status), "rejected");
    REQUIRE(merge(NULL, &e, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_REJECTED);
    CHECK_STR_EQ(out.reason, "not_found");
    CHECK(!out.write);

    merge_result_done(&out);
    mutation_done(&m);
    mutation_done(&e);
    row_done(&r);
}

/* protocol.md 9.8: an lww field with a future stamp is clamped; manual fields still conflict. */
TEST(lww_with_skewed_clocks)
{
    struct row r;
    struct mutation fast, slow;
    struct merge_result out;
    struct dp_error err;
    household(&r);
    merge_result_init(&out);
    row_set(&r, "next_visit_due", "2025-04-01", 12);
    r.fhlc[fi(&schema_household, "next_visit_due")] = stamp(T0 - 10 * MINUTE, "s");

    /* Device A's clock is two years ahead; it edits at real time T0, pushed at once. */
    update(&fast, 12, T0 + 2 * YEAR, "a");
    put(&fast, "next_visit_due", "2025-04-01", "2025-05-01");
    struct merge_opts oa = {.hlc = fast.hlc, .attribution = ""};
    CHECK(hlc_clamp(&oa.hlc, T0));
    REQUIRE(merge_mutation(&r.mr, &fast, &oa, &out, &err) == DP_OK);
    CHECK_INT_EQ(RES(out, "next_visit_due"), MF_APPLY);
    row_apply(&r, &out, &oa.hlc);

    /* Device B, right clock, based on v12, edits ten minutes later. */
    update(&slow, 12, T0 + 10 * MINUTE, "b");
    put(&slow, "next_visit_due", "2025-04-01", "2025-06-01");
    struct merge_opts ob = {.hlc = slow.hlc, .attribution = ""};
    CHECK(!hlc_clamp(&ob.hlc, T0 + 10 * MINUTE));
    REQUIRE(merge_mutation(&r.mr, &slow, &ob, &out, &err) == DP_OK);
    CHECK_INT_EQ(RES(out, "next_visit_due"), MF_LWW_WON);
    CHECK_STR_EQ(VAL(out, "next_visit_due"), "2025-06-01");
    CHECK_INT_EQ(out.status, MS_MERGED);
    CHECK_INT_EQ(out.nconflicts, 0);
    CHECK_STR_EQ(merge_field_result_name(RES(out, "next_visit_due")), "lww_won");

    /* Had the server kept A's raw stamp, B's later edit would have lost for two years. */
    r.fhlc[fi(&schema_household, "next_visit_due")] = fast.hlc;
    REQUIRE(merge_mutation(&r.mr, &slow, &ob, &out, &err) == DP_OK);
    CHECK_INT_EQ(RES(out, "next_visit_due"), MF_LWW_LOST);
    CHECK_STR_EQ(VAL(out, "next_visit_due"), "2025-05-01");
    CHECK(!out.write);

    /* A manual field changed on both sides conflicts whatever the clocks say. */
    row_set(&r, "risk", "red", r.mr.v + 1);
    struct mutation m;
    update(&m, 12, T0 + 2 * YEAR, "a");
    put(&m, "risk", "yellow", "green");
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(RES(out, "risk"), MF_CONFLICT);

    /* A device two years behind: its lww edit loses to the newer server value. */
    struct mutation old;
    update(&old, 12, T0 - 2 * YEAR, "c");
    put(&old, "next_visit_due", "2025-04-01", "2025-07-01");
    REQUIRE(merge(&r, &old, "", &out) == DP_OK);
    CHECK_INT_EQ(RES(out, "next_visit_due"), MF_LWW_LOST);

    merge_result_done(&out);
    mutation_done(&fast);
    mutation_done(&slow);
    mutation_done(&m);
    mutation_done(&old);
    row_done(&r);
}

TEST(append_keeps_both_notes)
{
    struct row r;
    struct mutation m;
    struct merge_result out;
    household(&r);
    merge_result_init(&out);
    row_set(&r, "notes", "门口有狗\n3月2日：电话已换", 13);

    /* The client added a line to the end of its base: only the addition is appended. */
    update(&m, 12, T0, "a");
    put(&m, "notes", "门口有狗", "门口有狗\n下午在家");
    REQUIRE(merge(&r, &m, "w123 2025-03-01", &out) == DP_OK);
    CHECK_INT_EQ(RES(out, "notes"), MF_APPENDED);
    CHECK_STR_EQ(VAL(out, "notes"), "门口有狗\n3月2日：电话已换\n--- w123 2025-03-01\n下午在家");
    CHECK_INT_EQ(out.status, MS_MERGED);
    CHECK(out.write);
    /* What the merge produced is itself a valid note. */
    struct dp_error err;
    CHECK(validate_field(schema_field(&schema_household, "notes"), VAL(out, "notes"), &today,
                         &err) == DP_OK);
    mutation_done(&m);

    /* The client rewrote the text: all of it is appended, nothing lost. */
    update(&m, 12, T0, "a");
    put(&m, "notes", "门口有狗", "狗已拴好");
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(RES(out, "notes"), MF_APPENDED);
    CHECK_STR_EQ(VAL(out, "notes"), "门口有狗\n3月2日：电话已换\n---\n狗已拴好");
    mutation_done(&m);

    /* Too long together: a manual conflict instead of a cut note. */
    char *big = malloc(1990 * 3 + 1);
    REQUIRE(big);
    for (int i = 0; i < 1990; i++)
        memcpy(big + 3 * i, "字", 3);
    big[1990 * 3] = '\0';
    update(&m, 12, T0, "a");
    put(&m, "notes", "", big);
    REQUIRE(merge(&r, &m, "w123", &out) == DP_OK);
    CHECK_INT_EQ(RES(out, "notes"), MF_CONFLICT);
    CHECK_INT_EQ(out.status, MS_CONFLICT);
    CHECK(out.fields[fi(&schema_household, "notes")].owned == NULL);
    free(big);

    /* An attribution that would break the note's lines is refused. */
    struct merge_opts o = {.hlc = m.hlc, .attribution = "w123\n--- x"};
    CHECK(merge_mutation(&r.mr, &m, &o, &out, &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "attribution");
    o.attribution = NULL;
    CHECK(merge_mutation(&r.mr, &m, &o, &out, &err) == DP_EINVAL);

    merge_result_done(&out);
    mutation_done(&m);
    row_done(&r);
}

static void
create_household(struct mutation *m, const char *village)
{
    mutation_init(m);
    m->def = &schema_household;
    m->op = MUT_CREATE;
    m->mid = 1;
    snprintf(m->mutation_id, sizeof m->mutation_id, "%s", MU1);
    snprintf(m->rid, sizeof m->rid, "%s", HH2);
    m->hlc = stamp(T0, "a");
    const struct record_def *d = &schema_household;
    mutation_put(m, MUT_PART_SET, fi(d, "head_name"), "王芳");
    mutation_put(m, MUT_PART_SET, fi(d, "village"), village);
    mutation_put(m, MUT_PART_SET, fi(d, "township"), "城关镇");
    mutation_put(m, MUT_PART_SET, fi(d, "risk"), "green");
    mutation_put(m, MUT_PART_SET, fi(d, "status"), "active");
}

/* protocol.md 9.25: the same record created twice. */
TEST(create_is_idempotent_on_rid)
{
    struct mutation c;
    struct merge_result out;
    merge_result_init(&out);
    create_household(&c, "东山村");
    REQUIRE(merge(NULL, &c, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_APPLIED);
    CHECK(out.write && !out.tombstone);
    CHECK_INT_EQ(RES(out, "village"), MF_APPLY);
    CHECK_STR_EQ(VAL(out, "village"), "东山村");
    CHECK_STR_EQ(VAL(out, "phone"), "");

    /* Store it as the server would (the id comes from rid). */
    struct row r;
    memset(&r, 0, sizeof r);
    r.mr.def = &schema_household;
    r.mr.values = (const char *const *)r.values;
    r.mr.fv = r.fv;
    r.mr.fhlc = r.fhlc;
    for (size_t i = 0; i < schema_household.nfields; i++)
        r.values[i] = strdup(out.fields[i].value);
    row_apply(&r, &out, &c.hlc);
    row_set(&r, "id", HH2, 1);
    row_set(&r, "assigned_to", "w123", 1); /* the server's own fields do not matter */
    CHECK_INT_EQ(r.mr.v, 1);

    /* The same create again (a double submit under a new mid): duplicate. */
    c.mid = 2;
    REQUIRE(merge(&r, &c, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_DUPLICATE);
    CHECK_STR_EQ(merge_status_name(out.status), "duplicate");
    CHECK(!out.write);

    /* Different content: an update from version 0 with empty bases. */
    struct mutation d;
    create_household(&d, "西山村");
    mutation_put(&d, MUT_PART_SET, fi(&schema_household, "phone"), "13800138005");
    REQUIRE(merge(&r, &d, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_CONFLICT);
    CHECK_INT_EQ(RES(out, "village"), MF_CONFLICT); /* both made it, differently */
    CHECK_INT_EQ(RES(out, "head_name"), MF_NOOP);
    CHECK_INT_EQ(RES(out, "phone"), MF_APPLY); /* never set on the server: nothing to lose */
    CHECK_STR_EQ(VAL(out, "phone"), "13800138005");
    CHECK_STR_EQ(VAL(out, "village"), "东山村");

    /* Only additions: merged. */
    mutation_done(&d);
    create_household(&d, "东山村");
    mutation_put(&d, MUT_PART_SET, fi(&schema_household, "phone"), "13800138005");
    REQUIRE(merge(&r, &d, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_MERGED);
    CHECK(out.write);

    /* Against a tombstone: the same content is a duplicate, other content a conflict. */
    r.mr.deleted = true;
    REQUIRE(merge(&r, &c, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_DUPLICATE);
    CHECK(out.tombstone && !out.write);
    REQUIRE(merge(&r, &d, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_CONFLICT);
    CHECK_INT_EQ(out.kind, MK_DELETE_VS_EDIT);
    CHECK(out.tombstone && !out.write);

    merge_result_done(&out);
    mutation_done(&c);
    mutation_done(&d);
    row_done(&r);
}

static void
resolution(struct mutation *m, uint64_t ms, const char *field, const char *value)
{
    update(m, -1, ms, "s");
    m->op = MUT_RESOLVE;
    snprintf(m->conflict_id, sizeof m->conflict_id, "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716");
    if (field)
        mutation_put(m, MUT_PART_CHOOSE, fi(&schema_household, field), value);
}

/* Resolve as the server does: from the version and server values the conflict recorded. */
static enum dp_status
merge_resolution(const struct row *r, const struct mutation *m, int64_t opened_v,
                 const char *const *conflict_server, struct merge_result *out)
{
    struct dp_error err;
    if (mutation_check(m, &today, &err) != DP_OK) {
        fprintf(stderr, "  test resolution is invalid: %s %s\n", err.field, err.msg);
        return DP_EIO;
    }
    struct merge_opts o = {
        .hlc = m->hlc, .attribution = "", .resolve_v = opened_v, .resolve_base = conflict_server};
    return merge_mutation(&r->mr, m, &o, out, &err);
}

/* protocol.md 9.11: a supervisor resolves offline while the worker edits the field again. */
TEST(resolution_then_new_edit_is_checked_against_it)
{
    struct row r;
    struct merge_result out;
    merge_result_init(&out);
    household(&r);
    row_set(&r, "risk", "red", 13); /* the supervisor's change */

    struct mutation w1;
    update(&w1, 12, T0, "w");
    put(&w1, "risk", "yellow", "green");
    REQUIRE(merge(&r, &w1, "", &out) == DP_OK);
    CHECK_INT_EQ(RES(out, "risk"), MF_CONFLICT);
    row_apply(&r, &out, &w1.hlc); /* no write: the conflict keeps red */
    CHECK_STR_EQ(rv(&r, "risk"), "red");
    /* The conflict records the version it opened at and the server's value. */
    int64_t opened_v = r.mr.v;
    const char *conflict_server[MUTATION_MAX_FIELDS] = {0};
    conflict_server[fi(&schema_household, "risk")] = "red";

    /* The supervisor chooses yellow. */
    struct mutation res;
    resolution(&res, T0 + MINUTE, "risk", "yellow");
    REQUIRE(merge_resolution(&r, &res, opened_v, conflict_server, &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_APPLIED);
    CHECK_INT_EQ(RES(out, "risk"), MF_APPLY);
    CHECK(out.write && !out.tombstone);
    row_apply(&r, &out, &res.hlc);
    CHECK_STR_EQ(rv(&r, "risk"), "yellow");
    int64_t resolved_v = r.mr.v;

    /* The worker, who had pulled v13 (red) but not the resolution, sets green again. */
    struct mutation w2;
    update(&w2, 13, T0 + 2 * MINUTE, "w");
    put(&w2, "risk", "red", "green");
    REQUIRE(merge(&r, &w2, "", &out) == DP_OK);
    CHECK_INT_EQ(RES(out, "risk"), MF_CONFLICT);
    CHECK_STR_EQ(VAL(out, "risk"), "yellow");

    /* After pulling the resolution, the same edit is a plain change. */
    mutation_done(&w2);
    update(&w2, resolved_v, T0 + 3 * MINUTE, "w");
    put(&w2, "risk", "yellow", "green");
    REQUIRE(merge(&r, &w2, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_APPLIED);
    CHECK_INT_EQ(RES(out, "risk"), MF_APPLY);
    row_apply(&r, &out, &w2.hlc);

    /* A resolution that arrives after someone changed the field again does not
     * overwrite that change: it opens a new conflict (PROTOCOL.md 7.6). */
    mutation_done(&res);
    resolution(&res, T0 + 4 * MINUTE, "risk", "red");
    REQUIRE(merge_resolution(&r, &res, opened_v, conflict_server, &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_CONFLICT);
    CHECK_INT_EQ(RES(out, "risk"), MF_CONFLICT);
    CHECK_STR_EQ(VAL(out, "risk"), "green");
    /* ...unless it chose what the field now holds. */
    mutation_done(&res);
    resolution(&res, T0 + 4 * MINUTE, "risk", "green");
    REQUIRE(merge_resolution(&r, &res, opened_v, conflict_server, &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_APPLIED);
    CHECK_INT_EQ(RES(out, "risk"), MF_NOOP);
    CHECK(out.write); /* the decision is still a version */

    mutation_done(&w1);
    mutation_done(&w2);
    mutation_done(&res);
    merge_result_done(&out);
    row_done(&r);
}

TEST(resolving_delete_versus_edit)
{
    struct row r;
    struct merge_result out;
    merge_result_init(&out);
    household(&r);
    r.mr.deleted = true;
    r.mr.v = 13;

    struct mutation keep, restore, discard;
    resolution(&keep, T0, NULL, NULL);
    keep.choose_deleted = 1;
    REQUIRE(merge_resolution(&r, &keep, 13, NULL, &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_APPLIED);
    CHECK(out.tombstone && out.write);

    resolution(&restore, T0, "phone", "13800138009");
    restore.choose_deleted = 0;
    REQUIRE(merge_resolution(&r, &restore, 13, NULL, &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_APPLIED);
    CHECK(!out.tombstone && out.write);
    CHECK_STR_EQ(VAL(out, "phone"), "13800138009");
    CHECK_STR_EQ(VAL(out, "village"), "东山村"); /* other fields keep their last values */

    /* out_of_scope_edit discarded: {} changes nothing but the conflict's state. */
    r.mr.deleted = false;
    resolution(&discard, T0, NULL, NULL);
    REQUIRE(merge_resolution(&r, &discard, 13, NULL, &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_APPLIED);
    CHECK(!out.tombstone);
    CHECK_INT_EQ(out.nconflicts, 0);

    mutation_done(&keep);
    mutation_done(&restore);
    mutation_done(&discard);
    merge_result_done(&out);
    row_done(&r);
}

/* PROTOCOL.md 7.2: base may be omitted; then versions alone decide. */
TEST(update_without_base)
{
    struct row r;
    struct mutation m;
    struct merge_result out;
    household(&r);
    merge_result_init(&out);
    update(&m, 12, T0, "a");
    mutation_put(&m, MUT_PART_SET, fi(&schema_household, "phone"), "13800138002");
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(RES(out, "phone"), MF_APPLY);
    /* Changed and changed back on the server: without a base that is a conflict. */
    row_set(&r, "village", "西山村", 13);
    row_set(&r, "village", "东山村", 14);
    mutation_done(&m);
    update(&m, 12, T0, "a");
    mutation_put(&m, MUT_PART_SET, fi(&schema_household, "village"), "南山村");
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(RES(out, "village"), MF_CONFLICT);
    /* The same change on both sides still converges. */
    mutation_done(&m);
    update(&m, 12, T0, "a");
    mutation_put(&m, MUT_PART_SET, fi(&schema_household, "village"), "东山村");
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(RES(out, "village"), MF_NOOP);
    CHECK(!out.write);
    merge_result_done(&out);
    mutation_done(&m);
    row_done(&r);
}

/* protocol.md 8.9: after a restore the server is behind the client's base_v. */
TEST(base_from_a_lost_timeline_uses_values_only)
{
    struct row r;
    struct mutation m;
    struct merge_result out;
    household(&r); /* v12 */
    merge_result_init(&out);
    update(&m, 15, T0, "a");
    put(&m, "phone", "13800138001", "13800138002"); /* base matches: safe to apply */
    put(&m, "village", "西山村", "南山村");         /* base differs: someone's lost change */
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(RES(out, "phone"), MF_APPLY);
    CHECK_INT_EQ(RES(out, "village"), MF_CONFLICT);
    CHECK_INT_EQ(out.status, MS_CONFLICT);
    CHECK_INT_EQ(out.nserver_changed, 0);
    mutation_done(&m);

    update(&m, 15, T0, "a");
    put(&m, "phone", "13800138001", "13800138002");
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(out.status, MS_MERGED); /* not a plain fast-forward */

    /* A delete from the lost timeline is applied without inventing conflicts. */
    mutation_done(&m);
    update(&m, 15, T0, "a");
    m.op = MUT_DELETE;
    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
    CHECK_INT_EQ(out.nconflicts, 0);
    CHECK(out.tombstone && out.write);
    merge_result_done(&out);
    mutation_done(&m);
    row_done(&r);
}

TEST(bad_inputs)
{
    struct row r;
    struct mutation m;
    struct merge_result out;
    struct dp_error err;
    household(&r);
    merge_result_init(&out);
    update(&m, 12, T0, "a");
    put(&m, "phone", "13800138001", "13800138002");
    m.def = &schema_member; /* the row is a household */
    CHECK(merge_mutation(&r.mr, &m, NULL, &out, &err) == DP_EINVAL);
    m.def = &schema_household;
    r.mr.fv = NULL;
    CHECK(merge_mutation(&r.mr, &m, NULL, &out, &err) == DP_EINVAL);
    r.mr.fv = r.fv;
    /* NULL opts: the mutation's stamp, no attribution. */
    CHECK(merge_mutation(&r.mr, &m, NULL, &out, &err) == DP_OK);
    CHECK_INT_EQ(out.status, MS_APPLIED);
    /* fhlc NULL: every stored stamp counts as the oldest. */
    row_set(&r, "next_visit_due", "2025-04-01", 13);
    r.mr.fhlc = NULL;
    mutation_done(&m);
    update(&m, 12, 1, "a");
    put(&m, "next_visit_due", "", "2025-05-01");
    CHECK(merge_mutation(&r.mr, &m, NULL, &out, &err) == DP_OK);
    CHECK_INT_EQ(RES(out, "next_visit_due"), MF_LWW_WON);
    merge_result_done(&out);
    mutation_done(&m);
    row_done(&r);

    /* Review and assign are the server's own flows. */
    mutation_init(&m);
    m.def = &schema_visit;
    m.op = MUT_REVIEW;
    CHECK(merge_mutation(NULL, &m, NULL, &out, &err) == DP_EINVAL);
    m.def = &schema_household;
    m.op = MUT_ASSIGN;
    CHECK(merge_mutation(NULL, &m, NULL, &out, &err) == DP_EINVAL);
    CHECK_STR_EQ(err.field, "op");

    CHECK_STR_EQ(merge_status_name((enum merge_status)99), "unknown");
    CHECK_STR_EQ(merge_field_result_name(MF_REVERTED), "reverted");
}

/* ---- client rebase ---------------------------------------------------------------------- */

#define FL(res, field) ((res).flags[fi(&schema_household, field)])
#define WV(res, field) ((res).values[fi(&schema_household, field)])

TEST(rebase_flags_each_pending_field)
{
    struct row r;
    household(&r);
    struct rebase_result rb;
    struct dp_error err;

    REQUIRE(merge_rebase(&r.mr, NULL, 0, &rb, &err) == DP_OK);
    CHECK_STR_EQ(WV(rb, "village"), "东山村");
    CHECK_INT_EQ(FL(rb, "village"), RB_NONE);

    struct mutation m;
    update(&m, 12, T0, "a");
    put(&m, "phone", "13800138001", "13800138002");     /* server unchanged */
    put(&m, "village", "东山村", "西山村");             /* server changed it too */
    put(&m, "risk", "yellow", "red");                   /* server has the same */
    put(&m, "next_visit_due", "", "2025-05-01");        /* lww */
    put(&m, "notes", "门口有狗", "门口有狗\n下午在家"); /* append */
    put(&m, "address", "", "");                         /* not a real edit */
    row_set(&r, "village", "北山村", 13);
    row_set(&r, "risk", "red", 13);
    row_set(&r, "next_visit_due", "2025-04-20", 13);
    row_set(&r, "notes", "门口有狗\n搬走了", 13);
    row_set(&r, "address", "东山村3组", 13);
    const struct mutation *pend[] = {&m};
    REQUIRE(merge_rebase(&r.mr, pend, 1, &rb, &err) == DP_OK);
    CHECK_INT_EQ(FL(rb, "phone"), RB_CLEAN);
    CHECK_STR_EQ(WV(rb, "phone"), "13800138002");
    CHECK_INT_EQ(FL(rb, "village"), RB_WILL_CONFLICT);
    CHECK_STR_EQ(WV(rb, "village"), "西山村"); /* the user still sees their value */
    CHECK_INT_EQ(FL(rb, "risk"), RB_SAME);
    CHECK_INT_EQ(FL(rb, "next_visit_due"), RB_WILL_AUTO);
    CHECK_INT_EQ(FL(rb, "notes"), RB_WILL_AUTO);
    CHECK_INT_EQ(FL(rb, "address"), RB_NONE);
    CHECK_STR_EQ(WV(rb, "address"), "东山村3组");
    CHECK_INT_EQ(FL(rb, "head_name"), RB_NONE);
    CHECK_INT_EQ(rb.nwill_conflict, 1);
    CHECK(!rb.deleted && !rb.delete_conflict);

    /* Another record's entry in the list is refused. */
    struct mutation other;
    update(&other, 12, T0, "a");
    snprintf(other.rid, sizeof other.rid, "%s", HH2);
    put(&other, "phone", "", "13800138002");
    const struct mutation *mixed[] = {&m, &other};
    CHECK(merge_rebase(&r.mr, mixed, 2, &rb, &err) == DP_EINVAL);
    CHECK(merge_rebase(NULL, NULL, 0, &rb, &err) == DP_EINVAL);
    mutation_done(&m);
    mutation_done(&other);
    row_done(&r);
}

TEST(rebase_replays_a_chain_of_edits_in_order)
{
    struct row r;
    household(&r);
    struct rebase_result rb;
    struct mutation a, b;
    update(&a, 12, T0, "a");
    put(&a, "phone", "13800138001", "13800138002");
    update(&b, 12, T0 + 1, "a");
    put(&b, "phone", "13800138002", "13800138003");
    const struct mutation *pend[] = {&a, &b};

    /* Someone else set the first value meanwhile: a is a no-op, b applies cleanly. */
    row_set(&r, "phone", "13800138002", 13);
    REQUIRE(merge_rebase(&r.mr, pend, 2, &rb, NULL) == DP_OK);
    CHECK_INT_EQ(FL(rb, "phone"), RB_CLEAN);
    CHECK_STR_EQ(WV(rb, "phone"), "13800138003");
    CHECK_INT_EQ(rb.nwill_conflict, 0);

    /* A third value: the first entry conflicts, and so the chain does. */
    row_set(&r, "phone", "13800138009", 13);
    REQUIRE(merge_rebase(&r.mr, pend, 2, &rb, NULL) == DP_OK);
    CHECK_INT_EQ(FL(rb, "phone"), RB_WILL_CONFLICT);
    CHECK_STR_EQ(WV(rb, "phone"), "13800138003");
    mutation_done(&a);
    mutation_done(&b);
    row_done(&r);
}

TEST(rebase_creates_and_deletes)
{
    struct rebase_result rb;
    struct mutation c;
    create_household(&c, "东山村");
    const struct mutation *pend[] = {&c};

    /* Only this device has the record. */
    REQUIRE(merge_rebase(NULL, pend, 1, &rb, NULL) == DP_OK);
    CHECK_INT_EQ(FL(rb, "village"), RB_CLEAN);
    CHECK_STR_EQ(WV(rb, "village"), "东山村");
    CHECK_STR_EQ(WV(rb, "phone"), "");
    CHECK(!rb.deleted);

    /* The server has it already (the ack was lost): it converges. */
    struct row r;
    household(&r);
    row_set(&r, "head_name", "王芳", 1);
    row_set(&r, "risk", "green", 1);
    REQUIRE(merge_rebase(&r.mr, pend, 1, &rb, NULL) == DP_OK);
    CHECK_INT_EQ(FL(rb, "village"), RB_SAME);
    CHECK_INT_EQ(FL(rb, "head_name"), RB_SAME);
    CHECK_INT_EQ(rb.nwill_conflict, 0);

    /* The server deleted a record with pending edits. */
    struct mutation u;
    update(&u, 12, T0, "a");
    put(&u, "phone", "13800138001", "13800138002");
    const struct mutation *pu[] = {&u};
    r.mr.deleted = true;
    REQUIRE(merge_rebase(&r.mr, pu, 1, &rb, NULL) == DP_OK);
    CHECK(rb.deleted && rb.delete_conflict);
    r.mr.deleted = false;

    /* A pending delete: newer server row -> flagged; same version -> clean. */
    struct mutation d;
    update(&d, 12, T0, "a");
    d.op = MUT_DELETE;
    const struct mutation *pd[] = {&d};
    REQUIRE(merge_rebase(&r.mr, pd, 1, &rb, NULL) == DP_OK);
    CHECK(rb.deleted && !rb.delete_conflict);
    row_set(&r, "head_name", "王芳芳", 13);
    REQUIRE(merge_rebase(&r.mr, pd, 1, &rb, NULL) == DP_OK);
    CHECK(rb.deleted && rb.delete_conflict);

    mutation_done(&c);
    mutation_done(&u);
    mutation_done(&d);
    row_done(&r);
}

TEST(rebase_other_ops)
{
    struct row r;
    household(&r);
    struct rebase_result rb;

    /* An update sent without base: the record's version decides. */
    struct mutation u;
    update(&u, 12, T0, "a");
    mutation_put(&u, MUT_PART_SET, fi(&schema_household, "phone"), "13800138002");
    const struct mutation *pu[] = {&u};
    REQUIRE(merge_rebase(&r.mr, pu, 1, &rb, NULL) == DP_OK);
    CHECK_INT_EQ(FL(rb, "phone"), RB_CLEAN);
    row_set(&r, "village", "西山村", 13); /* the record moved on */
    REQUIRE(merge_rebase(&r.mr, pu, 1, &rb, NULL) == DP_OK);
    CHECK_INT_EQ(FL(rb, "phone"), RB_WILL_CONFLICT);
    CHECK_STR_EQ(WV(rb, "phone"), "13800138002");

    /* Review and assign entries do not touch the working values. */
    struct mutation a;
    update(&a, -1, T0, "a");
    a.op = MUT_ASSIGN;
    snprintf(a.to, sizeof a.to, "li.wei");
    const struct mutation *pa[] = {&a};
    REQUIRE(merge_rebase(&r.mr, pa, 1, &rb, NULL) == DP_OK);
    CHECK_STR_EQ(WV(rb, "assigned_to"), "w123");
    CHECK_INT_EQ(FL(rb, "assigned_to"), RB_NONE);
    CHECK(!rb.delete_conflict);

    /* A pending resolution of a delete_vs_edit decides the tombstone. */
    r.mr.deleted = true;
    struct mutation res;
    update(&res, -1, T0, "s");
    res.op = MUT_RESOLVE;
    res.choose_deleted = 0;
    mutation_put(&res, MUT_PART_CHOOSE, fi(&schema_household, "phone"), "13800138009");
    const struct mutation *pr[] = {&res};
    REQUIRE(merge_rebase(&r.mr, pr, 1, &rb, NULL) == DP_OK);
    CHECK(!rb.deleted && !rb.delete_conflict);
    CHECK_STR_EQ(WV(rb, "phone"), "13800138009");
    CHECK_INT_EQ(FL(rb, "phone"), RB_CLEAN);
    res.choose_deleted = 1;
    r.mr.deleted = false;
    REQUIRE(merge_rebase(&r.mr, pr, 1, &rb, NULL) == DP_OK);
    CHECK(rb.deleted);

    mutation_done(&u);
    mutation_done(&a);
    mutation_done(&res);
    row_done(&r);
}

/*
 * What the laptop predicts is what the server does: for every combination of
 * base, server and client value of a field of each policy, the rebase flag
 * and the merge result agree.
 */
TEST(rebase_prediction_matches_server_merge)
{
    static const char *const fields[] = {"village", "next_visit_due", "notes"};
    static const char *const vals[3][3] = {
        {"东山村", "西山村", "南山村"},
        {"2025-04-01", "2025-05-01", "2025-06-01"},
        {"甲", "甲乙", "丙"},
    };
    for (size_t f = 0; f < 3; f++) {
        for (int b = 0; b < 3; b++) {
            for (int s = 0; s < 3; s++) {
                for (int c = 0; c < 3; c++) {
                    struct row r;
                    household(&r);
                    /* The server changed the field after the client's base iff s != b. */
                    row_set(&r, fields[f], vals[f][s], s != b ? 13 : 12);
                    struct mutation m;
                    update(&m, 12, T0, "a");
                    put(&m, fields[f], vals[f][b], vals[f][c]);
                    struct merge_result out;
                    struct rebase_result rb;
                    merge_result_init(&out);
                    const struct mutation *pend[] = {&m};
                    REQUIRE(merge(&r, &m, "", &out) == DP_OK);
                    REQUIRE(merge_rebase(&r.mr, pend, 1, &rb, NULL) == DP_OK);
                    enum merge_field_result mr = RES(out, fields[f]);
                    enum rebase_flag fl = FL(rb, fields[f]);
                    bool agree;
                    switch (fl) {
                    case RB_NONE:
                        agree = mr == MF_UNCHANGED;
                        break;
                    case RB_SAME: /* rule 1 rewrites the value the row already has */
                        agree = mr == MF_NOOP || (mr == MF_APPLY && s == c);
                        break;
                    case RB_CLEAN:
                        agree = mr == MF_APPLY || mr == MF_REVERTED;
                        break;
                    case RB_WILL_AUTO:
                        agree = mr == MF_LWW_WON || mr == MF_LWW_LOST || mr == MF_APPENDED;
                        break;
                    default:
                        agree = mr == MF_CONFLICT;
                    }
                    if (!agree)
                        TEST_FAIL_("%s base %d server %d client %d: rebase %d, merge %s", fields[f],
                                   b, s, c, fl, merge_field_result_name(mr));
                    merge_result_done(&out);
                    mutation_done(&m);
                    row_done(&r);
                }
            }
        }
    }
}

int
main(void)
{
    RUN(fast_forward_is_applied);
    RUN(different_fields_merge);
    RUN(same_field_same_value_converges);
    RUN(same_field_different_values_conflict);
    RUN(changed_and_changed_back_applies);
    RUN(client_sending_its_base_back_keeps_the_server_value);
    RUN(own_consecutive_edits_do_not_conflict);
    RUN(edit_versus_delete);
    RUN(lww_with_skewed_clocks);
    RUN(append_keeps_both_notes);
    RUN(create_is_idempotent_on_rid);
    RUN(resolution_then_new_edit_is_checked_against_it);
    RUN(resolving_delete_versus_edit);
    RUN(update_without_base);
    RUN(base_from_a_lost_timeline_uses_values_only);
    RUN(bad_inputs);
    RUN(rebase_flags_each_pending_field);
    RUN(rebase_replays_a_chain_of_edits_in_order);
    RUN(rebase_creates_and_deletes);
    RUN(rebase_other_ops);
    RUN(rebase_prediction_matches_server_merge);
    return test_report();
}
