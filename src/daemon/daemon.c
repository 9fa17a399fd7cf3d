/* keepwatch serve: start-up, the core thread, signals, reload and shutdown, and the order in
 * which the modules of daemon_modules.h start and stop. Each subsystem's glue is its module's
 * (src/X/X_module.c); the core thread here takes the modules' readings and alert changes from
 * the queue into the alert engine, the store and the event log. */
#include "daemon/daemon.h"
#include "daemon/daemon_backlog.h"
#include "daemon/daemon_modules.h"
#include "daemon/daemon_priv.h"
#include "core/kw_file.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_sched.h"
#include "core/kw_time.h"
#include "core/kw_url.h"
#include "store/store_conf.h"
#include "host/host.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SHUTDOWN_JOIN_MS 1500   /* SIGTERM must finish within 2 s */
#define SWEEP_EVERY_MS 1000
#define MAINTAIN_EVERY_MS 60000
#define GROUP_COMMIT_MS 500     /* metric history may wait this long for its commit */
/* Alert changes wait for the next reading's only while the queue holds more (the core is
 * behind: one commit for many changes lets it catch up), at most this long and this many. */
#define GROUP_ACTS_MS 20
#define GROUP_ACTS_MAX 1000

/* Settings the core thread takes from the main thread on reload. */
typedef struct core_update {
    alert_rules rules;
    int64_t raw_keep, minute_keep, hour_keep, flap, stale, metric_log_every;
} core_update;

typedef struct kw_daemon {
    conf *cfg;
    daemon_opts opts;
    kw_core core;            /* what the modules share (points into this struct) */
    kw_queue queue;
    metric_registry registry;
    http_shared sh;
    char *store_path, *log_path, *token_path;
    char store_shown[512];  /* store_path for messages: a URL's password masked */
    daemon_ident id;         /* daemon.user and daemon.group (daemon_priv.c) */
    /* modules */
    void *state[32];         /* each started module's, by its place in daemon_modules */
    const http_route *routes[33]; /* the modules' route tables, NULL-terminated (http_shared.routes) */
    size_t nstarted;         /* daemon_modules[0 .. nstarted) are running (main thread) */
    bool ticking[32];        /* the core thread ticks these, under tick_mu */
    pthread_mutex_t tick_mu; /* held by the core thread in the modules' ticks, by the main thread
                              * while it reloads or stops a module that has one */
    /* core */
    pthread_t core_thread;
    atomic_bool core_stop;
    pthread_mutex_t mail_mu;
    core_update *mail;
    event_log *elog;
    host_snapshot *host;     /* the latest reading, for top processes in alerts */
    core_update cur;         /* the settings in force (rules moved into the engine) */
    int64_t last_metric_log;
    bool tx_open;            /* a group-commit transaction holds metric history */
    int64_t tx_since;        /* kw_mono_ms() when it began */
    act_backlog backlog;     /* alert changes not written yet (grouped, or the store was unreachable) */
    int64_t acts_since;      /* kw_mono_ms() when the oldest of them came */
    bool one_by_one;         /* a change was refused: write them one per transaction for now */
    atomic_uint_fast64_t events_processed, store_errors, log_errors, alerts_changed, commits;
} kw_daemon;

/* ---- modules ---- */

/* Starts the modules of phase ph, which follow those already started in the table; false
 * (logged by the module) when one cannot start. */
static bool modules_start(kw_daemon *d, kw_module_phase ph)
{
    while (d->nstarted < daemon_nmodules && daemon_modules[d->nstarted]->phase == ph) {
        const kw_module *m = daemon_modules[d->nstarted];
        void *st = NULL;
        if (d->nstarted == sizeof d->state / sizeof d->state[0]) {
            log_error("%s: more modules than the daemon has room for", m->name);
            return false;
        }
        if (m->start(&d->core, d->cfg, &st) != KW_OK)
            return false;
        d->state[d->nstarted] = st;
        pthread_mutex_lock(&d->tick_mu);
        d->ticking[d->nstarted++] = m->tick != NULL;
        pthread_mutex_unlock(&d->tick_mu);
    }
    return true;
}

/* Moves every running module to the configuration next. */
static void modules_reload(kw_daemon *d, const conf *next)
{
    for (size_t i = 0; i < d->nstarted; i++) {
        const kw_module *m = daemon_modules[i];
        if (!m->reload)
            continue;
        if (m->tick)
            pthread_mutex_lock(&d->tick_mu);
        m->reload(d->state[i], d->cfg, next);
        if (m->tick)
            pthread_mutex_unlock(&d->tick_mu);
    }
}

/* Stops the running modules, the last started first. */
static void modules_stop(kw_daemon *d, int64_t budget_ms)
{
    while (d->nstarted > 0) {
        size_t i = d->nstarted - 1;
        const kw_module *m = daemon_modules[i];
        if (m->tick) { /* the core thread ticks it no more */
            pthread_mutex_lock(&d->tick_mu);
            d->ticking[i] = false;
            pthread_mutex_unlock(&d->tick_mu);
        }
        m->stop(d->state[i], budget_ms);
        d->state[i] = NULL;
        d->nstarted--;
    }
}

