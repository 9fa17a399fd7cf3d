/* The drill's captures: the built-in attacks generated packet by packet (Ethernet, IPv4, TCP
 * or UDP with their checksums) from a fixed seed and a fixed start time, so the same
 * injection always replays the same bytes; and the source addresses of a given capture.
 * The frames are written with libpcap's dumper on a dead handle: nothing else is touched. */
#include "drill/drill_pcap.h"
#include "core/kw_addr.h"
#include "core/kw_mem.h"
#include "net/net.h"

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_START_S 1767225600LL /* 2026-01-01T00:00:00Z: the captures' own clock */
#define GEN_MAX_PACKETS 2000000  /* 2M frames at most, whatever the rate and duration asked */
#define SEEN_PACKETS 10000

static const drill_pcap_info builtins[] = {
    {"syn_flood", "a SYN flood from spoofed sources in 203.0.113.0/24 and 198.18.128.0/17 to port 80",
     "来自 203.0.113.0/24 与 198.18.128.0/17 伪造源地址、针对 80 端口的 SYN 洪水", 3000, "syn_flood"},
    {"udp_reflection", "a UDP reflection flood (NTP, DNS, memcached answers) from reflectors in 198.18.0.0/16",
     "来自 198.18.0.0/16 反射源的 UDP 反射洪水（NTP、DNS、memcached 应答）", 1500, "udp_flood"},
    {"port_scan", "a port scan of 200 ports from 203.0.113.66", "来自 203.0.113.66 的 200 个端口的端口扫描", 200,
     "port_scan"},
    {"brute_force", "an SSH brute force from 203.0.113.77 (short sessions to port 22)",
     "来自 203.0.113.77 的 SSH 暴力破解（大量到 22 端口的短会话）", 100, "brute_force"},
};

const drill_pcap_info *drill_pcap_builtin(const char *name)
{
    for (size_t i = 0; name && i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return &builtins[i];
    return NULL;
}

bool drill_seen_add(drill_seen *seen, const char *v)
{
    for (size_t i = 0; i < seen->n; i++)
        if (strcmp(seen->values[i], v) == 0)
            return true;
    if (seen->n >= DRILL_SEEN_MAX || strlen(v) >= sizeof seen->values[0])
        return false;
    kw_strlcpy(seen->values[seen->n++], v, sizeof seen->values[0]);
    return true;
}

/* ---- the generator ---- */

typedef struct gen {
    pcap_dumper_t *dump;
    uint64_t rng;
    int64_t t_ns;               /* the next frame's time */
    int64_t gap_ns;             /* between frames */
    uint64_t packets, max;
    uint32_t target;            /* network order */
    uint8_t frame[1600];
} gen;

static uint32_t gen_rand(gen *g)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 7;
    g->rng ^= g->rng << 17;
    return (uint32_t)(g->rng >> 16);
}

/* The ones' complement sum of p[0..n) added to sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* A TCP segment's header (ports, seq, ack, flags); the payload follows it. */
typedef struct seg {
    uint32_t src, dst;          /* network order */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
} seg;

/* Writes one Ethernet + IPv4 frame of protocol proto carrying l4[0..l4n) (its checksum at
 * csum_off filled in here), then moves the clock on. */
static void gen_emit(gen *g, uint32_t src, uint32_t dst, uint8_t proto, uint8_t *l4, size_t l4n, size_t csum_off)
{
    if (g->packets >= g->max || l4n > sizeof g->frame - 34)
        return;
    uint8_t *f = g->frame;
    /* locally administered MACs: the veth's peer takes them whatever they are */
    static const uint8_t dmac[6] = {0x02, 0x6b, 0x77, 0x00, 0x00, 0x0b}, smac[6] = {0x02, 0x6b, 0x77, 0x00, 0x00, 0x0a};
    memcpy(f, dmac, 6);
    memcpy(f + 6, smac, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + l4n));
    put16(ip + 4, (uint16_t)gen_rand(g));
    ip[6] = 0x40; /* don't fragment */
    ip[8] = 64;
    ip[9] = proto;
    memcpy(ip + 12, &src, 4);
    memcpy(ip + 16, &dst, 4);
    put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
    memcpy(ip + 20, l4, l4n);
    uint8_t pseudo[12];
    memcpy(pseudo, &src, 4);
    memcpy(pseudo + 4, &dst, 4);
    pseudo[8] = 0;
    pseudo[9] = proto;
    put16(pseudo + 10, (uint16_t)l4n);
    uint8_t *l4w = ip + 20;
    put16(l4w + csum_off, 0);
    uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, 12), l4w, l4n));
    put16(l4w + csum_off, proto == 17 && c == 0 ? 0xffff : c);
    struct pcap_pkthdr h = {.caplen = (bpf_u_int32)(34 + l4n), .len = (bpf_u_int32)(34 + l4n)};
    h.ts.tv_sec = (time_t)(g->t_ns / 1000000000LL);
    h.ts.tv_usec = (suseconds_t)(g->t_ns % 1000000000LL / 1000);
    pcap_dump((u_char *)g->dump, &h, f);
    g->packets++;
    g->t_ns += g->gap_ns;
}

