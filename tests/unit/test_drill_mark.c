/* drill_mark: acts marked by the runs' seen values, real alerts left alone, the linger, the
 * forced checks, the seen values' JSON. */
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "drill/drill.h"
#include "drill/drill_mark.h"
#include "kw_test.h"

#include <stdlib.h>

static alert_act act(const char *labels)
{
    alert_act a = {.kind = ALERT_ACT_FIRE, .labels_json = kw_strdup(labels)};
    alert_fingerprint("net", "syn_flood", labels, a.fingerprint);
    return a;
}

static struct drill_marks marks(void)
{
    struct drill_marks m = {.n = 1};
    m.v[0].id = 12;
    snprintf(m.v[0].scenario, sizeof m.v[0].scenario, "ddos");
    snprintf(m.v[0].seen.values[0], 64, "kwd12a");
    snprintf(m.v[0].seen.values[1], 64, "198.51.100.7");
    m.v[0].seen.n = 2;
    return m;
}

static void test_marked(void)
{
    struct drill_marks m = marks();
    alert_act a = act("{\"destination.ip\":\"192.0.2.10\",\"observer.ingress.interface.name\":\"kwd12a\"}");
    char before[17], want[17];
    memcpy(before, a.fingerprint, 17);
    CHECK_INT(drill_mark_act(&m, 1000, &a), 12);
    CHECK_STR(a.labels_json,
              "{\"destination.ip\":\"192.0.2.10\",\"drill\":\"12\",\"observer.ingress.interface.name\":\"kwd12a\"}");
    alert_fingerprint(before, "drill", "12", want);
    CHECK_STR(a.fingerprint, want);
    CHECK(strcmp(a.fingerprint, before) != 0);
    /* marked again (an UPDATE of the same alert): the label is there, nothing changes */
    char again[17];
    memcpy(again, a.fingerprint, 17);
    CHECK_INT(drill_mark_act(&m, 1000, &a), 12);
    CHECK_STR(a.fingerprint, again);
    free(a.labels_json);
}

static void test_real_alert_left(void)
{
    struct drill_marks m = marks();
    const char *l = "{\"source.ip\":\"203.0.113.5\"}";
    alert_act a = act(l);
    char fp[17];
    memcpy(fp, a.fingerprint, 17);
    CHECK_INT(drill_mark_act(&m, 1000, &a), 0);
    CHECK_STR(a.labels_json, l);
    CHECK_STR(a.fingerprint, fp);
    CHECK_INT(drill_mark_act(NULL, 1000, &a), 0);
    free(a.labels_json);
    /* a value only inside a key, or a number: not a match */
    a = act("{\"kwd12a\":1,\"n\":198}");
    CHECK_INT(drill_mark_act(&m, 1000, &a), 0);
    free(a.labels_json);
    a = act("not json");
    CHECK_INT(drill_mark_act(&m, 1000, &a), 0);
    free(a.labels_json);
}

static void test_synthetic_and_linger(void)
{
    struct drill_marks m = marks();
    alert_act a = act("{\"drill\":\"7\",\"source.ip\":\"198.51.100.7\"}");
    char fp[17];
    memcpy(fp, a.fingerprint, 17);
    CHECK_INT(drill_mark_act(&m, 1000, &a), 7);
    CHECK_STR(a.fingerprint, fp);
    free(a.labels_json);
    m.v[0].until_ms = 5000;
    a = act("{\"source.ip\":\"198.51.100.7\"}");
    CHECK_INT(drill_mark_act(&m, 4999, &a), 12);
    free(a.labels_json);
    a = act("{\"source.ip\":\"198.51.100.7\"}");
    CHECK_INT(drill_mark_act(&m, 5000, &a), 0);
    free(a.labels_json);
}

