/* scan_conf.c: the configuration's scan: section: the scope every scan must stay in (allowed;
 * empty is the built-in loopback + RFC 1918 + ULA), what is never scanned (exclude), the rates
 * and the probe timeout; its checks; and the scheduled network scans (net: a list of jobs, each
 * with its targets, ports and interval), which the scan module runs on the leading server. */
#include "scan/scan_conf.h"
#include "scan/scan.h"
#include "scan/scan_job.h"

#include <stdio.h>
#include <string.h>

/* credentials: none (the default) or check (identification tries the short list of defaults). */
static const char *const credentials_names[] = {"none", "check", NULL};

static void scan_conf_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf *c = obj;
    yaml_node_t *al = cf_find(ctx, n, "allowed"), *ex = cf_find(ctx, n, "exclude");
    for (size_t i = 0; i < c->scan.allowed.n; i++)
        if (!cf_valid_prefix(c->scan.allowed.v[i]))
            cf_error(ctx, cf_item_or(ctx, al, i), "scan.allowed: \"%s\" is not an address or prefix",
                     c->scan.allowed.v[i]);
    for (size_t i = 0; i < c->scan.exclude.n; i++) {
        scan_spans s = {0};
        char err[256];
        if (scan_spans_add(&s, c->scan.exclude.v[i], NULL, err, sizeof err) != KW_OK)
            cf_error(ctx, cf_item_or(ctx, ex, i), "scan.exclude: %s", err);
        scan_spans_free(&s);
    }
    /* the API starts a job by name: a web job may not take a network job's */
    for (size_t i = 0; i < c->scan.web.jobs.n; i++) {
        const conf_web_job *w = CONF_AT(c->scan.web.jobs, conf_web_job, i);
        for (size_t k = 0; w->name && k < c->scan.net.n; k++)
            if (CONF_AT(c->scan.net, conf_scan_job, k)->name &&
                strcmp(CONF_AT(c->scan.net, conf_scan_job, k)->name, w->name) == 0)
                cf_error(ctx, n, "scan.web job \"%s\": a scan.net job has that name", w->name);
    }
    /* a scheduled scan of an address outside the scope would be refused every time it runs */
    scan_scope sc = {0};
    char err[256];
    if (scan_scope_init(&sc, c->scan.allowed.v, c->scan.allowed.n, err, sizeof err) != KW_OK)
        return;
    yaml_node_t *jl = cf_find(ctx, n, "net");
    for (size_t i = 0; i < c->scan.net.n; i++) {
        const conf_scan_job *j = CONF_AT(c->scan.net, conf_scan_job, i);
        scan_target_opts to = {.large = true};
        scan_targets t = {0};
        for (size_t k = 0; k < j->targets.n; k++)
            scan_targets_add(&t, j->targets.v[k], &to, err, sizeof err); /* names: checked when it runs */
        size_t outside = 0;
        if (scan_targets_in_scope(&t, &sc, &outside, err, sizeof err) != KW_OK)
            cf_error(ctx, cf_item_or(ctx, jl, i), "scan.net job \"%s\": %s", j->name ? j->name : "?", err);
        scan_targets_free(&t);
    }
    scan_scope_free(&sc);
}

static void job_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_scan_job *j = obj;
    const char *name = j->name ? j->name : "?";
    char err[256];
    if (!j->targets.n)
        cf_error(ctx, n, "scan.net job \"%s\" needs targets", name);
    scan_target_opts to = {.large = j->large}; /* names are resolved when the job runs */
    yaml_node_t *tl = cf_find(ctx, n, "targets");
    for (size_t i = 0; i < j->targets.n; i++) {
        scan_targets t = {0};
        kw_rc rc = scan_targets_add(&t, j->targets.v[i], &to, err, sizeof err);
        if (rc != KW_OK && rc != KW_ERR_NOTFOUND && !(rc == KW_ERR_PARSE && strstr(err, "name")))
            cf_error(ctx, cf_item_or(ctx, tl, i), "scan.net job \"%s\": %s", name, err);
        scan_targets_free(&t);
    }
    scan_ports p;
    if (j->ports && scan_ports_parse(&p, j->ports, err, sizeof err) != KW_OK)
        cf_error(ctx, cf_find_or(ctx, n, "ports"), "scan.net job \"%s\": ports: %s", name, err);
    if (j->every_ms <= 0)
        cf_error(ctx, cf_find_or(ctx, n, "every"), "scan.net job \"%s\" needs every (how often it runs)", name);
}

