/* The lead module: which of several servers on one PostgreSQL store does the work that must
 * happen once (notify's routing and delivery, the store's upkeep, resolving the alerts of
 * servers that are gone). A thread takes a turn every second (store_lead.c holds the lock);
 * kw_core.lead_epoch, the API's health and /metrics say whether this server leads. On
 * SQLite this server always leads and nothing runs. */
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "daemon/daemon_modules.h"
#include "daemon/kw_core.h"
#include "store/store_conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TURN_MS 1000
#define GONE_SWEEP_MS 30000 /* how often the leader looks for servers that stopped */

typedef struct lead_state {
    kw_core *core;
    store_lead *lead;
    kw_store *store;        /* the thread's handle, for the sweep of servers gone */
    kw_sensors *thread;
    _Atomic int_fast64_t gone_after_ms; /* alerts.stale_after: a server silent this long is gone */
    int64_t last_gone;
    char server[64];
} lead_state;

static const metric_desc m_leader = {"leader", "1 while this server leads the servers sharing the store.",
                                     METRIC_GAUGE, false};
static const metric_desc m_epoch = {"leader_epoch", "The leadership's number, one more at each change of leader.",
                                    METRIC_GAUGE, false};

static void publish(lead_state *s, const store_lead_state *st, int64_t now)
{
    atomic_store(&s->core->lead_epoch, st->leads ? (st->epoch ? st->epoch : 1) : 0);
    http_shared *sh = s->core->sh;
    pthread_mutex_lock(&sh->mu);
    sh->lead.shared = s->store != NULL;
    sh->lead.leads = st->leads;
    kw_strlcpy(sh->lead.server, s->server, sizeof sh->lead.server);
    kw_strlcpy(sh->lead.leader, st->leader, sizeof sh->lead.leader);
    sh->lead.since_ms = st->since_ms;
    pthread_mutex_unlock(&sh->mu);
    metric_set *ms = metric_set_new(now);
    metric_add(ms, &m_leader, st->leads ? 1 : 0, "server", s->server, NULL);
    metric_add(ms, &m_epoch, (double)st->epoch, NULL);
    metric_registry_put(s->core->registry, "lead", ms);
}

/* The leader resolves the open alerts of servers not seen for gone_after_ms: nobody else
 * would, and their sensors are not there to. */
static void sweep_gone(lead_state *s, int64_t now)
{
    int64_t n = 0;
    int64_t after = atomic_load(&s->gone_after_ms);
    if (store_alert_resolve_gone(s->store, now, now - after, &n) != KW_OK)
        log_warn("lead: cannot resolve the alerts of servers gone: %s", store_errmsg(s->store));
    else if (n)
        log_info("lead: resolved %lld alerts of servers not seen for %llds", (long long)n,
                 (long long)(after / 1000));
    store_release(s->store);
}

static void *lead_main(void *arg)
{
    lead_state *s = arg;
    pthread_setname_np(pthread_self(), "kw-lead");
    int64_t next = kw_mono_ms() + TURN_MS;
    while (kw_sensors_wait(s->thread, next)) {
        int64_t mono = kw_mono_ms(), now = kw_now_ms();
        store_lead_state st;
        bool leads = store_lead_turn(s->lead, now, mono, &st);
        publish(s, &st, now);
        if (leads && mono - s->last_gone >= GONE_SWEEP_MS) {
            sweep_gone(s, now);
            s->last_gone = mono;
        }
        next = mono + TURN_MS;
    }
    return NULL;
}

/* The thread's argument: kw_sensors frees it, the state stays the module's. */
typedef struct lead_arg {
    lead_state *s;
} lead_arg;

static void *lead_thread(void *arg) { return lead_main(((lead_arg *)arg)->s); }

static kw_rc lead_start(kw_core *core, const conf *c, void **state)
{
    lead_state *s = kw_calloc(1, sizeof *s);
    s->core = core;
    s->gone_after_ms = c->alerts.stale_after_ms;
    char err[512];
    store_conf_server(c, s->server, sizeof s->server);
    s->lead = store_lead_open(core->store_path, s->server, kw_now_ms(), err, sizeof err);
    if (!s->lead) {
        log_error("lead: %s", err);
        free(s);
        return KW_ERR_STORE;
    }
    store_lead_state st;
    store_lead_turn(s->lead, kw_now_ms(), kw_mono_ms(), &st); /* a lone server leads from the start */
    *state = s;
    if (!store_is_url(core->store_path)) {
        publish(s, &st, kw_now_ms());
        return KW_OK;
    }
    s->store = store_open(core->store_path, false, err, sizeof err);
    if (!s->store) {
        log_error("lead: %s", err);
        store_lead_close(s->lead);
        free(s);
        *state = NULL;
        return KW_ERR_STORE;
    }
    publish(s, &st, kw_now_ms());
    s->thread = kw_sensors_new(1);
    lead_arg *a = kw_calloc(1, sizeof *a);
    a->s = s;
    if (!kw_sensors_spawn(s->thread, lead_thread, a, "lead"))
        log_error("lead: no thread: this server keeps its state of leading as it is now");
    return KW_OK;
}

static void lead_reload(void *state, const conf *old, const conf *next)
{
    lead_state *s = state;
    (void)old;
    atomic_store(&s->gone_after_ms, next->alerts.stale_after_ms);
}

static void lead_stop(void *state, int64_t budget_ms)
{
    lead_state *s = state;
    bool leaked = false;
    if (s->thread && !kw_sensors_stop(s->thread, budget_ms, &leaked)) {
        log_error("lead: the thread did not stop: its state is left behind");
        s->core->leaked = true;
        return;
    }
    atomic_store(&s->core->lead_epoch, 0);
    store_lead_close(s->lead); /* gives the lead up now: another takes it within a second */
    store_close(s->store);
    free(s);
}

const kw_module lead_module = {
    .name = "lead",
    .phase = KW_PHASE_USER,
    .start = lead_start,
    .reload = lead_reload,
    .stop = lead_stop,
};
