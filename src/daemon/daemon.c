/* keepwatch serve: start-up, the core thread, sensor threads, signals, reload, shutdown. */
#include "daemon/daemon.h"
#include "daemon/daemon_priv.h"
#include "alert/alert.h"
#include "check/check.h"
#include "core/kw_file.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_queue.h"
#include "core/kw_time.h"
#include "duty/duty_watch.h"
#include "event/event.h"
#include "host/host.h"
#include "logs/logs_sensor.h"
#include "notify/notify.h"
#include "http/http.h"
#include "metric/metric.h"
#include "intel/intel.h"
#include "net/net_inspect_conf.h"
#include "net/net_live.h"
#include "store/store.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
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
#define GROUP_COMMIT_MS 500     /* metric history may wait this long for its commit; alerts never wait */

typedef struct kw_daemon kw_daemon;

typedef struct sensor {
    pthread_t thread;
    kw_daemon *d;
    const conf_check *check; /* NULL: the host sensor */
} sensor;

/* Settings the core thread takes from the main thread on reload. */
typedef struct core_update {
    alert_rules rules;
    int64_t raw_keep, minute_keep, hour_keep, flap, stale, metric_log_every;
} core_update;

struct kw_daemon {
    conf *cfg;
    daemon_opts opts;
    kw_queue queue;
    metric_registry registry;
    http_shared sh;
    http_server *http;
    char *store_path, *log_path, *token_path;
    /* sensors */
    pthread_mutex_t sensor_mu;
    pthread_cond_t sensor_cv;
    atomic_bool sensors_stop;
    sensor *sensors;
    size_t nsensors;
    bool leaked_sensors;     /* a sensor did not stop in time: its configuration must stay */
    daemon_ident id;         /* daemon.user and daemon.group (daemon_priv.c) */
    bool dropped_privileges; /* captures cannot be reopened */
    net_live **live;         /* one capture per net.interfaces entry */
    net_sig_set *net_sigs;   /* the captures' signatures (net.inspect), shared, read-only */
    intel *intel;            /* the intelligence lists; reloaded by the core, under intel_mu */
    pthread_mutex_t intel_mu;
    int64_t intel_next_ms;
    void **live_ctx;         /* and its callbacks' context */
    size_t nlive;
    log_sensor *logs;        /* the log inputs, when any are configured */
    notify_runner *notify;   /* routing, escalation and delivery of notifications */
    kw_offsets log_offsets;  /* where they stopped: from the store at start, from the sensor on reload */
    /* core */
    pthread_t core_thread;
    atomic_bool core_stop;
    pthread_mutex_t mail_mu;
    core_update *mail;
    kw_store *store;
    alert_engine *engine;
    event_log *elog;
    host_snapshot *host;     /* the latest reading, for top processes in alerts */
    core_update cur;         /* the settings in force (rules moved into the engine) */
    int64_t last_metric_log;
    bool tx_open;            /* a group-commit transaction holds metric history */
    int64_t tx_since;        /* kw_mono_ms() when it began */
    atomic_uint_fast64_t events_processed, store_errors, log_errors, alerts_changed;
    duty_watch duty;         /* the duty log's chain, checked by the core */
};

/* ---- small helpers ---- */

static void deadline_ts(int64_t mono_ms, struct timespec *ts)
{
    ts->tv_sec = mono_ms / 1000;
    ts->tv_nsec = (mono_ms % 1000) * 1000000;
}

/* Sleeps until the monotonic time `until`; false if the sensors are stopping. */
static bool sensor_wait(kw_daemon *d, int64_t until)
{
    struct timespec ts;
    deadline_ts(until, &ts);
    pthread_mutex_lock(&d->sensor_mu);
    while (!atomic_load(&d->sensors_stop) && kw_mono_ms() < until)
        if (pthread_cond_timedwait(&d->sensor_cv, &d->sensor_mu, &ts) == ETIMEDOUT)
            break;
    bool go = !atomic_load(&d->sensors_stop);
    pthread_mutex_unlock(&d->sensor_mu);
    return go;
}

static void daemon_push(kw_daemon *d, kw_event *ev)
{
    if (kw_queue_push(&d->queue, ev) != KW_OK) {
        uint64_t n = atomic_load(&d->queue.dropped);
        if ((n & (n - 1)) == 0) /* log the 1st, 2nd, 4th, 8th... drop */
            log_warn("event queue full: %llu events dropped so far", (unsigned long long)n);
        kw_event_free(ev);
    }
}

/* Hands ev to the core, waiting up to 2 s for room: for what must not be dropped. False
 * (ev still the caller's) if there was none. */
static bool push_waiting(kw_daemon *d, kw_event *ev)
{
    for (int tries = 0; tries < 200; tries++) {
        if (kw_queue_push(&d->queue, ev) == KW_OK)
            return true;
        usleep(10000);
    }
    return kw_queue_push(&d->queue, ev) == KW_OK;
}

/* ---- sensors ---- */

static void *host_sensor_main(void *arg)
{
    sensor *s = arg;
    kw_daemon *d = s->d;
    pthread_setname_np(pthread_self(), "kw-host");
    host_collector *hc = host_collector_new(d->cfg, NULL);
    int64_t interval = d->cfg->host.interval_ms;
    int64_t next = kw_mono_ms();
    size_t warned = 0;
    do {
        host_snapshot *snap = NULL;
        host_collect(hc, &snap);
        if (snap->nwarnings != warned) { /* say it once, not every interval */
            for (size_t i = 0; i < snap->nwarnings; i++)
                log_warn("host: %s", snap->warnings[i]);
            warned = snap->nwarnings;
        }
        kw_event *ev = kw_event_new("host", snap->ts_ms);
        ev->metrics = metric_set_new(snap->ts_ms);
        host_snapshot_metrics(snap, ev->metrics);
        ev->host = snap;
        daemon_push(d, ev);
        next += interval;
        int64_t now = kw_mono_ms();
        if (next < now) /* fell behind (suspended, overloaded): skip, do not burst */
            next = now + interval;
    } while (sensor_wait(d, next));
    host_collector_free(hc);
    return NULL;
}

