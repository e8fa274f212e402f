/* The bridge from the command line to the screens. */
#include "client/commands.h"

#include <stdio.h>

#include "client/cli.h"
#include "client/passphrase.h"
#include "tui/tui.h"

int
client_open_tui(const struct config *cfg)
{
    /* Scripts and the demo name a passphrase file; people type it on the unlock screen. */
    if (!cfg->passphrase_file[0])
        return tui_main(cfg, NULL);
    char pass[PASSPHRASE_MAX + 1];
    struct dp_error err = {0};
    if (passphrase_from_file(cfg->passphrase_file, pass, sizeof pass, &err) != DP_OK) {
        cli_error("%s", err.msg);
        return CLI_EXIT_FAIL;
    }
    int rc = tui_main(cfg, pass);
    passphrase_wipe(pass, sizeof pass);
    return rc;
}
