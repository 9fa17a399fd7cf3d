/* What Huawei VRP/USG and H3C Comware configurations share (audit_acl_vrp.h): the statement
 * loop, ACL views ("acl number 3000", "acl advanced 3000", "acl name X") and their rules in
 * rule-id order, vty lines, SNMP agents, local users, login headers, and the security-policy
 * rule builder. No I/O. */
#include "audit/audit_acl_vrp.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- addresses ---- */

bool vrp_addr(vrp_ctx *x, const acl_stmt *s, size_t *i, bool netmask, acl_dim *d)
{
    const char *a = acl_tok(s, *i);
    uint32_t ip, m;
    unsigned long len;
    if (!strcasecmp(a, "any")) {
        acl_dim_all(d, ACL_ADDR_MAX);
        *i += 1;
        return true;
    }
    if (!strcasecmp(a, "address-set") || !strcasecmp(a, "object-group")) {
        const acl_obj *o = acl_obj_get(&x->objs, acl_tok(s, *i + 1), false, false);
        if (!o)
            return false;
        for (size_t k = 0; k < o->addr.n; k++)
            acl_dim_add(d, o->addr.v[k].lo, o->addr.v[k].hi);
        *i += 2;
        return true;
    }
    if (!strcasecmp(a, "range") && acl_ipv4(acl_tok(s, *i + 1), &ip) && acl_ipv4(acl_tok(s, *i + 2), &m)) {
        acl_dim_add(d, ACL_V4_BASE | (ip < m ? ip : m), ACL_V4_BASE | (ip < m ? m : ip));
        *i += 3;
        return true;
    }
    if (!acl_ipv4(a, &ip)) { /* IPv6: "2001:db8::/32", "2001:db8:: 32", "2001:db8::1 128" */
        char pfx[96];
        bool len6 = acl_num(acl_tok(s, *i + 1), 128, &len) && !strchr(a, '/');
        if (!strchr(a, ':') || strlen(a) > 64)
            return false;
        snprintf(pfx, sizeof pfx, len6 ? "%s/%lu" : "%s", a, len);
        if (!acl_dim_add_text(d, pfx))
            return false;
        *i += len6 ? 2 : 1;
        return true;
    }
    size_t j = *i + 1;
    bool mask = acl_tok_is(s, j, "mask");
    if (mask)
        j++;
    const char *w = acl_tok(s, j);
    if (acl_ipv4(w, &m)) {
        if (!acl_wildcard(d, ip, m, netmask || mask))
            x->approx = true;
        *i = j + 1;
    } else if (acl_num(w, 32, &len) && (len > 0 || mask)) { /* a prefix length */
        acl_dim_add_prefix(d, ip, (int)len, true);
        *i = j + 1;
    } else { /* "A 0" (wildcard 0) or A alone: one host */
        acl_dim_add_wildcard(d, ip, 0, false);
        *i = !strcmp(w, "0") ? j + 1 : *i + 1;
    }
    return true;
}

/* ---- ACL views and rules ---- */

/* "acl number 3000", "acl 3000", "acl name X [advance|basic|3000]", "acl advanced|basic 3000",
 * "acl advanced|basic name X" (Comware). */
static bool acl_header(vrp_ctx *x, const acl_stmt *s)
{
    if (!acl_tok_is(s, 0, "acl"))
        return false;
    bool v6 = acl_tok_is(s, 1, "ipv6"); /* "acl ipv6 [number|advanced] 3000": list "ipv6 3000" */
    size_t i = v6 ? 2 : 1;
    int kind = 0; /* 2 basic, 3 advanced, 4 layer 2 */
    if (acl_tok_is(s, i, "advanced") || acl_tok_is(s, i, "basic") || acl_tok_is(s, i, "mac")) {
        kind = acl_tok_is(s, i, "basic") ? 2 : acl_tok_is(s, i, "advanced") ? 3 : 4;
        i++;
    }
    if (acl_tok_is(s, i, "number") || acl_tok_is(s, i, "name"))
        i++;
    const char *name = acl_tok(s, i);
    unsigned long n;
    if (!*name)
        return false;
    if (!kind && acl_num(name, 99999, &n))
        kind = n < 3000 ? 2 : n < 4000 ? 3 : 4;
    else if (!kind)
        kind = acl_tok_is(s, i + 1, "basic") ? 2 : 3;
    snprintf(x->list, sizeof x->list, "%s%s", v6 ? "ipv6 " : "", name);
    acl_list *l = acl_list_get(x->c, x->list, "acl");
    if (!l->line)
        l->line = s->line;
    x->basic = kind == 2;
    x->l2 = kind == 4;
    x->step = 5;
    x->last = 0;
    for (size_t k = i + 1; k + 1 < s->ntok; k++)
        if (acl_tok_is(s, k, "step") && acl_num(acl_tok(s, k + 1), 20, &n) && n)
            x->step = n;
    x->mode = VRP_ACL;
    return true;
}

