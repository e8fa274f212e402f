/*
 * store/ records and the outbox write path: get, list, save (create, update,
 * unchanged), delete; one transaction per edit, proved by injected failures
 * (a trigger that aborts, a full disk, a read-only handle); gapless mids,
 * outbox entry contents, HLC order.
 */
#include "store/store.h"

#include "core/hlc.h"
#include "core/mutation.h"
#include "core/validate.h"
#include "tests/unit/test.h"
#include "tests/unit/test_store_util.h"

#define HH1 "a1111111-1111-4111-8111-111111111111"
#define HH2 "a2222222-2222-4222-8222-222222222222"

static struct store *
fresh_store(const char *tag)
{
    char dir[PATH_MAX];
    struct store *st = NULL;
    struct dp_error err;
    test_fresh_dir(dir, sizeof dir, tag);
    if (store_open(dir, TEST_PASS, &st, &err) != DP_OK)
        fprintf(stderr, "    open: %s\n", err.msg);
    return st;
}

/* A valid 18-character ID number born on `ymd` (YYYYMMDD) with sequence `seq` (odd = male). */
static void
make_id_number(char *buf, const char *ymd, int seq)
{
    char first17[18];
    snprintf(first17, sizeof first17, "110105%.8s%03d", ymd, seq % 1000);
    snprintf(buf, 19, "%s%c", first17, id_number_check_char(first17));
}

static void
make_household(struct record *r, const char *id)
{
    char idn[19];
    make_id_number(idn, "19800101", 123);
    record_init(r, &schema_household);
    record_set(r, "id", id);
    record_set(r, "head_name", "王小明");
    record_set(r, "head_id_number", idn);
    record_set(r, "phone", "13800138000");
    record_set(r, "address", "东街1号");
    record_set(r, "village", "前村");
    record_set(r, "township", "城关镇");
    record_set(r, "categories", "dibao,temp_assist");
    record_set(r, "risk", "green");
    record_set(r, "status", "active");
}

static void
make_member(struct record *r, const char *id, const char *hh, const char *name,
            const char *relation, const char *birth)
{
    record_init(r, &schema_member);
    record_set(r, "id", id);
    record_set(r, "household_id", hh);
    record_set(r, "name", name);
    record_set(r, "relation", relation);
    record_set(r, "birth_date", birth);
    record_set(r, "status", "present");
}

static void
make_visit(struct record *r, const char *id, const char *hh, const char *date)
{
    record_init(r, &schema_visit);
    record_set(r, "id", id);
    record_set(r, "household_id", hh);
    record_set(r, "worker", "wang.fang");
    record_set(r, "date", date);
    record_set(r, "kind", "routine");
    record_set(r, "outcome", "completed");
    record_set(r, "review_state", "draft");
}

static void
make_need(struct record *r, const char *id, const char *hh, const char *status, const char *urgency)
{
    record_init(r, &schema_need);
    record_set(r, "id", id);
    record_set(r, "household_id", hh);
    record_set(r, "category", "daily_care");
    record_set(r, "item", "meal help");
    record_set(r, "urgency", urgency);
    record_set(r, "status", status);
    if (strcmp(status, "referred") == 0)
        record_set(r, "referred_to", "civil affairs office");
}

static bool
save_ok(struct store *st, const struct record *r)
{
    struct dp_error err;
    enum dp_status s = store_record_save(st, r, &err);
    if (s != DP_OK)
        fprintf(stderr, "    save %s: %s: %s %s\n", r->def->name, dp_status_name(s), err.field,
                err.msg);
    return s == DP_OK;
}

static long long
outbox_count(struct store *st)
{
    return test_sql_int(st, "SELECT count(*) FROM outbox");
}

static long long
next_mid(struct store *st)
{
    return test_sql_int(st, "SELECT CAST(value AS INTEGER) FROM sync_meta WHERE key = 'next_mid'");
}

/* One outbox column of entry `mid` as text. */
static void
outbox_col(struct store *st, int mid, const char *col, char *buf, size_t size)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT %s FROM outbox WHERE mid = %d", col, mid);
    test_sql_text(st, sql, buf, size);
}

static cJSON *
outbox_json(struct store *st, int mid, const char *col)
{
    char buf[8192];
    outbox_col(st, mid, col, buf, sizeof buf);
    return buf[0] ? cJSON_Parse(buf) : NULL;
}

static bool
all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

