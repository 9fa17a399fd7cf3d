/* net: the decoder on crafted frames of the PPP, Cisco HDLC, NFLOG, 802.11, radiotap and PPI
 * link types, and on truncated and lying ones of each. */
#include "kw_test.h"
#include "net/net.h"

#include <arpa/inet.h>
#include <pcap/dlt.h>

/* ---- frame building ---- */

static void ports(uint8_t *b, uint16_t sp, uint16_t dp)
{
    b[0] = (uint8_t)(sp >> 8), b[1] = (uint8_t)sp;
    b[2] = (uint8_t)(dp >> 8), b[3] = (uint8_t)dp;
}

static size_t ipv4_tcp(uint8_t *b, const char *src, const char *dst, uint16_t sp, uint16_t dp)
{
    memset(b, 0, 40);
    b[0] = 0x45;
    b[3] = 40;
    b[8] = 64;
    b[9] = 6;
    inet_pton(AF_INET, src, b + 12);
    inet_pton(AF_INET, dst, b + 16);
    ports(b + 20, sp, dp);
    b[32] = 0x50;
    b[33] = NET_TH_SYN;
    return 40;
}

static size_t ipv6_udp(uint8_t *b, const char *src, const char *dst, uint16_t sp, uint16_t dp)
{
    memset(b, 0, 48);
    b[0] = 0x60;
    b[5] = 8;
    b[6] = 17;
    b[7] = 64;
    inet_pton(AF_INET6, src, b + 8);
    inet_pton(AF_INET6, dst, b + 24);
    ports(b + 40, sp, dp);
    b[45] = 8;
    return 48;
}

static net_decode_rc dec(int lt, const uint8_t *f, size_t n, net_pkt *p)
{
    return net_decode(lt, f, (uint32_t)n, (uint32_t)n, p);
}

/* The packet decoded to these addresses and ports. */
static bool is(const net_pkt *p, const char *src, const char *dst, uint8_t proto, uint16_t sp, uint16_t dp)
{
    char a[64], b[64];
    kw_addr_str(&p->src, a, sizeof a);
    kw_addr_str(&p->dst, b, sizeof b);
    return !strcmp(a, src) && !strcmp(b, dst) && p->proto == proto && p->has_ports && p->sport == sp &&
           p->dport == dp;
}

/* The frame decodes, to these addresses and ports. */
static bool decodes(net_pkt *p, int lt, const uint8_t *f, size_t n, const char *src, const char *dst, uint8_t proto,
                    uint16_t sp, uint16_t dp)
{
    return dec(lt, f, n, p) == NET_DECODE_OK && is(p, src, dst, proto, sp, dp);
}

/* Every shorter cut of a good frame that ends inside the headers named by hdr is malformed. */
static bool cuts_malformed(int lt, const uint8_t *f, size_t hdr)
{
    net_pkt p;
    for (size_t n = 0; n < hdr; n++)
        if (dec(lt, f, n, &p) != NET_DECODE_MALFORMED) {
            fprintf(stderr, "  link type %d cut at %zu: not malformed\n", lt, n);
            return false;
        }
    return true;
}

/* ---- PPP and HDLC ---- */

static void test_ppp(void)
{
    uint8_t f[96];
    net_pkt p;
    /* RFC 1662 framing: ff 03, protocol 0x0021 */
    f[0] = 0xff, f[1] = 0x03, f[2] = 0x00, f[3] = 0x21;
    size_t n = 4 + ipv4_tcp(f + 4, "192.0.2.1", "192.0.2.2", 1025, 80);
    CHECK(decodes(&p, DLT_PPP, f, n, "192.0.2.1", "192.0.2.2", 6, 1025, 80));
    CHECK(decodes(&p, DLT_PPP_SERIAL, f, n, "192.0.2.1", "192.0.2.2", 6, 1025, 80));
    CHECK(cuts_malformed(DLT_PPP, f, 24));
    /* no address and control, protocol field compressed (0x21 alone) */
    f[0] = 0x21;
    n = 1 + ipv4_tcp(f + 1, "198.51.100.7", "203.0.113.9", 5, 22);
    CHECK(decodes(&p, DLT_PPP, f, n, "198.51.100.7", "203.0.113.9", 6, 5, 22));
    /* IPv6, protocol 0x0057 */
    f[0] = 0xff, f[1] = 0x03, f[2] = 0x00, f[3] = 0x57;
    n = 4 + ipv6_udp(f + 4, "2001:db8::1", "2001:db8::2", 5353, 53);
    CHECK(decodes(&p, DLT_PPP, f, n, "2001:db8::1", "2001:db8::2", 17, 5353, 53));
    /* LCP (0xc021) is not IP; an even first byte with nothing after it is cut */
    f[2] = 0xc0, f[3] = 0x21;
    CHECK(dec(DLT_PPP, f, n, &p) == NET_DECODE_NOT_IP);
    f[0] = 0x00;
    CHECK(dec(DLT_PPP, f, 1, &p) == NET_DECODE_MALFORMED);
}

