/* H3C Comware configurations (audit_acl_int.h): what is Comware's own beside the VRP-like
 * statements of audit_acl_vrp.c: packet-filter bindings (fall-through permit unless
 * "packet-filter default deny"), object-group ip address / service, "security-policy ip"
 * rules, object-policy ip rules applied by zone-pair security (fall-through deny). No I/O. */
#include "audit/audit_acl_vrp.h"

#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* " [N] network subnet A M | host address A | range A B" in an object-group ip address. */
static void addr_obj(vrp_ctx *x, const acl_stmt *s)
{
    acl_obj *o = acl_obj_get(&x->objs, x->obj, false, true);
    unsigned long id;
    size_t i = acl_num(acl_tok(s, 0), 1u << 20, &id) ? 1 : 0;
    bool ok = acl_tok_is(s, i, "network");
    i++;
    if (ok && acl_tok_is(s, i, "subnet"))
        i++;
    else if (ok && acl_stmt_starts(s, i ? "0 network host address" : "network host address"))
        i += 2;
    else if (ok && acl_tok_is(s, i, "host") && acl_tok_is(s, i + 1, "address"))
        i += 2;
    x->approx = false;
    if (!ok || !vrp_addr(x, s, &i, true, &o->addr) || x->approx)
        if (!acl_tok_is(s, 0, "description"))
            acl_unknown(x->c, s->line);
}

/* " [N] service tcp|udp [source ..] destination eq|lt|gt|range ..", " service icmp". */
static void svc_obj(vrp_ctx *x, const acl_stmt *s)
{
    acl_obj *o = acl_obj_get(&x->objs, x->obj, true, true);
    unsigned long id;
    size_t i = acl_num(acl_tok(s, 0), 1u << 20, &id) ? 1 : 0;
    int proto = acl_proto(acl_tok(s, i + 1));
    if (!acl_tok_is(s, i, "service") || proto == -2) {
        if (!acl_tok_is(s, 0, "description"))
            acl_unknown(x->c, s->line);
        return;
    }
    acl_dim d = {0};
    bool ports = false;
    for (size_t k = i + 2; k < s->ntok; k++)
        if (acl_tok_is(s, k, "destination")) {
            size_t j = k + 1;
            ports = acl_ports(s, &j, proto, false, &d);
        }
    acl_svc_add(&o->s, proto, ports ? &d : NULL);
    acl_dim_free(&d);
}

/* "rule N pass|drop [logging] source-ip X destination-ip Y service Z" in an object-policy. */
static void objpol_rule(vrp_ctx *x, const acl_stmt *s)
{
    size_t i = 1;
    unsigned long n;
    char name[32];
    snprintf(name, sizeof name, "rule %s", acl_num(acl_tok(s, 1), 65535, &n) ? acl_tok(s, i++) : "?");
    acl_stmt one = *s;
    vrp_pol_open(x, s, name);
    snprintf(x->pol.name, sizeof x->pol.name, "%s", name);
    x->pol.action = acl_tok_is(s, i, "pass") ? ACL_PERMIT : ACL_DENY;
    for (i++; i < s->ntok; i++) {
        one.ntok = 0;
        one.tok[one.ntok++] = s->tok[i];
        if ((acl_tok_is(s, i, "source-ip") || acl_tok_is(s, i, "destination-ip") || acl_tok_is(s, i, "service")) &&
            i + 1 < s->ntok)
            one.tok[one.ntok++] = s->tok[++i];
        else if (!acl_tok_is(s, i, "logging") && !acl_tok_is(s, i, "counting"))
            x->pol.partial = true;
        if (acl_tok_is(&one, 0, "logging"))
            x->pol.log = true;
        else if (one.ntok == 2)
            vrp_pol_line(x, &one);
    }
    kw_strlcpy(x->pol.text, s->text, sizeof x->pol.text);
    vrp_pol_close(x);
}

static void policy_list(vrp_ctx *x, const acl_stmt *s, const char *name)
{
    kw_strlcpy(x->list, name, sizeof x->list);
    acl_list *l = acl_list_get(x->c, name, "policy");
    if (!l->line) {
        l->line = s->line;
        l->fallthrough = ACL_DENY;
    }
    l->entry = l->entry || !strcmp(name, "security-policy");
    x->mode = VRP_POLICY;
}

static bool h3c_top(vrp_ctx *x, const acl_stmt *s)
{
    char name[128];
    if (acl_stmt_starts(s, "security-policy ip")) {
        policy_list(x, s, "security-policy");
    } else if (acl_stmt_starts(s, "object-policy ip") && *acl_tok(s, 2)) {
        snprintf(name, sizeof name, "object-policy %s", acl_tok(s, 2));
        policy_list(x, s, name);
    } else if (acl_stmt_starts(s, "object-group ip address") || acl_stmt_starts(s, "object-group service")) {
        bool svc = acl_tok_is(s, 1, "service");
        kw_strlcpy(x->obj, acl_tok(s, svc ? 2 : 3), sizeof x->obj);
        acl_obj_get(&x->objs, x->obj, svc, true);
        x->basic = svc;
        x->mode = VRP_OBJ;
    } else if (acl_stmt_starts(s, "zone-pair security source") && acl_tok_is(s, 4, "destination")) {
        snprintf(x->iface, sizeof x->iface, "zone-pair %s->%s", acl_tok(s, 3), acl_tok(s, 5));
        kw_strlcpy(x->obj, acl_tok(s, 3), sizeof x->obj);
        kw_strlcpy(x->list, acl_tok(s, 5), sizeof x->list);
        x->mode = VRP_SKIP;
    } else if (acl_stmt_starts(s, "packet-filter default deny")) {
        /* default_deny applies it at the end */
    } else {
        return false;
    }
    return true;
}