static const char *const rule_words[] = {"source", "destination", "source-port", "destination-port",
                                         "logging", "counting", "time-range", NULL};

static bool rule_word(const char *t)
{
    for (size_t k = 0; rule_words[k]; k++)
        if (!strcasecmp(t, rule_words[k]))
            return true;
    return false;
}

/* The rest of a rule's statement from token i: addresses, ports, options. */
static void rule_body(vrp_ctx *x, const acl_stmt *s, size_t i, acl_rule *r, int proto)
{
    bool unknown = false;
    while (i < s->ntok) {
        const char *t = s->tok[i];
        bool src = !strcasecmp(t, "source");
        if (src || !strcasecmp(t, "destination")) {
            acl_dim *d = src ? &r->src : &r->dst;
            acl_dim_clear(d);
            i++;
            x->approx = false;
            if (!vrp_addr(x, s, &i, false, d)) {
                acl_dim_all(d, ACL_ADDR_MAX);
                unknown = true;
                r->partial = true;
            }
            r->partial = r->partial || x->approx;
        } else if (!strcasecmp(t, "source-port") || !strcasecmp(t, "destination-port")) {
            i++;
            if (!acl_ports(s, &i, proto, false, t[0] == 's' ? &r->sport : &r->dport))
                unknown = true;
        } else if (!strcasecmp(t, "logging")) {
            r->log = true;
            i++;
        } else if (!strcasecmp(t, "counting")) {
            i++;
        } else { /* time-range, vpn-instance, fragment, tcp-flag, icmp-type, dscp, established...:
                    only some packets of the box */
            r->partial = true;
            i++;
            while (i < s->ntok && !rule_word(s->tok[i]))
                i++;
        }
    }
    if (unknown)
        acl_unknown(x->c, s->line);
}

static void acl_rule_stmt(vrp_ctx *x, const acl_stmt *s)
{
    size_t i = 1;
    unsigned long n;
    if (acl_num(acl_tok(s, 1), 4294967294ul, &n))
        i = 2;
    else
        n = (x->last / x->step + 1) * x->step;
    acl_action act;
    if (acl_tok_is(s, i, "permit"))
        act = ACL_PERMIT;
    else if (acl_tok_is(s, i, "deny"))
        act = ACL_DENY;
    else {
        acl_unknown(x->c, s->line);
        return;
    }
    if (n > x->last)
        x->last = n;
    if (x->l2) { /* layer-2 (MAC) rules are not in the model */
        acl_unknown(x->c, s->line);
        return;
    }
    char name[48];
    snprintf(name, sizeof name, "rule %lu", n);
    acl_list *l = acl_list_get(x->c, x->list, "acl");
    acl_rule *r = acl_rule_add(l, s->line, s->text, name);
    acl_keys_set(&x->keys, x->c, l, n + 1);
    r->action = act;
    i++;
    int proto = -1;
    if (!x->basic && i < s->ntok && !rule_word(s->tok[i])) {
        proto = acl_proto(s->tok[i]);
        if (proto == -2) {
            acl_unknown(x->c, s->line);
            r->partial = true;
        } else if (proto >= 0) {
            acl_dim_clear(&r->proto);
            acl_dim_add(&r->proto, (acl_u128)proto, (acl_u128)proto);
        }
        i++;
    }
    rule_body(x, s, i, r, proto);
}

/* ---- interfaces ---- */

void vrp_bind(vrp_ctx *x, const char *acl, const char *dir, acl_action fall)
{
    acl_list *l = acl_list_get(x->c, acl, "acl");
    char where[192];
    snprintf(where, sizeof where, "%s %s", x->iface, dir);
    acl_list_bind(l, where);
    l->entry = true;
    l->fallthrough = fall;
}

/* ---- management ---- */

