/* Intrusion attempts read in protocol contents (see net_inspect.h).
 *
 * Packets come in; TCP goes through the flow table, whose consumer (flow_consume) learns
 * each flow's protocol from its first client bytes and hands every complete request, hello
 * or command to its reader; UDP DNS is read per datagram. What the readers find goes
 * through hit(): one entry per (detector, source, target, rule) in a fixed table, fired when
 * it has been seen `need` times, ended when quiet for idle_end. */
#include "net/net_inspect.h"
#include "core/kw_hash.h"
#include "core/kw_mem.h"
#include "intel/intel.h"
#include "net/net_sig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS 1000000000LL
#define HIT_SLOTS 1024u
#define HIT_PROBE 8
#define HIT_FORGET_S 600          /* counts short of firing are forgotten after this long */
#define SCRATCH (16u << 10)
#define HEADERS_MAX 8192u
#define TUNNEL_NEED 10            /* tunnel-like names to one domain before it is a tunnel */
#define DGA_NEED 5                /* machine-made names looked up by one host */
#define FLOW_LINES_MAX 32         /* FTP/POP3/IMAP commands read per flow */

enum { APP_UNKNOWN = 0, APP_HTTP, APP_TLS, APP_SSH, APP_SMB, APP_RDP, APP_FTP, APP_POP3, APP_IMAP, APP_TELNET,
       APP_DNS, APP_OTHER };
static const char *const app_names[] = {"", "http", "tls", "ssh", "smb", "rdp", "ftp", "pop3", "imap", "telnet",
                                        "dns", "tcp"};

typedef enum { K_WEB, K_SIG, K_TUNNEL, K_DGA, K_CLEAR, K_INTEL } hit_kind;
static const struct {
    const char *action, *technique, *technique_name;
    int severity;
} kinds[] = {
    [K_WEB] = {"web_attack", "T1190", "Exploit Public-Facing Application", 3},
    [K_SIG] = {"signature_match", "", "", 2},
    [K_TUNNEL] = {"dns_tunnel", "T1071.004", "Application Layer Protocol: DNS", 3},
    [K_DGA] = {"dga_domain", "T1568.002", "Dynamic Resolution: Domain Generation Algorithms", 3},
    [K_CLEAR] = {"cleartext_credentials", "T1552", "Unsecured Credentials", 1},
    [K_INTEL] = {"intel_match", "", "", 2},
};

typedef struct {
    uint64_t key;             /* 0: free */
    bool fired;
    uint32_t count, need;
    int64_t last_ns;
    net_detection det;
    net_content c;
} hit_entry;

struct net_inspect {
    net_inspect_opts o;
    net_emit_fn emit;
    void *arg;
    net_flows *flows;
    net_sig_scratch *sig_scratch;
    const intel_set *lists;   /* the generation held, refreshed each second */
    hit_entry *hits;
    int64_t now_ns, last_tick_s;
    const net_pkt *pkt;       /* the packet being read (for the flow consumer) */
    net_inspect_stats st;
    /* per-request scratch: big, so not on the stack */
    net_http_req req;
    net_dns_msg dns;
    net_tls_hello hello;
    uint8_t scratch[SCRATCH];
    uint8_t headers[HEADERS_MAX];
    uint8_t form[NET_FLOW_CLIENT_BUF];  /* a form body, decoded */
};

/* ---- detections ---- */


static void hit_end(net_inspect *in, hit_entry *e)
{
    if (e->fired)
        in->emit(in->arg, NET_DET_END, &e->det);
    e->key = 0;
}

/* The entry of (kind, src, dst, sub), claimed fresh (*fresh set) when it was not there; the
 * stalest of its probe run makes room, ending first if it had fired. */
static hit_entry *hit_get(net_inspect *in, hit_kind k, const net_addr *src, const net_addr *dst, uint64_t sub,
                          bool *fresh)
{
    uint64_t key = kw_mix64((uint64_t)k * 0x9e3779b97f4a7c15ULL ^ net_addr_hash(src, 0) ^ kw_mix64(net_addr_hash(dst, 0) + sub)) | 1;
    hit_entry *victim = NULL;
    for (unsigned i = 0; i < HIT_PROBE; i++) {
        hit_entry *e = &in->hits[(key + i) & (HIT_SLOTS - 1)];
        if (e->key == key) {
            *fresh = false;
            return e;
        }
        if (!victim || (victim->key && (!e->key || e->last_ns < victim->last_ns)))
            victim = e;
    }
    if (victim->key)
        hit_end(in, victim);
    memset(victim, 0, sizeof *victim);
    victim->key = key;
    victim->c.hits = 0;
    net_detection *x = &victim->det;
    x->action = kinds[k].action;
    x->technique = kinds[k].technique;
    x->technique_name = kinds[k].technique_name;
    x->severity = kinds[k].severity;
    x->src = *src;
    x->dst = *dst;
    x->has_src = x->has_dst = true;
    x->start_ns = in->now_ns;
    x->content = &victim->c;
    *fresh = true;
    return victim;
}

