/* The daemon's module table and the context modules share (src/daemon/kw_core.c): the table's
 * order and metric names, the event hand-over, sensor groups that stop (or are left behind),
 * and real modules (check, host, intel, duty) started, ticked, reloaded and stopped on a
 * kw_core built here, without the daemon. */
#include "kw_test.h"

#include "conf/conf.h"
#include "core/kw_time.h"
#include "daemon/daemon_modules.h"
#include "core/kw_sched.h"
#include "intel/intel.h"
#include "report/report_files_api.h"

#include <ctype.h>
#include <stdlib.h>
#include <unistd.h>

static conf *load(const char *yaml)
{
    conf *c = NULL;
    conf_errors errs = {0};
    if (conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, &errs) != KW_OK)
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "  %s\n", errs.v[i]);
    conf_errors_free(&errs);
    return c;
}

static const kw_module *find(const char *name)
{
    for (size_t i = 0; i < daemon_nmodules; i++)
        if (strcmp(daemon_modules[i]->name, name) == 0)
            return daemon_modules[i];
    return NULL;
}

static size_t place(const char *name)
{
    for (size_t i = 0; i < daemon_nmodules; i++)
        if (strcmp(daemon_modules[i]->name, name) == 0)
            return i;
    return (size_t)-1;
}

/* A kw_core of its own: queue, registry, HTTP share; no store, no engine. */
typedef struct rig {
    kw_queue queue;
    metric_registry registry;
    http_shared sh;
    kw_core core;
} rig;

static void rig_init(rig *r, size_t qcap)
{
    memset(r, 0, sizeof *r);
    kw_queue_init(&r->queue, qcap);
    metric_registry_init(&r->registry);
    pthread_mutex_init(&r->sh.mu, NULL);
    pthread_rwlock_init(&r->sh.cfg_lock, NULL);
    r->sh.metrics = &r->registry;
    r->core.queue = &r->queue;
    r->core.registry = &r->registry;
    r->core.sh = &r->sh;
    pthread_mutex_init(&r->core.intel.mu, NULL);
}

static void rig_drain(rig *r)
{
    for (kw_event *ev; (ev = kw_queue_pop(&r->queue, 0)) != NULL;)
        kw_event_free(ev);
}

static void rig_free(rig *r)
{
    rig_drain(r);
    kw_queue_destroy(&r->queue);
    http_shared_clear(&r->sh);
    metric_registry_destroy(&r->registry);
}

/* Waits up to ms for an event from source; true if one came (the others are dropped). */
static bool wait_source(rig *r, const char *source, int64_t ms)
{
    int64_t end = kw_mono_ms() + ms;
    while (kw_mono_ms() < end) {
        kw_event *ev = kw_queue_pop(&r->queue, 50);
        bool hit = ev && strcmp(ev->source, source) == 0;
        kw_event_free(ev);
        if (hit)
            return true;
    }
    return false;
}

static void test_table_order(void)
{
    CHECK(daemon_nmodules >= 8);
    for (size_t i = 0; i < daemon_nmodules; i++) {
        const kw_module *m = daemon_modules[i];
        CHECK(m->name && m->name[0]);
        CHECK(m->start != NULL);
        CHECK(m->stop != NULL);
        CHECK((m->migrations != NULL) == (m->nmigrations > 0));
        for (const http_route *r = m->routes; r && r->path; r++) { /* its routes: under the API, taken once */
            CHECK(strncmp(r->path, "/api/v1/", 8) == 0);
            CHECK(r->methods && r->methods[0] && r->fn);
            for (size_t j = 0; j < daemon_nmodules; j++)
                for (const http_route *o = daemon_modules[j]->routes; o && o->path; o++)
                    CHECK(o == r || strcmp(o->path, r->path) != 0);
        }
        if (i > 0)
            CHECK(daemon_modules[i - 1]->phase <= m->phase); /* the daemon starts them phase by phase */
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(daemon_modules[j]->name, m->name) != 0);
    }
    const char *const names[] = {"duty", "http", "intel", "net", "logs", "notify", "host", "check", "agent"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CHECK(find(names[i]) != NULL);
    CHECK_INT(find("duty")->phase, KW_PHASE_STORE);
    CHECK(find("net")->routes && strcmp(find("net")->routes[0].path, "/api/v1/net") == 0);
    CHECK(find("logs")->routes && strcmp(find("logs")->routes[0].path, "/api/v1/logs") == 0);
    CHECK_INT(find("http")->phase, KW_PHASE_ROOT);
    CHECK_INT(find("net")->phase, KW_PHASE_ROOT);
    CHECK_INT(find("logs")->phase, KW_PHASE_ROOT);
    CHECK_INT(find("check")->phase, KW_PHASE_USER);
    /* the lists the captures and the log sensor share outlive both (stop is in reverse) */
    CHECK(place("intel") < place("net"));
    CHECK(place("intel") < place("logs"));
    CHECK(place("notify") < place("check"));
}

