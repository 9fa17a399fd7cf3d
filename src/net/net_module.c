/* The net module: one capture per net.interfaces entry, the signatures they share
 * (net.inspect), their counters as readings for the core, their talkers for the API, and
 * their detections as alert changes. A reload that changes the captures' settings reopens
 * them, unless the privileges are gone. A drill's replay asks for a capture of its own
 * interface through kw_core.drill.capture_open: opened as a configured one is, until
 * capture_close or the module's stop. */
#include "net/net_inspect_conf.h"
#include "net/net_live.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "intel/intel.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NET_DRILL_MAX 16     /* drills' captures open at once */

typedef struct net_module_state {
    kw_core *core;
    net_live **live;         /* one capture per net.interfaces entry that opened */
    struct net_ctx **ctx;    /* and its callbacks' context */
    size_t nlive;
    net_sig_set *sigs;       /* the captures' signatures (net.inspect), shared, read-only */
    /* the drills' captures: under mu, with c (the configuration they are opened with) */
    pthread_mutex_t mu;
    const conf *c;
    net_live *drill_live[NET_DRILL_MAX];
    struct net_ctx *drill_ctx[NET_DRILL_MAX];
    size_t ndrill;
} net_module_state;

typedef struct net_ctx {
    kw_core *core;
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
    if (wait ? kw_core_push_waiting(c->core, ev) : kw_queue_push(c->core->queue, ev) == KW_OK) {
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
    kw_core_push(c->core, ev);
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
    http_shared_set_net(c->core->sh, ifname, kw_buf_take(&b));
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

/* The signatures and intelligence lists the captures share, when net.inspect wants them. */
static void net_inspect_start(net_module_state *s, const conf *c)
{
    if (!c->net.inspect.enabled || !c->net.interfaces.n)
        return;
    char err[512];
    net_sig_report rep = {0};
    if (net_inspect_sigs_from_conf(c, &s->sigs, &rep, err, sizeof err) != KW_OK)
        log_error("net.inspect: %s; reading contents without signatures", err);
    for (size_t i = 0; i < rep.nskips && i < 20; i++)
        log_warn("net.inspect: %s:%u: sid %u skipped: %s", rep.skips[i].origin, rep.skips[i].line, rep.skips[i].sid,
                 rep.skips[i].reason);
    if (rep.skipped)
        log_warn("net.inspect: %zu of %zu rules skipped", rep.skipped, rep.skipped + rep.loaded);
    net_sig_report_free(&rep);
    intel_module_share(s->core, c);
}

/* Opens a capture on ifname with c's settings; NULL (logged, and in err) if it cannot. */
static net_live *net_capture_open(net_module_state *s, const conf *c, const char *ifname, net_ctx **out, char *err,
                                  size_t errn)
{
    net_ctx *ctx = kw_calloc(1, sizeof *ctx);
    ctx->core = s->core;
    kw_strlcpy(ctx->interface, ifname, sizeof ctx->interface);
    net_live_opts o = {.interface = ifname, .bpf = c->net.bpf, .snaplen = (int)c->net.snaplen,
                       .buffer = c->net.buffer, .emit = net_emit_cb, .emit_arg = ctx, .stats = net_stats_cb,
                       .stats_arg = ctx, .inspect = c->net.inspect.enabled};
    net_thresholds_from_conf(c, &o.thresholds);
    net_inspect_opts_from_conf(c, &o.inspect_opts);
    o.inspect_opts.sigs = s->sigs;
    o.inspect_opts.intel = s->core->intel.lists;
    net_live *l = net_live_start(&o, err, errn);
    if (!l) {
        log_error("capture: %s", err);
        free(ctx);
        return NULL;
    }
    log_info("capturing on %s%s%s", ctx->interface, c->net.bpf ? " with filter " : "", c->net.bpf ? c->net.bpf : "");
    *out = ctx;
    return l;
}

static void net_captures_start(net_module_state *s, const conf *c)
{
    net_inspect_start(s, c);
    s->live = kw_calloc(c->net.interfaces.n + 1, sizeof *s->live);
    s->ctx = kw_calloc(c->net.interfaces.n + 1, sizeof *s->ctx);
    s->nlive = 0;
    for (size_t i = 0; i < c->net.interfaces.n; i++) {
        char err[512];
        net_live *l = net_capture_open(s, c, c->net.interfaces.v[i], &s->ctx[s->nlive], err, sizeof err);
        if (l)
            s->live[s->nlive++] = l;
    }
}

/* Stops capture l and frees its context c. What is under way stays open (see
 * kw_core_detector_stopped) unless end: a drill's capture ends its attacks, no other comes. */
static void net_capture_close(net_module_state *s, net_live *l, net_ctx *c, bool end)
{
    if (end)
        net_live_finish(l);
    else
        net_live_stop(l);
    net_flush_acts(c, true); /* the thread is gone: wait for room now */
    http_shared_set_net(s->core->sh, c->interface, NULL);
    free(c);
}

static void net_captures_stop(net_module_state *s)
{
    for (size_t i = 0; i < s->nlive; i++)
        net_capture_close(s, s->live[i], s->ctx[i], false);
    free(s->live);
    free(s->ctx);
    s->live = NULL;
    s->ctx = NULL;
    s->nlive = 0;
    net_sig_set_free(s->sigs); /* the captures that read them are gone */
    s->sigs = NULL;
    /* the intelligence lists stay: the log sensor reads them too (the intel module frees them) */
}

/* ---- the drills' captures ---- */

/* kw_core.drill.capture_open: a capture on ifname (a drill's veth end, or an interface not in
 * net.interfaces) with the configured settings; one already open is KW_OK. */
static kw_rc net_drill_open(void *arg, const char *ifname, char *err, size_t n)
{
    net_module_state *s = arg;
    kw_rc rc = KW_OK;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->ndrill; i++)
        if (strcmp(s->drill_ctx[i]->interface, ifname) == 0)
            goto out;
    if (s->ndrill == NET_DRILL_MAX) {
        snprintf(err, n, "%d drill captures are open already", NET_DRILL_MAX);
        rc = KW_ERR_FULL;
        goto out;
    }
    net_live *l = net_capture_open(s, s->c, ifname, &s->drill_ctx[s->ndrill], err, n);
    if (!l) {
        rc = KW_ERR_IO;
        goto out;
    }
    s->drill_live[s->ndrill++] = l;
out:
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* kw_core.drill.capture_close: closes the drill's capture on ifname (none: nothing). */
static void net_drill_close(void *arg, const char *ifname)
{
    net_module_state *s = arg;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->ndrill; i++)
        if (strcmp(s->drill_ctx[i]->interface, ifname) == 0) {
            net_capture_close(s, s->drill_live[i], s->drill_ctx[i], true);
            s->ndrill--;
            s->drill_live[i] = s->drill_live[s->ndrill];
            s->drill_ctx[i] = s->drill_ctx[s->ndrill];
            log_info("capture on %s closed (the drill's replay is over)", ifname);
            break;
        }
    pthread_mutex_unlock(&s->mu);
}

/* Under mu: closes the drills' captures, their names into names (for net_drill_open_all). */
static size_t net_drill_close_all(net_module_state *s, char names[NET_DRILL_MAX][64])
{
    size_t n = s->ndrill;
    for (size_t i = 0; i < n; i++) {
        kw_strlcpy(names[i], s->drill_ctx[i]->interface, 64);
        net_capture_close(s, s->drill_live[i], s->drill_ctx[i], false); /* reopened, or the daemon stops */
    }
    s->ndrill = 0;
    return n;
}

/* Under mu: reopens them with the configuration c (after a reload's captures). */
static void net_drill_open_all(net_module_state *s, const conf *c, char names[NET_DRILL_MAX][64], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char err[512];
        net_live *l = net_capture_open(s, c, names[i], &s->drill_ctx[s->ndrill], err, sizeof err);
        if (l)
            s->drill_live[s->ndrill++] = l;
    }
}

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

