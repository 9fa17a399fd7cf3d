/* The per-rule and per-list checks of acl_analyze (audit_acl_an.h): permits of any to any or
 * of any service, over-broad address ranges, high-risk services reachable from any source or
 * an untrusted zone (the service table is data), no final deny, denies without logging. */
#include "audit/audit_acl_an.h"
#include "audit/audit_acl_box.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { T = 1, U = 2 }; /* tcp, udp */

typedef struct risky {
    const char *name;
    unsigned protos;           /* T, U or both */
    unsigned lo, hi;
    finding_sev from_any;      /* the severity when reachable from any source */
} risky;

static const risky RISKY[] = {
    {"telnet", T, 23, 23, FINDING_CRITICAL},
    {"ftp", T, 21, 21, FINDING_HIGH},
    {"tftp", U, 69, 69, FINDING_HIGH},
    {"rsh/rlogin/rexec", T, 512, 514, FINDING_HIGH},
    {"SMB", T, 139, 139, FINDING_CRITICAL},
    {"SMB", T, 445, 445, FINDING_CRITICAL},
    {"NetBIOS", U, 137, 138, FINDING_HIGH},
    {"RDP", T, 3389, 3389, FINDING_CRITICAL},
    {"VNC", T, 5900, 5902, FINDING_HIGH},
    {"SSH", T, 22, 22, FINDING_MEDIUM},
    {"SNMP", U, 161, 162, FINDING_HIGH},
    {"MSSQL", T, 1433, 1433, FINDING_HIGH},
    {"Oracle", T, 1521, 1521, FINDING_HIGH},
    {"MySQL", T, 3306, 3306, FINDING_HIGH},
    {"PostgreSQL", T, 5432, 5432, FINDING_HIGH},
    {"Redis", T, 6379, 6379, FINDING_HIGH},
    {"MongoDB", T, 27017, 27017, FINDING_HIGH},
    {"Elasticsearch", T, 9200, 9200, FINDING_HIGH},
    {"memcached", T | U, 11211, 11211, FINDING_HIGH},
    {"Docker API", T, 2375, 2375, FINDING_HIGH},
    {"Kubernetes API", T, 6443, 6443, FINDING_HIGH},
    {"kubelet", T, 10250, 10250, FINDING_HIGH},
    {"LDAP", T | U, 389, 389, FINDING_HIGH},
    {"NFS", T | U, 2049, 2049, FINDING_HIGH},
    {"rpcbind", T | U, 111, 111, FINDING_HIGH},
    {"X11", T, 6000, 6000, FINDING_HIGH},
};

static const char *const UNTRUSTED[] = {"untrust", "outside", "internet", "external", "wan", "public"};

static bool whole(const acl_dim *d, acl_u128 max)
{
    return acl_dim_is_all(d, max);
}

bool acl_rule_is_all(const acl_rule *r)
{
    return whole(&r->src, ACL_ADDR_MAX) && whole(&r->dst, ACL_ADDR_MAX) && whole(&r->proto, ACL_PROTO_MAX) &&
           whole(&r->sport, ACL_PORT_MAX) && whole(&r->dport, ACL_PORT_MAX);
}

static bool permit(const acl_rule *r)
{
    return !r->disabled && r->action == ACL_PERMIT;
}

/* A permit the broad and risky checks weigh: not partial (a conntrack ESTABLISHED accept of
 * any to any lets no new connection in). */
static bool full_permit(const acl_rule *r)
{
    return permit(r) && !r->partial;
}

/* A range of d spans a /8 or more (IPv4) or a /32 or more (IPv6). */
static bool has_wide_range(const acl_dim *d)
{
    const acl_u128 v4_top = ACL_V4_BASE | 0xffffffffu;
    for (size_t i = 0; i < d->n; i++) {
        acl_u128 span = d->v[i].hi - d->v[i].lo;
        bool v4 = d->v[i].lo >= ACL_V4_BASE && d->v[i].hi <= v4_top;
        if (span >= (v4 ? ((acl_u128)1 << 24) - 1 : ((acl_u128)1 << 96) - 1))
            return true;
    }
    return false;
}

static bool zone_untrusted(const char *name)
{
    for (size_t i = 0; i < sizeof UNTRUSTED / sizeof UNTRUSTED[0]; i++)
        if (strcasestr(name, UNTRUSTED[i]))
            return true;
    return false;
}

