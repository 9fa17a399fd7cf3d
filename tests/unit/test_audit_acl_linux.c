/* The iptables-save, nftables (text and JSON) and FortiGate parsers (audit_acl_iptables.c,
 * _nft.c, _nft_json.c, _forti.c) on the samples in tests/data/audit/ (how they were made:
 * tests/data/audit/README.md), and sniffing. */
#include "audit/audit_acl_int.h"
#include "kw_test.h"

#include <stdio.h>
#include <stdlib.h>

#define V4(a, b, c, d) (ACL_V4_BASE | ((acl_u128)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static char *load(const char *rel, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/audit/%s", KW_TEST_DATA, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static acl_config *parse(const char *rel, const char *vendor)
{
    size_t len = 0;
    char *t = load(rel, &len), err[256] = "";
    acl_config *c = NULL;
    CHECK(t != NULL);
    if (t)
        CHECK(acl_parse(t, len, vendor, &c, err, sizeof err) == KW_OK);
    free(t);
    return c;
}

static const acl_list *list(const acl_config *c, const char *name)
{
    for (size_t i = 0; c && i < c->nlists; i++)
        if (!strcmp(c->lists[i].name, name))
            return &c->lists[i];
    fprintf(stderr, "  no list %s\n", name);
    return NULL;
}

static bool one(const acl_dim *d, acl_u128 lo, acl_u128 hi)
{
    return d->n == 1 && d->v[0].lo == lo && d->v[0].hi == hi;
}

static bool zone_is(const acl_config *c, const acl_dim *d, const char *name)
{
    return d->n == 1 && d->v[0].lo == d->v[0].hi && d->v[0].lo < c->nzones && !strcmp(c->zones[d->v[0].lo], name);
}

static int issue_line(const acl_config *c, const char *id)
{
    for (size_t i = 0; i < c->nissues; i++)
        if (!strcmp(c->issues[i].id, id))
            return c->issues[i].line;
    return -1;
}

static void iptables_bad(void)
{
    acl_config *c = parse("iptables/bad.rules", NULL);
    if (!c)
        return;
    CHECK_STR(c->vendor, "iptables");
    CHECK(c->nlists == 4); /* INPUT FORWARD OUTPUT ssh_in: nat's chains are not lists */
    CHECK(c->unknown == 0);
    const acl_list *in = list(c, "filter INPUT"), *ssh = list(c, "filter ssh_in"), *fw = list(c, "filter FORWARD");
    if (!in || !ssh || !fw)
        goto out;
    CHECK(in->entry && in->fallthrough == ACL_PERMIT && in->fallthrough_line == 3);
    CHECK(fw->fallthrough == ACL_DENY && !ssh->entry && ssh->fallthrough == ACL_RETURN);
    CHECK(in->n == 12 && ssh->n == 2);
    CHECK(in->v[0].line == 7 && zone_is(c, &in->v[0].zin, "lo"));
    CHECK(in->v[1].partial && in->v[1].action == ACL_PERMIT);           /* conntrack */
    CHECK(one(&in->v[2].proto, 6, 6) && one(&in->v[2].dport, 22, 22) && acl_dim_is_all(&in->v[2].src, ACL_ADDR_MAX));
    CHECK_STR(in->v[2].name, "-A INPUT #3");
    CHECK_CONTAINS(in->v[3].name, "(mysql for the app servers)");
    CHECK(!in->v[3].partial && one(&in->v[3].dport, 3306, 3306));
    const acl_rule *mp = &in->v[4];                                      /* multiport 80,443,8000:8100 */
    CHECK(mp->dport.n == 3 && mp->dport.v[2].lo == 8000 && mp->dport.v[2].hi == 8100 && !mp->partial);
    CHECK(one(&mp->src, V4(10, 0, 0, 0), V4(10, 255, 255, 255)));
    CHECK(in->v[6].action == ACL_JUMP && in->v[6].target && !strcmp(in->v[6].target, "filter ssh_in"));
    const acl_rule *neg = &in->v[7];                                     /* ! -s 172.16.0.0/12 */
    CHECK(neg->action == ACL_DENY && neg->src.n == 2 && neg->src.v[0].hi == V4(172, 16, 0, 0) - 1);
    CHECK(one(&neg->proto, 17, 17) && one(&neg->dport, 161, 161));
    const acl_rule *rg = &in->v[8];                                      /* iprange, sport range, REJECT */
    CHECK(one(&rg->src, V4(192, 0, 2, 10), V4(192, 0, 2, 20)) && one(&rg->sport, 1024, 65535));
    CHECK(rg->action == ACL_DENY && !rg->partial && !rg->log);
    CHECK(in->v[9].action == ACL_OTHER && in->v[9].log);
    CHECK(in->v[10].action == ACL_DENY && in->v[10].log);                /* LOG of the same box before it */
    CHECK(in->v[11 - 1].line == 17);
    CHECK(fw->n == 1 && zone_is(c, &fw->v[0].zout, "eth+"));
    CHECK(ssh->v[1].action == ACL_RETURN);
out:
    acl_config_free(c);
}

