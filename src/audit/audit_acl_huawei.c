/* Huawei VRP (switches, routers) and USG (firewalls) configurations (audit_acl_int.h): what is
 * Huawei's own beside the VRP statements of audit_acl_vrp.c: traffic-filter bindings, USG
 * security-policy rules, ip address-set and service-set objects. No I/O.
 *
 * Fall-through: a packet that matches no rule of an ACL applied by traffic-filter is
 * forwarded (the VRP command reference, traffic-filter, usage guidelines: a packet no rule
 * matches is allowed to pass; packet-filter behaves the same), so those lists fall through to
 * PERMIT; a USG security
 * policy's default action is deny unless "default action permit" says otherwise. */
#include "audit/audit_acl_vrp.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* " address [id] A mask M | A W | range A B" in an ip address-set. */
static void addrset_stmt(vrp_ctx *x, const acl_stmt *s)
{
    acl_obj *o = acl_obj_get(&x->objs, x->obj, false, true);
    unsigned long id;
    size_t i = acl_num(acl_tok(s, 1), 1u << 20, &id) ? 2 : 1;
    x->approx = false;
    if (!acl_tok_is(s, 0, "address") || !vrp_addr(x, s, &i, false, &o->addr) || x->approx)
        if (!acl_tok_is(s, 0, "description"))
            acl_unknown(x->c, s->line);
}

/* " service [id] protocol tcp|udp|icmp [source-port ..] destination-port 80 [to 90]". */
static void svcset_stmt(vrp_ctx *x, const acl_stmt *s)
{
    acl_obj *o = acl_obj_get(&x->objs, x->obj, true, true);
    unsigned long id;
    size_t i = acl_num(acl_tok(s, 1), 1u << 20, &id) ? 2 : 1;
    if (!acl_tok_is(s, 0, "service") || !acl_tok_is(s, i, "protocol")) {
        if (!acl_tok_is(s, 0, "description"))
            acl_unknown(x->c, s->line);
        return;
    }
    int proto = acl_proto(acl_tok(s, i + 1));
    acl_dim d = {0};
    unsigned long a, b;
    for (size_t k = i + 2; k < s->ntok; k++)
        if (acl_tok_is(s, k, "destination-port") && acl_num(acl_tok(s, k + 1), ACL_PORT_MAX, &a)) {
            b = a;
            if (acl_tok_is(s, k + 2, "to") && !acl_num(acl_tok(s, k + 3), ACL_PORT_MAX, &b))
                b = a;
            acl_dim_add(&d, a < b ? a : b, a < b ? b : a);
        }
    acl_svc_add(&o->s, proto < -1 ? -1 : proto, d.n ? &d : NULL);
    acl_dim_free(&d);
}

static bool huawei_top(vrp_ctx *x, const acl_stmt *s)
{
    if (acl_tok_is(s, 0, "security-policy") && s->ntok == 1) {
        acl_list *l = acl_list_get(x->c, "security-policy", "policy");
        strcpy(x->list, "security-policy");
        l->entry = true;
        if (!l->line) {
            l->line = s->line;
            l->fallthrough = ACL_DENY;
        }
        x->mode = VRP_POLICY;
        return true;
    }
    if (acl_tok_is(s, 0, "ip") && (acl_tok_is(s, 1, "address-set") || acl_tok_is(s, 1, "service-set"))) {
        bool svc = acl_tok_is(s, 1, "service-set");
        snprintf(x->obj, sizeof x->obj, "%s", acl_tok(s, 2));
        acl_obj_get(&x->objs, x->obj, svc, true);
        x->mode = VRP_OBJ;
        x->basic = svc; /* in VRP_OBJ: which kind */
        return true;
    }
    return false;
}

static bool huawei_own(vrp_ctx *x, const acl_stmt *s)
{
    if (s->indent == 0)
        return huawei_top(x, s);
    if (x->mode == VRP_IFACE && acl_tok_is(s, 0, "traffic-filter")) {
        /* traffic-filter inbound|outbound [ipv4|ipv6] acl [name] X */
        size_t i = acl_tok_is(s, 2, "acl") ? 3 : acl_tok_is(s, 3, "acl") ? 4 : s->ntok;
        i += acl_tok_is(s, i, "name");
        char name[128];
        snprintf(name, sizeof name, "%s%s", acl_tok_is(s, 2, "ipv6") ? "ipv6 " : "", acl_tok(s, i));
        if (*acl_tok(s, i))
            vrp_bind(x, name, acl_tok(s, 1), ACL_PERMIT);
        return true;
    }
    if (x->mode == VRP_OBJ) {
        if (x->basic)
            svcset_stmt(x, s);
        else
            addrset_stmt(x, s);
        return true;
    }
    if (x->mode != VRP_POLICY)
        return false;
    if (acl_stmt_starts(s, "rule name") && *acl_tok(s, 2)) {
        vrp_pol_open(x, s, acl_tok(s, 2));
        return true;
    }
    if (acl_stmt_starts(s, "default action")) {
        vrp_pol_close(x);
        acl_list *l = acl_list_get(x->c, "security-policy", "policy");
        l->fallthrough = acl_tok_is(s, 2, "permit") ? ACL_PERMIT : ACL_DENY;
        l->fallthrough_line = s->line;
        return true;
    }
    return false;
}

kw_rc acl_huawei_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn)
{
    (void)err;
    (void)errn;
    vrp_parse(c, text, len, huawei_own);
    return KW_OK;
}

int acl_huawei_sniff(const char *text, size_t len)
{
    if (!acl_sniff_texty(text, len))
        return 0;
    int score = 0;
    if (acl_sniff_count(text, len, "sysname", true))
        score += 30;
    if (acl_sniff_count(text, len, "#", false) >= 3)
        score += 15;
    if (acl_sniff_count(text, len, "acl number", false) || acl_sniff_count(text, len, "acl name", false))
        score += 25;
    if (acl_sniff_count(text, len, "traffic-filter", true) || acl_sniff_count(text, len, "user-interface", false))
        score += 15;
    if (acl_sniff_count(text, len, "security-policy", false) && acl_sniff_count(text, len, "rule name", true))
        score += 20;
    if (acl_sniff_count(text, len, "acl advanced", false) || acl_sniff_count(text, len, "object-policy", false) ||
        acl_sniff_count(text, len, "packet-filter", true))
        score -= 30; /* Comware */
    return score < 0 ? 0 : score > 100 ? 100 : score;
}
