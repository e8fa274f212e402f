/*
 * Helpers shared by the store tests: a scratch directory per test program,
 * removed at the end, and small file utilities. Include after test.h.
 */
#ifndef DOORSTEP_TESTS_UNIT_TEST_STORE_UTIL_H
#define DOORSTEP_TESTS_UNIT_TEST_STORE_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/internal.h"
#include "store/store.h"

#define TEST_PASS "correct horse battery staple"

static char test_root[PATH_MAX];
static int test_dir_seq;

static inline void
test_root_make(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(test_root, sizeof test_root, "%s/doorstep-store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(test_root)) {
        perror("mkdtemp");
        exit(2);
    }
}

static inline int
test_open_up(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag == FTW_D || flag == FTW_DNR)
        chmod(path, 0700);
    (void)sb;
    return 0;
}

static inline int
test_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (flag == FTW_DP)
        return rmdir(path) != 0 ? -1 : 0;
    return unlink(path) != 0 ? -1 : 0;
}

static inline void
test_root_remove(void)
{
    /* Some tests leave a directory read-only: open everything up first. */
    nftw(test_root, test_open_up, 16, FTW_PHYS);
    if (nftw(test_root, test_rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "warning: could not remove %s\n", test_root);
}

/* A fresh path under the scratch root (not created). */
static inline void
test_fresh_dir(char *buf, size_t bufsize, const char *tag)
{
    int n = snprintf(buf, bufsize, "%s/%s-%d", test_root, tag, ++test_dir_seq);
    if (n < 0 || (size_t)n >= bufsize)
        abort();
}

static inline void
test_cache_path(const char *dir, char *buf, size_t bufsize)
{
    int n = snprintf(buf, bufsize, "%s/%s", dir, STORE_FILE_NAME);
    if (n < 0 || (size_t)n >= bufsize)
        abort();
}

/* Whole file into a malloc'd buffer; NULL if missing. */
static inline char *
test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *len = 0;
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger)
                break;
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

static inline bool
test_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return false;
    bool ok = write(fd, data, len) == (ssize_t)len;
    close(fd);
    return ok;
}

/* Names in a directory joined by spaces, sorted, into buf (for "nothing new appeared"). */
static inline void
test_list_dir(const char *dir, char *buf, size_t bufsize)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    buf[0] = '\0';
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            int w = snprintf(buf + used, bufsize - used, "%s ", names[i]->d_name);
            if (w > 0 && (size_t)w < bufsize - used)
                used += (size_t)w;
        }
        free(names[i]);
    }
    free(names);
}

static inline mode_t
test_mode(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return (mode_t)-1;
    return sb.st_mode & 07777;
}

/* Run one SQL statement on the store's own connection; returns the SQLite code. */
static inline int
test_sql(struct store *st, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(store_db(st), sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK && getenv("TEST_VERBOSE"))
        fprintf(stderr, "    sql: %s\n", msg ? msg : "?");
    sqlite3_free(msg);
    return rc;
}

/* First column of the first row as an integer (-1 on error or no row). */
static inline long long
test_sql_int(struct store *st, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

/* First column of the first row as text into buf ("" on error or no row). */
static inline void
test_sql_text(struct store *st, const char *sql, char *buf, size_t bufsize)
{
    sqlite3_stmt *stmt = NULL;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
        snprintf(buf, bufsize, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
}

#endif
