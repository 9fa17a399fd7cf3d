/* drill injections through drill_inject.h: the plan's words and checks; a check forced down
 * for its time; log lines appended to a watched file and sent to syslog listeners (UDP, and
 * TCP with octet counting) at their rate; alert injections left to the drill module; and, as
 * root with ip and tcpreplay here, a built-in capture replayed through a namespace and a veth
 * pair that are gone after the stop. */
#include "kw_test.h"
#include "kw_test_conf.h"
#include "core/kw_mem.h"
#include "core/kw_time.h"
#include "daemon/kw_core.h"
#include "drill/drill_inject.h"
#include "drill/drill_pcap.h"

#include <arpa/inet.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[64];

static void test_plan_words(void)
{
    conf *c = kwt_conf("checks:\n  - {name: web, type: tcp, host: 127.0.0.1, port: 1}\n"
                       "logs:\n  inputs:\n    - {name: sys, type: syslog, listen: '127.0.0.1:5514', protocol: udp}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    kw_buf b;
    kw_buf_init(&b, 0);
    char err[256];
    conf_drill_inject x = {.kind = DRILL_INJ_CHECK, .check = "web", .at_ms = 30000, .for_ms = 120000};
    CHECK_INT(drill_inject_plan(c, &x, "en", &b, err, sizeof err), KW_OK);
    CHECK_STR(b.data, "at +30s: force the check web down for 120 s (service_down fires as it would)");
    kw_buf_reset(&b);
    CHECK_INT(drill_inject_plan(c, &x, "zh", &b, err, sizeof err), KW_OK);
    CHECK_STR(b.data, "第 30 秒：强制服务检查 web 失败 120 秒（service_down 照常告警）");
    x.check = "db";
    kw_buf_reset(&b);
    CHECK_INT(drill_inject_plan(c, &x, "en", &b, err, sizeof err), KW_ERR_NOTFOUND);
    CHECK_CONTAINS(err, "no check \"db\"");
    conf_drill_inject l = {.kind = DRILL_INJ_LOG, .log = "ssh_brute_force", .rate = 10};
    kw_buf_reset(&b);
    CHECK_INT(drill_inject_plan(c, &l, "en", &b, err, sizeof err), KW_OK);
    CHECK_STR(b.data, "at +0s: send 30 lines of failed SSH password logins (auth.log) (from an address of "
                      "198.51.100.0/24) at 10 lines/s to udp://127.0.0.1:5514");
    l.file = "/var/log/nowhere.log";
    kw_buf_reset(&b);
    CHECK_INT(drill_inject_plan(c, &l, "zh", &b, err, sizeof err), KW_ERR_NOTFOUND);
    CHECK_CONTAINS(err, "/var/log/nowhere.log is not one of the files logs.inputs watches");
    l.file = NULL;
    l.log = "smtp_spam";
    CHECK_INT(drill_inject_plan(c, &l, "en", &b, err, sizeof err), KW_ERR_NOTFOUND);
    CHECK_CONTAINS(err, "no built-in line set \"smtp_spam\"");
    conf_drill_inject a = {.kind = DRILL_INJ_ALERT, .rule = "ddos_suspected", .severity = 4};
    kw_buf_reset(&b);
    CHECK_INT(drill_inject_plan(c, &a, "en", &b, err, sizeof err), KW_OK);
    CHECK_STR(b.data, "at +0s: raise a synthetic alert of rule ddos_suspected (severity 4)");
    conf_drill_inject r = {.kind = DRILL_INJ_REPLAY, .replay = "syn_flood", .target = "192.0.2.80"};
    kw_buf_reset(&b);
    drill_inject_plan(c, &r, "en", &b, err, sizeof err); /* here or not, the words are the same */
    CHECK_STR(b.data, "at +0s: replay the built-in capture syn_flood (a SYN flood from spoofed sources in "
                      "203.0.113.0/24 and 198.18.128.0/17 to port 80) at 192.0.2.80, 3000 packets/s for 10 s, "
                      "through a veth pair in namespace keepwatch-drill-<run> (keepwatch captures kwd<run>a)");
    r.replay = "/nonexistent/capture.pcap";
    kw_buf_reset(&b);
    CHECK(drill_inject_plan(c, &r, "zh", &b, err, sizeof err) != KW_OK);
    CHECK_CONTAINS(b.data, "回放抓包文件 /nonexistent/capture.pcap");
    kw_buf_free(&b);
    conf_free(c);
}

static void test_check_forced_for_its_time(void)
{
    conf *c = kwt_conf("checks:\n  - {name: web, type: tcp, host: 127.0.0.1, port: 1}\n"
                       "  - {name: off, type: tcp, host: 127.0.0.1, port: 1, enabled: false}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    drill_inject_env env = {.conf = c, .run_id = 7, .scenario = "t"};
    conf_drill_inject x = {.kind = DRILL_INJ_CHECK, .check = "web", .for_ms = 60000};
    drill_seen seen = {0};
    drill_inj *j = NULL;
    char err[256];
    CHECK_INT(drill_inject_start(&env, &x, 1000000, &seen, &j, err, sizeof err), KW_OK);
    CHECK_STR(seen.check, "web");
    CHECK_INT(seen.check_until_ms, 1060000);
    bool failed = true;
    CHECK(!drill_inject_done(j, 1059999, &failed, err, sizeof err));
    CHECK(!failed);
    CHECK(drill_inject_done(j, 1060000, &failed, err, sizeof err));
    drill_inject_stop(j);
    x.for_ms = 0; /* 5 minutes */
    drill_seen s2 = {0};
    CHECK_INT(drill_inject_start(&env, &x, 0, &s2, &j, err, sizeof err), KW_OK);
    CHECK_INT(s2.check_until_ms, 300000);
    drill_inject_stop(j);
    x.check = "off";
    CHECK_INT(drill_inject_start(&env, &x, 0, &s2, &j, err, sizeof err), KW_ERR_UNSUPPORTED);
    conf_drill_inject a = {.kind = DRILL_INJ_ALERT, .rule = "r"};
    CHECK_INT(drill_inject_start(&env, &a, 0, &s2, &j, err, sizeof err), KW_ERR_UNSUPPORTED);
    drill_inject_stop(NULL);
    conf_free(c);
}

static int count_lines(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    fclose(f);
    return n;
}

/* 30 lines at 20 a second: none ahead of their time, all by 1.5 s. */
static void test_log_to_watched_file(void)
{
    char path[128], yaml[512];
    snprintf(path, sizeof path, "%s/auth.log", tmpdir);
    snprintf(yaml, sizeof yaml, "logs:\n  inputs:\n    - {name: auth, type: file, paths: ['%s/*.log']}\n", tmpdir);
    conf *c = kwt_conf(yaml);
    CHECK(c != NULL);
    if (!c)
        return;
    drill_inject_env env = {.conf = c, .run_id = 12};
    conf_drill_inject x = {.kind = DRILL_INJ_LOG, .log = "ssh_brute_force", .file = path};
    drill_seen seen = {0};
    drill_inj *j = NULL;
    char err[256];
    CHECK_INT(drill_inject_start(&env, &x, 5000, &seen, &j, err, sizeof err), KW_OK);
    CHECK_INT(seen.n, 1);
    CHECK_STR(seen.values[0], "198.51.100.32"); /* picked by the run: 20 + 12 */
    bool failed = false;
    CHECK(!drill_inject_done(j, 5000, &failed, err, sizeof err));
    CHECK_INT(count_lines(path, "Failed password for"), 1);
    CHECK(!drill_inject_done(j, 5500, &failed, err, sizeof err));
    CHECK_INT(count_lines(path, "from 198.51.100.32 port"), 11);
    CHECK(drill_inject_done(j, 6500, &failed, err, sizeof err));
    CHECK(!failed);
    CHECK_INT(count_lines(path, " kw-drill sshd["), 30);
    drill_inject_stop(j);
    /* given lines, a count and a source of its own */
    char *lines[] = {"custom {src} one", "custom {src} two"};
    conf_drill_inject g = {.kind = DRILL_INJ_LOG, .log = "lines", .lines = {lines, 2}, .file = path, .count = 5,
                           .rate = 1000, .source = "203.0.113.200"};
    drill_seen s2 = {0};
    CHECK_INT(drill_inject_start(&env, &g, 0, &s2, &j, err, sizeof err), KW_OK);
    CHECK(drill_inject_done(j, 100, &failed, err, sizeof err));
    CHECK_INT(count_lines(path, "custom 203.0.113.200 "), 5);
    CHECK_INT(count_lines(path, "custom 203.0.113.200 two"), 2);
    drill_inject_stop(j);
    x.file = "/etc/passwd";
    CHECK_INT(drill_inject_start(&env, &x, 0, &s2, &j, err, sizeof err), KW_ERR_NOTFOUND);
    conf_free(c);
}

/* A listener on 127.0.0.1 of type (SOCK_DGRAM, SOCK_STREAM); its port in *port. */
static int listener(int type, int *port)
{
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &al) != 0)
        return -1;
    if (type == SOCK_STREAM && listen(fd, 4) != 0)
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

static void test_log_to_syslog(void)
{
    conf *c = kwt_conf("{}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    int port = 0, u = listener(SOCK_DGRAM, &port);
    CHECK(u >= 0);
    char url[64], err[256];
    snprintf(url, sizeof url, "udp://127.0.0.1:%d", port);
    drill_inject_env env = {.conf = c, .run_id = 3};
    conf_drill_inject x = {.kind = DRILL_INJ_LOG, .log = "firewall_deny", .syslog = url, .count = 4, .rate = 100};
    drill_seen seen = {0};
    drill_inj *j = NULL;
    CHECK_INT(drill_inject_start(&env, &x, 0, &seen, &j, err, sizeof err), KW_OK);
    CHECK_INT(seen.n, 2);
    CHECK_STR(seen.values[1], "FGT-DRILL"); /* what rule_hit_surge's labels carry */
    CHECK(drill_inject_done(j, 1000, NULL, err, sizeof err));
    drill_inject_stop(j);
    char d[2048];
    int got = 0;
    for (int i = 0; i < 4; i++) {
        ssize_t n = recv(u, d, sizeof d - 1, MSG_DONTWAIT);
        if (n <= 0)
            break;
        d[n] = 0;
        got += strncmp(d, "<189>date=", 10) == 0 && strstr(d, "srcip=198.51.100.23 ") && strstr(d, "action=\"deny\"");
    }
    CHECK_INT(got, 4);
    close(u);
    /* TCP: RFC 6587 octet counting, RFC 5424 messages */
    int t = listener(SOCK_STREAM, &port);
    CHECK(t >= 0);
    snprintf(url, sizeof url, "tcp://127.0.0.1:%d", port);
    conf_drill_inject y = {.kind = DRILL_INJ_LOG, .log = "db_login_failure", .syslog = url, .count = 2, .rate = 100};
    CHECK_INT(drill_inject_start(&env, &y, 0, &seen, &j, err, sizeof err), KW_OK);
    CHECK(drill_inject_done(j, 1000, NULL, err, sizeof err));
    drill_inject_stop(j);
    int a = accept(t, NULL, NULL);
    CHECK(a >= 0);
    size_t have = 0;
    ssize_t n;
    while (a >= 0 && have < sizeof d - 1 && (n = recv(a, d + have, sizeof d - 1 - have, 0)) > 0)
        have += (size_t)n;
    d[have] = 0;
    size_t len = strtoul(d, NULL, 10);
    const char *msg = strchr(d, ' ');
    CHECK(msg && strncmp(msg + 1, "<28>1 ", 6) == 0);
    CHECK(msg && strlen(msg + 1) > len && msg[1 + len] >= '1' && msg[1 + len] <= '9'); /* the next frame's length */
    CHECK_CONTAINS(d, " kw-drill mysqld ");
    CHECK_CONTAINS(d, "Access denied for user 'root'@'198.51.100.23'");
    if (a >= 0)
        close(a);
    close(t);
    /* nothing listening: the error says where */
    conf_drill_inject z = {.kind = DRILL_INJ_LOG, .log = "web_attack", .syslog = "tcp://127.0.0.1:1"};
    CHECK(drill_inject_start(&env, &z, 0, &seen, &j, err, sizeof err) != KW_OK);
    CHECK_CONTAINS(err, "tcp://127.0.0.1:1");
    conf_free(c);
}

/* ---- replay, where it can run ---- */

static char opened[64], closed_if[64];

static kw_rc fake_open(void *arg, const char *ifname, char *err, size_t n)
{
    kw_strlcpy(opened, ifname, sizeof opened);
    return KW_OK;
}

static void fake_close(void *arg, const char *ifname)
{
    kw_strlcpy(closed_if, ifname, sizeof closed_if);
}

static bool can_replay(void)
{
    return geteuid() == 0 && system("command -v tcpreplay >/dev/null && ip netns list >/dev/null 2>&1") == 0;
}

static long long rx_packets(const char *ifname)
{
    char p[128];
    snprintf(p, sizeof p, "/sys/class/net/%s/statistics/rx_packets", ifname);
    FILE *f = fopen(p, "r");
    long long v = -1;
    if (f) {
        if (fscanf(f, "%lld", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

static kw_core fake_core = {
    .drill = {.mu = PTHREAD_MUTEX_INITIALIZER, .capture_open = fake_open, .capture_close = fake_close}};

/* The configuration for a replay test, or NULL (said) when replays cannot run here. */
static conf *replay_conf(void)
{
    if (!can_replay()) {
        fprintf(stderr, "  skipped: needs root, ip netns and tcpreplay\n");
        return NULL;
    }
    conf *c = kwt_conf("{}\n");
    CHECK(c != NULL);
    opened[0] = closed_if[0] = 0;
    return c;
}

/* Starts x in env; false (said) when it does not start. */
static bool replay_start(const drill_inject_env *env, const conf_drill_inject *x, drill_seen *seen, drill_inj **j)
{
    char err[256] = "";
    kw_rc rc = drill_inject_start(env, x, kw_now_ms(), seen, j, err, sizeof err);
    CHECK_INT(rc, KW_OK);
    if (rc != KW_OK)
        fprintf(stderr, "  %s\n", err);
    return rc == KW_OK;
}

/* Polls j every 50 ms for up to 5 s; true when it is done, not failed. */
static bool replay_wait(drill_inj *j)
{
    char err[256] = "";
    bool failed = true, done = false;
    for (int i = 0; i < 100 && !(done = drill_inject_done(j, kw_now_ms(), &failed, err, sizeof err)); i++)
        usleep(50000);
    if (failed)
        fprintf(stderr, "  %s\n", err);
    return done && !failed;
}

static void test_replay_through_veth(void)
{
    conf *c = replay_conf();
    if (!c)
        return;
    char work[128];
    snprintf(work, sizeof work, "%s/run", tmpdir);
    drill_inject_env env = {.conf = c, .core = &fake_core, .run_id = 990001, .scenario = "t", .work_dir = work};
    conf_drill_inject x = {.kind = DRILL_INJ_REPLAY, .replay = "port_scan", .target = "192.0.2.77", .pps = 2000};
    drill_seen seen = {0};
    drill_inj *j = NULL;
    if (!replay_start(&env, &x, &seen, &j)) {
        conf_free(c);
        return;
    }
    CHECK_STR(opened, "kwd990001a");
    CHECK_INT(seen.n, 2);
    CHECK_STR(seen.values[0], "kwd990001a");
    CHECK_STR(seen.values[1], "203.0.113.66");
    const char *ns = c->drill.netns ? c->drill.netns : "keepwatch-drill";
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ip netns list | grep -q '^%s-990001'", ns);
    CHECK(system(cmd) == 0);
    CHECK(replay_wait(j));
    CHECK(rx_packets("kwd990001a") >= 403); /* every frame crossed the pair */
    drill_inject_stop(j);
    CHECK_STR(closed_if, "kwd990001a");
    CHECK(system(cmd) != 0);
    CHECK_INT(rx_packets("kwd990001a"), -1);
    CHECK(access(work, F_OK) == 0); /* the run's directory is the run's... */
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s)\"", work);
    CHECK(system(cmd) == 0);        /* ...but its capture is gone */
    conf_free(c);
}


/* for: ends a replay that loops (tcpreplay told to stop, then killed), not as a failure */
static void test_replay_for_ends_the_loop(void)
{
    conf *c = replay_conf();
    if (!c)
        return;
    drill_inject_env env = {.conf = c, .core = &fake_core, .run_id = 990003}; /* no work_dir: one of its own */
    conf_drill_inject x = {.kind = DRILL_INJ_REPLAY, .replay = "brute_force", .for_ms = 1200, .pps = 200};
    drill_seen seen = {0};
    drill_inj *j = NULL;
    int64_t t0 = kw_mono_ms();
    if (replay_start(&env, &x, &seen, &j)) {
        CHECK(replay_wait(j));
        int64_t took = kw_mono_ms() - t0;
        CHECK(took >= 1200 && took < 3500); /* tcpreplay (told to loop) ran until for: passed */
        long long rx = rx_packets("kwd990003a");
        CHECK(rx >= 200 && rx <= 300); /* 1.2 s at 200 pps, give or take tcpreplay's start */
        drill_inject_stop(j);
        CHECK_INT(rx_packets("kwd990003a"), -1);
    }
    conf_free(c);
}

/* interface: sent into it as it is, captured for the run when net.interfaces lacks it */
static void test_replay_into_an_interface(void)
{
    conf *c = replay_conf();
    if (!c)
        return;
    if (system("ip link add kwt-x0 type veth peer name kwt-x1 && ip link set kwt-x0 up && ip link set kwt-x1 up") != 0) {
        CHECK(!"could not make a veth pair");
        conf_free(c);
        return;
    }
    char pcap[128], err[256] = "";
    snprintf(pcap, sizeof pcap, "%s/given.pcap", tmpdir);
    drill_seen g = {0};
    CHECK_INT(drill_pcap_generate("port_scan", "192.0.2.99", 0, 0, pcap, &g, NULL, err, sizeof err), KW_OK);
    drill_inject_env env = {.conf = c, .core = &fake_core, .run_id = 990004, .work_dir = tmpdir};
    conf_drill_inject x = {.kind = DRILL_INJ_REPLAY, .replay = pcap, .interface = "kwt-x0", .pps = 4000};
    drill_seen seen = {0};
    drill_inj *j = NULL;
    if (replay_start(&env, &x, &seen, &j)) {
        CHECK_STR(opened, "kwt-x0");
        CHECK_INT(seen.n, 2); /* the capture's sources; no interface of the drill's own */
        CHECK_STR(seen.values[0], "203.0.113.66");
        CHECK(replay_wait(j));
        CHECK(rx_packets("kwt-x1") >= 403);
        drill_inject_stop(j);
        CHECK_STR(closed_if, "kwt-x0");
        CHECK(access(pcap, F_OK) == 0); /* a given capture is not the drill's to remove */
    }
    CHECK(system("ip link del kwt-x0") == 0);
    conf_free(c);
}

/* Without the privileges a namespace needs, a replay says so before it starts anything: in a
 * child whose effective set lacks CAP_SYS_ADMIN. */
static void test_replay_without_privileges(void)
{
    conf *c = replay_conf();
    if (!c)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct d[2] = {{0}};
        if (syscall(SYS_capget, &h, d) != 0)
            _exit(3);
        d[0].effective &= ~(1u << CAP_SYS_ADMIN);
        if (syscall(SYS_capset, &h, d) != 0)
            _exit(3);
        kw_buf b;
        kw_buf_init(&b, 0);
        char err[256] = "";
        conf_drill_inject x = {.kind = DRILL_INJ_REPLAY, .replay = "syn_flood"};
        kw_rc rc = drill_inject_plan(c, &x, "en", &b, err, sizeof err);
        drill_seen seen = {0};
        drill_inj *j = NULL;
        drill_inject_env env = {.conf = c, .core = &fake_core, .run_id = 990005};
        char err2[256] = "";
        kw_rc rc2 = drill_inject_start(&env, &x, 0, &seen, &j, err2, sizeof err2);
        bool ok = rc == KW_ERR_UNSUPPORTED && strstr(err, "needs CAP_SYS_ADMIN, CAP_NET_ADMIN and CAP_NET_RAW") &&
                  rc2 == KW_ERR_UNSUPPORTED && strcmp(err, err2) == 0 && !opened[0] && seen.n == 0;
        if (!ok)
            fprintf(stderr, "  plan %d \"%s\", start %d \"%s\"\n", rc, err, rc2, err2);
        _exit(ok ? 0 : 1);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    conf_free(c);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kwt-drill-inj-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 2;
    RUN(test_plan_words);
    RUN(test_check_forced_for_its_time);
    RUN(test_log_to_watched_file);
    RUN(test_log_to_syslog);
    RUN(test_replay_through_veth);
    RUN(test_replay_for_ends_the_loop);
    RUN(test_replay_into_an_interface);
    RUN(test_replay_without_privileges);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    TEST_MAIN_END();
}