static void vty_stmt(vrp_ctx *x, const acl_stmt *s)
{
    if (acl_stmt_starts(s, "protocol inbound") && (acl_tok_is(s, 2, "telnet") || acl_tok_is(s, 2, "all")))
        acl_dev_issue(x->c, ACL_DEV_TELNET, FINDING_HIGH, s, "the vty lines accept telnet logins");
    else if (acl_stmt_starts(s, "authentication-mode none"))
        acl_dev_issue(x->c, ACL_DEV_AUTH_NONE, FINDING_CRITICAL, s, "anyone reaching the line logs in without a password");
    else if (acl_tok_is(s, 0, "idle-timeout") && acl_tok_is(s, 1, "0") && (s->ntok < 3 || acl_tok_is(s, 2, "0")))
        acl_dev_issue(x->c, ACL_DEV_NO_TIMEOUT, FINDING_MEDIUM, s, "idle-timeout 0: sessions stay open forever");
    else if (acl_stmt_starts(s, "set authentication password simple"))
        acl_dev_issue(x->c, ACL_DEV_PLAINTEXT, FINDING_HIGH, s, "the line password is kept in clear text");
}

/* "local-user X password simple P" (VRP aaa view), "password simple P" (Comware user view). */
static bool password_stmt(vrp_ctx *x, const acl_stmt *s)
{
    size_t i = acl_tok_is(s, 0, "local-user") ? 2 : 0;
    if (!acl_tok_is(s, i, "password"))
        return false;
    if (acl_tok_is(s, i + 1, "simple"))
        acl_dev_issue(x->c, ACL_DEV_PLAINTEXT, FINDING_HIGH, s, "a local user's password is kept in clear text");
    return true;
}

static bool snmp_stmt(vrp_ctx *x, const acl_stmt *s)
{
    if (!acl_tok_is(s, 0, "snmp-agent"))
        return false;
    if (acl_tok_is(s, 1, "community")) {
        bool write = acl_tok_is(s, 2, "write");
        size_t i = 3;
        bool cipher = acl_tok_is(s, i, "cipher");
        if (cipher || acl_tok_is(s, i, "simple"))
            i++;
        if (!x->snmp_any)
            acl_dev_issue(x->c, ACL_DEV_SNMP_V2C, FINDING_MEDIUM, s, "an SNMP community is set: v1/v2c is in use");
        x->snmp_any = true;
        if (!cipher && acl_weak_community(acl_tok(s, i)))
            acl_dev_issue(x->c, ACL_DEV_SNMP_COMMUNITY, write ? FINDING_CRITICAL : FINDING_HIGH, s,
                          write ? "a guessable community can change the configuration" : "a guessable community reads the device");
    } else if (acl_stmt_starts(s, "snmp-agent sys-info version") && !x->snmp_any) {
        for (size_t i = 3; i < s->ntok; i++)
            if (acl_tok_is(s, i, "v1") || acl_tok_is(s, i, "v2c") || acl_tok_is(s, i, "all")) {
                acl_dev_issue(x->c, ACL_DEV_SNMP_V2C, FINDING_MEDIUM, s, "SNMP v1/v2c is enabled");
                x->snmp_any = true;
                break;
            }
    }
    return true;
}

/* ---- security-policy rules ---- */

void vrp_pol_open(vrp_ctx *x, const acl_stmt *s, const char *name)
{
    vrp_pol_close(x);
    vrp_pol *p = &x->pol;
    p->open = true;
    p->line = s->line;
    snprintf(p->name, sizeof p->name, "policy %s", name);
    kw_strlcpy(p->text, s->text, sizeof p->text);
    p->action = ACL_DENY;
    p->disabled = p->log = p->partial = p->has_src = p->has_dst = p->has_svc = false;
    acl_dim_clear(&p->src);
    acl_dim_clear(&p->dst);
    acl_dim_clear(&p->zin);
    acl_dim_clear(&p->zout);
    acl_svc_free(&p->svc);
}

void vrp_pol_close(vrp_ctx *x)
{
    vrp_pol *p = &x->pol;
    if (!p->open)
        return;
    p->open = false;
    acl_list *l = acl_list_get(x->c, x->list, "policy");
    acl_rule *r = acl_rule_add(l, p->line, p->text, p->name);
    r->action = p->action;
    r->disabled = p->disabled;
    r->log = p->log;
    r->partial = p->partial;
    if (p->has_src)
        acl_dim_copy(&r->src, &p->src);
    if (p->has_dst)
        acl_dim_copy(&r->dst, &p->dst);
    if (p->zin.n)
        acl_dim_copy(&r->zin, &p->zin);
    if (p->zout.n)
        acl_dim_copy(&r->zout, &p->zout);
    if (p->has_svc)
        acl_rule_set_svc(l, &p->svc, NULL, x->c);
}

