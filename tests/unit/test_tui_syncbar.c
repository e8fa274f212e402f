/*
 * The words the sync screens show, without a terminal: the status line's sync
 * part (tui/syncbar.h) for every state of the worker and the cache, and field
 * values in words (tui/values.h).
 */
#include "tui/syncbar.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/values.h"

#include "tests/unit/test.h"

#define NOW ((time_t)1709265780) /* 2024-03-01T04:03:00Z, 12:03 in Shanghai */

static struct sync_status_info
logged_in(void)
{
    struct sync_status_info i;
    memset(&i, 0, sizeof i);
    snprintf(i.user, sizeof i.user, "worker01");
    i.logged_in = true;
    i.token_expires_at = NOW + 3600;
    return i;
}

static const char *
state(const struct sync_worker_status *ws, const struct sync_status_info *info, char *buf,
      size_t size)
{
    syncbar_state(ws, info, "L", NOW, buf, size);
    return buf;
}

static const char *
brief(const struct sync_worker_status *ws, const struct sync_status_info *info, char *buf,
      size_t size)
{
    syncbar_state_brief(ws, info, "L", "P", NOW, buf, size);
    return buf;
}

TEST(a_login_is_needed_when_none_is_held_or_it_expired)
{
    struct sync_status_info i = logged_in();
    CHECK(!syncbar_needs_login(&i, NOW));
    i.token_expires_at = 0; /* unknown expiry: trust it until the server says no */
    CHECK(!syncbar_needs_login(&i, NOW));
    i.token_expires_at = NOW;
    CHECK(syncbar_needs_login(&i, NOW));
    i = logged_in();
    i.logged_in = false;
    CHECK(syncbar_needs_login(&i, NOW));
    i = logged_in();
    i.user[0] = '\0';
    CHECK(syncbar_needs_login(&i, NOW));
}

TEST(progress_while_a_sync_runs)
{
    char buf[256];
    struct sync_status_info i = logged_in();
    struct sync_worker_status ws;
    memset(&ws, 0, sizeof ws);
    ws.ready = ws.running = true;
    ws.job = SYNC_JOB_SYNC;
    ws.progress.phase = SYNC_PHASE_CONNECT;
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Syncing: connecting");
    ws.progress.phase = SYNC_PHASE_PUSH;
    ws.progress.to_push = 5;
    ws.progress.pushed = 2;
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Syncing: sent 2 of 5 edits");
    ws.progress.phase = SYNC_PHASE_PULL;
    ws.progress.pages = 3;
    ws.progress.records = 120;
    ws.progress.bytes_sent = 1000;
    ws.progress.bytes_received = 45000; /* 46000 bytes: 45 KB rounded up */
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Syncing: received 120 changes, 3 pages, 45 KB");
    ws.progress.phase = SYNC_PHASE_WAIT;
    ws.progress.wait_ms = 2100;
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Syncing: trying again in 3 s");
    ws.progress.phase = SYNC_PHASE_IDLE;
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Syncing");
    CHECK_STR_EQ(brief(&ws, &i, buf, sizeof buf), "Syncing...");
    ws.job = SYNC_JOB_LOGIN;
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Logging in...");
    /* Even while logged out: the running job is what matters. */
    i.logged_in = false;
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Logging in...");
}

TEST(the_outcome_of_the_last_sync)
{
    char buf[256];
    struct sync_status_info i = logged_in();
    struct sync_worker_status ws;
    memset(&ws, 0, sizeof ws);
    ws.ready = true;
    ws.finished = 1;
    ws.job = SYNC_JOB_SYNC;
    ws.last_status = DP_OK;
    ws.last_finished_at = NOW;
    ws.last.applied = 2;
    ws.last.merged = 1;
    ws.last.conflicts = 1;
    ws.last.rejected = 1;
    ws.last.puts = 100;
    ws.last.removes = 15;
    ws.last.conflict_updates = 5;
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Synced 12:03, 5 sent, 120 received");
    CHECK_STR_EQ(brief(&ws, &i, buf, sizeof buf), "Synced 12:03");
    ws.last_status = DP_ECANCELED;
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Sync cancelled");
    ws.last_status = DP_ENETWORK;
    snprintf(ws.last.message, sizeof ws.last.message, "giving up after 6 tries: timeout");
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Sync failed: giving up after 6 tries: timeout");
    CHECK_STR_EQ(brief(&ws, &i, buf, sizeof buf), "Sync failed: see P");
    ws.last.message[0] = '\0';
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Sync failed: network error");
    /* Refused login: says to log in while none is held, then what the cache knows. */
    ws.last_status = DP_EAUTH;
    i.logged_in = false;
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Not synced: log in first (press L)");
    i = logged_in();
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Never synced");
    /* A login alone is not a sync result. */
    ws.job = SYNC_JOB_LOGIN;
    ws.last_status = DP_OK;
    snprintf(i.last_success, sizeof i.last_success, "2024-02-29T01:30:00Z");
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Last synced 2024-02-29 09:30");
}

