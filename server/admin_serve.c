/* doorstep-server serve: run the HTTPS sync server until SIGINT or SIGTERM. */
#include "server/admin.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/audit.h"
#include "server/buf.h"
#include "server/db.h"
#include "server/http.h"
#include "server/server.h"

static const char usage[] =
    "usage: doorstep-server serve --db FILE --listen ADDR:PORT --cert PEM --key PEM\n"
    "                             [--insecure-http] [--threads N] [--token-ttl SECONDS]\n"
    "                             [--port-file FILE]\n"
    "Serve the sync protocol over HTTPS. ADDR is numeric (127.0.0.1, 0.0.0.0, [::1]);\n"
    "PORT 0 picks a free port (written to --port-file). --insecure-http serves plain\n"
    "HTTP and is refused unless ADDR is a loopback address.\n";

/* Split "127.0.0.1:8443" or "[::1]:8443". */
static bool
parse_listen(const char *s, char *addr, size_t addrsize, int *port)
{
    const char *colon;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return false;
        if ((size_t)(close - s - 1) >= addrsize)
            return false;
        memcpy(addr, s + 1, (size_t)(close - s - 1));
        addr[close - s - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= addrsize || colon == s)
            return false;
        memcpy(addr, s, (size_t)(colon - s));
        addr[colon - s] = '\0';
    }
    char *end;
    errno = 0;
    long p = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || p < 0 || p > 65535)
        return false;
    *port = (int)p;
    return true;
}

static char *
read_pem(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "doorstep-server serve: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    struct buf b;
    buf_init(&b, 1 << 20);
    char chunk[4096];
    size_t n;
    enum dp_status st = DP_OK;
    while (st == DP_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        st = buf_add(&b, chunk, n);
    bool bad = ferror(f) || st != DP_OK || b.len == 0;
    fclose(f);
    if (bad) {
        fprintf(stderr, "doorstep-server serve: %s: cannot read PEM file\n", path);
        buf_done(&b);
        return NULL;
    }
    return buf_take(&b, NULL);
}

static bool
write_port_file(const char *path, int port)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return false;
    fprintf(f, "%d\n", port);
    bool ok = fclose(f) == 0 && rename(tmp, path) == 0;
    if (!ok)
        unlink(tmp);
    return ok;
}

int
admin_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"cert", required_argument, NULL, 'c'},
        {"key", required_argument, NULL, 'k'},
        {"insecure-http", no_argument, NULL, 'i'},
        {"threads", required_argument, NULL, 't'},
        {"token-ttl", required_argument, NULL, 'T'},
        {"port-file", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dbopt = NULL, *listen = NULL, *cert = NULL, *key = NULL, *port_file = NULL;
    bool insecure = false;
    long threads = 4, ttl = TOKEN_TTL_DEFAULT;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'd':
            dbopt = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 'c':
            cert = optarg;
            break;
        case 'k':
            key = optarg;
            break;
        case 'i':
            insecure = true;
            break;
        case 'p':
            port_file = optarg;
            break;
        case 't':
            threads = strtol(optarg, &end, 10);
            if (*end || threads < 1 || threads > 64) {
                fputs("doorstep-server serve: --threads must be 1-64\n", stderr);
                return 2;
            }
            break;
        case 'T':
            ttl = strtol(optarg, &end, 10);
            if (*end || ttl < 1 || ttl > 366L * 24 * 3600) {
                fputs("doorstep-server serve: --token-ttl must be 1 s to 366 days\n", stderr);
                return 2;
            }
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind != argc || !listen) {
        fputs(usage, stderr);
        return 2;
    }
    const char *path = admin_db_path(dbopt);
    if (!path) {
        fputs("doorstep-server serve: no database: give --db FILE or set DOORSTEP_DB\n", stderr);
        return 2;
    }
    char addr[64];
    int port;
    if (!parse_listen(listen, addr, sizeof addr, &port)) {
        fputs("doorstep-server serve: --listen must be ADDR:PORT with a numeric address\n", stderr);
        return 2;
    }
    if (insecure && !http_addr_is_loopback(addr)) {
        fputs("doorstep-server serve: --insecure-http is allowed only on a loopback address\n",
              stderr);
        return 2;
    }
    if (!insecure && (!cert || !key)) {
        fputs("doorstep-server serve: --cert and --key are required (HTTPS)\n", stderr);
        return 2;
    }

    int rc = 1;
    char *cert_pem = NULL, *key_pem = NULL;
    struct server srv;
    bool srv_ok = false;
    struct http_server *hs = NULL;
    struct dp_error err;
    dp_error_clear(&err);
    sqlite3 *db = NULL;

    if (!insecure && (!(cert_pem = read_pem(cert)) || !(key_pem = read_pem(key))))
        goto out;
    if (!(db = admin_open(path)))
        goto out;
    /* Signals go to the main thread only: block them before any thread starts. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (server_init(&srv, path, (unsigned)threads, &err) != DP_OK) {
        admin_fail("serve", &err);
        goto out;
    }
    srv_ok = true;
    srv.token_ttl = ttl;
    struct http_options ho = {
        .addr = addr,
        .port = port,
        .cert_pem = cert_pem,
        .key_pem = key_pem,
        .threads = (unsigned)threads,
        .conn_limit = 1000,
        .timeout_s = 30,
    };
    int bound = 0;
    if (http_start(&srv, &ho, &hs, &bound, &err) != DP_OK) {
        admin_fail("serve", &err);
        goto out;
    }
    if (port_file && !write_port_file(port_file, bound)) {
        fprintf(stderr, "doorstep-server serve: cannot write %s\n", port_file);
        goto out;
    }
    fprintf(stderr, "doorstep-server: listening on %s://%s%s%s:%d\n", insecure ? "http" : "https",
            strchr(addr, ':') ? "[" : "", addr, strchr(addr, ':') ? "]" : "", bound);

    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "doorstep-server: stopping (signal %d)\n", sig);
    rc = 0;
out:
    http_stop(hs);
    if (db)
        db_note_hwm(db, path, NULL);
    if (srv_ok)
        server_done(&srv);
    db_close(db);
    free(cert_pem);
    free(key_pem);
    return rc;
}
