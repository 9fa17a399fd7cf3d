/* report_build.c: the gathered data (report_gather.c) made into the document (src/doc): the
 * header (the organisation, else the period's name; the range), then the sections in order,
 * each only when the department's cut holds it (report_cut_has): overview, duty, alerts (by
 * severity, by rule, per hour or day, the notable ones), attacks, hosts and devices, findings
 * and their burndown, configuration drift, outages, incidents, drills, and for the period the
 * response times per department, the remediation achieved, the drills' trend and the lessons;
 * last the duty log's verification. Words in Chinese or English. Pure: no I/O. */
#include "report/report_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct build {
    kw_doc *d;
    const conf *c;
    const report_req *r;
    const json_t *g;
} build;

#define L(b, zh, en) ((b)->r->lang == DOC_LANG_EN ? (en) : (zh))

static const char *s_of(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

static long long i_of(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* An ISO-8601 UTC time of the gathered data back to ms (0 when it is none). */
static int64_t ms_of(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    struct tm tm = {0};
    int ms = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                     &tm.tm_sec, &ms) < 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) * 1000 + ms;
}

/* A time in the configuration's zone: "2026-12-01 14:05" ("" for none). */
static void when(const build *b, int64_t ms, char *out, size_t n)
{
    if (ms <= 0) {
        snprintf(out, n, "-");
        return;
    }
    time_t t = (time_t)(ms / 1000 + (int64_t)b->c->console.tz_min * 60);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

static void day_of(const build *b, int64_t ms, char *out, size_t n)
{
    time_t t = (time_t)(ms / 1000 + (int64_t)b->c->console.tz_min * 60);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%d", &tm);
}

static void kv_int(build *b, const char *key, long long v)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", v);
    doc_kv(b->d, key, t);
}

static const char *sev_word(const build *b, const char *sev)
{
    static const char *const en[] = {"critical", "high", "medium", "low"};
    static const char *const zh[] = {"严重", "高危", "中危", "低危"};
    for (size_t i = 0; i < 4; i++)
        if (strcmp(sev, en[i]) == 0)
            return L(b, zh[i], en[i]);
    return sev;
}

/* A table whose rows are each n cells formatted by fn from the items of arr. */
static void table(build *b, size_t ncols, const char *const *heads, const json_t *arr,
                  void (*fn)(build *, const json_t *, char cells[][256]))
{
    if (!json_array_size(arr)) {
        doc_para(b->d, L(b, "无。", "None."));
        return;
    }
    doc_table_begin(b->d, ncols, heads, NULL, NULL);
    char cells[DOC_COLS_MAX][256];
    const char *p[DOC_COLS_MAX];
    for (size_t i = 0; i < json_array_size(arr); i++) {
        memset(cells, 0, sizeof cells);
        fn(b, json_array_get(arr, i), cells);
        for (size_t k = 0; k < ncols; k++)
            p[k] = cells[k];
        doc_table_row(b->d, p);
    }
}

/* ---- overview ---- */

static void sec_overview(build *b)
{
    const json_t *al = json_object_get(b->g, "alerts"), *inc = json_object_get(b->g, "incidents"),
                 *f = json_object_get(b->g, "findings");
    char from[32], to[32], gen[32];
    when(b, b->r->from_ms, from, sizeof from);
    when(b, b->r->to_ms, to, sizeof to);
    when(b, b->r->now_ms, gen, sizeof gen);
    doc_heading(b->d, 2, L(b, "概况", "Overview"));
    doc_kv_begin(b->d);
    char range[80];
    snprintf(range, sizeof range, "%s – %s", from, to);
    doc_kv(b->d, L(b, "时间范围", "Covers"), range);
    doc_kv(b->d, L(b, "生成时间", "Made"), gen);
    if (al) {
        kv_int(b, L(b, "告警（真实）", "Alerts (real)"), i_of(al, "real"));
        kv_int(b, L(b, "严重/高危告警", "Critical and high alerts"),
               i_of(json_object_get(al, "by_severity"), "critical") + i_of(json_object_get(al, "by_severity"), "high"));
        kv_int(b, L(b, "演练告警", "Drill alerts"), i_of(al, "drill"));
    }
    if (inc) {
        kv_int(b, L(b, "新宣布事件", "Incidents declared"), i_of(inc, "declared"));
        kv_int(b, L(b, "未关闭事件", "Incidents still open"), i_of(inc, "open"));
    }
    if (f) {
        kv_int(b, L(b, "未整改漏洞", "Findings open"), i_of(json_object_get(f, "open"), "total"));
        kv_int(b, L(b, "逾期漏洞", "Findings overdue"), i_of(json_object_get(f, "overdue"), "total"));
    }
    const json_t *un = json_object_get(b->g, "unavailable");
    if (json_array_size(un)) {
        char t[512] = "";
        for (size_t i = 0; i < json_array_size(un); i++) {
            size_t l = strlen(t);
            snprintf(t + l, sizeof t - l, "%s%s", i ? ", " : "", json_string_value(json_array_get(un, i)));
        }
        doc_kv(b->d, L(b, "无法读取", "Could not be read"), t);
    }
}

