/* kw_report_fill: fills a keepwatch store with a known day for the report's integration test
 * and benchmark (tests/integ/test_report.py, bench/report.sh), fast: alerts through the store
 * API (fired, some acknowledged and resolved, in transactions of 1000), findings, incidents
 * and metric history straight into their tables (as the unit tests look at them).
 *
 *   kw_report_fill STORE YYYY-MM-DD TZ_MIN ALERTS FINDINGS METRIC_DAYS
 *
 * The day is local at TZ_MIN minutes east of UTC. Alert i (0..ALERTS-1) fires at
 * from + i * 86400000 / ALERTS; its rule and severity are rules[i % 4] (syn_flood critical,
 * port_scan high, ssh_brute_force medium, cpu_high low); net ones come from 198.51.100.(i % 200)
 * against 10.0.0.(80 + i % 3); every 10th is acknowledged by ann after 60 s and resolved after
 * 600 s. Two drill alerts (udp_flood, labels.drill "7") at 06:00. Finding i: severity
 * i % 4 + 1; opened at 01:00 of the day when i % 10 == 0, else (i % 30) + 1 days before;
 * fixed at 02:00 of the day when i % 7 == 0. Incidents: #1 real, open, declared 02:00 with
 * alert 1; #2 a drill, closed at 10:00 with lessons "switch to the scrubbing centre sooner".
 * Metric history: host_cpu_usage_ratio{host=web1} minute rollups over METRIC_DAYS days up to
 * the day's end, 0.25 to 0.75. One duty handover at 09:00. */
#include "alert/alert.h"
#include "report/report_int.h"
#include "store/store_agent.h"
#include "store/store_findings.h"
#include "store/store_incident.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H 3600000LL
#define DAY 86400000LL

static int fail(kw_store *s, const char *what)
{
    fprintf(stderr, "kw_report_fill: %s: %s\n", what, s ? store_errmsg(s) : "");
    return 2;
}

static int64_t fire(kw_store *s, const char *rule, int sev, const char *labels, int64_t at)
{
    alert_acts a = {0};
    alert_act *x = alert_acts_push(&a, ALERT_ACT_FIRE, "fill", rule, strdup(labels));
    x->severity = sev;
    char sum[160];
    snprintf(sum, sizeof sum, "%s %s", rule, labels);
    x->summary = strdup(sum);
    x->at_ms = x->started_ms = at;
    x->value = x->peak = sev * 10000.0;
    int64_t id = store_alert_apply(s, x) == KW_OK ? x->alert_id : 0;
    alert_acts_free(&a);
    return id;
}

/* Acknowledged by ann after 60 s, resolved after 600 s (as store_alert_ack and _resolve
 * leave the row; they would each want a transaction of their own). */
static kw_rc close_alert(kw_store *s, int64_t id, int64_t at)
{
    db_stmt *st = store_stmt(s, "UPDATE alerts SET state = 'resolved', acked_at = ?, acked_by = 'ann',"
                                " resolved_at = ?, resolved_by = 'ann', updated_at = ? WHERE id = ?");
    if (!st)
        return KW_ERR_STORE;
    db_bind_int64(st, 1, at + 60000);
    db_bind_int64(st, 2, at + 600000);
    db_bind_int64(st, 3, at + 600000);
    db_bind_int64(st, 4, id);
    kw_rc rc = store_step_done(s, st);
    db_reset(st);
    return rc;
}

static int fill_alerts(kw_store *s, int64_t from, long n)
{
    static const char *const rules[] = {"syn_flood", "port_scan", "ssh_brute_force", "cpu_high"};
    for (long i = 0; i < n; i++) {
        if (i % 1000 == 0 && store_begin(s) != KW_OK)
            return fail(s, "begin");
        char l[200];
        if (i % 4 == 3)
            snprintf(l, sizeof l, "{\"host\":\"web1\",\"n\":\"%ld\"}", i);
        else
            snprintf(l, sizeof l,
                     "{\"dst\":\"10.0.0.%ld\",\"interface\":\"eth0\",\"n\":\"%ld\",\"src\":\"198.51.100.%ld\"}",
                     80 + i % 3, i, i % 200);
        int64_t at = from + (int64_t)(i * DAY / n), id = fire(s, rules[i % 4], 4 - (int)(i % 4), l, at);
        if (!id)
            return fail(s, "fire");
        if (i % 10 == 0 && close_alert(s, id, at) != KW_OK)
            return fail(s, "ack");
        if ((i % 1000 == 999 || i == n - 1) && store_commit(s) != KW_OK)
            return fail(s, "commit");
    }
    if (!fire(s, "udp_flood", 2, "{\"drill\":\"7\",\"dst\":\"10.0.0.80\",\"interface\":\"kwd7a\"}", from + 6 * H) ||
        !fire(s, "udp_flood", 2, "{\"drill\":\"7\",\"dst\":\"10.0.0.81\",\"interface\":\"kwd7a\"}", from + 6 * H + 1))
        return fail(s, "drill alerts");
    return 0;
}

