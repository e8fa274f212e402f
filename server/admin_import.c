/*
 * doorstep-server import-households FILE.csv: the county's household list,
 * one household per row, with the worker each is assigned to. Every row is
 * checked; if any row is bad, every bad row is reported (line and column,
 * never the value) and nothing is imported.
 */
#include "server/admin.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"
#include "core/schema.h"
#include "core/validate.h"
#include "server/assign.h"
#include "server/audit.h"
#include "server/csv.h"
#include "server/db.h"
#include "server/records.h"
#include "server/users.h"

#define MAX_REPORTED 100

static const char usage[] =
    "usage: doorstep-server import-households FILE.csv [--db FILE]\n"
    "Import households from a CSV file with a header row. Columns are household\n"
    "field names (docs/ADMIN.md lists them); assigned_to (a worker's login) is\n"
    "required, team comes from the worker. Nothing is imported unless every row is good.\n";

struct importer {
    sqlite3 *db;
    const char *file;
    int col_of[SREC_MAX_FIELDS]; /* CSV column of each household field, -1 if absent */
    size_t ncols;
    long errors;
    long imported;
    struct dp_date today;
    struct change_ctx ctx;
    /* id numbers and ids seen in this file, to refuse duplicates */
    char (*seen)[40];
    size_t nseen, aseen;
};

static void
report(struct importer *im, long line, const char *column, const char *msg)
{
    im->errors++;
    if (im->errors <= MAX_REPORTED) {
        if (column && column[0])
            fprintf(stderr, "%s:%ld: column %s: %s\n", im->file, line, column, msg);
        else
            fprintf(stderr, "%s:%ld: %s\n", im->file, line, msg);
    }
}

static bool
seen_add(struct importer *im, const char *key)
{
    for (size_t i = 0; i < im->nseen; i++)
        if (strcmp(im->seen[i], key) == 0)
            return false;
    if (im->nseen == im->aseen) {
        size_t na = im->aseen ? im->aseen * 2 : 256;
        void *p = realloc(im->seen, na * sizeof *im->seen);
        if (!p)
            return true; /* cannot track: the database check still applies */
        im->seen = p;
        im->aseen = na;
    }
    snprintf(im->seen[im->nseen++], sizeof im->seen[0], "%s", key);
    return true;
}

/* The header row: every column a household field, none twice, required ones present. */
static bool
read_header(struct importer *im, const struct csv_row *row)
{
    const struct record_def *def = &schema_household;
    for (size_t i = 0; i < def->nfields; i++)
        im->col_of[i] = -1;
    im->ncols = row->n;
    bool ok = true;
    for (size_t c = 0; c < row->n; c++) {
        const char *name = row->fields[c];
        int fi = schema_field_index(def, name);
        if (fi < 0) {
            /* The name is not echoed: a file without a header would show a person's data. */
            char col[32];
            snprintf(col, sizeof col, "%zu", c + 1);
            report(im, row->line, col,
                   "header is not a household field name (docs/ADMIN.md lists them;"
                   " is the header row missing?)");
            ok = false;
            continue;
        }
        if (strcmp(name, "team") == 0) {
            report(im, row->line, name, "cannot be imported: the team is the worker's team");
            ok = false;
            continue;
        }
        if (im->col_of[fi] >= 0) {
            report(im, row->line, name, "appears twice in the header");
            ok = false;
            continue;
        }
        im->col_of[fi] = (int)c;
    }
    static const char *const needed[] = {"head_name", "village",     "township",
                                         "risk",      "assigned_to", NULL};
    for (size_t k = 0; needed[k]; k++) {
        if (im->col_of[schema_field_index(def, needed[k])] < 0) {
            report(im, row->line, needed[k], "required column is missing from the header");
            ok = false;
        }
    }
    return ok;
}

