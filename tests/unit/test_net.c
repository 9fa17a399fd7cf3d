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
    kw_addr_str(&p.src, a, sizeof a);
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
    kw_addr_str(&p.dst, a, sizeof a);
    CHECK_STR(a, "2001:db8::2");
    CHECK(p.proto == 6 && p.dport == 80 && p.sport == 40000 && p.fragment && p.tcp_flags == NET_TH_SYN);
    f[50] = 0x01; /* a later fragment */
    CHECK(net_decode(DLT_RAW, f, 76, 76, &p) == NET_DECODE_OK && !p.has_ports && p.proto == 6);
    f[41] = 200; /* a hop-by-hop header longer than the packet */
    CHECK(net_decode(DLT_RAW, f, 76, 76, &p) == NET_DECODE_MALFORMED);
}

/* ---- detectors ---- */

typedef struct {
    int n, fired;
    net_detection last;
    net_detection all[64];    /* the first 64 that ended */
} seen;

static void on_det(void *arg, net_phase phase, const net_detection *d)
{
    seen *s = arg;
    if (phase == NET_DET_FIRE)
        s->fired++;
    if (phase != NET_DET_END)
        return;
    if (s->n < 64)
        s->all[s->n] = *d;
    s->n++;
    s->last = *d;
}

/* How many of the detections that ended are `action`. */
static int count_action(const seen *s, const char *action)
{
    int n = 0;
    for (int i = 0; i < s->n && i < 64; i++)
        n += !strcmp(s->all[i].action, action);
    return n;
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
    kw_addr_str(&top[0].addr, a, sizeof a);
    CHECK_STR(a, "198.51.100.7");
    CHECK(top[0].bytes == 5000000 && top[0].packets == 5000);
    CHECK(top[1].bytes < top[0].bytes / 10);
    n = net_detector_talkers(d, true, top, 2);
    CHECK_INT(n, 2);
    kw_addr_str(&top[0].addr, a, sizeof a);
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

/* The next stage (the inspection of contents) sees a flood's first SYNs, not the rest, and
 * still every packet with a payload: a client's request to the flooded server arrives. */
typedef struct {
    int syns, data;
} next_count;

static void next_packet(void *arg, const net_pkt *p)
{
    next_count *c = arg;
    if (p->payload_len)
        c->data++;
    else if (p->tcp_flags & NET_TH_SYN)
        c->syns++;
}

static void test_flood_syns_spare_the_next_stage(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    next_count nc = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    net_stage st = {NULL, next_packet, NULL, NULL, &nc};
    net_detector_set_next(d, &st);
    char ip[32];
    static const uint8_t req[] = "GET /?id=1 HTTP/1.1\r\nHost: x\r\n\r\n";
    for (int i = 0; i < 20000; i++) {
        snprintf(ip, sizeof ip, "%d.%d.%d.%d", 1 + rand() % 220, rand() % 256, rand() % 256, 1 + rand() % 254);
        int64_t ns = 1000000000LL * 100 + (int64_t)i * 500000;
        net_pkt p = tcp(ns, ip, (uint16_t)rand(), "10.0.0.80", 80, NET_TH_SYN);
        net_detector_packet(d, &p);
        if (i % 1000 == 999) { /* a client's request, mid-flood */
            net_pkt q = tcp(ns + 1, "198.51.100.7", 40000, "10.0.0.80", 80, NET_TH_ACK | NET_TH_PSH);
            q.payload = req;
            q.payload_len = sizeof req - 1;
            net_detector_packet(d, &q);
        }
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_INT(nc.data, 20);
    CHECK(nc.syns > 0 && nc.syns < 4000); /* the first second or two, before it was a flood */
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

#define SEC 1000000000LL

static net_pkt udp_from(int64_t ns, const char *src, uint16_t sp, const char *dst, uint16_t dp)
{
    net_pkt p = tcp(ns, src, sp, dst, dp, 0);
    p.proto = 17;
    return p;
}

static void random_ip(char *ip, size_t n)
{
    snprintf(ip, n, "%d.%d.%d.%d", 1 + rand() % 220, rand() % 256, rand() % 256, 1 + rand() % 254);
}

/* A resolver answering a client's lookups (from port 53 to the client's random ports) is not
 * scanning it, whether keepwatch saw the queries or not; nor are a DNS server's answers to a
 * host's lookups, seen with the queries. */
static void test_dns_answers_are_not_probes(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    int64_t ns = 100 * SEC;
    for (int i = 0; i < 200; i++, ns += 50000000) {
        uint16_t port = (uint16_t)(30000 + i * 7);
        net_pkt q = udp_from(ns, "10.0.0.7", port, "10.0.0.53", 53);
        net_detector_packet(d, &q);
        net_pkt a = udp_from(ns + 1000000, "10.0.0.53", 53, "10.0.0.7", port);
        net_detector_packet(d, &a);
        /* answers from an outside resolver whose queries this capture did not hold */
        a = udp_from(ns + 2000000, "192.0.2.53", 53, "10.0.0.8", (uint16_t)(40000 + i * 11));
        net_detector_packet(d, &a);
    }
    /* a client of a game server on a high port, talking both ways from many ports */
    for (int i = 0; i < 40; i++, ns += 10000000) {
        net_pkt q = udp_from(ns, "10.0.0.9", (uint16_t)(50000 + i), "198.51.100.9", (uint16_t)(27000 + i));
        net_detector_packet(d, &q);
        net_pkt a = udp_from(ns + 500000, "198.51.100.9", (uint16_t)(27000 + i), "10.0.0.9", (uint16_t)(50000 + i));
        net_detector_packet(d, &a);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 0);
    net_detector_free(d);
}

/* An NTP reflection flood from 20,000 reflectors to the victim's random ports is one
 * udp_flood, named as reflection, and no port scan by any reflector. */
static void test_ntp_reflection_is_one_flood(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    static char refl[20000][16];
    for (int i = 0; i < 20000; i++)
        random_ip(refl[i], sizeof refl[i]);
    for (int i = 0; i < 25000; i++) { /* 5,000 a second for 5 s; each reflector sends 1 or 2 */
        net_pkt p = udp_from(100 * SEC + (int64_t)i * 200000, refl[i % 20000], 123, "10.0.0.80", (uint16_t)(1024 + rand() % 60000));
        p.wirelen = 482;
        net_detector_packet(d, &p);
    }
    /* then a low-rate tail: each of 300 reflectors sends 20 packets over 60 s */
    for (int k = 0; k < 20; k++)
        for (int i = 0; i < 300; i++) {
            net_pkt p = udp_from(120 * SEC + k * 3 * SEC + i * 1000000, refl[i], 123, "10.0.0.80", (uint16_t)(1024 + rand() % 60000));
            net_detector_packet(d, &p);
        }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "udp_flood");
    CHECK(s.last.has_sport && s.last.sport == 123);
    CHECK(s.last.reflection && !strcmp(s.last.reflection, "NTP"));
    CHECK(!s.last.has_src && !s.last.has_dport);
    kw_buf b;
    kw_buf_init(&b, 0);
    net_detection_text(&s.last, &b);
    CHECK_CONTAINS(kw_buf_cstr(&b), "NTP reflection from port 123");
    kw_buf_free(&b);
    net_detector_free(d);
}

/* A sweep of 256 hosts whose probes are each sent twice (nmap retransmits) is 256 hosts. */
static void test_sweep_counts_hosts_exactly(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    char ip[32];
    for (int round = 0; round < 2; round++)
        for (int h = 0; h < 256; h++) {
            snprintf(ip, sizeof ip, "10.20.%d.%d", h / 250, h % 250 + 1);
            net_pkt p = tcp(100 * SEC + round * SEC + h * 1000000, "10.6.6.6", 61000, ip, 445, NET_TH_SYN);
            net_detector_packet(d, &p);
        }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "host_sweep");
    CHECK_INT(s.last.hosts, 256);
    net_detector_free(d);
}

/* A client that completes handshakes with 96 web servers (a proxy), while each of its SYNs is
 * retransmitted once before the answer, is not sweeping; nor a monitoring system connecting to
 * 80 open ports of one host. */
static void test_completed_sessions_past_48_are_not_scans(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    char ip[32];
    for (int h = 0; h < 96; h++) {
        snprintf(ip, sizeof ip, "203.0.113.%d", h + 1);
        int64_t ns = 100 * SEC + h * 20000000LL;
        net_pkt p = tcp(ns, "10.9.9.10", (uint16_t)(40000 + h), ip, 443, NET_TH_SYN);
        net_detector_packet(d, &p);
        session(d, ns + 1000000, "10.9.9.10", (uint16_t)(40000 + h), ip, 443);
    }
    for (int port = 0; port < 80; port++)
        session(d, 110 * SEC + port * 1000000, "10.9.9.9", (uint16_t)(30000 + port), "10.0.0.5", (uint16_t)(8000 + port));
    net_detector_finish(d);
    CHECK_INT(s.n, 0);
    net_detector_free(d);
}

/* One source probing 10,000 ports at 5,000 a second is a scan of 10,000 ports, not a flood;
 * one source hammering one port is a flood, named with its source. */
static void test_fast_scan_is_not_a_flood(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    for (int i = 0; i < 10000; i++) {
        int64_t ns = 100 * SEC + i * 200000LL;
        net_pkt p = tcp(ns, "10.6.6.6", 50505, "10.0.0.5", (uint16_t)(1 + i), NET_TH_SYN);
        net_detector_packet(d, &p);
        p = tcp(ns + 50000, "10.0.0.5", (uint16_t)(1 + i), "10.6.6.6", 50505, NET_TH_RST | NET_TH_ACK);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_INT(count_action(&s, "syn_flood"), 0);
    CHECK_STR(s.last.action, "port_scan");
    CHECK_INT(s.last.ports, 10000);
    memset(&s, 0, sizeof s);
    for (int i = 0; i < 10000; i++) { /* 2,000 SYNs a second for 5 s from one host to port 80 */
        net_pkt p = tcp(200 * SEC + i * 500000LL, "10.6.6.7", (uint16_t)(1024 + i % 60000), "10.0.0.5", 80, NET_TH_SYN);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "syn_flood");
    char a[64];
    kw_addr_str(&s.last.src, a, sizeof a);
    CHECK(s.last.has_src);
    CHECK_STR(a, "10.6.6.7");
    net_detector_free(d);
}

/* A flood's figures cover the seconds before it fired, and its end is its last packet, not
 * the cool-down after it. */
static void test_flood_figures_and_end(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    char ip[32];
    int64_t t0 = 100 * SEC, last = 0;
    for (int i = 0; i < 12000; i++) { /* 3,000 a second for 4 s, then 4,000 in the fifth second */
        int64_t ns = t0 + (int64_t)i * (4 * SEC / 12000);
        random_ip(ip, sizeof ip);
        net_pkt p = udp_from(ns, ip, 4444, "10.0.0.53", 53);
        net_detector_packet(d, &p);
        last = ns;
    }
    for (int i = 0; i < 4000; i++) {
        random_ip(ip, sizeof ip);
        last = t0 + 4 * SEC + (int64_t)i * 250000;
        net_pkt p = udp_from(last, ip, 4444, "10.0.0.53", 53);
        net_detector_packet(d, &p);
    }
    /* then ordinary traffic elsewhere for a minute, so the flood ends by itself */
    for (int k = 0; k < 60; k++) {
        net_pkt p = udp_from(t0 + (5 + k) * SEC, "10.0.0.1", 5000, "10.0.0.2", 6000);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "udp_flood");
    CHECK_INT(s.last.packets, 16000);
    CHECK_NEAR(s.last.peak_pps, 4000, 1);
    CHECK(s.last.start_ns == t0);
    CHECK(s.last.end_ns == last);
    CHECK(!s.last.has_src && s.last.has_dport && s.last.dport == 53);
    net_detector_free(d);
}

/* SYN-ACKs answering no SYN, from many servers (SYN-ACK reflection), are a flood; the SYN-ACKs
 * a server sends its real clients are not. */
static void test_synack_reflection_flood(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    char ip[32];
    for (int i = 0; i < 20000; i++) /* busy web server: 4,000 handshakes a second */
        session(d, 100 * SEC + i * 250000LL, i % 2 ? "10.1.1.1" : "10.1.1.2", (uint16_t)(1024 + i % 60000), "10.0.0.80", 443);
    CHECK_INT(s.fired, 0);
    for (int i = 0; i < 15000; i++) { /* 3,000 a second for 5 s */
        random_ip(ip, sizeof ip);
        net_pkt p = tcp(200 * SEC + i * 333333LL, ip, 80, "10.0.0.99", (uint16_t)(1024 + rand() % 60000),
                        NET_TH_SYN | NET_TH_ACK);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "synack_flood");
    CHECK(s.last.has_dst && !s.last.has_src && s.last.proto == 6);
    net_detector_free(d);
}

/* An ACK flood from the first second of a capture is seen; connections already open when
 * the capture began (their packets go both ways, or repeat) are not a flood. */
static void test_ack_flood_in_the_first_minute(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    char ip[32];
    int64_t t0 = 100 * SEC;
    /* 3,000 connections open before the capture, each exchanging a packet each way per second */
    for (int sec = 0; sec < 10; sec++)
        for (int c = 0; c < 3000; c++) {
            snprintf(ip, sizeof ip, "10.3.%d.%d", c / 250, c % 250 + 1);
            int64_t ns = t0 + sec * SEC + c * 300000LL;
            net_pkt p = tcp(ns, ip, (uint16_t)(20000 + c), "10.0.0.80", 443, NET_TH_ACK);
            net_detector_packet(d, &p);
            p = tcp(ns + 20000, "10.0.0.80", 443, ip, (uint16_t)(20000 + c), NET_TH_ACK | NET_TH_PSH);
            net_detector_packet(d, &p);
        }
    net_detector_finish(d);
    CHECK_INT(s.n, 0);
    net_detector_free(d);
    memset(&s, 0, sizeof s);
    d = net_detector_new(&t, on_det, &s);
    for (int i = 0; i < 15000; i++) { /* from the capture's first packet: 3,000 a second for 5 s */
        random_ip(ip, sizeof ip);
        net_pkt p = tcp(t0 + i * 333333LL, ip, (uint16_t)rand(), "10.0.0.80", 443, NET_TH_ACK);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "ack_flood");
    net_detector_free(d);
}

/* nmap -PA: ACKs to port 80 of 40 hosts, a few of them answering with RST, is a sweep. */
static void test_ack_ping_sweep(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    char ip[32];
    for (int h = 0; h < 40; h++) {
        snprintf(ip, sizeof ip, "10.30.0.%d", h + 1);
        int64_t ns = 100 * SEC + h * 5000000LL;
        net_pkt p = tcp(ns, "10.6.6.6", 41414, ip, 80, NET_TH_ACK);
        net_detector_packet(d, &p);
        if (h % 4 == 0) {
            p = tcp(ns + 100000, ip, 80, "10.6.6.6", 41414, NET_TH_RST);
            net_detector_packet(d, &p);
        }
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "host_sweep");
    CHECK_INT(s.last.hosts, 40);
    CHECK(s.last.has_dport && s.last.dport == 80);
    net_detector_free(d);
}

/* Reflection through BACnet, CoAP, IKE and the others lately abused is named as such. */
static void test_reflection_ports(void)
{
    static const struct {
        uint16_t port;
        const char *name;
    } cases[] = {{47808, "BACnet"}, {5683, "CoAP"}, {500, "IKE"}, {37810, "DVR"}, {10001, "Ubiquiti"},
                 {1434, "MS-SQL"}, {3389, "RDP"}, {69, "TFTP"}, {17, "QOTD"}, {7, "Echo"}};
    net_thresholds t;
    net_thresholds_default(&t);
    char ip[32];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        seen s = {0};
        net_detector *d = net_detector_new(&t, on_det, &s);
        for (int i = 0; i < 6000; i++) {
            random_ip(ip, sizeof ip);
            net_pkt p = udp_from(100 * SEC + i * 500000LL, ip, cases[c].port, "10.0.0.80", (uint16_t)(1024 + rand() % 60000));
            net_detector_packet(d, &p);
        }
        net_detector_finish(d);
        CHECK_INT(s.n, 1);
        CHECK(s.last.reflection && !strcmp(s.last.reflection, cases[c].name));
        net_detector_free(d);
    }
}

/* hydra and medusa try several passwords per connection: 6 sessions a minute for 20
 * minutes is one slow brute_force; an SSH check every 30 s is not. */
static void test_slow_brute_force(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    for (int i = 0; i < 120; i++)
        session(d, 100 * SEC + i * 10 * SEC, "10.7.7.8", (uint16_t)(50000 + i), "10.0.0.22", 22);
    for (int i = 0; i < 60; i++)
        session(d, 100 * SEC + i * 30 * SEC + 5 * SEC, "10.9.9.9", (uint16_t)(40000 + i), "10.0.0.22", 22);
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "brute_force");
    char a[64];
    kw_addr_str(&s.last.src, a, sizeof a);
    CHECK_STR(a, "10.7.7.8");
    CHECK_INT(s.last.sessions, 120);
    CHECK(s.last.fire_ns <= 100 * SEC + 10 * 60 * SEC);
    net_detector_free(d);
}

