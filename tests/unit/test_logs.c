/* The log parsers (cases in tests/data/logs/parsers.txt) and the log rules engine. */
#include "kw_test.h"

#include <stdlib.h>

#include "conf/conf.h"
#include "core/kw_buf.h"
#include "core/kw_json.h"
#include "core/kw_time.h"
#include "intel/intel.h"
#include "logs/logs.h"
#include "logs/logs_rule.h"
#include "logs/logs_watch.h"

#include <sys/stat.h>
#include <unistd.h>

/* ---- parser cases from the data file ---- */

static size_t unescape_line(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = s; *p && n < cap; p++) {
        if (*p != '\\' || !p[1]) {
            out[n++] = *p;
            continue;
        }
        p++;
        if (*p == 't')
            out[n++] = '\t';
        else if (*p == 'x' && p[1] && p[2]) {
            char hx[3] = {p[1], p[2], 0};
            out[n++] = (char)strtol(hx, NULL, 16);
            p += 2;
        } else
            out[n++] = *p;
    }
    return n;
}

static void test_parser_cases(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/logs/parsers.txt", KW_TEST_DATA);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    log_rec r;
    log_rec_init(&r);
    log_parse_opts o = {.tz_offset_min = LOG_TZ_LOCAL};
    char line[8192], raw[8192];
    int lineno = 0, cases = 0, checks = 0;
    bool have = false;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (!n || line[0] == '#')
            continue;
        if (!strncmp(line, "now=", 4)) {
            log_parse_opts utc = {.tz_offset_min = 0};
            CHECK(log_parse_iso(line + 4, n - 4, &utc, &o.now_ms) > 0);
            continue;
        }
        if (!strncmp(line, "tz=", 3)) {
            CHECK(log_tz_parse(line + 3, &o.tz_offset_min));
            continue;
        }
        if (!strncmp(line, ">> ", 3) || !strncmp(line, "> ", 2)) {
            size_t rn;
            if (line[1] == '>')
                rn = unescape_line(line + 3, raw, sizeof raw);
            else {
                rn = n - 2;
                memcpy(raw, line + 2, rn);
            }
            log_parse(&r, raw, rn, &o);
            have = true;
            cases++;
            /* every record serialises to valid JSON (checked by the integration tests with a
             * JSON parser); here: it is non-empty and balanced */
            kw_buf b;
            kw_buf_init(&b, 0);
            log_rec_ecs(&r, &b);
            CHECK(b.len > 2 && b.data[0] == '{' && b.data[b.len - 1] == '}');
            kw_buf_free(&b);
            continue;
        }
        if (!have) {
            fprintf(stderr, "  parsers.txt:%d: expectation before any line\n", lineno);
            kwt_failed_checks++;
            continue;
        }
        checks++;
        if (!strncmp(line, "@timestamp=", 11)) {
            char ts[40];
            kw_time_iso8601(r.ts_ms, ts, sizeof ts);
            if (strcmp(ts, line + 11) != 0) {
                fprintf(stderr, "  parsers.txt:%d: @timestamp is %s, expected %s\n", lineno, ts, line + 11);
                kwt_failed_checks++;
            }
            continue;
        }
        bool absent = line[0] == '!';
        char *eq = strchr(line, '=');
        if (absent) {
            int fld = log_field_lookup(line + 1);
            if (fld < 0 || log_has(&r, fld)) {
                fprintf(stderr, "  parsers.txt:%d: %s should be absent\n", lineno, line + 1);
                kwt_failed_checks++;
            }
            continue;
        }
        if (!eq) {
            fprintf(stderr, "  parsers.txt:%d: cannot read \"%s\"\n", lineno, line);
            kwt_failed_checks++;
            continue;
        }
        *eq = 0;
        int fld = log_field_lookup(line);
        if (fld < 0) {
            fprintf(stderr, "  parsers.txt:%d: unknown field %s\n", lineno, line);
            kwt_failed_checks++;
        } else if (!log_eq(&r, fld, eq + 1)) {
            fprintf(stderr, "  parsers.txt:%d: %s is \"%.*s\"%s, expected \"%s\"\n", lineno, line,
                    log_has(&r, fld) ? (int)r.f[fld].n : 0, log_has(&r, fld) ? r.f[fld].p : "",
                    log_has(&r, fld) ? "" : " (absent)", eq + 1);
            kwt_failed_checks++;
        }
    }
    fclose(f);
    log_rec_free(&r);
    CHECK(cases >= 55);
    CHECK(checks >= 250);
}

/* ---- line splitting ---- */

typedef struct {
    char got[16][64];
    size_t len[16];
    int n;
} lines_got;

