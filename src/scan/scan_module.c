/* The scan module: the scheduled network and web scans (scan.net and scan.web.jobs) on the
 * leading server, one at a time on a thread of its own, each run recorded in the findings as
 * scan.net NAME or scan.web NAME (so a fixed finding the next run no longer sees is verified). When a job last began comes from the
 * store, so a restart or another server taking over does not scan again before its time.
 *   GET  /api/v1/scan             the jobs: every, targets, the last run's times and result,
 *                                 the next run, which one is running
 *   POST /api/v1/scan/NAME/run    run it now (officers; on the leader)
 * A reload or the loss of leadership stops the running scan, which then records nothing; it
 * runs again when due. */
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_sched.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "findings/findings_job.h"
#include "findings/findings_run.h"
#include "http/http_reply.h"
#include "scan/scan_conf.h"
#include "scan/scan_job.h"
#include "scan/scan_web_run.h"
#include "store/store_findings.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_JOBS_MAX 256
#define MODULE "scan"
#define FIRST_RUN_DELAY_MS 10000 /* after the start (or a takeover), before a job never run begins */

typedef struct sched_job {
    findings_job job;           /* first: findings_job_sync walks them */
    bool web;                   /* a scan.web job (else scan.net) ... */
    size_t ci;                  /* ... its index in that list */
    int64_t findings;           /* the last complete run's findings */
} sched_job;

/* The module's state, shared with the HTTP threads (the routes) and the scan thread under mu. */
static struct {
    pthread_mutex_t mu;
    kw_core *core;
    const conf *c;              /* the configuration the jobs are of */
    sched_job v[SCAN_JOBS_MAX];
    size_t n;
} sched = {.mu = PTHREAD_MUTEX_INITIALIZER};

typedef struct job_run {
    const conf *c;
    const conf_scan_job *job;   /* one of the two */
    const conf_web_job *web;
    char name[128];
    char source[160];
    size_t index;
} job_run;

static void job_source(const sched_job *x, char *out, size_t n)
{
    snprintf(out, n, "scan.%s %s", x->web ? "web" : "net", x->job.name);
}

/* ---- a run, on the scheduler's scan thread ---- */

/* Under sched.mu: what job i runs on (false when it is no longer configured). */
static bool run_take(size_t i, job_run *r)
{
    if (i >= sched.n || !sched.c)
        return false;
    const sched_job *x = &sched.v[i];
    memset(r, 0, sizeof *r);
    r->c = sched.c;
    if (x->web)
        r->web = CONF_AT(sched.c->scan.web.jobs, conf_web_job, x->ci);
    else
        r->job = CONF_AT(sched.c->scan.net, conf_scan_job, x->ci);
    snprintf(r->name, sizeof r->name, "%s", x->job.name);
    job_source(x, r->source, sizeof r->source);
    r->index = i;
    return true;
}

static void run_result(const job_run *r, kw_rc rc, const scan_job_stats *js, const findings_counts *k,
                       int64_t started, const char *err, char *result, size_t n)
{
    if (rc == KW_OK) {
        const char *what = r->web ? "page" : "host", *of = r->web ? "parameter" : "open port";
        snprintf(result, n,
                 "ok: %zu %s%s, %zu %s%s, %zu finding%s (%zu new, %zu verified, %zu reopened, %zu not seen) in %.1f s",
                 js->hosts, what, js->hosts == 1 ? "" : "s", js->open, of, js->open == 1 ? "" : "s", k->reported,
                 k->reported == 1 ? "" : "s", k->added, k->verified, k->reopened, k->not_seen,
                 (double)(kw_now_ms() - started) / 1000.0);
        log_info("scan %s: %s", r->name, result);
        return;
    }
    snprintf(result, n, "%s: %s", rc == KW_ERR_CANCELLED ? "stopped" : "failed", err[0] ? err : kw_rc_str(rc));
    if (rc == KW_ERR_CANCELLED)
        log_info("scan %s %s; nothing recorded", r->name, result);
    else
        log_warn("scan %s %s; nothing recorded", r->name, result);
}

