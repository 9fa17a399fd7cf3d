/* keepwatch findings list|show|assign|start|fix|accept|false-positive|reopen|verify|plan|stats|
 * import: the remediation workflow on the store's findings (src/findings/). */
#include "cli/cli.h"
#include "core/kw_file.h"
#include "core/kw_time.h"
#include "findings/findings.h"
#include "findings/findings_import.h"
#include "findings/findings_report.h"
#include "findings/findings_run.h"
#include "store/store_findings.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char findings_usage[] =
    "usage: keepwatch findings list [--status S] [--severity MIN] [--department D] [--owner O]\n"
    "                               [--asset A] [--scanner S] [--text T] [--overdue] [--not-seen]\n"
    "                               [--sort risk|due|last_seen|severity|id] [--limit N] [--json]\n"
    "       keepwatch findings show ID [--json]\n"
    "       keepwatch findings assign ID OWNER [--department D] [--due TIME] [--note TEXT]\n"
    "       keepwatch findings start|fix|reopen ID [--note TEXT]\n"
    "       keepwatch findings verify ID --note TEXT\n"
    "       keepwatch findings accept ID --reason TEXT --until TIME\n"
    "       keepwatch findings false-positive ID --reason TEXT\n"
    "       keepwatch findings plan [--department D] [--owner O] [--severity MIN] [--per-owner N | --all]\n"
    "                               [--json]\n"
    "       keepwatch findings stats [--days N] [--json]\n"
    "       keepwatch findings import FILE... [--format F] [--json]\n"
    "\n"
    "One store of findings from every source: keepwatch's scans and audits, and imports of\n"
    "other tools' reports (--format nmap, nuclei, openvas, lynis, wapiti, zap or csv; by default\n"
    "recognised from the content). A finding is one weakness on one asset at one place; a rescan\n"
    "or a re-import of the same place updates it instead of adding another. What a scan or an\n"
    "import covered and no longer reports is marked: fixed findings become verified, open ones\n"
    "are flagged not seen for a person to confirm; one seen again after fixed or verified reopens.\n"
    "\n"
    "Statuses: open -> assigned -> fixing -> fixed -> verified, or reopened; accepted (until a\n"
    "date, then it reopens) and false_positive (stays closed). list shows the active ones\n"
    "(open, assigned, fixing, reopened) by default (--status all|closed|LIST for others), highest\n"
    "risk first. Risk (0-100) is the CVSS score (or the severity's middle) x 10, weighed by the\n"
    "asset's criticality, its exposure (assets[].exposure: internet) and whether the\n"
    "vulnerability is known exploited (findings.kev_file, findings.exploited). Deadlines follow\n"
    "findings.sla per severity, tighter during the protection period (period:). plan prints\n"
    "what to fix grouped by owner (the owner of the riskiest first), each owner's count and overdue\n"
    "and the riskiest --per-owner (10; --all: every one) with deadlines; stats counts findings per\n"
    "severity and department in each status and gives the burndown per day. Every change is a\n"
    "duty-log entry. TIME is YYYY-MM-DD, YYYY-MM-DDTHH:MM or +7d. Every command takes -c FILE.\n"
    "Exit: 0 ok, 1 the command found findings (import, list with rows) or failed, 2 bad usage.\n";

static int usage_fail(const char *msg)
{
    fprintf(stderr, "keepwatch findings: %s\n%s", msg, findings_usage);
    return KW_EXIT_USAGE;
}

typedef struct findings_opts {
    const char *cfg, *note, *reason, *department, *format;
    int64_t until_ms, due_ms;
    int days;
    int per_owner;      /* plan: the riskiest per owner shown (0: all) */
    bool json;
    store_findings_query q;
} findings_opts;

/* "+7d" (from now) or a time cli_parse_time reads. */
static bool parse_when(const char *s, int64_t *ms)
{
    if (s[0] == '+') {
        char err[128];
        int64_t d;
        if (kw_duration_parse(s + 1, &d, err, sizeof err) != KW_OK)
            return false;
        *ms = kw_now_ms() + d;
        return true;
    }
    return cli_parse_time(s, ms);
}

