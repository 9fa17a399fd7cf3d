/* alert: the engine's state machine on an injected clock, and the store applying its acts
 * (on SQLite, or on PostgreSQL under KW_TEST_PG_URL: kw_test_store.h). */
#include "alert/alert.h"
#include "core/kw_mem.h"
#include "kw_test.h"
#include "kw_test_store.h"
#include "metric/metric.h"
#include "store/store_int.h" /* tampers with the duty log directly */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const metric_desc d_cpu = {"host_cpu_usage_ratio", "cpu", METRIC_GAUGE, true};
static const metric_desc d_fs = {"host_filesystem_used_ratio", "fs", METRIC_GAUGE, true};

static conf *conf_from(const char *yaml)
{
    conf_errors e = {0};
    conf *c = NULL;
    if (conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, &e) != KW_OK)
        for (size_t i = 0; i < e.n; i++)
            fprintf(stderr, "    %s\n", e.v[i]);
    conf_errors_free(&e);
    return c;
}

static alert_engine *engine_from(const char *yaml, int64_t now)
{
    conf *c = conf_from(yaml);
    if (!c)
        return NULL;
    alert_engine *e = alert_engine_new(c->alerts.flap_window_ms, c->alerts.stale_after_ms);
    alert_rules r;
    alert_rules_from_conf(c, &r);
    alert_acts acts = {0};
    alert_engine_set_rules(e, &r, now, &acts);
    alert_acts_free(&acts);
    conf_free(c);
    return e;
}

/* Feeds one cpu sample at time t (seconds) and returns the acts. */
static alert_acts feed_cpu(alert_engine *e, double v, int64_t t)
{
    metric_set *ms = metric_set_new(t * 1000);
    metric_add(ms, &d_cpu, v, NULL);
    alert_acts acts = {0};
    alert_engine_eval(e, ms, t * 1000, &acts);
    metric_set_free(ms);
    return acts;
}

static int count_kind(const alert_acts *a, alert_act_kind k)
{
    int n = 0;
    for (size_t i = 0; i < a->n; i++)
        n += a->v[i].kind == k;
    return n;
}

#define CPU_RULE "builtin_rules: false\nrules:\n  - name: cpu\n    expr: host_cpu_usage_ratio > 80%\n" \
                 "    for: 5m\n    clear: 70%\n    clear_for: 1m\n    severity: high\n"

static void test_for_duration(void)
{
    alert_engine *e = engine_from(CPU_RULE, 0);
    CHECK(e != NULL);
    if (!e)
        return;
    alert_acts a;
    /* 85% for 4m55s: pending, nothing fires */
    for (int t = 0; t < 300; t += 5) {
        a = feed_cpu(e, 0.85, t);
        CHECK_INT(a.n, 0);
        alert_acts_free(&a);
    }
    a = feed_cpu(e, 0.85, 300);
    CHECK_INT(a.n, 1);
    CHECK(a.n && a.v[0].kind == ALERT_ACT_FIRE);
    CHECK(a.n && a.v[0].severity == KW_SEV_HIGH);
    CHECK_STR(a.n ? a.v[0].rule : NULL, "cpu");
    CHECK_CONTAINS(a.n ? a.v[0].summary : NULL, "is 85.0% (> 80.0%)");
    alert_acts_free(&a);
    alert_engine_free(e);
}

static void test_interrupted_pending(void)
{
    alert_engine *e = engine_from(CPU_RULE, 0);
    alert_acts a;
    a = feed_cpu(e, 0.9, 0);
    alert_acts_free(&a);
    a = feed_cpu(e, 0.5, 200); /* a dip resets the clock */
    alert_acts_free(&a);
    a = feed_cpu(e, 0.9, 250);
    alert_acts_free(&a);
    a = feed_cpu(e, 0.9, 400); /* 150 s since it held again: still pending */
    CHECK_INT(a.n, 0);
    alert_acts_free(&a);
    a = feed_cpu(e, 0.9, 550);
    CHECK_INT(count_kind(&a, ALERT_ACT_FIRE), 1);
    alert_acts_free(&a);
    alert_engine_free(e);
}

static void test_hysteresis_and_clear_for(void)
{
    alert_engine *e = engine_from(CPU_RULE, 0);
    alert_acts a = feed_cpu(e, 0.9, 0);
    alert_acts_free(&a);
    a = feed_cpu(e, 0.9, 300);
    CHECK_INT(count_kind(&a, ALERT_ACT_FIRE), 1);
    alert_engine_bind(e, a.v[0].fingerprint, 42);
    alert_acts_free(&a);
    /* 75%: below the threshold but above the clear level: still firing, updated */
    a = feed_cpu(e, 0.75, 310);
    CHECK_INT(count_kind(&a, ALERT_ACT_UPDATE), 1);
    CHECK_INT(count_kind(&a, ALERT_ACT_RESOLVE), 0);
    CHECK(a.n && a.v[0].alert_id == 42);
    CHECK(a.n && a.v[0].peak == 0.9);
    alert_acts_free(&a);
    /* 60%: clear, but must stay clear for 1m */
    a = feed_cpu(e, 0.6, 320);
    CHECK_INT(a.n, 0);
    alert_acts_free(&a);
    a = feed_cpu(e, 0.6, 370);
    CHECK_INT(a.n, 0);
    alert_acts_free(&a);
    a = feed_cpu(e, 0.6, 380);
    CHECK_INT(count_kind(&a, ALERT_ACT_RESOLVE), 1);
    CHECK_STR(a.n ? a.v[0].reason : NULL, "cleared");
    alert_acts_free(&a);
    alert_engine_free(e);
}

