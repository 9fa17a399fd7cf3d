/* The HTTP server: JSON API, Prometheus /metrics, the console's sign-in. libmicrohttpd with a
 * small thread pool; each server thread opens its own store handle. Everything but
 * /api/v1/health (which then says only "ok") and POST /api/v1/session (signing in) needs
 * `Authorization: Bearer TOKEN` or a console session cookie; with the cookie, every request
 * that changes something needs the session's X-CSRF-Token too. */
#ifndef HTTP_H
#define HTTP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/kw_err.h"
#include "metric/metric.h"

struct http_route;

/* What the daemon shares with the HTTP threads. */
typedef struct http_shared {
    metric_registry *metrics;
    pthread_mutex_t mu;          /* guards host */
    struct host_snapshot *host;  /* the latest host reading, the core's: read only under mu */
    char *logs;                  /* the log sensor's latest state (JSON), under mu */
    struct {                     /* each capture interface's latest talkers (JSON), under mu */
        char ifname[32];
        char *json;
    } net[16];
    const char *store_path;
    pthread_rwlock_t cfg_lock;   /* guards cfg: the daemon swaps it on reload under the write lock */
    const struct conf *cfg;
    char token[65];
    int64_t started_ms;
    atomic_int_fast64_t alerts_firing, alerts_acked;
    atomic_bool ready;         /* every module started: health answers "ok", not "starting" */
    const struct http_route *const *routes; /* the modules' routes (NULL-terminated tables of
                                               NULL-terminated routes), set before the server starts */
    struct {                     /* several servers on one store (daemon_lead.c), under mu */
        bool shared;             /* the store is PostgreSQL: there may be others */
        bool leads;
        char server[64], leader[64];
        int64_t since_ms;
    } lead;
} http_shared;

typedef struct http_server http_server;

/* ---- routes a module serves (kw_module.routes; handlers in src/X/X_api.c) ---- */

struct MHD_Connection;
struct http_req;

/* A request, as a module's handler gets it: answer it with http_reply.h (http_json,
 * http_error, http_body_object...) and return what they return. */
typedef struct http_call {
    http_server *server;
    struct MHD_Connection *conn;
    http_shared *sh;
    const char *url, *method;
    struct http_req *req;        /* its body; who asks (authenticated, CSRF checked) */
} http_call;

typedef int (*http_route_fn)(const http_call *call); /* an enum MHD_Result */

typedef struct http_route {
    const char *path;            /* the exact path, e.g. "/api/v1/net"; one ending in / takes every path under it */
    const char *methods;         /* those it takes, e.g. "GET" or "GET POST"; others get 405 */
    http_route_fn fn;
} http_route;

typedef struct http_opts {
    const char *listen;          /* "127.0.0.1:8787", "[::1]:8787" */
    int threads;
    uint64_t max_body;
    const char *tls_cert, *tls_key; /* PEM files: HTTPS (and Secure cookies) when both are set */
    int64_t session_idle_ms, session_max_ms;
    bool close_each;             /* end every connection after one answer (the fuzz target) */
    unsigned timeout_s;          /* an idle connection is closed after this (0: 30 s) */
} http_opts;

/* Starts listening. NULL on error with err set. */
http_server *http_start(const http_opts *o, http_shared *sh, char *err, size_t errn);
void http_stop(http_server *s);

/* Publishes the core's latest host reading; returns the previous one, which the caller may
 * free now (no HTTP thread can still be reading it). */
struct host_snapshot *http_shared_swap_host(http_shared *sh, struct host_snapshot *host);

/* Publishes a new configuration (after a reload); returns once no HTTP thread reads the old. */
void http_shared_set_conf(http_shared *sh, const struct conf *c);

/* Publishes the log sensor's state (JSON, owned by sh from now on; NULL clears it). */
void http_shared_set_logs(http_shared *sh, char *json);

/* Publishes an interface's talkers (JSON, owned by sh from now on; NULL removes it). */
void http_shared_set_net(http_shared *sh, const char *ifname, char *json);
/* Frees what http_shared holds for the sensors (at exit). */
void http_shared_clear(http_shared *sh);

/* Parses "host:port" / "[v6]:port" into a socket address; false if it is not one. */
struct sockaddr_storage;
int http_parse_listen(const char *listen, struct sockaddr_storage *ss, unsigned *len);

/* http_module.c: the daemon's module, the API server. */
struct kw_module;
extern const struct kw_module http_module;

#endif