/* A scanner that pauses for a minute between batches of ports is one scan. */
static void test_paused_scan_is_one_alert(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    for (int batch = 0; batch < 4; batch++)
        for (int i = 0; i < 50; i++) {
            net_pkt p = tcp(100 * SEC + batch * 90 * SEC + i * 10000000LL, "10.6.6.6", 40000, "10.0.0.5",
                            (uint16_t)(1 + batch * 50 + i), NET_TH_SYN);
            net_detector_packet(d, &p);
        }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "port_scan");
    CHECK_INT(s.last.ports, 200);
    net_detector_free(d);
}

/* A public sample of a reflection flood lasting half a second (the capture ends before
 * flood_for) is reported; a burst of 50 DNS answers in 10 ms is not. */
static void test_short_flood_sample(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    char ip[32];
    for (int i = 0; i < 2500; i++) { /* 5,000 a second for 0.5 s */
        random_ip(ip, sizeof ip);
        net_pkt p = udp_from(100 * SEC + 300000000LL + i * 200000LL, ip, 389, "10.0.0.80", 80);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "udp_flood");
    CHECK(s.last.reflection && !strcmp(s.last.reflection, "CLDAP"));
    CHECK_INT(s.last.packets, 2500);
    net_detector_free(d);
    memset(&s, 0, sizeof s);
    d = net_detector_new(&t, on_det, &s);
    for (int i = 0; i < 50; i++) {
        net_pkt p = udp_from(100 * SEC + i * 200000LL, "10.0.0.53", 53, "10.0.0.7", (uint16_t)(30000 + i));
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 0);
    net_detector_free(d);
}

