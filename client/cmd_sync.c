/*
 * doorstep sync: push the outbox, then pull every change, once. Exit 0 only
 * when both finished; otherwise one line on stderr says why, and the cache
 * is as the last completed step left it (the next sync goes on from there).
 * Progress goes to stderr when it is a terminal.
 */
#include "client/commands.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/i18n.h"
#include "store/store.h"
#include "store/sync_store.h"
#include "sync/sync.h"

enum { OPT_QUIET = 256 };

static void
sync_help(const struct cli *cli)
{
    (void)cli;
    printf(_("Usage: doorstep sync [--quiet]\n"
             "\n"
             "Sends the edits made since the last sync to the server in server_url, then\n"
             "receives everything that changed there. Needs a login (doorstep login).\n"
             "Exits with 0 only when both parts finished. Shows progress on standard\n"
             "error when it is a terminal, and a one-line summary on standard output.\n"
             "\n"
             "  --quiet   no progress and no summary, only errors\n"
             "\n"
             "Common options: --config FILE, --data-dir DIR, --passphrase-file FILE.\n"));
}

static int
sync_option(void *ctx, int id, const char *arg)
{
    (void)arg;
    if (id == OPT_QUIET)
        *(bool *)ctx = true;
    return 0;
}

struct progress_line {
    int width;      /* characters written last time, to blank them out */
    char last[160]; /* the line written last time: unchanged lines are not redrawn */
};

static void
show_progress(void *ctx, const struct sync_progress *p)
{
    struct progress_line *pl = ctx;
    char line[160];
    int n;
    if (p->phase == SYNC_PHASE_DONE) {
        n = 0;
        line[0] = '\0';
    } else if (p->phase == SYNC_PHASE_WAIT) {
        n = snprintf(line, sizeof line, _("sync: waiting %.1f s before trying again"),
                     (double)p->wait_ms / 1000.0);
    } else {
        n = snprintf(line, sizeof line,
                     _("sync: %s, sent %ld of %ld edits, %ld pages, %ld changes, %lld KB"),
                     _(sync_phase_name(p->phase)), p->pushed, p->to_push, p->pages, p->records,
                     (long long)((p->bytes_sent + p->bytes_received + 1023) / 1024));
    }
    if (n < 0)
        return;
    if (n >= (int)sizeof line)
        n = (int)sizeof line - 1;
    if (p->phase != SYNC_PHASE_DONE && strcmp(line, pl->last) == 0)
        return;
    snprintf(pl->last, sizeof pl->last, "%s", line);
    fprintf(stderr, "\r%s%*s", line, pl->width > n ? pl->width - n : 0, "");
    if (p->phase == SYNC_PHASE_DONE)
        fputc('\r', stderr);
    fflush(stderr);
    pl->width = n;
}

int
cmd_sync(struct cli *cli, int argc, char **argv)
{
    static const struct cli_option opts[] = {{"quiet", false, OPT_QUIET}};
    bool quiet = false;
    struct config cfg;
    struct store *st = NULL;
    int rc = cli_parse(cli, argc, argv, opts, 1, sync_option, &quiet, sync_help);
    if (rc >= 0)
        return rc;
    if (!cli_load_config(cli, &cfg))
        return CLI_EXIT_USAGE;
    if (!cfg.server_url[0]) {
        cli_error(_("sync: server_url is not set in the configuration"));
        return CLI_EXIT_USAGE;
    }
    if (!store_exists(cfg.data_dir)) {
        cli_error(_("%s: no cache here yet (run doorstep login first)"), cfg.data_dir);
        return CLI_EXIT_FAIL;
    }
    if (!cli_open_cache(&cfg, true, &st))
        return CLI_EXIT_FAIL;

    struct progress_line pl = {0};
    struct sync_options o;
    struct sync_result res;
    struct dp_error err;
    sync_options_init(&o);
    o.server_url = cfg.server_url;
    o.ca_file = cfg.ca_file;
    o.pin_sha256 = cfg.pin_sha256;
    o.app_version = DOORSTEP_VERSION;
    if (!quiet && isatty(STDERR_FILENO)) {
        o.progress = show_progress;
        o.progress_ctx = &pl;
    }
    enum dp_status s = sync_run(&o, st, &res, &err);
    if (s != DP_OK) {
        cli_error(_("sync: %s"), res.message[0] ? res.message : dp_strerror(s));
        rc = s == DP_ECONFIG ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
        goto out;
    }
    if (!quiet) {
        printf(_("Sent %ld edits (%ld applied, %ld merged, %ld in conflict, %ld rejected); "
                 "received %ld changes in %ld pages.\n"),
               res.applied + res.merged + res.conflicts + res.rejected + res.duplicates,
               res.applied + res.duplicates, res.merged, res.conflicts, res.rejected,
               res.puts + res.removes + res.conflict_updates, res.pages);
        if (res.reset)
            printf(_("The server sent a full copy (%s); edits not yet sent were kept.\n"),
                   res.reset_reason);
        if (res.rejected > 0)
            printf(_("Some edits were refused by the server; see doorstep status.\n"));
    }
    rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
out:
    store_close(st);
    return rc;
}
