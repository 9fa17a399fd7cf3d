/* drill_conf: the drill: section, the built-in scenarios, scenario_dir, the cross-checks. */
#include "drill/drill_conf.h"
#include "kw_test.h"
#include "kw_test_conf.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The errors of yaml joined by newlines (the caller frees), or NULL when it loads. */
static char *conf_errs(const char *yaml)
{
    conf *c = NULL;
    conf_errors errs = {0};
    char *out = NULL;
    if (conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, &errs) != KW_OK) {
        size_t len = 1;
        for (size_t i = 0; i < errs.n; i++)
            len += strlen(errs.v[i]) + 1;
        out = calloc(1, len);
        for (size_t i = 0; i < errs.n; i++) {
            strcat(out, errs.v[i]);
            strcat(out, "\n");
        }
    }
    conf_free(c);
    conf_errors_free(&errs);
    return out;
}

static void test_defaults_and_builtins(void)
{
    conf *c = kwt_conf("{}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_STR(c->drill.netns, "keepwatch-drill");
    CHECK_INT(c->drill.linger_ms, 600000);
    const char *names[] = {"ddos", "ssh_brute_force", "web_attack", "firewall_deny", "db_login_failure", "port_scan",
                           "service_down", "tabletop_ransomware"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CHECK(drill_conf_find(c, names[i]) != NULL);
    const conf_drill_scenario *s = drill_conf_find(c, "ddos");
    if (s) {
        CHECK_STR(s->origin, "built-in");
        CHECK_INT(s->inject.n, 2);
        const conf_drill_inject *x = CONF_AT(s->inject, conf_drill_inject, 1);
        CHECK_INT(x->kind, DRILL_INJ_REPLAY);
        CHECK_STR(x->replay, "udp_reflection");
        CHECK_INT(x->at_ms, 180000);
        CHECK_INT(s->expect.acked_ms, 300000);
        CHECK_INT(s->expect.declared_ms, 600000);
        CHECK_STR(s->expect.playbook, "ddos");
        CHECK(s->expect.steps_on_time);
        CHECK_INT(s->expect.told.n, 2);
        CHECK_INT(s->duration_ms, 1800000);
        CHECK_STR(s->title_zh, "DDoS 攻击导致网站无法访问");
    }
    s = drill_conf_find(c, "tabletop_ransomware");
    CHECK(s && s->tabletop && s->inject.n == 0 && !s->expect.steps_on_time);
    s = drill_conf_find(c, "service_down");
    CHECK(s && s->inject.n == 1 && CONF_AT(s->inject, conf_drill_inject, 0)->kind == DRILL_INJ_ALERT &&
          CONF_AT(s->inject, conf_drill_inject, 0)->severity == 3);
    conf_free(c);
}

static void test_user_scenario(void)
{
    conf *c = kwt_conf("drill:\n"
                       "  linger: 1m\n"
                       "  scenarios:\n"
                       "    - name: ddos\n"
                       "      title: our own\n"
                       "      duration: 5m\n"
                       "      inject:\n"
                       "        - alert: web_attack\n"
                       "          at: 10s\n"
                       "          labels: {source.ip: 198.51.100.7}\n"
                       "      expect: {detected: 30s, acked: 2m}\n"
                       "    - name: mine\n"
                       "      tabletop: true\n"
                       "      at: [\"2026-12-03T09:30\"]\n");
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_INT(c->drill.linger_ms, 60000);
    const conf_drill_scenario *s = drill_conf_find(c, "ddos");
    CHECK(s && strcmp(s->title, "our own") == 0 && s->inject.n == 1 && s->duration_ms == 300000);
    CHECK(s && strcmp(s->origin, "t.yaml") == 0 && s->line == 4);
    if (s) {
        const conf_drill_inject *x = CONF_AT(s->inject, conf_drill_inject, 0);
        CHECK_INT(x->kind, DRILL_INJ_ALERT);
        CHECK_STR(x->rule, "web_attack");
        CHECK_INT(x->labels.n, 1);
        CHECK(s->expect.steps_on_time); /* the default */
    }
    size_t n = 0;
    for (size_t i = 0; i < c->drill.scenarios.n; i++)
        n += strcmp(CONF_AT(c->drill.scenarios, conf_drill_scenario, i)->name, "ddos") == 0;
    CHECK_INT(n, 1);
    CHECK(drill_conf_find(c, "mine") != NULL);
    CHECK(drill_conf_find(c, "port_scan") != NULL);
    conf_free(c);
}

static void expect_err(const char *yaml, const char *what)
{
    char *e = conf_errs(yaml);
    CHECK(e != NULL);
    if (e)
        CHECK_CONTAINS(e, what);
    free(e);
}

static void test_errors(void)
{
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject:\n        - {replay: syn_flood, alert: a}\n",
               "t.yaml:5:11: inject: each injection is exactly one of replay, log, check or alert (2 given)");
    expect_err("drill:\n  scenarios:\n    - name: x\n", "scenario \"x\": needs an injection");
    expect_err("drill:\n  scenarios:\n    - name: x\n      tabletop: true\n      inject: [{alert: a}]\n",
               "a tabletop scenario has no injections");
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject: [{replay: nothing}]\n",
               "replay: \"nothing\" is neither a built-in capture");
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject: [{log: poetry}]\n", "log: \"poetry\" is not");
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject: [{log: lines}]\n", "lines needs the lines");
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject: [{log: web_attack, syslog: \"http://a\"}]\n",
               "syslog: expected udp://HOST:PORT");
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject: [{check: web}]\n",
               "scenario \"x\": check \"web\" is not defined under checks");
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject: [{log: web_attack, file: /var/log/none.log}]\n",
               "file \"/var/log/none.log\" is not watched");
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject: [{alert: a}]\n      expect: {playbook: nope}\n",
               "playbook \"nope\" is not defined");
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject: [{alert: a}]\n      expect: {told: [kind:cooks]}\n",
               "told: \"cooks\" is no department kind");
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject: [{alert: a}]\n      expect: {told: [legal]}\n",
               "told: department \"legal\" is not defined");
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject: [{alert: a}]\n      at: [tomorrow]\n",
               "at: \"tomorrow\" is not YYYY-MM-DDTHH:MM");
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject: [{alert: a}]\n      participants: [person:nobody]\n",
               "person \"nobody\" is not defined under people");
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject: [{alert: a, at: forever}]\n", "t.yaml:4:");
    expect_err("drill:\n  scenarios:\n    - name: \"bad name!\"\n      inject: [{alert: a}]\n", "t.yaml:3:");
    expect_err("drill:\n  channels: [nowhere]\n", "channel \"nowhere\" is not defined");
    expect_err("drill:\n  scenarios:\n    - name: x\n      inject: [{alert: \"a b\"}]\n", "alert: \"a b\" is no rule name");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_scenario_dir(void)
{
    char dir[] = "/tmp/kw_drill_confXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char p1[128], p2[128], yaml[256];
    snprintf(p1, sizeof p1, "%s/a.yaml", dir);
    snprintf(p2, sizeof p2, "%s/b.yaml", dir);
    write_file(p1, "name: port_scan\ntitle: ours\ninject: [{alert: port_scan}]\n");
    snprintf(yaml, sizeof yaml, "drill:\n  scenario_dir: %s\n", dir);
    conf *c = kwt_conf(yaml);
    CHECK(c != NULL);
    if (c) {
        const conf_drill_scenario *s = drill_conf_find(c, "port_scan");
        CHECK(s && strcmp(s->title, "ours") == 0 && strcmp(s->origin, p1) == 0);
        conf_free(c);
    }
    write_file(p2, "name: broken\ninject:\n  - {replay: syn_flood, log: web_attack}\n");
    char *e = conf_errs(yaml);
    char want[200];
    snprintf(want, sizeof want, "%s:3:5: inject: each injection", p2);
    CHECK(e != NULL);
    if (e)
        CHECK_CONTAINS(e, want);
    free(e);
    unlink(p1);
    unlink(p2);
    rmdir(dir);
    expect_err("drill:\n  scenario_dir: /nonexistent/kw\n", "t.yaml:2:17: scenario_dir: cannot open");
}

static void test_load_text(void)
{
    conf *c = kwt_conf("{}\n");
    if (!c)
        return;
    conf_errors errs = {0};
    const char *t = "name: web_attack\ninject: [{alert: web_attack}]\n";
    CHECK_INT(drill_conf_load_text(c, "x.yaml", t, strlen(t), false, &errs), KW_OK);
    const conf_drill_scenario *s = drill_conf_find(c, "web_attack");
    CHECK(s && strcmp(s->origin, "x.yaml") == 0);
    CHECK_INT(drill_conf_load_text(c, "y.yaml", t, strlen(t), false, &errs), KW_ERR_PARSE);
    CHECK(errs.n == 1 && strstr(errs.v[0], "used twice"));
    conf_errors_free(&errs);
    conf_free(c);
}

int main(void)
{
    RUN(test_defaults_and_builtins);
    RUN(test_user_scenario);
    RUN(test_errors);
    RUN(test_scenario_dir);
    RUN(test_load_text);
    TEST_MAIN_END();
}
