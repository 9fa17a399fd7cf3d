/* STUB, to be deleted by the merger: R1's report.c / report_api.c take its place.
 *
 * Stands in for the report subsystem's face (report.h) so that the scheduled reports
 * (report_module.c) and their routes (report_files_api.c) build and can be tested before the
 * real reports land: report_render writes a one-line document through src/doc in the format
 * asked for, report_summary one line; the day and period ranges; and report_routes, holding
 * the two routes of report_files_api.h (the merger adds those two lines to R1's table) and a
 * /api/v1/reports/daily that renders this stub's document. */
#include "report/report.h"
#include "report/report_conf.h"
#include "report/report_files_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_time.h"
#include "http/http_reply.h"

#define DAY_MS INT64_C(86400000)

static const char *const kinds[] = {"daily", "period"};
static const char *const fmts[] = {"html", "pdf", "md", "json"};
static const char *const mimes[] = {"text/html; charset=utf-8", "application/pdf", "text/markdown; charset=utf-8",
                                    "application/json"};

kw_rc report_kind_parse(const char *s, report_kind *out)
{
    for (int i = 0; s && i < 2; i++)
        if (strcmp(s, kinds[i]) == 0)
            return *out = (report_kind)i, KW_OK;
    return KW_ERR_PARSE;
}

kw_rc report_fmt_parse(const char *s, report_fmt *out)
{
    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, fmts[i]) == 0)
            return *out = (report_fmt)i, KW_OK;
    return KW_ERR_PARSE;
}

const char *report_fmt_ext(report_fmt f) { return fmts[f <= REPORT_FMT_JSON ? f : 0]; }
const char *report_fmt_mime(report_fmt f) { return mimes[f <= REPORT_FMT_JSON ? f : 0]; }

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t civil_days(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

kw_rc report_day_range(const conf *c, const char *date, int64_t now_ms, int64_t *from_ms, int64_t *to_ms)
{
    int64_t off = (int64_t)c->console.tz_min * 60000;
    int64_t day;
    if (date) {
        int y, m, d;
        char tail;
        if (strlen(date) != 10 || sscanf(date, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 ||
            d > 31)
            return KW_ERR_PARSE;
        day = civil_days(y, m, d);
    } else {
        day = (now_ms + off) / DAY_MS - 1;
    }
    *from_ms = day * DAY_MS - off;
    *to_ms = *from_ms + DAY_MS;
    return KW_OK;
}

kw_rc report_period_range(const conf *c, int64_t now_ms, int64_t *from_ms, int64_t *to_ms)
{
    if (!c->period.start_ms || !c->period.end_ms)
        return KW_ERR_NOTFOUND;
    *from_ms = c->period.start_ms;
    *to_ms = c->period.end_ms < now_ms ? c->period.end_ms : now_ms;
    return KW_OK;
}

static void stub_line(const report_req *r, char *out, size_t n)
{
    char a[32], b[32];
    kw_time_iso8601(r->from_ms, a, sizeof a);
    kw_time_iso8601(r->to_ms, b, sizeof b);
    snprintf(out, n, "%s %s %s .. %s%s%s", r->lang == DOC_LANG_EN ? "keepwatch report (stub):" : "值守报告（占位）：",
             kinds[r->kind == REPORT_PERIOD], a, b, r->department ? " for " : "", r->department ? r->department : "");
}

kw_rc report_render(kw_store *st, const conf *c, const report_req *r, kw_buf *out, int *pages, char *err, size_t n)
{
    (void)st, (void)c;
    char line[256];
    stub_line(r, line, sizeof line);
    if (pages)
        *pages = 1;
    if (r->fmt == REPORT_FMT_JSON)
        return kw_buf_printf(out, "{\"stub\":true,\"kind\":\"%s\",\"from_ms\":%lld,\"to_ms\":%lld}",
                             kinds[r->kind == REPORT_PERIOD], (long long)r->from_ms, (long long)r->to_ms);
    kw_doc *d = doc_new(r->kind == REPORT_PERIOD ? "Period report" : "Daily report");
    doc_para(d, line);
    kw_rc rc = r->fmt == REPORT_FMT_PDF  ? doc_render_pdf(d, r->lang, NULL, out, pages)
               : r->fmt == REPORT_FMT_MD ? doc_render_md(d, r->lang, out)
                                         : doc_render_html(d, r->lang, out);
    doc_free(d);
    if (rc != KW_OK)
        snprintf(err, n, "the stub document could not be rendered: %s", kw_rc_str(rc));
    return rc;
}

kw_rc report_summary(kw_store *st, const conf *c, const report_req *r, kw_buf *out, char *err, size_t n)
{
    (void)st, (void)c, (void)err, (void)n;
    char line[256];
    stub_line(r, line, sizeof line);
    return kw_buf_puts(out, line);
}

/* GET /api/v1/reports/daily?date=&format=&lang= (and /period) through the stub. */
static int stub_report(const http_call *q)
{
    bool period = strcmp(q->url, "/api/v1/reports/period") == 0;
    const char *date = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "date");
    const char *f = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "format");
    const char *l = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "lang");
    report_req r = {.kind = period ? REPORT_PERIOD : REPORT_DAILY, .fmt = REPORT_FMT_HTML, .now_ms = kw_now_ms()};
    if ((f && report_fmt_parse(f, &r.fmt) != KW_OK) || (l && doc_lang_parse(l, &r.lang) != KW_OK))
        return http_error(q->conn, MHD_HTTP_BAD_REQUEST, "format: html, pdf, md or json; lang: zh or en");
    pthread_rwlock_rdlock(&q->sh->cfg_lock);
    kw_rc rc = period ? report_period_range(q->sh->cfg, r.now_ms, &r.from_ms, &r.to_ms)
                      : report_day_range(q->sh->cfg, date, r.now_ms, &r.from_ms, &r.to_ms);
    pthread_rwlock_unlock(&q->sh->cfg_lock);
    if (rc != KW_OK)
        return http_error(q->conn, period ? MHD_HTTP_NOT_FOUND : MHD_HTTP_BAD_REQUEST,
                          period ? "no protection period is configured" : "date: YYYY-MM-DD");
    kw_buf b;
    kw_buf_init(&b, (size_t)64 << 20);
    char err[256];
    if (report_render(NULL, NULL, &r, &b, NULL, err, sizeof err) != KW_OK) {
        kw_buf_free(&b);
        return http_error(q->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, err);
    }
    return http_respond(q->conn, MHD_HTTP_OK, report_fmt_mime(r.fmt), &b);
}

const http_route report_routes[] = {
    REPORT_FILES_ROUTES,
    {"/api/v1/reports/daily", "GET", stub_report},
    {"/api/v1/reports/period", "GET", stub_report},
    {0},
};
