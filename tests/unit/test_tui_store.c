/*
 * The store parts the sync screens use, against a real cache with pages
 * written as the server sends them: the list's warning marker refreshed by
 * pulled pages (store/warnings.h), conflicts read into canonical values and
 * settled, rejected edits listed, read back and set aside, failed syncs
 * (store/conflicts.h).
 */
#include "store/conflicts.h"

#include <limits.h>
#include <stdlib.h>
#include <time.h>

#include "store/store.h"
#include "store/warnings.h"
#include "sync/proto.h"
#include "tests/unit/test.h"
#include "tests/unit/test_store_util.h"

#define H1  "a1111111-1111-4111-8111-111111111111"
#define H2  "a2222222-2222-4222-8222-222222222222"
#define M1  "b1111111-1111-4111-8111-111111111111"
#define V1  "d1111111-1111-4111-8111-111111111111"
#define CF1 "c1111111-1111-4111-8111-111111111111"
#define CF2 "c2222222-2222-4222-8222-222222222222"

static struct dp_error err;

static struct store *
fresh(void)
{
    char dir[PATH_MAX];
    struct store *st = NULL;
    test_fresh_dir(dir, sizeof dir, "c");
    if (store_open(dir, TEST_PASS, &st, &err) != DP_OK) {
        fprintf(stderr, "  open: %s\n", err.msg);
        return NULL;
    }
    if (store_sync_login(st, "https://sync.example", "wang.fang", "worker", "dongshan",
                         "tok_0123456789abcdef", (int64_t)time(NULL) + 3600, &err) != DP_OK)
        fprintf(stderr, "  login: %s\n", err.msg);
    return st;
}

static enum dp_status
apply(struct store *st, const char *json)
{
    struct sync_page page;
    struct sync_page_stats stats;
    enum dp_status s = proto_parse_pull(json, strlen(json), 1000, &page, &err);
    if (s != DP_OK) {
        fprintf(stderr, "  page does not parse: %s\n", err.msg);
        return s;
    }
    s = store_sync_apply_page(st, &page, &stats, &err);
    if (s != DP_OK)
        fprintf(stderr, "  apply: %s\n", err.msg);
    sync_page_done(&page);
    return s;
}

static enum dp_status
push_reply(struct store *st, const char *json)
{
    struct sync_push_reply r;
    struct sync_push_stats stats;
    enum dp_status s = proto_parse_push(json, strlen(json), &r, &err);
    if (s == DP_OK)
        s = store_sync_push_done(st, &r, &stats, &err);
    sync_push_reply_done(&r);
    return s;
}

/* The list's warning marker of one household (false when not listed). */
static bool
marker(struct store *st, const char *id)
{
    struct household_filter f = {0};
    struct household_row rows[16];
    int n = 0;
    snprintf(f.today, sizeof f.today, "2024-03-01");
    if (store_household_window(st, &f, 0, 16, rows, &n, &err) != DP_OK)
        return false;
    for (int i = 0; i < n; i++)
        if (strcmp(rows[i].id, id) == 0)
            return rows[i].warning;
    return false;
}

#define HH_ROW(id, name, due)                                                                        \
    "{\"id\":\"" id "\",\"head_name\":\"" name "\",\"village\":\"石桥村\","                       \
    "\"township\":\"青山镇\",\"risk\":\"green\",\"status\":\"active\",\"phone\":\"13800138000\"," \
    "\"categories\":[\"dibao\"],\"next_visit_due\":\"" due "\",\"assigned_to\":\"wang.fang\","       \
    "\"team\":\"dongshan\"}"
#define PUT_HH(seq, id, v, name, due)                                                              \
    "{\"seq\":" #seq ",\"op\":\"put\",\"t\":\"household\",\"rid\":\"" id "\",\"v\":" #v            \
    ",\"row\":" HH_ROW(id, name, due) "}"
#define PUT_VISIT(seq, id, hh, date)                                                               \
    "{\"seq\":" #seq ",\"op\":\"put\",\"t\":\"visit\",\"rid\":\"" id "\",\"v\":1,\"row\":{"        \
    "\"id\":\"" id "\",\"household_id\":\"" hh "\",\"worker\":\"wang.fang\",\"date\":\"" date      \
    "\",\"kind\":\"routine\",\"outcome\":\"completed\",\"review_state\":\"approved\"}}"