/* A list whose rules name zones (a zone-based policy), not one whose rules all take any zone. */
static bool list_zoned(const acl_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (!whole(&l->v[i].zin, ACL_ZONE_MAX))
            return true;
    return false;
}

/* At most max addresses. */
static bool narrow_set(const acl_dim *d, acl_u128 max)
{
    return acl_dim_size(d) <= max;
}

/* The untrusted zone r admits from: a zone named as one (untrust, outside, wan, ...), or any zone
 * in a zone-based list of a configuration that has such a zone; NULL when r's sources are a
 * few named hosts (an exception somebody chose) or none of that holds. */
static const char *from_untrusted(const acl_config *c, const acl_list *l, const acl_rule *r)
{
    if (!c->nzones || narrow_set(&r->src, 16))
        return NULL;
    bool any_untrusted = false;
    for (size_t z = 0; z < c->nzones; z++) {
        if (!zone_untrusted(c->zones[z]))
            continue;
        any_untrusted = true;
        if (!whole(&r->zin, ACL_ZONE_MAX) && acl_dim_has(&r->zin, z))
            return c->zones[z];
    }
    return whole(&r->zin, ACL_ZONE_MAX) && any_untrusted && list_zoned(l) ? "any zone" : NULL;
}

/* A rule that only takes packets on loopback interfaces (iptables -i lo, nft iifname "lo"):
 * the host talking to itself. */
bool acl_an_loopback_only(const acl_config *c, const acl_rule *r)
{
    if (whole(&r->zin, ACL_ZONE_MAX) || !r->zin.n)
        return false;
    for (size_t i = 0; i < r->zin.n; i++)
        for (acl_u128 z = r->zin.v[i].lo; z <= r->zin.v[i].hi; z++) {
            if (z >= c->nzones)
                return false;
            const char *n = c->zones[(size_t)z];
            if (strcmp(n, "lo") != 0 && strncasecmp(n, "loopback", 8) != 0 && strncasecmp(n, "InLoopBack", 10) != 0)
                return false;
        }
    return true;
}

static kw_rc emit_rule(acl_an *a, const acl_list *l, const acl_rule *r, audit_res *res)
{
    char key[400];
    res->status = AUDIT_FAIL;
    res->key = acl_an_key(key, sizeof key, l, r);
    return acl_an_emit(a, res, r);
}

/* The high-risk services r permits from any source or an untrusted zone. */
static kw_rc risky_services(acl_an *a, const acl_list *l, const acl_rule *r)
{
    bool any_src = whole(&r->src, ACL_ADDR_MAX);
    const char *zone = from_untrusted(a->c, l, r);
    if ((!any_src && !zone) || whole(&r->dport, ACL_PORT_MAX))
        return KW_OK;
    char list[700] = "", why[900];
    size_t at = 0, named = 0;
    finding_sev sev = FINDING_INFO;
    for (size_t i = 0; i < sizeof RISKY / sizeof RISKY[0]; i++) {
        const risky *s = &RISKY[i];
        acl_dim ports = {0};
        acl_dim_add(&ports, s->lo, s->hi);
        bool tcp = (s->protos & T) && acl_dim_has(&r->proto, 6);
        bool udp = (s->protos & U) && acl_dim_has(&r->proto, 17);
        bool hit = (tcp || udp) && acl_dim_overlaps(&r->dport, &ports);
        acl_dim_free(&ports);
        if (!hit)
            continue;
        finding_sev sv = s->from_any;
        if (!any_src && sv == FINDING_CRITICAL)
            sv = FINDING_HIGH;
        sev = sv > sev ? sv : sev;
        char one[64];
        if (s->lo == s->hi)
            snprintf(one, sizeof one, "%s (%u/%s)", s->name, s->lo, tcp ? "tcp" : "udp");
        else
            snprintf(one, sizeof one, "%s (%u-%u/%s)", s->name, s->lo, s->hi, tcp ? "tcp" : "udp");
        int w = snprintf(list + at, sizeof list - at, "%s%s", named++ ? ", " : "", one);
        at = w > 0 && at + (size_t)w < sizeof list ? at + (size_t)w : at;
    }
    if (!named)
        return KW_OK;
    snprintf(why, sizeof why, "permits %s from %s", list, any_src ? "any source" : zone);
    audit_res res = {.id = "KW-ACL-RISKY-SERVICE", .title_en = "Rule exposes a high-risk service",
                     .title_zh = "规则向任意源或不可信区域开放高危服务", .severity = sev,
                     .refs = {.gb = ACL_GB_CHECKS}, .found = list, .expected = "reachable from trusted sources only",
                     .why = why, .fix = "Restrict the source to the hosts that need the service, or deny it."};
    return emit_rule(a, l, r, &res);
}