static void iptables_clean_and_errors(void)
{
    acl_config *c = parse("iptables/clean.rules", "iptables");
    const acl_list *in = c ? list(c, "filter INPUT") : NULL;
    if (in) {
        CHECK(in->fallthrough == ACL_DENY && in->n == 7);
        CHECK(in->v[4].partial && one(&in->v[4].proto, 1, 1)); /* icmp-type, limit */
        CHECK(in->v[6].log);
    }
    acl_config_free(c);
    char err[128];
    acl_config *x = acl_config_new("iptables");
    static const char no_table[] = "-A INPUT -j ACCEPT\n";
    CHECK(acl_iptables_parse(x, no_table, sizeof no_table - 1, err, sizeof err) == KW_ERR_PARSE);
    acl_config_free(x);
    x = acl_config_new("iptables");
    static const char v6[] = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 2001:db8::/32 -p ipv6-icmp -j ACCEPT\n"
                             "-A INPUT -s bogus -j ACCEPT\nwhat is this\n-A INPUT -s 1.0.0.0/128.0.0.1 -j DROP\n"
                             "-A INPUT -d 10.0.0.0/255.0.255.0 -j DROP\nCOMMIT\n";
    CHECK(acl_iptables_parse(x, v6, sizeof v6 - 1, err, sizeof err) == KW_OK);
    const acl_list *l = list(x, "filter INPUT");
    CHECK(l && l->n == 4);
    if (l && l->n == 4) {
        CHECK(acl_dim_size(&l->v[0].src) == (acl_u128)1 << 96 && one(&l->v[0].proto, 58, 58));
        CHECK(l->v[1].partial);
        CHECK(l->v[2].partial && acl_dim_is_all(&l->v[2].src, ACL_ADDR_MAX)); /* 30 scattered mask bits: refused */
        CHECK(!l->v[3].partial && l->v[3].dst.n == 256 && acl_dim_size(&l->v[3].dst) == 65536);
    }
    CHECK(x->unknown == 1 && x->unknown_lines[0] == 5);
    acl_config_free(x);
}

static void ip6tables(void)
{
    acl_config *c = parse("iptables/v6.rules", NULL);
    const acl_list *in = c ? list(c, "filter INPUT") : NULL;
    CHECK(in && in->n == 7);
    if (in && in->n == 7) {
        CHECK(one(&in->v[1].proto, 58, 58));
        CHECK(acl_dim_size(&in->v[2].src) == (acl_u128)1 << 80 && (in->v[2].src.v[0].lo >> 96) == 0x20010db8);
        CHECK(in->v[3].src.n == 2 && in->v[3].dport.n == 1 && in->v[3].dport.v[0].lo == 546 && in->v[3].dport.v[0].hi == 547);
        CHECK(in->v[4].action == ACL_JUMP && in->v[4].go && !strcmp(in->v[4].target, "filter web"));
        CHECK(acl_dim_size(&in->v[4].src) == 1 && in->v[4].line == 11);
        CHECK(in->v[6].partial && in->v[6].action == ACL_OTHER); /* -m recent, no target */
    }
    acl_config_free(c);
}

