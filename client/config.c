#include "client/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/paths.h"
#include "core/i18n.h"
#include "core/utf8.h"

/*
 * A key parser checks one value (already trimmed, non-empty, known to fit)
 * and stores it. On a bad value it writes the problem, without the value,
 * into why[0..whysize) and returns false.
 */
typedef bool (*key_parser)(struct config *cfg, const char *value, char *why, size_t whysize);

struct key_def {
    const char *name;
    size_t maxlen; /* longest accepted value in bytes */
    key_parser parse;
};

static bool
copy_value(char *dst, size_t dstsize, const char *value)
{
    int n = snprintf(dst, dstsize, "%s", value);
    return n >= 0 && (size_t)n < dstsize;
}

static bool
is_loopback_host(const char *host, size_t len)
{
    return (len == 9 && strncmp(host, "127.0.0.1", len) == 0) ||
           (len == 9 && strncasecmp(host, "localhost", len) == 0) ||
           (len == 5 && strncmp(host, "[::1]", len) == 0);
}

static bool
parse_server_url(struct config *cfg, const char *v, char *why, size_t whysize)
{
    bool https;
    const char *p;

    if (strncmp(v, "https://", 8) == 0) {
        https = true;
        p = v + 8;
    } else if (strncmp(v, "http://", 7) == 0) {
        https = false;
        p = v + 7;
    } else {
        snprintf(why, whysize, "%s", _("server_url must start with https://"));
        return false;
    }
    if (strpbrk(v, " \t")) {
        snprintf(why, whysize, "%s", _("server_url must not contain blanks"));
        return false;
    }
    size_t alen = strcspn(p, "/?#");
    if (memchr(p, '@', alen)) {
        snprintf(why, whysize, "%s", _("server_url must not contain a user name or password"));
        return false;
    }
    size_t hlen;
    if (p[0] == '[') {
        const char *close = memchr(p, ']', alen);
        if (!close) {
            snprintf(why, whysize, "%s", _("server_url has an unclosed [ in its host"));
            return false;
        }
        hlen = (size_t)(close - p) + 1;
        for (size_t i = 1; i + 1 < hlen; i++) {
            if (!strchr("0123456789abcdefABCDEF:.", p[i])) {
                snprintf(why, whysize, "%s", _("server_url has a bad IPv6 address"));
                return false;
            }
        }
    } else {
        hlen = strcspn(p, ":/?#");
        for (size_t i = 0; i < hlen; i++) {
            char c = p[i];
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-';
            if (!ok) {
                snprintf(why, whysize, "%s",
                         _("server_url host may hold only letters, digits, dots and dashes"));
                return false;
            }
        }
    }
    if (hlen == 0 || (p[0] == '[' && hlen <= 2)) {
        snprintf(why, whysize, "%s", _("server_url has no host name"));
        return false;
    }
    if (hlen < alen) {
        /* Whatever follows the host inside the authority must be ":PORT". */
        const char *port = p + hlen;
        size_t plen = alen - hlen;
        long n = 0;
        bool ok = port[0] == ':' && plen >= 2 && plen <= 6;
        for (size_t i = 1; ok && i < plen; i++) {
            if (port[i] < '0' || port[i] > '9')
                ok = false;
            else
                n = n * 10 + (port[i] - '0');
        }
        if (!ok || n < 1 || n > 65535) {
            snprintf(why, whysize, "%s", _("server_url has a bad port (1-65535)"));
            return false;
        }
    }
    if (!https && !is_loopback_host(p, hlen)) {
        snprintf(why, whysize, "%s",
                 _("server_url: http:// is allowed only for 127.0.0.1, localhost or [::1]; "
                   "use https://"));
        return false;
    }
    return copy_value(cfg->server_url, sizeof cfg->server_url, v);
}

