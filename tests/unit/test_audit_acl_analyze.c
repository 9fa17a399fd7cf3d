/* The exact ACL analysis (audit_acl_analyze.c, _box.c, _check.c) and acl_path (audit_acl_path.c)
 * on rule sets built here in C: each case asserts the exact results. The last case times a
 * generated 5,000-rule list (printed, not asserted). */
#include "audit/audit_acl.h"
#include "audit/audit_acl_box.h"
#include "kw_test.h"

#include <stdlib.h>
#include <time.h>

#define V4(a, b, c, d) (ACL_V4_BASE | ((acl_u128)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define ANY (-1)

typedef struct got {
    char id[48], why[600], key[200];
    audit_status status;
    finding_sev sev;
    int line;
    bool same_action;          /* a KW-ACL-REDUNDANT "covered by" read as covered (see collect) */
} got;

static got res[256];
static size_t nres;

static kw_rc collect(void *arg, const audit_res *r)
{
    (void)arg;
    if (nres < sizeof res / sizeof res[0]) {
        got *g = &res[nres++];
        snprintf(g->id, sizeof g->id, "%s", r->id);
        snprintf(g->why, sizeof g->why, "%s", r->why ? r->why : "");
        /* a rule never matched because earlier rules of its own action cover it is reported as
         * redundant ("covered by ..., which permits the same packets"): these cases test the
         * covering, so they read it as the shadowing it is in the wide sense */
        char *same = strstr(g->why, ", which ");
        g->same_action = false;
        if (!strcmp(g->id, "KW-ACL-REDUNDANT") && !strncmp(g->why, "covered ", 8) && same) {
            snprintf(g->id, sizeof g->id, "KW-ACL-SHADOWED");
            *same = '\0';
            g->same_action = true;
        }
        snprintf(g->key, sizeof g->key, "%s", r->key ? r->key : "");
        g->status = r->status;
        g->sev = r->severity;
        g->line = r->line;
    }
    return KW_OK;
}

/* A rule: src and dst as text ("any", "10.0.0.0/8"), proto ANY or a number, dport range
 * (ANY: whole). */
static acl_rule *rule(acl_list *l, int line, acl_action act, const char *src, const char *dst, int proto, int plo,
                      int phi)
{
    char name[32], text[160];
    snprintf(name, sizeof name, "rule %d", line);
    snprintf(text, sizeof text, "%s %s %s proto %d port %d-%d", act == ACL_PERMIT ? "permit" : "deny", src, dst,
             proto, plo, phi);
    acl_rule *r = acl_rule_add(l, line, text, name);
    r->action = act;
    acl_dim_clear(&r->src);
    acl_dim_add_text(&r->src, src);
    acl_dim_clear(&r->dst);
    acl_dim_add_text(&r->dst, dst);
    if (proto != ANY) {
        acl_dim_clear(&r->proto);
        acl_dim_add(&r->proto, (acl_u128)proto, (acl_u128)proto);
    }
    if (plo != ANY) {
        acl_dim_clear(&r->dport);
        acl_dim_add(&r->dport, (acl_u128)plo, (acl_u128)phi);
    }
    return r;
}

static acl_list *list(acl_config *c, const char *name, acl_action fall)
{
    acl_list *l = acl_list_get(c, name, "acl");
    l->entry = true;
    l->fallthrough = fall;
    l->line = 1;
    return l;
}

static void run(acl_config *c, acl_stats *st)
{
    nres = 0;
    CHECK(acl_analyze(c, "test.cfg", collect, NULL, st) == KW_OK);
}

static size_t count(const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < nres; i++)
        n += !strcmp(res[i].id, id);
    return n;
}

static const got *find(const char *id, int line)
{
    for (size_t i = 0; i < nres; i++)
        if (!strcmp(res[i].id, id) && res[i].line == line)
            return &res[i];
    return NULL;
}

static const char *why(const char *id, int line)
{
    const got *g = find(id, line);
    return g ? g->why : NULL;
}

static void cover_by_one(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "100", ACL_DENY);
    rule(l, 10, ACL_PERMIT, "10.0.0.0/16", "192.168.1.0/24", 6, 80, 80);
    rule(l, 11, ACL_PERMIT, "10.0.5.0/24", "192.168.1.10", 6, 80, 80);
    acl_stats st;
    run(c, &st);
    CHECK_INT(st.shadowed, 1);
    CHECK_INT(count("KW-ACL-SHADOWED"), 1);
    CHECK_STR(why("KW-ACL-SHADOWED", 11), "covered by rule 10 (line 10)");
    CHECK_INT(find("KW-ACL-SHADOWED", 11)->sev, FINDING_LOW); /* same action: reported redundant */
    CHECK(find("KW-ACL-SHADOWED", 11)->same_action);
    CHECK_INT(count("KW-ACL-REDUNDANT"), 0);
    CHECK_INT(st.rules, 2);
    CHECK_INT(st.lists, 1);
    CHECK_INT(st.findings, nres);
    acl_config_free(c);
}

