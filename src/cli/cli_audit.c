/* cli_audit.c: `keepwatch audit config|path|host|app|checks`: configuration review. Device and
 * firewall configurations through the rule model and its exact analysis; one packet through a
 * configuration; the host security baseline; application parameters. Failures are findings,
 * recorded in the store as one run per command unless --no-store. */
#include "audit/audit_acl.h"
#include "audit/audit_app.h"
#include "audit/audit_host.h"
#include "audit/audit_run.h"
#include "cli/cli.h"
#include "cli/cli_scan_record.h"
#include "core/kw_file.h"
#include "core/kw_time.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUDIT_ARGS_MAX 256

static const char audit_usage[] =
    "usage: keepwatch audit config FILE... [--vendor V] [--host NAME] [--json] [--all] [--no-store] [-c FILE]\n"
    "       keepwatch audit path FILE --from ADDR --to ADDR[:PORT][/PROTO] [--in ZONE] [--out ZONE]\n"
    "                               [--list NAME] [--vendor V] [--json]\n"
    "       keepwatch audit host [--root DIR] [--profile P] [--only ID]... [--host NAME] [--json] [--all]\n"
    "                            [--no-store] [-c FILE]\n"
    "       keepwatch audit app [--root DIR] [FILE...] [--dir DIR]... [--instances N]\n"
    "                           [--db-max-connections N] [--host NAME] [--json] [--all] [--no-store] [-c FILE]\n"
    "       keepwatch audit checks [host|app] [--json]\n"
    "\n"
    "Reviews configurations against security policy and good practice. Every failed check is a\n"
    "finding (keepwatch findings list) with the file, the 1-based line and the statement at fault.\n"
    "\n"
    "  config     device and firewall configurations: Huawei VRP/USG, H3C Comware, Cisco IOS and\n"
    "             ASA, iptables-save, nftables (nft list ruleset, text or -j JSON), FortiGate.\n"
    "             Finds permits of any to any, over-broad rules, high-risk services open to any\n"
    "             source or an untrusted zone, shadowed and redundant rules (exact over the\n"
    "             address, port and protocol space), conflicts (notes), no final deny, denies not\n"
    "             logged, and device management (telnet, SNMP communities and versions,\n"
    "             plaintext passwords, banners, idle timeouts). The vendor is recognised from the\n"
    "             text unless --vendor huawei|h3c|cisco-ios|cisco-asa|iptables|nftables|fortigate.\n"
    "  path       which rule of FILE decides one packet, and whether it passes, in every list\n"
    "             packets enter by (or --list NAME): exit 0 when it passes everywhere, 1 when a\n"
    "             list drops it\n"
    "  host       the host security baseline (SSH, password policy, PAM, accounts, sudo, file\n"
    "             permissions, kernel parameters, services, firewall, audit and logs, time,\n"
    "             core dumps, mounts, boot): each check with its CIS Debian item and its\n"
    "             GB/T 22239-2019 (等保 2.0) control; on this host or on a mounted image or\n"
    "             container root (--root)\n"
    "  app        application parameters: nginx, Apache, MySQL/MariaDB, PostgreSQL, Redis,\n"
    "             Tomcat, and connection pools (HikariCP, Druid, c3p0, Tomcat JDBC) against the\n"
    "             database's max_connections; found at their usual paths under the root, or\n"
    "             the FILEs given (kind:path, kind one of nginx apache mysql pgconf pghba redis\n"
    "             tomcat tomcat-users context pool; guessed from the name without one)\n"
    "  checks     the catalogue: every check's id, severity, titles and references\n"
    "\n"
    "  --json           one ECS document per result, a line each (result.evaluation passed,\n"
    "                   failed or not_applicable; rule.id; file.path; keepwatch.finding.line)\n"
    "  --all            text: passes and n/a too (failures and notes are always shown)\n"
    "  --host NAME      the asset the findings are on (config: default the device's sysname or\n"
    "                   hostname, else the file's name; host, app: this host, or the root's\n"
    "                   /etc/hostname)\n"
    "  --instances N    app: how many instances of the application share its database (default 1)\n"
    "  --db-max-connections N  app: the database's limit when its configuration is elsewhere\n"
    "  --dir DIR        app: where to look for pool settings (default /opt, /srv, Tomcat webapps)\n"
    "  --no-store       print without recording the findings\n"
    "Titles are in Chinese when LANG says zh.\n"
    "\n"
    "exit status: 0 nothing failed, 1 a check failed (path: the packet is dropped), 2 bad usage\n"
    "or input (a file that is no configuration keepwatch reads).\n";

