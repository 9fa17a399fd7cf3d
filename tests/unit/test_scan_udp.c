/* Unit tests of the UDP probes and their answers' parsers (scan_udp.c): probes checked byte by
 * byte against the protocols' layouts, answers built here by hand from the same specifications
 * (RFC 1035, RFC 5905, RFC 1002, RFC 3416 with X.690 BER, UPnP DA 1.1, memcached protocol.txt),
 * a wrong transaction id and truncations refused, and the findings they prove. */
#include "kw_test.h"
#include "scan/scan.h"

#define ID 0x12345678u

static uint8_t ans[2048];
static scan_udp_answer a;

static void test_udp_probes(void)
{
    uint8_t p[SCAN_UDP_PROBE_MAX];
    CHECK_INT(scan_udp_probe(SCAN_UDP_DNS, ID, p), 30);
    CHECK(p[0] == 0x56 && p[1] == 0x78 && p[5] == 1 && memcmp(p + 12, "\x07version\x04" "bind", 13) == 0);
    CHECK(p[27] == 16 && p[29] == 3); /* TXT, CH */
    CHECK_INT(scan_udp_probe(SCAN_UDP_NTP, ID, p), 48);
    CHECK_INT(p[0], 0x23);
    CHECK(p[40] == 0x12 && p[43] == 0x78);
    CHECK_INT(scan_udp_probe(SCAN_UDP_NETBIOS, ID, p), 50);
    CHECK(p[12] == 32 && p[13] == 'C' && p[14] == 'K' && p[15] == 'A' && p[45] == 0 && p[47] == 0x21);
    size_t n = scan_udp_probe(SCAN_UDP_SNMP, ID, p);
    CHECK_INT(n, 43);
    CHECK_INT(p[1], n - 2); /* the outer SEQUENCE covers the rest */
    CHECK(memcmp(p + 7, "public", 6) == 0 && p[13] == 0xa0 && p[14] == n - 15);
    CHECK(p[17] == 0x12 && p[20] == 0x78);
    n = scan_udp_probe(SCAN_UDP_SSDP, ID, p);
    CHECK(n > 60 && memcmp(p, "M-SEARCH * HTTP/1.1\r\n", 21) == 0 && memcmp(p + n - 4, "\r\n\r\n", 4) == 0);
    CHECK_INT(scan_udp_probe(SCAN_UDP_MEMCACHED, ID, p), 15);
    CHECK(p[0] == 0x56 && p[1] == 0x78 && p[5] == 1 && memcmp(p + 8, "stats\r\n", 7) == 0);
    CHECK_INT(scan_udp_probe(SCAN_UDP_NONE, ID, p), 0);
    CHECK_INT(scan_udp_kind_of_port(161), SCAN_UDP_SNMP);
    CHECK_INT(scan_udp_kind_of_port(9999), SCAN_UDP_NONE);
}

/* A DNS answer to version.bind: the question echoed, one TXT answer by a name pointer. */
static size_t dns_answer(uint16_t id, uint16_t flags, const char *txt)
{
    uint8_t q[SCAN_UDP_PROBE_MAX];
    size_t n = scan_udp_probe(SCAN_UDP_DNS, ID, q);
    memcpy(ans, q, n);
    ans[0] = (uint8_t)(id >> 8), ans[1] = (uint8_t)id;
    ans[2] = (uint8_t)(flags >> 8), ans[3] = (uint8_t)flags;
    ans[7] = 1; /* ANCOUNT */
    uint8_t rr[] = {0xc0, 12, 0, 16, 0, 3, 0, 0, 0, 0, 0, 0};
    size_t l = strlen(txt);
    rr[11] = (uint8_t)(l + 1);
    memcpy(ans + n, rr, sizeof rr);
    n += sizeof rr;
    ans[n++] = (uint8_t)l;
    memcpy(ans + n, txt, l);
    return n + l;
}

