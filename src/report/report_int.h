/* Inside the report (report_*.c): the gathered data (report_gather.c) is one JSON document
 * (jansson), the same the json format writes, with the field names doc/report.md lists; the
 * build (report_build.c) makes the document from it. */
#ifndef KW_REPORT_INT_H
#define KW_REPORT_INT_H

#include <jansson.h>

#include "report/report.h"
#include "report/report_conf.h"

/* The cuts' names in report_cut order, NULL-terminated (also the report.send cut enum). */
extern const char *const report_cut_names[];
/* The cut's name ("full", "operations", ...), and whether a cut holds a section:
 * "duty", "alerts", "notable", "attacks", "hosts", "findings", "drift", "outages",
 * "incidents", "drills", "verify", "response", "remediation", "drill_trend", "lessons". */
const char *report_cut_name(int cut);
bool report_cut_has(int cut, const char *section);
/* "full", "operations", "business", "customer_service", "management" -> report_cut:
 * KW_ERR_PARSE for anything else. */
kw_rc report_cut_parse(const char *s, int *cut);
/* A date "YYYY-MM-DD" (exactly n = 10 bytes, 1970 on, a real day) as days since 1970-01-01:
 * KW_ERR_PARSE for anything else. */
kw_rc report_date_parse(const char *s, size_t n, int64_t *days);

/* "low", "medium", "high", "critical" for 1..4; "unknown" else. */
const char *report_sev_name(int sev);

/* Gathers what r asks for from st into *out (the caller frees with json_decref). KW_ERR_STORE
 * with err set when a read fails. */
kw_rc report_gather(kw_store *st, const conf *c, const report_req *r, json_t **out, char *err, size_t n);

/* Builds the document from the gathered data g (the caller frees with doc_free). */
kw_doc *report_build(const conf *c, const report_req *r, const json_t *g);

/* A UTC ISO-8601 time (json null for 0). */
json_t *report_time_json(int64_t ms);

#endif
