/* The drill module: its tables and routes; on every server, the marks of the runs in
 * progress (the core's mark hook); on the leader, the runs themselves (drill_run.h). */
#include "daemon/kw_core.h"
#include "drill/drill.h"
#include "drill/drill_conf.h"
#include "drill/drill_mark.h"
#include "drill/drill_run.h"
#include "core/kw_mem.h"
#include "store/store_drill.h"

#include <stdlib.h>

typedef struct dstate {
    kw_core *core;
    const conf *c;
    drill_runner *runner;
} dstate;

static void drill_tick(void *state, int64_t now, alert_acts *acts)
{
    dstate *s = state;
    drill_runner_tick(s->runner, s->c, now, acts);
}

static kw_rc drill_start(kw_core *core, const conf *c, void **state)
{
    dstate *s = kw_calloc(1, sizeof *s);
    s->core = core;
    s->c = c;
    s->runner = drill_runner_new(core);
    core->drill.mark = drill_mark_hook; /* before the core thread runs */
    *state = s;
    return KW_OK;
}

static void drill_reload(void *state, const conf *old, const conf *next)
{
    ((dstate *)state)->c = next; /* the tick runs on the core thread, reloads under its tick lock */
}

static void drill_stop(void *state, int64_t budget_ms)
{
    dstate *s = state;
    drill_runner_free(s->runner);
    drill_marks_publish(s->core, NULL);
    free(s);
}

const kw_module drill_module = {
    .name = "drill",
    .phase = KW_PHASE_USER,
    .start = drill_start,
    .reload = drill_reload,
    .stop = drill_stop,
    .tick = drill_tick,
    .migrations = store_drill_migrations,
    .nmigrations = STORE_DRILL_VERSIONS,
    .routes = drill_routes,
    .conf = &drill_conf_section,
};
