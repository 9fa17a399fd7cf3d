/* Frame decoding: Ethernet (802.1Q and QinQ), Linux cooked capture v1 and v2, raw IP, BSD
 * loopback, PPP (bare or in HDLC-like framing), Cisco HDLC, Linux NFLOG, IEEE 802.11 data
 * frames (bare, under radiotap or under PPI); IPv4 (options, fragments) and IPv6 (extension headers, fragments); TCP, UDP,
 * ICMP, ICMPv6. Every length is checked against what was captured. */
#include "net/net.h"

#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <string.h>

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) << 16 | rd16(p + 2); }
static uint16_t rd16le(const uint8_t *p) { return (uint16_t)(p[1] << 8 | p[0]); }
static uint32_t rd32le(const uint8_t *p) { return (uint32_t)rd16le(p + 2) << 16 | rd16le(p); }

bool net_linktype_supported(int lt)
{
    switch (lt) {
    case DLT_EN10MB: case DLT_RAW: case 101 /* LINKTYPE_RAW */: case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2: case DLT_NULL: case DLT_LOOP: case DLT_IPV4: case DLT_IPV6:
    case DLT_PPP: case DLT_PPP_SERIAL: case DLT_C_HDLC: case DLT_NFLOG: case DLT_IEEE802_11:
    case DLT_IEEE802_11_RADIO: case DLT_PPI:
        return true;
    }
    return false;
}

/* The transport header at p (the callers have returned already for later fragments). */
static net_decode_rc decode_l4(const uint8_t *p, uint32_t len, net_pkt *o)
{
    switch (o->proto) {
    case 6: {
        if (len < 4)
            return NET_DECODE_MALFORMED;
        o->sport = rd16(p);
        o->dport = rd16(p + 2);
        o->has_ports = true;
        if (len < 14) /* cut by the snap length: ports, but no flags */
            return NET_DECODE_OK;
        uint32_t doff = (uint32_t)(p[12] >> 4) * 4;
        if (len >= 20 && doff < 20)
            return NET_DECODE_MALFORMED;
        o->tcp_seq = rd32(p + 4);
        o->tcp_ack = rd32(p + 8);
        o->tcp_flags = p[13];
        if (doff <= len && len > doff) {
            o->payload = p + doff;
            o->payload_len = len - doff;
        }
        return NET_DECODE_OK;
    }
    case 17: {
        if (len < 8)
            return NET_DECODE_MALFORMED;
        o->sport = rd16(p);
        o->dport = rd16(p + 2);
        o->has_ports = true;
        uint32_t ulen = rd16(p + 4); /* the datagram's own length bounds its payload too */
        uint32_t end = ulen >= 8 && ulen < len ? ulen : len;
        if (end > 8) {
            o->payload = p + 8;
            o->payload_len = end - 8;
        }
        return NET_DECODE_OK;
    }
    case 1:
    case 58:
        if (len < 2)
            return NET_DECODE_MALFORMED;
        o->icmp_type = p[0];
        o->icmp_code = p[1];
        return NET_DECODE_OK;
    }
    return NET_DECODE_OK;
}

static net_decode_rc decode_ipv4(const uint8_t *p, uint32_t len, net_pkt *o)
{
    if (len < 20 || (p[0] >> 4) != 4)
        return NET_DECODE_MALFORMED;
    uint32_t ihl = (uint32_t)(p[0] & 0x0f) * 4;
    uint32_t total = rd16(p + 2);
    if (ihl < 20 || total < ihl || ihl > len)
        return NET_DECODE_MALFORMED;
    o->src.v6 = o->dst.v6 = 0;
    memcpy(o->src.b, p + 12, 4);
    memcpy(o->dst.b, p + 16, 4);
    o->proto = p[9];
    uint16_t frag = rd16(p + 6);
    uint16_t off = frag & 0x1fff;
    o->fragment = off || (frag & 0x2000);
    if (off) /* a later fragment has no transport header */
        return NET_DECODE_OK;
    uint32_t avail = (total < len ? total : len) - ihl; /* what the IP length claims, as captured */
    return decode_l4(p + ihl, avail, o);
}

