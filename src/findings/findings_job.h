/* What the scan and audit modules' scheduled jobs share (findings_job.c), over the leader's
 * scheduler (core/kw_sched.h, kw_core.sched): a job's last run learnt once from the findings
 * runs it recorded, the listing's shared members, and the API's "run now". */
#ifndef KW_FINDINGS_JOB_H
#define KW_FINDINGS_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_json.h"
#include "core/kw_sched.h"
#include "http/http_reply.h"
#include "store/store.h"

/* What a module keeps of each of its jobs, first in its own job struct. */
typedef struct findings_job {
    char name[128];
    int64_t every_ms;
    bool learned;               /* its last run read from the store */
} findings_job;

/* The module's jobs cur[0..n) registered with the scheduler (every every_ms, not before its
 * last run is learnt nor within delay_ms of the lead taken; fn given the job's index as its
 * arg), and those of old[0..nold) no longer among them removed; each array's items are
 * stride bytes apart and start with a findings_job. */
void findings_job_sync(kw_sched *s, const char *module, const void *old, size_t nold, const void *cur, size_t n,
                       size_t stride, int64_t delay_ms, kw_sched_fn fn);
/* Unless *learned: tells the scheduler when the job module/name last ran, from its findings
 * runs under source in st (none: never), and sets *learned. */
void findings_job_learn(kw_sched *s, const char *module, const char *name, kw_store *st, const char *source,
                        bool *learned);
/* Writes the shared members of the job into an open object: running, running_since (while it
 * runs), last_start, last_end, next (once its last run is known), result, runs_ok,
 * runs_failed. */
void findings_job_json(kw_json *j, kw_sched *s, const char *module, const char *name);
/* The answer for POST .../NAME/run: the job name[0..n) of module asked to run at the next
 * tick when this server leads. */
http_job_ask findings_job_request(kw_sched *s, const char *module, bool leading, const char *name, size_t n);

#endif
