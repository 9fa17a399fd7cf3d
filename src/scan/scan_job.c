/* scan_job.c: network scans as the daemon runs them and the CLI shares (scan_job.h). */
#include "scan/scan_job.h"
#include "core/kw_file.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- identification of an open port ---- */

/* The ecosystems a banner's distribution revision says ("2+deb12u3": Debian 12), else this
 * host's. */
static size_t banner_ecos(const scan_ident_ctx *x, const char *revision, const char **out, size_t max)
{
    static const struct {
        const char *tag, *eco[2];
    } debs[] = {
        {"deb13", {"debian/trixie", "Debian:13"}},
        {"deb12", {"debian/bookworm", "Debian:12"}},
        {"deb11", {"debian/bullseye", "Debian:11"}},
        {"deb10", {"debian/buster", "Debian:10"}},
    };
    for (size_t i = 0; revision && i < sizeof debs / sizeof debs[0] && max >= 2; i++)
        if (strstr(revision, debs[i].tag)) {
            out[0] = debs[i].eco[0];
            out[1] = debs[i].eco[1];
            return 2;
        }
    size_t n = 0;
    for (; n < x->n_ecos && n < max; n++)
        out[n] = x->ecos[n];
    return n;
}

/* "Debian 2+deb12u3" (as the SSH parser writes a banner's distribution part) -> "2+deb12u3". */
static const char *revision_of(const scan_service *svc)
{
    const char *p = strstr(svc->info, "Debian ");
    if (p)
        return p + strlen("Debian ");
    p = strstr(svc->info, "Ubuntu-");
    return p ? p + strlen("Ubuntu-") : NULL;
}

static kw_rc ident_port(const struct sockaddr *sa, socklen_t len, const char *name, scan_service *out, void *arg)
{
    scan_ident_ctx *x = arg;
    scan_ident_opts o = x->opts;
    o.host = name;
    kw_rc rc = scan_ident_tcp(sa, len, &o, out, x->sink);
    if (rc != KW_OK || !x->have_db || !out->product[0] || !out->version[0])
        return rc;
    char ip[64] = "";
    int port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        port = ntohs(in6->sin6_port);
    }
    const char *revision = revision_of(out);
    const char *ecos[8];
    scan_pkg_opts po = {.host = name, .ip = ip, .ecos = ecos, .n_ecos = banner_ecos(x, revision, ecos, 8)};
    finding tmpl = {.scanner = "keepwatch", .ip = ip, .host = name, .port = port, .transport = "tcp",
                    .service = out->name, .score = -1, .evidence = out->banner};
    size_t found = 0;
    kw_rc m = scan_vuln_match_product(&x->db, &po, out->product, out->version, revision, &tmpl, x->sink, &found);
    return m == KW_OK || m == KW_ERR_NOTFOUND ? KW_OK : m;
}

void scan_ident_ctx_init(scan_ident_ctx *x, const conf *c, const finding_sink *sink, bool credentials,
                         int64_t deadline_ms)
{
    memset(x, 0, sizeof *x);
    x->sink = sink;
    x->opts = (scan_ident_opts){.deadline_ms = deadline_ms, .check_credentials = credentials};
    char *path = conf_state_path(c, "vuln/vuln.idx");
    x->have_db = scan_vuln_db_open(path, &x->db) == KW_OK;
    free(path);
    if (!x->have_db)
        return;
    /* this host's ecosystems, for banners that do not say their distribution */
    kw_buf b;
    scan_os os;
    if (kw_file_read("/etc/os-release", 65536, &b) == KW_OK && scan_os_parse(b.data ? b.data : "", b.len, &os) == KW_OK) {
        scan_vkind kind;
        x->n_ecos = scan_os_ecosystems(&os, NULL, x->eco_names, sizeof x->eco_names / sizeof x->eco_names[0], &kind);
        for (size_t i = 0; i < x->n_ecos; i++)
            x->ecos[i] = x->eco_names[i];
    }
    kw_buf_free(&b);
}

void scan_ident_ctx_free(scan_ident_ctx *x)
{
    if (x->have_db)
        scan_vuln_db_close(&x->db);
}

scan_ident_fn scan_ident_port_fn(void)
{
    return ident_port;
}

/* ---- hosts, ports, covers ---- */

kw_rc scan_targets_build(scan_targets *t, char *const *specs, size_t n, char *const *excl, size_t nexcl, const conf *c,
                         bool large, char *err, size_t errn)
{
    scan_target_opts to = {.large = large, .resolve = scan_resolve_system};
    scan_spans ex = {0};
    scan_scope sc = {0};
    kw_rc rc = KW_OK;
    for (size_t i = 0; rc == KW_OK && i < n; i++)
        rc = scan_targets_add(t, specs[i], &to, err, errn);
    for (size_t i = 0; rc == KW_OK && i < c->scan.exclude.n + nexcl; i++) {
        const char *s = i < c->scan.exclude.n ? c->scan.exclude.v[i] : excl[i - c->scan.exclude.n];
        rc = scan_spans_add(&ex, s, &to, err, errn);
    }
    size_t gone = 0, outside = 0;
    if (rc == KW_OK) {
        scan_targets_uniq(t);
        gone = scan_targets_exclude(t, &ex);
        rc = scan_scope_init(&sc, c->scan.allowed.v, c->scan.allowed.n, err, errn);
    }
    if (rc == KW_OK)
        rc = scan_targets_in_scope(t, &sc, &outside, err, errn);
    if (rc == KW_OK && !t->n) {
        snprintf(err, errn, "no target left (%zu excluded)", gone);
        rc = KW_ERR_RANGE;
    }
    scan_spans_free(&ex);
    scan_scope_free(&sc);
    return rc;
}