static void cover_by_union(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "100", ACL_DENY);
    rule(l, 10, ACL_PERMIT, "10.0.0.0/25", "192.168.1.0/24", 6, 80, 80);
    rule(l, 11, ACL_PERMIT, "10.0.0.128/25", "192.168.1.0/24", 6, 80, 80);
    rule(l, 12, ACL_PERMIT, "10.0.0.0/24", "192.168.1.0/24", 6, 80, 80);
    run(c, NULL);
    CHECK_INT(count("KW-ACL-SHADOWED"), 1);
    CHECK_STR(why("KW-ACL-SHADOWED", 12), "covered together by rule 10 (line 10), rule 11 (line 11)");
    acl_config_free(c);
}

static void partial_overlap_conflict(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "100", ACL_DENY);
    rule(l, 10, ACL_PERMIT, "10.0.0.0/24", "192.168.1.0/24", 6, 80, 80);
    rule(l, 11, ACL_DENY, "10.0.0.128/25", "192.168.0.0/16", 6, 80, 80);
    acl_stats st;
    run(c, &st);
    CHECK_INT(count("KW-ACL-SHADOWED"), 0);
    CHECK_INT(count("KW-ACL-CONFLICT"), 1);
    const got *g = find("KW-ACL-CONFLICT", 11);
    CHECK(g && g->status == AUDIT_NOTE && g->sev == FINDING_INFO);
    CHECK_CONTAINS(why("KW-ACL-CONFLICT", 11), "rule 10 (line 10)");
    CHECK_INT(st.conflicts, 1);
    /* the deny's residual falls through to the implicit deny: redundant */
    CHECK_INT(count("KW-ACL-REDUNDANT"), 1);
    CHECK_CONTAINS(why("KW-ACL-REDUNDANT", 11), "default (deny)");
    acl_config_free(c);
}

static void exception_then_broad(void)
{
    /* permit one host, then deny its subnet: the usual exception, not a conflict */
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "100", ACL_PERMIT);
    rule(l, 10, ACL_PERMIT, "10.0.0.5", "192.168.1.1", 6, 22, 22);
    rule(l, 11, ACL_DENY, "10.0.0.0/24", "192.168.1.1", 6, 22, 22);
    acl_stats st;
    run(c, &st);
    CHECK_INT(st.conflicts, 0);
    CHECK_INT(count("KW-ACL-SHADOWED"), 0);
    CHECK_INT(count("KW-ACL-REDUNDANT"), 0); /* without rule 10, rule 11 would deny the host */
    acl_config_free(c);
}

static void port_ranges(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "100", ACL_DENY);
    rule(l, 10, ACL_PERMIT, "10.0.0.0/24", "192.168.1.1", 6, 80, 90);
    rule(l, 11, ACL_PERMIT, "10.0.0.0/24", "192.168.1.1", 6, 85, 85);
    rule(l, 12, ACL_PERMIT, "10.0.0.0/24", "192.168.1.1", 6, 85, 95);
    run(c, NULL);
    CHECK_INT(count("KW-ACL-SHADOWED"), 1);
    CHECK(find("KW-ACL-SHADOWED", 11) != NULL);
    CHECK(find("KW-ACL-SHADOWED", 12) == NULL);
    CHECK_INT(count("KW-ACL-REDUNDANT"), 0);
    acl_config_free(c);
}

static void proto_any_and_icmp(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "100", ACL_DENY);
    rule(l, 10, ACL_DENY, "10.0.0.0/24", "192.168.1.1", ANY, ANY, ANY);
    rule(l, 11, ACL_DENY, "10.0.0.0/24", "192.168.1.1", 6, 22, 22);
    rule(l, 12, ACL_PERMIT, "10.0.1.0/24", "192.168.1.1", 1, ANY, ANY);
    rule(l, 13, ACL_PERMIT, "10.0.1.0/24", "192.168.1.1", 6, 443, 443);
    run(c, NULL);
    CHECK_INT(count("KW-ACL-SHADOWED"), 1);
    CHECK(find("KW-ACL-SHADOWED", 11) != NULL); /* ip covers tcp */
    CHECK(find("KW-ACL-SHADOWED", 13) == NULL); /* icmp does not cover tcp */
    CHECK_INT(count("KW-ACL-CONFLICT"), 0);
    /* the first deny is decided the same way by the implicit deny */
    CHECK(find("KW-ACL-REDUNDANT", 10) != NULL);
    acl_config_free(c);
}

