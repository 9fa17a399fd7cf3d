/* The log sensor in the daemon: one thread that reads every log input (files tailed with
 * inotify, syslog over UDP and TCP, the systemd journal), parses each line, runs the log
 * rules and the device watch, and hands the core what came of it: alert changes (never
 * dropped: the thread waits for room), batches of ECS lines for the event log, metrics, and
 * the positions reached in each input (persisted by the core, so a restart resumes there).
 *
 * Files: globs, rescanned every 10 s and on directory events. A file renamed away (logrotate's
 * default) is read to its end before it is let go, and the new file at the path is read from
 * its start: nothing is lost or read twice. A file truncated in place (copytruncate) is read
 * again from its start; lines written between keepwatch's last read and the truncation are
 * lost, as with every tailer (they are in the copy). A file first seen at start-up is read
 * from its end unless `from_beginning`, or from where keepwatch stopped if it knows the file
 * (same device and inode), even if it was renamed meanwhile (it is looked for beside the path).
 *
 * Syslog: UDP (one message per datagram, or several lines), TCP with newline or RFC 6587
 * octet-counted framing, detected per connection. Memory is bounded: logs.max_connections
 * connections of at most logs.max_line buffered each; UDP overflow is the kernel's socket
 * buffer, whose drops are counted (SO_MEMINFO). */
#ifndef LOGS_SENSOR_H
#define LOGS_SENSOR_H

#include <stdbool.h>

#include "conf/conf.h"
#include "event/event.h"
#include "http/http.h"

typedef struct log_sensor_hooks {
    /* Hands an event to the core; false if the queue is full (the event stays the caller's). */
    bool (*push)(void *arg, kw_event *ev);
    /* Publishes the sensor's state for the API (JSON object); takes ownership. */
    void (*publish)(void *arg, char *json);
    void *arg;
    /* The threat-intelligence lists lines are looked up in (intel_match detections), or NULL.
     * Not owned: the caller keeps it until log_sensor_stop returns and reloads it itself. */
    struct intel *intel;
} log_sensor_hooks;

typedef struct log_sensor log_sensor;

/* Opens the inputs of c->logs and starts the thread. saved: positions from the store (or
 * from a sensor stopped on reload), may be NULL. NULL with err set when an input cannot be
 * opened (a port in use, a bad address) or a rule does not compile. Nothing of c is kept. */
log_sensor *log_sensor_start(const conf *c, const log_sensor_hooks *h, const kw_offsets *saved, char *err,
                             size_t errn);
/* Reads what is left, hands the core its last events and stops. Detections under way are
 * not ended: their alerts stay open for the next run to report again (alert_engine_hold).
 * The positions reached are added to out (if not NULL). */
void log_sensor_stop(log_sensor *s, kw_offsets *out);
/* True when c has any log input (else the daemon need not start a sensor). */
bool log_sensor_wanted(const conf *c);

/* logs_module.c: the daemon's module, the log sensor. */
struct kw_module;
/* Its routes: GET /api/v1/logs (logs_api.c). */
extern const http_route logs_routes[];
extern const struct kw_module logs_module;

#endif
