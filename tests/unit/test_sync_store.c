/*
 * The cache side of sync (store/sync_store.h) against a real cache: pulled
 * pages into base and working rows, rebase of pending edits, push results
 * (rejected edits kept and the record shown as the server has it), orphans,
 * snapshots that sweep stale rows but keep the outbox, conflicts resolved by
 * an outbox entry, re-queue after a server restore, re-registration, logins.
 * Pages are written as the server would send them and parsed by sync/proto.c.
 */
#include "store/sync_store.h"

#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "store/store.h"
#include "sync/proto.h"
#include "tests/unit/test.h"

#define PASS "correct horse battery staple"
#define H1   "a1111111-1111-4111-8111-111111111111"
#define H2   "a2222222-2222-4222-8222-222222222222"
#define H3   "a3333333-3333-4333-8333-333333333333"
#define M1   "b1111111-1111-4111-8111-111111111111"
#define M2   "b2222222-2222-4222-8222-222222222222"
#define CF1  "c1111111-1111-4111-8111-111111111111"

static char root[256];
static int seq;
static struct dp_error err;

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static struct store *
open_dir(const char *dir)
{
    struct store *st = NULL;
    if (store_open(dir, PASS, &st, &err) != DP_OK)
        fprintf(stderr, "  open: %s\n", err.msg);
    return st;
}

static struct store *
fresh(char *dir, size_t n)
{
    snprintf(dir, n, "%s/c%d", root, ++seq);
    struct store *st = open_dir(dir);
    if (st && store_sync_login(st, "https://sync.example", "wang.fang", "worker", "dongshan",
                               "tok_0123456789abcdef", (int64_t)time(NULL) + 3600, &err) != DP_OK)
        fprintf(stderr, "  login: %s\n", err.msg);
    return st;
}

/* Parse a page written as JSON and apply it. */
static enum dp_status
apply(struct store *st, const char *json, struct sync_page_stats *stats)
{
    struct sync_page page;
    struct sync_page_stats dummy;
    enum dp_status s = proto_parse_pull(json, strlen(json), 1000, &page, &err);
    if (s != DP_OK) {
        fprintf(stderr, "  page does not parse: %s\n", err.msg);
        return s;
    }
    s = store_sync_apply_page(st, &page, stats ? stats : &dummy, &err);
    if (s != DP_OK)
        fprintf(stderr, "  apply: %s\n", err.msg);
    sync_page_done(&page);
    return s;
}

static enum dp_status
push_reply(struct store *st, const char *json, struct sync_push_stats *stats)
{
    struct sync_push_reply r;
    struct sync_push_stats dummy;
    enum dp_status s = proto_parse_push(json, strlen(json), &r, &err);
    if (s != DP_OK) {
        fprintf(stderr, "  reply does not parse: %s\n", err.msg);
        return s;
    }
    s = store_sync_push_done(st, &r, stats ? stats : &dummy, &err);
    sync_push_reply_done(&r);
    return s;
}

#define HH_ROW(id, name, phone)                                                                    \
    "{\"id\":\"" id "\",\"head_name\":\"" name                                                     \
    "\",\"village\":\"石桥村\",\"township\":\"青山镇\","                                     \
    "\"risk\":\"green\",\"status\":\"active\",\"phone\":\"" phone "\",\"categories\":[\"dibao\"]," \
    "\"assigned_to\":\"wang.fang\",\"team\":\"dongshan\"}"
#define PUT_HH(seq, id, v, name, phone)                                                            \
    "{\"seq\":" #seq ",\"op\":\"put\",\"t\":\"household\",\"rid\":\"" id "\",\"v\":" #v            \
    ",\"row\":" HH_ROW(id, name, phone) "}"
#define PUT_MEM(seq, id, hh, v, name)                                                              \
    "{\"seq\":" #seq ",\"op\":\"put\",\"t\":\"member\",\"rid\":\"" id "\",\"v\":" #v               \
    ",\"row\":{\"id\":\"" id "\",\"household_id\":\"" hh "\",\"name\":\"" name "\","               \
    "\"relation\":\"spouse\",\"status\":\"present\"}}"
#define PAGE(cursor, more, last_mid, reset, changes)                                               \
    "{\"cursor\":\"" cursor "\",\"upto\":99,\"has_more\":" more ",\"last_mid\":" #last_mid         \
    ",\"reset\":" reset ",\"changes\":[" changes "]}"

static bool
exists(struct store *st, const struct record_def *def, const char *id, struct record *out)
{
    struct record r;
    enum dp_status s = store_record_get(st, def, id, &r, &err);
    if (s != DP_OK)
        return false;
    bool live = !r.deleted;
    if (out)
        *out = r;
    else
        record_done(&r);
    return live;
}

static const char *
field(struct store *st, const struct record_def *def, const char *id, const char *name, char *buf,
      size_t n)
{
    struct record r;
    buf[0] = '\0';
    if (store_record_get(st, def, id, &r, &err) == DP_OK) {
        snprintf(buf, n, "%s", record_get(&r, name));
        record_done(&r);
    }
    return buf;
}

