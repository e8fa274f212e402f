/* doorstep-server assign, seed and export. */
#include "server/admin.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/gen.h"
#include "core/record.h"
#include "core/validate.h"
#include "server/assign.h"
#include "server/audit.h"
#include "server/auth.h"
#include "server/db.h"
#include "server/records.h"
#include "server/users.h"

/* ---- assign ---------------------------------------------------------------- */

static const char assign_usage[] =
    "usage: doorstep-server assign HOUSEHOLD_ID USER [--db FILE]\n"
    "Assign a household to a worker (across teams if need be). The old worker's\n"
    "laptop drops it at its next sync; the new worker's receives it.\n";

int
admin_assign(int argc, char **argv)
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
            fputs(assign_usage, stdout);
            return 0;
        default:
            fputs(assign_usage, stderr);
            return 2;
        }
    }
    if (optind + 2 != argc) {
        fputs(assign_usage, stderr);
        return 2;
    }
    const char *hid = argv[optind], *worker = argv[optind + 1];
    struct dp_error err;
    dp_error_clear(&err);
    if (validate_uuid(hid, "HOUSEHOLD_ID", &err) != DP_OK) {
        fputs("doorstep-server assign: HOUSEHOLD_ID must be a household id (a UUID)\n", stderr);
        return 2;
    }
    const char *path = admin_db_path(dbopt);
    sqlite3 *db = admin_open(path);
    if (!db)
        return 1;
    int rc = 1;
    struct srec hh;
    memset(&hh, 0, sizeof hh);
    struct user u;
    enum dp_status st = db_begin_write(db, &err);
    if (st != DP_OK)
        goto out;
    st = users_get(db, worker, &u, NULL, 0, &err);
    if (st == DP_ENOTFOUND || (st == DP_OK && strcmp(u.role, "worker") != 0)) {
        fputs("doorstep-server assign: USER is not a worker known to this server\n", stderr);
        goto out;
    }
    if (st != DP_OK)
        goto out;
    st = srec_load(db, &schema_household, hid, &hh, &err);
    if (st == DP_ENOTFOUND || (st == DP_OK && hh.rec.deleted)) {
        fputs("doorstep-server assign: no such household\n", stderr);
        goto out;
    }
    if (st != DP_OK)
        goto out;
    char actor[64], detail[160];
    audit_admin_actor(actor, sizeof actor);
    snprintf(detail, sizeof detail, "from=%s to=%s", record_get(&hh.rec, "assigned_to"), u.name);
    struct change_ctx ctx = {.user = actor, .device = "", .kind = "write"};
    struct audit_entry e = {
        .user = actor, .action = "assign", .t = "household", .rid = hid, .detail = detail};
    if ((st = assign_household(db, &hh, u.name, u.team, &ctx, &err)) != DP_OK ||
        (st = audit_log(db, &e, &err)) != DP_OK || (st = db_commit(db, &err)) != DP_OK)
        goto out;
    db_note_hwm(db, path, NULL);
    printf("household %s assigned to %s (team %s)\n", hid, u.name, u.team);
    rc = 0;
out:
    if (rc != 0) {
        db_rollback(db);
        if (st != DP_OK && st != DP_ENOTFOUND)
            admin_fail("assign", &err);
    }
    srec_done(&hh);
    db_close(db);
    return rc;
}

/* ---- seed ------------------------------------------------------------------ */

static const char seed_usage[] =
    "usage: doorstep-server seed --households N --workers M [--teams T] [--seed S]\n"
    "                            [--password-stdin] [--db FILE]\n"
    "Fill an empty database with synthetic demo data (core/gen.h): M workers\n"
    "worker01.., T teams team01.. with one supervisor each (supervisor01..), N\n"
    "households with members, visits and needs. Every account gets the password\n"
    "read from stdin, or \"doorstep-demo\". Refused when households already exist.\n";

#define SEED_BATCH 200 /* households per transaction */

