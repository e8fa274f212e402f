/* Helpers shared by the admin subcommands. */
#include "server/admin.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "server/audit.h"
#include "server/db.h"
#include "server/users.h"

const char *
admin_db_path(const char *opt)
{
    if (opt && opt[0])
        return opt;
    const char *env = getenv("DOORSTEP_DB");
    return env && env[0] ? env : NULL;
}

void
admin_fail(const char *cmd, const struct dp_error *err)
{
    if (err->field[0])
        fprintf(stderr, "doorstep-server %s: %s: %s\n", cmd, err->field, err->msg);
    else
        fprintf(stderr, "doorstep-server %s: %s\n", cmd,
                err->msg[0] ? err->msg : dp_strerror(err->code));
}

sqlite3 *
admin_open(const char *path)
{
    if (!path) {
        fprintf(stderr, "doorstep-server: no database: give --db FILE or set DOORSTEP_DB\n");
        return NULL;
    }
    sqlite3 *db = NULL;
    struct dp_error err;
    dp_error_clear(&err);
    if (db_open(path, &db, &err) != DP_OK) {
        fprintf(stderr, "doorstep-server: %s: %s\n", path, err.msg);
        return NULL;
    }
    /* Any command may be the first to open a restored file: check before anything is noted. */
    bool rotated = false;
    if (db_check_restored(db, path, &rotated, &err) != DP_OK) {
        fprintf(stderr, "doorstep-server: %s: %s\n", path, err.msg);
        db_close(db);
        return NULL;
    }
    if (rotated) {
        fputs("doorstep-server: the database was restored or replaced since it was last used;"
              " a new epoch makes every client re-download its data\n",
              stderr);
        char actor[64];
        audit_admin_actor(actor, sizeof actor);
        struct audit_entry e = {.user = actor, .action = "new_epoch", .detail = "restore detected"};
        audit_log(db, &e, NULL);
    }
    return db;
}

/* One line without its end; false on EOF/error or when it does not fit. */
static bool
read_line(FILE *f, char *buf, size_t bufsize)
{
    if (!fgets(buf, (int)bufsize, f))
        return false;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(f))
        return false;
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return true;
}

static bool
prompt(FILE *tty, const char *text, char *buf, size_t bufsize)
{
    struct termios old, quiet;
    int fd = fileno(tty);
    bool have = tcgetattr(fd, &old) == 0;
    if (have) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    fputs(text, tty);
    fflush(tty);
    bool ok = read_line(tty, buf, bufsize);
    if (have)
        tcsetattr(fd, TCSAFLUSH, &old);
    fputs("\n", tty);
    return ok;
}

enum dp_status
admin_read_password(bool from_stdin, char *buf, size_t bufsize, struct dp_error *err)
{
    buf[0] = '\0';
    if (from_stdin) {
        if (!read_line(stdin, buf, bufsize))
            return dp_error_set(err, DP_EINVAL, "password",
                                "could not read a password line from stdin");
        return users_password_valid(buf, err);
    }
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return dp_error_set(err, DP_EINVAL, "password",
                            "no terminal to ask for a password; use --password-stdin");
    char again[256];
    enum dp_status st = DP_OK;
    if (!prompt(tty, "Password: ", buf, bufsize) || !prompt(tty, "Again: ", again, sizeof again))
        st = dp_error_set(err, DP_EINVAL, "password", "could not read the password");
    else if (strcmp(buf, again) != 0)
        st = dp_error_set(err, DP_EINVAL, "password", "the two passwords differ");
    else
        st = users_password_valid(buf, err);
    sodium_memzero(again, sizeof again);
    fclose(tty);
    return st;
}
