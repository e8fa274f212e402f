/*
 * tui_bench: time the screens through a real pseudo-terminal, for
 * bench/run.sh and docs/PERFORMANCE.md. Prints "METRIC name value unit".
 *
 *   tui_bench --data-dir DIR [--passphrase TEXT] [--trials N] [--moves N]
 *             [--targets N] -- COMMAND [ARGS...]
 *
 * COMMAND (the client, or any program showing the same screens) runs in an
 * 80x24 pty with TERM=xterm-256color and LANG=C.UTF-8. Each trial times
 * start to the first drawn household list: if an unlock screen comes first,
 * the passphrase is typed when its prompt is drawn, and the time a person
 * would take to type it is left out (start to prompt + Enter to list). The
 * first trial then moves the cursor down --moves rows (bytes written to the
 * terminal per move) and searches for --targets head names from the cache,
 * typed one character at a time (keystroke to the last byte of the redraw).
 * "Drawn" means the last byte of the burst of output that contains the
 * screen's title, followed by 60 ms of silence.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"

#define IDLE_MS        60
#define WAIT_MS        20000
#define LIST_MARKER    "Households by"
#define UNLOCK_MARKER  "assphrase"
#define MAX_TARGETS    64
#define DEFAULT_PASSPH "doorstep bench passphrase"

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
metric(const char *name, double value, const char *unit)
{
    printf("METRIC %s %.3f %s\n", name, value, unit);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return v[n / 2];
}

/* Output of the child since the last reset; big enough for several full screens. */
struct screen {
    int fd;
    pid_t pid;
    char out[1 << 18];
    size_t len;
    double last_byte; /* time of the last byte read */
    size_t total;     /* bytes since the last reset */
};

static void
screen_reset(struct screen *s)
{
    s->len = 0;
    s->total = 0;
    s->out[0] = '\0';
}

/* Read what is there within `wait_ms`; false when nothing came (or the child closed). */
static bool
read_some(struct screen *s, int wait_ms)
{
    struct pollfd p = {.fd = s->fd, .events = POLLIN};
    if (poll(&p, 1, wait_ms) <= 0)
        return false;
    char buf[8192];
    ssize_t n = read(s->fd, buf, sizeof buf);
    if (n <= 0)
        return false;
    s->last_byte = now_ms();
    s->total += (size_t)n;
    size_t room = sizeof s->out - 1 - s->len;
    size_t keep = (size_t)n < room ? (size_t)n : room;
    memcpy(s->out + s->len, buf, keep);
    s->len += keep;
    s->out[s->len] = '\0';
    return true;
}

/* Read until IDLE_MS of silence. */
static void
read_idle(struct screen *s)
{
    double deadline = now_ms() + WAIT_MS;
    while (read_some(s, IDLE_MS) && now_ms() < deadline)
        ;
}

/* The answer to a keystroke: wait for its first byte, then read until silence. */
static void
read_answer(struct screen *s)
{
    if (read_some(s, WAIT_MS))
        read_idle(s);
}

/* Read until one of the markers shows, then until silence; index of the marker, or -1. */
static int
wait_for(struct screen *s, const char *a, const char *b)
{
    double deadline = now_ms() + WAIT_MS;
    while (now_ms() < deadline) {
        bool got = read_some(s, 100);
        int which = strstr(s->out, a) ? 0 : (b && strstr(s->out, b)) ? 1 : -1;
        if (which >= 0) {
            read_idle(s);
            return which;
        }
        if (!got && waitpid(s->pid, NULL, WNOHANG) == s->pid)
            return -1;
    }
    return -1;
}

static bool
send_text(struct screen *s, const char *text, size_t len)
{
    return write(s->fd, text, len) == (ssize_t)len;
}

