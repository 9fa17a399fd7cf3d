/* FortiGate (FortiOS) configurations into the ACL model (audit_acl.h): address, address group,
 * service and service group objects resolved into the policies of `config firewall policy`
 * (one list "firewall policy", or "firewall policy (vdom NAME)" per vdom, file order, implicit
 * deny; objects are looked up by name across vdoms), and the management settings of
 * `config system interface|admin|snmp community|global` as issues. No I/O. */
#include "audit/audit_acl_int.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FG_DEPTH 16
#define FG_NAMES 64      /* members / addresses / services per statement kept */
#define FG_BOXES 32      /* protocol x port boxes per policy before they are merged */
#define FG_TEXT 2048

enum { FG_ADDR, FG_ADDRGRP, FG_SVC, FG_SVCGRP };

typedef struct fg_box {
    acl_dim proto, sport, dport;
} fg_box;

typedef struct fg_names {
    char *v[FG_NAMES];
    size_t n;
} fg_names;

typedef struct fg_obj {
    char *name;
    int kind;
    acl_dim addr;
    bool partial;              /* fqdn, geography, wildcard: not an address set the model holds */
    fg_box box[FG_BOXES];
    size_t nbox;
    fg_names mem;              /* group members */
    char proto[16];            /* service: TCP/UDP/SCTP (ranges), ICMP, ICMP6, IP */
    unsigned protonum;
} fg_obj;

typedef struct fg_policy {
    char id[64], name[128], text[FG_TEXT];
    int line;
    fg_names zin, zout, src, dst, svc;
    bool deny, disabled, log, partial, src_neg, dst_neg, svc_neg;
} fg_policy;

typedef struct fg_frame {
    bool edit;
    char name[96];             /* config: "firewall policy"; edit: the object */
    int line;
} fg_frame;

typedef struct fg_ctx {
    acl_config *c;
    fg_frame st[FG_DEPTH];
    size_t depth, overflow;    /* frames past FG_DEPTH are counted, not kept */
    fg_obj *objs;
    size_t nobjs, capobjs;
    fg_obj *cur;               /* the object being edited */
    fg_policy pol;             /* the policy being edited (in_pol) */
    bool in_pol, any_config, global, banner;
    /* the management object being edited */
    char access[512], access_text[512];
    int access_line;
    bool wan, trusthost, snmp_off;
} fg_ctx;

static const char FG_TELNET_EN[] = "Telnet management is enabled", FG_TELNET_ZH[] = "启用了 Telnet 管理",
                  FG_TELNET_FIX[] = "remove telnet from allowaccess / set admin-telnet disable; manage over SSH";

/* ---- objects ---- */

static void fg_names_free(fg_names *n)
{
    for (size_t i = 0; i < n->n; i++)
        free(n->v[i]);
    n->n = 0;
}

static void fg_names_add(fg_names *n, char **tok, size_t nt)
{
    for (size_t i = 0; i < nt && n->n < FG_NAMES; i++)
        n->v[n->n++] = kw_strdup(tok[i]);
}

static void fg_box_free(fg_box *b)
{
    acl_dim_free(&b->proto);
    acl_dim_free(&b->sport);
    acl_dim_free(&b->dport);
}

static void fg_obj_free(fg_obj *o)
{
    free(o->name);
    acl_dim_free(&o->addr);
    for (size_t i = 0; i < o->nbox; i++)
        fg_box_free(&o->box[i]);
    fg_names_free(&o->mem);
}

static fg_obj *fg_obj_find(fg_ctx *x, const char *name, bool svc)
{
    for (size_t i = x->nobjs; i-- > 0;) {
        fg_obj *o = &x->objs[i];
        if ((o->kind >= FG_SVC) == svc && !strcmp(o->name, name))
            return o;
    }
    return NULL;
}

static fg_obj *fg_obj_new(fg_ctx *x, const char *name, int kind)
{
    kw_grow(&x->objs, &x->capobjs, x->nobjs + 1, sizeof *x->objs);
    fg_obj *o = &x->objs[x->nobjs++];
    memset(o, 0, sizeof *o);
    o->name = kw_strdup(name);
    o->kind = kind;
    snprintf(o->proto, sizeof o->proto, "TCP/UDP/SCTP");
    return o;
}

/* Adds the box (proto, sport, dport) to v, merging it into one with the same protocol and
 * source ports; past max boxes the last one grows to hold it (over-approximate: partial). */