static void on_line(void *arg, const char *p, size_t n)
{
    lines_got *g = arg;
    if (g->n < 16) {
        g->len[g->n] = n;
        memcpy(g->got[g->n], p, n < 63 ? n : 63);
        g->got[g->n][n < 63 ? n : 63] = 0;
        g->n++;
    }
}

/* The last occurrence, whatever the literal's first bytes (spaces) and where it sits. */
static void test_rfind(void)
{
    const char *m = "Failed password for x from 1.2.3.4 from 5.6.7.8 port 22";
    size_t n = strlen(m);
    CHECK(log_rfind(m, n, " from ") == strstr(m, " from 5."));
    CHECK(log_rfind(m, n, "F") == m);
    CHECK(log_rfind(m, n, "Failed") == m);
    CHECK(log_rfind(m, n, "22") == m + n - 2);
    CHECK(log_rfind(m, n, m) == m);
    CHECK(log_rfind(m, n, " fromx") == NULL);
    CHECK(log_rfind(m, n, "  ") == NULL);
    CHECK(log_rfind(m, 5, "Failed") == NULL); /* longer than what is searched */
    CHECK(log_rfind("a  b", 4, "  ") != NULL);
    CHECK(log_rfind(m, n, "") == NULL);
}

static void test_lines(void)
{
    log_lines l;
    log_lines_init(&l, 8);
    lines_got g = {0};
    log_lines_feed(&l, "ab\ncd", 5, on_line, &g);
    CHECK_INT(g.n, 1);
    CHECK_INT(log_lines_pending(&l), 2);
    log_lines_feed(&l, "ef\n0123456789abc\nxy", 19, on_line, &g);
    CHECK_INT(g.n, 3);
    CHECK_STR(g.got[1], "cdef");
    CHECK_STR(g.got[2], "01234567"); /* cut at 8 */
    CHECK_INT(l.truncated, 1);
    /* a long line split across feeds is cut once and its rest dropped */
    log_lines_feed(&l, "123456789", 9, on_line, &g);
    CHECK_INT(g.n, 4);
    CHECK_STR(g.got[3], "xy123456");
    log_lines_feed(&l, "more\nok\n", 8, on_line, &g);
    CHECK_INT(g.n, 5);
    CHECK_STR(g.got[4], "ok");
    CHECK_INT(l.truncated, 2);
    log_lines_feed(&l, "tail", 4, on_line, &g);
    log_lines_flush(&l, on_line, &g);
    CHECK_STR(g.got[5], "tail");
    CHECK_INT(l.lines, 6);
    log_lines_free(&l);
}

/* ---- rules ---- */

typedef struct {
    int fire, update, end;
    char last_summary[256];
    char last_action[64];
    int last_severity;
    uint64_t last_count;
    int64_t last_first, last_end;
    char by0[64];
} dets;

static void on_det(void *arg, const log_detection *d)
{
    dets *x = arg;
    if (d->phase == LOG_DET_FIRE)
        x->fire++;
    else if (d->phase == LOG_DET_UPDATE)
        x->update++;
    else
        x->end++;
    snprintf(x->last_summary, sizeof x->last_summary, "%s", d->summary);
    snprintf(x->last_action, sizeof x->last_action, "%s", d->action);
    snprintf(x->by0, sizeof x->by0, "%s", d->nby ? d->by_value[0] : "");
    x->last_severity = d->severity;
    x->last_count = d->count;
    x->last_first = d->first_ms;
    x->last_end = d->end_ms;
}

static conf *load(const char *yaml)
{
    conf *c = NULL;
    conf_errors errs = {0};
    if (conf_load_buffer("test.yaml", yaml, strlen(yaml), &c, &errs) != KW_OK) {
        for (size_t i = 0; i < errs.n; i++)
            fprintf(stderr, "  %s\n", errs.v[i]);
    }
    conf_errors_free(&errs);
    return c;
}

/* Feeds one line at a time, at the given time. */
static int feed(log_engine *e, const char *line, int64_t at)
{
    log_rec r;
    log_rec_init(&r);
    log_parse_opts o = {.now_ms = at, .tz_offset_min = 0};
    log_parse(&r, line, strlen(line), &o);
    int hits = log_engine_line_at(e, &r, at);
    log_rec_free(&r);
    return hits;
}

static void ssh_fail(log_engine *e, const char *ip, int64_t at)
{
    char line[256];
    snprintf(line, sizeof line, "Jan  1 00:00:00 h sshd[1]: Failed password for root from %s port 22 ssh2", ip);
    feed(e, line, at);
}