/* ---- core ---- */

static void core_update_from(core_update *u, const conf *c)
{
    alert_rules_from_conf(c, &u->rules);
    u->raw_keep = c->history.raw_retention_ms;
    u->minute_keep = c->history.minute_retention_ms;
    u->hour_keep = c->history.hour_retention_ms;
    u->flap = c->alerts.flap_window_ms;
    u->stale = c->alerts.stale_after_ms;
    u->metric_log_every = c->events.metric_interval_ms;
}

static void core_log_lines(kw_daemon *d, kw_buf *lines);

/* Applies acts v[0..n) to the store inside the caller's transaction, each one's outcome in
 * rc[i]. Stops at the first the store does not take: KW_OK when all went in; KW_ERR_TIMEOUT
 * when the store is unreachable; else KW_ERR_STORE, the store refused one (a PostgreSQL
 * transaction is over after a failed statement: the caller rolls back and finds which). */
static kw_rc core_apply_acts(kw_daemon *d, alert_act *v, size_t n, kw_rc *rc)
{
    /* not found (rc[i]): a person resolved it meanwhile */
    if (store_alert_apply_all(d->core.store, v, n, rc) == KW_OK)
        return KW_OK;
    return store_reachable(d->core.store) ? KW_ERR_STORE : KW_ERR_TIMEOUT;
}

/* What the committed acts v[0..n) tell the engine, the log and the event log. */
static void core_acts_committed(kw_daemon *d, alert_act *v, size_t n, const kw_rc *rc)
{
    kw_buf lines;
    kw_buf_init(&lines, 0);
    for (size_t i = 0; i < n; i++) {
        alert_act *a = &v[i];
        if (rc[i] == KW_ERR_NOTFOUND) {
            alert_engine_forget(d->core.engine, a->fingerprint);
            continue;
        }
        if (a->kind == ALERT_ACT_FIRE)
            alert_engine_bind(d->core.engine, a->fingerprint, a->alert_id);
        if (a->kind != ALERT_ACT_UPDATE) {
            atomic_fetch_add(&d->alerts_changed, 1);
            kw_log(a->kind == ALERT_ACT_RESOLVE ? KW_LOG_INFO : KW_LOG_WARN, "alert %lld %s [%s] %s%s%s",
                   (long long)a->alert_id, alert_act_name(a->kind), kw_severity_name(a->severity),
                   a->summary ? a->summary : a->rule, a->reason ? ": " : "", a->reason ? a->reason : "");
        }
        if (a->kind != ALERT_ACT_UPDATE || a->history) {
            alert_act_ecs(a, &lines);
            kw_buf_putc(&lines, '\n');
        }
    }
    core_log_lines(d, &lines);
    kw_buf_free(&lines);
}

static void core_log_lines(kw_daemon *d, kw_buf *lines)
{
    if (d->elog && lines->len && event_log_write(d->elog, lines->data, lines->len) != KW_OK) {
        uint64_t n = atomic_fetch_add(&d->log_errors, 1) + 1;
        if ((n & (n - 1)) == 0)
            log_error("cannot write %s: %s", d->log_path, strerror(errno));
    }
}

/* Whether the store was found unreachable and is not to be tried again yet: the core keeps
 * counting and leaves it alone meanwhile. */
static bool core_store_resting(kw_daemon *d)
{
    return d->backlog.since_mono && kw_mono_ms() < d->backlog.retry_mono;
}

/* The group transaction: opened on demand, committed when an alert changes, when it is
 * GROUP_COMMIT_MS old, when the queue is idle, and at shutdown. */
static void core_tx_begin(kw_daemon *d)
{
    if (d->tx_open || core_store_resting(d))
        return;
    d->tx_open = store_begin(d->core.store) == KW_OK;
    d->tx_since = kw_mono_ms();
}

/* False (rolled back) when the commit failed. */
static bool core_tx_commit(kw_daemon *d)
{
    if (!d->tx_open)
        return true;
    d->tx_open = false;
    if (store_commit(d->core.store) == KW_OK) {
        atomic_fetch_add(&d->commits, 1);
        return true;
    }
    atomic_fetch_add(&d->store_errors, 1);
    log_error("store: commit failed: %s", store_errmsg(d->core.store));
    store_rollback(d->core.store);
    return false;
}

static void core_store_away(kw_daemon *d)
{
    bool first = !d->backlog.since_mono;
    act_backlog_wait(&d->backlog, kw_mono_ms());
    if (first)
        log_error("store %s unreachable: %s; alert changes wait in memory (%zu now, at most %d), tried again"
                  " with backoff", d->store_shown, store_errmsg(d->core.store), d->backlog.acts.n, BACKLOG_MAX);
}

