/* Cisco IOS configurations (audit_acl_int.h): numbered and named IPv4 access lists, IPv6
 * access lists, object-group network, ip access-group / ipv6 traffic-filter bindings (an IOS
 * list denies what it does not match), vty lines, SNMP, passwords, banners; and the entry
 * syntax IOS and ASA share (acl_cisco_ace). No I/O. */
#include "audit/audit_acl_int.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- entries (IOS and ASA) ---- */

bool acl_cisco_addr(const acl_objs *o, const acl_stmt *s, size_t *i, unsigned flags, acl_dim *d, bool *partial)
{
    const char *a = acl_tok(s, *i);
    if (!strcasecmp(a, "any4")) {
        acl_dim_add(d, ACL_V4_BASE, ACL_V4_BASE | 0xffffffffu);
        *i += 1;
        return true;
    }
    if (!strcasecmp(a, "any6")) {
        acl_dim_add(d, 0, ACL_V4_BASE - 1);
        acl_dim_add(d, ACL_V4_BASE + ((acl_u128)1 << 32), ACL_ADDR_MAX);
        *i += 1;
        return true;
    }
    if (!strcasecmp(a, "object") || !strcasecmp(a, "object-group")) {
        const acl_obj *ob = acl_obj_get((acl_objs *)o, acl_tok(s, *i + 1), false, false);
        if (!ob)
            return false;
        for (size_t k = 0; k < ob->addr.n; k++)
            acl_dim_add(d, ob->addr.v[k].lo, ob->addr.v[k].hi);
        *i += 2;
        return true;
    }
    if (!strcasecmp(a, "interface") && *acl_tok(s, *i + 1)) { /* the device's own address there */
        acl_dim_all(d, ACL_ADDR_MAX);
        *partial = true;
        *i += 2;
        return true;
    }
    acl_dim one = {0};
    bool ok = acl_addr_mask(s, i, flags & ACL_CISCO_ASA, !(flags & ACL_CISCO_ASA) && (flags & ACL_CISCO_STD), &one, partial);
    for (size_t k = 0; ok && k < one.n; k++)
        acl_dim_add(d, one.v[k].lo, one.v[k].hi);
    acl_dim_free(&one);
    return ok;
}

/* Ports at token *i for proto: eq/neq/lt/gt/range, or (ASA) object-group of ports. */
static bool ace_ports(const acl_objs *o, const acl_stmt *s, size_t *i, int proto, unsigned flags, acl_dim *d)
{
    if ((flags & ACL_CISCO_ASA) && acl_tok_is(s, *i, "object-group")) {
        const acl_obj *ob = acl_obj_get((acl_objs *)o, acl_tok(s, *i + 1), true, false);
        if (!ob || !(ob->s.tcp.n || ob->s.udp.n) || ob->s.other.n)
            return false; /* not a port group: a destination or a service group */
        acl_dim_copy(d, proto == 17 ? &ob->s.udp : &ob->s.tcp);
        *i += 2;
        return true;
    }
    return acl_ports(s, i, proto, !(flags & ACL_CISCO_ASA), d);
}

/* The protocol at token *i: a name or number, or (ASA) a service object / group into v. */
static bool ace_proto(const acl_objs *o, const acl_stmt *s, size_t *i, int *proto, acl_svc *v)
{
    if (acl_tok_is(s, *i, "object-group") || acl_tok_is(s, *i, "object")) {
        const acl_obj *ob = acl_obj_get((acl_objs *)o, acl_tok(s, *i + 1), true, false);
        if (!ob)
            return false;
        acl_svc_merge(v, &ob->s);
        *proto = -3;
        *i += 2;
        return true;
    }
    *proto = acl_proto(acl_tok(s, *i));
    *i += 1;
    return *proto != -2;
}

static void ace_options(const acl_stmt *s, size_t i, acl_rule *r)
{
    for (; i < s->ntok; i++) {
        if (acl_tok_is(s, i, "log") || acl_tok_is(s, i, "log-input"))
            r->log = true;
        else if (acl_tok_is(s, i, "inactive"))
            r->disabled = true;
        else if (!r->log) /* established, time-range, dscp, fragments, icmp types... (after
                             log: its level and interval) */
            r->partial = true;
    }
}