static const cf_field job_fields[] = {
    F(conf_scan_job, "name", CF_STR, name),
    F(conf_scan_job, "targets", CF_STRS, targets),
    F(conf_scan_job, "ports", CF_STR, ports),
    F(conf_scan_job, "exclude", CF_STRS, exclude),
    F(conf_scan_job, "udp", CF_BOOL, udp),
    F(conf_scan_job, "identify", CF_BOOL, identify, .dflt = true),
    F(conf_scan_job, "credentials", CF_ENUM, credentials, .names = credentials_names),
    F(conf_scan_job, "large", CF_BOOL, large),
    F(conf_scan_job, "every", CF_DURATION, every_ms, 60000, CF_YEAR, .dflt = 86400000),
    {0},
};
static const cf_section job_section = {"scan.net", sizeof(conf_scan_job), job_fields, NULL, job_check, NULL};

static const char *const profile_names[] = {"quick", "standard", "thorough", NULL};

static void web_job_check(cf_ctx *ctx, void *obj, yaml_node_t *n)
{
    conf_web_job *j = obj;
    const char *name = j->name ? j->name : "?";
    if (!j->urls.n)
        cf_error(ctx, n, "scan.web job \"%s\" needs urls", name);
    conf_strs *lists[] = {&j->urls, &j->scope};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++)
            if (strncmp(lists[l]->v[i], "http://", 7) != 0 && strncmp(lists[l]->v[i], "https://", 8) != 0)
                cf_error(ctx, cf_find_or(ctx, n, l ? "scope" : "urls"), "scan.web job \"%s\": \"%s\" is not an http(s) URL",
                         name, lists[l]->v[i]);
    if (j->login_fields.n && !j->login_url)
        cf_error(ctx, cf_find_or(ctx, n, "login_fields"), "scan.web job \"%s\": login_fields need login_url", name);
}

static const cf_field web_job_fields[] = {
    F(conf_web_job, "name", CF_STR, name),
    F(conf_web_job, "urls", CF_STRS, urls),
    F(conf_web_job, "scope", CF_STRS, scope),
    F(conf_web_job, "seeds", CF_STRS, seeds),
    F(conf_web_job, "profile", CF_ENUM, profile, .names = profile_names, .dflt = 1),
    F(conf_web_job, "max_requests", CF_INT, max_requests, 0, 10000000),
    F(conf_web_job, "max_pages", CF_INT, max_pages, 0, 1000000),
    F(conf_web_job, "cookie", CF_STR, cookie, .mask = 1),
    F(conf_web_job, "headers", CF_STRS, headers, .mask = 1),
    F(conf_web_job, "login_url", CF_STR, login_url),
    F(conf_web_job, "login_fields", CF_STRS, login_fields, .mask = 1),
    F(conf_web_job, "login_success", CF_STR, login_success),
    F(conf_web_job, "every", CF_DURATION, every_ms, 60000, CF_YEAR, .dflt = 604800000),
    {0},
};
static const cf_section web_job_section = {"scan.web.jobs", sizeof(conf_web_job), web_job_fields, NULL, web_job_check,
                                           NULL};

static const cf_field web_fields[] = {
    F(conf, "templates", CF_STRS, scan.web.templates),
    F(conf, "rate", CF_INT, scan.web.rate, 0, 100000),
    F(conf, "concurrency", CF_INT, scan.web.concurrency, 1, 32),
    F(conf, "timeout", CF_DURATION, scan.web.timeout_ms, 100, 600000),
    F(conf, "jobs", CF_LIST, scan.web.jobs, .sub = &web_job_section),
    {0},
};
static const cf_section web_section = {"scan.web", 0, web_fields, NULL, NULL, NULL};

static const cf_field scan_fields[] = {
    F(conf, "allowed", CF_STRS, scan.allowed),
    F(conf, "exclude", CF_STRS, scan.exclude),
    F(conf, "rate", CF_INT, scan.rate, 0, 10000000),
    F(conf, "host_rate", CF_INT, scan.host_rate, 0, 10000000),
    F(conf, "timeout", CF_DURATION, scan.timeout_ms, 10, 60000),
    F(conf, "net", CF_LIST, scan.net, .sub = &job_section),
    {"web", CF_SECTION, 0, .sub = &web_section},
    {0},
};
const cf_section scan_conf_section = {"scan", 0, scan_fields, NULL, scan_conf_check, NULL};
