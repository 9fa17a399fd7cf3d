/* Incident reports from an incident's record (the store's JSON shape): the regulator's report
 * (reporting unit, contact, found, GB/T type, grade, systems, impact, measures, next steps, the
 * deadline for the organisation type), customer service's notice in users' terms with no
 * technical record, drills marked, English, and a record that is not an incident's refused. */
#include "kw_test.h"
#include "kw_test_conf.h"

#include <stdlib.h>

#include "conf/conf.h"
#include "incident/incident_report.h"

static const char cfg[] = "console: {timezone: \"+08:00\"}\n"
                          "incident: {organisation: 某市数据中心, contact: 张伟 13800000001, org_type: other}\n"
                          "assets:\n  - {name: portal, addresses: [10.0.0.0/24], business: 网上银行,\n"
                          "     impact: 网上银行无法登录, advice: 请用户改用手机银行}\n";

/* found 2026-11-27 16:10 UTC (00:10 +08:00 the next day), declared 5 min later */
static const char record[] =
    "{\"incident\":{\"id\":12,\"title\":\"DDoS 攻击导致网上银行不可用\",\"playbook\":\"ddos\",\"category\":\"NA\","
    "\"subcategory\":\"NADOS\",\"grade\":\"III\",\"state\":\"open\",\"drill\":false,\"found_ms\":1795795800000,"
    "\"declared_ms\":1795796100000,\"contained_ms\":0,\"closed_ms\":0,\"summary\":\"SYN 洪泛 3 Gbps\","
    "\"systems\":\"portal\",\"steps\":3,\"steps_finished\":1},"
    "\"steps\":[{\"name\":\"verify\",\"phase\":\"confirm\",\"title\":\"Confirm\",\"title_zh\":\"核实攻击\","
    "\"owner\":\"zhang.wei\",\"state\":\"done\",\"done_ms\":1795796400000,\"note\":\"源地址伪造\"},"
    "{\"name\":\"scrub\",\"phase\":\"contain\",\"title_zh\":\"引流清洗\",\"owner\":\"wang.qiang\",\"state\":\"pending\","
    "\"due_ms\":1795799700000},"
    "{\"name\":\"cdn\",\"phase\":\"contain\",\"title_zh\":\"切换 CDN\",\"state\":\"na\"}],"
    "\"alerts\":[{\"alert\":7,\"rule\":\"syn_flood\",\"summary\":\"syn_flood -> 10.0.0.5:443\"}],"
    "\"timeline\":[{\"ts_ms\":1795796100000,\"kind\":\"declared\",\"actor\":\"keepwatch\",\"text\":\"from alert #7\"}]}";

static char *render(const conf *c, const char *json, incident_report_kind kind, int audience, doc_lang lang, kw_rc *rc)
{
    incident_report_in in = {.c = c, .json = json, .len = strlen(json), .kind = kind, .audience = audience,
                             .lang = lang, .now_ms = 1795800000000LL};
    kw_doc *d = NULL;
    *rc = incident_report_build(&in, &d);
    if (*rc != KW_OK)
        return NULL;
    kw_buf b;
    kw_buf_init(&b, 0);
    CHECK_INT(doc_render_md(d, lang, &b), KW_OK);
    doc_free(d);
    return kw_buf_take(&b);
}

static void test_regulator(void)
{
    conf *c = kwt_conf(cfg);
    CHECK(c != NULL);
    if (!c)
        return;
    kw_rc rc;
    char *md = render(c, record, INC_REPORT_REGULATOR, 0, DOC_LANG_ZH, &rc);
    CHECK_INT(rc, KW_OK);
    CHECK_CONTAINS(md, "网络安全事件报告 \\#12"); /* Markdown escapes */
    CHECK_CONTAINS(md, "某市数据中心");
    CHECK_CONTAINS(md, "张伟 13800000001");
    CHECK_CONTAINS(md, "2026-11-28 00:10 +08:00");            /* found */
    CHECK_CONTAINS(md, "网络攻击事件 / 拒绝服务事件 (NA / NADOS)");
    CHECK_CONTAINS(md, "Ⅲ级（较大）");
    CHECK_CONTAINS(md, "网上银行（portal）");
    CHECK_CONTAINS(md, "网上银行无法登录");
    CHECK_CONTAINS(md, "核实攻击");                             /* a measure taken */
    CHECK_CONTAINS(md, "源地址伪造");
    CHECK_CONTAINS(md, "引流清洗");                             /* a next step */
    CHECK(strstr(md, "切换 CDN") == NULL);                     /* n/a: in neither */
    CHECK_CONTAINS(md, "2026-11-28 04:10 +08:00 前报告属地省级网信部门"); /* found + 4 h */
    CHECK(strstr(md, "10.0.0.5:443") == NULL);        /* the alerts are the technical record */
    free(md);
    md = render(c, record, INC_REPORT_REGULATOR, 0, DOC_LANG_EN, &rc);
    CHECK_CONTAINS(md, "Cybersecurity incident report \\#12");
    CHECK_CONTAINS(md, "III (relatively serious)");
    CHECK_CONTAINS(md, "by 2026-11-28 04:10 +08:00");
    free(md);
    conf_free(c);
}

static void test_departments(void)
{
    conf *c = kwt_conf(cfg);
    CHECK(c != NULL);
    if (!c)
        return;
    kw_rc rc;
    char *md = render(c, record, INC_REPORT_DEPARTMENT, DEPT_CUSTOMER_SERVICE, DOC_LANG_ZH, &rc);
    CHECK_CONTAINS(md, "网络安全事件通报 \\#12");
    CHECK_CONTAINS(md, "请用户改用手机银行");
    CHECK(strstr(md, "引流清洗") == NULL && strstr(md, "10.0.0.5") == NULL); /* no technical detail */
    free(md);
    md = render(c, record, INC_REPORT_DEPARTMENT, DEPT_SECURITY, DOC_LANG_ZH, &rc);
    CHECK_CONTAINS(md, "syn\\_flood -\\> 10.0.0.5:443");       /* the alerts */
    CHECK_CONTAINS(md, "from alert #7");                       /* the timeline */
    free(md);
    /* a drill says so in the title */
    char drill[sizeof record + 8];
    snprintf(drill, sizeof drill, "%s", record);
    char *p = strstr(drill, "\"drill\":false");
    memcpy(p, "\"drill\":true ", 13);
    md = render(c, drill, INC_REPORT_REGULATOR, 0, DOC_LANG_ZH, &rc);
    CHECK_CONTAINS(md, "\\#12 【演练】");
    CHECK_CONTAINS(md, "演练（非真实事件）");
    free(md);
    CHECK(render(c, "[1,2]", INC_REPORT_REGULATOR, 0, DOC_LANG_ZH, &rc) == NULL && rc == KW_ERR_PARSE);
    CHECK(render(c, "{\"incident\":", INC_REPORT_REGULATOR, 0, DOC_LANG_ZH, &rc) == NULL && rc == KW_ERR_PARSE);
    incident_report_kind k;
    int aud;
    CHECK(incident_report_parse_for("customer_service", &k, &aud) && k == INC_REPORT_DEPARTMENT &&
          aud == DEPT_CUSTOMER_SERVICE);
    CHECK(!incident_report_parse_for("press", &k, &aud));
    conf_free(c);
}

int main(void)
{
    RUN(test_regulator);
    RUN(test_departments);
    TEST_MAIN_END();
}