static void *check_sensor_main(void *arg)
{
    sensor *s = arg;
    kw_daemon *d = s->d;
    const conf_check *c = s->check;
    char source[160], tname[16];
    snprintf(source, sizeof source, "check:%s", c->name);
    snprintf(tname, sizeof tname, "kw-c-%s", c->name); /* cut to 15 bytes by the kernel */
    pthread_setname_np(pthread_self(), tname);
    int last_up = -1;
    int64_t next = kw_mono_ms(), last_logged = INT64_MIN / 2;
    int64_t log_every = d->cfg->events.metric_interval_ms;
    check_ctx *ctx = check_ctx_new();
    do {
        check_result r;
        if (check_run(c, ctx, &d->sensors_stop, &r) == KW_ERR_CANCELLED)
            break;
        int64_t ts = kw_now_ms();
        bool changed = (int)r.up != last_up;
        if (changed) {
            if (r.up)
                log_info("check %s (%s) is up: %s", c->name, check_type_name(c->type), r.message);
            else
                log_warn("check %s (%s) is down: %s", c->name, check_type_name(c->type), r.message);
            last_up = r.up;
        }
        kw_event *ev = kw_event_new(source, ts);
        ev->metrics = metric_set_new(ts);
        check_result_metrics(c, &r, ev->metrics);
        /* the event log gets a result when it changes, and routine ones every metric_interval */
        if (changed || ts - last_logged >= log_every) {
            kw_buf b;
            kw_buf_init(&b, 0);
            check_result_ecs(c, &r, ts, &b);
            ev->ecs = kw_buf_take(&b);
            last_logged = ts;
        }
        daemon_push(d, ev);
        next += c->interval_ms;
        int64_t now = kw_mono_ms();
        if (next < now)
            next = now + c->interval_ms;
    } while (sensor_wait(d, next));
    check_ctx_free(ctx);
    return NULL;
}

/* ---- network captures ---- */

typedef struct {
    kw_daemon *d;
    char interface[64];
    alert_acts *pending;     /* alert changes the queue had no room for yet (capture thread only) */
    uint64_t acts_waited;    /* times the queue was full for them */
} net_ctx;

/* Hands the pending alert changes to the core. With the queue full they wait for the next
 * detection or the next second (the capture thread must not block); once the thread is gone
 * (wait), up to 2 s here, and only then are they dropped. */
static void net_flush_acts(net_ctx *c, bool wait)
{
    if (!c->pending)
        return;
    kw_event *ev = kw_event_new("net", kw_now_ms());
    ev->acts = c->pending;
    if (wait ? push_waiting(c->d, ev) : kw_queue_push(&c->d->queue, ev) == KW_OK) {
        c->pending = NULL;
        return;
    }
    if (wait) {
        log_error("%s: the core took no alert change for 2 s; %zu dropped", c->interface, ev->acts->n);
        kw_event_free(ev);
        c->pending = NULL;
        return;
    }
    ev->acts = NULL;
    kw_event_free(ev);
    uint64_t n = ++c->acts_waited;
    if ((n & (n - 1)) == 0) /* the 1st, 2nd, 4th... time */
        log_warn("%s: event queue full: %zu alert changes wait for room", c->interface, c->pending->n);
}

static const metric_desc m_net_pkts = {"net_packets_total", "Packets captured.", METRIC_COUNTER, true};
static const metric_desc m_net_bytes = {"net_bytes_total", "Bytes on the wire of the packets captured.",
                                        METRIC_COUNTER, true};
static const metric_desc m_net_malformed = {"net_malformed_total", "Captured packets that would not decode.",
                                            METRIC_COUNTER, true};
static const metric_desc m_net_notip = {"net_not_ip_total", "Captured frames that carry no IP (ARP, ...).",
                                        METRIC_COUNTER, true};
static const metric_desc m_net_kdrop = {"net_kernel_dropped_total",
                                        "Packets the kernel dropped because the capture ring was full.",
                                        METRIC_COUNTER, true};
static const metric_desc m_net_ifdrop = {"net_interface_dropped_total", "Packets the interface dropped.",
                                         METRIC_COUNTER, true};

static const metric_desc m_tgt_pkts = {"net_target_packets_total", "Packets to a watched asset or group.",
                                       METRIC_COUNTER, true};
static const metric_desc m_tgt_bytes = {"net_target_bytes_total", "Bytes to a watched asset or group.",
                                        METRIC_COUNTER, true};
static const metric_desc m_tgt_pps = {"net_target_packets_per_second", "Packets per second to a watched target.",
                                      METRIC_GAUGE, true};
static const metric_desc m_tgt_bps = {"net_target_bits_per_second", "Bits per second to a watched target.",
                                      METRIC_GAUGE, true};
static const metric_desc m_tgt_base = {"net_target_baseline_packets_per_second",
                                       "The learned normal rate of a watched target (0 while learning).",
                                       METRIC_GAUGE, false};

static const metric_desc m_insp_req = {"net_inspected_total", "Protocol messages read in captured contents.",
                                       METRIC_COUNTER, false};
static const metric_desc m_insp_bad = {"net_content_malformed_total",
                                       "Protocol messages that would not parse, by reason.", METRIC_COUNTER, false};
static const metric_desc m_insp_flow = {"net_stream_events_total",
                                        "TCP reassembly events: overlaps with other bytes, gaps, full buffers.",
                                        METRIC_COUNTER, false};
static const metric_desc m_insp_active = {"net_flows_active", "TCP flows whose contents are being read.",
                                          METRIC_GAUGE, false};

/* The inspection's counters: messages read by protocol, malformations by reason, reassembly
 * events by kind. */
