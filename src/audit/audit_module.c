/* The audit module: the scheduled audits (audit.jobs) on the leading server, one at a time on
 * the scheduler's audit thread (kw_core.sched, core/kw_sched.h). Each run is recorded in the findings as `audit NAME` (a fixed failure
 * the next run no longer sees is verified) and compared with the job's last snapshot: a change
 * (a rule added to a firewall, PermitRootLogin switched on) fires an audit_drift alert whose
 * summary carries the diff, so what nobody announced during the protection period is seen
 * within the job's interval (hourly by default).
 *   GET  /api/v1/audit            the jobs: kind, every, the last run's times, result, drift
 *   POST /api/v1/audit/NAME/run   run it now (officers; on the leader) */
#include "audit/audit_conf.h"
#include "audit/audit_drift.h"
#include "audit/audit_run.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_sched.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "findings/findings_job.h"
#include "findings/findings_run.h"
#include "http/http_reply.h"
#include "store/store_audit.h"
#include "store/store_findings.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUDIT_JOBS_MAX 256
#define AUDIT_FIRST_DELAY_MS 5000
#define AUDIT_SNAPSHOT_MAX ((size_t)32 << 20)
#define AUDIT_DIFF_LINES 40
#define AUDIT_DRIFT_QUEUE 64

#define MODULE "audit"

typedef struct ajob {
    findings_job job;           /* first: findings_job_sync walks them */
    size_t ci;
    char drift[4096];           /* the last drift seen, as people read it ("" none) */
    int64_t drift_ms;
    uint64_t drifts;
} ajob;

/* A drift the run found, for the core thread to fire. */
typedef struct pending_drift {
    char job[128];
    char digest[17];
    int severity;
    char *summary;
} pending_drift;

static struct {
    pthread_mutex_t mu;
    kw_core *core;
    const conf *c;
    ajob v[AUDIT_JOBS_MAX];
    size_t n;
    pending_drift drift[AUDIT_DRIFT_QUEUE]; /* for the core thread to fire */
    size_t ndrift;
} asched = {.mu = PTHREAD_MUTEX_INITIALIZER};

typedef struct arun {
    const conf *c;
    const conf_audit_job *job;
    size_t index;
    char source[160];
} arun;

static const char *const scanners[] = {AUDIT_SCANNER_CONFIG, AUDIT_SCANNER_HOST, AUDIT_SCANNER_APP};

static void on_file(void *arg, const char *file, const char *vendor, const char *asset, size_t unknown)
{
    const finding_sink *sink = ((void **)arg)[0];
    const char *scanner = ((void **)arg)[1];
    finding_cover cv = {.scanner = scanner, .host = asset};
    finding_covered(sink, &cv);
    if (unknown)
        log_info("audit: %s (%s): %zu statements not understood", file, vendor, unknown);
}

/* Runs the job into the findings run and the snapshot lines. */
static kw_rc arun_audit(const arun *r, findings_run *run, kw_buf *lines, audit_out *o, char *err, size_t errn)
{
    const conf_audit_job *j = r->job;
    audit_spec s = {.kind = (audit_kind)j->kind, .files = (const char *const *)j->files.v, .nfiles = j->files.n,
                    .vendor = j->vendor, .host = j->host, .root = j->root, .profile = j->profile,
                    .only = (const char *const *)j->only.v, .nonly = j->only.n,
                    .dirs = (const char *const *)j->dirs.v, .ndirs = j->dirs.n, .instances = (int)j->instances,
                    .db_max_connections = (int)j->db_max_connections};
    finding_sink sink = findings_run_sink(run);
    const char *scanner = scanners[j->kind >= 0 && j->kind < 3 ? j->kind : 0];
    *o = (audit_out){.scanner = scanner, .sink = &sink, .lines = lines, .now_ms = kw_now_ms()};
    void *arg[2] = {&sink, (void *)scanner};
    return audit_spec_run(&s, o, on_file, arg, NULL, err, errn);
}

