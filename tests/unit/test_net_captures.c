/* net: the detectors on crafted traffic shaped like public captures they were run on
 * (esnet-security/curated-pcaps, lucaderi/sgr, Trace-Share/Dataset), so the shapes that
 * worked stay working. Each test names the capture it models; no capture is shipped. */
#include "kw_test.h"
#include "net/net.h"

#include <arpa/inet.h>
#include <stdio.h>
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
    p.has_ports = proto == 6 || proto == 17;
    p.sport = sp;
    p.dport = dp;
    p.tcp_flags = flags;
    inet_pton(AF_INET, src, p.src.b);
    inet_pton(AF_INET, dst, p.dst.b);
    return p;
}

static net_detector *fresh(seen *s)
{
    net_thresholds t;
    net_thresholds_default(&t);
    memset(s, 0, sizeof *s);
    return net_detector_new(&t, on_det, s);
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

int main(void)
{
    RUN(test_masscan_udp_scan);
    RUN(test_nmap_one_port_with_os_detection);
    RUN(test_udp_ping_sweep);
    RUN(test_icmp_ping_sweep);
    TEST_MAIN_END();
}
