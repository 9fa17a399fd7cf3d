/* scan_udp.c: UDP service probes, written from the protocols' specifications: a DNS CHAOS TXT
 * query for version.bind (RFC 1035; the CHAOS class convention of BIND), an NTP mode 3 client
 * request (RFC 5905), a NetBIOS node-status query for "*" (RFC 1002 4.2.17), an SNMPv2c
 * GetRequest for sysDescr.0 with the community "public" (RFC 3416, BER as X.690), an SSDP
 * M-SEARCH (UPnP Device Architecture 1.1, 1.3.2) and memcached's "stats" in its UDP frame
 * (memcached protocol.txt, "UDP protocol"). Each answer's parser is pure and bounded (fuzzed by
 * fuzz_scan_udp). What an answer proves becomes an exposed_service finding. */
#include "scan/scan.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- probes ---- */

scan_udp_kind scan_udp_kind_of_port(unsigned port)
{
    switch (port) {
    case 53: return SCAN_UDP_DNS;
    case 123: return SCAN_UDP_NTP;
    case 137: return SCAN_UDP_NETBIOS;
    case 161: return SCAN_UDP_SNMP;
    case 1900: return SCAN_UDP_SSDP;
    case 11211: return SCAN_UDP_MEMCACHED;
    default: return SCAN_UDP_NONE;
    }
}

const char *scan_udp_kind_name(scan_udp_kind k)
{
    static const char *const names[] = {"", "dns", "ntp", "netbios-ns", "snmp", "ssdp", "memcached"};
    return (unsigned)k < SCAN_UDP_KINDS ? names[k] : "";
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static size_t probe_dns(uint32_t id, uint8_t *o)
{
    static const uint8_t q[] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'v', 'e', 'r', 's', 'i', 'o', 'n',
                                4, 'b', 'i', 'n', 'd', 0, 0, 16 /* TXT */, 0, 3 /* CH */};
    put16(o, id & 0xffff);
    memcpy(o + 2, q, sizeof q);
    return 2 + sizeof q;
}

static size_t probe_ntp(uint32_t id, uint8_t *o)
{
    memset(o, 0, 48);
    o[0] = 0x23; /* LI 0, VN 4, mode 3 (client) */
    for (int i = 0; i < 4; i++) { /* the transmit timestamp, echoed as the origin: a nonce */
        o[40 + i] = (uint8_t)(id >> (24 - 8 * i));
        o[44 + i] = (uint8_t)(~id >> (24 - 8 * i));
    }
    return 48;
}

static size_t probe_netbios(uint32_t id, uint8_t *o)
{
    size_t n = 0;
    put16(o, id & 0xffff);
    memset(o + 2, 0, 10);
    o[5] = 1; /* QDCOUNT */
    n = 12;
    o[n++] = 32; /* "*" and 15 NULs, first-level encoded: each nibble + 'A' */
    o[n++] = 'C';
    o[n++] = 'K';
    memset(o + n, 'A', 30);
    n += 30;
    o[n++] = 0;
    put16(o + n, 0x21); /* NBSTAT */
    put16(o + n + 2, 1); /* IN */
    return n + 4;
}

static size_t probe_snmp(uint32_t id, uint8_t *o)
{
    static const uint8_t head[] = {0x30, 0x29, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c',
                                   0xa0, 0x1c, 0x02, 0x04};
    static const uint8_t tail[] = {0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08,
                                   0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00};
    uint32_t rid = id & 0x7fffffff;
    memcpy(o, head, sizeof head);
    for (int i = 0; i < 4; i++)
        o[sizeof head + (size_t)i] = (uint8_t)(rid >> (24 - 8 * i));
    memcpy(o + sizeof head + 4, tail, sizeof tail);
    return sizeof head + 4 + sizeof tail;
}

static size_t probe_ssdp(uint8_t *o)
{
    static const char m[] = "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
                            "MX: 1\r\nST: ssdp:all\r\n\r\n";
    memcpy(o, m, sizeof m - 1);
    return sizeof m - 1;
}

static size_t probe_memcached(uint32_t id, uint8_t *o)
{
    static const uint8_t frame[] = {0, 0, 0, 1, 0, 0, 's', 't', 'a', 't', 's', '\r', '\n'};
    put16(o, id & 0xffff); /* request id, then sequence 0, 1 datagram, reserved */
    memcpy(o + 2, frame, sizeof frame);
    return 2 + sizeof frame;
}