typedef struct audit_args {
    const char *cfg, *vendor, *host, *root, *profile, *from, *to, *zin, *zout, *list;
    const char *only[AUDIT_ARGS_MAX], *dirs[AUDIT_ARGS_MAX];
    size_t nonly, ndirs;
    int instances, db_max;
    bool json, all, no_store;
} audit_args;

static int usage_err(const char *why)
{
    if (why)
        fprintf(stderr, "keepwatch audit: %s\n", why);
    fputs(audit_usage, stderr);
    return KW_EXIT_USAGE;
}

/* Parses the options of every subcommand; the operands stay at argv[optind..]. */
static int parse_args(int argc, char **argv, audit_args *a)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"vendor", required_argument, NULL, 'V'},
        {"host", required_argument, NULL, 'H'},   {"root", required_argument, NULL, 'R'},
        {"profile", required_argument, NULL, 'P'}, {"only", required_argument, NULL, 'O'},
        {"dir", required_argument, NULL, 'D'},    {"instances", required_argument, NULL, 'I'},
        {"db-max-connections", required_argument, NULL, 'M'},
        {"from", required_argument, NULL, 'f'},   {"to", required_argument, NULL, 't'},
        {"in", required_argument, NULL, 'i'},     {"out", required_argument, NULL, 'o'},
        {"list", required_argument, NULL, 'l'},   {"json", no_argument, NULL, 'j'},
        {"all", no_argument, NULL, 'a'},          {"no-store", no_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int ch;
    char *end;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': a->cfg = optarg; break;
        case 'V': a->vendor = optarg; break;
        case 'H': a->host = optarg; break;
        case 'R': a->root = optarg; break;
        case 'P': a->profile = optarg; break;
        case 'O':
            if (a->nonly == AUDIT_ARGS_MAX)
                return usage_err("too many --only");
            a->only[a->nonly++] = optarg;
            break;
        case 'D':
            if (a->ndirs == AUDIT_ARGS_MAX)
                return usage_err("too many --dir");
            a->dirs[a->ndirs++] = optarg;
            break;
        case 'I':
        case 'M': {
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 1 || v > 1000000)
                return usage_err(ch == 'I' ? "--instances takes a number from 1" : "--db-max-connections takes a number from 1");
            *(ch == 'I' ? &a->instances : &a->db_max) = (int)v;
            break;
        }
        case 'f': a->from = optarg; break;
        case 't': a->to = optarg; break;
        case 'i': a->zin = optarg; break;
        case 'o': a->zout = optarg; break;
        case 'l': a->list = optarg; break;
        case 'j': a->json = true; break;
        case 'a': a->all = true; break;
        case 'N': a->no_store = true; break;
        case 'h': fputs(audit_usage, stdout); return -1;
        default: return usage_err(NULL);
        }
    }
    if (a->profile && strcmp(a->profile, "server") != 0 && strcmp(a->profile, "workstation") != 0)
        return usage_err("--profile: server or workstation");
    if (a->vendor && !acl_vendor_find(a->vendor))
        return usage_err("--vendor: not one of huawei h3c cisco-ios cisco-asa iptables nftables fortigate");
    return 0;
}

/* ---- config, host, app: results printed, failures recorded ---- */

typedef struct audit_cli {
    scan_record rec;
    finding_sink keep;
    const char *cmd, *scanner;
} audit_cli;

static kw_rc keep_emit(void *ctx, const finding *f)
{
    return scan_record_keep(&((audit_cli *)ctx)->rec, f);
}

static void on_file(void *arg, const char *file, const char *vendor, const char *asset, size_t unknown)
{
    audit_cli *x = arg;
    if (unknown)
        fprintf(stderr, "keepwatch %s: %s (%s): %zu statement%s not understood, kept and counted\n", x->cmd, file,
                vendor, unknown, unknown == 1 ? "" : "s");
    finding_cover cv = {.scanner = x->scanner, .host = asset}; /* what it no longer finds there is marked */
    scan_record_cover(&x->rec, &cv);
}

