/* Metric samples: a described name, up to four labels and a value. Sensors fill a
 * metric_set per collection; rules read it; the registry renders the latest set of every
 * source as Prometheus text at /metrics (names gain the keepwatch_ prefix there). */
#ifndef METRIC_H
#define METRIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/kw_arena.h"
#include "core/kw_buf.h"

#define METRIC_PREFIX "keepwatch_"
#define METRIC_MAX_LABELS 4

typedef enum { METRIC_GAUGE, METRIC_COUNTER } metric_type;

typedef struct metric_desc {
    const char *name;   /* without the keepwatch_ prefix */
    const char *help;
    metric_type type;
    bool history;       /* kept in the store's history */
} metric_desc;

typedef struct metric_sample {
    const metric_desc *desc;
    uint8_t nlabels;
    const char *lk[METRIC_MAX_LABELS]; /* static strings */
    const char *lv[METRIC_MAX_LABELS]; /* in the set's arena */
    double value;
    const char *note;   /* optional human context (e.g. a check's error), in the arena */
} metric_sample;

typedef struct metric_set {
    metric_sample *v;
    size_t n, cap;
    int64_t ts_ms;
    kw_arena arena;
} metric_set;

metric_set *metric_set_new(int64_t ts_ms);
void metric_set_free(metric_set *s);
/* Adds a sample; the variadic part is label key/value pairs ending with NULL. Values are
 * copied. Returns the sample (valid until the next add). */
metric_sample *metric_add(metric_set *s, const metric_desc *d, double value, ...);
const char *metric_label(const metric_sample *m, const char *key);
/* Writes "name{k=\"v\",...}" (Prometheus label escaping), without prefix. */
void metric_sample_id(const metric_sample *m, kw_buf *out);

/* The latest set of each source, for /metrics. Thread-safe. */
typedef struct metric_registry {
    pthread_mutex_t mu;
    struct {
        char *source;
        metric_set *set;
    } *slots;
    size_t n, cap;
} metric_registry;

void metric_registry_init(metric_registry *r);
void metric_registry_destroy(metric_registry *r);
/* Takes ownership of set (NULL removes the source). */
void metric_registry_put(metric_registry *r, const char *source, metric_set *set);
/* Removes every source whose name starts with prefix and is not in keep[nkeep]. */
void metric_registry_prune(metric_registry *r, const char *prefix, char *const *keep, size_t nkeep);
/* Calls fn, under the registry's lock, with every latest sample of the metric `name` (without
 * prefix) from every source. fn must not call back into the registry. */
void metric_registry_each(metric_registry *r, const char *name, void (*fn)(void *arg, const metric_sample *m),
                          void *arg);
/* Prometheus text exposition format 0.0.4 of every source, families grouped. */
void metric_registry_render(metric_registry *r, kw_buf *out);
/* Renders sets[nsets] (for callers that hold their own sets). */
void metric_render_prom(metric_set *const *sets, size_t nsets, kw_buf *out);

#endif
