/* findings_job.c: the scheduled jobs' shared pieces (findings_job.h). */
#include "findings/findings_job.h"
#include "store/store_findings.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const findings_job *job_at(const void *v, size_t i, size_t stride)
{
    return (const findings_job *)((const char *)v + i * stride);
}

void findings_job_sync(kw_sched *s, const char *module, const void *old, size_t nold, const void *cur, size_t n,
                       size_t stride, int64_t delay_ms, kw_sched_fn fn)
{
    for (size_t k = 0; k < nold; k++) { /* those gone */
        bool stays = false;
        for (size_t i = 0; i < n; i++)
            stays |= strcmp(job_at(old, k, stride)->name, job_at(cur, i, stride)->name) == 0;
        if (!stays)
            kw_sched_remove(s, module, job_at(old, k, stride)->name);
    }
    for (size_t i = 0; i < n; i++) {
        kw_sched_rule r = kw_sched_rule_none();
        r.every_ms = job_at(cur, i, stride)->every_ms;
        r.wait_last = true;
        r.lead_delay_ms = delay_ms;
        kw_sched_add(s, module, job_at(cur, i, stride)->name, &r, fn, (void *)(intptr_t)i);
    }
}

void findings_job_learn(kw_sched *s, const char *module, const char *name, kw_store *st, const char *source,
                        bool *learned)
{
    if (*learned)
        return;
    int64_t start = 0, end = 0;
    kw_rc rc = store_findings_last_run(st, source, &start, &end);
    if (rc == KW_OK || rc == KW_ERR_NOTFOUND) {
        kw_sched_set_last(s, module, name, start, end);
        *learned = true;
    }
}

void findings_job_json(kw_json *j, kw_sched *s, const char *module, const char *name)
{
    kw_sched_info x;
    kw_sched_info_get(s, module, name, &x);
    kw_json_kv_bool(j, "running", x.running);
    if (x.running)
        kw_json_kv_time(j, "running_since", x.running_since_ms);
    if (x.last_start_ms)
        kw_json_kv_time(j, "last_start", x.last_start_ms);
    if (x.last_end_ms)
        kw_json_kv_time(j, "last_end", x.last_end_ms);
    if (x.known && x.next_ms)
        kw_json_kv_time(j, "next", x.next_ms);
    if (x.result[0])
        kw_json_kv_str(j, "result", x.result);
    kw_json_kv_int(j, "runs_ok", (int64_t)x.runs_ok);
    kw_json_kv_int(j, "runs_failed", (int64_t)x.runs_failed);
}

http_job_ask findings_job_request(kw_sched *s, const char *module, bool leading, const char *name, size_t n)
{
    char job[KW_SCHED_NAME_MAX];
    kw_sched_info x;
    if (n >= sizeof job)
        return HTTP_JOB_UNKNOWN;
    memcpy(job, name, n);
    job[n] = 0;
    if (kw_sched_info_get(s, module, job, &x) != KW_OK)
        return HTTP_JOB_UNKNOWN;
    if (!leading)
        return HTTP_JOB_NOT_LEADER;
    kw_sched_run_now(s, module, job);
    return HTTP_JOB_REQUESTED;
}
