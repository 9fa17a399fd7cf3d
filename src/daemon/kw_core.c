/* The helpers modules share through kw_core: handing events to the core, telling it of a
 * detector's restart, and the sleeping and stopping of sensor threads. */
#include "daemon/kw_core.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

void kw_core_push(kw_core *core, kw_event *ev)
{
    if (kw_queue_push(core->queue, ev) != KW_OK) {
        uint64_t n = atomic_load(&core->queue->dropped);
        if ((n & (n - 1)) == 0) /* log the 1st, 2nd, 4th, 8th... drop */
            log_warn("event queue full: %llu events dropped so far", (unsigned long long)n);
        kw_event_free(ev);
    }
}

bool kw_core_push_waiting(kw_core *core, kw_event *ev)
{
    for (int tries = 0; tries < 200; tries++) {
        if (kw_queue_push(core->queue, ev) == KW_OK)
            return true;
        usleep(10000);
    }
    return kw_queue_push(core->queue, ev) == KW_OK;
}

/* At shutdown there is nothing to do: the next start holds them all (alert_engine_restore). */
void kw_core_detector_stopped(kw_core *core, const char *source)
{
    kw_event *ev = kw_event_new(source, kw_now_ms());
    ev->detector_stopped = true;
    if (!kw_core_push_waiting(core, ev)) { /* the core is stuck; the alerts stay open until a person acts */
        log_error("the core took no word of the %s detector's restart for 2 s", source);
        kw_event_free(ev);
    }
}

/* ---- sensor groups ---- */

typedef struct kw_sensor_thread {
    pthread_t thread;
    void *arg;
    char label[160];
} kw_sensor_thread;

struct kw_sensors {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC */
    atomic_bool stop;
    size_t n, cap;
    kw_sensor_thread v[];
};

kw_sensors *kw_sensors_new(size_t cap)
{
    kw_sensors *g = kw_calloc(1, sizeof *g + (cap ? cap : 1) * sizeof g->v[0]);
    g->cap = cap;
    pthread_mutex_init(&g->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->cv, &ca);
    pthread_condattr_destroy(&ca);
    atomic_store(&g->stop, false);
    return g;
}

bool kw_sensors_spawn(kw_sensors *g, void *(*fn)(void *), void *arg, const char *label)
{
    if (g->n == g->cap) {
        free(arg);
        return false;
    }
    kw_sensor_thread *t = &g->v[g->n];
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 512 * 1024);
    bool ok = pthread_create(&t->thread, &at, fn, arg) == 0;
    pthread_attr_destroy(&at);
    if (!ok) {
        free(arg);
        return false;
    }
    t->arg = arg;
    kw_strlcpy(t->label, label, sizeof t->label);
    g->n++;
    return true;
}

bool kw_sensors_wait(kw_sensors *g, int64_t until)
{
    struct timespec ts = {.tv_sec = until / 1000, .tv_nsec = (until % 1000) * 1000000};
    pthread_mutex_lock(&g->mu);
    while (!atomic_load(&g->stop) && kw_mono_ms() < until)
        if (pthread_cond_timedwait(&g->cv, &g->mu, &ts) == ETIMEDOUT)
            break;
    bool go = !atomic_load(&g->stop);
    pthread_mutex_unlock(&g->mu);
    return go;
}

atomic_bool *kw_sensors_stopping(kw_sensors *g)
{
    return &g->stop;
}

/* The CLOCK_REALTIME time budget_ms from now, for pthread_timedjoin_np. */
static void deadline_in(int64_t budget_ms, struct timespec *dl)
{
    clock_gettime(CLOCK_REALTIME, dl);
    dl->tv_sec += budget_ms / 1000;
    dl->tv_nsec += (budget_ms % 1000) * 1000000;
    if (dl->tv_nsec >= 1000000000) {
        dl->tv_sec++;
        dl->tv_nsec -= 1000000000;
    }
}

bool kw_sensors_stop(kw_sensors *g, int64_t budget_ms, bool *leaked)
{
    if (!g)
        return true;
    pthread_mutex_lock(&g->mu);
    atomic_store(&g->stop, true);
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
    struct timespec dl;
    deadline_in(budget_ms, &dl);
    bool all = true;
    for (size_t i = 0; i < g->n; i++) {
        if (pthread_timedjoin_np(g->v[i].thread, NULL, &dl) != 0) {
            log_warn("%s did not stop in time; left running", g->v[i].label);
            pthread_detach(g->v[i].thread);
            all = false;
        }
    }
    if (!all) {
        *leaked = true;
        return false; /* the threads left behind still read g and their args */
    }
    for (size_t i = 0; i < g->n; i++)
        free(g->v[i].arg);
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
    return true;
}