static net_decode_rc decode_ipv6(const uint8_t *p, uint32_t len, net_pkt *o)
{
    if (len < 40 || (p[0] >> 4) != 6)
        return NET_DECODE_MALFORMED;
    o->src.v6 = o->dst.v6 = 1;
    memcpy(o->src.b, p + 8, 16);
    memcpy(o->dst.b, p + 24, 16);
    uint32_t plen = rd16(p + 4);
    uint32_t end = 40 + plen < len ? 40 + plen : len;
    uint8_t nh = p[6];
    uint32_t off = 40;
    /* walk the extension headers: hop-by-hop, routing, fragment, destination options, AH */
    for (int guard = 0; guard < 16; guard++) {
        if (nh == 0 || nh == 43 || nh == 60 || nh == 51) {
            if (off + 8 > end)
                return NET_DECODE_MALFORMED;
            uint32_t hl = nh == 51 ? ((uint32_t)p[off + 1] + 2) * 4 : ((uint32_t)p[off + 1] + 1) * 8;
            nh = p[off];
            off += hl;
            if (off > end)
                return NET_DECODE_MALFORMED;
        } else if (nh == 44) {
            if (off + 8 > end)
                return NET_DECODE_MALFORMED;
            uint16_t fo = rd16(p + off + 2);
            o->fragment = true;
            nh = p[off];
            off += 8;
            if (fo & 0xfff8) { /* not the first fragment */
                o->proto = nh;
                return NET_DECODE_OK;
            }
        } else {
            break;
        }
    }
    o->proto = nh;
    return decode_l4(p + off, end - off, o);
}

static net_decode_rc decode_ethertype(uint16_t et, const uint8_t *p, uint32_t len, net_pkt *o)
{
    if (et == ETH_IPV4)
        return decode_ipv4(p, len, o);
    if (et == ETH_IPV6)
        return decode_ipv6(p, len, o);
    return NET_DECODE_NOT_IP;
}

static net_decode_rc decode_eth(const uint8_t *p, uint32_t len, net_pkt *o)
{
    if (len < 14)
        return NET_DECODE_MALFORMED;
    uint16_t et = rd16(p + 12);
    uint32_t off = 14;
    while (et == ETH_VLAN || et == ETH_QINQ || et == ETH_QINQ_OLD) {
        if (len < off + 4 || o->nvlan == 2)
            return NET_DECODE_MALFORMED;
        o->vlan[o->nvlan++] = rd16(p + off) & 0x0fff;
        et = rd16(p + off + 2);
        off += 4;
    }
    return decode_ethertype(et, p + off, len - off, o);
}

static net_decode_rc decode_loop(int lt, const uint8_t *p, uint32_t len, net_pkt *o)
{
    if (len < 4)
        return NET_DECODE_MALFORMED;
    /* the address family, in the capturing host's byte order (DLT_NULL) or network order */
    uint32_t af = rd32le(p);
    if (lt == DLT_LOOP || af > 0xffff)
        af = rd32(p);
    if (af == 2)
        return decode_ipv4(p + 4, len - 4, o);
    if (af == 10 || af == 24 || af == 28 || af == 30)
        return decode_ipv6(p + 4, len - 4, o);
    return NET_DECODE_NOT_IP;
}

/* PPP (RFC 1661): the RFC 1662 address and control bytes if there (0xff never starts a
 * protocol field), then a protocol field of two bytes, or one when compressed (odd). */
static net_decode_rc decode_ppp(const uint8_t *p, uint32_t len, net_pkt *o)
{
    uint32_t off = 0;
    if (len >= 1 && p[0] == 0xff) {
        if (len < 2 || p[1] != 0x03)
            return NET_DECODE_MALFORMED;
        off = 2;
    }
    if (len < off + 1 || (!(p[off] & 1) && len < off + 2))
        return NET_DECODE_MALFORMED;
    uint16_t proto = p[off] & 1 ? p[off] : rd16(p + off);
    off += p[off] & 1 ? 1 : 2;
    if (proto == 0x0021)
        return decode_ipv4(p + off, len - off, o);
    if (proto == 0x0057)
        return decode_ipv6(p + off, len - off, o);
    return NET_DECODE_NOT_IP;
}