size_t scan_port_runs(const uint8_t *bits, uint16_t (**runs)[2])
{
    size_t n = 0, cap = 0;
    *runs = NULL;
    for (unsigned q = 1; q <= 65535; q++) {
        if (!scan_port_has(bits, q))
            continue;
        if (n && (*runs)[n - 1][1] == q - 1) {
            (*runs)[n - 1][1] = (uint16_t)q;
            continue;
        }
        kw_grow(runs, &cap, n + 1, sizeof **runs);
        (*runs)[n][0] = (*runs)[n][1] = (uint16_t)q;
        n++;
    }
    return n;
}

kw_rc scan_cover_host(const finding_sink *sink, const char *scanner, const scan_host *host, const char *ip, bool udp,
                      uint16_t (*runs)[2], size_t nruns)
{
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < nruns && rc == KW_OK; i++) {
        finding_cover c = {.scanner = scanner, .host = host->name, .ip = ip, .transport = udp ? "udp" : "tcp",
                           .port_lo = runs[i][0], .port_hi = runs[i][1]};
        rc = finding_covered(sink, &c);
    }
    return rc;
}

/* ---- one job ---- */

typedef struct job_ctx {
    const finding_sink *sink;
    uint16_t (*runs[2])[2];
    size_t nruns[2];
    scan_job_stats *st;
    pthread_mutex_t mu;        /* the host callbacks and the identification threads share the sink */
} job_ctx;

static kw_rc job_emit(void *ctx, const finding *f)
{
    job_ctx *x = ctx;
    pthread_mutex_lock(&x->mu);
    kw_rc rc = finding_emit(x->sink, f);
    x->st->findings += rc == KW_OK;
    pthread_mutex_unlock(&x->mu);
    return rc;
}

static kw_rc job_host(void *arg, const scan_host_result *r, bool udp)
{
    job_ctx *x = arg;
    char ip[INET6_ADDRSTRLEN];
    kw_addr_str(&r->host->addr, ip, sizeof ip);
    pthread_mutex_lock(&x->mu);
    kw_rc rc = scan_cover_host(x->sink, "keepwatch", r->host, ip, udp, x->runs[udp], x->nruns[udp]);
    x->st->open += r->open;
    x->st->hosts += !udp;
    pthread_mutex_unlock(&x->mu);
    return rc;
}

static kw_rc job_host_tcp(void *arg, const scan_host_result *r)
{
    return job_host(arg, r, false);
}

static kw_rc job_host_udp(void *arg, const scan_host_result *r)
{
    return job_host(arg, r, true);
}

kw_rc scan_job_run(const conf *c, const conf_scan_job *j, const finding_sink *sink, volatile int *cancel,
                   scan_job_stats *st, char *err, size_t errn)
{
    memset(st, 0, sizeof *st);
    scan_targets t = {0};
    scan_ports p;
    memset(&p, 0, sizeof p);
    kw_rc rc = scan_targets_build(&t, j->targets.v, j->targets.n, j->exclude.v, j->exclude.n, c, j->large, err, errn);
    if (rc == KW_OK && j->ports && *j->ports)
        rc = scan_ports_parse(&p, j->ports, err, errn);
    else if (rc == KW_OK)
        scan_ports_default_tcp(&p);
    if (rc == KW_OK && j->udp && !p.nudp)
        scan_ports_default_udp(&p);
    if (rc == KW_OK && p.nudp > SCAN_UDP_BATCH) {
        snprintf(err, errn, "at most %d UDP ports in one scan", SCAN_UDP_BATCH);
        rc = KW_ERR_RANGE;
    }
    job_ctx x = {.sink = sink, .st = st};
    pthread_mutex_init(&x.mu, NULL);
    finding_sink locked = {.emit = job_emit, .cover = NULL, .ctx = &x};
    scan_ident_ctx ident;
    scan_ident_ctx_init(&ident, c, &locked, j->credentials == 1, 0);
    x.nruns[0] = scan_port_runs(p.tcp, &x.runs[0]);
    x.nruns[1] = scan_port_runs(p.udp, &x.runs[1]);
    scan_opts so = {
        .timeout_ms = c->scan.timeout_ms, .retries = 1, .rate = (uint64_t)c->scan.rate,
        .host_rate = (uint64_t)c->scan.host_rate, .ident = j->identify ? scan_ident_port_fn() : NULL,
        .ident_arg = &ident, .on_host = job_host_tcp, .on_host_arg = &x, .cancel = cancel,
    };
    if (rc == KW_OK && p.ntcp)
        rc = scan_net_tcp(&t, &p, &so);
    so.on_host = job_host_udp;
    if (rc == KW_OK && p.nudp)
        rc = scan_net_udp(&t, &p, &so, &locked);
    if (rc != KW_OK && !err[0])
        snprintf(err, errn, "%s", kw_rc_str(rc));
    scan_ident_ctx_free(&ident);
    free(x.runs[0]);
    free(x.runs[1]);
    pthread_mutex_destroy(&x.mu);
    scan_targets_free(&t);
    return rc;
}
