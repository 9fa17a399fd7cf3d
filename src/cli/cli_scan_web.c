/* keepwatch scan web URL...: crawls and checks web sites (src/scan/scan_web*.c) within their
 * scope and scan.allowed, prints the findings (a table or ECS JSON lines) and records them as
 * one run; --recheck ID replays one stored finding's proof and records what it saw (found
 * again, or no longer: a fixed finding is then verified). A progress line on a terminal. */
#include "cli/cli.h"
#include "cli/cli_scan_record.h"
#include "core/kw_buf.h"
#include "core/kw_mem.h"
#include "scan/scan_web.h"
#include "scan/scan_web_run.h"
#include "scan/scan_web_tmpl.h"
#include "store/store_findings.h"

#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char web_usage[] =
    "usage: keepwatch scan web URL... [--scope PREFIX]... [--seed 'METHOD URL [BODY]']... [--openapi URL]...\n"
    "                          [--profile quick|standard|thorough] [--rate N] [--concurrency N]\n"
    "                          [--max-requests N] [--max-pages N] [--depth N] [--timeout MS]\n"
    "                          [--cookie 'a=b; c=d'] [--header 'Name: value']...\n"
    "                          [--login URL --login-field NAME=VALUE... [--login-success TEXT]]\n"
    "                          [--templates DIR]... [--json] [--no-store] [-c FILE]\n"
    "       keepwatch scan web --recheck FINDING_ID [auth options] [-c FILE]\n"
    "\n"
    "Crawls each site from its URLs (links and forms as an HTML parser reads them, robots.txt,\n"
    "sitemap.xml, redirects within scope; one visit per path and parameter names), then checks\n"
    "every parameter of every query, form and seeded JSON body for reflected and stored XSS, SQL\n"
    "injection (error, boolean and time based), path traversal, OS command injection, open\n"
    "redirect and server-side template injection, looks for exposed files (.git, .svn, .env,\n"
    "backups, phpinfo, admin consoles, directory listings, stack traces), and notes missing\n"
    "security headers, weak cookies and version banners once per site. Each finding carries the\n"
    "request that proves it and the part of the answer that shows it. Findings are recorded in\n"
    "the store (one run: what a complete scan covered and no longer sees is marked, fixed ones\n"
    "verified); a scan cut short records what it found and marks nothing.\n"
    "\n"
    "Every request stays inside the scope: --scope prefixes (scheme, host, port and path), or\n"
    "each URL's whole site; each host must resolve into scan.allowed (default: loopback and\n"
    "private addresses), checked before anything is sent, and its address is pinned. Logout\n"
    "links are never requested. TLS certificates are not verified (a scan looks, it does not\n"
    "trust). Send --auth either as --cookie/--header, or as a login form that the scan signs in\n"
    "with (its other fields, CSRF tokens included, keep their values) and signs in again with\n"
    "when the session ends.\n"
    "\n"
    "  --scope PREFIX        only URLs under PREFIX (http://host:port/path); repeatable\n"
    "  --seed 'M URL [BODY]' a request the crawl cannot see (JSON APIs): a body starting with {\n"
    "                        is JSON, else form-encoded; repeatable\n"
    "  --openapi URL         an OpenAPI 3 / Swagger 2 JSON document listing the API's operations\n"
    "                        (each site's /openapi.json, /v3/api-docs, /swagger.json, /v2/api-docs\n"
    "                        are asked for anyway in the standard and thorough profiles)\n"
    "  --profile P           quick (passive, files, reflected XSS, error SQLi), standard (the\n"
    "                        default: everything), thorough (+ hidden fields, cookies, path\n"
    "                        segments, more payloads)\n"
    "  --rate N              requests per second (scan.web.rate; 0: no bound)\n"
    "  --concurrency N       requests at once, 1-32 (scan.web.concurrency; default 4)\n"
    "  --max-requests N      the scan's budget (default: quick 3000, standard 15000, thorough 60000)\n"
    "  --max-pages N         pages the crawl fetches (default 1000)\n"
    "  --depth N             links followed from a start URL (default 10)\n"
    "  --timeout MS          one request's longest wait (scan.web.timeout; default 10000)\n"
    "  --cookie STR          a session cookie sent on every request\n"
    "  --header 'N: V'       a header sent on every request (Authorization: Bearer ...)\n"
    "  --auth KIND:VALUE     the same as cookie:STR, header:'N: V' or form:URL (= --login URL)\n"
    "  --login URL           a login form's page; --login-field NAME=VALUE fills it (repeatable);\n"
    "  --login-success TEXT  text the page after sign-in shows (default: no password field on it)\n"
    "  --templates DIR       Nuclei-format HTTP templates to run too (added to scan.web.templates);\n"
    "                        ones using features keepwatch does not run are listed as skipped\n"
    "  --recheck ID          replay the proof of stored finding ID only, and record the result\n"
    "  --json                findings as ECS JSON lines\n"
    "  --no-store            print the findings without recording them\n"
    "  -c FILE               the configuration (scan.allowed, scan.web)\n"
    "\n"
    "exit status: 0 no finding (a recheck: no longer seen), 1 findings (still there), 2 bad usage,\n"
    "a URL outside scan.allowed or one that does not resolve.\n";

