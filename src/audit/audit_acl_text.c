/* The text helpers the network-device parsers share (audit_acl_int.h): lines and tokens,
 * numbers, protocol and port names, address/mask pairs, service sets, named objects, rule
 * order by number, and the device-management issues. No I/O. */
#include "audit/audit_acl_int.h"
#include "core/kw_mem.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- lines and tokens ---- */

void acl_text_init(acl_text *t, const char *text, size_t len)
{
    t->p = text;
    t->end = text + len;
    t->line = 0;
}

static void stmt_tokens(acl_stmt *s)
{
    memcpy(s->buf, s->text, sizeof s->buf);
    s->ntok = 0;
    char *p = s->buf;
    while (*p && s->ntok < ACL_TOK_MAX) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        s->tok[s->ntok++] = p;
        while (*p && *p != ' ')
            p++;
    }
}

/* One raw line into s (trimmed, control bytes as spaces); false at the end. */
static bool text_line(acl_text *t, acl_stmt *s)
{
    if (t->p >= t->end)
        return false;
    const char *b = t->p;
    const char *e = memchr(b, '\n', (size_t)(t->end - b));
    if (!e)
        e = t->end;
    t->p = e < t->end ? e + 1 : e;
    s->line = ++t->line;
    s->indent = 0;
    while (b < e && (*b == ' ' || *b == '\t')) {
        b++;
        s->indent++;
    }
    while (e > b && (unsigned char)e[-1] <= ' ')
        e--;
    size_t n = (size_t)(e - b);
    s->cut = n >= sizeof s->text;
    if (s->cut)
        n = sizeof s->text - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)b[i];
        s->text[i] = ch < ' ' || ch == 0x7f ? ' ' : (char)ch;
    }
    s->text[n] = '\0';
    return true;
}

bool acl_text_next(acl_text *t, acl_stmt *s)
{
    while (text_line(t, s)) {
        stmt_tokens(s);
        if (s->ntok)
            return true;
    }
    return false;
}

void acl_text_skip_to(acl_text *t, const char *delim)
{
    acl_stmt *s = kw_malloc(sizeof *s);
    while (text_line(t, s))
        if (strstr(s->text, delim))
            break;
    free(s);
}

const char *acl_tok(const acl_stmt *s, size_t i)
{
    return i < s->ntok ? s->tok[i] : "";
}

bool acl_tok_is(const acl_stmt *s, size_t i, const char *w)
{
    return i < s->ntok && !strcasecmp(s->tok[i], w);
}

bool acl_stmt_starts(const acl_stmt *s, const char *words)
{
    char buf[128];
    kw_strlcpy(buf, words, sizeof buf);
    size_t i = 0;
    for (char *save, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
        if (!acl_tok_is(s, i++, w))
            return false;
    return true;
}

/* ---- numbers, protocols, ports ---- */

bool acl_num(const char *s, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > max)
            return false;
    }
    *out = v;
    return true;
}

bool acl_ipv4(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return false;
    *out = ntohl(a.s_addr);
    return true;
}

static const struct { const char *name; int num; } protos[] = {
    {"icmp", 1}, {"igmp", 2}, {"ipinip", 4}, {"tcp", 6}, {"udp", 17}, {"gre", 47}, {"esp", 50},
    {"ah", 51}, {"icmp6", 58}, {"icmpv6", 58}, {"ipv6-icmp", 58}, {"eigrp", 88}, {"ospf", 89},
    {"nos", 94}, {"pim", 103}, {"pcp", 108}, {"sctp", 132},
};

int acl_proto(const char *s)
{
    if (!strcasecmp(s, "ip") || !strcasecmp(s, "ipv6") || !strcasecmp(s, "ipv4"))
        return -1;
    unsigned long n;
    if (acl_num(s, ACL_PROTO_MAX, &n))
        return (int)n;
    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
        if (!strcasecmp(s, protos[i].name))
            return protos[i].num;
    return -2;
}

