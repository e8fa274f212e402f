/*
 * Where the client keeps things: XDG base directories and the directory of
 * the running program (for translations). The store makes the data
 * directory itself, with mode 0700.
 */
#ifndef DOORSTEP_CLIENT_PATHS_H
#define DOORSTEP_CLIENT_PATHS_H

#include <stddef.h>

#include "core/status.h"

/*
 * Default config file: $XDG_CONFIG_HOME/doorstep/config, or
 * $HOME/.config/doorstep/config when XDG_CONFIG_HOME is unset, empty or not
 * absolute (as the XDG spec says). DP_ENOTFOUND when neither variable is
 * usable, DP_ETOOBIG when the path does not fit; buf is "" on failure.
 */
enum dp_status paths_config_file(char *buf, size_t bufsize);

/* Default data directory: $XDG_DATA_HOME/doorstep or $HOME/.local/share/doorstep. */
enum dp_status paths_data_dir(char *buf, size_t bufsize);

/*
 * Expand a leading "~/" with $HOME into buf; other paths are copied.
 * DP_ENOTFOUND when "~/" is used without HOME, DP_ETOOBIG when it does not fit.
 */
enum dp_status paths_expand_home(const char *path, char *buf, size_t bufsize);

/* Directory holding the running executable (from /proc/self/exe). */
enum dp_status paths_exe_dir(char *buf, size_t bufsize);

#endif