static void test_cisco_hdlc(void)
{
    uint8_t f[96];
    net_pkt p;
    f[0] = 0x0f, f[1] = 0x00, f[2] = 0x08, f[3] = 0x00;
    size_t n = 4 + ipv4_tcp(f + 4, "10.1.1.1", "10.2.2.2", 179, 33000);
    CHECK(decodes(&p, DLT_C_HDLC, f, n, "10.1.1.1", "10.2.2.2", 6, 179, 33000));
    /* Cisco framing in a PPP_SERIAL capture */
    CHECK(decodes(&p, DLT_PPP_SERIAL, f, n, "10.1.1.1", "10.2.2.2", 6, 179, 33000));
    CHECK(cuts_malformed(DLT_C_HDLC, f, 24));
    f[0] = 0x8f, f[2] = 0x86, f[3] = 0xdd;
    n = 4 + ipv6_udp(f + 4, "fe80::1", "ff02::5", 521, 521);
    CHECK(decodes(&p, DLT_C_HDLC, f, n, "fe80::1", "ff02::5", 17, 521, 521));
    f[2] = 0x80, f[3] = 0x35; /* SLARP */
    CHECK(dec(DLT_C_HDLC, f, n, &p) == NET_DECODE_NOT_IP);
}

/* ---- NFLOG ---- */

static size_t tlv(uint8_t *b, bool be, uint16_t type, const uint8_t *v, uint16_t vlen)
{
    uint16_t l = (uint16_t)(4 + vlen);
    b[0] = be ? (uint8_t)(l >> 8) : (uint8_t)l;
    b[1] = be ? (uint8_t)l : (uint8_t)(l >> 8);
    b[2] = be ? (uint8_t)(type >> 8) : (uint8_t)type;
    b[3] = be ? (uint8_t)type : (uint8_t)(type >> 8);
    memcpy(b + 4, v, vlen);
    size_t padded = ((size_t)l + 3) & ~(size_t)3;
    memset(b + l, 0, padded - l);
    return padded;
}

/* An NFLOG frame: header, a packet-header TLV, a 5-byte prefix TLV (padded), the payload. */
static size_t nflog(uint8_t *f, bool be, uint8_t family, const uint8_t *pkt, uint16_t plen)
{
    static const uint8_t hwhdr[4] = {0x08, 0x00, 0x01, 0x00};
    f[0] = family, f[1] = 0, f[2] = 0, f[3] = 5;
    size_t n = 4;
    n += tlv(f + n, be, 1, hwhdr, 4);
    n += tlv(f + n, be, 10, (const uint8_t *)"drop", 5);
    n += tlv(f + n, be, 9, pkt, plen);
    return n;
}

static void test_nflog(void)
{
    uint8_t ip[64], f[160];
    net_pkt p;
    size_t il = ipv4_tcp(ip, "172.16.0.5", "172.16.0.9", 44444, 3389);
    size_t n = nflog(f, false, 2, ip, (uint16_t)il);
    CHECK_INT(n, 4 + 8 + 12 + 44);
    CHECK(decodes(&p, DLT_NFLOG, f, n, "172.16.0.5", "172.16.0.9", 6, 44444, 3389));
    /* written on a big-endian host */
    n = nflog(f, true, 2, ip, (uint16_t)il);
    CHECK(decodes(&p, DLT_NFLOG, f, n, "172.16.0.5", "172.16.0.9", 6, 44444, 3389));
    /* the snap length cut the payload TLV: the ports are still there */
    CHECK(dec(DLT_NFLOG, f, n - 16, &p) == NET_DECODE_OK);
    CHECK(p.sport == 44444 && p.dport == 3389);
    il = ipv6_udp(ip, "2001:db8:1::10", "2001:db8:2::20", 40000, 514);
    n = nflog(f, false, 10, ip, (uint16_t)il);
    CHECK(decodes(&p, DLT_NFLOG, f, n, "2001:db8:1::10", "2001:db8:2::20", 17, 40000, 514));
    /* a family neither IPv4 nor IPv6, and no payload TLV at all, are not IP */
    f[0] = 7;
    CHECK(dec(DLT_NFLOG, f, n, &p) == NET_DECODE_NOT_IP);
    f[0] = 10;
    CHECK(dec(DLT_NFLOG, f, 4 + 8 + 12, &p) == NET_DECODE_NOT_IP);
}