TEST(create_then_get)
{
    struct store *st = fresh_store("create");
    REQUIRE(st);
    struct dp_error err;
    REQUIRE(store_meta_set(st, "user_id", "wang.fang", NULL) == DP_OK);
    struct record hh, got;
    make_household(&hh, HH1);
    CHECK(save_ok(st, &hh));

    CHECK_INT_EQ(store_record_get(st, &schema_household, HH1, &got, &err), DP_OK);
    for (size_t i = 0; i < schema_household.nfields; i++)
        CHECK_STR_EQ(got.values[i], hh.values[i]);
    CHECK_INT_EQ(got.v, 0);
    CHECK(!got.deleted);
    record_done(&got);
    CHECK_INT_EQ(test_sql_int(st, "SELECT _dirty FROM households"), 1);

    /* The outbox entry for it. */
    char buf[256];
    CHECK_INT_EQ(outbox_count(st), 1);
    CHECK_INT_EQ(next_mid(st), 2);
    outbox_col(st, 1, "op", buf, sizeof buf);
    CHECK_STR_EQ(buf, "create");
    outbox_col(st, 1, "t", buf, sizeof buf);
    CHECK_STR_EQ(buf, "household");
    outbox_col(st, 1, "rid", buf, sizeof buf);
    CHECK_STR_EQ(buf, HH1);
    outbox_col(st, 1, "hid", buf, sizeof buf);
    CHECK_STR_EQ(buf, HH1);
    outbox_col(st, 1, "state", buf, sizeof buf);
    CHECK_STR_EQ(buf, "pending");
    outbox_col(st, 1, "user_id", buf, sizeof buf);
    CHECK_STR_EQ(buf, "wang.fang");
    CHECK_INT_EQ(test_sql_int(st, "SELECT base_v IS NULL AND base_json IS NULL FROM outbox"), 1);
    outbox_col(st, 1, "hash", buf, sizeof buf);
    CHECK(strncmp(buf, "sha256:", 7) == 0 && strlen(buf) == 7 + 64 && all_hex(buf + 7, 64));
    outbox_col(st, 1, "mutation_id", buf, sizeof buf);
    CHECK_INT_EQ(validate_uuid(buf, "id", NULL), DP_OK);
    outbox_col(st, 1, "hlc", buf, sizeof buf);
    struct hlc stamp;
    CHECK_INT_EQ(hlc_parse(buf, &stamp, "hlc", NULL), DP_OK);
    CHECK(strlen(buf) == 26 && buf[12] == '.' && buf[17] == '.' && all_hex(buf, 12) &&
          all_hex(buf + 13, 4) && all_hex(buf + 18, 8));
    outbox_col(st, 1, "created_at", buf, sizeof buf);
    CHECK(strlen(buf) == 20 && buf[10] == 'T' && buf[19] == 'Z');

    /* set: the record's set fields in wire form, without the id (it is the rid). */
    cJSON *set = outbox_json(st, 1, "set_json");
    REQUIRE(set);
    CHECK(cJSON_GetObjectItemCaseSensitive(set, "id") == NULL);
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(set, "head_name")),
                 "王小明");
    CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(set, "categories")));
    CHECK(cJSON_GetObjectItemCaseSensitive(set, "notes") == NULL); /* unset: left out */
    CHECK(cJSON_GetObjectItemCaseSensitive(set, "assigned_to") == NULL);
    cJSON_Delete(set);

    CHECK_INT_EQ(store_record_get(st, &schema_household, HH2, &got, &err), DP_ENOTFOUND);
    CHECK(strstr(err.msg, HH2) != NULL);
    record_done(&got);
    record_done(&hh);
    store_close(st);
}

/*
 * What sync will push is rebuilt from the outbox row; core must accept it as
 * a wire mutation and compute the very hash the store recorded, or the
 * server's duplicate detection would see a diverged device.
 */
TEST(outbox_entries_are_wire_mutations_with_core_hashes)
{
    struct store *st = fresh_store("wire");
    REQUIRE(st);
    struct record hh;
    make_household(&hh, HH1);
    REQUIRE(save_ok(st, &hh));
    record_set(&hh, "phone", "13912345678");
    record_set(&hh, "notes", "");
    REQUIRE(save_ok(st, &hh));
    for (int mid = 1; mid <= 2; mid++) {
        char buf[256];
        cJSON *wire = cJSON_CreateObject();
        REQUIRE(wire);
        cJSON_AddNumberToObject(wire, "mid", mid);
        static const char *const text_cols[] = {"mutation_id", "hash", "hlc", "op", "t", "rid"};
        static const char *const wire_keys[] = {"id", "hash", "hlc", "op", "t", "rid"};
        for (int i = 0; i < 6; i++) {
            outbox_col(st, mid, text_cols[i], buf, sizeof buf);
            cJSON_AddStringToObject(wire, wire_keys[i], buf);
        }
        if (mid == 2) {
            outbox_col(st, mid, "base_v", buf, sizeof buf);
            cJSON_AddNumberToObject(wire, "base_v", strtol(buf, NULL, 10));
            cJSON_AddItemToObject(wire, "base", outbox_json(st, mid, "base_json"));
        }
        cJSON_AddItemToObject(wire, "set", outbox_json(st, mid, "set_json"));

        struct mutation m;
        struct dp_error err;
        mutation_init(&m);
        CHECK_INT_EQ(mutation_from_json(&m, wire, NULL, &err), DP_OK);
        char hash[MUTATION_HASH_SIZE];
        CHECK_INT_EQ(mutation_hash(&m, hash, sizeof hash), DP_OK);
        outbox_col(st, mid, "hash", buf, sizeof buf);
        CHECK_STR_EQ(hash, buf);
        mutation_done(&m);
        cJSON_Delete(wire);
    }
    record_done(&hh);
    store_close(st);
}