static void net_inspect_metrics(metric_set *m, const char *ifname, const net_inspect_stats *st)
{
    const struct {
        const char *app;
        uint64_t n;
    } reads[] = {{"http", st->http_requests}, {"dns", st->dns_messages}, {"tls", st->tls_hellos},
                 {"ssh", st->ssh},            {"smb", st->smb},          {"rdp", st->rdp},
                 {"login", st->logins}};
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++)
        metric_add(m, &m_insp_req, (double)reads[i].n, "interface", ifname, "protocol", reads[i].app, NULL);
    for (int w = 1; w < NET_WHY_COUNT; w++)
        if (st->malformed[w])
            metric_add(m, &m_insp_bad, (double)st->malformed[w], "interface", ifname, "reason",
                       net_proto_why_str((net_proto_why)w), NULL);
    for (int k = 0; k < NET_FLOW_EV_COUNT; k++)
        metric_add(m, &m_insp_flow, (double)st->flow[k], "interface", ifname, "event",
                   net_flow_event_name((net_flow_event)k), NULL);
    metric_add(m, &m_insp_active, (double)st->flows_active, "interface", ifname, NULL);
}

static void net_stats_cb(void *arg, const char *ifname, const net_live_stats *st)
{
    net_ctx *c = arg;
    int64_t now = kw_now_ms();
    char source[96];
    snprintf(source, sizeof source, "net:%s", ifname);
    kw_event *ev = kw_event_new(source, now);
    ev->metrics = metric_set_new(now);
    metric_add(ev->metrics, &m_net_pkts, (double)st->packets, "interface", ifname, NULL);
    metric_add(ev->metrics, &m_net_bytes, (double)st->bytes, "interface", ifname, NULL);
    metric_add(ev->metrics, &m_net_malformed, (double)st->malformed, "interface", ifname, NULL);
    metric_add(ev->metrics, &m_net_notip, (double)st->not_ip, "interface", ifname, NULL);
    metric_add(ev->metrics, &m_net_kdrop, (double)st->kernel_dropped, "interface", ifname, NULL);
    metric_add(ev->metrics, &m_net_ifdrop, (double)st->if_dropped, "interface", ifname, NULL);
    for (size_t i = 0; i < st->ntargets; i++) {
        const net_target_stats *t = &st->targets[i];
        metric_add(ev->metrics, &m_tgt_pkts, (double)t->packets, "target", t->name, "interface", ifname, NULL);
        metric_add(ev->metrics, &m_tgt_bytes, (double)t->bytes, "target", t->name, "interface", ifname, NULL);
        metric_add(ev->metrics, &m_tgt_pps, t->pps, "target", t->name, "interface", ifname, NULL);
        metric_add(ev->metrics, &m_tgt_bps, t->bps, "target", t->name, "interface", ifname, NULL);
        metric_add(ev->metrics, &m_tgt_base, t->baseline_pps, "target", t->name, "interface", ifname, NULL);
    }
    if (st->inspect)
        net_inspect_metrics(ev->metrics, ifname, st->inspect);
    daemon_push(c->d, ev);
    net_flush_acts(c, false);
    /* the talkers are for people looking, not for history: straight to the API */
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_str(&j, "interface", ifname);
    kw_json_key(&j, "at");
    kw_json_time(&j, now);
    kw_json_kv_int(&j, "window_seconds", NET_TALK_WINDOW_S);
    kw_json_kv_int(&j, "packets", (int64_t)st->packets);
    kw_json_kv_int(&j, "bytes", (int64_t)st->bytes);
    kw_json_kv_int(&j, "kernel_dropped", (int64_t)st->kernel_dropped);
    for (int k = 0; k < 2; k++) {
        kw_json_key(&j, k ? "destinations" : "sources");
        kw_json_arr_begin(&j);
        for (size_t i = 0; i < st->ntalkers[k]; i++) {
            char addr[64];
            net_addr_str(&st->talkers[k][i].addr, addr, sizeof addr);
            kw_json_obj_begin(&j);
            kw_json_kv_str(&j, "address", addr);
            kw_json_kv_num(&j, "bits_per_second", (double)st->talkers[k][i].bytes * 8 / NET_TALK_WINDOW_S);
            kw_json_kv_num(&j, "packets_per_second", (double)st->talkers[k][i].packets / NET_TALK_WINDOW_S);
            kw_json_obj_end(&j);
        }
        kw_json_arr_end(&j);
    }
    kw_json_obj_end(&j);
    http_shared_set_net(&c->d->sh, ifname, kw_buf_take(&b));
}

/* A detection becomes an alert change: one alert per attack (fingerprint of the action and
 * who against whom), fired, updated with its peak while it lasts, resolved when it ends. */
static void net_emit_cb(void *arg, net_phase phase, const net_detection *x)
{
    net_ctx *c = arg;
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    char addr[64];
    kw_json_obj_begin(&j); /* the labels, in name order */
    if (x->content && x->content->domain[0])
        kw_json_kv_str(&j, "domain", x->content->domain);
    if (x->has_dport)
        kw_json_kv_int(&j, "dport", x->dport);
    if (x->has_dst) {
        net_addr_str(&x->dst, addr, sizeof addr);
        kw_json_kv_str(&j, "dst", addr);
    }
    kw_json_kv_str(&j, "interface", c->interface);
    if (x->content) { /* one alert per rule (signature, list, detector) */
        char rule[192];
        if (x->content->sid)
            snprintf(rule, sizeof rule, "%u", x->content->sid);
        else
            snprintf(rule, sizeof rule, "%s", x->content->rule);
        kw_json_kv_str(&j, "rule", rule);
    }
    if (x->has_src) {
        net_addr_str(&x->src, addr, sizeof addr);
        kw_json_kv_str(&j, "src", addr);
    }
    if (x->target[0])
        kw_json_kv_str(&j, "target", x->target);
    kw_json_obj_end(&j);
    if (!c->pending)
        c->pending = kw_calloc(1, sizeof *c->pending);
    alert_act *a = alert_acts_push(c->pending,
                                   phase == NET_DET_FIRE     ? ALERT_ACT_FIRE
                                   : phase == NET_DET_UPDATE ? ALERT_ACT_UPDATE
                                                             : ALERT_ACT_RESOLVE,
                                   "net", x->action, kw_buf_take(&b));
    a->severity = x->severity;
    net_detection_text(x, &b);
    a->summary = kw_buf_take(&b);
    a->value = x->peak_pps > 0 ? x->peak_pps : (double)(x->ports + x->hosts + x->sessions);
    a->peak = a->value;
    a->at_ms = (phase == NET_DET_FIRE ? x->fire_ns : x->end_ns) / 1000000;
    a->started_ms = x->start_ns / 1000000;
    a->history = phase == NET_DET_UPDATE;
    a->reason = phase == NET_DET_END ? "attack over" : NULL;
    net_detection_ecs(x, &b);
    a->details_json = kw_buf_take(&b);
    net_flush_acts(c, false);
}

