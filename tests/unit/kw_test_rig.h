/* A kw_core of a test's own for starting modules without the daemon: queue, registry, HTTP
 * share, the intel and drill locks; no store, no engine. */
#ifndef KW_TEST_RIG_H
#define KW_TEST_RIG_H

#include <pthread.h>
#include <string.h>

#include "daemon/kw_core.h"
#include "event/event.h"
#include "http/http.h"
#include "metric/metric.h"

typedef struct kwt_rig {
    kw_queue queue;
    metric_registry registry;
    http_shared sh;
    kw_core core;
} kwt_rig;

static inline void kwt_rig_init(kwt_rig *r, size_t qcap)
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
    pthread_mutex_init(&r->core.drill.mu, NULL);
}

static inline void kwt_rig_free(kwt_rig *r)
{
    for (kw_event *ev; (ev = kw_queue_pop(&r->queue, 0)) != NULL;)
        kw_event_free(ev);
    kw_queue_destroy(&r->queue);
    http_shared_clear(&r->sh);
    metric_registry_destroy(&r->registry);
}

#endif
