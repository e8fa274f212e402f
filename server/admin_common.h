/*
 * Pieces the doorstep-server subcommands share beyond server/admin.h (which
 * declares admin_db_path, admin_open, admin_read_password and admin_fail,
 * also defined in admin_common.c): the options every command spells the
 * same way, a new password's hash, and the end of an audited write.
 */
#ifndef DOORSTEP_SERVER_ADMIN_COMMON_H
#define DOORSTEP_SERVER_ADMIN_COMMON_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "core/status.h"
#include "server/audit.h"

/* getopt_long codes of the common options; above every character, so a command's own are free. */
enum admin_opt {
    ADMIN_OPT_DB = 0x100,     /* --db FILE */
    ADMIN_OPT_PASSWORD_STDIN, /* --password-stdin */
    ADMIN_OPT_HELP,           /* --help */
};

/* What admin_args_parse found besides the command's own options. */
struct admin_args {
    const char *db;      /* --db as given, else NULL: pass it to admin_db_path */
    bool password_stdin; /* --password-stdin was given */
    char **pos;          /* the positional arguments (into argv), as many as asked for */
};

/*
 * A command's own option: getopt_long's code (or '?' for one it did not
 * know) and its argument. False when the option or its value is bad.
 */
typedef bool (*admin_opt_fn)(void *ctx, int code, const char *arg);

/* admin_args_parse's return when the command should go on. */
#define ADMIN_ARGS_OK (-1)

/*
 * Parse the subcommand's argv (argv[0] is its name) with getopt_long and
 * `opts`, a {NULL}-terminated table whose common entries use the
 * ADMIN_OPT_* codes; every other code goes to `own` (may be NULL: then it
 * is a bad option). Returns ADMIN_ARGS_OK with *out filled when there are
 * exactly `npos` positional arguments. Otherwise returns the exit status
 * after printing `usage`: 0 on stdout for --help, 2 on stderr for a bad
 * option or the wrong number of positional arguments.
 */
int admin_args_parse(struct admin_args *out, int argc, char **argv, const struct option *opts,
                     int npos, admin_opt_fn own, void *ctx, const char *usage);

/* Print `usage` on stderr and return 2, the exit status for a bad command line. */
int admin_usage_error(const char *usage);

/*
 * Ask for a new password (admin_read_password) and hash it into `hash`
 * (AUTH_HASH_MAX bytes). The password never leaves this call and is wiped.
 * On failure *err says why, for admin_fail; a failed hash is "could not
 * hash the password".
 */
enum dp_status admin_password_hash(bool from_stdin, char *hash, size_t hashsize,
                                   struct dp_error *err);

/*
 * End a write transaction the command began: when st is DP_OK, add `e` to
 * the audit log and commit. When st is not DP_OK, or the audit entry
 * fails, roll back (a failed commit is left to the caller, as db_commit
 * leaves it). Returns st, else the first failure.
 */
enum dp_status admin_commit_audited(sqlite3 *db, enum dp_status st, const struct audit_entry *e,
                                    struct dp_error *err);

#endif
