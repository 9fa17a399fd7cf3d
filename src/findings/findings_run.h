/* Findings into the store: a run (one scan, one import) and the moves people make.
 *
 * A run is a finding_sink. What it is given is resolved against the configuration (the asset,
 * its owner, department, criticality and exposure; known exploited ids; the deadlines) and kept
 * in memory; findings_run_close writes it all in one transaction: new findings inserted, known
 * ones updated (seen again after fixed or verified: reopened), then for every place the run
 * covered, what it no longer saw marked (fixed -> verified; open ones flagged not seen), a
 * history line for each change, a duty-log entry for each status change and one for the run.
 * A run that fails or is aborted stores nothing. The sink is thread-safe. */
#ifndef KW_FINDINGS_RUN_H
#define KW_FINDINGS_RUN_H

#include "conf/conf.h"
#include "findings/findings.h"
#include "store/store.h"

typedef struct findings_run findings_run;

typedef struct findings_counts {
    size_t reported;   /* findings the source emitted */
    size_t added;      /* new fingerprints */
    size_t updated;    /* known ones seen again */
    size_t reopened;   /* seen again after fixed or verified */
    size_t verified;   /* fixed ones the run no longer saw */
    size_t not_seen;   /* open ones the run no longer saw (flagged for a person) */
    size_t merged;     /* reported twice in the run (the later report kept) */
} findings_counts;

/* A run of `scanner` (the findings' scanner unless they say another) from `source` (a file,
 * a job name) by `actor`, on store s with c's assets and SLA, and kev (may be NULL; borrowed). */
findings_run *findings_run_open(kw_store *s, const conf *c, const findings_kev *kev, const char *scanner,
                                const char *source, const char *actor);
finding_sink findings_run_sink(findings_run *r);
/* Writes the run (see above) and frees it; counts may be NULL. KW_ERR_STORE with err. */
kw_rc findings_run_close(findings_run *r, findings_counts *counts, char *err, size_t errn);
/* Frees the run, storing nothing. */
void findings_run_abort(findings_run *r);

/* What a person asks of a finding. */
typedef struct findings_ask {
    finding_move move;
    const char *by;            /* who (required) */
    const char *owner;         /* assign: to whom (the owner's department from people: when not given) */
    const char *department;
    const char *reason;        /* accept, false_positive: why (required); others: a note */
    int64_t until_ms;          /* accept: when the acceptance ends (required, in the future) */
    int64_t due_ms;            /* assign: a deadline set by hand (0: keep) */
} findings_ask;

/* Applies the move to finding id in its own transaction: the status, a history line, a
 * duty-log entry. KW_ERR_NOTFOUND, or KW_ERR_RANGE with err saying why it is not allowed. */
kw_rc findings_apply(kw_store *s, const conf *c, int64_t id, const findings_ask *a, int64_t now_ms, char *err,
                     size_t errn);

/* Reopens accepted findings whose acceptance ended by now_ms (history, duty log); *n of them.
 * Inside the caller's transaction when one is open (a savepoint), else in its own. */
kw_rc findings_expire_acceptances(kw_store *s, int64_t now_ms, int64_t *n);

/* Loads the configured KEV file and exploited list (NULL when neither; err when the file is bad). */
kw_rc findings_kev_from_conf(const conf *c, findings_kev **out, char *err, size_t errn);

#endif