static void test_flap_reopens(void)
{
    alert_engine *e = engine_from("builtin_rules: false\nalerts: {flap_window: 5m}\nrules:\n"
                                  "  - {name: cpu, expr: host_cpu_usage_ratio > 80%}\n", 0);
    alert_acts a = feed_cpu(e, 0.9, 0);
    CHECK_INT(count_kind(&a, ALERT_ACT_FIRE), 1);
    if (a.n)
        alert_engine_bind(e, a.v[0].fingerprint, 7);
    alert_acts_free(&a);
    a = feed_cpu(e, 0.1, 10);
    CHECK_INT(count_kind(&a, ALERT_ACT_RESOLVE), 1);
    alert_acts_free(&a);
    a = feed_cpu(e, 0.9, 20); /* back within the flap window: the same alert */
    CHECK_INT(count_kind(&a, ALERT_ACT_REOPEN), 1);
    CHECK(a.n && a.v[0].alert_id == 7);
    alert_acts_free(&a);
    a = feed_cpu(e, 0.1, 30);
    alert_acts_free(&a);
    a = feed_cpu(e, 0.9, 30 + 301); /* past the window: a new alert */
    CHECK_INT(count_kind(&a, ALERT_ACT_FIRE), 1);
    CHECK(a.n && a.v[0].alert_id == 0);
    alert_acts_free(&a);
    alert_engine_free(e);
}

static void test_labels_series_and_stale(void)
{
    alert_engine *e = engine_from("builtin_rules: false\nalerts: {stale_after: 1m}\nrules:\n"
                                  "  - {name: fs, expr: \"host_filesystem_used_ratio{fstype!=\\\"tmpfs\\\"} > 0.9\","
                                  " summary: \"{mountpoint} is {value} full\", labels: {team: ops}}\n", 0);
    metric_set *ms = metric_set_new(0);
    metric_add(ms, &d_fs, 0.95, "mountpoint", "/", "fstype", "ext4", NULL);
    metric_add(ms, &d_fs, 0.97, "mountpoint", "/data", "fstype", "xfs", NULL);
    metric_add(ms, &d_fs, 0.99, "mountpoint", "/run", "fstype", "tmpfs", NULL);
    alert_acts a = {0};
    alert_engine_eval(e, ms, 0, &a);
    CHECK_INT(count_kind(&a, ALERT_ACT_FIRE), 2); /* one alert per filesystem, tmpfs excluded */
    CHECK(a.n == 2 && strcmp(a.v[0].fingerprint, a.v[1].fingerprint) != 0);
    CHECK_STR(a.n ? a.v[0].labels_json : NULL, "{\"fstype\":\"ext4\",\"mountpoint\":\"/\",\"team\":\"ops\"}");
    CHECK_STR(a.n ? a.v[0].summary : NULL, "/ is 0.95 full");
    alert_acts_free(&a);
    metric_set_free(ms);
    /* the filesystems stop reporting: resolved as stale after a minute */
    alert_engine_sweep(e, 30000, &a);
    CHECK_INT(a.n, 0);
    alert_acts_free(&a);
    alert_engine_sweep(e, 61000, &a);
    CHECK_INT(count_kind(&a, ALERT_ACT_RESOLVE), 2);
    CHECK_STR(a.n ? a.v[0].reason : NULL, "no data");
    alert_acts_free(&a);
    alert_engine_free(e);
}

static void test_reload_removes_rule(void)
{
    alert_engine *e = engine_from(CPU_RULE, 0);
    alert_acts a = feed_cpu(e, 0.9, 0);
    alert_acts_free(&a);
    a = feed_cpu(e, 0.9, 300);
    CHECK_INT(count_kind(&a, ALERT_ACT_FIRE), 1);
    alert_acts_free(&a);
    /* same rule again: state kept */
    conf *c = conf_from(CPU_RULE);
    alert_rules r;
    alert_rules_from_conf(c, &r);
    alert_engine_set_rules(e, &r, 301000, &a);
    CHECK_INT(a.n, 0);
    CHECK_INT(alert_engine_series(e), 1);
    conf_free(c);
    /* rule gone: resolved */
    c = conf_from("builtin_rules: false\n");
    alert_rules_from_conf(c, &r);
    alert_engine_set_rules(e, &r, 302000, &a);
    CHECK_INT(count_kind(&a, ALERT_ACT_RESOLVE), 1);
    CHECK_STR(a.n ? a.v[0].reason : NULL, "rule removed");
    CHECK_INT(alert_engine_series(e), 0);
    alert_acts_free(&a);
    conf_free(c);
    alert_engine_free(e);
}

static void test_check_rules(void)
{
    conf *c = conf_from("builtin_rules: false\nchecks:\n"
                        "  - {name: web, type: http, url: \"https://127.0.0.1/\", for: 30s}\n"
                        "  - {name: db, type: tcp, host: 127.0.0.1, port: 5432, enabled: false}\n");
    alert_rules r;
    alert_rules_from_conf(c, &r);
    CHECK_INT(r.n, 2); /* service_down and certificate_expiry for web; db is disabled */
    CHECK_STR(r.n ? r.v[0].name : NULL, "service_down");
    CHECK_INT(r.n ? r.v[0].for_ms : 0, 30000);
    CHECK_STR(r.n > 1 ? r.v[1].name : NULL, "certificate_expiry");
    alert_rules_free(&r);
    conf_free(c);
}

/* The rules of the server's own checks see the server's own samples only: an agent's samples
 * (labelled host=NAME) of a check of the same name are the agent's to judge (it sends its own
 * service_down). A rule of rules: applies to every host's samples, unless it asks for
 * host="" (the server's own: an absent label matches ""). */
