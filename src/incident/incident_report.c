/* incident_report.c: an incident's record as the report a department or a regulator receives
 * (incident_report.h). The JSON is the store's, read back here with every field optional: a
 * missing one is left out of the report, never guessed. */
#include "incident/incident_report.h"
#include "core/kw_buf.h"
#include "incident/incident_class.h"
#include "incident/incident_conf.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct rep {
    const incident_report_in *in;
    kw_doc *d;
    json_t *inc, *steps, *alerts, *timeline;
    bool en;
    int32_t tz;
    const conf_asset *asset;
} rep;

static const char *W(const rep *r, const char *zh, const char *en)
{
    return r->en ? en : zh;
}

static const char *S(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v && *v ? v : NULL;
}

static int64_t I(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* "2026-12-01 18:30 +08:00" in the console's zone; "" for none. */
static const char *when(const rep *r, int64_t ms, char *buf, size_t n)
{
    if (ms <= 0) {
        buf[0] = '\0';
        return buf;
    }
    time_t t = (time_t)(ms / 1000) + (time_t)r->tz * 60;
    struct tm tm;
    gmtime_r(&t, &tm);
    char s[24];
    strftime(s, sizeof s, "%Y-%m-%d %H:%M", &tm);
    int32_t off = r->tz < 0 ? -r->tz : r->tz;
    snprintf(buf, n, "%s %c%02d:%02d", s, r->tz < 0 ? '-' : '+', (int)(off / 60), (int)(off % 60));
    return buf;
}

static void kv(rep *r, const char *zh, const char *en, const char *v)
{
    if (v && *v)
        doc_kv(r->d, W(r, zh, en), v);
}

static void kv_time(rep *r, const char *zh, const char *en, int64_t ms)
{
    char b[48];
    if (ms > 0)
        kv(r, zh, en, when(r, ms, b, sizeof b));
}

static const char *pick(const rep *r, json_t *o, const char *en_key, const char *zh_key)
{
    const char *en = S(o, en_key), *zh = S(o, zh_key);
    return r->en ? (en ? en : zh) : (zh ? zh : en);
}

/* 网络攻击事件 / 拒绝服务攻击事件 (NA / NA-DOS) */
static void put_type(rep *r, kw_buf *b)
{
    const char *cat = S(r->inc, "category"), *sub = S(r->inc, "subcategory");
    const incident_class *c = incident_class_find(cat), *s = incident_class_find(sub);
    if (c)
        kw_buf_puts(b, r->en ? c->name_en : c->name_zh);
    if (s)
        kw_buf_printf(b, "%s%s", c ? " / " : "", r->en ? s->name_en : s->name_zh);
    if (cat)
        kw_buf_printf(b, " (%s%s%s)", cat, sub ? " / " : "", sub ? sub : "");
}

static void put_grade(rep *r, kw_buf *b)
{
    int g = incident_grade_parse(S(r->inc, "grade"));
    if (g)
        kw_buf_printf(b, r->en ? "%s (%s)" : "%s级（%s）", r->en ? incident_grade_name(g) : incident_grade_roman(g),
                      incident_grade_label(g, !r->en));
}

/* What the incident's state is in words: closed, contained, or how far the steps are. */
static void put_state(rep *r, kw_buf *b)
{
    char t[48];
    if (S(r->inc, "state") && strcmp(S(r->inc, "state"), "closed") == 0)
        kw_buf_printf(b, W(r, "已关闭（%s）", "closed (%s)"), when(r, I(r->inc, "closed_ms"), t, sizeof t));
    else if (I(r->inc, "contained_ms") > 0)
        kw_buf_printf(b, W(r, "已控制（%s），处置中", "contained (%s), being handled"),
                      when(r, I(r->inc, "contained_ms"), t, sizeof t));
    else
        kw_buf_puts(b, W(r, "处置中", "being handled"));
    kw_buf_printf(b, W(r, "；步骤完成 %lld / %lld", "; %lld of %lld steps finished"),
                  (long long)I(r->inc, "steps_finished"), (long long)I(r->inc, "steps"));
}

static void section_facts(rep *r)
{
    const conf *c = r->in->c;
    kw_buf b;
    kw_buf_init(&b, 1 << 16);
    doc_kv_begin(r->d);
    kv(r, "报告单位", "Reporting organisation", c->incident.organisation);
    kv(r, "联系人", "Contact", c->incident.contact);
    char id[32];
    snprintf(id, sizeof id, "#%lld", (long long)I(r->inc, "id"));
    kv(r, "事件编号", "Incident", id);
    kv(r, "事件名称", "Title", S(r->inc, "title"));
    kv_time(r, "发现时间", "Found", I(r->inc, "found_ms"));
    kv_time(r, "宣布时间", "Declared", I(r->inc, "declared_ms"));
    put_type(r, &b);
    kv(r, "事件类型", "Type", kw_buf_cstr(&b));
    kw_buf_reset(&b);
    put_grade(r, &b);
    kv(r, "事件级别", "Grade", kw_buf_cstr(&b));
    kw_buf_reset(&b);
    if (r->asset && r->asset->business)
        kw_buf_printf(&b, "%s（%s）", r->asset->business, r->asset->name);
    kv(r, "影响系统", "Systems affected", b.len ? kw_buf_cstr(&b) : S(r->inc, "systems"));
    kv(r, "对用户的影响", "Impact on users", S(r->inc, "impact") ? S(r->inc, "impact") : r->asset ? r->asset->impact : NULL);
    kw_buf_reset(&b);
    put_state(r, &b);
    kv(r, "当前状态", "Current state", kw_buf_cstr(&b));
    if (json_is_true(json_object_get(r->inc, "drill")))
        kv(r, "性质", "Nature", W(r, "演练（非真实事件）", "a drill (not a real incident)"));
    kw_buf_free(&b);
}

/* The steps of one state: done (measures taken) or pending (next steps). */
static void section_steps(rep *r, bool done)
{
    const char *h[4] = {W(r, "步骤", "Step"), W(r, "负责人", "Owner"), done ? W(r, "完成时间", "Done") : W(r, "截止", "Due"),
                        done ? W(r, "说明", "Note") : W(r, "阶段", "Phase")};
    size_t i, rows = 0;
    json_t *st;
    json_array_foreach(r->steps, i, st)
    {
        const char *state = S(st, "state");
        bool is_done = state && strcmp(state, "done") == 0, pending = state && strcmp(state, "pending") == 0;
        if (done ? !is_done : !pending)
            continue;
        if (!rows++) {
            doc_heading(r->d, 2, done ? W(r, "已采取的措施", "Measures taken") : W(r, "下一步", "Next steps"));
            doc_table_begin(r->d, 4, h, NULL, (const double[]){4, 2, 2, 3});
        }
        char t[48];
        const char *cells[4] = {pick(r, st, "title", "title_zh"), S(st, "owner") ? S(st, "owner") : S(st, "owner_spec"),
                                when(r, I(st, done ? "done_ms" : "due_ms"), t, sizeof t),
                                done ? S(st, "note") : incident_phase_label(S(st, "phase"), !r->en)};
        doc_table_row(r->d, cells);
    }
}

static void section_alerts(rep *r)
{
    if (!json_array_size(r->alerts))
        return;
    doc_heading(r->d, 2, W(r, "相关告警", "Alerts"));
    const char *h[3] = {W(r, "告警", "Alert"), W(r, "规则", "Rule"), W(r, "摘要", "Summary")};
    doc_table_begin(r->d, 3, h, NULL, (const double[]){1, 2, 6});
    size_t i;
    json_t *a;
    json_array_foreach(r->alerts, i, a)
    {
        char id[32];
        snprintf(id, sizeof id, "#%lld", (long long)I(a, "alert"));
        const char *cells[3] = {id, S(a, "rule"), S(a, "summary")};
        doc_table_row(r->d, cells);
    }
}

static void section_timeline(rep *r)
{
    if (!json_array_size(r->timeline))
        return;
    doc_heading(r->d, 2, W(r, "时间线", "Timeline"));
    const char *h[4] = {W(r, "时间", "Time"), W(r, "事项", "What"), W(r, "人员", "Who"), W(r, "内容", "Detail")};
    doc_table_begin(r->d, 4, h, NULL, (const double[]){2, 1.5, 1.5, 6});
    size_t i;
    json_t *e;
    json_array_foreach(r->timeline, i, e)
    {
        char t[48];
        const char *cells[4] = {when(r, I(e, "ts_ms"), t, sizeof t), S(e, "kind"), S(e, "actor"), S(e, "text")};
        doc_table_row(r->d, cells);
    }
}

static void section_review(rep *r)
{
    if (!S(r->inc, "cause") && !S(r->inc, "lessons"))
        return;
    doc_heading(r->d, 2, W(r, "原因与总结", "Cause and review"));
    doc_kv_begin(r->d);
    kv(r, "原因", "Cause", S(r->inc, "cause"));
    kv(r, "影响", "Impact", S(r->inc, "impact"));
    kv(r, "经验教训", "Lessons", S(r->inc, "lessons"));
}

/* The regulator's deadline for this organisation type at this grade, if one applies. */
static void section_deadline(rep *r)
{
    const conf *c = r->in->c;
    int g = incident_grade_parse(S(r->inc, "grade"));
    for (size_t i = 0; g && i < c->incident.reporting.n; i++) {
        const conf_inc_reporting *p = CONF_AT(c->incident.reporting, conf_inc_reporting, i);
        if (p->org_type != c->incident.org_type || g > p->min_grade)
            continue;
        char t[48], line[512];
        snprintf(line, sizeof line, W(r, "应于 %s 前报告%s（发现后 %lld 分钟内）。", "To be reported to %2$s by %1$s (%3$lld min after it was found)."),
                 when(r, I(r->inc, "found_ms") + p->within_ms, t, sizeof t),
                 r->en ? (p->to ? p->to : "the regulator") : (p->to_zh ? p->to_zh : "主管部门"),
                 (long long)(p->within_ms / 60000));
        doc_note(r->d, DOC_NOTE_WARN, line);
        return;
    }
}

/* Business and customer service: what users notice, what to tell them, when it is back. */
static void section_users(rep *r)
{
    const conf_asset *a = r->asset;
    doc_heading(r->d, 2, W(r, "对用户的影响与口径", "What users notice and what to tell them"));
    doc_kv_begin(r->d);
    kv(r, "受影响业务", "Service affected", a && a->business ? a->business : S(r->inc, "systems"));
    kv(r, "用户可能遇到", "Users may notice",
       a && a->impact ? a->impact : W(r, "服务访问缓慢或无法访问", "the service slow or unreachable"));
    if (r->in->audience == DEPT_CUSTOMER_SERVICE)
        kv(r, "对用户口径", "What to tell users",
           a && a->advice ? a->advice
                          : W(r, "我们已知晓该问题并正在处理，服务将尽快恢复", "we know of the problem and are working on it; "
                                                                     "service will be back as soon as possible"));
    char b[48];
    kv(r, "已恢复", "Restored", I(r->inc, "closed_ms") > 0 ? when(r, I(r->inc, "closed_ms"), b, sizeof b) : NULL);
}

static void build_body(rep *r)
{
    const incident_report_in *in = r->in;
    bool technical = in->kind == INC_REPORT_DEPARTMENT &&
                     (in->audience == DEPT_SECURITY || in->audience == DEPT_OPERATIONS || in->audience == DEPT_OTHER);
    bool users = in->kind == INC_REPORT_DEPARTMENT &&
                 (in->audience == DEPT_BUSINESS || in->audience == DEPT_CUSTOMER_SERVICE);
    section_facts(r);
    if (S(r->inc, "summary")) {
        doc_heading(r->d, 2, W(r, "事件概况", "Summary"));
        doc_para(r->d, S(r->inc, "summary"));
    }
    if (in->kind == INC_REPORT_REGULATOR || in->audience == DEPT_MANAGEMENT)
        section_deadline(r);
    if (users) {
        section_users(r);
        return;
    }
    section_steps(r, true);
    section_steps(r, false);
    if (technical) {
        section_alerts(r);
        section_timeline(r);
    }
    section_review(r);
}

kw_rc incident_report_build(const incident_report_in *in, kw_doc **out)
{
    *out = NULL;
    json_t *root = json_loadb(in->json, in->len, 0, NULL);
    rep r = {.in = in, .inc = json_object_get(root, "incident"), .steps = json_object_get(root, "steps"),
             .alerts = json_object_get(root, "alerts"), .timeline = json_object_get(root, "timeline"),
             .en = in->lang == DOC_LANG_EN, .tz = in->c->console.tz_min};
    if (!json_is_object(r.inc)) {
        json_decref(root);
        return KW_ERR_PARSE;
    }
    r.asset = S(r.inc, "systems") ? conf_asset_find(in->c, S(r.inc, "systems")) : NULL;
    static const char *const titles[][2] = {{"网络安全事件报告", "Cybersecurity incident report"},
                                            {"网络安全事件通报", "Cybersecurity incident notice"}};
    char title[256], period[96], b[48];
    snprintf(title, sizeof title, "%s #%lld", titles[in->kind][r.en], (long long)I(r.inc, "id"));
    if (json_is_true(json_object_get(r.inc, "drill")))
        snprintf(title + strlen(title), sizeof title - strlen(title), " %s", W(&r, "【演练】", "[DRILL]"));
    snprintf(period, sizeof period, "%s %s", W(&r, "报告时间", "Reported"), when(&r, in->now_ms, b, sizeof b));
    r.d = doc_new(title);
    doc_set_header(r.d, in->c->incident.organisation, period);
    doc_set_tz(r.d, r.tz);
    build_body(&r);
    json_decref(root);
    *out = r.d;
    return KW_OK;
}

bool incident_report_parse_for(const char *s, incident_report_kind *kind, int *audience)
{
    static const char *const kinds[] = {"security", "operations", "business", "customer_service", "management"};
    *audience = DEPT_SECURITY;
    if (!s || strcmp(s, "regulator") == 0) {
        *kind = INC_REPORT_REGULATOR;
        return true;
    }
    *kind = INC_REPORT_DEPARTMENT;
    if (strcmp(s, "department") == 0)
        return true;
    for (int i = 0; i < (int)(sizeof kinds / sizeof *kinds); i++)
        if (strcmp(s, kinds[i]) == 0) {
            *audience = i; /* dept_kind's order */
            return true;
        }
    return false;
}
