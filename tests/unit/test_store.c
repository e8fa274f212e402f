/*
 * store/: opening, keys, permissions, error mapping, meta and drafts.
 * Records, the outbox and the household list have their own test files.
 */
#include "store/store.h"

#include <sys/wait.h>

#include "tests/unit/test.h"
#include "tests/unit/test_store_util.h"

static struct store *
open_ok(const char *dir)
{
    struct store *st = NULL;
    struct dp_error err;
    enum dp_status s = store_open(dir, TEST_PASS, &st, &err);
    if (s != DP_OK)
        fprintf(stderr, "    open %s: %s\n", dir, err.msg);
    return st;
}

TEST(creates_cache_with_private_modes)
{
    char dir[PATH_MAX], parent[PATH_MAX], path[PATH_MAX + 64], side[PATH_MAX + 80];
    test_fresh_dir(parent, sizeof parent, "new");
    REQUIRE(snprintf(dir, sizeof dir, "%s/a/doorstep", parent) < (int)sizeof dir);
    CHECK(!store_exists(dir));

    /* A loose umask must not leak into the files we create. */
    mode_t old = umask(0);
    struct store *st = open_ok(dir);
    umask(old);
    REQUIRE(st);
    CHECK_INT_EQ(store_schema_version(st), store_migration_count());
    test_cache_path(dir, path, sizeof path);
    CHECK_INT_EQ(test_mode(dir), 0700);
    CHECK_INT_EQ(test_mode(parent), 0700);
    CHECK_INT_EQ(test_mode(path), 0600);
    /* While open in WAL mode the -wal and -shm files exist: private too. */
    snprintf(side, sizeof side, "%s-wal", path);
    CHECK_INT_EQ(test_mode(side), 0600);
    snprintf(side, sizeof side, "%s-shm", path);
    CHECK_INT_EQ(test_mode(side), 0600);
    CHECK(store_exists(dir));

    char mode[16];
    test_sql_text(st, "PRAGMA journal_mode", mode, sizeof mode);
    CHECK_STR_EQ(mode, "wal");
    CHECK_INT_EQ(test_sql_int(st, "PRAGMA synchronous"), 2); /* FULL */
    CHECK_INT_EQ(test_sql_int(st, "PRAGMA foreign_keys"), 1);
    CHECK_INT_EQ(test_sql_int(st, "PRAGMA secure_delete"), 1);
    CHECK(test_sql_int(st, "PRAGMA busy_timeout") >= 1000);
    CHECK_INT_EQ(test_sql_int(st, "PRAGMA kdf_iter"), STORE_KDF_ITER);
    store_close(st);

    /* The file really is encrypted: no SQLite header, no plain-text table names. */
    size_t len;
    char *bytes = test_slurp(path, &len);
    REQUIRE(bytes);
    CHECK(len >= 16 && memcmp(bytes, "SQLite format 3", 15) != 0);
    CHECK(memmem(bytes, len, "households", 10) == NULL);
    free(bytes);

    st = open_ok(dir);
    CHECK(st != NULL);
    store_close(st);
}

TEST(store_exists_needs_a_nonempty_file)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];
    test_fresh_dir(dir, sizeof dir, "exists");
    CHECK(!store_exists(dir));
    REQUIRE(mkdir(dir, 0700) == 0);
    CHECK(!store_exists(dir));
    test_cache_path(dir, path, sizeof path);
    REQUIRE(test_write_file(path, "", 0, 0600));
    CHECK(!store_exists(dir));
    CHECK(!store_exists(NULL));
    /* An empty file is what a crash before the first write leaves: opening makes the cache. */
    struct store *st = open_ok(dir);
    CHECK(st != NULL);
    store_close(st);
    CHECK(store_exists(dir));
}

