/* doorstep-server useradd, passwd and new-epoch. */
#include "server/admin.h"

#include <getopt.h>
#include <string.h>

#include <sodium.h>

#include "server/audit.h"
#include "server/auth.h"
#include "server/db.h"
#include "server/users.h"

static const char useradd_usage[] =
    "usage: doorstep-server useradd NAME --role worker|supervisor --team TEAM\n"
    "                               [--password-stdin] [--db FILE]\n"
    "Add a login. The password is asked twice on the terminal, or read as one\n"
    "line from standard input with --password-stdin (8-128 bytes).\n";

int
admin_useradd(int argc, char **argv)
{
    static const struct option opts[] = {
        {"role", required_argument, NULL, 'r'}, {"team", required_argument, NULL, 't'},
        {"db", required_argument, NULL, 'd'},   {"password-stdin", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    const char *role = NULL, *team = NULL, *dbopt = NULL;
    bool from_stdin = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            role = optarg;
            break;
        case 't':
            team = optarg;
            break;
        case 'd':
            dbopt = optarg;
            break;
        case 'p':
            from_stdin = true;
            break;
        case 'h':
            fputs(useradd_usage, stdout);
            return 0;
        default:
            fputs(useradd_usage, stderr);
            return 2;
        }
    }
    if (optind + 1 != argc || !role || !team) {
        fputs(useradd_usage, stderr);
        return 2;
    }
    const char *name = argv[optind];
    struct dp_error err;
    dp_error_clear(&err);
    /* Check what can be checked before asking for a password. */
    if (!users_role_valid(role)) {
        fputs("doorstep-server useradd: --role must be worker or supervisor\n", stderr);
        return 2;
    }
    if (users_team_valid(team, &err) != DP_OK) {
        fprintf(stderr, "doorstep-server useradd: --team: %s\n", err.msg);
        return 2;
    }
    sqlite3 *db = admin_open(admin_db_path(dbopt));
    if (!db)
        return 1;
    int rc = 1;
    char pw[256], hash[AUTH_HASH_MAX];
    struct user u;
    if (users_get(db, name, &u, NULL, 0, &err) == DP_OK) {
        fputs("doorstep-server useradd: a user with this name already exists\n", stderr);
        goto out;
    }
    if (admin_read_password(from_stdin, pw, sizeof pw, &err) != DP_OK ||
        auth_hash_password(pw, hash, sizeof hash) != DP_OK) {
        if (!err.msg[0])
            dp_error_set(&err, DP_ENOMEM, NULL, "could not hash the password");
        admin_fail("useradd", &err);
        goto out;
    }
    char actor[64], detail[128];
    audit_admin_actor(actor, sizeof actor);
    snprintf(detail, sizeof detail, "role=%s team=%s", role, team);
    struct audit_entry e = {
        .user = actor, .action = "useradd", .t = "user", .rid = name, .detail = detail};
    enum dp_status st = db_begin_write(db, &err);
    if (st == DP_OK)
        st = users_add(db, name, role, team, hash, &u, &err);
    if (st == DP_OK)
        st = audit_log(db, &e, &err);
    if (st == DP_OK)
        st = db_commit(db, &err);
    else
        db_rollback(db);
    if (st != DP_OK) {
        admin_fail("useradd", &err);
        goto out;
    }
    printf("added %s %s (team %s)\n", role, u.name, u.team);
    rc = 0;
out:
    sodium_memzero(pw, sizeof pw);
    db_close(db);
    return rc;
}

static const char passwd_usage[] =
    "usage: doorstep-server passwd NAME [--password-stdin] [--db FILE]\n"
    "Set a new password for NAME and log out all of their devices.\n";