/* Port names as IOS, ASA, VRP and Comware print them (proto 6 tcp, 17 udp, 0 both). */
static const struct { const char *name; int proto; unsigned port; } ports[] = {
    {"echo", 0, 7}, {"discard", 0, 9}, {"daytime", 0, 13}, {"chargen", 6, 19}, {"ftp-data", 6, 20},
    {"ftp", 6, 21}, {"ssh", 6, 22}, {"telnet", 6, 23}, {"smtp", 6, 25}, {"time", 0, 37},
    {"nameserver", 17, 42}, {"whois", 6, 43}, {"tacacs", 0, 49}, {"domain", 0, 53}, {"dns", 0, 53},
    {"bootps", 17, 67}, {"bootpc", 17, 68}, {"tftp", 17, 69}, {"gopher", 6, 70}, {"finger", 6, 79},
    {"www", 6, 80}, {"http", 6, 80}, {"hostname", 6, 101}, {"pop2", 6, 109}, {"pop3", 6, 110},
    {"sunrpc", 0, 111}, {"ident", 6, 113}, {"nntp", 6, 119}, {"ntp", 17, 123},
    {"netbios-ns", 17, 137}, {"netbios-dgm", 17, 138}, {"netbios-ssn", 6, 139}, {"imap4", 6, 143},
    {"snmp", 17, 161}, {"snmptrap", 17, 162}, {"xdmcp", 17, 177}, {"bgp", 6, 179}, {"irc", 6, 194},
    {"ldap", 6, 389}, {"https", 6, 443}, {"isakmp", 17, 500}, {"exec", 6, 512}, {"biff", 17, 512},
    {"login", 6, 513}, {"who", 17, 513}, {"cmd", 6, 514}, {"rsh", 6, 514}, {"syslog", 17, 514},
    {"lpd", 6, 515}, {"talk", 0, 517}, {"rip", 17, 520}, {"uucp", 6, 540}, {"klogin", 6, 543},
    {"kshell", 6, 544}, {"ldaps", 6, 636}, {"kerberos", 0, 750}, {"lotusnotes", 6, 1352},
    {"sqlnet", 6, 1521}, {"radius", 17, 1645}, {"radius-acct", 17, 1646}, {"h323", 6, 1720},
    {"pptp", 6, 1723}, {"nfs", 0, 2049}, {"mysql", 6, 3306}, {"rdp", 6, 3389}, {"sip", 0, 5060},
    {"aol", 6, 5190}, {"pcanywhere-data", 6, 5631}, {"citrix-ica", 6, 1494}, {"ctiqbe", 6, 2748},
    {"cifs", 0, 3020}, {"secureid-udp", 17, 5510}, {"non500-isakmp", 17, 4500}, {"mobile-ip", 17, 434},
};

long acl_port(const char *s, int proto)
{
    unsigned long n;
    if (acl_num(s, ACL_PORT_MAX, &n))
        return (long)n;
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        if (!strcasecmp(s, ports[i].name) && (!ports[i].proto || !proto || ports[i].proto == proto))
            return ports[i].port;
    return -1;
}

bool acl_ports(const acl_stmt *s, size_t *i, int proto, bool multi, acl_dim *d)
{
    const char *op = acl_tok(s, *i);
    long a = acl_port(acl_tok(s, *i + 1), proto);
    if (a < 0)
        return false;
    acl_dim_clear(d);
    size_t j = *i + 2;
    if (!strcasecmp(op, "eq")) {
        acl_dim_add(d, (acl_u128)a, (acl_u128)a);
        for (long b; multi && (b = acl_port(acl_tok(s, j), proto)) >= 0; j++)
            acl_dim_add(d, (acl_u128)b, (acl_u128)b);
    } else if (!strcasecmp(op, "neq")) {
        acl_dim_add(d, (acl_u128)a, (acl_u128)a);
        acl_dim_invert(d, ACL_PORT_MAX);
    } else if (!strcasecmp(op, "lt")) {
        if (a > 0)
            acl_dim_add(d, 0, (acl_u128)a - 1);
    } else if (!strcasecmp(op, "gt")) {
        if (a < (long)ACL_PORT_MAX)
            acl_dim_add(d, (acl_u128)a + 1, ACL_PORT_MAX);
    } else if (!strcasecmp(op, "range")) {
        long b = acl_port(acl_tok(s, j), proto);
        if (b < 0)
            return false;
        j++;
        acl_dim_add(d, (acl_u128)(a < b ? a : b), (acl_u128)(a < b ? b : a));
    } else {
        return false;
    }
    *i = j;
    return true;
}