struct seeder {
    sqlite3 *db;
    struct change_ctx ctx;
    unsigned long in_batch;
    struct dp_error *err;
};

static enum dp_status
seed_emit(void *arg, const struct record *r)
{
    struct seeder *sd = arg;
    enum dp_status st;
    if (r->def == &schema_household && sd->in_batch >= SEED_BATCH) {
        if ((st = db_commit(sd->db, sd->err)) != DP_OK ||
            (st = db_begin_write(sd->db, sd->err)) != DP_OK)
            return st;
        sd->in_batch = 0;
    }
    int64_t seq;
    if ((st = records_insert(sd->db, r, NULL, &sd->ctx, &seq, sd->err)) != DP_OK)
        return st;
    if (r->def == &schema_household) {
        sd->in_batch++;
        st = assign_history_add(sd->db, record_get(r, "id"), "", record_get(r, "assigned_to"), "",
                                record_get(r, "team"), seq, &sd->ctx, sd->err);
    }
    return st;
}

static bool
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max)
        return false;
    *out = v;
    return true;
}

static enum dp_status
seed_user(sqlite3 *db, const char *name, const char *role, const char *team, const char *hash,
          struct dp_error *err)
{
    struct user u;
    enum dp_status st = users_get(db, name, &u, NULL, 0, err);
    if (st == DP_OK)
        return dp_error_set(err, DP_EEXIST, NULL, "user %s already exists", name);
    if (st != DP_ENOTFOUND)
        return st;
    return users_add(db, name, role, team, hash, NULL, err);
}

int
admin_seed(int argc, char **argv)
{
    static const struct option opts[] = {
        {"households", required_argument, NULL, 'n'},
        {"workers", required_argument, NULL, 'w'},
        {"teams", required_argument, NULL, 't'},
        {"seed", required_argument, NULL, 's'},
        {"db", required_argument, NULL, 'd'},
        {"password-stdin", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct gen_options go;
    gen_options_init(&go);
    go.today = date_today();
    const char *dbopt = NULL;
    bool from_stdin = false, have_n = false, have_w = false, have_t = false;
    unsigned long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!parse_ulong(optarg, 1000000, &v))
                goto bad;
            go.households = v;
            have_n = true;
            break;
        case 'w':
            if (!parse_ulong(optarg, GEN_MAX_WORKERS, &v) || v == 0)
                goto bad;
            go.workers = (unsigned)v;
            have_w = true;
            break;
        case 't':
            if (!parse_ulong(optarg, GEN_MAX_WORKERS, &v) || v == 0)
                goto bad;
            go.teams = (unsigned)v;
            have_t = true;
            break;
        case 's':
            if (!parse_ulong(optarg, ULONG_MAX, &v))
                goto bad;
            go.seed = v;
            break;
        case 'd':
            dbopt = optarg;
            break;
        case 'p':
            from_stdin = true;
            break;
        case 'h':
            fputs(seed_usage, stdout);
            return 0;
        default:
            fputs(seed_usage, stderr);
            return 2;
        }
    }
    if (optind != argc || !have_n || !have_w)
        goto bad;
    if (!have_t)
        go.teams = go.workers < 10 ? 1 : (go.workers + 9) / 10;
    struct dp_error err;
    dp_error_clear(&err);
    if (gen_options_check(&go, &err) != DP_OK) {
        admin_fail("seed", &err);
        return 2;
    }

    char pw[256] = "doorstep-demo", hash[AUTH_HASH_MAX];
    if (from_stdin && admin_read_password(true, pw, sizeof pw, &err) != DP_OK) {
        admin_fail("seed", &err);
        return 2;
    }
    const char *path = admin_db_path(dbopt);
    sqlite3 *db = admin_open(path);
    if (!db)
        return 1;
    int rc = 1;
    struct gen_stats stats = {0};
    enum dp_status st;
    sqlite3_stmt *q = NULL;
    if ((st = db_begin_write(db, &err)) != DP_OK)
        goto out;
    if ((st = db_prepare(db, "SELECT count(*) FROM household", &q, &err)) != DP_OK)
        goto out;
    bool empty = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int64(q, 0) == 0;
    sqlite3_finalize(q);
    if (!empty) {
        dp_error_set(&err, DP_EEXIST, NULL, "the database already holds households");
        goto out;
    }
    /* One argon2id hash for every demo account: this is demo data, and it keeps seeding quick. */
    if ((st = auth_hash_password(pw, hash, sizeof hash)) != DP_OK) {
        dp_error_set(&err, st, NULL, "could not hash the password");
        goto out;
    }
    char name[24], team[24];
    for (unsigned t = 0; t < go.teams && st == DP_OK; t++) {
        gen_team_name(t, team, sizeof team);
        gen_supervisor_name(t, name, sizeof name);
        st = seed_user(db, name, "supervisor", team, hash, &err);
    }
    for (unsigned w = 0; w < go.workers && st == DP_OK; w++) {
        gen_worker_name(w, name, sizeof name);
        gen_team_name(gen_team_of(&go, w), team, sizeof team);
        st = seed_user(db, name, "worker", team, hash, &err);
    }
    if (st != DP_OK)
        goto out;
    char actor[64];
    audit_admin_actor(actor, sizeof actor);
    struct seeder sd = {
        .db = db, .ctx = {.user = actor, .device = "", .kind = "write"}, .err = &err};
    if ((st = gen_run(&go, seed_emit, &sd, &stats, &err)) != DP_OK)
        goto out;
    char detail[128];
    snprintf(detail, sizeof detail, "households=%lu workers=%u teams=%u", stats.households,
             go.workers, go.teams);
    struct audit_entry e = {.user = actor, .action = "seed", .detail = detail};
    if ((st = audit_log(db, &e, &err)) != DP_OK || (st = db_commit(db, &err)) != DP_OK)
        goto out;
    db_note_hwm(db, path, NULL);
    printf("seeded %lu households, %lu members, %lu visits, %lu needs\n", stats.households,
           stats.members, stats.visits, stats.needs);
    printf("accounts (password %s): supervisor01..%02u, worker01..%02u\n",
           from_stdin ? "from stdin" : "\"doorstep-demo\"", go.teams, go.workers);
    rc = 0;
