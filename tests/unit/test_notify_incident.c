/* Incident messages: a step to its owner (what to do, due when, the command that marks it
 * done), a department told in its own terms (customer service: what users notice and what to
 * tell them; management: the grade and the regulator's clock), a step's own words with their
 * placeholders, drills marked, outside values made inert, and the outbox row on a real store. */
#include "kw_test.h"
#include "kw_test_conf.h"
#include "kw_test_store.h"

#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf/conf.h"
#include "notify/notify.h"
#include "store/store_notify.h"

static const char cfg[] =
    "console:\n  timezone: \"+08:00\"\n"
    "departments:\n"
    "  - {name: sec, kind: security}\n"
    "  - {name: cs, kind: customer_service}\n"
    "  - {name: mgmt, kind: management}\n"
    "people:\n"
    "  - {name: zhang.wei, display: 张伟, departments: [sec], dingtalk: \"13800000001\"}\n"
    "assets:\n"
    "  - {name: portal, addresses: [10.0.0.0/24], business: 网上银行, impact: 网上银行无法登录,\n"
    "     advice: 请用户改用手机银行}\n"
    "notify:\n"
    "  channels:\n"
    "    - {name: sec-robot, type: dingtalk, url: \"http://127.0.0.1:1/\", department: sec, mention: true}\n"
    "    - {name: cs-robot, type: wecom, url: \"http://127.0.0.1:1/\", department: cs}\n"
    "    - {name: mgmt-mail, type: webhook, url: \"http://127.0.0.1:1/\", department: mgmt, language: en}\n"
    "    - {name: cs-hook, type: webhook, url: \"http://127.0.0.1:1/\", department: cs}\n";

static const conf_channel *chan(const conf *c, const char *name)
{
    for (size_t i = 0; i < c->notify.channels.n; i++)
        if (strcmp(CONF_AT(c->notify.channels, conf_channel, i)->name, name) == 0)
            return CONF_AT(c->notify.channels, conf_channel, i);
    return NULL;
}

static notify_inc_msg step_msg(const conf *c, const conf_person *const *who)
{
    notify_inc_msg m = {.kind = NINC_STEP, .incident = 12, .title = "DDoS on the portal [x](http://evil)",
                        .grade = 3, .playbook_title = "DDoS", .playbook_title_zh = "DDoS 攻击",
                        .asset = conf_asset_find(c, "portal"), .step = "verify", .step_title = "Confirm",
                        .step_title_zh = "核实", .instructions = "Look at net top.", .instructions_zh = "查看流量来源。\n保留证据。",
                        .declared_ms = 1795795800000LL, /* 2026-11-27 16:10 UTC = 00:10 +08:00 the next day */
                        .due_ms = 1795795800000LL + 15 * 60000, .people = who, .npeople = 1,
                        .console_url = "https://kw.example"};
    return m;
}

static void test_step(void)
{
    conf *c = kwt_conf(cfg);
    CHECK(c != NULL);
    if (!c)
        return;
    const conf_person *who[1] = {conf_person_find(c, "zhang.wei")};
    notify_inc_msg m = step_msg(c, who);
    kw_buf title, text;
    kw_buf_init(&title, 0);
    kw_buf_init(&text, 0);
    notify_render_incident(c, chan(c, "sec-robot"), &m, &title, &text);
    CHECK_STR(kw_buf_cstr(&title), "【事件 #12·Ⅲ级】核实 — DDoS on the portal ［x］(http://evil)");
    CHECK_CONTAINS(kw_buf_cstr(&text), "**负责人**：@13800000001");
    CHECK_CONTAINS(kw_buf_cstr(&text), "**截止**：2026-11-28 00:25:00 +08:00（宣布后 15 分钟）");
    CHECK_CONTAINS(kw_buf_cstr(&text), "查看流量来源。\n保留证据。");
    CHECK_CONTAINS(kw_buf_cstr(&text), "keepwatch incident step done 12 verify");
    CHECK_CONTAINS(kw_buf_cstr(&text), "https://kw.example/#/incidents/12");
    CHECK(strstr(kw_buf_cstr(&text), "incident report") == NULL); /* the step prepares none */
    m.report = "regulator";
    kw_buf_reset(&title);
    kw_buf_reset(&text);
    notify_render_incident(c, chan(c, "sec-robot"), &m, &title, &text);
    CHECK_CONTAINS(kw_buf_cstr(&text), "**报告**：keepwatch incident report 12 --for regulator --format pdf");
    m.report = NULL;
    /* a drill says so first; English where the channel speaks it */
    m.drill = true;
    kw_buf_reset(&title);
    kw_buf_reset(&text);
    notify_render_incident(c, chan(c, "mgmt-mail"), &m, &title, &text);
    CHECK_STR(kw_buf_cstr(&title), "[DRILL] [Incident #12, grade III] Confirm — DDoS on the portal [x](http://evil)");
    CHECK_CONTAINS(kw_buf_cstr(&text), "Look at net top.");
    kw_buf_free(&title);
    kw_buf_free(&text);
    conf_free(c);
}