void vrp_pol_zone(vrp_ctx *x, const char *zone, bool in)
{
    uint32_t id = acl_zone_id(x->c, zone);
    acl_dim_add(in ? &x->pol.zin : &x->pol.zout, id, id);
}

void vrp_pol_addr(vrp_ctx *x, const acl_dim *d, bool src)
{
    acl_dim *into = src ? &x->pol.src : &x->pol.dst;
    for (size_t k = 0; k < d->n; k++)
        acl_dim_add(into, d->v[k].lo, d->v[k].hi);
    if (src)
        x->pol.has_src = true;
    else
        x->pol.has_dst = true;
}

bool vrp_pol_service(vrp_ctx *x, const char *name)
{
    x->pol.has_svc = true;
    const acl_obj *o = acl_obj_get(&x->objs, name, true, false);
    if (o) {
        acl_svc_merge(&x->pol.svc, &o->s);
        return true;
    }
    return acl_svc_named(&x->pol.svc, name);
}

/* "service protocol tcp [source-port ..] destination-port 80 [to 90] ..." into v. */
static void svc_inline(const acl_stmt *s, size_t i, acl_svc *v)
{
    int proto = acl_proto(acl_tok(s, i));
    acl_dim d = {0};
    bool dport = false;
    unsigned long a, b;
    for (i++; i < s->ntok; i++) {
        if (acl_tok_is(s, i, "destination-port") || acl_tok_is(s, i, "source-port")) {
            dport = acl_tok_is(s, i, "destination-port");
            continue;
        }
        if (!dport || !acl_num(s->tok[i], ACL_PORT_MAX, &a))
            continue;
        b = a;
        if (acl_tok_is(s, i + 1, "to") && acl_num(acl_tok(s, i + 2), ACL_PORT_MAX, &b))
            i += 2;
        acl_dim_add(&d, a < b ? a : b, a < b ? b : a);
    }
    acl_svc_add(v, proto < -1 ? -1 : proto, d.n ? &d : NULL);
    acl_dim_free(&d);
}

static void pol_addr_stmt(vrp_ctx *x, const acl_stmt *s, bool src)
{
    acl_dim d = {0};
    size_t i = 1;
    const char *k = acl_tok(s, 0);
    bool ok;
    x->approx = false;
    if (strstr(k, "-ip-host") || strstr(k, "-ip-subnet") || strstr(k, "-address"))
        ok = vrp_addr(x, s, &i, true, &d);
    else { /* source-ip OBJECT (Comware) */
        const acl_obj *o = acl_obj_get(&x->objs, acl_tok(s, 1), false, false);
        ok = o != NULL;
        if (o)
            acl_dim_copy(&d, &o->addr);
    }
    x->pol.partial = x->pol.partial || x->approx;
    if (ok)
        vrp_pol_addr(x, &d, src);
    else {
        acl_unknown(x->c, s->line);
        x->pol.partial = true;
    }
    acl_dim_free(&d);
}

void vrp_pol_line(vrp_ctx *x, const acl_stmt *s)
{
    vrp_pol *p = &x->pol;
    size_t tl = strlen(p->text);
    if (tl + 4 < sizeof p->text) { /* joined, cut at the buffer */
        memcpy(p->text + tl, " ; ", 4);
        kw_strlcpy(p->text + tl + 3, s->text, sizeof p->text - tl - 3);
    }
    const char *k = acl_tok(s, 0);
    if (!strcasecmp(k, "source-zone") || !strcasecmp(k, "destination-zone")) {
        for (size_t i = 1; i < s->ntok; i++)
            vrp_pol_zone(x, s->tok[i], k[0] == 's');
    } else if (!strncasecmp(k, "source-ip", 9) || !strncasecmp(k, "source-address", 14)) {
        pol_addr_stmt(x, s, true);
    } else if (!strncasecmp(k, "destination-ip", 14) || !strncasecmp(k, "destination-address", 19)) {
        pol_addr_stmt(x, s, false);
    } else if (!strcasecmp(k, "service") && acl_tok_is(s, 1, "protocol")) {
        p->has_svc = true;
        svc_inline(s, 2, &p->svc);
    } else if (!strcasecmp(k, "service")) {
        for (size_t i = 1; i < s->ntok; i++)
            if (!vrp_pol_service(x, s->tok[i])) {
                acl_unknown(x->c, s->line);
                p->partial = true;
            }
    } else if (!strcasecmp(k, "action")) {
        p->action = acl_tok_is(s, 1, "permit") || acl_tok_is(s, 1, "pass") ? ACL_PERMIT : ACL_DENY;
    } else if (!strcasecmp(k, "disable")) {
        p->disabled = true;
    } else if (!strcasecmp(k, "logging") || !strcasecmp(k, "policy") || !strcasecmp(k, "session")) {
        p->log = p->log || acl_tok_is(s, 1, "logging") || !strcasecmp(k, "logging");
    } else if (!strcasecmp(k, "application") || !strcasecmp(k, "user") || !strcasecmp(k, "time-range") ||
               !strcasecmp(k, "url-category") || !strcasecmp(k, "user-group")) {
        p->partial = true;
    } else if (strcasecmp(k, "description") && strcasecmp(k, "profile") && strcasecmp(k, "parent-group") &&
               strcasecmp(k, "counting") && strcasecmp(k, "vrf")) {
        acl_unknown(x->c, s->line);
    }
}

