/* The scheduler of the leader's scheduled work (kw_sched.c): jobs registered by modules, each
 * with a name, a due rule (every period since its last start, daily at a local time, or at
 * given times), a run function, its last and next run, its outcome and counts, run-now, and
 * the JSON the API lists them in.
 *
 * Threads: kw_sched_tick is called by one thread (the daemon's core thread, from a module's
 * tick); it decides what is due and hands each due job to its module's worker thread, so jobs
 * of one module run one at a time, in the order they fell due, while jobs of different
 * modules run side by side (a long scan does not hold back an audit or a report). Every other
 * call may come from any thread. It depends on nothing but src/core, so every subsystem may
 * register into it. */
#ifndef KW_SCHED_H
#define KW_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_buf.h"
#include "core/kw_err.h"

#define KW_SCHED_JOBS_MAX 256
#define KW_SCHED_AT_MAX 32
#define KW_SCHED_NAME_MAX 128
#define KW_SCHED_RESULT_MAX 320

/* When a job is due. Exactly one of the three is set. */
typedef struct kw_sched_rule {
    int64_t every_ms;           /* > 0: this long after its last start (never run: at once) */
    int32_t daily_min;          /* >= 0: daily at this many minutes after local midnight; -1: not daily */
    int32_t tz_min;             /* the zone daily_min is in: minutes east of UTC */
    int64_t at_ms[KW_SCHED_AT_MAX]; /* at these times (Unix ms, any order): each once */
    size_t nat;
    int64_t lead_delay_ms;      /* not due this long after the lead is taken (the start, a
                                 * takeover): the module reads what the store knows meanwhile */
    bool wait_last;             /* not due (nor run on request) before kw_sched_set_last said when
                                 * it last ran (0: never): the store is the memory of the jobs */
} kw_sched_rule;

/* A rule with nothing set (every_ms 0, daily_min -1, no times): never due but by run-now. */
kw_sched_rule kw_sched_rule_none(void);

/* What a run is given: the time it fell due (the daily slot, the given time, or now for a
 * period or run-now) and a flag that turns non-zero when it is to stop (a reload, the lead
 * lost, the scheduler's end). */
typedef struct kw_sched_run {
    int64_t due_ms;
    bool asked;                 /* run-now, not the rule */
    volatile int *cancel;
} kw_sched_run;

/* A job's work, on its module's worker thread: returns whether it succeeded, its outcome as
 * people read it written into result (n bytes). */
typedef bool (*kw_sched_fn)(void *arg, const kw_sched_run *run, char *result, size_t n);

typedef struct kw_sched kw_sched;

/* A new scheduler with no job; the caller frees it with kw_sched_free (which stops every
 * worker, cancelling what runs). */
kw_sched *kw_sched_new(void);
void kw_sched_free(kw_sched *s);

/* Registers (or, by module and name, replaces the rule, function and arg of) a job; what is
 * known of a replaced one (last run, outcome, counts) stays. arg is borrowed and must outlive
 * the job (kw_sched_drop_module ends it). KW_ERR_FULL past KW_SCHED_JOBS_MAX, KW_ERR_RANGE
 * for an empty or too long name. */
kw_rc kw_sched_add(kw_sched *s, const char *module, const char *name, const kw_sched_rule *r, kw_sched_fn fn,
                   void *arg);
/* Stops the module's running job (its cancel flag set, its thread joined), then removes the
 * module's jobs: before the module's configuration is freed. */
void kw_sched_drop_module(kw_sched *s, const char *module);
/* Stops the module's running job and waits for it; its jobs stay (they run again when due). */
void kw_sched_cancel_module(kw_sched *s, const char *module);
/* What the store says of a job's last run (a restart, another server taking over; start 0:
 * never): the later of this and what the scheduler knows counts, and the job is known.
 * KW_ERR_NOTFOUND for no such job. */
kw_rc kw_sched_set_last(kw_sched *s, const char *module, const char *name, int64_t start_ms, int64_t end_ms);
/* Removes one job (its module's running job, if it is this one, should be cancelled first). */
void kw_sched_remove(kw_sched *s, const char *module, const char *name);
/* Asks for a run at the next tick: KW_ERR_NOTFOUND for no such job. */
kw_rc kw_sched_run_now(kw_sched *s, const char *module, const char *name);

/* The time the rule is next due after a job last started at last_ms (0: never), seen at now:
 * now itself when it is due already, 0 when it never will be. Pure. */
int64_t kw_sched_next_due(const kw_sched_rule *r, int64_t last_ms, int64_t now_ms);

/* On the ticking thread: while leading, starts every due job whose module is idle (the first
 * due of each module); not leading, cancels what runs. Joins finished workers. */
void kw_sched_tick(kw_sched *s, int64_t now_ms, bool leading);

/* The jobs (those of module; NULL: all) as a JSON array appended to out: {module, name, rule
 * ("every 3600s", "daily 08:30", "at"), running, running_since, last_start, last_end, next,
 * result, runs_ok, runs_failed}. */
void kw_sched_json(kw_sched *s, const char *module, kw_buf *out);
/* A job as the scheduler has it, for a module's own listing. */
typedef struct kw_sched_info {
    bool known;                 /* its last run is known (always, without wait_last) */
    bool running;
    int64_t running_since_ms;
    int64_t last_start_ms, last_end_ms; /* 0: never */
    int64_t next_ms;            /* 0: never */
    char result[KW_SCHED_RESULT_MAX];
    uint64_t runs_ok, runs_failed;
} kw_sched_info;
/* Fills *out for the job: KW_ERR_NOTFOUND for no such job. */
kw_rc kw_sched_info_get(kw_sched *s, const char *module, const char *name, kw_sched_info *out);
/* Whether any job of module runs now. */
bool kw_sched_busy(kw_sched *s, const char *module);

#endif
