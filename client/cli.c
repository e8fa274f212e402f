#include "client/cli.h"

#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/paths.h"
#include "core/i18n.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

enum {
    OPT_CONFIG = 1,
    OPT_DATA_DIR,
    OPT_PASSPHRASE_FILE,
    OPT_HELP,
};

static bool
is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Translations live next to the program in the build tree, or in share/locale when installed. */
static void
bind_catalogue(void)
{
    char exe[4096], dir[4200];
    const char *chosen = LOCALEDIR;

    if (paths_exe_dir(exe, sizeof exe) == DP_OK) {
        snprintf(dir, sizeof dir, "%s/locale", exe);
        if (is_dir(dir)) {
            chosen = dir;
        } else {
            snprintf(dir, sizeof dir, "%s/../share/locale", exe);
            if (is_dir(dir))
                chosen = dir;
        }
    }
    bindtextdomain("doorstep", chosen);
    textdomain("doorstep");
}

void
cli_init_process(void)
{
    struct rlimit none = {0, 0};

    /* The cache's plaintext pages and the passphrase live in this process's memory. */
    setrlimit(RLIMIT_CORE, &none);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    umask(077);
    setlocale(LC_ALL, "");
    bind_catalogue();
}

static bool
codeset_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

void
cli_set_language(const char *language)
{
    if (!language || !language[0])
        return;
    if (strcmp(language, "en") == 0) {
        /* English is the source language: the untranslated strings are it. */
        unsetenv("LANGUAGE");
        setlocale(LC_MESSAGES, "C");
    } else {
        /* gettext ignores LANGUAGE under the C locale, and Chinese needs UTF-8. */
        if (!codeset_is_utf8())
            setlocale(LC_ALL, "C.UTF-8");
        const char *msgs = setlocale(LC_MESSAGES, NULL);
        if (msgs && (strcmp(msgs, "C") == 0 || strcmp(msgs, "POSIX") == 0))
            setlocale(LC_MESSAGES, "C.UTF-8");
        setenv("LANGUAGE", language, 1);
    }
    /* Setting the domain again makes gettext drop translations it cached. */
    textdomain("doorstep");
}

void
cli_error(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    fprintf(stderr, "doorstep: %s\n", msg);
}

bool
cli_check_long_options(int argc, char **argv, const struct option *table, bool stop_at_word,
                       const char *usage_name)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            return true;
        if (a[0] != '-' || a[1] == '\0') {
            if (stop_at_word)
                return true;
            continue;
        }
        if (a[1] != '-')
            continue;
        size_t len = strcspn(a + 2, "=");
        const struct option *o = table;
        while (o->name && !(strlen(o->name) == len && strncmp(o->name, a + 2, len) == 0))
            o++;
        if (!o->name) {
            cli_error(_("unknown option %.*s (see %s --help)"), (int)(len + 2), a, usage_name);
            return false;
        }
        if (o->has_arg == required_argument && a[2 + len] != '=')
            i++; /* its value, whatever it looks like */
    }
    return true;
}

int
cli_parse(struct cli *cli, int argc, char **argv, const struct cli_option *opts, int n,
          int (*handle)(void *ctx, int id, const char *arg), void *ctx,
          void (*help)(const struct cli *cli))
{
    struct option table[32];
    int k = 0;

    table[k++] = (struct option){"config", required_argument, NULL, OPT_CONFIG};
    table[k++] = (struct option){"data-dir", required_argument, NULL, OPT_DATA_DIR};
    table[k++] = (struct option){"passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE};
    table[k++] = (struct option){"help", no_argument, NULL, OPT_HELP};
    for (int i = 0; i < n && k < 31; i++)
        table[k++] = (struct option){
            opts[i].name, opts[i].has_arg ? required_argument : no_argument, NULL, opts[i].id};
    table[k] = (struct option){NULL, 0, NULL, 0};

    char usage_name[64];
    snprintf(usage_name, sizeof usage_name, "%s %s", cli->prog, argv[0]);
    if (!cli_check_long_options(argc, argv, table, false, usage_name))
        return CLI_EXIT_USAGE;
    opterr = 0;
    optind = 0; /* 0, not 1: glibc then also resets its state between commands */
    for (;;) {
        int c = getopt_long(argc, argv, "+:h", table, NULL);
        if (c == -1)
            break;
        switch (c) {
        case OPT_CONFIG:
            cli->config_path = optarg;
            break;
        case OPT_DATA_DIR:
            cli->data_dir = optarg;
            break;
        case OPT_PASSPHRASE_FILE:
            cli->passphrase_file = optarg;
            break;
        case OPT_HELP:
        case 'h':
            help(cli);
            return CLI_EXIT_OK;
        case ':':
            cli_error(_("%s needs a value (see %s %s --help)"), argv[optind - 1], cli->prog,
                      argv[0]);
            return CLI_EXIT_USAGE;
        case '?':
            if (optopt)
                cli_error(_("unknown option -%c (see %s %s --help)"), optopt, cli->prog, argv[0]);
            else
                cli_error(_("unknown option %s (see %s %s --help)"), argv[optind - 1], cli->prog,
                          argv[0]);
            return CLI_EXIT_USAGE;
        default: {
            int rc = handle ? handle(ctx, c, optarg) : CLI_EXIT_USAGE;
            if (rc != 0)
                return rc;
        }
        }
    }
    if (optind < argc) {
        cli_error(_("unexpected argument '%s' (see %s %s --help)"), argv[optind], cli->prog,
                  argv[0]);
        return CLI_EXIT_USAGE;
    }
    return -1;
}

bool
cli_load_config(const struct cli *cli, struct config *cfg)
{
    struct dp_error err;
    const char *pf;

    if (config_load(cli->config_path, cfg, &err) != DP_OK) {
        cli_error("%s", err.msg);
        return false;
    }
    cli_set_language(cfg->language);
    if (cli->data_dir) {
        char dir[PATH_MAX];
        enum dp_status st = paths_expand_home(cli->data_dir, dir, sizeof dir);
        if (st != DP_OK || !dir[0]) {
            cli_error(_("--data-dir: bad directory name"));
            return false;
        }
        snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", dir);
    }
    if (!cfg->data_dir[0]) {
        cli_error(_("no data directory: set HOME, XDG_DATA_HOME, data_dir in the config, or use "
                    "--data-dir"));
        return false;
    }
    pf = cli->passphrase_file;
    if (!pf) {
        pf = getenv("DOORSTEP_PASSPHRASE_FILE");
        if (pf && !pf[0])
            pf = NULL;
    }
    if (pf) {
        int len = snprintf(cfg->passphrase_file, sizeof cfg->passphrase_file, "%s", pf);
        if (len < 0 || (size_t)len >= sizeof cfg->passphrase_file) {
            cli_error(_("--passphrase-file: file name is too long"));
            return false;
        }
    }
    return true;
}