static bool fg_box_add(fg_box *v, size_t *n, size_t max, const acl_dim *proto, const acl_dim *sport,
                       const acl_dim *dport)
{
    for (size_t i = 0; i < *n; i++)
        if (acl_lt_dim_eq(&v[i].proto, proto) && acl_lt_dim_eq(&v[i].sport, sport)) {
            for (size_t k = 0; k < dport->n; k++)
                acl_dim_add(&v[i].dport, dport->v[k].lo, dport->v[k].hi);
            return true;
        }
    bool exact = *n < max;
    fg_box *b = exact ? &v[(*n)++] : &v[max - 1];
    const acl_dim *src[] = {proto, sport, dport};
    acl_dim *dst[] = {&b->proto, &b->sport, &b->dport};
    for (size_t k = 0; k < 3; k++)
        if (exact)
            acl_dim_copy(dst[k], src[k]);
        else
            for (size_t j = 0; j < src[k]->n; j++)
                acl_dim_add(dst[k], src[k]->v[j].lo, src[k]->v[j].hi);
    return exact;
}

static void fg_box_add1(fg_obj *o, unsigned proto, unsigned slo, unsigned shi, unsigned dlo, unsigned dhi)
{
    acl_dim p = {0}, s = {0}, d = {0};
    if (proto)
        acl_dim_add(&p, proto, proto);
    else
        acl_dim_all(&p, ACL_PROTO_MAX);
    acl_dim_add(&s, slo, shi);
    acl_dim_add(&d, dlo, dhi);
    o->partial |= !fg_box_add(o->box, &o->nbox, FG_BOXES, &p, &s, &d);
    acl_dim_free(&p);
    acl_dim_free(&s);
    acl_dim_free(&d);
}

/* FortiOS's predefined services (those a factory configuration lists under service custom). */
typedef struct fg_predef {
    const char *name;
    unsigned proto, lo, hi;    /* proto 0: every protocol; ports 0-65535 for one without ports */
} fg_predef;

static const fg_predef fg_predefs[] = {
    {"ALL", 0, 0, 65535}, {"ALL_TCP", 6, 1, 65535}, {"ALL_UDP", 17, 1, 65535}, {"ALL_ICMP", 1, 0, 65535},
    {"ALL_ICMP6", 58, 0, 65535}, {"PING", 1, 0, 65535}, {"GRE", 47, 0, 65535}, {"ESP", 50, 0, 65535},
    {"AH", 51, 0, 65535}, {"HTTP", 6, 80, 80}, {"HTTPS", 6, 443, 443}, {"SSH", 6, 22, 22},
    {"TELNET", 6, 23, 23}, {"FTP", 6, 21, 21}, {"SMTP", 6, 25, 25}, {"SMTPS", 6, 465, 465},
    {"DNS", 6, 53, 53}, {"DNS", 17, 53, 53}, {"NTP", 6, 123, 123}, {"NTP", 17, 123, 123},
    {"POP3", 6, 110, 110}, {"POP3S", 6, 995, 995}, {"IMAP", 6, 143, 143}, {"IMAPS", 6, 993, 993},
    {"SMB", 6, 445, 445}, {"SAMBA", 6, 139, 139}, {"RDP", 6, 3389, 3389}, {"SNMP", 6, 161, 162},
    {"SNMP", 17, 161, 162}, {"MYSQL", 6, 3306, 3306}, {"MS-SQL", 6, 1433, 1434}, {"LDAP", 6, 389, 389},
    {"LDAP_UDP", 17, 389, 389}, {"KERBEROS", 6, 88, 88}, {"KERBEROS", 17, 88, 88},
    {"SYSLOG", 17, 514, 514}, {"TFTP", 17, 69, 69}, {"NFS", 6, 111, 111}, {"NFS", 6, 2049, 2049},
    {"NFS", 17, 111, 111}, {"NFS", 17, 2049, 2049}, {"VNC", 6, 5900, 5900}, {"BGP", 6, 179, 179},
    {"DHCP", 17, 67, 68}, {"IKE", 17, 500, 500}, {"IKE", 17, 4500, 4500}, {"RADIUS", 17, 1812, 1813},
    {"SIP", 17, 5060, 5060}, {"ONC-RPC", 6, 111, 111}, {"ONC-RPC", 17, 111, 111},
    {"SQUID", 6, 3128, 3128}, {"X-WINDOWS", 6, 6000, 6063}, {"WINFRAME", 6, 1494, 1494},
    {"ORACLE", 6, 1521, 1521}, {NULL, 0, 0, 0},
};