/* A capture that cannot open is logged and left out: the daemon runs without it. */
static kw_rc net_module_start(kw_core *core, const conf *c, void **state)
{
    net_module_state *s = kw_calloc(1, sizeof *s);
    s->core = core;
    pthread_mutex_init(&s->mu, NULL);
    s->c = c;
    net_captures_start(s, c);
    pthread_mutex_lock(&core->drill.mu);
    core->drill.capture_open = net_drill_open;
    core->drill.capture_close = net_drill_close;
    core->drill.capture_arg = s;
    pthread_mutex_unlock(&core->drill.mu);
    *state = s;
    return KW_OK;
}

static void net_module_reload(void *state, const conf *old, const conf *next)
{
    net_module_state *s = state;
    pthread_mutex_lock(&s->mu);
    bool reopen = net_config_changed(old, next) && !s->core->dropped_privileges;
    if (net_config_changed(old, next) && !reopen)
        log_warn("reload: the net: section changed, but captures cannot be reopened after dropping privileges; "
                 "restart keepwatch to apply it");
    if (reopen) { /* the drills' captures first: they read the signatures too */
        char names[NET_DRILL_MAX][64];
        size_t n = net_drill_close_all(s, names);
        net_captures_stop(s);
        kw_core_detector_stopped(s->core, "net");
        net_captures_start(s, next);
        net_drill_open_all(s, next, names, n);
    }
    s->c = next; /* drills' captures opened from now on take its settings */
    pthread_mutex_unlock(&s->mu);
}

static void net_module_stop(void *state, int64_t budget_ms)
{
    net_module_state *s = state;
    pthread_mutex_lock(&s->core->drill.mu);
    s->core->drill.capture_open = NULL;
    s->core->drill.capture_close = NULL;
    s->core->drill.capture_arg = NULL;
    pthread_mutex_unlock(&s->core->drill.mu);
    pthread_mutex_lock(&s->mu);
    char names[NET_DRILL_MAX][64];
    net_drill_close_all(s, names);
    net_captures_stop(s);
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static const metric_desc *const net_module_metrics[] = {
    &m_net_pkts,  &m_net_bytes, &m_net_malformed, &m_net_notip, &m_net_kdrop, &m_net_ifdrop,
    &m_tgt_pkts,  &m_tgt_bytes, &m_tgt_pps,       &m_tgt_bps,   &m_tgt_base,  &m_insp_req,
    &m_insp_bad,  &m_insp_flow, &m_insp_active,   NULL,
};

const kw_module net_module = {
    .name = "net",
    .phase = KW_PHASE_ROOT,
    .start = net_module_start,
    .reload = net_module_reload,
    .stop = net_module_stop,
    .metrics = net_module_metrics,
    .routes = net_routes,
};