static void test_check_rules_own_samples(void)
{
    static const metric_desc d_up = {"check_up", "up", METRIC_GAUGE, true};
    alert_engine *e = engine_from("builtin_rules: false\nchecks:\n"
                                  "  - {name: web, type: tcp, host: 127.0.0.1, port: 80, for: 0s}\n"
                                  "rules:\n  - {name: cpu_fleet, expr: host_cpu_usage_ratio > 80%}\n"
                                  "  - {name: cpu_own, expr: 'host_cpu_usage_ratio{host=\"\"} > 80%'}\n",
                                  0);
    CHECK(e != NULL);
    if (!e)
        return;
    metric_set *ms = metric_set_new(1000);
    metric_add(ms, &d_up, 0, "check", "web", "type", "tcp", "host", "web-01", NULL);
    metric_add(ms, &d_cpu, 0.95, "host", "web-01", NULL);
    alert_acts a = {0};
    alert_engine_eval(e, ms, 1000, &a);
    metric_set_free(ms);
    CHECK_INT(a.n, 1); /* cpu_fleet on web-01; not service_down, not cpu_own */
    CHECK_STR(a.n ? a.v[0].rule : NULL, "cpu_fleet");
    CHECK(a.n && strstr(a.v[0].labels_json, "\"host\":\"web-01\"") != NULL);
    alert_acts_free(&a);
    ms = metric_set_new(2000);
    metric_add(ms, &d_up, 0, "check", "web", "type", "tcp", NULL);
    metric_add(ms, &d_cpu, 0.95, NULL);
    alert_engine_eval(e, ms, 2000, &a);
    metric_set_free(ms);
    CHECK_INT(count_kind(&a, ALERT_ACT_FIRE), 3); /* the server's own: service_down, cpu_fleet, cpu_own */
    for (size_t i = 0; i < a.n; i++)
        CHECK(strstr(a.v[i].labels_json, "host") == NULL);
    alert_acts_free(&a);
    /* a restart takes the server's own service_down up again (host="" is the label absent) */
    alert_open o = {.id = 7, .rule = "service_down", .labels_json = "{\"check\":\"web\",\"type\":\"tcp\"}",
                    .severity = 3, .started_ms = 2000};
    alert_fingerprint(NULL, o.rule, o.labels_json, o.fingerprint);
    alert_engine_restore(e, &o, 3000, &a);
    CHECK_INT(a.n, 0); /* not "rule removed" */
    alert_acts_free(&a);
    alert_engine_free(e);
}

static char tmpdir[64];

/* The store tmpdir/name (on the backend under test); NULL, said, when it does not open. */
static kw_store *open_in_tmp(const char *name)
{
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    kw_store *s = kwt_store_open(path, err, sizeof err);
    if (!s)
        fprintf(stderr, "  %s: %s\n", path, err);
    return s;
}

static void test_store_lifecycle(void)
{
    kw_store *s = open_in_tmp("a.db");
    CHECK(s != NULL);
    if (!s)
        return;
    alert_engine *e = engine_from("builtin_rules: false\nrules:\n  - {name: cpu, expr: host_cpu_usage_ratio > 80%}\n", 0);
    alert_acts a = feed_cpu(e, 0.9, 100);
    CHECK(a.n == 1 && store_alert_apply(s, &a.v[0]) == KW_OK);
    int64_t id = a.n ? a.v[0].alert_id : 0;
    CHECK(id > 0);
    char fp[17];
    memcpy(fp, a.v[0].fingerprint, sizeof fp);
    alert_engine_bind(e, fp, id);
    alert_acts_free(&a);
    int st;
    CHECK(store_alert_ack(s, id, "alice", "looking", 101000, &st) == KW_OK);
    CHECK(store_alert_ack(s, id, "bob", NULL, 102000, &st) == KW_ERR_RANGE && st == ALERT_ACKED);
    CHECK(store_alert_ack(s, 999, "bob", NULL, 102000, &st) == KW_ERR_NOTFOUND);
    a = feed_cpu(e, 0.95, 110);
    CHECK(a.n == 1 && a.v[0].kind == ALERT_ACT_UPDATE && store_alert_apply(s, &a.v[0]) == KW_OK);
    alert_acts_free(&a);
    a = feed_cpu(e, 0.1, 120);
    CHECK(a.n == 1 && a.v[0].kind == ALERT_ACT_RESOLVE && store_alert_apply(s, &a.v[0]) == KW_OK);
    alert_acts_free(&a);
    kw_buf b;
    kw_buf_init(&b, 0);
    CHECK(store_alert_get_json(s, id, &b) == KW_OK);
    const char *j = kw_buf_cstr(&b);
    CHECK_CONTAINS(j, "\"state\":\"resolved\"");
    CHECK_CONTAINS(j, "\"acked_by\":\"alice\"");
    CHECK_CONTAINS(j, "\"peak\":0.95");
    CHECK_CONTAINS(j, "\"resolve_reason\":\"cleared\"");
    CHECK_CONTAINS(j, "\"action\":\"fired\"");
    CHECK_CONTAINS(j, "\"action\":\"acknowledged\",\"actor\":\"alice\",\"note\":\"looking\"");
    CHECK_CONTAINS(j, "\"action\":\"resolved\"");
    kw_buf_reset(&b);
    store_alert_query q = {.state = ALERT_RESOLVED};
    CHECK(store_alert_list_json(s, &q, &b) == KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&b), "\"id\":1,");
    kw_buf_reset(&b);
    q.state = ALERT_FIRING;
    CHECK(store_alert_list_json(s, &q, &b) == KW_OK);
    CHECK_STR(kw_buf_cstr(&b), "{\"alerts\":[]}");
    kw_buf_free(&b);
    /* a person resolves an alert the engine still tracks: the engine is told to forget it */
    a = feed_cpu(e, 0.9, 200);
    CHECK(a.n == 1 && a.v[0].kind == ALERT_ACT_REOPEN);
    CHECK(a.n == 1 && store_alert_apply(s, &a.v[0]) == KW_OK);
    alert_acts_free(&a);
    CHECK(store_alert_resolve(s, id, "carol", "fixed", 201000, &st) == KW_OK);
    a = feed_cpu(e, 0.92, 210);
    CHECK(a.n == 1 && store_alert_apply(s, &a.v[0]) == KW_ERR_NOTFOUND);
    alert_acts_free(&a);
    alert_engine_free(e);
    store_close(s);
}

typedef struct {
    alert_engine *e;
    alert_acts *acts;
    int n;
    int64_t id;
} restore_ctx;

static void on_open(void *arg, const alert_open *a)
{
    restore_ctx *r = arg;
    r->n++;
    r->id = a->id;
    alert_engine_restore(r->e, a, 200000, r->acts);
}