/* Prometheus names: [a-zA-Z_:][a-zA-Z0-9_:]*, each declared once. */
static bool metric_name_ok(const char *s)
{
    if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

static void test_table_metrics(void)
{
    const char *seen[128];
    size_t n = 0;
    for (size_t i = 0; i < daemon_nmodules; i++) {
        const metric_desc *const *ms = daemon_modules[i]->metrics;
        for (size_t k = 0; ms && ms[k]; k++) {
            CHECK(metric_name_ok(ms[k]->name));
            CHECK(ms[k]->help && ms[k]->help[0]);
            for (size_t j = 0; j < n; j++)
                CHECK(strcmp(seen[j], ms[k]->name) != 0);
            if (n < sizeof seen / sizeof seen[0])
                seen[n++] = ms[k]->name;
        }
    }
    CHECK(n >= 15); /* the captures' counters, their targets' rates, the inspection's */
}

static void test_push_counts_drops(void)
{
    rig r;
    rig_init(&r, 2);
    kw_core_push(&r.core, kw_event_new("a", 1));
    kw_core_push(&r.core, kw_event_new("b", 2));
    kw_core_push(&r.core, kw_event_new("c", 3)); /* full: freed (ASan sees a leak if not) */
    CHECK_INT(kw_queue_len(&r.queue), 2);
    CHECK_INT(atomic_load(&r.queue.dropped), 1);
    kw_event *ev = kw_queue_pop(&r.queue, 0);
    CHECK_STR(ev ? ev->source : NULL, "a");
    kw_event_free(ev);
    kw_core_detector_stopped(&r.core, "net");
    kw_event_free(kw_queue_pop(&r.queue, 0)); /* "b" */
    ev = kw_queue_pop(&r.queue, 0);
    CHECK(ev && ev->detector_stopped);
    CHECK_STR(ev ? ev->source : NULL, "net");
    kw_event_free(ev);
    rig_free(&r);
}

static void *sleeper(void *arg)
{
    usleep(400 * 1000); /* ignores the group: stands for a resolver hung in getaddrinfo */
    return NULL;
}

static void *waiter(void *arg)
{
    kw_sensors *g = *(kw_sensors **)arg;
    while (kw_sensors_wait(g, kw_mono_ms() + 60000))
        ;
    return NULL;
}

static kw_sensors *left_behind; /* reachable: the group a lost thread still reads */

static void test_sensor_groups(void)
{
    kw_sensors *g = kw_sensors_new(2);
    for (int i = 0; i < 2; i++) {
        kw_sensors **arg = malloc(sizeof *arg);
        *arg = g;
        CHECK(kw_sensors_spawn(g, waiter, arg, "waiter"));
    }
    kw_sensors **extra = malloc(sizeof *extra);
    *extra = g;
    CHECK(!kw_sensors_spawn(g, waiter, extra, "one too many")); /* freed by the group */
    int64_t t0 = kw_mono_ms();
    bool leaked = false;
    CHECK(kw_sensors_stop(g, 1000, &leaked)); /* woken at once, not after their 60 s */
    CHECK(kw_mono_ms() - t0 < 500);
    CHECK(!leaked);
    CHECK(kw_sensors_stop(NULL, 0, &leaked));
    CHECK(!leaked);

    left_behind = kw_sensors_new(1);
    CHECK(kw_sensors_spawn(left_behind, sleeper, malloc(1), "check slow"));
    t0 = kw_mono_ms();
    CHECK(!kw_sensors_stop(left_behind, 50, &leaked)); /* logged "check slow did not stop in time" */
    CHECK(kw_mono_ms() - t0 < 300);
    CHECK(leaked);
    usleep(500 * 1000); /* let it end before the process does */
}

static void test_check_module(void)
{
    rig r;
    rig_init(&r, 64);
    /* a port nothing listens on: the check is down at once */
    conf *c = load("checks:\n"
                   "  - {name: gone, type: tcp, host: 127.0.0.1, port: 1, interval: 1s}\n"
                   "  - {name: kept, type: tcp, host: 127.0.0.1, port: 1, interval: 1s}\n");
    conf *n = load("checks:\n  - {name: kept, type: tcp, host: 127.0.0.1, port: 1, interval: 1s}\n");
    CHECK(c && n);
    if (!c || !n)
        return;
    const kw_module *m = find("check");
    void *st = NULL;
    CHECK_INT(m->start(&r.core, c, &st), KW_OK);
    CHECK(wait_source(&r, "check:gone", 3000));
    static const metric_desc up = {"test_up", "A test series.", METRIC_GAUGE, false};
    const char *const checks[] = {"gone", "kept"};
    for (int i = 0; i < 2; i++) {
        char source[32];
        snprintf(source, sizeof source, "check:%s", checks[i]);
        metric_set *ms = metric_set_new(kw_now_ms());
        metric_add(ms, &up, 1, "check", checks[i], NULL);
        metric_registry_put(&r.registry, source, ms);
    }
    m->reload(st, c, n); /* the series of the check that is gone leave */
    kw_buf b;
    kw_buf_init(&b, 0);
    metric_registry_render(&r.registry, &b);
    CHECK_CONTAINS(b.data, "check=\"kept\"");
    CHECK(!strstr(b.data, "check=\"gone\""));
    kw_buf_free(&b);
    rig_drain(&r);
    CHECK(wait_source(&r, "check:kept", 3000));
    CHECK(!wait_source(&r, "check:gone", 1500));
    m->stop(st, 1500);
    CHECK(!r.core.leaked);
    rig_drain(&r);
    CHECK(!wait_source(&r, "check:kept", 1200)); /* stopped means stopped */
    conf_free(c);
    conf_free(n);
    rig_free(&r);
}

/* A job asked for between the start and the core's first tick: a lone server leads from its
 * start, so it is taken (the CI run of 2026-12-03 answered 409 "does not lead" here, from a
 * leadership cached at the module's tick). The run itself waits for the tick. */
static void test_report_asked_before_the_first_tick(void)
{
    rig r;
    rig_init(&r, 16);
    r.core.sched = kw_sched_new();
    conf *c = load("report: {daily_at: '08:30'}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    const kw_module *m = find("report");
    void *st = NULL;
    atomic_store(&r.core.lead_epoch, 1);
    CHECK_INT(m->start(&r.core, c, &st), KW_OK);
    CHECK_INT(report_module_request("daily", 5), HTTP_JOB_REQUESTED);
    CHECK_INT(report_module_request("weekly", 6), HTTP_JOB_UNKNOWN);
    atomic_store(&r.core.lead_epoch, 0); /* another server took the lead */
    CHECK_INT(report_module_request("daily", 5), HTTP_JOB_NOT_LEADER);
    m->stop(st, 1000);
    kw_sched_free(r.core.sched);
    conf_free(c);
    rig_free(&r);
}

static void test_host_module(void)
{
    rig r;
    rig_init(&r, 64);
    conf *on = load("host: {interval: 1s}\n"), *off = load("host: {enabled: false}\n");
    CHECK(on && off);
    if (!on || !off)
        return;
    const kw_module *m = find("host");
    void *st = NULL;
    CHECK_INT(m->start(&r.core, on, &st), KW_OK);
    CHECK(wait_source(&r, "host", 3000));
    m->reload(st, on, off);
    rig_drain(&r);
    CHECK(!wait_source(&r, "host", 1500));
    m->reload(st, off, on);
    CHECK(wait_source(&r, "host", 3000));
    m->stop(st, 1500);
    CHECK(!r.core.leaked);
    conf_free(on);
    conf_free(off);
    rig_free(&r);
}

/* The lists are read when a sensor first asks, shared after, re-pointed by a reload, freed by stop. */
static void test_intel_module(void)
{
    rig r;
    rig_init(&r, 4);
    char y1[512], y2[512];
    snprintf(y1, sizeof y1, "intel: {reload_interval: 1s, files: [%s/intel/drop.txt]}\n", KW_TEST_DATA);
    snprintf(y2, sizeof y2, "intel: {reload_interval: 2s, files: [%s/intel/drop.txt, %s/intel/hosts.txt]}\n",
             KW_TEST_DATA, KW_TEST_DATA);
    conf *none = load("host: {enabled: false}\n"), *c = load(y1), *n = load(y2);
    CHECK(none && c && n);
    if (!none || !c || !n)
        return;
    const kw_module *m = find("intel");
    void *st = NULL;
    CHECK_INT(m->start(&r.core, c, &st), KW_OK);
    CHECK(r.core.intel.lists == NULL); /* nobody asked yet */
    CHECK(intel_module_share(&r.core, none) == NULL);
    intel *h = intel_module_share(&r.core, c);
    CHECK(h != NULL);
    CHECK(intel_module_share(&r.core, c) == h);
    CHECK_INT(r.core.intel.interval_ms, 1000);
    uint64_t gen = h ? intel_generation(h) : 0;
    m->reload(st, c, n);
    CHECK_INT(r.core.intel.interval_ms, 2000);
    alert_acts acts = {0};
    r.core.intel.next_ms = 0; /* due */
    m->tick(st, kw_now_ms(), &acts);
    CHECK(h && intel_generation(h) > gen); /* the reconfigured files were read */
    CHECK_INT(acts.n, 0);
    m->stop(st, 0);
    CHECK(r.core.intel.lists == NULL);
    conf_free(none);
    conf_free(c);
    conf_free(n);
    rig_free(&r);
}

int main(void)
{
    RUN(test_table_order);
    RUN(test_table_metrics);
    RUN(test_push_counts_drops);
    RUN(test_sensor_groups);
    RUN(test_check_module);
    RUN(test_report_asked_before_the_first_tick);
    RUN(test_host_module);
    RUN(test_intel_module);
    TEST_MAIN_END();
}