bool acl_wildcard(acl_dim *d, uint32_t ip, uint32_t m, bool netmask)
{
    uint32_t wild = netmask ? ~m : m;
    int run = 0;
    while (run < 32 && (wild >> run) & 1u)
        run++;
    uint32_t rest = run >= 32 ? 0 : wild >> run;
    if (__builtin_popcount(rest) <= 8 && acl_dim_add_wildcard(d, ip, m, netmask))
        return true;
    int top = 31 - __builtin_clz(wild); /* wild has a bit set: rest is not empty */
    uint32_t cover = top >= 31 ? 0xffffffffu : (1u << (top + 1)) - 1;
    acl_dim_add(d, ACL_V4_BASE | (ip & ~cover), ACL_V4_BASE | (ip | cover));
    return false;
}

bool acl_addr_mask(const acl_stmt *s, size_t *i, bool netmask, bool lone, acl_dim *d, bool *approx)
{
    const char *a = acl_tok(s, *i);
    acl_dim_clear(d);
    if (!strcasecmp(a, "any")) {
        acl_dim_all(d, ACL_ADDR_MAX);
        *i += 1;
        return true;
    }
    bool host = !strcasecmp(a, "host");
    if (host)
        a = acl_tok(s, *i + 1);
    uint32_t ip, m;
    if (!acl_ipv4(a, &ip)) { /* IPv6: "2001:db8::/32", "host 2001:db8::1" */
        if (!strchr(a, ':') || !acl_dim_add_text(d, a))
            return false;
        *i += host ? 2 : 1;
        return true;
    }
    if (host || (lone && !acl_ipv4(acl_tok(s, *i + 1), &m))) {
        acl_dim_add_wildcard(d, ip, 0, false);
        *i += host ? 2 : 1;
        return true;
    }
    if (!acl_ipv4(acl_tok(s, *i + 1), &m))
        return false;
    if (!acl_wildcard(d, ip, m, netmask) && approx)
        *approx = true;
    *i += 2;
    return true;
}

/* ---- services ---- */

void acl_svc_free(acl_svc *v)
{
    acl_dim_free(&v->tcp);
    acl_dim_free(&v->udp);
    acl_dim_free(&v->other);
}

static void dim_union(acl_dim *into, const acl_dim *d)
{
    for (size_t i = 0; i < d->n; i++)
        acl_dim_add(into, d->v[i].lo, d->v[i].hi);
}

void acl_svc_add(acl_svc *v, int proto, const acl_dim *d)
{
    if (proto == 6 || proto == 17) {
        acl_dim *p = proto == 6 ? &v->tcp : &v->udp;
        if (d)
            dim_union(p, d);
        else
            acl_dim_add(p, 0, ACL_PORT_MAX);
    } else if (proto < 0) {
        acl_dim_add(&v->tcp, 0, ACL_PORT_MAX);
        acl_dim_add(&v->udp, 0, ACL_PORT_MAX);
        acl_dim_add(&v->other, 0, ACL_PROTO_MAX);
    } else if (proto <= (int)ACL_PROTO_MAX) {
        acl_dim_add(&v->other, (acl_u128)proto, (acl_u128)proto);
    }
}

void acl_svc_merge(acl_svc *v, const acl_svc *w)
{
    dim_union(&v->tcp, &w->tcp);
    dim_union(&v->udp, &w->udp);
    dim_union(&v->other, &w->other);
}

