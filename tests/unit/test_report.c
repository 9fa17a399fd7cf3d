/* The report (src/report): a store filled by the test through the store API (alerts fired,
 * acknowledged and resolved, duty-log entries and a handover) and its tables (findings and
 * their history, incidents, metric history) gathered for one local day and for the period;
 * the figures checked in the JSON and in the Markdown; the date, kind, format and cut words. */
#include "alert/alert.h"
#include "kw_test.h"
#include "kw_test_conf.h"
#include "kw_test_store.h"
#include "report/report_int.h"
#include "store/store_agent.h"
#include "store/store_drill.h"
#include "store/store_findings.h"
#include "store/store_incident.h"
#include "store/store_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define H 3600000LL
/* 2026-12-01T00:00+08:00 */
#define DAY0 INT64_C(1796054400000)

static char tmpdir[64];

static const char *conf_yaml =
    "builtin_rules: false\n"
    "console: {timezone: \"+08:00\"}\n"
    "period: {name: 2026 重保, start: \"2026-11-20T00:00\", end: \"2026-12-10T00:00\"}\n"
    "incident: {organisation: 示例单位}\n"
    "departments:\n"
    "  - {name: ops, display: 运维部, kind: operations}\n"
    "  - {name: cs, display: 客服部, kind: customer_service}\n"
    "people:\n"
    "  - {name: ann, display: 安妮, departments: [ops]}\n"
    "  - {name: bob, departments: [ops]}\n"
    "schedules:\n"
    "  - name: duty\n"
    "    timezone: \"+08:00\"\n"
    "    layers:\n"
    "      - {name: main, members: [ann, bob], rotation: daily, start: \"2026-11-01\", handoff: \"09:00\"}\n"
    "assets:\n"
    "  - {name: web, addresses: [10.0.0.80], department: ops}\n"
    "report:\n"
    "  send:\n"
    "    - {department: cs}\n";

static int64_t fire(kw_store *s, const char *rule, int sev, const char *labels, int64_t at, double peak)
{
    alert_acts a = {0};
    alert_act *x = alert_acts_push(&a, ALERT_ACT_FIRE, "test", rule, strdup(labels));
    x->severity = sev;
    x->summary = strdup(rule);
    x->at_ms = x->started_ms = at;
    x->value = x->peak = peak;
    kw_rc rc = store_alert_apply(s, x);
    int64_t id = rc == KW_OK ? x->alert_id : 0;
    alert_acts_free(&a);
    return id;
}

static void exec(kw_store *s, const char *sql)
{
    kw_rc rc = store_exec(s, sql);
    if (rc != KW_OK)
        fprintf(stderr, "  %s: %s\n", sql, store_errmsg(s));
    CHECK(rc == KW_OK);
}

/* The day: 3 SYN floods from 198.51.100.7 against 10.0.0.80 (one critical, acked after 5 min,
 * resolved after 30), a high port scan, 2 medium drill alerts, one service_down, one
 * audit_drift; and one alert the day before (not counted). */
