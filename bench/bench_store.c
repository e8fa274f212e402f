/*
 * bench_store: measurements of the cache behind the household list, for
 * bench/run.sh and docs/PERFORMANCE.md. Each mode prints one line per figure:
 *
 *     METRIC <name> <value> <unit>
 *
 * and "# ..." lines of context. Timings are wall-clock (CLOCK_MONOTONIC).
 *
 *   bench_store open DIR [--trials N]
 *       store_open + count + first window of 24 rows, against the SQLite API
 *       (SQLCipher, same key) opening the file and reading the same screenful;
 *       in process, and as whole processes (this program vs the sqlcipher shell).
 *   bench_store first-screen DIR
 *       one store open + first screenful, then exit (the child of `open`).
 *   bench_store search DIR [--targets N]
 *       incremental search, count + window per keystroke: a head name, an ID
 *       number tail, a phone number and an address typed character by
 *       character; then paging; then this process's peak RSS.
 *   bench_store search-alt DIR [--targets N]
 *       the same keystrokes split into count and window, beside a prototype
 *       that narrows the previous keystroke's matches (for PERFORMANCE.md).
 *   bench_store apply [--households N] [--tmp DIR]
 *       generated rows inserted by raw SQLite in one transaction, against the
 *       store's bulk loader (store/bulk.h) into a fresh cache.
 *
 * The cache passphrase is --passphrase TEXT (default: make_cache's).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SQLITE_HAS_CODEC
#define SQLITE_HAS_CODEC 1
#endif
#include <sqlite3.h>

#include "core/gen.h"
#include "store/bulk.h"
#include "store/internal.h"
#include "store/store.h"

extern char **environ;

#define BENCH_PASSPHRASE "doorstep bench passphrase"
#define SCREEN_ROWS      24

static const char *passphrase = BENCH_PASSPHRASE;

/* ---- small helpers ------------------------------------------------------------------ */

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

/* Nearest-rank percentile of v[0..n) (sorted in place); 0 when n is 0. */
static double
percentile(double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

/* A growing array of samples. */
struct samples {
    double *v;
    size_t n, cap;
};

static void
samples_add(struct samples *s, double x)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        double *bigger = realloc(s->v, ncap * sizeof *bigger);
        if (!bigger) {
            fputs("bench_store: out of memory\n", stderr);
            exit(1);
        }
        s->v = bigger;
        s->cap = ncap;
    }
    s->v[s->n++] = x;
}

static void
samples_report(struct samples *s, const char *name)
{
    char key[96];
    snprintf(key, sizeof key, "%s_median", name);
    metric(key, percentile(s->v, s->n, 50), "ms");
    snprintf(key, sizeof key, "%s_p95", name);
    metric(key, percentile(s->v, s->n, 95), "ms");
    snprintf(key, sizeof key, "%s_max", name);
    metric(key, s->n ? s->v[s->n - 1] : 0, "ms");
    snprintf(key, sizeof key, "%s_samples", name);
    metric(key, (double)s->n, "count");
}

static void
samples_done(struct samples *s)
{
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

/*
 * Peak resident memory of this process image in KiB: VmHWM, which starts
 * afresh at exec. (getrusage's ru_maxrss keeps the high-water mark of the
 * image before exec, e.g. of the process that spawned us.)
 */
static long
peak_rss_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    if (f)
        fclose(f);
    if (kib < 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kib = ru.ru_maxrss;
    }
    return kib;
}

static void
die_err(const char *what, const struct dp_error *err)
{
    fprintf(stderr, "bench_store: %s: %s%s%s\n", what, err->field, err->field[0] ? ": " : "",
            err->msg);
    exit(1);
}