TEST(wrong_passphrase_is_detected_and_writes_nothing)
{
    char dir[PATH_MAX], path[PATH_MAX + 64], before[1024], after[1024];
    test_fresh_dir(dir, sizeof dir, "wrongpass");
    struct store *st = open_ok(dir);
    REQUIRE(st);
    REQUIRE(store_meta_set(st, "user_id", "w123", NULL) == DP_OK);
    store_close(st);

    test_cache_path(dir, path, sizeof path);
    size_t len0, len1;
    char *orig = test_slurp(path, &len0);
    test_list_dir(dir, before, sizeof before);

    struct dp_error err;
    st = (struct store *)&err; /* must be reset to NULL */
    CHECK_INT_EQ(store_open(dir, "not the passphrase", &st, &err), DP_EPASSPHRASE);
    CHECK(st == NULL);
    CHECK_INT_EQ(err.code, DP_EPASSPHRASE);
    CHECK(strstr(err.msg, path) != NULL);
    CHECK(strstr(err.msg, "not the passphrase") == NULL);

    char *now = test_slurp(path, &len1);
    CHECK(orig && now && len0 == len1 && memcmp(orig, now, len0) == 0);
    test_list_dir(dir, after, sizeof after);
    CHECK_STR_EQ(after, before);
    free(orig);
    free(now);

    /* Near misses are wrong too (no trimming, no case folding). */
    CHECK_INT_EQ(store_open(dir, TEST_PASS " ", &st, &err), DP_EPASSPHRASE);
    CHECK_INT_EQ(store_open(dir, "Correct horse battery staple", &st, &err), DP_EPASSPHRASE);

    st = open_ok(dir);
    REQUIRE(st);
    char *v = NULL;
    CHECK_INT_EQ(store_meta_get(st, "user_id", &v, NULL), DP_OK);
    CHECK_STR_EQ(v, "w123");
    free(v);
    store_close(st);
}

TEST(empty_passphrase_and_missing_arguments)
{
    char dir[PATH_MAX];
    struct store *st = NULL;
    struct dp_error err;
    test_fresh_dir(dir, sizeof dir, "nopass");
    CHECK_INT_EQ(store_open(dir, "", &st, &err), DP_EINVAL);
    CHECK_STR_EQ(err.field, "passphrase");
    CHECK(st == NULL);
    CHECK(!store_exists(dir));
    CHECK_INT_EQ(store_open(NULL, TEST_PASS, &st, &err), DP_EINVAL);
    CHECK_INT_EQ(store_open(dir, NULL, &st, &err), DP_EINVAL);
    CHECK_INT_EQ(store_open(dir, TEST_PASS, NULL, &err), DP_EINVAL);
    store_close(NULL);
}

/* Bytes that are not a cache must be reported, named, and left exactly as they were. */
static void
check_foreign_file(const void *data, size_t len, enum dp_status want, const char *tag)
{
    char dir[PATH_MAX], path[PATH_MAX + 64], before[1024], after[1024];
    test_fresh_dir(dir, sizeof dir, tag);
    REQUIRE(mkdir(dir, 0700) == 0);
    test_cache_path(dir, path, sizeof path);
    REQUIRE(test_write_file(path, data, len, 0600));
    test_list_dir(dir, before, sizeof before);

    struct store *st = NULL;
    struct dp_error err;
    CHECK_INT_EQ(store_open(dir, TEST_PASS, &st, &err), want);
    CHECK(st == NULL);
    CHECK(strstr(err.msg, path) != NULL);

    size_t n;
    char *now = test_slurp(path, &n);
    CHECK(now && n == len && memcmp(now, data, len) == 0);
    free(now);
    test_list_dir(dir, after, sizeof after);
    CHECK_STR_EQ(after, before);
}

TEST(garbage_files_are_refused_untouched)
{
    unsigned char junk[3 * STORE_PAGE_SIZE + 123];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (unsigned char)(x >> 16);
    }
    /* Not a whole number of pages: damaged. */
    check_foreign_file(junk, sizeof junk, DP_ECORRUPT, "junk-odd");
    /* Whole pages of noise look exactly like a cache under another key. */
    check_foreign_file(junk, 2 * STORE_PAGE_SIZE, DP_EPASSPHRASE, "junk-pages");
    /* Text, e.g. a config file copied to the wrong name. */
    static const char text[] = "server_url = https://example.org\n";
    check_foreign_file(text, sizeof text - 1, DP_ECORRUPT, "junk-text");
}

TEST(plain_sqlite_file_is_foreign)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];
    test_fresh_dir(dir, sizeof dir, "plain");
    REQUIRE(mkdir(dir, 0700) == 0);
    test_cache_path(dir, path, sizeof path);

    /* Opening without a key makes an ordinary, unencrypted SQLite file. */
    sqlite3 *db = NULL;
    REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "CREATE TABLE households(id TEXT); INSERT INTO households VALUES('x')",
                         NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    chmod(path, 0600);

    size_t len;
    char *data = test_slurp(path, &len);
    REQUIRE(data);
    struct store *st = NULL;
    struct dp_error err;
    CHECK_INT_EQ(store_open(dir, TEST_PASS, &st, &err), DP_EPASSPHRASE);
    CHECK(st == NULL);
    CHECK(strstr(err.msg, path) != NULL);
    CHECK(strstr(err.msg, "unencrypted") != NULL);
    size_t n;
    char *now = test_slurp(path, &n);
    CHECK(now && n == len && memcmp(now, data, len) == 0);
    free(now);
    free(data);
}