static void gen_tcp(gen *g, const seg *s, const void *payload, size_t pn)
{
    uint8_t l4[20 + 1400];
    if (pn > 1400)
        pn = 1400;
    memset(l4, 0, 20);
    put16(l4, s->sport);
    put16(l4 + 2, s->dport);
    put32(l4 + 4, s->seq);
    put32(l4 + 8, s->ack);
    l4[12] = 5 << 4;
    l4[13] = s->flags;
    put16(l4 + 14, 64240);
    if (pn)
        memcpy(l4 + 20, payload, pn);
    gen_emit(g, s->src, s->dst, 6, l4, 20 + pn, 16);
}

static void gen_udp(gen *g, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, const uint8_t *payload,
                    size_t pn)
{
    uint8_t l4[8 + 1400];
    if (pn > 1400)
        pn = 1400;
    put16(l4, sport);
    put16(l4 + 2, dport);
    put16(l4 + 4, (uint16_t)(8 + pn));
    memcpy(l4 + 8, payload, pn);
    gen_emit(g, src, dst, 17, l4, 8 + pn, 6);
}

/* An address in prefix/bits (network order) drawn from the generator. */
static uint32_t gen_addr_in(gen *g, uint32_t prefix_host, int bits)
{
    uint32_t span = bits >= 32 ? 1 : 1u << (32 - bits);
    uint32_t host = span > 2 ? 1 + gen_rand(g) % (span - 2) : 0;
    return htonl(prefix_host | host);
}

static uint32_t ip4(int a, int b, int c, int d)
{
    return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | (uint32_t)d;
}

static void gen_syn_flood(gen *g, drill_seen *seen)
{
    while (g->packets < g->max) {
        uint32_t src = (gen_rand(g) & 1) ? gen_addr_in(g, ip4(203, 0, 113, 0), 24)
                                         : gen_addr_in(g, ip4(198, 18, 128, 0), 17);
        seg s = {src, g->target, (uint16_t)(1024 + gen_rand(g) % 64000), 80, gen_rand(g), 0, NET_TH_SYN};
        gen_tcp(g, &s, NULL, 0);
    }
    drill_seen_add(seen, "203.0.113.0/24");
    drill_seen_add(seen, "198.18.128.0/17");
}

/* Answers the way amplified services answer: an NTP monlist (mode 7) reply, a large DNS
 * answer, a memcached VALUE: sized like theirs, filled with the generator's bytes. */
static void gen_udp_reflection(gen *g, drill_seen *seen)
{
    static const struct {
        uint16_t port;
        uint16_t size;
        uint8_t head[8];
    } kinds[] = {
        {123, 468, {0xd7, 0x00, 0x03, 0x2a, 0x00, 0x06, 0x00, 0x48}}, /* NTP mode 7 MON_GETLIST_1 reply */
        {53, 320, {0x4a, 0x11, 0x81, 0x80, 0x00, 0x01, 0x00, 0x0c}},  /* DNS: response, 12 answers */
        {11211, 900, {'V', 'A', 'L', 'U', 'E', ' ', 'k', ' '}},      /* memcached "VALUE key ..." */
    };
    uint8_t pay[1000];
    while (g->packets < g->max) {
        size_t k = gen_rand(g) % 3;
        for (size_t i = 0; i < kinds[k].size; i++)
            pay[i] = (uint8_t)('a' + (i * 7 + g->packets) % 26);
        memcpy(pay, kinds[k].head, 8);
        uint32_t src = gen_addr_in(g, ip4(198, 18, 0, 0), 16);
        gen_udp(g, src, kinds[k].port, g->target, (uint16_t)(1024 + gen_rand(g) % 64000), pay, kinds[k].size);
    }
    drill_seen_add(seen, "198.18.0.0/16");
}

