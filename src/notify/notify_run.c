/* The daemon's notification thread: engine ticks and outbox deliveries on one thread (libcurl's
 * multi interface keeps every delivery non-blocking), with its own store handle. */
#include "notify/notify.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "metric/metric.h"
#include "store/store_notify.h"

#define TICK_MS 200          /* the engine looks at the history this often */
#define METRICS_EVERY_MS 5000
#define PRUNE_EVERY_MS 3600000
#define KEEP_MS (90 * 86400000LL) /* delivered messages and ended groups are kept this long */

struct notify_runner {
    const conf *c;
    kw_store *store;
    notify_engine *engine;
    notify_sender *sender;
    metric_registry *reg;
    const _Atomic int_fast64_t *lead_epoch; /* 0: another server leads (NULL: always this one) */
    pthread_t thread;
    atomic_bool stop;
    int64_t budget_ms;
    uint64_t errors;
};

static const metric_desc m_pending = {"notify_outbox", "Messages in the outbox by state.", METRIC_GAUGE, false};
static const metric_desc m_rows = {"notify_alert_changes_total", "Alert changes the notification engine took in.",
                                   METRIC_COUNTER, false};
static const metric_desc m_routed = {"notify_alerts_routed_total", "Alerts routed to a policy (unrouted: none matched).",
                                     METRIC_COUNTER, false};
static const metric_desc m_held = {"notify_alerts_held_total", "Alerts held back by a silence or an inhibition.",
                                   METRIC_COUNTER, false};
static const metric_desc m_msgs = {"notify_messages_total", "Messages written to the outbox.", METRIC_COUNTER, false};
static const metric_desc m_esc = {"notify_escalations_total", "Escalations to a next level or a repeat.",
                                  METRIC_COUNTER, false};
static const metric_desc m_err = {"notify_errors_total", "Store errors in the notification thread.", METRIC_COUNTER,
                                  false};

static void runner_metrics(notify_runner *r, int64_t now)
{
    if (!r->reg)
        return;
    metric_set *ms = metric_set_new(now);
    int64_t by[4] = {0};
    static const char *const states[] = {"pending", "sent", "failed", "merged"};
    store_outbox_counts(r->store, by);
    for (int i = 0; i < 4; i++)
        metric_add(ms, &m_pending, (double)by[i], "state", states[i], NULL);
    const notify_stats *s = notify_engine_stats(r->engine);
    metric_add(ms, &m_rows, (double)s->history_rows, NULL);
    metric_add(ms, &m_routed, (double)s->routed, "result", "routed", NULL);
    metric_add(ms, &m_routed, (double)s->unrouted, "result", "unrouted", NULL);
    metric_add(ms, &m_held, (double)s->silenced, "by", "silence", NULL);
    metric_add(ms, &m_held, (double)s->inhibited, "by", "inhibition", NULL);
    metric_add(ms, &m_msgs, (double)s->messages, NULL);
    metric_add(ms, &m_esc, (double)s->escalations, NULL);
    metric_add(ms, &m_err, (double)r->errors, NULL);
    metric_registry_put(r->reg, "notify", ms);
}

/* Drops delivered (or given-up) messages and ended groups older than KEEP_MS; the duty log
 * keeps the record of each delivery for good. */
static void runner_prune(notify_runner *r, int64_t now)
{
    if (store_notify_prune(r->store, now - KEEP_MS) != KW_OK) {
        log_warn("notify: pruning old messages failed: %s", store_errmsg(r->store));
        r->errors++;
    }
}

static void *runner_main(void *arg)
{
    notify_runner *r = arg;
    pthread_setname_np(pthread_self(), "kw-notify");
    int64_t last_tick = 0, last_metrics = 0, stop_at = 0, last_prune = 0;
    for (;;) {
        int64_t mono = kw_mono_ms(), now = kw_now_ms();
        int64_t epoch = r->lead_epoch ? atomic_load(r->lead_epoch) : 1;
        if (atomic_load(&r->stop)) {
            if (!stop_at)
                stop_at = mono + r->budget_ms;
            if (!notify_sender_busy(r->sender) || mono >= stop_at)
                break;
        } else if (epoch && mono - last_tick >= TICK_MS) {
            bool worked;
            if (notify_engine_tick(r->engine, r->store, now, &worked) != KW_OK)
                r->errors++;
            last_tick = mono;
        }
        bool stopping = atomic_load(&r->stop);
        if (notify_sender_pump(r->sender, r->store, now, stopping ? 50 : TICK_MS / 2, stopping ? 0 : epoch) != KW_OK) {
            r->errors++;
            store_release(r->store);
        }
        if (!notify_sender_busy(r->sender) && !atomic_load(&r->stop)) {
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (epoch && mono - last_prune >= PRUNE_EVERY_MS) {
            runner_prune(r, now);
            last_prune = mono;
        }
        if (mono - last_metrics >= METRICS_EVERY_MS) {
            runner_metrics(r, now);
            last_metrics = mono;
        }
        store_release(r->store);
    }
    return NULL;
}

notify_runner *notify_runner_start(const conf *c, const char *store_path, metric_registry *reg,
                                   const _Atomic int_fast64_t *lead_epoch, char *err, size_t errn)
{
    notify_runner *r = kw_calloc(1, sizeof *r);
    r->c = c;
    r->reg = reg;
    r->lead_epoch = lead_epoch;
    r->store = store_open(store_path, false, err, errn);
    if (!r->store) {
        free(r);
        return NULL;
    }
    if (notify_engine_begin(r->store) != KW_OK) {
        snprintf(err, errn, "cannot record where notifications start: %s", store_errmsg(r->store));
        store_close(r->store);
        free(r);
        return NULL;
    }
    r->engine = notify_engine_new(c);
    r->sender = notify_sender_new(c);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 1024 * 1024);
    int rc = pthread_create(&r->thread, &at, runner_main, r);
    pthread_attr_destroy(&at);
    if (rc != 0) {
        snprintf(err, errn, "cannot start the notification thread");
        notify_engine_free(r->engine);
        notify_sender_free(r->sender);
        store_close(r->store);
        free(r);
        return NULL;
    }
    return r;
}

void notify_runner_stop(notify_runner *r, int64_t budget_ms)
{
    if (!r)
        return;
    r->budget_ms = budget_ms;
    atomic_store(&r->stop, true);
    pthread_join(r->thread, NULL);
    notify_sender_free(r->sender);
    notify_engine_free(r->engine);
    store_close(r->store);
    free(r);
}
