/* cli_scan.c: `keepwatch scan net`: the targets, ports and exclusions from the command line and
 * the scan: section, the scope check before anything is sent, the TCP connect scan and the UDP
 * probes (src/scan/), and their output: a compact table or ECS JSON lines, with findings
 * through the finding printer; a progress line on a terminal. */
#include "cli/cli.h"
#include "cli/cli_scan_record.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "findings/finding_print.h"
#include "scan/scan.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char scan_usage[] =
    "usage: keepwatch scan net TARGET... [-p PORTS] [-iL FILE] [--exclude LIST] [--udp] [--rate N]\n"
    "                          [--host-rate N] [--timeout MS] [--retries N] [--large] [--open]\n"
    "                          [--json] [-c FILE]\n"
    "       keepwatch scan service HOST:PORT[,PORT...]... [--json] [--credentials] (see its --help)\n"
    "       keepwatch scan packages [--json] [--root DIR] [--status FILE] [--release NAME] (see its --help)\n"
    "       keepwatch scan web URL... [--json] [--scope PREFIX] [--profile P] [--login URL] (see its --help)\n"
    "\n"
    "Scans TCP ports with non-blocking connects (no raw sockets, no root needed): thousands in\n"
    "flight (2048 at most to one host), a timeout per host that follows its measured round-trip\n"
    "time, one retry for a port that did not answer. open: the connection was accepted; closed:\n"
    "refused (RST); filtered: no answer or an ICMP unreachable. With --udp (or U: ports) it also\n"
    "sends UDP probes: DNS (version.bind), NTP (mode 3), NetBIOS (node status), SNMP (v2c\n"
    "sysDescr with \"public\"), SSDP (M-SEARCH) and memcached (stats); answers that show a\n"
    "reflection/amplification vector or the SNMP community \"public\" are reported as\n"
    "exposed_service findings.\n"
    "Each open TCP port is identified as `keepwatch scan service` does (its product and version\n"
    "also matched against the vulnerability data of `keepwatch vuln`, when loaded: version-based\n"
    "findings), while the scan goes on. The findings are recorded in the store's findings (one\n"
    "run: what the scan covered and no longer sees is marked, fixed ones verified); a scan cut\n"
    "short records nothing.\n"
    "\n"
    "TARGET is an IPv4 or IPv6 address, a prefix (10.0.0.0/24), a range (10.0.0.1-20,\n"
    "10.0.0.1-10.0.1.5) or a host name (resolved once). Every target must lie in scan.allowed\n"
    "(default: 127.0.0.0/8, ::1, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7); one that\n"
    "does not is refused before any packet is sent.\n"
    "\n"
    "  -p PORTS         22,80,443,1000-2000; U:53,161 for UDP, T: back to TCP; -p- is 1-65535\n"
    "                   (default: TCP 1-1024 and about 200 common service ports above)\n"
    "  -iL FILE         read targets from FILE (whitespace or lines; # starts a comment)\n"
    "  --exclude LIST   comma-separated targets never scanned (added to scan.exclude)\n"
    "  --udp            probe the UDP services (default UDP ports 53,123,137,161,1900,11211)\n"
    "  --rate N         connection attempts per second over all hosts (scan.rate; 0: no bound)\n"
    "  --host-rate N    per host (scan.host_rate; 0: no bound)\n"
    "  --timeout MS     longest wait for one probe, 10-60000 (scan.timeout; default 1000)\n"
    "  --retries N      resends of an unanswered probe (default 1)\n"
    "  --large          allow prefixes and ranges wider than /16 (IPv4) or /112 (IPv6)\n"
    "  --open           list open ports only (not filtered ones)\n"
    "  --json           one ECS document per listed port and per host, findings as ECS too\n"
    "  --credentials    identification also tries a short list of default passwords (MySQL\n"
    "                   root, PostgreSQL postgres): only where you are allowed to\n"
    "  --no-ident       ports only: no service identification\n"
    "  --no-store       print the findings without recording them in the store\n"
    "  -c FILE          the configuration (scan.allowed, scan.exclude, rates, timeout)\n"
    "\n"
    "exit status: 0 no finding, 1 findings reported, 2 bad usage, a target outside\n"
    "scan.allowed, or a target that does not resolve.\n";

typedef struct scan_cli {
    const char *cfg;
    bool no_store, no_ident, credentials;
    const char *ports;
    bool udp, large, open_only, json;
    int64_t rate, host_rate, timeout_ms;   /* -1: from the configuration */
    int retries;
    char **specs;                          /* targets, then -iL files' targets */
    size_t nspecs, cap_specs;
    char **excl;
    size_t nexcl, cap_excl;
} scan_cli;