/* ---- resolving a policy's names ---- */

static bool fg_addr_resolve(fg_ctx *x, acl_dim *d, const char *name, int depth)
{
    if (!strcasecmp(name, "all")) {
        acl_dim_all(d, ACL_ADDR_MAX);
        return true;
    }
    if (!strcasecmp(name, "none"))
        return true;
    fg_obj *o = fg_obj_find(x, name, false);
    if (!o || depth > 8 || o->partial)
        return false;
    bool ok = true;
    for (size_t i = 0; i < o->addr.n; i++)
        acl_dim_add(d, o->addr.v[i].lo, o->addr.v[i].hi);
    for (size_t i = 0; i < o->mem.n; i++)
        ok = fg_addr_resolve(x, d, o->mem.v[i], depth + 1) && ok;
    return ok;
}

static bool fg_svc_resolve(fg_ctx *x, fg_box *v, size_t *n, const char *name, int depth)
{
    fg_obj *o = fg_obj_find(x, name, true);
    bool ok = true;
    if (!o) {
        bool found = false;
        for (const fg_predef *p = fg_predefs; p->name; p++) {
            if (strcasecmp(p->name, name))
                continue;
            fg_obj tmp = {0};
            fg_box_add1(&tmp, p->proto, 0, 65535, p->lo, p->hi);
            ok = fg_box_add(v, n, FG_BOXES, &tmp.box[0].proto, &tmp.box[0].sport, &tmp.box[0].dport) && ok;
            fg_obj_free(&tmp);
            found = true;
        }
        return found && ok;
    }
    if (depth > 8)
        return false;
    for (size_t i = 0; i < o->nbox; i++)
        ok = fg_box_add(v, n, FG_BOXES, &o->box[i].proto, &o->box[i].sport, &o->box[i].dport) && ok;
    for (size_t i = 0; i < o->mem.n; i++)
        ok = fg_svc_resolve(x, v, n, o->mem.v[i], depth + 1) && ok;
    return ok && !o->partial;
}

/* A set of names as a dim: false when one is not known (the dim is then left whole). */
static bool fg_addrs(fg_ctx *x, acl_dim *d, const fg_names *names, bool neg)
{
    if (!names->n)
        return true;
    acl_dim_clear(d);
    bool ok = true;
    for (size_t i = 0; i < names->n; i++)
        ok = fg_addr_resolve(x, d, names->v[i], 0) && ok;
    if (!ok)
        acl_dim_all(d, ACL_ADDR_MAX);
    else if (neg)
        acl_dim_invert(d, ACL_ADDR_MAX);
    return ok;
}

static void fg_zones(fg_ctx *x, acl_dim *d, const fg_names *names)
{
    bool any = !names->n;
    for (size_t i = 0; i < names->n; i++)
        any = any || !strcasecmp(names->v[i], "any");
    if (any)
        return;
    acl_dim_clear(d);
    for (size_t i = 0; i < names->n; i++)
        acl_lt_zone_add(x->c, d, names->v[i]);
}

/* The policy table: packets enter it, and what no policy matches is denied (implicit policy 0). */
static acl_list *fg_policy_list(fg_ctx *x)
{
    char name[160] = "firewall policy";
    for (size_t i = 0; i + 1 < x->depth; i++) /* config vdom / edit NAME: a policy table per vdom */
        if (!x->st[i].edit && !strcmp(x->st[i].name, "vdom") && x->st[i + 1].edit)
            snprintf(name, sizeof name, "firewall policy (vdom %s)", x->st[i + 1].name);
    acl_list *l = acl_list_get(x->c, name, "policy");
    l->entry = true;
    l->fallthrough = ACL_DENY;
    return l;
}

