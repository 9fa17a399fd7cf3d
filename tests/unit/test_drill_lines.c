/* drill lines: each built-in set, rendered as a watched file gets it and as the syslog
 * listener gets it, is parsed by the log sensor's parsers and raises through the built-in
 * rules and the device watch exactly the detections it stands for; placeholders; where the
 * lines go (watched file, syslog URL, the logs: section's defaults). */
#include "kw_test.h"
#include "kw_test_conf.h"
#include "core/kw_mem.h"
#include "drill/drill_inject_int.h"
#include "drill/drill_lines.h"
#include "logs/logs.h"
#include "logs/logs_rule.h"
#include "logs/logs_watch.h"

#include <stdlib.h>
#include <time.h>

typedef struct fired {
    char names[512];            /* the rules that fired, ",a,b," */
    int n;
    const char *src, *marks;    /* the values the injection says it makes seen */
    int unmarked;               /* detections whose group holds neither */
} fired;

static void on_det(void *arg, const log_detection *d)
{
    fired *f = arg;
    if (d->phase != LOG_DET_FIRE)
        return;
    char key[80];
    snprintf(key, sizeof key, ",%s,", d->rule);
    if (!strstr(f->names, key)) {
        size_t l = strlen(f->names);
        snprintf(f->names + l, sizeof f->names - l, "%s%s,", l ? "" : ",", d->rule);
    }
    f->n++;
    bool marked = false;
    for (size_t i = 0; i < d->nby; i++)
        marked |= strcmp(d->by_value[i], f->src) == 0 || (f->marks && strcmp(d->by_value[i], f->marks) == 0);
    f->unmarked += !marked;
}

/* ",a,b," holds exactly the names of the comma-separated list want. */
static bool same_names(const char *got, const char *want)
{
    char w[256];
    snprintf(w, sizeof w, "%s", want);
    int nw = 0;
    for (char *t = strtok(w, ","); t; t = strtok(NULL, ","), nw++) {
        char key[80];
        snprintf(key, sizeof key, ",%s,", t);
        if (!strstr(got, key))
            return false;
    }
    int ng = 0;
    for (const char *p = got; *p; p++)
        ng += *p == ',';
    return ng == (nw ? nw + 1 : 0);
}

static const int64_t T0 = 1796185516000; /* 2026-12-02T04:25:16Z */

/* Sends count lines of set (as a file's, or as syslog messages) through the parsers, the
 * rules and the watch, 20 a second from T0; returns what fired. */
static fired run_set(const conf *c, const drill_line_set *set, bool syslog, int count, const char *src)
{
    fired f = {.src = src, .marks = set->marks};
    char err[256] = "";
    log_ruleset *rs = log_ruleset_from_conf(c, err, sizeof err);
    CHECK(rs != NULL);
    log_engine *e = log_engine_new(rs, on_det, &f);
    log_watch *w = log_watch_new(c, T0, on_det, &f, err, sizeof err);
    CHECK(w != NULL);
    log_rec r;
    log_rec_init(&r);
    kw_buf b;
    kw_buf_init(&b, 0);
    bool parsed_all = true;
    for (int i = 0; i < count; i++) {
        int64_t now = T0 + i * 50;
        drill_line_vars v = {src, "192.0.2.10", now, (uint32_t)i};
        kw_buf_reset(&b);
        const char *t = set->lines[(size_t)i % set->nlines];
        if (syslog)
            drill_lines_syslog_msg(set, t, &v, &b);
        else
            drill_lines_file_line(set, t, &v, &b);
        log_parse_opts o = {.now_ms = now, .tz_offset_min = LOG_TZ_LOCAL, .format = "auto",
                            .input = syslog ? "syslog:udp/127.0.0.1:5514" : "/var/log/drill.log",
                            .sender = syslog ? "127.0.0.1" : NULL};
        log_parse(&r, b.data, b.len, &o);
        if (!log_has(&r, LF_SOURCE_IP) || !log_eq(&r, LF_SOURCE_IP, src)) {
            if (parsed_all)
                fprintf(stderr, "  %s (%s): no source.ip %s in: %s\n", set->name, syslog ? "syslog" : "file", src,
                        b.data);
            parsed_all = false;
        }
        log_engine_line_at(e, &r, now);
        log_watch_line(w, &r, now);
        if (i % 20 == 0) {
            log_engine_tick(e, now);
            log_watch_tick(w, now);
        }
    }
    CHECK(parsed_all);
    log_engine_finish(e);
    kw_buf_free(&b);
    log_rec_free(&r);
    log_watch_free(w);
    log_engine_free(e);
    log_ruleset_free(rs);
    return f;
}

static void check_set(const conf *c, const char *name)
{
    const drill_line_set *set = drill_lines_builtin(name);
    CHECK(set != NULL);
    if (!set)
        return;
    for (int syslog = 0; syslog < 2; syslog++) {
        fired f = run_set(c, set, syslog, (int)set->count, "198.51.100.23");
        if (!same_names(f.names, set->expect))
            fprintf(stderr, "  %s (%s): fired \"%s\", expected \"%s\"\n", name, syslog ? "syslog" : "file", f.names,
                    set->expect);
        CHECK(same_names(f.names, set->expect));
        CHECK_INT(f.unmarked, 0); /* each alert it raises carries a value the drill marks */
    }
    /* too few lines raise nothing: the detections are the rules', not the set's */
    fired few = run_set(c, set, false, set->count >= 30 ? 3 : 0, "198.51.100.24");
    if (set->count >= 30)
        CHECK_INT(few.n, 0);
}

static conf *test_conf(void)
{
    /* the daemon has learnt its baselines for 30 minutes; here the watch judges at once */
    return kwt_conf("logs:\n  surge_learn: 0s\n");
}

