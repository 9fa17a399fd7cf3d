/* conf: defaults, overlays, and one diagnostic per problem with its line and column. */
#include "alert/alert_expr.h"
#include "conf/conf.h"
#include "incident/incident_conf.h"
#include "core/kw_buf.h"
#include "kw_test.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static conf *load(const char *yaml, conf_errors *errs)
{
    conf *c = NULL;
    conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, errs);
    return c;
}

/* True if some error is exactly `want`. */
static int has_error(const conf_errors *e, const char *want)
{
    for (size_t i = 0; i < e->n; i++)
        if (strcmp(e->v[i], want) == 0)
            return 1;
    for (size_t i = 0; i < e->n; i++)
        fprintf(stderr, "    got: %s\n", e->v[i]);
    return 0;
}

static void test_defaults(void)
{
    conf_errors e = {0};
    conf *c = NULL;
    CHECK(conf_load(NULL, &c, &e) == KW_OK);
    CHECK(c && c->host.enabled);
    CHECK_INT(c->host.interval_ms, 5000);
    CHECK_STR(c->http.listen, "127.0.0.1:8787");
    CHECK_STR(c->daemon.state_dir, "./var");
    CHECK(c->rules.n >= 5);
    conf_rule *r = CONF_AT(c->rules, conf_rule, 0);
    CHECK_STR(r->name, "cpu_high");
    CHECK(r->parsed && r->parsed->percent);
    CHECK_NEAR(r->parsed->threshold, 0.9, 1e-12);
    CHECK_NEAR(r->clear, 0.8, 1e-12);
    conf_free(c);
}

static void test_overlay(void)
{
    conf_errors e = {0};
    conf *c = load("host:\n  interval: 1s\n"
                   "rules:\n"
                   "  - name: cpu_high\n    expr: host_cpu_usage_ratio > 50%\n    for: 5s\n"
                   "  - name: mine\n    expr: host_load1 > 4\n    labels: {team: ops}\n",
                   &e);
    CHECK(c != NULL);
    CHECK_INT(e.n, 0);
    if (!c)
        return;
    CHECK_INT(c->host.interval_ms, 1000);
    CHECK_INT(c->host.top_processes, 5); /* untouched default */
    size_t n_cpu = 0;
    for (size_t i = 0; i < c->rules.n; i++) {
        conf_rule *r = CONF_AT(c->rules, conf_rule, i);
        if (strcmp(r->name, "cpu_high") == 0) {
            n_cpu++;
            CHECK_INT(r->for_ms, 5000);
            CHECK_NEAR(r->parsed->threshold, 0.5, 1e-12);
            CHECK(isnan(r->clear)); /* replaced whole, not merged */
        }
        if (strcmp(r->name, "mine") == 0) {
            CHECK_INT(r->labels.n, 1);
            CHECK_STR(r->labels.v[0], "ops");
        }
    }
    CHECK_INT(n_cpu, 1);
    conf_free(c);
}

static void test_builtin_rules_off(void)
{
    conf_errors e = {0};
    conf *c = load("builtin_rules: false\nrules:\n  - name: x\n    expr: host_load1 > 1\n", &e);
    CHECK(c && c->rules.n == 1);
    conf_free(c);
}

static void test_errors_positions(void)
{
    conf_errors e = {0};
    conf *c = load("host:\n"
                   "  interval: 5x\n"
                   "  top_processes: 500\n"
                   "  colour: blue\n"
                   "checks:\n"
                   "  - name: web\n"
                   "    type: http\n"
                   "    url: ftp://x\n"
                   "  - name: db\n"
                   "    type: tcp\n"
                   "    host: localhost\n"
                   "rules:\n"
                   "  - name: r\n"
                   "    expr: \"cpu >> 80%\"\n"
                   "    severity: urgent\n",
                   &e);
    CHECK(c == NULL);
    CHECK(has_error(&e, "t.yaml:2:13: interval: bad duration \"5x\": unknown unit \"x\" (use ms, s, m, h, d or w)"));
    CHECK(has_error(&e, "t.yaml:3:18: top_processes: 500 is out of range (0 to 50)"));
    CHECK(has_error(&e, "t.yaml:8:10: url must start with http:// or https://"));
    CHECK(has_error(&e, "t.yaml:9:5: tcp check \"db\" needs port"));
    CHECK(has_error(&e, "t.yaml:14:17: expr: expected a number (optionally with %) to end the expression"));
    CHECK(has_error(&e, "t.yaml:15:15: severity: unknown value \"urgent\" (expected one of: low, medium, high, critical)"));
    int unknown = 0;
    for (size_t i = 0; i < e.n; i++)
        unknown += strncmp(e.v[i], "t.yaml:4:3: unknown key \"colour\" in host", 40) == 0;
    CHECK_INT(unknown, 1);
    CHECK_INT(e.n, 7);
    conf_errors_free(&e);
}