/* The intelligence lists the captures and the log sensor share, read once when intel.files
 * names any (and not yet read); the core re-reads them (net_intel_watch), the daemon frees
 * them at the end (intel_stop), after both sensors. */
static void intel_start(kw_daemon *d)
{
    const conf *c = d->cfg;
    if (d->intel || !c->intel.files.n)
        return;
    intel *h = NULL;
    if (intel_from_conf(c, &h) != KW_OK)
        return;
    intel_watch_result res = {0};
    intel_watch(h, kw_now_ms(), NULL, NULL, &res);
    if (res.failed)
        log_warn("intel: %zu of the intel.files lists could not be read (keepwatch intel check says why)", res.failed);
    pthread_mutex_lock(&d->intel_mu);
    d->intel = h;
    d->intel_next_ms = kw_mono_ms() + c->intel.reload_interval_ms;
    pthread_mutex_unlock(&d->intel_mu);
}

static void intel_stop(kw_daemon *d)
{
    pthread_mutex_lock(&d->intel_mu);
    intel_free(d->intel);
    d->intel = NULL;
    pthread_mutex_unlock(&d->intel_mu);
}

/* The signatures and intelligence lists the captures share, when net.inspect wants them. */
static void net_inspect_start(kw_daemon *d)
{
    const conf *c = d->cfg;
    if (!c->net.inspect.enabled || !c->net.interfaces.n)
        return;
    char err[512];
    net_sig_report rep = {0};
    if (net_inspect_sigs_from_conf(c, &d->net_sigs, &rep, err, sizeof err) != KW_OK)
        log_error("net.inspect: %s; reading contents without signatures", err);
    for (size_t i = 0; i < rep.nskips && i < 20; i++)
        log_warn("net.inspect: %s:%u: sid %u skipped: %s", rep.skips[i].origin, rep.skips[i].line, rep.skips[i].sid,
                 rep.skips[i].reason);
    if (rep.skipped)
        log_warn("net.inspect: %zu of %zu rules skipped", rep.skipped, rep.skipped + rep.loaded);
    net_sig_report_free(&rep);
    intel_start(d);
}

/* Re-reads the intelligence lists that changed, every intel.reload_interval (the core's). */
static void net_intel_watch(kw_daemon *d)
{
    pthread_mutex_lock(&d->intel_mu);
    if (d->intel && kw_mono_ms() >= d->intel_next_ms) {
        intel_watch_result res = {0};
        intel_watch(d->intel, kw_now_ms(), NULL, NULL, &res);
        if (res.swapped)
            log_info("intel: %zu list%s re-read", res.changed, res.changed == 1 ? "" : "s");
        if (res.failed)
            log_warn("intel: %zu list%s could not be read; their entries stay", res.failed, res.failed == 1 ? "" : "s");
        d->intel_next_ms = kw_mono_ms() + d->cfg->intel.reload_interval_ms;
    }
    pthread_mutex_unlock(&d->intel_mu);
}

static void net_start(kw_daemon *d)
{
    const conf *c = d->cfg;
    net_inspect_start(d);
    d->live = kw_calloc(c->net.interfaces.n + 1, sizeof *d->live);
    d->live_ctx = kw_calloc(c->net.interfaces.n + 1, sizeof *d->live_ctx);
    d->nlive = 0;
    for (size_t i = 0; i < c->net.interfaces.n; i++) {
        net_ctx *ctx = kw_calloc(1, sizeof *ctx);
        ctx->d = d;
        kw_strlcpy(ctx->interface, c->net.interfaces.v[i], sizeof ctx->interface);
        net_live_opts o = {.interface = c->net.interfaces.v[i], .bpf = c->net.bpf, .snaplen = (int)c->net.snaplen,
                           .buffer = c->net.buffer, .emit = net_emit_cb, .emit_arg = ctx, .stats = net_stats_cb,
                           .stats_arg = ctx, .inspect = c->net.inspect.enabled};
        net_thresholds_from_conf(c, &o.thresholds);
        net_inspect_opts_from_conf(c, &o.inspect_opts);
        o.inspect_opts.sigs = d->net_sigs;
        o.inspect_opts.intel = d->intel;
        char err[512];
        net_live *l = net_live_start(&o, err, sizeof err);
        if (!l) {
            log_error("capture: %s", err);
            free(ctx);
            continue;
        }
        log_info("capturing on %s%s%s", ctx->interface, c->net.bpf ? " with filter " : "", c->net.bpf ? c->net.bpf : "");
        d->live_ctx[d->nlive] = ctx;
        d->live[d->nlive++] = l;
    }
}

static void net_stop(kw_daemon *d)
{
    for (size_t i = 0; i < d->nlive; i++) {
        net_live_stop(d->live[i]); /* what is under way stays open (see detector_stopped) */
        net_ctx *c = d->live_ctx[i];
        net_flush_acts(c, true); /* the thread is gone: wait for room now */
        http_shared_set_net(&d->sh, c->interface, NULL);
        free(c);
    }
    free(d->live);
    free(d->live_ctx);
    d->live = NULL;
    d->live_ctx = NULL;
    d->nlive = 0;
    net_sig_set_free(d->net_sigs); /* the captures that read them are gone */
    d->net_sigs = NULL;
    /* the intelligence lists stay: the log sensor reads them too (intel_stop frees them) */
}