static void test_sets_raise_their_detections(void)
{
    conf *c = test_conf();
    CHECK(c != NULL);
    if (!c)
        return;
    check_set(c, "ssh_brute_force");
    check_set(c, "web_attack");
    check_set(c, "firewall_deny");
    check_set(c, "db_login_failure");
    CHECK(drill_lines_builtin("nope") == NULL);
    conf_free(c);
}

static void test_render(void)
{
    const drill_line_set *ssh = drill_lines_builtin("ssh_brute_force");
    drill_line_vars v = {"203.0.113.9", "192.0.2.1", T0, 3};
    kw_buf b;
    kw_buf_init(&b, 0);
    drill_lines_render(NULL, "{src}>{target} {port} {unknown} {src", &v, &b);
    CHECK_STR(b.data, "203.0.113.9>192.0.2.1 63757 {unknown} {src");
    kw_buf_reset(&b);
    setenv("TZ", "UTC", 1);
    tzset();
    drill_lines_file_line(ssh, ssh->lines[0], &v, &b);
    CHECK_STR(b.data, "2026-12-02T04:25:16.000000+00:00 kw-drill sshd[2001]: Failed password for root from 203.0.113.9 "
                      "port 63757 ssh2");
    kw_buf_reset(&b);
    drill_lines_syslog_msg(ssh, ssh->lines[0], &v, &b);
    CHECK_STR(b.data, "<38>1 2026-12-02T04:25:16.000000+00:00 kw-drill sshd 2001 - - Failed password for root from "
                      "203.0.113.9 port 63757 ssh2");
    const drill_line_set *web = drill_lines_builtin("web_attack");
    kw_buf_reset(&b);
    drill_lines_file_line(web, web->lines[2], &v, &b);
    CHECK_CONTAINS(b.data, "203.0.113.9 - - [02/Dec/2026:04:25:16 +0000] \"GET /download.php?file=../../../../etc/passwd");
    const drill_line_set *fw = drill_lines_builtin("firewall_deny");
    kw_buf_reset(&b);
    drill_lines_syslog_msg(fw, fw->lines[0], &v, &b);
    CHECK(strncmp(b.data, "<189>date=2026-12-02 time=04:25:16 devname=", 43) == 0);
    const drill_line_set *db = drill_lines_builtin("db_login_failure");
    kw_buf_reset(&b);
    drill_lines_file_line(db, db->lines[0], &v, &b);
    CHECK_STR(b.data, "2026-12-02T04:25:16.000000Z 10003 [Note] [MY-010926] [Server] Access denied for user "
                      "'root'@'203.0.113.9' (using password: YES)");
    kw_buf_free(&b);
}

static void test_destinations(void)
{
    conf *c = kwt_conf("logs:\n"
                       "  inputs:\n"
                       "    - {name: auth, type: file, paths: [/var/log/auth.log, '/var/log/nginx/*.log']}\n"
                       "    - {name: sys, type: syslog, listen: '0.0.0.0:5514', protocol: tcp}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    conf_drill_inject x = {.kind = DRILL_INJ_LOG, .log = "ssh_brute_force"};
    drill_log_dest d;
    char err[256] = "";
    CHECK_INT(drill_log_dest_of(c, &x, &d, err, sizeof err), KW_OK); /* the listener first */
    CHECK_STR(d.host, "127.0.0.1");
    CHECK_STR(d.port, "5514");
    CHECK(d.tcp && !d.file[0]);
    x.file = "/var/log/nginx/access.log";
    CHECK_INT(drill_log_dest_of(c, &x, &d, err, sizeof err), KW_OK);
    CHECK_STR(d.file, "/var/log/nginx/access.log");
    x.file = "/var/log/nginx/sub/access.log"; /* a pattern's * stays within its directory */
    CHECK_INT(drill_log_dest_of(c, &x, &d, err, sizeof err), KW_ERR_NOTFOUND);
    x.file = "/etc/passwd";
    CHECK_INT(drill_log_dest_of(c, &x, &d, err, sizeof err), KW_ERR_NOTFOUND);
    CHECK_CONTAINS(err, "/etc/passwd is not one of the files");
    x.file = NULL;
    x.syslog = "udp://[::1]:514";
    CHECK_INT(drill_log_dest_of(c, &x, &d, err, sizeof err), KW_OK);
    CHECK_STR(d.host, "::1");
    CHECK(!d.tcp);
    const char *bad[] = {"http://127.0.0.1:514", "udp://127.0.0.1", "udp://:514", "tcp://127.0.0.1:51x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        x.syslog = (char *)bad[i];
        CHECK_INT(drill_log_dest_of(c, &x, &d, err, sizeof err), KW_ERR_PARSE);
    }
    conf_free(c);
    /* no listener: the first file named without a pattern; neither: an error */
    c = kwt_conf("logs:\n  inputs:\n    - {name: w, type: file, paths: ['/srv/*.log']}\n");
    CHECK(c != NULL);
    if (c) {
        x.syslog = NULL;
        CHECK_INT(drill_log_dest_of(c, &x, &d, err, sizeof err), KW_ERR_NOTFOUND);
        conf_free(c);
    }
    c = kwt_conf("logs:\n  inputs:\n    - {name: w, type: file, paths: ['/srv/*.log', /srv/app.log]}\n");
    CHECK(c != NULL);
    if (c) {
        CHECK_INT(drill_log_dest_of(c, &x, &d, err, sizeof err), KW_OK);
        CHECK_STR(d.file, "/srv/app.log");
        conf_free(c);
    }
}

int main(void)
{
    RUN(test_sets_raise_their_detections);
    RUN(test_render);
    RUN(test_destinations);
    TEST_MAIN_END();
}