static void zones(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "security-policy", ACL_DENY);
    uint32_t trust = acl_zone_id(c, "trust"), untrust = acl_zone_id(c, "untrust"), dmz = acl_zone_id(c, "dmz");
    acl_rule *r = rule(l, 10, ACL_PERMIT, "10.0.0.0/24", "192.168.1.1", 6, 443, 443);
    acl_dim_clear(&r->zin), acl_dim_add(&r->zin, trust, trust);
    acl_dim_clear(&r->zout), acl_dim_add(&r->zout, dmz, dmz);
    r = rule(l, 11, ACL_PERMIT, "10.0.0.0/24", "192.168.1.1", 6, 443, 443);
    acl_dim_clear(&r->zin), acl_dim_add(&r->zin, untrust, untrust);
    acl_dim_clear(&r->zout), acl_dim_add(&r->zout, dmz, dmz);
    r = rule(l, 12, ACL_PERMIT, "10.0.0.0/24", "192.168.1.1", 6, 443, 443);
    acl_dim_clear(&r->zin), acl_dim_add(&r->zin, trust, trust);
    acl_dim_clear(&r->zout), acl_dim_add(&r->zout, dmz, dmz);
    run(c, NULL);
    CHECK_INT(count("KW-ACL-SHADOWED"), 1);
    CHECK(find("KW-ACL-SHADOWED", 11) == NULL);
    CHECK_STR(why("KW-ACL-SHADOWED", 12), "covered by rule 10 (line 10)");
    acl_config_free(c);
}

static void wildcard_sets(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "2000", ACL_DENY);
    /* 10.0.0.1 0.0.1.0: 10.0.0.1 and 10.0.1.1; then 10.0.1.1 alone */
    acl_rule *r = rule(l, 10, ACL_DENY, "any", "any", ANY, ANY, ANY);
    acl_dim_clear(&r->src);
    CHECK(acl_dim_add_wildcard(&r->src, 0x0a000001, 0x00000100, false));
    rule(l, 11, ACL_DENY, "10.0.1.1", "any", ANY, ANY, ANY);
    rule(l, 12, ACL_DENY, "10.0.2.1", "any", ANY, ANY, ANY);
    l->fallthrough = ACL_PERMIT;
    run(c, NULL);
    CHECK(find("KW-ACL-SHADOWED", 11) != NULL);
    CHECK(find("KW-ACL-SHADOWED", 12) == NULL);
    acl_config_free(c);
}

static void redundant_later_and_fall(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "100", ACL_PERMIT);
    rule(l, 10, ACL_DENY, "10.0.0.0/24", "192.168.1.1", 6, 22, 22);
    rule(l, 11, ACL_DENY, "10.0.0.0/16", "192.168.1.0/24", 6, 22, 22);
    rule(l, 12, ACL_PERMIT, "10.9.0.0/16", "192.168.2.1", 6, 443, 443);
    run(c, NULL);
    CHECK_INT(count("KW-ACL-REDUNDANT"), 2);
    CHECK_STR(why("KW-ACL-REDUNDANT", 10), "without it, rule 11 (line 11) denies the same packets the same way");
    CHECK_CONTAINS(why("KW-ACL-REDUNDANT", 12), "default (permit)");
    CHECK(find("KW-ACL-REDUNDANT", 11) == NULL);
    acl_config_free(c);
}

static void deny_shadowed_by_permit(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "100", ACL_DENY);
    rule(l, 10, ACL_PERMIT, "10.0.0.0/8", "192.168.1.0/24", 6, ANY, ANY);
    rule(l, 11, ACL_DENY, "10.1.1.1", "192.168.1.5", 6, 23, 23);
    run(c, NULL);
    const got *g = find("KW-ACL-SHADOWED", 11);
    CHECK(g && g->sev == FINDING_HIGH);
    CHECK_CONTAINS(why("KW-ACL-SHADOWED", 11), "permits what this rule would deny: this deny never takes effect");
    acl_config_free(c);
}

static void partial_and_disabled(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "100", ACL_OTHER);
    acl_rule *r = rule(l, 10, ACL_PERMIT, "10.0.0.0/24", "192.168.1.1", 6, 80, 80);
    r->partial = true; /* -m state --state ESTABLISHED */
    rule(l, 11, ACL_PERMIT, "10.0.0.0/24", "192.168.1.1", 6, 80, 80);
    r = rule(l, 12, ACL_PERMIT, "10.0.0.0/24", "192.168.1.1", 6, 80, 80);
    r->disabled = true;
    r = rule(l, 13, ACL_PERMIT, "10.0.0.0/25", "192.168.1.1", 6, 80, 80);
    r->partial = true;
    run(c, NULL);
    CHECK_INT(count("KW-ACL-SHADOWED"), 1);
    CHECK(find("KW-ACL-SHADOWED", 11) == NULL); /* a partial rule shadows nothing */
    CHECK(find("KW-ACL-SHADOWED", 13) != NULL); /* but may be shadowed */
    /* the partial rule 10 is redundant: rule 11 permits all it would; 11 is not (the default is unknown) */
    CHECK_INT(count("KW-ACL-REDUNDANT"), 1);
    CHECK_STR(why("KW-ACL-REDUNDANT", 10), "without it, rule 11 (line 11) permits the same packets the same way");
    for (size_t i = 0; i < nres; i++)
        CHECK(res[i].line != 12);
    acl_config_free(c);
}