/* Under asched.mu: queues a drift for the core thread (the oldest is dropped when full). */
static void drift_queue(const char *job, const char *digest, int severity, const char *summary)
{
    if (asched.ndrift == AUDIT_DRIFT_QUEUE) {
        log_warn("audit: drift of %s not alerted: %d others wait", asched.drift[0].job, AUDIT_DRIFT_QUEUE);
        free(asched.drift[0].summary);
        memmove(asched.drift, asched.drift + 1, sizeof asched.drift[0] * (AUDIT_DRIFT_QUEUE - 1));
        asched.ndrift--;
    }
    pending_drift *d = &asched.drift[asched.ndrift++];
    snprintf(d->job, sizeof d->job, "%s", job);
    snprintf(d->digest, sizeof d->digest, "%s", digest);
    d->severity = severity;
    d->summary = kw_strdup(summary);
    for (size_t i = 0; i < asched.n; i++)
        if (!strcmp(asched.v[i].job.name, job)) {
            snprintf(asched.v[i].drift, sizeof asched.v[i].drift, "%s", summary);
            asched.v[i].drift_ms = kw_now_ms();
            asched.v[i].drifts++;
        }
}

void audit_drift_take(kw_store *st, const char *job, kw_buf *lines, char *note, size_t noten)
{
    audit_drift_normalise(lines);
    char *before = NULL;
    int64_t taken = 0;
    kw_rc rc = store_audit_snapshot_get(st, job, &before, &taken);
    if (rc == KW_ERR_NOTFOUND)
        snprintf(note, noten, "; baseline taken");
    if (rc == KW_OK) {
        kw_buf diff;
        kw_buf_init(&diff, 64 << 10);
        audit_drift d;
        size_t n = audit_drift_diff(before, lines->data, &diff, AUDIT_DIFF_LINES, &d);
        if (n) {
            snprintf(note, noten, "; drift: %zu change%s", n, n == 1 ? "" : "s");
            char digest[17];
            alert_fingerprint("audit", job, diff.data, digest);
            kw_buf sum;
            kw_buf_init(&sum, 6000);
            kw_buf_printf(&sum, "audit %s changed since the last run: %zu statement%s added, %zu removed, %zu check%s"
                                " now failing, %zu passing again, %zu other change%s\n",
                          job, d.added, d.added == 1 ? "" : "s", d.removed, d.worse, d.worse == 1 ? "" : "s", d.better,
                          d.changed, d.changed == 1 ? "" : "s");
            kw_buf_append(&sum, diff.data, diff.len > 5000 ? 5000 : diff.len);
            pthread_mutex_lock(&asched.mu);
            drift_queue(job, digest, d.added || d.removed || d.worse ? 3 : 2, sum.data ? sum.data : "");
            pthread_mutex_unlock(&asched.mu);
            kw_buf_free(&sum);
            log_warn("audit %s: drift: %zu change%s", job, n, n == 1 ? "" : "s");
        }
        kw_buf_free(&diff);
    }
    if (rc == KW_OK || rc == KW_ERR_NOTFOUND)
        rc = store_audit_snapshot_put(st, job, lines->data ? lines->data : "", kw_now_ms());
    if (rc != KW_OK)
        log_warn("audit %s: the snapshot: %s", job, store_errmsg(st));
    free(before);
}

static void arun_result(const arun *r, kw_rc rc, const audit_out *o, const findings_counts *k, const char *note,
                        int64_t started, const char *err, char *result, size_t n)
{
    if (rc == KW_OK) {
        snprintf(result, n, "ok: %zu pass, %zu fail, %zu n/a, %zu note%s (%zu new, %zu verified, %zu reopened)%s in %.1f s",
                 o->status[AUDIT_PASS], o->status[AUDIT_FAIL], o->status[AUDIT_NA], o->status[AUDIT_NOTE],
                 o->status[AUDIT_NOTE] == 1 ? "" : "s", k->added, k->verified, k->reopened, note,
                 (double)(kw_now_ms() - started) / 1000.0);
        log_info("audit %s: %s", r->job->name, result);
    } else {
        snprintf(result, n, "failed: %s", err[0] ? err : kw_rc_str(rc));
        log_warn("audit %s %s; nothing recorded", r->job->name, result);
    }
}

/* Under asched.mu: what job i runs on (false when it is no longer configured). */
static bool arun_take(size_t i, arun *r)
{
    if (i >= asched.n || !asched.c)
        return false;
    r->c = asched.c;
    r->job = CONF_AT(asched.c->audit.jobs, conf_audit_job, asched.v[i].ci);
    r->index = i;
    snprintf(r->source, sizeof r->source, "audit %s", asched.v[i].job.name);
    return true;
}

