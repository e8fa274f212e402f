#include "client/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An XDG variable counts only when set to an absolute path. */
static const char *
xdg_var(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] == '/' ? v : NULL;
}

static enum dp_status
join(char *buf, size_t bufsize, const char *a, const char *b)
{
    int n = snprintf(buf, bufsize, "%s%s", a, b);
    if (n < 0 || (size_t)n >= bufsize) {
        if (bufsize)
            buf[0] = '\0';
        return DP_ETOOBIG;
    }
    return DP_OK;
}

static enum dp_status
xdg_path(char *buf, size_t bufsize, const char *var, const char *home_rel, const char *leaf)
{
    const char *base = xdg_var(var);
    char tmp[4096];
    if (bufsize)
        buf[0] = '\0';
    if (base) {
        if (join(tmp, sizeof tmp, base, "/") != DP_OK)
            return DP_ETOOBIG;
    } else {
        const char *home = xdg_var("HOME");
        if (!home)
            return DP_ENOTFOUND;
        int n = snprintf(tmp, sizeof tmp, "%s/%s/", home, home_rel);
        if (n < 0 || (size_t)n >= sizeof tmp)
            return DP_ETOOBIG;
    }
    return join(buf, bufsize, tmp, leaf);
}

enum dp_status
paths_config_file(char *buf, size_t bufsize)
{
    return xdg_path(buf, bufsize, "XDG_CONFIG_HOME", ".config", "doorstep/config");
}

enum dp_status
paths_data_dir(char *buf, size_t bufsize)
{
    return xdg_path(buf, bufsize, "XDG_DATA_HOME", ".local/share", "doorstep");
}

enum dp_status
paths_expand_home(const char *path, char *buf, size_t bufsize)
{
    if (bufsize)
        buf[0] = '\0';
    if (strncmp(path, "~/", 2) == 0) {
        const char *home = xdg_var("HOME");
        if (!home)
            return DP_ENOTFOUND;
        int n = snprintf(buf, bufsize, "%s%s", home, path + 1);
        if (n < 0 || (size_t)n >= bufsize) {
            if (bufsize)
                buf[0] = '\0';
            return DP_ETOOBIG;
        }
        return DP_OK;
    }
    return join(buf, bufsize, path, "");
}

enum dp_status
paths_exe_dir(char *buf, size_t bufsize)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (bufsize)
        buf[0] = '\0';
    if (n <= 0)
        return DP_ENOTFOUND;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return DP_ENOTFOUND;
    if (slash == exe)
        slash[1] = '\0';
    else
        *slash = '\0';
    return join(buf, bufsize, exe, "");
}