static void core_store_back(kw_daemon *d, size_t written)
{
    if (d->backlog.since_mono)
        log_info("store %s reachable again after %llds: wrote %zu waiting alert changes%s", d->store_shown,
                 (long long)((kw_mono_ms() - d->backlog.since_mono) / 1000), written,
                 d->backlog.dropped ? " (some were dropped while it was away: see store_backlog_dropped_total)" : "");
    d->backlog.since_mono = 0;
    d->backlog.backoff_ms = 0;
    d->backlog.retry_mono = 0;
}

/* Writes the backlog, in order, in one transaction with whatever the group transaction
 * holds; then appends their lines to the event log (a line in the log is always in the
 * store too). A change the store refuses is logged and left out; when the store is
 * unreachable everything waits for the next try. */
static void core_flush_acts(kw_daemon *d)
{
    act_backlog *b = &d->backlog;
    while (b->acts.n && !core_store_resting(d)) {
        core_tx_begin(d);
        if (!d->tx_open) {
            core_store_away(d);
            return;
        }
        /* after a refusal one change per transaction, until the backlog is written: a write
         * sent ahead fails at a later statement, so only a change alone names the one refused */
        size_t n = d->one_by_one ? 1 : b->acts.n;
        kw_rc *rc = kw_calloc(n, sizeof *rc);
        kw_rc r = core_apply_acts(d, b->acts.v, n, rc);
        bool committed = r == KW_OK && core_tx_commit(d);
        if (committed) {
            core_acts_committed(d, b->acts.v, n, rc);
            act_backlog_shift(b, n);
            core_store_back(d, n);
            free(rc);
            d->one_by_one = d->one_by_one && b->acts.n;
            if (!d->one_by_one)
                return;
            continue;
        }
        free(rc);
        if (d->tx_open) {
            d->tx_open = false;
            store_rollback(d->core.store);
        }
        if (!store_reachable(d->core.store) || (r != KW_OK && r != KW_ERR_STORE)) { /* all of it waits */
            core_store_away(d);
            return;
        }
        if (n > 1) { /* refused, at a statement or at the commit: find which one, alone */
            d->one_by_one = true;
            continue;
        }
        alert_act *a = &b->acts.v[0]; /* refused alone: the rest goes in without it */
        atomic_fetch_add(&d->store_errors, 1);
        log_error("store: cannot record alert %s (%s): %s", a->rule, alert_act_name(a->kind),
                  store_errmsg(d->core.store));
        act_backlog_drop(b, 0);
    }
    d->one_by_one = false;
}

/* Whether the alert changes waiting may wait for the next reading's, to be committed with
 * them (group commit): only while more readings are queued, for at most GROUP_ACTS_MS and
 * GROUP_ACTS_MAX changes, and not while the store is away or a refused change is sought
 * (core_flush_acts decides then). A core that keeps up commits each reading's changes at once. */
static bool core_acts_may_wait(kw_daemon *d)
{
    return d->backlog.acts.n && !d->backlog.since_mono && !d->one_by_one && d->backlog.acts.n < GROUP_ACTS_MAX &&
           kw_queue_len(&d->queue) > 0 && kw_mono_ms() - d->acts_since < GROUP_ACTS_MS;
}

/* Writes what waits unless it may wait for more. */
static void core_flush_acts_due(kw_daemon *d)
{
    if (!core_acts_may_wait(d))
        core_flush_acts(d);
}

/* Takes acts (their context added now, as they happen) behind those waiting, and writes them
 * now or with the next readings' (core_acts_may_wait). */
static void core_commit_acts(kw_daemon *d, alert_acts *acts)
{
    if (!acts->n)
        return;
    if (d->core.drill.mark) /* set once at start, before the core thread runs */
        d->core.drill.mark(&d->core, acts);
    for (size_t i = 0; i < acts->n; i++)
        host_alert_context(d->host, &acts->v[i]);
    if (!d->backlog.acts.n)
        d->acts_since = kw_mono_ms();
    act_backlog_take(&d->backlog, acts);
    core_flush_acts_due(d);
}

/* The modules' turn on the core thread: their alert changes are committed as a reading's are. */
static void core_tick_modules(kw_daemon *d, int64_t now)
{
    alert_acts acts = {0};
    pthread_mutex_lock(&d->tick_mu);
    for (size_t i = 0; i < sizeof d->ticking / sizeof d->ticking[0]; i++)
        if (d->ticking[i])
            daemon_modules[i]->tick(d->state[i], now, &acts);
    kw_sched_tick(d->core.sched, now, atomic_load(&d->core.lead_epoch) != 0);
    pthread_mutex_unlock(&d->tick_mu);
    core_commit_acts(d, &acts);
    alert_acts_free(&acts);
}

typedef struct {
    kw_daemon *d;
    const char *source;
    int64_t now;
} hold_ctx;

