/* report_gather.c: everything a report tells, read from the store for [from, to) in bounded
 * queries (store_report.h: counts and GROUP BY in SQL, top-N with LIMIT) and from the
 * configuration (who was on duty per schedule), shaped into the gathered JSON document
 * (report_int.h; its fields are listed in doc/report.md). Drills are counted apart
 * throughout: an alert with labels.drill, an incident with drill set.
 *
 * MTTA/MTTR per department (the period summary): an alert belongs to the department of its
 * asset: labels.asset names a configured asset, else labels.dst / target / host is one of an
 * asset's addresses; the asset's department, else "" (unattributed). Times are from the
 * alert's start (when it fired) to its acknowledgement and to its resolution. */
#include "report/report_int.h"
#include "core/kw_json.h"
#include "core/kw_time.h"
#include "duty/duty.h"
#include "incident/incident_conf.h"
#include "oncall/oncall.h"
#include "store/store_drill.h"
#include "store/store_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL
#define BUCKETS_MAX 2000
#define SHIFTS_MAX 200
#define RUNS_MAX 50
#define RESPONSE_GROUPS 2000

typedef struct gather {
    kw_store *st;
    const conf *c;
    const report_req *r;
    int64_t top;
    json_t *out, *unavailable;
    char *err;
    size_t errn;
    kw_rc rc;
} gather;

json_t *report_time_json(int64_t ms)
{
    if (ms <= 0)
        return json_null();
    char t[40];
    kw_time_iso8601(ms, t, sizeof t);
    return json_string(t);
}

const char *report_sev_name(int sev)
{
    static const char *const names[] = {"unknown", "low", "medium", "high", "critical"};
    return sev >= 1 && sev <= 4 ? names[sev] : names[0];
}

/* Runs q; a failure of a module's table (never made, another backend's) marks the section
 * unavailable instead of failing the whole report, but the alerts' are fatal. */
static bool run(gather *g, const char *section, store_report_query q, int64_t from, int64_t to, int64_t extra,
                void (*fn)(void *, const store_report_row *), void *arg)
{
    kw_rc rc = store_report_rows(g->st, q, from, to, extra, fn, arg);
    if (rc == KW_OK)
        return true;
    if (strcmp(section, "alerts") == 0) {
        snprintf(g->err, g->errn, "report: reading the alerts: %s", store_errmsg(g->st));
        g->rc = rc;
    } else
        json_array_append_new(g->unavailable, json_string(section));
    return false;
}

/* Text from the store as a JSON string: invalid UTF-8 (a log line's bytes) replaced, so
 * jansson takes it ("" for NULL). */
static json_t *txt(const char *s)
{
    char *fixed = kw_utf8_fix(s);
    json_t *v = json_string(fixed ? fixed : s ? s : "");
    free(fixed);
    return v ? v : json_string("");
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? txt(s) : json_null();
}

static json_t *sev_obj(void)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I}", "critical", (json_int_t)0, "high", (json_int_t)0, "medium", (json_int_t)0,
                     "low", (json_int_t)0, "total", (json_int_t)0);
}

static void obj_add(json_t *o, const char *key, int64_t n)
{
    json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + n));
}

static void sev_add(json_t *o, int sev, int64_t n)
{
    if (sev >= 1 && sev <= 4)
        obj_add(o, report_sev_name(sev), n);
    obj_add(o, "total", n);
}

/* ---- duty: officers per schedule, handovers, entries, the chain ---- */

static void officers(gather *g, json_t *duty)
{
    json_t *a = json_array();
    for (size_t i = 0; i < g->c->schedules.n; i++) {
        const conf_schedule *s = CONF_AT(g->c->schedules, conf_schedule, i);
        oncall_shifts sh = {0};
        oncall_schedule_shifts(g->c, s, g->r->from_ms, g->r->to_ms, &sh);
        for (size_t k = 0; k < sh.n && json_array_size(a) < SHIFTS_MAX; k++) {
            const conf_person *p = conf_person_find(g->c, sh.v[k].person);
            json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:o,s:o}", "schedule", s->name, "person", sh.v[k].person,
                                               "display", str_or_null(p ? p->display : NULL), "start",
                                               report_time_json(sh.v[k].start_ms), "end",
                                               report_time_json(sh.v[k].end_ms)));
        }
        oncall_shifts_free(&sh);
    }
    json_object_set_new(duty, "officers", a);
}

static void handover_row(void *arg, const store_report_row *w)
{
    json_array_append_new(arg, json_pack("{s:o,s:o,s:o}", "at", report_time_json((int64_t)w->v[0]), "by",
                                         str_or_null(w->s[1]), "text", str_or_null(w->s[2])));
}

