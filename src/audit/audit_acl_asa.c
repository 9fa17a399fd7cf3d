/* Cisco ASA configurations (audit_acl_int.h): access-list NAME extended|standard entries
 * (netmasks, any4/any6, object and object-group addresses and services), object network,
 * object-group network / service / protocol, access-group bindings (an ASA list denies what it
 * does not match), and management: telnet, ssh, http, SNMP, passwords, banners, timeouts. No I/O. */
#include "audit/audit_acl_int.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct asa_ctx {
    acl_config *c;
    bool in_obj, obj_svc;
    char obj[128];
    int svc_proto;             /* an object-group service's own protocol (6, 17, 0: tcp-udp, -1: none) */
    char list[128];            /* the list of the last entry and how many entries it has */
    unsigned long count;
    bool banner;
    acl_objs objs;
} asa_ctx;

/* ---- objects ---- */

static void obj_addr(asa_ctx *x, const acl_stmt *s)
{
    size_t i = 1;
    uint32_t a, b;
    acl_obj *o = acl_obj_get(&x->objs, x->obj, false, true);
    const char *k = acl_tok(s, 0);
    bool ok = true;
    acl_dim d = {0};
    bool partial = false;
    if (!strcasecmp(k, "host") || !strcasecmp(k, "subnet")) {
        i = !strcasecmp(k, "host") ? 0 : 1;
        ok = acl_cisco_addr(&x->objs, s, &i, ACL_CISCO_ASA, &d, &partial);
    } else if (!strcasecmp(k, "range") && acl_ipv4(acl_tok(s, 1), &a) && acl_ipv4(acl_tok(s, 2), &b)) {
        acl_dim_add(&d, ACL_V4_BASE | (a < b ? a : b), ACL_V4_BASE | (a < b ? b : a));
    } else if (!strcasecmp(k, "network-object")) {
        ok = acl_cisco_addr(&x->objs, s, &i, ACL_CISCO_ASA, &d, &partial);
    } else if (!strcasecmp(k, "group-object")) {
        i = 0;
        acl_stmt g = *s;
        g.tok[0] = "object-group";
        ok = acl_cisco_addr(&x->objs, &g, &i, ACL_CISCO_ASA, &d, &partial);
    } else if (strcasecmp(k, "description") && strcasecmp(k, "nat")) {
        ok = false; /* fqdn and the rest: not an address keepwatch knows */
    }
    o = acl_obj_get(&x->objs, x->obj, false, true);
    for (size_t n = 0; ok && n < d.n; n++)
        acl_dim_add(&o->addr, d.v[n].lo, d.v[n].hi);
    if (!ok || partial) /* not an address, or a mask approximated */
        acl_unknown(x->c, s->line);
    acl_dim_free(&d);
}

/* "port-object eq P | range A B", "service-object PROTO [source ..] [destination] [eq ..]",
 * "service tcp destination eq 80" (object service), "protocol-object tcp", "group-object X". */
static void obj_svc(asa_ctx *x, const acl_stmt *s)
{
    acl_obj *o = acl_obj_get(&x->objs, x->obj, true, true);
    acl_dim d = {0};
    size_t i = 1;
    const char *k = acl_tok(s, 0);
    if (!strcasecmp(k, "port-object") && acl_ports(s, &i, x->svc_proto, false, &d)) {
        if (x->svc_proto == 6 || x->svc_proto == 0)
            acl_svc_add(&o->s, 6, &d);
        if (x->svc_proto == 17 || x->svc_proto == 0)
            acl_svc_add(&o->s, 17, &d);
    } else if (!strcasecmp(k, "service-object") || !strcasecmp(k, "service") || !strcasecmp(k, "protocol-object")) {
        int proto = acl_proto(acl_tok(s, 1));
        bool tu = acl_tok_is(s, 1, "tcp-udp");
        bool ports = false;
        for (i = 2; i < s->ntok && !ports; i++) {
            size_t j = acl_tok_is(s, i, "destination") ? i + 1 : i;
            ports = !acl_tok_is(s, i - 1, "source") && acl_ports(s, &j, tu ? 0 : proto, false, &d);
        }
        if (tu) {
            acl_svc_add(&o->s, 6, ports ? &d : NULL);
            acl_svc_add(&o->s, 17, ports ? &d : NULL);
        } else if (proto != -2) {
            acl_svc_add(&o->s, proto, ports ? &d : NULL);
        } else {
            acl_unknown(x->c, s->line);
        }
    } else if (!strcasecmp(k, "group-object")) {
        const acl_obj *g = acl_obj_get(&x->objs, acl_tok(s, 1), true, false);
        if (g) {
            acl_svc w = {0};
            acl_svc_merge(&w, &g->s);
            o = acl_obj_get(&x->objs, x->obj, true, true);
            acl_svc_merge(&o->s, &w);
            acl_svc_free(&w);
        } else {
            acl_unknown(x->c, s->line);
        }
    } else if (strcasecmp(k, "description")) {
        acl_unknown(x->c, s->line);
    }
    acl_dim_free(&d);
}