static void hold_detector_alert(void *arg, const alert_open *a)
{
    hold_ctx *h = arg;
    char fp[17];
    alert_fingerprint(h->source, a->rule, a->labels_json, fp);
    if (strcmp(fp, a->fingerprint) == 0)
        alert_engine_hold(h->d->core.engine, a, h->now);
}

static void core_handle(kw_daemon *d, kw_event *ev)
{
    alert_acts acts = {0};
    kw_buf lines;
    kw_buf_init(&lines, 0);
    if (ev->host) {
        d->host = ev->host;
        ev->host = NULL;
        host_snapshot_free(http_shared_swap_host(&d->sh, d->host));
        /* the host reading goes to the event log every metric_interval, not every reading */
        if (ev->ts_ms - d->last_metric_log >= d->cur.metric_log_every) {
            host_snapshot_json(d->host, &lines);
            kw_buf_putc(&lines, '\n');
            d->last_metric_log = ev->ts_ms;
        }
    }
    if (ev->ecs) {
        kw_buf_puts(&lines, ev->ecs);
        kw_buf_putc(&lines, '\n');
    }
    /* the reading's own line needs nothing from the store */
    core_log_lines(d, &lines);
    core_tx_begin(d);
    if (ev->metrics) {
        alert_engine_eval(d->core.engine, ev->metrics, ev->ts_ms, &acts);
        if (!core_store_resting(d) && store_metric_write(d->core.store, ev->metrics) != KW_OK)
            atomic_fetch_add(&d->store_errors, 1);
    }
    if (ev->offsets && !core_store_resting(d)) /* where the log inputs are: committed with the rest of the group */
        for (size_t i = 0; i < ev->offsets->n; i++)
            if (store_log_offset_put(d->core.store, &ev->offsets->v[i], ev->ts_ms) != KW_OK)
                atomic_fetch_add(&d->store_errors, 1);
    if (ev->acts) { /* a detector's alert changes: updates and ends name the open alert */
        for (size_t i = 0; i < ev->acts->n; i++) {
            alert_act *a = &ev->acts->v[i];
            alert_engine_forget(d->core.engine, a->fingerprint); /* held since a restart: it is the detector's again */
        }
        core_commit_acts(d, ev->acts);
    }
    if (ev->detector_stopped && !core_store_resting(d)) /* after the detector's last acts: the queue keeps their order */
        store_alert_each_open(d->core.store, hold_detector_alert, &(hold_ctx){d, ev->source, ev->ts_ms});
    core_commit_acts(d, &acts);
    if (d->tx_open && kw_mono_ms() - d->tx_since >= GROUP_COMMIT_MS)
        core_tx_commit(d);
    kw_buf_free(&lines);
    alert_acts_free(&acts);
    if (ev->metrics) {
        metric_registry_put(&d->registry, ev->source, ev->metrics);
        ev->metrics = NULL;
    }
    atomic_fetch_add(&d->events_processed, 1);
    kw_event_free(ev);
}

static const metric_desc m_events = {"events_processed_total", "Sensor readings the core has processed.",
                                     METRIC_COUNTER, false};
static const metric_desc m_dropped = {"events_dropped_total", "Sensor readings dropped because the queue was full.",
                                      METRIC_COUNTER, false};
static const metric_desc m_qlen = {"queue_length", "Sensor readings waiting for the core.", METRIC_GAUGE, false};
static const metric_desc m_qcap = {"queue_capacity", "Size of the sensor queue.", METRIC_GAUGE, false};
static const metric_desc m_alerts = {"alerts", "Alerts in the store by state.", METRIC_GAUGE, false};
static const metric_desc m_changes = {"alert_changes_total",
                                      "Alerts fired and resolved (alert changes other than updates) the core has committed.",
                                      METRIC_COUNTER, false};
static const metric_desc m_commits = {"store_commits_total",
                                      "Transactions the core has committed: alert changes and metric history, "
                                      "grouped while it is behind.",
                                      METRIC_COUNTER, false};
static const metric_desc m_store_err = {"store_errors_total", "Failed writes to the store.", METRIC_COUNTER, false};
static const metric_desc m_backlog = {"store_backlog", "Alert changes waiting in memory for the store to be reachable.",
                                      METRIC_GAUGE, false};
static const metric_desc m_backlog_dropped = {"store_backlog_dropped_total",
                                              "Alert changes given up because the backlog was full.", METRIC_COUNTER,
                                              false};
static const metric_desc m_store_up = {"store_up", "1 while the store takes the core's writes, 0 while it is away.",
                                       METRIC_GAUGE, false};
static const metric_desc m_log_err = {"event_log_errors_total", "Failed writes to the event log.", METRIC_COUNTER,
                                      false};
static const metric_desc m_series = {"alert_series", "Rule series the alert engine tracks.", METRIC_GAUGE, false};
static const metric_desc m_rss = {"process_resident_memory_bytes", "keepwatch's resident memory.", METRIC_GAUGE,
                                  false};
