/* The duty module: the watch over the duty log's chain (duty_watch.c). It configures the
 * store's duty log before the store opens, then checks the chain from the core thread about
 * once a second. */
#include "duty/duty_watch.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"

#include <stdlib.h>

#define DUTY_TICK_MS 1000

typedef struct duty_module_state {
    kw_core *core;
    duty_watch watch;
    int64_t last_ms; /* kw_mono_ms() of the last duty_watch_tick */
} duty_module_state;

static kw_rc duty_module_start(kw_core *core, const conf *c, void **state)
{
    duty_module_state *s = kw_calloc(1, sizeof *s);
    s->core = core;
    s->last_ms = kw_mono_ms() - DUTY_TICK_MS; /* the first turn of the core checks */
    duty_watch_init(&s->watch, c);
    *state = s;
    return KW_OK;
}

static void duty_module_tick(void *state, int64_t now_ms, alert_acts *acts)
{
    duty_module_state *s = state;
    int64_t mono = kw_mono_ms();
    if (mono - s->last_ms < DUTY_TICK_MS)
        return;
    s->last_ms = mono;
    duty_watch_tick(&s->watch, s->core->store, s->core->engine, s->core->registry, now_ms, acts);
}

static void duty_module_stop(void *state, int64_t budget_ms)
{
    free(state);
}

const kw_module duty_module = {
    .name = "duty",
    .phase = KW_PHASE_STORE,
    .start = duty_module_start,
    .stop = duty_module_stop,
    .tick = duty_module_tick,
};
