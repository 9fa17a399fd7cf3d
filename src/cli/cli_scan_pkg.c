/* cli_scan_pkg.c: `keepwatch scan packages`: this host's installed packages (dpkg's status
 * file, apk's database, or rpm's list) against the compiled vulnerability data
 * (state_dir/vuln/vuln.idx, see `keepwatch vuln`), one finding per source package and
 * vulnerability not fixed in the installed version, printed as text or ECS JSON lines; with
 * --agents, the package lists the agents sent (stored by the server) instead. */
#include "agent/agent_pkg.h"
#include "cli/cli.h"
#include "core/kw_file.h"
#include "cli/cli_scan_record.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "findings/finding_print.h"
#include "scan/scan_pkg.h"
#include "scan/scan_vuln.h"
#include "store/store_findings.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCAN_PKG_FILE_MAX ((size_t)256 << 20)

static const char scan_pkg_usage[] =
    "usage: keepwatch scan packages [--json] [-c FILE] [--root DIR] [--status FILE]\n"
    "                               [--manager dpkg|rpm|apk] [--release NAME] [--db FILE]\n"
    "                               [--unimportant] [--host NAME] [--no-store]\n"
    "       keepwatch scan packages --agents [NAME...] [--json] [-c FILE] [--db FILE] [--no-store]\n"
    "\n"
    "Checks this host's installed OS packages against the vulnerability data that\n"
    "`keepwatch vuln update` or `vuln import` compiled: one finding per source package and\n"
    "CVE the installed version is not fixed in (the fixed version and the upgrade command in\n"
    "the finding). Severity is the data's urgency; a CVE without a fix yet in the release is\n"
    "reported one step lower (nothing to install yet); ones rated unimportant only with\n"
    "--unimportant.\n"
    "\n"
    "  --root DIR      the system's root (a container's or a mounted image's): DIR/etc/os-release,\n"
    "                  DIR/var/lib/dpkg/status or DIR/lib/apk/db/installed, else rpm --root DIR\n"
    "  --status FILE   read the package list from FILE: dpkg's status file, apk's installed\n"
    "                  database or the output of rpm -qa --qf\n"
    "                  '%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\t%{SOURCERPM}\\n'\n"
    "  --manager M     which of those FILE is (default: dpkg)\n"
    "  --release NAME  the release to check against (default: VERSION_CODENAME of os-release)\n"
    "  --db FILE       the index (default: state_dir/vuln/vuln.idx)\n"
    "  --unimportant   also report what the Debian tracker rates unimportant\n"
    "  --json          one ECS JSON document per finding, a line each\n"
    "  --host NAME     the host the findings are on (default: this host's name)\n"
    "  --no-store      print the findings without recording them in the store's findings (by\n"
    "                  default they are: a CVE no longer reported for the host is marked, fixed\n"
    "                  ones verified)\n"
    "  --agents [NAME...]  check the package lists the agents (all, or those named) last sent\n"
    "                  to the server, on each agent's host name (the server checks each list\n"
    "                  when it arrives and all of them when the vulnerability data changes)\n"
    "\n"
    "exit status: 0 no finding, 1 findings, 2 bad usage, an unreadable package list, no data.\n";

typedef struct scan_pkg_args {
    const char *cfg, *root, *status, *manager, *release, *db, *host;
    bool json, unimportant, no_store, agents;
} scan_pkg_args;

static char *sp_path(const char *root, const char *rel)
{
    char *p = kw_malloc((root ? strlen(root) : 0) + strlen(rel) + 1);
    sprintf(p, "%s%s", root ? root : "", rel);
    return p;
}

/* Reads a stream to its end, at most SCAN_PKG_FILE_MAX bytes; NULL (errno EFBIG) past that. */
static char *sp_slurp(FILE *f, size_t *n)
{
    kw_buf b;
    kw_rc rc = kw_file_read_stream(f, SCAN_PKG_FILE_MAX, &b);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        errno = rc == KW_ERR_FULL ? EFBIG : EIO;
        return NULL;
    }
    *n = b.len;
    return b.data ? kw_buf_take(&b) : kw_strdup("");
}

/* A whole file; NULL (errno set) when it cannot be read. */
static char *sp_read(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = sp_slurp(f, n);
    fclose(f);
    return data;
}