static void jump_inlined(void)
{
    acl_config *c = acl_config_new("iptables");
    acl_list *in = list(c, "INPUT", ACL_DENY);
    acl_list *ssh = acl_list_get(c, "ssh_in", "chain");
    ssh->fallthrough = ACL_RETURN;
    rule(ssh, 20, ACL_PERMIT, "10.0.0.0/24", "any", 6, 22, 22);
    in = acl_list_get(c, "INPUT", NULL);
    acl_rule *j = rule(in, 10, ACL_PERMIT, "any", "any", 6, 22, 22);
    j->action = ACL_JUMP;
    j->target = strdup("ssh_in");
    rule(in, 11, ACL_PERMIT, "10.0.0.5", "192.168.1.1", 6, 22, 22);
    rule(in, 12, ACL_PERMIT, "10.0.1.5", "192.168.1.1", 6, 22, 22);
    run(c, NULL);
    CHECK_STR(why("KW-ACL-SHADOWED", 11), "covered by rule 20 (line 20)");
    CHECK(find("KW-ACL-SHADOWED", 12) == NULL);
    CHECK_INT(count("KW-ACL-INCOMPLETE"), 0);
    /* with a RETURN in the chain, the jump is undecided: nothing claimed, one note */
    acl_rule *ret = rule(acl_list_get(c, "ssh_in", NULL), 19, ACL_PERMIT, "any", "any", ANY, ANY, ANY);
    ret->action = ACL_RETURN;
    acl_list *s2 = acl_list_get(c, "ssh_in", NULL);
    acl_rule tmp = s2->v[0];
    s2->v[0] = s2->v[1];
    s2->v[1] = tmp; /* the RETURN first */
    run(c, NULL);
    CHECK_INT(count("KW-ACL-SHADOWED"), 1);
    CHECK_STR(why("KW-ACL-SHADOWED", 20), "covered by rule 19 (line 19)"); /* in ssh_in, after its RETURN */
    CHECK(find("KW-ACL-INCOMPLETE", 10) != NULL);
    acl_config_free(c);
}

static void no_final_deny(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "INPUT", ACL_PERMIT);
    l->fallthrough_line = 3;
    rule(l, 10, ACL_PERMIT, "10.0.0.0/24", "192.168.1.1", 6, 443, 443);
    acl_list *m = list(c, "OUT", ACL_OTHER);
    m->line = 20;
    rule(m, 21, ACL_PERMIT, "10.0.0.0/24", "192.168.1.1", 6, 443, 443);
    acl_list *k = list(c, "OK", ACL_OTHER);
    rule(k, 31, ACL_PERMIT, "10.0.0.0/24", "192.168.1.1", 6, 443, 443);
    acl_rule *d = rule(k, 32, ACL_DENY, "any", "any", ANY, ANY, ANY);
    d->log = true;
    run(c, NULL);
    CHECK_INT(count("KW-ACL-NO-FINAL-DENY"), 2);
    const got *g = find("KW-ACL-NO-FINAL-DENY", 3);
    CHECK(g && g->sev == FINDING_HIGH);
    CHECK_STR(why("KW-ACL-NO-FINAL-DENY", 3), "packets no rule of INPUT matches are permitted: its default, set at line 3, permits");
    g = find("KW-ACL-NO-FINAL-DENY", 20);
    CHECK(g && g->sev == FINDING_MEDIUM);
    CHECK_INT(count("KW-ACL-DENY-NO-LOG"), 0);
    acl_config_free(c);
}

