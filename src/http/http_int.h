/* Inside the HTTP server: what its files (http.c: the server and routing; http_reply.c: the
 * responses, below both router and handlers; http_session.c: who is asking; http_api.c:
 * alerts and sensors; http_desk.c: the console's data; http_stream.c: live updates) share.
 * Not for the rest of keepwatch. */
#ifndef HTTP_INT_H
#define HTTP_INT_H

#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "http/http.h"
#include "http/http_auth.h"
#include "store/store.h"

#include <microhttpd.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

struct http_stream_hub;
typedef struct http_slow http_slow;

struct http_server {
    struct MHD_Daemon *mhd;
    http_shared *sh;
    uint64_t max_body;
    pthread_key_t thread_key;  /* each server thread's http_thread */
    bool tls;
    int64_t idle_ms, max_ms;
    auth_limiter *limiter;
    char *cert, *key;          /* PEM, for the TLS library */
    struct http_stream_hub *hub;
    pthread_mutex_t tok_mu;    /* guards token and what was seen of its file */
    char token[65];            /* the admin's bootstrap token in force (rotated: the file's) */
    ino_t tok_ino;
    struct timespec tok_mtime;
    http_slow *slow;           /* closes connections whose request trickles in too slowly */
    pthread_mutex_t warn_mu;   /* guards the rate limit on libmicrohttpd's warnings */
    int64_t warn_ms;
    unsigned warn_held;
};

/* Who is asking: a bearer token (the admin's bootstrap token or a user's own token: the
 * user's role, no CSRF: no browser sends it on its own), or a console session. */
typedef struct principal {
    bool ok, token;
    const char *why;           /* not ok: why (a static string), or NULL when nothing was sent */
    store_user user;
    char csrf[65];
    char sid_hash[65];
} principal;

/* One request's state: its body, read in pieces. */
typedef struct http_req {
    kw_buf body;
    bool too_large;
    principal p;               /* who is asking: found with the headers */
} http_req;

/* ---- http_slow.c ---- */

/* Starts the thread that shuts down connections whose request is not whole deadline_ms after
 * it began. */
http_slow *http_slow_start(int64_t deadline_ms);
void http_slow_stop(http_slow *w);
/* MHD_OPTION_NOTIFY_CONNECTION, with the server as cls. */
void http_slow_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);
/* The request is whole (the handler answers it): no deadline until the next begins. */
void http_slow_answered(http_slow *w, struct MHD_Connection *c);
/* A request ended: the next one on the connection has the deadline from now. */
void http_slow_next(http_slow *w, struct MHD_Connection *c);

/* ---- http_session.c ---- */

void http_who(http_server *s, struct MHD_Connection *c, principal *p);
/* Where the admin's bootstrap token lives (state_dir/api.token). */
void http_token_path(http_server *s, char *out, size_t n);
/* 401 naming why and where a valid token comes from. */
enum MHD_Result http_unauthorized(http_server *s, struct MHD_Connection *c, const principal *p);
bool http_csrf_ok(http_server *s, struct MHD_Connection *c, const principal *p);
void http_client_address(struct MHD_Connection *c, char *out, size_t n);
void http_json_user(kw_json *j, const store_user *u);
enum MHD_Result http_session_reply(struct MHD_Connection *c, const principal *p, const char *cookie_hdr);
enum MHD_Result api_sign_in(http_server *s, struct MHD_Connection *c, http_req *req);
enum MHD_Result api_sign_out(http_server *s, struct MHD_Connection *c, const principal *p);

/* ---- http_api.c ---- */

/* Is name a person of the configuration (people:) or a user? If not, why (for a 400). */
bool http_person_known(http_server *s, kw_store *st, const char *name, char *why, size_t n);