/* ---- duty ---- */

static void officer_cells(build *b, const json_t *o, char c[][256])
{
    snprintf(c[0], 256, "%s", s_of(o, "schedule"));
    snprintf(c[1], 256, "%s%s%s%s", *s_of(o, "display") ? s_of(o, "display") : s_of(o, "person"),
             *s_of(o, "display") ? " (" : "", *s_of(o, "display") ? s_of(o, "person") : "",
             *s_of(o, "display") ? ")" : "");
    when(b, ms_of(o, "start"), c[2], 256);
    when(b, ms_of(o, "end"), c[3], 256);
}

static void handover_cells(build *b, const json_t *o, char c[][256])
{
    when(b, ms_of(o, "at"), c[0], 256);
    snprintf(c[1], 256, "%s", s_of(o, "by"));
    snprintf(c[2], 256, "%s", s_of(o, "text"));
}

static void sec_duty(build *b)
{
    const json_t *duty = json_object_get(b->g, "duty");
    if (!duty)
        return;
    doc_heading(b->d, 2, L(b, "值班人员与交接班", "Duty officers and hand-overs"));
    const char *h1[] = {L(b, "排班", "Schedule"), L(b, "值班人员", "On duty"), L(b, "开始", "From"),
                        L(b, "结束", "To")};
    table(b, 4, h1, json_object_get(duty, "officers"), officer_cells);
    doc_heading(b->d, 3, L(b, "交接班", "Hand-overs"));
    const char *h2[] = {L(b, "时间", "At"), L(b, "交班人", "By"), L(b, "交接内容", "Where things stood")};
    table(b, 3, h2, json_object_get(duty, "handovers"), handover_cells);
    char t[128];
    snprintf(t, sizeof t, L(b, "值班日志本期记录 %lld 条。", "The duty log holds %lld entries for this range."),
             i_of(duty, "entries"));
    doc_para(b->d, t);
}

/* ---- alerts ---- */

static void rule_cells(build *b, const json_t *o, char c[][256])
{
    snprintf(c[0], 256, "%s", s_of(o, "rule"));
    snprintf(c[1], 256, "%s", json_is_true(json_object_get(o, "drill")) ? L(b, "演练", "drill") : L(b, "真实", "real"));
    snprintf(c[2], 256, "%lld", i_of(o, "count"));
    snprintf(c[3], 256, "%s", sev_word(b, s_of(o, "max_severity")));
}

static void chart_series(build *b, const json_t *points, const char *name, const char *key)
{
    doc_chart_series(b->d, name);
    for (size_t i = 0; i < json_array_size(points); i++) {
        const json_t *p = json_array_get(points, i);
        doc_chart_point(b->d, ms_of(p, "t"), (double)i_of(p, key));
    }
}