static void test_nflog_hostile(void)
{
    uint8_t ip[64], f[160];
    net_pkt p;
    size_t il = ipv4_tcp(ip, "10.0.0.1", "10.0.0.2", 1, 2);
    size_t n = nflog(f, false, 2, ip, (uint16_t)il);
    CHECK(cuts_malformed(DLT_NFLOG, f, 4));
    f[1] = 1; /* version 1 */
    CHECK(dec(DLT_NFLOG, f, n, &p) == NET_DECODE_MALFORMED);
    f[1] = 0;
    f[4] = 2, f[5] = 0; /* a TLV length below its own header */
    CHECK(dec(DLT_NFLOG, f, n, &p) == NET_DECODE_MALFORMED);
    f[4] = 0xf0, f[5] = 0xff; /* a prefix TLV longer than the frame */
    CHECK(dec(DLT_NFLOG, f, n, &p) == NET_DECODE_MALFORMED);
    /* a payload TLV whose length is 4 exactly: an empty IPv4 packet */
    n = nflog(f, false, 2, ip, 0);
    CHECK(dec(DLT_NFLOG, f, n, &p) == NET_DECODE_MALFORMED);
}

/* ---- 802.11, radiotap, PPI ---- */

static const uint8_t snap_ipv4[8] = {0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00};

/* A data frame header: fc0 the first frame-control byte, fl the flags; extra bytes after the
 * three addresses and sequence control (the fourth address, QoS control) are zeroed. */
static size_t wlan(uint8_t *b, uint8_t fc0, uint8_t fl, size_t hl)
{
    memset(b, 0x11, hl);
    b[0] = fc0, b[1] = fl;
    if (hl > 24)
        memset(b + 24, 0, hl - 24);
    return hl;
}

static size_t wlan_ipv4(uint8_t *f, uint8_t fc0, uint8_t fl, size_t hl)
{
    size_t n = wlan(f, fc0, fl, hl);
    memcpy(f + n, snap_ipv4, 8);
    n += 8;
    return n + ipv4_tcp(f + n, "192.168.1.20", "93.184.216.34", 51000, 443);
}

static void test_80211_data(void)
{
    uint8_t f[160];
    net_pkt p;
    size_t n = wlan_ipv4(f, 0x08, 0x01, 24); /* data, to the DS */
    CHECK(decodes(&p, DLT_IEEE802_11, f, n, "192.168.1.20", "93.184.216.34", 6, 51000, 443));
    CHECK(cuts_malformed(DLT_IEEE802_11, f, 24 + 8 + 24));
    n = wlan_ipv4(f, 0x88, 0x02, 26); /* QoS data, from the DS */
    CHECK(decodes(&p, DLT_IEEE802_11, f, n, "192.168.1.20", "93.184.216.34", 6, 51000, 443));
    n = wlan_ipv4(f, 0x88, 0x83, 36); /* QoS data, four addresses, HT control */
    CHECK(decodes(&p, DLT_IEEE802_11, f, n, "192.168.1.20", "93.184.216.34", 6, 51000, 443));
    n = wlan_ipv4(f, 0x08, 0x03, 30); /* data, four addresses */
    CHECK(dec(DLT_IEEE802_11, f, n, &p) == NET_DECODE_OK);
    CHECK(p.sport == 51000);
    /* IPv6 over SNAP */
    n = wlan(f, 0x08, 0x01, 24);
    memcpy(f + n, snap_ipv4, 8);
    f[n + 6] = 0x86, f[n + 7] = 0xdd;
    n += 8;
    n += ipv6_udp(f + n, "2001:db8::a", "2001:db8::b", 546, 547);
    CHECK(decodes(&p, DLT_IEEE802_11, f, n, "2001:db8::a", "2001:db8::b", 17, 546, 547));
}

