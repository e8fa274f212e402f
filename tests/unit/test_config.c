#include "client/config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/paths.h"
#include "tests/unit/test.h"

static char tmpdir[256];
static char cfgpath[300];

/* 43 base64 symbols whose last carries no stray bits, then '=': 32 bytes. */
#define PIN_A "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define PIN_B "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

static int
remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
write_bytes(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fwrite(data, 1, len, f);
    fclose(f);
}

static void
write_config(const char *text)
{
    write_bytes(cfgpath, text, strlen(text));
}

static enum dp_status
load_text(const char *text, struct config *cfg, struct dp_error *err)
{
    write_config(text);
    return config_load(cfgpath, cfg, err);
}

/* Expect DP_ECONFIG with "CFGPATH:LINE: " then a message holding `needle`, on one line. */
static bool
fails_at(const char *text, int line, const char *needle)
{
    struct config cfg;
    struct dp_error err;
    char prefix[400];

    enum dp_status st = load_text(text, &cfg, &err);
    snprintf(prefix, sizeof prefix, "%s:%d: ", cfgpath, line);
    bool ok = st == DP_ECONFIG && err.code == DP_ECONFIG &&
              strncmp(err.msg, prefix, strlen(prefix)) == 0 && strstr(err.msg, needle) &&
              !strchr(err.msg, '\n') && !strchr(err.msg, '\r');
    if (!ok)
        fprintf(stderr, "    status %s, message \"%s\"; wanted line %d and \"%s\"\n",
                dp_status_name(st), err.msg, line, needle);
    return ok;
}

static bool
loads(const char *text, struct config *cfg)
{
    struct dp_error err;
    enum dp_status st = load_text(text, cfg, &err);
    if (st != DP_OK)
        fprintf(stderr, "    unexpected failure: %s\n", err.msg);
    return st == DP_OK;
}

TEST(defaults_follow_xdg)
{
    struct config cfg;
    setenv("HOME", "/home/w", 1);
    unsetenv("XDG_DATA_HOME");
    config_defaults(&cfg);
    CHECK_STR_EQ(cfg.data_dir, "/home/w/.local/share/doorstep");
    CHECK_STR_EQ(cfg.server_url, "");
    CHECK_STR_EQ(cfg.language, "");
    CHECK_INT_EQ(cfg.sync_interval_minutes, 0);

    setenv("XDG_DATA_HOME", "/srv/data", 1);
    config_defaults(&cfg);
    CHECK_STR_EQ(cfg.data_dir, "/srv/data/doorstep");

    /* The XDG spec says a relative value is ignored. */
    setenv("XDG_DATA_HOME", "relative/data", 1);
    config_defaults(&cfg);
    CHECK_STR_EQ(cfg.data_dir, "/home/w/.local/share/doorstep");

    unsetenv("HOME");
    unsetenv("XDG_DATA_HOME");
    config_defaults(&cfg);
    CHECK_STR_EQ(cfg.data_dir, "");
    setenv("HOME", tmpdir, 1);
}

TEST(full_file_with_comments_and_blanks)
{
    struct config cfg;
    char text[2048];
    char ca[400];
    snprintf(ca, sizeof ca, "%s/ca.pem", tmpdir);
    write_config("x");
    write_bytes(ca, "-----BEGIN CERTIFICATE-----\n", 28);
    snprintf(text, sizeof text,
             "# Doorstep client\n"
             "\n"
             "   # indented comment, 中文注释\n"
             "server_url = https://doorstep.example.org:8443/base\n"
             "ca_file=%s\n"
             "\tpin_sha256 =\t" PIN_A "   \n"
             "username = worker_01\n"
             "data_dir = /var/lib/doorstep/w1\n"
             "language = zh_CN\n"
             "sync_interval_minutes = 1440", /* no final newline */
             ca);
    REQUIRE(loads(text, &cfg));
    CHECK_STR_EQ(cfg.path, cfgpath);
    CHECK_STR_EQ(cfg.server_url, "https://doorstep.example.org:8443/base");
    CHECK_STR_EQ(cfg.ca_file, ca);
    CHECK_STR_EQ(cfg.pin_sha256, PIN_A);
    CHECK_STR_EQ(cfg.username, "worker_01");
    CHECK_STR_EQ(cfg.data_dir, "/var/lib/doorstep/w1");
    CHECK_STR_EQ(cfg.language, "zh_CN");
    CHECK_INT_EQ(cfg.sync_interval_minutes, 1440);
    CHECK_STR_EQ(cfg.passphrase_file, "");
}