static void
die_sqlite(sqlite3 *db, const char *what)
{
    fprintf(stderr, "bench_store: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
    exit(1);
}

/* ---- the first screenful ------------------------------------------------------------ */

/* What the household list does when it opens: count, then the first rows by name. */
static void
store_first_screen(const char *dir)
{
    struct store *st = NULL;
    struct dp_error err;
    struct household_row rows[SCREEN_ROWS];
    struct household_filter f = {.sort = STORE_SORT_NAME};
    long matched = 0, total = 0;
    int n = 0;
    snprintf(f.today, sizeof f.today, "2026-06-30");
    if (store_open(dir, passphrase, &st, &err) != DP_OK)
        die_err("open", &err);
    if (store_household_count(st, &f, &matched, &total, &err) != DP_OK ||
        store_household_window(st, &f, 0, SCREEN_ROWS, rows, &n, &err) != DP_OK)
        die_err("first screen", &err);
    if (n != SCREEN_ROWS && n != matched)
        fprintf(stderr, "bench_store: short first screen (%d rows)\n", n);
    store_close(st);
}

/* The same screenful with nothing but the SQLite API: key, count, 24 rows by the name index. */
static void
raw_first_screen(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    char sql[128];
    int rows = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        die_sqlite(db, "raw open");
    if (sqlite3_key(db, passphrase, (int)strlen(passphrase)) != SQLITE_OK)
        die_sqlite(db, "raw key");
    snprintf(sql, sizeof sql, "PRAGMA cipher_page_size = %d; PRAGMA kdf_iter = %d", STORE_PAGE_SIZE,
             STORE_KDF_ITER);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die_sqlite(db, "raw pragmas");
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM households WHERE _deleted = 0", -1, &stmt,
                           NULL) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_ROW)
        die_sqlite(db, "raw count");
    sqlite3_finalize(stmt);
    if (sqlite3_prepare_v2(db,
                           "SELECT id, head_name, village, risk, categories, _last_visit,"
                           " next_visit_due FROM households WHERE _deleted = 0"
                           " ORDER BY head_name, id LIMIT 24",
                           -1, &stmt, NULL) != SQLITE_OK)
        die_sqlite(db, "raw window");
    while (sqlite3_step(stmt) == SQLITE_ROW)
        rows++;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    if (rows == 0)
        fputs("bench_store: raw first screen read no rows\n", stderr);
}

/*
 * Run argv[0] (searched in PATH) with `input` on stdin; its stdout is read into out[0..outsize)
 * (NUL-terminated, the rest discarded). Returns the wall time in ms, from spawn to exit.
 */
static double
run_process(char *const argv[], const char *input, char *out, size_t outsize)
{
    posix_spawn_file_actions_t fa;
    int in[2], res[2];
    pid_t pid;
    if (pipe(in) != 0 || pipe(res) != 0) {
        perror("pipe");
        exit(1);
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, res[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, res[0]);
    double t0 = now_ms();
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(res[1]);
    if (rc != 0) {
        fprintf(stderr, "bench_store: cannot run %s: %s\n", argv[0], strerror(rc));
        exit(1);
    }
    size_t len = input ? strlen(input) : 0;
    if (len && write(in[1], input, len) != (ssize_t)len)
        perror("write");
    close(in[1]);
    size_t used = 0;
    char sink[4096];
    for (;;) {
        char *dst = out && used + 1 < outsize ? out + used : sink;
        size_t room = out && used + 1 < outsize ? outsize - 1 - used : sizeof sink;
        ssize_t got = read(res[0], dst, room);
        if (got <= 0)
            break;
        if (dst != sink)
            used += (size_t)got;
    }
    close(res[0]);
    if (out && outsize)
        out[used] = '\0';
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) {
        perror("waitpid");
        exit(1);
    }
    double t1 = now_ms();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_store: %s failed\n", argv[0]);
        exit(1);
    }
    return t1 - t0;
}

static int
mode_open(const char *dir, int trials, const char *self)
{
    char path[PATH_MAX];
    struct samples st = {0}, raw = {0}, pst = {0}, praw = {0};
    long rss_store = 0;
    snprintf(path, sizeof path, "%s/%s", dir, STORE_FILE_NAME);

    /* One untimed round of each, so both find the file in the page cache. */
    store_first_screen(dir);
    raw_first_screen(path);
    for (int i = 0; i < trials; i++) {
        double t0 = now_ms();
        store_first_screen(dir);
        double t1 = now_ms();
        raw_first_screen(path);
        double t2 = now_ms();
        samples_add(&st, t1 - t0);
        samples_add(&raw, t2 - t1);
    }
    double m_st = percentile(st.v, st.n, 50), m_raw = percentile(raw.v, raw.n, 50);
    samples_report(&st, "open_first_screen_store");
    samples_report(&raw, "open_first_screen_sqlite_api");
    metric("open_first_screen_ratio", m_raw > 0 ? m_st / m_raw : 0, "x");

    /* Whole processes: this program's first-screen mode against the sqlcipher shell. */
    char script[512];
    snprintf(script, sizeof script,
             "PRAGMA key = '%s';\nPRAGMA cipher_page_size = %d;\nPRAGMA kdf_iter = %d;\n"
             "SELECT count(*) FROM households WHERE _deleted = 0;\n"
             "SELECT id, head_name, village, risk, categories, _last_visit, next_visit_due"
             " FROM households WHERE _deleted = 0 ORDER BY head_name, id LIMIT 24;\n",
             passphrase, STORE_PAGE_SIZE, STORE_KDF_ITER);
    char *self_argv[] = {(char *)self,   "first-screen",     (char *)dir,
                         "--passphrase", (char *)passphrase, NULL};
    char *cli_argv[] = {"sqlcipher", "-batch", path, NULL};
    char out[256];
    run_process(self_argv, NULL, NULL, 0);
    run_process(cli_argv, script, NULL, 0);
    for (int i = 0; i < trials; i++) {
        samples_add(&pst, run_process(self_argv, NULL, out, sizeof out));
        long kib = strtol(out, NULL, 10);
        if (kib > rss_store)
            rss_store = kib;
        samples_add(&praw, run_process(cli_argv, script, NULL, 0));
    }
    double p_st = percentile(pst.v, pst.n, 50), p_raw = percentile(praw.v, praw.n, 50);
    samples_report(&pst, "process_first_screen_store");
    samples_report(&praw, "process_first_screen_sqlcipher_shell");
    metric("process_first_screen_ratio", p_raw > 0 ? p_st / p_raw : 0, "x");
    metric("process_first_screen_store_peak_rss", (double)rss_store / 1024.0, "MiB");
    samples_done(&st);
    samples_done(&raw);
    samples_done(&pst);
    samples_done(&praw);
    return 0;
}