size_t scan_udp_probe(scan_udp_kind k, uint32_t id, uint8_t *out)
{
    switch (k) {
    case SCAN_UDP_DNS: return probe_dns(id, out);
    case SCAN_UDP_NTP: return probe_ntp(id, out);
    case SCAN_UDP_NETBIOS: return probe_netbios(id, out);
    case SCAN_UDP_SNMP: return probe_snmp(id, out);
    case SCAN_UDP_SSDP: return probe_ssdp(out);
    case SCAN_UDP_MEMCACHED: return probe_memcached(id, out);
    default: return 0;
    }
}

/* ---- answer helpers ---- */

static unsigned get16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* p[n] as text into out[on]: printable ASCII kept, the rest as \xNN, cut when full. */
static void text_copy(char *out, size_t on, const uint8_t *p, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n && w + 5 < on; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
            out[w++] = (char)p[i];
        else
            w += (size_t)snprintf(out + w, on - w, "\\x%02x", p[i]);
    }
    out[w] = '\0';
}

/* Skips a DNS name at *off (labels, or a pointer that ends it); false when malformed. */
static bool dns_name_skip(const uint8_t *p, size_t n, size_t *off)
{
    for (int labels = 0; labels < 128; labels++) {
        if (*off >= n)
            return false;
        uint8_t l = p[*off];
        if ((l & 0xc0) == 0xc0) {
            if (*off + 2 > n)
                return false;
            *off += 2;
            return true;
        }
        if (l & 0xc0)
            return false;
        *off += 1u + l;
        if (l == 0)
            return true;
    }
    return false;
}

static const char *dns_rcode_name(unsigned rc)
{
    static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
    return rc < 6 ? names[rc] : "rcode>5";
}

/* ---- parsers ---- */

/* The first TXT string of the answers from off on into ans->version. */
static void dns_txt(const uint8_t *p, size_t n, size_t off, unsigned an, scan_udp_answer *ans)
{
    for (unsigned i = 0; i < an && i < 16; i++) {
        if (!dns_name_skip(p, n, &off) || off + 10 > n)
            return;
        unsigned type = get16(p + off), rdlen = get16(p + off + 8);
        off += 10;
        if (off + rdlen > n)
            return;
        if (type == 16 && rdlen > 0 && p[off] > 0 && (size_t)p[off] < rdlen) {
            text_copy(ans->version, sizeof ans->version, p + off + 1, p[off]);
            return;
        }
        off += rdlen;
    }
}

static kw_rc parse_dns(uint32_t id, const uint8_t *p, size_t n, scan_udp_answer *ans)
{
    if (n < 12 || get16(p) != (id & 0xffff) || !(p[2] & 0x80))
        return KW_ERR_PARSE;
    unsigned flags = get16(p + 2), qd = get16(p + 4), an = get16(p + 6);
    size_t off = 12;
    for (unsigned i = 0; i < qd; i++) {
        if (i >= 4 || !dns_name_skip(p, n, &off) || off + 4 > n)
            return KW_ERR_PARSE;
        off += 4;
    }
    kw_strlcpy(ans->name, "domain", sizeof ans->name);
    dns_txt(p, n, off, an, ans);
    bool ra = flags & 0x80;
    snprintf(ans->info, sizeof ans->info, "rcode %s%s%s%s", dns_rcode_name(flags & 0xf),
             ra ? ", recursion available" : "", ans->version[0] ? ", version.bind " : "", ans->version);
    ans->amplifier = ra;
    return KW_OK;
}

static kw_rc parse_ntp(uint32_t id, const uint8_t *p, size_t n, scan_udp_answer *ans)
{
    uint8_t want[48];
    probe_ntp(id, want);
    unsigned vn = (p[0] >> 3) & 7;
    if (n < 48 || (p[0] & 7) != 4 || vn < 1 || vn > 4 || memcmp(p + 24, want + 40, 8) != 0)
        return KW_ERR_PARSE;
    kw_strlcpy(ans->name, "ntp", sizeof ans->name);
    snprintf(ans->version, sizeof ans->version, "v%u", vn);
    char ref[32];
    if (p[1] <= 1)
        text_copy(ref, sizeof ref, p + 12, strnlen((const char *)p + 12, 4));
    else
        snprintf(ref, sizeof ref, "%u.%u.%u.%u", p[12], p[13], p[14], p[15]);
    snprintf(ans->info, sizeof ans->info, "stratum %u, refid %s", p[1], ref);
    ans->amplifier = true; /* mode 6 and 7 queries (monlist) amplify; a mode 3 answer shows it is reachable */
    return KW_OK;
}