static void set_proto(acl_rule *r, int proto)
{
    if (proto < 0)
        return;
    acl_dim_clear(&r->proto);
    acl_dim_add(&r->proto, (acl_u128)proto, (acl_u128)proto);
}

bool acl_cisco_ace(acl_config *c, const acl_objs *o, acl_list *l, acl_keys *k, const acl_stmt *s, size_t i,
                   unsigned flags)
{
    acl_rule *r = &l->v[l->n - 1];
    if (acl_tok_is(s, i, "deny"))
        r->action = ACL_DENY;
    else if (!acl_tok_is(s, i, "permit"))
        return false;
    i++;
    bool partial = false;
    if (flags & ACL_CISCO_STD) {
        acl_dim *d = flags & ACL_CISCO_ASA ? &r->dst : &r->src;
        acl_dim_clear(d);
        if (!acl_cisco_addr(o, s, &i, flags, d, &partial))
            return false;
        r->partial = partial;
        ace_options(s, i, r);
        return true;
    }
    int proto;
    acl_svc v = {0};
    bool ok = ace_proto(o, s, &i, &proto, &v);
    acl_dim_clear(&r->src);
    ok = ok && acl_cisco_addr(o, s, &i, flags, &r->src, &partial);
    ok = ok && (ace_ports(o, s, &i, proto, flags, &r->sport) || true);
    acl_dim_clear(&r->dst);
    ok = ok && acl_cisco_addr(o, s, &i, flags, &r->dst, &partial);
    if (ok && ace_ports(o, s, &i, proto, flags, &r->dport) && proto == -3)
        partial = true; /* ports beside a service group: not modelled */
    if (ok) {
        r->partial = partial;
        ace_options(s, i, r);
        set_proto(r, proto);
        if (proto == -3)
            acl_rule_set_svc(l, &v, k, c);
    }
    acl_svc_free(&v);
    return ok;
}

/* ---- IOS ---- */

typedef enum ios_mode { IOS_TOP, IOS_ACL, IOS_IFACE, IOS_LINE, IOS_OBJ } ios_mode;

typedef struct ios_ctx {
    acl_config *c;
    ios_mode mode;
    char list[96];
    unsigned flags;            /* ACL_CISCO_STD for a standard list */
    unsigned long seq, count;  /* the list's last sequence number, entries read */
    char iface[128];
    char obj[128];
    bool vty, transport;
    acl_stmt *vty_stmt;        /* the "line vty" statement, for an absent transport input */
    bool banner, pwenc, snmp_v3;
    acl_stmt *community;       /* the first snmp-server community */
    acl_objs objs;
    acl_keys keys;
} ios_ctx;

/* One entry: of a numbered list (tokens from 2) or of the named list being read. */
static void ios_entry(ios_ctx *x, const acl_stmt *s, const char *list, size_t i, bool numbered)
{
    if (acl_tok_is(s, i, "remark") || acl_tok_is(s, i, "description"))
        return;
    unsigned long seq;
    bool given = false;
    if (acl_tok_is(s, i, "sequence"))
        i++;
    if (acl_num(acl_tok(s, i), 4294967294ul, &seq)) {
        given = true;
        i++;
    } else {
        seq = x->seq + 10;
    }
    acl_list *l = acl_list_get(x->c, list, "acl");
    if (strcmp(x->list, list)) { /* another numbered list: count on from its entries */
        kw_strlcpy(x->list, list, sizeof x->list);
        x->count = acl_list_entries(l);
        x->seq = 0;
    }
    if (seq > x->seq)
        x->seq = seq;
    char name[160];
    if (numbered)
        snprintf(name, sizeof name, "access-list %s line %lu", list, ++x->count);
    else if (given)
        snprintf(name, sizeof name, "%s seq %lu", list, seq);
    else
        snprintf(name, sizeof name, "%s line %lu", list, ++x->count);
    if (!l->line)
        l->line = s->line;
    l->fallthrough = ACL_DENY;
    acl_rule_add(l, s->line, s->text, name);
    if (!numbered) /* a numbered list is in file order (its lines may interleave with others) */
        acl_keys_set(&x->keys, x->c, l, seq);
    if (!acl_cisco_ace(x->c, &x->objs, l, numbered ? NULL : &x->keys, s, i, x->flags)) {
        acl_unknown(x->c, s->line);
        l->v[l->n - 1].partial = true;
    }
}

