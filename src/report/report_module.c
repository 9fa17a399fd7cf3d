/* The report module: on the leading server, the daily report at report.daily_at (local time)
 * for the day before, and the period report once after the protection period ends (at the
 * first report.daily_at after its end, or at its end without one), each made and sent by
 * report_deliver on the scheduler's report thread (kw_core.sched: one report at a time). What was
 * made is in the reports table (store_report.c), so a restart or another server taking over
 * neither makes it twice nor misses it: a daily report missed while no server led is made
 * when one leads again. Its routes are in report_files_api.c (through report_routes). */
#include "core/kw_log.h"
#include "core/kw_sched.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "report/report.h"
#include "report/report_deliver.h"
#include "report/report_files_api.h"
#include "store/store_reports.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define DAY_MS INT64_C(86400000)
#define FIRST_RUN_DELAY_MS 10000 /* after the start (or a takeover), before a report is made */

static struct {
    pthread_mutex_t mu;
    kw_core *core;
    const conf *c;              /* the configuration the jobs are of (stable while a run runs) */
    kw_sched *sched;            /* the daemon's (kw_core.sched) */
    bool leading;
    bool learn;                 /* read the last reports from the store at the next tick */
} rm = {.mu = PTHREAD_MUTEX_INITIALIZER};

void report_module_jobs_json(kw_buf *out)
{
    pthread_mutex_lock(&rm.mu);
    kw_sched *s = rm.sched;
    pthread_mutex_unlock(&rm.mu);
    if (s)
        kw_sched_json(s, "report", out);
    else
        kw_buf_puts(out, "[]");
}

http_job_ask report_module_request(const char *name, size_t n)
{
    char job[64];
    if (n >= sizeof job)
        return HTTP_JOB_UNKNOWN;
    memcpy(job, name, n);
    job[n] = 0;
    pthread_mutex_lock(&rm.mu);
    kw_sched *s = rm.sched;
    bool lead = rm.core && kw_core_leads(rm.core);
    pthread_mutex_unlock(&rm.mu);
    if (!s || (strcmp(job, "daily") && strcmp(job, "period")))
        return HTTP_JOB_UNKNOWN;
    if (!lead)
        return HTTP_JOB_NOT_LEADER;
    return kw_sched_run_now(s, "report", job) == KW_OK ? HTTP_JOB_REQUESTED : HTTP_JOB_UNKNOWN;
}

/* ---- the runs, on the scheduler's report thread ---- */

static bool run_kind(report_kind kind, const kw_sched_run *run, char *result, size_t n)
{
    pthread_mutex_lock(&rm.mu);
    const conf *c = rm.c;
    const char *path = rm.core->store_path;
    pthread_mutex_unlock(&rm.mu);
    int64_t from = 0, to = 0, now = kw_now_ms();
    kw_rc rc = kind == REPORT_DAILY ? report_day_range(c, NULL, run->due_ms, &from, &to)
                                    : report_period_range(c, run->due_ms, &from, &to);
    if (rc != KW_OK) {
        snprintf(result, n, "failed: no %s to report on", kind == REPORT_DAILY ? "day" : "period");
        return false;
    }
    char err[256] = "";
    kw_store *st = store_open(path, false, err, sizeof err);
    if (!st) {
        snprintf(result, n, "failed: the store cannot be opened: %s", err);
        return false;
    }
    bool made = false;
    rc = report_deliver(st, c, kind, from, to, now, run->cancel, &made, result, n);
    store_close(st);
    if (rc == KW_OK && made)
        log_info("report: %s", result);
    else if (rc != KW_OK)
        log_warn("report: %s", result);
    return rc == KW_OK;
}

static bool run_daily(void *arg, const kw_sched_run *run, char *result, size_t n)
{
    (void)arg;
    return run_kind(REPORT_DAILY, run, result, n);
}

static bool run_period(void *arg, const kw_sched_run *run, char *result, size_t n)
{
    (void)arg;
    return run_kind(REPORT_PERIOD, run, result, n);
}