static int parse_opts(int argc, char **argv, findings_opts *o)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},  {"json", no_argument, NULL, 'j'},
        {"status", required_argument, NULL, 's'},  {"severity", required_argument, NULL, 'v'},
        {"department", required_argument, NULL, 'd'}, {"owner", required_argument, NULL, 'o'},
        {"asset", required_argument, NULL, 'a'},   {"scanner", required_argument, NULL, 'S'},
        {"text", required_argument, NULL, 't'},    {"overdue", no_argument, NULL, 'O'},
        {"not-seen", no_argument, NULL, 'N'},      {"sort", required_argument, NULL, 'r'},
        {"limit", required_argument, NULL, 'l'},   {"note", required_argument, NULL, 'n'},
        {"reason", required_argument, NULL, 'R'},  {"until", required_argument, NULL, 'u'},
        {"due", required_argument, NULL, 'D'},     {"days", required_argument, NULL, 'y'},
        {"format", required_argument, NULL, 'f'},  {"per-owner", required_argument, NULL, 'P'},
        {"all", no_argument, NULL, 'A'},           {0},
    };
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        char *end = NULL;
        switch (ch) {
        case 'c': o->cfg = optarg; break;
        case 'j': o->json = true; break;
        case 's': o->q.status = optarg; break;
        case 'v': {
            finding_sev s;
            if (!finding_sev_parse(optarg, &s))
                return usage_fail("--severity takes info, low, medium, high or critical");
            o->q.min_severity = s;
            break;
        }
        case 'd': o->q.department = o->department = optarg; break;
        case 'o': o->q.owner = optarg; break;
        case 'a': o->q.asset = optarg; break;
        case 'S': o->q.scanner = optarg; break;
        case 't': o->q.text = optarg; break;
        case 'O': o->q.overdue = true; break;
        case 'N': o->q.not_seen = true; break;
        case 'r': o->q.sort = optarg; break;
        case 'l':
            o->q.limit = strtoll(optarg, &end, 10);
            if (*end || o->q.limit < 1 || o->q.limit > 1000000)
                return usage_fail("--limit takes a number from 1 to 1000000");
            break;
        case 'n': o->note = optarg; break;
        case 'R': o->reason = optarg; break;
        case 'u':
            if (!parse_when(optarg, &o->until_ms))
                return usage_fail("--until takes YYYY-MM-DD, YYYY-MM-DDTHH:MM or +DURATION");
            break;
        case 'D':
            if (!parse_when(optarg, &o->due_ms))
                return usage_fail("--due takes YYYY-MM-DD, YYYY-MM-DDTHH:MM or +DURATION");
            break;
        case 'y':
            o->days = (int)strtol(optarg, &end, 10);
            if (*end || o->days < 1 || o->days > 366)
                return usage_fail("--days takes a number from 1 to 366");
            break;
        case 'f': o->format = optarg; break;
        case 'P':
            o->per_owner = (int)strtol(optarg, &end, 10);
            if (*end || o->per_owner < 1 || o->per_owner > 100000)
                return usage_fail("--per-owner takes a number from 1 to 100000");
            break;
        case 'A': o->per_owner = 0; break;
        default: fputs(findings_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    return -1;
}

/* The store, with the findings tables brought up to date. */
static kw_store *open_store(const findings_opts *o, bool must_exist)
{
    kw_store *s = cli_store_open(o->cfg, "findings", must_exist);
    if (s && store_findings_migrate(s) != KW_OK) {
        fprintf(stderr, "keepwatch findings: the findings tables: %s\n", store_errmsg(s));
        store_close(s);
        return NULL;
    }
    return s;
}

/* ---- list, show ---- */

typedef struct list_ctx {
    kw_buf *b;
    size_t n;
    int64_t now;
} list_ctx;

static void list_row(void *arg, const store_finding *f)
{
    list_ctx *x = arg;
    char id[24], due[24] = "-";
    snprintf(id, sizeof id, "#%lld", (long long)f->id);
    if (f->due_ms) {
        char t[40];
        kw_time_iso8601(f->due_ms, t, sizeof t);
        finding_status st = FST_OPEN;
        finding_status_parse(f->status, &st);
        snprintf(due, sizeof due, "%.10s%s", t, f->due_ms < x->now && finding_status_active(st) ? "!" : "");
    }
    kw_buf_printf(x->b, "%-7s %5.1f %-8s %-14s %-11s ", id, f->risk, finding_sev_name((finding_sev)f->severity),
                  f->status, due);
    cli_put_col(x->b, f->owner[0] ? f->owner : "-", 12);
    kw_buf_printf(x->b, " %s on %s%s%s: %s%s\n", f->vuln_id, f->asset, f->place[0] ? " " : "", f->place, f->title,
                  f->not_seen ? " (not seen)" : "");
    x->n++;
}

static int findings_list(kw_store *s, findings_opts *o)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    o->q.now_ms = kw_now_ms();
    kw_rc rc;
    size_t rows = 0;
    if (o->json) {
        rc = store_findings_list_json(s, &o->q, &b);
        rows = strstr(kw_buf_cstr(&b), "\"total\":0,") ? 0 : 1;
    } else {
        kw_buf_printf(&b, "%-7s %5s %-8s %-14s %-11s %-12s %s\n", "ID", "RISK", "SEVERITY", "STATUS", "DUE", "OWNER",
                      "FINDING");
        list_ctx x = {.b = &b, .now = o->q.now_ms};
        rc = store_findings_each(s, &o->q, list_row, &x);
        rows = x.n;
        if (!rows) {
            b.len = 0;
            kw_buf_printf(&b, "no findings\n");
        }
    }
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch findings list: %s\n", store_errmsg(s));
        kw_buf_free(&b);
        return o->q.status && strstr(store_errmsg(s), "unknown status") ? KW_EXIT_USAGE : KW_EXIT_PROBLEM;
    }
    fwrite(b.data, 1, b.len, stdout);
    if (o->json)
        putchar('\n');
    kw_buf_free(&b);
    return rows ? KW_EXIT_PROBLEM : KW_EXIT_OK;
}