/* Counts one sighting; the detection fires at its `need`-th. */
static void hit_count(net_inspect *in, hit_entry *e, uint32_t need)
{
    e->count++;
    e->c.hits++;
    e->last_ns = in->now_ns;
    e->det.end_ns = in->now_ns;
    e->det.packets = e->c.hits;
    if (!e->fired && e->count >= need) {
        e->fired = true;
        e->det.fire_ns = in->now_ns;
        in->emit(in->arg, NET_DET_FIRE, &e->det);
    }
}

static void hit_ports(hit_entry *e, const net_pkt *p, uint16_t dport, uint8_t proto)
{
    e->det.has_dport = dport != 0;
    e->det.dport = dport;
    e->det.proto = proto ? proto : p->proto;
}

/* p[0..n) as text: printable ASCII, line ends and tabs kept, other bytes as '.'. */
static void copy_printable(char *out, size_t cap, const uint8_t *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++)
        out[k++] = (p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\r' || p[i] == '\n' || p[i] == '\t' ? (char)p[i] : '.';
    out[k] = 0;
}

/* ---- signatures ---- */

static int severity_of_category(const char *cat)
{
    static const char *const critical[] = {"log4shell", "ognl", "deserialization", "command_injection", "webshell"};
    static const char *const medium[] = {"xss", "scanner"};
    for (size_t i = 0; i < sizeof critical / sizeof critical[0]; i++)
        if (!strcmp(cat, critical[i]))
            return 4;
    for (size_t i = 0; i < sizeof medium / sizeof medium[0]; i++)
        if (!strcmp(cat, medium[i]))
            return 2;
    return 3;
}

typedef struct {
    net_inspect *in;
    const net_pkt *p;
    const net_addr *client, *server;
    uint16_t sport;
    const char *app;
    const char *evidence;
    size_t evidence_n;
    const char *domain;
    net_tls_hello *hello;         /* TLS: the evidence is written from it when a rule matches */
} sig_ctx;

static void on_sig(void *arg, const net_sig_rule *r)
{
    sig_ctx *c = arg;
    net_inspect *in = c->in;
    in->st.sig_matches++;
    const char *cat = net_sig_rule_category(r);
    bool web = !strcmp(c->app, "http");
    bool fresh;
    hit_entry *e = hit_get(in, web ? K_WEB : K_SIG, c->client, c->server,
                           (uint64_t)net_sig_rule_gid(r) << 32 | net_sig_rule_sid(r), &fresh);
    if (fresh) {
        hit_ports(e, c->p, c->sport, 6);
        e->c.sid = net_sig_rule_sid(r);
        snprintf(e->c.rule, sizeof e->c.rule, "%s", net_sig_rule_msg(r));
        snprintf(e->c.category, sizeof e->c.category, "%s", cat[0] ? cat : net_sig_rule_classtype(r));
        snprintf(e->c.app, sizeof e->c.app, "%s", c->app);
        if (c->hello) {
            net_tls_hello_fingerprint(c->hello); /* computed for the evidence only */
            snprintf(e->c.evidence, sizeof e->c.evidence, "TLS ClientHello SNI %s JA3 %s JA4 %s",
                     c->hello->has_sni ? c->hello->sni : "-", c->hello->ja3_md5[0] ? c->hello->ja3_md5 : "-",
                     c->hello->ja4[0] ? c->hello->ja4 : "-");
        } else {
            copy_printable(e->c.evidence, sizeof e->c.evidence, (const uint8_t *)c->evidence, c->evidence_n);
        }
        if (c->domain)
            snprintf(e->c.domain, sizeof e->c.domain, "%s", c->domain);
        if (cat[0]) {
            e->det.severity = severity_of_category(cat);
            if (!strcmp(cat, "scanner")) {
                e->det.technique = "T1595.002";
                e->det.technique_name = "Active Scanning: Vulnerability Scanning";
            }
        } else {
            int prio = net_sig_rule_priority(r);
            e->det.severity = prio == 1 ? 4 : prio == 2 ? 3 : 2;
        }
    }
    hit_count(in, e, 1);
}

