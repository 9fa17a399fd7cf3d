/* The incident module's routes:
 *   GET  /api/v1/incidents                    the listing (state, playbook, drill, since, limit)
 *   POST /api/v1/incidents                    declare {playbook, grade, title, summary, systems,
 *                                             drill, found, alerts}
 *   GET  /api/v1/incidents/stats              by type and grade, times to declare and contain,
 *                                             steps on time per department (since)
 *   GET  /api/v1/incidents/ID                 one incident: steps, alerts, timeline
 *   POST /api/v1/incidents/ID/steps/STEP/done {note}; /skip {reason}; /assign {target}
 *   POST /api/v1/incidents/ID/grade           {grade, reason}
 *   POST /api/v1/incidents/ID/notes           {text}
 *   POST /api/v1/incidents/ID/alerts          {alert}
 *   POST /api/v1/incidents/ID/close           {cause, impact, lessons, proposal}
 *   GET  /api/v1/incidents/ID/report      the report (for: regulator, security, operations,
 *                                             business, customer_service, management; format:
 *                                             html, md, pdf; lang: zh, en)
 *   GET  /api/v1/playbooks                    the playbooks (name, title, category, grades, steps)
 *   GET  /api/v1/playbooks/NAME               one, whole; /api/v1/playbooks/NAME/history its history
 * Members mark steps and write notes; declaring, assigning, grading, attaching and closing are
 * the officers'. Every change is the operations' (incident_ops.h): one transaction with its
 * timeline event and duty-log entry. */
#include "core/kw_json.h"
#include "core/kw_time.h"
#include "http/http_reply.h"
#include "incident/incident.h"
#include "incident/incident_ops.h"
#include "incident/incident_plan.h"
#include "incident/incident_report.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define API_ALERTS_MAX 100

static const char *arg(const http_call *q, const char *key)
{
    const char *v = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, key);
    return v && *v ? v : NULL;
}

static const char *str(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v && *v ? v : NULL;
}

/* A time in a body or the query: milliseconds since the epoch, or ISO 8601 (UTC). 0: none. */
static int64_t time_of(const char *s)
{
    struct tm tm = {0};
    if (!s)
        return 0;
    char *end;
    long long ms = strtoll(s, &end, 10);
    if (end != s && !*end)
        return ms;
    if (strptime(s, "%Y-%m-%dT%H:%M", &tm) || strptime(s, "%Y-%m-%d", &tm))
        return (int64_t)timegm(&tm) * 1000;
    return -1;
}