TEST(newer_schema_is_refused)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];
    test_fresh_dir(dir, sizeof dir, "newer");
    struct store *st = open_ok(dir);
    REQUIRE(st);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", store_migration_count() + 1);
    REQUIRE(test_sql(st, sql) == SQLITE_OK);
    store_close(st);

    test_cache_path(dir, path, sizeof path);
    size_t len0, len1;
    char *orig = test_slurp(path, &len0);
    struct dp_error err;
    st = NULL;
    CHECK_INT_EQ(store_open(dir, TEST_PASS, &st, &err), DP_EVERSION);
    CHECK(st == NULL);
    CHECK(strstr(err.msg, path) != NULL);
    char *now = test_slurp(path, &len1);
    CHECK(orig && now && len0 == len1 && memcmp(orig, now, len0) == 0);
    free(orig);
    free(now);
}

TEST(loose_modes_of_our_own_are_tightened)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];
    test_fresh_dir(dir, sizeof dir, "loose");
    struct store *st = open_ok(dir);
    REQUIRE(st);
    store_close(st);
    test_cache_path(dir, path, sizeof path);
    REQUIRE(chmod(dir, 0755) == 0);
    REQUIRE(chmod(path, 0644) == 0);
    st = open_ok(dir);
    CHECK(st != NULL);
    CHECK_INT_EQ(test_mode(dir), 0700);
    CHECK_INT_EQ(test_mode(path), 0600);
    store_close(st);
}

TEST(links_and_other_users_files_are_refused)
{
    char dir[PATH_MAX], other[PATH_MAX], path[PATH_MAX + 64];
    struct store *st = NULL;
    struct dp_error err;

    /* A symbolic link in place of the cache could point anywhere. */
    test_fresh_dir(dir, sizeof dir, "link");
    test_fresh_dir(other, sizeof other, "link-target");
    st = open_ok(other);
    REQUIRE(st);
    store_close(st);
    REQUIRE(mkdir(dir, 0700) == 0);
    test_cache_path(dir, path, sizeof path);
    char target[PATH_MAX + 64];
    test_cache_path(other, target, sizeof target);
    REQUIRE(symlink(target, path) == 0);
    CHECK_INT_EQ(store_open(dir, TEST_PASS, &st, &err), DP_EPERM);
    CHECK(st == NULL);
    CHECK(strstr(err.msg, path) != NULL);

    if (geteuid() != 0) {
        fprintf(stderr, "  note: not root, cannot chown: another user's directory not tested\n");
        return;
    }
    /* Root can hand the directory to another user and check that it is refused. */
    test_fresh_dir(dir, sizeof dir, "foreign");
    REQUIRE(mkdir(dir, 0700) == 0);
    REQUIRE(chown(dir, 65534, 65534) == 0);
    CHECK_INT_EQ(store_open(dir, TEST_PASS, &st, &err), DP_EPERM);
    CHECK(st == NULL);
    CHECK(strstr(err.msg, dir) != NULL);
    CHECK(!store_exists(dir));
    CHECK_INT_EQ(test_mode(dir), 0700);
}

TEST(error_mapping)
{
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_OK, 0), DP_OK);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_FULL, 0), DP_EFULL);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_IOERR_WRITE, ENOSPC), DP_EFULL);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_IOERR_FSYNC, EDQUOT), DP_EFULL);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_READONLY, 0), DP_EREADONLY);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_READONLY_DBMOVED, 0), DP_EREADONLY);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_CANTOPEN, EACCES), DP_EREADONLY);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_IOERR_WRITE, EROFS), DP_EREADONLY);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_PERM, 0), DP_EREADONLY);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_CORRUPT, 0), DP_ECORRUPT);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_NOTADB, 0), DP_EPASSPHRASE);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_BUSY, 0), DP_EBUSY);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_BUSY_SNAPSHOT, 0), DP_EBUSY);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_NOMEM, 0), DP_ENOMEM);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_CONSTRAINT_UNIQUE, 0), DP_EINVAL);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_TOOBIG, 0), DP_ETOOBIG);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_IOERR_READ, EIO), DP_EIO);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_CANTOPEN, ENOENT), DP_EIO);
    CHECK_INT_EQ(store_status_from_sqlite(SQLITE_ERROR, 0), DP_EIO);
}

