/* keepwatch scan service HOST:PORT...: names the service on each given TCP port (scan_ident,
 * one thread per port, up to SCAN_SERVICE_THREADS at once) and prints it with the findings its
 * answers prove, in the order given. */
#include "cli/cli.h"
#include "cli/cli_scan_record.h"
#include "core/kw_time.h"
#include "findings/finding_print.h"
#include "scan/scan_ident.h"

#include <getopt.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_SERVICE_THREADS 64
#define SCAN_SERVICE_MAX 4096

static const char service_usage[] =
    "usage: keepwatch scan service HOST:PORT[,PORT...]... [--json] [--credentials]\n"
    "                              [--timeout MS] [--internet-facing] [--no-store] [-c FILE]\n"
    "\n"
    "Names the service on each TCP port (like nmap -sV -p): SSH, HTTP(S), TLS, FTP, SMTP, POP3,\n"
    "IMAP, MySQL/MariaDB, PostgreSQL, Redis, MongoDB, Elasticsearch, memcached, the Docker and\n"
    "Kubernetes APIs, RDP, SMB, telnet, LDAP and VNC, from banners and protocol probes sent in the\n"
    "port's usual order first and then by what the answers say; ports run in parallel. It prints\n"
    "one line per port and the findings the answers prove: exposed high-risk services (telnet,\n"
    "SMBv1, RDP, databases), services that answer without authentication, weak TLS (TLS 1.0/1.1,\n"
    "RC4, 3DES, NULL, EXPORT and anonymous ciphers, expired, self-signed, mismatched or short-key\n"
    "certificates), PostgreSQL trust logins, anonymous FTP and LDAP.\n"
    "HOST is a name or an address ([::1] for IPv6); the name is checked against certificates.\n"
    "Every address must lie in scan.allowed (nothing is sent otherwise). The findings are recorded\n"
    "in the store's findings: what the ports given no longer show is marked (fixed: verified).\n"
    "  --json             JSON lines: one per port ({\"target\", \"service\", \"elapsed_ms\"...}), then its\n"
    "                     findings (ECS)\n"
    "  --credentials      also try a short list of default passwords (MySQL root, PostgreSQL postgres)\n"
    "  --timeout MS       each port's whole budget (default 5000); one read waits at most 2000\n"
    "  --internet-facing  rate exposed and unauthenticated services one level higher\n"
    "  --no-store         print the findings without recording them\n"
    "  -c FILE            the configuration (scan.allowed, the store, assets)\n"
    "Exit status: 0 nothing found, 1 findings, 2 bad usage, a name that does not resolve or an\n"
    "address outside scan.allowed.\n";

typedef struct target {
    char text[300];        /* as given, one port */
    char host[256];
    int port;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    scan_service svc;
    kw_rc rc;
    char *out;             /* the findings printed */
    size_t out_len;
    size_t findings;
    int64_t elapsed_ms;
} target;

typedef struct run {
    target *t;
    size_t n;
    size_t next;
    pthread_mutex_t lock;
    scan_ident_opts base;
    bool json;
    int64_t now_ms;
    scan_record rec;       /* the findings recorded in the store */
} run;

/* A port's findings: printed into its own buffer (the ports print in the order given) and
 * recorded. */
typedef struct port_sink {
    finding_sink print;
    scan_record *rec;
} port_sink;

static kw_rc port_emit(void *ctx, const finding *f)
{
    port_sink *p = ctx;
    kw_rc rc = finding_emit(&p->print, f);
    return rc == KW_OK ? scan_record_keep(p->rec, f) : rc;
}

/* Splits "host:port[,port...]" ("[v6]:port") into targets; false on a malformed one. */
static bool add_targets(const char *arg, target **t, size_t *n, size_t *cap)
{
    char host[256];
    const char *ports;
    if (arg[0] == '[') {
        const char *e = strchr(arg, ']');
        if (!e || e[1] != ':' || (size_t)(e - arg - 1) >= sizeof host)
            return false;
        memcpy(host, arg + 1, (size_t)(e - arg - 1));
        host[e - arg - 1] = 0;
        ports = e + 2;
    } else {
        const char *c = strrchr(arg, ':');
        if (!c || c == arg || (size_t)(c - arg) >= sizeof host)
            return false;
        memcpy(host, arg, (size_t)(c - arg));
        host[c - arg] = 0;
        ports = c + 1;
    }
    while (*ports) {
        char *end;
        long p = strtol(ports, &end, 10);
        if (end == ports || p < 1 || p > 65535 || (*end && *end != ','))
            return false;
        if (*n >= SCAN_SERVICE_MAX)
            return false;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *t = realloc(*t, *cap * sizeof **t);
            if (!*t)
                return false;
        }
        target *x = &(*t)[(*n)++];
        memset(x, 0, sizeof *x);
        snprintf(x->host, sizeof x->host, "%s", host);
        x->port = (int)p;
        snprintf(x->text, sizeof x->text, strchr(host, ':') ? "[%s]:%ld" : "%s:%ld", host, p);
        ports = *end ? end + 1 : end;
    }
    return true;
}