/* "access-list N ...": standard 1-99 and 1300-1999, extended 100-199 and 2000-2699. */
static void ios_numbered(ios_ctx *x, const acl_stmt *s)
{
    unsigned long n;
    if (!acl_num(acl_tok(s, 1), 2699, &n)) {
        acl_unknown(x->c, s->line);
        return;
    }
    x->flags = (n < 100 || (n >= 1300 && n < 2000)) ? ACL_CISCO_STD : 0;
    ios_entry(x, s, acl_tok(s, 1), 2, true);
}

static void ios_obj(ios_ctx *x, const acl_stmt *s)
{
    acl_obj *o = acl_obj_get(&x->objs, x->obj, false, true);
    size_t i = 0;
    if (acl_tok_is(s, 0, "group-object")) {
        const acl_obj *g = acl_obj_get(&x->objs, acl_tok(s, 1), false, false);
        o = acl_obj_get(&x->objs, x->obj, false, true);
        for (size_t k = 0; g && k < g->addr.n; k++)
            acl_dim_add(&o->addr, g->addr.v[k].lo, g->addr.v[k].hi);
        if (!g)
            acl_unknown(x->c, s->line);
        return;
    }
    uint32_t a, b;
    if (acl_tok_is(s, 0, "range") && acl_ipv4(acl_tok(s, 1), &a) && acl_ipv4(acl_tok(s, 2), &b)) {
        acl_dim_add(&o->addr, ACL_V4_BASE | (a < b ? a : b), ACL_V4_BASE | (a < b ? b : a));
        return;
    }
    acl_dim d = {0};
    bool approx = false;
    bool ok = acl_addr_mask(s, &i, true, true, &d, &approx); /* object groups take netmasks */
    for (size_t k = 0; ok && k < d.n; k++)
        acl_dim_add(&o->addr, d.v[k].lo, d.v[k].hi);
    if ((!ok || approx) && !acl_tok_is(s, 0, "description"))
        acl_unknown(x->c, s->line);
    acl_dim_free(&d);
}

static void line_stmt(ios_ctx *x, const acl_stmt *s)
{
    if (acl_stmt_starts(s, "transport input")) {
        x->transport = true;
        for (size_t i = 2; i < s->ntok; i++)
            if (acl_tok_is(s, i, "telnet") || acl_tok_is(s, i, "all"))
                acl_dev_issue(x->c, ACL_DEV_TELNET, FINDING_HIGH, s, "the vty lines accept telnet logins");
    } else if (acl_stmt_starts(s, "exec-timeout 0") && (s->ntok < 3 || acl_tok_is(s, 2, "0"))) {
        acl_dev_issue(x->c, ACL_DEV_NO_TIMEOUT, FINDING_MEDIUM, s, "exec-timeout 0 0: sessions stay open forever");
    } else if (acl_tok_is(s, 0, "password") && !acl_tok_is(s, 1, "5")) {
        acl_dev_issue(x->c, ACL_DEV_PLAINTEXT, FINDING_HIGH, s,
                      acl_tok_is(s, 1, "7") ? "a type 7 line password is reversible" : "the line password is kept in clear text");
    } else if (acl_stmt_starts(s, "no login")) {
        acl_dev_issue(x->c, ACL_DEV_AUTH_NONE, FINDING_CRITICAL, s, "the line asks for no login");
    }
}

/* The end of a block: a vty block without transport input. */
static void block_end(ios_ctx *x)
{
    if (x->mode == IOS_LINE && x->vty && !x->transport)
        acl_dev_issue(x->c, ACL_DEV_TELNET, FINDING_MEDIUM, x->vty_stmt,
                      "no transport input: IOS releases before 15 accept telnet (and every protocol) by default");
    x->mode = IOS_TOP;
}

