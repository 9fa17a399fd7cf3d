/* net: causes found running net analyze on about 3,000 public captures (suricata-verify,
 * nDPI, Zeek, StopDDoS, Trace-Share, esnet curated-pcaps, lucaderi/sgr), each reproduced with
 * crafted traffic shaped like the capture named above its test (each failed before its fix),
 * and four capture-shaped cases that already worked (masscan, nmap -A, UDP and ICMP sweeps). */
#include "kw_test.h"
#include "net/net.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEC 1000000000LL

typedef struct {
    int n;
    net_detection all[16];
} seen;

static void on_det(void *arg, net_phase phase, const net_detection *d)
{
    seen *s = arg;
    if (phase != NET_DET_END)
        return;
    if (s->n < 16)
        s->all[s->n] = *d;
    s->n++;
}

static net_pkt pkt(int64_t ns, uint8_t proto, const char *src, uint16_t sp, const char *dst, uint16_t dp,
                   uint8_t flags)
{
    net_pkt p;
    memset(&p, 0, sizeof p);
    p.ts_ns = ns;
    p.wirelen = 60;
    p.proto = proto;
    p.has_ports = true;
    p.sport = sp;
    p.dport = dp;
    p.tcp_flags = flags;
    inet_pton(AF_INET, src, p.src.b);
    inet_pton(AF_INET, dst, p.dst.b);
    return p;
}

static void random_ip(char *ip, size_t n)
{
    snprintf(ip, n, "%d.%d.%d.%d", 1 + rand() % 220, rand() % 256, rand() % 256, 1 + rand() % 254);
}

static net_detector *fresh(seen *s)
{
    net_thresholds t;
    net_thresholds_default(&t);
    memset(s, 0, sizeof *s);
    return net_detector_new(&t, on_det, s);
}

/* StopDDoS amp.TCP.reflection.SYNACK.pcap: 6,651 SYN-ACKs and 1,018 RSTs from the same
 * reflectors in one second are one SYN-ACK reflection, not also an rst_flood. */
static void test_synack_reflection_with_rsts_is_one_attack(void)
{
    seen s;
    net_detector *d = fresh(&s);
    static char refl[6000][16];
    for (int i = 0; i < 6000; i++)
        random_ip(refl[i], sizeof refl[i]);
    for (int i = 0; i < 9000; i++) { /* 3,000 SYN-ACKs a second for 3 s, a RST after every 2nd */
        int64_t ns = 100 * SEC + i * 333333LL;
        net_pkt p = pkt(ns, 6, refl[i % 6000], 80, "10.10.10.10", (uint16_t)(1024 + rand() % 60000),
                        NET_TH_SYN | NET_TH_ACK);
        net_detector_packet(d, &p);
        if (i % 2 == 0) {
            p = pkt(ns + 1000, 6, refl[(i + 7) % 6000], 80, "10.10.10.10", (uint16_t)(1024 + rand() % 60000), NET_TH_RST);
            net_detector_packet(d, &p);
        }
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.all[0].action, "synack_flood");
    net_detector_free(d);
}

/* suricata-verify firewall/tcp-session-syn-flood-drop-precedence: 200 SYNs in 0.2 s from one
 * source to one port is reported as a short sample; its end must not precede its start. */
static void test_short_flood_end_after_start(void)
{
    seen s;
    net_detector *d = fresh(&s);
    for (int i = 0; i < 200; i++) {
        net_pkt p = pkt(1700000000 * SEC + i * 1000000LL, 6, "192.0.2.10", (uint16_t)(40000 + i), "198.51.100.5", 443,
                        NET_TH_SYN);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.all[0].action, "syn_flood");
    CHECK(s.all[0].end_ns >= s.all[0].start_ns);
    CHECK(s.all[0].end_ns == 1700000000 * SEC + 199 * 1000000LL);
    net_detector_free(d);
}