static long
base_count(struct store *st, const char *type)
{
    char *json = NULL;
    long n = -1;
    if (store_sync_digest(st, &json, &err) == DP_OK) {
        cJSON *d = cJSON_Parse(json);
        const cJSON *o = cJSON_GetObjectItem(cJSON_GetObjectItem(d, type), "n");
        n = o ? (long)o->valuedouble : -1;
        cJSON_Delete(d);
    }
    free(json);
    return n;
}

static struct sync_status_info
status(struct store *st)
{
    struct sync_status_info i;
    store_sync_status(st, &i, &err);
    return i;
}

/* Edit one field of a record through the store, as the TUI does. */
static enum dp_status
edit(struct store *st, const struct record_def *def, const char *id, const char *name,
     const char *value)
{
    struct record r;
    enum dp_status s = store_record_get(st, def, id, &r, &err);
    if (s == DP_OK) {
        record_set(&r, name, value);
        s = store_record_save(st, &r, &err);
        if (s != DP_OK)
            fprintf(stderr, "  save: %s (%s)\n", err.msg, err.field);
        record_done(&r);
    }
    return s;
}

/* Live members of a household, as the screens list them. */
static size_t
test_members_of(struct store *st, const char *hid)
{
    struct record *v = NULL;
    size_t n = 0;
    if (store_record_list(st, &schema_member, hid, &v, &n, &err) != DP_OK)
        return (size_t)-1;
    store_record_list_free(v, n);
    return n;
}

static const char first_page[] =
    PAGE("c1.e.s.10", "false", 0, "null",
         PUT_HH(1, H1, 3, "王小明", "13800138000") "," PUT_MEM(2, M1, H1, 1, "王丽") "," PUT_HH(
             3, H2, 1, "李四", "13900139000"));

