/* The findings module's routes:
 *   GET  /api/v1/findings               the selection (status, severity, department, owner,
 *                                       asset, scanner, category, text, overdue, not_seen,
 *                                       sort, limit, offset), {"total", "findings"}
 *   GET  /api/v1/findings/plan          the remediation plan (the same filters; per_owner, 10,
 *                                       0: every finding of each owner)
 *   GET  /api/v1/findings/stats         per severity and department, and the burndown (days)
 *   GET  /api/v1/findings/ID            one finding with its history
 *   POST /api/v1/findings/ID/MOVE       assign, start, fix, accept, false_positive, reopen,
 *                                       verify; body {owner, department, reason, note, until, due}
 * Members may start, fix and reopen; assigning, accepting, false positives and verifying by
 * hand are the officers'. */
#include "findings/findings.h"
#include "findings/findings_report.h"
#include "findings/findings_run.h"
#include "http/http_reply.h"
#include "core/kw_time.h"
#include "store/store_findings.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *arg(const http_call *q, const char *key)
{
    const char *v = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, key);
    return v && *v ? v : NULL;
}

/* The query's filters; false (having answered 400) when one is bad. */
static bool query_of(const http_call *q, store_findings_query *f, enum MHD_Result *ret)
{
    memset(f, 0, sizeof *f);
    f->status = arg(q, "status");
    const char *sev = arg(q, "severity");
    finding_sev s;
    if (sev && !finding_sev_parse(sev, &s)) {
        *ret = http_error(q->conn, MHD_HTTP_BAD_REQUEST, "severity: info, low, medium, high or critical");
        return false;
    }
    f->min_severity = sev ? (int)s : 0;
    f->department = arg(q, "department");
    f->owner = arg(q, "owner");
    f->asset = arg(q, "asset");
    f->scanner = arg(q, "scanner");
    f->category = arg(q, "category");
    f->vuln_id = arg(q, "id");
    f->text = arg(q, "text");
    f->overdue = arg(q, "overdue") && strcmp(arg(q, "overdue"), "0") != 0;
    f->not_seen = arg(q, "not_seen") && strcmp(arg(q, "not_seen"), "0") != 0;
    f->sort = arg(q, "sort");
    f->limit = http_query_int(q->conn, "limit", 50, 1, 1000);
    f->offset = http_query_int(q->conn, "offset", 0, 0, INT64_MAX / 2);
    f->now_ms = kw_now_ms();
    return true;
}

static int answer(const http_call *q, kw_store *st, kw_rc rc, kw_buf *b)
{
    if (rc == KW_OK)
        return http_json(q->conn, MHD_HTTP_OK, b);
    kw_buf_free(b);
    if (rc == KW_ERR_NOTFOUND)
        return http_error(q->conn, MHD_HTTP_NOT_FOUND, "no such finding");
    if (strstr(store_errmsg(st), "unknown status"))
        return http_error(q->conn, MHD_HTTP_BAD_REQUEST, store_errmsg(st));
    return http_store_error(q->conn, st);
}

/* A selection's answer: the listing, or with per_owner >= 0 the plan. */
static int api_selection(const http_call *q, int per_owner)
{
    store_findings_query f;
    enum MHD_Result ret;
    if (!query_of(q, &f, &ret))
        return ret;
    kw_store *st = http_store(q->server);
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_rc rc = per_owner < 0 ? store_findings_list_json(st, &f, &b)
                             : findings_plan(st, &f, f.now_ms, 0, true, per_owner, &b);
    return answer(q, st, rc, &b);
}

static int api_list(const http_call *q)
{
    return api_selection(q, -1);
}

static int api_plan(const http_call *q)
{
    return api_selection(q, (int)http_query_int(q->conn, "per_owner", 10, 0, 100000));
}

static int api_stats(const http_call *q)
{
    kw_store *st = http_store(q->server);
    kw_buf b;
    kw_buf_init(&b, 0);
    int days = (int)http_query_int(q->conn, "days", 30, 1, 366);
    pthread_rwlock_rdlock(&q->sh->cfg_lock);
    kw_rc rc = findings_stats(st, q->sh->cfg, kw_now_ms(), days, true, &b);
    pthread_rwlock_unlock(&q->sh->cfg_lock);
    return answer(q, st, rc, &b);
}