static int run_spec(const audit_args *a, const audit_spec *s, const char *cmd, const char *scanner)
{
    conf *c = cli_conf_load(cli_conf_path(a->cfg));
    if (!c)
        return KW_EXIT_USAGE;
    audit_cli x = {.cmd = cmd, .scanner = scanner};
    char source[160];
    snprintf(source, sizeof source, "%s", cmd);
    if (scan_record_open(&x.rec, a->cfg, c, cmd, scanner, source, a->json, !a->no_store) != KW_OK) {
        scan_record_close(&x.rec, false);
        conf_free(c);
        return KW_EXIT_USAGE;
    }
    x.keep = (finding_sink){.emit = keep_emit, .ctx = &x};
    audit_out o = {.out = stdout, .json = a->json, .all = a->all, .zh = audit_locale_zh(), .scanner = scanner,
                   .sink = &x.keep, .now_ms = kw_now_ms()};
    char err[1024] = "";
    audit_run_stats st;
    int64_t t0 = kw_mono_ms();
    kw_rc rc = audit_spec_run(s, &o, on_file, &x, &st, err, sizeof err);
    if (rc != KW_OK)
        fprintf(stderr, "keepwatch %s: %s\n", cmd, err);
    kw_buf b;
    kw_buf_init(&b, 4096);
    audit_out_summary(&o, &b);
    if (s->kind == AUDIT_KIND_CONFIG)
        kw_buf_printf(&b, "; %zu file%s, %zu list%s, %zu rule%s", st.files, st.files == 1 ? "" : "s", st.lists,
                      st.lists == 1 ? "" : "s", st.rules, st.rules == 1 ? "" : "s");
    kw_buf_printf(&b, " in %.3f s", (double)(kw_mono_ms() - t0) / 1000.0);
    fprintf(a->json ? stderr : stdout, "%s\n", b.data);
    kw_buf_free(&b);
    scan_record_close(&x.rec, rc == KW_OK);
    conf_free(c);
    if (rc != KW_OK)
        return rc == KW_ERR_PARSE || rc == KW_ERR_IO || rc == KW_ERR_RANGE ? KW_EXIT_USAGE : KW_EXIT_PROBLEM;
    return o.status[AUDIT_FAIL] ? KW_EXIT_PROBLEM : KW_EXIT_OK;
}

static int cmd_config(const audit_args *a, char **files, int n)
{
    if (n < 1)
        return usage_err("audit config needs at least one FILE");
    audit_spec s = {.kind = AUDIT_KIND_CONFIG, .files = (const char *const *)files, .nfiles = (size_t)n,
                    .vendor = a->vendor, .host = a->host};
    return run_spec(a, &s, "audit config", AUDIT_SCANNER_CONFIG);
}

static int cmd_host(const audit_args *a, int n)
{
    if (n)
        return usage_err("audit host takes no FILE (--root DIR for another system)");
    audit_spec s = {.kind = AUDIT_KIND_HOST, .root = a->root, .host = a->host, .profile = a->profile,
                    .only = a->only, .nonly = a->nonly};
    return run_spec(a, &s, "audit host", AUDIT_SCANNER_HOST);
}

static int cmd_app(const audit_args *a, char **files, int n)
{
    audit_spec s = {.kind = AUDIT_KIND_APP, .root = a->root, .host = a->host, .files = (const char *const *)files,
                    .nfiles = (size_t)n, .dirs = a->dirs, .ndirs = a->ndirs, .instances = a->instances,
                    .db_max_connections = a->db_max};
    return run_spec(a, &s, "audit app", AUDIT_SCANNER_APP);
}

/* ---- path ---- */

/* One address into the model's space. */
static bool addr_point(const char *s, acl_u128 *out)
{
    acl_dim d = {0};
    bool ok = strchr(s, '/') == NULL && acl_dim_add_text(&d, s) && d.n == 1 && d.v[0].lo == d.v[0].hi;
    if (ok)
        *out = d.v[0].lo;
    acl_dim_free(&d);
    return ok;
}

/* ADDR[:PORT][/PROTO], [V6]:PORT/PROTO, PROTO a name (tcp udp icmp ...) or a number. */
static bool parse_to(const char *s, acl_packet *p)
{
    char buf[128];
    if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf)
        return false;
    p->proto = 6;
    char *slash = strrchr(buf, '/');
    if (slash) {
        *slash++ = '\0';
        static const struct { const char *n; unsigned v; } protos[] = {
            {"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"icmpv6", 58}, {"ipv6-icmp", 58}, {"gre", 47}, {"esp", 50},
            {"ah", 51}, {"sctp", 132}, {"ospf", 89}};
        bool known = false;
        for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
            if (!strcmp(slash, protos[i].n)) {
                p->proto = protos[i].v;
                known = true;
            }
        char *end;
        long v = known ? 0 : strtol(slash, &end, 10);
        if (!known && (end == slash || *end || v < 0 || v > 255))
            return false;
        if (!known)
            p->proto = (unsigned)v;
    }
    char *addr = buf, *port = NULL;
    if (buf[0] == '[') {
        char *close = strchr(buf, ']');
        if (!close)
            return false;
        *close = '\0';
        addr = buf + 1;
        if (close[1] == ':')
            port = close + 2;
        else if (close[1])
            return false;
    } else {
        char *colon = strchr(buf, ':');
        if (colon && !strchr(colon + 1, ':')) { /* one colon: v4:port; more: a bare IPv6 address */
            *colon = '\0';
            port = colon + 1;
        }
    }
    if (!addr_point(addr, &p->dst))
        return false;
    if (port) {
        char *end;
        long v = strtol(port, &end, 10);
        if (end == port || *end || v < 0 || v > 65535)
            return false;
        p->dport = (unsigned)v;
    }
    if (p->proto != 6 && p->proto != 17 && p->proto != 132 && p->dport)
        return false; /* a port on a protocol without ports */
    return true;
}

