/* RDP connection start on the wire: TPKT (RFC 1006) + X.224 Connection Request with its
 * cookie ("Cookie: mstshash=NAME\r\n") or routing token and RDP_NEG_REQ ([MS-RDPBCGR]
 * 2.2.1.1), and the server's Connection Confirm with RDP_NEG_RSP or RDP_NEG_FAILURE. No I/O;
 * slices into the input. */
#include "net/net_proto_int.h"

#include <string.h>

#define RDP_VAR 11   /* TPKT 4, LI, code, DST-REF 2, SRC-REF 2, class */

const char *net_rdp_proto_str(uint32_t bit)
{
    switch (bit) {
    case 0: return "rdp";
    case NET_RDP_PROTO_SSL: return "ssl";
    case NET_RDP_PROTO_HYBRID: return "credssp";
    case NET_RDP_PROTO_RDSTLS: return "rdstls";
    case NET_RDP_PROTO_HYBRID_EX: return "credssp_early_auth";
    case NET_RDP_PROTO_RDSAAD: return "rdsaad";
    default: return "unknown";
    }
}

static net_proto_rc rdp_bad(net_rdp_cr *o, net_proto_why why)
{
    o->why = why;
    return NET_PROTO_MALFORMED;
}

/* The cookie or routing token line at p[RDP_VAR..end); *pos moves after its CR LF. */
static net_proto_rc rdp_cookie(const uint8_t *p, size_t end, bool whole, net_rdp_cr *o, size_t *pos)
{
    static const char ck[] = "Cookie: mstshash=";
    const uint8_t *s = p + RDP_VAR, *cr = NULL;
    for (size_t i = RDP_VAR; i + 1 < end && !cr; i++)
        if (p[i] == '\r' && p[i + 1] == '\n')
            cr = p + i;
    if (!cr)
        return whole ? rdp_bad(o, NET_WHY_RDP_X224) : NET_PROTO_PARTIAL;
    size_t len = (size_t)(cr - s), k = sizeof ck - 1;
    if (len >= k && memcmp(s, ck, k) == 0)
        o->cookie = (net_slice){s + k, len - k};
    else
        o->token = (net_slice){s, len};
    *pos = (size_t)(cr - p) + 2;
    return NET_PROTO_OK;
}

/* RDP_NEG_REQ / RSP / FAILURE: type, flags, length 8 (LE), a 32-bit LE value. */
static net_proto_rc rdp_neg(const uint8_t *p, size_t pos, size_t end, bool whole, net_rdp_cr *o)
{
    if (pos == end)
        return whole ? NET_PROTO_OK : NET_PROTO_PARTIAL;
    if (end - pos < 8)
        return whole ? rdp_bad(o, NET_WHY_RDP_NEG) : NET_PROTO_PARTIAL;
    if ((p[pos + 2] | p[pos + 3] << 8) != 8)
        return rdp_bad(o, NET_WHY_RDP_NEG);
    o->has_neg = true;
    o->neg_type = p[pos];
    o->neg_flags = p[pos + 1];
    o->protocols = (uint32_t)p[pos + 4] | (uint32_t)p[pos + 5] << 8 | (uint32_t)p[pos + 6] << 16 |
                   (uint32_t)p[pos + 7] << 24;
    return whole ? NET_PROTO_OK : NET_PROTO_PARTIAL;
}

net_proto_rc net_rdp_cr_parse(const uint8_t *p, size_t n, net_rdp_cr *out)
{
    memset(out, 0, sizeof *out);
    if ((n >= 1 && p[0] != 3) || (n >= 2 && p[1] != 0) || (n >= 6 && (p[5] & 0xf0) != 0xe0 && (p[5] & 0xf0) != 0xd0))
        return NET_PROTO_NOT_MINE;
    if (n < RDP_VAR)
        return NET_PROTO_PARTIAL;
    size_t tlen = (size_t)p[2] << 8 | p[3];
    if (tlen < RDP_VAR)
        return rdp_bad(out, NET_WHY_RDP_TPKT);
    if ((size_t)p[4] + 5 != tlen)
        return rdp_bad(out, NET_WHY_RDP_X224);
    out->confirm = (p[5] & 0xf0) == 0xd0;
    bool whole = n >= tlen;
    size_t end = whole ? tlen : n, pos = RDP_VAR;
    if (!out->confirm && pos < end && p[pos] != 0x01) {
        net_proto_rc rc = rdp_cookie(p, end, whole, out, &pos);
        if (rc != NET_PROTO_OK)
            return rc;
    }
    return rdp_neg(p, pos, end, whole, out);
}
