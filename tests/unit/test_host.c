/* host: /proc parsers on canned kernel text, and one live reading of this machine. */
#include "host/host.h"
#include "kw_test.h"
#include "metric/metric.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define S(lit) lit, sizeof(lit) - 1

static void test_stat(void)
{
    host_stat st;
    CHECK(host_parse_stat(S("cpu  100 5 50 1000 10 1 2 3 0 0\n"
                            "cpu0 60 5 30 500 5 1 1 2 0 0\n"
                            "cpu3 40 0 20 500 5 0 1 1 0 0\n"
                            "intr 1 2 3\nctxt 12345\nbtime 1700000000\nprocesses 999\n"
                            "procs_running 3\nprocs_blocked 1\n"),
                          &st) == KW_OK);
    CHECK_INT(st.total.t[HOST_CPU_USER], 100);
    CHECK_INT(st.total.t[HOST_CPU_STEAL], 3);
    CHECK_INT(st.ncpu, 2);
    CHECK_INT(st.cpu[1].id, 3); /* offline CPUs leave gaps: keep the kernel's numbering */
    CHECK_INT(st.ctxt, 12345);
    CHECK_INT(st.forks, 999);
    CHECK_INT(st.procs_running, 3);
    CHECK_INT(st.procs_blocked, 1);
    host_stat_free(&st);
    /* an old kernel with four columns, and a huge number that must saturate */
    CHECK(host_parse_stat(S("cpu 1 2 3 99999999999999999999999\n"), &st) == KW_OK);
    CHECK(st.total.t[HOST_CPU_IDLE] == UINT64_MAX);
    host_stat_free(&st);
    CHECK(host_parse_stat(S("garbage\n"), &st) == KW_ERR_PARSE);
    CHECK(host_parse_stat(S("cpu 1 2\n"), &st) == KW_ERR_PARSE);
}

static void test_meminfo(void)
{
    host_mem m;
    CHECK(host_parse_meminfo(S("MemTotal:       16000000 kB\nMemFree:         1000000 kB\n"
                               "MemAvailable:    8000000 kB\nBuffers:          100 kB\nCached:   2000 kB\n"
                               "SwapTotal:       4000 kB\nSwapFree:  1000 kB\nHugePages_Total: 0\n"),
                             &m) == KW_OK);
    CHECK_INT(m.total, 16000000ull * 1024);
    CHECK_INT(m.available, 8000000ull * 1024);
    CHECK_INT(m.swap_free, 1000ull * 1024);
    CHECK(m.has_available);
    /* before Linux 3.14 there is no MemAvailable: estimate it */
    CHECK(host_parse_meminfo(S("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 200 kB\n"), &m) == KW_OK);
    CHECK_INT(m.available, 310ull * 1024);
    CHECK(host_parse_meminfo(S("Nothing: 1\n"), &m) == KW_ERR_PARSE);
}

static void test_loadavg_uptime(void)
{
    host_load l;
    CHECK(host_parse_loadavg(S("0.50 1.25 2.00 3/456 7890\n"), &l) == KW_OK);
    CHECK_NEAR(l.l5, 1.25, 1e-9);
    CHECK_INT(l.running, 3);
    CHECK_INT(l.total, 456);
    CHECK(host_parse_loadavg(S("x"), &l) == KW_ERR_PARSE);
    double up;
    CHECK(host_parse_uptime(S("12345.67 2000.00\n"), &up) == KW_OK);
    CHECK_NEAR(up, 12345.67, 1e-6);
}

static void on_disk(void *arg, const host_disk *d)
{
    host_disk *out = arg;
    if (strcmp(d->name, "sda") == 0)
        *out = *d;
}