/* NetBIOS names (RFC 1002 4.2.18): 15 characters, a suffix byte, 2 flag bytes (0x8000: group). */
static void netbios_names(const uint8_t *r, size_t rdlen, scan_udp_answer *ans)
{
    size_t count = rdlen ? r[0] : 0, w = 0;
    char host[20] = "", group[20] = "";
    if (1 + count * 18 > rdlen)
        count = (rdlen - 1) / 18;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *e = r + 1 + i * 18;
        size_t l = 15;
        while (l > 0 && e[l - 1] == ' ')
            l--;
        char *dst = (e[16] & 0x80) ? group : host;
        if (e[15] == 0 && !*dst)
            text_copy(dst, sizeof host, e, l);
    }
    w = (size_t)snprintf(ans->info, sizeof ans->info, "name %s, workgroup %s", *host ? host : "?", *group ? group : "?");
    size_t mac = 1 + count * 18;
    if (mac + 6 <= rdlen && w < sizeof ans->info)
        snprintf(ans->info + w, sizeof ans->info - w, ", MAC %02x:%02x:%02x:%02x:%02x:%02x", r[mac], r[mac + 1],
                 r[mac + 2], r[mac + 3], r[mac + 4], r[mac + 5]);
    kw_strlcpy(ans->product, host, sizeof ans->product);
}

static kw_rc parse_netbios(uint32_t id, const uint8_t *p, size_t n, scan_udp_answer *ans)
{
    if (n < 12 || get16(p) != (id & 0xffff) || !(p[2] & 0x80) || get16(p + 6) < 1)
        return KW_ERR_PARSE;
    size_t off = 12;
    for (unsigned i = 0; i < get16(p + 4); i++) {
        if (i >= 4 || !dns_name_skip(p, n, &off) || off + 4 > n)
            return KW_ERR_PARSE;
        off += 4;
    }
    if (!dns_name_skip(p, n, &off) || off + 10 > n || get16(p + off) != 0x21)
        return KW_ERR_PARSE;
    size_t rdlen = get16(p + off + 8);
    off += 10;
    if (rdlen < 1 || off + rdlen > n)
        return KW_ERR_PARSE;
    kw_strlcpy(ans->name, "netbios-ns", sizeof ans->name);
    netbios_names(p + off, rdlen, ans);
    ans->amplifier = true;
    return KW_OK;
}

typedef struct ber {
    const uint8_t *p;
    size_t n;
} ber;

/* The next TLV of b with tag `tag` into *val (definite lengths up to 3 bytes). */
static bool ber_tlv(ber *b, uint8_t tag, ber *val)
{
    if (b->n < 2 || b->p[0] != tag)
        return false;
    size_t len = b->p[1], hl = 2;
    if (len & 0x80) {
        size_t k = len & 0x7f;
        if (k == 0 || k > 3 || b->n < 2 + k)
            return false;
        len = 0;
        for (size_t i = 0; i < k; i++)
            len = len << 8 | b->p[2 + i];
        hl = 2 + k;
    }
    if (b->n - hl < len)
        return false;
    val->p = b->p + hl;
    val->n = len;
    b->p += hl + len;
    b->n -= hl + len;
    return true;
}

static bool ber_int(ber *b, int64_t *v)
{
    ber x;
    if (!ber_tlv(b, 0x02, &x) || x.n < 1 || x.n > 8)
        return false;
    uint64_t u = (x.p[0] & 0x80) ? UINT64_MAX : 0;
    for (size_t i = 0; i < x.n; i++)
        u = u << 8 | x.p[i];
    *v = (int64_t)u;
    return true;
}

