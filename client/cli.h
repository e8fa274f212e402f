/*
 * Plumbing shared by the client's subcommands: the options every command
 * takes, loading the configuration, the language, opening the cache, and the
 * one-line error report that scripts read.
 */
#ifndef DOORSTEP_CLIENT_CLI_H
#define DOORSTEP_CLIENT_CLI_H

#include <stdbool.h>

#include "client/config.h"
#include "core/status.h"

struct store;

#define DOORSTEP_VERSION "0.1.0"

/* Exit statuses: scripts can tell a typo from a failure. */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAIL = 1,  /* the command ran and failed */
    CLI_EXIT_USAGE = 2, /* bad command line or configuration */
};

/* Options that every command accepts, before or after its name. */
struct cli {
    const char *prog;            /* "doorstep" */
    const char *config_path;     /* --config, NULL = default location */
    const char *data_dir;        /* --data-dir, NULL = from the config */
    const char *passphrase_file; /* --passphrase-file, NULL = $DOORSTEP_PASSPHRASE_FILE */
};

/* One option of a command, beyond the common ones. */
struct cli_option {
    const char *name; /* long name without "--" */
    bool has_arg;
    int id; /* passed to the command's handler; >= 256 */
};

/*
 * The process-wide setup done once at start: no core dumps (the cache holds
 * personal data), not dumpable/ptrace-able by other users, umask 077, the
 * user's locale and the "doorstep" message catalogue (next to the executable
 * when present, else LOCALEDIR).
 */
void cli_init_process(void);

/*
 * Print "doorstep: MESSAGE" as exactly one line on stderr (control
 * characters, e.g. a newline inside a file name, are shown as '?').
 */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Parse argv[1..argc) for a command whose name is argv[0]: the common options
 * (--config, --data-dir, --passphrase-file, --help) and the command's own
 * `opts` (n entries). `handle` is called for each own option with its id and
 * argument (NULL when none); it returns 0 or an exit status. `help` is called
 * for --help. Positional arguments are refused. Returns -1 when the command
 * should go on, else the exit status to end with (after printing the reason).
 */
int cli_parse(struct cli *cli, int argc, char **argv, const struct cli_option *opts, int n,
              int (*handle)(void *ctx, int id, const char *arg), void *ctx,
              void (*help)(const struct cli *cli));

/*
 * getopt_long accepts any unambiguous prefix of a long option ("--pass" for
 * "--passphrase-file"), which turns a mistyped or imagined option into a
 * real one. This refuses every "--name" in argv[1..argc) that is not exactly
 * in `table` (NULL-terminated), printing the one-line reason with a hint to
 * run "`usage_name` --help". With `stop_at_word` the scan ends at the first
 * word that is not an option (the command name).
 */
struct option;
bool cli_check_long_options(int argc, char **argv, const struct option *table, bool stop_at_word,
                            const char *usage_name);

/*
 * Load the configuration for this command line into *cfg: the config file,
 * then --data-dir, --passphrase-file or $DOORSTEP_PASSPHRASE_FILE, then the
 * language. Prints the reason and returns false on failure.
 */
bool cli_load_config(const struct cli *cli, struct config *cfg);

/*
 * Apply the `language` setting: "zh_CN" selects the Chinese catalogue (with a
 * UTF-8 locale if the current one is not), "en" shows the English source
 * strings, "" leaves the locale's choice.
 */
void cli_set_language(const char *language);

/*
 * Open the cache in cfg->data_dir. With `create` false a missing cache is an
 * error (status and export must not make one). Reads the passphrase with
 * passphrase_get and wipes it after use. Prints the reason and returns false
 * on failure; *out is then NULL.
 */
bool cli_open_cache(const struct config *cfg, bool create, struct store **out);

#endif