typedef struct scan_out {
    bool json, open_only, progress;
    size_t rows, hosts, open;
    pthread_mutex_t mu;                    /* the findings sink is shared with identification threads */
    scan_record rec;                       /* prints the findings and records them in the store */
    finding_sink inner;
    uint16_t (*runs[2])[2];                /* the port list as runs [lo, hi], TCP and UDP: what a */
    size_t nruns[2];                       /* host's cover says was looked at */
} scan_out;

static volatile int scan_cancel;

static void scan_on_signal(int sig)
{
    (void)sig;
    scan_cancel = 1;
}

static void push(char ***v, size_t *n, size_t *cap, const char *s)
{
    kw_grow(v, cap, *n + 1, sizeof **v);
    (*v)[(*n)++] = kw_strdup(s);
}

static void strs_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* The targets of a -iL file (at most 1 MiB, lines of at most 4 KiB). */
static bool read_target_file(scan_cli *a, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "keepwatch scan net: -iL %s: %m\n", path);
        return false;
    }
    char line[4096];
    size_t total = 0, lineno = 0;
    const char *bad = NULL;
    while (!bad && fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        lineno++;
        if ((total += n) > (1u << 20))
            bad = "is over 1 MiB";
        else if (n == sizeof line - 1 && line[n - 1] != '\n')
            bad = "has a line over 4 KiB";
        char *hash = strchr(line, '#'), *save = NULL;
        if (hash)
            *hash = '\0';
        for (char *tok = strtok_r(line, " \t\r\n,", &save); tok && !bad; tok = strtok_r(NULL, " \t\r\n,", &save))
            push(&a->specs, &a->nspecs, &a->cap_specs, tok);
    }
    if (bad)
        fprintf(stderr, "keepwatch scan net: -iL %s %s (line %zu)\n", path, bad, lineno);
    if (f != stdin)
        fclose(f);
    return !bad;
}

static bool num_arg(const char *opt, const char *v, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    long long x = v ? strtoll(v, &end, 10) : 0;
    if (!v || !*v || *end || x < lo || x > hi) {
        fprintf(stderr, "keepwatch scan net: %s wants a number from %lld to %lld\n", opt, (long long)lo, (long long)hi);
        return false;
    }
    *out = x;
    return true;
}

/* The value of option argv[*i]: "--opt=v", "-pV" or the next word; NULL after saying so. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i];
    size_t nl = strlen(name);
    if (a[nl] == '=')
        return a + nl + 1;
    if (a[nl])
        return a + nl; /* -p22 */
    if (*i + 1 < argc)
        return argv[++*i];
    fprintf(stderr, "keepwatch scan net: %s needs a value\n", name);
    return NULL;
}

static bool is_opt(const char *a, const char *name)
{
    size_t nl = strlen(name);
    return strncmp(a, name, nl) == 0 && (a[nl] == '\0' || a[nl] == '=' || (name[1] != '-' && name[2] == '\0'));
}

static bool parse_value_opt(scan_cli *a, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *v;
    int64_t x = 0;
    if (is_opt(arg, "-p")) {
        a->ports = opt_value(argc, argv, i, "-p");
        return a->ports != NULL;
    }
    if (strcmp(arg, "-iL") == 0)
        return (v = opt_value(argc, argv, i, "-iL")) && read_target_file(a, v);
    if (is_opt(arg, "--exclude")) {
        if (!(v = opt_value(argc, argv, i, "--exclude")))
            return false;
        char *copy = kw_strdup(v), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
            push(&a->excl, &a->nexcl, &a->cap_excl, tok);
        free(copy);
        return true;
    }
    if (is_opt(arg, "--rate"))
        return num_arg("--rate", opt_value(argc, argv, i, "--rate"), 0, 10000000, &a->rate);
    if (is_opt(arg, "--host-rate"))
        return num_arg("--host-rate", opt_value(argc, argv, i, "--host-rate"), 0, 10000000, &a->host_rate);
    if (is_opt(arg, "--timeout"))
        return num_arg("--timeout", opt_value(argc, argv, i, "--timeout"), 10, 60000, &a->timeout_ms);
    if (is_opt(arg, "--retries")) {
        bool ok = num_arg("--retries", opt_value(argc, argv, i, "--retries"), 0, 10, &x);
        a->retries = (int)x;
        return ok;
    }
    if (is_opt(arg, "-c")) {
        a->cfg = opt_value(argc, argv, i, "-c");
        return a->cfg != NULL;
    }
    fprintf(stderr, "keepwatch scan net: unknown option \"%s\"\n", arg);
    return false;
}

