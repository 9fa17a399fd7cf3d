/* The snmp module: one thread that runs the poller (every device of snmp.devices, and the
 * trap listener of snmp.traps) and hands the core each device's samples after each poll
 * (source "snmp:DEVICE") and each trap as an ECS event (source "snmp:traps") with what
 * logs.rules detected in it (alert changes, source "snmp"). A reload starts it again on the
 * new configuration. */
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "logs/logs_rule.h"
#include "snmp/snmp.h"
#include "snmp/snmp_poll.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct snmp_module_state {
    kw_core *core;
    kw_sensors *sensors; /* the poller thread */
    pthread_mutex_t mu;  /* guards carry */
    kw_map carry;        /* device name -> snmp_dev_state: what a reload hands the next poller */
} snmp_module_state;

typedef struct snmp_thread {
    kw_core *core;
    snmp_module_state *mod;
    kw_sensors *group;
    const conf *cfg;
    log_ruleset *rules;  /* logs.rules, for traps */
    log_engine *eng;
    alert_acts pending;  /* detections of the trap being handled */
    log_rec rec;
    kw_map down;         /* device name -> (void *)1 while it does not answer (to log changes once) */
    uint64_t traps;      /* received */
} snmp_thread;

/* ---- polls ---- */

static void snmp_on_poll(void *arg, const conf_snmp_device *d, metric_set *set, bool answered, const char *error)
{
    snmp_thread *t = arg;
    bool was_down = kw_map_get(&t->down, d->name) != NULL;
    if (!answered && !was_down) {
        log_warn("snmp %s (%s): %s", d->name, d->address, error ? error : "no answer");
        kw_map_put(&t->down, d->name, (void *)1);
    } else if (answered && was_down) {
        log_info("snmp %s (%s) answers again", d->name, d->address);
        kw_map_del(&t->down, d->name);
    }
    char source[160];
    snprintf(source, sizeof source, "snmp:%s", d->name);
    kw_event *ev = kw_event_new(source, set->ts_ms);
    ev->metrics = set;
    kw_core_push(t->core, ev);
}

/* ---- traps ---- */

static void snmp_on_detection(void *arg, const log_detection *x)
{
    snmp_thread *t = arg;
    log_detection_act(x, "snmp", &t->pending);
}

/* What the rules decided is never dropped: it waits for room in the queue. */
static void snmp_flush_acts(snmp_thread *t, kw_event *ev)
{
    if (t->pending.n) {
        ev->acts = kw_calloc(1, sizeof *ev->acts);
        *ev->acts = t->pending;
        memset(&t->pending, 0, sizeof t->pending);
        if (!kw_core_push_waiting(t->core, ev)) {
            log_error("snmp: the core took no alert change for 2 s; %zu dropped", ev->acts->n);
            kw_event_free(ev);
        }
        return;
    }
    kw_core_push(t->core, ev);
}

static void snmp_on_trap(void *arg, const snmp_trap *tr)
{
    snmp_thread *t = arg;
    t->traps++;
    kw_event *ev = kw_event_new("snmp:traps", tr->ts_ms);
    kw_buf b;
    kw_buf_init(&b, 256 * 1024);
    snmp_trap_ecs(tr, &b);
    ev->ecs = kw_buf_take(&b);
    if (t->eng) {
        snmp_trap_rec(tr, &t->rec);
        log_engine_line_at(t->eng, &t->rec, tr->ts_ms);
    }
    snmp_flush_acts(t, ev);
}

/* ---- the thread ---- */

static void snmp_thread_rules(snmp_thread *t)
{
    char err[256];
    t->rules = log_ruleset_from_conf(t->cfg, err, sizeof err);
    if (!t->rules) {
        log_warn("snmp: traps are not matched against logs.rules: %s", err);
        return;
    }
    t->eng = log_engine_new(t->rules, snmp_on_detection, t);
}

static void snmp_thread_free(snmp_thread *t)
{
    if (t->eng) {
        log_engine_finish(t->eng);
        if (t->pending.n)
            snmp_flush_acts(t, kw_event_new("snmp", kw_now_ms()));
        log_engine_free(t->eng);
    }
    log_ruleset_free(t->rules);
    alert_acts_free(&t->pending);
    log_rec_free(&t->rec);
    kw_map_free(&t->down);
}