/* ---- incremental search --------------------------------------------------------------- */

/* One keystroke: the list's count and first window for the search text so far. */
static double
keystroke(struct store *st, const char *text, long *matched)
{
    struct dp_error err;
    struct household_row rows[SCREEN_ROWS];
    struct household_filter f = {.search = text, .sort = STORE_SORT_NAME};
    long total = 0;
    int n = 0;
    snprintf(f.today, sizeof f.today, "2026-06-30");
    double t0 = now_ms();
    if (store_household_count(st, &f, matched, &total, &err) != DP_OK ||
        store_household_window(st, &f, 0, SCREEN_ROWS, rows, &n, &err) != DP_OK)
        die_err("search", &err);
    return now_ms() - t0;
}

/* Type `text` one UTF-8 character at a time; every keystroke's time goes to both sample sets. */
static void
type_text(struct store *st, const char *text, struct samples *kind, struct samples *all,
          long *last_matched)
{
    char buf[256];
    size_t len = strlen(text);
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    for (size_t i = 1; i <= len; i++) {
        if (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
            continue; /* inside a character */
        memcpy(buf, text, i);
        buf[i] = '\0';
        double ms = keystroke(st, buf, last_matched);
        samples_add(kind, ms);
        samples_add(all, ms);
    }
}

static int
mode_search(const char *dir, int targets)
{
    struct store *st = NULL;
    struct dp_error err;
    struct household_filter all_f = {.sort = STORE_SORT_NAME};
    struct samples name = {0}, idtail = {0}, phone = {0}, addr = {0}, all = {0}, page = {0};
    long total = 0, matched = 0, found_name = 0, found_id = 0, found_phone = 0;
    snprintf(all_f.today, sizeof all_f.today, "2026-06-30");

    double t0 = now_ms();
    if (store_open(dir, passphrase, &st, &err) != DP_OK)
        die_err("open", &err);
    metric("search_open", now_ms() - t0, "ms");
    if (store_household_count(st, &all_f, &total, NULL, &err) != DP_OK)
        die_err("count", &err);
    metric("households", (double)total, "count");
    if (total == 0)
        return 1;

    /* Targets spread over the list by name, so prefixes of every frequency are typed. */
    for (int t = 0; t < targets; t++) {
        struct household_row row;
        struct record rec;
        int n = 0;
        long off = (long)((double)total * ((double)t + 0.5) / (double)targets);
        if (store_household_window(st, &all_f, off, 1, &row, &n, &err) != DP_OK || n != 1)
            die_err("pick target", &err);
        if (store_record_get(st, &schema_household, row.id, &rec, &err) != DP_OK)
            die_err("read target", &err);
        const char *idn = record_get(&rec, "head_id_number");
        const char *tel = record_get(&rec, "phone");
        const char *adr = record_get(&rec, "address");
        char tail[8] = "";
        size_t il = strlen(idn);
        snprintf(tail, sizeof tail, "%s", il >= 6 ? idn + il - 6 : idn);

        type_text(st, record_get(&rec, "head_name"), &name, &all, &matched);
        found_name += matched > 0;
        type_text(st, tail, &idtail, &all, &matched);
        found_id += matched > 0;
        if (tel[0]) {
            type_text(st, tel, &phone, &all, &matched);
            found_phone += matched > 0;
        }
        type_text(st, adr, &addr, &all, &matched);
        record_done(&rec);
    }
    samples_report(&all, "search_keystroke");
    samples_report(&name, "search_keystroke_name");
    samples_report(&idtail, "search_keystroke_id_tail");
    samples_report(&phone, "search_keystroke_phone");
    samples_report(&addr, "search_keystroke_address");
    /* Each complete name, ID tail and phone must find its household, or the figures lie. */
    metric("search_targets", targets, "count");
    metric("search_targets_found", (double)(found_name + found_id + found_phone), "count");

    /* Paging down the list from the top, and jumping to its end. */
    for (long off = 0; off < total && off < 200L * SCREEN_ROWS; off += SCREEN_ROWS) {
        struct household_row rows[SCREEN_ROWS];
        int n = 0;
        double p0 = now_ms();
        if (store_household_window(st, &all_f, off, SCREEN_ROWS, rows, &n, &err) != DP_OK)
            die_err("page", &err);
        samples_add(&page, now_ms() - p0);
    }
    samples_report(&page, "page_down");
    {
        struct household_row rows[SCREEN_ROWS];
        int n = 0;
        double p0 = now_ms();
        long off = total > SCREEN_ROWS ? total - SCREEN_ROWS : 0;
        if (store_household_window(st, &all_f, off, SCREEN_ROWS, rows, &n, &err) != DP_OK)
            die_err("end", &err);
        metric("jump_to_end", now_ms() - p0, "ms");
    }
    store_close(st);
    metric("search_session_peak_rss", (double)peak_rss_kib() / 1024.0, "MiB");
    samples_done(&name);
    samples_done(&idtail);
    samples_done(&phone);
    samples_done(&addr);
    samples_done(&all);
    samples_done(&page);
    return 0;
}

/* ---- search: where the time goes, and a narrowing prototype ----------------------------- */

/*
 * A prototype of incremental narrowing, on the store's own connection: the
 * first keystroke scans the covering search index once into a temporary
 * table of candidates; a keystroke that extends the text only prunes that
 * table. The candidates are a superset (the ID number by substring, which
 * keeps shrinking as the text grows, where the list's rule is a tail of 4+
 * characters), and count and window apply the exact rule to them.
 */
struct narrow {
    sqlite3 *db;
    char prev[256];
    bool have;
    sqlite3_stmt *clear, *fill, *prune, *count, *window;
};

static char *
like_of(const char *s, bool lead, bool trail)
{
    size_t len = strlen(s), n = 0;
    char *out = malloc(2 * len + 3);
    if (!out)
        exit(1);
    if (lead)
        out[n++] = '%';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
            out[n++] = '\\';
        out[n++] = s[i];
    }
    if (trail)
        out[n++] = '%';
    out[n] = '\0';
    return out;
}