static void test_udp_dns(void)
{
    size_t n = dns_answer(0x5678, 0x8400, "9.18.19-1~deb12u1-Debian");
    CHECK_INT(scan_udp_parse(SCAN_UDP_DNS, ID, ans, n, &a), KW_OK);
    CHECK_STR(a.name, "domain");
    CHECK_STR(a.version, "9.18.19-1~deb12u1-Debian");
    CHECK_CONTAINS(a.info, "rcode NOERROR");
    CHECK(!a.amplifier);
    n = dns_answer(0x5678, 0x8585, "x"); /* RA set, REFUSED */
    CHECK_INT(scan_udp_parse(SCAN_UDP_DNS, ID, ans, n, &a), KW_OK);
    CHECK(a.amplifier);
    CHECK_CONTAINS(a.info, "REFUSED, recursion available");
    n = dns_answer(0x5679, 0x8400, "x");
    CHECK_INT(scan_udp_parse(SCAN_UDP_DNS, ID, ans, n, &a), KW_ERR_PARSE); /* another id */
    n = dns_answer(0x5678, 0x0400, "x");
    CHECK_INT(scan_udp_parse(SCAN_UDP_DNS, ID, ans, n, &a), KW_ERR_PARSE); /* a query, not an answer */
    n = dns_answer(0x5678, 0x8400, "abcdef");
    for (size_t cut = 0; cut < n; cut++) /* every truncation parses or is refused, never more */
        if (scan_udp_parse(SCAN_UDP_DNS, ID, ans, cut, &a) == KW_OK)
            CHECK(strlen(a.version) == 0 || strcmp(a.version, "abcdef") == 0);
}

static void test_udp_ntp(void)
{
    memset(ans, 0, 48);
    ans[0] = 0x24; /* VN 4, mode 4 (server) */
    ans[1] = 2;
    ans[12] = 192, ans[13] = 0, ans[14] = 2, ans[15] = 1;
    uint8_t q[SCAN_UDP_PROBE_MAX];
    scan_udp_probe(SCAN_UDP_NTP, ID, q);
    memcpy(ans + 24, q + 40, 8); /* origin = our transmit */
    CHECK_INT(scan_udp_parse(SCAN_UDP_NTP, ID, ans, 48, &a), KW_OK);
    CHECK_STR(a.name, "ntp");
    CHECK_STR(a.version, "v4");
    CHECK_STR(a.info, "stratum 2, refid 192.0.2.1");
    ans[1] = 1;
    memcpy(ans + 12, "GPS", 4);
    CHECK_INT(scan_udp_parse(SCAN_UDP_NTP, ID, ans, 48, &a), KW_OK);
    CHECK_STR(a.info, "stratum 1, refid GPS");
    CHECK_INT(scan_udp_parse(SCAN_UDP_NTP, ID + 1, ans, 48, &a), KW_ERR_PARSE); /* origin mismatch */
    CHECK_INT(scan_udp_parse(SCAN_UDP_NTP, ID, ans, 47, &a), KW_ERR_PARSE);
    ans[0] = 0x23;
    CHECK_INT(scan_udp_parse(SCAN_UDP_NTP, ID, ans, 48, &a), KW_ERR_PARSE); /* mode 3 is a request */
}

/* An NBSTAT answer: the RR name encoded in full, names FILESRV<00> and WORKGROUP<00> (group). */
static size_t netbios_answer(void)
{
    size_t n = 0;
    uint8_t hdr[] = {0x56, 0x78, 0x84, 0x00, 0, 0, 0, 1, 0, 0, 0, 0};
    memcpy(ans, hdr, sizeof hdr);
    n = sizeof hdr;
    ans[n++] = 32;
    ans[n++] = 'C', ans[n++] = 'K';
    memset(ans + n, 'A', 30);
    n += 30;
    ans[n++] = 0;
    uint8_t rr[] = {0, 0x21, 0, 1, 0, 0, 0, 0, 0, 1 + 2 * 18 + 6};
    memcpy(ans + n, rr, sizeof rr);
    n += sizeof rr;
    ans[n++] = 2;
    memcpy(ans + n, "FILESRV        \x00\x04\x00", 18);
    n += 18;
    memcpy(ans + n, "WORKGROUP      \x00\x84\x00", 18);
    n += 18;
    memcpy(ans + n, "\x00\x11\x22\x33\x44\x55", 6);
    return n + 6;
}