/* ---- log inputs ---- */

static bool logs_push(void *arg, kw_event *ev)
{
    kw_daemon *d = arg;
    return kw_queue_push(&d->queue, ev) == KW_OK;
}

static void logs_publish(void *arg, char *json)
{
    kw_daemon *d = arg;
    http_shared_set_logs(&d->sh, json);
}

/* Starts the log sensor if the configuration has log inputs; false if they cannot be opened. */
static bool logs_start(kw_daemon *d)
{
    if (!log_sensor_wanted(d->cfg))
        return true;
    intel_start(d);
    log_sensor_hooks h = {logs_push, logs_publish, d, d->intel};
    char err[512];
    d->logs = log_sensor_start(d->cfg, &h, &d->log_offsets, err, sizeof err);
    if (!d->logs) {
        log_error("logs: %s", err);
        return false;
    }
    kw_offsets_free(&d->log_offsets);
    log_info("logs: %zu input%s, %zu rule%s", d->cfg->logs.inputs.n, d->cfg->logs.inputs.n == 1 ? "" : "s",
             d->cfg->logs.rules.n, d->cfg->logs.rules.n == 1 ? "" : "s");
    return true;
}

static void logs_stop(kw_daemon *d)
{
    if (!d->logs)
        return;
    log_sensor_stop(d->logs, &d->log_offsets); /* its last events are in the queue */
    d->logs = NULL;
    http_shared_set_logs(&d->sh, NULL);
}

static void notify_start(kw_daemon *d)
{
    if (!d->cfg->notify.enabled || !d->cfg->notify.channels.n)
        return;
    char err[512];
    d->notify = notify_runner_start(d->cfg, d->store_path, &d->registry, err, sizeof err);
    if (!d->notify)
        log_error("notify: %s; alerts are recorded but nobody is told", err);
    else
        log_info("notify: %zu channels, %zu policies, %zu routes", d->cfg->notify.channels.n,
                 d->cfg->notify.policies.n, d->cfg->notify.routes.n);
}

static void notify_stop(kw_daemon *d)
{
    notify_runner_stop(d->notify, SHUTDOWN_JOIN_MS / 3);
    d->notify = NULL;
}

static void sensors_start(kw_daemon *d)
{
    atomic_store(&d->sensors_stop, false);
    size_t n = (d->cfg->host.enabled ? 1 : 0) + d->cfg->checks.n;
    d->sensors = kw_calloc(n ? n : 1, sizeof *d->sensors);
    d->nsensors = 0;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 512 * 1024);
    if (d->cfg->host.enabled) {
        sensor *s = &d->sensors[d->nsensors];
        s->d = d;
        if (pthread_create(&s->thread, &at, host_sensor_main, s) == 0)
            d->nsensors++;
        else
            log_error("cannot start the host sensor thread");
    }
    for (size_t i = 0; i < d->cfg->checks.n; i++) {
        const conf_check *c = CONF_AT(d->cfg->checks, conf_check, i);
        if (!c->enabled)
            continue;
        sensor *s = &d->sensors[d->nsensors];
        s->d = d;
        s->check = c;
        if (pthread_create(&s->thread, &at, check_sensor_main, s) == 0)
            d->nsensors++;
        else
            log_error("cannot start the thread of check %s", c->name);
    }
    pthread_attr_destroy(&at);
}

/* Stops every sensor; one that does not stop within the budget (a resolver hung in
 * getaddrinfo) is left behind, detached. */
static void sensors_stop(kw_daemon *d, int64_t budget_ms)
{
    pthread_mutex_lock(&d->sensor_mu);
    atomic_store(&d->sensors_stop, true);
    pthread_cond_broadcast(&d->sensor_cv);
    pthread_mutex_unlock(&d->sensor_mu);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += budget_ms / 1000;
    dl.tv_nsec += (budget_ms % 1000) * 1000000;
    if (dl.tv_nsec >= 1000000000) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000;
    }
    for (size_t i = 0; i < d->nsensors; i++) {
        if (pthread_timedjoin_np(d->sensors[i].thread, NULL, &dl) != 0) {
            log_warn("%s%s did not stop in time; left running", d->sensors[i].check ? "check " : "host sensor",
                     d->sensors[i].check ? d->sensors[i].check->name : "");
            pthread_detach(d->sensors[i].thread);
            d->leaked_sensors = true;
        }
    }
    if (!d->leaked_sensors)
        free(d->sensors);
    d->sensors = NULL;
    d->nsensors = 0;
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

/* Adds the top processes to a CPU or memory alert as it fires. */
static void act_add_context(kw_daemon *d, alert_act *a)
{
    if (a->ctx == ALERT_CTX_NONE || !d->host || (a->kind != ALERT_ACT_FIRE && a->kind != ALERT_ACT_REOPEN))
        return;
    bool mem = a->ctx == ALERT_CTX_TOP_MEM;
    const host_proc *p = mem ? d->host->top_mem : d->host->top_cpu;
    size_t n = mem ? d->host->ntop_mem : d->host->ntop_cpu;
    if (!n)
        return;
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_printf(&b, "%s; top processes: ", a->summary ? a->summary : a->rule);
    host_top_summary(d->host, mem, 3, &b);
    free(a->summary);
    a->summary = kw_buf_take(&b);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "top_processes");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < n; i++) {
        kw_json_obj_begin(&j);
        kw_json_kv_int(&j, "pid", p[i].pid);
        kw_json_kv_str(&j, "name", p[i].comm);
        kw_json_kv_str(&j, "user", p[i].user);
        kw_json_kv_str(&j, "command_line", p[i].cmdline);
        kw_json_kv_num(&j, "cpu_pct", p[i].cpu_ratio);
        kw_json_kv_int(&j, "rss_bytes", (int64_t)p[i].rss_bytes);
        kw_json_obj_end(&j);
    }
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    a->details_json = kw_buf_take(&b);
}

