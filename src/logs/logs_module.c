/* The logs module: the log sensor, when the configuration has log inputs. It starts where the
 * last run stopped (the positions in the store), publishes its state for the API, and is
 * restarted by a reload that changes the logs section, its positions carried over. */
#include "logs/logs_sensor.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "daemon/kw_core.h"
#include "intel/intel.h"

#include <stdlib.h>
#include <string.h>

typedef struct logs_module_state {
    kw_core *core;
    log_sensor *sensor;   /* NULL: no log input, or they could not be opened */
    struct intel *intel;  /* the lists the sensor was started with (the intel module's) */
    kw_offsets offsets;   /* where the inputs stopped: from the store at start, from the sensor on reload */
} logs_module_state;

static bool logs_push(void *arg, kw_event *ev)
{
    kw_core *core = arg;
    return kw_queue_push(core->queue, ev) == KW_OK;
}

static void logs_publish(void *arg, char *json)
{
    kw_core *core = arg;
    http_shared_set_logs(core->sh, json);
}

static void load_offset(void *arg, const kw_offset *o)
{
    kw_offsets_add(arg, o->key, o->dev, o->ino, o->offset, o->cursor);
}

/* Starts the sensor if c has log inputs; false if they cannot be opened. */
static bool logs_sensor_start(logs_module_state *s, const conf *c)
{
    if (!log_sensor_wanted(c))
        return true;
    s->intel = intel_module_share(s->core, c);
    log_sensor_hooks h = {logs_push, logs_publish, s->core, s->intel};
    char err[512];
    s->sensor = log_sensor_start(c, &h, &s->offsets, err, sizeof err);
    if (!s->sensor) {
        log_error("logs: %s", err);
        return false;
    }
    kw_offsets_free(&s->offsets);
    log_info("logs: %zu input%s, %zu rule%s", c->logs.inputs.n, c->logs.inputs.n == 1 ? "" : "s", c->logs.rules.n,
             c->logs.rules.n == 1 ? "" : "s");
    return true;
}

static void logs_sensor_stop(logs_module_state *s)
{
    if (!s->sensor)
        return;
    log_sensor_stop(s->sensor, &s->offsets); /* its last events are in the queue */
    s->sensor = NULL;
    http_shared_set_logs(s->core->sh, NULL);
}

static void logs_module_stop(void *state, int64_t budget_ms)
{
    logs_module_state *s = state;
    logs_sensor_stop(s);
    kw_offsets_free(&s->offsets);
    free(s);
}

/* Log inputs that cannot be opened stop the start-up. */
static kw_rc logs_module_start(kw_core *core, const conf *c, void **state)
{
    logs_module_state *s = kw_calloc(1, sizeof *s);
    s->core = core;
    store_log_offsets_each(core->store, load_offset, &s->offsets);
    if (!logs_sensor_start(s, c)) {
        logs_module_stop(s, 0);
        return KW_ERR_IO;
    }
    *state = s;
    return KW_OK;
}

/* Whether the sensor must start again for next: its section changed, or intelligence lists
 * are named while it runs without any (it takes the new holder when it starts). */
static bool logs_config_changed(const logs_module_state *s, const conf *old, const conf *next)
{
    char *lo = conf_show_section(old, "logs"), *ln = conf_show_section(next, "logs");
    bool changed = strcmp(lo, ln) != 0;
    free(lo);
    free(ln);
    if (changed || !s->sensor || s->intel || !next->intel.files.n)
        return changed;
    char *io = conf_show_section(old, "intel"), *in = conf_show_section(next, "intel");
    changed = strcmp(io, in) != 0;
    free(io);
    free(in);
    return changed;
}

static void logs_module_reload(void *state, const conf *old, const conf *next)
{
    logs_module_state *s = state;
    if (!logs_config_changed(s, old, next))
        return;
    if (s->core->dropped_privileges) {
        log_warn("reload: the logs: section changed, but its inputs cannot be reopened after dropping privileges; "
                 "restart keepwatch to apply it");
        return;
    }
    /* counting and learning start again; positions carry over */
    logs_sensor_stop(s);
    kw_core_detector_stopped(s->core, "logs");
    if (!logs_sensor_start(s, next))
        log_error("reload: the log inputs could not be opened; they stay off until the next reload");
}

const kw_module logs_module = {
    .name = "logs",
    .phase = KW_PHASE_ROOT,
    .start = logs_module_start,
    .reload = logs_module_reload,
    .stop = logs_module_stop,
    .routes = logs_routes,
};