static bool
spawn(struct screen *s, char **argv)
{
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    screen_reset(s);
    s->pid = forkpty(&s->fd, NULL, NULL, &ws);
    if (s->pid < 0) {
        perror("forkpty");
        return false;
    }
    if (s->pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        setenv("LANG", "C.UTF-8", 1);
        unsetenv("LC_ALL");
        unsetenv("LANGUAGE");
        if (!getenv("DOORSTEP_TODAY"))
            setenv("DOORSTEP_TODAY", "2026-06-30", 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    return true;
}

/*
 * Peak resident memory of the running child in KiB: VmHWM, which starts
 * afresh at exec (wait4's ru_maxrss would include our own image, forked).
 */
static long
child_hwm_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    if (f)
        fclose(f);
    return kib;
}

/* Quit with q (y if it asks), then make sure it is gone. */
static void
finish(struct screen *s)
{
    struct rusage ru;
    int status;
    send_text(s, "q", 1);
    for (int i = 0; i < 40; i++) {
        read_some(s, 50);
        if (wait4(s->pid, &status, WNOHANG, &ru) == s->pid) {
            close(s->fd);
            return;
        }
        if (i == 10)
            send_text(s, "y", 1);
    }
    kill(s->pid, SIGTERM);
    for (int i = 0; i < 20; i++) {
        read_some(s, 50);
        if (wait4(s->pid, &status, WNOHANG, &ru) == s->pid) {
            close(s->fd);
            return;
        }
    }
    kill(s->pid, SIGKILL);
    wait4(s->pid, &status, 0, &ru);
    close(s->fd);
}

/* Start and reach the list; the start-to-list time in ms, or -1. */
static double
reach_list(struct screen *s, char **argv, const char *passphrase, bool *unlocked)
{
    double t0 = now_ms();
    if (!spawn(s, argv))
        return -1;
    int which = wait_for(s, LIST_MARKER, UNLOCK_MARKER);
    *unlocked = which == 1;
    if (which == 0)
        return s->last_byte - t0;
    if (which != 1)
        return -1;
    double to_prompt = s->last_byte - t0;
    screen_reset(s);
    double t_enter = now_ms();
    if (!send_text(s, passphrase, strlen(passphrase)) || !send_text(s, "\r", 1))
        return -1;
    /* The typed characters echo as masks first; the list comes after Enter. */
    if (wait_for(s, LIST_MARKER, NULL) != 0)
        return -1;
    return to_prompt + (s->last_byte - t_enter);
}

/* Head names spread over the list, for the search; how many were found. */
static int
pick_targets(const char *dir, const char *passphrase, int want, char names[][128])
{
    struct store *st = NULL;
    struct dp_error err;
    struct household_filter f = {.sort = STORE_SORT_NAME};
    long total = 0;
    int n = 0;
    if (store_open(dir, passphrase, &st, &err) != DP_OK) {
        fprintf(stderr, "tui_bench: %s\n", err.msg);
        return 0;
    }
    if (store_household_count(st, &f, &total, NULL, &err) == DP_OK && total > 0)
        for (int t = 0; t < want && t < MAX_TARGETS; t++) {
            struct household_row row;
            int got = 0;
            long off = (long)((double)total * ((double)t + 0.5) / (double)want);
            if (store_household_window(st, &f, off, 1, &row, &got, &err) == DP_OK && got == 1)
                snprintf(names[n++], 128, "%s", row.head_name);
        }
    store_close(st);
    return n;
}

int
main(int argc, char **argv)
{
    const char *dir = NULL, *pass = DEFAULT_PASSPH;
    long trials = 10, moves = 15, targets = 5;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            break;
        if (strcmp(argv[i], "--data-dir") == 0)
            dir = v;
        else if (strcmp(argv[i], "--passphrase") == 0)
            pass = v;
        else if (strcmp(argv[i], "--trials") == 0)
            trials = strtol(v, NULL, 10);
        else if (strcmp(argv[i], "--moves") == 0)
            moves = strtol(v, NULL, 10);
        else if (strcmp(argv[i], "--targets") == 0)
            targets = strtol(v, NULL, 10);
        else
            break;
    }
    if (!dir || i >= argc || strcmp(argv[i], "--") != 0 || i + 1 >= argc || trials < 1 ||
        moves < 0 || targets < 0 || targets > MAX_TARGETS) {
        fputs("usage: tui_bench --data-dir DIR [--passphrase TEXT] [--trials N] [--moves N]"
              " [--targets N] -- COMMAND [ARGS...]\n",
              stderr);
        return 2;
    }
    char **cmd = argv + i + 1;
    static char names[MAX_TARGETS][128];
    int ntargets = pick_targets(dir, pass, (int)targets, names);
    signal(SIGPIPE, SIG_IGN);

    static struct screen s;
    double *starts = calloc((size_t)trials, sizeof *starts);
    double *move_bytes = calloc((size_t)moves + 1, sizeof *move_bytes);
    double *move_ms = calloc((size_t)moves + 1, sizeof *move_ms);
    double *keys = calloc(64 * (size_t)MAX_TARGETS, sizeof *keys);
    if (!starts || !move_bytes || !move_ms || !keys)
        return 1;
    size_t nkeys = 0;
    long rss = 0;
    bool unlocked = false;
    double max_move = 0;
    for (long t = 0; t < trials; t++) {
        double ms = reach_list(&s, cmd, pass, &unlocked);
        if (ms < 0) {
            fprintf(stderr, "tui_bench: the list screen did not appear; the output was:\n%.2000s\n",
                    s.out);
            finish(&s);
            return 1;
        }
        starts[t] = ms;
        if (t == 0) {
            for (long m = 0; m < moves; m++) {
                screen_reset(&s);
                double k0 = now_ms();
                send_text(&s, "j", 1);
                read_answer(&s);
                move_bytes[m] = (double)s.total;
                move_ms[m] = s.total ? s.last_byte - k0 : 0;
                if (move_bytes[m] > max_move)
                    max_move = move_bytes[m];
            }
            for (int k = 0; k < ntargets; k++) {
                screen_reset(&s);
                send_text(&s, "/", 1);
                read_answer(&s);
                const char *name = names[k];
                size_t len = strlen(name);
                for (size_t c = 0; c < len;) {
                    size_t step = 1;
                    while (c + step < len && ((unsigned char)name[c + step] & 0xC0) == 0x80)
                        step++;
                    screen_reset(&s);
                    double k0 = now_ms();
                    send_text(&s, name + c, step);
                    read_answer(&s);
                    if (s.total && nkeys < 64 * (size_t)MAX_TARGETS)
                        keys[nkeys++] = s.last_byte - k0;
                    c += step;
                }
                send_text(&s, "\033", 1);
                read_answer(&s);
            }
        }
        long kib = child_hwm_kib(s.pid);
        if (kib > rss)
            rss = kib;
        finish(&s);
    }
    metric("tui_unlock_screen_first", unlocked ? 1 : 0, "bool");
    metric("tui_start_to_list_median", median(starts, (size_t)trials), "ms");
    metric("tui_start_to_list_max", starts[trials - 1], "ms");
    metric("tui_cursor_move_bytes_median", median(move_bytes, (size_t)moves), "bytes");
    metric("tui_cursor_move_bytes_max", max_move, "bytes");
    metric("tui_cursor_move_median", median(move_ms, (size_t)moves), "ms");
    metric("tui_search_keystrokes", (double)nkeys, "count");
    metric("tui_search_keystroke_median", median(keys, nkeys), "ms");
    metric("tui_search_keystroke_max", nkeys ? keys[nkeys - 1] : 0, "ms");
    metric("tui_peak_rss", (double)rss / 1024.0, "MiB");
    free(starts);
    free(move_bytes);
    free(move_ms);
    free(keys);
    return 0;
}