#define NARROW_ANY(p)                                                                              \
    "(" p "head_name LIKE :c ESCAPE '\\' OR " p "phone LIKE :c ESCAPE '\\' OR " p                  \
    "address LIKE :c ESCAPE '\\' OR " p "head_id_number LIKE :c ESCAPE '\\')"
#define NARROW_EXACT                                                                               \
    "(head_name LIKE :c ESCAPE '\\' OR phone LIKE :c ESCAPE '\\' OR address LIKE :c ESCAPE '\\'"   \
    " OR (:t IS NOT NULL AND head_id_number LIKE :t ESCAPE '\\'))"

static void
narrow_init(struct narrow *nw, sqlite3 *db)
{
    memset(nw, 0, sizeof *nw);
    nw->db = db;
    if (sqlite3_exec(db,
                     "CREATE TEMP TABLE cand (rid INTEGER PRIMARY KEY, head_name TEXT, phone TEXT,"
                     " address TEXT, head_id_number TEXT)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "DELETE FROM cand", -1, &nw->clear, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(
            db,
            "INSERT INTO cand SELECT rowid, head_name, phone, address, head_id_number"
            " FROM households INDEXED BY households_search WHERE _deleted = 0"
            " AND " NARROW_ANY(""),
            -1, &nw->fill, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "DELETE FROM cand WHERE NOT " NARROW_ANY(""), -1, &nw->prune,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT count(*) FROM cand WHERE " NARROW_EXACT, -1, &nw->count,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(
            db,
            "SELECT h.id, h.head_name, h.village, h.risk, h.categories,"
            " h._last_visit, h.next_visit_due, h._warning,"
            " EXISTS (SELECT 1 FROM outbox o WHERE o.hid = h.id"
            "  AND o.state IN ('pending', 'inflight')),"
            " EXISTS (SELECT 1 FROM conflicts c WHERE c.hid = h.id"
            "  AND c.state = 'open')"
            " FROM households h WHERE h.rowid IN (SELECT rid FROM cand WHERE " NARROW_EXACT
            " ORDER BY head_name, rid LIMIT 24) ORDER BY h.head_name, h.rowid",
            -1, &nw->window, NULL) != SQLITE_OK)
        die_sqlite(db, "narrow prepare");
}