static void fg_policy_emit(fg_ctx *x)
{
    fg_policy *p = &x->pol;
    fg_box box[FG_BOXES];
    size_t nbox = 0;
    memset(box, 0, sizeof box);
    bool ok = true;
    for (size_t i = 0; i < p->svc.n; i++)
        ok = fg_svc_resolve(x, box, &nbox, p->svc.v[i], 0) && ok;
    if (!ok || p->svc_neg || !nbox) { /* one box with every service, partial */
        for (size_t i = 0; i < nbox; i++)
            fg_box_free(&box[i]);
        nbox = 0;
        fg_obj tmp = {0};
        fg_box_add1(&tmp, 0, 0, 65535, 0, 65535);
        box[0] = tmp.box[0];
        nbox = 1;
        free(tmp.name);
        fg_names_free(&tmp.mem);
        ok = !p->svc.n ? false : ok && !p->svc_neg;
    }
    char rname[256];
    if (*p->name)
        snprintf(rname, sizeof rname, "policy %s (%s)", p->id, p->name);
    else
        snprintf(rname, sizeof rname, "policy %s", p->id);
    acl_list *l = fg_policy_list(x);
    for (size_t i = 0; i < nbox; i++) {
        acl_rule *r = acl_rule_add(l, p->line, p->text, rname);
        r->action = p->deny ? ACL_DENY : ACL_PERMIT;
        r->disabled = p->disabled;
        r->log = p->log;
        r->partial = p->partial || !ok;
        r->partial |= !fg_addrs(x, &r->src, &p->src, p->src_neg);
        r->partial |= !fg_addrs(x, &r->dst, &p->dst, p->dst_neg);
        fg_zones(x, &r->zin, &p->zin);
        fg_zones(x, &r->zout, &p->zout);
        acl_dim_copy(&r->proto, &box[i].proto);
        acl_dim_copy(&r->sport, &box[i].sport);
        acl_dim_copy(&r->dport, &box[i].dport);
    }
    for (size_t i = 0; i < nbox; i++)
        fg_box_free(&box[i]);
}

static void fg_policy_clear(fg_policy *p)
{
    fg_names *n[] = {&p->zin, &p->zout, &p->src, &p->dst, &p->svc};
    for (size_t i = 0; i < 5; i++)
        fg_names_free(n[i]);
    memset(p, 0, sizeof *p);
}

/* ---- statements ---- */

static const char *fg_config(const fg_ctx *x)
{
    for (size_t i = x->depth; i-- > 0;)
        if (!x->st[i].edit)
            return x->st[i].name;
    return "";
}

/* Inside an edit directly under config name. */
static bool fg_in(const fg_ctx *x, const char *name)
{
    return x->depth >= 2 && x->st[x->depth - 1].edit && !x->st[x->depth - 2].edit &&
           !strcmp(x->st[x->depth - 2].name, name);
}

/* "443-445:1024-65535" (dst[:src]) into o as proto's box. */
static bool fg_portrange(fg_obj *o, unsigned proto, const char *s)
{
    acl_dim d = {0}, sp = {0};
    const char *colon = strchr(s, ':');
    char dst[64];
    size_t n = colon ? (size_t)(colon - s) : strlen(s);
    bool ok = n < sizeof dst;
    if (ok) {
        memcpy(dst, s, n);
        dst[n] = '\0';
        ok = acl_lt_port_range(&d, dst, '-') && (!colon || acl_lt_port_range(&sp, colon + 1, '-'));
    }
    if (ok && !colon)
        acl_dim_all(&sp, ACL_PORT_MAX);
    if (ok) {
        acl_dim p = {0};
        acl_dim_add(&p, proto, proto);
        o->partial |= !fg_box_add(o->box, &o->nbox, FG_BOXES, &p, &sp, &d);
        acl_dim_free(&p);
    }
    acl_dim_free(&d);
    acl_dim_free(&sp);
    return ok;
}