static bool parse_args(scan_cli *a, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--udp") == 0 || strcmp(arg, "-sU") == 0)
            a->udp = true;
        else if (strcmp(arg, "--large") == 0)
            a->large = true;
        else if (strcmp(arg, "--open") == 0)
            a->open_only = true;
        else if (strcmp(arg, "--json") == 0)
            a->json = true;
        else if (strcmp(arg, "--no-store") == 0)
            a->no_store = true;
        else if (strcmp(arg, "--no-ident") == 0)
            a->no_ident = true;
        else if (strcmp(arg, "--credentials") == 0)
            a->credentials = true;
        else if (arg[0] != '-')
            push(&a->specs, &a->nspecs, &a->cap_specs, arg);
        else if (!parse_value_opt(a, argc, argv, &i))
            return false;
    }
    if (!a->nspecs)
        fprintf(stderr, "keepwatch scan net: no target given\n");
    return a->nspecs > 0;
}

/* ---- output ---- */

/* Opens an ECS event of the scan: @timestamp, event.*, host.name, destination.*, network.transport. */
static void ecs_head(kw_json *j, kw_buf *b, const char *action, const char *name, const char *ip, unsigned port,
                     bool udp)
{
    kw_json_init(j, b);
    kw_json_obj_begin(j);
    kw_json_kv_time(j, "@timestamp", kw_now_ms());
    kw_json_key(j, "event");
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "kind", "event");
    kw_json_key(j, "category");
    kw_json_raw(j, "[\"network\"]");
    kw_json_key(j, "type");
    kw_json_raw(j, "[\"info\"]");
    kw_json_kv_str(j, "action", action);
    kw_json_kv_str(j, "module", "keepwatch");
    kw_json_kv_str(j, "dataset", "keepwatch.scan");
    kw_json_obj_end(j);
    if (name) {
        kw_json_key(j, "host");
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "name", name);
        kw_json_obj_end(j);
    }
    kw_json_key(j, "destination");
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "ip", ip);
    if (port)
        kw_json_kv_int(j, "port", port);
    kw_json_obj_end(j);
    kw_json_key(j, "network");
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "transport", udp ? "udp" : "tcp");
    kw_json_obj_end(j);
}

static void port_row(scan_out *o, const scan_host_result *r, const scan_port_result *p, const char *ip)
{
    kw_buf b;
    kw_buf_init(&b, 1 << 16);
    if (o->json) {
        kw_json j;
        ecs_head(&j, &b, "port_state", r->host->name, ip, p->port, p->udp);
        kw_json_key(&j, "service");
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", p->svc.name);
        if (p->svc.version[0])
            kw_json_kv_str(&j, "version", p->svc.version);
        kw_json_obj_end(&j);
        kw_json_key(&j, "keepwatch");
        kw_json_obj_begin(&j);
        kw_json_key(&j, "scan");
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "state", scan_state_name(p->state));
        if (p->svc.product[0])
            kw_json_kv_str(&j, "product", p->svc.product);
        if (p->svc.info[0])
            kw_json_kv_str(&j, "info", p->svc.info);
        kw_json_obj_end(&j);
        kw_json_obj_end(&j);
        kw_json_obj_end(&j);
    } else {
        char where[16];
        snprintf(where, sizeof where, "%u/%s", p->port, p->udp ? "udp" : "tcp");
        kw_buf_printf(&b, "%-39s %-11s %-13s %-14s", r->host->name ? r->host->name : ip, where,
                      scan_state_name(p->state), p->svc.name);
        const char *parts[] = {p->svc.product, p->svc.version, p->svc.info};
        for (size_t i = 0; i < 3; i++)
            if (parts[i][0])
                kw_buf_printf(&b, " %s", parts[i]);
        while (b.len && b.data[b.len - 1] == ' ')
            b.data[--b.len] = '\0';
    }
    kw_buf_putc(&b, '\n');
    fputs(kw_buf_cstr(&b), stdout);
    kw_buf_free(&b);
    o->rows++;
}