static void test_80211_not_ip(void)
{
    uint8_t f[160];
    net_pkt p;
    size_t n = wlan_ipv4(f, 0x80, 0x00, 24); /* a beacon */
    CHECK(dec(DLT_IEEE802_11, f, n, &p) == NET_DECODE_NOT_IP);
    f[0] = 0xd4; /* an ACK, 10 bytes */
    CHECK(dec(DLT_IEEE802_11, f, 10, &p) == NET_DECODE_NOT_IP);
    n = wlan_ipv4(f, 0x48, 0x01, 24); /* null data */
    CHECK(dec(DLT_IEEE802_11, f, n, &p) == NET_DECODE_NOT_IP);
    n = wlan_ipv4(f, 0x08, 0x41, 24); /* protected */
    CHECK(dec(DLT_IEEE802_11, f, n, &p) == NET_DECODE_NOT_IP);
    n = wlan_ipv4(f, 0x88, 0x01, 26);
    f[24] = 0x80; /* an A-MSDU */
    CHECK(dec(DLT_IEEE802_11, f, n, &p) == NET_DECODE_NOT_IP);
    n = wlan_ipv4(f, 0x08, 0x01, 24);
    f[26] = 0x00; /* not SNAP */
    CHECK(dec(DLT_IEEE802_11, f, n, &p) == NET_DECODE_NOT_IP);
    f[26] = 0x03, f[30] = 0x08, f[31] = 0x06; /* ARP */
    CHECK(dec(DLT_IEEE802_11, f, n, &p) == NET_DECODE_NOT_IP);
    f[0] = 0x09; /* protocol version 1 */
    CHECK(dec(DLT_IEEE802_11, f, n, &p) == NET_DECODE_MALFORMED);
}

/* A radiotap header of length len with present bits pr and the flags field fl (when bit 1 of
 * pr is set, right after the one present word, or after TSFT at offset 8 when bit 0 is). */
static size_t radiotap(uint8_t *b, uint16_t len, uint32_t pr, uint8_t fl)
{
    memset(b, 0, len);
    b[2] = (uint8_t)len, b[3] = (uint8_t)(len >> 8);
    b[4] = (uint8_t)pr, b[5] = (uint8_t)(pr >> 8), b[6] = (uint8_t)(pr >> 16), b[7] = (uint8_t)(pr >> 24);
    if (pr & 2)
        b[pr & 1 ? 16 : 8] = fl;
    return len;
}

static void test_radiotap(void)
{
    uint8_t f[200];
    net_pkt p;
    size_t h = radiotap(f, 18, 0x0000482e, 0x00);
    size_t n = h + wlan_ipv4(f + h, 0x88, 0x01, 26);
    CHECK(decodes(&p, DLT_IEEE802_11_RADIO, f, n, "192.168.1.20", "93.184.216.34", 6, 51000, 443));
    CHECK(cuts_malformed(DLT_IEEE802_11_RADIO, f, h));
    /* TSFT, then flags: data pad (the QoS header padded to 28) and an FCS at the end */
    h = radiotap(f, 24, 0x00000003, 0x30);
    n = h + wlan_ipv4(f + h, 0x88, 0x01, 26);
    memmove(f + h + 28, f + h + 26, n - h - 26);
    n += 2;
    memset(f + n, 0xee, 4);
    n += 4;
    CHECK(decodes(&p, DLT_IEEE802_11_RADIO, f, n, "192.168.1.20", "93.184.216.34", 6, 51000, 443));
    /* the same with the bad-FCS flag */
    f[16] = 0x70;
    CHECK(dec(DLT_IEEE802_11_RADIO, f, n, &p) == NET_DECODE_MALFORMED);
    /* an it_len past the frame, below 8, or a version other than 0 */
    h = radiotap(f, 8, 0, 0);
    n = h + wlan_ipv4(f + h, 0x08, 0x01, 24);
    f[2] = 0xff, f[3] = 0x7f;
    CHECK(dec(DLT_IEEE802_11_RADIO, f, n, &p) == NET_DECODE_MALFORMED);
    f[2] = 4, f[3] = 0;
    CHECK(dec(DLT_IEEE802_11_RADIO, f, n, &p) == NET_DECODE_MALFORMED);
    f[2] = 8, f[0] = 1;
    CHECK(dec(DLT_IEEE802_11_RADIO, f, n, &p) == NET_DECODE_MALFORMED);
    /* extended present words that run past it_len: no flags read, the frame still decodes */
    h = radiotap(f, 12, 0x80000002, 0);
    f[8] = 0xff, f[9] = 0xff, f[10] = 0xff, f[11] = 0xff;
    n = h + wlan_ipv4(f + h, 0x08, 0x01, 24);
    CHECK(dec(DLT_IEEE802_11_RADIO, f, n, &p) == NET_DECODE_OK);
    CHECK(p.dport == 443);
}

