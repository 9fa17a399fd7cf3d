/* TEMPORARY (brief R1): a stand-in module that only serves the report's routes, so that
 * `keepwatch serve` answers /api/v1/reports/... before the real report_module (R2's
 * report_module.c: the scheduled reports and their delivery) is merged. The merger deletes
 * this file and its line in src/daemon/daemon_modules.c. No tables, no threads. */
#include "daemon/kw_core.h"
#include "report/report.h"
#include "report/report_conf.h"

kw_rc report_tmp_start(kw_core *core, const conf *c, void **state);
void report_tmp_stop(void *state, int64_t budget_ms);

kw_rc report_tmp_start(kw_core *core, const conf *c, void **state)
{
    (void)core;
    (void)c;
    *state = NULL;
    return KW_OK;
}

void report_tmp_stop(void *state, int64_t budget_ms)
{
    (void)state;
    (void)budget_ms;
}

extern const kw_module report_tmp_module;
const kw_module report_tmp_module = {
    .name = "report",
    .phase = KW_PHASE_USER,
    .start = report_tmp_start,
    .stop = report_tmp_stop,
    .routes = report_routes,
    .conf = &report_conf_section,
};
