/* Security-device watch: what the logs say about the devices themselves.
 *
 *  - rule_hit_surge: per device and firewall rule, hits of deny rules per minute against a
 *    learned baseline (an exponentially weighted mean of the minutes that were not a surge);
 *    a rule firing far above it (logs.surge_factor times, and logs.surge_min per minute) is
 *    someone trying to get through. Checked every second over the last 60 s.
 *  - device_silent: a device of logs.devices that sends nothing for its heartbeat.
 *  - signatures_stale: an IDS or antivirus rule library older than its max_age, from the
 *    newest file of a glob, a date read from the file with a pattern, or freshclam's log
 *    lines (the last successful update or check).
 *
 * Detections come out as log_detection, like the rules' (log_rule.h). No I/O except reading
 * the signature files' times and heads, once a minute. */
#ifndef LOGS_WATCH_H
#define LOGS_WATCH_H

#include "conf/conf.h"
#include "core/kw_json.h"
#include "logs/logs.h"
#include "logs/logs_rule.h"

typedef struct log_watch log_watch;

/* NULL with err set if a device's conditions do not compile. now_ms starts the learning. */
log_watch *log_watch_new(const conf *c, int64_t now_ms, log_det_fn fn, void *arg, char *err, size_t errn);
void log_watch_free(log_watch *w);
/* A parsed line at time now_ms. */
void log_watch_line(log_watch *w, const log_rec *r, int64_t now_ms);
/* Call about once a second: surges, silent devices, and (each minute) signature ages. */
void log_watch_tick(log_watch *w, int64_t now_ms);
/* Devices, their rules' hit counts and baselines, and signature ages, as JSON members. */
void log_watch_json(const log_watch *w, kw_json *j);
/* Counts for /metrics: calls fn per device (lines) and per device rule (hits). */
typedef struct log_watch_count {
    const char *device, *rule;     /* rule NULL: the device's line count */
    uint64_t count;
    double baseline_per_min;
} log_watch_count;
void log_watch_each(const log_watch *w, void (*fn)(void *, const log_watch_count *), void *arg);

#endif
