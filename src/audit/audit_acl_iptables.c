/* iptables-save and ip6tables-save output into the ACL model (audit_acl.h): the filter table's
 * chains as lists "filter CHAIN", each -A line a rule "-A CHAIN #N". Other tables (nat, mangle,
 * raw, security) are read and set aside: only the filter table decides what passes. No I/O. */
#include "audit/audit_acl_int.h"
#include "core/kw_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Match modules whose conditions the model cannot hold: a rule using them matches only part
 * of its box. */
static const char *const ipt_partial_mods[] = {
    "conntrack", "state", "limit", "recent", "time", "string", "owner", "mac", "set", "hashlimit",
    "connlimit", "u32", "bpf", "policy", "physdev", "mark", "connmark", "addrtype", "length",
    "ttl", "hl", "pkttype", "quota", "statistic", "geoip", "realm", "helper", "dscp", "tos",
    "ecn", "frag", "ipv6header", "rt", "hbh", "dst", "socket", "cgroup", "rpfilter", "devgroup",
    "connbytes", "nfacct", "cpu", "osf", "condition", NULL,
};

/* Targets that do not decide (the packet goes on); any other name not a verdict is a chain. */
static const char *const ipt_other_targets[] = {
    "LOG", "NFLOG", "ULOG", "MARK", "CONNMARK", "CT", "NOTRACK", "TCPMSS", "CLASSIFY", "TRACE",
    "AUDIT", "DSCP", "TOS", "TTL", "HL", "SECMARK", "CONNSECMARK", "SET", "CHECKSUM", "NFQUEUE",
    "TEE", "IDLETIMER", "LED", "RATEEST", "SNAT", "DNAT", "MASQUERADE", "REDIRECT", "NETMAP",
    "TPROXY", "CLUSTERIP", "SYNPROXY", "ECN", "TCPOPTSTRIP", NULL,
};

static bool in_list(const char *const *v, const char *s)
{
    for (; *v; v++)
        if (!strcmp(*v, s))
            return true;
    return false;
}

typedef struct ipt_ctx {
    acl_config *c;
    char table[32];
    bool any_table;
} ipt_ctx;

/* Adds the comma list of addresses to d (addresses or a-b ranges when range). */
static bool ipt_addrs(acl_dim *d, const char *s, bool range)
{
    char buf[ACL_LT_LINE_MAX];
    snprintf(buf, sizeof buf, "%s", s);
    acl_dim_clear(d);
    bool ok = true;
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
        ok = (range ? acl_lt_addr_range(d, p) : acl_lt_addr(d, p)) && ok;
    return ok && d->n;
}

static bool ipt_ports(acl_dim *d, const char *s)
{
    char buf[ACL_LT_LINE_MAX];
    snprintf(buf, sizeof buf, "%s", s);
    acl_dim_clear(d);
    bool ok = true;
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
        ok = acl_lt_port_range(d, p, ':') && ok;
    return ok && d->n;
}

static void ipt_target(acl_rule *r, const char *t, bool go)
{
    if (!strcmp(t, "ACCEPT"))
        r->action = ACL_PERMIT;
    else if (!strcmp(t, "DROP") || !strcmp(t, "REJECT"))
        r->action = ACL_DENY;
    else if (!strcmp(t, "RETURN"))
        r->action = ACL_RETURN;
    else if (in_list(ipt_other_targets, t)) {
        r->action = ACL_OTHER;
        r->log = !strcmp(t, "LOG") || !strcmp(t, "NFLOG") || !strcmp(t, "ULOG");
    } else {
        char name[300];
        snprintf(name, sizeof name, "filter %s", t);
        r->action = ACL_JUMP;
        r->go = go;
        free(r->target);
        r->target = kw_strdup(name);
    }
}