/* lucaderi/sgr hs-udpScan.pcap (nmap -sn -PU, anonymised into 240.0.0.0/4): class E
 * addresses are unicast; only 224.0.0.0/4 and 255.255.255.255 are group addresses. */
static void test_sweep_of_class_e_hosts(void)
{
    seen s;
    net_detector *d = fresh(&s);
    char ip[32];
    for (int h = 1; h <= 40; h++) {
        snprintf(ip, sizeof ip, "246.237.103.%d", h);
        net_pkt p = pkt(100 * SEC + h * 1000000LL, 17, "246.237.45.150", 60806, ip, 40125, 0);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.all[0].action, "host_sweep");
    CHECK_INT(s.all[0].hosts, 40);
    net_detector_free(d);
}

/* nDPI gnutella.pcap: a P2P node's one UDP socket talks to hundreds of peers, each on its own
 * port, many of them gone; the 81 peers on the default port 6346 are not a sweep. */
static void test_p2p_overlay_is_not_a_sweep(void)
{
    seen s;
    net_detector *d = fresh(&s);
    char ip[32];
    int64_t ns = 100 * SEC;
    for (int i = 0; i < 480; i++, ns += 800000000LL) { /* one new peer every 0.8 s */
        random_ip(ip, sizeof ip);
        uint16_t port = i % 6 == 0 ? 6346 : (uint16_t)(1025 + rand() % 60000);
        net_pkt p = pkt(ns, 17, "10.0.2.15", 28681, ip, port, 0);
        p.wirelen = 120;
        net_detector_packet(d, &p);
        if (i % 5 == 0) { /* one peer in five answers */
            net_pkt r = pkt(ns + 80000000LL, 17, ip, port, "10.0.2.15", 28681, 0);
            net_detector_packet(d, &r);
        }
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 0);
    net_detector_free(d);
}

/* esnet curated-pcaps tcp/control/two_way_all_flags.pcap: a server answering each client
 * packet from port 80 (with bare FIN, PSH, URG or no flags) is not scanning the client's
 * ephemeral ports: a packet that answers one is never a probe. */