/* One finding for a person: what and where first, the workflow, the long texts, the history. */
static void show_text(const char *text)
{
    json_error_t je;
    json_t *d = json_loads(text, 0, &je);
    if (!json_is_object(d)) {
        fputs(text, stdout);
        putchar('\n');
        json_decref(d);
        return;
    }
    static const struct {
        const char *key, *label;
    } rows[] = {
        {"keepwatch.finding.id", "finding"},        {"vulnerability.id", "vulnerability"},
        {"message", "title"},                       {"vulnerability.severity", "severity"},
        {"vulnerability.score.base", "score"},      {"vulnerability.score.version", "cvss"},
        {"keepwatch.finding.vector", "vector"},     {"keepwatch.finding.risk", "risk"},
        {"keepwatch.finding.known_exploited", "known exploited"},
        {"vulnerability.category", "category"},     {"keepwatch.finding.asset", "asset"},
        {"keepwatch.finding.place", "place"},       {"url.full", "url"},
        {"package.name", "package"},                {"package.version", "installed"},
        {"keepwatch.finding.fixed_version", "fixed in"},
        {"vulnerability.scanner.vendor", "scanner"}, {"keepwatch.finding.version_based", "version-based"},
        {"keepwatch.finding.status", "status"},     {"keepwatch.finding.not_seen", "not seen"},
        {"keepwatch.finding.owner", "owner"},       {"keepwatch.finding.department", "department"},
        {"keepwatch.finding.due", "due"},           {"keepwatch.finding.accepted_until", "accepted until"},
        {"keepwatch.finding.reason", "reason"},     {"keepwatch.finding.by", "by"},
        {"keepwatch.finding.first_seen", "first seen"}, {"keepwatch.finding.last_seen", "last seen"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *v = json_object_get(d, rows[i].key);
        if (!v || json_is_null(v) || (json_is_false(v)))
            continue;
        printf("%-16s ", rows[i].label);
        if (json_is_string(v))
            printf("%s\n", json_string_value(v));
        else if (json_is_true(v))
            printf("yes\n");
        else if (json_is_integer(v))
            printf("%lld\n", (long long)json_integer_value(v));
        else if (json_is_real(v))
            printf("%.1f\n", json_real_value(v));
        else
            printf("\n");
    }
    static const char *const longs[][2] = {{"vulnerability.description", "Description"},
                                           {"keepwatch.finding.solution", "Solution"},
                                           {"vulnerability.reference", "References"},
                                           {"keepwatch.finding.evidence", "Evidence"}};
    for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++) {
        const char *v = json_string_value(json_object_get(d, longs[i][0]));
        if (v && *v)
            printf("\n%s:\n%s\n", longs[i][1], v);
    }
    json_t *h = json_object_get(d, "keepwatch.finding.history");
    if (json_array_size(h))
        printf("\nHistory:\n");
    size_t k;
    json_t *e;
    json_array_foreach(h, k, e) {
        const char *from = json_string_value(json_object_get(e, "from")), *to = json_string_value(json_object_get(e, "to"));
        const char *note = json_string_value(json_object_get(e, "note"));
        printf("  %.19s  %-12s %-20s %s%s%s%s%s\n", json_string_value(json_object_get(e, "at")) ?: "",
               json_string_value(json_object_get(e, "actor")) ?: "-", json_string_value(json_object_get(e, "action")) ?: "",
               from ? from : "", from || to ? " -> " : "", to ? to : "", note && *note ? "  " : "", note ? note : "");
    }
    json_decref(d);
}

