/* bench/gen_pcap.c: writes a large synthetic capture for bench/net.sh.
 *
 * usage: gen_pcap OUT.pcap [PACKETS] [FLOOD_SOURCES]
 *
 * Ordinary TCP sessions between thousands of clients (10.1.0.0/16) and 64 servers
 * (192.0.2.0/26) on ports 80, 443, 22 and 3306 (handshake, data both ways, close), with a
 * SYN flood from FLOOD_SOURCES random spoofed sources against 192.0.2.10:80 running through
 * the middle third. 100,000 packets per second of capture time, Ethernet, snap length 128.
 * Addresses are documentation and private ranges; nothing is sent anywhere. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static FILE *out;
static uint64_t t_us = 1795000000ull * 1000000;

static void put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put_u32(uint8_t *p, uint32_t v) { put_u16(p, (uint16_t)(v >> 16)), put_u16(p + 2, (uint16_t)v); }

static void frame(uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, uint8_t flags, uint16_t payload)
{
    uint8_t f[128];
    memset(f, 0, 54);
    memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00", 14);
    uint8_t *ip = f + 14, *tcp = f + 34;
    ip[0] = 0x45;
    put_u16(ip + 2, (uint16_t)(40 + payload));
    ip[8] = 64;
    ip[9] = 6;
    put_u32(ip + 12, src);
    put_u32(ip + 16, dst);
    put_u16(tcp, sp);
    put_u16(tcp + 2, dp);
    tcp[12] = 0x50;
    tcp[13] = flags;
    uint32_t wire = 54 + payload, cap = wire < 128 ? wire : 128;
    memset(f + 54, 'x', cap - 54);
    uint32_t hdr[4] = {(uint32_t)(t_us / 1000000), (uint32_t)(t_us % 1000000), cap, wire};
    fwrite(hdr, sizeof hdr, 1, out);
    fwrite(f, cap, 1, out);
    t_us += 10; /* 100,000 packets per second */
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen_pcap OUT.pcap [PACKETS] [FLOOD_SOURCES]\n");
        return 2;
    }
    uint64_t total = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000000;
    uint64_t flood = argc > 3 ? strtoull(argv[3], NULL, 10) : 1500000;
    out = fopen(argv[1], "wb");
    if (!out)
        return 1;
    static char buf[1 << 20];
    setvbuf(out, buf, _IOFBF, sizeof buf);
    uint32_t gh[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 128, 1};
    fwrite(gh, sizeof gh, 1, out);
    static const uint16_t ports[] = {80, 443, 22, 3306};
    uint64_t n = 0, flood_sent = 0, flood_start = total / 3, every = flood ? (total / 3) / flood : 0;
    if (every < 1)
        every = 1;
    uint16_t cport = 1024;
    while (n < total) {
        /* one ordinary session: 3-way handshake, 2-6 data packets each way, FIN/ACK */
        uint32_t c = 0x0a010000u | (rnd() % 20000), s = 0xc0000200u | (rnd() % 64);
        uint16_t sp = ports[rnd() % 4], cp = cport++;
        if (cport < 1024)
            cport = 1024;
        int data = 2 + (int)(rnd() % 5);
        int steps = 3 + 2 * data + 4;
        for (int k = 0; k < steps && n < total; k++) {
            if (flood && n >= flood_start && flood_sent < flood && n % every == 0) {
                uint32_t spoof = rnd();
                if ((spoof >> 24) == 10 || (spoof >> 24) == 0 || (spoof >> 24) >= 224)
                    spoof ^= 0x40000000u;
                frame(spoof, 0xc000020au, (uint16_t)rnd(), 80, 0x02, 0);
                flood_sent++;
                n++;
                continue;
            }
            if (k == 0)
                frame(c, s, cp, sp, 0x02, 0);
            else if (k == 1)
                frame(s, c, sp, cp, 0x12, 0);
            else if (k == 2)
                frame(c, s, cp, sp, 0x10, 0);
            else if (k < 3 + 2 * data)
                (k & 1) ? frame(c, s, cp, sp, 0x18, 200) : frame(s, c, sp, cp, 0x18, 1200);
            else if (k == steps - 4)
                frame(c, s, cp, sp, 0x11, 0);
            else if (k == steps - 3)
                frame(s, c, sp, cp, 0x10, 0);
            else if (k == steps - 2)
                frame(s, c, sp, cp, 0x11, 0);
            else
                frame(c, s, cp, sp, 0x10, 0);
            n++;
        }
    }
    fclose(out);
    fprintf(stderr, "gen_pcap: %llu packets, %llu of them a SYN flood from random sources\n", (unsigned long long)n,
            (unsigned long long)flood_sent);
    return 0;
}