typedef struct strv {
    char **v;
    size_t n, cap;
} strv;

static void strv_add(strv *s, const char *v)
{
    kw_grow(&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = (char *)v;
}

typedef struct web_cli {
    const char *cfg, *cookie, *login, *login_success;
    strv scope, seeds, headers, fields, templates, openapi;
    unsigned profile;
    double rate;
    int concurrency, depth;
    int64_t max_requests, max_pages, timeout_ms, recheck;
    bool json, no_store;
} web_cli;

static volatile int cancel;
static bool tty;
static size_t notes;

static void on_sigint(int sig)
{
    (void)sig;
    cancel = 1;
}

static void on_progress(void *arg, const web_progress *p)
{
    (void)arg;
    if (p->crawling)
        fprintf(stderr, "\r\033[K  crawling: %llu requests, %llu pages, %llu findings", (unsigned long long)p->requests,
                (unsigned long long)p->pages, (unsigned long long)p->findings);
    else
        fprintf(stderr, "\r\033[K  checking: %llu/%llu parameters, %llu requests, %llu findings",
                (unsigned long long)p->points_done, (unsigned long long)p->points, (unsigned long long)p->requests,
                (unsigned long long)p->findings);
}

#define NOTES_SHOWN 20

static void on_note(void *arg, const char *line)
{
    (void)arg;
    if (++notes <= NOTES_SHOWN)
        fprintf(stderr, "%skeepwatch scan web: %s\n", tty ? "\r\033[K" : "", line);
}

static void on_skip(void *arg, const char *path, const char *id, const char *why)
{
    size_t *n = arg;
    if (++*n <= NOTES_SHOWN)
        fprintf(stderr, "keepwatch scan web: template %s skipped (%s): %s\n", id ? id : "?", path, why);
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "keepwatch scan web: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    return KW_EXIT_USAGE;
}

static bool num(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s == 0 || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* --auth KIND:VALUE as the flags it stands for. */
static bool auth_opt(web_cli *a, const char *v)
{
    if (strncmp(v, "cookie:", 7) == 0)
        a->cookie = v + 7;
    else if (strncmp(v, "header:", 7) == 0)
        strv_add(&a->headers, v + 7);
    else if (strncmp(v, "form:", 5) == 0)
        a->login = v + 5;
    else
        return false;
    return true;
}

static int parse(web_cli *a, int argc, char **argv, strv *urls)
{
    enum { O_SCOPE = 256, O_SEED, O_PROFILE, O_RATE, O_CONC, O_MAXREQ, O_MAXPAGES, O_DEPTH, O_TIMEOUT, O_COOKIE,
           O_HEADER, O_AUTH, O_LOGIN, O_FIELD, O_SUCCESS, O_TEMPLATES, O_RECHECK, O_JSON, O_NOSTORE, O_OPENAPI };
    static const struct option opts[] = {
        {"scope", required_argument, NULL, O_SCOPE},       {"seed", required_argument, NULL, O_SEED},
        {"profile", required_argument, NULL, O_PROFILE},   {"rate", required_argument, NULL, O_RATE},
        {"concurrency", required_argument, NULL, O_CONC},  {"max-requests", required_argument, NULL, O_MAXREQ},
        {"max-pages", required_argument, NULL, O_MAXPAGES}, {"depth", required_argument, NULL, O_DEPTH},
        {"timeout", required_argument, NULL, O_TIMEOUT},   {"cookie", required_argument, NULL, O_COOKIE},
        {"header", required_argument, NULL, O_HEADER},     {"auth", required_argument, NULL, O_AUTH},
        {"login", required_argument, NULL, O_LOGIN},       {"login-field", required_argument, NULL, O_FIELD},
        {"login-success", required_argument, NULL, O_SUCCESS}, {"templates", required_argument, NULL, O_TEMPLATES},
        {"recheck", required_argument, NULL, O_RECHECK},   {"json", no_argument, NULL, O_JSON},
        {"no-store", no_argument, NULL, O_NOSTORE},        {"config", required_argument, NULL, 'c'},
        {"openapi", required_argument, NULL, O_OPENAPI},
        {"help", no_argument, NULL, 'h'},                  {NULL, 0, NULL, 0}};
    int ch;
    int64_t v;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "hc:", opts, NULL)) != -1) {
        switch (ch) {
        case O_SCOPE: strv_add(&a->scope, optarg); break;
        case O_SEED: strv_add(&a->seeds, optarg); break;
        case O_OPENAPI: strv_add(&a->openapi, optarg); break;
        case O_PROFILE:
            a->profile = strcmp(optarg, "quick") == 0      ? WEB_QUICK
                         : strcmp(optarg, "standard") == 0 ? WEB_STANDARD
                         : strcmp(optarg, "thorough") == 0 ? WEB_THOROUGH
                                                           : 0;
            if (!a->profile)
                return usage_error("--profile is quick, standard or thorough", optarg);
            break;
        case O_RATE:
            if (!num(optarg, 0, 100000, &v))
                return usage_error("--rate takes requests per second (0-100000)", optarg);
            a->rate = (double)v;
            break;
        case O_CONC:
            if (!num(optarg, 1, 32, &v))
                return usage_error("--concurrency takes 1-32", optarg);
            a->concurrency = (int)v;
            break;
        case O_MAXREQ:
            if (!num(optarg, 1, 10000000, &a->max_requests))
                return usage_error("--max-requests takes 1-10000000", optarg);
            break;
        case O_MAXPAGES:
            if (!num(optarg, 1, 1000000, &a->max_pages))
                return usage_error("--max-pages takes 1-1000000", optarg);
            break;
        case O_DEPTH:
            if (!num(optarg, 1, 100, &v))
                return usage_error("--depth takes 1-100", optarg);
            a->depth = (int)v;
            break;
        case O_TIMEOUT:
            if (!num(optarg, 100, 600000, &a->timeout_ms))
                return usage_error("--timeout takes milliseconds (100-600000)", optarg);
            break;
        case O_COOKIE: a->cookie = optarg; break;
        case O_HEADER:
            if (!strchr(optarg, ':'))
                return usage_error("--header is 'Name: value'", optarg);
            strv_add(&a->headers, optarg);
            break;
        case O_AUTH:
            if (!auth_opt(a, optarg))
                return usage_error("--auth is cookie:STR, header:'Name: value' or form:URL", optarg);
            break;
        case O_LOGIN: a->login = optarg; break;
        case O_FIELD:
            if (!strchr(optarg, '='))
                return usage_error("--login-field is NAME=VALUE", optarg);
            strv_add(&a->fields, optarg);
            break;
        case O_SUCCESS: a->login_success = optarg; break;
        case O_TEMPLATES: strv_add(&a->templates, optarg); break;
        case O_RECHECK:
            if (!num(optarg, 1, INT64_MAX, &a->recheck))
                return usage_error("--recheck takes a finding's id", optarg);
            break;
        case O_JSON: a->json = true; break;
        case O_NOSTORE: a->no_store = true; break;
        case 'c': a->cfg = optarg; break;
        case 'h': fputs(web_usage, stdout); return KW_EXIT_OK;
        default: fputs(web_usage, stderr); return KW_EXIT_USAGE;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (strncmp(argv[i], "http://", 7) != 0 && strncmp(argv[i], "https://", 8) != 0)
            return usage_error("not an http(s) URL", argv[i]);
        strv_add(urls, argv[i]);
    }
    if (a->recheck ? urls->n != 0 : urls->n == 0) {
        fputs(web_usage, stderr);
        return KW_EXIT_USAGE;
    }
    if (a->fields.n && !a->login)
        return usage_error("--login-field needs --login URL", NULL);
    return -1;
}