static int findings_show(kw_store *s, int64_t id, const findings_opts *o)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_rc rc = store_finding_get_json(s, id, &b);
    if (rc == KW_ERR_NOTFOUND) {
        fprintf(stderr, "keepwatch findings show: no finding #%lld\n", (long long)id);
        kw_buf_free(&b);
        return KW_EXIT_PROBLEM;
    }
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch findings show: %s\n", store_errmsg(s));
        kw_buf_free(&b);
        return KW_EXIT_PROBLEM;
    }
    if (o->json) {
        fwrite(b.data, 1, b.len, stdout);
        putchar('\n');
    } else {
        show_text(kw_buf_cstr(&b));
    }
    kw_buf_free(&b);
    return KW_EXIT_OK;
}

/* ---- moves ---- */

static int findings_move(kw_store *s, const conf *c, finding_move m, int64_t id, const char *owner,
                         const findings_opts *o)
{
    char who[128], err[512] = "";
    findings_ask a = {
        .move = m, .by = cli_whoami(who, sizeof who), .owner = owner, .department = o->department,
        .reason = o->reason ? o->reason : o->note, .until_ms = o->until_ms, .due_ms = o->due_ms,
    };
    if (m == FMOVE_VERIFY && (!a.reason || !*a.reason))
        return usage_fail("verify by hand needs --note saying how it was checked");
    kw_rc rc = findings_apply(s, c, id, &a, kw_now_ms(), err, sizeof err);
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch findings %s: %s\n", finding_move_name(m), err);
        return rc == KW_ERR_RANGE && strstr(err, "needs") ? KW_EXIT_USAGE : KW_EXIT_PROBLEM;
    }
    store_finding f;
    if (store_finding_get(s, NULL, id, &f) == KW_OK)
        printf("finding #%lld %s on %s: %s%s%s\n", (long long)id, f.vuln_id, f.asset, f.status,
               f.owner[0] ? ", owner " : "", f.owner);
    return KW_EXIT_OK;
}

/* ---- import ---- */

static int import_one(kw_store *s, const conf *c, const findings_kev *kev, const char *path, const findings_opts *o)
{
    findings_format fmt = FIMP_AUTO;
    if (o->format && !findings_format_parse(o->format, &fmt))
        return usage_fail("--format takes nmap, nuclei, openvas, lynis, wapiti, zap or csv");
    kw_buf b;
    kw_rc rc = kw_file_read(path, FINDINGS_IMPORT_MAX, &b);
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch findings import: %s: %s\n", path,
                rc == KW_ERR_FULL ? "larger than the 128 MiB a report may be" : strerror(errno));
        kw_buf_free(&b);
        return KW_EXIT_USAGE;
    }
    if (fmt == FIMP_AUTO)
        fmt = findings_format_guess(b.data ? b.data : "", b.len);
    if (fmt == FIMP_AUTO) {
        fprintf(stderr, "keepwatch findings import: %s: not a report keepwatch reads (give --format)\n", path);
        kw_buf_free(&b);
        return KW_EXIT_USAGE;
    }
    char who[128], err[512] = "";
    findings_run *r = findings_run_open(s, c, kev, findings_format_name(fmt), path, cli_whoami(who, sizeof who));
    finding_sink sink = findings_run_sink(r);
    findings_import_stats st = {0};
    rc = findings_import(b.data ? b.data : "", b.len, fmt, &sink, &st, err, sizeof err);
    kw_buf_free(&b);
    if (rc != KW_OK) { /* a bad report stores nothing of itself */
        findings_run_abort(r);
        fprintf(stderr, "keepwatch findings import: %s (%s): %s; nothing imported\n", path, findings_format_name(fmt),
                err);
        return KW_EXIT_USAGE;
    }
    findings_counts k;
    rc = findings_run_close(r, &k, err, sizeof err);
    if (rc != KW_OK) {
        fprintf(stderr, "keepwatch findings import: %s: %s\n", path, err);
        return KW_EXIT_PROBLEM;
    }
    if (o->json) {
        kw_buf j;
        kw_buf_init(&j, 1 << 16);
        kw_json w;
        kw_json_init(&w, &j);
        kw_json_obj_begin(&w);
        kw_json_kv_str(&w, "file", path);
        kw_json_kv_str(&w, "format", findings_format_name(fmt));
        const char *keys[] = {"reported", "added", "updated", "reopened", "verified", "not_seen", "skipped"};
        size_t vals[] = {k.reported, k.added, k.updated, k.reopened, k.verified, k.not_seen, st.skipped};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            kw_json_kv_int(&w, keys[i], (int64_t)vals[i]);
        kw_json_obj_end(&w);
        puts(kw_buf_cstr(&j));
        kw_buf_free(&j);
    } else {
        printf("%s (%s): %zu findings: %zu new, %zu seen again (%zu reopened), %zu verified, %zu not seen%s\n", path,
               findings_format_name(fmt), k.reported, k.added, k.updated, k.reopened, k.verified, k.not_seen,
               st.skipped ? "; records without an id, a title or a place skipped" : "");
    }
    return k.reported ? KW_EXIT_PROBLEM : KW_EXIT_OK;
}

