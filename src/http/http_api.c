/* The API's health, metrics, sensors and alerts. */
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_log.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "http/http_int.h"
#include "http/http_reply.h"
#include "notify/notify.h"
#include "conf/conf.h"
#include "host/host.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum MHD_Result api_health(http_server *s, struct MHD_Connection *c, bool details)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    /* the API listens first (its port may need root); until the inputs listen too and the
     * core runs, a load balancer or a script waiting for the daemon should wait on */
    bool ready = atomic_load(&s->sh->ready);
    unsigned status = ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE;
    kw_json_kv_str(&j, "status", ready ? "ok" : "starting");
    if (!details) { /* a load balancer needs no more; nobody unknown gets more */
        kw_json_obj_end(&j);
        return http_json(c, status, &b);
    }
    kw_json_kv_str(&j, "version", KW_VERSION);
    kw_json_kv_num(&j, "uptime_seconds", (double)(kw_now_ms() - s->sh->started_ms) / 1000.0);
    kw_json_key(&j, "alerts");
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "firing", atomic_load(&s->sh->alerts_firing));
    kw_json_kv_int(&j, "acked", atomic_load(&s->sh->alerts_acked));
    kw_json_obj_end(&j);
    pthread_mutex_lock(&s->sh->mu);
    if (s->sh->lead.server[0]) { /* which server this is, and which one does the work done once */
        kw_json_kv_str(&j, "server", s->sh->lead.server);
        kw_json_kv_bool(&j, "leader", s->sh->lead.leads);
        kw_json_kv_str(&j, "leader_server", s->sh->lead.leader);
        if (s->sh->lead.since_ms)
            kw_json_kv_time(&j, "leader_since", s->sh->lead.since_ms);
        kw_json_kv_bool(&j, "shared_store", s->sh->lead.shared);
    }
    pthread_mutex_unlock(&s->sh->mu);
    kw_json_obj_end(&j);
    return http_json(c, status, &b);
}

enum MHD_Result api_metrics(http_server *s, struct MHD_Connection *c)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    metric_registry_render(s->sh->metrics, &b);
    return http_respond(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", &b);
}

enum MHD_Result api_host(http_server *s, struct MHD_Connection *c)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    pthread_mutex_lock(&s->sh->mu);
    if (s->sh->host)
        host_snapshot_json(s->sh->host, &b);
    pthread_mutex_unlock(&s->sh->mu);
    if (!b.len) {
        kw_buf_free(&b);
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no host reading yet");
    }
    return http_json(c, MHD_HTTP_OK, &b);
}

static bool build_alert_list(http_server *s, struct MHD_Connection *c, kw_store *st, kw_buf *out, void *arg)
{
    if (store_alert_list_json(st, arg, out) != KW_OK) {
        http_store_error(c, st);
        return false;
    }
    return true;
}

/* GET /api/v1/alerts?state=S&severity=S&q=TEXT&assignee=NAME|none&limit=N&before=ID: newest
 * first. The same page is served from
 * the thread's cache until the store changes. */
enum MHD_Result api_alert_list(http_server *s, struct MHD_Connection *c)
{
    store_alert_query q = {0};
    const char *state = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "state");
    if (state) {
        q.state = strcmp(state, "open") == 0 ? -1 : alert_state_parse(state);
        if (!q.state)
            return http_error(c, MHD_HTTP_BAD_REQUEST, "state must be firing, acked, resolved or open");
    }
    q.limit = http_query_int(c, "limit", 100, 1, 1000);
    q.before_id = http_query_int(c, "before", 0, 1, INT64_MAX);
    const char *sev = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "severity");
    if (sev && *sev) {
        for (int i = 1; i <= 4; i++)
            if (!strcmp(sev, kw_severity_name(i)) || (sev[0] == '0' + i && !sev[1]))
                q.min_severity = i;
        if (!q.min_severity)
            return http_error(c, MHD_HTTP_BAD_REQUEST, "severity must be low, medium, high or critical (the least shown)");
    }
    const char *text = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
    const char *who = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "assignee");
    if ((text && strlen(text) > 200) || (who && strlen(who) > 64))
        return http_error(c, MHD_HTTP_BAD_REQUEST, "q is at most 200 bytes, assignee 64");
    q.text = text && *text ? text : NULL;
    q.assignee = !who || !*who ? NULL : !strcmp(who, "none") ? "" : who;
    char key[400];
    snprintf(key, sizeof key, "alerts %d %lld %lld %d %c%s %c%s", q.state, (long long)q.limit, (long long)q.before_id,
             q.min_severity, q.text ? '+' : '-', q.text ? q.text : "", q.assignee ? '+' : '-',
             q.assignee ? q.assignee : "");
    return http_cached_json(s, c, key, build_alert_list, &q);
}