static void fill_opts(web_scan_opts *o, const web_cli *a, const conf *c, const strv *urls)
{
    *o = (web_scan_opts){
        .urls = urls->v, .nurls = urls->n, .scope = a->scope.v, .nscope = a->scope.n, .seeds = a->seeds.v,
        .nseeds = a->seeds.n, .openapi = a->openapi.v, .nopenapi = a->openapi.n,
        .auth = {.headers = a->headers.v, .nheaders = a->headers.n, .cookie = a->cookie, .login_url = a->login,
                 .login_fields = a->fields.v, .nlogin_fields = a->fields.n, .login_success = a->login_success},
        .profile = a->profile, .rate = a->rate >= 0 ? a->rate : (double)c->scan.web.rate,
        .concurrency = a->concurrency ? a->concurrency : (int)c->scan.web.concurrency,
        .max_requests = (uint64_t)a->max_requests, .max_pages = (size_t)a->max_pages, .max_depth = a->depth,
        .timeout_ms = a->timeout_ms ? a->timeout_ms : c->scan.web.timeout_ms, .on_note = on_note,
        .cancel = &cancel};
    if (tty)
        o->on_progress = on_progress;
}

static void summary(const web_scan_stats *st, bool json)
{
    FILE *out = json ? stderr : stdout;
    if (tty)
        fputs("\r\033[K", stderr);
    char points[64];
    if (st->points_done < st->points)
        snprintf(points, sizeof points, "%llu of %llu", (unsigned long long)st->points_done,
                 (unsigned long long)st->points);
    else
        snprintf(points, sizeof points, "%llu", (unsigned long long)st->points);
    fprintf(out, "%llu request%s, %llu page%s, %s parameter%s checked, %llu finding%s in %.1f s%s%s\n",
            (unsigned long long)st->requests, st->requests == 1 ? "" : "s", (unsigned long long)st->pages,
            st->pages == 1 ? "" : "s", points, st->points == 1 ? "" : "s",
            (unsigned long long)st->findings, st->findings == 1 ? "" : "s", (double)st->elapsed_ms / 1000.0,
            st->budget_spent ? " (the request budget ran out: incomplete)" : "",
            st->refused ? " (requests out of scope refused)" : "");
    if (notes > NOTES_SHOWN)
        fprintf(stderr, "keepwatch scan web: %zu more notes not shown\n", notes - NOTES_SHOWN);
}