/* rpm's list of the packages under root, through `rpm -qa`. */
static char *sp_rpm_list(const char *root, size_t *n)
{
    char cmd[1024];
    if (root && strchr(root, '\''))
        return NULL;
    snprintf(cmd, sizeof cmd, "rpm -qa %s%s%s --qf '%s' 2>/dev/null", root ? "--root '" : "", root ? root : "",
             root ? "'" : "", SCAN_PKG_RPM_QF);
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    char *data = sp_slurp(p, n);
    if (pclose(p) != 0 || !data || *n == 0) {
        free(data);
        errno = 0;
        return NULL;
    }
    return data;
}

/* Fills list from --status or what --root (or /) has. */
static int sp_packages(const scan_pkg_args *a, scan_pkg_list *list, char *what, size_t whatn)
{
    const char *mgr = a->manager;
    char *path = NULL, *data = NULL;
    size_t n = 0;
    if (a->status) {
        path = kw_strdup(a->status);
    } else {
        static const struct { const char *rel, *mgr; } where[] = {
            {"/var/lib/dpkg/status", "dpkg"}, {"/lib/apk/db/installed", "apk"}};
        for (size_t i = 0; i < 2 && !path; i++) {
            char *p = sp_path(a->root, where[i].rel);
            if (access(p, R_OK) == 0)
                path = p, mgr = where[i].mgr;
            else
                free(p);
        }
    }
    if (!mgr)
        mgr = path ? "dpkg" : "rpm";
    scan_vkind kind = strcmp(mgr, "rpm") == 0 ? SCAN_V_RPM : strcmp(mgr, "apk") == 0 ? SCAN_V_APK : SCAN_V_DEB;
    scan_pkg_list_init(list, kind, NULL);
    data = path ? sp_read(path, &n) : sp_rpm_list(a->root, &n);
    snprintf(what, whatn, "%s", path ? path : "rpm -qa");
    free(path);
    if (!data) {
        fprintf(stderr, "keepwatch: %s: %s\n", what, errno ? strerror(errno) : "no package list");
        return KW_EXIT_USAGE;
    }
    kw_rc rc = kind == SCAN_V_RPM ? scan_pkg_parse_rpm(data, n, list)
             : kind == SCAN_V_APK ? scan_pkg_parse_apk(data, n, list) : scan_pkg_parse_dpkg(data, n, list);
    free(data);
    if (list->skipped)
        fprintf(stderr, "keepwatch: %s: %zu records skipped (first: %s)\n", what, list->skipped, list->first_error);
    if (rc != KW_OK || list->n == 0) {
        fprintf(stderr, "keepwatch: %s: %s\n", what, rc != KW_OK ? kw_rc_str(rc) : "no installed package found");
        return KW_EXIT_USAGE;
    }
    return KW_EXIT_OK;
}

static int sp_open_db(const scan_pkg_args *a, scan_vuln_db *db)
{
    char *path = NULL;
    if (a->db) {
        path = kw_strdup(a->db);
    } else {
        conf *c = cli_conf_load(cli_conf_path(a->cfg));
        if (!c)
            return KW_EXIT_USAGE;
        path = conf_state_path(c, "vuln/vuln.idx");
        conf_free(c);
    }
    kw_rc rc = scan_vuln_db_open(path, db);
    if (rc != KW_OK)
        fprintf(stderr, "keepwatch: %s: %s\n", path,
                rc == KW_ERR_NOTFOUND ? "no vulnerability data: run keepwatch vuln update (or vuln import FILE)"
                : rc == KW_ERR_PARSE  ? "not a keepwatch vulnerability index: run keepwatch vuln update"
                                      : strerror(errno));
    free(path);
    return rc == KW_OK ? KW_EXIT_OK : KW_EXIT_USAGE;
}