static void sig_run(net_inspect *in, net_sig_input *si, sig_ctx *c)
{
    if (!in->o.sigs || !in->sig_scratch)
        return;
    si->has_addr = true;
    si->src = *c->client;
    si->dst = *c->server;
    si->proto = c->p->proto;
    net_sig_match(in->o.sigs, in->sig_scratch, si, on_sig, c);
}

/* ---- intelligence ---- */

static void intel_hit(net_inspect *in, uint64_t mask, const net_addr *listed, const net_addr *other,
                      const net_pkt *p, const char *domain, const char *what)
{
    for (size_t i = 0; mask && i < 64; i++) {
        if (!(mask >> i & 1))
            continue;
        mask &= mask - 1;
        bool fresh;
        hit_entry *e = hit_get(in, K_INTEL, listed, other, i << 1 | (domain != NULL), &fresh);
        if (fresh) {
            hit_ports(e, p, p->has_ports ? p->dport : 0, 0);
            e->det.src = p->src; /* who sent to whom, whichever end is listed */
            e->det.dst = p->dst;
            snprintf(e->c.rule, sizeof e->c.rule, "%s", intel_set_list_name(in->lists, i));
            snprintf(e->c.category, sizeof e->c.category, "%s", domain ? "domain" : "address");
            if (domain) /* an address is listed whatever the packet carries */
                snprintf(e->c.app, sizeof e->c.app, "%s", what);
            if (domain)
                snprintf(e->c.domain, sizeof e->c.domain, "%s", domain);
            int sev = intel_set_list_severity(in->lists, i);
            e->det.severity = sev >= 1 && sev <= 4 ? sev : 2;
            char a[64], b[64];
            kw_addr_str(&p->src, a, sizeof a);
            kw_addr_str(&p->dst, b, sizeof b);
            snprintf(e->c.evidence, sizeof e->c.evidence, "%s %s -> %s%s%s", domain ? what : "a packet", a, b,
                     domain ? " asked for " : "", domain ? domain : "");
        }
        hit_count(in, e, 1);
    }
}

static void intel_addresses(net_inspect *in, const net_pkt *p)
{
    if (!in->lists || !intel_set_lists(in->lists))
        return;
    uint64_t m = intel_set_lookup_ip(in->lists, p->src.b, p->src.v6);
    if (m)
        intel_hit(in, m, &p->src, &p->dst, p, NULL, NULL);
    m = intel_set_lookup_ip(in->lists, p->dst.b, p->dst.v6);
    if (m)
        intel_hit(in, m, &p->dst, &p->src, p, NULL, NULL);
}

static void intel_domain(net_inspect *in, const net_pkt *p, const net_addr *client, const net_addr *server,
                         const char *name, size_t n, const char *what)
{
    if (!in->lists || !n || !intel_set_lists(in->lists))
        return;
    uint64_t m = intel_set_lookup_domain(in->lists, name, n);
    if (m) {
        char d[256];
        copy_printable(d, sizeof d, (const uint8_t *)name, n);
        intel_hit(in, m, client, server, p, d, what);
    }
}

/* ---- DNS ---- */

static void dns_name_checks(net_inspect *in, const net_pkt *p, const net_addr *client, const net_addr *server,
                            const net_dns_q *q)
{
    const char *name = q->name;
    size_t n = strlen(name);
    intel_domain(in, p, client, server, name, n, "dns");
    const char *reg = name + net_dns_registered_domain(name);
    bool fresh;
    if (in->o.dns_tunnel) {
        net_dns_name_stats ns;
        net_dns_name_measure(name, &ns);
        bool carrier = net_dns_tunnel_score(name) >= NET_DNS_TUNNEL_THRESHOLD ||
                       ((q->type == NET_DNS_TXT || q->type == 10 /* NULL */) && ns.sub_len >= 16);
        if (carrier) {
            hit_entry *e = hit_get(in, K_TUNNEL, client, server, kw_hash_str(reg), &fresh);
            if (fresh) {
                hit_ports(e, p, 53, p->proto);
                snprintf(e->c.rule, sizeof e->c.rule, "names carrying data under %s", reg);
                snprintf(e->c.category, sizeof e->c.category, "dns_tunnel");
                snprintf(e->c.app, sizeof e->c.app, "dns");
                snprintf(e->c.domain, sizeof e->c.domain, "%s", reg);
            }
            size_t have = strlen(e->c.evidence);
            if (e->count < 4 && have + n + 2 < sizeof e->c.evidence)
                snprintf(e->c.evidence + have, sizeof e->c.evidence - have, "%s%s", have ? " " : "", name);
            hit_count(in, e, TUNNEL_NEED);
        }
    }
    if (in->o.dga && net_dns_dga_score(name) >= NET_DNS_DGA_THRESHOLD) {
        net_addr none = {{0}, 0};
        hit_entry *e = hit_get(in, K_DGA, client, &none, 0, &fresh);
        if (fresh) {
            e->det.has_dst = false;
            hit_ports(e, p, 53, p->proto);
            snprintf(e->c.rule, sizeof e->c.rule, "machine-made domain names");
            snprintf(e->c.category, sizeof e->c.category, "dga");
            snprintf(e->c.app, sizeof e->c.app, "dns");
        }
        size_t have = strlen(e->c.evidence);
        if (e->count < 6 && have + n + 2 < sizeof e->c.evidence)
            snprintf(e->c.evidence + have, sizeof e->c.evidence - have, "%s%s", have ? " " : "", name);
        if (!e->c.domain[0])
            snprintf(e->c.domain, sizeof e->c.domain, "%s", name);
        hit_count(in, e, DGA_NEED);
    }
}

