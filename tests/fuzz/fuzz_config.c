/*
 * The client's configuration file (client/config.h), which people edit by
 * hand. Loading never fails without saying "FILE:LINE: problem" (or
 * "FILE: problem") on one line with a line number inside the file, and never
 * repeats a value that looks personal. A file that loads, written back as
 * `key = value` lines, loads to the same settings.
 *
 * ca_file makes the loader open the named file. Inputs naming anything under
 * /dev, /proc or /sys are skipped, so that fuzzing never opens a device.
 */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>
#include <unistd.h>

#include "client/config.h"

static char dir[256], file[300], again[300];

static void
cleanup(void)
{
    unlink(file);
    unlink(again);
    rmdir(dir);
}

static void
setup(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/doorstep-fuzz-config-XXXXXX", base);
    FUZZ_ASSERT(mkdtemp(dir));
    snprintf(file, sizeof file, "%s/config", dir);
    snprintf(again, sizeof again, "%s/again", dir);
    /* A fixed HOME, so that "~/" and the default data_dir mean the same in every run. */
    setenv("HOME", "/home/fuzz", 1);
    unsetenv("XDG_DATA_HOME");
    unsetenv("XDG_CONFIG_HOME");
    atexit(cleanup);
}

static void
write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    FUZZ_ASSERT(f && fwrite(data, 1, size, f) == size && fclose(f) == 0);
}

static void
check_error(const struct dp_error *err, const char *path, const uint8_t *data, size_t size)
{
    FUZZ_ASSERT(err->code == DP_ECONFIG && !strchr(err->msg, '\n'));
    size_t n = strlen(path);
    FUZZ_ASSERT(strncmp(err->msg, path, n) == 0 && err->msg[n] == ':');
    if (err->msg[n + 1] != ' ') {
        long line = strtol(err->msg + n + 1, NULL, 10);
        size_t lines = 1;
        for (size_t i = 0; i < size; i++)
            lines += data[i] == '\n';
        FUZZ_ASSERT(line >= 1 && (size_t)line <= lines);
    }
    /* ca_file errors name the file on purpose (a path, not a person's data). */
    if (strstr(err->msg, "ca_file"))
        return;
    /* The values, as the loader cuts them: after the first "=", blanks trimmed. */
    char *text = fuzz_cstr(data, size);
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        char *v = eq + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        size_t vlen = strlen(v);
        while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
            v[--vlen] = '\0';
        fuzz_assert_private(err, v);
    }
    free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0])
        setup();
    static const char *const devices[] = {"dev", "proc", "sys"};
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
        if (memmem(data, size, devices[i], strlen(devices[i])))
            return 0;
    write_file(file, data, size);
    struct config cfg;
    struct dp_error err;
    if (config_load(file, &cfg, &err) != DP_OK) {
        check_error(&err, file, data, size);
        return 0;
    }
    FUZZ_ASSERT_STR_EQ(cfg.path, file);
    FUZZ_ASSERT(cfg.sync_interval_minutes >= 0 && cfg.sync_interval_minutes <= 1440);

    /* Written back and loaded again: the same settings. */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    FUZZ_ASSERT(f);
    if (cfg.server_url[0])
        fprintf(f, "server_url = %s\n", cfg.server_url);
    if (cfg.ca_file[0])
        fprintf(f, "ca_file=%s\n", cfg.ca_file);
    if (cfg.pin_sha256[0])
        fprintf(f, "\tpin_sha256\t=\t%s\t\n", cfg.pin_sha256);
    if (cfg.username[0])
        fprintf(f, "# who\nusername = %s\n", cfg.username);
    if (cfg.language[0])
        fprintf(f, "language = %s\n", cfg.language);
    fprintf(f, "\ndata_dir = %s\nsync_interval_minutes = %d", cfg.data_dir,
            cfg.sync_interval_minutes);
    FUZZ_ASSERT(fclose(f) == 0);
    write_file(again, text, len);
    free(text);
    struct config back;
    enum dp_status st = config_load(again, &back, &err);
    if (st != DP_OK)
        fprintf(stderr, "reload: %s\n", err.msg);
    FUZZ_ASSERT(st == DP_OK);
    FUZZ_ASSERT_STR_EQ(back.server_url, cfg.server_url);
    FUZZ_ASSERT_STR_EQ(back.ca_file, cfg.ca_file);
    FUZZ_ASSERT_STR_EQ(back.pin_sha256, cfg.pin_sha256);
    FUZZ_ASSERT_STR_EQ(back.username, cfg.username);
    FUZZ_ASSERT_STR_EQ(back.data_dir, cfg.data_dir);
    FUZZ_ASSERT_STR_EQ(back.language, cfg.language);
    FUZZ_ASSERT(back.sync_interval_minutes == cfg.sync_interval_minutes);
    return 0;
}