static void sec_alerts(build *b)
{
    const json_t *al = json_object_get(b->g, "alerts");
    if (!al)
        return;
    doc_heading(b->d, 2, L(b, "告警", "Alerts"));
    char t[256];
    snprintf(t, sizeof t,
             L(b, "本期共 %lld 条告警，其中真实告警 %lld 条，演练告警 %lld 条（单独统计）。",
               "%lld alerts in all: %lld real, %lld raised by drills (counted apart)."),
             i_of(al, "total"), i_of(al, "real"), i_of(al, "drill"));
    doc_para(b->d, t);
    const json_t *sev = json_object_get(al, "by_severity");
    doc_chart_bar_begin(b->d, L(b, "真实告警（按级别）", "Real alerts by severity"), L(b, "条", "alerts"));
    static const char *const sevs[] = {"critical", "high", "medium", "low"};
    for (size_t i = 0; i < 4; i++)
        doc_chart_bar(b->d, sev_word(b, sevs[i]), (double)i_of(sev, sevs[i]));
    const json_t *pb = json_object_get(al, "per_bucket"), *pts = json_object_get(pb, "points");
    if (json_array_size(pts)) {
        bool hourly = i_of(pb, "bucket_s") == 3600;
        doc_chart_line_begin(b->d,
                             hourly ? L(b, "每小时告警数", "Alerts per hour") : L(b, "每日告警数", "Alerts per day"),
                             L(b, "条", "alerts"));
        chart_series(b, pts, L(b, "真实", "real"), "real");
        chart_series(b, pts, L(b, "攻击", "attacks"), "attacks");
        chart_series(b, pts, L(b, "演练", "drill"), "drill");
    }
    doc_heading(b->d, 3, L(b, "按规则/类型", "By rule"));
    const char *h[] = {L(b, "规则", "Rule"), L(b, "类别", "Kind"), L(b, "数量", "Count"), L(b, "最高级别", "Highest")};
    table(b, 4, h, json_object_get(al, "by_rule"), rule_cells);
    const json_t *nt = json_object_get(al, "notable");
    if (report_cut_has(b->r->cut, "notable")) {
        doc_heading(b->d, 3, L(b, "重点告警", "Notable alerts"));
        if (!json_array_size(nt))
            doc_para(b->d, L(b, "无。", "None."));
        else {
            doc_list_begin(b->d);
            for (size_t i = 0; i < json_array_size(nt); i++)
                doc_list_item(b->d, s_of(json_array_get(nt, i), L(b, "text_zh", "text")));
        }
    }
}

/* ---- attacks ---- */

static void top_cells(build *b, const json_t *o, char c[][256])
{
    snprintf(c[0], 256, "%s", s_of(o, "address"));
    snprintf(c[1], 256, "%lld", i_of(o, "count"));
    snprintf(c[2], 256, "%s", sev_word(b, s_of(o, "max_severity")));
    snprintf(c[3], 256, "%lld", i_of(o, "rules"));
}

static void peak_cells(build *b, const json_t *o, char c[][256])
{
    snprintf(c[0], 256, "%s", s_of(o, "rule"));
    snprintf(c[1], 256, "%.0f", json_number_value(json_object_get(o, "peak_pps")));
    snprintf(c[2], 256, "%s", s_of(o, "target"));
    when(b, ms_of(o, "started"), c[3], 256);
}

static void sec_attacks(build *b)
{
    const json_t *a = json_object_get(b->g, "attacks");
    if (!a)
        return;
    doc_heading(b->d, 2, L(b, "攻击态势", "Attacks"));
    const char *h[] = {L(b, "地址", "Address"), L(b, "告警数", "Alerts"), L(b, "最高级别", "Highest"),
                       L(b, "规则数", "Rules")};
    doc_heading(b->d, 3, L(b, "主要攻击来源", "Top sources"));
    table(b, 4, h, json_object_get(a, "top_sources"), top_cells);
    doc_heading(b->d, 3, L(b, "主要攻击目标", "Top targets"));
    table(b, 4, h, json_object_get(a, "top_targets"), top_cells);
    doc_heading(b->d, 3, L(b, "流量峰值", "Peaks"));
    const char *hp[] = {L(b, "类型", "Kind"), L(b, "峰值 (pps)", "Peak (pps)"), L(b, "目标", "Target"),
                        L(b, "开始", "Started")};
    table(b, 4, hp, json_object_get(a, "peaks"), peak_cells);
}

/* ---- hosts ---- */

static void metric_cells(build *b, const json_t *o, char c[][256])
{
    (void)b;
    const char *m = s_of(o, "metric");
    snprintf(c[0], 256, "%s",
             strstr(m, "cpu")      ? "CPU"
             : strstr(m, "memory") ? L(b, "内存", "memory")
                                   : L(b, "磁盘", "disk"));
    snprintf(c[1], 256, "%s%s%s", *s_of(o, "host") ? s_of(o, "host") : L(b, "本机", "this server"),
             *s_of(o, "mount") ? " " : "", s_of(o, "mount"));
    snprintf(c[2], 256, "%.1f%%", 100 * json_number_value(json_object_get(o, "min")));
    snprintf(c[3], 256, "%.1f%%", 100 * json_number_value(json_object_get(o, "avg")));
    snprintf(c[4], 256, "%.1f%%", 100 * json_number_value(json_object_get(o, "max")));
}