static int sp_run(const scan_pkg_args *a)
{
    scan_os os = {0};
    char *osp = sp_path(a->root, "/etc/os-release"), what[512];
    size_t n;
    char *ost = sp_read(osp, &n);
    if (!ost || scan_os_parse(ost, n, &os) != KW_OK) {
        if (!a->release) {
            fprintf(stderr, "keepwatch: %s: cannot tell the release (give --release NAME)\n", osp);
            free(osp);
            free(ost);
            return KW_EXIT_USAGE;
        }
        snprintf(os.id, sizeof os.id, "debian");
    }
    free(osp);
    free(ost);
    char names[8][48];
    const char *ecos[8];
    scan_vkind kind;
    size_t ne = scan_os_ecosystems(&os, a->release, names, 8, &kind);
    for (size_t i = 0; i < ne; i++)
        ecos[i] = names[i];
    scan_pkg_list list;
    int ex = sp_packages(a, &list, what, sizeof what);
    scan_vuln_db db = {0};
    if (ex == KW_EXIT_OK)
        ex = sp_open_db(a, &db);
    if (ex != KW_EXIT_OK) {
        scan_pkg_list_free(&list);
        return ex;
    }
    char host[256] = "localhost";
    if (a->host)
        snprintf(host, sizeof host, "%s", a->host);
    else
        gethostname(host, sizeof host - 1);
    scan_pkg_opts o = {.host = host, .ecos = ecos, .n_ecos = ne, .unimportant = a->unimportant};
    conf *c = cli_conf_load(cli_conf_path(a->cfg));
    scan_record rec;
    if (!c || scan_record_open(&rec, a->cfg, c, "scan packages", "keepwatch-packages", what, a->json, !a->no_store)) {
        if (c)
            scan_record_close(&rec, false);
        conf_free(c);
        scan_vuln_db_close(&db);
        scan_pkg_list_free(&list);
        return KW_EXIT_USAGE;
    }
    scan_pkg_result res;
    kw_rc rc = scan_pkg_check(&db, &list, &o, &rec.sink, &res);
    fflush(stdout);
    if (!a->json || isatty(2))
        fprintf(stderr, "%s: %zu packages (%zu source packages, %s%s%s): %zu findings, %zu without a fix yet\n", what,
                res.packages, res.sources, os.pretty[0] ? os.pretty : os.id, ne ? " as " : "", ne ? ecos[0] : "",
                res.findings, res.no_fix);
    scan_vuln_db_close(&db);
    scan_pkg_list_free(&list);
    kw_rc stored = scan_record_close(&rec, rc == KW_OK);
    conf_free(c);
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch: scan packages: %s\n", kw_rc_str(rc));
        return KW_EXIT_USAGE;
    }
    if (stored != KW_OK)
        return KW_EXIT_PROBLEM;
    return res.findings ? KW_EXIT_PROBLEM : KW_EXIT_OK;
}

/* ---- --agents: the lists the agents sent ---- */

typedef struct sp_hosts {
    char (*v)[STORE_AGENT_NAME_MAX];
    size_t n, cap;
} sp_hosts;

static void sp_host_add(void *arg, const char *host)
{
    sp_hosts *h = arg;
    kw_grow(&h->v, &h->cap, h->n + 1, sizeof *h->v);
    snprintf(h->v[h->n++], sizeof h->v[0], "%s", host);
}

/* One agent's list checked (and recorded); its line on stderr. */
static int sp_agent_one(kw_store *st, const conf *c, const findings_kev *kev, const scan_vuln_db *db,
                        const char *host, const scan_pkg_args *a, const finding_sink *print)
{
    char who[128], err[512] = "", when[32];
    agent_pkg_outcome o;
    kw_rc rc = agent_packages_record(st, c, kev, db, host, cli_whoami(who, sizeof who), print, !a->no_store, &o, err,
                                     sizeof err);
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch: agent %s: %s\n", host, err);
        return KW_EXIT_USAGE;
    }
    kw_time_iso8601(o.received_ms, when, sizeof when);
    fprintf(stderr, "agent %s: %zu packages (%zu source packages, the list of %s): %zu findings, %zu without a fix yet",
            host, o.res.packages, o.res.sources, when, o.res.findings, o.res.no_fix);
    if (!a->no_store)
        fprintf(stderr, "; recorded: %zu new, %zu seen again, %zu verified", o.counts.added, o.counts.updated,
                o.counts.verified);
    fputc('\n', stderr);
    return o.res.findings ? KW_EXIT_PROBLEM : KW_EXIT_OK;
}