/* A DNS message from client to server (queries are read; answers only counted). */
static void dns_message(net_inspect *in, const net_pkt *p, const net_addr *client, const net_addr *server,
                        uint16_t sport, const net_dns_msg *m)
{
    in->st.dns_messages++;
    if (m->qr || !m->nq)
        return;
    for (size_t i = 0; i < m->nq; i++) {
        const net_dns_q *q = &m->q[i];
        dns_name_checks(in, p, client, server, q);
        net_sig_input si = {0};
        si.b[NET_BUF_DNS_QUERY].p = (const uint8_t *)q->name;
        si.b[NET_BUF_DNS_QUERY].n = strlen(q->name);
        si.app = NET_SIG_APP_DNS;
        si.sport = p->sport;
        si.dport = p->dport;
        si.flags = NET_SIG_TO_SERVER;
        sig_ctx c = {in, p, client, server, sport, "dns", q->name, strlen(q->name), q->name};
        sig_run(in, &si, &c);
    }
}

static void dns_datagram(net_inspect *in, const net_pkt *p)
{
    net_proto_rc rc = net_dns_parse(p->payload, p->payload_len, &in->dns);
    if (rc == NET_PROTO_MALFORMED || (rc == NET_PROTO_PARTIAL && !in->dns.nq)) {
        in->st.malformed[in->dns.why]++;
        return;
    }
    if (rc == NET_PROTO_NOT_MINE)
        return;
    dns_message(in, p, &p->src, &p->dst, p->dport, &in->dns);
}

/* ---- HTTP ---- */

/* The request's headers as Suricata's http.header has them: "Name: value\r\n" each, Cookie
 * left out (it has a buffer of its own). */
static size_t http_headers(net_inspect *in, const net_http_req *r)
{
    size_t k = 0;
    for (size_t i = 0; i < r->hdrs.n; i++) {
        const net_http_header *h = &r->hdrs.h[i];
        if (net_slice_ieq(h->name, "cookie"))
            continue;
        if (k + h->name.n + h->value.n + 4 > sizeof in->headers)
            break;
        memcpy(in->headers + k, h->name.p, h->name.n);
        k += h->name.n;
        in->headers[k++] = ':';
        in->headers[k++] = ' ';
        memcpy(in->headers + k, h->value.p, h->value.n);
        k += h->value.n;
        in->headers[k++] = '\r';
        in->headers[k++] = '\n';
    }
    return k;
}

/* The parts of a signature input every client-side buffer of flow f shares. */
static void flow_sig_input(net_sig_input *si, const net_flow *f, uint8_t app)
{
    si->app = app;
    si->sport = f->cport;
    si->dport = f->sport;
    si->flags = NET_SIG_TO_SERVER | NET_SIG_ESTABLISHED;
}

static void set_buf(net_sig_input *si, net_buf_id id, net_slice s)
{
    si->b[id].p = s.p;
    si->b[id].n = s.n;
}

/* One request (or the start of one that did not fit): its buffers through the signatures,
 * its Basic credentials, its Host through the lists. raw[0..raw_n) is the request as sent. */