static void risky_and_any(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "100", ACL_DENY);
    rule(l, 10, ACL_PERMIT, "any", "192.168.1.5", 6, 23, 23);
    rule(l, 11, ACL_PERMIT, "any", "192.168.1.6", 6, 3380, 3390);
    rule(l, 12, ACL_PERMIT, "10.1.1.0/24", "192.168.1.7", 6, 3306, 3306);
    rule(l, 13, ACL_PERMIT, "any", "192.168.1.8", 6, 22, 22);
    rule(l, 14, ACL_PERMIT, "any", "any", ANY, ANY, ANY);
    rule(l, 15, ACL_PERMIT, "any", "192.168.1.9", ANY, ANY, ANY);
    rule(l, 16, ACL_PERMIT, "10.0.0.0/8", "192.168.1.10", 6, 443, 443);
    rule(l, 17, ACL_DENY, "10.2.0.0/16", "192.168.1.11", 6, 443, 443);
    run(c, NULL);
    const got *g = find("KW-ACL-RISKY-SERVICE", 10);
    CHECK(g && g->sev == FINDING_CRITICAL);
    CHECK_STR(why("KW-ACL-RISKY-SERVICE", 10), "permits telnet (23/tcp) from any source");
    CHECK_STR(why("KW-ACL-RISKY-SERVICE", 11), "permits RDP (3389/tcp) from any source");
    CHECK(find("KW-ACL-RISKY-SERVICE", 12) == NULL);
    g = find("KW-ACL-RISKY-SERVICE", 13);
    CHECK(g && g->sev == FINDING_MEDIUM);
    g = find("KW-ACL-ANY-ANY", 14);
    CHECK(g && g->sev == FINDING_CRITICAL);
    CHECK_INT(count("KW-ACL-ANY-ANY"), 1);
    g = find("KW-ACL-ANY-SERVICE", 15);
    CHECK(g && g->sev == FINDING_HIGH);
    CHECK(find("KW-ACL-BROAD", 16) != NULL);
    CHECK(find("KW-ACL-BROAD", 12) == NULL);
    /* 15 and 16 come after 14 (permit any any): shadowed */
    CHECK(find("KW-ACL-SHADOWED", 16) != NULL);
    g = find("KW-ACL-SHADOWED", 17);
    CHECK(g && g->sev == FINDING_HIGH);
    CHECK_INT(count("KW-ACL-DENY-NO-LOG"), 1);
    CHECK_CONTAINS(why("KW-ACL-DENY-NO-LOG", 17), "1 deny rule of 100 does not log (line 17)");
    acl_config_free(c);
}

static void untrusted_zone(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "security-policy", ACL_DENY);
    uint32_t out = acl_zone_id(c, "Untrust"), in = acl_zone_id(c, "trust");
    acl_rule *r = rule(l, 10, ACL_PERMIT, "203.0.113.0/24", "192.168.1.5", 6, 445, 445);
    acl_dim_clear(&r->zin), acl_dim_add(&r->zin, out, out);
    r = rule(l, 11, ACL_PERMIT, "10.0.0.0/24", "192.168.1.5", 6, 445, 445);
    acl_dim_clear(&r->zin), acl_dim_add(&r->zin, in, in);
    run(c, NULL);
    const got *g = find("KW-ACL-RISKY-SERVICE", 10);
    CHECK(g && g->sev == FINDING_HIGH);
    CHECK_STR(why("KW-ACL-RISKY-SERVICE", 10), "permits SMB (445/tcp) from Untrust");
    CHECK(find("KW-ACL-RISKY-SERVICE", 11) == NULL);
    acl_config_free(c);
}

/* What a host firewall does on purpose is no finding: loopback accepted whole, a public web
 * service open to any source, an OUTPUT chain that accepts by default (low only); a rule
 * covered by an earlier one of the same action is redundant (low), of the opposite one shadowed. */
static void host_firewall_norms(void)
{
    acl_config *c = acl_config_new("iptables");
    acl_list *in = list(c, "filter INPUT", ACL_DENY);
    uint32_t lo = acl_zone_id(c, "lo");
    acl_rule *r = rule(in, 7, ACL_PERMIT, "any", "any", ANY, ANY, 0);
    acl_dim_clear(&r->zin), acl_dim_add(&r->zin, lo, lo);
    rule(in, 8, ACL_PERMIT, "10.0.0.0/24", "any", 6, 22, 22);
    rule(in, 9, ACL_PERMIT, "10.0.0.0/24", "any", 6, 22, 22);  /* same action: redundant */
    rule(in, 10, ACL_PERMIT, "any", "192.0.2.10", 6, 443, 443); /* the public web site */
    rule(in, 11, ACL_DENY, "10.0.0.5", "any", 6, 22, 22);       /* opposite: shadowed, high */
    acl_list *out = list(c, "filter OUTPUT", ACL_PERMIT);
    out->egress = true;
    out->fallthrough_line = 5;
    rule(out, 20, ACL_PERMIT, "any", "192.0.2.53", 17, 53, 53);
    run(c, NULL);
    CHECK(find("KW-ACL-ANY-ANY", 7) == NULL);
    CHECK(find("KW-ACL-BROAD", 10) == NULL);
    CHECK(find("KW-ACL-ANY-SERVICE", 10) == NULL);
    const got *g = find("KW-ACL-SHADOWED", 9);
    CHECK(g && g->same_action && g->sev == FINDING_LOW);
    CHECK(find("KW-ACL-REDUNDANT", 8) == NULL); /* its duplicate after it is the one reported */
    g = find("KW-ACL-SHADOWED", 11);
    CHECK(g && !g->same_action && g->sev == FINDING_HIGH);
    g = find("KW-ACL-NO-FINAL-DENY", 5);
    CHECK(g && g->sev == FINDING_LOW);
    acl_config_free(c);
}

