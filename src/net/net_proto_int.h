/* Internals the protocol parsers share (not for callers outside src/net/net_proto_*.c and
 * the per-protocol files): a bounded big-endian reader that tells "the data ended" from "a
 * length lies", and a bounded line finder. */
#ifndef NET_PROTO_INT_H
#define NET_PROTO_INT_H

#include "net/net_proto.h"

#include <string.h>

/* Reads p[off..) up to lim (the end its enclosing length declares) with data up to avail. */
typedef struct net_rd {
    const uint8_t *p;
    size_t off, lim, avail;
} net_rd;

typedef enum { NET_RD_OK = 0, NET_RD_SHORT, NET_RD_LIES } net_rd_rc;

static inline net_rd net_rd_make(const uint8_t *p, size_t n)
{
    return (net_rd){.p = p, .off = 0, .lim = n, .avail = n};
}

/* Whether k more bytes can be read: LIES past the declared end, SHORT past the data. */
static inline net_rd_rc net_rd_need(const net_rd *r, size_t k)
{
    if (r->off > r->lim || k > r->lim - r->off)
        return NET_RD_LIES;
    if (r->off > r->avail || k > r->avail - r->off)
        return NET_RD_SHORT;
    return NET_RD_OK;
}

static inline size_t net_rd_left(const net_rd *r)
{
    return r->off < r->lim ? r->lim - r->off : 0;
}

/* Big-endian integer of k (1..4) bytes; advances. */
static inline net_rd_rc net_rd_uint(net_rd *r, size_t k, uint32_t *v)
{
    net_rd_rc rc = net_rd_need(r, k);
    if (rc != NET_RD_OK)
        return rc;
    uint32_t x = 0;
    for (size_t i = 0; i < k; i++)
        x = x << 8 | r->p[r->off + i];
    r->off += k;
    *v = x;
    return NET_RD_OK;
}

/* A vector of len bytes as its own reader (data cut at the parent's); the parent skips it. */
static inline net_rd_rc net_rd_sub(net_rd *r, size_t len, net_rd *sub)
{
    if (r->off > r->lim || len > r->lim - r->off)
        return NET_RD_LIES;
    sub->p = r->p;
    sub->off = r->off;
    sub->lim = r->off + len;
    sub->avail = r->avail < sub->lim ? r->avail : sub->lim;
    r->off += len;
    return NET_RD_OK;
}

/* A vector with a k-byte length prefix, as its own reader. */
static inline net_rd_rc net_rd_vec(net_rd *r, size_t k, net_rd *sub)
{
    uint32_t len;
    net_rd_rc rc = net_rd_uint(r, k, &len);
    return rc != NET_RD_OK ? rc : net_rd_sub(r, len, sub);
}

/* The line at p[pos..n): OK with [pos, *end) without its CR LF (or bare LF, which sets
 * *bare_lf) and *next after it; PARTIAL when no LF comes within the data; MALFORMED when
 * none comes within max bytes. */
net_proto_rc net_proto_line(const uint8_t *p, size_t n, size_t pos, size_t max, size_t *end, size_t *next,
                            bool *bare_lf);

/* Copies a name of n bytes to out[cap] lower-cased or not, bytes outside '!'..'~' as '?';
 * cut at cap - 1; returns whether a byte was replaced. */
bool net_proto_print_copy(char *out, size_t cap, const uint8_t *s, size_t n, bool lower);

static inline bool net_proto_is_tchar(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && c < 0x7f && strchr("!#$%&'*+-.^_`|~", c));
}

#endif