static void http_request(net_inspect *in, const net_flow *f, const net_http_req *r, const uint8_t *raw,
                         size_t raw_n)
{
    in->st.http_requests++;
    const net_pkt *p = in->pkt;
    net_sig_input si = {0};
    set_buf(&si, NET_BUF_HTTP_METHOD, r->method);
    set_buf(&si, NET_BUF_HTTP_URI, r->dtarget);
    set_buf(&si, NET_BUF_HTTP_URI_RAW, r->target);
    size_t hn = http_headers(in, r);
    si.b[NET_BUF_HTTP_HEADER].p = in->headers;
    si.b[NET_BUF_HTTP_HEADER].n = hn;
    set_buf(&si, NET_BUF_HTTP_COOKIE, r->cookie);
    set_buf(&si, NET_BUF_HTTP_USER_AGENT, r->user_agent);
    set_buf(&si, NET_BUF_HTTP_HOST, r->host);
    set_buf(&si, NET_BUF_HTTP_REQUEST_BODY, r->body);
    static const char form[] = "application/x-www-form-urlencoded";
    if (r->body.n && r->content_type.n >= sizeof form - 1 && !strncasecmp((const char *)r->content_type.p, form,
                                                                            sizeof form - 1)) {
        /* a form's fields are read decoded, as a WAF reads arguments (admin%27%20OR%20...) */
        si.b[NET_BUF_HTTP_REQUEST_BODY].p = in->form;
        si.b[NET_BUF_HTTP_REQUEST_BODY].n = net_http_form_decode(r->body.p, r->body.n, in->form, sizeof in->form);
    }
    set_buf(&si, NET_BUF_HTTP_CONTENT_TYPE, r->content_type);
    const uint8_t *eol = memchr(raw, '\n', raw_n);
    size_t line = eol ? (size_t)(eol - raw) : raw_n;
    if (line && raw[line - 1] == '\r')
        line--;
    si.b[NET_BUF_HTTP_REQUEST_LINE].p = raw;
    si.b[NET_BUF_HTTP_REQUEST_LINE].n = line;
    si.b[NET_BUF_PAYLOAD].p = raw;
    si.b[NET_BUF_PAYLOAD].n = raw_n;
    flow_sig_input(&si, f, NET_SIG_APP_HTTP);
    char host[256] = "";
    copy_printable(host, sizeof host, r->host.p, r->host.n);
    char *colon = strchr(host, ':');
    if (colon)
        *colon = 0;
    sig_ctx c = {in, p, &f->client, &f->server, f->sport, "http", (const char *)raw, raw_n < 900 ? raw_n : 900,
                 host[0] ? host : NULL};
    sig_run(in, &si, &c);
    if (host[0])
        intel_domain(in, p, &f->client, &f->server, host, strlen(host), "http");
    if (in->o.cleartext && r->basic_user.n) {
        bool fresh;
        hit_entry *e = hit_get(in, K_CLEAR, &f->client, &f->server, APP_HTTP, &fresh);
        if (fresh) {
            hit_ports(e, p, f->sport, 6);
            snprintf(e->c.rule, sizeof e->c.rule, "HTTP Basic credentials in the clear");
            snprintf(e->c.category, sizeof e->c.category, "http");
            snprintf(e->c.app, sizeof e->c.app, "http");
            char user[64];
            copy_printable(user, sizeof user, r->basic_user.p, r->basic_user.n);
            snprintf(e->c.evidence, sizeof e->c.evidence, "%.*s (Authorization: Basic, user %s)", (int)line,
                     (const char *)raw, user);
        }
        hit_count(in, e, 1);
        in->st.logins++;
    }
}

/* The client's HTTP bytes: every whole request is read; one that does not fit the buffer is
 * read as far as it goes, then its body skipped, or the flow left when its end is unknown. */
static size_t http_client(net_inspect *in, net_flow *f, const uint8_t *p, size_t n, bool final)
{
    size_t used = 0;
    while (used < n) {
        net_http_req *r = &in->req;
        net_proto_rc rc = net_http_req_parse(p + used, n - used, in->scratch, sizeof in->scratch, r);
        size_t left = n - used;
        if (rc == NET_PROTO_OK) {
            http_request(in, f, r, p + used, r->used);
            f->user++;
            used += r->used;
            continue;
        }
        if (rc == NET_PROTO_PARTIAL) {
            bool full = n >= NET_FLOW_CLIENT_BUF;
            if (!full && !final)
                return used; /* wait for the rest */
            http_request(in, f, r, p + used, left);
            f->user++;
            bool plain = r->flags & NET_HTTP_F_HEADERS_DONE && !(r->flags & NET_HTTP_F_CHUNKED) &&
                         r->has_content_length && r->body.p >= p + used && r->body.p <= p + n;
            if (plain) { /* skip the rest of the body, then read the next request */
                uint64_t have = (uint64_t)(p + n - r->body.p);
                uint64_t rest = r->content_length > have ? r->content_length - have : 0;
                f->skip[NET_DIR_TO_SERVER] = rest > UINT32_MAX ? UINT32_MAX : (uint32_t)rest;
                return n;
            }
            f->done |= 1u << NET_DIR_TO_SERVER;
            return n;
        }
        if (rc == NET_PROTO_MALFORMED)
            in->st.malformed[r->why]++;
        f->done |= 1u << NET_DIR_TO_SERVER; /* not HTTP any more: nothing to resynchronise on */
        return n;
    }
    return used;
}