TEST(empty_file_gives_defaults)
{
    struct config cfg;
    REQUIRE(loads("", &cfg));
    CHECK_STR_EQ(cfg.path, cfgpath);
    CHECK_STR_EQ(cfg.server_url, "");
    REQUIRE(loads("\n\n# only comments\n", &cfg));
    CHECK_INT_EQ(cfg.sync_interval_minutes, 0);
}

TEST(load_resets_to_defaults_first)
{
    struct config cfg;
    REQUIRE(loads("username = a\nsync_interval_minutes = 5\n", &cfg));
    REQUIRE(loads("language = en\n", &cfg));
    CHECK_STR_EQ(cfg.username, "");
    CHECK_INT_EQ(cfg.sync_interval_minutes, 0);
}

TEST(default_location_missing_is_fine)
{
    struct config cfg;
    struct dp_error err;
    char xdg[300];
    snprintf(xdg, sizeof xdg, "%s/nothing-here", tmpdir);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    CHECK_INT_EQ(config_load(NULL, &cfg, &err), DP_OK);
    CHECK_STR_EQ(cfg.path, "");
    unsetenv("XDG_CONFIG_HOME");
}

TEST(default_location_is_read)
{
    struct config cfg;
    struct dp_error err;
    char xdg[300], dir[320], file[340];
    snprintf(xdg, sizeof xdg, "%s/xdg", tmpdir);
    snprintf(dir, sizeof dir, "%s/doorstep", xdg);
    snprintf(file, sizeof file, "%s/config", dir);
    mkdir(xdg, 0700);
    mkdir(dir, 0700);
    write_bytes(file, "username = fromxdg\n", 19);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    CHECK_INT_EQ(config_load(NULL, &cfg, &err), DP_OK);
    CHECK_STR_EQ(cfg.path, file);
    CHECK_STR_EQ(cfg.username, "fromxdg");

    /* A bad default file is an error, not silently ignored. */
    write_bytes(file, "colour = red\n", 13);
    CHECK_INT_EQ(config_load(NULL, &cfg, &err), DP_ECONFIG);
    CHECK(strstr(err.msg, file) != NULL);
    unsetenv("XDG_CONFIG_HOME");
}

TEST(explicit_path_must_exist_and_be_a_file)
{
    struct config cfg;
    struct dp_error err;
    char missing[300];
    snprintf(missing, sizeof missing, "%s/no-such-config", tmpdir);
    CHECK_INT_EQ(config_load(missing, &cfg, &err), DP_ECONFIG);
    CHECK(strncmp(err.msg, missing, strlen(missing)) == 0);
    CHECK(strstr(err.msg, "cannot read") != NULL);

    CHECK_INT_EQ(config_load(tmpdir, &cfg, &err), DP_ECONFIG);
    CHECK(strstr(err.msg, "not a regular file") != NULL);

    CHECK_INT_EQ(config_load("/dev/null", &cfg, &err), DP_ECONFIG);
}

TEST(unknown_and_duplicate_keys)
{
    CHECK(fails_at("username = a\n\ncolour = red\n", 3, "unknown key 'colour'"));
    CHECK(fails_at("username = a\nlanguage = en\nusername = b\n", 3,
                   "username is set twice (first on line 1)"));
    CHECK(fails_at("Server_URL = https://x\n", 1, "bad key name"));
    CHECK(fails_at("server url = https://x\n", 1, "bad key name"));
    CHECK(fails_at("just some words\n", 1, "expected key = value"));
    CHECK(fails_at("= https://x\n", 1, "missing key"));
    CHECK(fails_at("username =   \n", 1, "username has no value"));
    /* A key named like a struct field that is not a file key. */
    CHECK(fails_at("passphrase_file = /tmp/p\n", 1, "unknown key"));
    CHECK(fails_at("path = /tmp/p\n", 1, "unknown key"));
}