TEST(unchanged_save_writes_nothing)
{
    struct store *st = fresh_store("unchanged");
    REQUIRE(st);
    struct record hh;
    make_household(&hh, HH1);
    REQUIRE(save_ok(st, &hh));
    int before = sqlite3_total_changes(store_db(st));
    CHECK(save_ok(st, &hh));
    CHECK_INT_EQ(sqlite3_total_changes(store_db(st)), before);
    CHECK_INT_EQ(outbox_count(st), 1);
    CHECK_INT_EQ(next_mid(st), 2);
    /* v and deleted in the caller's record are the store's business, not edits. */
    hh.v = 99;
    CHECK(save_ok(st, &hh));
    CHECK_INT_EQ(outbox_count(st), 1);
    record_done(&hh);
    store_close(st);
}

TEST(update_records_exactly_the_changed_fields)
{
    struct store *st = fresh_store("update");
    REQUIRE(st);
    struct record hh;
    make_household(&hh, HH1);
    REQUIRE(save_ok(st, &hh));
    /* As if synced: the server confirmed version 7. */
    REQUIRE(test_sql(st, "UPDATE households SET _v = 7, _dirty = 0;"
                         "INSERT INTO base_rows(t, rid, v, row_json) VALUES ('household', '" HH1
                         "', 7, '{}')") == SQLITE_OK);

    record_set(&hh, "phone", "13900139000");
    record_set(&hh, "address", NULL); /* cleared */
    record_set(&hh, "notes", "第一行\n第二行");
    CHECK(save_ok(st, &hh));
    CHECK_INT_EQ(outbox_count(st), 2);
    CHECK_INT_EQ(test_sql_int(st, "SELECT base_v FROM outbox WHERE mid = 2"), 7);
    char op[16];
    outbox_col(st, 2, "op", op, sizeof op);
    CHECK_STR_EQ(op, "update");

    cJSON *base = outbox_json(st, 2, "base_json"), *set = outbox_json(st, 2, "set_json");
    REQUIRE(base && set);
    CHECK_INT_EQ(cJSON_GetArraySize(set), 3);
    CHECK_INT_EQ(cJSON_GetArraySize(base), 3);
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(set, "phone")),
                 "13900139000");
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(base, "phone")),
                 "13800138000");
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(set, "address")));
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(base, "address")),
                 "东街1号");
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(set, "notes")),
                 "第一行\n第二行");
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(base, "notes")));
    cJSON_Delete(base);
    cJSON_Delete(set);

    struct record got;
    REQUIRE(store_record_get(st, &schema_household, HH1, &got, NULL) == DP_OK);
    CHECK_STR_EQ(record_get(&got, "phone"), "13900139000");
    CHECK_STR_EQ(record_get(&got, "address"), "");
    CHECK_INT_EQ(got.v, 7); /* the server version is unchanged by a local edit */
    record_done(&got);
    CHECK_INT_EQ(test_sql_int(st, "SELECT _dirty FROM households"), 1);

    /* A second edit of the same field bases on the working value, the first edit's result. */
    record_set(&hh, "phone", "13700137000");
    CHECK(save_ok(st, &hh));
    base = outbox_json(st, 3, "base_json");
    REQUIRE(base);
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(base, "phone")),
                 "13900139000");
    CHECK_INT_EQ(cJSON_GetArraySize(base), 1);
    cJSON_Delete(base);

    /* The category rows follow the edit, in the same transaction. */
    record_set(&hh, "categories", "tekun_dispersed");
    CHECK(save_ok(st, &hh));
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM household_categories"), 1);
    struct household_filter f = {.category = "dibao"};
    long matched = -1;
    CHECK_INT_EQ(store_household_count(st, &f, &matched, NULL, NULL), DP_OK);
    CHECK_INT_EQ(matched, 0);
    record_done(&hh);
    store_close(st);
}