TEST(read_only_directory)
{
    char dir[PATH_MAX];
    struct store *st = NULL;
    struct dp_error err;
    test_fresh_dir(dir, sizeof dir, "rodir");
    REQUIRE(mkdir(dir, 0500) == 0);
    if (geteuid() == 0) {
        /* Root writes through mode bits; the mapping itself is checked in error_mapping. */
        fprintf(stderr, "  note: running as root: read-only directory not testable, "
                        "covered by error_mapping and read_only_open_writes_nothing\n");
        return;
    }
    CHECK_INT_EQ(store_open(dir, TEST_PASS, &st, &err), DP_EREADONLY);
    CHECK(st == NULL);
    CHECK(strstr(err.msg, dir) != NULL);
    CHECK(!store_exists(dir));

    /* An existing cache in a directory that became read-only: no -wal can be made. */
    test_fresh_dir(dir, sizeof dir, "rodir-existing");
    st = open_ok(dir);
    REQUIRE(st);
    store_close(st);
    REQUIRE(chmod(dir, 0500) == 0);
    st = NULL;
    enum dp_status s = store_open(dir, TEST_PASS, &st, &err);
    CHECK_INT_EQ(s, DP_EREADONLY);
    if (s != DP_OK)
        CHECK(strstr(err.msg, dir) != NULL);
    store_close(st);
    chmod(dir, 0700);
}

TEST(read_only_open_writes_nothing)
{
    char dir[PATH_MAX], path[PATH_MAX + 64], missing[PATH_MAX];
    struct store *st = NULL;
    struct dp_error err;
    struct store_options ro = {.read_only = true};

    test_fresh_dir(missing, sizeof missing, "ro-missing");
    CHECK_INT_EQ(store_open_with(missing, TEST_PASS, &ro, &st, &err), DP_ENOTFOUND);
    CHECK(st == NULL);
    CHECK(access(missing, F_OK) != 0); /* not even the directory is made */

    test_fresh_dir(dir, sizeof dir, "ro");
    st = open_ok(dir);
    REQUIRE(st);
    REQUIRE(store_meta_set(st, "cursor", "c1", NULL) == DP_OK);
    REQUIRE(store_draft_put(st, "visit:1", "typed", NULL) == DP_OK);
    store_close(st);

    test_cache_path(dir, path, sizeof path);
    size_t len0, len1;
    char *orig = test_slurp(path, &len0);
    REQUIRE(store_open_with(dir, TEST_PASS, &ro, &st, &err) == DP_OK);
    char *v = NULL;
    CHECK_INT_EQ(store_meta_get(st, "cursor", &v, &err), DP_OK);
    CHECK_STR_EQ(v, "c1");
    free(v);
    CHECK_INT_EQ(store_meta_set(st, "cursor", "c2", &err), DP_EREADONLY);
    CHECK(strstr(err.msg, path) != NULL);
    CHECK_INT_EQ(store_draft_put(st, "visit:1", "other", &err), DP_EREADONLY);
    CHECK_INT_EQ(store_draft_drop(st, "visit:1", &err), DP_EREADONLY);
    store_close(st);
    char *now = test_slurp(path, &len1);
    CHECK(orig && now && len0 == len1 && memcmp(orig, now, len0) == 0);
    free(orig);
    free(now);

    /* Wrong passphrase read-only is still a wrong passphrase. */
    CHECK_INT_EQ(store_open_with(dir, "nope", &ro, &st, &err), DP_EPASSPHRASE);

    st = open_ok(dir);
    REQUIRE(st);
    CHECK_INT_EQ(store_draft_get(st, "visit:1", &v, &err), DP_OK);
    CHECK_STR_EQ(v, "typed");
    free(v);
    store_close(st);
}

TEST(disk_full_is_reported_and_rolled_back)
{
    char dir[PATH_MAX];
    struct dp_error err;
    test_fresh_dir(dir, sizeof dir, "full");
    struct store *st = open_ok(dir);
    REQUIRE(st);
    REQUIRE(store_draft_put(st, "small", "fits", NULL) == DP_OK);
    /* Cap the file at its current size: the next page it needs is "disk full". */
    long long pages = test_sql_int(st, "PRAGMA page_count");
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", pages);
    REQUIRE(test_sql_int(st, sql) == pages);

    size_t big = 64 * 1024;
    char *text = malloc(big + 1);
    REQUIRE(text);
    memset(text, 'x', big);
    text[big] = '\0';
    CHECK_INT_EQ(store_draft_put(st, "big", text, &err), DP_EFULL);
    CHECK(strstr(err.msg, STORE_FILE_NAME) != NULL);
    free(text);

    char *v = (char *)"sentinel";
    CHECK_INT_EQ(store_draft_get(st, "big", &v, &err), DP_OK);
    CHECK(v == NULL);
    CHECK_INT_EQ(store_draft_get(st, "small", &v, &err), DP_OK);
    CHECK_STR_EQ(v, "fits");
    free(v);
    store_close(st);
}