/* Applies the engine's acts to the store (inside the caller's transaction) and appends
 * their ECS lines to lines. */
static void core_apply_acts(kw_daemon *d, alert_acts *acts, kw_buf *lines)
{
    for (size_t i = 0; i < acts->n; i++) {
        alert_act *a = &acts->v[i];
        act_add_context(d, a);
        kw_rc rc = store_alert_apply(d->store, a);
        if (rc == KW_ERR_NOTFOUND) { /* a person resolved it meanwhile */
            alert_engine_forget(d->engine, a->fingerprint);
            continue;
        }
        if (rc != KW_OK) {
            atomic_fetch_add(&d->store_errors, 1);
            log_error("store: cannot record alert %s (%s): %s", a->rule, alert_act_name(a->kind),
                      store_errmsg(d->store));
            continue;
        }
        if (a->kind == ALERT_ACT_FIRE)
            alert_engine_bind(d->engine, a->fingerprint, a->alert_id);
        if (a->kind != ALERT_ACT_UPDATE) {
            atomic_fetch_add(&d->alerts_changed, 1);
            kw_log(a->kind == ALERT_ACT_RESOLVE ? KW_LOG_INFO : KW_LOG_WARN, "alert %lld %s [%s] %s%s%s",
                   (long long)a->alert_id, alert_act_name(a->kind), kw_severity_name(a->severity),
                   a->summary ? a->summary : a->rule, a->reason ? ": " : "", a->reason ? a->reason : "");
        }
        if (a->kind != ALERT_ACT_UPDATE || a->history) {
            alert_act_ecs(a, lines);
            kw_buf_putc(lines, '\n');
        }
    }
}

static void core_log_lines(kw_daemon *d, kw_buf *lines)
{
    if (d->elog && lines->len && event_log_write(d->elog, lines->data, lines->len) != KW_OK) {
        uint64_t n = atomic_fetch_add(&d->log_errors, 1) + 1;
        if ((n & (n - 1)) == 0)
            log_error("cannot write %s: %s", d->log_path, strerror(errno));
    }
}

/* The group transaction: opened on demand, committed when an alert changes, when it is
 * GROUP_COMMIT_MS old, when the queue is idle, and at shutdown. */
static void core_tx_begin(kw_daemon *d)
{
    if (d->tx_open)
        return;
    d->tx_open = store_begin(d->store) == KW_OK;
    d->tx_since = kw_mono_ms();
}

static void core_tx_commit(kw_daemon *d)
{
    if (!d->tx_open)
        return;
    d->tx_open = false;
    if (store_commit(d->store) != KW_OK) {
        atomic_fetch_add(&d->store_errors, 1);
        log_error("store: commit failed: %s", store_errmsg(d->store));
        store_rollback(d->store);
    }
}

/* Applies acts and commits them with whatever the group transaction holds, then appends
 * their lines to the event log: a line in the log is always in the store too. */
static void core_commit_acts(kw_daemon *d, alert_acts *acts)
{
    if (!acts->n)
        return;
    kw_buf lines;
    kw_buf_init(&lines, 0);
    core_tx_begin(d);
    core_apply_acts(d, acts, &lines);
    core_tx_commit(d);
    core_log_lines(d, &lines);
    kw_buf_free(&lines);
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
        alert_engine_hold(h->d->engine, a, h->now);
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
        alert_engine_eval(d->engine, ev->metrics, ev->ts_ms, &acts);
        if (store_metric_write(d->store, ev->metrics) != KW_OK)
            atomic_fetch_add(&d->store_errors, 1);
    }
    if (ev->offsets) /* where the log inputs are: committed with the rest of the group */
        for (size_t i = 0; i < ev->offsets->n; i++)
            if (store_log_offset_put(d->store, &ev->offsets->v[i], ev->ts_ms) != KW_OK)
                atomic_fetch_add(&d->store_errors, 1);
    if (ev->acts) { /* a detector's alert changes: updates and ends name the open alert */
        for (size_t i = 0; i < ev->acts->n; i++) {
            alert_act *a = &ev->acts->v[i];
            if (a->kind != ALERT_ACT_FIRE && !a->alert_id)
                a->alert_id = store_alert_open_id(d->store, a->fingerprint);
            alert_engine_forget(d->engine, a->fingerprint); /* held since a restart: it is the detector's again */
        }
        core_commit_acts(d, ev->acts);
    }
    if (ev->detector_stopped) /* after the detector's last acts: the queue keeps their order */
        store_alert_each_open(d->store, hold_detector_alert, &(hold_ctx){d, ev->source, ev->ts_ms});
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
static const metric_desc m_store_err = {"store_errors_total", "Failed writes to the store.", METRIC_COUNTER, false};
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
    if (store_alert_counts(d->store, counts) == KW_OK) {
        for (int s = ALERT_FIRING; s <= ALERT_RESOLVED; s++)
            metric_add(ms, &m_alerts, (double)counts[s], "state", alert_state_name(s), NULL);
        atomic_store(&d->sh.alerts_firing, counts[ALERT_FIRING]);
        atomic_store(&d->sh.alerts_acked, counts[ALERT_ACKED]);
    }
    metric_add(ms, &m_store_err, (double)atomic_load(&d->store_errors), NULL);
    metric_add(ms, &m_log_err, (double)atomic_load(&d->log_errors), NULL);
    metric_add(ms, &m_series, (double)alert_engine_series(d->engine), NULL);
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
    alert_engine_configure(d->engine, u->flap, u->stale);
    alert_engine_set_rules(d->engine, &u->rules, now, &acts);
    d->cur = *u;
    free(u);
    core_commit_acts(d, &acts);
    alert_acts_free(&acts);
}