TEST(money_and_booleans_travel_as_numbers)
{
    struct store *st = fresh_store("types");
    REQUIRE(st);
    struct record hh, v, m;
    make_household(&hh, HH1);
    REQUIRE(save_ok(st, &hh));
    make_visit(&v, "b1111111-1111-4111-8111-111111111111", HH1, "2024-05-06");
    record_set(&v, "monthly_income", "123456");
    CHECK(save_ok(st, &v));
    make_member(&m, "c1111111-1111-4111-8111-111111111111", HH1, "王小明", "head", "");
    record_set(&m, "main_earner", "1");
    CHECK(save_ok(st, &m));
    cJSON *set = outbox_json(st, 2, "set_json");
    REQUIRE(set);
    cJSON *inc = cJSON_GetObjectItemCaseSensitive(set, "monthly_income");
    CHECK(cJSON_IsNumber(inc) && cJSON_GetNumberValue(inc) == 123456.0);
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(set, "household_id")), HH1);
    cJSON_Delete(set);
    set = outbox_json(st, 3, "set_json");
    REQUIRE(set);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(set, "main_earner")));
    cJSON_Delete(set);
    /* Children's entries carry their household, for the list's markers. */
    char hid[40];
    outbox_col(st, 3, "hid", hid, sizeof hid);
    CHECK_STR_EQ(hid, HH1);
    record_done(&hh);
    record_done(&v);
    record_done(&m);
    store_close(st);
}

/* Nothing at all changed: same row, same outbox, same next_mid. */
static void
check_untouched(struct store *st, long long outbox, long long mid, const char *phone)
{
    CHECK_INT_EQ(outbox_count(st), outbox);
    CHECK_INT_EQ(next_mid(st), mid);
    struct record got;
    if (store_record_get(st, &schema_household, HH1, &got, NULL) == DP_OK) {
        CHECK_STR_EQ(record_get(&got, "phone"), phone);
        record_done(&got);
    }
}