/* ---- the other protocols ---- */

static void cleartext_login(net_inspect *in, net_flow *f, int app, const char *what)
{
    in->st.logins++;
    if (!in->o.cleartext)
        return;
    bool fresh;
    hit_entry *e = hit_get(in, K_CLEAR, &f->client, &f->server, (uint64_t)app, &fresh);
    if (fresh) {
        hit_ports(e, in->pkt, f->sport, 6);
        snprintf(e->c.rule, sizeof e->c.rule, "%s credentials in the clear", app_names[app]);
        snprintf(e->c.category, sizeof e->c.category, "%s", app_names[app]);
        snprintf(e->c.app, sizeof e->c.app, "%s", app_names[app]);
        snprintf(e->c.evidence, sizeof e->c.evidence, "%s", what);
    }
    hit_count(in, e, 1);
}

/* FTP, POP3 and IMAP commands: a password sent in the clear is a login to report. */
static size_t cmd_client(net_inspect *in, net_flow *f, const uint8_t *p, size_t n)
{
    size_t used = 0;
    while (used < n && f->user < FLOW_LINES_MAX) {
        net_cmd cmd;
        net_proto_rc rc = f->app == APP_IMAP ? net_imap_cmd_parse(p + used, n - used, &cmd)
                                              : net_ftp_cmd_parse(p + used, n - used, &cmd);
        if (rc == NET_PROTO_PARTIAL)
            return used;
        if (rc != NET_PROTO_OK) {
            f->done |= 1u << NET_DIR_TO_SERVER;
            return n;
        }
        f->user++;
        used += cmd.used;
        char line[160], user[64] = "";
        if (f->app == APP_IMAP && net_slice_ieq(cmd.verb, "login") && cmd.pass.n) {
            copy_printable(user, sizeof user, cmd.user.p, cmd.user.n);
            snprintf(line, sizeof line, "LOGIN %s ****", user);
            cleartext_login(in, f, f->app, line);
        } else if (net_slice_ieq(cmd.verb, "pass") && cmd.arg.n) {
            snprintf(line, sizeof line, "PASS **** (%s)", app_names[f->app]);
            cleartext_login(in, f, f->app, line);
        }
    }
    if (f->user >= FLOW_LINES_MAX)
        f->done |= 1u << NET_DIR_TO_SERVER;
    return used;
}

/* The flow's protocol, from its first client bytes (and its port, for those whose server
 * speaks first); APP_UNKNOWN while too few bytes are in. */
static int app_guess(const net_flow *f, const uint8_t *p, size_t n, bool final)
{
#define M(s) {s, sizeof s - 1}
    static const struct {
        const char *s;
        size_t n;
    } methods[] = {M("GET "),    M("POST "),     M("HEAD "),      M("PUT "),   M("DELETE "), M("OPTIONS "),
                   M("PATCH "),  M("CONNECT "),  M("TRACE "),     M("PROPFIND "), M("PROPPATCH "), M("MKCOL "),
                   M("COPY "),   M("MOVE "),     M("LOCK "),      M("UNLOCK "), M("SEARCH ")};
#undef M
    if (n < 4 && !final)
        return APP_UNKNOWN;
    for (size_t i = 0; n && (unsigned)p[0] - 'A' < 26u && i < sizeof methods / sizeof methods[0]; i++) {
        if (p[0] != (uint8_t)methods[i].s[0]) /* most first bytes are no method's */
            continue;
        size_t m = methods[i].n;
        if (n >= m && !memcmp(p, methods[i].s, m))
            return APP_HTTP;
        if (n < m && !final && !memcmp(p, methods[i].s, n))
            return APP_UNKNOWN; /* a method still arriving */
    }
    if (n >= 3 && p[0] == 0x16 && p[1] == 0x03)
        return APP_TLS;
    if (n >= 4 && !memcmp(p, "SSH-", 4))
        return APP_SSH;
    if (n >= 8 && p[0] == 0 && (p[4] == 0xff || p[4] == 0xfe) && !memcmp(p + 5, "SMB", 3))
        return APP_SMB;
    if (n >= 4 && p[0] == 3 && p[1] == 0)
        return APP_RDP;
    switch (f->sport) {
    case 21: return APP_FTP;
    case 110: return APP_POP3;
    case 143: return APP_IMAP;
    case 23: return APP_TELNET;
    case 53: return APP_DNS;
    }
    return APP_OTHER;
}

