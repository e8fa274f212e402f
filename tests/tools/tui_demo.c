/*
 * tui_demo [--user NAME] DATA_DIR: run the screens over the cache in
 * DATA_DIR as the field worker NAME, as `doorstep --data-dir DATA_DIR` does
 * with a configured user name. The screen tests (tests/tui/) drive this in
 * tmux.
 */
#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "client/config.h"
#include "tui/tui.h"

int
main(int argc, char **argv)
{
    struct config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (argc == 4 && strcmp(argv[1], "--user") == 0) {
        snprintf(cfg.username, sizeof cfg.username, "%s", argv[2]);
        argv += 2;
        argc -= 2;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: tui_demo [--user NAME] DATA_DIR\n");
        return 2;
    }
    if ((size_t)snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", argv[1]) >= sizeof cfg.data_dir) {
        fprintf(stderr, "tui_demo: data directory name too long\n");
        return 2;
    }
    setlocale(LC_ALL, "");
    bindtextdomain("doorstep", LOCALEDIR);
    return tui_main(&cfg);
}