static void test_answers_with_bare_flags_are_not_probes(void)
{
    seen s;
    net_detector *d = fresh(&s);
    static const uint8_t fl[] = {0, NET_TH_FIN, NET_TH_PSH, NET_TH_URG, NET_TH_FIN | NET_TH_PSH | NET_TH_URG};
    for (int i = 0; i < 300; i++) {
        int64_t ns = 100 * SEC + i * 10000000LL;
        uint16_t cport = (uint16_t)(30000 + i * 7);
        net_pkt p = pkt(ns, 6, "10.0.0.10", cport, "10.0.0.80", 80, 0);
        net_detector_packet(d, &p);
        p = pkt(ns + 300000, 6, "10.0.0.80", 80, "10.0.0.10", cport, fl[i % 5]);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    for (int i = 0; i < s.n && i < 16; i++)
        CHECK(!(s.all[i].action && !strcmp(s.all[i].action, "port_scan") && s.all[i].src.b[3] == 80));
    net_detector_free(d);
}

/* StopDDoS amp.dns.RRSIG.fragmented.pcap: amplified answers arrive as a first fragment (with
 * the UDP header, port 53) and later fragments without one; all of them flood the victim.
 * 800 first fragments and 1,600 later ones a second for 3 s is a 2,400 pps DNS reflection. */
static void test_later_fragments_count_toward_the_flood(void)
{
    seen s;
    net_detector *d = fresh(&s);
    char ip[32];
    for (int i = 0; i < 2400; i++) {
        random_ip(ip, sizeof ip);
        for (int k = 0; k < 3; k++) {
            net_pkt p = pkt(100 * SEC + (int64_t)(i * 3 + k) * 416666LL, 17, ip, 53, "10.10.10.10", 22, 0);
            p.wirelen = 1514;
            p.fragment = true;
            p.has_ports = k == 0;
            net_detector_packet(d, &p);
        }
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.all[0].action, "udp_flood");
    CHECK(s.all[0].reflection && !strcmp(s.all[0].reflection, "DNS"));
    net_detector_free(d);
}

/* zeek testing/btest/Traces/ftp/bruteforce.pcap: 30 completed FTP logins in 59.1 s from one
 * source reach brute_sessions (30 in 60 s); the window's 10 s buckets must not drop the
 * oldest ones. */
static void test_thirty_sessions_in_a_minute_is_a_brute_force(void)
{
    seen s;
    net_detector *d = fresh(&s);
    for (int i = 0; i < 30; i++) {
        int64_t ns = 124 * SEC + 820000000LL + i * 2038000000LL; /* 17:37:24.82 + i x 2.04 s */
        uint16_t cp = (uint16_t)(54017 + i);
        net_pkt p = pkt(ns, 6, "192.168.56.1", cp, "192.168.56.101", 21, NET_TH_SYN);
        net_detector_packet(d, &p);
        p = pkt(ns + 40000, 6, "192.168.56.101", 21, "192.168.56.1", cp, NET_TH_SYN | NET_TH_ACK);
        net_detector_packet(d, &p);
        p = pkt(ns + 80000, 6, "192.168.56.1", cp, "192.168.56.101", 21, NET_TH_ACK);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.n ? s.all[0].action : "", "brute_force");
    net_detector_free(d);
}

/* suricata-verify ipv6-evasion/ipv6-dos-with-ext-headers-6 (THC denial6 6): 39,812 ICMPv6
 * multicast listener reports (type 143, behind hop-by-hop and fragment headers) in 5.8 s from
 * one host: an ICMP flood of another type than echo is a flood too. */
static void test_icmp_flood_of_any_type(void)
{
    seen s;
    net_detector *d = fresh(&s);
    for (int i = 0; i < 30000; i++) { /* 10,000 a second for 3 s */
        net_pkt p = pkt(100 * SEC + i * 100000LL, 58, "0.0.0.0", 0, "0.0.0.0", 0, 0);
        p.has_ports = false;
        p.src.v6 = p.dst.v6 = true;
        inet_pton(AF_INET6, "2001:db8:1::2", p.src.b);
        inet_pton(AF_INET6, "2001:db8:1::1", p.dst.b);
        p.icmp_type = 143;
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.n ? s.all[0].action : "", "icmp_flood");
    net_detector_free(d);
}

/* nmap -sS --top-ports 100 of a /24 with 40 hosts up (closed ports reset): one scanning
 * source, one alert, not 40 port_scans and 100 host_sweeps. */
static void test_subnet_scan_is_one_alert(void)
{
    seen s;
    net_detector *d = fresh(&s);
    char ip[32];
    int64_t ns = 100 * SEC;
    for (int h = 1; h <= 40; h++)
        for (int port = 1; port <= 100; port++, ns += 200000) {
            snprintf(ip, sizeof ip, "10.9.0.%d", h);
            net_pkt p = pkt(ns, 6, "10.9.9.9", 40000, ip, (uint16_t)port, NET_TH_SYN);
            net_detector_packet(d, &p);
        }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.n ? s.all[0].action : "", "port_scan");
    net_detector_free(d);
}

/* nmap -sn of a /24 whose hosts are down: an echo request, a SYN to 443 and an ACK to 80 to
 * each host are one host discovery, one alert (not one host_sweep per probe type). */
