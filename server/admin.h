/*
 * The doorstep-server subcommands (docs/ADMIN.md). Each takes the arguments
 * after the subcommand name (argv[0] is the subcommand), prints a one-line
 * reason on stderr when it fails, and returns the process exit status.
 */
#ifndef DOORSTEP_SERVER_ADMIN_H
#define DOORSTEP_SERVER_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <sqlite3.h>

#include "core/status.h"

int admin_serve(int argc, char **argv);
int admin_useradd(int argc, char **argv);
int admin_passwd(int argc, char **argv);
int admin_usermod(int argc, char **argv);
int admin_import(int argc, char **argv);
int admin_assign(int argc, char **argv);
int admin_seed(int argc, char **argv);
int admin_export(int argc, char **argv);
int admin_new_epoch(int argc, char **argv);

/* ---- helpers shared by the subcommands -------------------------------------- */

/* The database path: --db as given, else $DOORSTEP_DB, else NULL. */
const char *admin_db_path(const char *opt);

/* Open the database for an admin command, printing the reason on failure. */
sqlite3 *admin_open(const char *path);

/*
 * Read a password: one line from stdin with `from_stdin`, else twice from the
 * terminal with echo off. Checked with users_password_valid. buf >= 256 bytes.
 */
enum dp_status admin_read_password(bool from_stdin, char *buf, size_t bufsize,
                                   struct dp_error *err);

/* Print "doorstep-server CMD: message" for err on stderr. */
void admin_fail(const char *cmd, const struct dp_error *err);

#endif