/* The HTTP status of an operation's refusal. */
static unsigned status_of(incident_err why)
{
    switch (why) {
    case INC_E_UNKNOWN_INCIDENT:
    case INC_E_UNKNOWN_STEP: return MHD_HTTP_NOT_FOUND;
    case INC_E_UNKNOWN_PLAYBOOK:
    case INC_E_UNKNOWN_ALERT:
    case INC_E_BAD_GRADE:
    case INC_E_MISSING: return MHD_HTTP_BAD_REQUEST;
    case INC_E_FINISHED:
    case INC_E_NOT_APPLICABLE:
    case INC_E_NEEDS:
    case INC_E_CLOSED: return MHD_HTTP_CONFLICT;
    default: return MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
}

/* The answer to a change: the incident as it is now, or the refusal. */
static int changed(const http_call *q, incident_ctx *x, kw_rc rc, int64_t id, unsigned ok_status)
{
    if (rc != KW_OK) {
        if (x->why == INC_E_STORE || x->why == INC_E_NONE)
            return http_store_error(q->conn, x->s);
        return http_error(q->conn, status_of(x->why), x->err);
    }
    kw_buf b;
    kw_buf_init(&b, 0);
    rc = incident_get_json(x, id, &b);
    if (rc != KW_OK) {
        kw_buf_free(&b);
        return http_store_error(q->conn, x->s);
    }
    return http_json(q->conn, ok_status, &b);
}

static incident_ctx ctx_of(const http_call *q)
{
    incident_ctx x = {.s = http_store(q->server), .c = q->sh->cfg, .now_ms = kw_now_ms(), .actor = q->req->p.user.name};
    return x;
}

/* Runs a read under the configuration's lock and answers its JSON. */
static int read_json(const http_call *q, kw_rc (*fn)(incident_ctx *, const void *, kw_buf *), const void *arg,
                     const char *missing)
{
    pthread_rwlock_rdlock(&q->sh->cfg_lock);
    incident_ctx x = ctx_of(q);
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_rc rc = fn(&x, arg, &b);
    pthread_rwlock_unlock(&q->sh->cfg_lock);
    if (rc == KW_OK)
        return http_json(q->conn, MHD_HTTP_OK, &b);
    kw_buf_free(&b);
    if (rc == KW_ERR_NOTFOUND)
        return http_error(q->conn, MHD_HTTP_NOT_FOUND, missing);
    return http_store_error(q->conn, x.s);
}

static kw_rc list_fn(incident_ctx *x, const void *arg, kw_buf *out)
{
    return incident_list_json(x, arg, out);
}

static int api_list(const http_call *q)
{
    store_incident_query f = {.state = arg(q, "state"), .playbook = arg(q, "playbook"), .drill = -1,
                              .limit = http_query_int(q->conn, "limit", 100, 1, 1000)};
    if (f.state && strcmp(f.state, "all") == 0)
        f.state = NULL;
    if (f.state && strcmp(f.state, "open") != 0 && strcmp(f.state, "closed") != 0)
        return http_error(q->conn, MHD_HTTP_BAD_REQUEST, "state: open, closed or all");
    const char *d = arg(q, "drill");
    if (d)
        f.drill = strcmp(d, "0") != 0 && strcmp(d, "false") != 0;
    f.since_ms = time_of(arg(q, "since"));
    if (f.since_ms < 0)
        return http_error(q->conn, MHD_HTTP_BAD_REQUEST, "since: milliseconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM");
    return read_json(q, list_fn, &f, "");
}

/* The alert ids of a declaration's body: at most API_ALERTS_MAX positive integers. */
static bool alerts_of(json_t *body, int64_t *ids, size_t *n)
{
    json_t *a = json_object_get(body, "alerts"), *v;
    size_t i;
    *n = 0;
    if (a && !json_is_array(a))
        return false;
    json_array_foreach(a, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0 || *n >= API_ALERTS_MAX)
            return false;
        ids[(*n)++] = json_integer_value(v);
    }
    return true;
}

static int api_declare(const http_call *q)
{
    if (q->req->p.user.role < ROLE_OFFICER)
        return http_error(q->conn, MHD_HTTP_FORBIDDEN, "declaring an incident is for officers and admins");
    enum MHD_Result ret;
    json_t *body = http_body_object(q->conn, q->req, "{playbook, grade, title, summary, systems, drill, found, alerts}",
                                    &ret);
    if (!body)
        return ret;
    int64_t ids[API_ALERTS_MAX];
    size_t n = 0;
    json_t *g = json_object_get(body, "grade");
    int grade = json_is_integer(g) ? (int)json_integer_value(g) : incident_grade_parse(json_string_value(g));
    int64_t found = time_of(str(body, "found"));
    if (!alerts_of(body, ids, &n) || (g && !json_is_null(g) && !grade) || found < 0) {
        json_decref(body);
        return http_error(q->conn, MHD_HTTP_BAD_REQUEST,
                          "grade: I..IV; alerts: at most 100 alert ids; found: milliseconds or YYYY-MM-DDTHH:MM");
    }
    pthread_rwlock_rdlock(&q->sh->cfg_lock);
    incident_ctx x = ctx_of(q);
    const char *lang = x.c->notify.language;
    incident_decl d = {.playbook = str(body, "playbook"), .grade = grade, .title = str(body, "title"),
                       .summary = str(body, "summary"), .systems = str(body, "systems"),
                       .drill = json_is_true(json_object_get(body, "drill")), .found_ms = found, .alerts = ids,
                       .nalerts = n, .zh = !lang || strcmp(lang, "en") != 0};
    int64_t id = 0;
    kw_rc rc = d.playbook ? incident_declare(&x, &d, &id) : KW_ERR_PARSE;
    if (!d.playbook) {
        x.why = INC_E_UNKNOWN_PLAYBOOK;
        snprintf(x.err, sizeof x.err, "playbook: which one (GET /api/v1/playbooks lists them)");
    }
    int r = changed(q, &x, rc, id, MHD_HTTP_CREATED);
    pthread_rwlock_unlock(&q->sh->cfg_lock);
    json_decref(body);
    return r;
}