static void kind_row(void *arg, const store_report_row *w)
{
    json_t *duty = arg;
    json_t *k = txt(w->s[0]);
    json_object_set_new(json_object_get(duty, "by_kind"), json_string_value(k), json_integer((json_int_t)w->v[1]));
    json_decref(k);
    obj_add(duty, "entries", (int64_t)w->v[1]);
}

static void duty_verify(gather *g, json_t *duty)
{
    int64_t bad = 0, n = 0;
    char why[256] = "";
    kw_rc rc = store_duty_verify(g->st, &bad, &n, why, sizeof why);
    json_t *v = json_pack("{s:b,s:I,s:o,s:o}", "ok", rc == KW_OK, "chain_entries", (json_int_t)n, "broken_at",
                          rc == KW_ERR_PARSE ? json_integer(bad) : json_null(), "why",
                          rc == KW_OK ? json_null() : json_string(rc == KW_ERR_PARSE ? why : store_errmsg(g->st)));
    json_object_set_new(duty, "verify", v);
}

static void gather_duty(gather *g)
{
    json_t *duty = json_pack("{s:I,s:{},s:[]}", "entries", (json_int_t)0, "by_kind", "handovers");
    officers(g, duty);
    run(g, "duty", STORE_REP_HANDOVERS, g->r->from_ms, g->r->to_ms, g->top * 5, handover_row,
        json_object_get(duty, "handovers"));
    run(g, "duty", STORE_REP_DUTY_KINDS, g->r->from_ms, g->r->to_ms, 0, kind_row, duty);
    if (report_cut_has(g->r->cut, "verify"))
        duty_verify(g, duty);
    json_object_set_new(g->out, "duty", duty);
}

/* ---- alerts ---- */

static void rule_row(void *arg, const store_report_row *w)
{
    json_array_append_new(arg, json_pack("{s:o,s:b,s:I,s:s}", "rule", txt(w->s[0]), "drill", w->v[1] != 0, "count",
                                         (json_int_t)w->v[2], "max_severity", report_sev_name((int)w->v[3])));
}

typedef struct buckets {
    int64_t from, width;
    size_t n;
    json_t *points, *alerts;
} buckets;

/* A bucket's count of one kind and severity: into the totals, and into the bucket's point. */
static void bucket_row(void *arg, const store_report_row *w)
{
    buckets *b = arg;
    bool drill = w->v[1] != 0;
    int64_t n = (int64_t)w->v[4];
    sev_add(json_object_get(b->alerts, drill ? "drill_by_severity" : "by_severity"), (int)w->v[3], n);
    obj_add(b->alerts, drill ? "drill" : "real", n);
    obj_add(b->alerts, "total", n);
    if (w->v[0] < 0 || w->v[0] >= (double)b->n)
        return;
    json_t *p = json_array_get(b->points, (size_t)w->v[0]);
    obj_add(p, w->v[1] != 0 ? "drill" : "real", n);
    if (w->v[1] == 0 && w->v[2] != 0)
        obj_add(p, "attacks", n);
}

static int64_t bucket_width(const report_req *r)
{
    return r->to_ms - r->from_ms > 3 * DAY_MS ? DAY_MS : HOUR_MS;
}

static void gather_buckets(gather *g, json_t *al)
{
    buckets b = {.from = g->r->from_ms, .width = bucket_width(g->r), .points = json_array(), .alerts = al};
    b.n = (size_t)((g->r->to_ms - g->r->from_ms + b.width - 1) / b.width);
    if (b.n > BUCKETS_MAX)
        b.n = BUCKETS_MAX;
    for (size_t i = 0; i < b.n; i++)
        json_array_append_new(b.points,
                              json_pack("{s:o,s:I,s:I,s:I}", "t", report_time_json(b.from + (int64_t)i * b.width),
                                        "real", (json_int_t)0, "attacks", (json_int_t)0, "drill", (json_int_t)0));
    run(g, "alerts", STORE_REP_ALERTS_BUCKET, g->r->from_ms, g->r->to_ms, b.width, bucket_row, &b);
    json_object_set_new(al, "per_bucket",
                        json_pack("{s:I,s:o}", "bucket_s", (json_int_t)(b.width / 1000), "points", b.points));
}

/* "14:05" (a day's report) or "12-01 14:05" (longer) in the configuration's zone. */
static void local_time(const gather *g, int64_t ms, char *out, size_t n)
{
    time_t t = (time_t)(ms / 1000 + (int64_t)g->c->console.tz_min * 60);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, g->r->kind == REPORT_DAILY ? "%H:%M" : "%m-%d %H:%M", &tm);
}