/* The numeric address of a resolved target. */
static bool addr_text(const struct sockaddr_storage *a, char *out, size_t n)
{
    const void *p = a->ss_family == AF_INET ? (const void *)&((const struct sockaddr_in *)a)->sin_addr
                                            : (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr;
    return inet_ntop(a->ss_family, p, out, (socklen_t)n) != NULL;
}

/* Whether every target lies in scan.allowed; says which does not. */
static bool in_scope(const conf *c, const target *t, size_t n)
{
    char err[256];
    scan_scope sc = {0};
    bool ok = scan_scope_init(&sc, c->scan.allowed.v, c->scan.allowed.n, err, sizeof err) == KW_OK;
    if (!ok)
        fprintf(stderr, "keepwatch scan service: scan.allowed: %s\n", err);
    for (size_t i = 0; ok && i < n; i++) {
        char ip[64];
        kw_addr a;
        int bits;
        ok = addr_text(&t[i].addr, ip, sizeof ip) && kw_prefix_parse(ip, &a, &bits) && scan_scope_has(&sc, &a);
        if (!ok)
            fprintf(stderr, "keepwatch scan service: %s (%s) is outside scan.allowed: nothing was sent\n", t[i].text,
                    ip);
    }
    scan_scope_free(&sc);
    return ok;
}

static bool resolve(target *x)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    char port[8];
    snprintf(port, sizeof port, "%d", x->port);
    if (getaddrinfo(x->host, port, &hints, &ai) != 0 || !ai)
        return false;
    memcpy(&x->addr, ai->ai_addr, ai->ai_addrlen);
    x->addrlen = ai->ai_addrlen;
    freeaddrinfo(ai);
    return true;
}

static void scan_one(run *r, target *x)
{
    FILE *mem = open_memstream(&x->out, &x->out_len);
    finding_printer p = {.out = mem, .json = r->json, .now_ms = r->now_ms};
    port_sink ps = {finding_printer_sink(&p), &r->rec};
    finding_sink sink = {.emit = port_emit, .ctx = &ps};
    scan_ident_opts o = r->base;
    o.host = x->host;
    int64_t t0 = kw_mono_ms();
    x->rc = scan_ident_tcp((const struct sockaddr *)&x->addr, x->addrlen, &o, &x->svc, mem ? &sink : NULL);
    char ip[64];
    if (x->rc != KW_ERR_CANCELLED && addr_text(&x->addr, ip, sizeof ip)) { /* the port was looked at */
        finding_cover c = {.scanner = "keepwatch", .ip = ip, .transport = "tcp", .port_lo = x->port,
                           .port_hi = x->port};
        scan_record_cover(&r->rec, &c);
    }
    x->findings = p.total;
    x->elapsed_ms = kw_mono_ms() - t0;
    if (mem)
        fclose(mem);
}

static void *worker(void *arg)
{
    run *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        size_t i = r->next++;
        pthread_mutex_unlock(&r->lock);
        if (i >= r->n)
            return NULL;
        scan_one(r, &r->t[i]);
    }
}

static const char *status_of(kw_rc rc)
{
    return rc == KW_OK ? "ok" : rc == KW_ERR_IO ? "closed" : rc == KW_ERR_TIMEOUT ? "no answer" : kw_rc_str(rc);
}

static void print_json(const target *x)
{
    kw_buf b;
    kw_json j;
    kw_buf_init(&b, 1 << 20);
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "target", x->text);
    kw_json_kv_int(&j, "port", x->port);
    kw_json_kv_str(&j, "status", status_of(x->rc));
    kw_json_key(&j, "service");
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "name", x->svc.name);
    kw_json_kv_str(&j, "product", x->svc.product);
    kw_json_kv_str(&j, "version", x->svc.version);
    kw_json_kv_str(&j, "info", x->svc.info);
    kw_json_kv_bool(&j, "tls", x->svc.tls);
    kw_json_kv_str(&j, "banner", x->svc.banner);
    kw_json_obj_end(&j);
    kw_json_kv_int(&j, "findings", (int64_t)x->findings);
    kw_json_kv_int(&j, "elapsed_ms", x->elapsed_ms);
    kw_json_obj_end(&j);
    printf("%s\n", kw_buf_cstr(&b));
    kw_buf_free(&b);
}