static void host_alert_cells(build *b, const json_t *o, char c[][256])
{
    const char *k = s_of(o, "kind");
    snprintf(c[0], 256, "%s", s_of(o, "name"));
    snprintf(c[1], 256, "%s",
             strcmp(k, "host") == 0     ? L(b, "主机", "host")
             : strcmp(k, "device") == 0 ? L(b, "设备", "device")
                                        : L(b, "资产", "asset"));
    snprintf(c[2], 256, "%lld", i_of(o, "count"));
    snprintf(c[3], 256, "%s", sev_word(b, s_of(o, "max_severity")));
    snprintf(c[4], 256, "%lld", i_of(o, "open"));
}

static void sec_hosts(build *b)
{
    const json_t *h = json_object_get(b->g, "hosts");
    if (!h)
        return;
    doc_heading(b->d, 2, L(b, "主机与设备运行状况", "Hosts and devices"));
    doc_kv_begin(b->d);
    kv_int(b, L(b, "资产", "Assets"), i_of(h, "assets"));
    kv_int(b, L(b, "代理（本期上报）", "Agents (reporting in range)"), i_of(h, "agents_seen"));
    kv_int(b, L(b, "代理（总数）", "Agents (enrolled)"), i_of(h, "agents"));
    kv_int(b, L(b, "SNMP 设备", "SNMP devices"), i_of(h, "snmp_devices"));
    const char *hd[] = {L(b, "指标", "Metric"), L(b, "主机", "Host"), L(b, "最低", "Min"), L(b, "平均", "Avg"),
                        L(b, "最高", "Max")};
    table(b, 5, hd, json_object_get(h, "metrics"), metric_cells);
    doc_heading(b->d, 3, L(b, "主机与设备告警", "Alerts of hosts and devices"));
    const char *ha[] = {L(b, "名称", "Name"), L(b, "类别", "Kind"), L(b, "告警数", "Alerts"),
                        L(b, "最高级别", "Highest"), L(b, "未解除", "Still open")};
    table(b, 5, ha, json_object_get(h, "alerts"), host_alert_cells);
}

/* ---- findings ---- */

static void sec_findings(build *b)
{
    const json_t *f = json_object_get(b->g, "findings");
    if (!f)
        return;
    doc_heading(b->d, 2, L(b, "漏洞与整改", "Findings and remediation"));
    const char *h[] = {L(b, "级别", "Severity"),   L(b, "新发现", "Opened"), L(b, "已修复", "Fixed"),
                       L(b, "已验证", "Verified"), L(b, "未整改", "Open"),   L(b, "逾期", "Overdue")};
    doc_table_begin(b->d, 6, h, NULL, NULL);
    static const char *const sevs[] = {"critical", "high", "medium", "low", "total"};
    static const char *const cols[] = {"opened", "fixed", "verified", "open", "overdue"};
    for (size_t i = 0; i < 5; i++) {
        char cells[6][32];
        const char *p[6] = {i < 4 ? sev_word(b, sevs[i]) : L(b, "合计", "Total")};
        for (size_t k = 0; k < 5; k++) {
            snprintf(cells[k + 1], sizeof cells[0], "%lld", i_of(json_object_get(f, cols[k]), sevs[i]));
            p[k + 1] = cells[k + 1];
        }
        doc_table_row(b->d, p);
    }
    const json_t *bd = json_object_get(f, "burndown");
    if (json_array_size(bd)) {
        doc_chart_line_begin(b->d, L(b, "未整改漏洞燃尽图", "Burndown: findings open"), L(b, "个", "findings"));
        chart_series(b, bd, L(b, "未整改", "open"), "open");
    }
}

/* ---- drift, outages ---- */

static void drift_cells(build *b, const json_t *o, char c[][256])
{
    when(b, ms_of(o, "started"), c[0], 256);
    snprintf(c[1], 256, "%s", s_of(o, "where"));
    snprintf(c[2], 256, "%s", s_of(o, "summary"));
    snprintf(c[3], 256, "%s", s_of(o, "state"));
}

