/* Opening the cache for a command: passphrase first, so a refusal leaves nothing behind. */
#include "client/cli.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/passphrase.h"
#include "core/i18n.h"
#include "store/store.h"

/*
 * How many trailing components of `dir` do not exist yet: the store makes
 * them, and a failed first open must not leave them behind.
 */
static int
missing_components(const char *dir)
{
    char path[PATH_MAX];
    struct stat sb;
    int n = 0;
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return 0;
    while (path[0] && stat(path, &sb) != 0) {
        char *slash = strrchr(path, '/');
        n++;
        if (!slash || slash == path)
            break;
        *slash = '\0';
    }
    return n;
}

/* Remove the `n` innermost components of dir, each only if empty (rmdir refuses otherwise). */
static void
remove_made_dirs(const char *dir, int n)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return;
    for (int i = 0; i < n; i++) {
        if (rmdir(path) != 0)
            return;
        char *slash = strrchr(path, '/');
        if (!slash || slash == path)
            return;
        *slash = '\0';
    }
}

bool
cli_open_cache(const struct config *cfg, bool create, struct store **out)
{
    char pass[PASSPHRASE_MAX + 1];
    struct dp_error err;
    enum dp_status st;
    bool ok = false;

    *out = NULL;
    dp_error_clear(&err);
    bool exists = store_exists(cfg->data_dir);
    if (!exists && !create) {
        cli_error(_("%s: no cache here yet (run doorstep once to make one)"), cfg->data_dir);
        return false;
    }
    st = passphrase_get(cfg, !exists, pass, sizeof pass, &err);
    if (st != DP_OK) {
        cli_error("%s", err.msg);
        goto out;
    }
    /* Reports open read-only: they never write, so they also work on a read-only copy. */
    struct store_options opt = {.read_only = !create};
    int made = exists ? 0 : missing_components(cfg->data_dir);
    st = store_open_with(cfg->data_dir, pass, &opt, out, &err);
    if (st != DP_OK) {
        *out = NULL;
        remove_made_dirs(cfg->data_dir, made);
        /* The store's messages name the file already. */
        if (err.msg[0])
            cli_error("%s", err.msg);
        else
            cli_error("%s/%s: %s", cfg->data_dir, STORE_FILE_NAME, dp_strerror(st));
        goto out;
    }
    ok = true;
out:
    passphrase_wipe(pass, sizeof pass);
    return ok;
}