static void minutes(int64_t ms, char *out, size_t n)
{
    if (ms < 60000)
        snprintf(out, n, "%llds", (long long)(ms / 1000));
    else if (ms < 48 * HOUR_MS)
        snprintf(out, n, "%lldmin", (long long)(ms / 60000));
    else
        snprintf(out, n, "%lldh", (long long)(ms / HOUR_MS));
}

/* The notable alert told in a sentence, in English and in Chinese. */
static void notable_text(const gather *g, const store_report_row *w, json_t *o)
{
    static const char *const sev_zh[] = {"", "低危", "中危", "高危", "严重"};
    int sev = (int)w->v[2];
    char at[32], ack[32] = "", res[32] = "", inc[32] = "", where[300] = "", where_zh[300] = "";
    local_time(g, (int64_t)w->v[5], at, sizeof at);
    if (!w->null[6])
        minutes((int64_t)(w->v[6] - w->v[5]), ack, sizeof ack);
    if (!w->null[8])
        minutes((int64_t)(w->v[8] - w->v[5]), res, sizeof res);
    if (!w->null[10])
        snprintf(inc, sizeof inc, "%lld", (long long)w->v[10]);
    const char *src = w->s[11], *on = w->s[12] && *w->s[12] ? w->s[12] : NULL;
    snprintf(where, sizeof where, "%s%s%s%s", on ? " on " : "", on ? on : "", src ? " from " : "", src ? src : "");
    snprintf(where_zh, sizeof where_zh, "%s%s%s%s", on ? "，目标 " : "", on ? on : "", src ? "，来源 " : "",
             src ? src : "");
    const char *rule = w->s[1] ? w->s[1] : "", *sum = w->s[4] ? w->s[4] : "", *by = w->s[7];
    char ack_en[200], ack_zh[200], res_en[64], res_zh[64], en[1400], zh[1400];
    if (ack[0])
        snprintf(ack_en, sizeof ack_en, "acknowledged after %s%s%s", ack, by ? " by " : "", by ? by : "");
    else
        snprintf(ack_en, sizeof ack_en, "never acknowledged");
    if (ack[0])
        snprintf(ack_zh, sizeof ack_zh, "%s%s %s 后确认", by ? by : "", by ? " 于" : "", ack);
    else
        snprintf(ack_zh, sizeof ack_zh, "未确认");
    snprintf(res_en, sizeof res_en, "%s%s", res[0] ? "resolved after " : "still open", res);
    snprintf(res_zh, sizeof res_zh, "%s%s", res[0] ? res : "仍未解除", res[0] ? " 后解除" : "");
    snprintf(en, sizeof en, "%s %s%s %s%s: %s; %s; %s%s%s.", at, w->v[9] != 0 ? "[DRILL] " : "", report_sev_name(sev),
             rule, where, sum, ack_en, res_en, inc[0] ? "; in incident #" : "", inc);
    snprintf(zh, sizeof zh, "%s %s%s告警 %s%s：%s；%s；%s%s%s。", at, w->v[9] != 0 ? "【演练】" : "",
             sev >= 1 && sev <= 4 ? sev_zh[sev] : "", rule, where_zh, sum, ack_zh, res_zh,
             inc[0] ? "；已纳入事件 #" : "", inc);
    json_object_set_new(o, "text", txt(en)); /* a cut may have split a character */
    json_object_set_new(o, "text_zh", txt(zh));
}

static void notable_row(void *arg, const store_report_row *w)
{
    gather *g = arg;
    json_t *o = json_pack("{s:I,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o}", "id", (json_int_t)w->v[0], "rule",
                          txt(w->s[1]), "severity", report_sev_name((int)w->v[2]), "state", txt(w->s[3]), "summary",
                          txt(w->s[4]), "started", report_time_json((int64_t)w->v[5]), "acked",
                          report_time_json((int64_t)w->v[6]), "acked_by", str_or_null(w->s[7]), "resolved",
                          report_time_json((int64_t)w->v[8]), "drill", w->v[9] != 0, "incident",
                          w->null[10] ? json_null() : json_integer((json_int_t)w->v[10]), "src", str_or_null(w->s[11]),
                          "where", str_or_null(w->s[12]));
    notable_text(g, w, o);
    json_array_append_new(json_object_get(json_object_get(g->out, "alerts"), "notable"), o);
}