/* A host's summary: a JSON document, or a line on stderr (the table keeps to stdout). */
static void host_summary(scan_out *o, const scan_host_result *r, const char *ip, bool udp)
{
    if (!o->json) {
        fprintf(stderr, "%s%s%s%s: %zu open, %zu closed, %zu %s (%s)\n", ip, r->host->name ? " (" : "",
                r->host->name ? r->host->name : "", r->host->name ? ")" : "", r->open, r->closed, r->filtered,
                udp ? "open|filtered" : "filtered", udp ? "udp" : "tcp");
        return;
    }
    kw_buf b;
    kw_buf_init(&b, 1 << 12);
    kw_json j;
    ecs_head(&j, &b, "host_scanned", r->host->name, ip, 0, udp);
    kw_json_key(&j, "keepwatch");
    kw_json_obj_begin(&j);
    kw_json_key(&j, "scan");
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "open", (int64_t)r->open);
    kw_json_kv_int(&j, "closed", (int64_t)r->closed);
    kw_json_kv_int(&j, "filtered", (int64_t)r->filtered);
    if (r->srtt_us)
        kw_json_kv_int(&j, "srtt_us", r->srtt_us);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    kw_json_obj_end(&j);
    kw_buf_putc(&b, '\n');
    fputs(kw_buf_cstr(&b), stdout);
    kw_buf_free(&b);
}

static void progress_clear(scan_out *o)
{
    if (o->progress)
        fputs("\r\033[K", stderr);
}

/* Tells the sink which ports of the host were looked at (so the store can tell what a complete
 * look no longer saw). */
static kw_rc host_cover(scan_out *o, const scan_host_result *r, const char *ip, bool udp)
{
    pthread_mutex_lock(&o->mu);
    kw_rc rc = scan_cover_host(&o->inner, "keepwatch", r->host, ip, udp, o->runs[udp], o->nruns[udp]);
    pthread_mutex_unlock(&o->mu);
    return rc;
}

static kw_rc on_host(scan_out *o, const scan_host_result *r, bool udp)
{
    char ip[INET6_ADDRSTRLEN];
    kw_addr_str(&r->host->addr, ip, sizeof ip);
    kw_rc rc = host_cover(o, r, ip, udp);
    if (rc != KW_OK)
        return rc;
    progress_clear(o);
    for (size_t i = 0; i < r->nports; i++)
        if (!o->open_only || r->ports[i].state == SCAN_OPEN)
            port_row(o, r, &r->ports[i], ip);
    host_summary(o, r, ip, udp);
    o->hosts++;
    o->open += r->open;
    fflush(stdout);
    return KW_OK;
}

static kw_rc on_host_tcp(void *arg, const scan_host_result *r)
{
    return on_host(arg, r, false);
}

static kw_rc on_host_udp(void *arg, const scan_host_result *r)
{
    return on_host(arg, r, true);
}

static void on_progress(void *arg, const scan_progress *p)
{
    scan_out *o = arg;
    if (!o->progress)
        return;
    fprintf(stderr, "\r\033[K  %llu/%llu probes (%.0f%%), %llu open, %zu/%zu hosts done", (unsigned long long)p->done,
            (unsigned long long)p->total, p->total ? 100.0 * (double)p->done / (double)p->total : 100.0,
            (unsigned long long)p->open, p->hosts_done, p->hosts);
}

/* The findings sink, locked: identification threads report into it too. */
static kw_rc locked_emit(void *ctx, const finding *f)
{
    scan_out *o = ctx;
    pthread_mutex_lock(&o->mu);
    progress_clear(o);
    kw_rc rc = finding_emit(&o->inner, f);
    pthread_mutex_unlock(&o->mu);
    return rc;
}

/* ---- the command ---- */

/* The hosts to scan, excluded and scope-checked: KW_EXIT_OK or KW_EXIT_USAGE after saying why. */
static int build_targets(const scan_cli *a, const conf *c, scan_targets *t)
{
    char err[512] = "";
    if (scan_targets_build(t, a->specs, a->nspecs, a->excl, a->nexcl, c, a->large, err, sizeof err) == KW_OK)
        return KW_EXIT_OK;
    fprintf(stderr, "keepwatch scan net: %s\n", err);
    return KW_EXIT_USAGE;
}

static bool build_ports(const scan_cli *a, scan_ports *p)
{
    char err[256];
    if (a->ports && scan_ports_parse(p, a->ports, err, sizeof err) != KW_OK) {
        fprintf(stderr, "keepwatch scan net: -p %s\n", err);
        return false;
    }
    if (!a->ports)
        scan_ports_default_tcp(p);
    if (a->udp && !p->nudp)
        scan_ports_default_udp(p);
    if (p->nudp > SCAN_UDP_BATCH) {
        fprintf(stderr, "keepwatch scan net: at most %d UDP ports in one scan\n", SCAN_UDP_BATCH);
        return false;
    }
    return true;
}

