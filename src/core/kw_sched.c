/* The scheduler (kw_sched.h): the jobs' table in fixed slots (a slot never moves while its
 * job lives, so a running job's thread finds it again), the due rules, one run thread at a time
 * per module, and the listing. Everything is under one mutex; runs happen outside it. */
#include "core/kw_sched.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_json.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#define DAY_MS INT64_C(86400000)
#define LANES_MAX 32

typedef struct sched_job {
    bool used;
    char module[64], name[KW_SCHED_NAME_MAX];
    kw_sched_rule rule;
    kw_sched_fn fn;
    void *arg;
    int64_t added_ms;           /* a daily or timed job is not due for slots before it came */
    int64_t last_start_ms, last_end_ms;
    bool requested;
    bool known;                 /* kw_sched_set_last called, or run here */
    char result[KW_SCHED_RESULT_MAX];
    uint64_t runs_ok, runs_failed;
} sched_job;

/* A module's run thread. */
typedef struct sched_lane {
    char module[64];
    bool running, joinable;
    size_t job;
    int64_t since_ms;
    volatile int cancel;
    pthread_t th;
    kw_sched_run run;
    kw_sched *s;
} sched_lane;

struct kw_sched {
    pthread_mutex_t mu;
    bool leading;
    int64_t lead_since_ms;      /* when this server took the lead */
    sched_job jobs[KW_SCHED_JOBS_MAX];
    sched_lane lanes[LANES_MAX];
};

kw_sched_rule kw_sched_rule_none(void)
{
    kw_sched_rule r;
    memset(&r, 0, sizeof r);
    r.daily_min = -1;
    return r;
}