/* Predefined services of USG / Comware policies (proto 0: TCP and UDP; ports 0: none). */
static const struct { const char *name; int proto; unsigned lo, hi; } services[] = {
    {"http", 6, 80, 80}, {"https", 6, 443, 443}, {"ssh", 6, 22, 22}, {"telnet", 6, 23, 23},
    {"ftp", 6, 21, 21}, {"smtp", 6, 25, 25}, {"pop3", 6, 110, 110}, {"imap", 6, 143, 143},
    {"dns", 0, 53, 53}, {"ntp", 17, 123, 123}, {"snmp", 17, 161, 162}, {"tftp", 17, 69, 69},
    {"rdp", 6, 3389, 3389}, {"mysql", 6, 3306, 3306}, {"sqlserver", 6, 1433, 1433},
    {"ms-sql", 6, 1433, 1433}, {"oracle", 6, 1521, 1521}, {"ldap", 6, 389, 389},
    {"smb", 6, 445, 445}, {"netbios", 0, 137, 139}, {"rtsp", 6, 554, 554}, {"sip", 0, 5060, 5060},
    {"syslog", 17, 514, 514}, {"radius", 17, 1812, 1813}, {"vnc", 6, 5900, 5900},
    {"icmp", 1, 0, 0}, {"ping", 1, 0, 0}, {"gre", 47, 0, 0}, {"esp", 50, 0, 0}, {"ospf", 89, 0, 0},
};

bool acl_svc_named(acl_svc *v, const char *name)
{
    if (!strcasecmp(name, "any")) {
        acl_svc_add(v, -1, NULL);
        return true;
    }
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
        if (strcasecmp(name, services[i].name))
            continue;
        acl_dim d = {0};
        acl_dim_add(&d, services[i].lo, services[i].hi);
        if (services[i].proto == 0) {
            acl_svc_add(v, 6, &d);
            acl_svc_add(v, 17, &d);
        } else {
            acl_svc_add(v, services[i].proto, services[i].hi ? &d : NULL);
        }
        acl_dim_free(&d);
        return true;
    }
    return false;
}

/* A copy of rule r at the end of l (the dims deep-copied). */
static acl_rule *rule_dup(acl_list *l, size_t r)
{
    acl_rule *n = acl_rule_add(l, l->v[r].line, l->v[r].text, l->v[r].name);
    const acl_rule *o = &l->v[r];
    n->action = o->action;
    n->log = o->log;
    n->disabled = o->disabled;
    n->partial = o->partial;
    acl_dim_copy(&n->zin, &o->zin);
    acl_dim_copy(&n->zout, &o->zout);
    acl_dim_copy(&n->src, &o->src);
    acl_dim_copy(&n->dst, &o->dst);
    return n;
}

static void rule_proto(acl_rule *r, unsigned proto, const acl_dim *dport)
{
    acl_dim_clear(&r->proto);
    acl_dim_add(&r->proto, proto, proto);
    acl_dim_copy(&r->dport, dport);
}

void acl_rule_set_svc(acl_list *l, const acl_svc *v, acl_keys *keys, acl_config *c)
{
    size_t first = l->n - 1;
    unsigned long key = 0;
    bool keyed = keys && keys->n && keys->v[keys->n - 1].list == (size_t)(l - c->lists) &&
                 keys->v[keys->n - 1].rule == first;
    if (keyed)
        key = keys->v[keys->n - 1].key;
    bool used = false;
    const acl_dim *parts[2] = {&v->tcp, &v->udp};
    for (int k = 0; k < 2; k++) {
        if (!parts[k]->n)
            continue;
        acl_rule *r = used ? rule_dup(l, first) : &l->v[first];
        rule_proto(r, k ? 17 : 6, parts[k]);
        if (used && keyed)
            acl_keys_set(keys, c, l, key);
        used = true;
    }
    if (v->other.n) {
        acl_rule *r = used ? rule_dup(l, first) : &l->v[first];
        acl_dim_copy(&r->proto, &v->other);
        acl_dim_all(&r->dport, ACL_PORT_MAX);
        if (used && keyed)
            acl_keys_set(keys, c, l, key);
        used = true;
    }
    if (!used) /* an empty service set matches nothing */
        l->v[first].disabled = true;
}