static void fill_alerts(kw_store *s)
{
    int st;
    int64_t a = fire(s, "syn_flood", 4, "{\"dst\":\"10.0.0.80\",\"interface\":\"eth0\",\"src\":\"198.51.100.7\"}",
                     DAY0 + 2 * H, 120000);
    CHECK(a > 0);
    CHECK(store_alert_ack(s, a, "ann", NULL, DAY0 + 2 * H + 300000, &st) == KW_OK);
    CHECK(store_alert_resolve(s, a, "ann", NULL, DAY0 + 2 * H + 1800000, &st) == KW_OK);
    for (int i = 1; i < 3; i++) {
        char l[128];
        snprintf(l, sizeof l, "{\"dst\":\"10.0.0.80\",\"interface\":\"eth%d\",\"src\":\"198.51.100.7\"}", i);
        CHECK(fire(s, "syn_flood", 3, l, DAY0 + (2 + i) * H, 50000.0 * i) > 0);
    }
    CHECK(fire(s, "port_scan", 3, "{\"interface\":\"eth0\",\"src\":\"203.0.113.9\"}", DAY0 + 5 * H, 40) > 0);
    CHECK(fire(s, "udp_flood", 2, "{\"drill\":\"7\",\"dst\":\"10.0.0.80\",\"interface\":\"kwd7a\"}", DAY0 + 6 * H,
               9000) > 0);
    CHECK(fire(s, "udp_flood", 2, "{\"drill\":\"7\",\"dst\":\"10.0.0.81\",\"interface\":\"kwd7a\"}", DAY0 + 6 * H + 1,
               9000) > 0);
    CHECK(fire(s, "service_down", 3, "{\"asset\":\"web\",\"check\":\"web-http\"}", DAY0 + 7 * H, 0) > 0);
    CHECK(fire(s, "audit_drift", 2, "{\"host\":\"db1\",\"job\":\"host\"}", DAY0 + 8 * H, 0) > 0);
    CHECK(fire(s, "port_scan", 3, "{\"interface\":\"eth0\",\"src\":\"203.0.113.10\"}", DAY0 - 2 * H, 40) > 0);
}

/* Findings: 2 opened in the day (critical, high), one of them fixed in it; one older medium
 * open and overdue; one older low fixed before the day. Incidents: one real declared in the
 * day and still open, one drill closed in the day with its lessons. Host CPU history. */
static void fill_tables(kw_store *s)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO findings (id, fingerprint, asset, vuln_id, scanner, title, place, severity, risk, status,"
             " active, first_ms, last_ms, status_ms, resolved_ms, due_ms) VALUES"
             " (1, 'f1', 'web', 'KW-WEB-XSS', 'keepwatch', 'xss', '/', 4, 9, 'fixed', 0, %lld, %lld, %lld, %lld, 0),"
             " (2, 'f2', 'web', 'KW-SSH', 'keepwatch', 'ssh', '22', 3, 7, 'open', 1, %lld, %lld, %lld, 0, 0),"
             " (3, 'f3', 'db', 'CVE-1', 'keepwatch', 'old', '1', 2, 5, 'open', 1, %lld, %lld, %lld, 0, %lld),"
             " (4, 'f4', 'db', 'CVE-2', 'keepwatch', 'gone', '1', 1, 1, 'verified', 0, %lld, %lld, %lld, %lld, 0);"
             "INSERT INTO finding_history (finding_id, at_ms, action, from_status, to_status) VALUES"
             " (1, %lld, 'status', 'open', 'fixed'), (4, %lld, 'status', 'fixed', 'verified');",
             (long long)(DAY0 + H), (long long)(DAY0 + H), (long long)(DAY0 + 9 * H), (long long)(DAY0 + 9 * H),
             (long long)(DAY0 + 3 * H), (long long)(DAY0 + 3 * H), (long long)(DAY0 + 3 * H),
             (long long)(DAY0 - 5 * 24 * H), (long long)(DAY0 - 5 * 24 * H), (long long)(DAY0 - 5 * 24 * H),
             (long long)(DAY0 - 24 * H), (long long)(DAY0 - 9 * 24 * H), (long long)(DAY0 - 9 * 24 * H),
             (long long)(DAY0 - 3 * 24 * H), (long long)(DAY0 - 3 * 24 * H), (long long)(DAY0 + 9 * H),
             (long long)(DAY0 - 3 * 24 * H));
    exec(s, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO incidents (id, title, playbook, playbook_digest, grade, state, drill, found_ms, declared_ms,"
             " declared_by, closed_ms, lessons, cause, org_type) VALUES"
             " (1, '网站遭受 DDoS', 'ddos', 'x', 3, 'open', 0, %lld, %lld, 'ann', 0, NULL, NULL, 'other'),"
             " (2, 'DDoS drill', 'ddos', 'x', 4, 'closed', 1, %lld, %lld, 'ann', %lld, 'switch earlier', 'none',"
             " 'other');"
             "INSERT INTO incident_alerts (incident, alert_id, attached_ms) VALUES (1, 2, %lld);",
             (long long)(DAY0 + 2 * H), (long long)(DAY0 + 2 * H), (long long)(DAY0 + 6 * H), (long long)(DAY0 + 6 * H),
             (long long)(DAY0 + 10 * H), (long long)(DAY0 + 2 * H));
    exec(s, sql);
    exec(s, "INSERT INTO metric_series (id, name, labels) VALUES (1, 'host_cpu_usage_ratio', '{\"host\":\"web1\"}')");
    for (int i = 0; i < 4; i++) {
        snprintf(sql, sizeof sql, "INSERT INTO metric_raw (series, ts, value) VALUES (1, %lld, %g)",
                 (long long)(DAY0 + i * H), 0.2 + 0.2 * i);
        exec(s, sql);
    }
    CHECK(store_duty_append(s, DAY0 + H, "alert_fired", "keepwatch", 1, "syn_flood") == KW_OK);
    CHECK(store_duty_handover(s, DAY0 + 9 * H, DAY0, "ann", "bob", "all quiet") == KW_OK);
}