out:
    if (rc != 0) {
        db_rollback(db);
        admin_fail("seed", &err);
    }
    sodium_memzero(pw, sizeof pw);
    db_close(db);
    return rc;
bad:
    fputs(seed_usage, stderr);
    return 2;
}

/* ---- export ------------------------------------------------------------------ */

static const char export_usage[] =
    "usage: doorstep-server export [--out FILE] [--db FILE]\n"
    "Write every household, member, visit and need (tombstones included) and every\n"
    "conflict as JSON lines: {\"t\":..,\"v\":..,\"deleted\":..,\"row\":{..}}. The output\n"
    "holds personal data: keep it as safe as the database.\n";

static enum dp_status
export_type(sqlite3 *db, const struct record_def *def, FILE *out, long *n, struct dp_error *err)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT id FROM %s ORDER BY _cseq", db_record_table(def));
    sqlite3_stmt *q;
    enum dp_status st = db_prepare(db, sql, &q, err);
    if (st != DP_OK)
        return st;
    int rc;
    while (st == DP_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct srec s;
        st = srec_load(db, def, db_text(q, 0), &s, err);
        if (st == DP_OK) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "t", def->name);
            cJSON_AddNumberToObject(o, "v", (double)s.rec.v);
            cJSON_AddBoolToObject(o, "deleted", s.rec.deleted);
            cJSON_AddItemToObject(o, "row", record_to_json(&s.rec, false));
            char *text = cJSON_PrintUnformatted(o);
            cJSON_Delete(o);
            if (!text || fprintf(out, "%s\n", text) < 0)
                st = dp_error_set(err, text ? DP_EIO : DP_ENOMEM, NULL, "cannot write the export");
            free(text);
            (*n)++;
        }
        srec_done(&s);
    }
    if (st == DP_OK && rc != SQLITE_DONE)
        st = db_fail(db, rc, def->name, err);
    sqlite3_finalize(q);
    return st;
}