static void fg_set_object(fg_ctx *x, int line, char **tok, size_t nt)
{
    fg_obj *o = x->cur;
    const char *k = tok[1];
    if (!o)
        return;
    if (!strcmp(k, "subnet") && nt >= 3) {
        char pfx[128];
        snprintf(pfx, sizeof pfx, "%s%s%s", tok[2], nt >= 4 ? "/" : "", nt >= 4 ? tok[3] : "");
        acl_dim_clear(&o->addr);
        if (!acl_lt_addr(&o->addr, pfx))
            acl_unknown(x->c, line);
    } else if (!strcmp(k, "ip6") && nt >= 3) {
        acl_dim_clear(&o->addr);
        if (!acl_lt_addr(&o->addr, tok[2]))
            acl_unknown(x->c, line);
    } else if ((!strcmp(k, "start-ip") || !strcmp(k, "start-ip6")) && nt >= 3) {
        acl_dim_clear(&o->addr);
        o->partial |= !acl_lt_addr(&o->addr, tok[2]);
    } else if ((!strcmp(k, "end-ip") || !strcmp(k, "end-ip6")) && nt >= 3 && o->addr.n == 1) {
        acl_dim e = {0};
        if (acl_lt_addr(&e, tok[2]) && e.n && e.v[0].lo >= o->addr.v[0].lo)
            acl_dim_add(&o->addr, o->addr.v[0].lo, e.v[0].hi);
        acl_dim_free(&e);
    } else if (!strcmp(k, "type") && nt >= 3) {
        o->partial = strcmp(tok[2], "ipmask") && strcmp(tok[2], "iprange") && strcmp(tok[2], "ipprefix");
    } else if (!strcmp(k, "member")) {
        fg_names_free(&o->mem);
        fg_names_add(&o->mem, tok + 2, nt - 2);
    } else if ((!strcmp(k, "tcp-portrange") || !strcmp(k, "udp-portrange") || !strcmp(k, "sctp-portrange"))) {
        unsigned proto = k[0] == 't' ? 6 : k[0] == 'u' ? 17 : 132;
        for (size_t i = 2; i < nt; i++)
            if (!fg_portrange(o, proto, tok[i]))
                acl_unknown(x->c, line);
    } else if (!strcmp(k, "protocol") && nt >= 3) {
        snprintf(o->proto, sizeof o->proto, "%s", tok[2]);
    } else if (!strcmp(k, "protocol-number") && nt >= 3) {
        o->protonum = (unsigned)strtoul(tok[2], NULL, 10) & 0xff;
    }
}

/* A service's protocol ICMP / ICMP6 / IP replaces its port boxes. */
static void fg_object_done(fg_obj *o)
{
    unsigned p = !strcasecmp(o->proto, "ICMP") ? 1 : !strcasecmp(o->proto, "ICMP6") ? 58
               : !strcasecmp(o->proto, "IP") ? (o->protonum ? o->protonum : 256) : 0;
    if (o->kind != FG_SVC || !p)
        return;
    for (size_t i = 0; i < o->nbox; i++)
        fg_box_free(&o->box[i]);
    o->nbox = 0;
    fg_box_add1(o, p == 256 ? 0 : p, 0, 65535, 0, 65535);
}

static void fg_text_add(fg_policy *p, const char *s, size_t n)
{
    size_t have = strlen(p->text);
    if (have + 4 + n < sizeof p->text)
        snprintf(p->text + have, sizeof p->text - have, "%s%.*s", have ? " ; " : "", (int)n, s);
}

static void fg_set_policy(fg_ctx *x, int line, char **tok, size_t nt)
{
    fg_policy *p = &x->pol;
    const char *k = tok[1], *v = nt >= 3 ? tok[2] : "";
    fg_names *list = !strcmp(k, "srcintf") ? &p->zin : !strcmp(k, "dstintf") ? &p->zout
                   : !strcmp(k, "srcaddr") || !strcmp(k, "srcaddr6") ? &p->src
                   : !strcmp(k, "dstaddr") || !strcmp(k, "dstaddr6") ? &p->dst
                   : !strcmp(k, "service") ? &p->svc : NULL;
    static const char *const ignored[] = {
        "uuid", "comments", "nat", "ippool", "poolname", "utm-status", "inspection-mode", "ssl-ssh-profile",
        "av-profile", "webfilter-profile", "ips-sensor", "application-list", "dnsfilter-profile",
        "profile-protocol-options", "logtraffic-start", "match-vip", "global-label", "label", "profile-type",
        "profile-group", "emailfilter-profile", "file-filter-profile", "waf-profile", "voip-profile",
        "tcp-mss-sender", "tcp-mss-receiver", "auto-asic-offload", "capture-packet", "send-deny-packet",
        "fixedport", "natip", "vpntunnel", "wanopt", "traffic-shaper", "traffic-shaper-reverse",
        "per-ip-shaper", NULL};
    if (list) {
        if (!strcmp(tok[0], "set"))
            fg_names_free(list);
        fg_names_add(list, tok + 2, nt - 2);
    } else if (!strcmp(k, "name")) {
        snprintf(p->name, sizeof p->name, "%s", v);
    } else if (!strcmp(k, "action")) {
        p->deny = !strcmp(v, "deny");
        p->partial |= !strcmp(v, "ipsec");
    } else if (!strcmp(k, "status")) {
        p->disabled = !strcmp(v, "disable");
    } else if (!strcmp(k, "logtraffic")) {
        p->log = strcmp(v, "disable") != 0;
    } else if (!strcmp(k, "schedule")) {
        p->partial |= strcasecmp(v, "always") != 0;
    } else if (!strcmp(k, "srcaddr-negate") || !strcmp(k, "dstaddr-negate") || !strcmp(k, "service-negate")) {
        bool on = !strcmp(v, "enable");
        *(k[0] == 's' && k[1] == 'r' ? &p->src_neg : k[0] == 'd' ? &p->dst_neg : &p->svc_neg) = on;
    } else if (!strcmp(k, "groups") || !strcmp(k, "users") || !strcmp(k, "fsso-groups") ||
               !strncmp(k, "internet-service", 16) || !strcmp(k, "application")) {
        p->partial = true;
    } else {
        for (const char *const *i = ignored; *i; i++)
            if (!strcmp(*i, k))
                return;
        acl_unknown(x->c, line);
    }
}