static const char *action_name(acl_action a)
{
    return a == ACL_PERMIT ? "permit" : a == ACL_DENY ? "deny" : "unknown";
}

static void verdict_json(kw_json *j, const acl_verdict *v)
{
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "list", v->list ? v->list->name : "");
    kw_json_kv_str(j, "action", action_name(v->action));
    if (v->rule) {
        kw_json_kv_str(j, "rule", v->rule->name);
        kw_json_kv_int(j, "line", v->rule->line);
        kw_json_kv_str(j, "text", v->rule->text);
    } else {
        kw_json_kv_str(j, "rule", "(no rule matched: the list's default)");
        if (v->list && v->list->fallthrough_line)
            kw_json_kv_int(j, "line", v->list->fallthrough_line);
    }
    if (strstr(v->via, " -> "))
        kw_json_kv_str(j, "via", v->via);
    kw_json_kv_bool(j, "uncertain", v->uncertain);
    if (v->partial) {
        kw_json_kv_str(j, "depends_on", v->partial->name);
        kw_json_kv_int(j, "depends_on_line", v->partial->line);
    }
    kw_json_obj_end(j);
}

static void verdict_text(kw_buf *b, const acl_verdict *v)
{
    kw_buf_printf(b, "%-7s %s: ", action_name(v->action), v->list ? v->list->name : "?");
    if (v->rule)
        kw_buf_printf(b, "%s (line %d): %s", v->rule->name, v->rule->line, v->rule->text);
    else if (v->list && v->list->fallthrough_line)
        kw_buf_printf(b, "no rule matched: the list's default (line %d)", v->list->fallthrough_line);
    else
        kw_buf_printf(b, "no rule matched: the %s default", v->list && v->list->fallthrough == ACL_DENY ? "implicit deny" : "list's");
    if (strstr(v->via, " -> "))
        kw_buf_printf(b, " [via %s]", v->via);
    if (v->partial)
        kw_buf_printf(b, "\n        (for a new connection: %s (line %d) before it matches on what a packet alone does "
                         "not say, connection state or time, and decides the others)", v->partial->name, v->partial->line);
    else if (v->uncertain)
        kw_buf_puts(b, " (a jump on the way could not be followed: the answer is not certain)");
    kw_buf_putc(b, '\n');
}

static int cmd_path(const audit_args *a, char **files, int n)
{
    if (n != 1)
        return usage_err("audit path takes one FILE");
    if (!a->from || !a->to)
        return usage_err("audit path needs --from ADDR and --to ADDR[:PORT][/PROTO]");
    acl_packet p = {.zin = a->zin, .zout = a->zout};
    if (!addr_point(a->from, &p.src))
        return usage_err("--from: not an address");
    if (!parse_to(a->to, &p))
        return usage_err("--to: not ADDR[:PORT][/PROTO] (10.0.0.5:443/tcp, [2001:db8::1]:53/udp, 10.0.0.5/icmp)");
    kw_buf text;
    kw_rc rc = kw_file_read(files[0], AUDIT_CONFIG_MAX, &text);
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch audit path: %s: %s\n", files[0], rc == KW_ERR_FULL ? "larger than 64 MiB" : "cannot be read");
        kw_buf_free(&text);
        return KW_EXIT_USAGE;
    }
    acl_config *c = NULL;
    char err[512] = "";
    rc = acl_parse(text.data ? text.data : "", text.len, a->vendor, &c, err, sizeof err);
    kw_buf_free(&text);
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch audit path: %s: %s\n", files[0], err);
        return KW_EXIT_USAGE;
    }
    acl_verdict v[64];
    size_t nv = 0;
    rc = acl_path(c, &p, a->list, v, sizeof v / sizeof v[0], &nv);
    int ex = KW_EXIT_OK;
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    kw_json j;
    kw_json_init(&j, &b);
    if (a->json)
        kw_json_arr_begin(&j);
    for (size_t i = 0; rc == KW_OK && i < nv; i++) {
        if (a->json)
            verdict_json(&j, &v[i]);
        else
            verdict_text(&b, &v[i]);
        if (v[i].action != ACL_PERMIT)
            ex = KW_EXIT_PROBLEM;
    }
    if (a->json) {
        kw_json_arr_end(&j);
        kw_buf_putc(&b, '\n');
    }
    if (rc != KW_OK || nv == 0) {
        fprintf(stderr, "keepwatch audit path: %s: %s\n", files[0],
                rc != KW_OK ? kw_rc_str(rc) : a->list ? "no such list" : "no list that packets enter by");
        ex = KW_EXIT_USAGE;
    } else {
        fputs(b.data, stdout);
    }
    kw_buf_free(&b);
    acl_config_free(c);
    return ex;
}