static int exec(kw_store *s, const char *sql)
{
    return store_exec(s, sql) == KW_OK ? 0 : fail(s, sql);
}

static int fill_findings(kw_store *s, int64_t from, long n)
{
    char sql[1024];
    if (store_begin(s) != KW_OK)
        return fail(s, "begin");
    for (long i = 0; i < n; i++) {
        int64_t first = i % 10 == 0 ? from + H : from - (i % 30 + 1) * DAY;
        bool fixed = i % 7 == 0;
        snprintf(sql, sizeof sql,
                 "INSERT INTO findings (fingerprint, asset, vuln_id, scanner, title, place, severity, risk, status,"
                 " active, first_ms, last_ms, status_ms, resolved_ms, due_ms) VALUES ('fp%ld', 'web', 'KW-%ld',"
                 " 'keepwatch', 'finding %ld', '/', %ld, %ld, '%s', %d, %lld, %lld, %lld, %lld, %lld)",
                 i, i, i, i % 4 + 1, i % 4 + 1, fixed ? "fixed" : "open", fixed ? 0 : 1, (long long)first,
                 (long long)first, (long long)first, fixed ? (long long)(from + 2 * H) : 0LL,
                 (long long)(first + 3 * DAY));
        if (exec(s, sql))
            return 2;
        if (fixed) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO finding_history (finding_id, at_ms, action, from_status, to_status)"
                     " SELECT id, %lld, 'status', 'open', 'fixed' FROM findings WHERE fingerprint = 'fp%ld'",
                     (long long)(from + 2 * H), i);
            if (exec(s, sql))
                return 2;
        }
    }
    return store_commit(s) == KW_OK ? 0 : fail(s, "commit");
}

static int fill_incidents(kw_store *s, int64_t from)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO incidents (title, playbook, playbook_digest, grade, state, drill, found_ms, declared_ms,"
             " declared_by, closed_ms, lessons, cause, org_type) VALUES"
             " ('Website DDoS', 'ddos', 'x', 3, 'open', 0, %lld, %lld, 'ann', 0, NULL, NULL, 'other'),"
             " ('DDoS drill', 'ddos', 'x', 4, 'closed', 1, %lld, %lld, 'ann', %lld,"
             " 'switch to the scrubbing centre sooner', 'drill', 'other');"
             "INSERT INTO incident_alerts (incident, alert_id, attached_ms) SELECT min(id), 1, %lld FROM incidents;",
             (long long)(from + 2 * H), (long long)(from + 2 * H), (long long)(from + 6 * H), (long long)(from + 6 * H),
             (long long)(from + 10 * H), (long long)(from + 2 * H));
    return exec(s, sql);
}

static int fill_metrics(kw_store *s, int64_t to, long days)
{
    if (exec(s, "INSERT INTO metric_series (name, labels) VALUES ('host_cpu_usage_ratio', '{\"host\":\"web1\"}')"))
        return 2;
    int64_t series = store_query_int(s, "SELECT max(id) FROM metric_series WHERE name = ?", "host_cpu_usage_ratio");
    db_stmt *st = store_stmt(s, "INSERT INTO metric_1m (series, ts, avg, min, max, n) VALUES (?, ?, ?, ?, ?, 6)");
    if (!st || store_begin(s) != KW_OK)
        return fail(s, "metrics");
    for (int64_t t = to - days * DAY; t < to; t += 60000) {
        double v = 0.5 + 0.25 * ((t / 60000) % 100 - 50) / 50.0;
        db_bind_int64(st, 1, series);
        db_bind_int64(st, 2, t);
        db_bind_double(st, 3, v);
        db_bind_double(st, 4, v - 0.01);
        db_bind_double(st, 5, v + 0.01);
        if (store_step_done(s, st) != KW_OK)
            return fail(s, "metric row");
        db_reset(st);
    }
    return store_commit(s) == KW_OK ? 0 : fail(s, "commit");
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: kw_report_fill STORE YYYY-MM-DD TZ_MIN ALERTS FINDINGS METRIC_DAYS\n");
        return 2;
    }
    int64_t days;
    if (report_date_parse(argv[2], strlen(argv[2]), &days) != KW_OK)
        return fail(NULL, "the date");
    int64_t from = days * DAY - atol(argv[3]) * 60000LL;
    char err[256];
    kw_store *s = store_open(argv[1], false, err, sizeof err);
    if (!s) {
        fprintf(stderr, "kw_report_fill: %s\n", err);
        return 2;
    }
    int rc = store_findings_migrate(s) || store_incident_migrate(s) || store_agent_migrate(s) ? fail(s, "migrate") : 0;
    if (!rc)
        rc = fill_alerts(s, from, atol(argv[4]));
    if (!rc)
        rc = fill_findings(s, from, atol(argv[5]));
    if (!rc)
        rc = fill_incidents(s, from);
    if (!rc)
        rc = fill_metrics(s, from + DAY, atol(argv[6]));
    if (!rc && store_duty_handover(s, from + 9 * H, from, "ann", "bob", "all quiet") != KW_OK)
        rc = fail(s, "handover");
    store_close(s);
    return rc;
}