TEST(what_the_cache_remembers_without_a_sync_this_session)
{
    char buf[256];
    struct sync_status_info i = logged_in();
    CHECK_STR_EQ(state(NULL, &i, buf, sizeof buf), "Never synced");
    snprintf(i.last_success, sizeof i.last_success, "2024-03-01T04:03:00Z");
    CHECK_STR_EQ(state(NULL, &i, buf, sizeof buf), "Last synced 2024-03-01 12:03");
    snprintf(i.last_error, sizeof i.last_error, "the server failed (HTTP 500)");
    CHECK_STR_EQ(state(NULL, &i, buf, sizeof buf),
                 "Last sync failed: the server failed (HTTP 500)");
    CHECK_STR_EQ(brief(NULL, &i, buf, sizeof buf), "Last sync failed: see P");
    i.logged_in = false;
    CHECK_STR_EQ(state(NULL, &i, buf, sizeof buf), "Logged out: press L to log in");
    i.user[0] = '\0';
    CHECK_STR_EQ(state(NULL, &i, buf, sizeof buf), "Not logged in: press L");
    /* The worker could not start: that comes first. */
    struct sync_worker_status ws;
    memset(&ws, 0, sizeof ws);
    snprintf(ws.error, sizeof ws.error, "no cache in /x");
    CHECK_STR_EQ(state(&ws, &i, buf, sizeof buf), "Sync unavailable: no cache in /x");
    CHECK_STR_EQ(brief(&ws, &i, buf, sizeof buf), "Sync unavailable: no cache in /x");
    /* A small buffer is cut, never overrun. */
    char small[8];
    state(&ws, &i, small, sizeof small);
    CHECK_INT_EQ(strlen(small), 7);
}

TEST(counts_name_only_what_waits)
{
    char buf[128];
    struct sync_status_info i = logged_in();
    syncbar_counts(&i, buf, sizeof buf);
    CHECK_STR_EQ(buf, "To send: 0");
    i.pending = 3;
    i.conflicts = 1;
    syncbar_counts(&i, buf, sizeof buf);
    CHECK_STR_EQ(buf, "To send: 3, conflicts: 1");
    i.rejected = 2;
    syncbar_counts(&i, buf, sizeof buf);
    CHECK_STR_EQ(buf, "To send: 3, conflicts: 1, refused: 2");
    i.conflicts = 0;
    syncbar_counts(&i, buf, sizeof buf);
    CHECK_STR_EQ(buf, "To send: 3, refused: 2");
    char small[12];
    syncbar_counts(&i, small, sizeof small);
    CHECK_STR_EQ(small, "To send: 3,");
}

TEST(times_are_shown_in_local_time)
{
    char buf[32];
    syncbar_local_time("2024-03-01T16:30:05Z", buf, sizeof buf);
    CHECK_STR_EQ(buf, "2024-03-02 00:30");
    syncbar_local_time("yesterday", buf, sizeof buf);
    CHECK_STR_EQ(buf, "");
    syncbar_local_time("", buf, sizeof buf);
    CHECK_STR_EQ(buf, "");
    syncbar_local_time(NULL, buf, sizeof buf);
    CHECK_STR_EQ(buf, "");
}

TEST(values_in_words)
{
    char buf[128];
    const struct field_def *risk = schema_field(&schema_household, "risk");
    const struct field_def *cats = schema_field(&schema_household, "categories");
    const struct field_def *notes = schema_field(&schema_household, "notes");
    const struct field_def *phone = schema_field(&schema_household, "phone");
    const struct field_def *money = schema_field(&schema_visit, "medical_yearly");
    const struct field_def *earner = schema_field(&schema_member, "main_earner");
    REQUIRE(risk && cats && notes && phone && money && earner);
    value_text(risk, "yellow", buf, sizeof buf);
    CHECK_STR_EQ(buf, "yellow");
    value_text(risk, "purple", buf, sizeof buf);
    CHECK_STR_EQ(buf, "purple"); /* unknown tokens show as they are */
    value_text(cats, "temp_assist,dibao", buf, sizeof buf);
    CHECK_STR_EQ(buf, "minimum living allowance, temporary assistance");
    value_text(money, "123450", buf, sizeof buf);
    CHECK_STR_EQ(buf, "1234.50");
    value_text(money, "12.5", buf, sizeof buf);
    CHECK_STR_EQ(buf, "12.5"); /* not canonical: shown as it is */
    value_text(earner, "1", buf, sizeof buf);
    CHECK_STR_EQ(buf, "yes");
    value_text(earner, "0", buf, sizeof buf);
    CHECK_STR_EQ(buf, "no");
    value_text(notes, "first line\nsecond", buf, sizeof buf);
    CHECK_STR_EQ(buf, "first line ...");
    value_text(phone, "13800138000", buf, sizeof buf);
    CHECK_STR_EQ(buf, "13800138000");
    value_text(phone, "", buf, sizeof buf);
    CHECK_STR_EQ(buf, "");
    value_text(risk, NULL, buf, sizeof buf);
    CHECK_STR_EQ(buf, "");
}

int
main(void)
{
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    RUN(a_login_is_needed_when_none_is_held_or_it_expired);
    RUN(progress_while_a_sync_runs);
    RUN(the_outcome_of_the_last_sync);
    RUN(what_the_cache_remembers_without_a_sync_this_session);
    RUN(counts_name_only_what_waits);
    RUN(times_are_shown_in_local_time);
    RUN(values_in_words);
    return test_report();
}
