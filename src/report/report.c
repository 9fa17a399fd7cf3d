/* report.c: the report's face (report.h): the words it takes (kinds, formats, cuts, dates),
 * the ranges it covers (a local day in console.timezone, the protection period), which
 * sections each department's cut holds, and render / summary over gather and build. */
#include "report/report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL

static const char *const kind_names[] = {"daily", "period"};
static const char *const fmt_names[] = {"html", "pdf", "md", "json"};
static const char *const fmt_mimes[] = {"text/html; charset=utf-8", "application/pdf", "text/markdown; charset=utf-8",
                                        "application/json"};

static int word_index(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return (int)i;
    return -1;
}

kw_rc report_kind_parse(const char *s, report_kind *out)
{
    int i = word_index(s, kind_names, 2);
    if (i < 0)
        return KW_ERR_PARSE;
    *out = (report_kind)i;
    return KW_OK;
}

kw_rc report_fmt_parse(const char *s, report_fmt *out)
{
    int i = word_index(s, fmt_names, 4);
    if (i < 0)
        return KW_ERR_PARSE;
    *out = (report_fmt)i;
    return KW_OK;
}

const char *report_fmt_ext(report_fmt f)
{
    return (unsigned)f < 4 ? fmt_names[f] : "bin";
}

const char *report_fmt_mime(report_fmt f)
{
    return (unsigned)f < 4 ? fmt_mimes[f] : "application/octet-stream";
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

kw_rc report_date_parse(const char *s, size_t n, int64_t *days)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return KW_ERR_PARSE;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return KW_ERR_PARSE;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return KW_ERR_PARSE;
    *days = days_from_civil(y, m, d);
    return KW_OK;
}

kw_rc report_day_range(const conf *c, const char *date, int64_t now_ms, int64_t *from_ms, int64_t *to_ms)
{
    int64_t off = (int64_t)c->console.tz_min * 60000, day;
    if (date) {
        if (report_date_parse(date, strlen(date), &day) != KW_OK)
            return KW_ERR_PARSE;
    } else {
        int64_t local = now_ms + off;
        day = (local >= 0 ? local / DAY_MS : (local - DAY_MS + 1) / DAY_MS) - 1;
    }
    *from_ms = day * DAY_MS - off;
    *to_ms = *from_ms + DAY_MS;
    return KW_OK;
}

kw_rc report_period_range(const conf *c, int64_t now_ms, int64_t *from_ms, int64_t *to_ms)
{
    if (c->period.start_ms <= 0 || c->period.end_ms <= c->period.start_ms)
        return KW_ERR_NOTFOUND;
    *from_ms = c->period.start_ms;
    *to_ms = now_ms < c->period.end_ms ? now_ms : c->period.end_ms;
    if (*to_ms <= *from_ms)
        *to_ms = *from_ms + 1; /* not begun: an empty report */
    return KW_OK;
}

static kw_rc render_doc(const conf *c, const report_req *r, const json_t *g, kw_buf *out, int *pages)
{
    kw_doc *d = report_build(c, r, g);
    kw_rc rc;
    switch (r->fmt) {
    case REPORT_FMT_HTML: rc = doc_render_html(d, r->lang, out); break;
    case REPORT_FMT_MD: rc = doc_render_md(d, r->lang, out); break;
    default: rc = doc_render_pdf(d, r->lang, NULL, out, pages); break;
    }
    doc_free(d);
    return rc;
}

kw_rc report_render(kw_store *st, const conf *c, const report_req *r, kw_buf *out, int *pages, char *err, size_t n)
{
    if (r->to_ms <= r->from_ms) {
        snprintf(err, n, "report: an empty range");
        return KW_ERR_RANGE;
    }
    json_t *g = NULL;
    kw_rc rc = report_gather(st, c, r, &g, err, n);
    if (rc != KW_OK)
        return rc;
    if (pages)
        *pages = 0;
    if (r->fmt == REPORT_FMT_JSON) {
        char *s = json_dumps(g, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        rc = s ? kw_buf_puts(out, s) : KW_ERR_FULL;
        free(s);
        if (rc == KW_OK)
            rc = kw_buf_putc(out, '\n');
    } else
        rc = render_doc(c, r, g, out, pages);
    json_decref(g);
    if (rc != KW_OK)
        snprintf(err, n, "report: rendering failed (%s)", rc == KW_ERR_FULL ? "too large" : "error");
    return rc;
}

static long long sev_n(const json_t *g, const char *sec, const char *sub, const char *key)
{
    return (long long)json_integer_value(json_object_get(json_object_get(json_object_get(g, sec), sub), key));
}

kw_rc report_summary(kw_store *st, const conf *c, const report_req *r, kw_buf *out, char *err, size_t n)
{
    json_t *g = NULL;
    kw_rc rc = report_gather(st, c, r, &g, err, n);
    if (rc != KW_OK)
        return rc;
    bool en = r->lang == DOC_LANG_EN;
    const json_t *al = json_object_get(g, "alerts"), *inc = json_object_get(g, "incidents");
    kw_buf_printf(out, en ? "%s report %s to %s\n" : "%s报告 %s 至 %s\n",
                  en ? (r->kind == REPORT_DAILY ? "Daily" : "Period") : (r->kind == REPORT_DAILY ? "值守日" : "重保期"),
                  json_string_value(json_object_get(g, "from")), json_string_value(json_object_get(g, "to")));
    if (al)
        kw_buf_printf(out,
                      en ? "Alerts: %lld real (%lld critical, %lld high), %lld from drills\n"
                         : "告警：真实 %lld 条（严重 %lld，高危 %lld），演练 %lld 条\n",
                      (long long)json_integer_value(json_object_get(al, "real")),
                      sev_n(g, "alerts", "by_severity", "critical"), sev_n(g, "alerts", "by_severity", "high"),
                      (long long)json_integer_value(json_object_get(al, "drill")));
    if (inc)
        kw_buf_printf(out, en ? "Incidents: %lld declared, %lld open\n" : "事件：新宣布 %lld 起，仍在处置 %lld 起\n",
                      (long long)json_integer_value(json_object_get(inc, "declared")),
                      (long long)json_integer_value(json_object_get(inc, "open")));
    if (json_object_get(g, "findings"))
        kw_buf_printf(out, en ? "Findings: %lld open, %lld overdue\n" : "漏洞：未整改 %lld 个，逾期 %lld 个\n",
                      sev_n(g, "findings", "open", "total"), sev_n(g, "findings", "overdue", "total"));
    const json_t *nt = json_object_get(al, "notable");
    for (size_t i = 0; i < json_array_size(nt) && i < 5; i++)
        kw_buf_printf(out, "- %s\n",
                      json_string_value(json_object_get(json_array_get(nt, i), en ? "text" : "text_zh")));
    if (c->report.link)
        kw_buf_printf(out, "%s\n", c->report.link);
    json_decref(g);
    return out->overflow ? KW_ERR_FULL : KW_OK;
}