static void gather_alerts(gather *g)
{
    json_t *al =
        json_pack("{s:I,s:I,s:I,s:o,s:o,s:[],s:[]}", "total", (json_int_t)0, "real", (json_int_t)0, "drill",
                  (json_int_t)0, "by_severity", sev_obj(), "drill_by_severity", sev_obj(), "by_rule", "notable");
    json_object_set_new(g->out, "alerts", al);
    run(g, "alerts", STORE_REP_ALERTS_RULE, g->r->from_ms, g->r->to_ms, g->top * 2, rule_row,
        json_object_get(al, "by_rule"));
    gather_buckets(g, al);
    if (report_cut_has(g->r->cut, "notable") && g->c->report.notable_max > 0)
        run(g, "alerts", STORE_REP_NOTABLE, g->r->from_ms, g->r->to_ms, g->c->report.notable_max, notable_row, g);
}

/* ---- attacks ---- */

static void top_row(void *arg, const store_report_row *w)
{
    json_array_append_new(arg, json_pack("{s:o,s:I,s:s,s:I}", "address", txt(w->s[0]), "count", (json_int_t)w->v[1],
                                         "max_severity", report_sev_name((int)w->v[2]), "rules", (json_int_t)w->v[3]));
}

static void peak_row(void *arg, const store_report_row *w)
{
    json_array_append_new(arg, json_pack("{s:I,s:o,s:f,s:o,s:o,s:o}", "id", (json_int_t)w->v[0], "rule", txt(w->s[1]),
                                         "peak_pps", w->v[2], "target", str_or_null(w->s[3]), "started",
                                         report_time_json((int64_t)w->v[4]), "src", str_or_null(w->s[5])));
}

static void gather_attacks(gather *g)
{
    json_t *a = json_pack("{s:[],s:[],s:[]}", "top_sources", "top_targets", "peaks");
    json_object_set_new(g->out, "attacks", a);
    run(g, "alerts", STORE_REP_TOP_SOURCES, g->r->from_ms, g->r->to_ms, g->top, top_row,
        json_object_get(a, "top_sources"));
    run(g, "alerts", STORE_REP_TOP_TARGETS, g->r->from_ms, g->r->to_ms, g->top, top_row,
        json_object_get(a, "top_targets"));
    run(g, "alerts", STORE_REP_PEAKS, g->r->from_ms, g->r->to_ms, g->top, peak_row, json_object_get(a, "peaks"));
}

/* ---- hosts and devices ---- */

static void agent_row(void *arg, const store_report_row *w)
{
    json_t *h = arg;
    obj_add(h, "agents", 1);
    if (w->v[3] != 0 && w->v[2] == 0)
        obj_add(h, "agents_seen", 1);
    if (w->v[2] != 0)
        obj_add(h, "agents_revoked", 1);
}

static void metric_row(void *arg, const store_report_row *w)
{
    json_t *labels = w->s[1] ? json_loads(w->s[1], 0, NULL) : NULL, *o = json_object();
    const char *host = json_string_value(json_object_get(labels, "host"));
    const char *mount = json_string_value(json_object_get(labels, "mountpoint"));
    json_object_set_new(o, "metric", txt(w->s[0]));
    json_object_set_new(o, "host", str_or_null(host));
    json_object_set_new(o, "mount", str_or_null(mount));
    json_object_set_new(o, "min", json_real(w->v[2]));
    json_object_set_new(o, "avg", json_real(isfinite(w->v[3]) ? w->v[3] : 0));
    json_object_set_new(o, "max", json_real(w->v[4]));
    json_object_set_new(o, "samples", json_integer((json_int_t)w->v[5]));
    json_decref(labels);
    json_array_append_new(arg, o);
}

static void host_alert_row(void *arg, const store_report_row *w)
{
    json_array_append_new(arg, json_pack("{s:o,s:o,s:I,s:s,s:I}", "name", txt(w->s[0]), "kind", txt(w->s[1]), "count",
                                         (json_int_t)w->v[2], "max_severity", report_sev_name((int)w->v[3]), "open",
                                         (json_int_t)w->v[4]));
}