static const metric_desc m_cpu = {"process_cpu_seconds_total", "CPU time keepwatch has used.", METRIC_COUNTER, false};
static const metric_desc m_start = {"process_start_time_seconds", "When keepwatch started (Unix time).",
                                    METRIC_GAUGE, false};
static const metric_desc m_build = {"build_info", "keepwatch's version.", METRIC_GAUGE, false};

static void core_self_metrics(kw_daemon *d, int64_t now)
{
    metric_set *ms = metric_set_new(now);
    metric_add(ms, &m_events, (double)atomic_load(&d->events_processed), NULL);
    metric_add(ms, &m_dropped, (double)atomic_load(&d->queue.dropped), "queue", "sensors", NULL);
    metric_add(ms, &m_qlen, (double)kw_queue_len(&d->queue), "queue", "sensors", NULL);
    metric_add(ms, &m_qcap, (double)d->queue.cap, "queue", "sensors", NULL);
    int64_t counts[4];
    if (!core_store_resting(d) && store_alert_counts(d->core.store, counts) == KW_OK) {
        for (int s = ALERT_FIRING; s <= ALERT_RESOLVED; s++)
            metric_add(ms, &m_alerts, (double)counts[s], "state", alert_state_name(s), NULL);
        atomic_store(&d->sh.alerts_firing, counts[ALERT_FIRING]);
        atomic_store(&d->sh.alerts_acked, counts[ALERT_ACKED]);
    }
    metric_add(ms, &m_changes, (double)atomic_load(&d->alerts_changed), NULL);
    metric_add(ms, &m_commits, (double)atomic_load(&d->commits), NULL);
    metric_add(ms, &m_store_err, (double)atomic_load(&d->store_errors), NULL);
    metric_add(ms, &m_backlog, (double)d->backlog.acts.n, NULL);
    metric_add(ms, &m_backlog_dropped, (double)d->backlog.dropped, NULL);
    metric_add(ms, &m_store_up, core_store_resting(d) || d->backlog.since_mono ? 0 : 1, NULL);
    metric_add(ms, &m_log_err, (double)atomic_load(&d->log_errors), NULL);
    metric_add(ms, &m_series, (double)alert_engine_series(d->core.engine), NULL);
    char buf[1024];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, buf, sizeof buf);
        close(fd);
        host_pid_stat ps;
        if (n > 0 && host_parse_pid_stat(buf, (size_t)n, &ps) == KW_OK) {
            metric_add(ms, &m_rss, (double)ps.rss_pages * (double)sysconf(_SC_PAGESIZE), NULL);
            metric_add(ms, &m_cpu, (double)(ps.utime + ps.stime) / (double)sysconf(_SC_CLK_TCK), NULL);
        }
    }
    metric_add(ms, &m_start, (double)d->sh.started_ms / 1000.0, NULL);
    metric_add(ms, &m_build, 1, "version", KW_VERSION, NULL);
    metric_registry_put(&d->registry, "self", ms);
}

static void core_take_mail(kw_daemon *d, int64_t now)
{
    pthread_mutex_lock(&d->mail_mu);
    core_update *u = d->mail;
    d->mail = NULL;
    pthread_mutex_unlock(&d->mail_mu);
    if (!u)
        return;
    alert_acts acts = {0};
    alert_engine_configure(d->core.engine, u->flap, u->stale);
    alert_engine_set_rules(d->core.engine, &u->rules, now, &acts);
    d->cur = *u;
    free(u);
    core_commit_acts(d, &acts);
    alert_acts_free(&acts);
}

static void core_sweep(kw_daemon *d, int64_t now)
{
    alert_acts acts = {0};
    alert_engine_sweep(d->core.engine, now, &acts);
    core_commit_acts(d, &acts);
    alert_acts_free(&acts);
    core_self_metrics(d, now);
}

static void *core_main(void *arg)
{
    kw_daemon *d = arg;
    pthread_setname_np(pthread_self(), "kw-core");
    int64_t last_sweep = 0, last_maintain = kw_mono_ms();
    for (;;) {
        kw_event *ev = kw_queue_pop(&d->queue, d->tx_open ? GROUP_COMMIT_MS / 5 : 250);
        if (ev) {
            core_handle(d, ev);
        } else {
            core_flush_acts(d);
            core_tx_commit(d); /* idle: nothing to group with */
            if (atomic_load(&d->core_stop) && kw_queue_len(&d->queue) == 0)
                break;
        }
        int64_t mono = kw_mono_ms(), now = kw_now_ms();
        core_flush_acts_due(d); /* grouped, or waiting for the store when it is time to try again */
        core_take_mail(d, now);
        core_tick_modules(d, now);
        if (mono - last_sweep >= SWEEP_EVERY_MS) {
            core_sweep(d, now);
            last_sweep = mono;
        }
        if (mono - last_maintain >= MAINTAIN_EVERY_MS && atomic_load(&d->core.lead_epoch)) { /* once for all servers */
            core_tx_commit(d);
            if (store_metric_maintain(d->core.store, now, d->cur.raw_keep, d->cur.minute_keep, d->cur.hour_keep) != KW_OK)
                log_warn("store: history maintenance failed: %s", store_errmsg(d->core.store));
            last_maintain = mono;
        }
    }
    return NULL;
}

