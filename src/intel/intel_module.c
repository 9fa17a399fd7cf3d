/* The intel module: the intelligence lists the captures and the log sensor share, read when
 * the first of them asks (intel_module_share), re-read by the core thread every
 * intel.reload_interval, reconfigured when a reload changes the intel section, and freed
 * after both sensors stopped (the table starts intel before them, so stops it after). */
#include "intel/intel.h"
#include "conf/conf.h"
#include "core/kw_log.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"

#include <stdlib.h>
#include <string.h>

intel *intel_module_share(kw_core *core, const conf *c)
{
    kw_core_intel *ci = &core->intel;
    if (ci->lists || !c->intel.files.n) /* only the main thread sets lists */
        return ci->lists;
    intel *h = NULL;
    if (intel_from_conf(c, &h) != KW_OK)
        return NULL;
    intel_watch_result res = {0};
    intel_watch(h, kw_now_ms(), NULL, NULL, &res);
    if (res.failed)
        log_warn("intel: %zu of the intel.files lists could not be read (keepwatch intel check says why)", res.failed);
    pthread_mutex_lock(&ci->mu);
    ci->lists = h;
    ci->interval_ms = c->intel.reload_interval_ms;
    ci->next_ms = kw_mono_ms() + ci->interval_ms;
    pthread_mutex_unlock(&ci->mu);
    return h;
}

static kw_rc intel_module_start(kw_core *core, const conf *c, void **state)
{
    *state = core; /* the lists live in core->intel, for the modules that share them */
    return KW_OK;
}

/* Re-reads the lists that changed, every intel.reload_interval (the core thread's). */
static void intel_module_tick(void *state, int64_t now_ms, alert_acts *acts)
{
    kw_core_intel *ci = &((kw_core *)state)->intel;
    pthread_mutex_lock(&ci->mu);
    if (ci->lists && kw_mono_ms() >= ci->next_ms) {
        intel_watch_result res = {0};
        intel_watch(ci->lists, now_ms, NULL, NULL, &res);
        if (res.swapped)
            log_info("intel: %zu list%s re-read", res.changed, res.changed == 1 ? "" : "s");
        if (res.failed)
            log_warn("intel: %zu list%s could not be read; their entries stay", res.failed, res.failed == 1 ? "" : "s");
        ci->next_ms = kw_mono_ms() + ci->interval_ms;
    }
    pthread_mutex_unlock(&ci->mu);
}

/* A changed intel section: the next re-read reads the new files. Lists named for the first
 * time are read when a sensor restarted by the reload asks for them. */
static void intel_module_reload(void *state, const conf *old, const conf *next)
{
    kw_core_intel *ci = &((kw_core *)state)->intel;
    char *io = conf_show_section(old, "intel"), *in = conf_show_section(next, "intel");
    bool changed = strcmp(io, in) != 0;
    free(io);
    free(in);
    pthread_mutex_lock(&ci->mu);
    if (changed && ci->lists)
        intel_reconfigure_conf(ci->lists, next);
    ci->interval_ms = next->intel.reload_interval_ms;
    pthread_mutex_unlock(&ci->mu);
}

static void intel_module_stop(void *state, int64_t budget_ms)
{
    kw_core_intel *ci = &((kw_core *)state)->intel;
    pthread_mutex_lock(&ci->mu);
    intel_free(ci->lists);
    ci->lists = NULL;
    pthread_mutex_unlock(&ci->mu);
}

const kw_module intel_module = {
    .name = "intel",
    .phase = KW_PHASE_ROOT,
    .start = intel_module_start,
    .reload = intel_module_reload,
    .stop = intel_module_stop,
    .tick = intel_module_tick,
};