TEST(server_url_rules)
{
    struct config cfg;
    CHECK(loads("server_url = https://a.example\n", &cfg));
    CHECK(loads("server_url = https://10.0.0.2:443/\n", &cfg));
    CHECK(loads("server_url = https://[2001:db8::1]:8443\n", &cfg));
    CHECK(loads("server_url = http://127.0.0.1:8080\n", &cfg));
    CHECK(loads("server_url = http://localhost/sync\n", &cfg));
    CHECK(loads("server_url = http://LOCALHOST:1\n", &cfg));
    CHECK(loads("server_url = http://[::1]:65535/x?y\n", &cfg));
    CHECK_STR_EQ(cfg.server_url, "http://[::1]:65535/x?y");

    CHECK(fails_at("server_url = http://example.org\n", 1, "http:// is allowed only"));
    CHECK(fails_at("server_url = http://127.0.0.2\n", 1, "http:// is allowed only"));
    CHECK(fails_at("server_url = http://localhost.evil.org\n", 1, "http:// is allowed only"));
    CHECK(fails_at("server_url = http://127.0.0.1.nip.io/\n", 1, "http:// is allowed only"));
    CHECK(fails_at("server_url = ftp://a.example\n", 1, "must start with https://"));
    CHECK(fails_at("server_url = HTTPS://a.example\n", 1, "must start with https://"));
    CHECK(fails_at("server_url = a.example\n", 1, "must start with https://"));
    CHECK(fails_at("server_url = https://\n", 1, "no host"));
    CHECK(fails_at("server_url = https:///path\n", 1, "no host"));
    CHECK(fails_at("server_url = https://[]:80\n", 1, "no host"));
    CHECK(fails_at("server_url = https://user:pw@a.example\n", 1, "user name or password"));
    CHECK(fails_at("server_url = https://a.example:0\n", 1, "bad port"));
    CHECK(fails_at("server_url = https://a.example:65536\n", 1, "bad port"));
    CHECK(fails_at("server_url = https://a.example:\n", 1, "bad port"));
    CHECK(fails_at("server_url = https://a.example:8x\n", 1, "bad port"));
    CHECK(fails_at("server_url = https://a.example:1234567\n", 1, "bad port"));
    CHECK(fails_at("server_url = https://a example\n", 1, "blanks"));
    CHECK(fails_at("server_url = https://a_b.example\n", 1, "host may hold only"));
    CHECK(fails_at("server_url = https://[::1\n", 1, "unclosed"));
    CHECK(fails_at("server_url = https://[::g]\n", 1, "IPv6"));
}

TEST(sync_interval_rules)
{
    struct config cfg;
    CHECK(loads("sync_interval_minutes = 0\n", &cfg));
    CHECK_INT_EQ(cfg.sync_interval_minutes, 0);
    CHECK(loads("sync_interval_minutes =   15  \n", &cfg));
    CHECK_INT_EQ(cfg.sync_interval_minutes, 15);
    CHECK(loads("sync_interval_minutes = 1440\n", &cfg));
    CHECK_INT_EQ(cfg.sync_interval_minutes, 1440);

    CHECK(fails_at("sync_interval_minutes = 1441\n", 1, "from 0 (manual) to 1440"));
    CHECK(fails_at("sync_interval_minutes = -1\n", 1, "from 0 (manual) to 1440"));
    CHECK(fails_at("sync_interval_minutes = +5\n", 1, "from 0 (manual) to 1440"));
    CHECK(fails_at("sync_interval_minutes = ten\n", 1, "from 0 (manual) to 1440"));
    CHECK(fails_at("sync_interval_minutes = 1.5\n", 1, "from 0 (manual) to 1440"));
    CHECK(fails_at("sync_interval_minutes = 0x10\n", 1, "from 0 (manual) to 1440"));
    CHECK(fails_at("sync_interval_minutes = 99999999999999999999\n", 1, "from 0 (manual) to 1440"));
    CHECK(fails_at("sync_interval_minutes = 999999999999999999999999999999999\n", 1, "too long"));
}