static int scan_run(const scan_cli *a, const conf *c, const scan_targets *t, const scan_ports *p)
{
    scan_out o = {.json = a->json, .open_only = a->open_only, .progress = isatty(STDERR_FILENO) == 1};
    char source[256];
    snprintf(source, sizeof source, "scan net %s%s", a->specs[0], a->nspecs > 1 ? " ..." : "");
    if (scan_record_open(&o.rec, a->cfg, c, "scan net", "keepwatch", source, a->json, !a->no_store) != KW_OK) {
        scan_record_close(&o.rec, false);
        return KW_EXIT_USAGE;
    }
    pthread_mutex_init(&o.mu, NULL);
    o.inner = o.rec.sink;
    finding_sink sink = {.emit = locked_emit, .ctx = &o};
    scan_ident_ctx ident;
    scan_ident_ctx_init(&ident, c, &sink, a->credentials, 0);
    o.nruns[0] = scan_port_runs(p->tcp, &o.runs[0]);
    o.nruns[1] = scan_port_runs(p->udp, &o.runs[1]);
    scan_opts so = {
        .timeout_ms = a->timeout_ms >= 0 ? a->timeout_ms : c->scan.timeout_ms,
        .retries = a->retries,
        .rate = (uint64_t)(a->rate >= 0 ? a->rate : c->scan.rate),
        .host_rate = (uint64_t)(a->host_rate >= 0 ? a->host_rate : c->scan.host_rate),
        .ident = a->no_ident ? NULL : scan_ident_port_fn(), .ident_arg = &ident,
        .on_host = on_host_tcp, .on_host_arg = &o, .on_progress = on_progress, .on_progress_arg = &o,
        .cancel = &scan_cancel,
    };
    int64_t t0 = kw_mono_ms();
    kw_rc rc = p->ntcp ? scan_net_tcp(t, p, &so) : KW_OK;
    so.on_host = on_host_udp;
    if (rc == KW_OK && p->nudp)
        rc = scan_net_udp(t, p, &so, &sink);
    progress_clear(&o);
    size_t total = o.rec.printer.total;
    fprintf(stderr, "keepwatch scan net: %zu host%s, %zu tcp and %zu udp ports each, %zu open, %zu finding%s in %.2f s%s%s\n",
            t->n, t->n == 1 ? "" : "s", p->ntcp, p->nudp, o.open, total, total == 1 ? "" : "s",
            (double)(kw_mono_ms() - t0) / 1000.0, rc == KW_OK ? "" : ": ", rc == KW_OK ? "" : kw_rc_str(rc));
    scan_ident_ctx_free(&ident);
    if (scan_record_close(&o.rec, rc == KW_OK) != KW_OK && rc == KW_OK)
        rc = KW_ERR_STORE;
    pthread_mutex_destroy(&o.mu);
    free(o.runs[0]);
    free(o.runs[1]);
    if (rc != KW_OK && rc != KW_ERR_CANCELLED)
        return KW_EXIT_USAGE;
    return total ? KW_EXIT_PROBLEM : KW_EXIT_OK;
}

static int scan_net_cmd(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(scan_usage, stdout);
        return KW_EXIT_OK;
    }
    scan_cli a = {.rate = -1, .host_rate = -1, .timeout_ms = -1, .retries = 1};
    scan_targets t = {0};
    scan_ports p;
    memset(&p, 0, sizeof p);
    conf *c = NULL;
    int rc = KW_EXIT_USAGE;
    if (!parse_args(&a, argc - 1, argv + 1) || !build_ports(&a, &p) || !(c = cli_conf_load(cli_conf_path(a.cfg))))
        goto out;
    if ((rc = build_targets(&a, c, &t)) != KW_EXIT_OK)
        goto out;
    struct sigaction sa = {.sa_handler = scan_on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = scan_run(&a, c, &t, &p);
out:
    if (c)
        conf_free(c);
    scan_targets_free(&t);
    strs_free(a.specs, a.nspecs);
    strs_free(a.excl, a.nexcl);
    return rc;
}

int cli_scan(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "net") == 0)
        return scan_net_cmd(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "packages") == 0)
        return cli_scan_packages(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "service") == 0)
        return cli_scan_service(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "web") == 0)
        return cli_scan_web(argc - 1, argv + 1);
    bool help = argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0);
    fputs(scan_usage, help ? stdout : stderr);
    if (!help)
        fprintf(stderr, "\nkeepwatch scan: %s\n",
                argc < 2 ? "which scan? (net, service, packages)" : "unknown scan; there are: net, service, packages");
    return help ? KW_EXIT_OK : KW_EXIT_USAGE;
}
