/* The incident module as the daemon runs it: today its tables (migrated by the daemon as the
 * store opens, from .migrations, so the API and the console find them) and its config
 * section. The engine on the leader (triggers from alerts, notifications of ready steps,
 * overdue steps escalating) comes in start and tick. */
#include "daemon/kw_core.h"
#include "incident/incident_conf.h"
#include "incident/incident_ops.h"
#include "store/store_incident.h"

static kw_rc incident_start(kw_core *core, const conf *c, void **state)
{
    (void)core;
    (void)c;
    *state = NULL;
    return KW_OK;
}

static void incident_stop(void *state, int64_t budget_ms)
{
    (void)state;
    (void)budget_ms;
}

const kw_module incident_module = {
    .name = "incident",
    .phase = KW_PHASE_USER,
    .start = incident_start,
    .stop = incident_stop,
    .migrations = store_incident_migrations,
    .nmigrations = STORE_INCIDENT_VERSIONS,
    .conf = &incident_conf_section,
};