/* "object network X", "object service X", "object-group network|service|protocol X [tcp|udp|tcp-udp]". */
static bool obj_open(asa_ctx *x, const acl_stmt *s)
{
    bool grp = acl_tok_is(s, 0, "object-group");
    if ((!grp && !acl_tok_is(s, 0, "object")) || !*acl_tok(s, 2))
        return false;
    x->obj_svc = !acl_tok_is(s, 1, "network");
    if (x->obj_svc && !acl_tok_is(s, 1, "service") && !acl_tok_is(s, 1, "protocol"))
        return false;
    kw_strlcpy(x->obj, acl_tok(s, 2), sizeof x->obj);
    acl_obj_get(&x->objs, x->obj, x->obj_svc, true);
    x->svc_proto = acl_tok_is(s, 3, "tcp") ? 6 : acl_tok_is(s, 3, "udp") ? 17 : acl_tok_is(s, 3, "tcp-udp") ? 0 : -1;
    x->in_obj = true;
    return true;
}

/* ---- access lists ---- */

static void asa_entry(asa_ctx *x, const acl_stmt *s)
{
    const char *list = acl_tok(s, 1);
    size_t i = 2;
    unsigned long n;
    if (acl_tok_is(s, i, "line") && acl_num(acl_tok(s, i + 1), 1u << 24, &n))
        i += 2;
    if (acl_tok_is(s, i, "remark") || !*list)
        return;
    unsigned flags = ACL_CISCO_ASA;
    if (acl_tok_is(s, i, "standard"))
        flags |= ACL_CISCO_STD;
    else if (!acl_tok_is(s, i, "extended")) { /* webtype, ethertype: not modelled */
        acl_unknown(x->c, s->line);
        return;
    }
    acl_list *l = acl_list_get(x->c, list, "acl");
    if (!l->line)
        l->line = s->line;
    l->fallthrough = ACL_DENY;
    if (strcmp(x->list, list)) { /* entries of a list usually follow each other: recount when not */
        kw_strlcpy(x->list, list, sizeof x->list);
        x->count = acl_list_entries(l);
    }
    char name[192];
    snprintf(name, sizeof name, "%s line %lu", list, ++x->count);
    acl_rule_add(l, s->line, s->text, name);
    if (!acl_cisco_ace(x->c, &x->objs, l, NULL, s, i + 1, flags)) {
        acl_unknown(x->c, s->line);
        l->v[l->n - 1].partial = true;
    }
}

/* "access-group NAME in|out interface IF", "access-group NAME global". */
static void asa_group(asa_ctx *x, const acl_stmt *s)
{
    char where[192];
    if (acl_tok_is(s, 2, "global"))
        snprintf(where, sizeof where, "global");
    else if (acl_tok_is(s, 3, "interface") && *acl_tok(s, 4))
        snprintf(where, sizeof where, "%s %s", acl_tok(s, 4), acl_tok(s, 2));
    else {
        acl_unknown(x->c, s->line);
        return;
    }
    acl_list *l = acl_list_get(x->c, acl_tok(s, 1), "acl");
    acl_list_bind(l, where);
    l->entry = true;
    l->fallthrough = ACL_DENY;
}

/* ---- management ---- */

/* "telnet|ssh|http A M IF" from anywhere (0.0.0.0 0.0.0.0, 0 0, any). */
static bool from_any(const acl_stmt *s)
{
    const char *a = acl_tok(s, 1), *m = acl_tok(s, 2);
    return (!strcmp(a, "0") || !strcmp(a, "0.0.0.0") || !strcasecmp(a, "any")) &&
           (!strcmp(m, "0") || !strcmp(m, "0.0.0.0") || !*acl_tok(s, 3) || !strcasecmp(a, "any"));
}

