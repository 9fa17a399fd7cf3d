/* What the scan commands share: their findings printed and recorded in the store's findings
 * (one run per command, written when it ends: a scan cut short records nothing of what it
 * covered), and the service identification the network scanner runs on each open port, with
 * the banner's product and version matched against the vulnerability data when there is some. */
#include "cli/cli.h"
#include "cli/cli_scan_record.h"
#include "core/kw_file.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "findings/findings.h"
#include "findings/findings_run.h"
#include "store/store.h"
#include "store/store_findings.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- printing and recording ---- */

static kw_rc tee_emit(void *ctx, const finding *f)
{
    scan_record *r = ctx;
    pthread_mutex_lock(&r->mu);
    kw_rc rc = finding_emit(&r->print, f);
    if (rc == KW_OK && r->run)
        rc = finding_emit(&r->store, f);
    pthread_mutex_unlock(&r->mu);
    return rc;
}

static kw_rc tee_cover(void *ctx, const finding_cover *c)
{
    scan_record *r = ctx;
    pthread_mutex_lock(&r->mu);
    kw_rc rc = r->run ? finding_covered(&r->store, c) : KW_OK;
    pthread_mutex_unlock(&r->mu);
    return rc;
}

kw_rc scan_record_keep(scan_record *r, const finding *f)
{
    pthread_mutex_lock(&r->mu);
    kw_rc rc = r->run ? finding_emit(&r->store, f) : KW_OK;
    pthread_mutex_unlock(&r->mu);
    return rc;
}

kw_rc scan_record_cover(scan_record *r, const finding_cover *c)
{
    return tee_cover(r, c);
}

kw_rc scan_record_open(scan_record *r, const char *cfg_path, const conf *c, const char *cmd, const char *scanner,
                       const char *source, bool json, bool store)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    r->cmd = cmd;
    r->printer = (finding_printer){.out = stdout, .json = json, .now_ms = kw_now_ms()};
    r->print = finding_printer_sink(&r->printer);
    r->sink = (finding_sink){.emit = tee_emit, .cover = tee_cover, .ctx = r};
    if (!store)
        return KW_OK;
    r->st = cli_store_open(cfg_path, cmd, false);
    if (!r->st)
        return KW_ERR_STORE;
    if (store_findings_migrate(r->st) != KW_OK) {
        fprintf(stderr, "keepwatch %s: the findings tables: %s\n", cmd, store_errmsg(r->st));
        return KW_ERR_STORE;
    }
    char err[512] = "";
    if (findings_kev_from_conf(c, &r->kev, err, sizeof err) != KW_OK) {
        fprintf(stderr, "keepwatch %s: %s\n", cmd, err);
        return KW_ERR_PARSE;
    }
    char who[128];
    r->run = findings_run_open(r->st, c, r->kev, scanner, source, cli_whoami(who, sizeof who));
    r->store = findings_run_sink(r->run);
    return KW_OK;
}

kw_rc scan_record_close(scan_record *r, bool complete)
{
    kw_rc rc = KW_OK;
    if (r->run && complete) {
        char err[512] = "";
        findings_counts k;
        rc = findings_run_close(r->run, &k, err, sizeof err);
        if (rc == KW_OK)
            fprintf(stderr, "keepwatch %s: recorded: %zu new, %zu seen again (%zu reopened), %zu verified, %zu not seen"
                            " (keepwatch findings list)\n",
                    r->cmd, k.added, k.updated, k.reopened, k.verified, k.not_seen);
        else
            fprintf(stderr, "keepwatch %s: the findings were not recorded: %s\n", r->cmd, err);
    } else if (r->run) {
        findings_run_abort(r->run);
        fprintf(stderr, "keepwatch %s: the scan did not finish: nothing recorded\n", r->cmd);
    }
    r->run = NULL;
    findings_kev_free(r->kev);
    if (r->st)
        store_close(r->st);
    pthread_mutex_destroy(&r->mu);
    return rc;
}

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