/* ---- start-up ---- */

kw_rc daemon_token(const char *path, char out[65], bool *created, char *err, size_t errn)
{
    *created = false;
    int fd = kw_file_open_private(path, O_RDONLY, 0600); /* an older, wider one is narrowed */
    if (fd >= 0) {
        char buf[129];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n < 0) {
            snprintf(err, errn, "%s: %s", path, strerror(errno));
            return KW_ERR_IO;
        }
        buf[n] = '\0';
        size_t len = strcspn(buf, "\r\n");
        if (len < 16 || len > 64) {
            snprintf(err, errn, "%s: the token must be 16 to 64 characters on one line", path);
            return KW_ERR_PARSE;
        }
        memcpy(out, buf, len);
        out[len] = '\0';
        return KW_OK;
    }
    if (errno != ENOENT) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return KW_ERR_IO;
    }
    unsigned char rnd[32];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
        snprintf(err, errn, "getrandom: %s", strerror(errno));
        return KW_ERR_IO;
    }
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(out + 2 * i, 3, "%02x", rnd[i]);
    fd = kw_file_open_private(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || write(fd, out, 64) != 64 || write(fd, "\n", 1) != 1) {
        snprintf(err, errn, "cannot create %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return KW_ERR_IO;
    }
    close(fd);
    *created = true;
    return KW_OK;
}

typedef struct {
    kw_daemon *d;
    alert_acts *acts;
} restore_ctx;

/* Tells the engine of one alert the last run left open. */
static void restore_one(void *arg, const alert_open *a)
{
    restore_ctx *r = arg;
    alert_engine_restore(r->d->core.engine, a, kw_now_ms(), r->acts);
}

/* The state directory, the store (with what the modules of KW_PHASE_STORE configure), the API
 * token, the event log, and the alert engine with the alerts the last run left open. */
static bool daemon_open(kw_daemon *d)
{
    char err[512];
    const conf *c = d->cfg;
    if (daemon_state_dir(c->daemon.state_dir, &d->id, err, sizeof err) != KW_OK) {
        log_error("state directory: %s", err);
        return false;
    }
    d->store_path = store_conf_where(c);
    store_conf_apply(c);
    d->token_path = conf_state_path(c, "api.token");
    d->log_path = conf_state_path(c, c->events.path);
    d->core.store_path = d->store_path;
    if (!modules_start(d, KW_PHASE_STORE))
        return false;
    d->core.store = store_open(d->store_path, false, err, sizeof err);
    if (!d->core.store) {
        log_error("store: %s", err);
        return false;
    }
    kw_url_mask_password(d->store_path, d->store_shown, sizeof d->store_shown);
    for (size_t i = 0; i < daemon_nmodules; i++) { /* the modules' own tables */
        const kw_module *m = daemon_modules[i];
        if (m->nmigrations &&
            store_migrate_part(d->core.store, m->name, m->migrations, m->nmigrations) != KW_OK) {
            log_error("store: the %s tables: %s", m->name, store_errmsg(d->core.store));
            return false;
        }
    }
    /* the duty log's keys, made now if new: before the privileges go and the threads start,
     * so that they are the daemon user's and in memory for every entry */
    kw_buf pem;
    kw_buf_init(&pem, 0);
    kw_rc krc = store_duty_pubkey(d->core.store, &pem);
    kw_buf_free(&pem);
    if (krc != KW_OK) {
        log_error("duty log keys: %s", store_errmsg(d->core.store));
        return false;
    }
    bool created;
    if (daemon_token(d->token_path, d->sh.token, &created, err, sizeof err) != KW_OK) {
        log_error("API token: %s", err);
        return false;
    }
    if (created)
        log_info("created the API token in %s (mode 0600): send it as 'Authorization: Bearer TOKEN'", d->token_path);
    if (c->events.enabled) {
        d->elog = event_log_open(d->log_path, c->events.max_size, (int)c->events.keep, err, sizeof err);
        if (!d->elog) {
            log_error("event log: %s", err);
            return false;
        }
    }
    /* rules, then the alerts left open by the last run */
    d->core.engine = alert_engine_new(c->alerts.flap_window_ms, c->alerts.stale_after_ms);
    core_update u;
    core_update_from(&u, c);
    alert_acts acts = {0};
    alert_engine_set_rules(d->core.engine, &u.rules, kw_now_ms(), &acts);
    d->cur = u;
    int64_t adopted = 0; /* a store moved from one machine to PostgreSQL: its open alerts are ours */
    if (store_alert_adopt_orphans(d->core.store, &adopted) == KW_OK && adopted)
        log_info("store: took up %lld open alerts of the store of one machine", (long long)adopted);
    restore_ctx rctx = {d, &acts};
    store_alert_each_open(d->core.store, restore_one, &rctx);
    core_commit_acts(d, &acts);
    alert_acts_free(&acts);
    int64_t counts[4] = {0};
    store_alert_counts(d->core.store, counts);
    log_info("store %s: %lld alerts open (%lld firing, %lld acknowledged)", d->store_shown,
             (long long)(counts[ALERT_FIRING] + counts[ALERT_ACKED]), (long long)counts[ALERT_FIRING],
             (long long)counts[ALERT_ACKED]);
    return true;
}