static void test_diskstats(void)
{
    host_disk d = {0};
    size_t n = host_parse_diskstats(S("   8       0 sda 100 0 2000 50 200 0 4000 60 0 700 800 0 0 0 0\n"
                                      "   8       1 sda1 1 0 2 3 4 0 6 7 0 9 10\n"
                                      "   7       0 loop0 0 0\n"),
                                    on_disk, &d);
    CHECK_INT(n, 2); /* the short loop0 line is skipped */
    CHECK_INT(d.reads, 100);
    CHECK_INT(d.read_sectors, 2000);
    CHECK_INT(d.writes, 200);
    CHECK_INT(d.write_sectors, 4000);
    CHECK_INT(d.io_ms, 700);
}

static void on_if(void *arg, const host_netif *i)
{
    host_netif *out = arg;
    if (strcmp(i->name, "eth0") == 0)
        *out = *i;
}

static void test_netdev(void)
{
    host_netif i = {0};
    size_t n = host_parse_netdev(
        S("Inter-|   Receive                                                |  Transmit\n"
          " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
          "    lo:    3267      29    0    0    0     0          0         0     3267      29    0    0    0     0       0          0\n"
          "  eth0: 1000 10 1 2 0 0 0 0 2000 20 3 4 0 0 0 0\n"),
        on_if, &i);
    CHECK_INT(n, 2);
    CHECK_INT(i.rx_bytes, 1000);
    CHECK_INT(i.rx_errs, 1);
    CHECK_INT(i.rx_drop, 2);
    CHECK_INT(i.tx_bytes, 2000);
    CHECK_INT(i.tx_packets, 20);
    CHECK_INT(i.tx_drop, 4);
}

static void on_mount(void *arg, const host_mount *m)
{
    host_mount *out = arg;
    if (strcmp(m->fstype, "ext4") == 0)
        *out = *m;
}

static void test_mounts(void)
{
    host_mount m = {0};
    size_t n = host_parse_mounts(S("proc /proc proc rw,relatime 0 0\n"
                                   "/dev/sdb1 /mnt/my\\040disk ext4 ro,relatime 0 0\n"
                                   "broken\n"),
                                 on_mount, &m);
    CHECK_INT(n, 2);
    CHECK_STR(m.mountpoint, "/mnt/my disk");
    CHECK_STR(m.device, "/dev/sdb1");
    CHECK(m.readonly);
}

static void test_pid_stat(void)
{
    host_pid_stat p;
    /* a process name with a space and a ')' in it */
    CHECK(host_parse_pid_stat(S("1234 (evil) name) R 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 4 0 "
                                "98765 1000000 512 18446744073709551615\n"),
                              &p) == KW_OK);
    CHECK_INT(p.pid, 1234);
    CHECK_STR(p.comm, "evil) name");
    CHECK(p.state == 'R');
    CHECK_INT(p.utime, 250);
    CHECK_INT(p.stime, 50);
    CHECK_INT(p.threads, 4);
    CHECK_INT(p.starttime, 98765);
    CHECK_INT(p.rss_pages, 512);
    CHECK(host_parse_pid_stat(S("1234 (x R 1"), &p) == KW_ERR_PARSE);
    CHECK(host_parse_pid_stat(S("1 (x) R 1 2"), &p) == KW_ERR_PARSE);
    CHECK(host_parse_pid_stat(S(""), &p) == KW_ERR_PARSE);
}