static size_t ppi(uint8_t *b, uint16_t len, uint32_t dlt)
{
    memset(b, 0, len);
    b[2] = (uint8_t)len, b[3] = (uint8_t)(len >> 8);
    b[4] = (uint8_t)dlt, b[5] = (uint8_t)(dlt >> 8), b[6] = (uint8_t)(dlt >> 16), b[7] = (uint8_t)(dlt >> 24);
    return len;
}

static void test_ppi(void)
{
    uint8_t f[200];
    net_pkt p;
    size_t h = ppi(f, 32, DLT_IEEE802_11); /* a 24-byte 802.11-common field after the header */
    f[8] = 2, f[10] = 20;
    size_t n = h + wlan_ipv4(f + h, 0x08, 0x02, 24);
    CHECK(decodes(&p, DLT_PPI, f, n, "192.168.1.20", "93.184.216.34", 6, 51000, 443));
    CHECK(cuts_malformed(DLT_PPI, f, h));
    h = ppi(f, 8, DLT_EN10MB);
    memset(f + h, 0xab, 12);
    f[h + 12] = 0x08, f[h + 13] = 0x00;
    n = h + 14 + ipv4_tcp(f + h + 14, "10.9.8.7", "10.6.5.4", 6000, 6001);
    CHECK(decodes(&p, DLT_PPI, f, n, "10.9.8.7", "10.6.5.4", 6, 6000, 6001));
    /* a link type keepwatch does not read inside, PPI in PPI, lying lengths, version 1 */
    f[4] = 147;
    CHECK(dec(DLT_PPI, f, n, &p) == NET_DECODE_NOT_IP);
    f[4] = DLT_PPI;
    CHECK(dec(DLT_PPI, f, n, &p) == NET_DECODE_MALFORMED);
    f[4] = DLT_EN10MB, f[2] = 200;
    CHECK(dec(DLT_PPI, f, n, &p) == NET_DECODE_MALFORMED);
    f[2] = 7;
    CHECK(dec(DLT_PPI, f, n, &p) == NET_DECODE_MALFORMED);
    f[2] = 8, f[0] = 1;
    CHECK(dec(DLT_PPI, f, n, &p) == NET_DECODE_MALFORMED);
    f[0] = 0;
    CHECK(dec(DLT_PPI, f, n, &p) == NET_DECODE_OK);
}

static void test_supported(void)
{
    static const int lts[] = {DLT_PPP, DLT_PPP_SERIAL, DLT_C_HDLC, DLT_NFLOG, DLT_IEEE802_11,
                              DLT_IEEE802_11_RADIO, DLT_PPI};
    for (size_t i = 0; i < sizeof lts / sizeof lts[0]; i++)
        CHECK(net_linktype_supported(lts[i]));
    CHECK(!net_linktype_supported(DLT_IEEE802_11_RADIO_AVS));
    uint8_t f[8] = {0};
    net_pkt p;
    CHECK(dec(DLT_IEEE802_11_RADIO_AVS, f, sizeof f, &p) == NET_DECODE_LINKTYPE);
}

int main(void)
{
    RUN(test_ppp);
    RUN(test_cisco_hdlc);
    RUN(test_nflog);
    RUN(test_nflog_hostile);
    RUN(test_80211_data);
    RUN(test_80211_not_ip);
    RUN(test_radiotap);
    RUN(test_ppi);
    RUN(test_supported);
    TEST_MAIN_END();
}