/* What one option does to r; *i is at the option and moves past its values. false: not read. */
static bool ipt_option(acl_config *c, acl_rule *r, char **tok, size_t nt, size_t *i, bool neg, char *comment,
                       size_t commentn)
{
    const char *o = tok[*i];
    const char *v = *i + 1 < nt ? tok[*i + 1] : NULL;
    acl_dim *d = NULL;
    acl_u128 max = ACL_ADDR_MAX;
    bool ok = true;
    if (!strcmp(o, "-s") || !strcmp(o, "--source") || !strcmp(o, "-d") || !strcmp(o, "--destination")) {
        d = o[1] == 's' || o[2] == 's' ? &r->src : &r->dst;
        ok = v && ipt_addrs(d, v, false);
    } else if (!strcmp(o, "--src-range") || !strcmp(o, "--dst-range")) {
        d = o[2] == 's' ? &r->src : &r->dst;
        ok = v && ipt_addrs(d, v, true);
    } else if (!strcmp(o, "-p") || !strcmp(o, "--protocol")) {
        unsigned p;
        d = &r->proto;
        max = ACL_PROTO_MAX;
        if (v && !strcasecmp(v, "all"))
            acl_dim_all(d, max);
        else if ((ok = v && acl_lt_proto(v, &p))) {
            acl_dim_clear(d);
            if (p)
                acl_dim_add(d, p, p);
            else
                acl_dim_all(d, max);
        }
    } else if (!strcmp(o, "-i") || !strcmp(o, "--in-interface") || !strcmp(o, "-o") ||
               !strcmp(o, "--out-interface")) {
        d = o[1] == 'i' || o[2] == 'i' ? &r->zin : &r->zout;
        max = ACL_ZONE_MAX;
        if ((ok = v != NULL)) {
            acl_dim_clear(d);
            acl_lt_zone_add(c, d, v);
        }
    } else if (!strcmp(o, "--sport") || !strcmp(o, "--source-port") || !strcmp(o, "--sports") ||
               !strcmp(o, "--source-ports")) {
        d = &r->sport;
        max = ACL_PORT_MAX;
        ok = v && ipt_ports(d, v);
    } else if (!strcmp(o, "--dport") || !strcmp(o, "--destination-port") || !strcmp(o, "--dports") ||
               !strcmp(o, "--destination-ports")) {
        d = &r->dport;
        max = ACL_PORT_MAX;
        ok = v && ipt_ports(d, v);
    } else if (!strcmp(o, "--comment")) {
        if (v)
            snprintf(comment, commentn, "%s", v);
    } else if (!strcmp(o, "-j") || !strcmp(o, "--jump") || !strcmp(o, "-g") || !strcmp(o, "--goto")) {
        if (v)
            ipt_target(r, v, o[1] == 'g' || o[2] == 'g');
        ok = v != NULL;
    } else {
        return false;
    }
    if (v)
        (*i)++;
    if (!ok) { /* not read: the rule matches part of the whole dimension */
        r->partial = true;
        if (d)
            acl_dim_all(d, max);
        return true;
    }
    if (neg && d)
        acl_dim_invert(d, max);
    return true;
}

/* Skips the values of an option the model does not hold (up to the next option). */
static void ipt_skip_values(char **tok, size_t nt, size_t *i)
{
    while (*i + 1 < nt && tok[*i + 1][0] != '-' && strcmp(tok[*i + 1], "!"))
        (*i)++;
}

static void ipt_rule(ipt_ctx *x, int line, const char *text, char **tok, size_t nt, size_t first)
{
    char lname[300], rname[600], comment[256] = "";
    snprintf(lname, sizeof lname, "filter %s", tok[first]);
    acl_list *l = acl_list_get(x->c, lname, "chain");
    if (!l->line && !l->n && l->fallthrough == ACL_OTHER)
        l->fallthrough = ACL_RETURN; /* a chain never declared: a user chain */
    snprintf(rname, sizeof rname, "-A %s #%zu", tok[first], l->n + 1);
    acl_rule *r = acl_rule_add(l, line, text, rname);
    r->action = ACL_OTHER; /* no -j: a counting rule */
    bool neg = false, after_target = false;
    for (size_t i = first + 1; i < nt; i++) {
        const char *o = tok[i];
        if (!strcmp(o, "!")) {
            neg = true;
            continue;
        }
        if (!strcmp(o, "-m") || !strcmp(o, "--match")) {
            if (i + 1 < nt && in_list(ipt_partial_mods, tok[++i]))
                r->partial = true;
        } else if (!strcmp(o, "-c") || !strcmp(o, "--set-counters")) {
            i += i + 2 < nt ? 2 : 0;
        } else if (!strcmp(o, "-4") || !strcmp(o, "-6") || !strcmp(o, "--ipv4") || !strcmp(o, "--ipv6")) {
            /* the family of a rule in iptables-restore input */
        } else if (ipt_option(x->c, r, tok, nt, &i, neg, comment, sizeof comment)) {
            after_target = after_target || !strcmp(o, "-j") || !strcmp(o, "--jump") || !strcmp(o, "-g") ||
                           !strcmp(o, "--goto");
        } else {
            if (!after_target && strcmp(o, "--log-prefix")) /* a match the model cannot hold */
                r->partial = true;
            ipt_skip_values(tok, nt, &i);
        }
        neg = false;
    }
    if (*comment) {
        snprintf(rname + strlen(rname), sizeof rname - strlen(rname), " (%s)", comment);
        free(r->name);
        r->name = kw_strdup(rname);
    }
    /* a LOG rule of the same box just before a deny: the deny logs */
    if (r->action == ACL_DENY && l->n >= 2) {
        const acl_rule *p = &l->v[l->n - 2];
        r->log = p->action == ACL_OTHER && p->log && acl_lt_box_eq(p, r);
    }
}