static kw_rc stats_fn(incident_ctx *x, const void *arg, kw_buf *out)
{
    return incident_stats_json(x, *(const int64_t *)arg, out);
}

static int api_stats(const http_call *q)
{
    int64_t since = time_of(arg(q, "since"));
    if (since < 0)
        return http_error(q->conn, MHD_HTTP_BAD_REQUEST, "since: milliseconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM");
    return read_json(q, stats_fn, &since, "");
}

/* ---- one incident ---- */

/* What a change to one incident asks for. */
typedef struct change_req {
    const char *what;         /* done, skip, assign, grade, notes, alerts, close */
    const char *step;         /* for the step changes */
    json_t *body;
} change_req;

static kw_rc apply(incident_ctx *x, int64_t id, const change_req *c, bool *bad)
{
    json_t *b = c->body;
    *bad = false;
    if (strcmp(c->what, "done") == 0)
        return incident_step_done(x, id, c->step, str(b, "note"));
    if (strcmp(c->what, "skip") == 0)
        return incident_step_skip(x, id, c->step, str(b, "reason"));
    if (strcmp(c->what, "assign") == 0)
        return incident_assign(x, id, c->step, str(b, "target"));
    if (strcmp(c->what, "grade") == 0) {
        json_t *g = json_object_get(b, "grade");
        int grade = json_is_integer(g) ? (int)json_integer_value(g) : incident_grade_parse(json_string_value(g));
        return incident_grade(x, id, grade, str(b, "reason"));
    }
    if (strcmp(c->what, "notes") == 0)
        return incident_note(x, id, str(b, "text"));
    if (strcmp(c->what, "alerts") == 0) {
        json_t *a = json_object_get(b, "alert");
        bool added = false;
        if (!json_is_integer(a) || json_integer_value(a) <= 0) {
            *bad = true;
            return KW_ERR_PARSE;
        }
        return incident_attach(x, id, json_integer_value(a), &added);
    }
    incident_review r = {.cause = str(b, "cause"), .impact = str(b, "impact"), .lessons = str(b, "lessons"),
                         .proposal = str(b, "proposal")};
    return incident_close(x, id, &r);
}

/* The role a change needs: members mark steps and write notes, the rest is the officers'. */
static int role_of(const char *what)
{
    return strcmp(what, "done") == 0 || strcmp(what, "skip") == 0 || strcmp(what, "notes") == 0 ? ROLE_MEMBER
                                                                                                  : ROLE_OFFICER;
}

static int api_change(const http_call *q, int64_t id, change_req *c)
{
    if (q->req->p.user.role < role_of(c->what))
        return http_error(q->conn, MHD_HTTP_FORBIDDEN, "your role cannot make this change");
    enum MHD_Result ret;
    c->body = http_body_object(q->conn, q->req, "{note, reason, target, grade, text, alert, cause, impact, lessons, "
                                                "proposal}", &ret);
    if (!c->body)
        return ret;
    pthread_rwlock_rdlock(&q->sh->cfg_lock);
    incident_ctx x = ctx_of(q);
    bool bad;
    kw_rc rc = apply(&x, id, c, &bad);
    int r = bad ? (int)http_error(q->conn, MHD_HTTP_BAD_REQUEST, "alert: an alert id") : changed(q, &x, rc, id, MHD_HTTP_OK);
    pthread_rwlock_unlock(&q->sh->cfg_lock);
    json_decref(c->body);
    return r;
}

static kw_rc get_fn(incident_ctx *x, const void *arg, kw_buf *out)
{
    return incident_get_json(x, *(const int64_t *)arg, out);
}