static void issues_pass_through(void)
{
    acl_config *c = acl_config_new("test");
    acl_issue_add(c, "KW-DEV-TELNET", "Telnet on vty", "vty 启用 Telnet", "Use SSH.", FINDING_HIGH, 7,
                  "transport input telnet", "telnet is plaintext");
    run(c, NULL);
    CHECK_INT(nres, 1);
    CHECK_STR(res[0].id, "KW-DEV-TELNET");
    CHECK_INT(res[0].line, 7);
    CHECK_INT(res[0].status, AUDIT_FAIL);
    acl_config_free(c);
}

static void region_bound(void)
{
    /* a box punched by 2,100 points (2 more boxes each): its residual passes the bound, nothing claimed */
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "100", ACL_OTHER);
    for (int i = 0; i < 2100; i++) {
        char s[32], d[32];
        snprintf(s, sizeof s, "10.0.%d.%d", i / 250, i % 250);
        snprintf(d, sizeof d, "10.1.%d.%d", i / 250, i % 250);
        acl_rule *r = rule(l, 10 + i, ACL_PERMIT, s, d, ANY, ANY, ANY);
        acl_dim_clear(&r->sport), acl_dim_add(&r->sport, (acl_u128)i, (acl_u128)i);
    }
    rule(l, 3000, ACL_DENY, "10.0.0.0/16", "10.1.0.0/16", ANY, ANY, ANY);
    acl_stats st;
    run(c, &st);
    CHECK_INT(st.inexact, 1);
    CHECK(find("KW-ACL-INCOMPLETE", 3000) != NULL);
    CHECK(find("KW-ACL-SHADOWED", 3000) == NULL);
    acl_config_free(c);
}

static void partial_permit_and_logging_deny(void)
{
    acl_config *c = acl_config_new("test");
    acl_list *l = list(c, "INPUT", ACL_DENY);
    acl_rule *r = rule(l, 10, ACL_PERMIT, "any", "any", ANY, ANY, ANY);
    r->partial = true; /* -m conntrack --ctstate ESTABLISHED,RELATED */
    rule(l, 11, ACL_PERMIT, "10.0.0.0/24", "192.168.1.1", 6, 443, 443);
    r = rule(l, 12, ACL_DENY, "any", "any", ANY, ANY, ANY);
    r->log = true; /* deny ip any any log: the implicit deny without the log */
    run(c, NULL);
    CHECK_INT(count("KW-ACL-ANY-ANY"), 0);
    CHECK_INT(count("KW-ACL-REDUNDANT"), 0);
    CHECK_INT(count("KW-ACL-NO-FINAL-DENY"), 0);
    CHECK_INT(count("KW-ACL-DENY-NO-LOG"), 0);
    acl_config_free(c);
}

static void nested_jumps_bounded(void)
{
    /* 9 chains, each jumping 12 times to the next: inlining would be 12^8 rules */
    acl_config *c = acl_config_new("iptables");
    char names[9][8];
    for (int k = 0; k < 9; k++) {
        snprintf(names[k], sizeof names[k], "c%d", k);
        acl_list *l = acl_list_get(c, names[k], "chain");
        l->fallthrough = k ? ACL_RETURN : ACL_DENY;
        l->entry = k == 0;
    }
    for (int k = 0; k < 9; k++)
        for (int i = 0; i < 12; i++) {
            acl_list *l = acl_list_get(c, names[k], NULL);
            acl_rule *r = rule(l, 100 * k + i, ACL_PERMIT, "10.0.0.0/8", "any", 6, 80 + i, 80 + i + (k < 8 ? 100 : 0));
            if (k < 8) {
                r->action = ACL_JUMP;
                r->target = strdup(names[k + 1]);
            }
        }
    clock_t t0 = clock();
    acl_stats st;
    run(c, &st);
    double sec = (double)(clock() - t0) / CLOCKS_PER_SEC;
    fprintf(stderr, "nested jumps: %.3f s\n", sec);
    CHECK(find("KW-ACL-INCOMPLETE", 0) != NULL); /* c0's jumps past the inlining bound */
    CHECK_INT(st.rules, 9 * 12);
    acl_config_free(c);
}

static acl_packet pkt(acl_u128 src, acl_u128 dst, unsigned proto, unsigned dport)
{
    return (acl_packet){.src = src, .dst = dst, .proto = proto, .sport = 40000, .dport = dport};
}