enum MHD_Result api_alert_get(http_server *s, struct MHD_Connection *c, int64_t id, unsigned status)
{
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_rc rc = store_alert_get_json(st, id, &b);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        return rc == KW_ERR_NOTFOUND ? http_error(c, MHD_HTTP_NOT_FOUND, "no such alert")
                                     : http_store_error(c, st);
    }
    return http_json(c, status, &b);
}

/* POST /api/v1/alerts/ID/ack|resolve with an optional body {"note": "..."}. The actor is who
 * authenticated: a free-text "by" is refused. */
enum MHD_Result api_alert_act(http_server *s, struct MHD_Connection *c, int64_t id, bool ack, http_req *req,
                                     const principal *p)
{
    if (req->too_large)
        return http_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
    if (p->user.role < (ack ? ROLE_MEMBER : ROLE_OFFICER))
        return http_error(c, MHD_HTTP_FORBIDDEN, ack ? "viewers cannot acknowledge alerts"
                                                        : "only duty officers and admins resolve alerts");
    char note[2048] = "";
    const char *by = p->user.name;
    if (req->body.len) {
        json_error_t jerr;
        json_t *root = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root || !json_is_object(root)) {
            json_decref(root);
            return http_error(c, MHD_HTTP_BAD_REQUEST, "the body must be a JSON object: {\"note\": ...}");
        }
        if (json_object_get(root, "by")) {
            json_decref(root);
            return http_error(c, MHD_HTTP_BAD_REQUEST, "\"by\" is not accepted: the actor is the user the token or "
                                                       "session belongs to");
        }
        json_t *v = json_object_get(root, "note");
        if (json_is_string(v))
            kw_strlcpy(note, json_string_value(v), sizeof note);
        json_decref(root);
    }
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    int prev = 0;
    int64_t now = kw_now_ms();
    kw_rc rc = ack ? store_alert_ack(st, id, by, note[0] ? note : NULL, now, &prev)
                   : store_alert_resolve(st, id, by, note[0] ? note : NULL, now, &prev);
    if (rc == KW_ERR_NOTFOUND)
        return http_error(c, MHD_HTTP_NOT_FOUND, "no such alert");
    if (rc == KW_ERR_RANGE) {
        char msg[128];
        snprintf(msg, sizeof msg, "the alert is %s", alert_state_name(prev));
        return http_error(c, MHD_HTTP_CONFLICT, msg);
    }
    if (rc != KW_OK)
        return http_store_error(c, st);
    log_info("alert %lld %s by %s%s%s", (long long)id, ack ? "acknowledged" : "resolved", by, note[0] ? ": " : "",
             note);
    return api_alert_get(s, c, id, MHD_HTTP_OK);
}

bool http_person_known(http_server *s, kw_store *st, const char *name, char *why, size_t n)
{
    pthread_rwlock_rdlock(&s->sh->cfg_lock);
    bool known = s->sh->cfg && conf_person_find(s->sh->cfg, name);
    pthread_rwlock_unlock(&s->sh->cfg_lock);
    store_user u;
    if (!known)
        known = store_user_get(st, name, &u) == KW_OK;
    if (!known)
        snprintf(why, n, "unknown person '%.64s': not in people: or users", name);
    return known;
}

/* POST /api/v1/alerts/ID/assign {"to": NAME or null}: officers assign anyone, members take an
 * alert themselves (or give it back). */