/* The scheduler's run of job (intptr_t)arg. */
static bool job_main(void *arg, const kw_sched_run *run, char *result, size_t n)
{
    job_run r;
    pthread_mutex_lock(&sched.mu);
    bool have = run_take((size_t)(intptr_t)arg, &r);
    const char *path = sched.core->store_path;
    pthread_mutex_unlock(&sched.mu);
    if (!have) {
        snprintf(result, n, "failed: no longer configured");
        return false;
    }
    size_t nt = r.web ? r.web->urls.n : r.job->targets.n;
    log_info("scan %s: started (%zu %s%s)", r.name, nt, r.web ? "URL" : "target", nt == 1 ? "" : "s");
    int64_t started = kw_now_ms();
    char err[512] = "";
    kw_store *st = store_open(path, false, err, sizeof err);
    findings_kev *kev = NULL;
    findings_run *fr = NULL;
    kw_rc rc = st ? findings_kev_from_conf(r.c, &kev, err, sizeof err) : KW_ERR_STORE;
    scan_job_stats js = {0};
    findings_counts k = {0};
    if (rc == KW_OK) {
        fr = findings_run_open(st, r.c, kev, r.web ? WEB_SCANNER : "keepwatch", r.source, "keepwatch");
        finding_sink sink = findings_run_sink(fr);
        rc = r.web ? scan_web_job_run(r.c, r.web, &sink, run->cancel, &js, err, sizeof err)
                   : scan_job_run(r.c, r.job, &sink, run->cancel, &js, err, sizeof err);
    }
    if (rc == KW_OK) {
        rc = findings_run_close(fr, &k, err, sizeof err);
        fr = NULL;
    }
    findings_run_abort(fr);
    run_result(&r, rc, &js, &k, started, err, result, n);
    pthread_mutex_lock(&sched.mu);
    if (rc == KW_OK && r.index < sched.n && strcmp(sched.v[r.index].job.name, r.name) == 0)
        sched.v[r.index].findings = (int64_t)k.reported;
    pthread_mutex_unlock(&sched.mu);
    findings_kev_free(kev);
    if (st)
        store_close(st);
    return rc == KW_OK;
}

/* ---- the schedule ---- */

/* Under sched.mu, the module's run cancelled: the jobs of c, keeping what is known of those
 * that stay (by name), registered with the scheduler. */
static void jobs_take(const conf *c)
{
    sched_job old[SCAN_JOBS_MAX];
    size_t nold = sched.n;
    memcpy(old, sched.v, sizeof old[0] * nold);
    sched.n = 0;
    size_t nnet = c->scan.net.n, nweb = c->scan.web.jobs.n;
    for (size_t i = 0; i < nnet + nweb && sched.n < SCAN_JOBS_MAX; i++) {
        bool web = i >= nnet;
        const char *name = web ? CONF_AT(c->scan.web.jobs, conf_web_job, i - nnet)->name
                               : CONF_AT(c->scan.net, conf_scan_job, i)->name;
        sched_job *x = &sched.v[sched.n++];
        memset(x, 0, sizeof *x);
        for (size_t k = 0; k < nold; k++)
            if (old[k].web == web && strcmp(old[k].job.name, name ? name : "") == 0)
                *x = old[k];
        snprintf(x->job.name, sizeof x->job.name, "%s", name ? name : "");
        x->web = web;
        x->ci = web ? i - nnet : i;
        x->job.every_ms = web ? CONF_AT(c->scan.web.jobs, conf_web_job, i - nnet)->every_ms
                          : CONF_AT(c->scan.net, conf_scan_job, i)->every_ms;
    }
    sched.c = c;
    findings_job_sync(sched.core->sched, MODULE, old, nold, sched.v, sched.n, sizeof sched.v[0], FIRST_RUN_DELAY_MS,
                      job_main);
}

/* Under sched.mu: what the store says of each job's last run, once. */
static void jobs_learn(kw_store *st)
{
    for (size_t i = 0; i < sched.n; i++) {
        char source[160];
        job_source(&sched.v[i], source, sizeof source);
        findings_job_learn(sched.core->sched, MODULE, sched.v[i].job.name, st, source, &sched.v[i].job.learned);
    }
}

