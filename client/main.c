/*
 * doorstep: the field worker's client. With no command it opens the screens;
 * commands serve scripts and cron (exit 0 on success, else one line on stderr).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "client/cli.h"
#include "client/commands.h"
#include "client/config.h"
#include "core/i18n.h"

static const struct command {
    const char *name;
    const char *summary; /* N_() marked */
    int (*run)(struct cli *cli, int argc, char **argv);
} commands[] = {
    {"login", N_("log in to the server (asks for the password)"), cmd_login},
    {"logout", N_("end the login kept in the cache (edits stay)"), cmd_logout},
    {"sync", N_("send edits to the server, then receive its changes"), cmd_sync},
    {"status", N_("pending edits, open conflicts, last sync, server"), cmd_status},
    {"export", N_("write every record as CSV or JSON"), cmd_export},
    {"seed-cache", N_("fill a cache with synthetic households (developers)"), cmd_seed_cache},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void
usage(void)
{
    printf(_("Usage: doorstep [OPTIONS] [COMMAND [ARGS]]\n"
             "\n"
             "With no command, opens the household screens.\n"
             "\n"
             "Options (also accepted after a command):\n"
             "  --config FILE           configuration file (default:\n"
             "                          $XDG_CONFIG_HOME/doorstep/config)\n"
             "  --data-dir DIR          the cache directory (default:\n"
             "                          $XDG_DATA_HOME/doorstep)\n"
             "  --passphrase-file FILE  read the cache passphrase from FILE (mode 0600)\n"
             "                          instead of the terminal; also\n"
             "                          $DOORSTEP_PASSPHRASE_FILE\n"
             "  --version               print the version and exit\n"
             "  --help                  print this help and exit\n"
             "\n"
             "Commands:\n"));
    for (size_t i = 0; i < NCOMMANDS; i++)
        printf("  %-12s %s\n", commands[i].name, _(commands[i].summary));
    printf(_("\n'doorstep COMMAND --help' describes a command.\n"));
}

static int
open_screens(struct cli *cli)
{
    struct config cfg;
    if (!cli_load_config(cli, &cfg))
        return CLI_EXIT_USAGE;
    return client_open_tui(&cfg);
}

int
main(int argc, char **argv)
{
    static const struct option global[] = {
        {"config", required_argument, NULL, 'c'},
        {"data-dir", required_argument, NULL, 'd'},
        {"passphrase-file", required_argument, NULL, 'p'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cli cli = {.prog = "doorstep"};

    cli_init_process();

    if (!cli_check_long_options(argc, argv, global, true, "doorstep"))
        return CLI_EXIT_USAGE;
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, "+:h", global, NULL);
        if (c == -1)
            break;
        switch (c) {
        case 'c':
            cli.config_path = optarg;
            break;
        case 'd':
            cli.data_dir = optarg;
            break;
        case 'p':
            cli.passphrase_file = optarg;
            break;
        case 'V':
            printf("doorstep %s\n", DOORSTEP_VERSION);
            return CLI_EXIT_OK;
        case 'h':
            usage();
            return CLI_EXIT_OK;
        case ':':
            cli_error(_("%s needs a value (see doorstep --help)"), argv[optind - 1]);
            return CLI_EXIT_USAGE;
        default:
            if (optopt)
                cli_error(_("unknown option -%c (see doorstep --help)"), optopt);
            else
                cli_error(_("unknown option %s (see doorstep --help)"), argv[optind - 1]);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return open_screens(&cli);

    const char *name = argv[optind];
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(&cli, argc - optind, argv + optind);
    cli_error(_("unknown command '%s' (see doorstep --help)"), name);
    return CLI_EXIT_USAGE;
}