/* "~/" is expanded; anything else must already be absolute. */
static bool
absolute_path(const char *key, const char *v, char *out, size_t outsize, char *why, size_t whysize)
{
    enum dp_status st = paths_expand_home(v, out, outsize);
    if (st == DP_ENOTFOUND) {
        snprintf(why, whysize, _("%s uses ~/ but HOME is not set"), key);
        return false;
    }
    if (st != DP_OK) {
        snprintf(why, whysize, _("%s is too long"), key);
        return false;
    }
    if (out[0] != '/') {
        snprintf(why, whysize, _("%s must be an absolute path (or start with ~/)"), key);
        out[0] = '\0';
        return false;
    }
    return true;
}

static bool
parse_ca_file(struct config *cfg, const char *v, char *why, size_t whysize)
{
    char path[PATH_MAX];
    struct stat sb;

    if (!absolute_path("ca_file", v, path, sizeof path, why, whysize))
        return false;
    /* Checked now so that a typo shows at startup, not at the first sync. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        snprintf(why, whysize, _("ca_file %s cannot be read: %s"), path, strerror(errno));
        return false;
    }
    bool regular = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
    close(fd);
    if (!regular) {
        snprintf(why, whysize, _("ca_file %s is not a regular file"), path);
        return false;
    }
    return copy_value(cfg->ca_file, sizeof cfg->ca_file, path);
}

static int
base64_index(char c)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

/* One pin: "sha256//" + the canonical base64 of 32 bytes (43 symbols and "="). */
static bool
valid_pin(const char *s, size_t len)
{
    if (len != 8 + 44 || strncmp(s, "sha256//", 8) != 0)
        return false;
    s += 8;
    for (int i = 0; i < 43; i++)
        if (base64_index(s[i]) < 0)
            return false;
    /* The last symbol carries 4 data bits; its 2 padding bits must be zero. */
    return s[43] == '=' && (base64_index(s[42]) & 3) == 0;
}

static bool
parse_pin(struct config *cfg, const char *v, char *why, size_t whysize)
{
    const char *p = v;
    for (;;) {
        size_t len = strcspn(p, ";");
        if (!valid_pin(p, len)) {
            snprintf(why, whysize, "%s",
                     _("pin_sha256 must be sha256// followed by the base64 of a 32-byte "
                       "SHA-256 digest (several pins separated by ;)"));
            return false;
        }
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    return copy_value(cfg->pin_sha256, sizeof cfg->pin_sha256, v);
}

static bool
parse_username(struct config *cfg, const char *v, char *why, size_t whysize)
{
    size_t len = strlen(v);
    bool ok = len >= 1 && len <= 32;
    for (size_t i = 0; ok && i < len; i++) {
        char c = v[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    }
    if (!ok) {
        snprintf(why, whysize, "%s",
                 _("username must be 1-32 characters of a-z, 0-9, dot, underscore or dash"));
        return false;
    }
    return copy_value(cfg->username, sizeof cfg->username, v);
}

static bool
parse_data_dir(struct config *cfg, const char *v, char *why, size_t whysize)
{
    char path[PATH_MAX];
    if (!absolute_path("data_dir", v, path, sizeof path, why, whysize))
        return false;
    return copy_value(cfg->data_dir, sizeof cfg->data_dir, path);
}

static bool
parse_language(struct config *cfg, const char *v, char *why, size_t whysize)
{
    if (strcmp(v, "zh_CN") != 0 && strcmp(v, "en") != 0) {
        snprintf(why, whysize, "%s", _("language must be zh_CN or en"));
        return false;
    }
    return copy_value(cfg->language, sizeof cfg->language, v);
}

static bool
parse_interval(struct config *cfg, const char *v, char *why, size_t whysize)
{
    long n = 0;
    size_t len = strlen(v);
    bool ok = len >= 1 && len <= 4;
    for (size_t i = 0; ok && i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            ok = false;
        else
            n = n * 10 + (v[i] - '0');
    }
    if (!ok || n > 1440) {
        snprintf(why, whysize, "%s",
                 _("sync_interval_minutes must be a whole number from 0 (manual) to 1440"));
        return false;
    }
    cfg->sync_interval_minutes = (int)n;
    return true;
}

static const struct key_def keys[] = {
    {"server_url", sizeof((struct config *)0)->server_url - 1, parse_server_url},
    {"ca_file", PATH_MAX - 1, parse_ca_file},
    {"pin_sha256", sizeof((struct config *)0)->pin_sha256 - 1, parse_pin},
    {"username", sizeof((struct config *)0)->username - 1, parse_username},
    {"data_dir", PATH_MAX - 1, parse_data_dir},
    {"language", sizeof((struct config *)0)->language - 1, parse_language},
    {"sync_interval_minutes", 32, parse_interval},
};
#define NKEYS (sizeof keys / sizeof keys[0])

void
config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    if (paths_data_dir(cfg->data_dir, sizeof cfg->data_dir) != DP_OK)
        cfg->data_dir[0] = '\0';
    cfg->sync_interval_minutes = 0;
}

static enum dp_status
file_error(struct dp_error *err, const char *path, const char *problem)
{
    return dp_error_set(err, DP_ECONFIG, NULL, "%s: %s", path, problem);
}

static enum dp_status
line_error(struct dp_error *err, const char *path, int line, const char *problem)
{
    return dp_error_set(err, DP_ECONFIG, NULL, "%s:%d: %s", path, line, problem);
}

/* Read the whole file, refusing anything but a regular file of sane size. */
static enum dp_status
read_file(const char *path, char **out, size_t *outlen, bool *missing, struct dp_error *err)
{
    char why[160];
    struct stat sb;
    char *buf = NULL;
    size_t len = 0;
    enum dp_status st = DP_OK;

    *out = NULL;
    *outlen = 0;
    *missing = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        *missing = errno == ENOENT;
        snprintf(why, sizeof why, _("cannot read: %s"), strerror(errno));
        return file_error(err, path, why);
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = file_error(err, path, _("not a regular file"));
        goto out;
    }
    if (sb.st_size > CONFIG_MAX_FILE_BYTES) {
        snprintf(why, sizeof why, _("file is larger than %d bytes; is this the right file?"),
                 CONFIG_MAX_FILE_BYTES);
        st = file_error(err, path, why);
        goto out;
    }
    buf = malloc(CONFIG_MAX_FILE_BYTES + 2);
    if (!buf) {
        st = dp_error_set(err, DP_ENOMEM, NULL, NULL);
        goto out;
    }
    /* Read to EOF with a cap: the file may have grown since fstat. */
    for (;;) {
        ssize_t n = read(fd, buf + len, CONFIG_MAX_FILE_BYTES + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(why, sizeof why, _("cannot read: %s"), strerror(errno));
            st = file_error(err, path, why);
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > CONFIG_MAX_FILE_BYTES) {
            snprintf(why, sizeof why, _("file is larger than %d bytes; is this the right file?"),
                     CONFIG_MAX_FILE_BYTES);
            st = file_error(err, path, why);
            goto out;
        }
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return st;
}

static const struct key_def *
find_key(const char *name, size_t len)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strlen(keys[i].name) == len && strncmp(keys[i].name, name, len) == 0)
            return &keys[i];
    return NULL;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/*
 * Check one raw line (without its '\n') for bytes that have no place in a
 * config file. Returns NULL when clean, else the problem.
 */
static const char *
line_bytes_problem(const char *s, size_t len)
{
    if (len > CONFIG_MAX_LINE_BYTES)
        return NULL; /* reported by the caller with the limit */
    if (memchr(s, '\0', len))
        return _("line contains a NUL byte");
    if (len > 0 && s[len - 1] == '\r')
        return _("line ends with CR LF (Windows line ends); save the file with LF line ends");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return _("line contains a control character");
    }
    if (!utf8_valid(s, len))
        return _("line is not valid UTF-8");
    return NULL;
}