TEST(language_and_username_rules)
{
    struct config cfg;
    CHECK(loads("language = en\n", &cfg));
    CHECK_STR_EQ(cfg.language, "en");
    CHECK(fails_at("language = fr\n", 1, "language must be zh_CN or en"));
    CHECK(fails_at("language = zh_cn\n", 1, "language must be zh_CN or en"));
    /* '#' after a value is part of it, as config.example says. */
    CHECK(fails_at("language = en # English\n", 1, "language must be zh_CN or en"));

    CHECK(loads("username = a.b-c_9\n", &cfg));
    CHECK_STR_EQ(cfg.username, "a.b-c_9");
    CHECK(fails_at("username = Worker\n", 1, "username must be"));
    CHECK(fails_at("username = 张三\n", 1, "username must be"));
    CHECK(fails_at("username = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 1, "username must be"));
}

TEST(paths_must_be_absolute)
{
    struct config cfg;
    char text[600];
    setenv("HOME", tmpdir, 1);
    CHECK(loads("data_dir = ~/cache\n", &cfg));
    char want[400];
    snprintf(want, sizeof want, "%s/cache", tmpdir);
    CHECK_STR_EQ(cfg.data_dir, want);
    CHECK(fails_at("data_dir = cache\n", 1, "must be an absolute path"));
    CHECK(fails_at("data_dir = ./cache\n", 1, "must be an absolute path"));
    CHECK(fails_at("data_dir = ~cache\n", 1, "must be an absolute path"));
    unsetenv("HOME");
    CHECK(fails_at("data_dir = ~/cache\n", 1, "HOME is not set"));
    setenv("HOME", tmpdir, 1);

    snprintf(text, sizeof text, "ca_file = %s/no-such.pem\n", tmpdir);
    CHECK(fails_at(text, 1, "cannot be read"));
    snprintf(text, sizeof text, "ca_file = %s\n", tmpdir);
    CHECK(fails_at(text, 1, "not a regular file"));
    CHECK(fails_at("ca_file = ca.pem\n", 1, "must be an absolute path"));
    if (geteuid() != 0) {
        char locked[400];
        snprintf(locked, sizeof locked, "%s/locked.pem", tmpdir);
        write_bytes(locked, "x", 1);
        chmod(locked, 0);
        snprintf(text, sizeof text, "ca_file = %s\n", locked);
        CHECK(fails_at(text, 1, "cannot be read"));
    }
}

TEST(pin_rules)
{
    struct config cfg;
    CHECK(loads("pin_sha256 = " PIN_A "\n", &cfg));
    CHECK(loads("pin_sha256 = " PIN_B "\n", &cfg));
    CHECK(loads("pin_sha256 = " PIN_A ";" PIN_B "\n", &cfg));
    CHECK_STR_EQ(cfg.pin_sha256, PIN_A ";" PIN_B);

    /* 'B' as the last symbol leaves stray bits: not a canonical 32-byte value. */
    CHECK(fails_at("pin_sha256 = sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n", 1,
                   "pin_sha256 must be"));
    CHECK(fails_at("pin_sha256 = sha256//AAAA\n", 1, "pin_sha256 must be"));
    CHECK(fails_at("pin_sha256 = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", 1,
                   "pin_sha256 must be"));
    CHECK(fails_at("pin_sha256 = sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*A=\n", 1,
                   "pin_sha256 must be"));
    CHECK(fails_at("pin_sha256 = " PIN_A ";\n", 1, "pin_sha256 must be"));
    CHECK(fails_at("pin_sha256 = " PIN_A ";" PIN_B ";" PIN_A "\n", 1, "too long"));
}

TEST(bad_bytes_are_refused_with_their_line)
{
    CHECK(fails_at("username = a\r\nlanguage = en\r\n", 1, "CR LF"));
    CHECK(fails_at("# fine\nusername = a\r\n", 2, "CR LF"));
    CHECK(fails_at("# comment \xff\xfe\n", 1, "not valid UTF-8"));
    CHECK(fails_at("username = a\nlanguage = \xc3\x28\n", 2, "not valid UTF-8"));
    /* Overlong encoding of '/' and a UTF-16 surrogate. */
    CHECK(fails_at("data_dir = \xc0\xaftmp\n", 1, "not valid UTF-8"));
    CHECK(fails_at("# \xed\xa0\x80\n", 1, "not valid UTF-8"));
    CHECK(fails_at("username = a\x1b[31m\n", 1, "control character"));
    CHECK(fails_at("username = a\rb\n", 1, "control character"));
    CHECK(fails_at("\xEF\xBB\xBFusername = a\n", 1, "byte-order mark"));
}

TEST(nul_byte_is_refused)
{
    struct config cfg;
    struct dp_error err;
    static const char text[] = "username = a\nlanguage = e\0n\n";
    char prefix[400];
    write_bytes(cfgpath, text, sizeof text - 1);
    CHECK_INT_EQ(config_load(cfgpath, &cfg, &err), DP_ECONFIG);
    snprintf(prefix, sizeof prefix, "%s:2: ", cfgpath);
    CHECK(strncmp(err.msg, prefix, strlen(prefix)) == 0);
    CHECK(strstr(err.msg, "NUL byte") != NULL);
}

TEST(long_lines_values_and_files)
{
    char *text = malloc(CONFIG_MAX_FILE_BYTES + 100);
    REQUIRE(text);

    /* A line one byte over the limit; one exactly at it is only a long value. */
    memcpy(text, "username = a\n# ", 15);
    memset(text + 15, 'x', CONFIG_MAX_LINE_BYTES - 2 + 1);
    memcpy(text + 15 + CONFIG_MAX_LINE_BYTES - 1, "\n", 2);
    CHECK(fails_at(text, 2, "longer than 4096 bytes"));
    text[15 + CONFIG_MAX_LINE_BYTES - 2] = '\n';
    text[15 + CONFIG_MAX_LINE_BYTES - 1] = '\0';
    struct config cfg;
    CHECK(loads(text, &cfg));

    /* server_url holds at most 511 bytes. */
    memcpy(text, "server_url = https://", 21);
    memset(text + 21, 'a', 600);
    memcpy(text + 621, "\n", 2);
    CHECK(fails_at(text, 1, "server_url is too long (at most 511 bytes)"));

    /* A whole file over the cap: probably not a config file at all. */
    memset(text, '#', CONFIG_MAX_FILE_BYTES + 10);
    for (int i = 100; i < CONFIG_MAX_FILE_BYTES; i += 100)
        text[i] = '\n';
    text[CONFIG_MAX_FILE_BYTES + 10] = '\0';
    struct dp_error err;
    write_config(text);
    CHECK_INT_EQ(config_load(cfgpath, &cfg, &err), DP_ECONFIG);
    CHECK(strstr(err.msg, "larger than") != NULL);
    free(text);
}

TEST(messages_never_quote_values)
{
    struct config cfg;
    struct dp_error err;
    static const char *const bad[] = {
        "username = SecretName\n", "server_url = http://secretname.example\n",
        "language = secretname\n", "sync_interval_minutes = secretname\n",
        "data_dir = secretname\n", "pin_sha256 = secretname\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT_EQ(load_text(bad[i], &cfg, &err), DP_ECONFIG);
        CHECK(strstr(err.msg, "ecret") == NULL);
        CHECK(strstr(err.msg, "ecretname") == NULL);
    }
}

TEST(paths_defaults)
{
    char buf[400];
    setenv("HOME", "/h", 1);
    unsetenv("XDG_CONFIG_HOME");
    CHECK_INT_EQ(paths_config_file(buf, sizeof buf), DP_OK);
    CHECK_STR_EQ(buf, "/h/.config/doorstep/config");
    setenv("XDG_CONFIG_HOME", "/x", 1);
    CHECK_INT_EQ(paths_config_file(buf, sizeof buf), DP_OK);
    CHECK_STR_EQ(buf, "/x/doorstep/config");
    setenv("XDG_CONFIG_HOME", "", 1);
    CHECK_INT_EQ(paths_config_file(buf, sizeof buf), DP_OK);
    CHECK_STR_EQ(buf, "/h/.config/doorstep/config");
    CHECK_INT_EQ(paths_config_file(buf, 10), DP_ETOOBIG);
    CHECK_STR_EQ(buf, "");
    unsetenv("XDG_CONFIG_HOME");
    CHECK_INT_EQ(paths_expand_home("~/x", buf, sizeof buf), DP_OK);
    CHECK_STR_EQ(buf, "/h/x");
    CHECK_INT_EQ(paths_expand_home("/abs", buf, sizeof buf), DP_OK);
    CHECK_STR_EQ(buf, "/abs");
    CHECK_INT_EQ(paths_exe_dir(buf, sizeof buf), DP_OK);
    CHECK(buf[0] == '/');
    setenv("HOME", tmpdir, 1);
}

/*
 * config.example documents every key, and its sample values (the commented
 * `#key = value` lines) are all accepted when uncommented.
 */
TEST(config_example_documents_and_parses)
{
    static const char *const keys[] = {"server_url", "ca_file",  "pin_sha256",           "username",
                                       "data_dir",   "language", "sync_interval_minutes"};
    char line[1024], out[1100], ca[400];
    int found[sizeof keys / sizeof keys[0]] = {0};
    FILE *in = fopen("config.example", "r");
    if (!in) {
        /* Run from the repository top, as tests/run does. */
        fprintf(stderr, "    config.example not found (run from the repository top)\n");
        CHECK(in != NULL);
        return;
    }
    snprintf(ca, sizeof ca, "%s/example-ca.pem", tmpdir);
    write_bytes(ca, "x\n", 2);
    FILE *o = fopen(cfgpath, "w");
    REQUIRE(o);
    while (fgets(line, sizeof line, in)) {
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            size_t n = strlen(keys[k]);
            if (line[0] == '#' && strncmp(line + 1, keys[k], n) == 0 &&
                strncmp(line + 1 + n, " = ", 3) == 0) {
                found[k]++;
                if (strcmp(keys[k], "ca_file") == 0)
                    snprintf(out, sizeof out, "ca_file = %s\n", ca);
                else
                    snprintf(out, sizeof out, "%s", line + 1);
                fputs(out, o);
            }
        }
    }
    fclose(in);
    fclose(o);
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (found[k] != 1)
            TEST_FAIL_("config.example has %d sample lines for %s, want 1", found[k], keys[k]);
    struct config cfg;
    struct dp_error err;
    CHECK_INT_EQ(config_load(cfgpath, &cfg, &err), DP_OK);
    if (err.code != DP_OK)
        fprintf(stderr, "    %s\n", err.msg);
    CHECK(cfg.server_url[0] && cfg.pin_sha256[0] && cfg.username[0] && cfg.language[0]);
    CHECK(cfg.sync_interval_minutes > 0);
}

int
main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s/doorstep-config.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(cfgpath, sizeof cfgpath, "%s/config", tmpdir);
    setenv("HOME", tmpdir, 1);

    RUN(defaults_follow_xdg);
    RUN(full_file_with_comments_and_blanks);
    RUN(empty_file_gives_defaults);
    RUN(load_resets_to_defaults_first);
    RUN(default_location_missing_is_fine);
    RUN(default_location_is_read);
    RUN(explicit_path_must_exist_and_be_a_file);
    RUN(unknown_and_duplicate_keys);
    RUN(server_url_rules);
    RUN(sync_interval_rules);
    RUN(language_and_username_rules);
    RUN(paths_must_be_absolute);
    RUN(pin_rules);
    RUN(bad_bytes_are_refused_with_their_line);
    RUN(nul_byte_is_refused);
    RUN(long_lines_values_and_files);
    RUN(messages_never_quote_values);
    RUN(paths_defaults);
    RUN(config_example_documents_and_parses);

    nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return test_report();
}