static kw_store *store_filled(void)
{
    static int n;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/r%d.db", tmpdir, ++n);
    kwt_duty_keys_in(tmpdir, 100);
    kw_store *s = kwt_store_open(path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "  %s\n", err);
        return NULL;
    }
    CHECK(store_findings_migrate(s) == KW_OK && store_incident_migrate(s) == KW_OK && store_agent_migrate(s) == KW_OK &&
          store_drill_migrate(s) == KW_OK);
    fill_alerts(s);
    fill_tables(s);
    return s;
}

static json_t *gathered(kw_store *s, const conf *c, report_kind kind, int cut)
{
    report_req r = {.kind = kind, .cut = cut, .lang = DOC_LANG_EN, .now_ms = DAY0 + 48 * H};
    if (kind == REPORT_DAILY)
        CHECK(report_day_range(c, "2026-12-01", r.now_ms, &r.from_ms, &r.to_ms) == KW_OK);
    else
        CHECK(report_period_range(c, r.now_ms, &r.from_ms, &r.to_ms) == KW_OK);
    json_t *g = NULL;
    char err[256] = "";
    kw_rc rc = report_gather(s, c, &r, &g, err, sizeof err);
    if (rc != KW_OK)
        fprintf(stderr, "  %s\n", err);
    CHECK(rc == KW_OK);
    return g;
}

/* The value at a dotted path ("alerts.by_rule.0.count"; numbers index arrays), or NULL. */
static const json_t *walk(const json_t *v, const char *path)
{
    char key[64];
    for (const char *p = path; v && *p;) {
        size_t n = strcspn(p, ".");
        snprintf(key, sizeof key, "%.*s", (int)n, p);
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(key)) : json_object_get(v, key);
        p += n + (p[n] == '.');
    }
    return v;
}

static long long at(const json_t *g, const char *path)
{
    const json_t *v = walk(g, path);
    return v ? (json_is_true(v) ? 1 : (long long)json_number_value(v)) : -1;
}

static const char *at_s(const json_t *g, const char *path)
{
    const char *s = json_string_value(walk(g, path));
    return s ? s : "";
}