static void sec_drift(build *b)
{
    const json_t *d = json_object_get(b->g, "drift");
    if (!d)
        return;
    doc_heading(b->d, 2, L(b, "配置变更（基线漂移）", "Configuration drift"));
    char t[128];
    snprintf(t, sizeof t, L(b, "本期发现配置漂移 %lld 处。", "%lld configuration drifts in this range."),
             i_of(d, "count"));
    doc_para(b->d, t);
    const char *h[] = {L(b, "时间", "At"), L(b, "位置", "Where"), L(b, "内容", "What"), L(b, "状态", "State")};
    if (json_array_size(json_object_get(d, "items")))
        table(b, 4, h, json_object_get(d, "items"), drift_cells);
}

static void outage_cells(build *b, const json_t *o, char c[][256])
{
    when(b, ms_of(o, "started"), c[0], 256);
    when(b, ms_of(o, "resolved"), c[1], 256);
    snprintf(c[2], 256, "%s%s", json_is_true(json_object_get(o, "drill")) ? L(b, "【演练】", "[DRILL] ") : "",
             s_of(o, "summary"));
}

static void sec_outages(build *b)
{
    const json_t *o = json_object_get(b->g, "outages");
    if (!o)
        return;
    doc_heading(b->d, 2, L(b, "服务中断", "Outages"));
    const char *h[] = {L(b, "开始", "Down at"), L(b, "恢复", "Back at"), L(b, "服务", "Service")};
    table(b, 3, h, o, outage_cells);
}

/* ---- incidents ---- */

static void incident_cells(build *b, const json_t *o, char c[][256])
{
    snprintf(c[0], 256, "#%lld", i_of(o, "id"));
    snprintf(c[1], 256, "%s%s", json_is_true(json_object_get(o, "drill")) ? L(b, "【演练】", "[DRILL] ") : "",
             s_of(o, "title"));
    snprintf(c[2], 256, "%s", s_of(o, "grade"));
    snprintf(c[3], 256, "%s",
             strcmp(s_of(o, "state"), "open") == 0 ? L(b, "处置中", "open") : L(b, "已关闭", "closed"));
    when(b, ms_of(o, "declared"), c[4], 256);
}

static void sec_incidents(build *b)
{
    const json_t *inc = json_object_get(b->g, "incidents");
    if (!inc)
        return;
    doc_heading(b->d, 2, L(b, "安全事件", "Incidents"));
    const json_t *dr = json_object_get(inc, "drill");
    char t[300];
    snprintf(
        t, sizeof t,
        L(b, "新宣布 %lld 起，关闭 %lld 起，期末仍在处置 %lld 起；演练事件另计：宣布 %lld 起，关闭 %lld 起。",
          "%lld declared, %lld closed, %lld still open at the end; drill incidents apart: %lld declared, %lld closed."),
        i_of(inc, "declared"), i_of(inc, "closed"), i_of(inc, "open"), i_of(dr, "declared"), i_of(dr, "closed"));
    doc_para(b->d, t);
    const char *h[] = {L(b, "编号", "No."), L(b, "事件", "Incident"), L(b, "级别", "Grade"), L(b, "状态", "State"),
                       L(b, "宣布时间", "Declared")};
    table(b, 5, h, json_object_get(inc, "items"), incident_cells);
}

/* ---- drills ---- */

static void drill_cells(build *b, const json_t *o, char c[][256])
{
    snprintf(c[0], 256, "%lld", i_of(o, "id"));
    snprintf(c[1], 256, "%s",
             *s_of(o, L(b, "title_zh", "title")) ? s_of(o, L(b, "title_zh", "title")) : s_of(o, "scenario"));
    when(b, ms_of(o, "started"), c[2], 256);
    const json_t *sc = json_object_get(o, "score");
    snprintf(c[3], 256, json_is_number(sc) ? "%.0f" : "-", json_number_value(sc));
    snprintf(c[4], 256, "%lld", i_of(o, "weak_count"));
}