/* ---- reload ---- */

/* strcmp for optional strings: NULL is "". */
static bool str_same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Started as root with daemon.user set: hand the state directory to that user and become it,
 * keeping the captures, sockets and log files already open. */
static bool drop_privileges(kw_daemon *d)
{
    char err[512];
    if (!d->id.drop) {
        if (getuid() == 0 && !d->id.exists)
            log_warn("running as root: daemon.user is \"%s\"", d->cfg->daemon.user ? d->cfg->daemon.user : "");
        return true;
    }
    if (daemon_ident_drop(d->cfg->daemon.state_dir, &d->id, err, sizeof err) != KW_OK) {
        log_error("daemon.user: %s", err);
        return false;
    }
    d->core.dropped_privileges = true;
    log_info("running as %s (uid %u, gid %u, %d group%s) from now on", d->id.name, (unsigned)d->id.uid,
             (unsigned)d->id.gid, d->id.ngroups, d->id.ngroups == 1 ? "" : "s");
    return true;
}

/* What only a restart changes: the daemon's own settings, the listener, the event log. */
static void reload_warn_restart(const conf *o, const conf *n)
{
    if (strcmp(o->daemon.state_dir, n->daemon.state_dir) != 0 || strcmp(o->http.listen, n->http.listen) != 0 ||
        o->http.enabled != n->http.enabled || o->http.threads != n->http.threads ||
        strcmp(o->events.path, n->events.path) != 0 || o->events.enabled != n->events.enabled ||
        o->events.queue_size != n->events.queue_size || !str_same(o->daemon.user, n->daemon.user) ||
        !str_same(o->daemon.group, n->daemon.group))
        log_warn("reload: changes to daemon.state_dir, daemon.user, daemon.group, http and events (path, enabled, "
                 "queue_size) take effect at the next restart");
}

/* Hands the core thread the rules and retention of c. */
static void reload_mail_core(kw_daemon *d, const conf *c)
{
    core_update *u = kw_calloc(1, sizeof *u);
    core_update_from(u, c);
    pthread_mutex_lock(&d->mail_mu);
    if (d->mail) {
        alert_rules_free(&d->mail->rules);
        free(d->mail);
    }
    d->mail = u;
    pthread_mutex_unlock(&d->mail_mu);
}

static void daemon_reload(kw_daemon *d)
{
    conf *n = NULL;
    conf_errors errs = {0};
    log_info("SIGHUP: reloading %s", d->opts.config_path ? d->opts.config_path : "the built-in configuration");
    if (conf_load(d->opts.config_path, &n, &errs) != KW_OK) {
        for (size_t i = 0; i < errs.n; i++)
            log_error("%s", errs.v[i]);
        log_error("reload rejected: %zu error%s; the running configuration stays", errs.n, errs.n == 1 ? "" : "s");
        conf_errors_free(&errs);
        return;
    }
    conf_errors_free(&errs);
    reload_warn_restart(d->cfg, n);
    kw_log_set_level((kw_log_level)n->daemon.log_level);
    reload_mail_core(d, n);
    modules_reload(d, n);
    conf *old = d->cfg;
    d->cfg = n;
    if (!d->core.leaked)
        conf_free(old); /* else a thread left behind may still read it */
    log_info("configuration reloaded: %zu assets, %zu checks, %zu rules", n->assets.n, n->checks.n, n->rules.n);
}

/* ---- run ---- */

static bool write_pidfile(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fprintf(f, "%d\n", (int)getpid());
    return fclose(f) == 0;
}

/* The locks, the queue, the registry and what the HTTP threads share; the context modules get. */
static void daemon_init(kw_daemon *d, conf *cfg, const daemon_opts *opts)
{
    d->cfg = cfg;
    d->opts = *opts;
    pthread_mutex_init(&d->mail_mu, NULL);
    pthread_mutex_init(&d->tick_mu, NULL);
    pthread_mutex_init(&d->sh.mu, NULL);
    pthread_rwlock_init(&d->sh.cfg_lock, NULL);
    kw_queue_init(&d->queue, (size_t)cfg->events.queue_size);
    metric_registry_init(&d->registry);
    d->sh.metrics = &d->registry;
    for (size_t i = 0, n = 0; i < daemon_nmodules && n + 1 < sizeof d->routes / sizeof d->routes[0]; i++)
        if (daemon_modules[i]->routes) /* the modules' HTTP routes, for the server */
            d->routes[n++] = daemon_modules[i]->routes;
    d->sh.routes = d->routes;
    d->sh.started_ms = kw_now_ms();
    d->core.queue = &d->queue;
    d->core.registry = &d->registry;
    d->core.sh = &d->sh;
    d->core.sched = kw_sched_new();
    pthread_mutex_init(&d->core.intel.mu, NULL);
    pthread_mutex_init(&d->core.drill.mu, NULL);
}

