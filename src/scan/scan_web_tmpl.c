/* The templates check (web_check_templates): once per site, every template the scan was given
 * (web_templates) run against the site (scan_web_tmpl_run.c) through web_send and web_report. */
#include "scan/scan_web_tmpl.h"

#include "scan/scan_web.h"

static kw_rc tc_send(void *arg, const web_request *rq, web_response *out)
{
    return web_send(arg, rq, out);
}

static kw_rc tc_report(void *arg, const web_issue *is)
{
    return web_report(arg, is);
}

static void tc_marker(void *arg, char *out, size_t n)
{
    web_marker(arg, out, n);
}

static bool tc_stopping(void *arg)
{
    return web_stopping(arg);
}

static kw_rc tc_per_site(web_ctx *x, const char *base, unsigned profile)
{
    const web_tmpl_set *s = web_templates(x);
    web_tmpl_io io = {tc_send, web_response_free, tc_report, tc_marker, tc_stopping, x};
    for (size_t i = 0; s && i < s->n && !web_stopping(x); i++)
        web_tmpl_run(s->t[i], base, &io);
    return KW_OK;
}

const web_check web_check_templates = {
    .name = "templates",
    .profiles = WEB_QUICK | WEB_STANDARD | WEB_THOROUGH,
    .per_site = tc_per_site,
};