static void gather_hosts(gather *g)
{
    json_t *h = json_pack("{s:I,s:I,s:I,s:I,s:I,s:[]}", "assets", (json_int_t)g->c->assets.n, "snmp_devices",
                          (json_int_t)g->c->snmp.devices.n, "agents", (json_int_t)0, "agents_seen", (json_int_t)0,
                          "agents_revoked", (json_int_t)0, "metrics");
    json_object_set_new(h, "alerts", json_array());
    run(g, "alerts", STORE_REP_HOST_ALERTS, g->r->from_ms, g->r->to_ms, g->top, host_alert_row,
        json_object_get(h, "alerts"));
    json_object_set_new(g->out, "hosts", h);
    run(g, "agents", STORE_REP_AGENTS, g->r->from_ms, g->r->to_ms, 10000, agent_row, h);
    json_t *m = json_object_get(h, "metrics");
    run(g, "metrics", STORE_REP_HOST_METRICS, g->r->from_ms, g->r->to_ms, g->top * 3, metric_row, m);
    if (!json_array_size(m))
        run(g, "metrics", STORE_REP_HOST_METRICS_RAW, g->r->from_ms, g->r->to_ms, g->top * 3, metric_row, m);
}

/* ---- findings and their burndown ---- */

static void fsev_row(void *arg, const store_report_row *w)
{
    sev_add(arg, (int)w->v[0], (int64_t)w->v[1]);
}

static void fmoved_row(void *arg, const store_report_row *w)
{
    json_t *f = arg;
    if (w->s[0] && (strcmp(w->s[0], "fixed") == 0 || strcmp(w->s[0], "verified") == 0))
        sev_add(json_object_get(f, w->s[0]), (int)w->v[1], (int64_t)w->v[2]);
}

static void fopen_row(void *arg, const store_report_row *w)
{
    json_t *f = arg;
    sev_add(json_object_get(f, "open"), (int)w->v[0], (int64_t)w->v[1]);
    sev_add(json_object_get(f, "overdue"), (int)w->v[0], (int64_t)w->v[2]);
}

typedef struct burn {
    size_t n;
    int64_t open[400];
} burn;

static void span_row(void *arg, const store_report_row *w)
{
    burn *b = arg;
    int64_t opened = (int64_t)w->v[0], closed = (int64_t)w->v[1], n = (int64_t)w->v[2];
    if (closed == -1)
        return; /* closed before the chart starts */
    for (size_t d = opened < 0 ? 0 : (size_t)opened; d < b->n; d++)
        if (closed == -2 || closed > (int64_t)d)
            b->open[d] += n;
}

/* Open findings at the end of each day: the period's days, or a day's report's last 14. */
static void gather_burndown(gather *g, json_t *f)
{
    burn b = {0};
    int64_t from = g->r->kind == REPORT_DAILY ? g->r->to_ms - 14 * DAY_MS : g->r->from_ms;
    b.n = (size_t)((g->r->to_ms - from + DAY_MS - 1) / DAY_MS);
    if (b.n > sizeof b.open / sizeof b.open[0]) {
        b.n = sizeof b.open / sizeof b.open[0];
        from = g->r->to_ms - (int64_t)b.n * DAY_MS;
    }
    json_t *a = json_array();
    if (run(g, "findings", STORE_REP_FINDINGS_SPAN, from, g->r->to_ms, DAY_MS, span_row, &b))
        for (size_t d = 0; d < b.n; d++) {
            int64_t t = from + (int64_t)(d + 1) * DAY_MS;
            json_array_append_new(a, json_pack("{s:o,s:I}", "t", report_time_json(t < g->r->to_ms ? t : g->r->to_ms),
                                               "open", (json_int_t)b.open[d]));
        }
    json_object_set_new(f, "burndown", a);
}

static void gather_findings(gather *g)
{
    json_t *f = json_pack("{s:o,s:o,s:o,s:o,s:o}", "opened", sev_obj(), "fixed", sev_obj(), "verified", sev_obj(),
                          "open", sev_obj(), "overdue", sev_obj());
    json_object_set_new(g->out, "findings", f);
    run(g, "findings", STORE_REP_FINDINGS_OPENED, g->r->from_ms, g->r->to_ms, 0, fsev_row,
        json_object_get(f, "opened"));
    run(g, "findings", STORE_REP_FINDINGS_MOVED, g->r->from_ms, g->r->to_ms, 0, fmoved_row, f);
    run(g, "findings", STORE_REP_FINDINGS_OPEN, g->r->from_ms, g->r->to_ms, 0, fopen_row, f);
    gather_burndown(g, f);
}

/* ---- configuration drift, outages ---- */

static void drift_row(void *arg, const store_report_row *w)
{
    json_array_append_new(arg, json_pack("{s:I,s:o,s:o,s:o,s:o}", "id", (json_int_t)w->v[0], "summary", txt(w->s[1]),
                                         "started", report_time_json((int64_t)w->v[2]), "state", txt(w->s[3]), "where",
                                         str_or_null(w->s[4])));
}