/* The scheduler's run of job (intptr_t)arg; an audit reads files only: it ends by itself,
 * quickly, so it does not look at run->cancel. */
static bool arun_main(void *arg, const kw_sched_run *sr, char *result, size_t rn)
{
    arun rr, *r = &rr;
    pthread_mutex_lock(&asched.mu);
    bool have = arun_take((size_t)(intptr_t)arg, r);
    const char *path = asched.core->store_path;
    pthread_mutex_unlock(&asched.mu);
    if (!have) {
        snprintf(result, rn, "failed: no longer configured");
        return false;
    }
    int64_t started = kw_now_ms();
    char err[1024] = "", note[96] = "";
    kw_store *st = store_open(path, false, err, sizeof err);
    findings_kev *kev = NULL;
    findings_run *run = NULL;
    kw_buf lines;
    kw_buf_init(&lines, AUDIT_SNAPSHOT_MAX);
    audit_out o = {0};
    kw_rc rc = st ? findings_kev_from_conf(r->c, &kev, err, sizeof err) : KW_ERR_STORE; /* its table: the daemon migrated it */
    if (rc == KW_OK) {
        run = findings_run_open(st, r->c, kev, scanners[r->job->kind >= 0 && r->job->kind < 3 ? r->job->kind : 0],
                                r->source, "keepwatch");
        rc = arun_audit(r, run, &lines, &o, err, sizeof err);
    }
    findings_counts k = {0};
    if (rc == KW_OK) {
        rc = findings_run_close(run, &k, err, sizeof err);
        run = NULL;
    }
    findings_run_abort(run);
    if (rc == KW_OK && lines.overflow)
        log_warn("audit %s: the snapshot passed 32 MiB: drift not compared", r->job->name);
    else if (rc == KW_OK)
        audit_drift_take(st, r->job->name, &lines, note, sizeof note);
    arun_result(r, rc, &o, &k, note, started, err, result, rn);
    kw_buf_free(&lines);
    findings_kev_free(kev);
    if (st)
        store_close(st);
    return rc == KW_OK;
}

static void jobs_take(const conf *c)
{
    static ajob old[AUDIT_JOBS_MAX];
    size_t nold = asched.n;
    memcpy(old, asched.v, sizeof old[0] * nold);
    asched.n = 0;
    for (size_t i = 0; i < c->audit.jobs.n && asched.n < AUDIT_JOBS_MAX; i++) {
        const conf_audit_job *cj = CONF_AT(c->audit.jobs, conf_audit_job, i);
        ajob *x = &asched.v[asched.n++];
        memset(x, 0, sizeof *x);
        for (size_t k = 0; k < nold; k++)
            if (!strcmp(old[k].job.name, cj->name ? cj->name : ""))
                *x = old[k];
        snprintf(x->job.name, sizeof x->job.name, "%s", cj->name ? cj->name : "");
        x->ci = i;
        x->job.every_ms = cj->every_ms;
    }
    asched.c = c;
    findings_job_sync(asched.core->sched, MODULE, old, nold, asched.v, asched.n, sizeof asched.v[0],
                      AUDIT_FIRST_DELAY_MS, arun_main);
}

static void jobs_learn(kw_store *st)
{
    for (size_t i = 0; i < asched.n; i++) {
        char source[160];
        snprintf(source, sizeof source, "audit %s", asched.v[i].job.name);
        findings_job_learn(asched.core->sched, MODULE, asched.v[i].job.name, st, source, &asched.v[i].job.learned);
    }
}

/* Under asched.mu: fires the queued drifts. */
static void drift_fire(alert_acts *acts, int64_t now)
{
    for (size_t i = 0; i < asched.ndrift; i++) {
        pending_drift *d = &asched.drift[i];
        kw_buf lb;
        kw_buf_init(&lb, 1024);
        kw_json j;
        kw_json_init(&j, &lb);
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "change", d->digest);
        kw_json_kv_str(&j, "job", d->job);
        kw_json_obj_end(&j);
        alert_act *x = alert_acts_push(acts, ALERT_ACT_FIRE, "audit", "audit_drift", kw_buf_take(&lb));
        x->summary = d->summary;
        x->severity = d->severity;
        x->at_ms = now;
        x->started_ms = now;
        d->summary = NULL;
    }
    asched.ndrift = 0;
}