static void
narrow_done(struct narrow *nw)
{
    sqlite3_finalize(nw->clear);
    sqlite3_finalize(nw->fill);
    sqlite3_finalize(nw->prune);
    sqlite3_finalize(nw->count);
    sqlite3_finalize(nw->window);
    sqlite3_exec(nw->db, "DROP TABLE temp.cand", NULL, NULL, NULL);
}

static void
bind_by_name(sqlite3_stmt *stmt, const char *name, const char *value)
{
    int idx = sqlite3_bind_parameter_index(stmt, name);
    if (idx > 0)
        sqlite3_bind_text(stmt, idx, value, -1, SQLITE_TRANSIENT);
}

static void
step_all(struct narrow *nw, sqlite3_stmt *stmt, const char *c, const char *t, long *first)
{
    int rc;
    bind_by_name(stmt, ":c", c);
    if (t)
        bind_by_name(stmt, ":t", t);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        if (first)
            *first = (long)sqlite3_column_int64(stmt, 0);
    if (rc != SQLITE_DONE)
        die_sqlite(nw->db, "narrow step");
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
}

static double
narrow_keystroke(struct narrow *nw, const char *text, long *matched)
{
    char *c = like_of(text, true, true);
    char *t = strlen(text) >= 4 ? like_of(text, true, false) : NULL;
    double t0 = now_ms();
    bool extends = nw->have && strncmp(text, nw->prev, strlen(nw->prev)) == 0;
    if (extends) {
        step_all(nw, nw->prune, c, NULL, NULL);
    } else {
        step_all(nw, nw->clear, NULL, NULL, NULL);
        step_all(nw, nw->fill, c, NULL, NULL);
    }
    step_all(nw, nw->count, c, t, matched);
    step_all(nw, nw->window, c, t, NULL);
    double ms = now_ms() - t0;
    snprintf(nw->prev, sizeof nw->prev, "%s", text);
    nw->have = true;
    free(c);
    free(t);
    return ms;
}

static int
mode_search_alt(const char *dir, int targets)
{
    struct store *st = NULL;
    struct dp_error err;
    struct household_filter all_f = {.sort = STORE_SORT_NAME};
    struct samples cnt = {0}, win = {0}, both = {0}, proto = {0};
    struct narrow nw;
    long total = 0, mismatches = 0;
    snprintf(all_f.today, sizeof all_f.today, "2026-06-30");
    if (store_open(dir, passphrase, &st, &err) != DP_OK)
        die_err("open", &err);
    if (store_household_count(st, &all_f, &total, NULL, &err) != DP_OK || total == 0)
        die_err("count", &err);
    narrow_init(&nw, store_db(st));
    for (int t = 0; t < targets; t++) {
        struct household_row row;
        struct record rec;
        int n = 0;
        long off = (long)((double)total * ((double)t + 0.5) / (double)targets);
        if (store_household_window(st, &all_f, off, 1, &row, &n, &err) != DP_OK || n != 1 ||
            store_record_get(st, &schema_household, row.id, &rec, &err) != DP_OK)
            die_err("pick target", &err);
        const char *idn = record_get(&rec, "head_id_number");
        size_t il = strlen(idn);
        const char *texts[4] = {record_get(&rec, "head_name"), il >= 6 ? idn + il - 6 : idn,
                                record_get(&rec, "phone"), record_get(&rec, "address")};
        for (int k = 0; k < 4; k++) {
            const char *text = texts[k];
            size_t len = strlen(text);
            nw.have = false; /* a new search starts from an empty box */
            for (size_t i = 1; i <= len && len < 256; i++) {
                char buf[256];
                struct household_row rows[SCREEN_ROWS];
                struct household_filter f = {.sort = STORE_SORT_NAME};
                long m_store = 0, m_proto = -1, tot = 0;
                int nr = 0;
                if (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
                    continue;
                memcpy(buf, text, i);
                buf[i] = '\0';
                f.search = buf;
                double t0 = now_ms();
                if (store_household_count(st, &f, &m_store, &tot, &err) != DP_OK)
                    die_err("count", &err);
                double t1 = now_ms();
                if (store_household_window(st, &f, 0, SCREEN_ROWS, rows, &nr, &err) != DP_OK)
                    die_err("window", &err);
                double t2 = now_ms();
                samples_add(&cnt, t1 - t0);
                samples_add(&win, t2 - t1);
                samples_add(&both, t2 - t0);
                samples_add(&proto, narrow_keystroke(&nw, buf, &m_proto));
                mismatches += m_proto != m_store;
            }
        }
        record_done(&rec);
    }
    samples_report(&both, "alt_store_keystroke");
    samples_report(&cnt, "alt_store_count");
    samples_report(&win, "alt_store_window");
    samples_report(&proto, "alt_narrowing_keystroke");
    metric("alt_narrowing_count_mismatches", (double)mismatches, "count");
    narrow_done(&nw);
    store_close(st);
    samples_done(&cnt);
    samples_done(&win);
    samples_done(&both);
    samples_done(&proto);
    return 0;
}

/* ---- apply rate ----------------------------------------------------------------------- */

struct world {
    struct record *recs;
    size_t n, cap;
};

static enum dp_status
world_cb(void *ctx, const struct record *r)
{
    struct world *w = ctx;
    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 4096;
        struct record *bigger = realloc(w->recs, ncap * sizeof *bigger);
        if (!bigger)
            return DP_ENOMEM;
        w->recs = bigger;
        w->cap = ncap;
    }
    if (record_copy(&w->recs[w->n], r) != DP_OK)
        return DP_ENOMEM;
    w->recs[w->n].v = 1;
    w->n++;
    return DP_OK;
}