/* ---- reports ---- */

/* GET .../ID/report?for=regulator|security|...&format=html|md|pdf&lang=zh|en: the report a
 * playbook's report step hands in, rendered from the incident's record. */
static int api_report(const http_call *q, int64_t id)
{
    incident_report_in in = {.now_ms = kw_now_ms()};
    const char *fmt = arg(q, "format") ? arg(q, "format") : "html", *lang = arg(q, "lang");
    if (!incident_report_parse_for(arg(q, "for"), &in.kind, &in.audience))
        return http_error(q->conn, MHD_HTTP_BAD_REQUEST,
                          "for: regulator, security, operations, business, customer_service or management");
    if (strcmp(fmt, "html") != 0 && strcmp(fmt, "md") != 0 && strcmp(fmt, "pdf") != 0)
        return http_error(q->conn, MHD_HTTP_BAD_REQUEST, "format: html, md or pdf");
    kw_buf js, out;
    kw_buf_init(&js, 0);
    kw_buf_init(&out, 0);
    pthread_rwlock_rdlock(&q->sh->cfg_lock);
    incident_ctx x = ctx_of(q);
    in.c = x.c;
    in.lang = lang ? (strcmp(lang, "en") == 0 ? DOC_LANG_EN : DOC_LANG_ZH)
                   : (x.c->notify.language && strcmp(x.c->notify.language, "en") == 0 ? DOC_LANG_EN : DOC_LANG_ZH);
    kw_rc rc = incident_get_json(&x, id, &js);
    kw_doc *d = NULL;
    if (rc == KW_OK) {
        in.json = js.data;
        in.len = js.len;
        rc = incident_report_build(&in, &d);
    }
    pthread_rwlock_unlock(&q->sh->cfg_lock);
    kw_buf_free(&js);
    if (rc == KW_OK)
        rc = fmt[0] == 'h' ? doc_render_html(d, in.lang, &out)
             : fmt[0] == 'm' ? doc_render_md(d, in.lang, &out)
                             : doc_render_pdf(d, in.lang, NULL, &out, NULL);
    doc_free(d);
    if (rc != KW_OK) {
        kw_buf_free(&out);
        return rc == KW_ERR_NOTFOUND ? http_error(q->conn, MHD_HTTP_NOT_FOUND, "no such incident")
                                     : http_error(q->conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "the report failed");
    }
    const char *type = fmt[0] == 'h' ? "text/html; charset=utf-8"
                       : fmt[0] == 'm' ? "text/markdown; charset=utf-8"
                                       : "application/pdf";
    return http_respond(q->conn, MHD_HTTP_OK, type, &out);
}

/* Splits "ID/steps/STEP/VERB", "ID/VERB" or "ID" after the prefix; false when it is none. */
static bool parse_one(const char *rest, int64_t *id, char *step, size_t stepn, char *what, size_t whatn)
{
    char *end;
    long long n = strtoll(rest, &end, 10);
    if (n <= 0 || end == rest || (*end && *end != '/'))
        return false;
    *id = n;
    step[0] = what[0] = '\0';
    if (!*end)
        return true;
    const char *p = end + 1;
    if (strncmp(p, "steps/", 6) == 0) {
        const char *slash = strchr(p + 6, '/');
        if (!slash || (size_t)(slash - p - 6) >= stepn || slash == p + 6)
            return false;
        snprintf(step, stepn, "%.*s", (int)(slash - p - 6), p + 6);
        p = slash + 1;
        if (strcmp(p, "done") != 0 && strcmp(p, "skip") != 0 && strcmp(p, "assign") != 0)
            return false;
    } else if (strcmp(p, "grade") != 0 && strcmp(p, "notes") != 0 && strcmp(p, "alerts") != 0 &&
               strcmp(p, "close") != 0 && strcmp(p, "report") != 0) {
        return false;
    }
    snprintf(what, whatn, "%s", p);
    return true;
}