/* Cisco HDLC: address (0x0f or 0x8f), control, then an Ethernet type. */
static net_decode_rc decode_chdlc(const uint8_t *p, uint32_t len, net_pkt *o)
{
    if (len < 4)
        return NET_DECODE_MALFORMED;
    return decode_ethertype(rd16(p + 2), p + 4, len - 4, o);
}

#define NFULA_PAYLOAD 9

/* Linux NFLOG: family, version 0 and a resource id, then TLVs of a 16-bit length (header
 * included) and type, each padded to 4 bytes, in the logging host's byte order, which the
 * first type tells (types are below 256; the top bit may flag nesting). */
static net_decode_rc decode_nflog(const uint8_t *p, uint32_t len, net_pkt *o)
{
    if (len < 4 || p[1] != 0)
        return NET_DECODE_MALFORMED;
    bool be = len >= 8 && (p[6] & 0x7f) == 0 && p[7] != 0;
    uint32_t off = 4;
    while (len - off >= 4) {
        uint32_t tl = be ? rd16(p + off) : rd16le(p + off);
        uint32_t ty = (be ? rd16(p + off + 2) : rd16le(p + off + 2)) & 0x7fff;
        if (tl < 4)
            return NET_DECODE_MALFORMED;
        if (ty == NFULA_PAYLOAD) { /* the snap length may cut the packet, and so this TLV */
            uint32_t n = (tl < len - off ? tl : len - off) - 4;
            if (p[0] == 2)
                return decode_ipv4(p + off + 4, n, o);
            return p[0] == 10 ? decode_ipv6(p + off + 4, n, o) : NET_DECODE_NOT_IP;
        }
        if (tl > len - off)
            return NET_DECODE_MALFORMED;
        uint32_t step = (tl + 3) & ~3u;
        if (step > len - off)
            break;
        off += step;
    }
    return NET_DECODE_NOT_IP; /* no packet in it */
}

/* IEEE 802.11: data frames that carry a body, not protected, with LLC/SNAP. pad: the body
 * starts at a 4-byte boundary (radiotap's data pad flag). */
static net_decode_rc decode_80211(const uint8_t *p, uint32_t len, bool pad, net_pkt *o)
{
    if (len < 2 || (p[0] & 3) != 0)
        return NET_DECODE_MALFORMED;
    uint8_t type = (p[0] >> 2) & 3, sub = p[0] >> 4, flags = p[1];
    if (type != 2 || (sub & 4) || (flags & 0x40)) /* management, control, no data, protected */
        return NET_DECODE_NOT_IP;
    uint32_t hl = (flags & 3) == 3 ? 30 : 24; /* to and from the DS: a fourth address */
    uint32_t qos = hl;
    if (sub & 8)
        hl += flags & 0x80 ? 6 : 2; /* QoS control, and HT control when ordered */
    if (pad)
        hl = (hl + 3) & ~3u;
    if (len < hl + 8)
        return NET_DECODE_MALFORMED;
    if ((sub & 8) && (p[qos] & 0x80)) /* an A-MSDU: not read */
        return NET_DECODE_NOT_IP;
    const uint8_t *l = p + hl;
    if (l[0] != 0xaa || l[1] != 0xaa || l[2] != 0x03 || l[3] != 0 || l[4] != 0 || (l[5] != 0 && l[5] != 0xf8))
        return NET_DECODE_NOT_IP;
    return decode_ethertype(rd16(l + 6), l + 8, len - hl - 8, o);
}

/* The radiotap flags field (0 when absent): it follows the present words, after the 8-byte
 * TSF field when that is present. */
static uint8_t radiotap_flags(const uint8_t *p, uint32_t itlen)
{
    uint32_t present = rd32le(p + 4), off = 4;
    while (rd32le(p + off) & 0x80000000u) {
        off += 4;
        if (off + 4 > itlen)
            return 0;
    }
    off += 4;
    if (!(present & 2))
        return 0;
    if (present & 1)
        off = ((off + 7) & ~7u) + 8;
    return off < itlen ? p[off] : 0;
}