static void test_store_restart_restore(void)
{
    const char *yaml = "builtin_rules: false\nrules:\n  - {name: cpu, expr: host_cpu_usage_ratio > 80%}\n";
    kw_store *s = open_in_tmp("b.db");
    alert_engine *e = engine_from(yaml, 0);
    alert_acts a = feed_cpu(e, 0.9, 100);
    CHECK(a.n == 1 && store_alert_apply(s, &a.v[0]) == KW_OK);
    alert_acts_free(&a);
    alert_engine_free(e);
    store_close(s);
    /* a new process: reopen, restore, and the same condition updates the same alert */
    s = open_in_tmp("b.db");
    e = engine_from(yaml, 0);
    restore_ctx r = {e, &a, 0, 0};
    CHECK(store_alert_each_open(s, on_open, &r) == KW_OK);
    CHECK_INT(r.n, 1);
    CHECK_INT(a.n, 0);
    a = feed_cpu(e, 0.93, 205);
    CHECK_INT(a.n, 1);
    CHECK(a.n && a.v[0].kind == ALERT_ACT_UPDATE && a.v[0].alert_id == r.id);
    CHECK(a.n && store_alert_apply(s, &a.v[0]) == KW_OK);
    alert_acts_free(&a);
    /* an open alert whose rule was removed from the configuration resolves at start-up */
    alert_engine_free(e);
    e = engine_from("builtin_rules: false\n", 0);
    r.e = e;
    r.n = 0;
    CHECK(store_alert_each_open(s, on_open, &r) == KW_OK);
    CHECK_INT(count_kind(&a, ALERT_ACT_RESOLVE), 1);
    CHECK_STR(a.n ? a.v[0].reason : NULL, "rule removed");
    CHECK(a.n && store_alert_apply(s, &a.v[0]) == KW_OK);
    alert_acts_free(&a);
    int64_t counts[4];
    CHECK(store_alert_counts(s, counts) == KW_OK);
    CHECK_INT(counts[ALERT_RESOLVED], 1);
    CHECK_INT(counts[ALERT_FIRING], 0);
    alert_engine_free(e);
    store_close(s);
}

/* A detector's alert (here the log rules') left open by the last run, acknowledged: the
 * engine holds it, the same detection reported again keeps it (and its acknowledgement),
 * one not reported again within stale_after resolves as "not seen since restart", and a
 * reload of the engine's own rules leaves it alone. */
static void test_detector_alert_held_over_restart(void)
{
    kw_store *s = open_in_tmp("d.db");
    int64_t ids[2];
    for (int i = 0; i < 2; i++) {
        alert_acts a = {0};
        alert_act *x = alert_acts_push(&a, ALERT_ACT_FIRE, "logs", "ssh_brute_force",
                                       kw_strdup(i ? "{\"source.ip\":\"192.0.2.2\"}" : "{\"source.ip\":\"192.0.2.1\"}"));
        x->severity = KW_SEV_HIGH;
        x->at_ms = x->started_ms = 100000;
        CHECK(store_alert_apply(s, x) == KW_OK);
        ids[i] = x->alert_id;
        alert_acts_free(&a);
    }
    int st;
    CHECK(store_alert_ack(s, ids[0], "bob", NULL, 101000, &st) == KW_OK);
    /* the next run: one of the engine's rules and the detector's two alerts */
    alert_engine *e = engine_from("builtin_rules: false\nrules:\n  - {name: ssh_brute_force, expr: host_cpu_usage_ratio > 80%}\n", 0);
    alert_acts a = {0};
    restore_ctx r = {e, &a, 0, 0};
    CHECK(store_alert_each_open(s, on_open, &r) == KW_OK);
    CHECK_INT(r.n, 2);
    CHECK_INT(a.n, 0); /* same rule name as an engine rule, but not its alert: held, not taken up */
    CHECK_INT(alert_engine_series(e), 2);
    /* the detector reports the first again (its FIRE adopts the open alert): the daemon forgets it */
    alert_act *x = alert_acts_push(&a, ALERT_ACT_FIRE, "logs", "ssh_brute_force", kw_strdup("{\"source.ip\":\"192.0.2.1\"}"));
    x->at_ms = x->started_ms = 230000;
    CHECK(store_alert_apply(s, x) == KW_OK);
    CHECK(x->alert_id == ids[0]);
    alert_engine_forget(e, x->fingerprint);
    alert_acts_free(&a);
    /* a reload of the engine's rules: the held one stays held */
    conf *c = conf_from("builtin_rules: false\n");
    alert_rules rules;
    alert_rules_from_conf(c, &rules);
    alert_engine_set_rules(e, &rules, 240000, &a);
    conf_free(c);
    CHECK_INT(a.n, 0);
    alert_engine_sweep(e, 200000 + 600000, &a); /* stale_after (10 min) not yet past */
    CHECK_INT(a.n, 0);
    alert_engine_sweep(e, 200000 + 600001, &a);
    CHECK_INT(count_kind(&a, ALERT_ACT_RESOLVE), 1);
    CHECK(a.n == 1 && a.v[0].alert_id == ids[1]);
    CHECK_STR(a.n ? a.v[0].reason : NULL, "not seen since restart");
    CHECK_STR(a.n ? a.v[0].rule : NULL, "ssh_brute_force");
    CHECK_INT(a.n ? a.v[0].severity : 0, KW_SEV_HIGH);
    CHECK(a.n && store_alert_apply(s, &a.v[0]) == KW_OK);
    alert_acts_free(&a);
    CHECK_INT(alert_engine_series(e), 0);
    alert_engine_sweep(e, 2000000, &a);
    CHECK_INT(a.n, 0);
    int64_t counts[4];
    CHECK(store_alert_counts(s, counts) == KW_OK);
    CHECK_INT(counts[ALERT_ACKED], 1); /* reported again: still the same, acknowledged alert */
    CHECK_INT(counts[ALERT_RESOLVED], 1);
    alert_engine_free(e);
    store_close(s);
}

/* The duty log's chain checked as it grows: only new entries are read, a change to one
 * already checked is found by the next full check, a removal at the end at once. */