static void test_tell(void)
{
    conf *c = kwt_conf(cfg);
    CHECK(c != NULL);
    if (!c)
        return;
    notify_inc_msg m = step_msg(c, NULL);
    m.kind = NINC_TELL;
    m.npeople = 0;
    m.report_due_ms = 1795795800000LL + 4 * 3600000;
    m.report_to = "the local cyberspace administration";
    m.report_to_zh = "属地网信部门";
    kw_buf title, text;
    kw_buf_init(&title, 0);
    kw_buf_init(&text, 0);
    notify_render_incident(c, chan(c, "cs-robot"), &m, &title, &text);
    CHECK_CONTAINS(kw_buf_cstr(&title), "【事件通报 #12·Ⅲ级】");
    CHECK_CONTAINS(kw_buf_cstr(&text), "用户可能遇到**：网上银行无法登录");
    CHECK_CONTAINS(kw_buf_cstr(&text), "对用户口径**：请用户改用手机银行");
    CHECK(strstr(kw_buf_cstr(&text), "net top") == NULL); /* no technical detail for customer service */
    kw_buf_reset(&title);
    kw_buf_reset(&text);
    notify_render_incident(c, chan(c, "mgmt-mail"), &m, &title, &text);
    CHECK_CONTAINS(kw_buf_cstr(&text), "Grade: III (relatively serious)");
    CHECK_CONTAINS(kw_buf_cstr(&text), "Must be reported: the local cyberspace administration by 2026-11-28 04:10:00 +08:00");
    /* the step's own words, placeholders filled, an outside value inert on a robot */
    m.message_zh = "{business}（{asset}）受影响，事件 #{id}，{grade} 级：{title}";
    kw_buf_reset(&title);
    kw_buf_reset(&text);
    notify_render_incident(c, chan(c, "cs-robot"), &m, &title, &text);
    CHECK_CONTAINS(kw_buf_cstr(&text), "网上银行（portal）受影响，事件 #12，Ⅲ 级：DDoS on the portal ［x］(http://evil)");
    kw_buf_free(&title);
    kw_buf_free(&text);
    conf_free(c);
}

static void test_placeholders_checked(void)
{
    char err[160];
    size_t pos = 0;
    CHECK_INT(notify_inc_tmpl_check("{business} down, tell users {advice}", err, sizeof err, &pos), KW_OK);
    CHECK_INT(notify_inc_tmpl_check("see {severity}", err, sizeof err, &pos), KW_ERR_PARSE);
    CHECK_INT((int)pos, 4);
    CHECK_CONTAINS(err, "unknown placeholder {severity}");
    CHECK_INT(notify_inc_tmpl_check("open {brace", err, sizeof err, &pos), KW_ERR_PARSE);
}

static void row(void *arg, const store_outbox_row *r)
{
    json_t **out = arg;
    if (!*out)
        *out = json_loads(r->message, 0, NULL);
}

static void test_outbox(void)
{
    char dir[] = "/tmp/kw-ninc-XXXXXX", path[300], err[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/kw.db", dir);
    kwt_duty_keys_in(dir, 100);
    kw_store *s = kwt_store_open(path, err, sizeof err);
    conf *c = kwt_conf(cfg);
    CHECK(s && c);
    if (s && c) {
        const conf_channel *out[4];
        CHECK_INT((int)notify_channels_of_department(c, "cs", out, 4), 2);
        CHECK_STR(out[0]->name, "cs-robot");
        const conf_person *who[1] = {conf_person_find(c, "zhang.wei")};
        notify_inc_msg m = step_msg(c, who);
        int64_t id = 0;
        CHECK_INT(notify_outbox_incident(s, c, chan(c, "cs-hook"), &m, 1795795800000LL, &id), KW_OK);
        CHECK(id > 0);
        json_t *msg = NULL;
        CHECK_INT(store_outbox_due_each(s, "cs-hook", 1795795800000LL, 10, row, &msg), KW_OK);
        CHECK(msg != NULL);
        CHECK_STR(json_string_value(json_object_get(msg, "kind")), "incident_step");
        json_t *inc = json_object_get(msg, "incident");
        CHECK_INT((int)json_integer_value(json_object_get(inc, "id")), 12);
        CHECK_STR(json_string_value(json_object_get(inc, "step")), "verify");
        CHECK_STR(json_string_value(json_object_get(inc, "grade")), "III");
        CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(msg, "people"), 0), "name")),
                  "zhang.wei");
        json_decref(msg);
    }
    store_close(s);
    conf_free(c);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    RUN(test_step);
    RUN(test_tell);
    RUN(test_placeholders_checked);
    RUN(test_outbox);
    TEST_MAIN_END();
}