/* CREATE TABLE with the record's columns, id the primary key: what anyone would write. */
static void
raw_create(sqlite3 *db, const struct record_def *def)
{
    struct sqlbuf sql;
    sqlbuf_init(&sql);
    sqlbuf_add(&sql, "CREATE TABLE ");
    sqlbuf_add(&sql, store_table(def));
    sqlbuf_add(&sql, " (id TEXT PRIMARY KEY NOT NULL");
    for (size_t i = 1; i < def->nfields; i++) {
        sqlbuf_add(&sql, ", ");
        sqlbuf_add(&sql, def->fields[i].name);
        sqlbuf_add(&sql, " TEXT NOT NULL DEFAULT ''");
    }
    sqlbuf_add(&sql, ")");
    if (sql.overflow || sqlite3_exec(db, sql.buf, NULL, NULL, NULL) != SQLITE_OK)
        die_sqlite(db, "raw create");
}

static sqlite3_stmt *
raw_insert_stmt(sqlite3 *db, const struct record_def *def)
{
    struct sqlbuf sql;
    sqlite3_stmt *stmt = NULL;
    sqlbuf_init(&sql);
    sqlbuf_add(&sql, "INSERT INTO ");
    sqlbuf_add(&sql, store_table(def));
    sqlbuf_add(&sql, " VALUES (");
    for (size_t i = 0; i < def->nfields; i++)
        sqlbuf_add(&sql, i ? ", ?" : "?");
    sqlbuf_add(&sql, ")");
    if (sql.overflow || sqlite3_prepare_v2(db, sql.buf, -1, &stmt, NULL) != SQLITE_OK)
        die_sqlite(db, "raw prepare");
    return stmt;
}

/* Raw SQLite, one transaction; encrypted with the cache's key and cipher settings or plain. */
static double
raw_insert(const char *path, const struct world *w, bool encrypted)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *ins[4] = {NULL};
    const struct record_def *defs[4] = {&schema_household, &schema_member, &schema_visit,
                                        &schema_need};
    unlink(path);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        die_sqlite(db, "raw open");
    if (encrypted) {
        char sql[128];
        if (sqlite3_key(db, passphrase, (int)strlen(passphrase)) != SQLITE_OK)
            die_sqlite(db, "raw key");
        snprintf(sql, sizeof sql, "PRAGMA cipher_page_size = %d; PRAGMA kdf_iter = %d",
                 STORE_PAGE_SIZE, STORE_KDF_ITER);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            die_sqlite(db, "raw pragmas");
    }
    for (int i = 0; i < 4; i++) {
        raw_create(db, defs[i]);
        ins[i] = raw_insert_stmt(db, defs[i]);
    }
    double t0 = now_ms();
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        die_sqlite(db, "raw begin");
    for (size_t k = 0; k < w->n; k++) {
        const struct record *r = &w->recs[k];
        int t = r->def == &schema_household ? 0
                : r->def == &schema_member  ? 1
                : r->def == &schema_visit   ? 2
                                            : 3;
        for (size_t i = 0; i < r->def->nfields; i++)
            sqlite3_bind_text(ins[t], (int)i + 1, r->values[i], -1, SQLITE_STATIC);
        if (sqlite3_step(ins[t]) != SQLITE_DONE)
            die_sqlite(db, "raw insert");
        sqlite3_reset(ins[t]);
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        die_sqlite(db, "raw commit");
    double ms = now_ms() - t0;
    for (int i = 0; i < 4; i++)
        sqlite3_finalize(ins[i]);
    sqlite3_close(db);
    unlink(path);
    return ms;
}

