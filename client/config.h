/*
 * The client's configuration file: `key = value` lines, documented in
 * config.example. It holds no secrets (tokens and passphrases never go
 * there), so a file readable by others is accepted.
 */
#ifndef DOORSTEP_CLIENT_CONFIG_H
#define DOORSTEP_CLIENT_CONFIG_H

#include <limits.h>

#include "core/status.h"

/* Limits on the file, so a wrong path (a log, a binary) fails fast and clearly. */
#define CONFIG_MAX_FILE_BYTES (64 * 1024)
#define CONFIG_MAX_LINE_BYTES 4096

struct config {
    char path[PATH_MAX];       /* file read, "" when none was found (defaults only) */
    char server_url[512];      /* https://host[:port]; http:// only for loopback tests */
    char ca_file[PATH_MAX];    /* PEM bundle to trust; "" = system store */
    char pin_sha256[128];      /* optional public-key pin(s), "sha256//BASE64[;sha256//...]" */
    char username[64];         /* login name at the server */
    char data_dir[PATH_MAX];   /* the cache directory (0700); "" when HOME is unknown */
    char language[16];         /* "zh_CN", "en", or "" = from the locale */
    int sync_interval_minutes; /* 0 = manual sync only */
    /* Not a file key: from --passphrase-file or $DOORSTEP_PASSPHRASE_FILE, for
       scripts and the demo; "" = ask on the terminal. Never the passphrase itself. */
    char passphrase_file[PATH_MAX];
};

/* Fill *cfg with defaults (data_dir from $XDG_DATA_HOME/doorstep or ~/.local/share/doorstep). */
void config_defaults(struct config *cfg);

/*
 * Reset *cfg to config_defaults(), then load `path`, or when NULL the default
 * $XDG_CONFIG_HOME/doorstep/config (a missing default file is not an error:
 * defaults apply and cfg->path stays ""). An explicit path must exist.
 *
 * Syntax: `key = value` per line, blanks around both ignored; lines whose
 * first non-blank is `#` are comments (a `#` later in a line is part of the
 * value). Unknown keys, duplicate keys, empty or bad values, values that do
 * not fit, lines over CONFIG_MAX_LINE_BYTES, NUL bytes, control characters,
 * invalid UTF-8, a byte-order mark and CRLF line ends fail with DP_ECONFIG and
 * err->msg = "FILE:LINE: problem" (or "FILE: problem" for the file as a
 * whole), one line, never quoting a value. On failure *cfg holds defaults plus
 * the keys read before the bad line; callers should not use it.
 */
enum dp_status config_load(const char *path, struct config *cfg, struct dp_error *err);

#endif