/* ---- the statement loop ---- */

static void top_stmt(vrp_ctx *x, const acl_stmt *s)
{
    vrp_pol_close(x);
    x->mode = VRP_TOP;
    if (acl_tok_is(s, 0, "#") || acl_tok_is(s, 0, "!") || acl_tok_is(s, 0, "return"))
        return;
    if (x->own(x, s) || acl_header(x, s) || snmp_stmt(x, s) || password_stmt(x, s))
        return;
    if (acl_tok_is(s, 0, "interface")) {
        kw_strlcpy(x->iface, acl_tok(s, 1), sizeof x->iface);
        x->mode = VRP_IFACE;
    } else if (acl_tok_is(s, 0, "user-interface") || acl_tok_is(s, 0, "line")) {
        x->mode = VRP_VTY;
    } else if (acl_tok_is(s, 0, "local-user")) {
        x->mode = VRP_USER;
    } else if (acl_tok_is(s, 0, "header") && (acl_tok_is(s, 1, "login") || acl_tok_is(s, 1, "shell"))) {
        x->banner = true;
    } else if (acl_stmt_starts(s, "telnet server enable")) {
        acl_dev_issue(x->c, ACL_DEV_TELNET, FINDING_HIGH, s, "the telnet server is enabled");
    }
}

static void block_stmt(vrp_ctx *x, const acl_stmt *s)
{
    if (x->own(x, s) || snmp_stmt(x, s))
        return;
    switch (x->mode) {
    case VRP_ACL:
        if (acl_tok_is(s, 0, "rule"))
            acl_rule_stmt(x, s);
        else if (!acl_tok_is(s, 0, "description") && !acl_tok_is(s, 0, "step"))
            acl_unknown(x->c, s->line);
        break;
    case VRP_VTY:
        vty_stmt(x, s);
        break;
    case VRP_POLICY:
        if (x->pol.open)
            vrp_pol_line(x, s);
        break;
    default:
        password_stmt(x, s);
        break;
    }
}

/* An odd number of '"' opens a header's text that goes on over the next lines. */
static void skip_quoted(acl_text *t, const acl_stmt *s)
{
    size_t q = 0;
    for (const char *p = s->text; *p; p++)
        q += *p == '"';
    if (q % 2)
        acl_text_skip_to(t, "\"");
}

void vrp_parse(acl_config *c, const char *text, size_t len, bool (*own)(vrp_ctx *, const acl_stmt *))
{
    vrp_ctx *x = kw_calloc(1, sizeof *x);
    acl_stmt *s = kw_malloc(sizeof *s);
    x->c = c;
    x->own = own;
    x->step = 5;
    acl_text t;
    acl_text_init(&t, text, len);
    while (acl_text_next(&t, s)) {
        c->statements++;
        if (s->indent == 0 || x->mode == VRP_TOP) /* " sysname X" under a "#" is top-level */
            top_stmt(x, s);
        else
            block_stmt(x, s);
        if (acl_tok_is(s, 0, "header"))
            skip_quoted(&t, s);
    }
    vrp_pol_close(x);
    if (!x->banner)
        acl_dev_issue(c, ACL_DEV_NO_BANNER, FINDING_LOW, NULL, "no header login / header shell is configured");
    acl_keys_sort(&x->keys, c);
    acl_objs_free(&x->objs);
    acl_dim_free(&x->pol.src);
    acl_dim_free(&x->pol.dst);
    acl_dim_free(&x->pol.zin);
    acl_dim_free(&x->pol.zout);
    acl_svc_free(&x->pol.svc);
    free(s);
    free(x);
}