static void test_frequency(void)
{
    conf *c = load("builtin_rules: false\n"
                   "logs:\n"
                   "  rules:\n"
                   "    - name: ssh\n"
                   "      match: {event.dataset: openssh, event.outcome: failure}\n"
                   "      count: 10\n"
                   "      within: 60s\n"
                   "      by: [source.ip]\n"
                   "      end_after: 2m\n"
                   "      severity: high\n"
                   "      action: brute_force\n"
                   "      summary: '{count} failures from {source.ip} in {within}'\n");
    CHECK(c != NULL);
    if (!c)
        return;
    char err[256];
    log_ruleset *rs = log_ruleset_from_conf(c, err, sizeof err);
    CHECK(rs != NULL);
    CHECK_INT(log_ruleset_count(rs), 1);
    dets x = {0};
    log_engine *e = log_engine_new(rs, on_det, &x);
    int64_t t = 1700000000000;
    /* 9 failures in a minute: nothing */
    for (int i = 0; i < 9; i++)
        ssh_fail(e, "203.0.113.1", t + i * 1000);
    CHECK_INT(x.fire, 0);
    /* other sources do not add up */
    ssh_fail(e, "203.0.113.2", t + 9500);
    CHECK_INT(x.fire, 0);
    /* the 10th from the same source within 60 s fires, once */
    ssh_fail(e, "203.0.113.1", t + 10000);
    CHECK_INT(x.fire, 1);
    CHECK_STR(x.last_action, "brute_force");
    CHECK_STR(x.last_summary, "10 failures from 203.0.113.1 in 1m");
    CHECK_INT(x.last_first, t);
    CHECK_INT(x.last_severity, 3);
    for (int i = 0; i < 35; i++)
        ssh_fail(e, "203.0.113.1", t + 11000 + i * 1000);
    CHECK_INT(x.fire, 1);
    CHECK_INT(x.update, 1); /* the count rose over 30 s: one update */
    CHECK_INT(x.last_count, 39); /* sent by the clock before the 40th line was counted */
    /* not over yet after 119 s of quiet; over after end_after (2 min), every line counted */
    log_engine_tick(e, t + 45000 + 119000);
    CHECK_INT(x.end, 0);
    log_engine_tick(e, t + 45000 + 121000);
    CHECK_INT(x.end, 1);
    CHECK_INT(x.last_count, 45);
    CHECK_INT(x.last_end, t + 45000);
    /* a slow attacker, 10 failures spread over 10 minutes, never reaches 10 in 60 s */
    for (int i = 0; i < 10; i++)
        ssh_fail(e, "203.0.113.3", t + 400000 + i * 61000);
    CHECK_INT(x.fire, 1);
    /* a successful login is not counted */
    feed(e, "Jan  1 00:00:00 h sshd[1]: Accepted password for root from 203.0.113.4 port 22 ssh2", t + 1100000);
    log_rule_stats st[1];
    CHECK_INT(log_engine_rule_stats(e, st, 1), 1);
    CHECK_INT(st[0].matches, 9 + 1 + 1 + 35 + 10);
    CHECK_INT(st[0].detections, 1);
    log_engine_finish(e);
    log_engine_free(e);
    log_ruleset_free(rs);
    conf_free(c);
}