static void test_daily_figures(void)
{
    conf *c = kwt_conf(conf_yaml);
    kw_store *s = store_filled();
    CHECK(c && s);
    if (!c || !s)
        return;
    json_t *g = gathered(s, c, REPORT_DAILY, REPORT_CUT_FULL);
    CHECK_STR(json_string_value(json_object_get(g, "from")), "2026-11-30T16:00:00.000Z");
    CHECK_INT(at(g, "alerts.total"), 8);
    CHECK_INT(at(g, "alerts.real"), 6);
    CHECK_INT(at(g, "alerts.drill"), 2);
    CHECK_INT(at(g, "alerts.by_severity.critical"), 1);
    CHECK_INT(at(g, "alerts.by_severity.high"), 4);
    CHECK_INT(at(g, "alerts.drill_by_severity.medium"), 2);
    CHECK_STR(at_s(g, "alerts.by_rule.0.rule"), "syn_flood");
    CHECK_INT(at(g, "alerts.by_rule.0.count"), 3);
    CHECK_INT(at(g, "alerts.per_bucket.bucket_s"), 3600);
    CHECK_INT(json_array_size(json_object_get(json_object_get(json_object_get(g, "alerts"), "per_bucket"), "points")),
              24);
    CHECK_INT(at(g, "alerts.per_bucket.points.2.attacks"), 1);
    CHECK_INT(at(g, "alerts.per_bucket.points.6.drill"), 2);
    /* notable: the incident's alert first, then the critical one */
    CHECK_INT(at(g, "alerts.notable.0.id"), 2);
    CHECK_INT(at(g, "alerts.notable.0.incident"), 1);
    CHECK_INT(at(g, "alerts.notable.1.id"), 1);
    CHECK_CONTAINS(at_s(g, "alerts.notable.1.text"), "acknowledged after 5min by ann; resolved after 30min");
    CHECK_CONTAINS(at_s(g, "alerts.notable.1.text_zh"), "ann 于 5min 后确认");
    CHECK_STR(at_s(g, "attacks.top_sources.0.address"), "198.51.100.7");
    CHECK_INT(at(g, "attacks.top_sources.0.count"), 3);
    CHECK_STR(at_s(g, "attacks.top_targets.0.address"), "10.0.0.80");
    CHECK_INT(at(g, "attacks.top_targets.0.count"), 3); /* the drill's are apart */
    CHECK_INT(at(g, "attacks.peaks.0.peak_pps"), 120000);
    CHECK_INT(at(g, "findings.opened.total"), 2);
    CHECK_INT(at(g, "findings.fixed.critical"), 1);
    CHECK_INT(at(g, "findings.verified.total"), 0);
    CHECK_INT(at(g, "findings.open.total"), 2);
    CHECK_INT(at(g, "findings.overdue.medium"), 1);
    CHECK_INT(json_array_size(json_object_get(json_object_get(g, "findings"), "burndown")), 14);
    CHECK_INT(at(g, "findings.burndown.13.open"), 2);
    CHECK_INT(at(g, "findings.burndown.12.open"), 1);
    CHECK_INT(at(g, "drift.count"), 1);
    CHECK_STR(at_s(g, "drift.items.0.where"), "db1");
    CHECK_INT(json_array_size(json_object_get(g, "outages")), 1);
    CHECK_INT(at(g, "incidents.declared"), 1);
    CHECK_INT(at(g, "incidents.open"), 1);
    CHECK_INT(at(g, "incidents.drill.declared"), 1);
    CHECK_INT(at(g, "incidents.drill.closed"), 1);
    CHECK_INT(at(g, "hosts.metrics.0.samples"), 4);
    /* the drift on db1 (a host) and the outage of web (an asset); no attack among them */
    CHECK_INT(json_array_size(json_object_get(json_object_get(g, "hosts"), "alerts")), 2);
    CHECK_STR(at_s(g, "hosts.alerts.0.name"), "db1");
    CHECK_STR(at_s(g, "hosts.alerts.0.kind"), "host");
    CHECK_STR(at_s(g, "hosts.alerts.1.name"), "web");
    CHECK_INT(at(g, "hosts.alerts.1.open"), 1);
    CHECK_NEAR(json_real_value(
                   json_object_get(json_array_get(json_object_get(json_object_get(g, "hosts"), "metrics"), 0), "max")),
               0.8, 1e-9);
    /* the shift from 30 Nov 09:00 (bob's), then ann's from 09:00 */
    CHECK_STR(at_s(g, "duty.officers.0.person"), "bob");
    CHECK_STR(at_s(g, "duty.officers.1.person"), "ann");
    CHECK_STR(at_s(g, "duty.officers.1.display"), "安妮");
    CHECK_STR(at_s(g, "duty.officers.1.start"), "2026-12-01T01:00:00.000Z");
    CHECK_INT(json_array_size(json_object_get(json_object_get(g, "duty"), "officers")), 2);
    CHECK_INT(json_array_size(json_object_get(json_object_get(g, "duty"), "handovers")), 1);
    CHECK_INT(at(g, "duty.verify.ok"), 1);
    CHECK_INT(json_array_size(json_object_get(g, "unavailable")), 0);
    json_decref(g);
    store_close(s);
    conf_free(c);
}