#define RADIOTAP_FCS 0x10
#define RADIOTAP_PAD 0x20
#define RADIOTAP_BADFCS 0x40

/* Radiotap: version 0, a pad byte, the header's length (little-endian), present bits. */
static net_decode_rc decode_radiotap(const uint8_t *p, uint32_t len, net_pkt *o)
{
    if (len < 8 || p[0] != 0)
        return NET_DECODE_MALFORMED;
    uint32_t itlen = rd16le(p + 2);
    if (itlen < 8 || itlen > len)
        return NET_DECODE_MALFORMED;
    uint8_t fl = radiotap_flags(p, itlen);
    if (fl & RADIOTAP_BADFCS)
        return NET_DECODE_MALFORMED;
    uint32_t n = len - itlen;
    if ((fl & RADIOTAP_FCS) && n >= 4)
        n -= 4;
    return decode_80211(p + itlen, n, fl & RADIOTAP_PAD, o);
}

static net_decode_rc decode_link(int lt, const uint8_t *p, uint32_t len, net_pkt *o);

/* PPI: version 0, flags, the header's length and the link type within (little-endian). */
static net_decode_rc decode_ppi(const uint8_t *p, uint32_t len, net_pkt *o)
{
    if (len < 8 || p[0] != 0)
        return NET_DECODE_MALFORMED;
    uint32_t hl = rd16le(p + 2), dlt = rd32le(p + 4);
    if (hl < 8 || hl > len)
        return NET_DECODE_MALFORMED;
    if (dlt == DLT_PPI) /* no nesting */
        return NET_DECODE_MALFORMED;
    net_decode_rc rc = decode_link((int)dlt, p + hl, len - hl, o);
    return rc == NET_DECODE_LINKTYPE ? NET_DECODE_NOT_IP : rc;
}

static net_decode_rc decode_link(int lt, const uint8_t *p, uint32_t len, net_pkt *o)
{
    switch (lt) {
    case DLT_EN10MB:
        return decode_eth(p, len, o);
    case DLT_LINUX_SLL:
        if (len < 16)
            return NET_DECODE_MALFORMED;
        return decode_ethertype(rd16(p + 14), p + 16, len - 16, o);
    case DLT_LINUX_SLL2:
        if (len < 20)
            return NET_DECODE_MALFORMED;
        return decode_ethertype(rd16(p), p + 20, len - 20, o);
    case DLT_NULL:
    case DLT_LOOP:
        return decode_loop(lt, p, len, o);
    case DLT_RAW:
    case 101:
    case DLT_IPV4:
    case DLT_IPV6:
        if (len < 1)
            return NET_DECODE_MALFORMED;
        return (p[0] >> 4) == 6 ? decode_ipv6(p, len, o) : decode_ipv4(p, len, o);
    case DLT_PPP:
        return decode_ppp(p, len, o);
    case DLT_PPP_SERIAL: /* PPP in HDLC-like framing, or Cisco's PPP in Cisco HDLC framing */
        return len >= 1 && (p[0] == 0x0f || p[0] == 0x8f) ? decode_chdlc(p, len, o) : decode_ppp(p, len, o);
    case DLT_C_HDLC:
        return decode_chdlc(p, len, o);
    case DLT_NFLOG:
        return decode_nflog(p, len, o);
    case DLT_IEEE802_11:
        return decode_80211(p, len, false, o);
    case DLT_IEEE802_11_RADIO:
        return decode_radiotap(p, len, o);
    case DLT_PPI:
        return decode_ppi(p, len, o);
    }
    return NET_DECODE_LINKTYPE;
}

net_decode_rc net_decode(int lt, const uint8_t *p, uint32_t caplen, uint32_t wirelen, net_pkt *o)
{
    int64_t ts = o->ts_ns;
    memset(o, 0, sizeof *o);
    o->ts_ns = ts;
    o->wirelen = wirelen;
    return decode_link(lt, p, caplen, o);
}