static enum dp_status
export_conflicts(sqlite3 *db, FILE *out, long *n, struct dp_error *err)
{
    sqlite3_stmt *q;
    enum dp_status st = db_prepare(db,
                                   "SELECT id, t, rid, kind, state, fields, user_name, opened_at,"
                                   " resolved_by, resolved_at FROM conflicts ORDER BY opened_at",
                                   &q, err);
    if (st != DP_OK)
        return st;
    int rc;
    while (st == DP_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "t", "conflict");
        cJSON_AddStringToObject(o, "id", db_text(q, 0));
        cJSON_AddStringToObject(o, "record_t", db_text(q, 1));
        cJSON_AddStringToObject(o, "rid", db_text(q, 2));
        cJSON_AddStringToObject(o, "kind", db_text(q, 3));
        cJSON_AddStringToObject(o, "state", db_text(q, 4));
        cJSON *fields = cJSON_Parse(db_text(q, 5));
        cJSON_AddItemToObject(o, "fields", fields ? fields : cJSON_CreateObject());
        cJSON_AddStringToObject(o, "opened_by", db_text(q, 6));
        cJSON_AddStringToObject(o, "opened_at", db_text(q, 7));
        cJSON_AddStringToObject(o, "resolved_by", db_text(q, 8));
        cJSON_AddStringToObject(o, "resolved_at", db_text(q, 9));
        char *text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!text || fprintf(out, "%s\n", text) < 0)
            st = dp_error_set(err, text ? DP_EIO : DP_ENOMEM, NULL, "cannot write the export");
        free(text);
        (*n)++;
    }
    if (st == DP_OK && rc != SQLITE_DONE)
        st = db_fail(db, rc, "conflicts", err);
    sqlite3_finalize(q);
    return st;
}

int
admin_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dbopt = NULL, *outpath = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            outpath = optarg;
            break;
        case 'd':
            dbopt = optarg;
            break;
        case 'h':
            fputs(export_usage, stdout);
            return 0;
        default:
            fputs(export_usage, stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fputs(export_usage, stderr);
        return 2;
    }
    sqlite3 *db = admin_open(admin_db_path(dbopt));
    if (!db)
        return 1;
    FILE *out = stdout;
    if (outpath && !(out = fopen(outpath, "w"))) {
        fprintf(stderr, "doorstep-server export: %s: %s\n", outpath, strerror(errno));
        db_close(db);
        return 1;
    }
    struct dp_error err;
    dp_error_clear(&err);
    long n = 0;
    /* One read transaction: a consistent snapshot even while the server runs. */
    enum dp_status st = db_begin_read(db, &err);
    for (size_t r = 0; schema_records[r] && st == DP_OK; r++)
        st = export_type(db, schema_records[r], out, &n, &err);
    if (st == DP_OK)
        st = export_conflicts(db, out, &n, &err);
    db_rollback(db);
    if (fflush(out) != 0 && st == DP_OK)
        st = dp_error_set(&err, DP_EIO, NULL, "cannot write the export");
    if (out != stdout && fclose(out) != 0 && st == DP_OK)
        st = dp_error_set(&err, DP_EIO, NULL, "cannot write the export");
    if (st == DP_OK) {
        char actor[64], detail[48];
        audit_admin_actor(actor, sizeof actor);
        snprintf(detail, sizeof detail, "%ld lines", n);
        struct audit_entry e = {.user = actor, .action = "export", .detail = detail};
        audit_log(db, &e, NULL);
        fprintf(stderr, "exported %ld lines\n", n);
    } else {
        admin_fail("export", &err);
    }
    db_close(db);
    return st == DP_OK ? 0 : 1;
}