/* Sets in a CSV cell may use ',' or ';' between tokens; store them canonical. */
static bool
canonical_set(const struct field_def *f, const char *in, char *out, size_t outsize)
{
    bool have[64] = {false};
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", in);
    char *save = NULL;
    for (char *tok = strtok_r(tmp, ",;", &save); tok; tok = strtok_r(NULL, ",;", &save)) {
        while (*tok == ' ')
            tok++;
        size_t n = strlen(tok);
        while (n && tok[n - 1] == ' ')
            tok[--n] = '\0';
        int k = schema_choice_index(f->choices, tok);
        if (k < 0 || k >= 64)
            return false;
        have[k] = true;
    }
    out[0] = '\0';
    size_t used = 0;
    for (int k = 0; f->choices[k].token && k < 64; k++) {
        if (!have[k])
            continue;
        int w = snprintf(out + used, outsize - used, "%s%s", used ? "," : "", f->choices[k].token);
        if (w < 0 || (size_t)w >= outsize - used)
            return false;
        used += (size_t)w;
    }
    return true;
}

static enum dp_status
exists_in_db(sqlite3 *db, const char *sql, const char *value, bool *found, struct dp_error *err)
{
    sqlite3_stmt *q;
    enum dp_status st = db_prepare(db, sql, &q, err);
    if (st != DP_OK)
        return st;
    sqlite3_bind_text(q, 1, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    *found = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = db_fail(db, rc, "household", err);
    sqlite3_finalize(q);
    return st;
}

/* Check one data row and, when good, insert it (inside the import's transaction). */
static enum dp_status
import_row(struct importer *im, const struct csv_row *row)
{
    const struct record_def *def = &schema_household;
    if (row->n == 1 && row->fields[0][0] == '\0')
        return DP_OK; /* a blank line */
    if (row->n != im->ncols) {
        char msg[96];
        snprintf(msg, sizeof msg, "has %zu fields, the header has %zu", row->n, im->ncols);
        report(im, row->line, "", msg);
        return DP_OK;
    }
    struct record r;
    enum dp_status st = record_init(&r, def);
    if (st != DP_OK)
        return st;
    struct dp_error err;
    dp_error_clear(&err);
    bool bad = false;
    for (size_t i = 0; i < def->nfields && !bad && st == DP_OK; i++) {
        if (im->col_of[i] < 0)
            continue;
        const struct field_def *f = &def->fields[i];
        const char *cell = row->fields[im->col_of[i]];
        char norm[1024];
        if (f->type == FT_ID_NUMBER && cell[0]) {
            if (!id_number_normalise(cell, norm, sizeof norm)) {
                report(im, row->line, f->name, "is not an ID number");
                bad = true;
                continue;
            }
            cell = norm;
        } else if (f->type == FT_SET && cell[0]) {
            if (!canonical_set(f, cell, norm, sizeof norm)) {
                report(im, row->line, f->name, "holds a token that is not one of its choices");
                bad = true;
                continue;
            }
            cell = norm;
        }
        st = record_set_index(&r, (int)i, cell);
    }
    if (st != DP_OK || bad)
        goto out;

    if (!record_get(&r, "status")[0])
        record_set(&r, "status", "active");
    char id[37];
    if (!record_get(&r, "id")[0]) {
        record_new_id(id, sizeof id);
        record_set(&r, "id", id);
    }

    /* The assigned worker decides the team. */
    struct user u;
    const char *worker = record_get(&r, "assigned_to");
    if (validate_username(worker, "assigned_to", &err) != DP_OK) {
        report(im, row->line, "assigned_to", "is not a login name");
        goto out;
    }
    st = users_get(im->db, worker, &u, NULL, 0, &err);
    if (st == DP_ENOTFOUND || (st == DP_OK && strcmp(u.role, "worker") != 0)) {
        report(im, row->line, "assigned_to",
               "is not a worker known to this server (useradd first)");
        st = DP_OK;
        goto out;
    }
    if (st != DP_OK)
        goto out;
    record_set(&r, "team", u.team);

    if (record_validate(&r, &im->today, &err) != DP_OK) {
        report(im, row->line, err.field, err.msg);
        goto out;
    }
    bool found = false;
    const char *rid = record_get(&r, "id");
    if ((st = exists_in_db(im->db, "SELECT 1 FROM household WHERE id = ?", rid, &found, &err)) !=
        DP_OK)
        goto out;
    if (found || !seen_add(im, rid)) {
        report(im, row->line, "id", "is already used by another household");
        goto out;
    }
    const char *idn = record_get(&r, "head_id_number");
    if (idn[0]) {
        if ((st = exists_in_db(im->db,
                               "SELECT 1 FROM household WHERE head_id_number = ? AND _deleted = 0",
                               idn, &found, &err)) != DP_OK)
            goto out;
        if (found || !seen_add(im, idn)) {
            report(im, row->line, "head_id_number", "is already the head of another household");
            goto out;
        }
    }
    if (im->errors)
        goto out; /* nothing will be kept; checking the rest is all that matters */
    int64_t seq;
    if ((st = records_insert(im->db, &r, NULL, &im->ctx, &seq, &err)) == DP_OK)
        st = assign_history_add(im->db, rid, "", worker, "", u.team, seq, &im->ctx, &err);
    if (st == DP_OK)
        im->imported++;
out:
    if (st != DP_OK && st != DP_ENOTFOUND)
        fprintf(stderr, "%s:%ld: %s\n", im->file, row->line,
                err.msg[0] ? err.msg : dp_strerror(st));
    record_done(&r);
    return st == DP_ENOTFOUND ? DP_OK : st;
}

int
admin_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dbopt = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dbopt = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fputs(usage, stderr);
        return 2;
    }
    struct importer im = {.file = argv[optind]};
    FILE *f = fopen(im.file, "rb");
    if (!f) {
        fprintf(stderr, "doorstep-server import-households: %s: %s; nothing was imported\n",
                im.file, strerror(errno));
        return 1;
    }
    const char *path = admin_db_path(dbopt);
    im.db = admin_open(path);
    if (!im.db) {
        fclose(f);
        return 1;
    }
    char actor[64];
    audit_admin_actor(actor, sizeof actor);
    im.ctx = (struct change_ctx){.user = actor, .device = "", .kind = "write"};
    im.today = date_today();

    int rc = 1;
    struct dp_error err;
    dp_error_clear(&err);
    struct csv csv;
    csv_init(&csv, f);
    struct csv_row row;
    enum dp_status st = db_begin_write(im.db, &err);
    if (st != DP_OK)
        goto out;
    st = csv_next(&csv, &row, &err);
    if (st == DP_ENOTFOUND) {
        fprintf(stderr, "%s: the file is empty (a header row is needed)\n", im.file);
        goto out;
    }
    if (st == DP_EINVAL) {
        fprintf(stderr, "%s: %s\n", im.file, err.msg);
        goto out;
    }
    if (st != DP_OK)
        goto out;
    bool header_ok = read_header(&im, &row);
    csv_row_done(&row);
    if (!header_ok)
        goto out;

    for (;;) {
        st = csv_next(&csv, &row, &err);
        if (st == DP_ENOTFOUND) {
            st = DP_OK;
            break;
        }
        if (st == DP_EINVAL) {
            im.errors++;
            if (im.errors <= MAX_REPORTED)
                fprintf(stderr, "%s: %s\n", im.file, err.msg);
            continue;
        }
        if (st != DP_OK)
            break;
        st = import_row(&im, &row);
        csv_row_done(&row);
        if (st != DP_OK)
            break;
    }
    if (st != DP_OK || im.errors)
        goto out;
    char detail[64];
    snprintf(detail, sizeof detail, "%ld households", im.imported);
    struct audit_entry e = {.user = actor, .action = "import_households", .detail = detail};
    if ((st = audit_log(im.db, &e, &err)) != DP_OK || (st = db_commit(im.db, &err)) != DP_OK)
        goto out;
    db_note_hwm(im.db, path, NULL);
    printf("imported %ld households\n", im.imported);
    rc = 0;
out:
    if (rc != 0) {
        db_rollback(im.db);
        if (im.errors > MAX_REPORTED)
            fprintf(stderr, "%s: ... and %ld more bad rows\n", im.file, im.errors - MAX_REPORTED);
        if (im.errors)
            fprintf(stderr,
                    "doorstep-server import-households: %ld bad row%s; nothing was imported\n",
                    im.errors, im.errors == 1 ? "" : "s");
        else if (st != DP_OK)
            fprintf(stderr, "doorstep-server import-households: %s; nothing was imported\n",
                    err.msg[0] ? err.msg : dp_strerror(st));
    }
    csv_done(&csv);
    fclose(f);
    free(im.seen);
    db_close(im.db);
    return rc;
}