static void test_ping_scan_is_one_alert(void)
{
    seen s;
    net_detector *d = fresh(&s);
    char ip[32];
    int64_t ns = 100 * SEC;
    for (int h = 1; h <= 254; h++, ns += 4000000) {
        snprintf(ip, sizeof ip, "10.9.0.%d", h);
        net_pkt p = pkt(ns, 1, "10.9.9.9", 0, ip, 0, 0);
        p.has_ports = false;
        p.icmp_type = 8;
        net_detector_packet(d, &p);
        p = pkt(ns + 1000, 6, "10.9.9.9", 51000, ip, 443, NET_TH_SYN);
        net_detector_packet(d, &p);
        p = pkt(ns + 2000, 6, "10.9.9.9", 51000, ip, 80, NET_TH_ACK);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.n ? s.all[0].action : "", "host_sweep");
    net_detector_free(d);
}

/* curated-pcaps attacks/scanners/masscan/udp_0_1000_20190821.pcap: masscan -pU:0-1000 of one
 * host, nothing answering, in 10 s: one UDP port_scan of 1001 ports, never a flood. */
static void test_masscan_udp_scan(void)
{
    seen s;
    net_detector *d = fresh(&s);
    for (int port = 0; port <= 1000; port++) {
        net_pkt p = pkt(100 * SEC + port * 10000000LL, 17, "172.31.15.102", 61000, "198.124.152.15", (uint16_t)port, 0);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.all[0].action, "port_scan");
    CHECK_INT(s.all[0].proto, 17);
    CHECK_INT(s.all[0].ports, 1001);
    CHECK(s.all[0].has_src && s.all[0].has_dst);
    net_detector_free(d);
}

/* curated-pcaps attacks/scanners/nmap/nmap_80_all.pcap (nmap -p 80 -A): an open port 80
 * connected to again and again, OS probes to one closed TCP and one closed UDP port: too few
 * ports to be a port_scan. */
static void test_nmap_one_port_with_os_detection(void)
{
    seen s;
    net_detector *d = fresh(&s);
    const char *me = "10.87.1.10", *host = "130.211.223.103";
    for (int i = 0; i < 40; i++) { /* version and script scans: completed connections to 80 */
        int64_t ns = 100 * SEC + i * 50000000LL;
        uint16_t cp = (uint16_t)(52200 + i);
        net_pkt p = pkt(ns, 6, me, cp, host, 80, NET_TH_SYN);
        net_detector_packet(d, &p);
        p = pkt(ns + 20000000, 6, host, 80, me, cp, NET_TH_SYN | NET_TH_ACK);
        net_detector_packet(d, &p);
        p = pkt(ns + 20100000, 6, me, cp, host, 80, NET_TH_ACK);
        net_detector_packet(d, &p);
    }
    for (int i = 0; i < 6; i++) { /* OS detection: a closed TCP port and a closed UDP port */
        net_pkt p = pkt(110 * SEC + i * 100000000LL, 6, me, (uint16_t)(40000 + i), host, 31337, NET_TH_SYN);
        net_detector_packet(d, &p);
        p = pkt(110 * SEC + i * 100000000LL + 20000000, 6, host, 31337, me, (uint16_t)(40000 + i), NET_TH_RST | NET_TH_ACK);
        net_detector_packet(d, &p);
    }
    net_pkt u = pkt(111 * SEC, 17, me, 40100, host, 40125, 0);
    net_detector_packet(d, &u);
    net_detector_finish(d);
    CHECK_INT(s.n, 0);
    net_detector_free(d);
}

/* lucaderi/sgr 2022/Favilli/tests/hs-udpScan.pcap, with its addresses in 10.0.0.0/8 (nmap
 * -sn -PU: empty datagrams to port 40125 of a /24, sent twice): one host_sweep of 254 hosts. */
static void test_udp_ping_sweep(void)
{
    seen s;
    net_detector *d = fresh(&s);
    char ip[32];
    for (int round = 0; round < 2; round++)
        for (int h = 1; h <= 254; h++) {
            snprintf(ip, sizeof ip, "10.237.103.%d", h);
            net_pkt p = pkt(100 * SEC + round * SEC + h * 60000LL, 17, "10.237.45.150", (uint16_t)(60806 + round), ip,
                            40125, 0);
            net_detector_packet(d, &p);
        }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.all[0].action, "host_sweep");
    CHECK_INT(s.all[0].hosts, 254);
    CHECK(s.all[0].has_dport && s.all[0].dport == 40125);
    net_detector_free(d);
}