static void first_bytes_sigs(net_inspect *in, net_flow *f, const uint8_t *p, size_t n)
{
    net_sig_input si = {0};
    si.b[NET_BUF_PAYLOAD].p = p;
    si.b[NET_BUF_PAYLOAD].n = n;
    flow_sig_input(&si, f, NET_SIG_APP_NONE);
    sig_ctx c = {in, in->pkt, &f->client, &f->server, f->sport, app_names[f->app], (const char *)p, n < 256 ? n : 256,
                 NULL};
    sig_run(in, &si, &c);
}

static void tls_client(net_inspect *in, net_flow *f, const uint8_t *p, size_t n, bool final)
{
    net_tls_hello *h = &in->hello;
    net_proto_rc rc = net_tls_client_hello_parse(p, n, in->scratch, sizeof in->scratch, h);
    if (rc == NET_PROTO_PARTIAL && !final && n < NET_FLOW_CLIENT_BUF)
        return;
    f->done |= 1u << NET_DIR_TO_SERVER;
    if (rc == NET_PROTO_MALFORMED) {
        in->st.malformed[h->why]++;
        return;
    }
    if (rc != NET_PROTO_OK && rc != NET_PROTO_PARTIAL)
        return;
    in->st.tls_hellos++;
    size_t sn = h->has_sni ? strlen(h->sni) : 0;
    if (sn)
        intel_domain(in, in->pkt, &f->client, &f->server, h->sni, sn, "tls");
    net_sig_input si = {0};
    si.b[NET_BUF_TLS_SNI].p = (const uint8_t *)h->sni;
    si.b[NET_BUF_TLS_SNI].n = sn;
    si.b[NET_BUF_PAYLOAD].p = p;
    si.b[NET_BUF_PAYLOAD].n = n;
    flow_sig_input(&si, f, NET_SIG_APP_TLS);
    sig_ctx c = {in, in->pkt, &f->client, &f->server, f->sport, "tls", NULL, 0, sn ? h->sni : NULL, h};
    sig_run(in, &si, &c);
}

/* Reads what the first bytes of a flow that is not HTTP, TLS or a login protocol say, and
 * leaves the flow. */
static void once_client(net_inspect *in, net_flow *f, const uint8_t *p, size_t n)
{
    if (f->app == APP_SSH) {
        net_ssh_ident id;
        if (net_ssh_ident_parse(p, n, &id) == NET_PROTO_OK)
            in->st.ssh++;
    } else if (f->app == APP_SMB) {
        net_smb_negotiate neg;
        if (net_smb_negotiate_parse(p, n, &neg) == NET_PROTO_OK)
            in->st.smb++;
    } else if (f->app == APP_RDP) {
        net_rdp_cr cr;
        if (net_rdp_cr_parse(p, n, &cr) == NET_PROTO_OK)
            in->st.rdp++;
    } else if (f->app == APP_DNS) {
        size_t used;
        if (net_dns_parse_tcp(p, n, &in->dns, &used) == NET_PROTO_OK)
            dns_message(in, in->pkt, &f->client, &f->server, f->sport, &in->dns);
    } else if (f->app == APP_TELNET && n) {
        char text[256];
        net_telnet_text tt;
        net_telnet_text_extract(p, n, text, sizeof text, &tt);
        if (tt.len)
            cleartext_login(in, f, APP_TELNET, "a Telnet session (logins travel in the clear)");
    }
    first_bytes_sigs(in, f, p, n);
    f->done |= 1u << NET_DIR_TO_SERVER;
}

static size_t flow_read(net_inspect *in, net_flow *f, const uint8_t *p, size_t n, bool final)
{
    if (f->app == APP_UNKNOWN) {
        f->app = (uint8_t)app_guess(f, p, n, final);
        if (f->app == APP_UNKNOWN)
            return 0;
    }
    switch (f->app) {
    case APP_HTTP: return http_client(in, f, p, n, final);
    case APP_TLS: tls_client(in, f, p, n, final); return 0;
    case APP_FTP:
    case APP_POP3:
    case APP_IMAP: return cmd_client(in, f, p, n);
    default: once_client(in, f, p, n); return n;
    }
}

/* The consumer of the flow table. A delivery can come on another flow's packet (an
 * eviction, the end of input), so what the readers report is said of this flow's own ends:
 * a packet from its client to its server, now. */
