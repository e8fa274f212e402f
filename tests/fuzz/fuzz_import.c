/*
 * `doorstep-server import-households FILE.csv` (server/admin_import.c) run
 * whole, on a fresh copy of the fixture database (server_fixture.h: worker
 * "wa", supervisor "sa", one household) for each input, which is the CSV
 * file. All or nothing: a refused file leaves the database as it was and
 * says so; an accepted one says nothing on stderr and adds at least one
 * change per household it reports, and every value it took is one the
 * schema accepts (checked here independently of the importer's own
 * checks). No report line repeats a cell that looks
 * personal (names, ID numbers, phone numbers), whatever the file holds.
 */
#include "tests/fuzz/fuzz.h"

#include <fcntl.h>
#include <sanitizer/common_interface_defs.h>

#include "core/schema.h"
#include "core/validate.h"
#include "server/admin.h"
#include "server/csv.h"
#include "tests/fuzz/server_fixture.h"

static char csv_path[320], out_path[320], err_path[320];
static int real_stderr = -1;

static void
import_cleanup(void)
{
    unlink(csv_path);
    unlink(out_path);
    unlink(err_path);
}

static void
import_setup(void)
{
    fixture_setup();
    snprintf(csv_path, sizeof csv_path, "%s/households.csv", fx.dir);
    snprintf(out_path, sizeof out_path, "%s/stdout", fx.dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", fx.dir);
    /* Registered after the fixture's, so it runs first and the directory can go. */
    atexit(import_cleanup);
    /* The importer's reports go to a file; sanitizer reports must still reach the log. */
    real_stderr = dup(2);
    FUZZ_ASSERT(real_stderr >= 0);
    __sanitizer_set_report_fd((void *)(intptr_t)real_stderr);
}

static int64_t
max_seq(void)
{
    sqlite3 *db;
    struct dp_error err;
    int64_t seq = -1;
    FUZZ_ASSERT(db_open(fx.db, &db, &err) == DP_OK);
    FUZZ_ASSERT(db_max_seq(db, &seq, &err) == DP_OK);
    db_close(db);
    return seq;
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    FUZZ_ASSERT(f);
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    FUZZ_ASSERT(m);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(f);
    FUZZ_ASSERT(fclose(m) == 0);
    return text;
}

/* Run the command with stdout and stderr in files. */
static int
run_import(void)
{
    fflush(stdout);
    int saved_out = dup(1), saved_err = dup(2);
    int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FUZZ_ASSERT(saved_out >= 0 && saved_err >= 0 && out >= 0 && err >= 0);
    dup2(out, 1);
    dup2(err, 2);
    close(out);
    close(err);
    char *argv[] = {"import-households", csv_path, "--db", fx.db, NULL};
    int rc = admin_import(4, argv);
    fflush(stdout);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    return rc;
}

/* Every cell of the file, as the importer's reader sees it, against every report line. */
static void
reports_are_private(const uint8_t *data, size_t size, const char *report)
{
    FILE *f = fmemopen((void *)data, size, "r");
    FUZZ_ASSERT(f);
    struct csv c;
    csv_init(&c, f);
    struct csv_row row;
    struct dp_error err;
    dp_error_clear(&err);
    enum dp_status st;
    while ((st = csv_next(&c, &row, &err)) != DP_ENOTFOUND) {
        if (st != DP_OK)
            continue;
        for (size_t i = 0; i < row.n; i++) {
            /* Report lines start with the file's name, which holds random letters. */
            for (const char *line = report; *line;) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);
                struct dp_error shown;
                memset(&shown, 0, sizeof shown);
                const char *tail =
                    strncmp(line, csv_path, strlen(csv_path)) == 0 ? line + strlen(csv_path) : line;
                size_t tlen = len - (size_t)(tail - line);
                snprintf(shown.msg, sizeof shown.msg, "%.*s", (int)tlen, tail);
                fuzz_assert_private(&shown, row.fields[i]);
                line += len + (end ? 1 : 0);
            }
        }
        csv_row_done(&row);
    }
    csv_done(&c);
    fclose(f);
}

/* A set cell as the importer documents it: choices separated by ',' or ';', blanks around. */
static bool
set_cell_ok(const struct field_def *f, const char *cell)
{
    char *copy = strdup(cell);
    FUZZ_ASSERT(copy);
    bool ok = true;
    for (char *p = copy; ok && p;) {
        char *sep = strpbrk(p, ",;");
        if (sep)
            *sep = '\0';
        while (*p == ' ')
            p++;
        size_t n = strlen(p);
        while (n && p[n - 1] == ' ')
            p[--n] = '\0';
        ok = !*p || schema_choice_index(f->choices, p) >= 0;
        p = sep ? sep + 1 : NULL;
    }
    free(copy);
    return ok;
}

/* After a successful import: every cell of every data row is a value its field accepts. */
static void
values_were_valid(const uint8_t *data, size_t size)
{
    const struct record_def *def = &schema_household;
    const struct dp_date today = date_today();
    FILE *f = fmemopen((void *)data, size, "r");
    FUZZ_ASSERT(f);
    struct csv c;
    csv_init(&c, f);
    struct csv_row header, row;
    struct dp_error err;
    FUZZ_ASSERT(csv_next(&c, &header, &err) == DP_OK);
    while (csv_next(&c, &row, &err) == DP_OK) {
        FUZZ_ASSERT(row.n == header.n || (row.n == 1 && !row.fields[0][0]));
        for (size_t i = 0; i < row.n && row.n == header.n; i++) {
            const struct field_def *fd = schema_field(def, header.fields[i]);
            const char *cell = row.fields[i];
            FUZZ_ASSERT(fd);
            if (!cell[0])
                continue;
            bool ok;
            if (fd->type == FT_SET) {
                ok = set_cell_ok(fd, cell);
            } else if (fd->type == FT_ID_NUMBER) {
                char norm[64];
                ok = id_number_normalise(cell, norm, sizeof norm) &&
                     validate_id_number(norm, &today, NULL, fd->name, NULL) == DP_OK;
            } else {
                ok = validate_field(fd, cell, &today, NULL) == DP_OK;
            }
            if (!ok)
                fprintf(stderr, "imported a bad value in column %s\n", fd->name);
            FUZZ_ASSERT(ok);
        }
        csv_row_done(&row);
    }
    csv_row_done(&header);
    csv_done(&c);
    fclose(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fx.image)
        import_setup();
    fixture_restore_file();
    FILE *f = fopen(csv_path, "wb");
    FUZZ_ASSERT(f && fwrite(data, 1, size, f) == size && fclose(f) == 0);
    int64_t before = max_seq();

    int rc = run_import();

    char *out = slurp(out_path), *report = slurp(err_path);
    int64_t after = max_seq();
    if (getenv("FUZZ_VERBOSE"))
        fprintf(stderr, "rc %d, seq %lld -> %lld\n%s%s", rc, (long long)before, (long long)after,
                out, report);
    FUZZ_ASSERT(rc == 0 || rc == 1);
    if (rc == 0) {
        long n = -1;
        FUZZ_ASSERT(sscanf(out, "imported %ld households", &n) == 1 && n >= 0);
        FUZZ_ASSERT(report[0] == '\0');
        FUZZ_ASSERT(after >= before + n);
        values_were_valid(data, size);
    } else {
        FUZZ_ASSERT(strstr(report, "nothing was imported") || strstr(report, "a header row"));
        FUZZ_ASSERT(after == before);
        FUZZ_ASSERT(out[0] == '\0');
    }
    if (size)
        reports_are_private(data, size, report);
    free(out);
    free(report);
    return 0;
}