size_t acl_list_entries(const acl_list *l)
{
    size_t n = 0;
    for (size_t k = 0; k < l->n; k++)
        n += !k || l->v[k].line != l->v[k - 1].line;
    return n;
}

/* ---- named objects ---- */

acl_obj *acl_obj_get(acl_objs *o, const char *name, bool svc, bool make)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->v[i].svc == svc && !strcmp(o->v[i].name, name))
            return &o->v[i];
    if (!make)
        return NULL;
    kw_grow(&o->v, &o->cap, o->n + 1, sizeof *o->v);
    acl_obj *b = &o->v[o->n++];
    memset(b, 0, sizeof *b);
    b->name = kw_strdup(name);
    b->svc = svc;
    return b;
}

void acl_objs_free(acl_objs *o)
{
    for (size_t i = 0; i < o->n; i++) {
        free(o->v[i].name);
        acl_dim_free(&o->v[i].addr);
        acl_svc_free(&o->v[i].s);
    }
    free(o->v);
    memset(o, 0, sizeof *o);
}

/* ---- rule order ---- */

void acl_keys_set(acl_keys *k, const acl_config *c, const acl_list *l, unsigned long key)
{
    kw_grow(&k->v, &k->cap, k->n + 1, sizeof *k->v);
    k->v[k->n++] = (struct acl_key){.list = (size_t)(l - c->lists), .rule = l->n - 1, .key = key};
}

