/* The incident module: its tables and its routes, and on the leader, every second, the
 * incident engine's step (incident_engine.h): alerts into incidents by the triggers, ready
 * steps told, late steps raised as incident_step_overdue alerts. The overdue alerts open are
 * taken up again whenever this server takes the lead. */
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "incident/incident.h"
#include "incident/incident_conf.h"
#include "incident/incident_engine.h"
#include "store/store_incident.h"
#include "store/store_incident_engine.h"

#include <stdatomic.h>
#include <stdlib.h>

#define TICK_MS 1000

typedef struct istate {
    kw_core *core;
    incident_engine *e;
    int64_t next_mono;
    int64_t adopted_epoch;     /* the lead epoch the overdue alerts were taken up in (0: not yet) */
    int64_t failing_since;     /* kw_mono_ms() of the first failing step in a row (0: none) */
    bool versions_due;         /* the playbooks' versions to record (after a start or a reload) */
} istate;

static void incident_tick(void *state, int64_t now, alert_acts *acts)
{
    istate *s = state;
    int64_t mono = kw_mono_ms(), epoch = atomic_load(&s->core->lead_epoch);
    if (mono < s->next_mono || !epoch || !s->core->store)
        return;
    s->next_mono = mono + TICK_MS;
    if (s->adopted_epoch != epoch && incident_engine_adopt(s->e, s->core->store, s->core->engine) == KW_OK)
        s->adopted_epoch = epoch;
    if (s->versions_due && incident_engine_versions(s->e, s->core->store, now) == KW_OK)
        s->versions_due = false;
    if (incident_engine_tick(s->e, s->core->store, now, acts) == KW_OK) {
        s->failing_since = 0;
        return;
    }
    if (!s->failing_since) { /* said once per run of failures, not every second */
        s->failing_since = mono;
        log_warn("incident: the engine's step failed: %s", store_errmsg(s->core->store));
    }
}

static kw_rc incident_start(kw_core *core, const conf *c, void **state)
{
    istate *s = kw_calloc(1, sizeof *s);
    s->core = core;
    s->e = incident_engine_new(c);
    s->versions_due = true;
    /* the cursor is placed before the core thread runs: every alert from then on is offered
     * to the triggers, what came before is history */
    int64_t cursor;
    if (core->store && store_incident_cursor(core->store, &cursor) != KW_OK)
        log_warn("incident: cannot place the engine's cursor: %s", store_errmsg(core->store));
    *state = s;
    return KW_OK;
}

static void incident_reload(void *state, const conf *old, const conf *next)
{
    istate *s = state;
    incident_engine_reload(s->e, next);
    s->versions_due = true;
}

static void incident_stop(void *state, int64_t budget_ms)
{
    istate *s = state;
    incident_engine_free(s->e);
    free(s);
}

const kw_module incident_module = {
    .name = "incident",
    .phase = KW_PHASE_USER,
    .start = incident_start,
    .reload = incident_reload,
    .stop = incident_stop,
    .tick = incident_tick,
    .migrations = store_incident_migrations,
    .nmigrations = STORE_INCIDENT_VERSIONS,
    .routes = incident_routes,
    .conf = &incident_conf_section,
};