static void test_wrong_types(void)
{
    conf_errors e = {0};
    conf *c = load("host: [1, 2]\nhttp:\n  enabled: maybe\n  threads: many\nassets:\n  - name: a\n    ports: [80, 70000]\n", &e);
    CHECK(c == NULL);
    CHECK(has_error(&e, "t.yaml:1:7: host: expected a mapping of options"));
    CHECK(has_error(&e, "t.yaml:3:12: enabled: expected true or false, found \"maybe\""));
    CHECK(has_error(&e, "t.yaml:4:12: threads: expected a whole number, found \"many\""));
    CHECK(has_error(&e, "t.yaml:7:17: ports: \"70000\" is not a port number (1 to 65535)"));
    conf_errors_free(&e);
}

static void test_syntax_error(void)
{
    conf_errors e = {0};
    conf *c = load("a: [1, 2\n", &e);
    CHECK(c == NULL);
    CHECK_INT(e.n, 1);
    CHECK(e.n && strncmp(e.v[0], "t.yaml:2:1: YAML syntax:", 24) == 0);
    conf_errors_free(&e);
}

/* Nesting, anchors and alias expansion are bounded, with the place of the fault. */
static void test_yaml_bounds(void)
{
    conf_errors e = {0};
    kw_buf y;
    kw_buf_init(&y, 0);
    kw_buf_puts(&y, "x: ");
    for (int i = 0; i < 70; i++)
        kw_buf_putc(&y, '[');
    for (int i = 0; i < 70; i++)
        kw_buf_putc(&y, ']');
    kw_buf_putc(&y, '\n');
    conf *c = load(kw_buf_cstr(&y), &e);
    CHECK(c == NULL);
    /* the root mapping is level 1, so the 64th '[' (column 67) is the 65th level */
    CHECK(has_error(&e, "t.yaml:1:67: YAML: nested deeper than 64 levels"));
    conf_errors_free(&e);
    kw_buf_free(&y);
    /* "billion laughs": nine levels of ten aliases */
    kw_buf_init(&y, 0);
    kw_buf_puts(&y, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 9; i++)
        kw_buf_printf(&y, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i - 1, i - 1,
                      i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    c = load(kw_buf_cstr(&y), &e);
    CHECK(c == NULL);
    CHECK(has_error(&e, "t.yaml:6:45: YAML: more than a million nodes once its aliases (*name) are expanded"));
    conf_errors_free(&e);
    kw_buf_free(&y);
}

/* A webhook's secret from a file: its first line. */
static void test_secret_file(void)
{
    char path[] = "/tmp/kw-secret-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, "s3cret\nrest\n", 12) == 12);
    close(fd);
    char y[512];
    snprintf(y, sizeof y, "notify:\n  channels:\n    - {name: h, type: webhook, url: 'http://127.0.0.1:1/', secret_file: %s}\n",
             path);
    conf_errors e = {0};
    conf *c = load(y, &e);
    CHECK(c != NULL);
    if (c)
        CHECK_STR(CONF_AT(c->notify.channels, conf_channel, 0)->secret, "s3cret");
    conf_free(c);
    unlink(path);
    c = load(y, &e);
    CHECK(c == NULL);
    CHECK(e.n == 1 && strstr(e.v[0], "secret_file: cannot read") != NULL);
    conf_errors_free(&e);
}

static void test_duplicate_names(void)
{
    conf_errors e = {0};
    conf *c = load("checks:\n  - {name: a, type: tcp, host: h, port: 1}\n  - {name: a, type: tcp, host: h, port: 2}\n", &e);
    CHECK(c == NULL);
    CHECK(has_error(&e, "t.yaml:3:5: checks: the name \"a\" is used twice"));
    conf_errors_free(&e);
}

static void test_check_fields(void)
{
    conf_errors e = {0};
    conf *c = load("assets:\n  - name: portal\n    addresses: [10.1.0.0/16, \"2001:db8::1\"]\n    criticality: critical\n"
                   "checks:\n"
                   "  - {name: web, type: http, url: \"http://127.0.0.1/\", expect_status: 2xx, asset: portal}\n"
                   "  - {name: job, type: command, command: \"exit 0\", interval: 1m, timeout: 5s}\n"
                   "  - {name: argv, type: command, command: [/bin/true]}\n",
                   &e);
    CHECK(c != NULL);
    if (!c)
        return;
    conf_check *web = CONF_AT(c->checks, conf_check, 0);
    CHECK_INT(web->status_lo, 200);
    CHECK_INT(web->status_hi, 299);
    CHECK_INT(web->interval_ms, 30000);
    conf_check *job = CONF_AT(c->checks, conf_check, 1);
    CHECK_INT(job->command.argv.n, 1);
    CHECK(job->command.shell);
    CHECK_INT(job->timeout_ms, 5000);
    conf_check *argv = CONF_AT(c->checks, conf_check, 2);
    CHECK(argv->command.argv.n == 1 && !argv->command.shell); /* a list is argv, even of one */
    CHECK(conf_asset_find(c, "portal") && conf_asset_find(c, "portal")->criticality == KW_SEV_CRITICAL);
    conf_free(c);
}

static void test_show_roundtrip(void)
{
    conf_errors e = {0};
    /* an optional enum left unset (a trigger's grade) shows as null and reads back unset */
    conf *c = load("checks:\n  - {name: \"w\", type: tcp, host: \"a\\\"b\", port: 1}\n"
                   "incident:\n  triggers:\n    - {name: t, match: {rule: syn_flood}, playbook: ddos}\n"
                   "  playbooks:\n    - {name: ddos, title: D, category: NA, phases: [{phase: confirm, steps: "
                   "[{name: a, title: A}]}]}\n", &e);
    CHECK(c != NULL);
    if (!c)
        return;
    char *s = conf_show(c);
    conf *c2 = NULL;
    CHECK(conf_load_buffer("show.yaml", s, strlen(s), &c2, &e) == KW_OK);
    CHECK(c2 && c2->checks.n == 1 && strcmp(CONF_AT(c2->checks, conf_check, 0)->host, "a\"b") == 0);
    /* built-in rules printed by show replace themselves by name: no duplicates */
    CHECK(c2 && c2->rules.n == c->rules.n);
    CHECK(strstr(s, "grade: null") != NULL);
    CHECK(c2 && c2->incident.triggers.n == 1 && CONF_AT(c2->incident.triggers, conf_inc_trigger, 0)->grade == 0);
    free(s);
    conf_free(c);
    conf_free(c2);
    conf_errors_free(&e);
}

/* The errors of one item come in order: its name first, then its own checks (expected values
 * from the loader before its sections moved to their subsystems). */
static void test_error_order(void)
{
    conf_errors e = {0};
    conf *c = load("people:\n"
                   "  - {name: \"a b\"}\n"
                   "schedules:\n"
                   "  - name: \"x y\"\n"
                   "    layers: [{name: l1, members: [nobody], days: [mon, funday]}]\n",
                   &e);
    CHECK(c == NULL);
    CHECK_INT(e.n, 4);
    if (e.n == 4) {
        CHECK_STR(e.v[0], "t.yaml:2:12: name \"a b\": use letters, digits, '_', '-' and '.' (at most 128)");
        CHECK_STR(e.v[1], "t.yaml:5:50: days: \"funday\" is not one of mon, tue, wed, thu, fri, sat, sun");
        CHECK_STR(e.v[2], "t.yaml:4:11: name \"x y\": use letters, digits, '_', '-' and '.' (at most 128)");
        CHECK_STR(e.v[3], "t.yaml:4:3: schedule \"x y\", layer \"l1\": \"nobody\" is not defined under people");
    }
    conf_errors_free(&e);
}

/* Day lists of layers and silences share one reader: mon..sun in any case, a mask from Monday. */
static void test_days(void)
{
    conf_errors e = {0};
    conf *c = load("people: [{name: p}]\n"
                   "schedules:\n"
                   "  - name: s\n"
                   "    layers: [{name: l, members: [p], days: [Sat, SUN]}]\n"
                   "notify:\n"
                   "  silences:\n"
                   "    - {name: w, match: {rule: x}, days: [tue], from: \"22:00\", to: \"06:00\"}\n"
                   "    - {name: all, match: {rule: y}, from: \"01:00\", to: \"02:00\"}\n",
                   &e);
    CHECK(c != NULL);
    if (c) {
        const conf_schedule *sc = CONF_AT(c->schedules, conf_schedule, 0);
        CHECK_INT(CONF_AT(sc->layers, conf_layer, 0)->day_mask, 0x60);
        CHECK_INT(CONF_AT(c->notify.silences, conf_silence, 0)->day_mask, 0x02);
        CHECK_INT(CONF_AT(c->notify.silences, conf_silence, 0)->from_min, 22 * 60);
        CHECK_INT(CONF_AT(c->notify.silences, conf_silence, 1)->day_mask, 0x7f);
    }
    conf_free(c);
    c = load("notify:\n  silences:\n    - {name: w, match: {rule: x}, days: [tue, xyz], from: \"22:00\", to: \"06:00\"}\n", &e);
    CHECK(c == NULL);
    CHECK(has_error(&e, "t.yaml:3:41: days: \"xyz\" is not one of mon, tue, wed, thu, fri, sat, sun"));
    conf_errors_free(&e);
}

/* Numbers: plain, percentages as fractions, spaces around; anything else is an error. */
static void test_numbers(void)
{
    conf_errors e = {0};
    conf *c = load("net:\n  spike_factor: \" 250% \"\n  spike_min_pps: 1e3\n", &e);
    CHECK(c != NULL);
    if (c) {
        CHECK_NEAR(c->net.spike_factor, 2.5, 1e-12);
        CHECK_NEAR(c->net.spike_min_pps, 1000, 1e-9);
    }
    conf_free(c);
    c = load("net:\n  spike_factor: 3x\n  spike_min_pps: inf\n  flood_pps: \"%\"\n", &e);
    CHECK(c == NULL);
    CHECK(has_error(&e, "t.yaml:2:17: spike_factor: expected a number (e.g. 0.8 or 80%), found \"3x\""));
    CHECK(has_error(&e, "t.yaml:3:18: spike_min_pps: expected a number (e.g. 0.8 or 80%), found \"inf\""));
    CHECK(has_error(&e, "t.yaml:4:14: flood_pps: expected a number (e.g. 0.8 or 80%), found \"%\""));
    CHECK_INT(e.n, 3);
    conf_errors_free(&e);
}

/* builtin_rules: false drops the built-in metric and log rules, not the user's (even one
 * that replaced a built-in rule by name). */
static void test_builtin_rules_dropped(void)
{
    conf_errors e = {0};
    conf *d = load("", &e);
    CHECK(d && d->logs.rules.n > 1 && d->rules.n > 1);
    const char *lname = d && d->logs.rules.n ? CONF_AT(d->logs.rules, conf_log_rule, 0)->name : "none";
    kw_buf y;
    kw_buf_init(&y, 0);
    kw_buf_printf(&y, "builtin_rules: false\nrules:\n  - {name: cpu_high, expr: host_load1 > 9}\n"
                      "logs:\n  rules:\n    - {name: %s, match: {event.dataset: x}}\n    - {name: mine, match: {event.dataset: y}}\n",
                  lname);
    conf *c = load(kw_buf_cstr(&y), &e);
    CHECK(c != NULL);
    if (c) {
        CHECK_INT(c->rules.n, 1);
        CHECK_STR(CONF_AT(c->rules, conf_rule, 0)->expr, "host_load1 > 9");
        CHECK_INT(c->logs.rules.n, 2);
        CHECK_STR(CONF_AT(c->logs.rules, conf_log_rule, 0)->name, lname);
        CHECK_STR(CONF_AT(c->logs.rules, conf_log_rule, 1)->name, "mine");
        CHECK(!CONF_AT(c->logs.rules, conf_log_rule, 0)->builtin);
    }
    kw_buf_free(&y);
    conf_free(c);
    conf_free(d);
    conf_errors_free(&e);
}

/* store.url: a PostgreSQL URL only, and `config show` never prints its password. */
static void test_store_url(void)
{
    conf_errors e = {0};
    conf *c = load("store:\n  url: postgresql://kw:s3cret@db.example:5432/kw?sslmode=require\n"
                   "  password_file: /etc/keepwatch/pg.pass\n", &e);
    CHECK(c != NULL);
    CHECK_INT(e.n, 0);
    if (c) {
        char *shown = conf_show(c);
        CHECK(strstr(shown, "url: \"postgresql://kw:***@db.example:5432/kw?sslmode=require\"") != NULL);
        CHECK(strstr(shown, "s3cret") == NULL);
        CHECK(strstr(shown, "password_file: \"/etc/keepwatch/pg.pass\"") != NULL);
        free(shown);
        conf_free(c);
    }
    conf_errors_free(&e);
    c = load("store:\n  url: mysql://kw@db/kw\n", &e);
    CHECK(c == NULL);
    CHECK(has_error(&e, "t.yaml:2:8: store.url: a postgresql://USER@HOST[:PORT]/DB URL (leave it out for the SQLite file)"));
    conf_errors_free(&e);
}

/* A list item starts from its fields' declared defaults (cf_field.dflt), NAN included. */
static void test_item_defaults(void)
{
    conf_errors e = {0};
    conf *c = load("builtin_rules: false\nchecks:\n  - {name: web, type: tcp, host: 127.0.0.1, port: 80}\n"
                   "rules:\n  - {name: r, expr: host_load1 > 4}\n"
                   "logs:\n  rules:\n    - {name: l, match: {event.action: x}}\n", &e);
    CHECK(c != NULL);
    for (size_t i = 0; i < e.n; i++)
        fprintf(stderr, "    %s\n", e.v[i]);
    if (!c)
        return;
    const conf_check *k = CONF_AT(c->checks, conf_check, 0);
    CHECK(k->enabled && k->tls_verify);
    CHECK_INT(k->interval_ms, 30000);
    CHECK_INT(k->timeout_ms, 10000);
    CHECK_INT(k->severity, KW_SEV_HIGH);
    CHECK_INT(k->warn_days, 14);
    const conf_rule *r = CONF_AT(c->rules, conf_rule, 0);
    CHECK(r->enabled && isnan(r->clear));
    CHECK_INT(r->severity, KW_SEV_MEDIUM);
    const conf_log_rule *l = CONF_AT(c->logs.rules, conf_log_rule, 0);
    CHECK(l->enabled);
    CHECK_INT(l->count, 1);
    CHECK_INT(l->within_ms, 60000);
    conf_free(c);
    conf_errors_free(&e);
}

int main(void)
{
    RUN(test_store_url);
    RUN(test_item_defaults);
    RUN(test_defaults);
    RUN(test_overlay);
    RUN(test_builtin_rules_off);
    RUN(test_errors_positions);
    RUN(test_wrong_types);
    RUN(test_syntax_error);
    RUN(test_duplicate_names);
    RUN(test_yaml_bounds);
    RUN(test_secret_file);
    RUN(test_check_fields);
    RUN(test_show_roundtrip);
    RUN(test_error_order);
    RUN(test_days);
    RUN(test_numbers);
    RUN(test_builtin_rules_dropped);
    TEST_MAIN_END();
}
