/* DNS messages on the wire (UDP payloads, and TCP with its length prefix): the header, the
 * first questions and answers, names decoded with compression pointers that must point
 * strictly backwards within a bounded number of jumps, and the rdata of A, AAAA, CNAME, NS,
 * PTR, MX and TXT. No I/O, no allocation: everything lands in the caller's net_dns_msg. */
#include "net/net_proto_int.h"

#include <string.h>

typedef struct dns_ctx {
    const uint8_t *p;
    size_t n;
    bool complete;      /* the whole message is in p[0..n): running out is a lie */
    net_dns_msg *m;
} dns_ctx;

static net_proto_rc dns_short(const dns_ctx *c)
{
    if (!c->complete)
        return NET_PROTO_PARTIAL;
    c->m->why = NET_WHY_DNS_TRUNCATED;
    return NET_PROTO_MALFORMED;
}

static net_proto_rc dns_bad(const dns_ctx *c, net_proto_why why)
{
    c->m->why = why;
    return NET_PROTO_MALFORMED;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Appends one label to out (lower case; bytes outside '!'..'~' and '.' become '?'). */
static void dns_label_put(const dns_ctx *c, const uint8_t *s, size_t len, char *out, size_t *o)
{
    if (*o)
        out[(*o)++] = '.';
    for (size_t i = 0; i < len; i++) {
        uint8_t b = s[i];
        if (b < '!' || b > '~' || b == '.') {
            b = '?';
            c->m->odd_chars = true;
        } else if (b >= 'A' && b <= 'Z') {
            b = (uint8_t)(b + 32);
        }
        out[(*o)++] = (char)b;
    }
}

/* A compression pointer at pos: its target must lie strictly before it. */
static net_proto_rc dns_jump(const dns_ctx *c, size_t *pos, size_t *jumps, size_t *off, bool *jumped)
{
    if (*pos + 1 >= c->n)
        return dns_short(c);
    size_t target = (size_t)(c->p[*pos] & 0x3f) << 8 | c->p[*pos + 1];
    if (target >= *pos || ++*jumps > NET_DNS_MAX_JUMPS)
        return dns_bad(c, NET_WHY_DNS_POINTER);
    if (!*jumped)
        *off = *pos + 2;
    *jumped = true;
    *pos = target;
    return NET_PROTO_OK;
}

/* Decodes the name at *off into out[NET_DNS_NAME_MAX]; *off moves past it in the message. */
static net_proto_rc dns_name(const dns_ctx *c, size_t *off, char *out)
{
    size_t pos = *off, o = 0, jumps = 0, wire = 0;
    bool jumped = false;
    out[0] = '\0';
    for (;;) {
        if (pos >= c->n)
            return dns_short(c);
        uint8_t len = c->p[pos];
        net_proto_rc rc;
        if ((len & 0xc0) == 0xc0) {
            if ((rc = dns_jump(c, &pos, &jumps, off, &jumped)) != NET_PROTO_OK)
                return rc;
            continue;
        }
        if (len & 0xc0)
            return dns_bad(c, NET_WHY_DNS_LABEL_TYPE);
        if (len == 0)
            break;
        wire += (size_t)len + 1;
        if (wire > 254)
            return dns_bad(c, NET_WHY_DNS_NAME_TOO_LONG);
        if (pos + 1 + len > c->n)
            return dns_short(c);
        dns_label_put(c, c->p + pos + 1, len, out, &o);
        pos += 1 + (size_t)len;
    }
    out[o] = '\0';
    if (!jumped)
        *off = pos + 1;
    return NET_PROTO_OK;
}

static net_proto_rc dns_questions(const dns_ctx *c, size_t *off)
{
    net_dns_msg *m = c->m;
    for (size_t i = 0; i < m->qdcount; i++) {
        net_dns_q scrap, *q = i < NET_DNS_MAX_Q ? &m->q[i] : &scrap;
        net_proto_rc rc = dns_name(c, off, q->name);
        if (rc != NET_PROTO_OK)
            return rc;
        if (*off + 4 > c->n)
            return dns_short(c);
        q->type = be16(c->p + *off);
        q->qclass = be16(c->p + *off + 2);
        *off += 4;
        if (i < NET_DNS_MAX_Q)
            m->nq = i + 1;
    }
    return NET_PROTO_OK;
}

/* A name inside rdata [a, e): it must end within it. */
static net_proto_rc dns_rdata_name(const dns_ctx *c, size_t a, size_t e, char *out)
{
    size_t off = a;
    net_proto_rc rc = dns_name(c, &off, out);
    if (rc == NET_PROTO_OK && off > e)
        return dns_bad(c, NET_WHY_DNS_RDATA);
    return rc;
}

static net_proto_rc dns_txt(const dns_ctx *c, size_t a, size_t e, net_dns_rr *rr)
{
    size_t o = 0;
    while (a < e) {
        size_t len = c->p[a];
        if (a + 1 + len > e)
            return dns_bad(c, NET_WHY_DNS_RDATA);
        size_t k = len < NET_DNS_NAME_MAX - 1 - o ? len : NET_DNS_NAME_MAX - 1 - o;
        memcpy(rr->data + o, c->p + a + 1, k);
        o += k;
        rr->txt_len += len;
        a += 1 + len;
    }
    rr->data[o] = '\0';
    return NET_PROTO_OK;
}

static net_proto_rc dns_rdata(const dns_ctx *c, size_t a, net_dns_rr *rr)
{
    size_t e = a + rr->rdlen;
    switch (rr->type) {
    case NET_DNS_A:
    case NET_DNS_AAAA:
        if (rr->rdlen != (rr->type == NET_DNS_A ? 4 : 16))
            return dns_bad(c, NET_WHY_DNS_RDATA);
        memcpy(rr->addr, c->p + a, rr->rdlen);
        return NET_PROTO_OK;
    case NET_DNS_CNAME:
    case NET_DNS_NS:
    case NET_DNS_PTR:
        return dns_rdata_name(c, a, e, rr->data);
    case NET_DNS_MX:
        if (rr->rdlen < 3)
            return dns_bad(c, NET_WHY_DNS_RDATA);
        rr->mx_pref = be16(c->p + a);
        return dns_rdata_name(c, a + 2, e, rr->data);
    case NET_DNS_TXT:
        return dns_txt(c, a, e, rr);
    default:
        return NET_PROTO_OK;
    }
}

static net_proto_rc dns_answer(const dns_ctx *c, size_t *off, net_dns_rr *rr)
{
    memset(rr, 0, sizeof *rr);
    net_proto_rc rc = dns_name(c, off, rr->name);
    if (rc != NET_PROTO_OK)
        return rc;
    const uint8_t *h = c->p + *off;
    if (*off + 10 > c->n)
        return dns_short(c);
    rr->type = be16(h);
    rr->rclass = be16(h + 2);
    rr->ttl = (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
    rr->rdlen = be16(h + 8);
    *off += 10;
    if (*off + rr->rdlen > c->n)
        return dns_short(c);
    rc = dns_rdata(c, *off, rr);
    *off += rr->rdlen;
    return rc;
}

static net_proto_rc dns_header(const dns_ctx *c)
{
    net_dns_msg *m = c->m;
    if (c->n < 12)
        return dns_short(c);
    m->id = be16(c->p);
    m->flags = be16(c->p + 2);
    m->qr = m->flags >> 15;
    m->opcode = (uint8_t)(m->flags >> 11 & 0xf);
    m->rcode = (uint8_t)(m->flags & 0xf);
    m->qdcount = be16(c->p + 4);
    m->ancount = be16(c->p + 6);
    m->nscount = be16(c->p + 8);
    m->arcount = be16(c->p + 10);
    if (m->opcode == 3 || m->opcode > 6 || (!m->qr && m->qdcount == 0))
        return NET_PROTO_NOT_MINE;
    return NET_PROTO_OK;
}

static net_proto_rc dns_parse(dns_ctx *c)
{
    memset(c->m, 0, sizeof *c->m);
    net_proto_rc rc = dns_header(c);
    size_t off = 12;
    if (rc == NET_PROTO_OK)
        rc = dns_questions(c, &off);
    for (size_t i = 0; rc == NET_PROTO_OK && i < c->m->ancount && i < NET_DNS_MAX_AN; i++) {
        rc = dns_answer(c, &off, &c->m->an[i]);
        if (rc != NET_PROTO_PARTIAL)
            c->m->nan = i + 1;
    }
    return rc;
}

net_proto_rc net_dns_parse(const uint8_t *p, size_t n, net_dns_msg *out)
{
    dns_ctx c = {p, n, false, out};
    return dns_parse(&c);
}

net_proto_rc net_dns_parse_tcp(const uint8_t *p, size_t n, net_dns_msg *out, size_t *used)
{
    memset(out, 0, sizeof *out);
    if (n < 2)
        return NET_PROTO_PARTIAL;
    size_t len = be16(p);
    if (len < 12) {
        out->why = NET_WHY_DNS_TCP_LENGTH;
        return NET_PROTO_MALFORMED;
    }
    bool whole = n - 2 >= len;
    dns_ctx c = {p + 2, whole ? len : n - 2, whole, out};
    net_proto_rc rc = dns_parse(&c);
    if (rc == NET_PROTO_OK && !whole)
        return NET_PROTO_PARTIAL;
    if (rc == NET_PROTO_OK)
        *used = 2 + len;
    return rc;
}
