/* The HTTP server: JSON API, Prometheus /metrics. libmicrohttpd with a small thread pool;
 * each server thread opens its own store handle. Everything but /api/v1/health and /metrics
 * needs `Authorization: Bearer TOKEN`. */
#ifndef HTTP_H
#define HTTP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/kw_err.h"
#include "metric/metric.h"

/* What the daemon shares with the HTTP threads. */
typedef struct http_shared {
    metric_registry *metrics;
    pthread_mutex_t mu;          /* guards host */
    struct host_snapshot *host;  /* the latest host reading, the core's: read only under mu */
    char *logs;                  /* the log sensor's latest state (JSON), under mu */
    const char *store_path;
    char token[65];
    int64_t started_ms;
    atomic_int_fast64_t alerts_firing, alerts_acked;
} http_shared;

typedef struct http_server http_server;

/* Starts listening on listen ("127.0.0.1:8787", "[::1]:8787"). NULL on error with err set. */
http_server *http_start(const char *listen, int threads, uint64_t max_body, http_shared *sh, char *err,
                        size_t errn);
void http_stop(http_server *s);

/* Publishes the core's latest host reading; returns the previous one, which the caller may
 * free now (no HTTP thread can still be reading it). */
struct host_snapshot *http_shared_swap_host(http_shared *sh, struct host_snapshot *host);

/* Publishes the log sensor's state (JSON, owned by sh from now on; NULL clears it). */
void http_shared_set_logs(http_shared *sh, char *json);

/* Parses "host:port" / "[v6]:port" into a socket address; false if it is not one. */
struct sockaddr_storage;
int http_parse_listen(const char *listen, struct sockaddr_storage *ss, unsigned *len);

#endif
