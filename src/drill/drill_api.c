/* The drill module's HTTP routes (drill.h):
 *   GET  /api/v1/drills/scenarios             the scenarios (built-in and configured)
 *   GET  /api/v1/drills/runs[?scenario=&limit=] the runs, newest first (store_drill.h's JSON)
 *   POST /api/v1/drills/runs {scenario}       a run requested (members and up): 201 {id}
 *   GET  /api/v1/drills/runs/ID               one run
 *   POST /api/v1/drills/runs/ID/stop          its stop asked for
 *   POST /api/v1/drills/runs/ID/marks {stage, by, note}  a tabletop mark
 *   POST /api/v1/drills/runs/ID/findings      its weak spots as findings (category drill) */
#include "core/kw_json.h"
#include "core/kw_time.h"
#include "drill/drill.h"
#include "drill/drill_conf.h"
#include "drill/drill_findings.h"
#include "drill/drill_mark.h"
#include "http/http_reply.h"
#include "store/store_drill.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int api_scenarios(const http_call *q)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    pthread_rwlock_rdlock(&q->sh->cfg_lock);
    drill_conf_scenarios_json(q->sh->cfg, &b);
    pthread_rwlock_unlock(&q->sh->cfg_lock);
    return http_json(q->conn, MHD_HTTP_OK, &b);
}

static int reply(const http_call *q, kw_store *s, kw_rc rc, kw_buf *b, unsigned ok, const char *missing)
{
    if (rc == KW_OK)
        return http_json(q->conn, ok, b);
    kw_buf_free(b);
    if (rc == KW_ERR_NOTFOUND)
        return http_error(q->conn, MHD_HTTP_NOT_FOUND, missing);
    return http_store_error(q->conn, s);
}

static int api_request(const http_call *q, kw_store *s)
{
    if (q->req->p.user.role < ROLE_MEMBER)
        return http_error(q->conn, MHD_HTTP_FORBIDDEN, "running a drill is for members, officers and admins");
    enum MHD_Result ret;
    json_t *body = http_body_object(q->conn, q->req, "{scenario}", &ret);
    if (!body)
        return ret;
    const char *name = json_string_value(json_object_get(body, "scenario"));
    pthread_rwlock_rdlock(&q->sh->cfg_lock);
    const conf_drill_scenario *sc = drill_conf_find(q->sh->cfg, name);
    int64_t id = 0;
    kw_rc rc = sc ? store_drill_request(s, sc->name, sc->title, sc->title_zh, sc->tabletop, sc->surprise,
                                        q->req->p.user.name, kw_now_ms(), &id)
                  : KW_ERR_NOTFOUND;
    pthread_rwlock_unlock(&q->sh->cfg_lock);
    json_decref(body);
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_printf(&b, "{\"id\":%lld}", (long long)id);
    return reply(q, s, rc, &b, MHD_HTTP_CREATED, "no such scenario (GET /api/v1/drills/scenarios lists them)");
}

static int api_runs(const http_call *q)
{
    kw_store *s = http_store(q->server);
    if (!s)
        return http_error(q->conn, MHD_HTTP_SERVICE_UNAVAILABLE, "the store is not available");
    if (strcmp(q->method, "POST") == 0)
        return api_request(q, s);
    kw_buf b;
    kw_buf_init(&b, 0);
    const char *sc = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "scenario");
    kw_rc rc = store_drill_runs_query(s, sc, http_query_int(q->conn, "limit", 100, 1, 10000), &b);
    return reply(q, s, rc, &b, MHD_HTTP_OK, "");
}

static int api_mark(const http_call *q, kw_store *s, int64_t id)
{
    enum MHD_Result ret;
    json_t *body = http_body_object(q->conn, q->req, "{stage, by, note}", &ret);
    if (!body)
        return ret;
    const char *stage = json_string_value(json_object_get(body, "stage"));
    const char *by = json_string_value(json_object_get(body, "by"));
    kw_rc rc = drill_mark_stage_ok(stage)
                   ? store_drill_mark(s, id, stage, by ? by : q->req->p.user.name,
                                      json_string_value(json_object_get(body, "note")), kw_now_ms())
                   : KW_ERR_PARSE;
    json_decref(body);
    if (rc == KW_ERR_PARSE)
        return http_error(q->conn, MHD_HTTP_BAD_REQUEST, "stage: detected, notified, acked, declared or step:NAME");
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_buf_puts(&b, "{\"marked\":true}");
    return reply(q, s, rc, &b, MHD_HTTP_CREATED, "no such run in progress");
}

static int api_one(const http_call *q)
{
    kw_store *s = http_store(q->server);
    if (!s)
        return http_error(q->conn, MHD_HTTP_SERVICE_UNAVAILABLE, "the store is not available");
    char *end;
    const char *p = q->url + strlen("/api/v1/drills/runs/");
    long long id = strtoll(p, &end, 10);
    if (id <= 0 || (*end && *end != '/'))
        return http_error(q->conn, MHD_HTTP_NOT_FOUND, "/api/v1/drills/runs/ID[/stop|/marks]");
    bool get = strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0;
    kw_buf b;
    kw_buf_init(&b, 0);
    if (get && !*end)
        return reply(q, s, store_drill_run_json(s, id, &b), &b, MHD_HTTP_OK, "no such run");
    if (get || q->req->p.user.role < ROLE_MEMBER) {
        kw_buf_free(&b);
        return http_error(q->conn, get ? MHD_HTTP_METHOD_NOT_ALLOWED : MHD_HTTP_FORBIDDEN,
                          get ? "POST a run's stop or marks" : "for members, officers and admins");
    }
    if (strcmp(end, "/stop") == 0) {
        kw_buf_puts(&b, "{\"stopping\":true}");
        return reply(q, s, store_drill_stop(s, id, kw_now_ms()), &b, MHD_HTTP_ACCEPTED, "no such run in progress");
    }
    if (strcmp(end, "/findings") == 0) {
        pthread_rwlock_rdlock(&q->sh->cfg_lock);
        kw_rc rc = drill_findings_make(s, q->sh->cfg, id, q->req->p.user.name, kw_now_ms(), &b);
        pthread_rwlock_unlock(&q->sh->cfg_lock);
        if (rc == KW_ERR_RANGE) {
            kw_buf_free(&b);
            return http_error(q->conn, MHD_HTTP_CONFLICT, "the run is not scored yet");
        }
        return reply(q, s, rc, &b, MHD_HTTP_OK, "no such run");
    }
    kw_buf_free(&b);
    if (strcmp(end, "/marks") == 0)
        return api_mark(q, s, id);
    return http_error(q->conn, MHD_HTTP_NOT_FOUND, "/api/v1/drills/runs/ID/stop, /marks or /findings");
}

const http_route drill_routes[] = {
    {"/api/v1/drills/scenarios", "GET", api_scenarios},
    {"/api/v1/drills/runs", "GET POST", api_runs},
    {"/api/v1/drills/runs/", "GET POST", api_one},
    {0},
};