/* Named sets of ports and interfaces, IPv6, a negated anonymous set, goto, reject with. */
static void nft_sets(void)
{
    const char *files[] = {"nftables/sets.nft", "nftables/sets.json"};
    for (size_t i = 0; i < 2; i++) {
        acl_config *c = parse(files[i], NULL);
        const acl_list *in = c ? list(c, "ip6 edge in") : NULL, *dns = c ? list(c, "ip6 edge dns") : NULL;
        CHECK(in && dns && in->n == 4 && in->fallthrough == ACL_DENY && dns->fallthrough == ACL_RETURN);
        if (!in || in->n != 4) {
            acl_config_free(c);
            continue;
        }
        const acl_rule *r = &in->v[0];
        CHECK(acl_dim_size(&r->zin) == 2 && r->dport.n == 3 && r->dport.v[2].lo == 8000 && r->dport.v[2].hi == 8010 && !r->partial);
        CHECK(acl_dim_size(&r->src) == (acl_u128)1 << 96 && r->action == ACL_PERMIT);
        CHECK(in->v[1].action == ACL_DENY && in->v[1].src.n == 3 && one(&in->v[1].dport, 22, 22) && !in->v[1].partial);
        CHECK(one(&in->v[2].proto, 58, 58));
        CHECK(in->v[3].action == ACL_JUMP && in->v[3].go && !strcmp(in->v[3].target, "ip6 edge dns"));
        CHECK(one(&in->v[3].sport, 53, 53) && one(&in->v[3].dport, 1024, 65535) && one(&in->v[3].proto, 17, 17));
        if (i == 0)
            CHECK(in->v[0].line == 16 && in->v[3].line == 19);
        acl_config_free(c);
    }
}

/* The nftables samples: the text and its JSON give the same lists and boxes. */
static void nft_check(const char *rel, bool json)
{
    acl_config *c = parse(rel, NULL);
    if (!c)
        return;
    CHECK_STR(c->vendor, "nftables");
    CHECK(c->nlists == 3); /* input mgmt forward; ip nat postrouting is not a list */
    const acl_list *in = list(c, "inet filter input"), *mg = list(c, "inet filter mgmt"), *fw = list(c, "inet filter forward");
    if (!in || !mg || !fw)
        goto out;
    CHECK(in->entry && in->fallthrough == ACL_PERMIT && !mg->entry && mg->fallthrough == ACL_RETURN);
    CHECK(in->n == 9 && mg->n == 3 && fw->n == 1);
    CHECK(in->v[0].partial);
    CHECK(zone_is(c, &in->v[1].zin, "lo"));
    CHECK(one(&in->v[2].proto, 6, 6) && one(&in->v[2].dport, 22, 22) && !in->v[2].partial);
    CHECK(in->v[3].dport.n == 2 && in->v[3].dport.v[1].lo == 443);
    const acl_rule *set = &in->v[5]; /* @admin_hosts, 8080-8090 */
    CHECK(set->src.n == 2 && set->src.v[0].lo == V4(10, 10, 0, 0) && set->src.v[1].lo == V4(192, 168, 50, 7));
    CHECK(one(&set->dport, 8080, 8090) && !set->partial);
    CHECK_CONTAINS(in->v[6].name, "shadowed by the web rule");
    CHECK(in->v[7].src.n == 2 && in->v[7].action == ACL_DENY && one(&in->v[7].proto, 17, 17));
    CHECK(in->v[8].action == ACL_JUMP && in->v[8].target && !strcmp(in->v[8].target, "inet filter mgmt"));
    CHECK(zone_is(c, &mg->v[0].zin, "eth1") && one(&mg->v[0].src, V4(10, 20, 0, 0), V4(10, 20, 255, 255)));
    CHECK(mg->v[1].log && mg->v[1].action == ACL_DENY && !mg->v[1].partial);
    CHECK(mg->v[2].action == ACL_RETURN);
    CHECK(fw->v[0].action == ACL_PERMIT && acl_dim_is_all(&fw->v[0].dport, ACL_PORT_MAX));
    if (!json) {
        CHECK(in->v[2].line == 12 && in->v[6].line == 16 && in->fallthrough_line == 9 && fw->v[0].line == 29);
        CHECK_STR(in->v[2].name, "chain input #3");
    } else {
        CHECK_CONTAINS(in->v[2].name, "handle 7");
    }
out:
    acl_config_free(c);
}