kw_sched *kw_sched_new(void)
{
    kw_sched *s = kw_calloc(1, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    return s;
}

/* ---- due rules ---- */

/* The latest daily slot at or before now. */
static int64_t daily_slot(const kw_sched_rule *r, int64_t now)
{
    int64_t off = (int64_t)r->tz_min * 60000, local = now + off;
    int64_t day = (local >= 0 ? local / DAY_MS : (local - DAY_MS + 1) / DAY_MS) * DAY_MS - off;
    int64_t slot = day + (int64_t)r->daily_min * 60000;
    return slot > now ? slot - DAY_MS : slot;
}

int64_t kw_sched_next_due(const kw_sched_rule *r, int64_t last_ms, int64_t now_ms)
{
    if (r->every_ms > 0)
        return !last_ms || last_ms + r->every_ms <= now_ms ? now_ms : last_ms + r->every_ms;
    if (r->daily_min >= 0 && r->daily_min < 24 * 60) {
        int64_t slot = daily_slot(r, now_ms);
        return last_ms < slot ? now_ms : slot + DAY_MS;
    }
    int64_t next = 0;
    for (size_t i = 0; i < r->nat && i < KW_SCHED_AT_MAX; i++) {
        int64_t t = r->at_ms[i];
        if (t <= last_ms)
            continue;
        if (t <= now_ms)
            return now_ms;
        if (!next || t < next)
            next = t;
    }
    return next;
}

/* The slot a due job is run for: the daily slot or the given time it fell due at, else now. */
static int64_t due_slot(const kw_sched_rule *r, int64_t last_ms, int64_t now_ms)
{
    if (r->every_ms > 0)
        return now_ms;
    if (r->daily_min >= 0)
        return daily_slot(r, now_ms);
    int64_t best = now_ms;
    for (size_t i = 0; i < r->nat && i < KW_SCHED_AT_MAX; i++)
        if (r->at_ms[i] > last_ms && r->at_ms[i] <= best)
            best = r->at_ms[i];
    return best;
}

/* What counts as a job's last start for its rule: a daily or timed job never run, nor known
 * from the store, is not due for what fell before it was registered; the store's word
 * (kw_sched_set_last, 0: never) counts as it is. */
static int64_t job_last(const sched_job *j)
{
    if (j->rule.every_ms > 0 || j->last_start_ms || j->known)
        return j->last_start_ms;
    return j->added_ms;
}

/* ---- jobs and lanes (under mu) ---- */

static sched_job *job_find(kw_sched *s, const char *module, const char *name)
{
    for (size_t i = 0; i < KW_SCHED_JOBS_MAX; i++) {
        sched_job *j = &s->jobs[i];
        if (j->used && strcmp(j->module, module) == 0 && strcmp(j->name, name) == 0)
            return j;
    }
    return NULL;
}

static sched_lane *lane_of(kw_sched *s, const char *module, bool make)
{
    sched_lane *free_lane = NULL;
    for (size_t i = 0; i < LANES_MAX; i++) {
        sched_lane *l = &s->lanes[i];
        if (l->module[0] && strcmp(l->module, module) == 0)
            return l;
        if (!l->module[0] && !free_lane)
            free_lane = l;
    }
    if (make && free_lane) {
        snprintf(free_lane->module, sizeof free_lane->module, "%s", module);
        free_lane->s = s;
    }
    return make ? free_lane : NULL;
}

kw_rc kw_sched_add(kw_sched *s, const char *module, const char *name, const kw_sched_rule *r, kw_sched_fn fn,
                   void *arg)
{
    if (!module || !*module || strlen(module) >= 64 || !name || !*name || strlen(name) >= KW_SCHED_NAME_MAX)
        return KW_ERR_RANGE;
    pthread_mutex_lock(&s->mu);
    sched_job *j = job_find(s, module, name);
    for (size_t i = 0; !j && i < KW_SCHED_JOBS_MAX; i++)
        if (!s->jobs[i].used) {
            j = &s->jobs[i];
            memset(j, 0, sizeof *j);
            j->used = true;
            j->added_ms = kw_now_ms();
            snprintf(j->module, sizeof j->module, "%s", module);
            snprintf(j->name, sizeof j->name, "%s", name);
        }
    kw_rc rc = j && lane_of(s, module, true) ? KW_OK : KW_ERR_FULL;
    if (j) {
        j->rule = *r;
        j->fn = fn;
        j->arg = arg;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* Under mu: takes the lane's thread to join, if it may be joined now (finished, or all). */
static bool lane_take(sched_lane *l, bool finished_only, pthread_t *th)
{
    if (!l->joinable || (finished_only && l->running))
        return false;
    l->joinable = false;
    *th = l->th;
    return true;
}

void kw_sched_cancel_module(kw_sched *s, const char *module)
{
    pthread_t th;
    pthread_mutex_lock(&s->mu);
    sched_lane *l = lane_of(s, module, false);
    if (l)
        l->cancel = 1;
    bool join = l && lane_take(l, false, &th);
    pthread_mutex_unlock(&s->mu);
    if (join)
        pthread_join(th, NULL);
}

void kw_sched_drop_module(kw_sched *s, const char *module)
{
    kw_sched_cancel_module(s, module);
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < KW_SCHED_JOBS_MAX; i++)
        if (s->jobs[i].used && strcmp(s->jobs[i].module, module) == 0)
            s->jobs[i].used = false;
    pthread_mutex_unlock(&s->mu);
}

void kw_sched_free(kw_sched *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < LANES_MAX; i++) {
        char m[64];
        pthread_mutex_lock(&s->mu);
        snprintf(m, sizeof m, "%s", s->lanes[i].module);
        pthread_mutex_unlock(&s->mu);
        if (m[0])
            kw_sched_cancel_module(s, m);
    }
    pthread_mutex_destroy(&s->mu);
    free(s);
}

kw_rc kw_sched_set_last(kw_sched *s, const char *module, const char *name, int64_t start_ms, int64_t end_ms)
{
    pthread_mutex_lock(&s->mu);
    sched_job *j = job_find(s, module, name);
    if (j && start_ms > j->last_start_ms) {
        j->last_start_ms = start_ms;
        j->last_end_ms = end_ms;
    }
    if (j)
        j->known = true;
    pthread_mutex_unlock(&s->mu);
    return j ? KW_OK : KW_ERR_NOTFOUND;
}

void kw_sched_remove(kw_sched *s, const char *module, const char *name)
{
    pthread_mutex_lock(&s->mu);
    sched_job *j = job_find(s, module, name);
    if (j)
        j->used = false;
    pthread_mutex_unlock(&s->mu);
}

kw_rc kw_sched_run_now(kw_sched *s, const char *module, const char *name)
{
    pthread_mutex_lock(&s->mu);
    sched_job *j = job_find(s, module, name);
    if (j)
        j->requested = true;
    pthread_mutex_unlock(&s->mu);
    return j ? KW_OK : KW_ERR_NOTFOUND;
}

/* ---- runs ---- */

static void *lane_main(void *arg)
{
    sched_lane *l = arg;
    kw_sched *s = l->s;
    pthread_mutex_lock(&s->mu);
    sched_job *j = &s->jobs[l->job];
    kw_sched_fn fn = j->fn;
    void *farg = j->arg;
    kw_sched_run run = l->run;
    pthread_mutex_unlock(&s->mu);
    char result[KW_SCHED_RESULT_MAX] = "";
    bool ok = fn(farg, &run, result, sizeof result);
    pthread_mutex_lock(&s->mu);
    if (j->used) {
        j->last_end_ms = kw_now_ms();
        snprintf(j->result, sizeof j->result, "%s", result[0] ? result : ok ? "ok" : "failed");
        if (ok)
            j->runs_ok++;
        else
            j->runs_failed++;
    }
    l->running = false;
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Under mu: starts job i on its module's lane. */
static void lane_start(kw_sched *s, sched_lane *l, size_t i, int64_t now)
{
    sched_job *j = &s->jobs[i];
    l->run.due_ms = j->requested ? now : due_slot(&j->rule, job_last(j), now);
    l->run.asked = j->requested;
    l->run.cancel = &l->cancel;
    l->cancel = 0;
    l->job = i;
    l->since_ms = now;
    l->running = true;
    j->requested = false;
    j->known = true;
    j->last_start_ms = now;
    if (pthread_create(&l->th, NULL, lane_main, l) != 0) {
        l->running = false;
        j->runs_failed++;
        snprintf(j->result, sizeof j->result, "failed: no thread could be started");
        return;
    }
    l->joinable = true;
}

static bool job_due(const sched_job *j, int64_t now)
{
    if (j->rule.wait_last && !j->known)
        return false;
    if (j->requested)
        return true;
    int64_t next = kw_sched_next_due(&j->rule, job_last(j), now);
    return next && next <= now;
}

void kw_sched_tick(kw_sched *s, int64_t now_ms, bool leading)
{
    for (size_t k = 0; k < LANES_MAX; k++) {
        pthread_t th;
        pthread_mutex_lock(&s->mu);
        sched_lane *l = &s->lanes[k];
        if (!leading)
            l->cancel = 1;
        bool join = lane_take(l, leading, &th);
        pthread_mutex_unlock(&s->mu);
        if (join)
            pthread_join(th, NULL);
    }
    pthread_mutex_lock(&s->mu);
    if (leading && !s->leading)
        s->lead_since_ms = now_ms;
    s->leading = leading;
    if (!leading) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    for (size_t i = 0; i < KW_SCHED_JOBS_MAX; i++) {
        sched_job *j = &s->jobs[i];
        if (!j->used || now_ms < s->lead_since_ms + j->rule.lead_delay_ms || !job_due(j, now_ms))
            continue;
        sched_lane *l = lane_of(s, j->module, false);
        if (l && !l->running && !l->joinable)
            lane_start(s, l, i, now_ms);
    }
    pthread_mutex_unlock(&s->mu);
}

kw_rc kw_sched_info_get(kw_sched *s, const char *module, const char *name, kw_sched_info *out)
{
    memset(out, 0, sizeof *out);
    int64_t now = kw_now_ms();
    pthread_mutex_lock(&s->mu);
    const sched_job *j = job_find(s, module, name);
    if (j) {
        const sched_lane *l = lane_of(s, module, false);
        out->known = j->known || !j->rule.wait_last;
        out->running = l && l->running && &s->jobs[l->job] == j;
        out->running_since_ms = out->running ? l->since_ms : 0;
        out->last_start_ms = j->last_start_ms;
        out->last_end_ms = j->last_end_ms;
        out->next_ms = !out->known ? 0 : j->requested ? now : kw_sched_next_due(&j->rule, job_last(j), now);
        snprintf(out->result, sizeof out->result, "%s", j->result);
        out->runs_ok = j->runs_ok;
        out->runs_failed = j->runs_failed;
    }
    pthread_mutex_unlock(&s->mu);
    return j ? KW_OK : KW_ERR_NOTFOUND;
}

bool kw_sched_busy(kw_sched *s, const char *module)
{
    pthread_mutex_lock(&s->mu);
    sched_lane *l = lane_of(s, module, false);
    bool busy = l && l->running;
    pthread_mutex_unlock(&s->mu);
    return busy;
}

/* ---- the listing ---- */

static void rule_words(const kw_sched_rule *r, char *out, size_t n)
{
    if (r->every_ms > 0)
        snprintf(out, n, "every %llds", (long long)(r->every_ms / 1000));
    else if (r->daily_min >= 0)
        snprintf(out, n, "daily %02d:%02d", (int)(r->daily_min / 60 % 24), (int)(r->daily_min % 60));
    else
        snprintf(out, n, "%s", r->nat ? "at" : "on request");
}

static void job_json(kw_json *w, const sched_job *j, const sched_lane *l, int64_t now)
{
    char rule[64];
    rule_words(&j->rule, rule, sizeof rule);
    bool running = l && l->running && &l->s->jobs[l->job] == j;
    kw_json_obj_begin(w);
    kw_json_kv_str(w, "module", j->module);
    kw_json_kv_str(w, "name", j->name);
    kw_json_kv_str(w, "rule", rule);
    kw_json_kv_bool(w, "running", running);
    kw_json_key(w, "running_since");
    running ? kw_json_time(w, l->since_ms) : kw_json_null(w);
    kw_json_key(w, "last_start");
    j->last_start_ms ? kw_json_time(w, j->last_start_ms) : kw_json_null(w);
    kw_json_key(w, "last_end");
    j->last_end_ms ? kw_json_time(w, j->last_end_ms) : kw_json_null(w);
    int64_t next = j->requested ? now : kw_sched_next_due(&j->rule, job_last(j), now);
    kw_json_key(w, "next");
    next ? kw_json_time(w, next) : kw_json_null(w);
    kw_json_key(w, "result");
    j->result[0] ? kw_json_str(w, j->result) : kw_json_null(w);
    kw_json_kv_int(w, "runs_ok", (int64_t)j->runs_ok);
    kw_json_kv_int(w, "runs_failed", (int64_t)j->runs_failed);
    kw_json_obj_end(w);
}

void kw_sched_json(kw_sched *s, const char *module, kw_buf *out)
{
    kw_json w;
    kw_json_init(&w, out);
    kw_json_arr_begin(&w);
    int64_t now = kw_now_ms();
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < KW_SCHED_JOBS_MAX; i++) {
        const sched_job *j = &s->jobs[i];
        if (j->used && (!module || strcmp(j->module, module) == 0))
            job_json(&w, j, lane_of(s, j->module, false), now);
    }
    pthread_mutex_unlock(&s->mu);
    kw_json_arr_end(&w);
}