static void core_sweep(kw_daemon *d, int64_t now)
{
    alert_acts acts = {0};
    alert_engine_sweep(d->engine, now, &acts);
    duty_watch_tick(&d->duty, d->store, d->engine, &d->registry, now, &acts);
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
            core_tx_commit(d); /* idle: nothing to group with */
            if (atomic_load(&d->core_stop) && kw_queue_len(&d->queue) == 0)
                break;
        }
        int64_t mono = kw_mono_ms(), now = kw_now_ms();
        core_take_mail(d, now);
        net_intel_watch(d);
        if (mono - last_sweep >= SWEEP_EVERY_MS) {
            core_sweep(d, now);
            last_sweep = mono;
        }
        if (mono - last_maintain >= MAINTAIN_EVERY_MS) {
            core_tx_commit(d);
            if (store_metric_maintain(d->store, now, d->cur.raw_keep, d->cur.minute_keep, d->cur.hour_keep) != KW_OK)
                log_warn("store: history maintenance failed: %s", store_errmsg(d->store));
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
    alert_engine_restore(r->d->engine, a, kw_now_ms(), r->acts);
}

static void load_offset(void *arg, const kw_offset *o)
{
    kw_offsets_add(arg, o->key, o->dev, o->ino, o->offset, o->cursor);
}