/* 200 ports in a shuffled order, as nmap does; the target resets the closed ones and answers
 * a SYN-ACK on 22, 80 and 443, which the scanner resets. */
static void gen_port_scan(gen *g, drill_seen *seen)
{
    uint16_t ports[200];
    for (int i = 0; i < 200; i++)
        ports[i] = (uint16_t)(i < 3 ? (i == 0 ? 22 : i == 1 ? 80 : 443) : 1000 + i * 37);
    for (int i = 199; i > 0; i--) {
        int j = (int)(gen_rand(g) % (uint32_t)(i + 1));
        uint16_t t = ports[i];
        ports[i] = ports[j];
        ports[j] = t;
    }
    uint32_t src = htonl(ip4(203, 0, 113, 66));
    for (int i = 0; i < 200; i++) {
        uint32_t seq = gen_rand(g);
        seg s = {src, g->target, 54321, ports[i], seq, 0, NET_TH_SYN};
        gen_tcp(g, &s, NULL, 0);
        bool open = ports[i] == 22 || ports[i] == 80 || ports[i] == 443;
        seg r = {g->target, src, ports[i], 54321, open ? gen_rand(g) : 0, seq + 1,
                 (uint8_t)(open ? NET_TH_SYN | NET_TH_ACK : NET_TH_RST | NET_TH_ACK)};
        gen_tcp(g, &r, NULL, 0);
        if (open) {
            seg x = {src, g->target, 54321, ports[i], seq + 1, 0, NET_TH_RST};
            gen_tcp(g, &x, NULL, 0);
        }
    }
    drill_seen_add(seen, "203.0.113.66");
}

/* One short SSH session: the handshake, the version strings, a key exchange's worth of data
 * each way, the client's FIN and the server's. */
