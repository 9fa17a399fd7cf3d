/* Frame decoding: Ethernet (802.1Q and QinQ), Linux cooked capture v1 and v2, raw IP, BSD
 * loopback; IPv4 (options, fragments) and IPv6 (extension headers, fragments); TCP, UDP,
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

bool net_linktype_supported(int lt)
{
    switch (lt) {
    case DLT_EN10MB: case DLT_RAW: case 101 /* LINKTYPE_RAW */: case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2: case DLT_NULL: case DLT_LOOP: case DLT_IPV4: case DLT_IPV6:
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

net_decode_rc net_decode(int lt, const uint8_t *p, uint32_t caplen, uint32_t wirelen, net_pkt *o)
{
    int64_t ts = o->ts_ns;
    memset(o, 0, sizeof *o);
    o->ts_ns = ts;
    o->wirelen = wirelen;
    switch (lt) {
    case DLT_EN10MB: {
        if (caplen < 14)
            return NET_DECODE_MALFORMED;
        uint16_t et = rd16(p + 12);
        uint32_t off = 14;
        while (et == ETH_VLAN || et == ETH_QINQ || et == ETH_QINQ_OLD) {
            if (caplen < off + 4 || o->nvlan == 2)
                return NET_DECODE_MALFORMED;
            o->vlan[o->nvlan++] = rd16(p + off) & 0x0fff;
            et = rd16(p + off + 2);
            off += 4;
        }
        return decode_ethertype(et, p + off, caplen - off, o);
    }
    case DLT_LINUX_SLL:
        if (caplen < 16)
            return NET_DECODE_MALFORMED;
        return decode_ethertype(rd16(p + 14), p + 16, caplen - 16, o);
    case DLT_LINUX_SLL2:
        if (caplen < 20)
            return NET_DECODE_MALFORMED;
        return decode_ethertype(rd16(p), p + 20, caplen - 20, o);
    case DLT_NULL:
    case DLT_LOOP: {
        if (caplen < 4)
            return NET_DECODE_MALFORMED;
        /* the address family, in the capturing host's byte order (DLT_NULL) or network order */
        uint32_t af = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        if (lt == DLT_LOOP || af > 0xffff)
            af = (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
        if (af == 2)
            return decode_ipv4(p + 4, caplen - 4, o);
        if (af == 10 || af == 24 || af == 28 || af == 30)
            return decode_ipv6(p + 4, caplen - 4, o);
        return NET_DECODE_NOT_IP;
    }
    case DLT_RAW:
    case 101:
    case DLT_IPV4:
    case DLT_IPV6:
        if (caplen < 1)
            return NET_DECODE_MALFORMED;
        return (p[0] >> 4) == 6 ? decode_ipv6(p, caplen, o) : decode_ipv4(p, caplen, o);
    }
    return NET_DECODE_LINKTYPE;
}

void net_addr_str(const net_addr *a, char *out, size_t n)
{
    if (!inet_ntop(a->v6 ? AF_INET6 : AF_INET, a->b, out, (socklen_t)n))
        snprintf(out, n, "?");
}