static bool daemon_open(kw_daemon *d)
{
    char err[512];
    const conf *c = d->cfg;
    if (daemon_state_dir(c->daemon.state_dir, &d->id, err, sizeof err) != KW_OK) {
        log_error("state directory: %s", err);
        return false;
    }
    d->store_path = conf_state_path(c, "keepwatch.db");
    d->token_path = conf_state_path(c, "api.token");
    d->log_path = conf_state_path(c, c->events.path);
    duty_watch_init(&d->duty, c);
    d->store = store_open(d->store_path, false, err, sizeof err);
    if (!d->store) {
        log_error("store: %s", err);
        return false;
    }
    /* the duty log's keys, made now if new: before the privileges go and the threads start,
     * so that they are the daemon user's and in memory for every entry */
    kw_buf pem;
    kw_buf_init(&pem, 0);
    kw_rc krc = store_duty_pubkey(d->store, &pem);
    kw_buf_free(&pem);
    if (krc != KW_OK) {
        log_error("duty log keys: %s", store_errmsg(d->store));
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
    d->engine = alert_engine_new(c->alerts.flap_window_ms, c->alerts.stale_after_ms);
    core_update u;
    core_update_from(&u, c);
    alert_acts acts = {0};
    alert_engine_set_rules(d->engine, &u.rules, kw_now_ms(), &acts);
    d->cur = u;
    restore_ctx rctx = {d, &acts};
    store_alert_each_open(d->store, restore_one, &rctx);
    core_commit_acts(d, &acts);
    alert_acts_free(&acts);
    store_log_offsets_each(d->store, load_offset, &d->log_offsets);
    int64_t counts[4] = {0};
    store_alert_counts(d->store, counts);
    log_info("store %s: %lld alerts open (%lld firing, %lld acknowledged)", d->store_path,
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

static bool strs_equal(const conf_strs *a, const conf_strs *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0)
            return false;
    return true;
}

/* Whether the captures must be reopened for the new configuration. */
static bool net_config_changed(const conf *o, const conf *n)
{
    if (!strs_equal(&o->net.interfaces, &n->net.interfaces) || o->net.snaplen != n->net.snaplen ||
        o->net.buffer != n->net.buffer || !str_same(o->net.bpf, n->net.bpf))
        return true;
    net_thresholds *a = kw_malloc(sizeof *a), *b = kw_malloc(sizeof *b);
    net_thresholds_from_conf(o, a);
    net_thresholds_from_conf(n, b);
    bool changed = memcmp(a, b, sizeof *a) != 0;
    free(a);
    free(b);
    return changed;
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
    d->dropped_privileges = true;
    log_info("running as %s (uid %u, gid %u, %d group%s) from now on", d->id.name, (unsigned)d->id.uid,
             (unsigned)d->id.gid, d->id.ngroups, d->id.ngroups == 1 ? "" : "s");
    return true;
}

/* A detector restarted by a reload forgets what it was detecting: the core holds its open
 * alerts until it reports them again (or resolves them after alerts.stale_after). At shutdown
 * there is nothing to do: the next start holds them all (alert_engine_restore). */
static void detector_stopped(kw_daemon *d, const char *source)
{
    kw_event *ev = kw_event_new(source, kw_now_ms());
    ev->detector_stopped = true;
    if (!push_waiting(d, ev)) { /* the core is stuck; the alerts stay open until a person acts */
        log_error("the core took no word of the %s detector's restart for 2 s", source);
        kw_event_free(ev);
    }
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
    const conf *o = d->cfg;
    if (strcmp(o->daemon.state_dir, n->daemon.state_dir) != 0 || strcmp(o->http.listen, n->http.listen) != 0 ||
        o->http.enabled != n->http.enabled || o->http.threads != n->http.threads ||
        strcmp(o->events.path, n->events.path) != 0 || o->events.enabled != n->events.enabled ||
        o->events.queue_size != n->events.queue_size || !str_same(o->daemon.user, n->daemon.user) ||
        !str_same(o->daemon.group, n->daemon.group))
        log_warn("reload: changes to daemon.state_dir, daemon.user, daemon.group, http and events (path, enabled, "
                 "queue_size) take effect at the next restart");
    kw_log_set_level((kw_log_level)n->daemon.log_level);
    bool net_changed = net_config_changed(o, n);
    if (net_changed && d->dropped_privileges) {
        log_warn("reload: the net: section changed, but captures cannot be reopened after dropping privileges; "
                 "restart keepwatch to apply it");
        net_changed = false;
    }
    if (net_changed) {
        net_stop(d);
        detector_stopped(d, "net");
    }
    char *io = conf_show_section(o, "intel"), *in = conf_show_section(n, "intel");
    bool intel_changed = strcmp(io, in) != 0;
    free(io);
    free(in);
    char *lo = conf_show_section(o, "logs"), *ln = conf_show_section(n, "logs");
    /* lists named for the first time: the log sensor takes the new holder when it starts */
    bool logs_changed = strcmp(lo, ln) != 0 || (intel_changed && !d->intel && n->intel.files.n && d->logs);
    free(lo);
    free(ln);
    if (logs_changed && d->dropped_privileges) {
        log_warn("reload: the logs: section changed, but its inputs cannot be reopened after dropping privileges; "
                 "restart keepwatch to apply it");
        logs_changed = false;
    }
    if (logs_changed) { /* counting and learning start again; positions carry over */
        logs_stop(d);
        detector_stopped(d, "logs");
    }
    if (intel_changed && d->intel) { /* the next net_intel_watch reads the new files */
        pthread_mutex_lock(&d->intel_mu);
        intel_reconfigure_conf(d->intel, n);
        pthread_mutex_unlock(&d->intel_mu);
    }
    sensors_stop(d, SHUTDOWN_JOIN_MS);
    core_update *u = kw_calloc(1, sizeof *u);
    core_update_from(u, n);
    pthread_mutex_lock(&d->mail_mu);
    if (d->mail) {
        alert_rules_free(&d->mail->rules);
        free(d->mail);
    }
    d->mail = u;
    pthread_mutex_unlock(&d->mail_mu);
    char **keep = kw_calloc(n->checks.n + 1, sizeof(char *));
    for (size_t i = 0; i < n->checks.n; i++)
        keep[i] = CONF_AT(n->checks, conf_check, i)->name;
    metric_registry_prune(&d->registry, "check:", keep, n->checks.n);
    free(keep);
    notify_stop(d); /* its state is in the store: it carries on from there with the new configuration */
    conf *old = d->cfg;
    d->cfg = n;
    http_shared_set_conf(&d->sh, n);
    notify_start(d);
    if (!d->leaked_sensors)
        conf_free(old); /* else a detached sensor may still read it */
    sensors_start(d);
    if (net_changed)
        net_start(d);
    if (logs_changed && !logs_start(d))
        log_error("reload: the log inputs could not be opened; they stay off until the next reload");
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

int daemon_run(conf *cfg, const daemon_opts *opts)
{
    kw_daemon *d = kw_calloc(1, sizeof *d);
    d->cfg = cfg;
    d->opts = *opts;
    int status = 1;
    signal(SIGPIPE, SIG_IGN);
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* before any thread: all inherit the mask */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_mutex_init(&d->sensor_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->sensor_cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&d->mail_mu, NULL);
    pthread_mutex_init(&d->intel_mu, NULL);
    pthread_mutex_init(&d->sh.mu, NULL);
    pthread_rwlock_init(&d->sh.cfg_lock, NULL);
    kw_queue_init(&d->queue, (size_t)cfg->events.queue_size);
    metric_registry_init(&d->registry);
    d->sh.metrics = &d->registry;
    d->sh.started_ms = kw_now_ms();
    bool core_started = false;
    daemon_no_new_privs(); /* before any thread: they all inherit it, and so do checks' children */
    char err[512];
    if (daemon_ident_resolve(cfg, &d->id, err, sizeof err) != KW_OK) {
        log_error("%s", err);
        goto out;
    }
    if (!daemon_open(d))
        goto out;
    d->sh.store_path = d->store_path;
    http_shared_set_conf(&d->sh, d->cfg);
    core_self_metrics(d, kw_now_ms());
    /* what needs root first: listening sockets, captures, log files; then the drop */
    if (cfg->http.enabled) {
        http_opts ho = {cfg->http.listen, (int)cfg->http.threads, cfg->http.max_body, cfg->http.tls_cert,
                        cfg->http.tls_key, cfg->http.session_idle_ms, cfg->http.session_max_ms};
        d->http = http_start(&ho, &d->sh, err, sizeof err);
        if (!d->http) {
            log_error("http: %s", err);
            goto out;
        }
    }
    net_start(d);
    if (!logs_start(d))
        goto out;
    if (opts->pidfile && !write_pidfile(opts->pidfile))
        log_warn("cannot write the pidfile %s: %s", opts->pidfile, strerror(errno));
    if (!drop_privileges(d))
        goto out;
    check_run_as(d->id.exists, d->id.uid, d->id.gid, d->id.groups, d->id.ngroups);
    daemon_caps_not_inherited();
    notify_start(d); /* before the core: every alert from here on is news */
    if (pthread_create(&d->core_thread, NULL, core_main, d) != 0) {
        log_error("cannot start the core thread");
        goto out;
    }
    core_started = true;
    sensors_start(d); /* checks run as daemon.user from the start */
    log_info("keepwatch %s started: config %s, state in %s, %zu checks, %zu rules%s%s", KW_VERSION,
             opts->config_path ? opts->config_path : "built-in", cfg->daemon.state_dir, cfg->checks.n, cfg->rules.n,
             cfg->http.enabled ? ", API on http://" : "", cfg->http.enabled ? cfg->http.listen : "");
    for (;;) {
        siginfo_t si;
        int sig = sigwaitinfo(&sigs, &si);
        if (sig < 0)
            continue;
        if (sig == SIGHUP) {
            daemon_reload(d);
            continue;
        }
        log_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        break;
    }
    status = 0;
out:
    notify_stop(d);
    net_stop(d);
    logs_stop(d);
    intel_stop(d);
    sensors_stop(d, SHUTDOWN_JOIN_MS);
    http_stop(d->http);
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
    alert_engine_free(d->engine);
    store_close(d->store);
    event_log_close(d->elog);
    host_snapshot_free(http_shared_swap_host(&d->sh, NULL)); /* d->host */
    http_shared_clear(&d->sh);
    kw_offsets_free(&d->log_offsets);
    metric_registry_destroy(&d->registry);
    if (opts->pidfile && status == 0)
        unlink(opts->pidfile);
    if (status == 0)
        log_info("stopped");
    if (!d->leaked_sensors) {
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