static enum dp_status
parse_buffer(const char *path, const char *buf, size_t len, struct config *cfg,
             struct dp_error *err)
{
    int first_line[NKEYS] = {0};
    char why[200];
    char value[CONFIG_MAX_LINE_BYTES + 1];
    const char *p = buf, *end = buf + len;
    int lineno = 0;

    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        return line_error(err, path, 1,
                          _("starts with a byte-order mark; save the file as UTF-8 without one"));

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t linelen = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *line = p;
        p = nl ? nl + 1 : end;
        lineno++;

        if (linelen > CONFIG_MAX_LINE_BYTES) {
            snprintf(why, sizeof why, _("line is longer than %d bytes"), CONFIG_MAX_LINE_BYTES);
            return line_error(err, path, lineno, why);
        }
        const char *bad = line_bytes_problem(line, linelen);
        if (bad)
            return line_error(err, path, lineno, bad);

        const char *s = line, *e = line + linelen;
        while (s < e && is_blank(*s))
            s++;
        while (e > s && is_blank(e[-1]))
            e--;
        if (s == e || *s == '#')
            continue;

        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (!eq)
            return line_error(err, path, lineno, _("expected key = value"));
        const char *ke = eq;
        while (ke > s && is_blank(ke[-1]))
            ke--;
        size_t klen = (size_t)(ke - s);
        if (klen == 0)
            return line_error(err, path, lineno, _("missing key before ="));
        for (size_t i = 0; i < klen; i++) {
            char c = s[i];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
                return line_error(err, path, lineno,
                                  _("bad key name (keys are lower-case letters, digits and _)"));
        }
        const struct key_def *k = find_key(s, klen);
        if (!k) {
            snprintf(why, sizeof why, _("unknown key '%.*s'"), klen > 40 ? 40 : (int)klen, s);
            return line_error(err, path, lineno, why);
        }
        size_t ki = (size_t)(k - keys);
        if (first_line[ki]) {
            snprintf(why, sizeof why, _("%s is set twice (first on line %d)"), k->name,
                     first_line[ki]);
            return line_error(err, path, lineno, why);
        }
        first_line[ki] = lineno;