/* Once a second: the trap rules' time passes; the listener's counters go to /metrics. */
static void snmp_thread_second(snmp_thread *t, snmp_poller *p)
{
    if (t->eng) {
        log_engine_tick(t->eng, kw_now_ms());
        if (t->pending.n)
            snmp_flush_acts(t, kw_event_new("snmp", kw_now_ms()));
    }
    if (t->cfg->snmp.traps.listen && *t->cfg->snmp.traps.listen) {
        kw_event *ev = kw_event_new("snmp:traps", kw_now_ms());
        ev->metrics = metric_set_new(ev->ts_ms);
        snmp_trap_samples(t->traps, snmp_poller_traps_dropped(p), ev->metrics);
        kw_core_push(t->core, ev);
    }
}

static void *snmp_thread_main(void *arg)
{
    snmp_thread *t = arg;
    pthread_setname_np(pthread_self(), "kw-snmp");
    kw_map_init(&t->down);
    log_rec_init(&t->rec);
    if (t->cfg->snmp.traps.listen && *t->cfg->snmp.traps.listen)
        snmp_thread_rules(t);
    char err[256];
    pthread_mutex_lock(&t->mod->mu);
    snmp_poller *p = snmp_poller_new(t->cfg, &t->mod->carry, snmp_on_poll, snmp_on_trap, t, err, sizeof err);
    snmp_carry_free(&t->mod->carry); /* the states of devices that are gone */
    kw_map_init(&t->mod->carry);
    pthread_mutex_unlock(&t->mod->mu);
    if (!p)
        log_error("snmp: %s", err);
    else
        log_info("snmp: polling %zu device(s)%s%s", t->cfg->snmp.devices.n,
                 t->cfg->snmp.traps.listen ? ", traps on " : "", t->cfg->snmp.traps.listen ? t->cfg->snmp.traps.listen : "");
    atomic_bool *stop = kw_sensors_stopping(t->group);
    int64_t next_tick = kw_mono_ms() + 1000;
    while (p && !atomic_load(stop)) {
        snmp_poller_run(p, kw_mono_ms() + 200);
        if (kw_mono_ms() >= next_tick) {
            snmp_thread_second(t, p);
            next_tick = kw_mono_ms() + 1000;
        }
    }
    pthread_mutex_lock(&t->mod->mu);
    snmp_poller_free(p, &t->mod->carry);
    pthread_mutex_unlock(&t->mod->mu);
    snmp_thread_free(t);
    return NULL;
}

static bool snmp_wanted(const conf *c)
{
    for (size_t i = 0; i < c->snmp.devices.n; i++)
        if (CONF_AT(c->snmp.devices, conf_snmp_device, i)->enabled)
            return true;
    return c->snmp.traps.listen && *c->snmp.traps.listen;
}

static void snmp_threads_start(snmp_module_state *s, const conf *c)
{
    s->sensors = kw_sensors_new(1);
    if (!snmp_wanted(c))
        return;
    snmp_thread *t = kw_calloc(1, sizeof *t);
    t->core = s->core;
    t->mod = s;
    t->group = s->sensors;
    t->cfg = c;
    if (!kw_sensors_spawn(s->sensors, snmp_thread_main, t, "snmp poller"))
        log_error("cannot start the snmp poller thread");
}

static kw_rc snmp_module_start(kw_core *core, const conf *c, void **state)
{
    snmp_module_state *s = kw_calloc(1, sizeof *s);
    s->core = core;
    pthread_mutex_init(&s->mu, NULL);
    kw_map_init(&s->carry);
    snmp_threads_start(s, c);
    *state = s;
    return KW_OK;
}

/* The poller starts again on the new configuration, with the devices' states of the one
 * before (rates, interfaces seen up, polls unanswered); devices that are gone leave /metrics. */
static void snmp_module_reload(void *state, const conf *old, const conf *next)
{
    snmp_module_state *s = state;
    kw_sensors_stop(s->sensors, KW_CORE_JOIN_MS, &s->core->leaked);
    char **keep = kw_calloc(next->snmp.devices.n + 2, sizeof(char *));
    size_t n = 0;
    for (size_t i = 0; i < next->snmp.devices.n; i++)
        keep[n++] = CONF_AT(next->snmp.devices, conf_snmp_device, i)->name;
    keep[n++] = "traps";
    metric_registry_prune(s->core->registry, "snmp:", keep, n);
    free(keep);
    snmp_threads_start(s, next);
}

static void snmp_module_stop(void *state, int64_t budget_ms)
{
    snmp_module_state *s = state;
    if (!kw_sensors_stop(s->sensors, budget_ms, &s->core->leaked))
        return; /* the thread left behind still uses s */
    snmp_carry_free(&s->carry);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

const kw_module snmp_module = {
    .name = "snmp",
    .phase = KW_PHASE_USER,
    .start = snmp_module_start,
    .reload = snmp_module_reload,
    .stop = snmp_module_stop,
    .metrics = snmp_metrics,
    .routes = snmp_routes,
};