static void test_store_duty_check_grows(void)
{
    kw_store *s = open_in_tmp("e.db");
    store_duty_check c = {0};
    CHECK(store_duty_verify_more(s, &c) == KW_OK);
    CHECK_INT(c.entries, 0);
    for (int i = 0; i < 3; i++)
        CHECK(store_duty_append(s, 1000 + i, "note", "bob", 0, "checked") == KW_OK);
    CHECK(store_duty_verify_more(s, &c) == KW_OK);
    CHECK_INT(c.entries, 3);
    CHECK_INT(db_exec(s->db, "UPDATE duty_log SET text = 'forged' WHERE id = 2"), KW_OK);
    CHECK(store_duty_append(s, 2000, "note", "bob", 0, "after") == KW_OK);
    CHECK(store_duty_verify_more(s, &c) == KW_OK); /* entry 2 is not read again */
    CHECK_INT(c.entries, 4);
    store_duty_check full = {0};
    CHECK(store_duty_verify_more(s, &full) == KW_ERR_PARSE);
    CHECK_INT(full.bad_id, 2);
    CHECK_INT(full.entries, 1);
    CHECK_CONTAINS(full.why, "entry 2 was changed");
    CHECK(store_duty_verify_more(s, &full) == KW_ERR_PARSE); /* broken stays broken */
    CHECK_INT(db_exec(s->db, "DELETE FROM duty_log WHERE id = 4"), KW_OK);
    CHECK(store_duty_verify_more(s, &c) == KW_ERR_PARSE); /* the last one checked is gone */
    CHECK_INT(c.bad_id, 4);
    CHECK_CONTAINS(c.why, "entry 4 is missing");
    memset(&full, 0, sizeof full);
    CHECK_INT(db_exec(s->db, "UPDATE duty_log SET text = 'checked' WHERE id = 2"), KW_OK);
    CHECK(store_duty_verify_more(s, &full) == KW_ERR_PARSE); /* the head record still says 4 */
    CHECK_INT(full.bad_id, 4);
    CHECK_INT(full.entries, 3);
    CHECK_CONTAINS(full.why, "entries removed from the end");
    store_close(s);
}

/* A detector's FIRE for an alert already open (the daemon restarted, the attack goes on) adopts
 * it inside the daemon's group transaction, and the transaction goes on: nothing else in it
 * is lost (a failed INSERT would abort it on PostgreSQL). */
static void test_store_fire_adopts_in_transaction(void)
{
    kw_store *s = open_in_tmp("t.db");
    CHECK(s != NULL);
    if (!s)
        return;
    int64_t ids[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        CHECK_INT(store_begin(s), KW_OK);
        alert_acts a = {0};
        alert_act *x = alert_acts_push(&a, ALERT_ACT_FIRE, "net", "syn_flood", kw_strdup("{\"destination.ip\":\"192.0.2.9\"}"));
        x->severity = KW_SEV_HIGH;
        x->at_ms = x->started_ms = 100000 + i * 1000;
        CHECK_INT(store_alert_apply(s, x), KW_OK);
        ids[i] = x->alert_id;
        CHECK_INT(store_duty_append(s, 100000 + i * 1000, "note", "bob", 0, "in the same transaction"), KW_OK);
        CHECK_INT(store_commit(s), KW_OK);
        alert_acts_free(&a);
    }
    CHECK(ids[0] > 0);
    CHECK_INT(ids[1], ids[0]);
    CHECK_INT(store_query_int(s, "SELECT count(*) FROM alerts", NULL), 1);
    CHECK_INT(store_query_int(s, "SELECT count(*) FROM duty_log WHERE kind = ?", "note"), 2);
    store_close(s);
}

/* Text from outside with bytes that are not UTF-8 (a user name in a log line): stored, on
 * PostgreSQL too (which holds UTF-8 only), never a lost alert or duty-log entry; the duty
 * log's link covers the text as stored, so it still verifies. */
static void test_store_invalid_utf8(void)
{
    kw_store *s = open_in_tmp("u.db");
    CHECK(s != NULL);
    if (!s)
        return;
    alert_acts a = {0};
    alert_act *x = alert_acts_push(&a, ALERT_ACT_FIRE, "logs", "ssh_brute_force", kw_strdup("{\"user.name\":\"x\"}"));
    x->severity = KW_SEV_HIGH;
    x->at_ms = x->started_ms = 100000;
    x->summary = kw_strdup("failed logins for \xff\xfe" "admin");
    CHECK_INT(store_alert_apply(s, x), KW_OK);
    kw_buf b;
    kw_buf_init(&b, 0);
    CHECK_INT(store_alert_get_json(s, x->alert_id, &b), KW_OK);
    const char *j = kw_buf_cstr(&b); /* SQLite kept the bytes (escaped on output), PostgreSQL U+FFFD */
    CHECK(strstr(j, "for \\ufffd\\ufffdadmin") || strstr(j, "for \xef\xbf\xbd\xef\xbf\xbd" "admin"));
    kw_buf_free(&b);
    alert_acts_free(&a);
    CHECK_INT(store_duty_append(s, 200000, "note", "bob\xc3", 0, "seen \xe5\x91 twice"), KW_OK);
    const char *stored = "seen \xef\xbf\xbd\xef\xbf\xbd twice"; /* U+FFFD for each byte */
    CHECK_INT(store_query_int(s, "SELECT count(*) FROM duty_log WHERE text = ?", stored), 1);
    int64_t bad = 0, n = 0;
    char why[256] = "";
    CHECK_INT(store_duty_verify(s, &bad, &n, why, sizeof why), KW_OK);
    CHECK_INT(n, 2); /* fired, the note */
    store_close(s);
}

/* A read on one handle must not pin its snapshot: another handle's write is seen next time
 * (the HTTP threads each hold a handle, the core and the CLI write through theirs). */
static void test_store_reads_see_other_writers(void)
{
    kw_store *a = open_in_tmp("c.db"), *b = open_in_tmp("c.db");
    alert_engine *e = engine_from("builtin_rules: false\nrules:\n  - {name: cpu, expr: host_cpu_usage_ratio > 80%}\n", 0);
    alert_acts acts = feed_cpu(e, 0.9, 100);
    CHECK(acts.n == 1 && store_alert_apply(b, &acts.v[0]) == KW_OK);
    int64_t id = acts.n ? acts.v[0].alert_id : 0;
    alert_acts_free(&acts);
    kw_buf out;
    kw_buf_init(&out, 0);
    CHECK(store_alert_get_json(a, id, &out) == KW_OK); /* a single-row read on handle a */
    int st;
    CHECK(store_alert_ack(b, id, "bob", NULL, 101000, &st) == KW_OK);
    kw_buf_reset(&out);
    store_alert_query q = {.state = ALERT_ACKED};
    CHECK(store_alert_list_json(a, &q, &out) == KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&out), "\"acked_by\":\"bob\"");
    kw_buf_free(&out);
    alert_engine_free(e);
    store_close(a);
    store_close(b);
}

