/* What a sensor hands the core: one reading from one source. The core owns it once pushed. */
#ifndef EVENT_H
#define EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kw_buf.h"
#include "core/kw_err.h"

struct metric_set;
struct host_snapshot;
struct alert_acts;

/* Where an input stopped reading: a file by path, device and inode, or a cursor (journal). */
typedef struct kw_offset {
    char *key;                     /* owned */
    uint64_t dev, ino;
    int64_t offset;
    char *cursor;                  /* owned, may be NULL */
} kw_offset;

typedef struct kw_offsets {
    kw_offset *v;
    size_t n, cap;
} kw_offsets;

void kw_offsets_add(kw_offsets *o, const char *key, uint64_t dev, uint64_t ino, int64_t offset, const char *cursor);
void kw_offsets_free(kw_offsets *o);

typedef struct kw_event {
    char source[160];              /* "host", "check:web": the metrics' slot in /metrics */
    int64_t ts_ms;
    struct metric_set *metrics;    /* owned, may be NULL */
    char *ecs;                     /* owned ECS JSON document(s) (lines joined by '\n', none at the end), may be NULL */
    struct host_snapshot *host;    /* owned, may be NULL */
    struct alert_acts *acts;       /* owned: alert changes a detector decided (net, logs), may be NULL */
    kw_offsets *offsets;           /* owned: input positions to persist (logs), may be NULL */
    bool detector_stopped;         /* the detector `source` restarted: hold its open alerts */
} kw_event;

kw_event *kw_event_new(const char *source, int64_t ts_ms);
void kw_event_free(kw_event *ev);

/* The ECS JSON-lines log (var/events.jsonl), rotated by size: events.jsonl.1 .. .N.
 * Lines are written with write(2), so what was written survives the process being killed. */
typedef struct event_log event_log;

/* Opens (appending) path. NULL on error, with err set. keep = how many rotated files. */
event_log *event_log_open(const char *path, uint64_t max_size, int keep, char *err, size_t errn);
void event_log_close(event_log *l);
/* Appends buf, which holds whole lines each ending in '\n'; rotates first if it would pass
 * max_size. */
kw_rc event_log_write(event_log *l, const char *buf, size_t len);
uint64_t event_log_lines(const event_log *l);

#endif