static void count_row(void *arg, const store_report_row *w)
{
    *(int64_t *)arg = (int64_t)w->v[0];
}

static void gather_drift(gather *g)
{
    int64_t n = 0;
    json_t *items = json_array();
    run(g, "alerts", STORE_REP_DRIFT_COUNT, g->r->from_ms, g->r->to_ms, 0, count_row, &n);
    run(g, "alerts", STORE_REP_DRIFT, g->r->from_ms, g->r->to_ms, g->top, drift_row, items);
    json_object_set_new(g->out, "drift", json_pack("{s:I,s:o}", "count", (json_int_t)n, "items", items));
}

static void outage_row(void *arg, const store_report_row *w)
{
    json_array_append_new(arg, json_pack("{s:I,s:o,s:o,s:o,s:o,s:b,s:o}", "id", (json_int_t)w->v[0], "summary",
                                         txt(w->s[1]), "started", report_time_json((int64_t)w->v[2]), "resolved",
                                         report_time_json((int64_t)w->v[3]), "where", str_or_null(w->s[4]), "drill",
                                         w->v[5] != 0, "state", txt(w->s[6])));
}

static void gather_outages(gather *g)
{
    json_t *a = json_array();
    run(g, "alerts", STORE_REP_OUTAGES, g->r->from_ms, g->r->to_ms, g->top * 5, outage_row, a);
    json_object_set_new(g->out, "outages", a);
}

/* ---- incidents and the lessons of their reviews ---- */

static const char *grade_name(int grade)
{
    return grade >= 1 && grade <= 4 ? incident_grade_names[grade - 1] : "";
}

static void incident_row(void *arg, const store_report_row *w)
{
    gather *g = arg;
    json_t *inc = json_object_get(g->out, "incidents");
    json_array_append_new(json_object_get(inc, "items"),
                          json_pack("{s:I,s:o,s:o,s:s,s:o,s:b,s:o,s:o,s:o,s:o}", "id", (json_int_t)w->v[0], "title",
                                    txt(w->s[1]), "playbook", txt(w->s[2]), "grade", grade_name((int)w->v[3]), "state",
                                    txt(w->s[4]), "drill", w->v[5] != 0, "declared", report_time_json((int64_t)w->v[6]),
                                    "closed", report_time_json((int64_t)w->v[7]), "contained",
                                    report_time_json((int64_t)w->v[11]), "category", str_or_null(w->s[10])));
    bool lessons = w->s[8] && *w->s[8], cause = w->s[9] && *w->s[9];
    if (g->r->kind == REPORT_PERIOD && (lessons || cause) && report_cut_has(g->r->cut, "lessons"))
        json_array_append_new(json_object_get(g->out, "lessons"),
                              json_pack("{s:I,s:o,s:b,s:o,s:o}", "incident", (json_int_t)w->v[0], "title", txt(w->s[1]),
                                        "drill", w->v[5] != 0, "lessons", str_or_null(w->s[8]), "cause",
                                        str_or_null(w->s[9])));
}

static void inc_count_row(void *arg, const store_report_row *w)
{
    json_t *o = w->v[0] != 0 ? json_object_get(arg, "drill") : arg;
    obj_add(o, "declared", (int64_t)w->v[1]);
    obj_add(o, "closed", (int64_t)w->v[2]);
    obj_add(o, "open", (int64_t)w->v[3]);
}

static void gather_incidents(gather *g)
{
    json_t *inc = json_pack("{s:I,s:I,s:I,s:{s:I,s:I,s:I},s:[]}", "declared", (json_int_t)0, "closed", (json_int_t)0,
                            "open", (json_int_t)0, "drill", "declared", (json_int_t)0, "closed", (json_int_t)0, "open",
                            (json_int_t)0, "items");
    json_object_set_new(g->out, "incidents", inc);
    if (g->r->kind == REPORT_PERIOD && report_cut_has(g->r->cut, "lessons"))
        json_object_set_new(g->out, "lessons", json_array());
    run(g, "incidents", STORE_REP_INCIDENT_COUNTS, g->r->from_ms, g->r->to_ms, 0, inc_count_row, inc);
    run(g, "incidents", STORE_REP_INCIDENTS, g->r->from_ms, g->r->to_ms, g->top * 5, incident_row, g);
}

/* ---- drills run, and their trend ---- */

/* o's member key, or null (for json_pack's "O"). */
static json_t *field(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v ? v : json_null();
}

