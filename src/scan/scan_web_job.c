/* One scheduled web scan (scan.web.jobs) run whole into a sink: its options from the job and
 * the scan.web section, its templates loaded first (the ones keepwatch cannot run are logged
 * as skipped), its sites held to scan.allowed. */
#include "core/kw_log.h"
#include "scan/scan_job.h"
#include "scan/scan_web.h"
#include "scan/scan_web_run.h"
#include "scan/scan_web_tmpl.h"

#include <stdio.h>

static void skipped(void *arg, const char *path, const char *id, const char *why)
{
    const conf_web_job *j = arg;
    log_info("scan.web %s: template %s (%s) skipped: %s", j->name, id ? id : "?", path, why);
}

static void noted(void *arg, const char *line)
{
    const conf_web_job *j = arg;
    log_info("scan.web %s: %s", j->name, line);
}

kw_rc scan_web_job_run(const conf *c, const conf_web_job *j, const finding_sink *sink, volatile int *cancel,
                       scan_job_stats *st, char *err, size_t errn)
{
    static const unsigned profiles[] = {WEB_QUICK, WEB_STANDARD, WEB_THOROUGH};
    scan_scope allowed = {0};
    kw_rc rc = scan_scope_init(&allowed, c->scan.allowed.v, c->scan.allowed.n, err, errn);
    web_tmpl_set *tmpl = NULL;
    if (rc == KW_OK && c->scan.web.templates.n)
        rc = web_tmpl_load_dirs(c->scan.web.templates.v, c->scan.web.templates.n, &tmpl, skipped, (void *)j, err, errn);
    web_scan_stats ws = {0};
    if (rc == KW_OK) {
        web_scan_opts o = {
            .urls = j->urls.v, .nurls = j->urls.n, .scope = j->scope.v, .nscope = j->scope.n,
            .seeds = j->seeds.v, .nseeds = j->seeds.n,
            .auth = {.headers = j->headers.v, .nheaders = j->headers.n, .cookie = j->cookie,
                     .login_url = j->login_url, .login_fields = j->login_fields.v,
                     .nlogin_fields = j->login_fields.n, .login_success = j->login_success},
            .profile = profiles[j->profile >= 0 && j->profile < 3 ? j->profile : 1],
            .rate = (double)c->scan.web.rate, .concurrency = (int)c->scan.web.concurrency,
            .max_requests = (uint64_t)j->max_requests, .max_pages = (size_t)j->max_pages,
            .timeout_ms = c->scan.web.timeout_ms, .allowed = &allowed, .templates = tmpl, .sink = sink,
            .on_note = noted, .note_arg = (void *)j, .cancel = cancel};
        rc = web_scan_run(&o, &ws, err, errn);
        if (rc == KW_OK && ws.budget_spent) /* what it found is kept; nothing is marked not seen */
            log_warn("scan.web %s: the request budget (%llu) ran out: findings kept, none verified", j->name,
                     (unsigned long long)ws.requests);
    }
    st->hosts = ws.pages;
    st->open = ws.points;
    st->findings = ws.findings;
    web_tmpl_set_free(tmpl);
    scan_scope_free(&allowed);
    return rc;
}