/* Waits for signals until SIGTERM or SIGINT, reloading on SIGHUP. */
static void daemon_wait(kw_daemon *d, const sigset_t *sigs)
{
    for (;;) {
        siginfo_t si;
        int sig = sigwaitinfo(sigs, &si);
        if (sig < 0)
            continue;
        if (sig == SIGHUP) {
            daemon_reload(d);
            continue;
        }
        log_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        break;
    }
}

/* After the modules stopped: the core drains the queue, then everything it used goes. */
static void daemon_finish(kw_daemon *d, bool core_started)
{
    atomic_store(&d->core_stop, true);
    if (core_started)
        pthread_join(d->core_thread, NULL); /* drains the queue: nothing accepted is lost */
    kw_queue_close(&d->queue);
    for (kw_event *ev; (ev = kw_queue_pop(&d->queue, 0)) != NULL;)
        kw_event_free(ev);
    if (d->mail) {
        alert_rules_free(&d->mail->rules);
        free(d->mail);
    }
    if (d->backlog.acts.n) { /* a last try: what the store never took is lost with the process */
        d->backlog.retry_mono = 0;
        core_flush_acts(d);
        if (d->backlog.acts.n)
            log_error("store %s still unreachable: %zu alert changes are lost", d->store_shown, d->backlog.acts.n);
    }
    act_backlog_free(&d->backlog);
    alert_engine_free(d->core.engine);
    store_close(d->core.store);
    event_log_close(d->elog);
    host_snapshot_free(http_shared_swap_host(&d->sh, NULL)); /* d->host */
    http_shared_clear(&d->sh);
    metric_registry_destroy(&d->registry);
}

int daemon_run(conf *cfg, const daemon_opts *opts)
{
    kw_daemon *d = kw_calloc(1, sizeof *d);
    int status = 1;
    signal(SIGPIPE, SIG_IGN);
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* before any thread: all inherit the mask */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    daemon_init(d, cfg, opts);
    bool core_started = false;
    daemon_no_new_privs(); /* before any thread: they all inherit it, and so do checks' children */
    char err[512];
    if (daemon_ident_resolve(cfg, &d->id, err, sizeof err) != KW_OK) {
        log_error("%s", err);
        goto out;
    }
    d->core.run_as.on = d->id.exists;
    d->core.run_as.uid = d->id.uid;
    d->core.run_as.gid = d->id.gid;
    d->core.run_as.groups = d->id.groups;
    d->core.run_as.ngroups = d->id.ngroups;
    if (!daemon_open(d))
        goto out;
    d->sh.store_path = d->store_path;
    core_self_metrics(d, kw_now_ms());
    /* what needs root first: listening sockets, captures, log files; then the drop */
    if (!modules_start(d, KW_PHASE_ROOT))
        goto out;
    if (opts->pidfile && !write_pidfile(opts->pidfile))
        log_warn("cannot write the pidfile %s: %s", opts->pidfile, strerror(errno));
    if (!drop_privileges(d))
        goto out;
    daemon_caps_not_inherited();
    if (!modules_start(d, KW_PHASE_USER))
        goto out;
    if (pthread_create(&d->core_thread, NULL, core_main, d) != 0) {
        log_error("cannot start the core thread");
        goto out;
    }
    core_started = true;
    atomic_store(&d->sh.ready, true);
    log_info("keepwatch %s started: config %s, state in %s, %zu checks, %zu rules%s%s", KW_VERSION,
             opts->config_path ? opts->config_path : "built-in", cfg->daemon.state_dir, cfg->checks.n, cfg->rules.n,
             cfg->http.enabled ? ", API on http://" : "", cfg->http.enabled ? cfg->http.listen : "");
    daemon_wait(d, &sigs);
    status = 0;
out:
    modules_stop(d, SHUTDOWN_JOIN_MS);
    daemon_finish(d, core_started);
    if (opts->pidfile && status == 0)
        unlink(opts->pidfile);
    if (status == 0)
        log_info("stopped");
    if (!d->core.leaked) {
        kw_sched_free(d->core.sched);
        conf_free(d->cfg);
        kw_queue_destroy(&d->queue);
        free(d->store_path);
        free(d->token_path);
        free(d->log_path);
        free(d);
    }
    curl_global_cleanup();
    return status;
}