static json_t *run_brief(json_t *run)
{
    json_t *weak = json_object_get(run, "weak"), *texts = json_array(), *o = json_object();
    for (size_t i = 0; i < json_array_size(weak) && i < 5; i++) {
        json_t *w = json_array_get(weak, i);
        json_array_append_new(texts, json_pack("{s:O,s:O}", "text", field(w, "text"), "text_zh", field(w, "text_zh")));
    }
    static const char *const keep[] = {"id",       "scenario", "title", "title_zh", "state",   "tabletop",
                                       "surprise", "started",  "ended", "score",    "incident"};
    for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++)
        json_object_set(o, keep[k], field(run, keep[k]));
    json_object_set_new(o, "weak_count", json_integer((json_int_t)json_array_size(weak)));
    json_object_set_new(o, "weak", texts);
    return o;
}

/* Per scenario, the scores of its runs oldest first (the runs come newest first). */
static json_t *drill_trend(json_t *runs)
{
    json_t *by = json_object(), *out = json_array();
    for (size_t i = json_array_size(runs); i-- > 0;) {
        json_t *r = json_array_get(runs, i);
        const char *sc = json_string_value(json_object_get(r, "scenario"));
        if (!sc)
            continue;
        json_t *list = json_object_get(by, sc);
        if (!list) {
            list = json_array();
            json_object_set_new(by, sc, list);
            json_array_append_new(out, json_pack("{s:s,s:O}", "scenario", sc, "runs", list));
        }
        json_array_append_new(list, json_pack("{s:O,s:O,s:O}", "id", field(r, "id"), "started", field(r, "started"),
                                              "score", field(r, "score")));
    }
    json_decref(by);
    return out;
}

static void gather_drills(gather *g)
{
    kw_buf b;
    kw_buf_init(&b, 16 << 20);
    json_t *runs = json_array();
    if (store_drill_runs_json(g->st, g->r->from_ms, g->r->to_ms, &b) == KW_OK && !b.overflow) {
        json_t *all = json_loadb(b.data ? b.data : "[]", b.len, 0, NULL);
        for (size_t i = 0; i < json_array_size(all) && i < RUNS_MAX; i++)
            if (json_is_object(json_array_get(all, i)))
                json_array_append_new(runs, run_brief(json_array_get(all, i)));
        json_decref(all);
    } else
        json_array_append_new(g->unavailable, json_string("drills"));
    kw_buf_free(&b);
    if (g->r->kind == REPORT_PERIOD && report_cut_has(g->r->cut, "drill_trend"))
        json_object_set_new(g->out, "drill_trend", drill_trend(runs));
    json_object_set_new(g->out, "drills", runs);
}

/* ---- the period's response times per department, remediation achieved ---- */

static const char *dept_of(const conf *c, const char *where)
{
    if (!where || !*where)
        return "";
    const conf_asset *a = conf_asset_find(c, where);
    if (!a)
        a = conf_asset_by_address(c, where);
    return a && a->department ? a->department : "";
}

static void response_row(void *arg, const store_report_row *w)
{
    gather *g = arg;
    if (w->v[1] != 0)
        return; /* drills are scored apart */
    json_t *by = json_object_get(g->out, "response_by");
    const char *d = dept_of(g->c, w->s[0]);
    json_t *o = json_object_get(by, d);
    if (!o) {
        o = json_pack("{s:I,s:I,s:I,s:I,s:I}", "alerts", (json_int_t)0, "acked", (json_int_t)0, "ack_ms", (json_int_t)0,
                      "resolved", (json_int_t)0, "resolve_ms", (json_int_t)0);
        json_object_set_new(by, d, o);
    }
    obj_add(o, "alerts", (int64_t)w->v[2]);
    obj_add(o, "acked", (int64_t)w->v[3]);
    obj_add(o, "ack_ms", (int64_t)w->v[4]);
    obj_add(o, "resolved", (int64_t)w->v[5]);
    obj_add(o, "resolve_ms", (int64_t)w->v[6]);
}

static json_t *mean_s(json_t *o, const char *sum, const char *n)
{
    json_int_t k = json_integer_value(json_object_get(o, n));
    return k > 0 ? json_real((double)json_integer_value(json_object_get(o, sum)) / (double)k / 1000.0) : json_null();
}