/* ---- checks: the catalogue ---- */

typedef struct cat {
    cli_listing l;
    size_t rows;
} cat;

static kw_rc cat_row(void *arg, const audit_res *r)
{
    cat *x = arg;
    x->rows++;
    if (x->l.json) {
        kw_json *j = &x->l.j;
        kw_json_obj_begin(j);
        kw_json_kv_str(j, "id", r->id);
        kw_json_kv_str(j, "category", r->category ? r->category : "");
        kw_json_kv_str(j, "group", r->group ? r->group : "");
        kw_json_kv_str(j, "severity", finding_sev_name(r->severity));
        kw_json_kv_str(j, "title_en", r->title_en);
        kw_json_kv_str(j, "title_zh", r->title_zh ? r->title_zh : "");
        kw_json_kv_str(j, "cis", r->refs.cis ? r->refs.cis : "");
        kw_json_kv_str(j, "gb", r->refs.gb ? r->refs.gb : "");
        kw_json_kv_str(j, "expected", r->expected ? r->expected : "");
        kw_json_kv_str(j, "fix", r->fix ? r->fix : "");
        kw_json_obj_end(j);
        return KW_OK;
    }
    kw_buf *b = &x->l.b;
    kw_buf_printf(b, "%-30s %-9s %-10s %-10s %-14s ", r->id, finding_sev_name(r->severity), r->group ? r->group : "",
                  r->refs.cis ? r->refs.cis : "-", r->refs.gb ? r->refs.gb : "-");
    kw_buf_puts(b, audit_locale_zh() && r->title_zh ? r->title_zh : r->title_en);
    kw_buf_putc(b, '\n');
    return KW_OK;
}

static int cmd_checks(const audit_args *a, char **what, int n)
{
    bool host = n == 0 || !strcmp(what[0], "host"), app = n == 0 || !strcmp(what[0], "app");
    if (n > 1 || (!host && !app))
        return usage_err("audit checks takes host or app");
    cat x = {0};
    cli_listing_begin(&x.l, a->json, "%-30s %-9s %-10s %-10s %-14s %s", "ID", "SEVERITY", "GROUP", "CIS", "GB/T 22239",
                      "TITLE");
    if (host)
        audit_host_each(cat_row, &x);
    if (app)
        audit_app_each(cat_row, &x);
    cli_listing_end(&x.l, x.rows, "no checks");
    return KW_EXIT_OK;
}

int cli_audit(int argc, char **argv)
{
    if (argc < 2 || (cli_wants_help(argc, argv) && argc == 2)) {
        fputs(audit_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    const char *sub = argv[1];
    audit_args a = {0};
    int rc = parse_args(argc - 1, argv + 1, &a);
    if (rc)
        return rc < 0 ? KW_EXIT_OK : rc;
    char **ops = argv + 1 + optind;
    int nops = argc - 1 - optind;
    if (!strcmp(sub, "config"))
        return cmd_config(&a, ops, nops);
    if (!strcmp(sub, "path"))
        return cmd_path(&a, ops, nops);
    if (!strcmp(sub, "host"))
        return cmd_host(&a, nops);
    if (!strcmp(sub, "app"))
        return cmd_app(&a, ops, nops);
    if (!strcmp(sub, "checks"))
        return cmd_checks(&a, ops, nops);
    return usage_err("unknown subcommand (config, path, host, app, checks)");
}
