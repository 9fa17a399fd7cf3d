/* The host module: the host sensor thread, which reads the host every host.interval and hands
 * the reading (its metrics and the snapshot the API and alerts show) to the core. */
#include "host/host.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct host_module_state {
    kw_core *core;
    kw_sensors *sensors; /* the sensor thread, when host.enabled */
} host_module_state;

typedef struct host_sensor_arg {
    kw_core *core;
    kw_sensors *group;
    const conf *cfg;
} host_sensor_arg;

static void *host_sensor_main(void *arg)
{
    host_sensor_arg *s = arg;
    pthread_setname_np(pthread_self(), "kw-host");
    host_collector *hc = host_collector_new(s->cfg, NULL);
    int64_t interval = s->cfg->host.interval_ms;
    int64_t next = kw_mono_ms();
    size_t warned = 0;
    do {
        host_snapshot *snap = NULL;
        host_collect(hc, &snap);
        if (snap->nwarnings != warned) { /* say it once, not every interval */
            for (size_t i = 0; i < snap->nwarnings; i++)
                log_warn("host: %s", snap->warnings[i]);
            warned = snap->nwarnings;
        }
        kw_event *ev = kw_event_new("host", snap->ts_ms);
        ev->metrics = metric_set_new(snap->ts_ms);
        host_snapshot_metrics(snap, ev->metrics);
        ev->host = snap;
        kw_core_push(s->core, ev);
        next += interval;
        int64_t now = kw_mono_ms();
        if (next < now) /* fell behind (suspended, overloaded): skip, do not burst */
            next = now + interval;
    } while (kw_sensors_wait(s->group, next));
    host_collector_free(hc);
    return NULL;
}

/* Starts the thread when host.enabled says so. */
static void host_sensor_start(host_module_state *s, const conf *c)
{
    s->sensors = kw_sensors_new(1);
    if (!c->host.enabled)
        return;
    host_sensor_arg *a = kw_calloc(1, sizeof *a);
    *a = (host_sensor_arg){s->core, s->sensors, c};
    if (!kw_sensors_spawn(s->sensors, host_sensor_main, a, "host sensor"))
        log_error("cannot start the host sensor thread");
}

static kw_rc host_module_start(kw_core *core, const conf *c, void **state)
{
    host_module_state *s = kw_calloc(1, sizeof *s);
    s->core = core;
    host_sensor_start(s, c);
    *state = s;
    return KW_OK;
}

/* The sensor starts again on every reload, on the new configuration. */
static void host_module_reload(void *state, const conf *old, const conf *next)
{
    host_module_state *s = state;
    kw_sensors_stop(s->sensors, KW_CORE_JOIN_MS, &s->core->leaked);
    host_sensor_start(s, next);
}

static void host_module_stop(void *state, int64_t budget_ms)
{
    host_module_state *s = state;
    kw_sensors_stop(s->sensors, budget_ms, &s->core->leaked);
    free(s);
}

const kw_module host_module = {
    .name = "host",
    .phase = KW_PHASE_USER,
    .start = host_module_start,
    .reload = host_module_reload,
    .stop = host_module_stop,
};