static void scan_tick(void *state, int64_t now, alert_acts *acts)
{
    bool lead = kw_core_leads(sched.core);
    pthread_mutex_lock(&sched.mu);
    if (lead)
        jobs_learn(sched.core->store);
    pthread_mutex_unlock(&sched.mu);
}

static kw_rc scan_start(kw_core *core, const conf *c, void **state)
{
    pthread_mutex_lock(&sched.mu);
    sched.core = core;
    sched.n = 0;
    jobs_take(c);
    pthread_mutex_unlock(&sched.mu);
    *state = &sched;
    return KW_OK;
}

static void scan_reload(void *state, const conf *old, const conf *next)
{
    /* the running scan reads the old configuration: it ends before that is freed, and runs
     * again when due (outside sched.mu: the run takes it as it ends) */
    kw_sched_cancel_module(sched.core->sched, MODULE);
    pthread_mutex_lock(&sched.mu);
    jobs_take(next);
    pthread_mutex_unlock(&sched.mu);
}

static void scan_stop(void *state, int64_t budget_ms)
{
    kw_sched_drop_module(sched.core->sched, MODULE);
    pthread_mutex_lock(&sched.mu);
    sched.n = 0;
    sched.c = NULL;
    pthread_mutex_unlock(&sched.mu);
}

/* ---- the routes ---- */

static int api_jobs(const http_call *q)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    pthread_mutex_lock(&sched.mu);
    kw_json_kv_bool(&j, "leader", kw_core_leads(sched.core));
    kw_json_key(&j, "jobs");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < sched.n; i++) {
        const sched_job *x = &sched.v[i];
        const conf_scan_job *cj = sched.c && !x->web ? CONF_AT(sched.c->scan.net, conf_scan_job, x->ci) : NULL;
        const conf_web_job *wj = sched.c && x->web ? CONF_AT(sched.c->scan.web.jobs, conf_web_job, x->ci) : NULL;
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", x->job.name);
        kw_json_kv_str(&j, "kind", x->web ? "web" : "net");
        kw_json_kv_int(&j, "every_s", x->job.every_ms / 1000);
        if (wj) {
            kw_json_key(&j, "urls");
            kw_json_arr_begin(&j);
            for (size_t k = 0; k < wj->urls.n; k++)
                kw_json_str(&j, wj->urls.v[k]);
            kw_json_arr_end(&j);
        }
        if (cj) {
            kw_json_key(&j, "targets");
            kw_json_arr_begin(&j);
            for (size_t k = 0; k < cj->targets.n; k++)
                kw_json_str(&j, cj->targets.v[k]);
            kw_json_arr_end(&j);
            kw_json_kv_str(&j, "ports", cj->ports);
        }
        findings_job_json(&j, sched.core->sched, MODULE, x->job.name);
        kw_json_kv_int(&j, "findings", x->findings);
        kw_json_obj_end(&j);
    }
    pthread_mutex_unlock(&sched.mu);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    return http_json(q->conn, MHD_HTTP_OK, &b);
}

/* Marks job name[0..n) to run at the next tick, on the leader. */
static http_job_ask scan_request(const char *name, size_t n)
{
    return findings_job_request(sched.core->sched, MODULE, kw_core_leads(sched.core), name, n);
}

/* POST /api/v1/scan/NAME/run */
static int api_run(const http_call *q)
{
    return http_job_run(q, "/api/v1/scan/", "scan", scan_request);
}

static const http_route scan_routes[] = {
    {"/api/v1/scan", "GET", api_jobs},
    {"/api/v1/scan/", "POST", api_run},
    {0},
};

const kw_module scan_module = {
    .name = "scan",
    .phase = KW_PHASE_USER,
    .start = scan_start,
    .reload = scan_reload,
    .stop = scan_stop,
    .tick = scan_tick,
    .routes = scan_routes,
    .conf = &scan_conf_section,
};