static void test_store_metric_history(void)
{
    kw_store *s = open_in_tmp("m.db");
    const int64_t base = 1795000000000LL / 3600000 * 3600000; /* an hour boundary */
    store_begin(s);
    for (int i = 0; i < 180; i++) { /* 15 minutes at 5 s */
        metric_set *ms = metric_set_new(base + i * 5000);
        metric_add(ms, &d_cpu, i < 12 ? 0.5 : 0.25, NULL);
        CHECK(store_metric_write(s, ms) == KW_OK);
        metric_set_free(ms);
    }
    store_commit(s);
    kw_buf b;
    kw_buf_init(&b, 0);
    char want[96];
    /* a store younger than the window (the last hour, 15 minutes after the first start): the
     * readings there are, not an empty hourly table */
    CHECK(store_metric_query_json(s, "host_cpu_usage_ratio", base - 45 * 60000, base + 15 * 60000, &b) == KW_OK);
    snprintf(want, sizeof want, "\"resolution\":\"raw\",\"points\":[[%lld,0.5,0.5,0.5]", (long long)base);
    CHECK_CONTAINS(kw_buf_cstr(&b), want);
    /* maintenance 2 hours later with 1 h of raw retention: minutes and the first hour rolled up */
    CHECK(store_metric_maintain(s, base + 2 * 3600000, 3600000, 7 * 86400000LL, 90 * 86400000LL) == KW_OK);
    kw_buf_reset(&b);
    CHECK(store_metric_query_json(s, "host_cpu_usage_ratio", base, base + 3600000, &b) == KW_OK);
    const char *j = kw_buf_cstr(&b);
    CHECK_CONTAINS(j, "\"resolution\":\"1m\"");
    snprintf(want, sizeof want, "[%lld,0.5,0.5,0.5]", (long long)base);
    CHECK_CONTAINS(j, want);
    /* a day's window: minutes and hours start at the same time, the finer wins */
    kw_buf_reset(&b);
    CHECK(store_metric_query_json(s, "host_cpu_usage_ratio", base - 86400000LL, base + 3600000, &b) == KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&b), "\"resolution\":\"1m\"");
    /* the minutes kept for an hour only: the hours reach back further */
    CHECK(store_metric_maintain(s, base + 3 * 3600000, 3600000, 3600000, 90 * 86400000LL) == KW_OK);
    kw_buf_reset(&b);
    CHECK(store_metric_query_json(s, "host_cpu_usage_ratio", base - 86400000LL, base + 3600000, &b) == KW_OK);
    snprintf(want, sizeof want, "\"resolution\":\"1h\",\"points\":[[%lld,0.2666", (long long)base);
    CHECK_CONTAINS(kw_buf_cstr(&b), want); /* (12*0.5 + 168*0.25) / 180 */
    CHECK(store_metric_query_json(s, "nope", 0, 1, &b) == KW_ERR_NOTFOUND);
    kw_buf_free(&b);
    store_close(s);
}

static const metric_desc d_ifin = {"snmp_if_in_octets_per_second", "in", METRIC_GAUGE, true};

/* One host's series: this server's own (a mount point named like a label is still its own),
 * an agent's by its last label host= (not an agent whose name merely starts the same, nor one
 * a LIKE wildcard would match), a device's by its first label device=; the points bucketed
 * to at most max_points; the series past max_series cut off and said so. */
static void test_store_metric_host(void)
{
    kw_store *s = open_in_tmp("mh.db");
    const int64_t base = 1795000000000LL / 3600000 * 3600000;
    store_begin(s);
    for (int i = 0; i < 60; i++) { /* 5 minutes at 5 s */
        metric_set *ms = metric_set_new(base + i * 5000);
        metric_add(ms, &d_cpu, 0.5, NULL);
        metric_add(ms, &d_fs, 0.625, "mount", "x,host=", NULL);
        metric_add(ms, &d_cpu, i < 30 ? 0.25 : 0.75, "host", "web-01", NULL);
        metric_add(ms, &d_fs, 0.125, "mount", "/", "host", "web-01", NULL);
        metric_add(ms, &d_fs, 0.875, "mount", "/", "host", "web-011", NULL);
        metric_add(ms, &d_cpu, 0.375, "host", "axb", NULL);
        metric_add(ms, &d_ifin, 1000, "device", "sw1", "ifname", "ge0", NULL);
        metric_add(ms, &d_ifin, 4242, "device", "sw10", "ifname", "ge0", NULL);
        metric_add(ms, &d_ifin, 7777, "ifname", "ge0", "device", "sw1", NULL); /* not its first label */
        CHECK(store_metric_write(s, ms) == KW_OK);
        metric_set_free(ms);
    }
    store_commit(s);
    const char *names[] = {"host_cpu_usage_ratio", "host_filesystem_used_ratio"};
    const char *dnames[] = {"snmp_if_in_octets_per_second"};
    kw_buf b;
    kw_buf_init(&b, 0);
    char want[160];
    /* the agent: 10 points asked of 5 minutes, buckets of 30 s of 6 samples each */
    CHECK(store_metric_host_json(s, STORE_HOST_AGENT, "web-01", names, 2, base, base + 299999, 10, 64, &b) == KW_OK);
    const char *j = kw_buf_cstr(&b);
    CHECK_CONTAINS(j, "\"step_ms\":30000,\"truncated\":false");
    snprintf(want, sizeof want, "{\"name\":\"host_cpu_usage_ratio\",\"labels\":{\"host\":\"web-01\"},"
                                "\"resolution\":\"raw\",\"points\":[[%lld,0.25,0.25,0.25]", (long long)base);
    CHECK_CONTAINS(j, want);
    snprintf(want, sizeof want, "[%lld,0.75,0.75,0.75]]}", (long long)(base + 270000));
    CHECK_CONTAINS(j, want);
    CHECK_CONTAINS(j, "\"labels\":{\"mount\":\"/\",\"host\":\"web-01\"}");
    CHECK(strstr(j, "0.875") == NULL && strstr(j, "0.625") == NULL && strstr(j, "0.5") == NULL);
    int points = 0;
    for (const char *p = j; (p = strstr(p, "],[")) != NULL; p++)
        points++;
    CHECK(points == 2 * 9); /* 10 buckets a series: 9 between them */
    /* a LIKE wildcard in the name matches nothing but itself */
    kw_buf_reset(&b);
    CHECK(store_metric_host_json(s, STORE_HOST_AGENT, "a_b", names, 2, base, base + 299999, 10, 64, &b) == KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&b), "\"series\":[]");
    /* this server: its own, with the mount point that looks like a label */
    kw_buf_reset(&b);
    CHECK(store_metric_host_json(s, STORE_HOST_SERVER, NULL, names, 2, base, base + 299999, 10, 64, &b) == KW_OK);
    j = kw_buf_cstr(&b);
    CHECK_CONTAINS(j, "\"labels\":{},\"resolution\":\"raw\",\"points\":[[");
    CHECK_CONTAINS(j, "\"labels\":{\"mount\":\"x,host=\"}");
    CHECK(strstr(j, "web-01") == NULL && strstr(j, "0.375") == NULL && strstr(j, "0.875") == NULL);
    /* the device: its interface, not sw10's nor a series where device= is not first */
    kw_buf_reset(&b);
    CHECK(store_metric_host_json(s, STORE_HOST_DEVICE, "sw1", dnames, 1, base, base + 299999, 10, 64, &b) == KW_OK);
    j = kw_buf_cstr(&b);
    CHECK_CONTAINS(j, "\"labels\":{\"device\":\"sw1\",\"ifname\":\"ge0\"}");
    CHECK(strstr(j, "4242") == NULL && strstr(j, "7777") == NULL);
    /* past max_series: the first, and truncated */
    kw_buf_reset(&b);
    CHECK(store_metric_host_json(s, STORE_HOST_AGENT, "web-01", names, 2, base, base + 299999, 10, 1, &b) == KW_OK);
    j = kw_buf_cstr(&b);
    CHECK_CONTAINS(j, "\"truncated\":true");
    CHECK(strstr(j, "host_filesystem_used_ratio") == NULL);
    /* what cannot be a host or a range */
    CHECK(store_metric_host_json(s, STORE_HOST_AGENT, "a\"b", names, 2, base, base + 1, 10, 64, &b) == KW_ERR_RANGE);
    CHECK(store_metric_host_json(s, STORE_HOST_AGENT, "", names, 2, base, base + 1, 10, 64, &b) == KW_ERR_RANGE);
    CHECK(store_metric_host_json(s, STORE_HOST_AGENT, "web-01", names, 2, base, base, 10, 64, &b) == KW_ERR_RANGE);
    kw_buf_free(&b);
    store_close(s);
}

