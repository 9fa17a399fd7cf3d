/* The report's routes (report_routes; the module that serves them is the merger's):
 *   GET /api/v1/reports/daily?date=YYYY-MM-DD&format=html|pdf|md|json&lang=zh|en&cut=CUT
 *   GET /api/v1/reports/period?format=...&lang=...&cut=...
 * made from the store at the request (HTML is what the console shows; PDF comes as a
 * download). date: a local day in console.timezone (default: yesterday); cut: full,
 * operations, business, customer_service, management (default full). */
#include "core/kw_time.h"
#include "http/http_reply.h"
#include "report/report_files_api.h"
#include "report/report_int.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#define REPORT_API_MAX ((size_t)64 << 20)

static const char *arg(const http_call *q, const char *key)
{
    const char *v = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, key);
    return v && *v ? v : NULL;
}

/* The request's words into r; false (having answered 400) when one is wrong. */
static bool report_api_req(const http_call *q, const conf *c, report_req *r, int *status, const char **why)
{
    const char *fmt = arg(q, "format"), *lang = arg(q, "lang"), *cut = arg(q, "cut");
    const char *dflt = c->report.language ? c->report.language : c->notify.language;
    r->fmt = REPORT_FMT_HTML;
    r->lang = dflt && strcmp(dflt, "en") == 0 ? DOC_LANG_EN : DOC_LANG_ZH;
    r->cut = REPORT_CUT_FULL;
    *status = MHD_HTTP_BAD_REQUEST;
    if (fmt && report_fmt_parse(fmt, &r->fmt) != KW_OK)
        return *why = "format: html, pdf, md or json", false;
    if (lang && doc_lang_parse(lang, &r->lang) != KW_OK)
        return *why = "lang: zh or en", false;
    if (cut && report_cut_parse(cut, &r->cut) != KW_OK)
        return *why = "cut: full, operations, business, customer_service or management", false;
    r->now_ms = kw_now_ms();
    if (r->kind == REPORT_DAILY) {
        if (report_day_range(c, arg(q, "date"), r->now_ms, &r->from_ms, &r->to_ms) != KW_OK)
            return *why = "date: YYYY-MM-DD", false;
    } else if (report_period_range(c, r->now_ms, &r->from_ms, &r->to_ms) != KW_OK) {
        *status = MHD_HTTP_NOT_FOUND;
        return *why = "no protection period is configured (period: start, end)", false;
    }
    return true;
}

static int report_api_get(const http_call *q, report_kind kind)
{
    kw_store *st = http_store(q->server);
    if (!st)
        return http_error(q->conn, MHD_HTTP_SERVICE_UNAVAILABLE, "the store cannot be opened");
    report_req r = {.kind = kind};
    int status;
    const char *why = NULL;
    kw_buf out;
    kw_buf_init(&out, REPORT_API_MAX);
    char err[256] = "";
    pthread_rwlock_rdlock(&q->sh->cfg_lock);
    const conf *c = q->sh->cfg;
    int32_t tz_min = c->console.tz_min;
    bool ok = report_api_req(q, c, &r, &status, &why);
    kw_rc rc = ok ? report_render(st, c, &r, &out, NULL, err, sizeof err) : KW_OK;
    pthread_rwlock_unlock(&q->sh->cfg_lock);
    if (!ok || rc != KW_OK) {
        kw_buf_free(&out);
        if (!ok)
            return http_error(q->conn, status, why);
        return rc == KW_ERR_STORE ? http_store_error(q->conn, st)
                                  : http_error(q->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, err);
    }
    if (r.fmt != REPORT_FMT_PDF)
        return http_respond(q->conn, MHD_HTTP_OK, report_fmt_mime(r.fmt), &out);
    char disp[96], day[16];
    time_t t = (time_t)(r.from_ms / 1000 + (int64_t)tz_min * 60);
    struct tm tm;
    strftime(day, sizeof day, "%Y-%m-%d", gmtime_r(&t, &tm));
    snprintf(disp, sizeof disp, "attachment; filename=\"keepwatch-%s-%s.pdf\"", kind == REPORT_DAILY ? "daily" : "period",
             day);
    const char *const hdrs[] = {"Content-Disposition", disp, NULL};
    return http_respond_hdr(q->conn, MHD_HTTP_OK, report_fmt_mime(r.fmt), &out, hdrs);
}

static int report_api_daily(const http_call *q)
{
    return report_api_get(q, REPORT_DAILY);
}

static int report_api_period(const http_call *q)
{
    return report_api_get(q, REPORT_PERIOD);
}

const http_route report_routes[] = {
    {"/api/v1/reports/daily", "GET", report_api_daily},
    {"/api/v1/reports/period", "GET", report_api_period},
    REPORT_FILES_ROUTES,
    {0},
};
