/* findings_job.c: the scheduled jobs' shared state (findings_job.h). */
#include "findings/findings_job.h"
#include "core/kw_time.h"
#include "store/store_findings.h"

#include <stdio.h>
#include <string.h>

void findings_job_learn(findings_job *j, kw_store *st, const char *source)
{
    if (j->known)
        return;
    int64_t s = 0, e = 0;
    kw_rc rc = store_findings_last_run(st, source, &s, &e);
    if (rc == KW_OK || rc == KW_ERR_NOTFOUND) {
        j->last_start_ms = s;
        j->last_end_ms = e;
        j->known = true;
    }
}

bool findings_job_due(const findings_job *j, int64_t now)
{
    return j->known && (j->requested || now >= j->last_start_ms + j->every_ms);
}

void findings_job_finish(findings_job *j, int64_t started, bool ok, const char *result)
{
    j->last_start_ms = started;
    j->last_end_ms = kw_now_ms();
    j->known = true;
    snprintf(j->result, sizeof j->result, "%s", result);
    if (ok)
        j->runs_ok++;
    else
        j->runs_failed++;
}

void findings_job_json(kw_json *j, const findings_job *x)
{
    if (x->last_start_ms)
        kw_json_kv_time(j, "last_start", x->last_start_ms);
    if (x->last_end_ms)
        kw_json_kv_time(j, "last_end", x->last_end_ms);
    if (x->known)
        kw_json_kv_time(j, "next", x->last_start_ms ? x->last_start_ms + x->every_ms : kw_now_ms());
    if (x->result[0])
        kw_json_kv_str(j, "result", x->result);
    kw_json_kv_int(j, "runs_ok", (int64_t)x->runs_ok);
    kw_json_kv_int(j, "runs_failed", (int64_t)x->runs_failed);
}

http_job_ask findings_job_request(void *jobs, size_t n_jobs, size_t stride, bool leading, const char *name, size_t n)
{
    http_job_ask a = HTTP_JOB_UNKNOWN;
    for (size_t i = 0; i < n_jobs; i++) {
        findings_job *j = (findings_job *)((char *)jobs + i * stride);
        if (strlen(j->name) == n && strncmp(j->name, name, n) == 0) {
            a = leading ? HTTP_JOB_REQUESTED : HTTP_JOB_NOT_LEADER;
            if (leading)
                j->requested = true;
        }
    }
    return a;
}
