/* libFuzzer target: TCP reassembly. The input is a script of segments, each a 6-byte head
 * (flags; which of 4 flows and which direction; a 16-bit sequence offset; a length up to
 * 255) and then its bytes, fed to one table whose consumer takes some, skips some, and
 * checks that what it is given is readable and bounded (a buffer, or a segment read where it
 * lies). Four flows in a table of
 * eight slots and two buffers: eviction and an empty pool happen. */
#include "net/net_flow.h"

#include <stdlib.h>
#include <string.h>

static size_t consume(void *arg, net_flow *f, int dir, const uint8_t *p, size_t n, bool final)
{
    (void)arg;
    if (n > 65535 + NET_FLOW_CLIENT_BUF) /* a segment read in place, or a buffer */
        abort();
    volatile uint8_t sum = 0;
    for (size_t i = 0; i < n; i++) /* every byte given must be readable */
        sum ^= p[i];
    if (n && p[0] == 'S')
        f->skip[dir] = p[n - 1];
    if (n && p[0] == 'D')
        f->done |= (uint8_t)(1u << dir);
    return final || !n ? n : (n + (sum & 1)) / 2;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    net_flows *t = net_flows_new_sized(8, 2, consume, NULL); /* small: eviction and an empty pool happen */
    uint32_t base[4] = {1000, 0xfffff000u, 7, 0x7fffffffu};
    int64_t ts = 1000000000LL;
    while (size >= 6) {
        uint8_t flags = data[0], who = data[1];
        uint32_t off = (uint32_t)data[2] << 8 | data[3];
        size_t len = data[4];
        data += 6;
        size -= 6;
        if (len > size)
            len = size;
        int flow = who & 3, dir = who >> 2 & 1;
        net_pkt p;
        memset(&p, 0, sizeof p);
        p.ts_ns = ts++;
        p.proto = 6;
        p.has_ports = true;
        p.src.b[0] = 10, p.src.b[3] = (uint8_t)(dir ? 2 : 1 + flow * 4);
        p.dst.b[0] = 10, p.dst.b[3] = (uint8_t)(dir ? 1 + flow * 4 : 2);
        p.sport = dir ? 80 : (uint16_t)(40000 + flow);
        p.dport = dir ? (uint16_t)(40000 + flow) : 80;
        p.tcp_flags = flags;
        p.tcp_seq = base[flow] + (who & 8 ? 0x80000000u : 0) + off;
        p.payload = len ? data : NULL;
        p.payload_len = (uint32_t)len;
        net_flows_packet(t, &p);
        data += len;
        size -= len;
    }
    net_flows_finish(t);
    net_flows_free(t);
    return 0;
}