static void ipt_chain(ipt_ctx *x, int line, char **tok, size_t nt)
{
    if (strcmp(x->table, "filter"))
        return;
    char lname[300];
    snprintf(lname, sizeof lname, "filter %s", tok[0] + 1);
    acl_list *l = acl_list_get(x->c, lname, "chain");
    l->line = line;
    const char *pol = nt > 1 ? tok[1] : "-";
    if (!strcmp(pol, "-")) {
        l->fallthrough = ACL_RETURN;
        return;
    }
    l->entry = true;
    l->egress = !strcmp(tok[0] + 1, "OUTPUT");
    l->fallthrough_line = line;
    l->fallthrough = !strcmp(pol, "ACCEPT") ? ACL_PERMIT : !strcmp(pol, "DROP") ? ACL_DENY : ACL_OTHER;
}

static void ipt_line(ipt_ctx *x, int line, const char *s, size_t n)
{
    char buf[ACL_LT_LINE_MAX + 8], text[ACL_LT_LINE_MAX + 1];
    char *tok[ACL_LT_TOK_MAX];
    size_t nt = acl_lt_split(s, n, buf, sizeof buf, tok, ACL_LT_TOK_MAX, NULL);
    if (!nt || tok[0][0] == '#')
        return;
    x->c->statements++;
    size_t first = tok[0][0] == '[' ? 1 : 0; /* iptables-save -c: "[packets:bytes] -A ..." */
    if (first >= nt)
        return acl_unknown(x->c, line);
    const char *t = tok[first];
    if (t[0] == '*' && t[1]) {
        snprintf(x->table, sizeof x->table, "%s", t + 1);
        x->any_table = true;
    } else if (!strcmp(t, "COMMIT")) {
        x->table[0] = '\0';
    } else if (t[0] == ':' && t[1] && x->table[0]) {
        ipt_chain(x, line, tok + first, nt - first);
    } else if ((!strcmp(t, "-A") || !strcmp(t, "--append")) && first + 1 < nt && x->table[0]) {
        if (!strcmp(x->table, "filter")) {
            snprintf(text, sizeof text, "%.*s", (int)(n < ACL_LT_LINE_MAX ? n : ACL_LT_LINE_MAX), s);
            ipt_rule(x, line, text, tok, nt, first + 1);
        }
    } else {
        acl_unknown(x->c, line);
    }
}

kw_rc acl_iptables_parse(acl_config *c, const char *text, size_t len, char *err, size_t errn)
{
    ipt_ctx x = {.c = c};
    size_t pos = 0, n;
    const char *s;
    int line = 0;
    while (acl_lt_next_line(text, len, &pos, &s, &n))
        ipt_line(&x, ++line, s, n);
    if (!x.any_table) {
        snprintf(err, errn, "not iptables-save output: no table line (*filter)");
        return KW_ERR_PARSE;
    }
    return KW_OK;
}

int acl_iptables_sniff(const char *text, size_t len)
{
    size_t lim = 65536;
    bool filter = acl_lt_has_line(text, len, lim, "*filter");
    bool table = filter || acl_lt_has_line(text, len, lim, "*nat") || acl_lt_has_line(text, len, lim, "*mangle") ||
                 acl_lt_has_line(text, len, lim, "*raw");
    bool chain = acl_lt_has_line(text, len, lim, ":INPUT ") || acl_lt_has_line(text, len, lim, ":FORWARD ") ||
                 acl_lt_has_line(text, len, lim, ":OUTPUT ") || acl_lt_has_line(text, len, lim, ":PREROUTING ");
    bool rule = acl_lt_has_line(text, len, lim, "-A ");
    bool commit = acl_lt_has_line(text, len, lim, "COMMIT");
    if (!table)
        return 0;
    return (filter ? 40 : 30) + (chain ? 30 : 0) + (rule ? 15 : 0) + (commit ? 10 : 0);
}