static void test_conditions(void)
{
    conf *c = load("builtin_rules: false\n"
                   "logs:\n"
                   "  rules:\n"
                   "    - name: internal_deny\n"
                   "      match: {event.action: deny, source.ip|cidr: [10.0.0.0/8, '2001:db8::/32']}\n"
                   "      unless: {destination.port: ['53', '123']}\n"
                   "    - name: big\n"
                   "      match: {http.response.body.bytes|gt: 1000000}\n"
                   "    - name: ua\n"
                   "      match: {user_agent.original|re: ['(?i)sqlmap|nikto', 'masscan/\\d']}\n"
                   "    - name: ext\n"
                   "      match: {fortinet.type: utm, rule.name|startswith: Adobe, message|contains: Free}\n"
                   "    - name: noport\n"
                   "      match: {event.dataset: iptables, destination.port|exists: false}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    char err[256];
    log_ruleset *rs = log_ruleset_from_conf(c, err, sizeof err);
    CHECK(rs != NULL);
    dets x = {0};
    log_engine *e = log_engine_new(rs, on_det, &x);
    int64_t t = 1700000000000;
    const char *ipt = "Jan  1 00:00:00 fw kernel: DROP IN=eth0 OUT= SRC=%s DST=10.1.1.1 LEN=60 PROTO=%s SPT=1 DPT=%s";
    char line[512];
    snprintf(line, sizeof line, ipt, "10.2.3.4", "TCP", "22");
    CHECK_INT(feed(e, line, t), 1);
    snprintf(line, sizeof line, ipt, "192.168.1.1", "TCP", "22");
    CHECK_INT(feed(e, line, t), 0);
    snprintf(line, sizeof line, ipt, "10.2.3.4", "UDP", "53"); /* unless: port 53 */
    CHECK_INT(feed(e, line, t), 0);
    snprintf(line, sizeof line, ipt, "2001:db8::7", "TCP", "80");
    CHECK_INT(feed(e, line, t), 1);
    CHECK_INT(feed(e, "Jan  1 00:00:00 fw kernel: DROP IN=eth0 OUT= SRC=10.2.3.4 DST=10.1.1.1 LEN=60 PROTO=ICMP TYPE=8 CODE=0", t), 2);
    CHECK_INT(feed(e, "1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 200 2000000 \"-\" \"curl\"", t), 1);
    CHECK_INT(feed(e, "1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 200 2000 \"-\" \"SQLMap/1.7\"", t), 1);
    CHECK_INT(feed(e, "1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 200 2000 \"-\" \"masscan/1.3\"", t), 1);
    CHECK_INT(feed(e, "1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 200 2000 \"-\" \"Mozilla\"", t), 0);
    CHECK_INT(feed(e, "date=2019-05-13 time=11:20:54 logid=\"0419016384\" type=\"utm\" subtype=\"ips\" level=\"alert\" "
                      "srcip=10.1.100.11 dstip=172.16.200.55 action=\"dropped\" attack=\"Adobe.Reader.Use.After.Free\" "
                      "msg=\"Adobe.Reader.Use.After.Free\"",
                   t),
              2); /* ext, and internal_deny: dropped from 10.1.100.11 */
    log_engine_finish(e);
    log_engine_free(e);
    log_ruleset_free(rs);
    conf_free(c);
}

static void test_builtin_rules(void)
{
    conf *c = load("");
    CHECK(c != NULL);
    if (!c)
        return;
    char err[256];
    log_ruleset *rs = log_ruleset_from_conf(c, err, sizeof err);
    CHECK(rs != NULL);
    CHECK(log_ruleset_count(rs) >= 12);
    dets x = {0};
    log_engine *e = log_engine_new(rs, on_det, &x);
    int64_t t = 1700000000000;
    /* attacks in URLs, percent-encoded as they arrive */
    static const struct {
        const char *url;
        const char *action;
    } bad[] = {
        {"/item?id=1%27%20UNION%20ALL%20SELECT%20NULL,version()--", "sql_injection"},
        {"/item?id=1%20or%201=1", "sql_injection"},
        {"/item?id=1;SELECT%20pg_sleep(5)", "sql_injection"},
        {"/q?s=%3Cscript%3Ealert(document.cookie)%3C/script%3E", "xss"},
        {"/q?s=%3Cimg%20src=x%20onerror=alert(1)%3E", "xss"},
        {"/static/..%2F..%2F..%2Fetc%2Fpasswd", "path_traversal"},
        {"/download?f=%252e%252e%252f%252e%252e%252fwin.ini", "path_traversal"},
    };
    char line[512];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int before = x.fire;
        snprintf(line, sizeof line, "198.51.100.%zu - - [01/Jan/2024:00:00:00 +0000] \"GET %s HTTP/1.1\" 200 1 \"-\" \"x\"",
                 i + 1, bad[i].url);
        feed(e, line, t);
        if (x.fire != before + 1 || strcmp(x.last_action, bad[i].action) != 0) {
            fprintf(stderr, "  %s: expected %s, got %s (%d)\n", bad[i].url, bad[i].action, x.last_action,
                    x.fire - before);
            kwt_failed_checks++;
        }
    }
    /* ordinary requests stay quiet */
    static const char *good[] = {
        "/", "/index.html", "/search?q=union+station+select+seats", "/blog/2024/01/select-your-plan",
        "/api/v1/items?sort=name&order=asc", "/static/app.js?v=3", "/docs/script-writing-guide",
        "/products?category=ORDER%20HISTORY",
    };
    int before = x.fire;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        snprintf(line, sizeof line, "198.51.100.200 - - [01/Jan/2024:00:00:00 +0000] \"GET %s HTTP/1.1\" 200 1 \"-\" \"x\"",
                 good[i]);
        feed(e, line, t);
        if (x.fire != before) {
            fprintf(stderr, "  %s: fired %s\n", good[i], x.last_action);
            kwt_failed_checks++;
            before = x.fire;
        }
    }
    /* an IDS alert keeps its severity */
    feed(e,
         "{\"timestamp\":\"2024-01-05T03:16:00.000000+0000\",\"event_type\":\"alert\",\"src_ip\":\"203.0.113.50\","
         "\"dest_ip\":\"10.0.0.5\",\"proto\":\"TCP\",\"alert\":{\"signature_id\":1,\"signature\":\"X\",\"severity\":1}}",
         t);
    CHECK_STR(x.last_action, "ids_alert");
    CHECK_INT(x.last_severity, 3);
    log_engine_finish(e);
    log_engine_free(e);
    log_ruleset_free(rs);
    conf_free(c);
}