static void asa_mgmt(asa_ctx *x, const acl_stmt *s)
{
    uint32_t ip;
    bool addr = acl_ipv4(acl_tok(s, 1), &ip) || !strcmp(acl_tok(s, 1), "0");
    if (acl_tok_is(s, 0, "telnet") && addr) {
        acl_dev_issue(x->c, ACL_DEV_TELNET, FINDING_HIGH, s, "telnet management is allowed on the interface");
    } else if (acl_tok_is(s, 0, "ssh") && addr && from_any(s)) {
        acl_dev_issue(x->c, ACL_DEV_SSH_ANY, FINDING_MEDIUM, s, "ssh is allowed from any address");
    } else if (acl_tok_is(s, 0, "http") && addr && from_any(s)) {
        acl_dev_issue(x->c, ACL_DEV_HTTP, FINDING_MEDIUM, s, "ASDM / HTTPS management is allowed from any address");
    } else if (acl_stmt_starts(s, "snmp-server community") ||
               (acl_stmt_starts(s, "snmp-server host") && acl_tok_is(s, 4, "community"))) {
        const char *comm = acl_tok(s, acl_tok_is(s, 1, "host") ? 5 : 2);
        acl_dev_issue(x->c, ACL_DEV_SNMP_V2C, FINDING_MEDIUM, s, "an SNMP community is set: v1/v2c is in use");
        if (acl_weak_community(comm))
            acl_dev_issue(x->c, ACL_DEV_SNMP_COMMUNITY, FINDING_HIGH, s, "a guessable community reads the device");
    } else if (acl_stmt_starts(s, "enable password") || (acl_tok_is(s, 0, "username") && acl_tok_is(s, 2, "password")) ||
               acl_tok_is(s, 0, "passwd")) {
        bool hashed = false;
        for (size_t i = 2; i < s->ntok; i++)
            hashed = hashed || acl_tok_is(s, i, "encrypted") || acl_tok_is(s, i, "pbkdf2") || acl_tok_is(s, i, "nt-encrypted");
        if (!hashed)
            acl_dev_issue(x->c, ACL_DEV_PLAINTEXT, FINDING_HIGH, s, "a password is kept in clear text");
    } else if (acl_tok_is(s, 0, "banner") && (acl_tok_is(s, 1, "login") || acl_tok_is(s, 1, "motd"))) {
        x->banner = true;
    } else if (acl_stmt_starts(s, "console timeout 0")) {
        acl_dev_issue(x->c, ACL_DEV_NO_TIMEOUT, FINDING_MEDIUM, s, "console sessions never time out");
    }
}

kw_rc acl_asa_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn)
{
    (void)err;
    (void)errn;
    asa_ctx x = {.c = c};
    acl_stmt *s = kw_malloc(sizeof *s);
    acl_text t;
    acl_text_init(&t, text, len);
    while (acl_text_next(&t, s)) {
        c->statements++;
        if (s->indent > 0) {
            if (x.in_obj && x.obj_svc)
                obj_svc(&x, s);
            else if (x.in_obj)
                obj_addr(&x, s);
            continue;
        }
        x.in_obj = false;
        if (acl_tok_is(s, 0, "access-list"))
            asa_entry(&x, s);
        else if (acl_tok_is(s, 0, "access-group"))
            asa_group(&x, s);
        else if (!obj_open(&x, s))
            asa_mgmt(&x, s);
    }
    if (!x.banner)
        acl_dev_issue(c, ACL_DEV_NO_BANNER, FINDING_LOW, NULL, "no banner login / banner motd");
    acl_objs_free(&x.objs);
    free(s);
    return KW_OK;
}

int acl_asa_sniff(const char *text, size_t len)
{
    if (!acl_sniff_texty(text, len))
        return 0;
    int score = 0;
    if (acl_sniff_count(text, len, "ASA Version", false) || acl_sniff_count(text, len, "PIX Version", false))
        score += 50;
    if (acl_sniff_count(text, len, "nameif", true))
        score += 25;
    if (acl_sniff_count(text, len, "access-group", false))
        score += 15;
    if (acl_sniff_count(text, len, "object-group network", false) || acl_sniff_count(text, len, "object network", false))
        score += 15;
    if (acl_sniff_count(text, len, "hostname", false))
        score += 5;
    return score > 100 ? 100 : score;
}