/* lucaderi/sgr 2022/Favilli/tests/hs-icmpScan.pcap: echo requests to a /24 from one host, a
 * few answered: one ICMP host_sweep counting the hosts that did not answer. */
static void test_icmp_ping_sweep(void)
{
    seen s;
    net_detector *d = fresh(&s);
    char ip[32];
    for (int h = 1; h <= 255; h++) {
        snprintf(ip, sizeof ip, "10.0.0.%d", h);
        net_pkt p = pkt(100 * SEC + h * 8000000LL, 1, "10.0.0.128", 0, ip, 0, 0);
        p.icmp_type = 8;
        net_detector_packet(d, &p);
        if (h % 50 == 0) { /* five live hosts answer */
            net_pkt r = pkt(100 * SEC + h * 8000000LL + 300000, 1, ip, 0, "10.0.0.128", 0, 0);
            r.icmp_type = 0;
            net_detector_packet(d, &r);
        }
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.all[0].action, "host_sweep");
    CHECK_INT(s.all[0].proto, 1);
    CHECK_INT(s.all[0].hosts, 250);
    CHECK(!s.all[0].has_dport);
    net_detector_free(d);
}

/* nDPI EAQ.pcap: an app's 16-byte UDP pings to 29 servers of its pool on port 6000, a third
 * of them answering, is not a sweep; the same to 40 hosts none of which answers is. */
static void test_udp_server_pool_is_not_a_sweep(void)
{
    seen s;
    net_detector *d = fresh(&s);
    char ip[32];
    for (int round = 0; round < 3; round++)
        for (int h = 1; h <= 29; h++) {
            snprintf(ip, sizeof ip, "203.0.113.%d", h);
            int64_t ns = 100 * SEC + round * 20 * SEC + h * 10000000LL;
            net_pkt p = pkt(ns, 17, "10.0.0.15", (uint16_t)(40000 + round * 100 + h), ip, 6000, 0);
            net_detector_packet(d, &p);
            if (h % 3 == 0) {
                p = pkt(ns + 20000000LL, 17, ip, 6000, "10.0.0.15", (uint16_t)(40000 + round * 100 + h), 0);
                net_detector_packet(d, &p);
            }
        }
    net_detector_finish(d);
    CHECK_INT(s.n, 0);
    net_detector_free(d);
    d = fresh(&s);
    for (int h = 1; h <= 40; h++) {
        snprintf(ip, sizeof ip, "203.0.113.%d", h);
        net_pkt p = pkt(100 * SEC + h * 10000000LL, 17, "10.0.0.15", 41000, ip, 6000, 0);
        net_detector_packet(d, &p);
    }
    net_detector_finish(d);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.n ? s.all[0].action : "", "host_sweep");
    net_detector_free(d);
}

int main(void)
{
    RUN(test_synack_reflection_with_rsts_is_one_attack);
    RUN(test_short_flood_end_after_start);
    RUN(test_sweep_of_class_e_hosts);
    RUN(test_p2p_overlay_is_not_a_sweep);
    RUN(test_answers_with_bare_flags_are_not_probes);
    RUN(test_later_fragments_count_toward_the_flood);
    RUN(test_thirty_sessions_in_a_minute_is_a_brute_force);
    RUN(test_icmp_flood_of_any_type);
    RUN(test_subnet_scan_is_one_alert);
    RUN(test_ping_scan_is_one_alert);
    RUN(test_masscan_udp_scan);
    RUN(test_nmap_one_port_with_os_detection);
    RUN(test_udp_ping_sweep);
    RUN(test_icmp_ping_sweep);
    RUN(test_udp_server_pool_is_not_a_sweep);
    TEST_MAIN_END();
}