TEST(refused_edits_write_nothing)
{
    struct store *st = fresh_store("refused");
    REQUIRE(st);
    struct dp_error err;
    struct record hh, m;
    make_household(&hh, HH1);
    REQUIRE(save_ok(st, &hh));

    /* Invalid value: validation comes first. */
    record_set(&hh, "phone", "12345");
    CHECK_INT_EQ(store_record_save(st, &hh, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "phone");
    CHECK(strstr(err.msg, "12345") == NULL);
    check_untouched(st, 1, 2, "13800138000");

    /* Cross-field rule: red needs a reason. */
    record_set(&hh, "phone", "13900139000");
    record_set(&hh, "risk", "red");
    CHECK_INT_EQ(store_record_save(st, &hh, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "risk_reason");
    check_untouched(st, 1, 2, "13800138000");
    record_set(&hh, "risk", "green");

    /* Fields the server keeps. */
    record_set(&hh, "assigned_to", "li.si");
    CHECK_INT_EQ(store_record_save(st, &hh, &err), DP_EPERM);
    CHECK_STR_EQ(err.field, "assigned_to");
    check_untouched(st, 1, 2, "13800138000");
    record_set(&hh, "assigned_to", NULL);
    struct record other;
    make_household(&other, HH2);
    record_set(&other, "team", "dongshan");
    CHECK_INT_EQ(store_record_save(st, &other, &err), DP_EPERM);
    CHECK_STR_EQ(err.field, "team");
    CHECK_INT_EQ(store_record_get(st, &schema_household, HH2, &m, NULL), DP_ENOTFOUND);
    record_done(&m);
    record_done(&other);
    check_untouched(st, 1, 2, "13800138000");

    /* A child of a household the cache does not hold. */
    make_member(&m, "c1111111-1111-4111-8111-111111111111", HH2, "李四", "head", "");
    CHECK_INT_EQ(store_record_save(st, &m, &err), DP_ENOTFOUND);
    CHECK_STR_EQ(err.field, "household_id");
    check_untouched(st, 1, 2, "13800138000");

    /* Immutable fields cannot move once saved. */
    record_set(&m, "household_id", HH1);
    REQUIRE(save_ok(st, &m));
    record_set(&m, "household_id", HH2);
    record_set(&m, "name", "李五");
    CHECK_INT_EQ(store_record_save(st, &m, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "household_id");
    CHECK_INT_EQ(outbox_count(st), 2);
    struct record got;
    REQUIRE(store_record_get(st, &schema_member, m.values[0], &got, NULL) == DP_OK);
    CHECK_STR_EQ(record_get(&got, "name"), "李四");
    record_done(&got);

    CHECK_INT_EQ(store_record_save(st, NULL, &err), DP_EINVAL);
    record_done(&m);
    record_done(&hh);
    store_close(st);
}

TEST(failure_inside_the_transaction_rolls_back_everything)
{
    struct store *st = fresh_store("inject");
    REQUIRE(st);
    struct dp_error err;
    struct record hh, v;
    make_household(&hh, HH1);
    REQUIRE(save_ok(st, &hh));

    /* The outbox insert fails after the working row was written. */
    REQUIRE(test_sql(st, "CREATE TEMP TRIGGER fail_outbox BEFORE INSERT ON outbox"
                         " BEGIN SELECT RAISE(ABORT, 'injected'); END") == SQLITE_OK);
    record_set(&hh, "phone", "13900139000");
    CHECK(store_record_save(st, &hh, &err) != DP_OK);
    check_untouched(st, 1, 2, "13800138000");
    make_visit(&v, "b1111111-1111-4111-8111-111111111111", HH1, "2024-05-06");
    CHECK(store_record_save(st, &v, &err) != DP_OK);
    struct record got;
    CHECK_INT_EQ(store_record_get(st, &schema_visit, v.values[0], &got, NULL), DP_ENOTFOUND);
    record_done(&got);
    char lv[16];
    test_sql_text(st, "SELECT _last_visit FROM households", lv, sizeof lv);
    CHECK_STR_EQ(lv, "");
    CHECK_INT_EQ(store_record_delete(st, &schema_household, HH1, &err) != DP_OK, 1);
    CHECK_INT_EQ(test_sql_int(st, "SELECT _deleted FROM households"), 0);
    REQUIRE(test_sql(st, "DROP TRIGGER fail_outbox") == SQLITE_OK);

    /* The last step, advancing next_mid, fails: the outbox entry goes too. */
    REQUIRE(test_sql(st, "CREATE TEMP TRIGGER fail_meta BEFORE INSERT ON sync_meta"
                         " WHEN new.key = 'next_mid'"
                         " BEGIN SELECT RAISE(ABORT, 'injected'); END") == SQLITE_OK);
    CHECK(store_record_save(st, &hh, &err) != DP_OK);
    check_untouched(st, 1, 2, "13800138000");
    REQUIRE(test_sql(st, "DROP TRIGGER fail_meta") == SQLITE_OK);

    /* After the failures the mids carry on with no gap. */
    CHECK(save_ok(st, &hh));
    CHECK(save_ok(st, &v));
    CHECK_INT_EQ(test_sql_int(st, "SELECT group_concat(mid) = '1,2,3' FROM"
                                  " (SELECT mid FROM outbox ORDER BY mid)"),
                 1);
    test_sql_text(st, "SELECT _last_visit FROM households", lv, sizeof lv);
    CHECK_STR_EQ(lv, "2024-05-06");
    record_done(&hh);
    record_done(&v);
    store_close(st);
}

TEST(disk_full_during_save)
{
    struct store *st = fresh_store("full");
    REQUIRE(st);
    struct dp_error err;
    struct record hh;
    make_household(&hh, HH1);
    REQUIRE(save_ok(st, &hh));
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld",
             test_sql_int(st, "PRAGMA page_count"));
    REQUIRE(test_sql(st, sql) == SQLITE_OK);
    /* 2000 characters of notes do not fit in the pages left. */
    char notes[6001];
    for (int i = 0; i < 2000; i++)
        memcpy(notes + 3 * i, "记", 3);
    notes[6000] = '\0';
    record_set(&hh, "notes", notes);
    record_set(&hh, "phone", "13900139000");
    CHECK_INT_EQ(store_record_save(st, &hh, &err), DP_EFULL);
    CHECK(strstr(err.msg, STORE_FILE_NAME) != NULL);
    check_untouched(st, 1, 2, "13800138000");
    record_done(&hh);
    store_close(st);
}

TEST(read_only_handle_refuses_edits)
{
    char dir[PATH_MAX];
    struct dp_error err;
    struct store *st = NULL;
    test_fresh_dir(dir, sizeof dir, "ro");
    REQUIRE(store_open(dir, TEST_PASS, &st, NULL) == DP_OK);
    struct record hh;
    make_household(&hh, HH1);
    REQUIRE(save_ok(st, &hh));
    store_close(st);

    struct store_options ro = {.read_only = true};
    REQUIRE(store_open_with(dir, TEST_PASS, &ro, &st, &err) == DP_OK);
    record_set(&hh, "phone", "13900139000");
    CHECK_INT_EQ(store_record_save(st, &hh, &err), DP_EREADONLY);
    CHECK_INT_EQ(store_record_delete(st, &schema_household, HH1, &err), DP_EREADONLY);
    check_untouched(st, 1, 2, "13800138000");
    store_close(st);
    record_done(&hh);
}

TEST(lists_in_display_order)
{
    struct store *st = fresh_store("lists");
    REQUIRE(st);
    struct dp_error err;
    struct record hh, r;
    make_household(&hh, HH1);
    REQUIRE(save_ok(st, &hh));
    record_done(&hh);
    make_household(&hh, HH2);
    REQUIRE(save_ok(st, &hh));
    record_done(&hh);

    static const struct {
        const char *id, *name, *relation, *birth;
    } members[] = {
        {"c0000000-0000-4000-8000-000000000001", "王芳", "child", "2010-03-04"},
        {"c0000000-0000-4000-8000-000000000002", "王建国", "parent", "1950-01-01"},
        {"c0000000-0000-4000-8000-000000000003", "王小明", "head", "1980-01-01"},
        {"c0000000-0000-4000-8000-000000000004", "王丽", "child", ""},
    };
    for (size_t i = 0; i < 4; i++) {
        make_member(&r, members[i].id, HH1, members[i].name, members[i].relation, members[i].birth);
        CHECK(save_ok(st, &r));
        record_done(&r);
    }
    make_member(&r, "c0000000-0000-4000-8000-000000000009", HH2, "李四", "head", "");
    CHECK(save_ok(st, &r));
    record_done(&r);

    struct record *list = NULL;
    size_t n = 0;
    CHECK_INT_EQ(store_record_list(st, &schema_member, HH1, &list, &n, &err), DP_OK);
    CHECK_INT_EQ(n, 4);
    static const char *const want_members[] = {"王小明", "王建国", "王芳", "王丽"};
    for (size_t i = 0; i < n && i < 4; i++)
        CHECK_STR_EQ(record_get(&list[i], "name"), want_members[i]);
    store_record_list_free(list, n);

    static const char *const dates[] = {"2024-01-05", "2025-02-01", "2023-12-31"};
    char vid[40];
    for (int i = 0; i < 3; i++) {
        snprintf(vid, sizeof vid, "b0000000-0000-4000-8000-00000000000%d", i);
        make_visit(&r, vid, HH1, dates[i]);
        CHECK(save_ok(st, &r));
        record_done(&r);
    }
    CHECK_INT_EQ(store_record_list(st, &schema_visit, HH1, &list, &n, &err), DP_OK);
    CHECK_INT_EQ(n, 3);
    if (n == 3) {
        CHECK_STR_EQ(record_get(&list[0], "date"), "2025-02-01");
        CHECK_STR_EQ(record_get(&list[1], "date"), "2024-01-05");
        CHECK_STR_EQ(record_get(&list[2], "date"), "2023-12-31");
    }
    store_record_list_free(list, n);

    static const struct {
        const char *status, *urgency;
    } needs[] = {{"closed", "urgent"}, {"open", "low"}, {"referred", "high"}, {"open", "urgent"}};
    for (int i = 0; i < 4; i++) {
        snprintf(vid, sizeof vid, "d0000000-0000-4000-8000-00000000000%d", i);
        make_need(&r, vid, HH1, needs[i].status, needs[i].urgency);
        CHECK(save_ok(st, &r));
        record_done(&r);
    }
    CHECK_INT_EQ(store_record_list(st, &schema_need, HH1, &list, &n, &err), DP_OK);
    CHECK_INT_EQ(n, 4);
    static const char *const want_needs[][2] = {
        {"open", "urgent"}, {"open", "low"}, {"referred", "high"}, {"closed", "urgent"}};
    for (size_t i = 0; i < n && i < 4; i++) {
        CHECK_STR_EQ(record_get(&list[i], "status"), want_needs[i][0]);
        CHECK_STR_EQ(record_get(&list[i], "urgency"), want_needs[i][1]);
    }
    store_record_list_free(list, n);

    /* None, and wrong uses. */
    CHECK_INT_EQ(store_record_list(st, &schema_need, HH2, &list, &n, &err), DP_OK);
    CHECK_INT_EQ(n, 0);
    store_record_list_free(list, n);
    CHECK_INT_EQ(store_record_list(st, &schema_household, HH1, &list, &n, &err), DP_EINVAL);
    store_record_list_free(NULL, 0);
    store_close(st);
}

TEST(delete_tombstones_and_queues)
{
    struct store *st = fresh_store("delete");
    REQUIRE(st);
    struct dp_error err;
    struct record hh, v, m, got;
    make_household(&hh, HH1);
    REQUIRE(save_ok(st, &hh));
    make_visit(&v, "b1111111-1111-4111-8111-111111111111", HH1, "2024-05-06");
    REQUIRE(save_ok(st, &v));
    make_visit(&got, "b1111111-1111-4111-8111-111111111112", HH1, "2024-03-01");
    REQUIRE(save_ok(st, &got));
    record_done(&got);
    make_member(&m, "c1111111-1111-4111-8111-111111111111", HH1, "王小明", "head", "");
    REQUIRE(save_ok(st, &m));
    REQUIRE(test_sql(st, "UPDATE visits SET _v = 4") == SQLITE_OK);

    /* A visit: tombstoned, out of the list, last visit moves back, outbox delete with base_v. */
    CHECK_INT_EQ(store_record_delete(st, &schema_visit, v.values[0], &err), DP_OK);
    CHECK_INT_EQ(store_record_get(st, &schema_visit, v.values[0], &got, &err), DP_OK);
    CHECK(got.deleted);
    record_done(&got);
    struct record *list = NULL;
    size_t n = 0;
    CHECK_INT_EQ(store_record_list(st, &schema_visit, HH1, &list, &n, &err), DP_OK);
    CHECK_INT_EQ(n, 1);
    store_record_list_free(list, n);
    char buf[64];
    test_sql_text(st, "SELECT _last_visit FROM households", buf, sizeof buf);
    CHECK_STR_EQ(buf, "2024-03-01");
    long long mid = next_mid(st) - 1;
    outbox_col(st, (int)mid, "op", buf, sizeof buf);
    CHECK_STR_EQ(buf, "delete");
    outbox_col(st, (int)mid, "base_v", buf, sizeof buf);
    CHECK_STR_EQ(buf, "4");
    outbox_col(st, (int)mid, "hid", buf, sizeof buf);
    CHECK_STR_EQ(buf, HH1);

    /* Gone is gone: no second delete, no edit of a tombstone. */
    CHECK_INT_EQ(store_record_delete(st, &schema_visit, v.values[0], &err), DP_ENOTFOUND);
    record_set(&v, "notes", "late");
    CHECK_INT_EQ(store_record_save(st, &v, &err), DP_ENOTFOUND);
    CHECK_INT_EQ(
        store_record_delete(st, &schema_visit, "b9999999-1111-4111-8111-111111111111", &err),
        DP_ENOTFOUND);

    /* A household takes its children with it; the list no longer shows it. */
    long long before = outbox_count(st);
    CHECK_INT_EQ(store_record_delete(st, &schema_household, HH1, &err), DP_OK);
    CHECK_INT_EQ(outbox_count(st), before + 1); /* one entry: the server cascades too */
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM members WHERE _deleted = 0"), 0);
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM visits WHERE _deleted = 0"), 0);
    long matched = -1, total = -1;
    CHECK_INT_EQ(store_household_count(st, NULL, &matched, &total, &err), DP_OK);
    CHECK_INT_EQ(total, 0);
    CHECK_INT_EQ(store_record_save(st, &m, &err), DP_ENOTFOUND);
    record_done(&hh);
    record_done(&v);
    record_done(&m);
    store_close(st);
}

TEST(mids_are_gapless_and_clocks_increase)
{
    struct store *st = fresh_store("mids");
    REQUIRE(st);
    struct record hh;
    make_household(&hh, HH1);
    REQUIRE(save_ok(st, &hh));
    char phone[12];
    for (int i = 0; i < 40; i++) {
        snprintf(phone, sizeof phone, "139%08d", i);
        record_set(&hh, "phone", phone);
        CHECK(save_ok(st, &hh));
    }
    CHECK_INT_EQ(outbox_count(st), 41);
    CHECK_INT_EQ(test_sql_int(st, "SELECT min(mid) = 1 AND max(mid) = 41 FROM outbox"), 1);
    CHECK_INT_EQ(next_mid(st), 42);
    /* Every entry has its own id and hash; clocks strictly increase with mid. */
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(DISTINCT mutation_id) FROM outbox"), 41);
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(DISTINCT hash) FROM outbox"), 41);
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM outbox a JOIN outbox b"
                                  " ON b.mid = a.mid + 1 WHERE b.hlc <= a.hlc"),
                 0);
    /* A clock far ahead (the laptop's clock was wrong earlier) is not undercut. */
    REQUIRE(test_sql(st, "UPDATE sync_meta SET value = '0fffffffffff.0005.abcdef01'"
                         " WHERE key = 'hlc_last'") == SQLITE_OK);
    record_set(&hh, "phone", "13500135000");
    CHECK(save_ok(st, &hh));
    char hlc[64], dev[64];
    outbox_col(st, 42, "hlc", hlc, sizeof hlc);
    test_sql_text(st, "SELECT value FROM sync_meta WHERE key = 'device_id'", dev, sizeof dev);
    char want[64];
    snprintf(want, sizeof want, "0fffffffffff.0006.%.8s", dev);
    CHECK_STR_EQ(hlc, want);

    long pending = 0, conflicts = 0;
    CHECK_INT_EQ(store_pending_count(st, &pending, &conflicts, NULL), DP_OK);
    CHECK_INT_EQ(pending, 42);
    REQUIRE(test_sql(st, "UPDATE outbox SET state = 'acked' WHERE mid <= 40") == SQLITE_OK);
    CHECK_INT_EQ(store_pending_count(st, &pending, &conflicts, NULL), DP_OK);
    CHECK_INT_EQ(pending, 2);
    record_done(&hh);
    store_close(st);
}