static void gather_response(gather *g)
{
    json_object_set_new(g->out, "response_by", json_object());
    run(g, "alerts", STORE_REP_RESPONSE, g->r->from_ms, g->r->to_ms, RESPONSE_GROUPS, response_row, g);
    json_t *by = json_object_get(g->out, "response_by"), *a = json_array(), *o;
    const char *d;
    json_object_foreach(by, d, o)
    {
        const conf_department *dep = *d ? conf_department_find(g->c, d) : NULL;
        json_array_append_new(
            a, json_pack("{s:o,s:o,s:O,s:O,s:O,s:o,s:o}", "department", str_or_null(d), "display",
                         str_or_null(dep ? dep->display : NULL), "alerts", json_object_get(o, "alerts"), "acked",
                         json_object_get(o, "acked"), "resolved", json_object_get(o, "resolved"), "mtta_s",
                         mean_s(o, "ack_ms", "acked"), "mttr_s", mean_s(o, "resolve_ms", "resolved")));
    }
    json_object_del(g->out, "response_by");
    json_object_set_new(g->out, "response", a);
}

static void gather_remediation(gather *g)
{
    json_t *f = json_object_get(g->out, "findings"), *rem = json_object();
    static const char *const sevs[] = {"critical", "high", "medium", "low", "total"};
    for (size_t i = 0; f && i < sizeof sevs / sizeof sevs[0]; i++) {
        json_int_t op = json_integer_value(json_object_get(json_object_get(f, "opened"), sevs[i]));
        json_int_t fx = json_integer_value(json_object_get(json_object_get(f, "fixed"), sevs[i]));
        json_int_t vf = json_integer_value(json_object_get(json_object_get(f, "verified"), sevs[i]));
        json_int_t left = json_integer_value(json_object_get(json_object_get(f, "open"), sevs[i]));
        json_object_set_new(rem, sevs[i],
                            json_pack("{s:I,s:I,s:I,s:I,s:o}", "opened", op, "fixed", fx, "verified", vf, "open_at_end",
                                      left, "verified_share",
                                      op > 0 ? json_real((double)vf / (double)op) : json_null()));
    }
    json_object_set_new(g->out, "remediation", rem);
}

/* ---- the whole ---- */

static void gather_head(gather *g)
{
    const conf *c = g->c;
    const report_req *r = g->r;
    json_object_set_new(g->out, "kind", json_string(r->kind == REPORT_DAILY ? "daily" : "period"));
    json_object_set_new(g->out, "from", report_time_json(r->from_ms));
    json_object_set_new(g->out, "to", report_time_json(r->to_ms));
    json_object_set_new(g->out, "generated", report_time_json(r->now_ms));
    json_object_set_new(g->out, "tz_min", json_integer(c->console.tz_min));
    json_object_set_new(g->out, "organisation", str_or_null(c->incident.organisation));
    json_object_set_new(g->out, "period",
                        json_pack("{s:o,s:o,s:o}", "name", str_or_null(c->period.name), "start",
                                  report_time_json(c->period.start_ms), "end", report_time_json(c->period.end_ms)));
    json_object_set_new(g->out, "cut", json_string(report_cut_name(r->cut)));
    json_object_set_new(g->out, "department", str_or_null(r->department));
    json_object_set_new(g->out, "lang", json_string(r->lang == DOC_LANG_EN ? "en" : "zh"));
}

kw_rc report_gather(kw_store *st, const conf *c, const report_req *r, json_t **out, char *err, size_t n)
{
    gather g = {.st = st,
                .c = c,
                .r = r,
                .top = c->report.top_n > 0 ? c->report.top_n : 10,
                .out = json_object(),
                .unavailable = json_array(),
                .err = err,
                .errn = n};
    gather_head(&g);
    if (report_cut_has(r->cut, "duty"))
        gather_duty(&g);
    if (report_cut_has(r->cut, "alerts"))
        gather_alerts(&g);
    if (report_cut_has(r->cut, "attacks"))
        gather_attacks(&g);
    if (report_cut_has(r->cut, "hosts"))
        gather_hosts(&g);
    if (report_cut_has(r->cut, "findings"))
        gather_findings(&g);
    if (report_cut_has(r->cut, "drift"))
        gather_drift(&g);
    if (report_cut_has(r->cut, "outages"))
        gather_outages(&g);
    gather_incidents(&g);
    if (report_cut_has(r->cut, "drills"))
        gather_drills(&g);
    if (r->kind == REPORT_PERIOD && report_cut_has(r->cut, "response"))
        gather_response(&g);
    if (r->kind == REPORT_PERIOD && report_cut_has(r->cut, "remediation") && json_object_get(g.out, "findings"))
        gather_remediation(&g);
    store_release(st);
    json_object_set_new(g.out, "unavailable", g.unavailable);
    if (g.rc != KW_OK) {
        json_decref(g.out);
        return g.rc;
    }
    *out = g.out;
    return KW_OK;
}