static void sec_drills(build *b)
{
    const json_t *runs = json_object_get(b->g, "drills");
    if (!runs)
        return;
    doc_heading(b->d, 2, L(b, "应急演练", "Drills"));
    const char *h[] = {L(b, "编号", "Run"), L(b, "场景", "Scenario"), L(b, "开始", "Started"), L(b, "得分", "Score"),
                       L(b, "薄弱环节", "Weak spots")};
    table(b, 5, h, runs, drill_cells);
    bool any = false;
    for (size_t i = 0; i < json_array_size(runs); i++) {
        const json_t *r = json_array_get(runs, i), *weak = json_object_get(r, "weak");
        for (size_t k = 0; k < json_array_size(weak); k++) {
            if (!any)
                doc_list_begin(b->d);
            any = true;
            char t[1024];
            snprintf(t, sizeof t, "#%lld: %s", i_of(r, "id"), s_of(json_array_get(weak, k), L(b, "text_zh", "text")));
            doc_list_item(b->d, t);
        }
    }
}

/* ---- the period's own ---- */

static void response_cells(build *b, const json_t *o, char c[][256])
{
    snprintf(c[0], 256, "%s",
             *s_of(o, "display")      ? s_of(o, "display")
             : *s_of(o, "department") ? s_of(o, "department")
                                      : L(b, "未归属", "unattributed"));
    snprintf(c[1], 256, "%lld", i_of(o, "alerts"));
    const json_t *a = json_object_get(o, "mtta_s"), *r = json_object_get(o, "mttr_s");
    snprintf(c[2], 256, json_is_number(a) ? "%.1f min" : "-", json_number_value(a) / 60);
    snprintf(c[3], 256, json_is_number(r) ? "%.1f min" : "-", json_number_value(r) / 60);
}

static void sec_response(build *b)
{
    const json_t *rs = json_object_get(b->g, "response");
    if (!rs)
        return;
    doc_heading(b->d, 2, L(b, "各部门响应时间（MTTA/MTTR）", "Response per department (MTTA/MTTR)"));
    doc_para(b->d, L(b, "告警按其资产所属部门统计（资产名或地址），演练告警不计入。",
                     "Alerts count for the department of their asset (by name or address); drills are not counted."));
    const char *h[] = {L(b, "部门", "Department"), L(b, "告警", "Alerts"), L(b, "平均确认时间", "MTTA"),
                       L(b, "平均解决时间", "MTTR")};
    table(b, 4, h, rs, response_cells);
}

static void sec_remediation(build *b)
{
    const json_t *rem = json_object_get(b->g, "remediation");
    if (!rem)
        return;
    doc_heading(b->d, 2, L(b, "整改成效", "Remediation achieved"));
    const char *h[] = {L(b, "级别", "Severity"), L(b, "发现", "Opened"),           L(b, "修复", "Fixed"),
                       L(b, "验证", "Verified"), L(b, "验证率", "Verified share"), L(b, "期末未整改", "Open at end")};
    doc_table_begin(b->d, 6, h, NULL, NULL);
    static const char *const sevs[] = {"critical", "high", "medium", "low", "total"};
    for (size_t i = 0; i < 5; i++) {
        const json_t *o = json_object_get(rem, sevs[i]), *sh = json_object_get(o, "verified_share");
        char c[5][32];
        snprintf(c[0], 32, "%lld", i_of(o, "opened"));
        snprintf(c[1], 32, "%lld", i_of(o, "fixed"));
        snprintf(c[2], 32, "%lld", i_of(o, "verified"));
        snprintf(c[3], 32, json_is_number(sh) ? "%.0f%%" : "-", 100 * json_number_value(sh));
        snprintf(c[4], 32, "%lld", i_of(o, "open_at_end"));
        const char *p[6] = {i < 4 ? sev_word(b, sevs[i]) : L(b, "合计", "Total"), c[0], c[1], c[2], c[3], c[4]};
        doc_table_row(b->d, p);
    }
}

static void sec_trend(build *b)
{
    const json_t *tr = json_object_get(b->g, "drill_trend");
    if (!json_array_size(tr))
        return;
    doc_heading(b->d, 2, L(b, "演练成绩趋势", "Drills' trend"));
    doc_chart_line_begin(b->d, L(b, "各场景得分", "Score per scenario"), L(b, "分", "points"));
    for (size_t i = 0; i < json_array_size(tr) && i < DOC_SERIES_MAX; i++) {
        const json_t *sc = json_array_get(tr, i), *runs = json_object_get(sc, "runs");
        doc_chart_series(b->d, s_of(sc, "scenario"));
        for (size_t k = 0; k < json_array_size(runs); k++) {
            const json_t *score = json_object_get(json_array_get(runs, k), "score");
            if (json_is_number(score))
                doc_chart_point(b->d, ms_of(json_array_get(runs, k), "started"), json_number_value(score));
        }
    }
}

