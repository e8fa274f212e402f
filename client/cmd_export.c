/*
 * doorstep export: every record in the cache, for a spreadsheet or another
 * program. Streams household by household, so a county cache never sits in
 * memory whole. With --out the file appears only when complete (written
 * beside it, then renamed), mode 0600: it holds personal data.
 */
#include "client/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "core/date.h"
#include "core/i18n.h"
#include "core/record.h"
#include "core/schema.h"
#include "store/store.h"

#define WINDOW_ROWS 256

enum export_format { FORMAT_NONE, FORMAT_CSV, FORMAT_JSON };

struct export_opts {
    enum export_format format;
    const struct record_def *type; /* CSV only; NULL = household */
    const char *out;
};

enum { OPT_FORMAT = 256, OPT_TYPE, OPT_OUT };

static void
export_help(const struct cli *cli)
{
    (void)cli;
    printf(_("Usage: doorstep export --format csv|json [--type TYPE] [--out FILE]\n"
             "\n"
             "Writes the records in the cache to FILE (created with mode 0600 only when\n"
             "complete) or to standard output. The output holds personal data: keep it\n"
             "as safe as the cache.\n"
             "\n"
             "  --format json   one object: {\"format\", \"schema\", \"households\": [...]},\n"
             "                  each entry a household with its members, visits and needs\n"
             "  --format csv    one table with a header row; --type picks which:\n"
             "                  household (default), member, visit or need. A cell\n"
             "                  that starts with = + - @, a tab or a carriage return\n"
             "                  gets a leading ' so that spreadsheets show it as text\n"
             "                  instead of running it as a formula\n"
             "  --out FILE      write to FILE instead of standard output\n"
             "\n"
             "Common options: --config FILE, --data-dir DIR, --passphrase-file FILE.\n"));
}

static int
export_option(void *ctx, int id, const char *arg)
{
    struct export_opts *o = ctx;
    switch (id) {
    case OPT_FORMAT:
        if (strcmp(arg, "csv") == 0)
            o->format = FORMAT_CSV;
        else if (strcmp(arg, "json") == 0)
            o->format = FORMAT_JSON;
        else {
            cli_error(_("export: --format must be csv or json"));
            return CLI_EXIT_USAGE;
        }
        return 0;
    case OPT_TYPE:
        o->type = schema_record(arg);
        if (!o->type) {
            cli_error(_("export: --type must be household, member, visit or need"));
            return CLI_EXIT_USAGE;
        }
        return 0;
    case OPT_OUT:
        o->out = arg;
        return 0;
    }
    return CLI_EXIT_USAGE;
}

/*
 * A cell a spreadsheet would take for a formula (or, after a tab or carriage
 * return, for something it reinterprets) gets a leading apostrophe, which
 * spreadsheets show as text and do not display: a note typed as
 * "=HYPERLINK(...)" must not become a live link on a supervisor's machine.
 */
static bool
csv_needs_neutralising(const char *s)
{
    return s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}