static void nft_text(void)
{
    nft_check("nftables/bad.nft", false);
}

static void nft_json(void)
{
    nft_check("nftables/bad.json", true);
    nft_check("nftables/bad-pretty.json", true);
    acl_config *c = parse("nftables/bad.json", NULL), *p = parse("nftables/bad-pretty.json", NULL);
    const acl_list *a = c ? list(c, "inet filter input") : NULL, *b = p ? list(p, "inet filter input") : NULL;
    if (a && b && a->n > 6 && b->n > 6) {
        CHECK(a->v[2].line == 1 && a->v[6].line == 1);  /* compact: one line */
        CHECK(b->v[0].line == 71 && b->v[1].line == 98); /* pretty: where "rule" begins */
    }
    acl_config_free(c);
    acl_config_free(p);
}

static void nft_clean(void)
{
    const char *files[] = {"nftables/clean.nft", "nftables/clean.json"};
    for (size_t i = 0; i < 2; i++) {
        acl_config *c = parse(files[i], NULL);
        const acl_list *in = c ? list(c, "inet filter input") : NULL;
        if (in && in->n == 6) {
            CHECK(in->fallthrough == ACL_DENY);
            const acl_rule *dns = &in->v[3]; /* meta l4proto { tcp, udp } th dport 53 */
            CHECK(dns->proto.n == 2 && dns->proto.v[0].lo == 6 && dns->proto.v[1].lo == 17);
            CHECK(one(&dns->dport, 53, 53) && one(&dns->src, V4(10, 10, 0, 0), V4(10, 10, 255, 255)));
            CHECK(in->v[4].partial && one(&in->v[4].proto, 1, 1));
        } else {
            CHECK(!"clean input chain");
        }
        CHECK(c && list(c, "inet filter forward") && list(c, "inet filter forward")->n == 0);
        acl_config_free(c);
    }
}