static void path_verdicts(void)
{
    acl_config *c = acl_config_new("iptables");
    acl_list *chain = acl_list_get(c, "web", "chain");
    chain->fallthrough = ACL_RETURN;
    rule(chain, 30, ACL_DENY, "10.9.0.0/16", "any", 6, 80, 80);
    acl_rule *ret = rule(chain, 31, ACL_PERMIT, "10.8.0.0/16", "any", ANY, ANY, ANY);
    ret->action = ACL_RETURN;
    rule(chain, 32, ACL_PERMIT, "any", "any", 6, 80, 80);
    acl_list *in = list(c, "INPUT", ACL_DENY);
    acl_rule *st = rule(in, 10, ACL_PERMIT, "any", "any", ANY, ANY, ANY);
    st->partial = true;
    st->action = ACL_OTHER; /* a counter: decides nothing */
    acl_rule *j = rule(in, 11, ACL_PERMIT, "any", "any", 6, 80, 80);
    j->action = ACL_JUMP;
    j->target = strdup("web");
    rule(in, 12, ACL_PERMIT, "10.8.0.0/16", "any", 6, 80, 80);
    acl_rule *est = rule(in, 13, ACL_PERMIT, "any", "any", 6, 443, 443);
    est->partial = true;
    acl_verdict v[4];
    size_t n = 0;
    acl_packet p = pkt(V4(10, 1, 1, 1), V4(192, 168, 1, 1), 6, 80);
    CHECK(acl_path(c, &p, NULL, v, 4, &n) == KW_OK);
    CHECK_INT(n, 1);
    CHECK(v[0].list == in && v[0].action == ACL_PERMIT && v[0].rule && v[0].rule->line == 32);
    CHECK_STR(v[0].via, "INPUT -> web");
    CHECK(!v[0].uncertain);
    p.src = V4(10, 9, 1, 1);
    CHECK(acl_path(c, &p, "INPUT", v, 4, &n) == KW_OK && n == 1);
    CHECK(v[0].action == ACL_DENY && v[0].rule->line == 30);
    p.src = V4(10, 8, 1, 1); /* RETURN back to INPUT, then rule 12 */
    CHECK(acl_path(c, &p, NULL, v, 4, &n) == KW_OK);
    CHECK(v[0].action == ACL_PERMIT && v[0].rule->line == 12);
    p.dport = 443;
    CHECK(acl_path(c, &p, NULL, v, 4, &n) == KW_OK);
    /* rule 13 takes only established connections: a new one falls to the policy, and the
     * verdict says a state-dependent rule was on the way */
    CHECK(v[0].action == ACL_DENY && v[0].rule == NULL && v[0].uncertain && v[0].partial == est);
    p.dport = 25; /* nothing matches: the policy */
    CHECK(acl_path(c, &p, NULL, v, 4, &n) == KW_OK);
    CHECK(v[0].action == ACL_DENY && v[0].rule == NULL);
    CHECK_STR(v[0].via, "INPUT");
    CHECK(acl_path(c, &p, "nope", v, 4, &n) == KW_ERR_NOTFOUND);
    acl_config_free(c);
}

static void path_zones(void)
{
    acl_config *c = acl_config_new("huawei");
    acl_list *l = list(c, "security-policy", ACL_DENY);
    uint32_t trust = acl_zone_id(c, "trust"), untrust = acl_zone_id(c, "untrust");
    acl_rule *r = rule(l, 10, ACL_PERMIT, "any", "192.168.1.5", 6, 443, 443);
    acl_dim_clear(&r->zin), acl_dim_add(&r->zin, untrust, untrust);
    acl_dim_clear(&r->zout), acl_dim_add(&r->zout, trust, trust);
    acl_verdict v[2];
    size_t n;
    acl_packet p = pkt(V4(203, 0, 113, 9), V4(192, 168, 1, 5), 6, 443);
    p.zin = "UNTRUST";
    p.zout = "trust";
    CHECK(acl_path(c, &p, NULL, v, 2, &n) == KW_OK && n == 1);
    CHECK(v[0].action == ACL_PERMIT && v[0].rule == r);
    p.zin = "trust";
    CHECK(acl_path(c, &p, NULL, v, 2, &n) == KW_OK);
    CHECK(v[0].action == ACL_DENY && v[0].rule == NULL);
    p.zin = "elsewhere"; /* unknown to the config: only whole dimensions match */
    CHECK(acl_path(c, &p, NULL, v, 2, &n) == KW_OK);
    CHECK(v[0].action == ACL_DENY);
    p.zin = NULL; /* not given: a rule for one zone does not match */
    CHECK(acl_path(c, &p, NULL, v, 2, &n) == KW_OK);
    CHECK(v[0].action == ACL_DENY && v[0].rule == NULL);
    acl_config_free(c);
}

