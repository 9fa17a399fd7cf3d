/* net: the decoder on crafted frames of every link type, and the detectors on synthetic
 * traffic, including the benign patterns that must not alert. */
#include "kw_test.h"
#include "conf/conf.h"
#include "net/net.h"

#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <stdlib.h>

/* ---- frame building ---- */

static size_t ipv4_tcp(uint8_t *b, const char *src, const char *dst, uint16_t sp, uint16_t dp, uint8_t flags)
{
    memset(b, 0, 40);
    b[0] = 0x45;
    b[2] = 0;
    b[3] = 40;
    b[8] = 64;
    b[9] = 6;
    inet_pton(AF_INET, src, b + 12);
    inet_pton(AF_INET, dst, b + 16);
    b[20] = (uint8_t)(sp >> 8);
    b[21] = (uint8_t)sp;
    b[22] = (uint8_t)(dp >> 8);
    b[23] = (uint8_t)dp;
    b[32] = 0x50;
    b[33] = flags;
    return 40;
}

static size_t eth(uint8_t *b, uint16_t et)
{
    memset(b, 0xaa, 12);
    b[12] = (uint8_t)(et >> 8);
    b[13] = (uint8_t)et;
    return 14;
}

static void test_ethernet_vlan_qinq(void)
{
    uint8_t f[128];
    net_pkt p = {0};
    size_t n = eth(f, 0x0800);
    n += ipv4_tcp(f + n, "10.0.0.1", "10.0.0.2", 40000, 443, NET_TH_SYN);
    CHECK(net_decode(DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_OK);
    char a[64];
    net_addr_str(&p.src, a, sizeof a);
    CHECK_STR(a, "10.0.0.1");
    CHECK(p.proto == 6 && p.sport == 40000 && p.dport == 443 && p.tcp_flags == NET_TH_SYN && p.has_ports);
    /* 802.1ad outer tag, 802.1Q inner tag */
    n = eth(f, 0x88a8);
    f[14] = 0x00, f[15] = 100, f[16] = 0x81, f[17] = 0x00;
    f[18] = 0x00, f[19] = 200, f[20] = 0x08, f[21] = 0x00;
    n = 22 + ipv4_tcp(f + 22, "10.0.0.1", "10.0.0.2", 1, 2, NET_TH_ACK);
    CHECK(net_decode(DLT_EN10MB, f, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_OK);
    CHECK(p.nvlan == 2 && p.vlan[0] == 100 && p.vlan[1] == 200 && p.dport == 2);
    /* ARP is not IP; a three-tag stack and a cut header are malformed */
    n = eth(f, 0x0806);
    CHECK(net_decode(DLT_EN10MB, f, 42, 42, &p) == NET_DECODE_NOT_IP);
    n = eth(f, 0x8100);
    for (int i = 0; i < 3; i++)
        f[14 + 4 * i + 2] = 0x81, f[14 + 4 * i + 3] = 0x00;
    CHECK(net_decode(DLT_EN10MB, f, 60, 60, &p) == NET_DECODE_MALFORMED);
    CHECK(net_decode(DLT_EN10MB, f, 10, 10, &p) == NET_DECODE_MALFORMED);
    CHECK(net_decode(147, f, 60, 60, &p) == NET_DECODE_LINKTYPE);
}

static void test_cooked_and_raw(void)
{
    uint8_t f[128];
    net_pkt p = {0};
    /* Linux cooked v1: 16 bytes, protocol at 14 */
    memset(f, 0, 16);
    f[14] = 0x08;
    size_t n = 16 + ipv4_tcp(f + 16, "192.0.2.1", "192.0.2.9", 5, 22, NET_TH_SYN);
    CHECK(net_decode(DLT_LINUX_SLL, f, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_OK && p.dport == 22);
    /* Linux cooked v2: 20 bytes, protocol first */
    memset(f, 0, 20);
    f[0] = 0x08;
    n = 20 + ipv4_tcp(f + 20, "192.0.2.1", "192.0.2.9", 5, 23, NET_TH_SYN);
    CHECK(net_decode(DLT_LINUX_SLL2, f, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_OK && p.dport == 23);
    /* raw IP */
    n = ipv4_tcp(f, "192.0.2.1", "192.0.2.9", 5, 24, NET_TH_SYN);
    CHECK(net_decode(DLT_RAW, f, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_OK && p.dport == 24);
    CHECK(net_decode(101, f, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_OK);
    /* BSD loopback, family 2 in host order */
    f[0] = 2, f[1] = 0, f[2] = 0, f[3] = 0;
    n = 4 + ipv4_tcp(f + 4, "127.0.0.1", "127.0.0.1", 5, 25, NET_TH_SYN);
    CHECK(net_decode(DLT_NULL, f, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_OK && p.dport == 25);
}

static void test_ipv4_edges(void)
{
    uint8_t f[128];
    net_pkt p = {0};
    size_t n = ipv4_tcp(f, "10.0.0.1", "10.0.0.2", 1, 2, NET_TH_SYN);
    f[0] = 0x44; /* IHL 16 bytes: a lie */
    CHECK(net_decode(DLT_RAW, f, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_MALFORMED);
    f[0] = 0x4f; /* IHL 60 bytes, longer than the packet */
    CHECK(net_decode(DLT_RAW, f, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_MALFORMED);
    f[0] = 0x45;
    f[6] = 0x00, f[7] = 0x10; /* a later fragment: no ports */
    CHECK(net_decode(DLT_RAW, f, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_OK);
    CHECK(p.fragment && !p.has_ports);
    f[6] = 0x20, f[7] = 0x00; /* the first fragment: ports */
    CHECK(net_decode(DLT_RAW, f, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_OK && p.fragment && p.has_ports);
    f[6] = 0;
    /* cut by a tiny snap length: ports, no flags */
    CHECK(net_decode(DLT_RAW, f, 26, 1500, &p) == NET_DECODE_OK && p.has_ports && p.tcp_flags == 0);
    CHECK(net_decode(DLT_RAW, f, 22, 1500, &p) == NET_DECODE_MALFORMED);
    /* UDP and ICMP */
    f[9] = 17;
    CHECK(net_decode(DLT_RAW, f, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_OK && p.proto == 17 && p.dport == 2);
    f[9] = 1;
    f[20] = 8;
    CHECK(net_decode(DLT_RAW, f, (uint32_t)n, (uint32_t)n, &p) == NET_DECODE_OK && p.icmp_type == 8);
}

static void test_ipv6_extension_headers(void)
{
    uint8_t f[160];
    net_pkt p = {0};
    memset(f, 0, sizeof f);
    f[0] = 0x60;
    f[4] = 0, f[5] = 8 + 8 + 20; /* hop-by-hop + fragment + TCP */
    f[6] = 0;                    /* next: hop-by-hop */
    inet_pton(AF_INET6, "2001:db8::1", f + 8);
    inet_pton(AF_INET6, "2001:db8::2", f + 24);
    f[40] = 44; /* hop-by-hop -> fragment, length 0 = 8 bytes */
    f[48] = 6;  /* fragment -> TCP, offset 0, more fragments */
    f[51] = 1;
    f[56] = 0x9c, f[57] = 0x40, f[58] = 0x00, f[59] = 0x50, f[68] = 0x50, f[69] = NET_TH_SYN;
    CHECK(net_decode(DLT_RAW, f, 76, 76, &p) == NET_DECODE_OK);
    char a[64];
    net_addr_str(&p.dst, a, sizeof a);
    CHECK_STR(a, "2001:db8::2");
    CHECK(p.proto == 6 && p.dport == 80 && p.sport == 40000 && p.fragment && p.tcp_flags == NET_TH_SYN);
    f[50] = 0x01; /* a later fragment */
    CHECK(net_decode(DLT_RAW, f, 76, 76, &p) == NET_DECODE_OK && !p.has_ports && p.proto == 6);
    f[41] = 200; /* a hop-by-hop header longer than the packet */
    CHECK(net_decode(DLT_RAW, f, 76, 76, &p) == NET_DECODE_MALFORMED);
}

/* ---- detectors ---- */

typedef struct {
    int n;
    net_detection last;
} seen;

static void on_det(void *arg, net_phase phase, const net_detection *d)
{
    seen *s = arg;
    if (phase != NET_DET_END)
        return;
    s->n++;
    s->last = *d;
}

static net_pkt tcp(int64_t ns, const char *src, uint16_t sp, const char *dst, uint16_t dp, uint8_t flags)
{
    net_pkt p;
    memset(&p, 0, sizeof p);
    p.ts_ns = ns;
    p.wirelen = 60;
    p.proto = 6;
    p.has_ports = true;
    p.sport = sp;
    p.dport = dp;
    p.tcp_flags = flags;
    inet_pton(AF_INET, src, p.src.b);
    inet_pton(AF_INET, dst, p.dst.b);
    return p;
}

/* A full handshake from client to server, at time ns. */
static void session(net_detector *d, int64_t ns, const char *c, uint16_t cp, const char *s, uint16_t sp)
{
    net_pkt p = tcp(ns, c, cp, s, sp, NET_TH_SYN);
    net_detector_packet(d, &p);
    p = tcp(ns + 100000, s, sp, c, cp, NET_TH_SYN | NET_TH_ACK);
    net_detector_packet(d, &p);
    p = tcp(ns + 200000, c, cp, s, sp, NET_TH_ACK);
    net_detector_packet(d, &p);
}

static void test_busy_web_server_is_not_a_flood(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    char ip[32];
    /* 5,000 completed connections a second for 10 s from 2,000 clients */
    for (int i = 0; i < 50000; i++) {
        snprintf(ip, sizeof ip, "10.1.%d.%d", (i / 250) % 8, i % 250 + 1);
        session(d, 1000000000LL * 100 + (int64_t)i * 200000, ip, (uint16_t)(10000 + i % 50000), "10.0.0.80", 443);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 0);
    net_detector_free(d);
}

static net_pkt udp(int64_t ns, const char *src, const char *dst, uint16_t dp);

/* The talkers: one heavy sender among 500 light ones is first, with its bytes counted
 * exactly (space-saving only overcounts the counters it recycles), in the window it spoke. */
static void test_top_talkers(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    net_talker top[10];
    CHECK_INT(net_detector_talkers(d, false, top, 10), 0);
    char ip[32];
    int64_t t0 = 1000000000LL * 100;
    for (int i = 0; i < 5000; i++) {
        net_pkt p = udp(t0 + (int64_t)i * 1000000, "198.51.100.7", "10.0.0.53", 53); /* 5 s, 5,000 x 1,000 B */
        p.wirelen = 1000;
        net_detector_packet(d, &p);
        snprintf(ip, sizeof ip, "10.2.%d.%d", i % 2, i % 250 + 1); /* 500 senders of 10 x 60 B */
        p = udp(t0 + (int64_t)i * 1000000 + 500, ip, "10.0.0.80", 80);
        net_detector_packet(d, &p);
    }
    /* still in the first window: nothing complete yet */
    CHECK_INT(net_detector_talkers(d, false, top, 10), 0);
    net_detector_tick(d, t0 + 11 * 1000000000LL);
    size_t n = net_detector_talkers(d, false, top, 10);
    CHECK_INT(n, 10);
    char a[64];
    net_addr_str(&top[0].addr, a, sizeof a);
    CHECK_STR(a, "198.51.100.7");
    CHECK(top[0].bytes == 5000000 && top[0].packets == 5000);
    CHECK(top[1].bytes < top[0].bytes / 10);
    n = net_detector_talkers(d, true, top, 2);
    CHECK_INT(n, 2);
    net_addr_str(&top[0].addr, a, sizeof a);
    CHECK_STR(a, "10.0.0.53");
    /* a quiet window after it: nothing */
    net_detector_tick(d, t0 + 25 * 1000000000LL);
    CHECK_INT(net_detector_talkers(d, false, top, 10), 0);
    net_detector_free(d);
}

static void test_spoofed_syn_flood(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    char ip[32];
    for (int i = 0; i < 20000; i++) { /* 2,000 SYNs/s for 10 s from random addresses */
        snprintf(ip, sizeof ip, "%d.%d.%d.%d", 1 + rand() % 220, rand() % 256, rand() % 256, 1 + rand() % 254);
        net_pkt p = tcp(1000000000LL * 100 + (int64_t)i * 500000, ip, (uint16_t)rand(), "10.0.0.80", 80, NET_TH_SYN);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "syn_flood");
    CHECK(!s.last.has_src && s.last.has_dst && s.last.has_dport && s.last.dport == 80);
    CHECK(s.last.fire_ns - s.last.start_ns <= 3000000000LL);
    CHECK(s.last.distinct_sources > 17000 && s.last.distinct_sources < 23000); /* HLL: about 6% error */
    net_detector_free(d);
}

static void test_monitoring_and_proxy_are_not_scans(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    char ip[32];
    for (int round = 0; round < 3; round++) {
        /* a monitoring system connecting to 25 open ports of one host */
        for (int port = 0; port < 25; port++)
            session(d, 1000000000LL * (10 + round * 20) + port * 1000000, "10.9.9.9", (uint16_t)(30000 + port),
                    "10.0.0.5", (uint16_t)(8000 + port));
        /* a proxy reaching 40 web servers */
        for (int h = 0; h < 40; h++) {
            snprintf(ip, sizeof ip, "203.0.113.%d", h + 1);
            session(d, 1000000000LL * (10 + round * 20) + h * 1000000, "10.9.9.10", (uint16_t)(40000 + h), ip, 443);
        }
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 0);
    net_detector_free(d);
}

static void test_syn_scan_and_slow_scan(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    /* one probe every 10 s: 20 closed ports over 200 s, answered by RST */
    for (int i = 0; i < 20; i++) {
        int64_t ns = 1000000000LL * (100 + 10 * i);
        net_pkt p = tcp(ns, "10.6.6.6", 55555, "10.0.0.5", (uint16_t)(1000 + i), NET_TH_SYN);
        net_detector_packet(d, &p);
        p = tcp(ns + 1000, "10.0.0.5", (uint16_t)(1000 + i), "10.6.6.6", 55555, NET_TH_RST | NET_TH_ACK);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "port_scan");
    CHECK_INT(s.last.ports, 20);
    net_detector_free(d);
}

static void test_brute_force_needs_sessions(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    /* 40 completed SSH connections in 40 s */
    for (int i = 0; i < 40; i++)
        session(d, 1000000000LL * (100 + i), "10.7.7.7", (uint16_t)(50000 + i), "10.0.0.22", 22);
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "brute_force");
    CHECK_INT(s.last.sessions, 40);
    CHECK(s.last.fire_ns < 1000000000LL * 132); /* 30 sessions reached at 129 s */
    net_detector_free(d);
}

static net_pkt udp(int64_t ns, const char *src, const char *dst, uint16_t dp)
{
    net_pkt p = tcp(ns, src, 5353, dst, dp, 0);
    p.proto = 17;
    return p;
}

static conf *conf_of(const char *yaml)
{
    conf_errors e = {0};
    conf *c = NULL;
    conf_load_buffer("t.yaml", yaml, strlen(yaml), &c, &e);
    for (size_t i = 0; i < e.n; i++)
        fprintf(stderr, "    %s\n", e.v[i]);
    conf_errors_free(&e);
    return c;
}

static void test_group_overrides_flood_threshold(void)
{
    conf *c = conf_of("assets:\n  - {name: dns, addresses: [10.0.0.53]}\n"
                      "net:\n  groups:\n    - {name: resolvers, assets: [dns], flood_pps: 5000}\n");
    CHECK(c != NULL);
    if (!c)
        return;
    net_thresholds t;
    net_thresholds_from_conf(c, &t);
    conf_free(c);
    CHECK_INT(t.n_overrides, 1);
    CHECK_INT(t.n_targets, 2); /* the asset and the group */
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    /* 2,000 UDP packets/s for 10 s to the resolver (allowed 5,000) and to another host */
    for (int i = 0; i < 20000; i++) {
        net_pkt p = udp(1000000000LL * 100 + (int64_t)i * 500000, "192.0.2.7", "10.0.0.53", 53);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 0);
    for (int i = 0; i < 20000; i++) {
        net_pkt p = udp(1000000000LL * 200 + (int64_t)i * 500000, "192.0.2.7", "10.0.0.54", 53);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "udp_flood");
    net_detector_free(d);
}

static void test_traffic_spike_over_learned_baseline(void)
{
    conf *c = conf_of("assets:\n  - {name: portal, addresses: [10.0.1.0/24]}\n"
                      "net: {spike_learn: 5m, spike_for: 5s, spike_min_pps: 500}\n");
    net_thresholds t;
    net_thresholds_from_conf(c, &t);
    conf_free(c);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    int64_t ns = 1000000000LL * 1000;
    /* 100 packets/s of established traffic for 6 minutes: the baseline */
    for (int sec = 0; sec < 360; sec++)
        for (int k = 0; k < 100; k++, ns += 10000000) {
            net_pkt p = tcp(ns, "192.0.2.9", 40000, "10.0.1.5", 443, NET_TH_ACK);
            net_detector_packet(d, &p);
        }
    net_target_stats ts[4];
    CHECK_INT(net_detector_targets(d, ts, 4), 1);
    CHECK_NEAR(ts[0].baseline_pps, 100, 5);
    CHECK_INT(s.n, 0);
    /* then 2,000 packets/s for 20 s, then back to normal for 20 s */
    for (int sec = 0; sec < 40; sec++) {
        int rate = sec < 20 ? 2000 : 100;
        for (int k = 0; k < rate; k++, ns += 1000000000LL / rate) {
            net_pkt p = tcp(ns, "192.0.2.9", 40000, "10.0.1.5", 443, NET_TH_ACK | NET_TH_PSH);
            net_detector_packet(d, &p);
        }
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "traffic_spike");
    CHECK_STR(s.last.target, "portal");
    CHECK_NEAR(s.last.peak_pps, 2000, 50);
    CHECK_NEAR(s.last.baseline_pps, 100, 5);
    net_detector_free(d);
}

static void test_ack_floods_and_ordinary_acks(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    int64_t ns = 1000000000LL * 1000;
    /* a client connects, then downloads for 3 minutes at 3,000 ACKs/s: an ordinary connection */
    session(d, ns, "10.2.2.2", 40000, "10.0.0.80", 443);
    for (int i = 0; i < 3000 * 180; i++) {
        net_pkt p = tcp(ns + 1000000 + (int64_t)i * 333333, "10.2.2.2", 40000, "10.0.0.80", 443, NET_TH_ACK);
        net_detector_packet(d, &p);
    }
    /* a second client, never seen opening its connection, does the same after the warm-up */
    ns += 200 * 1000000000LL;
    for (int i = 0; i < 3000 * 20; i++) {
        net_pkt p = tcp(ns + (int64_t)i * 333333, "10.2.2.3", 41000, "10.0.0.80", 443, NET_TH_ACK);
        net_detector_packet(d, &p);
    }
    CHECK_INT(s.n, 0);
    /* then ACKs from random spoofed sources: an ACK flood */
    ns += 30 * 1000000000LL;
    char ip[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(ip, sizeof ip, "%d.%d.%d.%d", 1 + rand() % 220, rand() % 256, rand() % 256, 1 + rand() % 254);
        net_pkt p = tcp(ns + (int64_t)i * 500000, ip, (uint16_t)rand(), "10.0.0.80", 443, NET_TH_ACK);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "ack_flood");
    CHECK(s.last.proto == 6 && s.last.has_dst && !s.last.has_src);
    net_detector_free(d);
}

int main(void)
{
    RUN(test_ethernet_vlan_qinq);
    RUN(test_cooked_and_raw);
    RUN(test_ipv4_edges);
    RUN(test_ipv6_extension_headers);
    RUN(test_busy_web_server_is_not_a_flood);
    RUN(test_spoofed_syn_flood);
    RUN(test_top_talkers);
    RUN(test_monitoring_and_proxy_are_not_scans);
    RUN(test_syn_scan_and_slow_scan);
    RUN(test_brute_force_needs_sessions);
    RUN(test_group_overrides_flood_threshold);
    RUN(test_traffic_spike_over_learned_baseline);
    RUN(test_ack_floods_and_ordinary_acks);
    TEST_MAIN_END();
}
