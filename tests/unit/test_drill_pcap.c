/* drill_pcap: each built-in capture, generated into a temporary file and read back through
 * the net sensor's own reader and detectors with their default thresholds, raises the one
 * detection it stands for and no other; the generator is deterministic; the sources of a
 * capture given as a path are read from it. */
#include "kw_test.h"
#include "core/kw_mem.h"
#include "drill/drill_pcap.h"
#include "net/net.h"
#include "net/net_capture.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fired {
    int n, other;
    char action[8][32];
    char dst[64];
    uint16_t dport;
} fired;

static void on_det(void *arg, net_phase ph, const net_detection *d)
{
    fired *f = arg;
    if (ph != NET_DET_FIRE)
        return;
    if (f->n < 8)
        kw_strlcpy(f->action[f->n], d->action, sizeof f->action[0]);
    f->n++;
    if (d->has_dst)
        net_addr_str(&d->dst, f->dst, sizeof f->dst);
    f->dport = d->has_dport ? d->dport : 0;
}

static char tmpdir[64];

static void tmp_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s.pcap", tmpdir, name);
}

/* Generates name at target and runs it through a detector; returns what fired. */
static fired analyze(const char *name, const char *target, double pps, int64_t dur_ms, drill_seen *seen,
                     uint64_t *packets)
{
    fired f = {0};
    char path[128], err[256] = "";
    tmp_path(path, sizeof path, name);
    kw_rc rc = drill_pcap_generate(name, target, pps, dur_ms, path, seen, packets, err, sizeof err);
    CHECK_INT(rc, KW_OK);
    if (rc != KW_OK) {
        fprintf(stderr, "  %s\n", err);
        return f;
    }
    net_thresholds t;
    net_thresholds_default(&t);
    net_detector *d = net_detector_new(&t, on_det, &f);
    net_stats st = {0};
    CHECK_INT(net_capture_file(path, d, &st, err, sizeof err), KW_OK);
    net_detector_finish(d);
    net_detector_free(d);
    CHECK_INT(st.malformed, 0);
    CHECK_INT(st.packets, *packets);
    return f;
}

static void test_syn_flood(void)
{
    drill_seen seen = {0};
    uint64_t pk = 0;
    fired f = analyze("syn_flood", "192.0.2.10", 0, 0, &seen, &pk);
    CHECK_INT(pk, 30000); /* 3000 pps for 10 s */
    CHECK_INT(f.n, 1);
    CHECK_STR(f.action[0], "syn_flood");
    CHECK_STR(f.dst, "192.0.2.10");
    CHECK_INT(f.dport, 80);
    CHECK_INT(seen.n, 2);
    CHECK_STR(seen.values[0], "203.0.113.0/24");
    CHECK_STR(seen.values[1], "198.18.128.0/17");
}

static void test_udp_reflection(void)
{
    drill_seen seen = {0};
    uint64_t pk = 0;
    fired f = analyze("udp_reflection", "192.0.2.20", 0, 6000, &seen, &pk);
    CHECK_INT(pk, 9000);
    CHECK_INT(f.n, 1);
    CHECK_STR(f.action[0], "udp_flood");
    CHECK_STR(f.dst, "192.0.2.20");
    CHECK_INT(seen.n, 1);
    CHECK_STR(seen.values[0], "198.18.0.0/16");
}

static void test_port_scan(void)
{
    drill_seen seen = {0};
    uint64_t pk = 0;
    fired f = analyze("port_scan", "192.0.2.30", 0, 0, &seen, &pk);
    CHECK_INT(pk, 403); /* 200 probes, 200 answers, 3 resets of the open ports' SYN-ACKs */
    CHECK_INT(f.n, 1);
    CHECK_STR(f.action[0], "port_scan");
    CHECK_STR(f.dst, "192.0.2.30");
    CHECK_INT(seen.n, 1);
    CHECK_STR(seen.values[0], "203.0.113.66");
}

static void test_brute_force(void)
{
    drill_seen seen = {0};
    uint64_t pk = 0;
    fired f = analyze("brute_force", "192.0.2.40", 0, 0, &seen, &pk);
    CHECK_INT(pk, 1000); /* 100 sessions of 10 packets */
    CHECK_INT(f.n, 1);
    CHECK_STR(f.action[0], "brute_force");
    CHECK_STR(f.dst, "192.0.2.40");
    CHECK_INT(f.dport, 22);
    CHECK_STR(seen.values[0], "203.0.113.77");
}

