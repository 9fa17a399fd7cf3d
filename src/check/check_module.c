/* The check module: one thread per enabled check, each running its check every interval and
 * handing the result (metrics, and an ECS line when it changes or every
 * events.metric_interval) to the core. */
#include "check/check.h"
#include "core/kw_buf.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "drill/drill.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct check_module_state {
    kw_core *core;
    kw_sensors *sensors; /* the checks' threads */
} check_module_state;

typedef struct check_sensor_arg {
    kw_core *core;
    kw_sensors *group;
    const conf_check *check;
    int64_t log_every; /* events.metric_interval */
} check_sensor_arg;

/* One result as an event: metrics always, the ECS line when asked. */
static kw_event *check_event(const check_sensor_arg *s, const char *source, const check_result *r, int64_t ts,
                             bool log_it)
{
    kw_event *ev = kw_event_new(source, ts);
    ev->metrics = metric_set_new(ts);
    check_result_metrics(s->check, r, ev->metrics);
    if (log_it) {
        kw_buf b;
        kw_buf_init(&b, 0);
        check_result_ecs(s->check, r, ts, &b);
        ev->ecs = kw_buf_take(&b);
    }
    return ev;
}

/* Whether a drill forces s's check down now: then r is that failure, with the drill's reason. */
static bool check_forced(const check_sensor_arg *s, check_result *r)
{
    char why[256];
    if (!drill_check_forced(s->core, s->check->name, kw_now_ms(), why, sizeof why))
        return false;
    *r = (check_result){.up = false, .cert_days = NAN, .exit_code = -1};
    snprintf(r->message, sizeof r->message, "%s", why);
    return true;
}

static void *check_sensor_main(void *arg)
{
    check_sensor_arg *s = arg;
    const conf_check *c = s->check;
    char source[160], tname[16];
    snprintf(source, sizeof source, "check:%s", c->name);
    snprintf(tname, sizeof tname, "kw-c-%s", c->name); /* cut to 15 bytes by the kernel */
    pthread_setname_np(pthread_self(), tname);
    int last_up = -1;
    int64_t next = kw_mono_ms(), last_logged = INT64_MIN / 2;
    check_ctx *ctx = check_ctx_new();
    do {
        check_result r;
        /* a check a drill holds down is not run: its failure goes the way a real one goes */
        if (!check_forced(s, &r) && check_run(c, ctx, kw_sensors_stopping(s->group), &r) == KW_ERR_CANCELLED)
            break;
        int64_t ts = kw_now_ms();
        bool changed = (int)r.up != last_up;
        if (changed) {
            if (r.up)
                log_info("check %s (%s) is up: %s", c->name, check_type_name(c->type), r.message);
            else
                log_warn("check %s (%s) is down: %s", c->name, check_type_name(c->type), r.message);
            last_up = r.up;
        }
        /* the event log gets a result when it changes, and routine ones every metric_interval */
        bool log_it = changed || ts - last_logged >= s->log_every;
        if (log_it)
            last_logged = ts;
        kw_core_push(s->core, check_event(s, source, &r, ts, log_it));
        next += c->interval_ms;
        int64_t now = kw_mono_ms();
        if (next < now)
            next = now + c->interval_ms;
    } while (kw_sensors_wait(s->group, next));
    check_ctx_free(ctx);
    return NULL;
}

static void check_sensors_start(check_module_state *s, const conf *cf)
{
    s->sensors = kw_sensors_new(cf->checks.n);
    for (size_t i = 0; i < cf->checks.n; i++) {
        const conf_check *c = CONF_AT(cf->checks, conf_check, i);
        if (!c->enabled)
            continue;
        check_sensor_arg *a = kw_calloc(1, sizeof *a);
        *a = (check_sensor_arg){s->core, s->sensors, c, cf->events.metric_interval_ms};
        char label[160];
        snprintf(label, sizeof label, "check %s", c->name);
        if (!kw_sensors_spawn(s->sensors, check_sensor_main, a, label))
            log_error("cannot start the thread of check %s", c->name);
    }
}

/* Checks' commands run as daemon.user from the first. */
static kw_rc check_module_start(kw_core *core, const conf *c, void **state)
{
    check_module_state *s = kw_calloc(1, sizeof *s);
    s->core = core;
    check_run_as(core->run_as.on, core->run_as.uid, core->run_as.gid, core->run_as.groups, core->run_as.ngroups);
    check_sensors_start(s, c);
    *state = s;
    return KW_OK;
}

/* Every check starts again on the new configuration; the series of checks that are gone
 * leave /metrics. */
static void check_module_reload(void *state, const conf *old, const conf *next)
{
    check_module_state *s = state;
    kw_sensors_stop(s->sensors, KW_CORE_JOIN_MS, &s->core->leaked);
    char **keep = kw_calloc(next->checks.n + 1, sizeof(char *));
    for (size_t i = 0; i < next->checks.n; i++)
        keep[i] = CONF_AT(next->checks, conf_check, i)->name;
    metric_registry_prune(s->core->registry, "check:", keep, next->checks.n);
    free(keep);
    check_sensors_start(s, next);
}

static void check_module_stop(void *state, int64_t budget_ms)
{
    check_module_state *s = state;
    kw_sensors_stop(s->sensors, budget_ms, &s->core->leaked);
    free(s);
}

const kw_module check_module = {
    .name = "check",
    .phase = KW_PHASE_USER,
    .start = check_module_start,
    .reload = check_module_reload,
    .stop = check_module_stop,
};