static void test_cuts(void)
{
    conf *c = kwt_conf(conf_yaml);
    kw_store *s = store_filled();
    CHECK(c && s);
    if (!c || !s)
        return;
    CHECK_INT(CONF_AT(c->report.send, conf_report_send, 0)->cut, REPORT_CUT_CUSTOMER_SERVICE);
    json_t *g = gathered(s, c, REPORT_DAILY, REPORT_CUT_CUSTOMER_SERVICE);
    CHECK(json_object_get(g, "attacks") == NULL && json_object_get(g, "findings") == NULL);
    CHECK(json_object_get(g, "alerts") == NULL);
    CHECK_INT(json_array_size(json_object_get(g, "outages")), 1);
    CHECK_INT(at(g, "incidents.declared"), 1);
    report_req r = {.kind = REPORT_DAILY,
                    .cut = REPORT_CUT_CUSTOMER_SERVICE,
                    .department = "cs",
                    .lang = DOC_LANG_ZH,
                    .now_ms = DAY0,
                    .fmt = REPORT_FMT_MD};
    CHECK(report_day_range(c, "2026-12-01", 0, &r.from_ms, &r.to_ms) == KW_OK);
    kw_buf b;
    kw_buf_init(&b, 1 << 22);
    char err[256];
    CHECK(report_render(s, c, &r, &b, NULL, err, sizeof err) == KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&b), "（客服部）");
    CHECK_CONTAINS(kw_buf_cstr(&b), "服务中断");
    CHECK(strstr(kw_buf_cstr(&b), "port_scan") == NULL);
    CHECK(strstr(kw_buf_cstr(&b), "198.51.100.7") == NULL);
    kw_buf_free(&b);
    json_decref(g);
    store_close(s);
    conf_free(c);
}

static void test_period_and_markdown(void)
{
    conf *c = kwt_conf(conf_yaml);
    kw_store *s = store_filled();
    CHECK(c && s);
    if (!c || !s)
        return;
    json_t *g = gathered(s, c, REPORT_PERIOD, REPORT_CUT_FULL);
    CHECK_INT(at(g, "alerts.total"), 9);
    CHECK_INT(at(g, "alerts.per_bucket.bucket_s"), 86400);
    /* ops: the web asset's 3 floods (by dst) and its outage (by asset name) */
    const json_t *rs = json_object_get(g, "response");
    long long ops = -1;
    size_t i;
    const json_t *o;
    json_array_foreach(rs, i, o) if (!strcmp(json_string_value(json_object_get(o, "department")) ?: "", "ops"))
    {
        ops = (long long)json_integer_value(json_object_get(o, "alerts"));
        CHECK_NEAR(json_real_value(json_object_get(o, "mtta_s")), 300, 1e-6);
        CHECK_NEAR(json_real_value(json_object_get(o, "mttr_s")), 1800, 1e-6);
    }
    CHECK_INT(ops, 4);
    CHECK_INT(at(g, "remediation.critical.fixed"), 1);
    CHECK_INT(at(g, "remediation.low.verified"), 1);
    CHECK_STR(at_s(g, "lessons.0.lessons"), "switch earlier");
    json_decref(g);
    report_req r = {.kind = REPORT_DAILY, .lang = DOC_LANG_EN, .now_ms = DAY0, .fmt = REPORT_FMT_MD};
    CHECK(report_day_range(c, "2026-12-01", 0, &r.from_ms, &r.to_ms) == KW_OK);
    kw_buf b;
    kw_buf_init(&b, 1 << 22);
    char err[256];
    CHECK(report_render(s, c, &r, &b, NULL, err, sizeof err) == KW_OK);
    const char *md = kw_buf_cstr(&b);
    CHECK_CONTAINS(md, "Daily duty report 2026-12-01");
    CHECK_CONTAINS(md, "8 alerts in all: 6 real, 2 raised by drills");
    CHECK_CONTAINS(md, "198.51.100.7");
    CHECK_CONTAINS(md, "120000");
    CHECK_CONTAINS(md, "The hash chain is intact");
    CHECK_CONTAINS(md, "1 declared, 0 closed, 1 still open");
    kw_buf_reset(&b);
    r.fmt = REPORT_FMT_JSON;
    CHECK(report_render(s, c, &r, &b, NULL, err, sizeof err) == KW_OK);
    json_t *j = json_loads(kw_buf_cstr(&b), 0, NULL);
    CHECK_INT(at(j, "alerts.real"), 6);
    json_decref(j);
    kw_buf_reset(&b);
    CHECK(report_summary(s, c, &r, &b, err, sizeof err) == KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&b), "Alerts: 6 real (1 critical, 4 high), 2 from drills");
    kw_buf_free(&b);
    store_close(s);
    conf_free(c);
}