typedef struct keyed {
    unsigned long key;
    size_t at;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static void list_sort(acl_list *l, const acl_keys *k, size_t li)
{
    keyed *o = kw_calloc(l->n ? l->n : 1, sizeof *o);
    for (size_t i = 0; i < l->n; i++)
        o[i].at = i;
    for (size_t i = 0; i < k->n; i++)
        if (k->v[i].list == li && k->v[i].rule < l->n)
            o[k->v[i].rule].key = k->v[i].key;
    for (size_t i = 1; i < l->n; i++) /* a rule without a key stays after the one before it */
        if (!o[i].key)
            o[i].key = o[i - 1].key;
    qsort(o, l->n, sizeof *o, keyed_cmp);
    acl_rule *v = kw_calloc(l->n ? l->n : 1, sizeof *v);
    for (size_t i = 0; i < l->n; i++)
        v[i] = l->v[o[i].at];
    memcpy(l->v, v, l->n * sizeof *v);
    free(v);
    free(o);
}

void acl_keys_sort(acl_keys *k, acl_config *c)
{
    for (size_t li = 0; li < c->nlists; li++) {
        bool any = false;
        for (size_t i = 0; i < k->n && !any; i++)
            any = k->v[i].list == li;
        if (any)
            list_sort(&c->lists[li], k, li);
    }
    free(k->v);
    memset(k, 0, sizeof *k);
}

/* ---- device management ---- */

static const struct {
    const char *id, *en, *zh, *fix;
} devs[] = {
    [ACL_DEV_TELNET] = {"KW-DEV-TELNET", "Telnet management access is enabled", "设备启用了 Telnet 管理",
                        "Allow only SSH on vty lines (protocol inbound ssh / transport input ssh) and disable the telnet server."},
    [ACL_DEV_AUTH_NONE] = {"KW-DEV-AUTH-NONE", "Management lines need no authentication", "管理线路无需认证即可登录",
                           "Set authentication-mode aaa (or scheme / login local) on every vty and console line."},
    [ACL_DEV_NO_TIMEOUT] = {"KW-DEV-NO-TIMEOUT", "Idle management sessions never time out", "管理会话未设置空闲超时",
                            "Set an idle timeout of at most 10 minutes (idle-timeout 10 0 / exec-timeout 10 0 / console timeout 10)."},
    [ACL_DEV_SNMP_COMMUNITY] = {"KW-DEV-SNMP-COMMUNITY", "SNMP uses a default or guessable community", "SNMP 使用默认或易猜的团体名",
                                "Remove the default community; use SNMPv3 with authentication and privacy, or a long random community limited by an ACL."},
    [ACL_DEV_SNMP_V2C] = {"KW-DEV-SNMP-V2C", "SNMP v1/v2c is enabled (community in clear text)", "启用了 SNMP v1/v2c（团体名明文传输）",
                          "Use SNMPv3 only (snmp-agent sys-info version v3 / snmp-server group NAME v3 priv)."},
    [ACL_DEV_SNMP_NO_ACL] = {"KW-DEV-SNMP-NO-ACL", "SNMP community not limited by an ACL", "SNMP 团体名未绑定访问控制列表",
                             "Limit which managers may use the community with an ACL."},
    [ACL_DEV_PLAINTEXT] = {"KW-DEV-PLAINTEXT-PASSWORD", "Password stored in clear text or reversibly", "密码以明文或可逆方式保存",
                           "Store passwords hashed (irreversible-cipher / hash / secret 9 / pbkdf2) and change the exposed ones."},
    [ACL_DEV_NO_BANNER] = {"KW-DEV-NO-BANNER", "No login banner", "未配置登录提示信息",
                           "Configure a login banner warning against unauthorised access (header login / banner login)."},
    [ACL_DEV_HTTP] = {"KW-DEV-HTTP", "Web management over plain HTTP or from anywhere", "Web 管理使用明文 HTTP 或对任意地址开放",
                      "Disable the HTTP server or limit it to HTTPS from a management network."},
    [ACL_DEV_SSH_ANY] = {"KW-DEV-SSH-ANY", "SSH management allowed from any address", "SSH 管理对任意源地址开放",
                         "Allow SSH only from the management network."},
    [ACL_DEV_NO_PW_ENCRYPTION] = {"KW-DEV-NO-PASSWORD-ENCRYPTION", "Passwords not encrypted in the configuration", "配置中的密码未加密",
                                  "Enable service password-encryption and use secret (hashed) passwords."},
};

void acl_dev_issue(acl_config *c, acl_dev kind, finding_sev sev, const acl_stmt *s, const char *why)
{
    acl_issue_add(c, devs[kind].id, devs[kind].en, devs[kind].zh, devs[kind].fix, sev, s ? s->line : 0,
                  s ? s->text : NULL, why);
}

bool acl_weak_community(const char *s)
{
    static const char *const weak[] = {"public", "private", "community", "snmp", "admin", "cisco", "huawei",
                                       "h3c", "manager", "secret", "password", "default", "test", "monitor",
                                       "write", "read", "123456"};
    for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++)
        if (!strcasecmp(s, weak[i]))
            return true;
    return strlen(s) < 8;
}

/* ---- sniffing ---- */

#define SNIFF_MAX (256u * 1024u)

int acl_sniff_count(const char *text, size_t len, const char *words, bool indented)
{
    if (len > SNIFF_MAX)
        len = SNIFF_MAX;
    size_t wl = strlen(words);
    int n = 0;
    for (size_t i = 0; i < len && n < 1000;) {
        size_t j = i;
        if (indented)
            while (j < len && (text[j] == ' ' || text[j] == '\t'))
                j++;
        if ((indented || j == i) && len - j >= wl && !strncasecmp(text + j, words, wl) &&
            (len - j == wl || (unsigned char)text[j + wl] <= ' '))
            n++;
        const char *e = memchr(text + i, '\n', len - i);
        i = e ? (size_t)(e - text) + 1 : len;
    }
    return n;
}

bool acl_sniff_texty(const char *text, size_t len)
{
    if (len > 4096)
        len = 4096;
    size_t bad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (!ch)
            return false;
        if (ch < ' ' && ch != '\n' && ch != '\r' && ch != '\t')
            bad++;
    }
    return len > 0 && bad * 50 < len;
}