/* The string field key of a finding's JSON document, or NULL. */
static const char *doc_str(json_t *doc, const char *key)
{
    return json_string_value(json_object_get(doc, key));
}

static int recheck(web_cli *a, const conf *c, scan_record *rec, web_scan_opts *o)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    store_finding sf;
    if (store_finding_get(rec->st, NULL, a->recheck, &sf) != KW_OK ||
        store_finding_get_json(rec->st, a->recheck, &b) != KW_OK) {
        kw_buf_free(&b);
        fprintf(stderr, "keepwatch scan web: no finding %lld\n", (long long)a->recheck);
        scan_record_close(rec, false);
        return KW_EXIT_USAGE;
    }
    json_t *doc = json_loads(kw_buf_cstr(&b), 0, NULL);
    kw_buf_free(&b);
    const char *url = doc_str(doc, "url.full"), *param = doc_str(doc, "keepwatch.finding.parameter");
    char err[512] = "";
    bool seen = false;
    web_scan_stats st;
    kw_rc rc = KW_ERR_UNSUPPORTED;
    if (url)
        rc = web_recheck(o, sf.vuln_id, url, param, doc_str(doc, "keepwatch.finding.evidence"), &seen, &st, err,
                         sizeof err);
    else
        snprintf(err, sizeof err, "finding %lld has no URL: not a web finding", (long long)a->recheck);
    if (rc == KW_OK && !seen) {
        finding_cover cv = {.scanner = sf.scanner, .host = doc_str(doc, "host.name"), .ip = doc_str(doc, "host.ip"),
                            .fingerprint = sf.fingerprint};
        scan_record_cover(rec, &cv);
    }
    int code = KW_EXIT_USAGE;
    if (rc == KW_OK) {
        printf("finding %lld %s %s%s%s: %s (%llu requests)\n", (long long)a->recheck, sf.vuln_id, url,
               param ? " " : "", param ? param : "", seen ? "still there" : "no longer seen",
               (unsigned long long)st.requests);
        code = seen ? KW_EXIT_PROBLEM : KW_EXIT_OK;
    } else {
        fprintf(stderr, "keepwatch scan web: recheck %lld: %s\n", (long long)a->recheck, err[0] ? err : kw_rc_str(rc));
    }
    (void)c;
    json_decref(doc);
    if (scan_record_close(rec, rc == KW_OK) != KW_OK && code != KW_EXIT_USAGE)
        code = KW_EXIT_PROBLEM;
    return code;
}

