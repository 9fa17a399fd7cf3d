/* A scheduled job's state as the leader keeps it (findings_job.c): what the scan and audit
 * modules' jobs share (their name, period, last run from the store, the last outcome, the
 * API's "run now"), each module embedding it first in its own job struct. The caller holds
 * the module's lock around every call. */
#ifndef KW_FINDINGS_JOB_H
#define KW_FINDINGS_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_json.h"
#include "http/http_reply.h"
#include "store/store.h"

typedef struct findings_job {
    char name[128];
    int64_t every_ms;
    int64_t last_start_ms, last_end_ms;
    bool known;                 /* last_* read from the store */
    bool requested;             /* run now (the API) */
    char result[320];           /* the last run's outcome, as people read it */
    uint64_t runs_ok, runs_failed;
} findings_job;

/* Takes the job's last run (its findings run under source) from the store once. */
void findings_job_learn(findings_job *j, kw_store *st, const char *source);
/* Whether the job is to start at now: asked for, or its period passed since the last start. */
bool findings_job_due(const findings_job *j, int64_t now_ms);
/* Records a run that started at started and ends now, with its outcome. */
void findings_job_finish(findings_job *j, int64_t started_ms, bool ok, const char *result);
/* Writes the shared members into an open object: last_start, last_end, next, result, runs_ok,
 * runs_failed. */
void findings_job_json(kw_json *j, const findings_job *x);
/* Marks the job called name[0..n) among n_jobs jobs laid out stride bytes apart (each starting
 * with a findings_job) to run at the next tick: the answer for POST .../NAME/run. */
http_job_ask findings_job_request(void *jobs, size_t n_jobs, size_t stride, bool leading, const char *name, size_t n);

#endif