/* RFC 4180 field: quoted only when it must be; formula-like cells neutralised. */
static void
csv_field(FILE *f, const char *s)
{
    bool neutral = csv_needs_neutralising(s);
    if (!strpbrk(s, ",\"\r\n")) {
        if (neutral)
            fputc('\'', f);
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (neutral)
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void
csv_header(FILE *f, const struct record_def *def)
{
    for (size_t i = 0; i < def->nfields; i++) {
        if (i)
            fputc(',', f);
        csv_field(f, def->fields[i].name);
    }
    fputs("\r\n", f);
}

static void
csv_row(FILE *f, const struct record *r)
{
    for (size_t i = 0; i < r->def->nfields; i++) {
        if (i)
            fputc(',', f);
        csv_field(f, r->values[i]);
    }
    fputs("\r\n", f);
}

/* Add the household's children of one type to obj[name] as an array. */
static enum dp_status
json_children(struct store *st, cJSON *obj, const struct record_def *def, const char *hid,
              struct dp_error *err)
{
    struct record *recs = NULL;
    size_t n = 0;
    enum dp_status rc = store_record_list(st, def, hid, &recs, &n, err);
    if (rc != DP_OK)
        return rc;
    cJSON *arr = cJSON_AddArrayToObject(obj, def->name);
    for (size_t i = 0; arr && i < n; i++) {
        if (recs[i].deleted)
            continue;
        cJSON *item = record_to_json(&recs[i], true);
        if (!item || !cJSON_AddItemToArray(arr, item)) {
            cJSON_Delete(item);
            arr = NULL;
        }
    }
    store_record_list_free(recs, n);
    return arr ? DP_OK : dp_error_set(err, DP_ENOMEM, NULL, NULL);
}

static enum dp_status
json_household(struct store *st, FILE *f, const char *hid, bool *first, struct dp_error *err)
{
    struct record hh = {0};
    cJSON *obj = NULL;
    char *text = NULL;
    enum dp_status rc = store_record_get(st, &schema_household, hid, &hh, err);
    if (rc != DP_OK)
        goto out;
    if (hh.deleted)
        goto out;
    obj = cJSON_CreateObject();
    cJSON *rec = record_to_json(&hh, true);
    if (!obj || !rec || !cJSON_AddItemToObject(obj, "household", rec)) {
        cJSON_Delete(rec);
        rc = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    for (size_t i = 0; schema_records[i]; i++) {
        if (schema_records[i]->parent_field < 0)
            continue;
        rc = json_children(st, obj, schema_records[i], hid, err);
        if (rc != DP_OK)
            goto out;
    }
    text = cJSON_PrintUnformatted(obj);
    if (!text) {
        rc = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    fprintf(f, "%s\n%s", *first ? "" : ",", text);
    *first = false;
out:
    free(text);
    cJSON_Delete(obj);
    record_done(&hh);
    return rc;
}

static enum dp_status
csv_household(struct store *st, FILE *f, const struct record_def *def, const char *hid,
              struct dp_error *err)
{
    enum dp_status rc;
    if (def == &schema_household) {
        struct record hh = {0};
        rc = store_record_get(st, def, hid, &hh, err);
        if (rc == DP_OK && !hh.deleted)
            csv_row(f, &hh);
        record_done(&hh);
        return rc;
    }
    struct record *recs = NULL;
    size_t n = 0;
    rc = store_record_list(st, def, hid, &recs, &n, err);
    if (rc != DP_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (!recs[i].deleted)
            csv_row(f, &recs[i]);
    store_record_list_free(recs, n);
    return DP_OK;
}

static enum dp_status
export_all(struct store *st, FILE *f, const struct export_opts *o, struct dp_error *err)
{
    struct household_filter filter = {.sort = STORE_SORT_NAME};
    struct household_row *rows = calloc(WINDOW_ROWS, sizeof *rows);
    struct dp_date today = date_today();
    long offset = 0;
    bool first = true;
    enum dp_status rc = DP_OK;

    if (!rows)
        return dp_error_set(err, DP_ENOMEM, NULL, NULL);
    date_format(&today, filter.today, sizeof filter.today);
    if (o->format == FORMAT_JSON)
        fprintf(f, "{\"format\":\"doorstep-export-1\",\"schema\":\"%s\",\"households\":[",
                SCHEMA_NAME);
    else
        csv_header(f, o->type);
    for (;;) {
        int n = 0;
        rc = store_household_window(st, &filter, offset, WINDOW_ROWS, rows, &n, err);
        if (rc != DP_OK)
            goto out;
        for (int i = 0; i < n; i++) {
            if (o->format == FORMAT_JSON)
                rc = json_household(st, f, rows[i].id, &first, err);
            else
                rc = csv_household(st, f, o->type, rows[i].id, err);
            if (rc != DP_OK)
                goto out;
        }
        if (n < WINDOW_ROWS)
            break;
        offset += n;
    }
    if (o->format == FORMAT_JSON)
        fputs("\n]}\n", f);
out:
    free(rows);
    return rc;
}

int
cmd_export(struct cli *cli, int argc, char **argv)
{
    static const struct cli_option opts[] = {
        {"format", true, OPT_FORMAT},
        {"type", true, OPT_TYPE},
        {"out", true, OPT_OUT},
    };
    struct export_opts o = {0};
    struct config cfg;
    struct store *st = NULL;
    struct dp_error err;
    char tmp[PATH_MAX + 16] = "";
    FILE *f = stdout;
    int rc = cli_parse(cli, argc, argv, opts, 3, export_option, &o, export_help);

    if (rc >= 0)
        return rc;
    if (o.format == FORMAT_NONE) {
        cli_error(_("export: --format csv or --format json is required"));
        return CLI_EXIT_USAGE;
    }
    if (o.type && o.format != FORMAT_CSV) {
        cli_error(_("export: --type applies to --format csv only"));
        return CLI_EXIT_USAGE;
    }
    if (!o.type)
        o.type = &schema_household;
    if (!cli_load_config(cli, &cfg))
        return CLI_EXIT_USAGE;
    if (!cli_open_cache(&cfg, false, &st))
        return CLI_EXIT_FAIL;

    rc = CLI_EXIT_FAIL;
    if (o.out) {
        int len = snprintf(tmp, sizeof tmp, "%s.XXXXXX", o.out);
        int fd = len > 0 && (size_t)len < sizeof tmp ? mkstemp(tmp) : -1;
        if (fd < 0 || !(f = fdopen(fd, "w"))) {
            cli_error(_("%s: cannot create: %s"), o.out, strerror(errno));
            if (fd >= 0) {
                close(fd);
                unlink(tmp);
            }
            tmp[0] = '\0';
            f = NULL;
            goto out;
        }
    }
    if (export_all(st, f, &o, &err) != DP_OK) {
        cli_error(_("export stopped: %s"), err.msg);
        goto out;
    }
    if (fflush(f) != 0 || ferror(f) || (o.out && fsync(fileno(f)) != 0)) {
        cli_error(_("%s: cannot write: %s"), o.out ? o.out : _("standard output"), strerror(errno));
        goto out;
    }
    if (o.out) {
        int closed = fclose(f);
        f = NULL;
        if (closed != 0 || rename(tmp, o.out) != 0) {
            cli_error(_("%s: cannot write: %s"), o.out, strerror(errno));
            goto out;
        }
        tmp[0] = '\0';
    }
    rc = CLI_EXIT_OK;
out:
    if (f && f != stdout)
        fclose(f);
    if (tmp[0])
        unlink(tmp);
    store_close(st);
    return rc;
}