static size_t flow_consume(void *arg, net_flow *f, int dir, const uint8_t *p, size_t n, bool final)
{
    net_inspect *in = arg;
    if (dir == NET_DIR_TO_CLIENT) { /* servers' answers are not read yet */
        f->done |= 1u << NET_DIR_TO_CLIENT;
        return n;
    }
    net_pkt own;
    memset(&own, 0, sizeof own);
    own.ts_ns = in->now_ns;
    own.src = f->client;
    own.dst = f->server;
    own.sport = f->cport;
    own.dport = f->sport;
    own.proto = 6;
    own.has_ports = true;
    const net_pkt *was = in->pkt;
    in->pkt = &own;
    size_t used = flow_read(in, f, p, n, final);
    in->pkt = was;
    return used;
}

/* ---- the inspector ---- */

net_inspect *net_inspect_new(const net_inspect_opts *o, net_emit_fn emit, void *arg)
{
    net_inspect *in = kw_calloc(1, sizeof *in);
    in->o = *o;
    if (in->o.idle_end_s <= 0)
        in->o.idle_end_s = 300;
    in->emit = emit;
    in->arg = arg;
    in->flows = net_flows_new(flow_consume, in);
    if (o->sigs)
        in->sig_scratch = net_sig_scratch_new(o->sigs);
    if (o->intel)
        in->lists = intel_acquire(o->intel);
    in->hits = kw_calloc(HIT_SLOTS, sizeof *in->hits);
    return in;
}

void net_inspect_free(net_inspect *in)
{
    if (!in)
        return;
    net_flows_free(in->flows);
    net_sig_scratch_free(in->sig_scratch);
    if (in->lists)
        intel_release(in->lists);
    free(in->hits);
    free(in);
}

void net_inspect_packet(net_inspect *in, const net_pkt *p)
{
    in->now_ns = p->ts_ns;
    in->pkt = p;
    if (p->ts_ns / NS != in->last_tick_s)
        net_inspect_tick(in, p->ts_ns);
    intel_addresses(in, p);
    if (p->proto == 6 && p->has_ports)
        net_flows_packet(in->flows, p);
    else if (p->proto == 17 && p->has_ports && p->payload_len && (p->dport == 53 || p->dport == 5353))
        dns_datagram(in, p);
    in->pkt = NULL;
}

void net_inspect_tick(net_inspect *in, int64_t now_ns)
{
    int64_t sec = now_ns / NS;
    if (sec == in->last_tick_s)
        return;
    in->last_tick_s = sec;
    if (now_ns > in->now_ns)
        in->now_ns = now_ns;
    for (unsigned i = 0; i < HIT_SLOTS; i++) {
        hit_entry *e = &in->hits[i];
        if (!e->key)
            continue;
        int64_t quiet = in->now_ns - e->last_ns;
        if ((e->fired && quiet >= in->o.idle_end_s * NS) || (!e->fired && quiet >= HIT_FORGET_S * NS))
            hit_end(in, e);
    }
    if (in->o.intel) { /* the newest generation of the lists, once a second */
        const intel_set *next = intel_acquire(in->o.intel);
        if (in->lists)
            intel_release(in->lists);
        in->lists = next;
    }
}

void net_inspect_finish(net_inspect *in)
{
    net_flows_finish(in->flows);
    for (unsigned i = 0; i < HIT_SLOTS; i++)
        if (in->hits[i].key)
            hit_end(in, &in->hits[i]);
}

void net_inspect_stats_get(const net_inspect *in, net_inspect_stats *st)
{
    *st = in->st;
    for (int k = 0; k < NET_FLOW_EV_COUNT; k++)
        st->flow[k] = net_flows_events(in->flows, (net_flow_event)k);
    st->flows_active = net_flows_active(in->flows);
}

/* The packets the inspector reads: TCP that carries bytes or opens or ends a flow, DNS; every
 * packet while intelligence lists are loaded (their addresses are looked up). */
static bool stage_wants(void *arg, const net_pkt *p)
{
    const net_inspect *in = arg;
    if (in->o.intel)
        return true;
    if (p->proto == 6)
        return p->payload_len || (p->tcp_flags & (NET_TH_SYN | NET_TH_FIN | NET_TH_RST));
    return p->proto == 17 && p->payload_len && (p->dport == 53 || p->dport == 5353);
}

static void stage_packet(void *arg, const net_pkt *p) { net_inspect_packet(arg, p); }
static void stage_tick(void *arg, int64_t now_ns) { net_inspect_tick(arg, now_ns); }
static void stage_finish(void *arg) { net_inspect_finish(arg); }

void net_inspect_stage(net_inspect *in, net_stage *out)
{
    *out = (net_stage){stage_wants, stage_packet, stage_tick, stage_finish, in};
}