/* A scan of one host, then a spoofed SYN flood on another, and the capture ends within the
 * second the scan's probes wait for an answer: the flood's first SYNs, not known as a flood
 * when they came, must not push the scan out of the tables (bench/gen_pcap --mix). */
static void test_scan_then_flood_at_the_end(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    char ip[32];
    int64_t t0 = 100 * SEC;
    for (int i = 0; i < 1000; i++) {
        net_pkt p = tcp(t0 + 200000000LL + i * 100000LL, "198.51.100.66", 54321, "192.0.2.30", (uint16_t)(1 + i),
                        NET_TH_SYN);
        net_detector_packet(d, &p);
        p = tcp(t0 + 200000000LL + i * 100000LL + 50000, "192.0.2.30", (uint16_t)(1 + i), "198.51.100.66", 54321,
                NET_TH_RST | NET_TH_ACK);
        net_detector_packet(d, &p);
    }
    for (int i = 0; i < 30000; i++) { /* 15,000 a second for 2 s */
        random_ip(ip, sizeof ip);
        net_pkt p = tcp(t0 + (int64_t)i * 66666LL, ip, (uint16_t)(1024 + rand() % 60000), "192.0.2.10", 80, NET_TH_SYN);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(count_action(&s, "port_scan"), 1);
    CHECK_INT(count_action(&s, "syn_flood"), 1);
    for (int i = 0; i < s.n && i < 64; i++)
        if (!strcmp(s.all[i].action, "port_scan"))
            CHECK_INT(s.all[i].ports, 1000);
    net_detector_free(d);
}

/* A fast scan of a busy server, whose clients open sessions all the while: the scan is one
 * source sending most of the SYNs, not a flood, and its every port counts. */
static void test_scan_of_a_busy_server(void)
{
    net_thresholds t;
    net_thresholds_default(&t);
    seen s = {0};
    net_detector *d = net_detector_new(&t, on_det, &s);
    char ip[32];
    int64_t t0 = 100 * SEC;
    for (int i = 0; i < 1500; i++) {
        int64_t ns = t0 + i * 1000000LL; /* 1,000 probes a second for 1.5 s */
        net_pkt p = tcp(ns, "198.51.100.66", 54321, "192.0.2.30", (uint16_t)(1 + i), NET_TH_SYN);
        net_detector_packet(d, &p);
        p = tcp(ns + 50000, "192.0.2.30", (uint16_t)(1 + i), "198.51.100.66", 54321, NET_TH_RST | NET_TH_ACK);
        net_detector_packet(d, &p);
        if (i % 10 == 0) { /* and 100 clients a second */
            snprintf(ip, sizeof ip, "10.1.%d.%d", i / 250, i % 250 + 1);
            session(d, ns + 100000, ip, (uint16_t)(20000 + i), "192.0.2.30", 443);
        }
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.last.action, "port_scan");
    CHECK_INT(s.last.ports, 1500);
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
    RUN(test_flood_syns_spare_the_next_stage);
    RUN(test_top_talkers);
    RUN(test_monitoring_and_proxy_are_not_scans);
    RUN(test_syn_scan_and_slow_scan);
    RUN(test_brute_force_needs_sessions);
    RUN(test_group_overrides_flood_threshold);
    RUN(test_traffic_spike_over_learned_baseline);
    RUN(test_ack_floods_and_ordinary_acks);
    RUN(test_dns_answers_are_not_probes);
    RUN(test_ntp_reflection_is_one_flood);
    RUN(test_sweep_counts_hosts_exactly);
    RUN(test_completed_sessions_past_48_are_not_scans);
    RUN(test_fast_scan_is_not_a_flood);
    RUN(test_flood_figures_and_end);
    RUN(test_synack_reflection_flood);
    RUN(test_ack_flood_in_the_first_minute);
    RUN(test_ack_ping_sweep);
    RUN(test_reflection_ports);
    RUN(test_slow_brute_force);
    RUN(test_paused_scan_is_one_alert);
    RUN(test_short_flood_sample);
    RUN(test_scan_then_flood_at_the_end);
    RUN(test_scan_of_a_busy_server);
    TEST_MAIN_END();
}