/* Any source, other permits of l narrow. */
static bool any_among_narrow(const acl_list *l, const acl_rule *r)
{
    size_t others = 0;
    for (size_t i = 0; i < l->n; i++) {
        const acl_rule *o = &l->v[i];
        if (o == r || !full_permit(o))
            continue;
        if (whole(&o->src, ACL_ADDR_MAX))
            return false;
        others++;
    }
    return others >= 2;
}

static kw_rc broad(acl_an *a, const acl_list *l, const acl_rule *r)
{
    bool any_src = whole(&r->src, ACL_ADDR_MAX), any_dst = whole(&r->dst, ACL_ADDR_MAX);
    bool any_proto = whole(&r->proto, ACL_PROTO_MAX);
    if (acl_an_loopback_only(a->c, r))
        return KW_OK; /* the host talking to itself */
    /* a public service: a few ports of a few servers, open to the world on purpose (the risky
     * ones among them are still reported) */
    bool public_service = any_src && narrow_set(&r->dst, 256) && !whole(&r->dport, ACL_PORT_MAX) &&
                          acl_dim_size(&r->dport) <= 16;
    audit_res res = {.refs = {.gb = ACL_GB_CHECKS}};
    if (any_src && any_dst && any_proto) {
        res = (audit_res){.id = "KW-ACL-ANY-ANY", .title_en = "Rule permits any source to any destination, any service",
                          .title_zh = "规则允许任意源到任意目的的任意服务", .severity = FINDING_CRITICAL,
                          .refs = {.gb = ACL_GB_DEFAULT_DENY}, .found = "any any any", .expected = "named sources, destinations, services",
                          .why = "every packet this rule sees passes: the list does no access control beyond it",
                          .fix = "Replace it with rules for the sources, destinations and services that are needed."};
        return emit_rule(a, l, r, &res);
    }
    kw_rc rc = KW_OK;
    if (any_src && !any_dst && (any_proto || whole(&r->dport, ACL_PORT_MAX))) {
        res = (audit_res){.id = "KW-ACL-ANY-SERVICE", .title_en = "Rule permits any service from any source",
                          .title_zh = "规则允许任意源访问目的的任意服务", .severity = FINDING_HIGH,
                          .refs = {.gb = ACL_GB_CHECKS}, .found = "any service from any", .expected = "named services",
                          .why = "every port of the destination is reachable from anywhere",
                          .fix = "Name the protocols and ports the destination serves."};
        rc = emit_rule(a, l, r, &res);
    } else if ((!any_src && has_wide_range(&r->src)) || (!any_dst && has_wide_range(&r->dst)) ||
               (any_src && !any_dst && !public_service && any_among_narrow(l, r))) {
        res = (audit_res){.id = "KW-ACL-BROAD", .title_en = "Rule permits an over-broad address range",
                          .title_zh = "规则允许的地址范围过宽", .severity = FINDING_MEDIUM, .refs = {.gb = ACL_GB_CHECKS},
                          .found = any_src ? "any source" : "a /8 or wider", .expected = "the addresses needed",
                          .why = any_src ? "any source, where the list's other permits name their sources"
                                         : "a source or destination range of a /8 (IPv4) or /32 (IPv6) or wider",
                          .fix = "Narrow the addresses to the hosts or subnets that need the access."};
        rc = emit_rule(a, l, r, &res);
    }
    return rc == KW_OK ? risky_services(a, l, r) : rc;
}