static void audit_tick(void *state, int64_t now, alert_acts *acts)
{
    bool lead = kw_core_leads(asched.core);
    pthread_mutex_lock(&asched.mu);
    drift_fire(acts, now);
    if (lead)
        jobs_learn(asched.core->store);
    pthread_mutex_unlock(&asched.mu);
}

static kw_rc audit_start(kw_core *core, const conf *c, void **state)
{
    pthread_mutex_lock(&asched.mu);
    asched.core = core;
    asched.n = 0;
    jobs_take(c);
    pthread_mutex_unlock(&asched.mu);
    *state = &asched;
    return KW_OK;
}

static void audit_reload(void *state, const conf *old, const conf *next)
{
    kw_sched_cancel_module(asched.core->sched, MODULE); /* it reads the old configuration */
    pthread_mutex_lock(&asched.mu);
    jobs_take(next);
    pthread_mutex_unlock(&asched.mu);
}

static void audit_stop(void *state, int64_t budget_ms)
{
    kw_sched_drop_module(asched.core->sched, MODULE);
    pthread_mutex_lock(&asched.mu);
    asched.n = 0;
    asched.c = NULL;
    for (size_t i = 0; i < asched.ndrift; i++)
        free(asched.drift[i].summary);
    asched.ndrift = 0;
    pthread_mutex_unlock(&asched.mu);
}

static const char *const kind_names[] = {"config", "host", "app"};

static int api_jobs(const http_call *q)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    pthread_mutex_lock(&asched.mu);
    kw_json_kv_bool(&j, "leader", kw_core_leads(asched.core));
    kw_json_key(&j, "jobs");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < asched.n; i++) {
        const ajob *x = &asched.v[i];
        const conf_audit_job *cj = asched.c ? CONF_AT(asched.c->audit.jobs, conf_audit_job, x->ci) : NULL;
        kw_json_obj_begin(&j);
        kw_json_kv_str(&j, "name", x->job.name);
        if (cj) {
            kw_json_kv_str(&j, "kind", kind_names[cj->kind >= 0 && cj->kind < 3 ? cj->kind : 0]);
            kw_json_key(&j, "files");
            kw_json_arr_begin(&j);
            for (size_t k = 0; k < cj->files.n; k++)
                kw_json_str(&j, cj->files.v[k]);
            kw_json_arr_end(&j);
            if (cj->root)
                kw_json_kv_str(&j, "root", cj->root);
        }
        kw_json_kv_int(&j, "every_s", x->job.every_ms / 1000);
        findings_job_json(&j, asched.core->sched, MODULE, x->job.name);
        if (x->drift[0]) {
            kw_json_kv_str(&j, "drift", x->drift);
            kw_json_kv_time(&j, "drift_at", x->drift_ms);
        }
        kw_json_kv_int(&j, "drifts", (int64_t)x->drifts);
        kw_json_obj_end(&j);
    }
    pthread_mutex_unlock(&asched.mu);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    return http_json(q->conn, MHD_HTTP_OK, &b);
}

/* Marks job name[0..n) to run at the next tick, on the leader. */
static http_job_ask audit_request(const char *name, size_t n)
{
    return findings_job_request(asched.core->sched, MODULE, kw_core_leads(asched.core), name, n);
}

/* POST /api/v1/audit/NAME/run */
static int api_run(const http_call *q)
{
    return http_job_run(q, "/api/v1/audit/", "audit", audit_request);
}

static const http_route audit_routes[] = {
    {"/api/v1/audit", "GET", api_jobs},
    {"/api/v1/audit/", "POST", api_run},
    {0},
};

const kw_module audit_module = {
    .name = "audit",
    .phase = KW_PHASE_USER,
    .start = audit_start,
    .reload = audit_reload,
    .stop = audit_stop,
    .tick = audit_tick,
    .routes = audit_routes,
    .conf = &audit_conf_section,
    .migrations = store_audit_migrations,
    .nmigrations = STORE_AUDIT_VERSIONS,
};