/* Every row of sql's answer, its columns joined, into out. */
static void dump(kw_store *s, const char *sql, kw_buf *out)
{
    db_stmt *st = store_stmt(s, sql);
    CHECK(st != NULL);
    if (!st)
        return;
    int cols = 0;
    for (const char *p = strchr(sql, ','); p && p < strstr(sql, " FROM "); p = strchr(p + 1, ','))
        cols++;
    while (db_step(st) == DB_ROW) {
        for (int i = 0; i <= cols; i++)
            kw_buf_printf(out, "%s|", db_col_null(st, i) ? "NULL" : db_col_text(st, i));
        kw_buf_putc(out, '\n');
    }
    db_reset(st);
}

/* Change k of transaction t for the batch test, pushed onto a. */
static void batch_change(alert_acts *a, int t, int k)
{
    static const char *const summaries[] = {"plain", "with \"quotes\" and a \\ backslash", "{not, json}",
                                            "bytes \xff\xfe not UTF-8", NULL};
    char labels[64];
    snprintf(labels, sizeof labels, "{\"source.ip\":\"10.0.%d.%d\"}", k / 256, k % 256);
    alert_act_kind kind = t == 0 ? ALERT_ACT_FIRE : t == 1 ? (k < 150 ? ALERT_ACT_UPDATE : ALERT_ACT_RESOLVE)
                                                            : ALERT_ACT_FIRE;
    alert_act *x = alert_acts_push(a, kind, "logs", "ssh_fail", kw_strdup(labels));
    x->severity = KW_SEV_HIGH;
    x->at_ms = 100000 + t * 10000 + k;
    x->started_ms = 100000;
    x->value = k % 7 == 3 ? NAN : k * 1.5;
    x->peak = k * 2.25;
    x->threshold = 5;
    x->history = k % 2 == 0;
    x->reason = k % 3 ? "over" : NULL;
    if (summaries[k % 5])
        x->summary = kw_strdup(summaries[k % 5]);
}

/* The same changes written one by one (store_alert_apply) and as batches (store_alert_apply_all,
 * on PostgreSQL one statement per table) leave the same alerts, history, duty log (links and
 * checkpoints: one falls inside the first batch) and outcomes: fires, updates with and without
 * history rows, resolves, an update of no open alert (not found), a fire of an alert open
 * already (adopted), a fingerprint twice in one transaction, a reopen, text to escape. */
