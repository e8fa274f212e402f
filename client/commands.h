/*
 * The client's commands. Each takes the command line from its own name on
 * (argv[0] is "status", ...), returns the process exit status, and on failure
 * has printed exactly one line "doorstep: reason" on stderr.
 */
#ifndef DOORSTEP_CLIENT_COMMANDS_H
#define DOORSTEP_CLIENT_COMMANDS_H

#include "client/cli.h"
#include "client/config.h"

/* doorstep status: pending edits, open conflicts, last successful sync, server. */
int cmd_status(struct cli *cli, int argc, char **argv);

/* doorstep export --format csv|json [--type T] [--out FILE]. */
int cmd_export(struct cli *cli, int argc, char **argv);

/* doorstep login [--user NAME] [--password-stdin]: keep a server token in the cache. */
int cmd_login(struct cli *cli, int argc, char **argv);

/* doorstep logout: revoke the token at the server (best effort) and forget it here. */
int cmd_logout(struct cli *cli, int argc, char **argv);

/* doorstep sync [--quiet]: push the outbox, then pull every change. */
int cmd_sync(struct cli *cli, int argc, char **argv);

/* doorstep seed-cache --households N [--seed S]: synthetic data, for the demo and benchmarks. */
int cmd_seed_cache(struct cli *cli, int argc, char **argv);

/*
 * Open the household screens with a loaded configuration (the passphrase
 * source is cfg->passphrase_file, or the terminal). Returns the exit status.
 */
int client_open_tui(const struct config *cfg);

#endif