static void sec_lessons(build *b)
{
    const json_t *ls = json_object_get(b->g, "lessons");
    if (!ls)
        return;
    doc_heading(b->d, 2, L(b, "事件复盘经验", "Lessons from incident reviews"));
    if (!json_array_size(ls)) {
        doc_para(b->d, L(b, "无。", "None."));
        return;
    }
    doc_list_begin(b->d);
    for (size_t i = 0; i < json_array_size(ls); i++) {
        const json_t *o = json_array_get(ls, i);
        char t[4096];
        snprintf(t, sizeof t, "**#%lld %s%s**: %s%s%s", i_of(o, "id") ? i_of(o, "id") : i_of(o, "incident"),
                 json_is_true(json_object_get(o, "drill")) ? L(b, "【演练】", "[DRILL] ") : "", s_of(o, "title"),
                 s_of(o, "lessons"), *s_of(o, "cause") ? L(b, "（原因：", " (cause: ") : "", s_of(o, "cause"));
        if (*s_of(o, "cause"))
            strncat(t, L(b, "）", ")"), sizeof t - strlen(t) - 1);
        doc_list_item(b->d, t);
    }
}

static void sec_verify(build *b)
{
    const json_t *v = json_object_get(json_object_get(b->g, "duty"), "verify");
    if (!v)
        return;
    doc_heading(b->d, 2, L(b, "值班日志校验", "Duty log verification"));
    char t[512];
    if (json_is_true(json_object_get(v, "ok"))) {
        snprintf(t, sizeof t,
                 L(b, "哈希链完整：共 %lld 条记录校验通过（本期 %lld 条）。",
                   "The hash chain is intact: %lld entries verified (%lld in this range)."),
                 i_of(v, "chain_entries"), i_of(json_object_get(b->g, "duty"), "entries"));
        doc_note(b->d, DOC_NOTE_INFO, t);
    } else {
        snprintf(t, sizeof t, L(b, "哈希链校验失败：第 %lld 条记录，%s", "The hash chain is BROKEN at entry %lld: %s"),
                 i_of(v, "broken_at"), s_of(v, "why"));
        doc_note(b->d, DOC_NOTE_CRIT, t);
    }
}

static void title(build *b, char *out, size_t n, char *range, size_t rn)
{
    char from[16], to[16];
    day_of(b, b->r->from_ms, from, sizeof from);
    day_of(b, b->r->to_ms - 1, to, sizeof to);
    if (b->r->kind == REPORT_DAILY)
        snprintf(range, rn, "%s", from);
    else
        snprintf(range, rn, "%s – %s", from, to);
    const char *name = b->r->kind == REPORT_DAILY ? L(b, "值守日报", "Daily duty report")
                                                  : L(b, "重保期总结报告", "Protection period summary");
    const conf_department *d = b->r->department ? conf_department_find(b->c, b->r->department) : NULL;
    const char *dn = d && d->display ? d->display : b->r->department;
    if (b->r->cut != REPORT_CUT_FULL && dn)
        snprintf(out, n, "%s %s（%s）", name, range, dn);
    else
        snprintf(out, n, "%s %s", name, range);
}

kw_doc *report_build(const conf *c, const report_req *r, const json_t *g)
{
    build b = {.c = c, .r = r, .g = g};
    char t[512], range[64];
    title(&b, t, sizeof t, range, sizeof range);
    b.d = doc_new(t);
    const char *org = c->incident.organisation ? c->incident.organisation : c->period.name;
    char period[160];
    snprintf(period, sizeof period, "%s%s%s", c->period.name && c->incident.organisation ? c->period.name : "",
             c->period.name && c->incident.organisation ? " " : "", range);
    doc_set_header(b.d, org, period);
    doc_set_tz(b.d, c->console.tz_min);
    doc_set_footer(b.d, "keepwatch");
    static void (*const secs[])(build *) = {sec_overview, sec_duty,        sec_alerts,  sec_attacks,   sec_hosts,
                                            sec_findings, sec_drift,       sec_outages, sec_incidents, sec_drills,
                                            sec_response, sec_remediation, sec_trend,   sec_lessons,   sec_verify};
    for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++)
        secs[i](&b);
    return b.d;
}
