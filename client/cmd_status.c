/* doorstep status: what a worker or a cron job wants to know before going out. */
#include "client/commands.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/i18n.h"
#include "store/store.h"
#include "store/sync_store.h"

static void
status_help(const struct cli *cli)
{
    (void)cli;
    printf(_("Usage: doorstep status [--config FILE] [--data-dir DIR] [--passphrase-file FILE]\n"
             "\n"
             "Opens the cache and prints the number of edits not yet sent to the server,\n"
             "the number of open conflicts, the time of the last successful sync and the\n"
             "server. Prints no personal data. Fails if there is no cache yet.\n"));
}

/*
 * Edits are stamped with the device clock and login expiry is judged by it:
 * a clock days off is worth a line (measured at the last handshake).
 */
static void
clock_warning(int64_t skew_s)
{
    int64_t a = skew_s < 0 ? -skew_s : skew_s;
    long hours = (long)((a + 1800) / 3600), days = (long)((a + 43200) / 86400);
    if (skew_s > 0 && hours < 72)
        printf(_("Warning: this device's clock is %ld hours ahead of the server's; set the date "
                 "and time\n"),
               hours);
    else if (skew_s > 0)
        printf(_("Warning: this device's clock is %ld days ahead of the server's; set the date "
                 "and time\n"),
               days);
    else if (hours < 72)
        printf(_("Warning: this device's clock is %ld hours behind the server's; set the date "
                 "and time\n"),
               hours);
    else
        printf(_("Warning: this device's clock is %ld days behind the server's; set the date "
                 "and time\n"),
               days);
}

/* The sync side: the login, the last failure, and the edits the server refused. */
static bool
status_sync(struct store *st, const char *data_dir)
{
    struct sync_status_info info;
    struct sync_rejected *rj = NULL;
    struct dp_error err;
    size_t n = 0;
    if (store_sync_status(st, &info, &err) != DP_OK ||
        store_sync_rejected(st, 10, &rj, &n, &err) != DP_OK) {
        cli_error(_("%s: cannot read the sync state: %s"), data_dir, err.msg);
        return false;
    }
    if (!info.user[0])
        printf(_("Login: never logged in\n"));
    else if (!info.logged_in)
        printf(_("Login: %s, logged out or expired (run doorstep login)\n"), info.user);
    else
        printf(_("Login: %s (%s)\n"), info.user, info.role);
    if (info.last_error[0])
        printf(_("Last sync failed: %s\n"), info.last_error);
    if (info.clock_skew_s != 0)
        clock_warning(info.clock_skew_s);
    if (info.resolving > 0)
        printf(_("Conflicts resolved here, not yet sent: %ld\n"), info.resolving);
    if (info.orphans > 0)
        printf(_("Records no longer assigned here, kept until their edits are sent: %ld\n"),
               info.orphans);
    printf(_("Rejected edits: %ld\n"), info.rejected);
    /* Record type, id, the server's reason and field: never a value. */
    for (size_t i = 0; i < n; i++) {
        printf("  %s %s %s: %s", rj[i].created_at, rj[i].t, rj[i].rid, rj[i].reason);
        if (rj[i].field[0])
            printf(" (%s)", rj[i].field);
        if (rj[i].message[0])
            printf(" - %s", rj[i].message);
        putchar('\n');
    }
    free(rj);
    return true;
}

int
cmd_status(struct cli *cli, int argc, char **argv)
{
    struct config cfg;
    struct store *st = NULL;
    struct dp_error err;
    char *last = NULL;
    long pending = 0, conflicts = 0;
    int rc = cli_parse(cli, argc, argv, NULL, 0, NULL, NULL, status_help);

    if (rc >= 0)
        return rc;
    if (!cli_load_config(cli, &cfg))
        return CLI_EXIT_USAGE;
    if (!cli_open_cache(&cfg, false, &st))
        return CLI_EXIT_FAIL;

    rc = CLI_EXIT_FAIL;
    if (store_pending_count(st, &pending, &conflicts, &err) != DP_OK) {
        cli_error(_("%s: cannot count pending edits: %s"), cfg.data_dir, err.msg);
        goto out;
    }
    if (store_meta_get(st, "last_success_at", &last, &err) != DP_OK) {
        cli_error(_("%s: cannot read the sync state: %s"), cfg.data_dir, err.msg);
        goto out;
    }
    printf(_("Data directory: %s\n"), cfg.data_dir);
    printf(_("Server: %s\n"), cfg.server_url[0] ? cfg.server_url : _("not set"));
    printf(_("Pending edits: %ld\n"), pending);
    printf(_("Open conflicts: %ld\n"), conflicts);
    printf(_("Last successful sync: %s\n"), last && last[0] ? last : _("never"));
    if (!status_sync(st, cfg.data_dir))
        goto out;
    rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    if (rc != CLI_EXIT_OK)
        cli_error(_("cannot write the output"));
out:
    free(last);
    store_close(st);
    return rc;
}
