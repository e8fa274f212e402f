/* The client's configuration file: key = value lines, documented in config.example. */
#ifndef DOORSTEP_CLIENT_CONFIG_H
#define DOORSTEP_CLIENT_CONFIG_H

#include <limits.h>

#include "core/status.h"

struct config {
    char path[PATH_MAX];       /* file read, "" when none was found (defaults only) */
    char server_url[512];      /* https://host[:port]; http:// only for loopback tests */
    char ca_file[PATH_MAX];    /* PEM bundle to trust; "" = system store */
    char pin_sha256[128];      /* optional public-key pin, "sha256//BASE64" */
    char username[64];         /* login name at the server */
    char data_dir[PATH_MAX];   /* the cache directory (0700) */
    char language[16];         /* "zh_CN", "en", or "" = from the locale */
    int sync_interval_minutes; /* 0 = manual sync only */
};

/* Fill *cfg with defaults (data_dir from $XDG_DATA_HOME/doorstep or ~/.local/share/doorstep). */
void config_defaults(struct config *cfg);

/*
 * Load `path`, or when NULL the default $XDG_CONFIG_HOME/doorstep/config
 * (a missing default file is not an error: defaults apply). Unknown keys,
 * bad values, duplicate keys and CRLF line ends fail with DP_ECONFIG and
 * err->msg = "FILE:LINE: problem". *cfg holds defaults plus what was read.
 */
enum dp_status config_load(const char *path, struct config *cfg, struct dp_error *err);

#endif