TEST(list_markers_after_saves)
{
    struct store *st = fresh_store("markers");
    REQUIRE(st);
    struct record hh, v;
    make_household(&hh, HH1);
    REQUIRE(save_ok(st, &hh));
    record_done(&hh);
    make_household(&hh, HH2);
    record_set(&hh, "head_name", "李四");
    REQUIRE(save_ok(st, &hh));
    REQUIRE(test_sql(st, "UPDATE outbox SET state = 'acked'") == SQLITE_OK);

    /* A new visit marks its household unsynced and sets its last visit. */
    make_visit(&v, "b1111111-1111-4111-8111-111111111111", HH2, "2025-01-02");
    REQUIRE(save_ok(st, &v));
    struct household_filter f = {.sort = STORE_SORT_NAME, .unsynced_only = true};
    struct household_row rows[4];
    int n = 0;
    CHECK_INT_EQ(store_household_window(st, &f, 0, 4, rows, &n, NULL), DP_OK);
    CHECK_INT_EQ(n, 1);
    if (n == 1) {
        CHECK_STR_EQ(rows[0].id, HH2);
        CHECK(rows[0].unsynced);
        CHECK_STR_EQ(rows[0].last_visit, "2025-01-02");
    }

    /* The warning marker is local: set and cleared without an outbox entry. */
    long long before = outbox_count(st);
    struct dp_error err;
    CHECK_INT_EQ(store_household_set_warning(st, HH1, true, &err), DP_OK);
    f = (struct household_filter){.sort = STORE_SORT_NAME};
    CHECK_INT_EQ(store_household_window(st, &f, 0, 4, rows, &n, NULL), DP_OK);
    CHECK_INT_EQ(n, 2);
    for (int i = 0; i < n; i++)
        CHECK(rows[i].warning == (strcmp(rows[i].id, HH1) == 0));
    CHECK_INT_EQ(store_household_set_warning(st, HH1, false, &err), DP_OK);
    CHECK_INT_EQ(store_household_window(st, &f, 0, 4, rows, &n, NULL), DP_OK);
    for (int i = 0; i < n; i++)
        CHECK(!rows[i].warning);
    CHECK_INT_EQ(outbox_count(st), before);
    CHECK_INT_EQ(
        store_household_set_warning(st, "a9999999-2222-4222-8222-222222222222", true, &err),
        DP_ENOTFOUND);
    record_done(&hh);
    record_done(&v);
    store_close(st);
}