enum MHD_Result api_health(http_server *s, struct MHD_Connection *c, bool details);
enum MHD_Result api_metrics(http_server *s, struct MHD_Connection *c);
enum MHD_Result api_host(http_server *s, struct MHD_Connection *c);
enum MHD_Result api_alert_list(http_server *s, struct MHD_Connection *c);
enum MHD_Result api_alert_get(http_server *s, struct MHD_Connection *c, int64_t id, unsigned status);
enum MHD_Result api_alert_act(http_server *s, struct MHD_Connection *c, int64_t id, bool ack, http_req *req,
                              const principal *p);
enum MHD_Result api_alert_assign(http_server *s, struct MHD_Connection *c, int64_t id, http_req *req,
                                 const principal *p);
enum MHD_Result api_alert_comment(http_server *s, struct MHD_Connection *c, int64_t id, http_req *req,
                                  const principal *p);

enum MHD_Result api_group_alerts(http_server *s, struct MHD_Connection *c, int64_t group_id);

/* ---- http_stream.c ---- */

/* Starts the live-update hub (its thread watches the store and the metrics). */
struct http_stream_hub *http_stream_start(http_shared *sh, int64_t idle_ms, int64_t max_ms);
/* Ends every stream and the hub's thread: before MHD_stop_daemon (no connection may stay
 * suspended then). */
void http_stream_end(struct http_stream_hub *h);
/* After MHD_stop_daemon. */
void http_stream_free(struct http_stream_hub *h);
/* GET /api/v1/stream: server-sent events. */
enum MHD_Result api_stream(http_server *s, struct MHD_Connection *c, const principal *p);
/* Ends the streams of a session (signed out). */
void http_stream_drop_session(struct http_stream_hub *h, const char *sid_hash);

/* ---- http_desk.c ---- */

enum MHD_Result api_overview(http_server *s, struct MHD_Connection *c, const principal *p);
enum MHD_Result api_duty(http_server *s, struct MHD_Connection *c);
enum MHD_Result api_duty_note(http_server *s, struct MHD_Connection *c, http_req *req, const principal *p);
enum MHD_Result api_duty_handover(http_server *s, struct MHD_Connection *c, http_req *req, const principal *p);
enum MHD_Result api_oncall(http_server *s, struct MHD_Connection *c);
enum MHD_Result api_series(http_server *s, struct MHD_Connection *c);

/* ---- http_triage.c ---- */

/* Whether url is one of triage's: /api/v1/alert-groups..., /api/v1/silences...,
 * /api/v1/alerts/ID/notifications, /api/v1/console. */
bool http_triage_owns(const char *url);
enum MHD_Result http_triage_route(http_server *s, struct MHD_Connection *c, const char *url, const char *method,
                                  http_req *req, const principal *p);

/* ---- src/agent/agent_http.c: what agents call; they authenticate themselves (an
 * enrolment token, then their credential), so the router hands them on before a session or
 * token is looked for ---- */

/* Whether url is one of the agents' (/api/v1/agent/...). */
bool agent_http_owns(const char *url);
/* GET /api/v1/agents (for a person, authenticated as any other request): every agent, its
 * state and last report, whether agent_silent is open for it. */
enum MHD_Result agent_http_list(http_server *s, struct MHD_Connection *c);
/* GET /api/v1/hosts (http_hosts.c): this server and the others on its store, the agents and
 * the SNMP devices, each with its state, last report, CPU, memory, disk and open alerts. */
enum MHD_Result api_hosts(http_server *s, struct MHD_Connection *c);
/* GET /api/v1/hosts/NAME (one host and its open alerts) and /api/v1/hosts/NAME/series (its
 * charts' history); rest is what follows /api/v1/hosts/. */
enum MHD_Result api_host_page(http_server *s, struct MHD_Connection *c, const char *rest);
/* POST /api/v1/agent/enroll and /api/v1/agent/batch. */
enum MHD_Result agent_http_route(http_server *s, struct MHD_Connection *c, const char *url, const char *method,
                                 http_req *req);

#endif