/* Bytes that are not UTF-8 (a log line's) in an alert's rule, summary and labels: the alert
 * is still told, with U+FFFD in their place, in the JSON and in the Markdown. */
static void test_hostile_text(void)
{
    conf *c = kwt_conf(conf_yaml);
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/hostile.db", tmpdir);
    kw_store *s = kwt_store_open(path, err, sizeof err);
    CHECK(c && s);
    if (!c || !s) {
        conf_free(c);
        return;
    }
    CHECK(store_findings_migrate(s) == KW_OK && store_incident_migrate(s) == KW_OK && store_agent_migrate(s) == KW_OK &&
          store_drill_migrate(s) == KW_OK);
    alert_acts a = {0};
    alert_act *x = alert_acts_push(&a, ALERT_ACT_FIRE, "test", "web_attack\xc3", strdup("{\"src\":\"a\xff\"}"));
    x->severity = 4;
    x->summary = strdup("GET /\xfe\xfd<script>");
    x->at_ms = x->started_ms = DAY0 + H;
    CHECK(store_alert_apply(s, x) == KW_OK);
    alert_acts_free(&a);
    json_t *g = gathered(s, c, REPORT_DAILY, REPORT_CUT_FULL);
    CHECK_INT(json_array_size(json_object_get(json_object_get(g, "alerts"), "notable")), 1);
    CHECK_STR(at_s(g, "alerts.notable.0.summary"), "GET /\xef\xbf\xbd\xef\xbf\xbd<script>");
    CHECK_CONTAINS(at_s(g, "alerts.notable.0.text"), "GET /");
    CHECK_STR(at_s(g, "alerts.by_rule.0.rule"), "web_attack\xef\xbf\xbd");
    report_req r = {.kind = REPORT_DAILY, .lang = DOC_LANG_EN, .now_ms = DAY0, .fmt = REPORT_FMT_HTML};
    CHECK(report_day_range(c, "2026-12-01", 0, &r.from_ms, &r.to_ms) == KW_OK);
    kw_buf b;
    kw_buf_init(&b, 1 << 22);
    CHECK(report_render(s, c, &r, &b, NULL, err, sizeof err) == KW_OK);
    CHECK(strstr(kw_buf_cstr(&b), "<script>") == NULL); /* escaped */
    CHECK_CONTAINS(kw_buf_cstr(&b), "&lt;script&gt;");
    kw_buf_free(&b);
    json_decref(g);
    store_close(s);
    conf_free(c);
}

/* The drills' sections from gathered data (the runs' JSON is store_drill_runs_json's, the
 * drill module's): the runs with their scores and weak spots, the trend per scenario. */