static void box_algebra(void)
{
    acl_dim a = {0}, b = {0}, o = {0};
    acl_dim_add(&a, 10, 20);
    acl_dim_add(&a, 30, 40);
    acl_dim_add(&b, 15, 35);
    acl_dim_subtract(&o, &a, &b);
    CHECK(o.n == 2 && o.v[0].lo == 10 && o.v[0].hi == 14 && o.v[1].lo == 36 && o.v[1].hi == 40);
    acl_dim_intersect(&o, &a, &b);
    CHECK(o.n == 2 && o.v[0].lo == 15 && o.v[0].hi == 20 && o.v[1].lo == 30 && o.v[1].hi == 35);
    CHECK(acl_dim_overlaps(&a, &b) && !acl_dim_subset(&a, &b) && acl_dim_subset(&o, &a));
    CHECK(acl_dim_has(&a, 40) && !acl_dim_has(&a, 25));
    acl_dim_subtract(&o, &a, &a);
    CHECK(o.n == 0);
    acl_dim_free(&a), acl_dim_free(&b), acl_dim_free(&o);
}

/* ---- the bench: a generated 5,000-rule list (realistic sources /24-/32, destinations /16-/32,
 * tcp/udp ports and ranges, 5% any, 10% shadowed copies) ---- */

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffffu;
}

static void gen_rule(acl_list *l, int line, unsigned *s)
{
    char name[32];
    snprintf(name, sizeof name, "rule %d", line);
    acl_rule *r = acl_rule_add(l, line, "generated", name);
    /* one rnd() per statement: the order is the same under every compiler */
    r->action = rnd(s) % 4 ? ACL_PERMIT : ACL_DENY;
    if (rnd(s) % 20) {
        acl_u128 a = 0x0a000000u | (rnd(s) & 0xffffffu);
        int bits = 24 + (int)(rnd(s) % 9);
        acl_dim_clear(&r->src);
        acl_dim_add_prefix(&r->src, a, bits, true);
    }
    if (rnd(s) % 20) {
        acl_u128 a = 0xac100000u | (rnd(s) & 0xfffffu);
        int bits = 16 + (int)(rnd(s) % 17);
        acl_dim_clear(&r->dst);
        acl_dim_add_prefix(&r->dst, a, bits, true);
    }
    if (rnd(s) % 20) {
        unsigned proto = rnd(s) % 3 ? 6 : 17;
        unsigned p = 1 + rnd(s) % 10000;
        unsigned hi = rnd(s) % 4 ? p : p + rnd(s) % 100;
        acl_dim_clear(&r->proto);
        acl_dim_add(&r->proto, proto, proto);
        acl_dim_clear(&r->dport);
        acl_dim_add(&r->dport, p, hi);
    }
}

static void bench_5000(void)
{
    acl_config *c = acl_config_new("bench");
    acl_list *l = list(c, "INPUT", ACL_DENY);
    unsigned s = 42;
    for (int i = 0; i < 5000; i++) {
        if (i > 10 && rnd(&s) % 10 == 0) { /* a shadowed copy of an earlier rule */
            size_t from = rnd(&s) % (unsigned)l->n;
            char name[32];
            snprintf(name, sizeof name, "rule %d", i + 1);
            acl_rule *r = acl_rule_add(l, i + 1, "copy", name); /* may move l->v: index after */
            const acl_rule *e = &l->v[from];
            r->action = e->action;
            acl_dim_copy(&r->src, &e->src);
            acl_dim_copy(&r->dst, &e->dst);
            acl_dim_copy(&r->proto, &e->proto);
            acl_dim_copy(&r->dport, &e->dport);
        } else {
            gen_rule(l, i + 1, &s);
        }
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    acl_stats st;
    nres = 0;
    CHECK(acl_analyze(c, "bench", collect, NULL, &st) == KW_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr, "bench: 5000 rules, %zu shadowed, %zu redundant, %zu conflicts, %zu inexact, %.3f s\n",
            st.shadowed, st.redundant, st.conflicts, st.inexact, sec);
    CHECK(st.shadowed >= 400); /* the copies at least */
    CHECK_INT(st.rules, 5000);
    acl_config_free(c);
}

int main(void)
{
    RUN(box_algebra);
    RUN(cover_by_one);
    RUN(cover_by_union);
    RUN(partial_overlap_conflict);
    RUN(exception_then_broad);
    RUN(port_ranges);
    RUN(proto_any_and_icmp);
    RUN(zones);
    RUN(wildcard_sets);
    RUN(redundant_later_and_fall);
    RUN(deny_shadowed_by_permit);
    RUN(partial_and_disabled);
    RUN(jump_inlined);
    RUN(no_final_deny);
    RUN(risky_and_any);
    RUN(untrusted_zone);
    RUN(host_firewall_norms);
    RUN(issues_pass_through);
    RUN(region_bound);
    RUN(partial_permit_and_logging_deny);
    RUN(nested_jumps_bounded);
    RUN(path_verdicts);
    RUN(path_zones);
    RUN(bench_5000);
    TEST_MAIN_END();
}