/* "object-policy apply ip X" under a zone-pair: X decides the pair's traffic. */
static void zone_apply(vrp_ctx *x, const acl_stmt *s)
{
    char name[128];
    snprintf(name, sizeof name, "object-policy %s", acl_tok(s, 3));
    acl_list *l = acl_list_get(x->c, name, "policy");
    acl_list_bind(l, x->iface);
    l->entry = true;
    l->fallthrough = ACL_DENY;
    uint32_t zi = acl_zone_id(x->c, x->obj), zo = acl_zone_id(x->c, x->list);
    l = acl_list_get(x->c, name, "policy"); /* acl_zone_id does not move lists, but stay safe */
    for (size_t k = 0; k < l->n && l->nbound == 1; k++) {
        acl_dim_clear(&l->v[k].zin);
        acl_dim_add(&l->v[k].zin, zi, zi);
        acl_dim_clear(&l->v[k].zout);
        acl_dim_add(&l->v[k].zout, zo, zo);
    }
}

static bool h3c_own(vrp_ctx *x, const acl_stmt *s)
{
    if (s->indent == 0)
        return h3c_top(x, s);
    if (x->mode == VRP_IFACE && acl_tok_is(s, 0, "packet-filter")) {
        bool v6 = acl_tok_is(s, 1, "ipv6");
        size_t i = v6 ? 2 : 1;
        i += acl_tok_is(s, i, "acl") || acl_tok_is(s, i, "name");
        char name[128];
        snprintf(name, sizeof name, "%s%s", v6 ? "ipv6 " : "", acl_tok(s, i));
        if (*acl_tok(s, i + 1))
            vrp_bind(x, name, acl_tok(s, i + 1), ACL_PERMIT);
        return true;
    }
    if (x->mode == VRP_OBJ) {
        if (x->basic)
            svc_obj(x, s);
        else
            addr_obj(x, s);
        return true;
    }
    if (x->mode == VRP_SKIP && acl_stmt_starts(s, "object-policy apply ip")) {
        zone_apply(x, s);
        return true;
    }
    if (x->mode != VRP_POLICY || !acl_tok_is(s, 0, "rule"))
        return false;
    if (!strncmp(x->list, "object-policy ", 14)) {
        objpol_rule(x, s);
        return true;
    }
    /* security-policy ip: "rule N name X" (or "rule name X") */
    size_t i = acl_tok_is(s, 1, "name") ? 2 : 3;
    char name[128];
    snprintf(name, sizeof name, "%s", *acl_tok(s, i) ? acl_tok(s, i) : acl_tok(s, 1));
    vrp_pol_open(x, s, name);
    return true;
}

/* "packet-filter default deny": lists applied by packet-filter then deny what they do not match. */
static void default_deny(acl_config *c, const char *text, size_t len)
{
    acl_stmt *s = kw_malloc(sizeof *s);
    acl_text t;
    acl_text_init(&t, text, len);
    int line = 0;
    while (!line && acl_text_next(&t, s))
        if (acl_stmt_starts(s, "packet-filter default deny"))
            line = s->line;
    free(s);
    for (size_t i = 0; line && i < c->nlists; i++)
        if (!strcmp(c->lists[i].kind, "acl") && c->lists[i].nbound) {
            c->lists[i].fallthrough = ACL_DENY;
            c->lists[i].fallthrough_line = line;
        }
}

kw_rc acl_h3c_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn)
{
    (void)err;
    (void)errn;
    vrp_parse(c, text, len, h3c_own);
    default_deny(c, text, len);
    return KW_OK;
}

int acl_h3c_sniff(const char *text, size_t len)
{
    if (!acl_sniff_texty(text, len))
        return 0;
    int score = 0;
    if (acl_sniff_count(text, len, "sysname", true))
        score += 20;
    if (acl_sniff_count(text, len, "#", false) >= 3)
        score += 10;
    if (acl_sniff_count(text, len, "acl advanced", false) || acl_sniff_count(text, len, "acl basic", false))
        score += 35;
    if (acl_sniff_count(text, len, "object-policy ip", false) || acl_sniff_count(text, len, "packet-filter", true))
        score += 25;
    if (acl_sniff_count(text, len, "version", false) && memmem(text, len < 4096 ? len : 4096, "Comware", 7))
        score += 40;
    if (acl_sniff_count(text, len, "line vty", false))
        score += 5;
    return score > 100 ? 100 : score;
}