static void test_bounded_groups(void)
{
    conf *c = load("builtin_rules: false\n"
                   "logs:\n"
                   "  max_groups: 100\n"
                   "  rules:\n"
                   "    - name: ssh\n"
                   "      match: {event.dataset: openssh}\n"
                   "      count: 5\n"
                   "      within: 10s\n"
                   "      by: [source.ip]\n");
    CHECK(c != NULL);
    if (!c)
        return;
    char err[256];
    log_ruleset *rs = log_ruleset_from_conf(c, err, sizeof err);
    dets x = {0};
    log_engine *e = log_engine_new(rs, on_det, &x);
    int64_t t = 1700000000000;
    char ip[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(ip, sizeof ip, "10.0.%d.%d", i / 250, i % 250);
        ssh_fail(e, ip, t);
    }
    log_rule_stats st[1];
    log_engine_rule_stats(e, st, 1);
    CHECK_INT(st[0].groups, 100);
    CHECK_INT(st[0].groups_dropped, 900);
    /* once they are idle past the window, room is made again */
    log_engine_tick(e, t + 30000);
    log_engine_rule_stats(e, st, 1);
    CHECK_INT(st[0].groups, 0);
    log_engine_free(e);
    log_ruleset_free(rs);
    conf_free(c);
}

static void test_conf_errors(void)
{
    const char *y = "logs:\n"
                    "  rules:\n"
                    "    - name: bad\n"
                    "      match: {url.original|re: 'a(b', source.ip|cidr: 10.0.0.0/33, nosuchfield: x,\n"
                    "              message|frob: y}\n";
    conf *c = NULL;
    conf_errors errs = {0};
    CHECK(conf_load_buffer("t.yaml", y, strlen(y), &c, &errs) != KW_OK);
    CHECK_INT(errs.n, 4);
    if (errs.n == 4) {
        CHECK_CONTAINS(errs.v[0], "t.yaml:4:");
        CHECK_CONTAINS(errs.v[0], "missing closing parenthesis");
        CHECK_CONTAINS(errs.v[1], "not an IP address or CIDR prefix");
        CHECK_CONTAINS(errs.v[2], "\"nosuchfield\" is not a field name");
        CHECK_CONTAINS(errs.v[3], "unknown operator \"frob\"");
    }
    conf_errors_free(&errs);
}

/* ---- device watch ---- */

typedef struct {
    int fire, end;
    char rule[64], summary[256], by1[128];
} wdets;

static void on_wdet(void *arg, const log_detection *d)
{
    wdets *x = arg;
    if (d->phase == LOG_DET_FIRE)
        x->fire++;
    else if (d->phase == LOG_DET_END)
        x->end++;
    snprintf(x->rule, sizeof x->rule, "%s", d->rule);
    snprintf(x->summary, sizeof x->summary, "%s", d->summary);
    snprintf(x->by1, sizeof x->by1, "%s", d->nby > 1 ? d->by_value[1] : "");
}

static void watch_line(log_watch *w, const char *line, int64_t at)
{
    log_rec r;
    log_rec_init(&r);
    log_parse_opts o = {.now_ms = at, .tz_offset_min = 0, .sender = "192.0.2.10"};
    log_parse(&r, line, strlen(line), &o);
    log_watch_line(w, &r, at);
    log_rec_free(&r);
}

/* n deny lines spread over the minute from t, the watch ticked every second of it */
static void minute_of_hits(log_watch *w, const char *line, int64_t t, int n)
{
    for (int i = 0; i < n; i++)
        watch_line(w, line, t + i * (60000 / n));
    for (int s = 0; s < 60; s++)
        log_watch_tick(w, t + s * 1000);
}

