/* doorstep-server: the reference sync server and its admin commands. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "server/admin.h"

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
} commands[] = {
    {"serve", admin_serve, "serve the sync protocol over HTTPS"},
    {"useradd", admin_useradd, "add a worker or supervisor login"},
    {"passwd", admin_passwd, "set a user's password (logs out their devices)"},
    {"usermod", admin_usermod, "disable or enable a login"},
    {"import-households", admin_import, "import the county's household list from CSV"},
    {"assign", admin_assign, "assign a household to a worker"},
    {"seed", admin_seed, "fill the database with synthetic demo data"},
    {"export", admin_export, "write every record as JSON lines"},
    {"new-epoch", admin_new_epoch, "make every client re-download (after a restore)"},
};

static void
usage(FILE *f)
{
    fputs("usage: doorstep-server COMMAND [OPTIONS]   (COMMAND --help for its options)\n\n", f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-18s %s\n", commands[i].name, commands[i].summary);
    fputs("\nEvery command takes --db FILE (or the DOORSTEP_DB environment variable).\n", f);
}

int
main(int argc, char **argv)
{
    /* The database and its side files hold personal data: owner only. */
    umask(077);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "doorstep-server: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