static void fg_issue(fg_ctx *x, const char *id, finding_sev sev, int line, const char *text, const char *why)
{
    static const struct {
        const char *id, *en, *zh, *fix;
    } t[] = {
        {"KW-DEV-TELNET", FG_TELNET_EN, FG_TELNET_ZH, FG_TELNET_FIX},
        {"KW-DEV-HTTP-ADMIN", "Management over plain HTTP is enabled", "启用了明文 HTTP 管理",
         "remove http from allowaccess; manage over HTTPS"},
        {"KW-DEV-ADMIN-ANY-SOURCE", "An administrator may log in from any address", "管理员可从任意地址登录",
         "set trusthost1 (to trusthost10) to the management network for every admin"},
        {"KW-DEV-SNMP-COMMUNITY", "A default or weak SNMP community is configured", "配置了默认或弱 SNMP 团体名",
         "rename the community to a long random string, or use SNMPv3 users"},
        {"KW-DEV-SNMP-V2C", "SNMPv1/v2c is enabled where SNMPv3 is available", "启用了 SNMPv1/v2c（应使用 SNMPv3）",
         "delete the community and configure config system snmp user (v3, auth-priv)"},
        {"KW-DEV-PLAINTEXT-PASSWORD", "A password is stored in plain text", "密码以明文保存",
         "set the password again so that FortiOS stores it encrypted (ENC ...)"},
        {"KW-DEV-NO-TIMEOUT", "The administrator idle timeout is long", "管理员空闲超时过长",
         "set admintimeout 15 (or less) in config system global"},
        {"KW-DEV-NO-BANNER", "No login banner", "未设置登录提示信息", "set pre-login-banner enable in config system global"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(t[i].id, id))
            acl_issue_add(x->c, t[i].id, t[i].en, t[i].zh, t[i].fix, sev, line, text, why);
}

static void fg_set_system(fg_ctx *x, int line, const char *text, char **tok, size_t nt)
{
    const char *k = tok[1], *v = nt >= 3 ? tok[2] : "";
    char why[256];
    if (fg_in(x, "system interface") && !strcmp(k, "allowaccess")) {
        x->access[0] = '\0';
        for (size_t i = 2; i < nt; i++)
            snprintf(x->access + strlen(x->access), sizeof x->access - strlen(x->access), " %s ", tok[i]);
        kw_strlcpy(x->access_text, text, sizeof x->access_text);
        x->access_line = line;
    } else if (fg_in(x, "system interface") && !strcmp(k, "role")) {
        x->wan = x->wan || !strcmp(v, "wan");
    } else if (fg_in(x, "system admin") && !strncmp(k, "trusthost", 9) && strcmp(k, "trusthost")) {
        x->trusthost = x->trusthost || (nt >= 3 && strcmp(v, "0.0.0.0") && strcmp(v, "0.0.0.0/0"));
    } else if (fg_in(x, "system admin") && !strncmp(k, "ip6-trusthost", 13)) {
        x->trusthost = x->trusthost || (nt >= 3 && strcmp(v, "::/0"));
    } else if (fg_in(x, "system admin") && !strcmp(k, "password") && nt >= 3 && strcmp(v, "ENC")) {
        fg_issue(x, "KW-DEV-PLAINTEXT-PASSWORD", FINDING_HIGH, line, text, "the password is not ENC-encrypted");
    } else if (fg_in(x, "system snmp community") && !strcmp(k, "name")) {
        if (!strcasecmp(v, "public") || !strcasecmp(v, "private") || strlen(v) < 8) {
            snprintf(why, sizeof why, "community \"%s\" is a default or short one", v);
            fg_issue(x, "KW-DEV-SNMP-COMMUNITY", FINDING_HIGH, line, text, why);
        }
    } else if (fg_in(x, "system snmp community") && !strcmp(k, "status")) {
        x->snmp_off = !strcmp(v, "disable");
    } else if (!strcmp(fg_config(x), "system global") && x->depth == 1) {
        if (!strcmp(k, "admintimeout") && strtol(v, NULL, 10) > 60) {
            snprintf(why, sizeof why, "admintimeout %s minutes (more than 60)", v);
            fg_issue(x, "KW-DEV-NO-TIMEOUT", FINDING_LOW, line, text, why);
        } else if (!strcmp(k, "admin-telnet") && !strcmp(v, "enable")) {
            fg_issue(x, "KW-DEV-TELNET", FINDING_MEDIUM, line, text, "telnet administration is enabled globally");
        } else if (!strcmp(k, "pre-login-banner") && !strcmp(v, "enable")) {
            x->banner = true;
        }
    }
}

/* The end of an edit ("next"): what was read of the object becomes a policy, an object or an issue. */
static void fg_next(fg_ctx *x, const fg_frame *f)
{
    char why[1024], et[128];
    snprintf(et, sizeof et, "edit \"%s\"", f->name);
    if (x->in_pol) {
        fg_policy_emit(x);
        fg_policy_clear(&x->pol);
        x->in_pol = false;
    } else if (x->cur) {
        fg_object_done(x->cur);
        x->cur = NULL;
    } else if (fg_in(x, "system interface") && x->access_line) {
        bool wan = x->wan || strcasestr(f->name, "wan");
        snprintf(why, sizeof why, "interface %s%s allows%s", f->name, wan ? " (wan)" : "", x->access);
        if (strstr(x->access, " telnet "))
            fg_issue(x, "KW-DEV-TELNET", wan ? FINDING_HIGH : FINDING_MEDIUM, x->access_line, x->access_text, why);
        if (strstr(x->access, " http "))
            fg_issue(x, "KW-DEV-HTTP-ADMIN", wan ? FINDING_HIGH : FINDING_MEDIUM, x->access_line, x->access_text, why);
    } else if (fg_in(x, "system admin") && !x->trusthost) {
        snprintf(why, sizeof why, "admin %s has no trusthost", f->name);
        fg_issue(x, "KW-DEV-ADMIN-ANY-SOURCE", FINDING_MEDIUM, f->line, et, why);
    } else if (fg_in(x, "system snmp community") && !x->snmp_off) {
        fg_issue(x, "KW-DEV-SNMP-V2C", FINDING_LOW, f->line, et, "an SNMP community (v1/v2c) is enabled");
    }
    x->access[0] = x->access_text[0] = '\0';
    x->access_line = 0;
    x->wan = x->trusthost = x->snmp_off = false;
}

static void fg_edit(fg_ctx *x, int line, const char *text, size_t n, const char *name)
{
    const char *cfg = fg_config(x);
    if (fg_in(x, "firewall policy") || x->depth == 0 || x->st[x->depth - 1].edit)
        return;
    if (!strcmp(cfg, "firewall policy")) {
        fg_policy_clear(&x->pol);
        x->in_pol = true;
        x->pol.line = line;
        x->pol.deny = true; /* FortiOS's default action */
        snprintf(x->pol.id, sizeof x->pol.id, "%s", name);
        fg_text_add(&x->pol, text, n);
    } else if (!strcmp(cfg, "firewall address") || !strcmp(cfg, "firewall address6")) {
        x->cur = fg_obj_new(x, name, FG_ADDR);
        acl_dim_all(&x->cur->addr, ACL_ADDR_MAX); /* FortiOS's default subnet 0.0.0.0 0.0.0.0 */
    } else if (!strcmp(cfg, "firewall addrgrp") || !strcmp(cfg, "firewall addrgrp6")) {
        x->cur = fg_obj_new(x, name, FG_ADDRGRP);
    } else if (!strcmp(cfg, "firewall service custom")) {
        x->cur = fg_obj_new(x, name, FG_SVC);
    } else if (!strcmp(cfg, "firewall service group")) {
        x->cur = fg_obj_new(x, name, FG_SVCGRP);
    }
}

static void fg_push(fg_ctx *x, bool edit, const char *name, int line)
{
    if (x->depth >= FG_DEPTH) {
        x->overflow++;
        return;
    }
    fg_frame *f = &x->st[x->depth++];
    f->edit = edit;
    f->line = line;
    snprintf(f->name, sizeof f->name, "%s", name);
}

/* Pops the frame "next" (edit true) or "end" closes; false when there is none. */
static bool fg_pop(fg_ctx *x, bool edit)
{
    if (x->overflow) {
        x->overflow--;
        return true;
    }
    if (!x->depth || x->st[x->depth - 1].edit != edit)
        return false;
    fg_frame f = x->st[x->depth - 1];
    if (edit)
        fg_next(x, &f);
    x->depth--;
    return true;
}

static void fg_line(fg_ctx *x, int line, const char *s, size_t n)
{
    char buf[ACL_LT_LINE_MAX + 8], name[96] = "";
    char *tok[ACL_LT_TOK_MAX];
    size_t nt = acl_lt_split(s, n, buf, sizeof buf, tok, ACL_LT_TOK_MAX, NULL);
    if (!nt || tok[0][0] == '#')
        return;
    x->c->statements++;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    const char *k = tok[0];
    if (!strcmp(k, "config") && nt >= 2) {
        for (size_t i = 1; i < nt; i++)
            snprintf(name + strlen(name), sizeof name - strlen(name), "%s%s", i > 1 ? " " : "", tok[i]);
        fg_push(x, false, name, line);
        x->any_config = true;
        x->global |= !strcmp(name, "system global");
        if (!strcmp(name, "firewall policy")) {
            acl_list *l = fg_policy_list(x);
            if (!l->line)
                l->line = line;
        }
    } else if (!strcmp(k, "edit") && nt >= 2 && x->depth) {
        fg_edit(x, line, s, n, tok[1]);
        fg_push(x, true, tok[1], line);
    } else if (!strcmp(k, "next")) {
        if (!fg_pop(x, true))
            acl_unknown(x->c, line);
    } else if (!strcmp(k, "end")) {
        if (x->depth && x->st[x->depth - 1].edit) /* "end" without the last "next" */
            fg_pop(x, true);
        if (!fg_pop(x, false))
            acl_unknown(x->c, line);
    } else if ((!strcmp(k, "set") || !strcmp(k, "append") || !strcmp(k, "unset")) && nt >= 2 && x->depth) {
        if (x->in_pol && fg_in(x, "firewall policy")) {
            fg_text_add(&x->pol, s, n);
            if (strcmp(k, "unset"))
                fg_set_policy(x, line, tok, nt);
        } else if (x->cur && x->st[x->depth - 1].edit && strcmp(k, "unset")) {
            fg_set_object(x, line, tok, nt);
        } else if (strcmp(k, "unset")) {
            char text[ACL_LT_LINE_MAX + 1];
            snprintf(text, sizeof text, "%.*s", (int)n, s);
            fg_set_system(x, line, text, tok, nt);
        }
    } else if (x->in_pol || !x->depth) {
        acl_unknown(x->c, line);
    }
}

kw_rc acl_forti_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn)
{
    fg_ctx *x = kw_calloc(1, sizeof *x);
    x->c = c;
    size_t pos = 0, n;
    const char *s;
    int line = 0;
    while (acl_lt_next_line(text, len, &pos, &s, &n))
        fg_line(x, ++line, s, n);
    while (x->depth) /* a truncated file: close what is open */
        if (!fg_pop(x, x->st[x->depth - 1].edit))
            break;
    if (x->global && !x->banner)
        fg_issue(x, "KW-DEV-NO-BANNER", FINDING_LOW, 0, NULL, "config system global has no set pre-login-banner enable");
    kw_rc rc = KW_OK;
    if (!x->any_config) {
        snprintf(err, errn, "not a FortiGate configuration: no config block");
        rc = KW_ERR_PARSE;
    }
    fg_policy_clear(&x->pol);
    for (size_t i = 0; i < x->nobjs; i++)
        fg_obj_free(&x->objs[i]);
    free(x->objs);
    free(x);
    return rc;
}

int acl_forti_sniff(const char *text, size_t len)
{
    size_t lim = 1 << 20;
    int s = 0;
    if (acl_lt_has_line(text, len, lim, "config firewall policy"))
        s += 60;
    if (acl_lt_has_line(text, len, lim, "config system global"))
        s += 50;
    if (acl_lt_has_line(text, len, lim, "#config-version=F"))
        s += 40;
    if (acl_lt_has_line(text, len, lim, "config firewall address") || acl_lt_has_line(text, len, lim, "config system interface"))
        s += 20;
    if (s && acl_lt_has_line(text, len, lim, "next"))
        s += 10;
    return s > 100 ? 100 : s;
}