static void test_rule_hit_surge(void)
{
    conf *c = load("logs:\n"
                   "  surge_factor: 5\n"
                   "  surge_min: 30\n"
                   "  surge_learn: 10m\n"
                   "  devices:\n"
                   "    - name: edge-fw\n"
                   "      match: {log.source.address: 192.0.2.10}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    char err[256];
    wdets x = {0};
    int64_t t0 = 1700000000000 - 1700000000000 % 60000;
    log_watch *w = log_watch_new(c, t0, on_wdet, &x, err, sizeof err);
    CHECK(w != NULL);
    const char *deny = "<134>Jan 05 2024 03:15:03: %ASA-4-106023: Deny tcp src outside:192.0.2.77/4410 dst "
                       "inside:10.0.0.5/22 by access-group \"outside_access_in\" [0x0, 0x0]";
    /* an hour of the normal: 10 hits a minute */
    int64_t t = t0;
    for (int m = 0; m < 60; m++, t += 60000)
        minute_of_hits(w, deny, t, 10);
    CHECK_INT(x.fire, 0);
    /* twice the normal is not a surge */
    minute_of_hits(w, deny, t, 20);
    t += 60000;
    CHECK_INT(x.fire, 0);
    /* 100 hits in 20 seconds: the deny rule fires far above its baseline */
    for (int i = 0; i < 100; i++)
        watch_line(w, deny, t + i * 200);
    log_watch_tick(w, t + 20000);
    CHECK_INT(x.fire, 1);
    CHECK_STR(x.rule, "rule_hit_surge");
    CHECK_STR(x.by1, "outside_access_in");
    CHECK_CONTAINS(x.summary, "edge-fw");
    /* back to normal: over after two calm minutes, and the surge did not become the baseline */
    t += 60000;
    for (int m = 0; m < 4; m++, t += 60000)
        minute_of_hits(w, deny, t, 10);
    CHECK_INT(x.end, 1);
    kw_buf b;
    kw_buf_init(&b, 0);
    kw_json j;
    kw_json_init(&j, &b);
    kw_json_obj_begin(&j);
    log_watch_json(w, &j);
    kw_json_obj_end(&j);
    CHECK_CONTAINS(kw_buf_cstr(&b), "\"baseline_per_minute\":1");
    CHECK_CONTAINS(kw_buf_cstr(&b), "\"name\":\"edge-fw\",\"configured\":true");
    kw_buf_free(&b);
    log_watch_free(w);

    /* a surge in the last moment of a minute, the next tick after the minute turned: it fires on the
       hits themselves, and the minute does not become the baseline first */
    wdets y = {0};
    w = log_watch_new(c, t0, on_wdet, &y, err, sizeof err);
    log_watch_tick(w, t0 + 1700000); /* past surge_learn */
    t = t0 + 1800000 - 500;
    for (int i = 0; i < 40; i++)
        watch_line(w, deny, t + i * 10);
    log_watch_tick(w, t0 + 1800000 + 500);
    CHECK_INT(y.fire, 1);
    log_watch_free(w);
    conf_free(c);
}

static void test_device_silent_and_signatures(void)
{
    char dir[] = "/tmp/kwtest-sigXXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], yaml[1024];
    snprintf(path, sizeof path, "%s/suricata.rules", dir);
    FILE *f = fopen(path, "w");
    fputs("# rules version 20200101\nalert tcp any any -> any any (sid:1;)\n", f);
    fclose(f);
    snprintf(yaml, sizeof yaml,
             "logs:\n"
             "  devices:\n"
             "    - name: ids\n"
             "      match: {event.dataset: suricata.eve}\n"
             "      heartbeat: 5m\n"
             "  signatures:\n"
             "    - name: et-open\n"
             "      path: %s/*.rules\n"
             "      version_pattern: 'rules version (\\d{8})'\n"
             "      max_age: 7d\n"
             "    - name: clamav\n"
             "      freshclam: true\n"
             "      max_age: 2d\n",
             dir);
    conf *c = load(yaml);
    CHECK(c != NULL);
    if (!c)
        return;
    char err[256];
    wdets x = {0};
    int64_t t = kw_now_ms();
    log_watch *w = log_watch_new(c, t, on_wdet, &x, err, sizeof err);
    CHECK(w != NULL);
    /* the rule file says 2020-01-01: years old, whatever its mtime */
    log_watch_tick(w, t);
    CHECK_INT(x.fire, 1);
    CHECK_STR(x.rule, "signatures_stale");
    CHECK_CONTAINS(x.summary, "version 20200101");
    /* the IDS sends an event, then nothing for 5 minutes */
    watch_line(w, "{\"timestamp\":\"2024-01-05T03:16:01.000000+0000\",\"event_type\":\"stats\",\"stats\":{}}", t + 1000);
    log_watch_tick(w, t + 1000 + 299000);
    CHECK_INT(x.fire, 1);
    log_watch_tick(w, t + 1000 + 300000);
    CHECK_INT(x.fire, 2);
    CHECK_STR(x.rule, "device_silent");
    watch_line(w, "{\"timestamp\":\"2024-01-05T03:16:01.000000+0000\",\"event_type\":\"stats\",\"stats\":{}}",
               t + 400000);
    CHECK_INT(x.end, 1);
    /* freshclam: quiet for two days, then a successful check ends it */
    int64_t later = t + 3 * 86400000LL;
    watch_line(w, "Fri Jan  5 03:19:01 2024 -> daily.cld database is up-to-date (version: 27140, sigs: 1, f-level: 90, builder: x)",
               later);
    log_watch_tick(w, later); /* the line's own time (2024) is old: still stale */
    CHECK(x.fire >= 3);
    log_watch_free(w);
    conf_free(c);
    unlink(path);
    rmdir(dir);
}

/* Lines against threat-intelligence lists: a listed address or domain is one intel_match
 * detection per (list, indicator, other end), named after its list; other lines cost none. */
typedef struct {
    int fire, end;
    char rule[64], summary[256], ecs[4096];
    int severity;
    uint64_t count;
} idets;

static void on_intel_det(void *arg, const log_detection *d)
{
    idets *x = arg;
    if (d->phase == LOG_DET_FIRE)
        x->fire++;
    if (d->phase == LOG_DET_END)
        x->end++;
    snprintf(x->rule, sizeof x->rule, "%s", d->rule);
    snprintf(x->summary, sizeof x->summary, "%s", d->summary);
    x->severity = d->severity;
    x->count = d->count;
    kw_buf b;
    kw_buf_init(&b, 0);
    log_detection_ecs(d, &b);
    snprintf(x->ecs, sizeof x->ecs, "%s", kw_buf_cstr(&b));
    kw_buf_free(&b);
}

/* The configuration of yaml (*c, the caller frees it) and its ruleset; NULL if either fails. */
static log_ruleset *rules_of(const char *yaml, conf **c)
{
    *c = load(yaml);
    CHECK(*c != NULL);
    if (!*c)
        return NULL;
    char err[256];
    log_ruleset *rs = log_ruleset_from_conf(*c, err, sizeof err);
    CHECK(rs != NULL);
    if (!rs)
        conf_free(*c);
    return rs;
}

static void test_intel_lines(void)
{
    conf *c;
    log_ruleset *rs = rules_of("builtin_rules: false\nlogs:\n  rules: []\n", &c);
    if (!rs)
        return;
    intel_entries ent = {0};
    CHECK_INT(intel_entries_add_text(&ent, "203.0.113.9", 11, NULL, 0), KW_OK);
    CHECK_INT(intel_entries_add_text(&ent, "evil.example", 12, NULL, 0), KW_OK);
    intel_list l = {"known-bad", 4, &ent};
    intel_set *set = NULL;
    CHECK_INT(intel_set_build(&l, 1, &set), KW_OK);
    idets x = {0};
    log_engine *e = log_engine_new(rs, on_intel_det, &x);
    int64_t t = 1700000000000;
    /* no lists yet: nothing */
    CHECK_INT(feed(e, "Jan  1 00:00:00 h sshd[1]: Failed password for root from 203.0.113.9 port 22 ssh2", t), 0);
    log_engine_set_intel(e, set);
    /* an address on no list costs no detection */
    CHECK_INT(feed(e, "Jan  1 00:00:00 h sshd[1]: Failed password for root from 198.51.100.1 port 22 ssh2", t), 0);
    CHECK_INT(x.fire, 0);
    /* a listed source: one detection, however many lines */
    for (int i = 0; i < 3; i++)
        CHECK_INT(feed(e, "Jan  1 00:00:00 h sshd[1]: Failed password for root from 203.0.113.9 port 22 ssh2",
                       t + 1000 + i),
                  1);
    CHECK_INT(x.fire, 1);
    CHECK_STR(x.rule, "known-bad");
    CHECK_INT(x.severity, 4);
    CHECK_STR(x.summary, "203.0.113.9 is on the known-bad list (other end -)");
    CHECK(strstr(x.ecs, "\"action\":\"intel_match\"") != NULL);
    CHECK(strstr(x.ecs, "\"indicator\":{\"type\":\"ipv4-addr\",\"name\":\"203.0.113.9\",\"ip\":\"203.0.113.9\"}") !=
          NULL);
    CHECK(strstr(x.ecs, "\"sample\":\"Jan  1 00:00:00 h sshd[1]: Failed password") != NULL);
    /* the same address as the destination, seen with another end: another detection */
    CHECK_INT(feed(e, "Jan  1 00:00:02 fw kernel: IN=eth0 OUT= SRC=10.0.0.5 DST=203.0.113.9 LEN=60 PROTO=TCP "
                      "SPT=40000 DPT=443 SYN",
                   t + 2000),
              1);
    CHECK_INT(x.fire, 2);
    CHECK_STR(x.summary, "203.0.113.9 is on the known-bad list (other end 10.0.0.5)");
    /* a listed domain in an absolute URL (a parent domain is listed) */
    CHECK_INT(feed(e, "10.0.0.7 - - [01/Jan/2024:00:00:03 +0000] \"GET http://user@www.evil.example:8080/a HTTP/1.1\" "
                      "200 5 \"-\" \"curl/8\"",
                   t + 3000),
              1);
    CHECK_INT(x.fire, 3);
    CHECK_STR(x.summary, "www.evil.example is on the known-bad list (other end 10.0.0.7)");
    CHECK(strstr(x.ecs, "\"url\":{\"domain\":\"www.evil.example\"}") != NULL);
    /* a relative URL names no host */
    CHECK_INT(feed(e, "10.0.0.7 - - [01/Jan/2024:00:00:04 +0000] \"GET /evil.example HTTP/1.1\" 200 5 \"-\" \"x\"",
                   t + 4000),
              0);
    /* ended after five quiet minutes, every line counted */
    log_engine_set_intel(e, NULL);
    intel_release(set);
    log_engine_tick(e, t + 1002 + 300000 + 500);
    CHECK_INT(x.end, 1);
    CHECK_INT(x.count, 3);
    log_engine_finish(e);
    CHECK_INT(x.end, 3);
    log_engine_free(e);
    log_ruleset_free(rs);
    intel_entries_free(&ent);
    conf_free(c);
}

/* Rules found through their gates (an eq value, a cidr prefix, a Hyperscan literal) and
 * plain ones fire in configuration order, and only on the lines their conditions hold for. */
typedef struct {
    char order[256];
} odets;

static void on_order(void *arg, const log_detection *d)
{
    odets *x = arg;
    if (d->phase != LOG_DET_FIRE)
        return;
    size_t n = strlen(x->order);
    snprintf(x->order + n, sizeof x->order - n, "%s%s", n ? " " : "", d->rule);
}

static void test_gated_rules_in_order(void)
{
    conf *c;
    log_ruleset *rs =
        rules_of("builtin_rules: false\n"
                 "logs:\n"
                 "  rules:\n"
                 "    - {name: g_eq, match: {event.dataset: openssh, user.name: [admin, root]}, by: [source.ip]}\n"
                 "    - {name: plain, match: {event.dataset: openssh, event.outcome: failure}, by: [source.ip]}\n"
                 "    - {name: g_cidr, match: {source.ip|cidr: [192.0.2.0/24, 203.0.113.0/24]}, by: [source.ip]}\n"
                 "    - {name: g_lit, match: {message|contains: 'password for'}, by: [source.ip]}\n"
                 "    - {name: g_eq2, match: {user.name: root, source.ip|cidr: 10.0.0.0/8}, by: [source.ip]}\n",
                 &c);
    if (!rs)
        return;
    odets x = {{0}};
    log_engine *e = log_engine_new(rs, on_order, &x);
    int64_t t = 1700000000000;
    CHECK_INT(feed(e, "Jan  1 00:00:00 h sshd[1]: Failed password for root from 203.0.113.5 port 22 ssh2", t), 4);
    CHECK_STR(x.order, "g_eq plain g_cidr g_lit");
    x.order[0] = 0;
    /* another user, another network: only the plain rule and the literal */
    CHECK_INT(feed(e, "Jan  1 00:00:01 h sshd[1]: Failed password for bob from 198.51.100.5 port 22 ssh2", t + 1), 2);
    CHECK_STR(x.order, "plain g_lit");
    x.order[0] = 0;
    /* a user name that is a gate value's prefix is not that value */
    CHECK_INT(feed(e, "Jan  1 00:00:02 h sshd[1]: Accepted password for roo from 10.1.2.3 port 22 ssh2", t + 2), 1);
    CHECK_STR(x.order, "g_lit");
    x.order[0] = 0;
    CHECK_INT(feed(e, "Jan  1 00:00:03 h sshd[1]: Accepted publickey for root from 10.1.2.3 port 22 ssh2", t + 3), 2);
    CHECK_STR(x.order, "g_eq g_eq2");
    log_engine_finish(e);
    log_engine_free(e);
    log_ruleset_free(rs);
    conf_free(c);
}

int main(void)
{
    RUN(test_parser_cases);
    RUN(test_rfind);
    RUN(test_lines);
    RUN(test_frequency);
    RUN(test_conditions);
    RUN(test_builtin_rules);
    RUN(test_bounded_groups);
    RUN(test_conf_errors);
    RUN(test_rule_hit_surge);
    RUN(test_device_silent_and_signatures);
    RUN(test_intel_lines);
    RUN(test_gated_rules_in_order);
    TEST_MAIN_END();
}