TEST(every_category_token_is_filterable)
{
    struct store *st = fresh_store("cats");
    REQUIRE(st);
    struct record hh;
    char all[256] = "";
    int n = 0;
    for (; schema_category_choices[n].token; n++) {
        size_t len = strlen(all);
        snprintf(all + len, sizeof all - len, "%s%s", n ? "," : "",
                 schema_category_choices[n].token);
    }
    make_household(&hh, HH1);
    record_set(&hh, "categories", all);
    REQUIRE(save_ok(st, &hh));
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM household_categories"), n);
    for (int i = 0; i < n; i++) {
        struct household_filter f = {.category = schema_category_choices[i].token};
        long matched = 0;
        CHECK_INT_EQ(store_household_count(st, &f, &matched, NULL, NULL), DP_OK);
        CHECK_INT_EQ(matched, 1);
    }
    record_set(&hh, "categories", NULL);
    REQUIRE(save_ok(st, &hh));
    CHECK_INT_EQ(test_sql_int(st, "SELECT count(*) FROM household_categories"), 0);
    record_done(&hh);
    store_close(st);
}

int
main(void)
{
    test_root_make();
    RUN(create_then_get);
    RUN(outbox_entries_are_wire_mutations_with_core_hashes);
    RUN(unchanged_save_writes_nothing);
    RUN(update_records_exactly_the_changed_fields);
    RUN(money_and_booleans_travel_as_numbers);
    RUN(refused_edits_write_nothing);
    RUN(failure_inside_the_transaction_rolls_back_everything);
    RUN(disk_full_during_save);
    RUN(read_only_handle_refuses_edits);
    RUN(lists_in_display_order);
    RUN(delete_tombstones_and_queues);
    RUN(mids_are_gapless_and_clocks_increase);
    RUN(list_markers_after_saves);
    RUN(every_category_token_is_filterable);
    test_root_remove();
    return test_report();
}