static int sp_agents_run(const scan_pkg_args *a, conf *c, kw_store *st, char **names, int nnames)
{
    scan_vuln_db db = {0};
    findings_kev *kev = NULL;
    char err[512] = "";
    if (sp_open_db(a, &db) != KW_EXIT_OK)
        return KW_EXIT_USAGE;
    if (findings_kev_from_conf(c, &kev, err, sizeof err) != KW_OK) {
        fprintf(stderr, "keepwatch: scan packages: %s\n", err);
        scan_vuln_db_close(&db);
        return KW_EXIT_USAGE;
    }
    sp_hosts hosts = {0};
    for (int i = 0; i < nnames; i++)
        sp_host_add(&hosts, names[i]);
    int ex = KW_EXIT_OK;
    if (!nnames && store_agent_packages_each(st, sp_host_add, &hosts) != KW_OK) {
        fprintf(stderr, "keepwatch: scan packages: the agents' lists: %s\n", store_errmsg(st));
        ex = KW_EXIT_USAGE;
    } else if (!hosts.n) {
        fprintf(stderr, "keepwatch: scan packages: no agent has sent a package list\n");
    }
    finding_printer pr = {.out = stdout, .json = a->json, .now_ms = kw_now_ms()};
    finding_sink print = finding_printer_sink(&pr);
    for (size_t i = 0; i < hosts.n; i++) {
        int one = sp_agent_one(st, c, kev, &db, hosts.v[i], a, &print);
        if (one == KW_EXIT_USAGE || (one == KW_EXIT_PROBLEM && ex == KW_EXIT_OK))
            ex = one;
    }
    free(hosts.v);
    findings_kev_free(kev);
    scan_vuln_db_close(&db);
    return ex;
}

static int sp_agents(const scan_pkg_args *a, char **names, int nnames)
{
    conf *c = cli_conf_load(cli_conf_path(a->cfg));
    if (!c)
        return KW_EXIT_USAGE;
    kw_store *st = cli_store_open(a->cfg, "scan packages", true);
    int ex = KW_EXIT_USAGE;
    if (st && (store_agent_migrate(st) != KW_OK || store_findings_migrate(st) != KW_OK))
        fprintf(stderr, "keepwatch: scan packages: the store's tables: %s\n", store_errmsg(st));
    else if (st)
        ex = sp_agents_run(a, c, st, names, nnames);
    if (st)
        store_close(st);
    conf_free(c);
    return ex;
}

int cli_scan_packages(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"root", required_argument, NULL, 'R'},
        {"status", required_argument, NULL, 's'}, {"manager", required_argument, NULL, 'm'},
        {"release", required_argument, NULL, 'r'}, {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},         {"unimportant", no_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},         {"host", required_argument, NULL, 'H'},
        {"no-store", no_argument, NULL, 'N'},     {"agents", no_argument, NULL, 'A'},
        {NULL, 0, NULL, 0},
    };
    scan_pkg_args a = {0};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': a.cfg = optarg; break;
        case 'R': a.root = optarg; break;
        case 'H': a.host = optarg; break;
        case 'N': a.no_store = true; break;
        case 'A': a.agents = true; break;
        case 's': a.status = optarg; break;
        case 'm': a.manager = optarg; break;
        case 'r': a.release = optarg; break;
        case 'd': a.db = optarg; break;
        case 'j': a.json = true; break;
        case 'u': a.unimportant = true; break;
        case 'h': fputs(scan_pkg_usage, stdout); return KW_EXIT_OK;
        default: fputs(scan_pkg_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    if (a.agents) {
        if (a.root || a.status || a.manager || a.release || a.host || a.unimportant) {
            fputs("keepwatch: scan packages: --agents checks the lists the agents sent: not with --root, --status,"
                  " --manager, --release, --host or --unimportant\n", stderr);
            return KW_EXIT_USAGE;
        }
        for (int i = optind; i < argc; i++)
            if (!store_agent_name_ok(argv[i])) {
                fprintf(stderr, "keepwatch: scan packages: \"%s\" is not an agent name\n", argv[i]);
                return KW_EXIT_USAGE;
            }
        return sp_agents(&a, argv + optind, argc - optind);
    }
    if (optind < argc || (a.manager && strcmp(a.manager, "dpkg") && strcmp(a.manager, "rpm") && strcmp(a.manager, "apk"))) {
        fputs(scan_pkg_usage, stderr);
        return KW_EXIT_USAGE;
    }
    return sp_run(&a);
}
