/* The notify module: the notification thread (routing, escalation, delivery) when notify is
 * enabled and has channels. A reload restarts it on the new configuration: its state is in
 * the store, and it carries on from there. */
#include "notify/notify.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "daemon/kw_core.h"

#include <stdlib.h>

typedef struct notify_module_state {
    kw_core *core;
    notify_runner *runner; /* NULL: off, or it could not start */
} notify_module_state;

/* A runner that cannot start is logged: the alerts are still recorded. */
static void notify_runner_begin(notify_module_state *s, const conf *c)
{
    if (!c->notify.enabled || !c->notify.channels.n)
        return;
    char err[512];
    s->runner = notify_runner_start(c, s->core->store_path, s->core->registry, &s->core->lead_epoch, err, sizeof err);
    if (!s->runner)
        log_error("notify: %s; alerts are recorded but nobody is told", err);
    else
        log_info("notify: %zu channels, %zu policies, %zu routes", c->notify.channels.n, c->notify.policies.n,
                 c->notify.routes.n);
}

static void notify_runner_end(notify_module_state *s, int64_t budget_ms)
{
    notify_runner_stop(s->runner, budget_ms / 3);
    s->runner = NULL;
}

static kw_rc notify_module_start(kw_core *core, const conf *c, void **state)
{
    notify_module_state *s = kw_calloc(1, sizeof *s);
    s->core = core;
    notify_runner_begin(s, c);
    *state = s;
    return KW_OK;
}

static void notify_module_reload(void *state, const conf *old, const conf *next)
{
    notify_runner_end(state, KW_CORE_JOIN_MS);
    notify_runner_begin(state, next);
}

static void notify_module_stop(void *state, int64_t budget_ms)
{
    notify_runner_end(state, budget_ms);
    free(state);
}

const kw_module notify_module = {
    .name = "notify",
    .phase = KW_PHASE_USER,
    .start = notify_module_start,
    .reload = notify_module_reload,
    .stop = notify_module_stop,
};