static void test_store_apply_all_same(void)
{
    kw_store *s[2] = {open_in_tmp("one.db"), open_in_tmp("all.db")};
    CHECK(s[0] && s[1]);
    if (!s[0] || !s[1])
        return;
    kw_rc rcs[2][512];
    size_t nrc = 0;
    for (int t = 0; t < 3; t++) {
        alert_acts a[2] = {{0}, {0}};
        for (int w = 0; w < 2; w++) {
            int n = t == 0 ? 200 : t == 1 ? 200 : 3;
            for (int k = 0; k < n; k++)
                batch_change(&a[w], t, t == 2 ? k * 150 : k); /* t 2: 0 open (adopted), 150 resolved, 300 new */
            if (t == 1) { /* an update of an alert never fired; 5 again (a second segment); a reopen */
                batch_change(&a[w], 1, 999);
                batch_change(&a[w], 1, 5);
                batch_change(&a[w], 1, 151);
                a[w].v[a[w].n - 1].kind = ALERT_ACT_RESOLVE;
            }
        }
        size_t n = a[0].n;
        for (int w = 0; w < 2; w++) {
            CHECK_INT(store_begin(s[w]), KW_OK);
            if (w == 0)
                for (size_t i = 0; i < n; i++)
                    rcs[0][nrc + i] = store_alert_apply(s[0], &a[0].v[i]);
            else
                CHECK_INT(store_alert_apply_all(s[1], a[1].v, n, &rcs[1][nrc]), KW_OK);
            CHECK_INT(store_commit(s[w]), KW_OK);
        }
        for (size_t i = 0; i < n; i++) {
            CHECK_INT(rcs[1][nrc + i], rcs[0][nrc + i]);
            CHECK_INT(a[1].v[i].alert_id, a[0].v[i].alert_id);
            CHECK_INT(a[1].v[i].kind, a[0].v[i].kind);
        }
        nrc += n;
        if (t == 1) { /* the resolve of 151 after its update: reopened, alone */
            for (int w = 0; w < 2; w++) {
                alert_acts r = {0};
                batch_change(&r, 1, 151);
                r.v[0].kind = ALERT_ACT_REOPEN;
                r.v[0].alert_id = a[w].v[151].alert_id;
                batch_change(&r, 1, 152);
                kw_rc rr[2];
                CHECK_INT(store_begin(s[w]), KW_OK);
                CHECK_INT(store_alert_apply_all(s[w], r.v, r.n, rr), KW_OK);
                CHECK_INT(store_commit(s[w]), KW_OK);
                CHECK_INT(rr[0], KW_OK);
                alert_acts_free(&r);
            }
        }
        alert_acts_free(&a[0]);
        alert_acts_free(&a[1]);
    }
    CHECK_INT(rcs[0][200 + 200], KW_ERR_NOTFOUND); /* 999 never fired */
    CHECK_INT(store_query_int(s[0], "SELECT count(*) FROM duty_checkpoints", NULL), 3); /* start, 100, 200 */
#define ALERT_ROW "SELECT id, fingerprint, rule, state, severity, summary, labels, details, value, peak, threshold," \
                  " started_at, updated_at, resolved_at, resolved_by, resolve_reason, flaps FROM alerts ORDER BY id"
    static const char *const tables[] = {
        ALERT_ROW,
        "SELECT id, alert_id, at, action, actor, note, value FROM alert_history ORDER BY id",
        "SELECT id, ts, kind, actor, alert_id, text, prev_hash, hash FROM duty_log ORDER BY id",
        "SELECT seq, from_seq, head, digest FROM duty_checkpoints ORDER BY seq",
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        kw_buf b[2];
        for (int w = 0; w < 2; w++) {
            kw_buf_init(&b[w], 0);
            dump(s[w], tables[i], &b[w]);
        }
        CHECK(b[0].len > 0);
        CHECK_STR(kw_buf_cstr(&b[1]), kw_buf_cstr(&b[0]));
        kw_buf_free(&b[0]);
        kw_buf_free(&b[1]);
    }
    for (int w = 0; w < 2; w++) {
        int64_t bad = 0, n = 0;
        char why[256] = "";
        CHECK_INT(store_duty_verify(s[w], &bad, &n, why, sizeof why), KW_OK);
        CHECK_STR(why, "");
        store_close(s[w]);
    }
}

/* A set's samples: a series named twice keeps its last value, a label that is not UTF-8 is
 * stored (PostgreSQL: U+FFFD) and read back, more series than one statement takes, known and
 * new series in one set. */
static void test_store_metric_many(void)
{
    kw_store *s = open_in_tmp("mm.db");
    CHECK(s != NULL);
    if (!s)
        return;
    for (int round = 0; round < 2; round++) {
        metric_set *ms = metric_set_new(1795000000000LL + round * 5000);
        for (int i = 0; i < 1500 + round * 500; i++) {
            char mp[32];
            snprintf(mp, sizeof mp, "/m%d", i);
            metric_add(ms, &d_fs, i * 0.001, "mountpoint", mp, NULL);
        }
        metric_add(ms, &d_fs, 0.5, "mountpoint", "/m7", NULL);
        metric_add(ms, &d_fs, 0.25, "mountpoint", "/bad\xff", NULL);
        metric_add(ms, &d_fs, NAN, "mountpoint", "/nan", NULL);
        CHECK_INT(store_begin(s), KW_OK);
        CHECK_INT(store_metric_write(s, ms), KW_OK);
        CHECK_INT(store_commit(s), KW_OK);
        metric_set_free(ms);
    }
    CHECK_INT(store_query_int(s, "SELECT count(*) FROM metric_series", NULL), 2001);
    CHECK_INT(store_query_int(s, "SELECT count(*) FROM metric_raw", NULL), 1501 + 2001);
    kw_buf b;
    kw_buf_init(&b, 0);
    CHECK_INT(store_metric_query_json(s, "host_filesystem_used_ratio{mountpoint=\"/m7\"}", 0, INT64_MAX / 2, &b),
              KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&b), "[1795000000000,0.5,0.5,0.5],[1795000005000,0.5,0.5,0.5]");
    kw_buf_reset(&b);
    CHECK_INT(store_metric_query_json(s, "host_filesystem_used_ratio{mountpoint=\"/m1999\"}", 0, INT64_MAX / 2, &b),
              KW_OK);
    CHECK_CONTAINS(kw_buf_cstr(&b), "[[1795000005000,1.999");
    CHECK_INT(store_query_int(s, "SELECT count(*) FROM metric_raw r JOIN metric_series m ON m.id = r.series"
                                 " WHERE m.labels LIKE '%bad%' AND r.value = 0.25", NULL), 2);
    kw_buf_free(&b);
    store_close(s);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kw-test-alert-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    kwt_duty_keys_in(tmpdir, 100);
    RUN(test_for_duration);
    RUN(test_interrupted_pending);
    RUN(test_hysteresis_and_clear_for);
    RUN(test_flap_reopens);
    RUN(test_labels_series_and_stale);
    RUN(test_reload_removes_rule);
    RUN(test_check_rules);
    RUN(test_check_rules_own_samples);
    RUN(test_store_lifecycle);
    RUN(test_store_restart_restore);
    RUN(test_detector_alert_held_over_restart);
    RUN(test_store_metric_history);
    RUN(test_store_metric_host);
    RUN(test_store_reads_see_other_writers);
    RUN(test_store_duty_check_grows);
    RUN(test_store_invalid_utf8);
    RUN(test_store_fire_adopts_in_transaction);
    RUN(test_store_apply_all_same);
    RUN(test_store_metric_many);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    TEST_MAIN_END();
}