static void test_hook_and_forced(void)
{
    kw_core core = {0};
    pthread_mutex_init(&core.drill.mu, NULL);
    struct drill_marks m = marks();
    snprintf(m.v[0].seen.check, sizeof m.v[0].seen.check, "web");
    m.v[0].seen.check_until_ms = kw_now_ms() + 60000;
    char why[128] = "";
    CHECK(!drill_check_forced(&core, "web", kw_now_ms(), why, sizeof why));
    drill_marks_publish(&core, &m);
    CHECK(drill_check_forced(&core, "web", kw_now_ms(), why, sizeof why));
    CHECK_STR(why, "drill #12 (ddos): forced down");
    CHECK(!drill_check_forced(&core, "db", kw_now_ms(), why, sizeof why));
    CHECK(!drill_check_forced(&core, "web", kw_now_ms() + 120000, why, sizeof why));
    alert_acts acts = {0};
    alert_acts_push(&acts, ALERT_ACT_FIRE, "net", "syn_flood", kw_strdup("{\"source.ip\":\"198.51.100.7\"}"));
    alert_acts_push(&acts, ALERT_ACT_FIRE, "net", "syn_flood", kw_strdup("{\"source.ip\":\"203.0.113.1\"}"));
    drill_mark_hook(&core, &acts);
    CHECK_CONTAINS(acts.v[0].labels_json, "\"drill\":\"12\"");
    CHECK(strstr(acts.v[1].labels_json, "drill") == NULL);
    alert_acts_free(&acts);
    drill_marks_publish(&core, NULL);
    CHECK(core.drill.marks == NULL);
    CHECK(!drill_check_forced(&core, "web", kw_now_ms(), why, sizeof why));
}

static void test_seen_json(void)
{
    struct drill_marks m = marks();
    snprintf(m.v[0].seen.check, sizeof m.v[0].seen.check, "web");
    m.v[0].seen.check_until_ms = 99;
    kw_buf b;
    kw_buf_init(&b, 1 << 16);
    drill_seen_json(&m.v[0].seen, &b);
    CHECK_STR(kw_buf_cstr(&b), "{\"values\":[\"kwd12a\",\"198.51.100.7\"],\"check\":\"web\",\"check_until\":99}");
    drill_seen back;
    CHECK_INT(drill_seen_parse(kw_buf_cstr(&b), &back), KW_OK);
    CHECK_INT(back.n, 2);
    CHECK_STR(back.values[1], "198.51.100.7");
    CHECK_STR(back.check, "web");
    CHECK_INT(back.check_until_ms, 99);
    kw_buf_free(&b);
    CHECK_INT(drill_seen_parse("[1]", &back), KW_ERR_PARSE);
    CHECK_INT(drill_seen_parse("{\"values\":3}", &back), KW_ERR_PARSE);
    CHECK_INT(drill_seen_parse(NULL, &back), KW_ERR_PARSE);
    char big[200];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    char js[400];
    snprintf(js, sizeof js, "{\"values\":[\"%s\",\"ok\",5]}", big);
    CHECK_INT(drill_seen_parse(js, &back), KW_OK);
    CHECK_INT(back.n, 1);
    CHECK_STR(back.values[0], "ok");
}

static void test_stage_ok(void)
{
    CHECK(drill_mark_stage_ok("detected"));
    CHECK(drill_mark_stage_ok("acked"));
    CHECK(drill_mark_stage_ok("step:scrub_1"));
    CHECK(!drill_mark_stage_ok("step:"));
    CHECK(!drill_mark_stage_ok("step:a b"));
    CHECK(!drill_mark_stage_ok("detect"));
    CHECK(!drill_mark_stage_ok(""));
    CHECK(!drill_mark_stage_ok(NULL));
    char big[200] = "step:";
    memset(big + 5, 'x', 150);
    big[155] = 0;
    CHECK(!drill_mark_stage_ok(big));
}

int main(void)
{
    RUN(test_stage_ok);
    RUN(test_marked);
    RUN(test_real_alert_left);
    RUN(test_synthetic_and_linger);
    RUN(test_hook_and_forced);
    RUN(test_seen_json);
    TEST_MAIN_END();
}