/*
 * Plain INSERTs of the working rows only, one transaction, into a fresh cache
 * opened by the store (its schema, indexes, key and pragmas): what the
 * bulk loader adds on top of this is base rows, derived list data and JSON.
 */
static double
schema_insert(const char *dir, const struct world *w)
{
    struct store *st = NULL;
    struct dp_error err;
    sqlite3_stmt *ins[4] = {NULL};
    const struct record_def *defs[4] = {&schema_household, &schema_member, &schema_visit,
                                        &schema_need};
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, STORE_FILE_NAME);
    unlink(path);
    if (store_open(dir, passphrase, &st, &err) != DP_OK)
        die_err("open", &err);
    sqlite3 *db = store_db(st);
    for (int i = 0; i < 4; i++) {
        struct sqlbuf sql;
        sqlbuf_init(&sql);
        sqlbuf_add(&sql, "INSERT INTO ");
        sqlbuf_add(&sql, store_table(defs[i]));
        sqlbuf_add(&sql, " (");
        for (size_t k = 0; k < defs[i]->nfields; k++) {
            sqlbuf_add(&sql, k ? ", " : "");
            sqlbuf_add(&sql, defs[i]->fields[k].name);
        }
        sqlbuf_add(&sql, ", _v) VALUES (");
        for (size_t k = 0; k < defs[i]->nfields; k++)
            sqlbuf_add(&sql, k ? ", ?" : "?");
        sqlbuf_add(&sql, ", 1)");
        if (sql.overflow || sqlite3_prepare_v2(db, sql.buf, -1, &ins[i], NULL) != SQLITE_OK)
            die_sqlite(db, "schema prepare");
    }
    double t0 = now_ms();
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        die_sqlite(db, "schema begin");
    for (size_t k = 0; k < w->n; k++) {
        const struct record *r = &w->recs[k];
        int t = r->def == &schema_household ? 0
                : r->def == &schema_member  ? 1
                : r->def == &schema_visit   ? 2
                                            : 3;
        for (size_t i = 0; i < r->def->nfields; i++)
            sqlite3_bind_text(ins[t], (int)i + 1, r->values[i], -1, SQLITE_STATIC);
        if (sqlite3_step(ins[t]) != SQLITE_DONE)
            die_sqlite(db, "schema insert");
        sqlite3_reset(ins[t]);
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        die_sqlite(db, "schema commit");
    double ms = now_ms() - t0;
    for (int i = 0; i < 4; i++)
        sqlite3_finalize(ins[i]);
    store_close(st);
    unlink(path);
    return ms;
}

/* The store's bulk loader into a fresh cache; the open (KDF, migrations) is not timed. */
static double
store_apply(const char *dir, const struct world *w, const struct store_bulk_options *opt)
{
    struct store *st = NULL;
    struct store_bulk *b = NULL;
    struct dp_error err;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, STORE_FILE_NAME);
    unlink(path);
    if (store_open(dir, passphrase, &st, &err) != DP_OK)
        die_err("open", &err);
    double t0 = now_ms();
    if (store_bulk_new(st, opt, &b, &err) != DP_OK)
        die_err("bulk", &err);
    for (size_t k = 0; k < w->n; k++)
        if (store_bulk_put(b, &w->recs[k], &err) != DP_OK)
            die_err("bulk put", &err);
    if (store_bulk_finish(b, &err) != DP_OK)
        die_err("bulk finish", &err);
    store_bulk_free(b);
    double ms = now_ms() - t0;
    store_close(st);
    unlink(path);
    return ms;
}