static void forti_bad(void)
{
    acl_config *c = parse("fortigate/bad.conf", NULL);
    if (!c)
        return;
    CHECK_STR(c->vendor, "fortigate");
    const acl_list *l = list(c, "firewall policy");
    if (!l)
        goto out;
    CHECK(l->entry && l->fallthrough == ACL_DENY && l->fallthrough_line == 0);
    /* policies 1 2(tcp 80,443,8080,8443-8444: one box) 3 5(RDP tcp; dns-split: tcp 53, udp 53 src
       1024-65535 -> 2 boxes) 4: 1+1+1+2+1 rules, in file order */
    CHECK(l->n == 6);
    if (l->n != 6)
        goto out;
    CHECK(l->v[0].line == 80 && acl_dim_is_all(&l->v[0].src, ACL_ADDR_MAX) && acl_dim_is_all(&l->v[0].proto, ACL_PROTO_MAX));
    CHECK(zone_is(c, &l->v[0].zin, "internal") && zone_is(c, &l->v[0].zout, "wan1"));
    CHECK_STR(l->v[0].name, "policy 1 (lan-out)");
    const acl_rule *web = &l->v[1];
    CHECK(one(&web->proto, 6, 6) && web->dport.n == 4 && web->log && !web->partial);
    CHECK(web->dst.n == 2 && web->dst.v[0].lo == V4(192, 168, 1, 20) && web->dst.v[0].hi == V4(192, 168, 1, 20));
    CHECK(web->dst.v[1].lo == V4(192, 168, 2, 10) && web->dst.v[1].hi == V4(192, 168, 2, 50));
    CHECK(l->v[2].line == 102 && one(&l->v[2].dport, 443, 443));
    CHECK(l->v[3].line == 112 && l->v[4].line == 112);
    CHECK(one(&l->v[3].proto, 6, 6) && l->v[3].dport.n == 2); /* RDP 3389 and dns-split tcp 53 merged */
    CHECK(one(&l->v[4].proto, 17, 17) && one(&l->v[4].sport, 1024, 65535) && one(&l->v[4].dport, 53, 53));
    const acl_rule *d = &l->v[5]; /* deny, disabled, negated source, fqdn destination */
    CHECK(d->action == ACL_DENY && d->disabled && d->partial && d->src.n == 2);
    CHECK(c->unknown == 1 && c->unknown_lines[0] == 133);
    CHECK(issue_line(c, "KW-DEV-NO-TIMEOUT") == 6);
    CHECK(issue_line(c, "KW-DEV-TELNET") == 15 && issue_line(c, "KW-DEV-HTTP-ADMIN") == 15);
    CHECK(issue_line(c, "KW-DEV-ADMIN-ANY-SOURCE") == 27);
    CHECK(issue_line(c, "KW-DEV-SNMP-V2C") == 34 && issue_line(c, "KW-DEV-SNMP-COMMUNITY") == 35);
    CHECK(issue_line(c, "KW-DEV-NO-BANNER") == 0 && issue_line(c, "KW-DEV-PLAINTEXT-PASSWORD") == -1);
    CHECK(c->nissues == 7);
    for (size_t i = 0; c->nissues != 7 && i < c->nissues; i++)
        fprintf(stderr, "  issue %s %d\n", c->issues[i].id, c->issues[i].line);
    for (size_t i = 0; i < c->nissues; i++)
        if (!strcmp(c->issues[i].id, "KW-DEV-TELNET"))
            CHECK(c->issues[i].sev == FINDING_HIGH); /* on the wan interface */
out:
    acl_config_free(c);
}

/* Every KW-DEV line of fortigate/expected is an issue the parser reports on that line. */
static void forti_expected(void)
{
    size_t len = 0, seen = 0;
    char *t = load("fortigate/expected", &len);
    acl_config *c = parse("fortigate/bad.conf", "fortigate");
    CHECK(t && c);
    for (char *save = NULL, *l = t ? strtok_r(t, "\n", &save) : NULL; l && c; l = strtok_r(NULL, "\n", &save)) {
        char id[64];
        int line;
        if (sscanf(l, "%63s %d", id, &line) != 2 || strncmp(id, "KW-DEV-", 7))
            continue;
        seen++;
        bool found = false;
        for (size_t i = 0; i < c->nissues; i++)
            found = found || (!strcmp(c->issues[i].id, id) && c->issues[i].line == line);
        if (!found)
            fprintf(stderr, "  expected %s at %d\n", id, line);
        CHECK(found);
    }
    CHECK(seen == 7 && c && c->nissues == seen);
    free(t);
    acl_config_free(c);
}