static int findings_import_cmd(kw_store *s, const conf *c, int argc, char **argv, const findings_opts *o)
{
    char err[512] = "";
    findings_kev *kev = NULL;
    if (findings_kev_from_conf(c, &kev, err, sizeof err) != KW_OK) {
        fprintf(stderr, "keepwatch findings import: %s\n", err);
        return KW_EXIT_USAGE;
    }
    int status = KW_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        int one = import_one(s, c, kev, argv[i], o);
        status = one > status ? one : status;
    }
    findings_kev_free(kev);
    return status;
}

/* ---- dispatch ---- */

static bool parse_id(const char *s, int64_t *id)
{
    char *end;
    if (s[0] == '#')
        s++;
    *id = strtoll(s, &end, 10);
    return !*end && *id > 0;
}

static int run_verb(const char *verb, int argc, char **argv, findings_opts *o)
{
    bool reading = !strcmp(verb, "list") || !strcmp(verb, "show") || !strcmp(verb, "plan") || !strcmp(verb, "stats");
    finding_move m = FMOVE_ASSIGN;
    bool move = !strcmp(verb, "start") ? (m = FMOVE_START, true) : finding_move_parse(verb, &m);
    bool import = !strcmp(verb, "import");
    if (!reading && !move && !import)
        return usage_fail("unknown command");
    int want = !strcmp(verb, "show") || (move && m != FMOVE_ASSIGN) ? 1 : m == FMOVE_ASSIGN && move ? 2 : 0;
    if (import ? optind >= argc : argc - optind != want)
        return usage_fail(import ? "give the report files" : want == 2 ? "give the finding ID and the owner"
                                                         : want      ? "give one finding ID"
                                                                     : "this command takes no arguments");
    int64_t id = 0;
    if (want && !parse_id(argv[optind], &id))
        return usage_fail("a finding ID is a positive number");
    conf *c = cli_conf_load(o->cfg);
    if (!c)
        return KW_EXIT_USAGE;
    kw_store *s = open_store(o, reading);
    if (!s) {
        conf_free(c);
        return KW_EXIT_USAGE;
    }
    int status = KW_EXIT_OK;
    if (!strcmp(verb, "list")) {
        status = findings_list(s, o);
    } else if (!strcmp(verb, "show")) {
        status = findings_show(s, id, o);
    } else if (move) {
        status = findings_move(s, c, m, id, want == 2 ? argv[optind + 1] : NULL, o);
    } else if (import) {
        status = findings_import_cmd(s, c, argc, argv, o);
    } else {
        kw_buf b;
        kw_buf_init(&b, 0);
        int64_t now = kw_now_ms();
        o->q.now_ms = now;
        kw_rc rc = !strcmp(verb, "plan") ? findings_plan(s, &o->q, now, c->console.tz_min, o->json, o->per_owner, &b)
                                         : findings_stats(s, c, now, o->days, o->json, &b);
        if (rc == KW_OK) {
            fwrite(b.data, 1, b.len, stdout);
            if (o->json)
                putchar('\n');
        } else {
            fprintf(stderr, "keepwatch findings %s: %s\n", verb, store_errmsg(s));
            status = KW_EXIT_PROBLEM;
        }
        kw_buf_free(&b);
    }
    store_close(s);
    conf_free(c);
    return status;
}

int cli_findings(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        fputs(findings_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? KW_EXIT_USAGE : KW_EXIT_OK;
    }
    findings_opts o = {.per_owner = 10};
    int rc = parse_opts(argc, argv, &o);
    if (rc >= 0)
        return rc;
    return run_verb(argv[1], argc, argv, &o);
}
