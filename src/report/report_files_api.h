/* The scheduled reports' routes (report_files_api.c): the reports kept and the scheduler's
 * jobs, and the download of a kept file. R1's report_routes (report_api.c) carries these two
 * lines with its own: REPORT_FILES_ROUTES. */
#ifndef KW_REPORT_FILES_API_H
#define KW_REPORT_FILES_API_H

#include <stdbool.h>

#include "core/kw_buf.h"
#include "conf/conf.h"
#include "http/http.h"
#include "http/http_reply.h"

/* GET /api/v1/reports[?limit=]: {reports: [{id, kind, label, from, to, files, made, sent}],
 * jobs: [the report module's scheduled jobs, as kw_sched_json writes them]}. */
int report_files_api_list(const http_call *q);
/* GET /api/v1/reports/files/NAME: a file a kept report lists, from report.dir (404 for any
 * other name), with its type and Content-Disposition: attachment. */
int report_files_api_get(const http_call *q);

/* POST /api/v1/reports/jobs/NAME/run (officers; on the leader): makes the daily report (of
 * the day before) or the period report now, even if it was made (then: nothing new). */
int report_files_api_run(const http_call *q);

#define REPORT_FILES_ROUTES                                                                                            \
    {"/api/v1/reports", "GET", report_files_api_list}, {"/api/v1/reports/files/", "GET", report_files_api_get},       \
    {                                                                                                                  \
        "/api/v1/reports/jobs/", "POST", report_files_api_run                                                          \
    }

/* report_module.c: asks for job name[0..n) to run at the next tick. */
http_job_ask report_module_request(const char *name, size_t n);
/* report_module.c: its scheduler's jobs as a JSON array appended to out ("[]" when the module
 * does not run). */
void report_module_jobs_json(kw_buf *out);
/* Whether name could be a report file's: [A-Za-z0-9._-], not starting with a dot, 1..200. */
bool report_file_name_ok(const char *name);

#endif