TEST(meta_values)
{
    char dir[PATH_MAX];
    struct dp_error err;
    test_fresh_dir(dir, sizeof dir, "meta");
    struct store *st = open_ok(dir);
    REQUIRE(st);

    char *v = (char *)"sentinel";
    CHECK_INT_EQ(store_meta_get(st, "cursor", &v, &err), DP_OK);
    CHECK(v == NULL);

    /* A device id is made once, at creation: a UUIDv4. */
    CHECK_INT_EQ(store_meta_get(st, "device_id", &v, &err), DP_OK);
    REQUIRE(v);
    CHECK_INT_EQ(strlen(v), 36);
    CHECK(v[8] == '-' && v[13] == '-' && v[14] == '4' && v[18] == '-' && v[23] == '-');
    CHECK(strchr("89ab", v[19]) != NULL);
    for (const char *p = v; *p; p++)
        CHECK(*p == '-' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
    char device[40];
    snprintf(device, sizeof device, "%s", v);
    free(v);

    CHECK_INT_EQ(store_meta_get(st, "next_mid", &v, &err), DP_OK);
    CHECK_STR_EQ(v, "1");
    free(v);

    CHECK_INT_EQ(store_meta_set(st, "cursor", "c1.e.s.42", &err), DP_OK);
    CHECK_INT_EQ(store_meta_set(st, "cursor", "c1.e.s.43", &err), DP_OK);
    CHECK_INT_EQ(store_meta_get(st, "cursor", &v, &err), DP_OK);
    CHECK_STR_EQ(v, "c1.e.s.43");
    free(v);
    CHECK_INT_EQ(store_meta_set(st, "cursor", NULL, &err), DP_OK);
    CHECK_INT_EQ(store_meta_get(st, "cursor", &v, &err), DP_OK);
    CHECK(v == NULL);
    CHECK_INT_EQ(store_meta_set(st, "", "x", &err), DP_EINVAL);
    CHECK_INT_EQ(store_meta_get(st, NULL, &v, &err), DP_EINVAL);

    int64_t n = 0;
    CHECK_INT_EQ(store_meta_get_int(st, "acked_mid", 7, &n, &err), DP_OK);
    CHECK_INT_EQ(n, 7);
    CHECK_INT_EQ(store_meta_set_int(st, "acked_mid", INT64_C(9007199254740993), &err), DP_OK);
    CHECK_INT_EQ(store_meta_get_int(st, "acked_mid", 7, &n, &err), DP_OK);
    CHECK(n == INT64_C(9007199254740993));
    CHECK_INT_EQ(store_meta_set(st, "acked_mid", "12abc", &err), DP_OK);
    CHECK_INT_EQ(store_meta_get_int(st, "acked_mid", 7, &n, &err), DP_OK);
    CHECK_INT_EQ(n, 7);

    long pending = -1, conflicts = -1;
    CHECK_INT_EQ(store_pending_count(st, &pending, &conflicts, &err), DP_OK);
    CHECK_INT_EQ(pending, 0);
    CHECK_INT_EQ(conflicts, 0);
    store_close(st);

    /* The device id survives reopening. */
    st = open_ok(dir);
    REQUIRE(st);
    CHECK_INT_EQ(store_meta_get(st, "device_id", &v, &err), DP_OK);
    CHECK_STR_EQ(v, device);
    free(v);
    store_close(st);

    /* Two caches get different device ids. */
    test_fresh_dir(dir, sizeof dir, "meta2");
    st = open_ok(dir);
    REQUIRE(st);
    CHECK_INT_EQ(store_meta_get(st, "device_id", &v, &err), DP_OK);
    CHECK(v && strcmp(v, device) != 0);
    free(v);
    store_close(st);
}

TEST(drafts)
{
    char dir[PATH_MAX];
    struct dp_error err;
    test_fresh_dir(dir, sizeof dir, "drafts");
    struct store *st = open_ok(dir);
    REQUIRE(st);
    char *v = (char *)"sentinel";
    CHECK_INT_EQ(store_draft_get(st, "visit:abc", &v, &err), DP_OK);
    CHECK(v == NULL);

    const char *text = "date=2025-03-01\nnotes=王小明 说：\"明天再来\"\n";
    CHECK_INT_EQ(store_draft_put(st, "visit:abc", text, &err), DP_OK);
    CHECK_INT_EQ(store_draft_put(st, "member:def", "name=李", &err), DP_OK);
    CHECK_INT_EQ(store_draft_get(st, "visit:abc", &v, &err), DP_OK);
    CHECK_STR_EQ(v, text);
    free(v);
    CHECK_INT_EQ(store_draft_put(st, "visit:abc", "", &err), DP_OK);
    CHECK_INT_EQ(store_draft_get(st, "visit:abc", &v, &err), DP_OK);
    CHECK_STR_EQ(v, "");
    free(v);
    CHECK_INT_EQ(store_draft_drop(st, "visit:abc", &err), DP_OK);
    CHECK_INT_EQ(store_draft_drop(st, "visit:abc", &err), DP_OK); /* dropping twice is fine */
    CHECK_INT_EQ(store_draft_get(st, "visit:abc", &v, &err), DP_OK);
    CHECK(v == NULL);
    CHECK_INT_EQ(store_draft_put(st, "k", NULL, &err), DP_EINVAL);
    store_close(st);

    /* Drafts survive a restart: that is their point. */
    st = open_ok(dir);
    REQUIRE(st);
    CHECK_INT_EQ(store_draft_get(st, "member:def", &v, &err), DP_OK);
    CHECK_STR_EQ(v, "name=李");
    free(v);
    store_close(st);
}

TEST(two_handles_share_the_cache)
{
    char dir[PATH_MAX];
    test_fresh_dir(dir, sizeof dir, "two");
    struct store *a = open_ok(dir);
    struct store *b = open_ok(dir);
    REQUIRE(a && b);
    CHECK_INT_EQ(store_meta_set(a, "cursor", "from-a", NULL), DP_OK);
    char *v = NULL;
    CHECK_INT_EQ(store_meta_get(b, "cursor", &v, NULL), DP_OK);
    CHECK_STR_EQ(v, "from-a");
    free(v);
    store_close(a);
    store_close(b);
}

TEST(committed_data_survives_a_crash)
{
    char dir[PATH_MAX], path[PATH_MAX + 64], wal[PATH_MAX + 80];
    test_fresh_dir(dir, sizeof dir, "crash");
    struct store *st = open_ok(dir);
    REQUIRE(st);
    store_close(st);
    fflush(NULL);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        /* Commit, then die without closing: the data is only in the -wal file. */
        struct store *child = NULL;
        if (store_open(dir, TEST_PASS, &child, NULL) != DP_OK ||
            store_draft_put(child, "visit:1", "typed before the crash", NULL) != DP_OK)
            _exit(1);
        _exit(0);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    test_cache_path(dir, path, sizeof path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    CHECK_INT_EQ(test_mode(wal), 0600);

    st = open_ok(dir);
    REQUIRE(st);
    char *v = NULL;
    CHECK_INT_EQ(store_draft_get(st, "visit:1", &v, NULL), DP_OK);
    CHECK_STR_EQ(v, "typed before the crash");
    free(v);
    char ok[16];
    test_sql_text(st, "PRAGMA integrity_check", ok, sizeof ok);
    CHECK_STR_EQ(ok, "ok");
    store_close(st);
}

int
main(void)
{
    test_root_make();
    RUN(creates_cache_with_private_modes);
    RUN(store_exists_needs_a_nonempty_file);
    RUN(wrong_passphrase_is_detected_and_writes_nothing);
    RUN(empty_passphrase_and_missing_arguments);
    RUN(garbage_files_are_refused_untouched);
    RUN(plain_sqlite_file_is_foreign);
    RUN(newer_schema_is_refused);
    RUN(loose_modes_of_our_own_are_tightened);
    RUN(links_and_other_users_files_are_refused);
    RUN(error_mapping);
    RUN(read_only_directory);
    RUN(read_only_open_writes_nothing);
    RUN(disk_full_is_reported_and_rolled_back);
    RUN(meta_values);
    RUN(drafts);
    RUN(two_handles_share_the_cache);
    RUN(committed_data_survives_a_crash);
    test_root_remove();
    return test_report();
}