/* ---- the jobs ---- */

/* The period report's time: the first daily_at after the period's end (its end without one). */
static int64_t period_at(const conf *c)
{
    int64_t end = c->period.end_ms;
    if (!c->report.daily_at || c->report.daily_at_min < 0)
        return end;
    kw_sched_rule r = kw_sched_rule_none();
    r.daily_min = c->report.daily_at_min;
    r.tz_min = c->console.tz_min;
    return kw_sched_next_due(&r, end, end);
}

/* Under rm.mu, the old jobs dropped: the jobs of c. */
static void jobs_take(const conf *c)
{
    rm.c = c;
    rm.learn = true;
    if (c->report.daily_at && c->report.daily_at_min >= 0) {
        kw_sched_rule r = kw_sched_rule_none();
        r.daily_min = c->report.daily_at_min;
        r.tz_min = c->console.tz_min;
        r.lead_delay_ms = FIRST_RUN_DELAY_MS;
        kw_sched_add(rm.sched, "report", "daily", &r, run_daily, NULL);
    }
    if (c->period.start_ms && c->period.end_ms) {
        kw_sched_rule r = kw_sched_rule_none();
        r.at_ms[0] = period_at(c);
        r.nat = 1;
        r.wait_last = true;
        r.lead_delay_ms = FIRST_RUN_DELAY_MS;
        kw_sched_add(rm.sched, "report", "period", &r, run_period, NULL);
    }
}

/* What the store says was made last: the scheduler's last start of each job. The period job
 * waits for it (a period that ended while no server led is reported when one leads); a daily
 * job never made starts with the next daily_at, not with days past. */
static void jobs_learn(kw_store *st)
{
    static const char *const kinds[] = {"daily", "period"};
    for (int i = 0; i < 2; i++) {
        int64_t made = 0;
        if (store_report_last_made(st, kinds[i], &made) == KW_OK && (made || i == 1))
            kw_sched_set_last(rm.sched, "report", kinds[i], made, made);
    }
}

static void report_tick(void *state, int64_t now, alert_acts *acts)
{
    (void)state, (void)now, (void)acts;
    bool lead = kw_core_leads(rm.core);
    pthread_mutex_lock(&rm.mu);
    if (lead && (!rm.leading || rm.learn)) { /* the lead taken, or the jobs made anew */
        jobs_learn(rm.core->store);
        rm.learn = false;
    }
    rm.leading = lead;
    pthread_mutex_unlock(&rm.mu);
}

static kw_rc report_start(kw_core *core, const conf *c, void **state)
{
    pthread_mutex_lock(&rm.mu);
    rm.core = core;
    rm.sched = core->sched;
    rm.leading = false;
    jobs_take(c);
    pthread_mutex_unlock(&rm.mu);
    *state = &rm;
    return KW_OK;
}

static void report_reload(void *state, const conf *old, const conf *next)
{
    (void)state, (void)old;
    /* a report being made reads the old configuration: it stops before that is freed (its
     * row is not written, so it is made again when due) */
    kw_sched_drop_module(rm.sched, "report"); /* outside rm.mu: a run takes it as it begins */
    pthread_mutex_lock(&rm.mu);
    jobs_take(next);
    pthread_mutex_unlock(&rm.mu);
}

static void report_stop(void *state, int64_t budget_ms)
{
    (void)state, (void)budget_ms;
    kw_sched_drop_module(rm.sched, "report");
    pthread_mutex_lock(&rm.mu);
    rm.sched = NULL;
    rm.c = NULL;
    pthread_mutex_unlock(&rm.mu);
}

const kw_module report_module = {
    .name = "report",
    .phase = KW_PHASE_USER,
    .start = report_start,
    .reload = report_reload,
    .stop = report_stop,
    .tick = report_tick,
    .routes = report_routes,
    .migrations = store_report_migrations,
    .nmigrations = STORE_REPORT_VERSIONS,
};