static void test_udp_netbios(void)
{
    size_t n = netbios_answer();
    CHECK_INT(scan_udp_parse(SCAN_UDP_NETBIOS, ID, ans, n, &a), KW_OK);
    CHECK_STR(a.info, "name FILESRV, workgroup WORKGROUP, MAC 00:11:22:33:44:55");
    CHECK_STR(a.product, "FILESRV");
    CHECK(a.amplifier);
    ans[56] = 30; /* NUM_NAMES larger than the data: only whole names are read */
    CHECK_INT(scan_udp_parse(SCAN_UDP_NETBIOS, ID, ans, n, &a), KW_OK);
    for (size_t cut = 0; cut < n; cut++)
        scan_udp_parse(SCAN_UDP_NETBIOS, ID, ans, cut, &a);
    CHECK_INT(scan_udp_parse(SCAN_UDP_NETBIOS, ID, ans, 40, &a), KW_ERR_PARSE);
}

/* A GetResponse to the probe: sysDescr.0 = descr (short lengths). */
static size_t snmp_answer(uint32_t rid, const char *descr)
{
    size_t dl = strlen(descr), n = 0;
    uint8_t vb[256], pdu[300];
    size_t vn = 0, pn = 0;
    const uint8_t oid[] = {0x06, 0x08, 0x2b, 6, 1, 2, 1, 1, 1, 0};
    vb[vn++] = 0x30, vb[vn++] = (uint8_t)(sizeof oid + 2 + dl);
    memcpy(vb + vn, oid, sizeof oid), vn += sizeof oid;
    vb[vn++] = 0x04, vb[vn++] = (uint8_t)dl;
    memcpy(vb + vn, descr, dl), vn += dl;
    const uint8_t ints[] = {0x02, 0x04, (uint8_t)(rid >> 24), (uint8_t)(rid >> 16), (uint8_t)(rid >> 8), (uint8_t)rid,
                            0x02, 0x01, 0x00, 0x02, 0x01, 0x00};
    memcpy(pdu, ints, sizeof ints), pn = sizeof ints;
    pdu[pn++] = 0x30, pdu[pn++] = (uint8_t)vn;
    memcpy(pdu + pn, vb, vn), pn += vn;
    const uint8_t head[] = {0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c'};
    ans[n++] = 0x30, ans[n++] = 0x81, ans[n++] = (uint8_t)(sizeof head + 2 + pn); /* a long-form length */
    memcpy(ans + n, head, sizeof head), n += sizeof head;
    ans[n++] = 0xa2, ans[n++] = (uint8_t)pn;
    memcpy(ans + n, pdu, pn);
    return n + pn;
}

static void test_udp_snmp(void)
{
    size_t n = snmp_answer(ID & 0x7fffffff, "Linux router 6.1.0 #1 SMP x86_64");
    CHECK_INT(scan_udp_parse(SCAN_UDP_SNMP, ID, ans, n, &a), KW_OK);
    CHECK_STR(a.name, "snmp");
    CHECK_STR(a.info, "community public; sysDescr Linux router 6.1.0 #1 SMP x86_64");
    CHECK(a.amplifier);
    n = snmp_answer(ID + 1, "x");
    CHECK_INT(scan_udp_parse(SCAN_UDP_SNMP, ID, ans, n, &a), KW_ERR_PARSE);
    n = snmp_answer(ID & 0x7fffffff, "bin\x01\xff");
    CHECK_INT(scan_udp_parse(SCAN_UDP_SNMP, ID, ans, n, &a), KW_OK);
    CHECK_CONTAINS(a.info, "bin\\x01\\xff");
    for (size_t cut = 0; cut < n; cut++)
        CHECK_INT(scan_udp_parse(SCAN_UDP_SNMP, ID, ans, cut, &a), KW_ERR_PARSE); /* the outer length no longer fits */
}

static void test_udp_ssdp_memcached(void)
{
    const char *ok = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nLOCATION: http://192.168.1.1:49152/rootDesc.xml\r\n"
                     "server: Linux/5.4 UPnP/1.0 MiniUPnPd/2.2\r\nST: upnp:rootdevice\r\n\r\n";
    CHECK_INT(scan_udp_parse(SCAN_UDP_SSDP, ID, (const uint8_t *)ok, strlen(ok), &a), KW_OK);
    CHECK_STR(a.product, "Linux/5.4 UPnP/1.0 MiniUPnPd/2.2");
    CHECK_STR(a.info, "location http://192.168.1.1:49152/rootDesc.xml");
    const char *bad = "HTTP/1.1 404 Not Found\r\n\r\n";
    CHECK_INT(scan_udp_parse(SCAN_UDP_SSDP, ID, (const uint8_t *)bad, strlen(bad), &a), KW_ERR_PARSE);
    const char m[] = "\x56\x78\x00\x00\x00\x01\x00\x00STAT pid 4242\r\nSTAT uptime 10\r\nSTAT version 1.6.18\r\nEND\r\n";
    CHECK_INT(scan_udp_parse(SCAN_UDP_MEMCACHED, ID, (const uint8_t *)m, sizeof m - 1, &a), KW_OK);
    CHECK_STR(a.product, "memcached");
    CHECK_STR(a.version, "1.6.18");
    CHECK_INT(scan_udp_parse(SCAN_UDP_MEMCACHED, ID + 1, (const uint8_t *)m, sizeof m - 1, &a), KW_ERR_PARSE);
    CHECK_INT(scan_udp_parse(SCAN_UDP_MEMCACHED, ID, (const uint8_t *)m, 10, &a), KW_ERR_PARSE);
    CHECK_INT(scan_udp_parse(SCAN_UDP_NONE, ID, (const uint8_t *)m, 10, &a), KW_ERR_PARSE);
}

static void test_udp_finding(void)
{
    const char m[] = "\x56\x78\x00\x00\x00\x01\x00\x00STAT pid 1\r\nSTAT version 1.4.25\r\n";
    scan_udp_parse(SCAN_UDP_MEMCACHED, ID, (const uint8_t *)m, sizeof m - 1, &a);
    char ev[512];
    finding f;
    CHECK(scan_udp_finding(SCAN_UDP_MEMCACHED, &a, 15, 1500, NULL, "10.0.0.9", 11211, ev, sizeof ev, &f));
    CHECK_STR(f.vuln_id, "KW-MEMCACHED-UDP");
    CHECK_STR(f.category, "exposed_service");
    CHECK_INT(f.severity, FINDING_HIGH);
    CHECK_INT(f.port, 11211);
    CHECK_STR(f.transport, "udp");
    CHECK_CONTAINS(f.evidence, "answered 1500 bytes (100.0x): memcached 1.4.25");
    size_t n = dns_answer(0x5678, 0x8400, "x"); /* no recursion: no finding */
    scan_udp_parse(SCAN_UDP_DNS, ID, ans, n, &a);
    CHECK(!scan_udp_finding(SCAN_UDP_DNS, &a, 30, n, NULL, "10.0.0.9", 53, ev, sizeof ev, &f));
    memset(&a, 0, sizeof a);
    CHECK(!scan_udp_finding(SCAN_UDP_NONE, &a, 0, 10, NULL, "10.0.0.9", 9, ev, sizeof ev, &f));
}

int main(void)
{
    RUN(test_udp_probes);
    RUN(test_udp_dns);
    RUN(test_udp_ntp);
    RUN(test_udp_netbios);
    RUN(test_udp_snmp);
    RUN(test_udp_ssdp_memcached);
    RUN(test_udp_finding);
    TEST_MAIN_END();
}
