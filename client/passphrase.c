#include "client/passphrase.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "core/i18n.h"
#include "core/utf8.h"

void
passphrase_wipe(char *buf, size_t bufsize)
{
    if (buf && bufsize)
        explicit_bzero(buf, bufsize);
}

/* Drop one trailing "\n" or "\r\n". */
static void
chomp(char *buf, size_t *len)
{
    if (*len > 0 && buf[*len - 1] == '\n')
        buf[--*len] = '\0';
    if (*len > 0 && buf[*len - 1] == '\r')
        buf[--*len] = '\0';
}

enum dp_status
passphrase_from_file(const char *path, char *buf, size_t bufsize, struct dp_error *err)
{
    char tmp[PASSPHRASE_MAX + 2];
    size_t len = 0;
    struct stat sb;
    enum dp_status st = DP_OK;

    if (bufsize)
        buf[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return dp_error_set(err, DP_EINVAL, "passphrase_file", _("cannot read %s: %s"), path,
                            strerror(errno));
    if (fstat(fd, &sb) != 0 || !(S_ISREG(sb.st_mode) || S_ISFIFO(sb.st_mode))) {
        st = dp_error_set(err, DP_EINVAL, "passphrase_file",
                          _("%s is not a regular file or a pipe"), path);
        goto out;
    }
    if (S_ISREG(sb.st_mode) && (sb.st_mode & 077)) {
        st = dp_error_set(err, DP_EPERM, "passphrase_file",
                          _("%s may be read by other users; run: chmod 600 %s"), path, path);
        goto out;
    }
    /* Only the first line counts; read until it ends or the cap is passed. */
    while (len < sizeof tmp - 1) {
        ssize_t n = read(fd, tmp + len, sizeof tmp - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = dp_error_set(err, DP_EIO, "passphrase_file", _("cannot read %s: %s"), path,
                              strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        char *nl = memchr(tmp + len, '\n', (size_t)n);
        len += (size_t)n;
        if (nl) {
            len = (size_t)(nl - tmp) + 1;
            break;
        }
    }
    tmp[len] = '\0';
    chomp(tmp, &len);
    if (memchr(tmp, '\0', len)) {
        st = dp_error_set(err, DP_EINVAL, "passphrase_file", _("%s holds a NUL byte"), path);
        goto out;
    }
    if (len == 0) {
        st = dp_error_set(err, DP_EINVAL, "passphrase_file", _("%s holds an empty passphrase"),
                          path);
        goto out;
    }
    if (len > PASSPHRASE_MAX || len >= bufsize) {
        st = dp_error_set(err, DP_EINVAL, "passphrase_file",
                          _("the passphrase in %s is longer than %d bytes"), path, PASSPHRASE_MAX);
        goto out;
    }
    memcpy(buf, tmp, len + 1);
out:
    passphrase_wipe(tmp, sizeof tmp);
    close(fd);
    if (st != DP_OK)
        passphrase_wipe(buf, bufsize);
    return st;
}

/* The terminal state to restore if a signal arrives while echo is off. */
static volatile sig_atomic_t tty_saved;
static int tty_fd = -1;
static struct termios tty_orig;

static void
restore_and_reraise(int sig)
{
    if (tty_saved)
        tcsetattr(tty_fd, TCSANOW, &tty_orig);
    signal(sig, SIG_DFL);
    raise(sig);
}

static const int caught_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define NCAUGHT (sizeof caught_signals / sizeof caught_signals[0])

/* Read one line from fd into buf; the line may not exceed PASSPHRASE_MAX bytes. */
static enum dp_status
read_line(int fd, char *buf, size_t bufsize, struct dp_error *err)
{
    size_t len = 0;
    bool toolong = false;
    for (;;) {
        char c;
        ssize_t n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return dp_error_set(err, DP_EIO, NULL, _("cannot read the terminal: %s"),
                                strerror(errno));
        if (n == 0) {
            if (len == 0)
                return dp_error_set(err, DP_ECANCELED, NULL, _("no passphrase given"));
            break;
        }
        if (c == '\n')
            break;
        if (len + 1 < bufsize && len < PASSPHRASE_MAX)
            buf[len++] = c;
        else
            toolong = true;
    }
    buf[len] = '\0';
    if (len > 0 && buf[len - 1] == '\r')
        buf[--len] = '\0';
    if (toolong)
        return dp_error_set(err, DP_EINVAL, NULL, _("the passphrase is longer than %d bytes"),
                            PASSPHRASE_MAX);
    if (len == 0)
        return dp_error_set(err, DP_EINVAL, NULL, _("the passphrase is empty"));
    return DP_OK;
}

static enum dp_status
ask(int fd, const char *prompt, char *buf, size_t bufsize, struct dp_error *err)
{
    struct termios quiet;
    struct sigaction sa, old[NCAUGHT];
    enum dp_status st;

    if (tcgetattr(fd, &tty_orig) != 0)
        return dp_error_set(err, DP_EIO, NULL, _("cannot turn off echo on the terminal: %s"),
                            strerror(errno));
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = restore_and_reraise;
    sigemptyset(&sa.sa_mask);
    tty_fd = fd;
    tty_saved = 1;
    for (size_t i = 0; i < NCAUGHT; i++)
        sigaction(caught_signals[i], &sa, &old[i]);

    /* Echo goes off before the prompt shows, so nothing typed after it is ever echoed. */
    quiet = tty_orig;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL; /* the Enter key still moves to the next line */
    if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
        st = dp_error_set(err, DP_EIO, NULL, _("cannot turn off echo on the terminal: %s"),
                          strerror(errno));
        goto out;
    }
    if (write(fd, prompt, strlen(prompt)) < 0)
        st =
            dp_error_set(err, DP_EIO, NULL, _("cannot write to the terminal: %s"), strerror(errno));
    else
        st = read_line(fd, buf, bufsize, err);
    tcsetattr(fd, TCSADRAIN, &tty_orig);
out:
    tty_saved = 0;
    for (size_t i = 0; i < NCAUGHT; i++)
        sigaction(caught_signals[i], &old[i], NULL);
    tty_fd = -1;
    return st;
}

enum dp_status
passphrase_from_terminal(const char *prompt, bool confirm, char *buf, size_t bufsize,
                         struct dp_error *err)
{
    char again[PASSPHRASE_MAX + 1];
    enum dp_status st;

    if (bufsize)
        buf[0] = '\0';
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return dp_error_set(err, DP_EINVAL, NULL,
                            _("no terminal to ask for the passphrase; use --passphrase-file FILE"));
    st = ask(fd, prompt, buf, bufsize, err);
    if (st == DP_OK && confirm) {
        st = ask(fd, _("Repeat the passphrase: "), again, sizeof again, err);
        if (st == DP_OK && strcmp(buf, again) != 0)
            st = dp_error_set(err, DP_EINVAL, NULL, _("the two passphrases differ"));
    }
    passphrase_wipe(again, sizeof again);
    close(fd);
    if (st != DP_OK)
        passphrase_wipe(buf, bufsize);
    return st;
}

enum dp_status
passphrase_get(const struct config *cfg, bool new_cache, char *buf, size_t bufsize,
               struct dp_error *err)
{
    enum dp_status st;
    if (cfg->passphrase_file[0])
        st = passphrase_from_file(cfg->passphrase_file, buf, bufsize, err);
    else
        st = passphrase_from_terminal(new_cache ? _("New passphrase for the cache: ")
                                                : _("Passphrase: "),
                                      new_cache, buf, bufsize, err);
    if (st == DP_OK && new_cache && utf8_count(buf) < PASSPHRASE_MIN_NEW) {
        passphrase_wipe(buf, bufsize);
        st = dp_error_set(err, DP_EINVAL, NULL, _("a new passphrase needs at least %d characters"),
                          PASSPHRASE_MIN_NEW);
    }
    return st;
}