/* Too slow a flood is no flood: the rate given is the rate written. */
static void test_rate_below_threshold(void)
{
    drill_seen seen = {0};
    uint64_t pk = 0;
    fired f = analyze("syn_flood", NULL, 200, 5000, &seen, &pk);
    CHECK_INT(pk, 1000);
    CHECK_INT(f.n, 0);
}

static void test_deterministic_and_errors(void)
{
    char a[128], b[128], err[256];
    snprintf(a, sizeof a, "%s/a.pcap", tmpdir);
    snprintf(b, sizeof b, "%s/b.pcap", tmpdir);
    drill_seen s = {0};
    CHECK_INT(drill_pcap_generate("brute_force", "192.0.2.1", 0, 2000, a, &s, NULL, err, sizeof err), KW_OK);
    CHECK_INT(drill_pcap_generate("brute_force", "192.0.2.1", 0, 2000, b, &s, NULL, err, sizeof err), KW_OK);
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    CHECK(fa && fb);
    if (fa && fb) {
        int ca, cb;
        size_t n = 0;
        bool same = true;
        do {
            ca = fgetc(fa);
            cb = fgetc(fb);
            same = same && ca == cb;
            n++;
        } while (ca != EOF && cb != EOF);
        CHECK(same);
        CHECK(n > 2000);
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    CHECK_INT(s.n, 1); /* the same address twice is one value */
    CHECK_INT(drill_pcap_generate("smurf", NULL, 0, 0, a, &s, NULL, err, sizeof err), KW_ERR_NOTFOUND);
    CHECK_CONTAINS(err, "smurf");
    CHECK_INT(drill_pcap_generate("syn_flood", "2001:db8::1", 0, 0, a, &s, NULL, err, sizeof err), KW_ERR_PARSE);
    CHECK_INT(drill_pcap_generate("syn_flood", NULL, 0, 0, "/nonexistent/dir/x.pcap", &s, NULL, err, sizeof err),
              KW_ERR_IO);
    CHECK(drill_pcap_builtin("udp_reflection") && !drill_pcap_builtin("lines"));
}

/* A given capture's sources: distinct, in order, at most DRILL_SEEN_MAX. */
static void test_seen_from_file(void)
{
    char p[128], err[256] = "";
    snprintf(p, sizeof p, "%s/scan.pcap", tmpdir);
    drill_seen g = {0};
    CHECK_INT(drill_pcap_generate("port_scan", "192.0.2.5", 0, 0, p, &g, NULL, err, sizeof err), KW_OK);
    drill_seen s = {0};
    CHECK_INT(drill_pcap_seen_file(p, &s, err, sizeof err), KW_OK);
    CHECK_INT(s.n, 2); /* the scanner and the target answering it */
    CHECK_STR(s.values[0], "203.0.113.66");
    CHECK_STR(s.values[1], "192.0.2.5");
    snprintf(p, sizeof p, "%s/flood.pcap", tmpdir);
    CHECK_INT(drill_pcap_generate("syn_flood", NULL, 0, 1000, p, &g, NULL, err, sizeof err), KW_OK);
    drill_seen f = {0};
    CHECK_INT(drill_pcap_seen_file(p, &f, err, sizeof err), KW_OK);
    CHECK_INT(f.n, DRILL_SEEN_MAX);
    drill_seen e = {0};
    CHECK_INT(drill_pcap_seen_file("/nonexistent.pcap", &e, err, sizeof err), KW_ERR_PARSE);
    static const uint8_t junk[] = "not a capture at all, not even close";
    CHECK_INT(drill_pcap_seen_buffer(junk, sizeof junk, &e, err, sizeof err), KW_ERR_PARSE);
    CHECK_INT(e.n, 0);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kwt-drill-pcap-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 2;
    RUN(test_syn_flood);
    RUN(test_udp_reflection);
    RUN(test_port_scan);
    RUN(test_brute_force);
    RUN(test_rate_below_threshold);
    RUN(test_deterministic_and_errors);
    RUN(test_seen_from_file);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    TEST_MAIN_END();
}