static int
mode_apply(unsigned long households, const char *tmp)
{
    struct gen_options o;
    struct dp_error err;
    struct world w = {0};
    char base[PATH_MAX], dir[PATH_MAX + 16], raw_path[PATH_MAX + 16];

    gen_options_init(&o);
    o.households = households;
    o.workers = households >= 500 ? (unsigned)(households / 500) : 1;
    o.history_months = 16;
    if (gen_run(&o, world_cb, &w, NULL, &err) != DP_OK)
        die_err("generate", &err);
    snprintf(base, sizeof base, "%s/bench-apply.XXXXXX", tmp);
    if (!mkdtemp(base)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(dir, sizeof dir, "%s/cache", base);
    snprintf(raw_path, sizeof raw_path, "%s/raw.db", base);
    metric("apply_records", (double)w.n, "count");

    double plain = raw_insert(raw_path, &w, false);
    double enc = raw_insert(raw_path, &w, true);
    struct store_bulk_options one = {.batch = 0};
    struct store_bulk_options page = {.batch = 500};
    struct store_bulk_options big = {.batch = 0, .cache_kib = 262144};
    double schema = schema_insert(dir, &w);
    double s_one = store_apply(dir, &w, &one);
    double s_page = store_apply(dir, &w, &page);
    double s_big = store_apply(dir, &w, &big);

    double n = (double)w.n;
    metric("apply_raw_sqlite_rate", n / plain * 1e3, "records/s");
    metric("apply_raw_sqlcipher_rate", n / enc * 1e3, "records/s");
    metric("apply_raw_into_cache_schema_rate", n / schema * 1e3, "records/s");
    metric("apply_store_one_txn_rate", n / s_one * 1e3, "records/s");
    metric("apply_store_pages_of_500_rate", n / s_page * 1e3, "records/s");
    metric("apply_store_one_txn_256mib_cache_rate", n / s_big * 1e3, "records/s");
    metric("apply_ratio_pages_vs_raw_sqlite", plain / s_page, "x");
    metric("apply_ratio_one_txn_vs_raw_sqlite", plain / s_one, "x");
    metric("apply_ratio_one_txn_vs_raw_sqlcipher", enc / s_one, "x");
    metric("apply_ratio_one_txn_vs_raw_into_cache_schema", schema / s_one, "x");

    rmdir(dir);
    rmdir(base);
    store_record_list_free(w.recs, w.n);
    return 0;
}

/* ---- main ------------------------------------------------------------------------------ */

static void
usage(FILE *f)
{
    fputs("usage: bench_store open DIR [--trials N]\n"
          "       bench_store first-screen DIR\n"
          "       bench_store search DIR [--targets N]\n"
          "       bench_store search-alt DIR [--targets N]\n"
          "       bench_store apply [--households N] [--tmp DIR]\n"
          "  every mode takes --passphrase TEXT\n",
          f);
}

static long
num_arg(const char *s, long min, long max)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        fprintf(stderr, "bench_store: %s: want a number from %ld to %ld\n", s, min, max);
        exit(2);
    }
    return v;
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    const char *dir = NULL, *tmp = getenv("TMPDIR");
    long trials = 15, targets = 20, households = 5000;
    int i = 2;
    if (argc > 2 && argv[2][0] != '-') {
        dir = argv[2];
        i = 3;
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            usage(stderr);
            return 2;
        }
        if (strcmp(a, "--trials") == 0)
            trials = num_arg(v, 1, 10000);
        else if (strcmp(a, "--targets") == 0)
            targets = num_arg(v, 1, 10000);
        else if (strcmp(a, "--households") == 0)
            households = num_arg(v, 1, 1000000);
        else if (strcmp(a, "--tmp") == 0)
            tmp = v;
        else if (strcmp(a, "--passphrase") == 0)
            passphrase = v;
        else {
            usage(stderr);
            return 2;
        }
        i++;
    }
    if (!tmp || !*tmp)
        tmp = "/tmp";
    if (strcmp(mode, "first-screen") == 0 && dir) {
        store_first_screen(dir);
        /* For `open`, which cannot see our peak memory from outside. */
        printf("%ld\n", peak_rss_kib());
        return 0;
    }
    if (strcmp(mode, "open") == 0 && dir)
        return mode_open(dir, (int)trials, argv[0]);
    if (strcmp(mode, "search") == 0 && dir)
        return mode_search(dir, (int)targets);
    if (strcmp(mode, "search-alt") == 0 && dir)
        return mode_search_alt(dir, (int)targets);
    if (strcmp(mode, "apply") == 0 && !dir)
        return mode_apply((unsigned long)households, tmp);
    usage(stderr);
    return 2;
}