static int scan(web_cli *a, const conf *c, scan_record *rec, web_scan_opts *o)
{
    char err[512] = "";
    web_scan_stats st;
    kw_rc rc = web_scan_run(o, &st, err, sizeof err);
    summary(&st, a->json);
    if (rc != KW_OK)
        fprintf(stderr, "keepwatch scan web: %s\n", err[0] ? err : kw_rc_str(rc));
    bool complete = rc == KW_OK || rc == KW_ERR_TIMEOUT || rc == KW_ERR_CANCELLED;
    (void)c;
    int code = rc == KW_ERR_RANGE || rc == KW_ERR_PARSE || rc == KW_ERR_NOTFOUND ? KW_EXIT_USAGE
               : st.findings                                                     ? KW_EXIT_PROBLEM
                                                                                 : KW_EXIT_OK;
    /* what it found is recorded whenever it ran; covers were made only when it ran whole */
    if (scan_record_close(rec, complete && st.requests > 0) != KW_OK && code != KW_EXIT_USAGE)
        code = KW_EXIT_PROBLEM;
    return code;
}

int cli_scan_web(int argc, char **argv)
{
    web_cli a = {.rate = -1};
    strv urls = {0};
    int code = parse(&a, argc, argv, &urls);
    conf *c = code < 0 ? cli_conf_load(cli_conf_path(a.cfg)) : NULL;
    scan_scope allowed = {0};
    web_tmpl_set *tmpl = NULL;
    char err[512];
    if (code < 0 && !c)
        code = KW_EXIT_USAGE;
    if (code < 0 && scan_scope_init(&allowed, c->scan.allowed.v, c->scan.allowed.n, err, sizeof err) != KW_OK)
        code = usage_error("scan.allowed", err);
    for (size_t i = 0; code < 0 && c && i < c->scan.web.templates.n; i++)
        strv_add(&a.templates, c->scan.web.templates.v[i]);
    size_t skipped = 0;
    if (code < 0 && a.templates.n &&
        web_tmpl_load_dirs(a.templates.v, a.templates.n, &tmpl, on_skip, &skipped, err, sizeof err) != KW_OK)
        code = usage_error("templates", err);
    if (code < 0 && tmpl)
        fprintf(stderr, "keepwatch scan web: %zu template%s loaded, %zu skipped\n", web_tmpl_count(tmpl),
                web_tmpl_count(tmpl) == 1 ? "" : "s", skipped);
    scan_record rec;
    if (code < 0) {
        char source[400];
        snprintf(source, sizeof source, "scan web %s%s", urls.n ? urls.v[0] : "--recheck",
                 urls.n > 1 ? " ..." : "");
        if (scan_record_open(&rec, a.cfg, c, "scan web", WEB_SCANNER, source, a.json, !a.no_store || a.recheck) !=
            KW_OK) {
            scan_record_close(&rec, false);
            code = KW_EXIT_USAGE;
        }
    }
    if (code < 0) {
        tty = isatty(STDERR_FILENO);
        signal(SIGINT, on_sigint);
        signal(SIGPIPE, SIG_IGN);
        web_scan_opts o;
        fill_opts(&o, &a, c, &urls);
        o.allowed = &allowed;
        o.templates = tmpl;
        o.sink = &rec.sink;
        code = a.recheck ? recheck(&a, c, &rec, &o) : scan(&a, c, &rec, &o);
    }
    web_tmpl_set_free(tmpl);
    scan_scope_free(&allowed);
    if (c)
        conf_free(c);
    free(urls.v), free(a.scope.v), free(a.seeds.v), free(a.headers.v), free(a.fields.v), free(a.templates.v);
    free(a.openapi.v);
    return code;
}
