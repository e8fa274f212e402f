/*
 * doorstep logout: revoke the login at the server (best effort: a laptop
 * offline still logs out) and forget the token in the cache. Edits and
 * records stay; doorstep login brings sync back.
 */
#include "client/commands.h"

#include <stdio.h>

#include "core/i18n.h"
#include "store/store.h"
#include "store/sync_store.h"
#include "sync/sync.h"

static void
logout_help(const struct cli *cli)
{
    (void)cli;
    printf(_("Usage: doorstep logout\n"
             "\n"
             "Ends the login kept in the cache: tells the server to revoke it (when it\n"
             "can be reached) and forgets it here. Records and edits not yet sent stay\n"
             "in the cache; doorstep login lets doorstep sync send them later.\n"
             "\n"
             "Common options: --config FILE, --data-dir DIR, --passphrase-file FILE.\n"));
}

int
cmd_logout(struct cli *cli, int argc, char **argv)
{
    struct config cfg;
    struct store *st = NULL;
    int rc = cli_parse(cli, argc, argv, NULL, 0, NULL, NULL, logout_help);
    if (rc >= 0)
        return rc;
    if (!cli_load_config(cli, &cfg))
        return CLI_EXIT_USAGE;
    if (!store_exists(cfg.data_dir)) {
        cli_error(_("%s: no cache here; nothing to log out of"), cfg.data_dir);
        return CLI_EXIT_FAIL;
    }
    /* Read-write (it exists: checked above), since the token is forgotten in it. */
    if (!cli_open_cache(&cfg, true, &st))
        return CLI_EXIT_FAIL;

    rc = CLI_EXIT_FAIL;
    struct sync_status_info info;
    struct dp_error err;
    if (store_sync_status(st, &info, &err) != DP_OK) {
        cli_error(_("%s: cannot read the sync state: %s"), cfg.data_dir, err.msg);
        goto out;
    }
    if (!info.logged_in) {
        printf(_("Not logged in.\n"));
        rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
        goto out;
    }
    struct sync_options o;
    sync_options_init(&o);
    /* The server the token belongs to, whatever the config says now. */
    o.server_url = info.server_url[0] ? info.server_url : cfg.server_url;
    o.ca_file = cfg.ca_file;
    o.pin_sha256 = cfg.pin_sha256;
    o.app_version = DOORSTEP_VERSION;
    o.connect_timeout_ms = 5000; /* offline is normal: do not hold the user up */
    if (sync_logout(&o, st, &err) != DP_OK) {
        cli_error(_("logout: %s"), err.msg);
        goto out;
    }
    printf(_("Logged out %s; %ld edits wait in the cache for the next login.\n"), info.user,
           info.pending);
    rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
out:
    store_close(st);
    return rc;
}