static void test_build_drills(void)
{
    conf *c = kwt_conf(conf_yaml);
    CHECK(c != NULL);
    if (!c)
        return;
    json_t *g =
        json_loads("{\"kind\": \"period\", \"drills\": [{\"id\": 12, \"scenario\": \"ddos\","
                   " \"title\": \"DDoS\", \"title_zh\": \"DDoS 演练\", \"started\": \"2026-12-01T02:00:00.000Z\","
                   " \"score\": 64, \"weak_count\": 1, \"weak\": [{\"text\": \"operations acknowledged after 14 min,"
                   " target 5 min\", \"text_zh\": \"运维部 14 分钟后确认\"}]}],"
                   " \"drill_trend\": [{\"scenario\": \"ddos\", \"runs\": [{\"id\": 3, \"started\":"
                   " \"2026-11-21T02:00:00.000Z\", \"score\": 40}, {\"id\": 12, \"started\":"
                   " \"2026-12-01T02:00:00.000Z\", \"score\": 64}]}]}",
                   0, NULL);
    CHECK(g != NULL);
    report_req r = {.kind = REPORT_PERIOD, .lang = DOC_LANG_EN, .from_ms = DAY0 - 10 * 24 * H, .to_ms = DAY0 + 24 * H};
    kw_doc *d = report_build(c, &r, g);
    kw_buf b;
    kw_buf_init(&b, 1 << 20);
    CHECK(doc_render_md(d, DOC_LANG_EN, &b) == KW_OK);
    const char *md = kw_buf_cstr(&b);
    CHECK_CONTAINS(md, "| 12 | DDoS | 2026-12-01 10:00 | 64 | 1 |");
    CHECK_CONTAINS(md, "#12: operations acknowledged after 14 min, target 5 min");
    CHECK_CONTAINS(md, "Score per scenario");
    CHECK_CONTAINS(md, "ddos");
    kw_buf_free(&b);
    doc_free(d);
    json_decref(g);
    conf_free(c);
}

static void test_words(void)
{
    conf *c = kwt_conf(conf_yaml);
    CHECK(c != NULL);
    if (!c)
        return;
    int64_t f, t, d;
    CHECK(report_day_range(c, "2026-02-29", 0, &f, &t) == KW_ERR_PARSE);
    CHECK(report_day_range(c, "2028-02-29", 0, &f, &t) == KW_OK);
    CHECK(report_day_range(c, "2026-1-01", 0, &f, &t) == KW_ERR_PARSE);
    CHECK(report_day_range(c, "2026-12-01x", 0, &f, &t) == KW_ERR_PARSE);
    CHECK(report_day_range(c, NULL, DAY0 + 2 * H, &f, &t) == KW_OK);
    CHECK_INT(f, DAY0 - 24 * H); /* yesterday, local */
    CHECK_INT(t - f, 24 * H);
    CHECK(report_date_parse("1970-01-02", 10, &d) == KW_OK);
    CHECK_INT(d, 1);
    report_fmt fm;
    report_kind k;
    int cut;
    CHECK(report_fmt_parse("pdf", &fm) == KW_OK && fm == REPORT_FMT_PDF);
    CHECK(report_fmt_parse("PDF", &fm) == KW_ERR_PARSE);
    CHECK(report_kind_parse("period", &k) == KW_OK && k == REPORT_PERIOD);
    CHECK(report_cut_parse("customer_service", &cut) == KW_OK && cut == REPORT_CUT_CUSTOMER_SERVICE);
    CHECK(report_cut_parse("everyone", &cut) == KW_ERR_PARSE);
    CHECK(!report_cut_has(REPORT_CUT_CUSTOMER_SERVICE, "attacks"));
    CHECK(report_cut_has(REPORT_CUT_MANAGEMENT, "remediation"));
    CHECK_STR(report_fmt_mime(REPORT_FMT_PDF), "application/pdf");
    conf_free(c);
    conf *bad = kwt_conf("report: {daily_at: \"25:00\"}\n");
    CHECK(bad == NULL);
    conf *ok = kwt_conf("report: {daily_at: \"08:30\"}\n");
    CHECK(ok && ok->report.daily_at_min == 510);
    conf_free(ok);
    CHECK(kwt_conf("report: {send: [{department: nobody}]}\n") == NULL);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kw-report-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_words);
    RUN(test_daily_figures);
    RUN(test_cuts);
    RUN(test_period_and_markdown);
    RUN(test_hostile_text);
    RUN(test_build_drills);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    TEST_MAIN_END();
}