static void forti_clean(void)
{
    acl_config *c = parse("fortigate/clean.conf", "fortigate");
    if (!c)
        return;
    CHECK(c->nissues == 0 && c->unknown == 0);
    const acl_list *l = list(c, "firewall policy");
    CHECK(l && l->n == 4 && l->v[3].action == ACL_DENY && l->v[3].log);
    if (l && l->n == 4)
        CHECK(one(&l->v[0].proto, 6, 6) && l->v[0].dport.n == 3 && one(&l->v[1].proto, 17, 17) &&
              l->v[1].line == l->v[0].line && l->v[1].log); /* HTTP HTTPS DNS: a tcp box and a udp box */
    acl_config_free(c);
    char err[128];
    static const char plain[] = "config system admin\n edit \"ops\"\n  set password secret123\n  set trusthost1 10.0.0.0 255.0.0.0\n next\nend\n";
    acl_config *x = acl_config_new("fortigate");
    CHECK(acl_forti_parse(x, plain, sizeof plain - 1, err, sizeof err) == KW_OK);
    CHECK(x->nissues == 1 && issue_line(x, "KW-DEV-PLAINTEXT-PASSWORD") == 3);
    acl_config_free(x);
    static const char vdoms[] = "config vdom\nedit root\nconfig firewall policy\n edit 1\n  set action accept\n"
                                "  set service \"SSH\"\n next\nend\nnext\nedit dmz\nconfig firewall policy\n edit 1\n"
                                "  set service \"ALL\"\n next\nend\nnext\nend\n";
    x = acl_config_new("fortigate");
    CHECK(acl_forti_parse(x, vdoms, sizeof vdoms - 1, err, sizeof err) == KW_OK);
    const acl_list *root = list(x, "firewall policy (vdom root)"), *dmz = list(x, "firewall policy (vdom dmz)");
    CHECK(x->nlists == 2 && root && dmz && root->n == 1 && dmz->n == 1);
    if (root && dmz && root->n == 1 && dmz->n == 1) {
        CHECK(root->v[0].action == ACL_PERMIT && one(&root->v[0].dport, 22, 22) && root->v[0].line == 4);
        CHECK(dmz->v[0].action == ACL_DENY && dmz->entry && dmz->fallthrough == ACL_DENY); /* default action deny */
    }
    acl_config_free(x);
    x = acl_config_new("fortigate");
    CHECK(acl_forti_parse(x, "hello\n", 6, err, sizeof err) == KW_ERR_PARSE);
    acl_config_free(x);
}

static void sniffing(void)
{
    static const struct {
        const char *file, *vendor;
    } s[] = {
        {"iptables/bad.rules", "iptables"}, {"iptables/clean.rules", "iptables"}, {"nftables/bad.nft", "nftables"},
        {"nftables/bad.json", "nftables"}, {"nftables/bad-pretty.json", "nftables"},
        {"fortigate/bad.conf", "fortigate"}, {"fortigate/clean.conf", "fortigate"},
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        size_t len;
        char *t = load(s[i].file, &len);
        const acl_vendor *v = t ? acl_vendor_guess(t, len) : NULL;
        CHECK(v && !strcmp(v->name, s[i].vendor));
        free(t);
    }
    static const char *const not[] = {
        "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01",
        "The table in the kitchen is set; the chain of events that followed was long.\n",
        "user www-data;\nhttp {\n    server {\n        listen 80;\n        location / { root /var/www; }\n    }\n}\n",
        "hostname r1\n!\ninterface GigabitEthernet0/0\n ip address 10.0.0.1 255.255.255.0\n!\naccess-list 101 permit tcp any any eq 22\nline vty 0 4\n transport input telnet\nend\n",
        "{\"nftable\": []}",
    };
    for (size_t i = 0; i < sizeof not / sizeof not[0]; i++)
        for (const acl_vendor *v = acl_vendors; v->name; v++)
            if (!strcmp(v->name, "iptables") || !strcmp(v->name, "nftables") || !strcmp(v->name, "fortigate"))
                CHECK(v->sniff(not[i], strlen(not[i])) < 30);
}

int main(void)
{
    RUN(iptables_bad);
    RUN(iptables_clean_and_errors);
    RUN(ip6tables);
    RUN(nft_text);
    RUN(nft_sets);
    RUN(nft_json);
    RUN(nft_clean);
    RUN(forti_bad);
    RUN(forti_expected);
    RUN(forti_clean);
    RUN(sniffing);
    TEST_MAIN_END();
}