#define PUT_MEM(seq, id, hh, name)                                                                 \
    "{\"seq\":" #seq ",\"op\":\"put\",\"t\":\"member\",\"rid\":\"" id "\",\"v\":1,"                \
    "\"row\":{\"id\":\"" id "\",\"household_id\":\"" hh "\",\"name\":\"" name "\","                \
    "\"relation\":\"head\",\"status\":\"present\"}}"

TEST(a_pulled_page_sets_and_clears_the_warning_marker)
{
    struct store *st = fresh();
    REQUIRE(st);
    /* H1 was due in January (overdue on the pinned today), H2 in the autumn. */
    REQUIRE(
        apply(st, "{\"cursor\":\"c1.e.s.2\",\"has_more\":false,\"last_mid\":0,\"changes\":[" PUT_HH(
                      1, H1, 1, "王小明", "2024-01-10") "," PUT_HH(2, H2, 1, "李四",
                                                                   "2024-10-01") "]}") == DP_OK);
    CHECK(marker(st, H1));
    CHECK(!marker(st, H2));

    /* A completed visit in February arrives alone: H1 is no longer overdue. */
    REQUIRE(
        apply(st,
              "{\"cursor\":\"c1.e.s.3\",\"has_more\":false,\"last_mid\":0,\"changes\":[" PUT_VISIT(
                  3, V1, H1, "2024-02-20") "]}") == DP_OK);
    CHECK(!marker(st, H1));

    /* The visit is deleted on the server: the marker comes back, though the household did not
       change and the visit row is gone by the time the page is done. */
    REQUIRE(apply(st, "{\"cursor\":\"c1.e.s.4\",\"has_more\":false,\"last_mid\":0,\"changes\":["
                      "{\"seq\":4,\"op\":\"remove\",\"t\":\"visit\",\"rid\":\"" V1
                      "\",\"reason\":\"deleted\",\"v\":2}]}") == DP_OK);
    CHECK(marker(st, H1));
    CHECK(!marker(st, H2));

    /* store_warnings_refresh on its own, and on a household that is not held. */
    size_t count = 99;
    struct dp_date today = {2024, 3, 1};
    CHECK_INT_EQ(store_warnings_refresh(st, H2, &today, &count, &err), DP_OK);
    CHECK_INT_EQ(count, 0);
    struct dp_date late = {2025, 3, 1};
    CHECK_INT_EQ(store_warnings_refresh(st, H2, &late, &count, &err), DP_OK);
    CHECK_INT_EQ(count, 1);
    CHECK(marker(st, H2));
    CHECK_INT_EQ(
        store_warnings_refresh(st, "a9999999-1111-4111-8111-111111111111", &today, &count, &err),
        DP_ENOTFOUND);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(only_the_households_a_page_touches_are_refreshed)
{
    struct store *st = fresh();
    REQUIRE(st);
    REQUIRE(
        apply(st, "{\"cursor\":\"c1.e.s.2\",\"has_more\":false,\"last_mid\":0,\"changes\":[" PUT_HH(
                      1, H1, 1, "王小明", "2024-01-10") "," PUT_HH(2, H2, 1, "李四",
                                                                   "2024-10-01") "]}") == DP_OK);
    CHECK(marker(st, H1));
    CHECK(!marker(st, H2));
    /* Markers set by hand: a page about H1's member must leave H2's alone and fix H1's. */
    REQUIRE(store_household_set_warning(st, H1, false, &err) == DP_OK);
    REQUIRE(store_household_set_warning(st, H2, true, &err) == DP_OK);
    REQUIRE(
        apply(st,
              "{\"cursor\":\"c1.e.s.3\",\"has_more\":false,\"last_mid\":0,\"changes\":[" PUT_MEM(
                  3, M1, H1, "王丽") "]}") == DP_OK);
    CHECK(marker(st, H1));
    CHECK(marker(st, H2));
    /* An empty page refreshes nothing. */
    REQUIRE(store_household_set_warning(st, H1, false, &err) == DP_OK);
    REQUIRE(
        apply(st, "{\"cursor\":\"c1.e.s.4\",\"has_more\":false,\"last_mid\":0,\"changes\":[]}") ==
        DP_OK);
    CHECK(!marker(st, H1));
    store_close(st);
}

/* clang-format off */
static const char conflict_page[] =
    "{\"cursor\":\"c1.e.s.9\",\"has_more\":false,\"last_mid\":0,\"changes\":["
    PUT_HH(1, H1, 3, "王小明", "2024-06-01") ","
    PUT_HH(2, H2, 1, "李四", "2024-06-01") ","
    PUT_MEM(3, M1, H2, "李丽") ","
    "{\"seq\":5,\"op\":\"conflict\",\"conflict_id\":\"" CF1 "\",\"t\":\"household\","
    "\"rid\":\"" H1 "\",\"kind\":\"field\",\"state\":\"open\",\"opened_by\":\"li.wei\","
    "\"opened_at\":\"2024-02-28T09:10:11Z\",\"fields\":{"
    "\"phone\":{\"base\":\"13800138000\",\"server\":\"13900139000\",\"yours\":\"13700137000\"},"
    "\"categories\":{\"base\":[\"dibao\"],\"server\":[\"temp_assist\",\"dibao\"],\"yours\":null}}},"
    "{\"seq\":6,\"op\":\"conflict\",\"conflict_id\":\"" CF2 "\",\"t\":\"member\","
    "\"rid\":\"" M1 "\",\"kind\":\"delete_vs_edit\",\"state\":\"open\",\"opened_by\":\"li.wei\","
    "\"opened_at\":\"2024-02-28T09:11:00Z\",\"fields\":{"
    "\"name\":{\"base\":\"李丽\",\"server\":\"李丽\",\"yours\":\"李莉\"}}}]}";
/* clang-format on */

TEST(conflicts_read_as_canonical_values_with_the_head_name)
{
    struct store *st = fresh();
    REQUIRE(st);
    REQUIRE(apply(st, conflict_page) == DP_OK);
    struct conflict_item *c = NULL;
    size_t n = 0;
    REQUIRE(store_conflict_items(st, NULL, &c, &n, &err) == DP_OK);
    REQUIRE(n == 2);
    /* Ordered by head name in code point order: 李 (U+674E) before 王 (U+738B). */
    CHECK_STR_EQ(c[0].conflict_id, CF2);
    CHECK_STR_EQ(c[0].head_name, "李四");
    CHECK(c[0].def == &schema_member);
    CHECK_STR_EQ(c[0].kind, "delete_vs_edit");
    REQUIRE(c[0].nfields == 1); /* the unknown field is left out */
    CHECK_STR_EQ(schema_member.fields[c[0].fields[0].index].name, "name");
    CHECK_STR_EQ(c[0].fields[0].yours, "李莉");

    CHECK_STR_EQ(c[1].conflict_id, CF1);
    CHECK_STR_EQ(c[1].head_name, "王小明");
    CHECK_STR_EQ(c[1].hid, H1);
    CHECK_STR_EQ(c[1].state, "open");
    CHECK_STR_EQ(c[1].opened_by, "li.wei");
    REQUIRE(c[1].nfields == 2);
    /* Schema order: phone before categories; sets in choice order, null as unset. */
    CHECK_STR_EQ(schema_household.fields[c[1].fields[0].index].name, "phone");
    CHECK_STR_EQ(c[1].fields[0].server, "13900139000");
    CHECK_STR_EQ(c[1].fields[0].yours, "13700137000");
    CHECK_STR_EQ(c[1].fields[1].base, "dibao");
    CHECK_STR_EQ(c[1].fields[1].server, "dibao,temp_assist");
    CHECK_STR_EQ(c[1].fields[1].yours, "");
    store_conflict_items_free(c, n);

    /* One household only. */
    REQUIRE(store_conflict_items(st, H1, &c, &n, &err) == DP_OK);
    CHECK_INT_EQ(n, 1);
    store_conflict_items_free(c, n);
    REQUIRE(store_conflict_items(st, "a9999999-1111-4111-8111-111111111111", &c, &n, &err) ==
            DP_OK);
    CHECK_INT_EQ(n, 0);
    CHECK(c == NULL || n == 0);
    store_conflict_items_free(c, n);
    store_close(st);
}

TEST(a_choice_is_checked_then_becomes_a_resolution)
{
    struct store *st = fresh();
    REQUIRE(st);
    REQUIRE(apply(st, conflict_page) == DP_OK);
    struct conflict_item *c = NULL;
    size_t n = 0;
    REQUIRE(store_conflict_items(st, H1, &c, &n, &err) == DP_OK);
    REQUIRE(n == 1 && c[0].nfields == 2);

    /* A phone number a form would refuse: nothing is written. */
    const char *bad[] = {"123", ""};
    CHECK_INT_EQ(store_conflict_choose(st, &c[0], CONFLICT_FIELDS, bad, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "phone");
    const char *missing[] = {"13700137000", NULL};
    CHECK_INT_EQ(store_conflict_choose(st, &c[0], CONFLICT_FIELDS, missing, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "categories");
    struct sync_status_info i;
    REQUIRE(store_sync_status(st, &i, &err) == DP_OK);
    CHECK_INT_EQ(i.pending, 0);
    CHECK_INT_EQ(i.conflicts, 2);

    /* Mine for the phone, an unset category set: null on the wire. */
    const char *good[] = {"13700137000", ""};
    REQUIRE(store_conflict_choose(st, &c[0], CONFLICT_FIELDS, good, &err) == DP_OK);
    REQUIRE(store_sync_status(st, &i, &err) == DP_OK);
    CHECK_INT_EQ(i.conflicts, 1);
    CHECK_INT_EQ(i.resolving, 1);
    struct record r;
    REQUIRE(store_record_get(st, &schema_household, H1, &r, &err) == DP_OK);
    CHECK_STR_EQ(record_get(&r, "phone"), "13700137000");
    record_done(&r);
    struct sync_outbox_item *items = NULL;
    size_t ni = 0;
    REQUIRE(store_sync_outbox_take(st, 10, 1 << 20, &items, &ni, &err) == DP_OK);
    REQUIRE(ni == 1);
    CHECK_STR_EQ(items[0].op, "resolve_conflict");
    CHECK_STR_EQ(items[0].conflict_id, CF1);
    CHECK_STR_EQ(items[0].set_json, "{\"phone\":\"13700137000\",\"categories\":null}");
    sync_outbox_items_free(items, ni);
    /* Settled already: a second choice is refused. */
    CHECK_INT_EQ(store_conflict_choose(st, &c[0], CONFLICT_FIELDS, good, &err), DP_EINVAL);
    store_conflict_items_free(c, n);

    /* The deletion conflict: the record stays deleted. */
    REQUIRE(store_conflict_items(st, H2, &c, &n, &err) == DP_OK);
    REQUIRE(n == 1);
    REQUIRE(store_conflict_choose(st, &c[0], CONFLICT_KEEP_DELETED, NULL, &err) == DP_OK);
    REQUIRE(store_sync_outbox_take(st, 10, 1 << 20, &items, &ni, &err) == DP_OK);
    REQUIRE(ni == 2);
    CHECK_STR_EQ(items[1].set_json, "{\"_deleted\":true}");
    sync_outbox_items_free(items, ni);
    store_conflict_items_free(c, n);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(restoring_a_deleted_record_sends_the_values)
{
    struct store *st = fresh();
    REQUIRE(st);
    REQUIRE(apply(st, conflict_page) == DP_OK);
    struct conflict_item *c = NULL;
    size_t n = 0;
    REQUIRE(store_conflict_items(st, H2, &c, &n, &err) == DP_OK);
    REQUIRE(n == 1 && c[0].nfields == 1);
    const char *vals[] = {c[0].fields[0].yours};
    REQUIRE(store_conflict_choose(st, &c[0], CONFLICT_RESTORE, vals, &err) == DP_OK);
    struct sync_outbox_item *items = NULL;
    size_t ni = 0;
    REQUIRE(store_sync_outbox_take(st, 10, 1 << 20, &items, &ni, &err) == DP_OK);
    REQUIRE(ni == 1);
    CHECK_STR_EQ(items[0].set_json, "{\"name\":\"李莉\",\"_deleted\":false}");
    sync_outbox_items_free(items, ni);
    store_conflict_items_free(c, n);
    store_close(st);
}

TEST(rejected_edits_are_listed_read_back_and_set_aside)
{
    struct store *st = fresh();
    REQUIRE(st);
    REQUIRE(apply(st, conflict_page) == DP_OK);
    struct record r;
    REQUIRE(store_record_get(st, &schema_household, H2, &r, &err) == DP_OK);
    record_set(&r, "phone", "13711112222");
    record_set(&r, "address", "西街8号");
    REQUIRE(store_record_save(st, &r, &err) == DP_OK);
    record_done(&r);
    REQUIRE(push_reply(st, "{\"last_mid\":1,\"results\":[{\"mid\":1,\"status\":\"rejected\","
                           "\"reason\":\"invalid\",\"field\":\"phone\",\"message\":\"not a "
                           "mobile\"}],\"stopped\":null}") == DP_OK);

    struct rejected_item *rj = NULL;
    size_t n = 0;
    REQUIRE(store_rejected_items(st, 10, &rj, &n, &err) == DP_OK);
    REQUIRE(n == 1);
    CHECK_INT_EQ(rj[0].mid, 1);
    CHECK(rj[0].def == &schema_household);
    CHECK_STR_EQ(rj[0].rid, H2);
    CHECK_STR_EQ(rj[0].hid, H2);
    CHECK_STR_EQ(rj[0].head_name, "李四");
    CHECK_STR_EQ(rj[0].op, "update");
    CHECK_STR_EQ(rj[0].reason, "invalid");
    CHECK_STR_EQ(rj[0].field, "phone");
    CHECK_STR_EQ(rj[0].message, "not a mobile");
    CHECK(rj[0].record_held);
    free(rj);

    /* What the edit tried to set, field by field. */
    bool present[64] = {0};
    struct record vals;
    REQUIRE(store_rejected_values(st, 1, &vals, present, &err) == DP_OK);
    CHECK_STR_EQ(record_get(&vals, "phone"), "13711112222");
    CHECK_STR_EQ(record_get(&vals, "address"), "西街8号");
    CHECK(present[schema_field_index(&schema_household, "phone")]);
    CHECK(present[schema_field_index(&schema_household, "address")]);
    CHECK(!present[schema_field_index(&schema_household, "village")]);
    record_done(&vals);
    CHECK_INT_EQ(store_rejected_values(st, 99, &vals, present, &err), DP_ENOTFOUND);

    struct sync_status_info i;
    REQUIRE(store_sync_status(st, &i, &err) == DP_OK);
    CHECK_INT_EQ(i.rejected, 1);
    REQUIRE(store_rejected_dismiss(st, 1, &err) == DP_OK);
    REQUIRE(store_sync_status(st, &i, &err) == DP_OK);
    CHECK_INT_EQ(i.rejected, 0);
    CHECK_INT_EQ(i.pending, 0);
    REQUIRE(store_rejected_items(st, 10, &rj, &n, &err) == DP_OK);
    CHECK_INT_EQ(n, 0);
    free(rj);
    CHECK_INT_EQ(store_rejected_dismiss(st, 1, &err), DP_ENOTFOUND);
    CHECK_INT_EQ(store_rejected_values(st, 1, &vals, present, &err), DP_ENOTFOUND);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(failed_syncs_newest_first)
{
    struct store *st = fresh();
    REQUIRE(st);
    struct sync_failure *f = NULL;
    size_t n = 9;
    REQUIRE(store_sync_failures(st, 5, &f, &n, &err) == DP_OK);
    CHECK_INT_EQ(n, 0);
    free(f);
    REQUIRE(store_sync_finish(st, false, "cannot reach the server", &err) == DP_OK);
    REQUIRE(store_sync_finish(st, true, NULL, &err) == DP_OK);
    REQUIRE(store_sync_finish(st, false, "the server failed (HTTP 500)", &err) == DP_OK);
    REQUIRE(store_sync_failures(st, 5, &f, &n, &err) == DP_OK);
    REQUIRE(n == 2);
    CHECK_STR_EQ(f[0].message, "the server failed (HTTP 500)");
    CHECK_STR_EQ(f[1].message, "cannot reach the server");
    CHECK(f[0].at[0] == '2');
    free(f);
    REQUIRE(store_sync_failures(st, 1, &f, &n, &err) == DP_OK);
    CHECK_INT_EQ(n, 1);
    free(f);
    REQUIRE(store_sync_failures(st, 0, &f, &n, &err) == DP_OK);
    CHECK_INT_EQ(n, 0);
    CHECK(f == NULL);
    store_close(st);
}

int
main(void)
{
    setenv("DOORSTEP_TODAY", "2024-03-01", 1);
    test_root_make();
    RUN(a_pulled_page_sets_and_clears_the_warning_marker);
    RUN(only_the_households_a_page_touches_are_refreshed);
    RUN(conflicts_read_as_canonical_values_with_the_head_name);
    RUN(a_choice_is_checked_then_becomes_a_resolution);
    RUN(restoring_a_deleted_record_sends_the_values);
    RUN(rejected_edits_are_listed_read_back_and_set_aside);
    RUN(failed_syncs_newest_first);
    test_root_remove();
    return test_report();
}