static void gen_ssh_session(gen *g, uint32_t src, uint16_t sport)
{
    static const char sv[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", cv[] = "SSH-2.0-libssh2_1.10.0\r\n";
    uint8_t kex[320];
    for (size_t i = 0; i < sizeof kex; i++)
        kex[i] = (uint8_t)gen_rand(g);
    put32(kex, sizeof kex - 4);
    kex[4] = 6;
    kex[5] = 20; /* SSH_MSG_KEXINIT */
    uint32_t c = gen_rand(g), s = gen_rand(g), t = g->target;
    const uint8_t A = NET_TH_ACK, PA = NET_TH_PSH | NET_TH_ACK, FA = NET_TH_FIN | NET_TH_ACK;
    gen_tcp(g, &(seg){src, t, sport, 22, c, 0, NET_TH_SYN}, NULL, 0);
    gen_tcp(g, &(seg){t, src, 22, sport, s, c + 1, NET_TH_SYN | NET_TH_ACK}, NULL, 0);
    gen_tcp(g, &(seg){src, t, sport, 22, c + 1, s + 1, A}, NULL, 0);
    gen_tcp(g, &(seg){t, src, 22, sport, s + 1, c + 1, PA}, sv, sizeof sv - 1);
    s += sizeof sv - 1;
    gen_tcp(g, &(seg){src, t, sport, 22, c + 1, s + 1, PA}, cv, sizeof cv - 1);
    c += sizeof cv - 1;
    gen_tcp(g, &(seg){src, t, sport, 22, c + 1, s + 1, PA}, kex, sizeof kex);
    c += sizeof kex;
    gen_tcp(g, &(seg){t, src, 22, sport, s + 1, c + 1, PA}, kex, sizeof kex);
    s += sizeof kex;
    gen_tcp(g, &(seg){src, t, sport, 22, c + 1, s + 1, FA}, NULL, 0);
    gen_tcp(g, &(seg){t, src, 22, sport, s + 1, c + 2, FA}, NULL, 0);
    gen_tcp(g, &(seg){src, t, sport, 22, c + 2, s + 2, A}, NULL, 0);
}

static void gen_brute_force(gen *g, drill_seen *seen)
{
    uint32_t src = htonl(ip4(203, 0, 113, 77));
    for (uint16_t port = 40000; g->packets + 10 <= g->max; port++)
        gen_ssh_session(g, src, port);
    drill_seen_add(seen, "203.0.113.77");
}

kw_rc drill_pcap_generate(const char *name, const char *target, double pps, int64_t dur_ms, const char *path,
                          drill_seen *seen, uint64_t *packets, char *err, size_t n)
{
    const drill_pcap_info *info = drill_pcap_builtin(name);
    if (!info) {
        snprintf(err, n, "no built-in capture \"%s\" (syn_flood, udp_reflection, port_scan, brute_force)", name);
        return KW_ERR_NOTFOUND;
    }
    struct in_addr ta;
    if (inet_pton(AF_INET, target ? target : "192.0.2.10", &ta) != 1) {
        snprintf(err, n, "target \"%s\": a built-in capture needs an IPv4 address", target);
        return KW_ERR_PARSE;
    }
    if (!(pps > 0))
        pps = info->pps;
    if (pps > 1e6)
        pps = 1e6;
    if (dur_ms <= 0)
        dur_ms = 10000;
    gen *g = kw_calloc(1, sizeof *g);
    g->rng = 0x6b65657077617463ULL; /* "keepwatc" */
    g->target = ta.s_addr;
    g->t_ns = GEN_START_S * 1000000000LL;
    g->gap_ns = (int64_t)(1e9 / pps);
    double want = pps * (double)dur_ms / 1000.0;
    g->max = want < 1 ? 1 : want > GEN_MAX_PACKETS ? GEN_MAX_PACKETS : (uint64_t)want;
    if (strcmp(name, "port_scan") == 0)
        g->max = 600; /* 200 probes and their answers, whatever the duration */
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    g->dump = dead ? pcap_dump_open(dead, path) : NULL;
    if (!g->dump) {
        snprintf(err, n, "%s: %s", path, dead ? pcap_geterr(dead) : "cannot make a capture handle");
        if (dead)
            pcap_close(dead);
        free(g);
        return KW_ERR_IO;
    }
    switch (info - builtins) {
    case 0: gen_syn_flood(g, seen); break;
    case 1: gen_udp_reflection(g, seen); break;
    case 2: gen_port_scan(g, seen); break;
    default: gen_brute_force(g, seen); break;
    }
    kw_rc rc = KW_OK;
    if (pcap_dump_flush(g->dump) != 0) {
        snprintf(err, n, "%s: cannot write the capture", path);
        rc = KW_ERR_IO;
    }
    pcap_dump_close(g->dump);
    pcap_close(dead);
    if (packets)
        *packets = g->packets;
    free(g);
    return rc;
}

/* ---- the sources of a given capture ---- */

static kw_rc seen_read(pcap_t *pc, drill_seen *seen, char *err, size_t n)
{
    int linktype = pcap_datalink(pc);
    if (!net_linktype_supported(linktype)) {
        snprintf(err, n, "link type %d is not one keepwatch decodes", linktype);
        return KW_ERR_PARSE;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    int r = 0;
    for (int i = 0; i < SEEN_PACKETS && seen->n < DRILL_SEEN_MAX && (r = pcap_next_ex(pc, &h, &data)) == 1; i++) {
        net_pkt p;
        uint32_t caplen = h->caplen < h->len ? h->caplen : h->len;
        if (net_decode(linktype, data, caplen, h->len, &p) != NET_DECODE_OK)
            continue;
        char a[64];
        net_addr_str(&p.src, a, sizeof a);
        drill_seen_add(seen, a);
    }
    if (r == PCAP_ERROR) {
        snprintf(err, n, "%s", pcap_geterr(pc));
        return KW_ERR_PARSE;
    }
    return KW_OK;
}

kw_rc drill_pcap_seen_file(const char *path, drill_seen *seen, char *err, size_t n)
{
    char e[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_open_offline(path, e);
    if (!pc) {
        snprintf(err, n, "%s: %s", path, e);
        return KW_ERR_PARSE;
    }
    kw_rc rc = seen_read(pc, seen, err, n);
    pcap_close(pc);
    return rc;
}

kw_rc drill_pcap_seen_buffer(const uint8_t *p, size_t len, drill_seen *seen, char *err, size_t n)
{
    if (!len) {
        snprintf(err, n, "an empty capture");
        return KW_ERR_PARSE;
    }
    FILE *f = fmemopen((void *)p, len, "rb");
    if (!f) {
        snprintf(err, n, "cannot read the capture");
        return KW_ERR_IO;
    }
    char e[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_fopen_offline(f, e); /* owns f from here */
    if (!pc) {
        fclose(f);
        snprintf(err, n, "%s", e);
        return KW_ERR_PARSE;
    }
    kw_rc rc = seen_read(pc, seen, err, n);
    pcap_close(pc);
    return rc;
}