static kw_rc final_deny(acl_an *a, const acl_list *l)
{
    const acl_rule *last = NULL;
    for (size_t i = 0; i < l->n; i++)
        if (!l->v[i].disabled && (l->v[i].action == ACL_PERMIT || l->v[i].action == ACL_DENY))
            last = &l->v[i];
    bool denies_all = last && last->action == ACL_DENY && !last->partial && acl_rule_is_all(last) &&
                      whole(&last->zin, ACL_ZONE_MAX) && whole(&last->zout, ACL_ZONE_MAX);
    if (!l->entry || l->fallthrough == ACL_DENY || denies_all)
        return KW_OK;
    bool open = l->fallthrough == ACL_PERMIT;
    char why[300], key[400];
    if (open && l->fallthrough_line)
        snprintf(why, sizeof why, "packets no rule of %s matches are permitted: its default, set at line %d, "
                 "permits", l->name, l->fallthrough_line);
    else if (open)
        snprintf(why, sizeof why, "packets no rule of %s matches are permitted (the vendor's default)", l->name);
    else
        snprintf(why, sizeof why, "no last rule of %s denies every packet, and what its default does is not known", l->name);
    audit_res res = {.id = "KW-ACL-NO-FINAL-DENY", .title_en = "The list has no final deny",
                     .title_zh = "访问控制列表缺少最终拒绝规则（默认未拒绝）", .status = AUDIT_FAIL,
                     .severity = l->egress ? FINDING_LOW : open ? FINDING_HIGH : FINDING_MEDIUM,
                     .refs = {.gb = ACL_GB_DEFAULT_DENY},
                     .line = l->fallthrough_line ? l->fallthrough_line : l->line,
                     .found = open ? "default permit" : "no final deny", .expected = "deny what is not permitted",
                     .why = why, .fix = "End the list with a rule that denies everything else, or set its default to deny.",
                     .key = acl_an_key(key, sizeof key, l, NULL)};
    return acl_an_emit(a, &res, NULL);
}

/* A deny logs when it says so or when the rule before it logs the same packets (iptables'
 * -j LOG before -j DROP). */
static bool deny_logs(const acl_list *l, size_t i)
{
    if (l->v[i].log)
        return true;
    for (size_t k = i; k-- > 0;) {
        const acl_rule *p = &l->v[k];
        if (p->disabled)
            continue;
        if (p->action != ACL_OTHER || !p->log)
            return false;
        acl_box a = {0}, b = {0};
        acl_box_from_rule(&a, &l->v[i]);
        acl_box_from_rule(&b, p);
        bool same = acl_box_subset(&a, &b);
        acl_box_free(&a);
        acl_box_free(&b);
        return same;
    }
    return false;
}

static kw_rc deny_no_log(acl_an *a, const acl_list *l)
{
    size_t n = 0, at = 0;
    const acl_rule *first = NULL;
    char lines[200] = "";
    for (size_t i = 0; i < l->n; i++) {
        const acl_rule *r = &l->v[i];
        if (r->disabled || r->action != ACL_DENY || deny_logs(l, i))
            continue;
        if (!first)
            first = r;
        if (n++ < 8) {
            int w = snprintf(lines + at, sizeof lines - at, "%s%d", n > 1 ? ", " : "", r->line);
            at = w > 0 && at + (size_t)w < sizeof lines ? at + (size_t)w : at;
        }
    }
    if (!n)
        return KW_OK;
    char why[400], found[64], key[400];
    snprintf(why, sizeof why, "%zu deny rule%s of %s do%s not log (line%s %s%s): denied attempts leave no trace",
             n, n > 1 ? "s" : "", l->name, n > 1 ? "" : "es", n > 1 ? "s" : "", lines, n > 8 ? ", ..." : "");
    snprintf(found, sizeof found, "%zu without log", n);
    audit_res res = {.id = "KW-ACL-DENY-NO-LOG", .title_en = "Deny rules do not log",
                     .title_zh = "拒绝规则未启用日志记录", .status = AUDIT_FAIL, .severity = FINDING_LOW,
                     .refs = {.gb = ACL_GB_AUDIT}, .found = found, .expected = "denies log",
                     .why = why, .fix = "Turn logging on for the deny rules (rate-limited where the device allows).",
                     .key = acl_an_key(key, sizeof key, l, NULL)};
    return acl_an_emit(a, &res, first);
}

kw_rc acl_check_list(acl_an *a, const acl_list *l)
{
    kw_rc rc = KW_OK;
    for (size_t i = 0; i < l->n && rc == KW_OK; i++)
        if (full_permit(&l->v[i]))
            rc = broad(a, l, &l->v[i]);
    if (rc == KW_OK)
        rc = final_deny(a, l);
    if (rc == KW_OK)
        rc = deny_no_log(a, l);
    return rc;
}