static void ios_block(ios_ctx *x, const acl_stmt *s)
{
    switch (x->mode) {
    case IOS_ACL:
        ios_entry(x, s, x->list, 0, false);
        break;
    case IOS_IFACE:
        if ((acl_stmt_starts(s, "ip access-group") || acl_stmt_starts(s, "ipv6 traffic-filter")) && *acl_tok(s, 3)) {
            acl_list *l = acl_list_get(x->c, acl_tok(s, 2), "acl");
            char where[192];
            snprintf(where, sizeof where, "%s %s", x->iface, acl_tok(s, 3));
            acl_list_bind(l, where);
            l->entry = true;
            l->fallthrough = ACL_DENY;
        }
        break;
    case IOS_LINE:
        line_stmt(x, s);
        break;
    case IOS_OBJ:
        ios_obj(x, s);
        break;
    default:
        break;
    }
}

static void ios_snmp(ios_ctx *x, const acl_stmt *s)
{
    if (acl_stmt_starts(s, "snmp-server group") && acl_tok_is(s, 3, "v3")) {
        x->snmp_v3 = true;
        return;
    }
    if (!acl_stmt_starts(s, "snmp-server community"))
        return;
    if (!x->community) {
        x->community = kw_malloc(sizeof *x->community);
        *x->community = *s;
    }
    size_t i = 3;
    bool rw = false;
    for (; i < s->ntok && (acl_tok_is(s, i, "view") || acl_tok_is(s, i, "ro") || acl_tok_is(s, i, "rw")); i++) {
        rw = rw || acl_tok_is(s, i, "rw");
        if (acl_tok_is(s, i, "view"))
            i++;
    }
    if (acl_weak_community(acl_tok(s, 2)))
        acl_dev_issue(x->c, ACL_DEV_SNMP_COMMUNITY, rw ? FINDING_CRITICAL : FINDING_HIGH, s,
                      rw ? "a guessable community can change the configuration" : "a guessable community reads the device");
    if (i >= s->ntok)
        acl_dev_issue(x->c, ACL_DEV_SNMP_NO_ACL, FINDING_LOW, s, "any host may try the community");
}

static void ios_secret(ios_ctx *x, const acl_stmt *s)
{
    if (acl_stmt_starts(s, "enable password")) {
        acl_dev_issue(x->c, ACL_DEV_PLAINTEXT, FINDING_HIGH, s,
                      "enable password is kept in clear text or type 7 (use enable secret)");
        return;
    }
    for (size_t i = 2; acl_tok_is(s, 0, "username") && i < s->ntok; i++)
        if (acl_tok_is(s, i, "password")) {
            acl_dev_issue(x->c, ACL_DEV_PLAINTEXT, FINDING_HIGH, s,
                          acl_tok_is(s, i + 1, "7") ? "a type 7 password is reversible" : "a user's password is kept in clear text");
            return;
        }
}

/* "banner motd ^C ... ^C": the body runs to the closing delimiter. */
static void ios_banner(ios_ctx *x, acl_text *t, const acl_stmt *s)
{
    x->banner = x->banner || acl_tok_is(s, 1, "login") || acl_tok_is(s, 1, "motd");
    const char *open = acl_tok(s, 2);
    char delim[3] = {0};
    if (!*open)
        return;
    memcpy(delim, open, open[0] == '^' && open[1] ? 2 : 1);
    const char *rest = strstr(s->text, open) + strlen(delim);
    if (!strstr(rest, delim))
        acl_text_skip_to(t, delim);
}

