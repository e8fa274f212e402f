/*
 * The cache passphrase: from a file for scripts and the demo, or typed on the
 * terminal with echo off. Never from the command line (other users see argv)
 * and never from the config file.
 */
#ifndef DOORSTEP_CLIENT_PASSPHRASE_H
#define DOORSTEP_CLIENT_PASSPHRASE_H

#include <stdbool.h>
#include <stddef.h>

#include "client/config.h"
#include "core/status.h"

/* Longest passphrase accepted, in bytes; buffers need one more for the NUL. */
#define PASSPHRASE_MAX 256
/* Shortest passphrase accepted when a new cache is made. */
#define PASSPHRASE_MIN_NEW 8

/*
 * Read the first line of `path` (its "\n" or "\r\n" removed) into buf. The
 * file must be a regular file or a pipe; a regular file that group or others
 * may access is refused, as ssh refuses a readable key. Empty, over-long
 * (more than PASSPHRASE_MAX bytes) or NUL-holding passphrases fail with
 * DP_EINVAL. On any failure buf is wiped; messages never quote the content.
 */
enum dp_status passphrase_from_file(const char *path, char *buf, size_t bufsize,
                                    struct dp_error *err);

/*
 * Ask on the controlling terminal (/dev/tty) with echo off, restoring the
 * terminal on return and on SIGINT/SIGTERM/SIGHUP/SIGQUIT. With `confirm`
 * it asks twice and fails with DP_EINVAL when the answers differ. No terminal
 * fails with DP_EINVAL and a hint to use --passphrase-file. buf is wiped on
 * failure.
 */
enum dp_status passphrase_from_terminal(const char *prompt, bool confirm, char *buf, size_t bufsize,
                                        struct dp_error *err);

/*
 * The client's rule: cfg->passphrase_file when set, else the terminal. With
 * `new_cache` the terminal asks twice, and the passphrase must have at least
 * PASSPHRASE_MIN_NEW characters. The caller wipes buf (passphrase_wipe) after use.
 */
enum dp_status passphrase_get(const struct config *cfg, bool new_cache, char *buf, size_t bufsize,
                              struct dp_error *err);

/* Overwrite buf in a way the compiler may not drop. */
void passphrase_wipe(char *buf, size_t bufsize);

#endif