/* Two real readings of this machine: the numbers must be plausible. */
static void test_live_collect(void)
{
    conf_errors e = {0};
    conf *c = NULL;
    CHECK(conf_load(NULL, &c, &e) == KW_OK);
    if (!c)
        return;
    host_collector *hc = host_collector_new(c, NULL);
    host_snapshot *s = NULL;
    CHECK(host_collect(hc, &s) == KW_OK);
    CHECK(!s->has_rates);
    host_snapshot_free(s);
    struct timespec ts = {0, 200 * 1000000}; /* let some time pass */
    nanosleep(&ts, NULL);
    CHECK(host_collect(hc, &s) == KW_OK);
    CHECK(s->has_rates);
    CHECK(s->ncpu >= 1);
    CHECK(s->cpu_usage >= 0 && s->cpu_usage <= 1);
    CHECK(s->mem.total > 0 && s->mem_used_ratio >= 0 && s->mem_used_ratio <= 1);
    CHECK(s->processes >= 1);
    CHECK(s->nfs >= 1);
    CHECK(s->ntop_cpu >= 1 && s->ntop_cpu <= 5);
    CHECK_INT(s->nwarnings, 0);
    metric_set *ms = metric_set_new(s->ts_ms);
    host_snapshot_metrics(s, ms);
    int found = 0;
    for (size_t i = 0; i < ms->n; i++)
        if (strcmp(ms->v[i].desc->name, "host_cpu_usage_ratio") == 0)
            found++;
    CHECK_INT(found, 1);
    kw_buf b;
    kw_buf_init(&b, 0);
    metric_render_prom(&ms, 1, &b);
    CHECK_CONTAINS(kw_buf_cstr(&b), "# TYPE keepwatch_host_cpu_seconds_total counter\n");
    CHECK_CONTAINS(kw_buf_cstr(&b), "keepwatch_host_filesystem_used_ratio{mountpoint=\"");
    kw_buf_free(&b);
    metric_set_free(ms);
    host_snapshot_free(s);
    host_collector_free(hc);
    conf_free(c);
}

/* A proc root without the files: warnings, not a crash. */
static void test_missing_proc(void)
{
    conf_errors e = {0};
    conf *c = NULL;
    CHECK(conf_load(NULL, &c, &e) == KW_OK);
    host_collector *hc = host_collector_new(c, "/nonexistent-proc");
    host_snapshot *s = NULL;
    CHECK(host_collect(hc, &s) == KW_OK);
    CHECK(s->nwarnings >= 5);
    CHECK(s->processes == 0 && s->ncpu == 0);
    kw_buf b;
    kw_buf_init(&b, 0);
    host_snapshot_json(s, &b);
    CHECK_CONTAINS(kw_buf_cstr(&b), "\"warnings\":[\"cannot read /nonexistent-proc/stat\"");
    kw_buf_free(&b);
    host_snapshot_free(s);
    host_collector_free(hc);
    conf_free(c);
}

/* A filesystem in the mount table that disappears: skipped, not an error. */
static void test_filesystem_disappears(void)
{
    char root[] = "/tmp/kw-test-fs-XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char path[256], mnt[256];
    snprintf(path, sizeof path, "%s/self", root);
    mkdir(path, 0700);
    snprintf(mnt, sizeof mnt, "%s/mnt", root);
    mkdir(mnt, 0700);
    snprintf(path, sizeof path, "%s/self/mounts", root);
    FILE *f = fopen(path, "w");
    fprintf(f, "/dev/kwfake1 %s ext4 rw,relatime 0 0\n/dev/kwfake2 %s/never ext4 rw 0 0\n", mnt, root);
    fclose(f);
    conf_errors e = {0};
    conf *c = NULL;
    conf_load(NULL, &c, &e);
    host_collector *hc = host_collector_new(c, root);
    host_snapshot *s = NULL;
    host_collect(hc, &s);
    CHECK_INT(s->nfs, 1);
    CHECK(s->nfs == 1 && strcmp(s->fs[0].m.mountpoint, mnt) == 0);
    host_snapshot_free(s);
    rmdir(mnt);
    host_collect(hc, &s);
    CHECK_INT(s->nfs, 0);
    host_snapshot_free(s);
    host_collector_free(hc);
    conf_free(c);
    unlink(path);
    snprintf(path, sizeof path, "%s/self", root);
    rmdir(path);
    rmdir(root);
}

int main(void)
{
    RUN(test_stat);
    RUN(test_meminfo);
    RUN(test_loadavg_uptime);
    RUN(test_diskstats);
    RUN(test_netdev);
    RUN(test_mounts);
    RUN(test_pid_stat);
    RUN(test_live_collect);
    RUN(test_missing_proc);
    RUN(test_filesystem_disappears);
    TEST_MAIN_END();
}
