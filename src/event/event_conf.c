/* event_conf.c: the events: section of the configuration (the event log file and its queue). */
#include "event/event_conf.h"

static const cf_field events_fields[] = {
    F(conf, "enabled", CF_BOOL, events.enabled),
    F(conf, "path", CF_STR, events.path),
    F(conf, "max_size", CF_SIZE, events.max_size, 1 << 20, 1e12),
    F(conf, "keep", CF_INT, events.keep, 0, 1000),
    F(conf, "queue_size", CF_INT, events.queue_size, 16, 1 << 24),
    F(conf, "metric_interval", CF_DURATION, events.metric_interval_ms, 0, CF_DAY),
    {0},
};
const cf_section event_conf_section = {"events", 0, events_fields, NULL, NULL, NULL};
