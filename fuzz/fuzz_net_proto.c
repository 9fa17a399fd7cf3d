/* libFuzzer target: every protocol-content parser of net_proto.h and the DNS name
 * heuristics. The first byte picks the parser (a value past the last runs them all); the
 * rest is the stream prefix or payload. Besides crashes and UB it traps on broken promises:
 * a slice outside the input or scratch, a used count past the input, an unterminated name. */
#include "net/net_proto.h"

#include <stdint.h>
#include <string.h>

static const uint8_t *in_lo, *in_hi, *sc_lo, *sc_hi;

static void check_slice(net_slice s)
{
    if (!s.p) {
        if (s.n)
            __builtin_trap();
        return;
    }
    bool in = s.p >= in_lo && s.p + s.n <= in_hi, sc = s.p >= sc_lo && s.p + s.n <= sc_hi;
    if (!in && !sc)
        __builtin_trap();
}

static void check_name(const char *s, size_t cap)
{
    if (!memchr(s, 0, cap))
        __builtin_trap();
}

static void score_name(const char *name)
{
    double d = net_dns_dga_score(name), t = net_dns_tunnel_score(name);
    if (!(d >= 0 && d <= 1) || !(t >= 0 && t <= 1))
        __builtin_trap();
}

static void check_headers(const net_http_headers *hs)
{
    if (hs->n > NET_HTTP_MAX_HEADERS)
        __builtin_trap();
    for (size_t i = 0; i < hs->n; i++) {
        check_slice(hs->h[i].name);
        check_slice(hs->h[i].value);
    }
}

static void run_http_req(const uint8_t *p, size_t n)
{
    static uint8_t scratch[8192];
    static net_http_req r;
    sc_lo = scratch, sc_hi = scratch + sizeof scratch;
    for (int i = 0; i < 8 && n; i++) {
        net_proto_rc rc = net_http_req_parse(p, n, scratch, sizeof scratch, &r);
        net_slice all[] = {r.method, r.target, r.version, r.path, r.query, r.dtarget, r.dpath, r.dquery,
                           r.host, r.user_agent, r.cookie, r.content_type, r.transfer_encoding,
                           r.authorization, r.basic_user, r.basic_pass, r.body};
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
            check_slice(all[k]);
        check_headers(&r.hdrs);
        if (rc != NET_PROTO_OK)
            break;
        if (r.used == 0 || r.used > n)
            __builtin_trap();
        p += r.used, n -= r.used;
    }
    sc_lo = sc_hi = NULL;
}

static void run_http_resp(const uint8_t *p, size_t n)
{
    static net_http_resp r;
    if (net_http_resp_parse(p, n, &r) == NET_PROTO_OK && r.header_len > n)
        __builtin_trap();
    net_slice all[] = {r.version, r.reason, r.server, r.content_type, r.location};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        check_slice(all[k]);
    check_headers(&r.hdrs);
}

static void check_dns(const net_dns_msg *m)
{
    if (m->nq > NET_DNS_MAX_Q || m->nan > NET_DNS_MAX_AN)
        __builtin_trap();
    for (size_t i = 0; i < m->nq; i++) {
        check_name(m->q[i].name, sizeof m->q[i].name);
        score_name(m->q[i].name);
    }
    for (size_t i = 0; i < m->nan; i++) {
        check_name(m->an[i].name, sizeof m->an[i].name);
        check_name(m->an[i].data, sizeof m->an[i].data);
    }
}

static void run_dns(const uint8_t *p, size_t n)
{
    static net_dns_msg m;
    net_dns_parse(p, n, &m);
    check_dns(&m);
    for (int i = 0; i < 4 && n; i++) {
        size_t used = 0;
        net_proto_rc rc = net_dns_parse_tcp(p, n, &m, &used);
        check_dns(&m);
        if (rc != NET_PROTO_OK)
            break;
        if (used < 14 || used > n)
            __builtin_trap();
        p += used, n -= used;
    }
}

static void run_tls(const uint8_t *p, size_t n)
{
    static uint8_t scratch[16384];
    static net_tls_hello h;
    static net_tls_server_hello s;
    net_proto_rc rc = net_tls_client_hello_parse(p, n, scratch, sizeof scratch, &h);
    net_tls_hello_fingerprint(&h);
    if (rc == NET_PROTO_OK && (strlen(h.ja3_md5) != 32 || h.ja4[0] != 't'))
        __builtin_trap();
    check_name(h.sni, sizeof h.sni);
    check_name(h.ja3, sizeof h.ja3);
    check_name(h.ja4, sizeof h.ja4);
    score_name(h.sni);
    net_tls_server_hello_parse(p, n, &s);
}

static void run_ssh(const uint8_t *p, size_t n)
{
    net_ssh_ident s;
    if (net_ssh_ident_parse(p, n, &s) == NET_PROTO_OK && (s.used > n || !s.family))
        __builtin_trap();
    check_slice(s.proto);
    check_slice(s.software);
    check_slice(s.comments);
}

static void run_smb(const uint8_t *p, size_t n)
{
    net_smb_negotiate s;
    net_smb_negotiate_parse(p, n, &s);
    if (s.ndialects > NET_SMB_MAX_DIALECTS)
        __builtin_trap();
    for (size_t i = 0; i < s.ndialects && s.version == 1; i++)
        check_slice(s.smb1_dialects[i]);
}

static void run_rdp(const uint8_t *p, size_t n)
{
    net_rdp_cr r;
    net_rdp_cr_parse(p, n, &r);
    check_slice(r.cookie);
    check_slice(r.token);
}

static void run_cmds(const uint8_t *p, size_t n)
{
    for (int imap = 0; imap < 2; imap++) {
        const uint8_t *q = p;
        size_t left = n;
        for (int i = 0; i < 16 && left; i++) {
            net_cmd c;
            net_proto_rc rc = imap ? net_imap_cmd_parse(q, left, &c) : net_ftp_cmd_parse(q, left, &c);
            net_slice all[] = {c.tag, c.verb, c.arg, c.user, c.pass};
            for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
                check_slice(all[k]);
            if (rc != NET_PROTO_OK)
                break;
            if (c.used == 0 || c.used > left)
                __builtin_trap();
            q += c.used, left -= c.used;
        }
    }
}

static void run_telnet(const uint8_t *p, size_t n)
{
    char out[512];
    net_telnet_text st;
    net_telnet_text_extract(p, n, out, sizeof out, &st);
    if (st.len >= sizeof out || strlen(out) != st.len)
        __builtin_trap();
}

/* The input as a NUL-terminated name for the heuristics. */
static void run_names(const uint8_t *p, size_t n)
{
    char name[300];
    size_t k = n < sizeof name - 1 ? n : sizeof name - 1;
    memcpy(name, p, k);
    name[k] = '\0';
    score_name(name);
    net_dns_name_stats st;
    net_dns_name_measure(name, &st);
    if (net_dns_registered_domain(name) > strlen(name))
        __builtin_trap();
}

typedef void (*run_fn)(const uint8_t *p, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const run_fn runs[] = {run_http_req, run_http_resp, run_dns, run_tls, run_ssh,
                                  run_smb, run_rdp, run_cmds, run_telnet, run_names};
    size_t nruns = sizeof runs / sizeof runs[0];
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    in_lo = p, in_hi = p + n;
    if (data[0] < nruns) {
        runs[data[0]](p, n);
    } else {
        for (size_t i = 0; i < nruns; i++)
            runs[i](p, n);
    }
    return 0;
}