        const char *vs = eq + 1;
        while (vs < e && is_blank(*vs))
            vs++;
        size_t vlen = (size_t)(e - vs);
        if (vlen == 0) {
            snprintf(why, sizeof why, _("%s has no value (remove the line to use the default)"),
                     k->name);
            return line_error(err, path, lineno, why);
        }
        if (vlen > k->maxlen) {
            snprintf(why, sizeof why, _("%s is too long (at most %zu bytes)"), k->name, k->maxlen);
            return line_error(err, path, lineno, why);
        }
        memcpy(value, vs, vlen);
        value[vlen] = '\0';
        why[0] = '\0';
        if (!k->parse(cfg, value, why, sizeof why)) {
            if (!why[0])
                snprintf(why, sizeof why, _("%s is too long"), k->name);
            return line_error(err, path, lineno, why);
        }
    }
    return DP_OK;
}

enum dp_status
config_load(const char *path, struct config *cfg, struct dp_error *err)
{
    char defpath[PATH_MAX];
    char *buf = NULL;
    size_t len = 0;
    bool missing = false;
    enum dp_status st;

    config_defaults(cfg);
    dp_error_clear(err);
    if (!path) {
        if (paths_config_file(defpath, sizeof defpath) != DP_OK)
            return DP_OK; /* no HOME: nothing to read, defaults apply */
        st = read_file(defpath, &buf, &len, &missing, err);
        if (st != DP_OK && missing) {
            dp_error_clear(err);
            return DP_OK;
        }
        path = defpath;
    } else {
        st = read_file(path, &buf, &len, &missing, err);
    }
    if (st != DP_OK)
        goto out;
    if (!copy_value(cfg->path, sizeof cfg->path, path)) {
        st = file_error(err, path, _("file name is too long"));
        goto out;
    }
    st = parse_buffer(path, buf, len, cfg, err);
out:
    free(buf);
    return st;
}