TEST(first_pull_fills_the_cache)
{
    char dir[PATH_MAX], buf[64];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st);
    char *cursor = (char *)1;
    REQUIRE(store_sync_pull_begin(st, &cursor, &err) == DP_OK);
    CHECK(cursor == NULL);
    struct sync_page_stats ps;
    REQUIRE(apply(st, first_page, &ps) == DP_OK);
    CHECK_INT_EQ(ps.puts, 3);
    CHECK(ps.snapshot_done);
    CHECK(exists(st, &schema_household, H1, NULL));
    CHECK(exists(st, &schema_member, M1, NULL));
    CHECK_STR_EQ(field(st, &schema_household, H1, "phone", buf, sizeof buf), "13800138000");
    CHECK_STR_EQ(field(st, &schema_household, H1, "categories", buf, sizeof buf), "dibao");
    CHECK_INT_EQ(base_count(st, "household"), 2);
    CHECK_INT_EQ(base_count(st, "member"), 1);
    REQUIRE(store_sync_pull_begin(st, &cursor, &err) == DP_OK);
    CHECK_STR_EQ(cursor, "c1.e.s.10");
    free(cursor);
    long matched = 0, total = 0;
    struct household_filter f = {0};
    CHECK_INT_EQ(store_household_count(st, &f, &matched, &total, &err), DP_OK);
    CHECK_INT_EQ(total, 2);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(pending_edit_is_rebased_not_overwritten)
{
    char dir[PATH_MAX], buf[64];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    REQUIRE(edit(st, &schema_household, H1, "head_name", "王大明") == DP_OK);
    CHECK_INT_EQ(status(st).pending, 1);
    /* The server changed the phone meanwhile. */
    REQUIRE(apply(st,
                  PAGE("c1.e.s.11", "false", 0, "null", PUT_HH(11, H1, 4, "王小明", "13800138009")),
                  NULL) == DP_OK);
    CHECK_STR_EQ(field(st, &schema_household, H1, "phone", buf, sizeof buf), "13800138009");
    CHECK_STR_EQ(field(st, &schema_household, H1, "head_name", buf, sizeof buf), "王大明");
    CHECK_INT_EQ(status(st).pending, 1);
    /* A record without pending edits simply takes the server's row. */
    REQUIRE(apply(st,
                  PAGE("c1.e.s.12", "false", 0, "null", PUT_HH(12, H2, 2, "李五", "13900139000")),
                  NULL) == DP_OK);
    CHECK_STR_EQ(field(st, &schema_household, H2, "head_name", buf, sizeof buf), "李五");
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(outbox_batch_and_applied_result)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    REQUIRE(edit(st, &schema_household, H1, "phone", "13700137000") == DP_OK);
    REQUIRE(edit(st, &schema_member, M1, "name", "王莉") == DP_OK);
    REQUIRE(edit(st, &schema_household, H2, "phone", "13700137001") == DP_OK);
    struct sync_outbox_item *items = NULL;
    size_t n = 0;
    REQUIRE(store_sync_outbox_take(st, 2, 1 << 20, &items, &n, &err) == DP_OK);
    REQUIRE(n == 2);
    CHECK_INT_EQ(items[0].mid, 1);
    CHECK_INT_EQ(items[1].mid, 2);
    CHECK_STR_EQ(items[0].op, "update");
    CHECK_STR_EQ(items[0].t, "household");
    CHECK_STR_EQ(items[0].rid, H1);
    CHECK_INT_EQ(items[0].base_v, 3);
    CHECK(strstr(items[0].set_json, "13700137000") != NULL);
    CHECK(strstr(items[0].base_json, "13800138000") != NULL);
    CHECK(strncmp(items[0].hash, "sha256:", 7) == 0);
    CHECK(items[0].hlc[0] != '\0');
    sync_outbox_items_free(items, n);
    /* A tiny byte budget still takes one. */
    REQUIRE(store_sync_outbox_take(st, 200, 10, &items, &n, &err) == DP_OK);
    CHECK_INT_EQ(n, 1);
    sync_outbox_items_free(items, n);

    struct sync_push_stats ps;
    REQUIRE(push_reply(st,
                       "{\"last_mid\":2,\"results\":[{\"mid\":1,\"status\":\"applied\",\"v\":4},"
                       "{\"mid\":2,\"status\":\"merged\",\"v\":2}],\"stopped\":null}",
                       &ps) == DP_OK);
    CHECK_INT_EQ(ps.applied, 1);
    CHECK_INT_EQ(ps.merged, 1);
    CHECK_INT_EQ(status(st).pending, 1);
    struct sync_identity id;
    REQUIRE(store_sync_identity(st, &id, &err) == DP_OK);
    CHECK_INT_EQ(id.acked_mid, 2);
    CHECK_INT_EQ(id.max_mid, 3);
    REQUIRE(store_sync_outbox_take(st, 200, 1 << 20, &items, &n, &err) == DP_OK);
    CHECK_INT_EQ(n, 1);
    CHECK_INT_EQ(items[0].mid, 3);
    sync_outbox_items_free(items, n);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(rejected_edit_is_kept_and_the_record_shows_the_server)
{
    char dir[PATH_MAX], buf[64];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    REQUIRE(edit(st, &schema_household, H1, "phone", "13700137000") == DP_OK);
    CHECK_STR_EQ(field(st, &schema_household, H1, "phone", buf, sizeof buf), "13700137000");
    struct sync_push_stats ps;
    REQUIRE(push_reply(st,
                       "{\"last_mid\":1,\"results\":[{\"mid\":1,\"status\":\"rejected\","
                       "\"reason\":\"forbidden\",\"field\":\"phone\",\"message\":\"not yours\"}],"
                       "\"stopped\":null}",
                       &ps) == DP_OK);
    CHECK_INT_EQ(ps.rejected, 1);
    CHECK_STR_EQ(field(st, &schema_household, H1, "phone", buf, sizeof buf), "13800138000");
    struct sync_status_info i = status(st);
    CHECK_INT_EQ(i.pending, 0);
    CHECK_INT_EQ(i.rejected, 1);
    struct sync_rejected *rj = NULL;
    size_t n = 0;
    REQUIRE(store_sync_rejected(st, 10, &rj, &n, &err) == DP_OK);
    REQUIRE(n == 1);
    CHECK_INT_EQ(rj[0].mid, 1);
    CHECK_STR_EQ(rj[0].reason, "forbidden");
    CHECK_STR_EQ(rj[0].field, "phone");
    CHECK_STR_EQ(rj[0].message, "not yours");
    CHECK_STR_EQ(rj[0].rid, H1);
    free(rj);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

/* A worker's household delete is refused: the household and everything it covered come back. */
TEST(rejected_household_delete_brings_its_records_back)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    REQUIRE(store_record_delete(st, &schema_household, H1, &err) == DP_OK);
    CHECK(!exists(st, &schema_household, H1, NULL));
    CHECK(!exists(st, &schema_member, M1, NULL));
    REQUIRE(push_reply(st,
                       "{\"last_mid\":1,\"results\":[{\"mid\":1,\"status\":\"rejected\","
                       "\"reason\":\"forbidden\"}],\"stopped\":null}",
                       NULL) == DP_OK);
    CHECK(exists(st, &schema_household, H1, NULL));
    CHECK(exists(st, &schema_member, M1, NULL));
    CHECK_INT_EQ(status(st).rejected, 1);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

/*
 * A page orders changes by seq: a household that changed after its records
 * (or came into scope) may come after them, even pages later. They wait as
 * base rows and appear with it; nothing is dropped.
 */
TEST(records_before_their_household_wait_for_it)
{
    char dir[PATH_MAX], buf[64];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    struct sync_page_stats ps;
    REQUIRE(apply(st,
                  PAGE("c1.e.s.20", "true", 0, "null",
                       PUT_MEM(15, M2, H3, 1, "赵敏") "," PUT_HH(16, H2, 2, "李四", "13900139001")),
                  &ps) == DP_OK);
    CHECK_INT_EQ(ps.puts, 2);
    CHECK(!exists(st, &schema_member, M2, NULL));
    CHECK_INT_EQ(base_count(st, "member"), 2);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    REQUIRE(apply(st,
                  PAGE("c1.e.s.21", "false", 0, "null", PUT_HH(17, H3, 5, "赵六", "13900139002")),
                  &ps) == DP_OK);
    CHECK(exists(st, &schema_household, H3, NULL));
    CHECK(exists(st, &schema_member, M2, NULL));
    CHECK_STR_EQ(field(st, &schema_member, M2, "name", buf, sizeof buf), "赵敏");
    CHECK_INT_EQ(test_members_of(st, H3), 1);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

/*
 * The answer to a half batch says last_mid 2, but has a result only for mid 1:
 * mid 2 stays pending, and the replay brings its real outcome (here a
 * rejection, whose reason is kept).
 */
TEST(entries_are_done_only_with_their_own_result)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    REQUIRE(edit(st, &schema_household, H1, "phone", "13700137000") == DP_OK);
    REQUIRE(edit(st, &schema_household, H2, "phone", "13700137001") == DP_OK);
    REQUIRE(push_reply(st,
                       "{\"last_mid\":2,\"results\":[{\"mid\":1,\"status\":\"applied\",\"v\":4,"
                       "\"replayed\":true}],\"stopped\":null}",
                       NULL) == DP_OK);
    CHECK_INT_EQ(status(st).pending, 1);
    struct sync_identity id;
    REQUIRE(store_sync_identity(st, &id, &err) == DP_OK);
    CHECK_INT_EQ(id.acked_mid, 2);
    struct sync_outbox_item *items = NULL;
    size_t n = 0;
    REQUIRE(store_sync_outbox_take(st, 10, 1 << 20, &items, &n, &err) == DP_OK);
    CHECK_INT_EQ(n, 1);
    CHECK_INT_EQ(n ? items[0].mid : 0, 2);
    sync_outbox_items_free(items, n);
    REQUIRE(push_reply(st,
                       "{\"last_mid\":2,\"results\":[{\"mid\":2,\"status\":\"rejected\","
                       "\"reason\":\"invalid\",\"field\":\"phone\",\"replayed\":true}],"
                       "\"stopped\":null}",
                       NULL) == DP_OK);
    struct sync_status_info i = status(st);
    CHECK_INT_EQ(i.pending, 0);
    CHECK_INT_EQ(i.rejected, 1);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(rejected_create_disappears)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    struct record m;
    record_init(&m, &schema_member);
    record_set(&m, "id", M2);
    record_set(&m, "household_id", H1);
    record_set(&m, "name", "王强");
    record_set(&m, "relation", "child");
    record_set(&m, "status", "present");
    REQUIRE(store_record_save(st, &m, &err) == DP_OK);
    record_done(&m);
    CHECK(exists(st, &schema_member, M2, NULL));
    REQUIRE(push_reply(st,
                       "{\"last_mid\":1,\"results\":[{\"mid\":1,\"status\":\"rejected\","
                       "\"reason\":\"not_found\"}],\"stopped\":null}",
                       NULL) == DP_OK);
    CHECK(!exists(st, &schema_member, M2, NULL));
    CHECK(exists(st, &schema_member, M1, NULL));
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(push_answer_from_another_history_changes_nothing)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    REQUIRE(edit(st, &schema_household, H1, "phone", "13700137000") == DP_OK);
    struct sync_push_stats ps;
    REQUIRE(push_reply(st,
                       "{\"last_mid\":7,\"results\":[{\"mid\":1,\"status\":\"applied\",\"v\":4}],"
                       "\"stopped\":null}",
                       &ps) == DP_OK);
    CHECK(ps.diverged);
    CHECK_INT_EQ(status(st).pending, 1);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(out_of_scope_purges_a_household_and_its_records)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    struct sync_page_stats ps;
    REQUIRE(apply(st,
                  PAGE("c1.e.s.20", "false", 0, "null",
                       "{\"seq\":20,\"op\":\"remove\",\"t\":\"household\",\"rid\":\"" H1 "\","
                       "\"reason\":\"out_of_scope\"}"),
                  &ps) == DP_OK);
    CHECK(!exists(st, &schema_household, H1, NULL));
    CHECK(!exists(st, &schema_member, M1, NULL));
    CHECK(exists(st, &schema_household, H2, NULL));
    CHECK_INT_EQ(base_count(st, "household"), 1);
    CHECK_INT_EQ(base_count(st, "member"), 0);
    CHECK_INT_EQ(status(st).orphans, 0);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(out_of_scope_with_pending_edits_holds_orphans_until_acked)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    REQUIRE(edit(st, &schema_member, M1, "name", "王莉") == DP_OK);
    struct sync_page_stats ps;
    REQUIRE(apply(st,
                  PAGE("c1.e.s.20", "false", 0, "null",
                       "{\"seq\":20,\"op\":\"remove\",\"t\":\"household\",\"rid\":\"" H1 "\","
                       "\"reason\":\"out_of_scope\"},"
                       "{\"seq\":21,\"op\":\"remove\",\"t\":\"member\",\"rid\":\"" M1 "\","
                       "\"reason\":\"out_of_scope\"}"),
                  &ps) == DP_OK);
    CHECK_INT_EQ(ps.orphaned, 1);
    CHECK(!exists(st, &schema_household, H1, NULL));
    CHECK(!exists(st, &schema_member, M1, NULL));
    struct sync_status_info i = status(st);
    CHECK_INT_EQ(i.orphans, 1);
    CHECK_INT_EQ(i.pending, 1);
    /* The edit still goes out. */
    struct sync_outbox_item *items = NULL;
    size_t n = 0;
    REQUIRE(store_sync_outbox_take(st, 10, 1 << 20, &items, &n, &err) == DP_OK);
    CHECK_INT_EQ(n, 1);
    sync_outbox_items_free(items, n);
    REQUIRE(push_reply(st,
                       "{\"last_mid\":1,\"results\":[{\"mid\":1,\"status\":\"applied\",\"v\":2}],"
                       "\"stopped\":null}",
                       NULL) == DP_OK);
    i = status(st);
    CHECK_INT_EQ(i.orphans, 0);
    CHECK_INT_EQ(i.pending, 0);
    CHECK(!exists(st, &schema_member, M1, NULL));
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(deleted_with_pending_edit_waits_for_the_answer)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    REQUIRE(edit(st, &schema_member, M1, "name", "王莉") == DP_OK);
    REQUIRE(apply(st,
                  PAGE("c1.e.s.30", "false", 0, "null",
                       "{\"seq\":30,\"op\":\"remove\",\"t\":\"member\",\"rid\":\"" M1 "\","
                       "\"reason\":\"deleted\",\"v\":2}"),
                  NULL) == DP_OK);
    CHECK(exists(st, &schema_member, M1, NULL));
    CHECK_INT_EQ(base_count(st, "member"), 0);
    REQUIRE(push_reply(st,
                       "{\"last_mid\":1,\"results\":[{\"mid\":1,\"status\":\"conflict\",\"v\":2,"
                       "\"conflict_id\":\"" CF1 "\",\"kind\":\"delete_vs_edit\"}],"
                       "\"stopped\":null}",
                       NULL) == DP_OK);
    CHECK(!exists(st, &schema_member, M1, NULL));
    /* The household keeps its other data. */
    CHECK(exists(st, &schema_household, H1, NULL));
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(reset_sweeps_stale_rows_and_keeps_the_outbox)
{
    char dir[PATH_MAX], buf[64];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    /* A local create not yet sent, and an edit of a record the snapshot still has. */
    struct record h;
    record_init(&h, &schema_household);
    record_set(&h, "id", H3);
    record_set(&h, "head_name", "赵六");
    record_set(&h, "village", "石桥村");
    record_set(&h, "township", "青山镇");
    record_set(&h, "risk", "green");
    record_set(&h, "status", "active");
    REQUIRE(store_record_save(st, &h, &err) == DP_OK);
    record_done(&h);
    REQUIRE(edit(st, &schema_household, H1, "head_name", "王大明") == DP_OK);

    /* Page 1 of a snapshot: H1 only; page 2: nothing more. H2 and M1 are no longer ours. */
    struct sync_page_stats ps;
    REQUIRE(apply(st,
                  PAGE("c1.f.s.1", "true", 0, "{\"reason\":\"epoch\"}",
                       PUT_HH(1, H1, 9, "王小明", "13800138005")),
                  &ps) == DP_OK);
    CHECK(!ps.snapshot_done);
    CHECK(exists(st, &schema_household, H2, NULL)); /* not swept before the end */
    REQUIRE(apply(st, PAGE("c1.f.s.2", "false", 0, "null", ""), &ps) == DP_OK);
    CHECK(ps.snapshot_done);
    CHECK(!exists(st, &schema_household, H2, NULL));
    CHECK(!exists(st, &schema_member, M1, NULL));
    CHECK(exists(st, &schema_household, H3, NULL));
    CHECK(exists(st, &schema_household, H1, NULL));
    CHECK_STR_EQ(field(st, &schema_household, H1, "head_name", buf, sizeof buf), "王大明");
    CHECK_STR_EQ(field(st, &schema_household, H1, "phone", buf, sizeof buf), "13800138005");
    CHECK_INT_EQ(status(st).pending, 2);
    CHECK_INT_EQ(base_count(st, "household"), 1);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(interrupted_snapshot_starts_again)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    REQUIRE(apply(st,
                  PAGE("c1.f.s.1", "true", 0, "{\"reason\":\"cursor_expired\"}",
                       PUT_HH(1, H1, 9, "王小明", "13800138005")),
                  NULL) == DP_OK);
    char *cursor = NULL;
    REQUIRE(store_sync_pull_begin(st, &cursor, &err) == DP_OK);
    CHECK_STR_EQ(cursor, "c1.f.s.1");
    free(cursor);
    store_close(st);
    /* The process died; a new session cannot know what the snapshot brought. */
    st = open_dir(dir);
    REQUIRE(st);
    REQUIRE(store_sync_pull_begin(st, &cursor, &err) == DP_OK);
    CHECK(cursor == NULL);
    /* The restarted snapshot (a first pull) still sweeps at its end. */
    REQUIRE(apply(st,
                  PAGE("c1.f.s.3", "false", 0, "null", PUT_HH(1, H1, 9, "王小明", "13800138005")),
                  NULL) == DP_OK);
    CHECK(!exists(st, &schema_household, H2, NULL));
    CHECK(exists(st, &schema_household, H1, NULL));
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(conflicts_are_kept_and_resolved_through_the_outbox)
{
    char dir[PATH_MAX], buf[64];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    const char *conflict =
        "{\"seq\":40,\"op\":\"conflict\",\"conflict_id\":\"" CF1 "\",\"t\":\"member\","
        "\"rid\":\"" M1 "\",\"kind\":\"field\",\"state\":\"open\",\"opened_by\":\"li.wei\","
        "\"opened_at\":\"2025-02-28T09:10:11Z\",\"fields\":{\"name\":{\"base\":\"王丽\","
        "\"server\":\"王莉\",\"yours\":\"王俐\"}}}";
    char page[2048];
    snprintf(page, sizeof page,
             "{\"cursor\":\"c1.e.s.40\",\"has_more\":false,\"last_mid\":0,\"changes\":[%s]}",
             conflict);
    REQUIRE(apply(st, page, NULL) == DP_OK);
    CHECK_INT_EQ(status(st).conflicts, 1);
    struct sync_conflict *c = NULL;
    size_t n = 0;
    REQUIRE(store_sync_conflicts(st, true, &c, &n, &err) == DP_OK);
    REQUIRE(n == 1);
    CHECK_STR_EQ(c[0].conflict_id, CF1);
    CHECK(c[0].def == &schema_member);
    CHECK_STR_EQ(c[0].hid, H1);
    CHECK_STR_EQ(c[0].kind, "field");
    CHECK_STR_EQ(c[0].opened_by, "li.wei");
    CHECK(strstr(c[0].fields_json, "\"yours\":\"王俐\"") != NULL);
    store_sync_conflicts_free(c, n);

    /* Bad choices change nothing. */
    CHECK_INT_EQ(store_sync_conflict_resolve(st, CF1, "{\"name\":\"x1\"}", &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "name");
    CHECK_INT_EQ(store_sync_conflict_resolve(st, CF1, "[]", &err), DP_EINVAL);
    CHECK_INT_EQ(store_sync_conflict_resolve(st, CF1, "{\"household_id\":\"" H2 "\"}", &err),
                 DP_EPERM);
    CHECK_INT_EQ(store_sync_conflict_resolve(st, "nope", "{}", &err), DP_ENOTFOUND);
    CHECK_INT_EQ(status(st).pending, 0);

    REQUIRE(store_sync_conflict_resolve(st, CF1, "{\"name\":\"王俐\"}", &err) == DP_OK);
    CHECK_STR_EQ(field(st, &schema_member, M1, "name", buf, sizeof buf), "王俐");
    struct sync_status_info i = status(st);
    CHECK_INT_EQ(i.conflicts, 0);
    CHECK_INT_EQ(i.resolving, 1);
    CHECK_INT_EQ(i.pending, 1);
    CHECK_INT_EQ(store_sync_conflict_resolve(st, CF1, "{\"name\":\"王俐\"}", &err), DP_EINVAL);

    struct sync_outbox_item *items = NULL;
    REQUIRE(store_sync_outbox_take(st, 10, 1 << 20, &items, &n, &err) == DP_OK);
    REQUIRE(n == 1);
    CHECK_STR_EQ(items[0].op, "resolve_conflict");
    CHECK_STR_EQ(items[0].conflict_id, CF1);
    CHECK(items[0].base_json == NULL);
    CHECK(strstr(items[0].set_json, "王俐") != NULL);
    sync_outbox_items_free(items, n);

    /* The conflict comes again as still open before our resolution is answered. */
    REQUIRE(apply(st, page, NULL) == DP_OK);
    CHECK_INT_EQ(status(st).resolving, 1);
    REQUIRE(push_reply(st,
                       "{\"last_mid\":1,\"results\":[{\"mid\":1,\"status\":\"applied\",\"v\":3}],"
                       "\"stopped\":null}",
                       NULL) == DP_OK);
    i = status(st);
    CHECK_INT_EQ(i.resolving, 0);
    CHECK_INT_EQ(i.conflicts, 0);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(requeue_after_server_restore)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    REQUIRE(edit(st, &schema_household, H1, "phone", "13700137000") == DP_OK);
    REQUIRE(edit(st, &schema_household, H2, "phone", "13700137001") == DP_OK);
    REQUIRE(edit(st, &schema_member, M1, "name", "王莉") == DP_OK);
    REQUIRE(push_reply(st,
                       "{\"last_mid\":3,\"results\":[{\"mid\":1,\"status\":\"applied\",\"v\":4},"
                       "{\"mid\":2,\"status\":\"applied\",\"v\":2},{\"mid\":3,\"status\":"
                       "\"rejected\",\"reason\":\"invalid\"}],\"stopped\":null}",
                       NULL) == DP_OK);
    CHECK_INT_EQ(status(st).pending, 0);
    /* A pull from a restored server says it only holds mid 1. */
    struct sync_page_stats ps;
    REQUIRE(apply(st, PAGE("c1.g.s.1", "false", 1, "null", ""), &ps) == DP_OK);
    CHECK(ps.server_behind);
    long count = 0;
    REQUIRE(store_sync_requeue(st, 2, &count, &err) == DP_OK);
    CHECK_INT_EQ(count, 2);
    CHECK_INT_EQ(status(st).pending, 2);
    struct sync_outbox_item *items = NULL;
    size_t n = 0;
    REQUIRE(store_sync_outbox_take(st, 10, 1 << 20, &items, &n, &err) == DP_OK);
    REQUIRE(n == 2);
    CHECK_INT_EQ(items[0].mid, 2);
    CHECK_INT_EQ(items[1].mid, 3);
    sync_outbox_items_free(items, n);
    struct sync_identity id;
    REQUIRE(store_sync_identity(st, &id, &err) == DP_OK);
    CHECK_INT_EQ(id.acked_mid, 1);
    /* An entry never made cannot be re-queued. */
    CHECK_INT_EQ(store_sync_requeue(st, 9, &count, &err), DP_OK);
    CHECK_INT_EQ(count, 0);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(reregister_renumbers_pending_work)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    REQUIRE(edit(st, &schema_household, H1, "phone", "13700137000") == DP_OK);
    REQUIRE(edit(st, &schema_household, H2, "phone", "13700137001") == DP_OK);
    REQUIRE(edit(st, &schema_member, M1, "name", "王莉") == DP_OK);
    REQUIRE(push_reply(st,
                       "{\"last_mid\":1,\"results\":[{\"mid\":1,\"status\":\"rejected\","
                       "\"reason\":\"invalid\"}],\"stopped\":null}",
                       NULL) == DP_OK);
    struct sync_identity before, after;
    REQUIRE(store_sync_identity(st, &before, &err) == DP_OK);
    struct sync_outbox_item *items = NULL;
    size_t n = 0;
    REQUIRE(store_sync_outbox_take(st, 10, 1 << 20, &items, &n, &err) == DP_OK);
    REQUIRE(n == 2);
    char old_hash[128];
    snprintf(old_hash, sizeof old_hash, "%s", items[0].hash);
    sync_outbox_items_free(items, n);

    char dev[37];
    REQUIRE(store_sync_reregister(st, dev, &err) == DP_OK);
    REQUIRE(store_sync_identity(st, &after, &err) == DP_OK);
    CHECK(strcmp(before.device_id, after.device_id) != 0);
    CHECK_STR_EQ(after.device_id, dev);
    CHECK_INT_EQ(after.acked_mid, 0);
    CHECK_INT_EQ(after.max_mid, 2);
    CHECK(after.hello_due);
    REQUIRE(store_sync_outbox_take(st, 10, 1 << 20, &items, &n, &err) == DP_OK);
    REQUIRE(n == 2);
    CHECK_INT_EQ(items[0].mid, 1);
    CHECK_INT_EQ(items[1].mid, 2);
    CHECK_STR_EQ(items[0].rid, H2);
    CHECK(strcmp(items[0].hash, old_hash) != 0);
    sync_outbox_items_free(items, n);
    /* The rejected edit is still on record. */
    CHECK_INT_EQ(status(st).rejected, 1);
    /* A new edit continues the new numbering. */
    REQUIRE(edit(st, &schema_household, H1, "phone", "13700137002") == DP_OK);
    REQUIRE(store_sync_identity(st, &after, &err) == DP_OK);
    CHECK_INT_EQ(after.max_mid, 3);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(login_as_another_user)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    REQUIRE(edit(st, &schema_household, H1, "phone", "13700137000") == DP_OK);
    /* Same user again: a new token, nothing else changes. */
    REQUIRE(store_sync_login(st, "https://sync.example/", "wang.fang", "worker", "dongshan",
                             "tok_another_token_value", 0, &err) == DP_OK);
    CHECK_INT_EQ(status(st).pending, 1);
    CHECK(exists(st, &schema_household, H1, NULL));
    /* Another user while an edit waits: refused, nothing changed. */
    CHECK_INT_EQ(store_sync_login(st, "https://sync.example", "li.wei", "worker", "dongshan",
                                  "tok_li_wei_token_value", 0, &err),
                 DP_EBUSY);
    struct sync_identity id;
    REQUIRE(store_sync_identity(st, &id, &err) == DP_OK);
    CHECK_STR_EQ(id.user, "wang.fang");
    CHECK_STR_EQ(id.token, "tok_another_token_value");
    /* Once sent, the other user gets a fresh cache and a new device. */
    REQUIRE(push_reply(st,
                       "{\"last_mid\":1,\"results\":[{\"mid\":1,\"status\":\"applied\",\"v\":4}],"
                       "\"stopped\":null}",
                       NULL) == DP_OK);
    REQUIRE(store_sync_login(st, "https://sync.example", "li.wei", "worker", "dongshan",
                             "tok_li_wei_token_value", 0, &err) == DP_OK);
    struct sync_identity id2;
    REQUIRE(store_sync_identity(st, &id2, &err) == DP_OK);
    CHECK_STR_EQ(id2.user, "li.wei");
    CHECK(strcmp(id.device_id, id2.device_id) != 0);
    CHECK_INT_EQ(id2.max_mid, 0);
    CHECK_STR_EQ(id2.cursor, "");
    CHECK(!exists(st, &schema_household, H1, NULL));
    CHECK_INT_EQ(base_count(st, "household"), 0);
    CHECK_STR_EQ(status(st).user, "li.wei");
    REQUIRE(store_sync_forget_token(st, &err) == DP_OK);
    CHECK(!status(st).logged_in);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(digest_matches_the_protocol)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st && apply(st, first_page, NULL) == DP_OK);
    char *json = NULL;
    REQUIRE(store_sync_digest(st, &json, &err) == DP_OK);
    /* sha256 of H1 "\n" H2 "\n" (sorted): computed independently with sha256sum. */
    cJSON *d = cJSON_Parse(json);
    const cJSON *hh = cJSON_GetObjectItem(d, "household");
    CHECK_INT_EQ(cJSON_GetObjectItem(hh, "n")->valueint, 2);
    FILE *p = popen("printf '%s\\n%s\\n' " H1 " " H2 " | sha256sum", "r");
    char want[80] = "";
    if (p) {
        if (fscanf(p, "%64s", want) != 1)
            want[0] = '\0';
        pclose(p);
    }
    CHECK_STR_EQ(cJSON_GetObjectItem(hh, "h")->valuestring, want);
    CHECK_INT_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "visit"), "n")->valueint, 0);
    cJSON_Delete(d);
    free(json);
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

TEST(finish_records_success_and_failure)
{
    char dir[PATH_MAX];
    struct store *st = fresh(dir, sizeof dir);
    REQUIRE(st);
    REQUIRE(store_sync_finish(st, false, "cannot reach the server", &err) == DP_OK);
    struct sync_status_info i = status(st);
    CHECK_STR_EQ(i.last_error, "cannot reach the server");
    CHECK_STR_EQ(i.last_success, "");
    CHECK(i.last_attempt[0] != '\0');
    REQUIRE(store_sync_finish(st, true, "", &err) == DP_OK);
    i = status(st);
    CHECK_STR_EQ(i.last_error, "");
    CHECK(i.last_success[0] != '\0');
    CHECK(i.logged_in);
    CHECK_STR_EQ(i.server_url, "https://sync.example");
    CHECK_INT_EQ(store_sync_check(st, &err), DP_OK);
    store_close(st);
}

int
main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/doorstep-sync-store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(root))
        return 2;
    RUN(first_pull_fills_the_cache);
    RUN(pending_edit_is_rebased_not_overwritten);
    RUN(outbox_batch_and_applied_result);
    RUN(rejected_edit_is_kept_and_the_record_shows_the_server);
    RUN(rejected_household_delete_brings_its_records_back);
    RUN(records_before_their_household_wait_for_it);
    RUN(entries_are_done_only_with_their_own_result);
    RUN(rejected_create_disappears);
    RUN(push_answer_from_another_history_changes_nothing);
    RUN(out_of_scope_purges_a_household_and_its_records);
    RUN(out_of_scope_with_pending_edits_holds_orphans_until_acked);
    RUN(deleted_with_pending_edit_waits_for_the_answer);
    RUN(reset_sweeps_stale_rows_and_keeps_the_outbox);
    RUN(interrupted_snapshot_starts_again);
    RUN(conflicts_are_kept_and_resolved_through_the_outbox);
    RUN(requeue_after_server_restore);
    RUN(reregister_renumbers_pending_work);
    RUN(login_as_another_user);
    RUN(digest_matches_the_protocol);
    RUN(finish_records_success_and_failure);
    nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return test_report();
}
