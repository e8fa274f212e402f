/*
 * doorstep login: ask the server for a token and keep it in the encrypted
 * cache (never in the config, never on the command line). The password is
 * read from the terminal with echo off, or with --password-stdin from the
 * first line of standard input, for scripts; it is wiped after use.
 */
#include "client/commands.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/passphrase.h"
#include "core/i18n.h"
#include "store/store.h"
#include "store/sync_store.h"
#include "sync/sync.h"

/* The protocol's password limit (PROTOCOL.md 4.1). */
#define PASSWORD_MAX 128

enum { OPT_PASSWORD_STDIN = 256, OPT_USER };

struct login_opts {
    bool password_stdin;
    const char *user;
};

static void
login_help(const struct cli *cli)
{
    (void)cli;
    printf(_("Usage: doorstep login [--user NAME] [--password-stdin]\n"
             "\n"
             "Logs in to the server in server_url as NAME (default: username in the\n"
             "configuration) and keeps the login in the encrypted cache, so that\n"
             "doorstep sync can run unattended until the login expires. The password is\n"
             "asked on the terminal, or read from the first line of standard input with\n"
             "--password-stdin.\n"
             "\n"
             "Common options: --config FILE, --data-dir DIR, --passphrase-file FILE.\n"));
}

static int
login_option(void *ctx, int id, const char *arg)
{
    struct login_opts *o = ctx;
    if (id == OPT_PASSWORD_STDIN)
        o->password_stdin = true;
    else if (id == OPT_USER)
        o->user = arg;
    return 0;
}

/* First line of stdin, without its line end. */
static bool
password_from_stdin(char *buf, size_t bufsize)
{
    size_t n = 0;
    int c;
    while ((c = getchar()) != EOF && c != '\n') {
        if (n + 1 >= bufsize || c == '\0') {
            cli_error(_("login: the password on standard input is too long or holds a NUL"));
            return false;
        }
        buf[n++] = (char)c;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    if (n == 0) {
        cli_error(_("login: no password on standard input"));
        return false;
    }
    return true;
}

static bool
password_from_terminal(const char *user, char *buf, size_t bufsize)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        cli_error(_("login: no terminal to ask for the password; use --password-stdin"));
        return false;
    }
    close(fd);
    char prompt[128];
    struct dp_error err;
    snprintf(prompt, sizeof prompt, _("Password for %s: "), user);
    if (passphrase_from_terminal(prompt, false, buf, bufsize, &err) != DP_OK) {
        cli_error("%s", err.msg);
        return false;
    }
    if (!buf[0]) {
        cli_error(_("login: the password is empty"));
        return false;
    }
    return true;
}

int
cmd_login(struct cli *cli, int argc, char **argv)
{
    static const struct cli_option opts[] = {
        {"password-stdin", false, OPT_PASSWORD_STDIN},
        {"user", true, OPT_USER},
    };
    struct login_opts lo = {0};
    struct config cfg;
    struct store *st = NULL;
    char password[PASSWORD_MAX + 2];
    int rc = cli_parse(cli, argc, argv, opts, 2, login_option, &lo, login_help);
    if (rc >= 0)
        return rc;
    if (!cli_load_config(cli, &cfg))
        return CLI_EXIT_USAGE;
    const char *user = lo.user ? lo.user : cfg.username;
    if (!cfg.server_url[0]) {
        cli_error(_("login: server_url is not set in the configuration"));
        return CLI_EXIT_USAGE;
    }
    if (!user[0]) {
        cli_error(_("login: no user name (set username in the configuration or use --user)"));
        return CLI_EXIT_USAGE;
    }
    /* The password first when it comes on stdin: the cache passphrase may need the terminal. */
    if (lo.password_stdin && !password_from_stdin(password, sizeof password)) {
        passphrase_wipe(password, sizeof password);
        return CLI_EXIT_FAIL;
    }
    rc = CLI_EXIT_FAIL;
    if (!cli_open_cache(&cfg, true, &st))
        goto out;
    if (!lo.password_stdin && !password_from_terminal(user, password, sizeof password))
        goto out;

    struct sync_options o;
    struct sync_result res;
    struct dp_error err;
    sync_options_init(&o);
    o.server_url = cfg.server_url;
    o.ca_file = cfg.ca_file;
    o.pin_sha256 = cfg.pin_sha256;
    o.app_version = DOORSTEP_VERSION;
    enum dp_status s = sync_login(&o, st, user, password, &res, &err);
    passphrase_wipe(password, sizeof password);
    if (s != DP_OK) {
        cli_error(_("login: %s"), res.message[0] ? res.message : dp_strerror(s));
        rc = s == DP_ECONFIG ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
        goto out;
    }
    struct sync_status_info info;
    if (store_sync_status(st, &info, &err) == DP_OK) {
        char until[32] = "";
        time_t t = (time_t)info.token_expires_at;
        struct tm tm;
        if (t > 0 && gmtime_r(&t, &tm))
            strftime(until, sizeof until, "%Y-%m-%d %H:%M UTC", &tm);
        printf(_("Logged in as %s (%s) until %s.\n"), info.user, info.role, until);
    }
    rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
out:
    passphrase_wipe(password, sizeof password);
    store_close(st);
    return rc;
}
