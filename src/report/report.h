/* The report subsystem's face (report_*.c): the daily report (值守日报) and the period summary,
 * gathered from the store and built as a document (src/doc/doc.h), rendered as HTML, PDF,
 * Markdown or JSON; its module (report_module.c: the scheduled reports and their delivery
 * through notify, on the leader) and its HTTP routes (report_api.c). */
#ifndef KW_REPORT_H
#define KW_REPORT_H

#include <stdint.h>

#include "conf/conf.h"
#include "core/kw_buf.h"
#include "core/kw_err.h"
#include "doc/doc.h"
#include "http/http.h"
#include "store/store.h"

typedef enum { REPORT_DAILY = 0, REPORT_PERIOD } report_kind;
typedef enum { REPORT_FMT_HTML = 0, REPORT_FMT_PDF, REPORT_FMT_MD, REPORT_FMT_JSON } report_fmt;

/* "daily"/"period", "html"/"pdf"/"md"/"json": KW_ERR_PARSE for anything else. */
kw_rc report_kind_parse(const char *s, report_kind *out);
kw_rc report_fmt_parse(const char *s, report_fmt *out);
const char *report_fmt_ext(report_fmt f);   /* "html", "pdf", "md", "json" */
const char *report_fmt_mime(report_fmt f);  /* "text/html; charset=utf-8", "application/pdf", ... */

typedef struct report_req {
    report_kind kind;
    int64_t from_ms, to_ms;     /* what it covers: [from, to) */
    report_fmt fmt;
    doc_lang lang;
    int cut;                    /* report_cut (src/report/report_conf.h): a department's cut */
    const char *department;     /* named in the title when cut is not REPORT_CUT_FULL (may be NULL) */
    int64_t now_ms;             /* when it is made (the cover says so; "overdue" is judged at to_ms) */
} report_req;

/* The local day date ("2026-12-01"; NULL: the day before now's) in the configuration's time
 * zone (console.timezone) as [from, to). KW_ERR_PARSE for a bad date. */
kw_rc report_day_range(const conf *c, const char *date, int64_t now_ms, int64_t *from_ms, int64_t *to_ms);
/* The protection period (period: start, end) as [from, to), its end cut at now; KW_ERR_NOTFOUND
 * when the configuration has no period. */
kw_rc report_period_range(const conf *c, int64_t now_ms, int64_t *from_ms, int64_t *to_ms);

/* Gathers the report r asks for from st and renders it, appended to out (PDF bytes included).
 * pages (may be NULL) receives the PDF's page count. err (n bytes) says what failed. */
kw_rc report_render(kw_store *st, const conf *c, const report_req *r, kw_buf *out, int *pages, char *err, size_t n);
/* A few lines for the robots (the day in figures, the notable alerts, open incidents), plain
 * text in r->lang, appended to out. */
kw_rc report_summary(kw_store *st, const conf *c, const report_req *r, kw_buf *out, char *err, size_t n);

struct kw_module;
extern const struct kw_module report_module;
extern const http_route report_routes[];

#endif