enum MHD_Result api_alert_assign(http_server *s, struct MHD_Connection *c, int64_t id, http_req *req,
                                 const principal *p)
{
    enum MHD_Result ret;
    json_t *root = http_body_object(c, req, "send {\"to\": NAME} or {\"to\": null}", &ret);
    if (!root)
        return ret;
    json_t *to = json_object_get(root, "to");
    if (!to || !(json_is_null(to) || json_is_string(to)) || (json_is_string(to) && json_string_length(to) >= 64)) {
        json_decref(root);
        return http_error(c, MHD_HTTP_BAD_REQUEST, "\"to\" is a name (under 64 bytes) or null");
    }
    char name[64] = "";
    if (json_is_string(to))
        kw_strlcpy(name, json_string_value(to), sizeof name);
    json_decref(root);
    if (p->user.role < ROLE_MEMBER || (p->user.role < ROLE_OFFICER && name[0] && strcmp(name, p->user.name) != 0))
        return http_error(c, MHD_HTTP_FORBIDDEN, "members take alerts themselves; officers assign them to others");
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    char why[160];
    if (name[0] && !http_person_known(s, st, name, why, sizeof why))
        return http_error(c, MHD_HTTP_BAD_REQUEST, why);
    int prev = 0;
    kw_rc rc = store_alert_assign(st, id, name, p->user.name, kw_now_ms(), &prev);
    if (rc == KW_ERR_NOTFOUND)
        return http_error(c, MHD_HTTP_NOT_FOUND, "no such alert");
    if (rc == KW_ERR_RANGE)
        return http_error(c, MHD_HTTP_CONFLICT, "the alert is resolved");
    if (rc != KW_OK)
        return http_store_error(c, st);
    log_info("alert %lld assigned to %s by %s", (long long)id, name[0] ? name : "nobody", p->user.name);
    return api_alert_get(s, c, id, MHD_HTTP_OK);
}

/* POST /api/v1/alerts/ID/comments {"text"}: a comment in the alert's timeline and the duty log. */
enum MHD_Result api_alert_comment(http_server *s, struct MHD_Connection *c, int64_t id, http_req *req,
                                  const principal *p)
{
    if (p->user.role < ROLE_MEMBER)
        return http_error(c, MHD_HTTP_FORBIDDEN, "viewers cannot comment");
    enum MHD_Result ret;
    json_t *root = http_body_object(c, req, "send {\"text\": ...}", &ret);
    if (!root)
        return ret;
    const char *text = json_string_value(json_object_get(root, "text"));
    if (!text || !*text || strlen(text) > 16384) {
        json_decref(root);
        return http_error(c, MHD_HTTP_BAD_REQUEST, "\"text\" is 1 byte to 16 KiB");
    }
    kw_store *st = http_store(s);
    kw_rc rc = st ? store_alert_comment(st, id, p->user.name, text, kw_now_ms()) : KW_ERR_STORE;
    json_decref(root);
    if (rc == KW_ERR_NOTFOUND)
        return http_error(c, MHD_HTTP_NOT_FOUND, "no such alert");
    if (rc != KW_OK)
        return http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, st ? store_errmsg(st) : "store unavailable");
    return api_alert_get(s, c, id, MHD_HTTP_CREATED);
}

/* GET /api/v1/notify/groups/ID/alerts?offset=N&limit=M: the alert ids of a notification group,
 * for a webhook whose body could not carry them all (alerts_truncated). */
enum MHD_Result api_group_alerts(http_server *s, struct MHD_Connection *c, int64_t gid)
{
    kw_store *st = http_store(s);
    if (!st)
        return http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "store unavailable");
    int64_t offset = http_query_int(c, "offset", 0, 0, INT64_MAX / 2);
    size_t limit = (size_t)http_query_int(c, "limit", NOTIFY_WEBHOOK_IDS_MAX, 1, 10000), n = 0;
    int64_t total = 0, *ids = kw_malloc(limit * sizeof *ids);
    if (notify_group_alert_ids(st, gid, offset, limit, ids, &n, &total) != KW_OK) {
        free(ids);
        return http_store_error(c, st);
    }
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_kv_int(&j, "group", gid);
    kw_json_kv_int(&j, "total", total);
    kw_json_kv_int(&j, "offset", offset);
    kw_json_key(&j, "alert_ids");
    kw_json_arr_begin(&j);
    for (size_t i = 0; i < n; i++)
        kw_json_int(&j, ids[i]);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    free(ids);
    return http_json(c, MHD_HTTP_OK, &b);
}