/* The role a move needs. */
static int move_role(finding_move m)
{
    return m == FMOVE_START || m == FMOVE_FIX || m == FMOVE_REOPEN ? ROLE_MEMBER : ROLE_OFFICER;
}

/* A time in a body: milliseconds since the epoch, or an ISO 8601 text. */
static int64_t body_time(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        return json_integer_value(v);
    const char *s = json_string_value(v);
    struct tm tm = {0};
    if (!s || !strptime(s, "%Y-%m-%dT%H:%M", &tm))
        return s && strptime(s, "%Y-%m-%d", &tm) ? (int64_t)timegm(&tm) * 1000 : 0;
    return (int64_t)timegm(&tm) * 1000;
}

static int api_move(const http_call *q, int64_t id, const char *word)
{
    finding_move m;
    if (!finding_move_parse(word, &m))
        return http_error(q->conn, MHD_HTTP_NOT_FOUND,
                          "moves: assign, start, fix, accept, false_positive, reopen, verify");
    const principal *p = &q->req->p;
    if (p->user.role < move_role(m))
        return http_error(q->conn, MHD_HTTP_FORBIDDEN, "your role cannot make this move");
    enum MHD_Result ret;
    json_t *body = http_body_object(q->conn, q->req, "{owner, department, reason, note, until, due}", &ret);
    if (!body)
        return ret;
    const char *reason = json_string_value(json_object_get(body, "reason"));
    findings_ask a = {
        .move = m, .by = p->user.name, .owner = json_string_value(json_object_get(body, "owner")),
        .department = json_string_value(json_object_get(body, "department")),
        .reason = reason ? reason : json_string_value(json_object_get(body, "note")),
        .until_ms = body_time(body, "until"), .due_ms = body_time(body, "due"),
    };
    kw_store *st = http_store(q->server);
    char err[512] = "";
    pthread_rwlock_rdlock(&q->sh->cfg_lock);
    kw_rc rc = findings_apply(st, q->sh->cfg, id, &a, kw_now_ms(), err, sizeof err);
    pthread_rwlock_unlock(&q->sh->cfg_lock);
    json_decref(body);
    if (rc == KW_ERR_NOTFOUND)
        return http_error(q->conn, MHD_HTTP_NOT_FOUND, err);
    if (rc == KW_ERR_RANGE)
        return http_error(q->conn, MHD_HTTP_CONFLICT, err);
    kw_buf b;
    kw_buf_init(&b, 0);
    return answer(q, st, rc == KW_OK ? store_finding_get_json(st, id, &b) : rc, &b);
}

/* /api/v1/findings/ID and /api/v1/findings/ID/MOVE. */
static int api_one(const http_call *q)
{
    const char *rest = q->url + strlen("/api/v1/findings/");
    char *end;
    long long id = strtoll(rest, &end, 10);
    if (id <= 0 || end == rest || (*end && *end != '/'))
        return http_error(q->conn, MHD_HTTP_NOT_FOUND, "no such finding (/api/v1/findings/ID)");
    bool get = strcmp(q->method, "GET") == 0 || strcmp(q->method, "HEAD") == 0;
    if (*end == '/' && !get)
        return api_move(q, id, end + 1);
    if (*end || !get)
        return http_error(q->conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET a finding, POST to /api/v1/findings/ID/MOVE");
    kw_store *st = http_store(q->server);
    kw_buf b;
    kw_buf_init(&b, 0);
    return answer(q, st, store_finding_get_json(st, id, &b), &b);
}

/* Exact paths first; the one ending in '/' takes every path under it. */
const http_route findings_routes[] = {
    {"/api/v1/findings", "GET", api_list},
    {"/api/v1/findings/plan", "GET", api_plan},
    {"/api/v1/findings/stats", "GET", api_stats},
    {"/api/v1/findings/", "GET POST", api_one},
    {0},
};