static kw_rc parse_snmp(uint32_t id, const uint8_t *p, size_t n, scan_udp_answer *ans)
{
    ber all = {p, n}, msg, comm, pdu, vbl, vb, oid, val;
    int64_t version, rid, estat, eidx;
    if (!ber_tlv(&all, 0x30, &msg) || !ber_int(&msg, &version) || version != 1 || !ber_tlv(&msg, 0x04, &comm) ||
        !ber_tlv(&msg, 0xa2, &pdu) || !ber_int(&pdu, &rid) || rid != (int64_t)(id & 0x7fffffff) ||
        !ber_int(&pdu, &estat) || !ber_int(&pdu, &eidx))
        return KW_ERR_PARSE;
    kw_strlcpy(ans->name, "snmp", sizeof ans->name);
    kw_strlcpy(ans->version, "v2c", sizeof ans->version);
    if (ber_tlv(&pdu, 0x30, &vbl) && ber_tlv(&vbl, 0x30, &vb) && ber_tlv(&vb, 0x06, &oid) && ber_tlv(&vb, 0x04, &val)) {
        char d[160];
        text_copy(d, sizeof d, val.p, val.n);
        snprintf(ans->info, sizeof ans->info, "community public; sysDescr %s", d);
    } else {
        snprintf(ans->info, sizeof ans->info, "community public; error-status %lld", (long long)estat);
    }
    ans->amplifier = true;
    return KW_OK;
}

/* The value of header `name` in the CRLF-separated text t[n] into out, or false. */
static bool http_header(const uint8_t *t, size_t n, const char *name, char *out, size_t on)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < n;) {
        const uint8_t *eol = memchr(t + i, '\n', n - i);
        size_t end = eol ? (size_t)(eol - t) : n;
        if (end - i > nl && t[i + nl] == ':' && strncasecmp((const char *)t + i, name, nl) == 0) {
            size_t v = i + nl + 1;
            while (v < end && t[v] == ' ')
                v++;
            size_t ve = end > v && t[end - 1] == '\r' ? end - 1 : end;
            text_copy(out, on, t + v, ve > v ? ve - v : 0);
            return true;
        }
        i = end + 1;
    }
    return false;
}

static kw_rc parse_ssdp(uint32_t id, const uint8_t *p, size_t n, scan_udp_answer *ans)
{
    if (n < 12 || strncasecmp((const char *)p, "HTTP/1.", 7) != 0 || memcmp(p + 8, " 200", 4) != 0)
        return KW_ERR_PARSE;
    kw_strlcpy(ans->name, "ssdp", sizeof ans->name);
    http_header(p, n, "SERVER", ans->product, sizeof ans->product);
    char loc[160] = "";
    http_header(p, n, "LOCATION", loc, sizeof loc);
    snprintf(ans->info, sizeof ans->info, "location %s", *loc ? loc : "?");
    ans->amplifier = true;
    return KW_OK;
}

static kw_rc parse_memcached(uint32_t id, const uint8_t *p, size_t n, scan_udp_answer *ans)
{
    if (n < 8 + 5 || get16(p) != (id & 0xffff) || memcmp(p + 8, "STAT ", 5) != 0)
        return KW_ERR_PARSE;
    kw_strlcpy(ans->name, "memcache", sizeof ans->name);
    kw_strlcpy(ans->product, "memcached", sizeof ans->product);
    const uint8_t *t = p + 8;
    size_t tn = n - 8;
    static const char key[] = "STAT version ";
    for (size_t i = 0; i + sizeof key - 1 <= tn; i++)
        if (memcmp(t + i, key, sizeof key - 1) == 0) {
            size_t v = i + sizeof key - 1, e = v;
            while (e < tn && t[e] != '\r' && t[e] != '\n')
                e++;
            text_copy(ans->version, sizeof ans->version, t + v, e - v);
            break;
        }
    snprintf(ans->info, sizeof ans->info, "stats over UDP");
    ans->amplifier = true;
    return KW_OK;
}

kw_rc scan_udp_parse(scan_udp_kind k, uint32_t id, const uint8_t *p, size_t n, scan_udp_answer *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return KW_ERR_PARSE;
    switch (k) {
    case SCAN_UDP_DNS: return parse_dns(id, p, n, out);
    case SCAN_UDP_NTP: return parse_ntp(id, p, n, out);
    case SCAN_UDP_NETBIOS: return parse_netbios(id, p, n, out);
    case SCAN_UDP_SNMP: return parse_snmp(id, p, n, out);
    case SCAN_UDP_SSDP: return parse_ssdp(id, p, n, out);
    case SCAN_UDP_MEMCACHED: return parse_memcached(id, p, n, out);
    default: return KW_ERR_PARSE;
    }
}

/* ---- findings ---- */

typedef struct udp_check {
    const char *id, *title, *description, *solution, *reference;
    finding_sev sev;
} udp_check;