static int api_one(const http_call *q)
{
    int64_t id;
    char step[128], what[16];
    if (!parse_one(q->url + strlen("/api/v1/incidents/"), &id, step, sizeof step, what, sizeof what))
        return http_error(q->conn, MHD_HTTP_NOT_FOUND,
                          "/api/v1/incidents/ID, .../ID/steps/STEP/{done,skip,assign}, .../ID/{grade,notes,alerts,close}");
    bool get = strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0;
    if (get && strcmp(what, "report") == 0)
        return api_report(q, id);
    if (get != !what[0])
        return http_error(q->conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET an incident, POST its changes");
    if (get)
        return read_json(q, get_fn, &id, "no such incident");
    change_req c = {.what = what, .step = step[0] ? step : NULL};
    return api_change(q, id, &c);
}

/* ---- playbooks ---- */

static void playbook_brief(kw_json *j, const conf_playbook *pb)
{
    size_t steps = 0;
    for (size_t p = 0; p < pb->phases.n; p++)
        steps += CONF_AT(pb->phases, conf_pb_phase, p)->steps.n;
    kw_json_obj_begin(j);
    kw_json_kv_str(j, "name", pb->name);
    kw_json_kv_str(j, "title", pb->title);
    kw_json_kv_str(j, "title_zh", pb->title_zh);
    kw_json_kv_str(j, "category", pb->category);
    kw_json_kv_str(j, "subcategory", pb->subcategory);
    kw_json_kv_str(j, "grade", incident_grade_name(pb->grade));
    kw_json_kv_int(j, "steps", (int64_t)steps);
    kw_json_kv_bool(j, "builtin", pb->builtin);
    kw_json_kv_str(j, "source", pb->source);
    kw_json_obj_end(j);
}

static int api_playbooks(const http_call *q)
{
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    kw_json_key(&j, "playbooks");
    kw_json_arr_begin(&j);
    pthread_rwlock_rdlock(&q->sh->cfg_lock);
    const conf *c = q->sh->cfg;
    for (size_t i = 0; i < c->incident.playbooks.n; i++)
        playbook_brief(&j, CONF_AT(c->incident.playbooks, conf_playbook, i));
    pthread_rwlock_unlock(&q->sh->cfg_lock);
    kw_json_arr_end(&j);
    kw_json_obj_end(&j);
    return http_json(q->conn, MHD_HTTP_OK, &b);
}

static kw_rc history_fn(incident_ctx *x, const void *arg, kw_buf *out)
{
    return incident_history_json(x, arg, out);
}

static int api_playbook(const http_call *q)
{
    char name[128];
    const char *rest = q->url + strlen("/api/v1/playbooks/"), *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    if (!n || n >= sizeof name || (slash && strcmp(slash, "/history") != 0))
        return http_error(q->conn, MHD_HTTP_NOT_FOUND, "/api/v1/playbooks/NAME or /api/v1/playbooks/NAME/history");
    snprintf(name, sizeof name, "%.*s", (int)n, rest);
    if (slash)
        return read_json(q, history_fn, name, "");
    kw_buf b;
    kw_buf_init(&b, 0);
    pthread_rwlock_rdlock(&q->sh->cfg_lock);
    const conf_playbook *pb = incident_pb_find(q->sh->cfg, name);
    if (pb)
        incident_playbook_json(pb, &b);
    pthread_rwlock_unlock(&q->sh->cfg_lock);
    if (!pb) {
        kw_buf_free(&b);
        return http_error(q->conn, MHD_HTTP_NOT_FOUND, "no such playbook");
    }
    return http_json(q->conn, MHD_HTTP_OK, &b);
}

static int api_incidents(const http_call *q)
{
    return strcmp(q->method, "POST") == 0 ? api_declare(q) : api_list(q);
}

/* Exact paths first; the one ending in '/' takes every path under it. */
const http_route incident_routes[] = {
    {"/api/v1/incidents", "GET POST", api_incidents},
    {"/api/v1/incidents/stats", "GET", api_stats},
    {"/api/v1/incidents/", "GET POST", api_one},
    {"/api/v1/playbooks", "GET", api_playbooks},
    {"/api/v1/playbooks/", "GET", api_playbook},
    {0},
};