static void ios_top(ios_ctx *x, acl_text *t, const acl_stmt *s)
{
    block_end(x);
    if (acl_tok_is(s, 0, "access-list")) {
        ios_numbered(x, s);
    } else if ((acl_stmt_starts(s, "ip access-list") && (acl_tok_is(s, 2, "standard") || acl_tok_is(s, 2, "extended"))) ||
               acl_stmt_starts(s, "ipv6 access-list")) {
        bool v6 = acl_tok_is(s, 0, "ipv6");
        const char *name = acl_tok(s, v6 ? 2 : 3);
        x->flags = acl_tok_is(s, 2, "standard") ? ACL_CISCO_STD : 0;
        kw_strlcpy(x->list, name, sizeof x->list);
        x->count = x->seq = 0;
        acl_list *l = acl_list_get(x->c, name, "acl");
        l->line = s->line;
        l->fallthrough = ACL_DENY;
        x->mode = *name ? IOS_ACL : IOS_TOP;
    } else if (acl_stmt_starts(s, "object-group network")) {
        kw_strlcpy(x->obj, acl_tok(s, 2), sizeof x->obj);
        acl_obj_get(&x->objs, x->obj, false, true);
        x->mode = IOS_OBJ;
    } else if (acl_tok_is(s, 0, "interface")) {
        kw_strlcpy(x->iface, acl_tok(s, 1), sizeof x->iface);
        x->mode = IOS_IFACE;
    } else if (acl_tok_is(s, 0, "line")) {
        x->vty = acl_tok_is(s, 1, "vty");
        x->transport = false;
        *x->vty_stmt = *s;
        x->mode = IOS_LINE;
    } else if (acl_tok_is(s, 0, "banner")) {
        ios_banner(x, t, s);
    } else if (acl_stmt_starts(s, "service password-encryption")) {
        x->pwenc = true;
    } else if (acl_stmt_starts(s, "no service password-encryption")) {
        x->pwenc = true; /* said here, not absent */
        acl_dev_issue(x->c, ACL_DEV_NO_PW_ENCRYPTION, FINDING_LOW, s, "service password-encryption is turned off");
    } else if (acl_stmt_starts(s, "ip http server")) {
        acl_dev_issue(x->c, ACL_DEV_HTTP, FINDING_MEDIUM, s, "the plain HTTP management server is on");
    } else {
        ios_snmp(x, s);
        ios_secret(x, s);
    }
}

static void ios_finish(ios_ctx *x)
{
    block_end(x);
    if (x->community && !x->snmp_v3)
        acl_dev_issue(x->c, ACL_DEV_SNMP_V2C, FINDING_MEDIUM, x->community, "communities without an SNMPv3 group: v1/v2c only");
    if (!x->pwenc)
        acl_dev_issue(x->c, ACL_DEV_NO_PW_ENCRYPTION, FINDING_LOW, NULL, "no service password-encryption");
    if (!x->banner)
        acl_dev_issue(x->c, ACL_DEV_NO_BANNER, FINDING_LOW, NULL, "no banner login / banner motd");
    acl_keys_sort(&x->keys, x->c);
    acl_objs_free(&x->objs);
    free(x->community);
    free(x->vty_stmt);
}

kw_rc acl_cisco_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn)
{
    (void)err;
    (void)errn;
    ios_ctx x = {.c = c, .vty_stmt = kw_calloc(1, sizeof(acl_stmt))};
    acl_stmt *s = kw_malloc(sizeof *s);
    acl_text t;
    acl_text_init(&t, text, len);
    while (acl_text_next(&t, s)) {
        c->statements++;
        if (acl_tok_is(s, 0, "!"))
            block_end(&x);
        else if (s->indent == 0)
            ios_top(&x, &t, s);
        else
            ios_block(&x, s);
    }
    ios_finish(&x);
    free(s);
    return KW_OK;
}

int acl_cisco_sniff(const char *text, size_t len)
{
    if (!acl_sniff_texty(text, len))
        return 0;
    int score = 0;
    if (acl_sniff_count(text, len, "hostname", false))
        score += 20;
    if (acl_sniff_count(text, len, "!", false) >= 3)
        score += 15;
    if (acl_sniff_count(text, len, "ip access-list", false) || acl_sniff_count(text, len, "access-list", false))
        score += 20;
    if (acl_sniff_count(text, len, "ip access-group", true) || acl_sniff_count(text, len, "line vty", false))
        score += 20;
    size_t head = len < 65536 ? len : 65536;
    if (memmem(text, head, "\ninterface GigabitEthernet", 26) || memmem(text, head, "\ninterface FastEthernet", 23))
        score += 15;
    if (acl_sniff_count(text, len, "ASA Version", false) || acl_sniff_count(text, len, "nameif", true))
        score -= 50;
    return score < 0 ? 0 : score > 100 ? 100 : score;
}
