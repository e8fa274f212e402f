#include "client/passphrase.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/test.h"

static char tmpdir[256];
static char file[300];

static int
remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
put(const char *data, size_t len, mode_t mode)
{
    unlink(file);
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
        perror(file);
        exit(2);
    }
    close(fd);
    chmod(file, mode);
}

static enum dp_status
read_back(char *buf, size_t bufsize, struct dp_error *err)
{
    return passphrase_from_file(file, buf, bufsize, err);
}

TEST(reads_first_line_without_its_end)
{
    char buf[PASSPHRASE_MAX + 1];
    struct dp_error err;
    put("correct horse\n", 14, 0600);
    CHECK_INT_EQ(read_back(buf, sizeof buf, &err), DP_OK);
    CHECK_STR_EQ(buf, "correct horse");

    put("with crlf\r\nsecond line ignored\n", 31, 0400);
    CHECK_INT_EQ(read_back(buf, sizeof buf, &err), DP_OK);
    CHECK_STR_EQ(buf, "with crlf");

    put("no newline at all", 17, 0600);
    CHECK_INT_EQ(read_back(buf, sizeof buf, &err), DP_OK);
    CHECK_STR_EQ(buf, "no newline at all");

    put("  blanks kept  \n", 16, 0600);
    CHECK_INT_EQ(read_back(buf, sizeof buf, &err), DP_OK);
    CHECK_STR_EQ(buf, "  blanks kept  ");

    put("口令 中文\n", 14, 0600);
    CHECK_INT_EQ(read_back(buf, sizeof buf, &err), DP_OK);
    CHECK_STR_EQ(buf, "口令 中文");
}

TEST(refuses_files_others_can_read)
{
    char buf[PASSPHRASE_MAX + 1];
    struct dp_error err;
    put("secretvalue\n", 12, 0644);
    CHECK_INT_EQ(read_back(buf, sizeof buf, &err), DP_EPERM);
    CHECK(strstr(err.msg, "chmod 600") != NULL);
    CHECK(strstr(err.msg, "secretvalue") == NULL);
    CHECK_STR_EQ(buf, "");
    put("secretvalue\n", 12, 0640);
    CHECK_INT_EQ(read_back(buf, sizeof buf, &err), DP_EPERM);
    put("secretvalue\n", 12, 0602);
    CHECK_INT_EQ(read_back(buf, sizeof buf, &err), DP_EPERM);
}

TEST(refuses_empty_long_and_nul)
{
    char buf[PASSPHRASE_MAX + 1];
    char big[PASSPHRASE_MAX + 10];
    struct dp_error err;

    put("", 0, 0600);
    CHECK_INT_EQ(read_back(buf, sizeof buf, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "empty") != NULL);
    put("\n", 1, 0600);
    CHECK_INT_EQ(read_back(buf, sizeof buf, &err), DP_EINVAL);

    memset(big, 'p', sizeof big);
    put(big, PASSPHRASE_MAX, 0600);
    CHECK_INT_EQ(read_back(buf, sizeof buf, &err), DP_OK);
    CHECK_INT_EQ(strlen(buf), PASSPHRASE_MAX);
    put(big, PASSPHRASE_MAX + 1, 0600);
    CHECK_INT_EQ(read_back(buf, sizeof buf, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "longer than") != NULL);
    CHECK_STR_EQ(buf, "");
    /* A caller buffer smaller than the passphrase is a failure, not a cut. */
    put("0123456789\n", 11, 0600);
    CHECK_INT_EQ(read_back(buf, 8, &err), DP_EINVAL);

    put("ab\0cd\n", 6, 0600);
    CHECK_INT_EQ(read_back(buf, sizeof buf, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "NUL") != NULL);
}

TEST(refuses_missing_and_odd_files)
{
    char buf[PASSPHRASE_MAX + 1];
    char path[400];
    struct dp_error err;
    snprintf(path, sizeof path, "%s/none", tmpdir);
    CHECK_INT_EQ(passphrase_from_file(path, buf, sizeof buf, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "cannot read") != NULL);
    CHECK_INT_EQ(passphrase_from_file(tmpdir, buf, sizeof buf, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "not a regular file") != NULL);
}

TEST(reads_from_a_pipe)
{
    char buf[PASSPHRASE_MAX + 1];
    char fifo[400];
    struct dp_error err;
    snprintf(fifo, sizeof fifo, "%s/fifo", tmpdir);
    REQUIRE(mkfifo(fifo, 0600) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int fd = open(fifo, O_WRONLY);
        ssize_t n = write(fd, "piped pass\n", 11);
        _exit(n == 11 ? 0 : 1);
    }
    CHECK_INT_EQ(passphrase_from_file(fifo, buf, sizeof buf, &err), DP_OK);
    CHECK_STR_EQ(buf, "piped pass");
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(get_uses_the_file_and_checks_new_length)
{
    struct config cfg;
    char buf[PASSPHRASE_MAX + 1];
    struct dp_error err;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.passphrase_file, sizeof cfg.passphrase_file, "%s", file);

    put("short\n", 6, 0600);
    CHECK_INT_EQ(passphrase_get(&cfg, false, buf, sizeof buf, &err), DP_OK);
    CHECK_STR_EQ(buf, "short");
    CHECK_INT_EQ(passphrase_get(&cfg, true, buf, sizeof buf, &err), DP_EINVAL);
    CHECK(strstr(err.msg, "at least 8") != NULL);
    CHECK_STR_EQ(buf, "");
    /* Eight characters, counted as characters, not bytes. */
    put("一二三四五六七八\n", 25, 0600);
    CHECK_INT_EQ(passphrase_get(&cfg, true, buf, sizeof buf, &err), DP_OK);
    put("一二三四五六七\n", 22, 0600);
    CHECK_INT_EQ(passphrase_get(&cfg, true, buf, sizeof buf, &err), DP_EINVAL);
}

TEST(wipe_clears)
{
    char buf[16] = "secret";
    passphrase_wipe(buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++)
        CHECK_INT_EQ(buf[i], 0);
    passphrase_wipe(NULL, 10);
}

int
main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/doorstep-pass.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(file, sizeof file, "%s/pass", tmpdir);
    RUN(reads_first_line_without_its_end);
    RUN(refuses_files_others_can_read);
    RUN(refuses_empty_long_and_nul);
    RUN(refuses_missing_and_odd_files);
    RUN(reads_from_a_pipe);
    RUN(get_uses_the_file_and_checks_new_length);
    RUN(wipe_clears);
    nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return test_report();
}