static const udp_check udp_checks[SCAN_UDP_KINDS] = {
    [SCAN_UDP_DNS] = {"KW-UDP-DNS-RECURSION", "DNS server offers recursion",
                      "The DNS server answers with recursion available: an open resolver reflects and amplifies "
                      "spoofed queries (DNS amplification) and can be abused to resolve for anyone.",
                      "Restrict recursion to the clients that need it (BIND allow-recursion, Unbound access-control).",
                      "https://www.cisa.gov/news-events/alerts/2014/01/17/udp-based-amplification-attacks", FINDING_MEDIUM},
    [SCAN_UDP_NTP] = {"KW-UDP-NTP-EXPOSED", "NTP server answers queries",
                      "The NTP service answers client requests from this network; NTP's mode 6 and mode 7 queries "
                      "(monlist, CVE-2013-5211) amplify spoofed traffic many times.",
                      "Serve time only to the networks that need it and disable mode 6/7 queries (restrict default "
                      "noquery; ntpd 4.2.7p26 or later).",
                      "https://nvd.nist.gov/vuln/detail/CVE-2013-5211", FINDING_LOW},
    [SCAN_UDP_NETBIOS] = {"KW-UDP-NETBIOS-EXPOSED", "NetBIOS name service answers node-status queries",
                          "The NetBIOS name service discloses the machine's names, workgroup and MAC address to "
                          "anyone who asks and reflects spoofed queries with an amplified answer.",
                          "Block UDP 137 at the network edge, or disable NetBIOS over TCP/IP where it is not needed.",
                          "https://www.cisa.gov/news-events/alerts/2014/01/17/udp-based-amplification-attacks",
                          FINDING_MEDIUM},
    [SCAN_UDP_SNMP] = {"KW-SNMP-PUBLIC", "SNMP agent answers the community \"public\"",
                       "The SNMP agent accepts the default community \"public\": anyone who can reach it reads the "
                       "device's configuration, interfaces and processes, and GetBulk requests amplify spoofed "
                       "traffic.",
                       "Remove the \"public\" community; use SNMPv3 with authentication, or a secret community "
                       "limited to the management hosts.",
                       "https://nvd.nist.gov/vuln/detail/CVE-1999-0517", FINDING_HIGH},
    [SCAN_UDP_SSDP] = {"KW-UDP-SSDP-EXPOSED", "SSDP answers unicast M-SEARCH",
                       "The UPnP SSDP service answers discovery requests sent straight to it: it reflects spoofed "
                       "requests with amplified answers and discloses the device's description URL.",
                       "Block UDP 1900 from networks that need no discovery, or disable UPnP on the device.",
                       "https://www.cisa.gov/news-events/alerts/2014/01/17/udp-based-amplification-attacks", FINDING_MEDIUM},
    [SCAN_UDP_MEMCACHED] = {"KW-MEMCACHED-UDP", "memcached answers over UDP",
                            "memcached listens on UDP and answers \"stats\": spoofed requests to it were used for the "
                            "largest reflection floods recorded (amplification up to 50,000x), and anyone can read or "
                            "change the cache.",
                            "Disable UDP (memcached -U 0, the default since 1.5.6) and listen on the addresses that "
                            "need it only.",
                            "https://nvd.nist.gov/vuln/detail/CVE-2018-1000115", FINDING_HIGH},
};

bool scan_udp_finding(scan_udp_kind k, const scan_udp_answer *ans, size_t probe_len, size_t answer_len,
                      const char *host, const char *ip, unsigned port, char *evidence, size_t evn, finding *f)
{
    if ((unsigned)k >= SCAN_UDP_KINDS || !udp_checks[k].id || !ans->amplifier)
        return false;
    const udp_check *c = &udp_checks[k];
    double factor = probe_len ? (double)answer_len / (double)probe_len : 0;
    snprintf(evidence, evn, "sent a %zu-byte %s probe to %s:%u/udp; answered %zu bytes (%.1fx): %s%s%s%s%s", probe_len,
             scan_udp_kind_name(k), ip, port, answer_len, factor, ans->product, *ans->product ? " " : "",
             ans->version, *ans->version ? "; " : "", ans->info);
    memset(f, 0, sizeof *f);
    f->vuln_id = c->id;
    f->category = "exposed_service";
    f->title = c->title;
    f->description = c->description;
    f->solution = c->solution;
    f->reference = c->reference;
    f->scanner = "keepwatch";
    f->severity = c->sev;
    f->score = -1;
    f->host = host;
    f->ip = ip;
    f->port = (int)port;
    f->transport = "udp";
    f->service = ans->name;
    f->evidence = evidence;
    return true;
}