static void print_text(const target *x)
{
    char pv[160];
    snprintf(pv, sizeof pv, "%s%s%s", x->svc.product, x->svc.product[0] && x->svc.version[0] ? " " : "", x->svc.version);
    printf("%-24s %-13s %-24s %s%s%s\n", x->text, x->svc.name, pv[0] ? pv : "-", x->rc == KW_OK ? "" : status_of(x->rc),
           x->rc == KW_OK ? "" : "; ", strcmp(x->svc.name, "unknown") != 0 ? x->svc.info : x->svc.banner);
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "keepwatch scan service: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    return KW_EXIT_USAGE;
}

static int scan_all(run *r)
{
    size_t nth = r->n < SCAN_SERVICE_THREADS ? r->n : SCAN_SERVICE_THREADS;
    pthread_t th[SCAN_SERVICE_THREADS];
    size_t started = 0;
    for (; started < nth; started++)
        if (pthread_create(&th[started], NULL, worker, r) != 0)
            break;
    if (!started)
        worker(r);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    size_t total = 0;
    if (!r->json)
        printf("%-24s %-13s %-24s %s\n", "TARGET", "SERVICE", "PRODUCT", "INFO");
    for (size_t i = 0; i < r->n; i++) {
        target *x = &r->t[i];
        r->json ? print_json(x) : print_text(x);
        if (x->out && x->out_len)
            fwrite(x->out, 1, x->out_len, stdout);
        total += x->findings;
        free(x->out);
    }
    if (!r->json)
        printf("%zu port%s, %zu finding%s\n", r->n, r->n == 1 ? "" : "s", total, total == 1 ? "" : "s");
    return total ? KW_EXIT_PROBLEM : KW_EXIT_OK;
}

int cli_scan_service(int argc, char **argv)
{
    /* called as `scan service ...` or with argv from "service" on */
    if (argc > 1 && strcmp(argv[0], "scan") == 0 && strcmp(argv[1], "service") == 0)
        argc--, argv++;
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {"credentials", no_argument, NULL, 'C'},
                                         {"timeout", required_argument, NULL, 't'},
                                         {"internet-facing", no_argument, NULL, 'i'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"no-store", no_argument, NULL, 'N'},
                                         {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    run r = {.now_ms = kw_now_ms()};
    const char *cfg = NULL;
    bool store = true;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "hc:", opts, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'j': r.json = true; break;
        case 'C': r.base.check_credentials = true; break;
        case 'i': r.base.internet_facing = true; break;
        case 'c': cfg = optarg; break;
        case 'N': store = false; break;
        case 't':
            r.base.deadline_ms = strtol(optarg, &end, 10);
            if (*end || r.base.deadline_ms < 100 || r.base.deadline_ms > 600000)
                return usage_error("--timeout takes milliseconds (100-600000)", optarg);
            if (r.base.deadline_ms < 2000)
                r.base.read_timeout_ms = r.base.deadline_ms;
            break;
        case 'h': fputs(service_usage, stdout); return KW_EXIT_OK;
        default: fputs(service_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs(service_usage, stderr);
        return KW_EXIT_USAGE;
    }
    size_t cap = 0;
    for (int i = optind; i < argc; i++)
        if (!add_targets(argv[i], &r.t, &r.n, &cap)) {
            free(r.t);
            return usage_error("not HOST:PORT[,PORT...] (or too many ports)", argv[i]);
        }
    for (size_t i = 0; i < r.n; i++)
        if (!resolve(&r.t[i])) {
            int rc = usage_error("cannot resolve", r.t[i].host);
            free(r.t);
            return rc;
        }
    conf *c = cli_conf_load(cli_conf_path(cfg));
    if (!c || !in_scope(c, r.t, r.n)) {
        if (c)
            conf_free(c);
        free(r.t);
        return KW_EXIT_USAGE;
    }
    char source[320];
    snprintf(source, sizeof source, "scan service %s%s", r.t[0].text, r.n > 1 ? " ..." : "");
    if (scan_record_open(&r.rec, cfg, c, "scan service", "keepwatch", source, r.json, store) != KW_OK) {
        scan_record_close(&r.rec, false);
        conf_free(c);
        free(r.t);
        return KW_EXIT_USAGE;
    }
    signal(SIGPIPE, SIG_IGN); /* OpenSSL writes to sockets a hostile peer may have closed */
    pthread_mutex_init(&r.lock, NULL);
    int rc = scan_all(&r);
    pthread_mutex_destroy(&r.lock);
    if (scan_record_close(&r.rec, true) != KW_OK && rc != KW_EXIT_USAGE)
        rc = KW_EXIT_PROBLEM;
    conf_free(c);
    free(r.t);
    return rc;
}