int
admin_passwd(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"password-stdin", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dbopt = NULL;
    bool from_stdin = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dbopt = optarg;
            break;
        case 'p':
            from_stdin = true;
            break;
        case 'h':
            fputs(passwd_usage, stdout);
            return 0;
        default:
            fputs(passwd_usage, stderr);
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fputs(passwd_usage, stderr);
        return 2;
    }
    sqlite3 *db = admin_open(admin_db_path(dbopt));
    if (!db)
        return 1;
    int rc = 1;
    struct dp_error err;
    dp_error_clear(&err);
    struct user u;
    char pw[256], hash[AUTH_HASH_MAX];
    if (users_get(db, argv[optind], &u, NULL, 0, &err) != DP_OK) {
        fputs("doorstep-server passwd: no such user\n", stderr);
        goto out;
    }
    if (admin_read_password(from_stdin, pw, sizeof pw, &err) != DP_OK ||
        auth_hash_password(pw, hash, sizeof hash) != DP_OK) {
        if (!err.msg[0])
            dp_error_set(&err, DP_ENOMEM, NULL, "could not hash the password");
        admin_fail("passwd", &err);
        goto out;
    }
    char actor[64];
    audit_admin_actor(actor, sizeof actor);
    struct audit_entry e = {.user = actor, .action = "passwd", .t = "user", .rid = u.name};
    enum dp_status st = db_begin_write(db, &err);
    if (st == DP_OK)
        st = users_set_password(db, u.id, hash, &err);
    if (st == DP_OK)
        st = audit_log(db, &e, &err);
    if (st == DP_OK)
        st = db_commit(db, &err);
    else
        db_rollback(db);
    if (st != DP_OK) {
        admin_fail("passwd", &err);
        goto out;
    }
    printf("password changed for %s; their devices must log in again\n", u.name);
    rc = 0;
out:
    sodium_memzero(pw, sizeof pw);
    db_close(db);
    return rc;
}

static const char usermod_usage[] =
    "usage: doorstep-server usermod NAME --disable|--enable [--db FILE]\n"
    "Disable a login (it can no longer log in, its tokens are revoked, its history\n"
    "stays) or enable it again.\n";

int
admin_usermod(int argc, char **argv)
{
    static const struct option opts[] = {
        {"disable", no_argument, NULL, 'x'},
        {"enable", no_argument, NULL, 'e'},
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dbopt = NULL;
    int disable = -1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'x':
            disable = 1;
            break;
        case 'e':
            disable = 0;
            break;
        case 'd':
            dbopt = optarg;
            break;
        case 'h':
            fputs(usermod_usage, stdout);
            return 0;
        default:
            fputs(usermod_usage, stderr);
            return 2;
        }
    }
    if (optind + 1 != argc || disable < 0) {
        fputs(usermod_usage, stderr);
        return 2;
    }
    sqlite3 *db = admin_open(admin_db_path(dbopt));
    if (!db)
        return 1;
    struct dp_error err;
    dp_error_clear(&err);
    struct user u;
    enum dp_status st = users_get(db, argv[optind], &u, NULL, 0, &err);
    if (st == DP_ENOTFOUND) {
        fputs("doorstep-server usermod: no such user\n", stderr);
        db_close(db);
        return 1;
    }
    char actor[64];
    audit_admin_actor(actor, sizeof actor);
    struct audit_entry e = {.user = actor,
                            .action = disable ? "user_disable" : "user_enable",
                            .t = "user",
                            .rid = u.name};
    if (st == DP_OK)
        st = db_begin_write(db, &err);
    if (st == DP_OK)
        st = users_set_disabled(db, u.id, disable == 1, &err);
    if (st == DP_OK)
        st = audit_log(db, &e, &err);
    if (st == DP_OK)
        st = db_commit(db, &err);
    else
        db_rollback(db);
    db_close(db);
    if (st != DP_OK) {
        admin_fail("usermod", &err);
        return 1;
    }
    printf("%s %s\n", u.name, disable ? "disabled; its devices are logged out" : "enabled");
    return 0;
}

static const char epoch_usage[] =
    "usage: doorstep-server new-epoch [--db FILE]\n"
    "Give the database a new epoch, e.g. after restoring it from a backup:\n"
    "every client then re-downloads its data and re-sends what the server lost.\n";

int
admin_new_epoch(int argc, char **argv)
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
            fputs(epoch_usage, stdout);
            return 0;
        default:
            fputs(epoch_usage, stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fputs(epoch_usage, stderr);
        return 2;
    }
    const char *path = admin_db_path(dbopt);
    sqlite3 *db = admin_open(path);
    if (!db)
        return 1;
    struct dp_error err;
    dp_error_clear(&err);
    char epoch[DB_EPOCH_LEN + 1], actor[64];
    audit_admin_actor(actor, sizeof actor);
    struct audit_entry e = {.user = actor, .action = "new_epoch"};
    enum dp_status st = db_begin_write(db, &err);
    if (st == DP_OK)
        st = db_new_epoch(db, epoch, sizeof epoch, &err);
    if (st == DP_OK)
        st = audit_log(db, &e, &err);
    if (st == DP_OK)
        st = db_commit(db, &err);
    else
        db_rollback(db);
    if (st == DP_OK)
        st = db_note_hwm(db, path, &err);
    db_close(db);
    if (st != DP_OK) {
        admin_fail("new-epoch", &err);
        return 1;
    }
    printf("new epoch %s\n", epoch);
    return 0;
}
